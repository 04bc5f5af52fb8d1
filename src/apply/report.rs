//! The account of a run: what was done, what failed (with AWS's error) and what was skipped
//! (with why), for people (`Apply: 3 done, 1 failed, 1 skipped.`) and machines (`-o json`).

use std::fmt::Write as _;

use serde::Serialize;

use crate::cloud::ErrorKind;
use crate::plan::Kind;

/// One step that completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Done {
    pub kind: Kind,
    pub name: String,
    pub id: String,
    /// `create`, `update`, `delete`, or a half of a replace (`replace-delete`,
    /// `replace-create`).
    pub action: String,
    /// What was done: `created (arn)`, `deleted`, `stopped, modified and resumed`, ...
    pub detail: String,
}

/// One step that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failed {
    pub kind: Kind,
    pub name: String,
    pub id: String,
    pub action: String,
    pub error: Failure,
}

/// Why a step failed: the kind of failure, for scripts to act on, beside the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

/// What kind of failure stopped a step: `throttled`, `not-found`, ... for a failed AWS call
/// ([`ErrorKind`]), else one of dmsctl's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// A wait saw a status DMS does not leave by itself.
    WaitFailed,
    /// A wait did not end before the deadline.
    Timeout,
    /// Something the step needs is not there.
    Missing,
    /// A resource with the identifier exists and belongs to no one or another stack.
    Conflict,
    /// A bug in dmsctl: the step panicked or its outcome was lost.
    Internal,
    /// A failed AWS call, by the cloud's kind (serde wants untagged variants last).
    #[serde(untagged)]
    Cloud(ErrorKind),
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// One step that was not attempted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub kind: Kind,
    pub name: String,
    pub id: String,
    pub action: String,
    pub reason: String,
}

/// What a run did, in the order of its steps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub done: Vec<Done>,
    pub failed: Vec<Failed>,
    pub skipped: Vec<Skipped>,
    /// Ctrl-C (or the deadline) stopped the scheduling of new steps.
    pub interrupted: bool,
}

/// Which step an entry of the report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    pub name: String,
    pub id: String,
    /// As in [`Done::action`].
    pub action: String,
}

impl Report {
    /// Accounts for a step that completed.
    pub fn add_done(&mut self, e: Entry, detail: String) {
        let Entry {
            kind,
            name,
            id,
            action,
        } = e;
        self.done.push(Done {
            kind,
            name,
            id,
            action,
            detail,
        });
    }

    /// Accounts for a step that failed.
    pub fn add_failed(&mut self, e: Entry, error: Failure) {
        let Entry {
            kind,
            name,
            id,
            action,
        } = e;
        self.failed.push(Failed {
            kind,
            name,
            id,
            action,
            error,
        });
    }

    /// Accounts for a step that was not attempted.
    pub fn add_skipped(&mut self, e: Entry, reason: String) {
        let Entry {
            kind,
            name,
            id,
            action,
        } = e;
        self.skipped.push(Skipped {
            kind,
            name,
            id,
            action,
            reason,
        });
    }

    /// Nothing failed and nothing was left out.
    pub fn success(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty() && !self.interrupted
    }

    /// `Apply: 3 done, 1 failed, 1 skipped.` (`verb` is `Apply` or `Destroy`).
    pub fn summary_line(&self, verb: &str) -> String {
        format!(
            "{verb}: {} done, {} failed, {} skipped.",
            self.done.len(),
            self.failed.len(),
            self.skipped.len()
        )
    }

    /// The end of the human output: the summary line, then each failure with its error and
    /// each skipped step with its reason.
    pub fn text(&self, verb: &str) -> String {
        let mut out = String::new();
        if self.interrupted {
            out.push_str("Interrupted: no new steps were started.\n");
        }
        let _ = writeln!(out, "{}", self.summary_line(verb));
        for f in &self.failed {
            let _ = writeln!(
                out,
                "  failed:  {} {} ({}): {}",
                f.kind, f.name, f.action, f.error
            );
        }
        for s in &self.skipped {
            let _ = writeln!(
                out,
                "  skipped: {} {} ({}): {}",
                s.kind, s.name, s.action, s.reason
            );
        }
        out
    }

    /// The JSON document `{"done": [...], "failed": [...], "skipped": [...], "interrupted"}`,
    /// pretty, ending with a newline.
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self)
            .expect("a report serializes: it holds only strings and enums");
        s.push('\n');
        s
    }
}
