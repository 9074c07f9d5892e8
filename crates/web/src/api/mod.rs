//! The JSON API: one module per area, each declaring its routes with the role they need.

mod activity;
mod admin;
mod alerts;
mod graph;
mod integrations;

pub use integrations::saved as saved_integrations;
mod session;
mod sql;

use crate::AppState;
use crate::audit;
use crate::auth::{self, CSRF_HEADER, Caller, Role, constant_time_eq};
use crate::error::{ApiError, ApiResult};
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use serde::Serialize;
use std::net::SocketAddr;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Access {
    /// Anyone (sign-in, health).
    Public,
    /// A signed-in account with at least this role.
    Signed(Role),
}

/// One route of the API.
#[derive(Debug, Clone, Serialize)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// Routes being declared, by who may call them.
struct Routes {
    public: Router<AppState>,
    viewer: Router<AppState>,
    analyst: Router<AppState>,
    admin: Router<AppState>,
    list: Vec<RouteInfo>,
}

impl Routes {
    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        access: Access,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.list.push(RouteInfo { method, path, access });
        let group = match access {
            Access::Public => &mut self.public,
            Access::Signed(Role::Viewer) => &mut self.viewer,
            Access::Signed(Role::Analyst) => &mut self.analyst,
            Access::Signed(Role::Admin) => &mut self.admin,
        };
        *group = std::mem::take(group).route(path, handler);
        self
    }
}

fn declare() -> Routes {
    let routes = Routes {
        public: Router::new(),
        viewer: Router::new(),
        analyst: Router::new(),
        admin: Router::new(),
        list: Vec::new(),
    };
    let routes = session::routes(routes);
    let routes = graph::routes(routes);
    let routes = sql::routes(routes);
    let routes = activity::routes(routes);
    let routes = alerts::routes(routes);
    let routes = admin::routes(routes);
    integrations::routes(routes)
}

/// Every route of the API with who may call it (the route-enumeration test walks this).
pub static API_ROUTES: std::sync::LazyLock<Vec<RouteInfo>> = std::sync::LazyLock::new(|| declare().list);

/// The API router, each group behind its role check.
pub fn router(state: AppState) -> Router {
    let routes = declare();
    let guard = |role: Role| middleware::from_fn_with_state((state.clone(), role), require_role);
    Router::new()
        .merge(routes.public)
        .merge(routes.viewer.route_layer(guard(Role::Viewer)))
        .merge(routes.analyst.route_layer(guard(Role::Analyst)))
        .merge(routes.admin.route_layer(guard(Role::Admin)))
        .layer(middleware::from_fn(crate::error::json_rejections))
        .with_state(state)
}

/// The role check: a live session or API token with at least `role`, and for a session's
/// state-changing requests its CSRF token in `X-CSRF-Token`. Puts the [`Caller`] in the request's
/// extensions. Refusals of a known caller are audited.
async fn require_role(State((state, role)): State<(AppState, Role)>, mut request: Request, next: Next) -> Response {
    let client_ip = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let mut caller = match authenticate(&state, request.headers(), client_ip).await {
        Ok(Some(caller)) => caller,
        Ok(None) => return ApiError::unauthenticated().into_response(),
        Err(refused) => return refused.into_response(),
    };
    caller.client_ip = client_ip;
    let denied = |reason: &str| {
        audit::by(&caller, "access.denied")
            .denied()
            .with("method", request.method().as_str())
            .with("path", request.uri().path())
            .with("reason", reason)
    };
    if caller.role < role {
        state.audit().record(denied(&format!("needs the {} role", role.as_str())));
        return ApiError::forbidden(format!(
            "this needs the {} role; {} is {}",
            role.as_str(),
            caller.username,
            caller.role.as_str()
        ))
        .into_response();
    }
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && caller.via == SESSION {
        let sent = request.headers().get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
        if !constant_time_eq(sent, caller.csrf_token.as_bytes()) {
            state.audit().record(denied("missing or wrong CSRF token"));
            return ApiError::forbidden("missing or wrong X-CSRF-Token; reload the page and try again").into_response();
        }
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// How a caller signed in with the web UI is recorded.
pub(crate) const SESSION: &str = "session";

/// The caller of a request: an `Authorization: Bearer` API token if the request has one (a bad
/// one is refused, never passed over for the cookie), else the session cookie.
async fn authenticate(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    client_ip: Option<std::net::IpAddr>,
) -> ApiResult<Option<Caller>> {
    let Some(secret) = auth::bearer_token(headers) else {
        return Ok(auth::cookie_token(headers).and_then(|token| state.sessions().caller(&token)));
    };
    let refused =
        |refusal: auth::TokenRefusal| ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", refusal.message());
    let Some(id) = auth::api_token_id(secret) else {
        return Err(refused(auth::TokenRefusal::Unknown));
    };
    let token = state.store().api_token(id).await?;
    let creator = match &token {
        Some(token) => state.store().account(&token.created_by).await?,
        None => None,
    };
    match auth::token_caller(secret, token.as_ref(), creator.as_ref()) {
        Ok(caller) => {
            if state.sessions().token_use_due(id) {
                let (store, id) = (state.store().clone(), id.to_string());
                tokio::spawn(async move {
                    if let Err(error) = store.touch_api_token(&id).await {
                        tracing::warn!(%error, token = %id, "cannot record the API token's use");
                    }
                });
            }
            Ok(Some(caller))
        }
        Err(refusal) => {
            let actor = token.as_ref().map_or("unknown", |t| t.created_by.as_str());
            state.audit().record(
                audit::as_actor(actor, &format!("token:{id}"), "token.refused")
                    .denied()
                    .client(client_ip)
                    .with("reason", refusal.message()),
            );
            Err(refused(refusal))
        }
    }
}

/// The caller a role check put in the request.
pub(crate) type CallerExt = axum::Extension<Caller>;

/// Splits a comma-separated query parameter into its non-empty values.
pub(crate) fn list(param: &Option<String>) -> Vec<String> {
    param
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}
