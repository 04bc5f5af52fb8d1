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
    /// AWS region (overrides the spec's `region`); `prices export` takes several.
    #[arg(long = "region", global = true, value_name = "REGION", action = clap::ArgAction::Append)]
    pub regions: Vec<String>,
    /// Send AWS API calls to this URL (a local emulator, a VPC endpoint).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = Output::Table)]
    pub output: Output,
    /// Never colour output (also: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// More detail on stderr: -v counts the AWS API calls, -vv logs each call and wait,
    /// -vvv adds the AWS SDK's debug log (DMSCTL_LOG sets a filter directly).
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
    /// GitHub Actions workflow commands: each problem as an annotation on its line of the spec
    /// (validate, check).
    Github,
    /// A GitLab code-quality report (JSON), for `artifacts:reports:codequality` (validate, check).
    Gitlab,
    /// A Mermaid flowchart (graph).
    Mermaid,
    /// A Graphviz DOT graph (graph).
    Dot,
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
    /// Ask the source and target databases, read only, what would break replication:
    /// binlog / WAL settings, grants, tables without keys, what the rules select, overlaps.
    Check(CheckArgs),
    /// Carry out a fresh plan, or a saved one, in dependency order.
    Apply(ApplyArgs),
    /// Start replications (first run, resume, or reload).
    Start(StartArgs),
    /// Stop running replications; prints each task's recovery checkpoint.
    Stop(StopArgs),
    /// Reload some tables of a running replication instead of the whole target.
    Reload(ReloadArgs),
    /// Premigration assessments of the stack's tasks (results in the `assessments` bucket);
    /// for serverless replications, `--last` shows the one DMS ran at their last start.
    Assess(AssessArgs),
    /// DMS's own test of each endpoint from the replication instance its tasks run on.
    TestConnection(TestConnectionArgs),
    /// Live status of the stack's replications.
    Status(StatusArgs),
    /// CloudWatch Logs of a replication.
    Logs(LogsArgs),
    /// Remove every resource the stack owns (IAM roles stay).
    Destroy(DestroyArgs),
    /// Take resources made by hand into the stack, by tagging those whose identifiers it wants
    Adopt(AdoptArgs),
    /// Print a spec describing the account's DMS resources (those without dmsctl tags or of
    /// the stack): `dmsctl generate --stack NAME > dmsctl.yaml`, then `adopt`.
    Generate(GenerateArgs),
    /// Print the JSON Schema of the spec.
    Schema,
    /// Print a shell completion script: `dmsctl completions bash > /etc/bash_completion.d/dmsctl`.
    Completions(CompletionsArgs),
    /// Estimate the monthly cost of a spec; `--compare` serverless against instances;
    /// `--actual` what it did cost, from Cost Explorer.
    Cost(CostArgs),
    /// DMS prices from the AWS Price List API: `dmsctl prices export --region R > prices.yaml`.
    #[command(subcommand)]
    Prices(PricesCommand),
    /// The stack's resources and what each uses, as a table, JSON, Mermaid or DOT. Never
    /// touches AWS.
    Graph,
}

impl Global {
    /// The region given with `--region` (the last one, when several are).
    pub fn region(&self) -> Option<&str> {
        self.regions.last().map(String::as_str)
    }
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
    #[arg(long, conflicts_with = "baseline")]
    pub compare: bool,
    /// What the stack did cost, from AWS Cost Explorer, beside the estimate for the same days.
    /// Cost Explorer bills USD 0.01 per API request: this makes one ListCostAllocationTags and
    /// one GetCostAndUsage per page of the answer (usually one); `-v` prints the count.
    #[arg(long, conflicts_with_all = ["compare", "baseline"])]
    pub actual: bool,
    /// With --compare: price the other choice from what the stack's resources used (DMS's
    /// provisioned DCUs, the instances' CloudWatch CPU and memory) instead of from the spec.
    #[arg(long, requires = "compare")]
    pub observed: bool,
    /// With --actual or --observed: the last N full days (default 30).
    #[arg(long, value_name = "N", conflicts_with = "since")]
    pub days: Option<i64>,
    /// With --actual or --observed: from this day (YYYY-MM-DD) up to yesterday.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// With --prices aws: read the Price List API again instead of the cache.
    #[arg(long)]
    pub refresh: bool,
    /// The spec before a change (e.g. from the main branch): show how the cost changes from
    /// it to this spec, item by item.
    #[arg(long, value_name = "SPEC")]
    pub baseline: Option<PathBuf>,
    /// A price catalog file replacing the built-in one, or `aws`: the AWS Price List API's
    /// On-Demand prices for the spec's region, cached for 30 days in the user's cache
    /// directory (`--refresh` reads them again).
    #[arg(long, value_name = "FILE|aws")]
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

#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// Write a price catalog (the `cost --prices FILE` format) of the regions given with
    /// `--region` from the AWS Price List API, to stdout.
    Export,
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

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved with `dmsctl plan --out`; without it apply plans afresh.
    pub planfile: Option<PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Allow changes that lose data: replacing or deleting a replication that has run,
    /// deleting an instance that carries tasks.
    #[arg(long)]
    pub allow_destroy: bool,
    /// Re-send passwords and other secrets to endpoints that are updated.
    #[arg(long)]
    pub update_secrets: bool,
    /// How many independent changes make AWS calls at once (changes waiting for a status do
    /// not count: their polls are shared, one call per kind and round).
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub parallelism: usize,
    /// Deadline for the whole apply, e.g. `60m`, `90s`, `2h`.
    #[arg(long, default_value = "60m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct StartArgs {
    /// Replications to start (logical names); all when none is given.
    pub names: Vec<String>,
    /// Reload the target (`reload-target`) instead of resuming.
    #[arg(long)]
    pub reload: bool,
    /// Start CDC from this RFC 3339 time (tasks only).
    #[arg(long, value_name = "TIME", conflicts_with = "from_checkpoint")]
    pub cdc_start_time: Option<String>,
    /// Resume CDC from a recovery checkpoint, as `dmsctl stop` prints it (tasks only).
    #[arg(long, value_name = "CHECKPOINT", conflicts_with = "reload")]
    pub from_checkpoint: Option<String>,
    /// Run a premigration assessment of each task first (the spec's `assessments`), and start
    /// only those whose assessment did not fail; serverless replications are assessed by DMS
    /// as part of their start, which it makes only when the assessment passes.
    #[arg(long)]
    pub assess: bool,
    /// Wait until running; on failure print the last error and log lines.
    #[arg(long)]
    pub wait: bool,
    /// Deadline for --wait (and for the assessments of --assess), e.g. `30m`.
    #[arg(long, default_value = "60m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct StopArgs {
    /// Replications to stop (logical names); all when none is given.
    pub names: Vec<String>,
    /// Wait until stopped.
    #[arg(long)]
    pub wait: bool,
    /// Deadline for --wait, e.g. `30m`.
    #[arg(long, default_value = "60m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Replications to check (logical names); all when none is given.
    pub names: Vec<String>,
    /// Reach an endpoint's database at HOST:PORT instead of its spec host (a tunnel or port
    /// forward from a bastion); repeatable.
    #[arg(long, value_name = "ENDPOINT=HOST:PORT", value_parser = parse_via)]
    pub via: Vec<(String, String, u16)>,
    /// CA certificates (PEM) to verify servers with, for endpoints whose `ssl_mode` is
    /// `verify-ca` or `verify-full`.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<std::path::PathBuf>,
    /// How long to wait for each database to answer, e.g. `10s`.
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = parse_duration)]
    pub connect_timeout: std::time::Duration,
    /// Also create, fill and drop a scratch table in each target schema (the only write).
    #[arg(long)]
    pub write_test: bool,
    /// Treat warnings as failures.
    #[arg(long)]
    pub strict: bool,
}

/// `ENDPOINT=HOST:PORT` of `check --via`.
pub fn parse_via(text: &str) -> Result<(String, String, u16), String> {
    let usage = || format!("`{text}` is not ENDPOINT=HOST:PORT (e.g. backend=127.0.0.1:3307)");
    let (name, address) = text.split_once('=').ok_or_else(usage)?;
    let (host, port) = address.rsplit_once(':').ok_or_else(usage)?;
    let port: u16 = port.parse().map_err(|_| usage())?;
    if name.is_empty() || host.is_empty() {
        return Err(usage());
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((name.to_string(), host.to_string(), port))
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Replications to show (logical names); all when none is given.
    pub names: Vec<String>,
    /// Also list each replication's tables: state, rows loaded, inserts, updates, deletes.
    #[arg(long)]
    pub tables: bool,
    /// Refresh in place on a terminal.
    #[arg(long)]
    pub watch: bool,
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// Replications to assess (logical names); all when none is given.
    pub names: Vec<String>,
    /// Wait for the runs to finish and print each individual assessment.
    #[arg(long, conflicts_with = "last")]
    pub wait: bool,
    /// Show the latest run of each task and its results; start nothing.
    #[arg(long)]
    pub last: bool,
    /// Deadline for --wait, e.g. `30m`.
    #[arg(long, default_value = "60m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct ReloadArgs {
    /// The replication (logical name).
    pub name: String,
    /// A table to reload, as SCHEMA.TABLE; repeat for several.
    #[arg(long = "table", value_name = "SCHEMA.TABLE", required = true)]
    pub tables: Vec<String>,
    /// Validate the tables against the source instead of reloading them.
    #[arg(long)]
    pub validate_only: bool,
}

#[derive(Debug, Args)]
pub struct TestConnectionArgs {
    /// Endpoints to test (logical names); all when none is given.
    pub names: Vec<String>,
    /// How long to wait for DMS's results, e.g. `5m`.
    #[arg(long, default_value = "10m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The replication (logical name).
    pub name: String,
    /// How far back, e.g. `1h`, `30m`, `2d`.
    #[arg(long, default_value = "1h", value_name = "DURATION", value_parser = parse_duration)]
    pub since: std::time::Duration,
    /// Keep printing new events.
    #[arg(long)]
    pub follow: bool,
    /// CloudWatch Logs filter pattern.
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
    /// Timestamps in UTC instead of local time.
    #[arg(long)]
    pub utc: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct AdoptArgs {
    /// Logical names to adopt; all adoptable resources when none is given.
    pub names: Vec<String>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The stack the spec describes: identifiers starting with `<stack>-` get shorter names,
    /// and resources tagged for another stack are left out.
    #[arg(long)]
    pub stack: String,
    /// Which compute to describe when the account has both serverless replications and
    /// replication instances.
    #[arg(long, value_enum)]
    pub mode: Option<crate::dms::ComputeMode>,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Deadline, e.g. `60m`.
    #[arg(long, default_value = "60m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
}

/// Parses durations such as `90s`, `30m`, `2h`, `1d` (a bare number is seconds), for every
/// duration flag. Zero is refused everywhere: each of them is a deadline or a window, and one
/// of zero would fail, or show nothing, before it began.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (write e.g. 90s, 30m, 2h, 1d)"))?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => {
            return Err(format!(
                "`{text}` has an unknown unit `{unit}` (use s, m, h or d)"
            ))
        }
    };
    if seconds == 0 {
        return Err(format!(
            "`{text}` is no time at all: a duration must be longer than zero"
        ));
    }
    Ok(std::time::Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("90s"),
            Ok(std::time::Duration::from_secs(90))
        );
        assert_eq!(
            parse_duration("30m"),
            Ok(std::time::Duration::from_secs(1800))
        );
        assert_eq!(
            parse_duration("2h"),
            Ok(std::time::Duration::from_secs(7200))
        );
        assert_eq!(
            parse_duration("1d"),
            Ok(std::time::Duration::from_secs(86_400))
        );
        assert_eq!(parse_duration("45"), Ok(std::time::Duration::from_secs(45)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5w").is_err());
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("0m").is_err());
    }
}
