/*!
GitHub organisation and enterprise audit log entries, from the REST API, the JSON export or
audit-log streaming.

The audit log records actions that took place, so an entry is a success unless its action says
it failed. GitHub gives no session and shows the actor's IP only when the organisation enabled
IP disclosure (`actor_ip`).
*/

use crate::category::*;
use crate::error::ParseError;
use crate::event::{Actor, Event, Location, PersonHintKind, RawJson, Source, Target, push_hint};
use crate::json::{at, f64_at, ip, required_time, str_at, text_at};
use crate::mapping::{Rule, lookup};
use crate::ocsf::{self, *};
use crate::{actor_kind, outcome};
use serde_json::{Map, Value};

/// GitHub `action` → category and OCSF activity. Names follow GitHub's audit log event list;
/// a prefix covers the rest of a family.
pub(crate) const RULES: &[Rule] = &[
    // Organisation and team membership.
    ("org.add_member", GROUP, GROUP_ADD_USER),
    ("org.remove_member", GROUP, GROUP_REMOVE_USER),
    ("org.invite_member", GROUP, GROUP_OTHER),
    ("org.update_member", PRIVILEGE, ACCESS_OTHER),
    ("org.add_outside_collaborator", PRIVILEGE, ACCESS_ASSIGN),
    ("org.remove_outside_collaborator", PRIVILEGE, ACCESS_REVOKE),
    ("team.*", GROUP, GROUP_OTHER),
    ("team.add_member", GROUP, GROUP_ADD_USER),
    ("team.remove_member", GROUP, GROUP_REMOVE_USER),
    ("team.create", GROUP, GROUP_CREATE),
    ("team.destroy", GROUP, GROUP_DELETE),
    ("team.add_repository", PRIVILEGE, GROUP_ASSIGN_PRIVILEGES),
    ("team.remove_repository", PRIVILEGE, GROUP_REVOKE_PRIVILEGES),
    ("team.update_repository_permission", PRIVILEGE, GROUP_ASSIGN_PRIVILEGES),
    ("repo.add_member", PRIVILEGE, ACCESS_ASSIGN),
    ("repo.remove_member", PRIVILEGE, ACCESS_REVOKE),
    ("repo.update_member", PRIVILEGE, ACCESS_OTHER),
    // Sign-in and access rules: 2FA, SAML, IP allow lists, branch protection.
    ("org.disable_two_factor_requirement", POLICY, ENTITY_DISABLE),
    ("org.enable_two_factor_requirement", POLICY, ENTITY_ENABLE),
    ("org.saml_disabled", POLICY, ENTITY_DISABLE),
    ("org.disable_saml", POLICY, ENTITY_DISABLE),
    ("org.saml_enabled", POLICY, ENTITY_ENABLE),
    ("org.enable_saml", POLICY, ENTITY_ENABLE),
    ("org.update_saml_provider_settings", POLICY, ENTITY_UPDATE),
    ("org.update_default_repository_permission", POLICY, ENTITY_UPDATE),
    ("org.update_member_repository_creation_permission", POLICY, ENTITY_UPDATE),
    ("ip_allow_list.*", POLICY, ENTITY_OTHER),
    ("ip_allow_list.enable", POLICY, ENTITY_ENABLE),
    ("ip_allow_list.disable", POLICY, ENTITY_DISABLE),
    ("ip_allow_list_entry.*", POLICY, ENTITY_OTHER),
    ("ip_allow_list_entry.create", POLICY, ENTITY_CREATE),
    ("ip_allow_list_entry.destroy", POLICY, ENTITY_DELETE),
    ("protected_branch.*", POLICY, ENTITY_UPDATE),
    ("protected_branch.create", POLICY, ENTITY_CREATE),
    ("protected_branch.destroy", POLICY, ENTITY_DELETE),
    ("repository_ruleset.*", POLICY, ENTITY_UPDATE),
    ("repository_ruleset.create", POLICY, ENTITY_CREATE),
    ("repository_ruleset.destroy", POLICY, ENTITY_DELETE),
    // Credentials.
    ("personal_access_token.*", API_TOKEN, ENTITY_OTHER),
    ("oauth_access.*", API_TOKEN, ENTITY_OTHER),
    ("oauth_access.create", API_TOKEN, ENTITY_CREATE),
    ("oauth_access.destroy", API_TOKEN, ENTITY_DELETE),
    ("oauth_authorization.*", API_TOKEN, ENTITY_OTHER),
    ("deploy_key.*", API_TOKEN, ENTITY_OTHER),
    ("deploy_key.create", API_TOKEN, ENTITY_CREATE),
    ("deploy_key.delete", API_TOKEN, ENTITY_DELETE),
    ("public_key.*", API_TOKEN, ENTITY_OTHER),
    ("public_key.create", API_TOKEN, ENTITY_CREATE),
    ("public_key.delete", API_TOKEN, ENTITY_DELETE),
    // Integrations.
    ("integration_installation.*", APPLICATION, ENTITY_OTHER),
    ("integration_installation.create", APPLICATION, ENTITY_CREATE),
    ("integration_installation.destroy", APPLICATION, ENTITY_DELETE),
    ("integration_installation.repositories_added", APPLICATION, ACCESS_ASSIGN),
    ("integration_installation.repositories_removed", APPLICATION, ACCESS_REVOKE),
    ("integration.*", APPLICATION, ENTITY_OTHER),
    ("oauth_application.*", APPLICATION, ENTITY_OTHER),
    ("org.oauth_app_access_approved", APPLICATION, ACCESS_ASSIGN),
    ("org.oauth_app_access_denied", APPLICATION, ACCESS_REVOKE),
    // Settings: hooks, security features, the organisation itself.
    ("hook.*", CONFIGURATION, ENTITY_OTHER),
    ("hook.create", CONFIGURATION, ENTITY_CREATE),
    ("hook.destroy", CONFIGURATION, ENTITY_DELETE),
    ("hook.config_changed", CONFIGURATION, ENTITY_UPDATE),
    ("hook.events_changed", CONFIGURATION, ENTITY_UPDATE),
    ("secret_scanning.*", CONFIGURATION, ENTITY_OTHER),
    ("secret_scanning.enable", CONFIGURATION, ENTITY_ENABLE),
    ("secret_scanning.disable", CONFIGURATION, ENTITY_DISABLE),
    ("secret_scanning_push_protection.*", CONFIGURATION, ENTITY_OTHER),
    ("dependabot_alerts.*", CONFIGURATION, ENTITY_OTHER),
    ("dependabot_security_updates.*", CONFIGURATION, ENTITY_OTHER),
    ("advanced_security.*", CONFIGURATION, ENTITY_OTHER),
    ("org.*", CONFIGURATION, ENTITY_OTHER),
    ("business.*", CONFIGURATION, ENTITY_OTHER),
    // Repositories and their contents.
    ("repo.*", RESOURCE, ENTITY_OTHER),
    ("repo.create", RESOURCE, ENTITY_CREATE),
    ("repo.destroy", RESOURCE, ENTITY_DELETE),
    ("repo.access", RESOURCE, ENTITY_UPDATE),
    ("repo.transfer", RESOURCE, ENTITY_MOVE),
    ("repo.rename", RESOURCE, ENTITY_MOVE),
    ("repo.archived", RESOURCE, ENTITY_DISABLE),
    ("repo.download_zip", DATA_ACCESS, ENTITY_READ),
    ("git.clone", DATA_ACCESS, ENTITY_READ),
    ("git.fetch", DATA_ACCESS, ENTITY_READ),
    ("git.push", RESOURCE, ENTITY_UPDATE),
];

const FALLBACK: (&str, Activity) = (OTHER, BASE_OTHER);

pub(crate) fn normalize(v: &Value, raw: RawJson) -> Result<Event, ParseError> {
    let time = required_time(v, &["@timestamp", "created_at", "at_sign_timestamp"], "created_at")?;
    let action = str_at(v, &["action"]).ok_or_else(|| ParseError::missing("action"))?;
    let (category, activity) = lookup(RULES, action).unwrap_or(FALLBACK);
    let failed = action.contains("fail");

    let login = str_at(v, &["actor"]);
    let actor = Actor {
        id: text_at(v, &["actor_id"]),
        kind: login.map(|l| if l.ends_with("[bot]") { actor_kind::SERVICE } else { actor_kind::USER }.to_string()),
        login: login.map(str::to_string),
        display_name: None,
    };
    let mut hints = Vec::new();
    if let Some(login) = login.filter(|l| !l.ends_with("[bot]")) {
        push_hint(&mut hints, PersonHintKind::GithubLogin, login);
    }
    for key in ["external_identity_nameid", "external_identity_username"] {
        if let Some(name_id) = str_at(v, &[key]) {
            push_hint(&mut hints, PersonHintKind::SamlNameId, name_id);
        }
    }

    let targets = targets(v, action);
    let mut message = format!("{action} by {}", login.unwrap_or("GitHub"));
    if let Some(user) = str_at(v, &["user"]).filter(|u| Some(*u) != login) {
        message.push_str(&format!(" for {user}"));
    }
    if let Some(repo) = str_at(v, &["repo"]).or_else(|| str_at(v, &["repository"])) {
        message.push_str(&format!(" on {repo}"));
    }
    let location = at(v, &["actor_location"]).and_then(|l| {
        let loc = Location {
            city: str_at(l, &["city"]).map(str::to_string),
            state: str_at(l, &["region"]).map(str::to_string),
            country: str_at(l, &["country_code"]).or_else(|| str_at(l, &["country"])).map(str::to_string),
            latitude: f64_at(l, &["location", "lat"]),
            longitude: f64_at(l, &["location", "lon"]),
        };
        (loc != Location::default()).then_some(loc)
    });

    let mut event = Event {
        uuid: str_at(v, &["_document_id"]).map_or_else(|| crate::stable_id(v), str::to_string),
        source: Source::Github,
        time,
        event_type: action.to_string(),
        category,
        outcome: if failed { outcome::FAILURE } else { outcome::SUCCESS },
        outcome_reason: None,
        severity: None,
        actor,
        person_hints: hints,
        targets,
        ip: str_at(v, &["actor_ip"]).and_then(ip),
        location,
        asn: None,
        user_agent: str_at(v, &["user_agent"]).map(str::to_string),
        session: None,
        message: Some(message),
        tenant: str_at(v, &["org"]).or_else(|| str_at(v, &["business"])).map(str::to_string),
        ocsf: Event::no_ocsf(),
        raw,
    };
    let original_time = ["@timestamp", "created_at", "at_sign_timestamp"].iter().find_map(|k| text_at(v, &[k]));
    event.ocsf = ocsf::build(&event, activity, original_time, Map::new());
    Ok(event)
}

/// Who or what an action touched: the user, the repository, the team, the integration.
fn targets(v: &Value, action: &str) -> Vec<Target> {
    let mut out = Vec::new();
    if let Some(user) = str_at(v, &["user"]) {
        out.push(Target { id: text_at(v, &["user_id"]), kind: Some("user".into()), name: Some(user.into()) });
    }
    if let Some(repo) = str_at(v, &["repo"]).or_else(|| str_at(v, &["repository"])) {
        out.push(Target { id: text_at(v, &["repo_id"]), kind: Some("repository".into()), name: Some(repo.into()) });
    }
    if let Some(team) = str_at(v, &["team"]) {
        out.push(Target { id: text_at(v, &["team_id"]), kind: Some("team".into()), name: Some(team.into()) });
    }
    if (action.starts_with("integration") || action.starts_with("oauth_application"))
        && let Some(name) = str_at(v, &["name"]).or_else(|| str_at(v, &["integration"]))
    {
        out.push(Target { id: None, kind: Some("integration".into()), name: Some(name.into()) });
    }
    if action.starts_with("hook.")
        && let Some(id) = text_at(v, &["hook_id"]).or_else(|| text_at(v, &["data", "hook_id"]))
    {
        out.push(Target { id: Some(id), kind: Some("hook".into()), name: None });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::PersonHint;
    use crate::mapping::check_table;
    use crate::normalize_value;
    use serde_json::json;

    #[test]
    fn table_is_well_formed() {
        check_table("github", RULES);
    }

    #[test]
    fn add_member() {
        let v = json!({
            "@timestamp": 1709288100000i64, "_document_id": "xJJFlFOhQ6b-5vaAFy9Rjw", "action": "org.add_member",
            "actor": "octocat", "actor_id": 583231, "actor_ip": "192.0.2.10", "actor_location": {"country_code": "GB"},
            "created_at": 1709288100000i64, "org": "acme", "org_id": 9919, "user": "new-hire", "user_id": 4242,
            "user_agent": "Mozilla/5.0", "operation_type": "create",
            "external_identity_nameid": "octo.cat@acme.com", "external_identity_username": "octo.cat@acme.com"
        });
        let e = normalize_value(Source::Github, &v).unwrap();
        assert_eq!(e.uuid, "xJJFlFOhQ6b-5vaAFy9Rjw");
        assert_eq!(e.time.timestamp_millis(), 1709288100000);
        assert_eq!((e.category, e.outcome), (GROUP, outcome::SUCCESS));
        assert_eq!(e.actor.login.as_deref(), Some("octocat"));
        assert_eq!(e.actor.id.as_deref(), Some("583231"));
        assert_eq!(e.ip.as_deref(), Some("192.0.2.10"));
        assert_eq!(e.location.as_ref().and_then(|l| l.country.as_deref()), Some("GB"));
        assert_eq!(e.tenant.as_deref(), Some("acme"));
        assert_eq!(
            e.targets,
            vec![Target { id: Some("4242".into()), kind: Some("user".into()), name: Some("new-hire".into()) }]
        );
        assert_eq!(
            e.person_hints,
            vec![
                PersonHint::new(PersonHintKind::GithubLogin, "octocat"),
                PersonHint::new(PersonHintKind::SamlNameId, "octo.cat@acme.com"),
            ]
        );
        assert_eq!(e.message.as_deref(), Some("org.add_member by octocat for new-hire"));
        assert_eq!(e.ocsf_value()["type_uid"], 300603);
        assert_eq!(e.ocsf_value()["user"]["name"], "new-hire");
    }

    #[test]
    fn created_at_as_text_and_hash_ids() {
        let v = json!({"action": "secret_scanning.disable", "actor": "bobert", "created_at": "2022-08-16 16:56:49.309",
                       "org": "an-org"});
        let e = normalize_value(Source::Github, &v).unwrap();
        assert_eq!(e.time.to_rfc3339(), "2022-08-16T16:56:49.309+00:00");
        assert_eq!(e.uuid, crate::stable_id(&v));
        assert_eq!(e.category, CONFIGURATION);
    }

    #[test]
    fn bots_are_services_without_hints() {
        let v = json!({"action": "repo.create", "actor": "dependabot[bot]", "created_at": 1621305118553i64,
                       "repo": "acme/x"});
        let e = normalize_value(Source::Github, &v).unwrap();
        assert_eq!(e.actor.kind.as_deref(), Some("service"));
        assert!(e.person_hints.is_empty());
    }

    #[test]
    fn needs_time_and_action() {
        let v = json!({"actor": "cat", "action": "hook.create", "org": "my-org"});
        assert_eq!(normalize_value(Source::Github, &v).unwrap_err().to_string(), "missing field `created_at`");
        let v = json!({"actor": "cat", "created_at": 1});
        assert_eq!(normalize_value(Source::Github, &v).unwrap_err().to_string(), "missing field `action`");
    }
}
