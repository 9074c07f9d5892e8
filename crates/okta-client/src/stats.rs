/*! Counters of what a client did, shared by its clones. */

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What a client (and its clones) did so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClientStats {
    /// HTTP requests sent, every attempt and token request included.
    pub requests: u64,
    /// Attempts repeated after a 429, 5xx, timeout, dropped connection, unreadable body, or a
    /// refused access token (renewed once).
    pub retries: u64,
    /// Requests that waited for a rate-limit window: held back by the governor at the reserve,
    /// or after a 429.
    pub rate_limit_waits: u64,
    /// Milliseconds spent in those waits.
    pub rate_limit_wait_ms: u64,
    /// 429 responses received.
    pub throttled_429: u64,
    /// Requests to the token endpoint (OAuth only), the DPoP nonce retries included.
    pub token_requests: u64,
    /// `use_dpop_nonce` challenges answered by the token endpoint.
    pub dpop_nonce_challenges: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Stats {
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limit_waits: AtomicU64,
    rate_limit_wait_ms: AtomicU64,
    throttled_429: AtomicU64,
    token_requests: AtomicU64,
    dpop_nonce_challenges: AtomicU64,
}

fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

impl Stats {
    pub(crate) fn request(&self) {
        bump(&self.requests, 1);
    }
    pub(crate) fn retry(&self) {
        bump(&self.retries, 1);
    }
    pub(crate) fn rate_limit_wait_started(&self) {
        bump(&self.rate_limit_waits, 1);
    }
    pub(crate) fn rate_limit_waited(&self, waited: Duration) {
        bump(&self.rate_limit_wait_ms, waited.as_millis() as u64);
    }
    pub(crate) fn throttled(&self) {
        bump(&self.throttled_429, 1);
    }
    pub(crate) fn token_request(&self) {
        bump(&self.token_requests, 1);
    }
    pub(crate) fn nonce_challenge(&self) {
        bump(&self.dpop_nonce_challenges, 1);
    }

    pub(crate) fn snapshot(&self) -> ClientStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ClientStats {
            requests: get(&self.requests),
            retries: get(&self.retries),
            rate_limit_waits: get(&self.rate_limit_waits),
            rate_limit_wait_ms: get(&self.rate_limit_wait_ms),
            throttled_429: get(&self.throttled_429),
            token_requests: get(&self.token_requests),
            dpop_nonce_challenges: get(&self.dpop_nonce_challenges),
        }
    }
}
