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
    /// Run only this part of the sync: the resource scan or the System Log catch-up.
    #[arg(long, value_parser = ["resources", "logs"])]
    only: Option<String>,
}

pub async fn run(args: Args) -> Result<()> {
    let config = Config::load(args.config.as_deref())?;
    if config.okta.is_empty() && config.github.is_empty() {
        bail!(
            "{}: no [[okta]] integration is configured (or set OKTA_CLIENT_ORGURL and OKTA_CLIENT_TOKEN)",
            config.source
        );
    }
    let store = config.open_store().await?;
    let people = ingest::people::People::new(Default::default());
    let (resources, logs) = match args.only.as_deref() {
        Some("resources") => (true, false),
        Some("logs") => (false, true),
        _ => (true, true),
    };
    let mut failures = Vec::new();
    for okta in &config.okta {
        if resources && okta.resources {
            if let Err(error) = sync_resources(&config, okta, &store).await {
                failures.push(format!("{}: {error:#}", okta.name));
            }
        } else if resources {
            tracing::info!(integration = %okta.name, "resource scan disabled (resources = false)");
        }
        if logs && okta.system_log {
            if let Err(error) = people.refresh(&store).await {
                tracing::warn!(%error, "cannot read Okta users to resolve people; events are stored without a person");
            }
            let stop = tokio::sync::watch::channel(false).1;
            if let Err(error) = sync_logs(&config, okta, &store, &people, &stop).await {
                failures.push(format!("{} (System Log): {error:#}", okta.name));
            }
        }
    }
    if logs {
        let stop = tokio::sync::watch::channel(false).1;
        for github in &config.github {
            if let Err(error) = sync_github(&config, github, &store, &people, &stop).await {
                failures.push(format!("{} (GitHub audit log): {error:#}", github.name));
            }
        }
    }
    if logs {
        // Alerts for what was just stored, as `serve` would raise them.
        match crate::detections::catch_up(&config, &store).await {
            Ok(opened) if opened > 0 => {
                crate::logging::notice("INFO", &format!("sightline sync: {opened} new alerts (see `sightline alerts`)"))
            }
            Ok(_) => {}
            Err(error) => failures.push(format!("detections: {error:#}")),
        }
    }
    if failures.is_empty() {
        return Ok(());
    }
    for failure in &failures {
        crate::logging::notice("ERROR", &format!("sync failed for {failure}"));
    }
    bail!("{} of {} integrations failed", failures.len(), config.okta.len())
}

/// Catches the System Log up to now (until a page comes back short, or `stop`); records the run.
pub async fn sync_logs(
    config: &Config,
    okta: &OktaConfig,
    store: &store::Store,
    people: &ingest::people::People,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Result<()> {
    let run = store.start_run(&okta.name, store::RunKind::Logs).await?;
    let started = Instant::now();
    let mut client_stats = okta_client::ClientStats::default();
    let result = async {
        let client = okta_client::OktaClient::new(okta.client_config(&config.source)?)
            .with_context(|| format!("cannot set up the Okta client for {}", okta.org_url))?;
        let poller =
            ingest::okta_log::OktaLog::new(client, store.clone(), people.clone(), &okta.name, okta.log_lookback());
        let mut progress = crate::progress::CountProgress::new(&format!("{} log", okta.name));
        let mut received = 0;
        let outcome = poller
            .catch_up(stop, |page| {
                received += page.received;
                progress.set(received, "events");
            })
            .await;
        client_stats = poller.client().stats();
        let total = outcome?;
        progress.finish(&format!("{} events, {} new", total.received, total.inserted));
        anyhow::Ok(total)
    }
    .await;
    let outcome = store::RunOutcome {
        succeeded: result.is_ok(),
        api_calls: client_stats.requests,
        rate_limit_waits: client_stats.rate_limit_waits,
        rate_limit_wait_ms: client_stats.rate_limit_wait_ms,
        ..Default::default()
    };
    let total = finish_log_run(store, run, outcome, result)
        .await
        .inspect_err(|_| crate::telemetry::log_poll_failed("okta", &okta.name))?;
    tracing::info!(
        integration = %okta.name,
        events = total.received,
        new = total.inserted,
        elapsed = ?started.elapsed(),
        "System Log caught up"
    );
    Ok(())
}

/// Records how a log run ended (its counts, or its error) and passes the result on.
async fn finish_log_run(
    store: &store::Store,
    run: i64,
    mut outcome: store::RunOutcome,
    result: Result<ingest::okta_log::PageReport>,
) -> Result<ingest::okta_log::PageReport> {
    match result {
        Ok(total) => {
            outcome.counts = [
                ("events".to_string(), total.received),
                ("inserted".to_string(), total.inserted),
                ("duplicates".to_string(), total.duplicates),
                ("rejected".to_string(), total.rejected),
            ]
            .into();
            store.finish_run(run, &outcome).await?;
            Ok(total)
        }
        Err(error) => {
            outcome.error = Some(format!("{error:#}"));
            store.finish_run(run, &outcome).await?;
            Err(error)
        }
    }
}

/// Catches a GitHub organisation's audit log up to now; records the run.
pub async fn sync_github(
    config: &Config,
    github: &crate::config::GithubConfig,
    store: &store::Store,
    people: &ingest::people::People,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Result<()> {
    let run = store.start_run(&github.name, store::RunKind::Logs).await?;
    let result = async {
        let poller =
            ingest::github::GithubAuditLog::new(github.poller_config(&config.source)?, store.clone(), people.clone())?;
        let mut progress = crate::progress::CountProgress::new(&format!("{} audit log", github.name));
        let mut received = 0;
        let total = poller
            .catch_up(stop, |page| {
                received += page.received;
                progress.set(received, "events");
            })
            .await?;
        progress.finish(&format!("{} events, {} new", total.received, total.inserted));
        anyhow::Ok(total)
    }
    .await;
    let outcome = store::RunOutcome { succeeded: result.is_ok(), ..Default::default() };
    finish_log_run(store, run, outcome, result)
        .await
        .map(drop)
        .inspect_err(|_| crate::telemetry::log_poll_failed("github", &github.name))
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
    let scan_started = chrono::Utc::now();
    let mut client_stats = okta_client::ClientStats::default();
    let result = async {
        let client = okta_client::OktaClient::new(okta.client_config(&config.source)?)
            .with_context(|| format!("cannot set up the Okta client for {}", okta.org_url))?;
        let progress = std::sync::Arc::new(ScanProgress::new(&okta.name));
        let reporter = crate::progress::RunReporter::start(store.clone(), run, progress.clone());
        let scanned =
            collect::scan(&client, &*progress, &collect::ScanOptions { concurrency: okta.max_concurrency }).await;
        drop(reporter);
        client_stats = client.stats();
        let mut scanned = scanned?;
        let mut report = progress.report();
        report["phase"] = "deriving access and escalation paths".into();
        store.update_run_progress(run, report).await?;
        let scan_ms = started.elapsed().as_millis() as u64;
        let rss_after_scan = peak_rss_mib();
        tracing::debug!(integration = %okta.name, peak_rss_mib = rss_after_scan, "scan done");
        let derived = Instant::now();
        let paths = collect::access_paths(&scanned.nodes, &scanned.edges);
        let derive_ms = derived.elapsed().as_millis() as u64;
        let rss_after_paths = peak_rss_mib();
        tracing::debug!(integration = %okta.name, rows = paths.len(), elapsed_ms = derive_ms, "access paths derived");
        scanned.counts.insert("access_paths".into(), paths.len() as u64);
        // Control edges, escalation paths and who reaches each crown jewel.
        let escalated = Instant::now();
        let jewels = crate::crown_jewels::marked(okta, &integration.org_url);
        let derived = crate::crown_jewels::derive(&scanned.nodes, &scanned.edges, paths, &jewels);
        let escalation_ms = escalated.elapsed().as_millis() as u64;
        let rss_after_escalation = peak_rss_mib();
        scanned.counts.insert("escalation_paths".into(), derived.rows.escalation_paths.len() as u64);
        scanned.counts.insert("control_edges".into(), derived.rows.control_edges.len() as u64);
        tracing::debug!(
            integration = %okta.name,
            escalation_paths = derived.rows.escalation_paths.len(),
            control_edges = derived.rows.control_edges.len(),
            elapsed_ms = escalation_ms,
            "escalation paths derived"
        );
        store
            .update_run_progress(
                run,
                serde_json::json!({"phase": "writing the snapshot", "kinds": progress.report()["kinds"]}),
            )
            .await?;
        // The previous scan's reach, read before this scan replaces it.
        let before = store.crown_jewel_reach(&integration.org_url).await?;
        let written = Instant::now();
        let crate::crown_jewels::Derived { rows, reach, jewel_kinds } = derived;
        let stored =
            store.replace_snapshot_with_derived(&integration.org_url, scanned.nodes, scanned.edges, rows).await?;
        let write_ms = written.elapsed().as_millis() as u64;
        tracing::debug!(integration = %okta.name, peak_rss_mib = peak_rss_mib(), "snapshot stored");
        let changes = crate::crown_jewels::changes(&before, &reach, &jewels);
        if !changes.is_empty() {
            let now = chrono::Utc::now();
            let events = changes
                .iter()
                .map(|change| store::NewEvent {
                    event: crate::crown_jewels::change_event(
                        &integration.org_url,
                        scan_started,
                        now,
                        change,
                        jewel_kinds.get(&change.jewel_id).copied(),
                    ),
                    person: None,
                    integration: Some(okta.name.clone()),
                })
                .collect();
            let stored = store
                .append_events(store::EventBatch { events, ..Default::default() })
                .await
                .context("cannot store the crown-jewel changes")?;
            ingest::telemetry::stored(activity::Source::Sightline.as_str(), &stored);
            tracing::info!(integration = %okta.name, jewels = changes.len(), "who can reach a crown jewel changed");
        }
        scanned.counts.insert("crown_jewel_changes".into(), changes.len() as u64);
        // Where the time and memory went, for the status page and benchmarks.
        store
            .update_run_progress(
                run,
                serde_json::json!({
                    "phase": "done",
                    "scan_ms": scan_ms,
                    "access_paths_ms": derive_ms,
                    "escalation_ms": escalation_ms,
                    "write_ms": write_ms,
                    "peak_rss_mib_after_scan": rss_after_scan,
                    "peak_rss_mib_after_access_paths": rss_after_paths,
                    "peak_rss_mib_after_escalation": rss_after_escalation,
                    "peak_rss_mib_after_write": peak_rss_mib(),
                }),
            )
            .await?;
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
            crate::telemetry::scan_succeeded(&okta.name, started.elapsed());
            crate::logging::notice(
                "INFO",
                &format!(
                    "{}: {} nodes, {} edges in {:.1?} ({} API calls, {} rate-limit waits{})",
                    okta.name,
                    stored.nodes,
                    stored.edges,
                    started.elapsed(),
                    client_stats.requests,
                    client_stats.rate_limit_waits,
                    if warnings.is_empty() { String::new() } else { format!(", {} warnings", warnings.len()) }
                ),
            );
            Ok(())
        }
        Err(error) => {
            crate::telemetry::scan_failed(&okta.name);
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
