use super::*;
use crate::plan::testing::{desired_from, live_from};

const INSTANCES: &str = include_str!("../../examples/sci-sync-instances.yaml");
const SERVERLESS: &str = include_str!("../../examples/sci-sync-serverless.yaml");

/// The edges as `kind name -> kind name`, sorted.
fn edges(g: &Graph) -> Vec<String> {
    let mut out: Vec<String> = g
        .edges
        .iter()
        .map(|&(a, b)| {
            let (a, b) = (&g.nodes[a], &g.nodes[b]);
            format!("{} {} -> {} {}", a.kind, a.name, b.kind, b.name)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_spec_on_instances_is_drawn_with_only_the_dependencies_no_other_path_implies() {
    let g = Graph::of_spec(&desired_from(INSTANCES));
    assert_eq!(g.stack, "sci-sync");
    let names: Vec<String> = g
        .nodes
        .iter()
        .map(|n| format!("{} {}", n.kind, n.name))
        .collect();
    assert_eq!(
        names,
        [
            "iam-role dms-cloudwatch-logs-role",
            "iam-role dms-vpc-role",
            "subnet-group private",
            "instance main",
            "endpoint backend",
            "endpoint receiver",
            "task invoice-recipients",
            "task send-invoice-history",
        ]
    );
    // The instance and the tasks use the roles too, but through the subnet group.
    assert_eq!(
        edges(&g),
        [
            "instance main -> subnet-group private",
            "subnet-group private -> iam-role dms-cloudwatch-logs-role",
            "subnet-group private -> iam-role dms-vpc-role",
            "task invoice-recipients -> endpoint backend",
            "task invoice-recipients -> endpoint receiver",
            "task invoice-recipients -> instance main",
            "task send-invoice-history -> endpoint backend",
            "task send-invoice-history -> endpoint receiver",
            "task send-invoice-history -> instance main",
        ]
    );
    assert_eq!(g.nodes[4].detail.as_deref(), Some("source · mysql"));
    assert_eq!(g.nodes[3].detail.as_deref(), Some("dms.t3.medium"));
    assert!(g.nodes.iter().all(|n| n.action.is_none()));
}

#[test]
fn serverless_replications_use_their_endpoints_and_subnet_group() {
    let g = Graph::of_spec(&desired_from(SERVERLESS));
    let e = edges(&g);
    assert!(e.contains(&"replication-config send-invoice-history -> subnet-group private".into()));
    assert!(e.contains(&"replication-config send-invoice-history -> endpoint backend".into()));
    assert!(!e
        .iter()
        .any(|e| e.starts_with("replication-config") && e.contains("iam-role")));
    assert!(!g
        .nodes
        .iter()
        .any(|n| n.kind == Kind::Instance || n.kind == Kind::Task));
}

#[test]
fn a_plan_marks_each_node_and_draws_deleted_ones_from_the_account() {
    let d = desired_from(INSTANCES);
    // Nothing in the account: everything is created, with the spec's edges.
    let empty = crate::plan::plan(&d, &Live::default());
    let g = Graph::of_plan(&empty, &d, &Live::default());
    assert_eq!(g.nodes.len(), 8);
    assert!(g.nodes.iter().all(|n| n.action == Some(Action::Create)));
    assert_eq!(edges(&g), edges(&Graph::of_spec(&d)));

    // In sync, then one task taken out of the spec: it is deleted, and the account says what
    // it used.
    let live = live_from(&d);
    let fewer = INSTANCES.replace(
        "  invoice-recipients:\n    source: backend\n    target: receiver\n    type: full-load-and-cdc\n    rules: invoice-recipients\n",
        "",
    );
    assert_ne!(fewer, INSTANCES);
    let d2 = desired_from(&fewer);
    let p = crate::plan::plan(&d2, &live);
    let g = Graph::of_plan(&p, &d2, &live);
    let gone = g
        .nodes
        .iter()
        .position(|n| n.name == "invoice-recipients" && n.kind == Kind::Task)
        .expect("the deleted task is drawn");
    assert_eq!(g.nodes[gone].action, Some(Action::Delete));
    let e = edges(&g);
    for used in ["endpoint backend", "endpoint receiver", "instance main"] {
        assert!(
            e.contains(&format!("task invoice-recipients -> {used}")),
            "{used}: {e:#?}"
        );
    }
    assert_eq!(
        g.nodes
            .iter()
            .filter(|n| n.action == Some(Action::NoOp))
            .count(),
        7
    );
}

#[test]
fn mermaid_marks_actions_with_classes_and_escapes_labels() {
    let g = Graph {
        stack: "s".into(),
        nodes: vec![
            Node {
                kind: Kind::Task,
                name: "a\"b<c>#1".into(),
                detail: Some("cdc".into()),
                action: Some(Action::Replace),
                conflict: false,
            },
            Node {
                kind: Kind::Endpoint,
                name: "e".into(),
                detail: None,
                action: Some(Action::Delete),
                conflict: false,
            },
            Node {
                kind: Kind::Endpoint,
                name: "f".into(),
                detail: None,
                action: None,
                conflict: true,
            },
        ],
        edges: vec![(0, 1), (0, 2)],
        left_out: 0,
    };
    let m = mermaid(&g);
    assert_eq!(
        m,
        "flowchart LR\n\
         \x20 n0[\"a#quot;b#lt;c#gt;#35;1<br/>task · cdc<br/>-/+ replace\"]\n\
         \x20 n1[\"e<br/>endpoint<br/>- delete\"]\n\
         \x20 n2[\"f<br/>endpoint<br/>! conflict: not the stack's\"]\n\
         \x20 n0 --> n1\n\
         \x20 n0 --> n2\n\
         \x20 classDef conflict fill:#ffffff,stroke:#cf222e,color:#1f2328,stroke-width:3px\n\
         \x20 class n2 conflict\n\
         \x20 classDef delete fill:#ffebe9,stroke:#cf222e,color:#1f2328,stroke-dasharray:5 3\n\
         \x20 class n1 delete\n\
         \x20 classDef replace fill:#ffe7d1,stroke:#bc4c00,color:#1f2328\n\
         \x20 class n0 replace\n"
    );
    let d = dot(&g);
    assert!(
        d.starts_with("digraph \"dmsctl s\" {\n  rankdir=LR;"),
        "{d}"
    );
    assert!(d.contains("n0 [label=\"a\\\"b<c>#1\\ntask · cdc\\n-/+ replace\", fillcolor=\"#ffe7d1\", color=\"#bc4c00\"];"), "{d}");
    assert!(d.contains("style=\"rounded,filled,dashed\""), "{d}");
    assert!(d.contains("  n0 -> n2;\n}"), "{d}");
}

#[test]
fn a_large_plan_is_cut_down_to_its_changes_and_their_neighbours() {
    let g = Graph::of_spec(&desired_from(INSTANCES));
    let mut marked = g.clone();
    for n in &mut marked.nodes {
        n.action = Some(if n.name == "send-invoice-history" {
            Action::Update
        } else {
            Action::NoOp
        });
    }
    // Small enough: everything stays.
    assert_eq!(marked.clone().around_changes(100), marked);
    let cut = marked.around_changes(3);
    let names: Vec<&str> = cut.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        names,
        ["main", "backend", "receiver", "send-invoice-history"]
    );
    assert_eq!(cut.left_out, 4);
    assert_eq!(cut.edges.len(), 3);
}

#[test]
fn json_and_table_list_every_node_and_edge() {
    let g = Graph::of_spec(&desired_from(INSTANCES));
    let doc: serde_json::Value = serde_json::from_str(&json(&g)).unwrap();
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["nodes"].as_array().unwrap().len(), 8);
    assert_eq!(doc["edges"].as_array().unwrap().len(), 9);
    assert_eq!(doc["nodes"][3]["kind"], "instance");
    assert_eq!(doc["edges"][0]["from"], "n2");
    let t = table(&g);
    assert!(
        t.starts_with("stack sci-sync: 8 resources, 9 dependencies"),
        "{t}"
    );
    assert!(t.contains("subnet-group private"), "{t}");
}
