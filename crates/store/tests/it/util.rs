//! Shared helpers: a store in a temporary directory, the SQL fixture.

use store::Store;

/// A store in its own temporary directory (removed when dropped).
pub struct TempStore {
    pub store: Store,
    pub dir: tempfile::TempDir,
}

impl TempStore {
    pub fn new() -> TempStore {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_sqlite(&dir.path().join("sightline.db")).expect("open store");
        TempStore { store, dir }
    }

    /// Loads `fixture.sql` (through a second connection: the store has no API for arbitrary rows).
    pub fn with_fixture() -> TempStore {
        let t = TempStore::new();
        let conn = rusqlite::Connection::open(t.dir.path().join("sightline.db")).expect("open");
        conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        conn.execute_batch(include_str!("fixture.sql")).expect("load fixture");
        t
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}
