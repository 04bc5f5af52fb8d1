//! The cost model: a spec and a price catalog in, a [`CostReport`] of line items out.
//!
//! Serverless replications bill per DCU-hour at their average capacity; instances bill per
//! hour by class plus the storage beyond what the class includes. Amounts are rounded to cents
//! per line item and totals are sums of those cents, so every report adds up as printed.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use super::catalog::Catalog;
use super::CostError;
use crate::dms::ComputeMode;
use crate::model::{self, DEFAULT_STORAGE_GB};
use crate::spec::Spec;

/// An amount of money in cents. Cents, not floats, are summed, so a total always equals the
/// sum of the items shown with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(pub i64);

impl Money {
    /// `amount` in currency units, rounded to the nearest cent (half away from zero).
    pub fn from_amount(amount: f64) -> Money {
        Money((amount * 100.0).round() as i64)
    }

    /// The amount in currency units.
    pub fn amount(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.amount())
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

/// One billed resource: `quantity` × `unit_price` = `monthly`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineItem {
    pub resource: String,
    pub quantity: f64,
    pub unit: &'static str,
    pub unit_price: f64,
    pub monthly: Money,
    /// How the quantity came about (class, AZs, capacity and where it came from).
    pub detail: String,
}

impl LineItem {
    fn new(
        resource: String,
        quantity: f64,
        unit: &'static str,
        unit_price: f64,
        detail: String,
    ) -> Self {
        LineItem {
            resource,
            quantity,
            unit,
            unit_price,
            monthly: Money::from_amount(quantity * unit_price),
            detail,
        }
    }
}

/// The cost of running the spec's replications in one mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModeCost {
    pub mode: ComputeMode,
    pub monthly_total: Money,
    pub items: Vec<LineItem>,
    /// Whether the spec configures this mode; `false` when it was derived for a comparison.
    pub configured: bool,
    /// Whether this is the mode the spec deploys (`compute.mode`).
    pub deployed: bool,
}

/// Which mode is cheaper and by how much.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// `serverless`, `instances`, or `neither` when both cost the same.
    pub cheaper: &'static str,
    pub monthly_difference: Money,
    pub yearly_difference: Money,
}

/// A priced spec. Serialised as dmsctl's stable cost JSON: the first five fields are the
/// documented contract, the others are additions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostReport {
    pub currency: String,
    pub hours_per_month: f64,
    pub prices_as_of: String,
    pub modes: Vec<ModeCost>,
    pub assumptions: Vec<String>,
    pub stack: String,
    pub region: String,
    pub prices_source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
}

impl CostReport {
    /// The cost of `mode`, when the report prices it.
    pub fn mode(&self, mode: ComputeMode) -> Option<&ModeCost> {
        self.modes.iter().find(|m| m.mode == mode)
    }
}

/// What the command line adds to the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The region to price.
    pub region: String,
    /// Where the region came from, for the assumptions (`--region`, the spec).
    pub region_from: String,
    /// Hours billed per month.
    pub hours: f64,
    /// Average DCU per serverless replication, over the spec's figures.
    pub dcu: Option<f64>,
    /// The class of the one instance assumed when the spec configures no instances.
    pub instance_class: String,
    /// Price both modes.
    pub compare: bool,
}

/// The average DCU a derived serverless replication runs at when `--dcu` is not given.
pub const DEFAULT_DERIVED_DCU: f64 = 1.0;

/// The region to price: `--region`, else the spec's, else an error asking for one.
pub fn resolve_region(
    flag: Option<&str>,
    spec: &Spec,
    spec_name: &str,
) -> Result<(String, String), CostError> {
    match (flag, spec.region.as_deref()) {
        (Some(r), _) => Ok((r.to_string(), "--region".to_string())),
        (None, Some(r)) => Ok((r.to_string(), format!("the spec's `region` ({spec_name})"))),
        (None, None) => Err(CostError::NoRegion {
            spec: spec_name.to_string(),
        }),
    }
}

/// Storage a replication instance includes at no charge, in GB: AWS includes 50 GB with the
/// burstable t2/t3 classes and 100 GB with every other class.
pub fn included_storage_gb(class: &str) -> i64 {
    let family = class
        .strip_prefix("dms.")
        .unwrap_or(class)
        .split('.')
        .next()
        .unwrap_or("");
    if matches!(family, "t2" | "t3") {
        50
    } else {
        100
    }
}

/// Prices `spec` with `catalog`: its own mode, or both modes with `opts.compare`.
pub fn estimate(spec: &Spec, catalog: &Catalog, opts: &Options) -> Result<CostReport, CostError> {
    if !(opts.hours.is_finite() && opts.hours > 0.0) {
        return Err(CostError::BadArgument {
            flag: "--hours",
            value: opts.hours,
        });
    }
    if let Some(d) = opts.dcu {
        if !(d.is_finite() && d > 0.0) {
            return Err(CostError::BadArgument {
                flag: "--dcu",
                value: d,
            });
        }
    }
    let deployed = spec.compute.mode;
    let wanted = if opts.compare {
        vec![ComputeMode::Serverless, ComputeMode::Instances]
    } else {
        vec![deployed]
    };
    let mut notes = Vec::new();
    let mut modes = Vec::new();
    for mode in wanted {
        let mut m = match mode {
            ComputeMode::Serverless => serverless(spec, catalog, opts, &mut notes)?,
            ComputeMode::Instances => instances(spec, catalog, opts, &mut notes)?,
        };
        m.deployed = mode == deployed;
        modes.push(m);
    }
    let comparison = match (modes.first(), modes.get(1)) {
        (Some(a), Some(b)) => Some(compare(a, b)),
        _ => None,
    };
    let assumptions = assumptions(catalog, opts, notes);
    Ok(CostReport {
        currency: catalog.currency.clone(),
        hours_per_month: opts.hours,
        prices_as_of: catalog.as_of.clone(),
        modes,
        assumptions,
        stack: spec.stack.clone(),
        region: opts.region.clone(),
        prices_source: catalog.source_for(&opts.region).to_string(),
        comparison,
    })
}

fn compare(a: &ModeCost, b: &ModeCost) -> Comparison {
    let diff = Money((a.monthly_total.0 - b.monthly_total.0).abs());
    let cheaper = match a.monthly_total.cmp(&b.monthly_total) {
        std::cmp::Ordering::Less => a.mode.name(),
        std::cmp::Ordering::Greater => b.mode.name(),
        std::cmp::Ordering::Equal => "neither",
    };
    Comparison {
        cheaper,
        monthly_difference: diff,
        yearly_difference: Money(diff.0 * 12),
    }
}

/// Where a replication's average DCU comes from; the report says it for every replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum DcuSource {
    Flag,
    ExpectedDcu,
    MinDcu,
    DerivedDefault,
}

impl DcuSource {
    fn describe(self) -> &'static str {
        match self {
            DcuSource::Flag => "from --dcu",
            DcuSource::ExpectedDcu => "the spec's expected_dcu",
            DcuSource::MinDcu => {
                "the spec's min_dcu, since DMS scales down to it when idle (set expected_dcu or \
                 --dcu for a busier replication)"
            }
            DcuSource::DerivedDefault => {
                "the default for a derived replication (change it with --dcu)"
            }
        }
    }

    fn short(self) -> &'static str {
        match self {
            DcuSource::Flag => "--dcu",
            DcuSource::ExpectedDcu => "expected_dcu",
            DcuSource::MinDcu => "min_dcu",
            DcuSource::DerivedDefault => "default",
        }
    }
}

fn az(multi_az: bool) -> &'static str {
    if multi_az {
        "Multi-AZ"
    } else {
        "single-AZ"
    }
}

fn serverless(
    spec: &Spec,
    catalog: &Catalog,
    opts: &Options,
    notes: &mut Vec<String>,
) -> Result<ModeCost, CostError> {
    let prices = catalog.serverless(&opts.region)?;
    let configured = spec.compute.serverless.is_some();
    // Group replications by (DCU, source, AZ) so a large spec gets a few assumption lines.
    let mut groups: BTreeMap<(u64, DcuSource, bool), Vec<&str>> = BTreeMap::new();
    let mut items = Vec::with_capacity(spec.replications.len());
    for name in spec.replications.keys() {
        let cap = configured.then(|| model::capacity(spec, name)).flatten();
        let (dcu, source, multi_az) = match (cap, opts.dcu) {
            (Some(c), Some(d)) => (d, DcuSource::Flag, c.multi_az),
            (Some(c), None) if expected_dcu_set(spec, name) => {
                (c.expected_dcu, DcuSource::ExpectedDcu, c.multi_az)
            }
            (Some(c), None) => (c.expected_dcu, DcuSource::MinDcu, c.multi_az),
            // Derived: the issue fixes single-AZ so the comparison never assumes a standby
            // the spec did not ask for.
            (None, Some(d)) => (d, DcuSource::Flag, false),
            (None, None) => (DEFAULT_DERIVED_DCU, DcuSource::DerivedDefault, false),
        };
        groups
            .entry((dcu.to_bits(), source, multi_az))
            .or_default()
            .push(name);
        items.push(LineItem::new(
            format!("replication {name}"),
            dcu * opts.hours,
            "DCU-hour",
            prices.for_az(multi_az),
            format!(
                "{} DCU average ({}), {}",
                num(dcu),
                source.short(),
                az(multi_az)
            ),
        ));
    }
    if !configured {
        notes.push(
            "Serverless is derived (the spec configures no serverless capacity): each replication \
             as its own single-AZ serverless replication."
                .to_string(),
        );
    }
    for ((bits, source, multi_az), names) in groups {
        notes.push(format!(
            "Serverless average capacity: {} at {} DCU each, {}, {}.",
            name_list(&names, "replication"),
            num(f64::from_bits(bits)),
            source.describe(),
            az(multi_az),
        ));
    }
    Ok(mode_cost(ComputeMode::Serverless, items, configured))
}

/// Whether the spec itself (the replication or `compute.serverless`) sets `expected_dcu`.
fn expected_dcu_set(spec: &Spec, replication: &str) -> bool {
    let own = spec
        .replications
        .get(replication)
        .and_then(|r| r.serverless.as_ref())
        .and_then(|o| o.expected_dcu);
    let base = spec
        .compute
        .serverless
        .as_ref()
        .and_then(|s| s.expected_dcu);
    own.or(base).is_some()
}

/// One replication instance to price.
struct Priced<'a> {
    name: &'a str,
    class: &'a str,
    storage_gb: i64,
    multi_az: bool,
    runs: Vec<&'a str>,
}

fn instances(
    spec: &Spec,
    catalog: &Catalog,
    opts: &Options,
    notes: &mut Vec<String>,
) -> Result<ModeCost, CostError> {
    let storage_price = catalog.storage(&opts.region)?;
    let configured = !spec.compute.instances.is_empty();
    let all: Vec<&str> = spec.replications.keys().map(String::as_str).collect();
    let placement = model::placement(spec);
    let wanted: Vec<Priced> = if configured {
        spec.compute
            .instances
            .iter()
            .map(|(name, i)| Priced {
                name,
                class: &i.class,
                storage_gb: i.storage_gb.unwrap_or(DEFAULT_STORAGE_GB),
                multi_az: i.multi_az,
                runs: placement
                    .iter()
                    .filter(|(_, inst)| *inst == name)
                    .map(|(r, _)| r.as_str())
                    .collect(),
            })
            .collect()
    } else {
        notes.push(format!(
            "Instances are derived (the spec configures no replication instance): {} on one \
             single-AZ {} (--instance-class) with {DEFAULT_STORAGE_GB} GB of storage.",
            all_replications(all.len()),
            opts.instance_class,
        ));
        vec![Priced {
            name: "shared",
            class: &opts.instance_class,
            storage_gb: DEFAULT_STORAGE_GB,
            multi_az: false,
            runs: all,
        }]
    };
    let mut items = Vec::with_capacity(wanted.len() * 2);
    for p in wanted {
        let hourly = catalog.instance(&opts.region, p.class)?.for_az(p.multi_az);
        let runs = if p.runs.is_empty() {
            "runs no replication".to_string()
        } else {
            format!("runs {}", name_list(&p.runs, "replication"))
        };
        items.push(LineItem::new(
            format!("instance {}", p.name),
            opts.hours,
            "hour",
            hourly,
            format!("{}, {}, {runs}", p.class, az(p.multi_az)),
        ));
        let included = included_storage_gb(p.class);
        let billed = (p.storage_gb - included).max(0);
        items.push(LineItem::new(
            format!("instance {} storage", p.name),
            billed as f64,
            "GB-month",
            storage_price.for_az(p.multi_az),
            format!(
                "{} GB allocated, {included} GB included with {}, {}",
                p.storage_gb,
                p.class,
                az(p.multi_az)
            ),
        ));
    }
    Ok(mode_cost(ComputeMode::Instances, items, configured))
}

fn mode_cost(mode: ComputeMode, items: Vec<LineItem>, configured: bool) -> ModeCost {
    ModeCost {
        mode,
        monthly_total: items.iter().map(|i| i.monthly).sum(),
        items,
        configured,
        deployed: false,
    }
}

fn assumptions(catalog: &Catalog, opts: &Options, notes: Vec<String>) -> Vec<String> {
    let mut out = vec![
        format!(
            "{} hours a month (change with --hours); every resource runs all of them.",
            num(opts.hours)
        ),
        format!("Region {}, from {}.", opts.region, opts.region_from),
        format!(
            "Prices in {} as of {}, from {}: {}.",
            catalog.currency,
            catalog.as_of,
            catalog.origin,
            catalog.source_for(&opts.region).trim_end_matches('.'),
        ),
    ];
    out.push(if catalog.price_list {
        "Prices are the AWS Price List API's On-Demand list prices, read on the date above and \
         cached for 30 days (--refresh reads them again); Savings Plans, Reserved Instances and \
         private pricing are not applied."
            .to_string()
    } else if catalog.builtin {
        "The built-in prices are unverified: dmsctl could not confirm them against AWS's published \
         price list when they were written. Check them at https://aws.amazon.com/dms/pricing/, \
         price with the AWS Price List API (--prices aws) or pass your own catalog with \
         --prices FILE."
            .to_string()
    } else {
        "Prices are used as the catalog gives them: dmsctl does not check them against AWS's \
         price list."
            .to_string()
    });
    out.extend(notes);
    out.push(
        "Serverless: average DCU × hours × the DCU-hour price (the Multi-AZ price for a Multi-AZ \
         replication)."
            .to_string(),
    );
    out.push(format!(
        "Instances: hours × the class's hourly price (single-AZ or Multi-AZ), plus storage beyond \
         the included allowance (50 GB with t2/t3 classes, 100 GB with the others) × the \
         GB-month storage price (Multi-AZ storage price for a Multi-AZ instance); allocated \
         storage defaults to {DEFAULT_STORAGE_GB} GB."
    ));
    out.push(
        "Not included: data transfer, CloudWatch Logs, the source and target databases, \
         serverless capacity still billed for up to 48 hours after a replication stops, \
         taxes, discounts and the free tier."
            .to_string(),
    );
    out
}

/// A number as people write it: no trailing zeros, at most four decimals.
pub fn num(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "both replications", "all 5 replications": what one derived instance runs.
fn all_replications(n: usize) -> String {
    match n {
        0 => "no replication".to_string(),
        1 => "the one replication".to_string(),
        2 => "both replications".to_string(),
        n => format!("all {n} replications"),
    }
}

/// Names for a sentence; a long list is cut so a 1000-replication report stays readable.
fn name_list(names: &[&str], noun: &str) -> String {
    const SHOWN: usize = 5;
    let n = names.len();
    if n <= SHOWN {
        format!("{} ({})", count(n, noun), names.join(", "))
    } else {
        format!(
            "{} ({} and {} more)",
            count(n, noun),
            names[..SHOWN].join(", "),
            n - SHOWN
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec;

    const PRICES: &str = "\
currency: USD
as_of: 2026-11-01
source: test prices
regions:
  eu-central-1:
    serverless_dcu_hour: { single_az: 0.10, multi_az: 0.20 }
    storage_gb_month: { single_az: 0.10, multi_az: 0.20 }
    instances:
      dms.t3.medium: { single_az: 0.08, multi_az: 0.16 }
      dms.t2.large: { single_az: 0.15, multi_az: 0.30 }
      dms.c5.large: { single_az: 0.15, multi_az: 0.30 }
      dms.r5.xlarge: { single_az: 0.40, multi_az: 0.80 }
";

    fn catalog() -> Catalog {
        Catalog::parse("prices.yaml", PRICES).expect("test catalog")
    }

    /// A valid spec with two replications and the given `compute` block.
    fn spec_with(compute: &str) -> Spec {
        let text = format!(
            "version: 1
stack: t
region: eu-central-1
endpoints:
  src: {{ role: source, engine: mysql, host: a, username: u, password: {{ env: PW }} }}
  dst: {{ role: target, engine: mysql, host: b, username: u, password: {{ env: PW }} }}
rules:
  all: [ {{ include: {{ schema: s }} }} ]
replications:
  a: {{ source: src, target: dst, type: cdc, rules: all }}
  b: {{ source: src, target: dst, type: cdc, rules: all }}
compute:
{compute}"
        );
        let checked = spec::check_text("t.yaml", &text, &|_| true);
        match checked.valid_spec(false) {
            Some(s) => s.clone(),
            None => panic!("test spec is invalid: {:#?}", checked.diagnostics),
        }
    }

    fn opts() -> Options {
        Options {
            region: "eu-central-1".into(),
            region_from: "test".into(),
            hours: 730.0,
            dcu: None,
            instance_class: "dms.t3.medium".into(),
            compare: false,
        }
    }

    fn run(spec: &Spec, o: &Options) -> CostReport {
        estimate(spec, &catalog(), o).expect("priced")
    }

    fn item<'a>(r: &'a CostReport, mode: ComputeMode, resource: &str) -> &'a LineItem {
        let m = r.mode(mode).expect("mode priced");
        match m.items.iter().find(|i| i.resource == resource) {
            Some(i) => i,
            None => panic!("no item {resource} in {:#?}", m.items),
        }
    }

    const SERVERLESS: &str = "  mode: serverless\n  serverless: { min_dcu: 2, max_dcu: 8 }\n";

    #[test]
    fn serverless_bills_min_dcu_times_hours_times_price_by_default() {
        let r = run(&spec_with(SERVERLESS), &opts());
        let a = item(&r, ComputeMode::Serverless, "replication a");
        assert_eq!(a.quantity, 2.0 * 730.0);
        assert_eq!(a.unit, "DCU-hour");
        assert_eq!(a.unit_price, 0.10);
        assert_eq!(a.monthly, Money(14600));
        assert_eq!(r.modes.len(), 1);
        assert_eq!(r.modes[0].monthly_total, Money(29200));
        assert!(
            r.assumptions.iter().any(|s| s.contains("min_dcu")),
            "{:#?}",
            r.assumptions
        );
    }

    #[test]
    fn expected_dcu_overrides_min_dcu() {
        let s = spec_with(
            "  mode: serverless\n  serverless: { min_dcu: 1, max_dcu: 8, expected_dcu: 2.5 }\n",
        );
        let r = run(&s, &opts());
        assert_eq!(
            item(&r, ComputeMode::Serverless, "replication a").quantity,
            2.5 * 730.0
        );
        assert!(r.assumptions.iter().any(|s| s.contains("expected_dcu")));
    }

    #[test]
    fn a_replications_own_expected_dcu_wins() {
        let mut s = spec_with(SERVERLESS);
        let over = crate::spec::types::ServerlessOverride {
            min_dcu: None,
            max_dcu: None,
            expected_dcu: Some(4.0),
            multi_az: None,
        };
        s.replications.get_mut("b").expect("b").serverless = Some(over);
        let r = run(&s, &opts());
        assert_eq!(
            item(&r, ComputeMode::Serverless, "replication a").quantity,
            2.0 * 730.0
        );
        assert_eq!(
            item(&r, ComputeMode::Serverless, "replication b").quantity,
            4.0 * 730.0
        );
    }

    #[test]
    fn dcu_flag_overrides_the_spec() {
        let s = spec_with(
            "  mode: serverless\n  serverless: { min_dcu: 1, max_dcu: 8, expected_dcu: 3 }\n",
        );
        let r = run(
            &s,
            &Options {
                dcu: Some(1.5),
                ..opts()
            },
        );
        let a = item(&r, ComputeMode::Serverless, "replication a");
        assert_eq!(a.quantity, 1.5 * 730.0);
        assert_eq!(a.monthly, Money::from_amount(1.5 * 730.0 * 0.10));
        assert!(r.assumptions.iter().any(|s| s.contains("from --dcu")));
    }

    #[test]
    fn multi_az_serverless_uses_the_multi_az_price() {
        let s = spec_with("  mode: serverless\n  serverless: { max_dcu: 4, multi_az: true }\n");
        let r = run(&s, &opts());
        let a = item(&r, ComputeMode::Serverless, "replication a");
        assert_eq!(a.unit_price, 0.20);
        assert_eq!(a.monthly, Money(14600));
    }

    #[test]
    fn hours_scale_every_hourly_item() {
        let r = run(
            &spec_with(SERVERLESS),
            &Options {
                hours: 100.0,
                ..opts()
            },
        );
        assert_eq!(
            item(&r, ComputeMode::Serverless, "replication a").monthly,
            Money(2000)
        );
        assert_eq!(r.hours_per_month, 100.0);
    }

    fn one_instance(class: &str, storage: i64, multi_az: bool) -> Spec {
        spec_with(&format!(
            "  mode: instances\n  instances:\n    main: {{ class: {class}, storage_gb: {storage}, multi_az: {multi_az} }}\n"
        ))
    }

    #[test]
    fn t3_includes_50_gb_of_storage() {
        let r = run(&one_instance("dms.t3.medium", 80, false), &opts());
        let i = item(&r, ComputeMode::Instances, "instance main");
        assert_eq!((i.quantity, i.unit, i.unit_price), (730.0, "hour", 0.08));
        assert_eq!(i.monthly, Money(5840));
        let st = item(&r, ComputeMode::Instances, "instance main storage");
        assert_eq!(
            (st.quantity, st.unit_price, st.monthly),
            (30.0, 0.10, Money(300))
        );
        assert_eq!(r.modes[0].monthly_total, Money(6140));
    }

    #[test]
    fn t2_includes_50_gb_of_storage() {
        let r = run(&one_instance("dms.t2.large", 60, false), &opts());
        assert_eq!(
            item(&r, ComputeMode::Instances, "instance main storage").quantity,
            10.0
        );
    }

    #[test]
    fn c5_and_r5_include_100_gb_of_storage() {
        let r = run(&one_instance("dms.c5.large", 80, false), &opts());
        let st = item(&r, ComputeMode::Instances, "instance main storage");
        assert_eq!((st.quantity, st.monthly), (0.0, Money(0)));
        let r = run(&one_instance("dms.r5.xlarge", 150, false), &opts());
        assert_eq!(
            item(&r, ComputeMode::Instances, "instance main storage").quantity,
            50.0
        );
        assert_eq!(
            item(&r, ComputeMode::Instances, "instance main").monthly,
            Money(29200)
        );
    }

    #[test]
    fn allowance_rule_by_class_family() {
        assert_eq!(included_storage_gb("dms.t2.micro"), 50);
        assert_eq!(included_storage_gb("dms.t3.large"), 50);
        assert_eq!(included_storage_gb("dms.c5.4xlarge"), 100);
        assert_eq!(included_storage_gb("dms.r5.large"), 100);
        assert_eq!(included_storage_gb("dms.r6i.large"), 100);
    }

    #[test]
    fn multi_az_instances_use_multi_az_hour_and_storage_prices() {
        let r = run(&one_instance("dms.t3.medium", 70, true), &opts());
        let i = item(&r, ComputeMode::Instances, "instance main");
        assert_eq!((i.unit_price, i.monthly), (0.16, Money(11680)));
        let st = item(&r, ComputeMode::Instances, "instance main storage");
        assert_eq!(
            (st.quantity, st.unit_price, st.monthly),
            (20.0, 0.20, Money(400))
        );
    }

    #[test]
    fn storage_defaults_to_50_gb() {
        let s = spec_with("  mode: instances\n  instances:\n    main: { class: dms.c5.large }\n");
        let r = run(&s, &opts());
        assert!(item(&r, ComputeMode::Instances, "instance main storage")
            .detail
            .starts_with("50 GB allocated, 100 GB included"));
    }

    #[test]
    fn compare_derives_instances_for_a_serverless_spec() {
        let r = run(
            &spec_with(SERVERLESS),
            &Options {
                compare: true,
                ..opts()
            },
        );
        let inst = r.mode(ComputeMode::Instances).expect("instances");
        assert!(!inst.configured && !inst.deployed);
        let i = item(&r, ComputeMode::Instances, "instance shared");
        assert_eq!((i.unit_price, i.monthly), (0.08, Money(5840)));
        assert!(
            i.detail.contains("runs 2 replications (a, b)"),
            "{}",
            i.detail
        );
        assert_eq!(
            item(&r, ComputeMode::Instances, "instance shared storage").quantity,
            0.0
        );
        let c = r.comparison.as_ref().expect("comparison");
        assert_eq!(c.cheaper, "instances");
        assert_eq!(c.monthly_difference, Money(29200 - 5840));
        assert_eq!(c.yearly_difference, Money((29200 - 5840) * 12));
        assert!(r
            .assumptions
            .iter()
            .any(|s| s.starts_with("Instances are derived")));
    }

    #[test]
    fn compare_derives_instances_with_the_chosen_class() {
        let o = Options {
            compare: true,
            instance_class: "dms.c5.large".into(),
            ..opts()
        };
        let r = run(&spec_with(SERVERLESS), &o);
        assert_eq!(
            item(&r, ComputeMode::Instances, "instance shared").unit_price,
            0.15
        );
    }

    #[test]
    fn compare_derives_serverless_at_one_dcu_single_az() {
        let s = spec_with(
            "  mode: instances\n  instances:\n    main: { class: dms.t3.medium, multi_az: true }\n",
        );
        let r = run(
            &s,
            &Options {
                compare: true,
                ..opts()
            },
        );
        let sl = r.mode(ComputeMode::Serverless).expect("serverless");
        assert!(!sl.configured);
        let a = item(&r, ComputeMode::Serverless, "replication a");
        assert_eq!((a.quantity, a.unit_price), (730.0, 0.10));
        let r = run(
            &s,
            &Options {
                compare: true,
                dcu: Some(2.0),
                ..opts()
            },
        );
        assert_eq!(
            item(&r, ComputeMode::Serverless, "replication a").quantity,
            1460.0
        );
    }

    #[test]
    fn compare_uses_the_specs_figures_when_both_modes_are_configured() {
        let s = spec_with(
            "  mode: instances\n  serverless: { min_dcu: 2, max_dcu: 4, multi_az: true }\n  instances:\n    main: { class: dms.c5.large }\n",
        );
        let r = run(
            &s,
            &Options {
                compare: true,
                ..opts()
            },
        );
        assert!(r.modes.iter().all(|m| m.configured));
        assert!(r.mode(ComputeMode::Instances).expect("instances").deployed);
        let a = item(&r, ComputeMode::Serverless, "replication a");
        assert_eq!((a.quantity, a.unit_price), (1460.0, 0.20));
        assert_eq!(
            item(&r, ComputeMode::Instances, "instance main").unit_price,
            0.15
        );
    }

    #[test]
    fn placement_is_shown_per_instance() {
        let s = spec_with(
            "  mode: instances\n  instances:\n    one: { class: dms.t3.medium }\n    two: { class: dms.c5.large }\n  placement: { a: one, b: two }\n",
        );
        let r = run(&s, &opts());
        assert!(item(&r, ComputeMode::Instances, "instance one")
            .detail
            .ends_with("runs 1 replication (a)"));
        assert!(item(&r, ComputeMode::Instances, "instance two")
            .detail
            .ends_with("runs 1 replication (b)"));
        assert_eq!(r.modes[0].monthly_total, Money(5840 + 10950));
    }

    #[test]
    fn totals_are_sums_of_rounded_items() {
        // 730 × 0.333 = 243.09; three-decimal prices make sub-cent amounts on every line.
        let prices = PRICES.replace(
            "single_az: 0.10, multi_az: 0.20 }\n    storage",
            "single_az: 0.333, multi_az: 0.666 }\n    storage",
        );
        let c = Catalog::parse("p.yaml", &prices).expect("catalog");
        let r = estimate(
            &spec_with(SERVERLESS),
            &c,
            &Options {
                dcu: Some(1.3333),
                ..opts()
            },
        )
        .expect("priced");
        let m = &r.modes[0];
        assert_eq!(m.monthly_total, m.items.iter().map(|i| i.monthly).sum());
        assert_eq!(
            m.items[0].monthly,
            Money::from_amount(1.3333 * 730.0 * 0.333)
        );
    }

    #[test]
    fn a_missing_class_is_an_error_not_a_zero() {
        let e = estimate(
            &one_instance("dms.r5.4xlarge", 50, false),
            &catalog(),
            &opts(),
        )
        .expect_err("class not priced")
        .to_string();
        assert!(
            e.contains("`dms.r5.4xlarge`") && e.contains("prices.yaml"),
            "{e}"
        );
        let o = Options {
            compare: true,
            instance_class: "dms.x9.huge".into(),
            ..opts()
        };
        let e =
            estimate(&spec_with(SERVERLESS), &catalog(), &o).expect_err("derived class not priced");
        assert!(e.to_string().contains("`dms.x9.huge`"), "{e}");
    }

    #[test]
    fn a_missing_region_is_an_error_not_a_zero() {
        let o = Options {
            region: "sa-east-1".into(),
            ..opts()
        };
        let e = estimate(&spec_with(SERVERLESS), &catalog(), &o).expect_err("region not priced");
        assert!(
            matches!(&e, CostError::UnknownRegion { region, .. } if region == "sa-east-1"),
            "{e:?}"
        );
    }

    #[test]
    fn region_comes_from_the_flag_then_the_spec() {
        let mut s = spec_with(SERVERLESS);
        let (r, from) = resolve_region(Some("us-west-2"), &s, "t.yaml").expect("flag");
        assert_eq!((r.as_str(), from.as_str()), ("us-west-2", "--region"));
        let (r, _) = resolve_region(None, &s, "t.yaml").expect("spec");
        assert_eq!(r, "eu-central-1");
        s.region = None;
        let e = resolve_region(None, &s, "t.yaml")
            .expect_err("none")
            .to_string();
        assert!(e.contains("--region") && e.contains("t.yaml"), "{e}");
    }

    #[test]
    fn nonsense_hours_and_dcu_are_refused() {
        let s = spec_with(SERVERLESS);
        assert!(estimate(
            &s,
            &catalog(),
            &Options {
                hours: 0.0,
                ..opts()
            }
        )
        .is_err());
        assert!(estimate(
            &s,
            &catalog(),
            &Options {
                hours: f64::NAN,
                ..opts()
            }
        )
        .is_err());
        assert!(estimate(
            &s,
            &catalog(),
            &Options {
                dcu: Some(-1.0),
                ..opts()
            }
        )
        .is_err());
    }

    #[test]
    fn assumptions_state_hours_region_date_source_and_allowance() {
        let r = run(
            &spec_with(SERVERLESS),
            &Options {
                compare: true,
                ..opts()
            },
        );
        let all = r.assumptions.join("\n");
        for needle in [
            "730 hours",
            "Region eu-central-1",
            "as of 2026-11-01",
            "test prices",
            "50 GB with t2/t3",
            "100 GB with the others",
            "does not check them",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
        }
    }

    #[test]
    fn the_builtin_catalog_says_it_is_unverified_in_the_report() {
        let c = Catalog::builtin().expect("built-in");
        let r = estimate(&spec_with(SERVERLESS), &c, &opts()).expect("priced");
        assert!(
            r.assumptions.iter().any(|s| s.contains("unverified")),
            "{:#?}",
            r.assumptions
        );
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(num(730.0), "730");
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(0.115), "0.115");
        assert_eq!(
            name_list(&["a", "b", "c", "d", "e", "f", "g"], "replication"),
            "7 replications (a, b, c, d, e and 2 more)"
        );
    }
}
