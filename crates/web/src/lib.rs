/*!
Sightline's HTTP API and web UI.

[`router`] builds the whole application for an [`AppState`]: the JSON API under `/api` (documented
in `docs/openapi.json`), the health endpoints, and the single-page UI whose files are embedded in
the binary ([`assets`]), so `cargo build` needs no JavaScript toolchain.

# Boundaries

- The store answers every read; the API shapes it for the UI. It never writes SQL of its own: it
  calls the store's typed reads, or runs the user's SQL through the same read-only, time-limited
  path as `sightline query`.
- Integrations are started by the host (`sightline serve`), through [`IntegrationHost`]; this crate
  validates and stores them (secrets sealed by [`vault::Vault`]) and knows nothing of schedules.

# Invariants

- **Every route checks its role.** Routes are declared in three groups (viewer, analyst, admin),
  each behind the session check for its role; only sign-in, health and the UI's files are open.
  `tests/routes.rs` walks every route of [`API_ROUTES`] and proves it.
- **State changes need the session's CSRF token** in `X-CSRF-Token`, and JSON bodies (which a
  cross-site form cannot send).
- **Secrets go one way.** Tokens and private keys are accepted, validated and sealed; no response,
  log line or error carries them back.
- **Okta's strings are data.** The UI renders them as text, and a strict Content-Security-Policy
  (no inline script, no foreign origin) backs that up.
*/

pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod error;
pub mod oidc;
pub mod vault;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use secrecy::SecretString;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use api::API_ROUTES;
pub use oidc::OidcSettings;

/// A built-in or Sigma rule, as the UI lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSummary {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub enabled: bool,
    pub kind: String,
    pub description: String,
    pub response: String,
    pub attack: Vec<String>,
}

/// Credentials for a new Okta integration.
#[derive(Clone)]
pub enum OktaCredentials {
    /// An SSWS API token.
    ApiToken(SecretString),
    /// An OAuth service app with a private key Sightline generated.
    PrivateKey { client_id: String, key_id: String, private_key_pem: SecretString },
}

impl std::fmt::Debug for OktaCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OktaCredentials::ApiToken(_) => f.write_str("ApiToken(..)"),
            OktaCredentials::PrivateKey { client_id, key_id, .. } => {
                write!(f, "PrivateKey {{ client_id: {client_id:?}, key_id: {key_id:?}, .. }}")
            }
        }
    }
}

/// An Okta integration added in the UI, ready for the host to run.
#[derive(Debug, Clone)]
pub struct NewIntegration {
    pub name: String,
    pub org_url: String,
    pub credentials: OktaCredentials,
    pub resources: bool,
    pub system_log: bool,
    pub scan_interval: Duration,
    pub log_poll_interval: Duration,
}

/// How the host runs an integration, for the status page's "next scan".
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub name: String,
    /// `config` (the configuration file) or `ui` (added in the web UI).
    pub origin: &'static str,
    pub scan_interval_seconds: u64,
    pub log_poll_interval_seconds: u64,
}

/// What the API needs from the service that hosts it.
pub trait IntegrationHost: Send + Sync + 'static {
    /// The integrations being run and their intervals.
    fn schedules(&self) -> Vec<Schedule>;
    /// Starts running a new integration (already validated and stored).
    fn start(&self, integration: NewIntegration) -> Result<(), String>;
}

/// Settings of the API.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Whether cookies get `Secure` (served over TLS).
    pub secure_cookies: bool,
    /// Limits of users' SQL.
    pub query_limits: store::QueryLimits,
    /// Webhooks to notify of alert status changes.
    pub webhooks: Vec<store::WebhookRoute>,
    /// The rules, for the alerts pages.
    pub rules: Vec<RuleSummary>,
    /// Sign-in with an OpenID Connect provider (Okta), besides passwords; off when `None`.
    pub oidc: Option<OidcSettings>,
}

/// Everything a handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: store::Store,
    sessions: auth::Sessions,
    vault: vault::Vault,
    host: Arc<dyn IntegrationHost>,
    settings: WebSettings,
    audit: audit::AuditLog,
    /// Key pairs generated for the wizard, by key id, until an integration takes one (in memory
    /// only: a restart before saving means generating a new one).
    pending_keys: Mutex<HashMap<String, (SecretString, Instant)>>,
    /// OIDC sign-ins in flight and the provider's metadata.
    oidc: oidc::OidcFlows,
}

impl AppState {
    /// Needs a Tokio runtime (it starts the audit log's writer).
    pub fn new(
        store: store::Store,
        vault: vault::Vault,
        host: Arc<dyn IntegrationHost>,
        settings: WebSettings,
    ) -> Self {
        AppState {
            inner: Arc::new(Inner {
                audit: audit::AuditLog::start(store.clone()),
                store,
                sessions: auth::Sessions::default(),
                vault,
                host,
                settings,
                pending_keys: Mutex::new(HashMap::new()),
                oidc: oidc::OidcFlows::default(),
            }),
        }
    }

    pub fn store(&self) -> &store::Store {
        &self.inner.store
    }

    pub fn sessions(&self) -> &auth::Sessions {
        &self.inner.sessions
    }

    pub fn vault(&self) -> &vault::Vault {
        &self.inner.vault
    }

    pub fn host(&self) -> &dyn IntegrationHost {
        &*self.inner.host
    }

    pub fn audit(&self) -> &audit::AuditLog {
        &self.inner.audit
    }

    pub fn settings(&self) -> &WebSettings {
        &self.inner.settings
    }

    fn pending_keys(&self) -> std::sync::MutexGuard<'_, HashMap<String, (SecretString, Instant)>> {
        self.inner.pending_keys.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The Content-Security-Policy of every response: nothing inline, nothing from elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

async fn security_headers(request: axum::extract::Request, next: middleware::Next) -> axum::response::Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    headers.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if api {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}

/// The whole application: API, health, UI.
pub fn router(state: AppState) -> Router {
    with_security_headers(api::router(state.clone()).fallback(assets::serve))
}

/// Adds the security headers to every response of `router` (for routes the host merges in).
pub fn with_security_headers(router: Router) -> Router {
    router.layer(middleware::from_fn(security_headers))
}

/// The `Strict-Transport-Security` value when Sightline serves HTTPS itself: a year, as browsers'
/// guidance asks, without `includeSubDomains` (Sightline does not own its host's other names).
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Tells browsers to reach `router` over HTTPS only (for a host serving TLS itself).
pub fn with_strict_transport_security(router: Router) -> Router {
    router.layer(axum::middleware::map_response(|mut response: axum::response::Response| async move {
        response
            .headers_mut()
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(STRICT_TRANSPORT_SECURITY));
        response
    }))
}
