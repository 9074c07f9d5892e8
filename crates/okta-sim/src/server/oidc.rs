//! Okta's "default" custom authorization server, for OpenID Connect sign-in of web apps: the
//! discovery document, the JWKS, `/v1/authorize` (authorization code flow with PKCE S256) with a
//! minimal sign-in form, and `/v1/token` for `authorization_code` grants.
//!
//! The simulator has no passwords: any ACTIVE user's login signs in. Web clients are registered
//! through the control API (`POST /__sim/oidc-clients`). Okta requires a `nonce` only for implicit
//! flows; the simulator requires one for the code flow too, and PKCE always (as an app with
//! "Require PKCE" set), so a client that passes here sends both.

use super::Sim;
use super::error::OktaError;
use super::keys::ServiceKey;
use crate::org::{AppDetails, UserStatus};
use aws_lc_rs::digest;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The authorization server's path under the org URL.
pub const SERVER_PATH: &str = "/oauth2/default";
/// How long an authorization code may be redeemed.
pub const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// How long ID and access tokens last.
const TOKEN_LIFETIME_SECS: i64 = 3600;

/// A web app registered for the authorization code flow.
#[derive(Debug, Clone)]
struct WebClient {
    secret: String,
    redirect_uris: Vec<String>,
}

/// An issued, not yet redeemed authorization code.
struct PendingCode {
    client_id: String,
    redirect_uri: String,
    nonce: String,
    code_challenge: String,
    scope: String,
    /// The user's index in the org.
    user: usize,
    issued: Instant,
}

struct SigningKey {
    encoding: EncodingKey,
    public_jwk: Value,
    key_id: String,
}

/// The authorization server's state: its signing key (made on first use), clients and codes.
#[derive(Default)]
pub struct OidcState {
    key: OnceLock<Result<SigningKey, String>>,
    clients: Mutex<HashMap<String, WebClient>>,
    codes: Mutex<HashMap<String, PendingCode>>,
}

impl OidcState {
    fn key(&self) -> Result<&SigningKey, OktaError> {
        let key = self.key.get_or_init(|| {
            let key = ServiceKey::generate()?;
            let encoding = EncodingKey::from_rsa_pem(key.private_pem.as_bytes()).map_err(|e| e.to_string())?;
            Ok(SigningKey { encoding, public_jwk: key.public_jwk, key_id: key.key_id })
        });
        key.as_ref().map_err(|e| {
            OktaError::api(StatusCode::INTERNAL_SERVER_ERROR, "E0000009", format!("Internal Server Error: {e}"))
        })
    }

    fn client(&self, client_id: &str) -> Option<WebClient> {
        self.clients.lock().expect("oidc clients lock").get(client_id).cloned()
    }
}

/// Routes of the authorization server (outside the management API's gate: no SSWS here).
pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route(&format!("{SERVER_PATH}/.well-known/openid-configuration"), get(discovery))
        .route(&format!("{SERVER_PATH}/v1/keys"), get(keys))
        .route(&format!("{SERVER_PATH}/v1/authorize"), get(authorize).post(sign_in))
        .route(&format!("{SERVER_PATH}/v1/token"), axum::routing::post(token))
}

fn issuer(sim: &Sim) -> String {
    format!("{}{SERVER_PATH}", sim.base_url)
}

async fn discovery(State(sim): State<Arc<Sim>>) -> Response {
    let issuer = issuer(&sim);
    super::json_response(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/v1/authorize"),
        "token_endpoint": format!("{issuer}/v1/token"),
        "jwks_uri": format!("{issuer}/v1/keys"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "scopes_supported": ["openid", "profile", "email", "groups", "offline_access"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "claims_supported": ["iss", "aud", "sub", "iat", "exp", "nonce", "email", "preferred_username", "name", "groups"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn keys(State(sim): State<Arc<Sim>>) -> Result<Response, OktaError> {
    let key = sim.oidc.key()?;
    let mut response = super::json_response(json!({ "keys": [key.public_jwk] }));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=3600"));
    Ok(response)
}

/// Registers a web app for the authorization code flow (the control API's `POST /oidc-clients`).
pub fn register_client(sim: &Sim, redirect_uris: Vec<String>) -> Result<(String, String), String> {
    if redirect_uris.is_empty() {
        return Err("redirect_uris must list at least one URL".into());
    }
    for uri in &redirect_uris {
        let parsed = url::Url::parse(uri).map_err(|e| format!("redirect_uri '{uri}' is not a URL: {e}"))?;
        if parsed.fragment().is_some() || !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("redirect_uri '{uri}' must be an http(s) URL without a fragment"));
        }
    }
    let secret = super::random_alnum(40);
    let client_id = sim.mutate(|org| {
        let client_id = crate::org::ids::okta_id("0oa", &mut rand::rng());
        let details = AppDetails::Oidc {
            client_id: client_id.clone(),
            application_type: "web",
            token_endpoint_auth_method: "client_secret_basic",
            grant_types: vec!["authorization_code"],
            redirect_uris: redirect_uris.clone(),
            dpop_bound_access_tokens: false,
        };
        org.add_oidc_app(format!("Sightline web sign-in {}", org.apps.len()), details);
        client_id
    });
    sim.oidc
        .clients
        .lock()
        .expect("oidc clients lock")
        .insert(client_id.clone(), WebClient { secret: secret.clone(), redirect_uris });
    Ok((client_id, secret))
}

/// The parameters of an authorization request (query of the GET, hidden fields of the form).
const AUTHORIZE_PARAMS: [&str; 8] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
];

/// Why an authorization request is refused: a page (the client or redirect is not to be trusted)
/// or an error redirect to the client.
enum Refusal {
    Page(String),
    Redirect { redirect_uri: String, error: &'static str, description: String, state: Option<String> },
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Page(message) => {
                (StatusCode::BAD_REQUEST, Html(page("Bad request", &escape(&message)))).into_response()
            }
            Refusal::Redirect { redirect_uri, error, description, state } => {
                let mut pairs = vec![("error", error.to_string()), ("error_description", description)];
                if let Some(state) = state {
                    pairs.push(("state", state));
                }
                redirect(&redirect_uri, &pairs)
            }
        }
    }
}

fn redirect(redirect_uri: &str, pairs: &[(&str, String)]) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(url) => url,
        Err(_) => return (StatusCode::BAD_REQUEST, "bad redirect_uri").into_response(),
    };
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
    }
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(location) = HeaderValue::from_str(url.as_str()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-store"));
    response
}

/// Checks an authorization request as Okta does: client and redirect first (a page, never a
/// redirect to an unregistered URI), then the rest (error redirects carrying `state`).
fn check_request(sim: &Sim, params: &HashMap<String, String>) -> Result<(), Refusal> {
    let get = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let client_id = get("client_id").ok_or_else(|| Refusal::Page("The 'client_id' parameter is required.".into()))?;
    let client =
        sim.oidc.client(client_id).ok_or_else(|| Refusal::Page("Invalid value for 'client_id' parameter.".into()))?;
    let redirect_uri =
        get("redirect_uri").ok_or_else(|| Refusal::Page("The 'redirect_uri' parameter is required.".into()))?;
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(Refusal::Page(
            "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.".into(),
        ));
    }
    let state = get("state").map(str::to_string);
    let refuse = |error: &'static str, description: &str| Refusal::Redirect {
        redirect_uri: redirect_uri.to_string(),
        error,
        description: description.to_string(),
        state: state.clone(),
    };
    match get("response_type") {
        Some("code") => {}
        None => return Err(refuse("invalid_request", "The 'response_type' parameter is required.")),
        Some(_) => {
            return Err(refuse(
                "unsupported_response_type",
                "The response type is not supported by the authorization server. Configured response types: [code].",
            ));
        }
    }
    let scope =
        get("scope").ok_or_else(|| refuse("invalid_scope", "The authorization request must include a scope."))?;
    if !scope.split(' ').any(|s| s == "openid") {
        return Err(refuse("invalid_scope", "The authorization request must include the 'openid' scope."));
    }
    const KNOWN: [&str; 5] = ["openid", "profile", "email", "groups", "offline_access"];
    if let Some(unknown) = scope.split(' ').filter(|s| !s.is_empty()).find(|s| !KNOWN.contains(s)) {
        return Err(refuse(
            "invalid_scope",
            &format!("One or more scopes are not configured for the authorization server resource: '{unknown}'."),
        ));
    }
    if state.is_none() {
        return Err(refuse("invalid_request", "The authorization request is missing a required parameter: 'state'."));
    }
    if get("nonce").is_none() {
        return Err(refuse("invalid_request", "The authorization request is missing a required parameter: 'nonce'."));
    }
    let challenge = get("code_challenge")
        .ok_or_else(|| refuse("invalid_request", "PKCE code challenge is required by the client."))?;
    if !(43..=128).contains(&challenge.len())
        || !challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    {
        return Err(refuse("invalid_request", "PKCE code challenge contains illegal characters or has a bad length."));
    }
    if get("code_challenge_method") != Some("S256") {
        return Err(refuse("invalid_request", "PKCE code challenge method is not supported. Supported: S256."));
    }
    Ok(())
}

async fn authorize(State(sim): State<Arc<Sim>>, Query(params): Query<HashMap<String, String>>) -> Response {
    if let Err(refusal) = check_request(&sim, &params) {
        return refusal.into_response();
    }
    Html(sign_in_form(&params, None)).into_response()
}

/// The sign-in form's POST: any ACTIVE user's login signs in; the code goes to the redirect URI.
async fn sign_in(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    if let Err(refusal) = check_request(&sim, &params) {
        return refusal.into_response();
    }
    let username = params.get("username").map(|u| u.trim().to_lowercase()).unwrap_or_default();
    let user = {
        let view = sim.view();
        view.index
            .user_by_login
            .get(&username)
            .copied()
            .filter(|&u| !view.org.users[u].deleted && view.org.users[u].status == UserStatus::Active)
    };
    let Some(user) = user else {
        let page = sign_in_form(&params, Some("Unable to sign in: no active user has that username."));
        return (StatusCode::UNAUTHORIZED, Html(page)).into_response();
    };
    let param = |k: &str| params.get(k).cloned().unwrap_or_default();
    let code = super::random_alnum(43);
    let pending = PendingCode {
        client_id: param("client_id"),
        redirect_uri: param("redirect_uri"),
        nonce: param("nonce"),
        code_challenge: param("code_challenge"),
        scope: param("scope"),
        user,
        issued: Instant::now(),
    };
    {
        let mut codes = sim.oidc.codes.lock().expect("oidc codes lock");
        codes.retain(|_, c| c.issued.elapsed() < CODE_LIFETIME);
        codes.insert(code.clone(), pending);
    }
    redirect(&param("redirect_uri"), &[("code", code), ("state", param("state"))])
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1>{body}</body></html>"
    )
}

fn sign_in_form(params: &HashMap<String, String>, error: Option<&str>) -> String {
    let hidden: String = AUTHORIZE_PARAMS
        .iter()
        .filter_map(|k| params.get(*k).map(|v| (k, v)))
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", escape(v)))
        .collect();
    let error = error.map(|e| format!("<p role=\"alert\" class=\"error\">{}</p>", escape(e))).unwrap_or_default();
    page(
        "Sign In",
        &format!(
            "{error}<form method=\"post\" action=\"{SERVER_PATH}/v1/authorize\">{hidden}\
             <label for=\"username\">Username</label> \
             <input id=\"username\" name=\"username\" autocomplete=\"username\" required> \
             <button type=\"submit\">Sign In</button></form>"
        ),
    )
}

fn invalid_client() -> OktaError {
    OktaError::oauth(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "Client authentication failed. Either the client or the client credentials are invalid.",
    )
}

fn invalid_grant(description: &str) -> OktaError {
    OktaError::oauth(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

/// The client's id and secret, from `client_secret_basic` or `client_secret_post` (not both).
fn client_credentials(headers: &HeaderMap, form: &HashMap<String, String>) -> Result<(String, String), OktaError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, value)| value.trim().to_string());
    match (basic, form.get("client_secret")) {
        (Some(_), Some(_)) => Err(OktaError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.",
        )),
        (Some(basic), None) => {
            let decoded = STANDARD.decode(basic).map_err(|_| invalid_client())?;
            let decoded = String::from_utf8(decoded).map_err(|_| invalid_client())?;
            let (id, secret) = decoded.split_once(':').ok_or_else(invalid_client)?;
            // RFC 6749 §2.3.1: both parts are form-urlencoded before encoding.
            let unescape =
                |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
            let id = unescape(id);
            if form.get("client_id").is_some_and(|c| *c != id) {
                return Err(invalid_client());
            }
            Ok((id, unescape(secret)))
        }
        (None, Some(secret)) => Ok((form.get("client_id").cloned().ok_or_else(invalid_client)?, secret.clone())),
        (None, None) => Err(invalid_client()),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn token(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let result = token_response(&sim, &headers, &body);
    let mut response = match result {
        Ok(body) => super::json_response(body),
        Err(error) => error.into_response(),
    };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-store"));
    response.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn token_response(sim: &Sim, headers: &HeaderMap, body: &[u8]) -> Result<Value, OktaError> {
    let form: HashMap<String, String> =
        url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let (client_id, secret) = client_credentials(headers, &form)?;
    let client = sim.oidc.client(&client_id).ok_or_else(invalid_client)?;
    if !constant_time_eq(secret.as_bytes(), client.secret.as_bytes()) {
        return Err(invalid_client());
    }
    super::auth::require_grant_type(&form, "authorization_code")?;
    let code = form.get("code").filter(|c| !c.is_empty()).ok_or_else(|| {
        OktaError::oauth(StatusCode::BAD_REQUEST, "invalid_request", "The 'code' parameter is required.")
    })?;
    // One use only: the code is gone whatever happens next.
    let pending = sim.oidc.codes.lock().expect("oidc codes lock").remove(code);
    let expired = "The authorization code is invalid or has expired.";
    let pending = pending.filter(|p| p.issued.elapsed() < CODE_LIFETIME).ok_or_else(|| invalid_grant(expired))?;
    if pending.client_id != client_id {
        return Err(invalid_grant(expired));
    }
    if form.get("redirect_uri") != Some(&pending.redirect_uri) {
        return Err(invalid_grant(
            "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
        ));
    }
    let verifier = form.get("code_verifier").ok_or_else(|| {
        OktaError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "PKCE verification failed: code_verifier is required.",
        )
    })?;
    let computed = URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()));
    if !(43..=128).contains(&verifier.len())
        || !constant_time_eq(computed.as_bytes(), pending.code_challenge.as_bytes())
    {
        return Err(invalid_grant("PKCE verification failed."));
    }

    let view = sim.view();
    let user = &view.org.users[pending.user];
    if user.deleted || user.status != UserStatus::Active {
        return Err(invalid_grant("The user is not active."));
    }
    let groups: Vec<&str> = view.index.user_groups[pending.user]
        .iter()
        .filter(|&&g| !view.org.groups[g].deleted)
        .map(|&g| view.org.groups[g].name.as_str())
        .collect();
    let key = sim.oidc.key()?;
    let issuer = issuer(sim);
    let now = chrono::Utc::now().timestamp();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.key_id.clone());
    let name = user
        .profile
        .display_name
        .clone()
        .unwrap_or_else(|| format!("{} {}", user.profile.first_name, user.profile.last_name).trim().to_string());
    let id_claims = json!({
        "sub": user.id,
        "ver": 1,
        "iss": issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + TOKEN_LIFETIME_SECS,
        "jti": format!("ID.{}", super::random_alnum(43)),
        "amr": ["pwd"],
        "idp": view.org.org_id,
        "nonce": pending.nonce,
        "auth_time": now,
        "email": user.profile.email,
        "preferred_username": user.profile.login,
        "name": name,
        "groups": groups,
    });
    let scopes: Vec<&str> = pending.scope.split(' ').filter(|s| !s.is_empty()).collect();
    let access_claims = json!({
        "ver": 1,
        "jti": format!("AT.{}", super::random_alnum(43)),
        "iss": issuer,
        "aud": "api://default",
        "iat": now,
        "exp": now + TOKEN_LIFETIME_SECS,
        "cid": client_id,
        "uid": user.id,
        "scp": scopes,
        "sub": user.profile.login,
    });
    let sign = |claims: &Value| {
        jsonwebtoken::encode(&header, claims, &key.encoding).map_err(|e| {
            OktaError::api(StatusCode::INTERNAL_SERVER_ERROR, "E0000009", format!("Internal Server Error: {e}"))
        })
    };
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECS,
        "access_token": sign(&access_claims)?,
        "scope": pending.scope,
        "id_token": sign(&id_claims)?,
    }))
}
