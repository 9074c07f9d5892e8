//! The built-in rules: one module per rule family, each rule a [`BuiltinRule`] in [`catalogue`].

mod common;
mod config;
mod credential;
mod graph;
mod mfa;
mod privilege;
mod session;
mod threat;

use crate::rule::BuiltinRule;

/// Every built-in rule: the brief's, in its order, then Sightline's own graph rules.
pub fn catalogue() -> Vec<BuiltinRule> {
    vec![
        credential::brute_force_user(),
        credential::brute_force_ip(),
        credential::password_spray(),
        credential::credential_stuffing(),
        mfa::push_bombing(),
        mfa::mfa_failures_excessive(),
        mfa::mfa_factors_reset(),
        mfa::mfa_disabled_org(),
        privilege::admin_role_granted(),
        privilege::api_token_created(),
        privilege::api_token_revoked(),
        privilege::impersonation(),
        privilege::support_reset(),
        config::policy_tampering(),
        config::network_zone_change(),
        config::idp_change(),
        config::log_stream_change(),
        threat::threat_detected(),
        threat::suspicious_activity_reported(),
        credential::account_lockouts(),
        credential::password_resets_excessive(),
        threat::oauth_token_reuse(),
        config::rate_limit_violation(),
        session::dormant_account_access(),
        session::session_roaming(),
        session::impossible_travel(),
        graph::crown_jewel_access_changed(),
    ]
}

#[cfg(test)]
mod tests {
    use super::catalogue;
    use crate::rule::Params;
    use std::collections::HashSet;

    /// The brief's ids, in its order.
    const BRIEF_IDS: [&str; 26] = [
        "okta.brute_force.user",
        "okta.brute_force.ip",
        "okta.password_spray",
        "okta.credential_stuffing",
        "okta.mfa_push_bombing",
        "okta.mfa_failures_excessive",
        "okta.mfa_factors_reset",
        "okta.mfa_disabled_org",
        "okta.admin_role_granted",
        "okta.api_token_created",
        "okta.api_token_revoked",
        "okta.impersonation",
        "okta.support_reset",
        "okta.policy_tampering",
        "okta.network_zone_change",
        "okta.idp_change",
        "okta.log_stream_change",
        "okta.threat_detected",
        "okta.suspicious_activity_reported",
        "okta.account_lockouts",
        "okta.password_resets_excessive",
        "okta.oauth_token_reuse",
        "okta.rate_limit_violation",
        "okta.dormant_account_access",
        "okta.session_roaming",
        "identity.impossible_travel",
    ];

    #[test]
    fn catalogue_has_every_brief_id_in_order_and_every_rule_is_described() {
        let rules = catalogue();
        let ids: Vec<&str> = rules.iter().map(|r| r.info.id).collect();
        let unique: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "a rule id appears twice");
        // Rules beyond the brief's may follow; the brief's come in its order.
        let from_brief: Vec<&str> = ids.iter().copied().filter(|id| BRIEF_IDS.contains(id)).collect();
        assert_eq!(from_brief, BRIEF_IDS);
        for rule in &rules {
            let info = &rule.info;
            assert!(!info.title.is_empty() && !info.description.is_empty() && !info.response.is_empty(), "{}", info.id);
            assert!(!info.attack.is_empty(), "{} has no ATT&CK technique", info.id);
            for t in info.attack {
                assert!(t.starts_with('T') && t[1..].split('.').all(|p| p.chars().all(|c| c.is_ascii_digit())), "{t}");
            }
            let params = (rule.params)();
            let names: HashSet<&str> = params.iter().map(|p| p.name).collect();
            assert_eq!(names.len(), params.len(), "{} declares a parameter twice", info.id);
            assert!(params.iter().all(|p| !p.help.is_empty()));
            // Every rule builds from its defaults.
            let built = (rule.build)(&Params::defaults(&params));
            assert!(built.group_window() > std::time::Duration::ZERO);
        }
    }
}
