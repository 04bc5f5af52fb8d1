//! `dmsctl logs NAME`: a replication's CloudWatch Logs, found where DMS writes them.

use std::process::ExitCode;

use anyhow::anyhow;
use chrono::{DateTime, Local, Utc};

use crate::cli::{Global, LogsArgs};
use crate::model::Desired;
use crate::operate::select;
use crate::operate::watch::{self, LogTail};
use crate::output;

pub fn run(global: &Global, args: &LogsArgs) -> anyhow::Result<ExitCode> {
    let (spec, _) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let rt = super::runtime()?;
    rt.block_on(async {
        let cloud = super::connect(global, &spec).await?;
        let live = super::read_live(&cloud).await?;
        let target = select(&desired, &live, std::slice::from_ref(&args.name))?
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("no replication `{}`", args.name))?;
        let from = Utc::now().timestamp_millis() - args.since.as_millis() as i64;
        let mut tail = LogTail::new(&target, from, args.filter.as_deref());
        let every = args.follow.then_some(watch::LOGS_EVERY);
        watch::repeat(every, async || {
            let events = tail.next(&cloud).await.map_err(|e| {
                super::cloud_error(e, &format!("reading log group {}", tail.group()))
            })?;
            let text: String = events
                .iter()
                .map(|e| {
                    format!(
                        "{} {}\n",
                        stamp(e.timestamp_ms, args.utc),
                        e.message.trim_end()
                    )
                })
                .collect();
            output::print(text.as_bytes())?;
            Ok::<_, anyhow::Error>(())
        })
        .await?;
        super::report_calls(global, &cloud)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `2026-11-23 19:40:02.123` in local time, or `2026-11-23T19:40:02.123Z` with `--utc`.
fn stamp(ms: i64, utc: bool) -> String {
    let Some(t) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return ms.to_string();
    };
    if utc {
        t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    } else {
        t.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S%.3f")
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_stamps() {
        assert_eq!(
            super::stamp(1_763_926_802_123, true),
            "2025-11-23T19:40:02.123Z"
        );
    }
}
