//! The inverse of [`crate::rules`]: live table-mapping JSON back to spec rules.

use serde_json::{json, Value as Json};

use super::json_i64;
use crate::plan::compare::mappings_equal;
use crate::rules;
use crate::spec::types::*;

/// A live table mapping as spec rules: each rule the friendliest one that renders back to the
/// same DMS rule (checked with [`rules::render_rule`]), else `raw`. Rules are taken in `rule-id`
/// order, so that positions give the same ids.
pub fn spec_rules(mappings: &Json) -> Vec<Rule> {
    let mut live: Vec<&Json> = mappings
        .get("rules")
        .and_then(Json::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    live.sort_by_key(|r| r.get("rule-id").and_then(json_i64).unwrap_or(i64::MAX));
    let raw = |r: &Json| Rule::Raw(r.as_object().cloned().unwrap_or_default());
    let friendly: Vec<Rule> = live
        .iter()
        .enumerate()
        .map(|(i, r)| {
            friendly_rule(r)
                .filter(|c| same_rule(&rules::render_rule(i + 1, c), r))
                .unwrap_or_else(|| raw(r))
        })
        .collect();
    if mappings_equal(&rules::table_mappings(&friendly), mappings) {
        friendly
    } else {
        live.into_iter().map(raw).collect()
    }
}

fn same_rule(a: &Json, b: &Json) -> bool {
    mappings_equal(&json!({ "rules": [a] }), &json!({ "rules": [b] }))
}

/// A DMS `data-type`: type, length, precision, scale.
type TypeSpec = (DataType, Option<i64>, Option<i64>, Option<i64>);

/// The spec rule a DMS rule would be, if it is one; [`spec_rules`] checks that it renders back.
fn friendly_rule(r: &Json) -> Option<Rule> {
    let loc = r.get("object-locator")?;
    let schema = text(loc, "schema-name")?;
    let table = text(loc, "table-name");
    let action = text(r, "rule-action");
    let rule = match (
        text(r, "rule-type")?.as_str(),
        action.as_deref().unwrap_or(""),
    ) {
        ("table-settings", "") => return table_settings_rule(r, schema, table?),
        ("selection", action @ ("include" | "exclude" | "explicit")) => {
            let sel = Selection {
                schema,
                table: table?,
                table_type: text(loc, "table-type")
                    .map(Json::from)
                    .and_then(|t| serde_json::from_value(t).ok()),
                load_order: int(r, "load-order"),
            };
            match action {
                "include" => Rule::Include(sel),
                "exclude" => Rule::Exclude(sel),
                _ => Rule::Explicit(sel),
            }
        }
        ("transformation", action) => return transformation_rule(r, action, schema, table),
        _ => return None,
    };
    Some(rule)
}

fn text(v: &Json, k: &str) -> Option<String> {
    v.get(k).and_then(Json::as_str).map(str::to_string)
}

fn int(v: &Json, k: &str) -> Option<i64> {
    v.get(k).and_then(json_i64)
}

/// A DMS rule's `data-type`.
fn data(r: &Json) -> Option<TypeSpec> {
    let d = r.get("data-type")?;
    let t = serde_json::from_value(d.get("type")?.clone()).ok()?;
    Some((t, int(d, "length"), int(d, "precision"), int(d, "scale")))
}

/// A `transformation` rule as the spec rule of its `rule-action`.
fn transformation_rule(
    r: &Json,
    action: &str,
    schema: String,
    table: Option<String>,
) -> Option<Rule> {
    let s = text;
    let column = s(r.get("object-locator")?, "column-name");
    let value = s(r, "value");
    let rule = match action {
        "rename" => Rule::Rename(Rename {
            schema,
            table,
            column,
            to: value?,
        }),
        "add-prefix" | "remove-prefix" | "add-suffix" | "remove-suffix" => {
            let a = Affix {
                schema,
                table,
                column,
                value: value?,
            };
            match action {
                "add-prefix" => Rule::AddPrefix(a),
                "remove-prefix" => Rule::RemovePrefix(a),
                "add-suffix" => Rule::AddSuffix(a),
                _ => Rule::RemoveSuffix(a),
            }
        }
        "replace-prefix" | "replace-suffix" => {
            let a = ReplaceAffix {
                schema,
                table,
                column,
                old: s(r, "old-value")?,
                new: value?,
            };
            if action == "replace-prefix" {
                Rule::ReplacePrefix(a)
            } else {
                Rule::ReplaceSuffix(a)
            }
        }
        "convert-lowercase" | "convert-uppercase" => {
            let l = Locator {
                schema,
                table,
                column,
            };
            if action == "convert-lowercase" {
                Rule::Lowercase(l)
            } else {
                Rule::Uppercase(l)
            }
        }
        "remove-column" => Rule::RemoveColumn(ColumnLocator {
            schema,
            table: table?,
            column: column?,
        }),
        "add-column" => add_column_rule(r, schema, table?, value?)?,
        "change-data-type" => change_data_type_rule(r, schema, table?, column?)?,
        "define-primary-key" => primary_key_rule(r, schema, table?)?,
        "add-before-image-columns" => before_image_rule(r, schema, table?)?,
        _ => return None,
    };
    Some(rule)
}

fn add_column_rule(r: &Json, schema: String, table: String, column: String) -> Option<Rule> {
    let (data_type, length, precision, scale) = data(r)?;
    Some(Rule::AddColumn(AddColumn {
        schema,
        table,
        column,
        expression: text(r, "expression"),
        data_type,
        length,
        precision,
        scale,
    }))
}

fn change_data_type_rule(r: &Json, schema: String, table: String, column: String) -> Option<Rule> {
    let (data_type, length, precision, scale) = data(r)?;
    Some(Rule::ChangeDataType(ChangeDataType {
        schema,
        table,
        column,
        data_type,
        length,
        precision,
        scale,
    }))
}

fn primary_key_rule(r: &Json, schema: String, table: String) -> Option<Rule> {
    let def = r.get("primary-key-def")?;
    Some(Rule::DefinePrimaryKey(DefinePrimaryKey {
        schema,
        table,
        name: text(def, "name")?,
        origin: match text(def, "origin").as_deref() {
            Some("unique-index") => Some(KeyOrigin::UniqueIndex),
            _ => None,
        },
        columns: def
            .get("columns")?
            .as_array()?
            .iter()
            .map(|c| c.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()?,
    }))
}

fn before_image_rule(r: &Json, schema: String, table: String) -> Option<Rule> {
    let def = r.get("before-image-def")?;
    Some(Rule::AddBeforeImageColumns(BeforeImage {
        schema,
        table,
        prefix: text(def, "column-prefix").filter(|p| p != "BI_"),
        suffix: text(def, "column-suffix"),
        columns: text(def, "column-filter")
            .map(Json::from)
            .and_then(|f| serde_json::from_value(f).ok())
            .filter(|f| *f != ColumnFilter::PkOnly),
    }))
}

/// A `table-settings` rule as `parallel_load` or `lob`, when it sets exactly one of the two.
fn table_settings_rule(r: &Json, schema: String, table: String) -> Option<Rule> {
    let strings = |v: Option<&Json>| -> Option<Vec<String>> {
        v.map_or(Some(Vec::new()), |v| {
            v.as_array()?
                .iter()
                .map(|s| s.as_str().map(str::to_string))
                .collect()
        })
    };
    let int = |v: &Json, k: &str| v.get(k).and_then(json_i64);
    match (r.get("parallel-load"), r.get("lob-settings")) {
        (Some(p), None) => {
            let boundaries = match p.get("boundaries") {
                None => Vec::new(),
                Some(b) => b
                    .as_array()?
                    .iter()
                    .map(|row| {
                        row.as_array()?
                            .iter()
                            .map(|v| v.as_str().map(|s| BoundaryValue::Str(s.to_string())))
                            .collect::<Option<Vec<_>>>()
                    })
                    .collect::<Option<Vec<_>>>()?,
            };
            let flag = p.get("collection-count-from-metadata");
            Some(Rule::ParallelLoad(ParallelLoad {
                schema,
                table,
                load_type: serde_json::from_value(p.get("type")?.clone()).ok()?,
                partitions: strings(p.get("partitions"))?,
                subpartitions: strings(p.get("subpartitions"))?,
                columns: strings(p.get("columns"))?,
                boundaries,
                number_of_partitions: int(p, "number-of-partitions"),
                collection_count_from_metadata: match flag {
                    None => None,
                    Some(v) => Some(v.as_bool().or_else(|| v.as_str()?.trim().parse().ok())?),
                },
                max_records_skip_per_page: int(p, "max-records-skip-per-page"),
                batch_size: int(p, "batch-size"),
            }))
        }
        (None, Some(l)) => Some(Rule::Lob(Lob {
            schema,
            table,
            mode: match l.get("mode") {
                None => None,
                Some(m) => serde_json::from_value(m.clone()).ok()?,
            },
            bulk_max_size: int(l, "bulk-max-size"),
        })),
        _ => None,
    }
}
