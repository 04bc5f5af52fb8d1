//! The plan as a value: what changes ([`Change`]), on which [`Kind`] of resource, by which
//! [`Action`], and the [`Plan`] that holds them in execution order.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::{compare, FORMAT_VERSION};
use crate::live::Live;

/// The kinds of resources dmsctl manages.
///
/// Order matters: the derived `Ord` IS the execution order of creates and updates, the order of
/// the AWS dependency graph (IAM roles before anything that needs them; the `dms-vpc-role`
/// before subnet groups; log groups before DMS writes into them, so their retention applies
/// from the first line; subnet groups before instances; certificates before the endpoints that
/// use them; instances and endpoints before the tasks that reference them). Deletes run in the
/// reverse order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    // Order matters: see above. Apply sorts by this enum, nothing else encodes the graph.
    IamRole,
    LogGroup,
    SubnetGroup,
    Certificate,
    Instance,
    Endpoint,
    Task,
    ReplicationConfig,
    EventSubscription,
    Alarm,
}

impl Kind {
    /// The name in the JSON form and in fingerprints (`replication-config`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::IamRole => "iam-role",
            Kind::LogGroup => "log-group",
            Kind::SubnetGroup => "subnet-group",
            Kind::Certificate => "certificate",
            Kind::Instance => "instance",
            Kind::Endpoint => "endpoint",
            Kind::Task => "task",
            Kind::ReplicationConfig => "replication-config",
            Kind::EventSubscription => "event-subscription",
            Kind::Alarm => "alarm",
        }
    }

    /// How people call it, for sentences.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::IamRole => "IAM role",
            Kind::LogGroup => "log group",
            Kind::SubnetGroup => "subnet group",
            Kind::Certificate => "certificate",
            Kind::Instance => "replication instance",
            Kind::Endpoint => "endpoint",
            Kind::Task => "task",
            Kind::ReplicationConfig => "serverless replication",
            Kind::EventSubscription => "event subscription",
            Kind::Alarm => "CloudWatch alarm",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What apply does with one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    NoOp,
    Create,
    /// In place, through Modify* (for a running task or replication: stop, modify, resume;
    /// see [`Change::restart`]).
    Update,
    /// Delete, then create: Modify* cannot change what differs.
    Replace,
    /// A task onto another instance with `MoveReplicationTask` (then any modify in place): its
    /// CDC position and loaded tables stay.
    Move,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::NoOp => "no-op",
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Move => "move",
            Action::Delete => "delete",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One attribute that differs: `before` is live, `after` is what the spec asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    /// The API's member name, dotted into nested documents
    /// (`ReplicationTaskSettings.TargetMetadata.TargetTablePrepMode`, `Tags.team`).
    pub field: String,
    pub before: Option<Json>,
    pub after: Option<Json>,
    /// Modify* cannot change this attribute: the resource is replaced.
    pub forces_replacement: bool,
}

/// Why a change is dangerous; apply refuses changes with hazards unless destruction is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hazard {
    pub code: HazardCode,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HazardCode {
    /// A task or serverless replication that has run is replaced or deleted.
    LosesCdcPosition,
    /// A replication instance that still carries tasks is replaced or deleted.
    InstanceHasTasks,
}

/// What apply would do with one resource, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub kind: Kind,
    /// Logical name in the spec (for IAM roles, the role name; for log groups, the instance or
    /// replication whose logs they hold).
    pub name: String,
    /// Live identifier (for IAM roles and log groups, their name).
    pub id: String,
    pub action: Action,
    /// Human sentences; they explain, they never steer apply.
    pub reasons: Vec<String>,
    pub hazards: Vec<Hazard>,
    pub diffs: Vec<Diff>,
    /// The task or serverless replication is running: the update is stop → modify → wait →
    /// resume.
    pub restart: bool,
}

impl Change {
    pub(super) fn new(kind: Kind, name: &str, id: &str, action: Action) -> Change {
        Change {
            kind,
            name: name.to_string(),
            id: id.to_string(),
            action,
            reasons: Vec::new(),
            hazards: Vec::new(),
            diffs: Vec::new(),
            restart: false,
        }
    }

    pub(super) fn because(mut self, reason: impl Into<String>) -> Change {
        self.reasons.push(reason.into());
        self
    }

    /// Something other than tags differs. Tags alone need no Modify: `AddTagsToResource` and
    /// `RemoveTagsFromResource` are enough, and a running task does not mind them.
    pub fn needs_modify(&self) -> bool {
        self.diffs.iter().any(|d| !d.field.starts_with("Tags."))
    }

    /// Whether apply adds or overwrites tags (`AddTagsToResource`).
    pub fn sets_tags(&self) -> bool {
        self.diffs
            .iter()
            .any(|d| d.field.starts_with("Tags.") && d.after.is_some())
    }

    /// The tag keys apply removes (`RemoveTagsFromResource`): live tags the spec does not name.
    /// Never an `aws:` key, even should a saved plan say so: AWS refuses to remove them.
    pub fn removed_tags(&self) -> Vec<&str> {
        self.diffs
            .iter()
            .filter(|d| d.after.is_none())
            .filter_map(|d| d.field.strip_prefix("Tags."))
            .filter(|k| !compare::is_reserved_tag(k))
            .collect()
    }
}

/// A live resource with a wanted identifier that this stack does not own. Never touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub kind: Kind,
    /// The logical name that wants the identifier.
    pub name: String,
    pub id: String,
    pub reason: String,
}

/// Counts of the changes that do something.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    /// Tasks moved to another instance (absent from the JSON when none is).
    #[serde(rename = "move", default, skip_serializing_if = "is_zero")]
    pub moved: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    pub fn total(&self) -> usize {
        self.create + self.update + self.replace + self.delete + self.moved
    }
}

/// Everything apply would do for one stack. Deterministic: changes sorted by kind (execution
/// order), then name, then action; no timestamps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub stack: String,
    /// One entry per resource of the stack, unchanged ones included (as `no-op`).
    pub changes: Vec<Change>,
    pub conflicts: Vec<Conflict>,
    pub summary: Summary,
}

impl Plan {
    pub(super) fn from_parts(
        stack: &str,
        mut changes: Vec<Change>,
        mut conflicts: Vec<Conflict>,
    ) -> Plan {
        changes.sort_by(|a, b| {
            (a.kind, &a.name, a.action, &a.id).cmp(&(b.kind, &b.name, b.action, &b.id))
        });
        conflicts.sort_by(|a, b| (a.kind, &a.name, &a.id).cmp(&(b.kind, &b.name, &b.id)));
        let summary = summarize(&changes);
        Plan {
            format_version: FORMAT_VERSION,
            stack: stack.to_string(),
            changes,
            conflicts,
            summary,
        }
    }

    /// Whether apply would change anything (conflicts are not changes; see
    /// [`Plan::conflicts`]).
    pub fn has_changes(&self) -> bool {
        self.summary.total() > 0
    }

    /// The changes that do something, in the plan's order.
    pub fn actionable(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.action != Action::NoOp)
    }

    /// Changes apply must refuse unless the user allows destruction.
    pub fn blocked_by_hazards(&self) -> Vec<&Change> {
        self.changes
            .iter()
            .filter(|c| !c.hazards.is_empty())
            .collect()
    }

    /// The changes in the order apply runs them: deletes (and the delete half of replaces) in
    /// reverse kind order first, then creates, updates (and the create half of replaces) in
    /// kind order. A replace appears in both lists.
    pub fn execution_order(&self) -> (Vec<&Change>, Vec<&Change>) {
        let mut removals: Vec<&Change> = self
            .changes
            .iter()
            .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
            .collect();
        removals.sort_by(|a, b| b.kind.cmp(&a.kind).then_with(|| a.name.cmp(&b.name)));
        let builds = self
            .changes
            .iter()
            .filter(|c| {
                matches!(
                    c.action,
                    Action::Create | Action::Update | Action::Move | Action::Replace
                )
            })
            .collect();
        (removals, builds)
    }

    /// The plan restricted to the resources with this logical name or live identifier (for
    /// `dmsctl diff NAME`); `None` when nothing matches.
    pub fn only(&self, name: &str) -> Option<Plan> {
        let hit = |n: &str, id: &str| n == name || id.eq_ignore_ascii_case(name);
        let changes: Vec<Change> = self
            .changes
            .iter()
            .filter(|c| hit(&c.name, &c.id))
            .cloned()
            .collect();
        let conflicts: Vec<Conflict> = self
            .conflicts
            .iter()
            .filter(|c| hit(&c.name, &c.id))
            .cloned()
            .collect();
        if changes.is_empty() && conflicts.is_empty() {
            return None;
        }
        Some(Plan::from_parts(&self.stack, changes, conflicts))
    }
}

/// The ARN of the live resource a change names, for apply's Modify and Delete calls. `None`
/// when it does not exist, and for IAM roles and log groups, which are addressed by name.
pub fn live_arn<'a>(live: &'a Live, kind: Kind, id: &str) -> Option<&'a str> {
    let key = id.to_lowercase();
    match kind {
        Kind::IamRole | Kind::LogGroup => None,
        Kind::SubnetGroup => live.subnet_groups.get(&key).map(|r| r.arn.as_str()),
        Kind::Certificate => live.certificates.get(&key).map(|r| r.arn.as_str()),
        Kind::Instance => live.instances.get(&key).map(|r| r.arn.as_str()),
        Kind::Endpoint => live.endpoints.get(&key).map(|r| r.arn.as_str()),
        Kind::Task => live.tasks.get(&key).map(|r| r.arn.as_str()),
        Kind::ReplicationConfig => live.replication_configs.get(&key).map(|r| r.arn.as_str()),
        Kind::EventSubscription => live.event_subscriptions.get(&key).map(|r| r.arn.as_str()),
        Kind::Alarm => live.alarms.get(&key).map(|r| r.arn.as_str()),
    }
}

/// Whether the live resource of `user_kind` with identifier `user_id` uses the live resource of
/// `kind` at `arn` (identifier `id`), as the account records it: a task its endpoints and
/// instance, a serverless replication its endpoints and subnet group, an instance its subnet
/// group.
pub fn live_uses(
    live: &Live,
    user_kind: Kind,
    user_id: &str,
    kind: Kind,
    arn: &str,
    id: &str,
) -> bool {
    let key = user_id.to_lowercase();
    match (kind, user_kind) {
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
        (Kind::Task | Kind::Instance, Kind::EventSubscription) => live
            .event_subscriptions
            .get(&key)
            .is_some_and(|s| s.source_ids.iter().any(|i| i.eq_ignore_ascii_case(id))),
        (Kind::Certificate, Kind::Endpoint) => live
            .endpoints
            .get(&key)
            .is_some_and(|e| e.certificate_arn.as_deref() == Some(arn)),
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

fn summarize(changes: &[Change]) -> Summary {
    let mut s = Summary::default();
    for c in changes {
        match c.action {
            Action::NoOp => {}
            Action::Create => s.create += 1,
            Action::Update => s.update += 1,
            Action::Replace => s.replace += 1,
            Action::Move => s.moved += 1,
            Action::Delete => s.delete += 1,
        }
    }
    s
}
