//! The last line of defence for secrets: every secret value dmsctl resolves is registered here,
//! and whatever goes to the diagnostic log (`-vv`, `-vvv`, `DMSCTL_LOG`), the progress lines and
//! the final error message is passed through [`redact`] on its way out.
//!
//! dmsctl never formats a secret on purpose (the SDK's inputs print sensitive members as
//! `*** Sensitive Data Redacted ***`), but the SDK's own debug logs, an AWS error message that
//! echoes a request, or a future bug could. The registry is process-wide because those paths
//! have no handle on the apply that resolved the secrets.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard};

use aho_corasick::{AhoCorasick, MatchKind};

/// What a secret is replaced with.
pub const MASK: &str = "(sensitive)";

/// Values shorter than this are not masked: a one- or two-character password would blank out
/// every occurrence of that text in the log, and hiding it would not hide much.
const MIN_LEN: usize = 3;

/// The registered forms, and one automaton finding all of them in a single pass over a text
/// (built again only after a registration), so masking costs the same with one secret as with
/// thousands.
struct Registry {
    forms: BTreeSet<String>,
    matcher: Option<AhoCorasick>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    forms: BTreeSet::new(),
    matcher: None,
});

fn registry() -> MutexGuard<'static, Registry> {
    // A poisoned lock means a panic while registering; the set is still a set.
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
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
    let mut r = registry();
    let mut added = false;
    for form in [value.to_string(), json, form] {
        added |= r.forms.insert(form);
    }
    if added {
        r.matcher = None;
    }
}

/// `text` with every registered secret replaced by [`MASK`]. Where two secrets overlap, the
/// longest match wins, so a secret that contains another is masked whole.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut r = registry();
    if r.forms.is_empty() {
        return Cow::Borrowed(text);
    }
    if r.matcher.is_none() {
        r.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(r.forms.iter())
            .ok();
    }
    let Some(matcher) = &r.matcher else {
        // The automaton could not be built (it never fails for plain strings); mask the slow way.
        let mut forms: Vec<&String> = r.forms.iter().collect();
        forms.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let mut out = text.to_string();
        for s in forms {
            out = out.replace(s.as_str(), MASK);
        }
        return Cow::Owned(out);
    };
    if !matcher.is_match(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(matcher.replace_all(text, &vec![MASK; r.forms.len()]))
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
    fn thousands_of_secrets_are_all_masked() {
        for i in 0..3000 {
            register(&format!("bulk-secret-{i:05}-value"));
        }
        assert_eq!(
            redact("a bulk-secret-02999-value b bulk-secret-00000-value c"),
            "a (sensitive) b (sensitive) c"
        );
        // Registering one already known changes nothing.
        register("bulk-secret-00001-value");
        assert_eq!(redact("bulk-secret-00001-value"), "(sensitive)");
    }

    #[test]
    fn very_short_values_are_not_masked() {
        register("q7");
        assert_eq!(redact("q7 stays"), "q7 stays");
    }
}
