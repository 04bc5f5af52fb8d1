//! A spec endpoint as DMS's endpoint: engine settings structures, secrets, extra connection
//! attributes.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value as Json};

use super::{DesiredEndpoint, Sensitive, Tag};
use crate::spec::types::*;

/// DMS's name for an engine's settings structure.
fn settings_key(engine: Engine) -> Option<&'static str> {
    Some(match engine {
        Engine::Mysql | Engine::Mariadb | Engine::Aurora => "MySQLSettings",
        Engine::Postgres | Engine::AuroraPostgresql => "PostgreSQLSettings",
        Engine::Oracle => "OracleSettings",
        Engine::Sqlserver => "MicrosoftSQLServerSettings",
        Engine::Db2 => "IBMDb2Settings",
        Engine::Sybase => "SybaseSettings",
        Engine::Mongodb => "MongoDbSettings",
        Engine::Docdb => "DocDbSettings",
        Engine::Redshift => "RedshiftSettings",
        _ => return None,
    })
}

pub(super) fn desired_endpoint(e: &Endpoint, id: String, tags: Vec<Tag>) -> DesiredEndpoint {
    let mut settings = BTreeMap::new();
    let mut secret_settings = BTreeMap::new();
    let mut password = None;
    match &e.password {
        Some(SecretRef::SecretsManager(sm)) => {
            if let Some(key) = settings_key(e.engine) {
                settings.insert(
                    key.to_string(),
                    json!({"SecretsManagerSecretId": sm.secret_id, "SecretsManagerAccessRoleArn": sm.access_role_arn}),
                );
            }
        }
        Some(env @ SecretRef::Env(_)) => password = Some(Sensitive(env.clone())),
        None => {}
    }
    if let Some(k) = &e.kafka {
        settings.insert(
            "KafkaSettings".into(),
            kafka_settings(k, &mut secret_settings),
        );
    }
    if let Some(s3) = &e.s3 {
        settings.insert("S3Settings".into(), s3_settings(s3));
    }
    let eca = format_attributes(&e.extra_connection_attributes);
    DesiredEndpoint {
        endpoint_identifier: id,
        endpoint_type: match e.role {
            EndpointRole::Source => "source",
            EndpointRole::Target => "target",
        },
        engine_name: e.engine.dms_name(),
        server_name: e.host.clone(),
        port: e
            .port
            .or(e.engine.default_port().map(i64::from))
            .filter(|_| e.engine.is_database()),
        database_name: e.database.clone(),
        username: e.username.clone(),
        password,
        ssl_mode: e.ssl_mode.map(SslMode::dms_name),
        certificate_arn: e.certificate_arn.clone(),
        certificate: e.certificate.clone(),
        extra_connection_attributes: eca,
        settings,
        secret_settings,
        tags,
    }
}

/// `KafkaSettings`; its secrets' placeholders are recorded in `secret_settings`.
fn kafka_settings(k: &KafkaSettings, secret_settings: &mut BTreeMap<String, SecretRef>) -> Json {
    let mut m = Map::new();
    m.insert("Broker".into(), k.brokers.join(",").into());
    let mut put = |key: &str, v: Option<Json>| {
        if let Some(v) = v {
            m.insert(key.into(), v);
        }
    };
    put("Topic", k.topic.clone().map(Json::from));
    put(
        "MessageFormat",
        k.message_format.and_then(|f| serde_json::to_value(f).ok()),
    );
    put(
        "SecurityProtocol",
        k.security_protocol
            .and_then(|f| serde_json::to_value(f).ok()),
    );
    put(
        "SaslMechanism",
        k.sasl_mechanism.and_then(|f| serde_json::to_value(f).ok()),
    );
    put("SaslUsername", k.sasl_username.clone().map(Json::from));
    put(
        "SslCaCertificateArn",
        k.ssl_ca_certificate_arn.clone().map(Json::from),
    );
    put(
        "SslClientCertificateArn",
        k.ssl_client_certificate_arn.clone().map(Json::from),
    );
    put(
        "SslClientKeyArn",
        k.ssl_client_key_arn.clone().map(Json::from),
    );
    put("MessageMaxBytes", k.message_max_bytes.map(Json::from));
    for (key, v) in [
        ("IncludeTransactionDetails", k.include_transaction_details),
        ("IncludePartitionValue", k.include_partition_value),
        (
            "PartitionIncludeSchemaTable",
            k.partition_include_schema_table,
        ),
        (
            "IncludeTableAlterOperations",
            k.include_table_alter_operations,
        ),
        ("IncludeControlDetails", k.include_control_details),
        ("IncludeNullAndEmpty", k.include_null_and_empty),
        ("NoHexPrefix", k.no_hex_prefix),
        ("UseLargeIntegerValue", k.use_large_integer_value),
    ] {
        put(key, v.map(Json::from));
    }
    for (key, secret) in [
        ("SaslPassword", &k.sasl_password),
        ("SslClientKeyPassword", &k.ssl_client_key_password),
    ] {
        if let Some(s) = secret {
            m.insert(key.into(), Sensitive(s.clone()).to_string().into());
            secret_settings.insert(format!("KafkaSettings.{key}"), s.clone());
        }
    }
    Json::Object(m)
}

fn s3_settings(s3: &S3Settings) -> Json {
    let mut m = Map::new();
    m.insert("BucketName".into(), s3.bucket_name.clone().into());
    m.insert(
        "ServiceAccessRoleArn".into(),
        s3.service_access_role_arn.clone().into(),
    );
    if let Some(f) = &s3.bucket_folder {
        m.insert("BucketFolder".into(), f.clone().into());
    }
    if let Some(f) = s3.data_format {
        m.insert(
            "DataFormat".into(),
            serde_json::to_value(f).unwrap_or(Json::Null),
        );
    }
    if let Some(true) = s3.gzip {
        m.insert("CompressionType".into(), "gzip".into());
    }
    Json::Object(m)
}

/// The spec's `extra_connection_attributes` as DMS's `a=1;b=two`; `None` when there are none.
pub fn format_attributes(attributes: &BTreeMap<String, AttrValue>) -> Option<String> {
    (!attributes.is_empty()).then(|| {
        attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(";")
    })
}

/// DMS's `a=1;b=two;` -> [(a, 1), (b, two)], in order, blanks skipped, names and values trimmed.
pub fn parse_attributes(s: &str) -> Vec<(String, String)> {
    s.split(';')
        .filter_map(|part| {
            let part = part.trim();
            if part.is_empty() {
                return None;
            }
            Some(match part.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
                None => (part.to_string(), String::new()),
            })
        })
        .collect()
}
