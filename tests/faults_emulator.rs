//! A faulty network, through the real binary on the emulator: seeded random faults on 30% of
//! DMS calls (half throttling, half 500s, every other 500 after the call took effect), `apply`
//! killed with SIGKILL at moments spread over its run, and the retry settings every AWS tool
//! reads. After each, the account must hold exactly the spec's resources, tagged, and `plan`
//! must show no changes.
//!
//! Each group of seeds runs on an emulator of its own, so the groups run side by side.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use aws_sdk_databasemigration as dms;
use serde_json::{json, Value as Json};

use common::emulator::Emulator;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn dmsctl(emu: &Emulator, args: &[&str]) -> Output {
    emu.dmsctl()
        .args(args)
        .env("SCI_BACKEND_PASSWORD", "backend-secret")
        .env("SCI_RECEIVER_PASSWORD", "receiver-secret")
        .env("AWS_CONFIG_FILE", "/nonexistent/dmsctl-test")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/dmsctl-test")
        .output()
        .expect("dmsctl runs")
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `plan --detailed-exitcode` after the faults are gone: 0, no changes, no conflicts.
fn assert_no_changes(emu: &Emulator, spec: &Path, what: &str) {
    let out = dmsctl(
        emu,
        &["plan", "--detailed-exitcode", "-o", "json", "-f", s(spec)],
    );
    assert_eq!(out.status.code(), Some(0), "{what}: plan\n{}", text(&out));
    let plan: Json = serde_json::from_slice(&out.stdout).expect("plan JSON");
    assert_eq!(plan["conflicts"], json!([]), "{what}");
}

/// The DMS resources in the account, by kind, with their `dmsctl:stack`/`dmsctl:name` tags.
async fn inventory(emu: &Emulator) -> BTreeMap<String, Vec<(String, String, String)>> {
    let client = dms::Client::new(&emu.sdk_config("eu-central-1").await);
    let mut found: Vec<(String, String, String)> = Vec::new();
    let endpoints = client.describe_endpoints().send().await.expect("endpoints");
    for e in endpoints.endpoints() {
        found.push((
            "endpoint".into(),
            e.endpoint_identifier().unwrap_or_default().into(),
            e.endpoint_arn().unwrap_or_default().into(),
        ));
    }
    let configs = client
        .describe_replication_configs()
        .send()
        .await
        .expect("configs");
    for c in configs.replication_configs() {
        found.push((
            "replication-config".into(),
            c.replication_config_identifier().unwrap_or_default().into(),
            c.replication_config_arn().unwrap_or_default().into(),
        ));
    }
    let instances = client
        .describe_replication_instances()
        .send()
        .await
        .expect("instances");
    for i in instances.replication_instances() {
        found.push((
            "instance".into(),
            i.replication_instance_identifier()
                .unwrap_or_default()
                .into(),
            i.replication_instance_arn().unwrap_or_default().into(),
        ));
    }
    let tasks = client
        .describe_replication_tasks()
        .send()
        .await
        .expect("tasks");
    for t in tasks.replication_tasks() {
        found.push((
            "task".into(),
            t.replication_task_identifier().unwrap_or_default().into(),
            t.replication_task_arn().unwrap_or_default().into(),
        ));
    }
    let mut out: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for (kind, id, arn) in found {
        let tags = client
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .expect("tags");
        let tag = |k: &str| {
            tags.tag_list()
                .iter()
                .find(|t| t.key() == Some(k))
                .and_then(|t| t.value())
                .unwrap_or("(untagged)")
                .to_string()
        };
        out.entry(kind)
            .or_default()
            .push((id, tag("dmsctl:stack"), tag("dmsctl:name")));
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

fn owned(items: &[(&str, &str)]) -> Vec<(String, String, String)> {
    items
        .iter()
        .map(|(id, name)| (id.to_string(), "sci-sync".to_string(), name.to_string()))
        .collect()
}

/// What the serverless example makes, each carrying the stack's tags.
fn serverless_inventory() -> BTreeMap<String, Vec<(String, String, String)>> {
    BTreeMap::from([
        (
            "endpoint".to_string(),
            owned(&[
                ("sci-sync-backend", "backend"),
                ("sci-sync-receiver", "receiver"),
            ]),
        ),
        (
            "replication-config".to_string(),
            owned(&[
                ("sci-sync-invoice-recipients", "invoice-recipients"),
                ("sci-sync-send-invoice-history", "send-invoice-history"),
            ]),
        ),
    ])
}

fn instances_inventory() -> BTreeMap<String, Vec<(String, String, String)>> {
    BTreeMap::from([
        (
            "endpoint".to_string(),
            owned(&[
                ("sci-sync-backend", "backend"),
                ("sci-sync-receiver", "receiver"),
            ]),
        ),
        ("instance".to_string(), owned(&[("sci-sync-main", "main")])),
        (
            "task".to_string(),
            owned(&[
                ("sci-sync-invoice-recipients", "invoice-recipients"),
                ("sci-sync-send-invoice-history", "send-invoice-history"),
            ]),
        ),
    ])
}

/// One apply of the two-replication serverless example with 30% of DMS calls failing, seeded;
/// returns the faults the emulator injected.
async fn chaos_apply(emu: &Emulator, seed: u64) -> Json {
    emu.reset(&["dms", "logs"]);
    let spec = example("sci-sync-serverless.yaml");
    let (status, body) = emu.http(
        "POST",
        "/_dmsctl/chaos",
        Some(&json!({"rate": 0.3, "seed": seed, "services": ["dms"]}).to_string()),
    );
    assert_eq!(status, 201, "{body}");
    let out = dmsctl(emu, &["apply", "--auto-approve", "-f", s(&spec)]);
    let (_, chaos) = emu.http("GET", "/_dmsctl/chaos", None);
    let chaos: Json = serde_json::from_str(&chaos).expect("chaos JSON");
    emu.http("DELETE", "/_dmsctl/chaos", None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "seed {seed}: one apply under 30% faults did not converge ({})\n{}",
        chaos["chaos"]["injected"],
        text(&out)
    );
    assert_no_changes(emu, &spec, &format!("seed {seed}"));
    assert_eq!(inventory(emu).await, serverless_inventory(), "seed {seed}");
    chaos["chaos"]["injected"].clone()
}

async fn chaos_seeds(seeds: std::ops::RangeInclusive<u64>) {
    let emu = Emulator::start();
    for seed in seeds {
        let started = Instant::now();
        let injected = chaos_apply(&emu, seed).await;
        eprintln!(
            "seed {seed}: converged in one apply ({:.1} s), faults injected: {injected}",
            started.elapsed().as_secs_f64()
        );
        // Every seed meets at least one fault after the effect, or it proves little.
        assert!(
            injected.as_object().is_some_and(|o| !o.is_empty()),
            "seed {seed}: no fault injected"
        );
    }
}

// Issue: with 30% of DMS calls failing, one apply of this spec converged in 4 runs of 20.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_apply_converges_under_30_percent_faults_seeds_1_to_5() {
    chaos_seeds(1..=5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_apply_converges_under_30_percent_faults_seeds_6_to_10() {
    chaos_seeds(6..=10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_apply_converges_under_30_percent_faults_seeds_11_to_15() {
    chaos_seeds(11..=15).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_apply_converges_under_30_percent_faults_seeds_16_to_20() {
    chaos_seeds(16..=20).await;
}

/// Kills `apply` with SIGKILL after `after`, then applies again without faults.
async fn killed_then_applied(emu: &Emulator, spec: &Path, after: Duration) {
    emu.reset(&["dms", "logs"]);
    let mut child = emu
        .dmsctl()
        .args(["apply", "--auto-approve", "-f", s(spec)])
        .env("SCI_BACKEND_PASSWORD", "backend-secret")
        .env("SCI_RECEIVER_PASSWORD", "receiver-secret")
        .env("AWS_CONFIG_FILE", "/nonexistent/dmsctl-test")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/dmsctl-test")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("dmsctl starts");
    std::thread::sleep(after);
    // SIGKILL: no handler runs, whatever was in flight is cut off.
    let _ = child.kill();
    let _ = child.wait();
    let out = dmsctl(emu, &["apply", "--auto-approve", "-f", s(spec)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "apply after a kill at {after:?}\n{}",
        text(&out)
    );
    assert_no_changes(emu, spec, &format!("killed at {after:?}"));
    assert_eq!(
        inventory(emu).await,
        instances_inventory(),
        "killed at {after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_killed_at_any_moment_is_finished_by_the_next_apply() {
    let emu = Emulator::start();
    let spec = example("sci-sync-instances.yaml");
    // How long an apply runs uncut, to spread the kills over it.
    emu.reset(&["dms", "logs"]);
    let started = Instant::now();
    let out = dmsctl(&emu, &["apply", "--auto-approve", "-f", s(&spec)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let whole = started.elapsed();
    eprintln!("an uncut apply of the instances example takes {whole:?}");
    for step in 1..=6 {
        let after = whole.mul_f64(f64::from(step) / 7.0);
        killed_then_applied(&emu, &spec, after).await;
        eprintln!("killed at {after:?} ({step}/7 of the run): the next apply converged");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_follow_the_aws_settings_and_default_to_25_attempts() {
    let emu = Emulator::start();
    let spec = example("sci-sync-serverless.yaml");
    let throttle = |count: u32| {
        emu.fault(json!({"operation": "dms:DescribeEndpoints", "count": count,
                         "error": "ThrottlingException", "message": "Rate exceeded"}));
    };
    let plan = |extra: &[(&str, &str)]| {
        let mut cmd = emu.dmsctl();
        cmd.args(["plan", "-f", s(&spec)])
            .env("AWS_CONFIG_FILE", "/nonexistent/dmsctl-test")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/dmsctl-test")
            .env_remove("AWS_MAX_ATTEMPTS")
            .env_remove("AWS_RETRY_MODE");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.output().expect("dmsctl runs")
    };
    let calls = |emu: &Emulator| {
        emu.calls()
            .get("dms:DescribeEndpoints")
            .copied()
            .unwrap_or(0)
    };

    // AWS_MAX_ATTEMPTS=2: two attempts, then the throttling is the answer.
    emu.reset(&["dms", "logs"]);
    throttle(3);
    let out = plan(&[("AWS_MAX_ATTEMPTS", "2")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("Rate exceeded"), "{}", text(&out));
    assert_eq!(calls(&emu), 2);

    // The profile's max_attempts, when the environment says nothing.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "[profile ci]\nmax_attempts = 3\nretry_mode = standard\n",
    )
    .expect("config file");
    emu.reset(&["dms", "logs"]);
    throttle(5);
    let out = emu
        .dmsctl()
        .args(["plan", "--profile", "ci", "-f", s(&spec)])
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/dmsctl-test")
        .env_remove("AWS_MAX_ATTEMPTS")
        .output()
        .expect("dmsctl runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(calls(&emu), 3, "the profile's max_attempts = 3");

    // Nothing set: provisioning's default outlasts four throttled attempts.
    emu.reset(&["dms", "logs"]);
    throttle(4);
    let out = plan(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(calls(&emu) >= 5, "{}", calls(&emu));

    // A setting that is no number of attempts is an error naming it, not a panic.
    let out = plan(&[("AWS_MAX_ATTEMPTS", "0")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("AWS_MAX_ATTEMPTS is `0`, which is not a number of attempts, 1 or more"),
        "{}",
        text(&out)
    );
}
