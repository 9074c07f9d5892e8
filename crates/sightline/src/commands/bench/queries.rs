//! The brief's six queries on each store, through the store's query API (the path `sightline
//! query` and the HTTP API take). Placeholders are filled from the org itself: the user allowed
//! to reach the most, the median app and group by reach, and the busiest app; queries over the
//! whole org are also timed for one identity.

use super::StoreKind;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::time::{Duration, Instant};
use store::{QueryLimits, Store};

/// Runs of a query whose answer is over 10,000 rows (each takes seconds).
const BIG_RUNS: usize = 5;

#[derive(Debug, Clone, Serialize)]
pub struct QueryFigures {
    pub name: String,
    pub sql: String,
    pub rows: usize,
    /// Per store, in the order given: p50 and p99 in milliseconds.
    pub timings: Vec<(StoreKindName, f64, f64)>,
}

pub type StoreKindName = &'static str;

/// p50 and p99 of `runs` timed runs (after one warm-up) and the row count.
async fn time(store: &Store, sql: &str, runs: usize) -> Result<(f64, f64, usize)> {
    let limits = QueryLimits { timeout: Duration::from_secs(300), ..Default::default() };
    let rows = store.query(sql, limits).await.with_context(|| format!("query: {sql}"))?.rows.len();
    let runs = if rows > 10_000 { BIG_RUNS.min(runs) } else { runs }.max(1);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        store.query(sql, limits).await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    Ok((at(0.50), at(0.99), rows))
}

/// The first column of the first row of `sql`, as a quoted-ready string.
async fn pick(store: &Store, sql: &str) -> Result<String> {
    // Picking the median app or group groups every access path: seconds at 300k users.
    let limits = QueryLimits { timeout: Duration::from_secs(600), ..Default::default() };
    let rows = store.query(sql, limits).await.with_context(|| format!("query: {sql}"))?.rows;
    let value = rows.first().and_then(|r| r.first()).with_context(|| format!("no answer to {sql}"))?;
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(text.replace('\'', "''"))
}

pub async fn measure(stores: &[(StoreKind, Store)], org_url: &str, runs: usize) -> Result<Vec<QueryFigures>> {
    let Some((_, first)) = stores.first() else { return Ok(Vec::new()) };
    let user = pick(
        first,
        "SELECT identity FROM access_path WHERE identity_kind = 'okta_user' AND kind = 'ALLOWED' \
         GROUP BY identity ORDER BY count(*) DESC, identity LIMIT 1",
    )
    .await?;
    let median = async |kind: &str| -> Result<String> {
        let distinct =
            pick(first, &format!("SELECT count(DISTINCT resource) FROM access_path WHERE resource_kind = '{kind}'"))
                .await?;
        let middle = distinct.parse::<u64>().unwrap_or(0) / 2;
        pick(
            first,
            &format!(
                "SELECT resource FROM (SELECT resource, count(*) AS n FROM access_path WHERE resource_kind = '{kind}' \
                 GROUP BY resource) r ORDER BY n, resource LIMIT 1 OFFSET {middle}"
            ),
        )
        .await
    };
    let app = median("okta_app").await?;
    let group = median("okta_group").await?;
    let busiest_app = pick(
        first,
        "SELECT resource FROM access_path WHERE resource_kind = 'okta_app' GROUP BY resource \
         ORDER BY count(*) DESC, resource LIMIT 1",
    )
    .await?;
    let okta = r#"resource_labels @> '{"teleport.dev/origin": "okta"}'"#;
    let queries = [
        ("1 Okta nodes", r#"SELECT * FROM nodes WHERE labels @> '{"teleport.dev/origin": "okta"}'"#.to_string()),
        (
            "1 for one user",
            format!(r#"SELECT * FROM nodes WHERE labels @> '{{"teleport.dev/origin": "okta"}}' AND name = '{user}'"#),
        ),
        ("2 the org's nodes", format!(r#"SELECT * FROM nodes WHERE labels @> '{{"okta/org": "{org_url}"}}'"#)),
        (
            "2 for one user",
            format!(r#"SELECT * FROM nodes WHERE labels @> '{{"okta/org": "{org_url}"}}' AND name = '{user}'"#),
        ),
        ("3 a user's access", format!("SELECT * FROM access_path WHERE identity = '{user}' AND kind = 'ALLOWED'")),
        ("4 who reaches an app", format!("SELECT * FROM access_path WHERE resource = '{app}' AND {okta}")),
        (
            "4 who reaches the busiest app",
            format!("SELECT * FROM access_path WHERE resource = '{busiest_app}' AND {okta}"),
        ),
        ("5 who is in a group", format!("SELECT * FROM access_path WHERE resource = '{group}' AND {okta}")),
        ("6 standing privileges", format!("SELECT * FROM access_path WHERE standing_privileges >= 1 AND {okta}")),
        (
            "6 for one user",
            format!("SELECT * FROM access_path WHERE standing_privileges >= 1 AND {okta} AND identity = '{user}'"),
        ),
    ];
    let mut figures = Vec::new();
    for (name, sql) in queries {
        let mut timings = Vec::new();
        let mut counts = Vec::new();
        for (kind, store) in stores {
            let (p50, p99, rows) = time(store, &sql, runs).await?;
            counts.push(rows);
            timings.push((kind.name(), p50, p99));
        }
        // Both stores hold the same org: their answers must be the same size.
        if counts.windows(2).any(|w| w[0] != w[1]) {
            bail!("query {name}: the stores' answers differ in size: {counts:?}");
        }
        figures.push(QueryFigures { name: name.to_string(), sql, rows: counts[0], timings });
    }
    Ok(figures)
}
