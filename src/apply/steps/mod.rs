//! Steps: the plan's changes as units of work with their dependencies ([`graph`]), and what
//! each one does against [`CloudWrite`]: what every step shares is here (the slots, waits, the
//! create that recovers an earlier attempt, calls safe to repeat, the IAM propagation retry);
//! the removal half of a change is in `remove`, the build half in `build`.

mod build;
mod graph;
mod remove;

pub use graph::graph;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::poll::Poller;
use super::progress::Progress;
use super::report::{Failure, FailureKind};
use super::secrets::Secrets;
use super::wait::{self, Condition, WaitError};
use super::{CancelToken, Options};
use crate::cloud::{CloudError, CloudWrite, ErrorKind, ReplicationKind, StartKind, Waitable};
use crate::live::Live;
use crate::model::Desired;
use crate::plan::{live_arn, Action, Change, Kind};

/// Which half of a change a step carries out: a replace is a removal and a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Remove,
    Build,
}

/// One unit of work.
#[derive(Debug, Clone)]
pub struct Step {
    pub change: Change,
    pub phase: Phase,
    /// Steps that must have succeeded first: when one fails, this one is skipped.
    pub needs: Vec<usize>,
    /// Steps that must have finished first, whatever their outcome (builds start once every
    /// removal has run: "removals, then creates and updates").
    pub after: Vec<usize>,
}

impl Step {
    /// The action as the report names it.
    pub fn action(&self) -> &'static str {
        match (self.change.action, self.phase) {
            (Action::Replace, Phase::Remove) => "replace-delete",
            (Action::Replace, Phase::Build) => "replace-create",
            (a, _) => a.as_str(),
        }
    }
}

/// Why a step failed.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// An AWS call failed.
    #[error(transparent)]
    Cloud(#[from] CloudError),
    /// A wait failed or timed out.
    #[error(transparent)]
    Wait(#[from] WaitError),
    /// Something the step needs is not there (an ARN nothing created, a resource not in the
    /// spec).
    #[error("{0}")]
    Missing(String),
    /// A create met a resource with its identifier that this stack does not own: the same
    /// conflict `plan` reports.
    #[error("{kind} `{name}` (`{id}`): {reason}")]
    Conflict {
        kind: Kind,
        name: String,
        id: String,
        reason: String,
    },
}

impl StepError {
    /// The error for the report, with its kind.
    pub fn failure(&self) -> Failure {
        let kind = match self {
            StepError::Cloud(e) | StepError::Wait(WaitError::Cloud(e)) => {
                FailureKind::Cloud(e.kind)
            }
            StepError::Wait(WaitError::Failed { .. }) => FailureKind::WaitFailed,
            StepError::Wait(WaitError::Timeout { .. }) => FailureKind::Timeout,
            StepError::Missing(_) => FailureKind::Missing,
            StepError::Conflict { .. } => FailureKind::Conflict,
        };
        Failure::new(kind, self.to_string())
    }
}

/// Whether a create made the resource, or found the one an earlier attempt made.
enum Made {
    New,
    /// With the update that brings it to the spec, when it differs.
    Earlier(Option<Change>),
}

/// Statuses a repeated call may find (normalized, see [`crate::dms::normalize_status`]).
fn deleting(s: &str) -> bool {
    s == "deleting"
}

fn stopping_or_stopped(s: &str) -> bool {
    s == "stopping" || !crate::dms::moves_data(s)
}

fn started(s: &str) -> bool {
    crate::dms::moves_data(s)
}

fn modifying(s: &str) -> bool {
    s == "modifying"
}

/// What every step shares.
pub struct Ctx<C> {
    pub cloud: Arc<C>,
    pub desired: Desired,
    pub live: Live,
    pub secrets: Secrets,
    pub opts: Options,
    pub deadline: Instant,
    pub progress: Arc<Progress>,
    /// ARNs of what this run created, by kind and lowercase identifier: what later steps point
    /// at.
    created: Mutex<BTreeMap<(Kind, String), String>>,
    /// A role was created or changed in this run: DMS may not see it for a few seconds.
    roles_changed: AtomicBool,
    /// `parallelism` slots: a step holds one while it makes calls, not while it waits.
    slots: Arc<Semaphore>,
    /// The shared status polls of every wait in this run.
    poller: Poller,
}

tokio::task_local! {
    /// The slot of the step running in this task, given up while it waits.
    static SLOT: RefCell<Option<OwnedSemaphorePermit>>;
}

/// DMS rejecting a role IAM has not finished propagating: "The IAM Role
/// arn:aws:iam::...:role/dms-vpc-role is not configured properly."
fn is_iam_propagation(e: &CloudError) -> bool {
    let m = e.message.to_ascii_lowercase();
    matches!(e.kind, ErrorKind::Other | ErrorKind::Denied)
        && (m.contains("iam role")
            || m.contains(crate::model::VPC_ROLE)
            || m.contains(crate::model::CLOUDWATCH_LOGS_ROLE))
}

impl<C: CloudWrite + 'static> Ctx<C> {
    pub fn new(
        cloud: Arc<C>,
        desired: Desired,
        live: Live,
        secrets: Secrets,
        opts: Options,
        deadline: Instant,
        progress: Arc<Progress>,
    ) -> Self {
        Ctx {
            poller: Poller::start(cloud.clone(), opts.backoff.initial),
            slots: Arc::new(Semaphore::new(opts.parallelism.max(1))),
            cloud,
            desired,
            live,
            secrets,
            opts,
            deadline,
            progress,
            created: Mutex::new(BTreeMap::new()),
            roles_changed: AtomicBool::new(false),
        }
    }

    /// What the step is doing now. Its outcome is not said here: the executor reports it, and
    /// the live view needs the two apart to know when a step's spinner ends.
    fn say(&self, c: &Change, message: &str) {
        self.progress.update(c.kind, &c.name, message);
    }

    /// Runs one step once it holds a slot; `Ok` carries the line that says what was done.
    /// `None` when the run was cancelled, or its deadline passed, before the step held one:
    /// it never started.
    pub async fn run(
        &self,
        step: &Step,
        cancel: &CancelToken,
    ) -> Option<Result<String, StepError>> {
        let slot = tokio::select! {
            slot = self.slots.clone().acquire_owned() => slot.ok()?,
            () = cancel.cancelled() => return None,
            () = tokio::time::sleep_until(self.deadline) => return None,
        };
        if cancel.is_cancelled() || Instant::now() >= self.deadline {
            return None;
        }
        let work = async {
            match step.phase {
                Phase::Remove => self.remove(&step.change).await,
                Phase::Build => self.build(&step.change).await,
            }
        };
        Some(SLOT.scope(RefCell::new(Some(slot)), work).await)
    }

    fn record(&self, kind: Kind, id: &str, arn: &str) {
        let mut created = self.created.lock().unwrap_or_else(|e| e.into_inner());
        created.insert((kind, id.to_lowercase()), arn.to_string());
    }

    /// The ARN of a DMS resource: created earlier in this run, else live.
    fn arn_of(&self, kind: Kind, id: &str) -> Option<String> {
        let created = self.created.lock().unwrap_or_else(|e| e.into_inner());
        created
            .get(&(kind, id.to_lowercase()))
            .cloned()
            .or_else(|| live_arn(&self.live, kind, id).map(str::to_string))
    }

    /// The ARN of the resource a change updates: live, or found by a create's recovery in
    /// this run.
    fn live_arn_of(&self, c: &Change) -> Result<String, StepError> {
        self.arn_of(c.kind, &c.id).ok_or_else(|| {
            StepError::Missing(format!(
                "{} `{}` is not in the account",
                c.kind.noun(),
                c.id
            ))
        })
    }

    async fn wait(
        &self,
        c: &Change,
        kind: Waitable,
        arn: &str,
        goal: &str,
        condition: impl Condition,
    ) -> Result<(), WaitError> {
        self.say(c, &format!("waiting until {goal}"));
        let what = format!("{} `{}` to be {goal}", c.kind.noun(), c.id);
        // Waiting makes no call of its own: the slot goes to a step that does, and is taken
        // back before this one calls again.
        let _ = SLOT.try_with(|slot| slot.borrow_mut().take());
        let waited = wait::until(
            &self.poller,
            kind,
            arn,
            &what,
            condition,
            self.deadline,
            self.opts.backoff,
        )
        .await;
        if let Ok(slot) = self.slots.clone().acquire_owned().await {
            let _ = SLOT.try_with(|held| *held.borrow_mut() = Some(slot));
        }
        waited.map(|_| ())
    }

    /// Runs a create call (with the IAM propagation retry). When it meets `AlreadyExists` —
    /// most often its own earlier attempt, whose answer was lost and which the SDK retried —
    /// the account is read again and planned against: a resource this stack owns under this
    /// name is the earlier attempt's, and the step goes on with it ([`Made::Earlier`], with
    /// the update that brings it to the spec when it differs); anything else is the conflict
    /// `plan` would report. The ARN is recorded for the steps that point at it.
    async fn create<F, Fut>(&self, c: &Change, call: F) -> Result<(String, Made), StepError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<String, CloudError>>,
    {
        let refused = match self.iam_retry(c, call).await {
            Ok(arn) => {
                self.record(c.kind, &c.id, &arn);
                return Ok((arn, Made::New));
            }
            Err(e) if e.kind == ErrorKind::AlreadyExists => e,
            Err(e) => return Err(e.into()),
        };
        self.say(c, "already exists: reading it to see whose it is");
        let live = self.cloud.read().await?;
        let fresh = crate::plan::plan(&self.desired, &live);
        if let Some(x) = fresh
            .conflicts
            .iter()
            .find(|x| x.kind == c.kind && x.name == c.name)
        {
            return Err(StepError::Conflict {
                kind: x.kind,
                name: x.name.clone(),
                id: x.id.clone(),
                reason: x.reason.clone(),
            });
        }
        // Gone again between the create and the read: the create's own answer stands.
        let arn = live_arn(&live, c.kind, &c.id).ok_or(refused)?.to_string();
        let change = fresh
            .changes
            .iter()
            .find(|x| x.kind == c.kind && x.name == c.name);
        let update = match change.map(|x| x.action) {
            None | Some(Action::NoOp) => None,
            Some(Action::Update) => change.cloned(),
            Some(other) => {
                return Err(StepError::Missing(format!(
                    "{} `{}` exists from an earlier attempt but would need a {other} to match \
                     the spec; run `dmsctl plan` to see why",
                    c.kind.noun(),
                    c.id
                )))
            }
        };
        self.record(c.kind, &c.id, &arn);
        Ok((arn, Made::Earlier(update)))
    }

    /// The outcome of a state-changing call (stop, start, modify, delete) that is safe to
    /// repeat: when DMS refuses it for the resource's state, the status is read, and a
    /// resource already where the call takes it (`reached`) counts as done — the answer to
    /// an earlier attempt was lost, or someone else got there first. `Ok(false)` when the
    /// resource is gone (a delete's success).
    async fn settle(
        &self,
        kind: Waitable,
        arn: &str,
        r: Result<(), CloudError>,
        reached: fn(&str) -> bool,
    ) -> Result<bool, StepError> {
        let e = match r {
            Ok(()) => return Ok(true),
            Err(e) if matches!(e.kind, ErrorKind::InvalidState | ErrorKind::NotFound) => e,
            Err(e) => return Err(e.into()),
        };
        match self.cloud.status(kind, arn).await? {
            None if e.kind == ErrorKind::NotFound => Ok(false),
            Some(now) if reached(&crate::dms::normalize_status(&now.status)) => Ok(true),
            _ => Err(e.into()),
        }
    }

    /// Retries a create that DMS rejects because a role created or changed moments ago has not
    /// propagated yet. Only then: an old role DMS rejects is a real problem, reported at once.
    async fn iam_retry<T, F, Fut>(&self, c: &Change, mut call: F) -> Result<T, CloudError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, CloudError>>,
    {
        let start = Instant::now();
        let mut attempt = 0;
        loop {
            match call().await {
                Err(e)
                    if self.roles_changed.load(Ordering::SeqCst)
                        && is_iam_propagation(&e)
                        && start.elapsed() < self.opts.iam_grace
                        && Instant::now() < self.deadline =>
                {
                    self.say(c, "the new IAM role is not visible to DMS yet; retrying");
                    tokio::time::sleep(self.opts.backoff.delay(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Stops a task or replication; one already stopping or stopped is done.
    async fn stop(&self, kind: ReplicationKind, arn: &str) -> Result<(), StepError> {
        let r = self.cloud.stop(kind, arn).await;
        self.settle(kind.waitable(), arn, r, stopping_or_stopped)
            .await?;
        Ok(())
    }

    /// Resumes a task or replication after a modify; one already starting or running is done.
    async fn resume(&self, kind: ReplicationKind, arn: &str) -> Result<(), StepError> {
        let r = self
            .cloud
            .start(kind, arn, StartKind::ResumeProcessing, None)
            .await;
        self.settle(kind.waitable(), arn, r, started).await?;
        Ok(())
    }
}
