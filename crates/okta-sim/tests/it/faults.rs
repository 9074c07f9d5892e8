//! Fault injection: each kind of failure a client must survive.

use crate::support::*;
use serde_json::json;
use std::time::Duration;

async fn inject(sim: &TestSim, rule: serde_json::Value) {
    assert_eq!(sim.control(reqwest::Method::POST, "/faults", Some(rule)).await.status, 200);
}

#[tokio::test]
async fn status_faults_count_down_and_use_okta_bodies() {
    let sim = sim().await;
    inject(&sim, json!({"path": "/api/v1/users", "kind": "status", "status": 503, "times": 2})).await;
    for _ in 0..2 {
        let reply = sim.get("/api/v1/users?limit=1").await;
        assert_eq!((reply.status, reply.error_code().as_str()), (503, "E0000010"));
    }
    assert_eq!(sim.get("/api/v1/users?limit=1").await.status, 200);
    inject(&sim, json!({"path": "/api/v1/groups/*/users", "kind": "status", "status": 500})).await;
    let gid = sim.get("/api/v1/groups?limit=1").await.json()[0]["id"].as_str().unwrap().to_string();
    let reply = sim.get(&format!("/api/v1/groups/{gid}/users")).await;
    assert_eq!((reply.status, reply.error_code().as_str()), (500, "E0000009"));
    assert_eq!(sim.control(reqwest::Method::DELETE, "/faults", None).await.status, 204);
    assert_eq!(sim.get(&format!("/api/v1/groups/{gid}/users")).await.status, 200);
}

#[tokio::test]
async fn malformed_truncated_and_html_bodies() {
    let sim = sim().await;
    for kind in ["malformed_json", "truncated", "html"] {
        inject(&sim, json!({"path": "/api/v1/apps", "kind": kind, "times": 1})).await;
        let reply = sim.get("/api/v1/apps").await;
        assert_eq!(reply.status, 200, "{kind}");
        assert!(
            serde_json::from_str::<serde_json::Value>(&reply.text).is_err(),
            "{kind} must not parse: {}",
            reply.text
        );
    }
    assert!(serde_json::from_str::<serde_json::Value>(&sim.get("/api/v1/apps").await.text).is_ok());
}

#[tokio::test]
async fn slow_hung_and_reset_connections() {
    let sim = sim().await;
    inject(&sim, json!({"path": "/api/v1/groups", "kind": "delay", "ms": 300, "times": 1})).await;
    let started = std::time::Instant::now();
    assert_eq!(sim.get("/api/v1/groups").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    inject(&sim, json!({"path": "/api/v1/groups", "kind": "hang", "times": 1})).await;
    let hung = sim.http.get(format!("{}/api/v1/groups", sim.url)).timeout(Duration::from_millis(500)).send().await;
    assert!(hung.unwrap_err().is_timeout());

    inject(&sim, json!({"path": "/api/v1/groups", "kind": "reset", "times": 1})).await;
    let reset = sim.http.get(format!("{}/api/v1/groups", sim.url)).send().await;
    let failed = match reset {
        Err(_) => true,
        Ok(response) => response.text().await.is_err(),
    };
    assert!(failed, "the body read fails when the connection drops");
    assert_eq!(sim.get("/api/v1/groups").await.status, 200);
}
