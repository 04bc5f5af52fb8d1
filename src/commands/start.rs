//! `dmsctl start` and `dmsctl stop`: run or halt the stack's replications, optionally waiting.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail};

use super::replications::{select, Running};
use crate::apply::poll::Poller;
use crate::apply::wait::{self, Backoff, Check, WaitError};
use crate::cli::{parse_duration, Global, Output, StartArgs, StopArgs};
use crate::cloud::{CloudError, CloudWrite, ErrorKind, StartKind, Status, Waitable};
use crate::live::{is_failed, is_running};
use crate::model::Desired;
use crate::output;
use crate::spec::checks::is_rfc3339;

/// What happened to one replication.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    pub name: String,
    /// `started (resume-processing)`, `already running`, `running`, `failed: ...`, ...
    pub result: String,
    pub ok: bool,
}

pub fn run_start(global: &Global, args: &StartArgs) -> anyhow::Result<ExitCode> {
    super::apply::check_output(global, "start")?;
    let timeout = parse_duration(&args.timeout).map_err(|e| anyhow!("--timeout: {e}"))?;
    if let Some(t) = &args.cdc_start_time {
        if !is_rfc3339(t) {
            bail!("--cdc-start-time: `{t}` is not an RFC 3339 time (e.g. 2026-11-01T00:00:00Z)");
        }
    }
    let (spec, _) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let rt = super::runtime()?;
    let outcomes = rt.block_on(async {
        let cloud = Arc::new(super::connect(global, &spec).await?);
        let live = super::read_live(cloud.as_ref()).await?;
        let targets = select(&desired, &live, &args.names)?;
        let opts = StartOptions {
            reload: args.reload,
            cdc_start_time: args.cdc_start_time.clone(),
            wait: args.wait.then_some(timeout),
            poll: Duration::from_secs(1),
        };
        let outcomes = start(&cloud, &targets, &opts).await;
        super::report_calls(global, cloud.as_ref())?;
        Ok::<_, anyhow::Error>(outcomes)
    })?;
    finish(global, &outcomes)
}

pub fn run_stop(global: &Global, args: &StopArgs) -> anyhow::Result<ExitCode> {
    super::apply::check_output(global, "stop")?;
    let timeout = parse_duration(&args.timeout).map_err(|e| anyhow!("--timeout: {e}"))?;
    let (spec, _) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let rt = super::runtime()?;
    let outcomes = rt.block_on(async {
        let cloud = Arc::new(super::connect(global, &spec).await?);
        let live = super::read_live(cloud.as_ref()).await?;
        let targets = select(&desired, &live, &args.names)?;
        let outcomes = stop(
            &cloud,
            &targets,
            args.wait.then_some(timeout),
            Duration::from_secs(1),
        )
        .await;
        super::report_calls(global, cloud.as_ref())?;
        Ok::<_, anyhow::Error>(outcomes)
    })?;
    finish(global, &outcomes)
}

fn finish(global: &Global, outcomes: &[Outcome]) -> anyhow::Result<ExitCode> {
    let text = match global.output {
        Output::Json => format!("{}\n", serde_json::to_string_pretty(outcomes)?),
        _ => outcomes
            .iter()
            .map(|o| format!("{}: {}\n", o.name, o.result))
            .collect(),
    };
    output::print(text.as_bytes())?;
    Ok(if outcomes.iter().all(|o| o.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub struct StartOptions {
    pub reload: bool,
    pub cdc_start_time: Option<String>,
    /// Wait until running, with this deadline.
    pub wait: Option<Duration>,
    /// First interval between status polls (it doubles up to 15 s).
    pub poll: Duration,
}

/// First run `start-replication`, later runs `resume-processing`, `reload-target` on request.
pub async fn start<C: CloudWrite + 'static>(
    cloud: &Arc<C>,
    targets: &[Running],
    opts: &StartOptions,
) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut started = Vec::new();
    for t in targets {
        if is_running(&t.status) && !opts.reload {
            outcomes.push(Outcome {
                name: t.name.clone(),
                result: "already running".into(),
                ok: true,
            });
            continue;
        }
        let kind = if opts.reload {
            StartKind::ReloadTarget
        } else if t.has_run {
            StartKind::ResumeProcessing
        } else {
            StartKind::StartReplication
        };
        // The spec's CDC start applies to a first run; the flag to any run.
        let cdc = opts.cdc_start_time.clone().or_else(|| {
            (kind == StartKind::StartReplication)
                .then(|| t.cdc_start_time.clone())
                .flatten()
        });
        let result = match t.kind {
            Waitable::Task => cloud.start_task(&t.arn, kind, cdc.as_deref()).await,
            _ => cloud.start_replication(&t.arn, kind, cdc.as_deref()).await,
        };
        // A start refused because it is already starting: an earlier attempt's answer was lost.
        let result = repeated(cloud.as_ref(), t, result, is_running).await;
        match result {
            Ok(()) => {
                outcomes.push(Outcome {
                    name: t.name.clone(),
                    result: format!("started ({})", kind.dms_name()),
                    ok: true,
                });
                started.push((outcomes.len() - 1, t));
            }
            Err(e) => outcomes.push(Outcome {
                name: t.name.clone(),
                result: format!("failed to start: {e}"),
                ok: false,
            }),
        }
    }
    if let Some(deadline) = opts.wait {
        let poller = Poller::start(cloud.clone(), opts.poll);
        let poller = &poller;
        let waits = started.iter().map(|&(i, t)| async move {
            // The intermediate statuses (`starting`, `testing_connection`, ...) are not there
            // yet; a full load that finished while we looked is.
            let done = |s: &str| s == "running" || (t.full_load_only && s == "stopped");
            let outcome = match wait_for(poller, t, deadline, opts.poll, done).await {
                Ok(status) => Outcome {
                    name: t.name.clone(),
                    result: status,
                    ok: true,
                },
                Err(why) => Outcome {
                    name: t.name.clone(),
                    result: format!("failed: {why}{}", last_errors(cloud.as_ref(), t).await),
                    ok: false,
                },
            };
            (i, outcome)
        });
        for (i, outcome) in futures_util::future::join_all(waits).await {
            outcomes[i] = outcome;
        }
    }
    outcomes
}

/// Stops what runs; `--wait` waits until stopped.
pub async fn stop<C: CloudWrite + 'static>(
    cloud: &Arc<C>,
    targets: &[Running],
    wait: Option<Duration>,
    poll: Duration,
) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut stopping = Vec::new();
    for t in targets {
        if !is_running(&t.status) {
            outcomes.push(Outcome {
                name: t.name.clone(),
                result: format!("not running ({})", t.status),
                ok: true,
            });
            continue;
        }
        let result = match t.kind {
            Waitable::Task => cloud.stop_task(&t.arn).await,
            _ => cloud.stop_replication(&t.arn).await,
        };
        let result = repeated(cloud.as_ref(), t, result, |s| !is_running(s)).await;
        match result {
            Ok(()) => {
                outcomes.push(Outcome {
                    name: t.name.clone(),
                    result: "stopping".into(),
                    ok: true,
                });
                stopping.push((outcomes.len() - 1, t));
            }
            Err(e) => outcomes.push(Outcome {
                name: t.name.clone(),
                result: format!("failed to stop: {e}"),
                ok: false,
            }),
        }
    }
    if let Some(deadline) = wait {
        let poller = Poller::start(cloud.clone(), poll);
        let poller = &poller;
        let waits = stopping.iter().map(|&(i, t)| async move {
            let outcome = match wait_for(poller, t, deadline, poll, |s| s == "stopped").await {
                Ok(status) => Outcome {
                    name: t.name.clone(),
                    result: status,
                    ok: true,
                },
                Err(why) => Outcome {
                    name: t.name.clone(),
                    result: format!("failed: {why}"),
                    ok: false,
                },
            };
            (i, outcome)
        });
        for (i, outcome) in futures_util::future::join_all(waits).await {
            outcomes[i] = outcome;
        }
    }
    outcomes
}

/// A start or stop that DMS refused for the state it is in is done when that state is already
/// what the call would bring (`reached`): the answer to an earlier attempt was lost, or
/// someone else was quicker.
async fn repeated<C: CloudWrite>(
    cloud: &C,
    t: &Running,
    result: Result<(), CloudError>,
    reached: impl Fn(&str) -> bool,
) -> Result<(), CloudError> {
    match result {
        Err(e) if e.kind == ErrorKind::InvalidState => match cloud.status(t.kind, &t.arn).await {
            Ok(Some(now)) if reached(&now.status) => Ok(()),
            _ => Err(e),
        },
        other => other,
    }
}

/// Waits until `done`, a failure, or the deadline, in poll rounds shared with every other
/// wait of this command ([`crate::apply::poll`]), doubling the interval from `first` to 15 s.
async fn wait_for(
    poller: &Poller,
    t: &Running,
    deadline: Duration,
    first: Duration,
    done: impl Fn(&str) -> bool + Send + Sync,
) -> Result<String, String> {
    let condition = |s: Option<&Status>| match s {
        Some(s) if done(&s.status) => Check::Done,
        Some(s) if is_failed(&s.status) => Check::Failed(
            s.message
                .clone()
                .unwrap_or_else(|| format!("status {}", s.status)),
        ),
        Some(_) => Check::Pending,
        None => Check::Failed("it no longer exists".into()),
    };
    let backoff = Backoff {
        initial: first,
        max: Duration::from_secs(15),
    };
    let what = format!("`{}`", t.name);
    let until = tokio::time::Instant::now() + deadline;
    match wait::until(poller, t.kind, &t.arn, &what, condition, until, backoff).await {
        Ok(status) => Ok(status.map_or_else(String::new, |s| s.status)),
        Err(WaitError::Failed { message, .. }) => Err(message),
        Err(WaitError::Timeout { .. }) => Err(format!(
            "still not there after {}s (--timeout)",
            deadline.as_secs()
        )),
        Err(WaitError::Cloud(e)) => Err(e.to_string()),
    }
}

/// The last ERROR lines DMS logged for a replication, as an indented block ("" when none).
async fn last_errors<C: CloudWrite>(cloud: &C, t: &Running) -> String {
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
