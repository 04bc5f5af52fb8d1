//! The HTML cost report opened in a real headless browser (Debian's chromium): the totals must
//! be on the rendered page and the chart's bars drawn with sizes that match the totals.
//!
//! Chromium is required, never optional: without it this test fails and says how to install it.

mod common;

use common::browser::browse;

use std::path::{Path, PathBuf};
use std::process::Command;

fn write_report(dir: &Path) -> PathBuf {
    let prices = dir.join("prices.yaml");
    std::fs::write(
        &prices,
        "currency: USD
as_of: 2026-11-01
source: \"dmsctl test prices <&>\"
regions:
  eu-central-1:
    serverless_dcu_hour: { single_az: 0.125, multi_az: 0.25 }
    storage_gb_month: { single_az: 0.1, multi_az: 0.2 }
    instances:
      dms.t3.medium: { single_az: 0.09, multi_az: 0.18 }
",
    )
    .expect("write prices");
    let out = Command::new(env!("CARGO_BIN_EXE_dmsctl"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "cost",
            "--compare",
            "-f",
            "examples/sci-sync-serverless.yaml",
            "-o",
            "html",
            "--prices",
        ])
        .arg(&prices)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("SCI_BACKEND_PASSWORD", "x")
        .env("SCI_RECEIVER_PASSWORD", "x")
        .output()
        .expect("run dmsctl");
    assert!(
        out.status.success(),
        "dmsctl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = dir.join("cost.html");
    std::fs::write(&page, &out.stdout).expect("write the report");
    page
}

/// The attributes of every `<rect ...>` in `dom`, as (class, width, height).
fn rects(dom: &str) -> Vec<(String, f64, f64)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        let len = tag[start..].find('"')?;
        Some(tag[start..start + len].to_string())
    };
    dom.match_indices("<rect")
        .filter_map(|(i, _)| {
            let tag = &dom[i..i + dom[i..].find('>')?];
            let w = attr(tag, "width")?.parse().ok()?;
            let h = attr(tag, "height")?.parse().ok()?;
            Some((attr(tag, "class").unwrap_or_default(), w, h))
        })
        .collect()
}

#[test]
fn the_report_renders_in_a_real_browser_with_totals_and_bars() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = write_report(dir.path());
    let profile = dir.path().join("profile");

    let dom = browse(&page, &profile, &["--dump-dom"]);
    assert!(
        dom.contains("<svg"),
        "no chart in the rendered page:\n{dom}"
    );
    for needle in [
        "USD 182.50",
        "USD 65.70",
        "Instances are cheaper by USD 116.80 a month (USD 1,401.60 a year).",
        "dmsctl test prices &lt;&amp;&gt;",
    ] {
        assert!(
            dom.contains(needle),
            "the rendered page lacks {needle:?}:\n{dom}"
        );
    }

    let bars = rects(&dom);
    let width_of = |class: &str| -> Vec<f64> {
        bars.iter()
            .filter(|(c, _, h)| c.contains(class) && *h > 0.0)
            .map(|(_, w, _)| *w)
            .collect()
    };
    let serverless = width_of("bar-serverless");
    let instances = width_of("bar-instances");
    // Totals chart: one bar per mode, then one per line item (two each here).
    assert_eq!(serverless.len(), 3, "{bars:?}");
    assert_eq!(instances.len(), 3, "{bars:?}");
    assert!(
        serverless[0] > 0.0 && instances[0] > 0.0,
        "total bars must be drawn: {bars:?}"
    );
    let ratio = serverless[0] / instances[0];
    assert!(
        (ratio - 182.50 / 65.70).abs() < 0.01,
        "bars out of proportion: {ratio}"
    );
    // The zero-cost storage line draws no bar; every other item does.
    assert_eq!(
        instances.iter().filter(|w| **w == 0.0).count(),
        1,
        "{bars:?}"
    );

    let shot = dir.path().join("cost.png");
    browse(
        &page,
        &profile,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1000,1400",
        ],
    );
    let png = std::fs::read(&shot).expect("chromium wrote a screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        png.len() > 10_000,
        "a blank page compresses to almost nothing: {} bytes",
        png.len()
    );
    if let Some(keep) = std::env::var_os("DMSCTL_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).expect("keep the screenshot");
    }
}
