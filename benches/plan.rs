//! Benchmark: `dmsctl plan` against the local emulator holding 10, 100 and 300 serverless
//! replications of one stack (each with its two endpoints), made beforehand with the SDK.
//!
//! Prints, per size, the wall time of the real binary (median of 5 runs) and the AWS API calls
//! it made (from `-v`, checked against the emulator's own count). Figures, not assertions.
//! Run with `cargo bench --bench plan`; it starts its own emulator with `scripts/emulator`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_databasemigration as dms;
use dms::config::Credentials;
use dms::types::{ComputeConfig, MigrationTypeValue, ReplicationEndpointTypeValue, Tag};

const SIZES: &[usize] = &[10, 100, 300];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn spec(n: usize) -> String {
    let mut s = String::from("version: 1\nstack: bench\nregion: us-east-1\niam: { cloudwatch_logs_role: false, vpc_role: false }\nendpoints:\n");
    for i in 0..n {
        let _ = writeln!(s, "  src-{i}: {{ role: source, engine: mysql, host: db{i}.example.com, username: dms, password: {{ env: BENCH_PW }} }}");
        let _ = writeln!(s, "  dst-{i}: {{ role: target, engine: mysql, host: t{i}.example.com, username: dms, password: {{ env: BENCH_PW }} }}");
    }
    s.push_str("rules:\n  all:\n    - include: { schema: app, table: \"%\" }\nreplications:\n");
    for i in 0..n {
        let _ = writeln!(s, "  repl-{i}: {{ source: src-{i}, target: dst-{i}, type: full-load-and-cdc, rules: all }}");
    }
    s.push_str("compute:\n  mode: serverless\n  serverless: { min_dcu: 1, max_dcu: 4 }\n");
    s
}

fn tags(name: &str) -> Vec<Tag> {
    vec![
        Tag::builder().key("dmsctl:stack").value("bench").build(),
        Tag::builder().key("dmsctl:name").value(name).build(),
    ]
}

async fn fill(client: &dms::Client, from: usize, to: usize) {
    for i in from..to {
        let mut arns = Vec::new();
        for (name, kind, host) in [
            (
                format!("src-{i}"),
                ReplicationEndpointTypeValue::Source,
                format!("db{i}.example.com"),
            ),
            (
                format!("dst-{i}"),
                ReplicationEndpointTypeValue::Target,
                format!("t{i}.example.com"),
            ),
        ] {
            let out = client
                .create_endpoint()
                .endpoint_identifier(format!("bench-{name}"))
                .endpoint_type(kind)
                .engine_name("mysql")
                .server_name(host)
                .port(3306)
                .username("dms")
                .password("bench")
                .set_tags(Some(tags(&name)))
                .send()
                .await
                .expect("create endpoint");
            arns.push(out.endpoint.and_then(|e| e.endpoint_arn).expect("arn"));
        }
        let name = format!("repl-{i}");
        client
            .create_replication_config()
            .replication_config_identifier(format!("bench-{name}"))
            .source_endpoint_arn(&arns[0])
            .target_endpoint_arn(&arns[1])
            .replication_type(MigrationTypeValue::FullLoadAndCdc)
            .compute_config(ComputeConfig::builder().min_capacity_units(1).max_capacity_units(4).build())
            .table_mappings(r#"{"rules":[{"rule-type":"selection","rule-id":"1","rule-name":"1-include","rule-action":"include","object-locator":{"schema-name":"app","table-name":"%"}}]}"#)
            .replication_settings(r#"{"Logging":{"EnableLogging":true}}"#)
            .set_tags(Some(tags(&name)))
            .send()
            .await
            .expect("create replication config");
    }
}

fn emulator(state: &Path, args: &[&str]) -> String {
    let out = Command::new(repo().join("scripts/emulator"))
        .args(args)
        .env("DMSCTL_EMULATOR_STATE_DIR", state)
        .output()
        .expect("scripts/emulator runs");
    assert!(
        out.status.success(),
        "scripts/emulator {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Stops the benchmark's emulator however `main` ends, a failed assertion included.
struct Stop(PathBuf);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("scripts/emulator"))
            .arg("stop")
            .env("DMSCTL_EMULATOR_STATE_DIR", &self.0)
            .output();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn main() {
    let state = std::env::temp_dir().join(format!("dmsctl-plan-bench-{}", std::process::id()));
    let url = emulator(&state, &["start"]);
    let _stop = Stop(state.clone());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let config = rt.block_on(
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("bench", "bench", None, None, "bench"))
            .endpoint_url(&url)
            .load(),
    );
    let client = dms::Client::new(&config);
    let dir = state.join("specs");
    std::fs::create_dir_all(&dir).expect("spec dir");
    let mut filled = 0;
    println!("plan against the emulator, {} (median of 5 runs)", url);
    for &n in SIZES {
        rt.block_on(fill(&client, filled, n));
        filled = n;
        let file = dir.join(format!("bench-{n}.yaml"));
        std::fs::write(&file, spec(n)).expect("write spec");
        let mut times: Vec<Duration> = Vec::new();
        let mut calls = String::new();
        for _ in 0..5 {
            let start = Instant::now();
            let out = Command::new(env!("CARGO_BIN_EXE_dmsctl"))
                .args(["plan", "-v", "--detailed-exitcode", "-f"])
                .arg(&file)
                .env("AWS_ENDPOINT_URL", &url)
                .env("AWS_ACCESS_KEY_ID", "bench")
                .env("AWS_SECRET_ACCESS_KEY", "bench")
                .env("BENCH_PW", "x")
                .output()
                .expect("dmsctl runs");
            times.push(start.elapsed());
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                out.status.code(),
                Some(0),
                "plan must find no changes:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            calls = String::from_utf8_lossy(&out.stderr)
                .lines()
                .skip_while(|l| !l.starts_with("AWS API calls"))
                .collect::<Vec<_>>()
                .join(", ");
        }
        times.sort();
        println!(
            "{n:>4} replications ({} resources): wall {:.0} ms (min {:.0}, max {:.0}); {calls}",
            n * 3,
            times[2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            times[4].as_secs_f64() * 1e3,
        );
    }
}
