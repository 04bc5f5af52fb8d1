//! `dmsctl start` and `dmsctl stop`: run or halt the stack's replications, optionally waiting
//! ([`crate::operate`] does both).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;

use super::common::exit_code;
use crate::cli::{Global, Output, StartArgs, StopArgs};
use crate::cloud::{CdcStart, ReplicationKind};
use crate::dms::moves_data;
use crate::model::Desired;
use crate::operate::{self, assess, select, Outcome, StartOptions};
use crate::output;
use crate::spec::checks::is_rfc3339;

/// First interval between status polls of `--wait`.
const POLL: Duration = Duration::from_secs(1);

pub fn run_start(global: &Global, args: &StartArgs) -> anyhow::Result<ExitCode> {
    if let Some(t) = &args.cdc_start_time {
        if !is_rfc3339(t) {
            bail!("--cdc-start-time: `{t}` is not an RFC 3339 time (e.g. 2026-11-01T00:00:00Z)");
        }
    }
    if let Some(c) = &args.from_checkpoint {
        if c.trim().is_empty() || c.chars().any(char::is_whitespace) {
            bail!("--from-checkpoint: `{c}` is not a checkpoint (one word, as `dmsctl stop` prints it)");
        }
    }
    let cdc_start = match (&args.cdc_start_time, &args.from_checkpoint) {
        (Some(t), _) => Some(CdcStart::Time(t.clone())),
        (None, Some(c)) => Some(CdcStart::Position(c.clone())),
        (None, None) => None,
    };
    let (spec, _) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let rt = super::runtime()?;
    let outcomes = rt.block_on(async {
        let cloud = Arc::new(super::connect(global, &spec).await?);
        let live = super::read_live(cloud.as_ref()).await?;
        let targets = select(&desired, &live, &args.names)?;
        if cdc_start.is_some() {
            let serverless: Vec<&str> = targets
                .iter()
                .filter(|t| t.kind == ReplicationKind::Serverless)
                .map(|t| t.name.as_str())
                .collect();
            if !serverless.is_empty() {
                bail!(
                    "{} start CDC at a given point only for tasks: DMS Serverless does not support \
                     custom CDC start points ({}), and {} serverless \
                     (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Serverless.Limitations.html)",
                    if args.from_checkpoint.is_some() { "--from-checkpoint" } else { "--cdc-start-time" },
                    serverless.join(", "),
                    if serverless.len() == 1 { "it is" } else { "they are" }
                );
            }
        }
        // --assess: a premigration assessment of each task about to start; one that failed is
        // not started. Serverless replications are assessed by DMS as part of their start.
        let mut blocked = Vec::new();
        let has_tasks = targets.iter().any(|t| t.kind == ReplicationKind::Task);
        let targets = if args.assess && has_tasks {
            let settings = super::operations::assessment_settings(&spec)?;
            let to_assess: Vec<_> = super::operations::tasks(targets.clone())
                .into_iter()
                .filter(|t| !moves_data(&t.status) || args.reload)
                .collect();
            let assessed = assess::assess(
                cloud.as_ref(),
                &to_assess,
                &settings,
                Some((args.timeout, POLL)),
            )
            .await
            .map_err(|e| super::cloud_error(e, "running premigration assessments"))?;
            let text = super::operations::assessment_text(
                Output::Table,
                &assessed,
                &format!("s3://{}/{}", settings.bucket, settings.folder.as_deref().unwrap_or("")),
            )?;
            output::eprint(text.as_bytes())?;
            for a in assessed.iter().filter(|a| !a.passed()) {
                blocked.push(Outcome {
                    name: a.name.clone(),
                    result: format!(
                        "not started: its premigration assessment is {}{}",
                        a.status,
                        a.message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default()
                    ),
                    ok: false,
                    checkpoint: None,
                });
            }
            targets
                .into_iter()
                .filter(|t| !blocked.iter().any(|b| b.name == t.name))
                .collect()
        } else {
            targets
        };
        let opts = StartOptions {
            reload: args.reload,
            cdc_start: cdc_start.clone(),
            wait: args.wait.then_some(args.timeout),
            poll: POLL,
            assessment: args
                .assess
                .then(|| super::operations::serverless_assessment_settings(&spec)),
        };
        let mut outcomes = operate::start(&cloud, &targets, &opts).await;
        if !blocked.is_empty() {
            outcomes.extend(blocked);
            outcomes.sort_by(|a, b| a.name.cmp(&b.name));
        }
        super::report_calls(global, cloud.as_ref())?;
        Ok::<_, anyhow::Error>(outcomes)
    })?;
    finish(global, &outcomes)
}

pub fn run_stop(global: &Global, args: &StopArgs) -> anyhow::Result<ExitCode> {
    let (spec, _) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let rt = super::runtime()?;
    let outcomes = rt.block_on(async {
        let cloud = Arc::new(super::connect(global, &spec).await?);
        let live = super::read_live(cloud.as_ref()).await?;
        let targets = select(&desired, &live, &args.names)?;
        let wait = args.wait.then_some(args.timeout);
        let outcomes = operate::stop(&cloud, &targets, wait, POLL).await;
        super::report_calls(global, cloud.as_ref())?;
        Ok::<_, anyhow::Error>(outcomes)
    })?;
    finish(global, &outcomes)
}

/// One line per replication (or the JSON list); exit code 1 when any did not get there.
fn finish(global: &Global, outcomes: &[Outcome]) -> anyhow::Result<ExitCode> {
    let text = match global.output {
        Output::Json => format!("{}\n", serde_json::to_string_pretty(outcomes)?),
        _ => outcomes
            .iter()
            .map(|o| match &o.checkpoint {
                Some(c) => format!(
                    "{}: {}\n  recovery checkpoint: {c}\n  (resume from it: dmsctl start {} --from-checkpoint '{c}')\n",
                    o.name, o.result, o.name
                ),
                None => format!("{}: {}\n", o.name, o.result),
            })
            .collect(),
    };
    output::print(text.as_bytes())?;
    Ok(exit_code(outcomes.iter().all(|o| o.ok)))
}
