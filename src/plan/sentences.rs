//! The human sentences of a plan: one reason per changed attribute, in the spec's vocabulary.
//! Apply never reads them.

use serde_json::Value as Json;

use super::Diff;

/// Spec vocabulary for API fields, so reasons read like the YAML people wrote.
fn label(field: &str) -> &str {
    match field {
        "EndpointType" => "role",
        "EngineName" => "engine",
        "ServerName" => "host",
        "Port" => "port",
        "DatabaseName" => "database",
        "Username" => "username",
        "SslMode" => "ssl_mode",
        "CertificateArn" => "certificate_arn",
        "ReplicationInstanceClass" => "class",
        "AllocatedStorage" => "storage_gb",
        "MultiAZ" | "ComputeConfig.MultiAZ" => "multi_az",
        "EngineVersion" => "engine_version",
        "VpcSecurityGroupIds" | "ComputeConfig.VpcSecurityGroupIds" => "security_group_ids",
        "PreferredMaintenanceWindow" | "ComputeConfig.PreferredMaintenanceWindow" => {
            "preferred_maintenance_window"
        }
        "ReplicationSubnetGroupIdentifier" | "ComputeConfig.ReplicationSubnetGroupId" => {
            "subnet_group"
        }
        "PubliclyAccessible" => "publicly_accessible",
        "AvailabilityZone" | "ComputeConfig.AvailabilityZone" => "availability_zone",
        "KmsKeyId" | "ComputeConfig.KmsKeyId" => "kms_key_id",
        "MigrationType" | "ReplicationType" => "type",
        "ComputeConfig.MaxCapacityUnits" => "max_dcu",
        "ComputeConfig.MinCapacityUnits" => "min_dcu",
        "ReplicationSubnetGroupDescription" => "description",
        "SubnetIds" => "subnet_ids",
        "RetentionInDays" => "retention_days",
        "SourceEndpoint" => "source endpoint",
        "TargetEndpoint" => "target endpoint",
        "ReplicationInstance" => "replication instance",
        other => other,
    }
}

/// Documents whose changed leaves are summed up in one sentence.
fn group(field: &str) -> Option<(&'static str, &str)> {
    let (head, rest) = field.split_once('.')?;
    let noun = match head {
        "ReplicationTaskSettings" => "task settings",
        "ReplicationSettings" => "replication settings",
        "Tags" => "tags",
        "ExtraConnectionAttributes" => "extra connection attributes",
        _ => return None,
    };
    Some((noun, rest))
}

/// A value as a reason shows it: strings bare, nothing as `(none)`, short or not at all.
fn show(v: Option<&Json>) -> Option<String> {
    let s = match v {
        None | Some(Json::Null) => "(none)".to_string(),
        Some(Json::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    (s.chars().count() <= 40).then_some(s)
}

/// The leaves of one grouped document that change, and those that go (a tag the spec no
/// longer names).
struct Group<'a> {
    noun: &'static str,
    changed: Vec<&'a str>,
    removed: Vec<&'a str>,
    forces: bool,
}

impl Group<'_> {
    /// `tags change: team`, `tags: cost-center removed`, `tags change: team; owner removed`.
    /// Every grouped noun is a plural ("task settings", "tags").
    fn sentence(&self) -> String {
        let (changed, removed) = (self.changed.join(", "), self.removed.join(", "));
        let mut s = match (changed.is_empty(), removed.is_empty()) {
            (_, true) => format!("{} change: {changed}", self.noun),
            (true, false) => format!("{}: {removed} removed", self.noun),
            (false, false) => format!("{} change: {changed}; {removed} removed", self.noun),
        };
        if self.forces {
            s.push_str(" (forces replacement)");
        }
        s
    }
}

/// One human sentence per changed attribute (one per document for settings and tags), in the
/// order of the diffs.
pub(super) fn reasons(diffs: &[Diff]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    for d in diffs {
        if let Some((noun, leaf)) = group(&d.field) {
            let i = match groups.iter().position(|g| g.noun == noun) {
                Some(i) => i,
                None => {
                    // Keep the group where its first leaf appeared.
                    out.push(String::new());
                    groups.push(Group {
                        noun,
                        changed: Vec::new(),
                        removed: Vec::new(),
                        forces: false,
                    });
                    groups.len() - 1
                }
            };
            let g = &mut groups[i];
            if d.after.is_none() && d.before.is_some() {
                g.removed.push(leaf);
            } else {
                g.changed.push(leaf);
            }
            g.forces |= d.forces_replacement;
            continue;
        }
        let r = sentence(d);
        if !out.contains(&r) {
            out.push(r);
        }
    }
    // Fill the placeholders of the grouped documents, in order.
    let mut groups = groups.into_iter();
    for slot in out.iter_mut().filter(|s| s.is_empty()) {
        if let Some(g) = groups.next() {
            *slot = g.sentence();
        }
    }
    out
}

/// The sentence for one changed attribute that no document groups.
fn sentence(d: &Diff) -> String {
    let what = label(&d.field);
    let mut r = match d.field.as_str() {
        "TableMappings" => "table mappings change".to_string(),
        "AssumeRolePolicyDocument" => {
            "its trust policy does not let dms.amazonaws.com assume it".to_string()
        }
        "AttachedPolicyArns" => {
            let before: Vec<&Json> = d
                .before
                .as_ref()
                .and_then(Json::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let missing: Vec<String> = d
                .after
                .as_ref()
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter(|p| !before.contains(p))
                        .filter_map(Json::as_str)
                        .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
                        .collect()
                })
                .unwrap_or_default();
            format!("managed policy {} is not attached", missing.join(", "))
        }
        "SourceEndpoint" | "TargetEndpoint" | "ReplicationInstance" => {
            format!("{what} changes")
        }
        _ => match (show(d.before.as_ref()), show(d.after.as_ref())) {
            (Some(b), Some(a)) => format!("{what} changes {b} → {a}"),
            _ => format!("{what} changes"),
        },
    };
    if d.field == "AllocatedStorage" && d.forces_replacement {
        r.push_str(": DMS cannot shrink storage");
    }
    if d.field == "EngineVersion" && d.forces_replacement {
        r.push_str(": DMS cannot downgrade an engine");
    }
    if d.forces_replacement {
        r.push_str(" (forces replacement)");
    }
    r
}
