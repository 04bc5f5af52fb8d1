use super::endpoint::attributes;
use super::yaml_writer::scalar;
use super::*;
use crate::plan::compare::mappings_equal;
use crate::rules;

fn names(stack: &str, id: &str) -> (String, Option<String>) {
    logical_name(stack, id, None, &mut BTreeSet::new())
}

#[test]
fn only_tags_every_resource_shares_move_to_the_top() {
    let yaml = include_str!("../../examples/sci-sync-instances.yaml");
    let checked = crate::spec::check_text("t.yaml", yaml, &|_| true);
    let mut spec = checked.valid_spec(false).expect("valid example").clone();
    let common = std::mem::take(&mut spec.tags);
    let everyone = |spec: &mut Spec, k: &str, v: &str| {
        for e in spec.endpoints.values_mut() {
            e.tags.insert(k.into(), v.into());
        }
        for s in spec.subnet_groups.values_mut() {
            s.tags.insert(k.into(), v.into());
        }
        for r in spec.replications.values_mut() {
            r.tags.insert(k.into(), v.into());
        }
        for i in spec.compute.instances.values_mut() {
            i.tags.insert(k.into(), v.into());
        }
    };
    for (k, v) in &common {
        everyone(&mut spec, k, v);
    }
    // One endpoint's `team` differs: `team` stays on the resources.
    everyone(&mut spec, "team", "platform");
    spec.endpoints
        .get_mut("backend")
        .expect("backend")
        .tags
        .insert("team".into(), "billing".into());
    hoist_common_tags(&mut spec);
    assert_eq!(
        spec.tags,
        BTreeMap::from([("cost-center".to_string(), "billing".to_string())])
    );
    assert_eq!(spec.endpoints["backend"].tags["team"], "billing");
    assert_eq!(spec.endpoints["receiver"].tags["team"], "platform");
    assert!(!spec.endpoints["receiver"].tags.contains_key("cost-center"));
}

#[test]
fn names_drop_the_stack_prefix_or_keep_the_identifier() {
    assert_eq!(
        names("sci-sync", "sci-sync-backend"),
        ("backend".into(), None)
    );
    assert_eq!(
        names("sci-sync", "billing-db"),
        ("billing-db".into(), Some("billing-db".into()))
    );
    // Uppercase identifiers keep their case through `id:`.
    assert_eq!(
        names("sci-sync", "SCI-SYNC-Backend"),
        ("backend".into(), Some("SCI-SYNC-Backend".into()))
    );
    // What cannot be a name becomes one, and `id:` keeps the identifier.
    assert_eq!(
        names("sci-sync", "Legacy_DB--Source"),
        ("legacy-db-source".into(), Some("Legacy_DB--Source".into()))
    );
    assert_eq!(
        names("s", "default-vpc-0abc"),
        ("default-vpc-0abc".into(), Some("default-vpc-0abc".into()))
    );
    assert_eq!(names("s", "s-"), ("s".into(), Some("s-".into())));
    // The `dmsctl:name` tag wins.
    assert_eq!(
        logical_name("s", "s-x", Some("y"), &mut BTreeSet::new()),
        ("y".into(), Some("s-x".into()))
    );
    // Unique within a kind.
    let mut used = BTreeSet::new();
    assert_eq!(logical_name("s", "s-a", None, &mut used).0, "a");
    assert_eq!(
        logical_name("s", "A", None, &mut used),
        ("a-2".into(), Some("A".into()))
    );
    assert!(is_name("a-1") && !is_name("1a") && !is_name("a--b") && !is_name("a-"));
}

#[test]
fn password_variables() {
    assert_eq!(
        password_var("backend-db", "PASSWORD"),
        "BACKEND_DB_PASSWORD"
    );
}

#[test]
fn attributes_become_a_typed_mapping() {
    let a = attributes(Some(
        "parallelLoadThreads=4;initstmt=SET X=0;flag=true;odd=007;",
    ));
    assert_eq!(a["parallelLoadThreads"], AttrValue::Int(4));
    assert_eq!(a["initstmt"], AttrValue::Str("SET X=0".into()));
    assert_eq!(a["flag"], AttrValue::Bool(true));
    assert_eq!(a["odd"], AttrValue::Str("007".into()));
}

fn rules_of(yaml: &str) -> Vec<Rule> {
    let v: Json = serde_yaml::from_str(yaml).expect("yaml");
    serde_json::from_value(v).expect("rules")
}

#[test]
fn rules_dmsctl_rendered_come_back_friendly() {
    let spec = rules_of(
        r#"
- include: { schema: sci_backend, table: send_invoice_history, load_order: 2 }
- exclude: { schema: sci_backend, table: "tmp_%", table_type: view }
- rename: { schema: sci_backend, to: sci_receiver_backend }
- remove_column: { schema: s, table: t, column: c }
- replace_prefix: { schema: s, table: "%", old: a_, new: b_ }
- lowercase: { schema: s, table: "%", column: "%" }
- add_column: { schema: s, table: t, column: origin, expression: "'sci'", type: string, length: 10 }
- change_data_type: { schema: s, table: t, column: amount, type: numeric, precision: 12, scale: 2 }
- define_primary_key: { schema: s, table: t, name: t_pk, origin: unique-index, columns: [a, b] }
- add_before_image_columns: { schema: s, table: t, suffix: _old, columns: all }
- explicit: { schema: crm, table: Customer }
- parallel_load: { schema: HR, table: SALES, type: partitions-auto }
- parallel_load: { schema: HR, table: SALES_RANGES, type: ranges, columns: [SALES_NO, REGION], boundaries: [["1000", NORTH], ["3000", WEST]] }
- parallel_load: { schema: HR, table: SALES_LIST, type: partitions-list, partitions: [A], subpartitions: ["01"] }
- parallel_load: { schema: admin, table: departments, type: partitions-auto, number_of_partitions: 5, collection_count_from_metadata: false, max_records_skip_per_page: 1000, batch_size: 0 }
- lob: { schema: INV, table: ITEMS, bulk_max_size: 100000 }
- lob: { schema: INV, table: ITEMS_FULL, mode: unlimited, bulk_max_size: 0 }
"#,
    );
    let live = rules::table_mappings(&spec);
    assert_eq!(spec_rules(&live), spec);
    // DMS's order of the list does not matter: ids do.
    let mut shuffled = live.clone();
    shuffled["rules"].as_array_mut().expect("rules").reverse();
    assert_eq!(spec_rules(&shuffled), spec);
}

#[test]
fn rules_that_no_friendly_rule_renders_stay_raw() {
    // Console-made: names that are not `<n>-<kind>`, a filter, a table-settings rule.
    let live = json!({"rules": [
        {"rule-type": "selection", "rule-id": "1", "rule-name": "1-include", "rule-action": "include",
         "object-locator": {"schema-name": "app", "table-name": "%"}},
        {"rule-type": "selection", "rule-id": "2", "rule-name": "469349375", "rule-action": "include",
         "object-locator": {"schema-name": "app", "table-name": "orders"}},
        {"rule-type": "selection", "rule-id": "3", "rule-name": "3-include", "rule-action": "include",
         "object-locator": {"schema-name": "app", "table-name": "t"},
         "filters": [{"filter-type": "source", "column-name": "id", "filter-conditions": [{"filter-operator": "gte", "value": "5"}]}]},
        {"rule-type": "table-settings", "rule-id": "4", "rule-name": "4", "parallel-load": {"type": "partitions-auto"},
         "object-locator": {"schema-name": "app", "table-name": "t"}},
        {"rule-type": "selection", "rule-id": 5, "rule-name": "5-exclude", "rule-action": "exclude",
         "object-locator": {"schema-name": "app", "table-name": "tmp", "table-type": "table"}, "filters": []}
    ]});
    let got = spec_rules(&live);
    let kinds: Vec<&str> = got.iter().map(Rule::kind).collect();
    assert_eq!(kinds, ["include", "raw", "raw", "raw", "exclude"]);
    assert!(mappings_equal(&rules::table_mappings(&got), &live));
    if let Rule::Raw(r) = &got[1] {
        assert_eq!(r["rule-name"], "469349375");
    }
}

/// Issue #15: console-made mappings of every kind the user guide documents come back as
/// `raw` rules that render to the live JSON and pass the spec's checks.
#[test]
fn console_made_rules_of_every_kind_stay_raw_and_render_back() {
    let guide: Json = serde_json::from_str(include_str!(
        "../../tests/fixtures/rules/dms-user-guide.json"
    ))
    .expect("fixture");
    for set in ["database", "s3", "kafka"] {
        let live = json!({ "rules": guide[set] });
        let got = spec_rules(&live);
        assert!(got.iter().all(|r| r.kind() == "raw"), "{set}: {got:?}");
        assert_eq!(rules::table_mappings(&got), live, "{set}");
    }
}

#[test]
fn table_settings_setting_both_parallel_load_and_lob_stay_raw() {
    let live = json!({"rules": [
        {"rule-type": "selection", "rule-id": "1", "rule-name": "1-include", "rule-action": "include",
         "object-locator": {"schema-name": "s", "table-name": "%"}},
        {"rule-type": "table-settings", "rule-id": "2", "rule-name": "2-lob",
         "object-locator": {"schema-name": "s", "table-name": "t"},
         "parallel-load": {"type": "partitions-auto"}, "lob-settings": {"bulk-max-size": "64"}},
    ]});
    let kinds: Vec<&str> = spec_rules(&live).iter().map(Rule::kind).collect();
    assert_eq!(kinds, ["include", "raw"]);
}

#[test]
fn rules_whose_ids_leave_gaps_are_raw_from_the_gap_on() {
    let live = json!({"rules": [
        {"rule-type": "selection", "rule-id": "1", "rule-name": "1-include", "rule-action": "include",
         "object-locator": {"schema-name": "a", "table-name": "%"}},
        {"rule-type": "selection", "rule-id": "3", "rule-name": "3-include", "rule-action": "include",
         "object-locator": {"schema-name": "b", "table-name": "%"}}
    ]});
    let got = spec_rules(&live);
    assert_eq!(got[0].kind(), "include");
    assert_eq!(got[1].kind(), "raw");
    assert!(mappings_equal(&rules::table_mappings(&got), &live));
}

#[test]
fn scalars_are_quoted_when_plain_would_change_them() {
    assert_eq!(scalar("sci_backend"), "sci_backend");
    assert_eq!(scalar("dms.t3.medium"), "dms.t3.medium");
    for s in [
        "tmp_%",
        "3.5.4",
        "true",
        "no",
        "",
        "a b",
        "arn:aws:iam::1:role/x",
        "-x",
        "a,b",
    ] {
        assert_eq!(scalar(s), serde_json::to_string(s).expect("json"), "{s}");
    }
}
