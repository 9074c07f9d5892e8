//! Authentication as Okta does it: SSWS API tokens, and OAuth 2.0 client credentials with
//! `private_key_jwt` and DPoP (RFC 9449) against the org authorization server.

use crate::org::{ApiArea, Org};
use crate::server::error::OktaError;
use crate::server::index::OrgIndex;
use aws_lc_rs::digest;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Access tokens live one hour, fixed, as Okta's do.
pub const ACCESS_TOKEN_SECONDS: i64 = 3600;
/// A DPoP proof may be at most five minutes old.
const PROOF_MAX_AGE_SECONDS: i64 = 300;
/// Clock skew tolerated for proofs and assertions issued in the future.
const CLOCK_SKEW_SECONDS: i64 = 60;
/// Signature algorithms Okta accepts for assertions and proofs.
const ASYMMETRIC: [Algorithm; 6] =
    [Algorithm::RS256, Algorithm::RS384, Algorithm::RS512, Algorithm::ES256, Algorithm::ES384, Algorithm::PS256];
const DPOP_ALGS: &str = "RS256 RS384 RS512 ES256 ES384 ES512";

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Caller {
    /// An SSWS token, by index into the org's tokens.
    ApiToken { token: usize },
    /// An OAuth access token of a service app.
    OAuth { client_id: String },
}

#[derive(Debug, Clone)]
struct AccessToken {
    client_id: String,
    scopes: Vec<String>,
    expires: i64,
    /// Thumbprint of the DPoP key the token is bound to.
    jkt: Option<String>,
}

/// Token, replay and nonce state of the org authorization server.
pub struct AuthState {
    tokens: Mutex<HashMap<String, AccessToken>>,
    /// jti values already used, with when they may be forgotten.
    seen_jti: Mutex<HashMap<String, i64>>,
    nonce: Mutex<String>,
}

/// What a request presents.
pub struct Presented<'a> {
    pub authorization: Option<&'a str>,
    pub dpop: Option<&'a str>,
    pub method: &'a str,
    /// `scheme://host/path`, no query: what `htu` must equal.
    pub url_without_query: String,
    pub path: &'a str,
}

fn sha256_b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, data).as_ref())
}

impl Default for AuthState {
    fn default() -> Self {
        AuthState {
            tokens: Mutex::new(HashMap::new()),
            seen_jti: Mutex::new(HashMap::new()),
            nonce: Mutex::new(crate::server::random_alnum(32)),
        }
    }
}

impl AuthState {
    pub fn current_nonce(&self) -> String {
        self.nonce.lock().expect("nonce lock").clone()
    }

    /// Records a jti; false when it was used before (replay).
    fn first_use(&self, jti: &str, forget_after: i64) -> bool {
        let now = Utc::now().timestamp();
        let mut seen = self.seen_jti.lock().expect("jti lock");
        if seen.len() > 100_000 {
            seen.retain(|_, until| *until > now);
        }
        if seen.contains_key(jti) {
            return false;
        }
        seen.insert(jti.to_string(), forget_after);
        true
    }

    /// Checks the credentials of a management API request for `area`.
    pub fn authenticate(
        &self,
        org: &Org,
        index: &OrgIndex,
        base_url: &str,
        presented: &Presented,
        area: ApiArea,
    ) -> Result<Caller, OktaError> {
        let Some(authorization) = presented.authorization else {
            return Err(OktaError::api(StatusCode::FORBIDDEN, "E0000005", "Invalid session"));
        };
        let (scheme, credential) = split_scheme(authorization);
        match scheme.to_ascii_uppercase().as_str() {
            "SSWS" => {
                let token = *index.token_by_secret.get(credential).ok_or_else(OktaError::invalid_token)?;
                let owner = &org.users[org.api_tokens[token].user];
                if owner.deleted || owner.status != crate::org::UserStatus::Active {
                    // Okta deprovisions a token whose creator is deactivated.
                    return Err(OktaError::invalid_token());
                }
                if org.api_tokens[token].denied.contains(&area) {
                    return Err(OktaError::forbidden());
                }
                Ok(Caller::ApiToken { token })
            }
            "BEARER" | "DPOP" => {
                let is_dpop = scheme.eq_ignore_ascii_case("DPoP");
                let token = self.tokens.lock().expect("tokens lock").get(credential).cloned();
                let challenge_scheme = if is_dpop { "DPoP" } else { "Bearer" };
                let challenge = |status: StatusCode, error: &str, description: &str| OktaError::Challenge {
                    status,
                    www_authenticate: format!(
                        "{challenge_scheme} {}authorization_uri=\"{base_url}/oauth2/v1/authorize\", realm=\"{base_url}\", scope=\"{}\", error=\"{error}\", error_description=\"{description}\", resource=\"{}\"",
                        if is_dpop { format!("algs=\"{DPOP_ALGS}\", ") } else { String::new() },
                        area.read_scope(),
                        presented.path
                    ),
                };
                let Some(token) = token.filter(|t| t.expires > Utc::now().timestamp()) else {
                    return Err(challenge(StatusCode::UNAUTHORIZED, "invalid_token", "The access token is invalid."));
                };
                if let Some(jkt) = &token.jkt {
                    if !is_dpop {
                        return Err(challenge(
                            StatusCode::BAD_REQUEST,
                            "invalid_request",
                            "The DPoP-bound access token must be sent with the DPoP authentication scheme.",
                        ));
                    }
                    let proof = presented.dpop.ok_or_else(|| {
                        challenge(
                            StatusCode::BAD_REQUEST,
                            "invalid_dpop_proof",
                            "The DPoP proof JWT header is missing.",
                        )
                    })?;
                    let checked = self
                        .verify_proof(proof, presented.method, &presented.url_without_query, Some(credential))
                        .map_err(|why| challenge(StatusCode::BAD_REQUEST, "invalid_dpop_proof", &why))?;
                    if &checked.jkt != jkt {
                        return Err(challenge(
                            StatusCode::UNAUTHORIZED,
                            "invalid_token",
                            "The access token is not bound to the key of the DPoP proof.",
                        ));
                    }
                } else if is_dpop {
                    return Err(challenge(
                        StatusCode::UNAUTHORIZED,
                        "invalid_token",
                        "The access token is not DPoP bound.",
                    ));
                }
                if !token.scopes.iter().any(|s| s == area.read_scope()) {
                    return Err(challenge(
                        StatusCode::FORBIDDEN,
                        "insufficient_scope",
                        "The access token provided does not contain the required scopes.",
                    ));
                }
                Ok(Caller::OAuth { client_id: token.client_id })
            }
            _ => Err(OktaError::invalid_token()),
        }
    }

    /// `POST /oauth2/v1/token`: client credentials with a `private_key_jwt` assertion.
    pub fn token_request(
        &self,
        org: &Org,
        index: &OrgIndex,
        token_url: &str,
        form: &HashMap<String, String>,
        dpop: Option<&str>,
    ) -> Result<Value, OktaError> {
        let invalid_client = |why: &str| OktaError::oauth(StatusCode::UNAUTHORIZED, "invalid_client", why.to_string());
        require_grant_type(form, "client_credentials")?;
        if form.get("client_assertion_type").map(String::as_str)
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return Err(invalid_client(
                "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.",
            ));
        }
        let assertion =
            form.get("client_assertion").ok_or_else(|| invalid_client("The client_assertion is missing."))?;
        let header = jsonwebtoken::decode_header(assertion)
            .map_err(|_| invalid_client("The client_assertion is not a valid JWT."))?;
        let unverified: Value = jsonwebtoken::dangerous::insecure_decode_claims(assertion)
            .map_err(|_| invalid_client("The client_assertion is not a valid JWT."))?;
        let client_id = unverified.get("iss").and_then(Value::as_str).unwrap_or_default().to_string();
        if form.get("client_id").is_some_and(|c| *c != client_id) {
            return Err(invalid_client("The client_id does not match the client_assertion issuer."));
        }
        let client = org
            .oauth_clients
            .iter()
            .find(|c| c.client_id == client_id && index.app_by_id.contains_key(&org.apps[c.app].id))
            .ok_or_else(|| {
                invalid_client("Client authentication failed. Either the client or the client credentials are invalid.")
            })?;
        if !ASYMMETRIC.contains(&header.alg) {
            return Err(invalid_client("The client_assertion signature algorithm is not allowed."));
        }
        let keys: Vec<&Value> = client
            .public_jwks
            .iter()
            .filter(|k| header.kid.is_none() || k.get("kid").and_then(Value::as_str) == header.kid.as_deref())
            .collect();
        if keys.is_empty() {
            return Err(invalid_client("The client_assertion kid does not match any registered key."));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&[token_url]);
        validation.set_issuer(&[&client_id]);
        validation.sub = Some(client_id.clone());
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        let mut claims: Option<Value> = None;
        let mut last_error = String::from("The client_assertion signature is invalid.");
        for key in keys {
            let Ok(jwk) = serde_json::from_value::<Jwk>(key.clone()) else { continue };
            let Ok(decoding) = DecodingKey::from_jwk(&jwk) else { continue };
            match jsonwebtoken::decode::<Value>(assertion, &decoding, &validation) {
                Ok(data) => {
                    claims = Some(data.claims);
                    break;
                }
                Err(e) => {
                    last_error = match e.kind() {
                        jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                            "The client_assertion token is expired.".into()
                        }
                        jsonwebtoken::errors::ErrorKind::InvalidAudience => {
                            format!(
                                "The audience claim for client_assertion must be the endpoint invoked for the request: '{token_url}'."
                            )
                        }
                        jsonwebtoken::errors::ErrorKind::InvalidIssuer
                        | jsonwebtoken::errors::ErrorKind::InvalidSubject => {
                            "The issuer and subject claims of the client_assertion must be the client_id.".into()
                        }
                        jsonwebtoken::errors::ErrorKind::MissingRequiredClaim(c) => {
                            format!("The client_assertion is missing the '{c}' claim.")
                        }
                        _ => "The client_assertion signature is invalid.".into(),
                    }
                }
            }
        }
        let claims = claims.ok_or_else(|| invalid_client(&last_error))?;
        let now = Utc::now().timestamp();
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        if exp > now + ACCESS_TOKEN_SECONDS + CLOCK_SKEW_SECONDS {
            return Err(invalid_client("The client_assertion token has an expiration too far into the future."));
        }
        if claims.get("iat").and_then(Value::as_i64).is_some_and(|iat| iat > now + CLOCK_SKEW_SECONDS) {
            return Err(invalid_client("The client_assertion token was issued in the future."));
        }
        // The assertion is consumed here, before any DPoP challenge: a nonce retry needs a fresh one.
        if let Some(jti) = claims.get("jti").and_then(Value::as_str)
            && !self.first_use(&format!("assertion:{client_id}:{jti}"), exp)
        {
            return Err(invalid_client("The client_assertion token has already been used."));
        }

        let jkt = if client.dpop_required {
            let proof = dpop.ok_or_else(|| {
                OktaError::oauth(StatusCode::BAD_REQUEST, "invalid_dpop_proof", "The DPoP proof JWT header is missing.")
            })?;
            let checked = self
                .verify_proof(proof, "POST", token_url, None)
                .map_err(|why| OktaError::oauth(StatusCode::BAD_REQUEST, "invalid_dpop_proof", why))?;
            if checked.nonce.as_deref() != Some(self.current_nonce().as_str()) {
                return Err(OktaError::OAuth {
                    status: StatusCode::BAD_REQUEST,
                    error: "use_dpop_nonce",
                    description: "Authorization server requires nonce in DPoP proof.".into(),
                    dpop_nonce: Some(self.current_nonce()),
                });
            }
            Some(checked.jkt)
        } else {
            None
        };

        let requested: Vec<String> =
            form.get("scope").map(|s| s.split_whitespace().map(str::to_string).collect()).unwrap_or_default();
        if requested.is_empty() {
            return Err(OktaError::oauth(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
            ));
        }
        let missing: Vec<&str> = requested.iter().filter(|s| !client.scopes.contains(s)).map(String::as_str).collect();
        if !missing.is_empty() {
            return Err(OktaError::oauth(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                format!("The following scopes are not granted to the client: {}.", missing.join(" ")),
            ));
        }
        let access_token = crate::server::random_alnum(64);
        let token_type = if jkt.is_some() { "DPoP" } else { "Bearer" };
        self.tokens.lock().expect("tokens lock").insert(
            access_token.clone(),
            AccessToken { client_id, scopes: requested.clone(), expires: now + ACCESS_TOKEN_SECONDS, jkt },
        );
        Ok(serde_json::json!({
            "token_type": token_type,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "access_token": access_token,
            "scope": requested.join(" ")
        }))
    }

    /// Verifies a DPoP proof for `method` on `url`; with `access_token`, also its `ath`.
    fn verify_proof(
        &self,
        proof: &str,
        method: &str,
        url: &str,
        access_token: Option<&str>,
    ) -> Result<CheckedProof, String> {
        let raw_header = proof.split('.').next().unwrap_or_default();
        let header_json: Value = URL_SAFE_NO_PAD
            .decode(raw_header)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or("The DPoP proof JWT is malformed.")?;
        if header_json.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
            return Err("The DPoP proof JWT 'typ' header must be 'dpop+jwt'.".into());
        }
        let jwk_json = header_json.get("jwk").ok_or("The DPoP proof JWT header is missing the 'jwk'.")?;
        if jwk_json.get("d").is_some() {
            return Err("The DPoP proof 'jwk' header must not contain a private key.".into());
        }
        let header = jsonwebtoken::decode_header(proof).map_err(|_| "The DPoP proof JWT is malformed.")?;
        if !ASYMMETRIC.contains(&header.alg) {
            return Err("The DPoP proof JWT 'alg' header must be an asymmetric algorithm.".into());
        }
        let jwk: Jwk =
            serde_json::from_value(jwk_json.clone()).map_err(|_| "The DPoP proof 'jwk' header is not a valid key.")?;
        let key = DecodingKey::from_jwk(&jwk).map_err(|_| "The DPoP proof 'jwk' header is not a valid key.")?;
        let mut validation = Validation::new(header.alg);
        validation.required_spec_claims = HashSet::new();
        validation.validate_exp = false;
        validation.validate_aud = false;
        let claims = jsonwebtoken::decode::<Value>(proof, &key, &validation)
            .map_err(|_| "The DPoP proof JWT signature is invalid.")?
            .claims;
        let claim = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_string);
        if claim("htm").as_deref() != Some(method) {
            return Err("The DPoP proof 'htm' claim does not match the HTTP method.".into());
        }
        let htu = claim("htu").ok_or("The DPoP proof 'htu' claim is missing.")?;
        if !same_url(&htu, url) {
            return Err("'htu' claim in the DPoP proof JWT is invalid.".into());
        }
        let now = Utc::now().timestamp();
        let iat = claims.get("iat").and_then(Value::as_i64).ok_or("The DPoP proof 'iat' claim is missing.")?;
        if iat < now - PROOF_MAX_AGE_SECONDS {
            return Err("The DPoP proof JWT was issued more than five minutes in the past.".into());
        }
        if iat > now + CLOCK_SKEW_SECONDS {
            return Err("The DPoP proof JWT was issued in the future.".into());
        }
        let jti = claim("jti").ok_or("The DPoP proof 'jti' claim is missing.")?;
        if let Some(token) = access_token
            && claim("ath").as_deref() != Some(sha256_b64(token.as_bytes()).as_str())
        {
            return Err("The DPoP proof 'ath' claim does not match the access token.".into());
        }
        if !self.first_use(&format!("dpop:{jti}"), now + PROOF_MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS) {
            return Err("The DPoP proof JWT has already been used.".into());
        }
        let jkt =
            jwk.thumbprint(ThumbprintHash::SHA256).map_err(|_| "The DPoP proof 'jwk' header is not a valid key.")?;
        Ok(CheckedProof { jkt, nonce: claim("nonce") })
    }
}

struct CheckedProof {
    jkt: String,
    nonce: Option<String>,
}

/// Splits `SSWS abc`, `SSWSabc` (the Python SDK's form), `Bearer abc`, `DPoP abc`.
fn split_scheme(authorization: &str) -> (&str, &str) {
    let authorization = authorization.trim();
    if let Some((scheme, rest)) = authorization.split_once(char::is_whitespace) {
        return (scheme, rest.trim());
    }
    if authorization.len() > 4 && authorization[..4].eq_ignore_ascii_case("SSWS") {
        return (&authorization[..4], &authorization[4..]);
    }
    (authorization, "")
}

/// `htu` equality as Okta applies it: no query or fragment allowed in the claim, and the path
/// compared after percent-decoding.
fn same_url(htu: &str, expected: &str) -> bool {
    if htu.contains('?') || htu.contains('#') {
        return false;
    }
    let decode = |s: &str| percent_decode(s).trim_end_matches('/').to_ascii_lowercase();
    decode(htu) == decode(expected)
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Refuses a token request whose `grant_type` is not `expected`, in Okta's words.
pub(super) fn require_grant_type(form: &HashMap<String, String>, expected: &str) -> Result<(), OktaError> {
    match form.get("grant_type").map(String::as_str) {
        Some(grant) if grant == expected => Ok(()),
        Some(other) => Err(OktaError::oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("The authorization grant type '{other}' is not supported by the authorization server."),
        )),
        None => {
            Err(OktaError::oauth(StatusCode::BAD_REQUEST, "invalid_request", "The 'grant_type' parameter is required."))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_schemes_split_like_okta() {
        assert_eq!(split_scheme("SSWS abc"), ("SSWS", "abc"));
        assert_eq!(split_scheme("SSWSabc"), ("SSWS", "abc"));
        assert_eq!(split_scheme("DPoP tok"), ("DPoP", "tok"));
        assert_eq!(split_scheme("Bearer"), ("Bearer", ""));
    }

    #[test]
    fn htu_ignores_case_of_host_and_decodes_path_but_refuses_query() {
        assert!(same_url("http://127.0.0.1:1/api/v1/users/a%40b", "http://127.0.0.1:1/api/v1/users/a@b"));
        assert!(!same_url("http://127.0.0.1:1/api/v1/users?after=x", "http://127.0.0.1:1/api/v1/users"));
        assert!(!same_url("http://127.0.0.1:1/api/v1/groups", "http://127.0.0.1:1/api/v1/users"));
    }
}
