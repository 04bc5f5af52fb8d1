//! Counts every HTTP attempt each client sends, by `service:Operation`, for `-v` and the tests
//! that check the number of calls does not grow with the number of resources, and logs each
//! attempt's outcome and time at debug level (`-vv`).
//!
//! The count lives in an interceptor so it sees what is really sent: every page of a paginator
//! and every retry attempt, which a counter at the call sites would miss.
//!
//! Why the operation name comes from the request and not from the config bag: the orchestrator
//! stores it there as `aws_smithy_runtime_api::client::orchestrator::Metadata`, but that crate is
//! not a normal dependency of dmsctl and the SDK crates do not re-export the type. The protocols
//! name the operation on the wire anyway: JSON 1.1 services (DMS, CloudWatch Logs) in the
//! `X-Amz-Target` header (`AmazonDMSv20160101.DescribeEndpoints`), Smithy RPC v2 CBOR services
//! (CloudWatch) in the path (`/service/…/operation/GetMetricData`), query services (IAM) in the
//! form body's `Action=` parameter.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_sdk_databasemigration::config::interceptors::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_databasemigration::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_types::config_bag::{Storable, StoreReplace};

/// Shared tally of calls, cloned into one interceptor per client.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallLog(Arc<Mutex<BTreeMap<String, u64>>>);

impl CallLog {
    pub(crate) fn snapshot(&self) -> BTreeMap<String, u64> {
        // A poisoned lock only means a panic elsewhere while counting; the map is still usable.
        match self.0.lock() {
            Ok(map) => map.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn add(&self, key: String) {
        let mut map = match self.0.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        *map.entry(key).or_insert(0) += 1;
    }

    /// The interceptor for one client; `service` is the prefix (`dms`, `iam`, `logs`).
    pub(crate) fn interceptor(&self, service: &'static str) -> CallCounter {
        CallCounter {
            service,
            log: self.clone(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct CallCounter {
    service: &'static str,
    log: CallLog,
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "DmsctlCallCounter"
    }

    // Runs once per attempt, after signing, right before the request goes out.
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_databasemigration::error::BoxError> {
        let request = context.request();
        let operation = request
            .headers()
            .get("x-amz-target")
            .and_then(|target| target.rsplit('.').next().map(str::to_string))
            .or_else(|| rpc_v2_operation(request.uri()))
            .or_else(|| request.body().bytes().and_then(query_action))
            .unwrap_or_else(|| "Unknown".to_string());
        let call = format!("{}:{operation}", self.service);
        self.log.add(call.clone());
        cfg.interceptor_state().store_put(Attempt {
            call,
            started: Instant::now(),
        });
        Ok(())
    }

    // Runs once per attempt, whatever its outcome: the HTTP status, or the transport error.
    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_databasemigration::error::BoxError> {
        // No attempt recorded: the request failed before it was sent (signing, endpoint).
        let Some(attempt) = cfg.load::<Attempt>() else {
            return Ok(());
        };
        let ms = attempt.started.elapsed().as_millis();
        match context.response() {
            Some(response) => tracing::debug!(
                target: "dmsctl::aws",
                "{} -> HTTP {} in {ms} ms",
                attempt.call,
                response.status().as_u16()
            ),
            None => tracing::debug!(
                target: "dmsctl::aws",
                "{} -> no response after {ms} ms",
                attempt.call
            ),
        }
        Ok(())
    }
}

/// The attempt in flight, from before transmission to its end.
#[derive(Debug, Clone)]
struct Attempt {
    call: String,
    started: Instant,
}

impl Storable for Attempt {
    type Storer = StoreReplace<Self>;
}

/// `GetMetricData` from a Smithy RPC v2 path (CloudWatch):
/// `/service/GraniteServiceVersion20100801/operation/GetMetricData`.
fn rpc_v2_operation(uri: &str) -> Option<String> {
    let path = uri.split('?').next().unwrap_or(uri);
    let (_, op) = path.rsplit_once("/operation/")?;
    Some(op.trim_end_matches('/').to_string()).filter(|op| !op.is_empty())
}

/// `GetRole` from a query-protocol body `Action=GetRole&Version=2010-05-08&...`.
fn query_action(body: &[u8]) -> Option<String> {
    let body = std::str::from_utf8(body).ok()?;
    body.split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_from_rpc_v2_path() {
        assert_eq!(
            rpc_v2_operation(
                "https://monitoring.eu-central-1.amazonaws.com/service/GraniteServiceVersion20100801/operation/ListMetrics"
            )
            .as_deref(),
            Some("ListMetrics")
        );
        assert_eq!(rpc_v2_operation("https://iam.amazonaws.com/"), None);
    }

    #[test]
    fn action_from_query_body() {
        assert_eq!(
            query_action(b"Action=GetRole&Version=2010-05-08&RoleName=x").as_deref(),
            Some("GetRole")
        );
        assert_eq!(query_action(b"Version=1"), None);
    }
}
