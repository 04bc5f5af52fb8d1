//! `dmsctl prices export`: a price catalog in the `cost --prices FILE` format, read from the
//! AWS Price List API for the regions given with `--region`, so that whoever has an AWS
//! account can refresh the catalog dmsctl ships (`prices/catalog.yaml`).

use std::collections::BTreeMap;
use std::process::ExitCode;

use crate::aws::AwsBilling;
use crate::cli::Global;
use crate::cloud::Billing;
use crate::cost::pricelist;
use crate::output;

pub fn export(global: &Global) -> anyhow::Result<ExitCode> {
    if global.regions.is_empty() {
        anyhow::bail!(
            "`dmsctl prices export` needs the regions to export: --region R [--region R2 ...]"
        );
    }
    let mut regions = global.regions.clone();
    regions.sort();
    regions.dedup();
    let date = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let rt = super::runtime()?;
    let catalogs = rt.block_on(async {
        let settings = super::aws_settings(global, None).await?;
        let billing = AwsBilling::new(&crate::aws::sdk_config(&settings).await?);
        let out = super::cost::fetch(&billing, &regions, &date).await;
        super::report_call_counts(global, billing.calls())?;
        out
    })?;
    let mut all = BTreeMap::new();
    for c in catalogs {
        for (region, prices) in c.regions {
            let mut missing = Vec::new();
            if prices.serverless_dcu_hour.is_none() {
                missing.push("serverless DCU-hour price");
            }
            if prices.storage_gb_month.is_none() {
                missing.push("storage GB-month price");
            }
            if !missing.is_empty() {
                output::eprint(
                    format!(
                        "warning: the Price List API lists no {} for {region}: left out\n",
                        missing.join(" and no ")
                    )
                    .as_bytes(),
                )?;
            }
            all.insert(region, prices);
        }
    }
    let text = pricelist::to_yaml(&pricelist::catalog(all, &date))?;
    output::print(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
