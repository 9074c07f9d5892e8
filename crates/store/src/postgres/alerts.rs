//! Detections' side of the store on PostgreSQL (see `crate::alerts`). Writers of alerts take one
//! transaction-scoped advisory lock, so grouping a signal into an open alert never races another
//! writer of the same alert.

use super::pg_error;
use crate::alerts::{
    Alert, AlertChange, AlertDetail, AlertFilter, AlertHistoryEntry, DeliveryResult, DetectionBatch, Notification,
    SEVERITIES, STORED_EVENT_COLUMNS, StatusChange, UserFactsRow, WebhookRoute, combine_user_facts, parse_targets,
    severity_rank, validate_status_change,
};
use crate::error::Error;
use crate::model::StoredEvent;
use crate::sqlite::{parse_timestamp, timestamp};
use chrono::{DateTime, Utc};
use tokio_postgres::types::{Json, ToSql};
use tokio_postgres::{Client, GenericClient, Row};

/// The advisory lock alert writers share (an arbitrary constant).
const ALERTS_LOCK: i64 = 0x5167_6874_616c_7274;

/// `STORED_EVENT_COLUMNS` with the JSON columns read as text, prefixed with `prefix`.
fn event_columns(prefix: &str) -> String {
    STORED_EVENT_COLUMNS
        .split(", ")
        .map(|c| match c {
            "targets" | "raw" => format!("{prefix}{c}::text"),
            other => format!("{prefix}{other}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn stored_event(r: &Row) -> Result<StoredEvent, Error> {
    Ok(StoredEvent {
        seq: r.get(0),
        source: r.get(1),
        uuid: r.get(2),
        time: parse_timestamp(r.get(3))?,
        event_type: r.get(4),
        category: r.get(5),
        outcome: r.get(6),
        outcome_reason: r.get(7),
        severity: r.get(8),
        actor_id: r.get(9),
        actor_kind: r.get(10),
        actor: r.get(11),
        actor_name: r.get(12),
        person: r.get(13),
        targets: parse_targets(r.get(14)),
        ip: r.get(15),
        city: r.get(16),
        country: r.get(17),
        latitude: r.get(18),
        longitude: r.get(19),
        asn: r.get(20),
        user_agent: r.get(21),
        session: r.get(22),
        message: r.get(23),
        raw: r.get(24),
    })
}

pub(super) async fn events_page(
    client: &Client,
    after: i64,
    upto: Option<i64>,
    since: Option<DateTime<Utc>>,
    limit: usize,
) -> Result<Vec<StoredEvent>, Error> {
    let rows = client
        .query(
            &format!(
                "SELECT {} FROM events WHERE seq > $1 AND seq <= $2 AND time >= $3 ORDER BY seq LIMIT $4",
                event_columns("")
            ),
            &[&after, &upto.unwrap_or(i64::MAX), &since.map(timestamp).unwrap_or_default(), &(limit as i64)],
        )
        .await
        .map_err(|e| pg_error("cannot read events for detection", e))?;
    rows.iter().map(stored_event).collect()
}

pub(super) async fn first_seq_since(client: &Client, since: DateTime<Utc>) -> Result<Option<i64>, Error> {
    let row = client
        .query_one("SELECT min(seq) FROM events WHERE time >= $1", &[&timestamp(since)])
        .await
        .map_err(|e| pg_error("cannot find where to replay from", e))?;
    Ok(row.get(0))
}

pub(super) async fn last_seq(client: &Client) -> Result<i64, Error> {
    let row = client
        .query_one("SELECT coalesce(max(seq), 0)::bigint FROM events", &[])
        .await
        .map_err(|e| pg_error("cannot read the newest event", e))?;
    Ok(row.get(0))
}

pub(super) async fn graph_version(client: &Client) -> Result<Option<i64>, Error> {
    let row = client
        .query_one("SELECT max(id) FROM sync_runs WHERE kind = 'resources' AND status = 'succeeded'", &[])
        .await
        .map_err(|e| pg_error("cannot read the latest scan", e))?;
    Ok(row.get(0))
}

pub(super) async fn detector_cursor(client: &Client, detector: &str) -> Result<Option<i64>, Error> {
    let row = client
        .query_opt("SELECT seq FROM detector_cursors WHERE name = $1", &[&detector])
        .await
        .map_err(|e| pg_error("cannot read the detector's position", e))?;
    Ok(row.map(|r| r.get(0)))
}

pub(super) async fn last_sign_ins(client: &Client, upto: i64) -> Result<Vec<(String, DateTime<Utc>)>, Error> {
    let rows = client
        .query(
            "SELECT actor_id, max(time) FROM events WHERE event_type IN ('user.session.start', \
             'user.authentication.sso') AND source = 'okta' AND outcome = 'success' AND seq <= $1 \
             AND actor_id IS NOT NULL GROUP BY actor_id",
            &[&upto],
        )
        .await
        .map_err(|e| pg_error("cannot read sign-in history", e))?;
    rows.iter().map(|r| Ok((r.get(0), parse_timestamp(r.get(1))?))).collect()
}

pub(super) async fn user_facts(client: &Client) -> Result<Vec<UserFactsRow>, Error> {
    let fail = |e| pg_error("cannot read Okta users for detections", e);
    let users = client
        .query(
            "SELECT id, coalesce(properties ->> 'id', id), name, properties ->> 'created', properties ->> 'lastLogin' \
             FROM nodes WHERE sub_kind = 'okta_user'",
            &[],
        )
        .await
        .map_err(fail)?;
    let power = client
        .query(
            "SELECT identity_id, action, count(DISTINCT resource_id) FROM access_path \
             WHERE action <> 'member' GROUP BY identity_id, action",
            &[],
        )
        .await
        .map_err(fail)?;
    Ok(combine_user_facts(
        users.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))),
        power.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect(),
    ))
}

const ALERT_COLUMNS: &str = "id, rule_id, title, severity, status, entity_kind, entity, person, actor_id, first_seen, \
     last_seen, count, summary, details, created_at, updated_at";

fn alert_row(r: &Row) -> Result<Alert, Error> {
    Ok(Alert {
        id: r.get(0),
        rule_id: r.get(1),
        title: r.get(2),
        severity: r.get(3),
        status: r.get(4),
        entity_kind: r.get(5),
        entity: r.get(6),
        person: r.get(7),
        actor_id: r.get(8),
        first_seen: parse_timestamp(r.get(9))?,
        last_seen: parse_timestamp(r.get(10))?,
        count: r.get(11),
        summary: r.get(12),
        details: r.get::<_, Json<serde_json::Value>>(13).0,
        created_at: parse_timestamp(r.get(14))?,
        updated_at: parse_timestamp(r.get(15))?,
    })
}

async fn alert_by_id(client: &impl GenericClient, id: i64) -> Result<Option<Alert>, Error> {
    let row = client
        .query_opt(&format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = $1"), &[&id])
        .await
        .map_err(|e| pg_error("cannot read the alert", e))?;
    row.as_ref().map(alert_row).transpose()
}

async fn enqueue(
    tx: &impl GenericClient,
    alert_id: i64,
    severity: &str,
    state: &str,
    webhooks: &[WebhookRoute],
    now: &str,
) -> Result<(), tokio_postgres::Error> {
    for hook in webhooks.iter().filter(|h| severity_rank(severity) >= severity_rank(&h.min_severity)) {
        tx.execute(
            "INSERT INTO notifications (alert_id, webhook, state, delivery, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, 'pending', $4, $4) ON CONFLICT (webhook, alert_id, state) DO NOTHING",
            &[&alert_id, &hook.name, &state, &now],
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn record_detections(
    client: &mut Client,
    batch: &DetectionBatch,
    now: DateTime<Utc>,
) -> Result<Vec<AlertChange>, Error> {
    let fail = |e| pg_error("cannot store alerts", e);
    let now = timestamp(now);
    let tx = client.transaction().await.map_err(fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&ALERTS_LOCK]).await.map_err(fail)?;
    let mut changes = Vec::with_capacity(batch.signals.len());
    for signal in &batch.signals {
        let open = tx
            .query_opt(
                "SELECT id, severity, status, last_seen FROM alerts WHERE rule_id = $1 AND entity_kind = $2 \
                 AND entity = $3 AND status IN ('open', 'acknowledged') ORDER BY id DESC LIMIT 1",
                &[&signal.rule_id, &signal.entity_kind, &signal.entity],
            )
            .await
            .map_err(fail)?;
        let window = chrono::Duration::from_std(signal.group_window).unwrap_or(chrono::Duration::MAX);
        let joinable = match &open {
            Some(row) => {
                let last_seen = parse_timestamp(row.get(3))?;
                signal.time.checked_sub_signed(window).is_none_or(|start| last_seen >= start)
            }
            None => false,
        };
        let time = timestamp(signal.time);
        let change = match open.filter(|_| joinable) {
            Some(row) => {
                let (id, severity, status): (i64, String, String) = (row.get(0), row.get(1), row.get(2));
                let raised = severity_rank(&signal.severity) > severity_rank(&severity);
                if raised {
                    tx.execute(
                        "UPDATE alerts SET severity = $2, summary = $3, details = $4 WHERE id = $1",
                        &[&id, &signal.severity, &signal.summary, &Json(&signal.details)],
                    )
                    .await
                    .map_err(fail)?;
                    tx.execute(
                        "INSERT INTO alert_history (alert_id, at, actor, from_status, to_status, severity, reason) \
                         VALUES ($1, $2, 'sightline', $3, $3, $4, $5)",
                        &[&id, &now, &status, &signal.severity, &format!("severity raised: {}", signal.summary)],
                    )
                    .await
                    .map_err(fail)?;
                    let state = format!("severity:{}", signal.severity);
                    enqueue(&tx, id, &signal.severity, &state, &batch.webhooks, &now).await.map_err(fail)?;
                }
                AlertChange { alert_id: id, opened: false, raised_to: raised.then(|| signal.severity.clone()) }
            }
            None => {
                let window_secs = signal.group_window.as_secs() as i64;
                let values: [&(dyn ToSql + Sync); 12] = [
                    &signal.rule_id,
                    &signal.title,
                    &signal.severity,
                    &signal.entity_kind,
                    &signal.entity,
                    &signal.person,
                    &signal.actor_id,
                    &time,
                    &signal.summary,
                    &Json(&signal.details),
                    &window_secs,
                    &now,
                ];
                let row = tx
                    .query_one(
                        "INSERT INTO alerts (rule_id, title, severity, status, entity_kind, entity, person, actor_id, \
                         first_seen, last_seen, count, summary, details, group_window, created_at, updated_at) \
                         VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $8, 0, $9, $10, $11, $12, $12) RETURNING id",
                        &values,
                    )
                    .await
                    .map_err(fail)?;
                let id: i64 = row.get(0);
                tx.execute(
                    "INSERT INTO alert_history (alert_id, at, actor, from_status, to_status, severity, reason) \
                     VALUES ($1, $2, 'sightline', NULL, 'open', $3, $4)",
                    &[&id, &now, &signal.severity, &signal.summary],
                )
                .await
                .map_err(fail)?;
                enqueue(&tx, id, &signal.severity, "opened", &batch.webhooks, &now).await.map_err(fail)?;
                AlertChange { alert_id: id, opened: true, raised_to: None }
            }
        };
        let linked = tx
            .query_one(
                "WITH added AS (INSERT INTO alert_events (alert_id, seq) SELECT $1, unnest($2::bigint[]) \
                 ON CONFLICT DO NOTHING RETURNING seq) \
                 SELECT count(*), min(e.time) FROM added a LEFT JOIN events e ON e.seq = a.seq",
                &[&change.alert_id, &signal.events],
            )
            .await
            .map_err(fail)?;
        let (added, earliest): (i64, Option<String>) = (linked.get(0), linked.get(1));
        tx.execute(
            "UPDATE alerts SET count = count + $2, last_seen = greatest(last_seen, $3), \
             first_seen = least(first_seen, coalesce($4, first_seen)), updated_at = $5 WHERE id = $1",
            &[&change.alert_id, &added, &time, &earliest, &now],
        )
        .await
        .map_err(fail)?;
        changes.push(change);
    }
    tx.execute(
        "INSERT INTO detector_cursors (name, seq, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at",
        &[&batch.detector, &batch.cursor, &now],
    )
    .await
    .map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    Ok(changes)
}

pub(super) async fn alerts(client: &Client, filter: &AlertFilter) -> Result<Vec<Alert>, Error> {
    let min_rank = filter.min_severity.as_deref().map_or(0, severity_rank);
    let severities: Vec<&str> = SEVERITIES.iter().copied().filter(|s| severity_rank(s) >= min_rank).collect();
    let statuses: Option<&Vec<String>> = (!filter.statuses.is_empty()).then_some(&filter.statuses);
    let rows = client
        .query(
            &format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE ($1::text[] IS NULL OR status = ANY($1)) \
                 AND severity = ANY($2) AND ($3::text IS NULL OR rule_id = $3) \
                 AND ($4::text IS NULL OR entity = $4 OR person = lower($4)) \
                 AND ($5::bigint IS NULL OR id < $5) ORDER BY id DESC LIMIT $6"
            ),
            &[&statuses, &severities, &filter.rule_id, &filter.entity, &filter.before_id, &(filter.limit as i64)],
        )
        .await
        .map_err(|e| pg_error("cannot list alerts", e))?;
    rows.iter().map(alert_row).collect()
}

pub(super) async fn alert_detail(client: &Client, id: i64) -> Result<Option<AlertDetail>, Error> {
    let Some(alert) = alert_by_id(client, id).await? else { return Ok(None) };
    let rows = client
        .query(
            "SELECT at, actor, from_status, to_status, severity, reason FROM alert_history \
             WHERE alert_id = $1 ORDER BY id",
            &[&id],
        )
        .await
        .map_err(|e| pg_error("cannot read the alert's history", e))?;
    let history = rows
        .iter()
        .map(|r| {
            Ok(AlertHistoryEntry {
                at: parse_timestamp(r.get(0))?,
                actor: r.get(1),
                from_status: r.get(2),
                to_status: r.get(3),
                severity: r.get(4),
                reason: r.get(5),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let rows = client
        .query(
            &format!(
                "SELECT {} FROM alert_events a JOIN events e ON e.seq = a.seq WHERE a.alert_id = $1 \
                 ORDER BY a.seq LIMIT $2",
                event_columns("e.")
            ),
            &[&id, &(AlertDetail::MAX_EVENTS as i64)],
        )
        .await
        .map_err(|e| pg_error("cannot read the alert's events", e))?;
    let events = rows.iter().map(stored_event).collect::<Result<Vec<_>, _>>()?;
    Ok(Some(AlertDetail { alert, history, events }))
}

pub(super) async fn set_status(
    client: &mut Client,
    id: i64,
    change: &StatusChange,
    webhooks: &[WebhookRoute],
    now: DateTime<Utc>,
) -> Result<Alert, Error> {
    validate_status_change(change)?;
    let fail = |e| pg_error("cannot change the alert's status", e);
    let now = timestamp(now);
    let tx = client.transaction().await.map_err(fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&ALERTS_LOCK]).await.map_err(fail)?;
    let Some(alert) = alert_by_id(&tx, id).await? else {
        return Err(Error::invalid(format!("there is no alert {id}")));
    };
    if alert.status == change.status {
        return Err(Error::invalid(format!("alert {id} is already {}", change.status)));
    }
    tx.execute("UPDATE alerts SET status = $2, updated_at = $3 WHERE id = $1", &[&id, &change.status, &now])
        .await
        .map_err(fail)?;
    let row = tx
        .query_one(
            "INSERT INTO alert_history (alert_id, at, actor, from_status, to_status, severity, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &[&id, &now, &change.by, &alert.status, &change.status, &alert.severity, &change.reason],
        )
        .await
        .map_err(fail)?;
    let state = format!("status:{}:{}", change.status, row.get::<_, i64>(0));
    enqueue(&tx, id, &alert.severity, &state, webhooks, &now).await.map_err(fail)?;
    let updated = alert_by_id(&tx, id).await?.ok_or_else(|| Error::database("the alert vanished"))?;
    tx.commit().await.map_err(fail)?;
    Ok(updated)
}

pub(super) async fn due_notifications(
    client: &Client,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Notification>, Error> {
    let rows = client
        .query(
            "SELECT id, webhook, state, attempts, alert_id FROM notifications WHERE delivery = 'pending' \
             AND next_attempt_at <= $1 ORDER BY id LIMIT $2",
            &[&timestamp(now), &(limit as i64)],
        )
        .await
        .map_err(|e| pg_error("cannot read pending notifications", e))?;
    let mut due = Vec::with_capacity(rows.len());
    for r in rows {
        if let Some(alert) = alert_by_id(client, r.get(4)).await? {
            due.push(Notification { id: r.get(0), webhook: r.get(1), state: r.get(2), attempts: r.get(3), alert });
        }
    }
    Ok(due)
}

pub(super) async fn record_delivery(
    client: &Client,
    id: i64,
    result: &DeliveryResult,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let now = timestamp(now);
    let outcome = match result {
        DeliveryResult::Sent => {
            client
                .execute(
                    "UPDATE notifications SET delivery = 'sent', attempts = attempts + 1, sent_at = $2, \
                     last_error = NULL WHERE id = $1",
                    &[&id, &now],
                )
                .await
        }
        DeliveryResult::Failed { error, retry_at: Some(at) } => {
            client
                .execute(
                    "UPDATE notifications SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 \
                     WHERE id = $1",
                    &[&id, error, &timestamp(*at)],
                )
                .await
        }
        DeliveryResult::Failed { error, retry_at: None } => {
            client
                .execute(
                    "UPDATE notifications SET delivery = 'failed', attempts = attempts + 1, last_error = $2 \
                     WHERE id = $1",
                    &[&id, error],
                )
                .await
        }
    };
    outcome.map(|_| ()).map_err(|e| pg_error("cannot record the delivery", e))
}
