//! `sightline`: identity security for Okta. This binary wires the library crates to a CLI.

mod commands;
mod config;
mod crown_jewels;
mod detections;
mod logging;
mod progress;
mod telemetry;
mod tls;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc: Sightline allocates many small JSON values; glibc's allocator was 40% slower on them
/// and kept freed memory (see docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "sightline", version, about = "Identity security for Okta: who can reach what, and what they did.")]
struct Cli {
    /// Log lines on stderr as text, or as one JSON object per line for log collectors.
    #[arg(long, global = true, value_enum, ignore_case = true, env = "SIGHTLINE_LOG_FORMAT", default_value = "text")]
    log_format: logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Try everything: a simulated Okta org with live activity and attacks, scanned, streamed and
    /// served in the web UI on the embedded store.
    Demo(commands::demo::Args),
    /// Run the service: scans and System Log polls on their intervals, health endpoints.
    Serve(commands::serve::Args),
    /// Scan every configured Okta org once into the store, then exit.
    Sync(commands::sync::Args),
    /// Run PostgreSQL-dialect SQL over the store.
    Query(commands::query::Args),
    /// Store audit events from files: Okta System Log, AWS CloudTrail, GitHub or Teleport.
    Ingest(commands::ingest::Args),
    /// List alerts and move them through their lifecycle (acknowledge, resolve, close, reopen).
    Alerts(commands::alerts::Args),
    /// Read Sightline's own audit log: sign-ins, queries, alert, account, token and integration changes.
    Audit(commands::audit::Args),
    /// List the built-in detections and the Sigma rules of `detections.sigma_dir`.
    Rules(commands::rules::Args),
    /// Run the Okta simulator: a synthetic org behind Okta's real API, System Log and OAuth server.
    OktaSim(commands::okta_sim::Args),
    /// Measure Sightline at scale on both stores, beside Okta's Python SDK (docs/PERFORMANCE.md).
    Bench(commands::bench::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo's banner is what a first-time user reads, and the benchmark's progress lines what
    // its reader follows; routine log lines would bury them.
    let default_level = if matches!(cli.command, Command::Demo(_) | Command::Bench(_)) { "warn" } else { "info" };
    logging::init(cli.log_format, default_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            logging::notice("ERROR", &format!("error: cannot start the async runtime: {e}"));
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Demo(args) => commands::demo::run(args).await,
            Command::Serve(args) => commands::serve::run(args).await,
            Command::Sync(args) => commands::sync::run(args).await,
            Command::Query(args) => commands::query::run(args).await,
            Command::Ingest(args) => commands::ingest::run(args).await,
            Command::Alerts(args) => commands::alerts::run(args).await,
            Command::Audit(args) => commands::audit::run(args).await,
            Command::Rules(args) => commands::rules::run(args).await,
            Command::OktaSim(args) => commands::okta_sim::run(args).await,
            Command::Bench(args) => commands::bench::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            logging::notice("ERROR", &format!("error: {e:#}"));
            ExitCode::from(2)
        }
    }
}
