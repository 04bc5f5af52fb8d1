//! Benchmark: `dmsctl plan` against the local emulator holding 10, 100 and 300 serverless
//! replications of one stack (each with its two endpoints), made beforehand with the SDK; then
//! `dmsctl apply` of 10, 100 and 300 tasks on one replication instance, each on an empty
//! account.
//!
//! Prints, per size, the wall time of the real binary (median of 5 runs for plan, one run for
//! apply) and the AWS API calls it made, by kind (from `-v`; for apply also the emulator's own
//! count). Figures, not assertions. Run with `cargo bench --bench plan`; it starts its own
//! emulator with `scripts/emulator`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_databasemigration as dms;
use dms::config::Credentials;
use dms::types::{ComputeConfig, MigrationTypeValue, ReplicationEndpointTypeValue, Tag};

const SIZES: &[usize] = &[10, 100, 300];

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

fn main() {
    let emu = common::emulator::Emulator::start();
    let url = emu.url().to_string();
    let scratch = tempfile::tempdir().expect("scratch directory");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let config = rt.block_on(
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("bench", "bench", None, None, "bench"))
            .endpoint_url(&url)
            .load(),
    );
    let client = dms::Client::new(&config);
    let dir = scratch.path();
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
    apply(&emu, dir);
}

/// N tasks on one instance, between two endpoints.
fn tasks_spec(n: usize) -> String {
    let mut s = String::from(
        "version: 1\nstack: bench\nregion: us-east-1\niam: { cloudwatch_logs_role: false, vpc_role: false }\nlogging: { enabled: false }\nendpoints:\n  src: { role: source, engine: mysql, host: db.example.com, username: dms, password: { env: BENCH_PW } }\n  dst: { role: target, engine: mysql, host: t.example.com, username: dms, password: { env: BENCH_PW } }\nrules:\n",
    );
    for i in 0..n {
        let _ = writeln!(
            s,
            "  r{i}:\n    - include: {{ schema: app_{i}, table: \"%\" }}"
        );
    }
    s.push_str("replications:\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "  t{i}: {{ source: src, target: dst, type: full-load-and-cdc, rules: r{i} }}"
        );
    }
    s.push_str("compute:\n  mode: instances\n  instances:\n    main: { class: dms.t3.medium }\n");
    s
}

/// `dmsctl apply` of N tasks on an empty account: calls by kind and wall time.
fn apply(emu: &common::emulator::Emulator, dir: &std::path::Path) {
    println!("apply of N tasks on one instance, on an empty account (one run each)");
    for &n in SIZES {
        emu.reset(&["dms", "logs"]);
        let file = dir.join(format!("tasks-{n}.yaml"));
        std::fs::write(&file, tasks_spec(n)).expect("write spec");
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_dmsctl"))
            .args(["apply", "--auto-approve", "-v", "-f"])
            .arg(&file)
            .env("AWS_ENDPOINT_URL", emu.url())
            .env("AWS_ACCESS_KEY_ID", "bench")
            .env("AWS_SECRET_ACCESS_KEY", "bench")
            .env("BENCH_PW", "x")
            .output()
            .expect("dmsctl runs");
        let wall = start.elapsed();
        assert_eq!(
            out.status.code(),
            Some(0),
            "apply of {n} tasks failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let calls = emu.calls();
        let total: u64 = calls.values().sum();
        let by_kind: Vec<String> = calls.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!(
            "{n:>4} tasks: wall {:.1} s; {total} API calls (N + {}): {}",
            wall.as_secs_f64(),
            total as i64 - n as i64,
            by_kind.join(", ")
        );
    }
}
