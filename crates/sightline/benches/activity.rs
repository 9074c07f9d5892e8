//! The activity pipeline: System Log throughput, file ingest throughput per CPU core, and the lag
//! from an event's persistence in the simulator to its row in `events`.
//!
//! ```sh
//! cargo bench -p sightline --bench activity                      # 200k events, 60 s of live lag
//! cargo bench -p sightline --bench activity -- --events-per-minute 500 --history 2h --lag-seconds 20
//! ```
//!
//! 1. `sightline sync --only logs` against `sightline okta-sim --history H` (separate processes):
//!    events/s through the whole poll (HTTP, parse, normalise, store).
//! 2. The stored events are written back out as an NDJSON export and `sightline ingest --source
//!    okta` reads it into a new store: events per second of wall time and per CPU-second of the
//!    ingest process (user + system), the figure the target is stated in (one core).
//! 3. Lag: `sightline serve` (poll interval 1 s) against a simulator with live activity, while
//!    this process polls the simulator itself every 100 ms to see when each event becomes
//!    visible (is persisted); lag = the event's `ingested_at` − the moment it became visible.

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_sightline")
}

struct Sim {
    child: std::process::Child,
    info: Value,
}

impl Sim {
    fn start(args: &[&str], dir: &std::path::Path) -> Sim {
        let mut child = Command::new(bin())
            .args(["okta-sim", "--listen", "127.0.0.1:0", "--json", "--rate-limits", "off", "--users", "2000"])
            .args(args)
            .arg("--data-dir")
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        Sim { child, info: serde_json::from_str(&line).unwrap() }
    }

    fn host(&self) -> String {
        self.info["org_url"].as_str().unwrap().trim_start_matches("http://").to_string()
    }

    /// GET with the SSWS token; the body and the `next` link.
    fn get(&self, path: &str) -> (String, Option<String>) {
        let host = self.host();
        let mut stream = std::net::TcpStream::connect(&host).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.0\r\nHost: {host}\r\nAuthorization: SSWS {}\r\nAccept: application/json\r\n\r\n",
            self.info["api_token"].as_str().unwrap()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        let next = head.lines().filter(|l| l.to_ascii_lowercase().starts_with("link:")).find_map(|l| {
            l.contains("rel=\"next\"").then(|| {
                let url = &l[l.find('<')? + 1..l.find('>')?];
                Some(url.split_once(&host).map_or(url.to_string(), |(_, p)| p.to_string()))
            })?
        });
        (body.to_string(), next)
    }

    fn stats(&self) -> Value {
        let host = self.host();
        let mut stream = std::net::TcpStream::connect(&host).unwrap();
        write!(stream, "GET /__sim/stats HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        serde_json::from_str(response.split_once("\r\n\r\n").unwrap().1).unwrap()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config(dir: &std::path::Path, name: &str, sim: &Sim, extra: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "data_dir = \"{name}-data\"\n[server]\nlisten = \"127.0.0.1:0\"\n[[okta]]\nname = \"bench\"\norg_url = \"{}\"\napi_token = \"{}\"\nresources = false\nlog_start = \"30d\"\n{extra}\n",
            sim.info["org_url"].as_str().unwrap(),
            sim.info["api_token"].as_str().unwrap()
        ),
    )
    .unwrap();
    path
}

fn query(config: &std::path::Path, sql: &str) -> Vec<Value> {
    let out =
        Command::new(bin()).args(["query", "--format", "json", "--config"]).arg(config).arg(sql).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// CPU seconds (user + system) of finished child processes so far.
fn children_cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc_rusage>::uninit();
    // SAFETY: getrusage fills the struct it is given.
    let rc = unsafe { getrusage(-1, usage.as_mut_ptr()) };
    assert_eq!(rc, 0);
    // SAFETY: initialised by the successful call above.
    let usage = unsafe { usage.assume_init() };
    let seconds = |t: [i64; 2]| t[0] as f64 + t[1] as f64 / 1e6;
    seconds(usage.utime) + seconds(usage.stime)
}

/// The start of Linux's `struct rusage` (timevals); the rest is padding we do not read.
#[repr(C)]
struct libc_rusage {
    utime: [i64; 2],
    stime: [i64; 2],
    rest: [i64; 14],
}

unsafe extern "C" {
    fn getrusage(who: i32, usage: *mut libc_rusage) -> i32;
}

fn main() {
    let per_minute = arg("--events-per-minute").unwrap_or_else(|| "1400".into());
    let history = arg("--history").unwrap_or_else(|| "150m".into());
    let lag_seconds: u64 = arg("--lag-seconds").and_then(|s| s.parse().ok()).unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();

    // 1. The whole System Log poll.
    let sim = Sim::start(
        &["--history", &history, "--no-live-activity", "--events-per-minute", &per_minute],
        &dir.path().join("sim1"),
    );
    let served = sim.stats()["log_events"].as_u64().unwrap();
    let poll_config = config(dir.path(), "poll", &sim, "");
    let started = Instant::now();
    let out = Command::new(bin()).args(["sync", "--only", "logs", "--config"]).arg(&poll_config).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let poll_wall = started.elapsed();
    let stored = query(&poll_config, "SELECT count(*) AS n FROM events")[0]["n"].as_u64().unwrap();
    assert_eq!(stored, served);
    drop(sim);

    // 2. The same events as an export, ingested from the file.
    let export = dir.path().join("export.ndjson");
    {
        let store = store::Store::open_sqlite(&dir.path().join("poll-data/sightline.db")).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut file = std::io::BufWriter::new(std::fs::File::create(&export).unwrap());
        let mut seq = 0i64;
        loop {
            let rows = rt
                .block_on(store.query(
                    &format!("SELECT seq, raw FROM events WHERE seq > {seq} ORDER BY seq LIMIT 50000"),
                    Default::default(),
                ))
                .unwrap()
                .rows;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                serde_json::to_writer(&mut file, &row[1]).unwrap();
                file.write_all(b"\n").unwrap();
            }
            seq = rows.last().unwrap()[0].as_i64().unwrap();
        }
    }
    let bytes = std::fs::metadata(&export).unwrap().len();
    let ingest_config = dir.path().join("ingest.toml");
    std::fs::write(&ingest_config, "data_dir = \"ingest-data\"\n").unwrap();
    let cpu_before = children_cpu_seconds();
    let started = Instant::now();
    let out = Command::new(bin())
        .args(["ingest", "--source", "okta", "--config"])
        .arg(&ingest_config)
        .arg(&export)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ingest_wall = started.elapsed();
    let ingest_cpu = children_cpu_seconds() - cpu_before;

    println!("## Activity pipeline: {served} Okta events ({:.0} MiB as NDJSON)", bytes as f64 / 1048576.0);
    println!();
    println!("| stage | wall time | events/s (wall) | CPU time | events per CPU-second |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| System Log poll (HTTP + parse + normalise + store) | {:.1} s | {:.0} | – | – |",
        poll_wall.as_secs_f64(),
        served as f64 / poll_wall.as_secs_f64()
    );
    println!(
        "| `sightline ingest` of the export (parse + normalise + store) | {:.1} s | {:.0} | {ingest_cpu:.1} s | {:.0} |",
        ingest_wall.as_secs_f64(),
        served as f64 / ingest_wall.as_secs_f64(),
        served as f64 / ingest_cpu
    );

    // 3. Lag under live traffic.
    let sim = Sim::start(&["--history", "0s", "--events-per-minute", "600"], &dir.path().join("sim2"));
    let serve_config = config(dir.path(), "serve", &sim, "log_poll_interval = \"1s\"");
    let mut serve = Command::new(bin())
        .args(["serve", "--config"])
        .arg(&serve_config)
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut visible: HashMap<String, std::time::SystemTime> = HashMap::new();
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut next = format!("/api/v1/logs?since={since}&sortOrder=ASCENDING&limit=1000");
    let until = Instant::now() + Duration::from_secs(lag_seconds);
    while Instant::now() < until {
        let (body, link) = sim.get(&next);
        let seen_at = std::time::SystemTime::now();
        for event in serde_json::from_str::<Vec<Value>>(&body).unwrap_or_default() {
            visible.entry(event["uuid"].as_str().unwrap().to_string()).or_insert(seen_at);
        }
        if let Some(link) = link {
            next = link;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(3));
    let _ = Command::new("kill").args(["-TERM", &serve.id().to_string()]).status();
    let _ = serve.wait();
    let rows = query(&serve_config.with_file_name("serve.toml"), "SELECT uuid, ingested_at FROM events");
    let mut lags: Vec<f64> = rows
        .iter()
        .filter_map(|r| {
            let seen = visible.get(r["uuid"].as_str()?)?;
            let stored: chrono::DateTime<chrono::Utc> = r["ingested_at"].as_str()?.parse().ok()?;
            let seen: chrono::DateTime<chrono::Utc> = (*seen).into();
            Some((stored - seen).num_milliseconds() as f64 / 1000.0)
        })
        .collect();
    lags.sort_by(f64::total_cmp);
    let at = |q: f64| lags[((lags.len() as f64 * q).ceil() as usize).clamp(1, lags.len()) - 1];
    println!();
    println!(
        "Lag over {lag_seconds} s of live traffic (600 events/min, `log_poll_interval = \"1s\"`), {} events: \
         p50 {:.2} s, p99 {:.2} s, max {:.2} s (measured from when this benchmark, polling every 100 ms, first saw \
         each event; a negative value means the service stored it before the benchmark's next look).",
        lags.len(),
        at(0.5),
        at(0.99),
        lags.last().copied().unwrap_or_default()
    );
    drop(sim);
}
