//! The executor: carries out a [`Plan`] against [`CloudWrite`] in dependency order, running
//! independent steps concurrently, waiting for each resource to be usable, and accounting for
//! every step in a [`Report`].
//!
//! Two stages, so the command can show the plan and ask in between: [`prepare`] reads live
//! state and refuses what must not run (a stale saved plan, conflicts, hazards without
//! `--allow-destroy`, unresolvable secrets) before anything is touched; [`execute`] runs it.

pub mod adopt;
pub mod poll;
mod progress;
mod report;
pub mod secrets;
mod steps;
pub mod wait;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::cloud::{Cloud, CloudError, CloudWrite};
use crate::live::Live;
use crate::model::Desired;
use crate::plan::{self, Plan, SavedPlan};

pub use progress::Progress;
pub use report::{Entry, Failure, FailureKind, Report};
pub use secrets::{Secrets, SecretsError};
pub use wait::Backoff;

use steps::{Ctx, Step};

/// How an apply runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Steps making AWS calls at once (at least 1). A step waiting on a status does not
    /// count: waits share batched polls ([`poll`]).
    pub parallelism: usize,
    /// Deadline for the whole run, waits included.
    pub timeout: Duration,
    /// Re-send secrets to endpoints that are updated.
    pub update_secrets: bool,
    /// Delays between status polls.
    pub backoff: Backoff,
    /// How long a create is retried while DMS does not yet see a role created in this run.
    pub iam_grace: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            parallelism: 8,
            timeout: Duration::from_secs(60 * 60),
            update_secrets: false,
            backoff: Backoff::default(),
            iam_grace: Duration::from_secs(60),
        }
    }
}

/// A cancellation signal (Ctrl-C): once set, no new step starts; steps in flight finish.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<CancelInner>);

#[derive(Debug, Default)]
struct CancelInner {
    cancelled: AtomicBool,
    notify: Notify,
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once [`CancelToken::cancel`] has been called.
    pub async fn cancelled(&self) {
        let notified = self.0.notify.notified();
        tokio::pin!(notified);
        // Registered before the check, so a cancel between the two is not missed.
        notified.as_mut().enable();
        if self.is_cancelled() {
            return;
        }
        notified.await;
    }
}

/// What an apply (or destroy) is asked to do.
pub struct Request<'a> {
    pub desired: &'a Desired,
    /// The spec's text, to check a saved plan against.
    pub spec_text: &'a str,
    pub saved: Option<&'a SavedPlan>,
    pub allow_destroy: bool,
    pub update_secrets: bool,
    /// Reads an environment variable (`std::env::var` outside tests).
    pub env: &'a (dyn Fn(&str) -> Option<String> + Sync),
}

/// A plan that passed every check, with what executing it needs.
#[derive(Debug, Clone)]
pub struct Ready {
    pub plan: Plan,
    pub desired: Desired,
    pub live: Live,
    pub secrets: Secrets,
}

/// The outcome of [`prepare`].
#[derive(Debug, Clone)]
pub enum Prepared {
    /// Live state already matches.
    NoChanges,
    Ready(Box<Ready>),
}

/// Why an apply refused to start. Nothing has been changed when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Reading live state failed.
    #[error("cannot read live state")]
    Read(#[source] CloudError),
    /// The saved plan was made for another stack.
    #[error("the saved plan is for stack `{saved}`, but the spec is stack `{spec}`")]
    OtherStack { saved: String, spec: String },
    /// The spec or the account changed since the saved plan was made.
    #[error("plan is stale: {}; run `dmsctl plan` again", .0.join("; "))]
    Stale(Vec<String>),
    /// Resources the stack wants exist outside it.
    #[error(
        "resources with the wanted identifiers exist outside this stack; nothing was changed:\n{}",
        bullets(.0)
    )]
    Conflicts(Vec<String>),
    /// Changes that lose data, without `--allow-destroy`.
    #[error(
        "these changes lose data; nothing was changed (re-run with --allow-destroy to allow them):\n{}",
        bullets(.0)
    )]
    Hazards(Vec<String>),
    /// Secrets that cannot be resolved.
    #[error("cannot resolve secrets; nothing was changed: {0}")]
    Secrets(#[from] SecretsError),
}

fn bullets(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads live state, makes the plan (or checks the saved one against it), reads the secrets it
/// sends from Secrets Manager, and refuses what must not run. Calls nothing but
/// [`Cloud::read`] and [`Cloud::secret_value`].
pub async fn prepare<C: Cloud>(cloud: &C, req: Request<'_>) -> Result<Prepared, ApplyError> {
    let live = cloud.read().await.map_err(ApplyError::Read)?;
    let plan = match req.saved {
        Some(saved) => {
            if saved.stack != req.desired.stack {
                return Err(ApplyError::OtherStack {
                    saved: saved.stack.clone(),
                    spec: req.desired.stack.clone(),
                });
            }
            let stale = saved.stale(&live, req.spec_text);
            if !stale.is_empty() {
                return Err(ApplyError::Stale(stale));
            }
            saved.plan.clone()
        }
        None => plan::plan(req.desired, &live),
    };
    if !plan.conflicts.is_empty() {
        return Err(ApplyError::Conflicts(
            plan.conflicts
                .iter()
                .map(|c| format!("{} `{}` (`{}`): {}", c.kind, c.name, c.id, c.reason))
                .collect(),
        ));
    }
    if !plan.has_changes() {
        return Ok(Prepared::NoChanges);
    }
    let blocked = plan.blocked_by_hazards();
    if !req.allow_destroy && !blocked.is_empty() {
        return Err(ApplyError::Hazards(
            blocked
                .iter()
                .flat_map(|c| {
                    c.hazards.iter().map(move |h| {
                        format!("{} {} ({}): {}", c.kind, c.name, c.action, h.message)
                    })
                })
                .collect(),
        ));
    }
    let mut fetched = secrets::Fetched::new();
    for id in secrets::secrets_manager_ids(&plan, req.desired, req.update_secrets) {
        let value = cloud.secret_value(&id).await;
        fetched.insert(id, value);
    }
    let secrets = secrets::resolve(&plan, req.desired, req.update_secrets, req.env, &fetched)?;
    Ok(Prepared::Ready(Box::new(Ready {
        plan,
        desired: req.desired.clone(),
        live,
        secrets,
    })))
}

/// The desired state of `destroy`: the same stack with nothing in it. IAM roles and log groups
/// are not listed, and the planner never deletes what is not listed of those kinds: they stay.
pub fn nothing(desired: &Desired) -> Desired {
    Desired {
        stack: desired.stack.clone(),
        region: desired.region.clone(),
        mode: desired.mode,
        log_retention_days: None,
        iam_roles: Vec::new(),
        subnet_groups: Default::default(),
        certificates: Default::default(),
        endpoints: Default::default(),
        instances: Default::default(),
        tasks: Default::default(),
        replication_configs: Default::default(),
        event_subscriptions: Default::default(),
        alarms: Default::default(),
    }
}

#[derive(Debug, Clone)]
enum State {
    Pending,
    Running,
    Done(String),
    Failed(Failure),
    Skipped(String),
}

impl State {
    fn finished(&self) -> bool {
        !matches!(self, State::Pending | State::Running)
    }
}

/// Runs `ready`'s plan: removals (reverse kind order), then creates and updates (kind order),
/// each step once what it depends on has succeeded, at most `opts.parallelism` making calls at
/// once (waits share batched polls and hold no slot). A failed step skips what depends on it;
/// independent steps go on. After `cancel` (or the deadline) no new step starts, and the steps
/// in flight finish.
pub async fn execute<C: CloudWrite + 'static>(
    cloud: Arc<C>,
    ready: Ready,
    opts: Options,
    progress: Arc<Progress>,
    cancel: CancelToken,
) -> Report {
    let deadline = Instant::now() + opts.timeout;
    let steps: Arc<Vec<Step>> = Arc::new(steps::graph(&ready.plan, &ready.desired, &ready.live));
    let ctx = Arc::new(Ctx::new(
        cloud,
        ready.desired,
        ready.live,
        ready.secrets,
        opts,
        deadline,
        progress.clone(),
    ));
    let mut run = Run::new(steps, progress);
    loop {
        skip_dependents(&run.steps, &mut run.state, &run.progress);
        if run.stopped.is_none() && Instant::now() >= deadline {
            run.stopped = Some("the --timeout deadline passed");
            run.progress
                .note("deadline passed: no new steps are started");
        }
        if run.stopped.is_none() {
            run.spawn_startable(&ctx, &cancel);
        }
        if run.running == 0 {
            break;
        }
        tokio::select! {
            joined = run.set.join_next() => {
                let Some(joined) = joined else { break };
                run.joined(joined, &cancel);
            }
            () = cancel.cancelled(), if run.stopped.is_none() => {
                run.stopped = Some("interrupted before it started");
                run.progress.note(&format!(
                    "interrupted: no new steps are started; waiting for {} in flight",
                    run.running
                ));
            }
        }
    }
    run.report()
}

/// What a step's task answers: its index, and its outcome (`None`: it never started).
type Joined = (usize, Option<Result<String, Failure>>);

/// The state of a run: each step's, the tasks in flight, and why the run stopped starting
/// steps, if it did.
struct Run {
    steps: Arc<Vec<Step>>,
    state: Vec<State>,
    set: JoinSet<Joined>,
    running: usize,
    /// To attribute a panicked step, whose result carries no index.
    ids: HashMap<tokio::task::Id, usize>,
    stopped: Option<&'static str>,
    progress: Arc<Progress>,
}

impl Run {
    fn new(steps: Arc<Vec<Step>>, progress: Arc<Progress>) -> Run {
        Run {
            state: vec![State::Pending; steps.len()],
            steps,
            set: JoinSet::new(),
            running: 0,
            ids: HashMap::new(),
            stopped: None,
            progress,
        }
    }

    /// Spawns every step whose needed steps succeeded and whose `after` steps finished. Each
    /// starts once it holds one of the `parallelism` slots, and gives up its place if the run
    /// stops first.
    fn spawn_startable<C: CloudWrite + 'static>(
        &mut self,
        ctx: &Arc<Ctx<C>>,
        cancel: &CancelToken,
    ) {
        for i in 0..self.steps.len() {
            let s = &self.steps[i];
            let startable = matches!(self.state[i], State::Pending)
                && s.needs
                    .iter()
                    .all(|&j| matches!(self.state[j], State::Done(_)))
                && s.after.iter().all(|&j| self.state[j].finished());
            if !startable {
                continue;
            }
            self.state[i] = State::Running;
            self.running += 1;
            let (ctx, steps, cancel) = (ctx.clone(), self.steps.clone(), cancel.clone());
            let handle = self.set.spawn(async move {
                let r = ctx.run(&steps[i], &cancel).await;
                (i, r.map(|r| r.map_err(|e| e.failure())))
            });
            self.ids.insert(handle.id(), i);
        }
    }

    /// Takes in what a step's task answered.
    fn joined(&mut self, joined: Result<Joined, tokio::task::JoinError>, cancel: &CancelToken) {
        self.running -= 1;
        let (i, r) = match joined {
            Ok((i, Some(r))) => (i, r),
            // The run stopped before this step held a slot: it never started.
            Ok((i, None)) => {
                self.state[i] = State::Pending;
                if self.stopped.is_none() {
                    self.stopped = Some(if cancel.is_cancelled() {
                        "interrupted before it started"
                    } else {
                        "the --timeout deadline passed"
                    });
                }
                return;
            }
            Err(e) => match self.ids.get(&e.id()) {
                Some(&i) => (
                    i,
                    Err(Failure::new(
                        FailureKind::Internal,
                        format!("internal error: {e}"),
                    )),
                ),
                None => return,
            },
        };
        let c = &self.steps[i].change;
        self.state[i] = match r {
            Ok(line) => {
                self.progress.step(c.kind, &c.name, &line);
                State::Done(line)
            }
            Err(e) => {
                self.progress.step(c.kind, &c.name, &format!("failed: {e}"));
                State::Failed(e)
            }
        };
    }

    /// Every step in the report, in order.
    fn report(self) -> Report {
        let mut report = Report {
            interrupted: self.stopped.is_some(),
            ..Report::default()
        };
        let never = self
            .stopped
            .unwrap_or("its dependencies were never satisfied");
        for (s, st) in self.steps.iter().zip(self.state) {
            let c = &s.change;
            let entry = Entry {
                kind: c.kind,
                name: c.name.clone(),
                id: c.id.clone(),
                action: s.action().into(),
            };
            match st {
                State::Done(detail) => report.add_done(entry, detail),
                State::Failed(error) => report.add_failed(entry, error),
                State::Running => report.add_failed(
                    entry,
                    Failure::new(
                        FailureKind::Internal,
                        "internal error: the step's outcome was lost",
                    ),
                ),
                State::Skipped(reason) => report.add_skipped(entry, reason),
                State::Pending => report.add_skipped(entry, never.to_string()),
            }
        }
        report
    }
}

/// Marks pending steps whose needed steps failed or were skipped, until nothing changes (a
/// skip cascades to what depends on the skipped step).
fn skip_dependents(steps: &[Step], state: &mut [State], progress: &Progress) {
    loop {
        let mut changed = false;
        for i in 0..steps.len() {
            if !matches!(state[i], State::Pending) {
                continue;
            }
            let blocker = steps[i]
                .needs
                .iter()
                .find(|&&j| matches!(state[j], State::Failed(_) | State::Skipped(_)));
            if let Some(&j) = blocker {
                let b = &steps[j].change;
                let verb = if matches!(state[j], State::Failed(_)) {
                    "failed"
                } else {
                    "was skipped"
                };
                let reason = format!("{} {} ({}) {verb}", b.kind, b.name, steps[j].action());
                let c = &steps[i].change;
                progress.step(c.kind, &c.name, &format!("skipped: {reason}"));
                state[i] = State::Skipped(reason);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}
