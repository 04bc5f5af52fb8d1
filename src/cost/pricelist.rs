//! Prices from the AWS Price List API: its product documents made into a [`Catalog`], and the
//! cache that keeps them between runs.
//!
//! `GetProducts` (<https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html>)
//! answers with `PriceList`, a list of JSON *strings*, each one product: `product.attributes`
//! (`regionCode`, `usagetype`, `instanceType`, …) and `terms.OnDemand.<offer>.priceDimensions.
//! <rate>.pricePerUnit.USD`, a decimal string. dmsctl asks for the service code
//! `AWSDatabaseMigrationSvc` filtered by `regionCode`, and recognises an item by its
//! `usagetype`, after an optional upper-case region prefix (`EUC1-`, `APS3-`; US East
//! (N. Virginia) has none):
//!
//! | item | `usagetype` |
//! | --- | --- |
//! | instance, single-AZ | `InstanceUsg:dms.<class>` |
//! | instance, Multi-AZ | `Multi-AZUsg:dms.<class>` |
//! | storage, single-AZ / Multi-AZ | `StorageUsage` / `Multi-AZ-StorageUsage` |
//! | serverless, single-AZ / Multi-AZ | contains `Serverless`, unit contains `DCU`; Multi-AZ when it contains `Multi-AZ` |
//!
//! The instance rows are the usage types seen in public price-list readers; the storage and
//! serverless rows could not be confirmed against the live API (docs/cost.md says so). An
//! item the answer does not have is left out of the catalog, never guessed: pricing a spec
//! that needs it then fails naming the item.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::catalog::{Catalog, PricePair, RegionPrices};
use super::CostError;

/// The Price List service code of DMS.
pub const SERVICE_CODE: &str = "AWSDatabaseMigrationSvc";
/// Where the prices come from, as reports name it.
pub const SOURCE: &str =
    "AWS Price List API (GetProducts, service code AWSDatabaseMigrationSvc, On-Demand terms)";
/// A cached region older than this is read again.
pub const CACHE_DAYS: i64 = 30;

/// What a product is for dmsctl.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Instance(String),
    Storage,
    Serverless,
}

/// One recognised On-Demand price.
#[derive(Debug, Clone, PartialEq)]
struct Found {
    item: Item,
    multi_az: bool,
    usd: f64,
}

/// `EUC1-InstanceUsg:dms.t3.medium` → `InstanceUsg:dms.t3.medium`; US East has no prefix.
fn without_region_prefix(usagetype: &str) -> &str {
    match usagetype.split_once('-') {
        Some((prefix, rest))
            if !prefix.is_empty()
                && !rest.is_empty()
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
        {
            rest
        }
        _ => usagetype,
    }
}

fn classify(usagetype: &str, unit: &str) -> Option<(Item, bool)> {
    let u = without_region_prefix(usagetype);
    if let Some(class) = u.strip_prefix("InstanceUsg:") {
        return Some((Item::Instance(class.to_string()), false));
    }
    if let Some(class) = u.strip_prefix("Multi-AZUsg:") {
        return Some((Item::Instance(class.to_string()), true));
    }
    match u {
        "StorageUsage" => return Some((Item::Storage, false)),
        "Multi-AZ-StorageUsage" => return Some((Item::Storage, true)),
        _ => {}
    }
    if u.to_ascii_lowercase().contains("serverless") && unit.to_ascii_uppercase().contains("DCU") {
        return Some((Item::Serverless, u.contains("Multi-AZ")));
    }
    None
}

/// The On-Demand USD price and unit of one product document; `None` when it has none.
fn on_demand(doc: &Value) -> Option<(f64, String)> {
    let terms = doc.get("terms")?.get("OnDemand")?.as_object()?;
    // One offer with one dimension is the rule for DMS; with tiers, the first tier (from 0).
    let mut dims: Vec<&Value> = terms
        .values()
        .filter_map(|offer| offer.get("priceDimensions")?.as_object())
        .flat_map(|d| d.values())
        .collect();
    dims.sort_by_key(|d| d.get("beginRange").and_then(Value::as_str) != Some("0"));
    let d = dims.first()?;
    let usd: f64 = d.get("pricePerUnit")?.get("USD")?.as_str()?.parse().ok()?;
    let unit = d
        .get("unit")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    usd.is_finite().then_some((usd, unit))
}

/// The prices of `region` in the answer's product documents (JSON strings). Products of
/// another region or without an On-Demand price are skipped; a document that is not JSON is
/// an error naming its position.
pub fn region_prices(docs: &[String], region: &str) -> Result<RegionPrices, CostError> {
    let mut found = Vec::new();
    for (i, text) in docs.iter().enumerate() {
        let doc: Value = serde_json::from_str(text).map_err(|e| {
            CostError::PriceList(format!("the Price List API's product {i} is not JSON: {e}"))
        })?;
        let attrs = doc.get("product").and_then(|p| p.get("attributes"));
        let attr = |k: &str| attrs.and_then(|a| a.get(k)).and_then(Value::as_str);
        if attr("regionCode").is_some_and(|r| r != region) {
            continue;
        }
        let (Some(usagetype), Some((usd, unit))) = (attr("usagetype"), on_demand(&doc)) else {
            continue;
        };
        if let Some((item, multi_az)) = classify(usagetype, &unit) {
            found.push(Found {
                item,
                multi_az,
                usd,
            });
        }
    }
    // Both deployments are needed for an item; one alone is left out.
    let mut pairs: BTreeMap<Item, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for f in found {
        let e = pairs.entry(f.item).or_default();
        let slot = if f.multi_az { &mut e.1 } else { &mut e.0 };
        slot.get_or_insert(f.usd);
    }
    let mut out = RegionPrices {
        source: None,
        serverless_dcu_hour: None,
        storage_gb_month: None,
        instances: BTreeMap::new(),
    };
    for (item, pair) in pairs {
        let (Some(single_az), Some(multi_az)) = pair else {
            continue;
        };
        let p = PricePair {
            single_az,
            multi_az,
        };
        match item {
            Item::Instance(class) => {
                out.instances.insert(class, p);
            }
            Item::Storage => out.storage_gb_month = Some(p),
            Item::Serverless => out.serverless_dcu_hour = Some(p),
        }
    }
    Ok(out)
}

/// A catalog of the regions read from the API on `date` (YYYY-MM-DD).
pub fn catalog(regions: BTreeMap<String, RegionPrices>, date: &str) -> Catalog {
    Catalog {
        currency: "USD".to_string(),
        as_of: date.to_string(),
        source: format!("{SOURCE}, read on {date}"),
        regions,
        origin: "the AWS Price List API".to_string(),
        builtin: false,
        price_list: true,
    }
}

/// The catalog as a `--prices` file, with a header saying when and from where it was made.
pub fn to_yaml(c: &Catalog) -> Result<String, CostError> {
    let body = serde_yaml::to_string(c)
        .map_err(|e| CostError::PriceList(format!("cannot write the catalog: {e}")))?;
    Ok(format!(
        "# dmsctl price catalog (the `dmsctl cost --prices FILE` format).\n\
         # Made by `dmsctl prices export` from the {SOURCE} on {date}.\n\
         # Regions: {regions}. An item the API did not list is left out.\n{body}",
        date = c.as_of,
        regions = c.regions.keys().cloned().collect::<Vec<_>>().join(", "),
    ))
}

/// The cache directory: `$DMSCTL_CACHE_DIR`, else `$XDG_CACHE_HOME/dmsctl`, else
/// `~/.cache/dmsctl`; `None` when none can be found.
pub fn cache_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("DMSCTL_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("dmsctl")))
        .or_else(|| env("HOME").map(|h| h.join(".cache").join("dmsctl")))
}

/// The cache file of one region.
pub fn cache_file(dir: &Path, region: &str) -> PathBuf {
    dir.join("prices").join(format!("aws-{region}.yaml"))
}

/// The cached catalog of `region`, when there is one younger than [`CACHE_DAYS`] on `today`.
/// A cache file that cannot be read is ignored (it is read again from the API).
pub fn cached(dir: &Path, region: &str, today: chrono::NaiveDate) -> Option<Catalog> {
    let path = cache_file(dir, region);
    let c = Catalog::from_file(&path).ok()?;
    let date = chrono::NaiveDate::parse_from_str(&c.as_of, "%Y-%m-%d").ok()?;
    let fresh = (today - date).num_days() < CACHE_DAYS && date <= today;
    (fresh && c.regions.contains_key(region)).then(|| Catalog {
        origin: format!("the AWS Price List API (cached in {})", path.display()),
        price_list: true,
        ..c
    })
}

/// Writes the catalog of one region to the cache (atomically: a temporary file renamed).
pub fn store(dir: &Path, region: &str, c: &Catalog) -> std::io::Result<PathBuf> {
    let path = cache_file(dir, region);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let text = to_yaml(c).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("yaml.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(region: &str, usagetype: &str, unit: &str, usd: &str) -> String {
        serde_json::json!({
            "product": {"productFamily": "Replication Server", "sku": "S",
                        "attributes": {"regionCode": region, "usagetype": usagetype,
                                       "servicecode": SERVICE_CODE}},
            "serviceCode": SERVICE_CODE,
            "terms": {"OnDemand": {"S.JRTCKXETXF": {"priceDimensions": {
                "S.JRTCKXETXF.6YS6EN2CT7": {"unit": unit, "beginRange": "0", "endRange": "Inf",
                                             "pricePerUnit": {"USD": usd}}}}}}
        })
        .to_string()
    }

    #[test]
    fn usage_types_with_and_without_a_region_prefix_are_recognised() {
        let docs = vec![
            product(
                "eu-central-1",
                "EUC1-InstanceUsg:dms.t3.medium",
                "Hrs",
                "0.0910000000",
            ),
            product(
                "eu-central-1",
                "EUC1-Multi-AZUsg:dms.t3.medium",
                "Hrs",
                "0.1820000000",
            ),
            product("eu-central-1", "EUC1-StorageUsage", "GB-Mo", "0.1190000000"),
            product(
                "eu-central-1",
                "EUC1-Multi-AZ-StorageUsage",
                "GB-Mo",
                "0.2380000000",
            ),
            product(
                "eu-central-1",
                "EUC1-Serverless-DCU-Hour",
                "DCU-Hr",
                "0.1200000000",
            ),
            product(
                "eu-central-1",
                "EUC1-Multi-AZ-Serverless-DCU-Hour",
                "DCU-Hr",
                "0.2400000000",
            ),
            // Another region, the free tier and a class with only one deployment: left out.
            product("us-east-1", "InstanceUsg:dms.t3.medium", "Hrs", "0.078"),
            product(
                "eu-central-1",
                "Global-InstanceUsg:dms.t2.micro",
                "Hrs",
                "0",
            ),
            product(
                "eu-central-1",
                "EUC1-InstanceUsg:dms.r5.large",
                "Hrs",
                "0.26",
            ),
        ];
        let r = region_prices(&docs, "eu-central-1").unwrap();
        assert_eq!(r.instances.len(), 1, "{:?}", r.instances);
        assert_eq!(
            r.instances["dms.t3.medium"],
            PricePair {
                single_az: 0.091,
                multi_az: 0.182
            }
        );
        assert_eq!(r.storage_gb_month.unwrap().multi_az, 0.238);
        assert_eq!(r.serverless_dcu_hour.unwrap().single_az, 0.12);
        let us = region_prices(&docs, "us-east-1").unwrap();
        assert!(us.instances.is_empty() && us.serverless_dcu_hour.is_none());
        assert_eq!(
            without_region_prefix("InstanceUsg:dms.t3.medium"),
            "InstanceUsg:dms.t3.medium"
        );
        assert_eq!(
            without_region_prefix("Multi-AZUsg:dms.c5.large"),
            "Multi-AZUsg:dms.c5.large"
        );
    }

    #[test]
    fn an_exported_catalog_reads_back_as_a_prices_file() {
        let docs = vec![
            product("eu-west-1", "EU-InstanceUsg:dms.c5.large", "Hrs", "0.175"),
            product("eu-west-1", "EU-Multi-AZUsg:dms.c5.large", "Hrs", "0.35"),
        ];
        let r = region_prices(&docs, "eu-west-1").unwrap();
        let c = catalog(BTreeMap::from([("eu-west-1".to_string(), r)]), "2026-12-01");
        let text = to_yaml(&c).unwrap();
        assert!(text.starts_with("# dmsctl price catalog"), "{text}");
        assert!(text.contains("on 2026-12-01"), "{text}");
        let back = Catalog::parse("export.yaml", &text).unwrap();
        assert_eq!(
            back.instance("eu-west-1", "dms.c5.large").unwrap().multi_az,
            0.35
        );
        let e = back.serverless("eu-west-1").unwrap_err().to_string();
        assert!(e.contains("DCU-hour") && e.contains("eu-west-1"), "{e}");
    }

    #[test]
    fn a_product_that_is_not_json_is_an_error_naming_it() {
        let e = region_prices(&["{".to_string()], "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("product 0"), "{e}");
    }
}
