//! Okta's error responses, byte for byte in Okta's shapes.
//!
//! Management API errors carry the `{errorCode, errorSummary, errorLink, errorId, errorCauses}`
//! body; OAuth errors (token endpoint, DPoP, scopes) carry `{error, error_description}` and/or a
//! `WWW-Authenticate` header, as Okta sends them.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A response the simulator sends instead of the resource asked for.
#[derive(Debug, Clone)]
pub enum OktaError {
    /// A management API error with an `E00000xx` code.
    Api { status: StatusCode, code: &'static str, summary: String, causes: Vec<String> },
    /// An RFC 6749 OAuth error body, optionally with a `dpop-nonce` header.
    OAuth { status: StatusCode, error: &'static str, description: String, dpop_nonce: Option<String> },
    /// A resource-server challenge: status, `WWW-Authenticate` value and an empty body.
    Challenge { status: StatusCode, www_authenticate: String },
}

impl OktaError {
    pub fn api(status: StatusCode, code: &'static str, summary: impl Into<String>) -> OktaError {
        OktaError::Api { status, code, summary: summary.into(), causes: Vec::new() }
    }

    pub fn with_cause(mut self, cause: impl Into<String>) -> OktaError {
        if let OktaError::Api { causes, .. } = &mut self {
            causes.push(cause.into());
        }
        self
    }

    /// 404 E0000007 for an object or path that does not exist.
    pub fn not_found(what: impl std::fmt::Display) -> OktaError {
        OktaError::api(StatusCode::NOT_FOUND, "E0000007", format!("Not found: {what}"))
    }

    /// 400 E0000031 for a filter or search expression Okta would refuse.
    pub fn invalid_search(detail: impl Into<String>) -> OktaError {
        OktaError::api(StatusCode::BAD_REQUEST, "E0000031", "Invalid search criteria.").with_cause(detail)
    }

    /// 400 E0000001 for a parameter that fails validation (e.g. a forged `after` cursor).
    pub fn validation(detail: impl Into<String>) -> OktaError {
        let detail = detail.into();
        OktaError::api(StatusCode::BAD_REQUEST, "E0000001", format!("Api validation failed: {detail}"))
            .with_cause(detail)
    }

    pub fn invalid_token() -> OktaError {
        OktaError::api(StatusCode::UNAUTHORIZED, "E0000011", "Invalid token provided")
    }

    pub fn forbidden() -> OktaError {
        OktaError::api(StatusCode::FORBIDDEN, "E0000006", "You do not have permission to perform the requested action")
    }

    pub fn feature_missing() -> OktaError {
        OktaError::api(
            StatusCode::UNAUTHORIZED,
            "E0000015",
            "You do not have permission to access the feature you are requesting",
        )
    }

    pub fn rate_limited() -> OktaError {
        OktaError::api(
            StatusCode::TOO_MANY_REQUESTS,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        )
    }

    pub fn oauth(status: StatusCode, error: &'static str, description: impl Into<String>) -> OktaError {
        OktaError::OAuth { status, error, description: description.into(), dpop_nonce: None }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            OktaError::Api { status, .. } | OktaError::OAuth { status, .. } | OktaError::Challenge { status, .. } => {
                *status
            }
        }
    }
}

impl IntoResponse for OktaError {
    fn into_response(self) -> Response {
        match self {
            OktaError::Api { status, code, summary, causes } => {
                let body = json!({
                    "errorCode": code,
                    "errorSummary": summary,
                    "errorLink": code,
                    "errorId": format!("oae{}", crate::server::random_alnum(22)),
                    "errorCauses": causes.iter().map(|c| json!({"errorSummary": c})).collect::<Vec<_>>(),
                });
                (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
            }
            OktaError::OAuth { status, error, description, dpop_nonce } => {
                let body = json!({"error": error, "error_description": description});
                let mut response =
                    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
                if let Some(nonce) = dpop_nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
                    response.headers_mut().insert("dpop-nonce", nonce);
                }
                response
            }
            OktaError::Challenge { status, www_authenticate } => {
                let mut response = status.into_response();
                if let Ok(value) = HeaderValue::from_str(&www_authenticate) {
                    response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
                }
                response
            }
        }
    }
}
