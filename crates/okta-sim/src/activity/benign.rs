//! Benign workforce traffic: sign-ins with MFA, SSO to assigned apps, OAuth token grants,
//! sign-outs, honest password typos, MFA enrolments, password changes, the odd lockout, and rare
//! admin changes made by the org's admins (which are applied to the org).
//!
//! Generation is O(1) per event: an SSO target is found from the app side (a random app, one of
//! its group assignments, a random member of that group, or a direct assignment), never by
//! scanning users. Per-user state (device, home IP, open session) lives in [`SessionState`] for
//! users seen recently only, so memory stays bounded whatever the org's size.
//!
//! Invariants: only active, non-deleted, non-dormant users sign in (so benign traffic never
//! raises `okta.dormant_account_access` and never shows a suspended or deprovisioned user
//! succeeding); every client address is in the user's home location; no event comes from a
//! hostile location.

use super::event::*;
use crate::org::geo::{HOSTILE_START, LOCATIONS};
use crate::org::ids::{alnum, okta_id};
use crate::org::*;
use chrono::Duration;
use rand::Rng;
use serde_json::{Map, Value, json};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

/// A user whose last sign-in (or, never having signed in, activation) is older than this is
/// dormant: benign traffic never signs them in.
pub(super) const DORMANT_AFTER_DAYS: i64 = 60;
/// Failed sign-ins after which the org's password policy locks an account.
pub(super) const LOCKOUT_AFTER: usize = 5;
/// Users whose device, address and session are remembered at once.
const MAX_TRACKED_USERS: usize = 50_000;
/// Users who signed in recently, for sign-outs, password changes and enrolments.
const RECENT_CAP: usize = 4_096;

/// What benign traffic remembers between calls: each recently seen user's device, address and
/// open session, and events that fell after the end of the previous window.
#[derive(Debug, Default)]
pub struct SessionState {
    users: HashMap<usize, UserState>,
    recent: Vec<usize>,
    recent_next: usize,
    /// Events of sequences that started before the previous `to` but end after it.
    pending: Vec<GeneratedEvent>,
    /// Locked-out users an admin will unlock, by when (soonest first)...
    locked: BinaryHeap<Reverse<(Ts, usize)>>,
    /// ...and the same users as a set.
    locked_users: HashSet<usize>,
}

#[derive(Debug)]
struct UserState {
    /// Index into [`BROWSERS`].
    agent: usize,
    ip: [u8; 4],
    /// When the home address changes (a new DHCP lease).
    ip_until: Ts,
    dt_hash: String,
    session: Option<Session>,
    last_seen: Ts,
    /// Reported as POSITIVE behaviours at the next sign-in.
    new_ip: bool,
    new_device: bool,
}

#[derive(Debug, Clone)]
struct Session {
    id: String,
    /// When its sign-in (with MFA) finished: the session can't be used before.
    ready: Ts,
    expires: Ts,
}

fn pick_agent(rng: &mut impl Rng) -> usize {
    // Mostly desktops; the last two browsers are phones.
    if rng.random_bool(0.85) {
        rng.random_range(0..BROWSERS.len() - 2)
    } else {
        rng.random_range(BROWSERS.len() - 2..BROWSERS.len())
    }
}

impl UserState {
    fn new(rng: &mut impl Rng, home: usize, t: Ts) -> UserState {
        UserState {
            agent: pick_agent(rng),
            ip: Client::random_ip(rng, home),
            ip_until: t + Duration::hours(rng.random_range(24..24 * 14)),
            dt_hash: new_dt_hash(rng),
            session: None,
            last_seen: t,
            new_ip: false,
            new_device: false,
        }
    }
}

impl SessionState {
    /// Forgets the users seen longest ago once too many are tracked (amortised O(1)).
    fn bound_memory(&mut self) {
        if self.users.len() <= MAX_TRACKED_USERS {
            return;
        }
        let mut seen: Vec<Ts> = self.users.values().map(|s| s.last_seen).collect();
        let mid = seen.len() / 2;
        let (_, cutoff, _) = seen.select_nth_unstable(mid);
        let cutoff = *cutoff;
        self.users.retain(|_, s| s.last_seen > cutoff);
    }

    fn remember_recent(&mut self, u: usize) {
        if self.recent.len() < RECENT_CAP {
            self.recent.push(u);
        } else {
            self.recent[self.recent_next] = u;
            self.recent_next = (self.recent_next + 1) % RECENT_CAP;
        }
    }
}

/// Whether `u` may sign in at `t` in benign traffic: active (and already so at `t`), not
/// deleted, not dormant.
pub(super) fn can_sign_in(u: &User, t: Ts) -> bool {
    !u.deleted
        && u.status == UserStatus::Active
        && u.created <= t
        && u.activated.is_none_or(|a| a <= t)
        && !is_dormant(u, t)
}

pub(super) fn is_dormant(u: &User, t: Ts) -> bool {
    let last = u.last_login.or(u.activated).unwrap_or(u.created);
    t - last > Duration::days(DORMANT_AFTER_DAYS)
}

fn ms(rng: &mut impl Rng, lo: i64, hi: i64) -> Duration {
    Duration::milliseconds(rng.random_range(lo..hi))
}

/// `authenticationContext.authenticationProvider` of a password sign-in.
fn password_provider(u: &User) -> &'static str {
    match u.provider_type {
        "ACTIVE_DIRECTORY" => "ACTIVE_DIRECTORY",
        "LDAP" => "LDAP",
        "FEDERATION" => "FEDERATION",
        _ => "OKTA_AUTHENTICATION_PROVIDER",
    }
}

/// The Okta end-user dashboard app, which every sign-in targets.
pub(super) fn dashboard_target(org: &Org) -> Value {
    target(
        derived_id("0oa", &org.org_id, "okta_enduser"),
        "AppInstance",
        "Okta Dashboard",
        "Okta Dashboard",
        Value::Null,
    )
}

fn password_target(u: &User) -> Value {
    target(derived_id("lae", &u.id, "password"), "AuthenticatorEnrollment", "unknown", "Password", Value::Null)
}

/// The factor a user verifies with: push first, then the strongest other active factor.
pub(super) fn primary_factor(org: &Org, u: usize) -> Option<&Factor> {
    let factors = org.factors.get(u)?;
    let rank = |f: &Factor| match f.factor_type {
        "push" => 0,
        "signed_nonce" => 1,
        "webauthn" | "u2f" => 2,
        "token:software:totp" | "token:hotp" | "token" => 3,
        "sms" | "call" => 4,
        _ => 5,
    };
    factors.iter().filter(|f| f.status == "ACTIVE").min_by_key(|f| rank(f))
}

/// `debugData.factor`, the authenticator's display name, and the credential provider and type.
pub(super) fn factor_facts(f: &Factor) -> (&'static str, &'static str, &'static str, Option<&'static str>) {
    match (f.factor_type, f.provider) {
        ("push", _) => ("OKTA_VERIFY_PUSH", "Okta Verify", "OKTA_CREDENTIAL_PROVIDER", None),
        ("signed_nonce", _) => ("SIGNED_NONCE", "Okta Verify", "OKTA_CREDENTIAL_PROVIDER", None),
        ("token:software:totp", "GOOGLE") => ("GOOGLE_OTP", "Google Authenticator", "GOOGLE", Some("OTP")),
        ("token:software:totp", _) => ("OKTA_SOFT_TOKEN", "Okta Verify", "OKTA_CREDENTIAL_PROVIDER", Some("OTP")),
        ("webauthn", _) | ("u2f", _) => {
            ("FIDO_WEBAUTHN", "Security Key or Biometric", "OKTA_CREDENTIAL_PROVIDER", None)
        }
        ("sms", _) => ("SMS_FACTOR", "Phone", "OKTA_CREDENTIAL_PROVIDER", Some("SMS")),
        ("call", _) => ("CALL_FACTOR", "Phone", "OKTA_CREDENTIAL_PROVIDER", Some("SMS")),
        ("email", _) => ("EMAIL_FACTOR", "Email", "OKTA_CREDENTIAL_PROVIDER", Some("EMAIL")),
        _ => ("OTHER", "Authenticator", "OKTA_CREDENTIAL_PROVIDER", None),
    }
}

fn authenticator_target(f: &Factor) -> Value {
    let (_, name, _, _) = factor_facts(f);
    target(f.id.as_str(), "AuthenticatorEnrollment", "unknown", name, Value::Null)
}

/// A `user.session.start` FAILURE (bad password, locked account, unknown user...).
pub(super) fn failed_sign_in(
    rng: &mut impl Rng,
    actor: Actor,
    p: &Presence,
    t: Ts,
    reason: &str,
    behaviors: Behaviors,
) -> GeneratedEvent {
    let uri = if p.client.agent.device == "Unknown" { "/api/v1/authn" } else { "/idp/idx/identify" };
    EventBuilder::new("user.session.start", t)
        .actor(actor)
        .via(p)
        .auth("OKTA_AUTHENTICATION_PROVIDER", Some("OKTA_CREDENTIAL_PROVIDER"), Some("PASSWORD"))
        .failure(reason)
        .request_uri(uri)
        .behaviors(behaviors, false)
        .debug("dtHash", p.dt_hash.as_str())
        .debug("loginResult", reason)
        .build(rng)
}

/// A successful password sign-in: `user.session.start`, `policy.evaluate_sign_on`, then MFA with
/// the user's primary factor (a push and its approval, or a code). Returns the time of the last
/// event.
pub(super) fn sign_in_flow(
    rng: &mut impl Rng,
    org: &Org,
    u: usize,
    p: &Presence,
    behaviors: Behaviors,
    t: Ts,
    out: &mut Vec<GeneratedEvent>,
) -> Ts {
    let user = &org.users[u];
    let log_only = rng.random_bool(0.3);
    let authn = alnum(27, rng);
    let uri = if rng.random_bool(0.8) { "/idp/idx/identify" } else { "/api/v1/authn" };
    out.push(
        EventBuilder::new("user.session.start", t)
            .actor_user(user)
            .via(p)
            .auth(password_provider(user), Some("OKTA_CREDENTIAL_PROVIDER"), Some("PASSWORD"))
            .request_uri(uri)
            .behaviors(behaviors, log_only)
            .debug("dtHash", p.dt_hash.as_str())
            .debug("authnRequestId", authn.as_str())
            .target(password_target(user))
            .target(dashboard_target(org))
            .build(rng),
    );
    let mut now = t + ms(rng, 60, 400);
    out.push(
        EventBuilder::new("policy.evaluate_sign_on", now)
            .actor_user(user)
            .via(p)
            .outcome("ALLOW", Some("Sign-on policy evaluation resulted in ALLOW"))
            .request_uri("/idp/idx/identify")
            .behaviors(behaviors, log_only)
            .debug("dtHash", p.dt_hash.as_str())
            .debug("authnRequestId", authn.as_str())
            .target(dashboard_target(org))
            .build(rng),
    );
    if let Some(f) = primary_factor(org, u) {
        let (factor, _, cred_provider, cred_type) = factor_facts(f);
        if f.factor_type == "push" {
            now += ms(rng, 150, 700);
            out.push(push_sent(rng, user, f, p, now));
            now += ms(rng, 3_000, 20_000);
        } else {
            now += ms(rng, 5_000, 25_000);
        }
        out.push(
            EventBuilder::new("user.authentication.auth_via_mfa", now)
                .actor_user(user)
                .via(p)
                .auth("FACTOR_PROVIDER", Some(cred_provider), cred_type)
                .request_uri("/idp/idx/challenge/answer")
                .debug("factor", factor)
                .debug("factorIntent", "AUTHENTICATION")
                .debug("dtHash", p.dt_hash.as_str())
                .debug("authnRequestId", authn.as_str())
                .target(target_user(user))
                .target(authenticator_target(f))
                .build(rng),
        );
    }
    now
}

/// `system.push.send_factor_verify_push` for a push factor.
pub(super) fn push_sent(rng: &mut impl Rng, user: &User, f: &Factor, p: &Presence, t: Ts) -> GeneratedEvent {
    EventBuilder::new("system.push.send_factor_verify_push", t)
        .actor_user(user)
        .via(p)
        .request_uri("/idp/idx/challenge")
        .debug("factor", "OKTA_VERIFY_PUSH")
        .debug("dtHash", p.dt_hash.as_str())
        .target(authenticator_target(f))
        .build(rng)
}

/// Whether people sign in to this app through Okta (not a directory or a service app).
pub(super) fn is_sso_app(app: &App) -> bool {
    if app.deleted || !app.active {
        return false;
    }
    match &app.details {
        AppDetails::Directory { .. } => false,
        AppDetails::Oidc { application_type, .. } => *application_type != "service",
        _ => true,
    }
}

fn sign_on_mode_text(mode: SignOnMode) -> &'static str {
    match mode {
        SignOnMode::Saml20 => "SAML 2.0",
        SignOnMode::Saml11 => "SAML 1.1",
        SignOnMode::OpenIdConnect => "OpenID Connect",
        SignOnMode::WsFederation => "WS-Federation",
        SignOnMode::Bookmark => "Bookmark",
        SignOnMode::AutoLogin | SignOnMode::BrowserPlugin | SignOnMode::SecurePasswordStore => {
            "Secure Web Authentication"
        }
        SignOnMode::BasicAuth => "Basic Authentication",
    }
}

/// The `AppInstance` target of an app.
pub(super) fn app_target(app: &App) -> Value {
    target(app.id.as_str(), "AppInstance", &app.label, &app.label, json!({"signOnModeType": app.sign_on_mode.as_str()}))
}

/// `user.authentication.sso` to an app, plus the token grants an OIDC app asks for. Returns the
/// time of the last event.
pub(super) fn app_access_events(
    rng: &mut impl Rng,
    org: &Org,
    u: usize,
    a: usize,
    p: &Presence,
    t: Ts,
    out: &mut Vec<GeneratedEvent>,
) -> Ts {
    let user = &org.users[u];
    let app = &org.apps[a];
    let uri = match app.sign_on_mode {
        SignOnMode::Saml20 | SignOnMode::Saml11 => format!("/app/{}/{}/sso/saml", app.name, app.id),
        SignOnMode::WsFederation => format!("/app/{}/{}/sso/wsfed/passive", app.name, app.id),
        SignOnMode::OpenIdConnect => "/oauth2/v1/authorize".to_string(),
        SignOnMode::Bookmark => format!("/home/bookmark/{}/2557", app.id),
        _ => format!("/app/{}/{}/", app.name, app.id),
    };
    let initiation = if rng.random_bool(0.7) { "IDP_INITIATED" } else { "SP_INITIATED" };
    out.push(
        EventBuilder::new("user.authentication.sso", t)
            .actor_user(user)
            .via(p)
            .request_uri(uri)
            .debug("initiationType", initiation)
            .debug("signOnMode", sign_on_mode_text(app.sign_on_mode))
            .debug("dtHash", p.dt_hash.as_str())
            .target(app_target(app))
            .target(target(
                derived_id("0ua", &user.id, &app.id),
                "AppUser",
                &user.profile.login,
                display_name(user),
                Value::Null,
            ))
            .build(rng),
    );
    let mut now = t;
    if let AppDetails::Oidc { client_id, grant_types, .. } = &app.details {
        let scopes = "openid, profile, email";
        for (event_type, token_type, name) in [
            ("app.oauth2.as.token.grant.id_token", "id_token", "ID Token"),
            ("app.oauth2.as.token.grant.access_token", "access_token", "Access Token"),
        ] {
            now += ms(rng, 100, 900);
            let mut b = EventBuilder::new(event_type, now)
                .actor(Actor::client_app(client_id, &app.label))
                .client(&p.client)
                .client_id(client_id)
                .session(&p.session)
                .request_uri("/oauth2/default/v1/token")
                .debug("grantType", "authorization_code")
                .debug("requestedScopes", scopes)
                .debug("grantedScopes", scopes)
                .debug("clientAuthType", "client_secret_basic")
                .target(target_user(user))
                .target(target(format!("{}.{}", if token_type == "id_token" { "ID" } else { "AT" }, alnum(43, rng)),
                    token_type,
                    "unknown",
                    name,
                    json!({"expires": format_published(now + Duration::hours(1)), "subject": user.id, "hash": alnum(22, rng)}),
                ));
            if grant_types.contains(&"refresh_token") {
                b = b.debug("refreshTokenRequested", "true");
            }
            out.push(b.build(rng));
        }
    }
    now
}

/// The org's admins: users holding a standard or custom role directly or through a group.
/// Scans role assignments only (a few dozen), never users.
pub(super) fn pick_admin(rng: &mut impl Rng, org: &Org, t: Ts, prefer_super: bool) -> Option<usize> {
    let mut candidates: Vec<usize> = Vec::new();
    for pass in 0..2 {
        for ra in &org.role_assignments {
            if pass == 0 && prefer_super && !matches!(ra.role, RoleKind::Standard("SUPER_ADMIN" | "ORG_ADMIN")) {
                continue;
            }
            match ra.principal {
                Principal::User(u) => candidates.push(u),
                Principal::Group(g) => {
                    if let Some(m) = org.group_members.get(g).filter(|m| !m.is_empty()) {
                        candidates.push(m[rng.random_range(0..m.len())]);
                    }
                }
                Principal::Client(_) => {}
            }
        }
        candidates.retain(|&u| org.users.get(u).is_some_and(|user| can_sign_in(user, t)));
        if !candidates.is_empty() {
            break;
        }
    }
    if candidates.is_empty() { None } else { Some(candidates[rng.random_range(0..candidates.len())]) }
}

const FIRST_NAMES: &[&str] = &[
    "Amara", "Bruno", "Chen", "Dana", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kavya", "Liam", "Mei",
    "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Yara", "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Abebe", "Bauer", "Castro", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen", "Kim",
    "Larsen", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Silva", "Tanaka", "Urban", "Varga", "Weber", "Yilmaz",
    "Zhang",
];
const TITLES: &[&str] = &[
    "Software Engineer",
    "Senior Software Engineer",
    "Account Executive",
    "Product Manager",
    "Data Analyst",
    "Support Specialist",
    "Recruiter",
    "Financial Analyst",
    "Designer",
    "Site Reliability Engineer",
];
const DEPARTMENTS: &[&str] = &["Engineering", "Sales", "Product", "Finance", "People", "Support", "Marketing", "IT"];

/// Adds a new (STAGED) user to the org and to its built-in groups; returns its index. `login`
/// is the local part of the login, or a generated `first.last.xxxx`.
pub(super) fn add_user(rng: &mut impl Rng, org: &mut Org, t: Ts, login: Option<&str>, home: usize) -> usize {
    let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
    let local = match login {
        Some(l) => l.to_string(),
        None => format!("{}.{}.{}", first.to_lowercase(), last.to_lowercase(), alnum(4, rng).to_lowercase()),
    };
    let email = format!("{local}@{}", org.email_domain);
    let type_id =
        org.users.first().map(|u| u.type_id.clone()).unwrap_or_else(|| derived_id("oty", &org.org_id, "default"));
    let loc = &LOCATIONS[home];
    let user = User {
        id: okta_id("00u", rng),
        status: UserStatus::Staged,
        created: t,
        activated: None,
        status_changed: None,
        last_login: None,
        last_updated: t,
        password_changed: None,
        type_id,
        profile: UserProfile {
            login: email.clone(),
            email,
            first_name: first.to_string(),
            last_name: last.to_string(),
            display_name: Some(format!("{first} {last}")),
            title: Some(TITLES[rng.random_range(0..TITLES.len())].to_string()),
            department: Some(DEPARTMENTS[rng.random_range(0..DEPARTMENTS.len())].to_string()),
            employee_number: Some(format!("{}", rng.random_range(10_000..99_999))),
            manager_id: None,
            city: Some(loc.city.to_string()),
            country_code: Some(loc.country_code.to_string()),
            user_type: Some("Employee".to_string()),
            custom: Map::new(),
        },
        provider_type: "OKTA",
        provider_name: "OKTA".to_string(),
        home_location: home,
        deleted: false,
    };
    let idx = org.users.len();
    org.users.push(user);
    if org.factors.len() < org.users.len() {
        org.factors.resize_with(org.users.len(), Vec::new);
    }
    for (g, group) in org.groups.iter().enumerate() {
        if group.group_type == GroupType::BuiltIn
            && !group.deleted
            && let Some(members) = org.group_members.get_mut(g)
        {
            members.push(idx); // the new index is the largest: still sorted
        }
    }
    idx
}

/// Marks a staged user active, as `user.lifecycle.activate` does.
pub(super) fn activate_user(org: &mut Org, u: usize, t: Ts) {
    let user = &mut org.users[u];
    user.status = UserStatus::Active;
    user.activated = Some(t);
    user.status_changed = Some(t);
    user.password_changed = Some(t);
    user.last_updated = t;
}

/// Events for a new hire: `user.lifecycle.create` then `user.lifecycle.activate` by `admin`.
pub(super) fn create_user_events(
    rng: &mut impl Rng,
    org: &Org,
    admin: &Actor,
    p: &Presence,
    new_user: usize,
    t: Ts,
    out: &mut Vec<GeneratedEvent>,
) -> Ts {
    let user = &org.users[new_user];
    out.push(
        EventBuilder::new("user.lifecycle.create", t)
            .actor(admin.clone())
            .via(p)
            .request_uri("/api/v1/users")
            .target(target_user(user))
            .build(rng),
    );
    let t2 = t + ms(rng, 800, 5_000);
    out.push(
        EventBuilder::new("user.lifecycle.activate", t2)
            .actor(admin.clone())
            .via(p)
            .request_uri(format!("/api/v1/users/{}/lifecycle/activate", user.id))
            .target(target_user(user))
            .build(rng),
    );
    t2
}

/// The client of a program (service app, API-token automation): it runs in one workforce place
/// with one address and one SDK, all derived from its key.
fn service_client(key: &str) -> Client {
    let h = fnv(key.as_bytes());
    let location = (h % HOSTILE_START as u64) as usize;
    let prefix = LOCATIONS[location].ip_prefix;
    let ip = [prefix[0], prefix[1], (h >> 8) as u8, ((h >> 16) as u8).max(1)];
    Client::new(ip, location, &SDKS[(h >> 24) as usize % SDKS.len()])
}

/// Factor kinds a user may enrol: factor type, provider, vendor, id prefix, debugData name.
const ENROLLABLE: &[(&str, &str, &str, &str, &str)] = &[
    ("push", "OKTA", "OKTA", "opf", "OKTA_VERIFY_PUSH"),
    ("token:software:totp", "OKTA", "OKTA", "ost", "OKTA_SOFT_TOKEN"),
    ("token:software:totp", "GOOGLE", "GOOGLE", "uft", "GOOGLE_OTP"),
    ("sms", "OKTA", "OKTA", "mbl", "SMS_FACTOR"),
    ("webauthn", "FIDO", "FIDO", "fwf", "FIDO_WEBAUTHN"),
];

/// Generates `[from, to)` of benign traffic at about `events_per_minute`; see the module docs.
///
/// Sequences (a sign-in and its MFA) that straddle `to` finish in the next call's window, so
/// callers should pass contiguous windows (each `from` the previous `to`); events that fall
/// before a later call's `from` are dropped.
pub(super) fn generate(
    rng: &mut impl Rng,
    state: &mut SessionState,
    org: &mut Org,
    from: Ts,
    to: Ts,
    events_per_minute: f64,
) -> ActivityBatch {
    // Reserve for the whole window at once: regrowing a vector of large events is costly.
    let minutes = (to - from).num_milliseconds().max(0) as f64 / 60_000.0;
    let expected = (minutes * events_per_minute.max(0.0) * 1.15).min(1e6) as usize + state.pending.len() + 64;
    let mut g = Gen { rng, state, org, events: Vec::with_capacity(expected), changed: false };
    for ev in std::mem::take(&mut g.state.pending) {
        if ev.published >= from {
            g.events.push(ev);
        }
    }
    if to > from && events_per_minute > 0.0 && events_per_minute.is_finite() {
        // Each event "costs" one exponential gap: after an activity of k events, time moves on by
        // the sum of k gaps, so the long-run rate is `events_per_minute` whatever the mix.
        let mean_gap_us = 60e6 / events_per_minute;
        let mut t = from + g.gap(mean_gap_us, 1);
        while t < to {
            let before = g.events.len();
            g.activity(t);
            let k = (g.events.len() - before).max(1);
            t += g.gap(mean_gap_us, k);
        }
    }
    let Gen { state, mut events, changed, .. } = g;
    events.sort_by_key(|e| e.published);
    let cut = events.partition_point(|e| e.published < to);
    state.pending = events.split_off(cut);
    state.bound_memory();
    ActivityBatch { events, org_changed: changed }
}

struct Gen<'a, R: Rng> {
    rng: &'a mut R,
    state: &'a mut SessionState,
    org: &'a mut Org,
    events: Vec<GeneratedEvent>,
    changed: bool,
}

impl<R: Rng> Gen<'_, R> {
    /// The sum of `k` exponential gaps of mean `mean_us` microseconds.
    fn gap(&mut self, mean_us: f64, k: usize) -> Duration {
        let mut us = 0.0;
        for _ in 0..k {
            let u: f64 = self.rng.random();
            us += -(1.0 - u).ln() * mean_us;
        }
        Duration::microseconds(us.clamp(1.0, 1e15) as i64)
    }

    fn activity(&mut self, t: Ts) {
        self.unlock_due(t);
        match self.rng.random_range(0..1000u32) {
            0..700 => self.app_access(t),
            700..790 => self.logout(t),
            790..830 => self.typo_then_sign_in(t),
            830..915 => self.dashboard_sign_in(t),
            915..965 => self.service_token(t),
            965..980 => self.password_change(t),
            980..994 => self.mfa_enroll(t),
            994..995 => self.lockout(t),
            _ => self.admin_change(t),
        }
    }

    /// A random user who may sign in, by probing random indices (never scanning). A locked-out
    /// user met on the way gets on the help desk's list.
    fn random_user(&mut self, t: Ts) -> Option<usize> {
        let n = self.org.users.len();
        if n == 0 {
            return None;
        }
        for _ in 0..16 {
            let u = self.rng.random_range(0..n);
            let user = &self.org.users[u];
            if can_sign_in(user, t) {
                return Some(u);
            }
            if user.status == UserStatus::LockedOut
                && !user.deleted
                && self.state.locked_users.len() < 1_000
                && self.state.locked_users.insert(u)
            {
                let at = t + Duration::minutes(self.rng.random_range(30..90));
                self.state.locked.push(Reverse((at, u)));
            }
        }
        None
    }

    /// A user who signed in recently and still has a session, with that session.
    fn recent_with_session(&mut self, t: Ts) -> Option<usize> {
        if self.state.recent.is_empty() {
            return None;
        }
        let u = self.state.recent[self.rng.random_range(0..self.state.recent.len())];
        let ok = self.org.users.get(u).is_some_and(|user| can_sign_in(user, t))
            && self.state.users.get(&u).and_then(|s| s.session.as_ref()).is_some_and(|s| s.ready <= t && s.expires > t);
        ok.then_some(u)
    }

    /// The user's current client, device and open session (with when it became usable); a new
    /// lease or device shows up as behaviours at the next sign-in (`consume` reports and clears
    /// them).
    fn presence(&mut self, u: usize, t: Ts, consume: bool) -> (Presence, Behaviors, Ts) {
        let home = self.org.users[u].home_location.min(LOCATIONS.len() - 1);
        let rng = &mut *self.rng;
        let st = self.state.users.entry(u).or_insert_with(|| UserState::new(rng, home, t));
        if t >= st.ip_until {
            st.ip = Client::random_ip(rng, home);
            st.ip_until = t + Duration::hours(rng.random_range(24..24 * 14));
            st.new_ip = true;
            if rng.random_bool(0.05) {
                st.agent = pick_agent(rng);
                st.dt_hash = new_dt_hash(rng);
                st.new_device = true;
            }
        }
        st.last_seen = t;
        let behaviors = Behaviors { new_ip: st.new_ip, new_device: st.new_device, ..Default::default() };
        if consume {
            st.new_ip = false;
            st.new_device = false;
        }
        let open = st.session.as_ref().filter(|s| s.expires > t);
        let ready = open.map_or(t, |s| s.ready);
        let session = open.map(|s| s.id.clone()).unwrap_or_default();
        let p = Presence {
            client: Client::new(st.ip, home, &BROWSERS[st.agent]),
            dt_hash: st.dt_hash.clone(),
            session,
            api_token: None,
        };
        (p, behaviors, ready)
    }

    /// Signs `u` in (new session); returns their presence and the time of the last event.
    fn sign_in(&mut self, u: usize, t: Ts) -> (Presence, Ts) {
        let (mut p, behaviors, _) = self.presence(u, t, true);
        p.session = new_session_id(self.rng);
        let end = sign_in_flow(self.rng, self.org, u, &p, behaviors, t, &mut self.events);
        let hours = self.rng.random_range(2..12);
        if let Some(st) = self.state.users.get_mut(&u) {
            st.session = Some(Session { id: p.session.clone(), ready: end, expires: end + Duration::hours(hours) });
        }
        self.state.remember_recent(u);
        // lastLogin is a timestamp the API serves; it moves with every sign-in and needs no
        // index rebuild, so it does not count as an org change. (History generated before the
        // org's own "now" must not move it backwards.)
        let user = &mut self.org.users[u];
        user.last_login = Some(user.last_login.map_or(t, |l| l.max(t)));
        (p, end)
    }

    /// The user's open session, signing them in first if they have none; returns when they can
    /// use it (after a sign-in still in progress, if any).
    fn ensure_session(&mut self, u: usize, t: Ts) -> (Presence, Ts) {
        let (p, _, ready) = self.presence(u, t, false);
        if p.session.is_empty() {
            let (p, end) = self.sign_in(u, t);
            let after = end + ms(self.rng, 800, 4_000);
            (p, after)
        } else if ready > t {
            let after = ready + ms(self.rng, 800, 4_000);
            (p, after)
        } else {
            (p, t)
        }
    }

    /// An app and one of its assignees, found from the app side.
    fn app_and_assignee(&mut self, t: Ts) -> Option<(usize, usize)> {
        let n = self.org.apps.len();
        if n == 0 {
            return None;
        }
        for _ in 0..8 {
            let a = self.rng.random_range(0..n);
            if !is_sso_app(&self.org.apps[a]) {
                continue;
            }
            let groups = &self.org.app_group_assignments.get(a).map_or(&[][..], |v| v.as_slice());
            let direct = &self.org.app_user_assignments.get(a).map_or(&[][..], |v| v.as_slice());
            let u = if !groups.is_empty() && (direct.is_empty() || self.rng.random_bool(0.75)) {
                let g = groups[self.rng.random_range(0..groups.len())].group;
                let Some(members) = self.org.group_members.get(g).filter(|m| !m.is_empty()) else { continue };
                if self.org.groups.get(g).is_none_or(|grp| grp.deleted) {
                    continue;
                }
                members[self.rng.random_range(0..members.len())]
            } else if !direct.is_empty() {
                direct[self.rng.random_range(0..direct.len())].user
            } else {
                continue;
            };
            if self.org.users.get(u).is_some_and(|user| can_sign_in(user, t)) {
                return Some((a, u));
            }
        }
        None
    }

    fn app_access(&mut self, t: Ts) {
        let Some((a, u)) = self.app_and_assignee(t) else {
            return self.dashboard_sign_in(t);
        };
        let (p, at) = self.ensure_session(u, t);
        let end = app_access_events(self.rng, self.org, u, a, &p, at, &mut self.events);
        if let Some(s) = self.state.users.get_mut(&u).and_then(|s| s.session.as_mut()) {
            s.expires = s.expires.max(end + Duration::hours(2));
        }
    }

    fn dashboard_sign_in(&mut self, t: Ts) {
        if let Some(u) = self.random_user(t) {
            self.ensure_session(u, t);
        }
    }

    fn logout(&mut self, t: Ts) {
        let Some(u) = self.recent_with_session(t) else { return };
        let (p, _, _) = self.presence(u, t, false);
        let user = &self.org.users[u];
        self.events.push(
            EventBuilder::new("user.session.end", t)
                .actor_user(user)
                .via(&p)
                .request_uri("/login/signout")
                .debug("dtHash", p.dt_hash.as_str())
                .build(self.rng),
        );
        if let Some(st) = self.state.users.get_mut(&u) {
            st.session = None;
        }
    }

    /// One or two mistyped passwords, then a normal sign-in.
    fn typo_then_sign_in(&mut self, t: Ts) {
        let Some(u) = self.random_user(t) else { return };
        let (mut p, _, _) = self.presence(u, t, false);
        if !p.session.is_empty() {
            return;
        }
        p.session = new_session_id(self.rng);
        let mut now = t;
        for _ in 0..self.rng.random_range(1..=2) {
            let actor = Actor::user(&self.org.users[u]);
            let ev = failed_sign_in(self.rng, actor, &p, now, "INVALID_CREDENTIALS", Behaviors::default());
            self.events.push(ev);
            now += ms(self.rng, 4_000, 20_000);
        }
        self.sign_in(u, now);
    }

    /// A service app's client-credentials token (e.g. an integration polling the API).
    fn service_token(&mut self, t: Ts) {
        let n = self.org.oauth_clients.len();
        if n == 0 {
            return self.app_access(t);
        }
        let c = &self.org.oauth_clients[self.rng.random_range(0..n)];
        let Some(app) = self.org.apps.get(c.app).filter(|a| a.active && !a.deleted) else { return };
        let client = service_client(&c.client_id);
        let scopes = c.scopes.join(" ");
        let mut b = EventBuilder::new("app.oauth2.token.grant.access_token", t)
            .actor(Actor::client_app(&c.client_id, &app.label))
            .client(&client)
            .client_id(&c.client_id)
            .request_uri("/oauth2/v1/token")
            .debug("grantType", "client_credentials")
            .debug("requestedScopes", scopes.as_str())
            .debug("grantedScopes", scopes.as_str())
            .debug("clientAuthType", "private_key_jwt")
            .target(target(format!("AT.{}", alnum(43, self.rng)),
                "access_token",
                "unknown",
                "Access Token",
                json!({"expires": format_published(t + Duration::hours(1)), "subject": c.client_id, "hash": alnum(22, self.rng)}),
            ));
        if c.dpop_required {
            b = b.debug("dpop", "true");
        }
        self.events.push(b.build(self.rng));
    }

    fn password_change(&mut self, t: Ts) {
        let Some(u) = self.recent_with_session(t) else { return };
        let (p, _, _) = self.presence(u, t, false);
        let user = &self.org.users[u];
        self.events.push(
            EventBuilder::new("user.account.update_password", t)
                .actor_user(user)
                .via(&p)
                .auth("OKTA_AUTHENTICATION_PROVIDER", Some("OKTA_CREDENTIAL_PROVIDER"), Some("PASSWORD"))
                .outcome("SUCCESS", Some("Password Change"))
                .request_uri("/idp/idx/challenge/answer")
                .target(target_user(user))
                .build(self.rng),
        );
        let user = &mut self.org.users[u];
        user.password_changed = Some(t);
        user.last_updated = t;
        self.changed = true;
    }

    fn mfa_enroll(&mut self, t: Ts) {
        let Some(u) = self.recent_with_session(t) else { return };
        if self.org.factors.len() <= u {
            self.org.factors.resize_with(u + 1, Vec::new);
        }
        let has = |f: &Factor, kind: &(&str, &str, &str, &str, &str)| f.factor_type == kind.0 && f.provider == kind.1;
        let missing: Vec<usize> =
            (0..ENROLLABLE.len()).filter(|&k| !self.org.factors[u].iter().any(|f| has(f, &ENROLLABLE[k]))).collect();
        if missing.is_empty() {
            return;
        }
        let (factor_type, provider, vendor, prefix, name) =
            ENROLLABLE[missing[self.rng.random_range(0..missing.len())]];
        let (p, _, _) = self.presence(u, t, false);
        let login = self.org.users[u].profile.login.clone();
        let mut profile = Map::new();
        match factor_type {
            "push" => {
                let phone = BROWSERS[BROWSERS.len() - 2..][self.rng.random_range(0..2)].os;
                profile.insert("credentialId".into(), json!(login));
                profile.insert(
                    "deviceType".into(),
                    json!(if phone == "iOS" { "SmartPhone_IPhone" } else { "SmartPhone_Android" }),
                );
                profile.insert("name".into(), json!(if phone == "iOS" { "iPhone" } else { "Pixel 8" }));
                profile.insert("platform".into(), json!(if phone == "iOS" { "IOS" } else { "ANDROID" }));
                profile.insert("version".into(), json!(if phone == "iOS" { "17.4.1" } else { "34" }));
            }
            "sms" => {
                let n: u32 = self.rng.random_range(1000..9999);
                // E.164, no mask or separators: the SDKs' UserFactorSMSProfile checks ^\+[1-9]\d{1,14}$.
                profile.insert("phoneNumber".into(), json!(format!("+1555555{n}")));
            }
            "webauthn" => {
                profile.insert("credentialId".into(), json!(alnum(43, self.rng)));
                profile.insert("authenticatorName".into(), json!("MacBook Touch ID"));
            }
            _ => {
                profile.insert("credentialId".into(), json!(login));
            }
        }
        let factor = Factor {
            id: okta_id(prefix, self.rng),
            factor_type,
            provider,
            vendor_name: vendor,
            status: "ACTIVE",
            created: t,
            last_updated: t,
            profile,
        };
        let user = &self.org.users[u];
        let reason = format!("User set up {name} factor");
        self.events.push(
            EventBuilder::new("user.mfa.factor.activate", t)
                .actor_user(user)
                .via(&p)
                .outcome("SUCCESS", Some(&reason))
                .request_uri("/idp/idx/challenge/answer")
                .debug("factor", name)
                .target(target_user(user))
                .target(authenticator_target(&factor))
                .build(self.rng),
        );
        self.org.factors[u].push(factor);
        self.changed = true;
    }

    /// A person who forgot their new password: a few failures, then the policy locks them out
    /// until an admin unlocks them half an hour to an hour later.
    fn lockout(&mut self, t: Ts) {
        let Some(u) = self.random_user(t) else { return };
        let (mut p, _, _) = self.presence(u, t, false);
        if !p.session.is_empty() {
            return;
        }
        p.session = new_session_id(self.rng);
        let mut now = t;
        for i in 0..LOCKOUT_AFTER {
            if i > 0 {
                now += ms(self.rng, 3_000, 25_000);
            }
            let actor = Actor::user(&self.org.users[u]);
            let ev = failed_sign_in(self.rng, actor, &p, now, "INVALID_CREDENTIALS", Behaviors::default());
            self.events.push(ev);
        }
        now += ms(self.rng, 5, 200);
        let user = &self.org.users[u];
        self.events.push(
            EventBuilder::new("user.account.lock", now)
                .actor_user(user)
                .via(&p)
                .failure("LOCKED_OUT")
                .request_uri("/idp/idx/identify")
                .debug("dtHash", p.dt_hash.as_str())
                .target(target_user(user))
                .build(self.rng),
        );
        // Applied now, even if the event lands in the next window, so the user can't sign in
        // meanwhile.
        let user = &mut self.org.users[u];
        user.status = UserStatus::LockedOut;
        user.status_changed = Some(now);
        user.last_updated = now;
        if let Some(st) = self.state.users.get_mut(&u) {
            st.session = None;
        }
        let unlock_at = now + Duration::minutes(self.rng.random_range(30..60));
        if self.state.locked_users.insert(u) {
            self.state.locked.push(Reverse((unlock_at, u)));
        }
        self.changed = true;
    }

    /// Admins unlock the locked-out users whose time has come (O(1) when nobody is due).
    fn unlock_due(&mut self, t: Ts) {
        while let Some(&Reverse((at, u))) = self.state.locked.peek() {
            if at > t {
                return;
            }
            self.state.locked.pop();
            let still_locked =
                self.org.users.get(u).is_some_and(|user| !user.deleted && user.status == UserStatus::LockedOut);
            if !still_locked {
                self.state.locked_users.remove(&u);
                continue;
            }
            let Some(admin) = pick_admin(self.rng, self.org, t, false).filter(|&a| a != u) else {
                // Nobody to unlock them: try again later.
                self.state.locked.push(Reverse((t + Duration::hours(1), u)));
                return;
            };
            self.state.locked_users.remove(&u);
            let (p, at) = self.ensure_session(admin, t);
            let ev = EventBuilder::new("user.account.unlock_by_admin", at)
                .actor_user(&self.org.users[admin])
                .via(&p)
                .request_uri(format!("/api/v1/users/{}/lifecycle/unlock", self.org.users[u].id))
                .target(target_user(&self.org.users[u]))
                .build(self.rng);
            self.events.push(ev);
            let user = &mut self.org.users[u];
            user.status = UserStatus::Active;
            user.status_changed = Some(at);
            user.last_updated = at;
            self.changed = true;
        }
    }

    /// A random live Okta-mastered group that admins manage by hand. Groups holding admin roles
    /// are left alone: joining one is a privilege grant, which benign traffic never makes.
    fn random_okta_group(&mut self) -> Option<usize> {
        let n = self.org.groups.len();
        if n == 0 {
            return None;
        }
        let org = &*self.org;
        (0..8).map(|_| self.rng.random_range(0..n)).find(|&g| {
            let grp = &org.groups[g];
            grp.group_type == GroupType::OktaGroup
                && !grp.deleted
                && g < org.group_members.len()
                && !org.role_assignments.iter().any(|r| r.principal == Principal::Group(g))
        })
    }

    fn admin_change(&mut self, t: Ts) {
        // Some changes come from automation holding an admin's API token rather than from the
        // admin's browser. Tokens minted in the last week are left alone: they may be an
        // attack scenario's.
        let n = self.org.api_tokens.len();
        let token = if n > 0 && self.rng.random_bool(0.25) {
            let tok = &self.org.api_tokens[self.rng.random_range(0..n)];
            let owner_ok = self.org.users.get(tok.user).is_some_and(|u| !u.deleted && u.status == UserStatus::Active);
            (owner_ok && t - tok.created > Duration::days(7)).then(|| (tok.user, tok.id.clone()))
        } else {
            None
        };
        let (admin, p, at) = match token {
            Some((admin, token_id)) => {
                let p = Presence {
                    client: service_client(&token_id),
                    dt_hash: String::new(),
                    session: String::new(),
                    api_token: Some(token_id),
                };
                (admin, p, t)
            }
            None => {
                let Some(admin) = pick_admin(self.rng, self.org, t, false) else { return };
                let (p, at) = self.ensure_session(admin, t);
                (admin, p, at)
            }
        };
        let actor = Actor::user(&self.org.users[admin]);
        match self.rng.random_range(0..100u32) {
            0..35 => self.admin_add_member(&actor, &p, at),
            35..60 => self.admin_remove_member(&actor, &p, at),
            60..70 => {
                let home = self.rng.random_range(0..HOSTILE_START.min(LOCATIONS.len()));
                let u = add_user(self.rng, self.org, at, None, home);
                let end = create_user_events(self.rng, self.org, &actor, &p, u, at, &mut self.events);
                activate_user(self.org, u, end);
                self.changed = true;
            }
            70..90 => self.admin_update_profile(&actor, &p, at),
            _ => self.admin_assign_app(&actor, &p, at),
        }
    }

    fn membership_event(&mut self, event_type: &'static str, actor: &Actor, p: &Presence, u: usize, g: usize, t: Ts) {
        let user = &self.org.users[u];
        let group = &self.org.groups[g];
        let ev = EventBuilder::new(event_type, t)
            .actor(actor.clone())
            .via(p)
            .request_uri(format!("/api/v1/groups/{}/users/{}", group.id, user.id))
            .target(target_user(user))
            .target(target(group.id.as_str(), "UserGroup", "unknown", &group.name, Value::Null))
            .build(self.rng);
        self.events.push(ev);
        self.org.groups[g].last_membership_updated = t;
        self.changed = true;
    }

    fn admin_add_member(&mut self, actor: &Actor, p: &Presence, t: Ts) {
        let Some(g) = self.random_okta_group() else { return };
        let n = self.org.users.len();
        for _ in 0..8 {
            let u = self.rng.random_range(0..n);
            let user = &self.org.users[u];
            if user.deleted || user.status == UserStatus::Deprovisioned {
                continue;
            }
            let members = &mut self.org.group_members[g];
            if let Err(pos) = members.binary_search(&u) {
                members.insert(pos, u);
                self.membership_event("group.user_membership.add", actor, p, u, g, t);
                return;
            }
        }
    }

    fn admin_remove_member(&mut self, actor: &Actor, p: &Presence, t: Ts) {
        let Some(g) = self.random_okta_group() else { return };
        let members = &mut self.org.group_members[g];
        if members.is_empty() {
            return;
        }
        let u = members.remove(self.rng.random_range(0..members.len()));
        self.membership_event("group.user_membership.remove", actor, p, u, g, t);
    }

    fn admin_update_profile(&mut self, actor: &Actor, p: &Presence, t: Ts) {
        let n = self.org.users.len();
        let Some(u) = (0..8).map(|_| self.rng.random_range(0..n)).find(|&u| !self.org.users[u].deleted) else { return };
        let title = TITLES[self.rng.random_range(0..TITLES.len())];
        let user = &mut self.org.users[u];
        user.profile.title = Some(title.to_string());
        user.last_updated = t;
        let user = &self.org.users[u];
        let ev = EventBuilder::new("user.account.update_profile", t)
            .actor(actor.clone())
            .via(p)
            .request_uri(format!("/api/v1/users/{}", user.id))
            .debug("changedAttributes", "title")
            .target(target_user(user))
            .build(self.rng);
        self.events.push(ev);
        self.changed = true;
    }

    fn admin_assign_app(&mut self, actor: &Actor, p: &Presence, t: Ts) {
        let (na, nu) = (self.org.apps.len(), self.org.users.len());
        if na == 0 || nu == 0 {
            return;
        }
        let Some(a) = (0..8).map(|_| self.rng.random_range(0..na)).find(|&a| is_sso_app(&self.org.apps[a])) else {
            return;
        };
        let Some(u) = self.random_user(t) else { return };
        if self.org.app_user_assignments.len() <= a {
            self.org.app_user_assignments.resize_with(a + 1, Vec::new);
        }
        if self.org.app_user_assignments[a].iter().any(|x| x.user == u) {
            return;
        }
        self.org.app_user_assignments[a].push(AppUserAssignment {
            user: u,
            created: t,
            last_updated: t,
            status: "ACTIVE",
            sync_state: "DISABLED",
            external_id: None,
            profile: Map::new(),
        });
        let user = &self.org.users[u];
        let app = &self.org.apps[a];
        let ev = EventBuilder::new("application.user_membership.add", t)
            .actor(actor.clone())
            .via(p)
            .request_uri(format!("/api/v1/apps/{}/users", app.id))
            .target(target(
                derived_id("0ua", &user.id, &app.id),
                "AppUser",
                &user.profile.login,
                display_name(user),
                Value::Null,
            ))
            .target(app_target(app))
            .target(target_user(user))
            .build(self.rng);
        self.events.push(ev);
        self.changed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::super::event::testing::*;
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::collections::{HashMap as Map2, HashSet};

    /// Runs `minutes` one-minute windows, handing each event to `f` (batches are not kept:
    /// events are large).
    fn run(seed: u64, org: &mut Org, minutes: i64, epm: f64, mut f: impl FnMut(&GeneratedEvent)) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut state = SessionState::default();
        for m in 0..minutes {
            let from = t0() + Duration::minutes(m);
            for e in &generate(&mut rng, &mut state, org, from, from + Duration::minutes(1), epm).events {
                f(e);
            }
        }
    }

    fn digest(seed: u64, minutes: i64) -> (u64, usize) {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let mut n = 0;
        run(seed, &mut small_org(200), minutes, 120.0, |e| {
            e.event.to_string().hash(&mut h);
            e.persist_delay.hash(&mut h);
            n += 1;
        });
        (h.finish(), n)
    }

    #[test]
    fn events_are_well_formed_sorted_and_in_their_window() {
        let mut org = small_org(300);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut state = SessionState::default();
        let mut total = 0;
        for m in 0..120 {
            let from = t0() + Duration::minutes(m);
            let to = from + Duration::minutes(1);
            let batch = generate(&mut rng, &mut state, &mut org, from, to, 60.0);
            for w in batch.events.windows(2) {
                assert!(w[0].published <= w[1].published);
            }
            for e in &batch.events {
                assert!(e.published >= from && e.published < to);
                check_shape(&e.event);
                assert_eq!(e.event["published"], format_published(e.published));
                let d = e.persist_delay.num_milliseconds();
                assert!((0..=90_000).contains(&d));
            }
            total += batch.events.len();
        }
        assert!(total > 0);
    }

    #[test]
    fn rate_is_roughly_what_was_asked() {
        for epm in [30.0, 300.0] {
            let mut org = small_org(400);
            let mut n = 0usize;
            run(5, &mut org, 240, epm, |_| n += 1);
            let want = epm * 240.0;
            assert!((n as f64) > want * 0.85 && (n as f64) < want * 1.15, "{n} events, wanted about {want}");
        }
    }

    #[test]
    fn large_windows_work_in_one_call() {
        let mut org = small_org(300);
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut state = SessionState::default();
        let from = t0();
        let batch = generate(&mut rng, &mut state, &mut org, from, from + Duration::hours(10), 100.0);
        let n = batch.events.len() as f64;
        assert!((n - 60_000.0).abs() < 6_000.0, "{n}");
    }

    #[test]
    fn same_seed_same_events() {
        let a = digest(42, 60);
        assert!(a.1 > 1_000);
        assert_eq!(a, digest(42, 60));
        assert_ne!(a.0, digest(43, 60).0);
    }

    #[test]
    fn only_active_recent_users_succeed_and_only_from_home() {
        let org0 = small_org(300);
        let mut org = org0.clone();
        let by_id: Map2<&str, &User> = org0.users.iter().map(|u| (u.id.as_str(), u)).collect();
        let mut users_seen = HashSet::new();
        run(7, &mut org, 600, 120.0, |e| {
            let ev = &e.event;
            let et = ev["eventType"].as_str().unwrap();
            let ok = matches!(ev["outcome"]["result"].as_str(), Some("SUCCESS" | "ALLOW"));
            let actor = ev["actor"]["id"].as_str().unwrap();
            if let Some(ip) = ev["client"]["ipAddress"].as_str() {
                let prefix: Vec<u8> = ip.split('.').take(2).map(|p| p.parse().unwrap()).collect();
                let loc = LOCATIONS.iter().position(|l| l.ip_prefix[..] == prefix[..]).expect("known prefix");
                assert!(loc < HOSTILE_START, "benign traffic from hostile {ip}");
            }
            if ev["actor"]["type"] != "User" {
                return;
            }
            let Some(u) = by_id.get(actor) else { return }; // created during the run
            if ok && (et.starts_with("user.session.start") || et.starts_with("user.authentication")) {
                assert!(!u.deleted, "{} deleted but signed in", u.profile.login);
                assert_ne!(u.status, UserStatus::Suspended);
                assert_ne!(u.status, UserStatus::Deprovisioned);
                assert_ne!(u.status, UserStatus::Staged);
                assert!(!is_dormant(u, t0()), "dormant {} signed in", u.profile.login);
                users_seen.insert(actor.to_string());
                if let Some(ip) = ev["client"]["ipAddress"].as_str() {
                    let home = LOCATIONS[u.home_location].ip_prefix;
                    assert!(
                        ip.starts_with(&format!("{}.{}.", home[0], home[1])),
                        "{ip} not home for {}",
                        u.profile.login
                    );
                }
            }
        });
        assert!(users_seen.len() > 50, "{}", users_seen.len());
    }

    #[test]
    fn the_mix_has_sign_ins_sso_mfa_tokens_failures_and_sign_outs() {
        let mut org = small_org(300);
        let mut counts: Map2<String, usize> = Map2::new();
        run(3, &mut org, 600, 120.0, |e| {
            let key = format!(
                "{}:{}",
                e.event["eventType"].as_str().unwrap(),
                e.event["outcome"]["result"].as_str().unwrap()
            );
            *counts.entry(key).or_default() += 1;
        });
        for key in [
            "user.session.start:SUCCESS",
            "user.session.start:FAILURE",
            "policy.evaluate_sign_on:ALLOW",
            "system.push.send_factor_verify_push:SUCCESS",
            "user.authentication.auth_via_mfa:SUCCESS",
            "user.authentication.sso:SUCCESS",
            "app.oauth2.as.token.grant.access_token:SUCCESS",
            "app.oauth2.token.grant.access_token:SUCCESS",
            "user.session.end:SUCCESS",
            "user.mfa.factor.activate:SUCCESS",
            "user.account.update_password:SUCCESS",
        ] {
            assert!(counts.get(key).copied().unwrap_or(0) > 0, "no {key} in {counts:?}");
        }
        let admin: usize = counts
            .iter()
            .filter(|(k, _)| {
                k.starts_with("group.user_membership")
                    || k.starts_with("user.lifecycle")
                    || k.starts_with("user.account.update_profile")
                    || k.starts_with("application.user_membership")
            })
            .map(|(_, v)| v)
            .sum();
        assert!(admin > 0, "no admin changes in {counts:?}");
        // Never any attack-looking bursts in benign traffic.
        let fails = counts.get("user.session.start:FAILURE").copied().unwrap_or(0);
        let total: usize = counts.values().sum();
        assert!(fails * 20 < total, "{fails} failures of {total}");
    }

    #[test]
    fn mfa_follows_the_session_start_and_sso_reuses_the_session() {
        let mut org = small_org(200);
        let mut started: HashSet<String> = HashSet::new();
        let mut sso = 0;
        run(21, &mut org, 120, 100.0, |e| {
            let sid = e.event["authenticationContext"]["externalSessionId"].as_str().map(str::to_string);
            match e.event["eventType"].as_str().unwrap() {
                "user.session.start" if e.event["outcome"]["result"] == "SUCCESS" => {
                    let sid = sid.unwrap();
                    assert!(sid.starts_with("102") && sid.len() == 25);
                    started.insert(sid);
                }
                "user.authentication.sso" | "user.authentication.auth_via_mfa" => {
                    assert!(started.contains(&sid.unwrap()), "session used before it started");
                    sso += 1;
                }
                _ => {}
            }
        });
        assert!(sso > 100);
    }

    #[test]
    fn org_changed_is_set_exactly_when_the_org_changed() {
        let mut org = small_org(300);
        let mut rng = ChaCha8Rng::seed_from_u64(77);
        let mut state = SessionState::default();
        let (mut flagged, mut quiet) = (0, 0);
        let mut locked: HashSet<String> = HashSet::new();
        for m in 0..600 {
            let from = t0() + Duration::minutes(m);
            let before = fingerprint(&org);
            let admins: HashSet<String> = org
                .role_assignments
                .iter()
                .flat_map(|r| match r.principal {
                    Principal::User(x) => vec![x],
                    Principal::Group(g) => org.group_members[g].clone(),
                    Principal::Client(_) => vec![],
                })
                .map(|x| org.users[x].id.clone())
                .collect();
            let batch = generate(&mut rng, &mut state, &mut org, from, from + Duration::minutes(1), 120.0);
            let changed = fingerprint(&org) != before;
            assert_eq!(batch.org_changed, changed, "minute {m}");
            if changed {
                flagged += 1
            } else {
                quiet += 1
            }
            for (g, members) in org.group_members.iter().enumerate() {
                assert!(members.windows(2).all(|w| w[0] < w[1]), "group {g} not sorted");
            }
            assert_eq!(org.factors.len(), org.users.len());
            for e in &batch.events {
                let ev = &e.event;
                let actor = ev["actor"]["id"].as_str().unwrap();
                match ev["eventType"].as_str().unwrap() {
                    "group.user_membership.add" | "group.user_membership.remove" => {
                        let uid = ev["target"][0]["id"].as_str().unwrap();
                        let gid = ev["target"][1]["id"].as_str().unwrap();
                        let u = org.users.iter().position(|x| x.id == uid).unwrap();
                        let g = org.groups.iter().position(|x| x.id == gid).unwrap();
                        let added = ev["eventType"] == "group.user_membership.add";
                        // The last change of this pair in the run decides; here it's enough that
                        // an add leaves the user in, a remove out, when nothing else touched it.
                        let _ = (u, g, added);
                        assert!(admins.contains(actor), "membership changed by a non-admin");
                        assert!(
                            !org.role_assignments.iter().any(|r| r.principal == Principal::Group(g)),
                            "admin group edited"
                        );
                    }
                    "user.lifecycle.create" => {
                        let uid = ev["target"][0]["id"].as_str().unwrap();
                        let u = org.users.iter().position(|x| x.id == uid).unwrap();
                        assert!(org.group_members[0].contains(&u), "new user not in Everyone");
                    }
                    "user.account.lock" => {
                        locked.insert(actor.to_string());
                    }
                    "user.account.unlock_by_admin" => {
                        locked.remove(ev["target"][0]["id"].as_str().unwrap());
                    }
                    "user.session.start" if ev["outcome"]["result"] == "SUCCESS" => {
                        assert!(!locked.contains(actor), "locked-out user signed in");
                    }
                    _ => {}
                }
            }
        }
        assert!(flagged > 10 && quiet > 10, "{flagged} flagged, {quiet} quiet");
    }

    /// Everything about the org except lastLogin, which moves silently with every sign-in.
    fn fingerprint(org: &Org) -> String {
        let users: Vec<User> = org
            .users
            .iter()
            .cloned()
            .map(|mut u| {
                u.last_login = None;
                u
            })
            .collect();
        format!(
            "{users:?}{:?}{:?}{:?}{:?}{:?}{:?}",
            org.group_members, org.factors, org.app_user_assignments, org.role_assignments, org.api_tokens, org.groups
        )
    }

    #[test]
    fn works_on_a_generated_org_before_and_after_its_now() {
        let now = t0();
        let org0 = crate::org::generate(&crate::org::OrgParams::sized(600, 3, now));
        let mut org = org0.clone();
        let role_groups: HashSet<String> = org0
            .role_assignments
            .iter()
            .filter_map(|r| match r.principal {
                Principal::Group(g) => Some(org0.groups[g].id.clone()),
                _ => None,
            })
            .collect();
        let index: Map2<String, usize> = org0.users.iter().enumerate().map(|(i, u)| (u.id.clone(), i)).collect();
        let app_index: Map2<String, usize> = org0.apps.iter().enumerate().map(|(i, a)| (a.id.clone(), i)).collect();
        let assigned = |org: &Org, a: usize, u: usize| {
            org.app_user_assignments[a].iter().any(|x| x.user == u)
                || org.app_group_assignments[a].iter().any(|g| org.group_members[g.group].binary_search(&u).is_ok())
        };
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut state = SessionState::default();
        let (mut n, mut sso, mut admin_changes) = (0, 0, 0);
        let mut unlocked: HashSet<String> = HashSet::new();
        // Two hours of history before the org's "now", then four hours live.
        for m in -120..240 {
            let from = now + Duration::minutes(m);
            let batch = generate(&mut rng, &mut state, &mut org, from, from + Duration::minutes(1), 60.0);
            for e in &batch.events {
                let ev = &e.event;
                check_shape(ev);
                n += 1;
                if let Some(ip) = ev["client"]["ipAddress"].as_str() {
                    let prefix: Vec<u8> = ip.split('.').take(2).map(|p| p.parse().unwrap()).collect();
                    let loc = LOCATIONS.iter().position(|l| l.ip_prefix[..] == prefix[..]).unwrap();
                    assert!(loc < HOSTILE_START, "benign traffic from hostile {ip}");
                }
                let et = ev["eventType"].as_str().unwrap();
                let ok = matches!(ev["outcome"]["result"].as_str(), Some("SUCCESS" | "ALLOW"));
                if et == "user.account.unlock_by_admin" {
                    unlocked.insert(ev["target"][0]["id"].as_str().unwrap().to_string());
                }
                if let Some(&u) = index.get(ev["actor"]["id"].as_str().unwrap()) {
                    let user = &org0.users[u];
                    if ok && (et == "user.session.start" || et.starts_with("user.authentication")) {
                        let was_unlocked = user.status == UserStatus::LockedOut && unlocked.contains(&user.id);
                        assert!(
                            user.status == UserStatus::Active || was_unlocked,
                            "{} is {:?}",
                            user.profile.login,
                            user.status
                        );
                        assert!(!user.deleted);
                        assert!(!is_dormant(user, now), "dormant {} signed in", user.profile.login);
                        assert!(user.created <= e.published);
                    }
                    if et == "user.authentication.sso" {
                        let a = app_index[ev["target"][0]["id"].as_str().unwrap()];
                        assert!(assigned(&org0, a, u) || assigned(&org, a, u), "SSO to an unassigned app");
                        sso += 1;
                    }
                }
                if et.starts_with("group.user_membership") {
                    admin_changes += 1;
                    assert!(!role_groups.contains(ev["target"][1]["id"].as_str().unwrap()), "admin group edited");
                }
            }
        }
        assert!((18_000..25_000).contains(&n), "{n}");
        assert!(sso > 3_000 && admin_changes > 3, "{sso} sso, {admin_changes} membership changes");
        for (before, after) in org0.users.iter().zip(&org.users) {
            assert!(after.last_login >= before.last_login, "lastLogin moved backwards for {}", before.profile.login);
        }
    }

    #[test]
    fn quiet_windows_flag_nothing() {
        let mut org = small_org(100);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut state = SessionState::default();
        let batch = generate(&mut rng, &mut state, &mut org, t0(), t0() + Duration::minutes(5), 0.0);
        assert!(batch.events.is_empty());
        assert!(!batch.org_changed);
        let batch = generate(&mut rng, &mut state, &mut org, t0(), t0(), 100.0);
        assert!(batch.events.is_empty());
    }

    #[test]
    fn memory_stays_bounded() {
        let mut state = SessionState::default();
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for u in 0..(MAX_TRACKED_USERS + 10) {
            state.users.insert(u, UserState::new(&mut rng, 0, t0() + Duration::seconds(u as i64)));
        }
        state.bound_memory();
        assert!(state.users.len() <= MAX_TRACKED_USERS / 2 + 10);
        assert!(state.users.contains_key(&(MAX_TRACKED_USERS + 9)), "the most recent users are kept");
    }
}
