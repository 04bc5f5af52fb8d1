//! The removal half of a step: deletes in an order that DMS accepts, a running task or
//! replication stopped first, each awaited until gone; what is already gone is done.

use std::future::Future;

use super::{deleting, Ctx, StepError};
use crate::apply::wait;
use crate::cloud::{CloudError, CloudWrite, ReplicationKind, Waitable};
use crate::plan::{live_arn, Change, Kind};

const GONE: &str = "already gone";

impl<C: CloudWrite + 'static> Ctx<C> {
    pub(super) async fn remove(&self, c: &Change) -> Result<String, StepError> {
        match c.kind {
            // Account-wide roles and log history: the planner never removes them; should a
            // plan file say otherwise, they still stay.
            Kind::IamRole | Kind::LogGroup => Ok("kept: dmsctl never deletes it".to_string()),
            Kind::SubnetGroup => {
                self.say(c, "deleting");
                let r = self.cloud.delete_subnet_group(&c.id).await;
                let deleted = tolerate_missing(r)?;
                Ok(if deleted { "deleted" } else { GONE }.to_string())
            }
            Kind::Certificate => {
                let Some(arn) = live_arn(&self.live, c.kind, &c.id) else {
                    return Ok(GONE.to_string());
                };
                self.say(c, "deleting");
                let r = self.cloud.delete_certificate(arn).await;
                let deleted = tolerate_missing(r)?;
                Ok(if deleted { "deleted" } else { GONE }.to_string())
            }
            Kind::EventSubscription => {
                if live_arn(&self.live, c.kind, &c.id).is_none() {
                    return Ok(GONE.to_string());
                }
                self.say(c, "deleting");
                let r = self.cloud.delete_event_subscription(&c.id).await;
                let deleted = tolerate_missing(r)?;
                Ok(if deleted { "deleted" } else { GONE }.to_string())
            }
            Kind::Alarm => {
                self.say(c, "deleting");
                let r = self.cloud.delete_alarm(&c.id).await;
                let deleted = tolerate_missing(r)?;
                Ok(if deleted { "deleted" } else { GONE }.to_string())
            }
            Kind::Instance => self.remove_resource(c, Waitable::Instance).await,
            Kind::Endpoint => self.remove_resource(c, Waitable::Endpoint).await,
            Kind::Task => self.remove_replication(c, ReplicationKind::Task).await,
            Kind::ReplicationConfig => {
                self.remove_replication(c, ReplicationKind::Serverless)
                    .await
            }
        }
    }

    /// Deletes an instance or endpoint.
    async fn remove_resource(&self, c: &Change, kind: Waitable) -> Result<String, StepError> {
        let Some(arn) = live_arn(&self.live, c.kind, &c.id) else {
            return Ok(GONE.to_string());
        };
        match kind {
            Waitable::Instance => {
                self.delete(c, kind, arn, || self.cloud.delete_instance(arn))
                    .await?
            }
            _ => {
                self.delete(c, kind, arn, || self.cloud.delete_endpoint(arn))
                    .await?
            }
        }
        Ok("deleted".to_string())
    }

    /// Stops a task or serverless replication, then deletes it.
    async fn remove_replication(
        &self,
        c: &Change,
        kind: ReplicationKind,
    ) -> Result<String, StepError> {
        let Some(arn) = live_arn(&self.live, c.kind, &c.id) else {
            return Ok(GONE.to_string());
        };
        if !self.halt(c, kind, arn).await? {
            return Ok(GONE.to_string());
        }
        let w = kind.waitable();
        match kind {
            ReplicationKind::Task => {
                self.delete(c, w, arn, || self.cloud.delete_task(arn))
                    .await?
            }
            ReplicationKind::Serverless => {
                self.delete(c, w, arn, || self.cloud.delete_replication_config(arn))
                    .await?
            }
        }
        Ok("deleted".to_string())
    }

    /// Makes a delete call (a repeated one finding the resource deleting or gone is done) and
    /// waits until the resource is gone.
    async fn delete<F, Fut>(
        &self,
        c: &Change,
        kind: Waitable,
        arn: &str,
        call: F,
    ) -> Result<(), StepError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(), CloudError>>,
    {
        self.say(c, "deleting");
        if self.settle(kind, arn, call().await, deleting).await? {
            self.wait(c, kind, arn, "deleted", wait::gone).await?;
        }
        Ok(())
    }

    /// Stops a task or replication about to be deleted (DMS refuses to delete a running one)
    /// and waits until it has stopped. `false` when it no longer exists.
    async fn halt(&self, c: &Change, kind: ReplicationKind, arn: &str) -> Result<bool, StepError> {
        let w = kind.waitable();
        let Some(now) = self.cloud.status(w, arn).await? else {
            return Ok(false);
        };
        if !crate::dms::must_stop_before_modify(&now.status) {
            return Ok(true);
        }
        if !now.status.eq_ignore_ascii_case("stopping") {
            self.say(c, "running: stopping it before the delete");
            self.stop(kind, arn).await?;
        }
        self.wait(c, w, arn, "stopped", wait::halted).await?;
        Ok(true)
    }
}

/// A delete of something already gone is a success: the run converges.
fn tolerate_missing(r: Result<(), CloudError>) -> Result<bool, CloudError> {
    match r {
        Ok(()) => Ok(true),
        Err(e) if e.kind == crate::cloud::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}
