//! Okta's official Python SDK doing the same inventory as Sightline's scan, against the same
//! simulator org in the same run (`tests/sdk/python/inventory.py`, written the way the SDK's
//! documentation shows: one client, sequential awaits, its own paging).

use super::child::Sim;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;
use std::time::Instant;

#[derive(Debug, Clone, Serialize)]
pub struct SdkFigures {
    pub sdk: String,
    pub version: String,
    pub objects: u64,
    pub requests: u64,
    /// The script's process, start to end (interpreter start-up included).
    pub wall_seconds: f64,
    pub counts: Value,
}

pub async fn inventory(python: &Path, script: &Path, sim: &Sim, dir: &Path) -> Result<SdkFigures> {
    std::fs::create_dir_all(dir)?;
    let started = Instant::now();
    let output = tokio::process::Command::new(python)
        .arg(script)
        .env("OKTA_ORG_URL", &sim.org_url)
        .env("OKTA_API_TOKEN", &sim.api_token)
        .current_dir(std::env::current_dir()?)
        .kill_on_drop(true)
        .output()
        .await
        .with_context(|| format!("cannot run {} {}", python.display(), script.display()))?;
    let wall_seconds = started.elapsed().as_secs_f64();
    std::fs::write(dir.join("sdk.log"), &output.stderr)?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        bail!(
            "the SDK inventory failed ({}):\n{}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let line = String::from_utf8_lossy(&output.stdout);
    let result: Value = serde_json::from_str(line.trim()).context("the SDK inventory's JSON line")?;
    Ok(SdkFigures {
        sdk: result["sdk"].as_str().unwrap_or("okta-sdk-python").to_string(),
        version: result["version"].as_str().unwrap_or("?").to_string(),
        objects: result["objects"].as_u64().unwrap_or(0),
        requests: result["requests"].as_u64().unwrap_or(0),
        wall_seconds,
        counts: result["counts"].clone(),
    })
}
