/*!
Entry points for the fuzz targets under `fuzz/` and the corpus regression tests: the two paths
user SQL takes (translation to SQLite, the PostgreSQL guard) without a running server. Not part
of the API; may change at any time.
*/

use crate::error::Error;
use crate::sqlite::Sqlite;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::{Connection, OpenFlags};
use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// What `now()` stands for in translations.
const NOW: &str = "2024-03-01T12:00:00.000000Z";

/// A migrated SQLite store to translate against, and a connection that prepares translations and
/// reports what they would do.
pub struct UserSql {
    db: Sqlite,
    tables: BTreeSet<String>,
    probe: Connection,
    seen: Arc<Mutex<Vec<String>>>,
}

impl UserSql {
    /// Creates the store in `dir` (which must exist).
    pub fn open(dir: &Path) -> Result<UserSql, Error> {
        let path = dir.join("fuzz.db");
        let db = Sqlite::open(&path)?;
        let tables: BTreeSet<String> = db.catalog.tables.keys().cloned().collect();
        let context = "cannot open the probe connection";
        let mut probe = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| Error::sqlite(context, e))?;
        crate::functions::register(&probe).map_err(|e| Error::sqlite(context, e))?;
        crate::table_functions::register(&probe).map_err(|e| Error::sqlite(context, e))?;
        let allowed: HashSet<String> =
            tables.iter().cloned().chain(crate::table_functions::sqlite_names().map(str::to_string)).collect();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        // Everything but reading the store's tables and calling functions is recorded (and
        // refused): a translation that needs any of it has escaped the allow-list.
        probe
            .authorizer(Some(move |ctx: AuthContext<'_>| {
                let fine = match ctx.action {
                    AuthAction::Select | AuthAction::Recursive | AuthAction::Function { .. } => true,
                    AuthAction::Read { table_name, .. } => {
                        ctx.accessor.is_some() || allowed.contains(&table_name.to_lowercase())
                    }
                    _ => false,
                };
                if fine {
                    Authorization::Allow
                } else {
                    record.lock().unwrap_or_else(|p| p.into_inner()).push(format!("{:?}", ctx.action));
                    Authorization::Deny
                }
            }))
            .map_err(|e| Error::sqlite(context, e))?;
        Ok(UserSql { db, tables, probe, seen })
    }

    /// The SQLite SQL a user query becomes, or why it is refused.
    pub fn translate(&self, sql: &str) -> Result<String, Error> {
        Ok(crate::rewrite::translate::translate(sql, &self.db.catalog, NOW)?.sql)
    }

    /// Prepares a translation on a read-only connection without the store's authorizer. `Ok` with
    /// what it tried that a user query may not do (nothing, for a sound translation), or `Err`
    /// with SQLite's message when it does not prepare at all.
    pub fn probe(&self, translated: &str) -> Result<Vec<String>, String> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let prepared = self.probe.prepare(translated).map(|stmt| stmt.readonly());
        let mut seen = std::mem::take(&mut *self.seen.lock().unwrap_or_else(|p| p.into_inner()));
        match prepared {
            Ok(true) => Ok(seen),
            Ok(false) => {
                seen.push("a statement that writes".into());
                Ok(seen)
            }
            Err(_) if !seen.is_empty() => Ok(seen),
            Err(rusqlite::Error::MultipleStatement) => Ok(vec!["more than one statement".into()]),
            Err(e) => Err(crate::error::sqlite_message(&e)),
        }
    }

    /// The PostgreSQL guard: the text that would be sent, or why it is refused.
    pub fn postgres(&self, sql: &str) -> Result<String, Error> {
        crate::postgres::guard::check(sql, &self.tables).map(|checked| checked.sql)
    }

    /// The `user_sql` fuzz target: both paths must refuse with an error or accept soundly. A
    /// translation must prepare (when SQLite can prepare it at all) as one read-only statement
    /// that reads only the store's tables; a query the PostgreSQL guard passes must re-parse as
    /// exactly one query, alone and inside the wrapper that runs it, and pass the guard again.
    pub fn check(&self, sql: &str) {
        use sqlparser::ast::Statement;
        use sqlparser::dialect::PostgreSqlDialect;
        use sqlparser::parser::{Parser, ParserError};
        match self.translate(sql) {
            Ok(translated) => {
                if let Ok(escaped) = self.probe(&translated) {
                    assert!(escaped.is_empty(), "{sql:?} became {translated:?}, which does {escaped:?}");
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
        match self.postgres(sql) {
            Ok(text) => {
                let wrapped = format!("SELECT json_build_array(q.c1)::text FROM (\n{text}\n) AS q(c1) LIMIT 1001");
                for candidate in [&text, &wrapped] {
                    let parsed = match Parser::parse_sql(&PostgreSqlDialect {}, candidate) {
                        Ok(parsed) => parsed,
                        // The wrapper adds nesting: sqlparser's own depth limit, not the guard's.
                        Err(ParserError::RecursionLimitExceeded) if candidate == &wrapped => continue,
                        Err(e) => panic!("{sql:?} passed the guard as {candidate:?}, which does not parse: {e}"),
                    };
                    assert!(
                        matches!(parsed.as_slice(), [Statement::Query(_)]),
                        "{sql:?} passed the guard as {candidate:?}, which is not one query: {parsed:?}"
                    );
                }
                if let Err(e) = self.postgres(&text) {
                    panic!("{sql:?} passed the guard as {text:?}, which the guard refuses: {e}");
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every query of the fuzz corpus (`fuzz/corpus/user_sql/`) still passes both paths' checks.
    #[test]
    fn the_user_sql_corpus_passes() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/user_sql");
        let dir = tempfile::tempdir().unwrap();
        let sql = UserSql::open(dir.path()).unwrap();
        let mut count = 0;
        for entry in std::fs::read_dir(&corpus).unwrap_or_else(|e| panic!("cannot read {}: {e}", corpus.display())) {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            if let Ok(text) = std::str::from_utf8(&bytes) {
                sql.check(text);
                count += 1;
            }
        }
        assert!(count > 0, "{} is empty", corpus.display());
    }
}
