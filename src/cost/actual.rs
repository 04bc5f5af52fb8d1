//! What the stack did cost: Cost Explorer's figures beside the estimate for the same days.
//!
//! The pure part of `dmsctl cost --actual`: the period, which Cost Explorer question to ask
//! given the state of the cost allocation tags, how the answer's groups become items, and the
//! comparison with the estimate. `crate::aws` asks the questions; the renderers are at the end.
//!
//! Cost Explorer (`GetCostAndUsage`,
//! <https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostAndUsage.html>):
//! the period's end is exclusive, amounts come as decimal strings with their unit, grouping by
//! a tag gives keys `TAG_KEY$value` (`dmsctl:name$invoices`, or `dmsctl:name$` for costs
//! without the tag), and a tag filters and groups only once it is an *active cost allocation
//! tag* (<https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html>).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::estimate::{CostReport, Money};
use super::html::escape;
use super::render::money;
use crate::model::{TAG_NAME, TAG_STACK};

/// Cost Explorer's name of the DMS service (the `SERVICE` dimension's value).
pub const SERVICE: &str = "AWS Database Migration Service";
/// What one Cost Explorer API request costs (Cost Explorer pricing page), in USD.
pub const REQUEST_PRICE_USD: f64 = 0.01;
/// The default length of the period, in full days.
pub const DEFAULT_DAYS: i64 = 30;
/// How far back Cost Explorer answers by default: the last 13 months (38 once multi-year data
/// is enabled in the account, which dmsctl cannot know): a start further back is refused.
const MAX_DAYS: i64 = 395;

/// Days `[start, end)`, as Cost Explorer takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// The last `days` full days before `today`, or the days from `since` up to `today`.
    pub fn new(today: NaiveDate, days: Option<i64>, since: Option<&str>) -> Result<Period, String> {
        let start = match (days, since) {
            (Some(_), Some(_)) => return Err("give --days or --since, not both".into()),
            (_, Some(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                format!("--since must be a date as YYYY-MM-DD (e.g. 2026-11-01), not `{s}`")
            })?,
            (Some(d), None) if !(1..=MAX_DAYS).contains(&d) => {
                return Err(format!(
                "--days must be between 1 and {MAX_DAYS} (Cost Explorer answers for the last 13 months), not {d}"
            ))
            }
            (d, None) => today - Duration::days(d.unwrap_or(DEFAULT_DAYS)),
        };
        if start >= today {
            return Err(format!(
                "--since {start} is not before today ({today}): the period needs at least one full day"
            ));
        }
        if (today - start).num_days() > MAX_DAYS {
            return Err(format!(
                "--since {start} is more than {MAX_DAYS} days ago: Cost Explorer answers for the last 13 months"
            ));
        }
        Ok(Period { start, end: today })
    }

    /// Days in the period.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    pub fn start_text(&self) -> String {
        self.start.format("%Y-%m-%d").to_string()
    }

    pub fn end_text(&self) -> String {
        self.end.format("%Y-%m-%d").to_string()
    }
}

/// Whether a cost allocation tag is active, as `ListCostAllocationTags` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TagState {
    Active,
    Inactive,
    /// Billing has not seen the tag on any resource yet (it lists tags up to a day after
    /// their first use).
    Unknown,
}

/// The question to ask Cost Explorer, from the tags' states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostQuery {
    pub start: String,
    pub end: String,
    /// Filter by `dmsctl:stack` = this value; `None`: the account's whole DMS cost.
    pub stack: Option<String>,
    /// Group by `dmsctl:name`.
    pub by_name: bool,
}

/// How much of the answer is the stack's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The stack's resources, item by item.
    Resources,
    /// The stack's total, without items (`dmsctl:name` is not active).
    Stack,
    /// Every DMS cost of the account and region set: the stack's tags are not active.
    Account,
}

/// The question for the tags' states: the most specific one the active tags allow.
pub fn query(
    period: &Period,
    stack: &str,
    tags: &BTreeMap<String, TagState>,
) -> (CostQuery, Scope) {
    let active = |k: &str| tags.get(k) == Some(&TagState::Active);
    let scope = match (active(TAG_STACK), active(TAG_NAME)) {
        (true, true) => Scope::Resources,
        (true, false) => Scope::Stack,
        _ => Scope::Account,
    };
    let q = CostQuery {
        start: period.start_text(),
        end: period.end_text(),
        stack: (scope != Scope::Account).then(|| stack.to_string()),
        by_name: scope == Scope::Resources,
    };
    (q, scope)
}

/// One group of Cost Explorer's answer, summed over its time periods by the caller's order.
#[derive(Debug, Clone, PartialEq)]
pub struct CostGroup {
    /// The group's key (`dmsctl:name$invoices`); `None` for an ungrouped total.
    pub key: Option<String>,
    /// `UnblendedCost`; `None` when the answer has no such metric.
    pub amount: Option<f64>,
    pub unit: Option<String>,
    /// `UsageQuantity`; `None` when missing.
    pub usage: Option<f64>,
}

/// Cost Explorer's answer: every group of every time period and page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CostAnswer {
    pub groups: Vec<CostGroup>,
    /// Whether any period's figures are still estimated by AWS (the current month).
    pub estimated: bool,
}

/// One resource's actual cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActualItem {
    pub name: String,
    pub amount: f64,
    /// `UsageQuantity` summed over the resource's usage types; `null` when Cost Explorer gave none.
    pub usage: Option<f64>,
}

/// The `actual` half of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actual {
    pub start: String,
    pub end: String,
    pub currency: String,
    pub total: f64,
    pub items: Vec<ActualItem>,
    pub scope: Scope,
    /// AWS still estimates some of the figures (the month under way).
    pub estimated: bool,
}

/// One line of the estimate, by the resource's logical name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateItem {
    pub name: String,
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateSide {
    pub total: f64,
    pub items: Vec<EstimateItem>,
    pub hours: f64,
    pub prices_as_of: String,
    pub prices_source: String,
}

/// `cost --actual`: format 1 of its JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActualReport {
    pub format_version: u32,
    pub stack: String,
    pub actual: Actual,
    pub estimate: EstimateSide,
    /// Actual minus estimate.
    pub difference: f64,
    /// Each tag's state, as `ListCostAllocationTags` gave it.
    pub tags: BTreeMap<String, TagState>,
    /// What the reader must know: fallbacks, activation, estimated figures.
    pub notes: Vec<String>,
}

/// The name an untagged cost is shown under.
pub const UNTAGGED: &str = "(no dmsctl:name tag)";

/// How to activate the stack's tags: the API call and the console path.
pub fn activation_help(missing: &[&str]) -> String {
    let args: Vec<String> = missing
        .iter()
        .map(|k| format!("TagKey={k},Status=Active"))
        .collect();
    format!(
        "activate {} as cost allocation tags, from the management account: `aws ce \
         update-cost-allocation-tags-status --cost-allocation-tags-status {}`, or in the \
         console: Billing and Cost Management → Cost allocation tags → User-defined cost \
         allocation tags → select → Activate. Costs are tagged from activation on (up to 24 \
         hours later); `aws ce start-cost-allocation-tag-backfill` tags up to 12 months back.",
        missing
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(" and "),
        args.join(" ")
    )
}

/// The report: the answer's items beside the estimate for the same hours.
pub fn report(
    period: &Period,
    stack: &str,
    scope: Scope,
    tags: BTreeMap<String, TagState>,
    answer: &CostAnswer,
    estimate: &CostReport,
) -> ActualReport {
    let mut currency: Option<String> = None;
    let mut by_name: BTreeMap<String, (Money, Option<f64>)> = BTreeMap::new();
    let mut unknown = 0usize;
    for g in &answer.groups {
        let name = match (&g.key, scope) {
            (_, Scope::Account) => "all DMS resources of the account".to_string(),
            (_, Scope::Stack) => format!("stack {stack}"),
            (Some(k), Scope::Resources) => group_name(k),
            (None, Scope::Resources) => UNTAGGED.to_string(),
        };
        if currency.is_none() {
            currency = g.unit.clone();
        }
        let entry = by_name.entry(name).or_insert((Money(0), None));
        match g.amount {
            Some(a) if a.is_finite() => entry.0 = Money(entry.0 .0 + Money::from_amount(a).0),
            _ => unknown += 1,
        }
        if let Some(u) = g.usage.filter(|u| u.is_finite()) {
            entry.1 = Some(entry.1.unwrap_or(0.0) + u);
        }
    }
    let items: Vec<ActualItem> = by_name
        .into_iter()
        .map(|(name, (m, usage))| ActualItem {
            name,
            amount: m.amount(),
            usage,
        })
        .collect();
    let total: Money = items.iter().map(|i| Money::from_amount(i.amount)).sum();
    let est = estimate_side(estimate);
    let est_total = Money::from_amount(est.total);
    let mut notes = Vec::new();
    let missing: Vec<&str> = [TAG_STACK, TAG_NAME]
        .into_iter()
        .filter(|k| tags.get(*k) != Some(&TagState::Active))
        .collect();
    match scope {
        Scope::Account => notes.push(format!(
            "The stack's tags are not active cost allocation tags, so Cost Explorer cannot tell \
             the stack's cost from the rest: the actual figure is the account's whole DMS cost, \
             not the stack's. To see the stack's own cost, {}",
            activation_help(&missing)
        )),
        Scope::Stack => notes.push(format!(
            "`{TAG_NAME}` is not an active cost allocation tag, so the stack's cost is one total \
             instead of one line per resource. To split it, {}",
            activation_help(&missing)
        )),
        Scope::Resources => {}
    }
    if unknown > 0 {
        notes.push(format!(
            "{unknown} group(s) of Cost Explorer's answer had no UnblendedCost: counted as 0."
        ));
    }
    if answer.estimated {
        notes.push("Some figures are still estimated by AWS (the month under way).".to_string());
    }
    if answer.groups.is_empty() {
        notes.push(
            "Cost Explorer has no DMS cost for this period and filter (nothing ran, or the \
             figures are not in yet: they appear up to 24 hours after use)."
                .to_string(),
        );
    }
    notes.push(format!(
        "The estimate prices the spec as it is now for the period's {} hours ({} days).",
        crate::cost::estimate::num(estimate.hours_per_month),
        period.days()
    ));
    ActualReport {
        format_version: 1,
        stack: stack.to_string(),
        actual: Actual {
            start: period.start_text(),
            end: period.end_text(),
            currency: currency.unwrap_or_else(|| estimate.currency.clone()),
            total: total.amount(),
            items,
            scope,
            estimated: answer.estimated,
        },
        difference: Money(total.0 - est_total.0).amount(),
        estimate: est,
        tags,
        notes,
    }
}

/// `dmsctl:name$invoices` → `invoices`; an empty value → [`UNTAGGED`].
fn group_name(key: &str) -> String {
    let value = key.split_once('$').map_or(key, |(_, v)| v);
    if value.is_empty() {
        UNTAGGED.to_string()
    } else {
        value.to_string()
    }
}

/// The estimate's deployed mode, by logical name (an instance's storage joins the instance, as
/// Cost Explorer's `dmsctl:name` groups them).
fn estimate_side(r: &CostReport) -> EstimateSide {
    let mode = r.modes.iter().find(|m| m.deployed).or(r.modes.first());
    let mut by_name: BTreeMap<String, Money> = BTreeMap::new();
    for item in mode.map(|m| m.items.as_slice()).unwrap_or_default() {
        let name = item
            .resource
            .split_once(' ')
            .map_or(item.resource.as_str(), |(_, n)| n);
        let name = name.strip_suffix(" storage").unwrap_or(name);
        let e = by_name.entry(name.to_string()).or_default();
        e.0 += item.monthly.0;
    }
    let total: Money = by_name.values().copied().sum();
    EstimateSide {
        total: total.amount(),
        items: by_name
            .into_iter()
            .map(|(name, m)| EstimateItem {
                name,
                amount: m.amount(),
            })
            .collect(),
        hours: r.hours_per_month,
        prices_as_of: r.prices_as_of.clone(),
        prices_source: r.prices_source.clone(),
    }
}

/// One row of the side-by-side view: name, estimate, actual, difference.
struct Row {
    name: String,
    estimate: Option<Money>,
    actual: Option<Money>,
}

fn rows(r: &ActualReport) -> Vec<Row> {
    // Without `dmsctl:name`, the answer is one total: set it against the estimate's total.
    if r.actual.scope != Scope::Resources {
        let name = match r.actual.scope {
            Scope::Account => format!("all DMS of the account (estimate: stack {})", r.stack),
            _ => format!("stack {}", r.stack),
        };
        return vec![Row {
            name,
            estimate: Some(Money::from_amount(r.estimate.total)),
            actual: Some(Money::from_amount(r.actual.total)),
        }];
    }
    let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
    for e in &r.estimate.items {
        rows.entry(&e.name).or_insert_with(|| Row {
            name: e.name.clone(),
            estimate: None,
            actual: None,
        });
        if let Some(row) = rows.get_mut(e.name.as_str()) {
            row.estimate = Some(Money::from_amount(e.amount));
        }
    }
    for a in &r.actual.items {
        let row = rows.entry(&a.name).or_insert_with(|| Row {
            name: a.name.clone(),
            estimate: None,
            actual: None,
        });
        row.actual = Some(Money::from_amount(a.amount));
    }
    rows.into_values().collect()
}

fn cell(m: Option<Money>) -> String {
    m.map_or_else(|| "-".to_string(), money)
}

fn change(row: &Row) -> String {
    let d = row.actual.unwrap_or_default().0 - row.estimate.unwrap_or_default().0;
    signed(Money(d))
}

fn signed(m: Money) -> String {
    if m.0 > 0 {
        format!("+{}", money(m))
    } else {
        money(m)
    }
}

/// The headline: "Actual 41.20 USD against an estimate of 40.08 (+1.12), 2026-11-01 to 2026-11-30."
pub fn headline(r: &ActualReport) -> String {
    let last = r.end_date_inclusive();
    format!(
        "{} {} {} from {} to {} (Cost Explorer), against an estimate of {} ({}).",
        match r.actual.scope {
            Scope::Account => "Actual DMS cost of the whole account (not the stack's own):",
            _ => "Actual cost:",
        },
        money(Money::from_amount(r.actual.total)),
        r.actual.currency,
        r.actual.start,
        last,
        money(Money::from_amount(r.estimate.total)),
        signed(Money::from_amount(r.difference)),
    )
}

impl ActualReport {
    /// The period's last day (the API's end is exclusive).
    pub fn end_date_inclusive(&self) -> String {
        NaiveDate::parse_from_str(&self.actual.end, "%Y-%m-%d")
            .map(|d| (d - Duration::days(1)).format("%Y-%m-%d").to_string())
            .unwrap_or_else(|_| self.actual.end.clone())
    }
}

pub fn table(r: &ActualReport) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_header(vec![
            "Resource".to_string(),
            format!("Estimate ({})", r.actual.currency),
            format!("Actual ({})", r.actual.currency),
            format!("Difference ({})", r.actual.currency),
        ]);
    for row in rows(r) {
        t.add_row(vec![
            row.name.clone(),
            cell(row.estimate),
            cell(row.actual),
            change(&row),
        ]);
    }
    t.add_row(vec![
        "Total".to_string(),
        money(Money::from_amount(r.estimate.total)),
        money(Money::from_amount(r.actual.total)),
        signed(Money::from_amount(r.difference)),
    ]);
    let mut o = format!("{}\n{t}\n", headline(r));
    for n in &r.notes {
        let _ = writeln!(o, "- {n}");
    }
    let _ = writeln!(
        o,
        "Estimate: prices as of {}, {}.",
        r.estimate.prices_as_of, r.estimate.prices_source
    );
    o
}

pub fn markdown(r: &ActualReport) -> String {
    let cur = &r.actual.currency;
    let mut o = format!(
        "### DMS cost of `{}`: actual and estimate\n\n{}\n\n| Resource | Estimate ({cur}) | Actual ({cur}) | Difference ({cur}) |\n|---|---:|---:|---:|\n",
        md(&r.stack),
        md(&headline(r))
    );
    for row in rows(r) {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            md(&row.name),
            cell(row.estimate),
            cell(row.actual),
            change(&row)
        );
    }
    let _ = writeln!(
        o,
        "| **Total** | **{}** | **{}** | **{}** |\n",
        money(Money::from_amount(r.estimate.total)),
        money(Money::from_amount(r.actual.total)),
        signed(Money::from_amount(r.difference))
    );
    for n in &r.notes {
        let _ = writeln!(o, "- {}", md(n));
    }
    let _ = writeln!(
        o,
        "- Estimate prices as of {}, {}.",
        md(&r.estimate.prices_as_of),
        md(&r.estimate.prices_source)
    );
    o
}

/// Markdown table cells: a `|` would end the cell, a newline the row.
fn md(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub fn json(r: &ActualReport) -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string_pretty(r)? + "\n")
}

/// One self-contained page with a chart of estimate and actual per resource.
pub fn html(r: &ActualReport) -> String {
    const LABEL_W: f64 = 260.0;
    const BAR_MAX: f64 = 340.0;
    const ROW_H: f64 = 46.0;
    let rows = rows(r);
    let max = rows
        .iter()
        .flat_map(|row| [row.estimate, row.actual])
        .flatten()
        .max()
        .unwrap_or_default();
    let width = |m: Option<Money>| match m {
        Some(m) if max.0 > 0 && m.0 > 0 => BAR_MAX * m.0 as f64 / max.0 as f64,
        _ => 0.0,
    };
    let title = format!("DMS cost of {}: actual and estimate", r.stack);
    let height = ROW_H * rows.len() as f64 + 10.0;
    let mut o = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="dmsctl {version}">
<title>{t}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1a202c; }}
table {{ border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }}
th, td {{ border-bottom: 1px solid #e2e8f0; padding: .35rem .5rem; text-align: left; }}
td.n, th.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.sum td {{ font-weight: 600; border-top: 2px solid #a0aec0; }}
.total {{ font-size: 1.1rem; padding: .7rem 1rem; background: #ebf8ff; border-left: 4px solid #2b6cb0; }}
svg text {{ font-family: system-ui, sans-serif; font-size: 13px; fill: #1a202c; }}
</style>
</head>
<body>
<h1>{t}</h1>
<p class="total" id="headline">{h}</p>
<figure id="actual-chart"><figcaption>Estimate (blue) and actual (orange) per resource, {cur}</figcaption>
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Estimate and actual per resource" width="720" height="{height}" viewBox="0 0 720 {height}">
"#,
        version = env!("CARGO_PKG_VERSION"),
        t = escape(&title),
        h = escape(&headline(r)),
        cur = escape(&r.actual.currency),
    );
    for (i, row) in rows.iter().enumerate() {
        let y = 5.0 + ROW_H * i as f64;
        let _ = writeln!(
            o,
            r#"<text x="0" y="{:.1}">{}</text>"#,
            y + 24.0,
            escape(&row.name)
        );
        for (j, (m, class, fill)) in [
            (row.estimate, "bar-estimate", "#2b6cb0"),
            (row.actual, "bar-actual", "#c05621"),
        ]
        .into_iter()
        .enumerate()
        {
            let by = y + 20.0 * j as f64;
            let w = width(m);
            let _ = writeln!(
                o,
                r#"<rect class="bar {class}" x="{LABEL_W}" y="{by:.1}" width="{w:.1}" height="18" fill="{fill}"><title>{}</title></rect><text x="{:.1}" y="{:.1}">{}</text>"#,
                escape(&format!("{}: {}", row.name, cell(m))),
                LABEL_W + w + 6.0,
                by + 14.0,
                escape(&cell(m))
            );
        }
    }
    let cur = escape(&r.actual.currency);
    let _ = write!(
        o,
        "</svg></figure>\n<table id=\"items\">\n<tr><th>Resource</th><th class=\"n\">Estimate ({cur})</th><th class=\"n\">Actual ({cur})</th><th class=\"n\">Difference ({cur})</th></tr>\n"
    );
    for row in &rows {
        let _ = writeln!(
            o,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            escape(&row.name),
            cell(row.estimate),
            cell(row.actual),
            escape(&change(row))
        );
    }
    let _ = writeln!(
        o,
        r#"<tr class="sum"><td>Total</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr></table>"#,
        money(Money::from_amount(r.estimate.total)),
        money(Money::from_amount(r.actual.total)),
        escape(&signed(Money::from_amount(r.difference)))
    );
    o.push_str("<ul class=\"notes\">\n");
    for n in &r.notes {
        let _ = writeln!(o, "<li>{}</li>", escape(n));
    }
    let _ = write!(
        o,
        "</ul>\n<footer>Estimate: prices as of {}, {}. Generated by dmsctl {}.</footer>\n</body>\n</html>\n",
        escape(&r.estimate.prices_as_of),
        escape(&r.estimate.prices_source),
        env!("CARGO_PKG_VERSION")
    );
    o
}

#[cfg(test)]
mod tests;
