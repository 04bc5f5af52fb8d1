//! Mistakes in how dmsctl is pointed at AWS, or in what it is asked to print, fail before any
//! call with an error naming the setting — never a panic, never a message quoting a request.

use std::process::{Command, Output};

fn plan(env: &[(&str, &str)], extra: &[&str]) -> Output {
    let spec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/sci-sync-serverless.yaml"
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dmsctl"));
    cmd.args(["plan", "-f", spec])
        .args(extra)
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_PROFILE")
        .env_remove("DMSCTL_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("dmsctl runs")
}

#[track_caller]
fn fails_with(out: &Output, message: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(message),
        "expected `{message}` in:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Request {"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout");
}

#[test]
fn bad_endpoint_urls_are_named_in_the_error() {
    for (value, why) in [
        ("", "it is empty"),
        ("localhost:5000", "it must start with http:// or https://"),
        ("http://", "it has no host"),
    ] {
        fails_with(
            &plan(&[], &["--endpoint-url", value]),
            &format!("--endpoint-url `{value}` is not an endpoint URL: {why}"),
        );
        fails_with(
            &plan(&[("AWS_ENDPOINT_URL", value)], &[]),
            &format!("AWS_ENDPOINT_URL `{value}` is not an endpoint URL: {why}"),
        );
    }
}

#[test]
fn an_invalid_log_filter_is_named_in_the_error() {
    fails_with(
        &plan(&[("DMSCTL_LOG", "dmsctl=loud")], &[]),
        "DMSCTL_LOG=`dmsctl=loud` is not a valid log filter",
    );
}

/// `dmsctl ARGS -f examples/sci-sync-serverless.yaml`, without colour.
fn example(args: &[&str]) -> Output {
    let spec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/sci-sync-serverless.yaml"
    );
    Command::new(env!("CARGO_BIN_EXE_dmsctl"))
        .args(args)
        .args(["-f", spec])
        .env("NO_COLOR", "1")
        .output()
        .expect("dmsctl runs")
}

#[test]
fn commands_refuse_output_formats_they_do_not_have() {
    for (args, message) in [
        (
            &["start", "-o", "markdown"][..],
            "`start` prints table or json, not markdown",
        ),
        (
            &["stop", "-o", "html"],
            "`stop` prints table or json, not html",
        ),
        (
            &["status", "-o", "html"],
            "`status` prints table, json or markdown, not html",
        ),
        (
            &["adopt", "-o", "markdown"],
            "`adopt` prints table or json, not markdown",
        ),
        // Refused before any work: render and validate once did the work first.
        (
            &["render", "-o", "html"],
            "`render` prints table, json or markdown, not html",
        ),
        (
            &["validate", "-o", "html"],
            "`validate` prints table, json, markdown, github or gitlab, not html",
        ),
        (
            &["graph", "-o", "markdown"],
            "`graph` prints table, json, mermaid or dot, not markdown",
        ),
        (
            &["cost", "-o", "github"],
            "`cost` prints table, json, markdown or html, not github",
        ),
        (
            &["schema", "-o", "markdown"],
            "`schema` prints the JSON Schema, not markdown",
        ),
        (
            &["generate", "--stack", "sci", "-o", "json"],
            "`generate` prints a YAML spec, not json",
        ),
        (
            &["logs", "backend", "-o", "json"],
            "`logs` prints log lines, not json",
        ),
        (
            &["cost", "--actual", "-o", "github"],
            "`cost --actual` prints table, json, markdown or html, not github",
        ),
        (
            &["cost", "--compare", "--observed", "-o", "html"],
            "`cost --observed` prints table, json or markdown, not html",
        ),
        (
            &["prices", "export", "--region", "eu-west-1", "-o", "json"],
            "`prices export` prints a YAML price catalog, not json",
        ),
        // Several regions are for `prices export` only.
        (
            &["plan", "--region", "eu-west-1", "--region", "us-east-1"],
            "--region is given 2 times; only `dmsctl prices export` takes several",
        ),
    ] {
        fails_with(&example(args), message);
    }
}

#[test]
fn every_duration_flag_refuses_zero_alike() {
    // `start --timeout 0` was accepted while `apply --timeout 0` was refused.
    for args in [
        &["start", "--wait", "--timeout", "0"][..],
        &["stop", "--timeout", "0s"],
        &["apply", "--timeout", "0"],
        &["destroy", "--timeout", "0m"],
        &["logs", "backend", "--since", "0"],
    ] {
        fails_with(&example(args), "a duration must be longer than zero");
    }
}
