//! A [`Plan`] for people and machines: a terminal table, the stable JSON document, Markdown for
//! a pull-request comment, and the same three for `dmsctl diff` (drift: live → spec).
//!
//! Every form is rendered from the same value, so they cannot disagree. Renderers write into a
//! `String`; the commands decide where it goes.

use std::fmt::Write as _;

use comfy_table::{presets, Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Table};
use serde_json::{json, Value as Json};

use super::compare::canonical;
use super::{Action, Change, Diff, Plan, FORMAT_VERSION};

/// Table width when the output is not a colour terminal, so files and CI logs are reproducible.
const PLAIN_WIDTH: u16 = 120;

/// Values longer than this (compact) are shown as a line-by-line JSON diff.
const INLINE_MAX: usize = 60;

/// Unchanged lines kept around each change in a JSON diff.
const CONTEXT: usize = 3;

const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const RED: &str = "\x1b[31m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

fn paint(s: &str, code: &str, color: bool) -> String {
    if color {
        format!("{code}{s}{RESET}")
    } else {
        s.to_string()
    }
}

fn action_ansi(a: Action) -> &'static str {
    match a {
        Action::Create => GREEN,
        Action::Update | Action::Move => YELLOW,
        Action::Replace | Action::Delete => RED,
        Action::NoOp => "",
    }
}

fn action_color(a: Action) -> Option<Color> {
    match a {
        Action::Create => Some(Color::Green),
        Action::Update | Action::Move => Some(Color::Yellow),
        Action::Replace | Action::Delete => Some(Color::Red),
        Action::NoOp => None,
    }
}

/// Terraform's markers: `+` create, `~` update, `-/+` replace, `-` delete.
fn marker(a: Action) -> &'static str {
    match a {
        Action::Create => "+",
        Action::Update => "~",
        Action::Move => "->",
        Action::Replace => "-/+",
        Action::Delete => "-",
        Action::NoOp => " ",
    }
}

/// The summary sentence: `Plan: 1 to create, 2 to update, 0 to replace, 0 to delete.`
pub fn summary_line(plan: &Plan) -> String {
    let s = &plan.summary;
    let moved = if s.moved > 0 {
        format!("{} to move, ", s.moved)
    } else {
        String::new()
    };
    format!(
        "Plan: {} to create, {} to update, {moved}{} to replace, {} to delete.",
        s.create, s.update, s.replace, s.delete
    )
}

fn new_table(color: bool) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    // Reasons wrap rather than make the table wider than a terminal.
    t.set_content_arrangement(ContentArrangement::Dynamic);
    if color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
        t.set_width(PLAIN_WIDTH);
    }
    t
}

fn header(t: &mut Table, names: &[&str]) {
    t.set_header(
        names
            .iter()
            .map(|h| Cell::new(h).add_attribute(Attribute::Bold)),
    );
    // Only the last column (the reasons) wraps: a name split over lines is hard to read.
    for i in 0..names.len().saturating_sub(1) {
        if let Some(c) = t.column_mut(i) {
            c.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
}

/// The least width the last column (the reasons) keeps.
const REASONS_MIN: u16 = 24;

/// When the columns kept whole leave the reasons less than [`REASONS_MIN`] (long
/// identifiers, such as alarm names), column `wrap` wraps instead, down to what is left.
fn keep_reasons_readable(t: &mut Table, wrap: usize) {
    let Some(width) = t.width() else { return };
    let widths = t.column_max_content_widths();
    let n = widths.len() as u16;
    // Each column has a space either side, and there is a border between and around them.
    let fixed: u16 = widths[..widths.len().saturating_sub(1)]
        .iter()
        .map(|w| w + 2)
        .sum::<u16>()
        + n
        + 1;
    let Some(&own) = widths.get(wrap) else { return };
    if fixed + REASONS_MIN <= width {
        return;
    }
    let room = width.saturating_sub(fixed - own + REASONS_MIN + 2).max(12);
    if let Some(c) = t.column_mut(wrap) {
        c.set_constraint(ColumnConstraint::UpperBoundary(comfy_table::Width::Fixed(
            room,
        )));
    }
}

fn action_cell(a: Action, color: bool) -> Cell {
    let cell = Cell::new(a.as_str());
    match action_color(a) {
        Some(c) if color => cell.fg(c),
        _ => cell,
    }
}

/// The plan for a terminal: a table of what changes, then each resource's attribute changes,
/// the hazards, the conflicts and the summary line. ANSI colour only when `color`.
pub fn table(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    let changes: Vec<&Change> = plan.actionable().collect();
    if changes.is_empty() && plan.conflicts.is_empty() {
        out.push_str("No changes. Live state matches the spec.\n");
        return out;
    }
    if !changes.is_empty() {
        let mut t = new_table(color);
        header(&mut t, &["Kind", "Name", "Live id", "Action", "Reason"]);
        for c in &changes {
            t.add_row(vec![
                Cell::new(c.kind.as_str()),
                Cell::new(&c.name),
                Cell::new(&c.id),
                action_cell(c.action, color),
                Cell::new(c.reasons.join("\n")),
            ]);
        }
        keep_reasons_readable(&mut t, 2);
        let _ = writeln!(out, "{t}");
        let unchanged = plan.changes.len() - changes.len();
        if unchanged > 0 {
            let _ = writeln!(out, "{unchanged} unchanged.");
        }
    }
    let detailed: Vec<&&Change> = changes.iter().filter(|c| !c.diffs.is_empty()).collect();
    if !detailed.is_empty() {
        let _ = writeln!(out, "\nAttribute changes (live → spec):");
        for c in detailed {
            out.push('\n');
            let head = format!("{} {} {} ({})", marker(c.action), c.kind, c.name, c.id);
            let _ = writeln!(out, "{}", paint(&head, action_ansi(c.action), color));
            for d in &c.diffs {
                diff_lines(&mut out, d, "    ", color);
            }
        }
    }
    hazards_text(&mut out, plan, color);
    conflicts_text(&mut out, plan, color);
    out.push('\n');
    let _ = writeln!(out, "{}", paint(&summary_line(plan), BOLD, color));
    if !plan.conflicts.is_empty() {
        let _ = writeln!(
            out,
            "{} conflict(s) must be resolved before apply.",
            plan.conflicts.len()
        );
    }
    out
}

fn hazards_text(out: &mut String, plan: &Plan, color: bool) {
    let blocked = plan.blocked_by_hazards();
    if blocked.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}",
        paint(
            "Hazards (apply refuses these without --allow-destroy):",
            RED,
            color
        )
    );
    for c in blocked {
        for h in &c.hazards {
            let _ = writeln!(
                out,
                "  {} {} {} {}: {}",
                paint("!", RED, color),
                c.action,
                c.kind,
                c.name,
                h.message
            );
        }
    }
}

fn conflicts_text(out: &mut String, plan: &Plan, color: bool) {
    if plan.conflicts.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", paint("Conflicts (never touched):", RED, color));
    for c in &plan.conflicts {
        let _ = writeln!(
            out,
            "  {} {} `{}` (wanted by `{}`): {}",
            paint("!", RED, color),
            c.kind,
            c.id,
            c.name,
            c.reason
        );
    }
}

/// A value as a diff line shows it: compact JSON, `(none)` when absent.
fn compact(v: Option<&Json>) -> String {
    match v {
        None => "(none)".to_string(),
        Some(v) => serde_json::to_string(&canonical(v)).unwrap_or_default(),
    }
}

/// Whether a diff is shown as a line-by-line JSON diff rather than `before → after`.
fn is_document(d: &Diff) -> bool {
    let big = |v: Option<&Json>| {
        v.is_some_and(|v| (v.is_object() || v.is_array()) && compact(Some(v)).len() > INLINE_MAX)
    };
    d.field == "TableMappings" || big(d.before.as_ref()) || big(d.after.as_ref())
}

fn pretty(v: Option<&Json>) -> String {
    v.map(|v| serde_json::to_string_pretty(&canonical(v)).unwrap_or_default())
        .unwrap_or_default()
}

/// `field: before → after`, or for documents the field then a `-`/`+` line diff.
fn diff_lines(out: &mut String, d: &Diff, indent: &str, color: bool) {
    let note = if d.forces_replacement {
        " (forces replacement)"
    } else {
        ""
    };
    if !is_document(d) {
        let _ = writeln!(
            out,
            "{indent}{}: {} → {}{note}",
            d.field,
            paint(&compact(d.before.as_ref()), RED, color),
            paint(&compact(d.after.as_ref()), GREEN, color),
        );
        return;
    }
    let _ = writeln!(out, "{indent}{}:{note}", d.field);
    for (tag, line) in json_diff(&pretty(d.before.as_ref()), &pretty(d.after.as_ref())) {
        let text = format!("{indent}  {tag} {line}");
        let code = match tag {
            '-' => RED,
            '+' => GREEN,
            _ => "",
        };
        let _ = writeln!(
            out,
            "{}",
            paint(text.trim_end(), code, color && !code.is_empty())
        );
    }
}

/// A line diff of two texts (longest common subsequence), with [`CONTEXT`] unchanged lines
/// around each change and `…` for what is left out. Tags: ' ', '-', '+'.
fn json_diff<'a>(before: &'a str, after: &'a str) -> Vec<(char, &'a str)> {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    // lcs[i][j]: length of the common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut all = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            all.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // Removals before additions, as `diff -u` shows them.
            all.push(('-', a[i]));
            i += 1;
        } else {
            all.push(('+', b[j]));
            j += 1;
        }
    }
    let near_change = |k: usize| {
        let lo = k.saturating_sub(CONTEXT);
        let hi = (k + CONTEXT).min(all.len().saturating_sub(1));
        (lo..=hi).any(|m| all[m].0 != ' ')
    };
    let mut out = Vec::new();
    let mut skipped = false;
    for (k, line) in all.iter().enumerate() {
        if line.0 != ' ' || near_change(k) {
            out.push(*line);
            skipped = false;
        } else if !skipped {
            out.push((' ', "…"));
            skipped = true;
        }
    }
    out
}

/// The stable JSON document (`--output json`), pretty, ending with a newline.
pub fn json(plan: &Plan) -> String {
    let mut s = serde_json::to_string_pretty(plan)
        .expect("a plan serializes: every map is keyed by strings");
    s.push('\n');
    s
}

/// Escapes a Markdown table cell.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One resource's diffs as the body of a ```diff block.
fn diff_block(c: &Change) -> String {
    let mut body = String::new();
    for d in &c.diffs {
        let note = if d.forces_replacement {
            " (forces replacement)"
        } else {
            ""
        };
        if is_document(d) {
            let _ = writeln!(body, "  {}:{note}", d.field);
            for (tag, line) in json_diff(&pretty(d.before.as_ref()), &pretty(d.after.as_ref())) {
                let _ = writeln!(body, "{tag}   {line}");
            }
        } else {
            let _ = writeln!(body, "- {}: {}{note}", d.field, compact(d.before.as_ref()));
            let _ = writeln!(body, "+ {}: {}{note}", d.field, compact(d.after.as_ref()));
        }
    }
    body
}

/// Markdown for a pull-request comment: the summary line, hazards called out, a table of what
/// changes, and each resource's attribute changes folded in `<details>`.
/// The plan for a pull request: summary, hazards, conflicts, the changes, the stack as a Mermaid
/// graph with each resource marked by its action (when `graph` is given and something changes),
/// and each change's attributes.
pub fn markdown(plan: &Plan, graph: Option<&crate::graph::Graph>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### dmsctl plan: stack `{}`\n", plan.stack);
    let changes: Vec<&Change> = plan.actionable().collect();
    if changes.is_empty() && plan.conflicts.is_empty() {
        out.push_str("**No changes.** Live state matches the spec.\n");
        return out;
    }
    let _ = writeln!(out, "**{}**\n", summary_line(plan));
    let blocked = plan.blocked_by_hazards();
    if !blocked.is_empty() {
        out.push_str("> [!CAUTION]\n");
        out.push_str("> **Hazards**: apply refuses these without `--allow-destroy`.\n>\n");
        for c in blocked {
            for h in &c.hazards {
                let _ = writeln!(
                    out,
                    "> - **{}** {} `{}`: {}",
                    c.action,
                    c.kind,
                    c.name,
                    md_cell(&h.message)
                );
            }
        }
        out.push('\n');
    }
    if !plan.conflicts.is_empty() {
        out.push_str("> [!WARNING]\n");
        out.push_str(
            "> **Conflicts**: never touched; apply cannot proceed until they are resolved.\n>\n",
        );
        for c in &plan.conflicts {
            let _ = writeln!(
                out,
                "> - {} `{}` (wanted by `{}`): {}",
                c.kind,
                c.id,
                c.name,
                md_cell(&c.reason)
            );
        }
        out.push('\n');
    }
    if !changes.is_empty() {
        out.push_str("| Kind | Name | Live id | Action | Reason |\n");
        out.push_str("| --- | --- | --- | --- | --- |\n");
        for c in &changes {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | **{}** | {} |",
                c.kind,
                md_cell(&c.name),
                md_cell(&c.id),
                c.action,
                md_cell(&c.reasons.join("\n"))
            );
        }
        let unchanged = plan.changes.len() - changes.len();
        if unchanged > 0 {
            let _ = writeln!(out, "\n{unchanged} unchanged.");
        }
    }
    if let Some(g) = graph.filter(|_| !changes.is_empty()) {
        let _ = write!(
            out,
            "\n#### Resources and what they use\n\n```mermaid\n{}```\n",
            crate::graph::mermaid(g)
        );
        if g.left_out > 0 {
            let _ = writeln!(
                out,
                "\n{} unchanged resource{} not drawn.",
                g.left_out,
                if g.left_out == 1 { "" } else { "s" }
            );
        }
    }
    for c in changes.iter().filter(|c| !c.diffs.is_empty()) {
        let _ = writeln!(
            out,
            "\n<details><summary>{} {} <code>{}</code></summary>\n\n```diff\n{}```\n\n</details>",
            c.action,
            c.kind,
            html_escape(&c.name),
            diff_block(c)
        );
    }
    out
}

/// How `dmsctl diff` names a change: drift seen from the spec.
fn drift_status(a: Action) -> Option<&'static str> {
    match a {
        Action::NoOp => None,
        Action::Create => Some("missing"),
        Action::Update | Action::Move | Action::Replace => Some("changed"),
        Action::Delete => Some("extra"),
    }
}

fn drift_sentence(a: Action) -> &'static str {
    match a {
        Action::Create => "missing from the account",
        Action::Update => "differs from the spec",
        Action::Move => "is on another instance than the spec's (apply would move it)",
        Action::Replace => "differs from the spec (apply would replace it)",
        Action::Delete => "in the account but no longer in the spec",
        Action::NoOp => "matches the spec",
    }
}

fn drift_summary(plan: &Plan) -> (usize, usize, usize) {
    let s = &plan.summary;
    (s.update + s.moved + s.replace, s.create, s.delete)
}

/// The drift summary sentence.
pub fn drift_line(plan: &Plan) -> String {
    let (changed, missing, extra) = drift_summary(plan);
    let total = changed + missing + extra;
    if total == 0 {
        return "No drift. Live state matches the spec.".to_string();
    }
    format!(
        "Drift: {total} resource(s) differ from the spec ({changed} changed, {missing} missing, {extra} not in the spec)."
    )
}

/// `dmsctl diff` for a terminal: per resource, field by field, live → spec.
pub fn diff_table(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    let changes: Vec<&Change> = plan.actionable().collect();
    if !changes.is_empty() {
        out.push_str("Drift between the account and the spec (live → spec):\n");
    }
    for c in &changes {
        out.push('\n');
        let head = format!(
            "{} {} {} ({}): {}",
            marker(c.action),
            c.kind,
            c.name,
            c.id,
            drift_sentence(c.action)
        );
        let _ = writeln!(out, "{}", paint(&head, action_ansi(c.action), color));
        for d in &c.diffs {
            diff_lines(&mut out, d, "    ", color);
        }
    }
    conflicts_text(&mut out, plan, color);
    if !out.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{}", paint(&drift_line(plan), BOLD, color));
    out
}

/// `dmsctl diff --output json`: the drifted resources with their diffs.
pub fn diff_json(plan: &Plan) -> String {
    let drift: Vec<Json> = plan
        .actionable()
        .filter_map(|c| {
            Some(json!({
                "kind": c.kind,
                "name": c.name,
                "id": c.id,
                "status": drift_status(c.action)?,
                "diffs": c.diffs,
            }))
        })
        .collect();
    let (changed, missing, extra) = drift_summary(plan);
    let doc = json!({
        "format_version": FORMAT_VERSION,
        "stack": plan.stack,
        "drift": drift,
        "conflicts": plan.conflicts,
        "summary": { "changed": changed, "missing": missing, "extra": extra },
    });
    let mut s = serde_json::to_string_pretty(&doc)
        .expect("a drift document serializes: every map is keyed by strings");
    s.push('\n');
    s
}

/// `dmsctl diff --output markdown`.
pub fn diff_markdown(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### dmsctl diff: stack `{}`\n", plan.stack);
    let _ = writeln!(out, "**{}**", drift_line(plan));
    let changes: Vec<&Change> = plan.actionable().collect();
    if !changes.is_empty() {
        out.push_str("\n| Kind | Name | Live id | Drift |\n| --- | --- | --- | --- |\n");
        for c in &changes {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | {} |",
                c.kind,
                md_cell(&c.name),
                md_cell(&c.id),
                drift_sentence(c.action)
            );
        }
    }
    for c in changes.iter().filter(|c| !c.diffs.is_empty()) {
        let _ = writeln!(
            out,
            "\n<details><summary>{} <code>{}</code> (live → spec)</summary>\n\n```diff\n{}```\n\n</details>",
            c.kind,
            html_escape(&c.name),
            diff_block(c)
        );
    }
    if !plan.conflicts.is_empty() {
        out.push_str("\n**Conflicts** (never touched):\n\n");
        for c in &plan.conflicts {
            let _ = writeln!(
                out,
                "- {} `{}` (wanted by `{}`): {}",
                c.kind,
                c.id,
                c.name,
                md_cell(&c.reason)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_diff_keeps_context_and_elides_the_rest() {
        let before = (1..=20)
            .map(|i| format!("l{i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let after = before.replace("l10", "L10");
        let d = json_diff(&before, &after);
        let shown: Vec<String> = d.iter().map(|(t, l)| format!("{t}{l}")).collect();
        assert_eq!(
            shown,
            vec![" …", " l7", " l8", " l9", "-l10", "+L10", " l11", " l12", " l13", " …"]
        );
    }
}
