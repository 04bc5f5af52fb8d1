//! `dmsctl plan`: read live state and show what apply would do.

use std::process::ExitCode;

use crate::cli::{Global, PlanArgs};

pub fn run(_global: &Global, _args: &PlanArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`dmsctl plan` is not available in this build")
}
