//! The I/O of `check`: connect to a database as its endpoint says (or through `--via`), and read
//! its facts with a fixed handful of catalog and settings queries — never one per table or per
//! replication. Nothing here writes, but the opt-in write test of a target.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use sqlx::{Connection, Row};

use super::mapping::Table;
use crate::cloud::SecretValue;

/// The engines `check` can ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// MySQL, MariaDB, Aurora MySQL.
    MySql,
    /// PostgreSQL, Aurora PostgreSQL.
    Postgres,
}

/// TLS as the endpoint's `ssl_mode` says: `require` encrypts, `verify-ca` and `verify-full`
/// also verify the server's certificate against `ca_file`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    Off,
    Require,
    VerifyCa,
    VerifyFull,
}

/// Where and how to log in.
#[derive(Debug, Clone)]
pub struct Address {
    pub engine: Engine,
    pub host: String,
    pub port: u16,
    pub database: Option<String>,
    pub username: String,
    pub password: Option<SecretValue>,
    pub tls: Tls,
    pub ca_file: Option<PathBuf>,
    pub timeout: Duration,
}

/// What a source or target database said about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub version: String,
    /// Server variables (MySQL) or settings (PostgreSQL) the checks read, lowercase names.
    pub settings: BTreeMap<String, String>,
    /// MySQL: `SHOW GRANTS` lines of the user; PostgreSQL: empty.
    pub grants: Vec<String>,
    /// MySQL on RDS or Aurora: "binlog retention hours" of `mysql.rds_configuration`
    /// (`Some(None)`: NULL); `None` where the table does not exist (self-managed).
    pub rds_retention_hours: Option<Option<i64>>,
    /// PostgreSQL: the user's role attributes and memberships.
    pub role: PgRole,
    /// PostgreSQL: replication slots already in use.
    pub slots_in_use: i64,
    /// The schemas that exist, with (PostgreSQL) whether the user may create in them.
    pub schemas: Vec<Schema>,
    /// PostgreSQL: whether the user may create schemas in the database.
    pub database_create: bool,
    /// The user's tables and views (sources only).
    pub tables: Vec<Table>,
    /// Queries made, for `-v` and the benchmark.
    pub queries: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PgRole {
    pub superuser: bool,
    pub replication: bool,
    pub rds_superuser: bool,
    pub rds_replication: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub name: String,
    /// The user may create tables in it (PostgreSQL: CREATE, or owns it).
    pub create: bool,
}

/// Why a database could not be asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot connect to {host}:{port} within {secs} s")]
    Timeout { host: String, port: u16, secs: u64 },
    #[error("{0}")]
    Refused(String),
    #[error("query failed: {0}")]
    Query(String),
}

/// Whether `check` reads a source's catalog (tables and keys) or only what a target needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Source,
    Target,
}

/// Connects and reads the facts `role` needs.
pub async fn probe(addr: &Address, role: Role) -> Result<Facts, ProbeError> {
    match addr.engine {
        Engine::MySql => {
            let o = mysql_options(addr);
            let mut conn = within(addr, sqlx::MySqlConnection::connect_with(&o)).await?;
            mysql_facts(&mut conn, role).await
        }
        Engine::Postgres => {
            let o = pg_options(addr);
            let mut conn = within(addr, sqlx::PgConnection::connect_with(&o)).await?;
            pg_facts(&mut conn, role).await
        }
    }
}

/// Creates, fills and drops a scratch table in each of `schemas` (creating a missing schema
/// first, as DMS would): `--write-test`. `Ok` lists the schemas written, per schema an error
/// otherwise.
pub async fn write_test(
    addr: &Address,
    schemas: &[String],
) -> Result<Vec<(String, Result<(), String>)>, ProbeError> {
    let mut out = Vec::new();
    match addr.engine {
        Engine::MySql => {
            let o = mysql_options(addr);
            let mut conn = within(addr, sqlx::MySqlConnection::connect_with(&o)).await?;
            let mut n = 0;
            let sql = "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata";
            let existing: Vec<String> = my_rows(&mut conn, sql.into(), &mut n)
                .await?
                .iter()
                .map(|r| text(r, 0))
                .collect();
            for s in schemas {
                let steps = write_steps(&quote_mysql(s), !existing.contains(s), "DATABASE");
                out.push((s.clone(), run_all(&mut conn, &steps).await));
            }
        }
        Engine::Postgres => {
            let o = pg_options(addr);
            let mut conn = within(addr, sqlx::PgConnection::connect_with(&o)).await?;
            let mut n = 0;
            let sql = "SELECT nspname::text FROM pg_namespace";
            let existing: Vec<String> = pg_rows(&mut conn, sql.into(), &mut n)
                .await?
                .iter()
                .map(|r| text(r, 0))
                .collect();
            for s in schemas {
                let steps = write_steps(&quote_pg(s), !existing.contains(s), "SCHEMA");
                out.push((s.clone(), run_all(&mut conn, &steps).await));
            }
        }
    }
    Ok(out)
}

/// The statements of the write test in the schema quoted `q`: create it when `missing` (as
/// `CREATE DATABASE` / `CREATE SCHEMA`, `kind`), then create, fill and drop a scratch table.
/// No `IF NOT EXISTS`: both engines ask for the right to create a schema even when it exists.
fn write_steps(q: &str, missing: bool, kind: &str) -> Vec<String> {
    let table = format!("{q}.awsdms_dmsctl_write_test");
    let create = missing.then(|| format!("CREATE {kind} {q}"));
    create
        .into_iter()
        .chain([
            format!("CREATE TABLE {table} (id INT PRIMARY KEY)"),
            format!("INSERT INTO {table} VALUES (1)"),
            format!("DROP TABLE {table}"),
        ])
        .collect()
}

async fn run_all<C>(conn: &mut C, steps: &[String]) -> Result<(), String>
where
    for<'c> &'c mut C: sqlx::Executor<'c>,
{
    for sql in steps {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.as_str()))
            .execute(&mut *conn)
            .await
            .map_err(|e| crate::redact::redact(&e.to_string()).into_owned())?;
    }
    Ok(())
}

fn quote_mysql(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

fn quote_pg(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Runs a connect attempt within the address's timeout; errors carry no password (the
/// drivers never print it, and the masking covers what they might echo).
async fn within<C, F>(addr: &Address, connect: F) -> Result<C, ProbeError>
where
    F: std::future::Future<Output = Result<C, sqlx::Error>>,
{
    match tokio::time::timeout(addr.timeout, connect).await {
        Err(_) => Err(ProbeError::Timeout {
            host: addr.host.clone(),
            port: addr.port,
            secs: addr.timeout.as_secs(),
        }),
        Ok(Err(e)) => Err(ProbeError::Refused(
            crate::redact::redact(&e.to_string()).into_owned(),
        )),
        Ok(Ok(conn)) => Ok(conn),
    }
}

fn mysql_options(addr: &Address) -> sqlx::mysql::MySqlConnectOptions {
    use sqlx::mysql::MySqlSslMode;
    let mut o = sqlx::mysql::MySqlConnectOptions::new()
        .host(&addr.host)
        .port(addr.port)
        .username(&addr.username)
        .ssl_mode(match addr.tls {
            Tls::Off => MySqlSslMode::Disabled,
            Tls::Require => MySqlSslMode::Required,
            Tls::VerifyCa => MySqlSslMode::VerifyCa,
            Tls::VerifyFull => MySqlSslMode::VerifyIdentity,
        });
    if let Some(p) = &addr.password {
        o = o.password(p.expose());
    }
    // No default database: the catalog is read from information_schema, and a MySQL target's
    // user need not have rights on the endpoint's database name.
    if let Some(ca) = &addr.ca_file {
        o = o.ssl_ca(ca);
    }
    o
}

fn pg_options(addr: &Address) -> sqlx::postgres::PgConnectOptions {
    use sqlx::postgres::PgSslMode;
    let mut o = sqlx::postgres::PgConnectOptions::new_without_pgpass()
        .host(&addr.host)
        .port(addr.port)
        .username(&addr.username)
        .database(addr.database.as_deref().unwrap_or("postgres"))
        .ssl_mode(match addr.tls {
            Tls::Off => PgSslMode::Disable,
            Tls::Require => PgSslMode::Require,
            Tls::VerifyCa => PgSslMode::VerifyCa,
            Tls::VerifyFull => PgSslMode::VerifyFull,
        });
    if let Some(p) = &addr.password {
        o = o.password(p.expose());
    }
    if let Some(ca) = &addr.ca_file {
        o = o.ssl_root_cert(ca);
    }
    o
}

/// A column as text whatever its type (MariaDB answers some catalog columns as binary).
fn text<R: Row>(row: &R, i: usize) -> String
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    if let Ok(Some(s)) = row.try_get::<Option<String>, _>(i) {
        return s;
    }
    if let Ok(Some(b)) = row.try_get::<Option<Vec<u8>>, _>(i) {
        return String::from_utf8_lossy(&b).into_owned();
    }
    if let Ok(Some(n)) = row.try_get::<Option<i64>, _>(i) {
        return n.to_string();
    }
    String::new()
}

/// The MySQL variables the checks read.
const MYSQL_VARIABLES: &[&str] = &[
    "version",
    "version_comment",
    "log_bin",
    "binlog_format",
    "binlog_row_image",
    "binlog_checksum",
    "server_id",
    "expire_logs_days",
    "binlog_expire_logs_seconds",
    "log_slave_updates",
    "lower_case_table_names",
];

const MYSQL_SYSTEM_SCHEMAS: &str = "'mysql', 'information_schema', 'performance_schema', 'sys'";

/// A quoted list of names for an `IN (...)`.
fn in_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs one catalog query (text protocol: `SHOW` statements cannot always be prepared) and
/// counts it.
async fn my_rows(
    conn: &mut sqlx::MySqlConnection,
    sql: String,
    queries: &mut usize,
) -> Result<Vec<sqlx::mysql::MySqlRow>, ProbeError> {
    *queries += 1;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .map_err(query_error)
}

async fn mysql_facts(conn: &mut sqlx::MySqlConnection, role: Role) -> Result<Facts, ProbeError> {
    let mut f = Facts::default();
    let q = &mut f.queries;
    let sql = format!(
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN ({})",
        in_list(MYSQL_VARIABLES)
    );
    for r in my_rows(conn, sql, q).await? {
        f.settings
            .insert(text(&r, 0).to_ascii_lowercase(), text(&r, 1));
    }
    f.version = f.settings.get("version").cloned().unwrap_or_default();
    f.grants = my_rows(conn, "SHOW GRANTS".into(), q)
        .await?
        .iter()
        .map(|r| text(r, 0))
        .collect();
    let sql = format!(
        "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata \
         WHERE schema_name NOT IN ({MYSQL_SYSTEM_SCHEMAS})"
    );
    f.schemas = my_rows(conn, sql, q)
        .await?
        .iter()
        .map(|r| Schema {
            name: text(r, 0),
            create: false,
        })
        .collect();
    if role == Role::Target {
        return Ok(f);
    }
    // RDS and Aurora keep the binlog retention in a table of their own; elsewhere it is
    // missing, which is the answer "self-managed".
    let sql = "SELECT CAST(value AS CHAR) FROM mysql.rds_configuration \
               WHERE name = 'binlog retention hours'";
    f.rds_retention_hours = match my_rows(conn, sql.into(), q).await {
        Ok(rows) => Some(rows.first().and_then(|r| text(r, 0).trim().parse().ok())),
        Err(_) => None,
    };
    // Tables, then keys: two scans of information_schema, joined here (MariaDB joins its
    // information_schema tables slowly, seconds for thousands of tables).
    let sql = format!(
        "SELECT CAST(table_schema AS CHAR), CAST(table_name AS CHAR), \
                CAST(table_type AS CHAR), CAST(COALESCE(engine, '') AS CHAR) \
         FROM information_schema.tables WHERE table_schema NOT IN ({MYSQL_SYSTEM_SCHEMAS})"
    );
    let tables = my_rows(conn, sql, q).await?;
    // Keys come from STATISTICS (indexes): MariaDB shows TABLE_CONSTRAINTS only to users with
    // more than SELECT on a table.
    let sql = format!(
        "SELECT DISTINCT CAST(table_schema AS CHAR), CAST(table_name AS CHAR), \
                CAST(index_name = 'PRIMARY' AS CHAR) \
         FROM information_schema.statistics \
         WHERE non_unique = 0 AND table_schema NOT IN ({MYSQL_SYSTEM_SCHEMAS})"
    );
    let mut keys: std::collections::HashMap<(String, String), (bool, bool)> =
        std::collections::HashMap::new();
    for r in my_rows(conn, sql, q).await? {
        let k = keys.entry((text(&r, 0), text(&r, 1))).or_default();
        if text(&r, 2) == "1" {
            k.0 = true;
        } else {
            k.1 = true;
        }
    }
    f.tables = tables
        .iter()
        .map(|r| {
            let (schema, name) = (text(r, 0), text(r, 1));
            let (primary_key, unique_key) = keys
                .get(&(schema.clone(), name.clone()))
                .copied()
                .unwrap_or_default();
            Table {
                view: text(r, 2).to_ascii_uppercase().contains("VIEW"),
                engine: text(r, 3),
                schema,
                name,
                primary_key,
                unique_key,
                // MySQL lists only what the user may see at all; SELECT comes from the grants.
                readable: None,
            }
        })
        .collect();
    Ok(f)
}

/// The PostgreSQL settings the checks read.
const PG_SETTINGS: &[&str] = &[
    "server_version",
    "wal_level",
    "rds.logical_replication",
    "max_replication_slots",
    "max_wal_senders",
    "wal_sender_timeout",
];

/// Runs one catalog query and counts it.
async fn pg_rows(
    conn: &mut sqlx::PgConnection,
    sql: String,
    queries: &mut usize,
) -> Result<Vec<sqlx::postgres::PgRow>, ProbeError> {
    *queries += 1;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .map_err(query_error)
}

async fn pg_facts(conn: &mut sqlx::PgConnection, role: Role) -> Result<Facts, ProbeError> {
    let mut f = Facts::default();
    let q = &mut f.queries;
    let sql = format!(
        "SELECT name, setting, COALESCE(unit, '') FROM pg_settings WHERE name IN ({})",
        in_list(PG_SETTINGS)
    );
    for r in pg_rows(conn, sql, q).await? {
        let (name, mut value, unit) = (text(&r, 0), text(&r, 1), text(&r, 2));
        if unit == "ms" || unit == "s" {
            value = format!("{value}{unit}");
        }
        f.settings.insert(name, value);
    }
    f.version = f
        .settings
        .get("server_version")
        .cloned()
        .unwrap_or_default();
    let rows = pg_rows(conn, pg_role_sql(), q).await?;
    let row = rows
        .first()
        .ok_or_else(|| ProbeError::Query("the user is not in pg_roles".into()))?;
    let flag = |i| text(row, i) == "1";
    f.role = PgRole {
        superuser: flag(0),
        replication: flag(1),
        rds_superuser: flag(2),
        rds_replication: flag(3),
    };
    f.slots_in_use = text(row, 4).parse().unwrap_or(0);
    f.database_create = flag(5);
    let sql = "SELECT nspname::text, (has_schema_privilege(oid, 'CREATE') \
                AND has_schema_privilege(oid, 'USAGE'))::int::text \
         FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'";
    f.schemas = pg_rows(conn, sql.into(), q)
        .await?
        .iter()
        .map(|r| Schema {
            name: text(r, 0),
            create: text(r, 1) == "1",
        })
        .collect();
    if role == Role::Target {
        return Ok(f);
    }
    f.tables = pg_rows(conn, PG_TABLES.into(), q)
        .await?
        .iter()
        .map(|r| Table {
            schema: text(r, 0),
            name: text(r, 1),
            view: matches!(text(r, 2).as_str(), "v" | "m"),
            engine: String::new(),
            primary_key: text(r, 3) == "1",
            unique_key: text(r, 4) == "1",
            readable: Some(text(r, 5) == "1"),
        })
        .collect();
    Ok(f)
}

/// The role, its memberships, the slots in use and the right to create schemas: one row.
fn pg_role_sql() -> String {
    let member = |group: &str| {
        format!(
            "EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid \
             WHERE m.member = r.oid AND g.rolname = '{group}')"
        )
    };
    format!(
        "SELECT r.rolsuper::int::text, r.rolreplication::int::text, ({})::int::text, \
                ({})::int::text, (SELECT count(*) FROM pg_replication_slots)::text, \
                has_database_privilege(current_database(), 'CREATE')::int::text \
         FROM pg_roles r WHERE r.rolname = current_user",
        member("rds_superuser"),
        member("rds_replication")
    )
}

/// Every table and view with its keys and whether the user may read it, in one query.
const PG_TABLES: &str = "SELECT n.nspname::text, c.relname::text, c.relkind::text, \
        EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')::int::text, \
        EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'u')::int::text, \
        has_table_privilege(c.oid, 'SELECT')::int::text \
 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
 WHERE c.relkind IN ('r', 'p', 'v', 'm') \
   AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";

fn query_error(e: sqlx::Error) -> ProbeError {
    ProbeError::Query(crate::redact::redact(&e.to_string()).into_owned())
}

/// Whether a TCP connection to `broker` (`host:port`) opens within `timeout`.
pub async fn reachable(broker: &str, timeout: Duration) -> Result<(), String> {
    match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(broker)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {} s", timeout.as_secs())),
    }
}
