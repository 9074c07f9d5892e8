//! Integrations and their sync runs.

use crate::error::Error;
use crate::model::{Integration, Run, RunKind, RunOutcome};
use crate::sqlite::{parse_timestamp, timestamp};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use std::collections::BTreeMap;

/// The message stored for runs a stopped process left behind.
const INTERRUPTED: &str = "interrupted: the process stopped before the run finished";

fn db(context: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::sqlite(context, e)
}

/// A count as SQL's signed 64-bit integer, saturating.
pub(crate) fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Inserts the integration, or updates its configuration (org URL, features). Status and the
/// last success/error belong to the runs and are kept on update.
pub(crate) fn upsert_integration(conn: &Connection, i: &Integration) -> Result<(), Error> {
    conn.execute(
        "INSERT INTO integrations (name, org_url, resources, system_log, status, last_success, last_error, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (name) DO UPDATE SET org_url = excluded.org_url, resources = excluded.resources, \
         system_log = excluded.system_log, updated_at = excluded.updated_at",
        params![
            i.name,
            i.org_url,
            i.resources,
            i.system_log,
            i.status,
            i.last_success.map(timestamp),
            i.last_error,
            timestamp(i.updated_at)
        ],
    )
    .map_err(db("cannot save the integration"))?;
    Ok(())
}

pub(crate) fn integrations(conn: &Connection) -> Result<Vec<Integration>, Error> {
    let context = "cannot read integrations";
    let mut stmt = conn
        .prepare(
            "SELECT name, org_url, resources, system_log, status, last_success, last_error, updated_at \
             FROM integrations ORDER BY name",
        )
        .map_err(db(context))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
            ))
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(db(context))?;
    rows.into_iter()
        .map(|(name, org_url, resources, system_log, status, last_success, last_error, updated_at)| {
            Ok(Integration {
                name,
                org_url,
                resources,
                system_log,
                status,
                last_success: last_success.as_deref().map(parse_timestamp).transpose()?,
                last_error,
                updated_at: parse_timestamp(&updated_at)?,
            })
        })
        .collect()
}

pub(crate) fn start_run(
    conn: &mut Connection,
    integration: &str,
    kind: RunKind,
    now: DateTime<Utc>,
) -> Result<i64, Error> {
    let context = "cannot record the start of a run";
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db(context))?;
    tx.execute(
        "INSERT INTO sync_runs (integration, kind, started_at, status) VALUES (?1, ?2, ?3, 'running')",
        params![integration, kind.as_str(), timestamp(now)],
    )
    .map_err(db(context))?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE integrations SET status = 'syncing', updated_at = ?2 WHERE name = ?1",
        params![integration, timestamp(now)],
    )
    .map_err(db(context))?;
    tx.commit().map_err(db(context))?;
    Ok(id)
}

pub(crate) fn update_progress(conn: &Connection, run: i64, progress: &serde_json::Value) -> Result<(), Error> {
    let context = "cannot record run progress";
    let changed = conn
        .execute(
            "UPDATE sync_runs SET progress = ?2 WHERE id = ?1 AND status = 'running'",
            params![run, progress.to_string()],
        )
        .map_err(db(context))?;
    if changed == 0 {
        return Err(Error::invalid(format!("there is no running run with id {run}")));
    }
    Ok(())
}

pub(crate) fn finish_run(
    conn: &mut Connection,
    run: i64,
    outcome: &RunOutcome,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let context = "cannot record the end of a run";
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db(context))?;
    let found: Option<(String, String)> = tx
        .query_row("SELECT integration, status FROM sync_runs WHERE id = ?1", [run], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(db(context))?;
    let Some((integration, status)) = found else {
        return Err(Error::invalid(format!("there is no run with id {run}")));
    };
    if status != "running" {
        return Err(Error::invalid(format!("run {run} has already finished ({status})")));
    }
    let error = match (&outcome.error, outcome.succeeded) {
        (Some(e), _) => Some(e.clone()),
        (None, false) => Some("the run failed".to_string()),
        (None, true) => None,
    };
    let counts = serde_json::to_string(&outcome.counts).expect("counts serialize");
    tx.execute(
        "UPDATE sync_runs SET finished_at = ?2, status = ?3, counts = ?4, api_calls = ?5, rate_limit_waits = ?6, \
         rate_limit_wait_ms = ?7, error = ?8 WHERE id = ?1",
        params![
            run,
            timestamp(now),
            if outcome.succeeded { "succeeded" } else { "failed" },
            counts,
            clamp(outcome.api_calls),
            clamp(outcome.rate_limit_waits),
            clamp(outcome.rate_limit_wait_ms),
            error
        ],
    )
    .map_err(db(context))?;
    if outcome.succeeded {
        tx.execute("UPDATE integrations SET last_success = ?2 WHERE name = ?1", params![integration, timestamp(now)])
            .map_err(db(context))?;
    } else {
        tx.execute("UPDATE integrations SET last_error = ?2 WHERE name = ?1", params![integration, error])
            .map_err(db(context))?;
    }
    refresh_status(&tx, &integration, now).map_err(db(context))?;
    tx.commit().map_err(db(context))?;
    Ok(())
}

/// An integration's status from its runs: `syncing` while one runs, else `error` if the latest
/// run of some kind failed, else `ok`.
fn refresh_status(conn: &Connection, integration: &str, now: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE integrations SET updated_at = ?2, status = CASE \
           WHEN EXISTS (SELECT 1 FROM sync_runs WHERE integration = ?1 AND status = 'running') THEN 'syncing' \
           WHEN EXISTS (SELECT 1 FROM sync_runs r WHERE r.integration = ?1 AND r.status = 'failed' \
                        AND r.id = (SELECT max(id) FROM sync_runs l WHERE l.integration = ?1 AND l.kind = r.kind \
                                    AND l.status <> 'running')) THEN 'error' \
           WHEN EXISTS (SELECT 1 FROM sync_runs WHERE integration = ?1) THEN 'ok' \
           ELSE status END \
         WHERE name = ?1",
        params![integration, timestamp(now)],
    )?;
    Ok(())
}

/// Marks runs left `running` by a stopped process as failed. Call it once at start-up, from the
/// one process that syncs.
pub(crate) fn fail_interrupted(conn: &mut Connection, now: DateTime<Utc>) -> Result<u64, Error> {
    let context = "cannot close interrupted runs";
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db(context))?;
    let integrations: Vec<String> = {
        let mut stmt =
            tx.prepare("SELECT DISTINCT integration FROM sync_runs WHERE status = 'running'").map_err(db(context))?;
        stmt.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()).map_err(db(context))?
    };
    let changed = tx
        .execute(
            "UPDATE sync_runs SET status = 'failed', finished_at = ?1, error = ?2 WHERE status = 'running'",
            params![timestamp(now), INTERRUPTED],
        )
        .map_err(db(context))?;
    for integration in &integrations {
        tx.execute("UPDATE integrations SET last_error = ?2 WHERE name = ?1", params![integration, INTERRUPTED])
            .map_err(db(context))?;
        refresh_status(&tx, integration, now).map_err(db(context))?;
    }
    tx.commit().map_err(db(context))?;
    Ok(changed as u64)
}

pub(crate) fn runs(conn: &Connection, integration: &str, limit: usize) -> Result<Vec<Run>, Error> {
    let context = "cannot read runs";
    let mut stmt = conn
        .prepare(
            "SELECT id, integration, kind, started_at, finished_at, status, counts, api_calls, rate_limit_waits, \
             rate_limit_wait_ms, error, progress FROM sync_runs WHERE integration = ?1 ORDER BY id DESC LIMIT ?2",
        )
        .map_err(db(context))?;
    let raw = stmt
        .query_map(params![integration, i64::try_from(limit).unwrap_or(i64::MAX)], RawRun::from_row)
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(db(context))?;
    raw.into_iter().map(RawRun::into_run).collect()
}

struct RawRun {
    id: i64,
    integration: String,
    kind: String,
    started_at: String,
    finished_at: Option<String>,
    status: String,
    counts: String,
    api_calls: i64,
    rate_limit_waits: i64,
    rate_limit_wait_ms: i64,
    error: Option<String>,
    progress: String,
}

impl RawRun {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<RawRun> {
        Ok(RawRun {
            id: r.get(0)?,
            integration: r.get(1)?,
            kind: r.get(2)?,
            started_at: r.get(3)?,
            finished_at: r.get(4)?,
            status: r.get(5)?,
            counts: r.get(6)?,
            api_calls: r.get(7)?,
            rate_limit_waits: r.get(8)?,
            rate_limit_wait_ms: r.get(9)?,
            error: r.get(10)?,
            progress: r.get(11)?,
        })
    }

    fn into_run(self) -> Result<Run, Error> {
        let bad = |what: &str, e: serde_json::Error| Error::database(format!("bad {what} of run {}: {e}", self.id));
        Ok(Run {
            id: self.id,
            kind: RunKind::parse(&self.kind)
                .ok_or_else(|| Error::database(format!("unknown kind {:?} of run {}", self.kind, self.id)))?,
            started_at: parse_timestamp(&self.started_at)?,
            finished_at: self.finished_at.as_deref().map(parse_timestamp).transpose()?,
            counts: serde_json::from_str::<BTreeMap<String, u64>>(&self.counts).map_err(|e| bad("counts", e))?,
            api_calls: self.api_calls.max(0) as u64,
            rate_limit_waits: self.rate_limit_waits.max(0) as u64,
            rate_limit_wait_ms: self.rate_limit_wait_ms.max(0) as u64,
            progress: serde_json::from_str(&self.progress).map_err(|e| bad("progress", e))?,
            integration: self.integration,
            status: self.status,
            error: self.error,
        })
    }
}
