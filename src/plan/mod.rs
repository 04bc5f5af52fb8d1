//! plan(&Desired, &Live) -> Plan: what apply would do, with reasons, diffs and hazards.
//!
//! The plan is a value (Terraform's `plans.Change`, prisma's migration steps): computed purely
//! from the desired and the live state, rendered by [`render`] for humans and machines alike,
//! saved by [`saved`] for a later `apply`. Nothing here does I/O.
//!
//! Ownership comes from the tags: a live resource with a wanted identifier is compared only when
//! it carries `dmsctl:stack=<stack>` and `dmsctl:name=<name>`; otherwise it is a [`Conflict`]
//! and never touched. Live resources of the stack that nothing desired claims are deleted.

pub mod adopt;
pub(crate) mod compare;
mod hazards;
pub mod render;
pub mod saved;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

mod change;
mod planner;
mod sentences;

pub use change::*;
#[cfg(test)]
use planner::moves_data;
pub use planner::plan;
pub use saved::SavedPlan;

/// Version of the JSON form of a plan (and of a saved plan). Bump it when a field changes
/// meaning or disappears; adding a field is compatible.
pub const FORMAT_VERSION: u32 = 1;
