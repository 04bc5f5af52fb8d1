//! `dmsctl cost`: the monthly cost of a spec, serverless against instances with `--compare`, or
//! the change from a baseline spec with `--baseline`.
//!
//! Never touches AWS: prices come from the built-in catalog or `--prices FILE`.

use std::process::ExitCode;

use crate::cli::{CostArgs, Global, Output};
use crate::cost::{self, diff, html, render, Catalog, CostReport, Options};
use crate::output;
use crate::spec::types::Spec;

pub fn run(global: &Global, args: &CostArgs) -> anyhow::Result<ExitCode> {
    let (spec, source) = super::load_spec(global)?;
    let catalog = match &args.prices {
        Some(path) => Catalog::from_file(path)?,
        None => Catalog::builtin()?,
    };
    let report = price(global, args, &catalog, &spec, &source.name)?;
    let text = match &args.baseline {
        Some(path) => {
            let (base, base_source) = super::load_spec_file(global, path, "the --baseline spec")?;
            let before = price(global, args, &catalog, &base, &base_source.name)?;
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

fn price(
    global: &Global,
    args: &CostArgs,
    catalog: &Catalog,
    spec: &Spec,
    name: &str,
) -> anyhow::Result<CostReport> {
    let (region, region_from) = cost::resolve_region(global.region.as_deref(), spec, name)?;
    let opts = Options {
        region,
        region_from,
        hours: args.hours,
        dcu: args.dcu,
        instance_class: args.instance_class.clone(),
        compare: args.compare,
    };
    Ok(cost::estimate(spec, catalog, &opts)?)
}
