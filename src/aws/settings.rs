//! Where and how the adapter talks to AWS: the [`Settings`] commands build from their flags
//! and the spec, the retry policy every AWS tool reads, and the SDK configuration from both.

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

/// Why no SDK configuration could be built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// Neither the flag, the spec nor the AWS chain (AWS_REGION, the profile) names a region.
    #[error("no region: set `region` in the spec, --region or AWS_REGION")]
    NoRegion,
    /// `--endpoint-url` or `AWS_ENDPOINT_URL` is not an http(s) URL with a host.
    #[error(
        "{setting} `{value}` is not an endpoint URL: {why} (for example http://127.0.0.1:5000)"
    )]
    BadEndpoint {
        /// `--endpoint-url` or `AWS_ENDPOINT_URL`.
        setting: &'static str,
        value: String,
        why: &'static str,
    },
    /// `AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE` or the profile's `max_attempts` / `retry_mode`
    /// holds no valid value.
    #[error("{setting} is `{value}`, which is not {why}")]
    BadRetry {
        setting: String,
        value: String,
        why: &'static str,
    },
}

/// Checks an endpoint URL before the SDK sees it: an empty one makes the SDK panic, and a
/// malformed one fails every call with a message that quotes the whole request.
fn check_endpoint(setting: &'static str, value: &str) -> Result<(), SetupError> {
    let bad = |why| {
        Err(SetupError::BadEndpoint {
            setting,
            value: value.to_string(),
            why,
        })
    };
    if value.trim().is_empty() {
        return bad("it is empty; unset it to use AWS's own endpoints");
    }
    let Some(rest) = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
    else {
        return bad("it must start with http:// or https://");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    if value.chars().any(char::is_whitespace) {
        return bad("it contains white space");
    }
    if name.is_empty() {
        return bad("it has no host");
    }
    if let Some(port) = host.strip_prefix('[').map_or_else(
        || host.split_once(':').map(|(_, p)| p),
        |v6| v6.split_once("]:").map(|(_, p)| p),
    ) {
        if port.parse::<u16>().is_err() {
            return bad("its port is not a number from 0 to 65535");
        }
    }
    Ok(())
}

/// Attempts per call when neither the environment nor the profile sets `max_attempts`: fit for
/// provisioning, where giving up on a throttled call fails a whole apply (the Terraform AWS
/// provider retries up to 25 times). The AWS CLI and SDKs default to 3.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 25;

/// How calls are retried, from the settings every AWS tool reads: `AWS_MAX_ATTEMPTS` and
/// `AWS_RETRY_MODE`, then the profile's `max_attempts` and `retry_mode`, field by field, then
/// [`DEFAULT_MAX_ATTEMPTS`] in the `standard` mode (jittered exponential backoff; throttling,
/// 5xx and transient network errors are retried).
#[derive(Debug, Clone, PartialEq)]
pub struct Retry {
    pub max_attempts: u32,
    pub mode: aws_config::retry::RetryMode,
}

impl Retry {
    /// The policy from the raw settings, each `(value, where it was set)`: the environment's
    /// first, the profile's second. A setting that is not a valid value is an error naming it
    /// (the SDK itself would panic on `AWS_MAX_ATTEMPTS=0`).
    pub fn from_settings(
        max_attempts: [Option<(&str, &str)>; 2],
        mode: [Option<(&str, &str)>; 2],
    ) -> Result<Retry, SetupError> {
        let bad = |(value, setting): (&str, &str), why: &'static str| SetupError::BadRetry {
            setting: setting.to_string(),
            value: value.to_string(),
            why,
        };
        let max_attempts = match max_attempts.into_iter().flatten().next() {
            None => DEFAULT_MAX_ATTEMPTS,
            Some(set) => match set.0.trim().parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => return Err(bad(set, "a number of attempts, 1 or more")),
            },
        };
        let mode = match mode.into_iter().flatten().next() {
            None => aws_config::retry::RetryMode::Standard,
            // The AWS CLI's `legacy` mode is its own older policy; the SDK's nearest is
            // `standard`.
            Some((value, _)) if value.trim().eq_ignore_ascii_case("legacy") => {
                aws_config::retry::RetryMode::Standard
            }
            Some(set) => set
                .0
                .trim()
                .to_ascii_lowercase()
                .parse()
                .map_err(|_| bad(set, "`standard`, `adaptive` or `legacy`"))?,
        };
        Ok(Retry { max_attempts, mode })
    }

    /// The policy for this process: the environment and the profile (`--profile`, else
    /// `AWS_PROFILE`, else `default`) of the shared config files.
    pub async fn resolve(profile: Option<&str>) -> Result<Retry, SetupError> {
        use aws_types::os_shim_internal::{Env, Fs};
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let (env_attempts, env_mode) = (env("AWS_MAX_ATTEMPTS"), env("AWS_RETRY_MODE"));
        // A missing or unreadable config file sets nothing; the credential chain reports what
        // is wrong with it.
        let profiles = aws_config::profile::load(
            &Fs::real(),
            &Env::real(),
            // The default files: `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`, else ~/.aws.
            &Default::default(),
            profile.map(|p| std::borrow::Cow::Owned(p.to_string())),
        )
        .await
        .ok();
        let name = profiles
            .as_ref()
            .map_or("default", |p| p.selected_profile())
            .to_string();
        let from_profile = |key: &str| profiles.as_ref().and_then(|p| p.get(key));
        let attempts_setting = format!("`max_attempts` of profile `{name}`");
        let mode_setting = format!("`retry_mode` of profile `{name}`");
        Retry::from_settings(
            [
                env_attempts.as_deref().map(|v| (v, "AWS_MAX_ATTEMPTS")),
                from_profile("max_attempts").map(|v| (v, attempts_setting.as_str())),
            ],
            [
                env_mode.as_deref().map(|v| (v, "AWS_RETRY_MODE")),
                from_profile("retry_mode").map(|v| (v, mode_setting.as_str())),
            ],
        )
    }

    fn config(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_retry_mode(self.mode)
            .with_max_attempts(self.max_attempts)
    }
}

/// Where and how to reach AWS, as the command line, the environment and the spec settle it.
/// Commands build it; the adapter knows nothing of the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// A profile of the shared config files; `None`: the chain's (`AWS_PROFILE`, `default`).
    pub profile: Option<String>,
    /// `None`: the chain's (`AWS_REGION`, the profile's `region`).
    pub region: Option<String>,
    /// Send every call here (a local emulator, a VPC endpoint). `None`: AWS's endpoints, or
    /// `AWS_ENDPOINT_URL` and the profile's `endpoint_url`, which the chain honours.
    pub endpoint_url: Option<String>,
    pub retry: Retry,
}

impl Settings {
    /// The settings for `profile`, `region` and `endpoint_url`, with the retry policy of this
    /// process ([`Retry::resolve`]).
    pub async fn resolve(
        profile: Option<String>,
        region: Option<String>,
        endpoint_url: Option<String>,
    ) -> Result<Settings, SetupError> {
        let retry = Retry::resolve(profile.as_deref()).await?;
        Ok(Settings {
            profile,
            region,
            endpoint_url,
            retry,
        })
    }
}

/// The SDK configuration from the standard AWS chain, with `settings` on top.
///
/// Only commands that talk to AWS call this: with nothing configured, the chain can spend
/// seconds probing the instance metadata service.
pub async fn sdk_config(settings: &Settings) -> Result<SdkConfig, SetupError> {
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).retry_config(settings.retry.config());
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    // An explicit endpoint on the loader takes precedence over AWS_ENDPOINT_URL and the
    // profile's `endpoint_url`, which the chain still honours when the flag is absent.
    if let Some(url) = &settings.endpoint_url {
        check_endpoint("--endpoint-url", url)?;
        loader = loader.endpoint_url(url);
    } else if let Some(url) = std::env::var_os("AWS_ENDPOINT_URL") {
        check_endpoint("AWS_ENDPOINT_URL", &url.to_string_lossy())?;
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(SetupError::NoRegion);
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(value: &str) -> Option<String> {
        check_endpoint("--endpoint-url", value)
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn endpoint_urls_need_a_scheme_and_a_host() {
        for ok in [
            "http://127.0.0.1:5000",
            "https://dms.eu-central-1.amazonaws.com",
            "http://localhost:4566/",
            "http://[::1]:5000",
            "https://user@proxy.example:443/path?q",
        ] {
            assert_eq!(why(ok), None, "{ok}");
        }
        for (bad, reason) in [
            ("", "it is empty"),
            ("  ", "it is empty"),
            ("localhost:5000", "must start with http:// or https://"),
            ("ftp://host", "must start with http:// or https://"),
            ("http://", "it has no host"),
            ("http://:5000", "it has no host"),
            ("http://[]:1", "it has no host"),
            ("http://host:port", "its port is not a number"),
            ("http://host:70000", "its port is not a number"),
            ("http://a b", "white space"),
        ] {
            let message = why(bad).unwrap_or_else(|| panic!("`{bad}` accepted"));
            assert!(message.contains(reason), "`{bad}`: {message}");
            assert!(
                message.starts_with(&format!("--endpoint-url `{bad}`")),
                "{message}"
            );
        }
    }

    #[test]
    fn retry_settings_come_from_the_environment_then_the_profile_then_the_default() {
        use aws_config::retry::RetryMode;
        let none = [None, None];
        assert_eq!(
            Retry::from_settings(none, none).expect("defaults"),
            Retry {
                max_attempts: DEFAULT_MAX_ATTEMPTS,
                mode: RetryMode::Standard
            }
        );
        let env = Some(("7", "AWS_MAX_ATTEMPTS"));
        let profile = Some(("3", "`max_attempts` of profile `ci`"));
        assert_eq!(
            Retry::from_settings([env, profile], none)
                .expect("env")
                .max_attempts,
            7
        );
        assert_eq!(
            Retry::from_settings([None, profile], none)
                .expect("profile")
                .max_attempts,
            3
        );
        // Field by field: the mode from the profile, the attempts from the environment.
        let r = Retry::from_settings(
            [env, None],
            [None, Some(("adaptive", "`retry_mode` of profile `ci`"))],
        )
        .expect("mixed");
        assert_eq!((r.max_attempts, r.mode), (7, RetryMode::Adaptive));
        assert_eq!(
            Retry::from_settings(none, [Some(("legacy", "AWS_RETRY_MODE")), None])
                .expect("legacy")
                .mode,
            RetryMode::Standard
        );
    }

    #[test]
    fn a_bad_retry_setting_is_an_error_naming_it() {
        for (value, why) in [("0", "1 or more"), ("lots", "1 or more")] {
            let err = Retry::from_settings([Some((value, "AWS_MAX_ATTEMPTS")), None], [None, None])
                .expect_err("refused")
                .to_string();
            assert!(
                err.starts_with(&format!("AWS_MAX_ATTEMPTS is `{value}`")),
                "{err}"
            );
            assert!(err.contains(why), "{err}");
        }
        let err = Retry::from_settings(
            [None, None],
            [None, Some(("fast", "`retry_mode` of profile `ci`"))],
        )
        .expect_err("refused")
        .to_string();
        assert_eq!(
            err,
            "`retry_mode` of profile `ci` is `fast`, which is not `standard`, `adaptive` or `legacy`"
        );
    }
}
