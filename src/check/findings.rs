//! Facts and the spec in, findings out: every rule of `check`, each citing the DMS user guide
//! page it comes from. Pure, so each rule is tested on facts made up in a few lines; the
//! integration tests show the facts are read right from real servers.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::mapping::{self, Case, Selection};
use super::probe::{Engine, Facts, ProbeError};
use super::{Finding, Status, TableRow};

const MYSQL_SOURCE_SELF: &str =
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.MySQL.html#CHAP_Source.MySQL.CustomerManaged";
const MYSQL_SOURCE_RDS: &str =
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.MySQL.html#CHAP_Source.MySQL.AmazonManaged";
const MYSQL_PRIVILEGES: &str =
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.MySQL.html#CHAP_Source.MySQL.Prerequisites";
const MYSQL_ASSESSMENTS: &str =
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.AssessmentReport.MySQL.html";
const PG_CDC: &str =
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html#CHAP_Source.PostgreSQL.Prerequisites.CDC";
const PG_USER: &str =
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html#CHAP_Source.PostgreSQL.Prerequisites.SelfManaged";
const PG_LIMITS: &str =
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html#CHAP_Source.PostgreSQL.Limitations";
const MYSQL_TARGET: &str =
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.MySQL.html#CHAP_Target.MySQL.Prerequisites";
const PG_TARGET: &str =
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.PostgreSQL.html#CHAP_Target.PostgreSQL.Security";
const SELECTIONS: &str =
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.SelectionTransformation.Selections.html";

/// One replication as `check` sees it.
#[derive(Debug, Clone)]
pub struct Replication {
    pub name: String,
    pub source: String,
    pub target: String,
    /// `cdc` or `full-load-and-cdc`: the source's change log matters.
    pub cdc: bool,
    pub mapping: Json,
}

/// What was learnt of one endpoint.
#[derive(Debug, Clone)]
pub enum Probed {
    Database {
        engine: Engine,
        facts: Facts,
    },
    /// It could not be reached, or refused the login.
    Failed(ProbeError),
    /// Kafka: each broker and whether it accepted a TCP connection.
    Brokers(Vec<(String, Result<(), String>)>),
    /// An engine `check` cannot ask: what was not checked.
    NotChecked(String),
}

/// A finding under construction.
fn finding(endpoint: &str, replication: Option<&str>, check: &'static str) -> Finding {
    Finding {
        endpoint: endpoint.to_string(),
        replication: replication.map(str::to_string),
        check,
        status: Status::Pass,
        message: String::new(),
        help: None,
        doc: None,
    }
}

impl Finding {
    fn is(mut self, status: Status, message: impl Into<String>) -> Self {
        self.status = status;
        self.message = message.into();
        self
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    fn doc(mut self, doc: &'static str) -> Self {
        self.doc = Some(doc);
        self
    }
}

/// Every finding and selected table, from what each endpoint said. `targets` names each
/// target endpoint's identity (engine, host, port, database), so that two endpoints naming
/// one database count as one for overlaps.
pub fn all(
    replications: &[Replication],
    probed: &BTreeMap<String, Probed>,
    targets: &BTreeMap<String, String>,
) -> (Vec<Finding>, Vec<TableRow>) {
    let mut out = Vec::new();
    let mut tables = Vec::new();
    for (endpoint, p) in probed {
        out.extend(endpoint_wide(endpoint, p, replications));
    }
    // Where each target table is written from: (target identity, schema.table) -> replications.
    let mut writers: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in replications {
        let Some(Probed::Database { engine, facts }) = probed.get(&r.source) else {
            continue;
        };
        let case = source_case(*engine, facts);
        let selection = mapping::select(&r.mapping, &facts.tables, case);
        out.extend(selection_findings(r, *engine, facts, &selection));
        for t in &selection.tables {
            let target = format!("{}.{}", t.target_schema, t.target_table);
            tables.push(TableRow {
                replication: r.name.clone(),
                source: format!("{}.{}", t.source.schema, t.source.name),
                target: target.clone(),
                primary_key: t.source.primary_key,
            });
            let identity = targets.get(&r.target).cloned().unwrap_or(r.target.clone());
            writers
                .entry((identity, target.to_ascii_lowercase()))
                .or_default()
                .push(r.name.clone());
        }
        if let Some(Probed::Database { engine, facts }) = probed.get(&r.target) {
            out.extend(target_findings(r, *engine, facts, &selection));
        }
    }
    for ((_, table), mut names) in writers {
        names.dedup();
        if names.len() < 2 {
            continue;
        }
        for r in replications.iter().filter(|r| names.contains(&r.name)) {
            let others: Vec<&str> = names
                .iter()
                .filter(|n| **n != r.name)
                .map(String::as_str)
                .collect();
            out.push(
                finding(&r.target, Some(&r.name), "rules.overlap")
                    .is(
                        Status::Fail,
                        format!(
                            "writes target table `{table}`, which {} also write{}",
                            others.join(", "),
                            if others.len() == 1 { "s" } else { "" }
                        ),
                    )
                    .help("exclude the table from all but one replication, or rename it on the target")
                    .doc(SELECTIONS),
            );
        }
    }
    (out, tables)
}

/// How the source compares names: MySQL per `lower_case_table_names` (0: as stored, on
/// Linux), PostgreSQL as stored (unquoted names are folded to lower case when created).
pub(super) fn source_case(engine: Engine, facts: &Facts) -> Case {
    match engine {
        Engine::MySql
            if facts
                .settings
                .get("lower_case_table_names")
                .is_some_and(|v| v != "0") =>
        {
            Case::Insensitive
        }
        _ => Case::Sensitive,
    }
}

fn endpoint_wide(endpoint: &str, p: &Probed, replications: &[Replication]) -> Vec<Finding> {
    let base = |check| finding(endpoint, None, check);
    match p {
        Probed::Failed(e) => vec![base("connect")
            .is(Status::Fail, format!("cannot log in: {e}"))
            .help("check host, port, user and password; from outside the VPC, reach the database through a tunnel with --via ENDPOINT=HOST:PORT")],
        Probed::NotChecked(why) => vec![base("engine").is(Status::Skip, why.clone())],
        Probed::Brokers(brokers) => brokers
            .iter()
            .map(|(b, r)| match r {
                Ok(()) => base("kafka.broker").is(Status::Pass, format!("broker {b} accepts a connection")),
                Err(e) => base("kafka.broker")
                    .is(Status::Fail, format!("broker {b} does not accept a connection: {e}")),
            })
            .collect(),
        Probed::Database { engine, facts } => {
            let mut out = vec![base("connect").is(
                Status::Pass,
                format!("logged in ({})", facts.version),
            )];
            let cdc_sources: Vec<&Replication> = replications
                .iter()
                .filter(|r| r.source == endpoint && r.cdc)
                .collect();
            if !cdc_sources.is_empty() {
                out.extend(match engine {
                    Engine::MySql => mysql_binlog(endpoint, facts),
                    Engine::Postgres => pg_wal(endpoint, facts, cdc_sources.len()),
                });
            }
            out
        }
    }
}

fn setting<'a>(facts: &'a Facts, name: &str) -> &'a str {
    facts.settings.get(name).map_or("", String::as_str)
}

/// The binary log settings a MySQL-compatible CDC source needs.
fn mysql_binlog(endpoint: &str, f: &Facts) -> Vec<Finding> {
    let base = |check| finding(endpoint, None, check).doc(MYSQL_SOURCE_SELF);
    let mut out = Vec::new();
    let is = |name: &str, want: &str| setting(f, name).eq_ignore_ascii_case(want);
    out.push(if is("log_bin", "ON") || is("log_bin", "1") {
        base("mysql.log_bin").is(Status::Pass, "binary logging is on")
    } else {
        base("mysql.log_bin")
            .is(
                Status::Fail,
                "binary logging is off: CDC reads the binary log",
            )
            .help("start the server with log-bin (RDS: enable automatic backups)")
    });
    let format = setting(f, "binlog_format");
    out.push(if format.eq_ignore_ascii_case("ROW") {
        base("mysql.binlog_format").is(Status::Pass, "binlog_format is ROW")
    } else {
        base("mysql.binlog_format")
            .is(Status::Fail, format!("binlog_format is {format}, not ROW: STATEMENT and MIXED can make the target inconsistent"))
            .help("SET GLOBAL binlog_format = 'ROW' and in the server's configuration (RDS/Aurora: the parameter group)")
    });
    let image = setting(f, "binlog_row_image");
    out.push(if image.is_empty() || image.eq_ignore_ascii_case("FULL") {
        base("mysql.binlog_row_image").is(Status::Pass, "binlog_row_image is FULL")
    } else {
        base("mysql.binlog_row_image")
            .is(
                Status::Fail,
                format!("binlog_row_image is {image}, not FULL"),
            )
            .help("SET GLOBAL binlog_row_image = 'FULL' and in the configuration")
    });
    let checksum = setting(f, "binlog_checksum");
    out.push(if checksum.is_empty() || checksum.eq_ignore_ascii_case("NONE") {
        base("mysql.binlog_checksum").is(Status::Pass, "binlog_checksum is NONE")
    } else {
        base("mysql.binlog_checksum")
            .is(Status::Warn, format!("binlog_checksum is {checksum}: DMS 3.4.7 and earlier need NONE"))
            .help("on a DMS engine version after 3.4.7 this is fine; otherwise SET GLOBAL binlog_checksum = 'NONE'")
    });
    let id: i64 = setting(f, "server_id").parse().unwrap_or(0);
    out.push(if id >= 1 {
        base("mysql.server_id").is(Status::Pass, format!("server_id is {id}"))
    } else {
        base("mysql.server_id")
            .is(Status::Fail, "server_id is 0: it must be 1 or greater")
            .help("set server_id in the server's configuration")
    });
    out.push(mysql_retention(endpoint, f));
    out
}

fn mysql_retention(endpoint: &str, f: &Facts) -> Finding {
    let check = "mysql.binlog_retention";
    if let Some(hours) = f.rds_retention_hours {
        let base = finding(endpoint, None, check).doc(MYSQL_SOURCE_RDS);
        let fix = "call mysql.rds_set_configuration('binlog retention hours', 24);";
        return match hours {
            Some(h) if h >= 24 => base.is(Status::Pass, format!("binlog retention hours is {h}")),
            Some(h) => base
                .is(Status::Fail, format!("binlog retention hours is {h}: under 24, a stopped replication can lose its place"))
                .help(fix),
            None => base
                .is(Status::Fail, "binlog retention hours is NULL: RDS purges binary logs as soon as it can")
                .help(fix),
        };
    }
    let base = finding(endpoint, None, check).doc(MYSQL_SOURCE_SELF);
    let seconds: i64 = setting(f, "binlog_expire_logs_seconds")
        .parse()
        .unwrap_or(0);
    let days: f64 = setting(f, "expire_logs_days").parse().unwrap_or(0.0);
    let retention = if seconds > 0 {
        seconds
    } else {
        (days * 86_400.0) as i64
    };
    match retention {
        0 => base
            .is(Status::Warn, "binary logs never expire (binlog_expire_logs_seconds and expire_logs_days are 0): DMS asks for 1 day or more, and the disk fills")
            .help("set binlog_expire_logs_seconds = 86400 (or expire_logs_days = 1) or more"),
        r if r < 86_400 => base
            .is(Status::Fail, format!("binary logs expire after {r} s, under the day DMS asks for"))
            .help("set binlog_expire_logs_seconds = 86400 or more"),
        r => base.is(Status::Pass, format!("binary logs are kept {} h", r / 3600)),
    }
}

/// The WAL settings a PostgreSQL CDC source needs, for `cdc_replications` from it.
fn pg_wal(endpoint: &str, f: &Facts, cdc_replications: usize) -> Vec<Finding> {
    let base = |check| finding(endpoint, None, check).doc(PG_CDC);
    let mut out = Vec::new();
    let wal = setting(f, "wal_level");
    let rds = setting(f, "rds.logical_replication");
    out.push(if wal == "logical" {
        base("postgres.wal_level").is(Status::Pass, "wal_level is logical")
    } else {
        base("postgres.wal_level")
            .is(Status::Fail, format!("wal_level is {wal}, not logical: DMS reads changes through logical replication"))
            .help(if rds.is_empty() {
                "set wal_level = logical and restart PostgreSQL"
            } else {
                "set rds.logical_replication = 1 in the DB parameter group and reboot"
            })
    });
    let need = i64::try_from(cdc_replications).unwrap_or(i64::MAX) + f.slots_in_use;
    let slots: i64 = setting(f, "max_replication_slots").parse().unwrap_or(0);
    out.push(if slots >= need {
        base("postgres.max_replication_slots").is(
            Status::Pass,
            format!("max_replication_slots is {slots}: enough for {cdc_replications} CDC replication(s) and {} slot(s) in use", f.slots_in_use),
        )
    } else {
        base("postgres.max_replication_slots")
            .is(Status::Fail, format!("max_replication_slots is {slots}: {cdc_replications} CDC replication(s) need a slot each, and {} are in use", f.slots_in_use))
            .help(format!("set max_replication_slots to {need} or more"))
    });
    let senders: i64 = setting(f, "max_wal_senders").parse().unwrap_or(0);
    out.push(if senders > 1 && senders >= need {
        base("postgres.max_wal_senders").is(Status::Pass, format!("max_wal_senders is {senders}"))
    } else {
        base("postgres.max_wal_senders")
            .is(
                Status::Fail,
                format!("max_wal_senders is {senders}: each CDC replication holds a WAL sender"),
            )
            .help(format!("set max_wal_senders to {} or more", need.max(2)))
    });
    let timeout = setting(f, "wal_sender_timeout");
    let ms: i64 = timeout
        .strip_suffix("ms")
        .map(|v| v.parse().unwrap_or(-1))
        .or_else(|| {
            timeout
                .strip_suffix('s')
                .map(|v| v.parse::<i64>().map_or(-1, |s| s * 1000))
        })
        .unwrap_or_else(|| timeout.parse().unwrap_or(-1));
    out.push(if ms == 0 || ms >= 10_000 {
        base("postgres.wal_sender_timeout")
            .is(Status::Pass, format!("wal_sender_timeout is {timeout}"))
    } else {
        base("postgres.wal_sender_timeout")
            .is(
                Status::Fail,
                format!("wal_sender_timeout is {timeout}: DMS needs 0 or at least 10 s"),
            )
            .help("set wal_sender_timeout = 0, or between 10s and 5min")
    });
    out.push(pg_role(endpoint, f));
    out
}

fn pg_role(endpoint: &str, f: &Facts) -> Finding {
    let base = finding(endpoint, None, "postgres.replication_role").doc(PG_USER);
    let r = &f.role;
    if r.superuser {
        base.is(Status::Pass, "the user is a superuser")
    } else if r.rds_superuser && r.rds_replication {
        base.is(
            Status::Pass,
            "the user has rds_superuser and rds_replication",
        )
    } else if r.replication {
        base.is(Status::Warn, "the user has REPLICATION but is no superuser: the DMS user guide asks for superuser on self-managed PostgreSQL (rds_superuser and rds_replication on RDS)")
    } else {
        base.is(Status::Fail, "the user may not replicate: it is no superuser, has no REPLICATION, nor rds_superuser with rds_replication")
            .help("ALTER USER … WITH SUPERUSER (self-managed), or GRANT rds_superuser, rds_replication TO … (RDS, Aurora)")
    }
}

/// A grant line of `SHOW GRANTS`: its privileges and the object it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grant {
    privileges: Vec<String>,
    /// `None` for `*` (any).
    schema: Option<String>,
    table: Option<String>,
}

fn unquote(s: &str) -> Option<String> {
    let s = s.trim();
    (s != "*").then(|| s.trim_matches('`').replace("``", "`").replace("\\_", "_"))
}

/// The object grants of `SHOW GRANTS` (role grants, without `ON`, are left out).
fn grants(lines: &[String]) -> Vec<Grant> {
    lines
        .iter()
        .filter_map(|l| {
            let rest = l.strip_prefix("GRANT ")?;
            let (privs, rest) = rest.split_once(" ON ")?;
            let object = rest.split(" TO ").next()?.trim();
            let object = object.strip_prefix("TABLE ").unwrap_or(object);
            let (schema, table) = object.split_once('.')?;
            Some(Grant {
                privileges: privs
                    .split(", ")
                    .map(|p| p.trim().to_ascii_uppercase())
                    .collect(),
                schema: unquote(schema),
                table: unquote(table),
            })
        })
        .collect()
}

/// Whether the grants give `privilege` on `schema.table` (`table: None`: on the schema's
/// every table, as `schema.*`).
fn granted(grants: &[Grant], privilege: &str, schema: &str, table: Option<&str>) -> bool {
    grants.iter().any(|g| {
        let has = g
            .privileges
            .iter()
            .any(|p| p == privilege || p == "ALL PRIVILEGES" || p == "ALL");
        let schema_ok = g.schema.as_deref().is_none_or(|s| {
            if s.contains('%') || s.contains('_') {
                mapping::matches(s, schema, Case::Sensitive)
            } else {
                s == schema
            }
        });
        let table_ok = match (&g.table, table) {
            (None, _) => true,
            (Some(t), Some(want)) => t == want,
            (Some(_), None) => false,
        };
        has && schema_ok && table_ok
    })
}

fn first(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(5).map(String::as_str).collect();
    let more = items.len().saturating_sub(5);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// What a replication's rules select from its source, and whether it can read and capture it.
fn selection_findings(r: &Replication, engine: Engine, f: &Facts, s: &Selection) -> Vec<Finding> {
    let mut out = rule_findings(r, s);
    if s.tables.is_empty() {
        return out;
    }
    let base = |check| finding(&r.source, Some(&r.name), check);
    let g = grants(&f.grants);
    // SELECT on every selected table.
    let unreadable = match engine {
        Engine::Postgres => names(s, |t| t.source.readable == Some(false)),
        Engine::MySql => names(s, |t| {
            !granted(&g, "SELECT", &t.source.schema, Some(&t.source.name))
        }),
    };
    out.push(if unreadable.is_empty() {
        base("source.select").is(Status::Pass, "the user may SELECT every selected table")
    } else {
        base("source.select")
            .is(
                Status::Fail,
                format!("the user may not SELECT {}", first(&unreadable)),
            )
            .help("GRANT SELECT on the selected tables (or their schema) to the DMS user")
            .doc(match engine {
                Engine::MySql => MYSQL_PRIVILEGES,
                Engine::Postgres => PG_USER,
            })
    });
    if engine == Engine::MySql && r.cdc {
        out.push(replication_grants(r, &g));
    }
    out.push(keys(r, engine, s));
    if engine == Engine::MySql {
        let other = names(s, |t| {
            !t.source.view && !t.source.engine.eq_ignore_ascii_case("InnoDB")
        });
        if !other.is_empty() {
            out.push(
                base("mysql.engine")
                    .is(
                        Status::Warn,
                        format!(
                            "not InnoDB: {}; the DMS assessments flag other engines",
                            first(&other)
                        ),
                    )
                    .doc(MYSQL_ASSESSMENTS),
            );
        }
    }
    out
}

/// The selected tables for which `pred` holds, as `schema.table`.
fn names(s: &Selection, pred: impl Fn(&mapping::Selected) -> bool) -> Vec<String> {
    s.tables
        .iter()
        .filter(|t| pred(t))
        .map(|t| format!("{}.{}", t.source.schema, t.source.name))
        .collect()
}

/// Rules that select nothing, and whether the replication selects anything at all.
fn rule_findings(r: &Replication, s: &Selection) -> Vec<Finding> {
    let base = |check| finding(&r.source, Some(&r.name), check).doc(SELECTIONS);
    let mut out: Vec<Finding> = s
        .unmatched
        .iter()
        .map(|u| {
            let w = base("rules.selects_nothing").is(
                Status::Warn,
                format!("rule `{}` ({}) selects no table", u.rule, u.locator),
            );
            if u.nearest.is_empty() {
                w
            } else {
                w.help(format!("nearest tables: {}", u.nearest.join(", ")))
            }
        })
        .collect();
    out.push(if s.tables.is_empty() {
        base("rules.selection").is(Status::Fail, "the rules select no table of the source")
    } else {
        base("rules.selection").is(
            Status::Pass,
            format!("the rules select {} table(s)", s.tables.len()),
        )
    });
    out
}

/// REPLICATION CLIENT and REPLICATION SLAVE on `*.*`, which MySQL CDC needs.
fn replication_grants(r: &Replication, g: &[Grant]) -> Finding {
    let base = finding(&r.source, Some(&r.name), "mysql.replication_grants");
    let missing: Vec<String> = ["REPLICATION CLIENT", "REPLICATION SLAVE"]
        .iter()
        // MariaDB 10.5.2 and later: BINLOG MONITOR serves in place of REPLICATION CLIENT.
        .filter(|p| {
            let monitor = **p == "REPLICATION CLIENT" && granted(g, "BINLOG MONITOR", "", None);
            !(granted(g, p, "", None) || monitor)
        })
        .map(|p| p.to_string())
        .collect();
    if missing.is_empty() {
        return base.is(
            Status::Pass,
            "the user has REPLICATION CLIENT and REPLICATION SLAVE",
        );
    }
    base.is(
        Status::Fail,
        format!(
            "the user lacks {} on *.*: CDC needs them",
            missing.join(" and ")
        ),
    )
    .help(format!(
        "GRANT {} ON *.* TO the DMS user",
        missing.join(", ")
    ))
    .doc(MYSQL_PRIVILEGES)
}

/// Primary keys: DMS does not apply UPDATE and DELETE of a PostgreSQL table without one; on
/// MySQL a unique key serves, and the assessments flag tables with neither.
fn keys(r: &Replication, engine: Engine, s: &Selection) -> Finding {
    let base = finding(&r.source, Some(&r.name), "source.primary_key");
    let keyless = match engine {
        Engine::Postgres => names(s, |t| !t.source.primary_key && !t.source.view),
        Engine::MySql => names(s, |t| {
            !t.source.primary_key && !t.source.unique_key && !t.source.view
        }),
    };
    match (keyless.is_empty(), engine, r.cdc) {
        (true, _, _) => base.is(Status::Pass, "every selected table has a primary key"),
        (false, Engine::Postgres, true) => base
            .is(
                Status::Fail,
                format!(
                    "no primary key: {}; DMS ignores their UPDATE and DELETE",
                    first(&keyless)
                ),
            )
            .help("add a primary key, or set REPLICA IDENTITY FULL on those tables")
            .doc(PG_LIMITS),
        (false, Engine::MySql, _) => base
            .is(
                Status::Warn,
                format!(
                    "no primary or unique key: {}; changes to them are applied by matching every column, slowly, and duplicates are possible",
                    first(&keyless)
                ),
            )
            .help("add a primary key")
            .doc(MYSQL_ASSESSMENTS),
        (false, _, _) => base
            .is(Status::Warn, format!("no primary key: {}", first(&keyless)))
            .doc(PG_LIMITS),
    }
}

/// Whether the target's user can create and write the tables the rules produce.
fn target_findings(r: &Replication, engine: Engine, f: &Facts, s: &Selection) -> Vec<Finding> {
    let mut schemas: Vec<&str> = s.tables.iter().map(|t| t.target_schema.as_str()).collect();
    schemas.sort_unstable();
    schemas.dedup();
    let base = |check| finding(&r.target, Some(&r.name), check);
    let mut missing = Vec::new();
    for schema in &schemas {
        let existing = f.schemas.iter().find(|x| x.name == *schema);
        let ok = match engine {
            Engine::MySql => {
                let g = grants(&f.grants);
                let needed = [
                    "CREATE", "ALTER", "DROP", "INDEX", "INSERT", "UPDATE", "DELETE", "SELECT",
                ];
                let on_schema = needed.iter().all(|p| granted(&g, p, schema, None));
                // A missing schema is created: that needs CREATE on it (or on *.*).
                on_schema && (existing.is_some() || granted(&g, "CREATE", schema, None))
            }
            Engine::Postgres => match existing {
                Some(x) => x.create,
                None => f.database_create,
            },
        };
        if !ok {
            missing.push(format!(
                "{schema}{}",
                if existing.is_none() {
                    " (to be created)"
                } else {
                    ""
                }
            ));
        }
    }
    let doc = match engine {
        Engine::MySql => MYSQL_TARGET,
        Engine::Postgres => PG_TARGET,
    };
    vec![if missing.is_empty() {
        base("target.privileges").is(
            Status::Pass,
            format!(
                "the user may create and write tables in {}",
                if schemas.is_empty() {
                    "-".to_string()
                } else {
                    schemas.join(", ")
                }
            ),
        )
    } else {
        base("target.privileges")
            .is(Status::Fail, format!("the user may not create and write tables in {}", first(&missing)))
            .help(match engine {
                Engine::MySql => "GRANT ALTER, CREATE, DROP, INDEX, INSERT, UPDATE, DELETE, SELECT ON <schema>.* TO the DMS user",
                Engine::Postgres => "make the user the schema's owner, or GRANT USAGE, CREATE ON SCHEMA <schema> (and CREATE ON DATABASE to create one)",
            })
            .doc(doc)
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::mapping::Table;
    use serde_json::json;

    fn facts(settings: &[(&str, &str)]) -> Facts {
        Facts {
            version: "10.11".into(),
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Facts::default()
        }
    }

    fn status(findings: &[Finding], check: &str) -> Status {
        findings
            .iter()
            .find(|f| f.check == check)
            .unwrap_or_else(|| panic!("no {check} in {findings:#?}"))
            .status
    }

    #[test]
    fn mysql_binlog_settings() {
        let good = facts(&[
            ("log_bin", "ON"),
            ("binlog_format", "ROW"),
            ("binlog_row_image", "FULL"),
            ("binlog_checksum", "NONE"),
            ("server_id", "1"),
            ("binlog_expire_logs_seconds", "86400"),
        ]);
        let f = mysql_binlog("src", &good);
        assert!(f.iter().all(|x| x.status == Status::Pass), "{f:#?}");
        let bad = facts(&[
            ("log_bin", "OFF"),
            ("binlog_format", "STATEMENT"),
            ("binlog_row_image", "MINIMAL"),
            ("binlog_checksum", "CRC32"),
            ("server_id", "0"),
            ("binlog_expire_logs_seconds", "3600"),
        ]);
        let f = mysql_binlog("src", &bad);
        for check in [
            "mysql.log_bin",
            "mysql.binlog_format",
            "mysql.binlog_row_image",
            "mysql.server_id",
            "mysql.binlog_retention",
        ] {
            assert_eq!(status(&f, check), Status::Fail, "{check}");
        }
        assert_eq!(status(&f, "mysql.binlog_checksum"), Status::Warn);
        let mut rds = good.clone();
        rds.rds_retention_hours = Some(None);
        assert_eq!(mysql_retention("src", &rds).status, Status::Fail);
        rds.rds_retention_hours = Some(Some(24));
        assert_eq!(mysql_retention("src", &rds).status, Status::Pass);
    }

    #[test]
    fn postgres_wal_settings_and_role() {
        let mut f = facts(&[
            ("wal_level", "logical"),
            ("max_replication_slots", "2"),
            ("max_wal_senders", "10"),
            ("wal_sender_timeout", "60000ms"),
        ]);
        f.role.superuser = true;
        f.slots_in_use = 1;
        let got = pg_wal("src", &f, 1);
        assert!(got.iter().all(|x| x.status == Status::Pass), "{got:#?}");
        let got = pg_wal("src", &f, 2);
        assert_eq!(status(&got, "postgres.max_replication_slots"), Status::Fail);
        f.settings.insert("wal_level".into(), "replica".into());
        f.settings
            .insert("wal_sender_timeout".into(), "5000ms".into());
        f.role.superuser = false;
        let got = pg_wal("src", &f, 1);
        assert_eq!(status(&got, "postgres.wal_level"), Status::Fail);
        assert_eq!(status(&got, "postgres.wal_sender_timeout"), Status::Fail);
        assert_eq!(status(&got, "postgres.replication_role"), Status::Fail);
        f.role.replication = true;
        assert_eq!(pg_role("src", &f).status, Status::Warn);
        f.role = crate::check::probe::PgRole {
            rds_superuser: true,
            rds_replication: true,
            ..Default::default()
        };
        assert_eq!(pg_role("src", &f).status, Status::Pass);
    }

    #[test]
    fn mysql_grants_are_read_from_show_grants() {
        let g = grants(&[
            "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `dms`@`%` IDENTIFIED BY PASSWORD '*X'".into(),
            "GRANT SELECT ON `app`.* TO `dms`@`%`".into(),
            "GRANT SELECT, INSERT ON `other`.`t1` TO `dms`@`%`".into(),
            "GRANT `reader` TO `dms`@`%`".into(),
        ]);
        assert!(granted(&g, "REPLICATION SLAVE", "", None));
        assert!(granted(&g, "SELECT", "app", Some("anything")));
        assert!(granted(&g, "SELECT", "other", Some("t1")));
        assert!(!granted(&g, "SELECT", "other", Some("t2")));
        assert!(!granted(&g, "SELECT", "other", None));
        let all =
            grants(&["GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION".into()]);
        assert!(granted(&all, "CREATE", "new_schema", None));
    }

    fn t(schema: &str, name: &str, pk: bool) -> Table {
        Table {
            schema: schema.into(),
            name: name.into(),
            view: false,
            engine: "InnoDB".into(),
            primary_key: pk,
            unique_key: false,
            readable: Some(true),
        }
    }

    #[test]
    fn two_replications_writing_one_target_table_fail_naming_both() {
        let mapping = |table: &str| {
            json!({"rules": [{"rule-type": "selection", "rule-name": "1", "rule-action": "include",
                "object-locator": {"schema-name": "app", "table-name": table}}]})
        };
        let replications = vec![
            Replication {
                name: "a".into(),
                source: "src".into(),
                target: "dst".into(),
                cdc: false,
                mapping: mapping("%"),
            },
            Replication {
                name: "b".into(),
                source: "src".into(),
                target: "dst2".into(),
                cdc: false,
                mapping: mapping("orders"),
            },
        ];
        let mut f = facts(&[]);
        f.tables = vec![t("app", "orders", true), t("app", "items", false)];
        f.grants = vec!["GRANT ALL PRIVILEGES ON *.* TO `root`@`%`".into()];
        let db = Probed::Database {
            engine: Engine::MySql,
            facts: f,
        };
        let probed = BTreeMap::from([
            ("src".to_string(), db.clone()),
            ("dst".to_string(), db.clone()),
            ("dst2".to_string(), db),
        ]);
        // Two endpoint names, one database.
        let targets = BTreeMap::from([
            ("dst".to_string(), "mysql://h:3306".to_string()),
            ("dst2".to_string(), "mysql://h:3306".to_string()),
        ]);
        let (findings, tables) = all(&replications, &probed, &targets);
        let overlaps: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.check == "rules.overlap")
            .collect();
        assert_eq!(overlaps.len(), 2, "{findings:#?}");
        assert_eq!(
            overlaps[0].message,
            "writes target table `app.orders`, which b also writes"
        );
        assert_eq!(tables.len(), 3);
        // The keyless table is a warning on MySQL.
        assert!(findings.iter().any(|f| f.check == "source.primary_key"
            && f.status == Status::Warn
            && f.message.contains("app.items")));
    }
}
