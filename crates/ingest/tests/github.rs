//! The GitHub audit log poller against a GitHub-shaped API on loopback: `Link` paging with
//! `after` cursors, the bearer token, and injected faults.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration as TimeDelta, Utc};
use ingest::github::{GithubAuditLog, GithubConfig, GithubError};
use ingest::people::People;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::{QueryLimits, Store};
use tokio::sync::watch;

const TOKEN: &str = "ghp_test_token_0123456789abcdef";
const FIXTURE: &str = include_str!("../../activity/tests/fixtures/github-audit/panther-rule-tests.ndjson");
/// Events a page (GitHub's is 100; smaller here so a handful of events spans pages).
const PAGE: usize = 3;

#[derive(Debug, Clone, Copy)]
enum Fault {
    BadGateway,
    /// 403 with `x-ratelimit-remaining: 0`, resetting this many seconds ahead.
    RateLimited(i64),
}

#[derive(Default)]
struct Api {
    /// Events in `@timestamp` order.
    events: Mutex<Vec<Value>>,
    faults: Mutex<VecDeque<Fault>>,
    /// Every request's path and query, as received.
    requests: Mutex<Vec<String>>,
}

impl Api {
    fn push(&self, event: Value) {
        self.events.lock().unwrap().push(event);
    }
    fn fault(&self, fault: Fault) {
        self.faults.lock().unwrap().push_back(fault);
    }
    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({"message": text, "documentation_url": "https://docs.github.com/rest"}))).into_response()
}

/// `GET /orgs/{org}/audit-log` and `GET /organizations/{id}/audit-log` (where `next` links point).
async fn audit_log(
    State(api): State<Arc<Api>>,
    Path(owner): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    api.requests.lock().unwrap().push(format!("/{owner}/audit-log?{query}"));
    let header = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if header(header::AUTHORIZATION) != format!("Bearer {TOKEN}") {
        return message(StatusCode::UNAUTHORIZED, "Bad credentials");
    }
    if header(header::ACCEPT) != "application/vnd.github+json"
        || headers.get("x-github-api-version").and_then(|v| v.to_str().ok()) != Some("2022-11-28")
        || header(header::USER_AGENT).is_empty()
    {
        return message(StatusCode::BAD_REQUEST, "missing Accept, X-GitHub-Api-Version or User-Agent");
    }
    let fault = api.faults.lock().unwrap().pop_front();
    match fault {
        Some(Fault::BadGateway) => return (StatusCode::BAD_GATEWAY, "<html>502 Bad Gateway</html>").into_response(),
        Some(Fault::RateLimited(ahead)) => {
            let reset = Utc::now().timestamp() + ahead;
            let mut response = message(StatusCode::FORBIDDEN, "API rate limit exceeded for user ID 1.");
            let h = response.headers_mut();
            h.insert("x-ratelimit-limit", HeaderValue::from_static("5000"));
            h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
            h.insert("x-ratelimit-reset", HeaderValue::from_str(&reset.to_string()).unwrap());
            return response;
        }
        None => {}
    }

    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if param("order").as_deref() != Some("asc") || param("include").as_deref() != Some("all") {
        return message(StatusCode::UNPROCESSABLE_ENTITY, "expected order=asc and include=all");
    }
    let phrase = param("phrase").unwrap_or_default();
    let since = match phrase.strip_prefix("created:>=") {
        Some(time) => match DateTime::parse_from_rfc3339(time) {
            Ok(t) => t.timestamp_millis(),
            Err(_) => return message(StatusCode::UNPROCESSABLE_ENTITY, "bad created qualifier"),
        },
        None if phrase.is_empty() => 0,
        None => return message(StatusCode::UNPROCESSABLE_ENTITY, "unexpected phrase"),
    };
    let events = api.events.lock().unwrap().clone();
    let matching: Vec<&Value> = events.iter().filter(|e| e["@timestamp"].as_i64().unwrap() >= since).collect();
    // The cursor names the last document already returned.
    let start = match param("after").filter(|a| !a.is_empty()) {
        Some(after) => match matching.iter().position(|e| e["_document_id"] == after.as_str()) {
            Some(i) => i + 1,
            None => return message(StatusCode::UNPROCESSABLE_ENTITY, "invalid cursor"),
        },
        None => 0,
    };
    let page: Vec<Value> = matching.iter().skip(start).take(PAGE).map(|e| (*e).clone()).collect();
    let mut response = axum::Json(Value::Array(page.clone())).into_response();
    // As GitHub: the link is left out on the last page.
    if start + page.len() < matching.len() {
        let host = header(header::HOST);
        let next = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("phrase", &phrase)
            .append_pair("include", "all")
            .append_pair("order", "asc")
            .append_pair("per_page", "100")
            .append_pair("after", page.last().unwrap()["_document_id"].as_str().unwrap())
            .append_pair("before", "")
            .finish();
        let link = format!(
            "<http://{host}/organizations/4242/audit-log?{next}>; rel=\"next\", \
             <http://{host}/organizations/4242/audit-log?per_page=100>; rel=\"first\""
        );
        response.headers_mut().insert(header::LINK, HeaderValue::from_str(&link).unwrap());
    }
    response
}

struct Setup {
    api: Arc<Api>,
    url: String,
    store: Store,
    _dir: tempfile::TempDir,
}

/// The fixture's events, with GitHub's `_document_id`s and `@timestamp`s a minute apart, two
/// hours ago; first an entry without an action, which cannot be normalised.
async fn setup() -> Setup {
    let api = Arc::new(Api::default());
    let start = Utc::now() - TimeDelta::hours(2);
    api.push(json!({"_document_id": "doc-bad", "@timestamp": start.timestamp_millis(), "org": "acme"}));
    for (i, line) in FIXTURE.lines().enumerate() {
        let mut event: Value = serde_json::from_str(line).unwrap();
        let at = (start + TimeDelta::minutes(i as i64 + 1)).timestamp_millis();
        event["_document_id"] = json!(format!("doc-{i}"));
        event["@timestamp"] = json!(at);
        event["created_at"] = json!(at);
        api.push(event);
    }
    let app = Router::new()
        .route("/orgs/{owner}/audit-log", get(audit_log))
        .route("/organizations/{owner}/audit-log", get(audit_log))
        .with_state(api.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("sightline.db")).unwrap();
    Setup { api, url, store, _dir: dir }
}

impl Setup {
    fn poller_with(&self, token: &str) -> GithubAuditLog {
        let mut config = GithubConfig::new("acme", "acme", SecretString::from(token.to_string()));
        config.api_url = self.url.clone();
        GithubAuditLog::new(config, self.store.clone(), People::default()).unwrap()
    }
    fn poller(&self) -> GithubAuditLog {
        self.poller_with(TOKEN)
    }
    async fn count(&self, sql: &str) -> i64 {
        let result = self.store.query(sql, QueryLimits::default()).await.unwrap();
        result.rows[0][0].as_i64().unwrap()
    }
    async fn stored(&self) -> (i64, i64) {
        (
            self.count("SELECT count(DISTINCT uuid) FROM events WHERE source = 'github'").await,
            self.count("SELECT count(*) FROM events WHERE source = 'github'").await,
        )
    }
}

fn no_stop() -> watch::Receiver<bool> {
    watch::channel(false).1
}

#[tokio::test]
async fn catch_up_stores_every_event_once_and_resumes_by_time() {
    let s = setup().await;
    let poller = s.poller();
    assert_eq!(poller.stream(), "github:acme");
    let mut pages = 0;
    let report = poller.catch_up(&no_stop(), |_| pages += 1).await.unwrap();
    assert_eq!((report.received, report.inserted, report.duplicates, report.rejected), (9, 8, 0, 1));
    assert_eq!(pages, 3);
    assert!(!report.full);
    assert_eq!(s.stored().await, (8, 8));
    assert_eq!(s.count("SELECT count(*) FROM events WHERE tenant = 'acme' AND integration = 'acme'").await, 8);
    assert_eq!(s.count("SELECT count(*) FROM rejected_events WHERE stream = 'github:acme'").await, 1);
    let requests = s.api.requests();
    assert!(requests[0].starts_with("/acme/audit-log?phrase=created%3A%3E%3D"), "{requests:?}");
    assert!(requests[1].starts_with("/4242/audit-log?") && requests[1].contains("after=doc-1"), "{requests:?}");

    // Caught up: the stream searches again from a minute before its newest event.
    let cursor = s.store.log_cursor("github:acme").await.unwrap().unwrap();
    assert!(cursor.cursor.starts_with("/orgs/acme/audit-log?phrase=created"), "{}", cursor.cursor);
    let again = poller.catch_up(&no_stop(), |_| {}).await.unwrap();
    assert_eq!((again.inserted, again.rejected), (0, 0));
    assert!(again.duplicates >= 1, "{again:?}");
    assert_eq!(s.stored().await, (8, 8));

    // New events arrive: only they are stored.
    let now = Utc::now();
    for i in 0..4 {
        s.api.push(json!({
            "_document_id": format!("new-{i}"), "@timestamp": (now - TimeDelta::seconds(10 - i)).timestamp_millis(),
            "action": "org.add_member", "actor": "octocat", "user": "ada", "org": "acme"
        }));
    }
    let fresh = poller.catch_up(&no_stop(), |_| {}).await.unwrap();
    assert_eq!((fresh.inserted, fresh.rejected), (4, 0), "{fresh:?}");
    assert_eq!(s.stored().await, (12, 12));
}

#[tokio::test]
async fn a_poller_stopped_mid_way_resumes_without_loss_or_duplicates() {
    let s = setup().await;
    {
        let first = s.poller();
        let one = first.poll_page().await.unwrap();
        let two = first.poll_page().await.unwrap();
        assert!(one.full && two.full);
        assert_eq!(one.received + two.received, 6);
    } // dropped between pages, as a killed process
    assert_eq!(s.stored().await, (5, 5));
    let second = s.poller();
    let rest = second.catch_up(&no_stop(), |_| {}).await.unwrap();
    assert_eq!((rest.received, rest.inserted, rest.duplicates, rest.rejected), (3, 3, 0, 0));
    assert_eq!(s.stored().await, (8, 8));
    assert_eq!(s.count("SELECT count(*) FROM rejected_events").await, 1);
    assert!(s.api.requests()[2].contains("after=doc-4"), "{:?}", s.api.requests());

    // `stop` ends a catch-up after the page in hand.
    let third = s.poller();
    let (stop_tx, stop) = watch::channel(false);
    stop_tx.send(true).unwrap();
    let stopped = third.catch_up(&stop, |_| {}).await.unwrap();
    assert_eq!(stopped.inserted, 0);
}

#[tokio::test]
async fn a_cursor_github_refuses_is_replaced_by_a_time_search() {
    let s = setup().await;
    let poller = s.poller();
    poller.poll_page().await.unwrap();
    poller.poll_page().await.unwrap();
    assert!(s.store.log_cursor("github:acme").await.unwrap().unwrap().cursor.contains("after=doc-4"));
    // The document the cursor points after is gone: GitHub answers 422.
    s.api.events.lock().unwrap().retain(|e| e["_document_id"] != "doc-4");
    let report = poller.catch_up(&no_stop(), |_| {}).await.unwrap();
    assert_eq!(report.inserted, 3, "{report:?}");
    assert!(report.duplicates >= 1, "{report:?}");
    assert_eq!(s.stored().await, (8, 8));
    let requests = s.api.requests();
    assert!(requests[3].starts_with("/acme/audit-log?phrase=created"), "{requests:?}");
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_waited_out() {
    let s = setup().await;
    s.api.fault(Fault::BadGateway);
    s.api.fault(Fault::RateLimited(1));
    let started = Instant::now();
    let report = s.poller().catch_up(&no_stop(), |_| {}).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited {:?}", started.elapsed());
    assert_eq!((report.inserted, report.rejected), (8, 1));
    assert_eq!(s.stored().await, (8, 8));
    // The same first request three times: 502, 403 rate limited, then the page.
    let requests = s.api.requests();
    assert_eq!(requests[0], requests[1]);
    assert_eq!(requests[1], requests[2]);
    assert_eq!(requests.len(), 5);
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_cap_fails_the_poll_and_keeps_the_cursor() {
    let s = setup().await;
    let poller = s.poller().with_max_wait(Duration::from_secs(5));
    poller.poll_page().await.unwrap();
    let before = s.store.log_cursor("github:acme").await.unwrap().unwrap().cursor;
    s.api.fault(Fault::RateLimited(3600));
    let e = poller.poll_page().await.unwrap_err();
    assert!(matches!(e, GithubError::RateLimited { .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("GitHub rate limit") && text.contains("5s"), "{text}");
    assert_eq!(s.store.log_cursor("github:acme").await.unwrap().unwrap().cursor, before);
    // The next poll continues where it stopped.
    poller.catch_up(&no_stop(), |_| {}).await.unwrap();
    assert_eq!(s.stored().await, (8, 8));
}

#[tokio::test]
async fn a_refused_token_is_named_without_being_shown() {
    let s = setup().await;
    let bad = "ghp_wrong_secret_value_987654";
    let poller = s.poller_with(bad);
    let e = poller.catch_up(&no_stop(), |_| {}).await.unwrap_err();
    assert!(matches!(e, GithubError::Unauthorized { .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("GitHub token was refused") && text.contains("acme"), "{text}");
    for shown in [text, format!("{e:?}"), format!("{poller:?}"), format!("{:?}", poller.config())] {
        assert!(!shown.contains(bad), "{shown}");
    }
    assert_eq!(s.stored().await, (0, 0));
    assert!(s.store.log_cursor("github:acme").await.unwrap().is_none());
}

#[tokio::test]
async fn configurations_that_cannot_work_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("sightline.db")).unwrap();
    let token = || SecretString::from(TOKEN.to_string());
    let new = |config: GithubConfig| GithubAuditLog::new(config, store.clone(), People::default()).unwrap_err();
    let mut plain = GithubConfig::new("acme", "acme", token());
    plain.api_url = "http://github.example.com".into();
    assert!(new(plain).to_string().contains("must be https"));
    assert!(new(GithubConfig::new("acme", "acme/../x", token())).to_string().contains("organisation login"));
    assert!(new(GithubConfig::new("acme", "acme", SecretString::from(String::new()))).to_string().contains("empty"));
    let ok = GithubAuditLog::new(GithubConfig::new("acme", "acme", token()), store.clone(), People::default());
    assert!(ok.is_ok());
}
