//! User queries: limits, read-only enforcement, errors.

use crate::util::{Backend, TempStore, both, runtime};
use serde_json::json;
use std::time::{Duration, Instant};
use store::{ErrorKind, QueryLimits};

fn a_cartesian_join_stops_at_the_time_limit(backend: Backend) {
    let t = TempStore::with_fixture_on(backend);
    let rt = runtime();
    let limits = QueryLimits { timeout: Duration::from_millis(300), ..Default::default() };
    // 11^8 ≈ 214 million rows to count: minutes of work.
    let sql = "SELECT count(*) FROM nodes a, nodes b, nodes c, nodes d, nodes e, nodes f, nodes g, nodes h";
    let started = Instant::now();
    let error = rt.block_on(t.store.query(sql, limits)).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Timeout, "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    // The connection is fine afterwards.
    let result = rt.block_on(t.store.query("SELECT count(*) FROM nodes", QueryLimits::default())).unwrap();
    assert_eq!(result.rows, vec![vec![json!(11)]]);
}
both!(a_cartesian_join_stops_at_the_time_limit);

fn rows_beyond_the_cap_are_cut(backend: Backend) {
    let t = TempStore::with_fixture_on(backend);
    let rt = runtime();
    let limits = QueryLimits { max_rows: 4, ..Default::default() };
    let result = rt.block_on(t.store.query("SELECT id FROM nodes ORDER BY id", limits)).unwrap();
    assert_eq!(result.rows.len(), 4);
    assert!(result.truncated);
    let limits = QueryLimits { max_rows: 11, ..Default::default() };
    let result = rt.block_on(t.store.query("SELECT id FROM nodes", limits)).unwrap();
    assert!(!result.truncated);
}
both!(rows_beyond_the_cap_are_cut);

fn writes_are_refused_with_a_position(backend: Backend) {
    let t = TempStore::with_fixture_on(backend);
    let rt = runtime();
    for (sql, needle, position) in [
        ("UPDATE nodes SET name = 'x'", "UPDATE is not allowed", (1, 1)),
        ("SELECT 1;\nDROP TABLE nodes", "only one statement", (2, 1)),
        ("WITH x AS (DELETE FROM nodes RETURNING id) SELECT * FROM x", "DELETE is not allowed", (1, 12)),
        ("SELECT *\nFROM nodes\nWHERE readfile('/etc/passwd') IS NOT NULL", "readfile", (3, 7)),
        ("SELECT sqlite_version()", "sqlite_version", (1, 8)),
    ] {
        let error = rt.block_on(t.store.query(sql, QueryLimits::default())).unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::Sql { .. }), "{sql}: {error}");
        assert!(error.to_string().contains(needle), "{sql}: {error}");
        assert_eq!(error.position(), Some(position), "{sql}: {error}");
    }
    let result = rt.block_on(t.store.query("SELECT count(*) FROM nodes", QueryLimits::default())).unwrap();
    assert_eq!(result.rows, vec![vec![json!(11)]]);
}
both!(writes_are_refused_with_a_position);

fn a_long_query_does_not_block_writes(backend: Backend) {
    let t = TempStore::with_fixture_on(backend);
    let rt = runtime();
    let store = t.store.clone();
    let limits = QueryLimits { timeout: Duration::from_secs(2), ..Default::default() };
    let slow = rt.spawn(async move {
        store.query("SELECT count(*) FROM nodes a, nodes b, nodes c, nodes d, nodes e, nodes f, nodes g", limits).await
    });
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    rt.block_on(t.store.replace_snapshot("https://new.okta.com", vec![], vec![])).unwrap();
    rt.block_on(t.store.start_run("new", store::RunKind::Logs)).unwrap();
    assert!(started.elapsed() < Duration::from_secs(1), "a write waited {:?}", started.elapsed());
    let _ = rt.block_on(slow).unwrap();
}
both!(a_long_query_does_not_block_writes);

fn runaway_queries_do_not_hold_up_other_users(backend: Backend) {
    let t = TempStore::with_fixture_on(backend);
    let rt = runtime();
    let limits = QueryLimits { timeout: Duration::from_secs(2), ..Default::default() };
    // Two users' cartesian joins (11^10 rows each: minutes of work even where SQLite counts 11^8 in
    // two seconds), one per core of a small machine.
    let runaways: Vec<_> = (0..2)
        .map(|_| {
            let store = t.store.clone();
            rt.spawn(async move {
                let sql = "SELECT count(*) FROM nodes a, nodes b, nodes c, nodes d, nodes e, nodes f, nodes g, nodes h, \
                           nodes i, nodes j";
                store.query(sql, limits).await
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..5 {
        let started = Instant::now();
        let result = rt.block_on(t.store.query("SELECT count(*) FROM nodes", QueryLimits::default())).unwrap();
        assert_eq!(result.rows, vec![vec![json!(11)]]);
        assert!(started.elapsed() < Duration::from_secs(1), "another user's query waited {:?}", started.elapsed());
    }
    for runaway in runaways {
        let error = rt.block_on(runaway).unwrap().unwrap_err();
        assert_eq!(*error.kind(), ErrorKind::Timeout, "{error}");
    }
}
both!(runaway_queries_do_not_hold_up_other_users);

fn engine_errors_are_sql_errors(backend: Backend) {
    let t = TempStore::with_fixture_on(backend);
    let rt = runtime();
    let error = rt.block_on(t.store.query("SELECT (name)::int FROM nodes", QueryLimits::default())).unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Sql { position: None, .. }), "{error}");
    assert!(error.to_string().contains("invalid input syntax for type integer"), "{error}");
}
both!(engine_errors_are_sql_errors);

#[test]
fn a_second_process_opens_and_queries_while_a_write_is_in_progress() {
    let t = TempStore::with_fixture();
    let rt = runtime();
    // Another process in the middle of a long write.
    let other = rusqlite::Connection::open(t.dir.path().join("sightline.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE; DELETE FROM edges;").unwrap();
    let started = Instant::now();
    let second = store::Store::open_sqlite(&t.dir.path().join("sightline.db")).unwrap();
    let result = rt.block_on(second.query("SELECT count(*) FROM edges", QueryLimits::default())).unwrap();
    assert_eq!(result.rows, vec![vec![json!(7)]], "readers see the last commit");
    assert!(started.elapsed() < Duration::from_secs(2), "opening waited {:?}", started.elapsed());
    other.execute_batch("ROLLBACK").unwrap();
}
