/*!
Sightline's store: the access graph, integrations and sync runs, and PostgreSQL-dialect SQL over
all of it.

[`Store`] is the one entry point. [`Store::open_sqlite`] opens (or creates) the embedded SQLite
database and brings its schema up to date; the collectors write a graph snapshot per Okta org with
[`Store::replace_snapshot`] and record their [`Run`]s; users read everything with
[`Store::query`], in PostgreSQL's SQL dialect, read-only and time-limited.

The plain data types are [`Node`], [`Edge`], [`AccessPath`], [`EscalationRow`], [`ControlRow`],
[`JewelReachRow`] (the rows a scan derives, written with its snapshot through
[`Store::replace_snapshot_with_derived`]), [`Integration`], [`Run`], [`RunOutcome`],
[`QueryLimits`] and [`QueryResult`]; every failure is an [`Error`] whose [`ErrorKind`] says what
went wrong (for user SQL, with the line and column of the offending construct).

# Invariants

- **Only this crate emits SQL.** Other crates pass data in and get data out.
- **A snapshot replace is atomic.** [`Store::replace_snapshot`] swaps every node and edge of one
  org (and, with [`Store::replace_snapshot_with_derived`], every row derived from them) in a
  single transaction: readers see the old snapshot or the new one, and a failure (a duplicate id,
  a full disk) leaves the old one untouched.
- **User SQL cannot write.** [`Store::query`] accepts exactly one `SELECT` (or `WITH ... SELECT`),
  refuses any construct it cannot run with PostgreSQL's meaning (naming it and its position), and
  runs on connections that are read-only three times over (read-only open, `query_only`, an
  authorizer that allows reading known tables and calling known functions only).
- **Answers match PostgreSQL's.** The translation (`rewrite`) gives `jsonb` operators, `LIKE`,
  casts, `NULL` ordering, column names and value types PostgreSQL's behaviour; the table of
  cases in `tests/it/pg_cases.rs` holds results verified on PostgreSQL 15.

# Example

```no_run
# async fn example() -> Result<(), store::Error> {
let store = store::Store::open_sqlite(std::path::Path::new("sightline-data/sightline.db"))?;
let result = store
    .query(r#"SELECT name FROM nodes WHERE labels @> '{"teleport.dev/origin": "okta"}'"#, Default::default())
    .await?;
println!("{:?} {:?}", result.columns, result.rows);
# Ok(()) }
```

Storage work runs on blocking threads: one writer connection behind a mutex, and a small pool of
read-only connections for queries, so a long query never holds up a write (the database is in WAL
mode).
*/
#![deny(missing_docs)]

mod alerts;
mod audit;
mod browse;
mod error;
mod events;
mod functions;
#[doc(hidden)]
pub mod fuzzing;
mod investigate;
mod jsonb;
mod migrate;
mod model;
mod postgres;
mod private;
mod query;
mod rewrite;
mod runs;
mod snapshot;
mod sqlite;
mod table_functions;
pub mod testing;

pub use alerts::{
    Alert, AlertChange, AlertDetail, AlertFilter, AlertHistoryEntry, DeliveryResult, DetectionBatch, NewSignal,
    Notification, SEVERITIES, STATUSES, StatusChange, UserFactsRow, WebhookRoute, severity_rank,
};
pub use audit::{ApiToken, AuditEntry, AuditQuery};
pub use browse::{Bucket, NodeQuery};
pub use error::{Error, ErrorKind};
pub use investigate::{EventFilter, Facets, Place, TimelineEvent, TimelinePage};
pub use model::{
    AccessPath, AppendOutcome, ControlRow, CursorUpdate, DerivedRows, Edge, EscalationRow, EventBatch, Integration,
    JewelReachRow, LogCursor, NewEvent, Node, OktaPerson, QueryLimits, QueryResult, RejectedEvent, Run, RunKind,
    RunOutcome, SnapshotCounts, StoredEvent,
};
pub use private::Account;

use chrono::Utc;

/// Tables outside the SQL contract: user SQL can neither see nor read them.
pub(crate) const PRIVATE_TABLES: &[&str] = &["schema_migrations", "accounts", "settings", "audit_log", "api_tokens"];
use std::path::Path;
use std::sync::Arc;

/// The store. Cheap to clone (an [`Arc`] inside); clones share connections.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Backend>,
}

/// Where the data lives.
enum Backend {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend_name()).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` and applies pending migrations.
    /// The database is put in WAL mode; connections wait up to 10 s for another's lock.
    pub fn open_sqlite(path: &Path) -> Result<Store, Error> {
        Ok(Store { inner: Arc::new(Backend::Sqlite(sqlite::Sqlite::open(path)?)) })
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user[:password]@host[:port]/db`,
    /// with libpq's parameters such as `sslmode`), applies pending migrations and sets up the
    /// read-only role user queries run as (when this user may create roles).
    pub async fn open_postgres(url: &str) -> Result<Store, Error> {
        Ok(Store { inner: Arc::new(Backend::Postgres(postgres::Postgres::open(url).await?)) })
    }

    /// `sqlite` or `postgresql`.
    pub fn backend_name(&self) -> &'static str {
        match &*self.inner {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgresql",
        }
    }

    /// Runs `work` with the SQLite database on a blocking thread.
    async fn blocking<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&sqlite::Sqlite) -> Result<T, Error> + Send + 'static,
    {
        let inner = self.inner.clone();
        let task = tokio::task::spawn_blocking(move || match &*inner {
            Backend::Sqlite(db) => work(db),
            Backend::Postgres(_) => unreachable!("blocking() is only called for SQLite"),
        });
        match task.await {
            Ok(result) => result,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => Err(Error::database(format!("a store task was cancelled: {e}"))),
        }
    }

    fn postgres(&self) -> Option<&postgres::Postgres> {
        match &*self.inner {
            Backend::Postgres(pg) => Some(pg),
            Backend::Sqlite(_) => None,
        }
    }

    /// Saves an integration's configuration: inserts it, or updates its org URL and features.
    /// On update, `status`, `last_success` and `last_error` are kept: the runs maintain them.
    pub async fn upsert_integration(&self, integration: &Integration) -> Result<(), Error> {
        if let Some(pg) = self.postgres() {
            return pg.upsert_integration(integration).await;
        }
        let integration = integration.clone();
        self.blocking(move |db| runs::upsert_integration(&db.writer(), &integration)).await
    }

    /// Every integration, by name.
    pub async fn integrations(&self) -> Result<Vec<Integration>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.integrations().await;
        }
        self.blocking(|db| runs::integrations(&db.writer())).await
    }

    /// Records the start of a run (status `running`) and returns its id. The integration's
    /// status becomes `syncing`.
    pub async fn start_run(&self, integration: &str, kind: RunKind) -> Result<i64, Error> {
        if let Some(pg) = self.postgres() {
            return pg.start_run(integration, kind).await;
        }
        let integration = integration.to_string();
        self.blocking(move |db| runs::start_run(&mut db.writer(), &integration, kind, Utc::now())).await
    }

    /// Stores the latest progress report of a running run (free-form JSON for the UI).
    pub async fn update_run_progress(&self, run_id: i64, progress: serde_json::Value) -> Result<(), Error> {
        if let Some(pg) = self.postgres() {
            return pg.update_run_progress(run_id, &progress).await;
        }
        self.blocking(move |db| runs::update_progress(&db.writer(), run_id, &progress)).await
    }

    /// Records how a run ended, and updates its integration: `last_success` on success,
    /// `last_error` on failure, and `status` (`syncing` while another run goes on, else `error`
    /// if the latest run of some kind failed, else `ok`). Finishing a run twice is an error.
    pub async fn finish_run(&self, run_id: i64, outcome: &RunOutcome) -> Result<(), Error> {
        if let Some(pg) = self.postgres() {
            return pg.finish_run(run_id, outcome).await;
        }
        let outcome = outcome.clone();
        self.blocking(move |db| runs::finish_run(&mut db.writer(), run_id, &outcome, Utc::now())).await
    }

    /// Marks runs that a stopped process left `running` as failed (`interrupted: ...`) and
    /// returns how many there were. Call it at start-up from the process that syncs (not from
    /// `sightline query`, which may run beside it).
    pub async fn fail_interrupted_runs(&self) -> Result<u64, Error> {
        if let Some(pg) = self.postgres() {
            return pg.fail_interrupted_runs().await;
        }
        self.blocking(|db| runs::fail_interrupted(&mut db.writer(), Utc::now())).await
    }

    /// The latest `limit` runs of an integration, newest first.
    pub async fn runs(&self, integration: &str, limit: usize) -> Result<Vec<Run>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.runs(integration, limit).await;
        }
        let integration = integration.to_string();
        self.blocking(move |db| runs::runs(&db.writer(), &integration, limit)).await
    }

    /// Atomically replaces every node and edge of `org_url` with these, in one transaction: a
    /// failure leaves the previous snapshot untouched.
    ///
    /// Ids must be unique within the snapshot and across orgs (a duplicate is an
    /// [`ErrorKind::InvalidInput`] naming it). A node without the `okta/org` label gets it; a
    /// node labelled with another org is refused.
    pub async fn replace_snapshot(
        &self,
        org_url: &str,
        nodes: Vec<Node>,
        edges: Vec<Edge>,
    ) -> Result<SnapshotCounts, Error> {
        self.replace_snapshot_with_paths(org_url, nodes, edges, Vec::new()).await
    }

    /// [`Store::replace_snapshot`] together with the org's access paths, in the same transaction:
    /// the graph and the paths derived from it never disagree.
    pub async fn replace_snapshot_with_paths(
        &self,
        org_url: &str,
        nodes: Vec<Node>,
        edges: Vec<Edge>,
        access_paths: Vec<AccessPath>,
    ) -> Result<SnapshotCounts, Error> {
        let derived = DerivedRows { access_paths, ..DerivedRows::default() };
        self.replace_snapshot_with_derived(org_url, nodes, edges, derived).await
    }

    /// [`Store::replace_snapshot`] together with everything derived from the snapshot (access
    /// paths, escalation paths, control edges, crown-jewel reach), in the same transaction: each
    /// derived table's rows of the org are replaced whole, and a failure leaves the previous
    /// snapshot and its derived rows untouched.
    pub async fn replace_snapshot_with_derived(
        &self,
        org_url: &str,
        nodes: Vec<Node>,
        edges: Vec<Edge>,
        derived: DerivedRows,
    ) -> Result<SnapshotCounts, Error> {
        if let Some(pg) = self.postgres() {
            return pg.replace_snapshot(org_url, nodes, edges, derived).await;
        }
        let org_url = org_url.to_string();
        self.blocking(move |db| {
            let now = sqlite::timestamp(Utc::now());
            snapshot::replace(db, &org_url, nodes, edges, derived, &now)
        })
        .await
    }

    /// The crown-jewel reach stored with the org's latest snapshot (empty before the first), for
    /// comparing the next scan with it. Sorted.
    pub async fn crown_jewel_reach(&self, org_url: &str) -> Result<Vec<JewelReachRow>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.crown_jewel_reach(org_url).await;
        }
        let org_url = org_url.to_string();
        self.blocking(move |db| snapshot::crown_jewel_reach(&db.writer(), &org_url)).await
    }

    /// Stores a batch of events, the records that could not be normalised, and where their
    /// stream has got to, in one transaction: after a crash the stream resumes from a cursor that
    /// matches exactly what was stored. An event whose `(source, uuid)` is already stored is left
    /// as it was (counted in `duplicates`).
    pub async fn append_events(&self, batch: EventBatch) -> Result<AppendOutcome, Error> {
        if let Some(pg) = self.postgres() {
            return pg.append_events(&batch).await;
        }
        self.blocking(move |db| events::append(&mut db.writer(), &batch, Utc::now())).await
    }

    /// Where a log stream has got to, if it has started.
    pub async fn log_cursor(&self, stream: &str) -> Result<Option<LogCursor>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.log_cursor(stream).await;
        }
        let stream = stream.to_string();
        self.blocking(move |db| events::cursor(&db.writer(), &stream)).await
    }

    /// Records that a stream could not get the events between `from` and `to` (for example, its
    /// cursor fell out of the source's retention while it was stopped).
    pub async fn record_log_gap(
        &self,
        stream: &str,
        from: Option<chrono::DateTime<Utc>>,
        to: chrono::DateTime<Utc>,
        reason: &str,
    ) -> Result<(), Error> {
        if let Some(pg) = self.postgres() {
            return pg.record_log_gap(stream, from, to, reason).await;
        }
        let (stream, reason) = (stream.to_string(), reason.to_string());
        self.blocking(move |db| events::record_gap(&db.writer(), &stream, from, to, &reason, Utc::now())).await
    }

    /// The Okta users of every stored snapshot (id, login, email), to resolve people across sources.
    pub async fn okta_people(&self) -> Result<Vec<OktaPerson>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.okta_people().await;
        }
        self.blocking(|db| events::okta_people(&db.writer())).await
    }

    /// Events with `after < seq <= upto` (no upper bound when `None`) and, when `since` is given,
    /// `time >= since`, in `seq` order, at most `limit`: how detections read the stream.
    pub async fn events_page(
        &self,
        after: i64,
        upto: Option<i64>,
        since: Option<chrono::DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.events_page(after, upto, since, limit).await;
        }
        self.blocking(move |db| alerts::events_page(&db.writer(), after, upto, since, limit)).await
    }

    /// The smallest `seq` of an event that happened at or after `since`, if any.
    pub async fn first_seq_since(&self, since: chrono::DateTime<Utc>) -> Result<Option<i64>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.first_seq_since(since).await;
        }
        self.blocking(move |db| alerts::first_seq_since(&db.writer(), since)).await
    }

    /// The newest event's `seq` (0 when none is stored).
    pub async fn last_event_seq(&self) -> Result<i64, Error> {
        if let Some(pg) = self.postgres() {
            return pg.last_event_seq().await;
        }
        self.blocking(|db| alerts::last_seq(&db.writer())).await
    }

    /// The id of the latest successful resource scan of any integration: when it changes, the
    /// graph has changed.
    pub async fn graph_version(&self) -> Result<Option<i64>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.graph_version().await;
        }
        self.blocking(|db| alerts::graph_version(&db.writer())).await
    }

    /// The sign-in account `username`, if it exists.
    pub async fn account(&self, username: &str) -> Result<Option<Account>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.find_account(username).await;
        }
        let username = username.to_string();
        self.blocking(move |db| private::find_account(&db.writer(), &username)).await
    }

    /// Every sign-in account, by name.
    pub async fn accounts(&self) -> Result<Vec<Account>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.accounts().await;
        }
        self.blocking(|db| private::accounts(&db.writer())).await
    }

    /// Creates `account`; `false` (and nothing written) when its username is taken.
    pub async fn create_account(&self, account: &Account) -> Result<bool, Error> {
        if let Some(pg) = self.postgres() {
            return pg.create_account(account).await;
        }
        let account = account.clone();
        self.blocking(move |db| private::create_account(&db.writer(), &account)).await
    }

    /// Replaces an account's password hash; `false` when there is no such account.
    pub async fn set_password(&self, username: &str, password_hash: &str) -> Result<bool, Error> {
        if let Some(pg) = self.postgres() {
            return pg.set_password(username, password_hash).await;
        }
        let (username, hash) = (username.to_string(), password_hash.to_string());
        self.blocking(move |db| private::set_password(&db.writer(), &username, &hash)).await
    }

    /// Gives an account another role; `false` when there is no such account.
    pub async fn set_role(&self, username: &str, role: &str) -> Result<bool, Error> {
        if let Some(pg) = self.postgres() {
            return pg.set_role(username, role).await;
        }
        let (username, role) = (username.to_string(), role.to_string());
        self.blocking(move |db| private::set_role(&db.writer(), &username, &role)).await
    }

    /// Deletes an account; `false` when there was none.
    pub async fn delete_account(&self, username: &str) -> Result<bool, Error> {
        if let Some(pg) = self.postgres() {
            return pg.delete_account(username).await;
        }
        let username = username.to_string();
        self.blocking(move |db| private::delete_account(&db.writer(), &username)).await
    }

    /// Appends entries to Sightline's audit log, in one transaction.
    pub async fn record_audit(&self, entries: Vec<AuditEntry>) -> Result<(), Error> {
        if let Some(pg) = self.postgres() {
            return pg.record_audit(&entries).await;
        }
        self.blocking(move |db| audit::record(&db.writer(), &entries)).await
    }

    /// Audit entries matching `query`, newest first.
    pub async fn audit_log(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.audit_log(query).await;
        }
        let query = query.clone();
        self.blocking(move |db| audit::read(&db.writer(), &query)).await
    }

    /// Stores a new API token (its hash; the caller shows the secret once).
    pub async fn create_api_token(&self, token: &ApiToken) -> Result<(), Error> {
        if let Some(pg) = self.postgres() {
            return pg.create_api_token(token).await;
        }
        let token = token.clone();
        self.blocking(move |db| audit::create_token(&db.writer(), &token)).await
    }

    /// The API token with this id, revoked or not.
    pub async fn api_token(&self, id: &str) -> Result<Option<ApiToken>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.api_token(id).await;
        }
        let id = id.to_string();
        self.blocking(move |db| audit::token(&db.writer(), &id)).await
    }

    /// Every API token, newest first.
    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.api_tokens().await;
        }
        self.blocking(|db| audit::tokens(&db.writer())).await
    }

    /// Revokes an API token; `false` when there is none or it was already revoked.
    pub async fn revoke_api_token(&self, id: &str) -> Result<bool, Error> {
        if let Some(pg) = self.postgres() {
            return pg.revoke_api_token(id, Utc::now()).await;
        }
        let id = id.to_string();
        self.blocking(move |db| audit::revoke_token(&db.writer(), &id, Utc::now())).await
    }

    /// Records that an API token was just used.
    pub async fn touch_api_token(&self, id: &str) -> Result<(), Error> {
        if let Some(pg) = self.postgres() {
            return pg.touch_api_token(id, Utc::now()).await;
        }
        let id = id.to_string();
        self.blocking(move |db| audit::touch_token(&db.writer(), &id, Utc::now())).await
    }

    /// A private setting (callers encrypt what must be secret before storing it).
    pub async fn setting(&self, namespace: &str, key: &str) -> Result<Option<String>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.setting(namespace, key).await;
        }
        let (namespace, key) = (namespace.to_string(), key.to_string());
        self.blocking(move |db| private::setting(&db.writer(), &namespace, &key)).await
    }

    /// Every private setting of `namespace`, as `(key, value)` by key.
    pub async fn settings(&self, namespace: &str) -> Result<Vec<(String, String)>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.settings(namespace).await;
        }
        let namespace = namespace.to_string();
        self.blocking(move |db| private::settings(&db.writer(), &namespace)).await
    }

    /// Writes a private setting, replacing the previous value.
    pub async fn put_setting(&self, namespace: &str, key: &str, value: &str) -> Result<(), Error> {
        if let Some(pg) = self.postgres() {
            return pg.put_setting(namespace, key, value).await;
        }
        let (namespace, key, value) = (namespace.to_string(), key.to_string(), value.to_string());
        self.blocking(move |db| private::put_setting(&db.writer(), &namespace, &key, &value)).await
    }

    /// Deletes a private setting; `false` when it did not exist.
    pub async fn delete_setting(&self, namespace: &str, key: &str) -> Result<bool, Error> {
        if let Some(pg) = self.postgres() {
            return pg.delete_setting(namespace, key).await;
        }
        let (namespace, key) = (namespace.to_string(), key.to_string());
        self.blocking(move |db| private::delete_setting(&db.writer(), &namespace, &key)).await
    }

    /// The `seq` of the last event `detector` evaluated, if it has run.
    pub async fn detector_cursor(&self, detector: &str) -> Result<Option<i64>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.detector_cursor(detector).await;
        }
        let detector = detector.to_string();
        self.blocking(move |db| alerts::detector_cursor(&db.writer(), &detector)).await
    }

    /// The last successful Okta sign-in of each actor id among the events up to `upto`.
    pub async fn last_sign_ins(&self, upto: i64) -> Result<Vec<(String, chrono::DateTime<Utc>)>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.last_sign_ins(upto).await;
        }
        self.blocking(move |db| alerts::last_sign_ins(&db.writer(), upto)).await
    }

    /// What the graph says about every Okta user (creation, last sign-in, admin roles, apps
    /// reached), for detections and alert context.
    pub async fn user_facts(&self) -> Result<Vec<UserFactsRow>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.user_facts().await;
        }
        self.blocking(|db| alerts::user_facts(&db.writer())).await
    }

    /// Writes a detector pass in one transaction: each signal opens an alert or joins the open
    /// alert of the same rule and entity within its group window (raising its severity if the
    /// signal's is higher), new alert states are queued for the webhooks (once per state), and the
    /// detector's cursor moves to `batch.cursor`. After a crash the detector resumes from a cursor
    /// that matches exactly the alerts stored.
    pub async fn record_detections(&self, batch: DetectionBatch) -> Result<Vec<AlertChange>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.record_detections(&batch).await;
        }
        self.blocking(move |db| alerts::record_detections(&mut db.writer(), &batch, Utc::now())).await
    }

    /// Alerts matching `filter`, newest first.
    pub async fn alerts(&self, filter: AlertFilter) -> Result<Vec<Alert>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.alerts(&filter).await;
        }
        self.blocking(move |db| alerts::alerts(&db.writer(), &filter)).await
    }

    /// One alert with its history and the events behind it.
    pub async fn alert(&self, id: i64) -> Result<Option<AlertDetail>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.alert_detail(id).await;
        }
        self.blocking(move |db| alerts::alert_detail(&db.writer(), id)).await
    }

    /// Changes an alert's status (recording who and why) and queues the new state for the
    /// webhooks. Unknown statuses, unknown alerts and no-op changes are
    /// [`ErrorKind::InvalidInput`].
    pub async fn set_alert_status(
        &self,
        id: i64,
        change: StatusChange,
        webhooks: Vec<WebhookRoute>,
    ) -> Result<Alert, Error> {
        if let Some(pg) = self.postgres() {
            return pg.set_alert_status(id, &change, &webhooks).await;
        }
        self.blocking(move |db| alerts::set_status(&mut db.writer(), id, &change, &webhooks, Utc::now())).await
    }

    /// Webhook deliveries due now, oldest first.
    pub async fn due_notifications(&self, limit: usize) -> Result<Vec<Notification>, Error> {
        if let Some(pg) = self.postgres() {
            return pg.due_notifications(limit).await;
        }
        self.blocking(move |db| alerts::due_notifications(&db.writer(), Utc::now(), limit)).await
    }

    /// Records how a delivery attempt went.
    pub async fn record_delivery(&self, id: i64, result: DeliveryResult) -> Result<(), Error> {
        if let Some(pg) = self.postgres() {
            return pg.record_delivery(id, &result).await;
        }
        self.blocking(move |db| alerts::record_delivery(&db.writer(), id, &result, Utc::now())).await
    }

    /// Runs user SQL (PostgreSQL dialect) read-only with a time limit and a row cap.
    ///
    /// Exactly one `SELECT` or `WITH ... SELECT`. What cannot run with PostgreSQL's meaning is
    /// refused ([`ErrorKind::Sql`] with the construct's position); a query running past
    /// `limits.timeout` stops with [`ErrorKind::Timeout`]; rows beyond `limits.max_rows` are
    /// dropped and `truncated` is set.
    pub async fn query(&self, sql: &str, limits: QueryLimits) -> Result<QueryResult, Error> {
        if let Some(pg) = self.postgres() {
            return pg.query(sql, limits).await;
        }
        let sql = sql.to_string();
        self.blocking(move |db| {
            let now = sqlite::timestamp(Utc::now());
            let translation = rewrite::translate::translate(&sql, &db.catalog, &now)?;
            let mut conn = db.reader()?;
            let result = query::execute(&mut conn, &translation, limits);
            db.give_back(conn);
            result
        })
        .await
    }

    /// The SQLite SQL a user query becomes (for debugging and `EXPLAIN`-style displays).
    pub fn translate_sql(&self, sql: &str) -> Result<String, Error> {
        let Backend::Sqlite(db) = &*self.inner else {
            return Ok(sql.to_string());
        };
        let now = sqlite::timestamp(Utc::now());
        Ok(rewrite::translate::translate(sql, &db.catalog, &now)?.sql)
    }
}
