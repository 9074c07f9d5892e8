//! Investigate over stored events, on both backends: timeline paging, filters, facets, places.

use crate::util::{Backend, TempStore, both, runtime};
use serde_json::json;
use store::{EventBatch, EventFilter, NewEvent};

/// 24 Okta events: alice and bob alternate, every third fails, from two cities, an hour apart.
fn events() -> Vec<NewEvent> {
    (0..24)
        .map(|i| {
            let person = if i % 2 == 0 { "alice@acme.com" } else { "bob@acme.com" };
            let (city, country, lat, lon) =
                if i % 4 < 2 { ("Paris", "France", 48.85, 2.35) } else { ("Lagos", "Nigeria", 6.45, 3.39) };
            let raw = json!({
                "uuid": format!("evt-{i:02}"),
                "published": format!("2026-11-28T{:02}:00:00.000Z", i),
                "eventType": if i % 6 == 0 { "user.authentication.sso" } else { "user.session.start" },
                "displayMessage": format!("event number {i}"),
                "severity": "INFO",
                "outcome": {"result": if i % 3 == 0 { "FAILURE" } else { "SUCCESS" }},
                "actor": {"id": format!("00u{person}"), "type": "User", "alternateId": person, "displayName": person},
                "client": {"ipAddress": format!("198.51.100.{}", i % 5), "geographicalContext": {"city": city, "country": country, "geolocation": {"lat": lat, "lon": lon}}},
                "target": [{"id": "0oa1", "type": "AppInstance", "alternateId": "Salesforce", "displayName": "Salesforce"}]
            });
            let raw = serde_json::value::to_raw_value(&raw).unwrap();
            let event = activity::normalize(activity::Source::Okta, &raw).unwrap();
            NewEvent { event, person: Some(person.into()), integration: Some("acme".into()) }
        })
        .collect()
}

fn investigate(backend: Backend) {
    let t = TempStore::on(backend);
    let rt = runtime();
    let stored = rt.block_on(t.store.append_events(EventBatch { events: events(), ..Default::default() })).unwrap();
    assert_eq!(stored.inserted, 24);

    // Alice's timeline, four at a time: every event once, newest first.
    let alice = EventFilter { person: Some("Alice@Acme.com".into()), ..Default::default() };
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = rt.block_on(t.store.timeline(&alice, 4, cursor.as_deref())).unwrap();
        seen.extend(page.events.iter().map(|e| e.uuid.clone()));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let expected: Vec<String> = (0..24).rev().filter(|i| i % 2 == 0).map(|i| format!("evt-{i:02}")).collect();
    assert_eq!(seen, expected);

    // Filters combine.
    let failures =
        EventFilter { outcomes: vec!["failure".into()], countries: vec!["Nigeria".into()], ..Default::default() };
    let page = rt.block_on(t.store.timeline(&failures, 100, None)).unwrap();
    assert!(page.events.iter().all(|e| e.outcome == "failure" && e.country.as_deref() == Some("Nigeria")));
    assert_eq!(page.events.len(), (0..24).filter(|i| i % 3 == 0 && i % 4 >= 2).count());
    let text = EventFilter { text: Some("NUMBER 7".into()), ..Default::default() };
    assert_eq!(rt.block_on(t.store.timeline(&text, 10, None)).unwrap().events.len(), 1);
    let window = EventFilter {
        since: Some("2026-11-28T10:00:00Z".parse().unwrap()),
        until: Some("2026-11-28T12:00:00Z".parse().unwrap()),
        ..Default::default()
    };
    assert_eq!(rt.block_on(t.store.timeline(&window, 10, None)).unwrap().events.len(), 2);

    // Facets.
    let facets = rt.block_on(t.store.facets(&EventFilter::default(), 10)).unwrap();
    assert_eq!(facets.total, 24);
    assert_eq!(facets.outcomes, vec![("success".to_string(), 16), ("failure".to_string(), 8)]);
    assert_eq!(facets.countries.len(), 2);
    assert_eq!(facets.ips.len(), 5);
    assert_eq!(facets.apps, vec![("Salesforce".to_string(), 24)]);
    assert_eq!(facets.event_types[0], ("user.session.start".to_string(), 20));

    // Places for the map.
    let places = rt.block_on(t.store.places(&alice)).unwrap();
    assert_eq!(places.len(), 2);
    assert_eq!(places.iter().map(|p| p.events).sum::<u64>(), 12);
    assert!(places.iter().any(|p| p.city.as_deref() == Some("Paris") && p.latitude > 48.0));

    // A bad cursor is refused, not guessed at.
    assert!(rt.block_on(t.store.timeline(&alice, 4, Some("nonsense"))).is_err());
}
both!(investigate);
