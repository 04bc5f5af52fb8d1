//! CloudWatch metric reads: CDC latency of the stack's replications (see [`crate::metrics`]).
//!
//! Calls: one paginated `ListMetrics` per latency metric (run at once), then `GetMetricData`
//! for every metric that belongs to a wanted replication, 500 queries a call.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch as cw;
use cw::types::{
    Dimension, Metric, MetricDataQuery, MetricDataResult, MetricStat, RecentlyActive, ScanBy,
};

use super::errors::cloud_error;
use crate::cloud::CloudError;
use crate::metrics::{
    owner_of, CdcLatency, ListedMetric, MetricSubject, NAMESPACE, SOURCE, TARGET,
};

/// GetMetricData's limit of queries per call.
const QUERIES_PER_CALL: usize = 500;
/// How far back a data point still counts as the current latency.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// DMS publishes one data point a minute.
const PERIOD_SECONDS: i32 = 60;

/// The newest latency of each subject that has data, by ARN.
pub(crate) async fn cdc_latency(
    client: &cw::Client,
    subjects: &[MetricSubject],
) -> Result<BTreeMap<String, CdcLatency>, CloudError> {
    let mut out = BTreeMap::new();
    if subjects.is_empty() {
        return Ok(out);
    }
    let (source, target) = tokio::try_join!(list(client, SOURCE), list(client, TARGET))?;
    let owned: Vec<(usize, Metric)> = source
        .into_iter()
        .chain(target)
        .filter_map(|m| owner_of(&listed(&m), subjects).map(|i| (i, m)))
        .collect();
    let (start, end) = window();
    for chunk in owned.chunks(QUERIES_PER_CALL) {
        let mut pages = client
            .get_metric_data()
            .set_metric_data_queries(Some(queries(chunk)))
            .start_time(start.into())
            .end_time(end.into())
            .scan_by(ScanBy::TimestampDescending)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| cloud_error("GetMetricData", &e))?;
            for result in page.metric_data_results() {
                newest(result, chunk, subjects, &mut out);
            }
        }
    }
    Ok(out)
}

/// The time range read: the last [`WINDOW`] in whole minutes, as CloudWatch aligns periods,
/// and one past the current one: a point just published lies in the minute under way, which
/// an end of "now" would cut off.
fn window() -> (SystemTime, SystemTime) {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let minute = u64::from(PERIOD_SECONDS.unsigned_abs());
    let end = SystemTime::UNIX_EPOCH + Duration::from_secs((now / minute + 2) * minute);
    (end - WINDOW, end)
}

/// One query per metric, `m<index in chunk>`.
fn queries(chunk: &[(usize, Metric)]) -> Vec<MetricDataQuery> {
    chunk
        .iter()
        .enumerate()
        .map(|(i, (_, metric))| {
            MetricDataQuery::builder()
                .id(format!("m{i}"))
                .metric_stat(
                    MetricStat::builder()
                        .metric(metric.clone())
                        .period(PERIOD_SECONDS)
                        .stat("Maximum")
                        .build(),
                )
                .return_data(true)
                .build()
        })
        .collect()
}

/// Adds the newest point of one query's result to its subject's latency.
fn newest(
    result: &MetricDataResult,
    chunk: &[(usize, Metric)],
    subjects: &[MetricSubject],
    out: &mut BTreeMap<String, CdcLatency>,
) {
    tracing::debug!(
        "metric data {:?}: {} points",
        result.id(),
        result.values().len().min(result.timestamps().len())
    );
    let Some((subject, metric)) = result
        .id()
        .and_then(|id| id.strip_prefix('m'))
        .and_then(|i| i.parse::<usize>().ok())
        .and_then(|i| chunk.get(i))
    else {
        return;
    };
    // Newest first (ScanBy::TimestampDescending); pick the newest point.
    let newest = result
        .timestamps()
        .iter()
        .zip(result.values())
        .max_by_key(|(t, _)| t.secs());
    if let Some((at, value)) = newest {
        out.entry(subjects[*subject].arn.clone()).or_default().add(
            metric.metric_name().unwrap_or_default(),
            *value,
            at.secs(),
        );
    }
}

/// Every `AWS/DMS` metric called `name` with data in the last three hours.
async fn list(client: &cw::Client, name: &str) -> Result<Vec<Metric>, CloudError> {
    let mut out = Vec::new();
    let mut pages = client
        .list_metrics()
        .namespace(NAMESPACE)
        .metric_name(name)
        .recently_active(RecentlyActive::Pt3H)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| cloud_error("ListMetrics", &e))?;
        out.extend(page.metrics().iter().cloned());
    }
    Ok(out)
}

fn listed(m: &Metric) -> ListedMetric {
    ListedMetric {
        name: m.metric_name().unwrap_or_default().to_string(),
        dimensions: m
            .dimensions()
            .iter()
            .map(|d: &Dimension| {
                (
                    d.name().unwrap_or_default().to_string(),
                    d.value().unwrap_or_default().to_string(),
                )
            })
            .collect(),
    }
}
