//! What a table mapping selects from a source catalog and where each table lands, the way DMS
//! reads the mapping: selection rules with DMS's wildcards, then the schema and table
//! transformations. Pure: the catalog comes from the database, the mapping from the spec.
//!
//! The rules follow the DMS user guide: "Selection rules and actions"
//! (<https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Selections.html>),
//! "Wildcards in table mapping"
//! (<https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Wildcards.html>)
//! and "Transformation rules and actions"
//! (<https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Transformations.html>).

use serde_json::Value as Json;

/// One table (or view) of the source catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub schema: String,
    pub name: String,
    /// A view rather than a table (DMS selects views only with `table-type: view | all`).
    pub view: bool,
    /// The storage engine (MySQL), empty where the engine has none.
    pub engine: String,
    pub primary_key: bool,
    /// A unique key that can stand in for a primary key (MySQL).
    pub unique_key: bool,
    /// The checking user may read it; `None` where the database cannot say per table.
    pub readable: Option<bool>,
}

/// A selected table and its name on the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub source: Table,
    pub target_schema: String,
    pub target_table: String,
}

/// What a mapping selects from a catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub tables: Vec<Selected>,
    /// Include and explicit rules that select nothing: the rule's name and locator
    /// (`schema.table`), with the catalog's nearest tables.
    pub unmatched: Vec<Unmatched>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    pub rule: String,
    pub locator: String,
    pub nearest: Vec<String>,
}

/// How names compare: DMS's "selection rules are case-sensitive. However, the selection
/// result also depends on the source endpoint database configuration. If the source endpoint
/// is configured as case-insensitive, the case of the object locator value does not matter"
/// (Selection rules and actions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Sensitive,
    Insensitive,
}

impl Case {
    fn fold(self, c: char) -> char {
        match self {
            Case::Sensitive => c,
            Case::Insensitive => c.to_ascii_lowercase(),
        }
    }

    /// Whether two names are the same name.
    pub fn same(self, a: &str, b: &str) -> bool {
        match self {
            Case::Sensitive => a == b,
            Case::Insensitive => a.eq_ignore_ascii_case(b),
        }
    }
}

/// Whether `name` matches a DMS object-locator pattern: `%` is "zero or more characters",
/// `_` "a single character", `[_]` "a literal underscore character", and `[ab]` / `[a-d]`
/// a character of the set or range (Wildcards in table mapping).
pub fn matches(pattern: &str, name: &str, case: Case) -> bool {
    let p = tokens(pattern, case);
    let n: Vec<char> = name.chars().map(|c| case.fold(c)).collect();
    // Iterative wildcard matching, backtracking to the last `%`.
    let (mut pi, mut ni) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ni < n.len() {
        let step = match p.get(pi) {
            Some(Token::Any) => {
                star = Some(pi);
                mark = ni;
                pi += 1;
                continue;
            }
            Some(t) => t.accepts(n[ni]),
            None => false,
        };
        if step {
            pi += 1;
            ni += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|t| *t == Token::Any)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Any,
    One,
    Char(char),
    /// `[...]`: inclusive ranges (a single character is a range of one).
    Set(Vec<(char, char)>),
}

impl Token {
    fn accepts(&self, c: char) -> bool {
        match self {
            Token::Any | Token::One => true,
            Token::Char(x) => *x == c,
            Token::Set(ranges) => ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)),
        }
    }
}

fn tokens(pattern: &str, case: Case) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '[' {
            if let Some(len) = chars[i + 1..].iter().position(|&x| x == ']') {
                let inner: Vec<char> = chars[i + 1..i + 1 + len]
                    .iter()
                    .map(|&x| case.fold(x))
                    .collect();
                if !inner.is_empty() {
                    let mut ranges = Vec::new();
                    let mut j = 0;
                    while j < inner.len() {
                        if j + 2 < inner.len() && inner[j + 1] == '-' {
                            ranges.push((inner[j], inner[j + 2]));
                            j += 3;
                        } else {
                            ranges.push((inner[j], inner[j]));
                            j += 1;
                        }
                    }
                    out.push(Token::Set(ranges));
                    i += len + 2;
                    continue;
                }
            }
        }
        out.push(match c {
            '%' => Token::Any,
            '_' => Token::One,
            c => Token::Char(case.fold(c)),
        });
        i += 1;
    }
    out
}

fn text<'a>(rule: &'a Json, key: &str) -> &'a str {
    rule.get(key).and_then(Json::as_str).unwrap_or_default()
}

fn locator<'a>(rule: &'a Json, key: &str) -> &'a str {
    rule.get("object-locator")
        .and_then(|l| l.get(key))
        .and_then(Json::as_str)
        .unwrap_or("%")
}

/// Whether a selection rule's locator (and `table-type`) covers `t`. Wildcards apply to
/// `include` and `exclude` only; `explicit` names one object exactly.
fn covers(rule: &Json, t: &Table, case: Case) -> bool {
    let kind = rule
        .get("object-locator")
        .and_then(|l| l.get("table-type"))
        .and_then(Json::as_str)
        .unwrap_or("table");
    let kind_ok = match kind {
        "all" => true,
        "view" => t.view,
        _ => !t.view,
    };
    let exact = text(rule, "rule-action") == "explicit";
    let same = |pattern: &str, name: &str| {
        if exact {
            case.same(pattern, name)
        } else {
            matches(pattern, name, case)
        }
    };
    kind_ok
        && same(locator(rule, "schema-name"), &t.schema)
        && same(locator(rule, "table-name"), &t.name)
}

/// The tables `mapping` (DMS table-mapping JSON) selects from `catalog`, each with its
/// target name. A table is selected when an include or explicit rule covers it and no
/// exclude rule does. The guide states no order of evaluation; its example of an include of
/// `%` with an exclude of `DMS%`, which "migrates all tables except those starting with
/// `DMS`", is read as: an exclude wins.
pub fn select(mapping: &Json, catalog: &[Table], case: Case) -> Selection {
    let rules: &[Json] = mapping
        .get("rules")
        .and_then(Json::as_array)
        .map_or(&[], Vec::as_slice);
    let selection = |action: &'static str| {
        rules.iter().filter(move |r| {
            text(r, "rule-type") == "selection" && text(r, "rule-action") == action
        })
    };
    let mut out = Selection::default();
    for rule in selection("include").chain(selection("explicit")) {
        if !catalog.iter().any(|t| covers(rule, t, case)) {
            let pattern = format!(
                "{}.{}",
                locator(rule, "schema-name"),
                locator(rule, "table-name")
            );
            out.unmatched.push(Unmatched {
                rule: text(rule, "rule-name").to_string(),
                nearest: nearest(&pattern, catalog),
                locator: pattern,
            });
        }
    }
    for t in catalog {
        let included = selection("include")
            .chain(selection("explicit"))
            .any(|r| covers(r, t, case));
        if !included || selection("exclude").any(|r| covers(r, t, case)) {
            continue;
        }
        let (schema, table) = transform(rules, t, case);
        out.tables.push(Selected {
            source: t.clone(),
            target_schema: schema,
            target_table: table,
        });
    }
    out
}

/// The target schema and table of `t` after the mapping's schema and table transformations,
/// in the order of the rules.
fn transform(rules: &[Json], t: &Table, case: Case) -> (String, String) {
    let (mut schema, mut table) = (t.schema.clone(), t.name.clone());
    for r in rules
        .iter()
        .filter(|r| text(r, "rule-type") == "transformation")
    {
        let target = text(r, "rule-target");
        let applies = match target {
            "schema" => matches(locator(r, "schema-name"), &t.schema, case),
            "table" => {
                matches(locator(r, "schema-name"), &t.schema, case)
                    && matches(locator(r, "table-name"), &t.name, case)
            }
            _ => false,
        };
        if !applies {
            continue;
        }
        let name = if target == "schema" {
            &mut schema
        } else {
            &mut table
        };
        let value = text(r, "value");
        let old = text(r, "old-value");
        *name = match text(r, "rule-action") {
            "rename" => value.to_string(),
            "convert-lowercase" => name.to_lowercase(),
            "convert-uppercase" => name.to_uppercase(),
            "add-prefix" => format!("{value}{name}"),
            "add-suffix" => format!("{name}{value}"),
            "remove-prefix" => strip(name, value, true),
            "remove-suffix" => strip(name, value, false),
            "replace-prefix" if starts(name, old) => format!("{value}{}", &name[old.len()..]),
            "replace-suffix" if ends(name, old) => {
                format!("{}{value}", &name[..name.len() - old.len()])
            }
            _ => name.clone(),
        };
    }
    (schema, table)
}

fn starts(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.is_char_boundary(prefix.len())
        && name[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn ends(name: &str, suffix: &str) -> bool {
    let at = name.len().wrapping_sub(suffix.len());
    name.len() >= suffix.len()
        && name.is_char_boundary(at)
        && name[at..].eq_ignore_ascii_case(suffix)
}

fn strip(name: &str, part: &str, prefix: bool) -> String {
    if prefix && starts(name, part) {
        name[part.len()..].to_string()
    } else if !prefix && ends(name, part) {
        name[..name.len() - part.len()].to_string()
    } else {
        name.to_string()
    }
}

/// Up to three catalog tables closest to a pattern that matched none (`schema.table`).
fn nearest(pattern: &str, catalog: &[Table]) -> Vec<String> {
    let plain = pattern.replace(['%', '_'], "").to_ascii_lowercase();
    let mut scored: Vec<(f64, String)> = catalog
        .iter()
        .map(|t| {
            let name = format!("{}.{}", t.schema, t.name);
            (
                strsim::jaro_winkler(&plain, &name.to_ascii_lowercase()),
                name,
            )
        })
        .filter(|(score, _)| *score > 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(schema: &str, name: &str) -> Table {
        Table {
            schema: schema.into(),
            name: name.into(),
            view: false,
            engine: "InnoDB".into(),
            primary_key: true,
            unique_key: false,
            readable: Some(true),
        }
    }

    #[test]
    fn wildcards_are_dms_wildcards() {
        let m = |p: &str, n: &str| matches(p, n, Case::Sensitive);
        assert!(m("%", "anything"));
        assert!(m("%", ""));
        assert!(m("invoice%", "invoice_recipient"));
        assert!(m("tmp_%", "tmp_x"));
        assert!(m("tmp_%", "tmpax"), "`_` is any one character");
        assert!(!m("tmp[_]%", "tmpax"), "`[_]` is an underscore");
        assert!(m("tmp[_]%", "tmp_x"));
        assert!(m("t[ab]1", "tb1") && !m("t[ab]1", "tc1"));
        assert!(m("t[a-d]%", "tc_x") && !m("t[a-d]%", "te"));
        assert!(m("a%b%c", "aXXbYYc"));
        assert!(!m("a%b%c", "aXXbYY"));
        assert!(!m("history", "history2"));
        assert!(
            !m("Send_Invoice", "send_invoice"),
            "selection rules are case-sensitive"
        );
        assert!(matches("Send_Invoice", "send_invoice", Case::Insensitive));
    }

    #[test]
    fn includes_then_excludes_then_transformations() {
        let catalog = vec![
            table("sci_backend", "send_invoice_history"),
            table("sci_backend", "tmp_import"),
            table("sci_backend", "invoice_recipient"),
            table("other", "send_invoice_history"),
        ];
        let mapping = json!({"rules": [
            {"rule-type": "selection", "rule-id": "1", "rule-name": "1", "rule-action": "include",
             "object-locator": {"schema-name": "sci_backend", "table-name": "%"}},
            {"rule-type": "selection", "rule-id": "2", "rule-name": "2", "rule-action": "exclude",
             "object-locator": {"schema-name": "sci_backend", "table-name": "tmp[_]%"}},
            {"rule-type": "transformation", "rule-id": "3", "rule-name": "3", "rule-action": "rename",
             "rule-target": "schema", "object-locator": {"schema-name": "sci_backend"}, "value": "receiver"},
            {"rule-type": "transformation", "rule-id": "4", "rule-name": "4", "rule-action": "add-prefix",
             "rule-target": "table", "object-locator": {"schema-name": "%", "table-name": "invoice%"}, "value": "b_"},
            {"rule-type": "selection", "rule-id": "5", "rule-name": "typo", "rule-action": "include",
             "object-locator": {"schema-name": "sci_backend", "table-name": "send_invoice_histroy"}},
        ]});
        let s = select(&mapping, &catalog, Case::Sensitive);
        let got: Vec<String> = s
            .tables
            .iter()
            .map(|t| {
                format!(
                    "{}.{} -> {}.{}",
                    t.source.schema, t.source.name, t.target_schema, t.target_table
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "sci_backend.send_invoice_history -> receiver.send_invoice_history",
                "sci_backend.invoice_recipient -> receiver.b_invoice_recipient",
            ]
        );
        assert_eq!(s.unmatched.len(), 1);
        assert_eq!(s.unmatched[0].rule, "typo");
        assert_eq!(
            s.unmatched[0].nearest[0],
            "sci_backend.send_invoice_history"
        );
    }

    #[test]
    fn explicit_selects_exactly_and_views_need_their_table_type() {
        let mut view = table("app", "v_totals");
        view.view = true;
        let catalog = vec![table("app", "t1"), table("app", "t10"), view];
        let mapping = json!({"rules": [
            {"rule-type": "selection", "rule-name": "e", "rule-action": "explicit",
             "object-locator": {"schema-name": "app", "table-name": "t1"}},
            {"rule-type": "selection", "rule-name": "v", "rule-action": "include",
             "object-locator": {"schema-name": "app", "table-name": "v%", "table-type": "view"}},
        ]});
        let s = select(&mapping, &catalog, Case::Sensitive);
        let names: Vec<&str> = s.tables.iter().map(|t| t.source.name.as_str()).collect();
        assert_eq!(names, ["t1", "v_totals"]);
        assert!(s.unmatched.is_empty());
    }

    #[test]
    fn prefixes_suffixes_and_case() {
        let catalog = vec![table("App", "Orders_old")];
        let mapping = json!({"rules": [
            {"rule-type": "selection", "rule-name": "1", "rule-action": "include",
             "object-locator": {"schema-name": "App", "table-name": "%"}},
            {"rule-type": "transformation", "rule-action": "convert-lowercase", "rule-target": "schema",
             "object-locator": {"schema-name": "%"}},
            {"rule-type": "transformation", "rule-action": "remove-suffix", "rule-target": "table",
             "object-locator": {"schema-name": "%", "table-name": "%"}, "value": "_old"},
            {"rule-type": "transformation", "rule-action": "replace-prefix", "rule-target": "table",
             "object-locator": {"schema-name": "%", "table-name": "%"}, "old-value": "Ord", "value": "Purchase"},
            {"rule-type": "transformation", "rule-action": "convert-uppercase", "rule-target": "table",
             "object-locator": {"schema-name": "%", "table-name": "%"}},
        ]});
        let s = select(&mapping, &catalog, Case::Sensitive);
        assert_eq!(
            (
                s.tables[0].target_schema.as_str(),
                s.tables[0].target_table.as_str()
            ),
            ("app", "PURCHASEERS")
        );
    }
}
