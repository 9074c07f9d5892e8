/*!
The SQLite backend's connections: one writer behind a mutex, and a small pool of read-only
connections for user queries, so a long query never holds up a write (WAL mode).

Query connections are locked down three ways: opened read-only, `PRAGMA query_only`, and an
authorizer that allows only reading the catalog's tables and calling the functions the translator
emits.
*/

use crate::error::Error;
use crate::functions;
use crate::rewrite::catalog::Catalog;
use crate::rewrite::translate::EMITTED_FUNCTIONS;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::config::DbConfig;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How long a connection waits for another's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Idle query connections kept for reuse.
const MAX_IDLE_READERS: usize = 4;

/// The writer's page cache, at most 512 MiB (a negative `cache_size` is in KiB). SQLite takes
/// pages as it needs them, so this is what a million-row snapshot may use, not what every
/// process holds (it is released after each snapshot replace).
const WRITER_CACHE_KIB: i64 = 512 * 1024;

/// Page size of new databases. Larger pages than SQLite's 4 KiB default mean fewer page splits
/// and allocations when a snapshot writes a million rows, and fewer, fuller pages for events
/// (4.3 KB rows left a fifth of each 16 KiB page empty): an Okta event ingest took 12% less CPU
/// time than at 16 KiB, mostly in the kernel. Lookups of a single row read a bigger page (0.1 ms
/// rather than 0.03 ms in the benchmark's one-user queries). Existing databases keep theirs.
const PAGE_SIZE: i64 = 32 * 1024;

/// The automatic checkpoint threshold for ordinary writes (64 MiB of WAL). SQLite's default of
/// 1,000 pages made a steady event ingest copy the same index pages into the database file four
/// times as often, and fsync it as often.
const WAL_AUTOCHECKPOINT_BYTES: i64 = 64 * 1024 * 1024;

/// [`WAL_AUTOCHECKPOINT_BYTES`] in pages of the database `conn` has open (SQLite counts pages).
pub(crate) fn wal_autocheckpoint_pages(conn: &Connection) -> i64 {
    let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap_or(PAGE_SIZE);
    WAL_AUTOCHECKPOINT_BYTES / page_size.max(512)
}

/// After a checkpoint the WAL file is cut back to this size (bytes).
const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// A timestamp as stored: RFC 3339, UTC, microseconds (`2026-11-28T19:00:00.123456Z`), so text
/// order is time order.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, Error> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::database(format!("bad timestamp {text:?} in the database: {e}")))
}

/// The open database.
pub(crate) struct Sqlite {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    pub(crate) catalog: Arc<Catalog>,
    allowed_tables: Arc<HashSet<String>>,
    /// A background checkpoint is running.
    checkpointing: Arc<AtomicBool>,
}

impl Sqlite {
    pub(crate) fn open(path: &Path) -> Result<Sqlite, Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create the directory {}", dir.display()), e))?;
        }
        let context = format!("cannot open the database {}", path.display());
        let mut writer = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| Error::sqlite(&context, e))?;
        configure_writer(&writer).map_err(|e| Error::sqlite(&context, e))?;
        crate::migrate::migrate(&mut writer, None)?;
        let catalog = Catalog::load(&writer)?;
        let allowed_tables =
            catalog.tables.keys().cloned().chain(crate::table_functions::sqlite_names().map(str::to_string)).collect();
        Ok(Sqlite {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            catalog: Arc::new(catalog),
            allowed_tables: Arc::new(allowed_tables),
            checkpointing: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Copies the WAL into the database file on another thread, without blocking readers or the
    /// writer (a passive checkpoint). Used after large commits, which skip the automatic
    /// checkpoint so that their caller does not wait for it.
    pub(crate) fn checkpoint_in_background(&self) {
        if self.checkpointing.swap(true, Ordering::AcqRel) {
            return;
        }
        let path = self.path.clone();
        let running = self.checkpointing.clone();
        std::thread::spawn(move || {
            let result =
                Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                    .and_then(|conn| {
                        conn.busy_timeout(BUSY_TIMEOUT)?;
                        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    });
            if let Err(error) = result {
                tracing::debug!(%error, "background checkpoint failed; the next one will catch up");
            }
            running.store(false, Ordering::Release);
        });
    }

    /// The writer connection (waits for other writes of this process).
    pub(crate) fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (transactions roll back on drop).
        self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A query connection from the pool, or a new one.
    pub(crate) fn reader(&self) -> Result<Connection, Error> {
        if let Some(conn) = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            return Ok(conn);
        }
        open_reader(&self.path, self.allowed_tables.clone())
            .map_err(|e| Error::sqlite(&format!("cannot open a query connection to {}", self.path.display()), e))
    }

    /// Returns a query connection to the pool.
    pub(crate) fn give_back(&self, mut conn: Connection) {
        let _ = conn.progress_handler(0, None::<fn() -> bool>);
        let mut idle = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
    }
}

fn configure_writer(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DML, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DDL, false)?;
    // Only takes effect on a new, empty database (before WAL mode is set).
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "the database is not in WAL mode; queries may wait for writes");
    }
    // NORMAL is safe in WAL mode (no corruption); a power loss may lose the last commits.
    conn.execute_batch(&format!(
        "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{WRITER_CACHE_KIB}; \
         PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}; PRAGMA wal_autocheckpoint = {}; PRAGMA threads = 2;",
        wal_autocheckpoint_pages(conn)
    ))?;
    Ok(())
}

fn open_reader(path: &Path, allowed_tables: Arc<HashSet<String>>) -> rusqlite::Result<Connection> {
    let mut conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DML, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DDL, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.execute_batch("PRAGMA query_only = ON; PRAGMA temp_store = MEMORY;")?;
    functions::register(&conn)?;
    crate::table_functions::register(&conn)?;
    let allowed_functions: HashSet<&'static str> =
        EMITTED_FUNCTIONS.iter().chain(functions::NAMES.iter()).copied().collect();
    conn.authorizer(Some(move |ctx: AuthContext<'_>| authorize(&ctx, &allowed_tables, &allowed_functions)))?;
    Ok(conn)
}

/// What a query connection may do: SELECT, read the catalog's tables, call known functions.
fn authorize(ctx: &AuthContext<'_>, tables: &HashSet<String>, functions: &HashSet<&'static str>) -> Authorization {
    let allowed = match ctx.action {
        AuthAction::Select | AuthAction::Recursive => true,
        AuthAction::Read { table_name, .. } => {
            // Reads through a view are checked at the view; the schema table never.
            ctx.accessor.is_some() || tables.contains(&table_name.to_lowercase())
        }
        AuthAction::Function { function_name } => functions.contains(function_name.to_lowercase().as_str()),
        _ => false,
    };
    if allowed { Authorization::Allow } else { Authorization::Deny }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// New databases get the page size chosen here; one made with another keeps its own, and
    /// the checkpoint threshold stays 64 MiB of WAL either way.
    #[test]
    fn page_size_and_checkpoint_threshold() {
        let dir = tempfile::tempdir().unwrap();
        let page_size = |conn: &Connection| conn.query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0)).unwrap();
        let threshold =
            |conn: &Connection| conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get::<_, i64>(0)).unwrap();
        let new = dir.path().join("new.db");
        drop(Sqlite::open(&new).unwrap());
        let conn = Connection::open(&new).unwrap();
        configure_writer(&conn).unwrap();
        assert_eq!((page_size(&conn), threshold(&conn)), (PAGE_SIZE, WAL_AUTOCHECKPOINT_BYTES / PAGE_SIZE));

        let old = dir.path().join("old.db");
        let conn = Connection::open(&old).unwrap();
        conn.execute_batch("PRAGMA page_size = 4096; CREATE TABLE t (a);").unwrap();
        drop(conn);
        drop(Sqlite::open(&old).unwrap());
        let conn = Connection::open(&old).unwrap();
        configure_writer(&conn).unwrap();
        assert_eq!((page_size(&conn), threshold(&conn)), (4096, WAL_AUTOCHECKPOINT_BYTES / 4096));
    }

    /// The engine refuses what the translator would never emit, should anything get through.
    #[test]
    fn query_connections_cannot_write_or_escape() {
        let dir = tempfile::tempdir().unwrap();
        let db = Sqlite::open(&dir.path().join("t.db")).unwrap();
        let conn = db.reader().unwrap();
        let refused = |sql: &str| match conn.prepare(sql).and_then(|mut s| s.query([]).map(|_| ())) {
            Ok(()) => panic!("{sql} was allowed"),
            Err(e) => crate::error::sqlite_message(&e),
        };
        for sql in [
            "INSERT INTO nodes (id, org, kind, sub_kind, name, labels, properties) VALUES ('x','o','k','s','n','{}','{}')",
            "DELETE FROM nodes",
            "DROP TABLE nodes",
            "CREATE TABLE t (a)",
            "ATTACH DATABASE ':memory:' AS other",
            "PRAGMA query_only = OFF",
            "PRAGMA writable_schema = ON",
            "SELECT * FROM sqlite_schema",
            "SELECT * FROM schema_migrations",
            "SELECT sqlite_version()",
            "SELECT load_extension('x')",
            "SELECT randomblob(10)",
            "SELECT json_each.value FROM json_each('[1]')",
        ] {
            let message = refused(sql);
            assert!(
                ["not authorized", "prohibited", "readonly", "no such"].iter().any(|m| message.contains(m)),
                "{sql}: {message}"
            );
        }
        // What the translator emits is allowed.
        let ok: String = conn.query_row("SELECT pg_lower('AB') || count(*) FROM nodes", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ab0");
        db.give_back(conn);
    }

    #[test]
    fn the_store_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<crate::Store>();
    }
}
