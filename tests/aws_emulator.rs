//! `AwsCloud::read()` through the real AWS SDK against the local emulator: resources created
//! with the SDK come back with their tags, parsed table mappings and statuses; lists longer
//! than a page are read whole; and the number of calls depends only on pagination and tag
//! batching, as counted both by dmsctl and by the emulator.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudwatchlogs as logs;
use aws_sdk_databasemigration as dms;
use aws_sdk_iam as iam;
use dms::config::Credentials;
use dms::types::{
    ComputeConfig, KafkaSaslMechanism, KafkaSecurityProtocol, KafkaSettings, MessageFormatValue,
    MigrationTypeValue, ReplicationEndpointTypeValue, Tag,
};
use dmsctl::aws::AwsCloud;
use dmsctl::cloud::{Cloud, ErrorKind};
use serde_json::json;

use common::emulator::{shared, Emulator};

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"dms.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

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

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

fn mapping(schema: &str) -> String {
    json!({"rules": [{
        "rule-type": "selection", "rule-id": "1", "rule-name": "1",
        "object-locator": {"schema-name": schema, "table-name": "%"},
        "rule-action": "include"
    }]})
    .to_string()
}

async fn create_endpoint(
    client: &dms::Client,
    id: &str,
    kind: ReplicationEndpointTypeValue,
) -> String {
    client
        .create_endpoint()
        .endpoint_identifier(id)
        .endpoint_type(kind)
        .engine_name("mysql")
        .server_name("db.example.com")
        .port(3306)
        .username("admin")
        .password("pw-never-read")
        .tags(tag("dmsctl:stack", "bulk"))
        .send()
        .await
        .expect("create endpoint")
        .endpoint
        .and_then(|e| e.endpoint_arn)
        .expect("endpoint ARN")
}

/// `n` source endpoints, one target, one instance and `n` tasks.
async fn fill(client: &dms::Client, n: usize) {
    let target = create_endpoint(client, "bulk-target", ReplicationEndpointTypeValue::Target).await;
    let instance = client
        .create_replication_instance()
        .replication_instance_identifier("bulk-instance")
        .replication_instance_class("dms.t3.micro")
        .allocated_storage(20)
        .send()
        .await
        .expect("create instance")
        .replication_instance
        .and_then(|i| i.replication_instance_arn)
        .expect("instance ARN");
    for i in 0..n {
        let source = create_endpoint(
            client,
            &format!("bulk-source-{i}"),
            ReplicationEndpointTypeValue::Source,
        )
        .await;
        client
            .create_replication_task()
            .replication_task_identifier(format!("bulk-task-{i}"))
            .source_endpoint_arn(source)
            .target_endpoint_arn(&target)
            .replication_instance_arn(&instance)
            .migration_type(MigrationTypeValue::FullLoad)
            .table_mappings(mapping("app"))
            .tags(tag("dmsctl:stack", "bulk"))
            .send()
            .await
            .expect("create task");
    }
}

async fn ensure_vpc_role(config: &SdkConfig) {
    let client = iam::Client::new(config);
    if client
        .get_role()
        .role_name("dms-vpc-role")
        .send()
        .await
        .is_ok()
    {
        return;
    }
    client
        .create_role()
        .role_name("dms-vpc-role")
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .expect("create role");
    client
        .attach_role_policy()
        .role_name("dms-vpc-role")
        .policy_arn(dmsctl::model::VPC_POLICY)
        .send()
        .await
        .expect("attach policy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_returns_resources_with_tags_mappings_and_statuses() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let config = sdk(emu.url()).await;
    ensure_vpc_role(&config).await;
    let client = dms::Client::new(&config);

    client
        .create_replication_subnet_group()
        .replication_subnet_group_identifier("Shop-Private")
        .replication_subnet_group_description("private subnets")
        .subnet_ids("subnet-1")
        .subnet_ids("subnet-2")
        .tags(tag("dmsctl:stack", "shop"))
        .tags(tag("dmsctl:name", "private"))
        .send()
        .await
        .expect("subnet group");
    let source = client
        .create_endpoint()
        .endpoint_identifier("shop-invoices")
        .endpoint_type(ReplicationEndpointTypeValue::Source)
        .engine_name("mysql")
        .server_name("invoices.db")
        .port(3306)
        .database_name("invoices")
        .username("dms")
        .password("pw-never-read")
        .tags(tag("dmsctl:stack", "shop"))
        .tags(tag("dmsctl:name", "invoices"))
        .send()
        .await
        .expect("source")
        .endpoint
        .and_then(|e| e.endpoint_arn)
        .expect("arn");
    let target = client
        .create_endpoint()
        .endpoint_identifier("shop-events")
        .endpoint_type(ReplicationEndpointTypeValue::Target)
        .engine_name("kafka")
        .kafka_settings(
            KafkaSettings::builder()
                .broker("b-1.msk:9096")
                .topic("invoices")
                .message_format(MessageFormatValue::Json)
                .security_protocol(KafkaSecurityProtocol::SaslSsl)
                .sasl_mechanism(KafkaSaslMechanism::ScramSha512)
                .sasl_username("dms")
                .sasl_password("sasl-never-read")
                .build(),
        )
        .tags(tag("dmsctl:stack", "shop"))
        .tags(tag("dmsctl:name", "events"))
        .send()
        .await
        .expect("target")
        .endpoint
        .and_then(|e| e.endpoint_arn)
        .expect("arn");
    let instance = client
        .create_replication_instance()
        .replication_instance_identifier("Shop-Main")
        .replication_instance_class("dms.t3.medium")
        .allocated_storage(50)
        .replication_subnet_group_identifier("shop-private")
        .tags(tag("dmsctl:stack", "shop"))
        .tags(tag("dmsctl:name", "main"))
        .send()
        .await
        .expect("instance")
        .replication_instance
        .and_then(|i| i.replication_instance_arn)
        .expect("arn");
    for id in ["shop-sync", "shop-idle"] {
        client
            .create_replication_task()
            .replication_task_identifier(id)
            .source_endpoint_arn(&source)
            .target_endpoint_arn(&target)
            .replication_instance_arn(&instance)
            .migration_type(MigrationTypeValue::FullLoadAndCdc)
            .table_mappings(mapping("invoices"))
            .replication_task_settings(r#"{"Logging":{"EnableLogging":true}}"#)
            .tags(tag("dmsctl:stack", "shop"))
            .tags(tag("dmsctl:name", id))
            .send()
            .await
            .expect("task");
    }
    // A task starts from `ready`, which the emulator reaches on the next Describe.
    let tasks = client
        .describe_replication_tasks()
        .send()
        .await
        .expect("describe tasks");
    let sync_arn = tasks
        .replication_tasks()
        .iter()
        .find(|t| t.replication_task_identifier() == Some("shop-sync"))
        .and_then(|t| t.replication_task_arn())
        .expect("shop-sync")
        .to_string();
    client
        .start_replication_task()
        .replication_task_arn(&sync_arn)
        .start_replication_task_type(dms::types::StartReplicationTaskTypeValue::StartReplication)
        .send()
        .await
        .expect("start task");
    let config_arn = client
        .create_replication_config()
        .replication_config_identifier("shop-serverless")
        .source_endpoint_arn(&source)
        .target_endpoint_arn(&target)
        .replication_type(MigrationTypeValue::Cdc)
        .table_mappings(mapping("billing"))
        .compute_config(
            ComputeConfig::builder()
                .min_capacity_units(1)
                .max_capacity_units(4)
                .replication_subnet_group_id("shop-private")
                .build(),
        )
        .tags(tag("dmsctl:stack", "shop"))
        .tags(tag("dmsctl:name", "serverless"))
        .send()
        .await
        .expect("replication config")
        .replication_config
        .and_then(|c| c.replication_config_arn)
        .expect("arn");
    let logs_client = logs::Client::new(&config);
    logs_client
        .create_log_group()
        .log_group_name("dms-tasks-shop-main")
        .send()
        .await
        .expect("log group");
    logs_client
        .put_retention_policy()
        .log_group_name("dms-tasks-shop-main")
        .retention_in_days(14)
        .send()
        .await
        .expect("retention");
    logs_client
        .create_log_group()
        .log_group_name("unrelated")
        .send()
        .await
        .expect("log group");

    let cloud = AwsCloud::new(&config);
    let live = cloud.read().await.expect("read");

    let text = serde_json::to_string(&live).expect("json");
    assert!(!text.contains("never-read"), "a secret leaked: {text}");

    let src = &live.endpoints["shop-invoices"];
    assert_eq!(src.arn, source);
    assert_eq!(src.endpoint_type, "source");
    assert_eq!(src.engine_name, "mysql");
    assert_eq!(src.server_name.as_deref(), Some("invoices.db"));
    assert_eq!(src.port, Some(3306));
    assert_eq!(src.status.as_deref(), Some("active"));
    assert_eq!(src.tags["dmsctl:name"], "invoices");
    let kafka = &live.endpoints["shop-events"].settings["KafkaSettings"];
    assert_eq!(kafka["Broker"], "b-1.msk:9096");
    assert_eq!(kafka["SaslMechanism"], "scram-sha-512");
    assert_eq!(kafka["SecurityProtocol"], "sasl-ssl");
    assert_eq!(kafka.get("SaslPassword"), None);

    let inst = &live.instances["shop-main"];
    assert_eq!(inst.arn, instance);
    assert_eq!(inst.class, "dms.t3.medium");
    assert_eq!(inst.allocated_storage, 50);
    assert_eq!(inst.subnet_group.as_deref(), Some("shop-private"));
    assert_eq!(inst.tags["dmsctl:name"], "main");

    let sync = &live.tasks["shop-sync"];
    assert!(sync.has_run, "{sync:?}");
    assert!(
        ["starting", "running"].contains(&sync.status.as_str()),
        "{}",
        sync.status
    );
    assert_eq!(sync.migration_type, "full-load-and-cdc");
    assert_eq!(
        sync.table_mappings["rules"][0]["object-locator"]["schema-name"],
        "invoices"
    );
    assert_eq!(sync.settings["Logging"]["EnableLogging"], true);
    assert_eq!(sync.tags["dmsctl:name"], "shop-sync");
    let idle = &live.tasks["shop-idle"];
    assert!(!idle.has_run, "{idle:?}");
    assert_eq!(idle.status, "ready");

    let rc = &live.replication_configs["shop-serverless"];
    assert_eq!(rc.arn, config_arn);
    assert_eq!(rc.replication_type, "cdc");
    assert_eq!(rc.compute_config["MaxCapacityUnits"], 4);
    assert_eq!(
        rc.compute_config["ReplicationSubnetGroupId"],
        "shop-private"
    );
    assert_eq!(rc.status.as_deref(), Some("created"));
    assert!(!rc.has_run);
    assert_eq!(rc.tags["dmsctl:name"], "serverless");

    let sg = &live.subnet_groups["shop-private"];
    assert_eq!(
        sg.arn,
        "arn:aws:dms:us-east-1:123456789012:subgrp:shop-private"
    );
    assert_eq!(sg.subnet_ids, ["subnet-1", "subnet-2"]);
    assert_eq!(sg.tags["dmsctl:name"], "private");

    let role = &live.roles["dms-vpc-role"];
    assert!(role.trusts_dms);
    assert_eq!(role.attached_policy_arns, [dmsctl::model::VPC_POLICY]);
    assert_eq!(
        live.log_groups.keys().collect::<Vec<_>>(),
        ["dms-tasks-shop-main"]
    );
    assert_eq!(
        live.log_groups["dms-tasks-shop-main"].retention_days,
        Some(14)
    );

    // Starting the replication makes it one that has run.
    client
        .start_replication()
        .replication_config_arn(&config_arn)
        .start_replication_type("start-replication")
        .send()
        .await
        .expect("start replication");
    let live = cloud.read().await.expect("read again");
    let rc = &live.replication_configs["shop-serverless"];
    assert!(rc.has_run, "{rc:?}");
    assert_ne!(rc.status.as_deref(), Some("created"));
}

/// Reads an account filled with `n` endpoint/task pairs; returns dmsctl's and the emulator's
/// call counts for that one read.
async fn calls_for(emu: &Emulator, n: usize) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let _guard = emu.exclusive().await;
    let config = sdk(emu.url()).await;
    fill(&dms::Client::new(&config), n).await;
    let cloud = AwsCloud::new(&config);
    emu.reset_calls();
    let live = cloud.read().await.expect("read");
    assert_eq!(live.endpoints.len(), n + 1);
    assert_eq!(live.tasks.len(), n);
    assert!(live
        .endpoints
        .values()
        .all(|e| e.tags["dmsctl:stack"] == "bulk"));
    assert!(live
        .tasks
        .values()
        .all(|t| t.tags["dmsctl:stack"] == "bulk"));
    (cloud.calls(), emu.calls())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_do_not_grow_with_resources_beyond_pages_and_tag_batches() {
    let emu = shared();
    let (small, small_seen) = calls_for(emu, 5).await;
    let (large, large_seen) = calls_for(emu, 150).await;
    assert_eq!(small, small_seen, "dmsctl and the emulator disagree");
    assert_eq!(large, large_seen, "dmsctl and the emulator disagree");
    eprintln!("calls for 5 endpoint/task pairs: {small:?}");
    eprintln!("calls for 150 endpoint/task pairs: {large:?}");

    // 151 endpoints and 150 tasks: a second page each. ARNs: 5+1+1+5 = 12 (one tag batch),
    // then 150+1+1+150 = 302 (four batches of 100). Everything else is unchanged.
    let mut expected = small.clone();
    *expected.entry("dms:DescribeEndpoints".into()).or_default() += 1;
    *expected
        .entry("dms:DescribeReplicationTasks".into())
        .or_default() += 1;
    *expected
        .entry("dms:ListTagsForResource".into())
        .or_default() += 3;
    assert_eq!(large, expected);
    assert_eq!(small["dms:DescribeEndpoints"], 1);
    assert_eq!(small["dms:ListTagsForResource"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_throttling_is_retried_not_found_is_empty_denied_is_denied() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let config = sdk(emu.url()).await;
    let cloud = AwsCloud::new(&config);

    emu.fault(json!({"operation": "dms:DescribeEndpoints", "count": 2,
                     "error": "ThrottlingException", "message": "Rate exceeded"}));
    emu.fault(
        json!({"operation": "dms:DescribeReplicationConfigs", "count": 1,
                     "error": "ResourceNotFoundFault",
                     "message": "No Replication Configs found matching provided filters"}),
    );
    let live = cloud.read().await.expect("read despite throttling");
    assert!(live.replication_configs.is_empty());
    assert_eq!(cloud.calls()["dms:DescribeEndpoints"], 3);
    assert_eq!(emu.calls()["dms:DescribeEndpoints"], 3);

    emu.fault(
        json!({"operation": "dms:DescribeReplicationTasks", "count": 1,
                     "error": "AccessDeniedFault", "message": "not authorized to describe tasks"}),
    );
    let err = cloud.read().await.expect_err("denied");
    assert_eq!(err.kind, ErrorKind::Denied);
    assert_eq!(err.operation, "DescribeReplicationTasks");
    assert_eq!(err.message, "not authorized to describe tasks");

    emu.fault(json!({"operation": "iam:GetRole", "count": 0,
                     "error": "Throttling", "status": 400, "message": "Rate exceeded"}));
    let err = cloud.read().await.expect_err("throttled");
    assert_eq!(err.kind, ErrorKind::Throttled);
    assert_eq!(err.operation, "GetRole");
}

/// Credentials that cannot be resolved are `Denied`, and nothing is sent. (aws-smithy-mocks
/// cannot show this: its interceptor replaces the failed attempt's result with the mocked one.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresolvable_credentials_are_denied() {
    let emu = shared();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(
            aws_config::profile::ProfileFileCredentialsProvider::builder()
                .profile_name("dmsctl-test-no-such-profile")
                .build(),
        )
        .endpoint_url(emu.url())
        .load()
        .await;
    let cloud = AwsCloud::new(&config);
    let err = cloud.read().await.expect_err("no credentials");
    assert_eq!(err.kind, ErrorKind::Denied, "{err}");
    assert!(cloud.calls().is_empty(), "{:?}", cloud.calls());
}

/// `--endpoint-url` beats `AWS_ENDPOINT_URL`, `--region` beats the spec's region, and no
/// region at all is a clear error. Runs in
/// a child process: the SDK reads the environment, and changing it in a multi-threaded test
/// binary would race with the other tests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoint_flag_wins_over_the_environment() {
    if let Ok(url) = std::env::var("DMSCTL_TEST_CHILD_URL") {
        let flags = global(Some(&url), Some("us-east-1"));
        let config = sdk_config(&flags, Some("eu-west-3")).await.expect("config");
        assert_eq!(config.region().map(|r| r.as_ref()), Some("us-east-1"));
        AwsCloud::new(&config)
            .read()
            .await
            .expect("read through the flag's endpoint");
        let no_flag = sdk_config(&global(None, None), Some("eu-west-3"))
            .await
            .expect("config");
        assert_eq!(no_flag.region().map(|r| r.as_ref()), Some("eu-west-3"));
        let err = sdk_config(&global(None, None), None)
            .await
            .expect_err("no region anywhere");
        assert_eq!(
            err.to_string(),
            "no region: set `region` in the spec, --region or AWS_REGION"
        );
        return;
    }
    let emu = shared();
    // The child reads the shared account: keep it away from the tests that count calls and
    // inject faults.
    let _guard = emu.exclusive().await;
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "endpoint_flag_wins_over_the_environment",
            "--nocapture",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DMSCTL_TEST_CHILD_URL", emu.url())
        // Nothing listens on port 9: the read fails if this is used instead of the flag.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_CONFIG_FILE", "/nonexistent/dmsctl-test")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/dmsctl-test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run the child");
    assert!(
        out.status.success(),
        "child failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
}

/// The SDK configuration a command builds from its flags and the spec's region.
async fn sdk_config(
    global: &dmsctl::cli::Global,
    spec_region: Option<&str>,
) -> Result<aws_config::SdkConfig, dmsctl::aws::SetupError> {
    let settings = dmsctl::commands::aws_settings(global, spec_region).await?;
    dmsctl::aws::sdk_config(&settings).await
}

fn global(endpoint_url: Option<&str>, region: Option<&str>) -> dmsctl::cli::Global {
    dmsctl::cli::Global {
        file: "dmsctl.yaml".into(),
        profile: None,
        regions: region.map(str::to_string).into_iter().collect(),
        endpoint_url: endpoint_url.map(str::to_string),
        output: dmsctl::cli::Output::Table,
        no_color: false,
        verbose: 0,
    }
}
