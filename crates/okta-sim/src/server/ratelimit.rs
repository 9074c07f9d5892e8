//! Okta's rate limits: per-bucket budgets per minute and an org-wide concurrency limit.
//!
//! Buckets and their Workforce defaults follow the last table Okta published (see
//! `okta-api.md` §3.2). Windows are 60 s long and start at a bucket's first request, so they are
//! not aligned to wall-clock minutes, as on Okta.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Okta's default concurrency limit for Workforce orgs.
pub const DEFAULT_CONCURRENCY: u32 = 75;

/// The Workforce Identity per-minute defaults, by bucket name.
pub fn workforce_defaults() -> BTreeMap<String, u32> {
    [
        ("apps", 100),
        ("app", 500),
        ("groups", 500),
        ("group", 1000),
        ("users", 600),
        ("user", 2000),
        ("logs", 120),
        ("clients", 100),
        ("token", 600),
        ("other", 1200),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The bucket a request draws from.
pub fn bucket_for(method: &str, path: &str) -> &'static str {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    match segments.as_slice() {
        ["oauth2", "v1", "token"] => "token",
        ["oauth2", "v1", "clients", ..] => "clients",
        ["api", "v1", "logs"] => "logs",
        ["api", "v1", "apps"] => "apps",
        ["api", "v1", "apps", _] => "app",
        ["api", "v1", "apps", _, ..] => "apps",
        ["api", "v1", "groups"] => "groups",
        ["api", "v1", "groups", ..] => "group",
        ["api", "v1", "users"] => "users",
        ["api", "v1", "users", _] if method == "GET" => "user",
        _ => "other",
    }
}

/// What the limiter decided for one request; the headers go on every API response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Rate limiting is off.
    Unlimited,
    Allowed {
        limit: u32,
        remaining: u32,
        reset: u64,
    },
    /// Over the bucket's budget: 429 E0000047.
    OverBudget {
        limit: u32,
        reset: u64,
    },
    /// Over the concurrency limit: 429 with `X-Rate-Limit-Limit: 0`.
    OverConcurrency {
        reset: u64,
    },
}

/// Rate limit settings, changeable at run time through the control API.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RateLimitSettings {
    pub enabled: bool,
    /// Requests per minute per bucket.
    pub per_minute: BTreeMap<String, u32>,
    pub concurrency: u32,
    /// Length of a budget window: 60 s on Okta; shorter in tests so that waiting one out is quick.
    #[serde(default = "okta_window_seconds")]
    pub window_seconds: u64,
}

fn okta_window_seconds() -> u64 {
    60
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            enabled: true,
            per_minute: workforce_defaults(),
            concurrency: DEFAULT_CONCURRENCY,
            window_seconds: okta_window_seconds(),
        }
    }
}

/// What clients did against the limits, for tests and benchmarks.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LimitStats {
    /// 429 responses sent (budget and concurrency).
    pub rejected: u64,
    /// The most requests any one window of each bucket admitted.
    pub peak_per_window: BTreeMap<String, u32>,
    /// Requests admitted per bucket since start.
    pub admitted: BTreeMap<String, u64>,
}

struct Window {
    started: SystemTime,
    used: u32,
}

/// The org's limiter.
pub struct RateLimiter {
    settings: Mutex<RateLimitSettings>,
    windows: Mutex<BTreeMap<&'static str, Window>>,
    in_flight: AtomicU32,
    stats: Mutex<LimitStats>,
}

/// Releases a concurrency slot when the response is done.
pub struct InFlight<'a>(&'a AtomicU32);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn epoch_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl RateLimiter {
    pub fn new(settings: RateLimitSettings) -> RateLimiter {
        RateLimiter {
            settings: Mutex::new(settings),
            windows: Mutex::new(BTreeMap::new()),
            in_flight: AtomicU32::new(0),
            stats: Mutex::new(LimitStats::default()),
        }
    }

    pub fn stats(&self) -> LimitStats {
        self.stats.lock().expect("rate limit stats lock").clone()
    }

    fn rejected(&self) {
        self.stats.lock().expect("rate limit stats lock").rejected += 1;
    }

    pub fn settings(&self) -> RateLimitSettings {
        self.settings.lock().expect("rate limit settings lock").clone()
    }

    /// Replaces the settings and starts every bucket afresh.
    pub fn set_settings(&self, settings: RateLimitSettings) {
        *self.settings.lock().expect("rate limit settings lock") = settings;
        self.windows.lock().expect("rate limit windows lock").clear();
    }

    /// Admits one request to `bucket` at `now`. The returned guard holds a concurrency slot.
    pub fn admit(&self, bucket: &'static str, now: SystemTime) -> (Admission, Option<InFlight<'_>>) {
        let settings = self.settings();
        if !settings.enabled {
            return (Admission::Unlimited, None);
        }
        let in_flight = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let guard = InFlight(&self.in_flight);
        if in_flight > settings.concurrency {
            self.rejected();
            return (Admission::OverConcurrency { reset: epoch_secs(now) + 1 }, None);
        }
        let window_length = Duration::from_secs(settings.window_seconds.max(1));
        let limit = settings.per_minute.get(bucket).copied().unwrap_or(1200);
        let mut windows = self.windows.lock().expect("rate limit windows lock");
        let window = windows.entry(bucket).or_insert(Window { started: now, used: 0 });
        if now.duration_since(window.started).map(|d| d >= window_length).unwrap_or(false) {
            *window = Window { started: now, used: 0 };
        }
        // Okta reports the reset as whole epoch seconds, rounded up so that waiting until it is enough.
        let reset = epoch_secs(window.started + window_length) + 1;
        if window.used >= limit {
            drop(windows);
            self.rejected();
            return (Admission::OverBudget { limit, reset }, None);
        }
        window.used += 1;
        let used = window.used;
        drop(windows);
        let mut stats = self.stats.lock().expect("rate limit stats lock");
        let peak = stats.peak_per_window.entry(bucket.to_string()).or_default();
        *peak = (*peak).max(used);
        *stats.admitted.entry(bucket.to_string()).or_default() += 1;
        (Admission::Allowed { limit, remaining: limit - used, reset }, Some(guard))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_follow_okta_table() {
        assert_eq!(bucket_for("GET", "/api/v1/apps"), "apps");
        assert_eq!(bucket_for("GET", "/api/v1/apps/0oa1/users"), "apps");
        assert_eq!(bucket_for("GET", "/api/v1/apps/0oa1"), "app");
        assert_eq!(bucket_for("GET", "/api/v1/users"), "users");
        assert_eq!(bucket_for("GET", "/api/v1/users/00u1"), "user");
        assert_eq!(bucket_for("GET", "/api/v1/users/00u1/roles"), "other");
        assert_eq!(bucket_for("GET", "/api/v1/groups/00g1/users"), "group");
        assert_eq!(bucket_for("GET", "/api/v1/logs"), "logs");
        assert_eq!(bucket_for("GET", "/oauth2/v1/clients/abc/roles"), "clients");
    }

    #[test]
    fn budget_runs_out_and_window_resets() {
        let mut settings = RateLimitSettings::default();
        settings.per_minute.insert("logs".into(), 2);
        let limiter = RateLimiter::new(settings);
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert!(matches!(limiter.admit("logs", t0).0, Admission::Allowed { remaining: 1, .. }));
        assert!(matches!(limiter.admit("logs", t0).0, Admission::Allowed { remaining: 0, .. }));
        let (over, _) = limiter.admit("logs", t0 + Duration::from_secs(30));
        assert_eq!(over, Admission::OverBudget { limit: 2, reset: 1_000_061 });
        assert!(matches!(limiter.admit("logs", t0 + Duration::from_secs(61)).0, Admission::Allowed { .. }));
    }

    #[test]
    fn concurrency_limit_answers_with_limit_zero() {
        let settings = RateLimitSettings { concurrency: 1, ..RateLimitSettings::default() };
        let limiter = RateLimiter::new(settings);
        let now = SystemTime::now();
        let (_, held) = limiter.admit("users", now);
        assert!(held.is_some());
        assert!(matches!(limiter.admit("users", now).0, Admission::OverConcurrency { .. }));
        drop(held);
        assert!(matches!(limiter.admit("users", now).0, Admission::Allowed { .. }));
    }
}
