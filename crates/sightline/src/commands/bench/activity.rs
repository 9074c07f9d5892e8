//! The activity pipeline: the System Log streamed through `sightline serve` (poll, parse,
//! normalise, store, and every detection), the same events ingested from a file (per CPU-second,
//! the figure an ingest target is stated in), and the poll and detection lag under live traffic.

use super::child::{self, Running, Sim, os_args};
use super::{Target, write_config};
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use store::Store;

/// How long the pipeline may make no progress before the benchmark gives up.
const STALL: Duration = Duration::from_secs(180);

#[derive(Debug, Clone, Serialize)]
pub struct PipelineFigures {
    pub events: u64,
    /// From `serve`'s start until every event is stored.
    pub stored_seconds: f64,
    /// From `serve`'s start until the detector has evaluated every stored event.
    pub evaluated_seconds: f64,
    pub events_per_second: f64,
    pub cpu_seconds: f64,
    pub events_per_cpu_second: f64,
    pub peak_rss_mib: f64,
    pub alerts: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct IngestFigures {
    pub events: u64,
    pub wall_seconds: f64,
    pub cpu_seconds: f64,
    pub events_per_second: f64,
    pub events_per_cpu_second: f64,
    pub peak_rss_mib: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LagFigures {
    pub events: u64,
    pub poll_lag: Percentiles,
    pub alerts: u64,
    pub detection_lag: Option<Percentiles>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

impl Percentiles {
    fn of(mut values: Vec<f64>) -> Option<Percentiles> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values[((values.len() as f64 * q).ceil() as usize).clamp(1, values.len()) - 1];
        Some(Percentiles { p50: at(0.5), p99: at(0.99), max: values[values.len() - 1] })
    }
}

/// Starts `serve` on a config and waits until it answers `/readyz`.
async fn serve(config: &Path, port: u16, dir: &Path) -> Result<Running> {
    let mut serve = Running::start(
        &os_args([OsString::from("serve"), "--config".into(), config.into()]),
        dir,
        &dir.join("serve.log"),
    )?;
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        serve.check_alive()?;
        let ready = http.get(format!("http://127.0.0.1:{port}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return Ok(serve);
        }
        if Instant::now() > deadline {
            bail!("serve did not become ready within 2 minutes; see {}", dir.join("serve.log").display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn number(store: &Store, sql: &str) -> Result<u64> {
    let rows = store.query(sql, Default::default()).await.with_context(|| sql.to_string())?.rows;
    Ok(rows.first().and_then(|r| r.first()).and_then(Value::as_u64).unwrap_or(0))
}

/// `events` System Log events (an hour of history, no live traffic, rate limits off) streamed
/// through `serve` into a new store and every built-in detection.
pub async fn pipeline(org_args: &[String], events: usize, target: &Target, dir: &Path) -> Result<PipelineFigures> {
    let per_minute = (events as f64 / 60.0).max(1.0);
    let sim_args = [
        org_args,
        &["--history", "60m", "--no-live-activity", "--rate-limits", "off", "--events-per-minute"].map(String::from),
        &[format!("{per_minute}")],
    ]
    .concat();
    let sim = Sim::start(&sim_args, &dir.join("sim")).await?;
    let served = sim.stats().await?["log_events"].as_u64().context("the simulator's event count")?;
    let (config, port) =
        write_config(dir, target, &sim, "resources = false\nlog_start = \"2h\"\nlog_poll_interval = \"1s\"")?;
    let serve = serve(&config, port, dir).await?;
    let store = target.open().await?;
    let (mut stored_at, mut last_progress, mut last_seen) = (None, Instant::now(), 0);
    let evaluated_at = loop {
        let newest = number(&store, "SELECT coalesce(max(seq), 0) FROM events").await?;
        if stored_at.is_none() && newest >= served && number(&store, "SELECT count(*) FROM events").await? >= served {
            stored_at = Some(serve.elapsed());
        }
        if stored_at.is_some() {
            let evaluated = number(&store, "SELECT coalesce(min(seq), 0) FROM detector_cursors").await?;
            if evaluated >= newest {
                break serve.elapsed();
            }
        }
        if newest > last_seen {
            (last_seen, last_progress) = (newest, Instant::now());
        } else if last_progress.elapsed() > STALL {
            bail!("the pipeline stalled at {newest} of {served} events; see {}", dir.join("serve.log").display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (cpu_seconds, peak_rss_mib) = (serve.cpu_seconds(), serve.peak_rss_mib());
    serve.stop(Duration::from_secs(30)).await;
    let stored = number(&store, "SELECT count(*) FROM events").await?;
    if stored != served {
        bail!("the pipeline stored {stored} events of the {served} the simulator served");
    }
    Ok(PipelineFigures {
        events: stored,
        stored_seconds: stored_at.unwrap_or(evaluated_at).as_secs_f64(),
        evaluated_seconds: evaluated_at.as_secs_f64(),
        events_per_second: stored as f64 / evaluated_at.as_secs_f64(),
        cpu_seconds,
        events_per_cpu_second: stored as f64 / cpu_seconds.max(f64::EPSILON),
        peak_rss_mib,
        alerts: number(&store, "SELECT count(*) FROM alerts").await?,
    })
}

/// Writes a store's events back out as an Okta System Log export (NDJSON of the raw events).
pub async fn export(target: &Target, path: &Path) -> Result<PathBuf> {
    let store = target.open().await?;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut seq = 0i64;
    loop {
        let sql = format!("SELECT seq, raw FROM events WHERE seq > {seq} ORDER BY seq LIMIT 50000");
        let rows = store.query(&sql, Default::default()).await?.rows;
        let Some(last) = rows.last() else { break };
        seq = last[0].as_i64().context("seq")?;
        for row in &rows {
            serde_json::to_writer(&mut file, &row[1])?;
            file.write_all(b"\n")?;
        }
    }
    file.flush()?;
    Ok(path.to_path_buf())
}

/// `sightline ingest --source okta` of an export into a new store.
pub async fn ingest_file(export: &Path, target: &Target, dir: &Path) -> Result<IngestFigures> {
    let config = dir.join("sightline.toml");
    std::fs::write(&config, target.config_head())?;
    let args = os_args([
        OsString::from("ingest"),
        "--source".into(),
        "okta".into(),
        "--config".into(),
        config.into(),
        export.into(),
    ]);
    let cost = child::run(&args, dir, &dir.join("ingest.log")).await?;
    let events = number(&target.open().await?, "SELECT count(*) FROM events").await?;
    Ok(IngestFigures {
        events,
        wall_seconds: cost.wall.as_secs_f64(),
        cpu_seconds: cost.cpu_seconds,
        events_per_second: events as f64 / cost.wall.as_secs_f64(),
        events_per_cpu_second: events as f64 / cost.cpu_seconds.max(f64::EPSILON),
        peak_rss_mib: cost.peak_rss_mib,
    })
}

/// `serve` (poll interval 1 s) against live traffic of `per_minute` events with an attack every
/// 15 s. Poll lag: from the moment an event became visible in the simulator's System Log (this
/// harness reads it every 100 ms) to its row's `ingested_at`. Detection lag: from the last event
/// of an alert stored before the alert to the alert's `created_at`.
pub async fn lag(
    org_args: &[String],
    per_minute: usize,
    duration: Duration,
    target: &Target,
    dir: &Path,
) -> Result<LagFigures> {
    let sim_args = [
        org_args,
        &["--history", "0s", "--rate-limits", "off", "--attack-every", "15s", "--events-per-minute"].map(String::from),
        &[per_minute.to_string()],
    ]
    .concat();
    let sim = Sim::start(&sim_args, &dir.join("sim")).await?;
    let (config, port) =
        write_config(dir, target, &sim, "resources = false\nlog_start = \"1m\"\nlog_poll_interval = \"1s\"")?;
    let serve = serve(&config, port, dir).await?;
    let mut visible: HashMap<String, DateTime<Utc>> = HashMap::new();
    let since = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut next = format!("{}/api/v1/logs?since={since}&sortOrder=ASCENDING&limit=1000", sim.org_url);
    let until = Instant::now() + duration;
    while Instant::now() < until {
        let (events, link) = sim.log_page(&next).await?;
        let seen_at = Utc::now();
        for event in events {
            if let Some(uuid) = event["uuid"].as_str() {
                visible.entry(uuid.to_string()).or_insert(seen_at);
            }
        }
        if let Some(link) = link {
            next = link;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Room for the last poll and the detector to finish.
    tokio::time::sleep(Duration::from_secs(3)).await;
    serve.stop(Duration::from_secs(30)).await;
    drop(sim);

    let store = target.open().await?;
    let limits = store::QueryLimits { timeout: Duration::from_secs(120), max_rows: 10_000_000 };
    let rows = store.query("SELECT uuid, ingested_at FROM events", limits).await?.rows;
    let events = rows.len() as u64;
    let time = |v: &Value| v.as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc));
    let seconds =
        |later: DateTime<Utc>, earlier: DateTime<Utc>| (later - earlier).num_microseconds().unwrap_or(0) as f64 / 1e6;
    let poll_lags: Vec<f64> =
        rows.iter().filter_map(|r| Some(seconds(time(&r[1])?, *visible.get(r[0].as_str()?)?))).collect();
    let poll_lag = Percentiles::of(poll_lags).context("no event was both seen in the simulator and stored")?;

    let rows = store
        .query(
            "SELECT a.id, a.created_at, e.ingested_at FROM alerts a \
             JOIN alert_events ae ON ae.alert_id = a.id JOIN events e ON e.seq = ae.seq",
            limits,
        )
        .await?
        .rows;
    let mut last_stored: HashMap<i64, (DateTime<Utc>, Option<DateTime<Utc>>)> = HashMap::new();
    for row in &rows {
        let (Some(id), Some(created), Some(stored)) = (row[0].as_i64(), time(&row[1]), time(&row[2])) else { continue };
        let entry = last_stored.entry(id).or_insert((created, None));
        if stored <= created && entry.1.is_none_or(|s| stored > s) {
            entry.1 = Some(stored);
        }
    }
    let detection_lags: Vec<f64> =
        last_stored.values().filter_map(|(created, stored)| Some(seconds(*created, (*stored)?))).collect();
    Ok(LagFigures {
        events,
        poll_lag,
        alerts: last_stored.len() as u64,
        detection_lag: Percentiles::of(detection_lags),
    })
}
