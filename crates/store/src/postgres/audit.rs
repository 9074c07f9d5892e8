//! The audit log and API tokens on PostgreSQL (see `crate::audit`).

use super::pg_error;
use crate::audit::{AUDIT_COLUMNS, ApiToken, AuditEntry, AuditQuery, TOKEN_COLUMNS, into_audit_entry, into_token};
use crate::error::Error;
use crate::sqlite::timestamp;
use chrono::{DateTime, Utc};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row};

pub(super) async fn record(client: &mut Client, entries: &[AuditEntry]) -> Result<(), Error> {
    let context = "cannot write the audit log";
    let tx = client.transaction().await.map_err(|e| pg_error(context, e))?;
    let insert = tx
        .prepare(
            "INSERT INTO audit_log (at, actor, via, action, target, outcome, client_ip, duration_ms, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .await
        .map_err(|e| pg_error(context, e))?;
    for e in entries {
        tx.execute(
            &insert,
            &[
                &timestamp(e.at),
                &e.actor,
                &e.via,
                &e.action,
                &e.target,
                &e.outcome,
                &e.client_ip,
                &e.duration_ms,
                &e.detail.to_string(),
            ],
        )
        .await
        .map_err(|e| pg_error(context, e))?;
    }
    tx.commit().await.map_err(|e| pg_error(context, e))
}

pub(super) async fn read(client: &Client, query: &AuditQuery) -> Result<Vec<AuditEntry>, Error> {
    let (conditions, values) = query.where_clause(|n| format!("${n}"));
    let sql =
        format!("SELECT {AUDIT_COLUMNS} FROM audit_log {conditions} ORDER BY seq DESC LIMIT {}", query.capped_limit());
    let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
    client
        .query(&sql, &params)
        .await
        .map_err(|e| pg_error("cannot read the audit log", e))?
        .iter()
        .map(|r| {
            into_audit_entry((
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
                r.get(7),
                r.get(8),
                r.get(9),
            ))
        })
        .collect()
}

fn token(r: &Row) -> Result<ApiToken, Error> {
    into_token((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6), r.get(7), r.get(8)))
}

pub(super) async fn create_token(client: &Client, t: &ApiToken) -> Result<(), Error> {
    client
        .execute(
            &format!("INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)"),
            &[
                &t.id,
                &t.name,
                &t.token_hash,
                &t.role,
                &t.created_by,
                &timestamp(t.created_at),
                &t.expires_at.map(timestamp),
            ],
        )
        .await
        .map_err(|e| pg_error("cannot create the API token", e))?;
    Ok(())
}

pub(super) async fn find_token(client: &Client, id: &str) -> Result<Option<ApiToken>, Error> {
    client
        .query_opt(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"), &[&id])
        .await
        .map_err(|e| pg_error("cannot read the API token", e))?
        .as_ref()
        .map(token)
        .transpose()
}

pub(super) async fn tokens(client: &Client) -> Result<Vec<ApiToken>, Error> {
    client
        .query(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at DESC, id"), &[])
        .await
        .map_err(|e| pg_error("cannot list API tokens", e))?
        .iter()
        .map(token)
        .collect()
}

pub(super) async fn revoke_token(client: &Client, id: &str, at: DateTime<Utc>) -> Result<bool, Error> {
    let changed = client
        .execute("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", &[&id, &timestamp(at)])
        .await
        .map_err(|e| pg_error("cannot revoke the API token", e))?;
    Ok(changed == 1)
}

pub(super) async fn touch_token(client: &Client, id: &str, at: DateTime<Utc>) -> Result<(), Error> {
    client
        .execute("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", &[&id, &timestamp(at)])
        .await
        .map_err(|e| pg_error("cannot mark the API token used", e))?;
    Ok(())
}
