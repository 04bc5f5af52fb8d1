//! Cost Explorer and the Price List API, for `dmsctl cost --actual` and `--prices aws`.
//!
//! Cost Explorer bills each request (USD 0.01), so every question is asked once: one
//! `ListCostAllocationTags` for the stack's two tag keys, one `GetCostAndUsage` per page of
//! the answer (monthly granularity: a 30-day period is one or two periods, one page). The
//! Price List API answers only in a few regions (us-east-1 among them), whatever region the
//! spec is in, so its client is pinned to us-east-1.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use aws_sdk_cloudwatch as cw;
use aws_sdk_costexplorer as ce;
use aws_sdk_pricing as pricing;
use aws_types::region::Region;

use super::calls::CallLog;
use super::errors::cloud_error;
use crate::cloud::{Billing, CloudError, ErrorKind};
use crate::cost::actual::{CostAnswer, CostGroup, CostQuery, TagState, SERVICE};
use crate::cost::observed::InstanceUsage;
use crate::model::{TAG_NAME, TAG_STACK};

/// The region whose Price List endpoint dmsctl calls.
const PRICE_LIST_REGION: &str = "us-east-1";
/// Cost Explorer's metrics dmsctl reads.
const COST: &str = "UnblendedCost";
const USAGE: &str = "UsageQuantity";

/// The billing clients, counted like the others.
#[derive(Debug, Clone)]
pub struct AwsBilling {
    ce: ce::Client,
    pricing: pricing::Client,
    metrics: cw::Client,
    calls: CallLog,
}

impl AwsBilling {
    pub fn new(config: &SdkConfig) -> Self {
        let calls = CallLog::default();
        let ce = ce::Client::from_conf(
            ce::config::Builder::from(config)
                .interceptor(calls.interceptor("ce"))
                .build(),
        );
        let pricing = pricing::Client::from_conf(
            pricing::config::Builder::from(config)
                .region(Region::new(PRICE_LIST_REGION))
                .interceptor(calls.interceptor("pricing"))
                .build(),
        );
        let metrics = cw::Client::from_conf(
            cw::config::Builder::from(config)
                .interceptor(calls.interceptor("cloudwatch"))
                .build(),
        );
        AwsBilling {
            ce,
            pricing,
            metrics,
            calls,
        }
    }
}

/// The instance metrics read for `--observed`: (query id prefix, metric, statistic).
const INSTANCE_METRICS: [(&str, &str, &str); 4] = [
    ("ca", "CPUUtilization", "Average"),
    ("cm", "CPUUtilization", "Maximum"),
    ("fa", "FreeableMemory", "Average"),
    ("fm", "FreeableMemory", "Minimum"),
];
/// One point an hour: enough to find the peak hour, few enough for a year in one answer.
const USAGE_PERIOD: i32 = 3600;

fn invalid(operation: &str, e: impl std::fmt::Display) -> CloudError {
    CloudError {
        kind: ErrorKind::Other,
        operation: operation.to_string(),
        message: e.to_string(),
    }
}

fn number(m: Option<&ce::types::MetricValue>) -> Option<f64> {
    m.and_then(|v| v.amount())
        .and_then(|a| a.trim().parse::<f64>().ok())
}

impl Billing for AwsBilling {
    fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.snapshot()
    }

    async fn cost_allocation_tags(&self) -> Result<BTreeMap<String, TagState>, CloudError> {
        let mut out: BTreeMap<String, TagState> = [TAG_STACK, TAG_NAME]
            .into_iter()
            .map(|k| (k.to_string(), TagState::Unknown))
            .collect();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .ce
                .list_cost_allocation_tags()
                .tag_keys(TAG_STACK)
                .tag_keys(TAG_NAME)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| cloud_error("ListCostAllocationTags", &e))?;
            for t in page.cost_allocation_tags() {
                if let Some(state) = out.get_mut(t.tag_key()) {
                    *state = match t.status() {
                        ce::types::CostAllocationTagStatus::Active => TagState::Active,
                        _ => TagState::Inactive,
                    };
                }
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }

    async fn dms_cost(&self, q: &CostQuery) -> Result<CostAnswer, CloudError> {
        let op = "GetCostAndUsage";
        let period = ce::types::DateInterval::builder()
            .start(&q.start)
            .end(&q.end)
            .build()
            .map_err(|e| invalid(op, e))?;
        let service = ce::types::Expression::builder()
            .dimensions(
                ce::types::DimensionValues::builder()
                    .key(ce::types::Dimension::Service)
                    .values(SERVICE)
                    .build(),
            )
            .build();
        let filter = match &q.stack {
            Some(stack) => ce::types::Expression::builder()
                .and(service)
                .and(
                    ce::types::Expression::builder()
                        .tags(
                            ce::types::TagValues::builder()
                                .key(TAG_STACK)
                                .values(stack)
                                .build(),
                        )
                        .build(),
                )
                .build(),
            None => service,
        };
        let mut answer = CostAnswer::default();
        let mut token: Option<String> = None;
        loop {
            let mut req = self
                .ce
                .get_cost_and_usage()
                .time_period(period.clone())
                .granularity(ce::types::Granularity::Monthly)
                .metrics(COST)
                .metrics(USAGE)
                .filter(filter.clone())
                .set_next_page_token(token.take());
            if q.by_name {
                req = req.group_by(
                    ce::types::GroupDefinition::builder()
                        .r#type(ce::types::GroupDefinitionType::Tag)
                        .key(TAG_NAME)
                        .build(),
                );
            }
            let page = req.send().await.map_err(|e| cloud_error(op, &e))?;
            for period in page.results_by_time() {
                answer.estimated |= period.estimated();
                if q.by_name {
                    for g in period.groups() {
                        let metrics = g.metrics();
                        let cost = metrics.and_then(|m| m.get(COST));
                        answer.groups.push(CostGroup {
                            key: Some(g.keys().first().cloned().unwrap_or_default()),
                            amount: number(cost),
                            unit: cost.and_then(|c| c.unit()).map(str::to_string),
                            usage: number(metrics.and_then(|m| m.get(USAGE))),
                        });
                    }
                } else if let Some(total) = period.total() {
                    let cost = total.get(COST);
                    answer.groups.push(CostGroup {
                        key: None,
                        amount: number(cost),
                        unit: cost.and_then(|c| c.unit()).map(str::to_string),
                        usage: number(total.get(USAGE)),
                    });
                }
            }
            match page.next_page_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(answer),
            }
        }
    }

    async fn dms_products(&self, region: &str) -> Result<Vec<String>, CloudError> {
        let op = "GetProducts";
        let filter = pricing::types::Filter::builder()
            .r#type(pricing::types::FilterType::TermMatch)
            .field("regionCode")
            .value(region)
            .build()
            .map_err(|e| invalid(op, e))?;
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .pricing
                .get_products()
                .service_code(crate::cost::pricelist::SERVICE_CODE)
                .filters(filter.clone())
                .format_version("aws_v1")
                .max_results(100)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| cloud_error(op, &e))?;
            out.extend(page.price_list().iter().cloned());
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }

    async fn instance_usage(
        &self,
        identifiers: &[String],
        start: i64,
        end: i64,
    ) -> Result<BTreeMap<String, InstanceUsage>, CloudError> {
        let mut out = BTreeMap::new();
        // GetMetricData takes 500 queries a call: 4 per instance.
        for (chunk_no, chunk) in identifiers.chunks(125).enumerate() {
            let mut queries = Vec::with_capacity(chunk.len() * 4);
            for (i, id) in chunk.iter().enumerate() {
                for (prefix, metric, stat) in INSTANCE_METRICS {
                    queries.push(
                        cw::types::MetricDataQuery::builder()
                            .id(format!("{prefix}{i}"))
                            .metric_stat(
                                cw::types::MetricStat::builder()
                                    .metric(
                                        cw::types::Metric::builder()
                                            .namespace(crate::metrics::NAMESPACE)
                                            .metric_name(metric)
                                            .dimensions(
                                                cw::types::Dimension::builder()
                                                    .name("ReplicationInstanceIdentifier")
                                                    .value(id)
                                                    .build(),
                                            )
                                            .build(),
                                    )
                                    .period(USAGE_PERIOD)
                                    .stat(stat)
                                    .build(),
                            )
                            .return_data(true)
                            .build(),
                    );
                }
            }
            let mut points: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            let mut pages = self
                .metrics
                .get_metric_data()
                .set_metric_data_queries(Some(queries))
                .start_time(aws_smithy_types::DateTime::from_secs(start))
                .end_time(aws_smithy_types::DateTime::from_secs(end))
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| cloud_error("GetMetricData", &e))?;
                for r in page.metric_data_results() {
                    if let Some(id) = r.id() {
                        points
                            .entry(id.to_string())
                            .or_default()
                            .extend(r.values().iter().copied().filter(|v| v.is_finite()));
                    }
                }
            }
            tracing::debug!("instance usage chunk {chunk_no}: {} series", points.len());
            for (i, id) in chunk.iter().enumerate() {
                let get = |prefix: &str| {
                    points
                        .get(&format!("{prefix}{i}"))
                        .filter(|v| !v.is_empty())
                };
                let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
                let usage = InstanceUsage {
                    cpu_average: get("ca").map(mean),
                    cpu_peak: get("cm").map(|v| v.iter().copied().fold(f64::MIN, f64::max)),
                    freeable_memory_average: get("fa").map(mean),
                    freeable_memory_lowest: get("fm")
                        .map(|v| v.iter().copied().fold(f64::MAX, f64::min)),
                };
                out.insert(id.clone(), usage);
            }
        }
        Ok(out)
    }
}
