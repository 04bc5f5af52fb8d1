//! Planner cases: one (Desired, Live) -> Plan situation each, a few lines thanks to
//! [`super::testing`].

use std::collections::BTreeSet;

use serde_json::json;

use super::testing::{desired_from, dms_arn, live_from};
use super::*;
use crate::live::Live;
use crate::model::Desired;

/// A spec with both compute modes written; `MODE` is replaced by the one deployed.
const SPEC: &str = r#"
version: 1
stack: sci
tags:
  team: platform
logging:
  retention_days: 30
subnet_groups:
  private:
    subnet_ids: [subnet-0a1b2c3d4e5f60001, subnet-0a1b2c3d4e5f60002]
endpoints:
  backend:
    role: source
    engine: mysql
    host: backend.example.com
    username: dms
    password: { env: BACKEND_PW }
  receiver:
    role: target
    engine: mysql
    host: receiver.example.com
    username: dms
    password: { env: RECEIVER_PW }
    extra_connection_attributes:
      parallelLoadThreads: 4
  events:
    role: target
    engine: kafka
    kafka:
      brokers: [b-1.example.com:9096]
      topic: invoices
      security_protocol: sasl-ssl
      sasl_mechanism: scram-sha-512
      sasl_username: dms
      sasl_password: { env: MSK_PW }
rules:
  history:
    - include: { schema: app, table: history }
    - rename: { schema: app, to: app_copy }
replications:
  history:
    source: backend
    target: receiver
    type: full-load-and-cdc
    rules: history
    settings:
      FullLoadSettings:
        TargetTablePrepMode: DO_NOTHING
  events:
    source: backend
    target: events
    type: cdc
    rules: history
compute:
  mode: MODE
  serverless:
    max_dcu: 4
    subnet_group: private
  instances:
    main:
      class: dms.t3.medium
      storage_gb: 100
      subnet_group: private
"#;

fn spec(mode: &str) -> String {
    SPEC.replace("mode: MODE", &format!("mode: {mode}"))
}

fn instances() -> Desired {
    desired_from(&spec("instances"))
}

fn serverless() -> Desired {
    desired_from(&spec("serverless"))
}

/// The one change for `kind` and `name`.
fn change<'a>(p: &'a Plan, kind: Kind, name: &str) -> &'a Change {
    p.changes
        .iter()
        .find(|c| c.kind == kind && c.name == name)
        .unwrap_or_else(|| panic!("no {kind} `{name}` in {:#?}", p.changes))
}

/// `(kind, name, action)` of every change that does something.
fn actions(p: &Plan) -> Vec<(Kind, &str, Action)> {
    p.actionable()
        .map(|c| (c.kind, c.name.as_str(), c.action))
        .collect()
}

fn assert_in_sync(d: &Desired, live: &Live) {
    let p = plan(d, live);
    assert!(
        !p.has_changes() && p.conflicts.is_empty(),
        "expected no changes: {:#?}",
        p.actionable().collect::<Vec<_>>()
    );
}

#[test]
fn empty_account_plans_every_create_in_kind_order() {
    let p = plan(&instances(), &Live::default());
    let got = actions(&p);
    use Action::Create;
    assert_eq!(
        got,
        vec![
            (Kind::IamRole, "dms-cloudwatch-logs-role", Create),
            (Kind::IamRole, "dms-vpc-role", Create),
            (Kind::LogGroup, "main", Create),
            (Kind::SubnetGroup, "private", Create),
            (Kind::Instance, "main", Create),
            (Kind::Endpoint, "backend", Create),
            (Kind::Endpoint, "events", Create),
            (Kind::Endpoint, "receiver", Create),
            (Kind::Task, "events", Create),
            (Kind::Task, "history", Create),
        ]
    );
    assert_eq!(
        p.summary,
        Summary {
            create: 10,
            update: 0,
            replace: 0,
            delete: 0,
            moved: 0
        }
    );
    assert_eq!(change(&p, Kind::LogGroup, "main").id, "dms-tasks-sci-main");
    assert_eq!(
        change(&p, Kind::Task, "history").reasons,
        ["not in the account"]
    );
}

#[test]
fn serverless_mode_plans_configs_and_no_instance() {
    let p = plan(&serverless(), &Live::default());
    assert!(p
        .changes
        .iter()
        .all(|c| c.kind != Kind::Instance && c.kind != Kind::Task));
    assert_eq!(
        change(&p, Kind::ReplicationConfig, "history").action,
        Action::Create
    );
    // The serverless log group is named after the config's resource id, unknown until created.
    assert!(p.changes.iter().all(|c| c.kind != Kind::LogGroup));
}

#[test]
fn live_as_created_plans_no_changes_despite_dms_defaults() {
    let d = instances();
    let live = live_from(&d);
    // live_from answers like DMS: upper-case endpoint types, every task setting filled in,
    // Kafka defaults, a trailing `;` on attributes, subnets in another order.
    assert_eq!(live.endpoints["sci-backend"].endpoint_type, "SOURCE");
    assert_in_sync(&d, &live);
    let p = plan(&d, &live);
    assert!(p.changes.iter().all(|c| c.action == Action::NoOp));
    assert_eq!(p.changes.len(), 10);
}

#[test]
fn serverless_live_as_created_plans_no_changes() {
    let d = serverless();
    assert_in_sync(&d, &live_from(&d));
}

#[test]
fn reordered_rules_are_not_changes() {
    let d = instances();
    let mut live = live_from(&d);
    let t = live.tasks.get_mut("sci-history").expect("task");
    if let Some(rules) = t.table_mappings["rules"].as_array_mut() {
        rules.reverse();
    }
    assert_in_sync(&d, &live);
}

/// The test spec with a second stack-wide tag, `cost-center: billing`.
fn with_cost_center(mode: &str) -> String {
    spec(mode).replace(
        "tags:\n  team: platform\n",
        "tags:\n  team: platform\n  cost-center: billing\n",
    )
}

#[test]
fn a_tag_removed_from_the_spec_is_removed_by_an_update_of_every_resource() {
    for mode in ["instances", "serverless"] {
        let live = live_from(&desired_from(&with_cost_center(mode)));
        let p = plan(&desired_from(&spec(mode)), &live);
        let dms = p
            .changes
            .iter()
            .filter(|c| !matches!(c.kind, Kind::IamRole | Kind::LogGroup));
        let mut kinds = BTreeSet::new();
        for c in dms {
            kinds.insert(c.kind);
            assert_eq!(c.action, Action::Update, "{mode} {} {}", c.kind, c.name);
            assert_eq!(
                c.diffs,
                [Diff {
                    field: "Tags.cost-center".into(),
                    before: Some(json!("billing")),
                    after: None,
                    forces_replacement: false,
                }],
                "{mode} {} {}",
                c.kind,
                c.name
            );
            assert_eq!(c.reasons, ["tags: cost-center removed"]);
            assert_eq!(c.removed_tags(), ["cost-center"]);
            assert!(!c.sets_tags());
        }
        let expected: &[Kind] = if mode == "instances" {
            &[
                Kind::SubnetGroup,
                Kind::Instance,
                Kind::Endpoint,
                Kind::Task,
            ]
        } else {
            &[Kind::SubnetGroup, Kind::Endpoint, Kind::ReplicationConfig]
        };
        assert_eq!(kinds.into_iter().collect::<Vec<_>>(), expected, "{mode}");
    }
}

#[test]
fn a_removed_tag_is_null_after_in_the_json_plan_and_named_in_the_table() {
    let live = live_from(&desired_from(&with_cost_center("instances")));
    let p = plan(&instances(), &live);
    let v: serde_json::Value = serde_json::from_str(&render::json(&p)).expect("json");
    let task = v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["kind"] == "task" && c["name"] == "history")
        .expect("task");
    assert_eq!(
        task["diffs"],
        json!([{
            "field": "Tags.cost-center",
            "before": "billing",
            "after": null,
            "forces_replacement": false
        }])
    );
    let back: Plan = serde_json::from_value(v).expect("round-trips");
    assert_eq!(back, p);
    let table = render::table(&p, false);
    assert!(table.contains("tags: cost-center removed"), "{table}");
    assert!(
        table.contains("Tags.cost-center: \"billing\" → (none)"),
        "{table}"
    );
}

#[test]
fn tags_changed_and_removed_read_as_one_sentence() {
    let mut live = live_from(&instances());
    let t = live.tasks.get_mut("sci-history").expect("task");
    t.tags.insert("owner".into(), "someone".into());
    t.tags.insert("cost-center".into(), "billing".into());
    let p = plan(
        &desired_from(&spec("instances").replace("team: platform", "team: data")),
        &live,
    );
    let c = change(&p, Kind::Task, "history");
    assert_eq!(c.action, Action::Update);
    assert_eq!(c.reasons, ["tags change: team; cost-center, owner removed"]);
    assert_eq!(c.removed_tags(), ["cost-center", "owner"]);
    assert!(c.sets_tags());
}

#[test]
fn aws_reserved_tags_are_never_removed() {
    let d = instances();
    let mut live = live_from(&d);
    let t = live.tasks.get_mut("sci-history").expect("task");
    t.tags
        .insert("aws:cloudformation:stack-name".into(), "infra".into());
    t.tags.insert("AWS:Created-By".into(), "someone".into());
    assert_in_sync(&d, &live);
    // Not even from a (hand-edited) saved plan that says so.
    let c = Change {
        diffs: vec![Diff {
            field: "Tags.aws:cloudformation:stack-name".into(),
            before: Some(json!("infra")),
            after: None,
            forces_replacement: false,
        }],
        ..Change::new(Kind::Task, "history", "sci-history", Action::Update)
    };
    assert!(c.removed_tags().is_empty());
}

#[test]
fn ownership_tags_are_never_removed() {
    // A spec without any tags of its own: every live tag but dmsctl's goes, dmsctl's stay.
    let bare = spec("instances").replace("tags:\n  team: platform\n", "");
    let d = desired_from(&bare);
    let live = live_from(&instances());
    let p = plan(&d, &live);
    let removed: BTreeSet<&str> = p.changes.iter().flat_map(|c| c.removed_tags()).collect();
    assert_eq!(removed, BTreeSet::from(["team"]));
    for c in &p.changes {
        assert!(
            c.diffs.iter().all(|d| !d.field.starts_with("Tags.dmsctl:")),
            "{c:#?}"
        );
    }
    // Once `team` is gone the plan is empty: the ownership tags are wanted, not extra.
    let mut trimmed = live.clone();
    for t in trimmed.tasks.values_mut() {
        t.tags.remove("team");
    }
    for e in trimmed.endpoints.values_mut() {
        e.tags.remove("team");
    }
    for i in trimmed.instances.values_mut() {
        i.tags.remove("team");
    }
    for g in trimmed.subnet_groups.values_mut() {
        g.tags.remove("team");
    }
    assert_in_sync(&d, &trimmed);
}

#[test]
fn max_dcu_change_is_an_update_with_reason() {
    let before = serverless();
    let live = live_from(&before);
    let d = desired_from(&spec("serverless").replace("max_dcu: 4", "max_dcu: 8"));
    let p = plan(&d, &live);
    let c = change(&p, Kind::ReplicationConfig, "history");
    assert_eq!(c.action, Action::Update);
    assert_eq!(c.reasons, ["max_dcu changes 4 → 8"]);
    assert_eq!(
        c.diffs,
        [Diff {
            field: "ComputeConfig.MaxCapacityUnits".into(),
            before: Some(json!(4)),
            after: Some(json!(8)),
            forces_replacement: false
        }]
    );
    assert!(!c.restart);
    assert_eq!(p.summary.update, 2);
}

#[test]
fn table_mapping_change_is_an_update_with_a_readable_diff() {
    let live = live_from(&instances());
    let d = desired_from(&spec("instances").replace("to: app_copy", "to: app_mirror"));
    let p = plan(&d, &live);
    let c = change(&p, Kind::Task, "history");
    assert_eq!(c.action, Action::Update);
    assert_eq!(c.reasons, ["table mappings change"]);
    assert_eq!(c.diffs[0].field, "TableMappings");
    let text = render::table(&p, false);
    assert!(text.contains("-       \"value\": \"app_copy\""), "{text}");
    assert!(text.contains("+       \"value\": \"app_mirror\""), "{text}");
}

#[test]
fn task_settings_compare_only_what_the_spec_sets() {
    let live = live_from(&instances());
    let d = desired_from(&spec("instances").replace("DO_NOTHING", "TRUNCATE_BEFORE_LOAD"));
    let p = plan(&d, &live);
    let c = change(&p, Kind::Task, "history");
    assert_eq!(c.action, Action::Update);
    assert_eq!(
        c.reasons,
        ["task settings change: FullLoadSettings.TargetTablePrepMode"]
    );
    assert_eq!(c.diffs.len(), 1);
    assert_eq!(c.diffs[0].before, Some(json!("DO_NOTHING")));
}

#[test]
fn task_endpoint_change_forces_replacement() {
    let live = live_from(&instances());
    let d = desired_from(&spec("instances").replace(
        "    source: backend\n    target: receiver",
        "    source: backend\n    target: events",
    ));
    let p = plan(&d, &live);
    let c = change(&p, Kind::Task, "history");
    assert_eq!(c.action, Action::Replace);
    assert!(c
        .reasons
        .contains(&"target endpoint changes (forces replacement)".to_string()));
    let diff = c
        .diffs
        .iter()
        .find(|d| d.field == "TargetEndpoint")
        .expect("a target endpoint diff");
    assert!(diff.forces_replacement);
    assert_eq!(diff.before, Some(json!("sci-receiver")));
    assert_eq!(diff.after, Some(json!("sci-events")));
}

#[test]
fn new_endpoint_for_an_existing_task_replaces_it() {
    let live = live_from(&instances());
    let d = desired_from(&spec("instances").replace(
        "  receiver:\n    role: target",
        "  receiver:\n    id: sci-receiver-2\n    role: target",
    ));
    let p = plan(&d, &live);
    assert_eq!(
        change(&p, Kind::Endpoint, "receiver").action,
        Action::Create
    );
    assert_eq!(change(&p, Kind::Task, "history").action, Action::Replace);
    // The old endpoint carries the stack's tags under the same name: deleted, with the reason.
    let old = p
        .changes
        .iter()
        .find(|c| c.kind == Kind::Endpoint && c.action == Action::Delete)
        .expect("the old endpoint is deleted");
    assert_eq!(old.id, "sci-receiver");
    assert_eq!(
        old.reasons,
        ["its identifier changes (the spec's is created instead)"]
    );
}

#[test]
fn serverless_endpoint_change_is_an_update() {
    let live = live_from(&serverless());
    let d = desired_from(&spec("serverless").replace(
        "    source: backend\n    target: receiver",
        "    source: backend\n    target: events",
    ));
    let p = plan(&d, &live);
    let c = change(&p, Kind::ReplicationConfig, "history");
    assert_eq!(c.action, Action::Update);
    assert_eq!(c.reasons, ["target endpoint changes"]);
}

#[test]
fn instance_storage_decrease_replaces_and_increase_updates() {
    let live = live_from(&instances());
    let up = plan(
        &desired_from(&spec("instances").replace("storage_gb: 100", "storage_gb: 200")),
        &live,
    );
    let c = change(&up, Kind::Instance, "main");
    assert_eq!(c.action, Action::Update);
    assert_eq!(c.reasons, ["storage_gb changes 100 → 200"]);

    let down = plan(
        &desired_from(&spec("instances").replace("storage_gb: 100", "storage_gb: 50")),
        &live,
    );
    let c = change(&down, Kind::Instance, "main");
    assert_eq!(c.action, Action::Replace);
    assert_eq!(
        c.reasons,
        ["storage_gb changes 100 → 50: DMS cannot shrink storage (forces replacement)"]
    );
    assert!(c.diffs[0].forces_replacement);
    // Its tasks go with it.
    let t = change(&down, Kind::Task, "history");
    assert_eq!(t.action, Action::Replace);
    assert!(t.reasons.contains(
        &"replication instance `sci-main` is replaced, so what points at it is too".to_string()
    ));
}

#[test]
fn instance_class_and_subnet_group_changes() {
    let live = live_from(&instances());
    let p = plan(
        &desired_from(&spec("instances").replace("dms.t3.medium", "dms.r5.large")),
        &live,
    );
    assert_eq!(
        change(&p, Kind::Instance, "main").reasons,
        ["class changes dms.t3.medium → dms.r5.large"]
    );
    let mut live2 = live.clone();
    live2
        .instances
        .get_mut("sci-main")
        .expect("instance")
        .subnet_group = Some("other".into());
    let p = plan(&instances(), &live2);
    assert_eq!(change(&p, Kind::Instance, "main").action, Action::Replace);
}

#[test]
fn running_task_update_restarts() {
    let d = instances();
    let mut live = live_from(&d);
    live.tasks.get_mut("sci-history").expect("task").status = "running".into();
    let p = plan(
        &desired_from(&spec("instances").replace("to: app_copy", "to: app_mirror")),
        &live,
    );
    let c = change(&p, Kind::Task, "history");
    assert_eq!(c.action, Action::Update);
    assert!(c.restart);
    assert!(c
        .reasons
        .contains(&"running: stop → modify → wait → resume".to_string()));
    // A running task that does not change is left alone.
    assert!(!change(&p, Kind::Task, "events").restart);
}

#[test]
fn running_means_any_state_between_start_and_running() {
    for s in [
        "running",
        "Starting",
        "Provisioning Capacity",
        "testing-connection",
    ] {
        assert!(super::moves_data(Some(s)), "{s}");
    }
    for s in ["ready", "stopped", "failed", "created", "modifying"] {
        assert!(!super::moves_data(Some(s)), "{s}");
    }
    assert!(!super::moves_data(None));
}

#[test]
fn running_task_tag_change_needs_no_restart() {
    let mut live = live_from(&instances());
    live.tasks.get_mut("sci-history").expect("task").status = "running".into();
    let p = plan(
        &desired_from(&spec("instances").replace("team: platform", "team: data")),
        &live,
    );
    let c = change(&p, Kind::Task, "history");
    assert_eq!(c.action, Action::Update);
    assert!(!c.restart);
}

#[test]
fn running_task_and_replication_tag_removal_needs_no_restart() {
    let mut live = live_from(&desired_from(&with_cost_center("instances")));
    live.tasks.get_mut("sci-history").expect("task").status = "running".into();
    let p = plan(&instances(), &live);
    let c = change(&p, Kind::Task, "history");
    assert_eq!((c.action, c.restart), (Action::Update, false));
    assert_eq!(c.reasons, ["tags: cost-center removed"]);

    let mut live = live_from(&desired_from(&with_cost_center("serverless")));
    live.replication_configs
        .get_mut("sci-history")
        .expect("config")
        .status = Some("running".into());
    let p = plan(&serverless(), &live);
    let c = change(&p, Kind::ReplicationConfig, "history");
    assert_eq!((c.action, c.restart), (Action::Update, false));
    assert_eq!(c.reasons, ["tags: cost-center removed"]);
}

#[test]
fn running_replication_update_restarts() {
    let d = serverless();
    let mut live = live_from(&d);
    live.replication_configs
        .get_mut("sci-history")
        .expect("config")
        .status = Some("running".into());
    let p = plan(
        &desired_from(&spec("serverless").replace("max_dcu: 4", "max_dcu: 8")),
        &live,
    );
    assert!(change(&p, Kind::ReplicationConfig, "history").restart);
    assert!(!change(&p, Kind::ReplicationConfig, "events").restart);
}

#[test]
fn serverless_to_instances_switch_deletes_configs_and_creates_tasks() {
    let mut live = live_from(&serverless());
    live.replication_configs
        .get_mut("sci-history")
        .expect("config")
        .has_run = true;
    let p = plan(&instances(), &live);
    let del = change(&p, Kind::ReplicationConfig, "history");
    assert_eq!(del.action, Action::Delete);
    assert_eq!(
        del.reasons,
        ["compute mode changes from serverless to instances"]
    );
    assert_eq!(del.hazards.len(), 1);
    assert_eq!(del.hazards[0].code, HazardCode::LosesCdcPosition);
    assert!(del.hazards[0]
        .message
        .contains("has run: its CDC position is lost"));
    assert!(change(&p, Kind::ReplicationConfig, "events")
        .hazards
        .is_empty());
    assert_eq!(change(&p, Kind::Task, "history").action, Action::Create);
    assert_eq!(change(&p, Kind::Instance, "main").action, Action::Create);
    assert_eq!(
        p.summary,
        Summary {
            create: 4,
            update: 0,
            replace: 0,
            delete: 2,
            moved: 0
        }
    );
    let blocked = p.blocked_by_hazards();
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].name, "history");
}

#[test]
fn instances_to_serverless_switch_deletes_instance_and_tasks() {
    let p = plan(&serverless(), &live_from(&instances()));
    let inst = change(&p, Kind::Instance, "main");
    assert_eq!(inst.action, Action::Delete);
    assert_eq!(
        inst.reasons,
        ["compute mode changes from instances to serverless"]
    );
    assert_eq!(change(&p, Kind::Task, "history").action, Action::Delete);
    assert_eq!(
        change(&p, Kind::ReplicationConfig, "history").action,
        Action::Create
    );
    let (removals, builds) = p.execution_order();
    let kinds: Vec<Kind> = removals.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [Kind::Task, Kind::Task, Kind::Instance]);
    assert!(builds.iter().all(|c| c.action == Action::Create));
}

#[test]
fn untagged_live_endpoint_with_the_wanted_id_is_a_conflict() {
    let d = instances();
    let mut live = live_from(&d);
    let e = live.endpoints.get_mut("sci-backend").expect("endpoint");
    e.tags.clear();
    e.server_name = Some("somewhere-else.example.com".into());
    let p = plan(&d, &live);
    assert_eq!(p.conflicts.len(), 1);
    let c = &p.conflicts[0];
    assert_eq!(
        (c.kind, c.name.as_str(), c.id.as_str()),
        (Kind::Endpoint, "backend", "sci-backend")
    );
    assert!(
        c.reason
            .contains("adopt it with `dmsctl adopt backend` (which tags it `dmsctl:stack="),
        "{}",
        c.reason
    );
    // Nothing touches it: no change for it, and not deleted as a leftover.
    assert!(p
        .changes
        .iter()
        .all(|c| c.kind != Kind::Endpoint || c.name != "backend"));
    assert!(!p.has_changes());
}

#[test]
fn another_stacks_resource_with_the_wanted_id_is_a_conflict() {
    let d = instances();
    let mut live = live_from(&d);
    let e = live.endpoints.get_mut("sci-backend").expect("endpoint");
    e.tags
        .insert(crate::model::TAG_STACK.into(), "other".into());
    let p = plan(&d, &live);
    assert_eq!(p.conflicts.len(), 1);
    assert!(p.conflicts[0].reason.contains("belongs to stack `other`"));
}

#[test]
fn other_stacks_resources_are_invisible() {
    let d = instances();
    let mut live = live_from(&d);
    let other = live_from(&desired_from(
        &spec("instances").replace("stack: sci", "stack: other"),
    ));
    live.endpoints.extend(other.endpoints);
    live.tasks.extend(other.tasks);
    live.instances.extend(other.instances);
    assert_in_sync(&d, &live);
}

#[test]
fn owned_resource_no_longer_in_spec_is_deleted() {
    let d = instances();
    let live = live_from(&d);
    let smaller = desired_from(&spec("instances").replace(
        "  events:\n    source: backend\n    target: events\n    type: cdc\n    rules: history\n",
        "",
    ));
    let p = plan(&smaller, &live);
    let c = change(&p, Kind::Task, "events");
    assert_eq!(c.action, Action::Delete);
    assert_eq!(c.reasons, ["no longer in the spec"]);
    assert!(c.hazards.is_empty(), "it never ran");
    assert_eq!(p.summary.delete, 1);
}

#[test]
fn deleting_an_instance_that_carries_tasks_is_a_hazard() {
    let d = instances();
    let mut live = live_from(&d);
    // A task made by hand on the same instance.
    let mut foreign = live.tasks["sci-events"].clone();
    foreign.identifier = "manual-task".into();
    foreign.tags.clear();
    live.tasks.insert("manual-task".into(), foreign);
    let p = plan(&serverless(), &live);
    let c = change(&p, Kind::Instance, "main");
    assert_eq!(c.action, Action::Delete);
    assert_eq!(c.hazards.len(), 1);
    assert_eq!(c.hazards[0].code, HazardCode::InstanceHasTasks);
    assert_eq!(
        c.hazards[0].message,
        "still carries tasks `sci-events`, `sci-history` and `manual-task` that this stack \
         does not own (DMS refuses to delete an instance with tasks)"
    );
}

#[test]
fn missing_iam_role_is_created_and_a_detached_policy_is_an_update() {
    let d = instances();
    let mut live = live_from(&d);
    live.roles.remove(crate::model::CLOUDWATCH_LOGS_ROLE);
    live.roles
        .get_mut(crate::model::VPC_ROLE)
        .expect("role")
        .attached_policy_arns
        .clear();
    let p = plan(&d, &live);
    assert_eq!(
        actions(&p),
        [
            (Kind::IamRole, "dms-cloudwatch-logs-role", Action::Create),
            (Kind::IamRole, "dms-vpc-role", Action::Update),
        ]
    );
    assert_eq!(
        change(&p, Kind::IamRole, "dms-vpc-role").reasons,
        ["managed policy AmazonDMSVPCManagementRole is not attached"]
    );
}

#[test]
fn role_that_does_not_trust_dms_is_an_update_and_roles_are_never_deleted() {
    let d =
        desired_from(&spec("instances").replace("logging:", "iam:\n  vpc_role: false\nlogging:"));
    let mut live = live_from(&instances());
    live.roles
        .get_mut(crate::model::CLOUDWATCH_LOGS_ROLE)
        .expect("role")
        .trusts_dms = false;
    let p = plan(&d, &live);
    assert_eq!(
        actions(&p),
        [(Kind::IamRole, "dms-cloudwatch-logs-role", Action::Update)]
    );
}

#[test]
fn log_retention_difference_is_an_update() {
    let d = instances();
    let mut live = live_from(&d);
    live.log_groups
        .get_mut("dms-tasks-sci-main")
        .expect("log group")
        .retention_days = None;
    let p = plan(&d, &live);
    let c = change(&p, Kind::LogGroup, "main");
    assert_eq!(c.action, Action::Update);
    assert_eq!(c.reasons, ["retention_days changes (none) → 30"]);
}

#[test]
fn serverless_log_group_is_found_by_the_configs_resource_id() {
    let d = serverless();
    let mut live = live_from(&d);
    let arn = dms_arn("replication-config", "sci-history");
    let rid = crate::dms::resource_id(&arn);
    let name = format!("dms-serverless-replication-{rid}");
    live.log_groups.insert(
        name.clone(),
        crate::live::LiveLogGroup {
            name: name.clone(),
            retention_days: Some(7),
        },
    );
    // Another stack's group is not ours to touch.
    live.log_groups.insert(
        "dms-serverless-replication-SOMEONEELSE".into(),
        crate::live::LiveLogGroup {
            name: "dms-serverless-replication-SOMEONEELSE".into(),
            retention_days: Some(1),
        },
    );
    let p = plan(&d, &live);
    assert_eq!(actions(&p), [(Kind::LogGroup, "history", Action::Update)]);
    assert_eq!(change(&p, Kind::LogGroup, "history").id, name);
}

#[test]
fn endpoint_changes_are_updates_and_passwords_are_never_compared() {
    let live = live_from(&instances());
    let d = desired_from(
        &spec("instances")
            .replace("topic: invoices", "topic: invoices-v2")
            .replace("parallelLoadThreads: 4", "parallelLoadThreads: 8")
            .replace("env: BACKEND_PW", "env: OTHER_PW"),
    );
    let p = plan(&d, &live);
    assert_eq!(
        actions(&p),
        [
            (Kind::Endpoint, "events", Action::Update),
            (Kind::Endpoint, "receiver", Action::Update),
        ]
    );
    assert_eq!(
        change(&p, Kind::Endpoint, "events").reasons,
        ["KafkaSettings.Topic changes invoices → invoices-v2"]
    );
    assert_eq!(
        change(&p, Kind::Endpoint, "receiver").reasons,
        ["extra connection attributes change: parallelLoadThreads"]
    );
}

#[test]
fn desired_tag_change_is_an_update() {
    let live = live_from(&instances());
    let d = desired_from(&spec("instances").replace("team: platform", "team: data"));
    let p = plan(&d, &live);
    let c = change(&p, Kind::Endpoint, "backend");
    assert_eq!(c.action, Action::Update);
    assert_eq!(c.reasons, ["tags change: team"]);
}

#[test]
fn plan_json_has_the_documented_shape() {
    let p = plan(&instances(), &Live::default());
    let v: serde_json::Value = serde_json::from_str(&render::json(&p)).expect("json");
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["stack"], "sci");
    assert_eq!(
        v["summary"],
        json!({"create": 10, "update": 0, "replace": 0, "delete": 0})
    );
    let first = &v["changes"][0];
    assert_eq!(first["kind"], "iam-role");
    assert_eq!(first["action"], "create");
    for key in ["name", "id", "reasons", "hazards", "diffs", "restart"] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert!(v["conflicts"].is_array());
    let back: Plan = serde_json::from_value(v).expect("round-trips");
    assert_eq!(back, p);
}

#[test]
fn no_secrets_in_plans_diffs_or_saved_plans() {
    // A Kafka SASL password and DB passwords, every resource changed so every diff is built.
    let live = live_from(&instances());
    let changed = spec("instances")
        .replace("sasl_username: dms", "sasl_username: dms2")
        .replace(
            "username: dms\n    password: { env: BACKEND_PW }",
            "username: other\n    password: { env: BACKEND_PW }",
        );
    let d = desired_from(&changed);
    let p = plan(&d, &live);
    assert!(p.has_changes());
    let saved = SavedPlan::new(p.clone(), &live, &changed);
    for text in [
        render::json(&p),
        render::table(&p, false),
        render::markdown(&p, None),
        render::diff_json(&p),
        render::diff_table(&p, false),
        saved.to_json(),
    ] {
        for needle in [
            "sensitive",
            "MSK_PW",
            "BACKEND_PW",
            "RECEIVER_PW",
            "SaslPassword",
            "Password",
        ] {
            assert!(!text.contains(needle), "`{needle}` in:\n{text}");
        }
    }
}

#[test]
fn saved_plan_round_trips_and_detects_staleness() {
    let d = instances();
    let mut live = live_from(&d);
    live.tasks.remove("sci-events");
    let text = spec("instances");
    let p = plan(&d, &live);
    let saved = SavedPlan::new(p, &live, &text);
    assert!(saved.fingerprints.contains_key("endpoint/sci-backend"));
    assert!(saved.fingerprints.contains_key("iam-role/dms-vpc-role"));
    assert!(saved
        .fingerprints
        .contains_key("log-group/dms-tasks-sci-main"));
    assert!(
        !saved.fingerprints.contains_key("task/sci-events"),
        "to be created"
    );
    let back = SavedPlan::from_json(&saved.to_json()).expect("round-trips");
    assert_eq!(back, saved);
    assert!(back.stale(&live, &text).is_empty());

    let mut moved = live.clone();
    moved
        .instances
        .get_mut("sci-main")
        .expect("instance")
        .allocated_storage = 500;
    moved.endpoints.remove("sci-receiver");
    let full = live_from(&d);
    moved
        .tasks
        .insert("sci-events".into(), full.tasks["sci-events"].clone());
    let mut extra = full.tasks["sci-history"].clone();
    extra.identifier = "sci-new".into();
    moved.tasks.insert("sci-new".into(), extra);
    assert_eq!(
        back.stale(&moved, &format!("{text}\n# edited")),
        [
            "the spec changed since the plan was made",
            "endpoint `sci-receiver` disappeared",
            "replication instance `sci-main` changed",
            "task `sci-events` appeared",
            "task `sci-new` appeared",
        ]
    );
}

#[test]
fn saved_plan_of_another_format_is_refused() {
    let err = SavedPlan::from_json(r#"{"format_version": 2}"#).expect_err("refused");
    assert!(err.to_string().contains("format 2"), "{err}");
    assert!(SavedPlan::from_json("not json").is_err());
}

#[test]
fn shipped_examples_plan_all_creates_then_nothing() {
    for text in [
        include_str!("../../examples/sci-sync-instances.yaml"),
        include_str!("../../examples/sci-sync-serverless.yaml"),
        include_str!("../../examples/kafka-target.yaml"),
    ] {
        let d = desired_from(text);
        let p = plan(&d, &Live::default());
        assert!(p.actionable().all(|c| c.action == Action::Create));
        assert!(p.summary.create > 0);
        assert_in_sync(&d, &live_from(&d));
    }
}

#[test]
fn only_restricts_a_plan_to_one_name() {
    let p = plan(&instances(), &Live::default());
    let one = p.only("history").expect("found");
    assert_eq!(actions(&one), [(Kind::Task, "history", Action::Create)]);
    assert_eq!(one.summary.create, 1);
    assert!(p.only("nope").is_none());
}

/// One plan with every action, a restart, a hazard and a conflict, for the snapshots.
fn representative() -> Plan {
    representative_parts().0
}

/// The representative plan with the spec and the account it was made from.
fn representative_parts() -> (Plan, Desired, Live) {
    let d = instances();
    let mut live = live_from(&d);
    live.tasks.get_mut("sci-history").expect("task").status = "running".into();
    let t = live.tasks.get_mut("sci-events").expect("task");
    t.has_run = true;
    t.target_endpoint_arn = dms_arn("endpoint", "sci-receiver");
    live.endpoints
        .get_mut("sci-backend")
        .expect("endpoint")
        .tags
        .clear();
    live.log_groups
        .get_mut("dms-tasks-sci-main")
        .expect("log group")
        .retention_days = Some(14);
    live.roles.remove(crate::model::VPC_ROLE);
    let mut old = live.tasks["sci-history"].clone();
    old.identifier = "sci-legacy".into();
    old.status = "stopped".into();
    old.tags
        .insert(crate::model::TAG_NAME.into(), "legacy".into());
    live.tasks.insert("sci-legacy".into(), old);
    let changed = spec("instances")
        .replace("to: app_copy", "to: app_mirror")
        .replace("storage_gb: 100", "storage_gb: 200");
    let d = desired_from(&changed);
    (plan(&d, &live), d, live)
}

#[test]
fn table_rendering_snapshot() {
    insta::assert_snapshot!(render::table(&representative(), false));
}

#[test]
fn markdown_rendering_snapshot() {
    insta::assert_snapshot!(render::markdown(&representative(), None));
}

#[test]
fn markdown_with_the_graph_snapshot() {
    let (p, d, live) = representative_parts();
    let g = crate::graph::Graph::of_plan(&p, &d, &live);
    let text = render::markdown(&p, Some(&g));
    assert!(text.contains("```mermaid\nflowchart LR\n"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn diff_rendering_snapshot() {
    insta::assert_snapshot!(render::diff_table(&representative(), false));
}

#[test]
fn colour_only_when_asked() {
    let p = representative();
    assert!(!render::table(&p, false).contains('\x1b'));
    let coloured = render::table(&p, true);
    assert!(coloured.contains("\x1b[32m"), "green for creates");
    assert!(coloured.contains("\x1b[31m"), "red for replace/delete");
}

#[test]
fn empty_plan_says_so() {
    let d = instances();
    let p = plan(&d, &live_from(&d));
    assert_eq!(
        render::table(&p, false),
        "No changes. Live state matches the spec.\n"
    );
    assert!(render::markdown(&p, None).contains("**No changes.**"));
    assert_eq!(
        render::diff_table(&p, false),
        "No drift. Live state matches the spec.\n"
    );
}

/// Regression: a serverless config created without `MultiAZ` (DMS then omits it) planned a
/// perpetual `MultiAZ: (none) → false` update, found by the plan benchmark.
#[test]
fn a_config_without_multi_az_matches_a_single_az_spec() {
    let d = desired_from(SERVERLESS_FOR_MULTI_AZ);
    let mut live = live_from(&d);
    for c in live.replication_configs.values_mut() {
        if let Some(m) = c.compute_config.as_object_mut() {
            m.remove("MultiAZ");
        }
    }
    let p = plan(&d, &live);
    assert!(
        !p.has_changes(),
        "{}",
        crate::plan::render::table(&p, false)
    );
}

const SERVERLESS_FOR_MULTI_AZ: &str = "version: 1
stack: s
endpoints:
  a: { role: source, engine: mysql, host: h, username: u, password: { env: PW } }
  b: { role: target, engine: mysql, host: h, username: u, password: { env: PW } }
rules:
  r:
    - include: { schema: x }
replications:
  x: { source: a, target: b, type: cdc, rules: r }
compute:
  mode: serverless
  serverless: { max_dcu: 4 }
";

/// The stack with a second instance `spare`, every replication placed on `on`.
fn two_instances(on: &str) -> Desired {
    let text = spec("instances").replace(
        "      storage_gb: 100\n      subnet_group: private\n",
        &format!(
            "      storage_gb: 100\n      subnet_group: private\n    spare:\n      class: dms.t3.medium\n      subnet_group: private\n  placement: {{ history: {on}, events: {on} }}\n"
        ),
    );
    assert!(text.contains("spare:"), "{text}");
    desired_from(&text)
}

#[test]
fn a_task_placed_on_another_existing_instance_is_moved_not_replaced() {
    let live = live_from(&two_instances("main"));
    let p = plan(&two_instances("spare"), &live);
    let c = change(&p, Kind::Task, "history");
    assert_eq!(c.action, Action::Move, "{c:#?}");
    assert!(
        c.reasons.iter().any(|r| r.contains("MoveReplicationTask")),
        "{:?}",
        c.reasons
    );
    assert!(c.hazards.is_empty(), "{:?}", c.hazards);
    assert_eq!(p.summary.moved, 2);
    assert_eq!(p.summary.replace, 0);
    assert!(render::summary_line(&p).contains("2 to move"));
}

#[test]
fn a_moved_tasks_latency_alarm_follows_it_to_the_new_instance() {
    let alerts =
        "alerts:\n  cdc_latency:\n    lag: { replications: [history], target_seconds: 60 }\n";
    let with = |on: &str| {
        let mut d = two_instances(on);
        d.alarms = desired_from(&format!("{}{alerts}", spec("instances"))).alarms;
        d
    };
    let live = live_from(&with("main"));
    let p = plan(&with("spare"), &live);
    assert_eq!(change(&p, Kind::Task, "history").action, Action::Move);
    let alarm = change(&p, Kind::Alarm, "lag.history.target");
    assert_eq!(alarm.action, Action::Update, "{alarm:#?}");
    let dims = alarm
        .diffs
        .iter()
        .find(|d| d.field == "Dimensions")
        .expect("a dimensions diff");
    let instance = |v: &Option<serde_json::Value>| {
        v.as_ref().and_then(|v| {
            v["ReplicationInstanceIdentifier"]
                .as_str()
                .map(str::to_string)
        })
    };
    assert_eq!(instance(&dims.before).as_deref(), Some("sci-main"));
    assert_eq!(instance(&dims.after).as_deref(), Some("sci-spare"));
}

#[test]
fn a_task_moving_to_a_new_instance_is_replaced() {
    // `spare` does not exist yet: DMS moves tasks only between instances that exist.
    let live = live_from(&instances());
    let p = plan(&two_instances("spare"), &live);
    assert_eq!(change(&p, Kind::Instance, "spare").action, Action::Create);
    assert_eq!(change(&p, Kind::Task, "history").action, Action::Replace);
}

/// The instances stack with `backend` verifying its server with the certificate `ca`.
fn with_certificate() -> Desired {
    let text = spec("instances")
        .replace(
            "    password: { env: BACKEND_PW }\n",
            "    password: { env: BACKEND_PW }\n    ssl_mode: verify-full\n    certificate: ca\n",
        )
        .replace(
            "endpoints:\n",
            "certificates:\n  ca: { pem_file: ca.pem }\nendpoints:\n",
        );
    assert!(text.contains("certificate: ca"), "{text}");
    desired_from(&text)
}

#[test]
fn a_certificate_is_created_before_the_endpoint_that_names_it() {
    let p = plan(&with_certificate(), &Live::default());
    let cert = change(&p, Kind::Certificate, "ca");
    assert_eq!(cert.action, Action::Create);
    assert_eq!(cert.id, "sci-ca");
    let (_, builds) = p.execution_order();
    let at = |k: Kind, n: &str| builds.iter().position(|c| c.kind == k && c.name == n);
    assert!(at(Kind::Certificate, "ca") < at(Kind::Endpoint, "backend"));
    // Matching live state: nothing to do.
    let live = live_from(&with_certificate());
    assert!(plan(&with_certificate(), &live)
        .actionable()
        .next()
        .is_none());
}

#[test]
fn a_certificate_an_endpoint_still_uses_is_not_deleted() {
    let live = live_from(&with_certificate());
    // The spec drops the certificate, but the live endpoint still points at it.
    let p = plan(&instances(), &live);
    let cert = change(&p, Kind::Certificate, "ca");
    assert_eq!(cert.action, Action::NoOp, "{cert:#?}");
    assert!(
        cert.reasons[0].contains("kept while endpoint `sci-backend` uses it"),
        "{:?}",
        cert.reasons
    );
    // Once no endpoint uses it, it goes.
    let mut unused = live.clone();
    for e in unused.endpoints.values_mut() {
        e.certificate_arn = None;
    }
    assert_eq!(
        change(&plan(&instances(), &unused), Kind::Certificate, "ca").action,
        Action::Delete
    );
}
