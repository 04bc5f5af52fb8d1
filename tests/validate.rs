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

/// A spec whose rule sets are `sets` (name and YAML list items), each used by a replication to
/// a target that suits it: `s3…` sets to S3, `kafka…` sets to Kafka, the others to MySQL.
fn rules_spec(sets: &[(&str, Vec<String>)]) -> String {
    let mut spec = String::from(
        "version: 1
stack: guide
region: eu-central-1
subnet_groups:
  private: { subnet_ids: [subnet-0a1b2c3d, subnet-0a1b2c3e] }
endpoints:
  src: { role: source, engine: mysql, host: a.example.com, username: dms, password: { env: DMSCTL_TEST_PW } }
  db: { role: target, engine: mysql, host: b.example.com, username: dms, password: { env: DMSCTL_TEST_PW } }
",
    );
    if sets.iter().any(|(n, _)| n.starts_with("s3")) {
        spec.push_str("  lake: { role: target, engine: s3, s3: { bucket_name: lake, service_access_role_arn: \"arn:aws:iam::123456789012:role/dms-s3\" } }\n");
    }
    if sets.iter().any(|(n, _)| n.starts_with("kafka")) {
        spec.push_str("  events: { role: target, engine: kafka, kafka: { brokers: [\"b-1.example.com:9092\"] } }\n");
    }
    spec.push_str("rules:\n");
    for (name, items) in sets {
        spec.push_str(&format!("  {name}:\n"));
        for item in items {
            spec.push_str(&format!("    - {item}\n"));
        }
    }
    spec.push_str("replications:\n");
    for (name, _) in sets {
        let target = if name.starts_with("s3") {
            "lake"
        } else if name.starts_with("kafka") {
            "events"
        } else {
            "db"
        };
        spec.push_str(&format!(
            "  {name}: {{ source: src, target: {target}, type: full-load, rules: {name} }}\n"
        ));
    }
    // Tasks: the rules select views, which DMS Serverless does not support.
    spec.push_str(
        "compute: { mode: instances, instances: { main: { class: dms.t3.medium, subnet_group: private } } }\n",
    );
    spec
}

/// Writes `spec`, checks that `validate --strict` passes without a diagnostic and returns the
/// table mappings `render` prints for each replication.
fn validate_and_render(spec: &str, replications: &[&str]) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dmsctl.yaml");
    std::fs::write(&path, spec).expect("write spec");
    let path = path.to_str().expect("utf-8 path");
    let out = dmsctl(&["validate", "--strict", "-f", path]);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}{}\n{spec}",
        text(&out.stdout),
        text(&out.stderr)
    );
    replications
        .iter()
        .map(|r| {
            let out = dmsctl(&["render", "-f", path, r, "--table-mappings"]);
            assert!(out.status.success(), "{}", text(&out.stderr));
            serde_json::from_slice(&out.stdout).expect("render prints JSON")
        })
        .collect()
}

fn guide_rules() -> serde_json::Value {
    let file = root().join("tests/fixtures/rules/dms-user-guide.json");
    serde_json::from_str(&std::fs::read_to_string(file).expect("fixture")).expect("JSON")
}

/// Issue #15: table mappings from the DMS user guide, written as `raw:` rules, were refused
/// (table-settings rules "need `rule-action`", an `explicit` selection "selects no table").
#[test]
fn every_rule_kind_of_the_dms_user_guide_validates_as_raw_and_renders_as_written() {
    let guide = guide_rules();
    let sets: Vec<(&str, Vec<String>)> = ["database", "s3", "kafka"]
        .into_iter()
        .map(|set| {
            let rules = guide[set].as_array().expect("rules");
            (set, rules.iter().map(|r| format!("raw: {r}")).collect())
        })
        .collect();
    let rendered = validate_and_render(&rules_spec(&sets), &["database", "s3", "kafka"]);
    for (set, mappings) in ["database", "s3", "kafka"].iter().zip(rendered) {
        assert_eq!(
            mappings,
            serde_json::json!({ "rules": guide[set] }),
            "rule set {set}"
        );
    }
    // Every rule type and every action the guide lists is in the fixture.
    let all: Vec<&serde_json::Value> = ["database", "s3", "kafka"]
        .iter()
        .flat_map(|s| guide[s].as_array().expect("rules"))
        .collect();
    let has = |t: &str, a: Option<&str>| {
        all.iter()
            .any(|r| r["rule-type"] == t && r.get("rule-action").and_then(|v| v.as_str()) == a)
    };
    for a in ["include", "exclude", "explicit"] {
        assert!(has("selection", Some(a)), "selection {a}");
    }
    for a in [
        "add-column",
        "include-column",
        "remove-column",
        "rename",
        "convert-lowercase",
        "convert-uppercase",
        "add-prefix",
        "remove-prefix",
        "replace-prefix",
        "add-suffix",
        "remove-suffix",
        "replace-suffix",
        "define-primary-key",
        "change-data-type",
        "add-before-image-columns",
        "data-masking-digits-mask",
        "data-masking-digits-randomize",
        "data-masking-hash-mask",
    ] {
        assert!(has("transformation", Some(a)), "transformation {a}");
    }
    assert!(has("table-settings", None));
    assert!(has("post-processing", Some("add-tag")));
    assert!(has("object-mapping", Some("map-record-to-record")));
    let text = serde_json::to_string(&all).expect("JSON");
    for op in [
        "lte",
        "ste",
        "gte",
        "eq",
        "noteq",
        "between",
        "notbetween",
        "null",
        "notnull",
    ] {
        assert!(
            text.contains(&format!("\"filter-operator\":\"{op}\"")),
            "operator {op}"
        );
    }
    for t in [
        "partitions-auto",
        "subpartitions-auto",
        "partitions-list",
        "ranges",
        "none",
    ] {
        assert!(
            text.contains(&format!("\"type\":\"{t}\"")),
            "parallel-load {t}"
        );
    }
    for m in ["unlimited", "none", "limited"] {
        assert!(text.contains(&format!("\"mode\":\"{m}\"")), "LOB mode {m}");
    }
}

/// Each friendly rule renders to the DMS rule the user guide writes for it (rule names aside).
#[test]
fn friendly_rules_render_to_the_same_dms_json_as_their_raw_form() {
    let pairs: &[(&str, &str)] = &[
        ("include: { schema: shop, table: \"%\" }",
         r#"{"rule-type": "selection", "rule-action": "include", "object-locator": {"schema-name": "shop", "table-name": "%"}}"#),
        ("exclude: { schema: shop, table: \"TMP%\" }",
         r#"{"rule-type": "selection", "rule-action": "exclude", "object-locator": {"schema-name": "shop", "table-name": "TMP%"}}"#),
        ("explicit: { schema: crm, table: Customer }",
         r#"{"rule-type": "selection", "rule-action": "explicit", "object-locator": {"schema-name": "crm", "table-name": "Customer"}}"#),
        ("include: { schema: reports, table: \"v_%\", table_type: view, load_order: 2 }",
         r#"{"rule-type": "selection", "rule-action": "include", "object-locator": {"schema-name": "reports", "table-name": "v_%", "table-type": "view"}, "load-order": 2}"#),
        ("rename: { schema: shop, to: shop_v2 }",
         r#"{"rule-type": "transformation", "rule-action": "rename", "rule-target": "schema", "object-locator": {"schema-name": "shop"}, "value": "shop_v2"}"#),
        ("rename: { schema: shop, table: Orders, column: placed, to: placed_at }",
         r#"{"rule-type": "transformation", "rule-action": "rename", "rule-target": "column", "object-locator": {"schema-name": "shop", "table-name": "Orders", "column-name": "placed"}, "value": "placed_at"}"#),
        ("add_prefix: { schema: ops, table: \"%\", value: OPS_ }",
         r#"{"rule-type": "transformation", "rule-action": "add-prefix", "rule-target": "table", "object-locator": {"schema-name": "ops", "table-name": "%"}, "value": "OPS_"}"#),
        ("remove_suffix: { schema: shop, table: \"%\", value: _DMS }",
         r#"{"rule-type": "transformation", "rule-action": "remove-suffix", "rule-target": "table", "object-locator": {"schema-name": "shop", "table-name": "%"}, "value": "_DMS"}"#),
        ("replace_prefix: { schema: \"%\", table: \"%\", column: \"%\", old: Pre_, new: NewPre_ }",
         r#"{"rule-type": "transformation", "rule-action": "replace-prefix", "rule-target": "column", "object-locator": {"schema-name": "%", "table-name": "%", "column-name": "%"}, "value": "NewPre_", "old-value": "Pre_"}"#),
        ("lowercase: { schema: LEGACY, table: T_LOG }",
         r#"{"rule-type": "transformation", "rule-action": "convert-lowercase", "rule-target": "table", "object-locator": {"schema-name": "LEGACY", "table-name": "T_LOG"}}"#),
        ("remove_column: { schema: shop, table: Orders, column: \"col%\" }",
         r#"{"rule-type": "transformation", "rule-action": "remove-column", "rule-target": "column", "object-locator": {"schema-name": "shop", "table-name": "Orders", "column-name": "col%"}}"#),
        ("add_column: { schema: crm, table: Customer, column: FULL_NAME, expression: \"$FIRST_NAME||' '||$LAST_NAME\", type: string, length: 50 }",
         r#"{"rule-type": "transformation", "rule-action": "add-column", "rule-target": "column", "object-locator": {"schema-name": "crm", "table-name": "Customer"}, "value": "FULL_NAME", "expression": "$FIRST_NAME||' '||$LAST_NAME", "data-type": {"type": "string", "length": 50}}"#),
        ("change_data_type: { schema: shop, table: Payments, column: AMOUNT, type: int8 }",
         r#"{"rule-type": "transformation", "rule-action": "change-data-type", "rule-target": "column", "object-locator": {"schema-name": "shop", "table-name": "Payments", "column-name": "AMOUNT"}, "data-type": {"type": "int8"}}"#),
        ("define_primary_key: { schema: inventory, table: PART, name: PART-unique-idx, origin: unique-index, columns: [PART-NUM] }",
         r#"{"rule-type": "transformation", "rule-action": "define-primary-key", "rule-target": "table", "object-locator": {"schema-name": "inventory", "table-name": "PART"}, "primary-key-def": {"name": "PART-unique-idx", "origin": "unique-index", "columns": ["PART-NUM"]}}"#),
        ("add_before_image_columns: { schema: \"%\", table: employees }",
         r#"{"rule-type": "transformation", "rule-action": "add-before-image-columns", "rule-target": "column", "object-locator": {"schema-name": "%", "table-name": "employees"}, "before-image-def": {"column-prefix": "BI_", "column-filter": "pk-only"}}"#),
        ("parallel_load: { schema: HR, table: SALES, type: partitions-auto }",
         r#"{"rule-type": "table-settings", "object-locator": {"schema-name": "HR", "table-name": "SALES"}, "parallel-load": {"type": "partitions-auto"}}"#),
        ("parallel_load: { schema: HR, table: SALES_SUB, type: subpartitions-auto }",
         r#"{"rule-type": "table-settings", "object-locator": {"schema-name": "HR", "table-name": "SALES_SUB"}, "parallel-load": {"type": "subpartitions-auto"}}"#),
        ("parallel_load: { schema: HR, table: SALES_BOTH, type: partitions-list, partitions: [ABCD, EFGH], subpartitions: [\"01234\", \"56789\"] }",
         r#"{"rule-type": "table-settings", "object-locator": {"schema-name": "HR", "table-name": "SALES_BOTH"}, "parallel-load": {"type": "partitions-list", "partitions": ["ABCD", "EFGH"], "subpartitions": ["01234", "56789"]}}"#),
        ("parallel_load: { schema: HR, table: SALES_RANGES, type: ranges, columns: [SALES_NO, REGION], boundaries: [[1000, NORTH], [3000, WEST]] }",
         r#"{"rule-type": "table-settings", "object-locator": {"schema-name": "HR", "table-name": "SALES_RANGES"}, "parallel-load": {"type": "ranges", "columns": ["SALES_NO", "REGION"], "boundaries": [["1000", "NORTH"], ["3000", "WEST"]]}}"#),
        ("parallel_load: { schema: admin, table: departments, type: partitions-auto, number_of_partitions: 5, collection_count_from_metadata: true, max_records_skip_per_page: 1000000, batch_size: 50000 }",
         r#"{"rule-type": "table-settings", "object-locator": {"schema-name": "admin", "table-name": "departments"}, "parallel-load": {"type": "partitions-auto", "number-of-partitions": 5, "collection-count-from-metadata": "true", "max-records-skip-per-page": 1000000, "batch-size": 50000}}"#),
        ("parallel_load: { schema: HR, table: AUDIT, type: none }",
         r#"{"rule-type": "table-settings", "object-locator": {"schema-name": "HR", "table-name": "AUDIT"}, "parallel-load": {"type": "none"}}"#),
        ("lob: { schema: INV, table: ITEMS, bulk_max_size: 100000 }",
         r#"{"rule-type": "table-settings", "object-locator": {"schema-name": "INV", "table-name": "ITEMS"}, "lob-settings": {"bulk-max-size": "100000"}}"#),
        ("lob: { schema: INV, table: ITEMS_FULL, mode: unlimited, bulk_max_size: 0 }",
         r#"{"rule-type": "table-settings", "object-locator": {"schema-name": "INV", "table-name": "ITEMS_FULL"}, "lob-settings": {"mode": "unlimited", "bulk-max-size": "0"}}"#),
        ("lob: { schema: INV, table: ITEMS_TASK, mode: none, bulk_max_size: 100000 }",
         r#"{"rule-type": "table-settings", "object-locator": {"schema-name": "INV", "table-name": "ITEMS_TASK"}, "lob-settings": {"mode": "none", "bulk-max-size": "100000"}}"#),
    ];
    let friendly: Vec<String> = pairs.iter().map(|(f, _)| f.to_string()).collect();
    let raw: Vec<String> = pairs.iter().map(|(_, r)| format!("raw: {r}")).collect();
    let rendered = validate_and_render(
        &rules_spec(&[("friendly", friendly), ("raw", raw)]),
        &["friendly", "raw"],
    );
    let without_names = |m: &serde_json::Value| -> Vec<serde_json::Value> {
        let mut rules = m["rules"].as_array().expect("rules").clone();
        for r in &mut rules {
            r.as_object_mut().expect("rule").remove("rule-name");
        }
        rules
    };
    let (friendly, raw) = (without_names(&rendered[0]), without_names(&rendered[1]));
    assert_eq!(friendly.len(), pairs.len());
    for (i, (f, r)) in friendly.iter().zip(&raw).enumerate() {
        assert_eq!(f, r, "{}", pairs[i].0);
    }
}

#[test]
fn annotations_for_a_pull_request_put_each_problem_on_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("dmsctl.yaml");
    std::fs::write(
        &spec,
        "version: 1\nstack: s\nendpoints:\n  a:\n    role: source\n    engine: mysqll\n    bogus: 1\n",
    )
    .unwrap();
    let path = spec.to_str().unwrap();
    let out = dmsctl(&["validate", "-f", path, "-o", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines.iter().all(|l| l.starts_with("::error file=")),
        "{stdout}"
    );
    assert!(
        lines[1].contains(",line=6,col=13,endColumn=18,title=dmsctl%3A validate/invalid-value::"),
        "{stdout}"
    );
    assert!(
        lines[1].ends_with("%0Ahelp: did you mean `mysql`?"),
        "{stdout}"
    );
    assert!(lines[2].contains(",line=7,col=5,"), "{stdout}");
    assert!(text(&out.stderr).contains("3 errors, 0 warnings"));

    let out = dmsctl(&["validate", "-f", path, "-o", "gitlab"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let issues = report.as_array().unwrap();
    assert_eq!(issues.len(), 3);
    assert_eq!(issues[2]["check_name"], "validate/unknown-field");
    assert_eq!(issues[2]["location"]["lines"]["begin"], 7);
    assert_eq!(issues[2]["severity"], "major");

    // A valid spec: no annotation, an empty report, exit 0.
    let ok = root().join("examples/sci-sync-instances.yaml");
    let out = dmsctl(&["validate", "-f", ok.to_str().unwrap(), "-o", "github"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "");
    let out = dmsctl(&["validate", "-f", ok.to_str().unwrap(), "-o", "gitlab"]);
    assert_eq!(text(&out.stdout), "[]\n");
    // Formats for other commands are refused before any work.
    let out = dmsctl(&["plan", "-f", ok.to_str().unwrap(), "-o", "github"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("`plan` prints table, json or markdown, not github"));
}
