//! Steps: the plan's changes as units of work with their dependencies, and what each one does
//! against [`CloudWrite`] (calls, waits, stop → modify → resume, the IAM propagation retry).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::poll::Poller;
use super::progress::Progress;
use super::secrets::Secrets;
use super::wait::{self, Condition, WaitError};
use super::{CancelToken, Options};
use crate::cloud::{
    CloudError, CloudWrite, EndpointSecrets, ErrorKind, StartKind, Status, Waitable,
};
use crate::live::Live;
use crate::model::{Desired, Tag};
use crate::plan::{live_arn, Action, Change, Kind, Plan};

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

/// The steps of `plan` in execution order (removals in reverse kind order, then builds in kind
/// order), each with its dependencies:
///
/// - a removal needs the removals of what uses the resource (tasks and serverless replications
///   before their endpoints, tasks before their instance, instances and replications before
///   their subnet group), as the live state records those uses;
/// - a build needs the removal half of its own replace (identifiers are fixed, so the old one
///   must be gone before the new one is created), the IAM roles (for subnet groups, instances,
///   tasks and replications: DMS uses them from the first call), its subnet group, and, for a
///   task or replication, its endpoints and instance.
pub fn graph(plan: &Plan, desired: &Desired, live: &Live) -> Vec<Step> {
    let (removals, builds) = plan.execution_order();
    let step = |c: &Change, phase| Step {
        change: c.clone(),
        phase,
        needs: Vec::new(),
        after: Vec::new(),
    };
    let mut steps: Vec<Step> = removals.iter().map(|c| step(c, Phase::Remove)).collect();
    let n_removals = steps.len();
    steps.extend(builds.iter().map(|c| step(c, Phase::Build)));

    for i in 0..n_removals {
        let c = &steps[i].change;
        let Some(arn) = live_arn(live, c.kind, &c.id) else {
            continue;
        };
        let users: Vec<usize> = (0..n_removals)
            .filter(|&j| j != i && uses(live, &steps[j].change, c.kind, arn, &c.id))
            .collect();
        steps[i].needs = users;
    }

    let build_of = |kind: Kind, name: &str| -> Option<usize> {
        (n_removals..steps.len())
            .find(|&j| steps[j].change.kind == kind && steps[j].change.name == name)
    };
    let subnet_build = |identifier: Option<&str>| -> Option<usize> {
        let identifier = identifier?;
        let (name, _) = desired.subnet_groups.iter().find(|(_, g)| {
            g.replication_subnet_group_identifier
                .eq_ignore_ascii_case(identifier)
        })?;
        build_of(Kind::SubnetGroup, name)
    };
    let roles: Vec<usize> = (n_removals..steps.len())
        .filter(|&j| steps[j].change.kind == Kind::IamRole)
        .collect();
    let mut deps: Vec<Vec<usize>> = Vec::new();
    for i in n_removals..steps.len() {
        let c = &steps[i].change;
        let mut needs = Vec::new();
        if c.action == Action::Replace {
            needs.extend((0..n_removals).find(|&j| {
                let r = &steps[j].change;
                r.kind == c.kind && r.name == c.name && r.id == c.id
            }));
        }
        match c.kind {
            Kind::IamRole | Kind::LogGroup | Kind::Endpoint => {}
            Kind::SubnetGroup => needs.extend(&roles),
            Kind::Instance => {
                needs.extend(&roles);
                let group = desired
                    .instances
                    .get(&c.name)
                    .and_then(|d| d.replication_subnet_group_identifier.as_deref());
                needs.extend(subnet_build(group));
            }
            Kind::Task => {
                needs.extend(&roles);
                if let Some(d) = desired.tasks.get(&c.name) {
                    needs.extend(build_of(Kind::Endpoint, &d.source_endpoint));
                    needs.extend(build_of(Kind::Endpoint, &d.target_endpoint));
                    needs.extend(build_of(Kind::Instance, &d.replication_instance));
                }
            }
            Kind::ReplicationConfig => {
                needs.extend(&roles);
                if let Some(d) = desired.replication_configs.get(&c.name) {
                    needs.extend(build_of(Kind::Endpoint, &d.source_endpoint));
                    needs.extend(build_of(Kind::Endpoint, &d.target_endpoint));
                    let group = d.compute_config.get("ReplicationSubnetGroupId");
                    needs.extend(subnet_build(group.and_then(|g| g.as_str())));
                }
            }
        }
        needs.sort_unstable();
        needs.dedup();
        deps.push(needs);
    }
    for (k, needs) in deps.into_iter().enumerate() {
        let s = &mut steps[n_removals + k];
        s.needs = needs;
        s.after = (0..n_removals).collect();
    }
    steps
}

/// Whether the live resource `user` (being removed) uses the resource of `kind` at `arn`.
fn uses(live: &Live, user: &Change, kind: Kind, arn: &str, id: &str) -> bool {
    let key = user.id.to_lowercase();
    match (kind, user.kind) {
        (Kind::Endpoint, Kind::Task) => live
            .tasks
            .get(&key)
            .is_some_and(|t| t.source_endpoint_arn == arn || t.target_endpoint_arn == arn),
        (Kind::Endpoint, Kind::ReplicationConfig) => live
            .replication_configs
            .get(&key)
            .is_some_and(|r| r.source_endpoint_arn == arn || r.target_endpoint_arn == arn),
        (Kind::Instance, Kind::Task) => live
            .tasks
            .get(&key)
            .is_some_and(|t| t.replication_instance_arn == arn),
        (Kind::SubnetGroup, Kind::Instance) => live.instances.get(&key).is_some_and(|i| {
            i.subnet_group
                .as_deref()
                .is_some_and(|g| g.eq_ignore_ascii_case(id))
        }),
        (Kind::SubnetGroup, Kind::ReplicationConfig) => {
            live.replication_configs.get(&key).is_some_and(|r| {
                r.compute_config
                    .get("ReplicationSubnetGroupId")
                    .and_then(|g| g.as_str())
                    .is_some_and(|g| g.eq_ignore_ascii_case(id))
            })
        }
        _ => false,
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

/// Whether a create made the resource, or found the one an earlier attempt made.
enum Made {
    New,
    /// With the update that brings it to the spec, when it differs.
    Earlier(Option<Change>),
}

/// Statuses a repeated call may find (normalized, see [`crate::live::normalize_status`]).
fn deleting(s: &str) -> bool {
    s == "deleting"
}

fn stopping_or_stopped(s: &str) -> bool {
    s == "stopping" || !crate::live::is_running(s)
}

fn started(s: &str) -> bool {
    crate::live::is_running(s)
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

/// Something other than tags differs. Tags alone need no Modify: `AddTagsToResource` and
/// `RemoveTagsFromResource` are enough, and a running task does not mind them.
fn needs_modify(c: &Change) -> bool {
    c.diffs.iter().any(|d| !d.field.starts_with("Tags."))
}

/// A delete of something already gone is a success: the run converges.
fn tolerate_missing(r: Result<(), CloudError>) -> Result<bool, CloudError> {
    match r {
        Ok(()) => Ok(true),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
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

    /// What a create step says it did, and the update a recovered resource still needs.
    async fn made(&self, c: &Change, arn: &str, made: Made) -> Result<String, StepError> {
        match made {
            Made::New => Ok(self.created_note(c, arn)),
            Made::Earlier(None) => Ok(format!(
                "created ({arn}; an earlier attempt's, whose answer was lost)"
            )),
            Made::Earlier(Some(update)) => {
                Box::pin(self.build(&update)).await?;
                Ok(format!(
                    "created ({arn}; an earlier attempt's, whose answer was lost) and brought to \
                     the spec"
                ))
            }
        }
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
            Some(now) if reached(&crate::live::normalize_status(&now.status)) => Ok(true),
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

    async fn remove(&self, c: &Change) -> Result<String, StepError> {
        let gone = "already gone".to_string();
        match c.kind {
            // Account-wide roles and log history: the planner never removes them; should a
            // plan file say otherwise, they still stay.
            Kind::IamRole | Kind::LogGroup => Ok("kept: dmsctl never deletes it".to_string()),
            Kind::SubnetGroup => {
                self.say(c, "deleting");
                let deleted = tolerate_missing(self.cloud.delete_subnet_group(&c.id).await)?;
                Ok(if deleted { "deleted".to_string() } else { gone })
            }
            Kind::Instance => {
                let Some(arn) = live_arn(&self.live, c.kind, &c.id) else {
                    return Ok(gone);
                };
                self.say(c, "deleting");
                if self
                    .settle(
                        Waitable::Instance,
                        arn,
                        self.cloud.delete_instance(arn).await,
                        deleting,
                    )
                    .await?
                {
                    self.wait(c, Waitable::Instance, arn, "deleted", wait::gone)
                        .await?;
                }
                Ok("deleted".to_string())
            }
            Kind::Endpoint => {
                let Some(arn) = live_arn(&self.live, c.kind, &c.id) else {
                    return Ok(gone);
                };
                self.say(c, "deleting");
                if self
                    .settle(
                        Waitable::Endpoint,
                        arn,
                        self.cloud.delete_endpoint(arn).await,
                        deleting,
                    )
                    .await?
                {
                    self.wait(c, Waitable::Endpoint, arn, "deleted", wait::gone)
                        .await?;
                }
                Ok("deleted".to_string())
            }
            Kind::Task => {
                let Some(arn) = live_arn(&self.live, c.kind, &c.id) else {
                    return Ok(gone);
                };
                if !self.halt(c, Waitable::Task, arn).await? {
                    return Ok(gone);
                }
                self.say(c, "deleting");
                if self
                    .settle(
                        Waitable::Task,
                        arn,
                        self.cloud.delete_task(arn).await,
                        deleting,
                    )
                    .await?
                {
                    self.wait(c, Waitable::Task, arn, "deleted", wait::gone)
                        .await?;
                }
                Ok("deleted".to_string())
            }
            Kind::ReplicationConfig => {
                let Some(arn) = live_arn(&self.live, c.kind, &c.id) else {
                    return Ok(gone);
                };
                if !self.halt(c, Waitable::ReplicationConfig, arn).await? {
                    return Ok(gone);
                }
                self.say(c, "deleting");
                if self
                    .settle(
                        Waitable::ReplicationConfig,
                        arn,
                        self.cloud.delete_replication_config(arn).await,
                        deleting,
                    )
                    .await?
                {
                    self.wait(c, Waitable::ReplicationConfig, arn, "deleted", wait::gone)
                        .await?;
                }
                Ok("deleted".to_string())
            }
        }
    }

    /// Stops a task or replication about to be deleted (DMS refuses to delete a running one)
    /// and waits until it has stopped. `false` when it no longer exists.
    async fn halt(&self, c: &Change, kind: Waitable, arn: &str) -> Result<bool, StepError> {
        let Some(now) = self.cloud.status(kind, arn).await? else {
            return Ok(false);
        };
        if !wait::is_running(&now.status) {
            return Ok(true);
        }
        if !now.status.eq_ignore_ascii_case("stopping") {
            self.say(c, "running: stopping it before the delete");
            self.stop(kind, arn).await?;
        }
        self.wait(c, kind, arn, "stopped", wait::halted).await?;
        Ok(true)
    }

    /// Stops a task or replication; one already stopping or stopped is done.
    async fn stop(&self, kind: Waitable, arn: &str) -> Result<(), StepError> {
        let r = match kind {
            Waitable::ReplicationConfig => self.cloud.stop_replication(arn).await,
            _ => self.cloud.stop_task(arn).await,
        };
        self.settle(kind, arn, r, stopping_or_stopped).await?;
        Ok(())
    }

    /// Resumes a task or replication after a modify; one already starting or running is done.
    async fn resume(&self, kind: Waitable, arn: &str) -> Result<(), StepError> {
        let r = match kind {
            Waitable::ReplicationConfig => {
                self.cloud
                    .start_replication(arn, StartKind::ResumeProcessing, None)
                    .await
            }
            _ => {
                self.cloud
                    .start_task(arn, StartKind::ResumeProcessing, None)
                    .await
            }
        };
        self.settle(kind, arn, r, started).await?;
        Ok(())
    }

    async fn build(&self, c: &Change) -> Result<String, StepError> {
        let creates = matches!(c.action, Action::Create | Action::Replace);
        let missing = || {
            StepError::Missing(format!(
                "{} `{}` is not in the spec (was the plan made from another spec?)",
                c.kind.noun(),
                c.name
            ))
        };
        match c.kind {
            Kind::IamRole => self.role(c).await,
            Kind::LogGroup => {
                let days = self.desired.log_retention_days.ok_or_else(missing)?;
                let days = i32::try_from(days).unwrap_or(i32::MAX);
                self.say(c, &format!("setting retention to {days} days"));
                self.cloud.set_log_retention(&c.id, days).await?;
                Ok(format!("retention {days} days"))
            }
            Kind::SubnetGroup => {
                let d = self
                    .desired
                    .subnet_groups
                    .get(&c.name)
                    .ok_or_else(missing)?;
                if creates {
                    self.say(c, "creating");
                    let (arn, made) = self.create(c, || self.cloud.create_subnet_group(d)).await?;
                    return self.made(c, &arn, made).await;
                }
                self.say(c, "updating");
                if needs_modify(c) {
                    self.cloud.modify_subnet_group(d).await?;
                }
                self.tag(c, &d.tags).await?;
                Ok("updated".to_string())
            }
            Kind::Instance => {
                let d = self.desired.instances.get(&c.name).ok_or_else(missing)?;
                if creates {
                    self.say(c, "creating");
                    let (arn, made) = self.create(c, || self.cloud.create_instance(d)).await?;
                    self.wait(
                        c,
                        Waitable::Instance,
                        &arn,
                        "available",
                        wait::instance_available,
                    )
                    .await?;
                    return self.made(c, &arn, made).await;
                }
                let arn = self.live_arn_of(c)?;
                self.say(c, "updating");
                if needs_modify(c) {
                    let r = self.cloud.modify_instance(&arn, d).await;
                    self.settle(Waitable::Instance, &arn, r, modifying).await?;
                    self.wait(
                        c,
                        Waitable::Instance,
                        &arn,
                        "available",
                        wait::instance_available,
                    )
                    .await?;
                }
                self.tag(c, &d.tags).await?;
                Ok("updated".to_string())
            }
            Kind::Endpoint => {
                let d = self.desired.endpoints.get(&c.name).ok_or_else(missing)?;
                let secrets = self.secrets.get(&c.name);
                if creates {
                    self.say(c, "creating");
                    let none = EndpointSecrets::default();
                    let (arn, made) = self
                        .create(c, || {
                            self.cloud.create_endpoint(d, secrets.unwrap_or(&none))
                        })
                        .await?;
                    self.wait(c, Waitable::Endpoint, &arn, "active", wait::endpoint_active)
                        .await?;
                    return self.made(c, &arn, made).await;
                }
                let arn = self.live_arn_of(c)?;
                self.say(c, "updating");
                let resend = if self.opts.update_secrets {
                    secrets
                } else {
                    None
                };
                if needs_modify(c) || resend.is_some() {
                    let r = self.cloud.modify_endpoint(&arn, d, resend).await;
                    self.settle(Waitable::Endpoint, &arn, r, modifying).await?;
                    self.wait(c, Waitable::Endpoint, &arn, "active", wait::endpoint_active)
                        .await?;
                }
                self.tag(c, &d.tags).await?;
                Ok(if resend.is_some() {
                    "updated (secrets re-sent)".to_string()
                } else {
                    "updated".to_string()
                })
            }
            Kind::Task => {
                let d = self.desired.tasks.get(&c.name).ok_or_else(missing)?;
                if creates {
                    let source = self.arn_by_name(Kind::Endpoint, &d.source_endpoint)?;
                    let target = self.arn_by_name(Kind::Endpoint, &d.target_endpoint)?;
                    let instance = self.arn_by_name(Kind::Instance, &d.replication_instance)?;
                    self.usable(c, Waitable::Endpoint, &source).await?;
                    self.usable(c, Waitable::Endpoint, &target).await?;
                    self.usable(c, Waitable::Instance, &instance).await?;
                    self.say(c, "creating");
                    let (arn, made) = self
                        .create(c, || self.cloud.create_task(d, &source, &target, &instance))
                        .await?;
                    self.wait(c, Waitable::Task, &arn, "ready", wait::task_ready)
                        .await?;
                    return self.made(c, &arn, made).await;
                }
                let arn = self.live_arn_of(c)?;
                self.say(c, "updating");
                let mut done = "updated".to_string();
                if needs_modify(c) {
                    let resumed = self.stop_for_modify(c, Waitable::Task, &arn).await?;
                    self.say(c, "modifying");
                    let r = self.cloud.modify_task(&arn, d).await;
                    self.settle(Waitable::Task, &arn, r, modifying).await?;
                    self.wait(c, Waitable::Task, &arn, "ready", wait::task_settled)
                        .await?;
                    if resumed {
                        self.say(c, "resuming");
                        self.resume(Waitable::Task, &arn).await?;
                        self.wait(c, Waitable::Task, &arn, "running again", wait::resumed())
                            .await?;
                        done = "stopped, modified and resumed".to_string();
                    }
                }
                self.tag(c, &d.tags).await?;
                Ok(done)
            }
            Kind::ReplicationConfig => {
                let d = self
                    .desired
                    .replication_configs
                    .get(&c.name)
                    .ok_or_else(missing)?;
                let source = self.arn_by_name(Kind::Endpoint, &d.source_endpoint)?;
                let target = self.arn_by_name(Kind::Endpoint, &d.target_endpoint)?;
                if creates {
                    self.usable(c, Waitable::Endpoint, &source).await?;
                    self.usable(c, Waitable::Endpoint, &target).await?;
                    self.say(c, "creating");
                    let (arn, made) = self
                        .create(c, || {
                            self.cloud.create_replication_config(d, &source, &target)
                        })
                        .await?;
                    return self.made(c, &arn, made).await;
                }
                let arn = self.live_arn_of(c)?;
                self.say(c, "updating");
                let mut done = "updated".to_string();
                if needs_modify(c) {
                    let w = Waitable::ReplicationConfig;
                    let resumed = self.stop_for_modify(c, w, &arn).await?;
                    self.say(c, "modifying");
                    let r = self
                        .cloud
                        .modify_replication_config(&arn, d, &source, &target)
                        .await;
                    self.settle(w, &arn, r, modifying).await?;
                    // Terraform's provider restarts while still `modifying`, and fails.
                    self.wait(c, w, &arn, "done modifying", wait::replication_settled)
                        .await?;
                    if resumed {
                        self.say(c, "resuming");
                        self.resume(w, &arn).await?;
                        self.wait(c, w, &arn, "running again", wait::resumed())
                            .await?;
                        done = "stopped, modified and resumed".to_string();
                    }
                }
                self.tag(c, &d.tags).await?;
                Ok(done)
            }
        }
    }

    /// `created (arn)`, and a hint when the replication it replaced was running: apply does
    /// not start replications, `dmsctl start` does.
    fn created_note(&self, c: &Change, arn: &str) -> String {
        let key = c.id.to_lowercase();
        let was_running = c.action == Action::Replace
            && match c.kind {
                Kind::Task => self
                    .live
                    .tasks
                    .get(&key)
                    .is_some_and(|t| wait::is_running(&t.status)),
                _ => self
                    .live
                    .replication_configs
                    .get(&key)
                    .and_then(|r| r.status.as_deref())
                    .is_some_and(wait::is_running),
            };
        if was_running {
            format!(
                "created ({arn}); the one it replaced was running: `dmsctl start {}`",
                c.name
            )
        } else {
            format!("created ({arn})")
        }
    }

    /// Stops a running task or replication before a modify (DMS refuses to modify a running
    /// one) and waits until it has stopped. `true` when it was running, so it is resumed after.
    /// Decided from the status now, not the plan's `restart`: a plan can be minutes old.
    async fn stop_for_modify(
        &self,
        c: &Change,
        kind: Waitable,
        arn: &str,
    ) -> Result<bool, StepError> {
        let Some(now) = self.cloud.status(kind, arn).await? else {
            return Err(StepError::Missing(format!(
                "{} `{}` no longer exists",
                c.kind.noun(),
                c.id
            )));
        };
        if !wait::is_running(&now.status) {
            return Ok(false);
        }
        // Someone else is stopping it: let them, and do not start it again behind their back.
        let stopping = now.status.eq_ignore_ascii_case("stopping");
        if !stopping {
            self.say(c, "running: stop → modify → resume; stopping");
            self.stop(kind, arn).await?;
        }
        self.wait(c, kind, arn, "stopped", wait::stopped).await?;
        Ok(!stopping)
    }

    /// Adds or overwrites the desired tags when one differs, and removes the live tags the
    /// plan removes. A key the spec wants (the ownership tags among them) is never removed,
    /// even should a saved plan say so.
    async fn tag(&self, c: &Change, tags: &[Tag]) -> Result<(), StepError> {
        let set = c.sets_tags();
        let removed: Vec<&str> = c
            .removed_tags()
            .into_iter()
            .filter(|k| !tags.iter().any(|t| t.key == *k))
            .collect();
        if !set && removed.is_empty() {
            return Ok(());
        }
        let arn = self.arn_of(c.kind, &c.id).ok_or_else(|| {
            StepError::Missing(format!("{} `{}` has no ARN to tag", c.kind.noun(), c.id))
        })?;
        if set {
            self.cloud.add_tags(&arn, tags).await?;
        }
        if !removed.is_empty() {
            self.cloud.remove_tags(&arn, &removed).await?;
        }
        Ok(())
    }

    /// Waits until an endpoint or instance a new task or replication uses is usable, when the
    /// account read before this run found it otherwise (an apply killed halfway left it
    /// `creating`): DMS refuses to create on it until then. What this run made was waited for
    /// by its own step, and what was usable then is taken as such.
    async fn usable(&self, c: &Change, kind: Waitable, arn: &str) -> Result<(), StepError> {
        let status = match kind {
            Waitable::Instance => self
                .live
                .instances
                .values()
                .find(|i| i.arn == arn)
                .map(|i| i.status.as_str()),
            Waitable::Endpoint => self
                .live
                .endpoints
                .values()
                .find(|e| e.arn == arn)
                .and_then(|e| e.status.as_deref()),
            Waitable::Task | Waitable::ReplicationConfig => return Ok(()),
        };
        let condition = match kind {
            Waitable::Instance => wait::instance_available,
            _ => wait::endpoint_active,
        };
        let Some(status) = status else {
            return Ok(());
        };
        let ready = Some(Status {
            status: status.to_string(),
            message: None,
        });
        if condition(ready.as_ref()) == wait::Check::Done {
            return Ok(());
        }
        let goal = match kind {
            Waitable::Instance => "able to use its replication instance",
            _ => "able to use its endpoint",
        };
        self.wait(c, kind, arn, goal, condition).await?;
        Ok(())
    }

    /// The ARN of the endpoint or instance with this logical name.
    fn arn_by_name(&self, kind: Kind, name: &str) -> Result<String, StepError> {
        let id = match kind {
            Kind::Endpoint => self
                .desired
                .endpoints
                .get(name)
                .map(|e| e.endpoint_identifier.as_str()),
            Kind::Instance => self
                .desired
                .instances
                .get(name)
                .map(|i| i.replication_instance_identifier.as_str()),
            _ => None,
        };
        let id = id.ok_or_else(|| {
            StepError::Missing(format!("{} `{name}` is not in the spec", kind.noun()))
        })?;
        self.arn_of(kind, id).ok_or_else(|| {
            StepError::Missing(format!(
                "{} `{name}` (`{id}`) does not exist and was not created",
                kind.noun()
            ))
        })
    }

    async fn role(&self, c: &Change) -> Result<String, StepError> {
        let d = self
            .desired
            .iam_roles
            .iter()
            .find(|r| r.role_name == c.name)
            .ok_or_else(|| {
                StepError::Missing(format!("IAM role `{}` is not in the spec", c.name))
            })?;
        let live = self
            .live
            .roles
            .get(&c.name)
            .or_else(|| self.live.roles.values().find(|r| r.name == c.name));
        let mut done = Vec::new();
        let attached: &[String] = match live {
            None => {
                self.say(c, "creating");
                match self.cloud.create_role(d).await {
                    Ok(()) => done.push("created".to_string()),
                    // Made by someone else since the plan: ensure its policies below.
                    Err(e) if e.kind == ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(e.into()),
                }
                self.roles_changed.store(true, Ordering::SeqCst);
                &[]
            }
            Some(l) => {
                self.say(c, "updating");
                if !l.trusts_dms {
                    self.cloud
                        .update_trust_policy(&d.role_name, &d.assume_role_policy_document)
                        .await?;
                    self.roles_changed.store(true, Ordering::SeqCst);
                    done.push("trust policy updated".to_string());
                }
                &l.attached_policy_arns
            }
        };
        for policy in d
            .attached_policy_arns
            .iter()
            .filter(|p| !attached.contains(p))
        {
            self.cloud.attach_role_policy(&d.role_name, policy).await?;
            self.roles_changed.store(true, Ordering::SeqCst);
            let short = policy.rsplit('/').next().unwrap_or(policy);
            done.push(format!("policy {short} attached"));
        }
        Ok(if done.is_empty() {
            "nothing to do".to_string()
        } else {
            done.join(", ")
        })
    }
}
