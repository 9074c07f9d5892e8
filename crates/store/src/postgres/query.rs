//! Running checked user SQL on PostgreSQL: a read-only transaction under the query role, a time
//! limit on the server and a deadline on the client, a row cap, and values as PostgreSQL's own
//! JSON conversion gives them.

use super::QUERY_ROLE;
use super::guard::Checked;
use crate::error::Error;
use crate::model::{QueryLimits, QueryResult};
use deadpool_postgres::Object;
use serde_json::Value;
use std::time::Duration;
use tokio_postgres::error::{ErrorPosition, SqlState};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How long past its limit the client waits for the server to stop a query before cancelling it
/// itself (the server's `statement_timeout` normally fires first).
const CLIENT_GRACE: Duration = Duration::from_secs(2);

/// `json_build_array` takes at most this many arguments (PostgreSQL's `FUNC_MAX_ARGS`).
const MAX_FUNCTION_ARGS: usize = 100;

pub(super) async fn run(
    mut client: Object,
    tls: &MakeRustlsConnect,
    checked: &Checked,
    use_role: bool,
    limits: QueryLimits,
) -> Result<QueryResult, Error> {
    let cancel = client.cancel_token();
    let outcome =
        tokio::time::timeout(limits.timeout + CLIENT_GRACE, execute(&mut client, checked, use_role, limits)).await;
    match outcome {
        Ok(result) => result,
        Err(_) => {
            // The server did not stop it: cancel it, and do not return this connection to the pool.
            if let Err(error) = cancel.cancel_query(tls.clone()).await {
                tracing::warn!(%error, "could not cancel a query that ran past its time limit");
            }
            drop(Object::take(client));
            Err(Error::timeout(limits.timeout))
        }
    }
}

async fn execute(
    client: &mut Object,
    checked: &Checked,
    use_role: bool,
    limits: QueryLimits,
) -> Result<QueryResult, Error> {
    let internal = |e: tokio_postgres::Error| super::pg_error("cannot run the query", e);
    let tx = client.build_transaction().read_only(true).start().await.map_err(internal)?;
    let millis = limits.timeout.as_millis().clamp(1, i32::MAX as u128);
    let role = if use_role { format!("; SET LOCAL ROLE {QUERY_ROLE}") } else { String::new() };
    tx.batch_execute(&format!("SET LOCAL statement_timeout = {millis}{role}")).await.map_err(internal)?;

    let statement = tx.prepare(&checked.sql).await.map_err(|e| user_error(e, &checked.sql, 0, limits))?;
    let columns: Vec<String> = statement.columns().iter().map(|c| c.name().to_string()).collect();
    let (wrapped, prefix) = wrap(&checked.sql, columns.len(), limits.max_rows.saturating_add(1));
    let rows = tx.query(&wrapped, &[]).await.map_err(|e| user_error(e, &checked.sql, prefix, limits))?;
    tx.rollback().await.map_err(internal)?;

    let mut out = Vec::with_capacity(rows.len().min(limits.max_rows));
    let mut truncated = false;
    for row in rows {
        if out.len() == limits.max_rows {
            truncated = true;
            break;
        }
        let text: &str = row.get(0);
        let values: Vec<Value> = serde_json::from_str(text)
            .map_err(|e| Error::database(format!("PostgreSQL returned a row that is not a JSON array: {e}")))?;
        out.push(values);
    }
    Ok(QueryResult { columns, rows: out, truncated })
}

/// The query inside one that turns each row into a JSON array (PostgreSQL's own JSON for every
/// type, in column order, duplicate names and all) and caps the rows. Returns the text and how
/// many characters come before the user's query in it.
fn wrap(sql: &str, columns: usize, cap: usize) -> (String, usize) {
    let names: Vec<String> = (1..=columns).map(|i| format!("c{i}")).collect();
    let arrays: Vec<String> = names
        .chunks(MAX_FUNCTION_ARGS)
        .map(|chunk| {
            format!("json_build_array({})", chunk.iter().map(|c| format!("q.{c}")).collect::<Vec<_>>().join(", "))
        })
        .collect();
    let row = match arrays.as_slice() {
        [] => "'[]'::text".to_string(),
        [one] => format!("{one}::text"),
        many => format!("({})::text", many.iter().map(|a| format!("{a}::jsonb")).collect::<Vec<_>>().join(" || ")),
    };
    let alias = if names.is_empty() { "q".to_string() } else { format!("q({})", names.join(", ")) };
    let prefix = format!("SELECT {row} FROM (\n");
    (format!("{prefix}{sql}\n) AS {alias} LIMIT {cap}"), prefix.chars().count())
}

/// A server error about the user's query: its message and, when PostgreSQL gives one, the
/// position in the user's text.
fn user_error(error: tokio_postgres::Error, sql: &str, prefix: usize, limits: QueryLimits) -> Error {
    let Some(db) = error.as_db_error() else {
        return super::pg_error("the query failed", error);
    };
    if db.code() == &SqlState::QUERY_CANCELED {
        return Error::timeout(limits.timeout);
    }
    let position = match db.position() {
        Some(ErrorPosition::Original(at)) => (*at as usize).checked_sub(prefix).and_then(|at| line_column(sql, at)),
        _ => None,
    };
    let mut message = db.message().to_string();
    if let Some(detail) = db.detail() {
        message.push_str(&format!(" ({detail})"));
    }
    if let Some(hint) = db.hint() {
        message.push_str(&format!("; hint: {hint}"));
    }
    Error::sql(message, position)
}

/// `(line, column)` of the `at`-th character (from 1).
fn line_column(sql: &str, at: usize) -> Option<(u64, u64)> {
    let before: String = sql.chars().take(at.checked_sub(1)?).collect();
    if before.chars().count() + 1 != at || at > sql.chars().count() + 1 {
        return None;
    }
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    Some((line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_from_one() {
        assert_eq!(line_column("SELECT nope", 8), Some((1, 8)));
        assert_eq!(line_column("SELECT 'é',\n  nope", 15), Some((2, 3)));
        assert_eq!(line_column("SELECT", 40), None);
    }

    #[test]
    fn wide_results_are_built_in_chunks() {
        let (sql, prefix) = wrap("SELECT 1", 150, 11);
        assert!(sql.contains("json_build_array(q.c1,") && sql.contains("::jsonb || json_build_array(q.c101"), "{sql}");
        assert!(sql.ends_with("LIMIT 11"));
        assert_eq!(&sql[prefix..prefix + 8], "SELECT 1");
        assert!(wrap("SELECT", 0, 1).0.starts_with("SELECT '[]'::text FROM (\nSELECT\n) AS q LIMIT"));
    }
}
