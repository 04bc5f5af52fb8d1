//! The order of a run: which steps must have succeeded, or finished, before each one starts.

use super::{Phase, Step};
use crate::live::Live;
use crate::model::Desired;
use crate::plan::{live_arn, Action, Change, Kind, Plan};

/// The steps of `plan` in execution order (removals in reverse kind order, then builds in kind
/// order), each with its dependencies:
///
/// - a removal needs the removals of what uses the resource (tasks and serverless replications
///   before their endpoints, tasks before their instance, instances and replications before
///   their subnet group), as the live state records those uses;
/// - a build needs the removal half of its own replace (identifiers are fixed, so the old one
///   must be gone before the new one is created), the IAM roles (for subnet groups, instances,
///   tasks and replications: DMS uses them from the first call), its subnet group, and, for a
///   task or replication, its endpoints and instance.
pub fn graph(plan: &Plan, desired: &Desired, live: &Live) -> Vec<Step> {
    let (removals, builds) = plan.execution_order();
    let step = |c: &Change, phase| Step {
        change: c.clone(),
        phase,
        needs: Vec::new(),
        after: Vec::new(),
    };
    let mut steps: Vec<Step> = removals.iter().map(|c| step(c, Phase::Remove)).collect();
    let n_removals = steps.len();
    steps.extend(builds.iter().map(|c| step(c, Phase::Build)));

    for i in 0..n_removals {
        steps[i].needs = removal_needs(&steps[..n_removals], i, live);
    }
    let b = Builds::new(&steps, n_removals, desired);
    let deps: Vec<Vec<usize>> = (n_removals..steps.len()).map(|i| b.needs(i)).collect();
    for (k, needs) in deps.into_iter().enumerate() {
        let s = &mut steps[n_removals + k];
        s.needs = needs;
        s.after = (0..n_removals).collect();
    }
    steps
}

/// The removals that must have succeeded before removal `i`: those of what uses its resource.
fn removal_needs(removals: &[Step], i: usize, live: &Live) -> Vec<usize> {
    let c = &removals[i].change;
    let Some(arn) = live_arn(live, c.kind, &c.id) else {
        return Vec::new();
    };
    (0..removals.len())
        .filter(|&j| j != i && uses(live, &removals[j].change, c.kind, arn, &c.id))
        .collect()
}

/// Whether the live resource `user` (being removed) uses the resource of `kind` at `arn`.
fn uses(live: &Live, user: &Change, kind: Kind, arn: &str, id: &str) -> bool {
    let key = user.id.to_lowercase();
    match (kind, user.kind) {
        (Kind::Endpoint, Kind::Task) => live
            .tasks
            .get(&key)
            .is_some_and(|t| t.source_endpoint_arn == arn || t.target_endpoint_arn == arn),
        (Kind::Endpoint, Kind::ReplicationConfig) => live
            .replication_configs
            .get(&key)
            .is_some_and(|r| r.source_endpoint_arn == arn || r.target_endpoint_arn == arn),
        (Kind::Instance, Kind::Task) => live
            .tasks
            .get(&key)
            .is_some_and(|t| t.replication_instance_arn == arn),
        (Kind::SubnetGroup, Kind::Instance) => live.instances.get(&key).is_some_and(|i| {
            i.subnet_group
                .as_deref()
                .is_some_and(|g| g.eq_ignore_ascii_case(id))
        }),
        (Kind::SubnetGroup, Kind::ReplicationConfig) => {
            live.replication_configs.get(&key).is_some_and(|r| {
                r.compute_config
                    .get("ReplicationSubnetGroupId")
                    .and_then(|g| g.as_str())
                    .is_some_and(|g| g.eq_ignore_ascii_case(id))
            })
        }
        _ => false,
    }
}

/// The builds among the steps (after the `n_removals` removals), to find what a build needs.
struct Builds<'a> {
    steps: &'a [Step],
    n_removals: usize,
    desired: &'a Desired,
    /// The IAM role builds: DMS uses the roles from the first call.
    roles: Vec<usize>,
}

impl<'a> Builds<'a> {
    fn new(steps: &'a [Step], n_removals: usize, desired: &'a Desired) -> Self {
        let roles = (n_removals..steps.len())
            .filter(|&j| steps[j].change.kind == Kind::IamRole)
            .collect();
        Builds {
            steps,
            n_removals,
            desired,
            roles,
        }
    }

    /// The build of the resource of `kind` named `name`.
    fn of(&self, kind: Kind, name: &str) -> Option<usize> {
        (self.n_removals..self.steps.len()).find(|&j| {
            let c = &self.steps[j].change;
            c.kind == kind && c.name == name
        })
    }

    /// The build of the subnet group with this identifier.
    fn subnet_group(&self, identifier: Option<&str>) -> Option<usize> {
        let identifier = identifier?;
        let (name, _) = self.desired.subnet_groups.iter().find(|(_, g)| {
            g.replication_subnet_group_identifier
                .eq_ignore_ascii_case(identifier)
        })?;
        self.of(Kind::SubnetGroup, name)
    }

    /// The steps that must have succeeded before build `i`, sorted.
    fn needs(&self, i: usize) -> Vec<usize> {
        let c = &self.steps[i].change;
        let mut needs = Vec::new();
        if c.action == Action::Replace {
            needs.extend((0..self.n_removals).find(|&j| {
                let r = &self.steps[j].change;
                r.kind == c.kind && r.name == c.name && r.id == c.id
            }));
        }
        let desired = self.desired;
        match c.kind {
            Kind::IamRole | Kind::LogGroup | Kind::Endpoint => {}
            Kind::SubnetGroup => needs.extend(&self.roles),
            Kind::Instance => {
                needs.extend(&self.roles);
                let group = desired
                    .instances
                    .get(&c.name)
                    .and_then(|d| d.replication_subnet_group_identifier.as_deref());
                needs.extend(self.subnet_group(group));
            }
            Kind::Task => {
                needs.extend(&self.roles);
                if let Some(d) = desired.tasks.get(&c.name) {
                    needs.extend(self.of(Kind::Endpoint, &d.source_endpoint));
                    needs.extend(self.of(Kind::Endpoint, &d.target_endpoint));
                    needs.extend(self.of(Kind::Instance, &d.replication_instance));
                }
            }
            Kind::ReplicationConfig => {
                needs.extend(&self.roles);
                if let Some(d) = desired.replication_configs.get(&c.name) {
                    needs.extend(self.of(Kind::Endpoint, &d.source_endpoint));
                    needs.extend(self.of(Kind::Endpoint, &d.target_endpoint));
                    let group = d.compute_config.get("ReplicationSubnetGroupId");
                    needs.extend(self.subnet_group(group.and_then(|g| g.as_str())));
                }
            }
        }
        needs.sort_unstable();
        needs.dedup();
        needs
    }
}
