//! Integration tests of the store through its public API.

mod alerts;
mod derived;
mod investigate;
mod pg_cases;
mod query;
mod refusals;
mod runs;
mod snapshot;
mod util;
