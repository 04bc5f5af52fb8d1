//! `dmsctl generate`: a spec that describes what is in the account. Pure: [`Live`] in, spec
//! text out; `commands::generate` reads the account and prints.
//!
//! What it writes is meant to be adopted as it is: every identifier resolves to the live one
//! (a logical name, or `id:` where the name cannot derive it), table mappings render back to the
//! live JSON, and each resource keeps its tags (those all share said once, at the top). What
//! cannot be read (passwords) becomes an
//! environment variable; what DMS fills in by itself (task settings, availability zones,
//! maintenance windows, KMS keys) is left out, since `plan` compares only what a spec sets.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value as Json};

use crate::live::{Live, Tags};
pub use crate::model::is_name;
use crate::model::{derived_id, IdKind, TAG_NAME, TAG_STACK};
use crate::spec::types::*;

mod endpoint;
mod rules_inverse;
mod yaml_writer;

pub use rules_inverse::spec_rules;

use endpoint::endpoint;
use yaml_writer::render;

/// A generated spec and what the user should know about it.
#[derive(Debug)]
pub struct Generated {
    /// The spec text, header comment included.
    pub text: String,
    pub spec: Spec,
    /// Live resources left out because another stack's dmsctl tags claim them.
    pub other_stacks: usize,
    /// Things left out or approximated, one sentence each, for stderr.
    pub notes: Vec<String>,
}

/// Writes a spec for the resources of `live` that have no dmsctl tags or carry
/// `dmsctl:stack=<stack>`. `mode` picks serverless or instances when both exist.
pub fn generate(
    live: &Live,
    stack: &str,
    region: Option<&str>,
    mode: Option<ComputeMode>,
) -> Result<Generated, String> {
    let mut g = Gen {
        stack,
        notes: Vec::new(),
    };
    let other_stacks = g.other_stacks(live);
    let subnet_groups = g.subnet_groups(live);
    let (endpoints, endpoint_names) = g.endpoints(live);

    let instances_exist = live.instances.values().any(|i| g.include(&i.tags))
        || live.tasks.values().any(|t| g.include(&t.tags));
    let serverless_exists = live
        .replication_configs
        .values()
        .any(|c| g.include(&c.tags));
    let mode = pick_mode(mode, instances_exist, serverless_exists)?;

    let mut spec = Spec {
        version: 1,
        stack: stack.to_string(),
        region: region.map(str::to_string),
        tags: BTreeMap::new(),
        iam: Iam::default(),
        logging: Logging::default(),
        subnet_groups: subnet_groups
            .iter()
            .map(|(n, (_, s))| (n.clone(), s.clone()))
            .collect(),
        certificates: BTreeMap::new(),
        endpoints,
        rules: BTreeMap::new(),
        replications: BTreeMap::new(),
        compute: Compute {
            mode,
            serverless: None,
            instances: BTreeMap::new(),
            placement: BTreeMap::new(),
        },
        assessments: None,
        alerts: Default::default(),
    };
    let subnet_name = |id: Option<&str>| -> Option<String> {
        let id = id?;
        subnet_groups
            .iter()
            .find(|(_, (live_id, _))| live_id.eq_ignore_ascii_case(id))
            .map(|(n, _)| n.clone())
    };
    let mut found = Replications {
        endpoint_names: &endpoint_names,
        names: BTreeSet::new(),
        logging: BTreeMap::new(),
    };
    match mode {
        ComputeMode::Instances => g.instances(live, &mut spec, &mut found, &subnet_name)?,
        ComputeMode::Serverless => {
            g.serverless_replications(live, &mut spec, &mut found, &subnet_name)
        }
    }
    if instances_exist && serverless_exists {
        g.notes.push(other_mode_left_out(mode));
    }
    decide_logging(&mut spec, &found.logging);
    hoist_common_tags(&mut spec);
    let text = render(&spec, &g.notes);
    Ok(Generated {
        text,
        spec,
        other_stacks,
        notes: g.notes,
    })
}

/// The note that `--mode` left the other mode's resources out.
fn other_mode_left_out(mode: ComputeMode) -> String {
    let other = match mode {
        ComputeMode::Instances => "serverless replications",
        ComputeMode::Serverless => "replication instances and tasks",
    };
    format!("--mode {}: the account's {other} are left out", mode.name())
}

/// The compute mode to describe: the one asked for, else the only one the account uses.
fn pick_mode(
    mode: Option<ComputeMode>,
    instances_exist: bool,
    serverless_exists: bool,
) -> Result<ComputeMode, String> {
    Ok(match (mode, instances_exist, serverless_exists) {
        (Some(m), _, _) => m,
        (None, true, true) => {
            return Err(
                "the account has both replication instances (tasks) and serverless \
                 replications; choose which to describe with --mode instances or --mode serverless"
                    .into(),
            )
        }
        (None, true, false) => ComputeMode::Instances,
        _ => ComputeMode::Serverless,
    })
}

/// Most replications decide `logging.enabled`; the others say so in their settings.
/// `logging` holds each replication's task settings' `Logging.EnableLogging`.
fn decide_logging(spec: &mut Spec, logging: &BTreeMap<String, bool>) {
    let off = logging.values().filter(|on| !**on).count();
    spec.logging.enabled = off * 2 <= logging.len();
    for (name, on) in logging {
        if *on != spec.logging.enabled {
            if let Some(r) = spec.replications.get_mut(name) {
                r.settings = Some(
                    json!({"Logging": {"EnableLogging": on}})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                );
            }
        }
    }
}

/// Tags every resource carries with the same value move to the top-level `tags`, which the
/// model adds to every resource: the same tags on each resource, said once.
fn hoist_common_tags(spec: &mut Spec) {
    let mut sets: Vec<&mut BTreeMap<String, String>> = Vec::new();
    sets.extend(spec.subnet_groups.values_mut().map(|s| &mut s.tags));
    sets.extend(spec.endpoints.values_mut().map(|e| &mut e.tags));
    sets.extend(spec.replications.values_mut().map(|r| &mut r.tags));
    sets.extend(spec.compute.instances.values_mut().map(|i| &mut i.tags));
    let Some(first) = sets.first() else {
        return;
    };
    let common: BTreeMap<String, String> = first
        .iter()
        .filter(|(k, v)| sets.iter().all(|s| s.get(*k) == Some(*v)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for s in sets {
        s.retain(|k, _| !common.contains_key(k));
    }
    spec.tags.extend(common);
}

struct Gen<'a> {
    stack: &'a str,
    notes: Vec<String>,
}

/// What a task and a serverless replication have in common.
struct Found<'a> {
    identifier: &'a str,
    source_arn: &'a str,
    target_arn: &'a str,
    migration_type: &'a str,
    tags: &'a Tags,
}

/// The replications found so far: the names they took, and whether each enables logging.
struct Replications<'a> {
    /// Endpoints' logical names by ARN.
    endpoint_names: &'a BTreeMap<String, String>,
    names: BTreeSet<String>,
    /// Task settings' `Logging.EnableLogging` of each replication: the spec's `logging.enabled`.
    logging: BTreeMap<String, bool>,
}

impl Gen<'_> {
    /// Whether the resource belongs in the spec: no dmsctl stack tag, or this stack's.
    fn include(&self, tags: &Tags) -> bool {
        tags.get(TAG_STACK).is_none_or(|s| s == self.stack)
    }

    /// How many live resources another stack's dmsctl tags claim.
    fn other_stacks(&self, live: &Live) -> usize {
        let all_tags = live
            .endpoints
            .values()
            .map(|r| &r.tags)
            .chain(live.instances.values().map(|r| &r.tags))
            .chain(live.tasks.values().map(|r| &r.tags))
            .chain(live.replication_configs.values().map(|r| &r.tags))
            .chain(live.subnet_groups.values().map(|r| &r.tags));
        all_tags.filter(|t| !self.include(t)).count()
    }

    fn subnet_groups(&mut self, live: &Live) -> BTreeMap<String, (String, SubnetGroup)> {
        let mut used = BTreeSet::new();
        let mut out = BTreeMap::new();
        for s in live.subnet_groups.values() {
            if !self.include(&s.tags) {
                continue;
            }
            if let Err(why) = IdKind::SubnetGroup.validate(&s.identifier) {
                self.notes.push(format!(
                    "subnet group `{}` is left out: a spec cannot name it ({why})",
                    s.identifier
                ));
                continue;
            }
            let (name, id) =
                logical_name(self.stack, &s.identifier, tagged_name(&s.tags), &mut used);
            out.insert(
                name,
                (
                    s.identifier.clone(),
                    SubnetGroup {
                        id,
                        subnet_ids: s.subnet_ids.clone(),
                        description: Some(s.description.clone()),
                        tags: own_tags(&s.tags),
                    },
                ),
            );
        }
        out
    }

    /// The endpoints, and their logical names by ARN.
    fn endpoints(&mut self, live: &Live) -> (BTreeMap<String, Endpoint>, BTreeMap<String, String>) {
        let mut used = BTreeSet::new();
        let mut out = BTreeMap::new();
        let mut names = BTreeMap::new();
        for e in live.endpoints.values() {
            if !self.include(&e.tags) {
                continue;
            }
            let (name, id) =
                logical_name(self.stack, &e.identifier, tagged_name(&e.tags), &mut used);
            match endpoint(e, &name, id) {
                Ok(spec) => {
                    names.insert(e.arn.clone(), name.clone());
                    out.insert(name, spec);
                }
                Err(why) => {
                    used.remove(&name);
                    self.notes
                        .push(format!("endpoint `{}` is left out: {why}", e.identifier));
                }
            }
        }
        (out, names)
    }

    /// Instances mode: `compute.instances`, the tasks as replications and their placement.
    fn instances(
        &mut self,
        live: &Live,
        spec: &mut Spec,
        found: &mut Replications<'_>,
        subnet_name: &dyn Fn(Option<&str>) -> Option<String>,
    ) -> Result<(), String> {
        let instance_names = self.instance_entries(live, spec, subnet_name);
        for t in live.tasks.values() {
            if !self.include(&t.tags) {
                continue;
            }
            let Some(instance) = instance_names.get(&t.replication_instance_arn) else {
                self.notes.push(format!(
                    "task `{}` runs on an instance that is not in the spec; left out",
                    t.identifier
                ));
                continue;
            };
            let Some((name, replication)) = self.replication(
                &mut found.names,
                found.endpoint_names,
                Found {
                    identifier: &t.identifier,
                    source_arn: &t.source_endpoint_arn,
                    target_arn: &t.target_endpoint_arn,
                    migration_type: &t.migration_type,
                    tags: &t.tags,
                },
            ) else {
                continue;
            };
            spec.compute
                .placement
                .insert(name.clone(), instance.clone());
            record(
                spec,
                &mut found.logging,
                name,
                replication,
                &t.table_mappings,
                &t.settings,
            );
        }
        if spec.compute.instances.len() < 2 {
            spec.compute.placement.clear();
        }
        if spec.compute.instances.is_empty() {
            return Err(format!(
                "no replication instance of stack `{}` or without dmsctl tags exists: \
                 nothing to describe in instances mode",
                self.stack
            ));
        }
        Ok(())
    }

    /// `compute.instances`; their logical names by ARN.
    fn instance_entries(
        &mut self,
        live: &Live,
        spec: &mut Spec,
        subnet_name: &dyn Fn(Option<&str>) -> Option<String>,
    ) -> BTreeMap<String, String> {
        let mut instance_names: BTreeMap<String, String> = BTreeMap::new();
        let mut inames = BTreeSet::new();
        for i in live.instances.values() {
            if !self.include(&i.tags) {
                continue;
            }
            let (name, id) =
                logical_name(self.stack, &i.identifier, tagged_name(&i.tags), &mut inames);
            let subnet_group = subnet_name(i.subnet_group.as_deref());
            if i.subnet_group.is_some() && subnet_group.is_none() {
                self.notes.push(format!(
                    "instance `{}` uses subnet group `{}`, which is not in the spec; its \
                     `subnet_group` is left out",
                    i.identifier,
                    i.subnet_group.as_deref().unwrap_or_default()
                ));
            }
            instance_names.insert(i.arn.clone(), name.clone());
            spec.compute.instances.insert(
                name,
                Instance {
                    id,
                    class: i.class.clone(),
                    storage_gb: Some(i.allocated_storage),
                    multi_az: i.multi_az,
                    engine_version: i.engine_version.clone(),
                    subnet_group,
                    publicly_accessible: i.publicly_accessible,
                    security_group_ids: i.vpc_security_group_ids.clone(),
                    availability_zone: None,
                    kms_key_id: None,
                    preferred_maintenance_window: None,
                    tags: own_tags(&i.tags),
                },
            );
        }
        instance_names
    }

    /// Serverless mode: the replication configs as replications, and `compute.serverless`.
    fn serverless_replications(
        &mut self,
        live: &Live,
        spec: &mut Spec,
        found: &mut Replications<'_>,
        subnet_name: &dyn Fn(Option<&str>) -> Option<String>,
    ) {
        let mut configs = Vec::new();
        for c in live.replication_configs.values() {
            if !self.include(&c.tags) {
                continue;
            }
            let Some((name, replication)) = self.replication(
                &mut found.names,
                found.endpoint_names,
                Found {
                    identifier: &c.identifier,
                    source_arn: &c.source_endpoint_arn,
                    target_arn: &c.target_endpoint_arn,
                    migration_type: &c.replication_type,
                    tags: &c.tags,
                },
            ) else {
                continue;
            };
            record(
                spec,
                &mut found.logging,
                name.clone(),
                replication,
                &c.table_mappings,
                &c.settings,
            );
            configs.push((name, &c.compute_config));
        }
        spec.compute.serverless = Some(self.serverless(spec, &configs, subnet_name));
    }

    /// A replication's spec entry; `None` (with a note) when its endpoints are not in the spec.
    fn replication(
        &mut self,
        used: &mut BTreeSet<String>,
        endpoint_names: &BTreeMap<String, String>,
        f: Found<'_>,
    ) -> Option<(String, Replication)> {
        let (Some(source), Some(target)) = (
            endpoint_names.get(f.source_arn),
            endpoint_names.get(f.target_arn),
        ) else {
            self.notes.push(format!(
                "replication `{}` is left out: its source or target endpoint is not in the spec",
                f.identifier
            ));
            return None;
        };
        let Ok(migration_type) = serde_json::from_value::<MigrationType>(Json::from(
            f.migration_type.to_ascii_lowercase(),
        )) else {
            self.notes.push(format!(
                "replication `{}` is left out: unknown migration type `{}`",
                f.identifier, f.migration_type
            ));
            return None;
        };
        let (name, id) = logical_name(self.stack, f.identifier, tagged_name(f.tags), used);
        Some((
            name.clone(),
            Replication {
                id,
                source: source.clone(),
                target: target.clone(),
                migration_type,
                rules: name,
                settings: None,
                cdc_start_time: None,
                cdc_start_position: None,
                cdc_stop_position: None,
                serverless: None,
                tags: own_tags(f.tags),
            },
        ))
    }

    /// `compute.serverless` from the replications' compute configs: the most common capacity,
    /// with per-replication overrides where one differs.
    fn serverless(
        &mut self,
        spec: &mut Spec,
        configs: &[(String, &Json)],
        subnet_name: &dyn Fn(Option<&str>) -> Option<String>,
    ) -> Serverless {
        let int = |c: &Json, k: &str| c.get(k).and_then(json_i64);
        let multi_az = |c: &Json| c.get("MultiAZ").and_then(Json::as_bool).unwrap_or(false);
        let min = most_common(configs.iter().map(|(_, c)| int(c, "MinCapacityUnits")));
        let max = most_common(configs.iter().map(|(_, c)| int(c, "MaxCapacityUnits")));
        let maz = most_common(configs.iter().map(|(_, c)| Some(multi_az(c)))).unwrap_or(false);
        for (name, c) in configs {
            let o = ServerlessOverride {
                min_dcu: int(c, "MinCapacityUnits").filter(|v| Some(*v) != min),
                max_dcu: int(c, "MaxCapacityUnits").filter(|v| Some(*v) != max),
                expected_dcu: None,
                multi_az: Some(multi_az(c)).filter(|v| *v != maz),
            };
            if o.min_dcu.is_some() || o.max_dcu.is_some() || o.multi_az.is_some() {
                if let Some(r) = spec.replications.get_mut(name) {
                    r.serverless = Some(o);
                }
            }
        }
        let first = configs.first().map(|(_, c)| *c);
        let group_id = first.and_then(|c| c.get("ReplicationSubnetGroupId")?.as_str());
        let subnet_group = subnet_name(group_id);
        if group_id.is_some() && subnet_group.is_none() {
            self.notes.push(format!(
                "the serverless replications use subnet group `{}`, which is not in the spec; \
                 `subnet_group` is left out",
                group_id.unwrap_or_default()
            ));
        }
        let security_group_ids: Vec<String> = first
            .and_then(|c| c.get("VpcSecurityGroupIds")?.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        for key in ["ReplicationSubnetGroupId", "VpcSecurityGroupIds"] {
            let values: BTreeSet<String> = configs
                .iter()
                .map(|(_, c)| c.get(key).map(|v| v.to_string()).unwrap_or_default())
                .collect();
            if values.len() > 1 {
                self.notes.push(format!(
                    "the serverless replications differ in `{key}`, which a spec sets for all of \
                     them: the spec takes the first one's, and `plan` shows the others' difference"
                ));
            }
        }
        if configs.is_empty() {
            self.notes.push(
                "no serverless replication exists: `compute.serverless` is a placeholder \
                 (max_dcu 4) for the replications you add"
                    .into(),
            );
        }
        Serverless {
            min_dcu: min,
            max_dcu: max.unwrap_or(4),
            expected_dcu: None,
            multi_az: maz,
            subnet_group,
            security_group_ids,
            availability_zone: None,
            kms_key_id: None,
            preferred_maintenance_window: None,
        }
    }
}

/// The value most items have (the first of equals); `None` when none has one.
fn most_common<T: Ord + Copy>(items: impl Iterator<Item = Option<T>>) -> Option<T> {
    let mut counts: Vec<(T, usize)> = Vec::new();
    for v in items.flatten() {
        match counts.iter_mut().find(|(x, _)| *x == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(v, _)| v)
}

fn json_i64(v: &Json) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// Adds a replication and its rule set (named after it) to `spec`, and notes whether its
/// settings enable logging, which decides `logging.enabled` once all are in.
fn record(
    spec: &mut Spec,
    logging: &mut BTreeMap<String, bool>,
    name: String,
    replication: Replication,
    mappings: &Json,
    settings: &Json,
) {
    spec.rules.insert(name.clone(), spec_rules(mappings));
    spec.replications.insert(name.clone(), replication);
    logging.insert(name, logging_enabled(settings));
}

fn logging_enabled(settings: &Json) -> bool {
    settings
        .pointer("/Logging/EnableLogging")
        .is_some_and(|v| v.as_bool().unwrap_or_else(|| v.as_str() == Some("true")))
}

/// The `dmsctl:name` tag, when the resource has one.
fn tagged_name(tags: &Tags) -> Option<&str> {
    tags.get(TAG_NAME).map(String::as_str)
}

/// A resource's tags without dmsctl's own and AWS's reserved ones: what its `tags:` says.
fn own_tags(tags: &Tags) -> BTreeMap<String, String> {
    tags.iter()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("aws:") && !k.starts_with("dmsctl:")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The logical name of a live resource and the `id:` it needs: the `dmsctl:name` tag, else the
/// identifier without a leading `<stack>-`, else the identifier itself, made into a valid name
/// and unique among `used`. `id` is set whenever `<stack>-<name>` would not be the identifier.
pub fn logical_name(
    stack: &str,
    identifier: &str,
    tagged: Option<&str>,
    used: &mut BTreeSet<String>,
) -> (String, Option<String>) {
    let prefix = format!("{stack}-");
    let stripped = identifier
        .get(..prefix.len())
        .filter(|p| p.eq_ignore_ascii_case(&prefix))
        .and_then(|_| identifier.get(prefix.len()..))
        .filter(|rest| !rest.is_empty());
    let base = tagged.or(stripped).unwrap_or(identifier);
    let mut name = if is_name(base) {
        base.to_string()
    } else {
        let mut s = String::new();
        for c in base.chars() {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                s.push(c);
            } else if !s.is_empty() && !s.ends_with('-') {
                s.push('-');
            }
        }
        let s = s.trim_end_matches('-').to_string();
        if s.starts_with(|c: char| c.is_ascii_lowercase()) {
            s
        } else {
            format!("r-{s}").trim_end_matches('-').to_string()
        }
    };
    if used.contains(&name) {
        let mut n = 2;
        while used.contains(&format!("{name}-{n}")) {
            n += 1;
        }
        name = format!("{name}-{n}");
    }
    used.insert(name.clone());
    let id = (derived_id(stack, &name, None) != identifier).then(|| identifier.to_string());
    (name, id)
}

/// The environment variable a generated spec reads an endpoint's password from.
pub fn password_var(name: &str, what: &str) -> String {
    format!("{}_{what}", name.to_ascii_uppercase().replace('-', "_"))
}

#[cfg(test)]
mod tests;
