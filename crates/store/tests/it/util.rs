//! Shared helpers: a store on either backend that cleans up after itself, the SQL fixture.

use store::Store;
use store::testing::TempDatabase;

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A store in its own temporary directory (SQLite) or its own database (PostgreSQL), removed
/// when dropped.
pub struct TempStore {
    pub store: Store,
    pub dir: tempfile::TempDir,
    pub postgres: Option<TempDatabase>,
}

impl TempStore {
    pub fn new() -> TempStore {
        TempStore::on(Backend::Sqlite)
    }

    pub fn on(backend: Backend) -> TempStore {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => {
                let store = Store::open_sqlite(&dir.path().join("sightline.db")).expect("open store");
                TempStore { store, dir, postgres: None }
            }
            Backend::Postgres => {
                let database = TempDatabase::create();
                let store = runtime().block_on(Store::open_postgres(&database.url)).expect("open PostgreSQL store");
                TempStore { store, dir, postgres: Some(database) }
            }
        }
    }

    /// A SQLite store with `fixture.sql` loaded.
    pub fn with_fixture() -> TempStore {
        TempStore::with_fixture_on(Backend::Sqlite)
    }

    /// A store with `fixture.sql` loaded (through a second connection: the store has no API for
    /// arbitrary rows).
    pub fn with_fixture_on(backend: Backend) -> TempStore {
        let t = TempStore::on(backend);
        let fixture = include_str!("fixture.sql");
        match &t.postgres {
            None => {
                let conn = rusqlite::Connection::open(t.dir.path().join("sightline.db")).expect("open");
                conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
                conn.execute_batch(fixture).expect("load fixture");
            }
            Some(database) => {
                database.execute(fixture);
                // The fixture gives run ids itself; later runs continue after them.
                database.execute("SELECT setval(pg_get_serial_sequence('sync_runs', 'id'), max(id)) FROM sync_runs");
            }
        }
        t
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Runs a test function, taking a [`Backend`], once per backend: `both!(name);` after `fn name`.
macro_rules! both {
    ($test:ident) => {
        mod $test {
            #[test]
            fn sqlite() {
                super::$test(crate::util::Backend::Sqlite)
            }

            #[test]
            fn postgres() {
                super::$test(crate::util::Backend::Postgres)
            }
        }
    };
}
pub(crate) use both;
