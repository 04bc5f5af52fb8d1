//! `dmsctl diff`: attribute-level drift between the spec and live state.
//!
//! Exit 0 without drift, 2 with drift, 1 on error (always, like `plan --detailed-exitcode`).

use std::process::ExitCode;

use anyhow::bail;

use crate::cli::{DiffArgs, Global, Output};
use crate::model::Desired;
use crate::output;
use crate::plan::{self, render};

pub fn run(global: &Global, args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let (spec, _) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let rt = super::runtime()?;
    let live = rt.block_on(async {
        let cloud = super::connect(global, &spec).await?;
        let live = super::read_live(&cloud).await;
        super::report_calls(global, &cloud)?;
        live
    })?;
    let full = plan::plan(&desired, &live);
    let plan = match &args.name {
        None => full,
        Some(name) => match full.only(name) {
            Some(p) => p,
            None => bail!("no resource named `{name}` in {}", global.file.display()),
        },
    };
    let text = match global.output {
        Output::Json => render::diff_json(&plan),
        Output::Markdown => render::diff_markdown(&plan),
        _ => render::diff_table(&plan, output::stdout_color(global.no_color)),
    };
    output::print(text.as_bytes())?;
    Ok(if plan.has_changes() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
