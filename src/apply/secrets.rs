//! Resolving the secrets an apply sends, before anything is touched: every missing variable is
//! reported at once, so a run never stops halfway for a typo in a variable name.
//!
//! Only endpoints that are created (or replaced), or updated with `--update-secrets`, need their
//! secrets: DMS never returns them, so they are write-only. Database passwords kept in Secrets
//! Manager need no value at all: DMS reads them itself with the configured role.

use std::collections::BTreeMap;

use crate::cloud::{EndpointSecrets, SecretValue};
use crate::model::{Desired, DesiredEndpoint};
use crate::plan::{Action, Kind, Plan};
use crate::spec::types::SecretRef;

/// The secrets to send, by endpoint logical name.
pub type Secrets = BTreeMap<String, EndpointSecrets>;

/// One secret that cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretProblem {
    /// The environment variable is unset or empty.
    #[error("endpoint `{endpoint}`: environment variable `{variable}` ({what}) is not set")]
    Unset {
        endpoint: String,
        variable: String,
        /// `password`, or the settings member (`KafkaSettings.SaslPassword`).
        what: String,
    },
    /// A settings secret taken from Secrets Manager: DMS cannot read those itself, and dmsctl
    /// does not fetch them (yet).
    #[error(
        "endpoint `{endpoint}`: {what} from AWS Secrets Manager (`{secret_id}`) is not supported yet; \
         take it from an environment variable (`{{ env: VAR }}`)"
    )]
    Unsupported {
        endpoint: String,
        what: String,
        secret_id: String,
    },
}

/// Every secret that could not be resolved (at least one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct SecretsError(pub Vec<SecretProblem>);

/// Resolves the secrets of the endpoints `plan` creates or replaces, and of those it updates
/// when `update_secrets`. `env` reads a variable (`std::env::var` outside tests).
pub fn resolve(
    plan: &Plan,
    desired: &Desired,
    update_secrets: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Secrets, SecretsError> {
    let mut out = Secrets::new();
    let mut problems = Vec::new();
    for c in plan.changes.iter().filter(|c| c.kind == Kind::Endpoint) {
        let sends = match c.action {
            Action::Create | Action::Replace => true,
            Action::Update => update_secrets,
            Action::NoOp | Action::Delete => false,
        };
        let Some(d) = desired.endpoints.get(&c.name).filter(|_| sends) else {
            continue;
        };
        match endpoint(&c.name, d, env) {
            Ok(s) => {
                out.insert(c.name.clone(), s);
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(SecretsError(problems))
    }
}

fn endpoint(
    name: &str,
    d: &DesiredEndpoint,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<EndpointSecrets, Vec<SecretProblem>> {
    let mut problems = Vec::new();
    let mut value = |what: &str, r: &SecretRef, settings: bool| -> Option<SecretValue> {
        match r {
            SecretRef::Env(var) => match env(var).filter(|v| !v.is_empty()) {
                Some(v) => Some(SecretValue::new(v)),
                None => {
                    problems.push(SecretProblem::Unset {
                        endpoint: name.to_string(),
                        variable: var.clone(),
                        what: what.to_string(),
                    });
                    None
                }
            },
            // The model moves a database password kept in Secrets Manager into the engine
            // settings (`SecretsManagerSecretId`): DMS reads it, nothing to send.
            SecretRef::SecretsManager(_) if !settings => None,
            SecretRef::SecretsManager(sm) => {
                problems.push(SecretProblem::Unsupported {
                    endpoint: name.to_string(),
                    what: what.to_string(),
                    secret_id: sm.secret_id.clone(),
                });
                None
            }
        }
    };
    let password = d
        .password
        .as_ref()
        .and_then(|p| value("password", &p.0, false));
    let mut settings = BTreeMap::new();
    for (key, r) in &d.secret_settings {
        if let Some(v) = value(key, r, true) {
            settings.insert(key.clone(), v);
        }
    }
    if problems.is_empty() {
        Ok(EndpointSecrets { password, settings })
    } else {
        Err(problems)
    }
}
