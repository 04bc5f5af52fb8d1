//! Operating the stack's replications: which of them exist ([`lookup`], [`select`]), starting
//! and stopping them ([`start`], [`stop`]), and waiting until they run or have stopped, every
//! wait in the same shared poll rounds ([`crate::apply::poll`]).
//!
//! A start or stop that DMS refuses for the state the call would bring is done: the answer to
//! an earlier attempt was lost, or someone else was quicker.

mod replications;
pub mod status;
#[cfg(test)]
mod tests;
pub mod watch;

use std::sync::Arc;
use std::time::Duration;

use crate::apply::poll::Poller;
use crate::apply::wait::{self, Backoff, Check, WaitError};
use crate::cloud::{
    CdcStart, Cloud, CloudError, CloudWrite, ErrorKind, ReplicationKind, StartKind, Status,
};
use crate::dms::moves_data;

pub mod assess;
pub mod connections;

pub use replications::{lookup, select, Running};
pub use status::{read_status, ReplicationStatus};

/// What happened to one replication.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    pub name: String,
    /// `started (resume-processing)`, `already running`, `running`, `failed: ...`, ...
    pub result: String,
    pub ok: bool,
    /// After `stop`: the task's or replication's recovery checkpoint, where
    /// `start --from-checkpoint` resumes CDC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
}

impl Outcome {
    fn ok(t: &Running, result: impl Into<String>) -> Outcome {
        Outcome {
            name: t.name.clone(),
            result: result.into(),
            ok: true,
            checkpoint: None,
        }
    }

    fn failed(t: &Running, result: impl Into<String>) -> Outcome {
        Outcome {
            name: t.name.clone(),
            result: result.into(),
            ok: false,
            checkpoint: None,
        }
    }
}

/// How [`start`] starts.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// Reload the target and start again, even a replication that runs.
    pub reload: bool,
    /// Start CDC here (any run): a time, or a position such as a recovery checkpoint; without
    /// it a first run takes the spec's `cdc_start_time` or `cdc_start_position`.
    pub cdc_start: Option<CdcStart>,
    /// Wait until running, with this deadline.
    pub wait: Option<Duration>,
    /// `PremigrationAssessmentSettings` for serverless replications: DMS assesses first and
    /// starts only when the assessment passes (tasks are assessed before `start`, by
    /// [`assess`]).
    pub assessment: Option<String>,
    /// First interval between status polls (it doubles up to 15 s).
    pub poll: Duration,
}

/// Starts each target: the first run `start-replication`, later runs `resume-processing`,
/// `reload-target` on request; one already running is left alone. With `opts.wait`, waits
/// for all started together.
pub async fn start<C: CloudWrite + 'static>(
    cloud: &Arc<C>,
    targets: &[Running],
    opts: &StartOptions,
) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut started = Vec::new();
    for t in targets {
        let outcome = match start_one(cloud.as_ref(), t, opts).await {
            Ok(None) => Outcome::ok(t, "already running"),
            Ok(Some(kind)) => {
                started.push((outcomes.len(), t));
                if assessed(t, opts) {
                    Outcome::ok(
                        t,
                        format!(
                            "premigration assessment, then started ({}) once it passes",
                            kind.dms_name()
                        ),
                    )
                } else {
                    Outcome::ok(t, format!("started ({})", kind.dms_name()))
                }
            }
            Err(e) => Outcome::failed(t, format!("failed to start: {}", e.with_hint())),
        };
        outcomes.push(outcome);
    }
    if let Some(deadline) = opts.wait {
        let goal = if opts.assessment.is_some() {
            Goal::RunningAssessed
        } else {
            Goal::Running
        };
        wait_all(cloud, &mut outcomes, &started, goal, deadline, opts.poll).await;
    }
    outcomes
}

/// Whether DMS assesses `t` before it starts.
fn assessed(t: &Running, opts: &StartOptions) -> bool {
    t.kind == ReplicationKind::Serverless && opts.assessment.is_some()
}

/// Stops each target that runs; with `wait`, waits for all stopping together.
pub async fn stop<C: CloudWrite + 'static>(
    cloud: &Arc<C>,
    targets: &[Running],
    wait: Option<Duration>,
    poll: Duration,
) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut stopping = Vec::new();
    for t in targets {
        if !moves_data(&t.status) {
            outcomes.push(Outcome::ok(t, format!("not running ({})", t.status)));
            continue;
        }
        let result = cloud.stop(t.kind, &t.arn).await;
        let outcome = match repeated(cloud.as_ref(), t, result, |s| !moves_data(s)).await {
            Ok(()) => {
                stopping.push((outcomes.len(), t));
                Outcome::ok(t, "stopping")
            }
            Err(e) => Outcome::failed(t, format!("failed to stop: {}", e.with_hint())),
        };
        outcomes.push(outcome);
    }
    if let Some(deadline) = wait {
        wait_all(
            cloud,
            &mut outcomes,
            &stopping,
            Goal::Stopped,
            deadline,
            poll,
        )
        .await;
    }
    checkpoints(cloud.as_ref(), targets, &mut outcomes).await;
    outcomes
}

/// Each task's recovery checkpoint as DMS reports it now, in one batched read; serverless
/// replications are left out, as `start --from-checkpoint` is for tasks (DMS Serverless takes
/// no custom CDC start point). A read that fails leaves the checkpoints out; the stop itself
/// is done.
async fn checkpoints<C: Cloud>(cloud: &C, targets: &[Running], outcomes: &mut [Outcome]) {
    let kind = ReplicationKind::Task;
    let arns: Vec<String> = targets
        .iter()
        .filter(|t| t.kind == kind)
        .map(|t| t.arn.clone())
        .collect();
    if arns.is_empty() {
        return;
    }
    let Ok(found) = cloud.statuses(kind.waitable(), &arns).await else {
        return;
    };
    for (t, o) in targets.iter().zip(outcomes.iter_mut()) {
        if t.kind == kind {
            o.checkpoint = found.get(&t.arn).and_then(|s| s.checkpoint.clone());
        }
    }
}

/// How `t` is started: `None` when it runs already and no reload was asked for.
fn start_kind(t: &Running, opts: &StartOptions) -> Option<StartKind> {
    if opts.reload {
        Some(StartKind::ReloadTarget)
    } else if moves_data(&t.status) {
        None
    } else if t.has_run {
        Some(StartKind::ResumeProcessing)
    } else {
        Some(StartKind::StartReplication)
    }
}

/// Starts one target; `Ok(None)` when it already runs.
async fn start_one<C: CloudWrite>(
    cloud: &C,
    t: &Running,
    opts: &StartOptions,
) -> Result<Option<StartKind>, CloudError> {
    let Some(kind) = start_kind(t, opts) else {
        return Ok(None);
    };
    // The spec's CDC start applies to a first run; the flag to any run.
    let cdc = opts.cdc_start.clone().or_else(|| {
        (kind == StartKind::StartReplication)
            .then(|| t.cdc_start.clone())
            .flatten()
    });
    let result = match (&opts.assessment, t.kind) {
        (Some(settings), ReplicationKind::Serverless) => {
            cloud
                .start_replication(&t.arn, kind, cdc.as_ref(), Some(settings))
                .await
        }
        _ => cloud.start(t.kind, &t.arn, kind, cdc.as_ref()).await,
    };
    // A start refused because it is already starting: an earlier attempt's answer was lost.
    repeated(cloud, t, result, moves_data).await?;
    Ok(Some(kind))
}

/// A start or stop that DMS refused for the state it is in is done when that state is already
/// what the call would bring (`reached`).
async fn repeated<C: Cloud>(
    cloud: &C,
    t: &Running,
    result: Result<(), CloudError>,
    reached: impl Fn(&str) -> bool,
) -> Result<(), CloudError> {
    match result {
        Err(e) if e.kind == ErrorKind::InvalidState => {
            match cloud.status(t.kind.waitable(), &t.arn).await {
                Ok(Some(now)) if reached(&now.status) => Ok(()),
                _ => Err(e),
            }
        }
        other => other,
    }
}

/// What a wait after `start` or `stop` waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Goal {
    Running,
    /// Running once DMS's premigration assessment passed (serverless replications).
    RunningAssessed,
    Stopped,
}

impl Goal {
    fn condition(self, t: &Running) -> fn(Option<&Status>) -> Check {
        match self {
            // The intermediate statuses (`starting`, `testing_connection`, ...) are not there
            // yet; a full load that finished while we looked is.
            Goal::RunningAssessed if t.kind == ReplicationKind::Serverless && t.full_load_only => {
                wait::loaded_after_assessment
            }
            Goal::RunningAssessed if t.kind == ReplicationKind::Serverless => {
                wait::running_after_assessment
            }
            Goal::Running | Goal::RunningAssessed if t.full_load_only => wait::running_or_loaded,
            Goal::Running | Goal::RunningAssessed => wait::running,
            Goal::Stopped => wait::stopped_on_request,
        }
    }
}

/// Waits for every `(outcome index, target)` of `waiting` at once, in shared poll rounds, and
/// puts what each came to in its outcome. A start that failed says what DMS logged.
async fn wait_all<C: Cloud + 'static>(
    cloud: &Arc<C>,
    outcomes: &mut [Outcome],
    waiting: &[(usize, &Running)],
    goal: Goal,
    deadline: Duration,
    poll: Duration,
) {
    let poller = Poller::start(cloud.clone(), poll);
    let poller = &poller;
    let waits = waiting.iter().map(|&(i, t)| async move {
        let outcome = match wait_for(poller, t, goal.condition(t), deadline, poll).await {
            Ok(status) => Outcome::ok(t, status),
            Err(why) => {
                let logged = match goal {
                    Goal::Running | Goal::RunningAssessed => last_errors(cloud.as_ref(), t).await,
                    Goal::Stopped => String::new(),
                };
                Outcome::failed(t, format!("failed: {why}{logged}"))
            }
        };
        (i, outcome)
    });
    for (i, outcome) in futures_util::future::join_all(waits).await {
        outcomes[i] = outcome;
    }
}

/// Waits until `condition` holds, fails, or the deadline passes, doubling the interval
/// between polls from `first` to 15 s; the status reached, or why not.
async fn wait_for(
    poller: &Poller,
    t: &Running,
    condition: fn(Option<&Status>) -> Check,
    deadline: Duration,
    first: Duration,
) -> Result<String, String> {
    let backoff = Backoff {
        initial: first,
        max: Duration::from_secs(15),
    };
    let what = format!("`{}`", t.name);
    let until = tokio::time::Instant::now() + deadline;
    let kind = t.kind.waitable();
    match wait::until(poller, kind, &t.arn, &what, condition, until, backoff).await {
        Ok(status) => Ok(status.map_or_else(String::new, |s| s.status)),
        Err(WaitError::Failed { message, .. }) => Err(message),
        Err(WaitError::Timeout { .. }) => Err(format!(
            "still not there after {}s (--timeout)",
            deadline.as_secs()
        )),
        Err(WaitError::Cloud(e)) => Err(e.with_hint()),
    }
}

/// The last ERROR lines DMS logged for a replication, as an indented block ("" when none).
async fn last_errors<C: Cloud>(cloud: &C, t: &Running) -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64 - 3_600_000);
    // DMS marks error lines with `]E:` after the component name.
    match cloud
        .log_events(&t.log_group, &t.log_stream_prefix, since, Some("\"]E:\""))
        .await
    {
        Ok(events) if !events.is_empty() => {
            let lines: Vec<String> = events
                .iter()
                .rev()
                .take(10)
                .rev()
                .map(|e| format!("\n    {}", e.message))
                .collect();
            format!("\n  last errors in {}:{}", t.log_group, lines.concat())
        }
        _ => String::new(),
    }
}
