//! `dmsctl cost`: the monthly cost of a spec, or serverless against instances with `--compare`.
//!
//! Never touches AWS: prices come from the built-in catalog or `--prices FILE`.

use std::process::ExitCode;

use crate::cli::{CostArgs, Global, Output};
use crate::cost::{self, html, render, Catalog, Options};
use crate::output;

pub fn run(global: &Global, args: &CostArgs) -> anyhow::Result<ExitCode> {
    let (spec, source) = super::load_spec(global)?;
    let catalog = match &args.prices {
        Some(path) => Catalog::from_file(path)?,
        None => Catalog::builtin()?,
    };
    let (region, region_from) =
        cost::resolve_region(global.region.as_deref(), &spec, &source.name)?;
    let opts = Options {
        region,
        region_from,
        hours: args.hours,
        dcu: args.dcu,
        instance_class: args.instance_class.clone(),
        compare: args.compare,
    };
    let report = cost::estimate(&spec, &catalog, &opts)?;
    let text = match global.output {
        Output::Table => render::table(&report, output::stdout_color(global.no_color)),
        Output::Json => render::json(&report)?,
        Output::Markdown => render::markdown(&report),
        Output::Html => html::html(&report),
    };
    output::print(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
