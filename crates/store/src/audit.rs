/*!
Sightline's own audit log and its API tokens: private tables (`crate::PRIVATE_TABLES`) that user
SQL cannot read. The audit log is append-only through this API: nothing here updates or deletes
an entry.
*/

use crate::error::Error;
use crate::sqlite::{parse_timestamp, timestamp};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

/// One audited action: who did what, when, from where, and how it ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    /// Position in the log (0 for an entry not yet stored).
    pub seq: i64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The account (or token owner) acting, or the attempted username of a failed sign-in.
    pub actor: String,
    /// How the actor came in: `session`, `token:<id>`, `cli` or `system`.
    pub via: String,
    /// What was done, e.g. `sign_in`, `query`, `alert.status`, `account.create`.
    pub action: String,
    /// What it was done to (an alert id, an account, an integration), if anything.
    pub target: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// The client's address, when the action came over HTTP.
    pub client_ip: Option<String>,
    /// How long it took (queries).
    pub duration_ms: Option<i64>,
    /// Action-specific facts (the SQL text, the row count, the new status, the error).
    pub detail: serde_json::Value,
}

/// Which audit entries to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only this actor's entries.
    pub actor: Option<String>,
    /// An action, or a prefix ending in `.` (`account.` for every account change).
    pub action: Option<String>,
    /// Only `success`, `failure` or `denied` entries.
    pub outcome: Option<String>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub until: Option<DateTime<Utc>>,
    /// Only entries older than this `seq` (the next page).
    pub before: Option<i64>,
    /// At most this many (capped at [`AuditQuery::MAX_LIMIT`]).
    pub limit: usize,
}

impl AuditQuery {
    /// The most entries one read returns.
    pub const MAX_LIMIT: usize = 1000;

    /// The WHERE clause and its values, with `placeholder(n)` spelling the n-th parameter.
    pub(crate) fn where_clause(&self, placeholder: fn(usize) -> String) -> (String, Vec<String>) {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        let mut add = |condition: &str, value: String| {
            values.push(value);
            conditions.push(condition.replace('?', &placeholder(values.len())));
        };
        if let Some(actor) = &self.actor {
            add("actor = ?", actor.clone());
        }
        match self.action.as_deref() {
            Some(prefix) if prefix.ends_with('.') => add("substr(action, 1, length(?)) = ?", prefix.to_string()),
            Some(action) => add("action = ?", action.to_string()),
            None => {}
        }
        if let Some(outcome) = &self.outcome {
            add("outcome = ?", outcome.clone());
        }
        if let Some(since) = self.since {
            add("at >= ?", timestamp(since));
        }
        if let Some(until) = self.until {
            add("at < ?", timestamp(until));
        }
        if let Some(before) = self.before {
            // Parameters are all text; the cast spells "this is a number" in both dialects.
            add("seq < CAST(CAST(? AS TEXT) AS BIGINT)", before.to_string());
        }
        if conditions.is_empty() {
            (String::new(), values)
        } else {
            (format!("WHERE {}", conditions.join(" AND ")), values)
        }
    }

    pub(crate) fn capped_limit(&self) -> i64 {
        self.limit.clamp(1, Self::MAX_LIMIT) as i64
    }
}

/// An API token for automation. The secret is shown once at creation; the store keeps only its
/// SHA-256 (`token_hash`, hex), which is enough for a 256-bit random secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiToken {
    /// The public part of the token (`slt_<id>_...`), used to find it.
    pub id: String,
    /// What it is for, as its creator named it.
    pub name: String,
    /// The SHA-256 of the whole token, hex; never serialised.
    #[serde(skip)]
    pub token_hash: String,
    /// `viewer`, `analyst` or `admin`.
    pub role: String,
    /// The account it acts as.
    pub created_by: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was last used (written at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

pub(crate) const AUDIT_COLUMNS: &str = "seq, at, actor, via, action, target, outcome, client_ip, duration_ms, detail";
pub(crate) const TOKEN_COLUMNS: &str =
    "id, name, token_hash, role, created_by, created_at, expires_at, last_used_at, revoked_at";

/// An audit row as text columns, shared by both backends' readers.
pub(crate) type AuditRow =
    (i64, String, String, String, String, Option<String>, String, Option<String>, Option<i64>, String);

pub(crate) fn into_audit_entry(row: AuditRow) -> Result<AuditEntry, Error> {
    let (seq, at, actor, via, action, target, outcome, client_ip, duration_ms, detail) = row;
    Ok(AuditEntry {
        seq,
        at: parse_timestamp(&at)?,
        actor,
        via,
        action,
        target,
        outcome,
        client_ip,
        duration_ms,
        detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
    })
}

pub(crate) type TokenRow =
    (String, String, String, String, String, String, Option<String>, Option<String>, Option<String>);

pub(crate) fn into_token(row: TokenRow) -> Result<ApiToken, Error> {
    let (id, name, token_hash, role, created_by, created_at, expires_at, last_used_at, revoked_at) = row;
    let optional = |t: Option<String>| t.as_deref().map(parse_timestamp).transpose();
    Ok(ApiToken {
        id,
        name,
        token_hash,
        role,
        created_by,
        created_at: parse_timestamp(&created_at)?,
        expires_at: optional(expires_at)?,
        last_used_at: optional(last_used_at)?,
        revoked_at: optional(revoked_at)?,
    })
}

pub(crate) fn record(conn: &Connection, entries: &[AuditEntry]) -> Result<(), Error> {
    let context = "cannot write the audit log";
    let tx = conn.unchecked_transaction().map_err(|e| Error::sqlite(context, e))?;
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO audit_log (at, actor, via, action, target, outcome, client_ip, duration_ms, detail) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(|e| Error::sqlite(context, e))?;
        for e in entries {
            insert
                .execute(params![
                    timestamp(e.at),
                    e.actor,
                    e.via,
                    e.action,
                    e.target,
                    e.outcome,
                    e.client_ip,
                    e.duration_ms,
                    e.detail.to_string()
                ])
                .map_err(|e| Error::sqlite(context, e))?;
        }
    }
    tx.commit().map_err(|e| Error::sqlite(context, e))
}

pub(crate) fn read(conn: &Connection, query: &AuditQuery) -> Result<Vec<AuditEntry>, Error> {
    let context = "cannot read the audit log";
    let (conditions, values) = query.where_clause(|n| format!("?{n}"));
    let sql =
        format!("SELECT {AUDIT_COLUMNS} FROM audit_log {conditions} ORDER BY seq DESC LIMIT {}", query.capped_limit());
    let mut stmt = conn.prepare(&sql).map_err(|e| Error::sqlite(context, e))?;
    let rows: Vec<AuditRow> = stmt
        .query_map(params_from_iter(values.iter()), |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })
        .and_then(|r| r.collect())
        .map_err(|e| Error::sqlite(context, e))?;
    rows.into_iter().map(into_audit_entry).collect()
}

fn token_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
}

pub(crate) fn create_token(conn: &Connection, token: &ApiToken) -> Result<(), Error> {
    conn.execute(
        &format!("INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, NULL)"),
        params![
            token.id,
            token.name,
            token.token_hash,
            token.role,
            token.created_by,
            timestamp(token.created_at),
            token.expires_at.map(timestamp)
        ],
    )
    .map_err(|e| Error::sqlite("cannot create the API token", e))?;
    Ok(())
}

pub(crate) fn token(conn: &Connection, id: &str) -> Result<Option<ApiToken>, Error> {
    conn.query_row(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?1"), [id], token_row)
        .optional()
        .map_err(|e| Error::sqlite("cannot read the API token", e))?
        .map(into_token)
        .transpose()
}

pub(crate) fn tokens(conn: &Connection) -> Result<Vec<ApiToken>, Error> {
    let context = "cannot list API tokens";
    let mut stmt = conn
        .prepare(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at DESC, id"))
        .map_err(|e| Error::sqlite(context, e))?;
    let rows: Vec<TokenRow> =
        stmt.query_map([], token_row).and_then(|r| r.collect()).map_err(|e| Error::sqlite(context, e))?;
    rows.into_iter().map(into_token).collect()
}

pub(crate) fn revoke_token(conn: &Connection, id: &str, at: DateTime<Utc>) -> Result<bool, Error> {
    let changed = conn
        .execute(
            "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, timestamp(at)],
        )
        .map_err(|e| Error::sqlite("cannot revoke the API token", e))?;
    Ok(changed == 1)
}

pub(crate) fn touch_token(conn: &Connection, id: &str, at: DateTime<Utc>) -> Result<(), Error> {
    conn.execute("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1", params![id, timestamp(at)])
        .map_err(|e| Error::sqlite("cannot mark the API token used", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_numbered_parameters_in_either_dialect() {
        let query = AuditQuery {
            actor: Some("ann".into()),
            action: Some("account.".into()),
            before: Some(42),
            limit: 5000,
            ..Default::default()
        };
        let (sql, values) = query.where_clause(|n| format!("${n}"));
        assert_eq!(
            sql,
            "WHERE actor = $1 AND substr(action, 1, length($2)) = $2 AND seq < CAST(CAST($3 AS TEXT) AS BIGINT)"
        );
        assert_eq!(values, ["ann", "account.", "42"]);
        assert_eq!(query.capped_limit(), 1000);
        let (sql, values) =
            AuditQuery { action: Some("query".into()), ..Default::default() }.where_clause(|n| format!("?{n}"));
        assert_eq!((sql.as_str(), values.len()), ("WHERE action = ?1", 1));
    }
}
