//! [`Cloud`] for [`AwsCloud`]: the whole live state in a number of calls that depends only on
//! pagination and tag batching, never on one call per DMS resource (CloudWatch, which has no
//! batched tag read, takes one per alarm on a DMS latency metric); statuses, table
//! statistics, log events and metrics.

use std::collections::BTreeMap;

use aws_sdk_databasemigration::types::{Replication, ReplicationConfig, ReplicationSubnetGroup};

use super::{alarms, convert, dms, iam, logs, metrics, secrets, write_dms, AwsCloud};
use crate::cloud::{Cloud, CloudError, LogEvent, ReplicationKind, Status, TableStat, Waitable};
use crate::live::{Live, Tags};
use crate::metrics::{CdcLatency, MetricSubject};
use crate::model::{CLOUDWATCH_LOGS_ROLE, VPC_ROLE};

impl AwsCloud {
    /// Reads everything that does not depend on anything else at once, puts it in a
    /// [`Live`], then reads the tags of all of it in batches.
    async fn read_live(&self) -> Result<Live, CloudError> {
        let (
            endpoints,
            instances,
            tasks,
            configs,
            replications,
            subnet_groups,
            certificates,
            subscriptions,
            alarms,
            logs_role,
            vpc_role,
            task_logs,
            serverless_logs,
        ) = tokio::try_join!(
            dms::endpoints(&self.dms),
            dms::instances(&self.dms),
            dms::tasks(&self.dms),
            dms::replication_configs(&self.dms),
            dms::replications(&self.dms),
            dms::subnet_groups(&self.dms),
            dms::certificates(&self.dms),
            dms::event_subscriptions(&self.dms),
            alarms::latency_alarms(&self.metrics),
            iam::role(&self.iam, CLOUDWATCH_LOGS_ROLE),
            iam::role(&self.iam, VPC_ROLE),
            logs::log_groups(&self.logs, logs::PREFIXES[0]),
            logs::log_groups(&self.logs, logs::PREFIXES[1]),
        )?;

        let mut live = Live::default();
        for e in endpoints {
            let e = convert::endpoint(e);
            live.endpoints.insert(e.identifier.to_lowercase(), e);
        }
        for i in instances {
            let i = convert::instance(i);
            live.instances.insert(i.identifier.to_lowercase(), i);
        }
        for t in tasks {
            let t = convert::task(t);
            live.tasks.insert(t.identifier.to_lowercase(), t);
        }
        add_replication_configs(&mut live, configs, &replications);
        for c in certificates {
            let c = crate::live::LiveCertificate {
                arn: c.certificate_arn.unwrap_or_default(),
                identifier: c.certificate_identifier.unwrap_or_default(),
                pem: c.certificate_pem,
                tags: Tags::new(),
            };
            live.certificates.insert(c.identifier.to_lowercase(), c);
        }
        let region = self.dms.config().region().map(|r| r.to_string());
        for e in subscriptions {
            let e = convert::event_subscription(e, region.as_deref());
            live.event_subscriptions.insert(e.name.to_lowercase(), e);
        }
        for a in alarms {
            live.alarms.insert(a.name.to_lowercase(), a);
        }
        for role in [logs_role, vpc_role].into_iter().flatten() {
            live.roles.insert(role.name.clone(), role);
        }
        for g in task_logs.into_iter().chain(serverless_logs) {
            live.log_groups.insert(g.name.clone(), g);
        }
        self.add_subnet_groups(&mut live, subnet_groups);
        self.add_tags(&mut live).await?;
        Ok(live)
    }

    /// DescribeReplicationSubnetGroups returns no ARN, but tags are keyed by ARN. DMS's
    /// subnet-group ARN is `arn:<partition>:dms:<region>:<account>:subgrp:<identifier>`; the
    /// partition, region and account come from any other ARN read. With none known (an
    /// account with subnet groups and nothing else, not even the DMS roles) the groups keep
    /// an empty ARN and no tags: they then look unmanaged, which is the safe reading.
    fn add_subnet_groups(&self, live: &mut Live, groups: Vec<ReplicationSubnetGroup>) {
        let prefix = self.subnet_group_arn_prefix(live);
        for g in groups {
            let arn = prefix.as_ref().and_then(|p| {
                g.replication_subnet_group_identifier
                    .as_deref()
                    .map(|id| format!("{p}{}", id.to_lowercase()))
            });
            let g = convert::subnet_group(g, arn);
            live.subnet_groups.insert(g.identifier.to_lowercase(), g);
        }
    }

    /// Reads the tags of every DMS resource in `live` (batched) and gives each its own.
    async fn add_tags(&self, live: &mut Live) -> Result<(), CloudError> {
        let arns: Vec<String> = live
            .endpoints
            .values()
            .map(|r| &r.arn)
            .chain(live.instances.values().map(|r| &r.arn))
            .chain(live.tasks.values().map(|r| &r.arn))
            .chain(live.replication_configs.values().map(|r| &r.arn))
            .chain(live.subnet_groups.values().map(|r| &r.arn))
            .chain(live.certificates.values().map(|r| &r.arn))
            .chain(live.event_subscriptions.values().map(|r| &r.arn))
            .filter(|arn| !arn.is_empty())
            .cloned()
            .collect();
        let mut tags = dms::tags(&self.dms, &arns).await?;
        let mut take = |arn: &str| -> Tags { tags.remove(arn).unwrap_or_default() };
        for r in live.endpoints.values_mut() {
            r.tags = take(&r.arn);
        }
        for r in live.instances.values_mut() {
            r.tags = take(&r.arn);
        }
        for r in live.tasks.values_mut() {
            r.tags = take(&r.arn);
        }
        for r in live.replication_configs.values_mut() {
            r.tags = take(&r.arn);
        }
        for r in live.subnet_groups.values_mut() {
            r.tags = take(&r.arn);
        }
        for r in live.certificates.values_mut() {
            r.tags = take(&r.arn);
        }
        for r in live.event_subscriptions.values_mut() {
            r.tags = take(&r.arn);
        }
        Ok(())
    }

    /// `arn:<partition>:dms:<region>:<account>:subgrp:` from the first ARN that names an
    /// account; the region is the DMS ARN's, else the client's.
    fn subnet_group_arn_prefix(&self, live: &Live) -> Option<String> {
        let dms_arn = live
            .endpoints
            .values()
            .map(|r| r.arn.as_str())
            .chain(live.instances.values().map(|r| r.arn.as_str()))
            .chain(live.tasks.values().map(|r| r.arn.as_str()))
            .chain(live.replication_configs.values().map(|r| r.arn.as_str()))
            .find_map(dms::arn_parts);
        let (partition, region, account) = match dms_arn {
            Some((p, r, a)) => (p.to_string(), r.to_string(), a.to_string()),
            None => {
                let (p, _, a) = live.roles.values().find_map(|r| dms::arn_parts(&r.arn))?;
                let region = self.dms.config().region()?.to_string();
                (p.to_string(), region, a.to_string())
            }
        };
        Some(format!("arn:{partition}:dms:{region}:{account}:subgrp:"))
    }
}

impl Cloud for AwsCloud {
    fn read(&self) -> impl std::future::Future<Output = Result<Live, CloudError>> + Send {
        self.read_live()
    }

    fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.snapshot()
    }

    fn secret_value(
        &self,
        secret_id: &str,
    ) -> impl std::future::Future<Output = Result<crate::cloud::SecretValue, CloudError>> + Send
    {
        secrets::secret_value(&self.secrets, secret_id)
    }

    async fn statuses(
        &self,
        kind: Waitable,
        arns: &[String],
    ) -> Result<BTreeMap<String, Status>, CloudError> {
        dms::statuses(&self.dms, kind, arns).await
    }

    async fn table_statistics(
        &self,
        kind: ReplicationKind,
        arn: &str,
    ) -> Result<Vec<TableStat>, CloudError> {
        match kind {
            ReplicationKind::Task => write_dms::task_table_statistics(&self.dms, arn).await,
            ReplicationKind::Serverless => {
                write_dms::replication_table_statistics(&self.dms, arn).await
            }
        }
    }

    async fn log_events(
        &self,
        group: &str,
        stream_prefix: &str,
        since_ms: i64,
        filter: Option<&str>,
    ) -> Result<Vec<LogEvent>, CloudError> {
        logs::log_events(&self.logs, group, stream_prefix, since_ms, filter).await
    }

    async fn cdc_latency(
        &self,
        subjects: &[MetricSubject],
    ) -> Result<BTreeMap<String, CdcLatency>, CloudError> {
        metrics::cdc_latency(&self.metrics, subjects).await
    }
}

/// The replication configs, each with the status of its replication (when it has one).
fn add_replication_configs(
    live: &mut Live,
    configs: Vec<ReplicationConfig>,
    replications: &[Replication],
) {
    let by_config: BTreeMap<&str, &Replication> = replications
        .iter()
        .filter_map(|r| Some((r.replication_config_arn.as_deref()?, r)))
        .collect();
    for c in configs {
        let replication = c
            .replication_config_arn
            .as_deref()
            .and_then(|arn| by_config.get(arn).copied());
        let c = convert::replication_config(c, replication);
        live.replication_configs
            .insert(c.identifier.to_lowercase(), c);
    }
}
