//! `dmsctl generate --stack NAME [--mode serverless|instances]`: print a spec that describes the
//! account's DMS resources, for a setup clicked together in the console to be reviewed, then
//! taken into the stack with `dmsctl adopt`. The spec is checked like any other before it is
//! printed: one that does not validate is a bug here, reported instead of printed.

use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::aws::{AwsCloud, SetupError};
use crate::cli::{GenerateArgs, Global};
use crate::generate::generate;
use crate::model::stack_name;
use crate::output;
use crate::spec::{self, Severity};

pub fn run(global: &Global, args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    if let Err(why) = stack_name(&args.stack) {
        bail!(
            "`{}` is not a stack name: {why} (lowercase letters, digits and single hyphens, \
             starting with a letter, at most 40 characters)",
            args.stack
        );
    }
    let rt = super::runtime()?;
    rt.block_on(async {
        let settings =
            async { crate::aws::sdk_config(&super::aws_settings(global, None).await?).await };
        let config = settings.await.map_err(|e| match e {
            SetupError::NoRegion => {
                anyhow::anyhow!("no region: `generate` needs --region or AWS_REGION")
            }
            other => other.into(),
        })?;
        let region = config.region().map(|r| r.to_string());
        let cloud = AwsCloud::new(&config);
        let live = super::read_live(&cloud).await?;
        let generated = generate(&live, &args.stack, region.as_deref(), args.mode)
            .map_err(|e| anyhow::anyhow!(e))?;

        let checked = spec::check_text("generated spec", &generated.text, &|_| true);
        let errors = checked.count(Severity::Error);
        if errors > 0 || checked.spec.as_ref() != Some(&generated.spec) {
            output::eprint(&spec::render_human(
                &checked,
                output::stderr_color(global.no_color),
            ))?;
            bail!(
                "the generated spec does not {} ({errors} error{}); this is a bug in dmsctl, \
                 please report it with the diagnostics above",
                if errors > 0 {
                    "validate"
                } else {
                    "read back as written"
                },
                if errors == 1 { "" } else { "s" }
            );
        }
        let mut note = String::new();
        if generated.other_stacks > 0 {
            note.push_str(&format!(
                "Skipped {} resource{} of other stacks (their dmsctl:stack tag names another).\n",
                generated.other_stacks,
                if generated.other_stacks == 1 { "" } else { "s" }
            ));
        }
        for n in &generated.notes {
            note.push_str(&format!("note: {n}\n"));
        }
        if !note.is_empty() {
            output::eprint(note.as_bytes())?;
        }
        output::print(generated.text.as_bytes()).context("writing the spec")?;
        super::report_calls(global, &cloud)?;
        Ok(ExitCode::SUCCESS)
    })
}
