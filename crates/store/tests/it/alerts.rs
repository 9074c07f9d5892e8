//! Alerts on both backends: events read back as stored, grouping by rule and entity within the
//! window, severity raises, status changes with history, webhook states queued once each, and the
//! detector's cursor moving with its alerts.

use crate::util::{Backend, TempStore, both, runtime};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::time::Duration as StdDuration;
use store::{DeliveryResult, DetectionBatch, EventBatch, NewEvent, NewSignal, StatusChange, StoredEvent, WebhookRoute};

fn at(minute: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z").unwrap().with_timezone(&Utc) + Duration::minutes(minute)
}

/// Failed sign-ins by alice, one a minute.
fn failures(n: i64) -> Vec<NewEvent> {
    (0..n)
        .map(|i| {
            let raw = json!({
                "uuid": format!("fail-{i:03}"),
                "published": at(i).to_rfc3339(),
                "eventType": "user.session.start",
                "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"},
                "actor": {"id": "00ualice", "type": "User", "alternateId": "alice@acme.com", "displayName": "Alice <b>"},
                "client": {"ipAddress": "203.0.113.9", "geographicalContext": {"city": "Lagos", "country": "Nigeria",
                           "geolocation": {"lat": 6.45, "lon": 3.39}}},
                "target": [{"id": "0oa1", "type": "AppInstance", "alternateId": "Okta Dashboard", "displayName": "Okta Dashboard"}]
            });
            let raw = serde_json::value::to_raw_value(&raw).unwrap();
            let event = activity::normalize(activity::Source::Okta, &raw).unwrap();
            NewEvent { event, person: Some("alice@acme.com".into()), integration: Some("acme".into()) }
        })
        .collect()
}

fn signal(severity: &str, minute: i64, events: Vec<i64>) -> NewSignal {
    NewSignal {
        rule_id: "okta.brute_force.user".into(),
        title: "Brute force against one user".into(),
        severity: severity.into(),
        entity_kind: "user".into(),
        entity: "alice@acme.com".into(),
        person: Some("alice@acme.com".into()),
        actor_id: Some("00ualice".into()),
        time: at(minute),
        events,
        summary: format!("failures up to minute {minute}"),
        details: json!({"failures": minute + 1}),
        group_window: StdDuration::from_secs(30 * 60),
    }
}

fn hooks() -> Vec<WebhookRoute> {
    vec![
        WebhookRoute { name: "all".into(), min_severity: "info".into() },
        WebhookRoute { name: "pager".into(), min_severity: "critical".into() },
    ]
}

fn batch(signals: Vec<NewSignal>, cursor: i64) -> DetectionBatch {
    DetectionBatch { detector: "detections".into(), signals, cursor, webhooks: hooks() }
}

fn alerts(backend: Backend) {
    let t = TempStore::on(backend);
    let rt = runtime();
    let new_events = failures(12);
    rt.block_on(t.store.append_events(EventBatch { events: new_events.clone(), ..Default::default() })).unwrap();

    // Events come back in seq order, equal to what the pipeline stored.
    let page = rt.block_on(t.store.events_page(0, None, None, 100)).unwrap();
    assert_eq!(page.len(), 12);
    // PostgreSQL keeps the raw event as jsonb: the same JSON, not the same text.
    let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
    for (new, stored) in new_events.iter().zip(&page) {
        let expected = StoredEvent::from_new(stored.seq, new);
        assert_eq!(json(&stored.raw), json(&expected.raw));
        assert_eq!(
            StoredEvent { raw: String::new(), ..stored.clone() },
            StoredEvent { raw: String::new(), ..expected }
        );
    }
    let seqs: Vec<i64> = page.iter().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(rt.block_on(t.store.events_page(seqs[3], Some(seqs[5]), None, 100)).unwrap().len(), 2);
    assert_eq!(rt.block_on(t.store.events_page(0, None, Some(at(10)), 100)).unwrap().len(), 2);
    assert_eq!(rt.block_on(t.store.first_seq_since(at(10))).unwrap(), Some(seqs[10]));
    assert_eq!(rt.block_on(t.store.last_event_seq()).unwrap(), seqs[11]);
    assert_eq!(rt.block_on(t.store.detector_cursor("detections")).unwrap(), None);

    // The threshold crossing opens an alert; a later failure joins it; the cursor moves with them.
    let opened = rt.block_on(t.store.record_detections(batch(vec![signal("medium", 9, seqs[..10].to_vec())], seqs[9])));
    let opened = opened.unwrap();
    assert!(opened[0].opened);
    let id = opened[0].alert_id;
    assert_eq!(rt.block_on(t.store.detector_cursor("detections")).unwrap(), Some(seqs[9]));
    let joined = rt.block_on(t.store.record_detections(batch(vec![signal("medium", 10, vec![seqs[10]])], seqs[10])));
    assert_eq!(joined.unwrap()[0], store::AlertChange { alert_id: id, opened: false, raised_to: None });
    // The same event twice (a replay) counts once.
    rt.block_on(t.store.record_detections(batch(vec![signal("medium", 10, vec![seqs[10]])], seqs[10]))).unwrap();
    let detail = rt.block_on(t.store.alert(id)).unwrap().unwrap();
    assert_eq!(detail.alert.count, 11);
    assert_eq!((detail.alert.first_seen, detail.alert.last_seen), (at(0), at(10)));
    assert_eq!(detail.events.len(), 11);
    assert_eq!(detail.events[0].uuid, "fail-000");
    assert_eq!(detail.alert.details["failures"], 10);

    // A higher severity raises the alert, records why, and is queued for the webhooks that want it.
    let raised = rt.block_on(t.store.record_detections(batch(vec![signal("critical", 11, vec![seqs[11]])], seqs[11])));
    assert_eq!(raised.unwrap()[0].raised_to.as_deref(), Some("critical"));
    let detail = rt.block_on(t.store.alert(id)).unwrap().unwrap();
    assert_eq!(detail.alert.severity, "critical");
    assert_eq!(detail.history.len(), 2);
    assert!(detail.history[1].reason.starts_with("severity raised"));

    // Status changes need a known status and keep who and why.
    let refused = rt.block_on(t.store.set_alert_status(
        id,
        StatusChange { status: "snoozed".into(), by: "ana".into(), reason: "x".into() },
        hooks(),
    ));
    assert!(refused.unwrap_err().to_string().contains("not an alert status"));
    let acked = rt
        .block_on(t.store.set_alert_status(
            id,
            StatusChange { status: "acknowledged".into(), by: "ana".into(), reason: "looking".into() },
            hooks(),
        ))
        .unwrap();
    assert_eq!(acked.status, "acknowledged");
    let again = rt.block_on(t.store.set_alert_status(
        id,
        StatusChange { status: "acknowledged".into(), by: "ana".into(), reason: "again".into() },
        hooks(),
    ));
    assert!(again.unwrap_err().to_string().contains("already acknowledged"));
    // Acknowledged alerts still gather signals.
    let joined = rt.block_on(t.store.record_detections(batch(vec![signal("medium", 11, vec![seqs[11]])], seqs[11])));
    assert_eq!(joined.unwrap()[0].alert_id, id);
    rt.block_on(t.store.set_alert_status(
        id,
        StatusChange { status: "resolved".into(), by: "ana".into(), reason: "password reset".into() },
        hooks(),
    ))
    .unwrap();
    // Once resolved, the next signal opens a new alert.
    let next = rt.block_on(t.store.record_detections(batch(vec![signal("medium", 11, vec![seqs[11]])], seqs[11])));
    let next = next.unwrap();
    assert!(next[0].opened && next[0].alert_id != id);
    let history = rt.block_on(t.store.alert(id)).unwrap().unwrap().history;
    assert_eq!(
        history.iter().map(|h| (h.actor.as_str(), h.to_status.as_str())).collect::<Vec<_>>(),
        [("sightline", "open"), ("sightline", "open"), ("ana", "acknowledged"), ("ana", "resolved")]
    );

    // Listing filters.
    let all = rt.block_on(t.store.alerts(Default::default())).unwrap();
    assert_eq!(all.iter().map(|a| a.id).collect::<Vec<_>>(), vec![next[0].alert_id, id]);
    let open = store::AlertFilter { statuses: vec!["open".into()], ..Default::default() };
    assert_eq!(rt.block_on(t.store.alerts(open)).unwrap().len(), 1);
    let critical = store::AlertFilter { min_severity: Some("high".into()), ..Default::default() };
    assert_eq!(rt.block_on(t.store.alerts(critical)).unwrap()[0].id, id);
    let by_person = store::AlertFilter { entity: Some("ALICE@acme.com".into()), ..Default::default() };
    assert_eq!(rt.block_on(t.store.alerts(by_person)).unwrap().len(), 2);

    // Webhook states: each once per webhook, the pager only for critical ones.
    let due = rt.block_on(t.store.due_notifications(100)).unwrap();
    let states: Vec<(String, String)> = due.iter().map(|n| (n.webhook.clone(), n.state.clone())).collect();
    assert_eq!(states.iter().filter(|(w, _)| w == "all").count(), 5, "{states:?}");
    assert!(states.contains(&("pager".into(), "severity:critical".into())));
    assert!(states.iter().filter(|(w, _)| w == "pager").all(|(_, s)| s != "opened"));
    let first = &due[0];
    rt.block_on(t.store.record_delivery(
        first.id,
        DeliveryResult::Failed { error: "HTTP 503".into(), retry_at: Some(Utc::now() + Duration::hours(1)) },
    ))
    .unwrap();
    rt.block_on(t.store.record_delivery(due[1].id, DeliveryResult::Sent)).unwrap();
    let due_now = rt.block_on(t.store.due_notifications(100)).unwrap();
    assert_eq!(due_now.len(), due.len() - 2, "a retry waits; a sent one is done");
}
both!(alerts);

fn user_facts_and_sign_ins(backend: Backend) {
    let t = TempStore::with_fixture_on(backend);
    let rt = runtime();
    let facts = rt.block_on(t.store.user_facts()).unwrap();
    assert!(!facts.is_empty(), "the fixture has Okta users");
    assert!(facts.iter().all(|f| !f.okta_id.is_empty() && !f.login.is_empty()));
    assert!(facts.iter().any(|f| f.apps_reached > 0));
    let sign_ins = rt.block_on(t.store.last_sign_ins(i64::MAX)).unwrap();
    assert!(sign_ins.is_empty());
}
both!(user_facts_and_sign_ins);
