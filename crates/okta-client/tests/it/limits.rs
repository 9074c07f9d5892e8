//! The rate governor against the simulator's real buckets, and the concurrency cap.

use crate::support::*;
use okta_sim::server::ratelimit::RateLimitSettings;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn half_of_a_bucket_of_four_is_two_requests_then_the_client_waits_instead_of_getting_429s() {
    let mut limits = RateLimitSettings::default();
    limits.per_minute.insert("users".into(), 4);
    let sim = sim_with(Options { rate_limits: limits, ..Options::default() }).await;
    let client = sim.ssws(); // rate_limit_share 0.5 by default
    client.get_json("/api/v1/users?limit=1").await.unwrap();
    client.get_json("/api/v1/users?limit=1").await.unwrap();
    // The bucket now has 2 of 4 left: the rest belongs to other integrations until the reset,
    // about a minute away. The third request waits rather than being sent.
    let third = tokio::time::timeout(Duration::from_millis(1500), client.get_json("/api/v1/users?limit=1")).await;
    assert!(third.is_err(), "the third request must wait for the window's reset");
    let s = client.stats();
    assert_eq!((s.requests, s.throttled_429, s.rate_limit_waits), (2, 0, 1), "{s:?}");
    // Other buckets are not held up.
    client.get_json("/api/v1/groups?limit=1").await.unwrap();
    // The simulator's own count: 2 left in the users bucket (a third request from outside the
    // client passes, leaving 1).
    let direct = reqwest::Client::new()
        .get(format!("{}/api/v1/users?limit=1", sim.url))
        .header("authorization", format!("SSWS {}", sim.token))
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), 200);
    assert_eq!(direct.headers()["x-rate-limit-remaining"], "1");
}

#[tokio::test]
async fn a_client_with_the_whole_share_uses_the_whole_bucket() {
    let mut limits = RateLimitSettings::default();
    limits.per_minute.insert("logs".into(), 3);
    let sim = sim_with(Options { rate_limits: limits, ..Options::default() }).await;
    let mut config = sim.ssws_config();
    config.rate_limit_share = 1.0;
    let client = okta_client::OktaClient::new(config).unwrap();
    for _ in 0..3 {
        client.get_json("/api/v1/logs?limit=1").await.unwrap();
    }
    let fourth = tokio::time::timeout(Duration::from_millis(800), client.get_json("/api/v1/logs?limit=1")).await;
    assert!(fourth.is_err(), "waits for the reset instead of drawing a 429");
    assert_eq!(client.stats().throttled_429, 0);
}

#[tokio::test]
async fn a_429_from_the_simulator_is_waited_out_until_the_reset() {
    // A bucket of 1 with the whole share; another integration uses it up first.
    let mut limits = RateLimitSettings::default();
    limits.per_minute.insert("user".into(), 1);
    let sim = sim_with(Options { rate_limits: limits, ..Options::default() }).await;
    let users = sim.ssws().list_all("/api/v1/users?limit=200").await.unwrap();
    let id = users[0]["id"].as_str().unwrap().to_string();
    let other = reqwest::Client::new()
        .get(format!("{}/api/v1/users/{id}", sim.url))
        .header("authorization", format!("SSWS {}", sim.token))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    let mut config = sim.ssws_config();
    config.rate_limit_share = 1.0;
    config.max_retries = 0;
    let client = okta_client::OktaClient::new(config).unwrap();
    let e = client.get_json(&format!("/api/v1/users/{id}")).await.unwrap_err();
    assert_eq!(e.kind(), &okta_client::ErrorKind::RateLimited);
    assert_eq!((e.okta_code(), e.status()), (Some("E0000047"), Some(429)));
    assert!(e.request_id().is_some());
    // The governor learned the bucket from the 429: the next request waits for its reset.
    let next = tokio::time::timeout(Duration::from_millis(800), client.get_json(&format!("/api/v1/users/{id}"))).await;
    assert!(next.is_err());
    assert_eq!(client.stats().throttled_429, 1);
}

#[tokio::test]
async fn no_more_than_max_concurrency_requests_are_in_flight() {
    let stub = stub(Duration::from_millis(150), |_, _| json_reply(200, &[], json!({"ok": 1}))).await;
    let client = stub_client(&stub.url, |c| c.max_concurrency = 2);
    let started = Instant::now();
    let calls: Vec<_> = (0..8)
        .map(|i| {
            let client = client.clone();
            // Different buckets so that only the semaphore holds them back.
            let path = ["/api/v1/users/00u1", "/api/v1/groups/00g1", "/api/v1/apps/0oa1", "/api/v1/logs"][i % 4];
            tokio::spawn(async move { client.get_json(path).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(stub.max_in_flight.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert!(started.elapsed() >= Duration::from_millis(4 * 150));
    assert_eq!(stub.recorded().len(), 8);
}
