//! Wiring detections into the commands: the engine from `[detections]` (with the Sigma rules of
//! `sigma_dir`), the detector over the store, and the webhook notifier.

use crate::config::Config;
use anyhow::{Context, Result};
use detect::{Detector, Engine, Notifier};
use std::time::Duration;

/// Builds the engine; broken Sigma files are reported (file and reason) and skipped.
pub fn engine(config: &Config) -> Result<Engine> {
    let engine = Engine::new(&config.detections).map_err(|why| anyhow::anyhow!("{}: {why}", config.source))?;
    let Some(dir) = &config.detections.sigma_dir else { return Ok(engine) };
    if !dir.is_dir() {
        anyhow::bail!("{}: detections.sigma_dir: {} is not a directory", config.source, dir.display());
    }
    let loaded = detect::sigma::SigmaRules::load_dir(dir);
    for error in &loaded.errors {
        tracing::warn!("Sigma rule skipped: {error}");
        crate::logging::notice("WARN", &format!("sightline: Sigma rule skipped: {error}"));
    }
    for warning in &loaded.warnings {
        tracing::warn!("Sigma rule loaded with a warning: {warning}");
    }
    tracing::info!(rules = loaded.rules.len(), dir = %dir.display(), "Sigma rules loaded");
    Ok(engine.with_sigma(loaded.rules))
}

/// Starts the detector (resuming from its stored position) and, when webhooks are configured,
/// the notifier. Each webhook is checked and its URL resolved once, here.
pub async fn start(config: &Config, store: &store::Store) -> Result<(Detector, Option<Notifier>)> {
    let mut routes = Vec::new();
    let mut resolved = Vec::new();
    for hook in &config.webhooks {
        resolved.push(hook.resolve().map_err(|why| anyhow::anyhow!("{}: {why}", config.source))?);
        routes.push(hook.route());
    }
    let detector = Detector::start(store.clone(), engine(config)?, routes).await.context("cannot start detections")?;
    let notifier = (!resolved.is_empty()).then(|| Notifier::new(store.clone(), resolved));
    Ok((detector, notifier))
}

/// Evaluates every stored event not yet evaluated, then delivers what is due. Returns the number
/// of alerts opened.
pub async fn catch_up(config: &Config, store: &store::Store) -> Result<usize> {
    let (mut detector, notifier) = start(config, store).await?;
    let mut opened = 0;
    loop {
        let pass = detector.pass().await.context("detections failed")?;
        opened += pass.opened;
        if pass.events == 0 {
            break;
        }
    }
    if let Some(notifier) = notifier {
        notifier.deliver_due().await.context("cannot deliver webhook notifications")?;
    }
    Ok(opened)
}

/// How often the running detector looks for new events.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// The built-in rules as the web UI lists them, with whether each is enabled here.
pub fn rule_summaries(config: &Config) -> Result<Vec<web::RuleSummary>> {
    let engine = Engine::new(&config.detections).map_err(|why| anyhow::anyhow!("{}: {why}", config.source))?;
    let enabled: std::collections::HashSet<&str> = engine.rules().map(|r| r.id).collect();
    Ok(detect::rules::catalogue()
        .iter()
        .map(|rule| web::RuleSummary {
            id: rule.info.id.to_string(),
            title: rule.info.title.to_string(),
            severity: rule.info.severity.to_string(),
            enabled: enabled.contains(rule.info.id),
            kind: "built-in".into(),
            description: rule.info.description.to_string(),
            response: rule.info.response.to_string(),
            attack: rule.info.attack.iter().map(|a| a.to_string()).collect(),
        })
        .collect())
}
