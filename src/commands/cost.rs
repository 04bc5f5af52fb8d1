//! `dmsctl cost`: placeholder until the cost model lands.

use std::process::ExitCode;

use crate::cli::{CostArgs, Global};

pub fn run(_global: &Global, _args: &CostArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`dmsctl cost` is not available in this build")
}
