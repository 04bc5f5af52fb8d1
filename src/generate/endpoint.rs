//! A live endpoint as a spec endpoint: engine settings back to spec fields, DMS's defaults
//! left out, passwords as environment variables.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{json_i64, own_tags, password_var};
use crate::live::LiveEndpoint;
use crate::model::parse_attributes;
use crate::spec::types::*;

pub(super) fn endpoint(
    e: &LiveEndpoint,
    name: &str,
    id: Option<String>,
) -> Result<Endpoint, String> {
    let engine: Engine = serde_json::from_value(Json::from(e.engine_name.to_ascii_lowercase()))
        .map_err(|_| format!("dmsctl does not know the engine `{}`", e.engine_name))?;
    let role = match e.endpoint_type.to_ascii_lowercase().as_str() {
        "source" => EndpointRole::Source,
        "target" => EndpointRole::Target,
        other => return Err(format!("unknown endpoint type `{other}`")),
    };
    let mut out = Endpoint {
        role,
        engine,
        id,
        host: None,
        port: None,
        database: None,
        username: None,
        password: None,
        ssl_mode: None,
        certificate_arn: e.certificate_arn.clone(),
        certificate: None,
        extra_connection_attributes: BTreeMap::new(),
        kafka: None,
        s3: None,
        tags: own_tags(&e.tags),
    };
    if engine.is_database() {
        out.host = e.server_name.clone();
        out.port = e.port;
        out.database = e.database_name.clone();
        out.username = e.username.clone();
        let secret = e.settings.values().find_map(|s| {
            Some(SecretsManagerRef {
                secret_id: s.get("SecretsManagerSecretId")?.as_str()?.to_string(),
                access_role_arn: s.get("SecretsManagerAccessRoleArn")?.as_str()?.to_string(),
            })
        });
        out.password = Some(match secret {
            Some(sm) => SecretRef::SecretsManager(sm),
            None => SecretRef::Env(password_var(name, "PASSWORD")),
        });
        out.ssl_mode = e
            .ssl_mode
            .as_deref()
            .and_then(|m| serde_json::from_value(Json::from(m.to_ascii_lowercase())).ok())
            .filter(|m| *m != SslMode::None);
    }
    match engine {
        Engine::Kafka => out.kafka = Some(kafka(e, name)?),
        Engine::S3 => out.s3 = Some(s3(e)?),
        _ => {
            // Kafka and S3 echo their settings as attributes; elsewhere they are the user's.
            out.extra_connection_attributes = attributes(e.extra_connection_attributes.as_deref());
        }
    }
    Ok(out)
}

/// `a=1;b=x y` as a mapping, numbers and booleans typed when they print back the same.
pub fn attributes(eca: Option<&str>) -> BTreeMap<String, AttrValue> {
    let mut out = BTreeMap::new();
    for (k, v) in parse_attributes(eca.unwrap_or("")) {
        let value = if let Ok(i) = v.parse::<i64>().map(AttrValue::Int) {
            i
        } else if v == "true" || v == "false" {
            AttrValue::Bool(v == "true")
        } else {
            AttrValue::Str(v.to_string())
        };
        let value = if value.to_string() == v {
            value
        } else {
            AttrValue::Str(v.to_string())
        };
        out.insert(k, value);
    }
    out
}

fn kafka(e: &LiveEndpoint, name: &str) -> Result<KafkaSettings, String> {
    let k = e
        .settings
        .get("KafkaSettings")
        .ok_or("DMS reports no Kafka settings")?;
    let s = |key: &str| k.get(key).and_then(Json::as_str).map(str::to_string);
    // DMS's defaults are left out, as a spec would leave them.
    let flag = |key: &str| k.get(key).and_then(Json::as_bool).filter(|b| *b);
    let brokers: Vec<String> = s("Broker")
        .unwrap_or_default()
        .split(',')
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect();
    if brokers.is_empty() {
        return Err("it names no Kafka broker".into());
    }
    let security_protocol: Option<SecurityProtocol> =
        non_default(k, "SecurityProtocol", "plaintext");
    Ok(KafkaSettings {
        brokers,
        topic: s("Topic").filter(|t| t != "kafka-default-topic"),
        message_format: non_default(k, "MessageFormat", "json"),
        security_protocol,
        sasl_mechanism: non_default(k, "SaslMechanism", ""),
        sasl_username: s("SaslUsername"),
        sasl_password: (security_protocol == Some(SecurityProtocol::SaslSsl))
            .then(|| SecretRef::Env(password_var(name, "SASL_PASSWORD"))),
        ssl_ca_certificate_arn: s("SslCaCertificateArn"),
        ssl_client_certificate_arn: s("SslClientCertificateArn"),
        ssl_client_key_arn: s("SslClientKeyArn"),
        ssl_client_key_password: None,
        message_max_bytes: k
            .get("MessageMaxBytes")
            .and_then(json_i64)
            .filter(|b| *b != 1_000_000),
        include_transaction_details: flag("IncludeTransactionDetails"),
        include_partition_value: flag("IncludePartitionValue"),
        partition_include_schema_table: flag("PartitionIncludeSchemaTable"),
        include_table_alter_operations: flag("IncludeTableAlterOperations"),
        include_control_details: flag("IncludeControlDetails"),
        include_null_and_empty: flag("IncludeNullAndEmpty"),
        no_hex_prefix: flag("NoHexPrefix"),
        use_large_integer_value: flag("UseLargeIntegerValue"),
    })
}

/// A setting's value as a spec enum, unless it is DMS's default.
fn non_default<T: serde::de::DeserializeOwned>(k: &Json, key: &str, default: &str) -> Option<T> {
    let v = k.get(key)?.as_str()?;
    if v.eq_ignore_ascii_case(default) {
        return None;
    }
    serde_json::from_value(Json::from(v.to_ascii_lowercase())).ok()
}

fn s3(e: &LiveEndpoint) -> Result<S3Settings, String> {
    let k = e
        .settings
        .get("S3Settings")
        .ok_or("DMS reports no S3 settings")?;
    let s = |key: &str| k.get(key).and_then(Json::as_str).map(str::to_string);
    Ok(S3Settings {
        bucket_name: s("BucketName").ok_or("it names no bucket")?,
        bucket_folder: s("BucketFolder").filter(|f| !f.is_empty()),
        service_access_role_arn: s("ServiceAccessRoleArn").ok_or("it names no access role")?,
        data_format: s("DataFormat")
            .filter(|f| !f.eq_ignore_ascii_case("csv"))
            .and_then(|f| serde_json::from_value(Json::from(f.to_ascii_lowercase())).ok()),
        gzip: s("CompressionType")
            .filter(|c| c.eq_ignore_ascii_case("gzip"))
            .map(|_| true),
    })
}
