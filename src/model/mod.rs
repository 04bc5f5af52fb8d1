//! The desired state: the spec with defaults applied, references resolved and identifiers
//! derived, as the planner and `dmsctl render` need it. Pure: no I/O.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Map, Value as Json};

use crate::rules;
use crate::spec::types::*;

mod alerts;
mod endpoint;
mod ids;

pub use alerts::{
    alarm_arn, alarm_name, DesiredAlarm, DesiredEventSubscription, ALARM_EVALUATION_PERIODS,
    ALARM_PERIOD, SERVERLESS_DIMENSION,
};

use endpoint::desired_endpoint;
pub use endpoint::{format_attributes, parse_attributes};
pub use ids::{derived_id, is_name, stack_name, IdKind};

/// Tag keys that mark what dmsctl owns.
pub const TAG_STACK: &str = "dmsctl:stack";
pub const TAG_NAME: &str = "dmsctl:name";

/// The account-wide roles DMS looks up by name.
pub const CLOUDWATCH_LOGS_ROLE: &str = "dms-cloudwatch-logs-role";
pub const VPC_ROLE: &str = "dms-vpc-role";
pub const CLOUDWATCH_LOGS_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonDMSCloudWatchLogsRole";
pub const VPC_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AmazonDMSVPCManagementRole";

/// The serverless capacity of one replication, after per-replication overrides.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Capacity {
    pub min_dcu: i64,
    pub max_dcu: i64,
    /// Average DCU for cost estimates: `expected_dcu`, else `min_dcu`.
    pub expected_dcu: f64,
    pub multi_az: bool,
}

/// The serverless capacity of `replication`, or `None` when the spec configures no serverless
/// compute for it.
pub fn capacity(spec: &Spec, replication: &str) -> Option<Capacity> {
    let base = spec.compute.serverless.as_ref();
    let o = spec
        .replications
        .get(replication)
        .and_then(|r| r.serverless.as_ref());
    let max = o.and_then(|o| o.max_dcu).or(base.map(|b| b.max_dcu))?;
    let min = o
        .and_then(|o| o.min_dcu)
        .or(base.and_then(|b| b.min_dcu))
        .unwrap_or(1);
    let expected = o
        .and_then(|o| o.expected_dcu)
        .or(base.and_then(|b| b.expected_dcu))
        .unwrap_or(min as f64);
    let multi_az = o
        .and_then(|o| o.multi_az)
        .or(base.map(|b| b.multi_az))
        .unwrap_or(false);
    Some(Capacity {
        min_dcu: min,
        max_dcu: max,
        expected_dcu: expected,
        multi_az,
    })
}

/// Which instance each replication runs on. With one instance everything runs on it; with
/// several, `compute.placement` decides (validation makes sure every replication is placed).
pub fn placement(spec: &Spec) -> BTreeMap<String, String> {
    let instances = &spec.compute.instances;
    spec.replications
        .keys()
        .filter_map(|r| {
            let inst = match spec.compute.placement.get(r) {
                Some(i) => Some(i.clone()),
                None if instances.len() == 1 => instances.keys().next().cloned(),
                None => None,
            };
            inst.map(|i| (r.clone(), i))
        })
        .collect()
}

/// Default allocated storage of a replication instance, in GB.
pub const DEFAULT_STORAGE_GB: i64 = 50;

/// A secret as the desired state holds it: where it comes from, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sensitive(pub SecretRef);

impl Serialize for Sensitive {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl std::fmt::Display for Sensitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            SecretRef::Env(var) => write!(f, "(sensitive, from ${var})"),
            SecretRef::SecretsManager(sm) => write!(f, "(sensitive, from secret {})", sm.secret_id),
        }
    }
}

/// One AWS tag.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// An IAM role dmsctl ensures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DesiredRole {
    pub role_name: String,
    pub assume_role_policy_document: Json,
    pub attached_policy_arns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DesiredSubnetGroup {
    pub replication_subnet_group_identifier: String,
    pub replication_subnet_group_description: String,
    pub subnet_ids: Vec<String>,
    pub tags: Vec<Tag>,
}

/// A certificate imported into DMS (`ImportCertificate`). DMS cannot change one: a new PEM
/// is a new certificate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DesiredCertificate {
    pub certificate_identifier: String,
    /// The PEM text; `None` when the spec was not read from a file (its `pem_file` unread).
    #[serde(skip)]
    pub certificate_pem: Option<String>,
    /// Where the PEM comes from, for `render`.
    pub pem_file: String,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DesiredEndpoint {
    pub endpoint_identifier: String,
    pub endpoint_type: &'static str,
    pub engine_name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<Sensitive>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_mode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
    /// The spec's certificate (logical name), whose ARN apply puts in `certificate_arn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_connection_attributes: Option<String>,
    /// Engine settings under DMS's name for them (`KafkaSettings`, `MySQLSettings`, ...).
    #[serde(flatten)]
    pub settings: BTreeMap<String, Json>,
    /// Secrets referenced by the settings, by the settings key that carries them.
    #[serde(skip)]
    pub secret_settings: BTreeMap<String, SecretRef>,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DesiredInstance {
    pub replication_instance_identifier: String,
    pub replication_instance_class: String,
    pub allocated_storage: i64,
    #[serde(rename = "MultiAZ")]
    pub multi_az: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication_subnet_group_identifier: Option<String>,
    pub publicly_accessible: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vpc_security_group_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_maintenance_window: Option<String>,
    pub tags: Vec<Tag>,
}

/// A migration task on a replication instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DesiredTask {
    pub replication_task_identifier: String,
    /// Logical names; the ARNs are known only once the endpoints and instance exist.
    pub source_endpoint: String,
    pub target_endpoint: String,
    pub replication_instance: String,
    pub migration_type: &'static str,
    pub table_mappings: Json,
    pub replication_task_settings: Json,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cdc_start_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cdc_start_position: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cdc_stop_position: Option<String>,
    pub tags: Vec<Tag>,
}

/// A serverless replication (DMS replication config).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DesiredReplicationConfig {
    pub replication_config_identifier: String,
    pub source_endpoint: String,
    pub target_endpoint: String,
    pub replication_type: &'static str,
    pub compute_config: Json,
    pub table_mappings: Json,
    pub replication_settings: Json,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cdc_start_time: Option<String>,
    pub tags: Vec<Tag>,
}

/// Everything a spec asks for, keyed by logical name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Desired {
    pub stack: String,
    pub region: Option<String>,
    pub mode: ComputeMode,
    pub log_retention_days: Option<u32>,
    pub iam_roles: Vec<DesiredRole>,
    pub subnet_groups: BTreeMap<String, DesiredSubnetGroup>,
    pub certificates: BTreeMap<String, DesiredCertificate>,
    pub endpoints: BTreeMap<String, DesiredEndpoint>,
    pub instances: BTreeMap<String, DesiredInstance>,
    pub tasks: BTreeMap<String, DesiredTask>,
    pub replication_configs: BTreeMap<String, DesiredReplicationConfig>,
    /// DMS event subscriptions of the stack's tasks or instances.
    pub event_subscriptions: BTreeMap<String, DesiredEventSubscription>,
    /// CloudWatch alarms on CDC latency, keyed `<alert>.<replication>.<source|target>`.
    pub alarms: BTreeMap<String, DesiredAlarm>,
}

impl Desired {
    /// The logical names of the stack's DMS resources (subnet groups, endpoints, instances,
    /// replications), in that order; a name may repeat across kinds.
    pub fn logical_names(&self) -> impl Iterator<Item = &String> {
        self.subnet_groups
            .keys()
            .chain(self.endpoints.keys())
            .chain(self.instances.keys())
            .chain(self.tasks.keys())
            .chain(self.replication_configs.keys())
    }

    /// What the resource of `kind` named `name` uses, by kind and logical name (IAM roles by
    /// their role name): a subnet group, instance, task or serverless replication every IAM
    /// role of the stack (DMS uses them from the first call), an instance and a serverless
    /// replication their subnet group, a task or replication its endpoints and a task its
    /// instance. Apply's order and `graph` are both made of this.
    pub(crate) fn uses(
        &self,
        kind: crate::plan::Kind,
        name: &str,
    ) -> Vec<(crate::plan::Kind, String)> {
        use crate::plan::Kind;
        let roles = self
            .iam_roles
            .iter()
            .map(|r| (Kind::IamRole, r.role_name.clone()));
        let subnet_group = |identifier: Option<&str>| {
            let identifier = identifier?;
            self.subnet_groups
                .iter()
                .find(|(_, g)| {
                    g.replication_subnet_group_identifier
                        .eq_ignore_ascii_case(identifier)
                })
                .map(|(n, _)| (Kind::SubnetGroup, n.clone()))
        };
        let endpoints = |source: &str, target: &str| {
            [
                (Kind::Endpoint, source.to_string()),
                (Kind::Endpoint, target.to_string()),
            ]
        };
        let mut out: Vec<(Kind, String)> = Vec::new();
        match kind {
            Kind::IamRole | Kind::LogGroup | Kind::Certificate => {}
            // A subscription names its tasks or instances, which DMS checks exist.
            Kind::EventSubscription => {
                if let Some(d) = self.event_subscriptions.get(name) {
                    let kind = match d.source_type {
                        "replication-instance" => Kind::Instance,
                        _ => Kind::Task,
                    };
                    out.extend(d.sources.iter().map(|s| (kind, s.clone())));
                }
            }
            // An alarm's dimensions name its replication, known once it exists.
            Kind::Alarm => {
                if let Some(d) = self.alarms.get(name) {
                    out.push((self.replication_kind(), d.replication.clone()));
                }
            }
            Kind::Endpoint => {
                let cert = self.endpoints.get(name).and_then(|e| e.certificate.clone());
                out.extend(cert.map(|c| (Kind::Certificate, c)));
            }
            Kind::SubnetGroup => out.extend(roles),
            Kind::Instance => {
                out.extend(roles);
                let group = self
                    .instances
                    .get(name)
                    .and_then(|d| d.replication_subnet_group_identifier.as_deref());
                out.extend(subnet_group(group));
            }
            Kind::Task => {
                out.extend(roles);
                if let Some(d) = self.tasks.get(name) {
                    out.extend(endpoints(&d.source_endpoint, &d.target_endpoint));
                    out.push((Kind::Instance, d.replication_instance.clone()));
                }
            }
            Kind::ReplicationConfig => {
                out.extend(roles);
                if let Some(d) = self.replication_configs.get(name) {
                    out.extend(endpoints(&d.source_endpoint, &d.target_endpoint));
                    let group = d.compute_config.get("ReplicationSubnetGroupId");
                    out.extend(subnet_group(group.and_then(|g| g.as_str())));
                }
            }
        }
        out.dedup();
        out
    }

    /// The kind of resource the spec's replications are: serverless replications or tasks.
    pub(crate) fn replication_kind(&self) -> crate::plan::Kind {
        match self.mode {
            ComputeMode::Serverless => crate::plan::Kind::ReplicationConfig,
            ComputeMode::Instances => crate::plan::Kind::Task,
        }
    }

    /// Builds the desired state from a spec that passed validation.
    pub fn from_spec(spec: &Spec) -> Desired {
        let stack = spec.stack.as_str();
        let n = Naming { spec };
        let subnet_groups = spec
            .subnet_groups
            .iter()
            .map(|(name, g)| {
                (
                    name.clone(),
                    DesiredSubnetGroup {
                        replication_subnet_group_identifier: n.subnet_id(name),
                        replication_subnet_group_description: g
                            .description
                            .clone()
                            .unwrap_or_else(|| format!("{name} (dmsctl stack {stack})")),
                        subnet_ids: g.subnet_ids.clone(),
                        tags: n.tags(name, &g.tags),
                    },
                )
            })
            .collect();
        let certificates = spec
            .certificates
            .iter()
            .map(|(name, c)| {
                (
                    name.clone(),
                    DesiredCertificate {
                        certificate_identifier: derived_id(stack, name, c.id.as_deref()),
                        certificate_pem: c.pem.clone(),
                        pem_file: c.pem_file.clone(),
                        tags: n.tags(name, &c.tags),
                    },
                )
            })
            .collect();
        let endpoints = spec
            .endpoints
            .iter()
            .map(|(name, e)| {
                (
                    name.clone(),
                    desired_endpoint(e, n.endpoint_id(name), n.tags(name, &e.tags)),
                )
            })
            .collect();
        let instances = spec
            .compute
            .instances
            .iter()
            .map(|(name, i)| (name.clone(), n.instance(name, i)))
            .collect();

        let place = placement(spec);
        let mut tasks = BTreeMap::new();
        let mut replication_configs = BTreeMap::new();
        for (name, r) in &spec.replications {
            match spec.compute.mode {
                ComputeMode::Instances => {
                    tasks.insert(name.clone(), n.task(name, r, &place));
                }
                ComputeMode::Serverless => {
                    replication_configs.insert(name.clone(), n.replication_config(name, r));
                }
            }
        }

        let event_subscriptions = n.event_subscriptions();
        let alarms = n.alarms();
        Desired {
            stack: stack.to_string(),
            region: spec.region.clone(),
            mode: spec.compute.mode,
            log_retention_days: spec.logging.retention_days,
            iam_roles: iam_roles(&spec.iam),
            subnet_groups,
            certificates,
            endpoints,
            instances,
            tasks,
            replication_configs,
            event_subscriptions,
            alarms,
        }
    }
}

/// The account-wide roles the spec asks dmsctl to manage.
fn iam_roles(iam: &Iam) -> Vec<DesiredRole> {
    let trust = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "dms.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    });
    let mut iam_roles = Vec::new();
    if iam.cloudwatch_logs_role {
        iam_roles.push(DesiredRole {
            role_name: CLOUDWATCH_LOGS_ROLE.into(),
            assume_role_policy_document: trust.clone(),
            attached_policy_arns: vec![CLOUDWATCH_LOGS_POLICY.into()],
        });
    }
    if iam.vpc_role {
        iam_roles.push(DesiredRole {
            role_name: VPC_ROLE.into(),
            assume_role_policy_document: trust,
            attached_policy_arns: vec![VPC_POLICY.into()],
        });
    }
    iam_roles
}

/// A spec's names resolved to identifiers and tags, for the resources built from it.
struct Naming<'a> {
    spec: &'a Spec,
}

impl Naming<'_> {
    /// The stack's tags, the resource's own over them, and dmsctl's ownership tags.
    fn tags(&self, name: &str, own: &BTreeMap<String, String>) -> Vec<Tag> {
        let mut all: BTreeMap<String, String> = self.spec.tags.clone();
        all.extend(own.clone());
        all.insert(TAG_STACK.into(), self.spec.stack.as_str().into());
        all.insert(TAG_NAME.into(), name.into());
        all.into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect()
    }

    fn subnet_id(&self, name: &str) -> String {
        self.spec
            .subnet_groups
            .get(name)
            .map(|g| derived_id(&self.spec.stack, name, g.id.as_deref()))
            .unwrap_or_else(|| name.to_string())
    }

    fn replication_id(&self, name: &str) -> String {
        self.spec
            .replications
            .get(name)
            .map(|r| derived_id(&self.spec.stack, name, r.id.as_deref()))
            .unwrap_or_else(|| name.to_string())
    }

    fn instance_id(&self, name: &str) -> String {
        self.spec
            .compute
            .instances
            .get(name)
            .map(|i| derived_id(&self.spec.stack, name, i.id.as_deref()))
            .unwrap_or_else(|| name.to_string())
    }

    fn endpoint_id(&self, name: &str) -> String {
        self.spec
            .endpoints
            .get(name)
            .map(|e| derived_id(&self.spec.stack, name, e.id.as_deref()))
            .unwrap_or_else(|| name.to_string())
    }

    fn instance(&self, name: &str, i: &Instance) -> DesiredInstance {
        DesiredInstance {
            replication_instance_identifier: derived_id(&self.spec.stack, name, i.id.as_deref()),
            replication_instance_class: i.class.clone(),
            allocated_storage: i.storage_gb.unwrap_or(DEFAULT_STORAGE_GB),
            multi_az: i.multi_az,
            engine_version: i.engine_version.clone(),
            replication_subnet_group_identifier: i
                .subnet_group
                .as_deref()
                .map(|g| self.subnet_id(g)),
            publicly_accessible: i.publicly_accessible,
            vpc_security_group_ids: i.security_group_ids.clone(),
            availability_zone: i.availability_zone.clone(),
            kms_key_id: i.kms_key_id.clone(),
            preferred_maintenance_window: i.preferred_maintenance_window.clone(),
            tags: self.tags(name, &i.tags),
        }
    }

    /// A replication's identifier, table mappings and settings, whichever compute runs it.
    fn replication_parts(&self, name: &str, r: &Replication) -> (String, Json, Json) {
        let spec = self.spec;
        let id = derived_id(&spec.stack, name, r.id.as_deref());
        let mappings =
            rules::table_mappings(spec.rules.get(&r.rules).map_or(&[][..], Vec::as_slice));
        let settings = task_settings(spec.logging.enabled, r.settings.as_ref());
        (id, mappings, settings)
    }

    fn task(&self, name: &str, r: &Replication, place: &BTreeMap<String, String>) -> DesiredTask {
        let (id, mappings, settings) = self.replication_parts(name, r);
        DesiredTask {
            replication_task_identifier: id,
            source_endpoint: r.source.clone(),
            target_endpoint: r.target.clone(),
            replication_instance: place.get(name).cloned().unwrap_or_default(),
            migration_type: r.migration_type.dms_name(),
            table_mappings: mappings,
            replication_task_settings: settings,
            cdc_start_time: r.cdc_start_time.clone(),
            cdc_start_position: r.cdc_start_position.clone(),
            cdc_stop_position: r.cdc_stop_position.clone(),
            tags: self.tags(name, &r.tags),
        }
    }

    fn replication_config(&self, name: &str, r: &Replication) -> DesiredReplicationConfig {
        let (id, mappings, settings) = self.replication_parts(name, r);
        DesiredReplicationConfig {
            replication_config_identifier: id,
            source_endpoint: r.source.clone(),
            target_endpoint: r.target.clone(),
            replication_type: r.migration_type.dms_name(),
            compute_config: Json::Object(self.compute_config(name)),
            table_mappings: mappings,
            replication_settings: settings,
            cdc_start_time: r.cdc_start_time.clone(),
            tags: self.tags(name, &r.tags),
        }
    }

    /// A serverless replication's `ComputeConfig`: its capacity and `compute.serverless`'s
    /// network settings.
    fn compute_config(&self, name: &str) -> Map<String, Json> {
        let spec = self.spec;
        let cap = capacity(spec, name);
        let base = spec.compute.serverless.as_ref();
        let mut compute = Map::new();
        if let Some(cap) = cap {
            compute.insert("MinCapacityUnits".into(), cap.min_dcu.into());
            compute.insert("MaxCapacityUnits".into(), cap.max_dcu.into());
            compute.insert("MultiAZ".into(), cap.multi_az.into());
        }
        if let Some(b) = base {
            if let Some(g) = &b.subnet_group {
                compute.insert("ReplicationSubnetGroupId".into(), self.subnet_id(g).into());
            }
            if !b.security_group_ids.is_empty() {
                compute.insert("VpcSecurityGroupIds".into(), json!(b.security_group_ids));
            }
            for (k, v) in [
                ("AvailabilityZone", &b.availability_zone),
                ("KmsKeyId", &b.kms_key_id),
                (
                    "PreferredMaintenanceWindow",
                    &b.preferred_maintenance_window,
                ),
            ] {
                if let Some(v) = v {
                    compute.insert(k.into(), v.clone().into());
                }
            }
        }
        compute
    }
}

/// dmsctl's task settings (logging) with the spec's settings merged over them.
pub fn task_settings(logging: bool, overrides: Option<&Map<String, Json>>) -> Json {
    let mut base = json!({ "Logging": { "EnableLogging": logging } });
    if let Some(o) = overrides {
        merge(&mut base, &Json::Object(o.clone()));
    }
    base
}

/// Deep-merges `over` into `base`: objects key by key, anything else replaced.
pub fn merge(base: &mut Json, over: &Json) {
    match (base, over) {
        (Json::Object(b), Json::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(Json::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

#[cfg(test)]
mod tests;
