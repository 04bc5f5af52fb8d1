//! The planner: each desired resource against what is live at its identifier, then the
//! stack's leftovers as deletes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::{compare, hazards, sentences, Action, Change, Conflict, Diff, Kind, Plan};
use crate::dms::{self, ComputeMode};
use crate::live::{owner, Live, Owner, Tags};
use crate::model::{Desired, TAG_NAME, TAG_STACK};

/// Computes what apply would do to make `live` match `desired`.
pub fn plan(desired: &Desired, live: &Live) -> Plan {
    let mut p = Planner {
        desired,
        live,
        stack: &desired.stack,
        changes: Vec::new(),
        conflicts: Vec::new(),
        claimed: BTreeSet::new(),
        endpoint_refs: BTreeMap::new(),
        instance_refs: BTreeMap::new(),
        certificate_refs: BTreeMap::new(),
    };
    p.roles();
    p.subnet_groups();
    p.certificates();
    p.instances();
    p.endpoints();
    p.tasks();
    p.replication_configs();
    // After the replications: an alarm's dimensions name its replication's ARN.
    p.event_subscriptions();
    p.alarms();
    // After the DMS resources: serverless log groups are found through the live configs.
    p.log_groups();
    p.deletes();
    let Planner {
        mut changes,
        conflicts,
        ..
    } = p;
    for c in &mut changes {
        c.hazards = hazards::of(c, live);
    }
    Plan::from_parts(&desired.stack, changes, conflicts)
}

/// Where a desired reference (a task's endpoint or instance) will point once apply is done.
#[derive(Debug, Clone, PartialEq)]
enum Ref {
    /// The live resource stays: its ARN.
    Stays(String),
    /// It is created or replaced: a new ARN nobody points at yet.
    New { replaced: bool },
    /// Not resolvable (a conflict, or not in the spec): nothing to compare against.
    Unknown,
}

/// How a live resource found at a wanted identifier relates to the stack.
enum Found<'a, T> {
    Absent,
    Ours(&'a T),
    Conflict,
}

struct Planner<'a> {
    desired: &'a Desired,
    live: &'a Live,
    stack: &'a str,
    changes: Vec<Change>,
    conflicts: Vec<Conflict>,
    /// Live `(kind, lowercase id)` that a desired resource matched or collided with: never
    /// deleted as leftovers.
    claimed: BTreeSet<(Kind, String)>,
    endpoint_refs: BTreeMap<String, Ref>,
    instance_refs: BTreeMap<String, Ref>,
    certificate_refs: BTreeMap<String, Ref>,
}

impl<'a> Planner<'a> {
    /// Looks up a wanted identifier and decides whether the stack owns what is there.
    fn find<T>(
        &mut self,
        kind: Kind,
        name: &str,
        id: &str,
        map: &'a BTreeMap<String, T>,
        tags: impl Fn(&T) -> &Tags,
    ) -> Found<'a, T> {
        let key = id.to_lowercase();
        let Some(res) = map.get(&key) else {
            return Found::Absent;
        };
        self.claimed.insert((kind, key));
        let reason = match owner(tags(res)) {
            Owner::Stack { stack, name: n } if stack == self.stack && n == name => {
                return Found::Ours(res);
            }
            Owner::Stack { stack, name: n } if stack == self.stack => format!(
                "already exists as `{n}` of this stack; rename one of them or give `{name}` another `id`"
            ),
            Owner::Stack { stack, .. } => format!(
                "belongs to stack `{stack}`; give `{name}` another `id`, or remove it from that stack first"
            ),
            Owner::Unmanaged => format!(
                "exists without dmsctl's tags (made by hand or by another tool); dmsctl never touches it: adopt it with `dmsctl adopt {name}` (which tags it `{TAG_STACK}={}` and `{TAG_NAME}={name}`), or give `{name}` another `id`",
                self.stack
            ),
        };
        self.conflicts.push(Conflict {
            kind,
            name: name.to_string(),
            id: id.to_string(),
            reason,
        });
        Found::Conflict
    }

    /// Turns a comparison into a change: no diffs is a no-op, any diff that forces replacement
    /// is a replace, otherwise an update.
    fn compared(&mut self, kind: Kind, name: &str, id: &str, diffs: Vec<Diff>, extra: Vec<String>) {
        let action = if diffs.iter().any(|d| d.forces_replacement) {
            Action::Replace
        } else if diffs.is_empty() {
            Action::NoOp
        } else {
            Action::Update
        };
        let mut c = Change::new(kind, name, id, action);
        c.reasons = sentences::reasons(&diffs);
        c.reasons.extend(extra);
        c.diffs = diffs;
        self.changes.push(c);
    }

    fn roles(&mut self) {
        for role in &self.desired.iam_roles {
            let name = role.role_name.as_str();
            let live = self
                .live
                .roles
                .get(name)
                .or_else(|| self.live.roles.values().find(|r| r.name == name));
            match live {
                None => self.changes.push(
                    Change::new(Kind::IamRole, name, name, Action::Create).because(
                        "not in the account (account-wide: dmsctl creates it, never deletes it)",
                    ),
                ),
                Some(l) => {
                    let diffs = compare::role(role, l);
                    self.compared(Kind::IamRole, name, name, diffs, Vec::new());
                }
            }
        }
    }

    fn subnet_groups(&mut self) {
        for (name, d) in &self.desired.subnet_groups {
            let id = &d.replication_subnet_group_identifier;
            match self.find(Kind::SubnetGroup, name, id, &self.live.subnet_groups, |l| {
                &l.tags
            }) {
                Found::Absent => self.create(Kind::SubnetGroup, name, id),
                Found::Ours(l) => {
                    let diffs = compare::subnet_group(d, l);
                    self.compared(Kind::SubnetGroup, name, id, diffs, Vec::new());
                }
                Found::Conflict => {}
            }
        }
    }

    /// Certificates. DMS cannot modify one: another PEM replaces it, which DMS refuses while an
    /// endpoint uses it, so that is a conflict asking for a new identifier instead.
    fn certificates(&mut self) {
        for (name, d) in &self.desired.certificates {
            let id = &d.certificate_identifier;
            let r = match self.find(Kind::Certificate, name, id, &self.live.certificates, |l| {
                &l.tags
            }) {
                Found::Absent => {
                    self.create(Kind::Certificate, name, id);
                    Ref::New { replaced: false }
                }
                Found::Ours(l) => {
                    let diffs = compare::certificate(d, l);
                    let users = self.certificate_users(&l.arn);
                    if diffs.iter().any(|x| x.forces_replacement) && !users.is_empty() {
                        self.conflicts.push(Conflict {
                            kind: Kind::Certificate,
                            name: name.clone(),
                            id: id.clone(),
                            reason: format!(
                                "its PEM changed, and DMS cannot change a certificate nor delete \
                                 one that endpoint {} uses: give `{name}` a new `id`, so that the \
                                 new certificate is imported beside the old one and the endpoints \
                                 move to it",
                                users.join(", ")
                            ),
                        });
                        self.changes
                            .push(Change::new(Kind::Certificate, name, id, Action::NoOp));
                        Ref::Stays(l.arn.clone())
                    } else {
                        let mut extra = Vec::new();
                        if diffs.iter().any(|x| x.forces_replacement) {
                            extra.push(
                                "DMS cannot modify a certificate: it is imported again".to_string(),
                            );
                        }
                        self.compared(Kind::Certificate, name, id, diffs, extra);
                        match self.changes.last().map(|c| c.action) {
                            Some(Action::Replace) => Ref::New { replaced: true },
                            _ => Ref::Stays(l.arn.clone()),
                        }
                    }
                }
                Found::Conflict => Ref::Unknown,
            };
            self.certificate_refs.insert(name.clone(), r);
        }
    }

    /// The identifiers of the live endpoints that use the certificate at `arn`.
    fn certificate_users(&self, arn: &str) -> Vec<String> {
        self.live
            .endpoints
            .values()
            .filter(|e| e.certificate_arn.as_deref() == Some(arn))
            .map(|e| format!("`{}`", e.identifier))
            .collect()
    }

    fn create(&mut self, kind: Kind, name: &str, id: &str) {
        self.changes
            .push(Change::new(kind, name, id, Action::Create).because("not in the account"));
    }

    /// The instances that are deployed: `compute.instances` may be written only to price the
    /// other mode, so in serverless mode none of them is wanted.
    fn deployed_instances(
        &self,
    ) -> impl Iterator<Item = (&'a String, &'a crate::model::DesiredInstance)> {
        let deployed = self.desired.mode == ComputeMode::Instances;
        self.desired.instances.iter().filter(move |_| deployed)
    }

    fn instances(&mut self) {
        let wanted: Vec<_> = self.deployed_instances().collect();
        for (name, d) in wanted {
            let id = &d.replication_instance_identifier;
            let r = match self.find(Kind::Instance, name, id, &self.live.instances, |l| &l.tags) {
                Found::Absent => {
                    self.create(Kind::Instance, name, id);
                    Ref::New { replaced: false }
                }
                Found::Ours(l) => {
                    let diffs = compare::instance(d, l);
                    self.compared(Kind::Instance, name, id, diffs, Vec::new());
                    match self.changes.last().map(|c| c.action) {
                        Some(Action::Replace) => Ref::New { replaced: true },
                        _ => Ref::Stays(l.arn.clone()),
                    }
                }
                Found::Conflict => Ref::Unknown,
            };
            self.instance_refs.insert(name.clone(), r);
        }
    }

    fn endpoints(&mut self) {
        for (name, d) in &self.desired.endpoints {
            let id = &d.endpoint_identifier;
            let r = match self.find(Kind::Endpoint, name, id, &self.live.endpoints, |l| &l.tags) {
                Found::Absent => {
                    self.create(Kind::Endpoint, name, id);
                    Ref::New { replaced: false }
                }
                Found::Ours(l) => {
                    let mut diffs = compare::endpoint(d, l);
                    let mut notes = Vec::new();
                    if let Some(cert) = &d.certificate {
                        let target = self.certificate_refs.get(cert).map(|r| {
                            let id = self
                                .desired
                                .certificates
                                .get(cert)
                                .map_or_else(|| cert.clone(), |c| c.certificate_identifier.clone());
                            (r, id)
                        });
                        let live_arn = l.certificate_arn.clone().unwrap_or_default();
                        if let Some((diff, note)) = self.reference(
                            "CertificateArn",
                            Kind::Certificate,
                            target,
                            &live_arn,
                            false,
                        ) {
                            diffs.push(diff);
                            notes.extend(note);
                        }
                    }
                    self.compared(Kind::Endpoint, name, id, diffs, notes);
                    match self.changes.last().map(|c| c.action) {
                        Some(Action::Replace) => Ref::New { replaced: true },
                        _ => Ref::Stays(l.arn.clone()),
                    }
                }
                Found::Conflict => Ref::Unknown,
            };
            self.endpoint_refs.insert(name.clone(), r);
        }
    }

    /// A reference from a task or replication config to an endpoint or instance, compared with
    /// the ARN the live one holds: `None` when it stays the same, else the diff and, when the
    /// target itself is replaced, a sentence saying so.
    fn reference(
        &self,
        field: &str,
        kind: Kind,
        target: Option<(&Ref, String)>,
        live_arn: &str,
        forces_replacement: bool,
    ) -> Option<(Diff, Option<String>)> {
        let (r, desired_id) = target?;
        let points_elsewhere = match r {
            Ref::Stays(arn) => arn != live_arn,
            Ref::New { .. } => true,
            Ref::Unknown => false,
        };
        if !points_elsewhere {
            return None;
        }
        let note = matches!(r, Ref::New { replaced: true }).then(|| {
            format!(
                "{} `{desired_id}` is replaced, so what points at it is too",
                kind.noun()
            )
        });
        let diff = Diff {
            field: field.to_string(),
            before: Some(Json::String(self.describe_arn(kind, live_arn))),
            after: Some(Json::String(desired_id)),
            forces_replacement,
        };
        Some((diff, note))
    }

    /// The identifier of the live resource an ARN names (readable), else the ARN.
    fn describe_arn(&self, kind: Kind, arn: &str) -> String {
        let found = match kind {
            Kind::Endpoint => self
                .live
                .endpoints
                .values()
                .find(|e| e.arn == arn)
                .map(|e| e.identifier.clone()),
            Kind::Instance => self
                .live
                .instances
                .values()
                .find(|i| i.arn == arn)
                .map(|i| i.identifier.clone()),
            _ => None,
        };
        found.unwrap_or_else(|| arn.to_string())
    }

    fn endpoint_target(&self, name: &str) -> Option<(&Ref, String)> {
        let d = self.desired.endpoints.get(name)?;
        Some((self.endpoint_refs.get(name)?, d.endpoint_identifier.clone()))
    }

    /// Whether a task on the wrong instance can be moved: the instance it should be on exists
    /// and stays, and so does the one it is on (an instance of this stack the plan keeps).
    fn movable(&self, d: &crate::model::DesiredTask, l: &crate::live::LiveTask) -> bool {
        let target_stays = matches!(
            self.instance_refs.get(&d.replication_instance),
            Some(Ref::Stays(arn)) if *arn != l.replication_instance_arn
        );
        let current_stays = self
            .live
            .instances
            .values()
            .find(|i| i.arn == l.replication_instance_arn)
            .and_then(|i| match owner(&i.tags) {
                Owner::Stack { stack, name } if stack == self.stack => Some(name),
                _ => None,
            })
            .and_then(|name| self.instance_refs.get(name))
            .is_some_and(|r| matches!(r, Ref::Stays(arn) if *arn == l.replication_instance_arn));
        target_stays && current_stays
    }

    fn instance_target(&self, name: &str) -> Option<(&Ref, String)> {
        let d = self.desired.instances.get(name)?;
        Some((
            self.instance_refs.get(name)?,
            d.replication_instance_identifier.clone(),
        ))
    }

    fn tasks(&mut self) {
        for (name, d) in &self.desired.tasks {
            let id = &d.replication_task_identifier;
            let l = match self.find(Kind::Task, name, id, &self.live.tasks, |l| &l.tags) {
                Found::Absent => {
                    self.create(Kind::Task, name, id);
                    continue;
                }
                Found::Conflict => continue,
                Found::Ours(l) => l,
            };
            let mut diffs = compare::task(d, l);
            // DMS cannot point a task at other endpoints or (through Modify) another instance.
            let refs = [
                self.reference(
                    "SourceEndpoint",
                    Kind::Endpoint,
                    self.endpoint_target(&d.source_endpoint),
                    &l.source_endpoint_arn,
                    true,
                ),
                self.reference(
                    "TargetEndpoint",
                    Kind::Endpoint,
                    self.endpoint_target(&d.target_endpoint),
                    &l.target_endpoint_arn,
                    true,
                ),
                self.reference(
                    "ReplicationInstance",
                    Kind::Instance,
                    self.instance_target(&d.replication_instance),
                    &l.replication_instance_arn,
                    true,
                ),
            ];
            let mut notes = Vec::new();
            for (diff, note) in refs.into_iter().flatten() {
                diffs.push(diff);
                notes.extend(note);
            }
            // Another instance is a move, not a replace, when DMS can move the task: both
            // instances stay (the old one is not deleted under it, the new one exists) and
            // nothing else forces a replacement
            // (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.Moving.html).
            let moves = self.movable(d, l)
                && diffs
                    .iter()
                    .filter(|x| x.forces_replacement)
                    .all(|x| x.field == "ReplicationInstance");
            if moves {
                for x in diffs
                    .iter_mut()
                    .filter(|x| x.field == "ReplicationInstance")
                {
                    x.forces_replacement = false;
                }
            }
            self.compared(Kind::Task, name, id, diffs, notes);
            if moves {
                if let Some(c) = self.changes.last_mut() {
                    c.action = Action::Move;
                    c.reasons.push(
                        "moves to the other instance with MoveReplicationTask: nothing is \
                         reloaded, CDC goes on from where it was (a running task is stopped, \
                         moved and resumed)"
                            .to_string(),
                    );
                }
            }
            self.note_running(moves_data(Some(&l.status)));
        }
    }

    fn replication_configs(&mut self) {
        for (name, d) in &self.desired.replication_configs {
            let id = &d.replication_config_identifier;
            let l = match self.find(
                Kind::ReplicationConfig,
                name,
                id,
                &self.live.replication_configs,
                |l| &l.tags,
            ) {
                Found::Absent => {
                    self.create(Kind::ReplicationConfig, name, id);
                    continue;
                }
                Found::Conflict => continue,
                Found::Ours(l) => l,
            };
            let mut diffs = compare::replication_config(d, l);
            // ModifyReplicationConfig can change the endpoints: an update, not a replacement.
            let refs = [
                self.reference(
                    "SourceEndpoint",
                    Kind::Endpoint,
                    self.endpoint_target(&d.source_endpoint),
                    &l.source_endpoint_arn,
                    false,
                ),
                self.reference(
                    "TargetEndpoint",
                    Kind::Endpoint,
                    self.endpoint_target(&d.target_endpoint),
                    &l.target_endpoint_arn,
                    false,
                ),
            ];
            diffs.extend(refs.into_iter().flatten().map(|(diff, _)| diff));
            self.compared(Kind::ReplicationConfig, name, id, diffs, Vec::new());
            self.note_running(moves_data(l.status.as_deref()));
        }
    }

    /// Marks the change just pushed for a running task or replication: an update becomes stop →
    /// modify → resume; a replacement or delete must stop it first.
    fn note_running(&mut self, running: bool) {
        let Some(c) = self.changes.last_mut() else {
            return;
        };
        if !running {
            return;
        }
        match c.action {
            Action::Update if !c.needs_modify() => {}
            Action::Update => {
                c.restart = true;
                c.reasons
                    .push("running: stop → modify → wait → resume".to_string());
            }
            Action::Replace | Action::Delete => {
                c.reasons.push("running: it is stopped first".to_string());
            }
            Action::Move => c.restart = true,
            Action::NoOp | Action::Create => {}
        }
    }

    /// Retention of the stack's DMS log groups. Only when the spec sets `retention_days`: with
    /// none, dmsctl has no opinion. Log groups are never deleted: they hold the history.
    fn log_groups(&mut self) {
        let Some(days) = self.desired.log_retention_days else {
            return;
        };
        let days = i64::from(days);
        let mut wanted: Vec<(String, String, bool)> = Vec::new();
        // Tasks log to `dms-tasks-<instance identifier>` (DMS stores instance identifiers in
        // lowercase). The name is known before the instance exists, so the group is created with
        // its retention ahead of DMS.
        for (name, d) in self.deployed_instances() {
            // The group of an instance someone else owns is theirs too.
            if self.instance_refs.get(name.as_str()) == Some(&Ref::Unknown) {
                continue;
            }
            let group = crate::live::task_log_group(&d.replication_instance_identifier);
            wanted.push((name.clone(), group, true));
        }
        // Serverless replications log to `dms-serverless-replication-<id>`. We take <id> to be
        // the resource id at the end of the config's ARN (known only once the config exists,
        // and the group only once the replication first ran); not being able to confirm it, we
        // also accept the config's identifier. Either way only for configs this stack owns,
        // so another stack's groups are never touched. A group that does not exist yet is left
        // for DMS to create; its retention is set by the next apply.
        for (name, d) in &self.desired.replication_configs {
            let key = d.replication_config_identifier.to_lowercase();
            let Some(l) = self.live.replication_configs.get(&key) else {
                continue;
            };
            if !matches!(owner(&l.tags), Owner::Stack { stack, name: n } if stack == self.stack && n == name)
            {
                continue;
            }
            let resource_id = dms::resource_id(&l.arn).to_lowercase();
            let found = self.live.log_groups.values().find(|g| {
                let lower = g.name.to_lowercase();
                lower
                    .strip_prefix(crate::live::SERVERLESS_LOG_GROUP_PREFIX)
                    .is_some_and(|rest| rest == resource_id || rest == key)
            });
            if let Some(g) = found {
                wanted.push((name.clone(), g.name.clone(), false));
            }
        }
        for (name, group, creatable) in wanted {
            let live = self
                .live
                .log_groups
                .get(&group)
                .or_else(|| self.live.log_groups.values().find(|g| g.name == group));
            match live {
                None if creatable => self.changes.push(
                    Change::new(Kind::LogGroup, &name, &group, Action::Create)
                        .because(format!("not in the account; retention {days} days")),
                ),
                None => {}
                Some(g) => {
                    let before = g.retention_days.map(i64::from);
                    let diffs = if before == Some(days) {
                        Vec::new()
                    } else {
                        vec![Diff {
                            field: "RetentionInDays".into(),
                            before: before.map(Json::from),
                            after: Some(Json::from(days)),
                            forces_replacement: false,
                        }]
                    };
                    self.compared(Kind::LogGroup, &name, &group, diffs, Vec::new());
                }
            }
        }
    }

    fn event_subscriptions(&mut self) {
        for (name, d) in &self.desired.event_subscriptions {
            let id = &d.subscription_name;
            let live = &self.live.event_subscriptions;
            match self.find(Kind::EventSubscription, name, id, live, |l| &l.tags) {
                Found::Absent => self.create(Kind::EventSubscription, name, id),
                Found::Ours(l) => {
                    let diffs = compare::event_subscription(d, l);
                    let mut extra = Vec::new();
                    if diffs.iter().any(|x| x.forces_replacement) {
                        extra.push(
                            "DMS cannot change which tasks or instances a subscription covers, nor \
                             return it to every category: it is created again"
                                .to_string(),
                        );
                    }
                    self.compared(Kind::EventSubscription, name, id, diffs, extra);
                }
                Found::Conflict => {}
            }
        }
    }

    fn alarms(&mut self) {
        for (name, d) in &self.desired.alarms {
            let id = &d.alarm_name;
            match self.find(Kind::Alarm, name, id, &self.live.alarms, |l| &l.tags) {
                Found::Absent => self.create(Kind::Alarm, name, id),
                Found::Ours(l) => {
                    let dims = self
                        .staying_replication_arn(&d.replication)
                        .map(|arn| self.desired.alarm_dimensions(d, &arn));
                    let diffs = compare::alarm(d, l, dims.as_deref());
                    self.compared(Kind::Alarm, name, id, diffs, Vec::new());
                }
                Found::Conflict => {}
            }
        }
    }

    /// The ARN of the replication `name` when it exists and this plan keeps it; `None` when
    /// the plan creates or replaces it (or it is in conflict).
    fn staying_replication_arn(&self, name: &str) -> Option<String> {
        let (kind, arn) = if let Some(t) = self.desired.tasks.get(name) {
            let key = t.replication_task_identifier.to_lowercase();
            (Kind::Task, self.live.tasks.get(&key).map(|l| &l.arn))
        } else {
            let r = self.desired.replication_configs.get(name)?;
            let key = r.replication_config_identifier.to_lowercase();
            let live = self.live.replication_configs.get(&key).map(|l| &l.arn);
            (Kind::ReplicationConfig, live)
        };
        let action = self
            .changes
            .iter()
            .find(|c| c.kind == kind && c.name == name)
            .map(|c| c.action)?;
        match action {
            Action::Create | Action::Replace => None,
            _ => arn.cloned(),
        }
    }

    /// Live resources of the stack that no desired resource claimed.
    fn deletes(&mut self) {
        let live = self.live;
        let mut gone: Vec<(Kind, String, String)> = Vec::new();
        let mut sweep = |kind: Kind, entries: Vec<(&String, &String, &Tags)>| {
            for (key, ident, tags) in entries {
                if let Owner::Stack { stack, name } = owner(tags) {
                    if stack == self.stack && !self.claimed.contains(&(kind, key.to_lowercase())) {
                        gone.push((kind, name.to_string(), ident.clone()));
                    }
                }
            }
        };
        sweep(
            Kind::SubnetGroup,
            live.subnet_groups
                .iter()
                .map(|(k, v)| (k, &v.identifier, &v.tags))
                .collect(),
        );
        sweep(
            Kind::Instance,
            live.instances
                .iter()
                .map(|(k, v)| (k, &v.identifier, &v.tags))
                .collect(),
        );
        sweep(
            Kind::Endpoint,
            live.endpoints
                .iter()
                .map(|(k, v)| (k, &v.identifier, &v.tags))
                .collect(),
        );
        sweep(
            Kind::Task,
            live.tasks
                .iter()
                .map(|(k, v)| (k, &v.identifier, &v.tags))
                .collect(),
        );
        sweep(
            Kind::ReplicationConfig,
            live.replication_configs
                .iter()
                .map(|(k, v)| (k, &v.identifier, &v.tags))
                .collect(),
        );
        sweep(
            Kind::EventSubscription,
            live.event_subscriptions
                .iter()
                .map(|(k, v)| (k, &v.name, &v.tags))
                .collect(),
        );
        sweep(
            Kind::Alarm,
            live.alarms
                .iter()
                .map(|(k, v)| (k, &v.name, &v.tags))
                .collect(),
        );
        // Certificates last: one an endpoint keeps using is not deleted (DMS refuses while an
        // endpoint uses it); the apply after the endpoint has let go of it deletes it.
        let endpoints_gone: Vec<String> = gone
            .iter()
            .filter(|(k, _, _)| *k == Kind::Endpoint)
            .map(|(_, _, id)| id.to_lowercase())
            .collect();
        for (key, c) in &live.certificates {
            let Owner::Stack { stack, name } = owner(&c.tags) else {
                continue;
            };
            if stack != self.stack
                || self
                    .claimed
                    .contains(&(Kind::Certificate, key.to_lowercase()))
            {
                continue;
            }
            let kept_by: Vec<&str> = live
                .endpoints
                .iter()
                .filter(|(k, e)| {
                    e.certificate_arn.as_deref() == Some(c.arn.as_str())
                        && !endpoints_gone.contains(k)
                })
                .map(|(_, e)| e.identifier.as_str())
                .collect();
            if kept_by.is_empty() {
                gone.push((Kind::Certificate, name.to_string(), c.identifier.clone()));
            } else {
                self.changes.push(
                    Change::new(Kind::Certificate, name, &c.identifier, Action::NoOp).because(format!(
                        "kept while endpoint {} uses it: the apply after it no longer does deletes it",
                        kept_by.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
                    )),
                );
            }
        }
        for (kind, name, id) in gone {
            let reason = self.delete_reason(kind, &name);
            let mut c = Change::new(kind, &name, &id, Action::Delete).because(reason);
            let running = match kind {
                Kind::Task => live
                    .tasks
                    .get(&id.to_lowercase())
                    .is_some_and(|t| moves_data(Some(&t.status))),
                Kind::ReplicationConfig => live
                    .replication_configs
                    .get(&id.to_lowercase())
                    .is_some_and(|r| moves_data(r.status.as_deref())),
                _ => false,
            };
            if running {
                c.reasons.push("running: it is stopped first".to_string());
            }
            self.changes.push(c);
        }
    }

    fn delete_reason(&self, kind: Kind, name: &str) -> String {
        let d = self.desired;
        let renamed = "its identifier changes (the spec's is created instead)";
        let to_instances = "compute mode changes from serverless to instances";
        let to_serverless = "compute mode changes from instances to serverless";
        let still_wanted = match kind {
            Kind::ReplicationConfig if d.tasks.contains_key(name) => return to_instances.into(),
            Kind::Task if d.replication_configs.contains_key(name) => return to_serverless.into(),
            Kind::Instance
                if d.mode == ComputeMode::Serverless && d.instances.contains_key(name) =>
            {
                return to_serverless.into()
            }
            Kind::Instance if d.mode == ComputeMode::Serverless => false,
            Kind::Instance => d.instances.contains_key(name),
            Kind::SubnetGroup => d.subnet_groups.contains_key(name),
            Kind::Certificate => d.certificates.contains_key(name),
            Kind::Endpoint => d.endpoints.contains_key(name),
            Kind::Task => d.tasks.contains_key(name),
            Kind::ReplicationConfig => d.replication_configs.contains_key(name),
            Kind::EventSubscription => d.event_subscriptions.contains_key(name),
            Kind::Alarm => d.alarms.contains_key(name),
            Kind::IamRole | Kind::LogGroup => false,
        };
        if still_wanted {
            renamed.into()
        } else {
            "no longer in the spec".into()
        }
    }
}

/// Whether a live replication, whose status may be unknown, [moves data](dms::moves_data).
pub(super) fn moves_data(status: Option<&str>) -> bool {
    status.is_some_and(dms::moves_data)
}
