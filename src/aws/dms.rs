//! DMS reads: paginated Describe* calls, batched status and tag reads. The conversion of what
//! they return into the domain types of `crate::live` is in `convert`.

use std::collections::BTreeMap;

use aws_sdk_databasemigration as dms;
use dms::types::{
    Endpoint, Replication, ReplicationInstance, ReplicationSubnetGroup, ReplicationTask,
};

use super::errors::cloud_error;
use crate::cloud::{CloudError, ErrorKind, Status, Waitable};
use crate::live::Tags;

/// DMS's maximum (and the emulator's) page size for the Describe* calls.
const PAGE_SIZE: i32 = 100;

/// ARNs per `ListTagsForResource` call. The API reference gives no limit for
/// `ResourceArnList`; 100 keeps each request and response small while making the number of
/// calls grow by one per hundred resources.
pub(crate) const TAG_BATCH: usize = 100;

/// Drains a paginator into one `Vec` of the page member `$items`.
///
/// `ResourceNotFoundFault` on the first page is an empty result: DMS answers a filtered
/// Describe that matches nothing that way (and some accounts do for unfiltered ones). On a later
/// page it is an error, because returning the pages read so far would make resources look
/// absent and the planner would try to create them again.
macro_rules! all_pages {
    ($op:literal, $paginator:expr, $items:ident) => {{
        let mut stream = $paginator.send();
        let mut out = Vec::new();
        let mut first = true;
        while let Some(page) = stream.next().await {
            match page {
                Ok(page) => out.extend(page.$items.unwrap_or_default()),
                Err(e) => {
                    let err = cloud_error($op, &e);
                    if first && err.kind == ErrorKind::NotFound {
                        break;
                    }
                    return Err(err);
                }
            }
            first = false;
        }
        Ok::<_, CloudError>(out)
    }};
}
pub(crate) use all_pages;

/// A Describe filter on `name` matching any of `values`.
pub(crate) fn filter(
    operation: &str,
    name: &str,
    values: &[String],
) -> Result<dms::types::Filter, CloudError> {
    dms::types::Filter::builder()
        .name(name)
        .set_values(Some(values.to_vec()))
        .build()
        .map_err(|e| CloudError {
            kind: ErrorKind::Other,
            operation: operation.to_string(),
            message: e.to_string(),
        })
}

/// `message`, unless it is empty.
fn some(message: Option<String>) -> Option<String> {
    message.filter(|m| !m.is_empty())
}

/// One page-drained Describe call filtered on `$by` by the ARNs of `$batch`: [`all_pages`]
/// with the filter (and any further settings, such as `.without_settings(true)`).
macro_rules! filtered {
    ($client:expr, $op:literal, $describe:ident $(.$set:ident($arg:expr))*, $by:literal, $items:ident, $batch:expr) => {
        all_pages!(
            $op,
            $client
                .$describe()
                .filters(filter($op, $by, $batch)?)
                $(.$set($arg))*
                .into_paginator()
                .page_size(PAGE_SIZE),
            $items
        )
    };
}

/// The statuses of resources of one kind, by ARN: one Describe filtered by up to
/// [`TAG_BATCH`] ARNs, paged, per batch. A resource that no longer exists is absent. Polls
/// need no task settings, which can be large: they are left out.
pub(crate) async fn statuses(
    client: &dms::Client,
    kind: Waitable,
    arns: &[String],
) -> Result<BTreeMap<String, Status>, CloudError> {
    let mut out = BTreeMap::new();
    for batch in arns.chunks(TAG_BATCH) {
        match kind {
            Waitable::Instance => out.extend(by_arn(filtered!(
                client,
                "DescribeReplicationInstances",
                describe_replication_instances,
                "replication-instance-arn",
                replication_instances,
                batch
            )?)),
            Waitable::Endpoint => out.extend(by_arn(filtered!(
                client,
                "DescribeEndpoints",
                describe_endpoints,
                "endpoint-arn",
                endpoints,
                batch
            )?)),
            Waitable::Task => out.extend(by_arn(filtered!(
                client,
                "DescribeReplicationTasks",
                describe_replication_tasks.without_settings(true),
                "replication-task-arn",
                replication_tasks,
                batch
            )?)),
            Waitable::ReplicationConfig => out.extend(by_arn(filtered!(
                client,
                "DescribeReplications",
                describe_replications,
                "replication-config-arn",
                replications,
                batch
            )?)),
        }
    }
    Ok(out)
}

/// A resource DMS reports a status for.
trait HasStatus {
    /// Its ARN (for a serverless replication: its config's) and status.
    fn status(self) -> Option<(String, Status)>;
}

/// Each resource's status by ARN.
fn by_arn<T: HasStatus>(found: Vec<T>) -> impl Iterator<Item = (String, Status)> {
    found.into_iter().filter_map(HasStatus::status)
}

impl HasStatus for ReplicationInstance {
    fn status(self) -> Option<(String, Status)> {
        let status = Status {
            status: self.replication_instance_status.unwrap_or_default(),
            message: None,
            checkpoint: None,
            assessment: None,
        };
        Some((self.replication_instance_arn?, status))
    }
}

impl HasStatus for Endpoint {
    fn status(self) -> Option<(String, Status)> {
        let status = Status {
            status: self.status.unwrap_or_default(),
            message: None,
            checkpoint: None,
            assessment: None,
        };
        Some((self.endpoint_arn?, status))
    }
}

impl HasStatus for ReplicationTask {
    fn status(self) -> Option<(String, Status)> {
        let status = Status {
            status: self.status.unwrap_or_default(),
            message: some(self.last_failure_message).or(some(self.stop_reason)),
            checkpoint: some(self.recovery_checkpoint),
            assessment: None,
        };
        Some((self.replication_task_arn?, status))
    }
}

impl HasStatus for Replication {
    fn status(self) -> Option<(String, Status)> {
        let failures = self.failure_messages.unwrap_or_default().join("; ");
        let status = Status {
            status: self.status.unwrap_or_default(),
            message: some(Some(failures)).or(some(self.stop_reason)),
            checkpoint: some(self.recovery_checkpoint),
            assessment: latest_assessment(self.premigration_assessment_statuses),
        };
        Some((self.replication_config_arn?, status))
    }
}

/// The newest of a serverless replication's premigration assessments.
fn latest_assessment(
    runs: Option<Vec<dms::types::PremigrationAssessmentStatus>>,
) -> Option<crate::cloud::PremigrationAssessment> {
    let run = runs?.into_iter().max_by(|a, b| {
        let at = |r: &dms::types::PremigrationAssessmentStatus| {
            r.premigration_assessment_run_creation_date
                .map(|d| (d.secs(), d.subsec_nanos()))
        };
        at(a).cmp(&at(b))
    })?;
    let stats = run.result_statistic.as_ref();
    let results = run.result_location_bucket.as_ref().map(|b| {
        format!(
            "s3://{b}/{}",
            run.result_location_folder.as_deref().unwrap_or("")
        )
    });
    Some(crate::cloud::PremigrationAssessment {
        arn: run
            .premigration_assessment_run_arn
            .clone()
            .unwrap_or_default(),
        status: run.status.clone().unwrap_or_default(),
        message: some(run.last_failure_message.clone()),
        results,
        failed: stats.map(|s| s.failed),
        warning: stats.map(|s| s.warning),
        passed: stats.map(|s| s.passed),
    })
}

pub(crate) async fn endpoints(client: &dms::Client) -> Result<Vec<Endpoint>, CloudError> {
    all_pages!(
        "DescribeEndpoints",
        client
            .describe_endpoints()
            .into_paginator()
            .page_size(PAGE_SIZE),
        endpoints
    )
}

pub(crate) async fn instances(
    client: &dms::Client,
) -> Result<Vec<ReplicationInstance>, CloudError> {
    all_pages!(
        "DescribeReplicationInstances",
        client
            .describe_replication_instances()
            .into_paginator()
            .page_size(PAGE_SIZE),
        replication_instances
    )
}

pub(crate) async fn tasks(client: &dms::Client) -> Result<Vec<ReplicationTask>, CloudError> {
    all_pages!(
        "DescribeReplicationTasks",
        client
            .describe_replication_tasks()
            .without_settings(false)
            .into_paginator()
            .page_size(PAGE_SIZE),
        replication_tasks
    )
}

pub(crate) async fn replication_configs(
    client: &dms::Client,
) -> Result<Vec<dms::types::ReplicationConfig>, CloudError> {
    all_pages!(
        "DescribeReplicationConfigs",
        client
            .describe_replication_configs()
            .into_paginator()
            .page_size(PAGE_SIZE),
        replication_configs
    )
}

pub(crate) async fn replications(
    client: &dms::Client,
) -> Result<Vec<dms::types::Replication>, CloudError> {
    all_pages!(
        "DescribeReplications",
        client
            .describe_replications()
            .into_paginator()
            .page_size(PAGE_SIZE),
        replications
    )
}

pub(crate) async fn certificates(
    client: &dms::Client,
) -> Result<Vec<dms::types::Certificate>, CloudError> {
    all_pages!(
        "DescribeCertificates",
        client
            .describe_certificates()
            .into_paginator()
            .page_size(PAGE_SIZE),
        certificates
    )
}

pub(crate) async fn event_subscriptions(
    client: &dms::Client,
) -> Result<Vec<dms::types::EventSubscription>, CloudError> {
    all_pages!(
        "DescribeEventSubscriptions",
        client
            .describe_event_subscriptions()
            .into_paginator()
            .page_size(PAGE_SIZE),
        event_subscriptions_list
    )
}

pub(crate) async fn subnet_groups(
    client: &dms::Client,
) -> Result<Vec<ReplicationSubnetGroup>, CloudError> {
    all_pages!(
        "DescribeReplicationSubnetGroups",
        client
            .describe_replication_subnet_groups()
            .into_paginator()
            .page_size(PAGE_SIZE),
        replication_subnet_groups
    )
}

/// Tags of every ARN, [`TAG_BATCH`] ARNs per `ListTagsForResource` call, batches in parallel.
/// ARNs without tags are absent from the result.
pub(crate) async fn tags(
    client: &dms::Client,
    arns: &[String],
) -> Result<BTreeMap<String, Tags>, CloudError> {
    let mut set = tokio::task::JoinSet::new();
    for batch in arns.chunks(TAG_BATCH) {
        let client = client.clone();
        let batch = batch.to_vec();
        set.spawn(async move {
            let out = client
                .list_tags_for_resource()
                .set_resource_arn_list(Some(batch.clone()))
                .send()
                .await
                .map_err(|e| cloud_error("ListTagsForResource", &e))?;
            Ok::<_, CloudError>((batch, out.tag_list.unwrap_or_default()))
        });
    }
    let mut all: BTreeMap<String, Tags> = BTreeMap::new();
    while let Some(joined) = set.join_next().await {
        let (batch, tags) = joined.map_err(|e| CloudError {
            kind: ErrorKind::Other,
            operation: "ListTagsForResource".into(),
            message: format!("tag reader task failed: {e}"),
        })??;
        // With `ResourceArnList` each tag names its resource. A single-ARN batch is attributed
        // to that ARN even if the service leaves `ResourceArn` out.
        let only = if batch.len() == 1 {
            batch.first().cloned()
        } else {
            None
        };
        for tag in tags {
            let Some(arn) = tag.resource_arn.or_else(|| only.clone()) else {
                continue;
            };
            if let Some(key) = tag.key {
                all.entry(arn)
                    .or_default()
                    .insert(key, tag.value.unwrap_or_default());
            }
        }
    }
    Ok(all)
}

pub(crate) use crate::dms::arn_parts;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_parts_of_dms_and_iam() {
        assert_eq!(
            arn_parts("arn:aws:dms:us-east-1:123456789012:endpoint:ABC"),
            Some(("aws", "us-east-1", "123456789012"))
        );
        assert_eq!(
            arn_parts("arn:aws-cn:iam::123456789012:role/dms-vpc-role"),
            Some(("aws-cn", "", "123456789012"))
        );
        assert_eq!(arn_parts("not-an-arn"), None);
    }
}
