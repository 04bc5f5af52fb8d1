//! Compute: serverless capacity, replication instances and placement, networks and windows.

use super::*;

impl Checker<'_> {
    pub(super) fn dcu(
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

    pub(super) fn compute(&mut self) {
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
            self.serverless(s);
        }
        for (name, inst) in &c.instances {
            self.instance(name, inst);
        }
        self.placement();
    }

    /// `compute.serverless`: capacity, network and maintenance window.
    fn serverless(&mut self, s: &Serverless) {
        let spec = self.spec;
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

    /// One entry of `compute.instances`.
    fn instance(&mut self, name: &str, inst: &Instance) {
        let spec = self.spec;
        let at = |f: &str| ptr(&["compute", "instances", name, f]);
        let class_ok = inst
            .class
            .strip_prefix("dms.")
            .and_then(|rest| rest.split_once('.'))
            .is_some_and(|(fam, size)| !fam.is_empty() && !size.is_empty() && !size.contains('.'));
        if !class_ok {
            self.error(
                "invalid-class",
                at("class"),
                format!("`{}` is not an instance class", inst.class),
            )
            .help = Some("classes look like `dms.<family>.<size>`, e.g. `dms.t3.medium`".into());
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

    /// `compute.placement`: it names replications and instances that exist, and with several
    /// instances every replication is placed and every instance used.
    fn placement(&mut self) {
        let spec = self.spec;
        let c = &spec.compute;
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

    pub(super) fn security_groups(&mut self, base: &str, ids: &[String]) {
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

    pub(super) fn window(&mut self, pointer: String, w: &str) {
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
}
