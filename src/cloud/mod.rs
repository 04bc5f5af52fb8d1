//! The seam between dmsctl and AWS: a trait with domain types in and out.
//!
//! `crate::aws` implements it with the AWS SDK; tests implement it with fakes. Nothing outside
//! `src/aws/` names an `aws_sdk_*` type.

use std::collections::BTreeMap;
use std::future::Future;

#[cfg(test)]
pub(crate) mod fake;

use crate::cost::actual::{CostAnswer, CostQuery, TagState};
use crate::cost::observed::InstanceUsage;
use crate::live::Live;
pub use crate::metrics::{CdcLatency, MetricSubject};
use crate::model::{
    DesiredAlarm, DesiredCertificate, DesiredEndpoint, DesiredEventSubscription, DesiredInstance,
    DesiredReplicationConfig, DesiredRole, DesiredSubnetGroup, DesiredTask, Tag,
};

/// What went wrong with a call, in the few kinds the planner and executor act on. The apply
/// report's JSON names them in kebab case (`not-found`, `throttled`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    NotFound,
    AlreadyExists,
    /// The resource is in a state that does not allow the call (a running task being modified).
    InvalidState,
    Throttled,
    /// AWS answered with a 5xx, or did not answer (a timeout, a dropped connection): worth
    /// asking again later.
    Unavailable,
    /// Credentials missing, expired or without permission.
    Denied,
    Other,
}

/// A failed AWS call: which operation, what kind of failure, and AWS's message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation}: {message}")]
pub struct CloudError {
    pub kind: ErrorKind,
    /// The API operation, e.g. `DescribeEndpoints`.
    pub operation: String,
    pub message: String,
}

impl CloudError {
    /// What to do about the usual causes of a failure (credentials, throttling), as a line to
    /// put after the message (`"\nhint: ..."`); empty for the others.
    pub fn hint(&self) -> &'static str {
        match self.kind {
            ErrorKind::Denied => {
                "\nhint: check the AWS credentials (environment, --profile, SSO login) and their permissions"
            }
            ErrorKind::Throttled => "\nhint: AWS kept throttling the calls; try again in a moment",
            _ => "",
        }
    }

    /// The error followed by its [`hint`](Self::hint).
    pub fn with_hint(&self) -> String {
        format!("{self}{}", self.hint())
    }
}

/// Reads the account: DMS resources, their statuses and progress, their logs and metrics, and
/// the secrets endpoints send. Nothing here changes anything; read-only commands need no more.
pub trait Cloud: Send + Sync {
    /// Everything dmsctl may own or collide with in the account and region: all DMS endpoints,
    /// instances, tasks, replication configs (with their replications' status) and subnet
    /// groups with their tags; the roles `dms-cloudwatch-logs-role` and `dms-vpc-role`; the DMS
    /// log groups.
    fn read(&self) -> impl Future<Output = Result<Live, CloudError>> + Send;

    /// API calls made so far, by `service:Operation` (for `-v`).
    fn calls(&self) -> BTreeMap<String, u64>;

    /// The current value (`SecretString`) of an AWS Secrets Manager secret, for the endpoint
    /// settings DMS cannot read from Secrets Manager itself (Kafka's SASL password).
    fn secret_value(
        &self,
        secret_id: &str,
    ) -> impl Future<Output = Result<SecretValue, CloudError>> + Send;

    /// The current statuses of many resources of one kind, by ARN, in as few calls as the API
    /// allows (one paged `Describe*` filtered by the ARNs); a resource that no longer exists
    /// is absent.
    fn statuses(
        &self,
        kind: Waitable,
        arns: &[String],
    ) -> impl Future<Output = Result<BTreeMap<String, Status>, CloudError>> + Send;

    /// The current status of one resource; `None` when it no longer exists.
    fn status(
        &self,
        kind: Waitable,
        arn: &str,
    ) -> impl Future<Output = Result<Option<Status>, CloudError>> + Send {
        let arns = [arn.to_string()];
        async move { Ok(self.statuses(kind, &arns).await?.remove(arn)) }
    }

    /// Per-table progress of a task or serverless replication.
    fn table_statistics(
        &self,
        kind: ReplicationKind,
        arn: &str,
    ) -> impl Future<Output = Result<Vec<TableStat>, CloudError>> + Send;

    /// Log events of a group, newest last: streams starting with `stream_prefix` (all when
    /// empty), from `since_ms`, matching a CloudWatch filter pattern when given.
    fn log_events(
        &self,
        group: &str,
        stream_prefix: &str,
        since_ms: i64,
        filter: Option<&str>,
    ) -> impl Future<Output = Result<Vec<LogEvent>, CloudError>> + Send;

    /// The current CDC latency of each replication that reports one, by ARN (from CloudWatch:
    /// see `crate::metrics`). Replications without recent data points are absent.
    fn cdc_latency(
        &self,
        subjects: &[MetricSubject],
    ) -> impl Future<Output = Result<BTreeMap<String, CdcLatency>, CloudError>> + Send;
}

/// DMS's operations on what exists, beyond starting and stopping: connection tests from a
/// replication instance and table reloads. Each is safe to repeat.
pub trait Operations: Cloud {
    /// Starts DMS's test of the connection from `instance_arn` to `endpoint_arn`
    /// (`TestConnection`); the result comes with [`Operations::connections`].
    fn test_connection(
        &self,
        instance_arn: &str,
        endpoint_arn: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;

    /// The connections between these instances and endpoints, in one paged
    /// `DescribeConnections` filtered by both lists.
    fn connections(
        &self,
        instance_arns: &[String],
        endpoint_arns: &[String],
    ) -> impl Future<Output = Result<Vec<Connection>, CloudError>> + Send;

    /// Reloads the named tables of a running task (`ReloadTables`) or serverless replication
    /// (`ReloadReplicationTables`); `validate_only` validates them instead of reloading.
    fn reload_tables(
        &self,
        kind: ReplicationKind,
        arn: &str,
        tables: &[TableName],
        validate_only: bool,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;

    /// Starts a premigration assessment run of a task named `run_name`
    /// (`StartReplicationTaskAssessmentRun`); its ARN.
    fn start_assessment(
        &self,
        task_arn: &str,
        run_name: &str,
        settings: &AssessmentSettings,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;

    /// The assessment runs of these tasks, in one paged `DescribeReplicationTaskAssessmentRuns`.
    fn assessment_runs(
        &self,
        task_arns: &[String],
    ) -> impl Future<Output = Result<Vec<AssessmentRun>, CloudError>> + Send;

    /// The individual assessments of these runs, in one paged
    /// `DescribeReplicationTaskIndividualAssessments`.
    fn individual_assessments(
        &self,
        run_arns: &[String],
    ) -> impl Future<Output = Result<Vec<IndividualAssessment>, CloudError>> + Send;
}

/// Where and how a premigration assessment runs (the spec's `assessments`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentSettings {
    pub bucket: String,
    pub folder: Option<String>,
    pub role_arn: String,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// One premigration assessment run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRun {
    pub arn: String,
    pub task_arn: String,
    pub name: String,
    /// `starting`, `provisioning`, `running`, `passed`, `warning`, `failed`, `error-...`, ...
    pub status: String,
    pub message: Option<String>,
    /// Whether it is the task's latest run.
    pub latest: bool,
}

/// One individual assessment of a run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IndividualAssessment {
    #[serde(skip)]
    pub run_arn: String,
    pub name: String,
    /// `passed`, `warning`, `failed`, `error`, `skipped`, `cancelled`, `pending`, `running`.
    pub status: String,
}

/// A connection DMS tested or is testing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Connection {
    pub instance_arn: String,
    pub endpoint_arn: String,
    /// `testing`, `successful`, `failed` or `deleting`.
    pub status: String,
    /// DMS's `LastFailureMessage`, when it failed.
    pub message: Option<String>,
}

/// A table as DMS names it in a reload: schema and table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct TableName {
    pub schema: String,
    pub table: String,
}

/// What the account was billed and what AWS lists as prices: Cost Explorer and the Price List
/// API, for `dmsctl cost`. Read only; Cost Explorer charges per request, so each method makes
/// as few as its answer needs.
pub trait Billing: Send + Sync {
    /// API calls made so far, by `service:Operation` (for `-v`).
    fn calls(&self) -> BTreeMap<String, u64>;

    /// The states of the cost allocation tags `dmsctl:stack` and `dmsctl:name`.
    fn cost_allocation_tags(
        &self,
    ) -> impl Future<Output = Result<BTreeMap<String, TagState>, CloudError>> + Send;

    /// DMS's unblended cost and usage for the query, every page.
    fn dms_cost(
        &self,
        query: &CostQuery,
    ) -> impl Future<Output = Result<CostAnswer, CloudError>> + Send;

    /// The Price List API's DMS products of a region, as the JSON documents it returns.
    fn dms_products(
        &self,
        region: &str,
    ) -> impl Future<Output = Result<Vec<String>, CloudError>> + Send;

    /// CloudWatch's CPU and freeable memory of replication instances (by identifier) over
    /// `[start, end)` (Unix seconds), hourly points combined (see `crate::cost::observed`).
    fn instance_usage(
        &self,
        identifiers: &[String],
        start: i64,
        end: i64,
    ) -> impl Future<Output = Result<BTreeMap<String, InstanceUsage>, CloudError>> + Send;
}

/// A secret's value, resolved from the environment at apply time. It prints as
/// `crate::redact::MASK` in every `Debug` and `Display`, so it cannot leak through a log line or an error.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    /// Wraps a value and registers it with `crate::redact`, so that it is masked wherever
    /// it might surface in a log or an error.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        crate::redact::register(&value);
        SecretValue(value)
    }

    /// The value, for the one place that sends it to AWS.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(crate::redact::MASK)
    }
}

impl std::fmt::Display for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(crate::redact::MASK)
    }
}

/// The secrets of one endpoint, sent on create and, with `--update-secrets`, on modify.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointSecrets {
    /// The database password (`Password`).
    pub password: Option<SecretValue>,
    /// Secrets inside engine settings, by `Settings.Member` (`KafkaSettings.SaslPassword`).
    pub settings: BTreeMap<String, SecretValue>,
}

/// How a task or serverless replication is started (DMS's `StartReplicationTaskType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartKind {
    /// The first run.
    StartReplication,
    /// Continue from where it stopped.
    ResumeProcessing,
    /// Reload the target and start again.
    ReloadTarget,
}

impl StartKind {
    pub fn dms_name(self) -> &'static str {
        match self {
            StartKind::StartReplication => "start-replication",
            StartKind::ResumeProcessing => "resume-processing",
            StartKind::ReloadTarget => "reload-target",
        }
    }
}

/// The two kinds of replication: the only resources that start, stop and move tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReplicationKind {
    /// A replication task on an instance.
    Task,
    /// A serverless replication (a replication config and its replication).
    Serverless,
}

impl ReplicationKind {
    /// The resource whose status tells how it is doing.
    pub fn waitable(self) -> Waitable {
        match self {
            ReplicationKind::Task => Waitable::Task,
            ReplicationKind::Serverless => Waitable::ReplicationConfig,
        }
    }

    /// `task` or `serverless`, as `status` shows it.
    pub fn name(self) -> &'static str {
        match self {
            ReplicationKind::Task => "task",
            ReplicationKind::Serverless => "serverless",
        }
    }
}

/// Resources whose status apply and start wait on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Waitable {
    Instance,
    Endpoint,
    Task,
    /// A serverless replication: the status of its replication.
    ReplicationConfig,
}

/// The status of one resource, read with one cheap call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// DMS's status string (`available`, `active`, `ready`, `running`, `stopped`, `failed`, ...).
    pub status: String,
    /// DMS's last failure or stop reason, when it gives one.
    pub message: Option<String>,
    /// A task's or serverless replication's `RecoveryCheckpoint`: where CDC would resume.
    pub checkpoint: Option<String>,
    /// A serverless replication's latest premigration assessment, when it had one.
    pub assessment: Option<PremigrationAssessment>,
}

/// The premigration assessment DMS ran when a serverless replication was started with
/// `PremigrationAssessmentSettings` (`DescribeReplications`' `PremigrationAssessmentStatuses`,
/// <https://docs.aws.amazon.com/dms/latest/APIReference/API_PremigrationAssessmentStatus.html>).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PremigrationAssessment {
    pub arn: String,
    /// `running`, `passed`, `warning`, `failed`, `error-executing`, ...
    pub status: String,
    /// The last message of a failed individual assessment.
    pub message: Option<String>,
    /// Where DMS wrote the results (`s3://<bucket DMS created>/<folder>`).
    pub results: Option<String>,
    /// Failed, warning and passed counts of its individual assessments, once it is over.
    pub failed: Option<i32>,
    pub warning: Option<i32>,
    pub passed: Option<i32>,
}

impl PremigrationAssessment {
    /// Whether it is over.
    pub fn finished(&self) -> bool {
        !crate::dms::assessment_under_way(&self.status)
    }

    /// Whether it is over and nothing failed (`warning` lets the replication start).
    pub fn passed(&self) -> bool {
        crate::dms::assessment_passed(&self.status)
    }
}

/// Where a start begins CDC: `CdcStartTime` or `CdcStartPosition` of the DMS API (one or the
/// other, never both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CdcStart {
    /// An RFC 3339 time.
    Time(String),
    /// A native position or a recovery checkpoint.
    Position(String),
}

/// One table's progress, for `dmsctl status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TableStat {
    pub schema: String,
    pub table: String,
    /// `Table completed`, `Table loading`, `Table error`, ...
    pub state: String,
    pub full_load_rows: i64,
    pub inserts: i64,
    pub updates: i64,
    pub deletes: i64,
}

/// One CloudWatch Logs event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogEvent {
    /// Milliseconds since the epoch.
    pub timestamp_ms: i64,
    pub stream: String,
    pub message: String,
}

/// Changes DMS resources (and reads them, as every writer must). Every call is one AWS operation (plus retries); waiting and ordering
/// belong to the executor. Create calls return the new resource's ARN.
pub trait CloudWrite: Cloud {
    // IAM: roles are shared by the account and never deleted.
    fn create_role(
        &self,
        role: &DesiredRole,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn attach_role_policy(
        &self,
        role: &str,
        policy_arn: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn update_trust_policy(
        &self,
        role: &str,
        document: &serde_json::Value,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;

    /// Creates the log group when missing, then sets its retention.
    fn set_log_retention(
        &self,
        group: &str,
        days: i32,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;

    fn create_subnet_group(
        &self,
        group: &DesiredSubnetGroup,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;
    fn modify_subnet_group(
        &self,
        group: &DesiredSubnetGroup,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn delete_subnet_group(
        &self,
        identifier: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;

    fn create_instance(
        &self,
        instance: &DesiredInstance,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;
    /// Applies immediately.
    fn modify_instance(
        &self,
        arn: &str,
        instance: &DesiredInstance,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn delete_instance(&self, arn: &str) -> impl Future<Output = Result<(), CloudError>> + Send;

    fn create_endpoint(
        &self,
        endpoint: &DesiredEndpoint,
        secrets: &EndpointSecrets,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;
    /// Imports a certificate (`ImportCertificate`); its ARN.
    fn import_certificate(
        &self,
        certificate: &DesiredCertificate,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;
    /// Deletes a certificate; DMS refuses while an endpoint uses it.
    fn delete_certificate(&self, arn: &str) -> impl Future<Output = Result<(), CloudError>> + Send;
    /// `secrets` is `None` unless the user asked to re-send them (`--update-secrets`).
    fn modify_endpoint(
        &self,
        arn: &str,
        endpoint: &DesiredEndpoint,
        secrets: Option<&EndpointSecrets>,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn delete_endpoint(&self, arn: &str) -> impl Future<Output = Result<(), CloudError>> + Send;

    /// `source`, `target` and `instance` are ARNs.
    fn create_task(
        &self,
        task: &DesiredTask,
        source: &str,
        target: &str,
        instance: &str,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;
    fn modify_task(
        &self,
        arn: &str,
        task: &DesiredTask,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn delete_task(&self, arn: &str) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn start_task(
        &self,
        arn: &str,
        kind: StartKind,
        cdc: Option<&CdcStart>,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn stop_task(&self, arn: &str) -> impl Future<Output = Result<(), CloudError>> + Send;
    /// Moves a stopped (or never run) task to another instance (`MoveReplicationTask`). A task
    /// already on that instance is moved: a retry meeting its own earlier effect goes on.
    fn move_task(
        &self,
        arn: &str,
        instance_arn: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;

    /// `source` and `target` are ARNs.
    fn create_replication_config(
        &self,
        config: &DesiredReplicationConfig,
        source: &str,
        target: &str,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;
    fn modify_replication_config(
        &self,
        arn: &str,
        config: &DesiredReplicationConfig,
        source: &str,
        target: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn delete_replication_config(
        &self,
        arn: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    /// With `assessment` (`PremigrationAssessmentSettings`, JSON), DMS first runs a
    /// premigration assessment and starts the replication once it passes.
    fn start_replication(
        &self,
        arn: &str,
        kind: StartKind,
        cdc: Option<&CdcStart>,
        assessment: Option<&str>,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn stop_replication(&self, arn: &str) -> impl Future<Output = Result<(), CloudError>> + Send;

    /// Starts a task or a serverless replication.
    fn start(
        &self,
        kind: ReplicationKind,
        arn: &str,
        start: StartKind,
        cdc: Option<&CdcStart>,
    ) -> impl Future<Output = Result<(), CloudError>> + Send {
        async move {
            match kind {
                ReplicationKind::Task => self.start_task(arn, start, cdc).await,
                ReplicationKind::Serverless => self.start_replication(arn, start, cdc, None).await,
            }
        }
    }

    /// Stops a task or a serverless replication.
    fn stop(
        &self,
        kind: ReplicationKind,
        arn: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send {
        async move {
            match kind {
                ReplicationKind::Task => self.stop_task(arn).await,
                ReplicationKind::Serverless => self.stop_replication(arn).await,
            }
        }
    }

    /// Creates a DMS event subscription (`CreateEventSubscription`); its ARN.
    fn create_event_subscription(
        &self,
        subscription: &DesiredEventSubscription,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;
    /// Sets a subscription's topic, source type, categories and `Enabled`
    /// (`ModifyEventSubscription`; its source ids cannot change).
    fn modify_event_subscription(
        &self,
        subscription: &DesiredEventSubscription,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn delete_event_subscription(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    /// Creates or overwrites a CloudWatch alarm (`PutMetricAlarm`) on the metric with these
    /// dimensions. CloudWatch takes the tags only when it creates the alarm.
    fn put_alarm(
        &self,
        alarm: &DesiredAlarm,
        dimensions: &[(String, String)],
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    /// Deletes a CloudWatch alarm; one that does not exist is `NotFound`.
    fn delete_alarm(&self, name: &str) -> impl Future<Output = Result<(), CloudError>> + Send;

    /// Adds or overwrites tags; never removes any. DMS resources and CloudWatch alarms alike,
    /// by the service in the ARN.
    fn add_tags(
        &self,
        arn: &str,
        tags: &[Tag],
    ) -> impl Future<Output = Result<(), CloudError>> + Send;

    /// Removes the tags with these keys; a key the resource does not carry is no error.
    fn remove_tags(
        &self,
        arn: &str,
        keys: &[&str],
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
}
