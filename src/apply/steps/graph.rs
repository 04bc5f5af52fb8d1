//! The order of a run: which steps must have succeeded, or finished, before each one starts.

use super::{Phase, Step};
use crate::live::Live;
use crate::model::Desired;
use crate::plan::{live_arn, live_uses, Action, Change, Kind, Plan};

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
        .filter(|&j| {
            let user = &removals[j].change;
            j != i && live_uses(live, user.kind, &user.id, c.kind, arn, &c.id)
        })
        .collect()
}

/// The builds among the steps (after the `n_removals` removals), to find what a build needs.
struct Builds<'a> {
    steps: &'a [Step],
    n_removals: usize,
    desired: &'a Desired,
}

impl<'a> Builds<'a> {
    fn new(steps: &'a [Step], n_removals: usize, desired: &'a Desired) -> Self {
        Builds {
            steps,
            n_removals,
            desired,
        }
    }

    /// The build of the resource of `kind` named `name`.
    fn of(&self, kind: Kind, name: &str) -> Option<usize> {
        (self.n_removals..self.steps.len()).find(|&j| {
            let c = &self.steps[j].change;
            c.kind == kind && c.name == name
        })
    }

    /// The steps that must have succeeded before build `i`, sorted: the removal half of its
    /// own replace, and the builds of what it uses ([`Desired::uses`]).
    fn needs(&self, i: usize) -> Vec<usize> {
        let c = &self.steps[i].change;
        let mut needs = Vec::new();
        if c.action == Action::Replace {
            needs.extend((0..self.n_removals).find(|&j| {
                let r = &self.steps[j].change;
                r.kind == c.kind && r.name == c.name && r.id == c.id
            }));
        }
        for (kind, name) in self.desired.uses(c.kind, &c.name) {
            needs.extend(self.of(kind, &name));
        }
        needs.sort_unstable();
        needs.dedup();
        needs
    }
}
