//! CloudWatch Logs reads: the DMS log groups and their retention.

use aws_sdk_cloudwatchlogs as logs;

use super::errors::cloud_error;
use crate::cloud::{CloudError, ErrorKind};
use crate::live::LiveLogGroup;

/// Where DMS writes task logs (`dms-tasks-<instance>`) and serverless replication logs
/// (`dms-serverless-replication-<id>` and similar).
pub(crate) const PREFIXES: [&str; 2] = ["dms-tasks-", "dms-serverless-"];

/// DescribeLogGroups' maximum page size.
const PAGE_SIZE: i32 = 50;

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
