//! Waits: small predicates on one resource's status (kube's `wait::Condition`), polled with
//! exponential backoff and jitter until they hold, fail, or the apply's deadline passes.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use tokio::time::Instant;

use super::poll::Poller;
use crate::cloud::{CloudError, ErrorKind, Status, Waitable};
use crate::dms;

/// What a condition says about the status just read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The resource is where we want it.
    Done,
    /// Not yet: poll again.
    Pending,
    /// It will not get there: DMS's message, or ours.
    Failed(String),
}

/// A predicate on a status; `None` means the resource does not exist. Most are plain
/// functions; [`resumed`] keeps state between polls.
pub trait Condition: FnMut(Option<&Status>) -> Check + Send {}

impl<F: FnMut(Option<&Status>) -> Check + Send> Condition for F {}

/// Delays between polls: exponential from `initial`, capped at `max`, with jitter so that many
/// waits started together do not poll in lockstep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The upper bound of the delay before poll number `attempt + 1`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX);
        self.initial.saturating_mul(factor).min(self.max)
    }

    /// The delay before poll number `attempt + 1`: uniform in `[ceiling / 2, ceiling]`
    /// ("equal jitter"), so a delay never collapses to nothing.
    pub fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self.ceiling(attempt);
        let half = ceiling / 2;
        let spread = u64::try_from((ceiling - half).as_nanos()).unwrap_or(u64::MAX);
        if spread == 0 {
            return ceiling;
        }
        half + Duration::from_nanos(random() % (spread + 1))
    }
}

/// A random number without a dependency: `RandomState` is seeded from the OS per instance.
fn random() -> u64 {
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// Why a wait ended without its condition holding.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The resource reached a state it will not leave by itself.
    #[error("{what}: {message}")]
    Failed { what: String, message: String },
    /// The apply's `--timeout` passed first.
    #[error("timed out waiting for {what} (last status: {last})")]
    Timeout { what: String, last: String },
    /// Reading the status failed.
    #[error(transparent)]
    Cloud(#[from] CloudError),
}

/// Polls `arn`'s status through `poller` until `condition` holds (returning the last status
/// read), fails, or `deadline` passes. The first poll is due at once; later ones after
/// `backoff`, in rounds shared with every other wait in flight. A poll that AWS throttles or
/// cannot answer (5xx, no answer), after the SDK's own retries, is polled again later rather
/// than failing the wait. `what` names the wait in errors (`task sci-history to be ready`).
pub async fn until(
    poller: &Poller,
    kind: Waitable,
    arn: &str,
    what: &str,
    mut condition: impl Condition,
    deadline: Instant,
    backoff: Backoff,
) -> Result<Option<Status>, WaitError> {
    let mut attempt = 0;
    let mut due = Instant::now();
    loop {
        let last = match poller.status(kind, arn, due).await {
            Ok(status) => match condition(status.as_ref()) {
                Check::Done => return Ok(status),
                Check::Failed(message) => {
                    return Err(WaitError::Failed {
                        what: what.to_string(),
                        message,
                    })
                }
                Check::Pending => status.map_or_else(|| "gone".to_string(), |s| s.status),
            },
            Err(e) if matches!(e.kind, ErrorKind::Throttled | ErrorKind::Unavailable) => {
                tracing::debug!("waiting for {what}: the poll failed ({e}); polling again");
                format!("unknown ({e})")
            }
            Err(e) => return Err(e.into()),
        };
        let now = Instant::now();
        if now >= deadline {
            return Err(WaitError::Timeout {
                what: what.to_string(),
                last,
            });
        }
        let delay = backoff.delay(attempt).min(deadline - now);
        tracing::debug!(
            "waiting for {what}: status {last}, next poll in {} ms",
            delay.as_millis()
        );
        due = now + delay;
        attempt = attempt.saturating_add(1);
    }
}

/// DMS's status in one spelling: lowercase, `_` for spaces and hyphens.
fn norm(s: &Status) -> String {
    dms::normalize_status(&s.status)
}

fn failure(s: &Status) -> Check {
    Check::Failed(match &s.message {
        Some(m) if !m.is_empty() => format!("status {}: {m}", s.status),
        _ => format!("status {}", s.status),
    })
}

fn exists_and(s: Option<&Status>, done: &[&str]) -> Check {
    let Some(s) = s else {
        return Check::Failed("it no longer exists".to_string());
    };
    let n = norm(s);
    if done.contains(&n.as_str()) {
        Check::Done
    } else if dms::is_failed(&n) {
        failure(s)
    } else {
        Check::Pending
    }
}

/// A replication instance is usable.
pub fn instance_available(s: Option<&Status>) -> Check {
    exists_and(s, &["available"])
}

/// An endpoint is usable.
pub fn endpoint_active(s: Option<&Status>) -> Check {
    exists_and(s, &["active"])
}

/// A new task is ready to start.
pub fn task_ready(s: Option<&Status>) -> Check {
    exists_and(s, &["ready"])
}

/// A modified task has left `modifying` (back to `ready`, or `stopped` when it had run).
pub fn task_settled(s: Option<&Status>) -> Check {
    exists_and(s, &["ready", "stopped"])
}

/// A task moved to another instance: back at rest (`ready` or `stopped`); `failed-move` is
/// the move's failure.
pub fn task_moved(s: Option<&Status>) -> Check {
    match s {
        Some(st) if norm(st) == "failed-move" => failure(st),
        _ => exists_and(s, &["ready", "stopped"]),
    }
}

/// A task or replication stopped for a modify. `failed` is a failure: resuming it after the
/// modify would hide that.
pub fn stopped(s: Option<&Status>) -> Check {
    exists_and(s, &["stopped"])
}

/// A task or replication stopped before a delete: any state DMS can delete from will do.
pub fn halted(s: Option<&Status>) -> Check {
    let Some(st) = s else {
        return Check::Done;
    };
    if dms::must_stop_before_modify(&st.status) {
        Check::Pending
    } else {
        Check::Done
    }
}

/// A serverless replication has left `modifying` (its status may be absent: a config that
/// never ran has no replication).
pub fn replication_settled(s: Option<&Status>) -> Check {
    match s {
        None => Check::Done,
        Some(st) if dms::is_failed(&st.status) => failure(st),
        Some(st) if norm(st) == "modifying" => Check::Pending,
        Some(_) => Check::Done,
    }
}

/// A task or replication resumed after a modify is moving data again: `running`, or
/// `stopped` once it was seen starting (a full load that finished in between). A `stopped`
/// before any sign of a start is DMS not having taken the start in yet.
pub fn resumed() -> impl Condition {
    let mut started = false;
    move |s: Option<&Status>| {
        let Some(st) = s else {
            return Check::Failed("it no longer exists".to_string());
        };
        let n = norm(st);
        if n == "running" {
            Check::Done
        } else if dms::is_failed(&n) {
            failure(st)
        } else if n == "stopped" && started {
            Check::Done
        } else {
            // Any status a stop would have to wait for (`stopping` too, as before) shows that
            // the start was taken in.
            started |= dms::must_stop_before_modify(&n);
            Check::Pending
        }
    }
}

/// A deleted resource is gone.
pub fn gone(s: Option<&Status>) -> Check {
    match s {
        None => Check::Done,
        Some(st) if dms::is_failed(&st.status) => failure(st),
        Some(_) => Check::Pending,
    }
}

/// A replication `dmsctl start` started is moving data.
pub fn running(s: Option<&Status>) -> Check {
    reached(s, |n| n == "running")
}

/// A serverless replication started with a premigration assessment: pending while the
/// assessment runs, failed when it failed (DMS then does not start the replication), else
/// [`running`].
pub fn running_after_assessment(s: Option<&Status>) -> Check {
    after_assessment(s, running)
}

/// As [`running_after_assessment`], for a replication that only loads
/// ([`running_or_loaded`]).
pub fn loaded_after_assessment(s: Option<&Status>) -> Check {
    after_assessment(s, running_or_loaded)
}

fn after_assessment(s: Option<&Status>, then: fn(Option<&Status>) -> Check) -> Check {
    if let Some(a) = s.and_then(|s| s.assessment.as_ref()) {
        if !a.finished() {
            return Check::Pending;
        }
        if !a.passed() {
            let why = a
                .message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            let at = a
                .results
                .as_deref()
                .map(|r| format!(" (results in {r})"))
                .unwrap_or_default();
            return Check::Failed(format!(
                "not started: its premigration assessment is {}{why}{at}",
                a.status
            ));
        }
    }
    then(s)
}

/// A replication that only loads, started by `dmsctl start`: moving data, or already done
/// with its full load (`stopped`) by the time it is looked at.
pub fn running_or_loaded(s: Option<&Status>) -> Check {
    reached(s, |n| n == "running" || n == "stopped")
}

/// A replication `dmsctl stop` stopped has stopped.
pub fn stopped_on_request(s: Option<&Status>) -> Check {
    reached(s, |n| n == "stopped")
}

/// `done`, or a failure that says DMS's own reason (the `start` and `stop` outcome shows it
/// after `failed: `, so the status alone is a fallback).
fn reached(s: Option<&Status>, done: impl Fn(&str) -> bool) -> Check {
    let Some(s) = s else {
        return Check::Failed("it no longer exists".to_string());
    };
    let n = norm(s);
    if done(&n) {
        Check::Done
    } else if dms::is_failed(&n) {
        Check::Failed(
            s.message
                .clone()
                .unwrap_or_else(|| format!("status {}", s.status)),
        )
    } else {
        Check::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(s: &str) -> Status {
        Status {
            status: s.to_string(),
            message: None,
            checkpoint: None,
            assessment: None,
        }
    }

    #[test]
    fn a_start_with_an_assessment_waits_for_it_and_fails_with_it() {
        let assessed = |replication: &str, assessment: &str, message: Option<&str>| Status {
            assessment: Some(crate::cloud::PremigrationAssessment {
                arn: "arn:aws:dms:eu-central-1:123456789012:assessment-run:X".into(),
                status: assessment.into(),
                message: message.map(str::to_string),
                results: Some("s3://dms-results/f".into()),
                failed: None,
                warning: None,
                passed: None,
            }),
            ..st(replication)
        };
        // Still assessing: pending, even should the replication report running already.
        let s = assessed("running", "running", None);
        assert_eq!(running_after_assessment(Some(&s)), Check::Pending);
        let s = assessed("stopped", "failed", Some("LOB column NOT NULL"));
        assert_eq!(
            running_after_assessment(Some(&s)),
            Check::Failed(
                "not started: its premigration assessment is failed: LOB column NOT NULL \
                 (results in s3://dms-results/f)"
                    .into()
            )
        );
        let s = assessed("running", "warning", None);
        assert_eq!(running_after_assessment(Some(&s)), Check::Done);
        // Passed, then stopped: done only for a replication that only loads.
        let s = assessed("stopped", "passed", None);
        assert_eq!(loaded_after_assessment(Some(&s)), Check::Done);
        assert_eq!(running_after_assessment(Some(&s)), Check::Pending);
        assert_eq!(running_after_assessment(Some(&st("running"))), Check::Done);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_below_the_ceiling() {
        let b = Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(30),
        };
        let ceilings: Vec<u64> = (0..7).map(|a| b.ceiling(a).as_secs()).collect();
        assert_eq!(ceilings, [1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(30));
        for a in 0..10 {
            let d = b.delay(a);
            assert!(d >= b.ceiling(a) / 2 && d <= b.ceiling(a), "{d:?}");
        }
    }

    #[test]
    fn conditions_read_dms_statuses() {
        assert_eq!(instance_available(Some(&st("creating"))), Check::Pending);
        assert_eq!(instance_available(Some(&st("available"))), Check::Done);
        assert!(matches!(
            instance_available(Some(&st("incompatible-network"))),
            Check::Pending
        ));
        let failed = Status {
            status: "failed".into(),
            message: Some("Endpoint unreachable".into()),
            checkpoint: None,
            assessment: None,
        };
        assert_eq!(
            task_ready(Some(&failed)),
            Check::Failed("status failed: Endpoint unreachable".into())
        );
        assert!(matches!(gone(Some(&st("delete-failed"))), Check::Failed(_)));
        assert_eq!(gone(Some(&st("deleting"))), Check::Pending);
        assert_eq!(gone(None), Check::Done);
        assert!(matches!(endpoint_active(None), Check::Failed(_)));
        assert_eq!(halted(Some(&st("Stopping"))), Check::Pending);
        assert_eq!(halted(Some(&st("failed"))), Check::Done);
        assert_eq!(replication_settled(Some(&st("modifying"))), Check::Pending);
        assert_eq!(replication_settled(Some(&st("stopped"))), Check::Done);
        let mut r = resumed();
        assert_eq!(r(Some(&st("stopped"))), Check::Pending);
        assert_eq!(r(Some(&st("testing_connection"))), Check::Pending);
        assert_eq!(r(Some(&st("stopped"))), Check::Done);
        let mut r = resumed();
        assert_eq!(r(Some(&st("running"))), Check::Done);
        assert_eq!(running(Some(&st("starting"))), Check::Pending);
        assert_eq!(running(Some(&st("stopped"))), Check::Pending);
        assert_eq!(running_or_loaded(Some(&st("stopped"))), Check::Done);
        assert_eq!(stopped_on_request(Some(&st("Stopped"))), Check::Done);
        // `start` and `stop` say DMS's reason as it is, else the status.
        assert_eq!(
            running(Some(&failed)),
            Check::Failed("Endpoint unreachable".into())
        );
        assert_eq!(
            stopped_on_request(Some(&st("failed"))),
            Check::Failed("status failed".into())
        );
        assert!(matches!(running(None), Check::Failed(_)));
    }
}
