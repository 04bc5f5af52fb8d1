//! [`Operations`] for [`AwsCloud`]: `TestConnection`, `DescribeConnections`, `ReloadTables` and
//! `ReloadReplicationTables`.

use aws_sdk_databasemigration as dms;
use dms::types::{ReloadOptionValue, TableToReload};

use super::dms::{all_pages, filter};
use super::errors::cloud_error;
use super::write_dms::local_error;
use super::AwsCloud;
use crate::cloud::{
    AssessmentRun, AssessmentSettings, CloudError, Connection, ErrorKind, IndividualAssessment,
    Operations, ReplicationKind, TableName,
};

/// DescribeConnections' page size (the API allows 20 to 100).
const PAGE_SIZE: i32 = 100;

fn tables(op: &str, tables: &[TableName]) -> Result<Vec<TableToReload>, CloudError> {
    tables
        .iter()
        .map(|t| {
            TableToReload::builder()
                .schema_name(&t.schema)
                .table_name(&t.table)
                .build()
                .map_err(|e| local_error(op, e.to_string()))
        })
        .collect()
}

impl Operations for AwsCloud {
    async fn test_connection(
        &self,
        instance_arn: &str,
        endpoint_arn: &str,
    ) -> Result<(), CloudError> {
        self.dms
            .test_connection()
            .replication_instance_arn(instance_arn)
            .endpoint_arn(endpoint_arn)
            .send()
            .await
            .map_err(|e| cloud_error("TestConnection", &e))?;
        Ok(())
    }

    async fn connections(
        &self,
        instance_arns: &[String],
        endpoint_arns: &[String],
    ) -> Result<Vec<Connection>, CloudError> {
        const OP: &str = "DescribeConnections";
        let mut out = Vec::new();
        if instance_arns.is_empty() || endpoint_arns.is_empty() {
            return Ok(out);
        }
        let found = all_pages!(
            "DescribeConnections",
            self.dms
                .describe_connections()
                .filters(filter(OP, "endpoint-arn", endpoint_arns)?)
                .filters(filter(OP, "replication-instance-arn", instance_arns)?)
                .into_paginator()
                .page_size(PAGE_SIZE),
            connections
        )?;
        for c in found {
            out.push(Connection {
                instance_arn: c.replication_instance_arn.unwrap_or_default(),
                endpoint_arn: c.endpoint_arn.unwrap_or_default(),
                status: c.status.unwrap_or_default(),
                message: c.last_failure_message.filter(|m| !m.is_empty()),
            });
        }
        Ok(out)
    }

    async fn reload_tables(
        &self,
        kind: ReplicationKind,
        arn: &str,
        to_reload: &[TableName],
        validate_only: bool,
    ) -> Result<(), CloudError> {
        let option = if validate_only {
            ReloadOptionValue::ValidateOnly
        } else {
            ReloadOptionValue::DataReload
        };
        match kind {
            ReplicationKind::Task => {
                const OP: &str = "ReloadTables";
                self.dms
                    .reload_tables()
                    .replication_task_arn(arn)
                    .set_tables_to_reload(Some(tables(OP, to_reload)?))
                    .reload_option(option)
                    .send()
                    .await
                    .map_err(|e| cloud_error(OP, &e))?;
            }
            ReplicationKind::Serverless => {
                const OP: &str = "ReloadReplicationTables";
                self.dms
                    .reload_replication_tables()
                    .replication_config_arn(arn)
                    .set_tables_to_reload(Some(tables(OP, to_reload)?))
                    .reload_option(option)
                    .send()
                    .await
                    .map_err(|e| cloud_error(OP, &e))?;
            }
        }
        Ok(())
    }

    async fn start_assessment(
        &self,
        task_arn: &str,
        run_name: &str,
        settings: &AssessmentSettings,
    ) -> Result<String, CloudError> {
        const OP: &str = "StartReplicationTaskAssessmentRun";
        let list = |v: &[String]| (!v.is_empty()).then(|| v.to_vec());
        let out = self
            .dms
            .start_replication_task_assessment_run()
            .replication_task_arn(task_arn)
            .service_access_role_arn(&settings.role_arn)
            .result_location_bucket(&settings.bucket)
            .set_result_location_folder(settings.folder.clone())
            .assessment_run_name(run_name)
            .set_include_only(list(&settings.include))
            .set_exclude(list(&settings.exclude))
            .send()
            .await
            .map_err(|e| cloud_error(OP, &e))?;
        out.replication_task_assessment_run()
            .and_then(|r| r.replication_task_assessment_run_arn())
            .map(str::to_string)
            .ok_or_else(|| local_error(OP, "DMS answered without the run's ARN"))
    }

    async fn assessment_runs(
        &self,
        task_arns: &[String],
    ) -> Result<Vec<AssessmentRun>, CloudError> {
        const OP: &str = "DescribeReplicationTaskAssessmentRuns";
        let mut out = Vec::new();
        if task_arns.is_empty() {
            return Ok(out);
        }
        // A filter that matches nothing is a ResourceNotFoundFault: no runs.
        let runs = all_pages!(
            "DescribeReplicationTaskAssessmentRuns",
            self.dms
                .describe_replication_task_assessment_runs()
                .filters(filter(OP, "replication-task-arn", task_arns)?)
                .into_paginator()
                .page_size(PAGE_SIZE),
            replication_task_assessment_runs
        )?;
        for r in runs {
            out.push(AssessmentRun {
                arn: r.replication_task_assessment_run_arn.unwrap_or_default(),
                task_arn: r.replication_task_arn.unwrap_or_default(),
                name: r.assessment_run_name.unwrap_or_default(),
                status: r.status.unwrap_or_default(),
                message: r.last_failure_message.filter(|m| !m.is_empty()),
                latest: r.is_latest_task_assessment_run,
            });
        }
        Ok(out)
    }

    async fn individual_assessments(
        &self,
        run_arns: &[String],
    ) -> Result<Vec<IndividualAssessment>, CloudError> {
        const OP: &str = "DescribeReplicationTaskIndividualAssessments";
        let mut out = Vec::new();
        if run_arns.is_empty() {
            return Ok(out);
        }
        let found = all_pages!(
            "DescribeReplicationTaskIndividualAssessments",
            self.dms
                .describe_replication_task_individual_assessments()
                .filters(filter(OP, "replication-task-assessment-run-arn", run_arns)?)
                .into_paginator()
                .page_size(PAGE_SIZE),
            replication_task_individual_assessments
        )?;
        for a in found {
            out.push(IndividualAssessment {
                run_arn: a.replication_task_assessment_run_arn.unwrap_or_default(),
                name: a.individual_assessment_name.unwrap_or_default(),
                status: a.status.unwrap_or_default(),
            });
        }
        Ok(out)
    }
}
