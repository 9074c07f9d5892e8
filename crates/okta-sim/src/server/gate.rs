//! What every API request passes through before its handler, in Okta's order: a request id,
//! injected faults, the rate limiter, then authentication.

use super::Sim;
use super::auth::Presented;
use super::error::OktaError;
use super::faults::FaultKind;
use super::ratelimit::{Admission, bucket_for};
use crate::org::ApiArea;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The permission area of an API path, or `None` for paths that need no credentials.
pub fn area_of(path: &str) -> Option<ApiArea> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    Some(match segments.as_slice() {
        ["api", "v1", "users", _, "roles", ..] | ["api", "v1", "groups", _, "roles", ..] => ApiArea::Roles,
        ["api", "v1", "users", ..] => ApiArea::Users,
        ["api", "v1", "groups", ..] => ApiArea::Groups,
        ["api", "v1", "apps", ..] => ApiArea::Apps,
        ["api", "v1", "iam", ..] | ["oauth2", "v1", "clients", ..] => ApiArea::Roles,
        ["api", "v1", "api-tokens", ..] => ApiArea::ApiTokens,
        ["api", "v1", "logs", ..] => ApiArea::Logs,
        _ => return None,
    })
}

pub async fn gate(State(sim): State<Arc<Sim>>, request: Request, next: Next) -> Response {
    let request_id = super::random_alnum(24);
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();

    let fault = sim.faults.take(&method, &path);
    let mut response = match fault {
        Some(FaultKind::Status { status }) => fault_status(status),
        Some(FaultKind::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            fault_status(504)
        }
        Some(FaultKind::MalformedJson) => {
            ([(header::CONTENT_TYPE, "application/json")], "[{\"id\": \"00u1abcdEFGHijklm0h7\", \"status\": ")
                .into_response()
        }
        Some(FaultKind::Html) => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>Please try again later</h1></body></html>",
        )
            .into_response(),
        Some(FaultKind::Reset) => {
            let broken = futures_broken_body();
            let mut response = Response::new(broken);
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Some(FaultKind::Delay { ms }) => {
            admit_and_run(&sim, request, next, &method, &path, Duration::from_millis(ms)).await
        }
        Some(FaultKind::Truncated) => {
            let full = admit_and_run(&sim, request, next, &method, &path, Duration::ZERO).await;
            let (parts, body) = full.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let cut = bytes.slice(0..bytes.len() / 2);
            let mut response = Response::from_parts(parts, Body::from(cut));
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response
        }
        None => admit_and_run(&sim, request, next, &method, &path, Duration::ZERO).await,
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-okta-request-id", value);
    }
    response
}

fn fault_status(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let error = match status.as_u16() {
        503 => OktaError::api(status, "E0000010", "Service is in read only mode"),
        429 => OktaError::rate_limited(),
        404 => OktaError::not_found("Resource (injected fault)"),
        s if s >= 500 => OktaError::api(status, "E0000009", "Internal Server Error"),
        _ => OktaError::api(status, "E0000001", "Api validation failed"),
    };
    error.into_response()
}

/// A body that fails after the headers went out: the client sees the connection drop mid-response.
fn futures_broken_body() -> Body {
    let chunks: Vec<Result<&'static str, std::io::Error>> =
        vec![Ok("[{\"id\":\"00u"), Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected reset"))];
    Body::from_stream(tokio_stream_iter(chunks))
}

fn tokio_stream_iter(
    items: Vec<Result<&'static str, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<&'static str, std::io::Error>> + Send {
    struct Iter(std::vec::IntoIter<Result<&'static str, std::io::Error>>);
    impl futures_core::Stream for Iter {
        type Item = Result<&'static str, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
    Iter(items.into_iter())
}

/// Admits the request, then (after `slow_by`, a slow upstream holding its concurrency slot) runs it.
async fn admit_and_run(
    sim: &Arc<Sim>,
    mut request: Request,
    next: Next,
    method: &str,
    path: &str,
    slow_by: Duration,
) -> Response {
    let bucket = bucket_for(method, path);
    let (admission, _slot) = sim.limiter.admit(bucket, SystemTime::now());
    if !slow_by.is_zero() {
        tokio::time::sleep(slow_by).await;
    }
    let mut response = match admission {
        Admission::OverBudget { .. } | Admission::OverConcurrency { .. } => OktaError::rate_limited().into_response(),
        Admission::Unlimited | Admission::Allowed { .. } => match authenticate(sim, &request, path) {
            Err(error) => error.into_response(),
            Ok(caller) => {
                if let Some(caller) = caller {
                    request.extensions_mut().insert(caller);
                }
                next.run(request).await
            }
        },
    };
    let (limit, remaining, reset) = match admission {
        Admission::Unlimited => return response,
        Admission::Allowed { limit, remaining, reset } => (limit, remaining, reset),
        Admission::OverBudget { limit, reset } => (limit, 0, reset),
        Admission::OverConcurrency { reset } => (0, 0, reset),
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-rate-limit-limit", limit as u64),
        ("x-rate-limit-remaining", remaining as u64),
        ("x-rate-limit-reset", reset),
    ] {
        headers.insert(name, HeaderValue::from(value));
    }
    response
}

fn authenticate(sim: &Sim, request: &Request, path: &str) -> Result<Option<super::auth::Caller>, OktaError> {
    let Some(area) = area_of(path) else { return Ok(None) };
    let headers: &HeaderMap = request.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let presented = Presented {
        authorization: headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()),
        dpop: headers.get("dpop").and_then(|v| v.to_str().ok()),
        method: request.method().as_str(),
        url_without_query: format!("http://{host}{path}"),
        path,
    };
    let view = sim.view();
    sim.auth.authenticate(&view.org, &view.index, &sim.base_url, &presented, area).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_follow_the_scopes_okta_requires() {
        assert_eq!(area_of("/api/v1/users"), Some(ApiArea::Users));
        assert_eq!(area_of("/api/v1/users/00u1/factors"), Some(ApiArea::Users));
        assert_eq!(area_of("/api/v1/users/00u1/roles"), Some(ApiArea::Roles));
        assert_eq!(area_of("/api/v1/groups/00g1/roles/ra1/targets/groups"), Some(ApiArea::Roles));
        assert_eq!(area_of("/oauth2/v1/clients/0oa1/roles"), Some(ApiArea::Roles));
        assert_eq!(area_of("/api/v1/iam/resource-sets"), Some(ApiArea::Roles));
        assert_eq!(area_of("/api/v1/api-tokens"), Some(ApiArea::ApiTokens));
        assert_eq!(area_of("/oauth2/v1/token"), None);
    }
}
