//! Premigration assessments: `dmsctl assess` and `start --assess`. Of tasks here; of
//! serverless replications DMS runs them as part of `StartReplication` (see
//! [`serverless_settings`] and [`last_serverless`]).
//!
//! A run (`StartReplicationTaskAssessmentRun`) goes `starting` → `provisioning` → `running` →
//! `passed`, `warning`, `failed` or an `error-…` status; its individual assessments each end
//! `passed`, `warning`, `failed`, `error`, `skipped` or `cancelled`
//! (<https://docs.aws.amazon.com/dms/latest/APIReference/API_ReplicationTaskAssessmentRun.html>).
//! The waits of several runs share one `DescribeReplicationTaskAssessmentRuns` a round; the
//! results are read in one `DescribeReplicationTaskIndividualAssessments`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::Running;
use crate::cloud::{
    AssessmentRun, AssessmentSettings, Cloud, CloudError, ErrorKind, IndividualAssessment,
    Operations, ReplicationKind,
};

/// One task's assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessed {
    pub name: String,
    pub run: String,
    /// The run's ARN; empty when it could not start.
    pub arn: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub assessments: Vec<IndividualAssessment>,
    /// Where DMS wrote the results, when it says (serverless: a bucket it created).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<String>,
}

impl Assessed {
    /// Whether the run is over and nothing failed ([`crate::dms::assessment_passed`]).
    pub fn passed(&self) -> bool {
        crate::dms::assessment_passed(&self.status)
    }

    /// Whether the run is over.
    pub fn finished(&self) -> bool {
        !crate::dms::assessment_under_way(&self.status) && !self.arn.is_empty()
    }
}

/// A run name unique to this task, moment and process, as DMS requires
/// (`dmsctl-<task identifier>-<YYYYMMDDhhmmssmmm>-<pid>`): a retry of the same start meets a
/// run of its own name, another invocation never does.
pub fn run_name(identifier: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "dmsctl-{identifier}-{}-{}",
        now.format("%Y%m%d%H%M%S%3f"),
        std::process::id()
    )
}

/// Starts one run per task; with `deadline`, waits for them all and reads their results.
pub async fn assess<C: Operations>(
    cloud: &C,
    targets: &[Running],
    settings: &AssessmentSettings,
    wait: Option<(Duration, Duration)>,
) -> Result<Vec<Assessed>, CloudError> {
    let now = chrono::Utc::now();
    let mut out = Vec::with_capacity(targets.len());
    for t in targets {
        let name = run_name(&t.identifier, now);
        let started = match cloud.start_assessment(&t.arn, &name, settings).await {
            Ok(arn) => Ok(arn),
            // A retry meeting its own earlier start: the run of that name is ours.
            Err(e) if e.kind == ErrorKind::AlreadyExists => {
                let runs = cloud.assessment_runs(std::slice::from_ref(&t.arn)).await?;
                runs.into_iter()
                    .find(|r| r.name == name)
                    .map(|r| r.arn)
                    .ok_or(e)
            }
            Err(e) => Err(e),
        };
        out.push(match started {
            Ok(arn) => Assessed {
                name: t.name.clone(),
                run: name,
                arn,
                status: "starting".into(),
                message: None,
                assessments: Vec::new(),
                results: None,
            },
            Err(e) => Assessed {
                name: t.name.clone(),
                run: name,
                arn: String::new(),
                status: "not-started".into(),
                message: Some(e.with_hint()),
                assessments: Vec::new(),
                results: None,
            },
        });
    }
    if let Some((deadline, first_poll)) = wait {
        let tasks: Vec<String> = targets.iter().map(|t| t.arn.clone()).collect();
        let began = tokio::time::Instant::now();
        let mut poll = first_poll;
        while out.iter().any(|a| !a.arn.is_empty() && !a.finished()) {
            if began.elapsed() >= deadline {
                for a in out
                    .iter_mut()
                    .filter(|a| !a.finished() && !a.arn.is_empty())
                {
                    a.message = Some(format!(
                        "still {} after {}s (raise --timeout, or read it later with `dmsctl assess --last`)",
                        a.status,
                        deadline.as_secs()
                    ));
                }
                break;
            }
            tokio::time::sleep(poll).await;
            poll = (poll * 2).min(Duration::from_secs(30));
            update(&mut out, &cloud.assessment_runs(&tasks).await?);
        }
        results(cloud, &mut out).await?;
    }
    Ok(out)
}

/// The latest run of each task, with its results, without starting one.
pub async fn last<C: Operations>(
    cloud: &C,
    targets: &[Running],
) -> Result<Vec<Assessed>, CloudError> {
    let tasks: Vec<String> = targets.iter().map(|t| t.arn.clone()).collect();
    let runs = cloud.assessment_runs(&tasks).await?;
    let mut out: Vec<Assessed> = targets
        .iter()
        .map(|t| {
            let latest = runs
                .iter()
                .filter(|r| r.task_arn == t.arn)
                .find(|r| r.latest)
                .or_else(|| runs.iter().rfind(|r| r.task_arn == t.arn));
            match latest {
                Some(r) => Assessed {
                    name: t.name.clone(),
                    run: r.name.clone(),
                    arn: r.arn.clone(),
                    status: r.status.clone(),
                    message: r.message.clone(),
                    assessments: Vec::new(),
                    results: None,
                },
                None => Assessed {
                    name: t.name.clone(),
                    run: String::new(),
                    arn: String::new(),
                    status: "none".into(),
                    message: Some("no assessment run yet (`dmsctl assess` starts one)".into()),
                    assessments: Vec::new(),
                    results: None,
                },
            }
        })
        .collect();
    results(cloud, &mut out).await?;
    Ok(out)
}

/// The latest premigration assessment of each serverless replication, from one batched
/// `DescribeReplications` (`PremigrationAssessmentStatuses`). DMS reports no individual
/// assessments of these runs here: they are in the results bucket.
pub async fn last_serverless<C: Cloud>(
    cloud: &C,
    targets: &[Running],
) -> Result<Vec<Assessed>, CloudError> {
    let arns: Vec<String> = targets
        .iter()
        .filter(|t| t.kind == ReplicationKind::Serverless)
        .map(|t| t.arn.clone())
        .collect();
    let statuses = cloud
        .statuses(ReplicationKind::Serverless.waitable(), &arns)
        .await?;
    Ok(targets
        .iter()
        .filter(|t| t.kind == ReplicationKind::Serverless)
        .map(
            |t| match statuses.get(&t.arn).and_then(|s| s.assessment.as_ref()) {
                Some(a) => Assessed {
                    name: t.name.clone(),
                    run: crate::dms::resource_id(&a.arn).to_string(),
                    arn: a.arn.clone(),
                    status: a.status.clone(),
                    message: a.message.clone(),
                    assessments: Vec::new(),
                    results: a.results.clone(),
                },
                None => Assessed {
                    name: t.name.clone(),
                    run: String::new(),
                    arn: String::new(),
                    status: "none".into(),
                    message: Some(
                        "no premigration assessment yet (`dmsctl start --assess` runs one)".into(),
                    ),
                    assessments: Vec::new(),
                    results: None,
                },
            },
        )
        .collect())
}

/// `StartReplication`'s `PremigrationAssessmentSettings`: the results folder, the individual
/// assessments to include or exclude (lists, as `StartReplicationTaskAssessmentRun` takes
/// them), and `FailOnAssessmentFailure` so that DMS does not start a replication whose
/// assessment failed (<https://docs.aws.amazon.com/dms/latest/APIReference/API_StartReplication.html>).
pub fn serverless_settings(folder: Option<&str>, include: &[String], exclude: &[String]) -> String {
    let mut m = serde_json::Map::new();
    if let Some(f) = folder {
        m.insert("ResultLocationFolder".into(), f.into());
    }
    if !include.is_empty() {
        m.insert("IncludeOnly".into(), include.into());
    }
    if !exclude.is_empty() {
        m.insert("Exclude".into(), exclude.into());
    }
    m.insert("FailOnAssessmentFailure".into(), true.into());
    serde_json::Value::Object(m).to_string()
}

fn update(out: &mut [Assessed], runs: &[AssessmentRun]) {
    let by_arn: BTreeMap<&str, &AssessmentRun> = runs.iter().map(|r| (r.arn.as_str(), r)).collect();
    for a in out.iter_mut() {
        if let Some(r) = by_arn.get(a.arn.as_str()) {
            a.status = r.status.clone();
            a.message = r.message.clone();
        }
    }
}

/// The individual assessments of the runs that exist, in one read.
async fn results<C: Operations>(cloud: &C, out: &mut [Assessed]) -> Result<(), CloudError> {
    let arns: Vec<String> = out
        .iter()
        .filter(|a| !a.arn.is_empty())
        .map(|a| a.arn.clone())
        .collect();
    let found = cloud.individual_assessments(&arns).await?;
    for a in out.iter_mut() {
        a.assessments = found
            .iter()
            .filter(|i| i.run_arn == a.arn)
            .cloned()
            .collect();
        a.assessments.sort_by(|x, y| x.name.cmp(&y.name));
    }
    Ok(())
}
