//! One module per subcommand: gather inputs, call the core, pick a renderer.

mod adopt;
mod apply;
pub mod check;
mod common;
mod cost;
mod destroy;
mod diff;
mod generate;
mod graph;
mod logs;
mod operations;
mod plan;
mod prices;
mod render;
mod schema;
mod start;
mod status;
mod validate;

use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::aws::{self, AwsCloud};
use crate::cli::{Cli, Command, Global, Output};
use crate::cloud::{Cloud, CloudError};
use crate::live::Live;
use crate::output;
use crate::spec::{self, Spec};

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    crate::log::init(
        cli.global.verbose,
        output::stderr_color(cli.global.no_color),
    )?;
    refuse_other_formats(&cli.command, cli.global.output)?;
    if cli.global.regions.len() > 1 && !matches!(cli.command, Command::Prices(_)) {
        anyhow::bail!(
            "--region is given {} times; only `dmsctl prices export` takes several",
            cli.global.regions.len()
        );
    }
    match &cli.command {
        Command::Validate(args) => validate::run(&cli.global, args),
        Command::Render(args) => render::run(&cli.global, args),
        Command::Plan(args) => plan::run(&cli.global, args),
        Command::Diff(args) => diff::run(&cli.global, args),
        Command::Apply(args) => apply::run(&cli.global, args),
        Command::Start(args) => start::run_start(&cli.global, args),
        Command::Stop(args) => start::run_stop(&cli.global, args),
        Command::Reload(args) => operations::reload(&cli.global, args),
        Command::Assess(args) => operations::assess(&cli.global, args),
        Command::TestConnection(args) => operations::test_connection(&cli.global, args),
        Command::Status(args) => status::run(&cli.global, args),
        Command::Logs(args) => logs::run(&cli.global, args),
        Command::Destroy(args) => destroy::run(&cli.global, args),
        Command::Adopt(args) => adopt::run(&cli.global, args),
        Command::Generate(args) => generate::run(&cli.global, args),
        Command::Completions(args) => {
            let mut out = Vec::new();
            clap_complete::generate(
                args.shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "dmsctl",
                &mut out,
            );
            output::print(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => schema::run(&cli.global),
        Command::Cost(args) => cost::run(&cli.global, args),
        Command::Check(args) => check::run(&cli.global, args),
        Command::Graph => graph::run(&cli.global),
        Command::Prices(crate::cli::PricesCommand::Export) => prices::export(&cli.global),
    }
}

/// What a command prints: the `-o` formats it has, and, for a command with one fixed output,
/// what that is.
struct Prints {
    command: &'static str,
    formats: &'static [Output],
    fixed: Option<&'static str>,
}

/// Each command's `-o` formats, declared once: [`run`] refuses any other before any work.
fn prints(command: &Command) -> Prints {
    use Output::{Dot, Github, Gitlab, Html, Json, Markdown, Mermaid, Table};
    const DOCUMENTS: &[Output] = &[Table, Json, Markdown];
    // A report on the lines of the spec, and annotations of them for a pull request.
    const FINDINGS: &[Output] = &[Table, Json, Markdown, Github, Gitlab];
    const REPORTS: &[Output] = &[Table, Json];
    let formats = |command, formats| Prints {
        command,
        formats,
        fixed: None,
    };
    let fixed = |command, formats, what| Prints {
        command,
        formats,
        fixed: Some(what),
    };
    match command {
        Command::Validate(_) => formats("validate", FINDINGS),
        Command::Render(_) => formats("render", DOCUMENTS),
        Command::Plan(_) => formats("plan", DOCUMENTS),
        Command::Diff(_) => formats("diff", DOCUMENTS),
        Command::Check(_) => formats("check", FINDINGS),
        Command::Graph => formats("graph", &[Table, Json, Mermaid, Dot]),
        Command::Status(_) => formats("status", DOCUMENTS),
        Command::Cost(args) if args.baseline.is_some() => formats("cost --baseline", DOCUMENTS),
        Command::Cost(args) if args.actual => {
            formats("cost --actual", &[Table, Json, Markdown, Html])
        }
        Command::Cost(args) if args.observed => formats("cost --observed", DOCUMENTS),
        Command::Cost(_) => formats("cost", &[Table, Json, Markdown, Html]),
        Command::Apply(_) => formats("apply", REPORTS),
        Command::Destroy(_) => formats("destroy", REPORTS),
        Command::Start(_) => formats("start", REPORTS),
        Command::Stop(_) => formats("stop", REPORTS),
        Command::Reload(_) => formats("reload", REPORTS),
        Command::Assess(_) => formats("assess", DOCUMENTS),
        Command::TestConnection(_) => formats("test-connection", DOCUMENTS),
        Command::Adopt(_) => formats("adopt", REPORTS),
        // The schema is JSON whichever of the two is asked for.
        Command::Schema => fixed("schema", REPORTS, "the JSON Schema"),
        Command::Generate(_) => fixed("generate", &[Table], "a YAML spec"),
        Command::Logs(_) => fixed("logs", &[Table], "log lines"),
        Command::Completions(_) => fixed("completions", &[Table], "a shell script"),
        Command::Prices(_) => fixed("prices export", &[Table], "a YAML price catalog"),
    }
}

/// Refuses an `-o` format the command does not have, in one wording:
/// "`plan` prints table, json or markdown, not html".
fn refuse_other_formats(command: &Command, asked: Output) -> anyhow::Result<()> {
    let p = prints(command);
    if p.formats.contains(&asked) {
        return Ok(());
    }
    let what = match p.fixed {
        Some(what) => what.to_string(),
        None => {
            let names: Vec<String> = p.formats.iter().map(|f| format_name(*f)).collect();
            match names.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => "nothing".to_string(),
            }
        }
    };
    bail!("`{}` prints {what}, not {}", p.command, format_name(asked))
}

/// The name `-o` takes for `f`.
fn format_name(f: Output) -> String {
    clap::ValueEnum::to_possible_value(&f)
        .map_or_else(|| format!("{f:?}"), |v| v.get_name().to_string())
}

/// Reads the spec named by `-f`, prints its diagnostics to stderr, and returns it when it has no
/// errors. Commands other than `validate` use this.
pub fn load_spec(global: &Global) -> anyhow::Result<(Spec, spec::Source)> {
    load_spec_file(global, &global.file, "choose another with -f/--file")
}

/// [`load_spec`] for any file; `hint` says how to name another one.
pub fn load_spec_file(
    global: &Global,
    file: &std::path::Path,
    hint: &str,
) -> anyhow::Result<(Spec, spec::Source)> {
    let mut checked = spec::load(file)
        .with_context(|| format!("cannot read the spec `{}` ({hint})", file.display()))?;
    // These commands never read a secret's value; `apply` checks its variables itself.
    checked.diagnostics.retain(|d| d.code != "env-not-set");
    if !checked.diagnostics.is_empty() {
        output::eprint(&spec::render_human(
            &checked,
            output::stderr_color(global.no_color),
        ))?;
    }
    let errors = checked.count(spec::Severity::Error);
    match checked.valid_spec(false) {
        Some(s) => Ok((s.clone(), checked.source)),
        None => bail!(
            "{} has {errors} error{}; run `dmsctl validate -f {}` for details",
            checked.source.name,
            if errors == 1 { "" } else { "s" },
            checked.source.name
        ),
    }
}

/// The async runtime for commands that talk to AWS. Two worker threads: the work is waiting on
/// the network, and the machines dmsctl runs on in CI are small.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// How to reach AWS: `--profile`, the region (`--region`, then the spec's `region`, then the
/// chain), `--endpoint-url`, and the retry policy of the environment and the profile.
pub async fn aws_settings(
    global: &Global,
    spec_region: Option<&str>,
) -> Result<aws::Settings, aws::SetupError> {
    aws::Settings::resolve(
        global.profile.clone(),
        global
            .region()
            .map(str::to_string)
            .or(spec_region.map(str::to_string)),
        global.endpoint_url.clone(),
    )
    .await
}

/// Connects to AWS (credentials and region from the standard chain, the flags and the spec).
pub async fn connect(global: &Global, spec: &Spec) -> anyhow::Result<AwsCloud> {
    let settings = aws_settings(global, spec.region.as_deref()).await?;
    Ok(AwsCloud::connect(&settings).await?)
}

/// Reads live state, with a hint when the failure is about credentials.
pub async fn read_live(cloud: &impl Cloud) -> anyhow::Result<Live> {
    cloud
        .read()
        .await
        .map_err(|e| cloud_error(e, "reading live state"))
}

/// Turns a failed AWS call into a message that says what dmsctl was doing and, for the usual
/// causes, what to do.
pub fn cloud_error(e: CloudError, doing: &str) -> anyhow::Error {
    anyhow::anyhow!("{doing}: {}", e.with_hint())
}

/// With `-v`, the number of AWS API calls of each kind, on stderr.
pub fn report_calls(global: &Global, cloud: &impl Cloud) -> anyhow::Result<()> {
    report_call_counts(global, cloud.calls())
}

/// With `-v`, the given counts of AWS API calls of each kind, on stderr.
pub fn report_call_counts(
    global: &Global,
    calls: std::collections::BTreeMap<String, u64>,
) -> anyhow::Result<()> {
    if global.verbose == 0 {
        return Ok(());
    }
    let total: u64 = calls.values().sum();
    let mut text = format!("AWS API calls: {total}\n");
    for (op, n) in &calls {
        text.push_str(&format!("  {op}: {n}\n"));
    }
    output::eprint(text.as_bytes())?;
    Ok(())
}
