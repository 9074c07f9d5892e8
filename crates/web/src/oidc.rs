/*!
Optional sign-in with an OpenID Connect provider (Okta): the authorization code flow with PKCE.

`GET /api/auth/oidc/start` sends the browser to the provider's authorization endpoint with a fresh
`state`, `nonce` and PKCE S256 challenge. Those three stay on the server, in memory, for ten
minutes, under the SHA-256 of a random flow id; the browser holds only the flow id, in a
short-lived HttpOnly `SameSite=Lax` cookie (Lax, because the provider's redirect back is a
cross-site top-level navigation, on which a Strict cookie would not be sent).

`GET /api/auth/oidc/callback` takes the flow (once: a replayed callback finds nothing), checks
`state`, redeems the code at the token endpoint with the client secret and the PKCE verifier, and
verifies the ID token: RS256 signature against the provider's JWKS (from its discovery document,
cached), `iss`, `aud`, `exp`, and `nonce`. The token's `groups` claim picks the role: the highest
of admin, analyst and viewer whose configured groups it names; none means no sign-in. A normal
session starts (the same cookie, expiry and CSRF token as a password sign-in) and the browser goes
to `/`. Every refusal goes back to the sign-in page as `/#/login?error=...`.

Every outcome is audited as `sign_in` with `via: oidc`. No message, log line or audit entry holds
the client secret, the authorization code, the PKCE verifier or a token.
*/

use crate::AppState;
use crate::audit;
use crate::auth::{Role, constant_time_eq};
use crate::error::ApiError;
use aws_lc_rs::digest;
use axum::Json;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where the sign-in starts (a plain link from the sign-in page).
pub const START_PATH: &str = "/api/auth/oidc/start";
/// Where the provider sends the browser back; `redirect_url` must end with it.
pub const CALLBACK_PATH: &str = "/api/auth/oidc/callback";
/// The cookie holding the flow id between start and callback.
pub const FLOW_COOKIE: &str = "sightline_oidc";
/// How long a started sign-in may take to come back.
pub const FLOW_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// The button's text on the sign-in page.
pub const LABEL: &str = "Sign in with Okta";

/// How long the discovery document and keys are kept before they are fetched again.
const PROVIDER_TTL: Duration = Duration::from_secs(60 * 60);
/// Unknown `kid`s refetch the keys (rotation), at most this often.
const JWKS_REFRESH_MIN: Duration = Duration::from_secs(30);
/// Sign-ins in flight at most (the start route is public; this bounds its memory).
const MAX_PENDING: usize = 10_000;
/// How long a call to the provider may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// The provider's clock may differ from ours by this much.
const LEEWAY_SECS: u64 = 60;

/// OpenID Connect sign-in settings (`[auth.oidc]` in `sightline.toml`).
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The authorization server's issuer, e.g. `https://acme.okta.com/oauth2/default`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// Sightline's callback as the browser reaches it, e.g.
    /// `https://sightline.example.com/api/auth/oidc/callback` (registered in the Okta app).
    pub redirect_url: String,
    /// Okta groups whose members sign in as admins.
    pub admin_groups: Vec<String>,
    /// Okta groups whose members sign in as analysts.
    pub analyst_groups: Vec<String>,
    /// Okta groups whose members sign in as viewers.
    pub viewer_groups: Vec<String>,
}

impl OidcSettings {
    /// The highest role any of `groups` maps to.
    pub fn role_for(&self, groups: &[String]) -> Option<Role> {
        let any = |configured: &[String]| configured.iter().any(|c| groups.iter().any(|g| g == c));
        if any(&self.admin_groups) {
            Some(Role::Admin)
        } else if any(&self.analyst_groups) {
            Some(Role::Analyst)
        } else if any(&self.viewer_groups) {
            Some(Role::Viewer)
        } else {
            None
        }
    }

    /// Checks the settings, naming the key that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let issuer = url::Url::parse(&self.issuer).map_err(|e| format!("issuer: not a URL: {e}"))?;
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return Err("issuer: must have no query or fragment".into());
        }
        if issuer.scheme() != "https" && !is_loopback(&issuer) {
            return Err("issuer: must be an https URL (http only on loopback)".into());
        }
        if self.client_id.trim().is_empty() {
            return Err("client_id: must not be empty".into());
        }
        if self.client_secret.expose_secret().is_empty() {
            return Err("client_secret: must not be empty".into());
        }
        let redirect = url::Url::parse(&self.redirect_url).map_err(|e| format!("redirect_url: not a URL: {e}"))?;
        if !matches!(redirect.scheme(), "http" | "https") || redirect.path() != CALLBACK_PATH {
            return Err(format!(
                "redirect_url: must be Sightline's address followed by {CALLBACK_PATH}, e.g. https://sightline.example.com{CALLBACK_PATH}"
            ));
        }
        if redirect.query().is_some() || redirect.fragment().is_some() {
            return Err("redirect_url: must have no query or fragment".into());
        }
        if self.admin_groups.is_empty() && self.analyst_groups.is_empty() && self.viewer_groups.is_empty() {
            return Err("admin_groups, analyst_groups, viewer_groups: name at least one Okta group".into());
        }
        Ok(())
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The provider's endpoints and keys, from its discovery document.
#[derive(Clone)]
struct Provider {
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    jwks: JwkSet,
    fetched: Instant,
    jwks_fetched: Instant,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// What a started sign-in must come back with.
struct Pending {
    state: String,
    nonce: String,
    verifier: SecretString,
    started: Instant,
}

/// The sign-ins in flight and the provider's cached metadata.
pub(crate) struct OidcFlows {
    http: reqwest::Client,
    provider: tokio::sync::Mutex<Option<Provider>>,
    pending: Mutex<HashMap<Vec<u8>, Pending>>,
}

impl Default for OidcFlows {
    fn default() -> Self {
        let http = reqwest::Client::builder()
            .user_agent(concat!("sightline/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .build()
            .unwrap_or_else(|error| {
                tracing::error!(%error, "cannot build the OIDC HTTP client; using the defaults");
                reqwest::Client::new()
            });
        OidcFlows { http, provider: tokio::sync::Mutex::new(None), pending: Mutex::new(HashMap::new()) }
    }
}

fn random() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn sha256(text: &str) -> Vec<u8> {
    digest::digest(&digest::SHA256, text.as_bytes()).as_ref().to_vec()
}

/// A failed sign-in: what the person is told (and the audit records). Never holds a secret.
struct Refusal {
    reason: String,
    /// Who, when the ID token said so.
    actor: Option<String>,
    /// `denied` (no matching group) rather than `failure`.
    denied: bool,
}

impl Refusal {
    fn new(reason: impl Into<String>) -> Refusal {
        Refusal { reason: reason.into(), actor: None, denied: false }
    }
}

impl OidcFlows {
    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<u8>, Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps a new flow; returns its id (for the cookie).
    fn begin(&self, pending: Pending) -> String {
        let id = random();
        let mut flows = self.pending();
        flows.retain(|_, p| p.started.elapsed() < FLOW_LIFETIME);
        if flows.len() >= MAX_PENDING {
            // Start is public: past the bound, the oldest flow makes room.
            if let Some(oldest) = flows.iter().min_by_key(|(_, p)| p.started).map(|(k, _)| k.clone()) {
                flows.remove(&oldest);
            }
        }
        flows.insert(sha256(&id), pending);
        id
    }

    /// Takes the flow behind a cookie's id (once).
    fn take(&self, id: &str) -> Option<Pending> {
        self.pending().remove(&sha256(id)).filter(|p| p.started.elapsed() < FLOW_LIFETIME)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str, what: &str) -> Result<T, String> {
        let response = self
            .http
            .get(url)
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("cannot reach the identity provider's {what}: {}", e.without_url()))?;
        if !response.status().is_success() {
            return Err(format!("the identity provider's {what} answered {}", response.status().as_u16()));
        }
        response
            .json::<T>()
            .await
            .map_err(|e| format!("the identity provider's {what} is not valid: {}", e.without_url()))
    }

    /// The provider's metadata, fetched when missing or older than an hour.
    async fn provider(&self, settings: &OidcSettings) -> Result<Provider, String> {
        let mut cached = self.provider.lock().await;
        if let Some(provider) = cached.as_ref().filter(|p| p.fetched.elapsed() < PROVIDER_TTL) {
            return Ok(provider.clone());
        }
        let issuer = settings.issuer.trim_end_matches('/');
        let url = format!("{issuer}/.well-known/openid-configuration");
        let discovery: Discovery = self.get_json(&url, "discovery document").await?;
        if discovery.issuer.trim_end_matches('/') != issuer {
            return Err(format!(
                "the identity provider's discovery document names the issuer {}, not the configured {issuer}",
                discovery.issuer
            ));
        }
        let jwks: JwkSet = self.get_json(&discovery.jwks_uri, "keys (JWKS)").await?;
        let now = Instant::now();
        let provider = Provider {
            authorization_endpoint: discovery.authorization_endpoint,
            token_endpoint: discovery.token_endpoint,
            jwks_uri: discovery.jwks_uri,
            jwks,
            fetched: now,
            jwks_fetched: now,
        };
        *cached = Some(provider.clone());
        Ok(provider)
    }

    /// The key `kid` names, refetching the JWKS once if it is unknown (the provider rotated keys).
    async fn key(&self, settings: &OidcSettings, kid: &str) -> Result<DecodingKey, String> {
        let mut provider = self.provider(settings).await?;
        if provider.jwks.find(kid).is_none() && provider.jwks_fetched.elapsed() >= JWKS_REFRESH_MIN {
            provider.jwks = self.get_json(&provider.jwks_uri, "keys (JWKS)").await?;
            provider.jwks_fetched = Instant::now();
            if let Some(cached) = self.provider.lock().await.as_mut() {
                cached.jwks = provider.jwks.clone();
                cached.jwks_fetched = provider.jwks_fetched;
            }
        }
        let jwk =
            provider.jwks.find(kid).ok_or("the ID token is signed with a key the identity provider does not list")?;
        DecodingKey::from_jwk(jwk).map_err(|_| "the identity provider's signing key is not usable".to_string())
    }

    /// Redeems the code; returns the ID token.
    async fn redeem(
        &self,
        settings: &OidcSettings,
        provider: &Provider,
        code: &str,
        verifier: &SecretString,
    ) -> Result<String, String> {
        // RFC 6749 §2.3.1: the id and secret are form-encoded before the Basic encoding.
        let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", settings.redirect_url.as_str()),
            ("code_verifier", verifier.expose_secret()),
        ];
        let response = self
            .http
            .post(&provider.token_endpoint)
            .basic_auth(encode(&settings.client_id), Some(encode(settings.client_secret.expose_secret())))
            .header(header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| format!("cannot reach the identity provider's token endpoint: {}", e.without_url()))?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        if !status.is_success() {
            let error = body["error"].as_str().map(short).unwrap_or_else(|| status.as_u16().to_string());
            let description = body["error_description"].as_str().map(|d| format!(": {}", short(d))).unwrap_or_default();
            let hint = if error == "invalid_client" { " (check client_id and client_secret)" } else { "" };
            return Err(format!("the identity provider refused the authorization code: {error}{description}{hint}"));
        }
        body["id_token"].as_str().map(str::to_string).ok_or_else(|| {
            "the identity provider's token response has no id_token (is the openid scope allowed?)".into()
        })
    }
}

/// At most 200 characters of a provider's text, without control characters.
fn short(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

#[derive(Deserialize)]
struct IdClaims {
    sub: String,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    groups: Option<serde_json::Value>,
}

fn settings(state: &AppState) -> Option<&OidcSettings> {
    state.settings().oidc.as_ref()
}

fn not_configured() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "sign-in with Okta is not configured").into_response()
}

/// `GET /api/auth/methods`: how one may sign in.
pub(crate) async fn methods(State(state): State<AppState>) -> Json<serde_json::Value> {
    let enabled = settings(&state).is_some();
    Json(json!({"password": true, "oidc": {"enabled": enabled, "label": LABEL, "start": START_PATH}}))
}

/// A cookie's value from a request.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_string())
}

fn flow_cookie(id: &str, secure: bool) -> String {
    format!(
        "{FLOW_COOKIE}={id}; Path=/api/auth/oidc; HttpOnly; SameSite=Lax; Max-Age={}{}",
        FLOW_LIFETIME.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

fn cleared_flow_cookie(secure: bool) -> String {
    format!(
        "{FLOW_COOKIE}=; Path=/api/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

fn found(location: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, value);
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Back to the sign-in page, which shows `reason` as text.
fn to_login(reason: &str, cookies: &[String]) -> Response {
    let reason = url::form_urlencoded::byte_serialize(reason.as_bytes()).collect::<String>();
    found(&format!("/#/login?error={reason}"), cookies)
}

/// `GET /api/auth/oidc/start`: off to the provider.
pub(crate) async fn start(State(state): State<AppState>, ConnectInfo(client): ConnectInfo<SocketAddr>) -> Response {
    let Some(settings) = settings(&state) else {
        return not_configured();
    };
    let provider = match state.inner.oidc.provider(settings).await {
        Ok(provider) => provider,
        Err(reason) => {
            tracing::warn!(%reason, "OIDC sign-in cannot start");
            state.audit().record(
                audit::as_actor("unknown", "oidc", "sign_in")
                    .client(Some(client.ip()))
                    .failed()
                    .with("reason", reason.as_str()),
            );
            return to_login(&format!("sign-in with Okta is unavailable: {reason}"), &[]);
        }
    };
    let Ok(mut url) = url::Url::parse(&provider.authorization_endpoint) else {
        return to_login("sign-in with Okta is unavailable: the provider's authorization endpoint is not a URL", &[]);
    };
    let verifier = random();
    let challenge = URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()));
    let pending = Pending { state: random(), nonce: random(), verifier: verifier.into(), started: Instant::now() };
    url.query_pairs_mut()
        .append_pair("client_id", &settings.client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile email")
        .append_pair("redirect_uri", &settings.redirect_url)
        .append_pair("state", &pending.state)
        .append_pair("nonce", &pending.nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let id = state.inner.oidc.begin(pending);
    found(url.as_str(), &[flow_cookie(&id, state.settings().secure_cookies)])
}

#[derive(Deserialize)]
pub(crate) struct CallbackParams {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// `GET /api/auth/oidc/callback`: back from the provider.
pub(crate) async fn callback(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    let secure = state.settings().secure_cookies;
    let clear = cleared_flow_cookie(secure);
    let Some(settings) = settings(&state) else {
        return not_configured();
    };
    match complete(&state, settings, &headers, params).await {
        Ok((username, role, sub)) => {
            let (token, _) = state.sessions().start(&username, role);
            tracing::info!(%username, role = role.as_str(), "signed in with OIDC");
            state.audit().record(
                audit::as_actor(&username, "oidc", "sign_in")
                    .client(Some(client.ip()))
                    .with("role", role.as_str())
                    .with("sub", sub),
            );
            found("/", &[crate::auth::session_cookie(&token, secure), clear])
        }
        Err(refusal) => {
            let actor = refusal.actor.as_deref().unwrap_or("unknown");
            tracing::warn!(actor, reason = %refusal.reason, "OIDC sign-in refused");
            let entry = audit::as_actor(actor, "oidc", "sign_in").client(Some(client.ip()));
            let entry = if refusal.denied { entry.denied() } else { entry.failed() };
            state.audit().record(entry.with("reason", refusal.reason.as_str()));
            to_login(&refusal.reason, &[clear])
        }
    }
}

/// The callback's checks: flow, state, code, ID token, groups. Returns (username, role, sub).
async fn complete(
    state: &AppState,
    settings: &OidcSettings,
    headers: &HeaderMap,
    params: CallbackParams,
) -> Result<(String, Role, String), Refusal> {
    let expired = "the sign-in expired or was started in another browser; sign in again";
    let id = cookie(headers, FLOW_COOKIE).filter(|id| !id.is_empty()).ok_or_else(|| Refusal::new(expired))?;
    let pending = state.inner.oidc.take(&id).ok_or_else(|| Refusal::new(expired))?;
    let sent_state = params.state.unwrap_or_default();
    if !constant_time_eq(sent_state.as_bytes(), pending.state.as_bytes()) {
        return Err(Refusal::new("the sign-in's state does not match; sign in again"));
    }
    if let Some(error) = params.error {
        let error: String = error.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
        let hint =
            if error == "access_denied" { " (is your account assigned to the Sightline app in Okta?)" } else { "" };
        return Err(Refusal::new(format!("Okta refused the sign-in: {error}{hint}")));
    }
    let code = params.code.filter(|c| !c.is_empty()).ok_or_else(|| Refusal::new("Okta sent no authorization code"))?;
    let flows = &state.inner.oidc;
    let provider = flows.provider(settings).await.map_err(Refusal::new)?;
    let id_token = flows.redeem(settings, &provider, &code, &pending.verifier).await.map_err(Refusal::new)?;

    let header = jsonwebtoken::decode_header(&id_token).map_err(|_| Refusal::new("the ID token is not a valid JWT"))?;
    if header.alg != Algorithm::RS256 {
        return Err(Refusal::new(format!("the ID token is signed with {:?}, not RS256", header.alg)));
    }
    let kid = header.kid.ok_or_else(|| Refusal::new("the ID token names no signing key (kid)"))?;
    let key = flows.key(settings, &kid).await.map_err(Refusal::new)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[settings.issuer.trim_end_matches('/')]);
    validation.set_audience(&[settings.client_id.as_str()]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    validation.leeway = LEEWAY_SECS;
    let claims = jsonwebtoken::decode::<IdClaims>(&id_token, &key, &validation)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            Refusal::new(match e.kind() {
                ErrorKind::InvalidSignature => "the ID token's signature is not valid".to_string(),
                ErrorKind::ExpiredSignature => "the ID token has expired (check the server's clock)".to_string(),
                ErrorKind::InvalidIssuer => "the ID token is from another issuer".to_string(),
                ErrorKind::InvalidAudience => "the ID token is for another client".to_string(),
                ErrorKind::MissingRequiredClaim(claim) => format!("the ID token has no {claim} claim"),
                _ => "the ID token is not valid".to_string(),
            })
        })?
        .claims;
    let nonce = claims.nonce.unwrap_or_default();
    if !constant_time_eq(nonce.as_bytes(), pending.nonce.as_bytes()) {
        return Err(Refusal::new("the ID token's nonce does not match this sign-in; sign in again"));
    }
    if claims.azp.as_deref().is_some_and(|azp| azp != settings.client_id) {
        return Err(Refusal::new("the ID token was issued to another client (azp)"));
    }
    let username = claims
        .preferred_username
        .filter(|u| !u.trim().is_empty())
        .or(claims.email.filter(|e| !e.trim().is_empty()))
        .map(|u| short(u.trim()))
        .ok_or_else(|| Refusal::new("the ID token has neither preferred_username nor email"))?;
    let groups: Vec<String> = match claims.groups {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|g| g.as_str().map(str::to_string)).collect(),
        Some(serde_json::Value::String(one)) => vec![one],
        _ => Vec::new(),
    };
    let role = settings.role_for(&groups).ok_or_else(|| Refusal {
        reason: format!(
            "{username} is in none of the Okta groups Sightline admits{}; ask an administrator to add you to one",
            if groups.is_empty() { " (the ID token has no groups claim)" } else { "" }
        ),
        actor: Some(username.clone()),
        denied: true,
    })?;
    Ok((username, role, claims.sub))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> OidcSettings {
        OidcSettings {
            issuer: "https://acme.okta.com/oauth2/default".into(),
            client_id: "0oa1".into(),
            client_secret: "s3cret".into(),
            redirect_url: format!("https://sightline.example.com{CALLBACK_PATH}"),
            admin_groups: vec!["Sightline Admins".into()],
            analyst_groups: vec!["Sightline Analysts".into()],
            viewer_groups: vec!["Everyone".into()],
        }
    }

    #[test]
    fn the_highest_matching_group_wins() {
        let s = settings();
        let groups = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(s.role_for(&groups(&["Everyone", "Sightline Admins"])), Some(Role::Admin));
        assert_eq!(s.role_for(&groups(&["Sightline Analysts", "Everyone"])), Some(Role::Analyst));
        assert_eq!(s.role_for(&groups(&["Everyone"])), Some(Role::Viewer));
        assert_eq!(s.role_for(&groups(&["sightline admins", "Other"])), None, "exact names");
        assert_eq!(s.role_for(&[]), None);
    }

    #[test]
    fn settings_are_checked_and_the_secret_is_not_shown() {
        assert!(settings().validate().is_ok());
        let bad = OidcSettings { issuer: "http://acme.okta.com/oauth2/default".into(), ..settings() };
        assert!(bad.validate().unwrap_err().starts_with("issuer"));
        let local = OidcSettings { issuer: "http://127.0.0.1:8080/oauth2/default".into(), ..settings() };
        assert!(local.validate().is_ok());
        let bad = OidcSettings { redirect_url: "https://sightline.example.com/callback".into(), ..settings() };
        assert!(bad.validate().unwrap_err().starts_with("redirect_url"));
        let bad = OidcSettings { admin_groups: vec![], analyst_groups: vec![], viewer_groups: vec![], ..settings() };
        assert!(bad.validate().is_err());
        assert!(!format!("{:?}", settings()).contains("s3cret"));
    }

    #[test]
    fn the_flow_cookie_is_lax_http_only_and_scoped() {
        let cookie = flow_cookie("abc", true);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.ends_with("; Secure"));
        assert!(cookie.contains("Path=/api/auth/oidc") && cookie.contains("Max-Age=600"));
    }

    #[test]
    fn a_flow_is_taken_once() {
        let flows = OidcFlows::default();
        let id = flows.begin(Pending {
            state: "s".into(),
            nonce: "n".into(),
            verifier: "v".into(),
            started: Instant::now(),
        });
        assert!(flows.take("forged").is_none());
        assert!(flows.take(&id).is_some());
        assert!(flows.take(&id).is_none());
    }
}
