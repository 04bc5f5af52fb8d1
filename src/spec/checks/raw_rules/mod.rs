//! The DMS table-mapping grammar, per `rule-type`, for `raw:` rules and for the friendly
//! table-settings rules (`parallel_load`, `lob`), as the DMS user guide documents it:
//!
//! - "Selection rules and actions" and "Using source filters" (`selection`),
//! - "Transformation rules and actions" and "Using data masking" (`transformation`),
//! - "Table and collection settings rules and operations" (`table-settings`),
//! - "Amazon S3 object tagging" (`post-processing`, S3 targets) and the object-mapping sections
//!   of the DynamoDB, Kinesis and Kafka target pages (`object-mapping`).
//!
//! What the guide says is wrong is an error; what dmsctl does not know (a field the guide does
//! not list, a rule that does nothing) is a warning, since a newer DMS may take it.

use serde_json::{Map, Value as Json};

use super::{child_pointer, did_you_mean, one_of, Checker};

mod selection;
mod table_settings;
mod transformation;

pub(super) const RULE_TYPES: &[&str] = &[
    "selection",
    "transformation",
    "table-settings",
    "post-processing",
    "object-mapping",
];

const SELECTION_ACTIONS: &[&str] = &["include", "exclude", "explicit"];

const TRANSFORMATION_ACTIONS: &[&str] = &[
    "add-column",
    "include-column",
    "remove-column",
    "rename",
    "convert-lowercase",
    "convert-uppercase",
    "add-prefix",
    "remove-prefix",
    "replace-prefix",
    "add-suffix",
    "remove-suffix",
    "replace-suffix",
    "define-primary-key",
    "change-data-type",
    "add-before-image-columns",
    "data-masking-digits-mask",
    "data-masking-digits-randomize",
    "data-masking-hash-mask",
];

const RULE_TARGETS: &[&str] = &[
    "schema",
    "table",
    "column",
    "table-tablespace",
    "index-tablespace",
];

/// The data types of transformation rules' `data-type.type`.
const DATA_TYPES: &[&str] = &[
    "bytes", "date", "time", "datetime", "int1", "int2", "int4", "int8", "numeric", "real4",
    "real8", "string", "uint1", "uint2", "uint4", "uint8", "wstring", "blob", "nclob", "clob",
    "boolean", "set", "list", "map", "tuple",
];

/// Filter operators with the values each takes.
const FILTER_OPERATORS: &[(&str, &[&str])] = &[
    ("lte", &["value"]),
    ("ste", &["value"]),
    ("gte", &["value"]),
    ("eq", &["value"]),
    ("noteq", &["value"]),
    ("between", &["start-value", "end-value"]),
    ("notbetween", &["start-value", "end-value"]),
    ("null", &[]),
    ("notnull", &[]),
];

const PARALLEL_LOAD_TYPES: &[&str] = &[
    "partitions-auto",
    "subpartitions-auto",
    "partitions-list",
    "ranges",
    "none",
];

const LOB_MODES: &[&str] = &["limited", "unlimited", "none"];

const COMMON_KEYS: &[&str] = &[
    "rule-type",
    "rule-id",
    "rule-name",
    "rule-action",
    "object-locator",
];

/// Where the fields of a table-settings object are and what they are called: DMS's own names in
/// a raw rule, snake_case ones in a friendly rule.
pub(super) struct Fields {
    pub base: String,
    pub friendly: bool,
}

impl Fields {
    fn at(&self, key: &str) -> String {
        child_pointer(&self.base, &self.name(key))
    }

    fn name(&self, key: &str) -> String {
        if self.friendly {
            key.replace('-', "_")
        } else {
            key.to_string()
        }
    }
}

/// Whether a name uses a wildcard: `%` or a `[...]` class (`_` is left alone: it is in most
/// real names, and DMS matches it literally where it wants an exact name).
fn has_wildcard(v: &str) -> bool {
    v.contains(['%', '['])
}

/// A whole number, written as a JSON number or as a string of digits (the guide does both).
fn whole(v: &Json) -> Option<i64> {
    match v {
        Json::Number(n) => n.as_i64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Whether `v` is a whole number in `range`.
fn whole_in(v: &Json, range: std::ops::RangeInclusive<i64>) -> bool {
    whole(v).is_some_and(|n| range.contains(&n))
}

impl Checker<'_> {
    /// Checks a raw rule at `rp` against the grammar of its `rule-type`.
    pub(super) fn raw_rule(&mut self, rp: &str, raw: &Map<String, Json>) {
        let Some(kind) = self.rule_type(rp, raw) else {
            return;
        };
        let action = self.rule_action(rp, raw, kind);
        let locator = self.object_locator(rp, raw, kind);
        let extra: &[&str] = match kind {
            "selection" => &["load-order", "filters"],
            "transformation" => &[
                "rule-target",
                "value",
                "old-value",
                "expression",
                "data-type",
                "primary-key-def",
                "before-image-def",
            ],
            "table-settings" => &["parallel-load", "lob-settings"],
            "post-processing" => &["tag-set"],
            _ => &["mapping-parameters", "target-table-name"],
        };
        let known: Vec<&str> = COMMON_KEYS.iter().chain(extra).copied().collect();
        self.unknown_fields(rp, raw, &known, &format!("a `{kind}` rule"));
        let locator = locator.unwrap_or_default();
        match kind {
            "selection" => self.selection(rp, raw, action, &locator),
            "transformation" => self.transformation(rp, raw, action, &locator),
            "table-settings" => self.table_settings(rp, raw, &locator),
            "post-processing" => self.tag_set(rp, raw),
            _ => {}
        }
    }

    /// The rule's `rule-type`, when it is one dmsctl knows the grammar of.
    fn rule_type<'r>(&mut self, rp: &str, raw: &'r Map<String, Json>) -> Option<&'r str> {
        let Some(kind) = raw.get("rule-type") else {
            self.error(
                "missing-field",
                rp.to_string(),
                "a raw rule needs `rule-type`".into(),
            )
            .help = Some(format!("DMS rule types: {}", one_of(RULE_TYPES)));
            return None;
        };
        // A rule type the guide does not list and that is no typo of one may be newer than
        // dmsctl: DMS judges it, dmsctl says it cannot.
        if let Some(s) = kind.as_str() {
            if !RULE_TYPES.contains(&s) && did_you_mean(s, RULE_TYPES.iter().copied()).is_none() {
                self.warning(
                    "unknown-value",
                    child_pointer(rp, "rule-type"),
                    format!(
                        "dmsctl does not know rule-type `{s}`; the rule goes to DMS as written"
                    ),
                )
                .help = Some(format!(
                    "the DMS user guide documents {}",
                    one_of(RULE_TYPES)
                ));
                return None;
            }
        }
        self.choice(
            child_pointer(rp, "rule-type"),
            kind,
            RULE_TYPES,
            "rule-type",
        )
    }

    /// The rule's `rule-action`, for the rule types that have one.
    fn rule_action<'r>(
        &mut self,
        rp: &str,
        raw: &'r Map<String, Json>,
        kind: &str,
    ) -> Option<&'r str> {
        let actions: &[&str] = match kind {
            "selection" => SELECTION_ACTIONS,
            "transformation" => TRANSFORMATION_ACTIONS,
            "post-processing" => &["add-tag"],
            "object-mapping" => &["map-record-to-record", "map-record-to-document"],
            _ => &[],
        };
        match raw.get("rule-action") {
            None if actions.is_empty() => None,
            None => {
                self.error(
                    "missing-field",
                    rp.to_string(),
                    format!("a `{kind}` rule needs `rule-action`"),
                )
                .help = Some(format!(
                    "`rule-action` of a `{kind}` rule: {}",
                    one_of(actions)
                ));
                None
            }
            Some(_) if actions.is_empty() => {
                self.warning(
                    "unknown-field",
                    child_pointer(rp, "rule-action"),
                    format!("a `{kind}` rule has no `rule-action`; DMS does not read it"),
                );
                None
            }
            Some(a) => self.choice(
                child_pointer(rp, "rule-action"),
                a,
                actions,
                &format!("`{kind}` rule-action"),
            ),
        }
    }

    /// A value that must be one of `allowed`; the value when it is.
    fn choice<'j>(
        &mut self,
        pointer: String,
        v: &'j Json,
        allowed: &[&str],
        what: &str,
    ) -> Option<&'j str> {
        let Some(s) = v.as_str() else {
            self.error(
                "invalid-value",
                pointer,
                format!("{what} must be a string, found `{v}`"),
            )
            .help = Some(if v.is_null() && allowed.contains(&"null") {
                "quote it, `\"null\"`: YAML reads a bare `null` as no value".into()
            } else {
                format!("one of {}", one_of(allowed))
            });
            return None;
        };
        if allowed.contains(&s) {
            return Some(s);
        }
        let d = self.error("unknown-value", pointer, format!("unknown {what} `{s}`"));
        d.help = Some(match did_you_mean(s, allowed.iter().copied()) {
            Some(m) => format!("did you mean `{m}`?"),
            None => format!("DMS takes {}", one_of(allowed)),
        });
        None
    }

    /// Warns about keys of `map` that the guide does not list.
    fn unknown_fields(&mut self, base: &str, map: &Map<String, Json>, known: &[&str], what: &str) {
        for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
            let d = self.warning_key(
                "unknown-field",
                child_pointer(base, key),
                format!("dmsctl does not know `{key}` in {what}; it goes to DMS as written"),
            );
            if let Some(m) = did_you_mean(key, known.iter().copied()) {
                d.help = Some(format!("did you mean `{m}`?"));
            }
        }
    }

    /// The `object-locator` every rule type needs, with its `schema-name`; the names in it as
    /// strings (a name that is not a string is reported and left out).
    fn object_locator(
        &mut self,
        rp: &str,
        raw: &Map<String, Json>,
        kind: &str,
    ) -> Option<Map<String, Json>> {
        let lp = child_pointer(rp, "object-locator");
        let Some(locator) = raw.get("object-locator") else {
            self.error(
                "missing-field",
                rp.to_string(),
                format!("a `{kind}` rule needs `object-locator`"),
            )
            .help = Some("write `object-locator: { schema-name: app, table-name: \"%\" }`".into());
            return None;
        };
        let Some(locator) = locator.as_object() else {
            self.error(
                "invalid-value",
                lp,
                "`object-locator` must be a mapping".into(),
            );
            return None;
        };
        let known: &[&str] = match kind {
            "selection" => &["schema-name", "table-name", "table-type"],
            "transformation" => &[
                "schema-name",
                "table-name",
                "table-tablespace-name",
                "index-tablespace-name",
                "column-name",
                "data-type",
            ],
            _ => &["schema-name", "table-name"],
        };
        self.unknown_fields(&lp, locator, known, "an `object-locator`");
        if !locator.contains_key("schema-name") {
            self.error(
                "missing-field",
                lp.clone(),
                "`object-locator` needs `schema-name`".into(),
            );
        }
        let mut names = Map::new();
        for (k, v) in locator {
            match v.as_str() {
                Some(_) => {
                    names.insert(k.clone(), v.clone());
                }
                None if k == "data-type" => {}
                None => {
                    self.error(
                        "invalid-value",
                        child_pointer(&lp, k),
                        format!("`{k}` must be a string, found `{v}`"),
                    );
                }
            }
        }
        Some(names)
    }

    /// Checks the wildcard syntax of the locator's names, or (`exact`) that they have none.
    fn locator_names(&mut self, rp: &str, locator: &Map<String, Json>, exact: Option<&str>) {
        let lp = child_pointer(rp, "object-locator");
        for (k, v) in locator {
            let (Some(v), true) = (v.as_str(), k.ends_with("-name")) else {
                continue;
            };
            match exact {
                Some(why) if has_wildcard(v) || v.is_empty() => {
                    self.error(
                        "wildcard-not-allowed",
                        child_pointer(&lp, k),
                        format!("{why} needs an exact `{k}`, found `{v}`"),
                    )
                    .help = Some("name one object per rule; write one rule for each".into());
                }
                Some(_) => {}
                None => self.pattern(child_pointer(&lp, k), v),
            }
        }
    }

    fn tag_set(&mut self, rp: &str, raw: &Map<String, Json>) {
        let at = child_pointer(rp, "tag-set");
        let Some(tags) = raw
            .get("tag-set")
            .and_then(Json::as_array)
            .filter(|t| !t.is_empty())
        else {
            self.error(
                "missing-field",
                rp.to_string(),
                "an `add-tag` rule needs `tag-set`, a list of `{ key, value }`".into(),
            );
            return;
        };
        for (i, tag) in tags.iter().enumerate() {
            let ok = tag.as_object().is_some_and(|t| {
                t.get("key").is_some_and(Json::is_string)
                    && t.get("value").is_some_and(Json::is_string)
            });
            if !ok {
                self.error(
                    "invalid-value",
                    child_pointer(&at, &i.to_string()),
                    "a tag is `{ key: NAME, value: VALUE }`".into(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::{check_text, Severity};

    /// The diagnostics of a MySQL-to-MySQL spec whose one rule set is `rules`, as
    /// `(severity, message)`.
    fn diagnostics(rules: &str) -> Vec<(Severity, String)> {
        let text = format!(
            "version: 1
stack: demo
endpoints:
  a: {{ role: source, engine: mysql, host: a.example.com, username: u, password: {{ env: PW }} }}
  b: {{ role: target, engine: mysql, host: b.example.com, username: u, password: {{ env: PW }} }}
rules:
  r:
    - include: {{ schema: app }}
{rules}replications:
  r: {{ source: a, target: b, type: full-load, rules: r }}
compute: {{ mode: serverless, serverless: {{ max_dcu: 4 }} }}
"
        );
        check_text("t.yaml", &text, &|_| true)
            .diagnostics
            .into_iter()
            .map(|d| (d.severity, d.message))
            .collect()
    }

    fn warning(rules: &str, message: &str) {
        let got = diagnostics(rules);
        assert_eq!(got, [(Severity::Warning, message.to_string())], "{rules}");
    }

    #[test]
    fn a_rule_type_newer_than_dmsctl_is_a_warning_and_a_typo_an_error() {
        warning(
            "    - raw: { rule-type: column-settings, object-locator: { schema-name: app, table-name: t } }\n",
            "dmsctl does not know rule-type `column-settings`; the rule goes to DMS as written",
        );
        let got = diagnostics(
            "    - raw: { rule-type: transformaton, rule-action: rename, rule-target: schema, object-locator: { schema-name: app }, value: b }\n",
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, Severity::Error);
    }

    #[test]
    fn what_dmsctl_cannot_judge_is_a_warning() {
        warning(
            "    - raw: { rule-type: table-settings, rule-action: include, object-locator: { schema-name: app, table-name: t }, parallel-load: { type: none } }\n",
            "a `table-settings` rule has no `rule-action`; DMS does not read it",
        );
        warning(
            "    - raw: { rule-type: selection, rule-action: include, object-locator: { schema-name: app, table-name: t }, load_order: 1 }\n",
            "dmsctl does not know `load_order` in a `selection` rule; it goes to DMS as written",
        );
        warning(
            "    - raw: { rule-type: selection, rule-action: exclude, object-locator: { schema-name: app, table-name: t }, filters: [{ filter-type: source, column-name: c, filter-conditions: [{ filter-operator: \"null\" }] }] }\n",
            "DMS applies filters only to `include` selections",
        );
        warning(
            "    - raw: { rule-type: post-processing, rule-action: add-tag, object-locator: { schema-name: app, table-name: t }, tag-set: [{ key: k, value: v }] }\n",
            "`post-processing` rules tag S3 objects, but replication `r` writes to a target that is not S3",
        );
        warning(
            "    - raw: { rule-type: transformation, rule-action: add-column, rule-target: column, object-locator: { schema-name: app, table-name: t }, value: c }\n",
            "`add-column` without `data-type`: DMS needs the new column's type",
        );
        warning(
            "    - raw: { rule-type: table-settings, object-locator: { schema-name: app, table-name: t }, lob-settings: { mode: limited } }\n",
            "limited LOB mode without `bulk-max-size`: the user guide says to set one",
        );
        warning(
            "    - raw: { rule-type: table-settings, object-locator: { schema-name: app, table-name: t }, parallel-load: { type: none, columns: [c] } }\n",
            "`columns` applies to another parallel-load type than `none`",
        );
    }

    #[test]
    fn what_the_guide_calls_wrong_is_an_error() {
        for (rule, message) in [
            ("{ rule-type: transformation, rule-action: rename, object-locator: { schema-name: app } }",
             "a `transformation` rule needs `rule-target`"),
            ("{ rule-type: transformation, rule-action: change-data-type, rule-target: table, object-locator: { schema-name: app, table-name: t }, data-type: { type: int8 } }",
             "`change-data-type` takes `rule-target: column`, found `table`"),
            ("{ rule-type: transformation, rule-action: replace-prefix, rule-target: schema, object-locator: { schema-name: app }, value: b_ }",
             "`replace-prefix` needs `old-value`, the affix it replaces"),
            ("{ rule-type: transformation, rule-action: define-primary-key, rule-target: table, object-locator: { schema-name: app, table-name: \"t%\" }, primary-key-def: { name: k, columns: [a] } }",
             "`define-primary-key` needs an exact `table-name`, found `t%`"),
            ("{ rule-type: transformation, rule-action: change-data-type, rule-target: column, object-locator: { schema-name: app, table-name: t, column-name: c }, data-type: { type: text } }",
             "unknown data type `text`"),
            ("{ rule-type: post-processing, rule-action: add-tags, object-locator: { schema-name: app, table-name: t }, tag-set: [{ key: k, value: v }] }",
             "unknown `post-processing` rule-action `add-tags`"),
            ("{ rule-type: table-settings, object-locator: { schema-name: app, table-name: t }, parallel-load: { type: ranges, columns: [a], boundaries: [[1, 2]] } }",
             "a boundary is a list of 1 to 1 values, one per column"),
            ("{ rule-type: selection, rule-action: include, object-locator: { schema-name: app, table-name: t }, load-order: 0 }",
             "`load-order` must be a positive whole number, found `0`"),
        ] {
            let got = diagnostics(&format!("    - raw: {rule}\n"));
            assert!(
                got.contains(&(Severity::Error, message.to_string())),
                "{rule}: {got:?}"
            );
        }
    }
}
