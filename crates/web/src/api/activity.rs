//! The Activity Center and Investigate: events with filters and paging, facets, a histogram,
//! sign-in places, one event whole, and people across sources.

use super::{Access, Routes, list};
use crate::AppState;
use crate::auth::Role;
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

pub(super) fn routes(routes: Routes) -> Routes {
    let viewer = Access::Signed(Role::Viewer);
    routes
        .add("GET", "/api/events", viewer, get(events))
        .add("GET", "/api/events/facets", viewer, get(facets))
        .add("GET", "/api/events/histogram", viewer, get(histogram))
        .add("GET", "/api/events/places", viewer, get(places))
        .add("GET", "/api/events/{seq}", viewer, get(event))
        .add("GET", "/api/people", viewer, get(people))
        .add("GET", "/api/people/{person}", viewer, get(person))
}

/// The filter of every events route, from the query string (lists are comma-separated).
#[derive(Deserialize, Default)]
struct FilterParams {
    person: Option<String>,
    source: Option<String>,
    event_type: Option<String>,
    category: Option<String>,
    outcome: Option<String>,
    ip: Option<String>,
    country: Option<String>,
    q: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
    buckets: Option<usize>,
}

fn time(name: &str, value: &Option<String>) -> ApiResult<Option<DateTime<Utc>>> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| ApiError::bad_request(format!("{name}: {v:?} is not an RFC 3339 time")))
        })
        .transpose()
}

impl FilterParams {
    fn filter(&self) -> ApiResult<store::EventFilter> {
        Ok(store::EventFilter {
            person: self.person.clone().filter(|p| !p.is_empty()),
            sources: list(&self.source),
            event_types: list(&self.event_type),
            categories: list(&self.category),
            outcomes: list(&self.outcome),
            ips: list(&self.ip),
            countries: list(&self.country),
            text: self.q.clone(),
            since: time("since", &self.since)?,
            until: time("until", &self.until)?,
        })
    }
}

async fn events(State(state): State<AppState>, Query(params): Query<FilterParams>) -> ApiResult<Json<Value>> {
    let page = state.store().timeline(&params.filter()?, params.limit.unwrap_or(50), params.cursor.as_deref()).await?;
    Ok(Json(json!(page)))
}

async fn facets(State(state): State<AppState>, Query(params): Query<FilterParams>) -> ApiResult<Json<Value>> {
    Ok(Json(json!(state.store().facets(&params.filter()?, 10).await?)))
}

async fn histogram(State(state): State<AppState>, Query(params): Query<FilterParams>) -> ApiResult<Json<Value>> {
    let filter = params.filter()?;
    let until = filter.until.unwrap_or_else(Utc::now);
    let since = filter.since.unwrap_or(until - chrono::Duration::hours(24));
    if since >= until {
        return Err(ApiError::bad_request("since must be before until"));
    }
    let (width, buckets) = state.store().histogram(&filter, since, until, params.buckets.unwrap_or(48)).await?;
    Ok(Json(json!({"bucket_seconds": width, "buckets": buckets})))
}

async fn places(State(state): State<AppState>, Query(params): Query<FilterParams>) -> ApiResult<Json<Value>> {
    Ok(Json(json!(state.store().places(&params.filter()?).await?)))
}

async fn event(State(state): State<AppState>, Path(seq): Path<i64>) -> ApiResult<Json<Value>> {
    let event = state.store().event(seq).await?.ok_or_else(|| ApiError::not_found(format!("event {seq}")))?;
    Ok(Json(Value::Object(event)))
}

#[derive(Deserialize)]
struct PeopleParams {
    q: Option<String>,
    limit: Option<usize>,
}

async fn people(State(state): State<AppState>, Query(params): Query<PeopleParams>) -> ApiResult<Json<Value>> {
    let people =
        state.store().people(params.q.as_deref().unwrap_or_default(), params.limit.unwrap_or(50).min(500)).await?;
    Ok(Json(json!(people)))
}

async fn person(State(state): State<AppState>, Path(person): Path<String>) -> ApiResult<Json<Value>> {
    let store = state.store();
    let person = person.to_lowercase();
    let user = store
        .browse_nodes(&store::NodeQuery {
            sub_kinds: vec!["okta_user".into()],
            text: Some(person.clone()),
            limit: 20,
            ..Default::default()
        })
        .await?
        .0
        .into_iter()
        .find(|n| n.get("name").and_then(Value::as_str).is_some_and(|name| name.eq_ignore_ascii_case(&person)));
    let filter = store::EventFilter { person: Some(person.clone()), ..Default::default() };
    Ok(Json(json!({
        "person": person,
        "user": user,
        "accounts": store.accounts_of(&person).await?,
        "facets": store.facets(&filter, 10).await?,
        "places": store.places(&filter).await?,
    })))
}
