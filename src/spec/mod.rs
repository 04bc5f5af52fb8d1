//! YAML text -> [`Spec`] plus every [`Diagnostic`] about it.
//!
//! Three passes, each reporting all it finds: YAML syntax (`yaml`), shape against the JSON
//! Schema (`structure`), then meaning (`checks`). A later pass runs only when the earlier ones
//! found no error, because it needs what they produce.

pub(crate) mod checks;
pub(crate) mod diagnostic;
pub(crate) mod structure;
pub mod types;
pub(crate) mod yaml;

use std::path::Path;
use std::sync::OnceLock;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use serde_json::{json, Value as Json};

pub use diagnostic::{Diagnostic, Severity};
pub use types::Spec;

/// The JSON Schema of the spec, derived once from [`types::Spec`].
pub fn schema() -> &'static Json {
    static SCHEMA: OnceLock<Json> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let schema = schemars::schema_for!(Spec);
        serde_json::to_value(schema).unwrap_or(Json::Bool(true))
    })
}

/// A spec file's name and text, kept for rendering diagnostics.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// The outcome of reading and checking a spec.
#[derive(Debug)]
pub struct Checked {
    pub source: Source,
    /// The spec, when it could be decoded (there may still be semantic errors).
    pub spec: Option<Spec>,
    /// Sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Source {
    /// Where the key naming `pointer` (a JSON pointer into the spec) is: its span, or the
    /// closest ancestor's, or the first line. For a report about a spec that passed validation.
    pub(crate) fn place(&self, pointer: &str) -> yaml::Span {
        let span = yaml::parse(&self.text)
            .map(|(_, map)| map.key(pointer))
            .unwrap_or_default();
        if span.start.line == 0 {
            yaml::Span::first_line()
        } else {
            span
        }
    }
}

impl Checked {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// The spec, if it has no errors (and, with `strict`, no warnings).
    pub fn valid_spec(&self, strict: bool) -> Option<&Spec> {
        let blocked =
            self.count(Severity::Error) > 0 || (strict && self.count(Severity::Warning) > 0);
        if blocked {
            None
        } else {
            self.spec.as_ref()
        }
    }
}

/// Reads and checks the spec at `path`. Only an unreadable file is an `Err`; a file too large or
/// not UTF-8 is a spec with one located error.
pub fn load(path: &Path) -> std::io::Result<Checked> {
    let name = path.display().to_string();
    let text = match crate::input::read_text(path) {
        Ok(text) => text,
        Err(crate::input::ReadError::Io(e)) => return Err(e),
        Err(e) => return Ok(unreadable(name, e)),
    };
    let mut checked = check_text(&name, &text, &|var| {
        std::env::var_os(var).is_some_and(|v| !v.is_empty())
    });
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    read_certificates(&mut checked, dir);
    Ok(checked)
}

/// Reads each certificate's `pem_file` (relative to the spec's directory, within the input
/// bounds) into the spec; a file that cannot be read or holds no PEM certificate is an error at
/// its `pem_file`.
fn read_certificates(checked: &mut Checked, dir: &Path) {
    let Some(spec) = checked.spec.as_mut() else {
        return;
    };
    let map = yaml::parse(&checked.source.text).map(|(_, map)| map).ok();
    for (name, c) in spec.certificates.iter_mut() {
        let path = dir.join(&c.pem_file);
        let problem = match crate::input::read_text(&path) {
            Ok(text)
                if text.contains("-----BEGIN CERTIFICATE-----")
                    && text.contains("-----END CERTIFICATE-----") =>
            {
                c.pem = Some(text);
                continue;
            }
            Ok(_) => format!(
                "`{}` holds no PEM certificate (`-----BEGIN CERTIFICATE-----` ... `-----END CERTIFICATE-----`)",
                path.display()
            ),
            Err(e) => format!("cannot read `{}`: {e}", path.display()),
        };
        let pointer = format!(
            "/certificates/{}/pem_file",
            name.replace('~', "~0").replace('/', "~1")
        );
        let span = map
            .as_ref()
            .map(|m| m.value(&pointer))
            .unwrap_or_else(yaml::Span::first_line);
        checked
            .diagnostics
            .push(Diagnostic::error("invalid-file", pointer, problem).at(span));
    }
    checked
        .diagnostics
        .sort_by_key(|d| (d.span.start.line, d.span.start.col, d.severity));
}

/// The one error of a spec file that cannot be read as text, at the place it names.
fn unreadable(name: String, e: crate::input::ReadError) -> Checked {
    use crate::input::ReadError;
    let (text, span, help) = match &e {
        ReadError::NotUtf8 {
            line, col, lossy, ..
        } => {
            let start = lossy
                .split_inclusive('\n')
                .take(line - 1)
                .map(str::len)
                .sum::<usize>();
            let offset = start
                + lossy[start..]
                    .char_indices()
                    .nth(col - 1)
                    .map_or(0, |(i, _)| i);
            let pos = yaml::Pos {
                line: *line,
                col: *col,
                offset,
            };
            (
                lossy.clone(),
                yaml::Span {
                    start: pos,
                    end: offset,
                },
                "save the file as UTF-8",
            )
        }
        _ => (
            String::new(),
            yaml::Span::first_line(),
            "a spec is a few hundred KB at most; is this the right file?",
        ),
    };
    let message = match &e {
        ReadError::NotUtf8 { byte, .. } => {
            format!("the spec is not valid UTF-8: byte 0x{byte:02x} here")
        }
        other => other.to_string(),
    };
    let code = match e {
        ReadError::NotUtf8 { .. } => "invalid-utf8",
        _ => "file-too-large",
    };
    Checked {
        source: Source { name, text },
        spec: None,
        diagnostics: vec![Diagnostic::error(code, "", message)
            .at(span)
            .with_help(help)],
    }
}

/// Checks spec text. `env_is_set` tells whether an environment variable has a value.
pub fn check_text(name: &str, text: &str, env_is_set: &dyn Fn(&str) -> bool) -> Checked {
    let source = Source {
        name: name.to_string(),
        text: text.to_string(),
    };
    let (node, map) = match yaml::parse(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let mut d = Diagnostic::error("yaml-syntax", "", e.message).at(e.span);
            d.help = e.note;
            return Checked {
                source,
                spec: None,
                diagnostics: vec![d],
            };
        }
    };
    if matches!(node.value, yaml::Value::Null) {
        return Checked {
            source,
            spec: None,
            diagnostics: vec![Diagnostic::error("empty-spec", "", "the spec is empty")
                .at(yaml::Span::first_line())
                .with_help("a spec starts with `version: 1` and `stack: <name>`")],
        };
    }
    let mut diagnostics = structure::check(&node, schema(), &map);
    let mut spec = None;
    if diagnostics.is_empty() {
        match serde_json::from_value::<Spec>(node.to_json()) {
            Ok(s) => {
                diagnostics = checks::check(&s, &map, env_is_set);
                spec = Some(s);
            }
            // The schema walk accepted what serde refuses: report it rather than guess.
            Err(e) => diagnostics.push(Diagnostic::error("invalid-spec", "", e.to_string())),
        }
    }
    // Every problem has a place: one about no node in particular is put at its pointer's
    // closest node, which for the document itself is its first line.
    for d in diagnostics.iter_mut().filter(|d| d.span.start.line == 0) {
        d.span = map.key(&d.pointer);
        if d.span.start.line == 0 {
            d.span = yaml::Span::first_line();
        }
    }
    diagnostics.sort_by_key(|d| (d.span.start.line, d.span.start.col, d.severity));
    Checked {
        source,
        spec,
        diagnostics,
    }
}

/// Renders diagnostics the way a compiler does: location, message, the line and a caret.
pub fn render_human(checked: &Checked, color: bool) -> Vec<u8> {
    let file = SimpleFile::new(checked.source.name.as_str(), checked.source.text.as_str());
    let config = term::Config::default();
    let mut buffer = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    for d in &checked.diagnostics {
        let report = to_report(d, &checked.source.text);
        // Rendering fails only when a span lies outside the file, which the parser never makes.
        let _ = term::emit_to_write_style(&mut buffer, &config, &file, &report);
    }
    buffer.into_inner()
}

fn to_report(d: &Diagnostic, text: &str) -> Report<()> {
    let start = d.span.start.offset.min(text.len());
    // Underline one line at most: a mapping's span covers its whole block.
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let end = d.span.end.clamp(start, line_end);
    let report = match d.severity {
        Severity::Error => Report::new(ReportSeverity::Error),
        Severity::Warning => Report::new(ReportSeverity::Warning),
    };
    let mut report = report
        .with_message(&d.message)
        .with_code(d.code)
        .with_labels(vec![Label::primary((), start..end.max(start))]);
    if let Some(help) = &d.help {
        report = report.with_notes(vec![format!("help: {help}")]);
    }
    report
}

/// Diagnostics as a JSON document for CI annotations.
pub fn render_json(checked: &Checked) -> Json {
    let items: Vec<Json> = checked
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "file": checked.source.name,
                "line": d.span.start.line,
                "column": d.span.start.col,
                "severity": d.severity,
                "code": d.code,
                "message": d.message,
                "help": d.help,
                "path": structure::display_path(&d.pointer),
            })
        })
        .collect();
    json!({
        "file": checked.source.name,
        "valid": checked.count(Severity::Error) == 0,
        "errors": checked.count(Severity::Error),
        "warnings": checked.count(Severity::Warning),
        "diagnostics": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "version: 1
stack: demo
endpoints:
  src: { role: source, engine: mysql, host: h, username: u, password: { env: PW } }
  dst: { role: target, engine: mysql, host: h, username: u, password: { env: PW } }
rules:
  all:
    - include: { schema: app }
replications:
  sync: { source: src, target: dst, type: full-load-and-cdc, rules: all }
compute:
  mode: serverless
  serverless: { max_dcu: 4 }
";

    /// Checks `BASE` with `extra` appended under the given top-level key replaced or added, and
    /// returns `(code, line, severity)` of every diagnostic.
    fn diags(spec: &str) -> Vec<(&'static str, usize, Severity)> {
        let checked = check_text("t.yaml", spec, &|v| v == "PW");
        checked
            .diagnostics
            .iter()
            .map(|d| (d.code, d.span.start.line, d.severity))
            .collect()
    }

    #[test]
    fn the_base_spec_is_clean() {
        assert_eq!(diags(BASE), []);
    }

    #[test]
    fn an_unset_environment_variable_is_a_warning() {
        let spec = BASE.replace(
            "password: { env: PW } }\n  dst",
            "password: { env: NOPE } }\n  dst",
        );
        assert_eq!(diags(&spec), [("env-not-set", 4, Severity::Warning)]);
    }

    #[test]
    fn unused_resources_are_warnings() {
        let spec = format!(
            "{BASE}subnet_groups:\n  spare: {{ subnet_ids: [subnet-0a1b2c3d, subnet-0a1b2c3e] }}\n"
        )
        .replace(
            "rules:\n  all:",
            "rules:\n  spare:\n    - include: { schema: x }\n  all:",
        );
        assert_eq!(
            diags(&spec),
            [
                ("unused", 7, Severity::Warning),
                ("unused", 17, Severity::Warning)
            ]
        );
    }

    #[test]
    fn one_subnet_is_a_warning() {
        let spec = format!("{BASE}subnet_groups:\n  one: {{ subnet_ids: [subnet-0a1b2c3d] }}\n")
            .replace("{ max_dcu: 4 }", "{ max_dcu: 4, subnet_group: one }");
        assert_eq!(diags(&spec), [("single-subnet", 15, Severity::Warning)]);
    }

    #[test]
    fn an_unknown_instance_class_is_a_warning_with_a_suggestion() {
        let spec = BASE.replace(
            "mode: serverless",
            "mode: instances\n  instances: { main: { class: dms.t3.mediun } }",
        );
        let checked = check_text("t.yaml", &spec, &|_| true);
        let d = &checked.diagnostics[0];
        assert_eq!((d.code, d.severity), ("unknown-class", Severity::Warning));
        assert_eq!(d.help.as_deref(), Some("did you mean `dms.t3.medium`?"));
    }

    #[test]
    fn settings_sections_are_checked() {
        let spec = BASE.replace(
            "rules: all }",
            "rules: all, settings: { TargetMetdata: {}, Logging: { EnableLogging: false } } }",
        );
        assert_eq!(
            diags(&spec),
            [
                ("unknown-setting", 10, Severity::Warning),
                ("overrides-logging", 10, Severity::Warning)
            ]
        );
    }

    #[test]
    fn expected_dcu_must_lie_between_min_and_max() {
        let spec = BASE.replace(
            "{ max_dcu: 4 }",
            "{ min_dcu: 2, max_dcu: 4, expected_dcu: 8 }",
        );
        assert_eq!(diags(&spec), [("invalid-dcu", 13, Severity::Error)]);
    }

    #[test]
    fn per_replication_capacity_is_checked_against_the_shared_one() {
        let spec = BASE.replace("rules: all }", "rules: all, serverless: { min_dcu: 8 } }");
        assert_eq!(diags(&spec), [("invalid-dcu", 10, Severity::Error)]);
    }

    #[test]
    fn explicit_identifiers_must_be_unique_per_kind() {
        let spec = BASE.replace(
            "engine: mysql, host: h, username: u, password: { env: PW } }\n  dst",
            "engine: mysql, id: demo-dst, host: h, username: u, password: { env: PW } }\n  dst",
        );
        assert_eq!(diags(&spec), [("duplicate-identifier", 4, Severity::Error)]);
    }

    #[test]
    fn a_secrets_manager_password_replaces_host_and_user() {
        let spec = BASE.replace(
            "{ role: source, engine: mysql, host: h, username: u, password: { env: PW } }",
            "{ role: source, engine: mysql, password: { secrets_manager: { secret_id: s, access_role_arn: 'arn:aws:iam::123456789012:role/r' } } }",
        );
        assert_eq!(diags(&spec), []);
    }

    #[test]
    fn structural_errors_stop_before_meaning_is_checked() {
        // `srcc` is an unresolved reference too, but the unknown field is reported first.
        let spec = BASE.replace("source: src,", "source: srcc, extra: 1,");
        assert_eq!(diags(&spec), [("unknown-field", 10, Severity::Error)]);
    }
}
