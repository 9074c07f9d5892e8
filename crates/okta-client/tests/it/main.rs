//! End-to-end tests of the Okta client against the in-process simulator (and a scripted stub for
//! what the simulator does not produce), over real HTTP on loopback.

mod support;

mod auth;
mod errors;
mod limits;
mod paging;
mod retries;
