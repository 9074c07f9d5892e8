//! Changes Sightline itself finds between two scans of the graph.

use crate::event::Observed;
use crate::rule::{BuiltinRule, Directory, Rule, RuleInfo, hours};
use crate::signal::{Entity, Finding, Severity};
use serde_json::Value;
use std::time::Duration;

/// How many holders an alert lists of each kind (added, removed); the event keeps them all.
const LISTED: usize = 50;

pub(super) fn crown_jewel_access_changed() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "graph.crown_jewel_access_changed",
            title: "Who can reach or control a crown jewel changed",
            description: "Between two scans, identities gained or lost a way to reach or control an app, group or \
                          role marked as a crown jewel (through membership, assignment, an admin role or an API token).",
            severity: Severity::High,
            attack: &["T1098", "T1078.004"],
            response: "Check each identity that gained a route against a change request; remove the membership, \
                       assignment or role that grants it if nobody asked for it, and look at who made that change \
                       in the System Log.",
        },
        params: Vec::new,
        build: |_| Box::new(CrownJewelAccessChanged),
    }
}

struct CrownJewelAccessChanged;

impl Rule for CrownJewelAccessChanged {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if e.row.source != "sightline" || e.row.event_type != "graph.crown_jewel_access_changed" {
            return;
        }
        let list = |key: &str| -> Vec<Value> {
            e.raw_at(&[key])
                .and_then(Value::as_array)
                .map(|a| a.iter().take(LISTED).cloned().collect())
                .unwrap_or_default()
        };
        let total = |key: &str| e.raw_at(&[key]).and_then(Value::as_array).map_or(0, Vec::len);
        let (added, removed) = (list("added"), list("removed"));
        let jewel = e.row.targets.first();
        let id = jewel.and_then(|t| t.id.clone()).unwrap_or_else(|| "unknown".into());
        let name = jewel.and_then(|t| t.name.clone()).unwrap_or_else(|| id.clone());
        let mut finding = Finding::new(
            Entity::new("crown_jewel", id),
            e.row.message.clone().unwrap_or_else(|| format!("access to {name} changed")),
            vec![e.row.seq],
        );
        if total("added") == 0 {
            // Only losses: worth knowing (a broken integration?), not an attack.
            finding.severity = Some(Severity::Low);
        }
        finding.details = serde_json::json!({
            "jewel": name,
            "org": e.raw_at(&["org"]),
            "scan": e.raw_at(&["scan"]),
            "added": added,
            "removed": removed,
            "added_total": total("added"),
            "removed_total": total("removed"),
        });
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        hours(24)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use serde_json::json;

    fn change(added: usize, removed: usize) -> serde_json::Value {
        let holder = |i: usize| json!({"identity_id": format!("okta:acme:00u{i}"), "identity": format!("u{i}@acme.com"), "how": "member"});
        json!({
            "org": "https://acme.okta.com",
            "scan": "2026-11-02T09:00:00Z",
            "jewel": {"id": "okta:acme:0oaAWS", "name": "AWS", "kind": "okta_app"},
            "added": (0..added).map(holder).collect::<Vec<_>>(),
            "removed": (100..100 + removed).map(holder).collect::<Vec<_>>(),
        })
    }

    #[test]
    fn gains_are_high_losses_low_and_other_sources_ignored() {
        let mut h = Harness::only("graph.crown_jewel_access_changed");
        h.feed_sightline("graph.crown_jewel_access_changed", "okta:acme:0oaAWS", "AWS", &change(2, 0));
        h.feed_sightline("graph.crown_jewel_access_changed", "okta:acme:0oaAWS", "AWS", &change(0, 1));
        h.feed_sightline("graph.something_else", "okta:acme:0oaAWS", "AWS", &change(2, 0));
        let signals = h.signals();
        assert_eq!(signals.len(), 2);
        assert_eq!(signals[0].severity, crate::Severity::High);
        assert_eq!(signals[0].finding.details["added_total"], 2);
        assert_eq!(signals[1].severity, crate::Severity::Low);
        assert_eq!(signals[0].finding.entity.value, "okta:acme:0oaAWS");
    }
}
