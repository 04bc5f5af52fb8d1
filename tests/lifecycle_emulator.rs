//! The whole story on the emulator, through the real binary: validate, plan, apply, start,
//! status, edits of running replications, the switch from serverless to instances with its
//! hazard, destroy. What the stack leaves behind is checked with the SDK directly.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use aws_config::SdkConfig;
use aws_sdk_databasemigration as dms;
use aws_sdk_iam as iam;
use serde_json::Value as Json;

use common::emulator::{shared, Emulator};

const SECRETS: &[&str] = &["backend-secret-value", "receiver-secret-value"];

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn dmsctl(emu: &Emulator, args: &[&str]) -> Run {
    let started = std::time::Instant::now();
    let out: Output = emu
        .dmsctl()
        .args(args)
        .env("SCI_BACKEND_PASSWORD", SECRETS[0])
        .env("SCI_RECEIVER_PASSWORD", SECRETS[1])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("dmsctl runs");
    eprintln!(
        "{:>6.1}s dmsctl {}",
        started.elapsed().as_secs_f64(),
        args.join(" ")
    );
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    for secret in SECRETS {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "`dmsctl {}` printed a secret:\n{}\n{}",
            args.join(" "),
            run.stdout,
            run.stderr
        );
    }
    run
}

#[track_caller]
fn expect(run: &Run, code: i32, what: &str) {
    assert_eq!(
        run.code,
        Some(code),
        "{what}: exit {:?}\nstdout:\n{}\nstderr:\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
}

fn plan(emu: &Emulator, spec: &Path) -> (Option<i32>, Json) {
    let run = dmsctl(
        emu,
        &["plan", "-f", s(spec), "--detailed-exitcode", "-o", "json"],
    );
    let json = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("plan JSON: {e}\n{}\n{}", run.stdout, run.stderr));
    (run.code, json)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn changes(plan: &Json) -> Vec<(String, String, String)> {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["action"] != "no-op")
        .map(|c| {
            (
                c["kind"].as_str().unwrap_or_default().to_string(),
                c["name"].as_str().unwrap_or_default().to_string(),
                c["action"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn change<'a>(plan: &'a Json, kind: &str, name: &str) -> &'a Json {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["kind"] == kind && c["name"] == name)
        .unwrap_or_else(|| panic!("no change for {kind} {name} in {plan:#}"))
}

fn example(name: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
    .expect("example")
}

fn status_of(emu: &Emulator, spec: &Path, name: &str) -> String {
    let run = dmsctl(emu, &["status", "-f", s(spec), "-o", "json"]);
    expect(&run, 0, "status");
    let doc: Json = serde_json::from_str(&run.stdout).expect("status JSON");
    doc["replications"]
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["name"] == name)
        .and_then(|r| r["status"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// The SDK's configuration for the emulator, to check what the stack left in the account.
async fn sdk(emu: &Emulator) -> SdkConfig {
    emu.sdk_config("eu-central-1").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_story_from_serverless_to_instances_and_back_to_nothing() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.fast_transitions();
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("dmsctl.yaml");
    let serverless = example("sci-sync-serverless.yaml");
    std::fs::write(&spec, &serverless).expect("write spec");

    // validate, then a plan of creates only.
    expect(&dmsctl(emu, &["validate", "-f", s(&spec)]), 0, "validate");
    let (code, p) = plan(emu, &spec);
    assert_eq!(code, Some(2), "{p:#}");
    assert!(changes(&p).iter().all(|(_, _, a)| a == "create"), "{p:#}");

    // apply without a terminal and without --auto-approve refuses and changes nothing.
    let refused = dmsctl(emu, &["apply", "-f", s(&spec)]);
    expect(&refused, 1, "apply without a terminal");
    let (_, again) = plan(emu, &spec);
    assert_eq!(
        changes(&again),
        changes(&p),
        "a refused apply changed something"
    );

    // apply, then nothing is left to do.
    expect(
        &dmsctl(emu, &["apply", "-f", s(&spec), "--auto-approve", "-vvv"]),
        0,
        "first apply",
    );
    let (code, p) = plan(emu, &spec);
    assert_eq!((code, changes(&p)), (Some(0), vec![]), "{p:#}");

    // edit a rule set: an update.
    let edited = serverless.replace(
        "table: send_invoice_history_item }",
        "table: send_invoice_history_line }",
    );
    std::fs::write(&spec, &edited).expect("write spec");
    let (code, p) = plan(emu, &spec);
    assert_eq!(code, Some(2));
    assert_eq!(
        changes(&p),
        [(
            "replication-config".into(),
            "send-invoice-history".into(),
            "update".into()
        )],
        "{p:#}"
    );
    expect(
        &dmsctl(emu, &["apply", "-f", s(&spec), "--auto-approve"]),
        0,
        "apply the rule edit",
    );
    assert_eq!(changes(&plan(emu, &spec).1), vec![]);

    // start and wait; status shows it running.
    expect(
        &dmsctl(emu, &["start", "-f", s(&spec), "--wait", "--timeout", "2m"]),
        0,
        "start --wait",
    );
    assert_eq!(status_of(emu, &spec, "send-invoice-history"), "running");

    // edit a running replication: stop, modify, resume.
    let edited2 = edited.replace("max_dcu: 4", "max_dcu: 8");
    std::fs::write(&spec, &edited2).expect("write spec");
    let (_, p) = plan(emu, &spec);
    let c = change(&p, "replication-config", "send-invoice-history");
    assert_eq!(c["action"], "update");
    assert_eq!(c["restart"], true, "{c:#}");
    assert!(c["reasons"].to_string().contains("stop"), "{c:#}");
    expect(
        &dmsctl(emu, &["apply", "-f", s(&spec), "--auto-approve"]),
        0,
        "apply to a running replication",
    );
    assert_eq!(changes(&plan(emu, &spec).1), vec![]);
    assert_eq!(
        status_of(emu, &spec, "send-invoice-history"),
        "running",
        "it was running before the change, so it runs again"
    );

    // a saved plan goes stale when live state moves on.
    let saved = dir.path().join("plan.json");
    let stale_spec = edited2.replace("max_dcu: 8", "max_dcu: 16");
    std::fs::write(&spec, &stale_spec).expect("write spec");
    expect(
        &dmsctl(emu, &["plan", "-f", s(&spec), "--out", s(&saved)]),
        0,
        "plan --out",
    );
    expect(
        &dmsctl(emu, &["stop", "-f", s(&spec), "--wait", "--timeout", "2m"]),
        0,
        "stop --wait",
    );
    let stale = dmsctl(emu, &["apply", "-f", s(&spec), s(&saved), "--auto-approve"]);
    expect(&stale, 1, "stale saved plan");
    assert!(stale.stderr.contains("stale"), "{}", stale.stderr);
    std::fs::write(&spec, &edited2).expect("write spec");

    // switch to instances: replacements with the has-run hazard.
    let instances = example("sci-sync-instances.yaml");
    std::fs::write(&spec, &instances).expect("write spec");
    let (code, p) = plan(emu, &spec);
    assert_eq!(code, Some(2));
    let ch = changes(&p);
    assert!(
        ch.contains(&(
            "replication-config".into(),
            "send-invoice-history".into(),
            "delete".into()
        )),
        "{ch:?}"
    );
    assert!(
        ch.contains(&(
            "task".into(),
            "send-invoice-history".into(),
            "create".into()
        )),
        "{ch:?}"
    );
    assert!(
        ch.contains(&("instance".into(), "main".into(), "create".into())),
        "{ch:?}"
    );
    let hazards = change(&p, "replication-config", "send-invoice-history")["hazards"].to_string();
    assert!(
        hazards.contains("has run") || hazards.contains("has-run"),
        "{hazards}"
    );
    let blocked = dmsctl(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    expect(&blocked, 1, "apply with a hazard, without --allow-destroy");
    assert!(
        blocked.stderr.contains("--allow-destroy") || blocked.stdout.contains("--allow-destroy"),
        "{}",
        blocked.stderr
    );
    let (_, unchanged) = plan(emu, &spec);
    assert_eq!(changes(&unchanged), ch, "a blocked apply changed something");
    expect(
        &dmsctl(
            emu,
            &["apply", "-f", s(&spec), "--auto-approve", "--allow-destroy"],
        ),
        0,
        "apply the switch",
    );
    assert_eq!(changes(&plan(emu, &spec).1), vec![]);

    // tasks on the instance: start, edit while running, stop-modify-resume.
    expect(
        &dmsctl(emu, &["start", "-f", s(&spec), "--wait", "--timeout", "2m"]),
        0,
        "start tasks",
    );
    assert_eq!(status_of(emu, &spec, "invoice-recipients"), "running");
    let edited_tasks = instances.replace(
        "TargetTablePrepMode: DO_NOTHING",
        "TargetTablePrepMode: TRUNCATE_BEFORE_LOAD",
    );
    std::fs::write(&spec, &edited_tasks).expect("write spec");
    let (_, p) = plan(emu, &spec);
    let c = change(&p, "task", "send-invoice-history");
    assert_eq!(
        (c["action"].as_str(), c["restart"].as_bool()),
        (Some("update"), Some(true)),
        "{c:#}"
    );
    expect(
        &dmsctl(emu, &["apply", "-f", s(&spec), "--auto-approve"]),
        0,
        "modify a running task",
    );
    assert_eq!(status_of(emu, &spec, "send-invoice-history"), "running");

    // destroy: nothing of the stack is left, the IAM roles are.
    let refused = dmsctl(emu, &["destroy", "-f", s(&spec)]);
    expect(&refused, 1, "destroy without a terminal");
    expect(
        &dmsctl(emu, &["destroy", "-f", s(&spec), "--auto-approve"]),
        0,
        "destroy",
    );

    let config = sdk(emu).await;
    let client = dms::Client::new(&config);
    let endpoints = client
        .describe_endpoints()
        .send()
        .await
        .map(|o| o.endpoints.unwrap_or_default().len())
        .unwrap_or(0);
    let tasks = client
        .describe_replication_tasks()
        .send()
        .await
        .map(|o| o.replication_tasks.unwrap_or_default().len())
        .unwrap_or(0);
    let instances_left = client
        .describe_replication_instances()
        .send()
        .await
        .map(|o| o.replication_instances.unwrap_or_default().len())
        .unwrap_or(0);
    let configs = client
        .describe_replication_configs()
        .send()
        .await
        .map(|o| o.replication_configs.unwrap_or_default().len())
        .unwrap_or(0);
    let groups = client
        .describe_replication_subnet_groups()
        .send()
        .await
        .map(|o| o.replication_subnet_groups.unwrap_or_default().len())
        .unwrap_or(0);
    assert_eq!(
        (endpoints, tasks, instances_left, configs, groups),
        (0, 0, 0, 0, 0),
        "the stack left resources behind"
    );
    let roles = iam::Client::new(&config);
    for role in ["dms-cloudwatch-logs-role", "dms-vpc-role"] {
        assert!(
            roles.get_role().role_name(role).send().await.is_ok(),
            "{role} must stay"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_mid_apply_is_reported_and_the_next_apply_converges() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.fast_transitions();
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("dmsctl.yaml");
    std::fs::write(&spec, example("sci-sync-serverless.yaml")).expect("write spec");

    // Every CreateReplicationConfig fails: the endpoints and subnet group are made, the
    // replications are not.
    emu.fault(serde_json::json!({
        "operation": "CreateReplicationConfig", "count": 0,
        "error": "AccessDeniedFault", "status": 400,
        // An AWS message that echoes a secret: dmsctl must mask it wherever it shows it.
        "message": format!("injected by the test, echoing {}", SECRETS[0])
    }));
    let failed = dmsctl(emu, &["apply", "-f", s(&spec), "--auto-approve", "-vvv"]);
    expect(&failed, 1, "apply with an injected fault");
    let all = format!("{}{}", failed.stdout, failed.stderr);
    assert!(
        all.contains("injected by the test, echoing (sensitive)"),
        "{all}"
    );
    assert!(
        all.contains("dms:CreateReplicationConfig -> HTTP 400"),
        "-vvv logs each API attempt: {all}"
    );
    assert!(
        all.contains("send-invoice-history") && all.contains("invoice-recipients"),
        "{all}"
    );
    let (_, p) = plan(emu, &spec);
    let left: Vec<_> = changes(&p);
    assert_eq!(
        left,
        [
            (
                "replication-config".into(),
                "invoice-recipients".into(),
                "create".into()
            ),
            (
                "replication-config".into(),
                "send-invoice-history".into(),
                "create".into()
            ),
        ],
        "what succeeded stays, only the failed part is left: {p:#}"
    );

    emu.http("DELETE", "/_dmsctl/faults", None);
    expect(
        &dmsctl(emu, &["apply", "-f", s(&spec), "--auto-approve"]),
        0,
        "second apply",
    );
    let (code, p) = plan(emu, &spec);
    assert_eq!((code, changes(&p)), (Some(0), vec![]), "{p:#}");
    // No duplicates: exactly the spec's two endpoints and two replications exist.
    let config = sdk(emu).await;
    let client = dms::Client::new(&config);
    let endpoints = client
        .describe_endpoints()
        .send()
        .await
        .expect("describe endpoints")
        .endpoints
        .unwrap_or_default();
    assert_eq!(endpoints.len(), 2);
    let configs = client
        .describe_replication_configs()
        .send()
        .await
        .expect("describe configs")
        .replication_configs
        .unwrap_or_default();
    assert_eq!(configs.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tag_removed_from_the_spec_is_removed_from_aws_without_stopping_anything() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.fast_transitions();
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("dmsctl.yaml");
    let tagged = example("sci-sync-serverless.yaml").replace(
        "tags:\n  team: platform\n  cost-center: billing\n",
        "tags:\n  team: a\n  cost-center: b\n",
    );
    assert!(
        tagged.contains("cost-center: b"),
        "the example's tags moved"
    );
    std::fs::write(&spec, &tagged).expect("write spec");
    expect(
        &dmsctl(emu, &["apply", "-f", s(&spec), "--auto-approve"]),
        0,
        "apply with both tags",
    );
    expect(
        &dmsctl(emu, &["start", "-f", s(&spec), "--wait", "--timeout", "2m"]),
        0,
        "start --wait",
    );

    // `cost-center` leaves the spec: every resource of the stack is updated, nothing restarts.
    std::fs::write(&spec, tagged.replace("  cost-center: b\n", "")).expect("write spec");
    let (code, p) = plan(emu, &spec);
    assert_eq!(code, Some(2), "{p:#}");
    let ch = changes(&p);
    let kinds: Vec<&str> = ch.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "subnet-group",
            "endpoint",
            "endpoint",
            "replication-config",
            "replication-config"
        ],
        "{p:#}"
    );
    for (kind, name, action) in &ch {
        assert_eq!(action, "update", "{kind} {name}");
        let c = change(&p, kind, name);
        assert_eq!(
            c["diffs"],
            serde_json::json!([{
                "field": "Tags.cost-center",
                "before": "b",
                "after": null,
                "forces_replacement": false
            }]),
            "{c:#}"
        );
        assert_eq!(
            c["reasons"],
            serde_json::json!(["tags: cost-center removed"])
        );
        assert_eq!(c["restart"], false, "{c:#}");
    }
    let table = dmsctl(emu, &["plan", "-f", s(&spec)]);
    expect(&table, 0, "plan as a table");
    assert!(
        table.stdout.contains("tags: cost-center removed"),
        "{}",
        table.stdout
    );

    emu.reset_calls();
    expect(
        &dmsctl(emu, &["apply", "-f", s(&spec), "--auto-approve"]),
        0,
        "apply the removal",
    );
    let calls = emu.calls();
    assert_eq!(
        calls.get("dms:RemoveTagsFromResource"),
        Some(&5),
        "{calls:#?}"
    );
    for untouched in [
        "dms:AddTagsToResource",
        "dms:StopReplication",
        "dms:ModifyReplicationConfig",
        "dms:ModifyEndpoint",
        "dms:ModifyReplicationSubnetGroup",
    ] {
        assert!(!calls.contains_key(untouched), "{untouched}: {calls:#?}");
    }
    let (code, p) = plan(emu, &spec);
    assert_eq!((code, changes(&p)), (Some(0), vec![]), "{p:#}");
    for name in ["send-invoice-history", "invoice-recipients"] {
        assert_eq!(status_of(emu, &spec, name), "running", "{name}");
    }

    // What AWS holds, read back through the SDK.
    let config = sdk(emu).await;
    let client = dms::Client::new(&config);
    let mut arns: Vec<String> = client
        .describe_endpoints()
        .send()
        .await
        .expect("describe endpoints")
        .endpoints
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| e.endpoint_arn)
        .collect();
    arns.extend(
        client
            .describe_replication_configs()
            .send()
            .await
            .expect("describe configs")
            .replication_configs
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.replication_config_arn),
    );
    assert_eq!(arns.len(), 4, "{arns:?}");
    for arn in &arns {
        let tags: std::collections::BTreeMap<String, String> = client
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .expect("list tags")
            .tag_list
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| Some((t.key?, t.value.unwrap_or_default())))
            .collect();
        assert_eq!(tags.get("team").map(String::as_str), Some("a"), "{arn}");
        assert_eq!(
            tags.get("dmsctl:stack").map(String::as_str),
            Some("sci-sync"),
            "{arn}"
        );
        assert!(tags.contains_key("dmsctl:name"), "{arn}: {tags:?}");
        assert!(!tags.contains_key("cost-center"), "{arn}: {tags:?}");
    }
}
