//! Alerts: list and filter, one alert with its events, graph context and history, and the
//! lifecycle (analysts and admins only).

use super::{Access, CallerExt, Routes, list};
use crate::AppState;
use crate::audit;
use crate::auth::Role;
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

pub(super) fn routes(routes: Routes) -> Routes {
    let viewer = Access::Signed(Role::Viewer);
    routes
        .add("GET", "/api/alerts", viewer, get(alerts))
        .add("GET", "/api/alerts/{id}", viewer, get(alert))
        .add("POST", "/api/alerts/{id}/status", Access::Signed(Role::Analyst), post(set_status))
        .add("GET", "/api/rules", viewer, get(rules))
}

#[derive(Deserialize)]
struct AlertParams {
    status: Option<String>,
    severity: Option<String>,
    rule: Option<String>,
    q: Option<String>,
    limit: Option<usize>,
    before: Option<i64>,
}

async fn alerts(State(state): State<AppState>, Query(params): Query<AlertParams>) -> ApiResult<Json<Value>> {
    let severities = list(&params.severity);
    // The store filters by a minimum severity: the lowest one asked for.
    let min_severity = severities.iter().min_by_key(|s| store::severity_rank(s)).cloned();
    let limit = params.limit.unwrap_or(100).clamp(1, 1000);
    let filter = store::AlertFilter {
        statuses: list(&params.status),
        min_severity,
        rule_id: params.rule.filter(|r| !r.is_empty()),
        entity: None,
        before_id: params.before,
        limit: if params.q.is_some() || severities.len() > 1 { 1000 } else { limit },
    };
    let text = params.q.as_deref().unwrap_or_default().to_lowercase();
    let alerts: Vec<store::Alert> = state
        .store()
        .alerts(filter)
        .await?
        .into_iter()
        .filter(|a| severities.is_empty() || severities.contains(&a.severity))
        .filter(|a| {
            text.is_empty()
                || [&a.title, &a.entity, &a.summary, &a.rule_id].iter().any(|f| f.to_lowercase().contains(&text))
        })
        .take(limit)
        .collect();
    Ok(Json(json!(alerts)))
}

fn event_json(e: &store::StoredEvent) -> Value {
    json!({
        "seq": e.seq,
        "time": e.time,
        "source": e.source,
        "event_type": e.event_type,
        "category": e.category,
        "outcome": e.outcome,
        "actor": e.actor,
        "person": e.person,
        "ip": e.ip,
        "city": e.city,
        "country": e.country,
    })
}

async fn alert(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let detail = state.store().alert(id).await?.ok_or_else(|| ApiError::not_found(format!("alert {id}")))?;
    let rule = state.settings().rules.iter().find(|r| r.id == detail.alert.rule_id);
    Ok(Json(json!({
        "alert": detail.alert,
        "details": detail.alert.details,
        "events": detail.events.iter().map(event_json).collect::<Vec<_>>(),
        "history": detail.history,
        "rule": rule,
    })))
}

#[derive(Deserialize)]
struct StatusRequest {
    status: String,
    #[serde(default)]
    reason: String,
}

async fn set_status(
    State(state): State<AppState>,
    caller: CallerExt,
    Path(id): Path<i64>,
    Json(request): Json<StatusRequest>,
) -> ApiResult<Json<Value>> {
    let current = state.store().alert(id).await?.ok_or_else(|| ApiError::not_found(format!("alert {id}")))?;
    if current.alert.status == request.status {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "unchanged",
            format!("alert {id} is already {}", request.status),
        ));
    }
    let entry = audit::by(&caller, "alert.status")
        .target(id.to_string())
        .with("from", current.alert.status.as_str())
        .with("to", request.status.as_str())
        .with("reason", request.reason.clone());
    let change = store::StatusChange { status: request.status, by: caller.username.clone(), reason: request.reason };
    let alert = state.store().set_alert_status(id, change, state.settings().webhooks.clone()).await?;
    tracing::info!(user = %caller.username, alert = id, status = %alert.status, "alert status changed");
    state.audit().record(entry);
    Ok(Json(json!({"alert": alert})))
}

async fn rules(State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.settings().rules))
}
