//! `sightline okta-sim`: the Okta simulator as a standalone server.

use anyhow::{Context, Result, bail};
use okta_sim::org::OrgParams;
use okta_sim::server::ratelimit::RateLimitSettings;
use okta_sim::{ActivityConfig, SimConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (loopback only); port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8070")]
    listen: SocketAddr,
    /// Seed of the synthetic org: the same seed gives the same org.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of users.
    #[arg(long, default_value_t = 2000)]
    users: usize,
    /// Number of groups besides Everyone (default: scaled from --users).
    #[arg(long)]
    groups: Option<usize>,
    /// Number of apps (default: scaled from --users).
    #[arg(long)]
    apps: Option<usize>,
    /// Leave out Identity Governance: group owners answer 401 E0000015, as on orgs without it.
    #[arg(long)]
    no_governance: bool,
    /// Rate limits: `on` (Okta's Workforce defaults) or `off`.
    #[arg(long, default_value = "on", value_parser = ["on", "off"])]
    rate_limits: String,
    /// Override one bucket's per-minute budget, e.g. `--rate-limit logs=20` (repeatable). Buckets:
    /// apps, app, groups, group, users, user, logs, clients, token, other.
    #[arg(long = "rate-limit", value_name = "BUCKET=N")]
    rate_limit: Vec<String>,
    /// Length of a rate-limit window (Okta: 60s); shorter windows make rate-limit tests quick.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    rate_limit_window: Duration,
    /// Concurrent requests allowed before 429 (Okta: 75).
    #[arg(long, default_value_t = 75)]
    concurrency: u32,
    /// Issue plain Bearer tokens to the collector client instead of requiring DPoP.
    #[arg(long)]
    no_dpop: bool,
    /// Benign System Log events per minute (default: about 20 per user per day).
    #[arg(long)]
    events_per_minute: Option<f64>,
    /// System Log history to generate at start, e.g. `24h` (0 for none).
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    history: Duration,
    /// Stop generating activity after start-up.
    #[arg(long)]
    no_live_activity: bool,
    /// Run an attack scenario this often, e.g. `5m` (never by default).
    #[arg(long, value_parser = humantime::parse_duration)]
    attack_every: Option<Duration>,
    /// Directory for the OAuth private key (default: a new temporary directory).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Print the connection details as one JSON line (for scripts and tests).
    #[arg(long)]
    json: bool,
}

fn rate_limit_settings(args: &Args) -> Result<RateLimitSettings> {
    let mut settings = RateLimitSettings {
        enabled: args.rate_limits == "on",
        concurrency: args.concurrency,
        window_seconds: args.rate_limit_window.as_secs().max(1),
        ..Default::default()
    };
    for spec in &args.rate_limit {
        let (bucket, limit) =
            spec.split_once('=').with_context(|| format!("--rate-limit '{spec}': expected BUCKET=N"))?;
        if !settings.per_minute.contains_key(bucket) {
            let known: Vec<&str> = settings.per_minute.keys().map(String::as_str).collect();
            bail!("--rate-limit '{spec}': unknown bucket '{bucket}'; known: {}", known.join(", "));
        }
        let limit: u32 = limit.parse().with_context(|| format!("--rate-limit '{spec}': N must be a whole number"))?;
        settings.per_minute.insert(bucket.to_string(), limit);
    }
    Ok(settings)
}

pub async fn run(args: Args) -> Result<()> {
    if !args.listen.ip().is_loopback() {
        bail!("--listen {}: the simulator serves loopback addresses only (127.0.0.1 or ::1)", args.listen);
    }
    if !(1..=1_000_000).contains(&args.users) {
        bail!("--users {}: choose between 1 and 1000000", args.users);
    }
    let rate_limits = rate_limit_settings(&args)?;
    // Without --data-dir the key lives in a temporary directory removed when the simulator stops.
    let (data_dir, temporary) = super::data_dir_or_temporary(args.data_dir.as_deref(), "sightline-okta-sim-")?;
    let mut org = OrgParams::sized(args.users, args.seed, chrono::Utc::now());
    if let Some(groups) = args.groups {
        org.groups = groups;
    }
    if let Some(apps) = args.apps {
        org.apps = apps.max(2);
    }
    org.governance = !args.no_governance;
    let config = SimConfig {
        listen: args.listen,
        org,
        data_dir,
        rate_limits,
        activity: ActivityConfig {
            events_per_minute: args.events_per_minute,
            history: args.history,
            live: !args.no_live_activity,
            attack_every: args.attack_every,
        },
        dpop_required: !args.no_dpop,
    };
    let started = std::time::Instant::now();
    let running = okta_sim::start(config).await.context("cannot start the Okta simulator")?;
    let info = running.info.clone();
    if args.json {
        println!("{}", serde_json::to_string(&info)?);
    } else {
        let view = running.sim.view();
        println!(
            "Okta simulator for \"{}\" ({} users, {} groups, {} apps) ready in {:.1?}",
            view.org.company,
            view.org.users.len(),
            view.org.groups.len(),
            view.org.apps.len(),
            started.elapsed()
        );
        drop(view);
        println!("  org URL       {}", info.org_url);
        println!("  SSWS token    {}", info.api_token);
        println!("  OAuth client  {} (private_key_jwt + DPoP)", info.client_id);
        println!("  private key   {} (kid {})", info.private_key_file.display(), info.key_id);
        println!("  scopes        {}", info.scopes.join(" "));
        println!("Try: curl -H 'Authorization: SSWS {}' '{}/api/v1/users?limit=2'", info.api_token, info.org_url);
        println!("Press Ctrl-C to stop.");
    }
    tokio::select! {
        result = tokio::signal::ctrl_c() => {
            result.context("cannot listen for Ctrl-C")?;
            running.stop().await.context("the simulator did not stop cleanly")?;
        }
        result = terminate() => {
            result?;
            running.stop().await.context("the simulator did not stop cleanly")?;
        }
    }
    drop(temporary);
    Ok(())
}

#[cfg(unix)]
async fn terminate() -> Result<()> {
    let mut signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    signal.recv().await;
    Ok(())
}

#[cfg(not(unix))]
async fn terminate() -> Result<()> {
    std::future::pending().await
}
