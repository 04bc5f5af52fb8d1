//! `dmsctl adopt [NAME...]`: take resources made by hand into the stack. They are found the way
//! `plan` finds conflicts — a live resource with an identifier the spec wants but without
//! dmsctl's tags — and given the stack's ownership tags, nothing else. What `terraform import`
//! does, without a state file: afterwards `plan` compares them with the spec, and `apply`
//! changes what differs.

use std::process::ExitCode;

use anyhow::bail;
use comfy_table::{presets::UTF8_FULL, ContentArrangement, Table};
use serde_json::json;

use super::common::{ask_yes, exit_code, human};
use crate::apply::adopt::Adopted;
use crate::cli::{AdoptArgs, Global, Output};
use crate::model::Desired;
use crate::output;
use crate::plan::adopt::{adoptions, Adoption};
use crate::plan::{self, Conflict};

pub fn run(global: &Global, args: &AdoptArgs) -> anyhow::Result<ExitCode> {
    let (spec, _) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let known: Vec<&String> = desired.logical_names().collect();
    for n in &args.names {
        if !known.contains(&n) {
            let hint = crate::spec::diagnostic::did_you_mean(n, known.iter().map(|k| k.as_str()))
                .map(|m| format!("; did you mean `{m}`?"))
                .unwrap_or_default();
            bail!("the spec has no resource `{n}`{hint}");
        }
    }
    let rt = super::runtime()?;
    rt.block_on(async {
        let cloud = super::connect(global, &spec).await?;
        let live = super::read_live(&cloud).await?;
        let plan = plan::plan(&desired, &live);
        let found = adoptions(&plan, &live, &args.names);
        if !found.not_adoptable.is_empty() {
            output::eprint(not_adoptable(&found.not_adoptable).as_bytes())?;
        }
        if found.adoptable.is_empty() {
            human(
                global,
                "Nothing to adopt: no resource the spec names exists without dmsctl's tags.\n",
            )?;
            if global.output == Output::Json {
                output::print(b"{\"adopted\": [], \"failed\": []}\n")?;
            }
            super::report_calls(global, &cloud)?;
            return Ok(exit_code(found.not_adoptable.is_empty()));
        }
        human(global, &listing(&found.adoptable, &plan.stack))?;
        if !args.auto_approve {
            ask_yes(
                global,
                "adopt",
                "\nTag these resources as the stack's? Only 'yes' is accepted: ",
                "Adopt",
            )?;
        }
        let done = crate::apply::adopt::adopt(&cloud, &found.adoptable).await;
        print_adopted(global, &done)?;
        super::report_calls(global, &cloud)?;
        Ok(exit_code(done.failed.is_empty()))
    })
}

/// What was adopted and what failed, as JSON or lines with what to do next.
fn print_adopted(global: &Global, done: &Adopted) -> anyhow::Result<()> {
    let Adopted { adopted, failed } = done;
    let text = match global.output {
        Output::Json => {
            let doc = json!({
                "adopted": adopted,
                "failed": failed
                    .iter()
                    .map(|(a, e)| json!({"adoption": a, "error": e}))
                    .collect::<Vec<_>>(),
            });
            format!("{}\n", serde_json::to_string_pretty(&doc)?)
        }
        _ => {
            let mut text = String::new();
            for a in adopted {
                text.push_str(&format!("adopted {} {} ({})\n", a.kind, a.name, a.id));
            }
            for (a, e) in failed {
                text.push_str(&format!("failed {} {} ({}): {e}\n", a.kind, a.name, a.id));
            }
            text.push_str("Run `dmsctl plan` to see what apply would change to match the spec.\n");
            if adopted
                .iter()
                .any(|a| a.kind == crate::plan::Kind::Endpoint)
            {
                text.push_str(
                    "Passwords are write-only and never compared: to send the spec's to an \
                     adopted endpoint, run `dmsctl apply --update-secrets` once.\n",
                );
            }
            text
        }
    };
    output::print(text.as_bytes())?;
    Ok(())
}

fn listing(adoptable: &[Adoption], stack: &str) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["Kind", "Name", "Live id", "ARN", "Gets the tags"]);
    for a in adoptable {
        t.add_row([
            a.kind.to_string(),
            a.name.clone(),
            a.id.clone(),
            a.arn.clone(),
            format!("dmsctl:stack={stack}, dmsctl:name={}", a.name),
        ]);
    }
    format!(
        "{t}\n{} resource{} to adopt into stack `{stack}`; nothing else about {} changes now.\n",
        adoptable.len(),
        if adoptable.len() == 1 { "" } else { "s" },
        if adoptable.len() == 1 { "it" } else { "them" },
    )
}

fn not_adoptable(conflicts: &[Conflict]) -> String {
    let mut text = String::from("Not adoptable (dmsctl tags say they belong elsewhere):\n");
    for c in conflicts {
        text.push_str(&format!(
            "  {} {} (`{}`): {}\n",
            c.kind, c.name, c.id, c.reason
        ));
    }
    text
}
