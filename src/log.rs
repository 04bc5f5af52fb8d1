//! The diagnostic log on stderr, chosen by `-v`:
//!
//! - `-v`: no log; commands that call AWS print how many calls of each kind they made;
//! - `-vv`: dmsctl's own debug events: one line per AWS API attempt (operation, HTTP status,
//!   time), each wait's polls;
//! - `-vvv`: also the AWS SDK's debug events (credentials chain, endpoint resolution, retries);
//! - `DMSCTL_LOG=<filter>` (`tracing` directives, like `RUST_LOG`) replaces the level's filter,
//!   for example `DMSCTL_LOG=aws_smithy_runtime=trace`.
//!
//! Every line passes through [`crate::redact`] before it is written.

use std::io::{self, Write};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// The environment variable that sets the log filter directly.
pub const ENV: &str = "DMSCTL_LOG";

/// The filter for a `-v` count, or `None` when there is no log.
pub fn filter_for(verbose: u8) -> Option<&'static str> {
    match verbose {
        0 | 1 => None,
        2 => Some("warn,dmsctl=debug"),
        // Everything at debug but the HTTP and TLS stacks, whose debug lines are per packet.
        _ => Some("debug,hyper=info,hyper_util=info,h2=info,rustls=info,tower=info"),
    }
}

/// Installs the log for this process. `DMSCTL_LOG`, when set, wins over `-v`; an invalid
/// filter there is an error naming it.
pub fn init(verbose: u8, color: bool) -> anyhow::Result<()> {
    let filter = match std::env::var(ENV) {
        Ok(directives) if !directives.trim().is_empty() => EnvFilter::try_new(&directives)
            .map_err(|e| anyhow::anyhow!("{ENV}=`{directives}` is not a valid log filter: {e}"))?,
        _ => match filter_for(verbose) {
            Some(f) => EnvFilter::new(f),
            None => return Ok(()),
        },
    };
    // A second init in one process (tests) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(RedactedStderr)
        .with_ansi(color)
        .with_target(true)
        .try_init();
    Ok(())
}

/// Stderr, with secrets masked. The formatter hands over each event whole in one write.
struct RedactedStderr;

impl<'a> MakeWriter<'a> for RedactedStderr {
    type Writer = RedactedWriter<io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactedWriter(io::stderr())
    }
}

/// A writer that masks registered secrets in what passes through it.
pub struct RedactedWriter<W>(pub W);

impl<W: Write> Write for RedactedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(crate::redact::redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_map_to_filters() {
        assert_eq!(filter_for(0), None);
        assert_eq!(filter_for(1), None);
        assert_eq!(filter_for(2), Some("warn,dmsctl=debug"));
        assert!(filter_for(3).is_some_and(|f| f.starts_with("debug,")));
        assert_eq!(filter_for(9), filter_for(3));
        for v in 2..=3 {
            let f = filter_for(v).expect("a filter");
            EnvFilter::try_new(f).expect("the built-in filters parse");
        }
    }

    #[test]
    fn the_writer_masks_secrets() {
        crate::redact::register("log-writer-secret");
        let mut w = RedactedWriter(Vec::new());
        w.write_all(b"body: {\"Password\":\"log-writer-secret\"}\n")
            .expect("writes");
        assert_eq!(
            String::from_utf8(w.0).expect("utf-8"),
            "body: {\"Password\":\"(sensitive)\"}\n"
        );
    }
}
