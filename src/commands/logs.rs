//! `dmsctl logs`.

use std::process::ExitCode;

use crate::cli::{Global, LogsArgs};

pub fn run(_global: &Global, _args: &LogsArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`dmsctl logs` is not available in this build")
}
