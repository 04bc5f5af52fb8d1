//! CloudWatch Logs reads: the DMS log groups and their retention, and their events.

use aws_sdk_cloudwatchlogs as logs;

use super::errors::cloud_error;
use crate::cloud::{CloudError, ErrorKind, LogEvent};
use crate::live::LiveLogGroup;

/// Where DMS writes task logs (`dms-tasks-<instance>`) and serverless replication logs
/// (`dms-serverless-replication-<id>` and similar).
pub(crate) const PREFIXES: [&str; 2] = ["dms-tasks-", "dms-serverless-"];

/// DescribeLogGroups' maximum page size.
const PAGE_SIZE: i32 = 50;

/// FilterLogEvents' maximum page size.
const LOG_PAGE: i32 = 10_000;

/// Every log group whose name starts with `prefix`.
pub(crate) async fn log_groups(
    client: &logs::Client,
    prefix: &str,
) -> Result<Vec<LiveLogGroup>, CloudError> {
    let mut out = Vec::new();
    let mut pages = client
        .describe_log_groups()
        .log_group_name_prefix(prefix)
        .into_paginator()
        .page_size(PAGE_SIZE)
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                let err = cloud_error("DescribeLogGroups", &e);
                // No log group with the prefix is nothing to report, however the service says it.
                if err.kind == ErrorKind::NotFound && out.is_empty() {
                    break;
                }
                return Err(err);
            }
        };
        out.extend(
            page.log_groups
                .unwrap_or_default()
                .into_iter()
                .filter_map(|g| {
                    Some(LiveLogGroup {
                        name: g.log_group_name?,
                        retention_days: g.retention_in_days,
                    })
                }),
        );
    }
    Ok(out)
}

/// Log events of `group`, newest last: see [`crate::cloud::Cloud::log_events`].
pub(crate) async fn log_events(
    client: &logs::Client,
    group: &str,
    stream_prefix: &str,
    since_ms: i64,
    filter: Option<&str>,
) -> Result<Vec<LogEvent>, CloudError> {
    const OP: &str = "FilterLogEvents";
    let mut pages = client
        .filter_log_events()
        .log_group_name(group)
        .set_log_stream_name_prefix((!stream_prefix.is_empty()).then(|| stream_prefix.to_string()))
        .start_time(since_ms)
        .set_filter_pattern(filter.filter(|f| !f.is_empty()).map(str::to_string))
        .into_paginator()
        .page_size(LOG_PAGE)
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                let err = cloud_error(OP, &e);
                // No group yet means nothing was logged yet (DMS creates it on first run).
                if err.kind == ErrorKind::NotFound && out.is_empty() {
                    return Ok(Vec::new());
                }
                return Err(err);
            }
        };
        out.extend(page.events.unwrap_or_default().into_iter().map(log_event));
    }
    // Pages are ordered per stream; interleave streams by time (stable, so events of one
    // millisecond keep the service's order).
    out.sort_by_key(|e| e.timestamp_ms);
    Ok(out)
}

fn log_event(e: logs::types::FilteredLogEvent) -> LogEvent {
    LogEvent {
        timestamp_ms: e.timestamp.unwrap_or_default(),
        stream: e.log_stream_name.unwrap_or_default(),
        message: e.message.unwrap_or_default(),
    }
}
