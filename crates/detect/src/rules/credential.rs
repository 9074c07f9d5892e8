//! Examples of the two commonest shapes: a count per key in a sliding window, and a single event.

use crate::event::Observed;
use crate::rule::{BuiltinRule, Directory, Params, Rule, RuleInfo, count, hours, minutes};
use crate::signal::{Entity, Finding, Severity};
use crate::window::{Cooldown, SlidingWindow, seqs};
use std::time::Duration;

/// Failed primary sign-ins (bad password, locked account).
fn is_failed_sign_in(e: &Observed<'_>) -> bool {
    e.is_okta()
        && e.failed()
        && (e.row.event_type == "user.session.start" || e.row.event_type == "user.authentication.auth")
}

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
                count("failures", 10, "failed sign-ins that raise the alert"),
                crate::rule::duration("window", minutes(30), "how close together they must be"),
            ]
        },
        build: |p: &Params| {
            Box::new(BruteForceUser {
                failures: p.usize("failures"),
                window: SlidingWindow::new(p.duration("window")),
                fired: Cooldown::new(p.duration("window")),
                group: p.duration("window"),
            })
        },
    }
}

struct BruteForceUser {
    failures: usize,
    window: SlidingWindow<String>,
    fired: Cooldown<String>,
    group: Duration,
}

impl Rule for BruteForceUser {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !is_failed_sign_in(e) {
            return;
        }
        let Some(user) = e.actor_key() else { return };
        let user = user.to_lowercase();
        let entity = Entity::new("user", user.clone());
        if self.fired.is_hot(&user, e.row.time) {
            // Already alerted: this failure joins the open alert.
            let mut finding = Finding::new(entity, format!("another failed sign-in for {user}"), vec![e.row.seq]);
            finding.actor_id = e.row.actor_id.clone();
            finding.person = e.person_key();
            out.push(finding);
            return;
        }
        let entries = self.window.push(user.clone(), e.row.time, e.row.seq, ());
        if entries.len() < self.failures {
            return;
        }
        let events = seqs(entries);
        let mut finding = Finding::new(
            entity,
            format!("{} failed sign-ins for {user} within {}", events.len(), humantime::format_duration(self.group)),
            events,
        );
        finding.actor_id = e.row.actor_id.clone();
        finding.person = e.person_key();
        self.window.clear(&user);
        self.fired.fire(user, e.row.time);
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        self.group
    }
}

pub(super) fn api_token_created() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.api_token_created",
            title: "API token created",
            description: "An Okta API token was created. Tokens act with their creator's admin power until revoked; \
                          one usable from any network is riskier.",
            severity: Severity::Medium,
            attack: &["T1098.001", "T1136"],
            response: "Confirm the creator meant to; check the token's network restriction and owner in Okta; \
                       revoke it if nobody can vouch for it.",
        },
        params: Vec::new,
        build: |_| Box::new(ApiTokenCreated),
    }
}

struct ApiTokenCreated;

impl Rule for ApiTokenCreated {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !e.is_okta_type("system.api_token.create") || e.failed() {
            return;
        }
        let token = e.target("Token").or_else(|| e.row.targets.first());
        let name = token.and_then(|t| t.name.clone().or_else(|| t.id.clone())).unwrap_or_else(|| "unnamed".into());
        let network = e.debug_data("networkConnection").unwrap_or("unknown");
        let unrestricted = network.eq_ignore_ascii_case("ANYWHERE");
        let by = e.actor_key().unwrap_or("someone");
        let mut finding = Finding::new(
            Entity::new("token", token.and_then(|t| t.id.clone()).unwrap_or_else(|| name.clone())),
            format!("{by} created API token {name}{}", if unrestricted { ", usable from any network" } else { "" }),
            vec![e.row.seq],
        );
        if unrestricted {
            finding.severity = Some(Severity::High);
        }
        finding.actor_id = e.row.actor_id.clone();
        finding.person = e.person_key();
        finding.details = serde_json::json!({ "token": name, "network": network });
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        hours(1)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::*;

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
    }

    #[test]
    fn api_token_created_is_higher_when_unrestricted() {
        let mut h = Harness::only("okta.api_token_created");
        h.feed(
            okta("system.api_token.create")
                .actor("admin@example.com")
                .target("Token", "tok1", "ci")
                .debug("networkConnection", "ANYWHERE"),
        );
        assert_eq!(h.signals()[0].severity, crate::Severity::High);
    }
}
