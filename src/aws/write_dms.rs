//! DMS writes and the cheap reads the executor polls: one request per function, built from the
//! desired state's domain types, failures mapped by [`cloud_error`].
//!
//! Requests carrying secrets (`CreateEndpoint`, `ModifyEndpoint`) are never formatted, and any
//! secret value that an error message happens to echo is replaced before the error leaves.

use aws_sdk_databasemigration as dms;
use dms::primitives::{DateTime, DateTimeFormat};
use dms::types::{
    ComputeConfig, DmsSslModeValue, MigrationTypeValue, ReplicationEndpointTypeValue,
    StartReplicationTaskTypeValue, TableStatistics, Tag as SdkTag,
};
use serde_json::Value as Json;

use super::endpoint_settings::endpoint_settings;
use super::errors::cloud_error;
use crate::cloud::{CdcStart, CloudError, EndpointSecrets, ErrorKind, StartKind, TableStat};
use crate::model::{
    DesiredCertificate, DesiredEndpoint, DesiredEventSubscription, DesiredInstance,
    DesiredReplicationConfig, DesiredSubnetGroup, DesiredTask, Tag,
};

/// `DescribeTableStatistics` allows up to 500 records per page.
const TABLE_STATS_PAGE: i32 = 500;

/// An error raised before anything is sent (bad input for the request).
pub(crate) fn local_error(operation: &str, message: impl Into<String>) -> CloudError {
    CloudError {
        kind: ErrorKind::Other,
        operation: operation.to_string(),
        message: message.into(),
    }
}

pub(crate) fn sdk_tags(tags: &[Tag]) -> Option<Vec<SdkTag>> {
    (!tags.is_empty()).then(|| {
        tags.iter()
            .map(|t| SdkTag::builder().key(&t.key).value(&t.value).build())
            .collect()
    })
}

pub(crate) fn int32(operation: &str, what: &str, value: i64) -> Result<i32, CloudError> {
    i32::try_from(value).map_err(|_| local_error(operation, format!("{what} {value} is too large")))
}

/// An RFC 3339 time (`2026-11-01T00:00:00Z`, offsets allowed) as the SDK's `DateTime`.
pub(crate) fn cdc_time(
    operation: &str,
    text: Option<&str>,
) -> Result<Option<DateTime>, CloudError> {
    text.map(|t| {
        DateTime::from_str(t, DateTimeFormat::DateTimeWithOffset).map_err(|e| {
            local_error(
                operation,
                format!("CdcStartTime `{t}` is not an RFC 3339 time: {e}"),
            )
        })
    })
    .transpose()
}

/// `CdcStartTime` and `CdcStartPosition` of a start: at most one is set.
fn cdc_parts(cdc: Option<&CdcStart>) -> (Option<&str>, Option<String>) {
    match cdc {
        Some(CdcStart::Time(t)) => (Some(t.as_str()), None),
        Some(CdcStart::Position(p)) => (None, Some(p.clone())),
        None => (None, None),
    }
}

/// A JSON document DMS takes as a string; `null` means "not given".
fn document(value: &Json) -> Option<String> {
    (!value.is_null()).then(|| value.to_string())
}

fn arn_or_error(operation: &str, arn: Option<String>) -> Result<String, CloudError> {
    arn.filter(|a| !a.is_empty())
        .ok_or_else(|| local_error(operation, "the response carried no ARN"))
}

// ---- subnet groups ----

pub(crate) async fn create_subnet_group(
    client: &dms::Client,
    g: &DesiredSubnetGroup,
) -> Result<(), CloudError> {
    const OP: &str = "CreateReplicationSubnetGroup";
    client
        .create_replication_subnet_group()
        .replication_subnet_group_identifier(&g.replication_subnet_group_identifier)
        .replication_subnet_group_description(&g.replication_subnet_group_description)
        .set_subnet_ids(Some(g.subnet_ids.clone()))
        .set_tags(sdk_tags(&g.tags))
        .send()
        .await
        .map_err(|e| cloud_error(OP, &e))?;
    Ok(())
}

pub(crate) async fn modify_subnet_group(
    client: &dms::Client,
    g: &DesiredSubnetGroup,
) -> Result<(), CloudError> {
    client
        .modify_replication_subnet_group()
        .replication_subnet_group_identifier(&g.replication_subnet_group_identifier)
        .replication_subnet_group_description(&g.replication_subnet_group_description)
        .set_subnet_ids(Some(g.subnet_ids.clone()))
        .send()
        .await
        .map_err(|e| cloud_error("ModifyReplicationSubnetGroup", &e))?;
    Ok(())
}

pub(crate) async fn delete_subnet_group(
    client: &dms::Client,
    identifier: &str,
) -> Result<(), CloudError> {
    client
        .delete_replication_subnet_group()
        .replication_subnet_group_identifier(identifier)
        .send()
        .await
        .map_err(|e| cloud_error("DeleteReplicationSubnetGroup", &e))?;
    Ok(())
}

// ---- instances ----

pub(crate) async fn create_instance(
    client: &dms::Client,
    i: &DesiredInstance,
) -> Result<String, CloudError> {
    const OP: &str = "CreateReplicationInstance";
    let out = client
        .create_replication_instance()
        .replication_instance_identifier(&i.replication_instance_identifier)
        .replication_instance_class(&i.replication_instance_class)
        .allocated_storage(int32(OP, "AllocatedStorage", i.allocated_storage)?)
        .multi_az(i.multi_az)
        .set_engine_version(i.engine_version.clone())
        .set_replication_subnet_group_identifier(i.replication_subnet_group_identifier.clone())
        .publicly_accessible(i.publicly_accessible)
        .set_vpc_security_group_ids(
            (!i.vpc_security_group_ids.is_empty()).then(|| i.vpc_security_group_ids.clone()),
        )
        .set_availability_zone(i.availability_zone.clone())
        .set_kms_key_id(i.kms_key_id.clone())
        .set_preferred_maintenance_window(i.preferred_maintenance_window.clone())
        .set_tags(sdk_tags(&i.tags))
        .send()
        .await
        .map_err(|e| cloud_error(OP, &e))?;
    arn_or_error(
        OP,
        out.replication_instance
            .and_then(|r| r.replication_instance_arn),
    )
}

/// Subnet group, public access, AZ and KMS key cannot change in place: the planner replaces
/// the instance for those, so they are not sent.
pub(crate) async fn modify_instance(
    client: &dms::Client,
    arn: &str,
    i: &DesiredInstance,
) -> Result<(), CloudError> {
    const OP: &str = "ModifyReplicationInstance";
    client
        .modify_replication_instance()
        .replication_instance_arn(arn)
        .apply_immediately(true)
        .replication_instance_class(&i.replication_instance_class)
        .allocated_storage(int32(OP, "AllocatedStorage", i.allocated_storage)?)
        .multi_az(i.multi_az)
        .set_engine_version(i.engine_version.clone())
        // Knowing whether the major version changes would take a Describe first. Allowing a
        // major upgrade is not requesting one: with the same major version DMS ignores it,
        // and without it a major change is refused, so it goes with every explicit version.
        .set_allow_major_version_upgrade(i.engine_version.as_ref().map(|_| true))
        // An empty list cannot be sent to mean "none"; the planner never asks for that.
        .set_vpc_security_group_ids(
            (!i.vpc_security_group_ids.is_empty()).then(|| i.vpc_security_group_ids.clone()),
        )
        .set_preferred_maintenance_window(i.preferred_maintenance_window.clone())
        .send()
        .await
        .map_err(|e| cloud_error(OP, &e))?;
    Ok(())
}

pub(crate) async fn delete_instance(client: &dms::Client, arn: &str) -> Result<(), CloudError> {
    client
        .delete_replication_instance()
        .replication_instance_arn(arn)
        .send()
        .await
        .map_err(|e| cloud_error("DeleteReplicationInstance", &e))?;
    Ok(())
}

// ---- endpoints ----

/// Masks every secret a message might echo (DMS's validation messages name the offending
/// value): the endpoint's secrets are registered with [`crate::redact`] when resolved.
fn redact(mut err: CloudError) -> CloudError {
    err.message = crate::redact::redact(&err.message).into_owned();
    err
}

/// Sets every field of the desired endpoint on a Create/ModifyEndpoint builder (the two have
/// the same setters but are different types).
macro_rules! endpoint_fields {
    ($builder:expr, $e:expr, $port:expr, $settings:expr, $password:expr) => {{
        let s = $settings;
        $builder
            .endpoint_identifier(&$e.endpoint_identifier)
            .endpoint_type(ReplicationEndpointTypeValue::from($e.endpoint_type))
            .engine_name($e.engine_name)
            .set_server_name($e.server_name.clone())
            .set_port($port)
            .set_database_name($e.database_name.clone())
            .set_username($e.username.clone())
            .set_password($password)
            .set_ssl_mode($e.ssl_mode.map(DmsSslModeValue::from))
            .set_certificate_arn($e.certificate_arn.clone())
            .set_extra_connection_attributes($e.extra_connection_attributes.clone())
            .set_kafka_settings(s.kafka)
            .set_s3_settings(s.s3)
            .set_my_sql_settings(s.mysql)
            .set_postgre_sql_settings(s.postgres)
            .set_oracle_settings(s.oracle)
            .set_microsoft_sql_server_settings(s.sqlserver)
            .set_ibm_db2_settings(s.db2)
            .set_sybase_settings(s.sybase)
            .set_mongo_db_settings(s.mongodb)
            .set_doc_db_settings(s.docdb)
            .set_redshift_settings(s.redshift)
    }};
}

pub(crate) async fn create_endpoint(
    client: &dms::Client,
    e: &DesiredEndpoint,
    secrets: &EndpointSecrets,
) -> Result<String, CloudError> {
    const OP: &str = "CreateEndpoint";
    let port = e.port.map(|p| int32(OP, "Port", p)).transpose()?;
    let settings = endpoint_settings(e, Some(secrets)).map_err(|m| local_error(OP, m))?;
    let password = secrets.password.as_ref().map(|p| p.expose().to_string());
    let out = endpoint_fields!(client.create_endpoint(), e, port, settings, password)
        .set_tags(sdk_tags(&e.tags))
        .send()
        .await
        .map_err(|err| redact(cloud_error(OP, &err)))?;
    arn_or_error(OP, out.endpoint.and_then(|e| e.endpoint_arn))
}

/// Settings are merged into the live ones (`ExactSettings` false), so members the desired
/// state leaves out, and secrets not re-sent, stay as they are.
pub(crate) async fn modify_endpoint(
    client: &dms::Client,
    arn: &str,
    e: &DesiredEndpoint,
    secrets: Option<&EndpointSecrets>,
) -> Result<(), CloudError> {
    const OP: &str = "ModifyEndpoint";
    let port = e.port.map(|p| int32(OP, "Port", p)).transpose()?;
    let settings = endpoint_settings(e, secrets).map_err(|m| local_error(OP, m))?;
    let password = secrets
        .and_then(|s| s.password.as_ref())
        .map(|p| p.expose().to_string());
    endpoint_fields!(client.modify_endpoint(), e, port, settings, password)
        .endpoint_arn(arn)
        .exact_settings(false)
        .send()
        .await
        .map_err(|err| redact(cloud_error(OP, &err)))?;
    Ok(())
}

pub(crate) async fn delete_endpoint(client: &dms::Client, arn: &str) -> Result<(), CloudError> {
    client
        .delete_endpoint()
        .endpoint_arn(arn)
        .send()
        .await
        .map_err(|e| cloud_error("DeleteEndpoint", &e))?;
    Ok(())
}

// ---- tasks ----

pub(crate) async fn create_task(
    client: &dms::Client,
    t: &DesiredTask,
    source: &str,
    target: &str,
    instance: &str,
) -> Result<String, CloudError> {
    const OP: &str = "CreateReplicationTask";
    let out = client
        .create_replication_task()
        .replication_task_identifier(&t.replication_task_identifier)
        .source_endpoint_arn(source)
        .target_endpoint_arn(target)
        .replication_instance_arn(instance)
        .migration_type(MigrationTypeValue::from(t.migration_type))
        .table_mappings(t.table_mappings.to_string())
        .set_replication_task_settings(document(&t.replication_task_settings))
        .set_cdc_start_time(cdc_time(OP, t.cdc_start_time.as_deref())?)
        .set_cdc_start_position(t.cdc_start_position.clone())
        .set_cdc_stop_position(t.cdc_stop_position.clone())
        .set_tags(sdk_tags(&t.tags))
        .send()
        .await
        .map_err(|e| cloud_error(OP, &e))?;
    arn_or_error(
        OP,
        out.replication_task.and_then(|t| t.replication_task_arn),
    )
}

pub(crate) async fn modify_task(
    client: &dms::Client,
    arn: &str,
    t: &DesiredTask,
) -> Result<(), CloudError> {
    const OP: &str = "ModifyReplicationTask";
    client
        .modify_replication_task()
        .replication_task_arn(arn)
        .migration_type(MigrationTypeValue::from(t.migration_type))
        .table_mappings(t.table_mappings.to_string())
        .set_replication_task_settings(document(&t.replication_task_settings))
        .set_cdc_start_time(cdc_time(OP, t.cdc_start_time.as_deref())?)
        .set_cdc_start_position(t.cdc_start_position.clone())
        .set_cdc_stop_position(t.cdc_stop_position.clone())
        .send()
        .await
        .map_err(|e| cloud_error(OP, &e))?;
    Ok(())
}

pub(crate) async fn delete_task(client: &dms::Client, arn: &str) -> Result<(), CloudError> {
    client
        .delete_replication_task()
        .replication_task_arn(arn)
        .send()
        .await
        .map_err(|e| cloud_error("DeleteReplicationTask", &e))?;
    Ok(())
}

pub(crate) async fn start_task(
    client: &dms::Client,
    arn: &str,
    kind: StartKind,
    cdc: Option<&CdcStart>,
) -> Result<(), CloudError> {
    const OP: &str = "StartReplicationTask";
    let (time, position) = cdc_parts(cdc);
    client
        .start_replication_task()
        .replication_task_arn(arn)
        .start_replication_task_type(StartReplicationTaskTypeValue::from(kind.dms_name()))
        .set_cdc_start_time(cdc_time(OP, time)?)
        .set_cdc_start_position(position)
        .send()
        .await
        .map_err(|e| cloud_error(OP, &e))?;
    Ok(())
}

pub(crate) async fn stop_task(client: &dms::Client, arn: &str) -> Result<(), CloudError> {
    client
        .stop_replication_task()
        .replication_task_arn(arn)
        .send()
        .await
        .map_err(|e| cloud_error("StopReplicationTask", &e))?;
    Ok(())
}

// ---- serverless replications ----

/// `ComputeConfig` from the desired state's JSON (the members `model` writes).
fn compute_config(operation: &str, json: &Json) -> Result<Option<ComputeConfig>, CloudError> {
    let obj = match json {
        Json::Null => return Ok(None),
        Json::Object(obj) => obj,
        _ => return Err(local_error(operation, "ComputeConfig: expected an object")),
    };
    let bad = |member: &str, what: &str| {
        local_error(
            operation,
            format!("ComputeConfig.{member}: expected {what}"),
        )
    };
    let mut b = ComputeConfig::builder();
    for (member, value) in obj {
        if value.is_null() {
            continue;
        }
        let text = || {
            value
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| bad(member, "a string"))
        };
        let int = || {
            value
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| bad(member, "an integer"))
        };
        b = match member.as_str() {
            "MinCapacityUnits" => b.min_capacity_units(int()?),
            "MaxCapacityUnits" => b.max_capacity_units(int()?),
            "MultiAZ" => b.multi_az(
                value
                    .as_bool()
                    .ok_or_else(|| bad(member, "true or false"))?,
            ),
            "ReplicationSubnetGroupId" => b.replication_subnet_group_id(text()?),
            "AvailabilityZone" => b.availability_zone(text()?),
            "KmsKeyId" => b.kms_key_id(text()?),
            "PreferredMaintenanceWindow" => b.preferred_maintenance_window(text()?),
            "DnsNameServers" => b.dns_name_servers(text()?),
            "VpcSecurityGroupIds" => {
                let ids = value
                    .as_array()
                    .and_then(|a| {
                        a.iter()
                            .map(|v| v.as_str().map(str::to_string))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| bad(member, "a list of strings"))?;
                b.set_vpc_security_group_ids(Some(ids))
            }
            other => {
                return Err(local_error(
                    operation,
                    format!("dmsctl cannot send `ComputeConfig.{other}`"),
                ))
            }
        };
    }
    Ok(Some(b.build()))
}

pub(crate) async fn create_replication_config(
    client: &dms::Client,
    c: &DesiredReplicationConfig,
    source: &str,
    target: &str,
) -> Result<String, CloudError> {
    const OP: &str = "CreateReplicationConfig";
    // `cdc_start_time` is not a parameter of this call: it goes with StartReplication.
    let out = client
        .create_replication_config()
        .replication_config_identifier(&c.replication_config_identifier)
        .source_endpoint_arn(source)
        .target_endpoint_arn(target)
        .replication_type(MigrationTypeValue::from(c.replication_type))
        .set_compute_config(compute_config(OP, &c.compute_config)?)
        .table_mappings(c.table_mappings.to_string())
        .set_replication_settings(document(&c.replication_settings))
        .set_tags(sdk_tags(&c.tags))
        .send()
        .await
        .map_err(|e| cloud_error(OP, &e))?;
    arn_or_error(
        OP,
        out.replication_config
            .and_then(|c| c.replication_config_arn),
    )
}

pub(crate) async fn modify_replication_config(
    client: &dms::Client,
    arn: &str,
    c: &DesiredReplicationConfig,
    source: &str,
    target: &str,
) -> Result<(), CloudError> {
    const OP: &str = "ModifyReplicationConfig";
    client
        .modify_replication_config()
        .replication_config_arn(arn)
        .source_endpoint_arn(source)
        .target_endpoint_arn(target)
        .replication_type(MigrationTypeValue::from(c.replication_type))
        .set_compute_config(compute_config(OP, &c.compute_config)?)
        .table_mappings(c.table_mappings.to_string())
        .set_replication_settings(document(&c.replication_settings))
        .send()
        .await
        .map_err(|e| cloud_error(OP, &e))?;
    Ok(())
}

pub(crate) async fn delete_replication_config(
    client: &dms::Client,
    arn: &str,
) -> Result<(), CloudError> {
    client
        .delete_replication_config()
        .replication_config_arn(arn)
        .send()
        .await
        .map_err(|e| cloud_error("DeleteReplicationConfig", &e))?;
    Ok(())
}

pub(crate) async fn import_certificate(
    client: &dms::Client,
    c: &DesiredCertificate,
) -> Result<String, CloudError> {
    const OP: &str = "ImportCertificate";
    let pem = c.certificate_pem.clone().ok_or_else(|| {
        local_error(
            OP,
            format!(
                "no PEM for certificate `{}`: its pem_file was not read",
                c.certificate_identifier
            ),
        )
    })?;
    let out = client
        .import_certificate()
        .certificate_identifier(&c.certificate_identifier)
        .certificate_pem(pem)
        .set_tags(sdk_tags(&c.tags))
        .send()
        .await
        .map_err(|e| cloud_error(OP, &e))?;
    arn_or_error(OP, out.certificate.and_then(|c| c.certificate_arn))
}

pub(crate) async fn delete_certificate(client: &dms::Client, arn: &str) -> Result<(), CloudError> {
    client
        .delete_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .map_err(|e| cloud_error("DeleteCertificate", &e))?;
    Ok(())
}

// ---- event subscriptions ----

pub(crate) async fn create_event_subscription(
    client: &dms::Client,
    e: &DesiredEventSubscription,
) -> Result<String, CloudError> {
    const OP: &str = "CreateEventSubscription";
    let out = client
        .create_event_subscription()
        .subscription_name(&e.subscription_name)
        .sns_topic_arn(&e.sns_topic_arn)
        .source_type(e.source_type)
        .set_event_categories((!e.event_categories.is_empty()).then(|| e.event_categories.clone()))
        .set_source_ids(Some(e.source_ids.clone()))
        .enabled(e.enabled)
        .set_tags(sdk_tags(&e.tags))
        .send()
        .await
        .map_err(|e| cloud_error(OP, &e))?;
    // The answer carries no ARN: DMS's form for event subscriptions is
    // `arn:<partition>:dms:<region>:<account>:es:<name>`, with the account in `CustomerAwsId`.
    let sub = out.event_subscription;
    let account = sub.as_ref().and_then(|s| s.customer_aws_id.clone());
    let region = client.config().region().map(|r| r.to_string());
    match (account, region) {
        (Some(a), Some(r)) => Ok(event_subscription_arn(&r, &a, &e.subscription_name)),
        _ => Err(local_error(OP, "the response named no account")),
    }
}

/// `arn:<partition>:dms:<region>:<account>:es:<name>`.
pub(crate) fn event_subscription_arn(region: &str, account: &str, name: &str) -> String {
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    format!("arn:{partition}:dms:{region}:{account}:es:{name}")
}

pub(crate) async fn modify_event_subscription(
    client: &dms::Client,
    e: &DesiredEventSubscription,
) -> Result<(), CloudError> {
    client
        .modify_event_subscription()
        .subscription_name(&e.subscription_name)
        .sns_topic_arn(&e.sns_topic_arn)
        .source_type(e.source_type)
        .set_event_categories((!e.event_categories.is_empty()).then(|| e.event_categories.clone()))
        .enabled(e.enabled)
        .send()
        .await
        .map_err(|e| cloud_error("ModifyEventSubscription", &e))?;
    Ok(())
}

pub(crate) async fn delete_event_subscription(
    client: &dms::Client,
    name: &str,
) -> Result<(), CloudError> {
    client
        .delete_event_subscription()
        .subscription_name(name)
        .send()
        .await
        .map_err(|e| cloud_error("DeleteEventSubscription", &e))?;
    Ok(())
}

pub(crate) async fn move_task(
    client: &dms::Client,
    arn: &str,
    instance_arn: &str,
) -> Result<(), CloudError> {
    const OP: &str = "MoveReplicationTask";
    let result = client
        .move_replication_task()
        .replication_task_arn(arn)
        .target_replication_instance_arn(instance_arn)
        .send()
        .await;
    let Err(e) = result else {
        return Ok(());
    };
    let err = cloud_error(OP, &e);
    // DMS refuses to move a task to the instance it is on, and a task that is moving: both are
    // what an earlier attempt, whose answer was lost, leaves behind.
    if matches!(err.kind, ErrorKind::InvalidState | ErrorKind::Other) {
        let now = client
            .describe_replication_tasks()
            .filters(
                dms::types::Filter::builder()
                    .name("replication-task-arn")
                    .values(arn)
                    .build()
                    .map_err(|e| local_error(OP, e.to_string()))?,
            )
            .send()
            .await
            .map_err(|e| cloud_error("DescribeReplicationTasks", &e))?;
        let there = now.replication_tasks().iter().any(|t| {
            t.replication_instance_arn() == Some(instance_arn)
                || t.status().is_some_and(|s| s.eq_ignore_ascii_case("moving"))
        });
        if there {
            return Ok(());
        }
    }
    Err(err)
}

pub(crate) async fn start_replication(
    client: &dms::Client,
    arn: &str,
    kind: StartKind,
    cdc: Option<&CdcStart>,
    assessment: Option<&str>,
) -> Result<(), CloudError> {
    const OP: &str = "StartReplication";
    let (time, position) = cdc_parts(cdc);
    client
        .start_replication()
        .replication_config_arn(arn)
        .start_replication_type(kind.dms_name())
        .set_cdc_start_time(cdc_time(OP, time)?)
        .set_cdc_start_position(position)
        .set_premigration_assessment_settings(assessment.map(str::to_string))
        .send()
        .await
        .map_err(|e| cloud_error(OP, &e))?;
    Ok(())
}

pub(crate) async fn stop_replication(client: &dms::Client, arn: &str) -> Result<(), CloudError> {
    client
        .stop_replication()
        .replication_config_arn(arn)
        .send()
        .await
        .map_err(|e| cloud_error("StopReplication", &e))?;
    Ok(())
}

pub(crate) async fn add_tags(
    client: &dms::Client,
    arn: &str,
    tags: &[Tag],
) -> Result<(), CloudError> {
    if tags.is_empty() {
        return Ok(());
    }
    client
        .add_tags_to_resource()
        .resource_arn(arn)
        .set_tags(sdk_tags(tags))
        .send()
        .await
        .map_err(|e| cloud_error("AddTagsToResource", &e))?;
    Ok(())
}

/// `RemoveTagsFromResource` documents no limit on `TagKeys`; a DMS resource carries at most 50
/// user tags, so batches of 50 mean one call in practice, and never an oversized request.
const REMOVE_TAGS_BATCH: usize = 50;

pub(crate) async fn remove_tags(
    client: &dms::Client,
    arn: &str,
    keys: &[&str],
) -> Result<(), CloudError> {
    for batch in keys.chunks(REMOVE_TAGS_BATCH) {
        client
            .remove_tags_from_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(batch.iter().map(|k| k.to_string()).collect()))
            .send()
            .await
            .map_err(|e| cloud_error("RemoveTagsFromResource", &e))?;
    }
    Ok(())
}

// ---- status and statistics ----

fn table_stat(t: TableStatistics) -> TableStat {
    TableStat {
        schema: t.schema_name.unwrap_or_default(),
        table: t.table_name.unwrap_or_default(),
        state: t.table_state.unwrap_or_default(),
        full_load_rows: t.full_load_rows,
        inserts: t.inserts,
        updates: t.updates,
        deletes: t.deletes,
    }
}

pub(crate) async fn task_table_statistics(
    client: &dms::Client,
    arn: &str,
) -> Result<Vec<TableStat>, CloudError> {
    let mut pages = client
        .describe_table_statistics()
        .replication_task_arn(arn)
        .into_paginator()
        .page_size(TABLE_STATS_PAGE)
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| cloud_error("DescribeTableStatistics", &e))?;
        out.extend(
            page.table_statistics
                .unwrap_or_default()
                .into_iter()
                .map(table_stat),
        );
    }
    Ok(out)
}

pub(crate) async fn replication_table_statistics(
    client: &dms::Client,
    arn: &str,
) -> Result<Vec<TableStat>, CloudError> {
    let mut pages = client
        .describe_replication_table_statistics()
        .replication_config_arn(arn)
        .into_paginator()
        .page_size(TABLE_STATS_PAGE)
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| cloud_error("DescribeReplicationTableStatistics", &e))?;
        out.extend(
            page.replication_table_statistics
                .unwrap_or_default()
                .into_iter()
                .map(table_stat),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::SecretValue;
    use serde_json::json;

    #[test]
    fn cdc_times_with_and_without_offset() {
        let z = cdc_time("Op", Some("2026-11-01T00:00:00Z"))
            .expect("parses")
            .expect("some");
        assert_eq!(z.secs(), 1_793_491_200);
        let offset = cdc_time("Op", Some("2026-11-01T02:00:00+02:00"))
            .expect("parses")
            .expect("some");
        assert_eq!(offset.secs(), z.secs());
        assert_eq!(cdc_time("Op", None).expect("none"), None);
        let err = cdc_time("Op", Some("yesterday")).expect_err("refused");
        assert_eq!(err.operation, "Op");
    }

    #[test]
    fn compute_config_members() {
        let c = compute_config(
            "Op",
            &json!({"MinCapacityUnits": 1, "MaxCapacityUnits": 4, "MultiAZ": true,
                    "ReplicationSubnetGroupId": "g", "VpcSecurityGroupIds": ["sg-1"],
                    "KmsKeyId": "k", "AvailabilityZone": "a", "PreferredMaintenanceWindow": "w"}),
        )
        .expect("converts")
        .expect("some");
        assert_eq!(c.min_capacity_units, Some(1));
        assert_eq!(c.max_capacity_units, Some(4));
        assert_eq!(c.multi_az, Some(true));
        assert_eq!(c.replication_subnet_group_id.as_deref(), Some("g"));
        assert_eq!(c.vpc_security_group_ids, Some(vec!["sg-1".to_string()]));
        assert!(compute_config("Op", &json!({"Nope": 1})).is_err());
        assert!(compute_config("Op", &json!({"MaxCapacityUnits": "4"})).is_err());
        assert_eq!(compute_config("Op", &Json::Null).expect("null"), None);
    }

    #[test]
    fn redaction_removes_every_secret() {
        let mut secrets = EndpointSecrets {
            password: Some(SecretValue::new("pw-123")),
            ..Default::default()
        };
        secrets.settings.insert(
            "KafkaSettings.SaslPassword".into(),
            SecretValue::new("sasl-456"),
        );
        let err = local_error("CreateEndpoint", "bad values pw-123 and sasl-456");
        let err = redact(err);
        assert_eq!(err.message, "bad values (sensitive) and (sensitive)");
    }
}
