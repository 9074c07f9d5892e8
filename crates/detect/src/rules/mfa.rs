//! Attacks on the second factor: push bombing, many failed verifications, factors reset or
//! deactivated for a user, and a factor type switched off for the whole org.

use super::common::{Step, Threshold, about_actor, by, user_key, within};
use crate::event::Observed;
use crate::rule::{BuiltinRule, Directory, Params, Rule, RuleInfo, count, duration, hours, minutes};
use crate::signal::{Entity, Finding, Severity};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;

/// A push and Okta's record of its answer land as two events (a `deny_push` and a failed
/// `auth_via_mfa`) a moment apart: closer than this, they are one rejected push.
const SAME_PUSH: chrono::Duration = chrono::Duration::seconds(5);

/// Beyond this many users, the memory of each user's last rejection is trimmed.
const MAX_REMEMBERED: usize = 100_000;

fn is_push(e: &Observed<'_>) -> bool {
    e.debug_data("factor").is_some_and(|f| f.eq_ignore_ascii_case("OKTA_VERIFY_PUSH"))
}

pub(super) fn push_bombing() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.mfa_push_bombing",
            title: "MFA push bombing",
            description: "Okta Verify pushes for one user rejected or left unanswered again and again: someone who \
                          has the password hoping the owner gives in. Critical once a push is then accepted.",
            severity: Severity::High,
            attack: &["T1621"],
            response: "Call the user on a known channel; if they did not sign in, reset their password and \
                       revoke their sessions; if a push was accepted, treat the account as taken over.",
        },
        params: || {
            vec![
                // Elastic's push-bombing sequence: 5 denied pushes within 10 minutes.
                count("rejections", 5, "rejected or unanswered pushes that raise the alert"),
                duration("window", minutes(10), "within this long; an accepted push this soon after raises it further"),
            ]
        },
        build: |p: &Params| {
            Box::new(PushBombing {
                rejections: p.usize("rejections"),
                window: p.duration("window"),
                counter: Threshold::new(p.duration("window")),
                last_rejection: HashMap::new(),
            })
        },
    }
}

struct PushBombing {
    rejections: usize,
    window: Duration,
    counter: Threshold<String>,
    /// Per user, the last rejection counted and whether it was a `deny_push`.
    last_rejection: HashMap<String, (DateTime<Utc>, bool)>,
}

impl PushBombing {
    /// Whether this rejection is the other half of one already counted.
    fn same_push(&mut self, user: &str, time: DateTime<Utc>, deny_event: bool) -> bool {
        if self.last_rejection.len() > MAX_REMEMBERED {
            self.last_rejection.retain(|_, (at, _)| (time - *at).abs() < SAME_PUSH);
        }
        let previous = self.last_rejection.insert(user.to_string(), (time, deny_event));
        previous.is_some_and(|(at, was_deny)| was_deny != deny_event && (time - at).abs() < SAME_PUSH)
    }
}

impl Rule for PushBombing {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !e.is_okta() {
            return;
        }
        let deny_event = e.row.event_type == "user.mfa.okta_verify.deny_push";
        if !deny_event && e.row.event_type != "user.authentication.auth_via_mfa" {
            return;
        }
        let Some(user) = user_key(e) else { return };
        let entity = Entity::new("user", user.clone());
        if !deny_event && e.succeeded() {
            // An accepted push right after the bombing: the attacker is probably in.
            if self.counter.is_hot(&user, e.row.time) && is_push(e) {
                let mut finding =
                    about_actor(e, entity, format!("{user} accepted a push after rejecting many"), vec![e.row.seq]);
                finding.severity = Some(Severity::Critical);
                finding.details = serde_json::json!({ "ip": e.row.ip, "country": e.row.country, "accepted": true });
                out.push(finding);
            }
            return;
        }
        if !e.failed() || (!deny_event && !is_push(e)) {
            return;
        }
        if self.same_push(&user, e.row.time, deny_event) {
            return;
        }
        let rejections = self.rejections;
        match self.counter.record(user.clone(), e.row.time, e.row.seq, (), |w| w.len() >= rejections) {
            Step::Quiet => {}
            Step::Joined => {
                out.push(about_actor(e, entity, format!("another push rejected by {user}"), vec![e.row.seq]))
            }
            Step::Fired(events) => {
                let summary =
                    format!("{} pushes rejected or unanswered by {user} within {}", events.len(), within(self.window));
                let mut finding = about_actor(e, entity, summary, events);
                finding.details = serde_json::json!({ "ip": e.row.ip, "country": e.row.country });
                out.push(finding);
            }
        }
    }

    fn group_window(&self) -> Duration {
        self.window
    }
}

pub(super) fn mfa_failures_excessive() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.mfa_failures_excessive",
            title: "Many failed MFA verifications",
            description: "One user failing MFA verification many times in a few minutes: someone with the password \
                          guessing codes or pushing until the owner gives in.",
            severity: Severity::Medium,
            attack: &["T1621", "T1110"],
            response: "Ask the user whether it was them; if not, their password is known: reset it, revoke their \
                       sessions and check the factors enrolled on the account.",
        },
        params: || {
            vec![
                // Splunk: 10 failed MFA requests for one user within 5 minutes.
                count("failures", 10, "failed verifications that raise the alert"),
                duration("window", minutes(5), "within this long"),
            ]
        },
        build: |p: &Params| {
            Box::new(MfaFailures {
                failures: p.usize("failures"),
                window: p.duration("window"),
                counter: Threshold::new(p.duration("window")),
            })
        },
    }
}

struct MfaFailures {
    failures: usize,
    window: Duration,
    counter: Threshold<String>,
}

impl Rule for MfaFailures {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        let verification =
            e.is_okta_type("user.authentication.auth_via_mfa") || e.is_okta_type("user.authentication.verify");
        if !verification || !e.failed() {
            return;
        }
        // A wrong password in an MFA-shaped event is a password failure, counted by brute force.
        if e.debug_data("factor").is_some_and(|f| f.eq_ignore_ascii_case("PASSWORD_AS_FACTOR")) {
            return;
        }
        let Some(user) = user_key(e) else { return };
        let entity = Entity::new("user", user.clone());
        let failures = self.failures;
        match self.counter.record(user.clone(), e.row.time, e.row.seq, (), |w| w.len() >= failures) {
            Step::Quiet => {}
            Step::Joined => out.push(about_actor(e, entity, format!("another failed MFA for {user}"), vec![e.row.seq])),
            Step::Fired(events) => {
                let summary =
                    format!("{} failed MFA verifications for {user} within {}", events.len(), within(self.window));
                let mut finding = about_actor(e, entity, summary, events);
                finding.details = serde_json::json!({ "factor": e.debug_data("factor"), "ip": e.row.ip });
                out.push(finding);
            }
        }
    }

    fn group_window(&self) -> Duration {
        self.window
    }
}

pub(super) fn mfa_factors_reset() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.mfa_factors_reset",
            title: "MFA factors reset or deactivated",
            description: "All of a user's factors reset, or one deactivated or suspended: the account is weaker \
                          until it enrols again, and an attacker may enrol their own factor first. A user \
                          resetting their own factor is low.",
            severity: Severity::Medium,
            attack: &["T1556.006", "T1098"],
            response: "Confirm with the user (and the admin who did it) that the reset was asked for; check which \
                       factor the account enrols next and from where.",
        },
        params: Vec::new,
        build: |_| Box::new(FactorsReset),
    }
}

struct FactorsReset;

impl Rule for FactorsReset {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        let what = match e.row.event_type.as_str() {
            "user.mfa.factor.reset_all" => "reset all MFA factors of",
            "user.mfa.factor.deactivate" => "deactivated an MFA factor of",
            "user.mfa.factor.suspend" => "suspended an MFA factor of",
            _ => return,
        };
        if !e.is_okta() || e.failed() {
            return;
        }
        let target = e.target("User");
        let user = target.and_then(|t| t.name.clone().or_else(|| t.id.clone())).map(|u| u.to_lowercase());
        let Some(user) = user.or_else(|| user_key(e)) else { return };
        let reason = e.row.outcome_reason.as_deref().unwrap_or_default();
        let own = reason.starts_with("User reset") || user_key(e).as_deref() == Some(user.as_str());
        let mut finding = Finding::new(
            Entity::new("user", user.clone()),
            format!(
                "{} {what} {user}{}",
                by(e),
                if reason.is_empty() { String::new() } else { format!(" ({reason})") }
            ),
            vec![e.row.seq],
        );
        if own {
            finding.severity = Some(Severity::Low);
        }
        finding.actor_id = target.and_then(|t| t.id.clone()).or_else(|| e.row.actor_id.clone());
        finding.person = Some(user);
        finding.details = serde_json::json!({ "by": e.actor_key(), "reason": e.row.outcome_reason, "self": own });
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        hours(1)
    }
}

pub(super) fn mfa_disabled_org() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.mfa_disabled_org",
            title: "MFA factor type disabled for the org",
            description: "An admin deactivated a factor type (or authenticator) for the whole org: everyone who \
                          relied on it may now sign in with less.",
            severity: Severity::High,
            attack: &["T1556.006", "T1562.001"],
            response: "Confirm the change with the admin and your change process; re-activate the factor if it \
                       was not planned, and review sign-on policies that required it.",
        },
        params: Vec::new,
        build: |_| Box::new(MfaDisabledOrg),
    }
}

struct MfaDisabledOrg;

impl Rule for MfaDisabledOrg {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !(e.is_okta_type("system.mfa.factor.deactivate")
            || e.is_okta_type("security.authenticator.lifecycle.deactivate"))
            || e.failed()
        {
            return;
        }
        let factor = e
            .debug_data("factorType")
            .map(str::to_string)
            .or_else(|| e.row.targets.first().and_then(|t| t.name.clone().or_else(|| t.id.clone())))
            .unwrap_or_else(|| "a factor".to_string());
        let mut finding = about_actor(
            e,
            Entity::new("org", "mfa"),
            format!("{} deactivated {factor} for the org", by(e)),
            vec![e.row.seq],
        );
        finding.details = serde_json::json!({ "factor": factor });
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        hours(1)
    }
}

#[cfg(test)]
mod tests {
    use crate::Severity;
    use crate::testing::*;

    fn deny(user: &str, second: i64) -> OktaEvent {
        okta("user.mfa.okta_verify.deny_push")
            .actor(user)
            .failure("User rejected Okta push verify")
            .debug("factor", "OKTA_VERIFY_PUSH")
            .seconds(second)
    }

    fn push_answer(user: &str, second: i64) -> OktaEvent {
        okta("user.authentication.auth_via_mfa").actor(user).debug("factor", "OKTA_VERIFY_PUSH").seconds(second)
    }

    #[test]
    fn push_bombing_fires_on_five_rejections_and_rises_when_one_is_accepted() {
        let mut h = Harness::only("okta.mfa_push_bombing");
        for i in 0..3 {
            h.feed(deny("dave@example.com", i * 30));
            // Okta's record of the same answer, a moment later, is not a second push.
            h.feed(push_answer("dave@example.com", i * 30).failure("INVALID_CREDENTIALS").seconds(i * 30 + 1));
        }
        h.feed(push_answer("dave@example.com", 100).result("UNANSWERED", Some("Push notification timed out")));
        assert!(h.signals().is_empty(), "four rejections is a near miss");
        h.feed(deny("dave@example.com", 200));
        assert_eq!(h.signals().len(), 1);
        assert_eq!(h.signals()[0].severity, Severity::High);
        assert_eq!(h.signals()[0].finding.events.len(), 5);
        h.feed(push_answer("dave@example.com", 240));
        assert_eq!(h.signals().len(), 2);
        assert_eq!(h.signals()[1].severity, Severity::Critical);
    }

    #[test]
    fn push_bombing_ignores_accepted_pushes_and_other_factors() {
        let mut h = Harness::only("okta.mfa_push_bombing");
        for i in 0..6 {
            h.feed(push_answer("erin@example.com", i * 60));
            h.feed(
                okta("user.authentication.auth_via_mfa")
                    .actor("erin@example.com")
                    .failure("INVALID_CREDENTIALS")
                    .debug("factor", "OKTA_SOFT_TOKEN")
                    .seconds(i * 60 + 10),
            );
        }
        for i in 0..4 {
            h.feed(deny("frank@example.com", i * 200));
        }
        h.feed(deny("frank@example.com", 800 + 60));
        assert!(h.signals().is_empty(), "five denies over 14 minutes is a near miss: {:?}", h.signals());
    }

    #[test]
    fn mfa_failures_excessive_counts_failed_verifications() {
        let mut h = Harness::only("okta.mfa_failures_excessive");
        let fail = |i: i64| {
            okta("user.authentication.auth_via_mfa")
                .actor("gina@example.com")
                .failure("INVALID_CREDENTIALS")
                .debug("factor", "OKTA_SOFT_TOKEN")
                .seconds(i * 20)
        };
        for i in 0..9 {
            h.feed(fail(i));
        }
        h.feed(
            okta("user.authentication.auth_via_mfa")
                .actor("gina@example.com")
                .failure("INVALID_CREDENTIALS")
                .debug("factor", "PASSWORD_AS_FACTOR")
                .seconds(200),
        );
        assert!(h.signals().is_empty(), "nine MFA failures and a password failure is a near miss");
        h.feed(fail(11));
        assert_eq!(h.signals().len(), 1);
    }

    #[test]
    fn factor_resets_by_others_are_medium_and_own_resets_low() {
        let mut h = Harness::only("okta.mfa_factors_reset");
        h.feed(okta("user.mfa.factor.reset_all").actor("admin@example.com").target(
            "User",
            "00uhal",
            "hal@example.com",
        ));
        h.feed(
            okta("user.mfa.factor.deactivate")
                .actor("ian@example.com")
                .target("User", "00uian", "ian@example.com")
                .result("SUCCESS", Some("User reset FIDO_WEBAUTHN factor")),
        );
        h.feed(okta("user.mfa.factor.activate").actor("ian@example.com").target("User", "00uian", "ian@example.com"));
        h.feed(okta("user.mfa.factor.reset_all").actor("admin@example.com").failure("E0000001"));
        let s = h.signals();
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!((s[0].severity, s[0].finding.actor_id.as_deref()), (Severity::Medium, Some("00uhal")));
        assert_eq!(s[1].severity, Severity::Low);
    }

    #[test]
    fn org_wide_factor_deactivation() {
        let mut h = Harness::only("okta.mfa_disabled_org");
        h.feed(okta("system.mfa.factor.activate").actor("admin@example.com"));
        h.feed(okta("user.mfa.factor.deactivate").actor("admin@example.com"));
        assert!(h.signals().is_empty());
        h.feed(okta("system.mfa.factor.deactivate").actor("admin@example.com").debug("factorType", "OKTA_VERIFY_PUSH"));
        assert_eq!(h.signals().len(), 1);
        assert!(h.signals()[0].finding.summary.contains("OKTA_VERIFY_PUSH"));
    }
}
