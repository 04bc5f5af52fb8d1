//! Adoption: taking resources made by hand (the console, the CLI, another tool) into a stack by
//! giving them the stack's ownership tags. There is no state file, so tagging is all adoption
//! is; the next plan then compares them with the spec like any resource of the stack.
//!
//! Only resources without dmsctl's tags can be adopted. One that belongs to another stack, or
//! to another name of this stack, stays a conflict: taking it over would silently move it
//! between specs.

use serde::Serialize;

use super::{Conflict, Kind, Plan};
use crate::live::{owner, Live, Owner, Tags};
use crate::model::{Tag, TAG_NAME, TAG_STACK};

/// A resource that can be adopted, and the tags that adopt it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adoption {
    pub kind: Kind,
    /// The logical name in the spec.
    pub name: String,
    /// The live identifier.
    pub id: String,
    pub arn: String,
    #[serde(skip)]
    pub tags: Vec<Tag>,
}

/// What [`adoptions`] found.
#[derive(Debug, Default)]
pub struct Adoptions {
    pub adoptable: Vec<Adoption>,
    /// Conflicts adoption cannot solve, with the planner's reason.
    pub not_adoptable: Vec<Conflict>,
}

/// The plan's conflicts, split into what adoption solves and what it does not. With `names`,
/// only those logical names are considered.
pub fn adoptions(plan: &Plan, live: &Live, names: &[String]) -> Adoptions {
    let mut out = Adoptions::default();
    for c in &plan.conflicts {
        if !names.is_empty() && !names.contains(&c.name) {
            continue;
        }
        match lookup(live, c.kind, &c.id) {
            Some((arn, tags)) if owner(tags) == Owner::Unmanaged => out.adoptable.push(Adoption {
                kind: c.kind,
                name: c.name.clone(),
                id: c.id.clone(),
                arn: arn.to_string(),
                tags: vec![
                    Tag {
                        key: TAG_STACK.into(),
                        value: plan.stack.clone(),
                    },
                    Tag {
                        key: TAG_NAME.into(),
                        value: c.name.clone(),
                    },
                ],
            }),
            _ => out.not_adoptable.push(c.clone()),
        }
    }
    out
}

/// The ARN and tags of the live resource of `kind` with identifier `id`.
fn lookup<'a>(live: &'a Live, kind: Kind, id: &str) -> Option<(&'a str, &'a Tags)> {
    let key = id.to_lowercase();
    match kind {
        Kind::Endpoint => live.endpoints.get(&key).map(|r| (r.arn.as_str(), &r.tags)),
        Kind::Instance => live.instances.get(&key).map(|r| (r.arn.as_str(), &r.tags)),
        Kind::Task => live.tasks.get(&key).map(|r| (r.arn.as_str(), &r.tags)),
        Kind::ReplicationConfig => live
            .replication_configs
            .get(&key)
            .map(|r| (r.arn.as_str(), &r.tags)),
        Kind::SubnetGroup => live
            .subnet_groups
            .get(&key)
            .map(|r| (r.arn.as_str(), &r.tags)),
        Kind::Certificate => live
            .certificates
            .get(&key)
            .map(|r| (r.arn.as_str(), &r.tags)),
        Kind::EventSubscription => live
            .event_subscriptions
            .get(&key)
            .map(|r| (r.arn.as_str(), &r.tags)),
        Kind::Alarm => live.alarms.get(&key).map(|r| (r.arn.as_str(), &r.tags)),
        // Roles and log groups are shared by the account and never owned: never conflicts.
        Kind::IamRole | Kind::LogGroup => None,
    }
    .filter(|(arn, _)| !arn.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::plan;
    use crate::plan::testing::{desired_from, live_from};

    fn example() -> crate::model::Desired {
        desired_from(include_str!("../../examples/sci-sync-instances.yaml"))
    }

    #[test]
    fn unmanaged_resources_are_adoptable_and_other_stacks_are_not() {
        let d = example();
        let mut live = live_from(&d);
        // Made by hand: no tags at all.
        let hand = live.endpoints.values_mut().next().expect("an endpoint");
        hand.tags.clear();
        let hand_id = hand.identifier.clone();
        // Another stack's task with the same identifier.
        let other = live.tasks.values_mut().next().expect("a task");
        other.tags.insert(TAG_STACK.into(), "other-stack".into());
        let other_id = other.identifier.clone();
        let p = plan(&d, &live);
        assert_eq!(p.conflicts.len(), 2, "{:?}", p.conflicts);

        let a = adoptions(&p, &live, &[]);
        assert_eq!(a.adoptable.len(), 1, "{a:?}");
        let adopted = &a.adoptable[0];
        assert_eq!(
            (adopted.kind, adopted.id.as_str()),
            (Kind::Endpoint, hand_id.as_str())
        );
        assert!(adopted.arn.starts_with("arn:aws:dms:"), "{}", adopted.arn);
        assert_eq!(
            adopted.tags,
            [
                Tag {
                    key: TAG_STACK.into(),
                    value: d.stack.clone()
                },
                Tag {
                    key: TAG_NAME.into(),
                    value: adopted.name.clone()
                }
            ]
        );
        assert_eq!(a.not_adoptable.len(), 1);
        assert_eq!(a.not_adoptable[0].id, other_id);
        assert!(a.not_adoptable[0]
            .reason
            .contains("belongs to stack `other-stack`"));

        // A name filter keeps only that name.
        let only = adoptions(&p, &live, &["no-such".to_string()]);
        assert!(only.adoptable.is_empty() && only.not_adoptable.is_empty());
        let named = adoptions(&p, &live, std::slice::from_ref(&adopted.name));
        assert_eq!(named.adoptable.len(), 1);
    }

    #[test]
    fn after_adoption_the_plan_has_no_conflict() {
        let d = example();
        let mut live = live_from(&d);
        for e in live.endpoints.values_mut() {
            e.tags.clear();
        }
        let p = plan(&d, &live);
        let a = adoptions(&p, &live, &[]);
        assert_eq!(a.adoptable.len(), d.endpoints.len());
        for adopted in &a.adoptable {
            let e = live
                .endpoints
                .get_mut(&adopted.id.to_lowercase())
                .expect("live");
            for t in &adopted.tags {
                e.tags.insert(t.key.clone(), t.value.clone());
            }
        }
        let after = plan(&d, &live);
        assert!(after.conflicts.is_empty(), "{:?}", after.conflicts);
    }
}
