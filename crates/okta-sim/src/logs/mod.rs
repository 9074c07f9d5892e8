//! The System Log store: events in persistence order, and Okta's two query modes over them.
//!
//! Polling queries (no `until`, ascending) walk events in the order Okta committed them and resume
//! from a sequence number, so late events are never skipped; bounded queries (`until` set) read
//! by `published`, where a late event can be missed, as Okta warns.

use crate::activity::GeneratedEvent;
use crate::org::Ts;
use crate::server::filter::Filter;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Okta keeps 90 days of System Log.
pub const RETENTION_DAYS: i64 = 90;

/// One persisted event.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub seq: u64,
    pub persisted: Ts,
    pub published: Ts,
    pub uuid: String,
    /// The event's JSON text, served as is.
    pub json: String,
}

/// An event waiting for its persistence time, already serialized (a queue of `Value`s would
/// cost several times the memory).
struct Pending {
    persist_at: Ts,
    order: u64,
    published: Ts,
    uuid: String,
    json: String,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.persist_at, self.order) == (other.persist_at, other.order)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.persist_at, self.order).cmp(&(other.persist_at, other.order))
    }
}

/// Selection criteria shared by both query modes.
pub struct Criteria<'a> {
    pub filter: Option<&'a Filter>,
    /// Lower-cased keywords that must all appear.
    pub keywords: &'a [String],
    pub now: Ts,
}

impl Criteria<'_> {
    fn accepts(&self, e: &StoredEvent) -> bool {
        if e.published < self.now - chrono::Duration::days(RETENTION_DAYS) {
            return false;
        }
        if !self.keywords.is_empty() {
            let text = e.json.to_lowercase();
            if !self.keywords.iter().all(|k| text.contains(k.as_str())) {
                return false;
            }
        }
        match self.filter {
            None => true,
            Some(f) => serde_json::from_str(&e.json).map(|v| f.matches(&v)).unwrap_or(false),
        }
    }
}

#[derive(Default)]
pub struct LogStore {
    events: Vec<StoredEvent>,
    pending: BinaryHeap<Reverse<Pending>>,
    order: u64,
}

impl LogStore {
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Queues events; each is persisted at `max(published + persist_delay, now)` once that time comes.
    pub fn submit(&mut self, events: Vec<GeneratedEvent>, now: Ts) {
        for event in events {
            self.enqueue(event, Some(now));
        }
    }

    /// Queues past events with their own persistence times (history before start-up); they
    /// persist with the next [`LogStore::persist_due`] that reaches them.
    pub fn backfill(&mut self, events: Vec<GeneratedEvent>) {
        for event in events {
            self.enqueue(event, None);
        }
    }

    fn enqueue(&mut self, event: GeneratedEvent, not_before: Option<Ts>) {
        let due = event.published + event.persist_delay;
        let persist_at = not_before.map_or(due, |now| due.max(now));
        self.order += 1;
        let uuid = event.event.get("uuid").and_then(|u| u.as_str()).unwrap_or_default().to_string();
        let json = event.event.to_string();
        self.pending.push(Reverse(Pending { persist_at, order: self.order, published: event.published, uuid, json }));
    }

    /// Moves every queued event whose time has come into the log.
    pub fn persist_due(&mut self, now: Ts) -> usize {
        let mut moved = 0;
        while self.pending.peek().is_some_and(|p| p.0.persist_at <= now) {
            let Reverse(p) = self.pending.pop().expect("peeked");
            // Persistence times never go backwards: a late commit is stamped when it happens.
            let persisted = self.events.last().map_or(p.persist_at, |last| last.persisted.max(p.persist_at));
            let seq = self.events.len() as u64 + 1;
            self.events.push(StoredEvent { seq, persisted, published: p.published, uuid: p.uuid, json: p.json });
            moved += 1;
        }
        moved
    }

    /// A polling page: events from sequence `from_seq` (or persisted at or after `since`), at most
    /// `limit`; returns them and the sequence number the next page starts at.
    pub fn poll(
        &self,
        from_seq: Option<u64>,
        since: Ts,
        criteria: &Criteria,
        limit: usize,
    ) -> (Vec<&StoredEvent>, u64) {
        let start = match from_seq {
            Some(seq) => (seq.saturating_sub(1)) as usize,
            None => self.events.partition_point(|e| e.persisted < since),
        };
        let mut out = Vec::new();
        let mut next = start;
        for (i, e) in self.events.iter().enumerate().skip(start) {
            if out.len() == limit {
                break;
            }
            next = i + 1;
            if criteria.accepts(e) {
                out.push(e);
            }
        }
        (out, next as u64 + 1)
    }

    /// A bounded page: events published in `[since, until)`, ordered by (`published`, seq),
    /// ascending or descending, after the key `after`.
    pub fn bounded(
        &self,
        since: Ts,
        until: Ts,
        descending: bool,
        after: Option<(i64, u64)>,
        criteria: &Criteria,
        limit: usize,
    ) -> (Vec<&StoredEvent>, Option<(i64, u64)>) {
        let key = |e: &StoredEvent| (e.published.timestamp_millis(), e.seq);
        let mut selected: Vec<&StoredEvent> =
            self.events.iter().filter(|e| e.published >= since && e.published < until).collect();
        selected.sort_by_key(|e| key(e));
        if descending {
            selected.reverse();
        }
        let mut out = Vec::new();
        let mut iter = selected.into_iter().filter(|e| match after {
            None => true,
            Some(a) if descending => key(e) < a,
            Some(a) => key(e) > a,
        });
        for e in iter.by_ref() {
            if !criteria.accepts(e) {
                continue;
            }
            if out.len() == limit {
                let last: &&StoredEvent = out.last().expect("limit > 0");
                return (out.clone(), Some(key(last)));
            }
            out.push(e);
        }
        (out, None)
    }

    pub fn count_since(&self, since: Ts) -> usize {
        self.events.len() - self.events.partition_point(|e| e.persisted < since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};
    use serde_json::json;

    fn event(n: u64, published: Ts, delay_s: i64) -> GeneratedEvent {
        GeneratedEvent {
            event: json!({"uuid": format!("u{n}"), "eventType": "user.session.start"}),
            published,
            persist_delay: Duration::seconds(delay_s),
        }
    }

    #[test]
    fn late_events_are_persisted_later_and_polling_sees_them_after_earlier_ones() {
        let t0 = Utc::now() - Duration::minutes(10);
        let mut store = LogStore::default();
        store.submit(vec![event(1, t0, 60), event(2, t0 + Duration::seconds(10), 0)], t0);
        assert_eq!(store.persist_due(t0 + Duration::seconds(20)), 1);
        assert_eq!(store.persist_due(t0 + Duration::seconds(70)), 1);
        let criteria = Criteria { filter: None, keywords: &[], now: Utc::now() };
        let (page, next) = store.poll(None, t0 - Duration::minutes(1), &criteria, 10);
        let uuids: Vec<_> = page.iter().map(|e| e.uuid.as_str()).collect();
        assert_eq!(uuids, ["u2", "u1"], "persistence order, not published order");
        assert_eq!(next, 3);
        let (empty, again) = store.poll(Some(next), t0, &criteria, 10);
        assert!(empty.is_empty());
        assert_eq!(again, 3, "an empty page keeps the position");
    }

    #[test]
    fn bounded_queries_order_by_published_and_page_by_key() {
        let t0 = Utc::now() - Duration::minutes(10);
        let mut store = LogStore::default();
        store.backfill((1..=5).map(|n| event(n, t0 + Duration::seconds(10 - n as i64), 0)).collect());
        store.persist_due(Utc::now());
        let criteria = Criteria { filter: None, keywords: &[], now: Utc::now() };
        let (first, next) = store.bounded(t0, Utc::now(), false, None, &criteria, 2);
        assert_eq!(first.iter().map(|e| e.uuid.as_str()).collect::<Vec<_>>(), ["u5", "u4"]);
        let (second, _) = store.bounded(t0, Utc::now(), false, next, &criteria, 2);
        assert_eq!(second.iter().map(|e| e.uuid.as_str()).collect::<Vec<_>>(), ["u3", "u2"]);
    }
}
