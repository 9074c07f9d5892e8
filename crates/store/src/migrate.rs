/*!
Schema migrations: numbered SQL steps, each applied once, in order, in its own transaction.

`schema_migrations(version, applied_at)` records what has been applied. A step is never edited
once released; a change is a new step. Opening a database whose version is newer than this build
knows is refused rather than guessed at.
*/

use crate::error::Error;
use rusqlite::{Connection, TransactionBehavior};

/// One schema step.
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) sql: &'static str,
}

/// Every step, in order. Timestamps are RFC 3339 text in UTC with microseconds; JSON columns hold
/// JSON text; booleans are 0/1.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: r#"
CREATE TABLE nodes (
    id         TEXT PRIMARY KEY,
    org        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    sub_kind   TEXT NOT NULL,
    name       TEXT NOT NULL,
    labels     TEXT NOT NULL,
    properties TEXT NOT NULL,
    updated_at TEXT
);
CREATE INDEX nodes_org ON nodes (org);
CREATE INDEX nodes_kind ON nodes (kind, sub_kind);
CREATE INDEX nodes_name ON nodes (name);
CREATE INDEX nodes_label_okta_org ON nodes (json_extract(labels, '$."okta/org"'));

CREATE TABLE edges (
    id         TEXT PRIMARY KEY,
    org        TEXT NOT NULL,
    from_id    TEXT NOT NULL,
    to_id      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    properties TEXT NOT NULL
);
CREATE INDEX edges_from ON edges (from_id);
CREATE INDEX edges_to ON edges (to_id);
CREATE INDEX edges_org ON edges (org);

CREATE TABLE integrations (
    name         TEXT PRIMARY KEY,
    org_url      TEXT NOT NULL,
    resources    BOOLEAN NOT NULL,
    system_log   BOOLEAN NOT NULL,
    status       TEXT NOT NULL,
    last_success TEXT,
    last_error   TEXT,
    updated_at   TEXT NOT NULL
);

CREATE TABLE sync_runs (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    integration        TEXT NOT NULL,
    kind               TEXT NOT NULL,
    started_at         TEXT NOT NULL,
    finished_at        TEXT,
    status             TEXT NOT NULL,
    counts             TEXT NOT NULL DEFAULT '{}',
    api_calls          INTEGER NOT NULL DEFAULT 0,
    rate_limit_waits   INTEGER NOT NULL DEFAULT 0,
    rate_limit_wait_ms INTEGER NOT NULL DEFAULT 0,
    error              TEXT,
    progress           TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sync_runs_integration ON sync_runs (integration, id);
"#,
    },
    Migration {
        // Placeholder until the access-path derivation lands (it will replace this table).
        version: 2,
        sql: r#"
CREATE TABLE access_path (
    identity            TEXT NOT NULL,
    identity_id         TEXT NOT NULL,
    identity_kind       TEXT NOT NULL,
    resource            TEXT NOT NULL,
    resource_id         TEXT NOT NULL,
    resource_kind       TEXT NOT NULL,
    resource_labels     TEXT NOT NULL,
    action              TEXT NOT NULL,
    kind                TEXT NOT NULL,
    standing_privileges INTEGER NOT NULL,
    via                 TEXT NOT NULL,
    org                 TEXT NOT NULL
);
CREATE INDEX access_path_identity ON access_path (identity);
CREATE INDEX access_path_resource ON access_path (resource);
CREATE INDEX access_path_org ON access_path (org);
"#,
    },
    Migration {
        // Access paths as the scan derives them: why a path is denied, and its time-bound grants.
        version: 3,
        sql: r#"
ALTER TABLE access_path ADD COLUMN reason TEXT;
ALTER TABLE access_path ADD COLUMN temporary_privileges INTEGER NOT NULL DEFAULT 0;
CREATE INDEX access_path_identity_id ON access_path (identity_id);
CREATE INDEX access_path_resource_id ON access_path (resource_id);
"#,
    },
    Migration {
        // Normalised activity from every source, the pollers' cursors, the gaps they found, and events
        // that could not be normalised (kept, with why).
        version: 4,
        sql: r#"
CREATE TABLE events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    source         TEXT NOT NULL,
    uuid           TEXT NOT NULL,
    time           TEXT NOT NULL,
    event_type     TEXT NOT NULL,
    category       TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    outcome_reason TEXT,
    severity       TEXT,
    actor_id       TEXT,
    actor_kind     TEXT,
    actor          TEXT,
    actor_name     TEXT,
    person         TEXT,
    targets        TEXT NOT NULL,
    ip             TEXT,
    city           TEXT,
    state          TEXT,
    country        TEXT,
    latitude       REAL,
    longitude      REAL,
    asn            TEXT,
    user_agent     TEXT,
    session        TEXT,
    message        TEXT,
    tenant         TEXT,
    integration    TEXT,
    ocsf           TEXT NOT NULL,
    raw            TEXT NOT NULL,
    ingested_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX events_source_uuid ON events (source, uuid);
CREATE INDEX events_time ON events (time);
CREATE INDEX events_person_time ON events (person, time);
CREATE INDEX events_actor_time ON events (actor, time);
CREATE INDEX events_type_time ON events (event_type, time);
CREATE INDEX events_ip ON events (ip);

CREATE TABLE log_cursors (
    stream     TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    events     INTEGER NOT NULL DEFAULT 0,
    last_time  TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE log_gaps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    stream      TEXT NOT NULL,
    from_time   TEXT,
    to_time     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    detected_at TEXT NOT NULL
);

CREATE TABLE rejected_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL,
    stream      TEXT,
    reason      TEXT NOT NULL,
    raw         TEXT NOT NULL,
    received_at TEXT NOT NULL
);
"#,
    },
    Migration {
        // What the scan derives beyond access paths: escalation paths to privileged targets, the
        // control edges they are built from, and who reached each crown jewel (so that the next scan
        // can say what changed).
        version: 5,
        sql: r#"
CREATE TABLE escalation_path (
    identity      TEXT NOT NULL,
    identity_id   TEXT NOT NULL,
    identity_kind TEXT NOT NULL,
    target        TEXT NOT NULL,
    target_id     TEXT NOT NULL,
    target_kind   TEXT NOT NULL,
    length        INTEGER NOT NULL,
    chain         TEXT NOT NULL,
    truncated     BOOLEAN NOT NULL,
    org           TEXT NOT NULL
);
CREATE INDEX escalation_path_identity ON escalation_path (identity);
CREATE INDEX escalation_path_identity_id ON escalation_path (identity_id);
CREATE INDEX escalation_path_target_id ON escalation_path (target_id);
CREATE INDEX escalation_path_target_kind ON escalation_path (target_kind);
CREATE INDEX escalation_path_org ON escalation_path (org);

CREATE TABLE control_edge (
    from_id     TEXT NOT NULL,
    to_id       TEXT NOT NULL,
    capability  TEXT NOT NULL,
    scope       TEXT NOT NULL,
    over_admins BOOLEAN NOT NULL,
    via_role    TEXT NOT NULL,
    via_group   TEXT,
    reason      TEXT NOT NULL,
    org         TEXT NOT NULL
);
CREATE INDEX control_edge_from ON control_edge (from_id);
CREATE INDEX control_edge_to ON control_edge (to_id);
CREATE INDEX control_edge_org ON control_edge (org);

CREATE TABLE crown_jewel_reach (
    jewel_id    TEXT NOT NULL,
    jewel_name  TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    identity    TEXT NOT NULL,
    how         TEXT NOT NULL,
    org         TEXT NOT NULL
);
CREATE INDEX crown_jewel_reach_jewel ON crown_jewel_reach (jewel_id);
CREATE INDEX crown_jewel_reach_org ON crown_jewel_reach (org);
"#,
    },
    Migration {
        // Detections: alerts (one per rule and entity within the rule's window), the events behind
        // each, who changed its status and why, the engine's position in the event stream (moved in the
        // same transaction as the alerts it wrote), and webhook deliveries (one per alert state).
        version: 6,
        sql: r#"
CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id      TEXT NOT NULL,
    title        TEXT NOT NULL,
    severity     TEXT NOT NULL,
    status       TEXT NOT NULL,
    entity_kind  TEXT NOT NULL,
    entity       TEXT NOT NULL,
    person       TEXT,
    actor_id     TEXT,
    first_seen   TEXT NOT NULL,
    last_seen    TEXT NOT NULL,
    count        INTEGER NOT NULL,
    summary      TEXT NOT NULL,
    details      TEXT NOT NULL,
    group_window INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX alerts_rule_entity ON alerts (rule_id, entity_kind, entity, id);
CREATE INDEX alerts_status ON alerts (status, last_seen);
CREATE INDEX alerts_last_seen ON alerts (last_seen);
CREATE INDEX alerts_person ON alerts (person);

CREATE TABLE alert_events (
    alert_id INTEGER NOT NULL,
    seq      INTEGER NOT NULL,
    PRIMARY KEY (alert_id, seq)
);
CREATE INDEX alert_events_seq ON alert_events (seq);

CREATE TABLE alert_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id    INTEGER NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    severity    TEXT NOT NULL,
    reason      TEXT NOT NULL
);
CREATE INDEX alert_history_alert ON alert_history (alert_id, id);

CREATE TABLE detector_cursors (
    name       TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id        INTEGER NOT NULL,
    webhook         TEXT NOT NULL,
    state           TEXT NOT NULL,
    delivery        TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    UNIQUE (webhook, alert_id, state)
);
CREATE INDEX notifications_due ON notifications (delivery, next_attempt_at);
"#,
    },
    Migration {
        // Sightline's own sign-in accounts, and private settings (integrations added in the web UI,
        // encrypted secrets). Neither is visible to user SQL (`crate::PRIVATE_TABLES`).
        version: 7,
        sql: r#"
CREATE TABLE accounts (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE settings (
    namespace  TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
);
"#,
    },
    Migration {
        // Sightline's own audit log and API tokens for automation (hashed). Private, like v7's tables.
        version: 8,
        sql: r#"
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    via         TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT,
    outcome     TEXT NOT NULL,
    client_ip   TEXT,
    duration_ms INTEGER,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    role         TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
);
"#,
    },
];

/// The version this build brings a database to.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Applies every pending step up to `target` (all of them when `None`). Returns the version the
/// database is at afterwards.
pub(crate) fn migrate(conn: &mut Connection, target: Option<i64>) -> Result<i64, Error> {
    let target = target.unwrap_or_else(latest_version);
    // Look first without taking the write lock: a database that is up to date opens even while
    // another process is in the middle of a long write (a sync).
    let current = current_version(conn).map_err(|e| Error::sqlite("cannot read the schema version", e))?;
    if current > latest_version() {
        return Err(newer(current));
    }
    if current >= target {
        return Ok(current);
    }
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .map_err(|e| Error::sqlite("cannot create schema_migrations", e))?;
    loop {
        // IMMEDIATE takes the write lock first, so two processes opening the same new file apply
        // each step once: the second waits, then sees the step done.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| Error::sqlite("cannot start a migration", e))?;
        let current: i64 = tx
            .query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |row| row.get(0))
            .map_err(|e| Error::sqlite("cannot read the schema version", e))?;
        if current > latest_version() {
            return Err(newer(current));
        }
        let Some(step) = MIGRATIONS.iter().find(|m| m.version > current && m.version <= target) else {
            return Ok(current);
        };
        tx.execute_batch(step.sql).map_err(|e| Error::sqlite(&format!("migration {} failed", step.version), e))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            rusqlite::params![step.version, crate::sqlite::timestamp(chrono::Utc::now())],
        )
        .map_err(|e| Error::sqlite("cannot record a migration", e))?;
        tx.commit().map_err(|e| Error::sqlite(&format!("migration {} failed", step.version), e))?;
        tracing::info!(version = step.version, "applied schema migration");
    }
}

/// The applied version, 0 for a new database.
fn current_version(conn: &Connection) -> rusqlite::Result<i64> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations')",
        [],
        |row| row.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    conn.query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |row| row.get(0))
}

fn newer(current: i64) -> Error {
    Error::database(format!(
        "the database is at schema version {current}, newer than this build of sightline knows ({}); \
         upgrade sightline",
        latest_version()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version);
        }
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn, None).unwrap(), latest_version());
        assert_eq!(migrate(&mut conn, None).unwrap(), latest_version());
        let applied: i64 = conn.query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0)).unwrap();
        assert_eq!(applied, MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_database_created_at_version_1_upgrades_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            assert_eq!(migrate(&mut conn, Some(1)).unwrap(), 1);
            conn.execute_batch(
                "INSERT INTO nodes VALUES ('u1', 'https://acme.okta.com', 'identity', 'okta_user', 'alice', \
                 '{\"okta/org\": \"https://acme.okta.com\"}', '{}', NULL); \
                 INSERT INTO integrations VALUES ('acme', 'https://acme.okta.com', 1, 0, 'ok', NULL, NULL, '2026-11-28T10:00:00.000000Z');",
            )
            .unwrap();
            let tables: i64 = conn
                .query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'access_path'", [], |r| r.get(0))
                .unwrap();
            assert_eq!(tables, 0);
        }
        // Opening with this build applies the rest.
        let store = crate::Store::open_sqlite(&path).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let nodes = rt.block_on(store.query("SELECT id, labels FROM nodes", Default::default())).unwrap();
        assert_eq!(
            nodes.rows,
            vec![vec![serde_json::json!("u1"), serde_json::json!({"okta/org": "https://acme.okta.com"})]]
        );
        let paths = rt.block_on(store.query("SELECT count(*) FROM access_path", Default::default())).unwrap();
        assert_eq!(paths.rows, vec![vec![serde_json::json!(0)]]);
        assert_eq!(rt.block_on(store.integrations()).unwrap()[0].name, "acme");
        let conn = Connection::open(&path).unwrap();
        let versions: Vec<i64> = conn
            .prepare("SELECT version FROM schema_migrations ORDER BY version")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(versions, MIGRATIONS.iter().map(|m| m.version).collect::<Vec<_>>());
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, None).unwrap();
        conn.execute("INSERT INTO schema_migrations VALUES (?1, 'later')", [latest_version() + 1]).unwrap();
        let error = migrate(&mut conn, None).unwrap_err();
        assert!(error.to_string().contains("newer"), "{error}");
    }
}
