use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match dmsctl::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap exits 2 on usage errors; 2 means "changes present" for plan, so remap to 1.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let no_color = cli.global.no_color;
    let prefix = if dmsctl::output::stderr_color(no_color) {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    install_panic_hook(prefix);
    // A panic is a bug in dmsctl; the hook has said so, and the exit code stays 1 like every
    // other failure rather than Rust's 101.
    let outcome = match std::panic::catch_unwind(|| dmsctl::commands::run(cli)) {
        Ok(outcome) => outcome,
        Err(_) => return ExitCode::from(1),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            let _ = dmsctl::output::eprint(format!("{prefix}: {e:#}\n").as_bytes());
            ExitCode::from(1)
        }
    }
}

/// One short paragraph instead of Rust's panic message and backtrace note: where it happened,
/// what it said (secrets masked), and that it is a bug to report. `RUST_BACKTRACE=1` still
/// prints the backtrace.
fn install_panic_hook(prefix: &'static str) {
    let default = std::panic::take_hook();
    let backtrace = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
    std::panic::set_hook(Box::new(move |info| {
        if backtrace {
            default(info);
            return;
        }
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_string());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let text = format!(
            "{prefix}: internal error{place}: {what}\n\
             This is a bug in dmsctl, not in your spec; please report it with the command you ran \
             (RUST_BACKTRACE=1 adds a backtrace).\n"
        );
        let _ = dmsctl::output::eprint(text.as_bytes());
    }));
}
