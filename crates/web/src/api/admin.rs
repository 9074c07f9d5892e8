//! Administration: accounts, API tokens for automation, and Sightline's own audit log.

use super::{Access, CallerExt, Routes};
use crate::AppState;
use crate::audit;
use crate::auth::{self, MIN_PASSWORD_LENGTH, Role};
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub(super) fn routes(routes: Routes) -> Routes {
    let admin = Access::Signed(Role::Admin);
    routes
        .add("GET", "/api/accounts", admin, get(list_accounts))
        .add("POST", "/api/accounts", admin, post(create_account))
        .add("POST", "/api/accounts/{username}", admin, post(update_account))
        .add("DELETE", "/api/accounts/{username}", admin, delete(delete_account))
        .add("GET", "/api/tokens", admin, get(list_tokens))
        .add("POST", "/api/tokens", admin, post(create_token))
        .add("DELETE", "/api/tokens/{id}", admin, delete(revoke_token))
        .add("GET", "/api/audit", admin, get(audit_log))
}

#[derive(Serialize)]
struct AccountView {
    username: String,
    role: String,
    created_at: DateTime<Utc>,
}

async fn list_accounts(State(state): State<AppState>) -> ApiResult<Json<Vec<AccountView>>> {
    let accounts = state.store().accounts().await?;
    Ok(Json(
        accounts
            .into_iter()
            .map(|a| AccountView { username: a.username, role: a.role, created_at: a.created_at })
            .collect(),
    ))
}

#[derive(Deserialize)]
struct NewAccount {
    username: String,
    password: String,
    role: String,
}

fn role(text: &str) -> ApiResult<Role> {
    Role::parse(text)
        .ok_or_else(|| ApiError::bad_request(format!("unknown role {text:?}; use viewer, analyst or admin")))
}

/// Checks a new password and hashes it (off the async threads: Argon2id is slow on purpose).
pub(super) async fn password_hash(password: String) -> ApiResult<String> {
    if password.chars().count() < MIN_PASSWORD_LENGTH {
        return Err(ApiError::bad_request(format!("use a password of at least {MIN_PASSWORD_LENGTH} characters")));
    }
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| ApiError::internal("cannot hash the password", e))?
}

fn check_username(username: &str) -> ApiResult<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    if username.is_empty() || username.len() > 64 || !username.chars().all(allowed) {
        return Err(ApiError::bad_request(
            "a username is 1 to 64 letters, digits and . _ - @ (for example ann.lee or ann@example.com)",
        ));
    }
    Ok(())
}

async fn create_account(
    State(state): State<AppState>,
    caller: CallerExt,
    Json(new): Json<NewAccount>,
) -> ApiResult<Response> {
    check_username(&new.username)?;
    let role = role(&new.role)?;
    let account = store::Account {
        username: new.username.clone(),
        password_hash: password_hash(new.password).await?,
        role: role.as_str().into(),
        created_at: Utc::now(),
    };
    if !state.store().create_account(&account).await? {
        return Err(ApiError::new(StatusCode::CONFLICT, "conflict", format!("the account {} exists", new.username)));
    }
    state.audit().record(audit::by(&caller, "account.create").target(new.username.clone()).with("role", role.as_str()));
    let view = AccountView { username: account.username, role: account.role, created_at: account.created_at };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[derive(Deserialize)]
struct AccountChange {
    role: Option<String>,
    password: Option<String>,
}

/// Refuses a change that would leave no admin account.
async fn keep_an_admin(state: &AppState, username: &str) -> ApiResult<()> {
    let accounts = state.store().accounts().await?;
    let admins = accounts.iter().filter(|a| a.role == Role::Admin.as_str()).count();
    let is_admin = accounts.iter().any(|a| a.username == username && a.role == Role::Admin.as_str());
    if is_admin && admins == 1 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "last_admin",
            format!("{username} is the only admin; make another account admin first"),
        ));
    }
    Ok(())
}

async fn update_account(
    State(state): State<AppState>,
    caller: CallerExt,
    Path(username): Path<String>,
    Json(change): Json<AccountChange>,
) -> ApiResult<StatusCode> {
    if state.store().account(&username).await?.is_none() {
        return Err(ApiError::not_found(format!("the account {username}")));
    }
    let mut entry = audit::by(&caller, "account.update").target(username.clone());
    if let Some(new_role) = &change.role {
        let new_role = role(new_role)?;
        if new_role != Role::Admin {
            keep_an_admin(&state, &username).await?;
        }
        state.store().set_role(&username, new_role.as_str()).await?;
        entry = entry.with("role", new_role.as_str());
    }
    if let Some(password) = change.password {
        let hash = password_hash(password).await?;
        state.store().set_password(&username, &hash).await?;
        entry = entry.with("password", "reset");
    }
    // Sessions carry the role they started with: end them so the change applies at once.
    state.sessions().end_all(&username);
    state.audit().record(entry);
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_account(
    State(state): State<AppState>,
    caller: CallerExt,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    if username == caller.username {
        return Err(ApiError::new(StatusCode::CONFLICT, "conflict", "you cannot delete your own account"));
    }
    keep_an_admin(&state, &username).await?;
    if !state.store().delete_account(&username).await? {
        return Err(ApiError::not_found(format!("the account {username}")));
    }
    state.sessions().end_all(&username);
    state.audit().record(audit::by(&caller, "account.delete").target(username));
    Ok(StatusCode::NO_CONTENT)
}

async fn list_tokens(State(state): State<AppState>) -> ApiResult<Json<Vec<store::ApiToken>>> {
    Ok(Json(state.store().api_tokens().await?))
}

#[derive(Deserialize)]
struct NewToken {
    name: String,
    role: String,
    /// Days until it expires (default 90); `0` for a token that never expires.
    expires_in_days: Option<u32>,
}

const DEFAULT_TOKEN_DAYS: u32 = 90;
const MAX_TOKEN_DAYS: u32 = 366;

async fn create_token(
    State(state): State<AppState>,
    caller: CallerExt,
    Json(new): Json<NewToken>,
) -> ApiResult<Response> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_request("name the token (1 to 100 characters), e.g. after the script that uses it"));
    }
    let role = role(&new.role)?;
    if role > caller.role {
        return Err(ApiError::forbidden("a token cannot have a higher role than yours"));
    }
    // A token acts as a local account (and follows its role); someone signed in with Okta alone
    // has none, and a token made for them would be refused at its first use.
    if state.store().account(&caller.username).await?.is_none() {
        return Err(ApiError::forbidden(format!(
            "API tokens act as a local account and {} has none (signed in with Okta): create a local \
             account for the automation and make its token there",
            caller.username
        )));
    }
    let days = new.expires_in_days.unwrap_or(DEFAULT_TOKEN_DAYS);
    if days > MAX_TOKEN_DAYS {
        return Err(ApiError::bad_request(format!("a token lasts at most {MAX_TOKEN_DAYS} days (0 for no expiry)")));
    }
    let expires_at = (days > 0).then(|| Utc::now() + chrono::Duration::days(i64::from(days)));
    let (secret, record) = auth::new_api_token(name, role, &caller.username, expires_at);
    state.store().create_api_token(&record).await?;
    state.audit().record(
        audit::by(&caller, "token.create").target(record.id.clone()).with("name", name).with("role", role.as_str()),
    );
    let mut body = serde_json::to_value(&record).map_err(|e| ApiError::internal("cannot encode the token", e))?;
    body["token"] = json!(secret);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    caller: CallerExt,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if !state.store().revoke_api_token(&id).await? {
        return Err(ApiError::not_found(format!("an unrevoked API token {id}")));
    }
    state.audit().record(audit::by(&caller, "token.revoke").target(id));
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct AuditParams {
    actor: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    before: Option<i64>,
    limit: Option<usize>,
}

#[derive(Serialize)]
struct AuditPage {
    entries: Vec<store::AuditEntry>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    next_before: Option<i64>,
}

async fn audit_log(State(state): State<AppState>, Query(params): Query<AuditParams>) -> ApiResult<Json<AuditPage>> {
    let blank = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let limit = params.limit.unwrap_or(100).clamp(1, store::AuditQuery::MAX_LIMIT);
    let query = store::AuditQuery {
        actor: blank(params.actor),
        action: blank(params.action),
        outcome: blank(params.outcome),
        since: params.since,
        until: params.until,
        before: params.before,
        limit,
    };
    let entries = state.store().audit_log(&query).await?;
    let next_before = (entries.len() == limit).then(|| entries.last().map(|e| e.seq)).flatten();
    Ok(Json(AuditPage { entries, next_before }))
}
