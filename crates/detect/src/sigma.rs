//! Users' own rules in the Sigma format, evaluated over Okta events.

use crate::event::Observed;
use crate::signal::Signal;
use std::time::Duration;

/// A set of loaded Sigma rules.
#[derive(Default)]
pub struct SigmaRules {}

impl SigmaRules {
    /// How far back correlation state reaches.
    pub fn horizon(&self) -> Duration {
        Duration::ZERO
    }

    /// Evaluates every rule over one event.
    pub fn observe(&mut self, _event: &Observed<'_>, _out: &mut Vec<Signal>) {}
}
