//! What a well-shaped spec must also mean: references resolve, identifiers are valid for AWS,
//! numbers are in range, settings do not fight dmsctl. Every check adds to one list; nothing
//! stops at the first problem.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::diagnostic::{did_you_mean, one_of, Diagnostic};
use super::types::*;
use super::yaml::{child_pointer, SourceMap};
use crate::model::{derived_id, stack_name, IdKind};

mod raw_rules;

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
    c.compute();
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

    fn endpoints(&mut self) {
        let mut used = BTreeSet::new();
        for r in self.spec.replications.values() {
            used.insert(r.source.as_str());
            used.insert(r.target.as_str());
        }
        // An unused endpoint next to an unresolved reference is most likely its misspelling,
        // which is reported already.
        let all_resolve = used.iter().all(|u| self.spec.endpoints.contains_key(*u));
        for (name, e) in &self.spec.endpoints {
            let at = |f: &[&str]| ptr(&[&["endpoints", name.as_str()], f].concat());
            let engine = e.engine.dms_name();
            if e.role == EndpointRole::Source && e.engine.target_only() {
                self.error(
                    "engine-role",
                    at(&["role"]),
                    format!("`{engine}` endpoints can only be targets"),
                );
            }
            if e.engine.is_database() {
                let via_secret = matches!(e.password, Some(SecretRef::SecretsManager(_)));
                if !via_secret {
                    for (field, present) in [
                        ("host", e.host.is_some()),
                        ("username", e.username.is_some()),
                        ("password", e.password.is_some()),
                    ] {
                        if !present {
                            self.error_key("missing-field", at(&[]), format!("endpoint `{name}` ({engine}) needs `{field}`"))
                                .help = Some("or give `password: { secrets_manager: ... }`, whose secret holds host, port, user and password".into());
                        }
                    }
                }
                if e.engine.needs_database() && e.database.is_none() {
                    self.error_key(
                        "missing-field",
                        at(&[]),
                        format!("endpoint `{name}` ({engine}) needs `database`"),
                    );
                }
                if let Some(port) = e.port {
                    if !(1..=65535).contains(&port) {
                        self.error(
                            "invalid-port",
                            at(&["port"]),
                            format!("port {port} is outside 1–65535"),
                        );
                    }
                }
                if matches!(e.ssl_mode, Some(SslMode::VerifyCa | SslMode::VerifyFull))
                    && e.certificate_arn.is_none()
                {
                    self.error(
                        "missing-field",
                        at(&["ssl_mode"]),
                        format!(
                            "ssl_mode `{}` needs `certificate_arn`",
                            e.ssl_mode.map_or("", SslMode::dms_name)
                        ),
                    );
                }
            } else {
                for (field, present) in [
                    ("host", e.host.is_some()),
                    ("port", e.port.is_some()),
                    ("database", e.database.is_some()),
                    ("username", e.username.is_some()),
                    ("password", e.password.is_some()),
                    ("ssl_mode", e.ssl_mode.is_some()),
                ] {
                    if present {
                        self.error_key(
                            "unused-field",
                            at(&[field]),
                            format!("`{field}` does not apply to `{engine}` endpoints"),
                        );
                    }
                }
            }
            if let Some(arn) = &e.certificate_arn {
                self.arn(at(&["certificate_arn"]), arn, "dms");
            }
            if let Some(pw) = &e.password {
                self.secret(at(&["password"]), pw);
            }
            for (k, v) in &e.extra_connection_attributes {
                if k.is_empty() || k.contains([';', '=']) || v.to_string().contains(';') {
                    self.error("invalid-value", at(&["extra_connection_attributes", k]), format!("extra connection attribute `{k}` cannot contain `;` or `=` in its name or `;` in its value"));
                }
            }
            match (e.engine, &e.kafka) {
                (Engine::Kafka, Some(k)) => self.kafka(name, k),
                (Engine::Kafka, None) => {
                    self.error_key(
                        "missing-field",
                        at(&[]),
                        format!(
                            "kafka endpoint `{name}` needs a `kafka` block with at least `brokers`"
                        ),
                    );
                }
                (_, Some(_)) => {
                    self.error_key(
                        "unused-field",
                        at(&["kafka"]),
                        format!("`kafka` settings on a `{engine}` endpoint"),
                    )
                    .help = Some("set `engine: kafka` or remove the block".into());
                }
                _ => {}
            }
            match (e.engine, &e.s3) {
                (Engine::S3, Some(s3)) => self.arn(
                    at(&["s3", "service_access_role_arn"]),
                    &s3.service_access_role_arn,
                    "iam",
                ),
                (Engine::S3, None) => {
                    self.error_key(
                        "missing-field",
                        at(&[]),
                        format!("s3 endpoint `{name}` needs an `s3` block"),
                    );
                }
                (_, Some(_)) => {
                    self.error_key(
                        "unused-field",
                        at(&["s3"]),
                        format!("`s3` settings on a `{engine}` endpoint"),
                    );
                }
                _ => {}
            }
            self.tags(&e.tags, &["endpoints", name, "tags"]);
            if !used.contains(name.as_str()) && all_resolve {
                self.warning_key(
                    "unused",
                    at(&[]),
                    format!("endpoint `{name}` is not used by any replication"),
                );
            }
        }
    }

    fn kafka(&mut self, name: &str, k: &KafkaSettings) {
        let at = |f: &[&str]| ptr(&[&["endpoints", name, "kafka"], f].concat());
        if k.brokers.is_empty() {
            self.error(
                "missing-field",
                at(&["brokers"]),
                format!("kafka endpoint `{name}` lists no broker"),
            );
        }
        for (i, b) in k.brokers.iter().enumerate() {
            let ok = b
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0));
            if !ok {
                self.error(
                    "invalid-broker",
                    at(&["brokers", &i.to_string()]),
                    format!("broker `{b}` is not `host:port`"),
                )
                .help =
                    Some("for example `b-1.cluster.kafka.eu-central-1.amazonaws.com:9096`".into());
            }
        }
        let protocol = k.security_protocol.unwrap_or(SecurityProtocol::Plaintext);
        if protocol == SecurityProtocol::SaslSsl {
            if k.sasl_username.is_none() {
                self.error(
                    "missing-field",
                    at(&["security_protocol"]),
                    "security_protocol `sasl-ssl` needs `sasl_username`".into(),
                );
            }
            if k.sasl_password.is_none() {
                self.error(
                    "missing-field",
                    at(&["security_protocol"]),
                    "security_protocol `sasl-ssl` needs `sasl_password`".into(),
                );
            }
        } else {
            for (field, present) in [
                ("sasl_username", k.sasl_username.is_some()),
                ("sasl_password", k.sasl_password.is_some()),
                ("sasl_mechanism", k.sasl_mechanism.is_some()),
            ] {
                if present {
                    self.error_key(
                        "unused-field",
                        at(&[field]),
                        format!("`{field}` needs `security_protocol: sasl-ssl`"),
                    );
                }
            }
        }
        if protocol == SecurityProtocol::SslAuthentication {
            for (field, present) in [
                (
                    "ssl_client_certificate_arn",
                    k.ssl_client_certificate_arn.is_some(),
                ),
                ("ssl_client_key_arn", k.ssl_client_key_arn.is_some()),
            ] {
                if !present {
                    self.error(
                        "missing-field",
                        at(&["security_protocol"]),
                        format!("security_protocol `ssl-authentication` needs `{field}`"),
                    );
                }
            }
        }
        if let Some(p) = &k.sasl_password {
            self.secret(at(&["sasl_password"]), p);
        }
        if let Some(p) = &k.ssl_client_key_password {
            self.secret(at(&["ssl_client_key_password"]), p);
        }
        for (field, arn) in [
            ("ssl_ca_certificate_arn", &k.ssl_ca_certificate_arn),
            ("ssl_client_certificate_arn", &k.ssl_client_certificate_arn),
            ("ssl_client_key_arn", &k.ssl_client_key_arn),
        ] {
            if let Some(arn) = arn {
                self.arn(at(&[field]), arn, "");
            }
        }
        if let Some(m) = k.message_max_bytes {
            if m <= 0 {
                self.error(
                    "invalid-value",
                    at(&["message_max_bytes"]),
                    format!("message_max_bytes must be positive, found {m}"),
                );
            }
        }
    }

    fn secret(&mut self, pointer: String, s: &SecretRef) {
        match s {
            SecretRef::Env(var) => {
                let p = child_pointer(&pointer, "env");
                if var.is_empty()
                    || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    || var.starts_with(|c: char| c.is_ascii_digit())
                {
                    self.error(
                        "invalid-value",
                        p,
                        format!("`{var}` is not an environment variable name"),
                    );
                } else if !(self.env_is_set)(var) {
                    self.warning(
                        "env-not-set",
                        p,
                        format!("environment variable `{var}` is not set"),
                    )
                    .help =
                        Some("it must be set when dmsctl creates or updates this endpoint".into());
                }
            }
            SecretRef::SecretsManager(sm) => {
                let p = child_pointer(&pointer, "secrets_manager");
                if sm.secret_id.is_empty() {
                    self.error(
                        "invalid-value",
                        child_pointer(&p, "secret_id"),
                        "`secret_id` is empty".into(),
                    );
                }
                self.arn(
                    child_pointer(&p, "access_role_arn"),
                    &sm.access_role_arn,
                    "iam",
                );
            }
        }
    }

    /// Checks the general ARN form and, when `service` is not empty, the service.
    fn arn(&mut self, pointer: String, arn: &str, service: &str) {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let ok = parts.len() == 6
            && parts[0] == "arn"
            && parts[1].starts_with("aws")
            && !parts[2].is_empty()
            && (service.is_empty() || parts[2] == service)
            && !parts[5].is_empty();
        if !ok {
            let what = match service {
                "iam" => "an IAM role",
                "dms" => "a DMS certificate",
                _ => "an",
            };
            let d = self.error("invalid-arn", pointer, format!("`{arn}` is not {what} ARN"));
            d.help = Some(match service {
                "iam" => "IAM role ARNs look like `arn:aws:iam::123456789012:role/name`".into(),
                _ => "ARNs look like `arn:aws:<service>:<region>:<account>:<resource>`".into(),
            });
        }
    }

    fn rule_sets(&mut self) {
        let used: BTreeSet<&str> = self
            .spec
            .replications
            .values()
            .map(|r| r.rules.as_str())
            .collect();
        let all_resolve = used.iter().all(|u| self.spec.rules.contains_key(*u));
        for (name, rules) in &self.spec.rules {
            let at = ["rules", name.as_str()];
            let selects = rules.iter().any(|r| match r {
                Rule::Include(_) | Rule::Explicit(_) => true,
                Rule::Raw(raw) => {
                    raw.get("rule-type").and_then(Json::as_str) == Some("selection")
                        && matches!(
                            raw.get("rule-action").and_then(Json::as_str),
                            Some("include" | "explicit")
                        )
                }
                _ => false,
            });
            if !selects {
                self.error_key(
                    "no-selection",
                    ptr(&at),
                    format!("rule set `{name}` selects no table"),
                )
                .help =
                    Some("add a rule such as `- include: { schema: app, table: \"%\" }`".into());
            }
            let mut raw_ids = BTreeSet::new();
            for (i, rule) in rules.iter().enumerate() {
                let idx = i.to_string();
                let kind = rule.kind();
                let p = |f: &str| ptr(&[at[0], at[1], &idx, kind, f]);
                match rule {
                    Rule::Include(s) | Rule::Exclude(s) => {
                        self.pattern(p("schema"), &s.schema);
                        self.pattern(p("table"), &s.table);
                    }
                    Rule::Explicit(s) => {
                        for (f, v) in [("schema", &s.schema), ("table", &s.table)] {
                            self.exact(p(f), "explicit", f, v);
                        }
                    }
                    Rule::ParallelLoad(pl) => {
                        for (f, v) in [("schema", &pl.schema), ("table", &pl.table)] {
                            self.exact(p(f), kind, f, v);
                        }
                        let rendered = crate::rules::render_rule(i + 1, rule);
                        if let Some(load) = rendered.get("parallel-load").and_then(Json::as_object)
                        {
                            let fields = raw_rules::Fields {
                                base: ptr(&[at[0], at[1], &idx, kind]),
                                friendly: true,
                            };
                            self.parallel_load(&fields, load);
                        }
                    }
                    Rule::Lob(l) => {
                        for (f, v) in [("schema", &l.schema), ("table", &l.table)] {
                            self.exact(p(f), kind, f, v);
                        }
                        let rendered = crate::rules::render_rule(i + 1, rule);
                        if let Some(lob) = rendered.get("lob-settings").and_then(Json::as_object) {
                            let fields = raw_rules::Fields {
                                base: ptr(&[at[0], at[1], &idx, kind]),
                                friendly: true,
                            };
                            self.lob_settings(&fields, lob);
                        }
                    }
                    Rule::Rename(r) => {
                        self.locator(&p(""), &r.schema, r.table.as_deref(), r.column.as_deref());
                        self.literal(p("to"), &r.to, "a new name");
                    }
                    Rule::AddPrefix(a)
                    | Rule::RemovePrefix(a)
                    | Rule::AddSuffix(a)
                    | Rule::RemoveSuffix(a) => {
                        self.locator(&p(""), &a.schema, a.table.as_deref(), a.column.as_deref());
                        self.literal(p("value"), &a.value, "a prefix or suffix");
                    }
                    Rule::ReplacePrefix(a) | Rule::ReplaceSuffix(a) => {
                        self.locator(&p(""), &a.schema, a.table.as_deref(), a.column.as_deref());
                        self.literal(p("old"), &a.old, "the old prefix or suffix");
                        self.literal(p("new"), &a.new, "the new prefix or suffix");
                    }
                    Rule::Lowercase(l) | Rule::Uppercase(l) => {
                        self.locator(&p(""), &l.schema, l.table.as_deref(), l.column.as_deref());
                    }
                    Rule::RemoveColumn(c) => {
                        self.pattern(p("schema"), &c.schema);
                        self.pattern(p("table"), &c.table);
                        self.pattern(p("column"), &c.column);
                    }
                    Rule::AddColumn(c) => {
                        self.pattern(p("schema"), &c.schema);
                        self.pattern(p("table"), &c.table);
                        self.literal(p("column"), &c.column, "a column name");
                        self.data_type(&p(""), c.data_type, c.length, c.precision);
                    }
                    Rule::ChangeDataType(c) => {
                        self.pattern(p("schema"), &c.schema);
                        self.pattern(p("table"), &c.table);
                        self.pattern(p("column"), &c.column);
                        self.data_type(&p(""), c.data_type, c.length, c.precision);
                    }
                    Rule::DefinePrimaryKey(k) => {
                        for (f, v) in [("schema", &k.schema), ("table", &k.table)] {
                            self.exact(p(f), kind, f, v);
                        }
                        self.literal(p("name"), &k.name, "a key name");
                        if k.columns.is_empty() {
                            self.error(
                                "missing-field",
                                p("columns"),
                                "`define_primary_key` lists no column".into(),
                            );
                        }
                    }
                    Rule::AddBeforeImageColumns(b) => {
                        self.pattern(p("schema"), &b.schema);
                        self.pattern(p("table"), &b.table);
                        if b.prefix.as_deref() == Some("")
                            && b.suffix.as_deref().unwrap_or("").is_empty()
                        {
                            self.error(
                                "invalid-value",
                                p("prefix"),
                                "before-image columns need a non-empty prefix or suffix".into(),
                            );
                        }
                    }
                    Rule::Raw(raw) => {
                        let rp = ptr(&[at[0], at[1], &idx, "raw"]);
                        self.raw_rule(&rp, raw);
                        if let Some(id) = raw.get("rule-id") {
                            let id = match id {
                                Json::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                            if id.parse::<u32>().is_err() {
                                self.error(
                                    "invalid-value",
                                    child_pointer(&rp, "rule-id"),
                                    format!("rule-id `{id}` is not a number"),
                                );
                            } else if !raw_ids.insert(id.clone()) {
                                self.error(
                                    "duplicate",
                                    child_pointer(&rp, "rule-id"),
                                    format!("rule-id `{id}` is used twice in rule set `{name}`"),
                                );
                            }
                        }
                    }
                }
            }
            self.post_processing_targets(name, rules);
            if !used.contains(name.as_str()) && all_resolve {
                self.warning_key(
                    "unused",
                    ptr(&at),
                    format!("rule set `{name}` is not used by any replication"),
                );
            }
        }
    }

    /// `post-processing` rules tag S3 objects: a replication to another target has nothing to
    /// tag.
    fn post_processing_targets(&mut self, set: &str, rules: &[Rule]) {
        let spec = self.spec;
        let not_s3: Vec<&String> = spec
            .replications
            .iter()
            .filter(|(_, r)| r.rules == set)
            .filter(|(_, r)| {
                spec.endpoints
                    .get(&r.target)
                    .is_some_and(|e| e.engine != Engine::S3)
            })
            .map(|(n, _)| n)
            .collect();
        let Some(first) = not_s3.first() else {
            return;
        };
        for (i, rule) in rules.iter().enumerate() {
            if let Rule::Raw(raw) = rule {
                if raw.get("rule-type").and_then(Json::as_str) == Some("post-processing") {
                    self.warning(
                        "no-effect",
                        ptr(&["rules", set, &i.to_string(), "raw", "rule-type"]),
                        format!(
                            "`post-processing` rules tag S3 objects, but replication `{first}` \
                             writes to a target that is not S3"
                        ),
                    );
                }
            }
        }
    }

    /// A schema or table name that a rule of `kind` needs exactly, without wildcards.
    fn exact(&mut self, pointer: String, kind: &str, field: &str, value: &str) {
        if value.is_empty() || value.contains(['%', '[']) {
            self.error(
                "wildcard-not-allowed",
                pointer,
                format!("`{kind}` needs an exact {field} name, found `{value}`"),
            )
            .help = Some("it applies to one table; write one rule per table".into());
        }
    }

    /// Checks a transformation's locator: the pattern syntax, and that a column names its table.
    fn locator(&mut self, base: &str, schema: &str, table: Option<&str>, column: Option<&str>) {
        let base = base.trim_end_matches('/');
        self.pattern(child_pointer(base, "schema"), schema);
        if let Some(t) = table {
            self.pattern(child_pointer(base, "table"), t);
        }
        if let Some(c) = column {
            self.pattern(child_pointer(base, "column"), c);
            if table.is_none() {
                self.error(
                    "missing-field",
                    child_pointer(base, "column"),
                    "a column rule needs `table` too".into(),
                )
                .help = Some("write `table: \"%\"` to apply it to every table".into());
            }
        }
    }

    /// DMS object-locator patterns: `%` any run, `_` one character, `[...]` a character class.
    fn pattern(&mut self, pointer: String, value: &str) {
        if value.is_empty() {
            self.error(
                "invalid-pattern",
                pointer,
                "an empty name matches nothing".into(),
            );
            return;
        }
        let mut open = None;
        for (i, ch) in value.char_indices() {
            match (ch, open) {
                ('[', None) => open = Some(i),
                ('[', Some(_)) => {
                    self.error(
                        "invalid-pattern",
                        pointer,
                        format!("`{value}`: `[` inside a character class"),
                    );
                    return;
                }
                (']', Some(start)) if i == start + 1 => {
                    self.error(
                        "invalid-pattern",
                        pointer,
                        format!("`{value}`: empty character class `[]`"),
                    );
                    return;
                }
                (']', Some(_)) => open = None,
                (']', None) => {
                    self.error(
                        "invalid-pattern",
                        pointer,
                        format!("`{value}`: `]` without `[`"),
                    );
                    return;
                }
                _ => {}
            }
        }
        if open.is_some() {
            self.error(
                "invalid-pattern",
                pointer,
                format!("`{value}`: `[` is never closed"),
            )
            .help = Some(
                "`[...]` matches one character from a set; write `[[]` for a literal `[`".into(),
            );
        }
    }

    /// A name dmsctl writes (not a pattern): no wildcards, not empty.
    fn literal(&mut self, pointer: String, value: &str, what: &str) {
        if value.is_empty() {
            self.error("invalid-value", pointer, format!("{what} cannot be empty"));
        } else if value.contains(['%', '[', ']']) {
            self.error(
                "invalid-value",
                pointer,
                format!("{what} cannot contain wildcards, found `{value}`"),
            );
        }
    }

    fn data_type(&mut self, base: &str, t: DataType, length: Option<i64>, precision: Option<i64>) {
        let base = base.trim_end_matches('/');
        if matches!(t, DataType::String | DataType::Wstring | DataType::Bytes) && length.is_none() {
            self.error(
                "missing-field",
                child_pointer(base, "type"),
                format!(
                    "type `{}` needs `length`",
                    serde_json::to_value(t)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ),
            );
        }
        if t == DataType::Numeric && precision.is_none() {
            self.error(
                "missing-field",
                child_pointer(base, "type"),
                "type `numeric` needs `precision` (and usually `scale`)".into(),
            );
        }
        for (f, v) in [("length", length), ("precision", precision)] {
            if v.is_some_and(|v| v <= 0) {
                self.error(
                    "invalid-value",
                    child_pointer(base, f),
                    format!("`{f}` must be positive"),
                );
            }
        }
    }

    fn replications(&mut self) {
        let spec = self.spec;
        if spec.replications.is_empty() {
            self.warning(
                "empty",
                ptr(&["replications"]),
                "the spec defines no replication".into(),
            );
        }
        for (name, r) in &spec.replications {
            let at = |f: &str| ptr(&["replications", name, f]);
            for (field, wanted) in [
                ("source", EndpointRole::Source),
                ("target", EndpointRole::Target),
            ] {
                let ep_name = if field == "source" {
                    &r.source
                } else {
                    &r.target
                };
                if self.reference(at(field), "endpoint", ep_name, &spec.endpoints) {
                    let role = spec.endpoints[ep_name].role;
                    if role != wanted {
                        self.error(
                            "endpoint-role",
                            at(field),
                            format!(
                                "endpoint `{ep_name}` is a {}, not a {field}",
                                role_name(role)
                            ),
                        );
                    }
                }
            }
            if r.source == r.target {
                self.error(
                    "invalid-value",
                    at("target"),
                    "source and target are the same endpoint".into(),
                );
            }
            self.reference(at("rules"), "rule set", &r.rules, &spec.rules);
            if let Some(t) = &r.cdc_start_time {
                if !r.migration_type.has_cdc() {
                    self.error(
                        "invalid-value",
                        at("cdc_start_time"),
                        "`cdc_start_time` needs `type: cdc` or `full-load-and-cdc`".into(),
                    );
                } else if !is_rfc3339(t) {
                    self.error(
                        "invalid-value",
                        at("cdc_start_time"),
                        format!("`{t}` is not an RFC 3339 time"),
                    )
                    .help = Some("for example `2026-11-01T00:00:00Z`".into());
                }
            }
            if let Some(settings) = &r.settings {
                self.settings(name, settings);
            }
            if let Some(o) = &r.serverless {
                let base = spec.compute.serverless.as_ref();
                let min = o.min_dcu.or(base.and_then(|b| b.min_dcu)).unwrap_or(1);
                let max = o.max_dcu.or(base.map(|b| b.max_dcu));
                self.dcu(
                    &at("serverless"),
                    o.min_dcu,
                    o.max_dcu,
                    min,
                    max,
                    o.expected_dcu,
                );
            }
            self.tags(&r.tags, &["replications", name, "tags"]);
        }
    }

    fn settings(&mut self, name: &str, settings: &serde_json::Map<String, Json>) {
        let at = |f: &[&str]| ptr(&[&["replications", name, "settings"], f].concat());
        for (section, value) in settings {
            if !TASK_SETTING_SECTIONS.contains(&section.as_str()) {
                let d = self.warning_key(
                    "unknown-setting",
                    at(&[section]),
                    format!("`{section}` is not a DMS task settings section"),
                );
                d.help = did_you_mean(section, TASK_SETTING_SECTIONS.iter().copied())
                    .map(|m| format!("did you mean `{m}`?"));
            }
            if section == "Logging" {
                for key in ["CloudWatchLogGroup", "CloudWatchLogStream"] {
                    if value.get(key).is_some() {
                        self.error_key(
                            "read-only-setting",
                            at(&[section, key]),
                            format!("`Logging.{key}` is set by DMS and cannot be written"),
                        )
                        .help =
                            Some("remove it; dmsctl finds the log group and stream itself".into());
                    }
                }
                if value.get("EnableLogging").is_some() {
                    self.warning_key(
                        "overrides-logging",
                        at(&[section, "EnableLogging"]),
                        "`Logging.EnableLogging` overrides `logging.enabled` for this replication"
                            .into(),
                    );
                }
            }
        }
    }

    fn dcu(
        &mut self,
        base: &str,
        min_at: Option<i64>,
        max_at: Option<i64>,
        min: i64,
        max: Option<i64>,
        expected: Option<f64>,
    ) {
        let list = DCU_VALUES
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        for (field, v) in [("min_dcu", min_at), ("max_dcu", max_at)] {
            if let Some(v) = v {
                if !DCU_VALUES.contains(&v) {
                    self.error(
                        "invalid-dcu",
                        child_pointer(base, field),
                        format!("{v} is not a DMS Serverless capacity"),
                    )
                    .help = Some(format!("allowed DCU values: {list}"));
                }
            }
        }
        if let Some(max) = max {
            if min > max {
                let field = if min_at.is_some() {
                    "min_dcu"
                } else {
                    "max_dcu"
                };
                self.error(
                    "invalid-dcu",
                    child_pointer(base, field),
                    format!("min_dcu {min} is larger than max_dcu {max}"),
                );
            }
            if let Some(e) = expected {
                if !(e >= min as f64 && e <= max as f64) {
                    self.error(
                        "invalid-dcu",
                        child_pointer(base, "expected_dcu"),
                        format!("expected_dcu {e} is outside min_dcu..max_dcu ({min}..{max})"),
                    );
                }
            }
        }
    }

    fn compute(&mut self) {
        let spec = self.spec;
        let c = &spec.compute;
        match c.mode {
            ComputeMode::Serverless if c.serverless.is_none() => {
                self.error_key(
                    "missing-field",
                    ptr(&["compute", "mode"]),
                    "`mode: serverless` needs a `serverless` block".into(),
                )
                .help = Some("for example `serverless: { max_dcu: 4 }`".into());
            }
            ComputeMode::Instances if c.instances.is_empty() => {
                self.error_key(
                    "missing-field",
                    ptr(&["compute", "mode"]),
                    "`mode: instances` needs at least one entry in `instances`".into(),
                )
                .help = Some("for example `instances: { main: { class: dms.t3.medium } }`".into());
            }
            _ => {}
        }
        if let Some(s) = &c.serverless {
            let base = ptr(&["compute", "serverless"]);
            self.dcu(
                &base,
                s.min_dcu,
                Some(s.max_dcu),
                s.min_dcu.unwrap_or(1),
                Some(s.max_dcu),
                s.expected_dcu,
            );
            if let Some(g) = &s.subnet_group {
                self.reference(
                    child_pointer(&base, "subnet_group"),
                    "subnet group",
                    g,
                    &spec.subnet_groups,
                );
            }
            self.security_groups(&base, &s.security_group_ids);
            if let Some(w) = &s.preferred_maintenance_window {
                self.window(child_pointer(&base, "preferred_maintenance_window"), w);
            }
        }
        for (name, inst) in &c.instances {
            let at = |f: &str| ptr(&["compute", "instances", name, f]);
            let class_ok = inst
                .class
                .strip_prefix("dms.")
                .and_then(|rest| rest.split_once('.'))
                .is_some_and(|(fam, size)| {
                    !fam.is_empty() && !size.is_empty() && !size.contains('.')
                });
            if !class_ok {
                self.error(
                    "invalid-class",
                    at("class"),
                    format!("`{}` is not an instance class", inst.class),
                )
                .help =
                    Some("classes look like `dms.<family>.<size>`, e.g. `dms.t3.medium`".into());
            } else if !KNOWN_INSTANCE_CLASSES.contains(&inst.class.as_str()) {
                let d = self.warning(
                    "unknown-class",
                    at("class"),
                    format!(
                        "`{}` is not a replication instance class dmsctl knows",
                        inst.class
                    ),
                );
                d.help = did_you_mean(&inst.class, KNOWN_INSTANCE_CLASSES.iter().copied())
                    .map(|m| format!("did you mean `{m}`?"));
            }
            if let Some(gb) = inst.storage_gb {
                if !(5..=6144).contains(&gb) {
                    self.error(
                        "invalid-storage",
                        at("storage_gb"),
                        format!("storage {gb} GB is outside 5–6144 GB"),
                    );
                }
            }
            if let Some(v) = &inst.engine_version {
                let parts: Vec<&str> = v.split('.').collect();
                if parts.len() < 2
                    || parts
                        .iter()
                        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
                {
                    self.error(
                        "invalid-value",
                        at("engine_version"),
                        format!("`{v}` is not a DMS engine version"),
                    )
                    .help = Some("versions look like `3.5.4`".into());
                }
            }
            if let Some(g) = &inst.subnet_group {
                self.reference(at("subnet_group"), "subnet group", g, &spec.subnet_groups);
            }
            self.security_groups(
                &ptr(&["compute", "instances", name]),
                &inst.security_group_ids,
            );
            if let Some(w) = &inst.preferred_maintenance_window {
                self.window(at("preferred_maintenance_window"), w);
            }
            self.tags(&inst.tags, &["compute", "instances", name, "tags"]);
        }
        for (repl, inst) in &c.placement {
            let at = ptr(&["compute", "placement", repl]);
            if !spec.replications.contains_key(repl) {
                let d = self.error_key(
                    "unresolved-reference",
                    at.clone(),
                    format!("placement names replication `{repl}`, which is not defined"),
                );
                d.help = did_you_mean(repl, spec.replications.keys().map(String::as_str))
                    .map(|m| format!("did you mean `{m}`?"));
            }
            self.reference(at, "instance", inst, &c.instances);
        }
        if c.instances.len() > 1 {
            for name in spec.replications.keys() {
                if !c.placement.contains_key(name) {
                    self.error_key(
                        "unplaced",
                        ptr(&["replications", name]),
                        format!("replication `{name}` is not placed on an instance"),
                    )
                    .help = Some(format!(
                        "with several instances, add `{name}: <instance>` to `compute.placement`"
                    ));
                }
            }
            for name in c.instances.keys() {
                if !c.placement.values().any(|v| v == name) {
                    self.warning_key(
                        "unused",
                        ptr(&["compute", "instances", name]),
                        format!("instance `{name}` runs no replication"),
                    );
                }
            }
        }
    }

    fn security_groups(&mut self, base: &str, ids: &[String]) {
        for (i, id) in ids.iter().enumerate() {
            if !is_aws_id(id, "sg-") {
                self.error(
                    "invalid-id",
                    child_pointer(&child_pointer(base, "security_group_ids"), &i.to_string()),
                    format!("`{id}` is not a security group id"),
                )
                .help = Some("security group ids look like `sg-0a1b2c3d`".into());
            }
        }
    }

    fn window(&mut self, pointer: String, w: &str) {
        let part_ok = |p: &str| {
            let b = p.as_bytes();
            b.len() == 9
                && ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                    .contains(&p[..3].to_ascii_lowercase().as_str())
                && b[3] == b':'
                && b[6] == b':'
                && p[4..6].parse::<u8>().is_ok_and(|h| h < 24)
                && p[7..9].parse::<u8>().is_ok_and(|m| m < 60)
        };
        let ok = w.is_ascii()
            && w.split_once('-')
                .is_some_and(|(a, b)| part_ok(a) && part_ok(b));
        if !ok {
            self.error(
                "invalid-value",
                pointer,
                format!("`{w}` is not a maintenance window"),
            )
            .help =
                Some("write `ddd:hh24:mi-ddd:hh24:mi` in UTC, e.g. `sun:03:00-sun:03:30`".into());
        }
    }

    /// Derived and explicit identifiers: valid for AWS, and unique per kind.
    fn identifiers(&mut self) {
        let spec = self.spec;
        let stack = spec.stack.as_str();
        let groups: Vec<(IdKind, &str, Vec<NamedId>)> = vec![
            (
                IdKind::Endpoint,
                "endpoints",
                spec.endpoints
                    .iter()
                    .map(|(n, e)| (n, e.id.as_ref()))
                    .collect(),
            ),
            (
                IdKind::Replication,
                "replications",
                spec.replications
                    .iter()
                    .map(|(n, r)| (n, r.id.as_ref()))
                    .collect(),
            ),
            (
                IdKind::Instance,
                "compute/instances",
                spec.compute
                    .instances
                    .iter()
                    .map(|(n, i)| (n, i.id.as_ref()))
                    .collect(),
            ),
            (
                IdKind::SubnetGroup,
                "subnet_groups",
                spec.subnet_groups
                    .iter()
                    .map(|(n, g)| (n, g.id.as_ref()))
                    .collect(),
            ),
        ];
        for (kind, section, entries) in groups {
            let mut seen: BTreeMap<String, &str> = BTreeMap::new();
            for (name, explicit) in entries {
                let base = format!("/{section}/{}", name.replace('~', "~0").replace('/', "~1"));
                let id = derived_id(stack, name, explicit.map(String::as_str));
                let (pointer, at_key) = match explicit {
                    Some(_) => (child_pointer(&base, "id"), false),
                    None => (base.clone(), true),
                };
                if let Err(why) = kind.validate(&id) {
                    let msg = format!("{} identifier `{id}` is invalid: {why}", kind.noun());
                    let d = if at_key {
                        self.error_key("invalid-identifier", pointer.clone(), msg)
                    } else {
                        self.error("invalid-identifier", pointer.clone(), msg)
                    };
                    if explicit.is_none() {
                        d.help = Some(format!(
                            "the identifier is `<stack>-<name>`; rename `{name}` or set `id:`"
                        ));
                    }
                } else if let Some(first) = seen.insert(id.clone(), name) {
                    let msg = format!("`{name}` and `{first}` both have the identifier `{id}`");
                    if at_key {
                        self.error_key("duplicate-identifier", pointer, msg);
                    } else {
                        self.error("duplicate-identifier", pointer, msg);
                    }
                }
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
