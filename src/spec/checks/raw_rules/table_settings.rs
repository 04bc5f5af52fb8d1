//! `table-settings` rules: parallel load and LOB settings (also behind the friendly
//! `parallel_load` and `lob` rules).

use super::*;

impl Checker<'_> {
    pub(super) fn table_settings(
        &mut self,
        rp: &str,
        raw: &Map<String, Json>,
        locator: &Map<String, Json>,
    ) {
        self.locator_names(rp, locator, Some("a `table-settings` rule"));
        if !locator.is_empty() && !locator.contains_key("table-name") {
            self.error(
                "missing-field",
                child_pointer(rp, "object-locator"),
                "a `table-settings` rule's `object-locator` needs `table-name`".into(),
            );
        }
        let mut sets = false;
        if let Some(p) = raw.get("parallel-load") {
            sets = true;
            let fields = Fields {
                base: child_pointer(rp, "parallel-load"),
                friendly: false,
            };
            match p.as_object() {
                Some(p) => self.parallel_load(&fields, p),
                None => {
                    self.error(
                        "invalid-value",
                        fields.base,
                        "`parallel-load` must be a mapping".into(),
                    );
                }
            }
        }
        if let Some(l) = raw.get("lob-settings") {
            sets = true;
            let fields = Fields {
                base: child_pointer(rp, "lob-settings"),
                friendly: false,
            };
            match l.as_object() {
                Some(l) => self.lob_settings(&fields, l),
                None => {
                    self.error(
                        "invalid-value",
                        fields.base,
                        "`lob-settings` must be a mapping".into(),
                    );
                }
            }
        }
        if !sets {
            self.warning(
                "no-effect",
                rp.to_string(),
                "this `table-settings` rule sets neither `parallel-load` nor `lob-settings`".into(),
            );
        }
    }

    /// A `parallel-load` object: raw, or rendered from a friendly `parallel_load` rule.
    pub(in crate::spec::checks) fn parallel_load(&mut self, f: &Fields, p: &Map<String, Json>) {
        let known = [
            "type",
            "partitions",
            "subpartitions",
            "columns",
            "boundaries",
            "number-of-partitions",
            "collection-count-from-metadata",
            "max-records-skip-per-page",
            "batch-size",
        ];
        if !f.friendly {
            self.unknown_fields(&f.base, p, &known, "`parallel-load`");
        }
        let Some(t) = p.get("type") else {
            self.error(
                "missing-field",
                f.base.clone(),
                "`parallel-load` needs `type`".into(),
            )
            .help = Some(format!("types: {}", one_of(PARALLEL_LOAD_TYPES)));
            return;
        };
        let Some(t) = self.choice(f.at("type"), t, PARALLEL_LOAD_TYPES, "parallel-load type")
        else {
            return;
        };
        self.fields_of_other_types(f, p, t, &known[1..]);
        let list = |k: &str| p.get(k).and_then(Json::as_array).filter(|l| !l.is_empty());
        if t == "partitions-list" && list("partitions").is_none() && list("subpartitions").is_none()
        {
            self.error(
                "missing-field",
                f.base.clone(),
                format!(
                    "`partitions-list` needs `{}` or `{}`",
                    f.name("partitions"),
                    f.name("subpartitions")
                ),
            );
        }
        if t == "ranges" {
            self.ranges(f, p);
        }
        self.auto_partition_numbers(f, p);
    }

    /// Fields of another parallel-load type than `t`.
    fn fields_of_other_types(
        &mut self,
        f: &Fields,
        p: &Map<String, Json>,
        t: &str,
        fields: &[&str],
    ) {
        // Which fields each type reads; the others are an error (a friendly rule) or do
        // nothing (a raw one, which DMS takes as written).
        let reads: &[&str] = match t {
            "partitions-list" => &["partitions", "subpartitions"],
            "ranges" => &["columns", "boundaries"],
            "partitions-auto" => &[
                "number-of-partitions",
                "collection-count-from-metadata",
                "max-records-skip-per-page",
                "batch-size",
            ],
            _ => &[],
        };
        for key in fields
            .iter()
            .filter(|k| p.contains_key(**k) && !reads.contains(k))
        {
            let message = format!(
                "`{}` applies to another parallel-load type than `{t}`",
                f.name(key)
            );
            if f.friendly {
                self.error("invalid-value", f.at(key), message);
            } else {
                self.warning("ignored", f.at(key), message);
            }
        }
    }

    /// A `ranges` load: its columns and one boundary per segment.
    fn ranges(&mut self, f: &Fields, p: &Map<String, Json>) {
        let list = |k: &str| p.get(k).and_then(Json::as_array).filter(|l| !l.is_empty());
        let columns = list("columns").map_or(0, Vec::len);
        if columns == 0 {
            self.error(
                "missing-field",
                f.base.clone(),
                "`ranges` needs `columns`, the columns that bound the segments".into(),
            );
        } else if columns > 10 {
            self.error(
                "invalid-value",
                f.at("columns"),
                format!("`ranges` takes at most 10 columns, found {columns}"),
            );
        }
        match list("boundaries") {
            None => {
                self.error(
                    "missing-field",
                    f.base.clone(),
                    "`ranges` needs `boundaries`, one list of column values per segment".into(),
                );
            }
            Some(bounds) => {
                for (i, b) in bounds.iter().enumerate() {
                    let n = b.as_array().map(Vec::len);
                    if !n.is_some_and(|n| n >= 1 && n <= columns.max(1)) {
                        self.error(
                            "invalid-value",
                            child_pointer(&f.at("boundaries"), &i.to_string()),
                            format!(
                                "a boundary is a list of 1 to {} values, one per column",
                                columns.max(1)
                            ),
                        );
                    }
                }
            }
        }
    }

    /// The numbers of a `partitions-auto` load, wherever they are written.
    fn auto_partition_numbers(&mut self, f: &Fields, p: &Map<String, Json>) {
        for key in [
            "number-of-partitions",
            "max-records-skip-per-page",
            "batch-size",
        ] {
            if let Some(v) = p.get(key) {
                if !whole_in(v, 0..=i64::MAX) {
                    self.error(
                        "invalid-value",
                        f.at(key),
                        format!("`{}` must be a whole number, found `{v}`", f.name(key)),
                    );
                }
            }
        }
        if let Some(v) = p.get("collection-count-from-metadata") {
            let ok = v.is_boolean()
                || v.as_str().is_some_and(|s| {
                    s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
                });
            if !ok {
                self.error(
                    "invalid-value",
                    f.at("collection-count-from-metadata"),
                    format!("`collection-count-from-metadata` must be true or false, found `{v}`"),
                );
            }
        }
    }

    /// A `lob-settings` object: raw, or rendered from a friendly `lob` rule.
    pub(in crate::spec::checks) fn lob_settings(&mut self, f: &Fields, l: &Map<String, Json>) {
        if !f.friendly {
            self.unknown_fields(&f.base, l, &["mode", "bulk-max-size"], "`lob-settings`");
        }
        let mode = match l.get("mode") {
            Some(m) => self.choice(f.at("mode"), m, LOB_MODES, "LOB mode"),
            None => Some("limited"),
        };
        let size = l.get("bulk-max-size");
        if let Some(v) = size {
            if !whole_in(v, 0..=i64::MAX) {
                self.error(
                    "invalid-value",
                    f.at("bulk-max-size"),
                    format!(
                        "`{}` must be a size in KB, found `{v}`",
                        f.name("bulk-max-size")
                    ),
                );
            }
        }
        if mode == Some("limited") {
            let help = format!(
                "set `{}` (KB), or `mode: unlimited` to load every LOB in full",
                f.name("bulk-max-size")
            );
            match size.map(whole) {
                Some(Some(0)) => {
                    self.error(
                        "invalid-value",
                        f.at("bulk-max-size"),
                        "limited LOB mode needs a size above 0: LOBs are truncated to it".into(),
                    )
                    .help = Some(help);
                }
                None => {
                    self.warning(
                        "missing-field",
                        f.base.clone(),
                        format!(
                            "limited LOB mode without `{}`: the user guide says to set one",
                            f.name("bulk-max-size")
                        ),
                    )
                    .help = Some(help);
                }
                Some(_) => {}
            }
        }
    }
}
