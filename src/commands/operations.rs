//! `dmsctl reload` and `dmsctl test-connection`: DMS's operations on what runs.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use serde::Serialize;

use super::common::exit_code;
use crate::cli::{AssessArgs, Global, Output, ReloadArgs, TestConnectionArgs};
use crate::cloud::{AssessmentSettings, Operations, ReplicationKind, TableName};
use crate::dms::ComputeMode;
use crate::model::Desired;
use crate::operate::{assess as assessment, connections, select, Running};
use crate::output;
use crate::spec::types::Spec;

/// First interval between `DescribeConnections` rounds.
const POLL: Duration = Duration::from_secs(2);

/// `SCHEMA.TABLE` → its parts (at the first dot: schema names rarely hold one).
fn table_name(text: &str) -> anyhow::Result<TableName> {
    match text.split_once('.') {
        Some((schema, table)) if !schema.is_empty() && !table.is_empty() => Ok(TableName {
            schema: schema.to_string(),
            table: table.to_string(),
        }),
        _ => bail!("--table `{text}`: write the table as SCHEMA.TABLE (e.g. sci_backend.invoices)"),
    }
}

#[derive(Debug, Serialize)]
struct Reloaded<'a> {
    name: &'a str,
    option: &'static str,
    tables: &'a [TableName],
}

pub fn reload(global: &Global, args: &ReloadArgs) -> anyhow::Result<ExitCode> {
    let mut tables = args
        .tables
        .iter()
        .map(|t| table_name(t))
        .collect::<anyhow::Result<Vec<_>>>()?;
    tables.sort();
    tables.dedup();
    let (spec, _) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let rt = super::runtime()?;
    let target = rt.block_on(async {
        let cloud = super::connect(global, &spec).await?;
        let live = super::read_live(&cloud).await?;
        let target = select(&desired, &live, std::slice::from_ref(&args.name))?
            .pop()
            .ok_or_else(|| anyhow::anyhow!("no replication `{}`", args.name))?;
        // DMS reloads tables only of a running replication (ReloadTables in the API reference).
        if target.status != "running" {
            bail!(
                "`{}` is {}, not running: DMS reloads tables only of a running replication \
                 (`dmsctl start {}` first, or `dmsctl start {} --reload` for the whole target)",
                target.name,
                target.status,
                target.name,
                target.name
            );
        }
        cloud
            .reload_tables(target.kind, &target.arn, &tables, args.validate_only)
            .await
            .map_err(|e| {
                super::cloud_error(e, &format!("reloading tables of `{}`", target.name))
            })?;
        super::report_calls(global, &cloud)?;
        anyhow::Ok(target)
    })?;
    let option = if args.validate_only {
        "validate-only"
    } else {
        "data-reload"
    };
    let text = match global.output {
        Output::Json => {
            serde_json::to_string_pretty(&Reloaded {
                name: &target.name,
                option,
                tables: &tables,
            })? + "\n"
        }
        _ => {
            let list: Vec<String> = tables
                .iter()
                .map(|t| format!("{}.{}", t.schema, t.table))
                .collect();
            format!(
                "{}: {} {} table{} ({}); `dmsctl status {} --tables` shows their progress\n",
                target.name,
                if args.validate_only {
                    "validating"
                } else {
                    "reloading"
                },
                tables.len(),
                if tables.len() == 1 { "" } else { "s" },
                list.join(", "),
                target.name
            )
        }
    };
    output::print(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

pub fn test_connection(global: &Global, args: &TestConnectionArgs) -> anyhow::Result<ExitCode> {
    let (spec, _) = super::load_spec(global)?;
    if spec.compute.mode == ComputeMode::Serverless {
        bail!(
            "test-connection tests an endpoint from a replication instance, and a serverless stack \
             has none: DMS Serverless tests the source and target connections itself when a \
             replication starts (its `testing_connection` state), so `dmsctl start NAME --wait` \
             reports a failed test with DMS's message; `dmsctl check` tests the databases from \
             this machine"
        );
    }
    let desired = Desired::from_spec(&spec);
    let rt = super::runtime()?;
    let (plan, tested) = rt.block_on(async {
        let cloud = super::connect(global, &spec).await?;
        let live = super::read_live(&cloud).await?;
        let plan = connections::plan(&desired, &live, &args.names).map_err(anyhow::Error::msg)?;
        let tested = connections::test(&cloud, &plan.pairs, args.timeout, POLL)
            .await
            .map_err(|e| super::cloud_error(e, "reading the connection tests"))?;
        super::report_calls(global, &cloud)?;
        anyhow::Ok((plan, tested))
    })?;
    let ok = !tested.is_empty() && tested.iter().all(connections::Tested::ok);
    let text = match global.output {
        Output::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                tested: &'a [connections::Tested],
                skipped: Vec<Skipped<'a>>,
            }
            #[derive(Serialize)]
            struct Skipped<'a> {
                endpoint: &'a str,
                reason: &'a str,
            }
            serde_json::to_string_pretty(&Doc {
                tested: &tested,
                skipped: plan
                    .skipped
                    .iter()
                    .map(|(e, r)| Skipped {
                        endpoint: e,
                        reason: r,
                    })
                    .collect(),
            })? + "\n"
        }
        Output::Markdown => {
            let mut o = String::from(
                "| Endpoint | Instance | Result | DMS's message |\n|---|---|---|---|\n",
            );
            for t in &tested {
                o.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    t.endpoint,
                    t.instance,
                    t.status,
                    t.message
                        .as_deref()
                        .unwrap_or("")
                        .replace('|', "\\|")
                        .replace('\n', " ")
                ));
            }
            for (e, r) in &plan.skipped {
                o.push_str(&format!("| {e} | - | not tested | {r} |\n"));
            }
            o
        }
        _ => {
            let mut o = String::new();
            for t in &tested {
                o.push_str(&format!("{} from {}: {}", t.endpoint, t.instance, t.status));
                if let Some(m) = &t.message {
                    o.push_str(&format!("\n  {m}"));
                }
                o.push('\n');
            }
            for (e, r) in &plan.skipped {
                o.push_str(&format!("{e}: not tested: {r}\n"));
            }
            o
        }
    };
    output::print(text.as_bytes())?;
    Ok(exit_code(ok))
}

/// The spec's `assessments` for tasks, or an error saying what to add.
pub(super) fn assessment_settings(spec: &Spec) -> anyhow::Result<AssessmentSettings> {
    let Some(a) = &spec.assessments else {
        bail!(
            "the spec has no `assessments` section: add one with the S3 `bucket` for the results \
             and the `role_arn` DMS writes them with (see specs/README.md)"
        );
    };
    let (Some(bucket), Some(role_arn)) = (a.bucket.clone(), a.role_arn.clone()) else {
        bail!(
            "premigration assessments of tasks need the S3 `bucket` for the results and the \
             `role_arn` DMS writes them with in `assessments` (see specs/README.md)"
        );
    };
    Ok(AssessmentSettings {
        bucket,
        folder: a.folder.clone(),
        role_arn,
        include: a.include.clone(),
        exclude: a.exclude.clone(),
    })
}

/// `StartReplication`'s `PremigrationAssessmentSettings` from the spec's `assessments` (all
/// defaults without one): serverless replications.
pub(super) fn serverless_assessment_settings(spec: &Spec) -> String {
    let a = spec.assessments.as_ref();
    assessment::serverless_settings(
        a.and_then(|a| a.folder.as_deref()),
        a.map_or(&[][..], |a| &a.include),
        a.map_or(&[][..], |a| &a.exclude),
    )
}

/// The tasks among `targets`.
pub(super) fn tasks(targets: Vec<Running>) -> Vec<Running> {
    targets
        .into_iter()
        .filter(|t| t.kind == ReplicationKind::Task)
        .collect()
}

pub fn assess(global: &Global, args: &AssessArgs) -> anyhow::Result<ExitCode> {
    let (spec, _) = super::load_spec(global)?;
    if spec.compute.mode == ComputeMode::Serverless {
        return assess_serverless(global, args, &spec);
    }
    let settings = assessment_settings(&spec)?;
    let desired = Desired::from_spec(&spec);
    let rt = super::runtime()?;
    let assessed = rt.block_on(async {
        let cloud = super::connect(global, &spec).await?;
        let live = super::read_live(&cloud).await?;
        let targets = tasks(select(&desired, &live, &args.names)?);
        let out = if args.last {
            assessment::last(&cloud, &targets).await
        } else {
            let wait = args.wait.then_some((args.timeout, POLL));
            assessment::assess(&cloud, &targets, &settings, wait).await
        }
        .map_err(|e| super::cloud_error(e, "running premigration assessments"))?;
        super::report_calls(global, &cloud)?;
        anyhow::Ok(out)
    })?;
    let ok = if args.wait || args.last {
        assessed.iter().all(assessment::Assessed::passed)
    } else {
        assessed.iter().all(|a| !a.arn.is_empty())
    };
    let place = format!(
        "s3://{}/{}",
        settings.bucket,
        settings.folder.as_deref().unwrap_or("")
    );
    output::print(assessment_text(global.output, &assessed, &place)?.as_bytes())?;
    Ok(exit_code(ok))
}

/// `assess --last` of serverless replications: the latest premigration assessment DMS ran when
/// each was started with one, from one `DescribeReplications`. DMS Serverless runs them only
/// as part of a start, so there is nothing to start here.
fn assess_serverless(global: &Global, args: &AssessArgs, spec: &Spec) -> anyhow::Result<ExitCode> {
    if !args.last {
        bail!(
            "DMS Serverless runs a premigration assessment as part of starting a replication \
             (StartReplication's PremigrationAssessmentSettings) and starts it once the assessment \
             passes: run `dmsctl start --assess --wait`, and `dmsctl assess --last` to see the \
             latest results"
        );
    }
    let desired = Desired::from_spec(spec);
    let rt = super::runtime()?;
    let assessed = rt.block_on(async {
        let cloud = super::connect(global, spec).await?;
        let live = super::read_live(&cloud).await?;
        let targets = select(&desired, &live, &args.names)?;
        let out = assessment::last_serverless(&cloud, &targets)
            .await
            .map_err(|e| super::cloud_error(e, "reading premigration assessments"))?;
        super::report_calls(global, &cloud)?;
        anyhow::Ok(out)
    })?;
    let ok = assessed.iter().all(assessment::Assessed::passed);
    let place = assessed
        .iter()
        .find_map(|a| a.results.clone())
        .unwrap_or_else(|| "the S3 bucket DMS Serverless created".to_string());
    output::print(assessment_text(global.output, &assessed, &place)?.as_bytes())?;
    Ok(exit_code(ok))
}

/// Assessments as the table, JSON or Markdown of `assess` (and of `start --assess`).
pub(super) fn assessment_text(
    format: Output,
    assessed: &[assessment::Assessed],
    place: &str,
) -> anyhow::Result<String> {
    Ok(match format {
        Output::Json => serde_json::to_string_pretty(assessed)? + "\n",
        Output::Markdown => {
            let mut o = String::from("| Replication | Assessment | Result |\n|---|---|---|\n");
            for a in assessed {
                o.push_str(&format!(
                    "| {} | (run {}) | **{}** |\n",
                    a.name, a.run, a.status
                ));
                for i in &a.assessments {
                    o.push_str(&format!("| {} | {} | {} |\n", a.name, i.name, i.status));
                }
            }
            o.push_str(&format!("\nFull results: `{place}`\n"));
            o
        }
        _ => {
            let mut o = String::new();
            for a in assessed {
                o.push_str(&format!("{}: {} ({})\n", a.name, a.status, a.run));
                if let Some(m) = &a.message {
                    o.push_str(&format!("  {m}\n"));
                }
                for i in &a.assessments {
                    o.push_str(&format!("  {:<9} {}\n", i.status, i.name));
                }
            }
            if assessed.iter().any(|a| !a.arn.is_empty()) {
                o.push_str(&format!("Full results: {place}\n"));
            }
            o
        }
    })
}
