/*!
The PostgreSQL backend: the same schema and operations as the SQLite one, on a pool of
connections; user queries run natively.

User SQL is held back four ways: the query is checked before it is sent (one `SELECT`, only the
store's tables, only allow-listed functions: `guard`); it runs in a `READ ONLY` transaction with
`statement_timeout`; under a role that may only read the store's tables
(`sightline_query_reader`), when the connecting user can create it; and a client-side deadline
cancels it should the server not stop it in time.
*/

mod alerts;
mod audit;
mod events;
pub(crate) mod guard;
mod migrate;
mod private;
mod query;
mod runs;
mod snapshot;
mod tls;

use crate::error::{Error, ErrorKind};
use crate::model::{AppendOutcome, EventBatch, JewelReachRow, LogCursor, OktaPerson, SnapshotCounts};
use crate::model::{DerivedRows, Edge, Integration, Node, QueryLimits, QueryResult, Run, RunKind, RunOutcome};
use chrono::Utc;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::collections::BTreeSet;
use std::time::Duration;
use tokio_postgres_rustls::MakeRustlsConnect;

/// Connections in the pool: a scan's writer, the log poller, and a few concurrent user queries.
const POOL_SIZE: usize = 8;

/// How long to wait for the server when connecting or taking a pooled connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The role user queries run as, when it can be set up.
pub(crate) const QUERY_ROLE: &str = "sightline_query_reader";

/// An open PostgreSQL store.
pub(crate) struct Postgres {
    pool: Pool,
    tls: MakeRustlsConnect,
    /// The tables user SQL may read.
    tables: BTreeSet<String>,
    /// Whether queries can switch to [`QUERY_ROLE`].
    query_role: bool,
    /// The server's address without credentials, for messages.
    display: String,
}

/// A PostgreSQL error as a store error: the server's message (with its detail and hint) after
/// `context`. Unique violations, time-outs and SQL errors keep their meaning.
pub(crate) fn pg_error(context: &str, error: tokio_postgres::Error) -> Error {
    let message = match error.as_db_error() {
        Some(db) => server_message(db),
        None => error.to_string(),
    };
    Error::with_source(ErrorKind::Database, format!("{context}: {message}"), error)
}

/// The server's message, with its detail and hint.
fn server_message(db: &tokio_postgres::error::DbError) -> String {
    let mut message = db.message().to_string();
    if let Some(detail) = db.detail() {
        message.push_str(&format!(" ({detail})"));
    }
    if let Some(hint) = db.hint() {
        message.push_str(&format!("; hint: {hint}"));
    }
    message
}

impl Postgres {
    /// Connects, brings the schema up to date and prepares the query role.
    pub(crate) async fn open(url: &str) -> Result<Postgres, Error> {
        let (url, verify) = tls::split_url(url)?;
        let config: tokio_postgres::Config = url.parse().map_err(|e| {
            Error::invalid(format!(
                "the database URL is not a valid PostgreSQL URL ({e}); expected postgres://user[:password]@host[:port]/database"
            ))
        })?;
        let display = describe(&config);
        let mut config = config;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("sightline");
        }
        let tls = tls::connector(&verify)?;
        let manager =
            Manager::from_config(config, tls.clone(), ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(60)))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| Error::database(format!("cannot set up connections to PostgreSQL at {display}: {e}")))?;
        let mut pg = Postgres { pool, tls, tables: BTreeSet::new(), query_role: false, display };
        let mut client = pg.client().await?;
        migrate::migrate(&mut client).await?;
        pg.tables = user_tables(&client).await?;
        pg.query_role = match setup_query_role(&client, &pg.tables).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    "user queries run as the connecting database user: the read-only role {QUERY_ROLE} could not be \
                     set up (queries stay read-only, checked and time-limited)"
                );
                false
            }
        };
        drop(client);
        Ok(pg)
    }

    /// A pooled connection.
    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, Error> {
        self.pool.get().await.map_err(|e| {
            let reason = match &e {
                deadpool_postgres::PoolError::Backend(e) => match e.as_db_error() {
                    Some(db) => server_message(db),
                    None => e.to_string(),
                },
                other => other.to_string(),
            };
            Error::database(format!("cannot connect to PostgreSQL at {}: {reason}", self.display))
        })
    }

    pub(crate) async fn upsert_integration(&self, integration: &Integration) -> Result<(), Error> {
        runs::upsert_integration(&**self.client().await?, integration).await
    }

    pub(crate) async fn integrations(&self) -> Result<Vec<Integration>, Error> {
        runs::integrations(&**self.client().await?).await
    }

    pub(crate) async fn start_run(&self, integration: &str, kind: RunKind) -> Result<i64, Error> {
        runs::start_run(&mut **self.client().await?, integration, kind, Utc::now()).await
    }

    pub(crate) async fn update_run_progress(&self, run: i64, progress: &serde_json::Value) -> Result<(), Error> {
        runs::update_progress(&**self.client().await?, run, progress).await
    }

    pub(crate) async fn finish_run(&self, run: i64, outcome: &RunOutcome) -> Result<(), Error> {
        runs::finish_run(&mut **self.client().await?, run, outcome, Utc::now()).await
    }

    pub(crate) async fn fail_interrupted_runs(&self) -> Result<u64, Error> {
        runs::fail_interrupted(&mut **self.client().await?, Utc::now()).await
    }

    pub(crate) async fn runs(&self, integration: &str, limit: usize) -> Result<Vec<Run>, Error> {
        runs::runs(&**self.client().await?, integration, limit).await
    }

    pub(crate) async fn replace_snapshot(
        &self,
        org: &str,
        nodes: Vec<Node>,
        edges: Vec<Edge>,
        derived: DerivedRows,
    ) -> Result<SnapshotCounts, Error> {
        let mut client = self.client().await?;
        snapshot::replace(&mut client, org, nodes, edges, derived, &crate::sqlite::timestamp(Utc::now())).await
    }

    pub(crate) async fn crown_jewel_reach(&self, org: &str) -> Result<Vec<JewelReachRow>, Error> {
        snapshot::crown_jewel_reach(&**self.client().await?, org).await
    }

    pub(crate) async fn append_events(&self, batch: &EventBatch) -> Result<AppendOutcome, Error> {
        events::append(&mut **self.client().await?, batch, Utc::now()).await
    }

    pub(crate) async fn log_cursor(&self, stream: &str) -> Result<Option<LogCursor>, Error> {
        events::cursor(&**self.client().await?, stream).await
    }

    pub(crate) async fn record_log_gap(
        &self,
        stream: &str,
        from: Option<chrono::DateTime<Utc>>,
        to: chrono::DateTime<Utc>,
        reason: &str,
    ) -> Result<(), Error> {
        events::record_gap(&**self.client().await?, stream, from, to, reason, Utc::now()).await
    }

    pub(crate) async fn okta_people(&self) -> Result<Vec<OktaPerson>, Error> {
        events::okta_people(&**self.client().await?).await
    }

    pub(crate) async fn events_page(
        &self,
        after: i64,
        upto: Option<i64>,
        since: Option<chrono::DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<crate::StoredEvent>, Error> {
        alerts::events_page(&**self.client().await?, after, upto, since, limit).await
    }

    pub(crate) async fn first_seq_since(&self, since: chrono::DateTime<Utc>) -> Result<Option<i64>, Error> {
        alerts::first_seq_since(&**self.client().await?, since).await
    }

    pub(crate) async fn last_event_seq(&self) -> Result<i64, Error> {
        alerts::last_seq(&**self.client().await?).await
    }

    pub(crate) async fn graph_version(&self) -> Result<Option<i64>, Error> {
        alerts::graph_version(&**self.client().await?).await
    }

    pub(crate) async fn find_account(&self, username: &str) -> Result<Option<crate::Account>, Error> {
        private::find_account(&**self.client().await?, username).await
    }

    pub(crate) async fn accounts(&self) -> Result<Vec<crate::Account>, Error> {
        private::accounts(&**self.client().await?).await
    }

    pub(crate) async fn create_account(&self, account: &crate::Account) -> Result<bool, Error> {
        private::create_account(&**self.client().await?, account).await
    }

    pub(crate) async fn set_password(&self, username: &str, password_hash: &str) -> Result<bool, Error> {
        private::set_password(&**self.client().await?, username, password_hash).await
    }

    pub(crate) async fn set_role(&self, username: &str, role: &str) -> Result<bool, Error> {
        private::set_role(&**self.client().await?, username, role).await
    }

    pub(crate) async fn delete_account(&self, username: &str) -> Result<bool, Error> {
        private::delete_account(&**self.client().await?, username).await
    }

    pub(crate) async fn record_audit(&self, entries: &[crate::AuditEntry]) -> Result<(), Error> {
        audit::record(&mut **self.client().await?, entries).await
    }

    pub(crate) async fn audit_log(&self, query: &crate::AuditQuery) -> Result<Vec<crate::AuditEntry>, Error> {
        audit::read(&**self.client().await?, query).await
    }

    pub(crate) async fn create_api_token(&self, token: &crate::ApiToken) -> Result<(), Error> {
        audit::create_token(&**self.client().await?, token).await
    }

    pub(crate) async fn api_token(&self, id: &str) -> Result<Option<crate::ApiToken>, Error> {
        audit::find_token(&**self.client().await?, id).await
    }

    pub(crate) async fn api_tokens(&self) -> Result<Vec<crate::ApiToken>, Error> {
        audit::tokens(&**self.client().await?).await
    }

    pub(crate) async fn revoke_api_token(&self, id: &str, at: chrono::DateTime<Utc>) -> Result<bool, Error> {
        audit::revoke_token(&**self.client().await?, id, at).await
    }

    pub(crate) async fn touch_api_token(&self, id: &str, at: chrono::DateTime<Utc>) -> Result<(), Error> {
        audit::touch_token(&**self.client().await?, id, at).await
    }

    pub(crate) async fn setting(&self, namespace: &str, key: &str) -> Result<Option<String>, Error> {
        private::setting(&**self.client().await?, namespace, key).await
    }

    pub(crate) async fn settings(&self, namespace: &str) -> Result<Vec<(String, String)>, Error> {
        private::settings(&**self.client().await?, namespace).await
    }

    pub(crate) async fn put_setting(&self, namespace: &str, key: &str, value: &str) -> Result<(), Error> {
        private::put_setting(&**self.client().await?, namespace, key, value).await
    }

    pub(crate) async fn delete_setting(&self, namespace: &str, key: &str) -> Result<bool, Error> {
        private::delete_setting(&**self.client().await?, namespace, key).await
    }

    pub(crate) async fn detector_cursor(&self, detector: &str) -> Result<Option<i64>, Error> {
        alerts::detector_cursor(&**self.client().await?, detector).await
    }

    pub(crate) async fn last_sign_ins(&self, upto: i64) -> Result<Vec<(String, chrono::DateTime<Utc>)>, Error> {
        alerts::last_sign_ins(&**self.client().await?, upto).await
    }

    pub(crate) async fn user_facts(&self) -> Result<Vec<crate::UserFactsRow>, Error> {
        alerts::user_facts(&**self.client().await?).await
    }

    pub(crate) async fn record_detections(
        &self,
        batch: &crate::DetectionBatch,
    ) -> Result<Vec<crate::AlertChange>, Error> {
        alerts::record_detections(&mut **self.client().await?, batch, Utc::now()).await
    }

    pub(crate) async fn alerts(&self, filter: &crate::AlertFilter) -> Result<Vec<crate::Alert>, Error> {
        alerts::alerts(&**self.client().await?, filter).await
    }

    pub(crate) async fn alert_detail(&self, id: i64) -> Result<Option<crate::AlertDetail>, Error> {
        alerts::alert_detail(&**self.client().await?, id).await
    }

    pub(crate) async fn set_alert_status(
        &self,
        id: i64,
        change: &crate::StatusChange,
        webhooks: &[crate::WebhookRoute],
    ) -> Result<crate::Alert, Error> {
        alerts::set_status(&mut **self.client().await?, id, change, webhooks, Utc::now()).await
    }

    pub(crate) async fn due_notifications(&self, limit: usize) -> Result<Vec<crate::Notification>, Error> {
        alerts::due_notifications(&**self.client().await?, Utc::now(), limit).await
    }

    pub(crate) async fn record_delivery(&self, id: i64, result: &crate::DeliveryResult) -> Result<(), Error> {
        alerts::record_delivery(&**self.client().await?, id, result, Utc::now()).await
    }

    pub(crate) async fn query(&self, sql: &str, limits: QueryLimits) -> Result<QueryResult, Error> {
        let checked = guard::check(sql, &self.tables)?;
        let client = self.client().await?;
        query::run(client, &self.tls, &checked, self.query_role, limits).await
    }
}

/// The tables users may query: every table of the current schema but the private ones.
async fn user_tables(client: &tokio_postgres::Client) -> Result<BTreeSet<String>, Error> {
    let rows = client
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema()",
            &[],
        )
        .await
        .map_err(|e| pg_error("cannot list the store's tables", e))?;
    Ok(rows
        .iter()
        .map(|r| r.get::<_, String>(0))
        .filter(|table| !crate::PRIVATE_TABLES.contains(&table.as_str()))
        .collect())
}

/// Creates (if needed) a role that may read the store's tables and nothing else, and lets this
/// user switch to it. Needs the CREATEROLE privilege the first time.
async fn setup_query_role(client: &tokio_postgres::Client, tables: &BTreeSet<String>) -> Result<(), Error> {
    let present = client
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&QUERY_ROLE])
        .await
        .map_err(|e| pg_error("cannot look up the query role", e))?
        .is_some();
    // Another process may create it in the meantime.
    if !present
        && let Err(e) = client.batch_execute(&format!("CREATE ROLE {QUERY_ROLE} NOLOGIN")).await
        && e.code() != Some(&tokio_postgres::error::SqlState::DUPLICATE_OBJECT)
        && e.code() != Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
    {
        return Err(pg_error("cannot create the query role", e));
    }
    let schema: String = client
        .query_one("SELECT current_schema()::text", &[])
        .await
        .map_err(|e| pg_error("cannot read the current schema", e))?
        .get(0);
    let mut grants = format!("GRANT USAGE ON SCHEMA {} TO {QUERY_ROLE};", quote_ident(&schema));
    for table in tables {
        grants.push_str(&format!("GRANT SELECT ON {} TO {QUERY_ROLE};", quote_ident(table)));
    }
    client.batch_execute(&grants).await.map_err(|e| pg_error("cannot grant the query role its tables", e))?;
    // A superuser may switch to any role; others need membership.
    let can_switch: bool = client
        .query_one("SELECT pg_has_role(current_user, $1, 'MEMBER')", &[&QUERY_ROLE])
        .await
        .map_err(|e| pg_error("cannot check the query role", e))?
        .get(0);
    if !can_switch {
        client
            .batch_execute(&format!("GRANT {QUERY_ROLE} TO CURRENT_USER"))
            .await
            .map_err(|e| pg_error("cannot let this user use the query role", e))?;
    }
    Ok(())
}

/// A double-quoted SQL identifier.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `user@host:port/db`, without the password.
fn describe(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(",");
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{}:{}/{}",
        config.get_user().unwrap_or("(default user)"),
        if host.is_empty() { "localhost".to_string() } else { host },
        port,
        config.get_dbname().unwrap_or("(default database)")
    )
}
