//! The simulator's HTTP server: Okta's management API, System Log and org authorization server,
//! plus a control API under `/__sim` for tests (faults, scenarios, extra credentials).

pub mod auth;
mod control;
mod directory;
pub mod error;
pub mod faults;
pub mod filter;
mod gate;
pub mod index;
mod keys;
mod logs_api;
pub mod oidc;
pub mod paging;
pub mod ratelimit;
pub mod render;
mod roles;

use crate::activity::{ActivityGenerator, GroundTruth, Scenario};
use crate::logs::LogStore;
use crate::org::{ApiArea, ApiToken, OAuthClient, Org, OrgParams, Ts};
use auth::AuthState;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use faults::Faults;
use index::OrgIndex;
use paging::{Cursors, Params};
use ratelimit::{RateLimitSettings, RateLimiter};
use serde::Serialize;
use serde_json::Value;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Every read scope the simulator's collector client is granted.
pub const READ_SCOPES: [&str; 6] = [
    "okta.users.read",
    "okta.groups.read",
    "okta.apps.read",
    "okta.roles.read",
    "okta.logs.read",
    "okta.apiTokens.read",
];

/// How the simulator runs.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub listen: SocketAddr,
    pub org: OrgParams,
    /// Where the OAuth private key is written.
    pub data_dir: PathBuf,
    pub rate_limits: RateLimitSettings,
    pub activity: ActivityConfig,
    /// Whether the collector's service app requires DPoP (Okta's default).
    pub dpop_required: bool,
}

/// System Log activity settings.
#[derive(Debug, Clone)]
pub struct ActivityConfig {
    /// Benign events per minute; `None` derives it from the org size (about 20 events per user per day).
    pub events_per_minute: Option<f64>,
    /// How much history to generate at start-up.
    pub history: Duration,
    /// Whether live traffic keeps flowing after start-up.
    pub live: bool,
    /// Run a random attack scenario this often (the demo); never when `None`.
    pub attack_every: Option<Duration>,
}

impl Default for ActivityConfig {
    fn default() -> Self {
        ActivityConfig { events_per_minute: None, history: Duration::from_secs(3600), live: true, attack_every: None }
    }
}

/// What a client needs to talk to the simulator; printed on start.
#[derive(Debug, Clone, Serialize)]
pub struct SimInfo {
    pub org_url: String,
    pub api_token: String,
    pub client_id: String,
    pub private_key_file: PathBuf,
    pub key_id: String,
    pub scopes: Vec<String>,
}

/// The org and its indexes, replaced together.
pub struct OrgView {
    pub org: Org,
    pub index: OrgIndex,
}

/// Shared state of one simulator.
pub struct Sim {
    pub base_url: String,
    org: RwLock<OrgView>,
    logs: Mutex<LogStore>,
    auth: AuthState,
    limiter: RateLimiter,
    faults: Faults,
    cursors: Cursors,
    activity: Mutex<ActivityGenerator>,
    scenarios: Mutex<Vec<GroundTruth>>,
    events_per_minute: f64,
    /// The "default" custom authorization server (OpenID Connect sign-in of web apps).
    oidc: oidc::OidcState,
}

impl Sim {
    pub fn view(&self) -> RwLockReadGuard<'_, OrgView> {
        self.org.read().expect("org lock")
    }

    /// Changes the org and rebuilds its indexes.
    pub fn mutate<R>(&self, change: impl FnOnce(&mut Org) -> R) -> R {
        let mut view = self.org.write().expect("org lock");
        let result = change(&mut view.org);
        view.index = OrgIndex::build(&view.org);
        result
    }

    fn now() -> Ts {
        chrono::Utc::now()
    }

    /// Generates live traffic up to `now` and persists what is due.
    fn tick(&self, from: Ts, now: Ts) {
        let batch = {
            let mut view = self.org.write().expect("org lock");
            let batch =
                self.activity.lock().expect("activity lock").benign(&mut view.org, from, now, self.events_per_minute);
            if batch.org_changed {
                view.index = OrgIndex::build(&view.org);
            }
            batch
        };
        let mut logs = self.logs.lock().expect("logs lock");
        logs.submit(batch.events, now);
        logs.persist_due(now);
    }

    /// Runs an attack scenario starting at `start`; its events persist as their time comes.
    pub fn run_scenario(&self, scenario: Scenario, start: Ts) -> GroundTruth {
        let (batch, truth) = {
            let mut view = self.org.write().expect("org lock");
            let result = self.activity.lock().expect("activity lock").scenario(&mut view.org, scenario, start);
            if result.0.org_changed {
                view.index = OrgIndex::build(&view.org);
            }
            result
        };
        let now = Self::now();
        let mut logs = self.logs.lock().expect("logs lock");
        logs.submit(batch.events, now);
        logs.persist_due(now);
        self.scenarios.lock().expect("scenarios lock").push(truth.clone());
        truth
    }

    /// Registers an extra SSWS token for the super admin; `denied` areas answer 403 E0000006.
    pub fn add_api_token(&self, name: &str, denied: Vec<ApiArea>) -> (String, String) {
        self.mutate(|org| {
            let mut rng = rand::rng();
            let now = Self::now();
            let token = ApiToken {
                id: crate::org::ids::okta_id("00T", &mut rng),
                name: name.to_string(),
                user: 0,
                client_name: "Okta API".into(),
                created: now,
                last_updated: now,
                token_window: "P30D".into(),
                network_connection: "ANYWHERE",
                network_include: Vec::new(),
                network_exclude: Vec::new(),
                secret: format!("00{}", random_alnum(40)),
                denied,
            };
            let result = (token.id.clone(), token.secret.clone());
            org.api_tokens.push(token);
            result
        })
    }
}

/// A random alphanumeric string from the OS-seeded thread RNG (secrets, request ids).
pub fn random_alnum(len: usize) -> String {
    crate::org::ids::alnum(len, &mut rand::rng())
}

/// The position after which a listing resumes, from the request's `after` cursor.
pub(crate) fn after(sim: &Sim, scope: &str, params: &Params) -> Result<Option<u64>, error::OktaError> {
    match params.get("after").filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => Ok(Some(sim.cursors.open(scope, c, 1)?[0])),
    }
}

/// The `after` cursor for a next page that starts after `next`.
pub(crate) fn seal(sim: &Sim, scope: &str, next: Option<u64>) -> Option<String> {
    next.map(|p| sim.cursors.seal(scope, &[p]))
}

/// A JSON array response with Okta's `Link` headers.
pub(crate) fn link_list(sim: &Sim, path: &str, params: &Params, items: Vec<Value>, next: Option<String>) -> Response {
    link_list_raw(sim, path, params, Value::Array(items).to_string(), next)
}

/// [`link_list`] for a body already serialized (the hot listings write JSON text directly).
pub(crate) fn link_list_raw(sim: &Sim, path: &str, params: &Params, body: String, next: Option<String>) -> Response {
    let mut response = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    for link in paging::link_headers(&sim.base_url, path, params, next.as_deref()) {
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().append(header::LINK, value);
        }
    }
    response
}

pub(crate) fn json_response(value: Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

/// A running simulator.
pub struct RunningSim {
    pub info: SimInfo,
    pub sim: Arc<Sim>,
    shutdown: watch::Sender<bool>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningSim {
    /// Serves until `stop` is called or the task is dropped.
    pub async fn wait(self) -> std::io::Result<()> {
        self.server.await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }

    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(true);
        self.wait().await
    }
}

/// Generates the org, binds, and starts serving and generating activity.
pub async fn start(config: SimConfig) -> std::io::Result<RunningSim> {
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");

    let phase = std::time::Instant::now();
    let mut org = crate::org::generate(&config.org);
    tracing::debug!(elapsed = ?phase.elapsed(), users = org.users.len(), "org generated");
    let key = keys::ServiceKey::generate().map_err(std::io::Error::other)?;
    std::fs::create_dir_all(&config.data_dir)?;
    let private_key_file = config.data_dir.join("private-key.pem");
    keys::write_private(&private_key_file, &key.private_pem)?;
    let collector_app = org
        .apps
        .iter()
        .position(|a| a.label == "Sightline Collector")
        .ok_or_else(|| std::io::Error::other("the generated org has no \"Sightline Collector\" service app"))?;
    let client_id = org.client_id(collector_app).unwrap_or_default().to_string();
    org.oauth_clients.push(OAuthClient {
        app: collector_app,
        client_id: client_id.clone(),
        public_jwks: vec![key.public_jwk.clone()],
        scopes: READ_SCOPES.iter().map(|s| s.to_string()).collect(),
        dpop_required: config.dpop_required,
    });

    let users = org.users.iter().filter(|u| !u.deleted).count() as f64;
    let events_per_minute = config.activity.events_per_minute.unwrap_or((users * 20.0 / 1440.0).max(2.0));
    let index = OrgIndex::build(&org);
    tracing::debug!(elapsed = ?phase.elapsed(), "key pair made and org indexed");
    let sim = Arc::new(Sim {
        base_url: base_url.clone(),
        org: RwLock::new(OrgView { org, index }),
        logs: Mutex::new(LogStore::default()),
        auth: AuthState::default(),
        limiter: RateLimiter::new(config.rate_limits.clone()),
        faults: Faults::default(),
        cursors: Cursors::new(random_alnum(32).as_bytes()),
        activity: Mutex::new(ActivityGenerator::new(config.org.seed)),
        scenarios: Mutex::new(Vec::new()),
        events_per_minute,
        oidc: oidc::OidcState::default(),
    });
    let (_, api_token) = sim.add_api_token("Okta simulator", Vec::new());

    // History before start-up, generated five minutes at a time: a LogEvent held as a JSON value
    // takes about 15 KB, so a whole day at once would take gigabytes. It persists at once, with
    // its own persistence times.
    let now = Sim::now();
    let mut window_start = now - chrono::Duration::from_std(config.activity.history).unwrap_or_default();
    let mut history_events = 0;
    while window_start < now {
        let window_end = (window_start + chrono::Duration::minutes(5)).min(now);
        let batch = {
            let mut view = sim.org.write().expect("org lock");
            let batch = sim.activity.lock().expect("activity lock").benign(
                &mut view.org,
                window_start,
                window_end,
                events_per_minute,
            );
            if batch.org_changed {
                view.index = OrgIndex::build(&view.org);
            }
            batch
        };
        history_events += batch.events.len();
        let mut logs = sim.logs.lock().expect("logs lock");
        logs.backfill(batch.events);
        // Late events of this window may persist after early ones of the next: keep them queued.
        logs.persist_due(window_end - chrono::Duration::minutes(2));
        window_start = window_end;
    }
    sim.logs.lock().expect("logs lock").persist_due(now);
    tracing::debug!(elapsed = ?phase.elapsed(), events = history_events, "history generated");
    tracing::debug!(elapsed = ?phase.elapsed(), "simulator ready");

    let (shutdown, mut stopped) = watch::channel(false);
    if config.activity.live {
        tokio::spawn(activity_loop(sim.clone(), now, config.activity.attack_every, shutdown.subscribe()));
    }
    let app = router(sim.clone());
    let server = tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
            })
            .await
    });
    let info = SimInfo {
        org_url: base_url,
        api_token,
        client_id,
        private_key_file,
        key_id: key.key_id,
        scopes: READ_SCOPES.iter().map(|s| s.to_string()).collect(),
    };
    Ok(RunningSim { info, sim, shutdown, server })
}

async fn activity_loop(sim: Arc<Sim>, mut last: Ts, attack_every: Option<Duration>, mut stop: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let mut next_attack = attack_every.map(|every| tokio::time::Instant::now() + every / 2);
    let mut attack_round = 0usize;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stop.changed() => return,
        }
        let now = Sim::now();
        let sim_for_tick = sim.clone();
        let from = last;
        // Generation takes the org lock; keep it off the async workers.
        let _ = tokio::task::spawn_blocking(move || sim_for_tick.tick(from, now)).await;
        last = now;
        if let (Some(at), Some(every)) = (next_attack, attack_every)
            && tokio::time::Instant::now() >= at
        {
            let scenario = Scenario::ALL[attack_round % Scenario::ALL.len()];
            attack_round += 1;
            let sim_for_attack = sim.clone();
            let _ = tokio::task::spawn_blocking(move || sim_for_attack.run_scenario(scenario, Sim::now())).await;
            tracing::info!(scenario = scenario.name(), "attack scenario started");
            next_attack = Some(at + every);
        }
    }
}

/// The full router: API routes behind the gate (request ids, faults, rate limits, auth), and the
/// control API.
pub fn router(sim: Arc<Sim>) -> Router {
    let api = Router::new()
        .merge(directory::router())
        .merge(roles::router())
        .merge(logs_api::router())
        .route("/oauth2/v1/token", axum::routing::post(token))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(sim.clone(), gate::gate));
    Router::new().nest("/__sim", control::router()).merge(oidc::router()).merge(api).with_state(sim)
}

async fn not_found(uri: axum::http::Uri) -> error::OktaError {
    error::OktaError::not_found(format!("Resource not found: {} (path)", uri.path()))
}

async fn method_not_allowed() -> error::OktaError {
    error::OktaError::api(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "E0000022",
        "The endpoint does not support the provided HTTP method",
    )
}

async fn token(
    axum::extract::State(sim): axum::extract::State<Arc<Sim>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, error::OktaError> {
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let dpop = headers.get("dpop").and_then(|v| v.to_str().ok());
    let token_url = format!("{}/oauth2/v1/token", sim.base_url);
    let view = sim.view();
    let body = sim.auth.token_request(&view.org, &view.index, &token_url, &form, dpop)?;
    let mut response = json_response(body);
    if let Ok(nonce) = HeaderValue::from_str(&sim.auth.current_nonce()) {
        response.headers_mut().insert("dpop-nonce", nonce);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-store"));
    Ok(response)
}
