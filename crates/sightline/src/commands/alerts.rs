//! `sightline alerts`: list alerts, show one with its history and events, and move it through its
//! lifecycle (acknowledge, resolve, close, reopen) with who and why.

use crate::config::Config;
use anyhow::{Result, bail};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Configuration file (default: $SIGHTLINE_CONFIG, then ./sightline.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Output format.
    #[arg(long, global = true, default_value = "table", value_parser = ["table", "json"])]
    format: String,
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(clap::Subcommand)]
enum Action {
    /// List alerts, newest first (the default).
    List(ListArgs),
    /// One alert: its details, graph context, history and events.
    Show {
        /// The alert's id.
        id: i64,
    },
    /// Acknowledge: someone is looking at it (it keeps gathering events).
    Ack(ChangeArgs),
    /// Resolve: dealt with (new events open a new alert).
    Resolve(ChangeArgs),
    /// Close: not worth acting on (false positive, accepted risk).
    Close(ChangeArgs),
    /// Reopen a resolved or closed alert.
    Reopen(ChangeArgs),
}

/// How many alerts a listing shows unless told otherwise.
const DEFAULT_LIMIT: usize = 50;

#[derive(clap::Args)]
struct ListArgs {
    /// Only these statuses (open, acknowledged, resolved, closed); repeatable.
    #[arg(long)]
    status: Vec<String>,
    /// Only this severity and above (info, low, medium, high, critical).
    #[arg(long)]
    severity: Option<String>,
    /// Only this rule.
    #[arg(long)]
    rule: Option<String>,
    /// Only this entity (a login, an address) or person.
    #[arg(long)]
    entity: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = DEFAULT_LIMIT)]
    limit: usize,
}

#[derive(clap::Args)]
struct ChangeArgs {
    /// The alert's id.
    id: i64,
    /// Why (kept in the alert's history).
    #[arg(long)]
    reason: String,
    /// Who (default: $USER).
    #[arg(long)]
    by: Option<String>,
}

pub async fn run(args: Args) -> Result<()> {
    let config = Config::load(args.config.as_deref())?;
    let store = config.open_store().await?;
    let json = args.format == "json";
    let mut out = std::io::stdout().lock();
    let default_list =
        || ListArgs { status: Vec::new(), severity: None, rule: None, entity: None, limit: DEFAULT_LIMIT };
    match args.action.unwrap_or_else(|| Action::List(default_list())) {
        Action::List(list) => {
            if let Some(severity) = &list.severity
                && !store::SEVERITIES.contains(&severity.as_str())
            {
                bail!("--severity {severity}: use one of {}", store::SEVERITIES.join(", "));
            }
            if let Some(status) = list.status.iter().find(|s| !store::STATUSES.contains(&s.as_str())) {
                bail!("--status {status}: use one of {}", store::STATUSES.join(", "));
            }
            let filter = store::AlertFilter {
                statuses: list.status,
                min_severity: list.severity,
                rule_id: list.rule,
                entity: list.entity,
                before_id: None,
                limit: list.limit,
            };
            let alerts = store.alerts(filter).await?;
            if json {
                serde_json::to_writer(&mut out, &alerts)?;
                writeln!(out)?;
                return Ok(());
            }
            let mut table = comfy_table::Table::new();
            table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
            table.set_header(["id", "severity", "status", "rule", "entity", "count", "last seen", "summary"]);
            for a in &alerts {
                table.add_row([
                    a.id.to_string(),
                    a.severity.clone(),
                    a.status.clone(),
                    a.rule_id.clone(),
                    format!("{} {}", a.entity_kind, a.entity),
                    a.count.to_string(),
                    a.last_seen.format("%Y-%m-%d %H:%M:%S").to_string(),
                    a.summary.clone(),
                ]);
            }
            writeln!(out, "{table}")?;
            writeln!(out, "({} alert{})", alerts.len(), if alerts.len() == 1 { "" } else { "s" })?;
        }
        Action::Show { id } => {
            let Some(detail) = store.alert(id).await? else { bail!("there is no alert {id}") };
            let events: Vec<serde_json::Value> = detail
                .events
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "seq": e.seq, "time": e.time, "source": e.source, "event_type": e.event_type,
                        "outcome": e.outcome, "actor": e.actor, "ip": e.ip, "country": e.country, "uuid": e.uuid,
                    })
                })
                .collect();
            if json {
                let value = serde_json::json!({"alert": detail.alert, "history": detail.history, "events": events});
                serde_json::to_writer(&mut out, &value)?;
                writeln!(out)?;
                return Ok(());
            }
            let a = &detail.alert;
            writeln!(out, "alert {} [{}] {} — {}", a.id, a.severity, a.title, a.status)?;
            writeln!(out, "rule:     {}", a.rule_id)?;
            writeln!(out, "entity:   {} {}", a.entity_kind, a.entity)?;
            writeln!(out, "seen:     {} .. {} ({} events)", a.first_seen, a.last_seen, a.count)?;
            writeln!(out, "summary:  {}", a.summary)?;
            writeln!(out, "details:  {}", a.details)?;
            writeln!(out, "history:")?;
            for h in &detail.history {
                writeln!(
                    out,
                    "  {} {} {} -> {} ({}): {}",
                    h.at.format("%Y-%m-%d %H:%M:%S"),
                    h.actor,
                    h.from_status.as_deref().unwrap_or("-"),
                    h.to_status,
                    h.severity,
                    h.reason
                )?;
            }
            writeln!(out, "events:")?;
            for e in &detail.events {
                writeln!(
                    out,
                    "  {} {} {} {} {} {}",
                    e.time.format("%Y-%m-%d %H:%M:%S"),
                    e.source,
                    e.event_type,
                    e.outcome,
                    e.actor.as_deref().unwrap_or("-"),
                    e.ip.as_deref().unwrap_or("-")
                )?;
            }
        }
        Action::Ack(change) => change_status(&config, &store, change, "acknowledged", json, &mut out).await?,
        Action::Resolve(change) => change_status(&config, &store, change, "resolved", json, &mut out).await?,
        Action::Close(change) => change_status(&config, &store, change, "closed", json, &mut out).await?,
        Action::Reopen(change) => change_status(&config, &store, change, "open", json, &mut out).await?,
    }
    Ok(())
}

async fn change_status(
    config: &Config,
    store: &store::Store,
    change: ChangeArgs,
    status: &str,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let by = change.by.unwrap_or_else(super::audit::cli_user);
    let routes = config.webhooks.iter().map(detect::WebhookConfig::route).collect();
    let detail = serde_json::json!({"to": status, "reason": change.reason, "by": by});
    let result = store
        .set_alert_status(change.id, store::StatusChange { status: status.into(), by, reason: change.reason }, routes)
        .await;
    super::audit::record(store, "alert.status", Some(change.id.to_string()), result.is_ok(), None, detail).await;
    let alert = result?;
    if json {
        serde_json::to_writer(&mut *out, &alert)?;
        writeln!(out)?;
    } else {
        writeln!(out, "alert {} is now {}", alert.id, alert.status)?;
    }
    Ok(())
}
