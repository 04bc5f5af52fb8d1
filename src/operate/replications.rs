//! The stack's replications as `start`, `stop`, `status` and `logs` see them: each logical
//! replication of the spec with its live task or serverless replication.

use crate::cloud::{CdcStart, ReplicationKind};
use crate::live::{
    owner, serverless_log_group, task_log_group, task_log_stream_prefix, Live,
    LiveReplicationConfig, LiveTask, Owner, RunStats,
};
use crate::model::{Desired, DesiredReplicationConfig, DesiredTask};
use crate::spec::diagnostic::did_you_mean;

/// One replication of the stack that exists in the account.
#[derive(Debug, Clone)]
pub struct Running {
    pub name: String,
    pub kind: ReplicationKind,
    pub arn: String,
    pub identifier: String,
    pub status: String,
    pub has_run: bool,
    pub full_load_only: bool,
    /// The spec's `cdc_start_time` or `cdc_start_position`, used on a first start.
    pub cdc_start: Option<CdcStart>,
    pub failure: Option<String>,
    pub stats: Option<RunStats>,
    /// Where DMS writes its log: group, and a stream prefix ("" for every stream).
    pub log_group: String,
    pub log_stream_prefix: String,
}

/// Why the replications asked for cannot be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// A name the spec does not define, with the nearest one it does.
    #[error("the spec has no replication `{name}`{}", .suggestion.as_ref().map(|m| format!("; did you mean `{m}`?")).unwrap_or_default())]
    Unknown {
        name: String,
        suggestion: Option<String>,
    },
    /// Replications of the spec that do not exist in the account yet.
    #[error("not created yet: {} (run `dmsctl apply` first)", .0.join(", "))]
    NotCreated(Vec<String>),
}

/// The replications named (all of the stack when `names` is empty). Names the spec does not
/// define are an error with a suggestion; replications not yet created are an error pointing
/// at `dmsctl apply`.
pub fn select(
    desired: &Desired,
    live: &Live,
    names: &[String],
) -> Result<Vec<Running>, LookupError> {
    let (found, missing) = lookup(desired, live, names)?;
    if !missing.is_empty() {
        return Err(LookupError::NotCreated(missing));
    }
    Ok(found)
}

/// The replications named (all when `names` is empty) that exist, and the names of those that
/// do not exist yet. Names the spec does not define are an error.
pub fn lookup(
    desired: &Desired,
    live: &Live,
    names: &[String],
) -> Result<(Vec<Running>, Vec<String>), LookupError> {
    check_names(desired, names)?;
    let stack = desired.stack.as_str();
    let wanted = |name: &str| names.is_empty() || names.iter().any(|n| n == name);
    let ours = |tags, name: &str| owner(tags) == Owner::Stack { stack, name };
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for (name, t) in desired.tasks.iter().filter(|(n, _)| wanted(n)) {
        match live
            .tasks
            .get(&t.replication_task_identifier.to_lowercase())
        {
            Some(l) if ours(&l.tags, name) => out.push(task(name, t, l, live)),
            _ => missing.push(name.clone()),
        }
    }
    for (name, r) in desired
        .replication_configs
        .iter()
        .filter(|(n, _)| wanted(n))
    {
        match live
            .replication_configs
            .get(&r.replication_config_identifier.to_lowercase())
        {
            Some(l) if ours(&l.tags, name) => out.push(serverless(name, r, l)),
            _ => missing.push(name.clone()),
        }
    }
    Ok((out, missing))
}

/// Every name must be a replication of the spec.
fn check_names(desired: &Desired, names: &[String]) -> Result<(), LookupError> {
    let known: Vec<&str> = desired
        .tasks
        .keys()
        .chain(desired.replication_configs.keys())
        .map(String::as_str)
        .collect();
    match names.iter().find(|n| !known.contains(&n.as_str())) {
        Some(n) => Err(LookupError::Unknown {
            name: n.clone(),
            suggestion: did_you_mean(n, known.iter().copied()).map(str::to_string),
        }),
        None => Ok(()),
    }
}

fn task(name: &str, t: &DesiredTask, l: &LiveTask, live: &Live) -> Running {
    let instance = live
        .instances
        .values()
        .find(|i| i.arn == l.replication_instance_arn)
        .map_or("", |i| i.identifier.as_str());
    Running {
        name: name.to_string(),
        kind: ReplicationKind::Task,
        arn: l.arn.clone(),
        identifier: l.identifier.clone(),
        status: l.status.clone(),
        has_run: l.has_run,
        full_load_only: l.migration_type == "full-load",
        cdc_start: cdc_start(t.cdc_start_time.as_ref(), t.cdc_start_position.as_ref()),
        failure: l.last_failure_message.clone().or(l.stop_reason.clone()),
        stats: l.stats.clone(),
        log_group: task_log_group(instance),
        log_stream_prefix: task_log_stream_prefix(&l.arn),
    }
}

fn serverless(name: &str, r: &DesiredReplicationConfig, l: &LiveReplicationConfig) -> Running {
    Running {
        name: name.to_string(),
        kind: ReplicationKind::Serverless,
        arn: l.arn.clone(),
        identifier: l.identifier.clone(),
        status: l.status.clone().unwrap_or_else(|| "created".into()),
        has_run: l.has_run,
        full_load_only: l.replication_type == "full-load",
        cdc_start: cdc_start(r.cdc_start_time.as_ref(), None),
        failure: l.failure_messages.last().cloned(),
        stats: l.stats.clone(),
        log_group: serverless_log_group(&l.arn),
        log_stream_prefix: String::new(),
    }
}

/// The spec's CDC start (validation allows at most one of the two).
fn cdc_start(time: Option<&String>, position: Option<&String>) -> Option<CdcStart> {
    time.cloned()
        .map(CdcStart::Time)
        .or_else(|| position.cloned().map(CdcStart::Position))
}
