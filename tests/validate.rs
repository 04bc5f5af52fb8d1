//! `dmsctl validate`, `render`, `schema` and `completions` through the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dmsctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dmsctl"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("DMSCTL_TEST_PW", "not-a-real-password")
        .env("SCI_BACKEND_PASSWORD", "backend-secret-value")
        .env("SCI_RECEIVER_PASSWORD", "receiver-secret-value")
        .env("INVOICES_DB_PASSWORD", "invoices-secret-value")
        .env("MSK_SASL_PASSWORD", "msk-secret-value")
        .output()
        .expect("dmsctl runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_validates_without_warnings() {
    let files = examples();
    assert!(
        files.len() >= 3,
        "expected the three examples, found {files:?}"
    );
    for f in files {
        let out = dmsctl(&[
            "validate",
            "--strict",
            "-f",
            f.to_str().expect("utf-8 path"),
        ]);
        assert!(
            out.status.success(),
            "{} failed:\n{}{}",
            f.display(),
            text(&out.stdout),
            text(&out.stderr)
        );
        assert!(
            text(&out.stdout).contains(": valid ("),
            "{}",
            text(&out.stdout)
        );
        assert_eq!(
            text(&out.stderr),
            "",
            "no diagnostics expected for {}",
            f.display()
        );
    }
}

/// Each fixture ends with `# expect: LINE:COL MESSAGE` lines: every one must be reported as an
/// error at that place, and the run must exit 1 without a panic.
#[test]
fn every_invalid_fixture_reports_its_located_message() {
    let dir = root().join("tests/fixtures/invalid");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures exist")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    fixtures.sort();
    assert!(
        fixtures.len() >= 40,
        "at least 40 invalid fixtures, found {}",
        fixtures.len()
    );
    let mut failures = Vec::new();
    for f in &fixtures {
        let spec = std::fs::read_to_string(f).expect("fixture readable");
        let expected: Vec<(String, String)> = spec
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .map(|l| {
                let (loc, msg) = l.split_once(' ').expect("`# expect: LINE:COL MESSAGE`");
                (loc.to_string(), msg.to_string())
            })
            .collect();
        assert!(
            !expected.is_empty(),
            "{} has no `# expect:` line",
            f.display()
        );
        let path = f.to_str().expect("utf-8 path");
        let out = dmsctl(&["validate", "-f", path]);
        let stderr = text(&out.stderr);
        if out.status.code() != Some(1) {
            failures.push(format!(
                "{}: exit {:?}, wanted 1",
                f.display(),
                out.status.code()
            ));
        }
        if stderr.contains("panicked") {
            failures.push(format!("{}: panicked:\n{stderr}", f.display()));
        }
        let lines: Vec<&str> = stderr.lines().collect();
        for (loc, msg) in expected {
            let found = lines.windows(2).any(|w| {
                w[0].starts_with("error[")
                    && w[0].ends_with(&format!("]: {msg}"))
                    && w[1].ends_with(&format!("{path}:{loc}"))
            });
            if !found {
                failures.push(format!(
                    "{}: no error `{msg}` at {loc}; stderr:\n{stderr}",
                    f.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn diagnostics_show_the_line_and_a_caret_and_the_suggestion() {
    let f = root().join("tests/fixtures/invalid/unknown-endpoint-field.yaml");
    let out = dmsctl(&["validate", "-f", f.to_str().expect("utf-8")]);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("10 │     enigne: mysql"), "{stderr}");
    assert!(stderr.contains("│     ^^^^^^"), "{stderr}");
    assert!(stderr.contains("help: did you mean `engine`?"), "{stderr}");
    assert!(stderr.contains("1 error, 0 warnings"), "{stderr}");
}

#[test]
fn all_problems_are_reported_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("many.yaml");
    std::fs::write(
        &f,
        "version: 1\nstack: demo\nendpoints:\n  a: { role: source, enigne: mysql }\n  b: { role: sink, engine: mysql }\nrules: {}\nreplications: {}\ncompute: { mode: serverles }\n",
    )
    .expect("write");
    let out = dmsctl(&["validate", "-f", f.to_str().expect("utf-8"), "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes: Vec<&str> = doc["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["code"].as_str().expect("code"))
        .collect();
    assert_eq!(
        codes,
        ["unknown-field", "invalid-value", "invalid-value"],
        "{doc:#}"
    );
    assert_eq!(doc["errors"], 3);
    assert_eq!(doc["valid"], false);
    let first = &doc["diagnostics"][0];
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(4), Some(22))
    );
    assert_eq!(first["help"], "did you mean `engine`?");
    assert_eq!(first["path"], "endpoints.a.enigne");
}

#[test]
fn warnings_pass_unless_strict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("warn.yaml");
    let spec = std::fs::read_to_string(root().join("examples/sci-sync-serverless.yaml"))
        .expect("example")
        .replace("SCI_BACKEND_PASSWORD", "DMSCTL_SURELY_UNSET_VARIABLE");
    std::fs::write(&f, spec).expect("write");
    let path = f.to_str().expect("utf-8");
    let out = dmsctl(&["validate", "-f", path]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(
        "warning[env-not-set]: environment variable `DMSCTL_SURELY_UNSET_VARIABLE` is not set"
    ));
    let strict = dmsctl(&["validate", "--strict", "-f", path]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(
        text(&strict.stderr).contains("--strict treats warnings as errors"),
        "{}",
        text(&strict.stderr)
    );
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let out = dmsctl(&["validate", "-f", "/nonexistent/dmsctl.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot read the spec `/nonexistent/dmsctl.yaml`"),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_1_not_2() {
    for args in [
        &["validate", "--no-such-flag"][..],
        &["no-such-command"],
        &["validate", "-f"],
        &[],
    ] {
        let out = dmsctl(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).is_empty());
    }
    let help = dmsctl(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("Exit codes"));
}

#[test]
fn validate_markdown_is_a_table_of_problems() {
    let f = root().join("tests/fixtures/invalid/invalid-dcu.yaml");
    let out = dmsctl(&[
        "validate",
        "-f",
        f.to_str().expect("utf-8"),
        "-o",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let md = text(&out.stdout);
    assert!(md.contains("| error | `"), "{md}");
    assert!(
        md.contains(":32:14` | 3 is not a DMS Serverless capacity |"),
        "{md}"
    );
}

#[test]
fn schema_file_is_up_to_date() {
    let out = dmsctl(&["schema"]);
    assert!(out.status.success());
    let committed = std::fs::read_to_string(root().join("specs/dmsctl.schema.json"))
        .expect("specs/dmsctl.schema.json");
    assert!(
        committed == text(&out.stdout),
        "specs/dmsctl.schema.json is out of date: run `cargo run -- schema > specs/dmsctl.schema.json`"
    );
}

/// Every property the schema knows is documented in specs/README.md.
#[test]
fn spec_reference_documents_every_field() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("specs/dmsctl.schema.json")).expect("schema"),
    )
    .expect("json");
    let doc = std::fs::read_to_string(root().join("specs/README.md")).expect("specs/README.md");
    let mut missing = Vec::new();
    let mut check = |props: &serde_json::Value| {
        for key in props.as_object().into_iter().flat_map(|o| o.keys()) {
            if !doc.contains(&format!("`{key}`")) {
                missing.push(key.clone());
            }
        }
    };
    check(&schema["properties"]);
    for def in schema["$defs"].as_object().expect("defs").values() {
        check(&def["properties"]);
        for branch in def["oneOf"].as_array().into_iter().flatten() {
            check(&branch["properties"]);
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "specs/README.md does not mention: {missing:?}"
    );
}

fn render(file: &str, args: &[&str]) -> serde_json::Value {
    let path = root().join(file);
    let mut all = vec!["render", "-f", path.to_str().expect("utf-8")];
    all.extend_from_slice(args);
    let out = dmsctl(&all);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("render prints JSON")
}

#[test]
fn render_shows_table_mappings_as_dms_json() {
    let m = render(
        "examples/sci-sync-serverless.yaml",
        &["send-invoice-history", "--table-mappings"],
    );
    assert_eq!(
        m,
        serde_json::json!({"rules": [
            {"rule-type": "selection", "rule-id": "1", "rule-name": "1-include", "rule-action": "include",
             "object-locator": {"schema-name": "sci_backend", "table-name": "send_invoice_history"}},
            {"rule-type": "selection", "rule-id": "2", "rule-name": "2-include", "rule-action": "include",
             "object-locator": {"schema-name": "sci_backend", "table-name": "send_invoice_history_item"}},
            {"rule-type": "transformation", "rule-id": "3", "rule-name": "3-rename", "rule-action": "rename",
             "rule-target": "schema", "object-locator": {"schema-name": "sci_backend"}, "value": "sci_receiver_backend"}
        ]})
    );
}

#[test]
fn render_resolves_identifiers_modes_and_tags() {
    let serverless = render("examples/sci-sync-serverless.yaml", &[]);
    let rc = &serverless["replication_configs"]["send-invoice-history"];
    assert_eq!(
        rc["ReplicationConfigIdentifier"],
        "sci-sync-send-invoice-history"
    );
    assert_eq!(rc["ComputeConfig"]["MaxCapacityUnits"], 4);
    assert_eq!(
        rc["ComputeConfig"]["ReplicationSubnetGroupId"],
        "sci-sync-private"
    );
    assert_eq!(rc["ReplicationSettings"]["Logging"]["EnableLogging"], true);
    assert_eq!(
        rc["ReplicationSettings"]["TargetMetadata"]["TargetTablePrepMode"],
        "DO_NOTHING"
    );
    assert!(serverless["tasks"].as_object().expect("map").is_empty());
    let tags = rc["Tags"].as_array().expect("tags");
    assert!(tags.contains(&serde_json::json!({"Key": "dmsctl:stack", "Value": "sci-sync"})));
    assert!(
        tags.contains(&serde_json::json!({"Key": "dmsctl:name", "Value": "send-invoice-history"}))
    );
    assert!(tags.contains(&serde_json::json!({"Key": "team", "Value": "platform"})));

    let instances = render("examples/sci-sync-instances.yaml", &[]);
    let task = &instances["tasks"]["invoice-recipients"];
    assert_eq!(
        task["ReplicationTaskIdentifier"],
        "sci-sync-invoice-recipients"
    );
    assert_eq!(task["ReplicationInstance"], "main");
    assert_eq!(task["MigrationType"], "full-load-and-cdc");
    assert_eq!(
        instances["instances"]["main"]["ReplicationInstanceIdentifier"],
        "sci-sync-main"
    );
    assert!(instances["replication_configs"]
        .as_object()
        .expect("map")
        .is_empty());
    let ep = &instances["endpoints"]["receiver"];
    assert_eq!(
        ep["ExtraConnectionAttributes"],
        "initstmt=SET FOREIGN_KEY_CHECKS=0;parallelLoadThreads=4"
    );
    assert_eq!(ep["Port"], 3306);
}

#[test]
fn render_never_prints_secret_values() {
    for file in examples() {
        let out = dmsctl(&["render", "-f", file.to_str().expect("utf-8")]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        for secret in [
            "backend-secret-value",
            "receiver-secret-value",
            "invoices-secret-value",
            "msk-secret-value",
        ] {
            assert!(!all.contains(secret), "{} leaks a secret", file.display());
        }
    }
    let kafka = render("examples/kafka-target.yaml", &["events"]);
    assert_eq!(
        kafka["resource"]["KafkaSettings"]["SaslPassword"],
        "(sensitive, from $MSK_SASL_PASSWORD)"
    );
    assert_eq!(kafka["resource"]["KafkaSettings"]["Broker"],
        "b-1.invoices.abc123.c2.kafka.eu-central-1.amazonaws.com:9096,b-2.invoices.abc123.c2.kafka.eu-central-1.amazonaws.com:9096");
}

#[test]
fn render_of_an_unknown_name_lists_the_names() {
    let path = root().join("examples/sci-sync-serverless.yaml");
    let out = dmsctl(&["render", "-f", path.to_str().expect("utf-8"), "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no resource named `nope`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn commands_other_than_validate_refuse_an_invalid_spec() {
    let f = root().join("tests/fixtures/invalid/invalid-dcu.yaml");
    let out = dmsctl(&["render", "-f", f.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("3 is not a DMS Serverless capacity"),
        "{stderr}"
    );
    assert!(stderr.contains("has 1 error"), "{stderr}");
    assert!(Path::new(&f).exists());
}

#[test]
fn commands_that_need_no_secret_do_not_warn_about_unset_variables() {
    let path = root().join("examples/sci-sync-serverless.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_dmsctl"))
        .args(["render", "-f", path.to_str().expect("utf-8")])
        .env("NO_COLOR", "1")
        .env_remove("SCI_BACKEND_PASSWORD")
        .env_remove("SCI_RECEIVER_PASSWORD")
        .output()
        .expect("dmsctl runs");
    assert!(out.status.success());
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn shell_completions_name_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let out = dmsctl(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        for command in [
            "validate",
            "plan",
            "apply",
            "adopt",
            "status",
            "cost",
            "detailed-exitcode",
        ] {
            assert!(
                script.contains(command),
                "{shell} completion lacks {command}"
            );
        }
    }
    let out = dmsctl(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("possible values"));
}
