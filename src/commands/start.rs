//! `dmsctl start` and `dmsctl stop`.

use std::process::ExitCode;

use crate::cli::{Global, StartArgs, StopArgs};

pub fn run_start(_global: &Global, _args: &StartArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`dmsctl start` is not available in this build")
}

pub fn run_stop(_global: &Global, _args: &StopArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`dmsctl stop` is not available in this build")
}
