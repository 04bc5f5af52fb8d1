//! `dmsctl check`: will these databases replicate? The source and target of each replication
//! are asked, read only, what would break it — binlog and WAL settings, grants, tables without
//! keys, rules that select nothing, two replications writing one table — before DMS is.
//!
//! Three stages, like the rest of dmsctl: [`probe`] connects and reads each database's facts
//! with a handful of catalog queries (never one per table or replication); [`findings`] turns
//! facts and the spec into [`Finding`]s, purely; [`render`] prints them. Every rule cites the
//! page of the DMS user guide it comes from (the `doc` of its finding).

pub mod findings;
pub mod mapping;
pub mod probe;
pub mod render;

use std::collections::BTreeMap;

use serde::Serialize;

/// The JSON report's format version.
pub const FORMAT_VERSION: u32 = 1;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    /// Not checked (an engine dmsctl cannot ask, or a database that could not be reached for
    /// a check that needs it).
    Skip,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

/// One thing checked about an endpoint, for one replication or (`replication: None`) for the
/// endpoint as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub endpoint: String,
    pub replication: Option<String>,
    /// A stable dotted name (`mysql.binlog_format`).
    pub check: &'static str,
    pub status: Status,
    pub message: String,
    pub help: Option<String>,
    /// The DMS user guide page the rule comes from.
    pub doc: Option<&'static str>,
}

/// A table a replication selects, where it lands, and whether it has a primary key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRow {
    pub replication: String,
    pub source: String,
    pub target: String,
    pub primary_key: bool,
}

/// Counts by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
}

/// Everything `check` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub format_version: u32,
    pub stack: String,
    pub findings: Vec<Finding>,
    pub tables: Vec<TableRow>,
    pub summary: Summary,
}

impl Report {
    pub fn new(stack: &str, mut findings: Vec<Finding>, mut tables: Vec<TableRow>) -> Report {
        tables.sort_by(|a, b| (&a.replication, &a.source).cmp(&(&b.replication, &b.source)));
        findings.sort_by(|a, b| {
            (&a.replication, &a.endpoint, a.check).cmp(&(&b.replication, &b.endpoint, b.check))
        });
        let mut summary = Summary::default();
        for f in &findings {
            *match f.status {
                Status::Pass => &mut summary.pass,
                Status::Warn => &mut summary.warn,
                Status::Fail => &mut summary.fail,
                Status::Skip => &mut summary.skip,
            } += 1;
        }
        Report {
            format_version: FORMAT_VERSION,
            stack: stack.to_string(),
            findings,
            tables,
            summary,
        }
    }

    /// Whether the check passed: no failure (and, with `strict`, no warning).
    pub fn ok(&self, strict: bool) -> bool {
        self.summary.fail == 0 && !(strict && self.summary.warn > 0)
    }

    /// The findings grouped by replication (`None` first: the endpoint-wide ones).
    pub fn grouped(&self) -> BTreeMap<Option<&str>, Vec<&Finding>> {
        let mut out: BTreeMap<Option<&str>, Vec<&Finding>> = BTreeMap::new();
        for f in &self.findings {
            out.entry(f.replication.as_deref()).or_default().push(f);
        }
        out
    }
}

/// How `check` runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only these replications (logical names); all when empty.
    pub names: Vec<String>,
    /// Endpoint name -> (host, port) to connect to instead of the spec's.
    pub via: BTreeMap<String, (String, u16)>,
    pub ca_file: Option<std::path::PathBuf>,
    pub timeout: std::time::Duration,
    pub write_test: bool,
}

/// The replications of `desired` that `opts` names, as `check` reads them.
pub fn replications(
    desired: &crate::model::Desired,
    names: &[String],
) -> Result<Vec<findings::Replication>, String> {
    let mut all: Vec<findings::Replication> = desired
        .tasks
        .iter()
        .map(|(n, t)| findings::Replication {
            name: n.clone(),
            source: t.source_endpoint.clone(),
            target: t.target_endpoint.clone(),
            cdc: t.migration_type != "full-load",
            mapping: t.table_mappings.clone(),
        })
        .chain(
            desired
                .replication_configs
                .iter()
                .map(|(n, r)| findings::Replication {
                    name: n.clone(),
                    source: r.source_endpoint.clone(),
                    target: r.target_endpoint.clone(),
                    cdc: r.replication_type != "full-load",
                    mapping: r.table_mappings.clone(),
                }),
        )
        .collect();
    if let Some(unknown) = names.iter().find(|n| !all.iter().any(|r| &r.name == *n)) {
        let known: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
        return Err(format!(
            "no replication `{unknown}` in the spec (it has {})",
            crate::spec::diagnostic::one_of(&known)
        ));
    }
    if !names.is_empty() {
        all.retain(|r| names.contains(&r.name));
    }
    Ok(all)
}

/// The engine `check` speaks for a DMS engine name, if any.
pub fn engine(name: &str) -> Option<probe::Engine> {
    match name {
        "mysql" | "mariadb" | "aurora" => Some(probe::Engine::MySql),
        "postgres" | "aurora-postgresql" => Some(probe::Engine::Postgres),
        _ => None,
    }
}

/// What one endpoint is asked, given its resolved password (`Err`: why there is none).
pub async fn probe_endpoint(
    name: &str,
    e: &crate::model::DesiredEndpoint,
    password: Result<Option<crate::cloud::SecretValue>, String>,
    role: probe::Role,
    opts: &Options,
) -> findings::Probed {
    use findings::Probed;
    if e.engine_name == "kafka" {
        let brokers: Vec<String> = e
            .settings
            .get("KafkaSettings")
            .and_then(|k| k.get("Broker"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .split(',')
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect();
        let checks = brokers
            .iter()
            .map(|b| async move { (b.clone(), probe::reachable(b, opts.timeout).await) });
        return Probed::Brokers(futures_util::future::join_all(checks).await);
    }
    let Some(engine) = engine(e.engine_name) else {
        return Probed::NotChecked(format!(
            "dmsctl cannot check {} endpoints: nothing was checked here (DMS tests the connection when a replication starts, and `dmsctl test-connection` asks DMS on instances)",
            e.engine_name
        ));
    };
    let password = match password {
        Ok(p) => p,
        Err(why) => return Probed::Failed(probe::ProbeError::Refused(why)),
    };
    let addr = address(name, e, engine, password, opts);
    match probe::probe(&addr, role).await {
        Ok(facts) => Probed::Database { engine, facts },
        Err(e) => Probed::Failed(e),
    }
}

/// Where and how to reach an endpoint's database: its spec host and port, or `--via`'s.
pub fn address(
    name: &str,
    e: &crate::model::DesiredEndpoint,
    engine: probe::Engine,
    password: Option<crate::cloud::SecretValue>,
    opts: &Options,
) -> probe::Address {
    let default_port = match engine {
        probe::Engine::MySql => 3306,
        probe::Engine::Postgres => 5432,
    };
    let (host, port) = match opts.via.get(name) {
        Some((h, p)) => (h.clone(), *p),
        None => (
            e.server_name.clone().unwrap_or_default(),
            e.port
                .and_then(|p| u16::try_from(p).ok())
                .unwrap_or(default_port),
        ),
    };
    let tls = match e.ssl_mode.unwrap_or("none") {
        "require" => probe::Tls::Require,
        "verify-ca" => probe::Tls::VerifyCa,
        "verify-full" => probe::Tls::VerifyFull,
        _ => probe::Tls::Off,
    };
    probe::Address {
        engine,
        host,
        port,
        database: e.database_name.clone(),
        username: e.username.clone().unwrap_or_default(),
        password,
        tls,
        ca_file: opts.ca_file.clone(),
        timeout: opts.timeout,
    }
}

/// The `--write-test` findings of one target: a scratch table created, filled and dropped
/// in each schema its replications write.
pub async fn write_tests(
    endpoint: &str,
    addr: &probe::Address,
    schemas: &[String],
) -> Vec<Finding> {
    let base = |status, message: String| Finding {
        endpoint: endpoint.to_string(),
        replication: None,
        check: "target.write_test",
        status,
        message,
        help: None,
        doc: None,
    };
    match probe::write_test(addr, schemas).await {
        Err(e) => vec![base(
            Status::Fail,
            format!("cannot log in for the write test: {e}"),
        )],
        Ok(results) => results
            .into_iter()
            .map(|(schema, r)| match r {
                Ok(()) => base(
                    Status::Pass,
                    format!("created, wrote and dropped a table in {schema}"),
                ),
                Err(e) => base(Status::Fail, format!("cannot write in {schema}: {e}")),
            })
            .collect(),
    }
}

/// The schemas each target endpoint receives, from what the rules select on the sources.
pub fn target_schemas(
    replications: &[findings::Replication],
    probed: &BTreeMap<String, findings::Probed>,
) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in replications {
        let Some(findings::Probed::Database { engine, facts }) = probed.get(&r.source) else {
            continue;
        };
        let case = findings::source_case(*engine, facts);
        let schemas = out.entry(r.target.clone()).or_default();
        for t in mapping::select(&r.mapping, &facts.tables, case).tables {
            if !schemas.contains(&t.target_schema) {
                schemas.push(t.target_schema);
            }
        }
    }
    out
}

/// What identifies a target database, so that two endpoints naming one count as one.
pub fn identity(e: &crate::model::DesiredEndpoint, via: Option<&(String, u16)>) -> String {
    let (host, port) = match via {
        Some((h, p)) => (h.clone(), i64::from(*p)),
        None => (
            e.server_name.clone().unwrap_or_default(),
            e.port.unwrap_or_default(),
        ),
    };
    format!(
        "{}://{}:{port}/{}",
        e.engine_name,
        host.to_ascii_lowercase(),
        e.database_name.as_deref().unwrap_or_default()
    )
}

/// An endpoint with the password `check` logs in with (`Err`: why there is none).
pub type Resolved = (
    crate::model::DesiredEndpoint,
    Result<Option<crate::cloud::SecretValue>, String>,
);

/// The endpoints of `replications`, each with its role.
pub fn roles(replications: &[findings::Replication]) -> BTreeMap<String, probe::Role> {
    let mut roles = BTreeMap::new();
    for r in replications {
        roles.insert(r.source.clone(), probe::Role::Source);
        roles.entry(r.target.clone()).or_insert(probe::Role::Target);
    }
    roles
}

/// Checks `replications`: every endpoint of `roles` probed at once, the findings made, and
/// with `opts.write_test` the targets written to. Returns the report and the number of
/// database queries made.
pub async fn run(
    desired: &crate::model::Desired,
    replications: &[findings::Replication],
    roles: &BTreeMap<String, probe::Role>,
    endpoints: &BTreeMap<String, Resolved>,
    opts: &Options,
) -> (Report, usize) {
    let probes = roles.iter().filter_map(|(name, role)| {
        let (e, password) = endpoints.get(name)?;
        Some(async move {
            let p = probe_endpoint(name, e, password.clone(), *role, opts).await;
            (name.clone(), p)
        })
    });
    let probed: BTreeMap<String, findings::Probed> = futures_util::future::join_all(probes)
        .await
        .into_iter()
        .collect();
    let targets: BTreeMap<String, String> = desired
        .endpoints
        .iter()
        .map(|(n, e)| (n.clone(), identity(e, opts.via.get(n))))
        .collect();
    let (mut found, tables) = findings::all(replications, &probed, &targets);
    if opts.write_test {
        for (target, schemas) in target_schemas(replications, &probed) {
            let (Some(findings::Probed::Database { engine, .. }), Some((e, Ok(password)))) =
                (probed.get(&target), endpoints.get(&target))
            else {
                continue;
            };
            let addr = address(&target, e, *engine, password.clone(), opts);
            found.extend(write_tests(&target, &addr, &schemas).await);
        }
    }
    let queries = probed
        .values()
        .map(|p| match p {
            findings::Probed::Database { facts, .. } => facts.queries,
            _ => 0,
        })
        .sum();
    (Report::new(&desired.stack, found, tables), queries)
}
