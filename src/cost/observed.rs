//! What the other choice would have cost, from what the stack's resources actually used:
//! `dmsctl cost --compare --observed`.
//!
//! What DMS publishes, and what dmsctl reads of it:
//!
//! - **Serverless replications**: `DescribeReplications` → `ProvisionData.ProvisionedCapacityUnits`,
//!   "the number of capacity units the replication is using"
//!   (<https://docs.aws.amazon.com/dms/latest/APIReference/API_ProvisionData.html>). It is a
//!   reading of *now*: the DMS documentation names no CloudWatch metric of DCUs over time, nor
//!   the dimension its serverless metrics carry, so the report says that the figure is one
//!   reading and not the period's peak, rather than guess a metric. A DCU is 2 GB of memory
//!   (<https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Serverless.html>, "DMS capacity
//!   units"), which sizes the instance that would do the same work.
//! - **Replication instances**: the CloudWatch metrics `CPUUtilization` (percent) and
//!   `FreeableMemory` (bytes) in the `AWS/DMS` namespace with the dimension
//!   `ReplicationInstanceIdentifier`
//!   (<https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html>, "Replication
//!   instance metrics"), hourly over the period: memory in use is the class's memory less the
//!   freeable memory, on average and at its peak, which sizes the serverless capacity that
//!   would hold it.

use std::fmt::Write as _;

use serde::Serialize;

use super::catalog::Catalog;
use super::estimate::{included_storage_gb, Money};
use super::render::money;
use super::CostError;

/// The DCU values DMS Serverless provisions (CHAP_Serverless, "DMS capacity units").
pub const DCU_STEPS: [i64; 11] = [1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384];
/// Memory of one DCU, in GB.
pub const GB_PER_DCU: f64 = 2.0;
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Memory of a replication instance class, in GiB (the classes of
/// <https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.Types.html>,
/// whose memory is that of the EC2 size of the same name).
pub fn memory_gib(class: &str) -> Option<f64> {
    let c = class.strip_prefix("dms.").unwrap_or(class);
    let (family, size) = c.split_once('.')?;
    let base = match family {
        "t2" | "t3" => match size {
            "micro" => return Some(1.0),
            "small" => return Some(2.0),
            "medium" => return Some(4.0),
            "large" => return Some(8.0),
            _ => return None,
        },
        "c4" => 3.75,
        "c5" | "c6i" | "c7i" => 4.0,
        "r4" => 15.25,
        "r5" | "r6i" | "r7i" => 16.0,
        _ => return None,
    };
    let factor = match size {
        "large" => 1.0,
        "xlarge" => 2.0,
        "2xlarge" => 4.0,
        "4xlarge" => 8.0,
        "8xlarge" => 16.0,
        "9xlarge" => 18.0,
        "12xlarge" => 24.0,
        "16xlarge" => 32.0,
        "18xlarge" => 36.0,
        "24xlarge" => 48.0,
        _ => return None,
    };
    Some(base * factor)
}

/// The DCU step that holds `gb` of memory.
pub fn dcu_for(gb: f64) -> Option<i64> {
    DCU_STEPS
        .into_iter()
        .find(|d| *d as f64 * GB_PER_DCU >= gb - 1e-9)
}

/// A serverless replication as DMS reports it now.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerlessSeen {
    pub name: String,
    pub provisioned_dcu: Option<i64>,
    pub multi_az: bool,
}

/// A replication instance and what CloudWatch reports of it over the period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InstanceSeen {
    pub name: String,
    pub class: String,
    pub multi_az: bool,
    pub storage_gb: i64,
    pub tasks: usize,
    pub usage: InstanceUsage,
}

/// Hourly CloudWatch figures combined over the period; `None` where there were no points.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct InstanceUsage {
    pub cpu_average: Option<f64>,
    pub cpu_peak: Option<f64>,
    /// Bytes.
    pub freeable_memory_average: Option<f64>,
    /// Bytes: the lowest, i.e. memory at its busiest.
    pub freeable_memory_lowest: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerlessRow {
    pub name: String,
    pub dcu: Option<i64>,
    /// At `dcu` for the period's hours; `null` when DMS reports no capacity.
    pub serverless_cost: Option<f64>,
}

/// The stack's serverless replications as the same work on one instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerlessWhatIf {
    pub replications: Vec<ServerlessRow>,
    pub dcu_total: i64,
    pub memory_gb: f64,
    pub serverless_cost: f64,
    /// The smallest priced class with at least `memory_gb`; `null` when none is.
    pub instance_class: Option<String>,
    pub instance_cost: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceWhatIf {
    pub name: String,
    pub class: String,
    pub tasks: usize,
    #[serde(flatten)]
    pub usage: InstanceUsage,
    pub memory_gib: Option<f64>,
    pub memory_used_average_gb: Option<f64>,
    pub memory_used_peak_gb: Option<f64>,
    /// Serverless capacity for the average and the peak (each task its own replication).
    pub dcu_low: Option<i64>,
    pub dcu_high: Option<i64>,
    pub instance_cost: f64,
    pub serverless_cost_low: Option<f64>,
    pub serverless_cost_high: Option<f64>,
}

/// `cost --compare --observed`, format 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservedReport {
    pub format_version: u32,
    pub stack: String,
    pub region: String,
    pub start: String,
    pub end: String,
    pub hours: f64,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serverless: Option<ServerlessWhatIf>,
    pub instances: Vec<InstanceWhatIf>,
    pub notes: Vec<String>,
    pub prices_as_of: String,
    pub prices_source: String,
}

fn cents(amount: f64) -> f64 {
    Money::from_amount(amount).amount()
}

/// Prices what was seen both ways for `hours`.
#[allow(clippy::too_many_arguments)]
pub fn what_if(
    stack: &str,
    region: &str,
    (start, end): (&str, &str),
    hours: f64,
    serverless: &[ServerlessSeen],
    instances: &[InstanceSeen],
    catalog: &Catalog,
) -> Result<ObservedReport, CostError> {
    let mut notes = Vec::new();
    let serverless = if serverless.is_empty() {
        None
    } else {
        let dcu_price = catalog.serverless(region)?;
        let mut rows = Vec::new();
        let mut total_dcu = 0;
        let mut cost = Money(0);
        let mut multi_az = false;
        for s in serverless {
            multi_az |= s.multi_az;
            let c = s
                .provisioned_dcu
                .map(|d| Money::from_amount(d as f64 * hours * dcu_price.for_az(s.multi_az)));
            total_dcu += s.provisioned_dcu.unwrap_or(0);
            cost.0 += c.unwrap_or_default().0;
            rows.push(ServerlessRow {
                name: s.name.clone(),
                dcu: s.provisioned_dcu,
                serverless_cost: c.map(Money::amount),
            });
            if s.provisioned_dcu.is_none() {
                notes.push(format!(
                    "Replication {}: DMS reports no provisioned capacity (it is not running), so \
                     it is left out of both sides.",
                    s.name
                ));
            }
        }
        notes.push(
            "Serverless capacity is DMS's ProvisionData.ProvisionedCapacityUnits at the time of \
             the call: DMS documents no metric of DCUs over time, so it is one reading, not the \
             period's peak."
                .to_string(),
        );
        let memory_gb = total_dcu as f64 * GB_PER_DCU;
        let class = smallest_class(catalog, region, memory_gb);
        let instance_cost = match &class {
            Some(c) => Some(instance_cost(catalog, region, c, multi_az, 50, hours)?),
            None => {
                notes.push(format!(
                    "No priced instance class has {memory_gb} GB of memory: the instance side is unknown."
                ));
                None
            }
        };
        if total_dcu > 0 {
            notes.push(format!(
                "The same work on instances: one {} instance with at least {memory_gb} GB ({total_dcu} DCU × 2 GB) and 50 GB of storage, running every replication as a task.",
                if multi_az { "Multi-AZ" } else { "single-AZ" }
            ));
        }
        Some(ServerlessWhatIf {
            replications: rows,
            dcu_total: total_dcu,
            memory_gb,
            serverless_cost: cost.amount(),
            instance_class: class,
            instance_cost: instance_cost.map(cents),
        })
    };
    let mut out_instances = Vec::new();
    for i in instances {
        let cost = instance_cost(catalog, region, &i.class, i.multi_az, i.storage_gb, hours)?;
        let mem = memory_gib(&i.class);
        let used = |free: Option<f64>| -> Option<f64> {
            let gib = mem?;
            Some(((gib * GIB - free?) / GIB).max(0.0))
        };
        let avg = used(i.usage.freeable_memory_average);
        let peak = used(i.usage.freeable_memory_lowest);
        let tasks = i.tasks.max(1);
        let dcu = |gb: Option<f64>| -> Option<i64> {
            dcu_for(gb? / tasks as f64).map(|d| d * tasks as i64)
        };
        let (low, high) = (dcu(avg), dcu(peak));
        let dcu_price = if low.is_some() {
            Some(catalog.serverless(region)?.for_az(i.multi_az))
        } else {
            None
        };
        let priced = |d: Option<i64>| Some(cents(d? as f64 * hours * dcu_price?));
        if mem.is_none() {
            notes.push(format!(
                "Instance {}: dmsctl does not know the memory of class {}, so its serverless side is unknown.",
                i.name, i.class
            ));
        } else if i.usage.freeable_memory_lowest.is_none() {
            notes.push(format!(
                "Instance {}: CloudWatch has no FreeableMemory points for the period, so its serverless side is unknown.",
                i.name
            ));
        }
        out_instances.push(InstanceWhatIf {
            name: i.name.clone(),
            class: i.class.clone(),
            tasks: i.tasks,
            usage: i.usage,
            memory_gib: mem,
            memory_used_average_gb: avg.map(round2),
            memory_used_peak_gb: peak.map(round2),
            dcu_low: low,
            dcu_high: high,
            instance_cost: cents(cost),
            serverless_cost_low: priced(low),
            serverless_cost_high: priced(high),
        });
    }
    if !out_instances.is_empty() {
        notes.push(
            "Instances: memory in use is the class's memory less CloudWatch's FreeableMemory \
             (hourly average, and its lowest for the peak); as serverless, each task is its own \
             replication with an equal share, rounded up to a DCU step (1 DCU = 2 GB)."
                .to_string(),
        );
    }
    Ok(ObservedReport {
        format_version: 1,
        stack: stack.to_string(),
        region: region.to_string(),
        start: start.to_string(),
        end: end.to_string(),
        hours,
        currency: catalog.currency.clone(),
        serverless,
        instances: out_instances,
        notes,
        prices_as_of: catalog.as_of.clone(),
        prices_source: catalog.source_for(region).to_string(),
    })
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The smallest class the catalog prices in `region` with at least `gb` of memory.
fn smallest_class(catalog: &Catalog, region: &str, gb: f64) -> Option<String> {
    let prices = catalog.regions.get(region)?;
    prices
        .instances
        .iter()
        .filter_map(|(c, p)| Some((memory_gib(c)?, p.single_az, c)))
        .filter(|(m, _, _)| *m >= gb.max(1.0) - 1e-9)
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)))
        .map(|(_, _, c)| c.clone())
}

fn instance_cost(
    catalog: &Catalog,
    region: &str,
    class: &str,
    multi_az: bool,
    storage_gb: i64,
    hours: f64,
) -> Result<f64, CostError> {
    let hourly = catalog.instance(region, class)?.for_az(multi_az);
    let billed = (storage_gb - included_storage_gb(class)).max(0) as f64;
    let storage = if billed > 0.0 {
        // Storage is priced per GB-month of 730 hours.
        billed * catalog.storage(region)?.for_az(multi_az) * hours / 730.0
    } else {
        0.0
    };
    Ok(Money::from_amount(hourly * hours).amount() + Money::from_amount(storage).amount())
}

fn opt_money(x: Option<f64>) -> String {
    x.map_or_else(|| "unknown".to_string(), |a| money(Money::from_amount(a)))
}

fn opt_num(x: Option<f64>, unit: &str) -> String {
    x.map_or_else(|| "unknown".to_string(), |v| format!("{v:.1}{unit}"))
}

/// The report as text; `markdown` makes its tables Markdown.
pub fn text(r: &ObservedReport, markdown: bool) -> String {
    let mut o = String::new();
    let cur = &r.currency;
    let _ = writeln!(
        o,
        "{}What the other choice would have cost, from what `{}` used ({} to {}, {} hours, {})\n",
        if markdown { "### " } else { "" },
        r.stack,
        r.start,
        r.end,
        r.hours,
        r.region
    );
    let mut table = |head: Vec<String>, rows: Vec<Vec<String>>| {
        if markdown {
            let _ = writeln!(o, "| {} |", head.join(" | "));
            let _ = writeln!(o, "|{}", "---|".repeat(head.len()));
            for row in rows {
                let _ = writeln!(o, "| {} |", row.join(" | ").replace('\n', " "));
            }
            o.push('\n');
        } else {
            let mut t = comfy_table::Table::new();
            t.load_preset(comfy_table::presets::UTF8_FULL)
                .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
                .set_header(head);
            for row in rows {
                t.add_row(row);
            }
            let _ = writeln!(o, "{t}");
        }
    };
    if let Some(s) = &r.serverless {
        let mut rows: Vec<Vec<String>> = s
            .replications
            .iter()
            .map(|x| {
                vec![
                    format!("replication {}", x.name),
                    x.dcu.map_or("unknown".into(), |d| d.to_string()),
                    opt_money(x.serverless_cost),
                    String::new(),
                ]
            })
            .collect();
        rows.push(vec![
            format!(
                "as one instance: {}",
                s.instance_class.as_deref().unwrap_or("none priced")
            ),
            s.dcu_total.to_string(),
            money(Money::from_amount(s.serverless_cost)),
            opt_money(s.instance_cost),
        ]);
        table(
            vec![
                "Serverless now".into(),
                "DCU".into(),
                format!("Serverless ({cur})"),
                format!("On an instance ({cur})"),
            ],
            rows,
        );
    }
    if !r.instances.is_empty() {
        let rows = r
            .instances
            .iter()
            .map(|i| {
                let dcu = match (i.dcu_low, i.dcu_high) {
                    (Some(l), Some(h)) if l == h => l.to_string(),
                    (Some(l), Some(h)) => format!("{l}–{h}"),
                    _ => "unknown".into(),
                };
                let serverless = match (i.serverless_cost_low, i.serverless_cost_high) {
                    (Some(l), Some(h)) if (l - h).abs() < 0.005 => opt_money(Some(l)),
                    (l, h) => format!("{}–{}", opt_money(l), opt_money(h)),
                };
                vec![
                    format!("instance {} ({}, {} tasks)", i.name, i.class, i.tasks),
                    format!(
                        "{} / {}",
                        opt_num(i.usage.cpu_average, "%"),
                        opt_num(i.usage.cpu_peak, "%")
                    ),
                    format!(
                        "{} / {}",
                        opt_num(i.memory_used_average_gb, " GB"),
                        opt_num(i.memory_used_peak_gb, " GB")
                    ),
                    dcu,
                    money(Money::from_amount(i.instance_cost)),
                    serverless,
                ]
            })
            .collect();
        table(
            vec![
                "Instance".into(),
                "CPU avg / peak".into(),
                "Memory used avg / peak".into(),
                "As DCU".into(),
                format!("Instance ({cur})"),
                format!("Serverless ({cur})"),
            ],
            rows,
        );
    }
    for v in verdicts(r) {
        if markdown {
            let _ = writeln!(o, "**{v}**\n");
        } else {
            let _ = writeln!(o, "{v}");
        }
    }
    for n in &r.notes {
        let _ = writeln!(o, "- {n}");
    }
    let _ = writeln!(o, "- Prices as of {}, {}.", r.prices_as_of, r.prices_source);
    o
}

/// One sentence per side: what the other choice would have cost for the same hours, and a
/// month of it.
pub fn verdicts(r: &ObservedReport) -> Vec<String> {
    let month = |x: f64| money(Money::from_amount(x * 730.0 / r.hours));
    let m = |x: f64| money(Money::from_amount(x));
    let mut out = Vec::new();
    if let Some(s) = &r.serverless {
        if let (Some(class), Some(cost)) = (&s.instance_class, s.instance_cost) {
            if s.dcu_total > 0 {
                out.push(format!(
                    "Serverless cost {} {} for these {} hours; on one {class} the same work would have cost {} (a month: {} on the instance against {} serverless).",
                    m(s.serverless_cost),
                    r.currency,
                    r.hours,
                    m(cost),
                    month(cost),
                    month(s.serverless_cost),
                ));
            }
        }
    }
    for i in &r.instances {
        if let (Some(low), Some(high)) = (i.serverless_cost_low, i.serverless_cost_high) {
            let range = if (low - high).abs() < 0.005 {
                m(low)
            } else {
                format!("{} to {}", m(low), m(high))
            };
            out.push(format!(
                "Instance {} cost {} {} for these {} hours; as serverless the same work would have cost {range} (a month: {} serverless at the peak against {} on the instance).",
                i.name,
                m(i.instance_cost),
                r.currency,
                r.hours,
                month(high),
                month(i.instance_cost),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
      dms.t3.large: { single_az: 0.16, multi_az: 0.32 }
      dms.r5.large: { single_az: 0.25, multi_az: 0.50 }
";

    #[test]
    fn class_memory_and_dcu_steps() {
        assert_eq!(memory_gib("dms.t3.medium"), Some(4.0));
        assert_eq!(memory_gib("dms.r5.4xlarge"), Some(128.0));
        assert_eq!(memory_gib("dms.c5.xlarge"), Some(8.0));
        assert_eq!(memory_gib("dms.x9.large"), None);
        assert_eq!(dcu_for(0.3), Some(1));
        assert_eq!(dcu_for(2.0), Some(1));
        assert_eq!(dcu_for(2.1), Some(2));
        assert_eq!(dcu_for(300.0), Some(192));
        assert_eq!(dcu_for(1000.0), None);
    }

    #[test]
    fn serverless_capacity_is_priced_as_the_smallest_instance_that_holds_it() {
        let c = Catalog::parse("p.yaml", PRICES).unwrap();
        let seen = [
            ServerlessSeen {
                name: "a".into(),
                provisioned_dcu: Some(2),
                multi_az: false,
            },
            ServerlessSeen {
                name: "b".into(),
                provisioned_dcu: Some(1),
                multi_az: false,
            },
            ServerlessSeen {
                name: "c".into(),
                provisioned_dcu: None,
                multi_az: false,
            },
        ];
        let r = what_if(
            "s",
            "eu-central-1",
            ("2026-11-01", "2026-12-01"),
            720.0,
            &seen,
            &[],
            &c,
        )
        .unwrap();
        let s = r.serverless.unwrap();
        // 3 DCU × 720 h × 0.10 = 216; 6 GB → dms.t3.large (8 GiB), 720 × 0.16 = 115.20.
        assert_eq!(s.dcu_total, 3);
        assert_eq!(s.serverless_cost, 216.0);
        assert_eq!(s.instance_class.as_deref(), Some("dms.t3.large"));
        assert_eq!(s.instance_cost, Some(115.2));
        assert_eq!(s.replications[2].serverless_cost, None);
        assert!(
            r.notes.iter().any(|n| n.contains("one reading")),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn instance_memory_becomes_a_dcu_range() {
        let c = Catalog::parse("p.yaml", PRICES).unwrap();
        let gib = 1024.0 * 1024.0 * 1024.0;
        let seen = [InstanceSeen {
            name: "main".into(),
            class: "dms.r5.large".into(),
            multi_az: false,
            storage_gb: 100,
            tasks: 2,
            usage: InstanceUsage {
                cpu_average: Some(20.0),
                cpu_peak: Some(70.0),
                // 16 GiB class: 3 GiB used on average, 10 at the peak.
                freeable_memory_average: Some(13.0 * gib),
                freeable_memory_lowest: Some(6.0 * gib),
            },
        }];
        let r = what_if("s", "eu-central-1", ("a", "b"), 100.0, &[], &seen, &c).unwrap();
        let i = &r.instances[0];
        assert_eq!(i.memory_used_average_gb, Some(3.0));
        assert_eq!(i.memory_used_peak_gb, Some(10.0));
        // Average: 1.5 GB a task → 1 DCU each → 2; peak: 5 GB a task → 4 DCU each → 8.
        assert_eq!((i.dcu_low, i.dcu_high), (Some(2), Some(8)));
        assert_eq!(i.serverless_cost_low, Some(20.0));
        assert_eq!(i.serverless_cost_high, Some(80.0));
        assert_eq!(i.instance_cost, 25.0);
        let t = text(&r, false);
        assert!(t.contains("2–8"), "{t}");
        assert!(
            t.contains("Instance main cost 25.00 USD for these 100 hours; as serverless the same work would have cost 20.00 to 80.00 (a month: 584.00 serverless at the peak against 182.50 on the instance)."),
            "{t}"
        );
        let missing = InstanceSeen {
            usage: InstanceUsage::default(),
            ..seen[0].clone()
        };
        let r = what_if("s", "eu-central-1", ("a", "b"), 100.0, &[], &[missing], &c).unwrap();
        assert_eq!(r.instances[0].dcu_high, None);
        assert!(
            r.notes.iter().any(|n| n.contains("no FreeableMemory")),
            "{:?}",
            r.notes
        );
    }
}
