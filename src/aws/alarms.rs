//! CloudWatch alarms on DMS's CDC latency: the read of the region's alarms on
//! `AWS/DMS` `CDCLatencySource` / `CDCLatencyTarget` with their tags, and the writes.
//!
//! Calls: `DescribeAlarms` paged (metric alarms only), then one `ListTagsForResource` per
//! alarm on a DMS latency metric, run at once: CloudWatch has no batched tag read. Alarms on
//! other metrics are never read for tags.

use aws_sdk_cloudwatch as cw;
use cw::types::{ComparisonOperator, Dimension, MetricAlarm, Statistic, Tag as CwTag};
use futures_util::StreamExt;

use super::errors::cloud_error;
use super::write_dms::int32;
use crate::cloud::{CloudError, ErrorKind};
use crate::live::{LiveAlarm, Tags};
use crate::metrics::{NAMESPACE, SOURCE, TARGET};
use crate::model::{DesiredAlarm, Tag};

/// DescribeAlarms' largest page.
const PAGE_SIZE: i32 = 100;
/// Tag reads in flight at once: enough to overlap their latency, few enough not to be
/// throttled.
const TAG_READS_AT_ONCE: usize = 8;

/// The region's alarms on DMS's latency metrics, each with its tags.
pub(crate) async fn latency_alarms(client: &cw::Client) -> Result<Vec<LiveAlarm>, CloudError> {
    let mut pages = client
        .describe_alarms()
        .max_records(PAGE_SIZE)
        .into_paginator()
        .send();
    let mut alarms: Vec<LiveAlarm> = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| cloud_error("DescribeAlarms", &e))?;
        alarms.extend(
            page.metric_alarms
                .unwrap_or_default()
                .into_iter()
                .filter(is_dms_latency)
                .map(live_alarm),
        );
    }
    let arns: Vec<(usize, String)> = alarms.iter().map(|a| a.arn.clone()).enumerate().collect();
    let reads = arns.into_iter().map(|(i, arn)| {
        let client = client.clone();
        async move { (i, tags(&client, &arn).await) }
    });
    let read: Vec<(usize, Result<Tags, CloudError>)> = futures_util::stream::iter(reads)
        .buffer_unordered(TAG_READS_AT_ONCE)
        .collect()
        .await;
    for (i, tags) in read {
        match tags {
            Ok(t) => alarms[i].tags = t,
            // Deleted between the two reads: it is not there.
            Err(e) if e.kind == ErrorKind::NotFound => alarms[i].arn.clear(),
            Err(e) => return Err(e),
        }
    }
    alarms.retain(|a| !a.arn.is_empty());
    Ok(alarms)
}

fn is_dms_latency(a: &MetricAlarm) -> bool {
    a.namespace.as_deref() == Some(NAMESPACE)
        && matches!(a.metric_name.as_deref(), Some(SOURCE | TARGET))
        && a.alarm_arn.as_deref().is_some_and(|s| !s.is_empty())
}

fn live_alarm(a: MetricAlarm) -> LiveAlarm {
    let mut dimensions: Vec<(String, String)> = a
        .dimensions
        .unwrap_or_default()
        .into_iter()
        .map(|d| (d.name.unwrap_or_default(), d.value.unwrap_or_default()))
        .collect();
    dimensions.sort();
    LiveAlarm {
        arn: a.alarm_arn.unwrap_or_default(),
        name: a.alarm_name.unwrap_or_default(),
        description: a.alarm_description,
        namespace: a.namespace,
        metric_name: a.metric_name,
        statistic: a.statistic.map(|s| s.as_str().to_string()),
        comparison_operator: a.comparison_operator.map(|s| s.as_str().to_string()),
        threshold: a.threshold,
        period: a.period.map(i64::from),
        evaluation_periods: a.evaluation_periods.map(i64::from),
        datapoints_to_alarm: a.datapoints_to_alarm.map(i64::from),
        treat_missing_data: a.treat_missing_data,
        actions_enabled: a.actions_enabled.unwrap_or(true),
        alarm_actions: a.alarm_actions.unwrap_or_default(),
        ok_actions: a.ok_actions.unwrap_or_default(),
        dimensions,
        state: a.state_value.map(|s| s.as_str().to_string()),
        tags: Tags::new(),
    }
}

async fn tags(client: &cw::Client, arn: &str) -> Result<Tags, CloudError> {
    let out = client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| cloud_error("ListTagsForResource", &e))?;
    Ok(out
        .tags
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| Some((t.key?, t.value.unwrap_or_default())))
        .collect())
}

fn cw_tags(tags: &[Tag]) -> Vec<CwTag> {
    tags.iter()
        .map(|t| CwTag::builder().key(&t.key).value(&t.value).build())
        .collect()
}

/// `PutMetricAlarm`: creates the alarm or overwrites its whole configuration (safe to repeat).
pub(crate) async fn put_alarm(
    client: &cw::Client,
    a: &DesiredAlarm,
    dimensions: &[(String, String)],
) -> Result<(), CloudError> {
    const OP: &str = "PutMetricAlarm";
    let dims = dimensions
        .iter()
        .map(|(n, v)| Dimension::builder().name(n).value(v).build())
        .collect();
    client
        .put_metric_alarm()
        .alarm_name(&a.alarm_name)
        .alarm_description(&a.alarm_description)
        .namespace(a.namespace)
        .metric_name(a.metric_name)
        .set_dimensions(Some(dims))
        .statistic(Statistic::from(a.statistic))
        .comparison_operator(ComparisonOperator::from(a.comparison_operator))
        .threshold(a.threshold)
        .period(int32(OP, "Period", a.period)?)
        .evaluation_periods(int32(OP, "EvaluationPeriods", a.evaluation_periods)?)
        .set_datapoints_to_alarm(
            a.datapoints_to_alarm
                .map(|n| int32(OP, "DatapointsToAlarm", n))
                .transpose()?,
        )
        .treat_missing_data(a.treat_missing_data)
        .actions_enabled(true)
        .set_alarm_actions(Some(a.alarm_actions.clone()))
        .set_ok_actions(Some(a.ok_actions.clone()))
        .set_tags(Some(cw_tags(&a.tags)))
        .send()
        .await
        .map_err(|e| cloud_error(OP, &e))?;
    Ok(())
}

pub(crate) async fn delete_alarm(client: &cw::Client, name: &str) -> Result<(), CloudError> {
    client
        .delete_alarms()
        .alarm_names(name)
        .send()
        .await
        .map_err(|e| cloud_error("DeleteAlarms", &e))?;
    Ok(())
}

pub(crate) async fn add_tags(
    client: &cw::Client,
    arn: &str,
    tags: &[Tag],
) -> Result<(), CloudError> {
    client
        .tag_resource()
        .resource_arn(arn)
        .set_tags(Some(cw_tags(tags)))
        .send()
        .await
        .map_err(|e| cloud_error("TagResource", &e))?;
    Ok(())
}

pub(crate) async fn remove_tags(
    client: &cw::Client,
    arn: &str,
    keys: &[&str],
) -> Result<(), CloudError> {
    client
        .untag_resource()
        .resource_arn(arn)
        .set_tag_keys(Some(keys.iter().map(|k| k.to_string()).collect()))
        .send()
        .await
        .map_err(|e| cloud_error("UntagResource", &e))?;
    Ok(())
}

/// Whether `arn` is a CloudWatch resource's (its tags go through CloudWatch, not DMS).
pub(crate) fn is_cloudwatch(arn: &str) -> bool {
    arn.split(':').nth(2) == Some("cloudwatch")
}
