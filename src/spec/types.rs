//! The spec, version 1, as written in `dmsctl.yaml`.
//!
//! These types mirror the YAML one to one. They derive `JsonSchema`, and that schema is what
//! `super::structure` checks a document against before serde decodes it, so the shape of the
//! spec is written down in exactly one place. Meaning (references, identifiers, ranges that
//! depend on other fields) is checked in `super::checks`; defaults and derived values live in
//! [`crate::model`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A dmsctl spec: what to replicate (endpoints, rules, replications) and how to run it (compute).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "dmsctl spec")]
pub struct Spec {
    /// Format version of the spec. Only `1` exists.
    pub version: u32,
    /// Name of the set of resources. Live identifiers are `<stack>-<name>` (lowercase) unless a
    /// resource sets `id`, and every resource is tagged `dmsctl:stack=<stack>`.
    pub stack: String,
    /// AWS region, e.g. `eu-central-1`. Overridden by `--region`; when neither is set the AWS
    /// configuration chain decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Tags for every DMS resource of the stack; apply removes any other tag (except dmsctl's
    /// own and AWS's `aws:` ones).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The account-wide IAM roles DMS needs. dmsctl ensures them and never deletes them.
    #[serde(default)]
    pub iam: Iam,
    /// Task logging to CloudWatch Logs.
    #[serde(default)]
    pub logging: Logging,
    /// Named replication subnet groups.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub subnet_groups: BTreeMap<String, SubnetGroup>,
    /// Named certificates, imported into DMS and referenced from endpoints by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub certificates: BTreeMap<String, Certificate>,
    /// Named source and target endpoints.
    #[serde(default)]
    pub endpoints: BTreeMap<String, Endpoint>,
    /// Named table-mapping rule sets, each a list of rules.
    #[serde(default)]
    pub rules: BTreeMap<String, Vec<Rule>>,
    /// Named logical replications: what flows from which source to which target.
    #[serde(default)]
    pub replications: BTreeMap<String, Replication>,
    /// How the replications run: serverless, or tasks on replication instances.
    pub compute: Compute,
    /// Where DMS writes premigration assessment results (`dmsctl assess`, `start --assess`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessments: Option<Assessments>,
    /// Alerts as resources of the stack: DMS event subscriptions and CloudWatch alarms on CDC
    /// latency.
    #[serde(default, skip_serializing_if = "Alerts::is_empty")]
    pub alerts: Alerts,
}

/// Alerts: planned, applied, diffed and destroyed with the rest of the stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alerts {
    /// Named DMS event subscriptions (`CreateEventSubscription`): DMS publishes the chosen
    /// categories of events of the stack's tasks or instances to an SNS topic.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub events: BTreeMap<String, EventAlert>,
    /// Named CloudWatch alarms on CDC latency (`PutMetricAlarm` on `AWS/DMS`
    /// `CDCLatencySource` / `CDCLatencyTarget`): one alarm per replication and side.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cdc_latency: BTreeMap<String, LatencyAlert>,
}

impl Alerts {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.cdc_latency.is_empty()
    }
}

/// What a DMS event subscription covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EventSource {
    /// The stack's migration tasks (`SourceType` `replication-task`).
    #[default]
    Tasks,
    /// The stack's replication instances (`SourceType` `replication-instance`).
    Instances,
}

impl EventSource {
    /// `SourceType` as DMS names it.
    pub fn dms_name(self) -> &'static str {
        match self {
            EventSource::Tasks => "replication-task",
            EventSource::Instances => "replication-instance",
        }
    }
}

/// A DMS event subscription
/// (<https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Events.html>).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventAlert {
    /// ARN of the SNS topic DMS publishes to.
    pub topic_arn: String,
    /// Whose events: the stack's `tasks` (default) or `instances`.
    #[serde(default)]
    pub source: EventSource,
    /// Event categories, as DMS names them (`failure`, `state change`, ...); every category
    /// of the source when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Only these replications (source `tasks`); every replication of the stack when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replications: Vec<String>,
    /// Only these instances (source `instances`); every instance of the stack when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<String>,
    /// Whether DMS publishes (`Enabled`).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Live subscription name; defaults to `<stack>-<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Tags for this subscription only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// What CloudWatch does when a period has no data point (`TreatMissingData`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MissingData {
    /// Keeps the alarm's state (CloudWatch's default).
    #[default]
    Missing,
    Ignore,
    Breaching,
    NotBreaching,
}

impl MissingData {
    pub fn cloudwatch_name(self) -> &'static str {
        match self {
            MissingData::Missing => "missing",
            MissingData::Ignore => "ignore",
            MissingData::Breaching => "breaching",
            MissingData::NotBreaching => "notBreaching",
        }
    }
}

/// CloudWatch alarms on the CDC latency of replications: the maximum over each period above
/// a threshold for `evaluation_periods` periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencyAlert {
    /// Only these replications; every replication of the stack when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replications: Vec<String>,
    /// Alarm when source latency (`CDCLatencySource`) exceeds this many seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_seconds: Option<f64>,
    /// Alarm when target latency (`CDCLatencyTarget`) exceeds this many seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_seconds: Option<f64>,
    /// Length of one evaluated period in seconds: 10, 20, 30 or a multiple of 60. Default 300.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<i64>,
    /// How many periods are evaluated. Default 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_periods: Option<i64>,
    /// How many of them must breach; all of them when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<i64>,
    /// What a period without data counts as: `missing` (default), `ignore`, `breaching`,
    /// `not-breaching`. A stopped replication publishes no latency.
    #[serde(default)]
    pub missing_data: MissingData,
    /// ARNs notified when an alarm fires (`AlarmActions`), such as SNS topics.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// ARNs notified when an alarm returns to OK (`OKActions`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ok_actions: Vec<String>,
    /// Tags for these alarms only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// A certificate DMS verifies a database's TLS certificate with (`ImportCertificate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// The PEM file, relative to the spec file.
    pub pem_file: String,
    /// Live identifier; defaults to `<stack>-<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Tags for this certificate only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The PEM text, read from `pem_file` when the spec is loaded from a file.
    #[serde(skip)]
    #[schemars(skip)]
    pub pem: Option<String>,
}

/// Premigration assessments
/// (<https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.AssessmentReport.html>): of
/// tasks with `StartReplicationTaskAssessmentRun`, of serverless replications as part of
/// `StartReplication` (`PremigrationAssessmentSettings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assessments {
    /// S3 bucket DMS writes the results to (tasks; DMS Serverless creates its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// Folder (key prefix) in the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    /// IAM role DMS assumes to write to the bucket (tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Only these individual assessments (DMS's names, such as
    /// `unsupported-data-types-in-source`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Every applicable individual assessment but these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
}

/// IAM roles that DMS looks up by their fixed names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Iam {
    /// Ensure `dms-cloudwatch-logs-role` (managed policy AmazonDMSCloudWatchLogsRole).
    #[serde(default = "yes")]
    pub cloudwatch_logs_role: bool,
    /// Ensure `dms-vpc-role` (managed policy AmazonDMSVPCManagementRole).
    #[serde(default = "yes")]
    pub vpc_role: bool,
}

impl Default for Iam {
    fn default() -> Self {
        Iam {
            cloudwatch_logs_role: true,
            vpc_role: true,
        }
    }
}

/// Task logging to CloudWatch Logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logging {
    /// Turn on task logging (`Logging.EnableLogging` in the task settings).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Retention of the stack's DMS log groups in days; one of CloudWatch's allowed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
}

impl Default for Logging {
    fn default() -> Self {
        Logging {
            enabled: true,
            retention_days: None,
        }
    }
}

fn yes() -> bool {
    true
}

/// A replication subnet group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubnetGroup {
    /// Live identifier; defaults to `<stack>-<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Subnets, in at least two availability zones.
    pub subnet_ids: Vec<String>,
    /// Description; defaults to one naming the stack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tags for this resource only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// Whether an endpoint is read from or written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EndpointRole {
    Source,
    Target,
}

/// DMS engine names.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    Mysql,
    Mariadb,
    Aurora,
    Postgres,
    AuroraPostgresql,
    Oracle,
    Sqlserver,
    Db2,
    Sybase,
    Mongodb,
    Docdb,
    Redshift,
    Dynamodb,
    Kinesis,
    Kafka,
    S3,
    Opensearch,
}

impl Engine {
    /// The engine name DMS expects in `EngineName`.
    pub fn dms_name(self) -> &'static str {
        match self {
            Engine::Mysql => "mysql",
            Engine::Mariadb => "mariadb",
            Engine::Aurora => "aurora",
            Engine::Postgres => "postgres",
            Engine::AuroraPostgresql => "aurora-postgresql",
            Engine::Oracle => "oracle",
            Engine::Sqlserver => "sqlserver",
            Engine::Db2 => "db2",
            Engine::Sybase => "sybase",
            Engine::Mongodb => "mongodb",
            Engine::Docdb => "docdb",
            Engine::Redshift => "redshift",
            Engine::Dynamodb => "dynamodb",
            Engine::Kinesis => "kinesis",
            Engine::Kafka => "kafka",
            Engine::S3 => "s3",
            Engine::Opensearch => "opensearch",
        }
    }

    /// Engines DMS can only write to.
    pub fn target_only(self) -> bool {
        matches!(
            self,
            Engine::Kafka
                | Engine::Kinesis
                | Engine::Dynamodb
                | Engine::Redshift
                | Engine::Opensearch
        )
    }

    /// Engines reached through a server name, port and database user.
    pub fn is_database(self) -> bool {
        !matches!(
            self,
            Engine::Kafka | Engine::Kinesis | Engine::S3 | Engine::Dynamodb | Engine::Opensearch
        )
    }

    /// The engine's usual port, used when the spec gives none.
    pub fn default_port(self) -> Option<u16> {
        match self {
            Engine::Mysql | Engine::Mariadb | Engine::Aurora => Some(3306),
            Engine::Postgres | Engine::AuroraPostgresql => Some(5432),
            Engine::Oracle => Some(1521),
            Engine::Sqlserver => Some(1433),
            Engine::Db2 => Some(50000),
            Engine::Sybase => Some(5000),
            Engine::Mongodb | Engine::Docdb => Some(27017),
            Engine::Redshift => Some(5439),
            _ => None,
        }
    }

    /// Engines whose endpoint DMS rejects without a database name.
    pub fn needs_database(self) -> bool {
        matches!(
            self,
            Engine::Postgres
                | Engine::AuroraPostgresql
                | Engine::Oracle
                | Engine::Sqlserver
                | Engine::Db2
                | Engine::Sybase
                | Engine::Redshift
        )
    }
}

/// Where a secret comes from. A literal secret in the spec is refused: specs are committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[schemars(extend("x-expected" = "`{ env: VAR }` or `{ secrets_manager: { secret_id, access_role_arn } }` (a literal secret is not allowed in a spec)"))]
pub enum SecretRef {
    /// The name of an environment variable holding the secret.
    Env(String),
    /// An AWS Secrets Manager secret: DMS reads a database password with the given role;
    /// dmsctl reads a Kafka SASL password itself.
    SecretsManager(SecretsManagerRef),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretsManagerRef {
    /// ARN or name of the secret.
    pub secret_id: String,
    /// ARN of the IAM role DMS assumes to read the secret.
    pub access_role_arn: String,
}

/// SSL mode of a database endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    None,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn dms_name(self) -> &'static str {
        match self {
            SslMode::None => "none",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// A value of an extra connection attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AttrValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl std::fmt::Display for AttrValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttrValue::Bool(b) => write!(f, "{b}"),
            AttrValue::Int(i) => write!(f, "{i}"),
            AttrValue::Float(x) => write!(f, "{x}"),
            AttrValue::Str(s) => f.write_str(s),
        }
    }
}

/// A source or target endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// `source` or `target`.
    pub role: EndpointRole,
    /// The DMS engine.
    pub engine: Engine,
    /// Live identifier; defaults to `<stack>-<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Server name (database engines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Port (database engines); defaults to the engine's usual port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// Database name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Database user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Database password: `{ env: VAR }` or `{ secrets_manager: {...} }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretRef>,
    /// SSL mode: none, require, verify-ca, verify-full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_mode: Option<SslMode>,
    /// ARN of the CA certificate for verify-ca / verify-full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
    /// Name of a certificate of the spec's `certificates` (instead of `certificate_arn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// Extra connection attributes, written as a mapping (`parallelLoadThreads: 4`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra_connection_attributes: BTreeMap<String, AttrValue>,
    /// Kafka target settings (engine `kafka`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka: Option<KafkaSettings>,
    /// S3 target settings (engine `s3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3Settings>,
    /// Tags for this resource only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MessageFormat {
    Json,
    JsonUnformatted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SecurityProtocol {
    Plaintext,
    SslAuthentication,
    SslEncryption,
    SaslSsl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SaslMechanism {
    #[serde(rename = "scram-sha-512")]
    ScramSha512,
    Plain,
}

/// Kafka target settings (DMS `KafkaSettings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KafkaSettings {
    /// Brokers as `host:port`.
    pub brokers: Vec<String>,
    /// Topic the changes are written to; DMS's default is `kafka-default-topic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// json (default) or json-unformatted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_format: Option<MessageFormat>,
    /// plaintext (default), ssl-authentication, ssl-encryption or sasl-ssl.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_protocol: Option<SecurityProtocol>,
    /// scram-sha-512 or plain (with sasl-ssl).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sasl_mechanism: Option<SaslMechanism>,
    /// SASL user name (with sasl-ssl).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sasl_username: Option<String>,
    /// SASL password (with sasl-ssl). From Secrets Manager, dmsctl reads it (DMS cannot) with
    /// the caller's credentials: the whole secret, or its `password` member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sasl_password: Option<SecretRef>,
    /// ARN of the CA certificate (ssl-encryption, ssl-authentication, sasl-ssl).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_ca_certificate_arn: Option<String>,
    /// ARN of the client certificate (ssl-authentication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_client_certificate_arn: Option<String>,
    /// ARN of the client key (ssl-authentication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_client_key_arn: Option<String>,
    /// Password of the client key (ssl-authentication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_client_key_password: Option<SecretRef>,
    /// Largest message DMS sends, in bytes (DMS default 1000000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_max_bytes: Option<i64>,
    /// Add transaction details (ids, commit time) to each message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_transaction_details: Option<bool>,
    /// Add the partition value to each message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_partition_value: Option<bool>,
    /// Prefix schema and table names to partition values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_include_schema_table: Option<bool>,
    /// Include DDL operations that change a table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_table_alter_operations: Option<bool>,
    /// Include detailed control information for table and column definitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_control_details: Option<bool>,
    /// Include NULL and empty columns in records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_null_and_empty: Option<bool>,
    /// Write raw LOB data without the `0x` prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_hex_prefix: Option<bool>,
    /// Write large integers as integers rather than strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_large_integer_value: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum S3DataFormat {
    Csv,
    Parquet,
}

/// S3 target settings (DMS `S3Settings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3Settings {
    pub bucket_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_folder: Option<String>,
    /// ARN of the role DMS assumes to write to the bucket.
    pub service_access_role_arn: String,
    /// csv (default) or parquet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_format: Option<S3DataFormat>,
    /// Compress the files with gzip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gzip: Option<bool>,
}

/// One table-mapping rule, written as a one-key mapping such as
/// `- include: { schema: sales, table: "%" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[schemars(extend("x-list-item" = true))]
pub enum Rule {
    /// Select matching tables.
    Include(Selection),
    /// Leave matching tables out.
    Exclude(Selection),
    /// Select exactly one table or view, named without wildcards.
    Explicit(Selection),
    /// Rename a schema, a table or a column (the most specific one given).
    Rename(Rename),
    AddPrefix(Affix),
    RemovePrefix(Affix),
    ReplacePrefix(ReplaceAffix),
    AddSuffix(Affix),
    RemoveSuffix(Affix),
    ReplaceSuffix(ReplaceAffix),
    /// Lowercase the names of a schema, tables or columns.
    Lowercase(Locator),
    /// Uppercase the names of a schema, tables or columns.
    Uppercase(Locator),
    RemoveColumn(ColumnLocator),
    AddColumn(AddColumn),
    ChangeDataType(ChangeDataType),
    DefinePrimaryKey(DefinePrimaryKey),
    AddBeforeImageColumns(BeforeImage),
    /// Load one table in parallel during full load (a DMS `table-settings` rule with
    /// `parallel-load`).
    ParallelLoad(ParallelLoad),
    /// LOB handling for one table (a DMS `table-settings` rule with `lob-settings`).
    Lob(Lob),
    /// Any DMS rule object, passed through unchanged (dmsctl fills in `rule-id` and `rule-name`
    /// when they are missing).
    Raw(serde_json::Map<String, serde_json::Value>),
}

impl Rule {
    /// The kind as written in the spec.
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Include(_) => "include",
            Rule::Exclude(_) => "exclude",
            Rule::Explicit(_) => "explicit",
            Rule::Rename(_) => "rename",
            Rule::AddPrefix(_) => "add_prefix",
            Rule::RemovePrefix(_) => "remove_prefix",
            Rule::ReplacePrefix(_) => "replace_prefix",
            Rule::AddSuffix(_) => "add_suffix",
            Rule::RemoveSuffix(_) => "remove_suffix",
            Rule::ReplaceSuffix(_) => "replace_suffix",
            Rule::Lowercase(_) => "lowercase",
            Rule::Uppercase(_) => "uppercase",
            Rule::RemoveColumn(_) => "remove_column",
            Rule::AddColumn(_) => "add_column",
            Rule::ChangeDataType(_) => "change_data_type",
            Rule::DefinePrimaryKey(_) => "define_primary_key",
            Rule::AddBeforeImageColumns(_) => "add_before_image_columns",
            Rule::ParallelLoad(_) => "parallel_load",
            Rule::Lob(_) => "lob",
            Rule::Raw(_) => "raw",
        }
    }
}

/// Tables to include or exclude. `%` matches any run of characters, `_` one character.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    pub schema: String,
    #[serde(default = "any_table")]
    pub table: String,
    /// `table` (default), `view` or `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_type: Option<TableType>,
    /// Lower numbers load first (full load).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_order: Option<i64>,
}

fn any_table() -> String {
    "%".to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TableType {
    Table,
    View,
    All,
}

/// Which schema, tables or columns a transformation applies to: the most specific one given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Locator {
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rename {
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The new name.
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Affix {
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The prefix or suffix.
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceAffix {
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The prefix or suffix to replace.
    pub old: String,
    /// What replaces it.
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnLocator {
    pub schema: String,
    pub table: String,
    pub column: String,
}

/// DMS data types for `add_column` and `change_data_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DataType {
    Bytes,
    Date,
    Time,
    Datetime,
    Int1,
    Int2,
    Int4,
    Int8,
    Numeric,
    Real4,
    Real8,
    String,
    Uint1,
    Uint2,
    Uint4,
    Uint8,
    Wstring,
    Blob,
    Clob,
    Nclob,
    Boolean,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddColumn {
    pub schema: String,
    pub table: String,
    /// Name of the new column.
    pub column: String,
    /// SQLite expression computing the value, e.g. `$first_name||' '||$last_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(rename = "type")]
    pub data_type: DataType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeDataType {
    pub schema: String,
    pub table: String,
    pub column: String,
    #[serde(rename = "type")]
    pub data_type: DataType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KeyOrigin {
    PrimaryKey,
    UniqueIndex,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefinePrimaryKey {
    /// Schema, without wildcards.
    pub schema: String,
    /// Table, without wildcards.
    pub table: String,
    /// Name of the key or unique index on the target.
    pub name: String,
    /// primary-key (default) or unique-index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<KeyOrigin>,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnFilter {
    PkOnly,
    NonLob,
    All,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BeforeImage {
    pub schema: String,
    #[serde(default = "any_table")]
    pub table: String,
    /// Prefix of the before-image columns (DMS default `BI_`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// pk-only (default), non-lob or all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<ColumnFilter>,
}

/// How `parallel_load` splits a table into segments (DMS `parallel-load.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ParallelLoadType {
    /// Every existing partition (MongoDB, DocumentDB: segments DMS computes).
    PartitionsAuto,
    /// Every existing subpartition (Oracle).
    SubpartitionsAuto,
    /// The partitions and subpartitions listed.
    PartitionsList,
    /// Segments bounded by column values.
    Ranges,
    /// No parallel load: one thread.
    None,
}

impl ParallelLoadType {
    pub fn dms_name(self) -> &'static str {
        match self {
            ParallelLoadType::PartitionsAuto => "partitions-auto",
            ParallelLoadType::SubpartitionsAuto => "subpartitions-auto",
            ParallelLoadType::PartitionsList => "partitions-list",
            ParallelLoadType::Ranges => "ranges",
            ParallelLoadType::None => "none",
        }
    }
}

/// A boundary value of a `ranges` segment, written as YAML likes it (`1000`, `NORTH`); DMS
/// receives it as a string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum BoundaryValue {
    Int(i64),
    Float(f64),
    Str(String),
}

impl std::fmt::Display for BoundaryValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BoundaryValue::Int(i) => write!(f, "{i}"),
            BoundaryValue::Float(x) => write!(f, "{x}"),
            BoundaryValue::Str(s) => f.write_str(s),
        }
    }
}

/// Parallel full load of one table, view or collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParallelLoad {
    /// Schema (or MongoDB database), without wildcards.
    pub schema: String,
    /// Table, view or collection, without wildcards.
    pub table: String,
    /// partitions-auto, subpartitions-auto, partitions-list, ranges or none.
    #[serde(rename = "type")]
    pub load_type: ParallelLoadType,
    /// Partitions to load (partitions-list).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<String>,
    /// Subpartitions to load (partitions-list, Oracle).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subpartitions: Vec<String>,
    /// Columns that bound the segments (ranges), most significant first; at most 10.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// Upper bounds of the segments (ranges): one list of values per segment, in `columns`
    /// order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub boundaries: Vec<Vec<BoundaryValue>>,
    /// Segments DMS computes (partitions-auto on MongoDB and DocumentDB; DMS default 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_partitions: Option<i64>,
    /// Estimate the collection size from metadata (MongoDB, DocumentDB; DMS default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_count_from_metadata: Option<bool>,
    /// Records skipped at once while finding segment bounds (MongoDB, DocumentDB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_records_skip_per_page: Option<i64>,
    /// Documents per batch (MongoDB, DocumentDB; 0 = the server's maximum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<i64>,
}

/// LOB handling of `lob` (DMS `lob-settings.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LobMode {
    /// LOBs inline, truncated to `bulk_max_size` (DMS's default).
    Limited,
    /// Every LOB in full, looked up in the source (combined with inline loading below
    /// `bulk_max_size` where the engine supports it).
    Unlimited,
    /// The task's LOB settings.
    None,
}

/// LOB settings for one table or view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lob {
    /// Schema, without wildcards.
    pub schema: String,
    /// Table or view, without wildcards.
    pub table: String,
    /// limited (DMS default), unlimited or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<LobMode>,
    /// Largest LOB size in KB (`limited` needs a value above 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_max_size: Option<i64>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum MigrationType {
    FullLoad,
    Cdc,
    FullLoadAndCdc,
}

impl MigrationType {
    pub fn dms_name(self) -> &'static str {
        match self {
            MigrationType::FullLoad => "full-load",
            MigrationType::Cdc => "cdc",
            MigrationType::FullLoadAndCdc => "full-load-and-cdc",
        }
    }

    pub fn has_cdc(self) -> bool {
        !matches!(self, MigrationType::FullLoad)
    }
}

/// A logical replication: what flows from a source to a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Replication {
    /// Live identifier of the task or replication config; defaults to `<stack>-<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name of a source endpoint.
    pub source: String,
    /// Name of a target endpoint.
    pub target: String,
    /// full-load, cdc or full-load-and-cdc.
    #[serde(rename = "type")]
    pub migration_type: MigrationType,
    /// Name of a rule set.
    pub rules: String,
    /// DMS task settings merged over dmsctl's, in DMS's own names
    /// (`TargetMetadata: { TargetTablePrepMode: DO_NOTHING }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<serde_json::Map<String, serde_json::Value>>,
    /// Where CDC starts, as an RFC 3339 time (`2026-11-01T00:00:00Z`). Tasks only: DMS
    /// Serverless does not support custom CDC start points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdc_start_time: Option<String>,
    /// Where CDC starts, as a position in the source's log (a MySQL binlog position
    /// `mysql-bin-changelog.000024:373`, a PostgreSQL LSN, a DMS recovery checkpoint
    /// `checkpoint:V1#...`). Tasks only; not with `cdc_start_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdc_start_position: Option<String>,
    /// When CDC stops: `server_time:2026-12-01T00:00:00` or `commit_time:2026-12-01T00:00:00`.
    /// Tasks only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdc_stop_position: Option<String>,
    /// Serverless capacity for this replication, over `compute.serverless`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serverless: Option<ServerlessOverride>,
    /// Tags for this resource only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

pub use crate::dms::ComputeMode;

/// How replications run. Both `serverless` and `instances` may be written, so one spec can be
/// priced both ways; `mode` says which one is deployed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Compute {
    /// serverless or instances.
    pub mode: ComputeMode,
    /// Capacity of every serverless replication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serverless: Option<Serverless>,
    /// Named replication instances.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub instances: BTreeMap<String, Instance>,
    /// Which instance each replication runs on (`replication: instance`). With one instance,
    /// everything runs on it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub placement: BTreeMap<String, String>,
}

/// Serverless capacity (DMS `ComputeConfig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Serverless {
    /// Lowest capacity in DCU; DMS scales down to it when idle. Defaults to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_dcu: Option<i64>,
    /// Highest capacity in DCU.
    pub max_dcu: i64,
    /// Average DCU expected over a month, for cost estimates; defaults to `min_dcu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_dcu: Option<f64>,
    #[serde(default)]
    pub multi_az: bool,
    /// Name of a subnet group in `subnet_groups`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_group: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// Weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_maintenance_window: Option<String>,
}

/// Per-replication serverless capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerlessOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_dcu: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_dcu: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_dcu: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_az: Option<bool>,
}

/// A replication instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    /// Live identifier; defaults to `<stack>-<name>` (at most 63 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Instance class, e.g. `dms.t3.medium`.
    pub class: String,
    /// Allocated storage in GB (5–6144); defaults to 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_gb: Option<i64>,
    #[serde(default)]
    pub multi_az: bool,
    /// DMS engine version, e.g. `3.5.4`; AWS picks the default when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    /// Name of a subnet group in `subnet_groups`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_group: Option<String>,
    #[serde(default)]
    pub publicly_accessible: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// Weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_maintenance_window: Option<String>,
    /// Tags for this resource only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}
