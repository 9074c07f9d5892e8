//! End-to-end resource scan: `sightline sync` against `sightline okta-sim`, as separate processes.
//!
//! ```sh
//! cargo bench -p sightline --bench scan                         # 100k users, 10k groups, 2k apps, limits off
//! cargo bench -p sightline --bench scan -- --limits             # Okta's default limits, 50% share, 2 s windows
//! cargo bench -p sightline --bench scan -- --users 10000 --groups 1000 --apps 200
//! ```
//!
//! Reports objects read per second and the sync process's peak RSS; with `--limits`, the wall time
//! against the floor Okta's limits allow for the requests the scan made. Windows are shortened from
//! 60 s to `--window` seconds (default 2) so the run takes minutes, not hours; the ratio to the floor
//! does not depend on the window length.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let users = arg("--users").unwrap_or_else(|| "100000".into());
    let groups = arg("--groups").unwrap_or_else(|| "10000".into());
    let apps = arg("--apps").unwrap_or_else(|| "2000".into());
    let limits = flag("--limits");
    let window: u64 = arg("--window").and_then(|w| w.parse().ok()).unwrap_or(2);
    let bin = env!("CARGO_BIN_EXE_sightline");
    let dir = tempfile::tempdir().unwrap();

    let mut sim_args = vec![
        "okta-sim".to_string(),
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--json".into(),
        "--history".into(),
        "0s".into(),
        "--no-live-activity".into(),
        "--users".into(),
        users.clone(),
        "--groups".into(),
        groups.clone(),
        "--apps".into(),
        apps.clone(),
    ];
    if limits {
        sim_args.extend(["--rate-limit-window".into(), format!("{window}s")]);
    } else {
        sim_args.extend(["--rate-limits".into(), "off".into()]);
    }
    let mut sim = Command::new(bin)
        .args(&sim_args)
        .arg("--data-dir")
        .arg(dir.path().join("sim"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(sim.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let info: Value = serde_json::from_str(&line).expect("the simulator's JSON line");
    let url = info["org_url"].as_str().unwrap().to_string();
    let config = dir.path().join("sightline.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"data\"\n[[okta]]\nname = \"bench\"\norg_url = \"{url}\"\napi_token = \"{}\"\nsystem_log = false\n",
            info["api_token"].as_str().unwrap()
        ),
    )
    .unwrap();

    let started = Instant::now();
    let mut sync = Command::new(bin).arg("sync").arg("--config").arg(&config).stderr(Stdio::piped()).spawn().unwrap();
    let pid = sync.id();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_rss_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = sync.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let wall = started.elapsed();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut sync.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "sync failed: {stderr}");

    let query = |sql: &str| -> Vec<Value> {
        let out = Command::new(bin)
            .arg("query")
            .arg("--config")
            .arg(&config)
            .args(["--format", "json", sql])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let run = &query("SELECT counts, api_calls, rate_limit_waits, rate_limit_wait_ms FROM sync_runs")[0];
    let counts = &run["counts"];
    let read: u64 = [
        "users",
        "groups",
        "group_memberships",
        "group_owners",
        "apps",
        "app_users",
        "app_group_assignments",
        "role_assignments",
        "custom_roles",
        "resource_sets",
        "resource_set_resources",
        "api_tokens",
    ]
    .iter()
    .map(|k| counts[*k].as_u64().unwrap_or(0))
    .sum();
    println!(
        "## sightline sync benchmark: {users} users, {groups} groups, {apps} apps, rate limits {}",
        if limits { "on" } else { "off" }
    );
    println!();
    println!("| objects read | nodes | edges | API calls | wall time | objects/s | peak RSS of sync |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {read} | {} | {} | {} | {:.1} s | {:.0} | {:.0} MiB |",
        counts["nodes"],
        counts["edges"],
        run["api_calls"],
        wall.as_secs_f64(),
        read as f64 / wall.as_secs_f64(),
        peak as f64 / 1024.0
    );

    if limits {
        let host = url.trim_start_matches("http://").to_string();
        let stats: Value = {
            use std::io::{Read, Write};
            let mut stream = std::net::TcpStream::connect(&host).unwrap();
            write!(stream, "GET /__sim/stats HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            serde_json::from_str(response.split_once("\r\n\r\n").unwrap().1).unwrap()
        };
        let limits = &stats["rate_limits"];
        let defaults: Value = serde_json::json!({"apps": 100, "app": 500, "groups": 500, "group": 1000, "users": 600, "user": 2000, "logs": 120, "clients": 100, "token": 600, "other": 1200});
        println!();
        println!("| bucket | requests | allowed per window at 50% | floor | peak in one window |");
        println!("|---|---:|---:|---:|---:|");
        let mut floor = 0.0f64;
        for (bucket, admitted) in limits["admitted"].as_object().unwrap() {
            let admitted = admitted.as_u64().unwrap();
            let allowance = (defaults[bucket].as_u64().unwrap_or(1200) / 2).max(1);
            let windows = admitted.div_ceil(allowance).saturating_sub(1);
            let bucket_floor = windows as f64 * window as f64;
            floor = floor.max(bucket_floor);
            println!(
                "| {bucket} | {admitted} | {allowance} | {bucket_floor:.0} s | {} |",
                limits["peak_per_window"][bucket]
            );
        }
        println!();
        println!(
            "Wall time {:.1} s against a floor of {floor:.0} s: {:.2}x. 429 responses: {}. Rate-limit waits: {} ({} ms).",
            wall.as_secs_f64(),
            wall.as_secs_f64() / floor.max(f64::EPSILON),
            limits["rejected"],
            run["rate_limit_waits"],
            run["rate_limit_wait_ms"]
        );
    }
    let _ = sim.kill();
    let _ = sim.wait();
}
