//! `dmsctl plan`: read live state and show what apply would do.

use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cli::{Global, Output, PlanArgs};
use crate::graph::Graph;
use crate::model::Desired;
use crate::output;
use crate::plan::{self, render, SavedPlan};

/// The most resources a comment's graph draws; a larger plan's shows only what changes and its
/// neighbours (Mermaid in GitHub and GitLab stops drawing large graphs, and so do reviewers).
const GRAPH_NODES: usize = 60;

pub fn run(global: &Global, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let (spec, source) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let rt = super::runtime()?;
    let live = rt.block_on(async {
        let cloud = super::connect(global, &spec).await?;
        let live = super::read_live(&cloud).await;
        super::report_calls(global, &cloud)?;
        live
    })?;
    let plan = plan::plan(&desired, &live);
    let text = match global.output {
        Output::Json => render::json(&plan),
        Output::Markdown => {
            let g = Graph::of_plan(&plan, &desired, &live).around_changes(GRAPH_NODES);
            render::markdown(&plan, Some(&g))
        }
        _ => render::table(&plan, output::stdout_color(global.no_color)),
    };
    output::print(text.as_bytes())?;
    if let Some(path) = &args.out {
        let saved = SavedPlan::new(plan.clone(), &live, &source.text);
        std::fs::write(path, saved.to_json())
            .with_context(|| format!("cannot write the plan to {}", path.display()))?;
        output::eprint(
            format!(
                "Saved the plan to {}; `dmsctl apply {}` carries it out.\n",
                path.display(),
                path.display()
            )
            .as_bytes(),
        )?;
    }
    if !plan.conflicts.is_empty() {
        bail!(
            "{} resource{} with an identifier this stack wants exist{} but {} not owned by stack `{}`; \
             apply will not touch {} (see the conflicts above for how to adopt or avoid {})",
            plan.conflicts.len(),
            if plan.conflicts.len() == 1 { "" } else { "s" },
            if plan.conflicts.len() == 1 { "s" } else { "" },
            if plan.conflicts.len() == 1 { "is" } else { "are" },
            plan.stack,
            if plan.conflicts.len() == 1 { "it" } else { "them" },
            if plan.conflicts.len() == 1 { "it" } else { "them" },
        );
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
