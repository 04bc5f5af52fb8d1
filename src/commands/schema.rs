//! `dmsctl schema`: the JSON Schema of the spec, for editors and CI.

use std::process::ExitCode;

use crate::cli::Global;
use crate::output;

pub fn run(_global: &Global) -> anyhow::Result<ExitCode> {
    output::print(schema_text().as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The schema as `specs/dmsctl.schema.json` holds it.
pub fn schema_text() -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(crate::spec::schema()).unwrap_or_else(|_| "true".into())
    )
}
