//! `dmsctl check` against real MariaDB and PostgreSQL servers (Debian's packages, started on
//! loopback for each test), set up right and wrong: binlog format, `wal_level`, replication
//! grants, tables without keys, a rule with a typo, overlapping replications, a wrong
//! password, an unreachable port. The spec's hosts are private names, reached with `--via`, as
//! through a tunnel.

mod common;

use std::path::Path;
use std::process::Output;

use serde_json::Value as Json;

use common::databases::{MariaDb, Postgres};

const SOURCE_PW: &str = "src-pw-0xC0FFEE";
const TARGET_PW: &str = "dst-pw-0xBEEF";

fn dmsctl(spec: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_dmsctl"))
        .arg("check")
        .arg("-f")
        .arg(spec)
        .args(args)
        .env("NO_COLOR", "1")
        .env("SRC_PW", SOURCE_PW)
        .env("DST_PW", TARGET_PW)
        // check never needs AWS for passwords from the environment: nothing listens here.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .expect("dmsctl runs")
}

fn report(out: &Output) -> Json {
    let text = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for secret in [SOURCE_PW, TARGET_PW] {
        assert!(
            !text.contains(secret) && !stderr.contains(secret),
            "a password was printed:\n{text}\n{stderr}"
        );
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON report: {e}\n{text}\n{stderr}"))
}

/// `(status, message)` of the finding `check` for `endpoint` (and `replication`).
fn finding(r: &Json, endpoint: &str, replication: Option<&str>, check: &str) -> (String, String) {
    let f = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| {
            f["endpoint"] == endpoint
                && f["check"] == check
                && f["replication"].as_str() == replication
        })
        .unwrap_or_else(|| panic!("no {check} finding for {endpoint}/{replication:?} in {r:#}"));
    (
        f["status"].as_str().unwrap_or_default().to_string(),
        f["message"].as_str().unwrap_or_default().to_string(),
    )
}

fn spec(dir: &Path, engine: &str, replications: &str, rules: &str) -> std::path::PathBuf {
    let text = format!(
        "version: 1
stack: sci-sync
region: eu-central-1
endpoints:
  backend: {{ role: source, engine: {engine}, host: backend.internal, database: app, username: dms, password: {{ env: SRC_PW }} }}
  receiver: {{ role: target, engine: {engine}, host: receiver.internal, database: app, username: tgt, password: {{ env: DST_PW }} }}
  events: {{ role: target, engine: kafka, kafka: {{ brokers: ['127.0.0.1:1'], topic: t }} }}
rules:
{rules}
replications:
{replications}
compute:
  mode: serverless
  serverless: {{ min_dcu: 1, max_dcu: 4 }}
"
    );
    let path = dir.join("dmsctl.yaml");
    std::fs::write(&path, text).expect("write spec");
    path
}

const MYSQL_SETUP: &str = "
CREATE DATABASE app;
CREATE TABLE app.orders (id INT PRIMARY KEY, total INT) ENGINE=InnoDB;
CREATE TABLE app.order_items (id INT, order_id INT) ENGINE=InnoDB;
CREATE TABLE app.legacy (id INT PRIMARY KEY) ENGINE=MyISAM;
CREATE TABLE app.tmp_import (id INT PRIMARY KEY);
CREATE USER 'tgt'@'%' IDENTIFIED BY 'dst-pw-0xBEEF';
GRANT ALL ON copy.* TO 'tgt'@'%';
GRANT ALL ON copy2.* TO 'tgt'@'%';
";

#[test]
fn a_mariadb_set_up_right_passes() {
    let db = MariaDb::start(&[
        "--log-bin=binlog",
        "--server-id=7",
        "--binlog-format=ROW",
        "--binlog-checksum=NONE",
        "--binlog-expire-logs-seconds=172800",
    ]);
    db.sql(MYSQL_SETUP);
    db.sql(&format!(
        "CREATE USER 'dms'@'%' IDENTIFIED BY '{SOURCE_PW}';
         GRANT SELECT ON app.* TO 'dms'@'%';
         GRANT REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO 'dms'@'%';"
    ));
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = spec(
        dir.path(),
        "mariadb",
        "  orders: { source: backend, target: receiver, type: full-load-and-cdc, rules: orders }",
        "  orders:\n    - include: { schema: app, table: orders }\n    - rename: { schema: app, to: copy }",
    );
    let via = [
        "--via".to_string(),
        format!("backend=127.0.0.1:{}", db.port),
        "--via".to_string(),
        format!("receiver=127.0.0.1:{}", db.port),
    ];
    let mut args: Vec<&str> = via.iter().map(String::as_str).collect();
    args.extend(["-o", "json", "--write-test", "orders"]);
    let out = dmsctl(&spec, &args);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    assert_eq!(r["format_version"], 1);
    assert_eq!(r["summary"]["fail"], 0, "{r:#}");
    assert_eq!(r["summary"]["warn"], 0, "{r:#}");
    for check in [
        "connect",
        "mysql.log_bin",
        "mysql.binlog_format",
        "mysql.binlog_row_image",
        "mysql.binlog_checksum",
        "mysql.server_id",
        "mysql.binlog_retention",
    ] {
        assert_eq!(finding(&r, "backend", None, check).0, "pass", "{check}");
    }
    for check in [
        "rules.selection",
        "source.select",
        "source.primary_key",
        "mysql.replication_grants",
    ] {
        assert_eq!(
            finding(&r, "backend", Some("orders"), check).0,
            "pass",
            "{check}"
        );
    }
    assert_eq!(
        finding(&r, "receiver", Some("orders"), "target.privileges").0,
        "pass"
    );
    assert_eq!(finding(&r, "receiver", None, "target.write_test").0, "pass");
    assert_eq!(
        r["tables"],
        serde_json::json!([{"replication": "orders", "source": "app.orders", "target": "copy.orders", "primary_key": true}])
    );
    // The write test left nothing behind but the schema DMS would create.
    assert_eq!(db.sql("SHOW TABLES FROM copy").trim(), "");
}

#[test]
fn a_mariadb_set_up_wrong_fails_where_dms_would() {
    let db = MariaDb::start(&[
        "--log-bin=binlog",
        "--server-id=1",
        "--binlog-format=STATEMENT",
    ]);
    db.sql(MYSQL_SETUP);
    // SELECT only: no replication grants.
    db.sql(&format!(
        "CREATE USER 'dms'@'%' IDENTIFIED BY '{SOURCE_PW}'; GRANT SELECT ON app.orders TO 'dms'@'%';
         GRANT SELECT ON app.order_items TO 'dms'@'%'; GRANT SELECT ON app.legacy TO 'dms'@'%';"
    ));
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = spec(
        dir.path(),
        "mariadb",
        "  all: { source: backend, target: receiver, type: full-load-and-cdc, rules: all }\n  \
           orders: { source: backend, target: receiver, type: cdc, rules: orders }\n  \
           stream: { source: backend, target: events, type: cdc, rules: orders }",
        "  all:\n    - include: { schema: app, table: \"%\" }\n    - exclude: { schema: app, table: \"tmp[_]%\" }\n    - include: { schema: app, table: ordrs }\n    - rename: { schema: app, to: copy }\n  \
           orders:\n    - include: { schema: app, table: orders }\n    - rename: { schema: app, to: copy }",
    );
    let via = format!("backend=127.0.0.1:{}", db.port);
    let via2 = format!("receiver=127.0.0.1:{}", db.port);
    let out = dmsctl(&spec, &["--via", &via, "--via", &via2, "-o", "json"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    let (status, message) = finding(&r, "backend", None, "mysql.binlog_format");
    assert_eq!(status, "fail");
    assert!(
        message.starts_with("binlog_format is STATEMENT"),
        "{message}"
    );
    assert_eq!(
        finding(&r, "backend", None, "mysql.binlog_checksum").0,
        "warn"
    );
    let (status, message) = finding(&r, "backend", Some("all"), "mysql.replication_grants");
    assert_eq!(status, "fail");
    assert!(
        message.contains("REPLICATION CLIENT and REPLICATION SLAVE"),
        "{message}"
    );
    // Keys, the engine, the typo, the overlap.
    let (status, message) = finding(&r, "backend", Some("all"), "source.primary_key");
    assert_eq!(
        (status.as_str(), message.contains("app.order_items")),
        ("warn", true),
        "{message}"
    );
    assert!(finding(&r, "backend", Some("all"), "mysql.engine")
        .1
        .contains("app.legacy"));
    let (status, message) = finding(&r, "backend", Some("all"), "rules.selects_nothing");
    assert_eq!(status, "warn");
    assert!(message.contains("app.ordrs"), "{message}");
    let help = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["check"] == "rules.selects_nothing")
        .and_then(|f| f["help"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(
        help.contains("app.orders"),
        "the nearest table is named: {help}"
    );
    let (status, message) = finding(&r, "receiver", Some("all"), "rules.overlap");
    assert_eq!(status, "fail");
    assert_eq!(
        message,
        "writes target table `copy.orders`, which orders also writes"
    );
    assert_eq!(
        finding(&r, "receiver", Some("orders"), "rules.overlap").0,
        "fail"
    );
    // tmp_import is excluded, so nothing needs SELECT on it.
    assert_eq!(
        finding(&r, "backend", Some("all"), "source.select").0,
        "pass"
    );
    let tables: Vec<&str> = r["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .filter(|t| t["replication"] == "all")
        .map(|t| t["source"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(tables, ["app.legacy", "app.order_items", "app.orders"]);
    // Kafka: the broker's port refuses.
    assert_eq!(finding(&r, "events", None, "kafka.broker").0, "fail");

    // The same findings as annotations on the spec's lines: an endpoint's own on the
    // endpoint, a replication's on the replication.
    let out = dmsctl(&spec, &["--via", &via, "--via", &via2, "-o", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let annotations = String::from_utf8_lossy(&out.stdout).into_owned();
    let count = |prefix: &str| {
        annotations
            .lines()
            .filter(|l| l.starts_with(prefix))
            .count()
    };
    assert_eq!(
        count("::error "),
        r["summary"]["fail"].as_u64().unwrap() as usize
    );
    assert_eq!(
        count("::warning "),
        r["summary"]["warn"].as_u64().unwrap() as usize
    );
    let text = std::fs::read_to_string(&spec).unwrap();
    let line_of = |section: &str, key: &str| {
        let start = text.find(&format!("\n{section}:\n")).expect("section");
        let at = start + text[start..].find(&format!("\n  {key}:")).expect("key") + 1;
        text[..at].lines().count() + 1
    };
    let binlog = annotations
        .lines()
        .find(|l| l.contains("title=dmsctl%3A check/mysql.binlog_format::"))
        .expect("binlog annotation");
    assert!(
        binlog.contains(&format!(",line={},", line_of("endpoints", "backend"))),
        "{binlog}"
    );
    assert!(
        binlog.contains("::endpoint `backend`: binlog_format is STATEMENT"),
        "{binlog}"
    );
    let overlap = annotations
        .lines()
        .find(|l| {
            l.contains("check/rules.overlap::endpoint `receiver`")
                && l.contains("orders also writes")
        })
        .expect("overlap annotation");
    assert!(
        overlap.contains(&format!(",line={},", line_of("replications", "all"))),
        "{overlap}"
    );
}

#[test]
fn a_mariadb_without_binary_log_and_a_wrong_password_and_an_unreachable_port() {
    let db = MariaDb::start(&[]);
    db.sql(MYSQL_SETUP);
    db.sql(&format!(
        "CREATE USER 'dms'@'%' IDENTIFIED BY '{SOURCE_PW}'; GRANT SELECT ON app.* TO 'dms'@'%';"
    ));
    db.sql("ALTER USER 'tgt'@'%' IDENTIFIED BY 'another-password'");
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = spec(
        dir.path(),
        "mariadb",
        "  orders: { source: backend, target: receiver, type: full-load-and-cdc, rules: orders }",
        "  orders:\n    - include: { schema: app, table: orders }",
    );
    let via = format!("backend=127.0.0.1:{}", db.port);
    let via2 = format!("receiver=127.0.0.1:{}", db.port);
    let out = dmsctl(&spec, &["--via", &via, "--via", &via2, "-o", "json"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(finding(&r, "backend", None, "mysql.log_bin").0, "fail");
    let (status, message) = finding(&r, "receiver", None, "connect");
    assert_eq!(status, "fail");
    assert!(message.contains("Access denied"), "{message}");
    // The source was still checked.
    assert_eq!(
        finding(&r, "backend", Some("orders"), "rules.selection").0,
        "pass"
    );

    // Nothing listens on the port: a fail within the timeout, not a hang.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let via = format!("backend=127.0.0.1:{port}");
    let out = dmsctl(
        &spec,
        &[
            "--via",
            &via,
            "--via",
            &via2,
            "--connect-timeout",
            "3s",
            "-o",
            "json",
            "orders",
        ],
    );
    let r = report(&out);
    assert_eq!(finding(&r, "backend", None, "connect").0, "fail");
}

const PG_SETUP: &str = "
CREATE TABLE public.orders (id int PRIMARY KEY, total int);
CREATE TABLE public.audit (at timestamptz, what text);
CREATE SCHEMA copy;
";

#[test]
fn postgresql_set_up_right_and_wrong() {
    let right = Postgres::start(&[
        ("wal_level", "logical"),
        ("max_replication_slots", "4"),
        ("max_wal_senders", "4"),
    ]);
    let wrong = Postgres::start(&[("wal_level", "replica"), ("wal_sender_timeout", "5s")]);
    for db in [&right, &wrong] {
        db.sql("CREATE DATABASE app");
        db.sql_in("app", PG_SETUP);
        db.sql(&format!("CREATE ROLE tgt LOGIN PASSWORD '{TARGET_PW}'"));
        db.sql_in("app", "GRANT USAGE, CREATE ON SCHEMA copy TO tgt");
    }
    right.sql(&format!(
        "CREATE ROLE dms LOGIN SUPERUSER PASSWORD '{SOURCE_PW}'"
    ));
    wrong.sql(&format!("CREATE ROLE dms LOGIN PASSWORD '{SOURCE_PW}'"));
    wrong.sql_in("app", "GRANT SELECT ON public.orders TO dms");
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = "  all:\n    - include: { schema: public, table: \"%\" }\n    - rename: { schema: public, to: copy }";
    let spec = spec(
        dir.path(),
        "postgres",
        "  all: { source: backend, target: receiver, type: full-load-and-cdc, rules: all }",
        rules,
    );
    let run = |db: &Postgres| {
        let via = format!("backend=127.0.0.1:{}", db.port);
        let via2 = format!("receiver=127.0.0.1:{}", db.port);
        let out = dmsctl(
            &spec,
            &["--via", &via, "--via", &via2, "-o", "json", "--write-test"],
        );
        (out.status.code(), report(&out))
    };
    let (code, r) = run(&right);
    for check in [
        "postgres.wal_level",
        "postgres.max_replication_slots",
        "postgres.max_wal_senders",
        "postgres.wal_sender_timeout",
        "postgres.replication_role",
    ] {
        assert_eq!(
            finding(&r, "backend", None, check).0,
            "pass",
            "{check}: {r:#}"
        );
    }
    // DMS ignores UPDATE and DELETE of a table without a primary key: a failure for CDC.
    let (status, message) = finding(&r, "backend", Some("all"), "source.primary_key");
    assert_eq!(status, "fail");
    assert!(message.contains("public.audit"), "{message}");
    assert_eq!(
        finding(&r, "receiver", Some("all"), "target.privileges").0,
        "pass"
    );
    assert_eq!(
        finding(&r, "receiver", None, "target.write_test").0,
        "pass",
        "{r:#}"
    );
    assert_eq!(code, Some(1));

    let (code, r) = run(&wrong);
    assert_eq!(code, Some(1));
    assert_eq!(finding(&r, "backend", None, "postgres.wal_level").0, "fail");
    assert_eq!(
        finding(&r, "backend", None, "postgres.wal_sender_timeout").0,
        "fail"
    );
    assert_eq!(
        finding(&r, "backend", None, "postgres.replication_role").0,
        "fail"
    );
    let (status, message) = finding(&r, "backend", Some("all"), "source.select");
    assert_eq!(status, "fail");
    assert!(message.contains("public.audit"), "{message}");
}

#[test]
fn the_table_and_markdown_reports_say_the_same() {
    let db = MariaDb::start(&["--log-bin=binlog", "--server-id=1", "--binlog-format=MIXED"]);
    db.sql(MYSQL_SETUP);
    db.sql(&format!(
        "CREATE USER 'dms'@'%' IDENTIFIED BY '{SOURCE_PW}'; GRANT SELECT ON app.* TO 'dms'@'%';"
    ));
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = spec(
        dir.path(),
        "mysql",
        "  orders: { source: backend, target: receiver, type: cdc, rules: orders }",
        "  orders:\n    - include: { schema: app, table: orders }",
    );
    let via = format!("backend=127.0.0.1:{}", db.port);
    let via2 = format!("receiver=127.0.0.1:{}", db.port);
    let table = dmsctl(&spec, &["--via", &via, "--via", &via2]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert_eq!(table.status.code(), Some(1));
    assert!(text.contains("binlog_format is MIXED, not ROW"), "{text}");
    assert!(text.contains("replication orders"), "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap_or_default()
            .starts_with("Check: "),
        "{text}"
    );
    let md = dmsctl(&spec, &["--via", &via, "--via", &via2, "-o", "markdown"]);
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.starts_with("### dmsctl check: "), "{md}");
    assert!(
        md.contains("| ❌ fail | backend | `mysql.binlog_format` |"),
        "{md}"
    );
    assert!(
        md.contains("(https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.MySQL.html"),
        "{md}"
    );
}

/// A CA and a server certificate for 127.0.0.1, made with openssl.
fn certificates(dir: &Path) {
    let sh = format!(
        "set -e; cd '{}'; \
         openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=dmsctl-test-ca -keyout ca.key -out ca.pem 2>/dev/null; \
         openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr 2>/dev/null; \
         printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext; \
         openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.pem 2>/dev/null",
        dir.display()
    );
    let status = std::process::Command::new("sh")
        .args(["-c", &sh])
        .status()
        .expect("openssl runs (scripts/test installs it)");
    assert!(status.success(), "making test certificates failed");
}

#[test]
fn tls_follows_the_endpoints_ssl_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    certificates(dir.path());
    let cert = |f: &str| format!("{}", dir.path().join(f).display());
    let db = MariaDb::start(&[
        &format!("--ssl-ca={}", cert("ca.pem")),
        &format!("--ssl-cert={}", cert("server.pem")),
        &format!("--ssl-key={}", cert("server.key")),
    ]);
    db.sql(MYSQL_SETUP);
    // The DMS user may log in over TLS only.
    db.sql(&format!(
        "CREATE USER 'dms'@'%' IDENTIFIED BY '{SOURCE_PW}' REQUIRE SSL; GRANT SELECT ON app.* TO 'dms'@'%';"
    ));
    let spec_with = |mode: &str| {
        let path = spec(
            dir.path(),
            "mariadb",
            "  orders: { source: backend, target: events, type: full-load, rules: orders }",
            "  orders:\n    - include: { schema: app, table: orders }",
        );
        // DMS verifies with the certificate the endpoint names; check with --ca-file.
        let certificate = if mode.starts_with("verify") {
            " certificate_arn: 'arn:aws:dms:eu-central-1:123456789012:cert:TESTCA',"
        } else {
            ""
        };
        let text = std::fs::read_to_string(&path).expect("spec").replace(
            "username: dms,",
            &format!("username: dms, ssl_mode: {mode},{certificate}"),
        );
        std::fs::write(&path, text).expect("spec");
        path
    };
    let via = format!("backend=127.0.0.1:{}", db.port);
    let connect = |mode: &str, extra: &[&str]| {
        let spec = spec_with(mode);
        let mut args = vec!["--via", via.as_str(), "-o", "json"];
        args.extend(extra);
        let r = report(&dmsctl(&spec, &args));
        finding(&r, "backend", None, "connect")
    };
    // Without TLS the server refuses the user; `require` encrypts and logs in.
    let (status, message) = connect("none", &[]);
    assert_eq!(status, "fail", "{message}");
    assert!(message.contains("Access denied"), "{message}");
    assert_eq!(connect("require", &[]).0, "pass");
    // `verify-full` checks the certificate against --ca-file, and the name against the host.
    let ca = cert("ca.pem");
    assert_eq!(connect("verify-full", &["--ca-file", &ca]).0, "pass");
    let (status, message) = connect("verify-ca", &[]);
    assert_eq!(status, "fail", "an unknown issuer is refused: {message}");
}
