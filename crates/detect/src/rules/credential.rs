//! Attacks on passwords: brute force (per user, per address), password spraying, credential
//! stuffing, lockout bursts and floods of password resets. All are counts in sliding windows.

use super::common::{Step, Threshold, about_actor, is_failed_sign_in, is_successful_sign_in, user_key, within};
use crate::event::Observed;
use crate::rule::{BuiltinRule, Directory, Params, Rule, RuleInfo, count, duration, hours, minutes, number};
use crate::signal::{Entity, Finding, Severity};
use crate::window::{Seen, SlidingWindow};
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

pub(super) fn brute_force_user() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.brute_force.user",
            title: "Brute force against one user",
            description: "Many failed sign-ins for one Okta user within a short window, from any address.",
            severity: Severity::Medium,
            attack: &["T1110.001"],
            response: "Check whether any attempt succeeded afterwards; confirm with the user; if the account is \
                       not theirs to lose, reset its password and sessions and block the source addresses.",
        },
        params: || {
            vec![
                // Elastic's multi-source brute force rule: at least 10 attempts in 30 minutes. Okta's
                // own lockout (often after 5 to 10 failures) keeps honest typos well below it.
                count("failures", 10, "failed sign-ins that raise the alert"),
                duration("window", minutes(30), "how close together they must be"),
            ]
        },
        build: |p: &Params| {
            Box::new(BruteForceUser {
                failures: p.usize("failures"),
                window: p.duration("window"),
                counter: Threshold::new(p.duration("window")),
            })
        },
    }
}

struct BruteForceUser {
    failures: usize,
    window: Duration,
    counter: Threshold<String>,
}

impl Rule for BruteForceUser {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !is_failed_sign_in(e) {
            return;
        }
        let Some(user) = user_key(e) else { return };
        let entity = Entity::new("user", user.clone());
        let failures = self.failures;
        match self.counter.record(user.clone(), e.row.time, e.row.seq, (), |w| w.len() >= failures) {
            Step::Quiet => {}
            Step::Joined => {
                out.push(about_actor(e, entity, format!("another failed sign-in for {user}"), vec![e.row.seq]))
            }
            Step::Fired(events) => {
                let summary = format!("{} failed sign-ins for {user} within {}", events.len(), within(self.window));
                let mut finding = about_actor(e, entity, summary, events);
                finding.details = serde_json::json!({ "ip": e.row.ip, "reason": e.row.outcome_reason });
                out.push(finding);
            }
        }
    }

    fn group_window(&self) -> Duration {
        self.window
    }
}

pub(super) fn brute_force_ip() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.brute_force.ip",
            title: "Brute force from one address",
            description: "Many failed sign-ins from one IP address within a window, whichever accounts they try.",
            severity: Severity::Medium,
            attack: &["T1110"],
            response: "Look at which accounts the address tried and whether any attempt succeeded; block the \
                       address in a network zone if it is not a known office or proxy.",
        },
        params: || {
            vec![
                // Panther's Standard.BruteForceByIP: 20 failures per address within 60 minutes.
                count("failures", 20, "failed sign-ins from one address that raise the alert"),
                duration("window", minutes(60), "how close together they must be"),
            ]
        },
        build: |p: &Params| {
            Box::new(BruteForceIp {
                failures: p.usize("failures"),
                window: p.duration("window"),
                counter: Threshold::new(p.duration("window")),
            })
        },
    }
}

struct BruteForceIp {
    failures: usize,
    window: Duration,
    counter: Threshold<String, String>,
}

impl Rule for BruteForceIp {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !is_failed_sign_in(e) {
            return;
        }
        let Some(ip) = e.row.ip.clone() else { return };
        let user = user_key(e).unwrap_or_default();
        let entity = Entity::new("ip", ip.clone());
        let failures = self.failures;
        let mut users = 0;
        let step = self.counter.record(ip.clone(), e.row.time, e.row.seq, user, |w| {
            users = crate::window::distinct(w);
            w.len() >= failures
        });
        match step {
            Step::Quiet => {}
            Step::Joined => {
                out.push(about_actor(e, entity, format!("another failed sign-in from {ip}"), vec![e.row.seq]))
            }
            Step::Fired(events) => {
                let summary = format!(
                    "{} failed sign-ins from {ip} against {users} account(s) within {}",
                    events.len(),
                    within(self.window)
                );
                let mut finding = about_actor(e, entity, summary, events);
                finding.details = serde_json::json!({ "accounts": users, "country": e.row.country, "asn": e.row.asn });
                out.push(finding);
            }
        }
    }

    fn group_window(&self) -> Duration {
        self.window
    }
}

/// Failures per source (an address, or a network) and the users who signed in successfully from
/// it: a user who got in from the same place right after a failure was someone mistyping a
/// password (behind a shared office address), not a target.
struct FailuresBySource {
    counter: Threshold<String, String>,
    recovered: SlidingWindow<String, String>,
}

impl FailuresBySource {
    fn new(window: Duration) -> Self {
        FailuresBySource { counter: Threshold::new(window), recovered: SlidingWindow::new(window) }
    }

    /// Notes that the event's user signed in successfully from `source`.
    fn note_success(&mut self, e: &Observed<'_>, source: &str) {
        if let Some(user) = user_key(e) {
            self.recovered.push(source.to_string(), e.row.time, e.row.seq, user);
        }
    }

    /// Records a failure and asks `ready` with the attempts per still-unexplained user.
    fn record(
        &mut self,
        e: &Observed<'_>,
        source: String,
        ready: impl FnOnce(&HashMap<&str, usize>) -> bool,
    ) -> (Step, usize, usize) {
        let user = user_key(e).unwrap_or_default();
        let recovered: HashSet<&str> =
            self.recovered.get(&source).map(|w| w.iter().map(|s| s.value.as_str()).collect()).unwrap_or_default();
        let mut counted = (0, 0);
        let step = self.counter.record(source, e.row.time, e.row.seq, user, |w: &VecDeque<Seen<String>>| {
            let mut per_user: HashMap<&str, usize> = HashMap::new();
            for seen in w.iter().filter(|s| !recovered.contains(s.value.as_str())) {
                *per_user.entry(seen.value.as_str()).or_default() += 1;
            }
            counted = (per_user.len(), per_user.values().sum());
            ready(&per_user)
        });
        (step, counted.0, counted.1)
    }
}

pub(super) fn password_spray() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.password_spray",
            title: "Password spray from one address",
            description: "One IP address failing to sign in as many different users, a few tries each: a common \
                          password tried across the directory.",
            severity: Severity::High,
            attack: &["T1110.003"],
            response: "Block the address; list the accounts it tried and check none signed in afterwards from \
                       elsewhere; make those users change passwords if any attempt succeeded.",
        },
        params: || {
            vec![
                // Splunk: more than 9 distinct users failing from one address; Elastic's hunt: 10 accounts.
                count("users", 10, "distinct users tried from one address"),
                // Elastic counts 2 to 8 tries per user as spraying; more is brute force on that user.
                count("max_tries_per_user", 5, "users tried more often than this are not counted"),
                duration("window", minutes(30), "how close together the attempts must be"),
            ]
        },
        build: |p: &Params| {
            Box::new(PasswordSpray {
                users: p.usize("users"),
                max_tries: p.usize("max_tries_per_user"),
                window: p.duration("window"),
                sources: FailuresBySource::new(p.duration("window")),
            })
        },
    }
}

struct PasswordSpray {
    users: usize,
    max_tries: usize,
    window: Duration,
    sources: FailuresBySource,
}

impl Rule for PasswordSpray {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        let Some(ip) = e.row.ip.clone() else { return };
        if is_successful_sign_in(e) {
            self.sources.note_success(e, &ip);
            return;
        }
        if !is_failed_sign_in(e) {
            return;
        }
        let (users, max_tries) = (self.users, self.max_tries);
        let (step, tried, attempts) = self
            .sources
            .record(e, ip.clone(), |per_user| per_user.values().filter(|&&n| n <= max_tries).count() >= users);
        let entity = Entity::new("ip", ip.clone());
        match step {
            Step::Quiet => {}
            Step::Joined => out.push(about_actor(e, entity, format!("{ip} tried another account"), vec![e.row.seq])),
            Step::Fired(events) => {
                let summary = format!(
                    "{ip} failed to sign in as {tried} different users ({attempts} attempts) within {}",
                    within(self.window)
                );
                let mut finding = about_actor(e, entity, summary, events);
                finding.details = serde_json::json!({
                    "users": tried, "attempts": attempts, "country": e.row.country, "asn": e.row.asn,
                });
                out.push(finding);
            }
        }
    }

    fn group_window(&self) -> Duration {
        self.window
    }
}

pub(super) fn credential_stuffing() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.credential_stuffing",
            title: "Credential stuffing",
            description: "Many different users, about one try each, failing to sign in from one source: leaked \
                          username and password pairs replayed. The source is the autonomous system (network) \
                          when Okta names it, since stuffing tools rotate addresses inside one hosting network.",
            severity: Severity::High,
            attack: &["T1110.004"],
            response: "Block the network (or its addresses) in a network zone; check which tried accounts exist \
                       and whether any signed in; force a password reset for accounts whose password may be leaked.",
        },
        params: || {
            vec![
                // Elastic's single-source credential stuffing: at least 15 users within 15 minutes.
                count("users", 15, "distinct users tried from one source"),
                number("max_mean_tries", 1.5, "at most this many attempts per user on average (more is spraying)"),
                duration("window", minutes(15), "how close together the attempts must be"),
            ]
        },
        build: |p: &Params| {
            Box::new(CredentialStuffing {
                users: p.usize("users"),
                max_mean_tries: p.number("max_mean_tries"),
                window: p.duration("window"),
                sources: FailuresBySource::new(p.duration("window")),
            })
        },
    }
}

struct CredentialStuffing {
    users: usize,
    max_mean_tries: f64,
    window: Duration,
    sources: FailuresBySource,
}

impl Rule for CredentialStuffing {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        let failed = is_failed_sign_in(e);
        if !failed && !is_successful_sign_in(e) {
            return;
        }
        let (kind, source) = match (&e.row.asn, &e.row.ip) {
            (Some(asn), _) => ("network", asn.clone()),
            (None, Some(ip)) => ("ip", ip.clone()),
            (None, None) => return,
        };
        if !failed {
            self.sources.note_success(e, &source);
            return;
        }
        let (users, max_mean) = (self.users, self.max_mean_tries);
        let (step, tried, attempts) = self.sources.record(e, source.clone(), |per_user| {
            let attempts: usize = per_user.values().sum();
            per_user.len() >= users && attempts as f64 <= max_mean * per_user.len() as f64
        });
        let entity = Entity::new(kind, source.clone());
        let name = if kind == "network" { format!("network AS{source}") } else { source.clone() };
        match step {
            Step::Quiet => {}
            Step::Joined => out.push(about_actor(e, entity, format!("{name} tried another account"), vec![e.row.seq])),
            Step::Fired(events) => {
                let summary = format!(
                    "{tried} different users tried {attempts} times from {name} within {}",
                    within(self.window)
                );
                let mut finding = about_actor(e, entity, summary, events);
                finding.details = serde_json::json!({
                    "users": tried, "attempts": attempts, "ip": e.row.ip, "country": e.row.country,
                });
                out.push(finding);
            }
        }
    }

    fn group_window(&self) -> Duration {
        self.window
    }
}

pub(super) fn account_lockouts() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.account_lockouts",
            title: "Burst of account lockouts",
            description: "One account locked out again and again, or several accounts locked out from one address: \
                          someone guessing passwords, or locking people out on purpose.",
            severity: Severity::Medium,
            attack: &["T1110", "T1531"],
            response: "Find the addresses behind the failures before the lockouts; block them if they are not \
                       yours; unlock the users only once they have confirmed who they are.",
        },
        params: || {
            vec![
                // Elastic: 3 lockouts of one user within 3 hours.
                count("per_user", 3, "lockouts of one user that raise the alert"),
                duration("user_window", hours(3), "within this long"),
                // Splunk counts more than 5 lockouts per source in 5 minutes; sprays that lock
                // accounts pace themselves, so the window is longer here.
                count("per_source", 5, "distinct users locked out from one address that raise the alert"),
                duration("source_window", minutes(15), "within this long"),
            ]
        },
        build: |p: &Params| {
            Box::new(AccountLockouts {
                per_user: p.usize("per_user"),
                user_window: p.duration("user_window"),
                by_user: Threshold::new(p.duration("user_window")),
                per_source: p.usize("per_source"),
                source_window: p.duration("source_window"),
                by_source: Threshold::new(p.duration("source_window")),
            })
        },
    }
}

struct AccountLockouts {
    per_user: usize,
    user_window: Duration,
    by_user: Threshold<String>,
    per_source: usize,
    source_window: Duration,
    by_source: Threshold<String, String>,
}

impl Rule for AccountLockouts {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !(e.is_okta_type("user.account.lock") || e.is_okta_type("user.account.lock.limit")) {
            return;
        }
        let locked = e.target("User").and_then(|t| t.name.clone().or_else(|| t.id.clone()));
        let Some(user) = locked.map(|u| u.to_lowercase()).or_else(|| user_key(e)) else { return };
        let per_user = self.per_user;
        let entity = Entity::new("user", user.clone());
        match self.by_user.record(user.clone(), e.row.time, e.row.seq, (), |w| w.len() >= per_user) {
            Step::Quiet => {}
            Step::Joined => out.push(about_actor(e, entity, format!("{user} locked out again"), vec![e.row.seq])),
            Step::Fired(events) => {
                let summary = format!("{user} locked out {} times within {}", events.len(), within(self.user_window));
                out.push(about_actor(e, entity, summary, events));
            }
        }
        let Some(ip) = e.row.ip.clone() else { return };
        let per_source = self.per_source;
        let entity = Entity::new("ip", ip.clone());
        let step = self
            .by_source
            .record(ip.clone(), e.row.time, e.row.seq, user, |w| crate::window::distinct(w) >= per_source);
        match step {
            Step::Quiet => {}
            Step::Joined => {
                out.push(about_actor(e, entity, format!("another account locked out from {ip}"), vec![e.row.seq]))
            }
            Step::Fired(events) => {
                let summary =
                    format!("{} accounts locked out from {ip} within {}", events.len(), within(self.source_window));
                out.push(about_actor(e, entity, summary, events));
            }
        }
    }

    fn group_window(&self) -> Duration {
        self.user_window.max(self.source_window)
    }
}

/// Password reset and account unlock requests (Elastic's list), and resets themselves.
const RESET_TYPES: &[&str] = &[
    "user.account.reset_password",
    "user.account.unlock_token",
    "system.email.account_unlock.sent_message",
    "system.email.password_reset.sent_message",
    "system.sms.send_account_unlock_message",
    "system.sms.send_password_reset_message",
    "system.voice.send_account_unlock_call",
    "system.voice.send_password_reset_call",
];

pub(super) fn password_resets_excessive() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.password_resets_excessive",
            title: "Many password resets for one user",
            description: "Password resets or unlock requests for one user, many times in a short while: someone \
                          trying to take the account over through recovery, or flooding its owner.",
            severity: Severity::Medium,
            attack: &["T1098", "T1110"],
            response: "Ask the user whether they asked for these; if not, check the recovery factors (email, SMS) \
                       on the account for recent changes and look for a successful sign-in afterwards.",
        },
        params: || {
            vec![
                // Elastic: 5 reset or unlock attempts per actor within 60 minutes.
                count("resets", 5, "resets or unlock requests that raise the alert"),
                duration("window", minutes(60), "within this long"),
            ]
        },
        build: |p: &Params| {
            Box::new(PasswordResets {
                resets: p.usize("resets"),
                window: p.duration("window"),
                counter: Threshold::new(p.duration("window")),
            })
        },
    }
}

struct PasswordResets {
    resets: usize,
    window: Duration,
    counter: Threshold<String>,
}

impl Rule for PasswordResets {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !e.is_okta() || e.failed() || !RESET_TYPES.contains(&e.row.event_type.as_str()) {
            return;
        }
        // The account being reset: the target user when an admin (or Okta) resets it, else the actor.
        let target = e.target("User");
        let user = target.and_then(|t| t.name.clone().or_else(|| t.id.clone())).map(|u| u.to_lowercase());
        let Some(user) = user.or_else(|| user_key(e)) else { return };
        let user_id = target.and_then(|t| t.id.clone()).or_else(|| e.row.actor_id.clone());
        let resets = self.resets;
        let entity = Entity::new("user", user.clone());
        let step = self.counter.record(user.clone(), e.row.time, e.row.seq, (), |w| w.len() >= resets);
        let mut finding = match step {
            Step::Quiet => return,
            Step::Joined => Finding::new(entity, format!("another password reset for {user}"), vec![e.row.seq]),
            Step::Fired(events) => Finding::new(
                entity,
                format!(
                    "{} password resets or unlock requests for {user} within {}",
                    events.len(),
                    within(self.window)
                ),
                events,
            ),
        };
        finding.actor_id = user_id;
        finding.person = Some(user);
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        self.window
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::*;

    fn failed(user: &str, ip: &str, second: i64) -> OktaEvent {
        okta("user.session.start").actor(user).failure("INVALID_CREDENTIALS").ip(ip).seconds(second)
    }

    #[test]
    fn brute_force_user_fires_at_the_threshold_not_below() {
        let mut h = Harness::only("okta.brute_force.user");
        for i in 0..9 {
            h.feed(okta("user.session.start").actor("alice@example.com").failure("INVALID_CREDENTIALS").minute(i));
        }
        assert!(h.signals().is_empty(), "nine failures is a near miss");
        h.feed(okta("user.session.start").actor("alice@example.com").failure("INVALID_CREDENTIALS").minute(9));
        let signals = h.signals();
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].finding.entity.value, "alice@example.com");
        assert_eq!(signals[0].finding.events.len(), 10);
        h.feed(okta("user.session.start").actor("alice@example.com").failure("LOCKED_OUT").minute(10));
        assert_eq!(h.signals().len(), 2, "a further failure joins the alert");
        assert_eq!(h.signals()[1].finding.events.len(), 1);
    }

    #[test]
    fn brute_force_user_threshold_is_tunable() {
        let settings: crate::DetectionSettings =
            serde_json::from_str(r#"{"rules": {"okta.brute_force.user": {"failures": 3, "window": "5m"}}}"#).unwrap();
        let mut h = Harness::with("okta.brute_force.user", settings);
        for minute in [0, 1, 7, 8] {
            h.feed(okta("user.session.start").actor("alice@example.com").failure("INVALID_CREDENTIALS").minute(minute));
        }
        assert!(h.signals().is_empty(), "never 3 within 5 minutes");
        h.feed(okta("user.session.start").actor("alice@example.com").failure("INVALID_CREDENTIALS").minute(9));
        assert_eq!(h.signals().len(), 1);
    }

    #[test]
    fn brute_force_user_ignores_spread_out_failures_and_successes() {
        let mut h = Harness::only("okta.brute_force.user");
        for i in 0..12 {
            h.feed(okta("user.session.start").actor("alice@example.com").failure("INVALID_CREDENTIALS").minute(i * 4));
            h.feed(okta("user.session.start").actor("alice@example.com").minute(i * 4 + 1));
        }
        assert!(h.signals().is_empty(), "12 failures over 44 minutes never reach 10 in 30");
    }

    #[test]
    fn brute_force_ip_counts_failures_from_one_address() {
        let mut h = Harness::only("okta.brute_force.ip");
        for i in 0..19 {
            h.feed(failed(&format!("user{}@example.com", i % 3), "203.0.113.9", i * 30));
            h.feed(failed("bob@example.com", "198.51.100.1", i * 30 + 1));
        }
        assert!(h.signals().is_empty(), "19 from one address is a near miss");
        h.feed(failed("user0@example.com", "203.0.113.9", 600));
        assert_eq!(h.fired().len(), 1);
        assert_eq!(h.signals()[0].finding.entity.value, "203.0.113.9");
        assert_eq!(h.signals()[0].finding.details["accounts"], 3);
    }

    #[test]
    fn password_spray_needs_many_users_with_few_tries() {
        let mut h = Harness::only("okta.password_spray");
        for i in 0..9 {
            h.feed(failed(&format!("u{i}@example.com"), "203.0.113.9", i * 20));
            h.feed(failed(&format!("u{i}@example.com"), "203.0.113.9", i * 20 + 5));
        }
        assert!(h.signals().is_empty(), "nine users is a near miss");
        h.feed(failed("u9@example.com", "203.0.113.9", 400));
        assert_eq!(h.signals().len(), 1);
        assert_eq!(h.signals()[0].finding.details["users"], 10);
        assert_eq!(h.signals()[0].severity, crate::Severity::High);
    }

    #[test]
    fn password_spray_ignores_users_hammered_and_users_who_got_in() {
        let mut h = Harness::only("okta.password_spray");
        // Five people behind one office address mistype and then sign in.
        for i in 0..5 {
            h.feed(failed(&format!("typo{i}@example.com"), "198.51.100.1", i * 10));
            h.feed(
                okta("user.session.start")
                    .actor(&format!("typo{i}@example.com"))
                    .ip("198.51.100.1")
                    .seconds(i * 10 + 5),
            );
        }
        // Four users tried many times each are brute force, not a spray.
        for i in 0..4 {
            for k in 0..6 {
                h.feed(failed(&format!("target{i}@example.com"), "198.51.100.1", 100 + i * 10 + k));
            }
        }
        for i in 0..5 {
            h.feed(failed(&format!("u{i}@example.com"), "198.51.100.1", 200 + i));
        }
        assert!(h.signals().is_empty(), "{:?}", h.signals());
    }

    #[test]
    fn credential_stuffing_keys_on_the_network_and_needs_about_one_try_each() {
        let mut h = Harness::only("okta.credential_stuffing");
        for i in 0..14 {
            h.feed(failed(&format!("u{i}@example.com"), &format!("203.0.113.{i}"), i * 5).asn(14061, "digitalocean"));
        }
        assert!(h.signals().is_empty(), "14 users is a near miss");
        h.feed(failed("u14@example.com", "203.0.113.200", 80).asn(14061, "digitalocean"));
        assert_eq!(h.signals().len(), 1);
        assert_eq!(h.signals()[0].finding.entity, crate::Entity::new("network", "14061"));
        h.feed(failed("u15@example.com", "203.0.113.201", 85).asn(14061, "digitalocean"));
        assert_eq!(h.signals().len(), 2, "the next try joins the alert");
    }

    #[test]
    fn credential_stuffing_is_not_a_spray_with_two_tries_each() {
        let mut h = Harness::only("okta.credential_stuffing");
        for round in 0..2 {
            for i in 0..20 {
                h.feed(failed(&format!("u{i}@example.com"), "203.0.113.5", round * 200 + i * 5).asn(14061, "do"));
            }
        }
        // The first round alone is 20 users one try each: that already looks like stuffing.
        assert_eq!(h.signals().first().map(|s| s.finding.details["users"].as_u64()), Some(Some(15)));
        let mut h = Harness::only("okta.credential_stuffing");
        for i in 0..20 {
            h.feed(failed(&format!("u{i}@example.com"), "203.0.113.5", i * 5).asn(14061, "do"));
            h.feed(failed(&format!("u{i}@example.com"), "203.0.113.5", i * 5 + 1).asn(14061, "do"));
        }
        assert!(h.signals().is_empty(), "two tries per user is spraying");
    }

    #[test]
    fn lockouts_of_one_user_or_from_one_address() {
        let mut h = Harness::only("okta.account_lockouts");
        let lock = |user: &str, ip: &str, minute: i64| {
            okta("user.account.lock")
                .actor(user)
                .failure("LOCKED_OUT")
                .ip(ip)
                .target("User", "00u1", user)
                .minute(minute)
        };
        h.feed(lock("alice@example.com", "198.51.100.1", 0));
        h.feed(lock("alice@example.com", "198.51.100.2", 60));
        assert!(h.signals().is_empty(), "two lockouts is a near miss");
        h.feed(lock("alice@example.com", "198.51.100.3", 170));
        assert_eq!(h.signals().len(), 1);
        assert_eq!(h.signals()[0].finding.entity.kind, "user");

        let mut h = Harness::only("okta.account_lockouts");
        for i in 0..4 {
            h.feed(lock(&format!("u{i}@example.com"), "203.0.113.7", i));
        }
        assert!(h.signals().is_empty(), "four accounts is a near miss");
        h.feed(lock("u4@example.com", "203.0.113.7", 10));
        assert_eq!(h.signals().len(), 1);
        assert_eq!(h.signals()[0].finding.entity, crate::Entity::new("ip", "203.0.113.7"));
    }

    #[test]
    fn password_resets_count_per_reset_user() {
        let mut h = Harness::only("okta.password_resets_excessive");
        for i in 0..4 {
            h.feed(okta("system.email.password_reset.sent_message").actor("carol@example.com").minute(i * 10));
        }
        h.feed(okta("user.account.update_password").actor("carol@example.com").minute(41));
        assert!(h.signals().is_empty(), "four requests and a password change are a near miss");
        h.feed(
            okta("user.account.reset_password")
                .actor("admin@example.com")
                .target("User", "00ucarol", "carol@example.com")
                .minute(45),
        );
        assert_eq!(h.signals().len(), 1);
        assert_eq!(h.signals()[0].finding.entity.value, "carol@example.com");
        assert_eq!(h.signals()[0].finding.actor_id.as_deref(), Some("00ucarol"));
    }
}
