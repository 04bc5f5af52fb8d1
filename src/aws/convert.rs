//! DMS's SDK shapes as the domain types of `crate::live`: resources, their progress, and
//! their engine settings in the API's member names, secrets never copied.

use std::collections::BTreeMap;

use aws_sdk_databasemigration as dms;
use dms::types::{
    ComputeConfig, Endpoint, KafkaSettings, KinesisSettings, MicrosoftSqlServerSettings,
    MySqlSettings, OracleSettings, PostgreSqlSettings, ReplicationInstance, ReplicationSubnetGroup,
    ReplicationTask, S3Settings,
};
use serde_json::{Map, Value as Json};

use crate::live::{
    LiveEndpoint, LiveEventSubscription, LiveInstance, LiveReplicationConfig, LiveSubnetGroup,
    LiveTask, RunStats, Tags,
};

/// A JSON document DMS stores as a string: parsed, or kept as a JSON string if it does not
/// parse (so a hand-edited broken document still shows up in diffs instead of failing the read).
pub(crate) fn json_document(text: Option<&str>) -> Json {
    match text {
        None => Json::Null,
        Some(t) => serde_json::from_str(t).unwrap_or_else(|_| Json::String(t.to_string())),
    }
}

pub(crate) fn endpoint(e: Endpoint) -> LiveEndpoint {
    let settings = endpoint_settings(&e);
    LiveEndpoint {
        arn: e.endpoint_arn.unwrap_or_default(),
        identifier: e.endpoint_identifier.unwrap_or_default(),
        endpoint_type: e
            .endpoint_type
            .map(|t| t.as_str().to_ascii_lowercase())
            .unwrap_or_default(),
        engine_name: e.engine_name.unwrap_or_default(),
        server_name: e.server_name,
        port: e.port.map(i64::from),
        database_name: e.database_name,
        username: e.username,
        ssl_mode: e.ssl_mode.map(|m| m.as_str().to_string()),
        certificate_arn: e.certificate_arn,
        extra_connection_attributes: e.extra_connection_attributes,
        status: e.status,
        settings,
        tags: Tags::new(),
    }
}

pub(crate) fn instance(i: ReplicationInstance) -> LiveInstance {
    LiveInstance {
        arn: i.replication_instance_arn.unwrap_or_default(),
        identifier: i.replication_instance_identifier.unwrap_or_default(),
        class: i.replication_instance_class.unwrap_or_default(),
        allocated_storage: i64::from(i.allocated_storage),
        multi_az: i.multi_az,
        engine_version: i.engine_version,
        subnet_group: i
            .replication_subnet_group
            .and_then(|g| g.replication_subnet_group_identifier),
        publicly_accessible: i.publicly_accessible,
        vpc_security_group_ids: i
            .vpc_security_groups
            .unwrap_or_default()
            .into_iter()
            .filter_map(|g| g.vpc_security_group_id)
            .collect(),
        availability_zone: i.availability_zone,
        kms_key_id: i.kms_key_id,
        preferred_maintenance_window: i.preferred_maintenance_window,
        status: i.replication_instance_status.unwrap_or_default(),
        tags: Tags::new(),
    }
}

/// Task statuses that only a started task can be in.
const RUN_STATUSES: &[&str] = &["starting", "running", "stopping", "stopped", "failed"];

pub(crate) fn task(t: ReplicationTask) -> LiveTask {
    let status = t.status.unwrap_or_default();
    let stats_started = t
        .replication_task_stats
        .as_ref()
        .is_some_and(|s| s.start_date.is_some() || s.fresh_start_date.is_some());
    let has_run = t.replication_task_start_date.is_some()
        || stats_started
        || RUN_STATUSES.contains(&status.as_str());
    LiveTask {
        arn: t.replication_task_arn.unwrap_or_default(),
        identifier: t.replication_task_identifier.unwrap_or_default(),
        source_endpoint_arn: t.source_endpoint_arn.unwrap_or_default(),
        target_endpoint_arn: t.target_endpoint_arn.unwrap_or_default(),
        replication_instance_arn: t.replication_instance_arn.unwrap_or_default(),
        migration_type: t
            .migration_type
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
        table_mappings: json_document(t.table_mappings.as_deref()),
        settings: json_document(t.replication_task_settings.as_deref()),
        status,
        has_run,
        last_failure_message: t.last_failure_message,
        stop_reason: t.stop_reason,
        stats: t.replication_task_stats.map(|s| RunStats {
            full_load_progress_percent: Some(s.full_load_progress_percent),
            tables_loaded: s.tables_loaded,
            tables_loading: s.tables_loading,
            tables_queued: s.tables_queued,
            tables_errored: s.tables_errored,
            start_date: s.start_date.as_ref().and_then(rfc3339),
            stop_date: s.stop_date.as_ref().and_then(rfc3339),
        }),
        tags: Tags::new(),
    }
}

/// A replication config with the status of its replication (`None` if DMS reports none).
pub(crate) fn replication_config(
    c: dms::types::ReplicationConfig,
    replication: Option<&dms::types::Replication>,
) -> LiveReplicationConfig {
    let status = replication.and_then(|r| r.status.clone());
    // `created` is the only status of a replication that was never started; a start date in
    // the stats covers a replication that was started and has come back to rest.
    let has_run = replication.is_some_and(|r| {
        r.status.as_deref().is_some_and(|s| s != "created")
            || r.replication_stats
                .as_ref()
                .is_some_and(|s| s.start_date.is_some() || s.fresh_start_date.is_some())
    });
    LiveReplicationConfig {
        arn: c.replication_config_arn.unwrap_or_default(),
        identifier: c.replication_config_identifier.unwrap_or_default(),
        source_endpoint_arn: c.source_endpoint_arn.unwrap_or_default(),
        target_endpoint_arn: c.target_endpoint_arn.unwrap_or_default(),
        replication_type: c
            .replication_type
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
        compute_config: c.compute_config.as_ref().map_or(Json::Null, compute_config),
        table_mappings: json_document(c.table_mappings.as_deref()),
        settings: json_document(c.replication_settings.as_deref()),
        status,
        has_run,
        failure_messages: replication
            .and_then(|r| r.failure_messages.clone())
            .unwrap_or_default(),
        stats: replication
            .and_then(|r| r.replication_stats.as_ref())
            .map(|s| RunStats {
                full_load_progress_percent: Some(s.full_load_progress_percent),
                tables_loaded: s.tables_loaded,
                tables_loading: s.tables_loading,
                tables_queued: s.tables_queued,
                tables_errored: s.tables_errored,
                start_date: s.start_date.as_ref().and_then(rfc3339),
                stop_date: s.stop_date.as_ref().and_then(rfc3339),
            }),
        provisioned_dcu: replication
            .and_then(|r| r.provision_data.as_ref())
            .map(|p| i64::from(p.provisioned_capacity_units))
            .filter(|u| *u > 0),
        tags: Tags::new(),
    }
}

pub(crate) fn subnet_group(g: ReplicationSubnetGroup, arn: Option<String>) -> LiveSubnetGroup {
    LiveSubnetGroup {
        arn: arn.unwrap_or_default(),
        identifier: g.replication_subnet_group_identifier.unwrap_or_default(),
        description: g.replication_subnet_group_description.unwrap_or_default(),
        subnet_ids: g
            .subnets
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| s.subnet_identifier)
            .collect(),
        vpc_id: g.vpc_id,
        status: g.subnet_group_status,
        tags: Tags::new(),
    }
}

/// An event subscription, with the ARN DMS gives it (`...:es:<name>`, the account from
/// `CustomerAwsId`): `DescribeEventSubscriptions` returns none, and tags are keyed by ARN.
/// Without a region or account the ARN stays empty and the subscription looks unmanaged.
pub(crate) fn event_subscription(
    e: dms::types::EventSubscription,
    region: Option<&str>,
) -> LiveEventSubscription {
    let name = e.cust_subscription_id.unwrap_or_default();
    let arn = match (region, e.customer_aws_id.as_deref()) {
        (Some(r), Some(a)) if !name.is_empty() => {
            super::write_dms::event_subscription_arn(r, a, &name)
        }
        _ => String::new(),
    };
    let mut event_categories = e.event_categories_list.unwrap_or_default();
    event_categories.sort();
    let mut source_ids = e.source_ids_list.unwrap_or_default();
    source_ids.sort();
    LiveEventSubscription {
        arn,
        name,
        sns_topic_arn: e.sns_topic_arn.unwrap_or_default(),
        source_type: e.source_type,
        event_categories,
        source_ids,
        enabled: e.enabled,
        status: e.status,
        tags: Tags::new(),
    }
}

/// Builds a JSON object from the members that are set, in the API's member names.
#[derive(Default)]
struct Obj(Map<String, Json>);

impl Obj {
    fn s(mut self, key: &str, v: Option<&str>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), Json::String(v.to_string()));
        }
        self
    }
    fn b(mut self, key: &str, v: Option<bool>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), Json::Bool(v));
        }
        self
    }
    fn i(mut self, key: &str, v: Option<i32>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), Json::from(v));
        }
        self
    }
    fn build(self) -> Json {
        Json::Object(self.0)
    }
}

fn compute_config(c: &ComputeConfig) -> Json {
    let mut o = Obj::default()
        .s("AvailabilityZone", c.availability_zone.as_deref())
        .s("DnsNameServers", c.dns_name_servers.as_deref())
        .s("KmsKeyId", c.kms_key_id.as_deref())
        .i("MaxCapacityUnits", c.max_capacity_units)
        .i("MinCapacityUnits", c.min_capacity_units)
        .b("MultiAZ", c.multi_az)
        .s(
            "PreferredMaintenanceWindow",
            c.preferred_maintenance_window.as_deref(),
        )
        .s(
            "ReplicationSubnetGroupId",
            c.replication_subnet_group_id.as_deref(),
        );
    if let Some(ids) = &c.vpc_security_group_ids {
        o.0.insert("VpcSecurityGroupIds".into(), Json::from(ids.clone()));
    }
    o.build()
}

/// The engine settings DMS echoes, under DMS's name for each block. Only non-secret members are
/// copied: the password members (`Password`, `SaslPassword`, `SslClientKeyPassword`,
/// `AsmPassword`, `SecurityDbEncryption` — Oracle's TDE password) are left out on purpose, so
/// nothing downstream (plans, saved plans, logs) can ever print them.
fn endpoint_settings(e: &Endpoint) -> BTreeMap<String, Json> {
    let mut out = BTreeMap::new();
    if let Some(k) = &e.kafka_settings {
        out.insert("KafkaSettings".into(), kafka(k));
    }
    if let Some(k) = &e.kinesis_settings {
        out.insert("KinesisSettings".into(), kinesis(k));
    }
    if let Some(s) = &e.s3_settings {
        out.insert("S3Settings".into(), s3(s));
    }
    if let Some(s) = &e.my_sql_settings {
        out.insert("MySQLSettings".into(), mysql(s));
    }
    if let Some(s) = &e.postgre_sql_settings {
        out.insert("PostgreSQLSettings".into(), postgres(s));
    }
    if let Some(s) = &e.oracle_settings {
        out.insert("OracleSettings".into(), oracle(s));
    }
    if let Some(s) = &e.microsoft_sql_server_settings {
        out.insert("MicrosoftSQLServerSettings".into(), sqlserver(s));
    }
    out
}

fn kafka(k: &KafkaSettings) -> Json {
    Obj::default()
        .s("Broker", k.broker.as_deref())
        .s("Topic", k.topic.as_deref())
        .s(
            "MessageFormat",
            k.message_format.as_ref().map(|v| v.as_str()),
        )
        .b("IncludeTransactionDetails", k.include_transaction_details)
        .b("IncludePartitionValue", k.include_partition_value)
        .b(
            "PartitionIncludeSchemaTable",
            k.partition_include_schema_table,
        )
        .b(
            "IncludeTableAlterOperations",
            k.include_table_alter_operations,
        )
        .b("IncludeControlDetails", k.include_control_details)
        .i("MessageMaxBytes", k.message_max_bytes)
        .b("IncludeNullAndEmpty", k.include_null_and_empty)
        .s(
            "SecurityProtocol",
            k.security_protocol.as_ref().map(|v| v.as_str()),
        )
        .s(
            "SslClientCertificateArn",
            k.ssl_client_certificate_arn.as_deref(),
        )
        .s("SslClientKeyArn", k.ssl_client_key_arn.as_deref())
        .s("SslCaCertificateArn", k.ssl_ca_certificate_arn.as_deref())
        .s("SaslUsername", k.sasl_username.as_deref())
        .b("NoHexPrefix", k.no_hex_prefix)
        .s(
            "SaslMechanism",
            k.sasl_mechanism.as_ref().map(|v| v.as_str()),
        )
        .s(
            "SslEndpointIdentificationAlgorithm",
            k.ssl_endpoint_identification_algorithm
                .as_ref()
                .map(|v| v.as_str()),
        )
        .b("UseLargeIntegerValue", k.use_large_integer_value)
        .build()
}

fn kinesis(k: &KinesisSettings) -> Json {
    Obj::default()
        .s("StreamArn", k.stream_arn.as_deref())
        .s(
            "MessageFormat",
            k.message_format.as_ref().map(|v| v.as_str()),
        )
        .s("ServiceAccessRoleArn", k.service_access_role_arn.as_deref())
        .b("IncludeTransactionDetails", k.include_transaction_details)
        .b("IncludePartitionValue", k.include_partition_value)
        .b(
            "PartitionIncludeSchemaTable",
            k.partition_include_schema_table,
        )
        .b(
            "IncludeTableAlterOperations",
            k.include_table_alter_operations,
        )
        .b("IncludeControlDetails", k.include_control_details)
        .b("IncludeNullAndEmpty", k.include_null_and_empty)
        .b("NoHexPrefix", k.no_hex_prefix)
        .b("UseLargeIntegerValue", k.use_large_integer_value)
        .build()
}

fn s3(s: &S3Settings) -> Json {
    Obj::default()
        .s("ServiceAccessRoleArn", s.service_access_role_arn.as_deref())
        .s("BucketName", s.bucket_name.as_deref())
        .s("BucketFolder", s.bucket_folder.as_deref())
        .s("DataFormat", s.data_format.as_ref().map(|v| v.as_str()))
        .s(
            "CompressionType",
            s.compression_type.as_ref().map(|v| v.as_str()),
        )
        .s(
            "EncryptionMode",
            s.encryption_mode.as_ref().map(|v| v.as_str()),
        )
        .s(
            "ServerSideEncryptionKmsKeyId",
            s.server_side_encryption_kms_key_id.as_deref(),
        )
        .s("CsvDelimiter", s.csv_delimiter.as_deref())
        .s("CsvRowDelimiter", s.csv_row_delimiter.as_deref())
        .s(
            "ParquetVersion",
            s.parquet_version.as_ref().map(|v| v.as_str()),
        )
        .b("IncludeOpForFullLoad", s.include_op_for_full_load)
        .b("CdcInsertsOnly", s.cdc_inserts_only)
        .b("CdcInsertsAndUpdates", s.cdc_inserts_and_updates)
        .s("TimestampColumnName", s.timestamp_column_name.as_deref())
        .b("DatePartitionEnabled", s.date_partition_enabled)
        .s("CdcPath", s.cdc_path.as_deref())
        .b("PreserveTransactions", s.preserve_transactions)
        .s("ExpectedBucketOwner", s.expected_bucket_owner.as_deref())
        .build()
}

fn mysql(s: &MySqlSettings) -> Json {
    Obj::default()
        .s("ServerName", s.server_name.as_deref())
        .i("Port", s.port)
        .s("DatabaseName", s.database_name.as_deref())
        .s("Username", s.username.as_deref())
        .s(
            "SecretsManagerSecretId",
            s.secrets_manager_secret_id.as_deref(),
        )
        .s(
            "SecretsManagerAccessRoleArn",
            s.secrets_manager_access_role_arn.as_deref(),
        )
        .s("AfterConnectScript", s.after_connect_script.as_deref())
        .s("ServerTimezone", s.server_timezone.as_deref())
        .i("EventsPollInterval", s.events_poll_interval)
        .s(
            "TargetDbType",
            s.target_db_type.as_ref().map(|v| v.as_str()),
        )
        .i("ParallelLoadThreads", s.parallel_load_threads)
        .i("MaxFileSize", s.max_file_size)
        .i("ExecuteTimeout", s.execute_timeout)
        .build()
}

fn postgres(s: &PostgreSqlSettings) -> Json {
    Obj::default()
        .s("ServerName", s.server_name.as_deref())
        .i("Port", s.port)
        .s("DatabaseName", s.database_name.as_deref())
        .s("Username", s.username.as_deref())
        .s(
            "SecretsManagerSecretId",
            s.secrets_manager_secret_id.as_deref(),
        )
        .s(
            "SecretsManagerAccessRoleArn",
            s.secrets_manager_access_role_arn.as_deref(),
        )
        .s("AfterConnectScript", s.after_connect_script.as_deref())
        .b("CaptureDdls", s.capture_ddls)
        .s("DdlArtifactsSchema", s.ddl_artifacts_schema.as_deref())
        .b("HeartbeatEnable", s.heartbeat_enable)
        .s("HeartbeatSchema", s.heartbeat_schema.as_deref())
        .i("HeartbeatFrequency", s.heartbeat_frequency)
        .s("SlotName", s.slot_name.as_deref())
        .s("PluginName", s.plugin_name.as_ref().map(|v| v.as_str()))
        .i("MaxFileSize", s.max_file_size)
        .i("ExecuteTimeout", s.execute_timeout)
        .build()
}

fn oracle(s: &OracleSettings) -> Json {
    Obj::default()
        .s("ServerName", s.server_name.as_deref())
        .i("Port", s.port)
        .s("DatabaseName", s.database_name.as_deref())
        .s("Username", s.username.as_deref())
        .s(
            "SecretsManagerSecretId",
            s.secrets_manager_secret_id.as_deref(),
        )
        .s(
            "SecretsManagerAccessRoleArn",
            s.secrets_manager_access_role_arn.as_deref(),
        )
        .s(
            "SecretsManagerOracleAsmSecretId",
            s.secrets_manager_oracle_asm_secret_id.as_deref(),
        )
        .s(
            "SecretsManagerOracleAsmAccessRoleArn",
            s.secrets_manager_oracle_asm_access_role_arn.as_deref(),
        )
        .s("AsmServer", s.asm_server.as_deref())
        .s("AsmUser", s.asm_user.as_deref())
        .b("AddSupplementalLogging", s.add_supplemental_logging)
        .b("UseLogminerReader", s.use_logminer_reader)
        .b("UseBFile", s.use_b_file)
        .b("ArchivedLogsOnly", s.archived_logs_only)
        .s(
            "SecurityDbEncryptionName",
            s.security_db_encryption_name.as_deref(),
        )
        .build()
}

fn sqlserver(s: &MicrosoftSqlServerSettings) -> Json {
    Obj::default()
        .s("ServerName", s.server_name.as_deref())
        .i("Port", s.port)
        .s("DatabaseName", s.database_name.as_deref())
        .s("Username", s.username.as_deref())
        .s(
            "SecretsManagerSecretId",
            s.secrets_manager_secret_id.as_deref(),
        )
        .s(
            "SecretsManagerAccessRoleArn",
            s.secrets_manager_access_role_arn.as_deref(),
        )
        .s(
            "SafeguardPolicy",
            s.safeguard_policy.as_ref().map(|v| v.as_str()),
        )
        .b("ReadBackupOnly", s.read_backup_only)
        .b("UseBcpFullLoad", s.use_bcp_full_load)
        .i("BcpPacketSize", s.bcp_packet_size)
        .s(
            "TlogAccessMode",
            s.tlog_access_mode.as_ref().map(|v| v.as_str()),
        )
        .build()
}

/// An SDK timestamp as RFC 3339 text.
fn rfc3339(t: &dms::primitives::DateTime) -> Option<String> {
    t.fmt(dms::primitives::DateTimeFormat::DateTime).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dms::types::{KafkaSaslMechanism, KafkaSecurityProtocol, MessageFormatValue};

    #[test]
    fn kafka_settings_never_carry_secrets() {
        let e = Endpoint::builder()
            .kafka_settings(
                KafkaSettings::builder()
                    .broker("b-1:9096")
                    .topic("invoices")
                    .message_format(MessageFormatValue::Json)
                    .security_protocol(KafkaSecurityProtocol::SaslSsl)
                    .sasl_mechanism(KafkaSaslMechanism::ScramSha512)
                    .sasl_username("dms")
                    .sasl_password("hunter2")
                    .ssl_client_key_password("hunter3")
                    .include_null_and_empty(true)
                    .build(),
            )
            .build();
        let live = endpoint(e);
        let text = serde_json::to_string(&live).expect("serializable");
        assert!(!text.contains("hunter"), "{text}");
        let k = &live.settings["KafkaSettings"];
        assert_eq!(k["Broker"], "b-1:9096");
        assert_eq!(k["SaslMechanism"], "scram-sha-512");
        assert_eq!(k["SecurityProtocol"], "sasl-ssl");
        assert_eq!(k["IncludeNullAndEmpty"], true);
    }

    #[test]
    fn documents_parse_or_stay_strings() {
        assert_eq!(json_document(Some(r#"{"a":1}"#))["a"], 1);
        assert_eq!(json_document(Some("{oops")), Json::String("{oops".into()));
        assert_eq!(json_document(None), Json::Null);
    }
}
