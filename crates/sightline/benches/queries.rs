//! Access-path rebuild and the brief's six queries on both stores, over one simulator org.
//!
//! ```sh
//! cargo bench -p sightline --bench queries                          # 100k users, 10k groups, 2k apps
//! cargo bench -p sightline --bench queries -- --users 10000 --groups 1000 --apps 200 --runs 50
//! ```
//!
//! `sightline okta-sim` and two `sightline sync` runs (one into the SQLite file, one into a new
//! PostgreSQL database on `$SIGHTLINE_TEST_POSTGRES`, default the local server) are separate
//! processes; the sync reports how long the scan, the access-path rebuild and the write took and
//! its peak RSS after each. Then each query runs `--runs` times (default 30) on each store through
//! the store's query API (the path `sightline query` and the HTTP API take), after two warm-up
//! runs, and p50/p99 are reported. Queries are the brief's verbatim, with its placeholders filled
//! with the org's busiest user, app and group; those over the whole org are also timed for one
//! identity (`AND identity = ...`/`AND name = ...`).

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use store::{QueryLimits, Store};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `sightline sync`, returning its wall time and peak RSS (MiB).
fn sync(bin: &str, config: &std::path::Path) -> (Duration, f64) {
    let started = Instant::now();
    let mut child = Command::new(bin).arg("sync").arg("--config").arg(config).stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_rss_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "sync failed: {stderr}");
    (started.elapsed(), peak as f64 / 1024.0)
}

/// Runs of queries whose answers are large (they take seconds each).
const BIG_RUNS: usize = 5;

/// p50 and p99 of `runs` timed runs of `sql` (after a warm-up), and the row count. Large answers
/// get [`BIG_RUNS`] runs; the limit is raised so that they finish.
async fn time(store: &Store, sql: &str, runs: usize) -> (Duration, Duration, usize) {
    let limits = QueryLimits { timeout: Duration::from_secs(120), ..Default::default() };
    let rows = store.query(sql, limits).await.unwrap_or_else(|e| panic!("{sql}: {e}")).rows.len();
    let runs = if rows > 10_000 { BIG_RUNS } else { runs };
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        store.query(sql, limits).await.unwrap();
        times.push(started.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    (at(0.50), at(0.99), rows)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let users = arg("--users").unwrap_or_else(|| "100000".into());
    let groups = arg("--groups").unwrap_or_else(|| "10000".into());
    let apps = arg("--apps").unwrap_or_else(|| "2000".into());
    let runs: usize = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(30);
    let bin = env!("CARGO_BIN_EXE_sightline");
    let dir = tempfile::tempdir().unwrap();
    let database = store::testing::TempDatabase::create();

    let mut sim = Command::new(bin)
        .args(["okta-sim", "--listen", "127.0.0.1:0", "--json", "--history", "0s", "--no-live-activity"])
        .args(["--rate-limits", "off", "--users", &users, "--groups", &groups, "--apps", &apps])
        .arg("--data-dir")
        .arg(dir.path().join("sim"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(sim.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let info: Value = serde_json::from_str(&line).expect("the simulator's JSON line");
    let okta = format!(
        "[[okta]]\nname = \"bench\"\norg_url = \"{}\"\napi_token = \"{}\"\nsystem_log = false\n",
        info["org_url"].as_str().unwrap(),
        info["api_token"].as_str().unwrap()
    );
    let sqlite_config = dir.path().join("sqlite.toml");
    std::fs::write(&sqlite_config, format!("data_dir = \"data\"\n{okta}")).unwrap();
    let postgres_config = dir.path().join("postgres.toml");
    std::fs::write(&postgres_config, format!("database_url = \"{}\"\n{okta}", database.url)).unwrap();

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    println!("## Access paths and the brief's queries: {users} users, {groups} groups, {apps} apps");
    println!();
    println!(
        "| store | sync wall time | scan | access-path rebuild | rows | write | peak RSS after scan | after rebuild | whole sync |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut stores = Vec::new();
    for (name, config) in [("SQLite", &sqlite_config), ("PostgreSQL", &postgres_config)] {
        let (wall, peak) = sync(bin, config);
        let store = rt.block_on(async {
            if name == "SQLite" {
                Store::open_sqlite(&dir.path().join("data/sightline.db")).unwrap()
            } else {
                Store::open_postgres(&database.url).await.unwrap()
            }
        });
        let run = rt
            .block_on(
                store.query("SELECT progress, counts FROM sync_runs ORDER BY id DESC LIMIT 1", Default::default()),
            )
            .unwrap()
            .rows
            .remove(0);
        let (progress, counts) = (&run[0], &run[1]);
        let secs = |key: &str| format!("{:.1} s", progress[key].as_f64().unwrap_or(0.0) / 1000.0);
        println!(
            "| {name} | {:.1} s | {} | {} | {} | {} | {} MiB | {} MiB | {peak:.0} MiB |",
            wall.as_secs_f64(),
            secs("scan_ms"),
            secs("access_paths_ms"),
            counts["access_paths"],
            secs("write_ms"),
            progress["peak_rss_mib_after_scan"],
            progress["peak_rss_mib_after_access_paths"],
        );
        stores.push((name, store));
    }

    // The placeholders: the user reaching the most, and a typical app and group (the median by
    // how many reach them: "who can reach this app" for one app). The busiest app, which the
    // whole org reaches through Everyone, is timed too.
    let pick = |sql: &str| -> String {
        let rows = rt.block_on(stores[0].1.query(sql, Default::default())).unwrap().rows;
        rows[0][0].as_str().unwrap().replace('\'', "''")
    };
    let user = pick(
        "SELECT identity FROM access_path WHERE identity_kind = 'okta_user' GROUP BY identity ORDER BY count(*) DESC, identity LIMIT 1",
    );
    let median = |kind: &str| {
        let distinct =
            pick(&format!("SELECT count(DISTINCT resource)::text FROM access_path WHERE resource_kind = '{kind}'"));
        let middle = distinct.parse::<u64>().unwrap_or(0) / 2;
        pick(&format!(
            "SELECT resource FROM (SELECT resource, count(*) AS n FROM access_path WHERE resource_kind = '{kind}' \
             GROUP BY resource) r ORDER BY n, resource LIMIT 1 OFFSET {middle}"
        ))
    };
    let app = median("okta_app");
    let group = median("okta_group");
    let busiest_app = pick(
        "SELECT resource FROM access_path WHERE resource_kind = 'okta_app' GROUP BY resource ORDER BY count(*) DESC, resource LIMIT 1",
    );
    let org = info["org_url"].as_str().unwrap();
    let queries = [
        ("1 okta nodes", r#"SELECT * FROM nodes WHERE labels @> '{"teleport.dev/origin": "okta"}'"#.to_string()),
        (
            "1 for one user",
            format!(r#"SELECT * FROM nodes WHERE labels @> '{{"teleport.dev/origin": "okta"}}' AND name = '{user}'"#),
        ),
        ("2 org nodes", format!(r#"SELECT * FROM nodes WHERE labels @> '{{"okta/org": "{org}"}}'"#)),
        (
            "2 for one user",
            format!(r#"SELECT * FROM nodes WHERE labels @> '{{"okta/org": "{org}"}}' AND name = '{user}'"#),
        ),
        ("3 user's access", format!("SELECT * FROM access_path WHERE identity = '{user}' AND kind = 'ALLOWED'")),
        (
            "4 who reaches an app",
            format!(
                r#"SELECT * FROM access_path WHERE resource = '{app}' AND resource_labels @> '{{"teleport.dev/origin": "okta"}}'"#
            ),
        ),
        (
            "4 who reaches the busiest app",
            format!(
                r#"SELECT * FROM access_path WHERE resource = '{busiest_app}' AND resource_labels @> '{{"teleport.dev/origin": "okta"}}'"#
            ),
        ),
        (
            "5 who is in a group",
            format!(
                r#"SELECT * FROM access_path WHERE resource = '{group}' AND resource_labels @> '{{"teleport.dev/origin": "okta"}}'"#
            ),
        ),
        (
            "6 standing privileges",
            r#"SELECT * FROM access_path WHERE standing_privileges >= 1 AND resource_labels @> '{"teleport.dev/origin": "okta"}'"#
                .to_string(),
        ),
        (
            "6 for one user",
            format!(
                r#"SELECT * FROM access_path WHERE standing_privileges >= 1 AND resource_labels @> '{{"teleport.dev/origin": "okta"}}' AND identity = '{user}'"#
            ),
        ),
    ];
    println!();
    println!(
        "User `{user}` (reaches the most), app `{app}` and group `{group}` (the median by reach), busiest app \
         `{busiest_app}`; {runs} runs each ({} for answers over 10,000 rows); rows capped at 100,000 per answer.",
        BIG_RUNS
    );
    println!();
    println!("| query | rows | SQLite p50 | SQLite p99 | PostgreSQL p50 | PostgreSQL p99 |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, sql) in &queries {
        let mut cells = Vec::new();
        let mut counts = Vec::new();
        for (_, store) in &stores {
            let (p50, p99, n) = rt.block_on(time(store, sql, runs));
            counts.push(n);
            cells.push(format!("{} | {}", ms(p50), ms(p99)));
        }
        // Both stores hold the same org: the answers must have the same size.
        assert!(counts.windows(2).all(|w| w[0] == w[1]), "{name}: row counts differ between stores: {counts:?}");
        println!("| {name} | {} | {} |", counts[0], cells.join(" | "));
    }
    drop(stores);
    let _ = sim.kill();
    let _ = sim.wait();
}
