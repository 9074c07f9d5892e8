//! The detector: follows the events table in `seq` order, feeds the engine, and writes the
//! signals (grouped into alerts) with its new position in one transaction, so that a crash or a
//! restart neither loses nor doubles an alert.
//!
//! Rules keep windowed state in memory. On start the detector rebuilds it by replaying the stored
//! events of the last [`Engine::horizon`] before its position, raising nothing: those events'
//! signals are already stored.

use crate::engine::Engine;
use crate::rule::{Directory, UserFacts};
use crate::signal::Signal;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use store::{AlertChange, DetectionBatch, NewSignal, Store, WebhookRoute};

/// The cursor name of the built-in detector.
pub const DETECTOR: &str = "detections";

/// Events read per pass.
const PAGE: usize = 2000;

/// How often the detector looks for a newer scan of the graph.
const GRAPH_CHECK: Duration = Duration::from_secs(2);

/// Histogram: for each evaluated event, the time from the detector's last look that found no
/// newer event (so the event was stored after it) to the end of its evaluation. An upper bound of
/// the time from storing to evaluating, tight to within the detector's poll interval; events of
/// the backlog found at start are not measured (they were stored before the process started).
pub const DETECTION_LAG: &str = "sightline_detection_lag_seconds";
/// Counter: stored events evaluated by the detections.
pub const EVENTS_EVALUATED: &str = "sightline_detection_events_evaluated_total";
/// Counter: signals raised by the rules, by `severity`.
pub const SIGNALS: &str = "sightline_detection_signals_total";
/// Counter: alerts opened, by `severity` (a signal joining an open alert opens none).
pub const ALERTS_OPENED: &str = "sightline_alerts_opened_total";

/// Describes the detector's metrics to the installed recorder (call once, after installing it).
pub fn describe_metrics() {
    metrics::describe_histogram!(
        DETECTION_LAG,
        metrics::Unit::Seconds,
        "Upper bound of the time from an event being stored to its evaluation by the detections."
    );
    metrics::describe_counter!(EVENTS_EVALUATED, "Stored events evaluated by the detections.");
    metrics::describe_counter!(SIGNALS, "Signals raised by detection rules, by severity.");
    metrics::describe_counter!(ALERTS_OPENED, "Alerts opened, by severity.");
}

/// Graph facts and sign-in history, from the store.
#[derive(Debug, Default)]
pub struct StoreDirectory {
    users: HashMap<String, UserFacts>,
    sign_ins: HashMap<String, DateTime<Utc>>,
}

impl StoreDirectory {
    /// Loads the graph facts of every Okta user, and the last successful sign-in of each actor
    /// among the events up to `upto`.
    pub async fn load(store: &Store, upto: i64) -> Result<StoreDirectory, store::Error> {
        let mut directory = StoreDirectory { users: HashMap::new(), sign_ins: HashMap::new() };
        directory.refresh_users(store).await?;
        directory.sign_ins = store.last_sign_ins(upto).await?.into_iter().collect();
        Ok(directory)
    }

    /// Reloads the graph facts (after a scan).
    pub async fn refresh_users(&mut self, store: &Store) -> Result<(), store::Error> {
        self.users = store
            .user_facts()
            .await?
            .into_iter()
            .map(|row| {
                let facts = UserFacts {
                    login: row.login,
                    created: row.created,
                    last_login: row.last_login,
                    admin_roles: row.admin_roles,
                    apps_reached: row.apps_reached,
                };
                (row.okta_id, facts)
            })
            .collect();
        Ok(())
    }
}

impl Directory for StoreDirectory {
    fn user(&self, okta_id: &str) -> Option<&UserFacts> {
        self.users.get(okta_id)
    }

    fn last_sign_in(&self, actor_id: &str) -> Option<DateTime<Utc>> {
        self.sign_ins.get(actor_id).copied()
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Events evaluated.
    pub events: usize,
    /// Signals raised.
    pub signals: usize,
    /// Alerts opened.
    pub opened: usize,
    /// The detector's position afterwards.
    pub cursor: i64,
}

/// The detector over one store.
pub struct Detector {
    store: Store,
    engine: Engine,
    directory: StoreDirectory,
    webhooks: Vec<WebhookRoute>,
    cursor: i64,
    graph_version: Option<i64>,
    graph_checked: Instant,
    /// When a read of the events last reached the newest stored one: whatever a later read
    /// finds was stored after this instant.
    seen_end_at: Option<Instant>,
}

impl Detector {
    /// Resumes from the stored position (the start of the stream the first time), rebuilding the
    /// rules' state from the history before it. `webhooks` are where new alert states are queued.
    pub async fn start(
        store: Store,
        mut engine: Engine,
        webhooks: Vec<WebhookRoute>,
    ) -> Result<Detector, store::Error> {
        let cursor = store.detector_cursor(DETECTOR).await?.unwrap_or(0);
        let replay_from = match store.events_page(cursor - 1, Some(cursor), None, 1).await?.first() {
            Some(last) => {
                let horizon = chrono::Duration::from_std(engine.horizon()).unwrap_or(chrono::Duration::MAX);
                let since = last.time.checked_sub_signed(horizon).unwrap_or(DateTime::<Utc>::MIN_UTC);
                store.first_seq_since(since).await?.map_or(cursor, |seq| seq.min(cursor + 1) - 1)
            }
            None => cursor,
        };
        let graph_version = store.graph_version().await?;
        let directory = StoreDirectory::load(&store, replay_from).await?;
        let mut replayed = 0usize;
        let mut after = replay_from;
        let mut discarded: Vec<Signal> = Vec::new();
        while after < cursor {
            let page = store.events_page(after, Some(cursor), None, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for event in &page {
                engine.observe(event, &directory, &mut discarded);
                discarded.clear();
            }
            replayed += page.len();
        }
        tracing::info!(cursor, replayed, rules = engine.rules().count(), "detections resumed");
        Ok(Detector {
            store,
            engine,
            directory,
            webhooks,
            cursor,
            graph_version,
            graph_checked: Instant::now(),
            seen_end_at: None,
        })
    }

    /// The position: the `seq` of the last event evaluated.
    pub fn cursor(&self) -> i64 {
        self.cursor
    }

    /// Evaluates the next page of stored events and stores what they raise.
    pub async fn pass(&mut self) -> Result<Pass, store::Error> {
        self.refresh_facts().await?;
        let read_at = Instant::now();
        let page = self.store.events_page(self.cursor, None, None, PAGE).await?;
        let Some(last) = page.last().map(|e| e.seq) else {
            self.seen_end_at = lag_origin(self.seen_end_at, read_at, 0).1;
            return Ok(Pass { cursor: self.cursor, ..Pass::default() });
        };
        let mut signals = Vec::new();
        for event in &page {
            self.engine.observe(event, &self.directory, &mut signals);
        }
        let count = signals.len();
        let severities: Vec<&'static str> = signals.iter().map(|s| s.severity.as_str()).collect();
        let batch = DetectionBatch {
            detector: DETECTOR.to_string(),
            signals: signals.into_iter().map(new_signal).collect(),
            cursor: last,
            webhooks: self.webhooks.clone(),
        };
        let changes = self.store.record_detections(batch).await?;
        self.cursor = last;
        self.record_metrics(page.len(), read_at, &severities, &changes);
        Ok(Pass {
            events: page.len(),
            signals: count,
            opened: changes.iter().filter(|c| c.opened).count(),
            cursor: last,
        })
    }

    /// Counts a pass's work; `severities` are its signals', in the order of `changes`.
    fn record_metrics(
        &mut self,
        events: usize,
        read_at: Instant,
        severities: &[&'static str],
        changes: &[AlertChange],
    ) {
        metrics::counter!(EVENTS_EVALUATED).increment(events as u64);
        let (origin, seen_end_at) = lag_origin(self.seen_end_at, read_at, events);
        if let Some(since) = origin {
            metrics::histogram!(DETECTION_LAG).record_many(since.elapsed().as_secs_f64(), events);
        }
        self.seen_end_at = seen_end_at;
        for (severity, change) in severities.iter().zip(changes) {
            metrics::counter!(SIGNALS, "severity" => *severity).increment(1);
            if change.opened {
                metrics::counter!(ALERTS_OPENED, "severity" => *severity).increment(1);
            }
        }
    }

    /// Reloads graph facts when a scan finished since they were loaded (checked at most every
    /// [`GRAPH_CHECK`]): alerts carry the context of the graph as it is.
    async fn refresh_facts(&mut self) -> Result<(), store::Error> {
        if self.graph_checked.elapsed() < GRAPH_CHECK {
            return Ok(());
        }
        self.graph_checked = Instant::now();
        let version = self.store.graph_version().await?;
        if version != self.graph_version {
            self.directory.refresh_users(&self.store).await?;
            self.graph_version = version;
        }
        Ok(())
    }

    /// Runs until `stop` resolves: passes back to back while there is work, then every
    /// `poll_interval`. A store error is logged and retried after a pause; the position only
    /// moves with the alerts it covers, so nothing is lost.
    pub async fn run(mut self, poll_interval: Duration, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            let pause = match self.pass().await {
                Ok(pass) if pass.events > 0 => {
                    if pass.opened > 0 {
                        tracing::info!(opened = pass.opened, cursor = pass.cursor, "alerts opened");
                    }
                    Duration::ZERO
                }
                Ok(_) => poll_interval,
                Err(e) => {
                    tracing::warn!(error = %e, "detections paused after a store error; retrying");
                    Duration::from_secs(5)
                }
            };
            tokio::select! {
                _ = &mut stop => return,
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }
}

/// For a read at `read_at` that found `events` (at most [`PAGE`]), given when a read last reached
/// the end of the stored events: since when its events have been waiting at most (`None`: not
/// known, e.g. the backlog found at start), and the new "last reached the end".
///
/// The cursor moves past everything a read finds, so what a later read finds was not there at the
/// last read that reached the end: it was stored after that read. A page shorter than [`PAGE`]
/// means this read reached the end too.
fn lag_origin(seen_end_at: Option<Instant>, read_at: Instant, events: usize) -> (Option<Instant>, Option<Instant>) {
    let origin = if events > 0 { seen_end_at } else { None };
    let seen_end_at = if events < PAGE { Some(read_at) } else { seen_end_at };
    (origin, seen_end_at)
}

fn new_signal(signal: Signal) -> NewSignal {
    NewSignal {
        rule_id: signal.rule_id,
        title: signal.title,
        severity: signal.severity.as_str().to_string(),
        entity_kind: signal.finding.entity.kind,
        entity: signal.finding.entity.value,
        person: signal.finding.person,
        actor_id: signal.finding.actor_id,
        time: signal.time,
        events: signal.finding.events,
        summary: signal.finding.summary,
        details: signal.finding.details,
        group_window: signal.group_window,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_is_measured_from_the_last_read_that_reached_the_end() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        // The backlog found at start: stored before anyone looked, so not measured.
        assert_eq!(lag_origin(None, at(0), PAGE), (None, None));
        assert_eq!(lag_origin(None, at(10), 7), (None, Some(at(10))));
        // Nothing new: nothing measured, but the end was seen again.
        assert_eq!(lag_origin(Some(at(10)), at(200), 0), (None, Some(at(200))));
        // New events: stored after the read at 200 ms.
        assert_eq!(lag_origin(Some(at(200)), at(400), 3), (Some(at(200)), Some(at(400))));
        // A full page: the rest is still waiting since the last read that saw the end.
        assert_eq!(lag_origin(Some(at(400)), at(600), PAGE), (Some(at(400)), Some(at(400))));
        assert_eq!(lag_origin(Some(at(400)), at(650), 12), (Some(at(400)), Some(at(650))));
    }
}
