//! `transformation` rules: actions, targets, data types, primary keys and before images.

use super::*;

impl Checker<'_> {
    pub(super) fn transformation(
        &mut self,
        rp: &str,
        raw: &Map<String, Json>,
        action: Option<&str>,
        locator: &Map<String, Json>,
    ) {
        let exact = (action == Some("define-primary-key")).then_some("`define-primary-key`");
        self.locator_names(rp, locator, exact);
        let target = self.rule_target(rp, raw);
        let (Some(action), Some(target)) = (action, target) else {
            return;
        };
        self.target_fits_action(rp, action, target);
        if !locator.is_empty() {
            self.locator_reaches_target(rp, action, target, locator);
        }
        self.action_values(rp, raw, action);
        self.action_data_type(rp, raw, action);
        if action == "define-primary-key" {
            self.primary_key_def(rp, raw);
        }
        if let Some(def) = raw.get("before-image-def") {
            self.before_image_def(&child_pointer(rp, "before-image-def"), def);
        }
    }

    /// The rule's `rule-target`, which every transformation needs.
    fn rule_target<'r>(&mut self, rp: &str, raw: &'r Map<String, Json>) -> Option<&'r str> {
        match raw.get("rule-target") {
            Some(t) => self.choice(
                child_pointer(rp, "rule-target"),
                t,
                RULE_TARGETS,
                "rule-target",
            ),
            None => {
                self.error(
                    "missing-field",
                    rp.to_string(),
                    "a `transformation` rule needs `rule-target`".into(),
                )
                .help = Some(format!("rule targets: {}", one_of(RULE_TARGETS)));
                None
            }
        }
    }

    /// Actions that work on one kind of object only take that `rule-target`.
    fn target_fits_action(&mut self, rp: &str, action: &str, target: &str) {
        let only: Option<&str> = match action {
            "define-primary-key" => Some("table"),
            "add-column"
            | "include-column"
            | "remove-column"
            | "change-data-type"
            | "add-before-image-columns" => Some("column"),
            a if a.starts_with("data-masking-") => Some("column"),
            _ => None,
        };
        if only.is_some_and(|t| t != target) {
            self.error(
                "invalid-value",
                child_pointer(rp, "rule-target"),
                format!(
                    "`{action}` takes `rule-target: {}`, found `{target}`",
                    only.unwrap_or_default()
                ),
            );
        }
    }

    /// The locator names the object the target says, down to it.
    fn locator_reaches_target(
        &mut self,
        rp: &str,
        action: &str,
        target: &str,
        locator: &Map<String, Json>,
    ) {
        let lp = child_pointer(rp, "object-locator");
        let needs: &[&str] = match target {
            "table" => &["table-name"],
            "column" if matches!(action, "add-column" | "add-before-image-columns") => {
                &["table-name"]
            }
            "column" => &["table-name", "column-name"],
            "table-tablespace" => &["table-name", "table-tablespace-name"],
            "index-tablespace" => &["table-name", "index-tablespace-name"],
            _ => &[],
        };
        for key in needs.iter().filter(|k| !locator.contains_key(**k)) {
            self.error(
                "missing-field",
                lp.clone(),
                format!("`rule-target: {target}` needs `{key}` in `object-locator`"),
            );
        }
        if locator.contains_key("table-tablespace-name")
            && locator.contains_key("index-tablespace-name")
        {
            self.error(
                "invalid-value",
                lp,
                "an `object-locator` names a table tablespace or an index tablespace, not both"
                    .into(),
            );
        }
    }

    /// `value`, `old-value` and `expression`, where the action needs them.
    fn action_values(&mut self, rp: &str, raw: &Map<String, Json>, action: &str) {
        let needs_value = matches!(
            action,
            "rename"
                | "add-prefix"
                | "remove-prefix"
                | "replace-prefix"
                | "add-suffix"
                | "remove-suffix"
                | "replace-suffix"
                | "add-column"
        );
        let has_expression = raw.contains_key("expression");
        let string = |k: &str| raw.get(k).is_some_and(Json::is_string);
        if needs_value && !string("value") && !(action == "rename" && has_expression) {
            self.error(
                "missing-field",
                rp.to_string(),
                format!(
                    "`{action}` needs `value`, {}",
                    if action == "add-column" {
                        "the new column's name"
                    } else {
                        "the new name or the affix"
                    }
                ),
            );
        }
        if action.starts_with("replace-") && !string("old-value") {
            self.error(
                "missing-field",
                rp.to_string(),
                format!("`{action}` needs `old-value`, the affix it replaces"),
            );
        }
        if let Some(e) = raw.get("expression").filter(|e| !e.is_string()) {
            self.error(
                "invalid-value",
                child_pointer(rp, "expression"),
                format!("`expression` must be a string (an SQLite expression), found `{e}`"),
            );
        }
    }

    /// `data-type`: required to change one, expected for a new column, checked wherever given.
    fn action_data_type(&mut self, rp: &str, raw: &Map<String, Json>, action: &str) {
        match (action, raw.get("data-type")) {
            ("change-data-type", None) => {
                self.error(
                    "missing-field",
                    rp.to_string(),
                    "`change-data-type` needs `data-type`".into(),
                );
            }
            ("add-column", None) => {
                self.warning(
                    "missing-field",
                    rp.to_string(),
                    "`add-column` without `data-type`: DMS needs the new column's type".into(),
                );
            }
            (_, Some(d)) => self.raw_data_type(&child_pointer(rp, "data-type"), d),
            _ => {}
        }
    }

    pub(super) fn raw_data_type(&mut self, at: &str, d: &Json) {
        let Some(d) = d.as_object() else {
            self.error(
                "invalid-value",
                at.to_string(),
                "`data-type` must be a mapping".into(),
            );
            return;
        };
        self.unknown_fields(
            at,
            d,
            &["type", "length", "precision", "scale"],
            "a `data-type`",
        );
        match d.get("type") {
            Some(t) => {
                self.choice(child_pointer(at, "type"), t, DATA_TYPES, "data type");
            }
            None => {
                self.error(
                    "missing-field",
                    at.to_string(),
                    "`data-type` needs `type`".into(),
                );
            }
        }
        for key in ["length", "precision"] {
            if let Some(v) = d.get(key) {
                if !whole_in(v, 1..=i64::MAX) {
                    self.error(
                        "invalid-value",
                        child_pointer(at, key),
                        format!("`{key}` must be a positive whole number, found `{v}`"),
                    );
                }
            }
        }
    }

    pub(super) fn primary_key_def(&mut self, rp: &str, raw: &Map<String, Json>) {
        let at = child_pointer(rp, "primary-key-def");
        let Some(def) = raw.get("primary-key-def").and_then(Json::as_object) else {
            self.error(
                "missing-field",
                rp.to_string(),
                "`define-primary-key` needs `primary-key-def` with `name` and `columns`".into(),
            );
            return;
        };
        self.unknown_fields(
            &at,
            def,
            &["name", "origin", "columns"],
            "`primary-key-def`",
        );
        if !def.get("name").is_some_and(Json::is_string) {
            self.error(
                "missing-field",
                at.clone(),
                "`primary-key-def` needs `name`, the key's name".into(),
            );
        }
        if let Some(o) = def.get("origin") {
            self.choice(
                child_pointer(&at, "origin"),
                o,
                &["primary-key", "unique-index"],
                "origin",
            );
        }
        let columns = def.get("columns").and_then(Json::as_array);
        if !columns.is_some_and(|c| !c.is_empty() && c.iter().all(Json::is_string)) {
            self.error(
                "missing-field",
                at,
                "`primary-key-def` needs `columns`, a list of column names".into(),
            );
        }
    }

    pub(super) fn before_image_def(&mut self, at: &str, def: &Json) {
        let Some(def) = def.as_object() else {
            self.error(
                "invalid-value",
                at.to_string(),
                "`before-image-def` must be a mapping".into(),
            );
            return;
        };
        self.unknown_fields(
            at,
            def,
            &["column-prefix", "column-suffix", "column-filter"],
            "`before-image-def`",
        );
        if let Some(f) = def.get("column-filter") {
            self.choice(
                child_pointer(at, "column-filter"),
                f,
                &["pk-only", "non-lob", "all"],
                "column-filter",
            );
        }
        let empty = |k: &str| def.get(k).and_then(Json::as_str) == Some("");
        if empty("column-prefix") && (empty("column-suffix") || !def.contains_key("column-suffix"))
        {
            self.error(
                "invalid-value",
                child_pointer(at, "column-prefix"),
                "before-image columns need a non-empty prefix or suffix".into(),
            );
        }
    }
}
