//! SSWS tokens: bad tokens, the Python SDK's spacing, and per-token permissions.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn ssws_tokens_are_checked() {
    let sim = sim().await;
    let bad = sim.get_with("/api/v1/users", Some("SSWS 00notarealtoken")).await;
    assert_eq!((bad.status, bad.error_code().as_str()), (401, "E0000011"));
    let none = sim.get_with("/api/v1/users", None).await;
    assert_eq!(none.status, 403);
    let python_style = sim.get_with("/api/v1/users?limit=1", Some(&format!("SSWS{}", sim.token))).await;
    assert_eq!(python_style.status, 200, "the Python SDK sends SSWS<token> without a space");
}

#[tokio::test]
async fn a_token_whose_admin_lacks_a_permission_gets_e0000006_there_only() {
    let sim = sim().await;
    let created = sim
        .control(reqwest::Method::POST, "/tokens", Some(json!({"name": "no roles", "denied": ["roles", "logs"]})))
        .await;
    let token = created.json()["token"].as_str().unwrap().to_string();
    let auth = format!("SSWS {token}");
    let users = sim.get_with("/api/v1/users?limit=1", Some(&auth)).await;
    assert_eq!(users.status, 200);
    let uid = users.json()[0]["id"].as_str().unwrap().to_string();
    for path in [format!("/api/v1/users/{uid}/roles"), "/api/v1/iam/roles".into(), "/api/v1/logs".into()] {
        let reply = sim.get_with(&path, Some(&auth)).await;
        assert_eq!((reply.status, reply.error_code().as_str()), (403, "E0000006"), "{path}");
    }
    let unknown = sim.control(reqwest::Method::POST, "/tokens", Some(json!({"denied": ["nope"]}))).await;
    assert_eq!(unknown.status, 400);
}
