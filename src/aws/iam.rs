//! IAM reads: the two account-wide roles DMS looks up by name, with their trust policy and
//! attached managed policies.

use aws_sdk_iam as iam;
use serde_json::Value as Json;

use super::errors::cloud_error;
use crate::cloud::{CloudError, ErrorKind};
use crate::live::LiveRole;

/// The role `name`, or `None` when IAM says it does not exist.
///
/// GetRole first, then ListAttachedRolePolicies only for a role that exists (one call saved
/// per absent role, and no NoSuchEntity to interpret twice).
pub(crate) async fn role(client: &iam::Client, name: &str) -> Result<Option<LiveRole>, CloudError> {
    let out = match client.get_role().role_name(name).send().await {
        Ok(out) => out,
        Err(e) => {
            let err = cloud_error("GetRole", &e);
            if err.kind == ErrorKind::NotFound {
                return Ok(None);
            }
            return Err(err);
        }
    };
    let Some(role) = out.role else {
        return Ok(None);
    };
    let mut attached = Vec::new();
    let mut pages = client
        .list_attached_role_policies()
        .role_name(name)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| cloud_error("ListAttachedRolePolicies", &e))?;
        attached.extend(
            page.attached_policies
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| p.policy_arn),
        );
    }
    attached.sort();
    Ok(Some(LiveRole {
        name: role.role_name,
        arn: role.arn,
        trusts_dms: role
            .assume_role_policy_document
            .as_deref()
            .is_some_and(trusts_dms),
        attached_policy_arns: attached,
    }))
}

/// Whether a trust policy lets `dms.amazonaws.com` call `sts:AssumeRole`.
///
/// IAM returns the document URL-encoded (RFC 3986); the SDK hands it over as is. A document
/// that is already plain JSON (some emulators) is accepted too.
pub(crate) fn trusts_dms(document: &str) -> bool {
    let policy: Json = match serde_json::from_str(document) {
        Ok(p) => p,
        Err(_) => match serde_json::from_str(&percent_decode(document)) {
            Ok(p) => p,
            Err(_) => return false,
        },
    };
    let trusted = one_or_many(&policy["Statement"]).any(|st| {
        st["Effect"] == "Allow"
            && one_or_many(&st["Action"])
                .any(|a| matches!(a.as_str(), Some("sts:AssumeRole" | "sts:*" | "*")))
            && one_or_many(&st["Principal"]["Service"])
                .any(|s| s.as_str() == Some("dms.amazonaws.com"))
    });
    trusted
}

/// IAM policy members are a value or an array of values.
fn one_or_many(v: &Json) -> impl Iterator<Item = &Json> {
    let items: &[Json] = match v {
        Json::Array(a) => a,
        Json::Null => &[],
        other => std::slice::from_ref(other),
    };
    items.iter()
}

/// `%XX` sequences to bytes; anything malformed is kept as it is. `+` stays `+`: IAM encodes
/// spaces as `%20`.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"dms.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

    #[test]
    fn trust_policy_plain_and_encoded() {
        assert!(trusts_dms(TRUST));
        let encoded = TRUST
            .replace('{', "%7B")
            .replace('}', "%7D")
            .replace('"', "%22")
            .replace(':', "%3A")
            .replace(',', "%2C");
        assert!(trusts_dms(&encoded));
        assert!(!trusts_dms(
            &TRUST.replace("dms.amazonaws.com", "ec2.amazonaws.com")
        ));
        assert!(!trusts_dms("%ZZ not json %"));
    }

    #[test]
    fn trust_policy_arrays() {
        let p = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","dms.amazonaws.com"]},"Action":["sts:AssumeRole"]}}"#;
        assert!(trusts_dms(p));
    }
}
