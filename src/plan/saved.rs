//! The saved-plan format (`dmsctl plan --out FILE`, `dmsctl apply FILE`): the plan, the digest
//! of the spec it was made from and a fingerprint of every live resource it read, so apply can
//! refuse a plan that the spec or the account has overtaken. No secrets: neither the plan nor
//! the live state carries any.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::compare::canonical;
use super::{Action, Kind, Plan, FORMAT_VERSION};
use crate::live::{owner, Live, Owner, Tags};

/// A plan as written to a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    pub stack: String,
    /// Hex SHA-256 of the spec text.
    pub spec_digest: String,
    /// `"<kind>/<id>"` -> hex SHA-256 of the live resource's canonical JSON, for every live
    /// resource the plan read for the stack or collided with.
    pub fingerprints: BTreeMap<String, String>,
    pub plan: Plan,
}

/// Why a saved plan file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SavedPlanError {
    /// Not JSON, or not a saved plan.
    #[error("not a dmsctl saved plan: {0}")]
    Invalid(#[source] serde_json::Error),
    /// Written by a dmsctl whose format this one does not read.
    #[error(
        "saved plan format {found} is not supported (this dmsctl reads format {FORMAT_VERSION})"
    )]
    Version { found: u32 },
}

impl SavedPlan {
    /// Wraps `plan` with the fingerprints of what it read from `live` and the spec's digest.
    pub fn new(plan: Plan, live: &Live, spec_text: &str) -> SavedPlan {
        let mut fingerprints = BTreeMap::new();
        let read = plan
            .changes
            .iter()
            .filter(|c| c.action != Action::Create)
            .map(|c| (c.kind, c.id.as_str()))
            .chain(plan.conflicts.iter().map(|c| (c.kind, c.id.as_str())));
        for (kind, id) in read {
            if let Some(fp) = fingerprint(live, kind, id) {
                fingerprints.insert(key(kind, id), fp);
            }
        }
        SavedPlan {
            format_version: FORMAT_VERSION,
            stack: plan.stack.clone(),
            spec_digest: digest(spec_text),
            fingerprints,
            plan,
        }
    }

    /// The file's text: pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self)
            .expect("a saved plan serializes: every map is keyed by strings");
        s.push('\n');
        s
    }

    pub fn from_json(text: &str) -> Result<SavedPlan, SavedPlanError> {
        // The version is read first so a future format is refused by name, not by a confusing
        // missing-field error.
        let raw: Json = serde_json::from_str(text).map_err(SavedPlanError::Invalid)?;
        let found = raw
            .get("format_version")
            .and_then(Json::as_u64)
            .unwrap_or(0);
        if found != u64::from(FORMAT_VERSION) {
            return Err(SavedPlanError::Version {
                found: u32::try_from(found).unwrap_or(u32::MAX),
            });
        }
        serde_json::from_value(raw).map_err(SavedPlanError::Invalid)
    }

    /// What has changed since the plan was made, one sentence each; empty when the plan still
    /// holds. Names the spec when its text changed, and every resource whose fingerprint
    /// changed, that disappeared, or that appeared (a resource the plan would create, or a new
    /// one carrying the stack's tags).
    pub fn stale(&self, live: &Live, spec_text: &str) -> Vec<String> {
        let mut out = Vec::new();
        if digest(spec_text) != self.spec_digest {
            out.push("the spec changed since the plan was made".to_string());
        }
        for (k, fp) in &self.fingerprints {
            let Some((kind, id)) = parse_key(k) else {
                continue;
            };
            match fingerprint(live, kind, id) {
                None => out.push(format!("{} `{id}` disappeared", kind.noun())),
                Some(now) if &now != fp => out.push(format!("{} `{id}` changed", kind.noun())),
                Some(_) => {}
            }
        }
        let mut appeared: Vec<(Kind, String)> = self
            .plan
            .changes
            .iter()
            .filter(|c| c.action == Action::Create && fingerprint(live, c.kind, &c.id).is_some())
            .map(|c| (c.kind, c.id.clone()))
            .collect();
        for (kind, id) in owned(live, &self.stack) {
            let known = self.fingerprints.contains_key(&key(kind, &id))
                || appeared
                    .iter()
                    .any(|(k, i)| *k == kind && i.eq_ignore_ascii_case(&id));
            if !known {
                appeared.push((kind, id));
            }
        }
        appeared.sort();
        out.extend(
            appeared
                .into_iter()
                .map(|(kind, id)| format!("{} `{id}` appeared", kind.noun())),
        );
        out
    }
}

fn key(kind: Kind, id: &str) -> String {
    // DMS identifiers are case-insensitive (keyed lowercase in `Live`); role and log-group
    // names are not.
    match kind {
        Kind::IamRole | Kind::LogGroup => format!("{kind}/{id}"),
        _ => format!("{kind}/{}", id.to_lowercase()),
    }
}

fn parse_key(k: &str) -> Option<(Kind, &str)> {
    let (kind, id) = k.split_once('/')?;
    let kind: Kind = serde_json::from_value(Json::String(kind.to_string())).ok()?;
    Some((kind, id))
}

/// Hex SHA-256.
pub fn digest(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The fingerprint of one live resource, `None` when it does not exist.
fn fingerprint(live: &Live, kind: Kind, id: &str) -> Option<String> {
    let value = live_json(live, kind, id)?;
    let text = serde_json::to_string(&canonical(&value)).ok()?;
    Some(digest(&text))
}

fn live_json(live: &Live, kind: Kind, id: &str) -> Option<Json> {
    let k = id.to_lowercase();
    let v = match kind {
        Kind::IamRole => serde_json::to_value(
            live.roles
                .get(id)
                .or_else(|| live.roles.values().find(|r| r.name == id))?,
        ),
        Kind::LogGroup => serde_json::to_value(
            live.log_groups
                .get(id)
                .or_else(|| live.log_groups.values().find(|g| g.name == id))?,
        ),
        Kind::SubnetGroup => serde_json::to_value(live.subnet_groups.get(&k)?),
        Kind::Certificate => serde_json::to_value(live.certificates.get(&k)?),
        Kind::Instance => serde_json::to_value(live.instances.get(&k)?),
        Kind::Endpoint => serde_json::to_value(live.endpoints.get(&k)?),
        Kind::Task => serde_json::to_value(live.tasks.get(&k)?),
        Kind::ReplicationConfig => serde_json::to_value(live.replication_configs.get(&k)?),
        Kind::EventSubscription => serde_json::to_value(live.event_subscriptions.get(&k)?),
        Kind::Alarm => serde_json::to_value(live.alarms.get(&k)?),
    };
    v.ok()
}

/// Every live DMS resource carrying the stack's tag.
fn owned(live: &Live, stack: &str) -> Vec<(Kind, String)> {
    let ours = |tags: &Tags| matches!(owner(tags), Owner::Stack { stack: s, .. } if s == stack);
    let mut out = Vec::new();
    out.extend(
        live.subnet_groups
            .iter()
            .filter(|(_, v)| ours(&v.tags))
            .map(|(k, _)| (Kind::SubnetGroup, k.clone())),
    );
    out.extend(
        live.instances
            .iter()
            .filter(|(_, v)| ours(&v.tags))
            .map(|(k, _)| (Kind::Instance, k.clone())),
    );
    out.extend(
        live.endpoints
            .iter()
            .filter(|(_, v)| ours(&v.tags))
            .map(|(k, _)| (Kind::Endpoint, k.clone())),
    );
    out.extend(
        live.tasks
            .iter()
            .filter(|(_, v)| ours(&v.tags))
            .map(|(k, _)| (Kind::Task, k.clone())),
    );
    out.extend(
        live.replication_configs
            .iter()
            .filter(|(_, v)| ours(&v.tags))
            .map(|(k, _)| (Kind::ReplicationConfig, k.clone())),
    );
    out.extend(
        live.certificates
            .iter()
            .filter(|(_, v)| ours(&v.tags))
            .map(|(k, _)| (Kind::Certificate, k.clone())),
    );
    out.extend(
        live.event_subscriptions
            .iter()
            .filter(|(_, v)| ours(&v.tags))
            .map(|(k, _)| (Kind::EventSubscription, k.clone())),
    );
    out.extend(
        live.alarms
            .iter()
            .filter(|(_, v)| ours(&v.tags))
            .map(|(k, _)| (Kind::Alarm, k.clone())),
    );
    out
}
