//! `sightline demo`: everything at once against a simulated Okta org, so anyone can try Sightline
//! without an Okta account. The simulator runs in this process with a realistic org and live
//! activity (an attack scenario every few minutes); the service scans it, streams its System Log,
//! raises alerts and serves the web UI, on the embedded store.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use okta_sim::activity::Scenario;
use okta_sim::org::OrgParams;
use okta_sim::server::ratelimit::RateLimitSettings;
use okta_sim::{ActivityConfig, SimConfig};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Address of the web UI and API (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Where the demo keeps its store and configuration (default: a temporary directory, removed
    /// when the demo stops).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Users in the simulated org.
    #[arg(long, default_value_t = 2000)]
    users: usize,
    /// Seed of the simulated org: the same seed gives the same org.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// How often an attack scenario runs, e.g. `3m`.
    #[arg(long, default_value = "3m", value_parser = humantime::parse_duration)]
    attack_every: Duration,
    /// How often the simulated org is scanned, e.g. `10m`.
    #[arg(long, default_value = "10m", value_parser = humantime::parse_duration)]
    scan_interval: Duration,
}

/// System Log history the simulated org starts with.
const HISTORY: Duration = Duration::from_secs(6 * 3600);

pub async fn run(args: Args) -> Result<()> {
    if !(10..=200_000).contains(&args.users) {
        bail!("--users {}: choose between 10 and 200000", args.users);
    }
    let (data_dir, temporary) = super::data_dir_or_temporary(args.data_dir.as_deref(), "sightline-demo-")?;
    std::fs::create_dir_all(&data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    let data_dir = data_dir.canonicalize().with_context(|| format!("cannot resolve {}", data_dir.display()))?;

    // Fail before generating anything when the UI's address is taken.
    if let Err(e) = std::net::TcpListener::bind(args.listen) {
        bail!(
            "cannot listen on {}: {e}; choose another address with --listen, e.g. --listen 127.0.0.1:8081",
            args.listen
        );
    }
    eprintln!("sightline demo: generating a simulated Okta org of {} users…", args.users);
    // The org's URL names its nodes: a data directory used again gets the same port when it is
    // free, so its graph continues instead of a second org appearing beside the first.
    let port_file = data_dir.join("okta-sim").join("port");
    let previous_port: u16 = std::fs::read_to_string(&port_file).ok().and_then(|p| p.trim().parse().ok()).unwrap_or(0);
    let sim = match start_sim(&args, &data_dir, previous_port).await {
        Ok(sim) => sim,
        Err(_) if previous_port != 0 => start_sim(&args, &data_dir, 0).await?,
        Err(e) => return Err(e),
    };
    if let Some(port) = url::Url::parse(&sim.info.org_url).ok().and_then(|u| u.port()) {
        let _ = std::fs::write(&port_file, port.to_string());
    }

    // Two attacks in the recent past, so the first System Log poll already brings alerts.
    let now = chrono::Utc::now();
    sim.sim.run_scenario(Scenario::PasswordSpray, now - chrono::Duration::minutes(40));
    sim.sim.run_scenario(Scenario::AdminRoleGrantedToFreshAccount, now - chrono::Duration::minutes(20));
    let crown_jewel = {
        let view = sim.sim.view();
        view.org.apps.iter().find(|a| a.label.contains("AWS")).or(view.org.apps.first()).map(|a| a.label.clone())
    };

    let config_path = data_dir.join("sightline.toml");
    let demo = DemoConfig {
        data_dir: &data_dir,
        listen: args.listen,
        org_url: &sim.info.org_url,
        token: &sim.info.api_token,
        crown_jewel: crown_jewel.as_deref(),
        scan_interval: args.scan_interval,
    };
    write_config(&config_path, &demo)?;
    let config = Config::load(Some(&config_path))?;
    let org_url = sim.info.org_url.clone();
    let result = super::serve::run_service(config, |ready| {
        println!();
        println!("  Sightline demo is running: http://{}", ready.address);
        match &ready.new_admin {
            Some(web::auth::NewAdmin { username, generated_password: Some(password) }) => {
                println!("  Sign in as {username} with password {password}")
            }
            Some(web::auth::NewAdmin { username, generated_password: None }) => {
                println!("  Sign in as {username} with the password in SIGHTLINE_ADMIN_PASSWORD")
            }
            None => println!("  Sign in with the account created when {} was first used", data_dir.display()),
        }
        println!(
            "  Simulated Okta org: {org_url} (an attack scenario every {})",
            humantime::format_duration(args.attack_every)
        );
        println!("  Data and configuration: {}", data_dir.display());
        println!("  The first scan takes a few seconds; Integrations shows its progress. Ctrl-C stops the demo.");
        println!();
    })
    .await;
    sim.stop().await.context("the simulator did not stop cleanly")?;
    drop(temporary);
    result
}

/// Starts the simulator on `port` of loopback (0: any free port).
async fn start_sim(args: &Args, data_dir: &Path, port: u16) -> Result<okta_sim::RunningSim> {
    let sim_config = SimConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], port)),
        org: OrgParams::sized(args.users, args.seed, chrono::Utc::now()),
        data_dir: data_dir.join("okta-sim"),
        // The demo's org answers at full speed; rate limits are exercised by tests and benchmarks.
        rate_limits: RateLimitSettings { enabled: false, ..Default::default() },
        activity: ActivityConfig {
            events_per_minute: None,
            history: HISTORY,
            live: true,
            attack_every: Some(args.attack_every),
        },
        dpop_required: true,
    };
    std::fs::create_dir_all(&sim_config.data_dir)?;
    okta_sim::start(sim_config).await.context("cannot start the Okta simulator")
}

/// What the demo's configuration says.
struct DemoConfig<'a> {
    data_dir: &'a Path,
    listen: SocketAddr,
    org_url: &'a str,
    token: &'a str,
    crown_jewel: Option<&'a str>,
    scan_interval: Duration,
}

/// The configuration the demo runs with, readable by its owner only (it holds the simulator's token).
fn write_config(path: &Path, demo: &DemoConfig<'_>) -> Result<()> {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let jewels = demo.crown_jewel.map(|j| format!("crown_jewels = [{}]\n", quote(j))).unwrap_or_default();
    let text = format!(
        "# Written by `sightline demo`: the simulated org and where the demo keeps its data.\n\
         data_dir = {}\n\n[server]\nlisten = {}\n\n[[okta]]\nname = \"demo\"\norg_url = {}\napi_token = {}\n\
         scan_interval = {}\nlog_poll_interval = \"5s\"\n{jewels}",
        quote(&demo.data_dir.display().to_string()),
        quote(&demo.listen.to_string()),
        quote(demo.org_url),
        quote(demo.token),
        quote(&humantime::format_duration(demo.scan_interval).to_string()),
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let mut file = options.open(path).with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
