//! `dmsctl status`: the stack's replications as DMS reports them now.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::bail;
use comfy_table::{presets::UTF8_FULL, ContentArrangement, Table};
use serde_json::json;

use crate::cli::{Global, Output, StatusArgs};
use crate::cloud::{CdcLatency, TableStat};
use crate::model::Desired;
use crate::operate::status::AlarmState;
use crate::operate::{self, lookup, watch, ReplicationStatus, Running};
use crate::output;

pub fn run(global: &Global, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    if args.watch && !std::io::stdout().is_terminal() {
        bail!("--watch refreshes a terminal; without one, run `dmsctl status` repeatedly");
    }
    let (spec, _) = super::load_spec(global)?;
    let desired = Desired::from_spec(&spec);
    let rt = super::runtime()?;
    rt.block_on(async {
        let cloud = super::connect(global, &spec).await?;
        let every = args.watch.then_some(watch::STATUS_EVERY);
        watch::repeat(every, async || {
            let live = super::read_live(&cloud).await?;
            let (found, missing) = lookup(&desired, &live, &args.names)?;
            let (rows, notes) = operate::read_status(&cloud, found, args.tables).await;
            let names: Vec<&str> = rows.iter().map(|r| r.r.name.as_str()).collect();
            let alarms = operate::status::alarm_states(&desired, &live, &names);
            for note in notes {
                output::eprint(format!("note: {note}\n").as_bytes())?;
            }
            let text = match global.output {
                Output::Json => format!(
                    "{}\n",
                    serde_json::to_string_pretty(&json_doc(&rows, &missing, &alarms))?
                ),
                Output::Markdown => {
                    markdown(&rows, &missing) + &alarms_markdown(&alarms) + &tables_markdown(&rows)
                }
                _ => table(&rows, &missing) + &alarms_table(&alarms) + &tables_tables(&rows),
            };
            let text = match every {
                // Clear the screen and home the cursor, then redraw.
                Some(every) => format!(
                    "\x1b[2J\x1b[H{text}\n(refreshing every {} s; Ctrl-C to stop)\n",
                    every.as_secs()
                ),
                None => text,
            };
            output::print(text.as_bytes())?;
            Ok::<_, anyhow::Error>(())
        })
        .await?;
        super::report_calls(global, &cloud)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The rows whose tables were read, with their tables.
fn listed(rows: &[ReplicationStatus]) -> impl Iterator<Item = (&str, &[TableStat])> {
    rows.iter()
        .filter_map(|row| Some((row.r.name.as_str(), row.tables.as_deref()?)))
}

/// `send-invoice-history: 2 tables` and a table of them, for each row that has tables.
fn tables_tables(rows: &[ReplicationStatus]) -> String {
    let mut out = String::new();
    for (name, tables) in listed(rows) {
        out.push_str(&format!("\n{name}: {}\n", count(tables.len())));
        if tables.is_empty() {
            continue;
        }
        let mut t = Table::new();
        t.load_preset(UTF8_FULL)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(TABLE_HEADER);
        for s in tables {
            t.add_row(table_cells(s));
        }
        out.push_str(&format!("{t}\n"));
    }
    out
}

fn tables_markdown(rows: &[ReplicationStatus]) -> String {
    let mut out = String::new();
    for (name, tables) in listed(rows) {
        out.push_str(&format!("\n### {name}: {}\n", count(tables.len())));
        if tables.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n| {} |\n|{}\n",
            TABLE_HEADER.join(" | "),
            "---|".repeat(TABLE_HEADER.len())
        ));
        for s in tables {
            out.push_str(&format!("| {} |\n", table_cells(s).join(" | ")));
        }
    }
    out
}

const TABLE_HEADER: [&str; 6] = [
    "Table",
    "State",
    "Full load rows",
    "Inserts",
    "Updates",
    "Deletes",
];

fn table_cells(s: &TableStat) -> [String; 6] {
    [
        format!("{}.{}", s.schema, s.table),
        s.state.clone(),
        s.full_load_rows.to_string(),
        s.inserts.to_string(),
        s.updates.to_string(),
        s.deletes.to_string(),
    ]
}

fn count(n: usize) -> String {
    match n {
        0 => "no tables reported yet".to_string(),
        1 => "1 table".to_string(),
        n => format!("{n} tables"),
    }
}

fn latency(row: &ReplicationStatus) -> String {
    row.latency
        .as_ref()
        .map_or_else(|| "-".to_string(), CdcLatency::render)
}

fn progress(r: &Running) -> String {
    r.stats
        .as_ref()
        .and_then(|s| s.full_load_progress_percent)
        .map_or_else(|| "-".to_string(), |p| format!("{p}%"))
}

fn tables(r: &Running) -> String {
    r.stats.as_ref().map_or_else(
        || "-".to_string(),
        |s| {
            format!(
                "{} / {} / {} / {}",
                s.tables_loaded, s.tables_loading, s.tables_queued, s.tables_errored
            )
        },
    )
}

fn started(r: &Running) -> String {
    r.stats
        .as_ref()
        .and_then(|s| s.start_date.clone())
        .unwrap_or_else(|| "-".into())
}

fn table(found: &[ReplicationStatus], missing: &[String]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "Name",
            "Kind",
            "Status",
            "Full load",
            "Tables loaded / loading / queued / errored",
            "CDC latency source / target",
            "Started",
            "Last error",
        ]);
    for row in found {
        let r = &row.r;
        t.add_row([
            r.name.clone(),
            r.kind.name().to_string(),
            r.status.clone(),
            progress(r),
            tables(r),
            latency(row),
            started(r),
            r.failure.clone().unwrap_or_default(),
        ]);
    }
    for name in missing {
        t.add_row([
            name.as_str(),
            "",
            "not created (run `dmsctl apply`)",
            "",
            "",
            "",
            "",
            "",
        ]);
    }
    format!("{t}\n")
}

fn markdown(found: &[ReplicationStatus], missing: &[String]) -> String {
    let mut out = String::from("| Name | Kind | Status | Full load | Tables loaded / loading / queued / errored | CDC latency source / target | Started | Last error |\n|---|---|---|---|---|---|---|---|\n");
    for row in found {
        let r = &row.r;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.name,
            r.kind.name(),
            r.status,
            progress(r),
            tables(r),
            latency(row),
            started(r),
            r.failure.clone().unwrap_or_default().replace('|', "\\|")
        ));
    }
    for name in missing {
        out.push_str(&format!("| {name} | | not created | | | | | |\n"));
    }
    out
}

/// The stack's CDC-latency alarms and their states, below the replications ("" when none).
fn alarms_table(alarms: &[AlarmState]) -> String {
    if alarms.is_empty() {
        return String::new();
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["Alarm", "Replication", "Metric", "State"]);
    for a in alarms {
        t.add_row([&a.name, &a.replication, &a.metric, &a.state]);
    }
    format!("\n{t}\n")
}

fn alarms_markdown(alarms: &[AlarmState]) -> String {
    if alarms.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n| Alarm | Replication | Metric | State |\n|---|---|---|---|\n");
    for a in alarms {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            a.name, a.replication, a.metric, a.state
        ));
    }
    out
}

fn json_doc(
    found: &[ReplicationStatus],
    missing: &[String],
    alarms: &[AlarmState],
) -> serde_json::Value {
    let mut items: Vec<serde_json::Value> = found
        .iter()
        .map(|row| {
            let r = &row.r;
            let mut item = json!({
                "name": r.name,
                "kind": r.kind.name(),
                "id": r.identifier,
                "arn": r.arn,
                "status": r.status,
                "stats": r.stats,
                "cdc_latency": row.latency,
                "last_error": r.failure,
            });
            // Only with --tables: absent, not null, when not asked for.
            if let Some(tables) = &row.tables {
                item["tables"] = json!(tables);
            }
            item
        })
        .collect();
    items.extend(
        missing
            .iter()
            .map(|n| json!({"name": n, "status": "not-created"})),
    );
    let mut doc = json!({ "replications": items });
    // Only for a stack with CDC-latency alarms: absent otherwise.
    if !alarms.is_empty() {
        doc["alarms"] = json!(alarms);
    }
    doc
}
