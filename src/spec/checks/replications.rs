//! Replications: their endpoints, rule sets, start times and task settings.

use super::*;

impl Checker<'_> {
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
