//! Events and log cursors on PostgreSQL (see `crate::events`). Writers of events take one
//! transaction-scoped advisory lock, so `seq` order is commit order: a reader that follows `seq`
//! never skips an event that commits later with a smaller number.

use super::pg_error;
use super::snapshot::JsonText;
use crate::error::Error;
use crate::events::{COLUMNS, targets_json};
use crate::model::{AppendOutcome, EventBatch, LogCursor, OktaPerson};
use crate::sqlite::{parse_timestamp, timestamp};
use chrono::{DateTime, Utc};
use tokio_postgres::Client;
use tokio_postgres::types::ToSql;

/// The advisory lock event writers share (an arbitrary constant).
const EVENTS_LOCK: i64 = 0x5167_6874_6576_6e74;

pub(super) async fn append(
    client: &mut Client,
    batch: &EventBatch,
    now: DateTime<Utc>,
) -> Result<AppendOutcome, Error> {
    let fail = |e| pg_error("cannot store events", e);
    let tx = client.transaction().await.map_err(fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK]).await.map_err(fail)?;
    let placeholders: Vec<String> = (1..=29).map(|i| format!("${i}")).collect();
    let insert = tx
        .prepare(&format!(
            "INSERT INTO events ({COLUMNS}) VALUES ({}) ON CONFLICT (source, uuid) DO NOTHING",
            placeholders.join(", ")
        ))
        .await
        .map_err(fail)?;
    let ingested_at = timestamp(now);
    let mut outcome = AppendOutcome::default();
    let mut last_time: Option<DateTime<Utc>> = None;
    for new in &batch.events {
        let e = &new.event;
        let location = e.location.clone().unwrap_or_default();
        let targets = targets_json(e);
        let time = timestamp(e.time);
        let values: [&(dyn ToSql + Sync); 29] = [
            &e.source.as_str(),
            &e.uuid,
            &time,
            &e.event_type,
            &e.category,
            &e.outcome,
            &e.outcome_reason,
            &e.severity,
            &e.actor.id,
            &e.actor.kind,
            &e.actor.login,
            &e.actor.display_name,
            &new.person,
            &JsonText(&targets),
            &e.ip,
            &location.city,
            &location.state,
            &location.country,
            &location.latitude,
            &location.longitude,
            &e.asn,
            &e.user_agent,
            &e.session,
            &e.message,
            &e.tenant,
            &new.integration,
            &JsonText(e.ocsf.as_str()),
            &JsonText(e.raw.get()),
            &ingested_at,
        ];
        let changed = tx.execute(&insert, &values).await.map_err(fail)?;
        if changed == 1 {
            outcome.inserted += 1;
        } else {
            outcome.duplicates += 1;
        }
        last_time = last_time.max(Some(e.time));
    }
    for r in &batch.rejected {
        tx.execute(
            "INSERT INTO rejected_events (source, stream, reason, raw, received_at) VALUES ($1, $2, $3, $4, $5)",
            &[&r.source, &r.stream, &r.reason, &r.raw, &ingested_at],
        )
        .await
        .map_err(fail)?;
        outcome.rejected += 1;
    }
    if let Some(cursor) = &batch.cursor {
        tx.execute(
            "INSERT INTO log_cursors (stream, cursor, events, last_time, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (stream) DO UPDATE SET cursor = excluded.cursor, events = log_cursors.events + excluded.events, \
             last_time = greatest(log_cursors.last_time, excluded.last_time), updated_at = excluded.updated_at",
            &[&cursor.stream, &cursor.cursor, &(outcome.inserted as i64), &last_time.map(timestamp), &ingested_at],
        )
        .await
        .map_err(fail)?;
    }
    tx.commit().await.map_err(fail)?;
    Ok(outcome)
}

pub(super) async fn cursor(client: &Client, stream: &str) -> Result<Option<LogCursor>, Error> {
    let row = client
        .query_opt(
            "SELECT stream, cursor, events, last_time, updated_at FROM log_cursors WHERE stream = $1",
            &[&stream],
        )
        .await
        .map_err(|e| pg_error("cannot read the log cursor", e))?;
    row.map(|r| {
        Ok(LogCursor {
            stream: r.get(0),
            cursor: r.get(1),
            events: r.get::<_, i64>(2).max(0) as u64,
            last_time: r.get::<_, Option<&str>>(3).map(parse_timestamp).transpose()?,
            updated_at: parse_timestamp(r.get(4))?,
        })
    })
    .transpose()
}

pub(super) async fn record_gap(
    client: &Client,
    stream: &str,
    from: Option<DateTime<Utc>>,
    to: DateTime<Utc>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    client
        .execute(
            "INSERT INTO log_gaps (stream, from_time, to_time, reason, detected_at) VALUES ($1, $2, $3, $4, $5)",
            &[&stream, &from.map(timestamp), &timestamp(to), &reason, &timestamp(now)],
        )
        .await
        .map_err(|e| pg_error("cannot record a log gap", e))?;
    Ok(())
}

pub(super) async fn okta_people(client: &Client) -> Result<Vec<OktaPerson>, Error> {
    let rows = client
        .query(
            "SELECT properties ->> 'id', properties -> 'profile' ->> 'login', properties -> 'profile' ->> 'email' \
             FROM nodes WHERE sub_kind = 'okta_user'",
            &[],
        )
        .await
        .map_err(|e| pg_error("cannot read Okta users", e))?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(OktaPerson {
                okta_id: r.get::<_, Option<String>>(0)?,
                login: r.get::<_, Option<String>>(1)?,
                email: r.get(2),
            })
        })
        .collect())
}
