//! What escalation paths add to the access-path rebuild, on a simulator org.
//!
//! `cargo bench -p collect --bench escalation [-- --users 100000 --runs 3]`
//!
//! Starts the simulator in-process with an org of `--users` users (groups and apps as
//! `OrgParams::sized` gives them, seed 42), scans it over loopback HTTP with `collect::scan`
//! (rate limits off), then times `access_paths`, `control_edges` and `escalation_paths` on the
//! snapshot, each the best of `--runs`, with the AWS and GitHub apps and the Finance group as
//! crown jewels. Prints the org's admins, the rows by kind, and the ratio
//! (control edges + escalation paths) / access paths.

use collect::control::control_edges;
use collect::escalation::{CrownJewels, escalation_paths};
use okta_client::{ClientConfig, Credentials, OktaClient};
use okta_sim::org::OrgParams;
use okta_sim::server::ratelimit::RateLimitSettings;
use okta_sim::{ActivityConfig, SimConfig};
use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

/// The same allocator as the `sightline` binary, so the figures are what users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The fastest of `runs` calls, and the last result.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut fastest = Duration::MAX;
    let mut last = None;
    for _ in 0..runs.max(1) {
        drop(last.take());
        let started = Instant::now();
        let out = f();
        fastest = fastest.min(started.elapsed());
        last = Some(out);
    }
    (fastest, last.expect("at least one run"))
}

fn main() {
    let users = arg("--users", 100_000);
    let runs = arg("--runs", 3);
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let started = Instant::now();
    let scan = runtime.block_on(async {
        let config = SimConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            org: OrgParams::sized(users, 42, chrono::Utc::now()),
            data_dir: dir.path().to_path_buf(),
            rate_limits: RateLimitSettings { enabled: false, ..Default::default() },
            activity: ActivityConfig {
                events_per_minute: Some(1.0),
                history: Duration::ZERO,
                live: false,
                attack_every: None,
            },
            dpop_required: false,
        };
        let sim = okta_sim::start(config).await.expect("simulator starts");
        let credentials = Credentials::ApiToken(sim.info.api_token.clone().into());
        let client = OktaClient::new(ClientConfig::new(&sim.info.org_url, credentials)).expect("client");
        let scan =
            collect::scan(&client, &collect::Silent, &collect::ScanOptions { concurrency: 8 }).await.expect("scan");
        sim.stop().await.ok();
        scan
    });
    let (nodes, edges) = (scan.nodes, scan.edges);
    println!(
        "org: {users} users, {} nodes, {} edges, scanned in {:.1} s",
        nodes.len(),
        edges.len(),
        started.elapsed().as_secs_f64()
    );

    let jewels = CrownJewels::from_names(["AWS IAM Identity Center", "GitHub Enterprise", "Finance"]);
    let (access_time, access) = best(runs, || collect::access_paths(&nodes, &edges));
    let (control_time, control) = best(runs, || control_edges(&nodes, &edges));
    let (escalation_time, escalation) = best(runs, || escalation_paths(&nodes, &edges, &access, &control, &jewels));

    // Who holds admin roles (usable or not), from the access paths.
    let role_rows = access.iter().filter(|p| &*p.action != "member" && &*p.action != "access");
    let mut admin_users = HashSet::new();
    let mut allowed_admins = HashSet::new();
    for row in role_rows.filter(|p| &*p.identity_kind == "okta_user") {
        admin_users.insert(row.identity_id.clone());
        if row.kind == "ALLOWED" {
            allowed_admins.insert(row.identity_id.clone());
        }
    }
    let active_users = nodes
        .iter()
        .filter(|n| n.sub_kind == "okta_user" && n.labels.get("okta/status").and_then(|s| s.as_str()) == Some("ACTIVE"))
        .count();
    let mut role_types: BTreeMap<String, usize> = BTreeMap::new();
    for node in nodes.iter().filter(|n| n.sub_kind == "okta_role") {
        let role_type = node.labels.get("okta/role_type").and_then(|t| t.as_str()).unwrap_or("?");
        *role_types.entry(role_type.to_string()).or_default() += 1;
    }
    println!(
        "admins: {} users hold a role ({} usable, {:.2}% of {} active users); assignments by type: {:?}",
        admin_users.len(),
        allowed_admins.len(),
        100.0 * allowed_admins.len() as f64 / active_users.max(1) as f64,
        active_users,
        role_types
    );
    let admin_group_sizes: BTreeMap<String, usize> = {
        let holders: HashSet<&str> = edges
            .iter()
            .filter(|e| e.kind == "has_role" && e.from_id.contains(":00g"))
            .map(|e| e.from_id.as_str())
            .collect();
        let names: std::collections::HashMap<&str, &str> =
            nodes.iter().map(|n| (n.id.as_str(), n.name.as_str())).collect();
        let mut sizes = BTreeMap::new();
        for e in edges.iter().filter(|e| e.kind == "member_of" && holders.contains(e.to_id.as_str())) {
            *sizes.entry(names.get(e.to_id.as_str()).unwrap_or(&"?").to_string()).or_default() += 1;
        }
        sizes
    };
    println!("admin groups and their members: {admin_group_sizes:?}");
    let mut by_capability: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for c in &control {
        *by_capability.entry((c.capability, c.scope)).or_default() += 1;
    }
    println!("control edges: {} {:?}", control.len(), by_capability);
    let mut by_kind: BTreeMap<(&str, String), (usize, HashSet<&str>)> = BTreeMap::new();
    for row in &escalation {
        let entry = by_kind.entry((row.target_kind, row.target.to_string())).or_default();
        entry.0 += 1;
        entry.1.insert(&row.identity_id);
    }
    println!("escalation paths: {} rows", escalation.len());
    for ((kind, target), (rows, identities)) in &by_kind {
        println!("  {kind:12} {target:40} {rows:6} rows, {:5} identities", identities.len());
    }
    let mut by_identity_kind: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    for row in &escalation {
        by_identity_kind.entry(&row.identity_kind).or_default().insert(&row.identity_id);
    }
    let counts: BTreeMap<&str, usize> = by_identity_kind.iter().map(|(k, ids)| (*k, ids.len())).collect();
    println!("  identities with a row, by kind: {counts:?}");
    // One example chain per (target, first step, length).
    let mut shown = HashSet::new();
    for row in &escalation {
        let chain: serde_json::Value = serde_json::from_str(&row.chain).expect("chain JSON");
        let steps = chain.as_array().expect("an array");
        let first = steps[0]["step"].as_str().unwrap_or("").to_string();
        if shown.insert((row.target_id.clone(), first, row.length, row.identity_kind.clone())) {
            let text: Vec<String> = steps
                .iter()
                .map(|s| {
                    let via = s.get("via").and_then(|v| v.as_str()).map(|v| format!(" [{v}]")).unwrap_or_default();
                    format!(
                        "{} {}{via} → {}",
                        s["from_name"].as_str().unwrap_or(""),
                        s["step"].as_str().unwrap_or(""),
                        s["to_name"].as_str().unwrap_or("")
                    )
                })
                .collect();
            println!("  e.g. ({}, {}) {}", row.identity_kind, row.target, text.join("; "));
        }
    }
    let longest = escalation.iter().map(|r| r.length).max().unwrap_or(0);
    let truncated: HashSet<(&str, &str)> =
        escalation.iter().filter(|r| r.truncated).map(|r| (&*r.identity_id, &*r.target_id)).collect();
    println!("  longest chain {longest} steps; {} (identity, target) pairs capped at 16 chains", truncated.len());

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!();
    println!("| step | time (best of {runs}) | rows |");
    println!("|---|---:|---:|");
    println!("| access_paths | {:.0} ms | {} |", ms(access_time), access.len());
    println!("| control_edges | {:.0} ms | {} |", ms(control_time), control.len());
    println!("| escalation_paths | {:.0} ms | {} |", ms(escalation_time), escalation.len());
    println!(
        "\n(control + escalation) / access paths = {:.1}%",
        100.0 * (ms(control_time) + ms(escalation_time)) / ms(access_time)
    );
}
