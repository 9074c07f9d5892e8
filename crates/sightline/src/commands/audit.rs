//! `sightline audit`: Sightline's own audit log (sign-ins, queries, alert, account, token and
//! integration changes), and the recording of what the CLI itself changes or queries.

use crate::config::Config;
use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Configuration file (default: $SIGHTLINE_CONFIG, then ./sightline.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Only this account's entries.
    #[arg(long)]
    actor: Option<String>,
    /// Only this action, or every action with this prefix when it ends in `.` (e.g. `account.`).
    #[arg(long)]
    action: Option<String>,
    /// Only `success`, `failure` or `denied`.
    #[arg(long, value_parser = ["success", "failure", "denied"])]
    outcome: Option<String>,
    /// Only entries this recent, e.g. 24h or 7d.
    #[arg(long, value_parser = humantime::parse_duration)]
    since: Option<Duration>,
    /// At most this many entries, newest first.
    #[arg(long, default_value_t = 100)]
    limit: usize,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    format: String,
}

pub async fn run(args: Args) -> Result<()> {
    let config = Config::load(args.config.as_deref())?;
    let store = config.open_store().await?;
    if args.limit == 0 || args.limit > store::AuditQuery::MAX_LIMIT {
        bail!("--limit: use 1 to {}", store::AuditQuery::MAX_LIMIT);
    }
    let since = args.since.map(|ago| Utc::now() - chrono::Duration::from_std(ago).unwrap_or(chrono::Duration::MAX));
    let query = store::AuditQuery {
        actor: args.actor,
        action: args.action,
        outcome: args.outcome,
        since,
        limit: args.limit,
        ..Default::default()
    };
    let entries = store.audit_log(&query).await?;
    let mut out = std::io::stdout().lock();
    if args.format == "json" {
        serde_json::to_writer(&mut out, &entries)?;
        writeln!(out)?;
        return Ok(());
    }
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(["seq", "at", "actor", "via", "action", "target", "outcome", "client", "ms", "detail"]);
    for e in &entries {
        table.add_row([
            e.seq.to_string(),
            e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            e.actor.clone(),
            e.via.clone(),
            e.action.clone(),
            e.target.clone().unwrap_or_default(),
            e.outcome.clone(),
            e.client_ip.clone().unwrap_or_default(),
            e.duration_ms.map(|ms| ms.to_string()).unwrap_or_default(),
            shortened(&e.detail.to_string(), DETAIL_WIDTH),
        ]);
    }
    writeln!(out, "{table}")?;
    writeln!(out, "({} entr{})", entries.len(), if entries.len() == 1 { "y" } else { "ies" })?;
    Ok(())
}

/// Characters of `detail` a table row shows (`--format json` has all of it).
const DETAIL_WIDTH: usize = 120;

fn shortened(text: &str, width: usize) -> String {
    match text.char_indices().nth(width) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The person running the CLI, as the operating system names them.
pub fn cli_user() -> String {
    std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "unknown".into())
}

/// Records something the CLI did. A failure to record is reported but does not fail the command
/// (the store already did the work).
pub async fn record(
    store: &store::Store,
    action: &str,
    target: Option<String>,
    ok: bool,
    elapsed: Option<Duration>,
    detail: serde_json::Value,
) {
    let at: DateTime<Utc> = Utc::now();
    let entry = store::AuditEntry {
        seq: 0,
        at,
        actor: cli_user(),
        via: "cli".into(),
        action: action.into(),
        target,
        outcome: if ok { "success" } else { "failure" }.into(),
        client_ip: None,
        duration_ms: elapsed.map(|d| d.as_millis().min(i64::MAX as u128) as i64),
        detail,
    };
    if let Err(error) = store.record_audit(vec![entry]).await {
        tracing::warn!(%error, "cannot write to Sightline's audit log");
    }
}

/// Records the configuration `serve` starts with when it differs from the last one recorded: its
/// fingerprint (never its text, which may hold secrets), the rules it enables and which were
/// switched on or off since. Rules live in the configuration file, so this is how rule changes
/// reach the audit log.
pub async fn record_configuration(store: &store::Store, config: &Config, rules: &[web::RuleSummary]) {
    let fingerprint = match std::fs::read(&config.source) {
        Ok(bytes) => web::auth::sha256_hex(&bytes),
        Err(_) => "none (defaults and environment)".to_string(),
    };
    let enabled: std::collections::BTreeSet<String> =
        rules.iter().filter(|r| r.enabled).map(|r| r.id.clone()).collect();
    let query = store::AuditQuery { action: Some("config.".into()), limit: 1, ..Default::default() };
    let last = match store.audit_log(&query).await {
        Ok(entries) => entries.into_iter().next(),
        Err(error) => {
            tracing::warn!(%error, "cannot read Sightline's audit log");
            return;
        }
    };
    let before: Option<std::collections::BTreeSet<String>> = last.as_ref().map(|e| {
        e.detail["rules_enabled"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    });
    let same_file = last.as_ref().is_some_and(|e| e.detail["sha256"] == fingerprint.as_str());
    if same_file && before.as_ref() == Some(&enabled) {
        return;
    }
    let mut detail = serde_json::json!({
        "file": config.source,
        "sha256": fingerprint,
        "rules_enabled": enabled,
        "integrations": config.okta.iter().map(|o| o.name.clone()).collect::<Vec<_>>(),
    });
    if let Some(before) = &before {
        detail["rules_switched_on"] = serde_json::json!(enabled.difference(before).collect::<Vec<_>>());
        detail["rules_switched_off"] = serde_json::json!(before.difference(&enabled).collect::<Vec<_>>());
    }
    let action = if last.is_some() { "config.changed" } else { "config.loaded" };
    let entry = store::AuditEntry {
        seq: 0,
        at: Utc::now(),
        actor: cli_user(),
        via: "system".into(),
        action: action.into(),
        target: Some(config.source.clone()),
        outcome: "success".into(),
        client_ip: None,
        duration_ms: None,
        detail,
    };
    if let Err(error) = store.record_audit(vec![entry]).await {
        tracing::warn!(%error, "cannot write to Sightline's audit log");
    }
}
