/*!
The Okta System Log poller.

It runs Okta's polling query (`sortOrder=ASCENDING`, no `until`, `limit=1000`) from a start time and
then follows the `next` link for ever. Each page's events and the page's `next` link are stored in
one transaction (`store::Store::append_events`): after a crash at any instant the poller resumes
from a cursor that matches exactly what was stored, so nothing is lost, and `(source, uuid)`
keeps anything from being stored twice. While pages come back full it asks again at once; a
short page means it has caught up.

Start: `now − lookback` (default 24 h) on the first run, clamped to Okta's 90-day retention with
a warning. On resume, a cursor whose last event is older than the retention is reported as a gap
(`log_gaps`) and the poll restarts at the oldest retained events; so is a cursor Okta refuses.
Rate limits: the client's governor keeps the poller to its share of the `/api/v1/logs` bucket.
*/

use crate::people::People;
use chrono::{DateTime, Duration as TimeDelta, SecondsFormat, Utc};
use okta_client::{ErrorKind as OktaErrorKind, OktaClient};
use store::{CursorUpdate, EventBatch, RejectedEvent, Store};
use tokio::sync::watch;

/// Okta keeps System Log events this long.
pub const RETENTION_DAYS: i64 = 90;

/// Events per page (Okta's maximum for the polling query).
pub const PAGE_LIMIT: usize = 1000;

/// Why a poll stopped.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// Okta refused or failed (after the client's retries).
    #[error("System Log request failed")]
    Okta(#[from] okta_client::Error),
    /// The store failed.
    #[error("cannot store System Log events")]
    Store(#[from] store::Error),
}

/// What one page brought.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageReport {
    /// Events on the page.
    pub received: u64,
    /// Newly stored.
    pub inserted: u64,
    /// Already stored.
    pub duplicates: u64,
    /// Kept in `rejected_events`.
    pub rejected: u64,
    /// Whether the page was full (more are waiting).
    pub full: bool,
}

impl std::ops::AddAssign for PageReport {
    fn add_assign(&mut self, other: PageReport) {
        self.received += other.received;
        self.inserted += other.inserted;
        self.duplicates += other.duplicates;
        self.rejected += other.rejected;
        self.full = other.full;
    }
}

/// One integration's System Log stream.
pub struct OktaLog {
    client: OktaClient,
    store: Store,
    people: People,
    integration: String,
    /// How far back the first poll starts.
    lookback: TimeDelta,
}

impl OktaLog {
    /// A poller for `integration`, starting `lookback` ago on its first run.
    pub fn new(client: OktaClient, store: Store, people: People, integration: &str, lookback: TimeDelta) -> OktaLog {
        OktaLog { client, store, people, integration: integration.to_string(), lookback }
    }

    /// The stream's key in `log_cursors`.
    pub fn stream(&self) -> String {
        format!("okta:{}", self.integration)
    }

    /// The client (for its statistics).
    pub fn client(&self) -> &OktaClient {
        &self.client
    }

    fn polling_url(&self, since: DateTime<Utc>) -> String {
        format!(
            "/api/v1/logs?since={}&sortOrder=ASCENDING&limit={PAGE_LIMIT}",
            since.to_rfc3339_opts(SecondsFormat::Millis, true).replace('+', "%2B")
        )
    }

    /// The oldest time Okta still has events for (with a minute's margin for clock skew).
    fn retention_start(now: DateTime<Utc>) -> DateTime<Utc> {
        now - TimeDelta::days(RETENTION_DAYS) + TimeDelta::minutes(1)
    }

    /// Where to ask next (the stored cursor, or the start of a new stream), and the time of the
    /// newest event stored through the stream.
    async fn next_url(&self) -> Result<(String, Option<DateTime<Utc>>), PollError> {
        let now = Utc::now();
        let stream = self.stream();
        match self.store.log_cursor(&stream).await? {
            Some(cursor) => {
                let retained = Self::retention_start(now);
                if let Some(last) = cursor.last_time.filter(|last| *last < retained) {
                    self.restart_after_gap(
                        Some(last),
                        "the poller was stopped for longer than Okta keeps System Log events (90 days)",
                    )
                    .await?;
                    return Ok((self.polling_url(retained), cursor.last_time));
                }
                Ok((cursor.cursor, cursor.last_time))
            }
            None => {
                let wanted = now - self.lookback;
                let retained = Self::retention_start(now);
                let since = if wanted < retained {
                    tracing::warn!(
                        integration = %self.integration,
                        "the System Log start is before Okta's 90-day retention; starting at {retained}"
                    );
                    retained
                } else {
                    wanted
                };
                Ok((self.polling_url(since), None))
            }
        }
    }

    /// Records a gap and moves the cursor to the oldest retained events.
    async fn restart_after_gap(&self, from: Option<DateTime<Utc>>, reason: &str) -> Result<(), PollError> {
        let now = Utc::now();
        let to = Self::retention_start(now);
        tracing::warn!(integration = %self.integration, ?from, %to, reason, "System Log gap");
        self.store.record_log_gap(&self.stream(), from, to, reason).await?;
        let batch = EventBatch {
            cursor: Some(CursorUpdate { stream: self.stream(), cursor: self.polling_url(to) }),
            ..Default::default()
        };
        self.store.append_events(batch).await?;
        Ok(())
    }

    /// Fetches and stores one page.
    pub async fn poll_page(&self) -> Result<PageReport, PollError> {
        let started = std::time::Instant::now();
        let (url, stored_newest) = self.next_url().await?;
        let page = match self.client.get_page(&url).await {
            Ok(page) => page,
            // A cursor Okta no longer accepts (expired, from another org): start again from
            // what Okta still has, and say what may be missing.
            Err(e) if matches!(e.kind(), OktaErrorKind::Rejected { .. }) && url.contains("after=") => {
                let last = self.store.log_cursor(&self.stream()).await?.and_then(|c| c.last_time);
                self.restart_after_gap(last, &format!("Okta refused the stored cursor: {e}")).await?;
                return Ok(PageReport { full: true, ..Default::default() });
            }
            Err(e) => return Err(e.into()),
        };
        // Okta always sends `next` for a polling query; without one, ask the same again.
        let next = page.next.clone().unwrap_or(url);
        let received = page.items.len() as u64;
        let full = page.items.len() >= PAGE_LIMIT;
        let mut batch =
            EventBatch { cursor: Some(CursorUpdate { stream: self.stream(), cursor: next }), ..Default::default() };
        let org = self.client.org_url().to_string();
        let mut newest = stored_newest;
        for item in page.items {
            let raw = match serde_json::value::to_raw_value(&item) {
                Ok(raw) => raw,
                Err(e) => {
                    batch.rejected.push(self.rejected(item.to_string(), e.to_string()));
                    continue;
                }
            };
            match activity::normalize(activity::Source::Okta, &raw) {
                Ok(mut event) => {
                    newest = newest.max(Some(event.time));
                    event.tenant = Some(org.clone());
                    batch.events.push(self.people.new_event(event, Some(&self.integration)));
                }
                Err(e) => batch.rejected.push(self.rejected(raw.get().to_string(), e.to_string())),
            }
        }
        let stored = self.store.append_events(batch).await?;
        crate::telemetry::stored(activity::Source::Okta.as_str(), &stored);
        crate::telemetry::polled("okta", &self.integration, started.elapsed(), newest);
        Ok(PageReport {
            received,
            inserted: stored.inserted,
            duplicates: stored.duplicates,
            rejected: stored.rejected,
            full,
        })
    }

    fn rejected(&self, raw: String, reason: String) -> RejectedEvent {
        tracing::warn!(integration = %self.integration, %reason, "a System Log event could not be normalised; kept in rejected_events");
        RejectedEvent { source: "okta".into(), stream: Some(self.stream()), reason, raw }
    }

    /// Polls until caught up (a page that is not full) or until `stop` turns true; the page in
    /// hand is always finished. `on_page` sees each page's report.
    pub async fn catch_up(
        &self,
        stop: &watch::Receiver<bool>,
        mut on_page: impl FnMut(&PageReport),
    ) -> Result<PageReport, PollError> {
        let mut total = PageReport::default();
        loop {
            let page = self.poll_page().await?;
            on_page(&page);
            total += page;
            if !page.full || *stop.borrow() {
                return Ok(total);
            }
        }
    }
}
