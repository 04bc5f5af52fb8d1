//! `selection` rules and their source filters.

use super::*;

impl Checker<'_> {
    pub(super) fn selection(
        &mut self,
        rp: &str,
        raw: &Map<String, Json>,
        action: Option<&str>,
        locator: &Map<String, Json>,
    ) {
        let lp = child_pointer(rp, "object-locator");
        let exact = (action == Some("explicit")).then_some("an `explicit` selection");
        self.locator_names(rp, locator, exact);
        if !locator.is_empty() && !locator.contains_key("table-name") {
            self.error(
                "missing-field",
                lp.clone(),
                "a selection's `object-locator` needs `table-name`".into(),
            )
            .help = Some("write `table-name: \"%\"` for every table".into());
        }
        if let Some(t) = locator.get("table-type") {
            self.choice(
                child_pointer(&lp, "table-type"),
                t,
                &["table", "view", "all"],
                "table-type",
            );
        }
        if let Some(order) = raw.get("load-order") {
            if !whole_in(order, 1..=2_147_483_647) {
                self.error(
                    "invalid-value",
                    child_pointer(rp, "load-order"),
                    format!("`load-order` must be a positive whole number, found `{order}`"),
                )
                .help = Some("at most 2147483647; higher numbers load first".into());
            }
        }
        let Some(filters) = raw.get("filters") else {
            return;
        };
        let fp = child_pointer(rp, "filters");
        let Some(filters) = filters.as_array() else {
            self.error("invalid-value", fp, "`filters` must be a list".into());
            return;
        };
        if filters.is_empty() {
            return;
        }
        if action != Some("include") {
            self.warning(
                "ignored",
                fp.clone(),
                "DMS applies filters only to `include` selections".into(),
            );
        }
        let table = locator.get("table-name").and_then(Json::as_str);
        if table.is_some_and(has_wildcard) {
            self.warning(
                "ignored",
                fp.clone(),
                "DMS supports filters only on tables named exactly, without wildcards".into(),
            );
        }
        for (i, filter) in filters.iter().enumerate() {
            self.filter(&child_pointer(&fp, &i.to_string()), filter);
        }
    }

    pub(super) fn filter(&mut self, at: &str, filter: &Json) {
        let Some(filter) = filter.as_object() else {
            self.error(
                "invalid-value",
                at.to_string(),
                "a filter must be a mapping".into(),
            );
            return;
        };
        self.unknown_fields(
            at,
            filter,
            &["filter-type", "column-name", "filter-conditions"],
            "a filter",
        );
        if let Some(t) = filter.get("filter-type") {
            self.choice(
                child_pointer(at, "filter-type"),
                t,
                &["source"],
                "filter-type",
            );
        }
        if !filter.get("column-name").is_some_and(Json::is_string) {
            self.error(
                "missing-field",
                at.to_string(),
                "a filter needs `column-name`, the source column it tests".into(),
            );
        }
        let cp = child_pointer(at, "filter-conditions");
        let Some(conditions) = filter
            .get("filter-conditions")
            .and_then(Json::as_array)
            .filter(|c| !c.is_empty())
        else {
            self.error(
                "missing-field",
                at.to_string(),
                "a filter needs `filter-conditions`, a list of at least one condition".into(),
            );
            return;
        };
        for (i, condition) in conditions.iter().enumerate() {
            let at = child_pointer(&cp, &i.to_string());
            self.filter_condition(&at, condition, conditions.len());
        }
    }

    /// One of a filter's `count` conditions: its operator and the values that operator reads.
    fn filter_condition(&mut self, at: &str, condition: &Json, count: usize) {
        let operators: Vec<&str> = FILTER_OPERATORS.iter().map(|(op, _)| *op).collect();
        let Some(condition) = condition.as_object() else {
            self.error(
                "invalid-value",
                at.to_string(),
                "a filter condition must be a mapping".into(),
            );
            return;
        };
        self.unknown_fields(
            at,
            condition,
            &["filter-operator", "value", "start-value", "end-value"],
            "a filter condition",
        );
        let Some(op) = condition.get("filter-operator") else {
            self.error(
                "missing-field",
                at.to_string(),
                "a filter condition needs `filter-operator`".into(),
            )
            .help = Some(format!("operators: {}", one_of(&operators)));
            return;
        };
        let Some(op) = self.choice(
            child_pointer(at, "filter-operator"),
            op,
            &operators,
            "filter-operator",
        ) else {
            return;
        };
        let wanted = FILTER_OPERATORS
            .iter()
            .find(|(o, _)| *o == op)
            .map_or(&[][..], |(_, w)| *w);
        for value in wanted {
            if !condition.contains_key(*value) {
                self.error(
                    "missing-field",
                    at.to_string(),
                    format!("filter operator `{op}` needs `{value}`"),
                );
            }
        }
        if op.starts_with("not") && count > 1 {
            self.error(
                "invalid-value",
                child_pointer(at, "filter-operator"),
                format!(
                    "a filter with the negative operator `{op}` can have only that one condition"
                ),
            )
            .help =
                Some("write a second filter on the same column: filters combine with AND".into());
        }
    }
}
