//! Helpers for tests that need a real store: a PostgreSQL database of their own.
//!
//! Tests of this crate and of the crates above it use these; they are not part of the product.

/// The PostgreSQL server tests use: `$SIGHTLINE_TEST_POSTGRES`, else the local server with trust
/// authentication (`postgres://postgres@127.0.0.1:5432/test`). Each [`TempDatabase`] is a new
/// database on it.
pub fn postgres_admin_url() -> String {
    std::env::var("SIGHTLINE_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Whether two result values are the same PostgreSQL value: numbers by value (`1.50` = `1.5`, and
/// within 1e-12 relative, as PostgreSQL prints numeric averages with more digits than a double
/// holds), objects by key.
pub fn same_value(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => a == b,
    }
}

/// A sort key for a row, with numbers normalised, to compare answers as multisets.
pub fn row_key(row: &[serde_json::Value]) -> String {
    use serde_json::Value;
    fn norm(v: &Value) -> Value {
        match v {
            Value::Number(n) => Value::String(format!("{}", n.as_f64().unwrap_or(f64::NAN))),
            Value::Array(items) => Value::Array(items.iter().map(norm).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), norm(v))).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string(&row.iter().map(norm).collect::<Vec<_>>()).expect("JSON values serialize")
}

/// A PostgreSQL database of one's own, dropped with its connections when this is dropped.
pub struct TempDatabase {
    /// The database name.
    pub name: String,
    /// Its URL, to give to [`Store::open_postgres`](crate::Store::open_postgres).
    pub url: String,
    /// The server's admin URL it was created through (and is dropped through).
    admin_url: String,
}

impl TempDatabase {
    /// Creates a new, empty database with a unique name on the tests' server; panics if it cannot.
    pub fn create() -> TempDatabase {
        let admin_url = postgres_admin_url();
        TempDatabase::create_on(&admin_url)
            .unwrap_or_else(|e| panic!("the tests need PostgreSQL at {admin_url} (set SIGHTLINE_TEST_POSTGRES): {e}"))
    }

    /// Creates a new, empty database with a unique name through `admin_url` (a database URL of
    /// a role that may create databases).
    pub fn create_on(admin_url: &str) -> Result<TempDatabase, String> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let name = format!("sightline_test_{}_{}_{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        admin(admin_url, &format!("CREATE DATABASE {name}"))?;
        let base = admin_url.rsplit_once('/').map_or(admin_url, |(base, _)| base);
        Ok(TempDatabase { url: format!("{base}/{name}"), name, admin_url: admin_url.to_string() })
    }

    /// Runs SQL statements in this database.
    pub fn execute(&self, sql: &str) {
        let url = self.url.clone();
        let sql = sql.to_string();
        on_own_runtime(async move {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("connect");
            tokio::spawn(connection);
            client.batch_execute(&sql).await.unwrap_or_else(|e| panic!("{e:?}"));
        });
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        if let Err(e) = admin(&self.admin_url, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)) {
            eprintln!("warning: cannot drop the temporary database {}: {e}", self.name);
        }
    }
}

/// Runs a statement in the admin database.
fn admin(admin_url: &str, sql: &str) -> Result<(), String> {
    let (url, sql) = (admin_url.to_string(), sql.to_string());
    let (sender, receiver) = std::sync::mpsc::channel();
    on_own_runtime(async move {
        let result = match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
            Ok((client, connection)) => {
                tokio::spawn(connection);
                client.batch_execute(&sql).await.map_err(|e| format!("{sql}: {e}"))
            }
            Err(e) => Err(format!("cannot connect: {e}")),
        };
        let _ = sender.send(result);
    });
    receiver.recv().map_err(|_| "the admin connection ended without an answer".to_string())?
}

/// Runs a future to completion on a runtime of its own, on another thread, so it works from
/// inside or outside a test's runtime (and from `Drop`).
fn on_own_runtime(work: impl std::future::Future<Output = ()> + Send + 'static) {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(work);
    })
    .join()
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}
