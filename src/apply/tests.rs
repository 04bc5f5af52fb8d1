//! Executor tests against the in-memory [`FakeCloud`]: order, parallelism, partial failure
//! and convergence, stop → modify → resume, refusals before anything is touched, secrets,
//! deletes, destroy and Ctrl-C. Millisecond backoff keeps them fast.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::*;
use crate::cloud::fake::FakeCloud;
use crate::cloud::{ErrorKind, Waitable};
use crate::live::Live;
use crate::model::{Desired, TAG_NAME, TAG_STACK};
use crate::plan::testing::{desired_from, live_from};
use crate::plan::{Action, Kind, SavedPlan};

const SPEC: &str = r#"
version: 1
stack: sci
logging:
  retention_days: 30
subnet_groups:
  private:
    subnet_ids: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
endpoints:
  backend:
    role: source
    engine: mysql
    host: backend.example.com
    username: dms
    password: { env: BACKEND_PW }
  receiver:
    role: target
    engine: mysql
    host: receiver.example.com
    username: dms
    password: { env: RECEIVER_PW }
  events:
    role: target
    engine: kafka
    kafka:
      brokers: [b-1.example.com:9096]
      topic: invoices
      security_protocol: sasl-ssl
      sasl_mechanism: scram-sha-512
      sasl_username: dms
      sasl_password: { env: MSK_PW }
rules:
  history:
    - include: { schema: app, table: history }
replications:
  history:
    source: backend
    target: receiver
    type: full-load-and-cdc
    rules: history
  events:
    source: backend
    target: events
    type: cdc
    rules: history
compute:
  mode: MODE
  serverless:
    max_dcu: 4
    subnet_group: private
  instances:
    main:
      class: dms.t3.medium
      subnet_group: private
"#;

/// Secret values no output may contain.
const SECRETS: [(&str, &str); 3] = [
    ("BACKEND_PW", "pw-backend-0xDEADBEEF"),
    ("RECEIVER_PW", "pw-receiver-0xFEEDFACE"),
    ("MSK_PW", "pw-msk-0xC0FFEE"),
];

fn env(var: &str) -> Option<String> {
    SECRETS
        .iter()
        .find(|(k, _)| *k == var)
        .map(|(_, v)| v.to_string())
}

fn spec(mode: &str) -> String {
    SPEC.replace("mode: MODE", &format!("mode: {mode}"))
}

fn instances() -> Desired {
    desired_from(&spec("instances"))
}

fn opts() -> Options {
    Options {
        parallelism: 8,
        timeout: Duration::from_secs(20),
        update_secrets: false,
        backoff: Backoff {
            initial: Duration::from_millis(1),
            max: Duration::from_millis(4),
        },
        iam_grace: Duration::from_millis(500),
    }
}

/// Progress written to memory.
#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buf {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("buffer").clone()).expect("utf-8")
    }
}

struct Run {
    report: Report,
    output: String,
}

struct Args<'a> {
    desired: &'a Desired,
    spec_text: &'a str,
    saved: Option<&'a SavedPlan>,
    allow_destroy: bool,
    opts: Options,
    env: &'a (dyn Fn(&str) -> Option<String> + Sync),
    cancel: CancelToken,
}

impl<'a> Args<'a> {
    fn new(desired: &'a Desired) -> Self {
        Args {
            desired,
            spec_text: "",
            saved: None,
            allow_destroy: false,
            opts: opts(),
            env: &env,
            cancel: CancelToken::new(),
        }
    }
}

async fn run(fake: &Arc<FakeCloud>, a: Args<'_>) -> Result<Run, ApplyError> {
    let prepared = prepare(
        fake.as_ref(),
        Request {
            desired: a.desired,
            spec_text: a.spec_text,
            saved: a.saved,
            allow_destroy: a.allow_destroy,
            update_secrets: a.opts.update_secrets,
            env: a.env,
        },
    )
    .await?;
    let ready = match prepared {
        Prepared::NoChanges => {
            return Ok(Run {
                report: Report::default(),
                output: String::new(),
            })
        }
        Prepared::Ready(r) => *r,
    };
    let buf = Buf::default();
    let progress = Arc::new(Progress::new(Box::new(buf.clone())));
    let report = execute(fake.clone(), ready, a.opts, progress, a.cancel).await;
    Ok(Run {
        report,
        output: buf.text(),
    })
}

async fn apply(fake: &Arc<FakeCloud>, d: &Desired) -> Run {
    run(fake, Args::new(d)).await.expect("apply starts")
}

fn assert_converged(fake: &FakeCloud, d: &Desired) {
    let p = crate::plan::plan(d, &fake.live());
    assert!(
        !p.has_changes() && p.conflicts.is_empty(),
        "expected no changes: {:#?}",
        p.actionable().collect::<Vec<_>>()
    );
}

/// Index of the first entry of `log` starting with `prefix`.
fn first(log: &[String], prefix: &str) -> usize {
    log.iter()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` in {log:#?}"))
}

fn last(log: &[String], prefix: &str) -> usize {
    log.iter()
        .rposition(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` in {log:#?}"))
}

fn names(entries: impl IntoIterator<Item = (Kind, String)>) -> Vec<String> {
    entries
        .into_iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect()
}

#[tokio::test]
async fn full_create_runs_in_dependency_order_and_converges() {
    let d = instances();
    let fake = Arc::new(FakeCloud::new(Live::default()));
    let r = apply(&fake, &d).await;
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    assert_eq!(r.report.done.len(), 10);

    let log = fake.log();
    let instance_arn = fake.live().instances["sci-main"].arn.clone();
    let subnet = first(&log, "create_subnet_group sci-private");
    let instance = first(&log, "create_instance sci-main");
    let instance_available = last(&log, &format!("status {instance_arn}"));
    let first_task = first(&log, "create_task");
    assert!(last(&log, "attach_role_policy") < subnet, "{log:#?}");
    assert!(last(&log, "create_role") < subnet);
    assert!(subnet < instance);
    assert!(instance < instance_available && instance_available < first_task);
    assert!(last(&log, "create_endpoint") < first_task);
    // Each task was waited on until ready.
    for t in fake.live().tasks.values() {
        assert_eq!(t.status, "ready", "{}", t.identifier);
        assert!(last(&log, &format!("status {}", t.arn)) > first_task);
    }
    assert!(
        r.output.contains("endpoint backend: creating"),
        "{}",
        r.output
    );
    assert!(r
        .output
        .contains("endpoint backend: created (arn:aws:dms:eu-central-1:"));
    assert_converged(&fake, &d);
    // And a second apply has nothing to do.
    let again = apply(&fake, &d).await;
    assert_eq!(again.report, Report::default());
}

#[tokio::test]
async fn parallelism_is_bounded() {
    for limit in [1, 2] {
        let fake = Arc::new(FakeCloud::new(Live::default()));
        let d = instances();
        let mut a = Args::new(&d);
        a.opts.parallelism = limit;
        let r = run(&fake, a).await.expect("starts");
        assert!(r.report.success());
        assert_eq!(fake.max_concurrency(), limit, "parallelism {limit}");
    }
    // Unbounded enough, the independent first steps (two roles, the log group, three
    // endpoints) overlap.
    let fake = Arc::new(FakeCloud::new(Live::default()));
    apply(&fake, &instances()).await;
    assert!(fake.max_concurrency() > 2);
}

#[tokio::test]
async fn a_failed_endpoint_skips_only_its_task_and_the_next_apply_converges() {
    let d = instances();
    let fake = Arc::new(FakeCloud::new(Live::default()));
    fake.fail(
        "create_endpoint",
        "sci-events",
        ErrorKind::Other,
        "Kafka broker unreachable",
        1,
    );
    let r = apply(&fake, &d).await;
    let rep = &r.report;
    assert!(!rep.success());
    assert_eq!(
        names(rep.failed.iter().map(|f| (f.kind, f.name.clone()))),
        ["endpoint events"]
    );
    assert_eq!(
        rep.failed[0].error,
        Failure::new(
            FailureKind::Cloud(ErrorKind::Other),
            "create_endpoint: Kafka broker unreachable"
        )
    );
    assert_eq!(
        names(rep.skipped.iter().map(|s| (s.kind, s.name.clone()))),
        ["task events"]
    );
    assert_eq!(rep.skipped[0].reason, "endpoint events (create) failed");
    assert_eq!(rep.done.len(), 8);
    assert!(rep
        .done
        .iter()
        .any(|x| x.kind == Kind::Task && x.name == "history"));
    assert_eq!(
        rep.summary_line("Apply"),
        "Apply: 8 done, 1 failed, 1 skipped."
    );
    let text = rep.text("Apply");
    assert!(text
        .contains("failed:  endpoint events (create): create_endpoint: Kafka broker unreachable"));
    assert!(text.contains("skipped: task events (create): endpoint events (create) failed"));
    let json: serde_json::Value = serde_json::from_str(&rep.json()).expect("json");
    assert_eq!(json["failed"][0]["kind"], "endpoint");
    assert_eq!(json["failed"][0]["name"], "events");
    assert_eq!(json["skipped"][0]["name"], "events");
    assert!(r
        .output
        .contains("task events: skipped: endpoint events (create) failed"));

    // The fault is gone: the next apply creates only what is missing.
    let before = fake.writes().len();
    let again = apply(&fake, &d).await;
    assert!(again.report.success(), "{}", again.report.text("Apply"));
    let second: Vec<String> = fake.writes()[before..].to_vec();
    assert_eq!(
        second,
        ["create_endpoint sci-events", "create_task sci-events"]
    );
    let creates = fake
        .writes()
        .iter()
        .filter(|w| w.starts_with("create_task sci-history"))
        .count();
    assert_eq!(creates, 1);
    assert_converged(&fake, &d);
}

/// A live state in sync with `d`, with the task `history` in `status`.
/// Issue: a create whose answer was lost (a 500 after it took effect, retried by the SDK)
/// met `AlreadyExists` and failed its step, skipping everything after it.
#[tokio::test]
async fn a_create_whose_answer_was_lost_goes_on_with_what_it_made() {
    for (mode, lost) in [
        (
            "instances",
            &[
                ("create_subnet_group", "sci-private"),
                ("create_instance", "sci-main"),
                ("create_endpoint", "sci-backend"),
                ("create_task", "sci-history"),
            ][..],
        ),
        (
            "serverless",
            &[
                ("create_endpoint", "sci-events"),
                ("create_replication_config", "sci-history"),
            ][..],
        ),
    ] {
        let d = desired_from(&spec(mode));
        let fake = Arc::new(FakeCloud::new(Live::default()));
        for (op, target) in lost {
            fake.lose_response(op, target, 1);
        }
        let r = apply(&fake, &d).await;
        assert!(r.report.success(), "{mode}: {}", r.report.text("Apply"));
        let recovered = r
            .report
            .done
            .iter()
            .filter(|x| {
                x.detail
                    .contains("an earlier attempt's, whose answer was lost")
            })
            .count();
        assert_eq!(recovered, lost.len(), "{mode}: {}", r.report.text("Apply"));
        // Nothing was made twice, and what depends on a recovered resource was created on it.
        for (op, target) in lost {
            let creates = fake
                .calls()
                .iter()
                .filter(|c| c.op == *op && c.target == *target)
                .count();
            assert_eq!(
                creates, 1,
                "{mode}: {op} {target} (the fake counts a call once)"
            );
        }
        assert_converged(&fake, &d);
    }
}

#[tokio::test]
async fn a_create_that_meets_a_stranger_is_the_conflict_plan_reports() {
    let d = instances();
    let fake = Arc::new(FakeCloud::new(Live::default()));
    let prepared = prepare(
        fake.as_ref(),
        Request {
            desired: &d,
            spec_text: "",
            saved: None,
            allow_destroy: false,
            update_secrets: false,
            env: &env,
        },
    )
    .await
    .expect("prepares");
    let Prepared::Ready(ready) = prepared else {
        panic!("changes expected")
    };
    // Between the plan and the create, someone clicks an endpoint of that name together.
    let mut stranger = live_from(&d).endpoints["sci-backend"].clone();
    stranger.tags.clear();
    fake.edit(|live| {
        live.endpoints.insert("sci-backend".into(), stranger);
    });
    let progress = Arc::new(Progress::new(Box::new(Buf::default())));
    let report = execute(fake.clone(), *ready, opts(), progress, CancelToken::new()).await;
    let failed: Vec<_> = report
        .failed
        .iter()
        .map(|f| (f.name.as_str(), f.error.message.as_str()))
        .collect();
    assert_eq!(failed.len(), 1, "{}", report.text("Apply"));
    assert_eq!(report.failed[0].error.kind, FailureKind::Conflict);
    assert_eq!(failed[0].0, "backend");
    assert!(
        failed[0]
            .1
            .starts_with("endpoint `backend` (`sci-backend`): exists without dmsctl's tags"),
        "{}",
        failed[0].1
    );
    assert!(
        failed[0].1.contains("dmsctl adopt backend"),
        "{}",
        failed[0].1
    );
    // The stranger was not touched.
    assert!(fake.live().endpoints["sci-backend"].tags.is_empty());
    assert!(!fake
        .writes()
        .iter()
        .any(|w| w.contains("tags") && w.contains("SCIBACKEND")));
}

#[tokio::test]
async fn stop_modify_and_resume_whose_answers_were_lost_go_on() {
    let fake = Arc::new(FakeCloud::new(with_task(&instances(), "running")));
    let arn = fake.live().tasks["sci-history"].arn.clone();
    for op in ["stop_task", "modify_task", "start_task"] {
        fake.lose_response(op, &arn, 1);
    }
    let d = edited();
    let r = apply(&fake, &d).await;
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    assert!(r
        .output
        .contains("task history: stopped, modified and resumed"));
    assert_eq!(fake.live().tasks["sci-history"].status, "running");
    assert_converged(&fake, &d);
}

#[tokio::test]
async fn deletes_whose_answers_were_lost_are_done() {
    let d = instances();
    let fake = Arc::new(FakeCloud::new(live_from(&d)));
    let live = fake.live();
    fake.lose_response("delete_task", &live.tasks["sci-history"].arn, 1);
    fake.lose_response("delete_endpoint", &live.endpoints["sci-events"].arn, 1);
    fake.lose_response("delete_subnet_group", "sci-private", 1);
    let gone = nothing(&d);
    let mut a = Args::new(&gone);
    a.allow_destroy = true;
    let r = run(&fake, a).await.expect("starts");
    assert!(r.report.success(), "{}", r.report.text("Destroy"));
    let left = fake.live();
    assert!(left.tasks.is_empty() && left.endpoints.is_empty() && left.subnet_groups.is_empty());
}

/// Issue: apply of 300 tasks made 301 `DescribeReplicationTasks` calls, each task waiting
/// alone. Waits in flight now share poll rounds.
#[tokio::test]
async fn waits_in_flight_share_their_polls() {
    let mut text = spec("instances");
    let mut extra = String::new();
    for i in 0..40 {
        extra.push_str(&format!(
            "  t{i}:\n    source: backend\n    target: receiver\n    type: full-load\n    rules: history\n"
        ));
    }
    text = text.replace("replications:\n", &format!("replications:\n{extra}"));
    let d = desired_from(&text);
    assert_eq!(d.tasks.len(), 42);
    let fake = Arc::new(FakeCloud::new(Live::default()));
    let mut a = Args::new(&d);
    // Polls at most every 20 ms, as DMS would be polled at most every second.
    a.opts.backoff.initial = Duration::from_millis(20);
    let r = run(&fake, a).await.expect("starts");
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    let waits = fake
        .log()
        .iter()
        .filter(|l| l.starts_with("status "))
        .count();
    // Every task, endpoint and the instance was waited on...
    assert!(waits >= 46, "{waits}: 42 tasks, 3 endpoints, 1 instance");
    // ...in far fewer calls than waits.
    let polls = fake.polls();
    assert!(polls * 4 <= waits, "{polls} polls for {waits} waits");
    assert_converged(&fake, &d);
}

#[tokio::test]
async fn tasks_wait_for_an_instance_a_killed_apply_left_creating() {
    let d = instances();
    let mut live = live_from(&d);
    live.tasks.clear();
    let instance = live.instances.get_mut("sci-main").expect("instance");
    instance.status = "creating".into();
    let arn = instance.arn.clone();
    let fake = Arc::new(FakeCloud::new(live));
    fake.then(&arn, &["available"]);
    let r = apply(&fake, &d).await;
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    let log = fake.log();
    assert!(
        last(&log, &format!("status {arn}")) < first(&log, "create_task"),
        "{log:#?}"
    );
    assert!(r
        .output
        .contains("waiting until able to use its replication instance"));
    assert_converged(&fake, &d);
}

fn with_task(d: &Desired, status: &str) -> Live {
    let mut live = live_from(d);
    let t = live.tasks.get_mut("sci-history").expect("task");
    t.status = status.into();
    t.has_run = true;
    live
}

fn edited() -> Desired {
    desired_from(&spec("instances").replace(
        "    type: full-load-and-cdc\n    rules: history\n",
        "    type: full-load-and-cdc\n    rules: history\n    settings:\n      FullLoadSettings:\n        TargetTablePrepMode: TRUNCATE_BEFORE_LOAD\n",
    ))
}

#[tokio::test]
async fn a_running_task_is_stopped_modified_and_resumed() {
    let fake = Arc::new(FakeCloud::new(with_task(&instances(), "running")));
    let d = edited();
    let p = crate::plan::plan(&d, &fake.live());
    let c = p
        .actionable()
        .find(|c| c.kind == Kind::Task)
        .expect("task change");
    assert!(c.restart && c.action == Action::Update);
    let r = apply(&fake, &d).await;
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    let arn = fake.live().tasks["sci-history"].arn.clone();
    assert_eq!(
        fake.writes(),
        [
            format!("stop_task {arn}"),
            format!("modify_task {arn}"),
            format!("start_task {arn}")
        ]
    );
    let start = fake
        .calls()
        .into_iter()
        .find(|c| c.op == "start_task")
        .expect("start");
    assert!(start.detail.starts_with("resume-processing"));
    // It left `modifying` before the resume (the fake refuses to start a modifying task), and
    // apply returned once it was running again.
    assert!(r
        .output
        .contains("task history: stopped, modified and resumed"));
    assert_eq!(fake.live().tasks["sci-history"].status, "running");
}

#[tokio::test]
async fn a_stopped_task_is_modified_and_not_resumed() {
    let fake = Arc::new(FakeCloud::new(with_task(&instances(), "stopped")));
    let r = apply(&fake, &edited()).await;
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    let arn = fake.live().tasks["sci-history"].arn.clone();
    assert_eq!(fake.writes(), [format!("modify_task {arn}")]);
    assert_eq!(fake.live().tasks["sci-history"].status, "stopped");
}

#[tokio::test]
async fn a_task_started_after_the_plan_is_never_modified_while_running() {
    // Planned while stopped (no restart), started before the apply ran.
    let d = edited();
    let fake = Arc::new(FakeCloud::new(with_task(&instances(), "stopped")));
    let saved = SavedPlan::new(crate::plan::plan(&d, &fake.live()), &fake.live(), "spec");
    assert!(saved.plan.changes.iter().all(|c| !c.restart));
    let ready = Ready {
        plan: saved.plan.clone(),
        desired: d.clone(),
        live: fake.live(),
        secrets: Secrets::new(),
    };
    let arn = fake.live().tasks["sci-history"].arn.clone();
    fake.start_task(&arn, crate::cloud::StartKind::ResumeProcessing, None)
        .await
        .expect("start");
    fake.status(Waitable::Task, &arn).await.expect("poll");
    assert_eq!(fake.live().tasks["sci-history"].status, "running");
    let before = fake.writes().len();
    let buf = Buf::default();
    let report = execute(
        fake.clone(),
        ready,
        opts(),
        Arc::new(Progress::new(Box::new(buf))),
        CancelToken::new(),
    )
    .await;
    assert!(report.success(), "{}", report.text("Apply"));
    assert_eq!(
        fake.writes()[before..],
        [
            format!("stop_task {arn}"),
            format!("modify_task {arn}"),
            format!("start_task {arn}")
        ]
    );
}

#[tokio::test]
async fn tags_no_longer_in_the_spec_are_removed_without_stopping_a_running_task() {
    let d = instances();
    let mut live = with_task(&d, "running");
    let t = live.tasks.get_mut("sci-history").expect("task");
    t.tags.insert("cost-center".into(), "billing".into());
    t.tags.insert("owner".into(), "someone".into());
    t.tags
        .insert("aws:cloudformation:stack-name".into(), "infra".into());
    let task = t.arn.clone();
    let e = live.endpoints.get_mut("sci-backend").expect("endpoint");
    e.tags.insert("cost-center".into(), "billing".into());
    let endpoint = e.arn.clone();
    let fake = Arc::new(FakeCloud::new(live));

    let r = apply(&fake, &d).await;
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    let mut writes = fake.writes();
    writes.sort();
    assert_eq!(
        writes,
        [
            format!("remove_tags {endpoint}"),
            format!("remove_tags {task}")
        ],
        "tags only: no modify, no add, no stop"
    );
    let keys = |arn: &str| {
        fake.calls()
            .into_iter()
            .find(|c| c.op == "remove_tags" && c.target == arn)
            .map(|c| c.detail)
            .expect("remove_tags call")
    };
    assert_eq!(keys(&task), r#"["cost-center", "owner"]"#);
    assert_eq!(keys(&endpoint), r#"["cost-center"]"#);
    let after = fake.live();
    let tags = &after.tasks["sci-history"].tags;
    assert_eq!(after.tasks["sci-history"].status, "running");
    assert!(tags.contains_key(TAG_STACK) && tags.contains_key(TAG_NAME));
    assert!(tags.contains_key("aws:cloudformation:stack-name"));
    assert!(!tags.contains_key("cost-center") && !tags.contains_key("owner"));
    assert_converged(&fake, &d);
}

#[tokio::test]
async fn a_saved_plan_never_removes_a_tag_the_spec_wants() {
    let d = instances();
    let mut live = live_from(&d);
    let e = live.endpoints.get_mut("sci-backend").expect("endpoint");
    e.tags.insert("cost-center".into(), "billing".into());
    let arn = e.arn.clone();
    let fake = Arc::new(FakeCloud::new(live));
    let mut p = crate::plan::plan(&d, &fake.live());
    // A plan edited to remove the ownership tag too.
    let c = p
        .changes
        .iter_mut()
        .find(|c| c.kind == Kind::Endpoint && c.name == "backend")
        .expect("endpoint change");
    c.diffs.push(crate::plan::Diff {
        field: format!("Tags.{TAG_STACK}"),
        before: Some("sci".into()),
        after: None,
        forces_replacement: false,
    });
    let ready = Ready {
        plan: p,
        desired: d.clone(),
        live: fake.live(),
        secrets: Secrets::new(),
    };
    let report = execute(
        fake.clone(),
        ready,
        opts(),
        Arc::new(Progress::new(Box::new(Buf::default()))),
        CancelToken::new(),
    )
    .await;
    assert!(report.success(), "{}", report.text("Apply"));
    let call = fake
        .calls()
        .into_iter()
        .find(|c| c.op == "remove_tags")
        .expect("remove_tags call");
    assert_eq!(
        (call.target, call.detail),
        (arn, r#"["cost-center"]"#.into())
    );
    assert!(fake.live().endpoints["sci-backend"]
        .tags
        .contains_key(TAG_STACK));
}

#[tokio::test]
async fn a_running_serverless_replication_is_stopped_modified_and_resumed() {
    let before = desired_from(&spec("serverless"));
    let mut live = live_from(&before);
    let rc = live
        .replication_configs
        .get_mut("sci-history")
        .expect("config");
    rc.status = Some("running".into());
    rc.has_run = true;
    let arn = rc.arn.clone();
    let fake = Arc::new(FakeCloud::new(live));
    let d = desired_from(&spec("serverless").replace("max_dcu: 4", "max_dcu: 8"));
    let r = apply(&fake, &d).await;
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    let writes = fake.writes();
    let mine: Vec<&String> = writes.iter().filter(|w| w.ends_with(&arn)).collect();
    assert_eq!(
        mine,
        [
            &format!("stop_replication {arn}"),
            &format!("modify_replication_config {arn}"),
            &format!("start_replication {arn}")
        ]
    );
    assert_eq!(
        fake.live().replication_configs["sci-history"]
            .status
            .as_deref(),
        Some("running")
    );
    // The other one was not running: modified only.
    let other = fake.live().replication_configs["sci-events"].arn.clone();
    assert_eq!(
        writes.iter().filter(|w| w.ends_with(&other)).count(),
        1,
        "{writes:#?}"
    );
    assert_converged(&fake, &d);
}

#[tokio::test]
async fn hazards_block_without_allow_destroy_and_nothing_is_called() {
    let fake = Arc::new(FakeCloud::new(with_task(&instances(), "stopped")));
    let d = desired_from(&spec("serverless"));
    let e = run(&fake, Args::new(&d)).await.err().expect("refused");
    let msg = e.to_string();
    assert!(matches!(e, ApplyError::Hazards(_)), "{msg}");
    assert!(msg.contains("task history (delete): has run"), "{msg}");
    assert!(msg.contains("--allow-destroy"));
    assert!(fake.writes().is_empty(), "{:#?}", fake.writes());

    let mut a = Args::new(&d);
    a.allow_destroy = true;
    let r = run(&fake, a).await.expect("allowed");
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    assert_converged(&fake, &d);
}

#[tokio::test]
async fn a_stale_saved_plan_is_refused_naming_the_resource() {
    let d = instances();
    let fake = Arc::new(FakeCloud::new(Live::default()));
    let spec_text = spec("instances");
    let saved = SavedPlan::new(
        crate::plan::plan(&d, &fake.live()),
        &fake.live(),
        &spec_text,
    );
    // Someone creates the backend endpoint between plan and apply.
    fake.create_endpoint(&d.endpoints["backend"], &Default::default())
        .await
        .expect("create");
    let before = fake.writes().len();
    let mut a = Args::new(&d);
    a.spec_text = &spec_text;
    a.saved = Some(&saved);
    let e = run(&fake, a).await.err().expect("stale");
    let msg = e.to_string();
    assert!(msg.starts_with("plan is stale: "), "{msg}");
    assert!(msg.contains("endpoint `sci-backend` appeared"), "{msg}");
    assert!(msg.ends_with("run `dmsctl plan` again"));
    assert_eq!(fake.writes().len(), before);

    // A saved plan that still holds runs.
    let fresh = Arc::new(FakeCloud::new(Live::default()));
    let mut a = Args::new(&d);
    a.spec_text = &spec_text;
    a.saved = Some(&saved);
    let r = run(&fresh, a).await.expect("fresh plan");
    assert!(r.report.success());
    // One from another stack is refused by name too.
    let mut other = saved.clone();
    other.stack = "other".into();
    let mut a = Args::new(&d);
    a.saved = Some(&other);
    let e = run(&fresh, a).await.err().expect("other stack");
    assert!(e.to_string().contains("stack `other`"));
}

#[tokio::test]
async fn an_unset_secret_fails_before_any_call() {
    let d = instances();
    let fake = Arc::new(FakeCloud::new(Live::default()));
    let only_backend = |v: &str| (v == "BACKEND_PW").then(|| "x".to_string());
    let mut a = Args::new(&d);
    a.env = &only_backend;
    let e = run(&fake, a).await.err().expect("refused");
    let msg = e.to_string();
    assert!(
        msg.contains(
            "endpoint `events`: environment variable `MSK_PW` (KafkaSettings.SaslPassword) is not set"
        ),
        "{msg}"
    );
    assert!(msg.contains("endpoint `receiver`: environment variable `RECEIVER_PW` (password)"));
    assert!(fake.writes().is_empty());
}

#[tokio::test]
async fn secrets_are_sent_and_never_printed() {
    let d = instances();
    let fake = Arc::new(FakeCloud::new(Live::default()));
    let r = apply(&fake, &d).await;
    assert!(r.report.success());
    let mut received = fake.secrets_received();
    received.sort();
    let mut want: Vec<String> = SECRETS.iter().map(|(_, v)| v.to_string()).collect();
    want.sort();
    assert_eq!(received, want, "every secret reached DMS");
    let calls = format!("{:?}", fake.calls());
    assert!(calls.contains("(sensitive)"));
    let printed = [
        r.output.clone(),
        r.report.text("Apply"),
        r.report.json(),
        calls,
    ];
    for (_, value) in SECRETS {
        for text in &printed {
            assert!(!text.contains(value), "secret leaked into {text}");
        }
    }
}

#[tokio::test]
async fn secrets_are_resolved_only_when_sent() {
    let d = instances();
    // In sync but for the receiver's host: an update, which sends no secrets by default.
    let mut live = live_from(&d);
    live.endpoints
        .get_mut("sci-receiver")
        .expect("endpoint")
        .server_name = Some("old.example.com".into());
    let fake = Arc::new(FakeCloud::new(live));
    let nothing_set = |_: &str| None;
    let mut a = Args::new(&d);
    a.env = &nothing_set;
    let r = run(&fake, a).await.expect("no secret needed");
    assert!(r.report.success());
    let modify = fake
        .calls()
        .into_iter()
        .find(|c| c.op == "modify_endpoint")
        .expect("modify");
    assert!(modify.detail.ends_with(" None"), "{}", modify.detail);

    // With --update-secrets the variable is needed, and re-sent.
    let mut live = live_from(&d);
    live.endpoints
        .get_mut("sci-receiver")
        .expect("endpoint")
        .server_name = Some("old.example.com".into());
    let fake = Arc::new(FakeCloud::new(live));
    let mut a = Args::new(&d);
    a.env = &nothing_set;
    a.opts.update_secrets = true;
    let e = run(&fake, a).await.err().expect("needs RECEIVER_PW");
    assert!(e.to_string().contains("RECEIVER_PW"));
    let mut a = Args::new(&d);
    a.opts.update_secrets = true;
    let r = run(&fake, a).await.expect("resolved");
    assert!(r.report.success());
    assert_eq!(fake.secrets_received(), ["pw-receiver-0xFEEDFACE"]);
}

fn kafka_password_in_secrets_manager() -> Desired {
    desired_from(&spec("instances").replace(
        "sasl_password: { env: MSK_PW }",
        "sasl_password: { secrets_manager: { secret_id: msk/dms, access_role_arn: 'arn:aws:iam::123456789012:role/r' } }",
    ))
}

#[tokio::test]
async fn kafka_password_is_read_from_secrets_manager_and_sent() {
    let d = kafka_password_in_secrets_manager();
    for (stored, sent) in [
        // The console's credentials layout: a JSON object with `password`.
        (
            r#"{"username": "dms", "password": "kafka-pw-0xBEEF"}"#,
            "kafka-pw-0xBEEF",
        ),
        // A plain string: the whole secret.
        ("kafka-pw-plain-0xF00D", "kafka-pw-plain-0xF00D"),
    ] {
        let fake = Arc::new(FakeCloud::new(Live::default()));
        fake.put_secret("msk/dms", stored);
        let r = run(&fake, Args::new(&d)).await.expect("resolved");
        assert!(r.report.success(), "{}", r.report.text("Apply"));
        assert!(
            fake.secrets_received().iter().any(|s| s == sent),
            "{:?}",
            fake.secrets_received()
        );
        assert!(!r.output.contains(sent), "{}", r.output);
        assert_eq!(
            fake.log()
                .iter()
                .filter(|c| c.starts_with("secret_value"))
                .count(),
            1
        );
    }
}

#[tokio::test]
async fn an_unreadable_or_passwordless_secret_stops_the_apply_before_any_change() {
    let d = kafka_password_in_secrets_manager();
    let fake = Arc::new(FakeCloud::new(Live::default()));
    let e = run(&fake, Args::new(&d)).await.err().expect("no secret");
    assert_eq!(
        e.to_string(),
        "cannot resolve secrets; nothing was changed: endpoint `events`: cannot read \
         KafkaSettings.SaslPassword from AWS Secrets Manager secret `msk/dms`: GetSecretValue: \
         Secrets Manager can't find the specified secret."
    );
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());

    fake.put_secret("msk/dms", r#"{"username": "dms", "pass": "x"}"#);
    let e = run(&fake, Args::new(&d))
        .await
        .err()
        .expect("no password member");
    assert!(
        e.to_string()
            .contains("secret `msk/dms` (KafkaSettings.SaslPassword) is a JSON object without a string `password` member"),
        "{e}"
    );
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
}

fn task_arn(suffix: &str) -> String {
    format!("arn:aws:dms:eu-central-1:123456789012:task:{suffix}")
}

#[tokio::test]
async fn deletes_run_in_reverse_order_and_wait_for_tasks_to_be_gone() {
    let d = instances();
    let mut live = live_from(&d);
    live.tasks.get_mut("sci-events").expect("task").status = "running".into();
    let instance_arn = live.instances["sci-main"].arn.clone();
    let fake = Arc::new(FakeCloud::new(live));
    let gone = nothing(&d);
    let mut a = Args::new(&gone);
    a.allow_destroy = true;
    let r = run(&fake, a).await.expect("starts");
    assert!(r.report.success(), "{}", r.report.text("Destroy"));
    let log = fake.log();
    // The running task is stopped first.
    let events = fake.live();
    assert!(events.tasks.is_empty() && events.endpoints.is_empty());
    assert!(first(&log, "stop_task") < first(&log, "delete_task"));
    // Each endpoint, and the instance, only once the last poll of every task using it said
    // "gone" (and no sooner than needed: the receiver does not wait for the events task).
    let gone = |task: &str| last(&log, &format!("status {}", task_arn(task)));
    let delete = |what: &str| first(&log, &format!("delete_{what}"));
    assert!(
        gone("SCIHISTORY")
            < delete("endpoint arn:aws:dms:eu-central-1:123456789012:endpoint:SCIRECEIVER"),
        "{log:#?}"
    );
    assert!(
        gone("SCIEVENTS")
            < delete("endpoint arn:aws:dms:eu-central-1:123456789012:endpoint:SCIEVENTS")
    );
    for t in ["SCIHISTORY", "SCIEVENTS"] {
        assert!(
            gone(t) < delete("endpoint arn:aws:dms:eu-central-1:123456789012:endpoint:SCIBACKEND")
        );
        assert!(gone(t) < delete("instance"));
    }
    // The subnet group once the instance is gone.
    assert!(last(&log, &format!("status {instance_arn}")) < first(&log, "delete_subnet_group"));
    assert_eq!(
        r.report
            .done
            .iter()
            .map(|x| x.action.as_str())
            .collect::<Vec<_>>(),
        ["delete"; 7]
    );
}

#[tokio::test]
async fn destroy_removes_what_the_stack_owns_and_nothing_else() {
    let d = instances();
    let mut live = live_from(&d);
    // Another stack's endpoint, a hand-made one, the account's roles and log groups.
    let mut other = live.endpoints["sci-backend"].clone();
    other.identifier = "other-backend".into();
    other.arn = crate::cloud::fake::arn("endpoint", "other-backend");
    other.tags.insert(TAG_STACK.into(), "other".into());
    live.endpoints.insert("other-backend".into(), other);
    let mut manual = live.endpoints["sci-receiver"].clone();
    manual.identifier = "manual".into();
    manual.arn = crate::cloud::fake::arn("endpoint", "manual");
    manual.tags.remove(TAG_STACK);
    manual.tags.remove(TAG_NAME);
    live.endpoints.insert("manual".into(), manual);
    let roles = live.roles.clone();
    let log_groups = live.log_groups.clone();
    assert_eq!(roles.len(), 2);
    let fake = Arc::new(FakeCloud::new(live));

    let empty = nothing(&d);
    // Destroy allows the data-loss hazards once confirmed.
    let mut a = Args::new(&empty);
    a.allow_destroy = true;
    a.env = &|_| None;
    let r = run(&fake, a).await.expect("destroy");
    assert!(r.report.success(), "{}", r.report.text("Destroy"));
    let after = fake.live();
    assert_eq!(
        after.endpoints.keys().collect::<Vec<_>>(),
        ["manual", "other-backend"]
    );
    assert!(after.tasks.is_empty() && after.instances.is_empty());
    assert!(after.subnet_groups.is_empty());
    assert_eq!(after.roles, roles);
    assert_eq!(after.log_groups, log_groups);
    assert!(fake
        .writes()
        .iter()
        .all(|w| !w.contains("role") && !w.contains("log")));
}

#[tokio::test]
async fn ctrl_c_stops_scheduling_and_lets_in_flight_steps_finish() {
    let d = instances();
    let fake = Arc::new(FakeCloud::new(Live::default()));
    let cancel = CancelToken::new();
    fake.cancel_on("create_subnet_group", cancel.clone());
    let mut a = Args::new(&d);
    a.cancel = cancel;
    let r = run(&fake, a).await.expect("starts");
    let rep = &r.report;
    assert!(rep.interrupted && !rep.success());
    assert!(rep.failed.is_empty());
    // The step in flight finished; nothing new started.
    assert!(rep
        .done
        .iter()
        .any(|x| x.kind == Kind::SubnetGroup && x.action == "create"));
    assert_eq!(
        names(rep.skipped.iter().map(|s| (s.kind, s.name.clone()))),
        ["instance main", "task events", "task history"]
    );
    assert!(rep
        .skipped
        .iter()
        .all(|s| s.reason == "interrupted before it started"));
    assert!(!fake
        .writes()
        .iter()
        .any(|w| w.starts_with("create_instance")));
    assert!(r.output.contains("interrupted: no new steps are started"));
    assert!(rep.text("Apply").starts_with("Interrupted"));

    // The next apply picks up where it stopped.
    let again = apply(&fake, &d).await;
    assert!(again.report.success());
    assert_eq!(again.report.done.len(), 3);
    assert_converged(&fake, &d);
}

const IAM_ERROR: &str =
    "The IAM Role arn:aws:iam::123456789012:role/dms-vpc-role is not configured properly.";

#[tokio::test]
async fn a_new_role_dms_does_not_see_yet_is_retried() {
    let d = instances();
    let fake = Arc::new(FakeCloud::new(Live::default()));
    fake.fail(
        "create_instance",
        "sci-main",
        ErrorKind::Other,
        IAM_ERROR,
        2,
    );
    let r = apply(&fake, &d).await;
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    let tries = fake
        .writes()
        .iter()
        .filter(|w| w.starts_with("create_instance"))
        .count();
    assert_eq!(tries, 3);
    assert!(r.output.contains("not visible to DMS yet; retrying"));
}

#[tokio::test]
async fn an_old_role_dms_rejects_fails_at_once() {
    let d = instances();
    let mut live = live_from(&d);
    // The roles exist; the instance and its tasks do not.
    live.instances.clear();
    live.tasks.clear();
    let fake = Arc::new(FakeCloud::new(live));
    fake.fail(
        "create_instance",
        "sci-main",
        ErrorKind::Other,
        IAM_ERROR,
        5,
    );
    let r = apply(&fake, &d).await;
    assert_eq!(r.report.failed.len(), 1);
    assert_eq!(r.report.skipped.len(), 2);
    let tries = fake
        .writes()
        .iter()
        .filter(|w| w.starts_with("create_instance"))
        .count();
    assert_eq!(tries, 1);
}

#[tokio::test]
async fn waits_time_out_and_report_dms_failures() {
    let d = instances();
    let mut live = live_from(&d);
    live.instances.get_mut("sci-main").expect("instance").status = "creating".into();
    let t = live.tasks.get_mut("sci-history").expect("task");
    t.status = "failed".into();
    t.last_failure_message = Some("Endpoint receiver unreachable".into());
    let (inst, task) = (live.instances["sci-main"].arn.clone(), t.arn.clone());
    let fake = Arc::new(FakeCloud::new(live));
    let backoff = opts().backoff;
    let poller = super::poll::Poller::start(fake.clone(), backoff.initial);
    let soon = tokio::time::Instant::now() + Duration::from_millis(30);
    let e = wait::until(
        &poller,
        Waitable::Instance,
        &inst,
        "replication instance `sci-main` to be available",
        wait::instance_available,
        soon,
        backoff,
    )
    .await
    .expect_err("times out");
    assert_eq!(
        e.to_string(),
        "timed out waiting for replication instance `sci-main` to be available (last status: creating)"
    );
    let e = wait::until(
        &poller,
        Waitable::Task,
        &task,
        "task `sci-history` to be ready",
        wait::task_ready,
        soon,
        backoff,
    )
    .await
    .expect_err("failed");
    assert_eq!(
        e.to_string(),
        "task `sci-history` to be ready: status failed: Endpoint receiver unreachable"
    );
}

#[tokio::test]
async fn the_deadline_stops_new_steps() {
    let d = instances();
    let fake = Arc::new(FakeCloud::new(Live::default()));
    let mut a = Args::new(&d);
    a.opts.timeout = Duration::from_millis(1);
    a.opts.parallelism = 1;
    let r = run(&fake, a).await.expect("starts");
    assert!(r.report.interrupted);
    assert!(r
        .report
        .skipped
        .iter()
        .any(|s| s.reason == "the --timeout deadline passed"));
}

#[test]
fn progress_lines_are_timestamped_in_utc() {
    let buf = Buf::default();
    let p = Progress::with_clock(Box::new(buf.clone()), || {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_462_802)
    });
    p.step(Kind::Endpoint, "backend", "creating");
    assert_eq!(
        buf.text(),
        "2026-11-23T19:40:02Z endpoint backend: creating\n"
    );
}

#[test]
fn the_report_json_keeps_each_failure_s_kind_beside_its_message() {
    let mut report = Report::default();
    let entry = |name: &str| Entry {
        kind: Kind::Endpoint,
        name: name.into(),
        id: format!("sci-{name}"),
        action: "create".into(),
    };
    report.add_failed(
        entry("events"),
        Failure::new(
            FailureKind::Cloud(ErrorKind::Throttled),
            "CreateEndpoint: Rate exceeded",
        ),
    );
    report.add_failed(
        entry("backend"),
        Failure::new(FailureKind::Timeout, "timed out waiting for endpoint"),
    );
    let doc: serde_json::Value = serde_json::from_str(&report.json()).expect("JSON");
    assert_eq!(
        doc["failed"][0]["error"],
        serde_json::json!({"kind": "throttled", "message": "CreateEndpoint: Rate exceeded"})
    );
    assert_eq!(doc["failed"][1]["error"]["kind"], "timeout");
    assert_eq!(
        doc["failed"][0]["kind"],
        serde_json::to_value(Kind::Endpoint).expect("kind")
    );
}

const ALERTS: &str = r#"
alerts:
  events:
    failures:
      topic_arn: arn:aws:sns:eu-central-1:123456789012:dms-alerts
      categories: [failure, state change]
      replications: [history]
  cdc_latency:
    lag:
      source_seconds: 300
      target_seconds: 600
      actions: [arn:aws:sns:eu-central-1:123456789012:dms-alerts]
"#;

fn with_alerts(alerts: &str) -> Desired {
    desired_from(&format!("{}{alerts}", spec("instances")))
}

#[tokio::test]
async fn alerts_are_built_after_what_they_name_updated_in_place_and_deleted_with_the_spec() {
    let d = with_alerts(ALERTS);
    assert_eq!(
        d.alarms.keys().collect::<Vec<_>>(),
        [
            "lag.events.source",
            "lag.events.target",
            "lag.history.source",
            "lag.history.target"
        ]
    );
    let fake = Arc::new(FakeCloud::new(Live::default()));
    let r = apply(&fake, &d).await;
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    let log = fake.log();
    let task = first(&log, "create_task sci-history");
    assert!(task < first(&log, "create_event_subscription sci-failures"));
    assert!(task < first(&log, "put_alarm sci-lag-history-cdc-latency-source"));
    let live = fake.live();
    let sub = &live.event_subscriptions["sci-failures"];
    assert_eq!(sub.source_ids, ["sci-history"]);
    assert_eq!(sub.source_type.as_deref(), Some("replication-task"));
    assert_eq!(sub.event_categories, ["failure", "state change"]);
    assert_eq!(sub.tags.get(TAG_NAME).map(String::as_str), Some("failures"));
    let task_arn = &live.tasks["sci-history"].arn;
    let alarm = &live.alarms["sci-lag-history-cdc-latency-target"];
    assert_eq!(alarm.metric_name.as_deref(), Some("CDCLatencyTarget"));
    assert_eq!(alarm.threshold, Some(600.0));
    assert_eq!(
        alarm.dimensions,
        [
            (
                "ReplicationInstanceIdentifier".to_string(),
                "sci-main".to_string()
            ),
            (
                "ReplicationTaskIdentifier".to_string(),
                crate::dms::resource_id(task_arn).to_string()
            ),
        ]
    );
    assert_eq!(
        alarm.tags.get(TAG_NAME).map(String::as_str),
        Some("lag.history.target")
    );
    assert_converged(&fake, &d);

    // A new threshold and category are updates in place; another list of tasks replaces
    // the subscription, which DMS cannot change.
    let edited = with_alerts(
        &ALERTS
            .replace("source_seconds: 300", "source_seconds: 120")
            .replace("[failure, state change]", "[failure]"),
    );
    let p = crate::plan::plan(&edited, &fake.live());
    let action = |kind: Kind, name: &str| {
        p.changes
            .iter()
            .find(|c| c.kind == kind && c.name == name)
            .map(|c| c.action)
    };
    assert_eq!(
        action(Kind::Alarm, "lag.history.source"),
        Some(Action::Update)
    );
    assert_eq!(
        action(Kind::Alarm, "lag.history.target"),
        Some(Action::NoOp)
    );
    assert_eq!(
        action(Kind::EventSubscription, "failures"),
        Some(Action::Update)
    );
    let r = apply(&fake, &edited).await;
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    let live = fake.live();
    assert_eq!(
        live.alarms["sci-lag-history-cdc-latency-source"].threshold,
        Some(120.0)
    );
    // PutMetricAlarm kept the alarm's tags.
    assert_eq!(
        live.alarms["sci-lag-history-cdc-latency-source"]
            .tags
            .get(TAG_STACK)
            .map(String::as_str),
        Some("sci")
    );
    assert_eq!(
        live.event_subscriptions["sci-failures"].event_categories,
        ["failure"]
    );
    assert_converged(&fake, &edited);

    let wider =
        with_alerts(&ALERTS.replace("replications: [history]", "replications: [history, events]"));
    let p = crate::plan::plan(&wider, &fake.live());
    let sub = p
        .changes
        .iter()
        .find(|c| c.kind == Kind::EventSubscription)
        .expect("subscription planned");
    assert_eq!(sub.action, Action::Replace, "{sub:#?}");
    assert!(sub
        .reasons
        .iter()
        .any(|r| r.contains("DMS cannot change which tasks")));

    // Without alerts in the spec, the stack's alarms and subscription are deleted, and
    // nothing else is.
    let none = instances();
    let p = crate::plan::plan(&none, &fake.live());
    let deletes: Vec<String> = p
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| format!("{} {}", c.kind, c.name))
        .collect();
    assert_eq!(
        deletes,
        [
            "event-subscription failures",
            "alarm lag.events.source",
            "alarm lag.events.target",
            "alarm lag.history.source",
            "alarm lag.history.target"
        ]
    );
    let r = run(
        &fake,
        Args {
            allow_destroy: true,
            ..Args::new(&none)
        },
    )
    .await
    .expect("apply starts");
    assert!(r.report.success(), "{}", r.report.text("Apply"));
    let live = fake.live();
    assert!(live.alarms.is_empty() && live.event_subscriptions.is_empty());
    assert_eq!(live.tasks.len(), 2);
    assert_converged(&fake, &none);
}

#[tokio::test]
async fn an_alarm_on_a_replaced_task_is_updated_with_dimensions_known_after_apply() {
    let d = with_alerts(ALERTS);
    let fake = Arc::new(FakeCloud::new(live_from(&d)));
    // The task is replaced (another source endpoint): its new ARN is known after apply.
    let mut moved = with_alerts(ALERTS);
    moved
        .tasks
        .get_mut("history")
        .expect("task")
        .target_endpoint = "events".into();
    let p = crate::plan::plan(&moved, &fake.live());
    let alarm = p
        .changes
        .iter()
        .find(|c| c.kind == Kind::Alarm && c.name == "lag.history.source")
        .expect("alarm planned");
    assert_eq!(alarm.action, Action::Update, "{alarm:#?}");
    assert!(p
        .changes
        .iter()
        .any(|c| c.kind == Kind::Task && c.name == "history" && c.action == Action::Replace));
    let dims = alarm
        .diffs
        .iter()
        .find(|x| x.field == "Dimensions")
        .expect("dimensions diff");
    assert!(dims
        .after
        .as_ref()
        .is_some_and(|a| a.to_string().contains("known after apply")));
}
