//! CDC latency, as DMS reports it: not in the DMS API but as the CloudWatch metrics
//! `CDCLatencySource` (seconds between a commit on the source and DMS reading it) and
//! `CDCLatencyTarget` (seconds between the commit on the source and its apply on the target)
//! in the `AWS/DMS` namespace, one data point a minute while a replication runs.
//!
//! A task's metrics carry the dimensions `ReplicationInstanceIdentifier` and
//! `ReplicationTaskIdentifier` (the task's resource id, the last segment of its ARN). Rather than
//! hard-code the dimensions of every kind (serverless replications name theirs differently), the
//! reader lists the metrics that exist and assigns each to the replication whose ARN, resource
//! id or identifier is one of its dimension values — never by the instance's dimension, which
//! every task on an instance shares.
//!
//! This module is the pure part: which listed metric belongs to whom, and how data points
//! combine. `crate::aws` makes the calls.

use serde::Serialize;

/// The CloudWatch namespace of DMS's metrics.
pub const NAMESPACE: &str = "AWS/DMS";
/// Source latency, in seconds.
pub const SOURCE: &str = "CDCLatencySource";
/// Target latency, in seconds.
pub const TARGET: &str = "CDCLatencyTarget";
/// The dimension every task on an instance shares: never used to tell replications apart.
const INSTANCE_DIMENSION: &str = "ReplicationInstanceIdentifier";

/// A replication whose latency is wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricSubject {
    pub arn: String,
    pub identifier: String,
}

impl MetricSubject {
    /// DMS's resource id: the last segment of the ARN.
    fn resource_id(&self) -> &str {
        crate::dms::resource_id(&self.arn)
    }

    /// The account id in the ARN (`arn:aws:dms:REGION:ACCOUNT:...`).
    fn account(&self) -> Option<&str> {
        self.arn.split(':').nth(4).filter(|a| !a.is_empty())
    }

    fn is_named_by(&self, value: &str) -> bool {
        let names = [
            self.arn.as_str(),
            self.resource_id(),
            self.identifier.as_str(),
        ];
        let same = |v: &str| {
            names
                .iter()
                .any(|n| !n.is_empty() && n.eq_ignore_ascii_case(v))
        };
        // DMS Serverless is reported (by a public Terraform configuration; the DMS guide names
        // no dimension for serverless metrics) to name a replication `<account id>:<replication
        // config identifier>` in `ReplicationConfigId`: the account must be this ARN's.
        let qualified = value
            .split_once(':')
            .filter(|(account, _)| Some(*account) == self.account())
            .is_some_and(|(_, rest)| same(rest));
        same(value) || qualified
    }
}

/// A metric as `ListMetrics` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedMetric {
    pub name: String,
    /// (name, value) pairs.
    pub dimensions: Vec<(String, String)>,
}

/// The index in `subjects` of the replication `metric` belongs to; `None` when no dimension
/// names exactly one of them.
pub fn owner_of(metric: &ListedMetric, subjects: &[MetricSubject]) -> Option<usize> {
    let mut found = None;
    for (name, value) in &metric.dimensions {
        if name == INSTANCE_DIMENSION {
            continue;
        }
        for (i, s) in subjects.iter().enumerate() {
            if s.is_named_by(value) {
                match found {
                    Some(j) if j != i => return None,
                    _ => found = Some(i),
                }
            }
        }
    }
    found
}

/// The newest one-minute maximum of each latency metric of one replication.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CdcLatency {
    pub source_seconds: Option<f64>,
    pub target_seconds: Option<f64>,
    /// When the newest data point was taken (RFC 3339, UTC).
    pub at: Option<String>,
    #[serde(skip)]
    at_epoch: Option<i64>,
}

impl CdcLatency {
    /// Takes in the newest data point of one metric (epoch seconds). Several metrics of the
    /// same name for one replication (dimension sets overlap) keep the largest value.
    pub fn add(&mut self, metric: &str, value: f64, at_epoch: i64) {
        let slot = match metric {
            SOURCE => &mut self.source_seconds,
            TARGET => &mut self.target_seconds,
            _ => return,
        };
        *slot = Some(slot.map_or(value, |v| v.max(value)));
        if self.at_epoch.is_none_or(|t| at_epoch > t) {
            self.at_epoch = Some(at_epoch);
            self.at = chrono::DateTime::from_timestamp(at_epoch, 0)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
    }

    /// `3 s / 5 s`, `-` for a missing side.
    pub fn render(&self) -> String {
        let side = |v: Option<f64>| v.map_or_else(|| "-".to_string(), seconds);
        format!(
            "{} / {}",
            side(self.source_seconds),
            side(self.target_seconds)
        )
    }
}

/// `0 s`, `42 s`, `4m05s`, `2h10m`: latency to the second.
fn seconds(v: f64) -> String {
    let s = v.max(0.0).round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(arn: &str, identifier: &str) -> MetricSubject {
        MetricSubject {
            arn: arn.into(),
            identifier: identifier.into(),
        }
    }

    fn metric(dims: &[(&str, &str)]) -> ListedMetric {
        ListedMetric {
            name: SOURCE.into(),
            dimensions: dims
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn task_metrics_belong_by_resource_id_not_by_instance() {
        let subjects = [
            subject("arn:aws:dms:eu-central-1:1:task:AAA111", "s-history"),
            subject("arn:aws:dms:eu-central-1:1:task:BBB222", "s-recipients"),
        ];
        let m = |task| {
            metric(&[
                ("ReplicationInstanceIdentifier", "s-main"),
                ("ReplicationTaskIdentifier", task),
            ])
        };
        assert_eq!(owner_of(&m("AAA111"), &subjects), Some(0));
        assert_eq!(owner_of(&m("bbb222"), &subjects), Some(1));
        assert_eq!(owner_of(&m("CCC333"), &subjects), None);
        // The instance-wide aggregate names no replication.
        assert_eq!(
            owner_of(
                &metric(&[("ReplicationInstanceIdentifier", "s-history")]),
                &subjects
            ),
            None
        );
    }

    #[test]
    fn serverless_metrics_belong_by_arn_resource_id_or_identifier() {
        let subjects = [subject(
            "arn:aws:dms:eu-central-1:1:replication-config:XYZ",
            "s-history",
        )];
        for value in [
            "arn:aws:dms:eu-central-1:1:replication-config:XYZ",
            "XYZ",
            "s-history",
            "1:s-history",
            "1:XYZ",
        ] {
            assert_eq!(
                owner_of(&metric(&[("ReplicationConfigId", value)]), &subjects),
                Some(0),
                "{value}"
            );
        }
    }

    #[test]
    fn an_account_qualified_value_of_another_account_is_not_a_match() {
        let subjects = [subject(
            "arn:aws:dms:eu-central-1:123456789012:replication-config:XYZ",
            "s-history",
        )];
        let m = |v| metric(&[("ReplicationConfigId", v)]);
        assert_eq!(owner_of(&m("123456789012:s-history"), &subjects), Some(0));
        assert_eq!(owner_of(&m("210987654321:s-history"), &subjects), None);
        assert_eq!(owner_of(&m("123456789012:s-other"), &subjects), None);
    }

    #[test]
    fn a_metric_naming_two_replications_is_nobody_s() {
        let subjects = [
            subject("arn:x:task:A", "one"),
            subject("arn:x:task:B", "two"),
        ];
        assert_eq!(
            owner_of(&metric(&[("X", "A"), ("Y", "two")]), &subjects),
            None
        );
        assert_eq!(
            owner_of(&metric(&[("X", "A"), ("Y", "one")]), &subjects),
            Some(0)
        );
    }

    #[test]
    fn data_points_keep_the_largest_value_and_the_newest_time() {
        let mut l = CdcLatency::default();
        l.add(SOURCE, 3.0, 1_795_000_000);
        l.add(SOURCE, 2.0, 1_795_000_060);
        l.add(TARGET, 75.4, 1_795_000_000);
        l.add("CPUUtilization", 99.0, 1_795_000_120);
        assert_eq!(l.source_seconds, Some(3.0));
        assert_eq!(l.target_seconds, Some(75.4));
        assert_eq!(l.at.as_deref(), Some("2026-11-18T11:07:40Z"));
        assert_eq!(l.render(), "3 s / 1m15s");
        assert_eq!(CdcLatency::default().render(), "- / -");
        let mut long = CdcLatency::default();
        long.add(TARGET, 7800.0, 0);
        assert_eq!(long.render(), "- / 2h10m");
    }
}
