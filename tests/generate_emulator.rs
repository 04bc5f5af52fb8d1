//! `dmsctl generate` end to end on the emulator: a stack applied from an example, its dmsctl
//! tags removed so that it looks made by hand, then generate → validate → adopt → plan, which
//! must find nothing to change.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use aws_sdk_databasemigration as dms;
use dmsctl::cloud::Cloud;
use serde_json::Value as Json;

use common::emulator::{shared, Emulator};

const GENERATE: &[&str] = &[
    "generate",
    "--stack",
    "sci-sync",
    "--region",
    "eu-central-1",
];

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn dmsctl(emu: &Emulator, args: &[&str]) -> Output {
    emu.dmsctl()
        .args(args)
        .env("SCI_BACKEND_PASSWORD", "backend-secret-value")
        .env("SCI_RECEIVER_PASSWORD", "receiver-secret-value")
        .output()
        .expect("dmsctl runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn expect(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}:\nstdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

async fn live(emu: &Emulator) -> dmsctl::live::Live {
    let config = emu.sdk_config("eu-central-1").await;
    dmsctl::aws::AwsCloud::new(&config)
        .read()
        .await
        .expect("read live state")
}

/// Removes dmsctl's tags from these resources; their other tags stay.
async fn untag(emu: &Emulator, arns: &[&String]) {
    let client = dms::Client::new(&emu.sdk_config("eu-central-1").await);
    for arn in arns {
        client
            .remove_tags_from_resource()
            .resource_arn(*arn)
            .tag_keys("dmsctl:stack")
            .tag_keys("dmsctl:name")
            .send()
            .await
            .expect("remove the dmsctl tags");
    }
}

/// Applies `example`, then strips dmsctl's tags from every DMS resource.
async fn hand_made(emu: &Emulator, example_file: &str) {
    let spec = example(example_file);
    expect(
        &dmsctl(emu, &["apply", "-f", s(&spec), "--auto-approve"]),
        0,
        "apply the example",
    );
    let live = live(emu).await;
    let resources: Vec<(&String, &dmsctl::live::Tags)> = live
        .endpoints
        .values()
        .map(|r| (&r.arn, &r.tags))
        .chain(live.instances.values().map(|r| (&r.arn, &r.tags)))
        .chain(live.tasks.values().map(|r| (&r.arn, &r.tags)))
        .chain(live.replication_configs.values().map(|r| (&r.arn, &r.tags)))
        .chain(live.subnet_groups.values().map(|r| (&r.arn, &r.tags)))
        .collect();
    assert!(resources.len() >= 5, "the example made {resources:?}");
    for (_, tags) in &resources {
        assert_eq!(
            tags.get("dmsctl:stack").map(String::as_str),
            Some("sci-sync")
        );
    }
    let arns: Vec<&String> = resources.iter().map(|(arn, _)| *arn).collect();
    untag(emu, &arns).await;
}

/// generate → validate → adopt → plan: no conflict and no change.
fn round_trip(emu: &Emulator, mode: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let generated = dir.path().join("dmsctl.yaml");

    let out = dmsctl(emu, GENERATE);
    expect(&out, 0, "generate");
    let spec = text(&out.stdout);
    std::fs::write(&generated, &spec).expect("write the generated spec");
    expect(
        &dmsctl(emu, &["validate", "-f", s(&generated)]),
        0,
        "validate the generated spec",
    );
    assert!(
        spec.contains(&format!("mode: {mode}")),
        "generated:\n{spec}"
    );
    assert!(
        spec.contains("BACKEND_PASSWORD") && spec.contains("password: { env: RECEIVER_PASSWORD }"),
        "passwords become environment variables, listed in the header:\n{spec}"
    );
    assert!(
        !spec.contains("\n    settings:") && !spec.contains("TargetTablePrepMode"),
        "no task settings:\n{spec}"
    );
    for secret in ["backend-secret-value", "receiver-secret-value"] {
        assert!(!spec.contains(secret));
    }

    // Before adoption the resources are hand-made: conflicts.
    let conflicts = dmsctl(emu, &["plan", "-f", s(&generated), "-o", "json"]);
    expect(&conflicts, 1, "plan before adopt: conflicts");

    expect(
        &dmsctl(emu, &["adopt", "-f", s(&generated), "--auto-approve"]),
        0,
        "adopt",
    );
    let out = dmsctl(
        emu,
        &[
            "plan",
            "-f",
            s(&generated),
            "--detailed-exitcode",
            "-o",
            "json",
        ],
    );
    let plan: Json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("plan JSON ({e}): {}", text(&out.stderr)));
    assert!(
        plan["conflicts"].as_array().is_some_and(Vec::is_empty),
        "{plan:#}"
    );
    let changed: Vec<String> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["action"] != "no-op")
        .map(|c| format!("{} {} {}", c["action"], c["kind"], c["name"]))
        .collect();
    assert!(
        changed.is_empty(),
        "changes after adopt: {changed:?}\n{spec}"
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    spec
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_made_by_hand_round_trip_through_generate_and_adopt() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    hand_made(emu, "sci-sync-instances.yaml").await;
    let spec = round_trip(emu, "instances");
    // Names come from the identifiers; the rules render back as the example wrote them.
    for line in [
        "  backend:\n",
        "  private:\n",
        "    main:\n",
        "    - include: { schema: sci_backend, table: send_invoice_history }\n",
        "    - exclude: { schema: sci_backend, table: \"tmp_%\" }\n",
        "    - remove_column: { schema: sci_backend, table: invoice_recipient, column: internal_note }\n",
        "    extra_connection_attributes: { initstmt: \"SET FOREIGN_KEY_CHECKS=0\", parallelLoadThreads: 4 }\n",
    ] {
        assert!(spec.contains(line), "missing {line:?} in:\n{spec}");
    }
    assert!(!spec.contains("raw:"), "{spec}");
    // The tags every resource carries are said once, at the top, as the example says them.
    assert!(
        spec.contains("\ntags:\n  cost-center: billing\n  team: platform\n"),
        "{spec}"
    );
    assert!(!spec.contains("  tags:"), "no per-resource tags: {spec}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serverless_made_by_hand_round_trips_through_generate_and_adopt() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    hand_made(emu, "sci-sync-serverless.yaml").await;
    let spec = round_trip(emu, "serverless");
    assert!(spec.contains("max_dcu: 4"), "{spec}");
    assert!(spec.contains("subnet_group: private"), "{spec}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_stacks_are_skipped_and_both_modes_need_a_choice() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    // Still tagged for sci-sync: another stack's, seen from `billing`.
    expect(
        &dmsctl(
            emu,
            &[
                "apply",
                "-f",
                s(&example("sci-sync-serverless.yaml")),
                "--auto-approve",
            ],
        ),
        0,
        "apply",
    );
    let out = dmsctl(
        emu,
        &["generate", "--stack", "billing", "--region", "eu-central-1"],
    );
    expect(&out, 0, "generate for another stack");
    assert!(
        text(&out.stderr).contains("Skipped 5 resources of other stacks"),
        "{}",
        text(&out.stderr)
    );
    let spec = text(&out.stdout);
    assert!(!spec.contains("sci-sync-"), "{spec}");

    let out = dmsctl(emu, &["generate", "--stack", "sci-sync"]);
    expect(&out, 1, "no region");
    assert!(text(&out.stderr).contains("--region or AWS_REGION"));

    // Instances next to the serverless replications: --mode decides.
    let instances = tempfile::tempdir().expect("tempdir");
    let other = instances.path().join("other.yaml");
    let yaml = std::fs::read_to_string(example("sci-sync-instances.yaml"))
        .expect("example")
        .replace("stack: sci-sync", "stack: other");
    std::fs::write(&other, yaml).expect("write");
    expect(
        &dmsctl(emu, &["apply", "-f", s(&other), "--auto-approve"]),
        0,
        "apply instances",
    );
    let live = live(emu).await;
    let arns: Vec<&String> = live
        .tasks
        .values()
        .map(|t| &t.arn)
        .chain(live.instances.values().map(|i| &i.arn))
        .collect();
    untag(emu, &arns).await;
    let out = dmsctl(emu, GENERATE);
    expect(&out, 1, "both modes without --mode");
    assert!(
        text(&out.stderr).contains("--mode"),
        "{}",
        text(&out.stderr)
    );
    let out = dmsctl(emu, &[GENERATE, &["--mode", "serverless"]].concat());
    expect(&out, 0, "--mode serverless");
    assert!(text(&out.stdout).contains("mode: serverless"));
}

/// The rules of `tests/fixtures/rules/dms-user-guide.json`, every set in one mapping and
/// numbered 1, 2, … in that order: selection, transformation, table-settings, post-processing
/// and object-mapping rules mixed, with console-style names.
fn every_guide_rule() -> Json {
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/dms-user-guide.json");
    let guide: Json =
        serde_json::from_str(&std::fs::read_to_string(file).expect("fixture")).expect("JSON");
    let mut rules = Vec::new();
    for set in ["database", "s3", "kafka"] {
        for rule in guide[set].as_array().expect("rules") {
            let mut rule = rule.clone();
            rule["rule-id"] = (rules.len() + 1).to_string().into();
            rules.push(rule);
        }
    }
    serde_json::json!({ "rules": rules })
}

/// Adds a task made by hand (untagged) next to the example's, with `mappings`.
async fn hand_made_task(emu: &Emulator, identifier: &str, mappings: &Json) {
    let live = live(emu).await;
    let task = live.tasks.values().next().expect("the example made a task");
    let client = dms::Client::new(&emu.sdk_config("eu-central-1").await);
    client
        .create_replication_task()
        .replication_task_identifier(identifier)
        .source_endpoint_arn(&task.source_endpoint_arn)
        .target_endpoint_arn(&task.target_endpoint_arn)
        .replication_instance_arn(&task.replication_instance_arn)
        .migration_type(dms::types::MigrationTypeValue::FullLoad)
        .table_mappings(mappings.to_string())
        // Logging as the example's tasks have it, so the spec needs no settings.
        .replication_task_settings(task.settings.to_string())
        .send()
        .await
        .expect("the emulator takes the mapping, as DMS does");
}

/// Issue #15: `generate` stopped with "the generated spec does not validate" on tasks whose
/// mappings use table-settings rules or `explicit` selections. Console-made rules come back
/// as `raw:`, dmsctl-numbered ones as `explicit`, `parallel_load` and `lob`; either way adopt
/// and plan find nothing to change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mappings_mixing_every_rule_type_round_trip_through_generate_and_adopt() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    hand_made(emu, "sci-sync-instances.yaml").await;
    hand_made_task(emu, "guide-console", &every_guide_rule()).await;
    let friendly: Vec<dmsctl::spec::types::Rule> = serde_json::from_value(serde_json::json!([
        { "explicit": { "schema": "crm", "table": "Customer" } },
        { "exclude": { "schema": "crm", "table": "TMP%" } },
        { "parallel_load": { "schema": "HR", "table": "SALES", "type": "ranges",
            "columns": ["SALES_NO", "REGION"], "boundaries": [["1000", "NORTH"], ["3000", "WEST"]] } },
        { "parallel_load": { "schema": "HR", "table": "ORDERS", "type": "partitions-auto" } },
        { "lob": { "schema": "INV", "table": "ITEMS", "mode": "unlimited", "bulk_max_size": 0 } },
        { "raw": { "rule-type": "transformation", "rule-action": "data-masking-hash-mask",
            "rule-target": "column",
            "object-locator": { "schema-name": "crm", "table-name": "Customer", "column-name": "EMAIL" } } }
    ]))
    .expect("friendly rules");
    hand_made_task(
        emu,
        "guide-friendly",
        &dmsctl::rules::table_mappings(&friendly),
    )
    .await;

    let spec = round_trip(emu, "instances");
    for line in [
        "  guide-friendly:\n    - explicit: { schema: crm, table: Customer }\n",
        "    - parallel_load: { schema: HR, table: ORDERS, type: partitions-auto }\n",
        "    - lob: { schema: INV, table: ITEMS, mode: unlimited, bulk_max_size: 0 }\n",
    ] {
        assert!(spec.contains(line), "missing {line:?} in:\n{spec}");
    }
    for fragment in [
        "rule-type: table-settings",
        "rule-type: post-processing",
        "rule-type: object-mapping",
        "rule-action: explicit",
        "filter-operator: notbetween",
        "rule-action: data-masking-digits-randomize",
    ] {
        assert!(spec.contains(fragment), "missing {fragment:?} in:\n{spec}");
    }
}
