//! The AWS SDK implementation of `crate::cloud::Cloud` and `CloudWrite`: the only module that
//! names `aws_sdk_*`.
//!
//! [`sdk_config`] resolves credentials and region the way every AWS tool does (environment,
//! profiles, SSO, instance roles) with the [`Settings`] a command gives on top; [`AwsCloud`]
//! holds the DMS, IAM, CloudWatch Logs, CloudWatch and Secrets Manager clients, reads in
//! `read` and writes in `write`.

mod alarms;
mod billing;
mod calls;
mod convert;
mod dms;
mod endpoint_settings;
mod errors;
mod iam;
mod logs;
mod metrics;
mod operations;
mod read;
mod secrets;
mod settings;
mod write;
mod write_dms;

use aws_config::SdkConfig;
use aws_sdk_cloudwatch as sdk_cw;
use aws_sdk_cloudwatchlogs as sdk_logs;
use aws_sdk_databasemigration as sdk_dms;
use aws_sdk_iam as sdk_iam;
use aws_sdk_secretsmanager as sdk_sm;

pub use billing::AwsBilling;
use calls::CallLog;
pub use settings::{sdk_config, Retry, Settings, SetupError, DEFAULT_MAX_ATTEMPTS};
/// The cloud seam on the real AWS SDK.
#[derive(Debug, Clone)]
pub struct AwsCloud {
    dms: sdk_dms::Client,
    iam: sdk_iam::Client,
    logs: sdk_logs::Client,
    metrics: sdk_cw::Client,
    secrets: sdk_sm::Client,
    calls: CallLog,
}

impl AwsCloud {
    /// Clients for DMS, IAM, CloudWatch Logs, CloudWatch and Secrets Manager from one SDK
    /// configuration.
    pub fn new(config: &SdkConfig) -> Self {
        Self::from_clients(
            sdk_dms::Client::new(config),
            sdk_iam::Client::new(config),
            sdk_logs::Client::new(config),
            sdk_cw::Client::new(config),
            sdk_sm::Client::new(config),
        )
    }

    /// [`sdk_config`] then [`AwsCloud::new`]: what a command that touches AWS calls.
    pub async fn connect(settings: &Settings) -> Result<Self, SetupError> {
        Ok(Self::new(&sdk_config(settings).await?))
    }

    /// Wraps clients built elsewhere: for tests (aws-smithy-mocks) and for embedding dmsctl in
    /// a program that configures its own clients. Each client is rebuilt from its own
    /// configuration with dmsctl's call counter added; nothing else changes.
    pub fn from_clients(
        dms: sdk_dms::Client,
        iam: sdk_iam::Client,
        logs: sdk_logs::Client,
        metrics: sdk_cw::Client,
        secrets: sdk_sm::Client,
    ) -> Self {
        let calls = CallLog::default();
        // The same client with the call counter added; each service crate has its own types.
        macro_rules! counted {
            ($sdk:ident, $client:expr, $service:literal) => {
                $sdk::Client::from_conf(
                    $client
                        .config()
                        .to_builder()
                        .interceptor(calls.interceptor($service))
                        .build(),
                )
            };
        }
        let dms = counted!(sdk_dms, dms, "dms");
        let iam = counted!(sdk_iam, iam, "iam");
        let logs = counted!(sdk_logs, logs, "logs");
        let metrics = counted!(sdk_cw, metrics, "cloudwatch");
        let secrets = counted!(sdk_sm, secrets, "secretsmanager");
        AwsCloud {
            dms,
            iam,
            logs,
            metrics,
            secrets,
            calls,
        }
    }
}
