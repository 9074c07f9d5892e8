/*!
Investigate: one person's (or anyone's) activity across sources — a timeline with filters and
paging, facets, and the places they signed in from — for the web UI and the HTTP API.

Everything here is PostgreSQL-dialect SQL over `events` run through [`Store::query`], so it
answers the same on both backends and shows users the SQL they could run themselves
([`EventFilter::where_clause`]). Values are written as SQL literals, quoted; nothing a caller
passes is spliced in unquoted.

Paging is by key, newest first: a page's `next` cursor is the `(time, seq)` of its last event,
so pages stay stable while new events arrive.
*/

use crate::Store;
use crate::error::Error;
use crate::model::QueryLimits;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

/// Which events to look at. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFilter {
    /// The resolved person (an Okta login, lowercased).
    pub person: Option<String>,
    /// `okta`, `aws_cloudtrail`, `github`, `teleport`, ...
    pub sources: Vec<String>,
    /// Event types as the source names them.
    pub event_types: Vec<String>,
    /// The common categories (`authentication`, `mfa`, ...).
    pub categories: Vec<String>,
    /// `success`, `failure`, `unknown`.
    pub outcomes: Vec<String>,
    /// Client IPs.
    pub ips: Vec<String>,
    /// Countries.
    pub countries: Vec<String>,
    /// Text anywhere in the message, actor or event type (case-insensitive).
    pub text: Option<String>,
    /// From this time on (inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Before this time.
    pub until: Option<DateTime<Utc>>,
}

/// One event as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEvent {
    /// Store order.
    pub seq: i64,
    /// The source's id.
    pub uuid: String,
    /// RFC 3339.
    pub time: String,
    /// Where it came from.
    pub source: String,
    /// The source's type.
    pub event_type: String,
    /// The common category.
    pub category: String,
    /// `success`, `failure` or `unknown`.
    pub outcome: String,
    /// Who did it (login).
    pub actor: Option<String>,
    /// The person it resolved to.
    pub person: Option<String>,
    /// Client IP.
    pub ip: Option<String>,
    /// City, if known.
    pub city: Option<String>,
    /// Country, if known.
    pub country: Option<String>,
    /// The source's message or a summary.
    pub message: Option<String>,
    /// What it acted on.
    pub targets: Value,
}

/// A page of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelinePage {
    /// Newest first.
    pub events: Vec<TimelineEvent>,
    /// Pass to [`Store::timeline`] for the next (older) page; `None` on the last.
    pub next: Option<String>,
}

/// How many events have each value, the most frequent first.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Facets {
    /// Events matching the filter.
    pub total: u64,
    /// By source.
    pub sources: Vec<(String, u64)>,
    /// By event type.
    pub event_types: Vec<(String, u64)>,
    /// By outcome.
    pub outcomes: Vec<(String, u64)>,
    /// By client IP.
    pub ips: Vec<(String, u64)>,
    /// By country.
    pub countries: Vec<(String, u64)>,
    /// By app (targets that are apps).
    pub apps: Vec<(String, u64)>,
}

/// A place events came from, for the sign-in map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
    /// City, if known.
    pub city: Option<String>,
    /// Country, if known.
    pub country: Option<String>,
    /// Events from there.
    pub events: u64,
    /// Of which failed.
    pub failures: u64,
    /// First and last time seen (RFC 3339).
    pub first: String,
    /// Last time seen.
    pub last: String,
}

/// A SQL string literal.
/// A `LIKE`/`ILIKE` pattern matching any text that contains `text` literally.
pub(crate) fn contains_pattern(text: &str) -> String {
    format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

pub(crate) fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn time(at: DateTime<Utc>) -> String {
    quote(&at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

fn any_of(column: &str, values: &[String]) -> Option<String> {
    (!values.is_empty())
        .then(|| format!("{column} IN ({})", values.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ")))
}

impl EventFilter {
    /// The filter as a SQL condition over `events` (`TRUE` when it filters nothing).
    pub fn where_clause(&self) -> String {
        let mut conditions: Vec<String> = Vec::new();
        if let Some(person) = &self.person {
            conditions.push(format!("person = {}", quote(&person.to_lowercase())));
        }
        conditions.extend(any_of("source", &self.sources));
        conditions.extend(any_of("event_type", &self.event_types));
        conditions.extend(any_of("category", &self.categories));
        conditions.extend(any_of("outcome", &self.outcomes));
        conditions.extend(any_of("ip", &self.ips));
        conditions.extend(any_of("country", &self.countries));
        if let Some(text) = self.text.as_deref().filter(|t| !t.is_empty()) {
            let pattern = quote(&contains_pattern(text));
            conditions.push(format!(
                "(message ILIKE {pattern} OR actor ILIKE {pattern} OR event_type ILIKE {pattern} OR person ILIKE {pattern})"
            ));
        }
        if let Some(since) = self.since {
            conditions.push(format!("time >= {}", time(since)));
        }
        if let Some(until) = self.until {
            conditions.push(format!("time < {}", time(until)));
        }
        if conditions.is_empty() { "TRUE".to_string() } else { conditions.join(" AND ") }
    }
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn count(v: &Value) -> u64 {
    v.as_u64().or_else(|| v.as_f64().map(|f| f as u64)).unwrap_or(0)
}

/// Internal queries are the store's own: a generous time limit, and they never truncate silently.
fn limits(rows: usize) -> QueryLimits {
    QueryLimits { timeout: std::time::Duration::from_secs(30), max_rows: rows.max(1) }
}

impl Store {
    /// A page of events matching `filter`, newest first. `cursor` is the previous page's `next`.
    pub async fn timeline(
        &self,
        filter: &EventFilter,
        page_size: usize,
        cursor: Option<&str>,
    ) -> Result<TimelinePage, Error> {
        let page_size = page_size.clamp(1, 1000);
        let mut condition = filter.where_clause();
        if let Some(cursor) = cursor {
            let (at, seq) = cursor
                .rsplit_once('|')
                .and_then(|(at, seq)| Some((at, seq.parse::<i64>().ok()?)))
                .ok_or_else(|| Error::invalid(format!("{cursor:?} is not a timeline cursor")))?;
            let at = quote(at);
            condition = format!("({condition}) AND (time < {at} OR (time = {at} AND seq < {seq}))");
        }
        let sql = format!(
            "SELECT seq, uuid, time, source, event_type, category, outcome, actor, person, ip, city, country, message, \
             targets FROM events WHERE {condition} ORDER BY time DESC, seq DESC LIMIT {}",
            page_size + 1
        );
        let mut rows = self.query(&sql, limits(page_size + 1)).await?.rows;
        let more = rows.len() > page_size;
        rows.truncate(page_size);
        let events: Vec<TimelineEvent> = rows
            .into_iter()
            .map(|r| TimelineEvent {
                seq: r[0].as_i64().unwrap_or_default(),
                uuid: text(&r[1]).unwrap_or_default(),
                time: text(&r[2]).unwrap_or_default(),
                source: text(&r[3]).unwrap_or_default(),
                event_type: text(&r[4]).unwrap_or_default(),
                category: text(&r[5]).unwrap_or_default(),
                outcome: text(&r[6]).unwrap_or_default(),
                actor: text(&r[7]),
                person: text(&r[8]),
                ip: text(&r[9]),
                city: text(&r[10]),
                country: text(&r[11]),
                message: text(&r[12]),
                targets: r[13].clone(),
            })
            .collect();
        let next = more.then(|| events.last().map(|e| format!("{}|{}", e.time, e.seq))).flatten();
        Ok(TimelinePage { events, next })
    }

    /// The most frequent values (`top` of each) among the events matching `filter`.
    pub async fn facets(&self, filter: &EventFilter, top: usize) -> Result<Facets, Error> {
        let top = top.clamp(1, 100);
        let condition = filter.where_clause();
        let total = self.query(&format!("SELECT count(*) FROM events WHERE {condition}"), limits(1)).await?.rows;
        let mut facets = Facets { total: total.first().map_or(0, |r| count(&r[0])), ..Default::default() };
        let by = |column: &str| {
            format!(
                "SELECT {column}, count(*) AS n FROM events WHERE ({condition}) AND {column} IS NOT NULL \
                 GROUP BY {column} ORDER BY n DESC, {column} LIMIT {top}"
            )
        };
        for (column, into) in [
            ("source", &mut facets.sources),
            ("event_type", &mut facets.event_types),
            ("outcome", &mut facets.outcomes),
            ("ip", &mut facets.ips),
            ("country", &mut facets.countries),
        ] {
            let rows = self.query(&by(column), limits(top)).await?.rows;
            *into = rows.iter().map(|r| (text(&r[0]).unwrap_or_default(), count(&r[1]))).collect();
        }
        // Okta names app targets `AppInstance`; other sources' normalisers say `app`.
        let apps = format!(
            "SELECT t ->> 'name' AS app, count(*) AS n FROM events e, jsonb_array_elements(e.targets) AS t \
             WHERE ({condition}) AND t ->> 'kind' IN ('AppInstance', 'app', 'application') AND t ->> 'name' IS NOT NULL \
             GROUP BY t ->> 'name' ORDER BY n DESC, app LIMIT {top}"
        );
        let rows = self.query(&apps, limits(top)).await?.rows;
        facets.apps = rows.iter().map(|r| (text(&r[0]).unwrap_or_default(), count(&r[1]))).collect();
        Ok(facets)
    }

    /// Where the events matching `filter` came from (those with coordinates), for a map.
    pub async fn places(&self, filter: &EventFilter) -> Result<Vec<Place>, Error> {
        let sql = format!(
            "SELECT latitude, longitude, min(city), min(country), count(*), \
             count(*) FILTER (WHERE outcome = 'failure'), min(time), max(time) FROM events \
             WHERE ({}) AND latitude IS NOT NULL AND longitude IS NOT NULL \
             GROUP BY latitude, longitude ORDER BY count(*) DESC, latitude, longitude LIMIT 1000",
            filter.where_clause()
        );
        let rows = self.query(&sql, limits(1000)).await?.rows;
        Ok(rows
            .iter()
            .map(|r| Place {
                latitude: r[0].as_f64().unwrap_or_default(),
                longitude: r[1].as_f64().unwrap_or_default(),
                city: text(&r[2]),
                country: text(&r[3]),
                events: count(&r[4]),
                failures: count(&r[5]),
                first: text(&r[6]).unwrap_or_default(),
                last: text(&r[7]).unwrap_or_default(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_and_patterns_escaped() {
        let filter = EventFilter {
            person: Some("O'Brien@Acme.com".into()),
            outcomes: vec!["failure".into()],
            text: Some("50%_off".into()),
            ..Default::default()
        };
        assert_eq!(
            filter.where_clause(),
            "person = 'o''brien@acme.com' AND outcome IN ('failure') AND (message ILIKE '%50\\%\\_off%' OR \
             actor ILIKE '%50\\%\\_off%' OR event_type ILIKE '%50\\%\\_off%' OR person ILIKE '%50\\%\\_off%')"
        );
        assert_eq!(EventFilter::default().where_clause(), "TRUE");
    }
}
