//! How fast `Store::replace_snapshot` writes an org's graph.
//!
//! `cargo bench -p store --bench snapshot [-- --rows 1000000]`
//!
//! Builds a snapshot shaped like a large Okta org (40% nodes with user-like properties and the
//! two Okta labels, 60% membership edges) and measures, on the same database: a first load, a
//! rescan where nothing changed, a rescan where 1% of the nodes changed, and a replace where every
//! node changed and half of the edges are new (the other half gone). Each figure is rows in the
//! snapshot per second of `replace_snapshot`. Prints a Markdown table for docs/PERFORMANCE.md.

use serde_json::{Map, Value, json};
use std::time::Instant;
use store::{Edge, Node, Store};

/// The same allocator as the `sightline` binary, so the figures are what users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

const ORG: &str = "https://bench.okta.com";
const DEPARTMENTS: [&str; 4] = ["Eng", "Sales", "Ops", "Finance"];

/// A snapshot of `rows` rows; nodes whose index is below `changed_nodes` carry `generation`, and
/// edges whose index is below `new_edges` get ids of generation `generation`.
fn snapshot(rows: usize, generation: u32, changed_nodes: usize, new_edges: usize) -> (Vec<Node>, Vec<Edge>) {
    let node_count = rows * 2 / 5;
    let edge_count = rows - node_count;
    let groups = (node_count / 25).max(1);
    let mut labels = Map::new();
    labels.insert("teleport.dev/origin".into(), json!("okta"));
    labels.insert("okta/org".into(), json!(ORG));
    // Ids in a scattered order, as a HashMap-built snapshot would give them.
    let id = |i: usize| format!("okta:bench.okta.com:00u{:012x}", (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 16);
    let nodes: Vec<Node> = (0..node_count)
        .map(|i| {
            let group = i < groups;
            Node {
                id: id(i),
                kind: if group { "identity_group" } else { "identity" }.into(),
                sub_kind: if group { "okta_group" } else { "okta_user" }.into(),
                name: format!("user{i}@bench.example.com"),
                labels: labels.clone(),
                properties: serde_json::value::to_raw_value(&json!({
                    "status": "ACTIVE",
                    "created": "2024-03-01T10:00:00.000Z",
                    "lastLogin": "2026-11-27T08:15:00.000Z",
                    "generation": if i < changed_nodes { generation } else { 1 },
                    "profile": {
                        "login": format!("user{i}@bench.example.com"),
                        "email": format!("user{i}@bench.example.com"),
                        "firstName": "Bench",
                        "lastName": format!("User {i}"),
                        "department": DEPARTMENTS[i % 4],
                    }
                }))
                .expect("a JSON value"),
            }
        })
        .collect();
    let edges: Vec<Edge> = (0..edge_count)
        .map(|i| {
            let from = id(groups + i % (node_count - groups).max(1));
            let to = id(i % groups);
            let variant = if i < new_edges { generation } else { 1 };
            Edge {
                id: format!("{from}|member_of|{to}|{i}.{variant}"),
                from_id: from,
                to_id: to,
                kind: "member_of".into(),
                properties: Value::Object(Map::new()),
            }
        })
        .collect();
    (nodes, edges)
}

fn main() {
    let rows = arg("--rows", 1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("bench.db")).unwrap();

    println!("| operation | nodes | edges | time | rows/s |");
    println!("|---|---:|---:|---:|---:|");
    let nodes = rows * 2 / 5;
    let edges = rows - nodes;
    let scenarios = [
        ("first load (empty database)", 1, nodes, edges),
        ("rescan, nothing changed", 1, nodes, edges),
        ("rescan, 1% of the nodes changed", 2, nodes / 100, 0),
        ("replace: every node changed, half the edges new", 3, nodes, edges / 2),
    ];
    let only_first = std::env::args().any(|a| a == "--first-load-only");
    for (label, generation, changed_nodes, new_edges) in scenarios.into_iter().take(if only_first { 1 } else { 4 }) {
        let (nodes, edges) = snapshot(rows, generation, changed_nodes, new_edges);
        let (n, e) = (nodes.len(), edges.len());
        let started = Instant::now();
        let counts = runtime.block_on(store.replace_snapshot(ORG, nodes, edges)).unwrap();
        let elapsed = started.elapsed().as_secs_f64();
        assert_eq!((counts.nodes as usize, counts.edges as usize), (n, e));
        println!("| {label} | {n} | {e} | {elapsed:.2} s | {:.0} |", (n + e) as f64 / elapsed);
        // Let the background checkpoint finish so that it does not weigh on the next figure.
        std::thread::sleep(std::time::Duration::from_secs(3));
    }

    // The contract query on the indexed label, over the loaded snapshot.
    let started = Instant::now();
    let result = runtime
        .block_on(store.query(
            r#"SELECT count(*) FROM nodes WHERE labels @> '{"okta/org": "https://bench.okta.com"}'"#,
            Default::default(),
        ))
        .unwrap();
    println!(
        "\n`labels @> '{{\"okta/org\": ...}}'` over {} nodes: {:.0} ms",
        result.rows[0][0],
        started.elapsed().as_secs_f64() * 1000.0
    );
    let size = std::fs::metadata(dir.path().join("bench.db")).map(|m| m.len()).unwrap_or(0);
    println!("database file: {:.0} MiB; peak RSS of the benchmark: {:.0} MiB", size as f64 / 1048576.0, peak_rss_mib());
}
