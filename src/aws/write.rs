//! `CloudWrite` for [`AwsCloud`]: IAM and CloudWatch Logs calls here, DMS calls in
//! `write_dms`. Each method is one AWS operation (the SDK retries throttling and 5xx); waiting,
//! ordering and deciding what to call belong to the executor.

use super::errors::cloud_error;
use super::{alarms, dms, write_dms, AwsCloud};
use crate::cloud::{CdcStart, CloudError, CloudWrite, EndpointSecrets, ErrorKind, StartKind};
use crate::model::{
    DesiredAlarm, DesiredCertificate, DesiredEndpoint, DesiredEventSubscription, DesiredInstance,
    DesiredReplicationConfig, DesiredRole, DesiredSubnetGroup, DesiredTask, Tag, VPC_ROLE,
};

impl AwsCloud {
    /// The ARN of the subnet group `identifier`, which DMS never returns:
    /// `arn:<partition>:dms:<region>:<account>:subgrp:<identifier in lowercase>`, as the reader
    /// builds it. The account and partition come from `dms-vpc-role`, which must exist before
    /// DMS accepts a subnet group at all; the region is the DMS client's.
    async fn subnet_group_arn(&self, identifier: &str) -> Result<String, CloudError> {
        const OP: &str = "CreateReplicationSubnetGroup";
        let role = self
            .iam
            .get_role()
            .role_name(VPC_ROLE)
            .send()
            .await
            .map_err(|e| {
                let cause = cloud_error("GetRole", &e);
                CloudError {
                    // The group exists now: "not found" must not read as if it did not.
                    kind: match cause.kind {
                        ErrorKind::NotFound => ErrorKind::Other,
                        kind => kind,
                    },
                    message: format!(
                        "subnet group `{identifier}` was created, but its ARN needs the account \
                         id from {VPC_ROLE}: {cause}"
                    ),
                    ..cause
                }
            })?;
        let role_arn = role.role.map(|r| r.arn).unwrap_or_default();
        let (partition, _, account) = dms::arn_parts(&role_arn).ok_or_else(|| {
            write_dms::local_error(OP, format!("{VPC_ROLE} has no usable ARN: `{role_arn}`"))
        })?;
        let region = self
            .dms
            .config()
            .region()
            .map(|r| r.to_string())
            .ok_or_else(|| write_dms::local_error(OP, "the DMS client has no region"))?;
        Ok(format!(
            "arn:{partition}:dms:{region}:{account}:subgrp:{}",
            identifier.to_lowercase()
        ))
    }

    async fn set_retention(&self, group: &str, days: i32) -> Result<(), CloudError> {
        const CREATE: &str = "CreateLogGroup";
        if let Err(e) = self
            .logs
            .create_log_group()
            .log_group_name(group)
            .send()
            .await
        {
            let err = cloud_error(CREATE, &e);
            // The group usually exists already: DMS creates it on a task's first run.
            if err.kind != ErrorKind::AlreadyExists {
                return Err(err);
            }
        }
        self.logs
            .put_retention_policy()
            .log_group_name(group)
            .retention_in_days(days)
            .send()
            .await
            .map_err(|e| cloud_error("PutRetentionPolicy", &e))?;
        Ok(())
    }
}

impl CloudWrite for AwsCloud {
    async fn create_role(&self, role: &DesiredRole) -> Result<(), CloudError> {
        self.iam
            .create_role()
            .role_name(&role.role_name)
            .assume_role_policy_document(role.assume_role_policy_document.to_string())
            .description("Lets AWS DMS use this account's resources (ensured by dmsctl)")
            .send()
            .await
            .map_err(|e| cloud_error("CreateRole", &e))?;
        Ok(())
    }

    async fn attach_role_policy(&self, role: &str, policy_arn: &str) -> Result<(), CloudError> {
        self.iam
            .attach_role_policy()
            .role_name(role)
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(|e| cloud_error("AttachRolePolicy", &e))?;
        Ok(())
    }

    async fn update_trust_policy(
        &self,
        role: &str,
        document: &serde_json::Value,
    ) -> Result<(), CloudError> {
        self.iam
            .update_assume_role_policy()
            .role_name(role)
            .policy_document(document.to_string())
            .send()
            .await
            .map_err(|e| cloud_error("UpdateAssumeRolePolicy", &e))?;
        Ok(())
    }

    async fn set_log_retention(&self, group: &str, days: i32) -> Result<(), CloudError> {
        self.set_retention(group, days).await
    }

    async fn create_subnet_group(&self, group: &DesiredSubnetGroup) -> Result<String, CloudError> {
        write_dms::create_subnet_group(&self.dms, group).await?;
        self.subnet_group_arn(&group.replication_subnet_group_identifier)
            .await
    }

    async fn modify_subnet_group(&self, group: &DesiredSubnetGroup) -> Result<(), CloudError> {
        write_dms::modify_subnet_group(&self.dms, group).await
    }

    async fn delete_subnet_group(&self, identifier: &str) -> Result<(), CloudError> {
        write_dms::delete_subnet_group(&self.dms, identifier).await
    }

    async fn create_instance(&self, instance: &DesiredInstance) -> Result<String, CloudError> {
        write_dms::create_instance(&self.dms, instance).await
    }

    async fn modify_instance(
        &self,
        arn: &str,
        instance: &DesiredInstance,
    ) -> Result<(), CloudError> {
        write_dms::modify_instance(&self.dms, arn, instance).await
    }

    async fn delete_instance(&self, arn: &str) -> Result<(), CloudError> {
        write_dms::delete_instance(&self.dms, arn).await
    }

    async fn create_endpoint(
        &self,
        endpoint: &DesiredEndpoint,
        secrets: &EndpointSecrets,
    ) -> Result<String, CloudError> {
        write_dms::create_endpoint(&self.dms, endpoint, secrets).await
    }

    async fn modify_endpoint(
        &self,
        arn: &str,
        endpoint: &DesiredEndpoint,
        secrets: Option<&EndpointSecrets>,
    ) -> Result<(), CloudError> {
        write_dms::modify_endpoint(&self.dms, arn, endpoint, secrets).await
    }

    async fn delete_endpoint(&self, arn: &str) -> Result<(), CloudError> {
        write_dms::delete_endpoint(&self.dms, arn).await
    }

    async fn create_task(
        &self,
        task: &DesiredTask,
        source: &str,
        target: &str,
        instance: &str,
    ) -> Result<String, CloudError> {
        write_dms::create_task(&self.dms, task, source, target, instance).await
    }

    async fn modify_task(&self, arn: &str, task: &DesiredTask) -> Result<(), CloudError> {
        write_dms::modify_task(&self.dms, arn, task).await
    }

    async fn delete_task(&self, arn: &str) -> Result<(), CloudError> {
        write_dms::delete_task(&self.dms, arn).await
    }

    async fn start_task(
        &self,
        arn: &str,
        kind: StartKind,
        cdc: Option<&CdcStart>,
    ) -> Result<(), CloudError> {
        write_dms::start_task(&self.dms, arn, kind, cdc).await
    }

    async fn stop_task(&self, arn: &str) -> Result<(), CloudError> {
        write_dms::stop_task(&self.dms, arn).await
    }

    async fn create_replication_config(
        &self,
        config: &DesiredReplicationConfig,
        source: &str,
        target: &str,
    ) -> Result<String, CloudError> {
        write_dms::create_replication_config(&self.dms, config, source, target).await
    }

    async fn modify_replication_config(
        &self,
        arn: &str,
        config: &DesiredReplicationConfig,
        source: &str,
        target: &str,
    ) -> Result<(), CloudError> {
        write_dms::modify_replication_config(&self.dms, arn, config, source, target).await
    }

    async fn delete_replication_config(&self, arn: &str) -> Result<(), CloudError> {
        write_dms::delete_replication_config(&self.dms, arn).await
    }

    async fn import_certificate(&self, c: &DesiredCertificate) -> Result<String, CloudError> {
        write_dms::import_certificate(&self.dms, c).await
    }

    async fn delete_certificate(&self, arn: &str) -> Result<(), CloudError> {
        write_dms::delete_certificate(&self.dms, arn).await
    }

    async fn move_task(&self, arn: &str, instance_arn: &str) -> Result<(), CloudError> {
        write_dms::move_task(&self.dms, arn, instance_arn).await
    }

    async fn start_replication(
        &self,
        arn: &str,
        kind: StartKind,
        cdc: Option<&CdcStart>,
        assessment: Option<&str>,
    ) -> Result<(), CloudError> {
        write_dms::start_replication(&self.dms, arn, kind, cdc, assessment).await
    }

    async fn stop_replication(&self, arn: &str) -> Result<(), CloudError> {
        write_dms::stop_replication(&self.dms, arn).await
    }

    async fn create_event_subscription(
        &self,
        e: &DesiredEventSubscription,
    ) -> Result<String, CloudError> {
        write_dms::create_event_subscription(&self.dms, e).await
    }

    async fn modify_event_subscription(
        &self,
        e: &DesiredEventSubscription,
    ) -> Result<(), CloudError> {
        write_dms::modify_event_subscription(&self.dms, e).await
    }

    async fn delete_event_subscription(&self, name: &str) -> Result<(), CloudError> {
        write_dms::delete_event_subscription(&self.dms, name).await
    }

    async fn put_alarm(
        &self,
        alarm: &DesiredAlarm,
        dimensions: &[(String, String)],
    ) -> Result<(), CloudError> {
        alarms::put_alarm(&self.metrics, alarm, dimensions).await
    }

    async fn delete_alarm(&self, name: &str) -> Result<(), CloudError> {
        alarms::delete_alarm(&self.metrics, name).await
    }

    async fn add_tags(&self, arn: &str, tags: &[Tag]) -> Result<(), CloudError> {
        if alarms::is_cloudwatch(arn) {
            return alarms::add_tags(&self.metrics, arn, tags).await;
        }
        write_dms::add_tags(&self.dms, arn, tags).await
    }

    async fn remove_tags(&self, arn: &str, keys: &[&str]) -> Result<(), CloudError> {
        if alarms::is_cloudwatch(arn) {
            return alarms::remove_tags(&self.metrics, arn, keys).await;
        }
        write_dms::remove_tags(&self.dms, arn, keys).await
    }
}
