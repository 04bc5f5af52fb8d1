//! Hazards: changes that destroy data or work, computed purely from a change and the live state
//! it was planned against (prisma's `pure_check`). Apply refuses them unless told.

use super::{Action, Change, Hazard, HazardCode, Kind};
use crate::live::{owner, Live, Owner};

/// The hazards of one change.
pub(super) fn of(change: &Change, live: &Live) -> Vec<Hazard> {
    let destroys = matches!(change.action, Action::Replace | Action::Delete);
    if !destroys {
        return Vec::new();
    }
    let key = change.id.to_lowercase();
    let consequence = if change.action == Action::Replace {
        "the target tables are reloaded by the new one"
    } else {
        "the target tables are left behind"
    };
    let has_run = match change.kind {
        Kind::Task => live.tasks.get(&key).is_some_and(|t| t.has_run),
        Kind::ReplicationConfig => live
            .replication_configs
            .get(&key)
            .is_some_and(|r| r.has_run),
        Kind::Instance => return instance_tasks(change, live),
        _ => false,
    };
    if !has_run {
        return Vec::new();
    }
    vec![Hazard {
        code: HazardCode::LosesCdcPosition,
        // The subject is the change the hazard belongs to.
        message: format!("has run: its CDC position is lost and {consequence}"),
    }]
}

/// Deleting or replacing an instance takes its tasks with it; tasks this stack does not own
/// keep DMS from deleting it at all.
fn instance_tasks(change: &Change, live: &Live) -> Vec<Hazard> {
    let Some(inst) = live.instances.get(&change.id.to_lowercase()) else {
        return Vec::new();
    };
    let mut ours = Vec::new();
    let mut others = Vec::new();
    for t in live
        .tasks
        .values()
        .filter(|t| t.replication_instance_arn == inst.arn)
    {
        let id = format!("`{}`", t.identifier);
        match owner(&t.tags) {
            Owner::Stack { stack, .. } if stack == change_stack(change, live) => ours.push(id),
            _ => others.push(id),
        }
    }
    if ours.is_empty() && others.is_empty() {
        return Vec::new();
    }
    let mut message = "still carries tasks".to_string();
    if !ours.is_empty() {
        message.push_str(&format!(" {}", ours.join(", ")));
    }
    if !others.is_empty() {
        if !ours.is_empty() {
            message.push_str(" and");
        }
        message.push_str(&format!(
            " {} that this stack does not own (DMS refuses to delete an instance with tasks)",
            others.join(", ")
        ));
    }
    vec![Hazard {
        code: HazardCode::InstanceHasTasks,
        message,
    }]
}

/// The stack that owns the instance being changed (the change's own stack: only owned
/// instances are replaced or deleted).
fn change_stack<'a>(change: &Change, live: &'a Live) -> &'a str {
    live.instances
        .get(&change.id.to_lowercase())
        .and_then(|i| match owner(&i.tags) {
            Owner::Stack { stack, .. } => Some(stack),
            Owner::Unmanaged => None,
        })
        .unwrap_or_default()
}
