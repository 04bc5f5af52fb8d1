//! `reload`, `test-connection`, CDC positions and recovery checkpoints, and serverless CDC
//! latency, through the real binary on the emulator (which records what DMS was asked:
//! `/_dmsctl/reloads`, `/_dmsctl/starts`).

mod common;

use std::path::{Path, PathBuf};

use aws_sdk_cloudwatch as cloudwatch;
use aws_sdk_databasemigration as dms;
use serde_json::{json, Value as Json};

use common::emulator::{shared, Emulator};

fn run(emu: &Emulator, args: &[&str]) -> (Option<i32>, String, String) {
    emu.run(args)
}

fn ok(emu: &Emulator, args: &[&str]) -> String {
    let (code, out, err) = run(emu, args);
    assert_eq!(code, Some(0), "{args:?}: {out}{err}");
    out
}

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}"))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

fn get(emu: &Emulator, path: &str) -> Json {
    let (status, text) = emu.http("GET", path, None);
    assert_eq!(status, 200, "{path}: {text}");
    serde_json::from_str(&text).expect("JSON")
}

fn put(emu: &Emulator, path: &str, body: Json) {
    let (status, text) = emu.http("PUT", path, Some(&body.to_string()));
    assert!((200..300).contains(&status), "{path}: {status} {text}");
}

async fn dms_client(emu: &Emulator) -> dms::Client {
    dms::Client::new(&emu.sdk_config("eu-central-1").await)
}

async fn task_arn(emu: &Emulator, suffix: &str) -> String {
    let out = dms_client(emu)
        .await
        .describe_replication_tasks()
        .send()
        .await
        .expect("tasks");
    out.replication_tasks()
        .iter()
        .find(|t| {
            t.replication_task_identifier()
                .is_some_and(|i| i.ends_with(suffix))
        })
        .and_then(|t| t.replication_task_arn())
        .expect("the task")
        .to_string()
}

async fn endpoint_arn(emu: &Emulator, suffix: &str) -> String {
    let out = dms_client(emu)
        .await
        .describe_endpoints()
        .send()
        .await
        .expect("endpoints");
    out.endpoints()
        .iter()
        .find(|e| e.endpoint_identifier().is_some_and(|i| i.ends_with(suffix)))
        .and_then(|e| e.endpoint_arn())
        .expect("the endpoint")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_tables_of_a_running_task_and_of_a_serverless_replication() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.fast_transitions();
    let spec = example("sci-sync-instances.yaml");
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);

    // Not running yet: refused, nothing asked of DMS.
    let (code, _, err) = run(
        emu,
        &[
            "reload",
            "send-invoice-history",
            "--table",
            "sci_backend.send_invoice_history",
            "-f",
            s(&spec),
        ],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("is ready, not running") && err.contains("dmsctl start send-invoice-history"),
        "{err}"
    );
    assert_eq!(get(emu, "/_dmsctl/reloads")["reloads"], json!([]));

    ok(
        emu,
        &["start", "send-invoice-history", "--wait", "-f", s(&spec)],
    );
    let out = ok(
        emu,
        &[
            "reload",
            "send-invoice-history",
            "--table",
            "sci_backend.send_invoice_history",
            "--table",
            "sci_backend.invoices",
            "--table",
            "sci_backend.invoices",
            "-f",
            s(&spec),
        ],
    );
    assert_eq!(
        out,
        "send-invoice-history: reloading 2 tables (sci_backend.invoices, sci_backend.send_invoice_history); \
         `dmsctl status send-invoice-history --tables` shows their progress\n"
    );
    let out = ok(
        emu,
        &[
            "reload",
            "send-invoice-history",
            "--table",
            "sci_backend.invoices",
            "--validate-only",
            "-f",
            s(&spec),
            "-o",
            "json",
        ],
    );
    let doc: Json = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["option"], "validate-only");
    let arn = task_arn(emu, "send-invoice-history").await;
    assert_eq!(
        get(emu, "/_dmsctl/reloads")["reloads"],
        json!([
            {"arn": arn, "option": "data-reload", "tables": [
                {"SchemaName": "sci_backend", "TableName": "invoices"},
                {"SchemaName": "sci_backend", "TableName": "send_invoice_history"}]},
            {"arn": arn, "option": "validate-only", "tables": [
                {"SchemaName": "sci_backend", "TableName": "invoices"}]}
        ])
    );
    assert_eq!(emu.calls().get("dms:ReloadTables"), Some(&2));
    // A table without its schema, and a name the spec does not have.
    let (code, _, err) = run(
        emu,
        &[
            "reload",
            "send-invoice-history",
            "--table",
            "invoices",
            "-f",
            s(&spec),
        ],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("SCHEMA.TABLE"), "{err}");
    let (code, _, err) = run(
        emu,
        &[
            "reload",
            "send-invoice-histroy",
            "--table",
            "a.b",
            "-f",
            s(&spec),
        ],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("did you mean `send-invoice-history`"), "{err}");

    // Serverless: ReloadReplicationTables.
    emu.reset(&["dms", "logs"]);
    emu.fast_transitions();
    let spec = example("sci-sync-serverless.yaml");
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    ok(
        emu,
        &["start", "invoice-recipients", "--wait", "-f", s(&spec)],
    );
    ok(
        emu,
        &[
            "reload",
            "invoice-recipients",
            "--table",
            "sci_backend.invoice_recipients",
            "-f",
            s(&spec),
        ],
    );
    let reloads = get(emu, "/_dmsctl/reloads")["reloads"].clone();
    assert_eq!(reloads.as_array().map(Vec::len), Some(1), "{reloads}");
    assert!(
        reloads[0]["arn"]
            .as_str()
            .unwrap()
            .contains(":replication-config:"),
        "{reloads}"
    );
    assert_eq!(emu.calls().get("dms:ReloadReplicationTables"), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_tests_from_the_instance_wait_for_dms_and_print_its_message() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.fast_transitions();
    let spec = example("sci-sync-instances.yaml");
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    let backend = endpoint_arn(emu, "backend").await;
    put(
        emu,
        "/_dmsctl/connection-results",
        json!({ backend: {"status": "failed", "message": "Can't connect to MySQL server on 'backend.example.com' (110)"} }),
    );
    emu.reset_calls();
    let (code, out, err) = run(emu, &["test-connection", "-f", s(&spec)]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        out,
        "backend from main: failed\n  Can't connect to MySQL server on 'backend.example.com' (110)\n\
         receiver from main: successful\n"
    );
    // Both tests started at once, their waits shared: `testing`, then the results.
    let calls = emu.calls();
    assert_eq!(calls.get("dms:TestConnection"), Some(&2), "{calls:?}");
    assert_eq!(calls.get("dms:DescribeConnections"), Some(&2), "{calls:?}");

    // One endpoint, as JSON: passes, exit 0.
    let out = ok(
        emu,
        &["test-connection", "receiver", "-f", s(&spec), "-o", "json"],
    );
    let doc: Json = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        doc,
        json!({"tested": [{"endpoint": "receiver", "instance": "main", "status": "successful"}], "skipped": []})
    );
    let (code, _, err) = run(emu, &["test-connection", "recevier", "-f", s(&spec)]);
    assert_eq!(code, Some(1));
    assert!(err.contains("did you mean `receiver`"), "{err}");

    // Serverless: no instance to test from; says how DMS tests there.
    let (code, out, err) = run(
        emu,
        &[
            "test-connection",
            "-f",
            s(&example("sci-sync-serverless.yaml")),
        ],
    );
    assert_eq!(code, Some(1));
    assert!(out.is_empty());
    assert!(
        err.contains("when a replication starts") && err.contains("testing_connection"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cdc_positions_checkpoints_and_a_resume_from_one() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.fast_transitions();
    // The instances example with a start and a stop position on one task.
    let text = std::fs::read_to_string(example("sci-sync-instances.yaml"))
        .expect("example")
        .replace(
            "    rules: send-invoice-history\n",
            "    rules: send-invoice-history\n    cdc_start_position: \"mysql-bin-changelog.000024:373\"\n    cdc_stop_position: \"server_time:2026-12-31T00:00:00\"\n",
        );
    assert!(
        text.contains("cdc_start_position"),
        "the example changed: {text}"
    );
    let dir = tempfile::tempdir().expect("dir");
    let spec = dir.path().join("dmsctl.yaml");
    std::fs::write(&spec, &text).expect("spec");
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    let arn = task_arn(emu, "send-invoice-history").await;
    let task = dms_client(emu)
        .await
        .describe_replication_tasks()
        .send()
        .await
        .expect("tasks")
        .replication_tasks()
        .iter()
        .find(|t| t.replication_task_arn() == Some(arn.as_str()))
        .cloned()
        .expect("the task");
    assert_eq!(
        task.cdc_start_position(),
        Some("mysql-bin-changelog.000024:373")
    );
    assert_eq!(
        task.cdc_stop_position(),
        Some("server_time:2026-12-31T00:00:00")
    );

    // The first start takes the spec's position.
    ok(
        emu,
        &["start", "send-invoice-history", "--wait", "-f", s(&spec)],
    );
    let starts = get(emu, "/_dmsctl/starts")["starts"].clone();
    assert_eq!(starts[0]["type"], "start-replication", "{starts}");
    assert_eq!(
        starts[0]["cdc_start_position"], "mysql-bin-changelog.000024:373",
        "{starts}"
    );

    // Stop prints where CDC would resume.
    let checkpoint = "checkpoint:V1#27#mysql-bin-changelog.157832:1975:-1:2002:677883278264080:mysql-bin-changelog.157832:1876#0#0#*#0#93";
    put(
        emu,
        "/_dmsctl/recovery-checkpoints",
        json!({ arn.clone(): checkpoint }),
    );
    let out = ok(
        emu,
        &["stop", "send-invoice-history", "--wait", "-f", s(&spec)],
    );
    assert_eq!(
        out,
        format!(
            "send-invoice-history: stopped\n  recovery checkpoint: {checkpoint}\n  (resume from it: dmsctl start send-invoice-history --from-checkpoint '{checkpoint}')\n"
        )
    );
    let out = ok(
        emu,
        &["stop", "send-invoice-history", "-f", s(&spec), "-o", "json"],
    );
    let doc: Json = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc[0]["checkpoint"], checkpoint, "{doc}");

    // Resume from it.
    ok(
        emu,
        &[
            "start",
            "send-invoice-history",
            "--from-checkpoint",
            checkpoint,
            "--wait",
            "-f",
            s(&spec),
        ],
    );
    let starts = get(emu, "/_dmsctl/starts")["starts"].clone();
    let last = &starts[starts.as_array().unwrap().len() - 1];
    assert_eq!(last["type"], "resume-processing", "{starts}");
    assert_eq!(last["cdc_start_position"], checkpoint, "{starts}");
    assert_eq!(last["cdc_start_time"], Json::Null, "{starts}");

    // Refused: both start points, and a custom start point for serverless.
    let (code, _, err) = run(
        emu,
        &[
            "start",
            "--from-checkpoint",
            checkpoint,
            "--cdc-start-time",
            "2026-11-01T00:00:00Z",
            "-f",
            s(&spec),
        ],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("cannot be used with"), "{err}");
    emu.reset(&["dms", "logs"]);
    emu.fast_transitions();
    let serverless = example("sci-sync-serverless.yaml");
    ok(emu, &["apply", "-f", s(&serverless), "--auto-approve"]);
    let (code, _, err) = run(
        emu,
        &[
            "start",
            "--from-checkpoint",
            checkpoint,
            "-f",
            s(&serverless),
        ],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("DMS Serverless does not support custom CDC start points"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serverless_cdc_latency_named_by_account_and_identifier() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.reset(&["dms", "logs", "cloudwatch"]);
    emu.fast_transitions();
    let spec = example("sci-sync-serverless.yaml");
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    ok(
        emu,
        &["start", "invoice-recipients", "--wait", "-f", s(&spec)],
    );
    let dim = |v: &str| {
        cloudwatch::types::Dimension::builder()
            .name("ReplicationConfigId")
            .value(v)
            .build()
    };
    let point = |name: &str, v: &str, value: f64| {
        cloudwatch::types::MetricDatum::builder()
            .metric_name(name)
            .dimensions(dim(v))
            .value(value)
            .timestamp(std::time::SystemTime::now().into())
            .build()
    };
    cloudwatch::Client::new(&emu.sdk_config("eu-central-1").await)
        .put_metric_data()
        .namespace("AWS/DMS")
        .metric_data(point(
            "CDCLatencySource",
            "123456789012:sci-sync-invoice-recipients",
            4.0,
        ))
        .metric_data(point(
            "CDCLatencyTarget",
            "123456789012:sci-sync-invoice-recipients",
            12.0,
        ))
        // Another account's replication of the same name is not ours.
        .metric_data(point(
            "CDCLatencyTarget",
            "210987654321:sci-sync-invoice-recipients",
            900.0,
        ))
        .send()
        .await
        .expect("put metrics");
    let out = ok(emu, &["status", "-f", s(&spec), "-o", "json"]);
    let doc: Json = serde_json::from_str(&out).expect("JSON");
    let r = doc["replications"]
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["name"] == "invoice-recipients")
        .expect("listed")
        .clone();
    assert_eq!(r["cdc_latency"]["source_seconds"], 4.0, "{doc:#}");
    assert_eq!(r["cdc_latency"]["target_seconds"], 12.0, "{doc:#}");
}

const ASSESSMENTS: &str = "
assessments:
  bucket: sci-dms-assessments
  folder: sci-sync
  role_arn: arn:aws:iam::123456789012:role/dms-assessments
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn premigration_assessments_and_a_start_that_waits_for_them() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.fast_transitions();
    let body =
        json!({"model_name": "dms::assessmentrun", "transition": {"progression": "immediate"}});
    let (status, text) = emu.http(
        "POST",
        "/moto-api/state-manager/set-transition",
        Some(&body.to_string()),
    );
    assert!((200..300).contains(&status), "{status} {text}");
    let plain = example("sci-sync-instances.yaml");
    let (code, _, err) = run(emu, &["assess", "-f", s(&plain)]);
    assert_eq!(code, Some(1));
    assert!(err.contains("no `assessments` section"), "{err}");
    let dir = tempfile::tempdir().expect("dir");
    let spec = dir.path().join("dmsctl.yaml");
    let text = std::fs::read_to_string(&plain).expect("example") + ASSESSMENTS;
    std::fs::write(&spec, text).expect("spec");
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    let history = task_arn(emu, "send-invoice-history").await;
    put(
        emu,
        "/_dmsctl/assessment-results",
        json!({ history.clone(): [
            {"IndividualAssessmentName": "unsupported-data-types-in-source", "Status": "failed",
             "LastFailureMessage": "amount: MONEY is not supported"},
            {"IndividualAssessmentName": "table-with-lob-but-without-primary-key-or-unique-constraint",
             "Status": "passed"}
        ]}),
    );
    emu.reset_calls();
    let (code, out, err) = run(emu, &["assess", "--wait", "-f", s(&spec)]);
    assert_eq!(code, Some(1), "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("invoice-recipients: passed (dmsctl-sci-sync-invoice-recipients-"),
        "{out}"
    );
    assert!(
        out.contains("send-invoice-history: failed (dmsctl-sci-sync-send-invoice-history-"),
        "{out}"
    );
    assert!(out.contains("  amount: MONEY is not supported\n"), "{out}");
    assert!(
        out.contains("  failed    unsupported-data-types-in-source\n"),
        "{out}"
    );
    assert!(
        out.contains("  passed    table-with-lob-but-without-primary-key-or-unique-constraint\n"),
        "{out}"
    );
    assert!(
        out.ends_with("Full results: s3://sci-dms-assessments/sci-sync\n"),
        "{out}"
    );
    // Two runs, their wait in one read a round, their results in one read.
    let calls = emu.calls();
    assert_eq!(
        calls.get("dms:StartReplicationTaskAssessmentRun"),
        Some(&2),
        "{calls:?}"
    );
    assert_eq!(
        calls.get("dms:DescribeReplicationTaskAssessmentRuns"),
        Some(&1),
        "{calls:?}"
    );
    assert_eq!(
        calls.get("dms:DescribeReplicationTaskIndividualAssessments"),
        Some(&1),
        "{calls:?}"
    );

    // The latest runs again, as JSON, without starting any.
    let (code, out, _) = run(emu, &["assess", "--last", "-f", s(&spec), "-o", "json"]);
    assert_eq!(code, Some(1));
    let doc: Json = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc[1]["name"], "send-invoice-history");
    assert_eq!(doc[1]["status"], "failed");
    assert_eq!(
        doc[1]["assessments"][1],
        json!({"name": "unsupported-data-types-in-source", "status": "failed"})
    );
    assert_eq!(
        emu.calls().get("dms:StartReplicationTaskAssessmentRun"),
        Some(&2)
    );

    // start --assess starts the task that passed, not the one that failed.
    let (code, out, err) = run(emu, &["start", "--assess", "--wait", "-f", s(&spec)]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("invoice-recipients: running"), "{out}");
    assert!(
        out.contains("send-invoice-history: not started: its premigration assessment is failed (amount: MONEY is not supported)"),
        "{out}"
    );
    let starts = get(emu, "/_dmsctl/starts")["starts"].clone();
    assert_eq!(starts.as_array().map(Vec::len), Some(1), "{starts}");
    assert_ne!(starts[0]["arn"], history.as_str(), "{starts}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_placed_on_another_instance_is_moved_and_resumed_not_reloaded() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.fast_transitions();
    let base = std::fs::read_to_string(example("sci-sync-instances.yaml")).expect("example");
    let placed = |history_on: &str| {
        let text = base.replace(
            "  instances:\n    main:",
            &format!(
                "  placement: {{ send-invoice-history: {history_on}, invoice-recipients: main }}\n  instances:\n    spare: {{ class: dms.t3.medium, engine_version: 3.5.4, subnet_group: private, security_group_ids: [sg-0a1b2c3d4e5f60001] }}\n    main:"
            ),
        );
        assert!(text.contains("spare:"), "the example changed");
        text
    };
    let dir = tempfile::tempdir().expect("dir");
    let spec = dir.path().join("dmsctl.yaml");
    std::fs::write(&spec, placed("main")).expect("spec");
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    ok(
        emu,
        &["start", "send-invoice-history", "--wait", "-f", s(&spec)],
    );

    std::fs::write(&spec, placed("spare")).expect("spec");
    let (code, out, err) = run(emu, &["plan", "-f", s(&spec), "--detailed-exitcode"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        out.contains("Plan: 0 to create, 0 to update, 1 to move, 0 to replace, 0 to delete."),
        "{out}"
    );
    assert!(out.contains("MoveReplicationTask"), "{out}");
    // No data is lost, so no --allow-destroy.
    let out = ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    assert!(
        out.contains("stopped, moved to instance `spare` and resumed"),
        "{out}"
    );

    let arn = task_arn(emu, "send-invoice-history").await;
    let moves = get(emu, "/_dmsctl/moves")["moves"].clone();
    assert_eq!(moves.as_array().map(Vec::len), Some(1), "{moves}");
    assert_eq!(moves[0]["arn"], arn.as_str());
    let instances = dms_client(emu)
        .await
        .describe_replication_instances()
        .send()
        .await
        .expect("instances");
    let spare = instances
        .replication_instances()
        .iter()
        .find(|i| i.replication_instance_identifier() == Some("sci-sync-spare"))
        .and_then(|i| i.replication_instance_arn())
        .expect("spare")
        .to_string();
    assert_eq!(moves[0]["to"], spare.as_str());
    // Resumed, not started again from scratch.
    let starts = get(emu, "/_dmsctl/starts")["starts"].clone();
    let kinds: Vec<&str> = starts
        .as_array()
        .expect("starts")
        .iter()
        .filter(|x| x["arn"] == arn.as_str())
        .map(|x| x["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        kinds,
        ["start-replication", "resume-processing"],
        "{starts}"
    );
    let (code, out, err) = run(emu, &["plan", "-f", s(&spec), "--detailed-exitcode"]);
    assert_eq!(code, Some(0), "{out}{err}");
}

/// A self-signed certificate made by openssl (installed by scripts/test), as PEM.
fn self_signed(dir: &Path, name: &str) -> PathBuf {
    let cert = dir.join(format!("{name}.pem"));
    let key = dir.join(format!("{name}.key"));
    let out = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        ])
        .arg(format!("/CN={name}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs (scripts/test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    cert
}

async fn certificates(emu: &Emulator) -> Vec<(String, String)> {
    dms_client(emu)
        .await
        .describe_certificates()
        .send()
        .await
        .map(|o| {
            o.certificates()
                .iter()
                .map(|c| {
                    (
                        c.certificate_identifier().unwrap_or_default().to_string(),
                        c.certificate_arn().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn backend_certificate(emu: &Emulator) -> Option<String> {
    dms_client(emu)
        .await
        .describe_endpoints()
        .send()
        .await
        .expect("endpoints")
        .endpoints()
        .iter()
        .find(|e| e.endpoint_identifier() == Some("sci-sync-backend"))
        .and_then(|e| e.certificate_arn())
        .map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_imported_referenced_by_name_and_never_deleted_in_use() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.fast_transitions();
    let dir = tempfile::tempdir().expect("dir");
    let first = self_signed(dir.path(), "first");
    let second = self_signed(dir.path(), "second");
    std::fs::copy(&first, dir.path().join("ca.pem")).expect("copy");
    let base = std::fs::read_to_string(example("sci-sync-instances.yaml")).expect("example");
    let with = |id: Option<&str>| {
        let text = base.replacen(
            "    ssl_mode: require\n",
            "    ssl_mode: verify-full\n    certificate: rds-ca\n",
            1,
        );
        let id = id.map(|i| format!(", id: {i}")).unwrap_or_default();
        format!("{text}\ncertificates:\n  rds-ca: {{ pem_file: ca.pem{id} }}\n")
    };
    let spec = dir.path().join("dmsctl.yaml");
    std::fs::write(&spec, with(None)).expect("spec");

    // Imported, and the endpoint points at it.
    let out = ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    assert!(out.contains("certificate"), "{out}");
    let certs = certificates(emu).await;
    assert_eq!(certs.len(), 1, "{certs:?}");
    assert_eq!(certs[0].0, "sci-sync-rds-ca");
    assert_eq!(backend_certificate(emu).await, Some(certs[0].1.clone()));
    let (code, out, err) = run(emu, &["plan", "-f", s(&spec), "--detailed-exitcode"]);
    assert_eq!(code, Some(0), "{out}{err}");

    // A new PEM for the certificate in use: a conflict asking for a new id, nothing changed.
    std::fs::copy(&second, dir.path().join("ca.pem")).expect("copy");
    let (code, out, err) = run(emu, &["plan", "-f", s(&spec)]);
    assert!(
        format!("{out}{err}").contains("give `rds-ca` a new `id`"),
        "{code:?} {out}{err}"
    );
    let (code, _, _) = run(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    assert_eq!(code, Some(1));
    assert_eq!(certificates(emu).await, certs);

    // A new id: imported beside the old one, the endpoint moves to it, the old one stays
    // while in use during this apply, and the next apply deletes it.
    std::fs::write(&spec, with(Some("sci-sync-rds-ca-2"))).expect("spec");
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    let now = certificates(emu).await;
    let new_arn = now
        .iter()
        .find(|(id, _)| id == "sci-sync-rds-ca-2")
        .map(|(_, arn)| arn.clone())
        .expect("the new certificate");
    assert_eq!(backend_certificate(emu).await, Some(new_arn.clone()));
    let (code, out, err) = run(emu, &["plan", "-f", s(&spec), "--detailed-exitcode"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        out.contains("certificate") && out.contains("delete"),
        "{out}"
    );
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    assert_eq!(
        certificates(emu).await,
        vec![("sci-sync-rds-ca-2".to_string(), new_arn)]
    );

    // A pem_file that is not there is a located error, before anything.
    std::fs::remove_file(dir.path().join("ca.pem")).expect("rm");
    let (code, _, err) = run(emu, &["validate", "-f", s(&spec)]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("error[invalid-file]") && err.contains("ca.pem"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serverless_replications_are_assessed_by_dms_as_part_of_their_start() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.reset(&["dms", "iam", "logs"]);
    emu.fast_transitions();
    let dir = tempfile::tempdir().expect("dir");
    let spec = dir.path().join("dmsctl.yaml");
    let text = std::fs::read_to_string(example("sci-sync-serverless.yaml")).expect("example")
        + "\nassessments:\n  folder: sci-sync\n  exclude: [full-lob-not-nullable-at-target]\n";
    std::fs::write(&spec, text).expect("spec");
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);

    // `assess` alone cannot run one: DMS Serverless assesses only as part of a start.
    emu.reset_calls();
    let (code, _, err) = run(emu, &["assess", "-f", s(&spec)]);
    assert_eq!(code, Some(1));
    assert!(err.contains("run `dmsctl start --assess --wait`"), "{err}");
    assert!(emu.calls().is_empty(), "{:?}", emu.calls());
    let (code, out, _) = run(emu, &["assess", "--last", "-f", s(&spec)]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("invoice-recipients: none"), "{out}");

    let arns = {
        let out = dms_client(emu)
            .await
            .describe_replication_configs()
            .send()
            .await
            .expect("configs");
        out.replication_configs()
            .iter()
            .map(|c| {
                (
                    c.replication_config_identifier()
                        .unwrap_or_default()
                        .to_string(),
                    c.replication_config_arn().unwrap_or_default().to_string(),
                )
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let history = arns["sci-sync-send-invoice-history"].clone();
    put(
        emu,
        "/_dmsctl/assessment-results",
        json!({ history.clone(): [
            {"IndividualAssessmentName": "unsupported-data-types-in-source", "Status": "failed",
             "LastFailureMessage": "amount: MONEY is not supported"}
        ]}),
    );
    let (code, out, err) = run(emu, &["start", "--assess", "--wait", "-f", s(&spec)]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("invoice-recipients: running"), "{out}");
    assert!(
        out.contains(
            "send-invoice-history: failed: not started: its premigration assessment is failed: \
             amount: MONEY is not supported (results in s3://dms-serverless-premigration-results-"
        ),
        "{out}"
    );
    assert!(out.contains("/sci-sync)"), "{out}");
    // Each start carried the spec's settings, with FailOnAssessmentFailure.
    let starts = get(emu, "/_dmsctl/starts")["starts"].clone();
    let settings: Vec<Json> = starts
        .as_array()
        .expect("starts")
        .iter()
        .map(|x| x["premigration_assessment_settings"].clone())
        .collect();
    assert_eq!(settings.len(), 2, "{starts}");
    for s in &settings {
        assert_eq!(
            s,
            &json!({"ResultLocationFolder": "sci-sync",
                    "Exclude": ["full-lob-not-nullable-at-target"],
                    "FailOnAssessmentFailure": true})
        );
    }

    // The latest assessments, read back.
    let (code, out, _) = run(emu, &["assess", "--last", "-f", s(&spec), "-o", "json"]);
    assert_eq!(code, Some(1), "{out}");
    let doc: Json = serde_json::from_str(&out).expect("JSON");
    let by_name = |n: &str| {
        doc.as_array()
            .expect("list")
            .iter()
            .find(|a| a["name"] == n)
            .cloned()
            .expect("listed")
    };
    assert_eq!(by_name("invoice-recipients")["status"], "passed");
    let failed = by_name("send-invoice-history");
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["message"], "amount: MONEY is not supported");
    assert!(
        failed["results"]
            .as_str()
            .is_some_and(|r| r.starts_with("s3://dms-serverless-premigration-results-")),
        "{failed}"
    );

    // Fixed at the source: the next start with an assessment runs it.
    put(emu, "/_dmsctl/assessment-results", json!({}));
    let out = ok(
        emu,
        &[
            "start",
            "send-invoice-history",
            "--assess",
            "--wait",
            "-f",
            s(&spec),
        ],
    );
    assert!(out.contains("send-invoice-history: running"), "{out}");
}
