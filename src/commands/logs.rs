//! `dmsctl logs NAME`: a replication's CloudWatch Logs, found where DMS writes them.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::anyhow;
use chrono::{DateTime, Local, Utc};

use crate::cli::{Global, LogsArgs};
use crate::cloud::{Cloud, LogEvent};
use crate::model::Desired;
use crate::operate::select;
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
        let now_ms = Utc::now().timestamp_millis();
        let mut from = now_ms - args.since.as_millis() as i64;
        let mut seen: BTreeSet<(i64, String, String)> = BTreeSet::new();
        loop {
            let events = fetch(
                &cloud,
                &target.log_group,
                &target.log_stream_prefix,
                from,
                args.filter.as_deref(),
            )
            .await?;
            let mut text = String::new();
            for e in events {
                // The same millisecond is read again on the next round; print each event once.
                if seen.insert((e.timestamp_ms, e.stream.clone(), e.message.clone())) {
                    text.push_str(&format!(
                        "{} {}\n",
                        stamp(e.timestamp_ms, args.utc),
                        e.message.trim_end()
                    ));
                    from = from.max(e.timestamp_ms);
                }
            }
            output::print(text.as_bytes())?;
            if !args.follow {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                _ = tokio::signal::ctrl_c() => break,
            }
        }
        super::report_calls(global, &cloud)
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn fetch<C: Cloud>(
    cloud: &C,
    group: &str,
    prefix: &str,
    from: i64,
    filter: Option<&str>,
) -> anyhow::Result<Vec<LogEvent>> {
    cloud
        .log_events(group, prefix, from, filter)
        .await
        .map_err(|e| super::cloud_error(e, &format!("reading log group {group}")))
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
