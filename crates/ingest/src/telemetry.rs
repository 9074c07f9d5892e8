/*!
Metrics of the activity pipeline, through the `metrics` facade (nothing is recorded unless the
binary installs a recorder). Labels are bounded: the source (`okta`, `github`, `teleport`,
`aws_cloudtrail`) and the integration's configured name; never an actor, a URL or a token.
*/

use chrono::{DateTime, Utc};
use std::time::Duration;
use store::AppendOutcome;

/// Counter: events newly stored, by `source`.
pub const EVENTS_INGESTED: &str = "sightline_events_ingested_total";
/// Counter: events received again and left as stored, by `source`.
pub const EVENTS_DUPLICATE: &str = "sightline_events_duplicate_total";
/// Counter: records that could not be normalised (kept in `rejected_events`), by `source`.
pub const EVENTS_REJECTED: &str = "sightline_events_rejected_total";
/// Gauge: seconds between the newest stored event's time (Okta's `published`) and the end of the
/// latest poll, by `source` and `integration`. It grows while a quiet org sends nothing, too.
pub const LOG_LAG: &str = "sightline_log_lag_seconds";
/// Histogram: one poll of a log stream (a page asked for and stored), by `source` and `integration`.
pub const LOG_POLL_DURATION: &str = "sightline_log_poll_duration_seconds";

/// Describes this crate's metrics to the installed recorder (call once, after installing it).
pub fn describe_metrics() {
    metrics::describe_counter!(EVENTS_INGESTED, "Events newly stored, by source.");
    metrics::describe_counter!(EVENTS_DUPLICATE, "Events received again and left as stored, by source.");
    metrics::describe_counter!(EVENTS_REJECTED, "Records that could not be normalised, by source.");
    metrics::describe_gauge!(
        LOG_LAG,
        metrics::Unit::Seconds,
        "Seconds between the newest stored event of a log stream and its latest poll."
    );
    metrics::describe_histogram!(
        LOG_POLL_DURATION,
        metrics::Unit::Seconds,
        "Time to ask a log stream for one page and store it."
    );
}

/// Counts what one store transaction of `source` kept.
pub fn stored(source: &'static str, outcome: &AppendOutcome) {
    metrics::counter!(EVENTS_INGESTED, "source" => source).increment(outcome.inserted);
    metrics::counter!(EVENTS_DUPLICATE, "source" => source).increment(outcome.duplicates);
    metrics::counter!(EVENTS_REJECTED, "source" => source).increment(outcome.rejected);
}

/// Records one poll of a log stream: how long it took and how far behind its newest event is.
pub(crate) fn polled(source: &'static str, integration: &str, took: Duration, newest: Option<DateTime<Utc>>) {
    let labels = [("source", source.to_string()), ("integration", integration.to_string())];
    metrics::histogram!(LOG_POLL_DURATION, &labels).record(took.as_secs_f64());
    if let Some(newest) = newest {
        metrics::gauge!(LOG_LAG, &labels).set(lag_seconds(newest, Utc::now()));
    }
}

/// Seconds from `newest` to `now`; an event stamped in the future (clock skew) counts as no lag.
pub(crate) fn lag_seconds(newest: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    (now - newest).to_std().map_or(0.0, |lag| lag.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_is_the_age_of_the_newest_event_and_never_negative() {
        let now = DateTime::parse_from_rfc3339("2026-11-29T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(lag_seconds(now - chrono::Duration::milliseconds(2500), now), 2.5);
        assert_eq!(lag_seconds(now, now), 0.0);
        assert_eq!(lag_seconds(now + chrono::Duration::seconds(3), now), 0.0);
    }
}
