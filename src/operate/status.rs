//! What `status` shows of each replication beyond its live state: its CDC latency and, on
//! request, its tables.

use crate::cloud::{CdcLatency, Cloud, MetricSubject, TableStat};
use crate::dms::moves_data;

use super::Running;

/// A replication with its CDC latency, when CloudWatch has a recent data point for it, and
/// its tables when they were asked for and could be read.
#[derive(Debug, Clone)]
pub struct ReplicationStatus {
    pub r: Running,
    pub latency: Option<CdcLatency>,
    pub tables: Option<Vec<TableStat>>,
}

/// Reads the CDC latency of the running replications among `found` and, with `tables`, every
/// one's table statistics. CloudWatch is a second service with its own permissions: what
/// cannot be read is left out and said in a note, and the rest is still shown.
pub async fn read_status(
    cloud: &impl Cloud,
    found: Vec<Running>,
    tables: bool,
) -> (Vec<ReplicationStatus>, Vec<String>) {
    let mut notes = Vec::new();
    let mut rows = with_latency(cloud, found, &mut notes).await;
    if tables {
        with_tables(cloud, &mut rows, &mut notes).await;
    }
    (rows, notes)
}

async fn with_latency(
    cloud: &impl Cloud,
    found: Vec<Running>,
    notes: &mut Vec<String>,
) -> Vec<ReplicationStatus> {
    let subjects: Vec<MetricSubject> = found
        .iter()
        .filter(|r| moves_data(&r.status))
        .map(|r| MetricSubject {
            arn: r.arn.clone(),
            identifier: r.identifier.clone(),
        })
        .collect();
    let mut latency = match cloud.cdc_latency(&subjects).await {
        Ok(l) => l,
        Err(e) => {
            notes.push(format!("CDC latency not shown: {e}"));
            Default::default()
        }
    };
    found
        .into_iter()
        .map(|r| ReplicationStatus {
            latency: latency.remove(&r.arn),
            tables: None,
            r,
        })
        .collect()
}

/// Reads every replication's table statistics at once (one paginated call each).
async fn with_tables(cloud: &impl Cloud, rows: &mut [ReplicationStatus], notes: &mut Vec<String>) {
    let reads = rows
        .iter()
        .map(|row| cloud.table_statistics(row.r.kind, &row.r.arn));
    let results = futures_util::future::join_all(reads).await;
    for (row, result) in rows.iter_mut().zip(results) {
        match result {
            Ok(mut tables) => {
                tables.sort_by(|a, b| (&a.schema, &a.table).cmp(&(&b.schema, &b.table)));
                row.tables = Some(tables);
            }
            Err(e) => notes.push(format!("tables of `{}` not shown: {e}", row.r.name)),
        }
    }
}

/// A CDC-latency alarm of the stack and the state CloudWatch has it in now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AlarmState {
    /// The alarm's logical name (`<alert>.<replication>.<side>`).
    pub name: String,
    pub alarm: String,
    pub replication: String,
    pub metric: String,
    /// `OK`, `ALARM`, `INSUFFICIENT_DATA`; `not-created` when the spec has it and the account
    /// does not.
    pub state: String,
}

/// The stack's CDC-latency alarms on the replications named in `replications`, as read with
/// the rest of the live state (no further call).
pub fn alarm_states(
    desired: &crate::model::Desired,
    live: &crate::live::Live,
    replications: &[&str],
) -> Vec<AlarmState> {
    desired
        .alarms
        .iter()
        .filter(|(_, a)| replications.contains(&a.replication.as_str()))
        .map(|(name, a)| AlarmState {
            name: name.clone(),
            alarm: a.alarm_name.clone(),
            replication: a.replication.clone(),
            metric: a.metric_name.to_string(),
            state: live
                .alarms
                .get(&a.alarm_name.to_lowercase())
                .map_or("not-created".to_string(), |l| {
                    l.state.clone().unwrap_or_else(|| "unknown".into())
                }),
        })
        .collect()
}
