//! A read-only client for Okta's Management API: authentication, paging, rate limits and
//! retries, so that callers only say what to fetch.
//!
//! - [`OktaClient`] is the client; build it from a [`ClientConfig`] with [`Credentials`] (an SSWS
//!   API token, or an OAuth 2.0 service app with `private_key_jwt` and DPoP). It is cheap to clone
//!   and all clones share one rate governor, one access token and one set of [`ClientStats`].
//! - [`OktaClient::get_json`] fetches one document; [`OktaClient::get_page`] and
//!   [`OktaClient::list_all`] follow `Link: <…>; rel="next"` headers;
//!   [`OktaClient::get_body_page`] and [`OktaClient::list_all_body`] follow IAM collections'
//!   `_links.next.href`. Each returns [`serde_json::Value`]s; [`model`] has typed views of them.
//! - [`Error`] has an [`ErrorKind`] to branch on (e.g. skip [`ErrorKind::NotFound`] objects) and a
//!   message a person can act on.
//!
//! ```no_run
//! # async fn example() -> Result<(), okta_client::Error> {
//! use okta_client::{ClientConfig, Credentials, OktaClient, model};
//! let token = std::env::var("OKTA_API_TOKEN").unwrap_or_default();
//! let client = OktaClient::new(ClientConfig::new("https://acme.okta.com", Credentials::ApiToken(token.into())))?;
//! client.verify().await?;
//! for raw in client.list_all("/api/v1/users?limit=200").await? {
//!     let user = model::parse::<model::User>(raw)?;
//!     println!("{} {}", user.model.profile.login, user.model.status);
//! }
//! # Ok(()) }
//! ```
//!
//! # How requests are sent
//!
//! Every request goes through a **rate governor** that learns each Okta bucket from the
//! `X-Rate-Limit-*` headers and keeps `limit × (1 − rate_limit_share)` of it for the org's other
//! integrations, waiting for the bucket's reset (measured against the server's `Date`) when only
//! the reserve is left; and through a semaphore of `max_concurrency` slots. 429s wait for the
//! reset and are resent with `X-Okta-Retry-For`/`X-Okta-Retry-Count`; 5xx, timeouts, dropped
//! connections and unreadable bodies are retried with exponential backoff and jitter, at most
//! `max_retries` times. Other 4xx are never retried.
//!
//! # Invariants
//!
//! - Fetch never sleeps outside the governor and the retry loop: callers never sleep, parse
//!   `Link` headers or build `after` cursors.
//! - Nothing here knows storage: the client returns JSON and typed views, and keeps no state but
//!   the governor's, the access token and the counters.
//! - No error, log line or `Debug` output holds a secret (API token, private key, access token,
//!   client assertion, DPoP proof), and URLs in messages never include their query string.
//! - Credentials are only ever sent to the configured org's origin: links to other hosts are
//!   refused.

#![deny(missing_docs)]

mod auth;
mod config;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod governor;
pub mod model;
mod paging;
mod stats;
mod transport;

pub use config::{
    ClientConfig, Credentials, DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_RETRIES, DEFAULT_RATE_LIMIT_SHARE,
    DEFAULT_READ_SCOPES, DEFAULT_REQUEST_TIMEOUT,
};
pub use error::{Error, ErrorKind};
pub use paging::Page;
pub use stats::{API_REQUESTS, ClientStats, RATE_LIMIT_WAIT, describe_metrics};

use auth::Auth;
use serde_json::Value;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use transport::Inner;
use url::Url;

/// The request [`OktaClient::verify`] makes to check the credentials: cheap, and readable with
/// the `okta.users.read` scope or any admin role.
pub const VERIFY_PATH: &str = "/api/v1/users?limit=1";

/// A client for one Okta org. Cheap to clone; clones share the governor, token and counters.
#[derive(Clone)]
pub struct OktaClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for OktaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.inner.auth {
            Auth::Ssws(_) => "SSWS API token".to_string(),
            Auth::OAuth(o) => format!("OAuth client {}", o.client_id),
        };
        f.debug_struct("OktaClient").field("org_url", &self.inner.origin).field("auth", &auth).finish_non_exhaustive()
    }
}

impl OktaClient {
    /// Checks the configuration (org URL, limits, private key) and builds the client. Sends nothing.
    pub fn new(config: ClientConfig) -> Result<OktaClient, Error> {
        config::validate(&config)?;
        let base = config::org_base(&config.org_url)?;
        let auth = Auth::from_credentials(&config.credentials, &base)?;
        let inner = Inner::new(
            base,
            auth,
            config.rate_limit_share,
            config.max_concurrency,
            config.request_timeout,
            config.max_retries,
            config.integration.as_deref(),
        )?;
        Ok(OktaClient { inner: Arc::new(inner) })
    }

    /// The org's base URL, normalised: `https://acme.okta.com` (no trailing slash).
    pub fn org_url(&self) -> &str {
        &self.inner.origin
    }

    /// One GET of a JSON document (object or array) by path (`/api/v1/users/00u…`, with a query
    /// if needed) or by an absolute URL on the org (from a link). `null` for an empty answer.
    pub async fn get_json(&self, path_or_url: &str) -> Result<Value, Error> {
        let url = self.resolve(path_or_url)?;
        Ok(self.inner.get(&url).await?.0)
    }

    /// One page of a `Link`-paged array endpoint: its items, and the `rel="next"` URL to pass to
    /// the next call (followed exactly as Okta sent it, never built).
    ///
    /// A `next` equal to the page's own URL is a [`ErrorKind::MalformedResponse`] (a loop),
    /// except on an empty page: System Log polling (`/api/v1/logs` without `until`) always has a
    /// `next`, and once caught up answers an empty page whose `next` is the same URL, to poll again
    /// later. Keep that URL to resume from.
    pub async fn get_page(&self, path_or_url: &str) -> Result<Page, Error> {
        let url = self.resolve(path_or_url)?;
        let (items, next) = self.link_page(&url).await?;
        Ok(Page { items, next: next.map(String::from) })
    }

    /// Every item of a `Link`-paged list, following `next` to the end. Put `limit` in `path` to
    /// choose the page size (e.g. `/api/v1/users?limit=200`). A next link back to an earlier page
    /// is a [`ErrorKind::MalformedResponse`]. On a System Log polling query it stops at the first
    /// empty page that points to itself (caught up); use [`OktaClient::get_page`] to keep the
    /// cursor.
    pub async fn list_all(&self, path: &str) -> Result<Vec<Value>, Error> {
        let first = self.resolve(path)?;
        self.collect_pages(first, Paging::Link).await
    }

    /// One page of an IAM body-paged collection: the array under `key` (e.g. `roles`,
    /// `resource-sets`, `value`) and the next URL from `_links.next.href` (or a `Link` header).
    pub async fn get_body_page(&self, path_or_url: &str, key: &str) -> Result<Page, Error> {
        let url = self.resolve(path_or_url)?;
        let (items, next) = self.body_page(&url, key).await?;
        Ok(Page { items, next: next.map(String::from) })
    }

    /// Every item of an IAM body-paged collection, following `_links.next.href` to the end.
    pub async fn list_all_body(&self, path: &str, key: &str) -> Result<Vec<Value>, Error> {
        let first = self.resolve(path)?;
        self.collect_pages(first, Paging::Body(key)).await
    }

    /// Checks the credentials: for OAuth a new token request, then a cheap GET ([`VERIFY_PATH`]).
    /// For "validate" buttons and the start of a sync.
    pub async fn verify(&self) -> Result<(), Error> {
        self.inner.renew_token().await?;
        self.get_json(VERIFY_PATH).await.map(|_| ())
    }

    /// The integration name given in [`ClientConfig::integration`] (the label of its metrics).
    pub fn integration(&self) -> Option<&str> {
        self.inner.stats.integration()
    }

    /// What this client and its clones did so far.
    pub fn stats(&self) -> ClientStats {
        self.inner.stats.snapshot()
    }

    /// A path (`/api/v1/…`) or an absolute URL on the org's origin, as a URL.
    fn resolve(&self, path_or_url: &str) -> Result<Url, Error> {
        let text = path_or_url.trim();
        let url = if text.starts_with('/') && !text.starts_with("//") {
            self.inner.base.join(text).ok()
        } else {
            Url::parse(text).ok()
        };
        let Some(url) = url else {
            return Err(Error::config(format!(
                "'{}' is neither a path starting with '/' nor an absolute URL",
                without_query(text)
            )));
        };
        if url.origin() != self.inner.base.origin() {
            return Err(Error::config(format!(
                "{} is not on the org {}; credentials are only sent to the org",
                without_query(url.as_str()),
                self.inner.origin
            )));
        }
        Ok(url)
    }

    /// Where a `next` link leads, checked: on the org, and not the page itself, unless the page is
    /// empty (a System Log poll that has caught up: "nothing new, ask again later").
    fn follow(&self, current: &Url, next: &str, page_is_empty: bool) -> Result<Url, Error> {
        let malformed = |detail: String| Error::malformed(detail).with_request("GET", current.path());
        let url = current.join(next).map_err(|_| malformed("the next link is not a URL".to_string()))?;
        if url.origin() != self.inner.base.origin() {
            return Err(malformed(format!(
                "the next link leads to another host ({}); it is not followed",
                url.host_str().unwrap_or("?")
            )));
        }
        if url == *current && !page_is_empty {
            return Err(malformed("the next link is the page itself, so paging would never end".to_string()));
        }
        Ok(url)
    }

    async fn link_page(&self, url: &Url) -> Result<(Vec<Value>, Option<Url>), Error> {
        let (json, headers) = self.inner.get(url).await?;
        let items = match json {
            Value::Array(items) => items,
            other => {
                return Err(Error::malformed(format!("expected a JSON array, got {}", json_type(&other)))
                    .with_request("GET", url.path()));
            }
        };
        let next = paging::next_from_headers(&headers).map(|n| self.follow(url, &n, items.is_empty())).transpose()?;
        Ok((items, next))
    }

    async fn body_page(&self, url: &Url, key: &str) -> Result<(Vec<Value>, Option<Url>), Error> {
        let (json, headers) = self.inner.get(url).await?;
        let next_text = paging::next_from_body(&json).or_else(|| paging::next_from_headers(&headers));
        let items = match json {
            Value::Object(mut object) => match object.remove(key) {
                Some(Value::Array(items)) => items,
                Some(other) => {
                    return Err(Error::malformed(format!("\"{key}\" is {}, not an array", json_type(&other)))
                        .with_request("GET", url.path()));
                }
                None => {
                    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
                    return Err(Error::malformed(format!(
                        "the answer has no \"{key}\" array (its keys: {})",
                        keys.join(", ")
                    ))
                    .with_request("GET", url.path()));
                }
            },
            Value::Array(items) => items,
            other => {
                return Err(Error::malformed(format!("expected a JSON object, got {}", json_type(&other)))
                    .with_request("GET", url.path()));
            }
        };
        let next = next_text.map(|n| self.follow(url, &n, items.is_empty())).transpose()?;
        Ok((items, next))
    }

    async fn collect_pages(&self, first: Url, paging: Paging<'_>) -> Result<Vec<Value>, Error> {
        let mut items = Vec::new();
        let mut seen = HashSet::new();
        let mut url = first;
        loop {
            seen.insert(url.clone());
            let (page, next) = match paging {
                Paging::Link => self.link_page(&url).await?,
                Paging::Body(key) => self.body_page(&url, key).await?,
            };
            let caught_up = page.is_empty() && next.as_ref() == Some(&url);
            items.extend(page);
            match next {
                None => return Ok(items),
                // A System Log poll that has caught up.
                Some(_) if caught_up => return Ok(items),
                Some(next) if seen.contains(&next) => {
                    return Err(Error::malformed(
                        "the next link leads back to an earlier page, so paging would never end",
                    )
                    .with_request("GET", next.path()));
                }
                Some(next) => url = next,
            }
        }
    }
}

/// How a collection pages.
#[derive(Clone, Copy)]
enum Paging<'k> {
    /// A JSON array with `Link` headers.
    Link,
    /// An object with the items under this key and `_links.next.href`.
    Body(&'k str),
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A URL or path for a message: never its query string or fragment, which may hold secrets.
fn without_query(text: &str) -> &str {
    let end = text.find(['?', '#']).unwrap_or(text.len());
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn client() -> OktaClient {
        OktaClient::new(ClientConfig::new("https://acme.okta.com/", Credentials::ApiToken("00secret".into()))).unwrap()
    }

    #[test]
    fn paths_and_urls_resolve_on_the_org_only() {
        let c = client();
        assert_eq!(c.org_url(), "https://acme.okta.com");
        assert_eq!(c.resolve("/api/v1/users?limit=2").unwrap().as_str(), "https://acme.okta.com/api/v1/users?limit=2");
        assert_eq!(
            c.resolve("https://acme.okta.com/api/v1/users?after=x").unwrap().as_str(),
            "https://acme.okta.com/api/v1/users?after=x"
        );
        for bad in [
            "https://evil.example/api/v1/users?token=s3cr3t",
            "//evil.example/x",
            "http://acme.okta.com/api",
            "api/v1/users",
        ] {
            let e = c.resolve(bad).unwrap_err();
            assert!(matches!(e.kind(), ErrorKind::Config(_)), "{bad}");
            assert!(!e.to_string().contains("s3cr3t"));
        }
    }

    #[test]
    fn next_links_are_checked() {
        let c = client();
        let current = Url::parse("https://acme.okta.com/api/v1/users?limit=2").unwrap();
        assert_eq!(
            c.follow(&current, "https://acme.okta.com/api/v1/users?after=abc&limit=2", false).unwrap().as_str(),
            "https://acme.okta.com/api/v1/users?after=abc&limit=2"
        );
        assert_eq!(
            c.follow(&current, "/api/v1/users?after=z", false).unwrap().as_str(),
            "https://acme.okta.com/api/v1/users?after=z"
        );
        let same = c.follow(&current, "https://acme.okta.com/api/v1/users?limit=2", false).unwrap_err();
        assert!(matches!(same.kind(), ErrorKind::MalformedResponse(m) if m.contains("never end")));
        let elsewhere = c.follow(&current, "https://evil.example/api/v1/users?after=1", true).unwrap_err();
        // An empty page pointing to itself: a caught-up System Log poll.
        assert_eq!(c.follow(&current, "https://acme.okta.com/api/v1/users?limit=2", true).unwrap(), current);
        assert!(matches!(elsewhere.kind(), ErrorKind::MalformedResponse(_)));
    }

    #[test]
    fn the_client_its_futures_and_errors_can_move_across_tasks() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        fn send<T: Send>(_: T) {}
        let c = client();
        send_sync(&c);
        send(c.get_json("/x"));
        send(c.get_page("/x"));
        send(c.list_all("/x"));
        send(c.get_body_page("/x", "k"));
        send(c.list_all_body("/x", "k"));
        send(c.verify());
        send_sync(&Error::config("x"));
    }

    #[test]
    fn debug_output_hides_credentials() {
        let c = client();
        assert!(!format!("{c:?}").contains("00secret"));
        let config = ClientConfig::new(
            "https://acme.okta.com",
            Credentials::PrivateKey {
                client_id: "0oa1".into(),
                private_key_pem: SecretString::from(auth::tests::rsa_pem()),
                key_id: None,
                scopes: vec![],
            },
        );
        let debug = format!("{config:?}");
        assert!(!debug.contains("PRIVATE KEY"), "{debug}");
        let oauth = OktaClient::new(config).unwrap();
        assert!(format!("{oauth:?}").contains("OAuth client 0oa1"));
    }

    #[test]
    fn bad_configuration_is_refused_up_front() {
        let e =
            OktaClient::new(ClientConfig::new("http://acme.okta.com", Credentials::ApiToken("t".into()))).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Config(_)));
        assert!(e.to_string().starts_with("invalid configuration: the org URL must use https"));
        let bad_key = Credentials::PrivateKey {
            client_id: "0oa1".into(),
            private_key_pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".into(),
            key_id: None,
            scopes: vec![],
        };
        let e = OktaClient::new(ClientConfig::new("https://acme.okta.com", bad_key)).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Config(m) if m.contains("private key")));
    }
}
