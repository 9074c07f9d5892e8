//! The JSON API: one module per area, each declaring its routes with the role they need.

mod activity;
mod alerts;
mod graph;
mod integrations;

pub use integrations::saved as saved_integrations;
mod session;
mod sql;

use crate::AppState;
use crate::auth::{CSRF_HEADER, Caller, Role, cookie_token};
use crate::error::ApiError;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use serde::Serialize;

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
        .with_state(state)
}

/// The session check: a live session with at least `role`, and for state-changing methods the
/// session's CSRF token in `X-CSRF-Token`. Puts the [`Caller`] in the request's extensions.
async fn require_role(State((state, role)): State<(AppState, Role)>, mut request: Request, next: Next) -> Response {
    let Some(caller) = cookie_token(request.headers()).and_then(|token| state.sessions().caller(&token)) else {
        return ApiError::unauthenticated().into_response();
    };
    if caller.role < role {
        return ApiError::forbidden(format!(
            "this needs the {} role; {} is {}",
            role.as_str(),
            caller.username,
            caller.role.as_str()
        ))
        .into_response();
    }
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let sent = request.headers().get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
        if !constant_time_eq(sent, caller.csrf_token.as_bytes()) {
            return ApiError::forbidden("missing or wrong X-CSRF-Token; reload the page and try again").into_response();
        }
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
