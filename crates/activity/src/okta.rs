/*!
Okta System Log: `LogEvent` objects as `/api/v1/logs` returns them (and as the simulator writes them).

Okta fills every key and writes `null`, or the word `unknown`, for what it does not know (the
actor of a sign-in with a login nobody has is `{"id": "unknown", "alternateId": "<what was
typed>"}`), so `unknown` counts as absent here. The typed login stays as the actor's login: a
failed sign-in for an existing user must land on that user's timeline.
*/

use crate::category::*;
use crate::error::ParseError;
use crate::event::{Actor, Event, Location, PersonHintKind, RawJson, Source, Target, push_hint};
use crate::json::{at, f64_at, ip, required_time, str_at, text_at};
use crate::mapping::{Rule, lookup};
use crate::ocsf::{self, *};
use crate::prune::Keep;
use crate::{actor_kind, outcome};
use serde_json::{Map, Value, json};

/// Okta `eventType` → category and OCSF activity. Types are from Okta's event catalogue
/// (`reference/okta-api.md` §7); the prefixes catch the rest of each family.
pub(crate) const RULES: &[Rule] = &[
    // Sign-in and sessions.
    ("user.session.start", AUTHENTICATION, AUTHN_LOGON),
    ("user.session.end", SESSION, AUTHN_LOGOFF),
    ("user.session.clear", SESSION, AUTHN_LOGOFF),
    ("user.session.expire", SESSION, AUTHN_LOGOFF),
    ("user.session.access_admin_app", AUTHENTICATION, AUTHN_LOGON),
    ("user.session.context.change", SESSION, AUTHN_OTHER),
    ("user.session.impersonation.grant", PRIVILEGE, ACCESS_ASSIGN),
    ("user.session.impersonation.revoke", PRIVILEGE, ACCESS_REVOKE),
    ("user.session.impersonation.extend", PRIVILEGE, ACCESS_OTHER),
    ("user.session.impersonation.initiate", SESSION, AUTHN_LOGON),
    ("user.session.impersonation.end", SESSION, AUTHN_LOGOFF),
    ("user.session.*", SESSION, AUTHN_OTHER),
    ("user.authentication.*", AUTHENTICATION, AUTHN_LOGON),
    ("user.authentication.auth_via_mfa", MFA, AUTHN_LOGON),
    ("policy.evaluate_sign_on", AUTHENTICATION, AUTHN_OTHER),
    ("application.policy.sign_on.deny_access", AUTHENTICATION, WEB_ACCESS_DENY),
    ("app.generic.unauth_app_access_attempt", AUTHENTICATION, WEB_ACCESS_DENY),
    ("app.oauth2.authorize*", AUTHENTICATION, AUTHN_TICKET),
    ("app.oauth2.token.grant*", AUTHENTICATION, AUTHN_TICKET),
    ("app.oauth2.as.token.grant*", AUTHENTICATION, AUTHN_TICKET),
    ("app.oauth2.as.authorize*", AUTHENTICATION, AUTHN_TICKET),
    // MFA.
    ("user.mfa.*", MFA, AUTHN_OTHER),
    ("user.mfa.okta_verify.deny_push", MFA, AUTHN_LOGON),
    ("system.push.send_factor_verify_push", MFA, AUTHN_OTHER),
    ("user.mfa.factor.*", MFA, ACCOUNT_OTHER),
    ("user.mfa.factor.activate", MFA, ACCOUNT_MFA_ENABLE),
    ("user.mfa.factor.unsuspend", MFA, ACCOUNT_MFA_ENABLE),
    ("user.mfa.factor.deactivate", MFA, ACCOUNT_MFA_DISABLE),
    ("user.mfa.factor.reset_all", MFA, ACCOUNT_MFA_DISABLE),
    ("user.mfa.factor.suspend", MFA, ACCOUNT_MFA_DISABLE),
    ("system.mfa.factor.activate", POLICY, ENTITY_ACTIVATE),
    ("system.mfa.factor.deactivate", POLICY, ENTITY_DEACTIVATE),
    ("security.authenticator.lifecycle.create", POLICY, ENTITY_CREATE),
    ("security.authenticator.lifecycle.activate", POLICY, ENTITY_ACTIVATE),
    ("security.authenticator.lifecycle.deactivate", POLICY, ENTITY_DEACTIVATE),
    ("security.authenticator.lifecycle.update", POLICY, ENTITY_UPDATE),
    // Accounts.
    ("user.*", ACCOUNT, ACCOUNT_OTHER),
    ("user.lifecycle.create", ACCOUNT, ACCOUNT_CREATE),
    ("user.lifecycle.activate", ACCOUNT, ACCOUNT_ENABLE),
    ("user.lifecycle.reactivate", ACCOUNT, ACCOUNT_ENABLE),
    ("user.lifecycle.unsuspend", ACCOUNT, ACCOUNT_ENABLE),
    ("user.lifecycle.deactivate", ACCOUNT, ACCOUNT_DISABLE),
    ("user.lifecycle.suspend", ACCOUNT, ACCOUNT_DISABLE),
    ("user.lifecycle.delete.*", ACCOUNT, ACCOUNT_DELETE),
    ("user.account.reset_password", ACCOUNT, ACCOUNT_PASSWORD_RESET),
    ("user.account.update_password", ACCOUNT, ACCOUNT_PASSWORD_CHANGE),
    ("user.account.lock", ACCOUNT, ACCOUNT_LOCK),
    ("user.account.lock.limit", ACCOUNT, ACCOUNT_LOCK),
    ("user.account.unlock", ACCOUNT, ACCOUNT_UNLOCK),
    ("user.account.unlock_by_admin", ACCOUNT, ACCOUNT_UNLOCK),
    ("user.account.access_support_user_app", SESSION, AUTHN_LOGON),
    // Admin privilege.
    ("user.account.privilege.grant", PRIVILEGE, ACCESS_ASSIGN),
    ("user.account.privilege.revoke", PRIVILEGE, ACCESS_REVOKE),
    ("group.privilege.grant", PRIVILEGE, GROUP_ASSIGN_PRIVILEGES),
    ("group.privilege.revoke", PRIVILEGE, GROUP_REVOKE_PRIVILEGES),
    ("app.oauth2.client.privilege.grant", PRIVILEGE, ACCESS_ASSIGN),
    ("app.oauth2.client.privilege.revoke", PRIVILEGE, ACCESS_REVOKE),
    ("app.oauth2.admin.consent.grant", PRIVILEGE, ACCESS_ASSIGN),
    ("app.oauth2.admin.consent.revoke", PRIVILEGE, ACCESS_REVOKE),
    ("iam.*", PRIVILEGE, ENTITY_OTHER),
    ("iam.role.create", PRIVILEGE, ENTITY_CREATE),
    ("iam.role.update", PRIVILEGE, ENTITY_UPDATE),
    ("iam.role.delete", PRIVILEGE, ENTITY_DELETE),
    ("iam.resourceset.create", PRIVILEGE, ENTITY_CREATE),
    ("iam.resourceset.update", PRIVILEGE, ENTITY_UPDATE),
    ("iam.resourceset.delete", PRIVILEGE, ENTITY_DELETE),
    ("iam.resourceset.bindings.add", PRIVILEGE, ACCESS_ASSIGN),
    ("iam.resourceset.bindings.delete", PRIVILEGE, ACCESS_REVOKE),
    ("support.org.update", CONFIGURATION, ENTITY_UPDATE),
    // Groups.
    ("group.*", GROUP, GROUP_OTHER),
    ("group.user_membership.add", GROUP, GROUP_ADD_USER),
    ("group.user_membership.remove", GROUP, GROUP_REMOVE_USER),
    ("group.lifecycle.create", GROUP, GROUP_CREATE),
    ("group.lifecycle.delete", GROUP, GROUP_DELETE),
    ("group.application_assignment.add", APPLICATION, GROUP_ASSIGN_PRIVILEGES),
    ("group.application_assignment.remove", APPLICATION, GROUP_REVOKE_PRIVILEGES),
    // Applications.
    ("application.*", APPLICATION, ENTITY_OTHER),
    ("application.lifecycle.create", APPLICATION, ENTITY_CREATE),
    ("application.lifecycle.update", APPLICATION, ENTITY_UPDATE),
    ("application.lifecycle.delete", APPLICATION, ENTITY_DELETE),
    ("application.lifecycle.activate", APPLICATION, ENTITY_ACTIVATE),
    ("application.lifecycle.deactivate", APPLICATION, ENTITY_DEACTIVATE),
    ("application.user_membership.add", APPLICATION, ACCESS_ASSIGN),
    ("application.user_membership.remove", APPLICATION, ACCESS_REVOKE),
    ("application.user_membership.show_password", DATA_ACCESS, ENTITY_READ),
    ("application.policy.*", POLICY, ENTITY_UPDATE),
    ("app.*", APPLICATION, ENTITY_OTHER),
    ("app.oauth2.client.lifecycle.create", APPLICATION, ENTITY_CREATE),
    ("app.oauth2.client.lifecycle.update", APPLICATION, ENTITY_UPDATE),
    ("app.oauth2.client.lifecycle.delete", APPLICATION, ENTITY_DELETE),
    ("app.oauth2.client.lifecycle.activate", APPLICATION, ENTITY_ACTIVATE),
    ("app.oauth2.client.lifecycle.deactivate", APPLICATION, ENTITY_DEACTIVATE),
    ("app.oauth2.credentials.*", API_TOKEN, ENTITY_OTHER),
    ("app.oauth2.credentials.lifecycle.create", API_TOKEN, ENTITY_CREATE),
    ("app.oauth2.credentials.lifecycle.delete", API_TOKEN, ENTITY_DELETE),
    ("app.oauth2.credentials.lifecycle.activate", API_TOKEN, ENTITY_ACTIVATE),
    ("app.oauth2.credentials.lifecycle.deactivate", API_TOKEN, ENTITY_DEACTIVATE),
    ("app.oauth2.client.read_client_secret", API_TOKEN, ENTITY_READ),
    ("app.oauth2.as.key.rollover", CONFIGURATION, ENTITY_UPDATE),
    ("app.oauth2.key.rollover", CONFIGURATION, ENTITY_UPDATE),
    // API tokens.
    ("system.api_token.*", API_TOKEN, ENTITY_OTHER),
    ("system.api_token.create", API_TOKEN, ENTITY_CREATE),
    ("system.api_token.revoke", API_TOKEN, ENTITY_DELETE),
    ("system.api_token.update", API_TOKEN, ENTITY_UPDATE),
    ("system.api_token.enable", API_TOKEN, ENTITY_ENABLE),
    ("system.api_token.request_outside_allowed_range", API_TOKEN, AUTHN_LOGON),
    // Policies and network zones.
    ("policy.*", POLICY, ENTITY_OTHER),
    ("policy.lifecycle.create", POLICY, ENTITY_CREATE),
    ("policy.lifecycle.update", POLICY, ENTITY_UPDATE),
    ("policy.lifecycle.overwrite", POLICY, ENTITY_UPDATE),
    ("policy.lifecycle.delete", POLICY, ENTITY_DELETE),
    ("policy.lifecycle.activate", POLICY, ENTITY_ACTIVATE),
    ("policy.lifecycle.deactivate", POLICY, ENTITY_DEACTIVATE),
    ("policy.rule.add", POLICY, ENTITY_CREATE),
    ("policy.rule.update", POLICY, ENTITY_UPDATE),
    ("policy.rule.delete", POLICY, ENTITY_DELETE),
    ("policy.rule.activate", POLICY, ENTITY_ACTIVATE),
    ("policy.rule.deactivate", POLICY, ENTITY_DEACTIVATE),
    ("policy.rule.invalidate", POLICY, ENTITY_DEACTIVATE),
    ("zone.*", POLICY, ENTITY_OTHER),
    ("zone.create", POLICY, ENTITY_CREATE),
    ("zone.update", POLICY, ENTITY_UPDATE),
    ("zone.delete", POLICY, ENTITY_DELETE),
    ("zone.activate", POLICY, ENTITY_ACTIVATE),
    ("zone.deactivate", POLICY, ENTITY_DEACTIVATE),
    ("security.zone.*", POLICY, ENTITY_UPDATE),
    ("network_zone.*", POLICY, ENTITY_OTHER),
    // Threats, risk and abuse signals (Okta's own findings).
    ("security.threat.detected", THREAT, FINDING_CREATE),
    ("security.request.blocked", THREAT, FINDING_CREATE),
    ("security.attack.start", THREAT, FINDING_CREATE),
    ("security.attack.end", THREAT, FINDING_CLOSE),
    ("security.breached_credential.detected", THREAT, FINDING_CREATE),
    ("security.session.detect_client_roaming", THREAT, FINDING_CREATE),
    ("security.events.provider.receive_event", THREAT, FINDING_CREATE),
    ("user.risk.*", THREAT, FINDING_CREATE),
    ("user.account.report_suspicious_activity_by_enduser", THREAT, FINDING_CREATE),
    ("app.oauth2.token.detect_reuse", THREAT, FINDING_CREATE),
    ("app.oauth2.as.token.detect_reuse", THREAT, FINDING_CREATE),
    ("system.org.rate_limit.*", THREAT, FINDING_CREATE),
    ("system.operation.rate_limit.*", THREAT, FINDING_CREATE),
    ("system.client.rate_limit.*", THREAT, FINDING_CREATE),
    ("system.client.concurrency_rate_limit.*", THREAT, FINDING_CREATE),
    ("application.integration.rate_limit_exceeded", THREAT, FINDING_CREATE),
    // Org configuration: IdPs, authorization servers, hooks, log streams, features, agents.
    ("security.*", CONFIGURATION, ENTITY_UPDATE),
    ("system.*", CONFIGURATION, ENTITY_OTHER),
    ("system.idp.lifecycle.create", CONFIGURATION, ENTITY_CREATE),
    ("system.idp.lifecycle.update", CONFIGURATION, ENTITY_UPDATE),
    ("system.idp.lifecycle.delete", CONFIGURATION, ENTITY_DELETE),
    ("system.idp.lifecycle.activate", CONFIGURATION, ENTITY_ACTIVATE),
    ("system.idp.lifecycle.deactivate", CONFIGURATION, ENTITY_DEACTIVATE),
    ("system.idp.lifecycle.read_client_secret", CONFIGURATION, ENTITY_READ),
    ("system.log_stream.lifecycle.create", CONFIGURATION, ENTITY_CREATE),
    ("system.log_stream.lifecycle.update", CONFIGURATION, ENTITY_UPDATE),
    ("system.log_stream.lifecycle.delete", CONFIGURATION, ENTITY_DELETE),
    ("system.log_stream.lifecycle.activate", CONFIGURATION, ENTITY_ACTIVATE),
    ("system.log_stream.lifecycle.deactivate", CONFIGURATION, ENTITY_DEACTIVATE),
    ("system.feature.enable", CONFIGURATION, ENTITY_ENABLE),
    ("system.feature.disable", CONFIGURATION, ENTITY_DISABLE),
    ("oauth2.*", CONFIGURATION, ENTITY_OTHER),
    ("oauth2.as.created", CONFIGURATION, ENTITY_CREATE),
    ("oauth2.as.updated", CONFIGURATION, ENTITY_UPDATE),
    ("oauth2.as.deleted", CONFIGURATION, ENTITY_DELETE),
    ("oauth2.as.activated", CONFIGURATION, ENTITY_ACTIVATE),
    ("oauth2.as.deactivated", CONFIGURATION, ENTITY_DEACTIVATE),
    ("event_hook.*", CONFIGURATION, ENTITY_OTHER),
    ("event_hook.created", CONFIGURATION, ENTITY_CREATE),
    ("event_hook.updated", CONFIGURATION, ENTITY_UPDATE),
    ("event_hook.deleted", CONFIGURATION, ENTITY_DELETE),
    ("event_hook.activated", CONFIGURATION, ENTITY_ACTIVATE),
    ("event_hook.deactivated", CONFIGURATION, ENTITY_DEACTIVATE),
    ("inline_hook.*", CONFIGURATION, ENTITY_OTHER),
];

/// What a type no row matches becomes.
const FALLBACK: (&str, Activity) = (OTHER, BASE_OTHER);

/// `outcome.result` → our outcome. `RATE_LIMIT` and `UNANSWERED` (a push nobody approved) did
/// not let the request through; `CHALLENGE` and the deferred states are decisions still open.
const OUTCOMES: &[(&str, &str)] = &[
    ("SUCCESS", outcome::SUCCESS),
    ("ALLOW", outcome::SUCCESS),
    ("FAILURE", outcome::FAILURE),
    ("DENY", outcome::FAILURE),
    ("RATE_LIMIT", outcome::FAILURE),
    ("UNANSWERED", outcome::FAILURE),
    ("CHALLENGE", outcome::UNKNOWN),
    ("UNKNOWN", outcome::UNKNOWN),
    ("SKIPPED", outcome::UNKNOWN),
    ("DEFERRED", outcome::UNKNOWN),
    ("SCHEDULED", outcome::UNKNOWN),
    ("ABANDONED", outcome::UNKNOWN),
];

/// `actor.type` → our actor kind.
const ACTOR_KINDS: &[(&str, &str)] = &[
    ("User", actor_kind::USER),
    ("PublicClientApp", actor_kind::SERVICE),
    ("AppInstance", actor_kind::SERVICE),
    ("Client", actor_kind::SERVICE),
    ("OAuth2Client", actor_kind::SERVICE),
    ("SystemPrincipal", actor_kind::SYSTEM),
    ("IP address", actor_kind::IP),
];

/// The LogEvent fields this module reads, as Okta's field dictionary names them (checked against
/// `okta-log-fields.csv` in the tests).
#[cfg(test)]
pub(crate) const FIELDS: &[&str] = &[
    "uuid",
    "published",
    "eventType",
    "severity",
    "displayMessage",
    "actor.id",
    "actor.type",
    "actor.alternateId",
    "actor.displayName",
    "client.ipAddress",
    "client.userAgent.rawUserAgent",
    "client.geographicalContext.city",
    "client.geographicalContext.state",
    "client.geographicalContext.country",
    "client.geographicalContext.geolocation.lat",
    "client.geographicalContext.geolocation.lon",
    "request.ipChain.ip",
    "securityContext.asNumber",
    "securityContext.asOrg",
    "authenticationContext.externalSessionId",
    "authenticationContext.rootSessionId",
    "outcome.result",
    "outcome.reason",
    "target.id",
    "target.type",
    "target.alternateId",
    "target.displayName",
];

/// The parts of a LogEvent [`normalize`] reads; the parser keeps these and skips the rest (see
/// `prune.rs`). A test checks that normalising the pruned event gives what the whole one gives.
pub(crate) const READS: &[(&str, Keep)] = &[
    ("uuid", Keep::Whole),
    ("published", Keep::Whole),
    ("eventType", Keep::Whole),
    ("severity", Keep::Whole),
    ("displayMessage", Keep::Whole),
    ("actor", Keep::Fields(NAMED_OBJECT)),
    ("target", Keep::Fields(NAMED_OBJECT)),
    (
        "client",
        Keep::Fields(&[
            ("ipAddress", Keep::Whole),
            ("userAgent", Keep::Fields(&[("rawUserAgent", Keep::Whole)])),
            ("geographicalContext", Keep::Whole),
        ]),
    ),
    (
        "request",
        Keep::Fields(&[("ipChain", Keep::Fields(&[("ip", Keep::Whole), ("geographicalContext", Keep::Whole)]))]),
    ),
    ("securityContext", Keep::Fields(&[("asNumber", Keep::Whole), ("asOrg", Keep::Whole)])),
    ("authenticationContext", Keep::Fields(&[("externalSessionId", Keep::Whole), ("rootSessionId", Keep::Whole)])),
    (
        "debugContext",
        Keep::Fields(&[(
            "debugData",
            Keep::Fields(&[
                ("rootSessionId", Keep::Whole),
                ("factor", Keep::Whole),
                ("privilegeGranted", Keep::Whole),
                ("threatDetections", Keep::Whole),
            ]),
        )]),
    ),
    ("outcome", Keep::Fields(&[("result", Keep::Whole), ("reason", Keep::Whole)])),
];

/// An actor or a target.
const NAMED_OBJECT: &[(&str, Keep)] =
    &[("id", Keep::Whole), ("type", Keep::Whole), ("alternateId", Keep::Whole), ("displayName", Keep::Whole)];

/// Okta's placeholder for what it does not know.
fn known(s: &str) -> bool {
    !s.eq_ignore_ascii_case("unknown")
}

/// `v` is the event as [`READS`] prunes it (or whole); `raw` is all of it.
pub(crate) fn normalize(v: &Value, raw: RawJson) -> Result<Event, ParseError> {
    let time = required_time(v, &["published"], "published")?;
    let event_type = str_at(v, &["eventType"]).ok_or_else(|| ParseError::missing("eventType"))?;
    let (category, activity) = lookup(RULES, event_type).unwrap_or(FALLBACK);

    let result = str_at(v, &["outcome", "result"]);
    let outcome = result
        .and_then(|r| OUTCOMES.iter().find(|(word, _)| word.eq_ignore_ascii_case(r)))
        .map_or(outcome::UNKNOWN, |(_, o)| *o);

    let actor_type = str_at(v, &["actor", "type"]);
    let actor = Actor {
        id: str_at(v, &["actor", "id"]).filter(|s| known(s)).map(str::to_string),
        kind: actor_type.map(|t| {
            ACTOR_KINDS
                .iter()
                .find(|(okta, _)| okta.eq_ignore_ascii_case(t))
                .map_or(actor_kind::OTHER, |(_, k)| k)
                .into()
        }),
        login: str_at(v, &["actor", "alternateId"]).filter(|s| known(s)).map(str::to_string),
        display_name: str_at(v, &["actor", "displayName"]).filter(|s| known(s)).map(str::to_string),
    };
    let mut hints = Vec::new();
    if actor.kind.as_deref() == Some(actor_kind::USER) {
        if let Some(login) = &actor.login {
            push_hint(&mut hints, PersonHintKind::OktaLogin, login);
        }
        if let Some(id) = &actor.id {
            push_hint(&mut hints, PersonHintKind::OktaUserId, id);
        }
    }

    let targets =
        at(v, &["target"]).and_then(Value::as_array).map_or_else(Vec::new, |ts| ts.iter().map(target).collect());

    let first_hop = at(v, &["request", "ipChain"]).and_then(Value::as_array).and_then(|chain| chain.first());
    let ip = str_at(v, &["client", "ipAddress"])
        .and_then(ip)
        .or_else(|| first_hop.and_then(|hop| str_at(hop, &["ip"])).and_then(ip));
    let location = at(v, &["client", "geographicalContext"])
        .and_then(location)
        .or_else(|| first_hop.and_then(|hop| at(hop, &["geographicalContext"])).and_then(location));
    let session = str_at(v, &["authenticationContext", "externalSessionId"])
        .or_else(|| str_at(v, &["authenticationContext", "rootSessionId"]))
        .or_else(|| str_at(v, &["debugContext", "debugData", "rootSessionId"]))
        .filter(|s| known(s))
        .map(str::to_string);

    // Okta always writes a display message; rule-test events sometimes leave it out.
    let message = str_at(v, &["displayMessage"]).map_or_else(
        || format!("{event_type} by {}", actor.login.as_deref().or(actor.display_name.as_deref()).unwrap_or("unknown")),
        str::to_string,
    );
    let mut event = Event {
        // The id of an event without one is a digest of all of it, not only of what was kept.
        uuid: str_at(v, &["uuid"])
            .map_or_else(|| crate::stable_id(&serde_json::from_str(raw.get()).unwrap_or_default()), str::to_string),
        source: Source::Okta,
        time,
        event_type: event_type.to_string(),
        category,
        outcome,
        outcome_reason: str_at(v, &["outcome", "reason"]).map(str::to_string),
        severity: str_at(v, &["severity"]).map(str::to_string),
        actor,
        person_hints: hints,
        targets,
        ip,
        location,
        asn: text_at(v, &["securityContext", "asNumber"]).or_else(|| text_at(v, &["securityContext", "asOrg"])),
        user_agent: str_at(v, &["client", "userAgent", "rawUserAgent"]).map(str::to_string),
        session,
        message: Some(message),
        tenant: None,
        ocsf: Event::no_ocsf(),
        raw,
    };
    let original_time = str_at(v, &["published"]).map(str::to_string);
    event.ocsf = ocsf::build(&event, activity, original_time, extra(v, &event, activity));
    Ok(event)
}

fn target(t: &Value) -> Target {
    let name =
        str_at(t, &["alternateId"]).filter(|s| known(s)).or_else(|| str_at(t, &["displayName"]).filter(|s| known(s)));
    Target {
        id: str_at(t, &["id"]).filter(|s| known(s)).map(str::to_string),
        kind: str_at(t, &["type"]).map(str::to_string),
        name: name.map(str::to_string),
    }
}

fn location(geo: &Value) -> Option<Location> {
    let loc = Location {
        city: str_at(geo, &["city"]).map(str::to_string),
        state: str_at(geo, &["state"]).map(str::to_string),
        country: str_at(geo, &["country"]).map(str::to_string),
        latitude: f64_at(geo, &["geolocation", "lat"]),
        longitude: f64_at(geo, &["geolocation", "lon"]),
    };
    (loc != Location::default()).then_some(loc)
}

/// A `debugData` value that Okta writes as JSON, either as an object or as a string holding one.
fn embedded_json(v: &Value) -> Option<Value> {
    match v {
        Value::String(s) => serde_json::from_str(s).ok(),
        Value::Object(_) => Some(v.clone()),
        _ => None,
    }
}

/// What only an Okta event knows, in OCSF terms.
fn extra(v: &Value, event: &Event, activity: Activity) -> Map<String, Value> {
    let mut extra = Map::new();
    let as_org = str_at(v, &["securityContext", "asOrg"]);
    if let (Some(org), Some(number)) = (as_org, f64_at(v, &["securityContext", "asNumber"])) {
        extra.insert("src_endpoint".into(), json!({ "autonomous_system": { "number": number as u64, "name": org } }));
    }
    if activity.class == class::AUTHENTICATION {
        let mfa = event.category == MFA || str_at(v, &["debugContext", "debugData", "factor"]).is_some();
        extra.insert("is_mfa".into(), mfa.into());
    }
    if activity.class == class::USER_ACCESS
        && let Some(granted) = str_at(v, &["debugContext", "debugData", "privilegeGranted"])
    {
        let privileges: Vec<&str> = granted.split(", ").map(str::trim).filter(|p| !p.is_empty()).collect();
        extra.insert("privileges".into(), privileges.into());
    }
    if activity.class == class::DETECTION_FINDING {
        let detections = at(v, &["debugContext", "debugData", "threatDetections"]).and_then(embedded_json);
        if let Some(Value::Object(found)) = detections {
            let mut types = vec![Value::from(event.event_type.as_str())];
            types.extend(found.keys().map(|k| Value::from(k.as_str())));
            let mut info = ocsf::finding_info(event);
            info.insert("types".into(), types.into());
            extra.insert("finding_info".into(), info.into());
        }
    }
    extra
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::check_table;
    use crate::normalize_value;
    use serde_json::json;

    fn sign_in_failure() -> Value {
        json!({
            "uuid": "5f2b1c9e-0c8a-4c8e-9a47-111111111111",
            "published": "2026-03-02T09:00:01.234Z",
            "eventType": "user.session.start",
            "version": "0",
            "severity": "INFO",
            "legacyEventType": "core.user_auth.login_failed",
            "displayMessage": "User login to Okta",
            "actor": {"id": "00u00000000000000002", "type": "User", "alternateId": "alan.turing2@acme.example",
                      "displayName": "Alan Turing", "detailEntry": null},
            "client": {"userAgent": {"rawUserAgent": "curl/8.5.0", "os": "Unknown", "browser": "UNKNOWN"},
                       "zone": "null", "device": "Unknown", "id": null, "ipAddress": "98.213.10.20",
                       "geographicalContext": {"city": "Chicago", "state": "Illinois", "country": "United States",
                                               "postalCode": "60601", "geolocation": {"lat": 41.88, "lon": -87.63}}},
            "device": null,
            "authenticationContext": {"authenticationProvider": "OKTA_AUTHENTICATION_PROVIDER",
                                      "credentialProvider": "OKTA_CREDENTIAL_PROVIDER", "credentialType": "PASSWORD",
                                      "issuer": null, "interface": null, "authenticationStep": 0,
                                      "externalSessionId": "102abc", "rootSessionId": "102abc"},
            "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"},
            "target": [{"id": "00u00000000000000002", "type": "User", "alternateId": "alan.turing2@acme.example",
                        "displayName": "Alan Turing", "detailEntry": null}],
            "transaction": {"type": "WEB", "id": "abc", "detail": {}},
            "debugContext": {"debugData": {"requestId": "abc", "threatSuspected": "false"}},
            "request": {"ipChain": [{"ip": "98.213.10.20", "version": "V4", "source": null}]},
            "securityContext": {"asNumber": 7922, "asOrg": "comcast", "isp": "comcast", "domain": "comcast.net",
                                "isProxy": false}
        })
    }

    fn lower_case_keys(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.to_ascii_lowercase(), lower_case_keys(v))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(lower_case_keys).collect()),
            other => other.clone(),
        }
    }

    /// Normalising the pruned event gives exactly what normalising the whole one gives: for every
    /// fixture, the same with keys lower-cased (as some pipelines write them), and without `uuid`.
    #[test]
    fn pruning_keeps_everything_the_mapping_reads() {
        let mut events = vec![sign_in_failure()];
        let lines = include_str!("../tests/fixtures/okta-system-log/panther-rule-tests.ndjson");
        events.extend(lines.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()));
        let demisto: Value = serde_json::from_str(include_str!(
            "../tests/fixtures/okta-system-log/demisto-group-membership-remove.json"
        ))
        .unwrap();
        events.extend(demisto.as_array().cloned().unwrap_or_else(|| vec![demisto.clone()]));
        let variants: Vec<Value> = events
            .iter()
            .flat_map(|e| {
                let mut without_uuid = e.clone();
                without_uuid.as_object_mut().unwrap().remove("uuid");
                [e.clone(), lower_case_keys(e), without_uuid]
            })
            .collect();
        assert!(variants.len() > 250);
        for event in &variants {
            let text = event.to_string();
            let raw = RawJson::parsed(text.clone());
            let pruned = crate::prune::parse(&text, READS).unwrap();
            let from_pruned = normalize(&pruned, raw.clone());
            let from_whole = normalize(event, raw);
            assert_eq!(format!("{from_pruned:?}"), format!("{from_whole:?}"), "{text}");
        }
    }

    #[test]
    fn every_field_read_is_kept() {
        for field in FIELDS {
            assert!(crate::prune::keeps(READS, &field.split('.').collect::<Vec<_>>()), "{field}");
        }
    }

    #[test]
    fn table_is_well_formed() {
        check_table("okta", RULES);
    }

    /// Every field read here is one Okta documents (in Okta's own field dictionary, whose names
    /// are capitalised loosely and spell `ipAddress` as `ipAdress`); `uuid` is in the LogEvent
    /// schema but not in the dictionary.
    #[test]
    fn fields_read_are_in_oktas_dictionary() {
        let csv = include_str!("../tests/fixtures/okta-system-log/okta-log-fields.csv");
        let documented: std::collections::HashSet<String> = csv
            .lines()
            .filter_map(|line| line.split_once(',').map(|(field, _)| field))
            .filter(|field| !field.is_empty() && !field.contains(' '))
            .map(|field| field.to_ascii_lowercase().replace("/region", "").replace("ipadress", "ipaddress"))
            .collect();
        for field in FIELDS.iter().filter(|f| **f != "uuid") {
            assert!(documented.contains(&field.to_ascii_lowercase()), "{field} is not in okta-log-fields.csv");
        }
    }

    #[test]
    fn types_map_to_their_family() {
        let cases = [
            ("user.session.start", AUTHENTICATION, AUTHN_LOGON),
            ("user.authentication.sso", AUTHENTICATION, AUTHN_LOGON),
            ("user.authentication.auth_via_mfa", MFA, AUTHN_LOGON),
            ("user.mfa.factor.deactivate", MFA, ACCOUNT_MFA_DISABLE),
            ("user.mfa.factor.update", MFA, ACCOUNT_OTHER),
            ("user.account.lock", ACCOUNT, ACCOUNT_LOCK),
            ("user.account.update_profile", ACCOUNT, ACCOUNT_OTHER),
            ("user.lifecycle.delete.completed", ACCOUNT, ACCOUNT_DELETE),
            ("group.user_membership.remove", GROUP, GROUP_REMOVE_USER),
            ("group.privilege.grant", PRIVILEGE, GROUP_ASSIGN_PRIVILEGES),
            ("system.api_token.create", API_TOKEN, ENTITY_CREATE),
            ("policy.rule.delete", POLICY, ENTITY_DELETE),
            ("zone.deactivate", POLICY, ENTITY_DEACTIVATE),
            ("security.threat.detected", THREAT, FINDING_CREATE),
            ("system.operation.rate_limit.violation", THREAT, FINDING_CREATE),
            ("system.idp.lifecycle.create", CONFIGURATION, ENTITY_CREATE),
            ("system.log_stream.lifecycle.deactivate", CONFIGURATION, ENTITY_DEACTIVATE),
            ("app.oauth2.as.token.grant.access_token", AUTHENTICATION, AUTHN_TICKET),
            ("app.oauth2.token.detect_reuse", THREAT, FINDING_CREATE),
            ("application.user_membership.show_password", DATA_ACCESS, ENTITY_READ),
        ];
        for (event_type, category, activity) in cases {
            assert_eq!(lookup(RULES, event_type), Some((category, activity)), "{event_type}");
        }
        assert_eq!(lookup(RULES, "logout"), None);
    }

    #[test]
    fn failed_sign_in() {
        let e = normalize_value(Source::Okta, &sign_in_failure()).unwrap();
        assert_eq!(e.uuid, "5f2b1c9e-0c8a-4c8e-9a47-111111111111");
        assert_eq!(e.time.timestamp_millis(), 1772442001234);
        assert_eq!((e.category, e.outcome), (AUTHENTICATION, outcome::FAILURE));
        assert_eq!(e.outcome_reason.as_deref(), Some("INVALID_CREDENTIALS"));
        assert_eq!(e.actor.login.as_deref(), Some("alan.turing2@acme.example"));
        assert_eq!(e.actor.kind.as_deref(), Some("user"));
        assert_eq!(e.ip.as_deref(), Some("98.213.10.20"));
        let loc = e.location.as_ref().unwrap();
        assert_eq!((loc.city.as_deref(), loc.country.as_deref()), (Some("Chicago"), Some("United States")));
        assert_eq!(loc.latitude, Some(41.88));
        assert_eq!(e.asn.as_deref(), Some("7922"));
        assert_eq!(e.session.as_deref(), Some("102abc"));
        assert_eq!(e.user_agent.as_deref(), Some("curl/8.5.0"));
        assert_eq!(e.message.as_deref(), Some("User login to Okta"));
        assert_eq!(e.person_hints.len(), 2);
        let o = &e.ocsf_value();
        assert_eq!(
            (o["class_uid"].as_u64(), o["activity_id"].as_u64(), o["type_uid"].as_u64()),
            (Some(3002), Some(1), Some(300201))
        );
        assert_eq!(o["status"], "Failure");
        assert_eq!(o["status_detail"], "INVALID_CREDENTIALS");
        assert_eq!(o["src_endpoint"]["autonomous_system"], json!({"number": 7922, "name": "comcast"}));
        assert_eq!(o["src_endpoint"]["location"]["coordinates"], json!([-87.63, 41.88]));
        assert_eq!(o["actor"]["user"]["email_addr"], "alan.turing2@acme.example");
        assert_eq!(o["user"]["uid"], "00u00000000000000002");
        assert_eq!(o["is_mfa"], false);
    }

    #[test]
    fn unknown_login_keeps_what_was_typed() {
        let mut v = sign_in_failure();
        v["actor"] = json!({"id": "unknown", "type": "User", "alternateId": "admin", "displayName": "unknown"});
        let e = normalize_value(Source::Okta, &v).unwrap();
        assert_eq!(e.actor.id, None);
        assert_eq!(e.actor.login.as_deref(), Some("admin"));
        assert_eq!(e.actor.display_name, None);
        assert_eq!(e.person_hints, vec![crate::PersonHint::new(PersonHintKind::OktaLogin, "admin")]);
    }

    #[test]
    fn outcomes() {
        for (result, expected) in
            [("ALLOW", "success"), ("DENY", "failure"), ("CHALLENGE", "unknown"), ("SKIPPED", "unknown")]
        {
            let mut v = sign_in_failure();
            v["outcome"]["result"] = result.into();
            assert_eq!(normalize_value(Source::Okta, &v).unwrap().outcome, expected, "{result}");
        }
        let mut v = sign_in_failure();
        v["outcome"] = Value::Null;
        assert_eq!(normalize_value(Source::Okta, &v).unwrap().outcome, "unknown");
    }

    #[test]
    fn needs_published_and_event_type() {
        let mut v = sign_in_failure();
        v.as_object_mut().unwrap().remove("published");
        assert_eq!(normalize_value(Source::Okta, &v).unwrap_err().to_string(), "missing field `published`");
        let mut v = sign_in_failure();
        v["eventType"] = "".into();
        assert_eq!(normalize_value(Source::Okta, &v).unwrap_err().to_string(), "missing field `eventType`");
        let mut v = sign_in_failure();
        v["published"] = "redacted".into();
        assert_eq!(
            normalize_value(Source::Okta, &v).unwrap_err().to_string(),
            "invalid field `published`: not a timestamp: `redacted`"
        );
    }

    #[test]
    fn service_actor_gives_no_person_hints() {
        let mut v = sign_in_failure();
        v["eventType"] = "app.oauth2.as.token.grant.access_token".into();
        v["actor"] = json!({"id": "0oaclientsvc00000001", "type": "PublicClientApp",
                            "alternateId": "0oaclientsvc00000001", "displayName": "Collector"});
        let e = normalize_value(Source::Okta, &v).unwrap();
        assert_eq!(e.actor.kind.as_deref(), Some("service"));
        assert!(e.person_hints.is_empty());
    }

    #[test]
    fn threat_detections_in_either_form() {
        let mut v = sign_in_failure();
        v["eventType"] = "security.threat.detected".into();
        v["actor"] = json!({"id": "1.2.3.4", "type": "IP address", "alternateId": "unknown", "displayName": "1.2.3.4"});
        v["debugContext"]["debugData"]["threatDetections"] = r#"{"Password Spray":"HIGH"}"#.into();
        let e = normalize_value(Source::Okta, &v).unwrap();
        assert_eq!(e.actor.kind.as_deref(), Some("ip"));
        assert_eq!(e.ocsf_value()["class_uid"], 2004);
        assert_eq!(e.ocsf_value()["finding_info"]["types"], json!(["security.threat.detected", "Password Spray"]));
        v["debugContext"]["debugData"]["threatDetections"] = json!({"Login Failures": "MEDIUM"});
        let e = normalize_value(Source::Okta, &v).unwrap();
        assert_eq!(e.ocsf_value()["finding_info"]["types"], json!(["security.threat.detected", "Login Failures"]));
    }

    #[test]
    fn group_membership_names_group_and_user() {
        let mut v = sign_in_failure();
        v["eventType"] = "group.user_membership.add".into();
        v["outcome"] = json!({"result": "SUCCESS", "reason": null});
        v["target"] = json!([
            {"id": "00u1", "type": "User", "alternateId": "ada@acme.example", "displayName": "Ada"},
            {"id": "00g1", "type": "UserGroup", "alternateId": "unknown", "displayName": "Admins"}
        ]);
        let e = normalize_value(Source::Okta, &v).unwrap();
        assert_eq!(
            e.targets[1],
            Target { id: Some("00g1".into()), kind: Some("UserGroup".into()), name: Some("Admins".into()) }
        );
        assert_eq!(e.ocsf_value()["group"], json!({"uid": "00g1", "name": "Admins"}));
        assert_eq!(e.ocsf_value()["user"]["name"], "ada@acme.example");
        assert_eq!(e.ocsf_value()["type_uid"], 300603);
    }
}
