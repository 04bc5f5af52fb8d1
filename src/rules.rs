//! Rule sets -> DMS table-mapping JSON.
//!
//! Rules are numbered by position: the rule at index `i` gets `rule-id` `i + 1` and the name
//! `<i + 1>-<kind>`, so the same spec always renders the same JSON. Raw rules keep the id and
//! name they carry; when they carry none they are numbered like the others.

use serde_json::{json, Map, Value as Json};

use crate::spec::types::*;

/// Renders a rule set as the `TableMappings` document DMS expects.
pub fn table_mappings(rules: &[Rule]) -> Json {
    json!({ "rules": rules.iter().enumerate().map(|(i, r)| render_rule(i + 1, r)).collect::<Vec<_>>() })
}

/// Renders one rule as DMS's rule object, at position `n` (its `rule-id`).
// One arm per spec rule kind: a table of what each renders to, long because the kinds are many.
pub fn render_rule(n: usize, rule: &Rule) -> Json {
    let kind = rule.kind();
    let mut out = Map::new();
    let id = n.to_string();
    let name = format!("{n}-{}", kind.replace('_', "-"));
    match rule {
        Rule::Include(s) | Rule::Exclude(s) | Rule::Explicit(s) => {
            out.insert("rule-type".into(), "selection".into());
            let mut locator = Map::new();
            locator.insert("schema-name".into(), s.schema.clone().into());
            locator.insert("table-name".into(), s.table.clone().into());
            if let Some(t) = s.table_type {
                locator.insert(
                    "table-type".into(),
                    serde_json::to_value(t).unwrap_or(Json::Null),
                );
            }
            base(&mut out, &id, &name, kind);
            out.insert("object-locator".into(), Json::Object(locator));
            if let Some(order) = s.load_order {
                out.insert("load-order".into(), order.into());
            }
        }
        Rule::Rename(r) => {
            transformation(
                &mut out,
                &id,
                &name,
                "rename",
                &r.schema,
                r.table.as_deref(),
                r.column.as_deref(),
            );
            out.insert("value".into(), r.to.clone().into());
        }
        Rule::AddPrefix(a) | Rule::RemovePrefix(a) | Rule::AddSuffix(a) | Rule::RemoveSuffix(a) => {
            transformation(
                &mut out,
                &id,
                &name,
                &kind.replace('_', "-"),
                &a.schema,
                a.table.as_deref(),
                a.column.as_deref(),
            );
            out.insert("value".into(), a.value.clone().into());
        }
        Rule::ReplacePrefix(a) | Rule::ReplaceSuffix(a) => {
            transformation(
                &mut out,
                &id,
                &name,
                &kind.replace('_', "-"),
                &a.schema,
                a.table.as_deref(),
                a.column.as_deref(),
            );
            out.insert("value".into(), a.new.clone().into());
            out.insert("old-value".into(), a.old.clone().into());
        }
        Rule::Lowercase(l) | Rule::Uppercase(l) => {
            let action = if matches!(rule, Rule::Lowercase(_)) {
                "convert-lowercase"
            } else {
                "convert-uppercase"
            };
            transformation(
                &mut out,
                &id,
                &name,
                action,
                &l.schema,
                l.table.as_deref(),
                l.column.as_deref(),
            );
        }
        Rule::RemoveColumn(c) => {
            transformation(
                &mut out,
                &id,
                &name,
                "remove-column",
                &c.schema,
                Some(&c.table),
                Some(&c.column),
            );
        }
        Rule::AddColumn(c) => {
            transformation(
                &mut out,
                &id,
                &name,
                "add-column",
                &c.schema,
                Some(&c.table),
                None,
            );
            out.insert("rule-target".into(), "column".into());
            out.insert("value".into(), c.column.clone().into());
            if let Some(e) = &c.expression {
                out.insert("expression".into(), e.clone().into());
            }
            out.insert(
                "data-type".into(),
                data_type(c.data_type, c.length, c.precision, c.scale),
            );
        }
        Rule::ChangeDataType(c) => {
            transformation(
                &mut out,
                &id,
                &name,
                "change-data-type",
                &c.schema,
                Some(&c.table),
                Some(&c.column),
            );
            out.insert(
                "data-type".into(),
                data_type(c.data_type, c.length, c.precision, c.scale),
            );
        }
        Rule::DefinePrimaryKey(k) => primary_key(&mut out, &id, &name, k),
        Rule::AddBeforeImageColumns(b) => before_image(&mut out, &id, &name, b),
        Rule::ParallelLoad(p) => parallel_load(&mut out, &id, &name, p),
        Rule::Lob(l) => {
            table_settings(&mut out, &id, &name, &l.schema, &l.table);
            let mut lob = Map::new();
            if let Some(m) = l.mode {
                lob.insert("mode".into(), serde_json::to_value(m).unwrap_or(Json::Null));
            }
            if let Some(size) = l.bulk_max_size {
                // A string, as in every example of the user guide.
                lob.insert("bulk-max-size".into(), size.to_string().into());
            }
            out.insert("lob-settings".into(), Json::Object(lob));
        }
        Rule::Raw(raw) => {
            let mut raw = raw.clone();
            raw.entry("rule-id").or_insert_with(|| id.clone().into());
            raw.entry("rule-name")
                .or_insert_with(|| name.clone().into());
            return Json::Object(raw);
        }
    }
    Json::Object(out)
}

fn primary_key(out: &mut Map<String, Json>, id: &str, name: &str, k: &DefinePrimaryKey) {
    transformation(
        out,
        id,
        name,
        "define-primary-key",
        &k.schema,
        Some(&k.table),
        None,
    );
    out.insert(
        "primary-key-def".into(),
        json!({
            "name": k.name,
            "origin": k.origin.map_or("primary-key", |o| match o {
                KeyOrigin::PrimaryKey => "primary-key",
                KeyOrigin::UniqueIndex => "unique-index",
            }),
            "columns": k.columns,
        }),
    );
}

fn before_image(out: &mut Map<String, Json>, id: &str, name: &str, b: &BeforeImage) {
    transformation(
        out,
        id,
        name,
        "add-before-image-columns",
        &b.schema,
        Some(&b.table),
        None,
    );
    out.insert("rule-target".into(), "column".into());
    let mut def = Map::new();
    def.insert(
        "column-prefix".into(),
        b.prefix.clone().unwrap_or_else(|| "BI_".into()).into(),
    );
    if let Some(s) = &b.suffix {
        def.insert("column-suffix".into(), s.clone().into());
    }
    let filter = match b.columns.unwrap_or(ColumnFilter::PkOnly) {
        ColumnFilter::PkOnly => "pk-only",
        ColumnFilter::NonLob => "non-lob",
        ColumnFilter::All => "all",
    };
    def.insert("column-filter".into(), filter.into());
    out.insert("before-image-def".into(), Json::Object(def));
}

fn parallel_load(out: &mut Map<String, Json>, id: &str, name: &str, p: &ParallelLoad) {
    table_settings(out, id, name, &p.schema, &p.table);
    let mut load = Map::new();
    load.insert("type".into(), p.load_type.dms_name().into());
    for (key, list) in [
        ("partitions", &p.partitions),
        ("subpartitions", &p.subpartitions),
        ("columns", &p.columns),
    ] {
        if !list.is_empty() {
            load.insert(key.into(), list.clone().into());
        }
    }
    if !p.boundaries.is_empty() {
        let bounds: Vec<Json> = p
            .boundaries
            .iter()
            .map(|b| b.iter().map(|v| Json::from(v.to_string())).collect())
            .collect();
        load.insert("boundaries".into(), bounds.into());
    }
    for (key, v) in [
        ("number-of-partitions", p.number_of_partitions),
        ("max-records-skip-per-page", p.max_records_skip_per_page),
        ("batch-size", p.batch_size),
    ] {
        if let Some(v) = v {
            load.insert(key.into(), v.into());
        }
    }
    if let Some(c) = p.collection_count_from_metadata {
        // The user guide writes this flag as a string.
        load.insert(
            "collection-count-from-metadata".into(),
            c.to_string().into(),
        );
    }
    out.insert("parallel-load".into(), Json::Object(load));
}

fn base(out: &mut Map<String, Json>, id: &str, name: &str, action: &str) {
    out.insert("rule-id".into(), id.into());
    out.insert("rule-name".into(), name.into());
    out.insert("rule-action".into(), action.into());
}

/// A `table-settings` rule for one table: it has no `rule-action`.
fn table_settings(out: &mut Map<String, Json>, id: &str, name: &str, schema: &str, table: &str) {
    out.insert("rule-type".into(), "table-settings".into());
    out.insert("rule-id".into(), id.into());
    out.insert("rule-name".into(), name.into());
    out.insert(
        "object-locator".into(),
        json!({ "schema-name": schema, "table-name": table }),
    );
}

/// A transformation on the most specific of schema, table and column that is given.
fn transformation(
    out: &mut Map<String, Json>,
    id: &str,
    name: &str,
    action: &str,
    schema: &str,
    table: Option<&str>,
    column: Option<&str>,
) {
    out.insert("rule-type".into(), "transformation".into());
    base(out, id, name, action);
    let target = match (table, column) {
        (_, Some(_)) => "column",
        (Some(_), None) => "table",
        (None, None) => "schema",
    };
    out.insert("rule-target".into(), target.into());
    let mut locator = Map::new();
    locator.insert("schema-name".into(), schema.into());
    if let Some(t) = table {
        locator.insert("table-name".into(), t.into());
    }
    if let Some(c) = column {
        locator.insert("column-name".into(), c.into());
    }
    out.insert("object-locator".into(), Json::Object(locator));
}

fn data_type(t: DataType, length: Option<i64>, precision: Option<i64>, scale: Option<i64>) -> Json {
    let mut m = Map::new();
    m.insert("type".into(), serde_json::to_value(t).unwrap_or(Json::Null));
    for (k, v) in [
        ("length", length),
        ("precision", precision),
        ("scale", scale),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), v.into());
        }
    }
    Json::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(yaml: &str) -> Rule {
        // Through JSON, as the spec reader does: serde_yaml maps enums to YAML tags instead.
        let value: Json = serde_yaml::from_str(yaml).expect("valid YAML");
        serde_json::from_value(value).expect("rule parses")
    }

    fn render(yaml: &str) -> Json {
        table_mappings(&[rule(yaml)])["rules"][0].clone()
    }

    #[test]
    fn include_and_exclude_are_selections() {
        assert_eq!(
            render("include: { schema: sci_backend, table: send_invoice_history }"),
            json!({"rule-type": "selection", "rule-id": "1", "rule-name": "1-include", "rule-action": "include",
                   "object-locator": {"schema-name": "sci_backend", "table-name": "send_invoice_history"}})
        );
        assert_eq!(
            render("exclude: { schema: s, table: 'tmp_%', table_type: view, load_order: 2 }"),
            json!({"rule-type": "selection", "rule-id": "1", "rule-name": "1-exclude", "rule-action": "exclude",
                   "object-locator": {"schema-name": "s", "table-name": "tmp_%", "table-type": "view"}, "load-order": 2})
        );
    }

    #[test]
    fn table_defaults_to_every_table() {
        assert_eq!(
            render("include: { schema: s }")["object-locator"]["table-name"],
            "%"
        );
    }

    #[test]
    fn rename_targets_the_most_specific_object() {
        let schema = render("rename: { schema: sci_backend, to: sci_receiver_backend }");
        assert_eq!(
            schema,
            json!({"rule-type": "transformation", "rule-id": "1", "rule-name": "1-rename", "rule-action": "rename",
            "rule-target": "schema", "object-locator": {"schema-name": "sci_backend"}, "value": "sci_receiver_backend"})
        );
        assert_eq!(
            render("rename: { schema: s, table: t, to: t2 }")["rule-target"],
            "table"
        );
        let col = render("rename: { schema: s, table: t, column: c, to: c2 }");
        assert_eq!(col["rule-target"], "column");
        assert_eq!(
            col["object-locator"],
            json!({"schema-name": "s", "table-name": "t", "column-name": "c"})
        );
        assert_eq!(col["value"], "c2");
    }

    #[test]
    fn prefixes_and_suffixes() {
        for (kind, action) in [
            ("add_prefix", "add-prefix"),
            ("remove_prefix", "remove-prefix"),
            ("add_suffix", "add-suffix"),
            ("remove_suffix", "remove-suffix"),
        ] {
            let r = render(&format!("{kind}: {{ schema: s, table: '%', value: x_ }}"));
            assert_eq!(r["rule-action"], action);
            assert_eq!(r["rule-target"], "table");
            assert_eq!(r["value"], "x_");
            assert_eq!(r["rule-name"], format!("1-{action}"));
        }
        for (kind, action) in [
            ("replace_prefix", "replace-prefix"),
            ("replace_suffix", "replace-suffix"),
        ] {
            let r = render(&format!("{kind}: {{ schema: s, old: a_, new: b_ }}"));
            assert_eq!(r["rule-action"], action);
            assert_eq!(r["rule-target"], "schema");
            assert_eq!(r["value"], "b_");
            assert_eq!(r["old-value"], "a_");
        }
    }

    #[test]
    fn case_conversions() {
        assert_eq!(
            render("lowercase: { schema: S, table: '%' }")["rule-action"],
            "convert-lowercase"
        );
        let up = render("uppercase: { schema: s, table: '%', column: '%' }");
        assert_eq!(up["rule-action"], "convert-uppercase");
        assert_eq!(up["rule-target"], "column");
    }

    #[test]
    fn columns_added_removed_and_retyped() {
        let rm = render("remove_column: { schema: s, table: t, column: secret }");
        assert_eq!(rm["rule-action"], "remove-column");
        assert_eq!(rm["rule-target"], "column");
        assert_eq!(rm["object-locator"]["column-name"], "secret");

        let add = render("add_column: { schema: s, table: t, column: full_name, expression: \"$first||' '||$last\", type: string, length: 50 }");
        assert_eq!(
            add,
            json!({"rule-type": "transformation", "rule-id": "1", "rule-name": "1-add-column", "rule-action": "add-column",
            "rule-target": "column", "object-locator": {"schema-name": "s", "table-name": "t"}, "value": "full_name",
            "expression": "$first||' '||$last", "data-type": {"type": "string", "length": 50}})
        );

        let change = render("change_data_type: { schema: s, table: t, column: amount, type: numeric, precision: 12, scale: 2 }");
        assert_eq!(change["rule-action"], "change-data-type");
        assert_eq!(
            change["data-type"],
            json!({"type": "numeric", "precision": 12, "scale": 2})
        );
    }

    #[test]
    fn primary_keys_and_before_images() {
        let pk = render("define_primary_key: { schema: s, table: t, name: t_pk, columns: [a, b] }");
        assert_eq!(pk["rule-action"], "define-primary-key");
        assert_eq!(pk["rule-target"], "table");
        assert_eq!(
            pk["primary-key-def"],
            json!({"name": "t_pk", "origin": "primary-key", "columns": ["a", "b"]})
        );

        let bi = render("add_before_image_columns: { schema: s, table: t, columns: non-lob }");
        assert_eq!(bi["rule-action"], "add-before-image-columns");
        assert_eq!(bi["rule-target"], "column");
        assert_eq!(
            bi["before-image-def"],
            json!({"column-prefix": "BI_", "column-filter": "non-lob"})
        );
    }

    #[test]
    fn raw_rules_pass_through_and_get_ids_when_missing() {
        let r = render("raw: { rule-type: table-settings, parallel-load: { type: none }, object-locator: { schema-name: s, table-name: t } }");
        assert_eq!(r["rule-type"], "table-settings");
        assert_eq!(r["rule-id"], "1");
        assert_eq!(r["rule-name"], "1-raw");
        let kept = render(
            "raw: { rule-type: selection, rule-id: '77', rule-name: mine, rule-action: include }",
        );
        assert_eq!(kept["rule-id"], "77");
        assert_eq!(kept["rule-name"], "mine");
    }

    #[test]
    fn explicit_selections_and_table_settings() {
        let e = render("explicit: { schema: crm, table: Customer }");
        assert_eq!(e["rule-action"], "explicit");
        assert_eq!(e["rule-name"], "1-explicit");
        let p = render("parallel_load: { schema: HR, table: SALES, type: ranges, columns: [NO], boundaries: [[10], [20.5]] }");
        assert_eq!(
            p,
            json!({"rule-type": "table-settings", "rule-id": "1", "rule-name": "1-parallel-load",
                   "object-locator": {"schema-name": "HR", "table-name": "SALES"},
                   "parallel-load": {"type": "ranges", "columns": ["NO"], "boundaries": [["10"], ["20.5"]]}})
        );
        assert!(
            p.get("rule-action").is_none(),
            "table-settings rules have no rule-action"
        );
        let l = render("lob: { schema: INV, table: ITEMS, mode: unlimited, bulk_max_size: 0 }");
        assert_eq!(l["rule-name"], "1-lob");
        assert_eq!(
            l["lob-settings"],
            json!({"mode": "unlimited", "bulk-max-size": "0"})
        );
    }

    #[test]
    fn ids_follow_positions() {
        let rules = vec![
            rule("include: { schema: a }"),
            rule("rename: { schema: a, to: b }"),
        ];
        let m = table_mappings(&rules);
        assert_eq!(m["rules"][0]["rule-id"], "1");
        assert_eq!(m["rules"][1]["rule-id"], "2");
        assert_eq!(m["rules"][1]["rule-name"], "2-rename");
    }
}
