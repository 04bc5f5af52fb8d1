//! dmsctl: declarative AWS Database Migration Service.
//!
//! The crate is a pipeline: [`spec`] reads and checks YAML, [`model`] turns a spec into the
//! desired state, [`rules`] renders table mappings, and [`commands`] puts them behind the CLI.

pub mod apply;
pub mod aws;
pub mod check;
pub mod cli;
pub mod cloud;
pub mod commands;
pub mod cost;
pub mod dms;
pub mod generate;
pub mod input;
pub mod live;
pub mod log;
pub mod metrics;
pub mod model;
pub mod operate;
pub mod output;
pub mod plan;
pub mod redact;
pub mod rules;
pub mod spec;
