//! `start`, `stop`, `status` and `logs` through the real binary on the emulator, on the
//! instances example: first run vs resume, waiting, the status document, and the task's
//! CloudWatch Logs found where DMS writes them.

mod common;

use std::path::{Path, PathBuf};

use aws_sdk_cloudwatch as cloudwatch;
use aws_sdk_cloudwatchlogs as logs;
use aws_sdk_databasemigration as dms;
use cloudwatch::types::{Dimension, MetricDatum};
use logs::types::InputLogEvent;
use serde_json::Value as Json;

use common::emulator::{shared, Emulator};

fn dmsctl(emu: &Emulator, args: &[&str]) -> (Option<i32>, String, String) {
    emu.run(args)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/sci-sync-instances.yaml")
}

fn statuses(emu: &Emulator, spec: &Path) -> Json {
    let (code, out, err) = dmsctl(emu, &["status", "-f", s(spec), "-o", "json"]);
    assert_eq!(code, Some(0), "{err}");
    serde_json::from_str(&out).expect("status JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_stop_status_and_logs_of_tasks() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.fast_transitions();
    let spec = example();

    // Before apply: status lists the replications as not created; start refuses.
    let doc = statuses(emu, &spec);
    assert_eq!(doc["replications"][0]["status"], "not-created", "{doc:#}");
    let (code, _, err) = dmsctl(emu, &["start", "-f", s(&spec)]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("not created yet") && err.contains("dmsctl apply"),
        "{err}"
    );
    let (code, _, err) = dmsctl(emu, &["start", "-f", s(&spec), "send-invoice-histroy"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("did you mean `send-invoice-history`?"),
        "{err}"
    );

    let (code, out, err) = dmsctl(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    assert_eq!(code, Some(0), "{out}{err}");

    // First run: start-replication, and --wait returns once running.
    let (code, out, err) = dmsctl(
        emu,
        &["start", "-f", s(&spec), "send-invoice-history", "--wait"],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(out, "send-invoice-history: running\n");
    let doc = statuses(emu, &spec);
    assert_eq!(by_name(&doc, "send-invoice-history")["status"], "running");
    assert_eq!(by_name(&doc, "send-invoice-history")["kind"], "task");
    assert_eq!(by_name(&doc, "invoice-recipients")["status"], "ready");

    // Starting what runs is a no-op; stopping and starting again resumes.
    let (_, out, _) = dmsctl(emu, &["start", "-f", s(&spec), "send-invoice-history"]);
    assert_eq!(out, "send-invoice-history: already running\n");
    let (code, out, err) = dmsctl(emu, &["stop", "-f", s(&spec), "--wait"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("send-invoice-history: stopped"), "{out}");
    assert!(
        out.contains("invoice-recipients: not running (ready)"),
        "{out}"
    );
    let (_, out, _) = dmsctl(emu, &["start", "-f", s(&spec), "send-invoice-history"]);
    assert_eq!(out, "send-invoice-history: started (resume-processing)\n");
    let (_, out, _) = dmsctl(
        emu,
        &["start", "-f", s(&spec), "invoice-recipients", "--reload"],
    );
    assert_eq!(out, "invoice-recipients: started (reload-target)\n");

    // Logs: DMS writes task logs to `dms-tasks-<instance>`, stream `dms-task-<resource id>`.
    let config = emu.sdk_config("eu-central-1").await;
    let task = dms::Client::new(&config)
        .describe_replication_tasks()
        .send()
        .await
        .expect("tasks")
        .replication_tasks
        .unwrap_or_default()
        .into_iter()
        .find(|t| t.replication_task_identifier.as_deref() == Some("sci-sync-send-invoice-history"))
        .expect("task");
    let resource_id = task
        .replication_task_arn
        .as_deref()
        .and_then(|a| a.rsplit(':').next())
        .expect("arn")
        .to_string();
    let cw = logs::Client::new(&config);
    let group = "dms-tasks-sci-sync-main";
    let stream = format!("dms-task-{resource_id}");
    let _ = cw.create_log_group().log_group_name(group).send().await;
    cw.create_log_stream()
        .log_group_name(group)
        .log_stream_name(&stream)
        .send()
        .await
        .expect("stream");
    let now = chrono_now_ms();
    cw.put_log_events()
        .log_group_name(group)
        .log_stream_name(&stream)
        .log_events(
            InputLogEvent::builder()
                .timestamp(now - 2000)
                .message("[TASK_MANAGER    ]I:  Task started")
                .build()
                .expect("event"),
        )
        .log_events(
            InputLogEvent::builder()
                .timestamp(now - 1000)
                .message("[SOURCE_CAPTURE  ]E:  Cannot connect to the source")
                .build()
                .expect("event"),
        )
        .send()
        .await
        .expect("put events");

    let (code, out, err) = dmsctl(
        emu,
        &[
            "logs",
            "-f",
            s(&spec),
            "send-invoice-history",
            "--since",
            "10m",
            "--utc",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].ends_with("Z [TASK_MANAGER    ]I:  Task started"),
        "{out}"
    );
    assert!(lines[1].contains("Cannot connect to the source"), "{out}");
    let (_, out, _) = dmsctl(
        emu,
        &[
            "logs",
            "-f",
            s(&spec),
            "send-invoice-history",
            "--since",
            "10m",
            "--filter",
            "\"]E:\"",
        ],
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("Cannot connect"), "{out}");

    // CDC latency: DMS publishes it to CloudWatch, per task by instance and task resource id.
    let metrics = cloudwatch::Client::new(&config);
    let point = |name: &str, task: &str, value: f64| {
        MetricDatum::builder()
            .metric_name(name)
            .dimensions(dim("ReplicationInstanceIdentifier", "sci-sync-main"))
            .dimensions(dim("ReplicationTaskIdentifier", task))
            .value(value)
            .timestamp(std::time::SystemTime::now().into())
            .build()
    };
    metrics
        .put_metric_data()
        .namespace("AWS/DMS")
        .metric_data(point("CDCLatencySource", &resource_id, 7.0))
        .metric_data(point("CDCLatencyTarget", &resource_id, 95.0))
        .metric_data(point("CDCLatencyTarget", "SOMEOTHERTASK", 500.0))
        .send()
        .await
        .expect("put metrics");
    let doc = statuses(emu, &spec);
    let history = by_name(&doc, "send-invoice-history");
    assert_eq!(history["status"], "running", "{doc:#}");
    assert_eq!(history["cdc_latency"]["source_seconds"], 7.0, "{doc:#}");
    assert_eq!(history["cdc_latency"]["target_seconds"], 95.0, "{doc:#}");
    let recipients = by_name(&doc, "invoice-recipients");
    assert_eq!(recipients["status"], "running", "{doc:#}");
    assert!(
        recipients["cdc_latency"].is_null(),
        "no data points: {doc:#}"
    );
    let (code, out, err) = dmsctl(emu, &["status", "-f", s(&spec)]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("CDC latency"), "{out}");
    assert!(out.contains("7 s / 1m35s"), "{out}");

    // --tables: each named replication's tables, as DMS reports them (seeded: nothing moves).
    let seed = serde_json::json!({"ReplicationTaskArn": history["arn"], "TableStatistics": [
        {"SchemaName": "sci_backend", "TableName": "send_invoice_history_item",
         "TableState": "Table loading", "FullLoadRows": 7},
        {"SchemaName": "sci_backend", "TableName": "send_invoice_history",
         "TableState": "Table completed", "FullLoadRows": 1200, "Inserts": 3, "Updates": 2,
         "Deletes": 1},
    ]});
    let (status, body) = emu.http("POST", "/_dmsctl/table-statistics", Some(&seed.to_string()));
    assert_eq!(status, 200, "{body}");
    let (code, out, err) = dmsctl(
        emu,
        &[
            "status",
            "-f",
            s(&spec),
            "send-invoice-history",
            "--tables",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let doc: Json = serde_json::from_str(&out).expect("status JSON");
    let listed = doc["replications"].as_array().expect("list");
    assert_eq!(listed.len(), 1, "only the named replication: {doc:#}");
    let tables = listed[0]["tables"].as_array().expect("tables");
    assert_eq!(tables.len(), 2, "{doc:#}");
    assert_eq!(
        tables[0]["table"], "send_invoice_history",
        "sorted: {doc:#}"
    );
    assert_eq!(tables[0]["state"], "Table completed");
    assert_eq!(tables[0]["full_load_rows"], 1200);
    assert_eq!(
        (
            &tables[0]["inserts"],
            &tables[0]["updates"],
            &tables[0]["deletes"]
        ),
        (&Json::from(3), &Json::from(2), &Json::from(1))
    );
    let (_, out, _) = dmsctl(emu, &["status", "-f", s(&spec), "-o", "json"]);
    let doc: Json = serde_json::from_str(&out).expect("status JSON");
    assert!(
        doc["replications"][0].get("tables").is_none(),
        "no tables unless asked: {doc:#}"
    );
    let (code, out, err) = dmsctl(
        emu,
        &["status", "-f", s(&spec), "send-invoice-history", "--tables"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("send-invoice-history: 2 tables"), "{out}");
    assert!(
        out.contains("sci_backend.send_invoice_history_item"),
        "{out}"
    );
    assert!(out.contains("Table loading"), "{out}");
    let (code, _, err) = dmsctl(emu, &["status", "-f", s(&spec), "send-invoice-histroy"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("did you mean `send-invoice-history`?"),
        "{err}"
    );
}

/// One replication of a `status -o json` document.
fn by_name<'a>(doc: &'a Json, name: &str) -> &'a Json {
    doc["replications"]
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} listed: {doc:#}"))
}

fn dim(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64
}
