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
    #[derive(serde::Serialize)]
    struct TargetJson<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        kind: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<&'a str>,
    }
    let targets: Vec<TargetJson> = event
        .targets
        .iter()
        .map(|t| TargetJson { id: t.id.as_deref(), kind: t.kind.as_deref(), name: t.name.as_deref() })
        .collect();
    serde_json::to_string(&targets).expect("strings serialise as JSON")
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
                    e.ocsf.as_str(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_objects_without_absent_fields() {
        let okta = r#"{"uuid": "u1", "published": "2026-11-29T10:00:00Z", "eventType": "user.session.start"}"#;
        let raw = serde_json::value::RawValue::from_string(okta.into()).unwrap();
        let mut event = activity::normalize(activity::Source::Okta, &raw).unwrap();
        assert_eq!(targets_json(&event), "[]");
        event.targets = vec![
            activity::Target { id: Some("00u1".into()), kind: None, name: Some("a \"quoted\" name".into()) },
            activity::Target { id: None, kind: Some("AppInstance".into()), name: None },
            activity::Target::default(),
        ];
        assert_eq!(targets_json(&event), r#"[{"id":"00u1","name":"a \"quoted\" name"},{"kind":"AppInstance"},{}]"#);
    }
}
