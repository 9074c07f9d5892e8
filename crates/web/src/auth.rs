/*!
Who is calling: local accounts (Argon2id password hashes in the store), sessions (a random token
in an HttpOnly, SameSite=Strict cookie; idle and absolute expiry), login throttling, roles, and the
CSRF check on every state-changing request.

Sessions live in memory: a restart signs everyone out, which is the safe direction. The cookie
holds a 256-bit random token; the server keeps only its SHA-256, so a memory dump reveals no
usable cookie.
*/

use crate::error::{ApiError, ApiResult};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use aws_lc_rs::digest;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use rand::RngCore;
use serde::Serialize;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The session cookie's name.
pub const COOKIE: &str = "sightline_session";
/// The header state-changing requests carry the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60 * 60);
/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::from_secs(12 * 60 * 60);

/// Failed sign-ins allowed per account (and per client address) within [`THROTTLE_WINDOW`].
const THROTTLE_FAILURES: u32 = 5;
const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// What an account may do; each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything and runs SQL.
    Viewer,
    /// A viewer who also moves alerts through their lifecycle.
    Analyst,
    /// An analyst who also manages integrations, accounts and rules.
    Admin,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "viewer" => Some(Role::Viewer),
            "analyst" => Some(Role::Analyst),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }
}

/// The signed-in caller of a request (put in the request's extensions by the role check).
#[derive(Debug, Clone, Serialize)]
pub struct Caller {
    pub username: String,
    pub role: Role,
    /// Empty for API tokens, which need none (browsers never send them on their own).
    pub csrf_token: String,
    /// `session`, or `token:<id>` for an API token.
    pub via: String,
    #[serde(skip)]
    pub client_ip: Option<IpAddr>,
}

struct Session {
    caller: Caller,
    started: Instant,
    last_seen: Instant,
}

#[derive(Default)]
struct Failures {
    count: u32,
    since: Option<Instant>,
}

/// Sessions and the login throttle.
#[derive(Clone, Default)]
pub struct Sessions {
    sessions: Arc<Mutex<HashMap<Vec<u8>, Session>>>,
    failures: Arc<Mutex<HashMap<String, Failures>>>,
    /// When each API token's `last_used_at` was last written, so a busy script costs one write a minute.
    tokens_touched: Arc<Mutex<HashMap<String, Instant>>>,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn token_key(token: &str) -> Vec<u8> {
    digest::digest(&digest::SHA256, token.as_bytes()).as_ref().to_vec()
}

impl Sessions {
    /// Starts a session; returns its cookie token.
    pub fn start(&self, username: &str, role: Role) -> (String, Caller) {
        let token = random_token();
        let caller = Caller {
            username: username.to_string(),
            role,
            csrf_token: random_token(),
            via: "session".into(),
            client_ip: None,
        };
        let now = Instant::now();
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.retain(|_, s| !expired(s, now));
        sessions.insert(token_key(&token), Session { caller: caller.clone(), started: now, last_seen: now });
        (token, caller)
    }

    /// The caller behind a cookie token, if its session is alive (and marks it used).
    pub fn caller(&self, token: &str) -> Option<Caller> {
        let now = Instant::now();
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let key = token_key(token);
        let session = sessions.get_mut(&key)?;
        if expired(session, now) {
            sessions.remove(&key);
            return None;
        }
        session.last_seen = now;
        Some(session.caller.clone())
    }

    pub fn end(&self, token: &str) {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner()).remove(&token_key(token));
    }

    /// Ends every session of `username` (after a password change).
    pub fn end_all(&self, username: &str) {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, s| s.caller.username != username);
    }

    /// Whether an API token's use should be written now (at most once a minute per token).
    pub fn token_use_due(&self, id: &str) -> bool {
        let mut touched = self.tokens_touched.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match touched.get(id) {
            Some(at) if now.duration_since(*at) < TOKEN_TOUCH_EVERY => false,
            _ => {
                touched.insert(id.to_string(), now);
                true
            }
        }
    }

    /// How long until `keys` may try again, if any is throttled.
    pub fn throttled(&self, keys: &[String]) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        keys.iter()
            .filter_map(|k| failures.get(k))
            .filter(|f| f.count >= THROTTLE_FAILURES)
            .filter_map(|f| f.since.map(|s| THROTTLE_WINDOW.saturating_sub(s.elapsed())))
            .filter(|left| !left.is_zero())
            .max()
    }

    pub fn failed(&self, keys: &[String]) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            let f = failures.entry(key.clone()).or_default();
            if f.since.is_none_or(|s| s.elapsed() > THROTTLE_WINDOW) {
                *f = Failures { count: 0, since: Some(Instant::now()) };
            }
            f.count += 1;
        }
    }

    pub fn succeeded(&self, keys: &[String]) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            failures.remove(key);
        }
    }
}

fn expired(session: &Session, now: Instant) -> bool {
    now.duration_since(session.last_seen) > IDLE_TIMEOUT || now.duration_since(session.started) > ABSOLUTE_TIMEOUT
}

/// The throttle keys of a sign-in attempt: the account and the client address.
pub fn throttle_keys(username: &str, client: Option<IpAddr>) -> Vec<String> {
    let mut keys = vec![format!("user:{}", username.to_lowercase())];
    if let Some(ip) = client {
        keys.push(format!("ip:{ip}"));
    }
    keys
}

/// API tokens start with this, so secret scanners (and people) recognise them.
pub const API_TOKEN_PREFIX: &str = "slt_";
const TOKEN_TOUCH_EVERY: Duration = Duration::from_secs(60);

/// A new API token: the secret to show once, and what the store keeps (its SHA-256 only).
pub fn new_api_token(
    name: &str,
    role: Role,
    created_by: &str,
    expires_at: Option<chrono::DateTime<Utc>>,
) -> (String, store::ApiToken) {
    let mut id = [0u8; 6];
    rand::rng().fill_bytes(&mut id);
    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let secret = format!("{API_TOKEN_PREFIX}{id}_{}", random_token());
    let record = store::ApiToken {
        id,
        name: name.to_string(),
        token_hash: api_token_hash(&secret),
        role: role.as_str().to_string(),
        created_by: created_by.to_string(),
        created_at: Utc::now(),
        expires_at,
        last_used_at: None,
        revoked_at: None,
    };
    (secret, record)
}

/// The hex SHA-256 of an API token, as stored.
pub fn api_token_hash(secret: &str) -> String {
    sha256_hex(secret.as_bytes())
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    digest::digest(&digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The id part of an API token (`slt_<id>_<secret>`), if it has that shape.
pub fn api_token_id(secret: &str) -> Option<&str> {
    let (id, rest) = secret.strip_prefix(API_TOKEN_PREFIX)?.split_once('_')?;
    (id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) && !rest.is_empty()).then_some(id)
}

/// The bearer token of a request's `Authorization` header, if it has one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// Why an API token was refused (said to the caller: none of it is secret).
#[derive(Debug, PartialEq, Eq)]
pub enum TokenRefusal {
    Unknown,
    Revoked,
    Expired,
    /// The account that created it no longer exists.
    Orphaned,
}

impl TokenRefusal {
    pub fn message(&self) -> &'static str {
        match self {
            TokenRefusal::Unknown => "the API token is not valid",
            TokenRefusal::Revoked => "the API token was revoked; create a new one",
            TokenRefusal::Expired => "the API token expired; create a new one",
            TokenRefusal::Orphaned => "the account that created this API token no longer exists; create a new one",
        }
    }
}

/// The caller behind an API token: it acts as the account that created it, with the token's role
/// or that account's current role, whichever is lower (demoting a person demotes their tokens).
pub fn token_caller(
    secret: &str,
    token: Option<&store::ApiToken>,
    creator: Option<&store::Account>,
) -> Result<Caller, TokenRefusal> {
    let token = token.ok_or(TokenRefusal::Unknown)?;
    if !constant_time_eq(api_token_hash(secret).as_bytes(), token.token_hash.as_bytes()) {
        return Err(TokenRefusal::Unknown);
    }
    if token.revoked_at.is_some() {
        return Err(TokenRefusal::Revoked);
    }
    if token.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(TokenRefusal::Expired);
    }
    let creator = creator.ok_or(TokenRefusal::Orphaned)?;
    let role = Role::parse(&token.role).ok_or(TokenRefusal::Unknown)?;
    let creator_role = Role::parse(&creator.role).ok_or(TokenRefusal::Orphaned)?;
    Ok(Caller {
        username: creator.username.clone(),
        role: role.min(creator_role),
        csrf_token: String::new(),
        via: format!("token:{}", token.id),
        client_ip: None,
    })
}

/// Compares secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session token in a request's cookies.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}

/// The `Set-Cookie` value for a new session (`Secure` when served over TLS).
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        ABSOLUTE_TIMEOUT.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_cookie(secure: bool) -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}", if secure { "; Secure" } else { "" })
}

/// An Argon2id hash (PHC string) of `password`, with a random salt.
pub fn hash_password(password: &str) -> ApiResult<String> {
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal("cannot hash the password", e))
}

/// Whether `password` matches the PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    argon2::Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

/// A new random password for a generated account: 20 letters and digits.
pub fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// The minimum length of a password people choose.
pub const MIN_PASSWORD_LENGTH: usize = 12;

/// The admin account made on first start.
#[derive(Debug, Clone)]
pub struct NewAdmin {
    pub username: String,
    /// The generated password, for the caller to print once; `None` when the operator chose it
    /// (`SIGHTLINE_ADMIN_PASSWORD`), which is then never printed.
    pub generated_password: Option<String>,
}

/// Makes sure an admin account exists. When the store has no account yet, creates `admin` with
/// `password` (from `SIGHTLINE_ADMIN_PASSWORD`) or a random one; it is stored only as a hash.
pub async fn ensure_admin(store: &store::Store, password: Option<String>) -> Result<Option<NewAdmin>, String> {
    let existing = store.accounts().await.map_err(|e| format!("cannot read accounts: {e}"))?;
    if !existing.is_empty() {
        return Ok(None);
    }
    let (password, generated) = match password {
        Some(p) if p.chars().count() < MIN_PASSWORD_LENGTH => {
            return Err(format!("SIGHTLINE_ADMIN_PASSWORD: use at least {MIN_PASSWORD_LENGTH} characters"));
        }
        Some(p) => (p, false),
        None => (random_password(), true),
    };
    let hash = hash_password(&password).map_err(|_| "cannot hash the admin password".to_string())?;
    let account = store::Account {
        username: "admin".into(),
        password_hash: hash,
        role: Role::Admin.as_str().into(),
        created_at: Utc::now(),
    };
    store.create_account(&account).await.map_err(|e| format!("cannot create the admin account: {e}"))?;
    Ok(Some(NewAdmin { username: "admin".into(), generated_password: generated.then_some(password) }))
}

/// A throttled sign-in's answer.
pub fn throttled_error(wait: Duration) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "throttled",
        format!("too many failed sign-ins; try again in {} minutes", wait.as_secs().div_ceil(60).max(1)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterz", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn sessions_expire_and_end() {
        let sessions = Sessions::default();
        let (token, caller) = sessions.start("ann", Role::Analyst);
        assert_eq!(sessions.caller(&token).unwrap().csrf_token, caller.csrf_token);
        assert!(sessions.caller("forged").is_none());
        sessions.end(&token);
        assert!(sessions.caller(&token).is_none());
        let (token, _) = sessions.start("ann", Role::Analyst);
        sessions.end_all("ann");
        assert!(sessions.caller(&token).is_none());
    }

    #[test]
    fn five_failures_throttle_the_account_and_a_success_clears_it() {
        let sessions = Sessions::default();
        let keys = throttle_keys("Ann", None);
        for _ in 0..THROTTLE_FAILURES - 1 {
            sessions.failed(&keys);
        }
        assert!(sessions.throttled(&keys).is_none());
        sessions.failed(&keys);
        assert!(sessions.throttled(&throttle_keys("ann", None)).is_some());
        sessions.succeeded(&keys);
        assert!(sessions.throttled(&keys).is_none());
    }

    fn account(role: Role) -> store::Account {
        store::Account {
            username: "ann".into(),
            password_hash: String::new(),
            role: role.as_str().into(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn api_tokens_act_as_their_creator_with_the_lower_role() {
        let (secret, record) = new_api_token("ci", Role::Admin, "ann", None);
        assert_eq!(api_token_id(&secret), Some(record.id.as_str()));
        assert!(!record.token_hash.contains(&secret) && record.token_hash.len() == 64);
        let caller = token_caller(&secret, Some(&record), Some(&account(Role::Analyst))).unwrap();
        assert_eq!((caller.username.as_str(), caller.role), ("ann", Role::Analyst));
        assert_eq!(caller.via, format!("token:{}", record.id));
        let forged = format!("{}{}", &secret[..secret.len() - 1], if secret.ends_with('x') { 'y' } else { 'x' });
        assert_eq!(
            token_caller(&forged, Some(&record), Some(&account(Role::Admin))).unwrap_err(),
            TokenRefusal::Unknown
        );
        assert_eq!(token_caller(&secret, Some(&record), None).unwrap_err(), TokenRefusal::Orphaned);
        let revoked = store::ApiToken { revoked_at: Some(Utc::now()), ..record.clone() };
        assert_eq!(
            token_caller(&secret, Some(&revoked), Some(&account(Role::Admin))).unwrap_err(),
            TokenRefusal::Revoked
        );
        let expired = store::ApiToken { expires_at: Some(Utc::now() - chrono::Duration::seconds(1)), ..record };
        assert_eq!(
            token_caller(&secret, Some(&expired), Some(&account(Role::Admin))).unwrap_err(),
            TokenRefusal::Expired
        );
        assert_eq!(api_token_id("slt_zz_abc"), None);
        assert_eq!(api_token_id("ghp_0123456789ab_abc"), None);
    }

    #[test]
    fn bearer_tokens_come_from_the_authorization_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), None);
        headers.insert(axum::http::header::AUTHORIZATION, "Bearer slt_abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), Some("slt_abc"));
        headers.insert(axum::http::header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), None);
    }

    #[test]
    fn cookies_are_http_only_and_strict() {
        let cookie = session_cookie("abc", false);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"));
        assert!(session_cookie("abc", true).ends_with("; Secure"));
        let mut headers = HeaderMap::new();
        headers.insert(axum::http::header::COOKIE, "a=1; sightline_session=tok; b=2".parse().unwrap());
        assert_eq!(cookie_token(&headers).as_deref(), Some("tok"));
    }
}
