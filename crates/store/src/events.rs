//! Events and log cursors on SQLite.
//!
//! A page of events and the cursor that follows it are written in one transaction: after a
//! crash the poller resumes from a cursor that matches exactly the events stored, so nothing is
//! lost, and the `(source, uuid)` key keeps a page read twice from being stored twice.

use crate::error::Error;
use crate::model::{AppendOutcome, EventBatch, LogCursor, OktaPerson};
use crate::sqlite::{parse_timestamp, timestamp};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

/// The columns of `events` a new row fills, in order (`seq` is assigned).
pub(crate) const COLUMNS: &str = "source, uuid, time, event_type, category, outcome, outcome_reason, severity, \
     actor_id, actor_kind, actor, actor_name, person, targets, ip, city, state, country, latitude, longitude, asn, \
     user_agent, session, message, tenant, integration, ocsf, raw, ingested_at";

/// The targets as a JSON array of `{id, kind, name}` objects (absent fields left out).
pub(crate) fn targets_json(event: &activity::Event) -> String {
    let targets: Vec<serde_json::Value> = event
        .targets
        .iter()
        .map(|t| {
            let mut object = serde_json::Map::new();
            for (key, value) in [("id", &t.id), ("kind", &t.kind), ("name", &t.name)] {
                if let Some(value) = value {
                    object.insert(key.into(), value.clone().into());
                }
            }
            serde_json::Value::Object(object)
        })
        .collect();
    serde_json::Value::Array(targets).to_string()
}

pub(crate) fn append(conn: &mut Connection, batch: &EventBatch, now: DateTime<Utc>) -> Result<AppendOutcome, Error> {
    let context = "cannot store events";
    let fail = |e| Error::sqlite(context, e);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
    let mut outcome = AppendOutcome::default();
    let ingested_at = timestamp(now);
    let mut last_time: Option<DateTime<Utc>> = None;
    {
        let mut insert = tx
            .prepare_cached(&format!(
                "INSERT INTO events ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, \
                 ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29) \
                 ON CONFLICT (source, uuid) DO NOTHING"
            ))
            .map_err(fail)?;
        for new in &batch.events {
            let e = &new.event;
            let location = e.location.clone().unwrap_or_default();
            let changed = insert
                .execute(params![
                    e.source.as_str(),
                    e.uuid,
                    timestamp(e.time),
                    e.event_type,
                    e.category,
                    e.outcome,
                    e.outcome_reason,
                    e.severity,
                    e.actor.id,
                    e.actor.kind,
                    e.actor.login,
                    e.actor.display_name,
                    new.person,
                    targets_json(e),
                    e.ip,
                    location.city,
                    location.state,
                    location.country,
                    location.latitude,
                    location.longitude,
                    e.asn,
                    e.user_agent,
                    e.session,
                    e.message,
                    e.tenant,
                    new.integration,
                    e.ocsf.get(),
                    e.raw.get(),
                    ingested_at,
                ])
                .map_err(fail)?;
            if changed == 1 {
                outcome.inserted += 1;
            } else {
                outcome.duplicates += 1;
            }
            last_time = last_time.max(Some(e.time));
        }
    }
    if !batch.rejected.is_empty() {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO rejected_events (source, stream, reason, raw, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(fail)?;
        for r in &batch.rejected {
            insert.execute(params![r.source, r.stream, r.reason, r.raw, ingested_at]).map_err(fail)?;
            outcome.rejected += 1;
        }
    }
    if let Some(cursor) = &batch.cursor {
        tx.execute(
            "INSERT INTO log_cursors (stream, cursor, events, last_time, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (stream) DO UPDATE SET cursor = excluded.cursor, events = log_cursors.events + excluded.events, \
             last_time = max(coalesce(log_cursors.last_time, ''), coalesce(excluded.last_time, '')), \
             updated_at = excluded.updated_at",
            params![cursor.stream, cursor.cursor, outcome.inserted as i64, last_time.map(timestamp), ingested_at],
        )
        .map_err(fail)?;
    }
    tx.commit().map_err(fail)?;
    Ok(outcome)
}

pub(crate) fn cursor(conn: &Connection, stream: &str) -> Result<Option<LogCursor>, Error> {
    let row = conn
        .query_row(
            "SELECT stream, cursor, events, nullif(last_time, ''), updated_at FROM log_cursors WHERE stream = ?1",
            [stream],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                ))
            },
        )
        .optional()
        .map_err(|e| Error::sqlite("cannot read the log cursor", e))?;
    row.map(|(stream, cursor, events, last_time, updated_at)| {
        Ok(LogCursor {
            stream,
            cursor,
            events: events.max(0) as u64,
            last_time: last_time.as_deref().map(parse_timestamp).transpose()?,
            updated_at: parse_timestamp(&updated_at)?,
        })
    })
    .transpose()
}

pub(crate) fn record_gap(
    conn: &Connection,
    stream: &str,
    from: Option<DateTime<Utc>>,
    to: DateTime<Utc>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    conn.execute(
        "INSERT INTO log_gaps (stream, from_time, to_time, reason, detected_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![stream, from.map(timestamp), timestamp(to), reason, timestamp(now)],
    )
    .map_err(|e| Error::sqlite("cannot record a log gap", e))?;
    Ok(())
}

/// Okta users of every stored snapshot, for person resolution.
pub(crate) fn okta_people(conn: &Connection) -> Result<Vec<OktaPerson>, Error> {
    let mut stmt = conn
        .prepare(
            "SELECT json_extract(properties, '$.id'), json_extract(properties, '$.profile.login'), \
             json_extract(properties, '$.profile.email') FROM nodes WHERE sub_kind = 'okta_user'",
        )
        .map_err(|e| Error::sqlite("cannot read Okta users", e))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?, r.get(2)?)))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|e| Error::sqlite("cannot read Okta users", e))?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, login, email)| Some(OktaPerson { okta_id: id?, login: login?, email }))
        .collect())
}
