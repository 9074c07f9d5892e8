//! The control API under `/__sim`, for tests and the demo: credentials, faults, deletions,
//! attack scenarios with ground truth, rate-limit settings and counts. No auth: loopback only.

use super::faults::FaultRule;
use super::keys::ServiceKey;
use super::ratelimit::RateLimitSettings;
use super::{Sim, json_response};
use crate::activity::Scenario;
use crate::org::{ApiArea, AppDetails, OAuthClient, Principal, RoleKind, UserStatus};
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/stats", get(stats))
        .route("/tokens", post(add_token))
        .route("/groups", post(add_group))
        .route("/clients", post(add_client))
        .route("/oidc-clients", post(add_oidc_client))
        .route("/faults", get(list_faults).post(add_fault).delete(clear_faults))
        .route("/objects/{id}", delete(delete_object))
        .route("/scenarios", get(list_scenarios))
        .route("/scenarios/{name}", post(run_scenario))
        .route("/rate-limits", get(rate_limits).put(set_rate_limits))
}

fn bad_request(message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message.into() }))).into_response()
}

async fn stats(State(sim): State<Arc<Sim>>) -> Response {
    let view = sim.view();
    let org = &view.org;
    let users: Vec<_> = org.live_users().collect();
    let deprovisioned = users.iter().filter(|(_, u)| u.status == UserStatus::Deprovisioned).count();
    let live_groups: Vec<usize> = (0..org.groups.len()).filter(|&g| !org.groups[g].deleted).collect();
    let live_apps: Vec<usize> = (0..org.apps.len()).filter(|&a| !org.apps[a].deleted).collect();
    let count_roles = |f: fn(&Principal) -> bool| org.role_assignments.iter().filter(|r| f(&r.principal)).count();
    let token_owner_active = |t: &&crate::org::ApiToken| {
        let u = &org.users[t.user];
        !u.deleted && u.status == UserStatus::Active
    };
    json_response(json!({
        "users_total": users.len(),
        "users_deprovisioned": deprovisioned,
        "users_listed": users.len() - deprovisioned,
        "groups": live_groups.len(),
        "group_memberships": live_groups.iter().map(|&g| org.group_members[g].iter().filter(|&&u| !org.users[u].deleted).count()).sum::<usize>(),
        "group_owners": if org.has_governance { live_groups.iter().map(|&g| org.group_owners[g].len()).sum::<usize>() } else { 0 },
        "apps": live_apps.len(),
        "app_users": live_apps.iter().map(|&a| view.index.app_users[a].len()).sum::<usize>(),
        "app_group_assignments": live_apps.iter().map(|&a| org.app_group_assignments[a].iter().filter(|ag| !org.groups[ag.group].deleted).count()).sum::<usize>(),
        "factors": users.iter().map(|(i, _)| org.factors[*i].len()).sum::<usize>(),
        "role_assignments": org.role_assignments.len(),
        "role_assignments_users": count_roles(|p| matches!(p, Principal::User(_))),
        "role_assignments_groups": count_roles(|p| matches!(p, Principal::Group(_))),
        "role_assignments_clients": count_roles(|p| matches!(p, Principal::Client(_))),
        "custom_role_assignments": org.role_assignments.iter().filter(|r| matches!(r.role, RoleKind::Custom { .. })).count(),
        "admin_users": view.index.admin_users.len(),
        "custom_roles": org.custom_roles.len(),
        "resource_sets": org.resource_sets.len(),
        "resource_set_resources": org.resource_sets.iter().map(|r| r.resources.len()).sum::<usize>(),
        "bindings": view.index.bindings.len(),
        "api_tokens": org.api_tokens.iter().filter(token_owner_active).count(),
        "log_events": sim.logs.lock().expect("logs lock").len(),
        "rate_limits": sim.limiter.stats(),
        "events_per_minute": sim.events_per_minute,
    }))
}

#[derive(Deserialize)]
struct NewToken {
    #[serde(default = "default_token_name")]
    name: String,
    /// Areas (`users`, `groups`, `apps`, `roles`, `logs`, `api_tokens`) this token may not read.
    #[serde(default)]
    denied: Vec<String>,
}

fn default_token_name() -> String {
    "Test token".into()
}

async fn add_token(State(sim): State<Arc<Sim>>, Json(request): Json<NewToken>) -> Response {
    let mut denied = Vec::new();
    for area in &request.denied {
        match ApiArea::parse(area) {
            Some(a) => denied.push(a),
            None => return bad_request(format!("unknown area '{area}'")),
        }
    }
    let (id, token) = sim.add_api_token(&request.name, denied);
    json_response(json!({ "id": id, "token": token }))
}

#[derive(Deserialize)]
struct NewGroup {
    name: String,
    #[serde(default)]
    description: Option<String>,
    /// Logins of the members (unknown logins are an error).
    #[serde(default)]
    members: Vec<String>,
}

/// Adds an Okta group (any name, e.g. one holding HTML, for tests of how clients show it).
async fn add_group(State(sim): State<Arc<Sim>>, Json(request): Json<NewGroup>) -> Response {
    let result = sim.mutate(|org| {
        let mut members = Vec::new();
        for login in &request.members {
            match org.users.iter().position(|u| !u.deleted && u.profile.login.eq_ignore_ascii_case(login)) {
                Some(index) => members.push(index),
                None => return Err(format!("no user with login '{login}'")),
            }
        }
        let now = chrono::Utc::now();
        let id = crate::org::ids::okta_id("00g", &mut rand::rng());
        org.groups.push(crate::org::Group {
            id: id.clone(),
            created: now,
            last_updated: now,
            last_membership_updated: now,
            group_type: crate::org::GroupType::OktaGroup,
            name: request.name.clone(),
            description: request.description.clone(),
            source_app: None,
            ad: None,
            deleted: false,
        });
        org.group_members.push(members);
        org.group_owners.push(Vec::new());
        org.app_group_assignments.push(Vec::new());
        Ok(id)
    });
    match result {
        Ok(id) => json_response(json!({ "id": id })),
        Err(message) => bad_request(message),
    }
}

#[derive(Deserialize)]
struct NewClient {
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default = "yes")]
    dpop_required: bool,
    /// Standard role for the new service app (default READ_ONLY_ADMIN).
    #[serde(default)]
    role: Option<String>,
}

fn yes() -> bool {
    true
}

async fn add_client(State(sim): State<Arc<Sim>>, Json(request): Json<NewClient>) -> Response {
    let key = match ServiceKey::generate() {
        Ok(k) => k,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    };
    let role: &'static str = match request.role.as_deref().unwrap_or("READ_ONLY_ADMIN") {
        "SUPER_ADMIN" => "SUPER_ADMIN",
        "ORG_ADMIN" => "ORG_ADMIN",
        "READ_ONLY_ADMIN" => "READ_ONLY_ADMIN",
        other => return bad_request(format!("unsupported role '{other}'")),
    };
    let scopes = request.scopes.unwrap_or_else(|| super::READ_SCOPES.iter().map(|s| s.to_string()).collect());
    let client_id = sim.mutate(|org| {
        let mut rng = rand::rng();
        let now = chrono::Utc::now();
        let client_id = crate::org::ids::okta_id("0oa", &mut rng);
        let details = AppDetails::Oidc {
            client_id: client_id.clone(),
            application_type: "service",
            token_endpoint_auth_method: "private_key_jwt",
            grant_types: vec!["client_credentials"],
            redirect_uris: Vec::new(),
            dpop_bound_access_tokens: request.dpop_required,
        };
        let app = org.add_oidc_app(format!("Test service app {}", org.apps.len()), details);
        org.role_assignments.push(crate::org::RoleAssignment {
            id: crate::org::ids::okta_id("ra1", &mut rng),
            principal: Principal::Client(app),
            role: RoleKind::Standard(role),
            created: now,
            last_updated: now,
            targets: Vec::new(),
            expiration: None,
        });
        org.oauth_clients.push(OAuthClient {
            app,
            client_id: client_id.clone(),
            public_jwks: vec![key.public_jwk.clone()],
            scopes,
            dpop_required: request.dpop_required,
        });
        client_id
    });
    json_response(json!({ "client_id": client_id, "key_id": key.key_id, "private_key_pem": key.private_pem }))
}

async fn list_faults(State(sim): State<Arc<Sim>>) -> Response {
    json_response(serde_json::to_value(sim.faults.list()).unwrap_or(Value::Null))
}

async fn add_fault(State(sim): State<Arc<Sim>>, Json(rule): Json<FaultRule>) -> Response {
    let id = sim.faults.add(rule);
    json_response(json!({ "id": id }))
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.faults.clear();
    StatusCode::NO_CONTENT
}

/// Deletes a user, group or app by id, as if an admin removed it mid-scan.
async fn delete_object(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let found = sim.mutate(|org| {
        if let Some(u) = org.users.iter_mut().find(|u| u.id == id && !u.deleted) {
            u.deleted = true;
        } else if let Some(g) = org.groups.iter_mut().find(|g| g.id == id && !g.deleted) {
            g.deleted = true;
        } else if let Some(a) = org.apps.iter_mut().find(|a| a.id == id && !a.deleted) {
            a.deleted = true;
        } else {
            return false;
        }
        true
    });
    if found { StatusCode::NO_CONTENT.into_response() } else { bad_request(format!("no user, group or app '{id}'")) }
}

async fn list_scenarios(State(sim): State<Arc<Sim>>) -> Response {
    let runs = sim.scenarios.lock().expect("scenarios lock").clone();
    json_response(serde_json::to_value(runs).unwrap_or(Value::Null))
}

/// `POST /__sim/scenarios/{name}[?start_offset_seconds=-600]`: run a scenario now, or starting
/// that many seconds from now (negative: in the past, so its events are all available at once).
async fn run_scenario(
    State(sim): State<Arc<Sim>>,
    Path(name): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(scenario) = Scenario::parse(&name) else {
        let known: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
        return bad_request(format!("unknown scenario '{name}'; known: {}", known.join(", ")));
    };
    let offset = match params.get("start_offset_seconds").map(|s| s.parse::<i64>()) {
        None => 0,
        Some(Ok(s)) => s,
        Some(Err(_)) => return bad_request("start_offset_seconds must be an integer"),
    };
    let start = chrono::Utc::now() + chrono::Duration::seconds(offset);
    let truth = tokio::task::spawn_blocking(move || sim.run_scenario(scenario, start)).await;
    match truth {
        Ok(truth) => json_response(serde_json::to_value(truth).unwrap_or(Value::Null)),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn rate_limits(State(sim): State<Arc<Sim>>) -> Response {
    json_response(serde_json::to_value(sim.limiter.settings()).unwrap_or(Value::Null))
}

async fn set_rate_limits(State(sim): State<Arc<Sim>>, Json(settings): Json<RateLimitSettings>) -> StatusCode {
    sim.limiter.set_settings(settings);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct NewOidcClient {
    redirect_uris: Vec<String>,
}

/// Registers a web app for OpenID Connect sign-in (authorization code flow with PKCE) on the
/// "default" authorization server: `{"redirect_uris": [...]}` -> `{"client_id", "client_secret"}`.
async fn add_oidc_client(State(sim): State<Arc<Sim>>, Json(request): Json<NewOidcClient>) -> Response {
    match super::oidc::register_client(&sim, request.redirect_uris) {
        Ok((client_id, client_secret)) => {
            json_response(json!({ "client_id": client_id, "client_secret": client_secret }))
        }
        Err(message) => bad_request(message),
    }
}
