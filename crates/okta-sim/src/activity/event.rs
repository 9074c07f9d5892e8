//! The generator's output types, and the builder that renders one Okta `LogEvent`.
//!
//! [`EventBuilder`] always emits the complete wire shape of a System Log event: every top-level
//! key is present, and absent parts are `null` as Okta writes them, so that consumers see the
//! same object whether an event came from the simulator or from a real org.

use crate::org::geo::LOCATIONS;
use crate::org::ids::alnum;
use crate::org::{Ts, User};
use chrono::{DurationRound, SecondsFormat};
use rand::Rng;
use serde_json::{Map, Value};

/// One System Log event as the generator made it.
#[derive(Debug, Clone)]
pub struct GeneratedEvent {
    /// The full Okta `LogEvent` object (uuid, published, eventType, actor, client, ...).
    pub event: Value,
    /// Same instant as `event.published`.
    pub published: Ts,
    /// How long after `published` Okta persists it; a non-zero delay makes polling queries
    /// return events out of `published` order, as Okta does.
    pub persist_delay: chrono::Duration,
}

/// Events produced by one generator call.
#[derive(Debug, Clone, Default)]
pub struct ActivityBatch {
    /// Sorted by `published`.
    pub events: Vec<GeneratedEvent>,
    /// Whether the org was changed (users, memberships, roles, tokens...), so derived indexes
    /// must be rebuilt.
    pub org_changed: bool,
}

/// A client program as Okta parses its `User-Agent` header.
#[derive(Debug)]
pub(crate) struct Agent {
    pub raw: &'static str,
    pub os: &'static str,
    pub browser: &'static str,
    /// `client.device`: `Computer`, `Mobile` or `Unknown`.
    pub device: &'static str,
}

macro_rules! agent {
    ($raw:expr, $os:expr, $browser:expr, $device:expr) => {
        Agent { raw: $raw, os: $os, browser: $browser, device: $device }
    };
}

/// Browsers the workforce signs in with.
pub(crate) const BROWSERS: &[Agent] = &[
    agent!(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mac OS X",
        "CHROME",
        "Computer"
    ),
    agent!(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Windows 10",
        "CHROME",
        "Computer"
    ),
    agent!(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
        "Mac OS X",
        "SAFARI",
        "Computer"
    ),
    agent!(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Windows 10",
        "FIREFOX",
        "Computer"
    ),
    agent!(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
        "Windows 10",
        "EDGE_CHROMIUM",
        "Computer"
    ),
    agent!(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Linux",
        "CHROME",
        "Computer"
    ),
    agent!(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
        "iOS",
        "MOBILE_SAFARI",
        "Mobile"
    ),
    agent!(
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
        "Android",
        "CHROME",
        "Mobile"
    ),
];

/// Tools attackers drive sign-in endpoints with.
pub(crate) const SCRIPTS: &[Agent] = &[
    agent!("python-requests/2.31.0", "Unknown", "UNKNOWN", "Unknown"),
    agent!("curl/8.5.0", "Unknown", "UNKNOWN", "Unknown"),
    agent!("Go-http-client/1.1", "Unknown", "UNKNOWN", "Unknown"),
    agent!(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.109 Safari/537.36",
        "Linux",
        "CHROME",
        "Computer"
    ),
];

/// Okta SDKs used by service apps (client credentials).
pub(crate) const SDKS: &[Agent] = &[
    agent!("okta-sdk-python/2.9.8 python/3.11.9 Linux/6.1.0-21-cloud-amd64", "Linux", "UNKNOWN", "Unknown"),
    agent!("okta-sdk-java/16.0.0 java/17.0.11 Linux/5.15.0-1061-aws", "Linux", "UNKNOWN", "Unknown"),
    agent!("okta-sdk-golang/v5.0.2 golang/go1.22.3 linux/amd64", "Linux", "UNKNOWN", "Unknown"),
    agent!("okta-sdk-nodejs/7.1.0 node/20.12.2 linux/x64", "Linux", "UNKNOWN", "Unknown"),
];

/// The network side of a request: address (and through it the place), and the client program.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Client {
    pub ip: [u8; 4],
    /// Index into [`LOCATIONS`]; `ip` lies in that location's prefix.
    pub location: usize,
    pub agent: &'static Agent,
    pub is_proxy: bool,
}

impl Client {
    pub(crate) fn new(ip: [u8; 4], location: usize, agent: &'static Agent) -> Client {
        Client { ip, location, agent, is_proxy: false }
    }

    /// A fresh address in a location's /16.
    pub(crate) fn random_ip(rng: &mut impl Rng, location: usize) -> [u8; 4] {
        let p = LOCATIONS[location].ip_prefix;
        [p[0], p[1], rng.random_range(0..=255u8), rng.random_range(1..=254u8)]
    }

    pub(crate) fn ip_string(&self) -> String {
        ip_string(self.ip)
    }
}

pub(crate) fn ip_string(ip: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])
}

/// Where and with what a person (or program) acts: the client, the device token, the Okta
/// session (empty when the request carries none) and the API token it presented, if any.
#[derive(Debug, Clone)]
pub(crate) struct Presence {
    pub client: Client,
    pub dt_hash: String,
    pub session: String,
    pub api_token: Option<String>,
}

/// Who performed an event (`actor`).
#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub id: String,
    pub kind: &'static str,
    pub alternate_id: String,
    pub display_name: String,
}

impl Actor {
    pub(crate) fn user(u: &User) -> Actor {
        Actor { id: u.id.clone(), kind: "User", alternate_id: u.profile.login.clone(), display_name: display_name(u) }
    }

    /// A sign-in attempt for a login Okta doesn't know: Okta records what was typed.
    pub(crate) fn unknown_login(typed: &str) -> Actor {
        Actor { id: "unknown".into(), kind: "User", alternate_id: typed.into(), display_name: "unknown".into() }
    }

    /// An OAuth client acting for itself or for a user (token grants).
    pub(crate) fn client_app(client_id: &str, label: &str) -> Actor {
        Actor {
            id: client_id.into(),
            kind: "PublicClientApp",
            alternate_id: client_id.into(),
            display_name: label.into(),
        }
    }
}

/// `displayName` of a user as Okta renders it.
pub(crate) fn display_name(u: &User) -> String {
    match &u.profile.display_name {
        Some(d) if !d.is_empty() => d.clone(),
        _ => format!("{} {}", u.profile.first_name, u.profile.last_name),
    }
}

/// A JSON object from key/value pairs. (`json!` would deep-copy `Value`s passed into it, and
/// collecting into a map first buffers and sorts the pairs; plain inserts are cheapest.)
pub(crate) fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        map.insert(k.to_string(), v);
    }
    Value::Object(map)
}

/// A `target` entry. (Owned strings are moved in, borrowed ones copied once.)
pub(crate) fn target(
    id: impl Into<String>,
    kind: &str,
    alternate_id: impl Into<String>,
    display_name: impl Into<String>,
    detail: Value,
) -> Value {
    obj([
        ("id", Value::String(id.into())),
        ("type", kind.into()),
        ("alternateId", Value::String(alternate_id.into())),
        ("displayName", Value::String(display_name.into())),
        ("detailEntry", detail),
    ])
}

/// A `User` target.
pub(crate) fn target_user(u: &User) -> Value {
    target(u.id.as_str(), "User", u.profile.login.as_str(), display_name(u), Value::Null)
}

/// Rounds an instant down to the millisecond, the precision of `published`.
pub(crate) fn to_millis(t: Ts) -> Ts {
    t.duration_trunc(chrono::Duration::milliseconds(1)).unwrap_or(t)
}

/// `published` as Okta writes it: `2024-01-02T03:04:05.678Z`.
pub(crate) fn format_published(t: Ts) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An Okta session id (`externalSessionId`), e.g. `102PfloXybbT3q1IOdqDAQoeQ`.
pub(crate) fn new_session_id(rng: &mut impl Rng) -> String {
    let mut s = String::with_capacity(25);
    s.push_str("102");
    s.push_str(&alnum(22, rng));
    s
}

/// An Okta request id (`debugData.requestId`, `transaction.id`), 27 characters.
pub(crate) fn new_request_id(rng: &mut impl Rng) -> String {
    alnum(27, rng)
}

/// FNV-1a, for ids derived from other ids (stable across runs, no rng draw).
pub(crate) fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// An Okta-shaped id (prefix + base62, 20 characters) derived from two strings, for objects the
/// org model doesn't hold but events name (the dashboard app, app users, password enrollments).
pub(crate) fn derived_id(prefix: &str, a: &str, b: &str) -> String {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut h = fnv(a.as_bytes()) ^ fnv(b.as_bytes()).rotate_left(29);
    let mut id = String::with_capacity(20);
    id.push_str(prefix);
    let mut x = h;
    while id.len() < 20 {
        if x < 62 {
            h = (h ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9).rotate_left(31);
            x = h;
        }
        id.push(BASE62[(x % 62) as usize] as char);
        x /= 62;
    }
    id
}

/// A device token hash (`debugData.dtHash`): 64 hex digits.
pub(crate) fn new_dt_hash(rng: &mut impl Rng) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    (0..64).map(|_| HEX[rng.random_range(0..16)] as char).collect()
}

/// How long after `published` an event becomes visible to polling: mostly under two seconds,
/// about 3% between 5 and 90 seconds (Okta's ingestion lag).
pub(crate) fn sample_persist_delay(rng: &mut impl Rng) -> chrono::Duration {
    if rng.random_bool(0.03) {
        chrono::Duration::milliseconds(rng.random_range(5_000..=90_000))
    } else {
        chrono::Duration::milliseconds(rng.random_range(0..=2_000))
    }
}

/// The behaviours Okta's risk engine evaluated, in the Java-map text form of
/// `debugData.behaviors` (`{New Geo-Location=NEGATIVE, New Device=POSITIVE, ...}`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Behaviors {
    pub new_device: bool,
    pub new_ip: bool,
    /// New city, state, country and geo-location at once (a different place).
    pub new_place: bool,
    pub new_country: bool,
    pub velocity: bool,
}

impl Behaviors {
    fn pairs(self) -> [(&'static str, bool); 7] {
        [
            ("New Geo-Location", self.new_place),
            ("New Device", self.new_device),
            ("New IP", self.new_ip),
            ("New State", self.new_place),
            ("New Country", self.new_country),
            ("Velocity", self.velocity),
            ("New City", self.new_place),
        ]
    }

    fn word(b: bool) -> &'static str {
        if b { "POSITIVE" } else { "NEGATIVE" }
    }

    /// `debugData.behaviors`.
    pub(crate) fn as_map_text(self) -> String {
        let mut text = String::with_capacity(160);
        text.push('{');
        for (i, (k, v)) in self.pairs().iter().enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(k);
            text.push('=');
            text.push_str(Self::word(*v));
        }
        text.push('}');
        text
    }

    /// `debugData.logOnlySecurityData`: a JSON document carried as a string.
    pub(crate) fn as_log_only_security_data(self, risk: &str) -> String {
        let mut text = String::with_capacity(220);
        text.push_str("{\"risk\":{\"level\":\"");
        text.push_str(risk);
        text.push_str("\"},\"behaviors\":{");
        for (i, (k, v)) in self.pairs().iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push('"');
            text.push_str(k);
            text.push_str("\":\"");
            text.push_str(Self::word(*v));
            text.push('"');
        }
        text.push_str("}}");
        text
    }

    pub(crate) fn risk_level(self) -> &'static str {
        if self.new_country || self.velocity {
            "HIGH"
        } else if self.new_device || self.new_place {
            "MEDIUM"
        } else {
            "LOW"
        }
    }
}

/// JSON that depends only on a place or a client program, built once and cloned per event
/// (cloning a map is several times cheaper than building it).
struct Templates {
    places: Vec<PlaceJson>,
    /// `client.userAgent` of every known agent, in [`BROWSERS`], [`SCRIPTS`], [`SDKS`] order.
    agents: Vec<(&'static Agent, Value)>,
}

struct PlaceJson {
    /// `geographicalContext`.
    geo: Value,
    /// `securityContext` with `isProxy: false`.
    security: Value,
}

fn user_agent_json(agent: &Agent) -> Value {
    obj([("rawUserAgent", agent.raw.into()), ("os", agent.os.into()), ("browser", agent.browser.into())])
}

impl Templates {
    fn user_agent(&self, agent: &Agent) -> Value {
        match self.agents.iter().find(|(a, _)| std::ptr::eq(*a, agent)) {
            Some((_, json)) => json.clone(),
            None => user_agent_json(agent),
        }
    }
}

fn templates() -> &'static Templates {
    static TEMPLATES: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| Templates {
        places: LOCATIONS
            .iter()
            .map(|loc| PlaceJson {
                geo: obj([
                    ("city", loc.city.into()),
                    ("state", loc.state.into()),
                    ("country", loc.country.into()),
                    ("postalCode", loc.postal_code.into()),
                    ("geolocation", obj([("lat", loc.lat.into()), ("lon", loc.lon.into())])),
                ]),
                security: obj([
                    ("asNumber", loc.as_number.into()),
                    ("asOrg", loc.as_org.into()),
                    ("isp", loc.isp.into()),
                    ("domain", loc.domain.into()),
                    ("isProxy", false.into()),
                ]),
            })
            .collect(),
        agents: BROWSERS.iter().chain(SCRIPTS).chain(SDKS).map(|a| (a, user_agent_json(a))).collect(),
    })
}

/// Fixed facts about an event type: legacy type on success and on failure, display message,
/// default severity.
struct Meta {
    legacy_ok: Option<&'static str>,
    legacy_fail: Option<&'static str>,
    display: &'static str,
    severity: &'static str,
}

const fn meta(
    legacy_ok: Option<&'static str>,
    legacy_fail: Option<&'static str>,
    display: &'static str,
    severity: &'static str,
) -> Meta {
    Meta { legacy_ok, legacy_fail, display, severity }
}

fn meta_of(event_type: &str) -> Meta {
    const I: &str = "INFO";
    const W: &str = "WARN";
    match event_type {
        "user.session.start" => {
            meta(Some("core.user_auth.login_success"), Some("core.user_auth.login_failed"), "User login to Okta", I)
        }
        "user.session.end" => meta(
            Some("core.user_auth.logout_success"),
            Some("core.user_auth.logout_success"),
            "User logout from Okta",
            I,
        ),
        "policy.evaluate_sign_on" => meta(None, None, "Evaluation of sign-on policy", I),
        "system.push.send_factor_verify_push" => meta(None, None, "Push notification sent for verification", I),
        "user.authentication.auth_via_mfa" => meta(
            Some("core.user.factor.attempt_success"),
            Some("core.user.factor.attempt_fail"),
            "Authentication of user via MFA",
            I,
        ),
        "user.mfa.okta_verify.deny_push" => meta(
            Some("core.user.factor.push_rejected"),
            Some("core.user.factor.push_rejected"),
            "User rejected Okta push verify",
            W,
        ),
        "user.authentication.sso" => meta(Some("app.auth.sso"), Some("app.auth.sso"), "User single sign on to app", I),
        "app.oauth2.as.token.grant.access_token" => meta(
            Some("app.oauth2.as.token.grant.access_token_success"),
            Some("app.oauth2.as.token.grant_failure"),
            "OAuth2 access token is granted",
            I,
        ),
        "app.oauth2.as.token.grant.id_token" => meta(
            Some("app.oauth2.as.token.grant.id_token_success"),
            Some("app.oauth2.as.token.grant_failure"),
            "OAuth2 id token is granted",
            I,
        ),
        "app.oauth2.token.grant.access_token" => meta(
            Some("app.oauth2.token.grant.access_token_success"),
            Some("app.oauth2.token.grant_failure"),
            "OIDC access token is granted",
            I,
        ),
        "app.oauth2.token.grant" => meta(None, Some("app.oauth2.token.grant_failure"), "OAuth2 token grant request", I),
        "user.mfa.factor.activate" => {
            meta(Some("core.user.factor.activate"), Some("core.user.factor.activate"), "Activate factor for user", I)
        }
        "user.account.update_password" => meta(
            Some("core.user.config.password_update.success"),
            Some("core.user.config.password_update.failure"),
            "User update password for Okta",
            I,
        ),
        "user.account.lock" => meta(
            Some("core.user_auth.account_locked"),
            Some("core.user_auth.account_locked"),
            "Max sign in attempts exceeded",
            W,
        ),
        "user.account.unlock_by_admin" => meta(
            Some("core.user_auth.account_unlocked_by_admin"),
            Some("core.user_auth.account_unlocked_by_admin"),
            "Unlock user account by admin",
            I,
        ),
        "group.user_membership.add" => meta(
            Some("core.user_group_member.user_add"),
            Some("core.user_group_member.user_add"),
            "Add user to group membership",
            I,
        ),
        "group.user_membership.remove" => meta(
            Some("core.user_group_member.user_remove"),
            Some("core.user_group_member.user_remove"),
            "Remove user from group membership",
            I,
        ),
        "user.lifecycle.create" => meta(
            Some("core.user.config.user_creation.success"),
            Some("core.user.config.user_creation.failure"),
            "Create Okta user",
            I,
        ),
        "user.lifecycle.activate" => meta(
            Some("core.user.config.user_activated"),
            Some("core.user.config.user_activated"),
            "Activate Okta user",
            I,
        ),
        "user.account.update_profile" => meta(
            Some("core.user.config.profile_update.success"),
            Some("core.user.config.profile_update.success"),
            "Update user profile for Okta",
            I,
        ),
        "application.user_membership.add" => meta(
            Some("app.generic.provision.assign_user_to_app"),
            Some("app.generic.provision.assign_user_to_app"),
            "Add user to application membership",
            I,
        ),
        "user.account.privilege.grant" => meta(
            Some("core.user.admin_privilege.granted"),
            Some("core.user.admin_privilege.granted"),
            "Grant user privilege",
            I,
        ),
        "system.api_token.create" => meta(Some("api.token.create"), Some("api.token.create"), "Create API token", I),
        "user.session.impersonation.grant" => meta(
            Some("core.user.impersonation.grant.enabled"),
            Some("core.user.impersonation.grant.enabled"),
            "Enable impersonation grant",
            I,
        ),
        "user.session.impersonation.initiate" => meta(
            Some("core.user.impersonation.session.initiated"),
            Some("core.user.impersonation.session.initiated"),
            "Initiate impersonation session",
            W,
        ),
        "policy.rule.deactivate" => {
            meta(Some("policy.rule.deactivated"), Some("policy.rule.deactivated"), "Deactivate policy rule", I)
        }
        "policy.rule.delete" => meta(Some("policy.rule.deleted"), Some("policy.rule.deleted"), "Delete policy rule", I),
        "system.idp.lifecycle.create" => meta(None, None, "Create IdP", I),
        "system.idp.lifecycle.activate" => meta(None, None, "Activate IdP", I),
        "security.session.detect_client_roaming" => meta(
            Some("security.session.detect_client_roaming"),
            Some("security.session.detect_client_roaming"),
            "Roaming session detected",
            W,
        ),
        "user.session.context.change" => meta(None, None, "User session context changed", I),
        "user.session.access_admin_app" => meta(
            Some("app.admin.sso.login.success"),
            Some("app.admin.sso.login.failure"),
            "User accessing Okta admin app",
            I,
        ),
        _ => meta(None, None, "", I),
    }
}

/// Builds one complete Okta `LogEvent`.
///
/// Start with [`EventBuilder::new`], describe the event with the chained setters, and finish
/// with [`EventBuilder::build`], which draws the uuid and request id from the generator's rng.
/// The legacy event type, display message and severity come from the event type (and the
/// outcome).
#[derive(Debug)]
pub(crate) struct EventBuilder {
    published: Ts,
    event_type: &'static str,
    actor: Option<Actor>,
    client: Option<Client>,
    client_id: Option<String>,
    auth_provider: Option<&'static str>,
    credential_provider: Option<&'static str>,
    credential_type: Option<&'static str>,
    session: Option<String>,
    result: &'static str,
    reason: Option<String>,
    targets: Vec<Value>,
    debug: Map<String, Value>,
    request_uri: Option<String>,
    transaction_detail: Map<String, Value>,
}

impl EventBuilder {
    /// An event of `event_type` at `published` (rounded down to the millisecond), SUCCESS by default.
    pub(crate) fn new(event_type: &'static str, published: Ts) -> EventBuilder {
        EventBuilder {
            published: to_millis(published),
            event_type,
            actor: None,
            client: None,
            client_id: None,
            auth_provider: None,
            credential_provider: None,
            credential_type: None,
            session: None,
            result: "SUCCESS",
            reason: None,
            targets: Vec::new(),
            debug: Map::new(),
            request_uri: None,
            transaction_detail: Map::new(),
        }
    }

    /// Moves the event to another instant (rounded down to the millisecond).
    pub(crate) fn at(mut self, published: Ts) -> Self {
        self.published = to_millis(published);
        self
    }

    pub(crate) fn actor(mut self, actor: Actor) -> Self {
        self.actor = Some(actor);
        self
    }

    pub(crate) fn actor_user(self, u: &User) -> Self {
        self.actor(Actor::user(u))
    }

    pub(crate) fn client(mut self, client: &Client) -> Self {
        self.client = Some(*client);
        self
    }

    /// `client.id`: the OAuth client id of the request, if any.
    pub(crate) fn client_id(mut self, id: &str) -> Self {
        self.client_id = Some(id.to_string());
        self
    }

    /// `authenticationContext.externalSessionId` (and `rootSessionId`); empty means none.
    pub(crate) fn session(mut self, external_session_id: &str) -> Self {
        self.session = (!external_session_id.is_empty()).then(|| external_session_id.to_string());
        self
    }

    /// `authenticationContext` provider and credential.
    pub(crate) fn auth(
        mut self,
        authentication_provider: &'static str,
        credential_provider: Option<&'static str>,
        credential_type: Option<&'static str>,
    ) -> Self {
        self.auth_provider = Some(authentication_provider);
        self.credential_provider = credential_provider;
        self.credential_type = credential_type;
        self
    }

    pub(crate) fn outcome(mut self, result: &'static str, reason: Option<&str>) -> Self {
        self.result = result;
        self.reason = reason.map(str::to_string);
        self
    }

    pub(crate) fn failure(self, reason: &str) -> Self {
        self.outcome("FAILURE", Some(reason))
    }

    pub(crate) fn target(mut self, target: Value) -> Self {
        self.targets.push(target);
        self
    }

    /// One `debugContext.debugData` entry.
    pub(crate) fn debug(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.debug.insert(key.to_string(), value.into());
        self
    }

    /// `debugData.requestUri` (and `url`, which adds the query).
    pub(crate) fn request_uri(mut self, uri: impl Into<String>) -> Self {
        self.request_uri = Some(uri.into());
        self
    }

    /// The risk engine's view of the request: `behaviors`, `risk`, and sometimes the same facts
    /// again as the `logOnlySecurityData` JSON string.
    pub(crate) fn behaviors(mut self, b: Behaviors, with_log_only: bool) -> Self {
        let risk = b.risk_level();
        self.debug.insert("behaviors".into(), Value::String(b.as_map_text()));
        self.debug.insert("risk".into(), Value::String(format!("{{level={risk}}}")));
        if with_log_only {
            self.debug.insert("logOnlySecurityData".into(), Value::String(b.as_log_only_security_data(risk)));
        }
        self
    }

    /// One `transaction.detail` entry (e.g. `requestApiTokenId`).
    pub(crate) fn transaction_detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.transaction_detail.insert(key.to_string(), value.into());
        self
    }

    /// The request came from `p`: its client, its session (if any), and the API token it
    /// presented (if any).
    pub(crate) fn via(mut self, p: &Presence) -> Self {
        self.client = Some(p.client);
        if !p.session.is_empty() {
            self.session = Some(p.session.clone());
        }
        if let Some(token) = &p.api_token {
            self = self.transaction_detail("requestApiTokenId", token.as_str());
        }
        self
    }

    /// Renders the event. Draws the uuid, the request id and the persistence delay.
    pub(crate) fn build(self, rng: &mut impl Rng) -> GeneratedEvent {
        let meta = meta_of(self.event_type);
        debug_assert!(!meta.display.is_empty(), "no display message known for {}", self.event_type);
        let success = matches!(self.result, "SUCCESS" | "ALLOW");
        let legacy = if success { meta.legacy_ok } else { meta.legacy_fail };
        let uuid = uuid::Builder::from_random_bytes(rng.random()).into_uuid();
        let request_id = new_request_id(rng);
        let persist_delay = sample_persist_delay(rng);

        let actor = match self.actor {
            Some(a) => obj([
                ("id", a.id.into()),
                ("type", a.kind.into()),
                ("alternateId", a.alternate_id.into()),
                ("displayName", a.display_name.into()),
                ("detailEntry", Value::Null),
            ]),
            None => obj([
                ("id", "unknown".into()),
                ("type", "User".into()),
                ("alternateId", "unknown".into()),
                ("displayName", "unknown".into()),
                ("detailEntry", Value::Null),
            ]),
        };

        let (client, ip_chain, security) = match self.client {
            Some(c) => {
                let templates = templates();
                let place = &templates.places[c.location];
                let ip = c.ip_string();
                let chain = Value::Array(vec![obj([
                    ("ip", ip.clone().into()),
                    ("geographicalContext", place.geo.clone()),
                    ("version", "V4".into()),
                    ("source", Value::Null),
                ])]);
                let client = obj([
                    ("userAgent", templates.user_agent(c.agent)),
                    ("zone", "null".into()),
                    ("device", c.agent.device.into()),
                    ("id", self.client_id.into()),
                    ("ipAddress", ip.into()),
                    ("geographicalContext", place.geo.clone()),
                ]);
                let mut security = place.security.clone();
                if c.is_proxy {
                    security["isProxy"] = Value::Bool(true);
                }
                (client, chain, security)
            }
            None => (
                obj([
                    ("userAgent", Value::Null),
                    ("zone", Value::Null),
                    ("device", Value::Null),
                    ("id", self.client_id.into()),
                    ("ipAddress", Value::Null),
                    ("geographicalContext", Value::Null),
                ]),
                Value::Array(Vec::new()),
                obj([
                    ("asNumber", Value::Null),
                    ("asOrg", Value::Null),
                    ("isp", Value::Null),
                    ("domain", Value::Null),
                    ("isProxy", Value::Null),
                ]),
            ),
        };

        let mut debug = self.debug;
        debug.insert("requestId".into(), Value::String(request_id.clone()));
        if let Some(uri) = self.request_uri {
            debug.insert("url".into(), Value::String(format!("{uri}?")));
            debug.insert("requestUri".into(), Value::String(uri));
        }
        debug.entry("threatSuspected").or_insert_with(|| Value::String("false".into()));

        let targets = if self.targets.is_empty() { Value::Null } else { Value::Array(self.targets) };
        let session: Value = self.session.into();
        let event = obj([
            ("uuid", uuid.to_string().into()),
            ("published", format_published(self.published).into()),
            ("eventType", self.event_type.into()),
            ("version", "0".into()),
            ("severity", meta.severity.into()),
            ("legacyEventType", legacy.into()),
            ("displayMessage", meta.display.into()),
            ("actor", actor),
            ("client", client),
            ("device", Value::Null),
            (
                "authenticationContext",
                obj([
                    ("authenticationProvider", self.auth_provider.into()),
                    ("credentialProvider", self.credential_provider.into()),
                    ("credentialType", self.credential_type.into()),
                    ("issuer", Value::Null),
                    ("interface", Value::Null),
                    ("authenticationStep", 0.into()),
                    ("externalSessionId", session.clone()),
                    ("rootSessionId", session),
                ]),
            ),
            ("outcome", obj([("result", self.result.into()), ("reason", self.reason.into())])),
            ("target", targets),
            (
                "transaction",
                obj([
                    ("type", "WEB".into()),
                    ("id", request_id.into()),
                    ("detail", Value::Object(self.transaction_detail)),
                ]),
            ),
            ("debugContext", obj([("debugData", Value::Object(debug))])),
            ("request", obj([("ipChain", ip_chain)])),
            ("securityContext", security),
        ]);
        GeneratedEvent { event, published: self.published, persist_delay }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A small hand-built org and a LogEvent shape check shared by the generator tests.

    use crate::org::geo::HOSTILE_START;
    use crate::org::*;
    use chrono::{TimeZone, Utc};
    use serde_json::{Map, Value};

    pub(crate) fn t0() -> Ts {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    fn user(i: usize, status: UserStatus, now: Ts) -> User {
        let first = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia", "Linus"][i % 8];
        let last = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Perlman", "Torvalds"][i / 8 % 8];
        let login = format!("{}.{}{}@acme.example", first.to_lowercase(), last.to_lowercase(), i);
        User {
            id: format!("00u{:017}", i),
            status,
            created: now - chrono::Duration::days(400),
            activated: Some(now - chrono::Duration::days(400)),
            status_changed: Some(now - chrono::Duration::days(400)),
            last_login: Some(now - chrono::Duration::days(1 + (i % 5) as i64)),
            last_updated: now - chrono::Duration::days(30),
            password_changed: Some(now - chrono::Duration::days(60)),
            type_id: "oty00000000000000001".into(),
            profile: UserProfile {
                login: login.clone(),
                email: login,
                first_name: first.into(),
                last_name: last.into(),
                ..Default::default()
            },
            provider_type: "OKTA",
            provider_name: "OKTA".into(),
            home_location: i % HOSTILE_START,
            deleted: false,
        }
    }

    fn factor(id: String, factor_type: &'static str, now: Ts) -> Factor {
        Factor {
            id,
            factor_type,
            provider: "OKTA",
            vendor_name: "OKTA",
            status: "ACTIVE",
            created: now - chrono::Duration::days(100),
            last_updated: now - chrono::Duration::days(100),
            profile: Map::new(),
        }
    }

    /// `n` users (a few suspended, deprovisioned, deleted or dormant), an Everyone group, three
    /// Okta groups, a SAML app, an OIDC app and a service app, two admins, one API token.
    pub(crate) fn small_org(n: usize) -> Org {
        let now = t0();
        let mut users: Vec<User> = (0..n)
            .map(|i| {
                let status = match i % 23 {
                    5 => UserStatus::Suspended,
                    11 => UserStatus::Deprovisioned,
                    17 => UserStatus::Staged,
                    _ => UserStatus::Active,
                };
                user(i, status, now)
            })
            .collect();
        // Dormant: active but unused for a long time. Benign traffic must leave them alone.
        for i in (7..n).step_by(31) {
            users[i].last_login = Some(now - chrono::Duration::days(200));
        }
        for i in (13..n).step_by(37) {
            users[i].deleted = true;
        }
        let factors = (0..n)
            .map(|i| match i % 4 {
                0 | 1 => vec![factor(format!("opf{:017}", i), "push", now)],
                2 => vec![factor(format!("ost{:017}", i), "token:software:totp", now)],
                _ => vec![],
            })
            .collect();
        let group = |i: usize, name: &str, t: GroupType| Group {
            id: format!("00g{:017}", i),
            created: now - chrono::Duration::days(500),
            last_updated: now - chrono::Duration::days(500),
            last_membership_updated: now - chrono::Duration::days(5),
            group_type: t,
            name: name.into(),
            description: None,
            source_app: None,
            ad: None,
            deleted: false,
        };
        let groups = vec![
            group(0, "Everyone", GroupType::BuiltIn),
            group(1, "Engineering", GroupType::OktaGroup),
            group(2, "Sales", GroupType::OktaGroup),
            group(3, "Admins", GroupType::OktaGroup),
        ];
        let group_members = vec![
            (0..n).collect(),
            (0..n).filter(|i| i % 2 == 0).collect(),
            (0..n).filter(|i| i % 2 == 1).collect(),
            vec![0, 1],
        ];
        let app = |i: usize, label: &str, mode: SignOnMode, details: AppDetails| App {
            id: format!("0oa{:017}", i),
            name: label.to_lowercase().replace(' ', "_"),
            label: label.into(),
            active: true,
            sign_on_mode: mode,
            created: now - chrono::Duration::days(300),
            last_updated: now - chrono::Duration::days(300),
            details,
            deleted: false,
        };
        let apps = vec![
            app(
                0,
                "Salesforce",
                SignOnMode::Saml20,
                AppDetails::Federation {
                    sso_url: "https://acme.my.salesforce.com".into(),
                    audience: "https://saml.salesforce.com".into(),
                    signing_kid: "kid0".into(),
                },
            ),
            app(
                1,
                "Wiki",
                SignOnMode::OpenIdConnect,
                AppDetails::Oidc {
                    client_id: "0oaclientwiki0000001".into(),
                    application_type: "web",
                    token_endpoint_auth_method: "client_secret_basic",
                    grant_types: vec!["authorization_code", "refresh_token"],
                    redirect_uris: vec!["https://wiki.acme.example/callback".into()],
                    dpop_bound_access_tokens: false,
                },
            ),
            app(
                2,
                "Sightline Collector",
                SignOnMode::OpenIdConnect,
                AppDetails::Oidc {
                    client_id: "0oaclientsvc00000001".into(),
                    application_type: "service",
                    token_endpoint_auth_method: "private_key_jwt",
                    grant_types: vec!["client_credentials"],
                    redirect_uris: vec![],
                    dpop_bound_access_tokens: true,
                },
            ),
        ];
        let assignment = |u: usize| AppUserAssignment {
            user: u,
            created: now - chrono::Duration::days(100),
            last_updated: now - chrono::Duration::days(100),
            status: "ACTIVE",
            sync_state: "DISABLED",
            external_id: None,
            profile: Map::new(),
        };
        let group_assignment = |g: usize| AppGroupAssignment {
            group: g,
            last_updated: now - chrono::Duration::days(100),
            priority: 0,
            profile: Map::<String, Value>::new(),
        };
        let role = |i: usize, principal: Principal, role: &'static str| RoleAssignment {
            id: format!("ra1{:017}", i),
            principal,
            role: RoleKind::Standard(role),
            created: now - chrono::Duration::days(200),
            last_updated: now - chrono::Duration::days(200),
            targets: vec![],
            expiration: None,
        };
        Org {
            org_id: "00o00000000000000001".into(),
            company: "Acme Corp".into(),
            email_domain: "acme.example".into(),
            created: now - chrono::Duration::days(1000),
            users,
            groups,
            apps,
            group_members,
            group_owners: vec![vec![]; 4],
            app_user_assignments: vec![vec![assignment(3), assignment(4)], vec![], vec![]],
            app_group_assignments: vec![
                vec![group_assignment(1), group_assignment(2)],
                vec![group_assignment(1)],
                vec![],
            ],
            factors,
            role_assignments: vec![
                role(0, Principal::User(0), "SUPER_ADMIN"),
                role(1, Principal::Group(3), "ORG_ADMIN"),
            ],
            custom_roles: vec![],
            resource_sets: vec![],
            api_tokens: vec![ApiToken {
                id: "00T00000000000000001".into(),
                name: "provisioning".into(),
                user: 0,
                client_name: "Okta API".into(),
                created: now - chrono::Duration::days(100),
                last_updated: now - chrono::Duration::days(100),
                token_window: "P30D".into(),
                network_connection: "ZONE",
                network_include: vec!["nzo00000000000000001".into()],
                network_exclude: vec![],
                secret: "00secret".into(),
                denied: vec![],
            }],
            oauth_clients: vec![OAuthClient {
                app: 2,
                client_id: "0oaclientsvc00000001".into(),
                public_jwks: vec![],
                scopes: vec!["okta.users.read".into(), "okta.logs.read".into()],
                dpop_required: true,
            }],
            has_governance: false,
        }
    }

    fn kind(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    fn expect(v: &Value, path: &str, allowed: &[&str]) {
        let mut cur = v;
        for part in path.split('.') {
            cur = cur.get(part).unwrap_or_else(|| panic!("missing {path} in {v}"));
        }
        assert!(allowed.contains(&kind(cur)), "{path} is {} in {v}", kind(cur));
    }

    /// Panics unless `ev` has every key of Okta's LogEvent with the wire types.
    pub(crate) fn check_shape(ev: &Value) {
        const S: &[&str] = &["string"];
        const SN: &[&str] = &["string", "null"];
        const O: &[&str] = &["object"];
        for p in ["uuid", "published", "eventType", "version", "severity", "displayMessage"] {
            expect(ev, p, S);
        }
        expect(ev, "legacyEventType", SN);
        for p in ["actor.id", "actor.type", "actor.alternateId", "actor.displayName"] {
            expect(ev, p, S);
        }
        expect(ev, "actor.detailEntry", &["null", "object"]);
        expect(ev, "client", O);
        for p in ["client.zone", "client.device", "client.id", "client.ipAddress"] {
            expect(ev, p, SN);
        }
        expect(ev, "client.userAgent", &["object", "null"]);
        expect(ev, "client.geographicalContext", &["object", "null"]);
        if ev["client"]["ipAddress"].is_string() {
            for p in ["rawUserAgent", "os", "browser"] {
                expect(&ev["client"]["userAgent"], p, S);
            }
            let geo = &ev["client"]["geographicalContext"];
            for p in ["city", "state", "country", "postalCode"] {
                expect(geo, p, S);
            }
            expect(geo, "geolocation.lat", &["number"]);
            expect(geo, "geolocation.lon", &["number"]);
            let chain = ev["request"]["ipChain"].as_array().expect("ipChain");
            assert_eq!(chain[0]["ip"], ev["client"]["ipAddress"]);
            assert_eq!(chain[0]["version"], "V4");
            expect(&chain[0], "geographicalContext", O);
            expect(ev, "securityContext.asNumber", &["number"]);
            expect(ev, "securityContext.isProxy", &["bool"]);
        }
        expect(ev, "device", &["null", "object"]);
        for p in [
            "authenticationProvider",
            "credentialProvider",
            "credentialType",
            "interface",
            "externalSessionId",
            "rootSessionId",
        ] {
            expect(&ev["authenticationContext"], p, SN);
        }
        expect(ev, "authenticationContext.issuer", &["null", "object"]);
        assert_eq!(ev["authenticationContext"]["authenticationStep"], 0);
        expect(ev, "outcome.result", S);
        expect(ev, "outcome.reason", SN);
        expect(ev, "target", &["array", "null"]);
        if let Some(ts) = ev["target"].as_array() {
            for t in ts {
                for p in ["id", "type", "alternateId", "displayName"] {
                    expect(t, p, S);
                }
            }
        }
        assert_eq!(ev["transaction"]["type"], "WEB");
        expect(ev, "transaction.id", S);
        expect(ev, "transaction.detail", O);
        expect(ev, "debugContext.debugData", O);
        expect(ev, "debugContext.debugData.requestId", S);
        expect(ev, "request.ipChain", &["array"]);
        for p in ["asNumber", "asOrg", "isp", "domain", "isProxy"] {
            assert!(ev["securityContext"].get(p).is_some(), "securityContext.{p} missing");
        }
        assert_eq!(ev["version"], "0");
        assert!(["DEBUG", "INFO", "WARN", "ERROR"].contains(&ev["severity"].as_str().unwrap()));
        let published = ev["published"].as_str().unwrap();
        assert_eq!(published.len(), 24, "{published}");
        assert!(chrono::DateTime::parse_from_rfc3339(published).is_ok());
        let uuid = uuid::Uuid::parse_str(ev["uuid"].as_str().unwrap()).expect("uuid");
        assert_eq!(uuid.get_version_num(), 4);
        // Round trip through the wire text.
        let text = serde_json::to_string(ev).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(&back, ev);
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn builder_renders_the_full_wire_shape() {
        let org = small_org(10);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let t = t0() + chrono::Duration::microseconds(1_234_567);
        let client = Client::new(Client::random_ip(&mut rng, 3), 3, &BROWSERS[0]);
        let ev = EventBuilder::new("user.session.start", t)
            .actor_user(&org.users[2])
            .client(&client)
            .session("102abc")
            .auth("OKTA_AUTHENTICATION_PROVIDER", Some("OKTA_CREDENTIAL_PROVIDER"), Some("PASSWORD"))
            .failure("INVALID_CREDENTIALS")
            .request_uri("/idp/idx/identify")
            .behaviors(Behaviors { new_ip: true, ..Default::default() }, true)
            .target(target_user(&org.users[2]))
            .build(&mut rng);
        check_shape(&ev.event);
        let e = &ev.event;
        assert_eq!(e["published"], "2026-03-02T09:00:01.234Z");
        assert_eq!(ev.published, to_millis(t));
        assert_eq!(e["legacyEventType"], "core.user_auth.login_failed");
        assert_eq!(e["displayMessage"], "User login to Okta");
        assert_eq!(e["outcome"]["reason"], "INVALID_CREDENTIALS");
        assert_eq!(e["client"]["geographicalContext"]["city"], "Chicago");
        assert!(e["client"]["ipAddress"].as_str().unwrap().starts_with("98.213."));
        assert_eq!(e["securityContext"]["asNumber"], 7922);
        assert_eq!(e["debugContext"]["debugData"]["url"], "/idp/idx/identify?");
        let behaviors = e["debugContext"]["debugData"]["behaviors"].as_str().unwrap();
        assert!(behaviors.starts_with("{New Geo-Location=NEGATIVE, New Device=NEGATIVE, New IP=POSITIVE"));
        let log_only = e["debugContext"]["debugData"]["logOnlySecurityData"].as_str().unwrap();
        let parsed: Value = serde_json::from_str(log_only).unwrap();
        assert_eq!(parsed["behaviors"]["New IP"], "POSITIVE");
        assert_eq!(e["transaction"]["id"], e["debugContext"]["debugData"]["requestId"]);
        assert_eq!(e["authenticationContext"]["rootSessionId"], "102abc");
    }

    #[test]
    fn builder_without_client_writes_nulls() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let ev = EventBuilder::new("system.idp.lifecycle.create", t0()).build(&mut rng);
        check_shape(&ev.event);
        assert!(ev.event["client"]["ipAddress"].is_null());
        assert!(ev.event["target"].is_null());
        assert_eq!(ev.event["request"]["ipChain"], serde_json::json!([]));
        assert!(ev.event["legacyEventType"].is_null());
    }

    #[test]
    fn persist_delays_are_mostly_short_with_a_long_tail() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let d: Vec<i64> = (0..20_000).map(|_| sample_persist_delay(&mut rng).num_milliseconds()).collect();
        let long = d.iter().filter(|&&ms| ms >= 5_000).count() as f64 / d.len() as f64;
        assert!((0.02..0.04).contains(&long), "{long}");
        assert!(d.iter().all(|&ms| (0..=2_000).contains(&ms) || (5_000..=90_000).contains(&ms)));
    }
}
