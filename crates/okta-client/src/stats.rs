/*!
Counters of what a client did, shared by its clones, and the same events as process-wide metrics
(through the `metrics` facade: nothing is recorded unless the binary installs a recorder).

Metric labels are bounded: the client's integration name, the rate-limit bucket, the status class
and the cause of a wait; never a URL, an id or a credential.
*/

use crate::governor::Bucket;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Counter: API requests sent (every attempt and token request), by `integration`, `bucket` and
/// `status_class` (`2xx`, `3xx`, `4xx`, `5xx`, or `error` when no answer came).
pub const API_REQUESTS: &str = "sightline_okta_api_requests_total";
/// Histogram: waits for a rate-limit window, by `integration`, `bucket` and `cause` (`reserve`:
/// the governor kept the bucket's reserve; `throttled`: after a 429). Its `_count` is the number
/// of waits and its `_sum` the seconds spent.
pub const RATE_LIMIT_WAIT: &str = "sightline_okta_rate_limit_wait_seconds";

/// Describes this crate's metrics to the installed recorder (call once, after installing it).
pub fn describe_metrics() {
    metrics::describe_counter!(API_REQUESTS, "Okta API requests sent, by rate-limit bucket and status class.");
    metrics::describe_histogram!(
        RATE_LIMIT_WAIT,
        metrics::Unit::Seconds,
        "Waits for an Okta rate-limit window, by bucket and cause (reserve or throttled)."
    );
}

/// Why a request waited for a rate-limit window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitCause {
    /// The governor kept the bucket's reserve for the org's other integrations.
    Reserve,
    /// Okta answered 429.
    Throttled,
}

impl WaitCause {
    fn label(self) -> &'static str {
        match self {
            WaitCause::Reserve => "reserve",
            WaitCause::Throttled => "throttled",
        }
    }
}

/// The class of an HTTP status for metrics (`None`: no answer came).
pub(crate) fn status_class(status: Option<u16>) -> &'static str {
    match status {
        Some(200..=299) => "2xx",
        Some(300..=399) => "3xx",
        Some(400..=499) => "4xx",
        Some(500..=599) => "5xx",
        // Informational or out-of-range codes say as little as no answer.
        Some(_) | None => "error",
    }
}

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
    /// The `integration` label of this client's metrics (empty when not named).
    integration: String,
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
    pub(crate) fn named(integration: Option<&str>) -> Stats {
        Stats { integration: integration.unwrap_or_default().to_string(), ..Stats::default() }
    }

    pub(crate) fn integration(&self) -> Option<&str> {
        Some(self.integration.as_str()).filter(|name| !name.is_empty())
    }

    pub(crate) fn request(&self) {
        bump(&self.requests, 1);
    }
    /// A request of `bucket` got an answer with `status`, or none (`None`: timeout, reset).
    pub(crate) fn answered(&self, bucket: Bucket, status: Option<u16>) {
        metrics::counter!(
            API_REQUESTS,
            "integration" => self.integration.clone(),
            "bucket" => bucket.name(),
            "status_class" => status_class(status),
        )
        .increment(1);
    }
    pub(crate) fn retry(&self) {
        bump(&self.retries, 1);
    }
    pub(crate) fn rate_limit_wait_started(&self) {
        bump(&self.rate_limit_waits, 1);
    }
    pub(crate) fn rate_limit_waited(&self, bucket: Bucket, cause: WaitCause, waited: Duration) {
        bump(&self.rate_limit_wait_ms, waited.as_millis() as u64);
        metrics::histogram!(
            RATE_LIMIT_WAIT,
            "integration" => self.integration.clone(),
            "bucket" => bucket.name(),
            "cause" => cause.label(),
        )
        .record(waited.as_secs_f64());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes_group_codes_and_name_missing_answers() {
        assert_eq!(status_class(Some(200)), "2xx");
        assert_eq!(status_class(Some(204)), "2xx");
        assert_eq!(status_class(Some(302)), "3xx");
        assert_eq!(status_class(Some(429)), "4xx");
        assert_eq!(status_class(Some(404)), "4xx");
        assert_eq!(status_class(Some(503)), "5xx");
        assert_eq!(status_class(Some(100)), "error");
        assert_eq!(status_class(Some(999)), "error");
        assert_eq!(status_class(None), "error");
    }
}
