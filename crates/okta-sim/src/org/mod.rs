//! The simulated org: its model, ids, geography and the seeded generator.

pub mod generate;
pub mod geo;
pub mod ids;
pub mod model;

pub use generate::{OrgParams, generate};
pub use model::*;
