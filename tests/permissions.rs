//! docs/permissions.md stays true: every AWS operation the SDK adapter (src/aws) calls is an
//! action of the policy documented there, and the policy names nothing the code never calls
//! (other than `iam:PassRole`, which no call names: DMS checks it when handed a role).

use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `describe_endpoints` -> `DescribeEndpoints`.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The operations called in src/aws: fluent builder calls `.verb_object()` on a client, where
/// the verb is one AWS uses.
fn called_operations() -> BTreeSet<String> {
    const VERBS: &[&str] = &[
        "describe", "create", "modify", "delete", "start", "stop", "list", "add", "remove", "get",
        "attach", "update", "put", "filter", "reload", "test", "move", "import",
    ];
    let mut ops = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("src/aws")).expect("src/aws") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        for line in text.lines().map(str::trim) {
            if line.starts_with("//") {
                continue;
            }
            for part in line.split('.').skip(1) {
                let end = part
                    .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                    .unwrap_or(part.len());
                let (name, rest) = part.split_at(end);
                if !rest.starts_with("()") {
                    continue;
                }
                // CloudWatch's tag operations: `tag_*` alone would be any getter of a tag.
                let tagging = matches!(name, "tag_resource" | "untag_resource");
                if name.contains('_')
                    && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && (tagging || VERBS.iter().any(|v| name.starts_with(&format!("{v}_"))))
                {
                    ops.insert(pascal(name));
                }
            }
        }
    }
    ops
}

/// The actions of the JSON policy in docs/permissions.md, without their service prefix.
fn documented_actions() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(root().join("docs/permissions.md")).expect("the doc");
    let json = doc
        .split("```json")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a json block");
    let policy: serde_json::Value = serde_json::from_str(json).expect("the policy is JSON");
    policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .flat_map(|s| s["Action"].as_array().expect("actions").clone())
        .map(|a| {
            let a = a.as_str().expect("a string");
            a.split_once(':').expect("service:Action").1.to_string()
        })
        .collect()
}

#[test]
fn the_documented_policy_covers_every_call_and_no_more() {
    let called = called_operations();
    assert!(
        called.contains("DescribeEndpoints") && called.contains("GetMetricData"),
        "the scan finds calls: {called:?}"
    );
    let documented = documented_actions();
    let missing: Vec<_> = called.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "called but not in docs/permissions.md: {missing:?}"
    );
    let unused: Vec<_> = documented
        .difference(&called)
        .filter(|a| a.as_str() != "PassRole")
        .collect();
    assert!(
        unused.is_empty(),
        "in docs/permissions.md but never called: {unused:?}"
    );
}
