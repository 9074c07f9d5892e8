//! Okta's own verdicts: ThreatInsight and Identity Threat Protection findings, users reporting
//! suspicious activity, and refresh tokens replayed. Each is one event.

use super::common::{about_actor, user_key};
use crate::event::Observed;
use crate::rule::{BuiltinRule, Directory, Rule, RuleInfo, hours};
use crate::signal::{Entity, Finding, Severity};
use std::time::Duration;

/// Okta's threat and risk event types.
const THREAT_TYPES: &[&str] =
    &["security.threat.detected", "security.attack.start", "security.breached_credential.detected", "user.risk.detect"];

pub(super) fn threat_detected() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.threat_detected",
            title: "Okta detected a threat",
            description: "Okta ThreatInsight, Identity Threat Protection or breached-credential detection flagged a \
                          request, a user or an attack; also any event Okta marks as threat suspected. Low when \
                          Okta already blocked it, high when Okta rates it high.",
            severity: Severity::Medium,
            attack: &["T1110", "T1078"],
            response: "Read Okta's reason; check the address and the accounts involved for successful sign-ins; \
                       block the address if ThreatInsight only logged it.",
        },
        params: Vec::new,
        build: |_| Box::new(ThreatDetected),
    }
}

struct ThreatDetected;

/// Whether `debugData.threatSuspected` is `"true"`. Nearly every Okta event carries the key with
/// `"false"`, so the raw text is looked at first (one search, then the few bytes after the key),
/// and only a likely `true` is parsed.
fn threat_suspected(e: &Observed<'_>) -> bool {
    const KEY: &str = "\"threatSuspected\"";
    let raw = &e.row.raw;
    let Some(at) = raw.find(KEY) else { return false };
    let after = raw[at + KEY.len()..].trim_start_matches([' ', ':', '\t', '\n', '\r']);
    after.get(..6).is_some_and(|v| v.eq_ignore_ascii_case("\"true\""))
        && e.debug_data("threatSuspected").is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The severity Okta's own rating implies: its highest `threatDetections` level, or the
/// `level=` in an ITP `risk` string.
fn okta_rating(e: &Observed<'_>) -> Option<Severity> {
    let rated = e.debug_data("threatDetections").or_else(|| e.debug_data("risk"))?.to_ascii_uppercase();
    if rated.contains("HIGH") {
        Some(Severity::High)
    } else if rated.contains("MEDIUM") {
        Some(Severity::Medium)
    } else if rated.contains("LOW") {
        Some(Severity::Low)
    } else {
        None
    }
}

impl Rule for ThreatDetected {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !e.is_okta() {
            return;
        }
        let typed = THREAT_TYPES.contains(&e.row.event_type.as_str());
        if !typed && !threat_suspected(e) {
            return;
        }
        // A request ThreatInsight blocked is handled; one it only logged, or a risky user, is not.
        let blocked = e.okta_result().is_some_and(|r| r.eq_ignore_ascii_case("DENY"));
        let severity = if blocked { Some(Severity::Low) } else { okta_rating(e) };
        let entity = match (e.row.actor_kind.as_deref(), user_key(e)) {
            (Some(activity::actor_kind::USER), Some(user)) => Entity::new("user", user),
            _ => Entity::new("ip", e.row.ip.clone().unwrap_or_else(|| "unknown".into())),
        };
        let reason = e.row.outcome_reason.clone().or_else(|| e.debug_data("risk").map(str::to_string));
        let summary = format!(
            "Okta {}: {}{}",
            if typed { e.row.event_type.as_str() } else { "suspected a threat" },
            reason.as_deref().unwrap_or("no reason given"),
            if blocked { " (blocked)" } else { "" }
        );
        let mut finding = about_actor(e, entity, summary, vec![e.row.seq]);
        finding.severity = severity;
        if e.row.actor_kind.as_deref() != Some(activity::actor_kind::USER) {
            finding.actor_id = None;
        }
        finding.details = serde_json::json!({
            "event_type": e.row.event_type, "reason": reason, "blocked": blocked, "ip": e.row.ip,
            "detections": e.debug_data("threatDetections"),
        });
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        hours(1)
    }
}

pub(super) fn suspicious_activity_reported() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.suspicious_activity_reported",
            title: "User reported suspicious activity",
            description: "A user told Okta that an event on their account (a sign-in, a factor enrolment, a \
                          password change) was not them.",
            severity: Severity::High,
            attack: &["T1078"],
            response: "Look at the reported event and the account's recent activity; reset the password, revoke \
                       sessions and check enrolled factors unless the event turns out to be theirs.",
        },
        params: Vec::new,
        build: |_| Box::new(SuspiciousActivityReported),
    }
}

struct SuspiciousActivityReported;

impl Rule for SuspiciousActivityReported {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !e.is_okta_type("user.account.report_suspicious_activity_by_enduser") || e.failed() {
            return;
        }
        let Some(user) = user_key(e) else { return };
        let reported = e.debug_data("suspiciousActivityEventType").map(str::to_string);
        let summary = format!("{user} reported {} as not theirs", reported.as_deref().unwrap_or("an event"));
        let mut finding = about_actor(e, Entity::new("user", user), summary, vec![e.row.seq]);
        finding.details = serde_json::json!({
            "reported_event_type": reported,
            "reported_ip": e.debug_data("suspiciousActivityClientIpAddress"),
            "reported_at": e.debug_data("suspiciousActivityTimestamp"),
        });
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        hours(24)
    }
}

pub(super) fn oauth_token_reuse() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.oauth_token_reuse",
            title: "OAuth refresh token reused",
            description: "Okta saw a refresh token used again after it was rotated: a copy of it is in someone \
                          else's hands.",
            severity: Severity::Medium,
            attack: &["T1550.001", "T1528"],
            response: "Revoke the user's tokens for that app and their sessions; find where the token leaked \
                       (a device, a log, a browser extension).",
        },
        params: Vec::new,
        build: |_| Box::new(TokenReuse),
    }
}

struct TokenReuse;

impl Rule for TokenReuse {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !(e.is_okta_type("app.oauth2.as.token.detect_reuse") || e.is_okta_type("app.oauth2.token.detect_reuse")) {
            return;
        }
        let who = e
            .target("User")
            .and_then(|t| t.name.clone().or_else(|| t.id.clone()))
            .or_else(|| user_key(e))
            .unwrap_or_else(|| "unknown".into())
            .to_lowercase();
        let mut finding =
            about_actor(e, Entity::new("user", who.clone()), format!("refresh token of {who} reused"), vec![e.row.seq]);
        finding.details = serde_json::json!({ "ip": e.row.ip, "client": e.raw_str(&["client", "id"]) });
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

    #[test]
    fn threat_severity_follows_okta_rating_and_blocking() {
        let mut h = Harness::only("okta.threat_detected");
        let threat = || {
            okta("security.threat.detected")
                .field("actor", serde_json::json!({"id": "1.2.3.4", "type": "IP address", "alternateId": "unknown"}))
                .debug("threatDetections", r#"{"Password Spray":"HIGH"}"#)
        };
        h.feed(threat());
        h.feed(threat().result("DENY", Some("Password Spray")));
        h.feed(
            okta("user.risk.detect").actor("amy@example.com").debug("risk", "{reasons=Anomalous Device, level=LOW}"),
        );
        let s = h.signals();
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].severity, s[1].severity, s[2].severity), (Severity::High, Severity::Low, Severity::Low));
        assert_eq!(s[0].finding.entity.kind, "ip");
        assert_eq!(s[2].finding.entity, crate::Entity::new("user", "amy@example.com"));
    }

    #[test]
    fn threat_suspected_on_any_event_is_promoted() {
        let mut h = Harness::only("okta.threat_detected");
        h.feed(okta("user.session.start").actor("amy@example.com").debug("threatSuspected", "false"));
        h.feed(okta("user.session.start").actor("amy@example.com"));
        assert!(h.signals().is_empty());
        h.feed(okta("user.session.start").actor("amy@example.com").debug("threatSuspected", "true"));
        assert_eq!(h.signals().len(), 1);
    }

    #[test]
    fn suspicious_activity_report() {
        let mut h = Harness::only("okta.suspicious_activity_reported");
        h.feed(okta("user.account.update_profile").actor("amy@example.com"));
        assert!(h.signals().is_empty());
        h.feed(
            okta("user.account.report_suspicious_activity_by_enduser")
                .actor("amy@example.com")
                .debug("suspiciousActivityEventType", "user.session.start"),
        );
        assert_eq!(h.signals()[0].severity, Severity::High);
        assert!(h.signals()[0].finding.summary.contains("user.session.start"));
    }

    #[test]
    fn refresh_token_reuse() {
        let mut h = Harness::only("okta.oauth_token_reuse");
        h.feed(okta("app.oauth2.as.token.grant.refresh_token").actor("amy@example.com"));
        assert!(h.signals().is_empty());
        h.feed(okta("app.oauth2.as.token.detect_reuse").actor("amy@example.com").failure("reuse"));
        assert_eq!(h.signals().len(), 1);
    }
}
