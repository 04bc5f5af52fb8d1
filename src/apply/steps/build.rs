//! The build half of a step: creates (recovering an earlier attempt's resource), updates
//! (stop → modify → resume for what runs), tags, and the IAM roles, one function per kind.

use std::future::Future;
use std::sync::atomic::Ordering;

use super::{modifying, Ctx, Made, StepError};
use crate::apply::wait::{self, Check};
use crate::cloud::{
    CloudError, CloudWrite, EndpointSecrets, ErrorKind, ReplicationKind, Status, Waitable,
};
use crate::model::Tag;
use crate::plan::{Action, Change, Kind};

/// A change the spec knows nothing of (was the plan made from another spec?).
fn not_in_spec(c: &Change) -> StepError {
    StepError::Missing(format!(
        "{} `{}` is not in the spec (was the plan made from another spec?)",
        c.kind.noun(),
        c.name
    ))
}

/// A create, or the create half of a replace.
fn creates(c: &Change) -> bool {
    matches!(c.action, Action::Create | Action::Replace)
}

impl<C: CloudWrite + 'static> Ctx<C> {
    pub(super) async fn build(&self, c: &Change) -> Result<String, StepError> {
        match c.kind {
            Kind::IamRole => self.role(c).await,
            Kind::LogGroup => self.build_log_group(c).await,
            Kind::SubnetGroup => self.build_subnet_group(c).await,
            Kind::Certificate => self.build_certificate(c).await,
            Kind::Instance => self.build_instance(c).await,
            Kind::Endpoint => self.build_endpoint(c).await,
            Kind::Task => self.build_task(c).await,
            Kind::ReplicationConfig => self.build_replication_config(c).await,
            Kind::EventSubscription => self.build_event_subscription(c).await,
            Kind::Alarm => self.build_alarm(c).await,
        }
    }

    async fn build_event_subscription(&self, c: &Change) -> Result<String, StepError> {
        let d = self
            .desired
            .event_subscriptions
            .get(&c.name)
            .ok_or_else(|| not_in_spec(c))?;
        if creates(c) {
            self.say(c, "creating");
            let (arn, made) = self
                .create(c, || self.cloud.create_event_subscription(d))
                .await?;
            return self.made(c, &arn, made).await;
        }
        self.say(c, "updating");
        if c.needs_modify() {
            self.cloud.modify_event_subscription(d).await?;
        }
        self.tag(c, &d.tags).await?;
        Ok("updated".to_string())
    }

    /// `PutMetricAlarm` creates or overwrites, so a create repeated after a lost answer meets
    /// its own alarm and goes on. The dimensions name the replication, which exists by now.
    async fn build_alarm(&self, c: &Change) -> Result<String, StepError> {
        let d = self
            .desired
            .alarms
            .get(&c.name)
            .ok_or_else(|| not_in_spec(c))?;
        let kind = self.desired.replication_kind();
        let replication = self.arn_by_name(kind, &d.replication)?;
        let dimensions = self.desired.alarm_dimensions(d, &replication);
        if creates(c) {
            self.say(c, "creating");
            self.cloud.put_alarm(d, &dimensions).await?;
            let arn = crate::model::alarm_arn(&replication, &d.alarm_name).unwrap_or_default();
            self.record(c.kind, &c.id, &arn);
            return Ok(format!("created ({arn})"));
        }
        self.say(c, "updating");
        if c.needs_modify() {
            self.cloud.put_alarm(d, &dimensions).await?;
        }
        self.tag(c, &d.tags).await?;
        Ok("updated".to_string())
    }

    async fn build_log_group(&self, c: &Change) -> Result<String, StepError> {
        let days = self
            .desired
            .log_retention_days
            .ok_or_else(|| not_in_spec(c))?;
        let days = i32::try_from(days).unwrap_or(i32::MAX);
        self.say(c, &format!("setting retention to {days} days"));
        self.cloud.set_log_retention(&c.id, days).await?;
        Ok(format!("retention {days} days"))
    }

    async fn build_subnet_group(&self, c: &Change) -> Result<String, StepError> {
        let d = self
            .desired
            .subnet_groups
            .get(&c.name)
            .ok_or_else(|| not_in_spec(c))?;
        if creates(c) {
            self.say(c, "creating");
            let (arn, made) = self.create(c, || self.cloud.create_subnet_group(d)).await?;
            return self.made(c, &arn, made).await;
        }
        self.say(c, "updating");
        if c.needs_modify() {
            self.cloud.modify_subnet_group(d).await?;
        }
        self.tag(c, &d.tags).await?;
        Ok("updated".to_string())
    }

    async fn build_instance(&self, c: &Change) -> Result<String, StepError> {
        let d = self
            .desired
            .instances
            .get(&c.name)
            .ok_or_else(|| not_in_spec(c))?;
        let (kind, goal) = (Waitable::Instance, "available");
        if creates(c) {
            self.say(c, "creating");
            let (arn, made) = self.create(c, || self.cloud.create_instance(d)).await?;
            self.wait(c, kind, &arn, goal, wait::instance_available)
                .await?;
            return self.made(c, &arn, made).await;
        }
        let arn = self.live_arn_of(c)?;
        self.say(c, "updating");
        if c.needs_modify() {
            let r = self.cloud.modify_instance(&arn, d).await;
            self.settle(kind, &arn, r, modifying).await?;
            self.wait(c, kind, &arn, goal, wait::instance_available)
                .await?;
        }
        self.tag(c, &d.tags).await?;
        Ok("updated".to_string())
    }

    async fn build_certificate(&self, c: &Change) -> Result<String, StepError> {
        let d = self
            .desired
            .certificates
            .get(&c.name)
            .ok_or_else(|| not_in_spec(c))?;
        if creates(c) {
            self.say(c, "importing");
            let (arn, made) = self.create(c, || self.cloud.import_certificate(d)).await?;
            return self.made(c, &arn, made).await;
        }
        // DMS cannot modify a certificate: only its tags change in place.
        self.tag(c, &d.tags).await?;
        Ok("updated".to_string())
    }

    async fn build_endpoint(&self, c: &Change) -> Result<String, StepError> {
        let spec_endpoint = self
            .desired
            .endpoints
            .get(&c.name)
            .ok_or_else(|| not_in_spec(c))?;
        // A certificate named in the spec: its ARN is known once it is imported.
        let resolved;
        let d = match &spec_endpoint.certificate {
            Some(cert) => {
                let mut e = spec_endpoint.clone();
                e.certificate_arn = Some(self.arn_by_name(Kind::Certificate, cert)?);
                resolved = e;
                &resolved
            }
            None => spec_endpoint,
        };
        let secrets = self.secrets.get(&c.name);
        let (kind, goal) = (Waitable::Endpoint, "active");
        if creates(c) {
            self.say(c, "creating");
            let none = EndpointSecrets::default();
            let (arn, made) = self
                .create(c, || {
                    self.cloud.create_endpoint(d, secrets.unwrap_or(&none))
                })
                .await?;
            self.wait(c, kind, &arn, goal, wait::endpoint_active)
                .await?;
            return self.made(c, &arn, made).await;
        }
        let arn = self.live_arn_of(c)?;
        self.say(c, "updating");
        let resend = if self.opts.update_secrets {
            secrets
        } else {
            None
        };
        if c.needs_modify() || resend.is_some() {
            let r = self.cloud.modify_endpoint(&arn, d, resend).await;
            self.settle(kind, &arn, r, modifying).await?;
            self.wait(c, kind, &arn, goal, wait::endpoint_active)
                .await?;
        }
        self.tag(c, &d.tags).await?;
        Ok(if resend.is_some() {
            "updated (secrets re-sent)".to_string()
        } else {
            "updated".to_string()
        })
    }

    async fn build_task(&self, c: &Change) -> Result<String, StepError> {
        let d = self
            .desired
            .tasks
            .get(&c.name)
            .ok_or_else(|| not_in_spec(c))?;
        if creates(c) {
            let source = self.arn_by_name(Kind::Endpoint, &d.source_endpoint)?;
            let target = self.arn_by_name(Kind::Endpoint, &d.target_endpoint)?;
            let instance = self.arn_by_name(Kind::Instance, &d.replication_instance)?;
            self.usable(c, Waitable::Endpoint, &source).await?;
            self.usable(c, Waitable::Endpoint, &target).await?;
            self.usable(c, Waitable::Instance, &instance).await?;
            self.say(c, "creating");
            let (arn, made) = self
                .create(c, || self.cloud.create_task(d, &source, &target, &instance))
                .await?;
            self.wait(c, Waitable::Task, &arn, "ready", wait::task_ready)
                .await?;
            return self.made(c, &arn, made).await;
        }
        let arn = self.live_arn_of(c)?;
        if c.action == Action::Move {
            return self.move_task(c, d, &arn).await;
        }
        self.say(c, "updating");
        let mut done = "updated".to_string();
        if c.needs_modify() {
            let modify = || self.cloud.modify_task(&arn, d);
            let settled = (wait::task_settled as fn(Option<&Status>) -> Check, "ready");
            done = self
                .modify_replication(c, ReplicationKind::Task, &arn, modify, settled)
                .await?;
        }
        self.tag(c, &d.tags).await?;
        Ok(done)
    }

    async fn build_replication_config(&self, c: &Change) -> Result<String, StepError> {
        let d = self
            .desired
            .replication_configs
            .get(&c.name)
            .ok_or_else(|| not_in_spec(c))?;
        let source = self.arn_by_name(Kind::Endpoint, &d.source_endpoint)?;
        let target = self.arn_by_name(Kind::Endpoint, &d.target_endpoint)?;
        if creates(c) {
            self.usable(c, Waitable::Endpoint, &source).await?;
            self.usable(c, Waitable::Endpoint, &target).await?;
            self.say(c, "creating");
            let (arn, made) = self
                .create(c, || {
                    self.cloud.create_replication_config(d, &source, &target)
                })
                .await?;
            return self.made(c, &arn, made).await;
        }
        let arn = self.live_arn_of(c)?;
        self.say(c, "updating");
        let mut done = "updated".to_string();
        if c.needs_modify() {
            let modify = || {
                self.cloud
                    .modify_replication_config(&arn, d, &source, &target)
            };
            // Terraform's provider restarts while still `modifying`, and fails.
            let settled = (
                wait::replication_settled as fn(Option<&Status>) -> Check,
                "done modifying",
            );
            done = self
                .modify_replication(c, ReplicationKind::Serverless, &arn, modify, settled)
                .await?;
        }
        self.tag(c, &d.tags).await?;
        Ok(done)
    }

    /// A task onto the instance the spec names: stop (if it runs) → move → wait → modify what
    /// else differs → tags → resume. Nothing is reloaded; CDC resumes where it was.
    async fn move_task(
        &self,
        c: &Change,
        d: &crate::model::DesiredTask,
        arn: &str,
    ) -> Result<String, StepError> {
        let instance = self.arn_by_name(Kind::Instance, &d.replication_instance)?;
        self.usable(c, Waitable::Instance, &instance).await?;
        let resumed = self.stop_for_modify(c, ReplicationKind::Task, arn).await?;
        self.say(
            c,
            &format!("moving to instance `{}`", d.replication_instance),
        );
        self.cloud.move_task(arn, &instance).await?;
        self.wait(c, Waitable::Task, arn, "moved", wait::task_moved)
            .await?;
        let others = c
            .diffs
            .iter()
            .any(|x| x.field != "ReplicationInstance" && !x.field.starts_with("Tags."));
        if others {
            self.say(c, "modifying");
            let r = self.cloud.modify_task(arn, d).await;
            self.settle(Waitable::Task, arn, r, modifying).await?;
            self.wait(c, Waitable::Task, arn, "ready", wait::task_settled)
                .await?;
        }
        self.tag(c, &d.tags).await?;
        if !resumed {
            return Ok(format!("moved to instance `{}`", d.replication_instance));
        }
        self.say(c, "resuming");
        self.resume(ReplicationKind::Task, arn).await?;
        self.wait(c, Waitable::Task, arn, "running again", wait::resumed())
            .await?;
        Ok(format!(
            "stopped, moved to instance `{}` and resumed",
            d.replication_instance
        ))
    }

    /// Stop → modify → wait until `settled` → resume: a running task or replication is stopped
    /// for the modify and resumed after. Says which of the two happened.
    async fn modify_replication<F, Fut>(
        &self,
        c: &Change,
        kind: ReplicationKind,
        arn: &str,
        modify: F,
        (settled, goal): (fn(Option<&Status>) -> Check, &str),
    ) -> Result<String, StepError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(), CloudError>>,
    {
        let w = kind.waitable();
        let resumed = self.stop_for_modify(c, kind, arn).await?;
        self.say(c, "modifying");
        let r = modify().await;
        self.settle(w, arn, r, modifying).await?;
        self.wait(c, w, arn, goal, settled).await?;
        if !resumed {
            return Ok("updated".to_string());
        }
        self.say(c, "resuming");
        self.resume(kind, arn).await?;
        self.wait(c, w, arn, "running again", wait::resumed())
            .await?;
        Ok("stopped, modified and resumed".to_string())
    }

    /// What a create step says it did, and the update a recovered resource still needs.
    async fn made(&self, c: &Change, arn: &str, made: Made) -> Result<String, StepError> {
        match made {
            Made::New => Ok(self.created_note(c, arn)),
            Made::Earlier(None) => Ok(format!(
                "created ({arn}; an earlier attempt's, whose answer was lost)"
            )),
            Made::Earlier(Some(update)) => {
                Box::pin(self.build(&update)).await?;
                Ok(format!(
                    "created ({arn}; an earlier attempt's, whose answer was lost) and brought to \
                     the spec"
                ))
            }
        }
    }

    /// `created (arn)`, and a hint when the replication it replaced was running: apply does
    /// not start replications, `dmsctl start` does.
    fn created_note(&self, c: &Change, arn: &str) -> String {
        let key = c.id.to_lowercase();
        let was_running = c.action == Action::Replace
            && match c.kind {
                Kind::Task => self
                    .live
                    .tasks
                    .get(&key)
                    .is_some_and(|t| crate::dms::must_stop_before_modify(&t.status)),
                _ => self
                    .live
                    .replication_configs
                    .get(&key)
                    .and_then(|r| r.status.as_deref())
                    .is_some_and(crate::dms::must_stop_before_modify),
            };
        if was_running {
            format!(
                "created ({arn}); the one it replaced was running: `dmsctl start {}`",
                c.name
            )
        } else {
            format!("created ({arn})")
        }
    }

    /// Stops a running task or replication before a modify (DMS refuses to modify a running
    /// one) and waits until it has stopped. `true` when it was running, so it is resumed after.
    /// Decided from the status now, not the plan's `restart`: a plan can be minutes old.
    async fn stop_for_modify(
        &self,
        c: &Change,
        kind: ReplicationKind,
        arn: &str,
    ) -> Result<bool, StepError> {
        let Some(now) = self.cloud.status(kind.waitable(), arn).await? else {
            return Err(StepError::Missing(format!(
                "{} `{}` no longer exists",
                c.kind.noun(),
                c.id
            )));
        };
        if !crate::dms::must_stop_before_modify(&now.status) {
            return Ok(false);
        }
        // Someone else is stopping it: let them, and do not start it again behind their back.
        let stopping = now.status.eq_ignore_ascii_case("stopping");
        if !stopping {
            self.say(c, "running: stop → modify → resume; stopping");
            self.stop(kind, arn).await?;
        }
        self.wait(c, kind.waitable(), arn, "stopped", wait::stopped)
            .await?;
        Ok(!stopping)
    }

    /// Adds or overwrites the desired tags when one differs, and removes the live tags the
    /// plan removes. A key the spec wants (the ownership tags among them) is never removed,
    /// even should a saved plan say so.
    async fn tag(&self, c: &Change, tags: &[Tag]) -> Result<(), StepError> {
        let set = c.sets_tags();
        let removed: Vec<&str> = c
            .removed_tags()
            .into_iter()
            .filter(|k| !tags.iter().any(|t| t.key == *k))
            .collect();
        if !set && removed.is_empty() {
            return Ok(());
        }
        let arn = self.arn_of(c.kind, &c.id).ok_or_else(|| {
            StepError::Missing(format!("{} `{}` has no ARN to tag", c.kind.noun(), c.id))
        })?;
        if set {
            self.cloud.add_tags(&arn, tags).await?;
        }
        if !removed.is_empty() {
            self.cloud.remove_tags(&arn, &removed).await?;
        }
        Ok(())
    }

    /// Waits until an endpoint or instance a new task or replication uses is usable, when the
    /// account read before this run found it otherwise (an apply killed halfway left it
    /// `creating`): DMS refuses to create on it until then. What this run made was waited for
    /// by its own step, and what was usable then is taken as such.
    async fn usable(&self, c: &Change, kind: Waitable, arn: &str) -> Result<(), StepError> {
        let status = match kind {
            Waitable::Instance => self
                .live
                .instances
                .values()
                .find(|i| i.arn == arn)
                .map(|i| i.status.as_str()),
            Waitable::Endpoint => self
                .live
                .endpoints
                .values()
                .find(|e| e.arn == arn)
                .and_then(|e| e.status.as_deref()),
            Waitable::Task | Waitable::ReplicationConfig => return Ok(()),
        };
        let condition = match kind {
            Waitable::Instance => wait::instance_available,
            _ => wait::endpoint_active,
        };
        let Some(status) = status else {
            return Ok(());
        };
        let ready = Some(Status {
            status: status.to_string(),
            message: None,
            checkpoint: None,
            assessment: None,
        });
        if condition(ready.as_ref()) == wait::Check::Done {
            return Ok(());
        }
        let goal = match kind {
            Waitable::Instance => "able to use its replication instance",
            _ => "able to use its endpoint",
        };
        self.wait(c, kind, arn, goal, condition).await?;
        Ok(())
    }

    /// The ARN of the endpoint or instance with this logical name.
    fn arn_by_name(&self, kind: Kind, name: &str) -> Result<String, StepError> {
        let id = match kind {
            Kind::Endpoint => self
                .desired
                .endpoints
                .get(name)
                .map(|e| e.endpoint_identifier.as_str()),
            Kind::Instance => self
                .desired
                .instances
                .get(name)
                .map(|i| i.replication_instance_identifier.as_str()),
            Kind::Certificate => self
                .desired
                .certificates
                .get(name)
                .map(|c| c.certificate_identifier.as_str()),
            Kind::Task => self
                .desired
                .tasks
                .get(name)
                .map(|t| t.replication_task_identifier.as_str()),
            Kind::ReplicationConfig => self
                .desired
                .replication_configs
                .get(name)
                .map(|r| r.replication_config_identifier.as_str()),
            _ => None,
        };
        let id = id.ok_or_else(|| {
            StepError::Missing(format!("{} `{name}` is not in the spec", kind.noun()))
        })?;
        self.arn_of(kind, id).ok_or_else(|| {
            StepError::Missing(format!(
                "{} `{name}` (`{id}`) does not exist and was not created",
                kind.noun()
            ))
        })
    }

    async fn role(&self, c: &Change) -> Result<String, StepError> {
        let d = self
            .desired
            .iam_roles
            .iter()
            .find(|r| r.role_name == c.name)
            .ok_or_else(|| {
                StepError::Missing(format!("IAM role `{}` is not in the spec", c.name))
            })?;
        let live = self
            .live
            .roles
            .get(&c.name)
            .or_else(|| self.live.roles.values().find(|r| r.name == c.name));
        let mut done = Vec::new();
        let attached: &[String] = match live {
            None => {
                self.say(c, "creating");
                match self.cloud.create_role(d).await {
                    Ok(()) => done.push("created".to_string()),
                    // Made by someone else since the plan: ensure its policies below.
                    Err(e) if e.kind == ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(e.into()),
                }
                self.roles_changed.store(true, Ordering::SeqCst);
                &[]
            }
            Some(l) => {
                self.say(c, "updating");
                if !l.trusts_dms {
                    self.cloud
                        .update_trust_policy(&d.role_name, &d.assume_role_policy_document)
                        .await?;
                    self.roles_changed.store(true, Ordering::SeqCst);
                    done.push("trust policy updated".to_string());
                }
                &l.attached_policy_arns
            }
        };
        for policy in d
            .attached_policy_arns
            .iter()
            .filter(|p| !attached.contains(p))
        {
            self.cloud.attach_role_policy(&d.role_name, policy).await?;
            self.roles_changed.store(true, Ordering::SeqCst);
            let short = policy.rsplit('/').next().unwrap_or(policy);
            done.push(format!("policy {short} attached"));
        }
        Ok(if done.is_empty() {
            "nothing to do".to_string()
        } else {
            done.join(", ")
        })
    }
}
