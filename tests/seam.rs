//! The cloud seam stays honest: only `src/aws/` names the AWS SDK. Everything else works on
//! the domain types of `live.rs` and `cloud/`, so it can be tested without AWS.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_src_aws_names_the_aws_sdk() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 20,
        "found only {} files under src/",
        files.len()
    );
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| !f.starts_with(src.join("aws")))
        .filter(|f| {
            let text = std::fs::read_to_string(f).expect("readable");
            // Code only: a comment may say where the SDK lives.
            text.lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .any(|l| {
                    ["aws_sdk_", "aws_config", "aws_smithy"]
                        .iter()
                        .any(|n| l.contains(n))
                })
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "AWS SDK named outside src/aws/: {offenders:?}"
    );
}

/// Commands that only read take a reader: `status`, `logs`, `plan`, `diff`, `generate` and the
/// offline ones never name the writing half of the seam.
#[test]
fn read_only_commands_never_name_cloud_write() {
    let commands = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    let read_only = [
        "status", "logs", "plan", "diff", "generate", "validate", "render", "schema", "cost",
    ];
    let offenders: Vec<&str> = read_only
        .iter()
        .copied()
        .filter(|name| {
            let path = commands.join(format!("{name}.rs"));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            text.contains("CloudWrite")
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "read-only commands name CloudWrite: {offenders:?}"
    );
}
