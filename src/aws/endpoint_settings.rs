//! Engine settings for `CreateEndpoint` / `ModifyEndpoint`: the desired state's JSON blocks
//! (`KafkaSettings`, `S3Settings`, `MySQLSettings`, ...) in DMS's member names, turned into the
//! SDK's structs, with the secrets put where the desired state only has placeholders.
//!
//! The desired state renders a secret member as `"(sensitive, from $VAR)"` so plans can show
//! where it comes from. That text must never reach AWS: every secret member is dropped from the
//! JSON first, and the real value from [`EndpointSecrets`] is added back only when the caller
//! gave one. A member or block this module does not know is an error rather than silently left
//! out, so a spec feature without a converter fails loudly instead of drifting forever.
//!
//! Nothing here implements `Debug`: the structures hold secret values.

use std::collections::BTreeSet;

use aws_sdk_databasemigration::types::{
    CompressionTypeValue, DataFormatValue, DocDbSettings, EncryptionModeValue, IbmDb2Settings,
    KafkaSaslMechanism, KafkaSecurityProtocol, KafkaSettings,
    KafkaSslEndpointIdentificationAlgorithm, MessageFormatValue, MicrosoftSqlServerSettings,
    MongoDbSettings, MySqlSettings, OracleSettings, ParquetVersionValue, PostgreSqlSettings,
    RedshiftSettings, S3Settings, SybaseSettings,
};
use serde_json::{Map, Value as Json};

use crate::cloud::EndpointSecrets;
use crate::model::DesiredEndpoint;

/// Members that carry a secret in any settings block. They are never taken from the desired
/// state's JSON, whatever it holds there.
const SECRET_MEMBERS: &[&str] = &[
    "Password",
    "SaslPassword",
    "SslClientKeyPassword",
    "AsmPassword",
    "SecurityDbEncryption",
];

/// The start of the desired state's placeholder text (`model::Sensitive`'s `Display`).
const PLACEHOLDER: &str = "(sensitive";

/// Every settings block of one endpoint, ready for the request builders.
#[derive(Default)]
pub(crate) struct EndpointSettings {
    pub kafka: Option<KafkaSettings>,
    pub s3: Option<S3Settings>,
    pub mysql: Option<MySqlSettings>,
    pub postgres: Option<PostgreSqlSettings>,
    pub oracle: Option<OracleSettings>,
    pub sqlserver: Option<MicrosoftSqlServerSettings>,
    pub db2: Option<IbmDb2Settings>,
    pub sybase: Option<SybaseSettings>,
    pub mongodb: Option<MongoDbSettings>,
    pub docdb: Option<DocDbSettings>,
    pub redshift: Option<RedshiftSettings>,
}

/// The settings of `endpoint`, with the secrets of `secrets` in place (none when `None`).
///
/// Errors name the block and member, never a value.
pub(crate) fn endpoint_settings(
    endpoint: &DesiredEndpoint,
    secrets: Option<&EndpointSecrets>,
) -> Result<EndpointSettings, String> {
    // Blocks named by the desired state, plus any block only a secret names.
    let mut blocks: BTreeSet<&str> = endpoint.settings.keys().map(String::as_str).collect();
    if let Some(s) = secrets {
        blocks.extend(
            s.settings
                .keys()
                .filter_map(|k| k.split_once('.').map(|(b, _)| b)),
        );
    }
    let mut out = EndpointSettings::default();
    for block in blocks {
        let m = members(block, endpoint, secrets)?;
        match block {
            "KafkaSettings" => out.kafka = Some(kafka(m)?),
            "S3Settings" => out.s3 = Some(s3(m)?),
            "MySQLSettings" => out.mysql = Some(mysql(m)?),
            "PostgreSQLSettings" => out.postgres = Some(postgres(m)?),
            "OracleSettings" => out.oracle = Some(oracle(m)?),
            "MicrosoftSQLServerSettings" => out.sqlserver = Some(sqlserver(m)?),
            "IBMDb2Settings" => out.db2 = Some(db2(m)?),
            "SybaseSettings" => out.sybase = Some(sybase(m)?),
            "MongoDbSettings" => out.mongodb = Some(mongodb(m)?),
            "DocDbSettings" => out.docdb = Some(docdb(m)?),
            "RedshiftSettings" => out.redshift = Some(redshift(m)?),
            other => return Err(format!("dmsctl cannot send the settings block `{other}`")),
        }
    }
    Ok(out)
}

/// The members of one block: the desired state's non-secret members, then the secrets given.
fn members(
    block: &str,
    endpoint: &DesiredEndpoint,
    secrets: Option<&EndpointSecrets>,
) -> Result<Members, String> {
    let mut map = Map::new();
    match endpoint.settings.get(block) {
        None | Some(Json::Null) => {}
        Some(Json::Object(obj)) => {
            for (member, value) in obj {
                let secret = SECRET_MEMBERS.contains(&member.as_str())
                    || endpoint
                        .secret_settings
                        .contains_key(&format!("{block}.{member}"))
                    || value.as_str().is_some_and(|s| s.starts_with(PLACEHOLDER));
                if !secret {
                    map.insert(member.clone(), value.clone());
                }
            }
        }
        Some(_) => return Err(format!("{block}: expected an object")),
    }
    if let Some(s) = secrets {
        for (path, value) in &s.settings {
            if let Some((b, member)) = path.split_once('.') {
                if b == block {
                    map.insert(member.to_string(), Json::String(value.expose().to_string()));
                }
            }
        }
    }
    Ok(Members {
        block: block.to_string(),
        map,
    })
}

/// One block's members, taken one by one with their type checked; [`Members::finish`] refuses
/// any member left over.
struct Members {
    block: String,
    map: Map<String, Json>,
}

impl Members {
    fn take(&mut self, member: &str) -> Option<Json> {
        self.map.remove(member).filter(|v| !v.is_null())
    }

    fn string(&mut self, member: &str) -> Result<Option<String>, String> {
        match self.take(member) {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s)),
            Some(_) => Err(format!("{}.{member}: expected a string", self.block)),
        }
    }

    fn bool(&mut self, member: &str) -> Result<Option<bool>, String> {
        match self.take(member) {
            None => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(format!("{}.{member}: expected true or false", self.block)),
        }
    }

    fn int(&mut self, member: &str) -> Result<Option<i32>, String> {
        match self.take(member) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| format!("{}.{member}: expected a 32-bit integer", self.block)),
        }
    }

    /// A string member as one of the SDK's enums (which keep values they do not know, so DMS
    /// is the one to judge them).
    fn enumeration<T: for<'a> From<&'a str>>(&mut self, member: &str) -> Result<Option<T>, String> {
        Ok(self.string(member)?.map(|s| T::from(s.as_str())))
    }

    fn finish(self) -> Result<(), String> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(member) => Err(format!("dmsctl cannot send `{}.{member}`", self.block)),
        }
    }
}

fn kafka(mut m: Members) -> Result<KafkaSettings, String> {
    let s = KafkaSettings::builder()
        .set_broker(m.string("Broker")?)
        .set_topic(m.string("Topic")?)
        .set_message_format(m.enumeration::<MessageFormatValue>("MessageFormat")?)
        .set_include_transaction_details(m.bool("IncludeTransactionDetails")?)
        .set_include_partition_value(m.bool("IncludePartitionValue")?)
        .set_partition_include_schema_table(m.bool("PartitionIncludeSchemaTable")?)
        .set_include_table_alter_operations(m.bool("IncludeTableAlterOperations")?)
        .set_include_control_details(m.bool("IncludeControlDetails")?)
        .set_message_max_bytes(m.int("MessageMaxBytes")?)
        .set_include_null_and_empty(m.bool("IncludeNullAndEmpty")?)
        .set_security_protocol(m.enumeration::<KafkaSecurityProtocol>("SecurityProtocol")?)
        .set_ssl_client_certificate_arn(m.string("SslClientCertificateArn")?)
        .set_ssl_client_key_arn(m.string("SslClientKeyArn")?)
        .set_ssl_client_key_password(m.string("SslClientKeyPassword")?)
        .set_ssl_ca_certificate_arn(m.string("SslCaCertificateArn")?)
        .set_sasl_username(m.string("SaslUsername")?)
        .set_sasl_password(m.string("SaslPassword")?)
        .set_no_hex_prefix(m.bool("NoHexPrefix")?)
        .set_sasl_mechanism(m.enumeration::<KafkaSaslMechanism>("SaslMechanism")?)
        .set_ssl_endpoint_identification_algorithm(
            m.enumeration::<KafkaSslEndpointIdentificationAlgorithm>(
                "SslEndpointIdentificationAlgorithm",
            )?,
        )
        .set_use_large_integer_value(m.bool("UseLargeIntegerValue")?)
        .build();
    m.finish()?;
    Ok(s)
}

fn s3(mut m: Members) -> Result<S3Settings, String> {
    let s = S3Settings::builder()
        .set_service_access_role_arn(m.string("ServiceAccessRoleArn")?)
        .set_bucket_name(m.string("BucketName")?)
        .set_bucket_folder(m.string("BucketFolder")?)
        .set_data_format(m.enumeration::<DataFormatValue>("DataFormat")?)
        .set_compression_type(m.enumeration::<CompressionTypeValue>("CompressionType")?)
        .set_encryption_mode(m.enumeration::<EncryptionModeValue>("EncryptionMode")?)
        .set_server_side_encryption_kms_key_id(m.string("ServerSideEncryptionKmsKeyId")?)
        .set_csv_delimiter(m.string("CsvDelimiter")?)
        .set_csv_row_delimiter(m.string("CsvRowDelimiter")?)
        .set_parquet_version(m.enumeration::<ParquetVersionValue>("ParquetVersion")?)
        .set_include_op_for_full_load(m.bool("IncludeOpForFullLoad")?)
        .set_cdc_inserts_only(m.bool("CdcInsertsOnly")?)
        .set_cdc_inserts_and_updates(m.bool("CdcInsertsAndUpdates")?)
        .set_timestamp_column_name(m.string("TimestampColumnName")?)
        .set_date_partition_enabled(m.bool("DatePartitionEnabled")?)
        .set_cdc_path(m.string("CdcPath")?)
        .set_preserve_transactions(m.bool("PreserveTransactions")?)
        .set_expected_bucket_owner(m.string("ExpectedBucketOwner")?)
        .build();
    m.finish()?;
    Ok(s)
}

/// The members every database settings block shares: where the database is, and where its
/// password lives in Secrets Manager (dmsctl's `password: {secrets_manager: ...}`).
macro_rules! database_settings {
    ($name:ident, $ty:ty, $m:ident, |$b:ident| $extra:expr) => {
        fn $name(mut $m: Members) -> Result<$ty, String> {
            let $b = <$ty>::builder()
                .set_server_name($m.string("ServerName")?)
                .set_port($m.int("Port")?)
                .set_database_name($m.string("DatabaseName")?)
                .set_username($m.string("Username")?)
                .set_password($m.string("Password")?)
                .set_secrets_manager_secret_id($m.string("SecretsManagerSecretId")?)
                .set_secrets_manager_access_role_arn($m.string("SecretsManagerAccessRoleArn")?);
            let s = $extra.build();
            $m.finish()?;
            Ok(s)
        }
    };
}

database_settings!(mysql, MySqlSettings, m, |b| b
    .set_after_connect_script(m.string("AfterConnectScript")?)
    .set_server_timezone(m.string("ServerTimezone")?)
    .set_events_poll_interval(m.int("EventsPollInterval")?)
    .set_target_db_type(m.enumeration("TargetDbType")?)
    .set_parallel_load_threads(m.int("ParallelLoadThreads")?)
    .set_max_file_size(m.int("MaxFileSize")?)
    .set_execute_timeout(m.int("ExecuteTimeout")?));

database_settings!(postgres, PostgreSqlSettings, m, |b| b
    .set_after_connect_script(m.string("AfterConnectScript")?)
    .set_capture_ddls(m.bool("CaptureDdls")?)
    .set_ddl_artifacts_schema(m.string("DdlArtifactsSchema")?)
    .set_heartbeat_enable(m.bool("HeartbeatEnable")?)
    .set_heartbeat_schema(m.string("HeartbeatSchema")?)
    .set_heartbeat_frequency(m.int("HeartbeatFrequency")?)
    .set_slot_name(m.string("SlotName")?)
    .set_plugin_name(m.enumeration("PluginName")?)
    .set_max_file_size(m.int("MaxFileSize")?)
    .set_execute_timeout(m.int("ExecuteTimeout")?));

database_settings!(oracle, OracleSettings, m, |b| b
    .set_secrets_manager_oracle_asm_secret_id(m.string("SecretsManagerOracleAsmSecretId")?)
    .set_secrets_manager_oracle_asm_access_role_arn(
        m.string("SecretsManagerOracleAsmAccessRoleArn")?
    )
    .set_asm_server(m.string("AsmServer")?)
    .set_asm_user(m.string("AsmUser")?)
    .set_asm_password(m.string("AsmPassword")?)
    .set_add_supplemental_logging(m.bool("AddSupplementalLogging")?)
    .set_use_logminer_reader(m.bool("UseLogminerReader")?)
    .set_use_b_file(m.bool("UseBFile")?)
    .set_archived_logs_only(m.bool("ArchivedLogsOnly")?)
    .set_security_db_encryption_name(m.string("SecurityDbEncryptionName")?)
    .set_security_db_encryption(m.string("SecurityDbEncryption")?));

database_settings!(sqlserver, MicrosoftSqlServerSettings, m, |b| b
    .set_safeguard_policy(m.enumeration("SafeguardPolicy")?)
    .set_read_backup_only(m.bool("ReadBackupOnly")?)
    .set_use_bcp_full_load(m.bool("UseBcpFullLoad")?)
    .set_bcp_packet_size(m.int("BcpPacketSize")?)
    .set_tlog_access_mode(m.enumeration("TlogAccessMode")?));

// The engines below get only what dmsctl sets for them: the Secrets Manager password.
database_settings!(db2, IbmDb2Settings, m, |b| b);
database_settings!(sybase, SybaseSettings, m, |b| b);
database_settings!(mongodb, MongoDbSettings, m, |b| b);
database_settings!(docdb, DocDbSettings, m, |b| b);
database_settings!(redshift, RedshiftSettings, m, |b| b);

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::cloud::SecretValue;
    use crate::spec::types::SecretRef;

    fn endpoint(settings: &[(&str, Json)]) -> DesiredEndpoint {
        DesiredEndpoint {
            endpoint_identifier: "e".into(),
            endpoint_type: "target",
            engine_name: "kafka",
            server_name: None,
            port: None,
            database_name: None,
            username: None,
            password: None,
            ssl_mode: None,
            certificate_arn: None,
            certificate: None,
            extra_connection_attributes: None,
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            secret_settings: BTreeMap::new(),
            tags: vec![],
        }
    }

    fn kafka_endpoint() -> DesiredEndpoint {
        let mut e = endpoint(&[(
            "KafkaSettings",
            json!({
                "Broker": "b-1:9096", "Topic": "t", "MessageFormat": "json",
                "SecurityProtocol": "sasl-ssl", "SaslMechanism": "scram-sha-512",
                "SaslUsername": "dms", "SaslPassword": "(sensitive, from $SASL)",
                "MessageMaxBytes": 1000, "IncludeNullAndEmpty": true
            }),
        )]);
        e.secret_settings.insert(
            "KafkaSettings.SaslPassword".into(),
            SecretRef::Env("SASL".into()),
        );
        e
    }

    #[test]
    fn secrets_replace_placeholders() {
        let mut secrets = EndpointSecrets::default();
        secrets.settings.insert(
            "KafkaSettings.SaslPassword".into(),
            SecretValue::new("hunter2"),
        );
        let s = endpoint_settings(&kafka_endpoint(), Some(&secrets)).expect("converts");
        let k = s.kafka.expect("kafka");
        assert_eq!(k.sasl_password.as_deref(), Some("hunter2"));
        assert_eq!(k.broker.as_deref(), Some("b-1:9096"));
        assert_eq!(k.message_format, Some(MessageFormatValue::Json));
        assert_eq!(k.security_protocol, Some(KafkaSecurityProtocol::SaslSsl));
        assert_eq!(k.sasl_mechanism, Some(KafkaSaslMechanism::ScramSha512));
        assert_eq!(k.message_max_bytes, Some(1000));
        assert_eq!(k.include_null_and_empty, Some(true));
        // The SDK's own Debug redacts the password too.
        assert!(!format!("{k:?}").contains("hunter2"));
    }

    #[test]
    fn placeholders_are_dropped_without_secrets() {
        let s = endpoint_settings(&kafka_endpoint(), None).expect("converts");
        let k = s.kafka.expect("kafka");
        assert_eq!(k.sasl_password, None);
        assert_eq!(k.sasl_username.as_deref(), Some("dms"));
        // Even a placeholder under a member not declared secret never goes out.
        let e = endpoint(&[(
            "KafkaSettings",
            json!({"Broker": "b:1", "SaslUsername": "(sensitive, from $X)"}),
        )]);
        let k = endpoint_settings(&e, None)
            .expect("converts")
            .kafka
            .expect("kafka");
        assert_eq!(k.sasl_username, None);
    }

    #[test]
    fn secrets_manager_blocks() {
        let e = endpoint(&[(
            "PostgreSQLSettings",
            json!({"SecretsManagerSecretId": "db", "SecretsManagerAccessRoleArn": "arn:aws:iam::1:role/r"}),
        )]);
        let s = endpoint_settings(&e, None).expect("converts");
        let p = s.postgres.expect("postgres");
        assert_eq!(p.secrets_manager_secret_id.as_deref(), Some("db"));
        assert_eq!(
            p.secrets_manager_access_role_arn.as_deref(),
            Some("arn:aws:iam::1:role/r")
        );
    }

    #[test]
    fn s3_block() {
        let e = endpoint(&[(
            "S3Settings",
            json!({"BucketName": "b", "ServiceAccessRoleArn": "arn", "DataFormat": "parquet", "CompressionType": "gzip"}),
        )]);
        let s3 = endpoint_settings(&e, None)
            .expect("converts")
            .s3
            .expect("s3");
        assert_eq!(s3.data_format, Some(DataFormatValue::Parquet));
        assert_eq!(s3.compression_type, Some(CompressionTypeValue::Gzip));
    }

    #[test]
    fn unknown_members_and_bad_types_are_refused_without_values() {
        let e = endpoint(&[(
            "KafkaSettings",
            json!({"Broker": "b", "Brokr": "secret-ish"}),
        )]);
        let err = endpoint_settings(&e, None).err().expect("refused");
        assert!(err.contains("KafkaSettings.Brokr"), "{err}");
        assert!(!err.contains("secret-ish"), "{err}");
        let e = endpoint(&[("KafkaSettings", json!({"MessageMaxBytes": "many"}))]);
        let err = endpoint_settings(&e, None).err().expect("refused");
        assert!(
            err.contains("MessageMaxBytes") && !err.contains("many"),
            "{err}"
        );
        let e = endpoint(&[("DynamoDbSettings", json!({}))]);
        assert!(endpoint_settings(&e, None).is_err());
    }
}
