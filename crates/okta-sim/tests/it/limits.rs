//! Rate limits: headers, budgets, the concurrency limit.

use crate::support::*;
use okta_sim::server::ratelimit::RateLimitSettings;

fn header(reply: &Reply, name: &str) -> u64 {
    reply.headers[name].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn every_response_carries_rate_limit_headers_and_the_budget_runs_out() {
    let mut limits = RateLimitSettings::default();
    limits.per_minute.insert("logs".into(), 3);
    let sim = sim_with(Options { rate_limits: limits, ..Options::default() }).await;
    let users = sim.get("/api/v1/users?limit=1").await;
    assert_eq!(header(&users, "x-rate-limit-limit"), 600);
    assert_eq!(header(&users, "x-rate-limit-remaining"), 599);
    let reset = header(&users, "x-rate-limit-reset");
    let now = chrono::Utc::now().timestamp() as u64;
    assert!(reset > now && reset <= now + 61, "reset {reset} is within the minute after {now}");
    assert!(users.headers.get("date").is_some(), "clients compute waits from Date");
    let app = sim.get("/api/v1/apps?limit=1").await;
    assert_eq!(header(&app, "x-rate-limit-limit"), 100, "the small apps bucket");

    for expected in [2, 1, 0] {
        let reply = sim.get("/api/v1/logs?limit=1").await;
        assert_eq!(reply.status, 200);
        assert_eq!(header(&reply, "x-rate-limit-remaining"), expected);
    }
    let limited = sim.get("/api/v1/logs?limit=1").await;
    assert_eq!((limited.status, limited.error_code().as_str()), (429, "E0000047"));
    assert_eq!(header(&limited, "x-rate-limit-limit"), 3);
    assert_eq!(header(&limited, "x-rate-limit-remaining"), 0);
    assert!(limited.headers.get("x-okta-request-id").is_some());
    // Other buckets are unaffected.
    assert_eq!(sim.get("/api/v1/users?limit=1").await.status, 200);
}

#[tokio::test]
async fn the_concurrency_limit_answers_429_with_limit_zero() {
    let limits = RateLimitSettings { concurrency: 2, ..RateLimitSettings::default() };
    let sim = sim_with(Options { rate_limits: limits, ..Options::default() }).await;
    let slow = serde_json::json!({"path": "/api/v1/groups", "kind": "delay", "ms": 4000, "times": 2});
    sim.control(reqwest::Method::POST, "/faults", Some(slow)).await;
    let slow_requests = async { tokio::join!(sim.get("/api/v1/groups"), sim.get("/api/v1/groups")) };
    let probe = async {
        // Once both slow requests hold their slots, a third request is refused.
        for _ in 0..30 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let reply = sim.get("/api/v1/users?limit=1").await;
            if reply.status == 429 {
                return Some(reply);
            }
        }
        None
    };
    let ((a, b), refused) = tokio::join!(slow_requests, probe);
    assert_eq!((a.status, b.status), (200, 200));
    let refused = refused.expect("a request over the concurrency limit is refused");
    assert_eq!(header(&refused, "x-rate-limit-limit"), 0);
    assert_eq!(header(&refused, "x-rate-limit-remaining"), 0);
    assert_eq!(refused.error_code(), "E0000047");
    // With the slots free again, requests pass.
    assert_eq!(sim.get("/api/v1/users?limit=1").await.status, 200);
}

#[tokio::test]
async fn limits_can_be_switched_off_at_run_time() {
    let mut limits = RateLimitSettings::default();
    limits.per_minute.insert("users".into(), 1);
    let sim = sim_with(Options { rate_limits: limits.clone(), ..Options::default() }).await;
    assert_eq!(sim.get("/api/v1/users?limit=1").await.status, 200);
    assert_eq!(sim.get("/api/v1/users?limit=1").await.status, 429);
    limits.enabled = false;
    let put = sim.control(reqwest::Method::PUT, "/rate-limits", Some(serde_json::to_value(&limits).unwrap())).await;
    assert_eq!(put.status, 204);
    let reply = sim.get("/api/v1/users?limit=1").await;
    assert_eq!(reply.status, 200);
    assert!(reply.headers.get("x-rate-limit-limit").is_none());
}
