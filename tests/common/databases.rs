//! Real MariaDB and PostgreSQL servers for the tests of `dmsctl check`: Debian's
//! `mariadb-server` and `postgresql`, started on loopback with throw-away data directories
//! and stopped when the value is dropped. A server that cannot start PANICS with its log: a
//! missing database is a failed test, never a skipped one (`scripts/test` installs both).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on loopback")
}

fn wait_for_port(port: u16, what: &str, log: &Path) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "{what} did not listen on 127.0.0.1:{port} within 30 s; its log:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

fn run(cmd: &mut Command, what: &str) -> String {
    run_with(cmd, what, None)
}

/// Runs `cmd`, feeding `input` on its standard input (SQL scripts can be longer than an
/// argument may be).
fn run_with(cmd: &mut Command, what: &str, input: Option<&str>) -> String {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{what}: cannot run it: {e} (scripts/test installs the database servers)")
        });
    let mut stdin = child.stdin.take().expect("piped stdin");
    if let Some(text) = input {
        stdin.write_all(text.as_bytes()).expect("write to stdin");
    }
    drop(stdin);
    let out = child.wait_with_output().expect("wait for the command");
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Creates MariaDB's system tables in `data`. One at a time: concurrent runs of
/// `mariadb-install-db` (tests run side by side) fail now and then; a failed run is tried
/// again on a clean directory, and the last failure is reported with its log.
fn install_db(data: &Path) {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut last = String::new();
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(data);
        let out = Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args([
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ])
            .stdin(Stdio::null())
            .output()
            .expect("mariadb-install-db runs (scripts/test installs mariadb-server)");
        if out.status.success() {
            return;
        }
        last = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    panic!("mariadb-install-db failed three times:\n{last}");
}

/// A MariaDB server of its own; `sql` runs statements as root over its socket.
pub struct MariaDb {
    pub port: u16,
    dir: tempfile::TempDir,
    server: std::process::Child,
}

impl MariaDb {
    /// Starts a server with these extra `mariadbd` options (`--log-bin`, `--binlog-format=ROW`…).
    pub fn start(options: &[&str]) -> MariaDb {
        let dir = tempfile::Builder::new()
            .prefix("dmsctl-mariadb-")
            .tempdir()
            .expect("temporary directory");
        let data = dir.path().join("data");
        install_db(&data);
        let port = free_port();
        let log = dir.path().join("error.log");
        let server = Command::new("mariadbd")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", dir.path().join("sock").display()))
            .arg(format!("--pid-file={}", dir.path().join("pid").display()))
            .arg(format!("--log-error={}", log.display()))
            .args([
                "--user=root",
                "--bind-address=127.0.0.1",
                "--skip-name-resolve",
            ])
            .arg(format!("--port={port}"))
            .args(options)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mariadbd starts (scripts/test installs mariadb-server)");
        wait_for_port(port, "mariadbd", &log);
        let db = MariaDb { port, dir, server };
        // Listening on TCP comes a moment before the socket takes root's logins.
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            let ready = Command::new("mariadb")
                .arg("--no-defaults")
                .arg(format!("--socket={}", db.socket().display()))
                .args(["-uroot", "-e", "SELECT 1"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return db;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "mariadbd does not take logins on its socket; its log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("sock")
    }

    /// Runs SQL as root; panics when it fails.
    pub fn sql(&self, sql: &str) -> String {
        run_with(
            Command::new("mariadb")
                .arg("--no-defaults")
                .arg(format!("--socket={}", self.socket().display()))
                .args(["-uroot", "--batch", "--skip-column-names"]),
            "mariadb",
            Some(sql),
        )
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = Command::new("mariadb-admin")
            .arg("--no-defaults")
            .arg(format!("--socket={}", self.socket().display()))
            .args(["-uroot", "shutdown"])
            .output();
        if self.server.try_wait().ok().flatten().is_none() {
            let _ = self.server.kill();
        }
        let _ = self.server.wait();
    }
}

/// A PostgreSQL server of its own, run as the `postgres` system user (PostgreSQL refuses
/// root); `sql` runs statements as the superuser `postgres`.
pub struct Postgres {
    pub port: u16,
    dir: tempfile::TempDir,
    bin: PathBuf,
}

fn pg_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path().join("bin")))
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions
        .pop()
        .filter(|b| b.join("initdb").exists())
        .expect("PostgreSQL's server binaries under /usr/lib/postgresql/*/bin (scripts/test installs postgresql)")
}

/// `cmd` as the `postgres` user when this process is root.
fn as_postgres(program: &Path) -> Command {
    // Root or not, from the Uid line of /proc/self/status.
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl Postgres {
    /// Starts a server with these settings (`-c name=value` each).
    pub fn start(settings: &[(&str, &str)]) -> Postgres {
        let dir = tempfile::Builder::new()
            .prefix("dmsctl-postgres-")
            .tempdir()
            .expect("temporary directory");
        let _ = Command::new("chown")
            .args(["-R", "postgres"])
            .arg(dir.path())
            .status();
        let bin = pg_bin();
        let data = dir.path().join("data");
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, "postgres-test-pw\n").expect("password file");
        let _ = Command::new("chown").arg("postgres").arg(&pwfile).status();
        run(
            as_postgres(&bin.join("initdb"))
                .arg("-D")
                .arg(&data)
                .args([
                    "-U",
                    "postgres",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                ])
                .arg(format!("--pwfile={}", pwfile.display())),
            "initdb",
        );
        let port = free_port();
        let log = dir.path().join("server.log");
        let mut options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {}",
            dir.path().display()
        );
        for (k, v) in settings {
            options.push_str(&format!(" -c {k}={v}"));
        }
        run(
            as_postgres(&bin.join("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .args(["-o", &options, "-l"])
                .arg(&log)
                .args(["-w", "start"]),
            "pg_ctl start",
        );
        wait_for_port(port, "postgres", &log);
        Postgres { port, dir, bin }
    }

    /// Runs SQL as `postgres` over the socket, in `database`; panics when it fails.
    pub fn sql_in(&self, database: &str, sql: &str) -> String {
        run_with(
            as_postgres(&self.bin.join("psql"))
                .arg("-h")
                .arg(self.dir.path())
                .args([
                    "-p",
                    &self.port.to_string(),
                    "-U",
                    "postgres",
                    "-d",
                    database,
                ])
                .args(["-v", "ON_ERROR_STOP=1", "-qAt", "-f", "-"]),
            "psql",
            Some(sql),
        )
    }

    pub fn sql(&self, sql: &str) -> String {
        self.sql_in("postgres", sql)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}
