//! `sightline serve`: the long-running service.
//!
//! Per integration, two loops: the resource scan every `scan_interval` and the System Log poll
//! every `log_poll_interval` (at once again while pages come back full); the detector follows the
//! stored events and the notifier posts new alert states to the webhooks. Each loop records its
//! runs in `sync_runs` and its integration's status; one failing never stops the others. SIGTERM
//! or SIGINT stops them (GitHub audit logs poll the same way, and `[teleport]` adds the HTTP
//! intake Teleport's event handler forwards to): a log poll finishes the page in hand (its events
//! and cursor commit together), a scan in progress is abandoned and its run marked interrupted
//! (its snapshot is written in one transaction, so the previous one stays whole).
//!
//! The same listener serves the web UI and its API (`web`), behind sign-in; integrations added
//! there are stored (secrets sealed) and started at once, and again at every start. It serves
//! HTTPS only when `[server] tls_cert` and `tls_key` are set (session cookies then get `Secure`).
//! Health: `GET /livez` and `GET /healthz` (the process answers), and `GET /readyz` (the store
//! answers a query over its tables within 2 s; 503 with the reason otherwise), with the
//! integrations' status and how many stored events detections have yet to evaluate. Prometheus
//! metrics are served on a listener of their own, `[server] metrics_listen`, when it is set.

use crate::config::{Config, OktaConfig};
use anyhow::{Context, Result};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use axum::serve::ListenerExt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

#[derive(clap::Args)]
pub struct Args {
    /// Configuration file (default: $SIGHTLINE_CONFIG, then ./sightline.toml).
    #[arg(long)]
    config: Option<PathBuf>,
}

/// How long a failed loop waits before trying again (at most its interval).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(30);

/// How long `/readyz` waits for the store.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn run(args: Args) -> Result<()> {
    let config = Config::load(args.config.as_deref())?;
    run_service(config, |ready| {
        let scheme = if ready.tls { "https" } else { "http" };
        crate::logging::notice(
            "INFO",
            &format!("sightline serve: listening on {scheme}://{} ({})", ready.address, ready.describe),
        );
        if let Some(metrics) = ready.metrics_address {
            crate::logging::notice("INFO", &format!("sightline serve: metrics on http://{metrics}/metrics"));
        }
        if let Some(admin) = &ready.new_admin {
            let user = &admin.username;
            let line = match &admin.generated_password {
                Some(password) => {
                    format!(
                        "sightline serve: created the account {user} with password {password} (shown once; change it)"
                    )
                }
                None => {
                    format!("sightline serve: created the account {user} with the password in SIGHTLINE_ADMIN_PASSWORD")
                }
            };
            crate::logging::notice("WARN", &line);
        }
    })
    .await
}

/// What the service tells its caller once it listens.
pub struct Ready {
    pub address: SocketAddr,
    /// Whether `address` serves HTTPS.
    pub tls: bool,
    /// Where `GET /metrics` is served, if it is.
    pub metrics_address: Option<SocketAddr>,
    /// The integrations it runs, in a few words.
    pub describe: String,
    /// The admin account created at this start (with its password, shown once, if generated).
    pub new_admin: Option<web::auth::NewAdmin>,
}

/// Runs the service until SIGTERM or SIGINT; `on_ready` is called once it listens.
pub async fn run_service(config: Config, on_ready: impl FnOnce(&Ready)) -> Result<()> {
    let shutdown = shutdown_signal();
    let config = Arc::new(config);
    // Files and listeners first: a mistake there should stop the start before any work begins.
    let tls = match config.server.tls_files(&config.source)? {
        Some((cert, key)) => Some(crate::tls::server_config(cert, key).with_context(|| config.source.clone())?),
        None => None,
    };
    let metrics = match config.server.metrics_listen {
        Some(address) => {
            let handle = crate::telemetry::install()?;
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("{}: server.metrics_listen: cannot listen on {address}", config.source))?;
            Some((handle, listener))
        }
        None => None,
    };
    let store = config.open_store().await?;
    let closed = store.fail_interrupted_runs().await?;
    if closed > 0 {
        tracing::warn!(runs = closed, "marked runs left by a stopped process as interrupted");
    }
    let people = ingest::people::People::new(config.people.github.clone());
    if let Err(error) = people.refresh(&store).await {
        tracing::warn!(%error, "cannot read Okta users to resolve people");
    }
    let new_admin = web::auth::ensure_admin(&store, std::env::var("SIGHTLINE_ADMIN_PASSWORD").ok())
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("{}: data_dir: cannot create {}", config.source, config.data_dir.display()))?;
    let vault = web::vault::Vault::open(&config.data_dir).map_err(|e| anyhow::anyhow!(e))?;
    let (stop_tx, stop) = watch::channel(false);

    let host = Arc::new(Host {
        config: config.clone(),
        store: store.clone(),
        people: people.clone(),
        stop: stop.clone(),
        loops: Mutex::new(JoinSet::new()),
        schedules: Mutex::new(Vec::new()),
    });
    for okta in &config.okta {
        host.spawn(Arc::new(okta.clone()), "config");
    }
    for saved in web::api::saved_integrations(&store, &vault).await.map_err(|e| anyhow::anyhow!(e))? {
        host.spawn(Arc::new(OktaConfig::from_web(&saved)), "ui");
    }
    let (detector, notifier) = crate::detections::start(&config, &store).await?;
    {
        let mut loops = host.loops();
        for index in 0..config.github.len() {
            loops.spawn(github_loop(config.clone(), index, store.clone(), people.clone(), stop.clone()));
        }
        let mut detector_stop = stop.clone();
        loops.spawn(detector.run(crate::detections::POLL_INTERVAL, async move {
            let _ = detector_stop.wait_for(|s| *s).await;
        }));
        if let Some(notifier) = notifier {
            let mut notifier_stop = stop.clone();
            loops.spawn(notifier.run(Duration::from_secs(1), async move {
                let _ = notifier_stop.wait_for(|s| *s).await;
            }));
        }
    }

    let rules = crate::detections::rule_summaries(&config)?;
    super::audit::record_configuration(&store, &config, &rules).await;
    let settings = web::WebSettings {
        secure_cookies: tls.is_some(),
        query_limits: config.query_limits()?,
        webhooks: config.webhooks.iter().map(|w| w.route()).collect(),
        rules,
        oidc: config.auth.oidc_settings(&config.source)?,
    };
    let state = web::AppState::new(store.clone(), vault, host.clone(), settings);
    let mut app = axum::Router::new()
        .route("/livez", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(store.clone());
    if let Some(teleport) = &config.teleport {
        let token = teleport.token(&config.source)?;
        app = app.merge(ingest::teleport_intake::router(store.clone(), people.clone(), token));
        tracing::info!(path = ingest::teleport_intake::PATH, "accepting Teleport audit events");
    }
    let mut app = web::with_security_headers(app.merge(web::router(state)));
    if tls.is_some() {
        app = web::with_strict_transport_security(app);
    }
    let listener = tokio::net::TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("{}: server.listen: cannot listen on {}", config.source, config.server.listen))?;
    let address = listener.local_addr()?;
    let mut server_stop = stop.clone();
    let stopped = async move {
        let _ = server_stop.wait_for(|s| *s).await;
    };
    let server = match tls.clone() {
        Some(tls) => {
            // `tap_io` only gives the listener the `ConnectInfo<SocketAddr>` plumbing axum
            // implements for wrapped listeners; sign-in throttling needs the client's address.
            let listener = crate::tls::TlsListener::new(listener, tls)?.tap_io(|_| {});
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            tokio::spawn(async move { axum::serve(listener, service).with_graceful_shutdown(stopped).await })
        }
        None => {
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            tokio::spawn(async move { axum::serve(listener, service).with_graceful_shutdown(stopped).await })
        }
    };
    let metrics_address = match metrics {
        Some((handle, listener)) => {
            let metrics_address = listener.local_addr()?;
            let mut metrics_stop = stop.clone();
            host.loops().spawn(crate::telemetry::upkeep(handle.clone(), stop.clone()));
            tokio::spawn(async move {
                let served = axum::serve(listener, crate::telemetry::router(handle))
                    .with_graceful_shutdown(async move {
                        let _ = metrics_stop.wait_for(|s| *s).await;
                    })
                    .await;
                if let Err(error) = served {
                    tracing::error!(%error, "the metrics listener failed");
                }
            });
            Some(metrics_address)
        }
        None => None,
    };
    on_ready(&Ready {
        address,
        tls: tls.is_some(),
        metrics_address,
        describe: format!(
            "{} Okta, {} GitHub integrations{}",
            host.schedules.lock().unwrap_or_else(|p| p.into_inner()).len(),
            config.github.len(),
            if config.teleport.is_some() { ", Teleport intake" } else { "" }
        ),
        new_admin,
    });

    shutdown.await;
    crate::logging::notice("INFO", "sightline: stopping (finishing the page in hand)");
    let _ = stop_tx.send(true);
    let mut loops = std::mem::take(&mut *host.loops());
    while let Some(result) = loops.join_next().await {
        if let Err(e) = result
            && e.is_panic()
        {
            tracing::error!("a loop panicked: {e}");
        }
    }
    store.fail_interrupted_runs().await?;
    server.await?.context("the HTTP server failed")?;
    crate::logging::notice("INFO", "sightline: stopped");
    Ok(())
}

/// Runs integrations' loops: those of the configuration at start, and those the web UI adds.
struct Host {
    config: Arc<Config>,
    store: store::Store,
    people: ingest::people::People,
    stop: watch::Receiver<bool>,
    loops: Mutex<JoinSet<()>>,
    schedules: Mutex<Vec<web::Schedule>>,
}

impl Host {
    fn loops(&self) -> std::sync::MutexGuard<'_, JoinSet<()>> {
        self.loops.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn spawn(&self, okta: Arc<OktaConfig>, origin: &'static str) {
        self.schedules.lock().unwrap_or_else(|p| p.into_inner()).push(web::Schedule {
            name: okta.name.clone(),
            origin,
            scan_interval_seconds: okta.scan_every().as_secs(),
            log_poll_interval_seconds: okta.log_poll_every().as_secs(),
        });
        let mut loops = self.loops();
        if okta.resources {
            loops.spawn(scan_loop(
                self.config.clone(),
                okta.clone(),
                self.store.clone(),
                self.people.clone(),
                self.stop.clone(),
            ));
        }
        if okta.system_log {
            loops.spawn(log_loop(
                self.config.clone(),
                okta,
                self.store.clone(),
                self.people.clone(),
                self.stop.clone(),
            ));
        }
    }
}

impl web::IntegrationHost for Host {
    fn schedules(&self) -> Vec<web::Schedule> {
        self.schedules.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn start(&self, integration: web::NewIntegration) -> Result<(), String> {
        if *self.stop.borrow() {
            return Err("the service is stopping".into());
        }
        self.spawn(Arc::new(OktaConfig::from_web(&integration)), "ui");
        Ok(())
    }
}

/// `GET /readyz`: 200 when the store answers queries over its (migrated) tables within
/// [`READY_TIMEOUT`], else 503 with the reason. The store's own error goes to the log only: this
/// endpoint needs no sign-in, and the error can name the database server.
async fn ready(State(store): State<store::Store>) -> impl IntoResponse {
    let probe = async {
        Ok::<_, store::Error>(StoreProbe {
            integrations: store.integrations().await?,
            detector_cursor: store.detector_cursor(detect::runner::DETECTOR).await?.unwrap_or(0),
            newest_event: store.last_event_seq().await?,
        })
    };
    let (status, body) = readiness(store.backend_name(), tokio::time::timeout(READY_TIMEOUT, probe).await);
    (status, Json(body))
}

/// What `/readyz` reads from the store.
struct StoreProbe {
    integrations: Vec<store::Integration>,
    /// The `seq` of the last event the detections evaluated.
    detector_cursor: i64,
    /// The `seq` of the newest stored event.
    newest_event: i64,
}

/// The answer of `/readyz` for what the store's probe gave (`Err(Elapsed)`: no answer in time).
fn readiness<E: std::fmt::Display>(
    backend: &str,
    probe: Result<Result<StoreProbe, E>, tokio::time::error::Elapsed>,
) -> (StatusCode, serde_json::Value) {
    let unavailable = |reason: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({"status": "unavailable", "store": backend, "reason": reason}),
        )
    };
    match probe {
        Err(_) => {
            tracing::warn!(timeout = ?READY_TIMEOUT, "readiness: the store did not answer in time");
            unavailable(format!(
                "the {backend} store did not answer within {} s; see the service's log",
                READY_TIMEOUT.as_secs()
            ))
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: the store failed a query");
            unavailable(format!("the {backend} store failed a query over its tables; see the service's log"))
        }
        Ok(Ok(StoreProbe { integrations, detector_cursor: cursor, newest_event: newest })) => {
            let list: Vec<serde_json::Value> = integrations
                .iter()
                .map(|i| serde_json::json!({"name": i.name, "status": i.status, "last_success": i.last_success}))
                .collect();
            // How far detections are behind the stored events (0 when caught up).
            let detections = serde_json::json!({"cursor": cursor, "events_behind": (newest - cursor).max(0)});
            (
                StatusCode::OK,
                serde_json::json!({"status": "ready", "store": backend, "integrations": list, "detections": detections}),
            )
        }
    }
}

/// Waits `period`, or until `stop`; returns whether to go on.
async fn pause(period: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(period) => {}
        _ = stop.wait_for(|s| *s) => {}
    }
    !*stop.borrow()
}

async fn scan_loop(
    config: Arc<Config>,
    okta: Arc<OktaConfig>,
    store: store::Store,
    people: ingest::people::People,
    mut stop: watch::Receiver<bool>,
) {
    let every = okta.scan_every();
    loop {
        if *stop.borrow() {
            return;
        }
        let scan = super::sync::sync_resources(&config, &okta, &store);
        let outcome = tokio::select! {
            outcome = scan => Some(outcome),
            _ = stop.wait_for(|s| *s) => None,
        };
        let wait = match outcome {
            None => return, // stopped mid-scan; the run is marked interrupted on the way out
            Some(Ok(())) => {
                if let Err(error) = people.refresh(&store).await {
                    tracing::warn!(%error, "cannot refresh people after a scan");
                }
                every
            }
            Some(Err(error)) => {
                tracing::error!(integration = %okta.name, "resource scan failed: {error:#}");
                every.min(RETRY_AFTER_FAILURE)
            }
        };
        if !pause(wait, &mut stop).await {
            return;
        }
    }
}

/// Polls a log stream every `every` until `stop`: `poll` catches it up (finishing the page in
/// hand when stopped); after a failure the next try waits at least [`RETRY_AFTER_FAILURE`].
async fn poll_loop<F, Fut>(what: &str, every: Duration, mut stop: watch::Receiver<bool>, mut poll: F)
where
    F: FnMut(watch::Receiver<bool>) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    loop {
        if *stop.borrow() {
            return;
        }
        let wait = match poll(stop.clone()).await {
            Ok(()) => every,
            Err(error) => {
                tracing::error!("{what} failed: {error:#}");
                every.max(RETRY_AFTER_FAILURE)
            }
        };
        if !pause(wait, &mut stop).await {
            return;
        }
    }
}

async fn log_loop(
    config: Arc<Config>,
    okta: Arc<OktaConfig>,
    store: store::Store,
    people: ingest::people::People,
    stop: watch::Receiver<bool>,
) {
    let okta = &*okta;
    let what = format!("{}: System Log poll", okta.name);
    poll_loop(&what, okta.log_poll_every(), stop, |stop| {
        let (config, store, people) = (&config, &store, &people);
        async move { super::sync::sync_logs(config, okta, store, people, &stop).await }
    })
    .await
}

async fn github_loop(
    config: Arc<Config>,
    index: usize,
    store: store::Store,
    people: ingest::people::People,
    stop: watch::Receiver<bool>,
) {
    let github = &config.github[index];
    let what = format!("{}: GitHub audit log poll", github.name);
    poll_loop(&what, github.poll_every(), stop, |stop| {
        let (config, store, people) = (&config, &store, &people);
        async move { super::sync::sync_github(config, github, store, people, &stop).await }
    })
    .await
}

/// Waits for SIGTERM or SIGINT. The handlers are registered when this is called, not when it is
/// first awaited: a signal that arrives while the service is still starting must stop it cleanly,
/// not fall to the default action (which kills the process mid-write).
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).ok();
        let mut interrupt = signal(SignalKind::interrupt()).ok();
        async move {
            tokio::select! {
                _ = wait_for(terminate.as_mut()) => {},
                _ = wait_for(interrupt.as_mut()) => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The next delivery of a signal whose handler could be registered; never, if it could not.
#[cfg(unix)]
async fn wait_for(signal: Option<&mut tokio::signal::unix::Signal>) {
    match signal {
        Some(signal) => {
            signal.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn elapsed() -> tokio::time::error::Elapsed {
        tokio::time::timeout(Duration::ZERO, std::future::pending::<()>()).await.unwrap_err()
    }

    #[tokio::test]
    async fn readiness_is_503_with_a_reason_unless_the_store_answered() {
        let (status, body) = readiness::<String>("postgresql", Err(elapsed().await));
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "unavailable");
        assert_eq!(body["reason"], "the postgresql store did not answer within 2 s; see the service's log");

        let failed = "password authentication failed for user sightline at db.internal".to_string();
        let (status, body) = readiness("postgresql", Ok(Err(failed)));
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body["reason"].as_str().unwrap().contains("failed a query"), "{body}");
        assert!(!body.to_string().contains("db.internal"), "the store's error stays in the log: {body}");

        let (status, body) = readiness::<String>(
            "sqlite",
            Ok(Ok(StoreProbe { integrations: Vec::new(), detector_cursor: 40, newest_event: 42 })),
        );
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ready");
        assert_eq!(body["detections"]["events_behind"], 2);
    }
}
