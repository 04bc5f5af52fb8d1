//! The seam between dmsctl and AWS: a trait with domain types in and out.
//!
//! `crate::aws` implements it with the AWS SDK; tests implement it with fakes. Nothing outside
//! `src/aws/` names an `aws_sdk_*` type.

use std::collections::BTreeMap;
use std::future::Future;

use crate::live::Live;

/// What went wrong with a call, in the few kinds the planner and executor act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    AlreadyExists,
    /// The resource is in a state that does not allow the call (a running task being modified).
    InvalidState,
    Throttled,
    /// Credentials missing, expired or without permission.
    Denied,
    Other,
}

/// A failed AWS call: which operation, what kind of failure, and AWS's message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation}: {message}")]
pub struct CloudError {
    pub kind: ErrorKind,
    /// The API operation, e.g. `DescribeEndpoints`.
    pub operation: String,
    pub message: String,
}

/// Reads (and, later, changes) DMS resources.
pub trait Cloud: Send + Sync {
    /// Everything dmsctl may own or collide with in the account and region: all DMS endpoints,
    /// instances, tasks, replication configs (with their replications' status) and subnet
    /// groups with their tags; the roles `dms-cloudwatch-logs-role` and `dms-vpc-role`; the DMS
    /// log groups.
    fn read(&self) -> impl Future<Output = Result<Live, CloudError>> + Send;

    /// API calls made so far, by `service:Operation` (for `-v`).
    fn calls(&self) -> BTreeMap<String, u64>;
}
