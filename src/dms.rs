//! DMS's vocabulary, each fact in one place: what a status means for what dmsctl may do next,
//! an ARN's resource id, and the two compute modes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A DMS status in one spelling: DMS and its documentation write `Testing Connection`,
/// `testing-connection` and `testing_connection` for the same thing.
pub fn normalize_status(status: &str) -> String {
    status.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

/// Whether a task or serverless replication in `status` is moving data or about to: it is
/// "running" for `start` (nothing to start), `stop` (something to stop), `status` (a CDC
/// latency to show) and the planner (a modify is a stop-modify-resume). Serverless
/// replications pass through several states between a start and `running` (DMS user guide,
/// "AWS DMS Serverless components").
pub fn moves_data(status: &str) -> bool {
    matches!(
        normalize_status(status).as_str(),
        "running"
            | "starting"
            | "resuming"
            | "initializing"
            | "preparing_metadata_resources"
            | "testing_connection"
            | "fetching_metadata"
            | "calculating_capacity"
            | "provisioning_capacity"
            | "replication_starting"
    )
}

/// Whether a task or serverless replication in `status` must be stopped, and the stop
/// awaited, before DMS accepts a modify or a delete: it [`moves_data`], or is on its way to
/// stopping.
pub fn must_stop_before_modify(status: &str) -> bool {
    moves_data(status) || normalize_status(status) == "stopping"
}

/// `failed`, `create_failed`, `delete-failed`, ...: DMS does not leave these by itself.
pub fn is_failed(status: &str) -> bool {
    let s = normalize_status(status);
    s == "failed" || s.ends_with("_failed")
}

/// The last segment of an ARN, DMS's resource id (`arn:aws:dms:...:task:ABC` -> `ABC`).
pub fn resource_id(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

// How replications run: the spec's `compute.mode`, `generate --mode`, and the two ways `cost`
// prices. (A plain comment: a doc comment would change the spec's JSON Schema.)
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum ComputeMode {
    Serverless,
    Instances,
}

impl ComputeMode {
    /// `serverless` or `instances`, as the spec writes it.
    pub fn name(self) -> &'static str {
        match self {
            ComputeMode::Serverless => "serverless",
            ComputeMode::Instances => "instances",
        }
    }

    /// Capitalised, for headings.
    pub fn title(self) -> &'static str {
        match self {
            ComputeMode::Serverless => "Serverless",
            ComputeMode::Instances => "Instances",
        }
    }
}

/// The event categories DMS publishes for a `SourceType` of an event subscription, as the DMS
/// guide's tables list them (<https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Events.html>)
/// and `DescribeEventCategories` names them.
pub fn event_categories(source_type: &str) -> &'static [&'static str] {
    match source_type {
        "replication-instance" => &[
            "low storage",
            "configuration change",
            "maintenance",
            "deletion",
            "creation",
            "failover",
            "failure",
        ],
        "replication-task" => &[
            "configuration change",
            "state change",
            "deletion",
            "creation",
            "failure",
        ],
        _ => &[],
    }
}

/// `(partition, region, account)` of an ARN `arn:partition:service:region:account:...`.
pub fn arn_parts(arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let partition = parts.next()?;
    let _service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    parts.next()?;
    (!partition.is_empty() && !account.is_empty()).then_some((partition, region, account))
}

/// Whether a premigration assessment run (of a task or a serverless replication) in this
/// status is still under way
/// (<https://docs.aws.amazon.com/dms/latest/APIReference/API_ReplicationTaskAssessmentRun.html>).
pub fn assessment_under_way(status: &str) -> bool {
    matches!(
        status,
        "starting" | "provisioning" | "running" | "cancelling" | "deleting"
    )
}

/// Whether an assessment run in this status is over and nothing failed: `warning` is not a
/// failure (DMS lets the replication start, and the report says what to look at).
pub fn assessment_passed(status: &str) -> bool {
    matches!(status, "passed" | "warning")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replication_on_its_way_to_stopping_does_not_move_data_but_must_stop_first() {
        assert!(moves_data("Testing Connection"));
        assert!(must_stop_before_modify("Testing Connection"));
        assert!(!moves_data("stopping"));
        assert!(must_stop_before_modify("stopping"));
        for s in ["stopped", "ready", "failed"] {
            assert!(!moves_data(s) && !must_stop_before_modify(s), "{s}");
        }
    }

    #[test]
    fn failed_statuses_in_any_spelling() {
        assert!(is_failed("failed") && is_failed("delete-failed") && is_failed("Create Failed"));
        assert!(!is_failed("failing-over"));
    }

    #[test]
    fn resource_ids_are_the_last_arn_segment() {
        assert_eq!(resource_id("arn:aws:dms:eu-west-1:1:task:ABC"), "ABC");
        assert_eq!(resource_id("ABC"), "ABC");
    }

    #[test]
    fn compute_modes_are_named_as_the_spec_writes_them() {
        for m in [ComputeMode::Serverless, ComputeMode::Instances] {
            assert_eq!(serde_json::to_value(m).expect("json"), m.name());
        }
    }
}
