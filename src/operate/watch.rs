//! Reading again and again: `status --watch` reads every [`STATUS_EVERY`], `logs --follow`
//! every [`LOGS_EVERY`], until Ctrl-C. The commands say what one round reads and shows.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::cloud::{Cloud, CloudError, LogEvent};

use super::Running;

/// How often `status --watch` reads the replications again.
pub const STATUS_EVERY: Duration = Duration::from_secs(5);

/// How often `logs --follow` asks for new events.
pub const LOGS_EVERY: Duration = Duration::from_secs(2);

/// Runs `round` once; with `every`, again after each interval until Ctrl-C, which ends the
/// rounds without an error. A round that fails ends them with its error.
pub async fn repeat<E>(
    every: Option<Duration>,
    mut round: impl AsyncFnMut() -> Result<(), E>,
) -> Result<(), E> {
    loop {
        round().await?;
        let Some(every) = every else {
            return Ok(());
        };
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

/// A replication's log, read from a point in time on: each read returns the events not
/// returned before.
pub struct LogTail<'a> {
    target: &'a Running,
    filter: Option<&'a str>,
    /// Where the next read starts, in milliseconds since the epoch.
    from: i64,
    seen: BTreeSet<(i64, String, String)>,
}

impl<'a> LogTail<'a> {
    /// The log of `target` from `from_ms` on, with a CloudWatch Logs filter pattern.
    pub fn new(target: &'a Running, from_ms: i64, filter: Option<&'a str>) -> LogTail<'a> {
        LogTail {
            target,
            filter,
            from: from_ms,
            seen: BTreeSet::new(),
        }
    }

    /// The log group read (for messages).
    pub fn group(&self) -> &str {
        &self.target.log_group
    }

    /// The events logged since the last read, oldest first.
    pub async fn next(&mut self, cloud: &impl Cloud) -> Result<Vec<LogEvent>, CloudError> {
        let t = self.target;
        let events = cloud
            .log_events(&t.log_group, &t.log_stream_prefix, self.from, self.filter)
            .await?;
        let mut new = Vec::new();
        for e in events {
            // The same millisecond is read again on the next round; return each event once.
            if self
                .seen
                .insert((e.timestamp_ms, e.stream.clone(), e.message.clone()))
            {
                self.from = self.from.max(e.timestamp_ms);
                new.push(e);
            }
        }
        Ok(new)
    }
}
