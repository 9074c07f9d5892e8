//! `sightline bench`: the benchmark harness. For each org size it generates a simulator org and
//! measures, on each store, the resource scan (rate limits off, and at a 50% share of Okta's
//! default limits), the access-path rebuild, the brief's six queries, the System Log pipeline
//! through every detection, and the poll and detection lag under load; beside them, Okta's official
//! Python SDK doing the same inventory against the same org. Every stage is the real binary in a
//! process of its own (`child.rs`). The report is Markdown on stdout and in `--out`, with the
//! figures as JSON beside it.

mod activity;
mod child;
mod queries;
mod report;
mod scan;
mod sdk;

use anyhow::{Context, Result, bail};
use report::Report;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Org sizes (users), comma separated.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,300000")]
    users: Vec<usize>,
    /// Groups in each org (default: scaled from the users as the simulator does, 4,000 at 100k).
    #[arg(long)]
    groups: Option<usize>,
    /// Apps in each org (default: scaled from the users as the simulator does, 400 at 100k).
    #[arg(long)]
    apps: Option<usize>,
    /// Stores to measure, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres", value_parser = ["sqlite", "postgres"])]
    stores: Vec<String>,
    /// PostgreSQL URL of a role that may create databases; each measurement gets a new database,
    /// dropped afterwards. Default: `$SIGHTLINE_TEST_POSTGRES`, else the local server.
    #[arg(long)]
    postgres: Option<String>,
    /// Stages to leave out: scan, limits, sdk, queries, pipeline, lag (comma separated).
    #[arg(long, value_delimiter = ',', value_parser = ["scan", "limits", "sdk", "queries", "pipeline", "lag"])]
    skip: Vec<String>,
    /// Length of a rate-limit window for the scan with limits on (Okta: 60s). Shorter windows keep
    /// the run to minutes; the ratio to the floor barely depends on it.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    limits_window: Duration,
    /// The scan with limits on runs only for orgs up to this many users (its floor grows with the
    /// org: hours of real time at 300k users even with shortened windows).
    #[arg(long, default_value_t = 100_000)]
    limits_max_users: usize,
    /// The Python interpreter with Okta's SDK (`scripts/install-sdk-test-deps.sh` installs it).
    #[arg(long, default_value = "target/sdk-venv/bin/python")]
    sdk_python: PathBuf,
    /// The SDK inventory script.
    #[arg(long, default_value = "tests/sdk/python/inventory.py")]
    sdk_script: PathBuf,
    /// The SDK runs only for orgs up to this many users.
    #[arg(long, default_value_t = 300_000)]
    sdk_max_users: usize,
    /// Timed runs of each query (queries answering over 10,000 rows run 5 times).
    #[arg(long, default_value_t = 30)]
    query_runs: usize,
    /// System Log events the pipeline stage streams through `serve`.
    #[arg(long, default_value_t = 200_000)]
    events: usize,
    /// How long to measure lag under live traffic.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    lag_duration: Duration,
    /// Live System Log events per minute while lag is measured (with an attack every 15 s).
    #[arg(long, default_value_t = 30_000)]
    lag_events_per_minute: usize,
    /// Directory for the report (`report.md`, `report.json`).
    #[arg(long, default_value = "bench-results")]
    out: PathBuf,
    /// A quick run that checks the harness works (CI): few query runs, few events, short lag and
    /// rate-limit windows. Its figures mean nothing.
    #[arg(long)]
    quick: bool,
}

/// A store to measure on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

impl StoreKind {
    pub fn name(self) -> &'static str {
        match self {
            StoreKind::Sqlite => "SQLite",
            StoreKind::Postgres => "PostgreSQL",
        }
    }
}

/// A new, empty store of one kind: a data directory or a PostgreSQL database of its own.
pub struct Target {
    pub kind: StoreKind,
    data_dir: PathBuf,
    database: Option<store::testing::TempDatabase>,
}

impl Target {
    fn new(kind: StoreKind, dir: &Path, postgres: &str) -> Result<Target> {
        let database = match kind {
            StoreKind::Sqlite => None,
            StoreKind::Postgres => Some(store::testing::TempDatabase::create_on(postgres).map_err(|e| {
                anyhow::anyhow!(
                    "cannot create a database on {}: {e} (give --postgres URL, or --stores sqlite)",
                    without_password(postgres)
                )
            })?),
        };
        std::fs::create_dir_all(dir)?;
        Ok(Target { kind, data_dir: dir.to_path_buf(), database })
    }

    /// The top of a config file that points at this store.
    pub fn config_head(&self) -> String {
        let data_dir = format!("data_dir = {}\n", toml_string(&self.data_dir.to_string_lossy()));
        match &self.database {
            Some(db) => format!("{data_dir}database_url = {}\n", toml_string(&db.url)),
            None => data_dir,
        }
    }

    pub async fn open(&self) -> Result<store::Store> {
        Ok(match &self.database {
            Some(db) => store::Store::open_postgres(&db.url).await?,
            None => store::Store::open_sqlite(&self.data_dir.join("sightline.db"))?,
        })
    }
}

/// `text` (a URL, or an argument `--flag=URL`) with its password masked, for the report and error
/// messages.
pub fn without_password(text: &str) -> String {
    if let Some((flag, value)) = text.split_once('=').filter(|(flag, _)| flag.starts_with("--")) {
        return format!("{flag}={}", without_password(value));
    }
    match url::Url::parse(text) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => text.to_string(),
    }
}

pub fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Writes `sightline.toml` for a store and one Okta integration into `dir`; returns its path and
/// the port `serve` would listen on.
pub fn write_config(dir: &Path, target: &Target, sim: &child::Sim, okta_extra: &str) -> Result<(PathBuf, u16)> {
    let path = dir.join("sightline.toml");
    let port = child::free_port()?;
    let text = format!(
        "{}\n[server]\nlisten = \"127.0.0.1:{port}\"\n\n[[okta]]\nname = \"bench\"\norg_url = {}\napi_token = {}\n{okta_extra}\n",
        target.config_head(),
        toml_string(&sim.org_url),
        toml_string(&sim.api_token),
    );
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok((path, port))
}

/// Prints a stage's start on stderr (the benchmark's progress), and its time when it ends.
pub struct Step {
    started: Instant,
}

impl Step {
    pub fn start(what: &str) -> Step {
        eprintln!("sightline bench: {what}…");
        Step { started: Instant::now() }
    }

    pub fn done(self) {
        eprintln!("sightline bench:   done in {:.1} s", self.started.elapsed().as_secs_f64());
    }
}

struct Plan {
    sizes: Vec<usize>,
    stores: Vec<StoreKind>,
    postgres: String,
    skip: Vec<String>,
}

impl Plan {
    fn runs(&self, stage: &str) -> bool {
        !self.skip.iter().any(|s| s == stage)
    }
}

pub async fn run(mut args: Args) -> Result<()> {
    if args.quick {
        args.query_runs = args.query_runs.min(3);
        args.events = args.events.min(3_000);
        args.lag_duration = args.lag_duration.min(Duration::from_secs(8));
        args.lag_events_per_minute = args.lag_events_per_minute.min(3_000);
        args.limits_window = args.limits_window.min(Duration::from_secs(1));
    }
    if args.users.iter().any(|&n| !(50..=500_000).contains(&n)) {
        bail!("--users: each size must be between 50 and 500000");
    }
    let mut stores: Vec<StoreKind> = Vec::new();
    for name in &args.stores {
        let kind = if name == "sqlite" { StoreKind::Sqlite } else { StoreKind::Postgres };
        if !stores.contains(&kind) {
            stores.push(kind);
        }
    }
    let plan = Plan {
        sizes: args.users.clone(),
        stores,
        postgres: args.postgres.clone().unwrap_or_else(store::testing::postgres_admin_url),
        skip: args.skip.clone(),
    };
    if plan.runs("sdk") && !args.sdk_python.exists() {
        bail!(
            "{} not found: run scripts/install-sdk-test-deps.sh (or give --sdk-python, or --skip sdk)",
            args.sdk_python.display()
        );
    }
    if plan.runs("sdk") && !args.sdk_script.exists() {
        bail!("{} not found: run from the repository's root (or give --sdk-script)", args.sdk_script.display());
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let work = tempfile::Builder::new().prefix("sightline-bench-").tempdir()?;
    let command: Vec<String> = std::env::args().map(|arg| without_password(&arg)).collect();
    let mut report = Report::new(&args, command.join(" "));
    let started = Instant::now();
    for &users in &plan.sizes {
        let dir = work.path().join(users.to_string());
        std::fs::create_dir_all(&dir)?;
        measure_size(&args, &plan, users, &dir, &mut report).await?;
        report.save(&args.out)?;
        // Each size's working files (stores of several GiB at 300k users) go before the next.
        let _ = std::fs::remove_dir_all(&dir);
    }
    report.finish(started.elapsed());
    report.save(&args.out)?;
    print!("{}", report.markdown());
    eprintln!(
        "sightline bench: done in {:.0} s; report in {}",
        started.elapsed().as_secs_f64(),
        args.out.join("report.md").display()
    );
    Ok(())
}

async fn measure_size(args: &Args, plan: &Plan, users: usize, dir: &Path, report: &mut Report) -> Result<()> {
    let size = format!("{users} users");
    let mut org_args = vec!["--users".to_string(), users.to_string(), "--seed".into(), "1".into()];
    for (flag, count) in [("--groups", args.groups), ("--apps", args.apps)] {
        if let Some(count) = count {
            org_args.extend([flag.to_string(), count.to_string()]);
        }
    }
    let quiet = ["--history", "0s", "--no-live-activity"].map(String::from);

    if plan.runs("scan") || plan.runs("queries") || plan.runs("sdk") {
        let step = Step::start(&format!("{size}: starting a simulator, rate limits off"));
        let sim = child::Sim::start(
            &[&org_args[..], &quiet, &["--rate-limits".into(), "off".into()]].concat(),
            &dir.join("sim"),
        )
        .await?;
        report.org(users, &sim.stats().await?);
        step.done();
        report.save(&args.out)?;
        let mut scanned = Vec::new();
        for &kind in &plan.stores {
            let step = Step::start(&format!("{size}, {}: sync, rate limits off", kind.name()));
            let target = Target::new(kind, &dir.join(format!("scan-{kind:?}")), &plan.postgres)?;
            let figures = scan::unlimited(&sim, &target, &dir.join(format!("scan-{kind:?}"))).await?;
            report.scan(users, kind, &figures);
            step.done();
            report.save(&args.out)?;
            scanned.push((target, figures));
        }
        if plan.runs("sdk") && users <= args.sdk_max_users {
            let step = Step::start(&format!("{size}: Okta's Python SDK, the same inventory"));
            let figures = sdk::inventory(&args.sdk_python, &args.sdk_script, &sim, &dir.join("sdk")).await?;
            report.sdk(users, &figures, scanned.first().map(|(_, f)| f));
            step.done();
            report.save(&args.out)?;
        }
        if plan.runs("queries") {
            let mut opened = Vec::new();
            for (target, _) in &scanned {
                opened.push((target.kind, target.open().await?));
            }
            let step = Step::start(&format!("{size}: the brief's six queries"));
            let figures = queries::measure(&opened, &sim.org_url, args.query_runs).await?;
            report.queries(users, &figures);
            step.done();
            report.save(&args.out)?;
        }
    }

    if plan.runs("limits") && users <= args.limits_max_users {
        let window = args.limits_window.as_secs().max(1);
        for &kind in &plan.stores {
            let step = Step::start(&format!(
                "{size}, {}: sync at a 50% share of Okta's default limits ({window} s windows)",
                kind.name()
            ));
            let window_arg = ["--rate-limit-window".to_string(), format!("{window}s")];
            let sim = child::Sim::start(
                &[&org_args[..], &quiet, &window_arg].concat(),
                &dir.join(format!("sim-limits-{kind:?}")),
            )
            .await?;
            let target = Target::new(kind, &dir.join(format!("limits-{kind:?}")), &plan.postgres)?;
            let figures = scan::limited(&sim, &target, &dir.join(format!("limits-{kind:?}")), window).await?;
            report.limits(users, kind, window, &figures);
            step.done();
            report.save(&args.out)?;
        }
    }

    if plan.runs("pipeline") {
        let mut export = None;
        for &kind in &plan.stores {
            let step = Step::start(&format!(
                "{size}, {}: System Log pipeline, {} events through serve and every detection",
                kind.name(),
                args.events
            ));
            let stage_dir = dir.join(format!("pipeline-{kind:?}"));
            let target = Target::new(kind, &stage_dir, &plan.postgres)?;
            let figures = activity::pipeline(&org_args, args.events, &target, &stage_dir).await?;
            if export.is_none() {
                export = Some(activity::export(&target, &dir.join("events.ndjson")).await?);
            }
            let ingest_dir = dir.join(format!("ingest-{kind:?}"));
            let ingest_target = Target::new(kind, &ingest_dir, &plan.postgres)?;
            let ingest =
                activity::ingest_file(export.as_deref().expect("exported"), &ingest_target, &ingest_dir).await?;
            report.pipeline(users, kind, &figures, &ingest);
            step.done();
            report.save(&args.out)?;
        }
    }

    if plan.runs("lag") {
        for &kind in &plan.stores {
            let step = Step::start(&format!(
                "{size}, {}: lag under {} live events/min and an attack every 15 s, for {} s",
                kind.name(),
                args.lag_events_per_minute,
                args.lag_duration.as_secs()
            ));
            let stage_dir = dir.join(format!("lag-{kind:?}"));
            let target = Target::new(kind, &stage_dir, &plan.postgres)?;
            let figures =
                activity::lag(&org_args, args.lag_events_per_minute, args.lag_duration, &target, &stage_dir).await?;
            report.lag(users, kind, args.lag_events_per_minute, &figures);
            step.done();
            report.save(&args.out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn a_database_password_never_reaches_the_report() {
        assert_eq!(
            without_password("postgres://bench:s3cret@db.example:5432/sightline"),
            "postgres://bench:***@db.example:5432/sightline"
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test"
        );
        assert_eq!(without_password("--postgres=postgres://u:pw@h/db"), "--postgres=postgres://u:***@h/db");
        assert_eq!(without_password("--users"), "--users");
    }
}
