//! What is retried (429, 5xx, timeouts, resets, unreadable bodies), how, and what is not.

use crate::support::*;
use okta_client::{ClientConfig, Credentials, ErrorKind, OktaClient};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn two_503s_then_success_is_retried_twice() {
    let sim = sim().await;
    sim.fault(json!({"path": "/api/v1/groups", "kind": "status", "status": 503, "times": 2})).await;
    let client = sim.ssws();
    let groups = client.list_all("/api/v1/groups").await.unwrap();
    assert_eq!(groups.len(), count(&sim.stats().await, "groups"));
    let s = client.stats();
    assert_eq!((s.retries, s.requests), (2, 3), "{s:?}");
}

#[tokio::test]
async fn a_persistent_5xx_ends_as_a_server_error_after_max_retries() {
    let sim = sim().await;
    sim.fault(json!({"path": "/api/v1/apps", "kind": "status", "status": 500})).await;
    let mut config = sim.ssws_config();
    config.max_retries = 2;
    let client = OktaClient::new(config).unwrap();
    let e = client.list_all("/api/v1/apps").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Server { status: 500 });
    assert_eq!((e.attempts(), e.okta_code()), (3, Some("E0000009")));
    assert!(e.to_string().contains("3 attempts"), "{e}");
    assert_eq!(client.stats().retries, 2);
}

#[tokio::test]
async fn truncated_malformed_and_html_bodies_are_retried() {
    let sim = sim().await;
    let client = sim.ssws();
    for kind in ["truncated", "malformed_json", "html", "reset"] {
        sim.fault(json!({"path": "/api/v1/users", "kind": kind, "times": 1})).await;
        let before = client.stats().retries;
        let page = client.get_page("/api/v1/users?limit=5").await.unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(page.items.len(), 5, "{kind}");
        assert_eq!(client.stats().retries, before + 1, "{kind}");
    }
}

#[tokio::test]
async fn a_body_that_stays_unreadable_is_malformed_after_the_retries() {
    let sim = sim().await;
    let mut config = sim.ssws_config();
    config.max_retries = 1;
    let client = OktaClient::new(config).unwrap();
    for (kind, says) in [("truncated", "cut off"), ("html", "HTML"), ("malformed_json", "cut off")] {
        sim.fault(json!({"path": "/api/v1/apps", "kind": kind})).await;
        let e = client.get_json("/api/v1/apps?limit=3").await.unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::MalformedResponse(m) if m.contains(says)), "{kind}: {e}");
        assert_eq!(e.attempts(), 2, "{kind}");
        assert!(!e.to_string().contains("limit=3"), "no query in messages: {e}");
        sim.control(reqwest::Method::DELETE, "/faults", None).await;
    }
}

#[tokio::test]
async fn a_connection_that_keeps_dropping_is_unreachable_after_the_retries() {
    let sim = sim().await;
    sim.fault(json!({"path": "/api/v1/logs", "kind": "reset"})).await;
    let mut config = sim.ssws_config();
    config.max_retries = 1;
    let client = OktaClient::new(config).unwrap();
    let e = client.get_json("/api/v1/logs").await.unwrap_err();
    // Depending on when the server drops it, before or after the headers went out.
    assert!(matches!(e.kind(), ErrorKind::Unreachable(m) if m.contains("closed") || m.contains("dropped")), "{e}");
    assert_eq!(e.attempts(), 2);
}

#[tokio::test]
async fn a_hanging_server_times_out_after_the_retries() {
    let sim = sim().await;
    sim.fault(json!({"path": "/api/v1/groups", "kind": "hang"})).await;
    let mut config = sim.ssws_config();
    config.request_timeout = Duration::from_millis(300);
    config.max_retries = 2;
    let client = OktaClient::new(config).unwrap();
    let started = Instant::now();
    let e = client.get_json("/api/v1/groups").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout);
    assert_eq!(e.attempts(), 3);
    assert!(e.to_string().contains("300ms"), "{e}");
    // Three attempts of 300 ms and two backoffs (0.25–0.5 s, 0.5–1 s).
    assert!(started.elapsed() >= Duration::from_millis(1600), "{:?}", started.elapsed());
    assert_eq!(client.stats().retries, 2);
}

#[tokio::test]
async fn other_4xx_are_never_retried() {
    let sim = sim().await;
    let client = sim.ssws();
    let e = client.get_json("/api/v1/users/00uNoSuchUser0000000").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::NotFound);
    assert_eq!(e.okta_code(), Some("E0000007"));
    let e = client.get_json("/api/v1/users?filter=nonsense%20zz").await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Rejected { status: 400 }), "{e}");
    let s = client.stats();
    assert_eq!((s.requests, s.retries), (2, 0));
}

#[tokio::test]
async fn a_429_without_rate_headers_waits_a_second_and_is_retried() {
    let sim = sim().await;
    sim.fault(json!({"path": "/api/v1/users", "kind": "status", "status": 429, "times": 1})).await;
    let client = sim.ssws();
    let started = Instant::now();
    client.get_json("/api/v1/users?limit=1").await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    let s = client.stats();
    assert_eq!((s.throttled_429, s.retries, s.rate_limit_waits), (1, 1, 1), "{s:?}");
    assert!(s.rate_limit_wait_ms >= 1000);
}

#[tokio::test]
async fn a_429_waits_until_the_reset_by_the_server_date_and_resends_with_retry_headers() {
    let stub = stub(Duration::ZERO, |_, n| {
        if n == 0 {
            // The server's clock is an hour behind ours: only Reset − Date may count (2 s).
            let (_, epoch) = http_date_now();
            let server_now = std::time::UNIX_EPOCH + Duration::from_secs(epoch - 3600);
            okta_error_with(
                429,
                "E0000047",
                &[
                    ("date", httpdate::fmt_http_date(server_now)),
                    ("x-rate-limit-limit", "600".into()),
                    ("x-rate-limit-remaining", "0".into()),
                    ("x-rate-limit-reset", (epoch - 3600 + 2).to_string()),
                    ("x-okta-request-id", "req-429".into()),
                ],
            )
        } else {
            json_reply(200, &[], json!([]))
        }
    })
    .await;
    let client = stub_client(&stub.url, |_| {});
    client.get_json("/api/v1/users").await.unwrap();
    let requests = stub.recorded();
    assert_eq!(requests.len(), 2);
    let waited = requests[1].at - requests[0].at;
    // Reset − Date + 1 s = 3 s (Date has whole seconds, so 2–3 s of it may be left).
    assert!(waited >= Duration::from_millis(2900) && waited < Duration::from_secs(5), "waited {waited:?}");
    assert_eq!(requests[0].header("x-okta-retry-for"), None);
    assert_eq!(requests[1].header("x-okta-retry-for").as_deref(), Some("req-429"));
    assert_eq!(requests[1].header("x-okta-retry-count").as_deref(), Some("1"));
    let s = client.stats();
    assert_eq!((s.throttled_429, s.retries, s.rate_limit_waits), (1, 1, 1));
}

#[tokio::test]
async fn a_concurrency_429_waits_about_a_second() {
    let stub = stub(Duration::ZERO, |_, n| {
        if n == 0 {
            let (date, epoch) = http_date_now();
            okta_error_with(
                429,
                "E0000047",
                &[
                    ("date", date),
                    ("x-rate-limit-limit", "0".into()),
                    ("x-rate-limit-remaining", "0".into()),
                    ("x-rate-limit-reset", (epoch + 30).to_string()),
                ],
            )
        } else {
            json_reply(200, &[], json!({"ok": true}))
        }
    })
    .await;
    let client = stub_client(&stub.url, |_| {});
    assert_eq!(client.get_json("/api/v1/users/00u1").await.unwrap(), json!({"ok": true}));
    let requests = stub.recorded();
    let waited = requests[1].at - requests[0].at;
    assert!(waited >= Duration::from_millis(950) && waited < Duration::from_secs(3), "waited {waited:?}");
}

#[tokio::test]
async fn persistent_429s_end_as_rate_limited() {
    let stub = stub(Duration::ZERO, |_, _| {
        okta_error(429, "E0000047", "API call exceeded rate limit due to too many requests.")
    })
    .await;
    let client = stub_client(&stub.url, |c| c.max_retries = 1);
    let e = client.get_json("/api/v1/users").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::RateLimited);
    assert_eq!((e.status(), e.attempts()), (Some(429), 2));
    assert_eq!(client.stats().throttled_429, 2);
}

#[tokio::test]
async fn a_refused_connection_is_unreachable_without_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = OktaClient::new(ClientConfig::new(
        format!("http://127.0.0.1:{port}"),
        Credentials::ApiToken("00token".to_string().into()),
    ))
    .unwrap();
    let started = Instant::now();
    let e = client.get_json("/api/v1/users?limit=1").await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Unreachable(reason) if reason.contains("refused")), "{e}");
    assert!(e.to_string().starts_with(&format!("cannot reach http://127.0.0.1:{port}: connection refused")), "{e}");
    assert_eq!((e.attempts(), client.stats().retries), (1, 0));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn plain_http_to_a_non_loopback_host_is_a_config_error() {
    for url in ["http://acme.okta.com", "http://192.168.1.10:8080"] {
        let e =
            OktaClient::new(ClientConfig::new(url, Credentials::ApiToken("00token".to_string().into()))).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Config(m) if m.contains("https")), "{url}: {e}");
    }
}
