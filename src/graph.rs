//! The stack as a picture: its resources (IAM roles, subnet groups, instances, endpoints, tasks
//! or serverless replications), what each uses, and, drawn from a plan, what apply will do to
//! each. `dmsctl graph` prints it as a table, JSON, Mermaid or DOT; `plan -o markdown` embeds
//! the Mermaid form, which GitHub and GitLab draw in a comment.
//!
//! An edge goes from a resource to one it uses ([`Desired::uses`] for what the spec asks for,
//! [`live_uses`] for what a plan deletes), the way `terraform graph` points. An edge that
//! another path already implies (a task uses the IAM roles, and so does its instance) is left
//! out: the drawing shows the transitive reduction, which keeps every dependency readable.
//! Log groups, which DMS names after live resource ids, are not drawn.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::json;

use crate::live::Live;
use crate::model::Desired;
use crate::plan::{live_arn, live_uses, Action, Kind, Plan};

/// One resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: Kind,
    /// Logical name (for IAM roles, the role name).
    pub name: String,
    /// A few words about it: an endpoint's role and engine, an instance's class, a
    /// replication's type.
    pub detail: Option<String>,
    /// What the plan does to it; `None` for a graph of the spec alone, and for a conflict.
    pub action: Option<Action>,
    /// The plan found a resource with this identifier that the stack does not own: apply
    /// will not touch it.
    pub conflict: bool,
}

impl Node {
    /// The stable id used in Mermaid, DOT and JSON: the position in [`Graph::nodes`].
    fn id(i: usize) -> String {
        format!("n{i}")
    }
}

/// Resources, and which uses which (`(user, used)` indexes into `nodes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    pub stack: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<(usize, usize)>,
    /// Resources of the stack not drawn (unchanged ones, when a plan's graph is cut down).
    pub left_out: usize,
}

impl Graph {
    /// The resources the spec asks for.
    pub fn of_spec(desired: &Desired) -> Graph {
        let nodes = desired_nodes(desired)
            .into_iter()
            .map(|(kind, name, detail)| Node {
                kind,
                name,
                detail,
                action: None,
                conflict: false,
            })
            .collect();
        Graph::connect(&desired.stack, nodes, desired, None)
    }

    /// The resources of a plan, each marked with its action, and its conflicts; deleted ones
    /// (in the account, no longer in the spec) are drawn with what the account says they use.
    pub fn of_plan(plan: &Plan, desired: &Desired, live: &Live) -> Graph {
        let details: BTreeMap<(Kind, String), Option<String>> = desired_nodes(desired)
            .into_iter()
            .map(|(k, n, d)| ((k, n), d))
            .collect();
        // (kind, name, live id, action), conflicts with no action.
        let mut found: Vec<(Kind, &str, &str, Option<Action>)> = plan
            .changes
            .iter()
            .filter(|c| c.kind != Kind::LogGroup)
            .map(|c| (c.kind, c.name.as_str(), c.id.as_str(), Some(c.action)))
            .chain(
                plan.conflicts
                    .iter()
                    .map(|c| (c.kind, c.name.as_str(), c.id.as_str(), None)),
            )
            .collect();
        found.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let nodes = found
            .iter()
            .map(|&(kind, name, _, action)| Node {
                kind,
                name: name.to_string(),
                detail: details.get(&(kind, name.to_string())).cloned().flatten(),
                action,
                conflict: action.is_none(),
            })
            .collect();
        let ids: Vec<String> = found.iter().map(|f| f.2.to_string()).collect();
        Graph::connect(&plan.stack, nodes, desired, Some((live, &ids)))
    }

    /// Adds the edges between `nodes`: from the spec for what it asks for, from the account
    /// (when given, with each node's live identifier) for what is deleted.
    fn connect(
        stack: &str,
        nodes: Vec<Node>,
        desired: &Desired,
        live: Option<(&Live, &[String])>,
    ) -> Graph {
        let index: BTreeMap<(Kind, &str), usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| ((n.kind, n.name.as_str()), i))
            .collect();
        let mut edges = BTreeSet::new();
        for (i, n) in nodes.iter().enumerate() {
            if n.action == Some(Action::Delete) {
                let Some((live, ids)) = live else { continue };
                for (j, m) in nodes.iter().enumerate() {
                    let used = live_arn(live, m.kind, &ids[j]);
                    if used
                        .is_some_and(|arn| live_uses(live, n.kind, &ids[i], m.kind, arn, &ids[j]))
                    {
                        edges.insert((i, j));
                    }
                }
            } else {
                for (kind, name) in desired.uses(n.kind, &n.name) {
                    if let Some(&j) = index.get(&(kind, name.as_str())) {
                        edges.insert((i, j));
                    }
                }
            }
        }
        Graph {
            stack: stack.to_string(),
            edges: reduce(nodes.len(), &edges),
            nodes,
            left_out: 0,
        }
    }

    /// The graph cut down to at most `max` nodes for a comment: when it is larger, only the
    /// resources the plan changes and those they use or are used by.
    pub fn around_changes(self, max: usize) -> Graph {
        if self.nodes.len() <= max {
            return self;
        }
        let changed = |i: usize| {
            let n = &self.nodes[i];
            n.conflict || !matches!(n.action, None | Some(Action::NoOp))
        };
        let mut keep: BTreeSet<usize> = (0..self.nodes.len()).filter(|&i| changed(i)).collect();
        for &(a, b) in &self.edges {
            if changed(a) || changed(b) {
                keep.insert(a);
                keep.insert(b);
            }
        }
        let new_index: BTreeMap<usize, usize> = keep
            .iter()
            .enumerate()
            .map(|(new, &old)| (old, new))
            .collect();
        Graph {
            stack: self.stack,
            left_out: self.left_out + self.nodes.len() - keep.len(),
            edges: self
                .edges
                .iter()
                .filter_map(|(a, b)| Some((*new_index.get(a)?, *new_index.get(b)?)))
                .collect(),
            nodes: self
                .nodes
                .into_iter()
                .enumerate()
                .filter(|(i, _)| keep.contains(i))
                .map(|(_, n)| n)
                .collect(),
        }
    }
}

/// The spec's resources in kind order, each with its detail.
fn desired_nodes(d: &Desired) -> Vec<(Kind, String, Option<String>)> {
    let mut out: Vec<(Kind, String, Option<String>)> = Vec::new();
    out.extend(
        d.iam_roles
            .iter()
            .map(|r| (Kind::IamRole, r.role_name.clone(), None)),
    );
    out.extend(
        d.subnet_groups
            .keys()
            .map(|n| (Kind::SubnetGroup, n.clone(), None)),
    );
    out.extend(
        d.certificates
            .keys()
            .map(|n| (Kind::Certificate, n.clone(), None)),
    );
    out.extend(d.instances.iter().map(|(n, i)| {
        (
            Kind::Instance,
            n.clone(),
            Some(i.replication_instance_class.clone()),
        )
    }));
    out.extend(d.endpoints.iter().map(|(n, e)| {
        (
            Kind::Endpoint,
            n.clone(),
            Some(format!("{} · {}", e.endpoint_type, e.engine_name)),
        )
    }));
    out.extend(
        d.tasks
            .iter()
            .map(|(n, t)| (Kind::Task, n.clone(), Some(t.migration_type.to_string()))),
    );
    out.extend(d.replication_configs.iter().map(|(n, r)| {
        (
            Kind::ReplicationConfig,
            n.clone(),
            Some(r.replication_type.to_string()),
        )
    }));
    out.extend(d.event_subscriptions.iter().map(|(n, e)| {
        (
            Kind::EventSubscription,
            n.clone(),
            Some(e.source_type.to_string()),
        )
    }));
    out.extend(
        d.alarms
            .iter()
            .map(|(n, a)| (Kind::Alarm, n.clone(), Some(a.metric_name.to_string()))),
    );
    out
}

/// The transitive reduction of a DAG: an edge `a → b` stays only when no other path leads
/// from `a` to `b`.
fn reduce(n: usize, edges: &BTreeSet<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        out[a].push(b);
    }
    // What each node reaches in one or more steps, computed once per node.
    let mut reach: Vec<Option<BTreeSet<usize>>> = vec![None; n];
    fn reach_of(
        i: usize,
        out: &[Vec<usize>],
        reach: &mut Vec<Option<BTreeSet<usize>>>,
    ) -> BTreeSet<usize> {
        if let Some(r) = &reach[i] {
            return r.clone();
        }
        let mut r = BTreeSet::new();
        for &j in &out[i] {
            r.insert(j);
            r.extend(reach_of(j, out, reach));
        }
        reach[i] = Some(r.clone());
        r
    }
    edges
        .iter()
        .copied()
        .filter(|&(a, b)| {
            !out[a]
                .iter()
                .any(|&c| c != b && reach_of(c, &out, &mut reach).contains(&b))
        })
        .collect()
}

/// The words for a kind in a drawing.
fn kind_words(kind: Kind) -> &'static str {
    match kind {
        Kind::IamRole => "IAM role",
        Kind::LogGroup => "log group",
        Kind::SubnetGroup => "subnet group",
        Kind::Certificate => "certificate",
        Kind::Instance => "replication instance",
        Kind::Endpoint => "endpoint",
        Kind::Task => "task",
        Kind::ReplicationConfig => "serverless replication",
        Kind::EventSubscription => "event subscription",
        Kind::Alarm => "CloudWatch alarm",
    }
}

/// The lines of a node's label: its name, its kind and detail, and its planned action.
fn label_lines(n: &Node) -> Vec<String> {
    let mut lines = vec![n.name.clone()];
    lines.push(match &n.detail {
        Some(d) => format!("{} · {d}", kind_words(n.kind)),
        None => kind_words(n.kind).to_string(),
    });
    if let Some(a) = n.action.filter(|a| *a != Action::NoOp) {
        lines.push(format!("{} {}", symbol(a), a.as_str()));
    }
    if n.conflict {
        lines.push("! conflict: not the stack's".to_string());
    }
    lines
}

/// Terraform's marks for planned actions.
fn symbol(a: Action) -> &'static str {
    match a {
        Action::NoOp => " ",
        Action::Create => "+",
        Action::Update => "~",
        Action::Move => "->",
        Action::Replace => "-/+",
        Action::Delete => "-",
    }
}

/// The class (Mermaid), fill and stroke (both) of a node's planned action or conflict.
fn style(n: &Node) -> Option<(&'static str, &'static str, &'static str)> {
    if n.conflict {
        return Some(("conflict", "#ffffff", "#cf222e"));
    }
    match n.action? {
        Action::NoOp => None,
        Action::Create => Some(("create", "#dafbe1", "#1a7f37")),
        Action::Update => Some(("update", "#fff8c5", "#9a6700")),
        Action::Move => Some(("move", "#ddf4ff", "#0969da")),
        Action::Replace => Some(("replace", "#ffe7d1", "#bc4c00")),
        Action::Delete => Some(("delete", "#ffebe9", "#cf222e")),
    }
}

/// A Mermaid flowchart, left to right. Labels are quoted, with Mermaid's entity codes for the
/// characters that would end or break them.
pub fn mermaid(g: &Graph) -> String {
    let escape = |s: &str| {
        s.replace('#', "#35;")
            .replace('"', "#quot;")
            .replace('<', "#lt;")
            .replace('>', "#gt;")
    };
    let mut out = String::from("flowchart LR\n");
    for (i, n) in g.nodes.iter().enumerate() {
        let label: Vec<String> = label_lines(n).iter().map(|l| escape(l)).collect();
        let _ = writeln!(out, "  {}[\"{}\"]", Node::id(i), label.join("<br/>"));
    }
    for &(a, b) in &g.edges {
        let _ = writeln!(out, "  {} --> {}", Node::id(a), Node::id(b));
    }
    let mut classes: BTreeMap<&str, (Vec<String>, &str, &str)> = BTreeMap::new();
    for (i, n) in g.nodes.iter().enumerate() {
        if let Some((class, fill, stroke)) = style(n) {
            classes
                .entry(class)
                .or_insert_with(|| (Vec::new(), fill, stroke))
                .0
                .push(Node::id(i));
        }
    }
    for (class, (ids, fill, stroke)) in &classes {
        let dash = match *class {
            "delete" => ",stroke-dasharray:5 3",
            "conflict" => ",stroke-width:3px",
            _ => "",
        };
        let _ = writeln!(
            out,
            "  classDef {class} fill:{fill},stroke:{stroke},color:#1f2328{dash}"
        );
        let _ = writeln!(out, "  class {} {class}", ids.join(","));
    }
    out
}

/// A Graphviz DOT digraph, left to right.
pub fn dot(g: &Graph) -> String {
    let quote = |s: &str| {
        let escaped = s
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        format!("\"{escaped}\"")
    };
    let mut out = format!(
        "digraph {} {{\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\"];\n",
        quote(&format!("dmsctl {}", g.stack))
    );
    for (i, n) in g.nodes.iter().enumerate() {
        let label = label_lines(n).join("\n");
        let mut attrs = format!("label={}", quote(&label));
        if let Some((class, fill, stroke)) = style(n) {
            let _ = write!(attrs, ", fillcolor=\"{fill}\", color=\"{stroke}\"");
            if class == "delete" {
                attrs.push_str(", style=\"rounded,filled,dashed\"");
            }
        }
        let _ = writeln!(out, "  {} [{attrs}];", Node::id(i));
    }
    for &(a, b) in &g.edges {
        let _ = writeln!(out, "  {} -> {};", Node::id(a), Node::id(b));
    }
    out.push_str("}\n");
    out
}

/// The JSON document (`format_version` 1): nodes with their ids, and edges between ids.
pub fn json(g: &Graph) -> String {
    let doc = json!({
        "format_version": 1,
        "stack": g.stack,
        "nodes": g.nodes.iter().enumerate().map(|(i, n)| json!({
            "id": Node::id(i),
            "kind": n.kind.as_str(),
            "name": n.name,
            "detail": n.detail,
            "action": n.action.map(Action::as_str),
            "conflict": n.conflict,
        })).collect::<Vec<_>>(),
        "edges": g.edges.iter().map(|(a, b)| json!({
            "from": Node::id(*a),
            "to": Node::id(*b),
        })).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The table: each resource and what it uses.
pub fn table(g: &Graph) -> String {
    let mut uses: Vec<Vec<String>> = vec![Vec::new(); g.nodes.len()];
    for &(a, b) in &g.edges {
        let n = &g.nodes[b];
        uses[a].push(format!("{} {}", n.kind, n.name));
    }
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_header(["kind", "name", "detail", "uses"]);
    for (n, used) in g.nodes.iter().zip(&uses) {
        t.add_row([
            n.kind.as_str().to_string(),
            n.name.clone(),
            n.detail.clone().unwrap_or_default(),
            if used.is_empty() {
                "-".to_string()
            } else {
                used.join("\n")
            },
        ]);
    }
    format!(
        "stack {}: {} resource{}, {} dependenc{} (those another path implies left out)\n{t}\n",
        g.stack,
        g.nodes.len(),
        if g.nodes.len() == 1 { "" } else { "s" },
        g.edges.len(),
        if g.edges.len() == 1 { "y" } else { "ies" },
    )
}

#[cfg(test)]
mod tests;
