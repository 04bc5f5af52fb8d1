//! Problems as annotations on the lines of a file, for a pull request: GitHub Actions workflow
//! commands (`-o github`) and GitLab code-quality reports (`-o gitlab`). `validate` and `check`
//! turn what they found into [`Annotation`]s; this module only writes the two formats.
//!
//! - GitHub: `::error file=…,line=…,col=…,title=…::message`, one per line of stdout, as the
//!   workflow-commands reference describes
//!   (<https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions>).
//!   Values are escaped as the runner's own toolkit does (`actions/toolkit`,
//!   `packages/core/src/command.ts`): `%`, CR and LF in the message; also `:` and `,` in the
//!   properties.
//! - GitLab: a JSON array of issues with `description`, `check_name`, `fingerprint`,
//!   `severity` and `location.path` / `location.lines.begin`, the subset of the Code Climate
//!   format that GitLab reads (<https://docs.gitlab.com/ci/testing/code_quality/>).

use serde_json::json;
use sha2::{Digest, Sha256};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
}

/// One problem at one place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub level: Level,
    /// The file as the command was given it (relative to where CI runs, normally the
    /// repository's root).
    pub path: String,
    /// 1-based line and column of the start, and the column of the last character on that
    /// line.
    pub line: usize,
    pub col: usize,
    pub end_col: usize,
    /// A stable name of the check: `validate/unknown-field`, `check/mysql.binlog_format`.
    pub check: String,
    pub message: String,
    /// What tells this problem apart from others of the same check in the same file, however
    /// its line moves (a JSON pointer, an endpoint name): the GitLab fingerprint is made of it.
    pub identity: String,
}

impl Annotation {
    /// An annotation of the span from `start` (line, column) to byte `end` (exclusive) of
    /// `text`, on the span's first line: a span over many lines is a mapping (the place of a
    /// missing field, the whole document), and a review comment belongs on its first line.
    #[allow(clippy::too_many_arguments)]
    pub fn at(
        level: Level,
        path: &str,
        text: &str,
        start: (usize, usize),
        end: usize,
        check: String,
        message: String,
        identity: String,
    ) -> Annotation {
        let (line, col) = start;
        let end_col = match end_position(text, end) {
            Some((l, c)) if l == line && c >= col => c,
            _ => col,
        };
        Annotation {
            level,
            path: path.trim_start_matches("./").to_string(),
            line: line.max(1),
            col: col.max(1),
            end_col: end_col.max(1),
            check,
            message,
            identity,
        }
    }
}

/// The line and column of the last character before byte `end` of `text`.
fn end_position(text: &str, end: usize) -> Option<(usize, usize)> {
    let end = end.min(text.len());
    if end == 0 || !text.is_char_boundary(end) {
        return None;
    }
    let before = text[..end].trim_end_matches(['\n', '\r']);
    if before.is_empty() {
        return None;
    }
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    Some((line, before[line_start..].chars().count()))
}

/// GitHub Actions workflow commands, one per annotation.
pub fn github(annotations: &[Annotation], tool: &str) -> String {
    let mut out = String::new();
    for a in annotations {
        let command = match a.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let mut props = vec![
            format!("file={}", property(&a.path)),
            format!("line={}", a.line),
            format!("col={}", a.col),
        ];
        if a.end_col > a.col {
            props.push(format!("endColumn={}", a.end_col));
        }
        props.push(format!(
            "title={}",
            property(&format!("{tool}: {}", a.check))
        ));
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            data(&a.message)
        ));
    }
    out
}

/// A GitLab code-quality report: errors are `major`, warnings `minor`.
pub fn gitlab(annotations: &[Annotation]) -> String {
    let issues: Vec<serde_json::Value> = annotations
        .iter()
        .map(|a| {
            json!({
                "type": "issue",
                "description": a.message,
                "check_name": a.check,
                "fingerprint": fingerprint(a),
                "severity": match a.level {
                    Level::Error => "major",
                    Level::Warning => "minor",
                },
                "location": {
                    "path": a.path,
                    "lines": { "begin": a.line },
                },
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}

/// The same problem gets the same fingerprint from run to run, wherever its line moves; two
/// problems in one report never share one (GitLab shows only the first of a fingerprint).
fn fingerprint(a: &Annotation) -> String {
    let mut h = Sha256::new();
    for part in [&a.check, &a.path, &a.identity, &a.message] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Escapes a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(level: Level, message: &str) -> Annotation {
        Annotation::at(
            level,
            "./dms/a,b:c.yaml",
            "version: 1\nstack: x\n",
            (2, 8),
            20,
            "validate/some-check".into(),
            message.into(),
            "/stack".into(),
        )
    }

    #[test]
    fn github_escapes_data_and_properties_as_the_toolkit_does() {
        let text = github(&[one(Level::Error, "50% off\r\nnext: a, b")], "dmsctl");
        assert_eq!(
            text,
            "::error file=dms/a%2Cb%3Ac.yaml,line=2,col=8,title=dmsctl%3A validate/some-check\
             ::50%25 off%0D%0Anext: a, b\n"
        );
    }

    #[test]
    fn github_gives_a_column_range_when_the_span_has_one() {
        let mut a = one(Level::Warning, "m");
        assert_eq!(a.end_col, 8);
        let text = github(&[a.clone()], "t");
        assert!(text.starts_with("::warning "), "{text}");
        assert!(text.contains("line=2,col=8,title="), "{text}");
        a.end_col = 12;
        assert!(github(&[a], "t").contains("line=2,col=8,endColumn=12,"));
    }

    #[test]
    fn the_end_of_a_span_is_its_last_character() {
        let text = "a: 1\nbé: [x, y]\n";
        // `[x, y]` starts at byte 10 (line 2, column 5) and ends before byte 16.
        let a = Annotation::at(
            Level::Error,
            "f",
            text,
            (2, 5),
            16,
            "c".into(),
            "m".into(),
            "/b".into(),
        );
        assert_eq!((a.line, a.col, a.end_col), (2, 5, 10));
        // A span over several lines is its first line; an end before the start is the start.
        let many = Annotation::at(
            Level::Error,
            "f",
            text,
            (1, 1),
            16,
            "c".into(),
            "m".into(),
            "/".into(),
        );
        assert_eq!((many.line, many.col, many.end_col), (1, 1, 1));
        let b = Annotation::at(
            Level::Error,
            "f",
            text,
            (2, 5),
            2,
            "c".into(),
            "m".into(),
            "/b".into(),
        );
        assert_eq!(b.end_col, 5);
    }

    #[test]
    fn gitlab_reports_are_arrays_of_located_issues_with_distinct_stable_fingerprints() {
        let a = one(Level::Error, "first");
        let mut b = one(Level::Warning, "second");
        b.identity = "/other".into();
        let report: serde_json::Value = serde_json::from_str(&gitlab(&[a.clone(), b])).unwrap();
        let issues = report.as_array().unwrap();
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0]["severity"], "major");
        assert_eq!(issues[1]["severity"], "minor");
        assert_eq!(issues[0]["location"]["path"], "dms/a,b:c.yaml");
        assert_eq!(issues[0]["location"]["lines"]["begin"], 2);
        assert_eq!(issues[0]["check_name"], "validate/some-check");
        assert_eq!(issues[0]["description"], "first");
        let f0 = issues[0]["fingerprint"].as_str().unwrap();
        assert_eq!(f0.len(), 32);
        assert_ne!(f0, issues[1]["fingerprint"].as_str().unwrap());
        // The same problem on another line keeps its fingerprint.
        let mut moved = a;
        moved.line = 40;
        let again: serde_json::Value = serde_json::from_str(&gitlab(&[moved])).unwrap();
        assert_eq!(again[0]["fingerprint"].as_str().unwrap(), f0);
        assert_eq!(gitlab(&[]), "[]\n");
    }
}
