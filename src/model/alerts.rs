//! Alerts of the desired state: DMS event subscriptions and CloudWatch alarms on CDC latency.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{derived_id, Desired, Naming, Tag};
use crate::dms::ComputeMode;
use crate::spec::types::{EventSource, LatencyAlert};

/// Default length of an alarm's period, in seconds.
pub const ALARM_PERIOD: i64 = 300;
/// Default number of periods an alarm evaluates.
pub const ALARM_EVALUATION_PERIODS: i64 = 3;

/// A DMS event subscription (`CreateEventSubscription`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DesiredEventSubscription {
    pub subscription_name: String,
    pub sns_topic_arn: String,
    pub source_type: &'static str,
    /// Sorted; empty is every category of the source type.
    pub event_categories: Vec<String>,
    /// The identifiers of the stack's tasks or instances it covers, sorted; never empty (an
    /// empty list would cover the whole account).
    pub source_ids: Vec<String>,
    /// The logical names of those tasks or instances, for the order of apply.
    #[serde(skip)]
    pub sources: Vec<String>,
    pub enabled: bool,
    pub tags: Vec<Tag>,
}

/// A CloudWatch alarm on one replication's CDC latency (`PutMetricAlarm`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DesiredAlarm {
    pub alarm_name: String,
    pub alarm_description: String,
    /// The replication (logical name) whose latency it watches; the metric's dimensions name
    /// it once it exists ([`Desired::alarm_dimensions`]).
    pub replication: String,
    pub namespace: &'static str,
    pub metric_name: &'static str,
    pub statistic: &'static str,
    pub comparison_operator: &'static str,
    pub threshold: f64,
    pub period: i64,
    pub evaluation_periods: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<i64>,
    pub treat_missing_data: &'static str,
    pub alarm_actions: Vec<String>,
    #[serde(rename = "OKActions")]
    pub ok_actions: Vec<String>,
    pub tags: Vec<Tag>,
}

/// The metric dimension of a serverless replication: reported by a public Terraform
/// configuration as `ReplicationConfigId` = `<account id>:<replication config identifier>`;
/// the DMS guide names no dimension for serverless metrics (see `crate::metrics`).
pub const SERVERLESS_DIMENSION: &str = "ReplicationConfigId";

impl Desired {
    /// The dimensions DMS publishes the CDC latency of `alarm`'s replication under, once that
    /// replication exists at `replication_arn`: a task's instance identifier and resource id
    /// (the last segment of its ARN), or a serverless replication's
    /// [`SERVERLESS_DIMENSION`]. Sorted by name.
    pub fn alarm_dimensions(
        &self,
        alarm: &DesiredAlarm,
        replication_arn: &str,
    ) -> Vec<(String, String)> {
        let mut dims = Vec::new();
        if let Some(t) = self.tasks.get(&alarm.replication) {
            let instance = self
                .instances
                .get(&t.replication_instance)
                .map_or(t.replication_instance.as_str(), |i| {
                    i.replication_instance_identifier.as_str()
                });
            dims.push((
                "ReplicationInstanceIdentifier".to_string(),
                instance.to_lowercase(),
            ));
            dims.push((
                "ReplicationTaskIdentifier".to_string(),
                crate::dms::resource_id(replication_arn).to_string(),
            ));
        } else if let Some(r) = self.replication_configs.get(&alarm.replication) {
            let account = replication_arn.split(':').nth(4).unwrap_or_default();
            dims.push((
                SERVERLESS_DIMENSION.to_string(),
                format!("{account}:{}", r.replication_config_identifier),
            ));
        }
        dims.sort();
        dims
    }
}

/// The name of the alarm on `side` (`source`, `target`) latency of `replication` for the
/// `cdc_latency` alert `alert`: `<stack>-<alert>-<replication>-cdc-latency-<side>`.
pub fn alarm_name(stack: &str, alert: &str, replication: &str, side: &str) -> String {
    format!("{stack}-{alert}-{replication}-cdc-latency-{side}").to_lowercase()
}

/// The ARN CloudWatch gives an alarm, in the account and region of `any_arn` (an ARN of the
/// same account, such as the replication's).
pub fn alarm_arn(any_arn: &str, alarm_name: &str) -> Option<String> {
    let (partition, region, account) = crate::dms::arn_parts(any_arn)?;
    Some(format!(
        "arn:{partition}:cloudwatch:{region}:{account}:alarm:{alarm_name}"
    ))
}

impl Naming<'_> {
    pub(super) fn event_subscriptions(&self) -> BTreeMap<String, DesiredEventSubscription> {
        let spec = self.spec;
        if spec.compute.mode == ComputeMode::Serverless {
            return BTreeMap::new();
        }
        spec.alerts
            .events
            .iter()
            .map(|(name, e)| {
                let (chosen, all): (&Vec<String>, Vec<&String>) = match e.source {
                    EventSource::Tasks => (&e.replications, spec.replications.keys().collect()),
                    EventSource::Instances => {
                        (&e.instances, spec.compute.instances.keys().collect())
                    }
                };
                let mut sources: Vec<String> = if chosen.is_empty() {
                    all.into_iter().cloned().collect()
                } else {
                    chosen.clone()
                };
                sources.sort();
                sources.dedup();
                let mut source_ids: Vec<String> = sources
                    .iter()
                    .map(|s| match e.source {
                        EventSource::Tasks => self.replication_id(s),
                        EventSource::Instances => self.instance_id(s),
                    })
                    .collect();
                source_ids.sort();
                let mut categories = e.categories.clone();
                categories.sort();
                categories.dedup();
                let d = DesiredEventSubscription {
                    subscription_name: derived_id(&spec.stack, name, e.id.as_deref()),
                    sns_topic_arn: e.topic_arn.clone(),
                    source_type: e.source.dms_name(),
                    event_categories: categories,
                    source_ids,
                    sources,
                    enabled: e.enabled,
                    tags: self.tags(name, &e.tags),
                };
                (name.clone(), d)
            })
            .collect()
    }

    /// One alarm per replication and side of each `cdc_latency` entry, keyed
    /// `<entry>.<replication>.<source|target>`.
    pub(super) fn alarms(&self) -> BTreeMap<String, DesiredAlarm> {
        let spec = self.spec;
        let mut out = BTreeMap::new();
        for (entry, a) in &spec.alerts.cdc_latency {
            let replications: Vec<&String> = if a.replications.is_empty() {
                spec.replications.keys().collect()
            } else {
                a.replications.iter().collect()
            };
            for r in replications {
                for (side, metric, threshold) in [
                    ("source", crate::metrics::SOURCE, a.source_seconds),
                    ("target", crate::metrics::TARGET, a.target_seconds),
                ] {
                    let Some(threshold) = threshold else {
                        continue;
                    };
                    let key = format!("{entry}.{r}.{side}");
                    let d = self.alarm(entry, r, side, metric, threshold, a, &key);
                    out.insert(key, d);
                }
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn alarm(
        &self,
        entry: &str,
        replication: &str,
        side: &str,
        metric: &'static str,
        threshold: f64,
        a: &LatencyAlert,
        key: &str,
    ) -> DesiredAlarm {
        let stack = &self.spec.stack;
        DesiredAlarm {
            alarm_name: alarm_name(stack, entry, replication, side),
            alarm_description: format!(
                "{side} CDC latency of replication `{replication}` above {threshold} s \
                 (dmsctl stack {stack}, alert `{entry}`)"
            ),
            replication: replication.to_string(),
            namespace: crate::metrics::NAMESPACE,
            metric_name: metric,
            statistic: "Maximum",
            comparison_operator: "GreaterThanThreshold",
            threshold,
            period: a.period_seconds.unwrap_or(ALARM_PERIOD),
            evaluation_periods: a.evaluation_periods.unwrap_or(ALARM_EVALUATION_PERIODS),
            datapoints_to_alarm: a.datapoints_to_alarm,
            treat_missing_data: a.missing_data.cloudwatch_name(),
            alarm_actions: a.actions.clone(),
            ok_actions: a.ok_actions.clone(),
            tags: self.tags(key, &a.tags),
        }
    }
}
