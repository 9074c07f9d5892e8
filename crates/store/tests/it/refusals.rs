//! Everything user SQL may not do is refused on both backends, with a reason, and the store is
//! unchanged afterwards.

use crate::util::{Backend, TempStore, both, runtime};
use serde_json::json;
use store::{ErrorKind, QueryLimits};

fn every_refusal(backend: Backend) {
    let t = TempStore::with_fixture_on(backend);
    let rt = runtime();
    for (sql, reason) in [
        ("INSERT INTO nodes (id) VALUES ('x')", "INSERT is not allowed"),
        ("UPDATE nodes SET name = 'x'", "UPDATE is not allowed"),
        ("DELETE FROM edges", "DELETE is not allowed"),
        ("MERGE INTO nodes n USING edges e ON n.id = e.id WHEN MATCHED THEN DELETE", "MERGE is not allowed"),
        ("CREATE TABLE t (a int)", "CREATE TABLE is not allowed"),
        ("DROP TABLE nodes", "DROP TABLE is not allowed"),
        ("ALTER TABLE nodes ADD COLUMN x int", "ALTER TABLE is not allowed"),
        ("TRUNCATE nodes", "TRUNCATE is not allowed"),
        ("CREATE INDEX i ON nodes (name)", "CREATE INDEX is not allowed"),
        ("ATTACH DATABASE '/tmp/x.db' AS x", "ATTACH is not allowed"),
        ("PRAGMA query_only = OFF", "PRAGMA is not allowed"),
        ("CREATE EXTENSION dblink", "CREATE EXTENSION is not allowed"),
        ("LOAD 'auto_explain'", "LOAD is not allowed"),
        ("COPY nodes TO '/tmp/nodes.csv'", "COPY is not allowed"),
        ("COPY (SELECT 1) TO PROGRAM 'id'", "COPY is not allowed"),
        ("SET statement_timeout = 0", "SET is not allowed"),
        ("SET ROLE postgres", "SET is not allowed"),
        ("RESET ROLE", "is not allowed"),
        ("VACUUM", "VACUUM is not allowed"),
        ("GRANT SELECT ON nodes TO public", "GRANT is not allowed"),
        ("SELECT 1; SELECT 2", "only one statement"),
        ("SELECT 1; DROP TABLE nodes", "only one statement"),
        ("SELECT 1 /* comment */; DELETE FROM nodes -- trailing", "only one statement"),
        ("/* SELECT */ DELETE FROM nodes", "DELETE is not allowed"),
        ("-- SELECT\nDROP TABLE nodes", "DROP TABLE is not allowed"),
        ("SELECT * INTO stolen FROM nodes", "INTO"),
        ("SELECT * FROM nodes FOR UPDATE", "FOR UPDATE"),
        ("WITH gone AS (DELETE FROM nodes RETURNING id) SELECT count(*) FROM gone", "DELETE is not allowed"),
        ("SELECT pg_read_file('/etc/passwd')", "pg_read_file"),
        ("SELECT readfile('/etc/passwd')", "readfile"),
        ("SELECT pg_ls_dir('.')", "pg_ls_dir"),
        ("SELECT lo_import('/etc/passwd')", "lo_import"),
        ("SELECT set_config('statement_timeout', '0', false)", "set_config"),
        ("SELECT pg_terminate_backend(1)", "pg_terminate_backend"),
        ("SELECT load_extension('x')", "load_extension"),
        ("SELECT * FROM pg_catalog.pg_authid", "pg_authid"),
        ("SELECT * FROM sqlite_master", "sqlite_master"),
        ("SELECT * FROM schema_migrations", "schema_migrations"),
        // Sightline's own private tables: sign-in accounts, sealed settings, its audit log, API tokens.
        ("SELECT password_hash FROM accounts", "accounts"),
        ("SELECT value FROM settings", "settings"),
        ("SELECT * FROM audit_log", "audit_log"),
        ("SELECT token_hash FROM api_tokens", "api_tokens"),
        ("SELECT n.name FROM nodes n JOIN api_tokens t ON t.name = n.name", "api_tokens"),
    ] {
        let error = rt.block_on(t.store.query(sql, QueryLimits::default())).unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::Sql { .. }), "{backend:?} {sql}: {error}");
        assert!(error.to_string().contains(reason), "{backend:?} {sql}: {error}");
    }
    let count = |sql: &str| rt.block_on(t.store.query(sql, QueryLimits::default())).unwrap().rows;
    assert_eq!(count("SELECT count(*) FROM nodes"), vec![vec![json!(11)]]);
    assert_eq!(count("SELECT count(*) FROM edges"), vec![vec![json!(7)]]);
}
both!(every_refusal);
