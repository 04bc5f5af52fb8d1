//! The last line of defence for secrets: every secret value dmsctl resolves is registered here,
//! and whatever goes to the diagnostic log (`-vv`, `-vvv`, `DMSCTL_LOG`), the progress lines and
//! the final error message is passed through [`redact`] on its way out.
//!
//! dmsctl never formats a secret on purpose (the SDK's inputs print sensitive members as
//! `*** Sensitive Data Redacted ***`), but the SDK's own debug logs, an AWS error message that
//! echoes a request, or a future bug could. The registry is process-wide because those paths
//! have no handle on the apply that resolved the secrets.

use std::borrow::Cow;
use std::sync::{Mutex, MutexGuard};

/// What a secret is replaced with.
pub const MASK: &str = "(sensitive)";

/// Values shorter than this are not masked: a one- or two-character password would blank out
/// every occurrence of that text in the log, and hiding it would not hide much.
const MIN_LEN: usize = 3;

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn secrets() -> MutexGuard<'static, Vec<String>> {
    // A poisoned lock means a panic while registering; the list is still a list.
    SECRETS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Registers a secret value, with the forms it takes on the wire: JSON-escaped (DMS and
/// CloudWatch Logs speak JSON) and form-encoded (IAM speaks the query protocol).
pub fn register(value: &str) {
    if value.len() < MIN_LEN {
        return;
    }
    let json = serde_json::to_string(value).unwrap_or_default();
    let json = json.trim_matches('"').to_string();
    let form = form_encode(value);
    let mut all = secrets();
    for form in [value.to_string(), json, form] {
        if !all.contains(&form) {
            all.push(form);
        }
    }
    // Longest first, so a secret that contains another is masked whole.
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `text` with every registered secret replaced by [`MASK`].
pub fn redact(text: &str) -> Cow<'_, str> {
    let all = secrets();
    if !all.iter().any(|s| text.contains(s.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for s in all.iter() {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), MASK);
        }
    }
    Cow::Owned(out)
}

/// `application/x-www-form-urlencoded`, as the SDK's query serializer writes values.
fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // The registry is process-wide: each test uses values no other test registers.

    #[test]
    fn registered_values_are_masked_in_every_wire_form() {
        register("p\"w&d=1 é");
        assert_eq!(redact("plain p\"w&d=1 é."), "plain (sensitive).");
        assert_eq!(
            redact(r#"{"Password":"p\"w&d=1 é"}"#),
            r#"{"Password":"(sensitive)"}"#
        );
        assert_eq!(
            redact("Action=X&Password=p%22w%26d%3D1%20%C3%A9"),
            "Action=X&Password=(sensitive)"
        );
    }

    #[test]
    fn text_without_secrets_is_borrowed_unchanged() {
        register("unrelated-secret-value");
        assert!(matches!(
            redact("nothing here"),
            Cow::Borrowed("nothing here")
        ));
    }

    #[test]
    fn a_secret_containing_another_is_masked_whole() {
        register("abcd");
        register("xxabcdyy");
        assert_eq!(redact("1 xxabcdyy 2 abcd"), "1 (sensitive) 2 (sensitive)");
    }

    #[test]
    fn very_short_values_are_not_masked() {
        register("q7");
        assert_eq!(redact("q7 stays"), "q7 stays");
    }
}
