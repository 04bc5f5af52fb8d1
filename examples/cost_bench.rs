//! Prices a 1000-replication spec and prints the wall time of each stage.
//!
//! `cargo run --release --example cost_bench` (add `-- N` for N replications). A measurement,
//! not a test: it asserts nothing about time, since machines differ.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use dmsctl::cost::{estimate, html, render, Catalog, Options};
use dmsctl::spec;

const RUNS: u32 = 20;

/// A valid spec with `n` replications, serverless capacity and ten instances sharing them, so
/// `--compare` prices every replication both ways from the spec's own figures.
fn big_spec(n: usize) -> String {
    let mut s = String::from(
        "version: 1
stack: bench
region: eu-central-1
endpoints:
  src: { role: source, engine: mysql, host: a.example, username: u, password: { env: PW } }
  dst: { role: target, engine: mysql, host: b.example, username: u, password: { env: PW } }
rules:
  all: [ { include: { schema: app } } ]
replications:
",
    );
    for i in 0..n {
        let _ = writeln!(
            s,
            "  r{i:04}: {{ source: src, target: dst, type: full-load-and-cdc, rules: all }}"
        );
    }
    s.push_str("compute:\n  mode: serverless\n  serverless: { min_dcu: 1, max_dcu: 4, expected_dcu: 2 }\n  instances:\n");
    for j in 0..10 {
        let _ = writeln!(s, "    i{j}: {{ class: dms.c5.xlarge, storage_gb: 200 }}");
    }
    s.push_str("  placement:\n");
    for i in 0..n {
        let _ = writeln!(s, "    r{i:04}: i{}", i % 10);
    }
    s
}

fn per_run(total: Duration) -> String {
    format!("{:.3} ms", total.as_secs_f64() * 1000.0 / f64::from(RUNS))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = match std::env::args().nth(1) {
        Some(a) => a.parse()?,
        None => 1000,
    };
    let text = big_spec(n);

    let t = Instant::now();
    let checked = spec::check_text("bench.yaml", &text, &|_| true);
    let check_time = t.elapsed();
    let Some(spec) = checked.valid_spec(false) else {
        return Err(format!("the generated spec is invalid: {:#?}", checked.diagnostics).into());
    };

    let catalog = Catalog::builtin()?;
    let opts = Options {
        region: "eu-central-1".into(),
        region_from: "the spec".into(),
        hours: 730.0,
        dcu: None,
        instance_class: "dms.t3.medium".into(),
        compare: true,
    };

    // Warm up once so the first run's allocations do not skew the average.
    let report = estimate(spec, &catalog, &opts)?;
    let mut priced = Duration::ZERO;
    for _ in 0..RUNS {
        let t = Instant::now();
        std::hint::black_box(estimate(spec, &catalog, &opts)?);
        priced += t.elapsed();
    }
    let mut rendered = [Duration::ZERO; 4];
    for _ in 0..RUNS {
        let t = Instant::now();
        std::hint::black_box(render::table(&report, false));
        rendered[0] += t.elapsed();
        let t = Instant::now();
        std::hint::black_box(render::json(&report)?);
        rendered[1] += t.elapsed();
        let t = Instant::now();
        std::hint::black_box(render::markdown(&report));
        rendered[2] += t.elapsed();
        let t = Instant::now();
        std::hint::black_box(html::html(&report));
        rendered[3] += t.elapsed();
    }

    let items: usize = report.modes.iter().map(|m| m.items.len()).sum();
    println!("{n} replications, {items} line items, both modes");
    println!(
        "spec read and checked once: {:.3} ms",
        check_time.as_secs_f64() * 1000.0
    );
    println!(
        "priced (estimate, --compare): {} per run ({RUNS} runs)",
        per_run(priced)
    );
    for (name, d) in ["table", "json", "markdown", "html"].iter().zip(rendered) {
        println!("rendered {name}: {} per run", per_run(d));
    }
    Ok(())
}
