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

use serde_json::{json, Map, Value as Json};

use crate::live::{Live, LiveEndpoint, Tags};
use crate::model::{derived_id, IdKind, TAG_NAME, TAG_STACK};
use crate::plan::compare::mappings_equal;
use crate::rules;
use crate::spec::types::*;

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
    let all_tags = live
        .endpoints
        .values()
        .map(|r| &r.tags)
        .chain(live.instances.values().map(|r| &r.tags))
        .chain(live.tasks.values().map(|r| &r.tags))
        .chain(live.replication_configs.values().map(|r| &r.tags))
        .chain(live.subnet_groups.values().map(|r| &r.tags));
    let other_stacks = all_tags.filter(|t| !g.include(t)).count();
    let subnet_groups = g.subnet_groups(live);
    let (endpoints, endpoint_names) = g.endpoints(live);

    let instances_exist = live.instances.values().any(|i| g.include(&i.tags))
        || live.tasks.values().any(|t| g.include(&t.tags));
    let serverless_exists = live
        .replication_configs
        .values()
        .any(|c| g.include(&c.tags));
    let mode = match (mode, instances_exist, serverless_exists) {
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
    };

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
        endpoints,
        rules: BTreeMap::new(),
        replications: BTreeMap::new(),
        compute: Compute {
            mode,
            serverless: None,
            instances: BTreeMap::new(),
            placement: BTreeMap::new(),
        },
    };
    let subnet_name = |id: Option<&str>| -> Option<String> {
        let id = id?;
        subnet_groups
            .iter()
            .find(|(_, (live_id, _))| live_id.eq_ignore_ascii_case(id))
            .map(|(n, _)| n.clone())
    };
    // Task settings' `Logging.EnableLogging` of each replication: the spec's `logging.enabled`.
    let mut logging: BTreeMap<String, bool> = BTreeMap::new();
    let mut names = BTreeSet::new();
    match mode {
        ComputeMode::Instances => {
            let mut instance_names: BTreeMap<String, String> = BTreeMap::new();
            let mut inames = BTreeSet::new();
            for i in live.instances.values() {
                if !g.include(&i.tags) {
                    continue;
                }
                let (name, id) =
                    logical_name(stack, &i.identifier, tagged_name(&i.tags), &mut inames);
                let subnet_group = subnet_name(i.subnet_group.as_deref());
                if i.subnet_group.is_some() && subnet_group.is_none() {
                    g.notes.push(format!(
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
            for t in live.tasks.values() {
                if !g.include(&t.tags) {
                    continue;
                }
                let Some(instance) = instance_names.get(&t.replication_instance_arn) else {
                    g.notes.push(format!(
                        "task `{}` runs on an instance that is not in the spec; left out",
                        t.identifier
                    ));
                    continue;
                };
                let Some((name, replication)) = g.replication(
                    &mut names,
                    &endpoint_names,
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
                    &mut spec,
                    &mut logging,
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
                    "no replication instance of stack `{stack}` or without dmsctl tags exists: \
                     nothing to describe in instances mode"
                ));
            }
        }
        ComputeMode::Serverless => {
            let mut configs = Vec::new();
            for c in live.replication_configs.values() {
                if !g.include(&c.tags) {
                    continue;
                }
                let Some((name, replication)) = g.replication(
                    &mut names,
                    &endpoint_names,
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
                    &mut spec,
                    &mut logging,
                    name.clone(),
                    replication,
                    &c.table_mappings,
                    &c.settings,
                );
                configs.push((name, &c.compute_config));
            }
            spec.compute.serverless = Some(g.serverless(&mut spec, &configs, &subnet_name));
        }
    }
    if instances_exist && serverless_exists {
        let other = match mode {
            ComputeMode::Instances => "serverless replications",
            ComputeMode::Serverless => "replication instances and tasks",
        };
        g.notes.push(format!(
            "--mode {}: the account's {other} are left out",
            match mode {
                ComputeMode::Instances => "instances",
                ComputeMode::Serverless => "serverless",
            }
        ));
    }
    // Most replications decide `logging.enabled`; the others say so in their settings.
    let off = logging.values().filter(|on| !**on).count();
    spec.logging.enabled = off * 2 <= logging.len();
    for (name, on) in &logging {
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

    hoist_common_tags(&mut spec);
    let text = render(&spec, &g.notes);
    Ok(Generated {
        text,
        spec,
        other_stacks,
        notes: g.notes,
    })
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

impl Gen<'_> {
    /// Whether the resource belongs in the spec: no dmsctl stack tag, or this stack's.
    fn include(&self, tags: &Tags) -> bool {
        tags.get(TAG_STACK).is_none_or(|s| s == self.stack)
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

/// Whether `name` can be a logical name: lowercase letters, digits and single hyphens, starting
/// with a letter.
pub fn is_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.contains("--")
        && !name.ends_with('-')
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

fn endpoint(e: &LiveEndpoint, name: &str, id: Option<String>) -> Result<Endpoint, String> {
    let engine: Engine = serde_json::from_value(Json::from(e.engine_name.to_ascii_lowercase()))
        .map_err(|_| format!("dmsctl does not know the engine `{}`", e.engine_name))?;
    let role = match e.endpoint_type.to_ascii_lowercase().as_str() {
        "source" => EndpointRole::Source,
        "target" => EndpointRole::Target,
        other => return Err(format!("unknown endpoint type `{other}`")),
    };
    let mut out = Endpoint {
        role,
        engine,
        id,
        host: None,
        port: None,
        database: None,
        username: None,
        password: None,
        ssl_mode: None,
        certificate_arn: e.certificate_arn.clone(),
        extra_connection_attributes: BTreeMap::new(),
        kafka: None,
        s3: None,
        tags: own_tags(&e.tags),
    };
    if engine.is_database() {
        out.host = e.server_name.clone();
        out.port = e.port;
        out.database = e.database_name.clone();
        out.username = e.username.clone();
        let secret = e.settings.values().find_map(|s| {
            Some(SecretsManagerRef {
                secret_id: s.get("SecretsManagerSecretId")?.as_str()?.to_string(),
                access_role_arn: s.get("SecretsManagerAccessRoleArn")?.as_str()?.to_string(),
            })
        });
        out.password = Some(match secret {
            Some(sm) => SecretRef::SecretsManager(sm),
            None => SecretRef::Env(password_var(name, "PASSWORD")),
        });
        out.ssl_mode = e
            .ssl_mode
            .as_deref()
            .and_then(|m| serde_json::from_value(Json::from(m.to_ascii_lowercase())).ok())
            .filter(|m| *m != SslMode::None);
    }
    match engine {
        Engine::Kafka => out.kafka = Some(kafka(e, name)?),
        Engine::S3 => out.s3 = Some(s3(e)?),
        _ => {
            // Kafka and S3 echo their settings as attributes; elsewhere they are the user's.
            out.extra_connection_attributes = attributes(e.extra_connection_attributes.as_deref());
        }
    }
    Ok(out)
}

/// `a=1;b=x y` as a mapping, numbers and booleans typed when they print back the same.
pub fn attributes(eca: Option<&str>) -> BTreeMap<String, AttrValue> {
    let mut out = BTreeMap::new();
    for part in eca.unwrap_or("").split(';') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let (k, v) = (k.trim(), v.trim());
        let value = if let Ok(i) = v.parse::<i64>().map(AttrValue::Int) {
            i
        } else if v == "true" || v == "false" {
            AttrValue::Bool(v == "true")
        } else {
            AttrValue::Str(v.to_string())
        };
        let value = if value.to_string() == v {
            value
        } else {
            AttrValue::Str(v.to_string())
        };
        out.insert(k.to_string(), value);
    }
    out
}

fn kafka(e: &LiveEndpoint, name: &str) -> Result<KafkaSettings, String> {
    let k = e
        .settings
        .get("KafkaSettings")
        .ok_or("DMS reports no Kafka settings")?;
    let s = |key: &str| k.get(key).and_then(Json::as_str).map(str::to_string);
    // DMS's defaults are left out, as a spec would leave them.
    let flag = |key: &str| k.get(key).and_then(Json::as_bool).filter(|b| *b);
    let brokers: Vec<String> = s("Broker")
        .unwrap_or_default()
        .split(',')
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect();
    if brokers.is_empty() {
        return Err("it names no Kafka broker".into());
    }
    let security_protocol: Option<SecurityProtocol> =
        non_default(k, "SecurityProtocol", "plaintext");
    Ok(KafkaSettings {
        brokers,
        topic: s("Topic").filter(|t| t != "kafka-default-topic"),
        message_format: non_default(k, "MessageFormat", "json"),
        security_protocol,
        sasl_mechanism: non_default(k, "SaslMechanism", ""),
        sasl_username: s("SaslUsername"),
        sasl_password: (security_protocol == Some(SecurityProtocol::SaslSsl))
            .then(|| SecretRef::Env(password_var(name, "SASL_PASSWORD"))),
        ssl_ca_certificate_arn: s("SslCaCertificateArn"),
        ssl_client_certificate_arn: s("SslClientCertificateArn"),
        ssl_client_key_arn: s("SslClientKeyArn"),
        ssl_client_key_password: None,
        message_max_bytes: k
            .get("MessageMaxBytes")
            .and_then(json_i64)
            .filter(|b| *b != 1_000_000),
        include_transaction_details: flag("IncludeTransactionDetails"),
        include_partition_value: flag("IncludePartitionValue"),
        partition_include_schema_table: flag("PartitionIncludeSchemaTable"),
        include_table_alter_operations: flag("IncludeTableAlterOperations"),
        include_control_details: flag("IncludeControlDetails"),
        include_null_and_empty: flag("IncludeNullAndEmpty"),
        no_hex_prefix: flag("NoHexPrefix"),
        use_large_integer_value: flag("UseLargeIntegerValue"),
    })
}

/// A setting's value as a spec enum, unless it is DMS's default.
fn non_default<T: serde::de::DeserializeOwned>(k: &Json, key: &str, default: &str) -> Option<T> {
    let v = k.get(key)?.as_str()?;
    if v.eq_ignore_ascii_case(default) {
        return None;
    }
    serde_json::from_value(Json::from(v.to_ascii_lowercase())).ok()
}

fn s3(e: &LiveEndpoint) -> Result<S3Settings, String> {
    let k = e
        .settings
        .get("S3Settings")
        .ok_or("DMS reports no S3 settings")?;
    let s = |key: &str| k.get(key).and_then(Json::as_str).map(str::to_string);
    Ok(S3Settings {
        bucket_name: s("BucketName").ok_or("it names no bucket")?,
        bucket_folder: s("BucketFolder").filter(|f| !f.is_empty()),
        service_access_role_arn: s("ServiceAccessRoleArn").ok_or("it names no access role")?,
        data_format: s("DataFormat")
            .filter(|f| !f.eq_ignore_ascii_case("csv"))
            .and_then(|f| serde_json::from_value(Json::from(f.to_ascii_lowercase())).ok()),
        gzip: s("CompressionType")
            .filter(|c| c.eq_ignore_ascii_case("gzip"))
            .map(|_| true),
    })
}

/// A live table mapping as spec rules: each rule the friendliest one that renders back to the
/// same DMS rule (checked with [`rules::render_rule`]), else `raw`. Rules are taken in `rule-id`
/// order, so that positions give the same ids.
pub fn spec_rules(mappings: &Json) -> Vec<Rule> {
    let mut live: Vec<&Json> = mappings
        .get("rules")
        .and_then(Json::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    live.sort_by_key(|r| r.get("rule-id").and_then(json_i64).unwrap_or(i64::MAX));
    let raw = |r: &Json| Rule::Raw(r.as_object().cloned().unwrap_or_default());
    let friendly: Vec<Rule> = live
        .iter()
        .enumerate()
        .map(|(i, r)| {
            friendly_rule(r)
                .filter(|c| same_rule(&rules::render_rule(i + 1, c), r))
                .unwrap_or_else(|| raw(r))
        })
        .collect();
    if mappings_equal(&rules::table_mappings(&friendly), mappings) {
        friendly
    } else {
        live.into_iter().map(raw).collect()
    }
}

fn same_rule(a: &Json, b: &Json) -> bool {
    mappings_equal(&json!({ "rules": [a] }), &json!({ "rules": [b] }))
}

/// A DMS `data-type`: type, length, precision, scale.
type TypeSpec = (DataType, Option<i64>, Option<i64>, Option<i64>);

/// The spec rule a DMS rule would be, if it is one; [`spec_rules`] checks that it renders back.
fn friendly_rule(r: &Json) -> Option<Rule> {
    let s = |v: &Json, k: &str| v.get(k).and_then(Json::as_str).map(str::to_string);
    let int = |v: &Json, k: &str| v.get(k).and_then(json_i64);
    let loc = r.get("object-locator")?;
    let schema = s(loc, "schema-name")?;
    let table = s(loc, "table-name");
    let column = s(loc, "column-name");
    let value = s(r, "value");
    let enum_of = |v: Option<String>| -> Option<Json> { v.map(Json::from) };
    let data = |r: &Json| -> Option<TypeSpec> {
        let d = r.get("data-type")?;
        let t = serde_json::from_value(d.get("type")?.clone()).ok()?;
        Some((t, int(d, "length"), int(d, "precision"), int(d, "scale")))
    };
    let action = s(r, "rule-action");
    let rule = match (s(r, "rule-type")?.as_str(), action.as_deref().unwrap_or("")) {
        ("table-settings", "") => return table_settings_rule(r, schema, table?),
        ("selection", action @ ("include" | "exclude" | "explicit")) => {
            let sel = Selection {
                schema,
                table: table?,
                table_type: enum_of(s(loc, "table-type"))
                    .and_then(|t| serde_json::from_value(t).ok()),
                load_order: int(r, "load-order"),
            };
            match action {
                "include" => Rule::Include(sel),
                "exclude" => Rule::Exclude(sel),
                _ => Rule::Explicit(sel),
            }
        }
        ("transformation", action) => match action {
            "rename" => Rule::Rename(Rename {
                schema,
                table,
                column,
                to: value?,
            }),
            "add-prefix" | "remove-prefix" | "add-suffix" | "remove-suffix" => {
                let a = Affix {
                    schema,
                    table,
                    column,
                    value: value?,
                };
                match action {
                    "add-prefix" => Rule::AddPrefix(a),
                    "remove-prefix" => Rule::RemovePrefix(a),
                    "add-suffix" => Rule::AddSuffix(a),
                    _ => Rule::RemoveSuffix(a),
                }
            }
            "replace-prefix" | "replace-suffix" => {
                let a = ReplaceAffix {
                    schema,
                    table,
                    column,
                    old: s(r, "old-value")?,
                    new: value?,
                };
                if action == "replace-prefix" {
                    Rule::ReplacePrefix(a)
                } else {
                    Rule::ReplaceSuffix(a)
                }
            }
            "convert-lowercase" | "convert-uppercase" => {
                let l = Locator {
                    schema,
                    table,
                    column,
                };
                if action == "convert-lowercase" {
                    Rule::Lowercase(l)
                } else {
                    Rule::Uppercase(l)
                }
            }
            "remove-column" => Rule::RemoveColumn(ColumnLocator {
                schema,
                table: table?,
                column: column?,
            }),
            "add-column" => {
                let (data_type, length, precision, scale) = data(r)?;
                Rule::AddColumn(AddColumn {
                    schema,
                    table: table?,
                    column: value?,
                    expression: s(r, "expression"),
                    data_type,
                    length,
                    precision,
                    scale,
                })
            }
            "change-data-type" => {
                let (data_type, length, precision, scale) = data(r)?;
                Rule::ChangeDataType(ChangeDataType {
                    schema,
                    table: table?,
                    column: column?,
                    data_type,
                    length,
                    precision,
                    scale,
                })
            }
            "define-primary-key" => {
                let def = r.get("primary-key-def")?;
                Rule::DefinePrimaryKey(DefinePrimaryKey {
                    schema,
                    table: table?,
                    name: s(def, "name")?,
                    origin: match s(def, "origin").as_deref() {
                        Some("unique-index") => Some(KeyOrigin::UniqueIndex),
                        _ => None,
                    },
                    columns: def
                        .get("columns")?
                        .as_array()?
                        .iter()
                        .map(|c| c.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()?,
                })
            }
            "add-before-image-columns" => {
                let def = r.get("before-image-def")?;
                Rule::AddBeforeImageColumns(BeforeImage {
                    schema,
                    table: table?,
                    prefix: s(def, "column-prefix").filter(|p| p != "BI_"),
                    suffix: s(def, "column-suffix"),
                    columns: enum_of(s(def, "column-filter"))
                        .and_then(|f| serde_json::from_value(f).ok())
                        .filter(|f| *f != ColumnFilter::PkOnly),
                })
            }
            _ => return None,
        },
        _ => return None,
    };
    Some(rule)
}

/// A `table-settings` rule as `parallel_load` or `lob`, when it sets exactly one of the two.
fn table_settings_rule(r: &Json, schema: String, table: String) -> Option<Rule> {
    let strings = |v: Option<&Json>| -> Option<Vec<String>> {
        v.map_or(Some(Vec::new()), |v| {
            v.as_array()?
                .iter()
                .map(|s| s.as_str().map(str::to_string))
                .collect()
        })
    };
    let int = |v: &Json, k: &str| v.get(k).and_then(json_i64);
    match (r.get("parallel-load"), r.get("lob-settings")) {
        (Some(p), None) => {
            let boundaries = match p.get("boundaries") {
                None => Vec::new(),
                Some(b) => b
                    .as_array()?
                    .iter()
                    .map(|row| {
                        row.as_array()?
                            .iter()
                            .map(|v| v.as_str().map(|s| BoundaryValue::Str(s.to_string())))
                            .collect::<Option<Vec<_>>>()
                    })
                    .collect::<Option<Vec<_>>>()?,
            };
            let flag = p.get("collection-count-from-metadata");
            Some(Rule::ParallelLoad(ParallelLoad {
                schema,
                table,
                load_type: serde_json::from_value(p.get("type")?.clone()).ok()?,
                partitions: strings(p.get("partitions"))?,
                subpartitions: strings(p.get("subpartitions"))?,
                columns: strings(p.get("columns"))?,
                boundaries,
                number_of_partitions: int(p, "number-of-partitions"),
                collection_count_from_metadata: match flag {
                    None => None,
                    Some(v) => Some(v.as_bool().or_else(|| v.as_str()?.trim().parse().ok())?),
                },
                max_records_skip_per_page: int(p, "max-records-skip-per-page"),
                batch_size: int(p, "batch-size"),
            }))
        }
        (None, Some(l)) => Some(Rule::Lob(Lob {
            schema,
            table,
            mode: match l.get("mode") {
                None => None,
                Some(m) => serde_json::from_value(m.clone()).ok()?,
            },
            bulk_max_size: int(l, "bulk-max-size"),
        })),
        _ => None,
    }
}

/// The spec as YAML, after a header comment that says what to do with it.
fn render(spec: &Spec, notes: &[String]) -> String {
    let mut vars: Vec<String> = Vec::new();
    for e in spec.endpoints.values() {
        let secrets = [
            e.password.as_ref(),
            e.kafka.as_ref().and_then(|k| k.sasl_password.as_ref()),
        ];
        for s in secrets.into_iter().flatten() {
            if let SecretRef::Env(v) = s {
                vars.push(v.clone());
            }
        }
    }
    let mut text = format!(
        "# Generated by `dmsctl generate --stack {}` from the DMS resources of the account{}.\n\
         # Review it, then `dmsctl adopt` takes the resources into the stack and `dmsctl plan`\n\
         # shows what `apply` would change.\n",
        spec.stack,
        spec.region
            .as_deref()
            .map(|r| format!(" in {r}"))
            .unwrap_or_default()
    );
    if !vars.is_empty() {
        text.push_str(
            "#\n# Passwords cannot be read from AWS. Set these environment variables before\n\
             # `dmsctl apply` (or point `password` at Secrets Manager):\n",
        );
        for v in &vars {
            text.push_str(&format!("#   {v}\n"));
        }
    }
    text.push_str(
        "#\n# Task and replication settings are left out: DMS fills in hundreds of defaults, and\n\
         # `plan` compares only the settings a spec sets. Add the ones you rely on under\n\
         # `replications.<name>.settings`. Availability zones, KMS keys and maintenance windows\n\
         # are AWS's choice unless you write them.\n",
    );
    if !notes.is_empty() {
        text.push_str("#\n# Left out or approximated:\n");
        for n in notes {
            text.push_str(&format!("#   - {n}\n"));
        }
    }
    let mut doc = serde_json::to_value(spec).unwrap_or(Json::Null);
    if let Some(m) = doc.as_object_mut() {
        if spec.iam == Iam::default() {
            m.shift_remove("iam");
        }
        if spec.logging == Logging::default() {
            m.shift_remove("logging");
        }
    }
    if let Json::Object(m) = &doc {
        block_map(&mut text, m, 0, 1);
    }
    text
}

/// Widest line a flow collection may make before it is written as a block.
const FLOW_WIDTH: usize = 100;

/// The entries of a block mapping at `indent`; their values sit `depth` levels down.
fn block_map(out: &mut String, m: &Map<String, Json>, indent: usize, depth: usize) {
    for (k, v) in m {
        out.push_str(&" ".repeat(indent));
        out.push_str(&scalar(k));
        out.push(':');
        value(out, v, indent + k.len() + 2, indent, depth);
    }
}

/// The items of a block sequence at `indent`.
fn block_seq(out: &mut String, items: &[Json], indent: usize, depth: usize) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match item {
            Json::Object(m) if !m.is_empty() => {
                for (i, (k, v)) in m.iter().enumerate() {
                    if i == 0 {
                        out.push(' ');
                    } else {
                        out.push_str(&" ".repeat(indent + 2));
                    }
                    out.push_str(&scalar(k));
                    out.push(':');
                    value(out, v, indent + k.len() + 4, indent + 2, depth + 1);
                }
            }
            other => value(out, other, indent + 2, indent, depth),
        }
    }
}

/// A value after `key:` or `-`: scalars and short collections deep in the document on the
/// same line (flow style), the rest as blocks below. `column` is where the value would start.
fn value(out: &mut String, v: &Json, column: usize, indent: usize, depth: usize) {
    let collection = matches!(v, Json::Object(_) | Json::Array(_));
    let flowed = flow(v);
    let empty =
        matches!(v, Json::Object(m) if m.is_empty()) || matches!(v, Json::Array(a) if a.is_empty());
    if !collection || empty || (depth > 2 && column + flowed.len() <= FLOW_WIDTH) {
        out.push(' ');
        out.push_str(&flowed);
        out.push('\n');
        return;
    }
    out.push('\n');
    match v {
        Json::Object(m) => block_map(out, m, indent + 2, depth + 1),
        Json::Array(a) => block_seq(out, a, indent + 2, depth + 1),
        _ => {}
    }
}

fn flow(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => scalar(s),
        Json::Array(a) => format!("[{}]", a.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Json::Object(m) if m.is_empty() => "{}".into(),
        Json::Object(m) => format!(
            "{{ {} }}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A string as a YAML scalar: plain when that cannot be read as anything else, in any context
/// (block or flow), else double-quoted (a JSON string is a valid YAML double-quoted scalar).
fn scalar(s: &str) -> String {
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./@".contains(c))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(stack: &str, id: &str) -> (String, Option<String>) {
        logical_name(stack, id, None, &mut BTreeSet::new())
    }

    #[test]
    fn only_tags_every_resource_shares_move_to_the_top() {
        let yaml = include_str!("../examples/sci-sync-instances.yaml");
        let checked = crate::spec::check_text("t.yaml", yaml, &|_| true);
        let mut spec = checked.valid_spec(false).expect("valid example").clone();
        let common = std::mem::take(&mut spec.tags);
        let everyone = |spec: &mut Spec, k: &str, v: &str| {
            for e in spec.endpoints.values_mut() {
                e.tags.insert(k.into(), v.into());
            }
            for s in spec.subnet_groups.values_mut() {
                s.tags.insert(k.into(), v.into());
            }
            for r in spec.replications.values_mut() {
                r.tags.insert(k.into(), v.into());
            }
            for i in spec.compute.instances.values_mut() {
                i.tags.insert(k.into(), v.into());
            }
        };
        for (k, v) in &common {
            everyone(&mut spec, k, v);
        }
        // One endpoint's `team` differs: `team` stays on the resources.
        everyone(&mut spec, "team", "platform");
        spec.endpoints
            .get_mut("backend")
            .expect("backend")
            .tags
            .insert("team".into(), "billing".into());
        hoist_common_tags(&mut spec);
        assert_eq!(
            spec.tags,
            BTreeMap::from([("cost-center".to_string(), "billing".to_string())])
        );
        assert_eq!(spec.endpoints["backend"].tags["team"], "billing");
        assert_eq!(spec.endpoints["receiver"].tags["team"], "platform");
        assert!(!spec.endpoints["receiver"].tags.contains_key("cost-center"));
    }

    #[test]
    fn names_drop_the_stack_prefix_or_keep_the_identifier() {
        assert_eq!(
            names("sci-sync", "sci-sync-backend"),
            ("backend".into(), None)
        );
        assert_eq!(
            names("sci-sync", "billing-db"),
            ("billing-db".into(), Some("billing-db".into()))
        );
        // Uppercase identifiers keep their case through `id:`.
        assert_eq!(
            names("sci-sync", "SCI-SYNC-Backend"),
            ("backend".into(), Some("SCI-SYNC-Backend".into()))
        );
        // What cannot be a name becomes one, and `id:` keeps the identifier.
        assert_eq!(
            names("sci-sync", "Legacy_DB--Source"),
            ("legacy-db-source".into(), Some("Legacy_DB--Source".into()))
        );
        assert_eq!(
            names("s", "default-vpc-0abc"),
            ("default-vpc-0abc".into(), Some("default-vpc-0abc".into()))
        );
        assert_eq!(names("s", "s-"), ("s".into(), Some("s-".into())));
        // The `dmsctl:name` tag wins.
        assert_eq!(
            logical_name("s", "s-x", Some("y"), &mut BTreeSet::new()),
            ("y".into(), Some("s-x".into()))
        );
        // Unique within a kind.
        let mut used = BTreeSet::new();
        assert_eq!(logical_name("s", "s-a", None, &mut used).0, "a");
        assert_eq!(
            logical_name("s", "A", None, &mut used),
            ("a-2".into(), Some("A".into()))
        );
        assert!(is_name("a-1") && !is_name("1a") && !is_name("a--b") && !is_name("a-"));
    }

    #[test]
    fn password_variables() {
        assert_eq!(
            password_var("backend-db", "PASSWORD"),
            "BACKEND_DB_PASSWORD"
        );
    }

    #[test]
    fn attributes_become_a_typed_mapping() {
        let a = attributes(Some(
            "parallelLoadThreads=4;initstmt=SET X=0;flag=true;odd=007;",
        ));
        assert_eq!(a["parallelLoadThreads"], AttrValue::Int(4));
        assert_eq!(a["initstmt"], AttrValue::Str("SET X=0".into()));
        assert_eq!(a["flag"], AttrValue::Bool(true));
        assert_eq!(a["odd"], AttrValue::Str("007".into()));
    }

    fn rules_of(yaml: &str) -> Vec<Rule> {
        let v: Json = serde_yaml::from_str(yaml).expect("yaml");
        serde_json::from_value(v).expect("rules")
    }

    #[test]
    fn rules_dmsctl_rendered_come_back_friendly() {
        let spec = rules_of(
            r#"
- include: { schema: sci_backend, table: send_invoice_history, load_order: 2 }
- exclude: { schema: sci_backend, table: "tmp_%", table_type: view }
- rename: { schema: sci_backend, to: sci_receiver_backend }
- remove_column: { schema: s, table: t, column: c }
- replace_prefix: { schema: s, table: "%", old: a_, new: b_ }
- lowercase: { schema: s, table: "%", column: "%" }
- add_column: { schema: s, table: t, column: origin, expression: "'sci'", type: string, length: 10 }
- change_data_type: { schema: s, table: t, column: amount, type: numeric, precision: 12, scale: 2 }
- define_primary_key: { schema: s, table: t, name: t_pk, origin: unique-index, columns: [a, b] }
- add_before_image_columns: { schema: s, table: t, suffix: _old, columns: all }
- explicit: { schema: crm, table: Customer }
- parallel_load: { schema: HR, table: SALES, type: partitions-auto }
- parallel_load: { schema: HR, table: SALES_RANGES, type: ranges, columns: [SALES_NO, REGION], boundaries: [["1000", NORTH], ["3000", WEST]] }
- parallel_load: { schema: HR, table: SALES_LIST, type: partitions-list, partitions: [A], subpartitions: ["01"] }
- parallel_load: { schema: admin, table: departments, type: partitions-auto, number_of_partitions: 5, collection_count_from_metadata: false, max_records_skip_per_page: 1000, batch_size: 0 }
- lob: { schema: INV, table: ITEMS, bulk_max_size: 100000 }
- lob: { schema: INV, table: ITEMS_FULL, mode: unlimited, bulk_max_size: 0 }
"#,
        );
        let live = rules::table_mappings(&spec);
        assert_eq!(spec_rules(&live), spec);
        // DMS's order of the list does not matter: ids do.
        let mut shuffled = live.clone();
        shuffled["rules"].as_array_mut().expect("rules").reverse();
        assert_eq!(spec_rules(&shuffled), spec);
    }

    #[test]
    fn rules_that_no_friendly_rule_renders_stay_raw() {
        // Console-made: names that are not `<n>-<kind>`, a filter, a table-settings rule.
        let live = json!({"rules": [
            {"rule-type": "selection", "rule-id": "1", "rule-name": "1-include", "rule-action": "include",
             "object-locator": {"schema-name": "app", "table-name": "%"}},
            {"rule-type": "selection", "rule-id": "2", "rule-name": "469349375", "rule-action": "include",
             "object-locator": {"schema-name": "app", "table-name": "orders"}},
            {"rule-type": "selection", "rule-id": "3", "rule-name": "3-include", "rule-action": "include",
             "object-locator": {"schema-name": "app", "table-name": "t"},
             "filters": [{"filter-type": "source", "column-name": "id", "filter-conditions": [{"filter-operator": "gte", "value": "5"}]}]},
            {"rule-type": "table-settings", "rule-id": "4", "rule-name": "4", "parallel-load": {"type": "partitions-auto"},
             "object-locator": {"schema-name": "app", "table-name": "t"}},
            {"rule-type": "selection", "rule-id": 5, "rule-name": "5-exclude", "rule-action": "exclude",
             "object-locator": {"schema-name": "app", "table-name": "tmp", "table-type": "table"}, "filters": []}
        ]});
        let got = spec_rules(&live);
        let kinds: Vec<&str> = got.iter().map(Rule::kind).collect();
        assert_eq!(kinds, ["include", "raw", "raw", "raw", "exclude"]);
        assert!(mappings_equal(&rules::table_mappings(&got), &live));
        if let Rule::Raw(r) = &got[1] {
            assert_eq!(r["rule-name"], "469349375");
        }
    }

    /// Issue #15: console-made mappings of every kind the user guide documents come back as
    /// `raw` rules that render to the live JSON and pass the spec's checks.
    #[test]
    fn console_made_rules_of_every_kind_stay_raw_and_render_back() {
        let guide: Json =
            serde_json::from_str(include_str!("../tests/fixtures/rules/dms-user-guide.json"))
                .expect("fixture");
        for set in ["database", "s3", "kafka"] {
            let live = json!({ "rules": guide[set] });
            let got = spec_rules(&live);
            assert!(got.iter().all(|r| r.kind() == "raw"), "{set}: {got:?}");
            assert_eq!(rules::table_mappings(&got), live, "{set}");
        }
    }

    #[test]
    fn table_settings_setting_both_parallel_load_and_lob_stay_raw() {
        let live = json!({"rules": [
            {"rule-type": "selection", "rule-id": "1", "rule-name": "1-include", "rule-action": "include",
             "object-locator": {"schema-name": "s", "table-name": "%"}},
            {"rule-type": "table-settings", "rule-id": "2", "rule-name": "2-lob",
             "object-locator": {"schema-name": "s", "table-name": "t"},
             "parallel-load": {"type": "partitions-auto"}, "lob-settings": {"bulk-max-size": "64"}},
        ]});
        let kinds: Vec<&str> = spec_rules(&live).iter().map(Rule::kind).collect();
        assert_eq!(kinds, ["include", "raw"]);
    }

    #[test]
    fn rules_whose_ids_leave_gaps_are_raw_from_the_gap_on() {
        let live = json!({"rules": [
            {"rule-type": "selection", "rule-id": "1", "rule-name": "1-include", "rule-action": "include",
             "object-locator": {"schema-name": "a", "table-name": "%"}},
            {"rule-type": "selection", "rule-id": "3", "rule-name": "3-include", "rule-action": "include",
             "object-locator": {"schema-name": "b", "table-name": "%"}}
        ]});
        let got = spec_rules(&live);
        assert_eq!(got[0].kind(), "include");
        assert_eq!(got[1].kind(), "raw");
        assert!(mappings_equal(&rules::table_mappings(&got), &live));
    }

    #[test]
    fn scalars_are_quoted_when_plain_would_change_them() {
        assert_eq!(scalar("sci_backend"), "sci_backend");
        assert_eq!(scalar("dms.t3.medium"), "dms.t3.medium");
        for s in [
            "tmp_%",
            "3.5.4",
            "true",
            "no",
            "",
            "a b",
            "arn:aws:iam::1:role/x",
            "-x",
            "a,b",
        ] {
            assert_eq!(scalar(s), serde_json::to_string(s).expect("json"), "{s}");
        }
    }
}
