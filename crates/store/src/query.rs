//! Running translated user SQL on a query connection: time limit, row cap, PostgreSQL-shaped values.

use crate::error::{Error, is_interrupt, sqlite_message};
use crate::model::{QueryLimits, QueryResult};
use crate::rewrite::catalog::Ty;
use crate::rewrite::translate::Translation;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use serde_json::Value;
use std::time::Instant;

/// SQLite virtual-machine steps between two looks at the clock.
const PROGRESS_STEPS: i32 = 1_000;

pub(crate) fn execute(
    conn: &mut Connection,
    translation: &Translation,
    limits: QueryLimits,
) -> Result<QueryResult, Error> {
    // A limit too large to add to the clock means no limit.
    let deadline = Instant::now().checked_add(limits.timeout);
    conn.progress_handler(PROGRESS_STEPS, Some(move || deadline.is_some_and(|d| Instant::now() >= d)))
        .map_err(|e| Error::sqlite("cannot set the query time limit", e))?;
    let fail = |e: rusqlite::Error| {
        if is_interrupt(&e) {
            Error::timeout(limits.timeout)
        } else {
            let message = sqlite_message(&e);
            if message == "not authorized" {
                Error::sql("the query tried something a read-only query may not do (not authorized)", None)
            } else {
                Error::sql(message, None)
            }
        }
    };
    let mut stmt = conn.prepare(&translation.sql).map_err(fail)?;
    let mut rows = stmt.query([]).map_err(fail)?;
    let mut out = Vec::new();
    let mut truncated = false;
    while let Some(row) = rows.next().map_err(fail)? {
        if out.len() == limits.max_rows {
            truncated = true;
            break;
        }
        let mut values = Vec::with_capacity(translation.columns.len());
        for (i, column) in translation.columns.iter().enumerate() {
            let value = row.get_ref(i).map_err(fail)?;
            values.push(decode(value, column.ty));
        }
        out.push(values);
    }
    Ok(QueryResult { columns: translation.columns.iter().map(|c| c.name.clone()).collect(), rows: out, truncated })
}

/// A SQLite value as PostgreSQL would give it: jsonb as JSON, booleans as booleans.
fn decode(value: ValueRef<'_>, ty: Ty) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) if ty == Ty::Bool => Value::Bool(i != 0),
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f)
            .map_or_else(|| Value::String(crate::functions::float_text(f)), Value::Number),
        ValueRef::Text(t) => {
            let text = String::from_utf8_lossy(t);
            match ty {
                Ty::Json | Ty::Array => serde_json::from_str(&text).unwrap_or(Value::String(text.into_owned())),
                Ty::Bool => {
                    crate::rewrite::translate::parse_bool(&text).map_or(Value::String(text.into_owned()), Value::Bool)
                }
                _ => Value::String(text.into_owned()),
            }
        }
        ValueRef::Blob(b) => Value::String(format!("\\x{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>())),
    }
}
