//! `dmsctl validate`: every problem in a spec, located, at once.

use std::process::ExitCode;

use anyhow::Context;

use crate::annotate::{self, Annotation, Level};
use crate::cli::{Global, Output, ValidateArgs};
use crate::output;
use crate::spec::{self, Severity};

pub fn run(global: &Global, args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let checked = spec::load(&global.file).with_context(|| {
        format!(
            "cannot read the spec `{}` (choose another with -f/--file)",
            global.file.display()
        )
    })?;
    let errors = checked.count(Severity::Error);
    let warnings = checked.count(Severity::Warning);
    let failed = errors > 0 || (args.strict && warnings > 0);
    match global.output {
        Output::Json => {
            let mut doc = spec::render_json(&checked);
            doc["valid"] = (!failed).into();
            output::print(format!("{}\n", serde_json::to_string_pretty(&doc)?).as_bytes())?;
        }
        Output::Markdown => output::print(markdown(&checked, failed).as_bytes())?,
        // The annotations on stdout, the summary for whoever reads the job's log on stderr.
        Output::Github | Output::Gitlab => {
            let found = annotations(&checked);
            let text = if global.output == Output::Github {
                annotate::github(&found, "dmsctl")
            } else {
                annotate::gitlab(&found)
            };
            output::print(text.as_bytes())?;
            output::eprint(summary(&checked, args.strict).as_bytes())?;
        }
        // The other formats are refused before any work (`commands::prints`).
        _ => {
            output::eprint(&spec::render_human(
                &checked,
                output::stderr_color(global.no_color),
            ))?;
            let summary = summary(&checked, args.strict);
            if failed {
                output::eprint(summary.as_bytes())?;
            } else {
                output::print(summary.as_bytes())?;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One line: valid or not, with the counts, and what the spec holds when it is valid.
fn summary(checked: &spec::Checked, strict: bool) -> String {
    let name = &checked.source.name;
    let errors = checked.count(Severity::Error);
    let warnings = checked.count(Severity::Warning);
    match (errors, warnings) {
        (0, 0) => format!("{name}: valid{}\n", describe(checked.spec.as_ref())),
        (0, w) if !strict => format!(
            "{name}: valid with {w} warning{}{}\n",
            plural(w),
            describe(checked.spec.as_ref())
        ),
        (e, w) => format!(
            "{name}: {e} error{}, {w} warning{}{}\n",
            plural(e),
            plural(w),
            if strict && e == 0 {
                " (--strict treats warnings as errors)"
            } else {
                ""
            }
        ),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn describe(spec: Option<&spec::Spec>) -> String {
    spec.map(|s| {
        format!(
            " (stack {}: {} endpoint{}, {} rule set{}, {} replication{}, {} compute)",
            s.stack,
            s.endpoints.len(),
            plural(s.endpoints.len()),
            s.rules.len(),
            plural(s.rules.len()),
            s.replications.len(),
            plural(s.replications.len()),
            s.compute.mode.name()
        )
    })
    .unwrap_or_default()
}

fn markdown(checked: &spec::Checked, failed: bool) -> String {
    let mut out = format!(
        "### `dmsctl validate` {}: {}\n\n",
        checked.source.name,
        if failed { "failed" } else { "passed" }
    );
    if checked.diagnostics.is_empty() {
        out.push_str("No problems found.\n");
        return out;
    }
    out.push_str("| | Location | Problem | Help |\n|---|---|---|---|\n");
    for d in &checked.diagnostics {
        let icon = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!(
            "| {icon} | `{}:{}:{}` | {} | {} |\n",
            checked.source.name,
            d.span.start.line,
            d.span.start.col,
            d.message.replace('|', "\\|"),
            d.help.as_deref().unwrap_or("").replace('|', "\\|")
        ));
    }
    out
}

/// Each diagnostic as an annotation on its place in the spec, its help on a line of its own.
fn annotations(checked: &spec::Checked) -> Vec<Annotation> {
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            Annotation::at(
                match d.severity {
                    Severity::Error => Level::Error,
                    Severity::Warning => Level::Warning,
                },
                &checked.source.name,
                &checked.source.text,
                (d.span.start.line, d.span.start.col),
                d.span.end,
                format!("validate/{}", d.code),
                message,
                d.pointer.clone(),
            )
        })
        .collect()
}
