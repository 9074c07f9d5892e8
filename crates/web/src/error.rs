//! One error type for every handler: a status, a machine code and a sentence for people.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What a request failed with. Internal failures are logged in full and answered with a generic
/// sentence, so nothing of the server's state (paths, SQL, secrets) reaches the client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    position: Option<(u64, u64)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), position: None }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn not_found(what: impl std::fmt::Display) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("{what} does not exist"))
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in first")
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn internal(context: &str, error: impl std::fmt::Display) -> ApiError {
        tracing::error!(%error, "{context}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("{context}; see the server log"))
    }
}

impl From<store::Error> for ApiError {
    fn from(error: store::Error) -> ApiError {
        match error.kind() {
            store::ErrorKind::Sql { message, position } => {
                ApiError { status: StatusCode::BAD_REQUEST, code: "sql", message: message.clone(), position: *position }
            }
            store::ErrorKind::Timeout => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                "the query ran past its time limit and was stopped; narrow it (WHERE, LIMIT) or raise query.timeout",
            ),
            store::ErrorKind::InvalidInput => ApiError::bad_request(error.to_string()),
            _ => ApiError::internal("the store failed", error),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({"error": self.code, "message": self.message});
        if let Some((line, column)) = self.position {
            body["position"] = json!({"line": line, "column": column});
        }
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The largest rejection text read back to be wrapped (axum's own messages are a line or two).
const REJECTION_TEXT_LIMIT: usize = 16 * 1024;

/// Gives axum's own rejections (a body that is not JSON, lacks a field, has the wrong content
/// type, a query string that does not parse) the API's `{error, message}` shape: clients handle
/// one error format, whatever refused the request.
pub async fn json_rejections(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(request).await;
    let code = match response.status() {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        _ => return response,
    };
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"))
        || response.headers().get(axum::http::header::CONTENT_TYPE).is_none();
    if !plain {
        return response;
    }
    let status = response.status();
    let text = match axum::body::to_bytes(response.into_body(), REJECTION_TEXT_LIMIT).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_string(),
        Err(_) => String::new(),
    };
    let message = if text.is_empty() { status.canonical_reason().unwrap_or("refused").to_string() } else { text };
    ApiError::new(status, code, message).into_response()
}
