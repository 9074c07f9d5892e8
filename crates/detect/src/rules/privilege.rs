//! Power changing hands: admin roles granted, API tokens created and revoked, Okta Support
//! impersonating a user or resetting credentials. Each is one event.

use super::common::{about_actor, by, label, target_of};
use crate::event::Observed;
use crate::rule::{BuiltinRule, Directory, Rule, RuleInfo, hours, list};
use crate::signal::{Entity, Finding, Severity};
use std::time::Duration;

/// Event types that give an admin role to a user, a group or an app.
const GRANTS: &[&str] = &[
    "user.account.privilege.grant",
    "group.privilege.grant",
    "iam.resourceset.bindings.add",
    "app.oauth2.client.privilege.grant",
];

pub(super) fn admin_role_granted() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.admin_role_granted",
            title: "Admin role granted",
            description: "An admin role was given to a user, a group or an app. Super administrator is critical: \
                          it can do anything, including erase the trail.",
            severity: Severity::High,
            attack: &["T1098.003", "T1078.004"],
            response: "Confirm the grant with the admin who made it and the change process; remove the role if \
                       nobody can vouch for it, and review what the grantee did since.",
        },
        params: Vec::new,
        build: |_| Box::new(AdminRoleGranted),
    }
}

struct AdminRoleGranted;

/// Whether a granted role (Okta's label or type) is super administrator.
fn is_super_admin(role: &str) -> bool {
    let role = role.to_ascii_lowercase();
    role.contains("super administrator") || role.contains("super_admin") || role.contains("super admin")
}

impl Rule for AdminRoleGranted {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !e.is_okta() || !GRANTS.contains(&e.row.event_type.as_str()) || e.failed() {
            return;
        }
        let role = e
            .debug_data("privilegeGranted")
            .or_else(|| e.debug_data("roleType"))
            .or_else(|| e.debug_data("role"))
            .or_else(|| e.target("ROLE").or_else(|| e.target("Role")).and_then(|t| t.name.as_deref()))
            .unwrap_or("an admin role")
            .to_string();
        let user = e.target("User");
        let (kind, grantee) = if let Some(u) = user {
            ("user", u.name.clone().or_else(|| u.id.clone()))
        } else if let Some(g) = target_of(e, &["UserGroup"]) {
            ("group", label(&Some(g)))
        } else if let Some(a) = target_of(e, &["AppInstance", "PublicClientApp", "Client"]) {
            ("app", label(&Some(a)))
        } else {
            ("user", e.row.targets.first().and_then(|t| t.name.clone().or_else(|| t.id.clone())))
        };
        let grantee = grantee.unwrap_or_else(|| "unknown".to_string());
        let mut finding = Finding::new(
            Entity::new(kind, grantee.to_lowercase()),
            format!("{} granted {role} to {kind} {grantee}", by(e)),
            vec![e.row.seq],
        );
        let all_roles = [e.debug_data("privilegeGranted"), e.debug_data("roleType"), Some(role.as_str())];
        if all_roles.into_iter().flatten().any(is_super_admin) {
            finding.severity = Some(Severity::Critical);
        }
        // The grantee's power is what matters; for a group or app there is no one user.
        finding.actor_id = user.and_then(|u| u.id.clone());
        finding.person = user.and_then(|u| u.name.as_ref()).map(|n| n.to_lowercase());
        finding.details = serde_json::json!({ "role": role, "granted_by": e.actor_key(), "grantee_kind": kind });
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        hours(1)
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

pub(super) fn api_token_revoked() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.api_token_revoked",
            title: "API token revoked",
            description: "An Okta API token was revoked. Usually housekeeping; unexpected revocations break \
                          integrations, and an intruder may revoke tokens to cut defenders' tooling off.",
            severity: Severity::Low,
            attack: &["T1531"],
            response: "Check the token's owner and what used it (integrations, SIEM collectors) still works; ask \
                       the revoker if it was not planned.",
        },
        params: Vec::new,
        build: |_| Box::new(ApiTokenRevoked),
    }
}

struct ApiTokenRevoked;

impl Rule for ApiTokenRevoked {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !e.is_okta_type("system.api_token.revoke") || e.failed() {
            return;
        }
        let token = e.target("Token").or_else(|| e.row.targets.first());
        let name = token.and_then(|t| t.name.clone().or_else(|| t.id.clone())).unwrap_or_else(|| "unnamed".into());
        let id = token.and_then(|t| t.id.clone()).unwrap_or_else(|| name.clone());
        let mut finding =
            about_actor(e, Entity::new("token", id), format!("{} revoked API token {name}", by(e)), vec![e.row.seq]);
        finding.details = serde_json::json!({ "token": name });
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        hours(1)
    }
}

pub(super) fn impersonation() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.impersonation",
            title: "Okta Support impersonation",
            description: "An admin granted Okta Support access to impersonate users, or a support impersonation \
                          session started or was extended. Support sessions act as your admins.",
            severity: Severity::High,
            attack: &["T1078.004", "T1199"],
            response: "Check there is an open support case that needs it; revoke the grant (Settings > Account > \
                       Okta Support access) when it is not needed, and review what the session did.",
        },
        params: || vec![list("ignore_actors", &[], "logins whose grants are expected (a support desk's own admins)")],
        build: |p| {
            Box::new(Impersonation { ignore: p.list("ignore_actors").iter().map(|s| s.to_lowercase()).collect() })
        },
    }
}

struct Impersonation {
    ignore: Vec<String>,
}

impl Rule for Impersonation {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        let what = match e.row.event_type.as_str() {
            "user.session.impersonation.grant" => "granted Okta Support impersonation",
            "user.session.impersonation.extend" => "extended Okta Support impersonation",
            "user.session.impersonation.initiate" => "started an impersonation session",
            _ => return,
        };
        if !e.is_okta() || e.failed() {
            return;
        }
        if e.actor_key().is_some_and(|a| self.ignore.iter().any(|i| i.eq_ignore_ascii_case(a))) {
            return;
        }
        // The user whose identity is borrowed: the target, else the admin who granted it.
        let target = e.target("User");
        let user =
            target.and_then(|t| t.name.clone().or_else(|| t.id.clone())).or_else(|| e.actor_key().map(str::to_string));
        let user = user.unwrap_or_else(|| "unknown".into()).to_lowercase();
        let mut finding =
            Finding::new(Entity::new("user", user.clone()), format!("{} {what} ({user})", by(e)), vec![e.row.seq]);
        if e.row.event_type == "user.session.impersonation.grant" {
            // A grant alone is permission; the session starting is the act.
            finding.severity = Some(Severity::Medium);
        }
        finding.actor_id = target.and_then(|t| t.id.clone()).or_else(|| e.row.actor_id.clone());
        finding.person = Some(user);
        finding.details = serde_json::json!({
            "by": e.actor_key(), "ip": e.row.ip, "country": e.row.country,
            "duration_hours": e.debug_data("grantDurationHours"),
        });
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        hours(8)
    }
}

/// Credential changes that Okta Support can make on a user's behalf.
const SUPPORT_RESETS: &[&str] = &[
    "user.account.reset_password",
    "user.mfa.factor.update",
    "user.mfa.factor.reset_all",
    "user.mfa.factor.deactivate",
    "system.mfa.factor.deactivate",
    "user.mfa.attempt_bypass",
];

pub(super) fn support_reset() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.support_reset",
            title: "Password or MFA reset by Okta Support",
            description: "Okta Support reset a password or MFA factor: Okta's own system principal acting from its \
                          back office (no browser, no location, no transaction). Social engineering of support \
                          desks is a known way in.",
            severity: Severity::High,
            attack: &["T1098", "T1656"],
            response: "Confirm you opened a support case asking for it; if not, contact Okta, reset the user's \
                       credentials yourself and review the account's activity since.",
        },
        params: || vec![list("support_actors", &["system@okta.com"], "logins Okta Support acts as")],
        build: |p| Box::new(SupportReset { actors: p.list("support_actors").to_vec() }),
    }
}

struct SupportReset {
    actors: Vec<String>,
}

impl Rule for SupportReset {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !e.is_okta() || !SUPPORT_RESETS.contains(&e.row.event_type.as_str()) || e.failed() {
            return;
        }
        let Some(actor) = e.actor_key() else { return };
        if !self.actors.iter().any(|a| a.eq_ignore_ascii_case(actor)) {
            return;
        }
        // Okta's automation also acts as system@okta.com, from a request someone made (with a
        // browser, a place and a transaction); support's back office has none of them.
        let from_back_office = e.row.user_agent.is_none()
            && e.row.country.is_none()
            && e.raw_str(&["transaction", "id"]).is_none_or(|id| id.eq_ignore_ascii_case("unknown"));
        if !from_back_office {
            return;
        }
        let target = e.target("User");
        let user = target.and_then(|t| t.name.clone().or_else(|| t.id.clone())).unwrap_or_else(|| "the org".into());
        let mut finding = Finding::new(
            Entity::new("user", user.to_lowercase()),
            format!("Okta Support ({actor}) did {} for {user}", e.row.event_type),
            vec![e.row.seq],
        );
        finding.actor_id = target.and_then(|t| t.id.clone());
        finding.person = target.and_then(|t| t.name.as_ref()).map(|n| n.to_lowercase());
        finding.details = serde_json::json!({ "event_type": e.row.event_type, "support_actor": actor });
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
    fn admin_role_grants_are_high_and_super_admin_critical() {
        let mut h = Harness::only("okta.admin_role_granted");
        h.feed(
            okta("user.account.privilege.grant")
                .actor("admin@example.com")
                .target("User", "00ujo", "jo@example.com")
                .debug("privilegeGranted", "Application administrator"),
        );
        h.feed(
            okta("user.account.privilege.grant")
                .actor("admin@example.com")
                .target("User", "00ukim", "kim@example.com")
                .debug("privilegeGranted", "Super administrator, Read only admin"),
        );
        h.feed(okta("group.privilege.grant").actor("admin@example.com").target("UserGroup", "00g1", "Helpdesk"));
        let s = h.signals();
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].severity, s[0].finding.actor_id.as_deref()), (Severity::High, Some("00ujo")));
        assert_eq!(s[1].severity, Severity::Critical);
        assert_eq!(s[2].finding.entity, crate::Entity::new("group", "helpdesk"));
    }

    #[test]
    fn admin_role_revocations_and_failed_grants_are_not_grants() {
        let mut h = Harness::only("okta.admin_role_granted");
        h.feed(okta("user.account.privilege.revoke").actor("admin@example.com").target("User", "00ujo", "jo@x"));
        h.feed(okta("user.account.privilege.grant").actor("admin@example.com").failure("E0000006"));
        h.feed(okta("group.user_membership.add").actor("admin@example.com").target("UserGroup", "00g1", "Admins"));
        assert!(h.signals().is_empty());
    }

    #[test]
    fn api_token_created_is_higher_when_unrestricted() {
        let mut h = Harness::only("okta.api_token_created");
        h.feed(okta("system.api_token.create").actor("admin@example.com").target("Token", "tok0", "ci"));
        h.feed(
            okta("system.api_token.create")
                .actor("admin@example.com")
                .target("Token", "tok1", "ci")
                .debug("networkConnection", "ANYWHERE"),
        );
        h.feed(okta("system.api_token.update").actor("admin@example.com").target("Token", "tok1", "ci"));
        assert_eq!(h.signals().len(), 2);
        assert_eq!(h.signals()[0].severity, Severity::Medium);
        assert_eq!(h.signals()[1].severity, Severity::High);
    }

    #[test]
    fn api_token_revoked() {
        let mut h = Harness::only("okta.api_token_revoked");
        h.feed(okta("system.api_token.create").actor("admin@example.com").target("Token", "tok1", "ci"));
        assert!(h.signals().is_empty());
        h.feed(okta("system.api_token.revoke").actor("admin@example.com").target("Token", "tok1", "ci"));
        assert_eq!(h.signals()[0].finding.entity, crate::Entity::new("token", "tok1"));
    }

    #[test]
    fn impersonation_grant_is_medium_and_the_session_high() {
        let mut h = Harness::only("okta.impersonation");
        h.feed(okta("user.session.impersonation.revoke").actor("admin@example.com"));
        assert!(h.signals().is_empty());
        h.feed(okta("user.session.impersonation.grant").actor("admin@example.com").target(
            "User",
            "00uadmin",
            "admin@example.com",
        ));
        h.feed(okta("user.session.impersonation.initiate").actor("support@okta.com").target(
            "User",
            "00uadmin",
            "admin@example.com",
        ));
        let s = h.signals();
        assert_eq!((s[0].severity, s[1].severity), (Severity::Medium, Severity::High));
        assert_eq!(s[0].finding.entity, s[1].finding.entity, "one alert per impersonated user");
    }

    #[test]
    fn support_reset_needs_okta_support_from_its_back_office() {
        let mut h = Harness::only("okta.support_reset");
        let back_office = |event_type: &str| {
            let mut e = okta(event_type)
                .actor("system@okta.com")
                .target("User", "00uhomer", "homer@example.com")
                .field("transaction", serde_json::json!({"type": "WEB", "id": "unknown"}));
            e = e.field("client", serde_json::json!({"ipAddress": "1.1.1.1", "userAgent": {"browser": "CHROME"}}));
            e
        };
        // A reset made with a browser, from a place: Okta automation on someone's request.
        h.feed(okta("user.account.reset_password").actor("system@okta.com").target("User", "00uh", "homer@x"));
        h.feed(back_office("user.account.reset_password").actor("marge@example.com"));
        h.feed(back_office("user.account.update_password"));
        assert!(h.signals().is_empty(), "{:?}", h.signals());
        h.feed(back_office("user.account.reset_password"));
        h.feed(back_office("user.mfa.factor.reset_all"));
        assert_eq!(h.signals().len(), 2);
        assert_eq!(h.signals()[0].finding.actor_id.as_deref(), Some("00uhomer"));
    }
}
