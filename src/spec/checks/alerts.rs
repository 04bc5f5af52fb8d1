//! Alerts: event subscriptions of the stack's tasks or instances, and CDC-latency alarms of its
//! replications.

use super::*;

/// PutMetricAlarm's `Period`: "An alarm's total current evaluation period can be no longer
/// than seven days"; with a period under an hour, no longer than one day
/// (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html>).
const ONE_DAY: i64 = 86_400;
/// PutMetricAlarm's `AlarmName` length limit.
const MAX_ALARM_NAME: usize = 255;
/// `AlarmActions` and `OKActions` hold at most 5 ARNs each (PutMetricAlarm).
const MAX_ACTIONS: usize = 5;

impl Checker<'_> {
    pub(super) fn alerts(&mut self) {
        let alerts = &self.spec.alerts;
        for (name, e) in &alerts.events {
            self.event_alert(name, e);
        }
        for (name, a) in &alerts.cdc_latency {
            self.latency_alert(name, a);
        }
    }

    fn event_alert(&mut self, name: &str, e: &EventAlert) {
        let spec = self.spec;
        let at = |f: &str| ptr(&["alerts", "events", name, f]);
        if spec.compute.mode == ComputeMode::Serverless {
            self.error_key(
                "unsupported",
                ptr(&["alerts", "events", name]),
                "DMS event subscriptions cover replication instances and tasks only \
                 (CreateEventSubscription's SourceType is `replication-instance` or \
                 `replication-task`), and this spec runs serverless replications"
                    .into(),
            )
            .help = Some(
                "alarm on CDC latency with `alerts.cdc_latency` instead, which works in both modes"
                    .into(),
            );
            return;
        }
        self.arn(at("topic_arn"), &e.topic_arn, "sns");
        let source_type = e.source.dms_name();
        let known = crate::dms::event_categories(source_type);
        for (i, c) in e.categories.iter().enumerate() {
            if !known.contains(&c.as_str()) {
                let d = self.error(
                    "invalid-value",
                    ptr(&["alerts", "events", name, "categories", &i.to_string()]),
                    format!("`{c}` is not an event category of {source_type}"),
                );
                d.help = Some(match did_you_mean(c, known.iter().copied()) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => format!("categories: {}", one_of(known)),
                });
            }
        }
        let (field, wrong, names, all): (&str, &str, &Vec<String>, Vec<&String>) = match e.source {
            EventSource::Tasks => (
                "replications",
                "instances",
                &e.replications,
                spec.replications.keys().collect(),
            ),
            EventSource::Instances => (
                "instances",
                "replications",
                &e.instances,
                spec.compute.instances.keys().collect(),
            ),
        };
        let wrong_set = match e.source {
            EventSource::Tasks => !e.instances.is_empty(),
            EventSource::Instances => !e.replications.is_empty(),
        };
        if wrong_set {
            self.error(
                "invalid-value",
                at(wrong),
                format!(
                    "`{wrong}` does not go with `source: {}`: this subscription covers {field}",
                    match e.source {
                        EventSource::Tasks => "tasks",
                        EventSource::Instances => "instances",
                    }
                ),
            );
        }
        for (i, n) in names.iter().enumerate() {
            let pointer = ptr(&["alerts", "events", name, field, &i.to_string()]);
            match e.source {
                EventSource::Tasks => {
                    self.reference(pointer, "replication", n, &spec.replications);
                }
                EventSource::Instances => {
                    self.reference(pointer, "instance", n, &spec.compute.instances);
                }
            }
        }
        self.tags(&e.tags, &["alerts", "events", name, "tags"]);
        if names.is_empty() && all.is_empty() {
            self.error_key(
                "invalid-value",
                ptr(&["alerts", "events", name]),
                format!(
                    "the stack has no {field}: a subscription without source ids would notify \
                     about every {} of the account",
                    e.source.dms_name()
                ),
            );
        }
    }

    fn latency_alert(&mut self, name: &str, a: &LatencyAlert) {
        let spec = self.spec;
        let at = |f: &str| ptr(&["alerts", "cdc_latency", name, f]);
        if a.source_seconds.is_none() && a.target_seconds.is_none() {
            self.error_key(
                "missing-field",
                ptr(&["alerts", "cdc_latency", name]),
                "set `source_seconds`, `target_seconds` or both: the latency that raises the alarm"
                    .into(),
            );
        }
        for (field, v) in [
            ("source_seconds", a.source_seconds),
            ("target_seconds", a.target_seconds),
        ] {
            if v.is_some_and(|v| !v.is_finite() || v < 0.0) {
                self.error(
                    "invalid-value",
                    at(field),
                    "a latency threshold is a number of seconds, 0 or more".into(),
                );
            }
        }
        let period = a.period_seconds.unwrap_or(crate::model::ALARM_PERIOD);
        let periods = a
            .evaluation_periods
            .unwrap_or(crate::model::ALARM_EVALUATION_PERIODS);
        if period < 60 || period % 60 != 0 {
            self.error(
                "invalid-value",
                at("period_seconds"),
                format!("a period of {period} s: it must be a multiple of 60"),
            )
            .help = Some(
                "DMS publishes its metrics once a minute at standard resolution, and CloudWatch \
                 evaluates those in periods of whole minutes"
                    .into(),
            );
        }
        if periods < 1 {
            self.error(
                "invalid-value",
                at("evaluation_periods"),
                "at least 1 period is evaluated".into(),
            );
        } else if period > 0 && period < 3600 && period * periods > ONE_DAY {
            self.error(
                "invalid-value",
                at("evaluation_periods"),
                format!(
                    "{periods} periods of {period} s are {} s: CloudWatch evaluates at most one \
                     day with periods shorter than an hour",
                    period * periods
                ),
            );
        } else if period * periods > 7 * ONE_DAY {
            self.error(
                "invalid-value",
                at("evaluation_periods"),
                format!(
                    "{periods} periods of {period} s are more than the seven days CloudWatch \
                     evaluates at most"
                ),
            );
        }
        if let Some(n) = a.datapoints_to_alarm {
            if n < 1 || n > periods {
                self.error(
                    "invalid-value",
                    at("datapoints_to_alarm"),
                    format!("{n} breaching periods of {periods}: it must be 1 to {periods}"),
                );
            }
        }
        for (field, arns) in [("actions", &a.actions), ("ok_actions", &a.ok_actions)] {
            if arns.len() > MAX_ACTIONS {
                self.error(
                    "invalid-value",
                    at(field),
                    format!(
                        "{} actions: CloudWatch takes at most {MAX_ACTIONS}",
                        arns.len()
                    ),
                );
            }
            for (i, arn) in arns.iter().enumerate() {
                let p = ptr(&["alerts", "cdc_latency", name, field, &i.to_string()]);
                self.arn(p, arn, "");
            }
        }
        for (i, r) in a.replications.iter().enumerate() {
            let p = ptr(&[
                "alerts",
                "cdc_latency",
                name,
                "replications",
                &i.to_string(),
            ]);
            self.reference(p, "replication", r, &spec.replications);
        }
        // PutMetricAlarm's AlarmName has at most 255 characters.
        let longest = spec
            .replications
            .keys()
            .filter(|r| a.replications.is_empty() || a.replications.contains(r))
            .map(|r| crate::model::alarm_name(&spec.stack, name, r, "source"))
            .max_by_key(String::len);
        if let Some(alarm) = longest.filter(|n| n.len() > MAX_ALARM_NAME) {
            self.error_key(
                "invalid-identifier",
                ptr(&["alerts", "cdc_latency", name]),
                format!(
                    "alarm name `{alarm}` has {} characters, CloudWatch allows {MAX_ALARM_NAME}",
                    alarm.len()
                ),
            )
            .help = Some(
                "alarms are named `<stack>-<alert>-<replication>-cdc-latency-<side>`: shorten \
                 the alert's name"
                    .into(),
            );
        }
        self.tags(&a.tags, &["alerts", "cdc_latency", name, "tags"]);
    }
}
