//! `check`'s report as a terminal table grouped by replication, Markdown for a pull request,
//! and JSON.

use std::fmt::Write as _;

use super::{Finding, Report, Status};
use crate::annotate::{Annotation, Level};
use crate::spec::{self, yaml::child_pointer};

fn heading(replication: Option<&str>) -> String {
    match replication {
        Some(r) => format!("replication {r}"),
        None => "endpoints".to_string(),
    }
}

/// The counts by status: `3 pass, 1 warn, 0 fail, 0 skip`.
pub fn summary(r: &Report) -> String {
    let s = r.summary;
    format!(
        "{} pass, {} warn, {} fail, {} skip",
        s.pass, s.warn, s.fail, s.skip
    )
}

/// The table: one block per replication (endpoint-wide findings first), one row per finding.
pub fn table(r: &Report) -> String {
    let mut out = String::new();
    for (replication, findings) in r.grouped() {
        let mut t = comfy_table::Table::new();
        t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
            .set_header(["", "endpoint", "check", "finding"]);
        for f in findings {
            let mut text = f.message.clone();
            if let Some(h) = &f.help {
                let _ = write!(text, "\n→ {h}");
            }
            t.add_row([f.status.as_str(), &f.endpoint, f.check, &text]);
        }
        let _ = writeln!(out, "{}\n{t}", heading(replication));
    }
    if !r.tables.is_empty() {
        let mut t = comfy_table::Table::new();
        t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
            .set_header(["replication", "source", "target", "primary key"]);
        for row in &r.tables {
            t.add_row([
                row.replication.as_str(),
                &row.source,
                &row.target,
                if row.primary_key { "yes" } else { "no" },
            ]);
        }
        let _ = writeln!(out, "tables\n{t}");
    }
    let _ = writeln!(out, "Check: {}.", summary(r));
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

fn markdown_row(f: &Finding) -> String {
    let mark = match f.status {
        super::Status::Pass => "✅",
        super::Status::Warn => "⚠️",
        super::Status::Fail => "❌",
        super::Status::Skip => "➖",
    };
    let mut text = cell(&f.message);
    if let Some(h) = &f.help {
        let _ = write!(text, "<br>→ {}", cell(h));
    }
    if let Some(d) = f.doc {
        let _ = write!(text, " ([doc]({d}))");
    }
    format!(
        "| {mark} {} | {} | `{}` | {text} |\n",
        f.status.as_str(),
        cell(&f.endpoint),
        f.check
    )
}

/// Markdown for a pull-request comment.
pub fn markdown(r: &Report) -> String {
    let mut out = format!("### dmsctl check: {}\n\n", summary(r));
    for (replication, findings) in r.grouped() {
        let _ = writeln!(out, "#### {}\n", heading(replication));
        out.push_str("| status | endpoint | check | finding |\n| --- | --- | --- | --- |\n");
        for f in findings {
            out.push_str(&markdown_row(f));
        }
        out.push('\n');
    }
    out
}

/// The JSON document (`format_version` 1).
pub fn json(r: &Report) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("a check report serializes");
    s.push('\n');
    s
}

/// Each failure and warning as an annotation on the spec: a replication's findings on the
/// replication, an endpoint's own on the endpoint. Passes and skips are left to the log.
pub fn annotations(r: &Report, source: &spec::Source) -> Vec<Annotation> {
    r.findings
        .iter()
        .filter_map(|f| {
            let level = match f.status {
                Status::Fail => Level::Error,
                Status::Warn => Level::Warning,
                Status::Pass | Status::Skip => return None,
            };
            let pointer = match &f.replication {
                Some(name) => child_pointer("/replications", name),
                None => child_pointer("/endpoints", &f.endpoint),
            };
            let span = source.place(&pointer);
            let mut message = format!("endpoint `{}`: {}", f.endpoint, f.message);
            if let Some(help) = &f.help {
                let _ = write!(message, "\nhelp: {help}");
            }
            if let Some(doc) = f.doc {
                let _ = write!(message, "\nsee {doc}");
            }
            Some(Annotation::at(
                level,
                &source.name,
                &source.text,
                (span.start.line, span.start.col),
                span.end,
                format!("check/{}", f.check),
                message,
                format!("{pointer} {}", f.endpoint),
            ))
        })
        .collect()
}
