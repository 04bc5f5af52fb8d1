//! `dmsctl apply`.

use std::process::ExitCode;

use crate::cli::{ApplyArgs, Global};

pub fn run(_global: &Global, _args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`dmsctl apply` is not available in this build")
}
