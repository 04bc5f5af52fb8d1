//! Benchmark: `dmsctl validate` on a generated spec with 1000 replications.
//!
//! Prints figures rather than asserting them (timed assertions flake on shared machines):
//! in-process check time over several runs, and the wall time of the real binary. First, what
//! refusing an alias bomb costs (time, and the growth of the process's peak memory).
//! Run with `cargo bench --bench validate`.

use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;

fn spec(replications: usize) -> String {
    let mut s = String::from(
        "version: 1\nstack: bench\nregion: eu-central-1\nsubnet_groups:\n  private: { subnet_ids: [subnet-0a1b2c3d, subnet-0a1b2c3e] }\nendpoints:\n",
    );
    for i in 0..replications {
        let _ = write!(
            s,
            "  src-{i}: {{ role: source, engine: mysql, host: db{i}.example.com, username: dms, password: {{ env: BENCH_PW }} }}\n  dst-{i}: {{ role: target, engine: postgres, host: t{i}.example.com, database: app, username: dms, password: {{ env: BENCH_PW }} }}\n"
        );
    }
    s.push_str("rules:\n");
    for i in 0..replications {
        let _ = write!(
            s,
            "  rules-{i}:\n    - include: {{ schema: app_{i}, table: \"invoice%\" }}\n    - exclude: {{ schema: app_{i}, table: \"tmp_%\" }}\n    - rename: {{ schema: app_{i}, to: copy_{i} }}\n"
        );
    }
    s.push_str("replications:\n");
    for i in 0..replications {
        let _ = writeln!(
            s,
            "  repl-{i}: {{ source: src-{i}, target: dst-{i}, type: full-load-and-cdc, rules: rules-{i}, settings: {{ TargetMetadata: {{ TargetTablePrepMode: DO_NOTHING }} }} }}"
        );
    }
    s.push_str("compute:\n  mode: serverless\n  serverless: { min_dcu: 1, max_dcu: 4, subnet_group: private }\n");
    s
}

/// Twelve levels of nine aliases of the level before: 9^12 nodes if expanded.
fn alias_bomb() -> String {
    let mut s = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..=12 {
        let alias = format!("*l{}", i - 1);
        let items = [alias.as_str(); 9].join(", ");
        let _ = writeln!(s, "l{i}: &l{i} [{items}]");
    }
    s
}

/// The process's peak resident memory so far, in KiB (Linux), 0 where unknown.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let bomb = alias_bomb();
    let env = |v: &str| v == "BENCH_PW";
    let before = peak_rss_kib();
    let start = Instant::now();
    let checked = dmsctl::spec::check_text("bomb.yaml", &bomb, &env);
    let took = start.elapsed();
    assert_eq!(checked.diagnostics.len(), 1, "the bomb is one error");
    println!(
        "alias bomb ({} bytes, 9^12 nodes if expanded): refused in {:.2} ms, peak memory grew by {} KiB",
        bomb.len(),
        took.as_secs_f64() * 1e3,
        peak_rss_kib().saturating_sub(before),
    );

    let text = spec(1000);
    let runs = 10;
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let checked = dmsctl::spec::check_text("bench.yaml", &text, &env);
        times.push(start.elapsed());
        assert_eq!(checked.diagnostics, [], "the generated spec is valid");
    }
    times.sort();
    println!(
        "validate, 1000 replications ({} lines, {} KiB), in process: median {:.1} ms, min {:.1} ms, max {:.1} ms over {runs} runs",
        text.lines().count(),
        text.len() / 1024,
        times[runs / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[runs - 1].as_secs_f64() * 1e3,
    );

    let dir = std::env::temp_dir().join(format!("dmsctl-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bench.yaml");
    std::fs::write(&file, &text).expect("write spec");
    let bin = env!("CARGO_BIN_EXE_dmsctl");
    let mut walls = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let out = Command::new(bin)
            .args(["validate", "-f"])
            .arg(&file)
            .env("BENCH_PW", "x")
            .output()
            .expect("dmsctl runs");
        walls.push(start.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    walls.sort();
    println!(
        "validate, 1000 replications, `dmsctl validate` process wall time: median {:.1} ms, min {:.1} ms, max {:.1} ms over {runs} runs",
        walls[runs / 2].as_secs_f64() * 1e3,
        walls[0].as_secs_f64() * 1e3,
        walls[runs - 1].as_secs_f64() * 1e3,
    );
    let _ = std::fs::remove_dir_all(&dir);
}
