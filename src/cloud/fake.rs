//! An in-memory DMS for executor tests: holds a [`Live`], applies writes to it, records every
//! call in order (with its arguments' `Debug`, so tests can check no secret leaks into them),
//! fails the calls it is told to, measures how many calls overlap, and moves statuses the way
//! DMS does (an instance `creating` → `available`, a task `creating` → `ready`, `stopping` →
//! `stopped`, `deleting` → gone, and `InvalidState` for a modify or delete of a running task).
//!
//! Statuses move on polls: `status()` answers the current status, then advances to the next
//! one queued, so every wait sees at least one "not yet".

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use crate::cloud::*;
use crate::live::*;
use crate::model::*;
use crate::plan::testing::{dms_arn, live_from, ACCOUNT};
use crate::spec::types::ComputeMode;

use crate::apply::CancelToken;

/// Marks the end of a status queue where the resource disappears.
const GONE: &str = "<gone>";

/// One recorded call.
#[derive(Debug, Clone)]
pub struct Call {
    /// The trait method (`create_endpoint`).
    pub op: &'static str,
    /// The identifier, name or ARN it addressed.
    pub target: String,
    /// Every argument's `Debug`.
    pub detail: String,
}

struct Fault {
    op: &'static str,
    target: String,
    /// `None`: the call takes effect, its answer is lost, and the retry (as the SDK makes
    /// one) is what the caller sees.
    error: Option<CloudError>,
    times: usize,
}

#[derive(Default)]
struct Inner {
    live: Live,
    calls: Vec<Call>,
    faults: Vec<Fault>,
    /// Statuses still to come, by ARN.
    next: BTreeMap<String, VecDeque<String>>,
    in_flight: usize,
    max_in_flight: usize,
    /// Status poll calls, each covering one or more resources.
    polls: usize,
    cancel_on: Option<(&'static str, CancelToken)>,
    /// Secret values received (exposed), to check they were sent at all.
    secrets_received: Vec<String>,
    /// Secrets Manager: secret id -> SecretString.
    secrets_manager: BTreeMap<String, String>,
    /// CloudWatch Logs events, of every group.
    log_events: Vec<LogEvent>,
}

pub struct FakeCloud {
    inner: Mutex<Inner>,
    latency: Duration,
}

fn err(kind: ErrorKind, operation: &str, message: impl Into<String>) -> CloudError {
    CloudError {
        kind,
        operation: operation.to_string(),
        message: message.into(),
    }
}

fn tag_map(tags: &[Tag]) -> Tags {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

/// A desired state holding nothing, to build one live resource with `live_from`.
fn empty() -> Desired {
    Desired {
        stack: "fake".into(),
        region: None,
        mode: ComputeMode::Instances,
        log_retention_days: None,
        iam_roles: Vec::new(),
        subnet_groups: BTreeMap::new(),
        certificates: BTreeMap::new(),
        endpoints: BTreeMap::new(),
        instances: BTreeMap::new(),
        tasks: BTreeMap::new(),
        replication_configs: BTreeMap::new(),
        event_subscriptions: BTreeMap::new(),
        alarms: BTreeMap::new(),
    }
}

fn running(status: &str) -> bool {
    crate::dms::must_stop_before_modify(status)
}

impl FakeCloud {
    pub fn new(live: Live) -> Self {
        FakeCloud {
            inner: Mutex::new(Inner {
                live,
                ..Inner::default()
            }),
            latency: Duration::from_millis(2),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("fake lock")
    }

    /// Fails the next `times` calls of `op` on `target` with this error.
    pub fn fail(
        &self,
        op: &'static str,
        target: &str,
        kind: ErrorKind,
        message: &str,
        times: usize,
    ) {
        self.lock().faults.push(Fault {
            op,
            target: target.to_string(),
            error: Some(err(kind, op, message)),
            times,
        });
    }

    /// The next `times` calls of `op` on `target` take effect, but their answer is lost and
    /// the call is made again: what the SDK's retry after a 500 or a dropped connection does.
    /// The caller sees the second call's result (`AlreadyExists` for a create, ...).
    pub fn lose_response(&self, op: &'static str, target: &str, times: usize) {
        self.lock().faults.push(Fault {
            op,
            target: target.to_string(),
            error: None,
            times,
        });
    }

    /// The statuses `arn` goes through on the next polls (after the one it has now).
    pub fn then(&self, arn: &str, statuses: &[&str]) {
        self.lock().queue(arn, statuses);
    }

    /// Changes the account behind dmsctl's back (another tool, a person at the console).
    pub fn edit(&self, f: impl FnOnce(&mut Live)) {
        f(&mut self.lock().live);
    }

    /// Cancels `token` when `op` is called (a Ctrl-C in the middle of a run).
    pub fn cancel_on(&self, op: &'static str, token: CancelToken) {
        self.lock().cancel_on = Some((op, token));
    }

    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// `op target` of every call that changes something (not `read`, `status`, `secret_value`).
    pub fn writes(&self) -> Vec<String> {
        self.lock()
            .calls
            .iter()
            .filter(|c| !matches!(c.op, "read" | "status" | "secret_value"))
            .map(|c| format!("{} {}", c.op, c.target))
            .collect()
    }

    /// `op target` of every call.
    pub fn log(&self) -> Vec<String> {
        self.lock()
            .calls
            .iter()
            .map(|c| format!("{} {}", c.op, c.target))
            .collect()
    }

    pub fn max_concurrency(&self) -> usize {
        self.lock().max_in_flight
    }

    /// Status poll calls made so far (each may cover many resources).
    pub fn polls(&self) -> usize {
        self.lock().polls
    }

    pub fn live(&self) -> Live {
        self.lock().live.clone()
    }

    pub fn secrets_received(&self) -> Vec<String> {
        self.lock().secrets_received.clone()
    }

    /// Logs an event: every `log_events` call from its time on returns it.
    pub fn log_event(&self, timestamp_ms: i64, message: &str) {
        self.lock().log_events.push(LogEvent {
            timestamp_ms,
            stream: "stream".into(),
            message: message.into(),
        });
    }

    /// Stores a Secrets Manager secret.
    pub fn put_secret(&self, id: &str, value: &str) {
        self.lock()
            .secrets_manager
            .insert(id.to_string(), value.to_string());
    }

    /// Records the call, holds it in flight for the latency, then applies `f` unless a fault
    /// answers first.
    async fn call<T>(
        &self,
        op: &'static str,
        target: &str,
        detail: String,
        mut f: impl FnMut(&mut Inner) -> Result<T, CloudError>,
    ) -> Result<T, CloudError> {
        {
            let mut g = self.lock();
            g.calls.push(Call {
                op,
                target: target.to_string(),
                detail,
            });
            g.in_flight += 1;
            g.max_in_flight = g.max_in_flight.max(g.in_flight);
            if let Some((o, token)) = &g.cancel_on {
                if *o == op {
                    token.cancel();
                }
            }
        }
        tokio::time::sleep(self.latency).await;
        let mut g = self.lock();
        g.in_flight -= 1;
        if let Some(i) = g
            .faults
            .iter()
            .position(|f| f.op == op && f.target.eq_ignore_ascii_case(target) && f.times > 0)
        {
            let fault = &mut g.faults[i];
            fault.times -= 1;
            match fault.error.clone() {
                Some(error) => return Err(error),
                None => {
                    let _lost = f(&mut g);
                }
            }
        }
        f(&mut g)
    }
}

impl Inner {
    fn queue(&mut self, arn: &str, statuses: &[&str]) {
        self.next.insert(
            arn.to_string(),
            statuses.iter().map(|s| s.to_string()).collect(),
        );
    }

    fn task_by_arn(&mut self, arn: &str) -> Result<&mut LiveTask, CloudError> {
        self.live
            .tasks
            .values_mut()
            .find(|t| t.arn == arn)
            .ok_or_else(|| err(ErrorKind::NotFound, "task", format!("task {arn} not found")))
    }

    fn config_by_arn(&mut self, arn: &str) -> Result<&mut LiveReplicationConfig, CloudError> {
        self.live
            .replication_configs
            .values_mut()
            .find(|r| r.arn == arn)
            .ok_or_else(|| {
                err(
                    ErrorKind::NotFound,
                    "config",
                    format!("config {arn} not found"),
                )
            })
    }

    /// The tags of the DMS resource with this ARN, whatever its kind.
    fn tags_by_arn(&mut self, arn: &str, operation: &str) -> Result<&mut Tags, CloudError> {
        let live = &mut self.live;
        let found = live
            .endpoints
            .values_mut()
            .map(|r| (&r.arn, &mut r.tags))
            .chain(live.instances.values_mut().map(|r| (&r.arn, &mut r.tags)))
            .chain(live.tasks.values_mut().map(|r| (&r.arn, &mut r.tags)))
            .chain(
                live.replication_configs
                    .values_mut()
                    .map(|r| (&r.arn, &mut r.tags)),
            )
            .chain(
                live.subnet_groups
                    .values_mut()
                    .map(|r| (&r.arn, &mut r.tags)),
            )
            .chain(
                live.certificates
                    .values_mut()
                    .map(|r| (&r.arn, &mut r.tags)),
            )
            .chain(
                live.event_subscriptions
                    .values_mut()
                    .map(|r| (&r.arn, &mut r.tags)),
            )
            .chain(live.alarms.values_mut().map(|r| (&r.arn, &mut r.tags)))
            .find(|(a, _)| *a == arn)
            .map(|(_, tags)| tags);
        found.ok_or_else(|| err(ErrorKind::NotFound, operation, "none"))
    }

    fn endpoint_in_use(&self, arn: &str) -> bool {
        self.live
            .tasks
            .values()
            .any(|t| t.source_endpoint_arn == arn || t.target_endpoint_arn == arn)
            || self
                .live
                .replication_configs
                .values()
                .any(|r| r.source_endpoint_arn == arn || r.target_endpoint_arn == arn)
    }

    fn endpoint_exists(&self, arn: &str) -> bool {
        self.live.endpoints.values().any(|e| e.arn == arn)
    }

    /// Reads a status, then moves it one step along its queue.
    fn poll(&mut self, kind: Waitable, arn: &str) -> Option<Status> {
        let current = match kind {
            Waitable::Instance => self
                .live
                .instances
                .values()
                .find(|i| i.arn == arn)
                .map(|i| (i.status.clone(), None)),
            Waitable::Endpoint => self
                .live
                .endpoints
                .values()
                .find(|e| e.arn == arn)
                .map(|e| (e.status.clone().unwrap_or_default(), None)),
            Waitable::Task => self
                .live
                .tasks
                .values()
                .find(|t| t.arn == arn)
                .map(|t| (t.status.clone(), t.last_failure_message.clone())),
            Waitable::ReplicationConfig => self
                .live
                .replication_configs
                .values()
                .find(|r| r.arn == arn)
                .map(|r| {
                    (
                        r.status.clone().unwrap_or_else(|| "created".into()),
                        r.failure_messages.first().cloned(),
                    )
                }),
        }?;
        if let Some(next) = self.next.get_mut(arn).and_then(VecDeque::pop_front) {
            self.set_status(kind, arn, &next);
        }
        Some(Status {
            status: current.0,
            message: current.1,
            checkpoint: None,
            assessment: None,
        })
    }

    fn set_status(&mut self, kind: Waitable, arn: &str, status: &str) {
        let gone = status == GONE;
        match kind {
            Waitable::Instance => {
                if gone {
                    self.live.instances.retain(|_, i| i.arn != arn);
                } else if let Some(i) = self.live.instances.values_mut().find(|i| i.arn == arn) {
                    i.status = status.into();
                }
            }
            Waitable::Endpoint => {
                if gone {
                    self.live.endpoints.retain(|_, e| e.arn != arn);
                } else if let Some(e) = self.live.endpoints.values_mut().find(|e| e.arn == arn) {
                    e.status = Some(status.into());
                }
            }
            Waitable::Task => {
                if gone {
                    self.live.tasks.retain(|_, t| t.arn != arn);
                } else if let Some(t) = self.live.tasks.values_mut().find(|t| t.arn == arn) {
                    t.status = status.into();
                }
            }
            Waitable::ReplicationConfig => {
                if gone {
                    self.live.replication_configs.retain(|_, r| r.arn != arn);
                } else if let Some(r) = self
                    .live
                    .replication_configs
                    .values_mut()
                    .find(|r| r.arn == arn)
                {
                    r.status = Some(status.into());
                }
            }
        }
    }
}

fn live_endpoint(e: &DesiredEndpoint) -> LiveEndpoint {
    let mut d = empty();
    d.endpoints.insert("e".into(), e.clone());
    live_from(&d)
        .endpoints
        .into_values()
        .next()
        .expect("live_from makes the endpoint")
}

fn live_instance(i: &DesiredInstance) -> LiveInstance {
    let mut d = empty();
    d.instances.insert("i".into(), i.clone());
    live_from(&d)
        .instances
        .into_values()
        .next()
        .expect("live_from makes the instance")
}

fn live_subnet_group(g: &DesiredSubnetGroup) -> LiveSubnetGroup {
    let mut d = empty();
    d.subnet_groups.insert("g".into(), g.clone());
    live_from(&d)
        .subnet_groups
        .into_values()
        .next()
        .expect("live_from makes the subnet group")
}

fn live_task(t: &DesiredTask, source: &str, target: &str, instance: &str) -> LiveTask {
    let mut d = empty();
    d.tasks.insert("t".into(), t.clone());
    let mut l = live_from(&d)
        .tasks
        .into_values()
        .next()
        .expect("live_from makes the task");
    l.source_endpoint_arn = source.into();
    l.target_endpoint_arn = target.into();
    l.replication_instance_arn = instance.into();
    l
}

/// How a fake start records its CDC start: the time as given, a position marked as such.
fn cdc_detail(c: &CdcStart) -> String {
    match c {
        CdcStart::Time(t) => t.clone(),
        CdcStart::Position(p) => format!("position:{p}"),
    }
}

fn live_config(c: &DesiredReplicationConfig, source: &str, target: &str) -> LiveReplicationConfig {
    let mut d = empty();
    d.mode = ComputeMode::Serverless;
    d.replication_configs.insert("r".into(), c.clone());
    let mut l = live_from(&d)
        .replication_configs
        .into_values()
        .next()
        .expect("live_from makes the config");
    l.source_endpoint_arn = source.into();
    l.target_endpoint_arn = target.into();
    l
}

impl Cloud for FakeCloud {
    async fn read(&self) -> Result<Live, CloudError> {
        self.call("read", "", String::new(), |g| Ok(g.live.clone()))
            .await
    }

    async fn secret_value(&self, secret_id: &str) -> Result<SecretValue, CloudError> {
        self.call("secret_value", secret_id, String::new(), |g| {
            g.secrets_manager
                .get(secret_id)
                .map(|v| SecretValue::new(v.clone()))
                .ok_or_else(|| {
                    err(
                        ErrorKind::NotFound,
                        "GetSecretValue",
                        "Secrets Manager can't find the specified secret.",
                    )
                })
        })
        .await
    }

    fn calls(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for c in &self.lock().calls {
            *out.entry(format!("fake:{}", c.op)).or_insert(0) += 1;
        }
        out
    }

    /// One poll call for all `arns`; the log shows a `status <arn>` line for each of them.
    async fn statuses(
        &self,
        kind: Waitable,
        arns: &[String],
    ) -> Result<BTreeMap<String, Status>, CloudError> {
        {
            let mut g = self.lock();
            g.polls += 1;
            for arn in arns {
                g.calls.push(Call {
                    op: "status",
                    target: arn.clone(),
                    detail: format!("{kind:?}"),
                });
            }
        }
        tokio::time::sleep(self.latency).await;
        let mut g = self.lock();
        Ok(arns
            .iter()
            .filter_map(|arn| Some((arn.clone(), g.poll(kind, arn)?)))
            .collect())
    }

    async fn table_statistics(
        &self,
        _kind: ReplicationKind,
        _arn: &str,
    ) -> Result<Vec<TableStat>, CloudError> {
        Ok(Vec::new())
    }

    async fn log_events(
        &self,
        _group: &str,
        _stream_prefix: &str,
        since_ms: i64,
        _filter: Option<&str>,
    ) -> Result<Vec<LogEvent>, CloudError> {
        let inner = self.lock();
        Ok(inner
            .log_events
            .iter()
            .filter(|e| e.timestamp_ms >= since_ms)
            .cloned()
            .collect())
    }

    async fn cdc_latency(
        &self,
        _subjects: &[MetricSubject],
    ) -> Result<BTreeMap<String, CdcLatency>, CloudError> {
        Ok(BTreeMap::new())
    }
}

impl CloudWrite for FakeCloud {
    async fn create_role(&self, role: &DesiredRole) -> Result<(), CloudError> {
        let name = role.role_name.clone();
        self.call("create_role", &name, format!("{role:?}"), |g| {
            if g.live.roles.contains_key(&name) {
                return Err(err(ErrorKind::AlreadyExists, "CreateRole", "role exists"));
            }
            g.live.roles.insert(
                name.to_string(),
                LiveRole {
                    arn: format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
                    name: name.clone(),
                    trusts_dms: true,
                    attached_policy_arns: Vec::new(),
                },
            );
            Ok(())
        })
        .await
    }

    async fn attach_role_policy(&self, role: &str, policy_arn: &str) -> Result<(), CloudError> {
        self.call("attach_role_policy", role, policy_arn.to_string(), |g| {
            let r = g
                .live
                .roles
                .get_mut(role)
                .ok_or_else(|| err(ErrorKind::NotFound, "AttachRolePolicy", "no such role"))?;
            if !r.attached_policy_arns.iter().any(|p| p == policy_arn) {
                r.attached_policy_arns.push(policy_arn.to_string());
            }
            Ok(())
        })
        .await
    }

    async fn update_trust_policy(
        &self,
        role: &str,
        document: &serde_json::Value,
    ) -> Result<(), CloudError> {
        self.call("update_trust_policy", role, document.to_string(), |g| {
            let r = g
                .live
                .roles
                .get_mut(role)
                .ok_or_else(|| err(ErrorKind::NotFound, "UpdateAssumeRolePolicy", "no role"))?;
            r.trusts_dms = true;
            Ok(())
        })
        .await
    }

    async fn set_log_retention(&self, group: &str, days: i32) -> Result<(), CloudError> {
        self.call("set_log_retention", group, days.to_string(), |g| {
            g.live.log_groups.insert(
                group.to_string(),
                LiveLogGroup {
                    name: group.to_string(),
                    retention_days: Some(days),
                },
            );
            Ok(())
        })
        .await
    }

    async fn create_subnet_group(&self, group: &DesiredSubnetGroup) -> Result<String, CloudError> {
        let id = group.replication_subnet_group_identifier.to_lowercase();
        self.call("create_subnet_group", &id, format!("{group:?}"), |g| {
            if g.live.subnet_groups.contains_key(&id) {
                return Err(err(
                    ErrorKind::AlreadyExists,
                    "CreateReplicationSubnetGroup",
                    "exists",
                ));
            }
            let l = live_subnet_group(group);
            let arn = l.arn.clone();
            g.live.subnet_groups.insert(id.clone(), l);
            Ok(arn)
        })
        .await
    }

    async fn modify_subnet_group(&self, group: &DesiredSubnetGroup) -> Result<(), CloudError> {
        let id = group.replication_subnet_group_identifier.to_lowercase();
        self.call("modify_subnet_group", &id, format!("{group:?}"), |g| {
            let l =
                g.live.subnet_groups.get_mut(&id).ok_or_else(|| {
                    err(ErrorKind::NotFound, "ModifyReplicationSubnetGroup", "none")
                })?;
            let fresh = live_subnet_group(group);
            l.description = fresh.description;
            l.subnet_ids = fresh.subnet_ids;
            Ok(())
        })
        .await
    }

    async fn delete_subnet_group(&self, identifier: &str) -> Result<(), CloudError> {
        let id = identifier.to_lowercase();
        self.call("delete_subnet_group", identifier, String::new(), |g| {
            if !g.live.subnet_groups.contains_key(&id) {
                return Err(err(
                    ErrorKind::NotFound,
                    "DeleteReplicationSubnetGroup",
                    "none",
                ));
            }
            let used = g
                .live
                .instances
                .values()
                .any(|i| i.subnet_group.as_deref() == Some(id.as_str()));
            if used {
                return Err(err(
                    ErrorKind::InvalidState,
                    "DeleteReplicationSubnetGroup",
                    "in use by an instance",
                ));
            }
            g.live.subnet_groups.remove(&id);
            Ok(())
        })
        .await
    }

    async fn create_instance(&self, instance: &DesiredInstance) -> Result<String, CloudError> {
        let id = instance.replication_instance_identifier.to_lowercase();
        self.call("create_instance", &id, format!("{instance:?}"), |g| {
            if g.live.instances.contains_key(&id) {
                return Err(err(
                    ErrorKind::AlreadyExists,
                    "CreateReplicationInstance",
                    "exists",
                ));
            }
            if let Some(group) = &instance.replication_subnet_group_identifier {
                if !g.live.subnet_groups.contains_key(&group.to_lowercase()) {
                    return Err(err(
                        ErrorKind::NotFound,
                        "CreateReplicationInstance",
                        format!("subnet group {group} not found"),
                    ));
                }
            }
            let mut l = live_instance(instance);
            l.status = "creating".into();
            let arn = l.arn.clone();
            g.live.instances.insert(id.clone(), l);
            g.queue(&arn, &["available"]);
            Ok(arn)
        })
        .await
    }

    async fn modify_instance(
        &self,
        arn: &str,
        instance: &DesiredInstance,
    ) -> Result<(), CloudError> {
        self.call("modify_instance", arn, format!("{instance:?}"), |g| {
            let l = g
                .live
                .instances
                .values_mut()
                .find(|i| i.arn == arn)
                .ok_or_else(|| err(ErrorKind::NotFound, "ModifyReplicationInstance", "none"))?;
            if l.status != "available" {
                return Err(err(
                    ErrorKind::InvalidState,
                    "ModifyReplicationInstance",
                    "busy",
                ));
            }
            let mut fresh = live_instance(instance);
            fresh.arn = l.arn.clone();
            fresh.tags = l.tags.clone();
            fresh.status = "modifying".into();
            *l = fresh;
            g.queue(arn, &["available"]);
            Ok(())
        })
        .await
    }

    async fn delete_instance(&self, arn: &str) -> Result<(), CloudError> {
        self.call("delete_instance", arn, String::new(), |g| {
            if g.live
                .tasks
                .values()
                .any(|t| t.replication_instance_arn == arn)
            {
                return Err(err(
                    ErrorKind::InvalidState,
                    "DeleteReplicationInstance",
                    "instance has tasks",
                ));
            }
            let l = g
                .live
                .instances
                .values_mut()
                .find(|i| i.arn == arn)
                .ok_or_else(|| err(ErrorKind::NotFound, "DeleteReplicationInstance", "none"))?;
            l.status = "deleting".into();
            g.queue(arn, &[GONE]);
            Ok(())
        })
        .await
    }

    async fn import_certificate(&self, c: &DesiredCertificate) -> Result<String, CloudError> {
        let id = c.certificate_identifier.to_lowercase();
        self.call("import_certificate", &id, String::new(), |g| {
            if g.live.certificates.contains_key(&id) {
                return Err(err(ErrorKind::AlreadyExists, "ImportCertificate", "exists"));
            }
            let arn = crate::plan::testing::dms_arn("cert", &c.certificate_identifier);
            g.live.certificates.insert(
                id.clone(),
                crate::live::LiveCertificate {
                    arn: arn.clone(),
                    identifier: c.certificate_identifier.clone(),
                    pem: c.certificate_pem.clone(),
                    tags: c
                        .tags
                        .iter()
                        .map(|t| (t.key.clone(), t.value.clone()))
                        .collect(),
                },
            );
            Ok(arn)
        })
        .await
    }

    async fn delete_certificate(&self, arn: &str) -> Result<(), CloudError> {
        self.call("delete_certificate", arn, String::new(), |g| {
            if g.live
                .endpoints
                .values()
                .any(|e| e.certificate_arn.as_deref() == Some(arn))
            {
                return Err(err(ErrorKind::InvalidState, "DeleteCertificate", "in use"));
            }
            let before = g.live.certificates.len();
            g.live.certificates.retain(|_, c| c.arn != arn);
            if g.live.certificates.len() == before {
                return Err(err(
                    ErrorKind::NotFound,
                    "DeleteCertificate",
                    "no such certificate",
                ));
            }
            Ok(())
        })
        .await
    }

    async fn create_endpoint(
        &self,
        endpoint: &DesiredEndpoint,
        secrets: &EndpointSecrets,
    ) -> Result<String, CloudError> {
        let id = endpoint.endpoint_identifier.to_lowercase();
        let detail = format!("{endpoint:?} {secrets:?}");
        self.call("create_endpoint", &id, detail, |g| {
            if g.live.endpoints.contains_key(&id) {
                return Err(err(ErrorKind::AlreadyExists, "CreateEndpoint", "exists"));
            }
            g.secrets_received.extend(
                secrets
                    .password
                    .iter()
                    .chain(secrets.settings.values())
                    .map(|s| s.expose().to_string()),
            );
            let l = live_endpoint(endpoint);
            let arn = l.arn.clone();
            g.live.endpoints.insert(id.clone(), l);
            Ok(arn)
        })
        .await
    }

    async fn modify_endpoint(
        &self,
        arn: &str,
        endpoint: &DesiredEndpoint,
        secrets: Option<&EndpointSecrets>,
    ) -> Result<(), CloudError> {
        let detail = format!("{endpoint:?} {secrets:?}");
        self.call("modify_endpoint", arn, detail, |g| {
            let l = g
                .live
                .endpoints
                .values_mut()
                .find(|e| e.arn == arn)
                .ok_or_else(|| err(ErrorKind::NotFound, "ModifyEndpoint", "none"))?;
            let mut fresh = live_endpoint(endpoint);
            fresh.arn = l.arn.clone();
            fresh.tags = l.tags.clone();
            *l = fresh;
            if let Some(s) = secrets {
                g.secrets_received.extend(
                    s.password
                        .iter()
                        .chain(s.settings.values())
                        .map(|s| s.expose().to_string()),
                );
            }
            Ok(())
        })
        .await
    }

    async fn delete_endpoint(&self, arn: &str) -> Result<(), CloudError> {
        self.call("delete_endpoint", arn, String::new(), |g| {
            if !g.endpoint_exists(arn) {
                return Err(err(ErrorKind::NotFound, "DeleteEndpoint", "none"));
            }
            if g.endpoint_in_use(arn) {
                return Err(err(
                    ErrorKind::InvalidState,
                    "DeleteEndpoint",
                    "endpoint in use",
                ));
            }
            g.set_status(Waitable::Endpoint, arn, "deleting");
            g.queue(arn, &[GONE]);
            Ok(())
        })
        .await
    }

    async fn create_task(
        &self,
        task: &DesiredTask,
        source: &str,
        target: &str,
        instance: &str,
    ) -> Result<String, CloudError> {
        let id = task.replication_task_identifier.to_lowercase();
        let detail = format!("{task:?} {source} {target} {instance}");
        self.call("create_task", &id, detail, |g| {
            if g.live.tasks.contains_key(&id) {
                return Err(err(
                    ErrorKind::AlreadyExists,
                    "CreateReplicationTask",
                    "exists",
                ));
            }
            if !g.endpoint_exists(source) || !g.endpoint_exists(target) {
                return Err(err(
                    ErrorKind::NotFound,
                    "CreateReplicationTask",
                    "no endpoint",
                ));
            }
            let available = g
                .live
                .instances
                .values()
                .any(|i| i.arn == instance && i.status == "available");
            if !available {
                return Err(err(
                    ErrorKind::InvalidState,
                    "CreateReplicationTask",
                    "instance not available",
                ));
            }
            let mut l = live_task(task, source, target, instance);
            l.status = "creating".into();
            let arn = l.arn.clone();
            g.live.tasks.insert(id.clone(), l);
            g.queue(&arn, &["ready"]);
            Ok(arn)
        })
        .await
    }

    async fn modify_task(&self, arn: &str, task: &DesiredTask) -> Result<(), CloudError> {
        self.call("modify_task", arn, format!("{task:?}"), |g| {
            let l = g.task_by_arn(arn)?;
            if running(&l.status) || l.status == "modifying" {
                return Err(err(
                    ErrorKind::InvalidState,
                    "ModifyReplicationTask",
                    "the task is running: stop it first",
                ));
            }
            let back = if l.has_run { "stopped" } else { "ready" };
            let fresh = live_task(
                task,
                &l.source_endpoint_arn,
                &l.target_endpoint_arn,
                &l.replication_instance_arn,
            );
            l.table_mappings = fresh.table_mappings;
            l.settings = fresh.settings;
            l.migration_type = fresh.migration_type;
            l.status = "modifying".into();
            g.queue(arn, &[back]);
            Ok(())
        })
        .await
    }

    async fn delete_task(&self, arn: &str) -> Result<(), CloudError> {
        self.call("delete_task", arn, String::new(), |g| {
            let l = g.task_by_arn(arn)?;
            if running(&l.status) {
                return Err(err(
                    ErrorKind::InvalidState,
                    "DeleteReplicationTask",
                    "running",
                ));
            }
            l.status = "deleting".into();
            g.queue(arn, &[GONE]);
            Ok(())
        })
        .await
    }

    async fn start_task(
        &self,
        arn: &str,
        kind: StartKind,
        cdc: Option<&CdcStart>,
    ) -> Result<(), CloudError> {
        let detail = format!("{} {:?}", kind.dms_name(), cdc.map(cdc_detail));
        self.call("start_task", arn, detail, |g| {
            let l = g.task_by_arn(arn)?;
            if !matches!(l.status.as_str(), "ready" | "stopped" | "failed") {
                return Err(err(
                    ErrorKind::InvalidState,
                    "StartReplicationTask",
                    "not startable",
                ));
            }
            l.status = "starting".into();
            l.has_run = true;
            g.queue(arn, &["running"]);
            Ok(())
        })
        .await
    }

    async fn move_task(&self, arn: &str, instance_arn: &str) -> Result<(), CloudError> {
        self.call("move_task", arn, instance_arn.to_string(), |g| {
            let l = g.task_by_arn(arn)?;
            if l.replication_instance_arn == instance_arn {
                return Ok(());
            }
            if !matches!(
                l.status.as_str(),
                "ready" | "stopped" | "failed" | "failed-move"
            ) {
                return Err(err(
                    ErrorKind::InvalidState,
                    "MoveReplicationTask",
                    "the task must be stopped",
                ));
            }
            l.replication_instance_arn = instance_arn.to_string();
            let back = l.status.clone();
            l.status = "moving".into();
            g.queue(arn, &[back.as_str()]);
            Ok(())
        })
        .await
    }

    async fn stop_task(&self, arn: &str) -> Result<(), CloudError> {
        self.call("stop_task", arn, String::new(), |g| {
            let l = g.task_by_arn(arn)?;
            if l.status != "running" {
                return Err(err(
                    ErrorKind::InvalidState,
                    "StopReplicationTask",
                    "not running",
                ));
            }
            l.status = "stopping".into();
            g.queue(arn, &["stopped"]);
            Ok(())
        })
        .await
    }

    async fn create_replication_config(
        &self,
        config: &DesiredReplicationConfig,
        source: &str,
        target: &str,
    ) -> Result<String, CloudError> {
        let id = config.replication_config_identifier.to_lowercase();
        let detail = format!("{config:?} {source} {target}");
        self.call("create_replication_config", &id, detail, |g| {
            if g.live.replication_configs.contains_key(&id) {
                return Err(err(
                    ErrorKind::AlreadyExists,
                    "CreateReplicationConfig",
                    "exists",
                ));
            }
            if !g.endpoint_exists(source) || !g.endpoint_exists(target) {
                return Err(err(
                    ErrorKind::NotFound,
                    "CreateReplicationConfig",
                    "no endpoint",
                ));
            }
            let l = live_config(config, source, target);
            let arn = l.arn.clone();
            g.live.replication_configs.insert(id.clone(), l);
            Ok(arn)
        })
        .await
    }

    async fn modify_replication_config(
        &self,
        arn: &str,
        config: &DesiredReplicationConfig,
        source: &str,
        target: &str,
    ) -> Result<(), CloudError> {
        let detail = format!("{config:?} {source} {target}");
        self.call("modify_replication_config", arn, detail, |g| {
            let l = g.config_by_arn(arn)?;
            let status = l.status.clone().unwrap_or_default();
            if running(&status) || status == "modifying" {
                return Err(err(
                    ErrorKind::InvalidState,
                    "ModifyReplicationConfig",
                    "the replication is running: stop it first",
                ));
            }
            let mut fresh = live_config(config, source, target);
            fresh.arn = l.arn.clone();
            fresh.tags = l.tags.clone();
            fresh.has_run = l.has_run;
            fresh.status = Some("modifying".into());
            *l = fresh;
            g.queue(arn, &[status.as_str()]);
            Ok(())
        })
        .await
    }

    async fn delete_replication_config(&self, arn: &str) -> Result<(), CloudError> {
        self.call("delete_replication_config", arn, String::new(), |g| {
            let l = g.config_by_arn(arn)?;
            if running(l.status.as_deref().unwrap_or_default()) {
                return Err(err(
                    ErrorKind::InvalidState,
                    "DeleteReplicationConfig",
                    "running",
                ));
            }
            l.status = Some("deleting".into());
            g.queue(arn, &[GONE]);
            Ok(())
        })
        .await
    }

    async fn start_replication(
        &self,
        arn: &str,
        kind: StartKind,
        cdc: Option<&CdcStart>,
        assessment: Option<&str>,
    ) -> Result<(), CloudError> {
        let detail = format!(
            "{} {:?}{}",
            kind.dms_name(),
            cdc.map(cdc_detail),
            assessment
                .map(|a| format!(" assessed {a}"))
                .unwrap_or_default()
        );
        self.call("start_replication", arn, detail, |g| {
            let l = g.config_by_arn(arn)?;
            if running(l.status.as_deref().unwrap_or_default()) {
                return Err(err(ErrorKind::InvalidState, "StartReplication", "running"));
            }
            l.status = Some("starting".into());
            l.has_run = true;
            g.queue(arn, &["running"]);
            Ok(())
        })
        .await
    }

    async fn stop_replication(&self, arn: &str) -> Result<(), CloudError> {
        self.call("stop_replication", arn, String::new(), |g| {
            let l = g.config_by_arn(arn)?;
            if l.status.as_deref() != Some("running") {
                return Err(err(
                    ErrorKind::InvalidState,
                    "StopReplication",
                    "not running",
                ));
            }
            l.status = Some("stopping".into());
            g.queue(arn, &["stopped"]);
            Ok(())
        })
        .await
    }

    async fn create_event_subscription(
        &self,
        e: &DesiredEventSubscription,
    ) -> Result<String, CloudError> {
        let id = e.subscription_name.to_lowercase();
        self.call("create_event_subscription", &id, format!("{e:?}"), |g| {
            if g.live.event_subscriptions.contains_key(&id) {
                return Err(err(
                    ErrorKind::AlreadyExists,
                    "CreateEventSubscription",
                    "exists",
                ));
            }
            let l = crate::plan::testing::live_event_subscription(e);
            let arn = l.arn.clone();
            g.live.event_subscriptions.insert(id.clone(), l);
            Ok(arn)
        })
        .await
    }

    async fn modify_event_subscription(
        &self,
        e: &DesiredEventSubscription,
    ) -> Result<(), CloudError> {
        let id = e.subscription_name.to_lowercase();
        self.call("modify_event_subscription", &id, format!("{e:?}"), |g| {
            let l = g
                .live
                .event_subscriptions
                .get_mut(&id)
                .ok_or_else(|| err(ErrorKind::NotFound, "ModifyEventSubscription", "none"))?;
            l.sns_topic_arn = e.sns_topic_arn.clone();
            l.source_type = Some(e.source_type.to_string());
            if !e.event_categories.is_empty() {
                l.event_categories = e.event_categories.clone();
            }
            l.enabled = e.enabled;
            Ok(())
        })
        .await
    }

    async fn delete_event_subscription(&self, name: &str) -> Result<(), CloudError> {
        let id = name.to_lowercase();
        self.call("delete_event_subscription", &id, String::new(), |g| {
            g.live
                .event_subscriptions
                .remove(&id)
                .map(|_| ())
                .ok_or_else(|| err(ErrorKind::NotFound, "DeleteEventSubscription", "none"))
        })
        .await
    }

    async fn put_alarm(
        &self,
        a: &DesiredAlarm,
        dimensions: &[(String, String)],
    ) -> Result<(), CloudError> {
        let id = a.alarm_name.to_lowercase();
        self.call("put_alarm", &id, format!("{a:?} {dimensions:?}"), |g| {
            let any = dms_arn("rep", "x");
            let mut fresh = crate::plan::testing::live_alarm(a, dimensions, &any);
            // CloudWatch takes the tags only when it creates the alarm.
            if let Some(old) = g.live.alarms.get(&id) {
                fresh.tags = old.tags.clone();
            }
            g.live.alarms.insert(id.clone(), fresh);
            Ok(())
        })
        .await
    }

    async fn delete_alarm(&self, name: &str) -> Result<(), CloudError> {
        let id = name.to_lowercase();
        self.call("delete_alarm", &id, String::new(), |g| {
            g.live
                .alarms
                .remove(&id)
                .map(|_| ())
                .ok_or_else(|| err(ErrorKind::NotFound, "DeleteAlarms", "none"))
        })
        .await
    }

    async fn add_tags(&self, arn: &str, tags: &[Tag]) -> Result<(), CloudError> {
        self.call("add_tags", arn, format!("{tags:?}"), |g| {
            g.tags_by_arn(arn, "AddTagsToResource")?
                .extend(tag_map(tags));
            Ok(())
        })
        .await
    }

    async fn remove_tags(&self, arn: &str, keys: &[&str]) -> Result<(), CloudError> {
        self.call("remove_tags", arn, format!("{keys:?}"), |g| {
            let t = g.tags_by_arn(arn, "RemoveTagsFromResource")?;
            for k in keys {
                t.remove(*k);
            }
            Ok(())
        })
        .await
    }
}

/// A DMS ARN as the fake makes them, for tests that look one up.
pub fn arn(segment: &str, id: &str) -> String {
    dms_arn(segment, id)
}
