//! Per-kind comparison of a desired resource with the live one it matched: the [`Diff`]s and
//! the sentences that explain them.
//!
//! The rule throughout is "no perpetual diffs": DMS fills in defaults, echoes settings in its
//! own spelling and case, and never returns secrets. So documents (task settings, engine
//! settings, compute config, extra connection attributes) are compared only on what the spec
//! sets, scalars loosely (`4` equals `"4"`), table mappings as sets of rules keyed by rule id,
//! and passwords not at all.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use super::Diff;
use crate::live::{
    LiveAlarm, LiveCertificate, LiveEndpoint, LiveEventSubscription, LiveInstance,
    LiveReplicationConfig, LiveRole, LiveSubnetGroup, LiveTask, Tags,
};
use crate::model::{
    parse_attributes, DesiredAlarm, DesiredCertificate, DesiredEndpoint, DesiredEventSubscription,
    DesiredInstance, DesiredReplicationConfig, DesiredRole, DesiredSubnetGroup, DesiredTask, Tag,
};

/// Collects diffs for one resource.
#[derive(Default)]
struct Diffs(Vec<Diff>);

impl Diffs {
    fn push(&mut self, field: &str, before: Option<Json>, after: Option<Json>, forces: bool) {
        self.0.push(Diff {
            field: field.to_string(),
            before,
            after,
            forces_replacement: forces,
        });
    }

    /// A string the spec sets (when it sets it), compared without regard to case where AWS
    /// normalises it.
    fn text(&mut self, field: &str, want: Option<&str>, have: Option<&str>, forces: bool) {
        let Some(w) = want else { return };
        let same = have.is_some_and(|h| {
            if case_insensitive(field) {
                h.eq_ignore_ascii_case(w)
            } else {
                h == w
            }
        });
        if !same {
            self.push(field, have.map(Json::from), Some(Json::from(w)), forces);
        }
    }

    fn value(&mut self, field: &str, want: Json, have: Json, forces: bool) {
        if !loose_eq(&want, &have) {
            self.push(field, Some(have), Some(want), forces);
        }
    }

    /// Lists compared as sets; DMS does not keep their order.
    fn set(&mut self, field: &str, want: &[String], have: &[String], forces: bool) {
        let w: BTreeSet<&String> = want.iter().collect();
        let h: BTreeSet<&String> = have.iter().collect();
        if w != h {
            let list = |s: BTreeSet<&String>| Json::from_iter(s.into_iter().cloned());
            self.push(field, Some(list(h)), Some(list(w)), forces);
        }
    }

    /// Only the attributes the spec sets: for some engines (S3, Kafka) DMS echoes its settings
    /// back as attributes, which would otherwise show as perpetual removals.
    fn attributes(&mut self, want: Option<&str>, have: Option<&str>) {
        let want_eca = parse_attributes(want.unwrap_or(""));
        let have_eca = parse_attributes(have.unwrap_or(""));
        for (k, v) in &want_eca {
            let found = have_eca
                .iter()
                .find(|(hk, _)| hk.eq_ignore_ascii_case(k))
                .map(|(_, hv)| hv);
            if !found.is_some_and(|h| loose_eq(&Json::from(v.as_str()), &Json::from(h.as_str()))) {
                self.push(
                    &format!("ExtraConnectionAttributes.{k}"),
                    found.map(|h| Json::from(h.as_str())),
                    Some(Json::from(v.as_str())),
                    false,
                );
            }
        }
    }

    /// Modify upgrades (AllowMajorVersionUpgrade); DMS has no downgrade.
    fn engine_version(&mut self, want: &str, have: Option<&str>) {
        let newer = have.map(|h| version_key(want).cmp(&version_key(h)));
        if newer != Some(std::cmp::Ordering::Equal) {
            self.push(
                "EngineVersion",
                have.map(Json::from),
                Some(Json::from(want)),
                newer == Some(std::cmp::Ordering::Less),
            );
        }
    }

    /// The desired tags (the ownership tags among them) are added or overwritten; a live tag
    /// the spec does not name is removed (`after` is `None`), as Terraform does, except the
    /// `aws:` ones, which AWS reserves and nobody can remove. Never a replacement.
    fn tags(&mut self, want: &[Tag], have: &Tags) {
        for t in want {
            if have.get(&t.key) != Some(&t.value) {
                self.push(
                    &format!("Tags.{}", t.key),
                    have.get(&t.key).map(|v| Json::from(v.as_str())),
                    Some(Json::from(t.value.as_str())),
                    false,
                );
            }
        }
        for (key, value) in have {
            if !is_reserved_tag(key) && !want.iter().any(|t| &t.key == key) {
                self.push(
                    &format!("Tags.{key}"),
                    Some(Json::from(value.as_str())),
                    None,
                    false,
                );
            }
        }
    }

    /// Table mappings, compared as DMS treats them.
    fn mappings(&mut self, want: &Json, have: &Json) {
        if !mappings_equal(want, have) {
            self.push(
                "TableMappings",
                Some(have.clone()),
                Some(want.clone()),
                false,
            );
        }
    }
}

/// Tag keys AWS reserves for itself (`aws:cloudformation:stack-name`, ...), in any case: they
/// cannot be removed, so a plan never tries.
pub(super) fn is_reserved_tag(key: &str) -> bool {
    key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:"))
}

/// Fields whose value AWS stores in lowercase or compares without regard to case.
fn case_insensitive(field: &str) -> bool {
    let leaf = field.rsplit('.').next().unwrap_or(field);
    matches!(
        leaf,
        "EndpointType"
            | "EngineName"
            | "ServerName"
            | "SslMode"
            | "ReplicationInstanceClass"
            | "ReplicationSubnetGroupIdentifier"
            | "ReplicationSubnetGroupId"
            | "PreferredMaintenanceWindow"
            | "AvailabilityZone"
            | "MigrationType"
            | "ReplicationType"
    )
}

pub(super) fn role(want: &DesiredRole, have: &LiveRole) -> Vec<Diff> {
    let mut d = Diffs::default();
    if !have.trusts_dms {
        // The live trust policy is not kept, only whether it trusts DMS: `before` is unknown.
        d.push(
            "AssumeRolePolicyDocument",
            None,
            Some(want.assume_role_policy_document.clone()),
            false,
        );
    }
    let missing: Vec<&String> = want
        .attached_policy_arns
        .iter()
        .filter(|p| !have.attached_policy_arns.contains(p))
        .collect();
    if !missing.is_empty() {
        // Policies attached by others stay: the roles are shared by the whole account.
        let mut after: Vec<String> = have.attached_policy_arns.clone();
        after.extend(missing.into_iter().cloned());
        after.sort();
        let mut before = have.attached_policy_arns.clone();
        before.sort();
        d.push(
            "AttachedPolicyArns",
            Some(Json::from(before)),
            Some(Json::from(after)),
            false,
        );
    }
    d.0
}

/// A certificate: DMS cannot modify one, so another PEM is a replacement; tags change in place.
/// A PEM not read (a spec checked from text) is not compared.
pub(super) fn certificate(want: &DesiredCertificate, have: &LiveCertificate) -> Vec<Diff> {
    let mut d = Diffs::default();
    let norm = |p: &str| p.replace('\r', "").trim().to_string();
    if let (Some(w), Some(h)) = (&want.certificate_pem, &have.pem) {
        if norm(w) != norm(h) {
            d.0.push(Diff {
                field: "CertificatePem".into(),
                before: Some(Json::String("(the certificate in DMS)".into())),
                after: Some(Json::String(format!(
                    "(the certificate in {})",
                    want.pem_file
                ))),
                forces_replacement: true,
            });
        }
    }
    d.tags(&want.tags, &have.tags);
    d.0
}

pub(super) fn subnet_group(want: &DesiredSubnetGroup, have: &LiveSubnetGroup) -> Vec<Diff> {
    let mut d = Diffs::default();
    d.text(
        "ReplicationSubnetGroupDescription",
        Some(&want.replication_subnet_group_description),
        Some(&have.description),
        false,
    );
    d.set("SubnetIds", &want.subnet_ids, &have.subnet_ids, false);
    d.tags(&want.tags, &have.tags);
    d.0
}

pub(super) fn instance(want: &DesiredInstance, have: &LiveInstance) -> Vec<Diff> {
    let mut d = Diffs::default();
    d.text(
        "ReplicationInstanceClass",
        Some(&want.replication_instance_class),
        Some(&have.class),
        false,
    );
    if want.allocated_storage != have.allocated_storage {
        // ModifyReplicationInstance only grows storage.
        d.push(
            "AllocatedStorage",
            Some(Json::from(have.allocated_storage)),
            Some(Json::from(want.allocated_storage)),
            want.allocated_storage < have.allocated_storage,
        );
    }
    d.value(
        "MultiAZ",
        Json::from(want.multi_az),
        Json::from(have.multi_az),
        false,
    );
    if let Some(v) = &want.engine_version {
        d.engine_version(v, have.engine_version.as_deref());
    }
    // Without security groups in the spec DMS picks the VPC's default: not a difference.
    if !want.vpc_security_group_ids.is_empty() {
        d.set(
            "VpcSecurityGroupIds",
            &want.vpc_security_group_ids,
            &have.vpc_security_group_ids,
            false,
        );
    }
    d.text(
        "PreferredMaintenanceWindow",
        want.preferred_maintenance_window.as_deref(),
        have.preferred_maintenance_window.as_deref(),
        false,
    );
    instance_placement(&mut d, want, have);
    d.tags(&want.tags, &have.tags);
    d.0
}

/// What ModifyReplicationInstance cannot change. Unset in the spec means "AWS's choice".
fn instance_placement(d: &mut Diffs, want: &DesiredInstance, have: &LiveInstance) {
    d.text(
        "ReplicationSubnetGroupIdentifier",
        want.replication_subnet_group_identifier.as_deref(),
        have.subnet_group.as_deref(),
        true,
    );
    d.value(
        "PubliclyAccessible",
        Json::from(want.publicly_accessible),
        Json::from(have.publicly_accessible),
        true,
    );
    d.text(
        "AvailabilityZone",
        want.availability_zone.as_deref(),
        have.availability_zone.as_deref(),
        true,
    );
    if let Some(k) = &want.kms_key_id {
        if !kms_matches(k, have.kms_key_id.as_deref()) {
            d.push(
                "KmsKeyId",
                have.kms_key_id.clone().map(Json::from),
                Some(Json::from(k.as_str())),
                true,
            );
        }
    }
}

/// AWS reports the key's ARN; the spec may name the key by id or ARN.
fn kms_matches(want: &str, have: Option<&str>) -> bool {
    have.is_some_and(|h| {
        h == want || h.ends_with(&format!("/{want}")) || h.ends_with(&format!(":{want}"))
    })
}

/// `3.5.4` -> `[3, 5, 4]`, so versions order numerically (`3.10` after `3.9`).
fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

pub(super) fn endpoint(want: &DesiredEndpoint, have: &LiveEndpoint) -> Vec<Diff> {
    // Everything here is ModifyEndpoint's: nothing forces a replacement. The password is
    // write-only (DMS never returns it), so it is not compared.
    let mut d = Diffs::default();
    d.text(
        "EndpointType",
        Some(want.endpoint_type),
        Some(&have.endpoint_type),
        false,
    );
    d.text(
        "EngineName",
        Some(want.engine_name),
        Some(&have.engine_name),
        false,
    );
    d.text(
        "ServerName",
        want.server_name.as_deref(),
        have.server_name.as_deref(),
        false,
    );
    if let Some(p) = want.port {
        d.value(
            "Port",
            Json::from(p),
            have.port.map_or(Json::Null, Json::from),
            false,
        );
    }
    d.text(
        "DatabaseName",
        want.database_name.as_deref(),
        have.database_name.as_deref(),
        false,
    );
    d.text(
        "Username",
        want.username.as_deref(),
        have.username.as_deref(),
        false,
    );
    // No SSL mode in the spec is DMS's default, `none`: removing it from the spec is a change.
    d.text(
        "SslMode",
        Some(want.ssl_mode.unwrap_or("none")),
        Some(have.ssl_mode.as_deref().unwrap_or("none")),
        false,
    );
    // A certificate named in the spec is compared by the planner, which knows its ARN.
    if want.certificate.is_none() {
        d.text(
            "CertificateArn",
            want.certificate_arn.as_deref(),
            have.certificate_arn.as_deref(),
            false,
        );
    }
    d.attributes(
        want.extra_connection_attributes.as_deref(),
        have.extra_connection_attributes.as_deref(),
    );
    let secret = |path: &str| {
        want.secret_settings.contains_key(path)
            || path
                .rsplit('.')
                .next()
                .is_some_and(|leaf| leaf.contains("Password"))
    };
    for (key, value) in &want.settings {
        subset(&mut d, key, value, have.settings.get(key), &secret);
    }
    d.tags(&want.tags, &have.tags);
    d.0
}

pub(super) fn task(want: &DesiredTask, have: &LiveTask) -> Vec<Diff> {
    // Endpoints and instance are compared by the planner, which knows their ARNs. The CDC
    // start time is a one-off instruction for the first start, not a state DMS reports back.
    let mut d = Diffs::default();
    d.text(
        "MigrationType",
        Some(want.migration_type),
        Some(&have.migration_type),
        false,
    );
    d.mappings(&want.table_mappings, &have.table_mappings);
    subset(
        &mut d,
        "ReplicationTaskSettings",
        &want.replication_task_settings,
        Some(&have.settings),
        &|_| false,
    );
    d.tags(&want.tags, &have.tags);
    d.0
}

pub(super) fn replication_config(
    want: &DesiredReplicationConfig,
    have: &LiveReplicationConfig,
) -> Vec<Diff> {
    // ModifyReplicationConfig changes all of it in place.
    let mut d = Diffs::default();
    d.text(
        "ReplicationType",
        Some(want.replication_type),
        Some(&have.replication_type),
        false,
    );
    // DMS leaves `MultiAZ` out of a config created without it; that means single-AZ.
    let mut have_compute = have.compute_config.clone();
    if let Some(map) = have_compute.as_object_mut() {
        map.entry("MultiAZ").or_insert(Json::Bool(false));
    }
    subset(
        &mut d,
        "ComputeConfig",
        &want.compute_config,
        Some(&have_compute),
        &|_| false,
    );
    d.mappings(&want.table_mappings, &have.table_mappings);
    subset(
        &mut d,
        "ReplicationSettings",
        &want.replication_settings,
        Some(&have.settings),
        &|_| false,
    );
    d.tags(&want.tags, &have.tags);
    d.0
}

/// Compares only what `want` sets, leaf by leaf: DMS fills in every other key. Lists of objects
/// with an `Id` (`Logging.LogComponents`) are matched by it, since DMS lists every component
/// and the spec names a few; other lists are compared as sets.
fn subset(
    d: &mut Diffs,
    path: &str,
    want: &Json,
    have: Option<&Json>,
    skip: &dyn Fn(&str) -> bool,
) {
    if skip(path) {
        return;
    }
    match want {
        Json::Object(w) => {
            for (k, v) in w {
                subset(
                    d,
                    &format!("{path}.{k}"),
                    v,
                    have.and_then(|h| h.get(k)),
                    skip,
                );
            }
        }
        Json::Array(items) if !items.is_empty() && items.iter().all(|i| i.get("Id").is_some()) => {
            for item in items {
                let id = item.get("Id").cloned().unwrap_or(Json::Null);
                let found = have.and_then(Json::as_array).and_then(|a| {
                    a.iter()
                        .find(|h| h.get("Id").is_some_and(|hid| loose_eq(hid, &id)))
                });
                let label = match &id {
                    Json::String(s) => s.clone(),
                    other => other.to_string(),
                };
                subset(d, &format!("{path}[Id={label}]"), item, found, skip);
            }
        }
        _ => {
            let same = match have {
                None => want.is_null(),
                Some(h) => leaf_eq(path, want, h),
            };
            if !same {
                d.push(path, have.cloned(), Some(want.clone()), false);
            }
        }
    }
}

fn leaf_eq(path: &str, want: &Json, have: &Json) -> bool {
    match (want, have) {
        (Json::String(w), Json::String(h)) if case_insensitive(path) => w.eq_ignore_ascii_case(h),
        (Json::String(w), Json::String(h)) if path.ends_with(".KmsKeyId") => {
            kms_matches(w, Some(h))
        }
        (Json::Array(w), Json::Array(h)) => {
            w.len() == h.len()
                && w.iter().all(|x| h.iter().any(|y| loose_eq(x, y)))
                && h.iter().all(|y| w.iter().any(|x| loose_eq(x, y)))
        }
        _ => loose_eq(want, have),
    }
}

/// JSON equality that forgives how DMS spells scalars: `4` = `4.0` = `"4"`, `true` = `"true"`.
pub(super) fn loose_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Json::Number(n), Json::String(s)) | (Json::String(s), Json::Number(n)) => {
            s.trim().parse::<f64>().ok() == n.as_f64()
        }
        (Json::Bool(x), Json::String(s)) | (Json::String(s), Json::Bool(x)) => s
            .trim()
            .eq_ignore_ascii_case(if *x { "true" } else { "false" }),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| loose_eq(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| loose_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Table mappings as DMS treats them: the rules as a set keyed by `rule-id` (their order in the
/// list means nothing), each rule equal key by key; a key only the live side has counts only
/// when it carries something (DMS may echo `"filters": []`).
pub(crate) fn mappings_equal(want: &Json, have: &Json) -> bool {
    match (rules_by_id(want), rules_by_id(have)) {
        (Some(w), Some(h)) => {
            w.len() == h.len()
                && w.iter()
                    .all(|(id, wr)| h.get(id).is_some_and(|hr| rule_eq(wr, hr)))
        }
        _ => loose_eq(want, have),
    }
}

fn rules_by_id(m: &Json) -> Option<BTreeMap<String, &Json>> {
    let rules = m.get("rules")?.as_array()?;
    let mut out = BTreeMap::new();
    for r in rules {
        let id = match r.get("rule-id")? {
            Json::String(s) => s.trim().to_string(),
            Json::Number(n) => n.to_string(),
            _ => return None,
        };
        if out.insert(id, r).is_some() {
            return None;
        }
    }
    Some(out)
}

fn rule_eq(want: &Json, have: &Json) -> bool {
    let (Some(w), Some(h)) = (want.as_object(), have.as_object()) else {
        return loose_eq(want, have);
    };
    w.iter().all(|(k, v)| match h.get(k) {
        Some(hv) => loose_eq(v, hv),
        None => is_empty(v),
    }) && h.iter().all(|(k, v)| w.contains_key(k) || is_empty(v))
}

fn is_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        Json::String(s) => s.is_empty(),
        _ => false,
    }
}

/// A stable form for display and fingerprints: object keys sorted, table-mapping rules ordered
/// by rule id.
pub(super) fn canonical(v: &Json) -> Json {
    match v {
        Json::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                let value = &o[k.as_str()];
                let value = if k == "rules" {
                    sorted_rules(value)
                } else {
                    canonical(value)
                };
                out.insert(k.clone(), value);
            }
            Json::Object(out)
        }
        Json::Array(a) => Json::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

fn sorted_rules(v: &Json) -> Json {
    let Some(rules) = v.as_array() else {
        return canonical(v);
    };
    let mut rules: Vec<Json> = rules.iter().map(canonical).collect();
    let key = |r: &Json| -> (u64, String) {
        let id = match r.get("rule-id") {
            Some(Json::String(s)) => s.clone(),
            Some(Json::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        (id.parse().unwrap_or(u64::MAX), id)
    };
    rules.sort_by_key(key);
    Json::Array(rules)
}

/// A DMS event subscription. `ModifyEventSubscription` sets the topic, source type, categories
/// and `Enabled`, but not the source ids, which DMS has no call to change: another list of
/// tasks or instances (and so another source type) is a replacement. So is going from some
/// categories back to all of them, which Modify cannot express (it leaves them as they are
/// when none are given).
pub(super) fn event_subscription(
    want: &DesiredEventSubscription,
    have: &LiveEventSubscription,
) -> Vec<Diff> {
    let mut d = Diffs::default();
    d.text(
        "SnsTopicArn",
        Some(&want.sns_topic_arn),
        Some(&have.sns_topic_arn),
        false,
    );
    d.text(
        "SourceType",
        Some(want.source_type),
        have.source_type.as_deref(),
        true,
    );
    let to_all = want.event_categories.is_empty() && !have.event_categories.is_empty();
    d.set(
        "EventCategories",
        &want.event_categories,
        &have.event_categories,
        to_all,
    );
    let lower = |ids: &[String]| ids.iter().map(|i| i.to_lowercase()).collect::<Vec<_>>();
    d.set(
        "SourceIds",
        &lower(&want.source_ids),
        &lower(&have.source_ids),
        true,
    );
    d.value(
        "Enabled",
        Json::from(want.enabled),
        Json::from(have.enabled),
        false,
    );
    d.tags(&want.tags, &have.tags);
    d.0
}

/// A CloudWatch alarm: `PutMetricAlarm` overwrites every setting, so any difference is an
/// update. `dimensions` is `None` while the replication they name is created or replaced by
/// the same apply: they are known after it.
pub(super) fn alarm(
    want: &DesiredAlarm,
    have: &LiveAlarm,
    dimensions: Option<&[(String, String)]>,
) -> Vec<Diff> {
    let mut d = Diffs::default();
    d.text(
        "AlarmDescription",
        Some(&want.alarm_description),
        have.description.as_deref(),
        false,
    );
    d.text(
        "Namespace",
        Some(want.namespace),
        have.namespace.as_deref(),
        false,
    );
    d.text(
        "MetricName",
        Some(want.metric_name),
        have.metric_name.as_deref(),
        false,
    );
    d.text(
        "Statistic",
        Some(want.statistic),
        have.statistic.as_deref(),
        false,
    );
    d.text(
        "ComparisonOperator",
        Some(want.comparison_operator),
        have.comparison_operator.as_deref(),
        false,
    );
    let num = |v: Option<f64>| v.map_or(Json::Null, Json::from);
    d.value(
        "Threshold",
        Json::from(want.threshold),
        num(have.threshold),
        false,
    );
    let int = |v: Option<i64>| v.map_or(Json::Null, Json::from);
    d.value("Period", Json::from(want.period), int(have.period), false);
    d.value(
        "EvaluationPeriods",
        Json::from(want.evaluation_periods),
        int(have.evaluation_periods),
        false,
    );
    // Left out, CloudWatch takes it to be EvaluationPeriods (and may report either).
    let points =
        |v: Option<i64>, periods: Option<i64>| v.or(periods).map_or(Json::Null, Json::from);
    d.value(
        "DatapointsToAlarm",
        points(want.datapoints_to_alarm, Some(want.evaluation_periods)),
        points(have.datapoints_to_alarm, have.evaluation_periods),
        false,
    );
    d.text(
        "TreatMissingData",
        Some(want.treat_missing_data),
        Some(have.treat_missing_data.as_deref().unwrap_or("missing")),
        false,
    );
    if !have.actions_enabled {
        d.push(
            "ActionsEnabled",
            Some(Json::from(false)),
            Some(Json::from(true)),
            false,
        );
    }
    d.set(
        "AlarmActions",
        &want.alarm_actions,
        &have.alarm_actions,
        false,
    );
    d.set("OKActions", &want.ok_actions, &have.ok_actions, false);
    let pairs = |dims: &[(String, String)]| {
        Json::Object(
            dims.iter()
                .map(|(k, v)| (k.clone(), Json::from(v.as_str())))
                .collect(),
        )
    };
    match dimensions {
        Some(want_dims) if want_dims != have.dimensions.as_slice() => d.push(
            "Dimensions",
            Some(pairs(&have.dimensions)),
            Some(pairs(want_dims)),
            false,
        ),
        Some(_) => {}
        None => d.push(
            "Dimensions",
            Some(pairs(&have.dimensions)),
            Some(Json::from(
                "(known after apply: its replication is created)",
            )),
            false,
        ),
    }
    d.tags(&want.tags, &have.tags);
    d.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_compare_loosely() {
        assert!(loose_eq(&json!(4), &json!("4")));
        assert!(loose_eq(&json!(4), &json!(4.0)));
        assert!(loose_eq(&json!(true), &json!("TRUE")));
        assert!(!loose_eq(&json!("a"), &json!("A")));
    }

    #[test]
    fn mappings_ignore_rule_order_and_empty_echoes() {
        let want = json!({"rules": [
            {"rule-type": "selection", "rule-id": "1", "rule-name": "1-include"},
            {"rule-type": "transformation", "rule-id": "2", "rule-name": "2-rename"}
        ]});
        let have = json!({"rules": [
            {"rule-type": "transformation", "rule-id": 2, "rule-name": "2-rename", "filters": []},
            {"rule-type": "selection", "rule-id": "1", "rule-name": "1-include"}
        ]});
        assert!(mappings_equal(&want, &have));
        let changed =
            json!({"rules": [{"rule-type": "selection", "rule-id": "1", "rule-name": "x"}]});
        assert!(!mappings_equal(&want, &changed));
    }

    #[test]
    fn extra_connection_attributes_parse() {
        assert_eq!(
            parse_attributes("a=1; b = two;;c"),
            vec![
                ("a".to_string(), "1".to_string()),
                ("b".to_string(), "two".to_string()),
                ("c".to_string(), String::new())
            ]
        );
    }

    #[test]
    fn versions_order_numerically() {
        assert!(version_key("3.10.0") > version_key("3.9.9"));
        assert_eq!(version_key("3.5.4"), vec![3, 5, 4]);
    }

    #[test]
    fn canonical_sorts_keys_and_rules() {
        let v = canonical(
            &json!({"rules": [{"rule-id": "10"}, {"rule-id": "2"}], "b": 1, "a": {"z": 1, "y": 2}}),
        );
        assert_eq!(
            serde_json::to_string(&v).expect("serializes"),
            r#"{"a":{"y":2,"z":1},"b":1,"rules":[{"rule-id":"2"},{"rule-id":"10"}]}"#
        );
    }
}
