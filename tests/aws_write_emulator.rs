//! `CloudWrite` for `AwsCloud` through the real AWS SDK against the local emulator: the whole
//! life of a task on an instance and of a serverless replication, IAM roles, log retention and
//! log events, error kinds, secrets that reach DMS but never the live state or an error, and a
//! throttled call that the SDK retries.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudwatchlogs as logs;
use aws_sdk_databasemigration as dms;
use dms::config::Credentials;
use dmsctl::aws::AwsCloud;
use dmsctl::cloud::{
    CdcStart, Cloud, CloudWrite, EndpointSecrets, ErrorKind, ReplicationKind, SecretValue,
    StartKind, Waitable,
};
use dmsctl::model::{
    DesiredEndpoint, DesiredInstance, DesiredReplicationConfig, DesiredRole, DesiredSubnetGroup,
    DesiredTask, Tag, CLOUDWATCH_LOGS_POLICY, CLOUDWATCH_LOGS_ROLE, VPC_POLICY, VPC_ROLE,
};
use dmsctl::spec::types::SecretRef;
use serde_json::{json, Value as Json};

use common::emulator::shared;

const DB_PASSWORD: &str = "db-pw-never-shown-7c1";
const SASL_PASSWORD: &str = "sasl-pw-never-shown-9d2";

/// SDK configuration for the emulator: fixed test credentials, us-east-1, fast retries.
async fn sdk(url: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .endpoint_url(url)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(5)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(50)),
        )
        .load()
        .await
}

fn tags(stack: &str, name: &str) -> Vec<Tag> {
    vec![
        Tag {
            key: "dmsctl:name".into(),
            value: name.into(),
        },
        Tag {
            key: "dmsctl:stack".into(),
            value: stack.into(),
        },
        Tag {
            key: "team".into(),
            value: "billing".into(),
        },
    ]
}

fn trust() -> Json {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "dms.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    })
}

fn mappings(schema: &str) -> Json {
    json!({"rules": [{
        "rule-type": "selection", "rule-id": "1", "rule-name": "1",
        "object-locator": {"schema-name": schema, "table-name": "%"},
        "rule-action": "include"
    }]})
}

fn mysql_source(stack: &str, id: &str) -> DesiredEndpoint {
    DesiredEndpoint {
        endpoint_identifier: id.into(),
        endpoint_type: "source",
        engine_name: "mysql",
        server_name: Some("invoices.db.internal".into()),
        port: Some(3306),
        database_name: Some("invoices".into()),
        username: Some("dms".into()),
        password: Some(dmsctl::model::Sensitive(SecretRef::Env("DB_PW".into()))),
        ssl_mode: Some("require"),
        certificate_arn: None,
        certificate: None,
        extra_connection_attributes: Some("parallelLoadThreads=4".into()),
        settings: BTreeMap::new(),
        secret_settings: BTreeMap::new(),
        tags: tags(stack, "invoices"),
    }
}

fn kafka_target(stack: &str, id: &str) -> DesiredEndpoint {
    let mut secret_settings = BTreeMap::new();
    secret_settings.insert(
        "KafkaSettings.SaslPassword".to_string(),
        SecretRef::Env("SASL_PW".into()),
    );
    let mut settings = BTreeMap::new();
    settings.insert(
        "KafkaSettings".to_string(),
        json!({
            "Broker": "b-1.msk.internal:9096,b-2.msk.internal:9096",
            "Topic": "invoices",
            "MessageFormat": "json",
            "SecurityProtocol": "sasl-ssl",
            "SaslMechanism": "scram-sha-512",
            "SaslUsername": "dms",
            "SaslPassword": "(sensitive, from $SASL_PW)",
            "IncludeNullAndEmpty": true
        }),
    );
    DesiredEndpoint {
        endpoint_identifier: id.into(),
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
        settings,
        secret_settings,
        tags: tags(stack, "events"),
    }
}

fn mysql_secrets() -> EndpointSecrets {
    EndpointSecrets {
        password: Some(SecretValue::new(DB_PASSWORD)),
        settings: BTreeMap::new(),
    }
}

fn kafka_secrets() -> EndpointSecrets {
    let mut settings = BTreeMap::new();
    settings.insert(
        "KafkaSettings.SaslPassword".to_string(),
        SecretValue::new(SASL_PASSWORD),
    );
    EndpointSecrets {
        password: None,
        settings,
    }
}

/// Polls `status` until it is `want`; each Describe moves the emulator one step.
async fn wait_for(cloud: &AwsCloud, kind: Waitable, arn: &str, want: &str) {
    let mut seen = Vec::new();
    for _ in 0..40 {
        let status = cloud.status(kind, arn).await.expect("status");
        let now = status.map(|s| s.status).unwrap_or_else(|| "(gone)".into());
        if now == want {
            return;
        }
        seen.push(now);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{kind:?} {arn} never reached `{want}`: {seen:?}");
}

/// Creates the role, or accepts that an earlier test of this binary did.
async fn ensure_role(cloud: &AwsCloud, name: &str, policy: &str) {
    let role = DesiredRole {
        role_name: name.into(),
        assume_role_policy_document: trust(),
        attached_policy_arns: vec![policy.into()],
    };
    match cloud.create_role(&role).await {
        Ok(()) => {}
        Err(e) if e.kind == ErrorKind::AlreadyExists => {}
        Err(e) => panic!("create role {name}: {e}"),
    }
    cloud
        .attach_role_policy(name, policy)
        .await
        .expect("attach policy");
}

fn assert_no_secret(text: &str) {
    for secret in [DB_PASSWORD, SASL_PASSWORD] {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_mode_round_trip() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let config = sdk(emu.url()).await;
    let cloud = AwsCloud::new(&config);

    // IAM: a new role, the same role again, its policy and trust.
    ensure_role(&cloud, VPC_ROLE, VPC_POLICY).await;
    ensure_role(&cloud, CLOUDWATCH_LOGS_ROLE, CLOUDWATCH_LOGS_POLICY).await;
    let again = cloud
        .create_role(&DesiredRole {
            role_name: CLOUDWATCH_LOGS_ROLE.into(),
            assume_role_policy_document: trust(),
            attached_policy_arns: vec![],
        })
        .await
        .expect_err("a second CreateRole fails");
    assert_eq!(again.kind, ErrorKind::AlreadyExists, "{again}");
    assert_eq!(again.operation, "CreateRole");
    cloud
        .update_trust_policy(CLOUDWATCH_LOGS_ROLE, &trust())
        .await
        .expect("update trust");

    // Subnet group: the ARN the reader derives for it.
    let mut group = DesiredSubnetGroup {
        replication_subnet_group_identifier: "RT-Private".into(),
        replication_subnet_group_description: "private subnets".into(),
        subnet_ids: vec!["subnet-1".into(), "subnet-2".into()],
        tags: tags("rt", "private"),
    };
    let group_arn = cloud
        .create_subnet_group(&group)
        .await
        .expect("subnet group");
    assert_eq!(
        group_arn,
        "arn:aws:dms:us-east-1:123456789012:subgrp:rt-private"
    );
    group.replication_subnet_group_description = "private subnets, three AZs".into();
    group.subnet_ids.push("subnet-3".into());
    cloud
        .modify_subnet_group(&group)
        .await
        .expect("modify group");

    // Instance.
    let mut instance = DesiredInstance {
        replication_instance_identifier: "rt-main".into(),
        replication_instance_class: "dms.t3.medium".into(),
        allocated_storage: 50,
        multi_az: false,
        engine_version: Some("3.5.3".into()),
        replication_subnet_group_identifier: Some("rt-private".into()),
        publicly_accessible: false,
        vpc_security_group_ids: vec!["sg-1".into()],
        availability_zone: Some("us-east-1a".into()),
        kms_key_id: None,
        preferred_maintenance_window: Some("sun:03:00-sun:04:00".into()),
        tags: tags("rt", "main"),
    };
    let instance_arn = cloud.create_instance(&instance).await.expect("instance");
    wait_for(&cloud, Waitable::Instance, &instance_arn, "available").await;

    // Endpoints, secrets included.
    let source = mysql_source("rt", "rt-invoices");
    let target = kafka_target("rt", "rt-events");
    let source_arn = cloud
        .create_endpoint(&source, &mysql_secrets())
        .await
        .expect("source endpoint");
    let target_arn = cloud
        .create_endpoint(&target, &kafka_secrets())
        .await
        .expect("target endpoint");
    wait_for(&cloud, Waitable::Endpoint, &source_arn, "active").await;

    let live = cloud.read().await.expect("read");
    assert_no_secret(&serde_json::to_string(&live).expect("json"));
    let src = &live.endpoints["rt-invoices"];
    assert_eq!(src.arn, source_arn);
    assert_eq!(src.endpoint_type, "source");
    assert_eq!(src.engine_name, "mysql");
    assert_eq!(src.server_name.as_deref(), Some("invoices.db.internal"));
    assert_eq!(src.port, Some(3306));
    assert_eq!(src.database_name.as_deref(), Some("invoices"));
    assert_eq!(src.username.as_deref(), Some("dms"));
    assert_eq!(src.ssl_mode.as_deref(), Some("require"));
    assert_eq!(
        src.extra_connection_attributes.as_deref(),
        Some("parallelLoadThreads=4")
    );
    assert_eq!(src.tags["dmsctl:stack"], "rt");
    assert_eq!(src.tags["dmsctl:name"], "invoices");
    assert_eq!(src.tags["team"], "billing");
    let tgt = &live.endpoints["rt-events"];
    assert_eq!(tgt.endpoint_type, "target");
    let kafka = &tgt.settings["KafkaSettings"];
    assert_eq!(
        kafka["Broker"],
        "b-1.msk.internal:9096,b-2.msk.internal:9096"
    );
    assert_eq!(kafka["Topic"], "invoices");
    assert_eq!(kafka["MessageFormat"], "json");
    assert_eq!(kafka["SecurityProtocol"], "sasl-ssl");
    assert_eq!(kafka["SaslMechanism"], "scram-sha-512");
    assert_eq!(kafka["SaslUsername"], "dms");
    assert_eq!(kafka["IncludeNullAndEmpty"], true);
    assert_eq!(tgt.tags["dmsctl:name"], "events");
    let inst = &live.instances["rt-main"];
    assert_eq!(inst.arn, instance_arn);
    assert_eq!(inst.class, "dms.t3.medium");
    assert_eq!(inst.allocated_storage, 50);
    assert_eq!(inst.engine_version.as_deref(), Some("3.5.3"));
    assert_eq!(inst.subnet_group.as_deref(), Some("rt-private"));
    assert_eq!(inst.vpc_security_group_ids, ["sg-1"]);
    assert_eq!(
        inst.preferred_maintenance_window.as_deref(),
        Some("sun:03:00-sun:04:00")
    );
    assert_eq!(inst.tags["dmsctl:name"], "main");
    let sg = &live.subnet_groups["rt-private"];
    assert_eq!(sg.arn, group_arn);
    assert_eq!(sg.description, "private subnets, three AZs");
    assert_eq!(sg.subnet_ids, ["subnet-1", "subnet-2", "subnet-3"]);
    assert_eq!(sg.tags["dmsctl:name"], "private");
    assert!(live.roles[CLOUDWATCH_LOGS_ROLE].trusts_dms);
    assert_eq!(
        live.roles[CLOUDWATCH_LOGS_ROLE].attached_policy_arns,
        [CLOUDWATCH_LOGS_POLICY]
    );

    // The secret reached DMS in place of its placeholder (moto echoes Kafka's SaslPassword,
    // which the reader drops and this raw SDK call does not).
    let raw = dms::Client::new(&config)
        .describe_endpoints()
        .send()
        .await
        .expect("describe endpoints");
    let raw_kafka = raw
        .endpoints()
        .iter()
        .find_map(|e| e.kafka_settings())
        .expect("kafka settings");
    assert_eq!(raw_kafka.sasl_password(), Some(SASL_PASSWORD));

    // Modify the endpoints: without secrets the live secret stays; with them it is replaced.
    let mut source = source;
    source.port = Some(3307);
    cloud
        .modify_endpoint(&source_arn, &source, None)
        .await
        .expect("modify source");
    cloud
        .modify_endpoint(&target_arn, &target, None)
        .await
        .expect("modify target without secrets");
    let sasl = |out: dms::operation::describe_endpoints::DescribeEndpointsOutput| {
        out.endpoints()
            .iter()
            .find_map(|e| e.kafka_settings())
            .and_then(|k| k.sasl_password().map(str::to_string))
    };
    let describe = || {
        dms::Client::new(&config)
            .describe_endpoints()
            .filters(
                dms::types::Filter::builder()
                    .name("endpoint-arn")
                    .values(&target_arn)
                    .build()
                    .expect("filter"),
            )
            .send()
    };
    assert_eq!(
        sasl(describe().await.expect("describe")).as_deref(),
        Some(SASL_PASSWORD)
    );
    let mut rotated = EndpointSecrets::default();
    rotated.settings.insert(
        "KafkaSettings.SaslPassword".into(),
        SecretValue::new("rotated-sasl"),
    );
    cloud
        .modify_endpoint(&target_arn, &target, Some(&rotated))
        .await
        .expect("modify target with secrets");
    assert_eq!(
        sasl(describe().await.expect("describe")).as_deref(),
        Some("rotated-sasl")
    );

    // Modify the instance: applied at once, back to available.
    instance.replication_instance_class = "dms.t3.large".into();
    instance.allocated_storage = 100;
    cloud
        .modify_instance(&instance_arn, &instance)
        .await
        .expect("modify instance");
    wait_for(&cloud, Waitable::Instance, &instance_arn, "available").await;

    // Task: create, ready, start, running, refuse a modify, stop, modify.
    let mut task = DesiredTask {
        replication_task_identifier: "rt-sync".into(),
        source_endpoint: "invoices".into(),
        target_endpoint: "events".into(),
        replication_instance: "main".into(),
        migration_type: "full-load-and-cdc",
        table_mappings: mappings("invoices"),
        replication_task_settings: json!({"Logging": {"EnableLogging": true}}),
        cdc_start_time: None,
        cdc_start_position: None,
        cdc_stop_position: None,
        tags: tags("rt", "sync"),
    };
    let task_arn = cloud
        .create_task(&task, &source_arn, &target_arn, &instance_arn)
        .await
        .expect("task");
    wait_for(&cloud, Waitable::Task, &task_arn, "ready").await;
    cloud
        .start_task(&task_arn, StartKind::StartReplication, None)
        .await
        .expect("start task");
    wait_for(&cloud, Waitable::Task, &task_arn, "running").await;

    task.table_mappings = mappings("billing");
    let running = cloud
        .modify_task(&task_arn, &task)
        .await
        .expect_err("a running task cannot be modified");
    assert_eq!(running.kind, ErrorKind::InvalidState, "{running}");
    assert_eq!(running.operation, "ModifyReplicationTask");

    cloud.stop_task(&task_arn).await.expect("stop task");
    wait_for(&cloud, Waitable::Task, &task_arn, "stopped").await;
    task.migration_type = "cdc";
    task.cdc_start_time = Some("2026-01-01T00:00:00Z".into());
    cloud
        .modify_task(&task_arn, &task)
        .await
        .expect("modify task");
    wait_for(&cloud, Waitable::Task, &task_arn, "ready").await;
    cloud
        .add_tags(
            &task_arn,
            &[Tag {
                key: "owner".into(),
                value: "platform".into(),
            }],
        )
        .await
        .expect("add tags");

    let live = cloud.read().await.expect("read after modify");
    let t = &live.tasks["rt-sync"];
    assert_eq!(t.arn, task_arn);
    assert_eq!(t.source_endpoint_arn, source_arn);
    assert_eq!(t.target_endpoint_arn, target_arn);
    assert_eq!(t.replication_instance_arn, instance_arn);
    assert_eq!(t.migration_type, "cdc");
    assert_eq!(
        t.table_mappings["rules"][0]["object-locator"]["schema-name"],
        "billing"
    );
    assert_eq!(t.settings["Logging"]["EnableLogging"], true);
    assert_eq!(t.tags["dmsctl:name"], "sync");
    assert_eq!(t.tags["owner"], "platform");
    assert_eq!(live.instances["rt-main"].class, "dms.t3.large");
    assert_eq!(live.instances["rt-main"].allocated_storage, 100);
    assert_eq!(live.endpoints["rt-invoices"].port, Some(3307));

    // Table statistics, seeded through the control API (nothing replicates here).
    let seed = json!({"ReplicationTaskArn": task_arn, "TableStatistics": [
        {"SchemaName": "invoices", "TableName": "invoice", "TableState": "Table completed",
         "FullLoadRows": 120, "Inserts": 3, "Updates": 2, "Deletes": 1},
        {"SchemaName": "invoices", "TableName": "line", "TableState": "Table loading",
         "FullLoadRows": 7}
    ]});
    let (code, body) = emu.http("POST", "/_dmsctl/table-statistics", Some(&seed.to_string()));
    assert_eq!(code, 200, "{body}");
    let stats = cloud
        .table_statistics(ReplicationKind::Task, &task_arn)
        .await
        .expect("table statistics");
    assert_eq!(stats.len(), 2, "{stats:?}");
    assert_eq!(stats[0].table, "invoice");
    assert_eq!(stats[0].state, "Table completed");
    assert_eq!(stats[0].full_load_rows, 120);
    assert_eq!(
        (stats[0].inserts, stats[0].updates, stats[0].deletes),
        (3, 2, 1)
    );
    assert_eq!(stats[1].state, "Table loading");

    // Tear down in reverse order.
    cloud.delete_task(&task_arn).await.expect("delete task");
    assert_eq!(
        cloud
            .status(Waitable::Task, &task_arn)
            .await
            .expect("status"),
        None
    );
    cloud
        .delete_endpoint(&source_arn)
        .await
        .expect("delete source");
    cloud
        .delete_endpoint(&target_arn)
        .await
        .expect("delete target");
    assert_eq!(
        cloud
            .status(Waitable::Endpoint, &source_arn)
            .await
            .expect("status"),
        None
    );
    cloud
        .delete_instance(&instance_arn)
        .await
        .expect("delete instance");
    cloud
        .delete_subnet_group("rt-private")
        .await
        .expect("delete subnet group");
    let live = cloud.read().await.expect("read after delete");
    assert!(live.tasks.is_empty(), "{:?}", live.tasks);
    assert!(live.endpoints.is_empty(), "{:?}", live.endpoints);
    assert!(live.instances.is_empty(), "{:?}", live.instances);
    assert!(live.subnet_groups.is_empty(), "{:?}", live.subnet_groups);
    assert!(live.roles.contains_key(VPC_ROLE));

    let calls = cloud.calls();
    assert_eq!(calls.get("dms:CreateEndpoint"), Some(&2), "{calls:?}");
    assert_eq!(calls.get("iam:CreateRole"), Some(&3), "{calls:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serverless_round_trip() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let config = sdk(emu.url()).await;
    let cloud = AwsCloud::new(&config);

    let source_arn = cloud
        .create_endpoint(&mysql_source("sl", "sl-invoices"), &mysql_secrets())
        .await
        .expect("source");
    let target_arn = cloud
        .create_endpoint(&kafka_target("sl", "sl-events"), &kafka_secrets())
        .await
        .expect("target");
    let mut config_desired = DesiredReplicationConfig {
        replication_config_identifier: "sl-sync".into(),
        source_endpoint: "invoices".into(),
        target_endpoint: "events".into(),
        replication_type: "full-load-and-cdc",
        compute_config: json!({
            "MinCapacityUnits": 1, "MaxCapacityUnits": 4, "MultiAZ": false,
            "VpcSecurityGroupIds": ["sg-1"], "PreferredMaintenanceWindow": "sun:03:00-sun:04:00"
        }),
        table_mappings: mappings("invoices"),
        replication_settings: json!({"Logging": {"EnableLogging": true}}),
        cdc_start_time: None,
        tags: tags("sl", "sync"),
    };
    let arn = cloud
        .create_replication_config(&config_desired, &source_arn, &target_arn)
        .await
        .expect("replication config");
    let status = cloud
        .status(Waitable::ReplicationConfig, &arn)
        .await
        .expect("status")
        .expect("exists");
    assert_eq!(status.status, "created");

    let live = cloud.read().await.expect("read");
    let rc = &live.replication_configs["sl-sync"];
    assert_eq!(rc.arn, arn);
    assert_eq!(rc.source_endpoint_arn, source_arn);
    assert_eq!(rc.target_endpoint_arn, target_arn);
    assert_eq!(rc.replication_type, "full-load-and-cdc");
    assert_eq!(rc.compute_config["MaxCapacityUnits"], 4);
    assert_eq!(rc.compute_config["VpcSecurityGroupIds"], json!(["sg-1"]));
    assert_eq!(rc.settings["Logging"]["EnableLogging"], true);
    assert_eq!(rc.tags["dmsctl:name"], "sync");

    cloud
        .start_replication(&arn, StartKind::StartReplication, None, None)
        .await
        .expect("start");
    wait_for(&cloud, Waitable::ReplicationConfig, &arn, "running").await;

    // Per-table statistics of a serverless replication (DescribeReplicationTableStatistics),
    // seeded through the control API.
    let seed = json!({"ReplicationConfigArn": arn, "TableStatistics": [
        {"SchemaName": "billing", "TableName": "invoice", "TableState": "Table completed",
         "FullLoadRows": 42, "Inserts": 5, "Updates": 4, "Deletes": 3}
    ]});
    let (code, body) = emu.http("POST", "/_dmsctl/table-statistics", Some(&seed.to_string()));
    assert_eq!(code, 200, "{body}");
    let stats = cloud
        .table_statistics(ReplicationKind::Serverless, &arn)
        .await
        .expect("replication table statistics");
    assert_eq!(stats.len(), 1, "{stats:?}");
    assert_eq!(
        (
            stats[0].schema.as_str(),
            stats[0].table.as_str(),
            stats[0].state.as_str()
        ),
        ("billing", "invoice", "Table completed")
    );
    assert_eq!(
        (
            stats[0].full_load_rows,
            stats[0].inserts,
            stats[0].updates,
            stats[0].deletes
        ),
        (42, 5, 4, 3)
    );

    config_desired.table_mappings = mappings("billing");
    let running = cloud
        .modify_replication_config(&arn, &config_desired, &source_arn, &target_arn)
        .await
        .expect_err("a running replication cannot be modified");
    assert_eq!(running.kind, ErrorKind::InvalidState, "{running}");
    let busy = cloud
        .delete_replication_config(&arn)
        .await
        .expect_err("a running replication cannot be deleted");
    assert_eq!(busy.kind, ErrorKind::InvalidState, "{busy}");

    cloud.stop_replication(&arn).await.expect("stop");
    wait_for(&cloud, Waitable::ReplicationConfig, &arn, "stopped").await;
    config_desired.compute_config["MaxCapacityUnits"] = json!(8);
    cloud
        .modify_replication_config(&arn, &config_desired, &source_arn, &target_arn)
        .await
        .expect("modify when stopped");
    let live = cloud.read().await.expect("read after modify");
    let rc = &live.replication_configs["sl-sync"];
    assert_eq!(rc.compute_config["MaxCapacityUnits"], 8);
    assert_eq!(
        rc.table_mappings["rules"][0]["object-locator"]["schema-name"],
        "billing"
    );
    assert!(rc.has_run);

    // Resume with a CDC start time.
    cloud
        .start_replication(
            &arn,
            StartKind::ResumeProcessing,
            Some(&CdcStart::Time("2026-01-01T00:00:00+01:00".into())),
            None,
        )
        .await
        .expect("resume");
    wait_for(&cloud, Waitable::ReplicationConfig, &arn, "running").await;
    cloud.stop_replication(&arn).await.expect("stop again");
    wait_for(&cloud, Waitable::ReplicationConfig, &arn, "stopped").await;

    cloud.delete_replication_config(&arn).await.expect("delete");
    assert_eq!(
        cloud
            .status(Waitable::ReplicationConfig, &arn)
            .await
            .expect("status"),
        None
    );
    assert!(cloud
        .read()
        .await
        .expect("read after delete")
        .replication_configs
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_retention_and_events() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let config = sdk(emu.url()).await;
    let cloud = AwsCloud::new(&config);
    let raw = logs::Client::new(&config);

    // A new group, then the same group with another retention.
    cloud
        .set_log_retention("dms-tasks-rt-main", 14)
        .await
        .expect("new group");
    let live = cloud.read().await.expect("read");
    assert_eq!(
        live.log_groups["dms-tasks-rt-main"].retention_days,
        Some(14)
    );
    cloud
        .set_log_retention("dms-tasks-rt-main", 30)
        .await
        .expect("existing group");
    let live = cloud.read().await.expect("read");
    assert_eq!(
        live.log_groups["dms-tasks-rt-main"].retention_days,
        Some(30)
    );

    // A missing group has no events.
    let none = cloud
        .log_events("dms-tasks-missing", "", 0, None)
        .await
        .expect("missing group");
    assert!(none.is_empty());

    // Events written through the SDK come back in time order, filtered.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    for stream in ["dms-task-AAA", "other-stream"] {
        raw.create_log_stream()
            .log_group_name("dms-tasks-rt-main")
            .log_stream_name(stream)
            .send()
            .await
            .expect("stream");
    }
    let event = |t: i64, m: &str| {
        logs::types::InputLogEvent::builder()
            .timestamp(t)
            .message(m)
            .build()
            .expect("event")
    };
    raw.put_log_events()
        .log_group_name("dms-tasks-rt-main")
        .log_stream_name("dms-task-AAA")
        .log_events(event(now - 2000, "]I: Task started"))
        .log_events(event(now - 1000, "]E: Table error invoices.line"))
        .send()
        .await
        .expect("put events");
    raw.put_log_events()
        .log_group_name("dms-tasks-rt-main")
        .log_stream_name("other-stream")
        .log_events(event(now - 1500, "unrelated ERROR"))
        .send()
        .await
        .expect("put events");

    let all = cloud
        .log_events("dms-tasks-rt-main", "", now - 60_000, None)
        .await
        .expect("all events");
    let messages: Vec<&str> = all.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "]I: Task started",
            "unrelated ERROR",
            "]E: Table error invoices.line"
        ]
    );
    assert_eq!(all[0].timestamp_ms, now - 2000);
    assert_eq!(all[0].stream, "dms-task-AAA");

    // moto 5.2.5 ignores `logStreamNamePrefix` (it reads only `logStreamNames`), so the
    // prefix is sent here but its effect cannot be checked against the emulator.
    let errors = cloud
        .log_events(
            "dms-tasks-rt-main",
            "dms-task-",
            now - 60_000,
            Some("Table"),
        )
        .await
        .expect("filtered");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message, "]E: Table error invoices.line");
    let later = cloud
        .log_events("dms-tasks-rt-main", "", now - 1200, None)
        .await
        .expect("since");
    assert_eq!(later.len(), 1, "{later:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_endpoint_is_already_exists() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let cloud = AwsCloud::new(&sdk(emu.url()).await);
    let endpoint = mysql_source("dup", "dup-invoices");
    cloud
        .create_endpoint(&endpoint, &mysql_secrets())
        .await
        .expect("first");
    let err = cloud
        .create_endpoint(&endpoint, &mysql_secrets())
        .await
        .expect_err("second");
    assert_eq!(err.kind, ErrorKind::AlreadyExists, "{err}");
    assert_eq!(err.operation, "CreateEndpoint");
    assert_no_secret(&format!("{err} {err:?}"));

    // Deleting what is gone is NotFound.
    let gone = cloud
        .delete_endpoint("arn:aws:dms:us-east-1:123456789012:endpoint:NOSUCHENDPOINT")
        .await
        .expect_err("gone");
    assert_eq!(gone.kind, ErrorKind::NotFound, "{gone}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_create_is_retried() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let cloud = AwsCloud::new(&sdk(emu.url()).await);
    emu.fault(json!({"operation": "dms:CreateEndpoint", "count": 1, "error": "ThrottlingException", "message": "Rate exceeded"}));
    let arn = cloud
        .create_endpoint(&kafka_target("thr", "thr-events"), &kafka_secrets())
        .await
        .expect("retried and created");
    assert!(
        arn.starts_with("arn:aws:dms:us-east-1:123456789012:endpoint:"),
        "{arn}"
    );
    assert_eq!(emu.calls().get("dms:CreateEndpoint"), Some(&2));
    assert_eq!(cloud.calls().get("dms:CreateEndpoint"), Some(&2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_echoed_in_errors_are_redacted() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let cloud = AwsCloud::new(&sdk(emu.url()).await);
    // A validation message that quotes the offending value, as some services do.
    emu.fault(json!({
        "operation": "dms:CreateEndpoint", "count": 1,
        "error": "InvalidParameterValueException",
        "message": format!("Invalid Password '{DB_PASSWORD}' and SaslPassword '{SASL_PASSWORD}'")
    }));
    let mut secrets = mysql_secrets();
    secrets.settings = kafka_secrets().settings;
    let err = cloud
        .create_endpoint(&kafka_target("red", "red-events"), &secrets)
        .await
        .expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Other, "{err}");
    assert_no_secret(&format!("{err} {err:?}"));
    assert!(err.message.contains("(sensitive)"), "{err}");
}
