//! Helpers shared by the integration-test binaries.
//!
//! Each binary compiles this module on its own and uses a subset of it, hence the
//! `dead_code` allowance.
#![allow(dead_code)]

pub mod browser;
pub mod databases;
pub mod emulator;
