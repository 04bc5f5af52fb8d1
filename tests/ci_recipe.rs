//! The CI recipe in `examples/ci/` cannot rot: the dmsctl commands are read out of the GitHub
//! Actions workflow and the GitLab CI file themselves (not a copy of them) and run, as the
//! runner's shell would run those lines, against the emulator: validate, plan with its exit
//! code and saved plan, the cost change from the target branch's spec, then apply of exactly
//! the saved plan, which a second time is refused as stale.
//!
//! `check` needs the databases, which these tests do not start: its line must be there, behind
//! the switch that turns it on, and is not run (tests/check_databases.rs runs `check -o github`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_yaml::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every shell script of the file: GitHub steps' `run`, GitLab jobs' `before_script` and
/// `script`, in order.
fn scripts(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Sequence(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    if let Some(jobs) = doc.get("jobs").and_then(Value::as_mapping) {
        for job in jobs.values() {
            for step in job
                .get("steps")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
            {
                out.extend(step.get("run").map(&strings).unwrap_or_default());
            }
        }
    } else if let Some(top) = doc.as_mapping() {
        for job in top.values() {
            for key in ["before_script", "script"] {
                out.extend(job.get(key).map(&strings).unwrap_or_default());
            }
        }
    }
    out
}

/// The dmsctl command lines of the scripts, continuation lines joined.
fn dmsctl_lines(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for script in scripts(doc) {
        let joined = script.replace("\\\n", " ");
        out.extend(
            joined
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("dmsctl "))
                .map(str::to_string),
        );
    }
    out
}

/// The file's own environment (`env:` in GitHub, `variables:` in GitLab).
fn file_env(doc: &Value) -> Vec<(String, String)> {
    let env = doc.get("env").or_else(|| doc.get("variables"));
    env.and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
        .collect()
}

/// Runs one line with bash in `dir`, as the runner would, with dmsctl on the PATH.
fn run(line: &str, dir: &Path, env: &[(String, String)]) -> Output {
    let emu = common::emulator::shared();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_dmsctl"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The emulator's settings, as the emulator tests' dmsctl gets them.
    let mut cmd = std::process::Command::new("bash");
    let template = emu.dmsctl();
    for (k, v) in template.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.args(["-eo", "pipefail", "-c", line])
        .current_dir(dir)
        .env("PATH", path)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("SCI_BACKEND_PASSWORD", "backend-secret-value")
        .env("SCI_RECEIVER_PASSWORD", "receiver-secret-value")
        .output()
        .expect("run bash")
}

fn recipe(file: &str) {
    let text = std::fs::read_to_string(repo().join("examples/ci").join(file)).unwrap();
    let doc: Value = serde_yaml::from_str(&text).unwrap();
    let lines = dmsctl_lines(&doc);
    let env = file_env(&doc);
    let spec_path = env
        .iter()
        .find(|(k, _)| k == "DMSCTL_SPEC")
        .map(|(_, v)| v.clone())
        .expect("the file names the spec in DMSCTL_SPEC");

    // The repository the runner checks out: the spec after the change, and the target branch's
    // spec as `git show` writes it.
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join(&spec_path);
    std::fs::create_dir_all(spec.parent().unwrap()).unwrap();
    std::fs::copy(repo().join("examples/sci-sync-serverless.yaml"), &spec).unwrap();
    std::fs::copy(
        repo().join("examples/sci-sync-instances.yaml"),
        dir.path().join("base.yaml"),
    )
    .unwrap();

    let kinds: Vec<&str> = lines
        .iter()
        .map(|l| l.split_whitespace().nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        kinds,
        ["validate", "check", "plan", "cost", "cost", "apply"],
        "{file}: {lines:#?}"
    );
    assert!(
        text.contains("DMSCTL_CHECK"),
        "{file}: check is behind a switch"
    );
    assert!(lines[2].contains("--detailed-exitcode") && lines[2].contains("--out plan.json"));
    assert!(lines[3].contains("--baseline base.yaml"));
    assert!(lines[5].contains(" plan.json"));

    // An empty account (this binary's one test runs the recipes one after the other).
    common::emulator::shared().reset(&["dms", "logs"]);
    for (line, kind) in lines.iter().zip(&kinds) {
        if *kind == "check" {
            continue;
        }
        let out = run(line, dir.path(), &env);
        let want = if *kind == "plan" { 2 } else { 0 };
        assert_eq!(
            out.status.code(),
            Some(want),
            "{file}: `{line}`\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // What the comment is made of.
    let plan = std::fs::read_to_string(dir.path().join("plan.md")).unwrap();
    assert!(plan.contains("### dmsctl plan: stack `sci-sync`"), "{plan}");
    assert!(plan.contains("```mermaid\nflowchart LR\n"), "{plan}");
    assert!(plan.contains("+ create"), "{plan}");
    let cost = std::fs::read_to_string(dir.path().join("cost.md")).unwrap();
    assert!(!cost.trim().is_empty());
    let annotations = run(&lines[0], dir.path(), &env);
    assert!(annotations.status.success());

    // Applied: the same plan again is refused, and a fresh one has nothing to do.
    let again = run(&lines[5], dir.path(), &env);
    assert_eq!(
        again.status.code(),
        Some(1),
        "{file}: a second apply of the plan"
    );
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("plan is stale"), "{file}: {stderr}");
    let replan = run(&lines[2], dir.path(), &env);
    assert_eq!(replan.status.code(), Some(0), "{file}: plan after apply");
}

#[test]
fn the_github_actions_workflow_and_the_gitlab_ci_jobs_run_against_the_emulator() {
    recipe("github-actions.yml");
    recipe("gitlab-ci.yml");
}
