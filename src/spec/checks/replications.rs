//! Replications: their endpoints, rule sets, start times and task settings.

use super::*;

/// Where DMS Serverless's limits are written: no custom CDC start points, no views.
const SERVERLESS_LIMITS: &str =
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Serverless.Limitations.html";

impl Checker<'_> {
    /// `assessments`: for tasks an S3 bucket name as S3 allows it and an IAM role ARN; for
    /// serverless replications neither (DMS Serverless writes to a bucket it creates:
    /// `PremigrationAssessmentStatus.ResultLocationBucket`); never both `include` and `exclude`
    /// (DMS refuses the pair).
    pub(super) fn assessments(&mut self) {
        let Some(a) = &self.spec.assessments else {
            return;
        };
        let at = |f: &str| ptr(&["assessments", f]);
        if self.spec.compute.mode == ComputeMode::Serverless {
            for (field, set) in [
                ("bucket", a.bucket.is_some()),
                ("role_arn", a.role_arn.is_some()),
            ] {
                if set {
                    self.warning(
                        "ignored",
                        at(field),
                        format!(
                            "`{field}` is not used by serverless replications: DMS Serverless \
                             writes assessment results to an S3 bucket it creates"
                        ),
                    );
                }
            }
        } else {
            for (field, set) in [
                ("bucket", a.bucket.is_some()),
                ("role_arn", a.role_arn.is_some()),
            ] {
                if !set {
                    self.error_key(
                        "missing-field",
                        ptr(&["assessments"]),
                        format!(
                            "`assessments` needs `{field}` for tasks: DMS writes their results to \
                             that bucket with that role"
                        ),
                    );
                }
            }
        }
        if let Some(bucket) = &a.bucket {
            if !is_bucket_name(bucket) {
                self.error(
                    "invalid-value",
                    at("bucket"),
                    format!("`{bucket}` is not an S3 bucket name"),
                )
                .help = Some(
                    "3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a \
                     letter or digit (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)"
                        .into(),
                );
            }
        }
        if let Some(role) = &a.role_arn {
            self.arn(at("role_arn"), role, "iam");
        }
        if !a.include.is_empty() && !a.exclude.is_empty() {
            self.error(
                "invalid-value",
                at("exclude"),
                "`include` and `exclude` cannot both be set: DMS runs either only the included \
                 assessments or all but the excluded ones"
                    .into(),
            );
        }
    }

    /// `cdc_start_position` and `cdc_stop_position`: their forms, and that they go with tasks
    /// (the DMS API reference, `CreateReplicationTask`); in serverless mode, none of the CDC
    /// start settings (DMS Serverless does not support custom CDC start points).
    fn cdc_positions(&mut self, name: &str, r: &Replication) {
        let at = |f: &str| ptr(&["replications", name, f]);
        let serverless = self.spec.compute.mode == ComputeMode::Serverless;
        for (field, set) in [
            ("cdc_start_time", r.cdc_start_time.is_some()),
            ("cdc_start_position", r.cdc_start_position.is_some()),
            ("cdc_stop_position", r.cdc_stop_position.is_some()),
        ] {
            if set && serverless {
                self.error(
                    "unsupported",
                    at(field),
                    format!(
                        "`{field}` is not supported in serverless mode: DMS Serverless does not \
                         support setting custom CDC start or stop points"
                    ),
                )
                .help = Some(format!(
                    "run this replication as a task (`compute.mode: instances`), or remove \
                     `{field}`; see {SERVERLESS_LIMITS}"
                ));
            } else if set && !r.migration_type.has_cdc() && field != "cdc_start_time" {
                self.error(
                    "invalid-value",
                    at(field),
                    format!("`{field}` needs `type: cdc` or `full-load-and-cdc`"),
                );
            }
        }
        if r.cdc_start_time.is_some() && r.cdc_start_position.is_some() {
            self.error(
                "invalid-value",
                at("cdc_start_position"),
                "`cdc_start_position` and `cdc_start_time` cannot both be set: DMS takes one \
                 start point"
                    .into(),
            );
        }
        if let Some(p) = &r.cdc_start_position {
            if p.trim().is_empty() || p.chars().any(char::is_whitespace) || p.len() > 1024 {
                self.error(
                    "invalid-value",
                    at("cdc_start_position"),
                    format!("`{p}` is not a CDC position: one word without spaces"),
                )
                .help = Some(
                    "for example `mysql-bin-changelog.000024:373`, a PostgreSQL LSN such as \
                     `0/1C2F3A8`, or a checkpoint that `dmsctl stop` printed"
                        .into(),
                );
            }
        }
        if let Some(p) = &r.cdc_stop_position {
            if !is_stop_position(p) {
                self.error(
                    "invalid-value",
                    at("cdc_stop_position"),
                    format!("`{p}` is not a CDC stop position"),
                )
                .help = Some(
                    "write `server_time:2026-12-01T00:00:00` or `commit_time:2026-12-01T00:00:00` \
                     (the forms of the DMS API's CdcStopPosition)"
                        .into(),
                );
            }
        }
    }

    /// Views cannot be selected in serverless mode (DMS Serverless does not support views).
    pub(super) fn serverless_views(&mut self) {
        let spec = self.spec;
        if spec.compute.mode != ComputeMode::Serverless {
            return;
        }
        let used: std::collections::BTreeSet<&str> = spec
            .replications
            .values()
            .map(|r| r.rules.as_str())
            .collect();
        for (set, rules) in &spec.rules {
            if !used.contains(set.as_str()) {
                continue;
            }
            for (i, rule) in rules.iter().enumerate() {
                let index = i.to_string();
                let field = match rule {
                    Rule::Include(sel) | Rule::Explicit(sel)
                        if matches!(sel.table_type, Some(TableType::View | TableType::All)) =>
                    {
                        ptr(&["rules", set, &index, rule.kind(), "table_type"])
                    }
                    Rule::Raw(raw) if raw_selects_views(raw) => ptr(&["rules", set, &index, "raw"]),
                    _ => continue,
                };
                self.error(
                    "unsupported",
                    field,
                    "views cannot be replicated in serverless mode: DMS Serverless does not \
                     support views"
                        .into(),
                )
                .help = Some(format!(
                    "select tables only (`table_type: table`), or run the replications as tasks \
                     (`compute.mode: instances`); see {SERVERLESS_LIMITS}"
                ));
            }
        }
    }

    pub(super) fn replications(&mut self) {
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
            self.cdc_positions(name, r);
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

    pub(super) fn settings(&mut self, name: &str, settings: &serde_json::Map<String, Json>) {
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
}

/// `server_time:YYYY-MM-DDThh:mm:ss` or `commit_time:...` (CdcStopPosition in the DMS API
/// reference).
pub(super) fn is_stop_position(p: &str) -> bool {
    let Some((kind, time)) = p.split_once(':') else {
        return false;
    };
    matches!(kind, "server_time" | "commit_time")
        && chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%dT%H:%M:%S").is_ok()
}

/// Whether a raw DMS rule selects views: a `selection` rule including (or naming) objects of
/// `table-type` `view` or `all`.
fn raw_selects_views(raw: &serde_json::Map<String, serde_json::Value>) -> bool {
    fn str_of(v: Option<&serde_json::Value>) -> &str {
        v.and_then(|v| v.as_str()).unwrap_or("")
    }
    str_of(raw.get("rule-type")) == "selection"
        && matches!(str_of(raw.get("rule-action")), "include" | "explicit")
        && matches!(
            str_of(raw.get("object-locator").and_then(|o| o.get("table-type"))),
            "view" | "all"
        )
}

/// S3's general-purpose bucket naming rules.
fn is_bucket_name(b: &str) -> bool {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&b.len())
        && b.chars().all(ok_char)
        && edge(b.chars().next())
        && edge(b.chars().last())
        && !b.contains("..")
}
