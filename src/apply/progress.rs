//! Progress output: one plain line per step event with a UTC timestamp
//! (`2026-11-23T19:40:02Z endpoint backend: creating`), suited to CI logs and readable on a
//! terminal. Lines never carry a secret: the executor only ever hands over identifiers, ARNs,
//! statuses and AWS's error messages.

use std::io::Write;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::plan::Kind;

/// Where progress lines go. Shared by the steps running at once; each line is written whole.
pub struct Progress {
    out: Mutex<Box<dyn Write + Send>>,
    clock: fn() -> SystemTime,
}

impl Progress {
    pub fn new(out: Box<dyn Write + Send>) -> Progress {
        Progress {
            out: Mutex::new(out),
            clock: SystemTime::now,
        }
    }

    /// With a fixed clock, for reproducible output in tests.
    pub fn with_clock(out: Box<dyn Write + Send>, clock: fn() -> SystemTime) -> Progress {
        Progress {
            out: Mutex::new(out),
            clock,
        }
    }

    /// `<timestamp> <kind> <name>: <message>`.
    pub fn step(&self, kind: Kind, name: &str, message: &str) {
        self.line(&format!("{kind} {name}: {message}"));
    }

    /// `<timestamp> <message>`, for events of the whole run.
    pub fn note(&self, message: &str) {
        self.line(message);
    }

    fn line(&self, text: &str) {
        let line = format!("{} {text}\n", utc_timestamp((self.clock)()));
        // A poisoned lock only means another step panicked mid-line; keep reporting.
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        // Progress is best effort: a closed pipe must not fail the apply itself.
        let _ = out.write_all(line.as_bytes()).and_then(|()| out.flush());
    }
}

/// RFC 3339 in UTC to the second: `2026-11-23T19:40:02Z`.
pub fn utc_timestamp(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`),
/// so timestamps need no date crate.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc_rfc3339() {
        assert_eq!(utc_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_795_462_802);
        assert_eq!(utc_timestamp(t), "2026-11-23T19:40:02Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(utc_timestamp(leap), "2000-02-29T00:00:00Z");
    }
}
