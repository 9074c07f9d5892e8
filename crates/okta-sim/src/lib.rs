//! A faithful Okta simulator: the management API, the System Log and the org authorization
//! server, over a seeded synthetic org with live activity.
//!
//! - [`org`]: the org model and its deterministic generator ([`org::generate`]).
//! - [`activity`]: System Log traffic and attack scenarios with ground truth.
//! - [`logs`]: the System Log store (persistence order, polling and bounded queries).
//! - [`server`]: the axum server ([`server::start`]) with Okta's paths, paging, errors, rate limits,
//!   SSWS and OAuth/DPoP auth, fault injection and the `/__sim` control API.
//!
//! Architecture invariant: this crate shares no code with Sightline's Okta client, so the client
//! is tested against an independent reading of Okta's behaviour.

pub mod activity;
pub mod logs;
pub mod org;
pub mod server;

pub use server::{ActivityConfig, RunningSim, SimConfig, SimInfo, start};
