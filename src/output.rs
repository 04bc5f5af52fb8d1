//! Where output goes and how it looks: colour decisions and quiet exits on closed pipes.

use std::io::{self, IsTerminal, Write};

/// Whether to colour output on `stream`: never with `--no-color` or `NO_COLOR`, else only on a
/// terminal.
pub fn use_color(no_color_flag: bool, stream_is_terminal: bool) -> bool {
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color_flag && !no_color_env && stream_is_terminal
}

pub fn stdout_color(no_color_flag: bool) -> bool {
    use_color(no_color_flag, io::stdout().is_terminal())
}

pub fn stderr_color(no_color_flag: bool) -> bool {
    use_color(no_color_flag, io::stderr().is_terminal())
}

/// Writes all of `bytes` to stdout, secrets masked (`crate::redact`). A closed pipe
/// (`dmsctl render | head`) is not an error.
pub fn print(bytes: &[u8]) -> io::Result<()> {
    let bytes = &masked(bytes);
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes all of `bytes` to stderr, secrets masked.
pub fn eprint(bytes: &[u8]) -> io::Result<()> {
    let bytes = &masked(bytes);
    let mut err = io::stderr().lock();
    match err.write_all(bytes).and_then(|()| err.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// `bytes` with registered secrets masked; bytes that are not UTF-8 pass unchanged (every
/// text dmsctl prints is UTF-8).
fn masked(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    match std::str::from_utf8(bytes).map(crate::redact::redact) {
        Ok(Cow::Owned(text)) => Cow::Owned(text.into_bytes()),
        _ => Cow::Borrowed(bytes),
    }
}
