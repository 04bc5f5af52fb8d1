//! `dmsctl apply`: plan afresh (or take a saved plan), show it, confirm, carry it out, report.
//!
//! `drive` is shared with `dmsctl destroy`, which is an apply towards a stack with nothing in
//! it. Output: the plan, progress lines and the report go to stdout; with `-o json` only the
//! report's JSON document does, and everything for people goes to stderr.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};

use super::common::{ask_yes, exit_code, human};
use crate::apply::{self, ApplyError, CancelToken, Prepared, Progress, Request};
use crate::cli::{ApplyArgs, Global, Output};
use crate::cloud::CloudWrite;
use crate::model::Desired;
use crate::output;
use crate::plan::{render, SavedPlan};

pub fn run(global: &Global, args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    if args.parallelism == 0 {
        bail!("--parallelism must be at least 1");
    }
    let (spec, source) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let saved = match &args.planfile {
        None => None,
        Some(path) => {
            let text = crate::input::read_text(path).map_err(|e| match e {
                crate::input::ReadError::Io(io) => anyhow::Error::new(io)
                    .context(format!("cannot read the saved plan {}", path.display())),
                other => anyhow::anyhow!(
                    "cannot use the saved plan {}",
                    other.located(&path.display().to_string())
                ),
            })?;
            Some(
                SavedPlan::from_json(&text)
                    .with_context(|| format!("cannot use the saved plan {}", path.display()))?,
            )
        }
    };
    let session = Session {
        global,
        verb: Verb::Apply,
        desired: &desired,
        spec_text: &source.text,
        saved: saved.as_ref(),
        auto_approve: args.auto_approve,
        allow_destroy: args.allow_destroy,
        options: apply::Options {
            parallelism: args.parallelism,
            timeout: args.timeout,
            update_secrets: args.update_secrets,
            ..apply::Options::default()
        },
    };
    let rt = super::runtime()?;
    rt.block_on(async {
        let cloud = Arc::new(super::connect(global, &spec).await?);
        let code = drive(cloud.clone(), session).await;
        super::report_calls(global, cloud.as_ref())?;
        code
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Apply,
    Destroy,
}

impl Verb {
    fn title(self) -> &'static str {
        match self {
            Verb::Apply => "Apply",
            Verb::Destroy => "Destroy",
        }
    }
}

/// Everything [`drive`] needs from the command line and the spec.
pub(crate) struct Session<'a> {
    pub global: &'a Global,
    pub verb: Verb,
    /// For `destroy`, the stack with nothing in it ([`apply::nothing`]).
    pub desired: &'a Desired,
    pub spec_text: &'a str,
    pub saved: Option<&'a SavedPlan>,
    pub auto_approve: bool,
    pub allow_destroy: bool,
    pub options: apply::Options,
}

/// Prepares, shows, confirms, executes and reports; the exit code is 1 when any step failed,
/// was skipped or the run was interrupted.
pub(crate) async fn drive<C: CloudWrite + 'static>(
    cloud: Arc<C>,
    s: Session<'_>,
) -> anyhow::Result<ExitCode> {
    let global = s.global;
    let env = |var: &str| std::env::var(var).ok();
    let prepared = apply::prepare(
        cloud.as_ref(),
        Request {
            desired: s.desired,
            spec_text: s.spec_text,
            saved: s.saved,
            allow_destroy: s.allow_destroy,
            update_secrets: s.options.update_secrets,
            env: &env,
        },
    )
    .await
    .map_err(|e| match e {
        ApplyError::Read(c) => super::cloud_error(c, "reading live state"),
        other => anyhow::Error::new(other),
    })?;
    let ready = match prepared {
        Prepared::NoChanges => {
            let text = match s.verb {
                Verb::Apply => "No changes. Live state matches the spec.\n".to_string(),
                Verb::Destroy => format!(
                    "Nothing to destroy: stack `{}` owns no resources (IAM roles and log groups stay).\n",
                    s.desired.stack
                ),
            };
            human(global, &text)?;
            if global.output == Output::Json {
                output::print(apply::Report::default().json().as_bytes())?;
            }
            return Ok(ExitCode::SUCCESS);
        }
        Prepared::Ready(r) => *r,
    };
    let color = match global.output {
        Output::Json => output::stderr_color(global.no_color),
        _ => output::stdout_color(global.no_color),
    };
    human(global, &render::table(&ready.plan, color))?;
    if !s.auto_approve {
        confirm(global, s.verb, &s.desired.stack)?;
    }

    // The live view only where someone watches: stdout a terminal and not reserved for JSON.
    // Pipes and CI logs get plain timestamped lines, and so does `-vv`, whose log lines on
    // stderr would tear through the redrawn spinners.
    let progress = match global.output {
        Output::Json => Progress::new(Box::new(std::io::stderr())),
        _ if std::io::stdout().is_terminal() && global.verbose < 2 => Progress::live(color),
        _ => Progress::new(Box::new(std::io::stdout())),
    };
    let progress = Arc::new(progress);
    let cancel = CancelToken::new();
    let watcher = tokio::spawn(watch_interrupts(cancel.clone()));
    let report = apply::execute(cloud, ready, s.options, progress, cancel).await;
    watcher.abort();

    human(global, &format!("\n{}", report.text(s.verb.title())))?;
    if global.output == Output::Json {
        output::print(report.json().as_bytes())?;
    }
    Ok(exit_code(report.success()))
}

/// Asks on the terminal; refuses when there is none (CI must say `--auto-approve`).
fn confirm(global: &Global, verb: Verb, stack: &str) -> anyhow::Result<()> {
    let command = match verb {
        Verb::Apply => "apply",
        Verb::Destroy => "destroy",
    };
    let question = match verb {
        Verb::Apply => "\nDo you want to apply these changes? Only 'yes' is accepted: ".to_string(),
        Verb::Destroy => format!(
            "\nDo you really want to destroy everything stack `{stack}` owns? Replications that \
             have run lose their CDC position (this allows the data-loss hazards above); \
             IAM roles and log groups stay. Only 'yes' is accepted: "
        ),
    };
    ask_yes(global, command, &question, verb.title())
}

/// Ctrl-C stops the scheduling of new steps and lets the ones in flight finish, so the report
/// is complete. A second Ctrl-C exits at once: what is in flight goes on in AWS, and the next
/// `dmsctl plan` shows where things stand.
async fn watch_interrupts(cancel: CancelToken) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    cancel.cancel();
    if tokio::signal::ctrl_c().await.is_ok() {
        let _ = output::eprint(
            b"\nInterrupted again: exiting without waiting for the steps in flight (they go on \
              in AWS); run `dmsctl plan` to see where things stand.\n",
        );
        std::process::exit(130);
    }
}
