//! One module per subcommand.

pub mod okta_sim;
pub mod query;
pub mod sync;
