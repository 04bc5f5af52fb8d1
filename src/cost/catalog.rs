//! The price catalog: dated DMS list prices per region, built in or read from `--prices FILE`.
//!
//! The built-in catalog is `prices/catalog.yaml`, compiled into the binary so pricing never
//! needs the network. A user's file has the same format and replaces it entirely: mixing two
//! sources of prices in one report would make its dates and sources meaningless.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::CostError;

/// The catalog shipped with dmsctl.
pub const BUILTIN_YAML: &str = include_str!("../../prices/catalog.yaml");

/// How the built-in catalog is named in messages and reports.
pub const BUILTIN_ORIGIN: &str = "the built-in price catalog";

/// A price catalog.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// ISO currency code all figures are in, e.g. `USD`.
    pub currency: String,
    /// The date the figures stand for.
    pub as_of: String,
    /// Where the figures come from (a region's own `source` takes precedence for its figures).
    pub source: String,
    /// Prices keyed by AWS region code.
    pub regions: BTreeMap<String, RegionPrices>,
    /// Where this catalog was read from: the built-in one or a file path. Used in messages.
    #[serde(skip)]
    pub origin: String,
    /// Whether this is the built-in catalog, whose figures dmsctl could not verify.
    #[serde(skip)]
    pub builtin: bool,
    /// Whether the figures were read from the AWS Price List API in this run or its cache.
    #[serde(skip)]
    pub price_list: bool,
}

/// The prices of one region.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPrices {
    /// Where this region's figures come from, when it differs from the catalog's `source`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// DMS Serverless, per DCU-hour; absent where the region has no price for it (a catalog
    /// exported from the Price List API leaves out what the API does not list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serverless_dcu_hour: Option<PricePair>,
    /// Replication instance storage, per GB-month; absent as above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_gb_month: Option<PricePair>,
    /// Replication instances, per hour, keyed by class (`dms.t3.medium`).
    pub instances: BTreeMap<String, PricePair>,
}

/// A price for a single-AZ and for a Multi-AZ deployment.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PricePair {
    pub single_az: f64,
    pub multi_az: f64,
}

impl PricePair {
    /// The price for a deployment that is (or is not) Multi-AZ.
    pub fn for_az(&self, multi_az: bool) -> f64 {
        if multi_az {
            self.multi_az
        } else {
            self.single_az
        }
    }
}

impl Catalog {
    /// The catalog compiled into the binary.
    pub fn builtin() -> Result<Catalog, CostError> {
        let mut c = Catalog::parse(BUILTIN_ORIGIN, BUILTIN_YAML)?;
        c.builtin = true;
        Ok(c)
    }

    /// Reads a user's catalog file.
    pub fn from_file(path: &Path) -> Result<Catalog, CostError> {
        let origin = path.display().to_string();
        let text = crate::input::read_text(path).map_err(|source| match source {
            crate::input::ReadError::NotUtf8 {
                line, col, byte, ..
            } => CostError::Parse {
                origin: origin.clone(),
                line,
                column: col,
                message: format!("not valid UTF-8 (byte 0x{byte:02x} here)"),
            },
            source => CostError::Read {
                path: origin.clone(),
                source,
            },
        })?;
        Catalog::parse(&origin, &text)
    }

    /// Parses catalog YAML; `origin` names it in errors (a file path or the built-in catalog).
    pub fn parse(origin: &str, text: &str) -> Result<Catalog, CostError> {
        // The spec's own parser enforces the input bounds (nesting, alias expansion) that
        // serde_yaml does not promise; it also reports a syntax error at its place.
        if let Err(e) = crate::spec::yaml::parse(text) {
            return Err(CostError::Parse {
                origin: origin.to_string(),
                line: e.span.start.line,
                column: e.span.start.col,
                message: e.message,
            });
        }
        let mut catalog: Catalog = serde_yaml::from_str(text).map_err(|e| match e.location() {
            Some(loc) => CostError::Parse {
                origin: origin.to_string(),
                line: loc.line(),
                column: loc.column(),
                message: strip_location(&e.to_string()),
            },
            None => CostError::Invalid {
                origin: origin.to_string(),
                message: e.to_string(),
            },
        })?;
        catalog.origin = origin.to_string();
        catalog.check()?;
        Ok(catalog)
    }

    /// Refuses figures that would silently produce a wrong bill: negative, NaN or infinite.
    fn check(&self) -> Result<(), CostError> {
        let invalid = |message: String| CostError::Invalid {
            origin: self.origin.clone(),
            message,
        };
        if self.regions.is_empty() {
            return Err(invalid(
                "`regions` is empty: it must price at least one region".into(),
            ));
        }
        for (region, r) in &self.regions {
            let mut pairs: Vec<(String, PricePair)> = [
                ("serverless_dcu_hour", r.serverless_dcu_hour),
                ("storage_gb_month", r.storage_gb_month),
            ]
            .into_iter()
            .filter_map(|(what, pair)| pair.map(|p| (what.to_string(), p)))
            .collect();
            pairs.extend(
                r.instances
                    .iter()
                    .map(|(c, p)| (format!("instances.{c}"), *p)),
            );
            for (what, pair) in pairs {
                for (az, v) in [("single_az", pair.single_az), ("multi_az", pair.multi_az)] {
                    if !v.is_finite() || v < 0.0 {
                        return Err(invalid(format!(
                            "regions.{region}.{what}.{az} is {v}: a price must be a number of 0 or more"
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// The prices of `region`, or an error naming the region and the catalog.
    pub fn region(&self, region: &str) -> Result<&RegionPrices, CostError> {
        self.regions
            .get(region)
            .ok_or_else(|| CostError::UnknownRegion {
                region: region.to_string(),
                origin: self.origin.clone(),
                known: self.regions.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }

    /// The hourly price of `class` in `region`, or an error naming the class, region and catalog.
    pub fn instance(&self, region: &str, class: &str) -> Result<PricePair, CostError> {
        let r = self.region(region)?;
        r.instances
            .get(class)
            .copied()
            .ok_or_else(|| CostError::UnknownClass {
                class: class.to_string(),
                region: region.to_string(),
                origin: self.origin.clone(),
                known: r.instances.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }

    /// The DCU-hour price of DMS Serverless in `region`.
    pub fn serverless(&self, region: &str) -> Result<PricePair, CostError> {
        self.region(region)?
            .serverless_dcu_hour
            .ok_or_else(|| self.missing("DMS Serverless DCU-hour price", region))
    }

    /// The GB-month price of replication instance storage in `region`.
    pub fn storage(&self, region: &str) -> Result<PricePair, CostError> {
        self.region(region)?
            .storage_gb_month
            .ok_or_else(|| self.missing("replication instance storage price", region))
    }

    fn missing(&self, what: &'static str, region: &str) -> CostError {
        CostError::MissingPrice {
            what,
            region: region.to_string(),
            origin: self.origin.clone(),
        }
    }

    /// Where the figures of `region` come from.
    pub fn source_for(&self, region: &str) -> &str {
        self.regions
            .get(region)
            .and_then(|r| r.source.as_deref())
            .unwrap_or(&self.source)
    }
}

/// serde_yaml appends " at line L column C" to its messages; the error already leads with the
/// location, so saying it twice only adds noise.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "\
currency: USD
as_of: 2026-11-01
source: \"AWS price list, read by hand\"
regions:
  us-east-1:
    serverless_dcu_hour: { single_az: 0.10, multi_az: 0.20 }
    storage_gb_month: { single_az: 0.115, multi_az: 0.23 }
    instances:
      dms.t3.medium: { single_az: 0.08, multi_az: 0.16 }
";

    #[test]
    fn the_issue_example_parses_with_its_date_as_text() {
        let c = Catalog::parse("p.yaml", SMALL).expect("valid catalog");
        assert_eq!(c.as_of, "2026-11-01");
        assert_eq!(c.currency, "USD");
        assert_eq!(c.source_for("us-east-1"), "AWS price list, read by hand");
        let p = c.instance("us-east-1", "dms.t3.medium").expect("priced");
        assert_eq!(p.for_az(false), 0.08);
        assert_eq!(p.for_az(true), 0.16);
        assert!(!c.builtin);
    }

    #[test]
    fn the_builtin_catalog_prices_the_promised_regions_and_classes() {
        let c = Catalog::builtin().expect("built-in catalog parses");
        assert!(c.builtin);
        assert!(c.source.contains("NOT verified"), "{}", c.source);
        for region in [
            "us-east-1",
            "us-west-2",
            "eu-west-1",
            "eu-central-1",
            "ap-northeast-1",
            "ap-southeast-1",
        ] {
            c.region(region).expect("region priced");
            let dcu = c.serverless(region).expect("serverless priced");
            assert!(dcu.single_az > 0.0);
            assert!(dcu.multi_az > dcu.single_az);
            let storage = c.storage(region).expect("storage priced");
            assert!(storage.multi_az > storage.single_az);
            assert!(c.source_for(region).contains("unverified"));
            let mut classes = vec![];
            for size in ["micro", "small", "medium", "large"] {
                classes.push(format!("dms.t3.{size}"));
            }
            for family in ["c5", "r5"] {
                for size in ["large", "xlarge", "2xlarge", "4xlarge"] {
                    classes.push(format!("dms.{family}.{size}"));
                }
            }
            for class in classes {
                let p = c.instance(region, &class).expect("class priced");
                assert!(
                    p.single_az > 0.0 && p.multi_az > p.single_az,
                    "{region} {class}"
                );
            }
        }
    }

    #[test]
    fn a_missing_region_names_region_and_catalog() {
        let c = Catalog::parse("p.yaml", SMALL).expect("valid catalog");
        let e = c.region("eu-north-1").expect_err("not priced").to_string();
        assert!(e.contains("`eu-north-1`"), "{e}");
        assert!(e.contains("p.yaml"), "{e}");
        assert!(e.contains("us-east-1"), "{e}");
    }

    #[test]
    fn a_missing_class_names_class_region_and_catalog() {
        let c = Catalog::parse("p.yaml", SMALL).expect("valid catalog");
        let e = c
            .instance("us-east-1", "dms.r5.large")
            .expect_err("not priced")
            .to_string();
        assert!(e.contains("`dms.r5.large`"), "{e}");
        assert!(e.contains("`us-east-1`"), "{e}");
        assert!(e.contains("p.yaml"), "{e}");
        assert!(e.contains("dms.t3.medium"), "{e}");
    }

    #[test]
    fn malformed_yaml_reports_file_line_and_column() {
        let text = SMALL.replace("single_az: 0.08", "singel_az: 0.08");
        let e = Catalog::parse("p.yaml", &text).expect_err("typo");
        match &e {
            CostError::Parse {
                origin,
                line,
                column,
                message,
            } => {
                assert_eq!(origin, "p.yaml");
                assert_eq!(*line, 9);
                assert!(*column > 1);
                assert!(message.contains("singel_az"), "{message}");
            }
            other => panic!("expected a parse error, got {other:?}"),
        }
        assert!(e.to_string().starts_with("p.yaml:9:"), "{e}");
    }

    #[test]
    fn a_negative_price_is_refused() {
        let text = SMALL.replace("single_az: 0.10", "single_az: -0.10");
        let e = Catalog::parse("p.yaml", &text)
            .expect_err("negative")
            .to_string();
        assert!(
            e.contains("regions.us-east-1.serverless_dcu_hour.single_az"),
            "{e}"
        );
    }

    #[test]
    fn a_price_that_is_not_a_number_is_refused_with_its_location() {
        let text = SMALL.replace("multi_az: 0.16", "multi_az: cheap");
        let e = Catalog::parse("p.yaml", &text).expect_err("text price");
        assert!(matches!(e, CostError::Parse { line: 9, .. }), "{e:?}");
    }
}
