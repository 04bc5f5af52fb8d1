//! `dmsctl cost --actual`, `--prices aws`, `prices export` and `--compare --observed` through the
//! real binary on the emulator: Cost Explorer answers queued by the test, cost allocation tags,
//! Price List products and CloudWatch points seeded by it, and every figure computed here by
//! hand from what was seeded.

mod common;

use std::path::{Path, PathBuf};

use aws_sdk_cloudwatch as cloudwatch;
use aws_sdk_databasemigration as dms;
use serde_json::{json, Value as Json};

use common::emulator::{shared, Emulator};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}"))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

fn run(emu: &Emulator, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut cmd = emu.dmsctl();
    cmd.args(args)
        .env("SCI_BACKEND_PASSWORD", "x")
        .env("SCI_RECEIVER_PASSWORD", "y");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("dmsctl runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_of(out: &str) -> Json {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// Cents, as dmsctl rounds every line item.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn seed(emu: &Emulator, path: &str, body: Json) {
    let (status, text) = emu.http("PUT", path, Some(&body.to_string()));
    assert!((200..300).contains(&status), "{path}: {status} {text}");
}

fn queue_costs(emu: &Emulator, results: Json) {
    let body = json!({ "results": results }).to_string();
    let (status, text) = emu.http(
        "POST",
        "/moto-api/static/ce/cost-and-usage-results",
        Some(&body),
    );
    assert!((200..300).contains(&status), "{status} {text}");
}

fn tags(stack: &str, name: Option<&str>) -> Json {
    let mut list = vec![json!({"TagKey": "dmsctl:stack", "Type": "UserDefined", "Status": stack})];
    if let Some(n) = name {
        list.push(json!({"TagKey": "dmsctl:name", "Type": "UserDefined", "Status": n}));
    }
    Json::Array(list)
}

fn group(name: &str, amount: &str, usage: Option<&str>) -> Json {
    let mut metrics = json!({"UnblendedCost": {"Amount": amount, "Unit": "USD"}});
    if let Some(u) = usage {
        metrics["UsageQuantity"] = json!({"Amount": u, "Unit": "N/A"});
    }
    json!({"Keys": [format!("dmsctl:name${name}")], "Metrics": metrics})
}

/// The built-in eu-central-1 DCU-hour price, read from the catalog file itself.
fn builtin_dcu_hour() -> f64 {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("prices/catalog.yaml"),
    )
    .expect("catalog");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("catalog YAML");
    doc["regions"]["eu-central-1"]["serverless_dcu_hour"]["single_az"]
        .as_f64()
        .expect("a price")
}

async fn lock(emu: &Emulator) -> tokio::sync::MutexGuard<'_, ()> {
    let guard = emu.exclusive().await;
    emu.reset(&["dms", "logs", "ce", "pricing", "cloudwatch"]);
    guard
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actual_cost_per_resource_beside_the_estimate() {
    let emu = shared();
    let _guard = lock(emu).await;
    seed(
        emu,
        "/_dmsctl/cost-allocation-tags",
        tags("Active", Some("Active")),
    );
    // Two pages: the first says there is a second.
    queue_costs(
        emu,
        json!([
            {"ResultsByTime": [{"TimePeriod": {"Start": "2026-11-02", "End": "2026-12-01"},
                                "Total": {}, "Estimated": false,
                                "Groups": [group("invoice-recipients", "80.50", Some("700")),
                                           group("send-invoice-history", "60.25", None)]}],
             "NextPageToken": "p2"},
            {"ResultsByTime": [{"TimePeriod": {"Start": "2026-12-01", "End": "2026-12-02"},
                                "Total": {}, "Estimated": true,
                                "Groups": [group("invoice-recipients", "2.75", Some("20")),
                                           group("", "0.30", None)]}]}
        ]),
    );
    let spec = example("sci-sync-serverless.yaml");
    let (code, out, err) = run(
        emu,
        &["cost", "--actual", "-f", s(&spec), "-o", "json", "-v"],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    let r = json_of(&out);
    assert_eq!(r["format_version"], 1);
    let today = chrono::Utc::now().date_naive();
    let start = today - chrono::Duration::days(30);
    assert_eq!(r["actual"]["start"], start.format("%Y-%m-%d").to_string());
    assert_eq!(r["actual"]["end"], today.format("%Y-%m-%d").to_string());
    assert_eq!(r["actual"]["currency"], "USD");
    assert_eq!(r["actual"]["scope"], "resources");
    let items: Vec<(String, f64)> = r["actual"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_string(),
                i["amount"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        items,
        vec![
            ("(no dmsctl:name tag)".to_string(), 0.30),
            ("invoice-recipients".to_string(), 83.25),
            ("send-invoice-history".to_string(), 60.25),
        ]
    );
    assert_eq!(r["actual"]["items"][1]["usage"], 720.0);
    assert_eq!(r["actual"]["total"], 143.80);
    assert_eq!(r["actual"]["estimated"], true);
    // The estimate for the same 720 hours: two replications at min_dcu 1.
    let one = cents(720.0 * builtin_dcu_hour());
    assert_eq!(r["estimate"]["items"][0]["name"], "invoice-recipients");
    assert_eq!(r["estimate"]["items"][0]["amount"], one);
    assert_eq!(r["estimate"]["total"], cents(2.0 * one));
    assert_eq!(r["difference"], cents(143.80 - 2.0 * one));
    // One tag listing and one request per page; -v says so, with the price.
    let calls = emu.calls();
    assert_eq!(
        calls.get("ce:ListCostAllocationTags"),
        Some(&1),
        "{calls:?}"
    );
    assert_eq!(calls.get("ce:GetCostAndUsage"), Some(&2), "{calls:?}");
    assert!(
        err.contains("Cost Explorer requests: 3 (at most USD 0.03"),
        "{err}"
    );

    // The table and Markdown show the same figures.
    queue_costs(
        emu,
        json!([{"ResultsByTime": [{"TimePeriod": {"Start": "2026-11-02", "End": "2026-12-02"},
                                    "Total": {}, "Estimated": false,
                                    "Groups": [group("invoice-recipients", "10", None)]}]}]),
    );
    let last_week = |format: &str| {
        run(
            emu,
            &[
                "cost",
                "--actual",
                "--days",
                "7",
                "-f",
                s(&spec),
                "-o",
                format,
            ],
            &[],
        )
    };
    let (code, out, err) = last_week("markdown");
    assert_eq!(code, Some(0), "{err}");
    let week = cents(168.0 * builtin_dcu_hour());
    assert!(
        out.contains(&format!(
            "| invoice-recipients | {week:.2} | 10.00 | {:.2} |",
            10.0 - week
        )),
        "{out}"
    );

    // The same request as HTML (Cost Explorer gives the same answer to the same question),
    // drawn by a real browser: one estimate and one actual bar per resource, the larger
    // figure filling the chart.
    let (code, page, err) = last_week("html");
    assert_eq!(code, Some(0), "{err}");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("actual.html");
    std::fs::write(&file, &page).expect("write the page");
    let dom = common::browser::browse(&file, &dir.path().join("profile"), &["--dump-dom"]);
    let widths = |class: &str| -> Vec<f64> {
        dom.split("<rect ")
            .skip(1)
            .filter(|t| t.contains(&format!("class=\"bar {class}\"")))
            .map(|t| {
                let w = t.split("width=\"").nth(1).expect("a width");
                w[..w.find('"').expect("quoted")].parse().expect("a number")
            })
            .collect()
    };
    let (estimate, actual) = (widths("bar-estimate"), widths("bar-actual"));
    assert_eq!(estimate, vec![340.0, 340.0], "{dom}");
    assert_eq!(actual.len(), 2, "{dom}");
    assert!((actual[0] - 340.0 * 10.0 / week).abs() < 0.06, "{actual:?}");
    assert_eq!(actual[1], 0.0);
    assert!(dom.contains("Actual cost: 10.00 USD"), "{dom}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inactive_tags_fall_back_to_the_account_total_and_say_how_to_activate() {
    let emu = shared();
    let _guard = lock(emu).await;
    let spec = example("sci-sync-serverless.yaml");
    // Neither tag active: the account's whole DMS cost, labelled as such.
    seed(emu, "/_dmsctl/cost-allocation-tags", tags("Inactive", None));
    queue_costs(
        emu,
        json!([{"ResultsByTime": [{"TimePeriod": {"Start": "2026-11-02", "End": "2026-12-02"},
                                    "Total": {"UnblendedCost": {"Amount": "412.00", "Unit": "USD"}},
                                    "Groups": [], "Estimated": false}]}]),
    );
    let (code, out, err) = run(
        emu,
        &["cost", "--actual", "-f", s(&spec), "-o", "json"],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    let r = json_of(&out);
    assert_eq!(r["actual"]["scope"], "account");
    assert_eq!(r["actual"]["total"], 412.0);
    assert_eq!(
        r["actual"]["items"][0]["name"],
        "all DMS resources of the account"
    );
    assert_eq!(r["tags"]["dmsctl:stack"], "inactive");
    assert_eq!(r["tags"]["dmsctl:name"], "unknown");
    let note = r["notes"][0].as_str().expect("a note");
    assert!(note.contains("account's whole DMS cost"), "{note}");
    assert!(
        note.contains("aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey=dmsctl:stack,Status=Active TagKey=dmsctl:name,Status=Active"),
        "{note}"
    );
    assert!(
        note.contains("Billing and Cost Management → Cost allocation tags"),
        "{note}"
    );
    let (code, out, _) = run(emu, &["cost", "--actual", "-f", s(&spec)], &[]);
    assert_eq!(code, Some(0));
    assert!(
        out.starts_with("Actual DMS cost of the whole account (not the stack's own): 412.00 USD"),
        "{out}"
    );

    // Only the stack tag active: the stack's total, one line.
    seed(
        emu,
        "/_dmsctl/cost-allocation-tags",
        tags("Active", Some("Inactive")),
    );
    queue_costs(
        emu,
        json!([{"ResultsByTime": [{"TimePeriod": {"Start": "2026-11-02", "End": "2026-12-02"},
                                    "Total": {"UnblendedCost": {"Amount": "150.5", "Unit": "USD"}},
                                    "Groups": [], "Estimated": false}]}]),
    );
    let (code, out, err) = run(
        emu,
        &["cost", "--actual", "-f", s(&spec), "-o", "json"],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    let r = json_of(&out);
    assert_eq!(r["actual"]["scope"], "stack");
    assert_eq!(r["actual"]["items"][0]["name"], "stack sci-sync");
    assert_eq!(r["actual"]["total"], 150.5);
    assert!(r["notes"][0]
        .as_str()
        .unwrap()
        .contains("TagKey=dmsctl:name,Status=Active"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_period_and_a_throttled_cost_explorer() {
    let emu = shared();
    let _guard = lock(emu).await;
    let spec = example("sci-sync-serverless.yaml");
    seed(
        emu,
        "/_dmsctl/cost-allocation-tags",
        tags("Active", Some("Active")),
    );
    // Nothing queued: Cost Explorer has no figures for the period.
    let since = (chrono::Utc::now().date_naive() - chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let (code, out, err) = run(
        emu,
        &[
            "cost",
            "--actual",
            "--since",
            &since,
            "-f",
            s(&spec),
            "-o",
            "json",
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    let r = json_of(&out);
    assert_eq!(r["actual"]["start"], since.as_str());
    assert_eq!(r["actual"]["total"], 0.0);
    assert_eq!(r["actual"]["items"], json!([]));
    assert_eq!(
        r["estimate"]["total"],
        cents(2.0 * cents(72.0 * builtin_dcu_hour()))
    );
    assert!(
        r["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("no DMS cost")),
        "{r:#}"
    );

    // Throttled twice, then answered: the SDK's retries carry it through.
    emu.reset_calls();
    emu.fault(
        json!({"operation": "ce:GetCostAndUsage", "count": 2, "error": "ThrottlingException",
                     "message": "Rate exceeded"}),
    );
    let (code, _, err) = run(
        emu,
        &["cost", "--actual", "-f", s(&spec), "-o", "json"],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(emu.calls().get("ce:GetCostAndUsage"), Some(&3));

    // Throttled for good: a clear error, exit 1.
    emu.fault(
        json!({"operation": "ce:GetCostAndUsage", "count": 0, "error": "ThrottlingException",
                     "message": "Rate exceeded"}),
    );
    let (code, out, err) = run(
        emu,
        &["cost", "--actual", "-f", s(&spec)],
        &[("AWS_MAX_ATTEMPTS", "2")],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(
        err.contains("reading Cost Explorer") && err.contains("Rate exceeded"),
        "{err}"
    );
    assert!(err.contains("throttling"), "{err}");
    assert!(out.is_empty(), "{out}");

    // Bad periods are refused before any call.
    emu.reset(&["ce"]);
    for (args, message) in [
        (vec!["--since", "2026-13-01"], "YYYY-MM-DD"),
        (vec!["--days", "0"], "--days must be between 1"),
    ] {
        let mut all = vec!["cost", "--actual", "-f", s(&spec)];
        all.extend(args);
        let (code, _, err) = run(emu, &all, &[]);
        assert_eq!(code, Some(1));
        assert!(err.contains(message), "{err}");
    }
    let (code, _, err) = run(emu, &["cost", "--days", "3", "-f", s(&spec)], &[]);
    assert_eq!(code, Some(1));
    assert!(err.contains("--actual or --compare --observed"), "{err}");
    assert!(emu.calls().is_empty(), "{:?}", emu.calls());
}

/// One Price List product document, as the API returns it (serialised by the emulator).
fn product(sku: &str, region: &str, usagetype: &str, unit: &str, usd: f64) -> Json {
    json!({
        "product": {"productFamily": "Replication Server", "sku": sku,
                    "attributes": {"servicecode": "AWSDatabaseMigrationSvc", "regionCode": region,
                                   "usagetype": usagetype}},
        "serviceCode": "AWSDatabaseMigrationSvc",
        "terms": {"OnDemand": {format!("{sku}.JRTCKXETXF"): {
            "sku": sku, "offerTermCode": "JRTCKXETXF", "effectiveDate": "2026-11-01T00:00:00Z",
            "priceDimensions": {format!("{sku}.JRTCKXETXF.6YS6EN2CT7"): {
                "unit": unit, "beginRange": "0", "endRange": "Inf", "description": "test",
                "rateCode": format!("{sku}.JRTCKXETXF.6YS6EN2CT7"),
                "pricePerUnit": {"USD": format!("{usd:.10}")}}}}}},
        "version": "20261101000000",
        "publicationDate": "2026-11-01T00:00:00Z"
    })
}

fn price_list() -> Json {
    let mut docs = vec![
        product(
            "A1",
            "eu-central-1",
            "EUC1-InstanceUsg:dms.t3.medium",
            "Hrs",
            0.091,
        ),
        product(
            "A2",
            "eu-central-1",
            "EUC1-Multi-AZUsg:dms.t3.medium",
            "Hrs",
            0.182,
        ),
        product("A3", "eu-central-1", "EUC1-StorageUsage", "GB-Mo", 0.119),
        product(
            "A4",
            "eu-central-1",
            "EUC1-Multi-AZ-StorageUsage",
            "GB-Mo",
            0.238,
        ),
        product(
            "A5",
            "eu-central-1",
            "EUC1-Serverless-DCU-Hour",
            "DCU-Hr",
            0.12,
        ),
        product(
            "A6",
            "eu-central-1",
            "EUC1-Multi-AZ-Serverless-DCU-Hour",
            "DCU-Hr",
            0.24,
        ),
        product("B1", "us-east-1", "InstanceUsg:dms.t3.medium", "Hrs", 0.078),
        product("B2", "us-east-1", "Multi-AZUsg:dms.t3.medium", "Hrs", 0.156),
        product("B3", "us-east-1", "StorageUsage", "GB-Mo", 0.115),
        product("B4", "us-east-1", "Multi-AZ-StorageUsage", "GB-Mo", 0.23),
    ];
    // Enough other products of the region for a second page of 100.
    for i in 0..110 {
        docs.push(product(
            &format!("X{i}"),
            "eu-central-1",
            &format!("EUC1-DataTransfer-{i}"),
            "GB",
            0.02,
        ));
    }
    Json::Array(docs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prices_from_the_price_list_api_cached_and_exported() {
    let emu = shared();
    let _guard = lock(emu).await;
    seed(emu, "/_dmsctl/price-list", price_list());
    let cache = tempfile::tempdir().expect("cache dir");
    let env = [("DMSCTL_CACHE_DIR", cache.path().to_str().unwrap())];
    let spec = example("sci-sync-instances.yaml");
    let args = [
        "cost",
        "--compare",
        "--prices",
        "aws",
        "-f",
        s(&spec),
        "-o",
        "json",
    ];
    let (code, out, err) = run(emu, &args, &env);
    assert_eq!(code, Some(0), "{err}");
    let r = json_of(&out);
    // Serverless: two replications at min_dcu 1 for 730 hours at 0.12; instances: one
    // t3.medium at 0.091 with its 50 GB included.
    let serverless = &r["modes"][0];
    assert_eq!(serverless["mode"], "serverless");
    assert_eq!(
        serverless["monthly_total"],
        cents(2.0 * cents(730.0 * 0.12))
    );
    let instances = &r["modes"][1];
    assert_eq!(instances["items"][0]["unit_price"], 0.091);
    assert_eq!(instances["monthly_total"], cents(730.0 * 0.091));
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(r["prices_as_of"], today.as_str());
    assert!(
        r["prices_source"]
            .as_str()
            .unwrap()
            .contains("AWS Price List API"),
        "{r:#}"
    );
    // 116 products of the region: two pages.
    assert_eq!(emu.calls().get("pricing:GetProducts"), Some(&2));
    let cached = cache.path().join("prices/aws-eu-central-1.yaml");
    assert!(cached.is_file());

    // Again: from the cache, no call; --refresh reads the API again.
    emu.reset_calls();
    let (code, again, err) = run(emu, &args, &env);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json_of(&again)["modes"], r["modes"]);
    assert_eq!(emu.calls().get("pricing:GetProducts"), None);
    let mut refresh = args.to_vec();
    refresh.push("--refresh");
    let (code, _, err) = run(emu, &refresh, &env);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(emu.calls().get("pricing:GetProducts"), Some(&2));

    // A region the price list does not have.
    let (code, _, err) = run(
        emu,
        &[
            "cost",
            "--prices",
            "aws",
            "--region",
            "ap-southeast-2",
            "-f",
            s(&spec),
        ],
        &env,
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("lists no DMS prices for region `ap-southeast-2`"),
        "{err}"
    );

    // Export two regions; us-east-1 has no serverless price: left out, with a warning.
    let (code, yaml, err) = run(
        emu,
        &[
            "prices",
            "export",
            "--region",
            "eu-central-1",
            "--region",
            "us-east-1",
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(yaml.starts_with("# dmsctl price catalog"), "{yaml}");
    assert!(yaml.contains(&format!("on {today}")), "{yaml}");
    assert!(
        err.contains("warning: the Price List API lists no serverless DCU-hour price for us-east-1: left out"),
        "{err}"
    );
    let file = cache.path().join("exported.yaml");
    std::fs::write(&file, &yaml).expect("write");
    let (code, out, err) = run(
        emu,
        &[
            "cost",
            "--compare",
            "--prices",
            s(&file),
            "-f",
            s(&spec),
            "-o",
            "json",
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json_of(&out)["modes"], r["modes"]);
    // us-east-1 prices instances, not serverless.
    let (code, out, err) = run(
        emu,
        &[
            "cost",
            "--prices",
            s(&file),
            "--region",
            "us-east-1",
            "-f",
            s(&spec),
            "-o",
            "json",
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        json_of(&out)["modes"][0]["monthly_total"],
        cents(730.0 * 0.078)
    );
    let (code, _, err) = run(
        emu,
        &[
            "cost",
            "--compare",
            "--prices",
            s(&file),
            "--region",
            "us-east-1",
            "-f",
            s(&spec),
        ],
        &[],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("no DMS Serverless DCU-hour price for region `us-east-1`"),
        "{err}"
    );
    let (code, _, err) = run(emu, &["prices", "export"], &[]);
    assert_eq!(code, Some(1));
    assert!(err.contains("--region R"), "{err}");
}

const TEST_PRICES: &str = "\
currency: USD
as_of: 2026-11-01
source: test prices
regions:
  eu-central-1:
    serverless_dcu_hour: { single_az: 0.10, multi_az: 0.20 }
    storage_gb_month: { single_az: 0.10, multi_az: 0.20 }
    instances:
      dms.t3.medium: { single_az: 0.08, multi_az: 0.16 }
      dms.t3.large: { single_az: 0.16, multi_az: 0.32 }
      dms.r5.large: { single_az: 0.25, multi_az: 0.50 }
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observed_serverless_capacity_priced_as_instances() {
    let emu = shared();
    let _guard = lock(emu).await;
    emu.fast_transitions();
    let dir = tempfile::tempdir().expect("dir");
    let prices = dir.path().join("prices.yaml");
    std::fs::write(&prices, TEST_PRICES).expect("prices");
    let spec = example("sci-sync-serverless.yaml");
    let (code, _, err) = run(emu, &["apply", "-f", s(&spec), "--auto-approve"], &[]);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(emu, &["start", "-f", s(&spec), "--wait"], &[]);
    assert_eq!(code, Some(0), "{err}");
    // DMS scaled invoice-recipients to 4 DCU; the other runs at its min_dcu of 1.
    let config = emu.sdk_config("eu-central-1").await;
    let configs = dms::Client::new(&config)
        .describe_replication_configs()
        .send()
        .await
        .expect("configs");
    let arn = configs
        .replication_configs()
        .iter()
        .find(|c| {
            c.replication_config_identifier()
                .is_some_and(|i| i.ends_with("invoice-recipients"))
        })
        .and_then(|c| c.replication_config_arn())
        .expect("the config")
        .to_string();
    seed(emu, "/_dmsctl/provisioned-capacity", json!({ arn: 4 }));
    let (code, out, err) = run(
        emu,
        &[
            "cost",
            "--compare",
            "--observed",
            "--days",
            "7",
            "--prices",
            s(&prices),
            "-f",
            s(&spec),
            "-o",
            "json",
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    let r = json_of(&out);
    assert_eq!(r["hours"], 168.0);
    let sv = &r["serverless"];
    assert_eq!(sv["replications"][0]["name"], "invoice-recipients");
    assert_eq!(sv["replications"][0]["dcu"], 4);
    assert_eq!(sv["replications"][1]["dcu"], 1);
    // 5 DCU × 168 h × 0.10 = 84.00; 10 GB → the smallest class with as much: r5.large
    // (16 GiB; t3.large has 8), 168 h × 0.25 = 42.00, its storage included.
    assert_eq!(sv["serverless_cost"], 84.0);
    assert_eq!(sv["memory_gb"], 10.0);
    assert_eq!(sv["instance_class"], "dms.r5.large");
    assert_eq!(sv["instance_cost"], 42.0);
    assert!(r["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("one reading")));
    let (code, out, err) = run(
        emu,
        &[
            "cost",
            "--compare",
            "--observed",
            "--days",
            "7",
            "--prices",
            s(&prices),
            "-f",
            s(&spec),
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("as one instance: dms.r5.large"), "{out}");
    // A month of it: × 730 / 168.
    assert!(
        out.contains(&format!(
            "Serverless cost 84.00 USD for these 168 hours; on one dms.r5.large the same work would have cost 42.00 (a month: {:.2} on the instance against {:.2} serverless).",
            cents(42.0 * 730.0 / 168.0),
            cents(84.0 * 730.0 / 168.0)
        )),
        "{out}"
    );
    let (code, _, err) = run(emu, &["cost", "--observed", "-f", s(&spec)], &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("--compare"), "{err}");
    let (code, _, err) = run(
        emu,
        &[
            "cost",
            "--compare",
            "--observed",
            "-f",
            s(&spec),
            "-o",
            "html",
        ],
        &[],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("not html"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observed_instance_usage_priced_as_serverless() {
    let emu = shared();
    let _guard = lock(emu).await;
    emu.fast_transitions();
    let dir = tempfile::tempdir().expect("dir");
    let prices = dir.path().join("prices.yaml");
    std::fs::write(&prices, TEST_PRICES).expect("prices");
    let spec = example("sci-sync-instances.yaml");
    let (code, _, err) = run(emu, &["apply", "-f", s(&spec), "--auto-approve"], &[]);
    assert_eq!(code, Some(0), "{err}");
    // Yesterday 10:00 and 11:00 UTC, and one point today that the period (up to today 00:00)
    // must leave out.
    let midnight = chrono::Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    let at = |secs: i64| aws_smithy_types::DateTime::from_secs(secs);
    let dim = cloudwatch::types::Dimension::builder()
        .name("ReplicationInstanceIdentifier")
        .value("sci-sync-main")
        .build();
    let point = |name: &str, value: f64, when: i64| {
        cloudwatch::types::MetricDatum::builder()
            .metric_name(name)
            .dimensions(dim.clone())
            .value(value)
            .timestamp(at(when))
            .build()
    };
    let hour = 3600;
    cloudwatch::Client::new(&emu.sdk_config("eu-central-1").await)
        .put_metric_data()
        .namespace("AWS/DMS")
        .metric_data(point("CPUUtilization", 10.0, midnight - 14 * hour))
        .metric_data(point("CPUUtilization", 50.0, midnight - 13 * hour))
        .metric_data(point("CPUUtilization", 99.0, midnight + 60))
        .metric_data(point("FreeableMemory", 3.0 * GIB, midnight - 14 * hour))
        .metric_data(point("FreeableMemory", 1.0 * GIB, midnight - 13 * hour))
        .metric_data(point("FreeableMemory", 0.1 * GIB, midnight + 60))
        .send()
        .await
        .expect("put metrics");
    let (code, out, err) = run(
        emu,
        &[
            "cost",
            "--compare",
            "--observed",
            "--days",
            "3",
            "--prices",
            s(&prices),
            "-f",
            s(&spec),
            "-o",
            "json",
            "-v",
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    let r = json_of(&out);
    let i = &r["instances"][0];
    assert_eq!(i["name"], "main");
    assert_eq!(i["class"], "dms.t3.medium");
    assert_eq!(i["tasks"], 2);
    assert_eq!(i["cpu_average"], 30.0);
    assert_eq!(i["cpu_peak"], 50.0);
    // 4 GiB class: 2 GB in use on average, 3 at the peak; each task half of it, 1 DCU each.
    assert_eq!(i["memory_used_average_gb"], 2.0);
    assert_eq!(i["memory_used_peak_gb"], 3.0);
    assert_eq!(
        (i["dcu_low"].as_i64(), i["dcu_high"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(i["instance_cost"], cents(72.0 * 0.08));
    assert_eq!(i["serverless_cost_low"], cents(2.0 * 72.0 * 0.10));
    assert!(r.get("serverless").is_none(), "{r:#}");
    assert!(err.contains("cloudwatch:GetMetricData: 1"), "{err}");
}
