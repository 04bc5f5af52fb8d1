//! `dmsctl cost` end to end: the real binary on the example specs, priced with a catalog the
//! test writes, every figure checked against arithmetic done here from that catalog.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;

// The test's price list. Every expected figure below is computed from these.
const DCU_HOUR: f64 = 0.125;
const DCU_HOUR_MULTI_AZ: f64 = 0.25;
const STORAGE_GB_MONTH: f64 = 0.1;
const T3_MEDIUM_HOUR: f64 = 0.09;
const C5_LARGE_HOUR: f64 = 0.2;
const HOURS: f64 = 730.0;

fn price_file(dir: &Path) -> PathBuf {
    let text = format!(
        "currency: USD
as_of: 2026-11-01
source: \"dmsctl test prices\"
regions:
  eu-central-1:
    serverless_dcu_hour: {{ single_az: {DCU_HOUR}, multi_az: {DCU_HOUR_MULTI_AZ} }}
    storage_gb_month: {{ single_az: {STORAGE_GB_MONTH}, multi_az: 0.2 }}
    instances:
      dms.t3.medium: {{ single_az: {T3_MEDIUM_HOUR}, multi_az: 0.18 }}
      dms.c5.large: {{ single_az: {C5_LARGE_HOUR}, multi_az: 0.4 }}
"
    );
    let path = dir.join("prices.yaml");
    std::fs::write(&path, text).expect("write the price file");
    path
}

/// A scratch directory holding the test's price file, and the file's path.
fn test_prices() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = price_file(dir.path());
    let path = path.to_str().expect("utf-8 path").to_string();
    (dir, path)
}

/// Rounds to cents the way a bill does.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs dmsctl with no AWS credentials or configuration and every AWS endpoint pointing at a
/// closed port: `cost` must work without ever reaching AWS.
fn dmsctl(args: &[&str]) -> Output {
    let empty = tempfile::tempdir().expect("tempdir");
    let nowhere = empty.path().join("none");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dmsctl"));
    cmd.current_dir(root()).args(args);
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("SCI_BACKEND_PASSWORD", "x")
        .env("SCI_RECEIVER_PASSWORD", "x");
    cmd.output().expect("run dmsctl")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(args: &[&str]) -> String {
    let o = dmsctl(args);
    assert!(
        o.status.success(),
        "dmsctl {args:?} failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        o.status,
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

fn fails(args: &[&str]) -> String {
    let o = dmsctl(args);
    assert_eq!(
        o.status.code(),
        Some(1),
        "dmsctl {args:?}\nstdout:\n{}\nstderr:\n{}",
        stdout(&o),
        stderr(&o)
    );
    assert!(
        o.stdout.is_empty(),
        "nothing on stdout for an error: {}",
        stdout(&o)
    );
    stderr(&o)
}

fn json(args: &[&str]) -> Json {
    let out = ok(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

fn mode<'a>(doc: &'a Json, name: &str) -> &'a Json {
    doc["modes"]
        .as_array()
        .expect("modes is an array")
        .iter()
        .find(|m| m["mode"] == name)
        .unwrap_or_else(|| panic!("no mode {name} in {doc:#}"))
}

fn item<'a>(m: &'a Json, resource: &str) -> &'a Json {
    m["items"]
        .as_array()
        .expect("items is an array")
        .iter()
        .find(|i| i["resource"] == resource)
        .unwrap_or_else(|| panic!("no item {resource} in {m:#}"))
}

fn num(v: &Json) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn assert_money(v: &Json, expected: f64) {
    let got = num(v);
    assert!(
        (got - expected).abs() < 1e-9,
        "expected {expected}, got {got}"
    );
}

const SERVERLESS: &str = "examples/sci-sync-serverless.yaml";
const INSTANCES: &str = "examples/sci-sync-instances.yaml";

#[test]
fn serverless_example_compared_with_hand_computed_figures() {
    let (_dir, prices) = test_prices();
    let prices = prices.as_str();
    let doc = json(&[
        "cost",
        "--compare",
        "-f",
        SERVERLESS,
        "--prices",
        prices,
        "-o",
        "json",
    ]);

    // The documented keys, in order.
    let keys: Vec<&str> = doc
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
    assert_eq!(doc["currency"], "USD");
    assert_eq!(num(&doc["hours_per_month"]), HOURS);
    assert_eq!(doc["prices_as_of"], "2026-11-01");
    assert_eq!(doc["region"], "eu-central-1");

    // Serverless as the spec configures it: min_dcu 1, single-AZ, two replications.
    let per_replication = cents(1.0 * HOURS * DCU_HOUR); // 91.25
    let sl = mode(&doc, "serverless");
    assert_eq!(sl["configured"], true);
    assert_eq!(sl["deployed"], true);
    for r in ["send-invoice-history", "invoice-recipients"] {
        let i = item(sl, &format!("replication {r}"));
        assert_eq!(num(&i["quantity"]), HOURS);
        assert_eq!(i["unit"], "DCU-hour");
        assert_eq!(num(&i["unit_price"]), DCU_HOUR);
        assert_money(&i["monthly"], per_replication);
    }
    let serverless_total = 2.0 * per_replication;
    assert_money(&sl["monthly_total"], serverless_total);

    // Instances derived: one dms.t3.medium, 50 GB, which t3 includes.
    let inst = mode(&doc, "instances");
    assert_eq!(inst["configured"], false);
    let shared = item(inst, "instance shared");
    assert_eq!(num(&shared["unit_price"]), T3_MEDIUM_HOUR);
    let instance_total = cents(HOURS * T3_MEDIUM_HOUR); // 65.70
    assert_money(&shared["monthly"], instance_total);
    let storage = item(inst, "instance shared storage");
    assert_eq!(num(&storage["quantity"]), 0.0);
    assert_money(&storage["monthly"], 0.0);
    assert_money(&inst["monthly_total"], instance_total);

    let c = &doc["comparison"];
    assert_eq!(c["cheaper"], "instances");
    assert_money(
        &c["monthly_difference"],
        cents(serverless_total - instance_total),
    );
    assert_money(
        &c["yearly_difference"],
        cents(12.0 * (serverless_total - instance_total)),
    );

    let assumptions = doc["assumptions"]
        .as_array()
        .expect("assumptions")
        .iter()
        .map(|a| a.as_str().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    for needle in [
        "730 hours",
        "eu-central-1",
        "2026-11-01",
        "dmsctl test prices",
        "min_dcu",
        "50 GB with t2/t3",
        "Instances are derived",
    ] {
        assert!(
            assumptions.contains(needle),
            "assumptions lack {needle:?}:\n{assumptions}"
        );
    }
}

#[test]
fn instances_example_alone_and_compared() {
    let (_dir, prices) = test_prices();
    let prices = prices.as_str();

    // Without --compare: only the spec's own mode.
    let doc = json(&["cost", "-f", INSTANCES, "--prices", prices, "-o", "json"]);
    let modes = doc["modes"].as_array().expect("modes");
    assert_eq!(modes.len(), 1);
    assert!(doc.get("comparison").is_none());
    let inst = mode(&doc, "instances");
    assert_eq!(inst["configured"], true);
    let main = item(inst, "instance main");
    assert_eq!(num(&main["quantity"]), HOURS);
    assert_eq!(main["unit"], "hour");
    let instance_total = cents(HOURS * T3_MEDIUM_HOUR);
    assert_money(&main["monthly"], instance_total);
    assert_money(&item(inst, "instance main storage")["monthly"], 0.0);
    assert_money(&inst["monthly_total"], instance_total);

    // With --compare: the spec also configures serverless (min 1, max 4), so its figures are used.
    let doc = json(&[
        "cost",
        "--compare",
        "-f",
        INSTANCES,
        "--prices",
        prices,
        "-o",
        "json",
    ]);
    let sl = mode(&doc, "serverless");
    assert_eq!(sl["configured"], true);
    assert_eq!(sl["deployed"], false);
    assert_money(&sl["monthly_total"], 2.0 * cents(HOURS * DCU_HOUR));
    assert_eq!(doc["comparison"]["cheaper"], "instances");
}

#[test]
fn dcu_hours_and_instance_class_flags_change_the_figures() {
    let (_dir, prices) = test_prices();
    let prices = prices.as_str();
    let doc = json(&[
        "cost",
        "--compare",
        "-f",
        SERVERLESS,
        "--prices",
        prices,
        "-o",
        "json",
        "--dcu",
        "2.5",
        "--hours",
        "100",
        "--instance-class",
        "dms.c5.large",
    ]);
    assert_eq!(num(&doc["hours_per_month"]), 100.0);
    let sl = mode(&doc, "serverless");
    let i = item(sl, "replication send-invoice-history");
    assert_eq!(num(&i["quantity"]), 250.0);
    assert_money(&i["monthly"], cents(2.5 * 100.0 * DCU_HOUR));
    assert_money(&sl["monthly_total"], 2.0 * cents(2.5 * 100.0 * DCU_HOUR));
    let inst = mode(&doc, "instances");
    assert_money(
        &item(inst, "instance shared")["monthly"],
        cents(100.0 * C5_LARGE_HOUR),
    );
    // c5 includes 100 GB, the derived instance has 50.
    assert_money(&item(inst, "instance shared storage")["quantity"], 0.0);
}

#[test]
fn table_output_shows_items_totals_and_the_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let prices = price_file(dir.path());
    let out = ok(&[
        "cost",
        "--compare",
        "-f",
        SERVERLESS,
        "--prices",
        prices.to_str().expect("utf-8 path"),
    ]);
    for needle in [
        "replication send-invoice-history",
        "USD 182.50",
        "USD 65.70",
        "2,190.00",
        "Instances are cheaper by USD 116.80 a month (USD 1,401.60 a year).",
        "Assumptions",
        "730 hours a month",
    ] {
        assert!(out.contains(needle), "table lacks {needle:?}:\n{out}");
    }
    assert!(!out.contains('\x1b'), "no colour on a pipe:\n{out}");
}

#[test]
fn markdown_output_suits_a_pull_request_comment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let prices = price_file(dir.path());
    let out = ok(&[
        "cost",
        "--compare",
        "-f",
        SERVERLESS,
        "--prices",
        prices.to_str().expect("utf-8 path"),
        "-o",
        "markdown",
    ]);
    assert!(
        out.starts_with("### DMS cost: `sci-sync` in `eu-central-1`"),
        "{out}"
    );
    assert!(
        out.contains("| Monthly | USD 182.50 | USD 65.70 |"),
        "{out}"
    );
    assert!(
        out.contains("| Yearly | USD 2,190.00 | USD 788.40 |"),
        "{out}"
    );
    assert!(
        out.contains("**Instances are cheaper by USD 116.80 a month (USD 1,401.60 a year).**"),
        "{out}"
    );
    assert!(
        out.contains("| replication invoice-recipients | 730 | DCU-hour | 0.125 | 91.25 |"),
        "{out}"
    );
    assert!(
        out.contains("<details><summary>Assumptions</summary>"),
        "{out}"
    );
}

#[test]
fn the_builtin_catalog_works_offline_and_says_it_is_unverified() {
    let doc = json(&["cost", "--compare", "-f", SERVERLESS, "-o", "json"]);
    assert!(num(&mode(&doc, "serverless")["monthly_total"]) > 0.0);
    assert!(num(&mode(&doc, "instances")["monthly_total"]) > 0.0);
    let all = doc["assumptions"].to_string();
    assert!(all.contains("unverified"), "{all}");
    assert!(
        doc["prices_source"]
            .as_str()
            .unwrap_or("")
            .contains("unverified"),
        "{doc:#}"
    );
}

#[test]
fn a_region_missing_from_the_catalog_is_an_error_naming_it_and_the_file() {
    let (_dir, prices) = test_prices();
    let prices = prices.as_str();
    let err = fails(&[
        "cost",
        "-f",
        SERVERLESS,
        "--prices",
        prices,
        "--region",
        "sa-east-1",
    ]);
    assert!(err.contains("`sa-east-1`"), "{err}");
    assert!(err.contains(prices), "{err}");
    assert!(
        err.contains("eu-central-1"),
        "names what the catalog prices: {err}"
    );
}

#[test]
fn a_class_missing_from_the_catalog_is_an_error_naming_it() {
    let (_dir, prices) = test_prices();
    let prices = prices.as_str();
    let err = fails(&[
        "cost",
        "--compare",
        "-f",
        SERVERLESS,
        "--prices",
        prices,
        "--instance-class",
        "dms.r5.large",
    ]);
    assert!(
        err.contains("`dms.r5.large`") && err.contains("`eu-central-1`") && err.contains(prices),
        "{err}"
    );
}

#[test]
fn a_spec_without_region_needs_the_flag() {
    let (dir, prices) = test_prices();
    let prices = prices.as_str();
    let text = std::fs::read_to_string(root().join(SERVERLESS)).expect("example");
    let spec = dir.path().join("no-region.yaml");
    std::fs::write(&spec, text.replace("region: eu-central-1\n", "")).expect("write spec");
    let spec = spec.to_str().expect("utf-8 path");
    let err = fails(&["cost", "-f", spec, "--prices", prices]);
    assert!(
        err.contains("no region to price") && err.contains("--region"),
        "{err}"
    );
    let doc = json(&[
        "cost",
        "-f",
        spec,
        "--prices",
        prices,
        "--region",
        "eu-central-1",
        "-o",
        "json",
    ]);
    assert_eq!(doc["region"], "eu-central-1");
}

#[test]
fn a_malformed_catalog_is_an_error_with_its_location() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "currency: USD\nas_of: 2026-11-01\nsource: x\nregions:\n  eu-central-1:\n    serverless_dcu_hour: { single_az: 0.1, multy_az: 0.2 }\n",
    )
    .expect("write");
    let bad = bad.to_str().expect("utf-8 path");
    let err = fails(&["cost", "-f", SERVERLESS, "--prices", bad]);
    assert!(err.contains(&format!("{bad}:6:")), "{err}");
    assert!(err.contains("multy_az"), "{err}");

    let missing = dir.path().join("missing.yaml");
    let err = fails(&[
        "cost",
        "-f",
        SERVERLESS,
        "--prices",
        missing.to_str().expect("utf-8 path"),
    ]);
    assert!(
        err.contains("cannot read the price catalog") && err.contains("missing.yaml"),
        "{err}"
    );
}

#[test]
fn html_output_is_one_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let prices = price_file(dir.path());
    let out = ok(&[
        "cost",
        "--compare",
        "-f",
        SERVERLESS,
        "--prices",
        prices.to_str().expect("utf-8 path"),
        "-o",
        "html",
    ]);
    assert!(out.starts_with("<!DOCTYPE html>"));
    assert!(out.contains("USD 182.50") && out.contains("USD 65.70"));
    assert!(!out.contains("<script"));
}

/// Items of a cost diff by resource.
fn change<'a>(doc: &'a Json, resource: &str) -> &'a Json {
    doc["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["resource"] == resource)
        .unwrap_or_else(|| panic!("no change for {resource}: {doc:#}"))
}

#[test]
fn baseline_shows_the_cost_change_of_a_spec_item_by_item() {
    let (dir, prices) = test_prices();
    let prices = prices.as_str();

    // Moving the example from serverless (baseline) to one instance.
    let doc = json(&[
        "cost",
        "-f",
        INSTANCES,
        "--baseline",
        SERVERLESS,
        "--prices",
        prices,
        "-o",
        "json",
    ]);
    let per_replication = cents(HOURS * DCU_HOUR);
    let instance = cents(HOURS * T3_MEDIUM_HOUR);
    assert_eq!(doc["baseline_mode"], "serverless");
    assert_eq!(doc["mode"], "instances");
    assert_money(&doc["baseline_monthly"], 2.0 * per_replication);
    assert_money(&doc["monthly"], instance);
    let monthly_change = instance - 2.0 * per_replication;
    assert_money(&doc["monthly_change"], monthly_change);
    assert_money(&doc["yearly_change"], cents(12.0 * monthly_change));
    for r in ["send-invoice-history", "invoice-recipients"] {
        let c = change(&doc, &format!("replication {r}"));
        assert_money(&c["before"], per_replication);
        assert!(c["after"].is_null(), "{c}");
        assert_money(&c["monthly_change"], -per_replication);
    }
    let c = change(&doc, "instance main");
    assert!(c["before"].is_null());
    assert_money(&c["after"], instance);
    assert_eq!(doc["unchanged"], 0);

    // The same spec: nothing changes.
    let text = ok(&[
        "cost",
        "-f",
        SERVERLESS,
        "--baseline",
        SERVERLESS,
        "--prices",
        prices,
    ]);
    assert!(text.starts_with("Monthly cost unchanged: "), "{text}");
    assert!(text.contains("2 items unchanged."), "{text}");

    // Raising min_dcu to 2 doubles each replication's item.
    let base = std::fs::read_to_string(root().join(SERVERLESS)).expect("example");
    let edited = base.replace("min_dcu: 1", "min_dcu: 2");
    assert_ne!(edited, base);
    let bigger = dir.path().join("bigger.yaml");
    std::fs::write(&bigger, edited).expect("write");
    let doc = json(&[
        "cost",
        "-f",
        bigger.to_str().expect("utf-8"),
        "--baseline",
        SERVERLESS,
        "--prices",
        prices,
        "-o",
        "json",
    ]);
    let c = change(&doc, "replication send-invoice-history");
    assert_money(&c["before"], per_replication);
    assert_money(&c["after"], cents(2.0 * HOURS * DCU_HOUR));
    assert_money(&doc["monthly_change"], 2.0 * per_replication);

    let md = ok(&[
        "cost",
        "-f",
        INSTANCES,
        "--baseline",
        SERVERLESS,
        "--prices",
        prices,
        "-o",
        "markdown",
    ]);
    assert!(md.starts_with("### DMS cost change: `sci-sync`"), "{md}");
    assert!(md.contains("; compute: Serverless → Instances."), "{md}");
    assert!(
        md.contains(&format!(
            "| instance main | - | {instance:.2} | +{instance:.2} |"
        )),
        "{md}"
    );

    // --baseline and --compare answer different questions; html is for reports of one spec.
    let err = fails(&[
        "cost",
        "-f",
        INSTANCES,
        "--baseline",
        SERVERLESS,
        "--compare",
    ]);
    assert!(err.contains("cannot be used with"), "{err}");
    let err = fails(&[
        "cost",
        "-f",
        INSTANCES,
        "--baseline",
        SERVERLESS,
        "-o",
        "html",
    ]);
    assert!(err.contains("not html"), "{err}");
    let err = fails(&["cost", "-f", INSTANCES, "--baseline", "no/such.yaml"]);
    assert!(
        err.contains("cannot read the spec `no/such.yaml` (the --baseline spec)"),
        "{err}"
    );
}
