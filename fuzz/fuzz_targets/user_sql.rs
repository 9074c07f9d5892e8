//! User SQL: the SQLite translation and the PostgreSQL guard, with their invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

struct Db {
    sql: store::fuzzing::UserSql,
    _dir: tempfile::TempDir,
}

thread_local! {
    static DB: Db = {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let sql = store::fuzzing::UserSql::open(dir.path()).expect("a migrated store");
        Db { sql, _dir: dir }
    };
}

fuzz_target!(|data: &[u8]| {
    if let Ok(sql) = std::str::from_utf8(data) {
        DB.with(|db| db.sql.check(sql));
    }
});
