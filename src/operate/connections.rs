//! `dmsctl test-connection`: DMS's own test of each endpoint from the replication instance its
//! tasks run on — the network path from DMS, which a check from the user's machine cannot see.
//!
//! `TestConnection` starts a test; `DescribeConnections` reports `testing` until it ends in
//! `successful` or `failed` with DMS's `LastFailureMessage`
//! (<https://docs.aws.amazon.com/dms/latest/APIReference/API_TestConnection.html>). Every test
//! starts at once; the waits share one `DescribeConnections` a round.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::Serialize;

use crate::cloud::{CloudError, ErrorKind, Operations};
use crate::live::{owner, Live, Owner};
use crate::model::Desired;
use crate::spec::diagnostic::did_you_mean;

/// One endpoint tested from one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub endpoint: String,
    pub instance: String,
    pub endpoint_arn: String,
    pub instance_arn: String,
}

/// What to test, and why some endpoints cannot be.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub pairs: Vec<Pair>,
    /// Endpoints that cannot be tested, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// The result of one test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tested {
    pub endpoint: String,
    pub instance: String,
    /// `successful`, `failed`, `testing` (the deadline passed), or `error` (DMS refused the test).
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Tested {
    pub fn ok(&self) -> bool {
        self.status == "successful"
    }
}

/// The pairs to test for `names` (every endpoint when empty): each endpoint from every instance
/// a task using it runs on; an endpoint no task uses, from the stack's only instance.
pub fn plan(desired: &Desired, live: &Live, names: &[String]) -> Result<Plan, String> {
    let known: Vec<&str> = desired.endpoints.keys().map(String::as_str).collect();
    if let Some(n) = names.iter().find(|n| !known.contains(&n.as_str())) {
        let hint = did_you_mean(n, known.iter().copied())
            .map(|m| format!("; did you mean `{m}`?"))
            .unwrap_or_default();
        return Err(format!("the spec has no endpoint `{n}`{hint}"));
    }
    let stack = desired.stack.as_str();
    let ours = |tags, name: &str| owner(tags) == Owner::Stack { stack, name };
    let mut out = Plan::default();
    for (name, e) in &desired.endpoints {
        if !names.is_empty() && !names.contains(name) {
            continue;
        }
        let Some(le) = live
            .endpoints
            .get(&e.endpoint_identifier.to_lowercase())
            .filter(|l| ours(&l.tags, name))
        else {
            out.skipped.push((
                name.clone(),
                "not created yet (run `dmsctl apply` first)".into(),
            ));
            continue;
        };
        let mut instances: BTreeSet<&str> = desired
            .tasks
            .values()
            .filter(|t| &t.source_endpoint == name || &t.target_endpoint == name)
            .map(|t| t.replication_instance.as_str())
            .collect();
        if instances.is_empty() && desired.instances.len() == 1 {
            instances.extend(desired.instances.keys().map(String::as_str));
        }
        if instances.is_empty() {
            out.skipped.push((
                name.clone(),
                "no task uses it, and the stack has more than one instance to test it from".into(),
            ));
            continue;
        }
        for iname in instances {
            let Some(li) = desired.instances.get(iname).and_then(|d| {
                live.instances
                    .get(&d.replication_instance_identifier.to_lowercase())
                    .filter(|l| ours(&l.tags, iname))
            }) else {
                out.skipped.push((
                    name.clone(),
                    format!("instance `{iname}` is not created yet (run `dmsctl apply` first)"),
                ));
                continue;
            };
            out.pairs.push(Pair {
                endpoint: name.clone(),
                instance: iname.to_string(),
                endpoint_arn: le.arn.clone(),
                instance_arn: li.arn.clone(),
            });
        }
    }
    Ok(out)
}

/// Starts every test, then waits for all of them together until `deadline`.
pub async fn test<C: Operations>(
    cloud: &C,
    pairs: &[Pair],
    deadline: Duration,
    first_poll: Duration,
) -> Result<Vec<Tested>, CloudError> {
    let mut results: Vec<Option<Tested>> = vec![None; pairs.len()];
    for (i, p) in pairs.iter().enumerate() {
        match cloud
            .test_connection(&p.instance_arn, &p.endpoint_arn)
            .await
        {
            Ok(()) => {}
            // A test of this pair under way already (an earlier call whose answer was lost):
            // its result is the one to wait for.
            Err(e) if e.kind == ErrorKind::InvalidState && testing(cloud, p).await => {}
            Err(e) => results[i] = Some(done(p, "error", Some(e.with_hint()))),
        }
    }
    let instance_arns: Vec<String> = unique(pairs.iter().map(|p| &p.instance_arn));
    let endpoint_arns: Vec<String> = unique(pairs.iter().map(|p| &p.endpoint_arn));
    let started = tokio::time::Instant::now();
    let mut poll = first_poll;
    while results.iter().any(Option::is_none) {
        tokio::time::sleep(poll).await;
        poll = (poll * 2).min(Duration::from_secs(15));
        let found: BTreeMap<(String, String), (String, Option<String>)> = cloud
            .connections(&instance_arns, &endpoint_arns)
            .await?
            .into_iter()
            .map(|c| ((c.instance_arn, c.endpoint_arn), (c.status, c.message)))
            .collect();
        for (i, p) in pairs.iter().enumerate() {
            if results[i].is_some() {
                continue;
            }
            if let Some((status, message)) =
                found.get(&(p.instance_arn.clone(), p.endpoint_arn.clone()))
            {
                if status != "testing" {
                    results[i] = Some(done(p, status, message.clone()));
                }
            }
        }
        if started.elapsed() >= deadline {
            for (i, p) in pairs.iter().enumerate() {
                if results[i].is_none() {
                    results[i] = Some(done(
                        p,
                        "testing",
                        Some(format!(
                            "still testing after {}s (raise --timeout)",
                            deadline.as_secs()
                        )),
                    ));
                }
            }
        }
    }
    Ok(results.into_iter().flatten().collect())
}

async fn testing<C: Operations>(cloud: &C, p: &Pair) -> bool {
    let (i, e) = ([p.instance_arn.clone()], [p.endpoint_arn.clone()]);
    cloud
        .connections(&i, &e)
        .await
        .is_ok_and(|found| found.iter().any(|c| c.status == "testing"))
}

fn done(p: &Pair, status: &str, message: Option<String>) -> Tested {
    Tested {
        endpoint: p.endpoint.clone(),
        instance: p.instance.clone(),
        status: status.to_string(),
        message,
    }
}

fn unique<'a>(values: impl Iterator<Item = &'a String>) -> Vec<String> {
    values
        .collect::<BTreeSet<_>>()
        .into_iter()
        .cloned()
        .collect()
}
