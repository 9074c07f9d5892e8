//! Integrations: status of each (last and next scan, progress, counts, last error, hints), the
//! set-up wizard's key pair and credential validation, and adding an integration (admins only).
//!
//! Secrets sent here (an SSWS token) or made here (a private key) are sealed by the vault before
//! they are stored, and never sent back.

use super::{Access, CallerExt, Routes};
use crate::audit;
use crate::auth::Role;
use crate::error::{ApiError, ApiResult};
use crate::{AppState, NewIntegration, OktaCredentials};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::KeyPair as _;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use okta_client::ErrorKind;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The settings namespace integrations added in the UI are kept in.
pub const NAMESPACE: &str = "integrations";

pub(super) fn routes(routes: Routes) -> Routes {
    let viewer = Access::Signed(Role::Viewer);
    let admin = Access::Signed(Role::Admin);
    routes
        .add("GET", "/api/integrations", viewer, get(list))
        .add("GET", "/api/integrations/{name}/runs", viewer, get(runs))
        .add("POST", "/api/integrations/keys", admin, post(new_key))
        .add("POST", "/api/integrations/validate", admin, post(validate))
        .add("POST", "/api/integrations", admin, post(create))
}

fn run_json(run: &store::Run) -> Value {
    json!({
        "id": run.id,
        "kind": run.kind.as_str(),
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "counts": run.counts,
        "api_calls": run.api_calls,
        "rate_limit_waits": run.rate_limit_waits,
        "progress": run.progress,
        "error": run.error,
    })
}

/// What to try for an integration's last error.
fn hints(error: &str) -> Vec<&'static str> {
    let error = error.to_lowercase();
    let mut hints = Vec::new();
    if error.contains("401") || error.contains("credentials were refused") || error.contains("invalid_client") {
        hints.push("Okta refused the credentials: the API token may be revoked or expired (tokens expire after 30 days unused), or the OAuth app's key was replaced. Create a new token or key and update the integration.");
    }
    if error.contains("403") || error.contains("permission denied") || error.contains("scope") {
        hints.push("Okta answered 403: the token's admin (or the OAuth app) lacks a permission. Give the admin the Read-Only Administrator role, or grant the app the okta.*.read scopes, including okta.logs.read for the System Log.");
    }
    if error.contains("unreachable")
        || error.contains("timed out")
        || error.contains("dns")
        || error.contains("connect")
    {
        hints.push("The org could not be reached: check the org URL (https://<your-org>.okta.com, not the -admin URL), DNS, proxies and firewalls between this server and Okta.");
    }
    if error.contains("rate limit") || error.contains("429") {
        hints.push("Okta kept answering 429: lower rate_limit_share or move the scan away from other integrations' busy times.");
    }
    hints
}

/// Every integration with its schedule, last runs and hints.
pub(crate) async fn statuses(state: &AppState) -> ApiResult<Vec<Value>> {
    let schedules = state.host().schedules();
    let mut out = Vec::new();
    for integration in state.store().integrations().await? {
        let runs = state.store().runs(&integration.name, 20).await?;
        let last_scan = runs.iter().find(|r| r.kind == store::RunKind::Resources);
        let last_log = runs.iter().find(|r| r.kind == store::RunKind::Logs);
        let schedule = schedules.iter().find(|s| s.name == integration.name);
        let next_scan = match (schedule, last_scan) {
            (Some(s), Some(run)) if integration.resources => {
                let base = run.finished_at.unwrap_or(run.started_at);
                Some(base + chrono::Duration::seconds(s.scan_interval_seconds as i64))
            }
            _ => None,
        };
        let last_error = integration.last_error.clone().unwrap_or_default();
        let current_error = if integration.status == "error" { last_error.as_str() } else { "" };
        out.push(json!({
            "name": integration.name,
            "kind": "okta",
            "org_url": integration.org_url,
            "origin": schedule.map(|s| s.origin),
            "running": schedule.is_some(),
            "resources": integration.resources,
            "system_log": integration.system_log,
            "status": integration.status,
            "last_success": integration.last_success,
            "last_error": integration.last_error,
            "next_scan": next_scan,
            "scan_interval_seconds": schedule.map(|s| s.scan_interval_seconds),
            "log_poll_interval_seconds": schedule.map(|s| s.log_poll_interval_seconds),
            "last_run": last_scan.map(run_json),
            "last_log_run": last_log.map(run_json),
            "counts": last_scan.map(|r| json!(r.counts)),
            "hints": hints(current_error),
        }));
    }
    Ok(out)
}

async fn list(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(json!(statuses(&state).await?)))
}

async fn runs(State(state): State<AppState>, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let runs = state.store().runs(&name, 50).await?;
    Ok(Json(json!(runs.iter().map(run_json).collect::<Vec<_>>())))
}

/// Generated keys not yet taken by an integration are forgotten after this long.
const PENDING_KEY_LIFETIME: Duration = Duration::from_secs(60 * 60);

async fn new_key(State(state): State<AppState>, caller: CallerExt) -> ApiResult<Json<Value>> {
    let (pem, jwk, key_id) = tokio::task::spawn_blocking(generate_key)
        .await
        .map_err(|e| ApiError::internal("key generation failed", e))??;
    let mut pending = state.pending_keys();
    pending.retain(|_, (_, made)| made.elapsed() < PENDING_KEY_LIFETIME);
    pending.insert(key_id.clone(), (pem, Instant::now()));
    tracing::info!(user = %caller.username, key_id = %key_id, "generated a key pair for an OAuth integration");
    Ok(Json(json!({"key_id": key_id, "public_jwk": jwk})))
}

fn generate_key() -> ApiResult<(SecretString, Value, String)> {
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|e| ApiError::internal("RSA key generation failed", e))?;
    let der = pair.as_der().map_err(|e| ApiError::internal("RSA key encoding failed", e))?;
    let pem = pem::encode(&pem::Pem::new("PRIVATE KEY", der.as_ref().to_vec()));
    let components: PublicKeyComponents<Vec<u8>> = pair.public_key().into();
    let key_id = format!("sightline-{}", &crate::auth::random_password()[..12]);
    let jwk = json!({
        "kty": "RSA",
        "kid": key_id,
        "use": "sig",
        "alg": "RS256",
        "e": URL_SAFE_NO_PAD.encode(&components.e),
        "n": URL_SAFE_NO_PAD.encode(&components.n),
    });
    Ok((SecretString::from(pem), jwk, key_id))
}

#[derive(Deserialize)]
#[serde(tag = "method", rename_all = "lowercase")]
enum AuthRequest {
    Ssws { token: String },
    Oauth { client_id: String, key_id: String },
}

#[derive(Deserialize)]
struct ValidateRequest {
    org_url: String,
    auth: AuthRequest,
}

fn credentials(state: &AppState, auth: &AuthRequest) -> ApiResult<OktaCredentials> {
    match auth {
        AuthRequest::Ssws { token } if token.trim().is_empty() => Err(ApiError::bad_request("the API token is empty")),
        AuthRequest::Ssws { token } => Ok(OktaCredentials::ApiToken(SecretString::from(token.trim().to_string()))),
        AuthRequest::Oauth { client_id, key_id } => {
            if client_id.trim().is_empty() {
                return Err(ApiError::bad_request("the client id is empty: copy it from the Okta app's General tab"));
            }
            let pem = state.pending_keys().get(key_id).map(|(pem, _)| pem.clone()).ok_or_else(|| {
                ApiError::bad_request(format!("key {key_id} is unknown or expired: generate a new key pair"))
            })?;
            Ok(OktaCredentials::PrivateKey {
                client_id: client_id.trim().to_string(),
                key_id: key_id.clone(),
                private_key_pem: pem,
            })
        }
    }
}

/// The Okta client for checking credentials: few retries, short timeouts.
pub fn client_config(org_url: &str, credentials: &OktaCredentials, system_log: bool) -> okta_client::ClientConfig {
    let credentials = match credentials {
        OktaCredentials::ApiToken(token) => okta_client::Credentials::ApiToken(token.clone()),
        OktaCredentials::PrivateKey { client_id, key_id, private_key_pem } => {
            let mut scopes: Vec<String> = okta_client::DEFAULT_READ_SCOPES.iter().map(|s| s.to_string()).collect();
            if !system_log {
                scopes.retain(|s| s != "okta.logs.read");
            }
            okta_client::Credentials::PrivateKey {
                client_id: client_id.clone(),
                private_key_pem: private_key_pem.clone(),
                key_id: Some(key_id.clone()),
                scopes,
            }
        }
    };
    okta_client::ClientConfig::new(org_url.trim().trim_end_matches('/'), credentials)
}

/// Why credentials failed, and what to do about it.
fn explain(org_url: &str, error: &okta_client::Error) -> (String, String) {
    let status = error.status().map(|s| format!(" (HTTP {s})")).unwrap_or_default();
    match error.kind() {
        ErrorKind::InvalidCredentials => (
            format!("Okta refused the credentials{status}: the API token is wrong, expired or revoked"),
            "Create a token under Security → API → Tokens in the Okta admin console and paste it whole.".into(),
        ),
        ErrorKind::Forbidden => (
            format!("Okta answered permission denied{status}"),
            "The token's admin needs at least the Read-Only Administrator role.".into(),
        ),
        ErrorKind::MissingScope { scope } => (
            format!("the OAuth scope {scope} is not granted to the app"),
            "Grant it on the app's Okta API Scopes tab.".into(),
        ),
        ErrorKind::OAuth { error: code, description } => (
            format!("Okta's authorization server refused the app: {code}: {description}"),
            "Check the client id, that the public key shown here is added to the app (Client Credentials → Public keys), that the app uses private_key_jwt, and that it is granted the okta.*.read scopes.".into(),
        ),
        ErrorKind::Unreachable(detail) => (
            format!("cannot reach {org_url}: {detail}"),
            "Check the org URL (https://<your-org>.okta.com, not the -admin URL) and that this server can reach it.".into(),
        ),
        ErrorKind::Timeout => (
            format!("{org_url} did not answer in time"),
            "Check the org URL and the network between this server and Okta.".into(),
        ),
        ErrorKind::MalformedResponse(detail) => (
            format!("{org_url} answered, but not as an Okta org does: {detail}"),
            "Use the org's base URL, e.g. https://acme.okta.com.".into(),
        ),
        ErrorKind::Config(detail) => (detail.clone(), "Use https://<your-org>.okta.com (plain http only for loopback).".into()),
        _ => (error.to_string(), "Try again; if it persists, see the server log.".into()),
    }
}

/// The reads each feature needs.
const CHECKS: &[(&str, &str, bool)] = &[
    ("users", "/api/v1/users?limit=1", true),
    ("groups", "/api/v1/groups?limit=1", true),
    ("apps", "/api/v1/apps?limit=1", true),
    ("roles", "/api/v1/iam/roles", true),
    ("api tokens", "/api/v1/api-tokens?limit=1", true),
    ("system log", "/api/v1/logs?limit=1", false),
];

/// Validates credentials against the org: `Ok` with the checks, or the reason and a hint.
async fn check(org_url: &str, credentials: &OktaCredentials, resources: bool, system_log: bool) -> Value {
    let mut config = client_config(org_url, credentials, system_log);
    config.max_retries = 1;
    config.request_timeout = Duration::from_secs(10);
    let client = match okta_client::OktaClient::new(config) {
        Ok(client) => client,
        Err(error) => {
            let (reason, hint) = explain(org_url, &error);
            return json!({"ok": false, "reason": reason, "hint": hint, "checks": []});
        }
    };
    if let Err(error) = client.verify().await {
        let (reason, hint) = explain(org_url, &error);
        return json!({"ok": false, "reason": reason, "hint": hint,
            "checks": [{"feature": "credentials", "ok": false, "detail": reason}]});
    }
    let mut checks = vec![json!({"feature": "credentials", "ok": true, "detail": "accepted"})];
    let mut failure: Option<(String, String)> = None;
    for (feature, path, for_resources) in CHECKS {
        if (*for_resources && !resources) || (!*for_resources && !system_log) {
            continue;
        }
        match client.get_json(path).await {
            Ok(_) => checks.push(json!({"feature": feature, "ok": true, "detail": "readable"})),
            Err(error) if matches!(error.kind(), ErrorKind::FeatureNotEnabled) => {
                checks.push(json!({"feature": feature, "ok": true, "detail": "not enabled for this org; skipped"}))
            }
            Err(error) => {
                let (reason, hint) = explain(org_url, &error);
                checks.push(json!({"feature": feature, "ok": false, "detail": reason}));
                failure.get_or_insert((format!("{feature}: {reason}"), hint));
            }
        }
    }
    match failure {
        None => json!({"ok": true, "checks": checks}),
        Some((reason, hint)) => json!({"ok": false, "reason": reason, "hint": hint, "checks": checks}),
    }
}

async fn validate(
    State(state): State<AppState>,
    caller: CallerExt,
    Json(request): Json<ValidateRequest>,
) -> ApiResult<Json<Value>> {
    let credentials = credentials(&state, &request.auth)?;
    let result = check(&request.org_url, &credentials, true, true).await;
    tracing::info!(user = %caller.username, ok = %result["ok"], "validated Okta credentials");
    Ok(Json(result))
}

#[derive(Deserialize)]
struct CreateRequest {
    name: String,
    org_url: String,
    auth: AuthRequest,
    #[serde(default = "yes")]
    resources: bool,
    #[serde(default = "yes")]
    system_log: bool,
    scan_interval: Option<String>,
    log_poll_interval: Option<String>,
}

fn yes() -> bool {
    true
}

fn interval(name: &str, value: Option<&str>, default: Duration, min: Duration) -> ApiResult<Duration> {
    let Some(text) = value.filter(|v| !v.trim().is_empty()) else { return Ok(default) };
    let parsed = parse_duration(text.trim())
        .ok_or_else(|| ApiError::bad_request(format!("{name}: {text:?} is not a duration such as 30m or 60s")))?;
    if parsed < min {
        return Err(ApiError::bad_request(format!("{name}: at least {}s", min.as_secs())));
    }
    Ok(parsed)
}

/// `90s`, `30m`, `2h`, `1d`.
fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(number.checked_mul(seconds)?))
}

async fn create(
    State(state): State<AppState>,
    caller: CallerExt,
    Json(request): Json<CreateRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let name = request.name.trim().to_string();
    if name.is_empty() || name.len() > 40 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(ApiError::bad_request("name: 1 to 40 letters, digits, '-' or '_'"));
    }
    let taken = state.store().integrations().await?.iter().any(|i| i.name == name)
        || state.host().schedules().iter().any(|s| s.name == name);
    if taken {
        return Err(ApiError::new(StatusCode::CONFLICT, "exists", format!("an integration named {name} exists")));
    }
    if !request.resources && !request.system_log {
        return Err(ApiError::bad_request("choose at least one feature: resources or the System Log"));
    }
    let scan_interval = interval(
        "scan_interval",
        request.scan_interval.as_deref(),
        Duration::from_secs(1800),
        Duration::from_secs(60),
    )?;
    let log_poll_interval = interval(
        "log_poll_interval",
        request.log_poll_interval.as_deref(),
        Duration::from_secs(60),
        Duration::from_secs(5),
    )?;
    let credentials = credentials(&state, &request.auth)?;
    let result = check(&request.org_url, &credentials, request.resources, request.system_log).await;
    if result["ok"] != json!(true) {
        let reason = result["reason"].as_str().unwrap_or("the credentials were refused");
        return Err(ApiError::bad_request(format!("{reason}. {}", result["hint"].as_str().unwrap_or_default())));
    }
    let integration = NewIntegration {
        name: name.clone(),
        org_url: request.org_url.trim().trim_end_matches('/').to_string(),
        credentials,
        resources: request.resources,
        system_log: request.system_log,
        scan_interval,
        log_poll_interval,
    };
    save(&state, &integration).await?;
    if let OktaCredentials::PrivateKey { key_id, .. } = &integration.credentials {
        state.pending_keys().remove(key_id);
    }
    state.host().start(integration).map_err(|e| ApiError::internal("cannot start the integration", e))?;
    tracing::info!(user = %caller.username, integration = %name, "added an Okta integration");
    let method = match &request.auth {
        AuthRequest::Ssws { .. } => "ssws",
        AuthRequest::Oauth { .. } => "oauth",
    };
    state.audit().record(
        audit::by(&caller, "integration.create")
            .target(name.clone())
            .with("org_url", request.org_url.trim())
            .with("auth", method)
            .with("resources", request.resources)
            .with("system_log", request.system_log),
    );
    let status = statuses(&state).await?.into_iter().find(|s| s["name"] == json!(name));
    Ok((StatusCode::CREATED, Json(status.unwrap_or_else(|| json!({"name": name, "status": "configured"})))))
}

fn secret_name(integration: &str) -> String {
    format!("okta:{integration}")
}

async fn save(state: &AppState, integration: &NewIntegration) -> ApiResult<()> {
    let name = secret_name(&integration.name);
    let (method, client_id, key_id, secret) = match &integration.credentials {
        OktaCredentials::ApiToken(token) => ("ssws", None, None, state.vault().seal(&name, token)),
        OktaCredentials::PrivateKey { client_id, key_id, private_key_pem } => {
            ("oauth", Some(client_id.clone()), Some(key_id.clone()), state.vault().seal(&name, private_key_pem))
        }
    };
    let value = json!({
        "org_url": integration.org_url,
        "method": method,
        "client_id": client_id,
        "key_id": key_id,
        "secret": secret,
        "resources": integration.resources,
        "system_log": integration.system_log,
        "scan_interval_seconds": integration.scan_interval.as_secs(),
        "log_poll_interval_seconds": integration.log_poll_interval.as_secs(),
    });
    state.store().put_setting(NAMESPACE, &integration.name, &value.to_string()).await?;
    Ok(())
}

/// The integrations added in the UI, with their secrets opened, for the host to run at start.
pub async fn saved(store: &store::Store, vault: &crate::vault::Vault) -> Result<Vec<NewIntegration>, String> {
    let mut out = Vec::new();
    for (name, value) in store.settings(NAMESPACE).await.map_err(|e| format!("cannot read integrations: {e}"))? {
        let v: Value =
            serde_json::from_str(&value).map_err(|e| format!("integration {name}: unreadable settings: {e}"))?;
        let text = |key: &str| v[key].as_str().unwrap_or_default().to_string();
        let secret = vault.open_sealed(&secret_name(&name), &text("secret"))?;
        let credentials = match v["method"].as_str() {
            Some("oauth") => OktaCredentials::PrivateKey {
                client_id: text("client_id"),
                key_id: text("key_id"),
                private_key_pem: secret,
            },
            _ => OktaCredentials::ApiToken(secret),
        };
        out.push(NewIntegration {
            name,
            org_url: text("org_url"),
            credentials,
            resources: v["resources"].as_bool().unwrap_or(true),
            system_log: v["system_log"].as_bool().unwrap_or(true),
            scan_interval: Duration::from_secs(v["scan_interval_seconds"].as_u64().unwrap_or(1800)),
            log_poll_interval: Duration::from_secs(v["log_poll_interval_seconds"].as_u64().unwrap_or(60)),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_hints() {
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(hints("resource scan failed: the credentials were refused (HTTP 401)").len(), 1);
        assert!(hints("unreachable: connection refused")[0].contains("org URL"));
        assert!(hints("").is_empty());
    }
}
