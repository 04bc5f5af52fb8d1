//! Rule sets: each friendly rule's locator, patterns and data types; `raw:` rules go to
//! [`super::raw_rules`].

use super::*;

impl Checker<'_> {
    pub(super) fn rule_sets(&mut self) {
        let used: BTreeSet<&str> = self
            .spec
            .replications
            .values()
            .map(|r| r.rules.as_str())
            .collect();
        let all_resolve = used.iter().all(|u| self.spec.rules.contains_key(*u));
        for (name, rules) in &self.spec.rules {
            let at = ["rules", name.as_str()];
            let selects = rules.iter().any(selects);
            if !selects {
                self.error_key(
                    "no-selection",
                    ptr(&at),
                    format!("rule set `{name}` selects no table"),
                )
                .help =
                    Some("add a rule such as `- include: { schema: app, table: \"%\" }`".into());
            }
            let mut raw_ids = BTreeSet::new();
            for (i, rule) in rules.iter().enumerate() {
                self.rule(name, i, rule, &mut raw_ids);
            }
            self.post_processing_targets(name, rules);
            if !used.contains(name.as_str()) && all_resolve {
                self.warning_key(
                    "unused",
                    ptr(&at),
                    format!("rule set `{name}` is not used by any replication"),
                );
            }
        }
    }

    /// Checks the rule at position `i` of rule set `set`.
    // One arm per rule kind: a table of what each kind's fields must be.
    fn rule(&mut self, set: &str, i: usize, rule: &Rule, raw_ids: &mut BTreeSet<String>) {
        let at = ["rules", set];
        let name = set;
        let idx = i.to_string();
        let kind = rule.kind();
        let p = |f: &str| ptr(&[at[0], at[1], &idx, kind, f]);
        match rule {
            Rule::Include(s) | Rule::Exclude(s) => {
                self.pattern(p("schema"), &s.schema);
                self.pattern(p("table"), &s.table);
            }
            Rule::Explicit(s) => {
                for (f, v) in [("schema", &s.schema), ("table", &s.table)] {
                    self.exact(p(f), "explicit", f, v);
                }
            }
            Rule::ParallelLoad(pl) => {
                self.friendly_table_settings(&at, &idx, i, rule, &pl.schema, &pl.table)
            }
            Rule::Lob(l) => self.friendly_table_settings(&at, &idx, i, rule, &l.schema, &l.table),
            Rule::Rename(r) => {
                self.locator(&p(""), &r.schema, r.table.as_deref(), r.column.as_deref());
                self.literal(p("to"), &r.to, "a new name");
            }
            Rule::AddPrefix(a)
            | Rule::RemovePrefix(a)
            | Rule::AddSuffix(a)
            | Rule::RemoveSuffix(a) => {
                self.locator(&p(""), &a.schema, a.table.as_deref(), a.column.as_deref());
                self.literal(p("value"), &a.value, "a prefix or suffix");
            }
            Rule::ReplacePrefix(a) | Rule::ReplaceSuffix(a) => {
                self.locator(&p(""), &a.schema, a.table.as_deref(), a.column.as_deref());
                self.literal(p("old"), &a.old, "the old prefix or suffix");
                self.literal(p("new"), &a.new, "the new prefix or suffix");
            }
            Rule::Lowercase(l) | Rule::Uppercase(l) => {
                self.locator(&p(""), &l.schema, l.table.as_deref(), l.column.as_deref());
            }
            Rule::RemoveColumn(c) => {
                self.pattern(p("schema"), &c.schema);
                self.pattern(p("table"), &c.table);
                self.pattern(p("column"), &c.column);
            }
            Rule::AddColumn(c) => {
                self.pattern(p("schema"), &c.schema);
                self.pattern(p("table"), &c.table);
                self.literal(p("column"), &c.column, "a column name");
                self.data_type(&p(""), c.data_type, c.length, c.precision);
            }
            Rule::ChangeDataType(c) => {
                self.pattern(p("schema"), &c.schema);
                self.pattern(p("table"), &c.table);
                self.pattern(p("column"), &c.column);
                self.data_type(&p(""), c.data_type, c.length, c.precision);
            }
            Rule::DefinePrimaryKey(k) => {
                for (f, v) in [("schema", &k.schema), ("table", &k.table)] {
                    self.exact(p(f), kind, f, v);
                }
                self.literal(p("name"), &k.name, "a key name");
                if k.columns.is_empty() {
                    self.error(
                        "missing-field",
                        p("columns"),
                        "`define_primary_key` lists no column".into(),
                    );
                }
            }
            Rule::AddBeforeImageColumns(b) => {
                self.pattern(p("schema"), &b.schema);
                self.pattern(p("table"), &b.table);
                if b.prefix.as_deref() == Some("") && b.suffix.as_deref().unwrap_or("").is_empty() {
                    self.error(
                        "invalid-value",
                        p("prefix"),
                        "before-image columns need a non-empty prefix or suffix".into(),
                    );
                }
            }
            Rule::Raw(raw) => {
                let rp = ptr(&[at[0], at[1], &idx, "raw"]);
                self.raw_rule(&rp, raw);
                self.raw_rule_id(&rp, raw, name, raw_ids);
            }
        }
    }

    /// `parallel_load` and `lob`: exact names, and the settings they render checked as a raw
    /// rule's are.
    fn friendly_table_settings(
        &mut self,
        at: &[&str; 2],
        idx: &str,
        i: usize,
        rule: &Rule,
        schema: &str,
        table: &str,
    ) {
        let kind = rule.kind();
        let p = |f: &str| ptr(&[at[0], at[1], idx, kind, f]);
        for (f, v) in [("schema", schema), ("table", table)] {
            self.exact(p(f), kind, f, v);
        }
        let rendered = crate::rules::render_rule(i + 1, rule);
        let fields = raw_rules::Fields {
            base: ptr(&[at[0], at[1], idx, kind]),
            friendly: true,
        };
        if let Some(load) = rendered.get("parallel-load").and_then(Json::as_object) {
            self.parallel_load(&fields, load);
        }
        if let Some(lob) = rendered.get("lob-settings").and_then(Json::as_object) {
            self.lob_settings(&fields, lob);
        }
    }

    /// A raw rule's `rule-id`: a number, once per rule set.
    fn raw_rule_id(
        &mut self,
        rp: &str,
        raw: &serde_json::Map<String, Json>,
        name: &str,
        raw_ids: &mut BTreeSet<String>,
    ) {
        if let Some(id) = raw.get("rule-id") {
            let id = match id {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            if id.parse::<u32>().is_err() {
                self.error(
                    "invalid-value",
                    child_pointer(rp, "rule-id"),
                    format!("rule-id `{id}` is not a number"),
                );
            } else if !raw_ids.insert(id.clone()) {
                self.error(
                    "duplicate",
                    child_pointer(rp, "rule-id"),
                    format!("rule-id `{id}` is used twice in rule set `{name}`"),
                );
            }
        }
    }

    /// `post-processing` rules tag S3 objects: a replication to another target has nothing to
    /// tag.
    pub(super) fn post_processing_targets(&mut self, set: &str, rules: &[Rule]) {
        let spec = self.spec;
        let not_s3: Vec<&String> = spec
            .replications
            .iter()
            .filter(|(_, r)| r.rules == set)
            .filter(|(_, r)| {
                spec.endpoints
                    .get(&r.target)
                    .is_some_and(|e| e.engine != Engine::S3)
            })
            .map(|(n, _)| n)
            .collect();
        let Some(first) = not_s3.first() else {
            return;
        };
        for (i, rule) in rules.iter().enumerate() {
            if let Rule::Raw(raw) = rule {
                if raw.get("rule-type").and_then(Json::as_str) == Some("post-processing") {
                    self.warning(
                        "no-effect",
                        ptr(&["rules", set, &i.to_string(), "raw", "rule-type"]),
                        format!(
                            "`post-processing` rules tag S3 objects, but replication `{first}` \
                             writes to a target that is not S3"
                        ),
                    );
                }
            }
        }
    }

    /// A schema or table name that a rule of `kind` needs exactly, without wildcards.
    pub(super) fn exact(&mut self, pointer: String, kind: &str, field: &str, value: &str) {
        if value.is_empty() || value.contains(['%', '[']) {
            self.error(
                "wildcard-not-allowed",
                pointer,
                format!("`{kind}` needs an exact {field} name, found `{value}`"),
            )
            .help = Some("it applies to one table; write one rule per table".into());
        }
    }

    /// Checks a transformation's locator: the pattern syntax, and that a column names its table.
    pub(super) fn locator(
        &mut self,
        base: &str,
        schema: &str,
        table: Option<&str>,
        column: Option<&str>,
    ) {
        let base = base.trim_end_matches('/');
        self.pattern(child_pointer(base, "schema"), schema);
        if let Some(t) = table {
            self.pattern(child_pointer(base, "table"), t);
        }
        if let Some(c) = column {
            self.pattern(child_pointer(base, "column"), c);
            if table.is_none() {
                self.error(
                    "missing-field",
                    child_pointer(base, "column"),
                    "a column rule needs `table` too".into(),
                )
                .help = Some("write `table: \"%\"` to apply it to every table".into());
            }
        }
    }

    /// DMS object-locator patterns: `%` any run, `_` one character, `[...]` a character class.
    pub(super) fn pattern(&mut self, pointer: String, value: &str) {
        if value.is_empty() {
            self.error(
                "invalid-pattern",
                pointer,
                "an empty name matches nothing".into(),
            );
            return;
        }
        let mut open = None;
        for (i, ch) in value.char_indices() {
            match (ch, open) {
                ('[', None) => open = Some(i),
                ('[', Some(_)) => {
                    self.error(
                        "invalid-pattern",
                        pointer,
                        format!("`{value}`: `[` inside a character class"),
                    );
                    return;
                }
                (']', Some(start)) if i == start + 1 => {
                    self.error(
                        "invalid-pattern",
                        pointer,
                        format!("`{value}`: empty character class `[]`"),
                    );
                    return;
                }
                (']', Some(_)) => open = None,
                (']', None) => {
                    self.error(
                        "invalid-pattern",
                        pointer,
                        format!("`{value}`: `]` without `[`"),
                    );
                    return;
                }
                _ => {}
            }
        }
        if open.is_some() {
            self.error(
                "invalid-pattern",
                pointer,
                format!("`{value}`: `[` is never closed"),
            )
            .help = Some(
                "`[...]` matches one character from a set; write `[[]` for a literal `[`".into(),
            );
        }
    }

    /// A name dmsctl writes (not a pattern): no wildcards, not empty.
    pub(super) fn literal(&mut self, pointer: String, value: &str, what: &str) {
        if value.is_empty() {
            self.error("invalid-value", pointer, format!("{what} cannot be empty"));
        } else if value.contains(['%', '[', ']']) {
            self.error(
                "invalid-value",
                pointer,
                format!("{what} cannot contain wildcards, found `{value}`"),
            );
        }
    }

    pub(super) fn data_type(
        &mut self,
        base: &str,
        t: DataType,
        length: Option<i64>,
        precision: Option<i64>,
    ) {
        let base = base.trim_end_matches('/');
        if matches!(t, DataType::String | DataType::Wstring | DataType::Bytes) && length.is_none() {
            self.error(
                "missing-field",
                child_pointer(base, "type"),
                format!(
                    "type `{}` needs `length`",
                    serde_json::to_value(t)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ),
            );
        }
        if t == DataType::Numeric && precision.is_none() {
            self.error(
                "missing-field",
                child_pointer(base, "type"),
                "type `numeric` needs `precision` (and usually `scale`)".into(),
            );
        }
        for (f, v) in [("length", length), ("precision", precision)] {
            if v.is_some_and(|v| v <= 0) {
                self.error(
                    "invalid-value",
                    child_pointer(base, f),
                    format!("`{f}` must be positive"),
                );
            }
        }
    }
}

/// Whether a rule selects tables (`include`, `explicit`, or a raw selection rule that does).
fn selects(r: &Rule) -> bool {
    match r {
        Rule::Include(_) | Rule::Explicit(_) => true,
        Rule::Raw(raw) => {
            raw.get("rule-type").and_then(Json::as_str) == Some("selection")
                && matches!(
                    raw.get("rule-action").and_then(Json::as_str),
                    Some("include" | "explicit")
                )
        }
        _ => false,
    }
}
