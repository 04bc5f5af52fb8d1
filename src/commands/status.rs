//! `dmsctl status`.

use std::process::ExitCode;

use crate::cli::{Global, StatusArgs};

pub fn run(_global: &Global, _args: &StatusArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`dmsctl status` is not available in this build")
}
