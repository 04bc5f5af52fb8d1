//! `dmsctl diff`: attribute-level drift between the spec and live state.

use std::process::ExitCode;

use crate::cli::{DiffArgs, Global};

pub fn run(_global: &Global, _args: &DiffArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`dmsctl diff` is not available in this build")
}
