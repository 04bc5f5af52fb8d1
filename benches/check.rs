//! Benchmark: `dmsctl check` of 300 replications on a MariaDB source holding 5,000 tables (and
//! a PostgreSQL source of the same size), each on a server of its own started for the run.
//!
//! Prints the database queries made (from `-v`) and the wall time of the real binary (median
//! of 5 runs). Figures, not assertions. Run with `cargo bench --bench check`; it needs
//! Debian's `mariadb-server` and `postgresql` (`scripts/test` installs them).

#[path = "../tests/common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use common::databases::{MariaDb, Postgres};

const TABLES: usize = 5000;
const REPLICATIONS: usize = 300;

fn spec(engine: &str) -> String {
    let mut s = format!(
        "version: 1\nstack: bench\nregion: us-east-1\nendpoints:\n  src: {{ role: source, engine: {engine}, host: db.internal, database: app, username: dms, password: {{ env: BENCH_PW }} }}\n  dst: {{ role: target, engine: {engine}, host: t.internal, database: app, username: dms, password: {{ env: BENCH_PW }} }}\nrules:\n"
    );
    for i in 0..REPLICATIONS {
        let _ = writeln!(
            s,
            "  r{i}:\n    - include: {{ schema: app, table: \"t{i:04}%\" }}\n    - rename: {{ schema: app, to: copy }}"
        );
    }
    s.push_str("replications:\n");
    for i in 0..REPLICATIONS {
        let _ = writeln!(
            s,
            "  rep{i}: {{ source: src, target: dst, type: full-load-and-cdc, rules: r{i} }}"
        );
    }
    s.push_str("compute:\n  mode: serverless\n  serverless: { min_dcu: 1, max_dcu: 4 }\n");
    s
}

fn main() {
    let dir = tempfile::tempdir().expect("scratch directory");
    let started = Instant::now();
    let maria = MariaDb::start(&["--log-bin=binlog", "--server-id=1", "--binlog-format=ROW"]);
    let mut sql = String::from(
        "CREATE DATABASE app; CREATE USER 'dms'@'%' IDENTIFIED BY 'bench-pw'; GRANT ALL ON *.* TO 'dms'@'%'; USE app;",
    );
    for i in 0..TABLES {
        let _ = write!(
            sql,
            "CREATE TABLE t{i:04} (id INT PRIMARY KEY) ENGINE=MyISAM;"
        );
    }
    maria.sql(&sql);
    let pg = Postgres::start(&[
        ("wal_level", "logical"),
        ("max_replication_slots", "400"),
        ("max_wal_senders", "400"),
    ]);
    pg.sql("CREATE DATABASE app");
    pg.sql("CREATE ROLE dms LOGIN SUPERUSER PASSWORD 'bench-pw'");
    let mut sql = String::from("BEGIN;");
    for i in 0..TABLES {
        let _ = write!(sql, "CREATE TABLE t{i:04} (id int PRIMARY KEY);");
    }
    sql.push_str("COMMIT;");
    pg.sql_in("app", &sql);
    println!(
        "servers started and filled in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mysql = dir.path().join("mariadb.yaml");
    std::fs::write(&mysql, spec("mariadb")).expect("write spec");
    run("mariadb", maria.port, &mysql);
    // PostgreSQL's tables are in schema `public`.
    let postgres = dir.path().join("postgres.yaml");
    std::fs::write(
        &postgres,
        spec("postgres").replace("schema: app", "schema: public"),
    )
    .expect("write spec");
    run("postgres", pg.port, &postgres);
}

/// Five runs of `check` on `file`, each replication selecting its one table.
fn run(engine: &str, port: u16, file: &std::path::Path) {
    let via_src = format!("src=127.0.0.1:{port}");
    let via_dst = format!("dst=127.0.0.1:{port}");
    let mut times: Vec<Duration> = Vec::new();
    let mut queries = String::new();
    for _ in 0..5 {
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_dmsctl"))
            .args([
                "check", "-v", "-o", "json", "--via", &via_src, "--via", &via_dst, "-f",
            ])
            .arg(file)
            .env("BENCH_PW", "bench-pw")
            .output()
            .expect("dmsctl runs");
        times.push(start.elapsed());
        let doc: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("check prints its JSON report");
        assert_eq!(doc["tables"].as_array().map(Vec::len), Some(REPLICATIONS));
        queries = String::from_utf8_lossy(&out.stderr)
            .lines()
            .find(|l| l.starts_with("Database queries"))
            .unwrap_or("no query count")
            .to_string();
    }
    times.sort();
    println!(
        "{engine}: {REPLICATIONS} replications, {TABLES} source tables: wall {:.0} ms (min {:.0}, max {:.0}); {queries}",
        times[2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[4].as_secs_f64() * 1e3,
    );
}
