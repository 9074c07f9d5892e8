//! One module per subcommand.

pub mod okta_sim;
