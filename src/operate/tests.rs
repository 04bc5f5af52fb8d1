//! `start` and `stop` against the in-memory fake: which start each replication gets, what a
//! repeated call meets, and waits for several replications served by shared poll rounds.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::cloud::fake::FakeCloud;
use crate::cloud::ReplicationKind;
use crate::live::Live;
use crate::model::Desired;
use crate::plan::testing::{desired_from, live_from};

const SPEC: &str = r#"
version: 1
stack: ops
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
rules:
  all:
    - include: { schema: app, table: "%" }
replications:
  history:
    source: backend
    target: receiver
    type: full-load-and-cdc
    rules: all
  invoices:
    source: backend
    target: receiver
    type: cdc
    rules: all
  archive:
    source: backend
    target: receiver
    type: full-load
    rules: all
compute:
  mode: MODE
  serverless:
    max_dcu: 4
  instances:
    main:
      class: dms.t3.medium
"#;

fn stack(mode: &str) -> (Desired, Arc<FakeCloud>) {
    let desired = desired_from(&SPEC.replace("mode: MODE", &format!("mode: {mode}")));
    let fake = Arc::new(FakeCloud::new(live_from(&desired)));
    (desired, fake)
}

fn targets(desired: &Desired, fake: &FakeCloud) -> Vec<Running> {
    select(desired, &fake.live(), &[]).expect("every replication exists")
}

fn opts() -> StartOptions {
    StartOptions {
        reload: false,
        cdc_start: None,
        wait: None,
        poll: Duration::from_millis(1),
        assessment: None,
    }
}

/// `name: result` of each outcome.
fn results(outcomes: &[Outcome]) -> Vec<String> {
    outcomes
        .iter()
        .map(|o| format!("{}: {}", o.name, o.result))
        .collect()
}

/// The start kind (and CDC start) each start call was made with.
fn starts(fake: &FakeCloud) -> Vec<String> {
    fake.calls()
        .into_iter()
        .filter(|c| c.op.starts_with("start_"))
        .map(|c| format!("{} {}", c.op, c.detail))
        .collect()
}

fn set_task(fake: &FakeCloud, id: &str, status: &str, has_run: bool) {
    fake.edit(|live: &mut Live| {
        let t = live.tasks.get_mut(id).expect("task");
        t.status = status.into();
        t.has_run = has_run;
    });
}

#[tokio::test]
async fn a_first_run_starts_a_later_one_resumes_and_reload_reloads() {
    let (desired, fake) = stack("instances");
    set_task(&fake, "ops-invoices", "stopped", true);
    let outcomes = start(&fake, &targets(&desired, &fake), &opts()).await;
    assert_eq!(
        results(&outcomes),
        [
            "archive: started (start-replication)",
            "history: started (start-replication)",
            "invoices: started (resume-processing)",
        ]
    );
    assert!(outcomes.iter().all(|o| o.ok));

    let (desired, fake) = stack("instances");
    set_task(&fake, "ops-history", "stopped", true);
    let reload = StartOptions {
        reload: true,
        cdc_start: Some(CdcStart::Time("2026-11-01T00:00:00Z".into())),
        ..opts()
    };
    let history = select(&desired, &fake.live(), &["history".into()]).expect("history");
    let outcomes = start(&fake, &history, &reload).await;
    assert_eq!(results(&outcomes), ["history: started (reload-target)"]);
    assert_eq!(
        starts(&fake),
        ["start_task reload-target Some(\"2026-11-01T00:00:00Z\")"]
    );
}

#[tokio::test]
async fn a_running_replication_is_left_alone() {
    let (desired, fake) = stack("instances");
    set_task(&fake, "ops-history", "running", true);
    let history = select(&desired, &fake.live(), &["history".into()]).expect("history");
    let outcomes = start(&fake, &history, &opts()).await;
    assert_eq!(results(&outcomes), ["history: already running"]);
    assert!(outcomes[0].ok);
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
}

#[tokio::test]
async fn a_repeated_start_meeting_a_starting_replication_is_done() {
    let (desired, fake) = stack("instances");
    set_task(&fake, "ops-history", "stopped", true);
    let history = select(&desired, &fake.live(), &["history".into()]).expect("history");
    // Started by an earlier attempt whose answer was lost: DMS refuses the second start.
    set_task(&fake, "ops-history", "starting", true);
    let outcomes = start(&fake, &history, &opts()).await;
    assert_eq!(results(&outcomes), ["history: started (resume-processing)"]);
    assert!(outcomes[0].ok);
}

#[tokio::test]
async fn a_repeated_stop_meeting_a_stopped_replication_is_done() {
    let (desired, fake) = stack("instances");
    set_task(&fake, "ops-history", "running", true);
    let history = select(&desired, &fake.live(), &["history".into()]).expect("history");
    // Stopped since it was read (an earlier attempt, someone else): DMS refuses the stop.
    set_task(&fake, "ops-history", "stopped", true);
    let wait = Some(Duration::from_secs(5));
    let outcomes = stop(&fake, &history, wait, Duration::from_millis(1)).await;
    assert_eq!(results(&outcomes), ["history: stopped"]);
    assert!(outcomes[0].ok);
    assert_eq!(fake.writes(), [format!("stop_task {}", history[0].arn)]);
}

#[tokio::test]
async fn a_stop_leaves_what_does_not_run() {
    let (desired, fake) = stack("instances");
    let outcomes = stop(&fake, &targets(&desired, &fake), None, Duration::ZERO).await;
    assert_eq!(
        results(&outcomes),
        [
            "archive: not running (ready)",
            "history: not running (ready)",
            "invoices: not running (ready)",
        ]
    );
    assert!(fake.writes().is_empty());
}

#[tokio::test]
async fn waits_for_several_together_in_shared_poll_rounds() {
    let (desired, fake) = stack("instances");
    let all = targets(&desired, &fake);
    let wait = StartOptions {
        wait: Some(Duration::from_secs(5)),
        ..opts()
    };
    let outcomes = start(&fake, &all, &wait).await;
    assert_eq!(
        results(&outcomes),
        ["archive: running", "history: running", "invoices: running"]
    );
    // `starting`, then `running`: two rounds for the three, not two polls each.
    assert_eq!(fake.polls(), 2);

    let outcomes = stop(
        &fake,
        &all_running(&desired, &fake),
        Some(Duration::from_secs(5)),
        Duration::from_millis(1),
    )
    .await;
    assert_eq!(
        results(&outcomes),
        ["archive: stopped", "history: stopped", "invoices: stopped"]
    );
    // Two rounds of waiting, then one read of the three recovery checkpoints together.
    assert_eq!(fake.polls(), 5);
}

/// The targets as read now.
fn all_running(desired: &Desired, fake: &FakeCloud) -> Vec<Running> {
    let all = targets(desired, fake);
    assert!(all.iter().all(|t| t.status == "running"), "{all:?}");
    all
}

#[test]
fn a_full_load_waits_for_running_or_loaded() {
    let (desired, fake) = stack("instances");
    let all = targets(&desired, &fake);
    let stopped = Status {
        status: "stopped".into(),
        message: None,
        checkpoint: None,
        assessment: None,
    };
    for t in &all {
        let done = Goal::Running.condition(t)(Some(&stopped)) == Check::Done;
        // Only a full load is done once stopped: it finished while we looked.
        assert_eq!(done, t.full_load_only, "{}", t.name);
    }
    assert_eq!(
        Goal::Stopped.condition(&all[0])(Some(&stopped)),
        Check::Done
    );
}

#[tokio::test]
async fn serverless_replications_start_and_stop_as_replications() {
    let (desired, fake) = stack("serverless");
    let all = targets(&desired, &fake);
    assert!(all.iter().all(|t| t.kind == ReplicationKind::Serverless));
    assert!(all
        .iter()
        .all(|t| t.log_group.starts_with("dms-serverless-replication-")));
    let outcomes = start(&fake, &all, &opts()).await;
    assert!(outcomes.iter().all(|o| o.ok), "{outcomes:?}");
    assert!(starts(&fake)
        .iter()
        .all(|s| s.starts_with("start_replication start-replication")));
}

#[test]
fn unknown_and_missing_names_are_errors() {
    let (desired, fake) = stack("instances");
    let err = select(&desired, &fake.live(), &["histroy".into()]).expect_err("unknown");
    assert_eq!(
        err.to_string(),
        "the spec has no replication `histroy`; did you mean `history`?"
    );
    fake.edit(|live| {
        live.tasks.remove("ops-history");
    });
    let err = select(&desired, &fake.live(), &[]).expect_err("missing");
    assert_eq!(
        err.to_string(),
        "not created yet: history (run `dmsctl apply` first)"
    );
    let (found, missing) = lookup(&desired, &fake.live(), &[]).expect("lookup");
    assert_eq!(found.len(), 2);
    assert_eq!(missing, ["history"]);
    assert_eq!(found[0].log_group, "dms-tasks-ops-main");
}

#[tokio::test]
async fn a_stop_refused_for_credentials_says_what_to_check() {
    let (desired, fake) = stack("instances");
    set_task(&fake, "ops-history", "running", true);
    let history = select(&desired, &fake.live(), &["history".into()]).expect("history");
    fake.fail(
        "stop_task",
        &history[0].arn,
        crate::cloud::ErrorKind::Denied,
        "not authorized",
        1,
    );
    let outcomes = stop(&fake, &history, None, Duration::ZERO).await;
    assert!(!outcomes[0].ok);
    assert!(
        outcomes[0]
            .result
            .contains("failed to stop: stop_task: not authorized")
            && outcomes[0]
                .result
                .contains("hint: check the AWS credentials"),
        "{}",
        outcomes[0].result
    );
}

#[tokio::test]
async fn a_log_tail_returns_each_event_once_and_then_only_new_ones() {
    let (desired, fake) = stack("instances");
    let history = select(&desired, &fake.live(), &["history".into()]).expect("history");
    fake.log_event(1_000, "first");
    fake.log_event(2_000, "second");
    let mut tail = watch::LogTail::new(&history[0], 0, None);
    let messages = |events: Vec<crate::cloud::LogEvent>| -> Vec<String> {
        events.into_iter().map(|e| e.message).collect()
    };
    assert_eq!(
        messages(tail.next(fake.as_ref()).await.expect("read")),
        ["first", "second"]
    );
    // The next read starts at the last event's millisecond, and returns it no more.
    fake.log_event(2_000, "same millisecond");
    fake.log_event(3_000, "third");
    assert_eq!(
        messages(tail.next(fake.as_ref()).await.expect("read")),
        ["same millisecond", "third"]
    );
    assert!(tail.next(fake.as_ref()).await.expect("read").is_empty());
}

#[tokio::test]
async fn rounds_without_an_interval_run_once_and_a_failed_round_ends_them() {
    let mut rounds = 0;
    watch::repeat(None, async || {
        rounds += 1;
        Ok::<_, String>(())
    })
    .await
    .expect("one round");
    assert_eq!(rounds, 1);
    let mut rounds = 0;
    let failed = watch::repeat(Some(Duration::from_millis(1)), async || {
        rounds += 1;
        if rounds == 3 {
            Err("third")
        } else {
            Ok(())
        }
    })
    .await;
    assert_eq!((failed, rounds), (Err("third"), 3));
}

#[test]
fn serverless_assessment_settings_carry_the_spec_and_fail_on_failure() {
    let s = assess::serverless_settings(Some("sci-sync"), &[], &["a".to_string()]);
    let v: serde_json::Value = serde_json::from_str(&s).expect("JSON");
    assert_eq!(
        v,
        serde_json::json!({"ResultLocationFolder": "sci-sync", "Exclude": ["a"],
                           "FailOnAssessmentFailure": true})
    );
    let s = assess::serverless_settings(None, &["x".to_string()], &[]);
    assert_eq!(s, r#"{"IncludeOnly":["x"],"FailOnAssessmentFailure":true}"#);
}
