//! What the commands share: flag checks, where text for people goes, the confirmation prompt
//! and the exit code of an outcome.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cli::{Global, Output};
use crate::output;

/// Where text for people goes: stdout, unless stdout carries the JSON report.
pub(crate) fn human(global: &Global, text: &str) -> std::io::Result<()> {
    match global.output {
        Output::Json => output::eprint(text.as_bytes()),
        _ => output::print(text.as_bytes()),
    }
}

/// Asks `question` on the terminal and goes on only on `yes`. Without a terminal it refuses:
/// `dmsctl <command>` must then be re-run with --auto-approve.
pub(crate) fn ask_yes(
    global: &Global,
    command: &str,
    question: &str,
    title: &str,
) -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "`dmsctl {command}` asks for confirmation, and there is no terminal to ask on: \
             nothing was changed; review the above and re-run with --auto-approve"
        );
    }
    human(global, question)?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("cannot read the answer")?;
    if answer.trim() != "yes" {
        bail!("{title} cancelled: nothing was changed");
    }
    Ok(())
}

/// 0 when everything asked for was done, else 1.
pub(crate) fn exit_code(success: bool) -> ExitCode {
    if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
