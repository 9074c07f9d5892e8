/*!
The rate governor: every request passes through it before it is sent, and it is the only place
in the crate (with the retry waits of [`crate::transport`]) that sleeps.

Okta counts requests per **bucket** (an endpoint class with a per-minute budget) and reports the
bucket on every response: `X-Rate-Limit-Limit`, `X-Rate-Limit-Remaining` and
`X-Rate-Limit-Reset` (epoch seconds). The governor learns each bucket from those headers and
keeps `limit × (1 − share)` of it in reserve for the org's other integrations:

- before a request is sent, if `remaining − in_flight ≤ reserve`, it waits until the bucket's
  reset (the reset time is converted to a local deadline with the response's `Date` header, so
  the local clock's offset does not matter);
- a bucket never seen is probed with one request at a time until its first response arrives;
- a bucket whose responses carry no rate headers (rate limits off) is not limited;
- once a reset has passed, the bucket is assumed full again until the next response says more;
- a semaphore caps the requests in flight across all buckets (`max_concurrency`).
*/

use crate::stats::{Stats, WaitCause};
use reqwest::header::HeaderMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{Notify, Semaphore, SemaphorePermit};

/// The longest the governor waits for a bucket's reset: Okta's windows are one minute, so a
/// longer wait means a bad `X-Rate-Limit-Reset` or `Date`.
pub(crate) const MAX_RESET_WAIT: Duration = Duration::from_secs(90);
/// Added to every wait for a reset, for the rounding of `Date` and `X-Rate-Limit-Reset`.
const RESET_MARGIN: Duration = Duration::from_millis(250);
/// How long a request waits for a probe's answer before it looks again (a safety net only).
const PROBE_RECHECK: Duration = Duration::from_secs(1);

/// Okta's rate-limit buckets for the endpoints a read-only client calls (the last published
/// table of per-minute limits, `okta-api.md` §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Bucket {
    /// `GET /api/v1/apps` (list) and everything under `/api/v1/apps/{id}/…`.
    Apps,
    /// `/api/v1/apps/{id}`.
    App,
    /// `/api/v1/groups` (list).
    Groups,
    /// `/api/v1/groups/{id}` and below.
    Group,
    /// `/api/v1/users` (list).
    Users,
    /// `GET /api/v1/users/{id}`.
    User,
    /// `/api/v1/logs`.
    Logs,
    /// `/oauth2/v1/clients` and below.
    Clients,
    /// `/oauth2/v1/token`.
    Token,
    /// Everything else ("most other /api/v1").
    Other,
}

impl Bucket {
    const COUNT: usize = 10;

    fn index(self) -> usize {
        self as usize
    }

    /// A short name for logs.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Bucket::Apps => "apps",
            Bucket::App => "app",
            Bucket::Groups => "groups",
            Bucket::Group => "group",
            Bucket::Users => "users",
            Bucket::User => "user",
            Bucket::Logs => "logs",
            Bucket::Clients => "clients",
            Bucket::Token => "token",
            Bucket::Other => "other",
        }
    }
}

/// The bucket a request to `path` (no query) draws from.
pub(crate) fn bucket_for(method: &str, path: &str) -> Bucket {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["oauth2", "v1", "token"] => Bucket::Token,
        ["oauth2", "v1", "clients", ..] => Bucket::Clients,
        ["api", "v1", "logs"] => Bucket::Logs,
        ["api", "v1", "apps"] => Bucket::Apps,
        ["api", "v1", "apps", _] => Bucket::App,
        ["api", "v1", "apps", _, _, ..] => Bucket::Apps,
        ["api", "v1", "groups"] => Bucket::Groups,
        ["api", "v1", "groups", _, ..] => Bucket::Group,
        ["api", "v1", "users"] => Bucket::Users,
        ["api", "v1", "users", _] if method.eq_ignore_ascii_case("GET") => Bucket::User,
        _ => Bucket::Other,
    }
}

/// What the governor knows of one bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) enum Knowledge {
    /// No response seen yet: probe with one request at a time.
    #[default]
    Unknown,
    /// Responses carry no rate-limit headers: nothing to keep to.
    Unlimited,
    /// The latest window seen.
    Known {
        /// `X-Rate-Limit-Limit`.
        limit: u32,
        /// The lowest `X-Rate-Limit-Remaining` seen in this window.
        remaining: u32,
        /// `X-Rate-Limit-Reset`, epoch seconds: identifies the window.
        reset_epoch: u64,
        /// When the window ends, on the local monotonic clock.
        reset_at: Instant,
    },
}

/// One bucket: what is known, and how many admitted requests have not been answered yet.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BucketState {
    pub(crate) knowledge: Knowledge,
    pub(crate) in_flight: u32,
}

/// The governor's decision for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Send it now.
    Go,
    /// The bucket is down to the reserve: wait for its reset.
    WaitUntil(Instant),
    /// Wait for an answer to a request in flight (a probe of a new bucket, or a window that has
    /// just reset and is filled by requests in flight).
    WaitForResponse,
}

/// Requests of a bucket of `limit` kept back for other integrations when this client takes `share`.
pub(crate) fn reserve(limit: u32, share: f64) -> f64 {
    f64::from(limit) * (1.0 - share)
}

/// The decision for one more request to a bucket in `state` at `now`.
pub(crate) fn decide(state: &BucketState, share: f64, now: Instant) -> Decision {
    match state.knowledge {
        Knowledge::Unknown if state.in_flight == 0 => Decision::Go,
        Knowledge::Unknown => Decision::WaitForResponse,
        Knowledge::Unlimited => Decision::Go,
        Knowledge::Known { limit, remaining, reset_at, .. } => {
            let window_over = now >= reset_at;
            let remaining = if window_over { limit } else { remaining };
            let available = f64::from(remaining) - f64::from(state.in_flight);
            if available > reserve(limit, share) {
                Decision::Go
            } else if window_over {
                Decision::WaitForResponse
            } else {
                Decision::WaitUntil(reset_at)
            }
        }
    }
}

/// The rate-limit headers of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateHeaders {
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    pub(crate) reset_epoch: u64,
    /// `X-Rate-Limit-Reset − Date` (zero when the reset is already past).
    pub(crate) until_reset: Duration,
}

impl RateHeaders {
    /// Okta's concurrency 429 reports `X-Rate-Limit-Limit: 0`: it is about requests in flight,
    /// not a bucket.
    pub(crate) fn is_concurrency_limit(&self) -> bool {
        self.limit == 0
    }
}

/// Reads the rate-limit headers; the time to reset is computed against the response's `Date`
/// (or the local clock, `local_now`, when it has none). With a header repeated, the smallest
/// value counts.
pub(crate) fn read_rate_headers(headers: &HeaderMap, local_now: SystemTime) -> Option<RateHeaders> {
    fn min_value(headers: &HeaderMap, name: &str) -> Option<u64> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|v| v.trim().parse::<u64>().ok())
            .min()
    }
    let limit = min_value(headers, "x-rate-limit-limit")?;
    let remaining = min_value(headers, "x-rate-limit-remaining")?;
    let reset_epoch = min_value(headers, "x-rate-limit-reset")?;
    let server_now = server_date(headers).unwrap_or(local_now);
    let server_epoch = server_now.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Some(RateHeaders {
        limit: u32::try_from(limit).unwrap_or(u32::MAX),
        remaining: u32::try_from(remaining).unwrap_or(u32::MAX),
        reset_epoch,
        until_reset: Duration::from_secs(reset_epoch.saturating_sub(server_epoch)),
    })
}

/// The response's `Date` header.
pub(crate) fn server_date(headers: &HeaderMap) -> Option<SystemTime> {
    headers.get("date").and_then(|v| v.to_str().ok()).and_then(|v| httpdate::parse_http_date(v.trim()).ok())
}

/// Folds one response into a bucket's knowledge. `received_at` is when its headers arrived;
/// `success` is whether it was a 2xx (only those can say "this bucket has no limits").
pub(crate) fn observe(state: &mut BucketState, headers: Option<RateHeaders>, received_at: Instant, success: bool) {
    let Some(h) = headers else {
        if success {
            state.knowledge = Knowledge::Unlimited;
        }
        return;
    };
    if h.is_concurrency_limit() {
        return;
    }
    let reset_at = received_at + h.until_reset.min(MAX_RESET_WAIT) + RESET_MARGIN;
    state.knowledge = match state.knowledge {
        Knowledge::Known { remaining, reset_epoch, reset_at: known_reset, .. } if reset_epoch == h.reset_epoch => {
            Knowledge::Known {
                limit: h.limit,
                remaining: remaining.min(h.remaining),
                reset_epoch,
                reset_at: known_reset.min(reset_at),
            }
        }
        // An answer from an earlier window, overtaken by a later one.
        Knowledge::Known { reset_epoch, .. } if reset_epoch > h.reset_epoch => return,
        _ => Knowledge::Known { limit: h.limit, remaining: h.remaining, reset_epoch: h.reset_epoch, reset_at },
    };
}

/// The governor: per-bucket budgets and the concurrency cap.
pub(crate) struct Governor {
    share: f64,
    buckets: Mutex<[BucketState; Bucket::COUNT]>,
    changed: Notify,
    slots: Semaphore,
    stats: Arc<Stats>,
}

/// An admitted request: holds a concurrency slot and counts as in flight for its bucket until
/// [`Admission::finish`] (or drop, when no answer came).
pub(crate) struct Admission<'a> {
    governor: &'a Governor,
    bucket: Bucket,
    slot: Option<SemaphorePermit<'a>>,
    finished: bool,
}

impl Governor {
    pub(crate) fn new(share: f64, max_concurrency: usize, stats: Arc<Stats>) -> Governor {
        Governor {
            share,
            buckets: Mutex::new([BucketState::default(); Bucket::COUNT]),
            changed: Notify::new(),
            slots: Semaphore::new(max_concurrency),
            stats,
        }
    }

    /// Waits until `bucket` has room and a concurrency slot is free.
    pub(crate) async fn admit(&self, bucket: Bucket) -> Admission<'_> {
        let mut waited_since: Option<Instant> = None;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let now = Instant::now();
            let decision = {
                let mut buckets = self.buckets.lock().expect("governor lock");
                let state = &mut buckets[bucket.index()];
                let decision = decide(state, self.share, now);
                if decision == Decision::Go {
                    state.in_flight += 1;
                }
                decision
            };
            match decision {
                Decision::Go => break,
                Decision::WaitUntil(at) => {
                    if waited_since.is_none() {
                        waited_since = Some(now);
                        self.stats.rate_limit_wait_started();
                        tracing::debug!(
                            bucket = bucket.name(),
                            wait_ms = at.saturating_duration_since(now).as_millis() as u64,
                            "rate governor: bucket down to its reserve, waiting for its reset"
                        );
                    }
                    tokio::select! {
                        _ = tokio::time::sleep_until(at.into()) => {}
                        _ = notified => {}
                    }
                }
                Decision::WaitForResponse => {
                    let _ = tokio::time::timeout(PROBE_RECHECK, notified).await;
                }
            }
        }
        if let Some(since) = waited_since {
            self.stats.rate_limit_waited(bucket, WaitCause::Reserve, since.elapsed());
        }
        // Counted in flight from here: if this future is dropped while waiting for a slot, the
        // admission's drop gives the bucket back.
        let mut admission = Admission { governor: self, bucket, slot: None, finished: false };
        admission.slot = Some(self.slots.acquire().await.expect("the governor's semaphore is never closed"));
        admission
    }

    /// A snapshot of one bucket (tests, diagnostics).
    #[cfg(test)]
    pub(crate) fn state(&self, bucket: Bucket) -> BucketState {
        self.buckets.lock().expect("governor lock")[bucket.index()]
    }

    fn release(&self, bucket: Bucket, observed: Option<(Option<RateHeaders>, Instant, bool)>) {
        {
            let mut buckets = self.buckets.lock().expect("governor lock");
            let state = &mut buckets[bucket.index()];
            if let Some((headers, received_at, success)) = observed {
                observe(state, headers, received_at, success);
            }
            state.in_flight = state.in_flight.saturating_sub(1);
        }
        self.changed.notify_waiters();
    }
}

impl Admission<'_> {
    /// The request was answered: learn from its headers and leave the bucket.
    pub(crate) fn finish(mut self, headers: Option<RateHeaders>, received_at: Instant, success: bool) {
        self.finished = true;
        self.governor.release(self.bucket, Some((headers, received_at, success)));
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.governor.release(self.bucket, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn known(limit: u32, remaining: u32, reset_at: Instant) -> Knowledge {
        Knowledge::Known { limit, remaining, reset_epoch: 1_000, reset_at }
    }

    #[test]
    fn buckets_follow_okta_endpoint_classes() {
        assert_eq!(bucket_for("GET", "/api/v1/apps"), Bucket::Apps);
        assert_eq!(bucket_for("GET", "/api/v1/apps/0oa1"), Bucket::App);
        assert_eq!(bucket_for("GET", "/api/v1/apps/0oa1/users"), Bucket::Apps);
        assert_eq!(bucket_for("GET", "/api/v1/apps/0oa1/groups"), Bucket::Apps);
        assert_eq!(bucket_for("GET", "/api/v1/groups"), Bucket::Groups);
        assert_eq!(bucket_for("GET", "/api/v1/groups/00g1"), Bucket::Group);
        assert_eq!(bucket_for("GET", "/api/v1/groups/00g1/users"), Bucket::Group);
        assert_eq!(bucket_for("GET", "/api/v1/users"), Bucket::Users);
        assert_eq!(bucket_for("GET", "/api/v1/users/"), Bucket::Users);
        assert_eq!(bucket_for("GET", "/api/v1/users/00u1"), Bucket::User);
        assert_eq!(bucket_for("DELETE", "/api/v1/users/00u1"), Bucket::Other);
        assert_eq!(bucket_for("GET", "/api/v1/users/00u1/roles"), Bucket::Other);
        assert_eq!(bucket_for("GET", "/api/v1/logs"), Bucket::Logs);
        assert_eq!(bucket_for("GET", "/oauth2/v1/clients"), Bucket::Clients);
        assert_eq!(bucket_for("GET", "/oauth2/v1/clients/0oa1/roles"), Bucket::Clients);
        assert_eq!(bucket_for("POST", "/oauth2/v1/token"), Bucket::Token);
        assert_eq!(bucket_for("GET", "/api/v1/iam/roles"), Bucket::Other);
    }

    #[test]
    fn reserve_is_the_share_left_to_others() {
        assert_eq!(reserve(4, 0.5), 2.0);
        assert_eq!(reserve(600, 0.5), 300.0);
        assert_eq!(reserve(100, 1.0), 0.0);
        assert!((reserve(100, 0.8) - 20.0).abs() < 1e-9);
    }

    #[test]
    fn a_bucket_of_four_at_half_share_allows_two_requests_then_waits_for_the_reset() {
        let now = Instant::now();
        let reset_at = now + Duration::from_secs(60);
        let mut state = BucketState::default();
        // Unknown: one probe at a time.
        assert_eq!(decide(&state, 0.5, now), Decision::Go);
        state.in_flight = 1;
        assert_eq!(decide(&state, 0.5, now), Decision::WaitForResponse);
        // The first answer: limit 4, 3 left. 3 − 0 > 2: a second request goes.
        state = BucketState { knowledge: known(4, 3, reset_at), in_flight: 0 };
        assert_eq!(decide(&state, 0.5, now), Decision::Go);
        // With that one in flight, 3 − 1 = 2 ≤ 2: wait.
        state.in_flight = 1;
        assert_eq!(decide(&state, 0.5, now), Decision::WaitUntil(reset_at));
        // Its answer: 2 left, nothing in flight: still at the reserve.
        state = BucketState { knowledge: known(4, 2, reset_at), in_flight: 0 };
        assert_eq!(decide(&state, 0.5, now), Decision::WaitUntil(reset_at));
        // After the reset the bucket counts as full again.
        assert_eq!(decide(&state, 0.5, reset_at), Decision::Go);
        // ... unless requests in flight already fill this client's share.
        state.in_flight = 2;
        assert_eq!(decide(&state, 0.5, reset_at), Decision::WaitForResponse);
    }

    #[test]
    fn full_share_uses_the_whole_bucket_and_no_headers_means_no_limit() {
        let now = Instant::now();
        let reset_at = now + Duration::from_secs(10);
        let state = BucketState { knowledge: known(10, 1, reset_at), in_flight: 0 };
        assert_eq!(decide(&state, 1.0, now), Decision::Go);
        let state = BucketState { knowledge: known(10, 1, reset_at), in_flight: 1 };
        assert_eq!(decide(&state, 1.0, now), Decision::WaitUntil(reset_at));
        let state = BucketState { knowledge: Knowledge::Unlimited, in_flight: 50 };
        assert_eq!(decide(&state, 0.5, now), Decision::Go);
    }

    #[test]
    fn in_flight_requests_count_against_the_budget() {
        let now = Instant::now();
        let reset_at = now + Duration::from_secs(30);
        let go = |remaining, in_flight| {
            decide(&BucketState { knowledge: known(600, remaining, reset_at), in_flight }, 0.5, now) == Decision::Go
        };
        assert!(go(400, 99));
        assert!(!go(400, 100));
        assert!(go(301, 0));
        assert!(!go(300, 0));
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn reset_is_measured_against_the_server_date_not_the_local_clock() {
        // The server's clock says 1_000_000; the reset is 42 s later. The local clock is an hour off.
        let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(1_000_000));
        let map = headers(&[
            ("x-rate-limit-limit", "600"),
            ("x-rate-limit-remaining", "599"),
            ("x-rate-limit-reset", "1000042"),
            ("date", &date),
        ]);
        let local = UNIX_EPOCH + Duration::from_secs(1_003_600);
        let h = read_rate_headers(&map, local).unwrap();
        assert_eq!(
            h,
            RateHeaders { limit: 600, remaining: 599, reset_epoch: 1_000_042, until_reset: Duration::from_secs(42) }
        );
        // Without Date, the local clock is all there is.
        let map = headers(&[
            ("x-rate-limit-limit", "600"),
            ("x-rate-limit-remaining", "5"),
            ("x-rate-limit-reset", "1000042"),
        ]);
        let h = read_rate_headers(&map, UNIX_EPOCH + Duration::from_secs(1_000_040)).unwrap();
        assert_eq!(h.until_reset, Duration::from_secs(2));
        // Repeated headers: the smallest counts.
        let map = headers(&[
            ("x-rate-limit-limit", "600"),
            ("x-rate-limit-remaining", "5"),
            ("x-rate-limit-remaining", "3"),
            ("x-rate-limit-reset", "1000050, 1000042"),
        ]);
        let h = read_rate_headers(&map, UNIX_EPOCH + Duration::from_secs(1_000_040)).unwrap();
        assert_eq!((h.remaining, h.reset_epoch), (3, 1_000_042));
        assert!(read_rate_headers(&headers(&[("x-rate-limit-limit", "600")]), SystemTime::now()).is_none());
    }

    #[test]
    fn observations_keep_the_lowest_remaining_of_a_window_and_ignore_stale_ones() {
        let t = Instant::now();
        let h = |remaining, reset_epoch| RateHeaders {
            limit: 100,
            remaining,
            reset_epoch,
            until_reset: Duration::from_secs(30),
        };
        let mut state = BucketState::default();
        observe(&mut state, Some(h(90, 1_000)), t, true);
        observe(&mut state, Some(h(95, 1_000)), t, true); // answered out of order
        assert!(matches!(state.knowledge, Knowledge::Known { remaining: 90, .. }));
        observe(&mut state, Some(h(99, 1_060)), t, true); // the next window
        assert!(matches!(state.knowledge, Knowledge::Known { remaining: 99, reset_epoch: 1_060, .. }));
        observe(&mut state, Some(h(10, 1_000)), t, true); // late answer from the old window
        assert!(matches!(state.knowledge, Knowledge::Known { remaining: 99, .. }));
        // A concurrency 429 says nothing about the bucket.
        observe(
            &mut state,
            Some(RateHeaders { limit: 0, remaining: 0, reset_epoch: 2_000, until_reset: Duration::ZERO }),
            t,
            false,
        );
        assert!(matches!(state.knowledge, Knowledge::Known { remaining: 99, .. }));
        // An error without headers says nothing either; a success without them means no limits.
        observe(&mut state, None, t, false);
        assert!(matches!(state.knowledge, Knowledge::Known { .. }));
        observe(&mut state, None, t, true);
        assert_eq!(state.knowledge, Knowledge::Unlimited);
    }

    #[test]
    fn absurd_resets_are_capped() {
        let t = Instant::now();
        let mut state = BucketState::default();
        let h = RateHeaders { limit: 10, remaining: 0, reset_epoch: 5, until_reset: Duration::from_secs(86_400) };
        observe(&mut state, Some(h), t, false);
        let Knowledge::Known { reset_at, .. } = state.knowledge else { panic!() };
        assert!(reset_at <= t + MAX_RESET_WAIT + RESET_MARGIN);
    }

    #[tokio::test]
    async fn admission_waits_for_the_probe_and_counts_in_flight() {
        let stats = Arc::new(Stats::default());
        let governor = Governor::new(0.5, 4, stats.clone());
        let probe = governor.admit(Bucket::Users).await;
        assert_eq!(governor.state(Bucket::Users).in_flight, 1);
        // A second request to the unknown bucket waits for the probe's answer.
        let second = tokio::time::timeout(Duration::from_millis(100), governor.admit(Bucket::Users)).await;
        assert!(second.is_err(), "waits while the probe is out");
        // Other buckets are not held up.
        let other = governor.admit(Bucket::Groups).await;
        drop(other);
        let headers = RateHeaders { limit: 600, remaining: 599, reset_epoch: 1, until_reset: Duration::from_secs(60) };
        probe.finish(Some(headers), Instant::now(), true);
        let a = governor.admit(Bucket::Users).await;
        let b = governor.admit(Bucket::Users).await;
        assert_eq!(governor.state(Bucket::Users).in_flight, 2);
        drop((a, b));
        assert_eq!(governor.state(Bucket::Users).in_flight, 0);
        assert_eq!(stats.snapshot().rate_limit_waits, 0);
    }

    #[tokio::test]
    async fn admission_holds_back_at_the_reserve_and_counts_the_wait() {
        let stats = Arc::new(Stats::default());
        let governor = Governor::new(0.5, 4, stats.clone());
        let first = governor.admit(Bucket::Logs).await;
        let headers = RateHeaders { limit: 4, remaining: 2, reset_epoch: 7, until_reset: Duration::from_millis(0) };
        // The window resets in RESET_MARGIN (250 ms): the next request waits about that long.
        first.finish(Some(headers), Instant::now(), true);
        let started = Instant::now();
        let next = governor.admit(Bucket::Logs).await;
        assert!(started.elapsed() >= Duration::from_millis(200), "waited {:?}", started.elapsed());
        drop(next);
        let s = stats.snapshot();
        assert_eq!(s.rate_limit_waits, 1);
        assert!(s.rate_limit_wait_ms >= 200);
    }

    #[tokio::test]
    async fn the_concurrency_cap_holds() {
        let stats = Arc::new(Stats::default());
        let governor = Governor::new(1.0, 2, stats);
        let mut held = Vec::new();
        for bucket in [Bucket::Other, Bucket::Groups] {
            held.push(governor.admit(bucket).await);
        }
        assert!(tokio::time::timeout(Duration::from_millis(50), governor.admit(Bucket::Apps)).await.is_err());
        held.pop();
        assert!(tokio::time::timeout(Duration::from_millis(50), governor.admit(Bucket::Apps)).await.is_ok());
    }
}
