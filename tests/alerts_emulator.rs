//! Alerts as resources of the stack, through the real binary on the emulator: DMS event
//! subscriptions and CloudWatch alarms on CDC latency created after what they name, compared
//! with what the services report, updated in place, replaced where DMS cannot modify, left
//! alone when someone else's, repeated safely when an answer is lost, and deleted with the
//! spec.

mod common;

use std::path::{Path, PathBuf};

use aws_sdk_cloudwatch as cloudwatch;
use aws_sdk_databasemigration as dms;
use serde_json::json;

use common::emulator::{shared, Emulator};

const TOPIC: &str = "arn:aws:sns:eu-central-1:123456789012:dms-alerts";

const ALERTS: &str = "
alerts:
  events:
    failures:
      topic_arn: arn:aws:sns:eu-central-1:123456789012:dms-alerts
      categories: [failure, state change]
  cdc_latency:
    lag:
      replications: [send-invoice-history]
      source_seconds: 300
      target_seconds: 900
      evaluation_periods: 2
      actions: [arn:aws:sns:eu-central-1:123456789012:dms-alerts]
";

fn run(emu: &Emulator, args: &[&str]) -> (Option<i32>, String, String) {
    emu.run(args)
}

fn ok(emu: &Emulator, args: &[&str]) -> String {
    let (code, out, err) = run(emu, args);
    assert_eq!(code, Some(0), "{args:?}: {out}{err}");
    out
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

fn example(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}"));
    std::fs::read_to_string(p).expect("example")
}

async fn clients(emu: &Emulator) -> (dms::Client, cloudwatch::Client) {
    let config = emu.sdk_config("eu-central-1").await;
    (dms::Client::new(&config), cloudwatch::Client::new(&config))
}

async fn subscriptions(emu: &Emulator) -> Vec<dms::types::EventSubscription> {
    clients(emu)
        .await
        .0
        .describe_event_subscriptions()
        .send()
        .await
        .expect("subscriptions")
        .event_subscriptions_list
        .unwrap_or_default()
}

async fn alarms(emu: &Emulator) -> Vec<cloudwatch::types::MetricAlarm> {
    clients(emu)
        .await
        .1
        .describe_alarms()
        .send()
        .await
        .expect("alarms")
        .metric_alarms
        .unwrap_or_default()
}

async fn alarm_tags(emu: &Emulator, arn: &str) -> Vec<(String, String)> {
    let out = clients(emu)
        .await
        .1
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .expect("tags");
    let mut tags: Vec<(String, String)> = out
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    tags.sort();
    tags
}

fn dims(a: &cloudwatch::types::MetricAlarm) -> Vec<(String, String)> {
    let mut d: Vec<(String, String)> = a
        .dimensions()
        .iter()
        .map(|d| {
            (
                d.name().unwrap_or_default().to_string(),
                d.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    d.sort();
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_are_planned_applied_compared_and_destroyed_with_the_stack() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.reset(&["dms", "iam", "logs", "cloudwatch"]);
    emu.fast_transitions();
    let dir = tempfile::tempdir().expect("dir");
    let spec = dir.path().join("dmsctl.yaml");
    let base = example("sci-sync-instances.yaml");
    std::fs::write(&spec, format!("{base}{ALERTS}")).expect("spec");

    // Someone else's alarm on the same metric, without dmsctl's tags: never touched.
    let (_, cw) = clients(emu).await;
    cw.put_metric_alarm()
        .alarm_name("oncall-dms-lag")
        .namespace("AWS/DMS")
        .metric_name("CDCLatencyTarget")
        .statistic(cloudwatch::types::Statistic::Average)
        .comparison_operator(cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
        .threshold(60.0)
        .period(60)
        .evaluation_periods(1)
        .send()
        .await
        .expect("hand-made alarm");

    let (code, out, err) = run(emu, &["plan", "-f", s(&spec), "--detailed-exitcode"]);
    assert_eq!(code, Some(2), "{out}{err}");
    let row = |kind: &str, name: &str| {
        out.lines()
            .any(|l| l.contains(&format!("│ {kind} ")) && l.contains(&format!("┆ {name} ")))
    };
    assert!(row("event-subscription", "failures"), "{out}");
    assert!(row("alarm", "lag.send-invoice-history.source"), "{out}");
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);

    let subs = subscriptions(emu).await;
    assert_eq!(subs.len(), 1, "{subs:?}");
    let sub = &subs[0];
    assert_eq!(sub.cust_subscription_id(), Some("sci-sync-failures"));
    assert_eq!(sub.sns_topic_arn(), Some(TOPIC));
    assert_eq!(sub.source_type(), Some("replication-task"));
    let mut ids = sub.source_ids_list().to_vec();
    ids.sort();
    assert_eq!(
        ids,
        [
            "sci-sync-invoice-recipients",
            "sci-sync-send-invoice-history"
        ]
    );
    let mut cats = sub.event_categories_list().to_vec();
    cats.sort();
    assert_eq!(cats, ["failure", "state change"]);

    let (dms_client, _) = clients(emu).await;
    let tasks = dms_client
        .describe_replication_tasks()
        .send()
        .await
        .expect("tasks");
    let history = tasks
        .replication_tasks()
        .iter()
        .find(|t| t.replication_task_identifier() == Some("sci-sync-send-invoice-history"))
        .and_then(|t| t.replication_task_arn())
        .expect("task")
        .to_string();
    let resource_id = history.rsplit(':').next().expect("id").to_string();
    let ours: Vec<_> = alarms(emu)
        .await
        .into_iter()
        .filter(|a| a.alarm_name() != Some("oncall-dms-lag"))
        .collect();
    let mut names: Vec<&str> = ours.iter().filter_map(|a| a.alarm_name()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "sci-sync-lag-send-invoice-history-cdc-latency-source",
            "sci-sync-lag-send-invoice-history-cdc-latency-target"
        ]
    );
    let target = ours
        .iter()
        .find(|a| a.metric_name() == Some("CDCLatencyTarget"))
        .expect("target alarm");
    assert_eq!(target.namespace(), Some("AWS/DMS"));
    assert_eq!(target.threshold(), Some(900.0));
    assert_eq!(target.evaluation_periods(), Some(2));
    assert_eq!(target.period(), Some(300));
    assert_eq!(target.statistic().map(|s| s.as_str()), Some("Maximum"));
    assert_eq!(target.alarm_actions(), [TOPIC]);
    assert_eq!(
        dims(target),
        [
            (
                "ReplicationInstanceIdentifier".to_string(),
                "sci-sync-main".to_string()
            ),
            ("ReplicationTaskIdentifier".to_string(), resource_id.clone()),
        ]
    );
    let tags = alarm_tags(emu, target.alarm_arn().expect("arn")).await;
    assert!(
        tags.contains(&(
            "dmsctl:name".to_string(),
            "lag.send-invoice-history.target".to_string()
        )) && tags.contains(&("dmsctl:stack".to_string(), "sci-sync".to_string())),
        "{tags:?}"
    );
    // In sync with what DMS and CloudWatch report.
    let (code, out, err) = run(emu, &["plan", "-f", s(&spec), "--detailed-exitcode"]);
    assert_eq!(code, Some(0), "{out}{err}");

    // `status` shows the alarms' states, read with the rest (no call of its own).
    cw.set_alarm_state()
        .alarm_name("sci-sync-lag-send-invoice-history-cdc-latency-target")
        .state_value(cloudwatch::types::StateValue::Alarm)
        .state_reason("target latency 1200 s")
        .send()
        .await
        .expect("set state");
    let out = ok(emu, &["status", "-f", s(&spec), "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        doc["alarms"],
        json!([
            {"name": "lag.send-invoice-history.source",
             "alarm": "sci-sync-lag-send-invoice-history-cdc-latency-source",
             "replication": "send-invoice-history", "metric": "CDCLatencySource",
             "state": "INSUFFICIENT_DATA"},
            {"name": "lag.send-invoice-history.target",
             "alarm": "sci-sync-lag-send-invoice-history-cdc-latency-target",
             "replication": "send-invoice-history", "metric": "CDCLatencyTarget",
             "state": "ALARM"}
        ]),
        "{doc:#}"
    );

    // A lower threshold, one category fewer and a tag: updates in place.
    let edited = ALERTS
        .replace("target_seconds: 900", "target_seconds: 120")
        .replace(
            "[failure, state change]",
            "[failure]\n      tags: { team: data }",
        );
    std::fs::write(&spec, format!("{base}{edited}")).expect("spec");
    let (code, out, err) = run(emu, &["plan", "-f", s(&spec), "--detailed-exitcode"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        out.contains("Plan: 0 to create, 2 to update, 0 to replace, 0 to delete."),
        "{out}"
    );
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    let target = alarms(emu)
        .await
        .into_iter()
        .find(|a| a.alarm_name() == Some("sci-sync-lag-send-invoice-history-cdc-latency-target"))
        .expect("target alarm");
    assert_eq!(target.threshold(), Some(120.0));
    // PutMetricAlarm ignores tags on an update: they are still there.
    let tags = alarm_tags(emu, target.alarm_arn().expect("arn")).await;
    assert!(tags.iter().any(|(k, _)| k == "dmsctl:stack"), "{tags:?}");
    assert_eq!(
        subscriptions(emu).await[0].event_categories_list(),
        ["failure"]
    );
    let tags = dms_client
        .list_tags_for_resource()
        .resource_arn("arn:aws:dms:eu-central-1:123456789012:es:sci-sync-failures")
        .send()
        .await
        .expect("subscription tags");
    assert!(
        tags.tag_list()
            .iter()
            .any(|t| t.key() == Some("team") && t.value() == Some("data")),
        "{tags:?}"
    );
    let (code, out, err) = run(emu, &["plan", "-f", s(&spec), "--detailed-exitcode"]);
    assert_eq!(code, Some(0), "{out}{err}");

    // One task fewer in the subscription: DMS has no call to change its source ids.
    let narrower = edited.replace(
        "      categories: [failure]\n",
        "      categories: [failure]\n      replications: [invoice-recipients]\n",
    );
    std::fs::write(&spec, format!("{base}{narrower}")).expect("spec");
    let (_, out, _) = run(emu, &["plan", "-f", s(&spec)]);
    assert!(out.contains("1 to replace"), "{out}");
    assert!(out.contains("DMS cannot change which tasks"), "{out}");
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    assert_eq!(
        subscriptions(emu).await[0].source_ids_list(),
        ["sci-sync-invoice-recipients"]
    );

    // Out of the spec: deleted, and the hand-made alarm stays.
    std::fs::write(&spec, &base).expect("spec");
    let (_, out, _) = run(emu, &["plan", "-f", s(&spec)]);
    assert!(
        out.contains("Plan: 0 to create, 0 to update, 0 to replace, 3 to delete."),
        "{out}"
    );
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    assert!(subscriptions(emu).await.is_empty());
    let left: Vec<String> = alarms(emu)
        .await
        .iter()
        .filter_map(|a| a.alarm_name().map(str::to_string))
        .collect();
    assert_eq!(left, ["oncall-dms-lag"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_writes_whose_answers_were_lost_go_on_and_destroy_takes_the_alerts() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.reset(&["dms", "iam", "logs", "cloudwatch"]);
    emu.fast_transitions();
    let dir = tempfile::tempdir().expect("dir");
    let spec = dir.path().join("dmsctl.yaml");
    let base = example("sci-sync-instances.yaml");
    std::fs::write(&spec, format!("{base}{ALERTS}")).expect("spec");
    // Each create takes effect, then its answer is lost; the SDK retries the 500.
    for op in ["dms:CreateEventSubscription", "cloudwatch:PutMetricAlarm"] {
        emu.fault(
            json!({"operation": op, "count": 1, "error": "InternalFailure",
                         "status": 500, "after": true}),
        );
    }
    let (code, out, err) = run(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        format!("{out}{err}").contains("an earlier attempt's"),
        "{out}{err}"
    );
    assert_eq!(subscriptions(emu).await.len(), 1);
    assert_eq!(alarms(emu).await.len(), 2);
    // Two alarms, one of them put twice; one subscription, created once and met again.
    let calls = emu.calls();
    assert_eq!(
        calls.get("cloudwatch:PutMetricAlarm"),
        Some(&3),
        "{calls:?}"
    );
    assert_eq!(
        calls.get("dms:CreateEventSubscription"),
        Some(&2),
        "{calls:?}"
    );
    let (code, out, err) = run(emu, &["plan", "-f", s(&spec), "--detailed-exitcode"]);
    assert_eq!(code, Some(0), "{out}{err}");

    for op in ["dms:DeleteEventSubscription", "cloudwatch:DeleteAlarms"] {
        emu.fault(
            json!({"operation": op, "count": 1, "error": "InternalFailure",
                         "status": 500, "after": true}),
        );
    }
    ok(emu, &["destroy", "-f", s(&spec), "--auto-approve"]);
    let calls = emu.calls();
    assert_eq!(calls.get("cloudwatch:DeleteAlarms"), Some(&3), "{calls:?}");
    assert_eq!(
        calls.get("dms:DeleteEventSubscription"),
        Some(&2),
        "{calls:?}"
    );
    assert!(subscriptions(emu).await.is_empty());
    assert!(alarms(emu).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serverless_replications_alarm_names_it_by_account_and_identifier() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    emu.reset(&["dms", "iam", "logs", "cloudwatch"]);
    emu.fast_transitions();
    let dir = tempfile::tempdir().expect("dir");
    let spec = dir.path().join("dmsctl.yaml");
    let alerts = "
alerts:
  cdc_latency:
    lag: { replications: [invoice-recipients], target_seconds: 600 }
";
    std::fs::write(
        &spec,
        format!("{}{alerts}", example("sci-sync-serverless.yaml")),
    )
    .expect("spec");
    ok(emu, &["apply", "-f", s(&spec), "--auto-approve"]);
    let all = alarms(emu).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(
        dims(&all[0]),
        [(
            "ReplicationConfigId".to_string(),
            "123456789012:sci-sync-invoice-recipients".to_string()
        )]
    );
    let (code, out, err) = run(emu, &["plan", "-f", s(&spec), "--detailed-exitcode"]);
    assert_eq!(code, Some(0), "{out}{err}");
}
