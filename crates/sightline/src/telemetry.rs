//! Prometheus metrics of `sightline serve`.
//!
//! The library crates record through the `metrics` facade and name their own series
//! (`okta_client`, `collect`, `ingest::telemetry`, `detect::runner`); this module adds the
//! binary's (scans, log poll failures, build info), installs the Prometheus recorder when
//! `[server] metrics_listen` is set, and renders `GET /metrics` on that listener. Without it no
//! recorder is installed and every metric call is a no-op.
//!
//! Labels stay bounded and public: integration names from the configuration or the web UI,
//! source names, rate-limit buckets, status classes, kinds and severities; never a user, a URL, a
//! token or a query.

use anyhow::{Result, anyhow};
use axum::http::header;
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::watch;

/// Histogram: a whole resource scan (reading the org, deriving paths, writing the snapshot), by
/// `integration`; successful scans only.
pub const SCAN_DURATION: &str = "sightline_scan_duration_seconds";
/// Counter: resource scans that failed, by `integration`.
pub const SCAN_FAILURES: &str = "sightline_scan_failures_total";
/// Gauge: when the latest successful scan ended (Unix seconds), by `integration`.
pub const SCAN_LAST_SUCCESS: &str = "sightline_scan_last_success_timestamp_seconds";
/// Counter: log polls (a catch-up of a stream) that failed, by `source` and `integration`.
pub const LOG_POLL_FAILURES: &str = "sightline_log_poll_failures_total";
/// Gauge: 1, with the running `version`.
pub const BUILD_INFO: &str = "sightline_build_info";

/// How often buffered histogram samples are folded in.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Histogram buckets (seconds), by what each histogram measures.
const SCAN_BUCKETS: &[f64] = &[1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0, 7200.0];
const WAIT_BUCKETS: &[f64] = &[0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 45.0, 60.0, 90.0];
const FAST_BUCKETS: &[f64] = &[0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's Prometheus recorder (once; later calls return the same handle).
pub fn install() -> Result<PrometheusHandle> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let bucket_error = |e| anyhow!("cannot set up the metrics' histogram buckets: {e}");
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(SCAN_DURATION.into()), SCAN_BUCKETS)
        .map_err(bucket_error)?
        .set_buckets_for_metric(Matcher::Full(collect::KIND_DURATION.into()), SCAN_BUCKETS)
        .map_err(bucket_error)?
        .set_buckets_for_metric(Matcher::Full(okta_client::RATE_LIMIT_WAIT.into()), WAIT_BUCKETS)
        .map_err(bucket_error)?
        .set_buckets_for_metric(Matcher::Full(ingest::telemetry::LOG_POLL_DURATION.into()), FAST_BUCKETS)
        .map_err(bucket_error)?
        .set_buckets_for_metric(Matcher::Full(detect::runner::DETECTION_LAG.into()), FAST_BUCKETS)
        .map_err(bucket_error)?
        .install_recorder()
        .map_err(|e| anyhow!("cannot install the metrics recorder: {e}"))?;
    let handle = HANDLE.get_or_init(|| handle).clone();
    describe();
    metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    Ok(handle)
}

fn describe() {
    okta_client::describe_metrics();
    collect::describe_metrics();
    ingest::telemetry::describe_metrics();
    detect::runner::describe_metrics();
    metrics::describe_histogram!(
        SCAN_DURATION,
        metrics::Unit::Seconds,
        "Successful resource scans: reading the org, deriving paths and writing the snapshot."
    );
    metrics::describe_counter!(SCAN_FAILURES, "Resource scans that failed, by integration.");
    metrics::describe_gauge!(SCAN_LAST_SUCCESS, "When the latest successful resource scan ended (Unix seconds).");
    metrics::describe_counter!(LOG_POLL_FAILURES, "Log stream catch-ups that failed, by source and integration.");
    metrics::describe_gauge!(BUILD_INFO, "Always 1; the version label says which Sightline runs.");
}

pub fn scan_succeeded(integration: &str, took: Duration) {
    metrics::histogram!(SCAN_DURATION, "integration" => integration.to_string()).record(took.as_secs_f64());
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    metrics::gauge!(SCAN_LAST_SUCCESS, "integration" => integration.to_string()).set(now);
}

pub fn scan_failed(integration: &str) {
    metrics::counter!(SCAN_FAILURES, "integration" => integration.to_string()).increment(1);
}

pub fn log_poll_failed(source: &'static str, integration: &str) {
    metrics::counter!(LOG_POLL_FAILURES, "source" => source, "integration" => integration.to_string()).increment(1);
}

/// `GET /metrics` in Prometheus' text format.
pub fn router(handle: PrometheusHandle) -> axum::Router {
    axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let handle = handle.clone();
            async move {
                ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
            }
        }),
    )
}

/// Folds recorded histogram samples every few seconds until `stop`: the recorder buffers them
/// until a scrape or an upkeep, so without scrapes only this keeps the buffer small.
pub async fn upkeep(handle: PrometheusHandle, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(UPKEEP_EVERY) => handle.run_upkeep(),
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}
