//! A private instance of the local AWS emulator (`scripts/emulator`, moto with dmsctl's DMS
//! fills) for one test binary.
//!
//! [`shared`] starts one emulator per test binary on a free port, with its own state directory
//! under a temporary directory, so binaries running side by side never share an account. It
//! PANICS with the server log when the emulator cannot start: a missing emulator is a failed
//! test, never a skipped one. Tests isolate themselves either with unique names or by taking
//! [`Emulator::exclusive`], which serialises them and resets the account.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value as Json;
use tokio::sync::{Mutex, MutexGuard};

pub struct Emulator {
    url: String,
    state_dir: PathBuf,
    /// Removed on drop for an owned emulator; the shared one is cleaned by its watchdog.
    _tmp: Option<tempfile::TempDir>,
    /// Serialises tests that reset the account or count calls.
    lock: Mutex<()>,
    owned: bool,
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn script() -> PathBuf {
    repo().join("scripts/emulator")
}

/// The emulator of this test binary, started on first use and stopped when the binary exits.
pub fn shared() -> &'static Emulator {
    static SHARED: OnceLock<Emulator> = OnceLock::new();
    SHARED.get_or_init(|| {
        let mut emulator = Emulator::start();
        emulator.owned = false;
        // A static is never dropped, so a watchdog stops the server once this process is gone
        // (normal exit, panic or kill alike) and removes the state directory.
        let watchdog = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
             DMSCTL_EMULATOR_STATE_DIR='{dir}' '{script}' stop >/dev/null 2>&1; rm -rf '{tmp}'",
            pid = std::process::id(),
            dir = emulator.state_dir.display(),
            script = script().display(),
            tmp = emulator
                .state_dir
                .parent()
                .expect("the state dir lives in a temporary directory")
                .display(),
        );
        // Backgrounded by an outer shell that exits at once, so the watchdog is nobody's child
        // to wait for.
        let spawned = Command::new("sh")
            .arg("-c")
            .arg(format!("( {watchdog} ) </dev/null >/dev/null 2>&1 &"))
            .status()
            .expect("spawn the emulator watchdog");
        assert!(spawned.success(), "the emulator watchdog did not start");
        if let Some(tmp) = emulator._tmp.take() {
            // The watchdog owns the directory from now on.
            let _ = tmp.keep();
        }
        emulator
    })
}

impl Emulator {
    /// Starts a new emulator (stopped on drop). Panics with the log if it does not start.
    pub fn start() -> Emulator {
        let ensure = Command::new(script())
            .arg("ensure")
            .output()
            .expect("run scripts/emulator ensure");
        if !ensure.status.success() {
            panic!(
                "scripts/emulator ensure failed ({}):\n{}",
                ensure.status,
                String::from_utf8_lossy(&ensure.stderr)
            );
        }
        let tmp = tempfile::Builder::new()
            .prefix("dmsctl-emulator-")
            .tempdir()
            .expect("temporary directory");
        let state_dir = tmp.path().join("state");
        let out = Command::new(script())
            .arg("start")
            .env("DMSCTL_EMULATOR_STATE_DIR", &state_dir)
            .output()
            .expect("run scripts/emulator start");
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !out.status.success() || !url.starts_with("http://") {
            let log = std::fs::read_to_string(state_dir.join("server.log")).unwrap_or_default();
            panic!(
                "the emulator did not start ({}):\nstderr:\n{}\nserver.log:\n{log}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Emulator {
            url,
            state_dir,
            _tmp: Some(tmp),
            lock: Mutex::new(()),
            owned: true,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Exclusive use of the emulator with an empty DMS and Logs account and zeroed call
    /// counters (IAM is kept: its reset reloads every managed policy and takes a second).
    ///
    /// An async lock: tests hold it across their SDK calls. A test that panicked while holding
    /// it leaves nothing the reset does not clear.
    pub async fn exclusive(&self) -> MutexGuard<'_, ()> {
        let guard = self.lock.lock().await;
        self.reset(&["dms", "logs"]);
        guard
    }

    /// Resets the named services' state, the faults and the call counters.
    pub fn reset(&self, services: &[&str]) {
        let body = serde_json::json!({ "services": services }).to_string();
        self.expect_ok("POST", "/_dmsctl/reset", Some(&body));
    }

    /// DMS statuses reach the end of their chain at the first Describe (moto's state
    /// manager): for tests whose story is not the waiting, which the executor's own tests cover
    /// with slow transitions.
    pub fn fast_transitions(&self) {
        for model in [
            "dms::replicationtask",
            "dms::replication",
            "dms::replicationinstance",
        ] {
            let body = serde_json::json!({"model_name": model, "transition": {"progression": "immediate"}});
            self.expect_ok(
                "POST",
                "/moto-api/state-manager/set-transition",
                Some(&body.to_string()),
            );
        }
    }

    /// Calls the emulator received since the last reset, by `service:Operation`.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        let body = self.expect_ok("GET", "/_dmsctl/calls", None);
        let calls = &body["calls"];
        serde_json::from_value(calls.clone()).expect("calls map")
    }

    pub fn reset_calls(&self) {
        self.expect_ok("DELETE", "/_dmsctl/calls", None);
    }

    /// Adds a fault (see tests/emulator/README.md, "Fault spec").
    pub fn fault(&self, spec: Json) {
        self.expect_ok("POST", "/_dmsctl/faults", Some(&spec.to_string()));
    }

    fn expect_ok(&self, method: &str, path: &str, body: Option<&str>) -> Json {
        let (status, text) = self.http(method, path, body);
        assert!(
            (200..300).contains(&status),
            "{method} {path} answered {status}: {text}"
        );
        if text.trim().is_empty() {
            Json::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Json::String(text))
        }
    }

    /// A minimal HTTP/1.0 request to the control API (no HTTP client among the dependencies;
    /// HTTP/1.0 keeps the answer unchunked and the connection closed at the end).
    pub fn http(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let host = self
            .url
            .strip_prefix("http://")
            .expect("the emulator URL is http://host:port");
        let mut stream = TcpStream::connect(host).expect("connect to the emulator");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("read timeout");
        let body = body.unwrap_or("");
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("send the request");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read the answer");
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, text) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, text.to_string())
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if self.owned {
            let _ = Command::new(script())
                .arg("stop")
                .env("DMSCTL_EMULATOR_STATE_DIR", &self.state_dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

impl Emulator {
    /// The dmsctl binary pointed at this emulator, with test credentials and nothing from the
    /// caller's environment that could change what it does (profile, region, log filter).
    /// An AWS SDK configuration for this emulator in `region`, with test credentials.
    pub async fn sdk_config(&self, region: &str) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_string()))
            .credentials_provider(aws_sdk_databasemigration::config::Credentials::new(
                "test", "test", None, None, "tests",
            ))
            .endpoint_url(self.url())
            .load()
            .await
    }

    pub fn dmsctl(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dmsctl"));
        cmd.env("NO_COLOR", "1")
            .env("AWS_ENDPOINT_URL", self.url())
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_REGION")
            .env_remove("DMSCTL_LOG");
        cmd
    }

    /// Runs dmsctl against the emulator with the passwords the `sci-sync` examples read from
    /// the environment: its exit code, stdout and stderr.
    pub fn run(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let out = self
            .dmsctl()
            .args(args)
            .env("SCI_BACKEND_PASSWORD", "x")
            .env("SCI_RECEIVER_PASSWORD", "y")
            .output()
            .expect("dmsctl runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}
