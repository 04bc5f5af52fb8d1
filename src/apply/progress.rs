//! Progress output while a plan is applied, in one of two modes:
//!
//! - plain: one line per step event with a UTC timestamp
//!   (`2026-11-23T19:40:02Z endpoint backend: creating`), suited to CI logs and pipes;
//! - live, on a terminal: a spinner per step in flight (`endpoint backend: waiting until
//!   active [12s]`), replaced by a permanent line when the step ends
//!   (`✓ endpoint backend: created (arn:…) [47s]`), with run-wide notes printed above.
//!
//! Neither mode ever carries a secret: the executor only hands over identifiers, ARNs,
//! statuses and AWS's error messages.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, SecondsFormat, Utc};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::plan::Kind;

/// Where progress goes. Shared by the steps running at once; each line is written whole.
pub struct Progress {
    mode: Mode,
}

enum Mode {
    Plain {
        out: Mutex<Box<dyn Write + Send>>,
        clock: fn() -> SystemTime,
    },
    Live(Live),
}

impl Progress {
    /// Plain timestamped lines into `out`.
    pub fn new(out: Box<dyn Write + Send>) -> Progress {
        Progress::with_clock(out, SystemTime::now)
    }

    /// Plain lines with a fixed clock, for reproducible output in tests.
    pub fn with_clock(out: Box<dyn Write + Send>, clock: fn() -> SystemTime) -> Progress {
        Progress {
            mode: Mode::Plain {
                out: Mutex::new(out),
                clock,
            },
        }
    }

    /// The live view on stdout. Only for a terminal: elsewhere the spinners would not be drawn
    /// and only the finished lines would show, without timestamps.
    pub fn live(color: bool) -> Progress {
        Progress::live_into(
            ProgressDrawTarget::stdout(),
            Box::new(std::io::stdout()),
            color,
        )
    }

    /// The live view drawing its spinners on `target` and writing its permanent lines
    /// (finished steps, notes) into `out`, between redraws of the spinners.
    fn live_into(target: ProgressDrawTarget, out: Box<dyn Write + Send>, color: bool) -> Progress {
        Progress {
            mode: Mode::Live(Live::new(target, out, color)),
        }
    }

    /// A step in flight says what it is doing now (`creating`, `waiting until active`): a
    /// line in plain mode, the step's spinner in live mode (started on its first update).
    pub fn update(&self, kind: Kind, name: &str, message: &str) {
        match &self.mode {
            Mode::Plain { .. } => self.plain(&format!("{kind} {name}: {message}")),
            Mode::Live(live) => live.update(kind, name, message),
        }
    }

    /// A step's outcome (`created (arn)`, `failed: …`, `skipped: …`): the last word on it. A
    /// line in plain mode; in live mode it replaces the step's spinner by a permanent line.
    /// The executor calls this once per step, and `update` only from inside the step, so a
    /// step's outcome always comes after its updates.
    pub fn step(&self, kind: Kind, name: &str, message: &str) {
        match &self.mode {
            Mode::Plain { .. } => self.plain(&format!("{kind} {name}: {message}")),
            Mode::Live(live) => live.finish(kind, name, message),
        }
    }

    /// An event of the whole run (`deadline passed: …`): a line, above the spinners in live
    /// mode.
    pub fn note(&self, message: &str) {
        match &self.mode {
            Mode::Plain { .. } => self.plain(message),
            Mode::Live(live) => live.print(&format!("{message}\n")),
        }
    }

    /// `<timestamp> <text>`.
    fn plain(&self, text: &str) {
        let Mode::Plain { out, clock } = &self.mode else {
            return;
        };
        let line = format!("{} {text}\n", utc_timestamp(clock()));
        write_best_effort(&mut lock(out), &line);
    }
}

/// How often a spinner turns (and its elapsed time is redrawn).
const TICK: Duration = Duration::from_millis(120);

const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const RED: &str = "\x1b[31m";
const RESET: &str = "\x1b[0m";

/// The live view: one spinner per step in flight, keyed by `kind name` (unique in a plan; a
/// replace's removal and creation are two steps that never run at once).
struct Live {
    bars: MultiProgress,
    running: Mutex<HashMap<String, ProgressBar>>,
    out: Mutex<Box<dyn Write + Send>>,
    style: ProgressStyle,
    color: bool,
}

impl Live {
    fn new(target: ProgressDrawTarget, out: Box<dyn Write + Send>, color: bool) -> Live {
        let template = if color {
            "{spinner:.cyan} {prefix}: {msg} [{took}]"
        } else {
            "{spinner} {prefix}: {msg} [{took}]"
        };
        let style = ProgressStyle::with_template(template)
            // The template is a constant; a typo in it would show on the first run of any test.
            .expect("the spinner template parses")
            .with_key("took", |state: &ProgressState, w: &mut dyn fmt::Write| {
                let _ = w.write_str(&took(state.elapsed()));
            });
        Live {
            bars: MultiProgress::with_draw_target(target),
            running: Mutex::new(HashMap::new()),
            out: Mutex::new(out),
            style,
            color,
        }
    }

    fn update(&self, kind: Kind, name: &str, message: &str) {
        // Spinner text is drawn by indicatif, not through `write_best_effort`: mask it here.
        let message = &crate::redact::redact(message);
        let key = format!("{kind} {name}");
        let mut running = lock(&self.running);
        if let Some(bar) = running.get(&key) {
            bar.set_message(message.to_string());
            return;
        }
        let bar = self.bars.add(
            ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
                .with_style(self.style.clone())
                .with_prefix(key.clone())
                .with_message(message.to_string()),
        );
        bar.enable_steady_tick(TICK);
        running.insert(key, bar);
    }

    fn finish(&self, kind: Kind, name: &str, message: &str) {
        let key = format!("{kind} {name}");
        // Steps skipped or already done before saying anything never had a spinner.
        let elapsed = lock(&self.running).remove(&key).map(|bar| {
            let elapsed = bar.elapsed();
            bar.finish_and_clear();
            self.bars.remove(&bar);
            elapsed
        });
        // The executor words its own outcomes `failed: …` and `skipped: …`; anything else is
        // a step's success line.
        let (mark, colour) = if message.starts_with("failed") {
            ("✗", RED)
        } else if message.starts_with("skipped") {
            ("-", YELLOW)
        } else {
            ("✓", GREEN)
        };
        let mark = if self.color {
            format!("{colour}{mark}{RESET}")
        } else {
            mark.to_string()
        };
        let line = match elapsed {
            Some(d) => format!("{mark} {key}: {message} [{}]\n", took(d)),
            None => format!("{mark} {key}: {message}\n"),
        };
        self.print(&line);
    }

    /// Writes a permanent line above the spinners: they are cleared, the line written, and
    /// they are drawn again below it.
    fn print(&self, line: &str) {
        self.bars
            .suspend(|| write_best_effort(&mut lock(&self.out), line));
    }

    /// The steps in flight and what each says now, sorted: for tests.
    #[cfg(test)]
    fn in_flight(&self) -> Vec<String> {
        let running = lock(&self.running);
        let mut v: Vec<String> = running
            .iter()
            .map(|(key, bar)| format!("{key}: {}", bar.message()))
            .collect();
        v.sort();
        v
    }
}

impl Drop for Live {
    /// Spinners left over (a step whose outcome never came) must not stay on the screen under
    /// the report.
    fn drop(&mut self) {
        for (_, bar) in lock(&self.running).drain() {
            bar.finish_and_clear();
        }
    }
}

/// A poisoned lock only means another step panicked mid-line; keep reporting.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Progress is best effort: a closed pipe must not fail the apply itself.
/// Every permanent line passes here, so secrets are masked here: a step's line can quote an
/// AWS error message.
fn write_best_effort(out: &mut Box<dyn Write + Send>, text: &str) {
    let text = crate::redact::redact(text);
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// `12s`, `4m05s`, `1h02m`: how long a step has been running.
fn took(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

/// RFC 3339 in UTC to the second: `2026-11-23T19:40:02Z`.
pub fn utc_timestamp(t: SystemTime) -> String {
    DateTime::<Utc>::from(t).to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::UNIX_EPOCH;

    #[test]
    fn timestamps_are_utc_rfc3339() {
        assert_eq!(utc_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_795_462_802);
        assert_eq!(utc_timestamp(t), "2026-11-23T19:40:02Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(utc_timestamp(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn durations_read_short() {
        assert_eq!(took(Duration::from_millis(900)), "0s");
        assert_eq!(took(Duration::from_secs(59)), "59s");
        assert_eq!(took(Duration::from_secs(245)), "4m05s");
        assert_eq!(took(Duration::from_secs(3720)), "1h02m");
    }

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            lock(&self.0).extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Buf {
        fn text(&self) -> String {
            String::from_utf8(lock(&self.0).clone()).expect("progress is UTF-8")
        }
    }

    fn live(color: bool) -> (Progress, Buf) {
        let buf = Buf::default();
        let p = Progress::live_into(ProgressDrawTarget::hidden(), Box::new(buf.clone()), color);
        (p, buf)
    }

    fn in_flight(p: &Progress) -> Vec<String> {
        match &p.mode {
            Mode::Live(live) => live.in_flight(),
            Mode::Plain { .. } => panic!("not live"),
        }
    }

    #[test]
    fn plain_updates_and_outcomes_are_the_same_lines() {
        let buf = Buf::default();
        let p = Progress::with_clock(Box::new(buf.clone()), || UNIX_EPOCH);
        p.update(Kind::Endpoint, "backend", "creating");
        p.step(Kind::Endpoint, "backend", "created (arn:x)");
        p.note("deadline passed");
        assert_eq!(
            buf.text(),
            "1970-01-01T00:00:00Z endpoint backend: creating\n\
             1970-01-01T00:00:00Z endpoint backend: created (arn:x)\n\
             1970-01-01T00:00:00Z deadline passed\n"
        );
    }

    #[test]
    fn live_finished_step_gets_a_line_and_the_other_keeps_spinning() {
        let (p, buf) = live(false);
        p.update(Kind::Endpoint, "backend", "creating");
        p.update(Kind::Instance, "main", "creating");
        p.update(Kind::Endpoint, "backend", "waiting until active");
        assert_eq!(
            in_flight(&p),
            [
                "endpoint backend: waiting until active",
                "instance main: creating"
            ]
        );
        assert_eq!(buf.text(), "", "nothing permanent while steps run");

        p.step(Kind::Endpoint, "backend", "created (arn:aws:dms:e1)");
        assert_eq!(in_flight(&p), ["instance main: creating"]);
        assert_eq!(
            buf.text(),
            "✓ endpoint backend: created (arn:aws:dms:e1) [0s]\n"
        );
    }

    #[test]
    fn live_failures_skips_and_notes() {
        let (p, buf) = live(false);
        p.update(Kind::Endpoint, "backend", "creating");
        p.step(Kind::Endpoint, "backend", "failed: AccessDenied: no");
        p.step(
            Kind::Task,
            "sync",
            "skipped: endpoint backend (create) failed",
        );
        p.note("interrupted: no new steps are started; waiting for 0 in flight");
        assert_eq!(
            buf.text(),
            "✗ endpoint backend: failed: AccessDenied: no [0s]\n\
             - task sync: skipped: endpoint backend (create) failed\n\
             interrupted: no new steps are started; waiting for 0 in flight\n"
        );
        assert!(in_flight(&p).is_empty());
    }

    #[test]
    fn live_colour_only_when_asked() {
        let (p, buf) = live(true);
        p.step(Kind::Endpoint, "backend", "updated");
        assert_eq!(buf.text(), "\x1b[32m✓\x1b[0m endpoint backend: updated\n");
    }
}
