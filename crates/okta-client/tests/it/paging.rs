//! `Link` paging, IAM body paging, and the guards on next links.

use crate::support::*;
use okta_client::ErrorKind;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test]
async fn list_all_follows_link_headers_to_the_end() {
    let sim = sim().await;
    let client = sim.ssws();
    let stats = sim.stats().await;
    let users = client.list_all("/api/v1/users?limit=50").await.unwrap();
    assert_eq!(users.len(), count(&stats, "users_listed"));
    let ids: HashSet<&str> = users.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), users.len(), "no user twice");
    let groups = client.list_all("/api/v1/groups?limit=20&expand=stats").await.unwrap();
    assert_eq!(groups.len(), count(&stats, "groups"));
    let apps = client.list_all("/api/v1/apps?limit=20").await.unwrap();
    assert_eq!(apps.len(), count(&stats, "apps"));
    let deprovisioned =
        client.list_all("/api/v1/users?limit=20&filter=status%20eq%20%22DEPROVISIONED%22").await.unwrap();
    assert_eq!(deprovisioned.len(), count(&stats, "users_deprovisioned"));
}

#[tokio::test]
async fn get_page_returns_items_and_the_next_url_to_follow() {
    let sim = sim().await;
    let client = sim.ssws();
    let first = client.get_page("/api/v1/users?limit=100").await.unwrap();
    assert_eq!(first.items.len(), 100);
    let next = first.next.expect("more pages");
    assert!(next.starts_with(&sim.url) && next.contains("after="), "{next}");
    let second = client.get_page(&next).await.unwrap();
    assert!(!second.items.is_empty());
    assert_ne!(first.items[0]["id"], second.items[0]["id"]);
    // The last page has no next.
    let mut page = second;
    while let Some(next) = page.next {
        page = client.get_page(&next).await.unwrap();
    }
    assert!(page.next.is_none());
}

#[tokio::test]
async fn iam_collections_page_through_links_next_href() {
    let sim = sim().await;
    let client = sim.ssws();
    let stats = sim.stats().await;
    let sets = client.list_all_body("/api/v1/iam/resource-sets?limit=1", "resource-sets").await.unwrap();
    assert_eq!(sets.len(), count(&stats, "resource_sets"));
    assert!(sets.len() > 1, "the test needs several pages");
    let first = client.get_body_page("/api/v1/iam/resource-sets?limit=1", "resource-sets").await.unwrap();
    assert_eq!(first.items.len(), 1);
    assert!(first.next.is_some());
    let admins = client.list_all_body("/api/v1/iam/assignees/users?limit=2", "value").await.unwrap();
    assert_eq!(admins.len(), count(&stats, "admin_users"));
    let roles = client.list_all_body("/api/v1/iam/roles?limit=1", "roles").await.unwrap();
    assert_eq!(roles.len(), count(&stats, "custom_roles"));
    let wrong_key = client.get_body_page("/api/v1/iam/roles", "resource-sets").await.unwrap_err();
    assert!(
        matches!(wrong_key.kind(), ErrorKind::MalformedResponse(m) if m.contains("\"resource-sets\"") && m.contains("roles"))
    );
}

#[tokio::test]
async fn comma_joined_and_repeated_link_headers_are_both_followed() {
    let stub = stub(Duration::ZERO, |request, _| {
        let base = request.header("host").map(|h| format!("http://{h}")).unwrap();
        match request.uri.as_str() {
            "/api/v1/users" => json_reply(
                200,
                &[(
                    "link",
                    format!("<{base}/api/v1/users>; rel=\"self\", <{base}/api/v1/users?after=p2>; rel=\"next\""),
                )],
                json!([{"id": "1"}]),
            ),
            "/api/v1/users?after=p2" => json_reply(
                200,
                &[
                    ("link", format!("<{base}/api/v1/users?after=p2>; rel=\"self\"")),
                    ("link", format!("<{base}/api/v1/users?after=p3>; rel=\"next\"")),
                ],
                json!([{"id": "2"}]),
            ),
            _ => json_reply(200, &[("link", format!("<{base}{}>; rel=\"self\"", request.uri))], json!([{"id": "3"}])),
        }
    })
    .await;
    let client = stub_client(&stub.url, |_| {});
    let items = client.list_all("/api/v1/users").await.unwrap();
    assert_eq!(items, vec![json!({"id": "1"}), json!({"id": "2"}), json!({"id": "3"})]);
    let uris: Vec<String> = stub.recorded().iter().map(|r| r.uri.clone()).collect();
    assert_eq!(uris, ["/api/v1/users", "/api/v1/users?after=p2", "/api/v1/users?after=p3"]);
}

#[tokio::test]
async fn a_next_link_to_the_same_page_or_another_host_is_malformed() {
    let stub = stub(Duration::ZERO, |request, _| {
        let base = request.header("host").map(|h| format!("http://{h}")).unwrap();
        match request.uri.as_str() {
            "/api/v1/groups" => {
                json_reply(200, &[("link", format!("<{base}/api/v1/groups>; rel=\"next\""))], json!([{"id": "00g1"}]))
            }
            "/api/v1/apps" => json_reply(
                200,
                &[("link", "<https://evil.example/api/v1/apps?after=1>; rel=\"next\"".to_string())],
                json!([]),
            ),
            "/api/v1/a" => json_reply(200, &[("link", format!("<{base}/api/v1/b>; rel=\"next\""))], json!([])),
            "/api/v1/b" => json_reply(200, &[("link", format!("<{base}/api/v1/a>; rel=\"next\""))], json!([])),
            "/api/v1/iam/roles" => json_reply(
                200,
                &[],
                json!({"roles": [{"id": "cr1"}], "_links": {"next": {"href": format!("{base}/api/v1/iam/roles")}}}),
            ),
            _ => json_reply(200, &[], json!({"not": "an array"})),
        }
    })
    .await;
    let client = stub_client(&stub.url, |_| {});
    for (result, what) in [
        (client.list_all("/api/v1/groups").await, "never end"),
        (client.list_all("/api/v1/apps").await, "another host"),
        (client.list_all("/api/v1/a").await, "earlier page"),
        (client.list_all_body("/api/v1/iam/roles", "roles").await, "never end"),
        (client.list_all("/api/v1/other").await, "expected a JSON array"),
    ] {
        let e = result.unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::MalformedResponse(m) if m.contains(what)), "{what}: {e}");
    }
    assert!(!stub.recorded().iter().any(|r| r.uri.contains("after=1")), "nothing sent to the other host's path");
}

#[tokio::test]
async fn system_log_polling_stops_at_the_empty_page_that_points_to_itself() {
    let sim = sim().await;
    let client = sim.ssws();
    let events = client.list_all("/api/v1/logs?limit=7").await.unwrap();
    assert_eq!(events.len(), count(&sim.stats().await, "log_events"));
    assert!(events.len() > 7, "the test needs several pages");
    // Page by page: the caught-up page is empty and its next is itself, to poll again later.
    let mut page = client.get_page("/api/v1/logs?limit=7").await.unwrap();
    let mut seen = page.items.len();
    let mut url = String::new();
    while !page.items.is_empty() {
        url = page.next.clone().expect("polling always has a next link");
        page = client.get_page(&url).await.unwrap();
        seen += page.items.len();
    }
    assert_eq!(seen, events.len());
    assert_eq!(page.next.as_deref(), Some(url.as_str()));
    let again = client.get_page(&url).await.unwrap();
    assert!(again.items.is_empty());
}
