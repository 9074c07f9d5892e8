//! Tampering with the org's configuration: sign-on policies, network zones, identity providers,
//! log streams and event hooks; and rate-limit violations. Each is one event.

use super::common::{about_actor, by, label, target_of};
use crate::event::Observed;
use crate::rule::{BuiltinRule, Directory, Rule, RuleInfo, hours};
use crate::signal::{Entity, Finding, Severity};
use std::time::Duration;

/// A single-event rule over a fixed set of event types: what each type means, its severity when
/// it differs from the rule's, the target kinds that name the changed object, and the entity kind.
struct ConfigChange {
    types: &'static [(&'static str, &'static str, Option<Severity>)],
    targets: &'static [&'static str],
    entity: &'static str,
    group: Duration,
}

impl Rule for ConfigChange {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !e.is_okta() || e.failed() {
            return;
        }
        let Some((_, what, severity)) = self.types.iter().find(|(t, _, _)| *t == e.row.event_type) else { return };
        let target =
            target_of(e, self.targets).or_else(|| e.row.targets.first().map(|t| (t.id.clone(), t.name.clone())));
        let name = label(&target).unwrap_or_else(|| "unnamed".to_string());
        let id = target.as_ref().and_then(|(id, _)| id.clone()).unwrap_or_else(|| name.clone());
        let mut finding =
            about_actor(e, Entity::new(self.entity, id), format!("{} {what} {name}", by(e)), vec![e.row.seq]);
        finding.severity = *severity;
        finding.details = serde_json::json!({
            "event_type": e.row.event_type, "name": name, "ip": e.row.ip, "country": e.row.country,
        });
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        self.group
    }
}

const POLICY_TYPES: &[(&str, &str, Option<Severity>)] = &[
    ("policy.lifecycle.update", "changed policy", Some(Severity::Low)),
    ("policy.lifecycle.delete", "deleted policy", None),
    ("policy.lifecycle.deactivate", "deactivated policy", None),
    ("policy.rule.update", "changed policy rule", Some(Severity::Low)),
    ("policy.rule.delete", "deleted policy rule", None),
    ("policy.rule.deactivate", "deactivated policy rule", None),
    ("application.policy.sign_on.update", "changed the sign-on policy of", Some(Severity::Low)),
    ("application.policy.sign_on.rule.delete", "deleted a sign-on policy rule of", None),
];

pub(super) fn policy_tampering() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.policy_tampering",
            title: "Sign-on policy tampering",
            description: "A policy or policy rule deleted or deactivated (medium), or changed (low): the controls \
                          that demand MFA or block networks may no longer apply.",
            severity: Severity::Medium,
            attack: &["T1556", "T1562.001"],
            response: "Compare the policy with its last known state and restore it if the change was not \
                       planned; ask the admin who made it.",
        },
        params: Vec::new,
        build: |_| {
            // A rule's own target names it best: deactivating then deleting it lands in one alert.
            Box::new(ConfigChange {
                types: POLICY_TYPES,
                targets: &["PolicyRule", "PolicyEntity", "AppInstance"],
                entity: "policy",
                group: hours(1),
            })
        },
    }
}

const ZONE_TYPES: &[(&str, &str, Option<Severity>)] = &[
    ("zone.update", "changed network zone", None),
    ("zone.deactivate", "deactivated network zone", None),
    ("zone.delete", "deleted network zone", None),
    ("zone.remove_blacklist", "removed a blocklist from network zone", None),
    ("network_zone.rule.disabled", "disabled the rule of network zone", None),
];

pub(super) fn network_zone_change() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.network_zone_change",
            title: "Network zone changed",
            description: "A network zone was changed, deactivated or deleted: blocklists and trusted ranges decide \
                          who may sign in from where.",
            severity: Severity::Medium,
            attack: &["T1562.007"],
            response: "Review the zone's addresses against its last known state; restore it if the change was not \
                       planned and ask the admin who made it.",
        },
        params: Vec::new,
        build: |_| {
            Box::new(ConfigChange {
                types: ZONE_TYPES,
                targets: &["NetworkZone", "Zone"],
                entity: "zone",
                group: hours(1),
            })
        },
    }
}

const IDP_TYPES: &[(&str, &str, Option<Severity>)] = &[
    ("system.idp.lifecycle.create", "added identity provider", None),
    ("system.idp.lifecycle.update", "changed identity provider", Some(Severity::Medium)),
    ("system.idp.lifecycle.activate", "activated identity provider", Some(Severity::Medium)),
    ("system.idp.lifecycle.deactivate", "deactivated identity provider", Some(Severity::Medium)),
    ("system.idp.lifecycle.delete", "deleted identity provider", Some(Severity::Medium)),
    ("system.idp.lifecycle.read_client_secret", "read the client secret of identity provider", Some(Severity::Medium)),
];

pub(super) fn idp_change() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.idp_change",
            title: "Identity provider added or changed",
            description: "An identity provider was created (high: whoever controls it can sign in as your users), \
                          or changed, activated, deactivated or deleted.",
            severity: Severity::High,
            attack: &["T1484.002", "T1556.007"],
            response: "Check the IdP's issuer, certificate and routing rules; remove it if nobody can vouch for it \
                       and review sign-ins through it.",
        },
        params: Vec::new,
        build: |_| {
            Box::new(ConfigChange {
                types: IDP_TYPES,
                targets: &["IdentityProvider", "IdP"],
                entity: "idp",
                group: hours(1),
            })
        },
    }
}

const LOG_STREAM_TYPES: &[(&str, &str, Option<Severity>)] = &[
    ("system.log_stream.lifecycle.create", "created log stream", Some(Severity::Medium)),
    ("system.log_stream.lifecycle.update", "changed log stream", Some(Severity::Medium)),
    ("system.log_stream.lifecycle.activate", "activated log stream", Some(Severity::Medium)),
    ("system.log_stream.lifecycle.deactivate", "deactivated log stream", None),
    ("system.log_stream.lifecycle.delete", "deleted log stream", None),
    ("event_hook.created", "created event hook", Some(Severity::Medium)),
    ("event_hook.updated", "changed event hook", Some(Severity::Medium)),
    ("event_hook.activated", "activated event hook", Some(Severity::Medium)),
    ("event_hook.deactivated", "deactivated event hook", None),
    ("event_hook.deleted", "deleted event hook", None),
];

pub(super) fn log_stream_change() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.log_stream_change",
            title: "Log stream or event hook changed",
            description: "A log stream or event hook was deactivated or deleted (high: events stop reaching your \
                          SIEM), or created or changed (medium: events may go somewhere new).",
            severity: Severity::High,
            attack: &["T1562.008"],
            response: "Check your SIEM still receives Okta events; restore the stream or hook if the change was \
                       not planned, and look at what happened while it was off.",
        },
        params: Vec::new,
        build: |_| {
            Box::new(ConfigChange {
                types: LOG_STREAM_TYPES,
                targets: &["LogStream", "EventHook"],
                entity: "log_stream",
                group: hours(1),
            })
        },
    }
}

pub(super) fn rate_limit_violation() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.rate_limit_violation",
            title: "Rate limit violated",
            description: "Okta refused requests over an org, operation or client rate limit: a scraper, a runaway \
                          integration or an attempt to lock people out. Warnings and other services' limits \
                          that integrations hit are left out.",
            severity: Severity::Low,
            attack: &["T1499", "T1087.004"],
            response: "Find the client or token behind the requests; stop it if it is not yours, or raise its \
                       limit if it is a legitimate integration.",
        },
        params: Vec::new,
        build: |_| Box::new(RateLimitViolation),
    }
}

struct RateLimitViolation;

impl Rule for RateLimitViolation {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        // Panther's test: Okta's own rate-limit families, violations only (not warnings).
        let t = e.row.event_type.as_str();
        let limit = t.contains("rate_limit") || t.contains("ratelimit") || t.contains("concurrency");
        if !e.is_okta() || !limit || !t.contains("violation") {
            return;
        }
        let client = e.actor_key().map(str::to_string).or_else(|| e.row.ip.clone()).unwrap_or_else(|| "org".into());
        let mut finding =
            about_actor(e, Entity::new("client", client.to_lowercase()), format!("{t} by {client}"), vec![e.row.seq]);
        finding.details = serde_json::json!({
            "event_type": t, "ip": e.row.ip, "reason": e.row.outcome_reason, "uri": e.debug_data("requestUri"),
        });
        out.push(finding);
    }

    /// Panther deduplicates per actor for a day: one alert per noisy client per day.
    fn group_window(&self) -> Duration {
        hours(24)
    }
}

#[cfg(test)]
mod tests {
    use crate::Severity;
    use crate::testing::*;

    #[test]
    fn policy_rule_deactivated_then_deleted_is_one_entity() {
        let mut h = Harness::only("okta.policy_tampering");
        h.feed(okta("policy.rule.add").actor("admin@example.com").target("PolicyRule", "0pr1", "Require MFA"));
        h.feed(okta("policy.lifecycle.activate").actor("admin@example.com").target("PolicyEntity", "00p1", "Default"));
        h.feed(okta("policy.evaluate_sign_on").actor("amy@example.com").target("PolicyEntity", "00p1", "Default"));
        assert!(h.signals().is_empty(), "adding and activating policies weakens nothing");
        for t in ["policy.rule.deactivate", "policy.rule.delete"] {
            h.feed(okta(t).actor("admin@example.com").target("PolicyEntity", "00p1", "Default").target(
                "PolicyRule",
                "0pr1",
                "Require MFA",
            ));
        }
        h.feed(okta("policy.lifecycle.update").actor("admin@example.com").target("PolicyEntity", "00p1", "Default"));
        let s = h.signals();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].finding.entity, s[1].finding.entity);
        assert_eq!(s[0].finding.entity.value, "0pr1");
        assert_eq!((s[1].severity, s[2].severity), (Severity::Medium, Severity::Low));
    }

    #[test]
    fn network_zone_changes() {
        let mut h = Harness::only("okta.network_zone_change");
        h.feed(okta("zone.create").actor("admin@example.com").target("NetworkZone", "nzo1", "Offices"));
        h.feed(
            okta("zone.delete").actor("admin@example.com").target("NetworkZone", "nzo1", "Offices").failure("E0000001"),
        );
        assert!(h.signals().is_empty());
        h.feed(okta("zone.deactivate").actor("admin@example.com").target("NetworkZone", "nzo1", "BlockedIPs"));
        assert_eq!(h.signals()[0].finding.entity, crate::Entity::new("zone", "nzo1"));
    }

    #[test]
    fn idp_created_is_high_and_changes_medium() {
        let mut h = Harness::only("okta.idp_change");
        h.feed(okta("user.authentication.auth_via_IDP").actor("amy@example.com"));
        assert!(h.signals().is_empty());
        h.feed(okta("system.idp.lifecycle.create").actor("admin@example.com").target("IdentityProvider", "0oa1", "P"));
        h.feed(okta("system.idp.lifecycle.activate").actor("admin@example.com").target(
            "IdentityProvider",
            "0oa1",
            "P",
        ));
        assert_eq!((h.signals()[0].severity, h.signals()[1].severity), (Severity::High, Severity::Medium));
    }

    #[test]
    fn log_stream_deletion_is_high() {
        let mut h = Harness::only("okta.log_stream_change");
        h.feed(okta("system.log_stream.lifecycle.create").actor("admin@example.com").target("LogStream", "0ls1", "S"));
        h.feed(okta("event_hook.deleted").actor("admin@example.com").target("EventHook", "who1", "siem"));
        h.feed(okta("event_hook.verified").actor("admin@example.com").target("EventHook", "who1", "siem"));
        let s = h.signals();
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].severity, s[1].severity), (Severity::Medium, Severity::High));
    }

    #[test]
    fn rate_limit_violations_not_warnings() {
        let mut h = Harness::only("okta.rate_limit_violation");
        h.feed(okta("system.org.rate_limit.warning"));
        h.feed(okta("application.integration.rate_limit_exceeded"));
        assert!(h.signals().is_empty());
        h.feed(okta("system.operation.rate_limit.violation").result("DENY", None));
        h.feed(okta("system.client.concurrency_rate_limit.violation"));
        assert_eq!(h.signals().len(), 2);
    }
}
