//! `sightline sync`: one resource scan of every configured org, then exit.

use crate::config::{Config, OktaConfig};
use crate::progress::ScanProgress;
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Configuration file (default: $SIGHTLINE_CONFIG, then ./sightline.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run only this part of the sync.
    #[arg(long, value_parser = ["resources"])]
    only: Option<String>,
}

pub async fn run(args: Args) -> Result<()> {
    let config = Config::load(args.config.as_deref())?;
    if config.okta.is_empty() {
        bail!(
            "{}: no [[okta]] integration is configured (or set OKTA_CLIENT_ORGURL and OKTA_CLIENT_TOKEN)",
            config.source
        );
    }
    let store = config.open_store().await?;
    let mut failures = Vec::new();
    for okta in &config.okta {
        if !okta.resources {
            tracing::info!(integration = %okta.name, "resource scan disabled (resources = false)");
            continue;
        }
        if let Err(error) = sync_resources(&config, okta, &store).await {
            failures.push(format!("{}: {error:#}", okta.name));
        }
    }
    if failures.is_empty() {
        return Ok(());
    }
    for failure in &failures {
        eprintln!("sync failed for {failure}");
    }
    bail!("{} of {} integrations failed", failures.len(), config.okta.len())
}

/// Scans one org and replaces its snapshot; records the run either way.
pub async fn sync_resources(config: &Config, okta: &OktaConfig, store: &store::Store) -> Result<()> {
    let integration = store::Integration {
        name: okta.name.clone(),
        org_url: okta.org_url.trim_end_matches('/').to_string(),
        resources: okta.resources,
        system_log: okta.system_log,
        status: "syncing".into(),
        last_success: None,
        last_error: None,
        updated_at: chrono::Utc::now(),
    };
    store.upsert_integration(&integration).await?;
    let run = store.start_run(&okta.name, store::RunKind::Resources).await?;
    let started = Instant::now();
    let mut client_stats = okta_client::ClientStats::default();
    let result = async {
        let client = okta_client::OktaClient::new(okta.client_config(&config.source)?)
            .with_context(|| format!("cannot set up the Okta client for {}", okta.org_url))?;
        let progress = ScanProgress::new(&okta.name);
        let scanned =
            collect::scan(&client, &progress, &collect::ScanOptions { concurrency: okta.max_concurrency }).await;
        client_stats = client.stats();
        let mut scanned = scanned?;
        tracing::debug!(integration = %okta.name, peak_rss_mib = peak_rss_mib(), "scan done");
        let derived = Instant::now();
        let paths = collect::access_paths(&scanned.nodes, &scanned.edges);
        tracing::debug!(integration = %okta.name, rows = paths.len(), elapsed = ?derived.elapsed(), "access paths derived");
        scanned.counts.insert("access_paths".into(), paths.len() as u64);
        let stored =
            store.replace_snapshot_with_paths(&integration.org_url, scanned.nodes, scanned.edges, paths).await?;
        tracing::debug!(integration = %okta.name, peak_rss_mib = peak_rss_mib(), "snapshot stored");
        anyhow::Ok((scanned.counts, scanned.warnings, stored))
    }
    .await;
    let mut outcome = store::RunOutcome {
        succeeded: result.is_ok(),
        counts: Default::default(),
        api_calls: client_stats.requests,
        rate_limit_waits: client_stats.rate_limit_waits,
        rate_limit_wait_ms: client_stats.rate_limit_wait_ms,
        error: None,
    };
    match result {
        Ok((counts, warnings, stored)) => {
            outcome.counts = counts;
            if !warnings.is_empty() {
                outcome.counts.insert("warnings".into(), warnings.len() as u64);
            }
            store.finish_run(run, &outcome).await?;
            eprintln!(
                "{}: {} nodes, {} edges in {:.1?} ({} API calls, {} rate-limit waits{})",
                okta.name,
                stored.nodes,
                stored.edges,
                started.elapsed(),
                client_stats.requests,
                client_stats.rate_limit_waits,
                if warnings.is_empty() { String::new() } else { format!(", {} warnings", warnings.len()) }
            );
            Ok(())
        }
        Err(error) => {
            outcome.error = Some(format!("{error:#}"));
            store.finish_run(run, &outcome).await?;
            Err(error)
        }
    }
}

/// The process's peak resident memory, for diagnostics (Linux; 0 elsewhere).
fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}
