//! `dmsctl cost`: the monthly cost of a spec, serverless against instances with `--compare`,
//! the change from a baseline spec with `--baseline`, or what the stack did cost with
//! `--actual`.
//!
//! Prices come from the built-in catalog, `--prices FILE`, or `--prices aws` (the Price List
//! API, cached). Only `--actual` and `--prices aws` touch AWS.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use crate::aws::AwsBilling;
use crate::cli::{CostArgs, Global, Output};
use crate::cloud::{Billing, Cloud};
use crate::cost::{
    self, actual, diff, html, observed, pricelist, render, Catalog, CostReport, Options,
};
use crate::dms::ComputeMode;
use crate::model::Desired;
use crate::output;
use crate::spec::types::Spec;

pub fn run(global: &Global, args: &CostArgs) -> anyhow::Result<ExitCode> {
    let (spec, source) = super::load_spec(global)?;
    let baseline = match &args.baseline {
        Some(path) => Some(super::load_spec_file(global, path, "the --baseline spec")?),
        None => None,
    };
    let mut regions = BTreeSet::new();
    regions.insert(cost::resolve_region(global.region(), &spec, &source.name)?.0);
    if let Some((base, base_source)) = &baseline {
        regions.insert(cost::resolve_region(global.region(), base, &base_source.name)?.0);
    }
    if !(args.actual || args.observed) && (args.days.is_some() || args.since.is_some()) {
        anyhow::bail!("--days and --since go with --actual or --compare --observed");
    }
    let catalog = catalog(global, args, &spec, &regions)?;
    if args.actual {
        return actual(global, args, &catalog, &spec, &source.name);
    }
    if args.observed {
        return observed(global, args, &catalog, &spec, &source.name);
    }
    let report = price(global, args, &catalog, &spec, &source.name, args.hours)?;
    let text = match &baseline {
        Some((base, base_source)) => {
            let before = price(global, args, &catalog, base, &base_source.name, args.hours)?;
            let d = diff::diff(&before, &report);
            match global.output {
                Output::Json => diff::json(&d)?,
                Output::Markdown => diff::markdown(&d),
                _ => diff::table(&d),
            }
        }
        None => match global.output {
            Output::Json => render::json(&report)?,
            Output::Markdown => render::markdown(&report),
            Output::Html => html::html(&report),
            // The other formats are refused before any work (`commands::prints`).
            _ => render::table(&report, output::stdout_color(global.no_color)),
        },
    };
    output::print(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The prices to use: `--prices FILE`, `--prices aws` for `regions`, or the built-in catalog.
fn catalog(
    global: &Global,
    args: &CostArgs,
    spec: &Spec,
    regions: &BTreeSet<String>,
) -> anyhow::Result<Catalog> {
    match &args.prices {
        Some(p) if p == Path::new("aws") => aws_catalog(global, spec, regions, args.refresh),
        Some(path) => Ok(Catalog::from_file(path)?),
        None => Ok(Catalog::builtin()?),
    }
}

/// The Price List API's prices of `regions`, from the cache when it has them (younger than
/// 30 days) unless `refresh`.
fn aws_catalog(
    global: &Global,
    spec: &Spec,
    regions: &BTreeSet<String>,
    refresh: bool,
) -> anyhow::Result<Catalog> {
    let today = chrono::Utc::now().date_naive();
    let dir = pricelist::cache_dir();
    let mut found = Vec::new();
    let mut wanted = Vec::new();
    for region in regions {
        match dir.as_deref().filter(|_| !refresh) {
            Some(d) => match pricelist::cached(d, region, today) {
                Some(c) => found.push(c),
                None => wanted.push(region.clone()),
            },
            None => wanted.push(region.clone()),
        }
    }
    if !wanted.is_empty() {
        let rt = super::runtime()?;
        let fetched = rt.block_on(async {
            let billing = billing(global, spec).await?;
            let out = fetch(&billing, &wanted, &today.format("%Y-%m-%d").to_string()).await;
            super::report_call_counts(global, billing.calls())?;
            out
        })?;
        for c in fetched {
            let region = c.regions.keys().next().cloned().unwrap_or_default();
            if let Some(d) = &dir {
                if let Err(e) = pricelist::store(d, &region, &c) {
                    tracing::warn!(
                        "cannot cache the prices of {region} in {}: {e}",
                        d.display()
                    );
                }
            }
            found.push(c);
        }
    }
    Ok(merge(found))
}

/// The billing clients, for the spec's region and the global options.
async fn billing(global: &Global, spec: &Spec) -> anyhow::Result<AwsBilling> {
    let settings = super::aws_settings(global, spec.region.as_deref()).await?;
    Ok(AwsBilling::new(&crate::aws::sdk_config(&settings).await?))
}

/// One catalog per region read from the Price List API on `date`.
pub(super) async fn fetch(
    billing: &impl Billing,
    regions: &[String],
    date: &str,
) -> anyhow::Result<Vec<Catalog>> {
    let mut out = Vec::with_capacity(regions.len());
    for region in regions {
        let docs = billing
            .dms_products(region)
            .await
            .map_err(|e| super::cloud_error(e, "reading the AWS Price List API"))?;
        let prices = pricelist::region_prices(&docs, region)?;
        if prices.instances.is_empty()
            && prices.serverless_dcu_hour.is_none()
            && prices.storage_gb_month.is_none()
        {
            anyhow::bail!(
                "the AWS Price List API lists no DMS prices for region `{region}` ({} products \
                 read): check the region's name, or price with --prices FILE",
                docs.len()
            );
        }
        let mut regions = std::collections::BTreeMap::new();
        regions.insert(region.clone(), prices);
        out.push(pricelist::catalog(regions, date));
    }
    Ok(out)
}

/// Several one-region catalogs as one (the first one's date and source; the regions keep
/// their own dates in their `source`).
fn merge(mut catalogs: Vec<Catalog>) -> Catalog {
    let mut first = catalogs.remove(0);
    if !catalogs.is_empty() {
        for (region, prices) in first.regions.iter_mut() {
            prices
                .source
                .get_or_insert_with(|| format!("{} ({region})", first.source));
        }
    }
    for c in catalogs {
        for (region, mut prices) in c.regions {
            prices.source.get_or_insert_with(|| c.source.clone());
            first.regions.insert(region, prices);
        }
    }
    first
}

fn price(
    global: &Global,
    args: &CostArgs,
    catalog: &Catalog,
    spec: &Spec,
    name: &str,
    hours: f64,
) -> anyhow::Result<CostReport> {
    let (region, region_from) = cost::resolve_region(global.region(), spec, name)?;
    let opts = Options {
        region,
        region_from,
        hours,
        dcu: args.dcu,
        instance_class: args.instance_class.clone(),
        compare: args.compare,
    };
    Ok(cost::estimate(spec, catalog, &opts)?)
}

/// The days `--days` / `--since` name, up to today (UTC).
fn period(args: &CostArgs) -> anyhow::Result<actual::Period> {
    let today = chrono::Utc::now().date_naive();
    actual::Period::new(today, args.days, args.since.as_deref()).map_err(anyhow::Error::msg)
}

/// `--actual`: Cost Explorer's figures beside the estimate for the same days.
fn actual(
    global: &Global,
    args: &CostArgs,
    catalog: &Catalog,
    spec: &Spec,
    name: &str,
) -> anyhow::Result<ExitCode> {
    let period = period(args)?;
    let estimate = price(
        global,
        args,
        catalog,
        spec,
        name,
        period.days() as f64 * 24.0,
    )?;
    let rt = super::runtime()?;
    let report = rt.block_on(async {
        let billing = billing(global, spec).await?;
        let result = async {
            let tags = billing
                .cost_allocation_tags()
                .await
                .map_err(|e| super::cloud_error(e, "reading the cost allocation tags"))?;
            let (query, scope) = actual::query(&period, &spec.stack, &tags);
            let answer = billing
                .dms_cost(&query)
                .await
                .map_err(|e| super::cloud_error(e, "reading Cost Explorer"))?;
            anyhow::Ok(actual::report(
                &period,
                &spec.stack,
                scope,
                tags,
                &answer,
                &estimate,
            ))
        }
        .await;
        let calls = billing.calls();
        let requests: u64 = calls
            .iter()
            .filter(|(k, _)| k.starts_with("ce:"))
            .map(|(_, n)| n)
            .sum();
        super::report_call_counts(global, calls)?;
        if global.verbose > 0 {
            output::eprint(
                format!(
                    "Cost Explorer requests: {requests} (at most USD {:.2} at USD {:.2} each)\n",
                    requests as f64 * actual::REQUEST_PRICE_USD,
                    actual::REQUEST_PRICE_USD
                )
                .as_bytes(),
            )?;
        }
        result
    })?;
    let text = match global.output {
        Output::Json => actual::json(&report)?,
        Output::Markdown => actual::markdown(&report),
        Output::Html => actual::html(&report),
        _ => actual::table(&report),
    };
    output::print(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `--compare --observed`: the other choice priced from what the stack's resources used.
fn observed(
    global: &Global,
    args: &CostArgs,
    catalog: &Catalog,
    spec: &Spec,
    name: &str,
) -> anyhow::Result<ExitCode> {
    let period = period(args)?;
    let (region, _) = cost::resolve_region(global.region(), spec, name)?;
    let hours = period.days() as f64 * 24.0;
    let desired = Desired::from_spec(spec);
    let epoch = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp())
            .unwrap_or_default()
    };
    let rt = super::runtime()?;
    let report = rt.block_on(async {
        // One SDK configuration for the DMS read and the CloudWatch metrics.
        let settings = super::aws_settings(global, spec.region.as_deref()).await?;
        let config = crate::aws::sdk_config(&settings).await?;
        let cloud = crate::aws::AwsCloud::new(&config);
        let live = super::read_live(&cloud).await?;
        let billing = AwsBilling::new(&config);
        let mut missing = Vec::new();
        let mut serverless = Vec::new();
        let mut instances = Vec::new();
        if desired.mode == ComputeMode::Serverless {
            for (rname, want) in &desired.replication_configs {
                match live
                    .replication_configs
                    .values()
                    .find(|l| l.identifier == want.replication_config_identifier)
                {
                    Some(l) => serverless.push(observed::ServerlessSeen {
                        name: rname.clone(),
                        provisioned_dcu: l.provisioned_dcu,
                        multi_az: crate::model::capacity(spec, rname).is_some_and(|c| c.multi_az),
                    }),
                    None => missing.push(format!("replication {rname}")),
                }
            }
        } else {
            let placement = crate::model::placement(spec);
            let mut ids = Vec::new();
            for (iname, want) in &desired.instances {
                match live
                    .instances
                    .values()
                    .find(|l| l.identifier == want.replication_instance_identifier)
                {
                    Some(l) => {
                        ids.push(l.identifier.clone());
                        instances.push(observed::InstanceSeen {
                            name: iname.clone(),
                            class: l.class.clone(),
                            multi_az: l.multi_az,
                            storage_gb: l.allocated_storage,
                            tasks: placement.values().filter(|i| *i == iname).count(),
                            usage: observed::InstanceUsage::default(),
                        });
                    }
                    None => missing.push(format!("instance {iname}")),
                }
            }
            let usage = billing
                .instance_usage(&ids, epoch(period.start), epoch(period.end))
                .await
                .map_err(|e| super::cloud_error(e, "reading CloudWatch"))?;
            for (seen, id) in instances.iter_mut().zip(&ids) {
                if let Some(u) = usage.get(id) {
                    seen.usage = *u;
                }
            }
        }
        let mut calls = cloud.calls();
        for (k, n) in billing.calls() {
            *calls.entry(k).or_insert(0) += n;
        }
        super::report_call_counts(global, calls)?;
        let mut r = observed::what_if(
            &spec.stack,
            &region,
            (&period.start_text(), &period.end_text()),
            hours,
            &serverless,
            &instances,
            catalog,
        )?;
        if !missing.is_empty() {
            r.notes.insert(
                0,
                format!(
                    "Not in the account, so nothing was observed: {} (run `dmsctl apply` first).",
                    missing.join(", ")
                ),
            );
        }
        anyhow::Ok(r)
    })?;
    let text = match global.output {
        Output::Json => serde_json::to_string_pretty(&report)? + "\n",
        Output::Markdown => observed::text(&report, true),
        _ => observed::text(&report, false),
    };
    output::print(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
