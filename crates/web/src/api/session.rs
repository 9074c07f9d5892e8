//! Sign-in, sign-out, and who is signed in; plus health.

use super::{Access, CallerExt, Routes, SESSION};
use crate::AppState;
use crate::audit;
use crate::auth::{self, Role};
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

pub(super) fn routes(routes: Routes) -> Routes {
    routes
        .add("GET", "/healthz", Access::Public, get(|| async { "ok" }))
        .add("POST", "/api/auth/login", Access::Public, post(login))
        .add("POST", "/api/auth/logout", Access::Signed(Role::Viewer), post(logout))
        .add("GET", "/api/auth/me", Access::Signed(Role::Viewer), get(me))
        .add("POST", "/api/auth/password", Access::Signed(Role::Viewer), post(change_password))
        .add("GET", "/api/auth/methods", Access::Public, get(crate::oidc::methods))
        .add("GET", crate::oidc::START_PATH, Access::Public, get(crate::oidc::start))
        .add("GET", crate::oidc::CALLBACK_PATH, Access::Public, get(crate::oidc::callback))
}

#[derive(Deserialize)]
struct Login {
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Json(login): Json<Login>,
) -> ApiResult<Response> {
    let keys = auth::throttle_keys(&login.username, Some(client.ip()));
    let attempt = || audit::as_actor(&login.username, SESSION, "sign_in").client(Some(client.ip()));
    if let Some(wait) = state.sessions().throttled(&keys) {
        tracing::warn!(username = %login.username, "sign-in refused: throttled");
        state.audit().record(attempt().denied().with("reason", "throttled"));
        return Err(auth::throttled_error(wait));
    }
    let account = state.store().account(&login.username).await?;
    // Verify against a fixed hash when the account does not exist, so timing does not tell
    // which usernames exist.
    let hash = account.as_ref().map_or(DUMMY_HASH.as_str(), |a| a.password_hash.as_str()).to_string();
    let password = login.password;
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::internal("password check failed", e))?;
    let role = account.as_ref().and_then(|a| Role::parse(&a.role));
    let (Some(account), Some(role), true) = (account, role, matches) else {
        state.sessions().failed(&keys);
        tracing::warn!(username = %login.username, "sign-in failed");
        state.audit().record(attempt().failed().with("reason", "wrong username or password"));
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "wrong username or password"));
    };
    state.sessions().succeeded(&keys);
    let (token, caller) = state.sessions().start(&account.username, role);
    tracing::info!(username = %account.username, role = role.as_str(), "signed in");
    state.audit().record(attempt().with("role", role.as_str()));
    let cookie = auth::session_cookie(&token, state.settings().secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Json(caller)).into_response())
}

/// An Argon2id hash of a random password nobody knows.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| auth::hash_password(&auth::random_password()).unwrap_or_default());

async fn logout(State(state): State<AppState>, caller: CallerExt, headers: HeaderMap) -> Response {
    if let Some(token) = auth::cookie_token(&headers) {
        state.sessions().end(&token);
    }
    state.audit().record(audit::by(&caller, "sign_out"));
    let cookie = auth::cleared_cookie(state.settings().secure_cookies);
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response()
}

async fn me(caller: CallerExt) -> Json<serde_json::Value> {
    Json(json!({"username": caller.username, "role": caller.role, "csrf_token": caller.csrf_token, "via": caller.via}))
}

#[derive(Deserialize)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Changes the caller's own password. Every session of the account ends; the caller gets a new one.
async fn change_password(
    State(state): State<AppState>,
    caller: CallerExt,
    Json(change): Json<PasswordChange>,
) -> ApiResult<Response> {
    if caller.via != SESSION {
        return Err(ApiError::forbidden("API tokens cannot change passwords; sign in to the web UI"));
    }
    let entry = || audit::by(&caller, "password.change").target(caller.username.clone());
    // No local account: signed in with Okta, whose password lives there (a 401 would sign the UI out).
    let account = state.store().account(&caller.username).await?.ok_or_else(|| {
        ApiError::forbidden(format!(
            "{} has no Sightline password (signed in with Okta?); change it in Okta",
            caller.username
        ))
    })?;
    let (current, hash) = (change.current_password, account.password_hash);
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&current, &hash))
        .await
        .map_err(|e| ApiError::internal("password check failed", e))?;
    if !matches {
        state.audit().record(entry().failed().with("reason", "wrong current password"));
        return Err(ApiError::bad_request("the current password is wrong"));
    }
    let hash = super::admin::password_hash(change.new_password).await?;
    state.store().set_password(&caller.username, &hash).await?;
    state.sessions().end_all(&caller.username);
    let (token, new_caller) = state.sessions().start(&caller.username, caller.role);
    state.audit().record(entry());
    let cookie = auth::session_cookie(&token, state.settings().secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Json(new_caller)).into_response())
}
