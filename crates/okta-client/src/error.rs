/*!
The client's one error type: a [`ErrorKind`] to branch on, a message a person can act on, and the
request's context (method and path without the query, HTTP status, Okta `errorCode`,
`X-Okta-Request-Id`, attempts).

Invariant: no error ever holds a secret. Messages are built from fixed text, paths without their
query strings, and fields of Okta's error bodies, never from the credentials, tokens, assertions,
proofs or request headers.
*/

use std::fmt;
use std::time::Duration;

/// What went wrong, to branch on. Each variant has its own message in [`Error`]'s `Display`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The configuration cannot work (bad org URL, unreadable private key, bad limits).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Okta refused the credentials: 401 `E0000011` for an SSWS token, or a refused access token.
    #[error("the credentials were refused")]
    InvalidCredentials,
    /// The OAuth access token lacks a scope the endpoint requires (403 with
    /// `error="insufficient_scope"`); grant `scope` to the service app.
    #[error("the OAuth scope {scope} is missing")]
    MissingScope {
        /// The scope to grant, as Okta named it in `WWW-Authenticate`.
        scope: String,
    },
    /// 403 `E0000006`: the admin role behind the credentials may not read this kind of resource.
    #[error("permission denied")]
    Forbidden,
    /// 401 `E0000015`: the org does not have the feature (licence or setting), e.g. group owners.
    #[error("the feature is not enabled for the org")]
    FeatureNotEnabled,
    /// 404 `E0000007`: the object does not exist (e.g. deleted mid-scan); callers skip it.
    #[error("not found")]
    NotFound,
    /// Still 429 after every retry.
    #[error("rate limited")]
    RateLimited,
    /// Still a 5xx after every retry.
    #[error("server error (HTTP {status})")]
    Server {
        /// The last HTTP status.
        status: u16,
    },
    /// Okta refused the request itself (another 4xx: bad parameter, method, filter…).
    #[error("request rejected (HTTP {status})")]
    Rejected {
        /// The HTTP status.
        status: u16,
    },
    /// The org could not be reached: DNS, TLS, refused connection, or the connection kept dropping.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// No complete answer within the request timeout, on every attempt.
    #[error("timed out")]
    Timeout,
    /// The answer was not the JSON expected (HTML, cut off, wrong shape, paging loop), after retries.
    #[error("malformed response: {0}")]
    MalformedResponse(String),
    /// The org authorization server refused the client (`invalid_client`, `invalid_scope`, DPoP…).
    #[error("OAuth error {error}: {description}")]
    OAuth {
        /// The OAuth `error` code.
        error: String,
        /// Okta's `error_description`.
        description: String,
    },
}

/// An error of the Okta client: see [`ErrorKind`] for what to branch on. `Display` gives one
/// lowercase line that says what to do, with the request's context; it never contains a secret.
#[derive(Debug, Clone)]
pub struct Error(Box<Inner>);

#[derive(Debug, Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    method: Option<String>,
    path: Option<String>,
    status: Option<u16>,
    okta_code: Option<String>,
    request_id: Option<String>,
    summary: Option<String>,
    attempts: u32,
}

impl std::error::Error for Error {}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The HTTP status of the last response, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// Okta's `errorCode` (`E0000011`…), when the response had one.
    pub fn okta_code(&self) -> Option<&str> {
        self.0.okta_code.as_deref()
    }

    /// The `X-Okta-Request-Id` of the last response, for Okta support and the System Log.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// The path of the request (never its query string), when the error concerns one request.
    pub fn path(&self) -> Option<&str> {
        self.0.path.as_deref()
    }

    /// Okta's `errorSummary`, when the response had one.
    pub fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }

    /// How many attempts were made (0 when no request was sent).
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// The message without the request context.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub(crate) fn new(kind: ErrorKind, message: String) -> Error {
        Error(Box::new(Inner {
            kind,
            message,
            method: None,
            path: None,
            status: None,
            okta_code: None,
            request_id: None,
            summary: None,
            attempts: 0,
        }))
    }

    pub(crate) fn config(message: impl Into<String>) -> Error {
        let message = message.into();
        Error::new(ErrorKind::Config(message.clone()), format!("invalid configuration: {message}"))
    }

    pub(crate) fn malformed(detail: impl Into<String>) -> Error {
        let detail = detail.into();
        let message = format!(
            "the response from Okta could not be read: {detail}; retry later, and check that no proxy answers in Okta's place"
        );
        Error::new(ErrorKind::MalformedResponse(detail), message)
    }

    pub(crate) fn unreachable(origin: &str, reason: String) -> Error {
        let message = format!(
            "cannot reach {origin}: {reason}; check the org URL and the network path to it (DNS, proxy, firewall, TLS)"
        );
        Error::new(ErrorKind::Unreachable(reason), message)
    }

    pub(crate) fn timeout(timeout: Duration) -> Error {
        let message =
            format!("no answer from Okta within {}; check the network, or raise request_timeout", humanize(timeout));
        Error::new(ErrorKind::Timeout, message)
    }

    pub(crate) fn with_request(mut self, method: &str, path: &str) -> Error {
        self.0.method = Some(method.to_string());
        self.0.path = Some(path.to_string());
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Error {
        self.0.status = Some(status);
        self
    }

    pub(crate) fn with_request_id(mut self, request_id: Option<String>) -> Error {
        if request_id.is_some() {
            self.0.request_id = request_id;
        }
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Error {
        self.0.attempts = attempts;
        self
    }

    /// Builds the error for a non-success response. `oauth` says whether the request carried an
    /// OAuth access token (not an SSWS token), which changes what a 401 means.
    pub(crate) fn from_response(
        status: u16,
        www_authenticate: Option<&str>,
        body: &[u8],
        path: &str,
        oauth: bool,
    ) -> Error {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let field =
            |name: &str| parsed.as_ref().and_then(|v| v.get(name)).and_then(|v| v.as_str()).map(|s| clean(s, 300));
        let okta_code = field("errorCode");
        let summary = field("errorSummary");
        let challenge = www_authenticate.map(parse_challenge).unwrap_or_default();
        let challenge_param =
            |name: &str| challenge.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| clean(v, 300));

        let (kind, message) = if let Some(error) = challenge_param("error") {
            let description = challenge_param("error_description").unwrap_or_default();
            match error.as_str() {
                "insufficient_scope" => {
                    let scope = challenge_param("scope").unwrap_or_else(|| "(not named by okta)".to_string());
                    missing_scope(scope)
                }
                "invalid_token" => invalid_access_token(&description),
                _ => oauth_error(error, description),
            }
        } else {
            match okta_code.as_deref() {
                Some("E0000011" | "E0000004" | "E0000005") if !oauth => invalid_api_token(),
                Some("E0000011" | "E0000004" | "E0000005") => invalid_access_token(""),
                Some("E0000006") => forbidden(path),
                Some("E0000015") => feature_not_enabled(path),
                Some("E0000007") => not_found(path),
                Some("E0000047") => rate_limited(),
                Some(_) => by_status(status, path, oauth, summary.as_deref()),
                None => match (field("error"), field("error_description")) {
                    (Some(error), description) => oauth_error(error, description.unwrap_or_default()),
                    (None, _) => by_status(status, path, oauth, summary.as_deref()),
                },
            }
        };
        let mut error = Error::new(kind, message).with_status(status);
        error.0.okta_code = okta_code;
        error.0.summary = summary;
        error
    }
}

fn by_status(status: u16, path: &str, oauth: bool, summary: Option<&str>) -> (ErrorKind, String) {
    match status {
        401 if oauth => invalid_access_token(""),
        401 => invalid_api_token(),
        403 => forbidden(path),
        404 => not_found(path),
        429 => rate_limited(),
        500..=599 => server(status),
        _ => {
            let detail = summary.map(|s| format!(": {s}")).unwrap_or_default();
            (
                ErrorKind::Rejected { status },
                format!("the request was rejected (HTTP {status}){detail}; check the path and its parameters"),
            )
        }
    }
}

fn invalid_api_token() -> (ErrorKind, String) {
    (
        ErrorKind::InvalidCredentials,
        "the API token is invalid or expired; create a new one (Security > API > Tokens) and update the configuration"
            .to_string(),
    )
}

fn invalid_access_token(description: &str) -> (ErrorKind, String) {
    let detail = if description.is_empty() { String::new() } else { format!(" ({description})") };
    (
        ErrorKind::InvalidCredentials,
        format!(
            "the OAuth access token was refused{detail}; check that the service app is active and still has its key and scopes"
        ),
    )
}

fn missing_scope(scope: String) -> (ErrorKind, String) {
    let message = format!(
        "the service app has not been granted the OAuth scope {scope}; grant it on the app's Okta API Scopes tab and include it in the configured scopes"
    );
    (ErrorKind::MissingScope { scope }, message)
}

fn forbidden(path: &str) -> (ErrorKind, String) {
    (
        ErrorKind::Forbidden,
        format!(
            "the admin role behind these credentials may not read {path}; give the token's admin (or the service app) a role that can read this kind of resource, such as Read-Only Administrator"
        ),
    )
}

fn feature_not_enabled(path: &str) -> (ErrorKind, String) {
    (
        ErrorKind::FeatureNotEnabled,
        format!(
            "the org does not have the feature behind {path} (not licensed or not enabled); skip this data, or enable the feature in Okta"
        ),
    )
}

fn not_found(path: &str) -> (ErrorKind, String) {
    (ErrorKind::NotFound, format!("no object at {path}; it was probably deleted meanwhile, so skip it"))
}

fn rate_limited() -> (ErrorKind, String) {
    (
        ErrorKind::RateLimited,
        "still rate limited (429 Too Many Requests) after retrying; lower rate_limit_share or max_concurrency, or try again later"
            .to_string(),
    )
}

fn server(status: u16) -> (ErrorKind, String) {
    (ErrorKind::Server { status }, format!("server error from Okta (HTTP {status}); try again later"))
}

fn oauth_error(error: String, description: String) -> (ErrorKind, String) {
    let hint = match error.as_str() {
        "invalid_client" => {
            "check the client id, that the private key matches the public key registered on the service app, and its key id (kid)"
        }
        "invalid_scope" => {
            "grant the scopes to the service app (Okta API Scopes tab) or remove them from the configured scopes"
        }
        "unauthorized_client" => "the app must be an API service app allowed to use the client credentials grant",
        "invalid_dpop_proof" => "check that this computer's clock is correct",
        "use_dpop_nonce" => "Okta kept asking for a new DPoP nonce; try again",
        _ => "check the service app's settings in Okta",
    };
    let description_part = if description.is_empty() { String::new() } else { format!(" ({description})") };
    let message = format!("the Okta authorization server refused the client: {error}{description_part}; {hint}");
    (ErrorKind::OAuth { error, description }, message)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)?;
        let mut parts: Vec<String> = Vec::new();
        if let (Some(method), Some(path)) = (&self.0.method, &self.0.path) {
            parts.push(format!("{method} {path}"));
        }
        let mut response = Vec::new();
        if let Some(status) = self.0.status {
            response.push(format!("HTTP {status}"));
        }
        if let Some(code) = &self.0.okta_code {
            response.push(code.clone());
        }
        if let Some(id) = &self.0.request_id {
            response.push(format!("request id {id}"));
        }
        if !response.is_empty() {
            parts.push(response.join(" "));
        }
        if self.0.attempts > 1 {
            parts.push(format!("{} attempts", self.0.attempts));
        }
        if !parts.is_empty() {
            write!(f, " [{}]", parts.join(", "))?;
        }
        Ok(())
    }
}

/// `1.5s`, `300ms`.
pub(crate) fn humanize(d: Duration) -> String {
    if d.as_millis() < 1000 { format!("{}ms", d.as_millis()) } else { format!("{:.1}s", d.as_secs_f64()) }
}

/// Text from a response, on one line and bounded, before it goes into a message.
fn clean(text: &str, max: usize) -> String {
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// The `key="value"` parameters of a `WWW-Authenticate` challenge (the scheme is skipped).
pub(crate) fn parse_challenge(header: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let rest = header.trim();
    // Skip the scheme token (`Bearer`, `DPoP`) when it is followed by a space.
    let mut rest = match rest.split_once(' ') {
        Some((scheme, tail)) if !scheme.contains('=') => tail,
        _ => rest,
    };
    loop {
        rest = rest.trim_start_matches([' ', ',']);
        if rest.is_empty() {
            break;
        }
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_string();
        rest = &rest[eq + 1..];
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            out.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    _ => out.push(c),
                }
            }
            value = out;
            rest = &quoted[end.min(quoted.len())..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_string();
            rest = &rest[end..];
        }
        params.push((key, value));
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    fn okta_body(code: &str, summary: &str) -> Vec<u8> {
        serde_json::json!({"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oae1", "errorCauses": []})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn challenge_parameters_are_read() {
        let header = r#"Bearer authorization_uri="https://acme.okta.com/oauth2/v1/authorize", realm="https://acme.okta.com", scope="okta.groups.read", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="/api/v1/groups""#;
        let params = parse_challenge(header);
        let get = |k: &str| params.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("scope"), Some("okta.groups.read"));
        assert_eq!(get("error"), Some("insufficient_scope"));
        assert_eq!(get("resource"), Some("/api/v1/groups"));
        let dpop = parse_challenge(
            r#"DPoP algs="RS256 ES256", error="invalid_dpop_proof", error_description="a \"quoted\" word""#,
        );
        assert_eq!(dpop[0], ("algs".to_string(), "RS256 ES256".to_string()));
        assert_eq!(dpop[2].1, "a \"quoted\" word");
        assert_eq!(parse_challenge("Bearer error=invalid_token, scope=x")[1], ("scope".into(), "x".into()));
    }

    #[test]
    fn okta_error_codes_map_to_kinds() {
        let e =
            Error::from_response(401, None, &okta_body("E0000011", "Invalid token provided"), "/api/v1/users", false);
        assert_eq!(e.kind(), &ErrorKind::InvalidCredentials);
        assert_eq!(e.okta_code(), Some("E0000011"));
        assert!(e.to_string().starts_with("the API token is invalid or expired; create a new one"));

        let e = Error::from_response(
            403,
            None,
            &okta_body("E0000006", "You do not have permission"),
            "/api/v1/iam/roles",
            false,
        );
        assert_eq!(e.kind(), &ErrorKind::Forbidden);
        assert!(e.to_string().contains("/api/v1/iam/roles"));

        let e = Error::from_response(401, None, &okta_body("E0000015", "feature"), "/api/v1/groups/00g1/owners", false);
        assert_eq!(e.kind(), &ErrorKind::FeatureNotEnabled);

        let e = Error::from_response(404, None, &okta_body("E0000007", "Not found: x"), "/api/v1/users/00u1", false);
        assert_eq!(e.kind(), &ErrorKind::NotFound);

        let e =
            Error::from_response(400, None, &okta_body("E0000031", "Invalid search criteria."), "/api/v1/users", false);
        assert_eq!(e.kind(), &ErrorKind::Rejected { status: 400 });
        assert!(e.to_string().contains("Invalid search criteria."));

        let e = Error::from_response(502, None, b"<html>bad gateway</html>", "/api/v1/users", false);
        assert_eq!(e.kind(), &ErrorKind::Server { status: 502 });
        assert_eq!(e.status(), Some(502));
    }

    #[test]
    fn missing_scope_names_the_scope_from_the_challenge_with_an_empty_body() {
        let header =
            r#"Bearer realm="x", scope="okta.groups.read", error="insufficient_scope", error_description="no""#;
        let e = Error::from_response(403, Some(header), b"", "/api/v1/groups", true);
        assert_eq!(e.kind(), &ErrorKind::MissingScope { scope: "okta.groups.read".into() });
        assert!(e.to_string().contains("grant it"));
        assert!(e.to_string().contains("okta.groups.read"));
    }

    #[test]
    fn oauth_bodies_become_oauth_errors() {
        let body = br#"{"error":"invalid_client","error_description":"The client_assertion signature is invalid."}"#;
        let e = Error::from_response(401, None, body, "/oauth2/v1/token", true);
        assert_eq!(
            e.kind(),
            &ErrorKind::OAuth {
                error: "invalid_client".into(),
                description: "The client_assertion signature is invalid.".into()
            }
        );
        assert!(e.to_string().contains("private key"));
        let e = Error::from_response(
            401,
            Some(r#"DPoP error="invalid_token", error_description="expired""#),
            b"",
            "/api/v1/users",
            true,
        );
        assert_eq!(e.kind(), &ErrorKind::InvalidCredentials);
    }

    #[test]
    fn display_carries_context_and_stays_lowercase() {
        let e =
            Error::from_response(401, None, &okta_body("E0000011", "Invalid token provided"), "/api/v1/users", false)
                .with_request("GET", "/api/v1/users")
                .with_request_id(Some("req123".into()))
                .with_attempts(1);
        assert_eq!(
            e.to_string(),
            "the API token is invalid or expired; create a new one (Security > API > Tokens) and update the configuration [GET /api/v1/users, HTTP 401 E0000011 request id req123]"
        );
        let t = Error::timeout(Duration::from_millis(300)).with_attempts(3);
        assert!(t.to_string().starts_with("no answer from Okta within 300ms"));
        assert!(t.to_string().ends_with("[3 attempts]"));
    }
}
