//! Command-line definitions (clap). Each subcommand's work lives in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "dmsctl",
    version,
    about = "Declarative AWS Database Migration Service: validate, plan, apply and price DMS replications from one YAML spec",
    after_help = "Exit codes: 0 success (plan: no changes), 1 error (including usage errors), \
                  2 changes present (only with plan/diff --detailed-exitcode)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The spec file.
    #[arg(
        short = 'f',
        long = "file",
        global = true,
        default_value = "dmsctl.yaml",
        value_name = "SPEC"
    )]
    pub file: PathBuf,
    /// AWS profile from the shared config files.
    #[arg(long, global = true, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// AWS region (overrides the spec's `region`).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Send AWS API calls to this URL (a local emulator, a VPC endpoint).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = Output::Table)]
    pub output: Output,
    /// Never colour output (also: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// More detail on stderr; repeat for more.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Human-readable tables and diagnostics.
    Table,
    /// A stable JSON document.
    Json,
    /// Markdown, e.g. for a pull-request comment.
    Markdown,
    /// One self-contained HTML page (cost reports).
    Html,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a spec and report every problem in it. Never touches AWS.
    Validate(ValidateArgs),
    /// Print the resources a spec resolves to, as they would be sent to DMS.
    Render(RenderArgs),
    /// Read live state and print what apply would do.
    Plan(PlanArgs),
    /// Attribute-level differences between the spec and live state (drift).
    Diff(DiffArgs),
    /// Print the JSON Schema of the spec.
    Schema,
    /// Estimate the monthly cost of a spec; `--compare` serverless against instances.
    Cost(CostArgs),
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Only the resource with this logical name (endpoint, replication, instance, subnet group).
    pub name: Option<String>,
    /// Print only the DMS table-mapping JSON of the named replication.
    #[arg(long, requires = "name")]
    pub table_mappings: bool,
}

#[derive(Debug, Args)]
pub struct CostArgs {
    /// Price both compute modes for the same replications, side by side.
    #[arg(long)]
    pub compare: bool,
    /// A price catalog file replacing the built-in one.
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
    /// Average DCU per serverless replication (overrides `expected_dcu` and `min_dcu`).
    #[arg(long, value_name = "N")]
    pub dcu: Option<f64>,
    /// Hours in a billed month.
    #[arg(long, value_name = "N", default_value_t = 730.0)]
    pub hours: f64,
    /// Instance class assumed for instances mode when the spec configures none.
    #[arg(long, value_name = "CLASS", default_value = "dms.t3.medium")]
    pub instance_class: String,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Save the plan (no secrets) for `dmsctl apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Only the resource with this logical name.
    pub name: Option<String>,
}
