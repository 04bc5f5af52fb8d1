//! The SDK adapter (`dmsctl::aws::AwsCloud`) against aws-smithy-mocks: error mapping,
//! pagination, `ResourceNotFoundFault` as empty, retries of throttling, tag batching and the
//! call counter. No network.
//!
//! The service crates' `test-util` feature (which `mock_client!` needs for
//! `with_test_defaults_v2`) is not enabled in the dev-dependencies, so `mocked!` below builds
//! the same client by hand: mock interceptor + mock HTTP client + test region and credentials.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_cloudwatch as cw;
use aws_sdk_cloudwatchlogs as logs;
use aws_sdk_databasemigration as dms;
use aws_sdk_iam as iam;
use aws_sdk_secretsmanager as sm;
use aws_smithy_mocks::{create_mock_http_client, mock, MockResponseInterceptor, Rule, RuleMode};
use dms::config::Credentials;
use dms::error::ErrorMetadata;
use dms::operation::describe_endpoints::{DescribeEndpointsError, DescribeEndpointsOutput};
use dms::operation::describe_replication_configs::{
    DescribeReplicationConfigsError, DescribeReplicationConfigsOutput,
};
use dms::operation::describe_replication_instances::DescribeReplicationInstancesOutput;
use dms::operation::describe_replication_subnet_groups::DescribeReplicationSubnetGroupsOutput;
use dms::operation::describe_replication_tasks::DescribeReplicationTasksOutput;
use dms::operation::describe_replications::DescribeReplicationsOutput;
use dms::operation::list_tags_for_resource::{ListTagsForResourceError, ListTagsForResourceOutput};
use dms::types::error::ResourceNotFoundFault;
use dms::types::{Endpoint, KafkaSettings, ReplicationSubnetGroup, Tag};
use dmsctl::aws::AwsCloud;
use dmsctl::cloud::{Cloud, ErrorKind, MetricSubject};

/// A client of crate `$krate` answering from `$rules` (a `&[&Rule]`), with fast retries.
macro_rules! mocked {
    ($krate:ident, $mode:expr, $rules:expr) => {{
        let mut interceptor = MockResponseInterceptor::new().rule_mode($mode);
        for rule in $rules {
            interceptor = interceptor.with_rule(rule);
        }
        $krate::Client::from_conf(
            $krate::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .credentials_provider(Credentials::new("test", "test", None, None, "mocks"))
                .http_client(create_mock_http_client())
                .interceptor(interceptor)
                .retry_config(
                    RetryConfig::standard()
                        .with_max_attempts(5)
                        .with_initial_backoff(Duration::from_millis(1))
                        .with_max_backoff(Duration::from_millis(5)),
                )
                .build(),
        )
    }};
}

const ACCOUNT_ARN: &str = "arn:aws:dms:us-east-1:123456789012";

fn endpoint(id: &str) -> Endpoint {
    Endpoint::builder()
        .endpoint_identifier(id)
        .endpoint_arn(format!("{ACCOUNT_ARN}:endpoint:{}", id.to_uppercase()))
        .endpoint_type(dms::types::ReplicationEndpointTypeValue::Source)
        .engine_name("mysql")
        .build()
}

fn json_error(code: &str, message: &str) -> String {
    format!(r#"{{"__type":"{code}","message":"{message}"}}"#)
}

/// Rules answering every DMS Describe with nothing (MatchAny: they never run out).
fn empty_dms_rules() -> Vec<Rule> {
    vec![
        mock!(dms::Client::describe_endpoints)
            .then_output(|| DescribeEndpointsOutput::builder().build()),
        mock!(dms::Client::describe_replication_instances)
            .then_output(|| DescribeReplicationInstancesOutput::builder().build()),
        mock!(dms::Client::describe_replication_tasks)
            .then_output(|| DescribeReplicationTasksOutput::builder().build()),
        mock!(dms::Client::describe_replication_configs)
            .then_output(|| DescribeReplicationConfigsOutput::builder().build()),
        mock!(dms::Client::describe_replications)
            .then_output(|| DescribeReplicationsOutput::builder().build()),
        mock!(dms::Client::describe_replication_subnet_groups)
            .then_output(|| DescribeReplicationSubnetGroupsOutput::builder().build()),
        mock!(dms::Client::describe_certificates).then_output(|| {
            dms::operation::describe_certificates::DescribeCertificatesOutput::builder().build()
        }),
        mock!(dms::Client::describe_event_subscriptions).then_output(|| {
            dms::operation::describe_event_subscriptions::DescribeEventSubscriptionsOutput::builder(
            )
            .build()
        }),
        mock!(dms::Client::list_tags_for_resource)
            .then_output(|| ListTagsForResourceOutput::builder().build()),
    ]
}

/// No CloudWatch alarms.
fn no_alarms() -> Vec<Rule> {
    vec![mock!(cw::Client::describe_alarms)
        .then_output(|| cw::operation::describe_alarms::DescribeAlarmsOutput::builder().build())]
}

fn no_roles() -> Vec<Rule> {
    vec![mock!(iam::Client::get_role).then_error(|| {
        iam::operation::get_role::GetRoleError::NoSuchEntityException(
            iam::types::error::NoSuchEntityException::builder()
                .message("The role cannot be found.")
                .build(),
        )
    })]
}

fn no_log_groups() -> Vec<Rule> {
    vec![mock!(logs::Client::describe_log_groups).then_output(|| {
        logs::operation::describe_log_groups::DescribeLogGroupsOutput::builder().build()
    })]
}

/// An `AwsCloud` whose DMS client answers `first` before the empty defaults (MatchAny picks the
/// first matching rule that is not exhausted), and with no roles and no log groups.
fn cloud(first: &[&Rule]) -> AwsCloud {
    let defaults = empty_dms_rules();
    let mut rules: Vec<&Rule> = first.to_vec();
    rules.extend(defaults.iter());
    let iam_rules = no_roles();
    let logs_rules = no_log_groups();
    let no_rules = no_alarms();
    AwsCloud::from_clients(
        mocked!(dms, RuleMode::MatchAny, rules),
        mocked!(iam, RuleMode::MatchAny, iam_rules.iter()),
        mocked!(logs, RuleMode::MatchAny, logs_rules.iter()),
        mocked!(cw, RuleMode::MatchAny, no_rules.iter()),
        mocked!(sm, RuleMode::MatchAny, no_secrets().iter()),
    )
}

#[tokio::test]
async fn empty_account_reads_empty_with_one_call_per_describe() {
    let cloud = cloud(&[]);
    let live = cloud.read().await.expect("read");
    assert_eq!(live, dmsctl::live::Live::default());
    let calls = cloud.calls();
    let expected: BTreeMap<String, u64> = [
        "cloudwatch:DescribeAlarms",
        "dms:DescribeCertificates",
        "dms:DescribeEndpoints",
        "dms:DescribeEventSubscriptions",
        "dms:DescribeReplicationConfigs",
        "dms:DescribeReplicationInstances",
        "dms:DescribeReplicationSubnetGroups",
        "dms:DescribeReplicationTasks",
        "dms:DescribeReplications",
        "logs:DescribeLogGroups",
        "iam:GetRole",
    ]
    .into_iter()
    .map(|k| {
        let n = if k.starts_with("iam:") || k.starts_with("logs:") {
            2
        } else {
            1
        };
        (k.to_string(), n)
    })
    .collect();
    // No ARNs, so no ListTagsForResource at all.
    assert_eq!(calls, expected);
}

#[tokio::test]
async fn error_codes_map_to_kinds_with_the_aws_message() {
    let cases = [
        ("ResourceAlreadyExistsFault", ErrorKind::AlreadyExists),
        ("InvalidResourceStateFault", ErrorKind::InvalidState),
        ("AccessDeniedFault", ErrorKind::Denied),
        ("UnrecognizedClientException", ErrorKind::Denied),
        ("ExpiredTokenException", ErrorKind::Denied),
        ("InvalidClientTokenId", ErrorKind::Denied),
        ("InvalidParameterValueException", ErrorKind::Other),
        ("ThrottlingException", ErrorKind::Throttled),
        ("RequestLimitExceeded", ErrorKind::Throttled),
        ("TooManyRequestsException", ErrorKind::Throttled),
    ];
    for (code, kind) in cases {
        let rule = mock!(dms::Client::describe_endpoints).then_error(move || {
            DescribeEndpointsError::generic(
                ErrorMetadata::builder()
                    .code(code)
                    .message(format!("it went wrong: {code}"))
                    .build(),
            )
        });
        let err = cloud(&[&rule]).read().await.expect_err(code);
        assert_eq!(err.kind, kind, "{code}");
        assert_eq!(err.operation, "DescribeEndpoints");
        assert_eq!(err.message, format!("it went wrong: {code}"));
    }
}

#[tokio::test]
async fn not_found_outside_a_describe_is_an_error() {
    let endpoints = mock!(dms::Client::describe_endpoints).then_output(|| {
        DescribeEndpointsOutput::builder()
            .endpoints(endpoint("a"))
            .build()
    });
    let tags = mock!(dms::Client::list_tags_for_resource).then_error(|| {
        ListTagsForResourceError::ResourceNotFoundFault(
            ResourceNotFoundFault::builder()
                .message("Resource not found")
                .build(),
        )
    });
    let err = cloud(&[&endpoints, &tags]).read().await.expect_err("fails");
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(err.operation, "ListTagsForResource");
    assert_eq!(err.to_string(), "ListTagsForResource: Resource not found");
}

#[tokio::test]
async fn resource_not_found_on_a_describe_is_empty() {
    let rule = mock!(dms::Client::describe_replication_configs).then_error(|| {
        DescribeReplicationConfigsError::ResourceNotFoundFault(
            ResourceNotFoundFault::builder()
                .message("No Replication Configs found matching provided filters")
                .build(),
        )
    });
    let cloud = cloud(&[&rule]);
    let live = cloud.read().await.expect("read");
    assert!(live.replication_configs.is_empty());
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn two_pages_are_both_read() {
    let page1 = mock!(dms::Client::describe_endpoints)
        .match_requests(|r| r.marker().is_none() && r.max_records() == Some(100))
        .then_output(|| {
            DescribeEndpointsOutput::builder()
                .endpoints(endpoint("first"))
                .marker("page-2")
                .build()
        });
    let page2 = mock!(dms::Client::describe_endpoints)
        .match_requests(|r| r.marker() == Some("page-2"))
        .then_output(|| {
            DescribeEndpointsOutput::builder()
                .endpoints(endpoint("second"))
                .build()
        });
    let cloud = cloud(&[&page1, &page2]);
    let live = cloud.read().await.expect("read");
    assert_eq!(
        live.endpoints.keys().collect::<Vec<_>>(),
        ["first", "second"]
    );
    assert_eq!(page1.num_calls(), 1);
    assert_eq!(page2.num_calls(), 1);
    assert_eq!(cloud.calls()["dms:DescribeEndpoints"], 2);
}

#[tokio::test]
async fn throttling_is_retried_and_every_attempt_counted() {
    let rule = mock!(dms::Client::describe_endpoints)
        .sequence()
        .http_status(
            400,
            Some(json_error("ThrottlingException", "Rate exceeded")),
        )
        .times(2)
        .output(|| {
            DescribeEndpointsOutput::builder()
                .endpoints(endpoint("a"))
                .build()
        })
        .build();
    let cloud = cloud(&[&rule]);
    let live = cloud.read().await.expect("read after retries");
    assert_eq!(live.endpoints.len(), 1);
    assert_eq!(rule.num_calls(), 3);
    assert_eq!(cloud.calls()["dms:DescribeEndpoints"], 3);
}

#[tokio::test]
async fn server_errors_are_retried() {
    let rule = mock!(dms::Client::describe_replication_tasks)
        .sequence()
        .http_status(503, Some(json_error("ServiceUnavailable", "try later")))
        .output(|| DescribeReplicationTasksOutput::builder().build())
        .build();
    let cloud = cloud(&[&rule]);
    cloud.read().await.expect("read after a retry");
    assert_eq!(cloud.calls()["dms:DescribeReplicationTasks"], 2);
}

#[tokio::test]
async fn persistent_throttling_gives_up_after_max_attempts() {
    let rule = mock!(dms::Client::describe_endpoints)
        .sequence()
        .http_status(
            400,
            Some(json_error("ThrottlingException", "Rate exceeded")),
        )
        .repeatedly()
        .build();
    let cloud = cloud(&[&rule]);
    let err = cloud.read().await.expect_err("throttled");
    assert_eq!(err.kind, ErrorKind::Throttled);
    assert_eq!(err.message, "Rate exceeded");
    assert_eq!(cloud.calls()["dms:DescribeEndpoints"], 5);
}

#[tokio::test]
async fn tags_of_150_resources_take_two_calls() {
    let endpoints = mock!(dms::Client::describe_endpoints).then_output(|| {
        let mut out = DescribeEndpointsOutput::builder();
        for i in 0..150 {
            out = out.endpoints(endpoint(&format!("e{i:03}")));
        }
        out.build()
    });
    // Tags every ARN it is asked about with its own ARN, naming the resource as DMS does.
    let tags = mock!(dms::Client::list_tags_for_resource)
        .match_requests(|r| r.resource_arn().is_none() && r.resource_arn_list().len() <= 100)
        .then_compute_output(|r| {
            let mut out = ListTagsForResourceOutput::builder();
            for arn in r.resource_arn_list() {
                out = out.tag_list(
                    Tag::builder()
                        .key("dmsctl:name")
                        .value(arn.clone())
                        .resource_arn(arn.clone())
                        .build(),
                );
            }
            out.build()
        });
    let cloud = cloud(&[&endpoints, &tags]);
    let live = cloud.read().await.expect("read");
    assert_eq!(live.endpoints.len(), 150);
    for e in live.endpoints.values() {
        assert_eq!(e.tags["dmsctl:name"], e.arn);
    }
    assert_eq!(tags.num_calls(), 2);
    assert_eq!(cloud.calls()["dms:ListTagsForResource"], 2);
}

#[tokio::test]
async fn subnet_group_arn_is_derived_from_another_arn() {
    let endpoints = mock!(dms::Client::describe_endpoints).then_output(|| {
        DescribeEndpointsOutput::builder()
            .endpoints(endpoint("a"))
            .build()
    });
    let groups = mock!(dms::Client::describe_replication_subnet_groups).then_output(|| {
        DescribeReplicationSubnetGroupsOutput::builder()
            .replication_subnet_groups(
                ReplicationSubnetGroup::builder()
                    .replication_subnet_group_identifier("grp")
                    .replication_subnet_group_description("private")
                    .build(),
            )
            .build()
    });
    let want = format!("{ACCOUNT_ARN}:subgrp:grp");
    let expected = want.clone();
    let tags = mock!(dms::Client::list_tags_for_resource)
        .match_requests(move |r| r.resource_arn_list().contains(&expected))
        .then_output(move || {
            ListTagsForResourceOutput::builder()
                .tag_list(
                    Tag::builder()
                        .key("dmsctl:stack")
                        .value("shop")
                        .resource_arn(format!("{ACCOUNT_ARN}:subgrp:grp"))
                        .build(),
                )
                .build()
        });
    let live = cloud(&[&endpoints, &groups, &tags])
        .read()
        .await
        .expect("read");
    let g = &live.subnet_groups["grp"];
    assert_eq!(g.arn, want);
    assert_eq!(g.tags["dmsctl:stack"], "shop");
    assert_eq!(tags.num_calls(), 1);
}

#[tokio::test]
async fn kafka_secrets_never_reach_live_state() {
    let endpoints = mock!(dms::Client::describe_endpoints).then_output(|| {
        DescribeEndpointsOutput::builder()
            .endpoints(with_kafka())
            .build()
    });
    let live = cloud(&[&endpoints]).read().await.expect("read");
    let text = serde_json::to_string(&live).expect("json");
    assert!(!text.contains("s3cr3t"), "{text}");
    let k = &live.endpoints["k"].settings["KafkaSettings"];
    assert_eq!(k["Broker"], "b-1:9096");
    assert_eq!(k["SaslUsername"], "dms");
}

fn with_kafka() -> Endpoint {
    let mut e = endpoint("k");
    e.kafka_settings = Some(
        KafkaSettings::builder()
            .broker("b-1:9096")
            .topic("invoices")
            .sasl_username("dms")
            .sasl_password("s3cr3t-sasl")
            .ssl_client_key_password("s3cr3t-key")
            .build(),
    );
    e
}

#[tokio::test]
async fn roles_are_read_with_trust_and_policies() {
    const DOC: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22dms.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
    let get_role = mock!(iam::Client::get_role)
        .match_requests(|r| r.role_name() == Some("dms-vpc-role"))
        .then_output(|| {
            iam::operation::get_role::GetRoleOutput::builder()
                .role(
                    iam::types::Role::builder()
                        .path("/")
                        .role_name("dms-vpc-role")
                        .role_id("AROA1")
                        .arn("arn:aws:iam::123456789012:role/dms-vpc-role")
                        .create_date(aws_smithy_types::DateTime::from_secs(0))
                        .assume_role_policy_document(DOC)
                        .build()
                        .expect("role"),
                )
                .build()
        });
    let policies = |marker: Option<&'static str>, arn: &'static str, next: Option<&'static str>| {
        mock!(iam::Client::list_attached_role_policies)
            .match_requests(move |r| r.marker() == marker)
            .then_output(move || {
                let out = iam::operation::list_attached_role_policies::ListAttachedRolePoliciesOutput::builder()
                    .attached_policies(iam::types::AttachedPolicy::builder().policy_arn(arn).build());
                match next {
                    Some(m) => out.is_truncated(true).marker(m).build(),
                    None => out.build(),
                }
            })
    };
    let p1 = policies(None, "arn:aws:iam::aws:policy/B", Some("m"));
    let p2 = policies(Some("m"), "arn:aws:iam::aws:policy/A", None);
    let absent = no_roles();
    let iam_rules: Vec<&Rule> = vec![&get_role, &p1, &p2, &absent[0]];
    let dms_rules = empty_dms_rules();
    let logs_rules = no_log_groups();
    let no_rules = no_alarms();
    let cloud = AwsCloud::from_clients(
        mocked!(dms, RuleMode::MatchAny, dms_rules.iter()),
        mocked!(iam, RuleMode::MatchAny, iam_rules),
        mocked!(logs, RuleMode::MatchAny, logs_rules.iter()),
        mocked!(cw, RuleMode::MatchAny, no_rules.iter()),
        mocked!(sm, RuleMode::MatchAny, no_secrets().iter()),
    );
    let live = cloud.read().await.expect("read");
    assert_eq!(live.roles.len(), 1, "dms-cloudwatch-logs-role is absent");
    let role = &live.roles["dms-vpc-role"];
    assert!(role.trusts_dms);
    assert_eq!(
        role.attached_policy_arns,
        ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"]
    );
    let calls = cloud.calls();
    assert_eq!(calls["iam:GetRole"], 2);
    assert_eq!(calls["iam:ListAttachedRolePolicies"], 2);
}

/// CDC latency: the task's metrics are found by its resource id among those listed, other
/// stacks' metrics and the instance-wide aggregate are ignored, and the newest point wins.
#[tokio::test]
async fn cdc_latency_matches_listed_metrics_to_replications() {
    use cw::operation::get_metric_data::GetMetricDataOutput;
    use cw::operation::list_metrics::ListMetricsOutput;
    use cw::primitives::DateTime;
    use cw::types::{Dimension, Metric, MetricDataResult};

    let metric = |name: &str, dims: &[(&str, &str)]| {
        let mut m = Metric::builder().namespace("AWS/DMS").metric_name(name);
        for (n, v) in dims {
            m = m.dimensions(Dimension::builder().name(*n).value(*v).build());
        }
        m.build()
    };
    let listed = |name: &'static str| {
        mock!(cw::Client::list_metrics)
            .match_requests(move |r| r.metric_name() == Some(name))
            .then_output(move || {
                ListMetricsOutput::builder()
                    .metrics(metric(
                        name,
                        &[
                            ("ReplicationInstanceIdentifier", "s-main"),
                            ("ReplicationTaskIdentifier", "TASKRESOURCEID"),
                        ],
                    ))
                    .metrics(metric(
                        name,
                        &[
                            ("ReplicationInstanceIdentifier", "other-main"),
                            ("ReplicationTaskIdentifier", "SOMEONEELSE"),
                        ],
                    ))
                    .metrics(metric(name, &[("ReplicationInstanceIdentifier", "s-main")]))
                    .build()
            })
    };
    let data = mock!(cw::Client::get_metric_data)
        .match_requests(|r| {
            // Exactly the task's two metrics are queried.
            r.metric_data_queries().len() == 2
        })
        .then_output(|| {
            let result = |id: &str, values: &[f64], at: &[i64]| {
                MetricDataResult::builder()
                    .id(id)
                    .set_values(Some(values.to_vec()))
                    .set_timestamps(Some(at.iter().map(|t| DateTime::from_secs(*t)).collect()))
                    .build()
            };
            GetMetricDataOutput::builder()
                .metric_data_results(result("m0", &[4.0, 9.0], &[1_795_000_120, 1_795_000_060]))
                .metric_data_results(result("m1", &[12.0], &[1_795_000_120]))
                .build()
        });
    let (source, target) = (listed("CDCLatencySource"), listed("CDCLatencyTarget"));
    let cw_rules: Vec<&Rule> = vec![&source, &target, &data];
    let dms_rules = empty_dms_rules();
    let (iam_rules, logs_rules) = (no_roles(), no_log_groups());
    let cloud = AwsCloud::from_clients(
        mocked!(dms, RuleMode::MatchAny, dms_rules.iter()),
        mocked!(iam, RuleMode::MatchAny, iam_rules.iter()),
        mocked!(logs, RuleMode::MatchAny, logs_rules.iter()),
        mocked!(cw, RuleMode::MatchAny, cw_rules),
        mocked!(sm, RuleMode::MatchAny, no_secrets().iter()),
    );
    let arn = "arn:aws:dms:eu-central-1:123456789012:task:TASKRESOURCEID";
    let latency = cloud
        .cdc_latency(&[MetricSubject {
            arn: arn.into(),
            identifier: "s-history".into(),
        }])
        .await
        .expect("latency");
    assert_eq!(latency.len(), 1, "{latency:?}");
    let l = &latency[arn];
    assert_eq!(
        l.source_seconds,
        Some(4.0),
        "the newest point, not the largest"
    );
    assert_eq!(l.target_seconds, Some(12.0));
    assert_eq!(l.at.as_deref(), Some("2026-11-18T11:08:40Z"));
    let calls = cloud.calls();
    assert_eq!(calls.get("cloudwatch:ListMetrics"), Some(&2), "{calls:?}");
    assert_eq!(calls.get("cloudwatch:GetMetricData"), Some(&1), "{calls:?}");
}

/// Without anything to ask about, CloudWatch is not called at all.
#[tokio::test]
async fn cdc_latency_of_nothing_makes_no_call() {
    let cloud = cloud(&[]);
    let latency = cloud.cdc_latency(&[]).await.expect("latency");
    assert!(latency.is_empty());
    assert!(cloud.calls().keys().all(|k| !k.starts_with("cloudwatch:")));
}

fn no_secrets() -> Vec<Rule> {
    Vec::new()
}

#[tokio::test]
async fn alarms_on_dms_latency_are_read_over_pages_with_their_tags_and_others_are_left_alone() {
    use cw::types::{Dimension, MetricAlarm};
    let alarm = |name: &str, namespace: &str, metric: &str| {
        MetricAlarm::builder()
            .alarm_name(name)
            .alarm_arn(format!(
                "arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"
            ))
            .namespace(namespace)
            .metric_name(metric)
            .dimensions(
                Dimension::builder()
                    .name("ReplicationTaskIdentifier")
                    .value("ABC")
                    .build(),
            )
            .dimensions(
                Dimension::builder()
                    .name("ReplicationInstanceIdentifier")
                    .value("i")
                    .build(),
            )
            .threshold(300.0)
            .build()
    };
    let first = mock!(cw::Client::describe_alarms)
        .match_requests(|r| r.next_token().is_none() && r.max_records() == Some(100))
        .then_output(move || {
            cw::operation::describe_alarms::DescribeAlarmsOutput::builder()
                .metric_alarms(alarm(
                    "shop-lag-orders-cdc-latency-source",
                    "AWS/DMS",
                    "CDCLatencySource",
                ))
                .metric_alarms(alarm("cpu", "AWS/EC2", "CPUUtilization"))
                .next_token("p2")
                .build()
        });
    let second = mock!(cw::Client::describe_alarms)
        .match_requests(|r| r.next_token() == Some("p2"))
        .then_output(move || {
            cw::operation::describe_alarms::DescribeAlarmsOutput::builder()
                .metric_alarms(alarm("dms-memory", "AWS/DMS", "FreeableMemory"))
                .build()
        });
    let tags = mock!(cw::Client::list_tags_for_resource)
        .match_requests(|r| r.resource_arn() == Some("arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-lag-orders-cdc-latency-source"))
        .then_output(|| {
            cw::operation::list_tags_for_resource::ListTagsForResourceOutput::builder()
                .tags(cw::types::Tag::builder().key("dmsctl:stack").value("shop").build())
                .build()
        });
    let subscriptions = mock!(dms::Client::describe_event_subscriptions).then_output(|| {
        dms::operation::describe_event_subscriptions::DescribeEventSubscriptionsOutput::builder()
            .event_subscriptions_list(
                dms::types::EventSubscription::builder()
                    .cust_subscription_id("shop-failures")
                    .customer_aws_id("123456789012")
                    .sns_topic_arn("arn:aws:sns:us-east-1:123456789012:t")
                    .source_type("replication-task")
                    .source_ids_list("shop-orders")
                    .event_categories_list("state change")
                    .event_categories_list("failure")
                    .enabled(true)
                    .build(),
            )
            .build()
    });
    let dms_defaults = empty_dms_rules();
    let mut dms_rules: Vec<&Rule> = vec![&subscriptions];
    dms_rules.extend(dms_defaults.iter());
    let (iam_rules, logs_rules) = (no_roles(), no_log_groups());
    let cloud = AwsCloud::from_clients(
        mocked!(dms, RuleMode::MatchAny, dms_rules),
        mocked!(iam, RuleMode::MatchAny, iam_rules.iter()),
        mocked!(logs, RuleMode::MatchAny, logs_rules.iter()),
        mocked!(cw, RuleMode::MatchAny, [&first, &second, &tags]),
        mocked!(sm, RuleMode::MatchAny, no_secrets().iter()),
    );
    let live = cloud.read().await.expect("read");
    assert_eq!(
        live.alarms.keys().collect::<Vec<_>>(),
        ["shop-lag-orders-cdc-latency-source"]
    );
    let a = &live.alarms["shop-lag-orders-cdc-latency-source"];
    assert_eq!(a.tags["dmsctl:stack"], "shop");
    assert_eq!(
        a.dimensions,
        [
            ("ReplicationInstanceIdentifier".to_string(), "i".to_string()),
            ("ReplicationTaskIdentifier".to_string(), "ABC".to_string())
        ]
    );
    let calls = cloud.calls();
    assert_eq!(calls["cloudwatch:DescribeAlarms"], 2);
    // Only the alarm on a DMS latency metric had its tags read.
    assert_eq!(calls["cloudwatch:ListTagsForResource"], 1);
    let s = &live.event_subscriptions["shop-failures"];
    assert_eq!(s.arn, "arn:aws:dms:us-east-1:123456789012:es:shop-failures");
    assert_eq!(s.event_categories, ["failure", "state change"]);
    assert_eq!(calls["dms:DescribeEventSubscriptions"], 1);
    // Its tags come with the other DMS resources' in one batched read.
    assert_eq!(calls["dms:ListTagsForResource"], 1);
}
