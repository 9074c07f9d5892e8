//! Scripted attacks on the org, each with the ground truth a test checks detections against.
//!
//! Attack traffic always comes from hostile locations (index ≥ [`HOSTILE_START`] in
//! [`LOCATIONS`]). Scenarios that change the org (a lockout, a new super admin, a new API token)
//! apply the change, so the API and the log agree.

use super::benign::{
    LOCKOUT_AFTER, activate_user, add_user, app_access_events, can_sign_in, create_user_events, failed_sign_in,
    is_sso_app, pick_admin, primary_factor, push_sent, sign_in_flow,
};
use super::event::*;
use crate::org::geo::{HOSTILE_START, LOCATIONS, distance_km};
use crate::org::ids::{alnum, okta_id};
use crate::org::*;
use chrono::Duration;
use rand::Rng;
use serde_json::{Map, Value, json};

/// An attack the simulator can stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// One IP tries a common password against many users, once or twice each.
    PasswordSpray,
    /// One IP hammers one user's password until the account locks, and beyond.
    BruteForce,
    /// Leaked credentials tried against many users about once each, from rotating addresses in
    /// one hosting network.
    CredentialStuffing,
    /// Repeated Okta Verify pushes the victim rejects or ignores, until one is accepted.
    MfaPushBombing,
    /// An admin creates and activates a brand-new user and makes it a super admin.
    AdminRoleGrantedToFreshAccount,
    /// An admin creates an API token usable from anywhere.
    ApiTokenCreated,
    /// An admin grants Okta Support impersonation, and a support session starts.
    SupportImpersonation,
    /// An admin deactivates then deletes a sign-on policy rule.
    PolicyRuleDeleted,
    /// An admin adds and activates an identity provider.
    IdpAdded,
    /// A user signs in at home, then minutes later from a far country.
    ImpossibleTravel,
    /// A user's session is replayed from another IP, ASN and country mid-session.
    SessionRoaming,
}

impl Scenario {
    pub const ALL: [Scenario; 11] = [
        Scenario::PasswordSpray,
        Scenario::BruteForce,
        Scenario::CredentialStuffing,
        Scenario::MfaPushBombing,
        Scenario::AdminRoleGrantedToFreshAccount,
        Scenario::ApiTokenCreated,
        Scenario::SupportImpersonation,
        Scenario::PolicyRuleDeleted,
        Scenario::IdpAdded,
        Scenario::ImpossibleTravel,
        Scenario::SessionRoaming,
    ];

    /// The snake_case name (as serialised).
    pub fn name(self) -> &'static str {
        match self {
            Scenario::PasswordSpray => "password_spray",
            Scenario::BruteForce => "brute_force",
            Scenario::CredentialStuffing => "credential_stuffing",
            Scenario::MfaPushBombing => "mfa_push_bombing",
            Scenario::AdminRoleGrantedToFreshAccount => "admin_role_granted_to_fresh_account",
            Scenario::ApiTokenCreated => "api_token_created",
            Scenario::SupportImpersonation => "support_impersonation",
            Scenario::PolicyRuleDeleted => "policy_rule_deleted",
            Scenario::IdpAdded => "idp_added",
            Scenario::ImpossibleTravel => "impossible_travel",
            Scenario::SessionRoaming => "session_roaming",
        }
    }

    /// Parses a name; case-insensitive, `-` accepted for `_`.
    pub fn parse(s: &str) -> Option<Scenario> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Scenario::ALL.into_iter().find(|sc| sc.name() == s)
    }

    /// The detection ids that must fire on this scenario's events.
    fn detections(self) -> Vec<&'static str> {
        match self {
            Scenario::PasswordSpray => vec!["okta.password_spray", "okta.brute_force.ip"],
            Scenario::BruteForce => vec!["okta.brute_force.user", "okta.brute_force.ip"],
            Scenario::CredentialStuffing => vec!["okta.credential_stuffing"],
            Scenario::MfaPushBombing => vec!["okta.mfa_push_bombing"],
            Scenario::AdminRoleGrantedToFreshAccount => vec!["okta.admin_role_granted"],
            Scenario::ApiTokenCreated => vec!["okta.api_token_created"],
            Scenario::SupportImpersonation => vec!["okta.impersonation"],
            Scenario::PolicyRuleDeleted => vec!["okta.policy_tampering"],
            Scenario::IdpAdded => vec!["okta.idp_change"],
            Scenario::ImpossibleTravel => vec!["identity.impossible_travel"],
            Scenario::SessionRoaming => vec!["okta.session_roaming"],
        }
    }

    /// Detections whose usual thresholds these events may or may not reach: neither required
    /// nor a false positive.
    fn may_also_fire(self) -> Vec<&'static str> {
        match self {
            // At most two tries per user is also what single-source stuffing rules look for.
            Scenario::PasswordSpray => vec!["okta.credential_stuffing"],
            // The replayed session is also the same person in two far places minutes apart.
            Scenario::SessionRoaming => vec!["identity.impossible_travel"],
            // The attacker acts as an org user (the victim who approved a push, or an admin) from
            // abroad, minutes after that user was active at home: the same person in two far
            // places, whether or not that user had been active recently enough to show it.
            Scenario::MfaPushBombing
            | Scenario::AdminRoleGrantedToFreshAccount
            | Scenario::ApiTokenCreated
            | Scenario::PolicyRuleDeleted
            | Scenario::IdpAdded
            | Scenario::SupportImpersonation => {
                let mut also = vec!["identity.impossible_travel"];
                if self == Scenario::MfaPushBombing {
                    also.push("okta.mfa_failures_excessive");
                }
                also
            }
            _ => vec![],
        }
    }
}

/// What a scenario did, for checking detections against.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroundTruth {
    pub scenario: Scenario,
    /// Detection ids (BRIEF.md's table) that must fire on these events.
    pub detections: Vec<&'static str>,
    /// Detection ids that may fire too, depending on thresholds (see [`Scenario`] docs).
    pub may_also_fire: Vec<&'static str>,
    /// Org users named as `actor` of the scenario's events. For failed sign-ins Okta names the
    /// account being tried, so a spray's victims are its actors as well as its targets.
    pub actor_user_ids: Vec<String>,
    /// Users the attack aims at, or who gain power from it.
    pub target_user_ids: Vec<String>,
    /// Client addresses the attacker used (all in hostile locations).
    pub source_ips: Vec<String>,
    /// Every event of the scenario, in `published` order.
    pub event_uuids: Vec<String>,
    pub start: Ts,
    pub end: Ts,
}

/// Stages `scenario` from `start`; see [`super::ActivityGenerator::scenario`].
pub(super) fn run(rng: &mut impl Rng, org: &mut Org, scenario: Scenario, start: Ts) -> (ActivityBatch, GroundTruth) {
    let mut s = Script {
        rng,
        org,
        events: Vec::new(),
        actors: Vec::new(),
        targets: Vec::new(),
        ips: Vec::new(),
        changed: false,
    };
    let start = to_millis(start);
    match scenario {
        Scenario::PasswordSpray => s.password_spray(start),
        Scenario::BruteForce => s.brute_force(start),
        Scenario::CredentialStuffing => s.credential_stuffing(start),
        Scenario::MfaPushBombing => s.push_bombing(start),
        Scenario::AdminRoleGrantedToFreshAccount => s.fresh_super_admin(start),
        Scenario::ApiTokenCreated => s.api_token(start),
        Scenario::SupportImpersonation => s.impersonation(start),
        Scenario::PolicyRuleDeleted => s.policy_rule_deleted(start),
        Scenario::IdpAdded => s.idp_added(start),
        Scenario::ImpossibleTravel => s.impossible_travel(start),
        Scenario::SessionRoaming => s.session_roaming(start),
    }
    let Script { mut events, actors, targets, ips, changed, .. } = s;
    events.sort_by_key(|e| e.published);
    let truth = GroundTruth {
        scenario,
        detections: scenario.detections(),
        may_also_fire: scenario.may_also_fire(),
        actor_user_ids: actors,
        target_user_ids: targets,
        source_ips: ips,
        event_uuids: events.iter().map(|e| e.event["uuid"].as_str().unwrap_or_default().to_string()).collect(),
        start: events.first().map_or(start, |e| e.published),
        end: events.last().map_or(start, |e| e.published),
    };
    (ActivityBatch { events, org_changed: changed }, truth)
}

struct Script<'a, R: Rng> {
    rng: &'a mut R,
    org: &'a mut Org,
    events: Vec<GeneratedEvent>,
    actors: Vec<String>,
    targets: Vec<String>,
    ips: Vec<String>,
    changed: bool,
}

/// Records a successful sign-in in `lastLogin` (which never moves backwards).
fn touch_last_login(u: &mut User, t: Ts) {
    u.last_login = Some(u.last_login.map_or(t, |l| l.max(t)));
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

impl<R: Rng> Script<'_, R> {
    fn ms(&mut self, lo: i64, hi: i64) -> Duration {
        Duration::milliseconds(self.rng.random_range(lo..hi))
    }

    /// The actor for an org user, recorded in the ground truth.
    fn actor(&mut self, u: usize) -> Actor {
        push_unique(&mut self.actors, &self.org.users[u].id);
        Actor::user(&self.org.users[u])
    }

    fn victim(&mut self, u: usize) {
        push_unique(&mut self.targets, &self.org.users[u].id);
    }

    fn hostile_location(&mut self) -> usize {
        self.rng.random_range(HOSTILE_START..LOCATIONS.len())
    }

    /// An attacker's client in a hostile place, recorded as a source.
    fn hostile_client(&mut self, location: usize, agent: &'static Agent) -> Client {
        let client = Client::new(Client::random_ip(self.rng, location), location, agent);
        push_unique(&mut self.ips, &client.ip_string());
        client
    }

    fn attacker_presence(&mut self, client: Client) -> Presence {
        Presence { client, dt_hash: new_dt_hash(self.rng), session: new_session_id(self.rng), api_token: None }
    }

    /// The user's own presence at home (a fresh lease, their usual kind of browser).
    fn home_presence(&mut self, u: usize) -> Presence {
        let home = self.org.users[u].home_location.min(LOCATIONS.len() - 1);
        let agent = &BROWSERS[(fnv(self.org.users[u].id.as_bytes()) % BROWSERS.len() as u64) as usize];
        let client = Client::new(Client::random_ip(self.rng, home), home, agent);
        Presence { client, dt_hash: new_dt_hash(self.rng), session: new_session_id(self.rng), api_token: None }
    }

    /// Up to `n` distinct users who may sign in, by random probing (falling back to a scan in
    /// tiny orgs).
    fn pick_users(&mut self, n: usize, t: Ts, pred: impl Fn(&Org, usize) -> bool) -> Vec<usize> {
        let total = self.org.users.len();
        let mut picked: Vec<usize> = Vec::with_capacity(n);
        if total == 0 {
            return picked;
        }
        let ok = |org: &Org, u: usize| can_sign_in(&org.users[u], t) && pred(org, u);
        for _ in 0..n * 40 {
            if picked.len() == n {
                return picked;
            }
            let u = self.rng.random_range(0..total);
            if !picked.contains(&u) && ok(self.org, u) {
                picked.push(u);
            }
        }
        for u in 0..total {
            if picked.len() == n {
                break;
            }
            if !picked.contains(&u) && ok(self.org, u) {
                picked.push(u);
            }
        }
        picked
    }

    fn pick_user(&mut self, t: Ts, pred: impl Fn(&Org, usize) -> bool) -> Option<usize> {
        self.pick_users(1, t, pred).pop()
    }

    /// An admin to act as; any user who may sign in if the org has no admin.
    fn admin(&mut self, t: Ts) -> Option<usize> {
        pick_admin(self.rng, self.org, t, true).or_else(|| self.pick_user(t, |_, _| true))
    }

    fn attacker_behaviors() -> Behaviors {
        Behaviors { new_device: true, new_ip: true, new_place: true, new_country: true, velocity: false }
    }

    fn password_spray(&mut self, start: Ts) {
        let loc = self.hostile_location();
        let agent = &SCRIPTS[self.rng.random_range(0..SCRIPTS.len())];
        let client = self.hostile_client(loc, agent);
        let n = self.rng.random_range(25..=40);
        let victims = self.pick_users(n, start, |_, _| true);
        let tries: Vec<usize> = victims.iter().map(|_| if self.rng.random_bool(0.75) { 2 } else { 1 }).collect();
        let dt_hash = new_dt_hash(self.rng);
        let mut now = start;
        for round in 0..2 {
            for (i, &u) in victims.iter().enumerate() {
                if tries[i] <= round {
                    continue;
                }
                let p =
                    Presence { client, dt_hash: dt_hash.clone(), session: new_session_id(self.rng), api_token: None };
                let actor = self.actor(u);
                self.victim(u);
                let ev = failed_sign_in(self.rng, actor, &p, now, "INVALID_CREDENTIALS", Self::attacker_behaviors());
                self.events.push(ev);
                now += self.ms(4_000, 16_000);
            }
        }
    }

    fn brute_force(&mut self, start: Ts) {
        let Some(u) = self.pick_user(start, |_, _| true) else { return };
        let loc = self.hostile_location();
        let agent = &SCRIPTS[self.rng.random_range(0..SCRIPTS.len())];
        let client = self.hostile_client(loc, agent);
        let p = self.attacker_presence(client);
        self.victim(u);
        let mut now = start;
        let after_lock = self.rng.random_range(15..=25);
        for i in 0..LOCKOUT_AFTER + after_lock {
            if i == LOCKOUT_AFTER {
                // The password policy locks the account; the tool keeps going.
                let actor = self.actor(u);
                let ev = EventBuilder::new("user.account.lock", now + self.ms(5, 200))
                    .actor(actor)
                    .via(&p)
                    .failure("LOCKED_OUT")
                    .request_uri("/api/v1/authn")
                    .debug("dtHash", p.dt_hash.as_str())
                    .target(target_user(&self.org.users[u]))
                    .build(self.rng);
                let locked_at = ev.published;
                self.events.push(ev);
                let user = &mut self.org.users[u];
                user.status = UserStatus::LockedOut;
                user.status_changed = Some(locked_at);
                user.last_updated = locked_at;
                self.changed = true;
                now = locked_at;
            }
            now += self.ms(2_000, 9_000);
            let reason = if i < LOCKOUT_AFTER { "INVALID_CREDENTIALS" } else { "LOCKED_OUT" };
            let actor = self.actor(u);
            let ev = failed_sign_in(self.rng, actor, &p, now, reason, Self::attacker_behaviors());
            self.events.push(ev);
        }
    }

    fn credential_stuffing(&mut self, start: Ts) {
        let loc = self.hostile_location();
        let agent = &SCRIPTS[self.rng.random_range(0..SCRIPTS.len())];
        let n = self.rng.random_range(30..=45);
        let victims = self.pick_users(n, start, |_, _| true);
        // Leaked lists also hold people who never worked here.
        let unknown: Vec<String> = (0..self.rng.random_range(5..=12))
            .map(|_| {
                format!(
                    "{}.{}@{}",
                    alnum(6, self.rng).to_lowercase(),
                    alnum(5, self.rng).to_lowercase(),
                    self.org.email_domain
                )
            })
            .collect();
        let mut attempts: Vec<Option<usize>> = Vec::new();
        for &u in &victims {
            attempts.push(Some(u));
            if self.rng.random_bool(0.08) {
                attempts.push(Some(u));
            }
        }
        attempts.extend(std::iter::repeat_n(None, unknown.len()));
        // Shuffle so the list isn't tried in order.
        for i in (1..attempts.len()).rev() {
            let j = self.rng.random_range(0..=i);
            attempts.swap(i, j);
        }
        let mut unknown = unknown.into_iter();
        let mut now = start;
        for who in attempts {
            let client = self.hostile_client(loc, agent);
            let p = self.attacker_presence(client);
            let ev = match who {
                Some(u) => {
                    let actor = self.actor(u);
                    self.victim(u);
                    failed_sign_in(self.rng, actor, &p, now, "INVALID_CREDENTIALS", Self::attacker_behaviors())
                }
                None => {
                    let login = unknown.next().unwrap_or_default();
                    failed_sign_in(
                        self.rng,
                        Actor::unknown_login(&login),
                        &p,
                        now,
                        "VERIFICATION_ERROR",
                        Self::attacker_behaviors(),
                    )
                }
            };
            self.events.push(ev);
            now += self.ms(1_000, 7_000);
        }
    }

    fn push_bombing(&mut self, start: Ts) {
        let victim = self
            .pick_user(start, |org, u| primary_factor(org, u).is_some_and(|f| f.factor_type == "push"))
            .or_else(|| self.pick_user(start, |_, _| true));
        let Some(u) = victim else { return };
        let factor = match primary_factor(self.org, u).filter(|f| f.factor_type == "push") {
            Some(f) => f.clone(),
            None => Factor {
                id: derived_id("opf", &self.org.users[u].id, "push"),
                factor_type: "push",
                provider: "OKTA",
                vendor_name: "OKTA",
                status: "ACTIVE",
                created: start,
                last_updated: start,
                profile: Map::new(),
            },
        };
        let loc = self.hostile_location();
        let agent = &BROWSERS[self.rng.random_range(0..BROWSERS.len() - 2)];
        let client = self.hostile_client(loc, agent);
        let p = self.attacker_presence(client);
        self.victim(u);
        let behaviors = Self::attacker_behaviors();
        let actor = self.actor(u);
        self.events.push(
            EventBuilder::new("policy.evaluate_sign_on", start)
                .actor(actor.clone())
                .via(&p)
                .outcome("CHALLENGE", Some("Sign-on policy evaluation resulted in CHALLENGE"))
                .request_uri("/idp/idx/identify")
                .behaviors(behaviors, true)
                .debug("dtHash", p.dt_hash.as_str())
                .target(super::benign::dashboard_target(self.org))
                .build(self.rng),
        );
        let denies = self.rng.random_range(5..=7);
        let ignored = self.rng.random_range(1..=3);
        let mut answers: Vec<bool> =
            std::iter::repeat_n(true, denies).chain(std::iter::repeat_n(false, ignored)).collect();
        // The first push is always rejected: the victim notices at once.
        for i in (2..answers.len()).rev() {
            let j = self.rng.random_range(1..=i);
            answers.swap(i, j);
        }
        let mut now = start + self.ms(300, 1_500);
        let user = self.org.users[u].clone();
        for deny in answers {
            self.events.push(push_sent(self.rng, &user, &factor, &p, now));
            let mfa = EventBuilder::new("user.authentication.auth_via_mfa", now)
                .actor(actor.clone())
                .via(&p)
                .auth("FACTOR_PROVIDER", Some("OKTA_CREDENTIAL_PROVIDER"), None)
                .request_uri("/idp/idx/authenticators/poll")
                .debug("factor", "OKTA_VERIFY_PUSH")
                .debug("dtHash", p.dt_hash.as_str())
                .behaviors(behaviors, false)
                .target(target_user(&user))
                .target(target(factor.id.as_str(), "AuthenticatorEnrollment", "unknown", "Okta Verify", Value::Null));
            if deny {
                now += self.ms(4_000, 25_000);
                self.events.push(
                    EventBuilder::new("user.mfa.okta_verify.deny_push", now)
                        .actor(actor.clone())
                        .via(&p)
                        .failure("User rejected Okta push verify")
                        .request_uri("/idp/idx/authenticators/poll")
                        .debug("factor", "OKTA_VERIFY_PUSH")
                        .target(target_user(&user))
                        .build(self.rng),
                );
                now += self.ms(20, 300);
                let mfa = mfa.at(now).failure("INVALID_CREDENTIALS").debug("pushOnlyResponseType", "OV_RESPONSE_DENY");
                self.events.push(mfa.build(self.rng));
            } else {
                now += Duration::seconds(60);
                let mfa = mfa.at(now).outcome("UNANSWERED", Some("Push notification timed out"));
                self.events.push(mfa.build(self.rng));
            }
            now += self.ms(3_000, 10_000);
        }
        // Worn down, the victim approves.
        self.events.push(push_sent(self.rng, &user, &factor, &p, now));
        now += self.ms(4_000, 12_000);
        self.events.push(
            EventBuilder::new("user.authentication.auth_via_mfa", now)
                .actor(actor.clone())
                .via(&p)
                .auth("FACTOR_PROVIDER", Some("OKTA_CREDENTIAL_PROVIDER"), None)
                .request_uri("/idp/idx/authenticators/poll")
                .debug("factor", "OKTA_VERIFY_PUSH")
                .debug("dtHash", p.dt_hash.as_str())
                .behaviors(behaviors, false)
                .target(target_user(&user))
                .target(target(factor.id.as_str(), "AuthenticatorEnrollment", "unknown", "Okta Verify", Value::Null))
                .build(self.rng),
        );
        now += self.ms(200, 900);
        self.events.push(
            EventBuilder::new("user.session.start", now)
                .actor(actor)
                .via(&p)
                .auth("OKTA_AUTHENTICATION_PROVIDER", Some("OKTA_CREDENTIAL_PROVIDER"), Some("PASSWORD"))
                .request_uri("/idp/idx/authenticators/poll")
                .behaviors(behaviors, true)
                .debug("dtHash", p.dt_hash.as_str())
                .target(super::benign::dashboard_target(self.org))
                .build(self.rng),
        );
        touch_last_login(&mut self.org.users[u], now);
    }

    /// The admin's (stolen) session from a hostile place, for the admin-change scenarios.
    fn admin_context(&mut self, start: Ts) -> Option<(usize, Actor, Presence)> {
        let admin = self.admin(start)?;
        let loc = self.hostile_location();
        let agent = &BROWSERS[self.rng.random_range(0..BROWSERS.len() - 2)];
        let client = self.hostile_client(loc, agent);
        let p = self.attacker_presence(client);
        let actor = self.actor(admin);
        Some((admin, actor, p))
    }

    fn fresh_super_admin(&mut self, start: Ts) {
        let Some((_, actor, p)) = self.admin_context(start) else { return };
        let home = self.rng.random_range(0..HOSTILE_START);
        let local = format!("svc.sync.{}", alnum(4, self.rng).to_lowercase());
        let u = add_user(self.rng, self.org, start, Some(&local), home);
        self.victim(u);
        let activated = create_user_events(self.rng, self.org, &actor, &p, u, start, &mut self.events);
        activate_user(self.org, u, activated);
        let at = activated + self.ms(20_000, 90_000);
        let user = &self.org.users[u];
        self.events.push(
            EventBuilder::new("user.account.privilege.grant", at)
                .actor(actor)
                .via(&p)
                .request_uri(format!("/api/internal/administrators/{}", user.id))
                .debug("privilegeGranted", "Super administrator")
                .target(target_user(user))
                .build(self.rng),
        );
        self.org.role_assignments.push(RoleAssignment {
            id: okta_id("ra1", self.rng),
            principal: Principal::User(u),
            role: RoleKind::Standard("SUPER_ADMIN"),
            created: at,
            last_updated: at,
            targets: vec![],
            expiration: None,
        });
        self.changed = true;
    }

    fn api_token(&mut self, start: Ts) {
        let Some((admin, actor, p)) = self.admin_context(start) else { return };
        let names = ["automation-sync", "backup-export", "terraform", "hr-integration", "scim-bridge"];
        let name = names[self.rng.random_range(0..names.len())].to_string();
        let token = ApiToken {
            id: okta_id("00T", self.rng),
            name: name.clone(),
            user: admin,
            client_name: "Okta API".to_string(),
            created: start,
            last_updated: start,
            token_window: "P30D".to_string(),
            network_connection: "ANYWHERE",
            network_include: vec![],
            network_exclude: vec![],
            secret: format!("00{}", alnum(40, self.rng)),
            denied: vec![],
        };
        self.events.push(
            EventBuilder::new("system.api_token.create", start)
                .actor(actor)
                .via(&p)
                .request_uri("/api/internal/tokens")
                .debug("networkConnection", "ANYWHERE")
                .debug("tokenWindow", "P30D")
                .target(target(token.id.as_str(), "Token", "unknown", &name, Value::Null))
                .build(self.rng),
        );
        self.org.api_tokens.push(token);
        self.changed = true;
    }

    fn impersonation(&mut self, start: Ts) {
        let Some(admin) = self.admin(start) else { return };
        // The admin, talked into it, grants access from their usual place...
        let home = self.home_presence(admin);
        let actor = self.actor(admin);
        self.victim(admin);
        let admin_user = self.org.users[admin].clone();
        self.events.push(
            EventBuilder::new("user.session.impersonation.grant", start)
                .actor(actor)
                .via(&home)
                .request_uri("/api/internal/impersonation/grant")
                .debug("grantDurationHours", "8")
                .target(target_user(&admin_user))
                .build(self.rng),
        );
        // ...and "support" starts a session from somewhere else.
        let loc = self.hostile_location();
        let agent = &BROWSERS[self.rng.random_range(0..BROWSERS.len() - 2)];
        let client = self.hostile_client(loc, agent);
        let p = self.attacker_presence(client);
        let support = Actor {
            id: derived_id("00u", &self.org.org_id, "okta-support"),
            kind: "User",
            alternate_id: "support@okta.com".into(),
            display_name: "Okta Support".into(),
        };
        let at = start + self.ms(120_000, 1_200_000);
        self.events.push(
            EventBuilder::new("user.session.impersonation.initiate", at)
                .actor(support)
                .via(&p)
                .request_uri("/api/internal/impersonation/initiate")
                .target(target_user(&admin_user))
                .build(self.rng),
        );
    }

    fn policy_rule_deleted(&mut self, start: Ts) {
        let Some((_, actor, p)) = self.admin_context(start) else { return };
        let policy_id = derived_id("00p", &self.org.org_id, "okta_sign_on");
        let rule_id = derived_id("0pr", &self.org.org_id, "require_mfa_off_network");
        let policy = target(
            policy_id.as_str(),
            "PolicyEntity",
            "unknown",
            "Default Policy",
            json!({"policyType": "OKTA_SIGN_ON"}),
        );
        let rule = target(
            rule_id.as_str(),
            "PolicyRule",
            &policy_id,
            "Require MFA off-network",
            json!({"policyRuleFactorMode": "2FA", "policyType": "OKTA_SIGN_ON", "ruleAction": "ALLOW", "ruleStatus": "ACTIVE"}),
        );
        let uri = format!("/api/v1/policies/{policy_id}/rules/{rule_id}");
        self.events.push(
            EventBuilder::new("policy.rule.deactivate", start)
                .actor(actor.clone())
                .via(&p)
                .request_uri(format!("{uri}/lifecycle/deactivate"))
                .target(policy.clone())
                .target(rule.clone())
                .build(self.rng),
        );
        let at = start + self.ms(5_000, 60_000);
        self.events.push(
            EventBuilder::new("policy.rule.delete", at)
                .actor(actor)
                .via(&p)
                .request_uri(uri)
                .target(policy)
                .target(rule)
                .build(self.rng),
        );
    }

    fn idp_added(&mut self, start: Ts) {
        let Some((_, actor, p)) = self.admin_context(start) else { return };
        let names = ["Partner SSO", "Contractor IdP", "Azure AD (new)", "Google Workspace"];
        let name = names[self.rng.random_range(0..names.len())];
        let id = okta_id("0oa", self.rng);
        let idp = target(id.as_str(), "IdentityProvider", "unknown", name, json!({"type": "SAML2"}));
        self.events.push(
            EventBuilder::new("system.idp.lifecycle.create", start)
                .actor(actor.clone())
                .via(&p)
                .request_uri("/api/v1/idps")
                .target(idp.clone())
                .build(self.rng),
        );
        let at = start + self.ms(5_000, 30_000);
        self.events.push(
            EventBuilder::new("system.idp.lifecycle.activate", at)
                .actor(actor)
                .via(&p)
                .request_uri(format!("/api/v1/idps/{id}/lifecycle/activate"))
                .target(idp)
                .build(self.rng),
        );
    }

    /// A hostile place in another country at least 3000 km from `home` (the farthest one in
    /// another country if none is that far).
    fn far_from(&mut self, home: usize) -> usize {
        let here = &LOCATIONS[home];
        let abroad: Vec<usize> =
            (HOSTILE_START..LOCATIONS.len()).filter(|&l| LOCATIONS[l].country_code != here.country_code).collect();
        let far: Vec<usize> = abroad.iter().copied().filter(|&l| distance_km(here, &LOCATIONS[l]) > 3_000.0).collect();
        if far.is_empty() {
            abroad
                .into_iter()
                .max_by(|&a, &b| distance_km(here, &LOCATIONS[a]).total_cmp(&distance_km(here, &LOCATIONS[b])))
                .unwrap_or(HOSTILE_START)
        } else {
            far[self.rng.random_range(0..far.len())]
        }
    }

    fn impossible_travel(&mut self, start: Ts) {
        let Some(u) = self.pick_user(start, |_, _| true) else { return };
        self.actor(u);
        self.victim(u);
        let home = self.home_presence(u);
        let mut out = Vec::new();
        sign_in_flow(self.rng, self.org, u, &home, Behaviors::default(), start, &mut out);
        let far = self.far_from(home.client.location);
        let agent = &BROWSERS[self.rng.random_range(0..BROWSERS.len() - 2)];
        let client = self.hostile_client(far, agent);
        let p = self.attacker_presence(client);
        let at = start + self.ms(5 * 60_000, 20 * 60_000);
        let behaviors = Behaviors { velocity: true, ..Self::attacker_behaviors() };
        sign_in_flow(self.rng, self.org, u, &p, behaviors, at, &mut out);
        self.events.extend(out);
        touch_last_login(&mut self.org.users[u], at);
    }

    fn session_roaming(&mut self, start: Ts) {
        // Find the victim from an app's assignees, so the replayed session reaches a real app.
        let mut pair = None;
        let n = self.org.apps.len();
        for _ in 0..64 {
            if n == 0 {
                break;
            }
            let a = self.rng.random_range(0..n);
            if !is_sso_app(&self.org.apps[a]) {
                continue;
            }
            let via_group = self.org.app_group_assignments.get(a).and_then(|gs| {
                let g = gs.get(self.rng.random_range(0..gs.len().max(1)))?.group;
                let m = self.org.group_members.get(g)?;
                (!m.is_empty()).then(|| m[self.rng.random_range(0..m.len())])
            });
            let direct = self
                .org
                .app_user_assignments
                .get(a)
                .and_then(|d| d.get(self.rng.random_range(0..d.len().max(1))).map(|x| x.user));
            if let Some(u) = via_group.or(direct).filter(|&u| can_sign_in(&self.org.users[u], start)) {
                pair = Some((Some(a), u));
                break;
            }
        }
        let (app, u) = match pair {
            Some(p) => p,
            None => match self.pick_user(start, |_, _| true) {
                Some(u) => (None, u),
                None => return,
            },
        };
        self.actor(u);
        self.victim(u);
        let home = self.home_presence(u);
        let mut out = Vec::new();
        let mut now = sign_in_flow(self.rng, self.org, u, &home, Behaviors::default(), start, &mut out);
        if let Some(a) = app {
            now += self.ms(1_000, 5_000);
            app_access_events(self.rng, self.org, u, a, &home, now, &mut out);
        }
        self.events.extend(out);
        touch_last_login(&mut self.org.users[u], start);

        // The session cookie, stolen, is replayed from a hosting network abroad.
        let far = self.far_from(home.client.location);
        let client =
            Client { ip: Client::random_ip(self.rng, far), location: far, agent: home.client.agent, is_proxy: false };
        push_unique(&mut self.ips, &client.ip_string());
        let stolen = Presence { client, dt_hash: home.dt_hash.clone(), session: home.session.clone(), api_token: None };
        let at = now + self.ms(3 * 60_000, 15 * 60_000);
        let actor = Actor::user(&self.org.users[u]);
        let behaviors = Behaviors { velocity: true, ..Self::attacker_behaviors() };
        self.events.push(
            EventBuilder::new("user.session.context.change", at)
                .actor(actor.clone())
                .via(&stolen)
                .request_uri("/api/v1/sessions/me")
                .behaviors(behaviors, false)
                .debug("dtHash", stolen.dt_hash.as_str())
                .debug("previousIp", home.client.ip_string())
                .target(target_user(&self.org.users[u]))
                .build(self.rng),
        );
        let mut after = at + self.ms(200, 2_000);
        if let Some(a) = app {
            let mut out = Vec::new();
            after = app_access_events(self.rng, self.org, u, a, &stolen, after, &mut out);
            self.events.extend(out);
        }
        after += self.ms(50, 500);
        self.events.push(
            EventBuilder::new("security.session.detect_client_roaming", after)
                .actor(actor)
                .via(&stolen)
                .outcome("ALLOW", Some("Session roaming detected"))
                .request_uri("/api/v1/sessions/me")
                .behaviors(behaviors, false)
                .debug("dtHash", stolen.dt_hash.as_str())
                .target(target_user(&self.org.users[u]))
                .build(self.rng),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::event::testing::*;
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::collections::{HashMap, HashSet};

    fn stage(scenario: Scenario, seed: u64) -> (Org, Org, ActivityBatch, GroundTruth) {
        let before = small_org(300);
        let mut org = before.clone();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let start = t0() + Duration::hours(3);
        let (batch, truth) = run(&mut rng, &mut org, scenario, start);
        (before, org, batch, truth)
    }

    fn is_hostile(ip: &str) -> bool {
        let prefix: Vec<u8> = ip.split('.').take(2).map(|p| p.parse().unwrap()).collect();
        LOCATIONS.iter().position(|l| l.ip_prefix[..] == prefix[..]).expect("known prefix") >= HOSTILE_START
    }

    fn of_type<'a>(batch: &'a ActivityBatch, event_type: &str) -> Vec<&'a Value> {
        batch.events.iter().map(|e| &e.event).filter(|e| e["eventType"] == event_type).collect()
    }

    #[test]
    fn names_round_trip_and_match_serde() {
        for s in Scenario::ALL {
            assert_eq!(Scenario::parse(s.name()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), Value::String(s.name().into()));
        }
        assert_eq!(Scenario::parse("Password-Spray"), Some(Scenario::PasswordSpray));
        assert_eq!(Scenario::parse("nope"), None);
        let names: HashSet<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(names.len(), Scenario::ALL.len());
    }

    #[test]
    fn every_scenario_is_well_formed_and_its_ground_truth_matches() {
        let known_detections = [
            "okta.brute_force.user",
            "okta.brute_force.ip",
            "okta.password_spray",
            "okta.credential_stuffing",
            "okta.mfa_push_bombing",
            "okta.mfa_failures_excessive",
            "okta.admin_role_granted",
            "okta.api_token_created",
            "okta.impersonation",
            "okta.policy_tampering",
            "okta.idp_change",
            "okta.account_lockouts",
            "okta.session_roaming",
            "identity.impossible_travel",
        ];
        for scenario in Scenario::ALL {
            for seed in 0..4 {
                let (before, org, batch, truth) = stage(scenario, seed);
                assert!(!batch.events.is_empty(), "{scenario:?} made no events");
                assert_eq!(truth.scenario, scenario);
                assert!(!truth.detections.is_empty());
                for d in truth.detections.iter().chain(&truth.may_also_fire) {
                    assert!(known_detections.contains(d), "{d}");
                }
                for w in batch.events.windows(2) {
                    assert!(w[0].published <= w[1].published);
                }
                let uuids: Vec<&str> = batch.events.iter().map(|e| e.event["uuid"].as_str().unwrap()).collect();
                assert_eq!(truth.event_uuids, uuids);
                assert_eq!(uuids.iter().collect::<HashSet<_>>().len(), uuids.len());
                assert_eq!(truth.start, batch.events[0].published);
                assert_eq!(truth.end, batch.events.last().unwrap().published);
                assert!(truth.start >= t0() + Duration::hours(3));
                assert!(truth.end - truth.start < Duration::hours(1), "{scenario:?} lasts too long");
                // Actors are exactly the org users named as actor.
                let org_ids: HashSet<&str> = org.users.iter().map(|u| u.id.as_str()).collect();
                let mut actors: Vec<String> = Vec::new();
                for e in &batch.events {
                    check_shape(&e.event);
                    let id = e.event["actor"]["id"].as_str().unwrap();
                    if org_ids.contains(id) && !actors.iter().any(|a| a == id) {
                        actors.push(id.to_string());
                    }
                }
                let mut want = truth.actor_user_ids.clone();
                want.sort();
                actors.sort();
                assert_eq!(actors, want, "{scenario:?} actors");
                assert!(!truth.source_ips.is_empty());
                let ips: HashSet<&str> =
                    batch.events.iter().filter_map(|e| e.event["client"]["ipAddress"].as_str()).collect();
                for ip in &truth.source_ips {
                    assert!(is_hostile(ip), "{scenario:?}: {ip} is not hostile");
                    assert!(ips.contains(ip.as_str()), "{scenario:?}: {ip} unused");
                }
                for ip in &ips {
                    assert!(
                        truth.source_ips.iter().any(|s| s == ip) || !is_hostile(ip),
                        "{ip} hostile but not a source"
                    );
                }
                // org_changed is exact.
                let same =
                    format!("{:?}{:?}{:?}", users_sans_login(&before), before.role_assignments, before.api_tokens)
                        == format!("{:?}{:?}{:?}", users_sans_login(&org), org.role_assignments, org.api_tokens);
                assert_eq!(batch.org_changed, !same, "{scenario:?} org_changed");
            }
        }
    }

    fn users_sans_login(org: &Org) -> Vec<User> {
        org.users
            .iter()
            .cloned()
            .map(|mut u| {
                u.last_login = None;
                u
            })
            .collect()
    }

    fn failures_by_user(batch: &ActivityBatch) -> HashMap<String, usize> {
        let mut m = HashMap::new();
        for e in of_type(batch, "user.session.start") {
            if e["outcome"]["result"] == "FAILURE" {
                *m.entry(e["actor"]["alternateId"].as_str().unwrap().to_string()).or_default() += 1;
            }
        }
        m
    }

    #[test]
    fn password_spray_is_one_ip_many_users_few_tries() {
        for seed in 0..5 {
            let (_, _, batch, truth) = stage(Scenario::PasswordSpray, seed);
            assert_eq!(truth.source_ips.len(), 1);
            let per_user = failures_by_user(&batch);
            assert!(per_user.len() >= 20, "{}", per_user.len());
            assert!(per_user.values().all(|&n| (1..=2).contains(&n)));
            assert!(truth.target_user_ids.len() >= 20);
            for e in &batch.events {
                assert_eq!(e.event["client"]["ipAddress"], truth.source_ips[0].as_str());
                assert_eq!(e.event["outcome"]["reason"], "INVALID_CREDENTIALS");
            }
            assert!(batch.events.len() >= 25, "enough failures from one IP for brute_force.ip");
            assert!(
                truth.detections.contains(&"okta.password_spray") && truth.detections.contains(&"okta.brute_force.ip")
            );
        }
    }

    #[test]
    fn brute_force_hits_one_user_from_one_ip_and_locks_them() {
        let (_, org, batch, truth) = stage(Scenario::BruteForce, 1);
        assert_eq!(truth.target_user_ids.len(), 1);
        assert_eq!(truth.source_ips.len(), 1);
        let per_user = failures_by_user(&batch);
        assert_eq!(per_user.len(), 1);
        assert!(*per_user.values().next().unwrap() >= 15);
        let locks = of_type(&batch, "user.account.lock");
        assert_eq!(locks.len(), 1);
        let u = org.users.iter().find(|u| u.id == truth.target_user_ids[0]).unwrap();
        assert_eq!(u.status, UserStatus::LockedOut);
        assert!(batch.org_changed);
        assert!(!truth.detections.contains(&"okta.account_lockouts"), "one lockout is not a burst");
        assert_eq!(truth.detections, vec!["okta.brute_force.user", "okta.brute_force.ip"]);
    }

    #[test]
    fn credential_stuffing_rotates_ips_in_one_network() {
        let (_, _, batch, truth) = stage(Scenario::CredentialStuffing, 2);
        let per_user = failures_by_user(&batch);
        assert!(truth.target_user_ids.len() >= 30);
        assert!(per_user.values().all(|&n| n <= 2));
        let ones = per_user.values().filter(|&&n| n == 1).count();
        assert!(ones * 10 >= per_user.len() * 8, "about one try each");
        let asns: HashSet<String> =
            batch.events.iter().map(|e| e.event["securityContext"]["asNumber"].to_string()).collect();
        assert_eq!(asns.len(), 1);
        let prefixes: HashSet<String> =
            truth.source_ips.iter().map(|ip| ip.split('.').take(2).collect::<Vec<_>>().join(".")).collect();
        assert_eq!(prefixes.len(), 1, "one /16");
        assert!(truth.source_ips.len() >= 30, "rotating addresses");
        assert!(of_type(&batch, "user.session.start").iter().any(|e| e["actor"]["id"] == "unknown"));
    }

    #[test]
    fn push_bombing_rejects_then_accepts() {
        let (_, _, batch, truth) = stage(Scenario::MfaPushBombing, 3);
        let pushes = of_type(&batch, "system.push.send_factor_verify_push").len();
        let denies = of_type(&batch, "user.mfa.okta_verify.deny_push").len();
        let mfa = of_type(&batch, "user.authentication.auth_via_mfa");
        let failed = mfa.iter().filter(|e| e["outcome"]["result"] != "SUCCESS").count();
        assert!(denies >= 5);
        assert!(pushes > denies);
        assert_eq!(failed, pushes - 1);
        assert!(mfa.iter().any(|e| e["outcome"]["result"] == "UNANSWERED"));
        assert!(
            mfa.iter()
                .filter(|e| e["outcome"]["result"] == "FAILURE")
                .all(|e| e["outcome"]["reason"] == "INVALID_CREDENTIALS"
                    && e["debugContext"]["debugData"]["factor"] == "OKTA_VERIFY_PUSH")
        );
        // Ends with an accepted push and a session, all within ten minutes.
        let last_mfa = mfa.last().unwrap();
        assert_eq!(last_mfa["outcome"]["result"], "SUCCESS");
        assert_eq!(batch.events.last().unwrap().event["eventType"], "user.session.start");
        assert!(truth.end - truth.start < Duration::minutes(10));
        let actors: HashSet<&str> = batch.events.iter().map(|e| e.event["actor"]["id"].as_str().unwrap()).collect();
        assert_eq!(actors.len(), 1);
        let sessions: HashSet<&str> = batch
            .events
            .iter()
            .map(|e| e.event["authenticationContext"]["externalSessionId"].as_str().unwrap())
            .collect();
        assert_eq!(sessions.len(), 1);
    }

    #[test]
    fn fresh_account_becomes_super_admin() {
        let (before, org, batch, truth) = stage(Scenario::AdminRoleGrantedToFreshAccount, 4);
        assert_eq!(org.users.len(), before.users.len() + 1);
        assert_eq!(org.factors.len(), org.users.len());
        let new = org.users.len() - 1;
        assert_eq!(org.users[new].status, UserStatus::Active);
        assert_eq!(truth.target_user_ids, vec![org.users[new].id.clone()]);
        assert_eq!(org.role_assignments.len(), before.role_assignments.len() + 1);
        let ra = org.role_assignments.last().unwrap();
        assert_eq!(ra.principal, Principal::User(new));
        assert_eq!(ra.role, RoleKind::Standard("SUPER_ADMIN"));
        assert!(org.group_members[0].contains(&new));
        let types: Vec<&str> = batch.events.iter().map(|e| e.event["eventType"].as_str().unwrap()).collect();
        assert_eq!(types, ["user.lifecycle.create", "user.lifecycle.activate", "user.account.privilege.grant"]);
        let grant = &batch.events[2].event;
        assert_eq!(grant["debugContext"]["debugData"]["privilegeGranted"], "Super administrator");
        assert_eq!(grant["target"][0]["id"], org.users[new].id.as_str());
        assert!(batch.org_changed);
        // The actor is an admin of the org.
        let admin = org.users.iter().position(|u| u.id == truth.actor_user_ids[0]).unwrap();
        assert!(before.role_assignments.iter().any(|r| match r.principal {
            Principal::User(x) => x == admin,
            Principal::Group(g) => before.group_members[g].contains(&admin),
            _ => false,
        }));
    }

    #[test]
    fn api_token_is_added_with_network_anywhere() {
        let (before, org, batch, truth) = stage(Scenario::ApiTokenCreated, 5);
        assert_eq!(org.api_tokens.len(), before.api_tokens.len() + 1);
        let token = org.api_tokens.last().unwrap();
        assert_eq!(token.network_connection, "ANYWHERE");
        assert_eq!(org.users[token.user].id, truth.actor_user_ids[0]);
        let ev = &of_type(&batch, "system.api_token.create")[0];
        assert_eq!(ev["target"][0]["id"], token.id.as_str());
        assert_eq!(ev["debugContext"]["debugData"]["networkConnection"], "ANYWHERE");
    }

    #[test]
    fn admin_changes_and_travel_have_their_events() {
        let expect: [(Scenario, &[&str]); 6] = [
            (
                Scenario::SupportImpersonation,
                &["user.session.impersonation.grant", "user.session.impersonation.initiate"],
            ),
            (Scenario::PolicyRuleDeleted, &["policy.rule.deactivate", "policy.rule.delete"]),
            (Scenario::IdpAdded, &["system.idp.lifecycle.create", "system.idp.lifecycle.activate"]),
            (Scenario::ImpossibleTravel, &["user.session.start"]),
            (
                Scenario::SessionRoaming,
                &["user.session.start", "user.session.context.change", "security.session.detect_client_roaming"],
            ),
            (Scenario::MfaPushBombing, &["user.mfa.okta_verify.deny_push"]),
        ];
        for (scenario, types) in expect {
            let (_, _, batch, _) = stage(scenario, 6);
            for t in types {
                assert!(!of_type(&batch, t).is_empty(), "{scenario:?} lacks {t}");
            }
        }
    }

    #[test]
    fn impossible_travel_is_two_far_sign_ins_minutes_apart() {
        for seed in 0..5 {
            let (_, org, batch, truth) = stage(Scenario::ImpossibleTravel, seed);
            let starts: Vec<&Value> = of_type(&batch, "user.session.start")
                .into_iter()
                .filter(|e| e["outcome"]["result"] == "SUCCESS")
                .collect();
            assert_eq!(starts.len(), 2);
            assert_eq!(starts[0]["actor"]["id"], starts[1]["actor"]["id"]);
            let place = |e: &Value| {
                let city = e["client"]["geographicalContext"]["city"].as_str().unwrap();
                LOCATIONS.iter().find(|l| l.city == city).unwrap()
            };
            let km = distance_km(place(starts[0]), place(starts[1]));
            let t = |e: &Value| chrono::DateTime::parse_from_rfc3339(e["published"].as_str().unwrap()).unwrap();
            let hours = (t(starts[1]) - t(starts[0])).num_seconds() as f64 / 3600.0;
            assert!(km / hours > 2_000.0, "{km} km in {hours} h");
            assert_ne!(
                starts[0]["client"]["geographicalContext"]["country"],
                starts[1]["client"]["geographicalContext"]["country"]
            );
            let u = org.users.iter().find(|u| u.id == truth.target_user_ids[0]).unwrap();
            assert_eq!(place(starts[0]).city, LOCATIONS[u.home_location].city);
        }
    }

    #[test]
    fn session_roaming_reuses_the_session_from_a_new_ip_asn_and_country() {
        for seed in 0..5 {
            let (_, _, batch, truth) = stage(Scenario::SessionRoaming, seed);
            let start = of_type(&batch, "user.session.start")[0];
            let sid = start["authenticationContext"]["externalSessionId"].as_str().unwrap();
            assert!(batch.events.iter().all(|e| e.event["authenticationContext"]["externalSessionId"] == sid));
            let contexts: HashSet<(String, String, String)> = batch
                .events
                .iter()
                .map(|e| {
                    let ev = &e.event;
                    (
                        ev["client"]["ipAddress"].to_string(),
                        ev["securityContext"]["asNumber"].to_string(),
                        ev["client"]["geographicalContext"]["country"].to_string(),
                    )
                })
                .collect();
            assert_eq!(contexts.len(), 2, "{contexts:?}");
            let c: Vec<_> = contexts.into_iter().collect();
            assert!(c[0].0 != c[1].0 && c[0].1 != c[1].1 && c[0].2 != c[1].2, "{c:?}");
            assert_eq!(truth.source_ips.len(), 1);
            let roam = of_type(&batch, "user.session.context.change")[0];
            assert_eq!(roam["client"]["ipAddress"], truth.source_ips[0].as_str());
        }
    }

    #[test]
    fn every_scenario_works_on_a_generated_org() {
        let now = t0();
        let base = crate::org::generate(&crate::org::OrgParams::sized(400, 8, now));
        let holds_role = |org: &Org, u: usize| {
            org.role_assignments.iter().any(|r| match r.principal {
                Principal::User(x) => x == u,
                Principal::Group(g) => org.group_members[g].binary_search(&u).is_ok(),
                Principal::Client(_) => false,
            })
        };
        for scenario in Scenario::ALL {
            for seed in 0..3 {
                let mut org = base.clone();
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                let (batch, truth) = run(&mut rng, &mut org, scenario, now + Duration::minutes(10));
                assert!(!batch.events.is_empty(), "{scenario:?}");
                for e in &batch.events {
                    check_shape(&e.event);
                }
                assert!(truth.source_ips.iter().all(|ip| is_hostile(ip)));
                let admin_scenario = matches!(
                    scenario,
                    Scenario::AdminRoleGrantedToFreshAccount
                        | Scenario::ApiTokenCreated
                        | Scenario::SupportImpersonation
                        | Scenario::PolicyRuleDeleted
                        | Scenario::IdpAdded
                );
                if admin_scenario {
                    let admin = base.users.iter().position(|u| u.id == truth.actor_user_ids[0]).unwrap();
                    assert!(holds_role(&base, admin), "{scenario:?}: actor is no admin");
                }
                for id in &truth.target_user_ids {
                    let u = org.users.iter().find(|u| &u.id == id).unwrap();
                    assert!(!u.deleted);
                }
                if scenario == Scenario::PasswordSpray {
                    assert!(truth.target_user_ids.len() >= 20);
                }
                if scenario == Scenario::CredentialStuffing {
                    assert!(truth.target_user_ids.len() >= 30);
                }
            }
        }
    }

    #[test]
    fn scenarios_are_deterministic() {
        for scenario in Scenario::ALL {
            let (_, _, a, ta) = stage(scenario, 9);
            let (_, _, b, tb) = stage(scenario, 9);
            let ja: Vec<&Value> = a.events.iter().map(|e| &e.event).collect();
            let jb: Vec<&Value> = b.events.iter().map(|e| &e.event).collect();
            assert_eq!(ja, jb);
            assert_eq!(serde_json::to_value(&ta).unwrap(), serde_json::to_value(&tb).unwrap());
        }
    }
}
