//! Hostile and broken input through the real binary: alias bombs, deep nesting, huge files and
//! bytes that are not UTF-8 in every file dmsctl reads (the spec, `--baseline`, `--prices`, a
//! saved plan), and a few hundred seeded mutations of the example specs. Each must end in a
//! located error or success, exit 0 or 1, at once; never a panic or an internal error.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs dmsctl, killing it (and failing) when it has not finished within `limit`.
fn dmsctl_within(args: &[&str], limit: Duration) -> Run {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dmsctl"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("SCI_BACKEND_PASSWORD", "backend-secret-value")
        .env("SCI_RECEIVER_PASSWORD", "receiver-secret-value")
        .env("INVOICES_DB_PASSWORD", "invoices-secret-value")
        .env("MSK_SASL_PASSWORD", "msk-secret-value")
        // Commands here must never reach AWS; a stray call would fail fast on this address.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dmsctl starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for dmsctl") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("dmsctl {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let took = start.elapsed();
    Run {
        code: status
            .code()
            .expect("dmsctl exits rather than dying of a signal"),
        stdout: String::from_utf8_lossy(&out.join().expect("stdout reader")).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().expect("stderr reader")).into_owned(),
        took,
    }
}

fn dmsctl(args: &[&str]) -> Run {
    dmsctl_within(args, Duration::from_secs(10))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name)).expect("example exists")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path.to_str().expect("utf-8 path").to_string()
}

/// Nine aliases of the level before, `levels` deep: 9^levels nodes from a few hundred bytes.
fn alias_bomb(levels: usize) -> String {
    let mut s = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..=levels {
        let prev = format!("*l{}", i - 1);
        let items = [prev.as_str(); 9].join(", ");
        s.push_str(&format!("l{i}: &l{i} [{items}]\n"));
    }
    s
}

fn assert_located_refusal(run: &Run, file: &str, what: &str) {
    assert_eq!(
        run.code, 1,
        "{what}: expected exit 1\n{}{}",
        run.stdout, run.stderr
    );
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("bug in dmsctl"),
        "{what}: internal error\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("{file}:")),
        "{what}: the error does not name {file}:line:col\n{}",
        run.stderr
    );
}

#[test]
fn an_alias_bomb_spec_is_refused_at_its_place_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "bomb.yaml", alias_bomb(12).as_bytes());
    let run = dmsctl(&["validate", "-f", &file]);
    assert_located_refusal(&run, &file, "alias bomb");
    assert!(
        run.stderr
            .contains("aliases bring in more than 10000 nodes"),
        "{}",
        run.stderr
    );
    // The refusal names the line where the budget ran out: level 4 is the first whose aliases
    // together pass 10,000 nodes (9 * 9^3 + ... ).
    let located = format!("{file}:5:");
    assert!(run.stderr.contains(&located), "{}", run.stderr);
    eprintln!("alias bomb refused in {:?}", run.took);
}

#[test]
fn a_spec_nested_too_deep_is_refused_at_its_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deep = format!("version: 1\nx: {}{}\n", "[".repeat(100), "]".repeat(100));
    let file = write(dir.path(), "deep.yaml", deep.as_bytes());
    let run = dmsctl(&["validate", "-f", &file]);
    assert_located_refusal(&run, &file, "deep nesting");
    assert!(
        run.stderr.contains("nest more than 64 levels"),
        "{}",
        run.stderr
    );
    // The top-level mapping is level 1, the lists open from column 4: the 64th `[` would be
    // level 65, and is the one refused.
    assert!(
        run.stderr.contains(&format!("{file}:2:67")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_spec_that_is_not_utf8_names_the_line_and_column_of_the_bad_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = example("sci-sync-serverless.yaml").into_bytes();
    let third_line = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(1)
        .map(|(i, _)| i + 1)
        .expect("three lines");
    bytes.splice(third_line + 2..third_line + 2, [0xff]);
    let file = write(dir.path(), "latin1.yaml", &bytes);
    let run = dmsctl(&["validate", "-f", &file]);
    assert_located_refusal(&run, &file, "invalid UTF-8");
    assert!(
        run.stderr.contains(&format!("{file}:3:3")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("not valid UTF-8"), "{}", run.stderr);

    let json = dmsctl(&["validate", "-o", "json", "-f", &file]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json report");
    assert_eq!(doc["diagnostics"][0]["code"], "invalid-utf8");
    assert_eq!(doc["diagnostics"][0]["line"], 3);
    assert_eq!(doc["diagnostics"][0]["column"], 3);
}

#[test]
fn a_huge_spec_is_refused_without_being_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.yaml");
    let f = std::fs::File::create(&path).expect("create");
    f.set_len(64 * 1024 * 1024).expect("sparse 64 MiB file");
    let file = path.to_str().expect("utf-8 path").to_string();
    let run = dmsctl(&["validate", "-f", &file]);
    assert_located_refusal(&run, &file, "huge file");
    assert!(
        run.stderr.contains("at most 8388608 bytes"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_other_file_dmsctl_reads_is_bounded_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = root().join("examples/sci-sync-serverless.yaml");
    let spec = spec.to_str().expect("utf-8 path");
    let bomb = write(dir.path(), "bomb.yaml", alias_bomb(12).as_bytes());

    // --baseline: a spec like any other.
    let run = dmsctl(&["cost", "-f", spec, "--baseline", &bomb]);
    assert_located_refusal(&run, &bomb, "--baseline alias bomb");

    // --prices: a catalog, read with the same bounds.
    let run = dmsctl(&["cost", "-f", spec, "--prices", &bomb]);
    assert_located_refusal(&run, &bomb, "--prices alias bomb");
    assert!(run.stderr.contains("aliases bring in"), "{}", run.stderr);
    let latin1 = write(
        dir.path(),
        "prices.yaml",
        b"version: 1\nregions:\n  caf\xe9: {}\n",
    );
    let run = dmsctl(&["cost", "-f", spec, "--prices", &latin1]);
    assert_located_refusal(&run, &latin1, "--prices invalid UTF-8");
    assert!(
        run.stderr.contains(&format!("{latin1}:3:6")),
        "{}",
        run.stderr
    );

    // A saved plan: refused before any AWS call (the endpoint above would refuse the
    // connection, and the message would say so).
    let plan = write(
        dir.path(),
        "plan.json",
        b"{\"format_version\": 1, \"x\": \"\xff\"}",
    );
    let run = dmsctl(&["apply", "--auto-approve", "-f", spec, &plan]);
    assert_located_refusal(&run, &plan, "saved plan invalid UTF-8");
    assert!(
        run.stderr.contains(&format!("{plan}:1:29")),
        "{}",
        run.stderr
    );
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let plan = write(dir.path(), "deep.json", deep.as_bytes());
    let run = dmsctl(&["apply", "--auto-approve", "-f", spec, &plan]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("recursion limit"), "{}", run.stderr);
}

/// A small deterministic generator, so a failing mutation can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SNIPPETS: &[&str] = &[
    "",
    " ",
    "  ",
    "\t",
    ":",
    ": ",
    "- ",
    "-",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "*b",
    "<<: *a",
    "!!binary ",
    "!tag ",
    "'",
    "\"",
    "#",
    "|",
    ">",
    "---\n",
    "...\n",
    "~",
    "null",
    "true",
    "0",
    "-1",
    "99999999999999999999",
    "1e400",
    ".nan",
    "0x",
    "é",
    "\u{feff}",
    "\\",
    "%YAML 1.2\n",
    "? ",
    "\n",
    "\r\n",
    "{ env: X }",
    "[1, [2, [3]]]",
    "\u{0}",
];

fn mutate(text: &str, rng: &mut Rng) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let changes = 1 + rng.below(3);
    for _ in 0..changes {
        let n = lines.len();
        match rng.below(8) {
            0 if n > 1 => {
                lines.remove(rng.below(n));
            }
            1 => {
                let l = lines[rng.below(n)].clone();
                lines.insert(rng.below(n), l);
            }
            2 => {
                let (a, b) = (rng.below(n), rng.below(n));
                lines.swap(a, b);
            }
            3 => {
                let i = rng.below(n);
                let at = rng.below(lines[i].len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|&j| lines[i].is_char_boundary(j))
                    .unwrap_or(0);
                let snippet = SNIPPETS[rng.below(SNIPPETS.len())];
                lines[i].insert_str(at, snippet);
            }
            4 => {
                // Re-indent a line by a random amount.
                let i = rng.below(n);
                let body = lines[i].trim_start().to_string();
                lines[i] = format!("{}{body}", " ".repeat(rng.below(9)));
            }
            5 => {
                // Replace a value with a snippet.
                let i = rng.below(n);
                if let Some(colon) = lines[i].find(": ") {
                    let snippet = SNIPPETS[rng.below(SNIPPETS.len())];
                    lines[i].truncate(colon + 2);
                    lines[i].push_str(snippet);
                }
            }
            6 => {
                let keep = rng.below(n + 1);
                lines.truncate(keep.max(1));
            }
            _ => {
                let i = rng.below(n);
                let at = rng.below(lines[i].len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|&j| lines[i].is_char_boundary(j))
                    .unwrap_or(0);
                lines[i].truncate(at);
            }
        }
    }
    let mut bytes = lines.join("\n").into_bytes();
    bytes.push(b'\n');
    if rng.below(20) == 0 {
        let at = rng.below(bytes.len());
        bytes.insert(at, 0x80 | rng.below(0x40) as u8);
    }
    bytes
}

#[test]
fn seeded_mutations_of_the_examples_end_in_success_or_a_located_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let originals: Vec<String> = [
        "sci-sync-serverless.yaml",
        "sci-sync-instances.yaml",
        "kafka-target.yaml",
    ]
    .iter()
    .map(|n| example(n))
    .collect();
    let mut slowest = Duration::ZERO;
    let (mut valid, mut invalid) = (0, 0);
    for seed in 1..=300u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let original = &originals[seed as usize % originals.len()];
        let bytes = mutate(original, &mut rng);
        let file = write(dir.path(), &format!("m{seed}.yaml"), &bytes);
        let run = dmsctl_within(
            &["validate", "-o", "json", "-f", &file],
            Duration::from_secs(1),
        );
        slowest = slowest.max(run.took);
        assert!(
            run.code == 0 || run.code == 1,
            "seed {seed}: exit {}\n{}",
            run.code,
            run.stderr
        );
        assert!(
            !run.stderr.contains("panicked") && !run.stderr.contains("bug in dmsctl"),
            "seed {seed}: internal error\n{}",
            run.stderr
        );
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
            panic!(
                "seed {seed}: no JSON report ({e})\n{}{}",
                run.stdout, run.stderr
            )
        });
        let diagnostics = doc["diagnostics"].as_array().expect("diagnostics");
        for d in diagnostics {
            assert!(
                d["line"].as_u64().is_some_and(|l| l >= 1)
                    && d["column"].as_u64().is_some_and(|c| c >= 1),
                "seed {seed}: a diagnostic without a place: {d}\n{}",
                String::from_utf8_lossy(&bytes)
            );
        }
        if run.code == 0 {
            valid += 1;
        } else {
            invalid += 1;
        }
    }
    eprintln!("300 mutations: {valid} valid, {invalid} refused; slowest run {slowest:?}");
    assert!(
        invalid > 100,
        "the mutations should break most specs, broke {invalid}"
    );
}
