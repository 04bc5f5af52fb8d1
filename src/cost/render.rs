//! Cost reports as a terminal table, JSON and Markdown (HTML lives in [`super::html`]).
//!
//! Every renderer reads the same [`CostReport`], so the forms cannot disagree.

use comfy_table::{
    presets, Attribute, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table,
};

use super::estimate::{num, CostReport, LineItem, ModeCost, Money};
use crate::dms::ComputeMode;

/// Money as people read it: thousands separated, two decimals (`1,543.92`).
pub fn money(m: Money) -> String {
    let sign = if m.0 < 0 { "-" } else { "" };
    let cents = m.0.unsigned_abs();
    let units = (cents / 100).to_string();
    let mut grouped = String::with_capacity(units.len() + units.len() / 3);
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", cents % 100)
}

/// A unit price: at least two decimals, up to four (`0.08`, `0.115`, `0.0195`).
pub fn price(p: f64) -> String {
    let s = num(p);
    match s.find('.') {
        None => format!("{s}.00"),
        Some(i) if s.len() - i == 2 => format!("{s}0"),
        Some(_) => s,
    }
}

/// A quantity with thousands separators and no needless decimals (`1,460`, `1,095.5`).
pub fn quantity(q: f64) -> String {
    let s = num(q);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s.as_str(), None),
    };
    let digits = int.trim_start_matches('-');
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if int.starts_with('-') { "-" } else { "" };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// How a mode's heading qualifies it: from the spec or derived, deployed or not.
pub fn mode_label(m: &ModeCost) -> &'static str {
    match (m.configured, m.deployed) {
        (true, true) => "as configured, deployed mode",
        (true, false) => "as configured",
        (false, true) => "derived, deployed mode",
        (false, false) => "derived for comparison",
    }
}

/// The one-sentence answer of a comparison, e.g. "Instances are cheaper by USD 128.66 a month
/// (USD 1,543.92 a year)."
pub fn verdict(r: &CostReport) -> Option<String> {
    let c = r.comparison.as_ref()?;
    let cur = &r.currency;
    Some(match c.cheaper {
        "neither" => "Both modes cost the same.".to_string(),
        cheaper => {
            let title = if cheaper == ComputeMode::Serverless.name() {
                "Serverless is"
            } else {
                "Instances are"
            };
            format!(
                "{title} cheaper by {cur} {} a month ({cur} {} a year).",
                money(c.monthly_difference),
                money(c.yearly_difference)
            )
        }
    })
}

fn headline(r: &CostReport) -> String {
    format!(
        "Monthly cost of stack {} in {} ({}, {} hours a month, prices as of {})",
        r.stack,
        r.region,
        r.currency,
        num(r.hours_per_month),
        r.prices_as_of
    )
}

/// The report as terminal tables: one per mode, a side-by-side summary when comparing, and
/// the assumptions.
pub fn table(r: &CostReport, color: bool) -> String {
    let bold = |s: &str| {
        if color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    out.push_str(&bold(&headline(r)));
    out.push_str("\n\n");
    for m in &r.modes {
        out.push_str(&bold(&format!("{} ({})", m.mode.title(), mode_label(m))));
        out.push('\n');
        out.push_str(&items_table(m, &r.currency, color).to_string());
        out.push_str("\n\n");
    }
    if r.comparison.is_some() {
        out.push_str(&bold("Comparison"));
        out.push('\n');
        let mut t = new_table(color);
        let mut header = vec![Cell::new("")];
        header.extend(
            r.modes
                .iter()
                .map(|m| Cell::new(m.mode.title()).add_attribute(Attribute::Bold)),
        );
        t.set_header(header);
        for (label, factor) in [("Monthly", 1), ("Yearly", 12)] {
            let mut row = vec![Cell::new(format!("{label} ({})", r.currency))];
            row.extend(r.modes.iter().map(|m| {
                Cell::new(money(Money(m.monthly_total.0 * factor)))
                    .set_alignment(CellAlignment::Right)
            }));
            t.add_row(row);
        }
        out.push_str(&t.to_string());
        out.push('\n');
        if let Some(v) = verdict(r) {
            out.push_str(&if color {
                format!("\x1b[1;32m{v}\x1b[0m")
            } else {
                v
            });
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&bold("Assumptions"));
    out.push('\n');
    for a in &r.assumptions {
        out.push_str("- ");
        out.push_str(a);
        out.push('\n');
    }
    out
}

/// Table width when the output is not a colour terminal.
const PLAIN_WIDTH: u16 = 120;

fn new_table(color: bool) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    // Long details wrap rather than make the table wider than a terminal: to the terminal's
    // width when writing to one, else to a fixed width so files and CI logs are reproducible.
    t.set_content_arrangement(ContentArrangement::Dynamic);
    if color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
        t.set_width(PLAIN_WIDTH);
    }
    t
}

fn items_table(m: &ModeCost, currency: &str, color: bool) -> Table {
    let mut t = new_table(color);
    t.set_header(
        [
            "Resource",
            "Quantity",
            "Unit",
            "Unit price",
            "Monthly",
            "Detail",
        ]
        .map(|h| Cell::new(h).add_attribute(Attribute::Bold)),
    );
    for i in &m.items {
        t.add_row(item_cells(i));
    }
    let total = Cell::new(format!("{} {}", currency, money(m.monthly_total)))
        .add_attribute(Attribute::Bold)
        .set_alignment(CellAlignment::Right);
    t.add_row(vec![
        Cell::new("Total").add_attribute(Attribute::Bold),
        Cell::new(""),
        Cell::new(""),
        Cell::new(""),
        if color { total.fg(Color::Cyan) } else { total },
        Cell::new(""),
    ]);
    // Only the detail wraps: a resource name or an amount split over lines is hard to read.
    for i in 0..5 {
        if let Some(c) = t.column_mut(i) {
            c.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    t
}

fn item_cells(i: &LineItem) -> Vec<Cell> {
    vec![
        Cell::new(&i.resource),
        Cell::new(quantity(i.quantity)).set_alignment(CellAlignment::Right),
        Cell::new(i.unit),
        Cell::new(price(i.unit_price)).set_alignment(CellAlignment::Right),
        Cell::new(money(i.monthly)).set_alignment(CellAlignment::Right),
        Cell::new(&i.detail),
    ]
}

/// The stable JSON document, pretty-printed.
pub fn json(r: &CostReport) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(r).map(|s| s + "\n")
}

/// Markdown for a pull-request comment: a summary first, the line items and assumptions after.
pub fn markdown(r: &CostReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "### DMS cost: `{}` in `{}`\n\n",
        md(&r.stack),
        md(&r.region)
    ));
    out.push_str(&markdown_summary(r));
    out.push_str(&format!(
        "\n{} hours a month, prices as of {}.\n",
        num(r.hours_per_month),
        md(&r.prices_as_of)
    ));
    for m in &r.modes {
        out.push_str(&markdown_items(&r.currency, m));
    }
    out.push_str("\n<details><summary>Assumptions</summary>\n\n");
    for a in &r.assumptions {
        out.push_str(&format!("- {}\n", md(a)));
    }
    out.push_str("\n</details>\n");
    out
}

/// The totals: both modes side by side with `--compare`, else the one priced.
fn markdown_summary(r: &CostReport) -> String {
    let mut out = String::new();
    if r.comparison.is_some() {
        out.push_str(&format!(
            "| | {} |\n",
            r.modes
                .iter()
                .map(|m| m.mode.title())
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        out.push_str(&format!("|---|{}\n", "---:|".repeat(r.modes.len())));
        for (label, factor) in [("Monthly", 1), ("Yearly", 12)] {
            let cells: Vec<String> = r
                .modes
                .iter()
                .map(|m| {
                    format!(
                        "{} {}",
                        r.currency,
                        money(Money(m.monthly_total.0 * factor))
                    )
                })
                .collect();
            out.push_str(&format!("| {label} | {} |\n", cells.join(" | ")));
        }
        if let Some(v) = verdict(r) {
            out.push_str(&format!("\n**{}**\n", md(&v)));
        }
    } else if let Some(m) = r.modes.first() {
        out.push_str(&format!(
            "**{}**: **{} {} a month** ({}).\n",
            m.mode.title(),
            r.currency,
            money(m.monthly_total),
            mode_label(m)
        ));
    }
    out
}

/// One mode's line items with their total.
fn markdown_items(currency: &str, m: &ModeCost) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "\n#### {} ({})\n\n",
        m.mode.title(),
        mode_label(m)
    ));
    out.push_str(&format!(
        "| Resource | Quantity | Unit | Unit price ({cur}) | Monthly ({cur}) | Detail |\n|---|---:|---|---:|---:|---|\n",
        cur = md(currency)
    ));
    for i in &m.items {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            md(&i.resource),
            quantity(i.quantity),
            i.unit,
            price(i.unit_price),
            money(i.monthly),
            md(&i.detail)
        ));
    }
    out.push_str(&format!(
        "| **Total** | | | | **{}** | |\n",
        money(m.monthly_total)
    ));
    out
}

/// Escapes text for a Markdown table cell or line: pipes would end the cell, and angle
/// brackets or backticks in a name could open HTML or code spans in the comment.
pub(crate) fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push_str("\\`"),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::estimate::{Comparison, LineItem};

    fn report() -> CostReport {
        let item = |resource: &str, q: f64, unit: &'static str, p: f64| LineItem {
            resource: resource.into(),
            quantity: q,
            unit,
            unit_price: p,
            monthly: Money::from_amount(q * p),
            detail: "d|x".into(),
        };
        let sl = vec![
            item("replication a", 730.0, "DCU-hour", 0.1),
            item("replication b", 1460.0, "DCU-hour", 0.1),
        ];
        let inst = vec![
            item("instance shared", 730.0, "hour", 0.08),
            item("instance shared storage", 0.0, "GB-month", 0.1),
        ];
        CostReport {
            currency: "USD".into(),
            hours_per_month: 730.0,
            prices_as_of: "2026-11-01".into(),
            modes: vec![
                ModeCost {
                    mode: ComputeMode::Serverless,
                    monthly_total: Money(21900),
                    items: sl,
                    configured: true,
                    deployed: true,
                },
                ModeCost {
                    mode: ComputeMode::Instances,
                    monthly_total: Money(5840),
                    items: inst,
                    configured: false,
                    deployed: false,
                },
            ],
            assumptions: vec!["730 hours a month".into()],
            stack: "s".into(),
            region: "eu-central-1".into(),
            prices_source: "test".into(),
            comparison: Some(Comparison {
                cheaper: "instances",
                monthly_difference: Money(16060),
                yearly_difference: Money(192720),
            }),
        }
    }

    #[test]
    fn money_is_grouped_with_two_decimals() {
        assert_eq!(money(Money(0)), "0.00");
        assert_eq!(money(Money(5)), "0.05");
        assert_eq!(money(Money(154392)), "1,543.92");
        assert_eq!(money(Money(123456789)), "1,234,567.89");
        assert_eq!(money(Money(-12345)), "-123.45");
    }

    #[test]
    fn prices_and_quantities_read_naturally() {
        assert_eq!(price(0.1), "0.10");
        assert_eq!(price(1.0), "1.00");
        assert_eq!(price(0.115), "0.115");
        assert_eq!(quantity(1460.0), "1,460");
        assert_eq!(quantity(1095.5), "1,095.5");
        assert_eq!(quantity(0.0), "0");
    }

    #[test]
    fn json_has_the_documented_shape_and_cents() {
        let v: serde_json::Value =
            serde_json::from_str(&json(&report()).expect("json")).expect("valid");
        let keys: Vec<&str> = v
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            &keys[..5],
            [
                "currency",
                "hours_per_month",
                "prices_as_of",
                "modes",
                "assumptions"
            ]
        );
        assert_eq!(v["modes"][0]["mode"], "serverless");
        assert_eq!(v["modes"][0]["monthly_total"], 219.0);
        assert_eq!(v["modes"][1]["items"][0]["monthly"], 58.4);
        let item_keys: Vec<&str> = v["modes"][0]["items"][0]
            .as_object()
            .expect("item")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            &item_keys[..5],
            ["resource", "quantity", "unit", "unit_price", "monthly"]
        );
        assert_eq!(v["comparison"]["cheaper"], "instances");
        assert_eq!(v["comparison"]["yearly_difference"], 1927.2);
    }

    #[test]
    fn table_shows_items_totals_and_verdict() {
        let t = table(&report(), false);
        assert!(t.contains("USD 219.00") && t.contains("USD 58.40"), "{t}");
        assert!(
            t.contains("Instances are cheaper by USD 160.60 a month (USD 1,927.20 a year)."),
            "{t}"
        );
        assert!(t.contains("2,628.00"), "yearly serverless total: {t}");
        assert!(!t.contains('\x1b'), "no colour asked for: {t}");
        assert!(table(&report(), true).contains("\x1b["));
    }

    #[test]
    fn markdown_escapes_cells_and_keeps_tables_whole() {
        let m = markdown(&report());
        assert!(m.contains("| Monthly | USD 219.00 | USD 58.40 |"), "{m}");
        assert!(m.contains("d\\|x"), "{m}");
        assert!(
            m.contains("**Instances are cheaper by USD 160.60 a month (USD 1,927.20 a year).**"),
            "{m}"
        );
        assert!(m.contains("| **Total** | | | | **219.00** | |"), "{m}");
    }
}
