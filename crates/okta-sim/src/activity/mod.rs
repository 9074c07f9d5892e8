//! Live System Log activity: benign traffic and scripted attack scenarios with ground truth.
//!
//! The generator only produces events (Okta `LogEvent` JSON) and applies the admin changes they
//! describe to the org, so that the API and the log agree. Storing and serving events is the job
//! of [`crate::logs`].

mod benign;
mod event;
mod scenarios;

pub use event::{ActivityBatch, GeneratedEvent};
pub use scenarios::{GroundTruth, Scenario};

use crate::org::{Org, Ts};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Produces System Log events for an org. Deterministic for a given seed and call sequence.
pub struct ActivityGenerator {
    rng: ChaCha8Rng,
    state: benign::SessionState,
}

impl ActivityGenerator {
    pub fn new(seed: u64) -> Self {
        ActivityGenerator { rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5157_4c06), state: benign::SessionState::default() }
    }

    /// Benign traffic published in `[from, to)`, at about `events_per_minute`, sorted by
    /// `published`. Admin changes among them are applied to `org` (`org_changed` says so).
    pub fn benign(&mut self, org: &mut Org, from: Ts, to: Ts, events_per_minute: f64) -> ActivityBatch {
        benign::generate(&mut self.rng, &mut self.state, org, from, to, events_per_minute)
    }

    /// Runs one attack scenario starting at `start`; returns its events (sorted by `published`,
    /// possibly extending a few minutes past `start`) and the ground truth a test can check
    /// detections against. Changes the scenario makes (a role grant, a new token) are applied to `org`.
    pub fn scenario(&mut self, org: &mut Org, scenario: Scenario, start: Ts) -> (ActivityBatch, GroundTruth) {
        scenarios::run(&mut self.rng, org, scenario, start)
    }
}
