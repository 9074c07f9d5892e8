//! Integration tests of the store through its public API.

mod pg_cases;
mod query;
mod refusals;
mod runs;
mod snapshot;
mod util;
