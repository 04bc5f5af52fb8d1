//! `dmsctl check [NAME...]`: connect to each replication's source and target database with the
//! spec's own settings and secrets, read only, and report what would break replication.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::bail;

use crate::annotate;
use crate::check::probe::Role;
use crate::check::{self, render, Options};
use crate::cli::{CheckArgs, Global, Output};
use crate::cloud::{Cloud, SecretValue};
use crate::model::{Desired, DesiredEndpoint};
use crate::output;
use crate::spec::types::SecretRef;

pub fn run(global: &Global, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let (spec, source) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let replications = check::replications(&desired, &args.names).map_err(anyhow::Error::msg)?;
    for (name, _, _) in &args.via {
        if !desired.endpoints.contains_key(name) {
            bail!("--via {name}=…: the spec has no endpoint `{name}`");
        }
    }
    let opts = Options {
        names: args.names.clone(),
        via: args
            .via
            .iter()
            .map(|(n, h, p)| (n.clone(), (h.clone(), *p)))
            .collect(),
        ca_file: args.ca_file.clone(),
        timeout: args.connect_timeout,
        write_test: args.write_test,
    };
    let roles = check::roles(&replications);
    let rt = super::runtime()?;
    let (report, queries) = rt.block_on(async {
        let passwords = passwords(global, &spec, &desired, &roles).await?;
        Ok::<_, anyhow::Error>(check::run(&desired, &replications, &roles, &passwords, &opts).await)
    })?;
    if global.verbose > 0 {
        output::eprint(
            format!(
                "Database queries: {queries} across {} endpoint(s)\n",
                roles.len()
            )
            .as_bytes(),
        )?;
    }
    let text = match global.output {
        Output::Json => render::json(&report),
        Output::Markdown => render::markdown(&report),
        Output::Github => annotate::github(&render::annotations(&report, &source), "dmsctl"),
        Output::Gitlab => annotate::gitlab(&render::annotations(&report, &source)),
        _ => render::table(&report),
    };
    output::print(text.as_bytes())?;
    if matches!(global.output, Output::Github | Output::Gitlab) {
        // The annotations carry failures and warnings; the counts go to the job's log.
        output::eprint(format!("dmsctl check: {}\n", render::summary(&report)).as_bytes())?;
    }
    Ok(if report.ok(args.strict) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

use check::Resolved;

/// Each endpoint with its password: from its environment variable, or from Secrets Manager
/// (read through AWS only when an endpoint keeps its password there; a DMS secret may also
/// carry the host, port and user, which fill what the spec leaves out).
async fn passwords(
    global: &Global,
    spec: &crate::spec::types::Spec,
    desired: &Desired,
    roles: &BTreeMap<String, Role>,
) -> anyhow::Result<BTreeMap<String, Resolved>> {
    let mut out = BTreeMap::new();
    let mut cloud = None;
    for name in roles.keys() {
        let Some(e) = desired.endpoints.get(name) else {
            continue;
        };
        let mut e = e.clone();
        let password = match e.password.as_ref().map(|p| &p.0) {
            None => Ok(None),
            Some(SecretRef::Env(var)) => match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(Some(SecretValue::new(v))),
                _ => Err(format!("its password variable {var} is not set")),
            },
            Some(SecretRef::SecretsManager(sm)) => {
                if cloud.is_none() {
                    cloud = Some(super::connect(global, spec).await?);
                }
                let c = cloud.as_ref().expect("connected just above");
                match c.secret_value(&sm.secret_id).await {
                    Err(err) => Err(format!("cannot read secret {}: {err}", sm.secret_id)),
                    Ok(secret) => Ok(fill_from_secret(&mut e, &secret)),
                }
            }
        };
        out.insert(name.clone(), (e, password));
    }
    Ok(out)
}

/// The password in a Secrets Manager secret (DMS's JSON shape `{"username", "password",
/// "host", "port"}`, or a bare string), filling the endpoint's host, port and user from it
/// where the spec has none.
fn fill_from_secret(e: &mut DesiredEndpoint, secret: &SecretValue) -> Option<SecretValue> {
    if let Ok(serde_json::Value::Object(map)) =
        serde_json::from_str::<serde_json::Value>(secret.expose())
    {
        let text = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_string);
        if e.server_name.is_none() {
            e.server_name = text("host");
        }
        if e.username.is_none() {
            e.username = text("username");
        }
        if e.port.is_none() {
            e.port = map.get("port").and_then(|p| {
                p.as_i64()
                    .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
            });
        }
    }
    crate::apply::secrets::password_of(secret)
}
