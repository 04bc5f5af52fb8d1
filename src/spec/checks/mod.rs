//! What a well-shaped spec must also mean: references resolve, identifiers are valid for AWS,
//! numbers are in range, settings do not fight dmsctl. Every check adds to one list; nothing
//! stops at the first problem.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::diagnostic::{did_you_mean, one_of, Diagnostic};
use super::types::*;
use super::yaml::{child_pointer, SourceMap};
use crate::model::{derived_id, stack_name, IdKind};

mod alerts;
mod compute;
mod endpoints;
mod identifiers;
mod raw_rules;
mod replications;
mod rule_sets;

/// CloudWatch Logs' allowed retention periods, in days.
pub const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Capacities DMS Serverless accepts, in DCU.
pub const DCU_VALUES: &[i64] = &[1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384];

/// Replication instance classes DMS offers; others are warned about, not refused.
pub const KNOWN_INSTANCE_CLASSES: &[&str] = &[
    "dms.t2.micro",
    "dms.t2.small",
    "dms.t2.medium",
    "dms.t2.large",
    "dms.t3.micro",
    "dms.t3.small",
    "dms.t3.medium",
    "dms.t3.large",
    "dms.c4.large",
    "dms.c4.xlarge",
    "dms.c4.2xlarge",
    "dms.c4.4xlarge",
    "dms.c5.large",
    "dms.c5.xlarge",
    "dms.c5.2xlarge",
    "dms.c5.4xlarge",
    "dms.c5.9xlarge",
    "dms.c5.12xlarge",
    "dms.c5.18xlarge",
    "dms.c5.24xlarge",
    "dms.c6i.large",
    "dms.c6i.xlarge",
    "dms.c6i.2xlarge",
    "dms.c6i.4xlarge",
    "dms.c6i.8xlarge",
    "dms.c6i.12xlarge",
    "dms.c6i.16xlarge",
    "dms.c6i.24xlarge",
    "dms.c6i.32xlarge",
    "dms.r4.large",
    "dms.r4.xlarge",
    "dms.r4.2xlarge",
    "dms.r4.4xlarge",
    "dms.r4.8xlarge",
    "dms.r5.large",
    "dms.r5.xlarge",
    "dms.r5.2xlarge",
    "dms.r5.4xlarge",
    "dms.r5.8xlarge",
    "dms.r5.12xlarge",
    "dms.r5.16xlarge",
    "dms.r5.24xlarge",
    "dms.r6i.large",
    "dms.r6i.xlarge",
    "dms.r6i.2xlarge",
    "dms.r6i.4xlarge",
    "dms.r6i.8xlarge",
    "dms.r6i.12xlarge",
    "dms.r6i.16xlarge",
    "dms.r6i.24xlarge",
    "dms.r6i.32xlarge",
];

/// Top-level sections of DMS task settings.
pub const TASK_SETTING_SECTIONS: &[&str] = &[
    "TargetMetadata",
    "FullLoadSettings",
    "Logging",
    "ControlTablesSettings",
    "StreamBufferSettings",
    "ChangeProcessingTuning",
    "ChangeProcessingDdlHandlingPolicy",
    "ErrorBehavior",
    "ValidationSettings",
    "LoopbackPreventionSettings",
    "CharacterSetSettings",
    "BeforeImageSettings",
    "FailTaskWhenCleanTaskResourceFailed",
    "TTSettings",
    "PostProcessingRules",
];

/// Runs every semantic check. `env_is_set` answers whether an environment variable has a value
/// (injected so tests do not depend on the process environment).
pub fn check(spec: &Spec, map: &SourceMap, env_is_set: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
    let mut c = Checker {
        spec,
        map,
        env_is_set,
        out: Vec::new(),
    };
    c.top_level();
    c.subnet_groups();
    c.endpoints();
    c.rule_sets();
    c.replications();
    c.serverless_views();
    c.compute();
    c.assessments();
    c.alerts();
    // Derived identifiers of an invalid stack name would repeat its error once per resource.
    if stack_name(&spec.stack).is_ok() {
        c.identifiers();
    }
    c.out
}

/// A resource's logical name and its explicit `id`, if any.
type NamedId<'a> = (&'a String, Option<&'a String>);

struct Checker<'a> {
    spec: &'a Spec,
    map: &'a SourceMap,
    env_is_set: &'a dyn Fn(&str) -> bool,
    out: Vec<Diagnostic>,
}

fn ptr(parts: &[&str]) -> String {
    parts
        .iter()
        .fold(String::new(), |p, s| child_pointer(&p, s))
}

impl Checker<'_> {
    /// An error pointing at the value at `pointer`.
    fn error(&mut self, code: &'static str, pointer: String, message: String) -> &mut Diagnostic {
        let span = self.map.value(&pointer);
        self.out
            .push(Diagnostic::error(code, pointer, message).at(span));
        self.out.last_mut().expect("just pushed")
    }

    /// An error pointing at the key (the name) of the entry at `pointer`.
    fn error_key(
        &mut self,
        code: &'static str,
        pointer: String,
        message: String,
    ) -> &mut Diagnostic {
        let span = self.map.key(&pointer);
        self.out
            .push(Diagnostic::error(code, pointer, message).at(span));
        self.out.last_mut().expect("just pushed")
    }

    fn warning(&mut self, code: &'static str, pointer: String, message: String) -> &mut Diagnostic {
        let span = self.map.value(&pointer);
        self.out
            .push(Diagnostic::warning(code, pointer, message).at(span));
        self.out.last_mut().expect("just pushed")
    }

    fn warning_key(
        &mut self,
        code: &'static str,
        pointer: String,
        message: String,
    ) -> &mut Diagnostic {
        let span = self.map.key(&pointer);
        self.out
            .push(Diagnostic::warning(code, pointer, message).at(span));
        self.out.last_mut().expect("just pushed")
    }

    /// Checks that `name` is a key of `known`, suggesting the closest one when it is not.
    fn reference<T>(
        &mut self,
        pointer: String,
        what: &str,
        name: &str,
        known: &BTreeMap<String, T>,
    ) -> bool {
        if known.contains_key(name) {
            return true;
        }
        let d = self.error(
            "unresolved-reference",
            pointer,
            format!("{what} `{name}` is not defined"),
        );
        d.help = Some(match did_you_mean(name, known.keys().map(String::as_str)) {
            Some(m) => format!("did you mean `{m}`?"),
            None if known.is_empty() => format!("no {what} is defined"),
            None => format!("defined: {}", one_of(&known.keys().collect::<Vec<_>>())),
        });
        false
    }

    fn top_level(&mut self) {
        let s = self.spec;
        if s.version != 1 {
            self.error(
                "unsupported-version",
                ptr(&["version"]),
                format!(
                    "unsupported spec version {}; this dmsctl reads version 1",
                    s.version
                ),
            );
        }
        if let Err(why) = stack_name(&s.stack) {
            self.error(
                "invalid-stack",
                ptr(&["stack"]),
                format!("invalid stack name `{}`: {why}", s.stack),
            );
        }
        if let Some(region) = &s.region {
            if !is_region(region) {
                self.error(
                    "invalid-region",
                    ptr(&["region"]),
                    format!("`{region}` is not an AWS region name"),
                )
                .help = Some("regions look like `eu-central-1` or `us-east-1`".into());
            }
        }
        self.tags(&s.tags, &["tags"]);
        if let Some(days) = s.logging.retention_days {
            if !RETENTION_DAYS.contains(&days) {
                let nearest = RETENTION_DAYS
                    .iter()
                    .min_by_key(|d| (i64::from(**d) - i64::from(days)).abs())
                    .copied()
                    .unwrap_or(30);
                self.error(
                    "invalid-retention",
                    ptr(&["logging", "retention_days"]),
                    format!("CloudWatch Logs cannot keep logs for {days} days"),
                )
                .help = Some(format!(
                    "allowed: {}; the nearest is {nearest}",
                    RETENTION_DAYS
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }

    fn tags(&mut self, tags: &BTreeMap<String, String>, at: &[&str]) {
        for (k, v) in tags {
            let mut parts = at.to_vec();
            parts.push(k);
            let p = ptr(&parts);
            let lower = k.to_ascii_lowercase();
            if lower.starts_with("aws:") {
                self.error_key(
                    "invalid-tag",
                    p,
                    format!("tag key `{k}` uses the prefix `aws:`, which AWS reserves"),
                );
            } else if lower.starts_with("dmsctl:") {
                self.error_key(
                    "invalid-tag",
                    p,
                    format!("tag key `{k}` uses the prefix `dmsctl:`, which dmsctl sets itself"),
                );
            } else if k.is_empty() || k.chars().count() > 128 {
                self.error_key("invalid-tag", p, "a tag key has 1 to 128 characters".into());
            } else if v.chars().count() > 256 {
                self.error(
                    "invalid-tag",
                    p,
                    format!("the value of tag `{k}` is longer than 256 characters"),
                );
            }
        }
    }

    fn subnet_groups(&mut self) {
        let mut used = BTreeSet::new();
        if let Some(sl) = &self.spec.compute.serverless {
            used.extend(sl.subnet_group.iter().cloned());
        }
        for inst in self.spec.compute.instances.values() {
            used.extend(inst.subnet_group.iter().cloned());
        }
        let all_resolve = used.iter().all(|u| self.spec.subnet_groups.contains_key(u));
        for (name, g) in &self.spec.subnet_groups {
            let at = ["subnet_groups", name.as_str()];
            if g.subnet_ids.is_empty() {
                self.error(
                    "invalid-subnet-group",
                    ptr(&[&at[..], &["subnet_ids"]].concat()),
                    format!("subnet group `{name}` has no subnets"),
                );
            } else if g.subnet_ids.len() < 2 {
                self.warning(
                    "single-subnet",
                    ptr(&[&at[..], &["subnet_ids"]].concat()),
                    format!("subnet group `{name}` has one subnet"),
                )
                .help = Some("DMS needs subnets in at least two availability zones".into());
            }
            let mut seen = BTreeSet::new();
            for (i, id) in g.subnet_ids.iter().enumerate() {
                let p = ptr(&[&at[..], &["subnet_ids", &i.to_string()]].concat());
                if !is_aws_id(id, "subnet-") {
                    self.error("invalid-id", p, format!("`{id}` is not a subnet id"))
                        .help = Some("subnet ids look like `subnet-0a1b2c3d`".into());
                } else if !seen.insert(id) {
                    self.error("duplicate", p, format!("subnet `{id}` is listed twice"));
                }
            }
            if let Some(d) = &g.description {
                if d.chars().count() > 255 {
                    self.error(
                        "invalid-value",
                        ptr(&[&at[..], &["description"]].concat()),
                        "a description has at most 255 characters".into(),
                    );
                }
            }
            self.tags(&g.tags, &[&at[..], &["tags"]].concat());
            if !used.contains(name) && all_resolve {
                self.warning_key("unused", ptr(&at), format!("subnet group `{name}` is not used by any instance or serverless replication"));
            }
        }
    }
}

fn role_name(r: EndpointRole) -> &'static str {
    match r {
        EndpointRole::Source => "source",
        EndpointRole::Target => "target",
    }
}

fn is_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_aws_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|hex| {
        (8..=17).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
pub fn is_rfc3339(t: &str) -> bool {
    let b = t.as_bytes();
    if b.len() < 20 || !t.is_ascii() {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let fixed = digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !fixed {
        return false;
    }
    let in_range = |r: std::ops::Range<usize>, lo: u32, hi: u32| {
        t[r].parse::<u32>().is_ok_and(|v| v >= lo && v <= hi)
    };
    if !(in_range(5..7, 1, 12)
        && in_range(8..10, 1, 31)
        && in_range(11..13, 0, 23)
        && in_range(14..16, 0, 59)
        && in_range(17..19, 0, 60))
    {
        return false;
    }
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        assert!(is_rfc3339("2026-11-01T00:00:00Z"));
        assert!(is_rfc3339("2026-11-01T10:30:00.123+02:00"));
        assert!(!is_rfc3339("2026-11-01 00:00:00"));
        assert!(!is_rfc3339("2026-13-01T00:00:00Z"));
        assert!(!is_rfc3339("yesterday"));
    }

    #[test]
    fn regions() {
        assert!(is_region("eu-central-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(!is_region("europe"));
        assert!(!is_region("EU-central-1"));
    }

    #[test]
    fn stack_names() {
        assert!(stack_name("sci-sync").is_ok());
        assert!(stack_name("Sci").is_err());
        assert!(stack_name("a--b").is_err());
        assert!(stack_name("a_b").is_err());
    }

    #[test]
    fn aws_ids() {
        assert!(is_aws_id("subnet-0a1b2c3d", "subnet-"));
        assert!(is_aws_id("sg-0123456789abcdef0", "sg-"));
        assert!(!is_aws_id("subnet-xyz", "subnet-"));
    }
}
