//! `dmsctl plan` and `dmsctl diff` end to end: the real binary, through the real AWS SDK,
//! against the local emulator. Resources "made out of band" are created here with the SDK
//! directly, not with dmsctl.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_databasemigration as dms;
use aws_sdk_iam as iam;
use dms::config::Credentials;
use dms::types::{ComputeConfig, DmsSslModeValue, ReplicationEndpointTypeValue, Tag};
use dmsctl::model::{Desired, DesiredEndpoint};
use serde_json::Value as Json;

use common::emulator::{shared, Emulator};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

fn desired(path: &Path) -> Desired {
    let checked = dmsctl::spec::load(path).expect("readable spec");
    let spec = checked.valid_spec(false).expect("valid spec");
    Desired::from_spec(spec)
}

fn dmsctl(emu: &Emulator, args: &[&str]) -> Output {
    emu.dmsctl()
        .args(args)
        .env("SCI_BACKEND_PASSWORD", "backend-secret-value")
        .env("SCI_RECEIVER_PASSWORD", "receiver-secret-value")
        .output()
        .expect("dmsctl runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn plan_json(emu: &Emulator, spec: &Path) -> (Option<i32>, Json, String) {
    let out = dmsctl(
        emu,
        &[
            "plan",
            "-f",
            spec.to_str().expect("utf-8"),
            "--detailed-exitcode",
            "-o",
            "json",
        ],
    );
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "plan JSON ({e}):\n{}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        )
    });
    (out.status.code(), json, text(&out.stderr))
}

async fn sdk(url: &str, region: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .endpoint_url(url)
        .load()
        .await
}

fn tags(list: &[dmsctl::model::Tag]) -> Vec<Tag> {
    list.iter()
        .map(|t| Tag::builder().key(&t.key).value(&t.value).build())
        .collect()
}

async fn ensure_roles(config: &SdkConfig, desired: &Desired) {
    let client = iam::Client::new(config);
    for role in &desired.iam_roles {
        if client
            .get_role()
            .role_name(&role.role_name)
            .send()
            .await
            .is_err()
        {
            client
                .create_role()
                .role_name(&role.role_name)
                .assume_role_policy_document(role.assume_role_policy_document.to_string())
                .send()
                .await
                .expect("create role");
        }
        for arn in &role.attached_policy_arns {
            client
                .attach_role_policy()
                .role_name(&role.role_name)
                .policy_arn(arn)
                .send()
                .await
                .expect("attach policy");
        }
    }
}

async fn create_endpoint(client: &dms::Client, e: &DesiredEndpoint, with_tags: bool) -> String {
    let mut req = client
        .create_endpoint()
        .endpoint_identifier(&e.endpoint_identifier)
        .endpoint_type(ReplicationEndpointTypeValue::from(e.endpoint_type))
        .engine_name(e.engine_name)
        .set_server_name(e.server_name.clone())
        .set_port(e.port.map(|p| p as i32))
        .set_database_name(e.database_name.clone())
        .set_username(e.username.clone())
        .password("made-out-of-band")
        .set_extra_connection_attributes(e.extra_connection_attributes.clone())
        .set_ssl_mode(e.ssl_mode.map(DmsSslModeValue::from));
    if with_tags {
        req = req.set_tags(Some(tags(&e.tags)));
    }
    req.send()
        .await
        .expect("create endpoint")
        .endpoint
        .and_then(|e| e.endpoint_arn)
        .expect("endpoint ARN")
}

/// Creates everything the serverless example asks for, with the stack's tags, as someone
/// clicking in the console with care would.
async fn create_serverless_stack(config: &SdkConfig, d: &Desired) {
    ensure_roles(config, d).await;
    let client = dms::Client::new(config);
    for g in d.subnet_groups.values() {
        client
            .create_replication_subnet_group()
            .replication_subnet_group_identifier(&g.replication_subnet_group_identifier)
            .replication_subnet_group_description(&g.replication_subnet_group_description)
            .set_subnet_ids(Some(g.subnet_ids.clone()))
            .set_tags(Some(tags(&g.tags)))
            .send()
            .await
            .expect("subnet group");
    }
    let mut arns = std::collections::BTreeMap::new();
    for (name, e) in &d.endpoints {
        arns.insert(name.clone(), create_endpoint(&client, e, true).await);
    }
    for r in d.replication_configs.values() {
        let cc = &r.compute_config;
        let compute = ComputeConfig::builder()
            .set_min_capacity_units(cc["MinCapacityUnits"].as_i64().map(|v| v as i32))
            .set_max_capacity_units(cc["MaxCapacityUnits"].as_i64().map(|v| v as i32))
            .set_multi_az(cc["MultiAZ"].as_bool())
            .set_replication_subnet_group_id(
                cc["ReplicationSubnetGroupId"].as_str().map(String::from),
            )
            .set_vpc_security_group_ids(cc["VpcSecurityGroupIds"].as_array().map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            }))
            .build();
        client
            .create_replication_config()
            .replication_config_identifier(&r.replication_config_identifier)
            .source_endpoint_arn(&arns[&r.source_endpoint])
            .target_endpoint_arn(&arns[&r.target_endpoint])
            .replication_type(dms::types::MigrationTypeValue::from(r.replication_type))
            .compute_config(compute)
            .table_mappings(r.table_mappings.to_string())
            .replication_settings(r.replication_settings.to_string())
            .set_tags(Some(tags(&r.tags)))
            .send()
            .await
            .expect("replication config");
    }
}

fn actions(plan: &Json) -> Vec<(String, String, String)> {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap_or_default().to_string(),
                c["name"].as_str().unwrap_or_default().to_string(),
                c["action"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn changed(plan: &Json) -> Vec<(String, String, String)> {
    actions(plan)
        .into_iter()
        .filter(|(_, _, a)| a != "no-op")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_account_plans_every_create_and_exits_2() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let (code, plan, stderr) = plan_json(emu, &example("sci-sync-serverless.yaml"));
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(plan["format_version"], 1);
    assert_eq!(plan["stack"], "sci-sync");
    let ch = changed(&plan);
    assert!(ch.iter().all(|(_, _, a)| a == "create"), "{ch:?}");
    let kinds: Vec<&str> = ch.iter().map(|(k, _, _)| k.as_str()).collect();
    // IAM roles exist only if an earlier test in this binary created them (IAM is not reset).
    let dms_kinds: Vec<&str> = kinds.iter().copied().filter(|k| *k != "iam-role").collect();
    assert_eq!(
        dms_kinds,
        [
            "subnet-group",
            "endpoint",
            "endpoint",
            "replication-config",
            "replication-config"
        ]
    );
    assert_eq!(plan["summary"]["create"].as_u64(), Some(ch.len() as u64));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_made_out_of_band_with_the_stack_tags_plan_as_no_op() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let spec = example("sci-sync-serverless.yaml");
    let d = desired(&spec);
    let config = sdk(emu.url(), "eu-central-1").await;
    create_serverless_stack(&config, &d).await;

    let (code, plan, stderr) = plan_json(emu, &spec);
    assert_eq!(changed(&plan), [], "{plan:#}\n{stderr}");
    assert_eq!(code, Some(0), "{stderr}");
    let table = dmsctl(emu, &["plan", "-f", spec.to_str().expect("utf-8")]);
    assert!(
        text(&table.stdout).contains("No changes."),
        "{}",
        text(&table.stdout)
    );

    // `diff` agrees: no drift, exit 0.
    let diff = dmsctl(emu, &["diff", "-f", spec.to_str().expect("utf-8")]);
    assert_eq!(
        diff.status.code(),
        Some(0),
        "{}{}",
        text(&diff.stdout),
        text(&diff.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_field_plans_an_update_with_its_reason_and_diff_shows_it() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let spec = example("sci-sync-serverless.yaml");
    let config = sdk(emu.url(), "eu-central-1").await;
    create_serverless_stack(&config, &desired(&spec)).await;

    let dir = tempfile::tempdir().expect("tempdir");
    let edited = dir.path().join("dmsctl.yaml");
    let text_before = std::fs::read_to_string(&spec).expect("example");
    std::fs::write(
        &edited,
        text_before.replace("max_dcu: 4", "max_dcu: 8").replace(
            "table: send_invoice_history_item }",
            "table: send_invoice_history_line }",
        ),
    )
    .expect("write");

    let (code, plan, stderr) = plan_json(emu, &edited);
    assert_eq!(code, Some(2), "{stderr}");
    let ch = changed(&plan);
    assert_eq!(
        ch,
        [
            (
                "replication-config".into(),
                "invoice-recipients".into(),
                "update".into()
            ),
            (
                "replication-config".into(),
                "send-invoice-history".into(),
                "update".into()
            ),
        ],
        "{plan:#}"
    );
    let sih = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["name"] == "send-invoice-history")
        .expect("change");
    let reasons = sih["reasons"].to_string();
    assert!(
        reasons.contains("max_dcu") || reasons.contains("MaxCapacityUnits"),
        "{reasons}"
    );
    let fields: Vec<&str> = sih["diffs"]
        .as_array()
        .expect("diffs")
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert!(
        fields.iter().any(|f| f.contains("MaxCapacityUnits")),
        "{fields:?}"
    );
    assert!(
        fields.iter().any(|f| f.contains("TableMappings")),
        "{fields:?}"
    );

    let diff = dmsctl(
        emu,
        &[
            "diff",
            "-f",
            edited.to_str().expect("utf-8"),
            "send-invoice-history",
        ],
    );
    assert_eq!(diff.status.code(), Some(2));
    let out = text(&diff.stdout);
    assert!(out.contains("send_invoice_history_line"), "{out}");
    assert!(
        !out.contains("invoice-recipients"),
        "only the named resource: {out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untagged_resource_with_a_wanted_identifier_is_a_conflict() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let spec = example("sci-sync-serverless.yaml");
    let d = desired(&spec);
    let config = sdk(emu.url(), "eu-central-1").await;
    let client = dms::Client::new(&config);
    create_endpoint(&client, &d.endpoints["backend"], false).await;

    let out = dmsctl(
        emu,
        &["plan", "-f", spec.to_str().expect("utf-8"), "-o", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let plan: Json = serde_json::from_slice(&out.stdout).expect("json");
    let conflicts = plan["conflicts"].as_array().expect("conflicts");
    assert_eq!(conflicts.len(), 1, "{plan:#}");
    assert_eq!(conflicts[0]["id"], "sci-sync-backend");
    assert!(
        !actions(&plan)
            .iter()
            .any(|(k, n, _)| k == "endpoint" && n == "backend"),
        "the conflicting endpoint must not be planned: {plan:#}"
    );
    assert!(
        text(&out.stderr).contains("not owned by stack `sci-sync`"),
        "{}",
        text(&out.stderr)
    );
    let spec_arg = spec.to_str().expect("utf-8");

    // Adoption asks first; without a terminal and --auto-approve it changes nothing.
    let out = dmsctl(emu, &["adopt", "-f", spec_arg]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("sci-sync-backend")
            && text(&out.stderr).contains("re-run with --auto-approve"),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let out = dmsctl(emu, &["adopt", "-f", spec_arg, "no-such-name"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("the spec has no resource `no-such-name`"));
    let (code, plan, _) = plan_json(emu, &spec);
    assert_eq!(code, Some(1), "still a conflict: {plan:#}");

    // Adopted: the endpoint gets the stack's tags and becomes an ordinary resource of it.
    let out = dmsctl(emu, &["adopt", "-f", spec_arg, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("adopted endpoint backend (sci-sync-backend)"),
        "{}",
        text(&out.stdout)
    );
    let (code, plan, err) = plan_json(emu, &spec);
    assert_eq!(code, Some(2), "changes, no conflict: {err}");
    assert!(plan["conflicts"].as_array().expect("conflicts").is_empty());
    assert!(
        !actions(&plan)
            .iter()
            .any(|(k, n, a)| k == "endpoint" && n == "backend" && a != "no-op" && a != "update"),
        "the adopted endpoint is compared, not created: {plan:#}"
    );
    let out = dmsctl(emu, &["adopt", "-f", spec_arg, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("Nothing to adopt"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_stacks_resources_are_invisible() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let config = sdk(emu.url(), "eu-central-1").await;
    let client = dms::Client::new(&config);
    let other = desired(&example("sci-sync-serverless.yaml"));
    let mut foreign = other.endpoints["backend"].clone();
    foreign.endpoint_identifier = "billing-backend".into();
    for t in &mut foreign.tags {
        if t.key == "dmsctl:stack" {
            t.value = "billing".into();
        }
    }
    create_endpoint(&client, &foreign, true).await;

    let (code, plan, stderr) = plan_json(emu, &example("sci-sync-serverless.yaml"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(plan["conflicts"].as_array().expect("conflicts").is_empty());
    assert!(
        !plan.to_string().contains("billing-backend"),
        "another stack's endpoint appears in the plan: {plan:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_removed_from_the_spec_plans_a_delete_and_the_saved_plan_has_no_secret() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let spec = example("sci-sync-serverless.yaml");
    let config = sdk(emu.url(), "eu-central-1").await;
    create_serverless_stack(&config, &desired(&spec)).await;

    let dir = tempfile::tempdir().expect("tempdir");
    let edited = dir.path().join("dmsctl.yaml");
    let full = std::fs::read_to_string(&spec).expect("example");
    let start = full
        .find("  invoice-recipients:\n    source:")
        .expect("replication");
    let end = full[start..].find("\ncompute:").expect("compute") + start;
    let mut cut = full.clone();
    cut.replace_range(start..end, "");
    let cut = cut.replace("  invoice-recipients:\n    - include: { schema: sci_backend, table: invoice_recipient }\n    - exclude: { schema: sci_backend, table: \"tmp_%\" }\n    - remove_column: { schema: sci_backend, table: invoice_recipient, column: internal_note }\n    - rename: { schema: sci_backend, to: sci_receiver_backend }\n", "");
    std::fs::write(&edited, cut).expect("write");

    let saved = dir.path().join("plan.json");
    let out = dmsctl(
        emu,
        &[
            "plan",
            "-f",
            edited.to_str().expect("utf-8"),
            "--out",
            saved.to_str().expect("utf-8"),
            "-o",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: Json = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        changed(&plan),
        [(
            "replication-config".into(),
            "invoice-recipients".into(),
            "delete".into()
        )],
        "{plan:#}"
    );
    let saved_text = std::fs::read_to_string(&saved).expect("saved plan");
    let saved_json: Json = serde_json::from_str(&saved_text).expect("saved plan is JSON");
    assert_eq!(saved_json["format_version"], 1);
    for secret in [
        "backend-secret-value",
        "receiver-secret-value",
        "made-out-of-band",
    ] {
        assert!(!saved_text.contains(secret), "saved plan leaks {secret}");
        assert!(!text(&out.stdout).contains(secret));
        assert!(!text(&out.stderr).contains(secret));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_plan_reports_api_calls_matching_the_emulator() {
    let emu = shared();
    let _guard = emu.exclusive().await;
    let spec = example("sci-sync-serverless.yaml");
    emu.reset_calls();
    let out = dmsctl(emu, &["plan", "-f", spec.to_str().expect("utf-8"), "-v"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let total: u64 = emu.calls().values().sum();
    assert!(
        stderr.contains(&format!("AWS API calls: {total}\n")),
        "emulator saw {total}: {stderr}"
    );
    assert!(stderr.contains("dms:DescribeEndpoints: 1"), "{stderr}");
}
