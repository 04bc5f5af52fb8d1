//! Test helpers: a [`Desired`] from spec text, and the [`Live`] state DMS would report right
//! after creating exactly that (with the defaults DMS fills in and its own spelling), so planner
//! tests start from "in sync" and change one thing.

use serde_json::{json, Value as Json};

use crate::live::*;
use crate::model::{self, Desired, Tag};
use crate::spec::types::ComputeMode;

pub(crate) const ACCOUNT: &str = "123456789012";

/// Builds the desired state from spec text; panics with the diagnostics when it is invalid.
pub(crate) fn desired_from(yaml: &str) -> Desired {
    let checked = crate::spec::check_text("test.yaml", yaml, &|_| true);
    let spec = checked.valid_spec(false).unwrap_or_else(|| {
        panic!(
            "test spec is invalid: {:#?}",
            checked
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
        )
    });
    Desired::from_spec(spec)
}

/// A deterministic DMS ARN (real ones end in a random resource id).
pub(crate) fn dms_arn(segment: &str, id: &str) -> String {
    format!(
        "arn:aws:dms:eu-central-1:{ACCOUNT}:{segment}:{}",
        id.to_uppercase().replace('-', "")
    )
}

fn tags(t: &[Tag]) -> Tags {
    t.iter().map(|t| (t.key.clone(), t.value.clone())).collect()
}

/// Task settings as DMS returns them: every section filled in, the spec's values on top.
pub(crate) fn dms_task_settings(desired: &Json) -> Json {
    let mut base = json!({
        "TargetMetadata": {
            "TargetSchema": "", "SupportLobs": true, "FullLobMode": false, "LobChunkSize": 64,
            "LimitedSizeLobMode": true, "LobMaxSize": 32, "BatchApplyEnabled": false
        },
        "FullLoadSettings": {
            "TargetTablePrepMode": "DROP_AND_CREATE", "CreatePkAfterFullLoad": false,
            "StopTaskCachedChangesApplied": false, "MaxFullLoadSubTasks": 8, "CommitRate": 10000
        },
        "Logging": {
            "EnableLogging": false,
            "LogComponents": [
                {"Id": "TRANSFORMATION", "Severity": "LOGGER_SEVERITY_DEFAULT"},
                {"Id": "SOURCE_UNLOAD", "Severity": "LOGGER_SEVERITY_DEFAULT"},
                {"Id": "TARGET_LOAD", "Severity": "LOGGER_SEVERITY_DEFAULT"}
            ],
            "CloudWatchLogGroup": null,
            "CloudWatchLogStream": null
        },
        "ControlTablesSettings": {"HistoryTimeslotInMinutes": 5, "HistoryTableEnabled": false},
        "ErrorBehavior": {"DataErrorPolicy": "LOG_ERROR", "TableErrorPolicy": "SUSPEND_TABLE"}
    });
    model::merge(&mut base, desired);
    base
}

/// What DMS reports right after dmsctl created everything in `d`.
pub(crate) fn live_from(d: &Desired) -> Live {
    let mut live = Live::default();
    for c in d.certificates.values() {
        live.certificates.insert(
            c.certificate_identifier.to_lowercase(),
            crate::live::LiveCertificate {
                arn: dms_arn("cert", &c.certificate_identifier),
                identifier: c.certificate_identifier.clone(),
                pem: c.certificate_pem.clone(),
                tags: tags(&c.tags),
            },
        );
    }
    for r in &d.iam_roles {
        live.roles.insert(
            r.role_name.clone(),
            LiveRole {
                name: r.role_name.clone(),
                arn: format!("arn:aws:iam::{ACCOUNT}:role/{}", r.role_name),
                trusts_dms: true,
                attached_policy_arns: r.attached_policy_arns.clone(),
            },
        );
    }
    for g in d.subnet_groups.values() {
        let id = g.replication_subnet_group_identifier.to_lowercase();
        live.subnet_groups.insert(
            id.clone(),
            LiveSubnetGroup {
                arn: dms_arn("subgrp", &id),
                identifier: id,
                description: g.replication_subnet_group_description.clone(),
                // DMS does not keep the order they were given in.
                subnet_ids: g.subnet_ids.iter().rev().cloned().collect(),
                vpc_id: Some("vpc-0123".into()),
                status: Some("Complete".into()),
                tags: tags(&g.tags),
            },
        );
    }
    let instances = d.mode == ComputeMode::Instances;
    for i in d.instances.values().filter(|_| instances) {
        let id = i.replication_instance_identifier.to_lowercase();
        live.instances.insert(
            id.clone(),
            LiveInstance {
                arn: dms_arn("rep", &id),
                identifier: id.clone(),
                class: i.replication_instance_class.clone(),
                allocated_storage: i.allocated_storage,
                multi_az: i.multi_az,
                engine_version: i.engine_version.clone().or(Some("3.5.4".into())),
                subnet_group: Some(
                    i.replication_subnet_group_identifier
                        .clone()
                        .unwrap_or("default".into())
                        .to_lowercase(),
                ),
                publicly_accessible: i.publicly_accessible,
                vpc_security_group_ids: if i.vpc_security_group_ids.is_empty() {
                    vec!["sg-default".into()]
                } else {
                    i.vpc_security_group_ids.clone()
                },
                availability_zone: i.availability_zone.clone().or(Some("eu-central-1a".into())),
                kms_key_id: Some(format!(
                    "arn:aws:kms:eu-central-1:{ACCOUNT}:key/{}",
                    i.kms_key_id.clone().unwrap_or("aws-dms-default".into())
                )),
                preferred_maintenance_window: i
                    .preferred_maintenance_window
                    .clone()
                    .map(|w| w.to_lowercase())
                    .or(Some("sun:05:00-sun:05:30".into())),
                status: "available".into(),
                tags: tags(&i.tags),
            },
        );
        if let Some(days) = d.log_retention_days {
            let name = format!("dms-tasks-{id}");
            live.log_groups.insert(
                name.clone(),
                LiveLogGroup {
                    name,
                    retention_days: i32::try_from(days).ok(),
                },
            );
        }
    }
    for e in d.endpoints.values() {
        let id = e.endpoint_identifier.to_lowercase();
        let mut settings = std::collections::BTreeMap::new();
        for (k, v) in &e.settings {
            let mut v = v.clone();
            // DMS never returns secrets, and fills in its defaults.
            if let Some(m) = v.as_object_mut() {
                m.retain(|member, _| !e.secret_settings.contains_key(&format!("{k}.{member}")));
                if k == "KafkaSettings" {
                    m.entry("MessageMaxBytes").or_insert(json!(1000000));
                    m.entry("IncludeNullAndEmpty").or_insert(json!(false));
                    m.entry("MessageFormat").or_insert(json!("json"));
                }
            }
            settings.insert(k.clone(), v);
        }
        live.endpoints.insert(
            id.clone(),
            LiveEndpoint {
                arn: dms_arn("endpoint", &id),
                identifier: id,
                // DMS answers in upper case.
                endpoint_type: e.endpoint_type.to_uppercase(),
                engine_name: e.engine_name.to_string(),
                server_name: e.server_name.clone(),
                port: e.port,
                database_name: e.database_name.clone(),
                username: e.username.clone(),
                ssl_mode: Some(e.ssl_mode.unwrap_or("none").to_string()),
                certificate_arn: e.certificate_arn.clone().or_else(|| {
                    let c = d.certificates.get(e.certificate.as_ref()?)?;
                    Some(dms_arn("cert", &c.certificate_identifier))
                }),
                extra_connection_attributes: e
                    .extra_connection_attributes
                    .clone()
                    .map(|a| format!("{a};")),
                status: Some("active".into()),
                settings,
                tags: tags(&e.tags),
            },
        );
    }
    let endpoint_arn = |name: &str| {
        d.endpoints
            .get(name)
            .map(|e| dms_arn("endpoint", &e.endpoint_identifier.to_lowercase()))
            .unwrap_or_default()
    };
    for t in d.tasks.values() {
        let id = t.replication_task_identifier.to_lowercase();
        let instance = d
            .instances
            .get(&t.replication_instance)
            .map(|i| dms_arn("rep", &i.replication_instance_identifier.to_lowercase()))
            .unwrap_or_default();
        live.tasks.insert(
            id.clone(),
            LiveTask {
                arn: dms_arn("task", &id),
                identifier: id,
                source_endpoint_arn: endpoint_arn(&t.source_endpoint),
                target_endpoint_arn: endpoint_arn(&t.target_endpoint),
                replication_instance_arn: instance,
                migration_type: t.migration_type.to_string(),
                table_mappings: t.table_mappings.clone(),
                settings: dms_task_settings(&t.replication_task_settings),
                status: "ready".into(),
                has_run: false,
                last_failure_message: None,
                stop_reason: None,
                stats: None,
                tags: tags(&t.tags),
            },
        );
    }
    for r in d.replication_configs.values() {
        let id = r.replication_config_identifier.to_lowercase();
        let mut compute = r.compute_config.clone();
        if let Some(m) = compute.as_object_mut() {
            m.entry("VpcSecurityGroupIds")
                .or_insert(json!(["sg-default"]));
            m.entry("PreferredMaintenanceWindow")
                .or_insert(json!("sun:05:00-sun:05:30"));
        }
        live.replication_configs.insert(
            id.clone(),
            LiveReplicationConfig {
                arn: dms_arn("replication-config", &id),
                identifier: id,
                source_endpoint_arn: endpoint_arn(&r.source_endpoint),
                target_endpoint_arn: endpoint_arn(&r.target_endpoint),
                replication_type: r.replication_type.to_string(),
                compute_config: compute,
                table_mappings: r.table_mappings.clone(),
                settings: dms_task_settings(&r.replication_settings),
                status: Some("created".into()),
                has_run: false,
                failure_messages: Vec::new(),
                stats: None,
                provisioned_dcu: None,
                tags: tags(&r.tags),
            },
        );
    }
    for e in d.event_subscriptions.values() {
        let l = live_event_subscription(e);
        live.event_subscriptions.insert(l.name.to_lowercase(), l);
    }
    for a in d.alarms.values() {
        let replication = live
            .tasks
            .values()
            .map(|t| (&t.tags, &t.arn))
            .chain(live.replication_configs.values().map(|r| (&r.tags, &r.arn)))
            .find(|(t, _)| t.get(model::TAG_NAME) == Some(&a.replication))
            .map(|(_, arn)| arn.clone())
            .unwrap_or_default();
        let l = live_alarm(a, &d.alarm_dimensions(a, &replication), &replication);
        live.alarms.insert(l.name.to_lowercase(), l);
    }
    live
}

/// A DMS event subscription as DMS reports it once created from `e`.
pub(crate) fn live_event_subscription(
    e: &model::DesiredEventSubscription,
) -> LiveEventSubscription {
    LiveEventSubscription {
        arn: format!(
            "arn:aws:dms:eu-central-1:{ACCOUNT}:es:{}",
            e.subscription_name
        ),
        name: e.subscription_name.clone(),
        sns_topic_arn: e.sns_topic_arn.clone(),
        source_type: Some(e.source_type.to_string()),
        event_categories: e.event_categories.clone(),
        source_ids: e.source_ids.clone(),
        enabled: e.enabled,
        status: Some("active".into()),
        tags: tags(&e.tags),
    }
}

/// A CloudWatch alarm as `DescribeAlarms` reports it once put from `a`, on the replication at
/// `replication_arn`.
pub(crate) fn live_alarm(
    a: &model::DesiredAlarm,
    dimensions: &[(String, String)],
    replication_arn: &str,
) -> LiveAlarm {
    LiveAlarm {
        arn: model::alarm_arn(replication_arn, &a.alarm_name).unwrap_or_default(),
        name: a.alarm_name.clone(),
        description: Some(a.alarm_description.clone()),
        namespace: Some(a.namespace.to_string()),
        metric_name: Some(a.metric_name.to_string()),
        statistic: Some(a.statistic.to_string()),
        comparison_operator: Some(a.comparison_operator.to_string()),
        threshold: Some(a.threshold),
        period: Some(a.period),
        evaluation_periods: Some(a.evaluation_periods),
        datapoints_to_alarm: a.datapoints_to_alarm,
        treat_missing_data: Some(a.treat_missing_data.to_string()),
        actions_enabled: true,
        alarm_actions: a.alarm_actions.clone(),
        ok_actions: a.ok_actions.clone(),
        dimensions: dimensions.to_vec(),
        state: Some("INSUFFICIENT_DATA".into()),
        tags: tags(&a.tags),
    }
}
