//! The resource scan: `sightline sync` of a simulator org into a new store, with rate limits off
//! (how fast Sightline reads and writes) and at a 50% share of Okta's default limits (how close
//! to the floor those limits allow it stays).

use super::child::{self, Sim, os_args};
use super::{Target, write_config};
use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// The `sync_runs.counts` keys that are objects read from Okta.
const OBJECT_KINDS: [&str; 12] = [
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
];

#[derive(Debug, Clone, Serialize)]
pub struct ScanFigures {
    pub objects: u64,
    pub nodes: u64,
    pub edges: u64,
    pub access_paths: u64,
    pub api_calls: u64,
    /// The whole `sync` process.
    pub wall_seconds: f64,
    /// Its phases, as the sync recorded them.
    pub scan_seconds: f64,
    pub access_paths_seconds: f64,
    /// Control edges, escalation paths and crown-jewel reach.
    pub escalation_seconds: f64,
    pub write_seconds: f64,
    pub peak_rss_mib: f64,
    pub peak_rss_after_scan_mib: f64,
    pub peak_rss_after_access_paths_mib: f64,
    pub cpu_seconds: f64,
}

/// `sync` with the simulator's rate limits off.
pub async fn unlimited(sim: &Sim, target: &Target, dir: &Path) -> Result<ScanFigures> {
    sync(sim, target, dir).await
}

#[derive(Debug, Clone, Serialize)]
pub struct LimitedFigures {
    pub scan: ScanFigures,
    /// Per bucket: requests admitted, allowed per window at a 50% share, its floor, and the most
    /// requests the simulator admitted in one window.
    pub buckets: Vec<Bucket>,
    pub floor_seconds: f64,
    /// The scan phase (reading the org) over the floor: what the limits bound.
    pub scan_ratio_to_floor: f64,
    /// The whole sync (with the access-path rebuild and the write) over the floor.
    pub ratio_to_floor: f64,
    pub rejected_429: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    pub name: String,
    pub requests: u64,
    pub allowed_per_window: u64,
    pub floor_seconds: f64,
    pub peak_in_one_window: u64,
}

/// `sync` against a simulator enforcing Okta's default per-minute budgets over `window` seconds,
/// at Sightline's default share (50%). The floor of a bucket is the time its budget needs for the
/// requests the scan made: `(⌈requests ÷ allowed per window⌉ − 1) × window`; the scan's floor is
/// the largest, since the buckets' listings run together.
pub async fn limited(sim: &Sim, target: &Target, dir: &Path, window: u64) -> Result<LimitedFigures> {
    let scan = sync(sim, target, dir).await?;
    let stats = sim.stats().await?;
    let limits = &stats["rate_limits"];
    let budgets = okta_sim::server::ratelimit::RateLimitSettings::default().per_minute;
    let mut buckets = Vec::new();
    for (name, admitted) in limits["admitted"].as_object().context("the simulator's rate-limit statistics")? {
        let requests = admitted.as_u64().unwrap_or(0);
        let budget = budgets.get(name).copied().unwrap_or(1200) as u64;
        let allowed = (budget / 2).max(1);
        let floor_seconds = (requests.div_ceil(allowed).saturating_sub(1) * window) as f64;
        let peak = limits["peak_per_window"][name].as_u64().unwrap_or(0);
        buckets.push(Bucket {
            name: name.clone(),
            requests,
            allowed_per_window: allowed,
            floor_seconds,
            peak_in_one_window: peak,
        });
    }
    buckets.sort_by(|a, b| b.floor_seconds.total_cmp(&a.floor_seconds).then(b.requests.cmp(&a.requests)));
    let floor_seconds = buckets.iter().map(|b| b.floor_seconds).fold(0.0, f64::max);
    Ok(LimitedFigures {
        scan_ratio_to_floor: scan.scan_seconds / floor_seconds.max(f64::EPSILON),
        ratio_to_floor: scan.wall_seconds / floor_seconds.max(f64::EPSILON),
        floor_seconds,
        rejected_429: limits["rejected"].as_u64().unwrap_or(0),
        buckets,
        scan,
    })
}

async fn sync(sim: &Sim, target: &Target, dir: &Path) -> Result<ScanFigures> {
    let (config, _) = write_config(dir, target, sim, "system_log = false")?;
    let cost = child::run(
        &os_args([std::ffi::OsString::from("sync"), "--config".into(), config.into()]),
        dir,
        &dir.join("sync.log"),
    )
    .await?;
    let store = target.open().await?;
    let mut rows = store
        .query(
            "SELECT counts, progress, api_calls FROM sync_runs WHERE kind = 'resources' ORDER BY id DESC LIMIT 1",
            Default::default(),
        )
        .await?
        .rows;
    let row = rows.pop().context("the sync recorded no run")?;
    let (counts, progress) = (&row[0], &row[1]);
    let number = |v: &Value| v.as_f64().unwrap_or(0.0);
    let seconds = |key: &str| number(&progress[key]) / 1000.0;
    Ok(ScanFigures {
        objects: OBJECT_KINDS.iter().map(|k| counts[*k].as_u64().unwrap_or(0)).sum(),
        nodes: counts["nodes"].as_u64().unwrap_or(0),
        edges: counts["edges"].as_u64().unwrap_or(0),
        access_paths: counts["access_paths"].as_u64().unwrap_or(0),
        api_calls: row[2].as_u64().unwrap_or(0),
        wall_seconds: cost.wall.as_secs_f64(),
        scan_seconds: seconds("scan_ms"),
        access_paths_seconds: seconds("access_paths_ms"),
        escalation_seconds: seconds("escalation_ms"),
        write_seconds: seconds("write_ms"),
        peak_rss_mib: cost.peak_rss_mib,
        peak_rss_after_scan_mib: number(&progress["peak_rss_mib_after_scan"]),
        peak_rss_after_access_paths_mib: number(&progress["peak_rss_mib_after_access_paths"]),
        cpu_seconds: cost.cpu_seconds,
    })
}
