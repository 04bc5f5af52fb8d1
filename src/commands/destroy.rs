//! `dmsctl destroy`.

use std::process::ExitCode;

use crate::cli::{DestroyArgs, Global};

pub fn run(_global: &Global, _args: &DestroyArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`dmsctl destroy` is not available in this build")
}
