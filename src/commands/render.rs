//! `dmsctl render`: the resources a spec resolves to, as they would be sent to DMS.

use std::process::ExitCode;

use anyhow::bail;
use serde_json::{json, Value as Json};

use crate::cli::{Global, Output, RenderArgs};
use crate::model::Desired;
use crate::output;

pub fn run(global: &Global, args: &RenderArgs) -> anyhow::Result<ExitCode> {
    let (spec, _) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let doc = match &args.name {
        None => serde_json::to_value(&desired)?,
        Some(name) => {
            let found = find(&desired, name);
            let Some((kind, value)) = found else {
                let known: Vec<&String> = desired
                    .endpoints
                    .keys()
                    .chain(desired.tasks.keys())
                    .chain(desired.replication_configs.keys())
                    .chain(desired.instances.keys())
                    .chain(desired.subnet_groups.keys())
                    .chain(desired.certificates.keys())
                    .chain(desired.event_subscriptions.keys())
                    .chain(desired.alarms.keys())
                    .collect();
                bail!(
                    "no resource named `{name}` in {}; names: {}",
                    global.file.display(),
                    known
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            };
            if args.table_mappings {
                match value.get("TableMappings") {
                    Some(m) => m.clone(),
                    None => {
                        bail!("`{name}` is {kind}, not a replication: it has no table mappings")
                    }
                }
            } else {
                json!({ "kind": kind, "name": name, "resource": value })
            }
        }
    };
    let text = serde_json::to_string_pretty(&doc)?;
    let out = match global.output {
        Output::Markdown => format!("```json\n{text}\n```\n"),
        // The other formats are refused before any work (`commands::prints`).
        _ => format!("{text}\n"),
    };
    output::print(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn find(d: &Desired, name: &str) -> Option<(&'static str, Json)> {
    let v = |x: Result<Json, serde_json::Error>| x.unwrap_or(Json::Null);
    if let Some(e) = d.endpoints.get(name) {
        return Some(("an endpoint", v(serde_json::to_value(e))));
    }
    if let Some(t) = d.tasks.get(name) {
        return Some(("a replication task", v(serde_json::to_value(t))));
    }
    if let Some(r) = d.replication_configs.get(name) {
        return Some(("a serverless replication", v(serde_json::to_value(r))));
    }
    if let Some(i) = d.instances.get(name) {
        return Some(("a replication instance", v(serde_json::to_value(i))));
    }
    if let Some(c) = d.certificates.get(name) {
        return Some(("a certificate", v(serde_json::to_value(c))));
    }
    if let Some(e) = d.event_subscriptions.get(name) {
        return Some(("an event subscription", v(serde_json::to_value(e))));
    }
    if let Some(a) = d.alarms.get(name) {
        return Some(("a CloudWatch alarm", v(serde_json::to_value(a))));
    }
    d.subnet_groups
        .get(name)
        .map(|g| ("a subnet group", v(serde_json::to_value(g))))
}
