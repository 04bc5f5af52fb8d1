//! The stack's replications as `start`, `stop`, `status` and `logs` see them: each logical
//! replication of the spec with its live task or serverless replication.

use anyhow::bail;

use crate::cloud::Waitable;
use crate::live::{owner, Live, Owner, RunStats};
use crate::model::Desired;
use crate::spec::diagnostic::did_you_mean;

/// One replication of the stack that exists in the account.
#[derive(Debug, Clone)]
pub struct Running {
    pub name: String,
    pub kind: Waitable,
    pub arn: String,
    pub identifier: String,
    pub status: String,
    pub has_run: bool,
    pub full_load_only: bool,
    /// The spec's `cdc_start_time`, used on a first start.
    pub cdc_start_time: Option<String>,
    pub failure: Option<String>,
    pub stats: Option<RunStats>,
    /// Where DMS writes its log: group, and a stream prefix ("" for every stream).
    pub log_group: String,
    pub log_stream_prefix: String,
}

impl Running {
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Waitable::Task => "task",
            _ => "serverless",
        }
    }
}

/// The last segment of an ARN, DMS's resource id (`arn:aws:dms:...:task:ABC` -> `ABC`).
fn resource_id(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// The replications named (all of the stack when `names` is empty). Names the spec does not
/// define are an error with a suggestion; replications not yet created are an error pointing
/// at `dmsctl apply`.
pub fn select(desired: &Desired, live: &Live, names: &[String]) -> anyhow::Result<Vec<Running>> {
    let (found, missing) = lookup(desired, live, names)?;
    if !missing.is_empty() {
        bail!(
            "not created yet: {} (run `dmsctl apply` first)",
            missing.join(", ")
        );
    }
    Ok(found)
}

/// The replications named (all when `names` is empty) that exist, and the names of those that
/// do not exist yet. Names the spec does not define are an error.
pub fn lookup(
    desired: &Desired,
    live: &Live,
    names: &[String],
) -> anyhow::Result<(Vec<Running>, Vec<String>)> {
    let stack = desired.stack.as_str();
    let known: Vec<&str> = desired
        .tasks
        .keys()
        .chain(desired.replication_configs.keys())
        .map(String::as_str)
        .collect();
    for n in names {
        if !known.contains(&n.as_str()) {
            let hint = did_you_mean(n, known.iter().copied())
                .map(|m| format!("; did you mean `{m}`?"))
                .unwrap_or_default();
            bail!("the spec has no replication `{n}`{hint}");
        }
    }
    let wanted = |name: &str| names.is_empty() || names.iter().any(|n| n == name);
    let ours = |tags, name: &str| owner(tags) == Owner::Stack { stack, name };
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for (name, t) in desired.tasks.iter().filter(|(n, _)| wanted(n)) {
        match live
            .tasks
            .get(&t.replication_task_identifier.to_lowercase())
        {
            Some(l) if ours(&l.tags, name) => {
                let instance = live
                    .instances
                    .values()
                    .find(|i| i.arn == l.replication_instance_arn)
                    .map_or_else(String::new, |i| i.identifier.clone());
                out.push(Running {
                    name: name.clone(),
                    kind: Waitable::Task,
                    arn: l.arn.clone(),
                    identifier: l.identifier.clone(),
                    status: l.status.clone(),
                    has_run: l.has_run,
                    full_load_only: l.migration_type == "full-load",
                    cdc_start_time: t.cdc_start_time.clone(),
                    failure: l.last_failure_message.clone().or(l.stop_reason.clone()),
                    stats: l.stats.clone(),
                    log_group: format!("dms-tasks-{instance}"),
                    log_stream_prefix: format!("dms-task-{}", resource_id(&l.arn)),
                });
            }
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
            Some(l) if ours(&l.tags, name) => out.push(Running {
                name: name.clone(),
                kind: Waitable::ReplicationConfig,
                arn: l.arn.clone(),
                identifier: l.identifier.clone(),
                status: l.status.clone().unwrap_or_else(|| "created".into()),
                has_run: l.has_run,
                full_load_only: l.replication_type == "full-load",
                cdc_start_time: r.cdc_start_time.clone(),
                failure: l.failure_messages.last().cloned(),
                stats: l.stats.clone(),
                log_group: format!("dms-serverless-replication-{}", resource_id(&l.arn)),
                log_stream_prefix: String::new(),
            }),
            _ => missing.push(name.clone()),
        }
    }
    Ok((out, missing))
}
