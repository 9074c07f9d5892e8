//! Integrations and their sync runs on PostgreSQL: the same rules as `crate::runs`.

use super::pg_error;
use crate::error::Error;
use crate::model::{Integration, Run, RunKind, RunOutcome};
use crate::runs::clamp;
use crate::sqlite::{parse_timestamp, timestamp};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use tokio_postgres::{Client, GenericClient, Row};

/// The message stored for runs a stopped process left behind.
const INTERRUPTED: &str = "interrupted: the process stopped before the run finished";

fn db(context: &str) -> impl Fn(tokio_postgres::Error) -> Error + '_ {
    move |e| pg_error(context, e)
}

pub(super) async fn upsert_integration(client: &Client, i: &Integration) -> Result<(), Error> {
    client
        .execute(
            "INSERT INTO integrations (name, org_url, resources, system_log, status, last_success, last_error, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (name) DO UPDATE SET org_url = excluded.org_url, resources = excluded.resources, \
             system_log = excluded.system_log, updated_at = excluded.updated_at",
            &[
                &i.name,
                &i.org_url,
                &i.resources,
                &i.system_log,
                &i.status,
                &i.last_success.map(timestamp),
                &i.last_error,
                &timestamp(i.updated_at),
            ],
        )
        .await
        .map_err(db("cannot save the integration"))?;
    Ok(())
}

pub(super) async fn integrations(client: &Client) -> Result<Vec<Integration>, Error> {
    let rows = client
        .query(
            "SELECT name, org_url, resources, system_log, status, last_success, last_error, updated_at \
             FROM integrations ORDER BY name",
            &[],
        )
        .await
        .map_err(db("cannot read integrations"))?;
    rows.iter()
        .map(|r| {
            Ok(Integration {
                name: r.get(0),
                org_url: r.get(1),
                resources: r.get(2),
                system_log: r.get(3),
                status: r.get(4),
                last_success: r.get::<_, Option<&str>>(5).map(parse_timestamp).transpose()?,
                last_error: r.get(6),
                updated_at: parse_timestamp(r.get(7))?,
            })
        })
        .collect()
}

pub(super) async fn start_run(
    client: &mut Client,
    integration: &str,
    kind: RunKind,
    now: DateTime<Utc>,
) -> Result<i64, Error> {
    let context = "cannot record the start of a run";
    let tx = client.transaction().await.map_err(db(context))?;
    let id: i64 = tx
        .query_one(
            "INSERT INTO sync_runs (integration, kind, started_at, status) VALUES ($1, $2, $3, 'running') RETURNING id",
            &[&integration, &kind.as_str(), &timestamp(now)],
        )
        .await
        .map_err(db(context))?
        .get(0);
    tx.execute(
        "UPDATE integrations SET status = 'syncing', updated_at = $2 WHERE name = $1",
        &[&integration, &timestamp(now)],
    )
    .await
    .map_err(db(context))?;
    tx.commit().await.map_err(db(context))?;
    Ok(id)
}

pub(super) async fn update_progress(client: &Client, run: i64, progress: &serde_json::Value) -> Result<(), Error> {
    let changed = client
        .execute("UPDATE sync_runs SET progress = $2 WHERE id = $1 AND status = 'running'", &[&run, progress])
        .await
        .map_err(db("cannot record run progress"))?;
    if changed == 0 {
        return Err(Error::invalid(format!("there is no running run with id {run}")));
    }
    Ok(())
}

pub(super) async fn finish_run(
    client: &mut Client,
    run: i64,
    outcome: &RunOutcome,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let context = "cannot record the end of a run";
    let tx = client.transaction().await.map_err(db(context))?;
    // The row lock keeps two finishers of the same run from both succeeding.
    let found = tx
        .query_opt("SELECT integration, status FROM sync_runs WHERE id = $1 FOR UPDATE", &[&run])
        .await
        .map_err(db(context))?;
    let Some(found) = found else {
        return Err(Error::invalid(format!("there is no run with id {run}")));
    };
    let (integration, status): (String, String) = (found.get(0), found.get(1));
    if status != "running" {
        return Err(Error::invalid(format!("run {run} has already finished ({status})")));
    }
    let error = match (&outcome.error, outcome.succeeded) {
        (Some(e), _) => Some(e.clone()),
        (None, false) => Some("the run failed".to_string()),
        (None, true) => None,
    };
    let counts = serde_json::to_value(&outcome.counts).expect("counts serialize");
    tx.execute(
        "UPDATE sync_runs SET finished_at = $2, status = $3, counts = $4, api_calls = $5, rate_limit_waits = $6, \
         rate_limit_wait_ms = $7, error = $8 WHERE id = $1",
        &[
            &run,
            &timestamp(now),
            &if outcome.succeeded { "succeeded" } else { "failed" },
            &counts,
            &clamp(outcome.api_calls),
            &clamp(outcome.rate_limit_waits),
            &clamp(outcome.rate_limit_wait_ms),
            &error,
        ],
    )
    .await
    .map_err(db(context))?;
    if outcome.succeeded {
        tx.execute("UPDATE integrations SET last_success = $2 WHERE name = $1", &[&integration, &timestamp(now)])
            .await
            .map_err(db(context))?;
    } else {
        tx.execute("UPDATE integrations SET last_error = $2 WHERE name = $1", &[&integration, &error])
            .await
            .map_err(db(context))?;
    }
    refresh_status(&tx, &integration, now).await.map_err(db(context))?;
    tx.commit().await.map_err(db(context))?;
    Ok(())
}

/// An integration's status from its runs (see `crate::runs::refresh_status`).
async fn refresh_status(
    client: &impl GenericClient,
    integration: &str,
    now: DateTime<Utc>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE integrations SET updated_at = $2, status = CASE \
               WHEN EXISTS (SELECT 1 FROM sync_runs WHERE integration = $1 AND status = 'running') THEN 'syncing' \
               WHEN EXISTS (SELECT 1 FROM sync_runs r WHERE r.integration = $1 AND r.status = 'failed' \
                            AND r.id = (SELECT max(id) FROM sync_runs l WHERE l.integration = $1 AND l.kind = r.kind \
                                        AND l.status <> 'running')) THEN 'error' \
               WHEN EXISTS (SELECT 1 FROM sync_runs WHERE integration = $1) THEN 'ok' \
               ELSE status END \
             WHERE name = $1",
            &[&integration, &timestamp(now)],
        )
        .await?;
    Ok(())
}

pub(super) async fn fail_interrupted(client: &mut Client, now: DateTime<Utc>) -> Result<u64, Error> {
    let context = "cannot close interrupted runs";
    let tx = client.transaction().await.map_err(db(context))?;
    let integrations: Vec<String> = tx
        .query(
            "UPDATE sync_runs SET status = 'failed', finished_at = $1, error = $2 WHERE status = 'running' \
             RETURNING integration",
            &[&timestamp(now), &INTERRUPTED],
        )
        .await
        .map_err(db(context))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let changed = integrations.len() as u64;
    let distinct: std::collections::BTreeSet<String> = integrations.into_iter().collect();
    for integration in &distinct {
        tx.execute("UPDATE integrations SET last_error = $2 WHERE name = $1", &[integration, &INTERRUPTED])
            .await
            .map_err(db(context))?;
        refresh_status(&tx, integration, now).await.map_err(db(context))?;
    }
    tx.commit().await.map_err(db(context))?;
    Ok(changed)
}

pub(super) async fn runs(client: &Client, integration: &str, limit: usize) -> Result<Vec<Run>, Error> {
    let rows = client
        .query(
            "SELECT id, integration, kind, started_at, finished_at, status, counts, api_calls, rate_limit_waits, \
             rate_limit_wait_ms, error, progress FROM sync_runs WHERE integration = $1 ORDER BY id DESC LIMIT $2",
            &[&integration, &i64::try_from(limit).unwrap_or(i64::MAX)],
        )
        .await
        .map_err(db("cannot read runs"))?;
    rows.iter().map(run).collect()
}

fn run(r: &Row) -> Result<Run, Error> {
    let id: i64 = r.get(0);
    let kind: &str = r.get(2);
    let counts: serde_json::Value = r.get(6);
    Ok(Run {
        id,
        integration: r.get(1),
        kind: RunKind::parse(kind).ok_or_else(|| Error::database(format!("unknown kind {kind:?} of run {id}")))?,
        started_at: parse_timestamp(r.get(3))?,
        finished_at: r.get::<_, Option<&str>>(4).map(parse_timestamp).transpose()?,
        status: r.get(5),
        counts: serde_json::from_value::<BTreeMap<String, u64>>(counts)
            .map_err(|e| Error::database(format!("bad counts of run {id}: {e}")))?,
        api_calls: r.get::<_, i64>(7).max(0) as u64,
        rate_limit_waits: r.get::<_, i64>(8).max(0) as u64,
        rate_limit_wait_ms: r.get::<_, i64>(9).max(0) as u64,
        error: r.get(10),
        progress: r.get(11),
    })
}
