/*!
AWS CloudTrail records, as delivered to S3 (`{"Records": [...]}`, gzipped) or exported one per
line by a SIEM pipeline.

Who acted is in `userIdentity`, whose shape depends on its `type`. People reach AWS three ways,
and each leaves a different clue: an IAM Identity Center role session is named after the user
(the part after the last `/` of the assumed-role ARN); a SAML-federated role session is named by
the IdP (`AssumeRoleWithSAML` carries the NameID as `subject`); an IAM user has only its name.

Only some session names are trustworthy: whoever calls `sts:AssumeRole` chooses the session name,
so a plain role session says who acted only when IAM Identity Center or a SAML IdP named it. Such
sessions (and ones whose name has the shape of an email address, which is how Okta's AWS apps
name them) give an [`PersonHintKind::AwsSessionName`] hint; the person resolver then accepts it
only when it equals an Okta login or email, or as an email address.
*/

use crate::category::*;
use crate::error::ParseError;
use crate::event::{Actor, Event, PersonHint, PersonHintKind, RawJson, Source, Target, push_hint};
use crate::json::{at, ip, looks_like_email, required_time, str_at};
use crate::mapping::{Rule, lookup};
use crate::ocsf::{self, *};
use crate::{actor_kind, outcome};
use serde_json::{Map, Value, json};

/// CloudTrail `eventName` → category and OCSF activity, for the names that matter to identity
/// security. Any other name is an API call on a resource, classed by its verb (see [`VERBS`]).
pub(crate) const RULES: &[Rule] = &[
    // Signing in and getting credentials.
    ("ConsoleLogin", AUTHENTICATION, AUTHN_LOGON),
    ("CheckMfa", MFA, AUTHN_LOGON),
    ("UserAuthentication", AUTHENTICATION, AUTHN_LOGON),
    ("CredentialVerification", AUTHENTICATION, AUTHN_LOGON),
    ("CredentialChallenge", AUTHENTICATION, AUTHN_OTHER),
    ("GetSigninToken", AUTHENTICATION, AUTHN_TICKET),
    ("GetSessionToken", AUTHENTICATION, AUTHN_TICKET),
    ("GetFederationToken", AUTHENTICATION, AUTHN_TICKET),
    ("GetRoleCredentials", AUTHENTICATION, AUTHN_TICKET),
    ("AssumeRoleWithSAML", AUTHENTICATION, AUTHN_LOGON),
    ("AssumeRoleWithWebIdentity", AUTHENTICATION, AUTHN_LOGON),
    ("AssumeRole", SESSION, SESSION_ASSIGN_PRIVILEGES),
    ("AssumeRoot", PRIVILEGE, SESSION_ASSIGN_PRIVILEGES),
    ("SwitchRole", SESSION, SESSION_ASSIGN_PRIVILEGES),
    ("ExitRole", SESSION, AUTHN_LOGOFF),
    ("StartSession", SESSION, API_CREATE),
    // IAM users, roles and groups.
    ("CreateUser", ACCOUNT, ACCOUNT_CREATE),
    ("DeleteUser", ACCOUNT, ACCOUNT_DELETE),
    ("CreateRole", ACCOUNT, ACCOUNT_CREATE),
    ("DeleteRole", ACCOUNT, ACCOUNT_DELETE),
    ("CreateLoginProfile", ACCOUNT, ACCOUNT_PASSWORD_RESET),
    ("UpdateLoginProfile", ACCOUNT, ACCOUNT_PASSWORD_RESET),
    ("DeleteLoginProfile", ACCOUNT, ACCOUNT_DISABLE),
    ("ChangePassword", ACCOUNT, ACCOUNT_PASSWORD_CHANGE),
    ("AddUserToGroup", GROUP, GROUP_ADD_USER),
    ("RemoveUserFromGroup", GROUP, GROUP_REMOVE_USER),
    ("CreateGroup", GROUP, GROUP_CREATE),
    ("DeleteGroup", GROUP, GROUP_DELETE),
    // Privilege: policies on users, roles and groups.
    ("AttachUserPolicy", PRIVILEGE, ACCOUNT_ATTACH_POLICY),
    ("PutUserPolicy", PRIVILEGE, ACCOUNT_ATTACH_POLICY),
    ("DetachUserPolicy", PRIVILEGE, ACCOUNT_DETACH_POLICY),
    ("DeleteUserPolicy", PRIVILEGE, ACCOUNT_DETACH_POLICY),
    ("AttachRolePolicy", PRIVILEGE, ACCOUNT_ATTACH_POLICY),
    ("PutRolePolicy", PRIVILEGE, ACCOUNT_ATTACH_POLICY),
    ("DetachRolePolicy", PRIVILEGE, ACCOUNT_DETACH_POLICY),
    ("DeleteRolePolicy", PRIVILEGE, ACCOUNT_DETACH_POLICY),
    ("AttachGroupPolicy", PRIVILEGE, GROUP_ASSIGN_PRIVILEGES),
    ("PutGroupPolicy", PRIVILEGE, GROUP_ASSIGN_PRIVILEGES),
    ("DetachGroupPolicy", PRIVILEGE, GROUP_REVOKE_PRIVILEGES),
    ("DeleteGroupPolicy", PRIVILEGE, GROUP_REVOKE_PRIVILEGES),
    ("UpdateAssumeRolePolicy", POLICY, ENTITY_UPDATE),
    ("CreatePolicy", POLICY, ENTITY_CREATE),
    ("CreatePolicyVersion", POLICY, ENTITY_UPDATE),
    ("SetDefaultPolicyVersion", POLICY, ENTITY_UPDATE),
    ("DeletePolicy", POLICY, ENTITY_DELETE),
    // Access keys and MFA devices.
    ("CreateAccessKey", API_TOKEN, ENTITY_CREATE),
    ("UpdateAccessKey", API_TOKEN, ENTITY_UPDATE),
    ("DeleteAccessKey", API_TOKEN, ENTITY_DELETE),
    ("EnableMFADevice", MFA, ACCOUNT_MFA_ENABLE),
    ("DeactivateMFADevice", MFA, ACCOUNT_MFA_DISABLE),
    ("CreateVirtualMFADevice", MFA, ENTITY_CREATE),
    ("DeleteVirtualMFADevice", MFA, ACCOUNT_MFA_DISABLE),
    // Audit logging itself.
    ("CreateTrail", CONFIGURATION, API_CREATE),
    ("UpdateTrail", CONFIGURATION, API_UPDATE),
    ("DeleteTrail", CONFIGURATION, API_DELETE),
    ("StartLogging", CONFIGURATION, API_UPDATE),
    ("StopLogging", CONFIGURATION, API_UPDATE),
    ("PutEventSelectors", CONFIGURATION, API_UPDATE),
    // Who may reach what: resource policies and network rules.
    ("PutBucketPolicy", POLICY, API_UPDATE),
    ("DeleteBucketPolicy", POLICY, API_DELETE),
    ("PutBucketAcl", POLICY, API_UPDATE),
    ("PutBucketPublicAccessBlock", POLICY, API_UPDATE),
    ("DeleteBucketPublicAccessBlock", POLICY, API_DELETE),
    ("PutAccountPublicAccessBlock", POLICY, API_UPDATE),
    ("DeleteAccountPublicAccessBlock", POLICY, API_DELETE),
    ("AuthorizeSecurityGroupIngress", POLICY, API_UPDATE),
    ("AuthorizeSecurityGroupEgress", POLICY, API_UPDATE),
    ("RevokeSecurityGroupIngress", POLICY, API_UPDATE),
    ("RevokeSecurityGroupEgress", POLICY, API_UPDATE),
    // Secrets and data.
    ("GetSecretValue", DATA_ACCESS, API_READ),
    ("BatchGetSecretValue", DATA_ACCESS, API_READ),
    ("GetParameter", DATA_ACCESS, API_READ),
    ("GetParameters", DATA_ACCESS, API_READ),
    ("GetParametersByPath", DATA_ACCESS, API_READ),
    ("GetObject", DATA_ACCESS, API_READ),
    ("Decrypt", DATA_ACCESS, API_OTHER),
];

/// The verb that starts an API name → its OCSF API activity, for names not in [`RULES`].
const VERBS: &[(&str, Activity)] = &[
    ("Get", API_READ),
    ("BatchGet", API_READ),
    ("Describe", API_READ),
    ("List", API_READ),
    ("Head", API_READ),
    ("Lookup", API_READ),
    ("Search", API_READ),
    ("Create", API_CREATE),
    ("Add", API_CREATE),
    ("Register", API_CREATE),
    ("Import", API_CREATE),
    ("Run", API_CREATE),
    ("Allocate", API_CREATE),
    ("Update", API_UPDATE),
    ("Put", API_UPDATE),
    ("Modify", API_UPDATE),
    ("Set", API_UPDATE),
    ("Change", API_UPDATE),
    ("Attach", API_UPDATE),
    ("Associate", API_UPDATE),
    ("Enable", API_UPDATE),
    ("Disable", API_UPDATE),
    ("Authorize", API_UPDATE),
    ("Revoke", API_UPDATE),
    ("Delete", API_DELETE),
    ("Remove", API_DELETE),
    ("Terminate", API_DELETE),
    ("Deregister", API_DELETE),
];

/// `userIdentity.type` → our actor kind.
const ACTOR_KINDS: &[(&str, &str)] = &[
    ("Root", actor_kind::USER),
    ("IAMUser", actor_kind::USER),
    ("FederatedUser", actor_kind::USER),
    ("SAMLUser", actor_kind::USER),
    ("WebIdentityUser", actor_kind::USER),
    ("IdentityCenterUser", actor_kind::USER),
    ("AssumedRole", actor_kind::ROLE),
    ("AWSService", actor_kind::SERVICE),
];

/// `requestParameters` keys that name what a call acts on, with CloudTrail's resource type.
const PARAM_TARGETS: &[(&str, &str)] = &[
    ("userName", "AWS::IAM::User"),
    ("roleName", "AWS::IAM::Role"),
    ("roleArn", "AWS::IAM::Role"),
    ("groupName", "AWS::IAM::Group"),
    ("policyArn", "AWS::IAM::Policy"),
    ("principalArn", "AWS::IAM::SAMLProvider"),
    ("bucketName", "AWS::S3::Bucket"),
    ("trailName", "AWS::CloudTrail::Trail"),
    ("groupId", "AWS::EC2::SecurityGroup"),
    ("snapshotId", "AWS::EC2::Snapshot"),
    ("instanceIds", "AWS::EC2::Instance"),
    ("secretId", "AWS::SecretsManager::Secret"),
];

/// What CloudTrail writes in place of a user name that does not exist (failed console sign-ins).
const HIDDEN: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

pub(crate) fn normalize(v: &Value, raw: RawJson) -> Result<Event, ParseError> {
    let time = required_time(v, &["eventTime"], "eventTime")?;
    let name = str_at(v, &["eventName"]).ok_or_else(|| ParseError::missing("eventName"))?;
    let (category, activity) = lookup(RULES, name).unwrap_or_else(|| (RESOURCE, verb_activity(name)));

    let error_code = str_at(v, &["errorCode"]);
    let error_message = str_at(v, &["errorMessage"]);
    let console_failed =
        str_at(v, &["responseElements", "ConsoleLogin"]).is_some_and(|r| r.eq_ignore_ascii_case("Failure"));
    let outcome = if error_code.is_some() || console_failed { outcome::FAILURE } else { outcome::SUCCESS };
    let outcome_reason = match (error_code, error_message) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (code, message) => code.or(message).map(str::to_string),
    };

    let identity = at(v, &["userIdentity"]).unwrap_or(&Value::Null);
    let (actor, mut hints) = actor(identity);
    if name == "AssumeRoleWithSAML" || name == "AssumeRoleWithWebIdentity" {
        federation_hints(v, &mut hints);
    }
    let source_ip = str_at(v, &["sourceIPAddress"]);
    let service = str_at(v, &["eventSource"]);
    let who = actor.login.as_deref().or(actor.id.as_deref()).unwrap_or("unknown identity");
    let mut message = format!("{name} ({}) by {who}", service.unwrap_or("aws"));
    if outcome == outcome::FAILURE {
        message.push_str(" failed");
        if let Some(reason) = &outcome_reason {
            message.push_str(": ");
            message.push_str(reason);
        }
    }

    let mut event = Event {
        uuid: str_at(v, &["eventID"]).map_or_else(|| crate::stable_id(v), str::to_string),
        source: Source::AwsCloudtrail,
        time,
        event_type: name.to_string(),
        category,
        outcome,
        outcome_reason,
        severity: None,
        actor,
        person_hints: hints,
        targets: targets(v),
        ip: source_ip.and_then(ip),
        location: None,
        asn: None,
        user_agent: str_at(v, &["userAgent"]).map(str::to_string),
        // Temporary credentials (`ASIA...`) belong to one session; long-term keys do not.
        session: str_at(identity, &["accessKeyId"]).filter(|k| k.starts_with("ASIA")).map(str::to_string),
        message: Some(message),
        tenant: str_at(v, &["recipientAccountId"]).or_else(|| str_at(identity, &["accountId"])).map(str::to_string),
        ocsf: Event::no_ocsf(),
        raw,
    };
    let mut extra = Map::new();
    let mut api = Map::new();
    api.insert("operation".into(), name.into());
    if let Some(service) = service {
        api.insert("service".into(), json!({ "name": service }));
    }
    if let Some(id) = str_at(v, &["requestID"]) {
        api.insert("request".into(), json!({ "uid": id }));
    }
    if let Some(code) = error_code {
        api.insert("response".into(), json!({ "error": code, "error_message": error_message }));
    }
    extra.insert("api".into(), api.into());
    let mut cloud = Map::new();
    cloud.insert("provider".into(), "AWS".into());
    if let Some(region) = str_at(v, &["awsRegion"]) {
        cloud.insert("region".into(), region.into());
    }
    if let Some(account) = &event.tenant {
        cloud.insert("account".into(), json!({ "uid": account }));
    }
    extra.insert("cloud".into(), cloud.into());
    if let Some(src) = source_ip.filter(|s| ip(s).is_none()) {
        // An AWS service or "AWS Internal" made the call on the actor's behalf.
        let key = if src.contains('.') { "hostname" } else { "svc_name" };
        extra.insert("src_endpoint".into(), json!({ key: src }));
    }
    if activity.class == class::AUTHENTICATION {
        let mfa = str_at(v, &["additionalEventData", "MFAUsed"]).is_some_and(|m| m.eq_ignore_ascii_case("Yes"));
        extra.insert("is_mfa".into(), mfa.into());
    }
    let original_time = str_at(v, &["eventTime"]).map(str::to_string);
    event.ocsf = ocsf::build(&event, activity, original_time, extra);
    Ok(event)
}

fn verb_activity(name: &str) -> Activity {
    VERBS
        .iter()
        .filter(|(verb, _)| {
            name.starts_with(verb) && name[verb.len()..].chars().next().is_none_or(|c| c.is_ascii_uppercase())
        })
        .max_by_key(|(verb, _)| verb.len())
        .map_or(API_OTHER, |(_, activity)| *activity)
}

/// The role name and session name of an assumed-role ARN
/// (`arn:aws:sts::123456789012:assumed-role/ROLE/SESSION`).
fn assumed_role(arn: &str) -> Option<(&str, Option<&str>)> {
    let rest = arn.split_once(":assumed-role/")?.1;
    match rest.split_once('/') {
        Some((role, session)) => Some((role, Some(session).filter(|s| !s.is_empty()))),
        None => Some((rest, None)),
    }
}

/// Whether an assumed role belongs to IAM Identity Center, which names each session after the
/// signed-in user.
fn is_sso_role(role: &str, issuer_arn: Option<&str>) -> bool {
    role.starts_with("AWSReservedSSO_")
        || issuer_arn
            .is_some_and(|arn| arn.contains("/aws-reserved/sso.amazonaws.com/") || arn.contains("AWSReservedSSO_"))
}

fn actor(identity: &Value) -> (Actor, Vec<PersonHint>) {
    let mut hints = Vec::new();
    let kind = str_at(identity, &["type"]);
    let arn = str_at(identity, &["arn"]);
    let principal = str_at(identity, &["principalId"]);
    let user_name = str_at(identity, &["userName"]).filter(|u| *u != HIDDEN);
    let mut actor = Actor {
        id: arn.or(principal).map(str::to_string),
        kind: kind.map(|t| {
            ACTOR_KINDS.iter().find(|(aws, _)| aws.eq_ignore_ascii_case(t)).map_or(actor_kind::OTHER, |(_, k)| k).into()
        }),
        login: user_name.map(str::to_string),
        display_name: None,
    };
    match kind {
        Some("AssumedRole") => {
            let from_principal = principal.and_then(|p| p.split_once(':')).map(|(_, s)| s);
            let (role, session) = match arn.and_then(assumed_role) {
                Some((role, session)) => (Some(role), session.or(from_principal)),
                None => (None, from_principal),
            };
            let issuer = str_at(identity, &["sessionContext", "sessionIssuer", "arn"]);
            let issuer_name = str_at(identity, &["sessionContext", "sessionIssuer", "userName"]);
            let role = role.or(issuer_name);
            actor.login = session.or(role).map(str::to_string);
            actor.display_name = match (role, session) {
                (Some(role), Some(session)) => Some(format!("{role}/{session}")),
                (role, session) => role.or(session).map(str::to_string),
            };
            if let Some(session) = session {
                let sso =
                    role.is_some_and(|r| is_sso_role(r, issuer)) || issuer_name.is_some_and(|r| is_sso_role(r, None));
                if sso || looks_like_email(session) {
                    push_hint(&mut hints, PersonHintKind::AwsSessionName, session);
                }
            }
        }
        Some("IAMUser") => {
            if let Some(user) = user_name {
                push_hint(&mut hints, PersonHintKind::AwsIamUser, user);
            }
        }
        Some("Root") => actor.login = Some("root".into()),
        Some("SAMLUser" | "WebIdentityUser") => {
            if let Some(user) = user_name {
                push_hint(&mut hints, PersonHintKind::SamlNameId, user);
            }
        }
        Some("AWSService") => actor.login = str_at(identity, &["invokedBy"]).map(str::to_string),
        _ => {
            if let Some(user) = user_name.filter(|u| looks_like_email(u)) {
                push_hint(&mut hints, PersonHintKind::Email, user);
            }
        }
    }
    (actor, hints)
}

/// `AssumeRoleWithSAML` (and web identity) responses: the IdP's NameID, and the session name the
/// IdP chose, which later events carry as the assumed role's session.
fn federation_hints(v: &Value, hints: &mut Vec<PersonHint>) {
    if let Some(subject) = str_at(v, &["responseElements", "subject"])
        .or_else(|| str_at(v, &["responseElements", "subjectFromWebIdentityToken"]))
    {
        push_hint(hints, PersonHintKind::SamlNameId, subject);
    }
    let session = str_at(v, &["requestParameters", "roleSessionName"]).or_else(|| {
        str_at(v, &["responseElements", "assumedRoleUser", "assumedRoleId"])
            .and_then(|id| id.split_once(':'))
            .map(|(_, s)| s)
    });
    if let Some(session) = session {
        push_hint(hints, PersonHintKind::AwsSessionName, session);
    }
}

fn targets(v: &Value) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    let mut add = |t: Target| {
        let same =
            |o: &Target| (o.id.is_some() && o.id == t.id) || (o.id.is_none() && o.name == t.name && o.kind == t.kind);
        if !out.iter().any(same) {
            out.push(t);
        }
    };
    for r in at(v, &["resources"]).and_then(Value::as_array).into_iter().flatten() {
        if let Some(arn) = str_at(r, &["ARN"]) {
            add(arn_target(arn, str_at(r, &["type"])));
        }
    }
    if let Some(params) = at(v, &["requestParameters"]) {
        for (key, kind) in PARAM_TARGETS {
            match at(params, &[key]) {
                Some(Value::String(s)) if !s.trim().is_empty() => add(arn_target(s.trim(), Some(kind))),
                Some(Value::Array(items)) => {
                    for s in items.iter().filter_map(Value::as_str).filter(|s| !s.trim().is_empty()) {
                        add(arn_target(s.trim(), Some(kind)));
                    }
                }
                _ => {}
            }
        }
        // CloudTrail's own calls name the trail `name` (an ARN or a plain name).
        if str_at(v, &["eventSource"]) == Some("cloudtrail.amazonaws.com")
            && let Some(trail) = str_at(params, &["name"])
        {
            add(arn_target(trail, Some("AWS::CloudTrail::Trail")));
        }
    }
    out
}

/// A target from an ARN (id, and the last path segment as its name) or a plain name.
fn arn_target(value: &str, kind: Option<&str>) -> Target {
    let kind = kind.map(str::to_string);
    if value.starts_with("arn:") {
        let name = value.rsplit(['/', ':']).next().filter(|n| !n.is_empty()).map(str::to_string);
        Target { id: Some(value.to_string()), kind, name }
    } else {
        Target { id: None, kind, name: Some(value.to_string()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::check_table;
    use crate::normalize_value;

    fn console_login_failure() -> Value {
        json!({
            "eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE",
                             "arn": "arn:aws:iam::111122223333:user/alice",
                             "accountId": "111122223333", "userName": "alice"},
            "eventTime": "2024-03-01T10:15:00Z",
            "eventSource": "signin.amazonaws.com",
            "eventName": "ConsoleLogin",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.7",
            "userAgent": "Mozilla/5.0 (Macintosh)",
            "errorMessage": "Failed authentication",
            "requestParameters": null,
            "responseElements": {"ConsoleLogin": "Failure"},
            "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No",
                                    "MFAUsed": "No"},
            "eventID": "d1b3c0de-1111-2222-3333-444455556666",
            "readOnly": false,
            "eventType": "AwsConsoleSignIn",
            "managementEvent": true,
            "recipientAccountId": "111122223333"
        })
    }

    #[test]
    fn table_is_well_formed() {
        check_table("cloudtrail", RULES);
    }

    #[test]
    fn console_login_failure_maps() {
        let e = normalize_value(Source::AwsCloudtrail, &console_login_failure()).unwrap();
        assert_eq!(e.uuid, "d1b3c0de-1111-2222-3333-444455556666");
        assert_eq!(e.event_type, "ConsoleLogin");
        assert_eq!((e.category, e.outcome), (AUTHENTICATION, outcome::FAILURE));
        assert_eq!(e.outcome_reason.as_deref(), Some("Failed authentication"));
        assert_eq!(e.actor.login.as_deref(), Some("alice"));
        assert_eq!(e.actor.kind.as_deref(), Some("user"));
        assert_eq!(e.actor.id.as_deref(), Some("arn:aws:iam::111122223333:user/alice"));
        assert_eq!(e.person_hints, vec![PersonHint::new(PersonHintKind::AwsIamUser, "alice")]);
        assert_eq!(e.ip.as_deref(), Some("203.0.113.7"));
        assert_eq!(e.tenant.as_deref(), Some("111122223333"));
        assert_eq!(
            e.message.as_deref(),
            Some("ConsoleLogin (signin.amazonaws.com) by alice failed: Failed authentication")
        );
        assert_eq!(e.ocsf_value()["type_uid"], 300201);
        assert_eq!(e.ocsf_value()["status"], "Failure");
        assert_eq!(e.ocsf_value()["is_mfa"], false);
        assert_eq!(
            e.ocsf_value()["cloud"],
            json!({"provider": "AWS", "region": "us-east-1", "account": {"uid": "111122223333"}})
        );
    }

    #[test]
    fn error_code_is_failure() {
        let mut v = console_login_failure();
        v["eventName"] = "CreateUser".into();
        v["responseElements"] = Value::Null;
        v["errorCode"] = "AccessDenied".into();
        v["errorMessage"] = "User is not authorized".into();
        let e = normalize_value(Source::AwsCloudtrail, &v).unwrap();
        assert_eq!((e.category, e.outcome), (ACCOUNT, outcome::FAILURE));
        assert_eq!(e.outcome_reason.as_deref(), Some("AccessDenied: User is not authorized"));
        assert_eq!(e.ocsf_value()["api"]["response"]["error"], "AccessDenied");
    }

    #[test]
    fn sso_session_names_the_person() {
        let mut v = console_login_failure();
        v["errorMessage"] = Value::Null;
        v["responseElements"] = json!({"ConsoleLogin": "Success"});
        v["userIdentity"] = json!({
            "type": "AssumedRole", "principalId": "AROAEXAMPLE:alice@acme.com",
            "arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@acme.com",
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "AWSReservedSSO_Admin_0123456789abcdef",
                "arn": concat!("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/",
                               "AWSReservedSSO_Admin_0123456789abcdef")}}
        });
        let e = normalize_value(Source::AwsCloudtrail, &v).unwrap();
        assert_eq!(e.outcome, outcome::SUCCESS);
        assert_eq!(e.actor.kind.as_deref(), Some("role"));
        assert_eq!(e.actor.login.as_deref(), Some("alice@acme.com"));
        assert_eq!(e.actor.display_name.as_deref(), Some("AWSReservedSSO_Admin_0123456789abcdef/alice@acme.com"));
        assert_eq!(e.session.as_deref(), Some("ASIAEXAMPLE"));
        assert_eq!(e.person_hints, vec![PersonHint::new(PersonHintKind::AwsSessionName, "alice@acme.com")]);
    }

    #[test]
    fn sso_role_by_issuer_path_and_plain_role_sessions() {
        let identity = json!({
            "type": "AssumedRole", "principalId": "AROAX:leroy.jenkins",
            "arn": "arn:aws:sts::111122223333:assumed-role/SampleRole/leroy.jenkins",
            "sessionContext": {"sessionIssuer": {
                "arn": "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/us-west-2/SampleRole",
                "userName": "SampleRole"}}
        });
        let (_, hints) = actor(&identity);
        assert_eq!(hints, vec![PersonHint::new(PersonHintKind::AwsSessionName, "leroy.jenkins")]);
        // A session name the caller chose says nothing about a person, unless it is an email address.
        let plain = json!({"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/TestAdmin/alan",
                           "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::1:role/TestAdmin"}}});
        assert!(actor(&plain).1.is_empty());
        let email = json!({"type": "AssumedRole", "principalId": "AROAX:bob@acme.com",
                           "arn": "arn:aws:sts::1:assumed-role/Okta-Admin/bob@acme.com"});
        assert_eq!(actor(&email).1, vec![PersonHint::new(PersonHintKind::AwsSessionName, "bob@acme.com")]);
        let no_session =
            json!({"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/tester", "principalId": "tester"});
        let (a, hints) = actor(&no_session);
        assert_eq!(a.login.as_deref(), Some("tester"));
        assert!(hints.is_empty());
    }

    #[test]
    fn saml_federation_gives_name_id_and_session() {
        let v = json!({
            "eventTime": "2024-03-01T10:00:00Z", "eventSource": "sts.amazonaws.com", "eventName": "AssumeRoleWithSAML",
            "eventID": "e1", "recipientAccountId": "444455556666", "sourceIPAddress": "198.51.100.2",
            "userIdentity": {"type": "SAMLUser", "principalId": "SAMPLE:alice@acme.com", "userName": "alice@acme.com",
                             "identityProvider": "SAMPLE"},
            "requestParameters": {"roleArn": "arn:aws:iam::444455556666:role/Okta-Admin",
                                  "principalArn": "arn:aws:iam::444455556666:saml-provider/Okta",
                                  "roleSessionName": "alice@acme.com", "durationSeconds": 3600},
            "responseElements": {"subjectType": "persistent", "subject": "alice@acme.com",
                                 "issuer": "http://www.okta.com/exk1",
                                 "assumedRoleUser": {
                                     "assumedRoleId": "AROAEXAMPLE:alice@acme.com",
                                     "arn": "arn:aws:sts::444455556666:assumed-role/Okta-Admin/alice@acme.com"}}
        });
        let e = normalize_value(Source::AwsCloudtrail, &v).unwrap();
        assert_eq!(e.category, AUTHENTICATION);
        assert_eq!(
            e.person_hints,
            vec![
                PersonHint::new(PersonHintKind::SamlNameId, "alice@acme.com"),
                PersonHint::new(PersonHintKind::AwsSessionName, "alice@acme.com"),
            ]
        );
        let kinds: Vec<_> = e.targets.iter().map(|t| t.kind.as_deref().unwrap()).collect();
        assert_eq!(kinds, ["AWS::IAM::Role", "AWS::IAM::SAMLProvider"]);
        assert_eq!(e.targets[0].name.as_deref(), Some("Okta-Admin"));
    }

    #[test]
    fn hidden_user_names_are_not_names() {
        let (a, hints) =
            actor(&json!({"type": "IAMUser", "userName": "HIDDEN_DUE_TO_SECURITY_REASONS", "accountId": "1"}));
        assert_eq!(a.login, None);
        assert!(hints.is_empty());
    }

    #[test]
    fn unlisted_names_are_resource_calls_by_verb() {
        assert_eq!(verb_activity("DescribeInstances"), API_READ);
        assert_eq!(verb_activity("BatchGetItem"), API_READ);
        assert_eq!(verb_activity("PutObject"), API_UPDATE);
        assert_eq!(verb_activity("RunInstances"), API_CREATE);
        assert_eq!(verb_activity("TerminateInstances"), API_DELETE);
        assert_eq!(verb_activity("Settle"), API_OTHER);
        assert_eq!(verb_activity("SendCommand"), API_OTHER);
    }

    #[test]
    fn service_callers_keep_their_name_out_of_ip() {
        let mut v = console_login_failure();
        v["eventName"] = "CreateAccessKey".into();
        v["errorMessage"] = Value::Null;
        v["responseElements"] = Value::Null;
        v["sourceIPAddress"] = "cloudformation.amazonaws.com".into();
        let e = normalize_value(Source::AwsCloudtrail, &v).unwrap();
        assert_eq!(e.ip, None);
        assert_eq!(e.category, API_TOKEN);
        assert_eq!(e.ocsf_value()["src_endpoint"]["hostname"], "cloudformation.amazonaws.com");
    }

    #[test]
    fn needs_event_time_and_name() {
        let mut v = console_login_failure();
        v.as_object_mut().unwrap().remove("eventTime");
        assert_eq!(normalize_value(Source::AwsCloudtrail, &v).unwrap_err().to_string(), "missing field `eventTime`");
        let mut v = console_login_failure();
        v["eventName"] = json!(5);
        assert_eq!(normalize_value(Source::AwsCloudtrail, &v).unwrap_err().to_string(), "missing field `eventName`");
    }
}
