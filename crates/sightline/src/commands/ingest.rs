//! `sightline ingest`: audit files into the activity store.

use crate::config::Config;
use anyhow::{Result, bail};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Configuration file (default: $SIGHTLINE_CONFIG, then ./sightline.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// What the files hold.
    #[arg(long, value_parser = ["okta", "aws-cloudtrail", "github", "teleport"])]
    source: String,
    /// Files or directories (read recursively; `.gz` is decompressed).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub async fn run(args: Args) -> Result<()> {
    let config = Config::load(args.config.as_deref())?;
    let source: activity::Source = args.source.parse()?;
    let store = config.open_store().await?;
    let people = ingest::people::People::new(config.people.github.clone());
    if let Err(error) = people.refresh(&store).await {
        tracing::warn!(%error, "cannot read Okta users to resolve people; events are stored without a person");
    }
    let mut progress = crate::progress::CountProgress::new(source.cli_name());
    let report =
        ingest::files::ingest_paths(&store, &people, source, &args.files, |n| progress.set(n, "records")).await?;
    progress.finish("done");
    println!(
        "{} records: {} new events, {} already stored, {} rejected",
        report.read, report.inserted, report.duplicates, report.rejected
    );
    for example in &report.examples {
        println!("  rejected: {example}");
    }
    if report.read > 0 && report.inserted + report.duplicates == 0 {
        bail!("no record of {} could be read as {} events", args.files.len(), source.cli_name());
    }
    Ok(())
}
