//! What exists in the account, as dmsctl reads it: domain types, not SDK types.
//!
//! The reader (`crate::aws`) fills a [`Live`] with every DMS resource of the region (with its
//! tags), the two account-wide IAM roles and the DMS log groups. Ownership is decided later, by
//! the planner, from the tags: a resource belongs to a stack when it carries
//! `dmsctl:stack=<stack>` and `dmsctl:name=<name>`.
//!
//! Maps are keyed by the lowercase identifier (DMS stores instance and subnet-group identifiers
//! in lowercase) so lookups from the desired state are exact.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::dms::resource_id;
use crate::model::{TAG_NAME, TAG_STACK};

pub type Tags = BTreeMap<String, String>;

/// Everything read from the account and region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Live {
    pub endpoints: BTreeMap<String, LiveEndpoint>,
    pub instances: BTreeMap<String, LiveInstance>,
    pub tasks: BTreeMap<String, LiveTask>,
    pub replication_configs: BTreeMap<String, LiveReplicationConfig>,
    pub subnet_groups: BTreeMap<String, LiveSubnetGroup>,
    /// DMS certificates, by identifier in lowercase.
    #[serde(default)]
    pub certificates: BTreeMap<String, LiveCertificate>,
    /// DMS event subscriptions, by name in lowercase.
    #[serde(default)]
    pub event_subscriptions: BTreeMap<String, LiveEventSubscription>,
    /// CloudWatch alarms on DMS's CDC latency metrics, by name in lowercase.
    #[serde(default)]
    pub alarms: BTreeMap<String, LiveAlarm>,
    /// `dms-cloudwatch-logs-role` and `dms-vpc-role`, when they exist.
    pub roles: BTreeMap<String, LiveRole>,
    /// DMS log groups (`dms-tasks-*`, `dms-serverless-*`) by name.
    pub log_groups: BTreeMap<String, LiveLogGroup>,
}

/// Who a live resource belongs to, from its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner<'a> {
    /// Tagged by dmsctl for this stack under this logical name.
    Stack { stack: &'a str, name: &'a str },
    /// No dmsctl tags: made by hand or by another tool.
    Unmanaged,
}

/// Reads the owner from a resource's tags.
pub fn owner(tags: &Tags) -> Owner<'_> {
    match (tags.get(TAG_STACK), tags.get(TAG_NAME)) {
        (Some(stack), Some(name)) => Owner::Stack { stack, name },
        _ => Owner::Unmanaged,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveCertificate {
    pub arn: String,
    pub identifier: String,
    /// The PEM DMS holds.
    #[serde(skip)]
    pub pem: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveEventSubscription {
    pub arn: String,
    pub name: String,
    pub sns_topic_arn: String,
    pub source_type: Option<String>,
    pub event_categories: Vec<String>,
    pub source_ids: Vec<String>,
    pub enabled: bool,
    /// `creating`, `modifying`, `active`, `deleting`, ...
    pub status: Option<String>,
    pub tags: Tags,
}

/// A CloudWatch metric alarm, as `DescribeAlarms` returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveAlarm {
    pub arn: String,
    pub name: String,
    pub description: Option<String>,
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    pub statistic: Option<String>,
    pub comparison_operator: Option<String>,
    pub threshold: Option<f64>,
    pub period: Option<i64>,
    pub evaluation_periods: Option<i64>,
    pub datapoints_to_alarm: Option<i64>,
    pub treat_missing_data: Option<String>,
    pub actions_enabled: bool,
    pub alarm_actions: Vec<String>,
    pub ok_actions: Vec<String>,
    /// (name, value), sorted by name.
    pub dimensions: Vec<(String, String)>,
    /// `OK`, `ALARM`, `INSUFFICIENT_DATA`: not compared, and left out of saved plans.
    #[serde(skip)]
    pub state: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveEndpoint {
    pub arn: String,
    pub identifier: String,
    /// `source` or `target`, lowercase.
    pub endpoint_type: String,
    pub engine_name: String,
    pub server_name: Option<String>,
    pub port: Option<i64>,
    pub database_name: Option<String>,
    pub username: Option<String>,
    pub ssl_mode: Option<String>,
    pub certificate_arn: Option<String>,
    pub extra_connection_attributes: Option<String>,
    pub status: Option<String>,
    /// Engine settings under DMS's name for them (`KafkaSettings`, `MySQLSettings`,
    /// `S3Settings`, ...), in the API's member names. Secrets DMS echoes back (it does not for
    /// passwords) are never stored here.
    pub settings: BTreeMap<String, Json>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveInstance {
    pub arn: String,
    pub identifier: String,
    pub class: String,
    pub allocated_storage: i64,
    pub multi_az: bool,
    pub engine_version: Option<String>,
    pub subnet_group: Option<String>,
    pub publicly_accessible: bool,
    pub vpc_security_group_ids: Vec<String>,
    pub availability_zone: Option<String>,
    pub kms_key_id: Option<String>,
    pub preferred_maintenance_window: Option<String>,
    /// `creating`, `available`, `modifying`, `deleting`, ...
    pub status: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveTask {
    pub arn: String,
    pub identifier: String,
    pub source_endpoint_arn: String,
    pub target_endpoint_arn: String,
    pub replication_instance_arn: String,
    pub migration_type: String,
    /// Parsed `TableMappings`.
    pub table_mappings: Json,
    /// Parsed `ReplicationTaskSettings` (DMS fills in every default).
    pub settings: Json,
    /// `creating`, `ready`, `starting`, `running`, `stopping`, `stopped`, `failed`, `modifying`,
    /// `deleting`, ...
    pub status: String,
    /// Whether the task was ever started: its CDC position and target tables are at stake.
    pub has_run: bool,
    pub last_failure_message: Option<String>,
    pub stop_reason: Option<String>,
    /// Progress, for `dmsctl status`. Left out of serialization: it changes by the second and
    /// must not make a saved plan look stale.
    #[serde(skip)]
    pub stats: Option<RunStats>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveReplicationConfig {
    pub arn: String,
    pub identifier: String,
    pub source_endpoint_arn: String,
    pub target_endpoint_arn: String,
    pub replication_type: String,
    /// `ComputeConfig` in the API's member names (`MinCapacityUnits`, `MaxCapacityUnits`,
    /// `MultiAZ`, `ReplicationSubnetGroupId`, `VpcSecurityGroupIds`, ...).
    pub compute_config: Json,
    pub table_mappings: Json,
    pub settings: Json,
    /// The replication's status from `DescribeReplications` (`created`, `running`, `stopped`,
    /// `failed`, ...); `None` when DMS reports no replication for the config.
    pub status: Option<String>,
    pub has_run: bool,
    pub failure_messages: Vec<String>,
    /// Progress, for `dmsctl status` (not serialized, as for tasks).
    #[serde(skip)]
    pub stats: Option<RunStats>,
    /// The DCUs DMS has provisioned for the replication now (`DescribeReplications`
    /// `ProvisionData.ProvisionedCapacityUnits`); `None` when it reports none.
    #[serde(skip)]
    pub provisioned_dcu: Option<i64>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveSubnetGroup {
    pub arn: String,
    pub identifier: String,
    pub description: String,
    pub subnet_ids: Vec<String>,
    pub vpc_id: Option<String>,
    pub status: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveRole {
    pub name: String,
    pub arn: String,
    /// The trust policy lets `dms.amazonaws.com` assume the role.
    pub trusts_dms: bool,
    pub attached_policy_arns: Vec<String>,
}

/// The log group DMS writes a task's log to: `dms-tasks-<instance identifier>` (DMS stores
/// instance identifiers in lowercase). Known before the instance exists.
pub fn task_log_group(instance_identifier: &str) -> String {
    format!("dms-tasks-{}", instance_identifier.to_lowercase())
}

/// The stream prefix of a task's log in its group: `dms-task-<resource id>`.
pub fn task_log_stream_prefix(task_arn: &str) -> String {
    format!("dms-task-{}", resource_id(task_arn))
}

/// What the log group of a serverless replication starts with; `<id>` follows
/// ([`serverless_log_group`]).
pub const SERVERLESS_LOG_GROUP_PREFIX: &str = "dms-serverless-replication-";

/// The log group DMS writes a serverless replication's log to:
/// `dms-serverless-replication-<resource id at the end of the config's ARN>`.
pub fn serverless_log_group(config_arn: &str) -> String {
    format!("{SERVERLESS_LOG_GROUP_PREFIX}{}", resource_id(config_arn))
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveLogGroup {
    pub name: String,
    pub retention_days: Option<i32>,
}

/// Progress of a task or serverless replication, as DMS reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunStats {
    pub full_load_progress_percent: Option<i32>,
    pub tables_loaded: i32,
    pub tables_loading: i32,
    pub tables_queued: i32,
    pub tables_errored: i32,
    /// RFC 3339.
    pub start_date: Option<String>,
    /// RFC 3339.
    pub stop_date: Option<String>,
}
