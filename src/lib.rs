//! dmsctl: declarative AWS Database Migration Service.
//!
//! The crate is a pipeline: [`spec`] reads and checks YAML, [`model`] turns a spec into the
//! desired state, [`rules`] renders table mappings, and [`commands`] puts them behind the CLI.
//!
//! Public are the modules the binary, the integration tests, the benches and the examples use;
//! the others are the crate's own.

pub(crate) mod annotate;
pub(crate) mod apply;
pub mod aws;
pub mod check;
pub mod cli;
pub mod cloud;
pub mod commands;
pub mod cost;
pub(crate) mod dms;
pub(crate) mod generate;
pub(crate) mod graph;
pub(crate) mod input;
pub mod live;
pub(crate) mod log;
pub(crate) mod metrics;
pub mod model;
pub(crate) mod operate;
pub mod output;
pub(crate) mod plan;
pub(crate) mod redact;
pub mod rules;
pub mod spec;
