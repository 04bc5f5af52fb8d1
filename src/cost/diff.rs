//! What a change to a spec does to its monthly cost: the priced spec before the change (the
//! baseline, e.g. the file on the main branch) against the spec after it, line item by line
//! item, for a pull-request comment or a CI gate. Each spec is priced in its own deployed mode,
//! so a move from serverless to instances shows as the serverless items going and the
//! instance items coming.

use std::collections::BTreeMap;

use serde::Serialize;

use super::estimate::{CostReport, Money};
use super::render::{md, money};
use crate::dms::ComputeMode;

/// One billed resource whose monthly cost changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemChange {
    pub resource: String,
    /// Monthly cost before; `None` when the resource is new.
    pub before: Option<Money>,
    /// Monthly cost after; `None` when the resource goes away.
    pub after: Option<Money>,
    pub monthly_change: Money,
}

/// The cost change of a spec. Serialised as dmsctl's cost-diff JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostDiff {
    pub currency: String,
    pub hours_per_month: f64,
    pub prices_as_of: String,
    pub stack: String,
    pub baseline_mode: ComputeMode,
    pub mode: ComputeMode,
    pub baseline_monthly: Money,
    pub monthly: Money,
    pub monthly_change: Money,
    pub yearly_change: Money,
    /// Items whose cost changes, by resource name.
    pub changes: Vec<ItemChange>,
    /// How many items cost the same as before.
    pub unchanged: usize,
    pub assumptions: Vec<String>,
}

/// The mode a report deploys, with its total and items.
fn deployed(r: &CostReport) -> Option<(ComputeMode, Money, &[super::estimate::LineItem])> {
    r.modes
        .iter()
        .find(|m| m.deployed)
        .or_else(|| r.modes.first())
        .map(|m| (m.mode, m.monthly_total, &m.items[..]))
}

/// Compares two reports priced with the same catalog and options (each in its deployed mode).
pub fn diff(baseline: &CostReport, current: &CostReport) -> CostDiff {
    let (baseline_mode, baseline_monthly, before_items) =
        deployed(baseline).unwrap_or((ComputeMode::Serverless, Money(0), &[]));
    let (mode, monthly, after_items) =
        deployed(current).unwrap_or((ComputeMode::Serverless, Money(0), &[]));
    let mut by_resource: BTreeMap<&str, (Option<Money>, Option<Money>)> = BTreeMap::new();
    for i in before_items {
        let e = by_resource.entry(&i.resource).or_default();
        e.0 = Some(Money(e.0.unwrap_or_default().0 + i.monthly.0));
    }
    for i in after_items {
        let e = by_resource.entry(&i.resource).or_default();
        e.1 = Some(Money(e.1.unwrap_or_default().0 + i.monthly.0));
    }
    let mut changes = Vec::new();
    let mut unchanged = 0;
    for (resource, (before, after)) in by_resource {
        let change = Money(after.unwrap_or_default().0 - before.unwrap_or_default().0);
        if change.0 == 0 && before.is_some() && after.is_some() {
            unchanged += 1;
            continue;
        }
        changes.push(ItemChange {
            resource: resource.to_string(),
            before,
            after,
            monthly_change: change,
        });
    }
    let monthly_change = Money(monthly.0 - baseline_monthly.0);
    CostDiff {
        currency: current.currency.clone(),
        hours_per_month: current.hours_per_month,
        prices_as_of: current.prices_as_of.clone(),
        stack: current.stack.clone(),
        baseline_mode,
        mode,
        baseline_monthly,
        monthly,
        monthly_change,
        yearly_change: Money(monthly_change.0 * 12),
        changes,
        unchanged,
        assumptions: current.assumptions.clone(),
    }
}

/// `+12.30`, `-4.00`, `0.00`.
fn signed(m: Money) -> String {
    if m.0 > 0 {
        format!("+{}", money(m))
    } else {
        money(m)
    }
}

fn cell(m: Option<Money>) -> String {
    m.map_or_else(|| "-".to_string(), money)
}

/// The one-line answer: `Monthly cost: 197.10 → 66.65 USD (-130.45 a month, -1,565.40 a year);
/// compute: Serverless → Instances.`
pub fn headline(d: &CostDiff) -> String {
    let modes = if d.baseline_mode == d.mode {
        String::new()
    } else {
        format!(
            "; compute: {} → {}",
            d.baseline_mode.title(),
            d.mode.title()
        )
    };
    if d.monthly_change.0 == 0 {
        return format!(
            "Monthly cost unchanged: {} {}{modes}.",
            money(d.monthly),
            d.currency
        );
    }
    format!(
        "Monthly cost: {} → {} {} ({} a month, {} a year){modes}.",
        money(d.baseline_monthly),
        money(d.monthly),
        d.currency,
        signed(d.monthly_change),
        signed(d.yearly_change)
    )
}

/// For the terminal: the headline and the items that change.
pub fn table(d: &CostDiff) -> String {
    let mut out = format!("{}\n", headline(d));
    if !d.changes.is_empty() {
        let mut t = comfy_table::Table::new();
        t.load_preset(comfy_table::presets::UTF8_FULL)
            .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
            .set_header([
                "Resource".to_string(),
                format!("Before ({})", d.currency),
                format!("After ({})", d.currency),
                format!("Change ({})", d.currency),
            ]);
        for c in &d.changes {
            t.add_row([
                c.resource.clone(),
                cell(c.before),
                cell(c.after),
                signed(c.monthly_change),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    if d.unchanged > 0 {
        out.push_str(&format!(
            "{} item{} unchanged.\n",
            d.unchanged,
            if d.unchanged == 1 { "" } else { "s" }
        ));
    }
    out.push_str(&format!(
        "Monthly figures for {} hours, prices as of {}.\n",
        super::estimate::num(d.hours_per_month),
        d.prices_as_of
    ));
    out
}

/// For a pull-request comment.
pub fn markdown(d: &CostDiff) -> String {
    let mut out = format!(
        "### DMS cost change: `{}`\n\n**{}**\n",
        md(&d.stack),
        md(&headline(d))
    );
    if !d.changes.is_empty() {
        out.push_str(&format!(
            "\n| Resource | Before ({c}) | After ({c}) | Change ({c}) |\n|---|---:|---:|---:|\n",
            c = md(&d.currency)
        ));
        for c in &d.changes {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                md(&c.resource),
                cell(c.before),
                cell(c.after),
                signed(c.monthly_change)
            ));
        }
    }
    if d.unchanged > 0 {
        out.push_str(&format!("\n{} item(s) unchanged.\n", d.unchanged));
    }
    out.push_str(&format!(
        "\n<details><summary>Assumptions</summary>\n\n{}\n</details>\n",
        d.assumptions
            .iter()
            .map(|a| format!("- {}", md(a)))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    out
}

pub fn json(d: &CostDiff) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(d).map(|s| s + "\n")
}
