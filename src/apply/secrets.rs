//! Resolving the secrets an apply sends, before anything is touched: every missing variable or
//! unreadable secret is reported at once, so a run never stops halfway for a typo in a name.
//!
//! Only endpoints that are created (or replaced), or updated with `--update-secrets`, need their
//! secrets: DMS never returns them, so they are write-only. Database passwords kept in Secrets
//! Manager need no value at all: DMS reads them itself with the configured role. Settings DMS
//! cannot take from Secrets Manager (Kafka's SASL password) are read by dmsctl, with the
//! caller's credentials, into the request: [`secrets_manager_ids`] says which, the caller reads
//! them ([`crate::cloud::Cloud::secret_value`]) and hands the answers to [`resolve`].

use std::collections::{BTreeMap, BTreeSet};

use crate::cloud::{CloudError, EndpointSecrets, SecretValue};
use crate::model::{Desired, DesiredEndpoint};
use crate::plan::{Action, Kind, Plan};
use crate::spec::types::SecretRef;

/// The secrets to send, by endpoint logical name.
pub type Secrets = BTreeMap<String, EndpointSecrets>;

/// What reading each Secrets Manager secret gave, by secret id.
pub type Fetched = BTreeMap<String, Result<SecretValue, CloudError>>;

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
    /// The Secrets Manager secret could not be read.
    #[error("endpoint `{endpoint}`: cannot read {what} from AWS Secrets Manager secret `{secret_id}`: {message}")]
    Unreadable {
        endpoint: String,
        what: String,
        secret_id: String,
        message: String,
    },
    /// The secret is a JSON document without a `password` member.
    #[error(
        "endpoint `{endpoint}`: AWS Secrets Manager secret `{secret_id}` ({what}) is a JSON object \
         without a string `password` member; store the password as the whole secret or under `password`"
    )]
    NoPasswordMember {
        endpoint: String,
        what: String,
        secret_id: String,
    },
}

/// Every secret that could not be resolved (at least one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct SecretsError(pub Vec<SecretProblem>);

/// The endpoints whose secrets the plan sends: those it creates or replaces, and those it
/// updates when `update_secrets`.
fn sending<'a>(
    plan: &'a Plan,
    desired: &'a Desired,
    update_secrets: bool,
) -> impl Iterator<Item = (&'a str, &'a DesiredEndpoint)> {
    plan.changes
        .iter()
        .filter(|c| c.kind == Kind::Endpoint)
        .filter(move |c| match c.action {
            Action::Create | Action::Replace => true,
            Action::Update | Action::Move => update_secrets,
            Action::NoOp | Action::Delete => false,
        })
        .filter_map(|c| desired.endpoints.get(&c.name).map(|d| (c.name.as_str(), d)))
}

/// The Secrets Manager secrets [`resolve`] needs the values of.
pub fn secrets_manager_ids(
    plan: &Plan,
    desired: &Desired,
    update_secrets: bool,
) -> BTreeSet<String> {
    sending(plan, desired, update_secrets)
        .flat_map(|(_, d)| d.secret_settings.values())
        .filter_map(|r| match r {
            SecretRef::SecretsManager(sm) => Some(sm.secret_id.clone()),
            SecretRef::Env(_) => None,
        })
        .collect()
}

/// Resolves the secrets of the endpoints the plan sends secrets to. `env` reads a variable
/// (`std::env::var` outside tests); `fetched` holds the secrets of [`secrets_manager_ids`].
pub fn resolve(
    plan: &Plan,
    desired: &Desired,
    update_secrets: bool,
    env: &dyn Fn(&str) -> Option<String>,
    fetched: &Fetched,
) -> Result<Secrets, SecretsError> {
    let mut out = Secrets::new();
    let mut problems = Vec::new();
    for (name, d) in sending(plan, desired, update_secrets) {
        match endpoint(name, d, env, fetched) {
            Ok(s) => {
                out.insert(name.to_string(), s);
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
    fetched: &Fetched,
) -> Result<EndpointSecrets, Vec<SecretProblem>> {
    let mut problems = Vec::new();
    let mut value = |what: &str, r: &SecretRef, settings: bool| -> Option<SecretValue> {
        let problem = match r {
            SecretRef::Env(var) => match env(var).filter(|v| !v.is_empty()) {
                Some(v) => return Some(SecretValue::new(v)),
                None => SecretProblem::Unset {
                    endpoint: name.to_string(),
                    variable: var.clone(),
                    what: what.to_string(),
                },
            },
            // The model moves a database password kept in Secrets Manager into the engine
            // settings (`SecretsManagerSecretId`): DMS reads it, nothing to send.
            SecretRef::SecretsManager(_) if !settings => return None,
            SecretRef::SecretsManager(sm) => match fetched.get(&sm.secret_id) {
                Some(Ok(secret)) => match password_of(secret) {
                    Some(v) => return Some(v),
                    None => SecretProblem::NoPasswordMember {
                        endpoint: name.to_string(),
                        what: what.to_string(),
                        secret_id: sm.secret_id.clone(),
                    },
                },
                Some(Err(e)) => SecretProblem::Unreadable {
                    endpoint: name.to_string(),
                    what: what.to_string(),
                    secret_id: sm.secret_id.clone(),
                    message: e.to_string(),
                },
                None => SecretProblem::Unreadable {
                    endpoint: name.to_string(),
                    what: what.to_string(),
                    secret_id: sm.secret_id.clone(),
                    message: "it was not read".into(),
                },
            },
        };
        problems.push(problem);
        None
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

/// The password in a secret: the whole string, or, when the secret is a JSON object (as the
/// console stores credentials), its `password` member. `None` for an object without one.
pub(crate) fn password_of(secret: &SecretValue) -> Option<SecretValue> {
    match serde_json::from_str::<serde_json::Value>(secret.expose()) {
        Ok(serde_json::Value::Object(map)) => map
            .get("password")
            .and_then(|p| p.as_str())
            .filter(|p| !p.is_empty())
            .map(SecretValue::new),
        _ => Some(secret.clone()),
    }
}
