//! One module per subcommand.

pub mod ingest;
pub mod okta_sim;
pub mod query;
pub mod serve;
pub mod sync;
