/*!
The GitHub organisation audit log poller (`GET /orgs/{org}/audit-log`, GitHub Enterprise Cloud and
Server).

It asks for the oldest events first (`order=asc`, `include=all`, 100 a page) and follows the
`Link` header's `rel="next"` URL, whose `after` cursor continues exactly where the page ended.
Each page's events and the URL to ask next are stored in one transaction
(`store::Store::append_events`), so a poller killed at any instant resumes from a cursor that
matches what was stored, and `(source, uuid)` (GitHub's `_document_id`) keeps a page read twice
from being stored twice.

GitHub omits the `next` link on the last page, so there is no cursor to continue from once the
poller has caught up. It then stores a search for `created:>=` the newest stored event minus
[`RESUME_OVERLAP`] instead: re-reading that short overlap costs a few duplicates, which the
store skips, and catches events GitHub indexes a little after their neighbours. A cursor GitHub
refuses later (400/422) falls back to the same search, so it loses nothing either.

The first poll starts `lookback` ago, clamped to GitHub's 180-day retention of web events (Git
events are kept only seven days, so a poller stopped for longer misses those silently); a
poller stopped for longer than the retention records the gap in `log_gaps` and restarts at the
oldest retained events.

Rate limits follow GitHub's guidance for integrators: after a 403/429 it waits for `retry-after`
when given, else until `x-ratelimit-reset` when `x-ratelimit-remaining` is 0, else (a secondary
limit) at least a minute, growing each time. A wait longer than the cap is not slept through: the
poll fails with [`GithubError::RateLimited`] and the next poll tries again. Server errors and
timeouts are retried a few times with growing pauses. The token is sent only to the configured
API host (a `next` link elsewhere is refused) and appears in no error or log line.
*/

use crate::okta_log::PageReport;
use crate::people::People;
use chrono::{DateTime, Duration as TimeDelta, Utc};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderMap, LINK, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde_json::value::RawValue;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;
use store::{CursorUpdate, EventBatch, RejectedEvent, Store};
use tokio::sync::watch;
use url::Url;

/// GitHub's public API.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// GitHub keeps organisation audit log web events this long (Git events: seven days).
pub const RETENTION_DAYS: i64 = 180;

/// Events per page (GitHub's maximum).
pub const PAGE_SIZE: usize = 100;

/// How far before the newest stored event a caught-up poller asks again.
pub const RESUME_OVERLAP: TimeDelta = TimeDelta::minutes(1);

/// The longest rate-limit wait the poller sleeps through by default.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(15 * 60);

/// The REST API version this poller speaks.
const API_VERSION: &str = "2022-11-28";

/// Retries of a server error or a failed connection.
const MAX_RETRIES: u32 = 4;

/// Rate-limit waits for one request before it gives up (the limit should have reset by then).
const MAX_RATE_LIMIT_WAITS: u32 = 3;

/// Pause before the first retry; doubled each time up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// GitHub's advice when a secondary limit gives no header: wait at least a minute.
const SECONDARY_WAIT: Duration = Duration::from_secs(60);

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Rejected raw records remembered so the resume overlap does not keep them twice.
const REJECTED_MEMORY: usize = 10_000;

/// One GitHub organisation's audit log stream.
#[derive(Debug, Clone)]
pub struct GithubConfig {
    /// The integration's name (the stream is `github:<name>`).
    pub name: String,
    /// The organisation's login, as in `https://github.com/<org>`.
    pub org: String,
    /// A token of an organisation owner: a classic personal access token with `read:audit_log`
    /// (or `admin:org`), or a fine-grained / GitHub App token with organisation administration
    /// read permission.
    pub token: SecretString,
    /// The REST API root: [`DEFAULT_API_URL`], or `https://HOST/api/v3` for GitHub Enterprise
    /// Server. Plain `http` only for loopback hosts.
    pub api_url: String,
    /// How far back the first poll starts.
    pub lookback: TimeDelta,
}

impl GithubConfig {
    /// A configuration for github.com with a 24-hour lookback.
    pub fn new(name: &str, org: &str, token: SecretString) -> GithubConfig {
        GithubConfig {
            name: name.to_string(),
            org: org.to_string(),
            token,
            api_url: DEFAULT_API_URL.to_string(),
            lookback: TimeDelta::hours(24),
        }
    }
}

/// Why a GitHub poll stopped. Messages name GitHub and the organisation, never the token.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// The configuration cannot work.
    #[error("GitHub integration {name}: {reason}")]
    Config {
        /// The integration.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// 401: the token is wrong, expired or revoked.
    #[error(
        "the GitHub token was refused (401 Unauthorized) for organisation {org}: check that it is valid, \
         not expired and not revoked"
    )]
    Unauthorized {
        /// The organisation.
        org: String,
    },
    /// 403 without a rate limit: the token may not read the audit log.
    #[error(
        "GitHub refused access to the audit log of {org} (403 Forbidden: {message}): the token must belong to an \
         organisation owner and carry the read:audit_log scope (or organisation administration read permission), \
         and be authorised for SAML single sign-on where the organisation enforces it"
    )]
    Forbidden {
        /// The organisation.
        org: String,
        /// GitHub's message.
        message: String,
    },
    /// 404: no such organisation, or no audit log API for it.
    #[error(
        "GitHub has no audit log for organisation {org} (404 Not Found): check the organisation name; the audit \
         log API needs GitHub Enterprise Cloud (or Server) and a token that can see the organisation"
    )]
    NotFound {
        /// The organisation.
        org: String,
    },
    /// A rate limit that resets later than the poller is willing to wait.
    #[error(
        "GitHub rate limit for organisation {org}: it resets in {}s, longer than the {}s the poller waits; \
         the next poll continues where this one stopped",
        wait.as_secs(),
        max.as_secs()
    )]
    RateLimited {
        /// The organisation.
        org: String,
        /// How long GitHub asked to wait.
        wait: Duration,
        /// The cap.
        max: Duration,
    },
    /// 5xx after every retry.
    #[error("GitHub answered {status} for {url} {attempts} times; it may be having an outage")]
    Server {
        /// The last status.
        status: u16,
        /// The URL, without its query.
        url: String,
        /// Requests made.
        attempts: u32,
    },
    /// The connection failed or timed out after every retry.
    #[error("cannot reach GitHub at {url} ({attempts} attempts): {reason}")]
    Transport {
        /// The URL, without its query.
        url: String,
        /// Requests made.
        attempts: u32,
        /// Why.
        reason: String,
    },
    /// Any other refusal.
    #[error("GitHub refused the audit log request for {url} ({status}): {message}")]
    Rejected {
        /// The status.
        status: u16,
        /// The URL, without its query.
        url: String,
        /// GitHub's message.
        message: String,
    },
    /// A 2xx answer that is not an audit log page, or a `next` link the poller will not follow.
    #[error("GitHub sent an unusable audit log answer for {url}: {reason}")]
    Malformed {
        /// The URL, without its query.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The store failed.
    #[error("cannot store GitHub audit log events")]
    Store(#[from] store::Error),
}

/// One organisation's audit log poller.
pub struct GithubAuditLog {
    config: GithubConfig,
    store: Store,
    people: People,
    http: reqwest::Client,
    /// `api_url` without a trailing slash.
    base: String,
    /// The path of `base` (`""` or `/api/v3`), which every followed link must stay under.
    base_path: String,
    origin: url::Origin,
    max_wait: Duration,
    first_backoff: Duration,
    rejected_seen: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for GithubAuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubAuditLog").field("stream", &self.stream()).field("api_url", &self.base).finish()
    }
}

impl GithubAuditLog {
    /// A poller for one organisation. Fails when the organisation or API URL cannot work.
    pub fn new(config: GithubConfig, store: Store, people: People) -> Result<GithubAuditLog, GithubError> {
        let fail = |reason: String| GithubError::Config { name: config.name.clone(), reason };
        if config.name.trim().is_empty() {
            return Err(fail("the integration needs a name".into()));
        }
        if config.org.is_empty() || !config.org.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(fail(format!(
                "`{}` is not a GitHub organisation login (letters, digits and hyphens)",
                config.org
            )));
        }
        if config.token.expose_secret().trim().is_empty() {
            return Err(fail("the GitHub token is empty".into()));
        }
        let url = Url::parse(config.api_url.trim())
            .map_err(|e| fail(format!("api_url `{}` is not a URL: {e}", config.api_url)))?;
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => false,
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err(fail(format!(
                    "api_url `{}` must be https (plain http only for loopback hosts), so the token is not sent in \
                     clear",
                    config.api_url
                )));
            }
        }
        if url.query().is_some() || url.fragment().is_some() || url.cannot_be_a_base() {
            return Err(fail(format!("api_url `{}` must be a plain URL without query", config.api_url)));
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("sightline/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| fail(format!("the HTTP client cannot start: {}", e.without_url())))?;
        let base_path = url.path().trim_end_matches('/').to_string();
        let base = format!("{}{base_path}", url.origin().ascii_serialization());
        Ok(GithubAuditLog {
            origin: url.origin(),
            config,
            store,
            people,
            http,
            base,
            base_path,
            max_wait: DEFAULT_MAX_WAIT,
            first_backoff: FIRST_BACKOFF,
            rejected_seen: Mutex::new(HashSet::new()),
        })
    }

    /// Changes the longest rate-limit wait slept through (default [`DEFAULT_MAX_WAIT`]).
    pub fn with_max_wait(mut self, max_wait: Duration) -> GithubAuditLog {
        self.max_wait = max_wait;
        self
    }

    /// The stream's key in `log_cursors`.
    pub fn stream(&self) -> String {
        format!("github:{}", self.config.name)
    }

    /// The configuration (the token stays redacted in `Debug`).
    pub fn config(&self) -> &GithubConfig {
        &self.config
    }

    /// A search of events created at or after `since`, oldest first (path and query under `base`).
    fn search_path(&self, since: DateTime<Utc>) -> String {
        // The search syntax takes seconds; flooring only widens the window, and the store
        // drops the duplicates.
        let phrase = format!("created:>={}", since.format("%Y-%m-%dT%H:%M:%S+00:00"));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("phrase", &phrase)
            .append_pair("include", "all")
            .append_pair("per_page", &PAGE_SIZE.to_string())
            .append_pair("order", "asc")
            .finish();
        format!("/orgs/{}/audit-log?{query}", self.config.org)
    }

    /// The oldest time GitHub still has events for (with a minute's margin for clock skew).
    fn retention_start(now: DateTime<Utc>) -> DateTime<Utc> {
        now - TimeDelta::days(RETENTION_DAYS) + TimeDelta::minutes(1)
    }

    fn first_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let wanted = now - self.config.lookback;
        let retained = Self::retention_start(now);
        if wanted < retained {
            tracing::warn!(
                integration = %self.config.name,
                "the GitHub audit log start is before GitHub's {RETENTION_DAYS}-day retention; starting at {retained}"
            );
            retained
        } else {
            wanted
        }
    }

    /// Where a caught-up stream asks next: a little before the newest event it stored.
    fn resume_path(&self, newest: DateTime<Utc>) -> String {
        self.search_path(newest - RESUME_OVERLAP)
    }

    async fn store_cursor(&self, cursor: String) -> Result<(), GithubError> {
        let batch = EventBatch { cursor: Some(CursorUpdate { stream: self.stream(), cursor }), ..Default::default() };
        self.store.append_events(batch).await?;
        Ok(())
    }

    /// Where to ask next: the stored cursor, or the start of a new stream.
    async fn next_path(&self, cursor: Option<&store::LogCursor>) -> Result<String, GithubError> {
        let now = Utc::now();
        let Some(cursor) = cursor else { return Ok(self.search_path(self.first_start(now))) };
        let retained = Self::retention_start(now);
        // When the cursor last moved, not the newest event: a quiet organisation polled every
        // minute has lost nothing however old its newest event is.
        if cursor.updated_at < retained {
            let reason = "the poller was stopped for longer than GitHub keeps audit log events (180 days)";
            let last = cursor.last_time.unwrap_or(cursor.updated_at);
            tracing::warn!(integration = %self.config.name, %last, to = %retained, reason, "GitHub audit log gap");
            self.store.record_log_gap(&self.stream(), Some(last), retained, reason).await?;
            let path = self.search_path(retained);
            self.store_cursor(path.clone()).await?;
            return Ok(path);
        }
        Ok(cursor.cursor.clone())
    }

    /// Fetches and stores one page. `full` in the report says more pages are waiting.
    pub async fn poll_page(&self) -> Result<PageReport, GithubError> {
        let started = std::time::Instant::now();
        let stored = self.store.log_cursor(&self.stream()).await?;
        let last_time = stored.as_ref().and_then(|c| c.last_time);
        let path = self.next_path(stored.as_ref()).await?;
        let (body, headers) = match self.get(&path).await {
            Ok(answer) => answer,
            // A cursor GitHub no longer accepts: searching from the newest stored event loses
            // nothing, and the store drops what is read again.
            Err(GithubError::Rejected { status: 400 | 422, message, .. }) if has_cursor(&path) => {
                tracing::warn!(integration = %self.config.name, %message, "GitHub refused the stored cursor; resuming by time");
                let since = last_time.map_or_else(|| self.first_start(Utc::now()), |t| t - RESUME_OVERLAP);
                self.store_cursor(self.search_path(since)).await?;
                return Ok(PageReport { full: true, ..Default::default() });
            }
            Err(e) => return Err(e),
        };
        let items: Vec<Box<RawValue>> = serde_json::from_str(&body).map_err(|e| GithubError::Malformed {
            url: self.display_url(&path),
            reason: format!("not a JSON array of events: {e}"),
        })?;
        let next = match next_link(&headers) {
            Some(link) => Some(self.relative(&path, &link)?),
            None => None,
        };

        let received = items.len() as u64;
        let mut batch = EventBatch::default();
        let mut newest = last_time;
        for raw in items {
            match activity::normalize(activity::Source::Github, &raw) {
                Ok(mut event) => {
                    newest = newest.max(Some(event.time));
                    event.tenant = Some(self.config.org.clone());
                    batch.events.push(self.people.new_event(event, Some(&self.config.name)));
                }
                Err(e) => {
                    let raw = raw.get().to_string();
                    if self.first_rejection(&raw) {
                        let reason = e.to_string();
                        tracing::warn!(integration = %self.config.name, %reason, "a GitHub audit log event could not be normalised; kept in rejected_events");
                        batch.rejected.push(RejectedEvent {
                            source: activity::Source::Github.as_str().into(),
                            stream: Some(self.stream()),
                            reason,
                            raw,
                        });
                    }
                }
            }
        }
        // More is waiting only while GitHub gives a next page that is not empty; once caught up
        // there is no cursor to keep, so the stream resumes by time.
        let full = next.is_some() && received > 0;
        let cursor = match (full, next, newest) {
            (true, Some(next), _) => next,
            (_, _, Some(newest)) => self.resume_path(newest),
            (_, _, None) => path,
        };
        batch.cursor = Some(CursorUpdate { stream: self.stream(), cursor });
        let outcome = self.store.append_events(batch).await?;
        crate::telemetry::stored(activity::Source::Github.as_str(), &outcome);
        crate::telemetry::polled("github", &self.config.name, started.elapsed(), newest);
        Ok(PageReport {
            received,
            inserted: outcome.inserted,
            duplicates: outcome.duplicates,
            rejected: outcome.rejected,
            full,
        })
    }

    /// Polls until caught up (no further page) or until `stop` turns true; the page in hand is
    /// always finished. `on_page` sees each page's report.
    pub async fn catch_up(
        &self,
        stop: &watch::Receiver<bool>,
        mut on_page: impl FnMut(&PageReport),
    ) -> Result<PageReport, GithubError> {
        let mut total = PageReport::default();
        loop {
            let page = self.poll_page().await?;
            on_page(&page);
            total += page;
            if !page.full || *stop.borrow() {
                return Ok(total);
            }
        }
    }

    /// Whether a rejected record is new to this poller (the resume overlap reads some twice).
    fn first_rejection(&self, raw: &str) -> bool {
        let mut seen = self.rejected_seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= REJECTED_MEMORY {
            seen.clear();
        }
        seen.insert(raw.to_string())
    }

    /// A URL for messages: the host and path, never the query (it holds cursors and searches).
    fn display_url(&self, path: &str) -> String {
        let path = path.split('?').next().unwrap_or_default();
        format!("{}{path}", self.base)
    }

    /// A `next` link as a path under `base`, refusing links to anywhere else (the token goes with it).
    fn relative(&self, current: &str, link: &str) -> Result<String, GithubError> {
        let refuse = |reason: String| GithubError::Malformed { url: self.display_url(current), reason };
        let base = Url::parse(&format!("{}/", self.base)).map_err(|e| refuse(e.to_string()))?;
        let url = base.join(link).map_err(|e| refuse(format!("the next link is not a URL: {e}")))?;
        let under_base = url.path().strip_prefix(&self.base_path).is_some_and(|rest| rest.starts_with('/'));
        if url.origin() != self.origin || !under_base {
            return Err(refuse(format!(
                "the next link points outside {} ({}); the poller does not send the token there",
                self.base,
                url.origin().ascii_serialization()
            )));
        }
        let rest = &url.path()[self.base_path.len()..];
        Ok(match url.query() {
            Some(query) => format!("{rest}?{query}"),
            None => rest.to_string(),
        })
    }

    /// `GET base + path`: the body and headers of a 2xx answer, after retries and rate-limit waits.
    async fn get(&self, path: &str) -> Result<(String, HeaderMap), GithubError> {
        let url = format!("{}{path}", self.base);
        let shown = self.display_url(path);
        let org = || self.config.org.clone();
        let (mut attempts, mut retries, mut rate_waits, mut secondary_wait) = (0u32, 0u32, 0u32, SECONDARY_WAIT);
        loop {
            attempts += 1;
            let sent = self
                .http
                .get(&url)
                .bearer_auth(self.config.token.expose_secret())
                .header(ACCEPT, "application/vnd.github+json")
                .header("X-GitHub-Api-Version", API_VERSION)
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(e) if retries < MAX_RETRIES => {
                    retries += 1;
                    let pause = self.backoff(retries);
                    tracing::warn!(url = %shown, error = %transport_reason(e), ?pause, "GitHub request failed; retrying");
                    tokio::time::sleep(pause).await;
                    continue;
                }
                Err(e) => {
                    return Err(GithubError::Transport { url: shown, attempts, reason: transport_reason(e) });
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            if status.is_success() {
                match response.text().await {
                    Ok(body) => return Ok((body, headers)),
                    Err(e) if retries < MAX_RETRIES => {
                        retries += 1;
                        let pause = self.backoff(retries);
                        tracing::warn!(url = %shown, error = %transport_reason(e), ?pause, "GitHub answer cut short; retrying");
                        tokio::time::sleep(pause).await;
                        continue;
                    }
                    Err(e) => {
                        return Err(GithubError::Transport { url: shown, attempts, reason: transport_reason(e) });
                    }
                }
            }
            let body = response.text().await.unwrap_or_default();
            let message = github_message(&body);
            match status {
                StatusCode::UNAUTHORIZED => return Err(GithubError::Unauthorized { org: org() }),
                StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS => {
                    let wait = match rate_limit_wait(&headers, Utc::now()) {
                        Some(wait) => Some(wait),
                        // A secondary limit without headers: GitHub asks for at least a minute,
                        // longer each time.
                        None if status == StatusCode::TOO_MANY_REQUESTS || message.contains("rate limit") => {
                            let wait = secondary_wait;
                            secondary_wait = secondary_wait.saturating_mul(2);
                            Some(wait)
                        }
                        None => None,
                    };
                    let Some(wait) = wait else { return Err(GithubError::Forbidden { org: org(), message }) };
                    if wait > self.max_wait || rate_waits >= MAX_RATE_LIMIT_WAITS {
                        return Err(GithubError::RateLimited { org: org(), wait, max: self.max_wait });
                    }
                    rate_waits += 1;
                    tracing::warn!(
                        integration = %self.config.name,
                        wait_secs = wait.as_secs_f64(),
                        "GitHub rate limit reached; waiting until it resets"
                    );
                    tokio::time::sleep(wait).await;
                }
                StatusCode::NOT_FOUND => return Err(GithubError::NotFound { org: org() }),
                s if s.is_server_error() && retries < MAX_RETRIES => {
                    retries += 1;
                    let pause = self.backoff(retries);
                    tracing::warn!(url = %shown, status = s.as_u16(), ?pause, "GitHub server error; retrying");
                    tokio::time::sleep(pause).await;
                }
                s if s.is_server_error() => {
                    return Err(GithubError::Server { status: s.as_u16(), url: shown, attempts });
                }
                s => return Err(GithubError::Rejected { status: s.as_u16(), url: shown, message }),
            }
        }
    }

    fn backoff(&self, retry: u32) -> Duration {
        self.first_backoff.saturating_mul(1 << retry.saturating_sub(1).min(16)).min(MAX_BACKOFF)
    }
}

/// What went wrong with a request, without its URL (whose query holds cursors): the innermost
/// cause, which says more than reqwest's "error sending request".
fn transport_reason(e: reqwest::Error) -> String {
    if e.is_timeout() {
        return format!("no answer within {}s", REQUEST_TIMEOUT.as_secs());
    }
    let e = e.without_url();
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        reason = cause.to_string();
        source = cause.source();
    }
    reason
}

/// Whether a stored path continues from an `after` cursor (rather than a time search).
fn has_cursor(path: &str) -> bool {
    let query = path.split_once('?').map_or("", |(_, q)| q);
    url::form_urlencoded::parse(query.as_bytes()).any(|(k, v)| k == "after" && !v.is_empty())
}

/// GitHub's error `message`, shortened; the body itself when it is not GitHub's JSON.
fn github_message(body: &str) -> String {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_else(|| body.trim().to_string());
    let mut short: String = message.chars().take(300).collect();
    if short.len() < message.len() {
        short.push('…');
    }
    if short.is_empty() { "no message".into() } else { short }
}

/// How long a rate-limited answer asks to wait: `retry-after` seconds, or until
/// `x-ratelimit-reset` when `x-ratelimit-remaining` is 0 (measured against the server's `Date`
/// when it sends one, so a skewed local clock neither hammers nor stalls). `None` when the answer
/// names no wait.
pub(crate) fn rate_limit_wait(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(secs) = header(RETRY_AFTER.as_str()).and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs.max(1)));
    }
    if header("x-ratelimit-remaining") == Some("0") {
        let reset = header("x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok())?;
        let server_now = header("date")
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .map_or(now.timestamp(), |t| DateTime::<Utc>::from(t).timestamp());
        // One second past the reset: the header has whole seconds.
        let secs = (reset - server_now).max(0) + 1;
        return Some(Duration::from_secs(secs as u64));
    }
    None
}

/// The `rel="next"` target of the `Link` headers.
pub(crate) fn next_link(headers: &HeaderMap) -> Option<String> {
    headers.get_all(LINK).iter().filter_map(|v| v.to_str().ok()).find_map(find_rel_next)
}

fn find_rel_next(header: &str) -> Option<String> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let target = &after[..close];
        let params = &after[close + 1..];
        let end = params.find('<').unwrap_or(params.len());
        let is_next = params[..end].split(';').any(|param| {
            let param = param.trim().trim_end_matches(',').trim();
            param.split_once('=').is_some_and(|(key, value)| {
                key.trim().eq_ignore_ascii_case("rel")
                    && value.trim().trim_matches('"').split_whitespace().any(|rel| rel.eq_ignore_ascii_case("next"))
            })
        });
        if is_next {
            return Some(target.to_string());
        }
        rest = &params[end..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn next_link_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            HeaderValue::from_static(
                "<https://api.github.com/organizations/1/audit-log?per_page=100&before=Y>; rel=\"prev\", \
                 <https://api.github.com/organizations/1/audit-log?per_page=100&after=X%3D%3D&before=>; rel=\"next\", \
                 <https://api.github.com/organizations/1/audit-log?per_page=100>; rel=\"first\"",
            ),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://api.github.com/organizations/1/audit-log?per_page=100&after=X%3D%3D&before=")
        );
        headers.insert(LINK, HeaderValue::from_static("<https://x/a?page=1>; rel=\"first\""));
        assert_eq!(next_link(&headers), None);
        assert_eq!(find_rel_next("<https://x/b>; rel=next"), Some("https://x/b".into()));
    }

    #[test]
    fn waits_follow_the_headers() {
        let now = Utc::now();
        let mut headers = HeaderMap::new();
        assert_eq!(rate_limit_wait(&headers, now), None);
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        let reset = (now.timestamp() + 30).to_string();
        headers.insert("x-ratelimit-reset", HeaderValue::from_str(&reset).unwrap());
        assert_eq!(rate_limit_wait(&headers, now), Some(Duration::from_secs(31)));
        // The server's clock decides, not ours.
        let server_date = httpdate::fmt_http_date((now - TimeDelta::seconds(10)).into());
        headers.insert("date", HeaderValue::from_str(&server_date).unwrap());
        assert_eq!(rate_limit_wait(&headers, now), Some(Duration::from_secs(41)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(rate_limit_wait(&headers, now), Some(Duration::from_secs(7)));
    }

    #[test]
    fn cursors_are_told_from_searches() {
        assert!(has_cursor("/organizations/1/audit-log?per_page=100&after=MTY%3D&before="));
        assert!(!has_cursor("/orgs/acme/audit-log?phrase=created%3A%3E%3D2024&after="));
        assert!(!has_cursor("/orgs/acme/audit-log"));
    }
}
