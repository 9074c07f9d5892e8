//! `GET /api/v1/logs`: polling and bounded System Log queries.

use super::Sim;
use super::error::OktaError;
use super::filter::{Filter, Op};
use super::paging::{Params, page_limit, url_with};
use crate::logs::Criteria;
use crate::org::Ts;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// `since` may not reach further back than this.
const MAX_SINCE_DAYS: i64 = 180;
/// Without `since`, Okta starts seven days before `until`.
const DEFAULT_WINDOW_DAYS: i64 = 7;

pub fn router() -> Router<Arc<Sim>> {
    Router::new().route("/api/v1/logs", get(list_logs))
}

fn parse_time(name: &str, raw: &str) -> Result<Ts, OktaError> {
    DateTime::parse_from_rfc3339(raw).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        OktaError::api(
            StatusCode::BAD_REQUEST,
            "E0000030",
            "Invalid date. Dates must be of the form yyyy-MM-dd'T'HH:mm:ss.SSSZZ, e.g. 2013-01-01T12:00:00.000-07:00.",
        )
        .with_cause(format!("{name}: '{raw}'"))
    })
}

fn parse_log_filter(raw: &str) -> Result<Filter, OktaError> {
    let filter = Filter::parse(raw).map_err(OktaError::invalid_search)?;
    for (path, op) in filter.comparisons() {
        if path == "published" {
            return Err(OktaError::invalid_search("'published' cannot be filtered on; use since and until"));
        }
        if path.contains("changeDetails") {
            return Err(OktaError::invalid_search("changeDetails cannot be filtered on"));
        }
        if op == Op::Co && matches!(path, "debugContext.debugData.url" | "debugContext.debugData.requestUri") {
            return Err(OktaError::invalid_search(format!("'co' cannot be used on {path}")));
        }
    }
    Ok(filter)
}

fn keywords(q: Option<&String>) -> Result<Vec<String>, OktaError> {
    let words: Vec<String> = q.map(|q| q.split_whitespace().map(str::to_lowercase).collect()).unwrap_or_default();
    if words.len() > 10 || words.iter().any(|w| w.chars().count() > 40) {
        return Err(OktaError::invalid_search("q takes at most 10 keywords of at most 40 characters"));
    }
    Ok(words)
}

async fn list_logs(State(sim): State<Arc<Sim>>, Query(params): Query<Params>) -> Result<Response, OktaError> {
    let now = Utc::now();
    let limit = match params.get("limit") {
        Some(raw) if raw.trim() == "0" => 0,
        _ => page_limit(&params, 100, 1000)?,
    };
    let descending = match params.get("sortOrder").map(|s| s.to_ascii_uppercase()) {
        None => false,
        Some(s) if s == "ASCENDING" => false,
        Some(s) if s == "DESCENDING" => true,
        Some(other) => {
            return Err(OktaError::validation(format!("sortOrder: '{other}' is not ASCENDING or DESCENDING")));
        }
    };
    let until = params.get("until").map(|u| parse_time("until", u)).transpose()?;
    let since = params.get("since").map(|s| parse_time("since", s)).transpose()?;
    if let Some(since) = since
        && since < now - Duration::days(MAX_SINCE_DAYS)
    {
        return Err(OktaError::api(
            StatusCode::BAD_REQUEST,
            "E0000053",
            "Invalid parameter: since parameter is over 180 days prior to the current day.",
        ));
    }
    let filter = params.get("filter").map(|f| parse_log_filter(f)).transpose()?;
    let keywords = keywords(params.get("q"))?;
    let criteria = Criteria { filter: filter.as_ref(), keywords: &keywords, now };
    let logs = sim.logs.lock().expect("logs lock");
    let path = "/api/v1/logs";

    let (bodies, next, link_params) = if until.is_none() && !descending {
        // A polling query: ordered by persistence, and there is always a next link.
        let from_seq = match params.get("after").filter(|a| !a.is_empty()) {
            Some(cursor) => Some(sim.cursors.open("logs:poll", cursor, 1)?[0]),
            None => None,
        };
        let since = since.unwrap_or(now - Duration::days(DEFAULT_WINDOW_DAYS));
        let (events, next_seq) = logs.poll(from_seq, since, &criteria, limit);
        let bodies: Vec<&str> = events.iter().map(|e| e.json.as_str()).collect();
        let mut link_params = params.clone();
        link_params.remove("since");
        (bodies, Some(sim.cursors.seal("logs:poll", &[next_seq])), link_params)
    } else {
        let until = until.unwrap_or(now);
        let since = since.unwrap_or(until - Duration::days(DEFAULT_WINDOW_DAYS));
        let after = match params.get("after").filter(|a| !a.is_empty()) {
            Some(cursor) => {
                let p = sim.cursors.open("logs:bounded", cursor, 2)?;
                Some((p[0] as i64, p[1]))
            }
            None => None,
        };
        let (events, next) = logs.bounded(since, until, descending, after, &criteria, limit.max(1));
        let events = if limit == 0 { Vec::new() } else { events };
        let bodies: Vec<&str> = events.iter().map(|e| e.json.as_str()).collect();
        let next = next.filter(|_| limit > 0).map(|(ms, seq)| sim.cursors.seal("logs:bounded", &[ms as u64, seq]));
        (bodies, next, params.clone())
    };
    let mut body = String::with_capacity(bodies.iter().map(|b| b.len() + 1).sum::<usize>() + 2);
    body.push('[');
    for (i, event) in bodies.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(event);
    }
    body.push(']');
    drop(logs);
    let mut response = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    // `self` is the request as made; `next` carries the cursor instead of `since`.
    let mut links = vec![format!("<{}>; rel=\"self\"", url_with(&sim.base_url, path, &params, None))];
    if let Some(next) = &next {
        links.push(format!("<{}>; rel=\"next\"", url_with(&sim.base_url, path, &link_params, Some(next))));
    }
    for link in links {
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().append(header::LINK, value);
        }
    }
    Ok(response)
}
