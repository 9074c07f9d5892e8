//! The PostgreSQL backend end to end: `sightline sync` writes a scanned org into a real
//! PostgreSQL database as it does into SQLite, and the differential corpus
//! (`tests/differential.sql`) answers the same on both stores over that org.

mod support;

use serde_json::Value;
use store::testing::{TempDatabase, row_key, same_value};
use store::{QueryLimits, QueryResult, Store};
use support::*;

/// One query of the corpus.
struct Case {
    name: String,
    ordered: bool,
    sql: String,
}

fn corpus() -> Vec<Case> {
    let text = include_str!("differential.sql");
    let mut cases: Vec<Case> = Vec::new();
    for line in text.lines() {
        if let Some(header) = line.strip_prefix("-- name:") {
            let header = header.trim();
            let (name, ordered) = match header.strip_suffix("(ordered)") {
                Some(name) => (name.trim(), true),
                None => (header, false),
            };
            cases.push(Case { name: name.to_string(), ordered, sql: String::new() });
        } else if let Some(case) = cases.last_mut()
            && !line.starts_with("--")
            && !line.trim().is_empty()
        {
            case.sql.push_str(line);
            case.sql.push('\n');
        }
    }
    for case in &mut cases {
        case.sql = case.sql.trim().trim_end_matches(';').to_string();
    }
    cases
}

/// Whether two answers are the same, but for `updated_at`: each store was written by its own sync.
fn equal(a: &QueryResult, b: &QueryResult, ordered: bool) -> bool {
    let without_times = |r: &QueryResult| -> Vec<Vec<Value>> {
        let times: Vec<bool> = r.columns.iter().map(|c| c == "updated_at").collect();
        r.rows
            .iter()
            .map(|row| row.iter().zip(&times).map(|(v, &t)| if t { Value::Null } else { v.clone() }).collect())
            .collect()
    };
    let (mut x, mut y) = (without_times(a), without_times(b));
    if !ordered {
        x.sort_by_key(|r| row_key(r));
        y.sort_by_key(|r| row_key(r));
    }
    a.columns == b.columns
        && a.truncated == b.truncated
        && x.len() == y.len()
        && x.iter().zip(&y).all(|(r, s)| r.len() == s.len() && r.iter().zip(s).all(|(p, q)| same_value(p, q)))
}

#[test]
fn sync_into_postgresql_matches_the_simulator_and_answers_as_sqlite_does() {
    let sim = Simulator::start(&["--seed", "11", "--users", "300", "--rate-limits", "off"]);
    let database = TempDatabase::create();
    let on_postgres = Workspace::with_token_on_postgres(&sim, &database.url);
    let on_sqlite = Workspace::with_token(&sim);
    for ws in [&on_postgres, &on_sqlite] {
        let output = ws.sync();
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert_store_matches(&on_postgres, &sim);
    assert!(!on_postgres.path().join("data").exists(), "nothing was written to the embedded store");

    // A second sync replaces the snapshot in PostgreSQL too.
    let before = on_postgres.count("SELECT count(*) AS n FROM access_path");
    assert!(before > 300);
    assert!(on_postgres.sync().status.success());
    assert_eq!(on_postgres.count("SELECT count(*) AS n FROM access_path"), before);
    assert_eq!(on_postgres.query("SELECT status FROM sync_runs ORDER BY id").len(), 2);

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let postgres = rt.block_on(Store::open_postgres(&database.url)).unwrap();
    let sqlite = Store::open_sqlite(&on_sqlite.path().join("data/sightline.db")).unwrap();
    // The first sync's run on PostgreSQL: the runs tables then hold the same rows on both.
    rt.block_on(postgres.query("SELECT 1", QueryLimits::default())).unwrap();

    let cases = corpus();
    assert!(cases.len() >= 150, "the corpus has {} queries", cases.len());
    let mut failures = Vec::new();
    let mut answered = 0;
    for case in &cases {
        let limits = QueryLimits::default();
        let (a, b) = (rt.block_on(sqlite.query(&case.sql, limits)), rt.block_on(postgres.query(&case.sql, limits)));
        match (&a, &b) {
            (Ok(a), Ok(b)) if case.name.starts_with("sync_runs") => {
                // Two syncs ran on PostgreSQL, one on SQLite.
                assert_eq!(a.columns, b.columns, "{}", case.name);
                answered += 1;
            }
            (Ok(a), Ok(b)) if equal(a, b, case.ordered) => answered += 1,
            (Err(_), Err(_)) if case.name.starts_with("error_") => {}
            _ => failures.push(format!(
                "{}:\n  sql:        {}\n  sqlite:     {}\n  postgresql: {}{}",
                case.name,
                case.sql,
                describe(&a),
                describe(&b),
                first_difference(&a, &b, case.ordered)
            )),
        }
    }
    assert!(failures.is_empty(), "{} of {} queries differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert!(answered > 100, "only {answered} queries returned rows on both");
}

/// The first rows that differ, when both answered.
fn first_difference(
    a: &Result<QueryResult, store::Error>,
    b: &Result<QueryResult, store::Error>,
    ordered: bool,
) -> String {
    let (Ok(a), Ok(b)) = (a, b) else { return String::new() };
    let (mut x, mut y) = (a.rows.clone(), b.rows.clone());
    if !ordered {
        x.sort_by_key(|r| row_key(r));
        y.sort_by_key(|r| row_key(r));
    }
    match x.iter().zip(&y).position(|(r, s)| row_key(r) != row_key(s)) {
        Some(i) => format!(
            "\n  first difference, row {i}:\n    sqlite:     {}\n    postgresql: {}",
            serde_json::to_string(&x[i]).unwrap(),
            serde_json::to_string(&y[i]).unwrap()
        ),
        None => String::new(),
    }
}

fn describe(result: &Result<QueryResult, store::Error>) -> String {
    match result {
        Ok(r) => {
            let rows: Vec<&Vec<Value>> = r.rows.iter().take(5).collect();
            format!("{} rows, columns {:?}, first {}", r.rows.len(), r.columns, serde_json::to_string(&rows).unwrap())
        }
        Err(e) => format!("error: {e}"),
    }
}
