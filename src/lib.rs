//! dmsctl: declarative AWS Database Migration Service.
//!
//! The crate is a pipeline: [`spec`] reads and checks YAML, [`model`] turns a spec into the
//! desired state, [`rules`] renders table mappings, and [`commands`] puts them behind the CLI.

pub mod cli;
pub mod commands;
pub mod cost;
pub mod model;
pub mod output;
pub mod rules;
pub mod spec;
