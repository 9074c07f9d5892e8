//! How fast the simulator generates orgs and serves list pages.
//!
//! `cargo bench -p okta-sim --bench sim_throughput [-- --users 100000]`
//!
//! The server runs on one core (a current-thread runtime on its own thread); clients run on the
//! other threads, so the figures say what one core of simulator delivers. Results are printed as
//! a Markdown table for docs/PERFORMANCE.md.

use okta_sim::org::{OrgParams, generate};
use okta_sim::server::ratelimit::RateLimitSettings;
use okta_sim::{ActivityConfig, SimConfig, SimInfo};
use std::time::{Duration, Instant};

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
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn generation() {
    println!("| org size (users) | groups | apps | memberships | generation (best of runs) |");
    println!("|---:|---:|---:|---:|---:|");
    for (users, runs) in [(10_000, 3), (100_000, 3), (300_000, 1)] {
        let params = OrgParams::sized(users, 1, chrono::Utc::now());
        let mut best = Duration::MAX;
        let mut shape = (0, 0, 0);
        for _ in 0..runs {
            let started = Instant::now();
            let org = generate(&params);
            best = best.min(started.elapsed());
            shape = (org.groups.len(), org.apps.len(), org.group_members.iter().map(Vec::len).sum::<usize>());
        }
        println!("| {users} | {} | {} | {} | {:.2} s |", shape.0, shape.1, shape.2, best.as_secs_f64());
    }
}

/// Starts a simulator on its own single-threaded runtime and returns its connection details.
fn start_on_one_core(users: usize) -> SimInfo {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let dir = std::env::temp_dir().join(format!("okta-sim-bench-{}", std::process::id()));
            let config = SimConfig {
                listen: "127.0.0.1:0".parse().unwrap(),
                org: OrgParams::sized(users, 1, chrono::Utc::now()),
                data_dir: dir,
                rate_limits: RateLimitSettings { enabled: false, ..Default::default() },
                activity: ActivityConfig {
                    events_per_minute: Some(2000.0),
                    history: Duration::from_secs(3600),
                    live: false,
                    attack_every: None,
                },
                dpop_required: true,
            };
            let running = okta_sim::start(config).await.unwrap();
            tx.send(running.info.clone()).unwrap();
            running.wait().await.unwrap();
        });
    });
    rx.recv().unwrap()
}

fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers.get_all("link").iter().find_map(|v| {
        let v = v.to_str().ok()?;
        if !v.contains("rel=\"next\"") {
            return None;
        }
        Some(v[v.find('<')? + 1..v.find('>')?].to_string())
    })
}

/// Pages through `start` to the end; returns (objects, pages). Polling log queries stop at an empty page.
async fn drain(http: &reqwest::Client, token: &str, start: String) -> (usize, usize) {
    let (mut objects, mut pages) = (0, 0);
    let mut next = Some(start);
    while let Some(url) = next {
        let response = http.get(&url).header("authorization", format!("SSWS {token}")).send().await.unwrap();
        assert!(response.status().is_success(), "{url}: {}", response.status());
        let link = next_link(response.headers());
        // Count without building values: the clients must not be what is measured.
        let body = response.bytes().await.unwrap();
        let items: Vec<serde::de::IgnoredAny> = serde_json::from_slice(&body).unwrap();
        pages += 1;
        objects += items.len();
        next = if items.is_empty() { None } else { link };
    }
    (objects, pages)
}

async fn serving(users: usize) {
    let started = Instant::now();
    let info = start_on_one_core(users);
    let ready = started.elapsed();
    let http = reqwest::Client::builder().pool_max_idle_per_host(16).build().unwrap();
    let token = info.api_token.clone();
    let base = info.org_url.clone();
    let everyone: Vec<serde_json::Value> = http
        .get(format!("{base}/api/v1/groups?filter=type%20eq%20%22BUILT_IN%22"))
        .header("authorization", format!("SSWS {token}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let everyone = everyone[0]["id"].as_str().unwrap().to_string();
    let since = (chrono::Utc::now() - chrono::Duration::hours(2)).format("%Y-%m-%dT%H:%M:%SZ");
    let cases = [
        ("users (limit 200)", format!("{base}/api/v1/users?limit=200")),
        ("group members of Everyone (limit 1000)", format!("{base}/api/v1/groups/{everyone}/users?limit=1000")),
        ("groups with stats", format!("{base}/api/v1/groups?expand=stats")),
        ("System Log polling (limit 1000)", format!("{base}/api/v1/logs?since={since}&limit=1000")),
    ];
    println!();
    println!(
        "Simulator with {users} users ready in {:.2} s (org, indexes, 1 h of System Log, RSA key).",
        ready.as_secs_f64()
    );
    println!();
    println!("| listing (server on one core, 4 clients in parallel) | objects | pages | wall time | objects/s |");
    println!("|---|---:|---:|---:|---:|");
    for (name, url) in cases {
        let t = Instant::now();
        let tasks: Vec<_> =
            (0..4).map(|_| tokio::spawn(drain_owned(http.clone(), token.clone(), url.clone()))).collect();
        let mut objects = 0;
        let mut pages = 0;
        for task in tasks {
            let (o, p) = task.await.unwrap();
            objects += o;
            pages += p;
        }
        let wall = t.elapsed().as_secs_f64();
        println!("| {name} | {objects} | {pages} | {wall:.2} s | {:.0} |", objects as f64 / wall);
    }
    println!();
    println!("Peak RSS of the benchmark process (server and clients): {:.0} MiB", peak_rss_mib());
}

async fn drain_owned(http: reqwest::Client, token: String, url: String) -> (usize, usize) {
    drain(&http, &token, url).await
}

fn main() {
    // `cargo bench` passes `--bench`; only our own flags matter.
    let users = arg("--users", 100_000);
    println!(
        "## okta-sim benchmark ({} cores available)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    println!();
    generation();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(serving(users));
}
