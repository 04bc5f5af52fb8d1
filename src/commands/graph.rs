//! `dmsctl graph`: the spec's resources and what each uses, without touching AWS.

use std::process::ExitCode;

use crate::cli::{Global, Output};
use crate::graph::{self, Graph};
use crate::model::Desired;
use crate::output;

pub fn run(global: &Global) -> anyhow::Result<ExitCode> {
    let (spec, _) = super::load_spec(global)?;
    let g = Graph::of_spec(&Desired::from_spec(&spec));
    let text = match global.output {
        Output::Json => graph::json(&g),
        Output::Mermaid => graph::mermaid(&g),
        Output::Dot => graph::dot(&g),
        // The other formats are refused before any work (`commands::prints`).
        _ => graph::table(&g),
    };
    output::print(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
