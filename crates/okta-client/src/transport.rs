/*!
Sending one request: credentials, the governor, the timeout, and the retry loop.

For every attempt: get the credentials (an OAuth token request, if one is due, happens first and
holds no concurrency slot), wait for the governor, build the request (a fresh DPoP proof or
client assertion), send it and read the whole body within `request_timeout`, then let the
governor learn from the response's rate-limit headers.

Retried, at most `max_retries` times: 429 (after `X-Rate-Limit-Reset − Date + 1 s`, resent with
`X-Okta-Retry-For` / `X-Okta-Retry-Count`), 5xx, timeouts, dropped connections and 2xx bodies
that are not JSON (bounded exponential backoff with jitter), and a refused OAuth access token
(renewed once). Never retried: other 4xx, and failures to connect (DNS, TLS, refused).
*/

use crate::auth::{AccessToken, Auth, OAuth};
use crate::error::{Error, parse_challenge};
use crate::governor::{Governor, MAX_RESET_WAIT, RateHeaders, bucket_for, read_rate_headers};
use crate::stats::{Stats, WaitCause};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use secrecy::ExposeSecret;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use url::Url;

/// First retry delay for 5xx, timeouts, resets and bad bodies; doubles each retry.
pub(crate) const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Longest backoff between two attempts.
pub(crate) const BACKOFF_CAP: Duration = Duration::from_secs(8);
/// Added to the wait for a bucket's reset after a 429 (whole-second `Date` and reset values).
pub(crate) const RESET_SLACK: Duration = Duration::from_secs(1);
/// Wait after a 429 for Okta's concurrency limit (`X-Rate-Limit-Limit: 0`).
pub(crate) const CONCURRENCY_429_WAIT: Duration = Duration::from_secs(1);
/// Shortest wait after a 429 without rate-limit headers.
pub(crate) const BARE_429_MIN_WAIT: Duration = Duration::from_secs(1);
/// `use_dpop_nonce` challenges answered per token request.
const MAX_NONCE_CHALLENGES: u32 = 2;
/// Connect timeout, capped by `request_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What a request is.
#[derive(Clone, Copy)]
pub(crate) enum Call<'a> {
    /// `GET` of an API URL with the client's credentials.
    Get(&'a Url),
    /// `POST /oauth2/v1/token` with a fresh client assertion and DPoP proof.
    Token(&'a OAuth),
}

/// A response that needs no retry.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    /// The body, parsed, for 2xx answers (`Null` when empty).
    pub(crate) json: Value,
    /// The raw body of other answers.
    pub(crate) body: Vec<u8>,
    pub(crate) request_id: Option<String>,
    pub(crate) attempts: u32,
}

impl Reply {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error for a non-2xx reply.
    pub(crate) fn into_error(self, method: &str, path: &str, oauth: bool) -> Error {
        let challenge = self.headers.get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok());
        Error::from_response(self.status, challenge, &self.body, path, oauth)
            .with_request(method, path)
            .with_request_id(self.request_id)
            .with_attempts(self.attempts)
    }
}

enum Step {
    Done(Reply),
    Fail(Error),
    Retry { error: Error, wait: Duration, after_429: Option<Option<String>> },
}

/// The shared state of a client and its clones.
pub(crate) struct Inner {
    pub(crate) base: Url,
    pub(crate) origin: String,
    http: reqwest::Client,
    pub(crate) auth: Auth,
    governor: Governor,
    pub(crate) stats: Arc<Stats>,
    timeout: Duration,
    max_retries: u32,
}

impl Inner {
    pub(crate) fn new(
        base: Url,
        auth: Auth,
        share: f64,
        max_concurrency: usize,
        timeout: Duration,
        max_retries: u32,
        integration: Option<&str>,
    ) -> Result<Inner, Error> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("sightline-okta-client/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .build()
            .map_err(|e| {
                Error::config(format!("the HTTP client cannot start: {}", transport_reason(&e.without_url())))
            })?;
        let stats = Arc::new(Stats::named(integration));
        Ok(Inner {
            origin: base.origin().ascii_serialization(),
            base,
            http,
            auth,
            governor: Governor::new(share, max_concurrency, stats.clone()),
            stats,
            timeout,
            max_retries,
        })
    }

    fn is_oauth(&self) -> bool {
        matches!(self.auth, Auth::OAuth(_))
    }

    /// `GET url`: the parsed JSON body and the headers of a 2xx answer, or the error.
    pub(crate) async fn get(&self, url: &Url) -> Result<(Value, HeaderMap), Error> {
        let reply = self.execute(Call::Get(url)).await?;
        if reply.is_success() {
            Ok((reply.json, reply.headers))
        } else {
            Err(reply.into_error("GET", url.path(), self.is_oauth()))
        }
    }

    /// Asks for a new access token now (credential checks).
    pub(crate) async fn renew_token(&self) -> Result<(), Error> {
        if let Auth::OAuth(oauth) = &self.auth {
            let mut slot = oauth.token.lock().await;
            *slot = Some(Arc::new(self.request_token(oauth).await?));
        }
        Ok(())
    }

    /// The cached access token, or a new one; concurrent callers wait for one token request.
    async fn access_token(&self, oauth: &OAuth) -> Result<Arc<AccessToken>, Error> {
        let mut slot = oauth.token.lock().await;
        if let Some(token) = slot.as_ref()
            && token.is_fresh(Instant::now())
        {
            return Ok(token.clone());
        }
        let token = Arc::new(self.request_token(oauth).await?);
        *slot = Some(token.clone());
        Ok(token)
    }

    /// Drops the cached token if it is still `refused` (another task may have renewed it).
    fn forget_token(&self, refused: &Arc<AccessToken>) {
        if let Auth::OAuth(oauth) = &self.auth
            && let Ok(mut slot) = oauth.token.try_lock()
            && slot.as_ref().is_some_and(|t| Arc::ptr_eq(t, refused))
        {
            *slot = None;
        }
    }

    /// One token request, answering up to two `use_dpop_nonce` challenges.
    async fn request_token(&self, oauth: &OAuth) -> Result<AccessToken, Error> {
        let path = oauth.token_url.path().to_string();
        let mut challenges = 0;
        loop {
            let reply = Box::pin(self.execute(Call::Token(oauth))).await?;
            let nonce = reply.headers.get("dpop-nonce").and_then(|v| v.to_str().ok()).map(str::to_string);
            if let Some(nonce) = &nonce {
                oauth.remember_nonce(nonce);
            }
            if reply.is_success() {
                return AccessToken::from_response(&reply.json, Instant::now()).map_err(|m| {
                    Error::malformed(m)
                        .with_request("POST", &path)
                        .with_status(reply.status)
                        .with_request_id(reply.request_id.clone())
                });
            }
            let oauth_error = serde_json::from_slice::<Value>(&reply.body)
                .ok()
                .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string));
            if reply.status == 400
                && oauth_error.as_deref() == Some("use_dpop_nonce")
                && nonce.is_some()
                && challenges < MAX_NONCE_CHALLENGES
            {
                challenges += 1;
                self.stats.nonce_challenge();
                tracing::debug!("token endpoint asked for a DPoP nonce; retrying with it and a new client assertion");
                continue;
            }
            return Err(reply.into_error("POST", &path, true));
        }
    }

    /// Sends `call` until it gets an answer that needs no retry, or runs out of retries.
    async fn execute(&self, call: Call<'_>) -> Result<Reply, Error> {
        let (method, url) = match call {
            Call::Get(url) => ("GET", url),
            Call::Token(oauth) => ("POST", &oauth.token_url),
        };
        let path = url.path().to_string();
        let bucket = bucket_for(method, &path);
        let mut attempts: u32 = 0;
        let mut retry_for: Option<Option<String>> = None;
        let mut renewed_token = false;
        loop {
            attempts += 1;
            let token = match (call, &self.auth) {
                (Call::Get(_), Auth::OAuth(oauth)) => Some(Box::pin(self.access_token(oauth)).await?),
                _ => None,
            };
            let admission = self.governor.admit(bucket).await;
            let request = self
                .build(call, url, token.as_deref(), retry_for.as_ref(), attempts - 1)
                .map_err(|e| e.with_request(method, &path))?;
            self.stats.request();
            if matches!(call, Call::Token(_)) {
                self.stats.token_request();
            }
            let started = Instant::now();
            let outcome = tokio::time::timeout(self.timeout, async {
                let response = self.http.execute(request).await?;
                let received_at = Instant::now();
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let body = response.bytes().await;
                Ok::<_, reqwest::Error>((status, headers, received_at, body))
            })
            .await;
            let step = match outcome {
                Err(_) => {
                    drop(admission);
                    self.stats.answered(bucket, None);
                    tracing::debug!(method, path, attempt = attempts, "no answer within the request timeout");
                    Step::Retry {
                        error: Error::timeout(self.timeout),
                        wait: backoff(attempts, jitter()),
                        after_429: None,
                    }
                }
                Ok(Err(e)) => {
                    drop(admission);
                    self.stats.answered(bucket, None);
                    self.transport_failure(e, attempts)
                }
                Ok(Ok((status, headers, received_at, body))) => {
                    let rate = read_rate_headers(&headers, SystemTime::now());
                    admission.finish(rate, received_at, (200..300).contains(&status));
                    self.stats.answered(bucket, Some(status));
                    let request_id = headers.get("x-okta-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
                    tracing::debug!(
                        method,
                        path,
                        status,
                        bucket = bucket.name(),
                        attempt = attempts,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "okta answered"
                    );
                    match body {
                        Err(e) => {
                            let reason = transport_reason(&e.without_url());
                            let error = Error::unreachable(
                                &self.origin,
                                format!("the connection dropped while the response was being read ({reason})"),
                            )
                            .with_status(status)
                            .with_request_id(request_id);
                            Step::Retry { error, wait: backoff(attempts, jitter()), after_429: None }
                        }
                        Ok(bytes) => {
                            let reply = Reply {
                                status,
                                headers,
                                json: Value::Null,
                                body: bytes.to_vec(),
                                request_id,
                                attempts,
                            };
                            self.judge(call, reply, rate, token.as_ref(), &mut renewed_token)
                        }
                    }
                }
            };
            match step {
                Step::Done(reply) => return Ok(reply),
                Step::Fail(error) => return Err(error.with_request(method, &path).with_attempts(attempts)),
                Step::Retry { error, wait, after_429 } => {
                    let error = error.with_request(method, &path).with_attempts(attempts);
                    if attempts > self.max_retries {
                        return Err(error);
                    }
                    self.stats.retry();
                    tracing::warn!(
                        method,
                        path,
                        attempt = attempts,
                        wait_ms = wait.as_millis() as u64,
                        error = %error,
                        "retrying an Okta request"
                    );
                    if after_429.is_some() {
                        self.stats.rate_limit_wait_started();
                        tokio::time::sleep(wait).await;
                        self.stats.rate_limit_waited(bucket, WaitCause::Throttled, wait);
                    } else {
                        tokio::time::sleep(wait).await;
                    }
                    retry_for = after_429;
                }
            }
        }
    }

    /// Decides what an answer means: done, or retry after how long.
    fn judge(
        &self,
        call: Call<'_>,
        mut reply: Reply,
        rate: Option<RateHeaders>,
        token: Option<&Arc<AccessToken>>,
        renewed_token: &mut bool,
    ) -> Step {
        let status = reply.status;
        let oauth = self.is_oauth();
        let path = match call {
            Call::Get(url) => url.path().to_string(),
            Call::Token(o) => o.token_url.path().to_string(),
        };
        match status {
            200..=299 => {
                if reply.body.iter().all(u8::is_ascii_whitespace) {
                    return Step::Done(reply);
                }
                match serde_json::from_slice::<Value>(&reply.body) {
                    Ok(json) => {
                        reply.json = json;
                        reply.body = Vec::new();
                        Step::Done(reply)
                    }
                    Err(e) => {
                        let content_type = reply.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
                        let detail = if content_type.contains("html") || reply.body.trim_ascii_start().starts_with(b"<")
                        {
                            "an HTML page came instead of JSON".to_string()
                        } else if e.is_eof() {
                            format!("the JSON body ended early, cut off after {} bytes", reply.body.len())
                        } else {
                            format!("the body is not valid JSON ({e})")
                        };
                        let error = Error::malformed(detail).with_status(status).with_request_id(reply.request_id);
                        Step::Retry { error, wait: backoff(reply.attempts, jitter()), after_429: None }
                    }
                }
            }
            429 => {
                self.stats.throttled();
                let wait = wait_after_429(rate, reply.attempts, jitter());
                let request_id = reply.request_id.clone();
                let error = reply.into_error_parts(&path, oauth);
                Step::Retry { error, wait, after_429: Some(request_id) }
            }
            500..=599 => {
                let wait = backoff(reply.attempts, jitter());
                Step::Retry { error: reply.into_error_parts(&path, oauth), wait, after_429: None }
            }
            401 if matches!(call, Call::Get(_)) && oauth && !*renewed_token && is_invalid_token(&reply.headers) => {
                // The access token was revoked or expired early: renew it once.
                *renewed_token = true;
                if let Some(token) = token {
                    self.forget_token(token);
                }
                Step::Retry { error: reply.into_error_parts(&path, oauth), wait: Duration::ZERO, after_429: None }
            }
            _ => Step::Done(reply),
        }
    }

    fn transport_failure(&self, e: reqwest::Error, attempts: u32) -> Step {
        let e = e.without_url();
        let reason = transport_reason(&e);
        if e.is_timeout() {
            return Step::Retry {
                error: Error::timeout(self.timeout),
                wait: backoff(attempts, jitter()),
                after_429: None,
            };
        }
        let error = Error::unreachable(&self.origin, reason);
        if e.is_connect() {
            // DNS, TLS, refused: a fault of configuration or network that retrying won't fix.
            Step::Fail(error)
        } else {
            Step::Retry { error, wait: backoff(attempts, jitter()), after_429: None }
        }
    }

    /// The HTTP request of one attempt, with fresh proofs and assertions.
    fn build(
        &self,
        call: Call<'_>,
        url: &Url,
        token: Option<&AccessToken>,
        retry_for: Option<&Option<String>>,
        retry_count: u32,
    ) -> Result<reqwest::Request, Error> {
        let mut builder = match call {
            Call::Get(_) => self.http.get(url.clone()),
            Call::Token(oauth) => self.http.post(url.clone()).form(&oauth.token_form()?),
        };
        builder = builder.header(ACCEPT, "application/json");
        match (call, &self.auth) {
            (Call::Get(_), Auth::Ssws(secret)) => {
                builder = builder.header(AUTHORIZATION, sensitive(&format!("SSWS {}", secret.expose_secret()))?);
            }
            (Call::Get(_), Auth::OAuth(oauth)) => {
                let token = token.ok_or_else(|| Error::config("no access token"))?;
                if token.dpop {
                    let proof = oauth.dpop_proof("GET", url, None, Some(&token.value))?;
                    builder = builder
                        .header(AUTHORIZATION, sensitive(&format!("DPoP {}", token.value.expose_secret()))?)
                        .header("dpop", sensitive(&proof)?);
                } else {
                    builder =
                        builder.header(AUTHORIZATION, sensitive(&format!("Bearer {}", token.value.expose_secret()))?);
                }
            }
            (Call::Token(oauth), _) => {
                let proof = oauth.dpop_proof("POST", url, oauth.nonce().as_deref(), None)?;
                builder = builder.header("dpop", sensitive(&proof)?);
            }
        }
        if let Some(for_id) = retry_for {
            if let Some(id) = for_id
                && let Ok(value) = HeaderValue::from_str(id)
            {
                builder = builder.header("x-okta-retry-for", value);
            }
            builder = builder.header("x-okta-retry-count", retry_count.to_string());
        }
        builder
            .build()
            .map_err(|e| Error::config(format!("the request cannot be built: {}", transport_reason(&e.without_url()))))
    }
}

impl Reply {
    fn into_error_parts(self, path: &str, oauth: bool) -> Error {
        let challenge = self.headers.get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok());
        Error::from_response(self.status, challenge, &self.body, path, oauth).with_request_id(self.request_id)
    }
}

fn is_invalid_token(headers: &HeaderMap) -> bool {
    headers
        .get(WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(parse_challenge)
        .is_some_and(|params| params.iter().any(|(k, v)| k.eq_ignore_ascii_case("error") && v == "invalid_token"))
}

/// A header value that holds a secret: never printed by the HTTP stack's debug output.
fn sensitive(value: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| Error::config("the credentials contain characters that cannot go into an HTTP header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// The delay before retry number `retry` (1-based): 0.5 s doubling, capped at 8 s, scaled by
/// `jitter` ∈ [0, 1) into [½, 1] of that ("equal jitter").
pub(crate) fn backoff(retry: u32, jitter: f64) -> Duration {
    let exponent = retry.saturating_sub(1).min(16);
    let full = BACKOFF_BASE.saturating_mul(1 << exponent).min(BACKOFF_CAP);
    full.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// The wait after a 429: until the bucket's reset (`X-Rate-Limit-Reset − Date`) plus a second;
/// about a second for the concurrency limit; a backoff of at least a second without headers.
pub(crate) fn wait_after_429(rate: Option<RateHeaders>, retry: u32, jitter: f64) -> Duration {
    match rate {
        Some(h) if h.is_concurrency_limit() => CONCURRENCY_429_WAIT,
        Some(h) => h.until_reset.min(MAX_RESET_WAIT) + RESET_SLACK,
        None => backoff(retry, jitter).max(BARE_429_MIN_WAIT),
    }
}

/// A random number in [0, 1) for jitter.
fn jitter() -> f64 {
    let mut bytes = [0u8; 8];
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// Why a connection failed, from the innermost cause (never the URL).
pub(crate) fn transport_reason(e: &(dyn std::error::Error + 'static)) -> String {
    let mut messages = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        messages.push(s.to_string());
        source = s.source();
    }
    let all = messages.join(" | ").to_ascii_lowercase();
    let innermost = messages.last().cloned().unwrap_or_default();
    let innermost = lowercase_first(&innermost);
    if all.contains("dns error")
        || all.contains("failed to lookup address")
        || all.contains("name or service not known")
    {
        format!("the DNS lookup failed ({innermost})")
    } else if all.contains("certificate") || all.contains("tls") || all.contains("handshake") {
        format!("the TLS handshake failed ({innermost})")
    } else {
        innermost
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_half_a_second_up_to_eight_with_jitter() {
        assert_eq!(backoff(1, 1.0), Duration::from_millis(500));
        assert_eq!(backoff(2, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(3, 1.0), Duration::from_secs(2));
        assert_eq!(backoff(5, 1.0), Duration::from_secs(8));
        assert_eq!(backoff(9, 1.0), Duration::from_secs(8));
        assert_eq!(backoff(100, 1.0), Duration::from_secs(8));
        assert_eq!(backoff(1, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(5, 0.0), Duration::from_secs(4));
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
            let d = backoff(3, j);
            assert!(d >= Duration::from_secs(1) && d <= Duration::from_secs(2));
        }
    }

    #[test]
    fn waits_after_429() {
        let bucket = RateHeaders { limit: 600, remaining: 0, reset_epoch: 0, until_reset: Duration::from_secs(17) };
        assert_eq!(wait_after_429(Some(bucket), 1, 0.5), Duration::from_secs(18));
        let concurrency = RateHeaders { limit: 0, remaining: 0, reset_epoch: 0, until_reset: Duration::from_secs(30) };
        assert_eq!(wait_after_429(Some(concurrency), 1, 0.5), Duration::from_secs(1));
        let past = RateHeaders { until_reset: Duration::ZERO, ..bucket };
        assert_eq!(wait_after_429(Some(past), 1, 0.5), Duration::from_secs(1));
        let absurd = RateHeaders { until_reset: Duration::from_secs(86_400), ..bucket };
        assert_eq!(wait_after_429(Some(absurd), 1, 0.5), MAX_RESET_WAIT + RESET_SLACK);
        assert_eq!(wait_after_429(None, 1, 0.0), Duration::from_secs(1));
        assert_eq!(wait_after_429(None, 4, 1.0), Duration::from_secs(4));
    }

    #[test]
    fn transport_reasons_name_the_cause_without_the_url() {
        #[derive(Debug)]
        struct Chain(&'static str, Option<Box<Chain>>);
        impl std::fmt::Display for Chain {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Chain {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1.as_deref().map(|c| c as _)
            }
        }
        let refused = Chain("client error (Connect)", Some(Box::new(Chain("Connection refused (os error 111)", None))));
        assert_eq!(transport_reason(&refused), "connection refused (os error 111)");
        let dns = Chain(
            "dns error",
            Some(Box::new(Chain("failed to lookup address information: Name or service not known", None))),
        );
        assert!(transport_reason(&dns).starts_with("the DNS lookup failed (failed to lookup"));
        let tls = Chain("invalid peer certificate: UnknownIssuer", None);
        assert_eq!(transport_reason(&tls), "the TLS handshake failed (invalid peer certificate: UnknownIssuer)");
    }
}
