//! One module per subcommand.

pub mod alerts;
pub mod demo;
pub mod ingest;
pub mod okta_sim;
pub mod query;
pub mod rules;
pub mod serve;
pub mod sync;
