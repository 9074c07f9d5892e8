//! Detections' side of the store: events read back in `seq` order, alerts grouped from signals,
//! their history and status changes, the detector's cursor, webhook deliveries, and the graph
//! facts rules consult. The SQLite implementation; `postgres::alerts` mirrors it.

use crate::error::Error;
use crate::model::StoredEvent;
use crate::sqlite::{parse_timestamp, timestamp};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// Alert severities, lowest first (the detection engine's names).
pub const SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];

/// Alert statuses: `open` and `acknowledged` alerts still gather signals; `resolved` and `closed`
/// ones do not (a new signal opens a new alert).
pub const STATUSES: [&str; 4] = ["open", "acknowledged", "resolved", "closed"];

/// The rank of a severity name (unknown names rank lowest).
pub fn severity_rank(severity: &str) -> usize {
    SEVERITIES.iter().position(|s| *s == severity).unwrap_or(0)
}

/// What a detection found, to become or join an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSignal {
    /// The rule's id.
    pub rule_id: String,
    /// The rule's title.
    pub title: String,
    /// One of [`SEVERITIES`].
    pub severity: String,
    /// What the alert is about: `user`, `ip`, `session`...
    pub entity_kind: String,
    /// The user's login, the address...
    pub entity: String,
    /// The person it concerns.
    pub person: Option<String>,
    /// The Okta user id whose power matters.
    pub actor_id: Option<String>,
    /// When the triggering event happened.
    pub time: DateTime<Utc>,
    /// The `seq` of every event behind it.
    pub events: Vec<i64>,
    /// One line for people.
    pub summary: String,
    /// Details for the analyst.
    pub details: Value,
    /// Signals for the same rule and entity within this long of the alert's last one join it.
    pub group_window: Duration,
}

/// A webhook alerts are sent to, as far as the store needs to know it (never its URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRoute {
    /// The webhook's name in the config.
    pub name: String,
    /// Alerts below this severity are not sent.
    pub min_severity: String,
}

/// What one pass of the detector writes, in one transaction with its new position.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectionBatch {
    /// The detector's name (its cursor's key).
    pub detector: String,
    /// The signals raised by the events up to `cursor`.
    pub signals: Vec<NewSignal>,
    /// The `seq` of the last event evaluated.
    pub cursor: i64,
    /// Where new alert states are to be sent.
    pub webhooks: Vec<WebhookRoute>,
}

/// How a signal changed the alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertChange {
    /// The alert it became or joined.
    pub alert_id: i64,
    /// Whether it opened a new alert.
    pub opened: bool,
    /// The alert's new severity, if the signal raised it.
    pub raised_to: Option<String>,
}

/// One alert (a row of `alerts`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Alert {
    /// Its id.
    pub id: i64,
    /// The rule that raised it.
    pub rule_id: String,
    /// The rule's title.
    pub title: String,
    /// Its severity (the highest of its signals).
    pub severity: String,
    /// One of [`STATUSES`].
    pub status: String,
    /// What it is about.
    pub entity_kind: String,
    /// Which one.
    pub entity: String,
    /// The person it concerns.
    pub person: Option<String>,
    /// The Okta user id whose power matters.
    pub actor_id: Option<String>,
    /// Its earliest event.
    pub first_seen: DateTime<Utc>,
    /// Its latest event.
    pub last_seen: DateTime<Utc>,
    /// How many events are behind it.
    pub count: i64,
    /// What the first signal said (or the one that raised its severity).
    pub summary: String,
    /// Details: the rule's own, and the actor's graph context (admin roles, apps reached).
    pub details: Value,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One change of an alert: opened, severity raised, or status changed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlertHistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (`sightline` for the detector, else the person who changed it).
    pub actor: String,
    /// The status before (none when opened).
    pub from_status: Option<String>,
    /// The status after.
    pub to_status: String,
    /// The severity after.
    pub severity: String,
    /// Why.
    pub reason: String,
}

/// An alert with its history and the events behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertDetail {
    /// The alert.
    pub alert: Alert,
    /// Its changes, oldest first.
    pub history: Vec<AlertHistoryEntry>,
    /// Its events in `seq` order (at most the first [`AlertDetail::MAX_EVENTS`]).
    pub events: Vec<StoredEvent>,
}

impl AlertDetail {
    /// How many events a detail carries at most.
    pub const MAX_EVENTS: usize = 1000;
}

/// Which alerts to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertFilter {
    /// Only these statuses (all when empty).
    pub statuses: Vec<String>,
    /// Only at least this severity.
    pub min_severity: Option<String>,
    /// Only this rule.
    pub rule_id: Option<String>,
    /// Only this entity value (or person).
    pub entity: Option<String>,
    /// Only alerts with a smaller id (paging, newest first).
    pub before_id: Option<i64>,
    /// At most this many.
    pub limit: usize,
}

impl Default for AlertFilter {
    fn default() -> Self {
        AlertFilter {
            statuses: Vec::new(),
            min_severity: None,
            rule_id: None,
            entity: None,
            before_id: None,
            limit: 100,
        }
    }
}

/// A status change asked for by someone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// One of [`STATUSES`].
    pub status: String,
    /// Who asks.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// A webhook delivery that is due.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Its id.
    pub id: i64,
    /// The webhook's name.
    pub webhook: String,
    /// The alert state it announces (`opened`, `severity:high`, `status:acknowledged:12`).
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// The alert as it is now.
    pub alert: Alert,
}

/// How a delivery attempt went.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryResult {
    /// Delivered.
    Sent,
    /// Failed; try again at `retry_at`, or give up when `None`.
    Failed {
        /// Why (never holding the webhook's URL).
        error: String,
        /// When to try again.
        retry_at: Option<DateTime<Utc>>,
    },
}

/// What the graph says about one Okta user, for detections.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserFactsRow {
    /// The Okta user id.
    pub okta_id: String,
    /// The login.
    pub login: String,
    /// When the account was created.
    pub created: Option<DateTime<Utc>>,
    /// Okta's `lastLogin`.
    pub last_login: Option<DateTime<Utc>>,
    /// Admin roles held (labels), directly or through groups, even while the account is locked.
    pub admin_roles: Vec<String>,
    /// Apps assigned, directly or through groups, even while the account is locked.
    pub apps_reached: u64,
}

fn parse_optional_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc))
}

/// `targets` JSON (`[{id, kind, name}]`) back into targets.
pub(crate) fn parse_targets(text: &str) -> Vec<activity::Target> {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else { return Vec::new() };
    let field = |item: &Value, key: &str| item.get(key).and_then(Value::as_str).map(str::to_string);
    items
        .iter()
        .map(|item| activity::Target { id: field(item, "id"), kind: field(item, "kind"), name: field(item, "name") })
        .collect()
}

/// The columns of `events` a [`StoredEvent`] reads, in order.
pub(crate) const STORED_EVENT_COLUMNS: &str = "seq, source, uuid, time, event_type, category, outcome, \
     outcome_reason, severity, actor_id, actor_kind, actor, actor_name, person, targets, ip, city, country, latitude, \
     longitude, asn, user_agent, session, message, raw";

fn stored_event(r: &Row<'_>) -> rusqlite::Result<StoredEvent> {
    let targets: String = r.get(14)?;
    Ok(StoredEvent {
        seq: r.get(0)?,
        source: r.get(1)?,
        uuid: r.get(2)?,
        time: time_at(r, 3)?,
        event_type: r.get(4)?,
        category: r.get(5)?,
        outcome: r.get(6)?,
        outcome_reason: r.get(7)?,
        severity: r.get(8)?,
        actor_id: r.get(9)?,
        actor_kind: r.get(10)?,
        actor: r.get(11)?,
        actor_name: r.get(12)?,
        person: r.get(13)?,
        targets: parse_targets(&targets),
        ip: r.get(15)?,
        city: r.get(16)?,
        country: r.get(17)?,
        latitude: r.get(18)?,
        longitude: r.get(19)?,
        asn: r.get(20)?,
        user_agent: r.get(21)?,
        session: r.get(22)?,
        message: r.get(23)?,
        raw: r.get(24)?,
    })
}

fn collect_events(
    stmt: &mut rusqlite::Statement<'_>,
    params: impl rusqlite::Params,
    context: &str,
) -> Result<Vec<StoredEvent>, Error> {
    stmt.query_map(params, stored_event)
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|e| Error::sqlite(context, e))
}

/// Events with `after < seq <= upto` (no upper bound when `upto` is `None`) and, when `since` is
/// given, `time >= since`; in `seq` order, at most `limit`.
pub(crate) fn events_page(
    conn: &Connection,
    after: i64,
    upto: Option<i64>,
    since: Option<DateTime<Utc>>,
    limit: usize,
) -> Result<Vec<StoredEvent>, Error> {
    let context = "cannot read events for detection";
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {STORED_EVENT_COLUMNS} FROM events WHERE seq > ?1 AND seq <= ?2 AND time >= ?3 ORDER BY seq LIMIT ?4"
        ))
        .map_err(|e| Error::sqlite(context, e))?;
    let since = since.map(timestamp).unwrap_or_default();
    collect_events(&mut stmt, params![after, upto.unwrap_or(i64::MAX), since, limit as i64], context)
}

/// The smallest `seq` of an event at or after `since` (the replay's start), if any.
pub(crate) fn first_seq_since(conn: &Connection, since: DateTime<Utc>) -> Result<Option<i64>, Error> {
    conn.query_row("SELECT min(seq) FROM events WHERE time >= ?1", [timestamp(since)], |r| r.get(0))
        .map_err(|e| Error::sqlite("cannot find where to replay from", e))
}

/// The newest `seq` stored (0 when there are no events).
pub(crate) fn last_seq(conn: &Connection) -> Result<i64, Error> {
    conn.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))
        .map_err(|e| Error::sqlite("cannot read the newest event", e))
}

/// The id of the latest successful resource scan (a new one means the graph changed).
pub(crate) fn graph_version(conn: &Connection) -> Result<Option<i64>, Error> {
    conn.query_row("SELECT max(id) FROM sync_runs WHERE kind = 'resources' AND status = 'succeeded'", [], |r| r.get(0))
        .map_err(|e| Error::sqlite("cannot read the latest scan", e))
}

/// The detector's position.
pub(crate) fn detector_cursor(conn: &Connection, detector: &str) -> Result<Option<i64>, Error> {
    conn.query_row("SELECT seq FROM detector_cursors WHERE name = ?1", [detector], |r| r.get(0))
        .optional()
        .map_err(|e| Error::sqlite("cannot read the detector's position", e))
}

/// The last successful Okta sign-in per actor id among events up to `upto`.
pub(crate) fn last_sign_ins(conn: &Connection, upto: i64) -> Result<Vec<(String, DateTime<Utc>)>, Error> {
    let context = "cannot read sign-in history";
    let mut stmt = conn
        .prepare(
            "SELECT actor_id, max(time) FROM events WHERE event_type IN ('user.session.start', \
             'user.authentication.sso') AND source = 'okta' AND outcome = 'success' AND seq <= ?1 \
             AND actor_id IS NOT NULL GROUP BY actor_id",
        )
        .map_err(|e| Error::sqlite(context, e))?;
    let rows = stmt
        .query_map([upto], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|e| Error::sqlite(context, e))?;
    rows.into_iter().map(|(id, time)| Ok((id, parse_timestamp(&time)?))).collect()
}

/// Facts about every Okta user of every snapshot.
pub(crate) fn user_facts(conn: &Connection) -> Result<Vec<UserFactsRow>, Error> {
    let context = "cannot read Okta users for detections";
    let fail = |e| Error::sqlite(context, e);
    let mut users = conn
        .prepare(
            "SELECT id, coalesce(json_extract(properties, '$.id'), id), name, json_extract(properties, '$.created'), \
             json_extract(properties, '$.lastLogin') FROM nodes WHERE sub_kind = 'okta_user'",
        )
        .map_err(fail)?;
    let users = users
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(fail)?;
    let mut power = conn
        .prepare(
            "SELECT identity_id, action, count(DISTINCT resource_id) FROM access_path \
             WHERE action <> 'member' GROUP BY identity_id, action",
        )
        .map_err(fail)?;
    let power = power
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(fail)?;
    Ok(combine_user_facts(users.into_iter(), power))
}

/// Joins users with what they hold: `access` rows count apps, any other action is an admin role.
/// Denied rows count too: a locked-out or suspended victim's power is what an attacker is after.
pub(crate) fn combine_user_facts(
    users: impl Iterator<Item = (String, Option<String>, String, Option<String>, Option<String>)>,
    power: Vec<(String, String, i64)>,
) -> Vec<UserFactsRow> {
    let mut by_node: HashMap<String, (Vec<String>, u64)> = HashMap::new();
    for (node, action, resources) in power {
        let entry = by_node.entry(node).or_default();
        if action == "access" {
            entry.1 += resources.max(0) as u64;
        } else {
            entry.0.push(action);
        }
    }
    users
        .filter_map(|(node, okta_id, login, created, last_login)| {
            let (mut admin_roles, apps_reached) = by_node.remove(&node).unwrap_or_default();
            admin_roles.sort();
            admin_roles.dedup();
            Some(UserFactsRow {
                okta_id: okta_id?,
                login,
                created: parse_optional_time(created),
                last_login: parse_optional_time(last_login),
                admin_roles,
                apps_reached,
            })
        })
        .collect()
}

const ALERT_COLUMNS: &str = "id, rule_id, title, severity, status, entity_kind, entity, person, actor_id, first_seen, \
     last_seen, count, summary, details, created_at, updated_at";

/// Reads an RFC 3339 timestamp column.
fn time_at(r: &Row<'_>, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = r.get(index)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e)))
}

fn alert_row(r: &Row<'_>) -> rusqlite::Result<Alert> {
    let details: String = r.get(13)?;
    Ok(Alert {
        id: r.get(0)?,
        rule_id: r.get(1)?,
        title: r.get(2)?,
        severity: r.get(3)?,
        status: r.get(4)?,
        entity_kind: r.get(5)?,
        entity: r.get(6)?,
        person: r.get(7)?,
        actor_id: r.get(8)?,
        first_seen: time_at(r, 9)?,
        last_seen: time_at(r, 10)?,
        count: r.get(11)?,
        summary: r.get(12)?,
        details: serde_json::from_str(&details).unwrap_or(Value::Null),
        created_at: time_at(r, 14)?,
        updated_at: time_at(r, 15)?,
    })
}

fn alert_by_id(conn: &Connection, id: i64) -> Result<Option<Alert>, Error> {
    conn.query_row(&format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"), [id], alert_row)
        .optional()
        .map_err(|e| Error::sqlite("cannot read the alert", e))
}

fn enqueue(
    tx: &Connection,
    alert_id: i64,
    severity: &str,
    state: &str,
    webhooks: &[WebhookRoute],
    now: &str,
) -> rusqlite::Result<()> {
    for hook in webhooks.iter().filter(|h| severity_rank(severity) >= severity_rank(&h.min_severity)) {
        tx.execute(
            "INSERT INTO notifications (alert_id, webhook, state, delivery, next_attempt_at, created_at) \
             VALUES (?1, ?2, ?3, 'pending', ?4, ?4) ON CONFLICT (webhook, alert_id, state) DO NOTHING",
            params![alert_id, hook.name, state, now],
        )?;
    }
    Ok(())
}

/// Writes a detector pass: each signal opens or joins an alert, new alert states are queued for
/// the webhooks, and the detector's cursor moves, all in one transaction.
pub(crate) fn record_detections(
    conn: &mut Connection,
    batch: &DetectionBatch,
    now: DateTime<Utc>,
) -> Result<Vec<AlertChange>, Error> {
    let fail = |e| Error::sqlite("cannot store alerts", e);
    let now = timestamp(now);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
    let mut changes = Vec::with_capacity(batch.signals.len());
    for signal in &batch.signals {
        let open: Option<(i64, String, String, String)> = tx
            .query_row(
                "SELECT id, severity, status, last_seen FROM alerts WHERE rule_id = ?1 AND entity_kind = ?2 \
                 AND entity = ?3 AND status IN ('open', 'acknowledged') ORDER BY id DESC LIMIT 1",
                params![signal.rule_id, signal.entity_kind, signal.entity],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(fail)?;
        let window = chrono::Duration::from_std(signal.group_window).unwrap_or(chrono::Duration::MAX);
        let joinable = match &open {
            Some((_, _, _, last_seen)) => {
                let last_seen = parse_timestamp(last_seen)?;
                signal.time.checked_sub_signed(window).is_none_or(|start| last_seen >= start)
            }
            None => false,
        };
        let time = timestamp(signal.time);
        let change = match open.filter(|_| joinable) {
            Some((id, severity, status, _)) => {
                let raised = severity_rank(&signal.severity) > severity_rank(&severity);
                if raised {
                    tx.execute(
                        "UPDATE alerts SET severity = ?2, summary = ?3, details = ?4 WHERE id = ?1",
                        params![id, signal.severity, signal.summary, signal.details.to_string()],
                    )
                    .map_err(fail)?;
                    tx.execute(
                        "INSERT INTO alert_history (alert_id, at, actor, from_status, to_status, severity, reason) \
                         VALUES (?1, ?2, 'sightline', ?3, ?3, ?4, ?5)",
                        params![id, now, status, signal.severity, format!("severity raised: {}", signal.summary)],
                    )
                    .map_err(fail)?;
                    enqueue(&tx, id, &signal.severity, &format!("severity:{}", signal.severity), &batch.webhooks, &now)
                        .map_err(fail)?;
                }
                AlertChange { alert_id: id, opened: false, raised_to: raised.then(|| signal.severity.clone()) }
            }
            None => {
                tx.execute(
                    "INSERT INTO alerts (rule_id, title, severity, status, entity_kind, entity, person, actor_id, \
                     first_seen, last_seen, count, summary, details, group_window, created_at, updated_at) \
                     VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?7, ?8, ?8, 0, ?9, ?10, ?11, ?12, ?12)",
                    params![
                        signal.rule_id,
                        signal.title,
                        signal.severity,
                        signal.entity_kind,
                        signal.entity,
                        signal.person,
                        signal.actor_id,
                        time,
                        signal.summary,
                        signal.details.to_string(),
                        signal.group_window.as_secs() as i64,
                        now
                    ],
                )
                .map_err(fail)?;
                let id = tx.last_insert_rowid();
                tx.execute(
                    "INSERT INTO alert_history (alert_id, at, actor, from_status, to_status, severity, reason) \
                     VALUES (?1, ?2, 'sightline', NULL, 'open', ?3, ?4)",
                    params![id, now, signal.severity, signal.summary],
                )
                .map_err(fail)?;
                enqueue(&tx, id, &signal.severity, "opened", &batch.webhooks, &now).map_err(fail)?;
                AlertChange { alert_id: id, opened: true, raised_to: None }
            }
        };
        let mut added = 0i64;
        let mut earliest: Option<String> = None;
        {
            let mut link = tx
                .prepare_cached("INSERT INTO alert_events (alert_id, seq) VALUES (?1, ?2) ON CONFLICT DO NOTHING")
                .map_err(fail)?;
            let mut time_of = tx.prepare_cached("SELECT time FROM events WHERE seq = ?1").map_err(fail)?;
            for seq in &signal.events {
                if link.execute(params![change.alert_id, seq]).map_err(fail)? == 1 {
                    added += 1;
                    let time: Option<String> = time_of.query_row([seq], |r| r.get(0)).optional().map_err(fail)?;
                    earliest = earliest.into_iter().chain(time).min();
                }
            }
        }
        tx.execute(
            "UPDATE alerts SET count = count + ?2, last_seen = max(last_seen, ?3), \
             first_seen = min(first_seen, coalesce(?4, first_seen)), updated_at = ?5 WHERE id = ?1",
            params![change.alert_id, added, time, earliest, now],
        )
        .map_err(fail)?;
        changes.push(change);
    }
    tx.execute(
        "INSERT INTO detector_cursors (name, seq, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at",
        params![batch.detector, batch.cursor, now],
    )
    .map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok(changes)
}

/// Alerts matching `filter`, newest first.
pub(crate) fn alerts(conn: &Connection, filter: &AlertFilter) -> Result<Vec<Alert>, Error> {
    let mut sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE 1 = 1");
    let mut values: Vec<rusqlite::types::Value> = Vec::new();
    let mut bind = |sql: &mut String, clause: &str, value: rusqlite::types::Value| {
        values.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", values.len())));
    };
    if !filter.statuses.is_empty() {
        let list = serde_json::to_string(&filter.statuses).unwrap_or_default();
        bind(&mut sql, " AND status IN (SELECT value FROM json_each(?))", list.into());
    }
    if let Some(min) = &filter.min_severity {
        let allowed: Vec<&str> =
            SEVERITIES.iter().copied().filter(|s| severity_rank(s) >= severity_rank(min)).collect();
        bind(
            &mut sql,
            " AND severity IN (SELECT value FROM json_each(?))",
            serde_json::to_string(&allowed).unwrap_or_default().into(),
        );
    }
    if let Some(rule) = &filter.rule_id {
        bind(&mut sql, " AND rule_id = ?", rule.clone().into());
    }
    if let Some(entity) = &filter.entity {
        bind(&mut sql, " AND (entity = ? OR person = lower(entity))", entity.clone().into());
    }
    if let Some(before) = filter.before_id {
        bind(&mut sql, " AND id < ?", before.into());
    }
    bind(&mut sql, " ORDER BY id DESC LIMIT ?", (filter.limit as i64).into());
    let fail = |e| Error::sqlite("cannot list alerts", e);
    let mut stmt = conn.prepare(&sql).map_err(fail)?;
    stmt.query_map(rusqlite::params_from_iter(values), alert_row)
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(fail)
}

/// One alert with its history and events.
pub(crate) fn alert_detail(conn: &Connection, id: i64) -> Result<Option<AlertDetail>, Error> {
    let Some(alert) = alert_by_id(conn, id)? else { return Ok(None) };
    let fail = |e| Error::sqlite("cannot read the alert's history", e);
    let mut stmt = conn
        .prepare(
            "SELECT at, actor, from_status, to_status, severity, reason FROM alert_history \
             WHERE alert_id = ?1 ORDER BY id",
        )
        .map_err(fail)?;
    let rows = stmt
        .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(fail)?;
    let history = rows
        .into_iter()
        .map(|(at, actor, from_status, to_status, severity, reason)| {
            Ok(AlertHistoryEntry { at: parse_timestamp(&at)?, actor, from_status, to_status, severity, reason })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let context = "cannot read the alert's events";
    let columns = STORED_EVENT_COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ");
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {columns} FROM alert_events a JOIN events e ON e.seq = a.seq WHERE a.alert_id = ?1 \
             ORDER BY a.seq LIMIT ?2"
        ))
        .map_err(|e| Error::sqlite(context, e))?;
    let events = collect_events(&mut stmt, params![id, AlertDetail::MAX_EVENTS as i64], context)?;
    Ok(Some(AlertDetail { alert, history, events }))
}

/// Checks a status change before anything is written.
pub(crate) fn validate_status_change(change: &StatusChange) -> Result<(), Error> {
    if !STATUSES.contains(&change.status.as_str()) {
        return Err(Error::invalid(format!(
            "`{}` is not an alert status; use one of {}",
            change.status,
            STATUSES.join(", ")
        )));
    }
    if change.by.trim().is_empty() {
        return Err(Error::invalid("say who changes the alert's status"));
    }
    Ok(())
}

/// Changes an alert's status, recording who and why, and queues the new state for the webhooks.
pub(crate) fn set_status(
    conn: &mut Connection,
    id: i64,
    change: &StatusChange,
    webhooks: &[WebhookRoute],
    now: DateTime<Utc>,
) -> Result<Alert, Error> {
    validate_status_change(change)?;
    let fail = |e| Error::sqlite("cannot change the alert's status", e);
    let now = timestamp(now);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
    let Some(alert) = alert_by_id(&tx, id)? else {
        return Err(Error::invalid(format!("there is no alert {id}")));
    };
    if alert.status == change.status {
        return Err(Error::invalid(format!("alert {id} is already {}", change.status)));
    }
    tx.execute("UPDATE alerts SET status = ?2, updated_at = ?3 WHERE id = ?1", params![id, change.status, now])
        .map_err(fail)?;
    tx.execute(
        "INSERT INTO alert_history (alert_id, at, actor, from_status, to_status, severity, reason) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, now, change.by, alert.status, change.status, alert.severity, change.reason],
    )
    .map_err(fail)?;
    let state = format!("status:{}:{}", change.status, tx.last_insert_rowid());
    enqueue(&tx, id, &alert.severity, &state, webhooks, &now).map_err(fail)?;
    let updated = alert_by_id(&tx, id)?.ok_or_else(|| Error::database("the alert vanished"))?;
    tx.commit().map_err(fail)?;
    Ok(updated)
}

/// Deliveries due by `now`, oldest first.
pub(crate) fn due_notifications(
    conn: &Connection,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Notification>, Error> {
    let fail = |e| Error::sqlite("cannot read pending notifications", e);
    let mut stmt = conn
        .prepare(
            "SELECT id, webhook, state, attempts, alert_id FROM notifications WHERE delivery = 'pending' \
             AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2",
        )
        .map_err(fail)?;
    let rows = stmt
        .query_map(params![timestamp(now), limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(fail)?;
    let mut due = Vec::with_capacity(rows.len());
    for (id, webhook, state, attempts, alert_id) in rows {
        if let Some(alert) = alert_by_id(conn, alert_id)? {
            due.push(Notification { id, webhook, state, attempts, alert });
        }
    }
    Ok(due)
}

/// Records a delivery attempt.
pub(crate) fn record_delivery(
    conn: &Connection,
    id: i64,
    result: &DeliveryResult,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let now = timestamp(now);
    let outcome = match result {
        DeliveryResult::Sent => conn.execute(
            "UPDATE notifications SET delivery = 'sent', attempts = attempts + 1, sent_at = ?2, last_error = NULL \
             WHERE id = ?1",
            params![id, now],
        ),
        DeliveryResult::Failed { error, retry_at: Some(at) } => conn.execute(
            "UPDATE notifications SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
            params![id, error, timestamp(*at)],
        ),
        DeliveryResult::Failed { error, retry_at: None } => conn.execute(
            "UPDATE notifications SET delivery = 'failed', attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            params![id, error],
        ),
    };
    outcome.map(|_| ()).map_err(|e| Error::sqlite("cannot record the delivery", e))
}
