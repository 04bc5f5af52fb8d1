//! `dmsctl graph` and `plan -o markdown` drawn by the real libraries that draw them for a
//! reviewer: Mermaid (the npm package GitHub and GitLab use, loaded in headless chromium) must
//! parse and render every graph, and Graphviz's `dot` must read the DOT form.
//!
//! Nothing here is optional: without chromium, the Mermaid package (installed by `scripts/test`
//! into `target/mermaid`) or `dot`, the test fails and says how to install it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::browser::browse;

const EXAMPLES: [&str; 3] = [
    "examples/sci-sync-instances.yaml",
    "examples/sci-sync-serverless.yaml",
    "examples/kafka-target.yaml",
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dmsctl(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dmsctl"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run dmsctl");
    assert!(
        out.status.success(),
        "dmsctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn mermaid_js() -> PathBuf {
    let js = repo().join("target/mermaid/node_modules/mermaid/dist/mermaid.min.js");
    assert!(
        js.is_file(),
        "{} is missing: scripts/test installs the Mermaid package from tests/mermaid \
         (npm ci in target/mermaid)",
        js.display()
    );
    js
}

/// What Mermaid made of one graph: whether it rendered, its error, and the text of the
/// rendered nodes' labels.
#[derive(Debug)]
struct Drawn {
    name: String,
    ok: bool,
    error: String,
    nodes: usize,
    labels: String,
}

/// Renders each `(name, text)` with Mermaid in chromium.
fn draw(graphs: &[(String, String)], dir: &Path) -> Vec<Drawn> {
    let page = dir.join("graphs.html");
    let data = serde_json::to_string(graphs).unwrap().replace("</", "<\\/");
    std::fs::write(
        &page,
        format!(
            r#"<!doctype html><html><head><meta charset="utf-8">
<script src="file://{js}"></script></head><body><div id="stage"></div><pre id="result">pending</pre>
<script>
mermaid.initialize({{ startOnLoad: false, securityLevel: "strict" }});
(async () => {{
  const lines = [];
  const graphs = {data};
  for (let i = 0; i < graphs.length; i++) {{
    const [name, text] = graphs[i];
    try {{
      await mermaid.parse(text);
      const {{ svg }} = await mermaid.render("g" + i, text);
      const holder = document.createElement("div");
      holder.innerHTML = svg;
      const nodes = holder.querySelectorAll("g.node");
      const labels = Array.from(nodes).map(n => n.textContent.trim()).join(" | ");
      lines.push(["ok", name, nodes.length, labels].join("\t"));
    }} catch (e) {{
      lines.push(["error", name, 0, String(e && e.message || e).replace(/\s+/g, " ")].join("\t"));
    }}
  }}
  document.getElementById("result").textContent = lines.join("\n");
}})();
</script></body></html>"#,
            js = mermaid_js().display()
        ),
    )
    .unwrap();
    let dom = browse(
        &page,
        &dir.join("profile"),
        &["--dump-dom", "--virtual-time-budget=60000"],
    );
    let start = dom.find("<pre id=\"result\">").expect("result element") + 17;
    let end = start + dom[start..].find("</pre>").expect("end of result");
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    assert_ne!(text, "pending", "the page's script did not finish");
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, '\t').collect();
            assert_eq!(f.len(), 4, "result line {l:?}");
            Drawn {
                name: f[1].to_string(),
                ok: f[0] == "ok",
                error: if f[0] == "ok" {
                    String::new()
                } else {
                    f[3].to_string()
                },
                nodes: f[2].parse().unwrap(),
                labels: if f[0] == "ok" {
                    f[3].to_string()
                } else {
                    String::new()
                },
            }
        })
        .collect()
}

/// The Mermaid block of a Markdown document.
fn mermaid_block(markdown: &str) -> String {
    let start = markdown.find("```mermaid\n").expect("a mermaid block") + 11;
    let end = start + markdown[start..].find("```").expect("end of block");
    markdown[start..end].to_string()
}

#[test]
fn mermaid_parses_and_draws_every_graph_dmsctl_prints() {
    let dir = tempfile::tempdir().unwrap();
    let mut graphs: Vec<(String, String)> = EXAMPLES
        .iter()
        .map(|spec| {
            (
                spec.to_string(),
                dmsctl(&["graph", "-o", "mermaid", "-f", spec]),
            )
        })
        .collect();
    // The plan comment's graph with every kind of mark: the snapshot the unit tests hold
    // `plan -o markdown` to.
    let snapshot = std::fs::read_to_string(
        repo()
            .join("src/plan/snapshots/dmsctl__plan__tests__markdown_with_the_graph_snapshot.snap"),
    )
    .unwrap();
    graphs.push(("plan".into(), mermaid_block(&snapshot)));
    // Labels with the characters dmsctl writes as entity codes (as `graph::mermaid` escapes
    // `a"b<c>#1`).
    graphs.push((
        "escaped".into(),
        "flowchart LR\n  n0[\"a#quot;b#lt;c#gt;#35;1<br/>task\"]\n  n1[\"e\"]\n  n0 --> n1\n"
            .into(),
    ));
    // A broken graph must come back as an error, or the page proves nothing.
    graphs.push((
        "broken".into(),
        "flowchart LR\n  n0[\"open\n  n0 --> \n".into(),
    ));

    let drawn = draw(&graphs, dir.path());
    assert_eq!(drawn.len(), graphs.len(), "{drawn:#?}");
    for d in &drawn[..drawn.len() - 1] {
        assert!(d.ok, "{}: Mermaid refused it: {}", d.name, d.error);
    }
    let broken = drawn.last().unwrap();
    assert!(!broken.ok && !broken.error.is_empty(), "{broken:#?}");

    // Each drawing has every node, labelled with its resource's name.
    let instances = &drawn[0];
    assert_eq!(instances.nodes, 8, "{instances:#?}");
    for name in [
        "send-invoice-history",
        "invoice-recipients",
        "dms-vpc-role",
        "main",
    ] {
        assert!(instances.labels.contains(name), "{name}: {instances:#?}");
    }
    let plan = &drawn[3];
    assert_eq!(plan.nodes, 10, "{plan:#?}");
    for mark in [
        "+ create",
        "~ update",
        "-/+ replace",
        "- delete",
        "! conflict",
    ] {
        assert!(plan.labels.contains(mark), "{mark}: {plan:#?}");
    }
    assert!(drawn[4].labels.contains("a\"b<c>#1"), "{:#?}", drawn[4]);
}

#[test]
fn graphviz_reads_the_dot_form() {
    let dot = std::env::var("DOT").unwrap_or_else(|_| "dot".into());
    for spec in EXAMPLES {
        let text = dmsctl(&["graph", "-o", "dot", "-f", spec]);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("g.dot");
        std::fs::write(&file, &text).unwrap();
        let out = Command::new(&dot)
            .arg("-Tsvg")
            .arg(&file)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run `{dot}` ({e}): install graphviz (scripts/test does)")
            });
        assert!(
            out.status.success(),
            "{spec}: dot refused it: {}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
        let svg = String::from_utf8_lossy(&out.stdout);
        let nodes = svg.matches("class=\"node\"").count();
        assert_eq!(nodes, text.matches(" [label=").count(), "{spec}");
        assert!(svg.contains("subnet group"), "{spec}");
    }
}
