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
    match dmsctl::commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            let prefix = if dmsctl::output::stderr_color(no_color) {
                "\x1b[1;31merror\x1b[0m"
            } else {
                "error"
            };
            let _ = dmsctl::output::eprint(format!("{prefix}: {e:#}\n").as_bytes());
            ExitCode::from(1)
        }
    }
}
