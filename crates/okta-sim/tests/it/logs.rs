//! The System Log: polling and bounded queries, filters, keywords, retention.

use crate::support::*;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use std::collections::HashSet;

fn since(d: Duration) -> String {
    (Utc::now() - d).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn published(e: &Value) -> DateTime<Utc> {
    e["published"].as_str().unwrap().parse().unwrap()
}

/// Follows a polling query until a page comes back empty; returns the events and the last next link.
async fn poll_to_end(sim: &TestSim, first: &str) -> (Vec<Value>, String) {
    let mut events = Vec::new();
    let mut url = first.to_string();
    loop {
        let reply = sim.get(&url).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let page = reply.json().as_array().unwrap().clone();
        let next = reply.next_link().expect("polling queries always have a next link, even when empty");
        if page.is_empty() {
            return (events, next);
        }
        events.extend(page);
        url = next;
    }
}

#[tokio::test]
async fn polling_returns_everything_once_in_persistence_order_and_resumes() {
    let sim = sim().await;
    let (events, next) = poll_to_end(&sim, &format!("/api/v1/logs?since={}&limit=40", since(Duration::hours(2)))).await;
    assert_eq!(events.len() as u64, sim.stats().await["log_events"].as_u64().unwrap());
    let uuids: HashSet<&str> = events.iter().map(|e| e["uuid"].as_str().unwrap()).collect();
    assert_eq!(uuids.len(), events.len(), "no event twice");
    let inversions = events.windows(2).filter(|w| published(&w[0]) > published(&w[1])).count();
    assert!(inversions > 0, "late-persisted events arrive out of published order");
    assert!(!next.contains("since="), "the cursor replaces since");

    sim.control(reqwest::Method::POST, "/scenarios/password_spray?start_offset_seconds=-300", None).await;
    let (more, _) = poll_to_end(&sim, &next).await;
    assert!(more.len() >= 20, "the spray's events appear on the stored cursor");
    assert!(more.iter().all(|e| !uuids.contains(e["uuid"].as_str().unwrap())), "nothing delivered twice");
}

#[tokio::test]
async fn bounded_queries_order_by_published_and_end() {
    let sim = sim().await;
    let (s, u) = (since(Duration::minutes(8)), since(Duration::minutes(2)));
    let (asc, pages) = sim.all_pages(&format!("/api/v1/logs?since={s}&until={u}&limit=25")).await;
    assert!(pages > 1 && !asc.is_empty());
    assert!(asc.windows(2).all(|w| published(&w[0]) <= published(&w[1])));
    let (lo, hi): (DateTime<Utc>, DateTime<Utc>) = (s.parse().unwrap(), u.parse().unwrap());
    assert!(asc.iter().all(|e| published(e) >= lo && published(e) < hi));
    let (desc, _) = sim.all_pages(&format!("/api/v1/logs?since={s}&until={u}&limit=25&sortOrder=DESCENDING")).await;
    let reversed: Vec<&Value> = asc.iter().rev().collect();
    assert_eq!(desc.iter().collect::<Vec<_>>(), reversed);
}

#[tokio::test]
async fn filters_and_keywords_select_events() {
    let sim = sim().await;
    sim.control(reqwest::Method::POST, "/scenarios/brute_force?start_offset_seconds=-300", None).await;
    let filter = "eventType%20eq%20%22user.session.start%22%20and%20outcome.result%20eq%20%22FAILURE%22";
    let (failures, _) = sim
        .all_pages(&format!(
            "/api/v1/logs?since={}&until={}&filter={filter}",
            since(Duration::hours(1)),
            since(Duration::zero())
        ))
        .await;
    assert!(failures.len() >= 15);
    assert!(failures.iter().all(|e| e["eventType"] == "user.session.start" && e["outcome"]["result"] == "FAILURE"));

    let (polled, _) =
        poll_to_end(&sim, &format!("/api/v1/logs?since={}&filter={filter}&limit=1000", since(Duration::hours(1))))
            .await;
    assert_eq!(polled.len(), failures.len(), "polling and bounded agree on settled data");

    let ip = failures[0]["client"]["ipAddress"].as_str().unwrap();
    let (by_q, _) = sim
        .all_pages(&format!(
            "/api/v1/logs?since={}&until={}&q={ip}",
            since(Duration::hours(1)),
            since(Duration::zero())
        ))
        .await;
    assert!(!by_q.is_empty());
    assert!(by_q.iter().all(|e| e.to_string().contains(ip)));

    for bad in
        ["eventType%20eq", "published%20gt%20%222024-01-01T00:00:00Z%22", "debugContext.debugData.url%20co%20%22x%22"]
    {
        let reply = sim.get(&format!("/api/v1/logs?filter={bad}")).await;
        assert_eq!((reply.status, reply.error_code().as_str()), (400, "E0000031"), "{bad}");
    }
}

#[tokio::test]
async fn since_bounds_dates_and_limits() {
    let sim = sim().await;
    let old = sim.get(&format!("/api/v1/logs?since={}", since(Duration::days(181)))).await;
    assert_eq!((old.status, old.error_code().as_str()), (400, "E0000053"));
    let garbage = sim.get("/api/v1/logs?since=yesterday").await;
    assert_eq!((garbage.status, garbage.error_code().as_str()), (400, "E0000030"));
    let capped = sim.get(&format!("/api/v1/logs?since={}&limit=5000", since(Duration::hours(1)))).await;
    assert_eq!(capped.status, 200);
    assert!(capped.json().as_array().unwrap().len() <= 1000);
    let forged = sim.get("/api/v1/logs?after=1627500044869_1").await;
    assert_eq!(forged.status, 400);
}

#[tokio::test]
async fn events_past_retention_are_not_returned() {
    let sim = sim_with(Options {
        history: std::time::Duration::from_secs(95 * 86_400),
        events_per_minute: 0.02,
        ..Options::default()
    })
    .await;
    let (events, _) = poll_to_end(&sim, &format!("/api/v1/logs?since={}&limit=1000", since(Duration::days(179)))).await;
    let stored = sim.stats().await["log_events"].as_u64().unwrap();
    assert!(!events.is_empty());
    assert!((events.len() as u64) < stored, "some history is older than 90 days");
    let horizon = Utc::now() - Duration::days(90);
    assert!(events.iter().all(|e| published(e) >= horizon));
}

#[tokio::test]
async fn events_have_the_logevent_shape() {
    let sim = sim().await;
    let events = sim.get(&format!("/api/v1/logs?since={}&limit=200", since(Duration::hours(1)))).await.json();
    for e in events.as_array().unwrap() {
        for key in [
            "uuid",
            "published",
            "eventType",
            "version",
            "severity",
            "displayMessage",
            "actor",
            "client",
            "outcome",
            "transaction",
            "debugContext",
            "authenticationContext",
            "securityContext",
            "request",
        ] {
            assert!(e.get(key).is_some(), "event lacks {key}: {e}");
        }
    }
}
