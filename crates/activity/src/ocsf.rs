/*!
OCSF (Open Cybersecurity Schema Framework) 1.3 classes and activities, and the builder that turns a
normalised [`Event`] into an OCSF object.

Only the classes the four sources need are here. Each activity carries its class, so a mapping
table row names one constant and the `class_uid`, `category_uid`, `activity_id` and `type_uid`
(`class_uid * 100 + activity_id`) all follow from it and cannot disagree.
*/

use crate::event::{Event, Target};
use crate::json::looks_like_email;
use crate::{actor_kind, outcome};
use class::*;
use serde_json::{Map, Value, json};

/// The OCSF version the objects follow.
pub(crate) const VERSION: &str = "1.3.0";

/// An OCSF event class and its category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Class {
    pub uid: u32,
    pub name: &'static str,
    pub category_uid: u32,
    pub category_name: &'static str,
}

/// One activity of an OCSF class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Activity {
    pub class: Class,
    pub id: u32,
    pub name: &'static str,
}

impl Activity {
    pub(crate) fn type_uid(self) -> u64 {
        u64::from(self.class.uid) * 100 + u64::from(self.id)
    }
}

const SYSTEM: (u32, &str) = (1, "System Activity");
const FINDINGS: (u32, &str) = (2, "Findings");
const IAM: (u32, &str) = (3, "Identity & Access Management");
const NETWORK: (u32, &str) = (4, "Network Activity");
const APPLICATION: (u32, &str) = (6, "Application Activity");

const fn class(uid: u32, name: &'static str, category: (u32, &'static str)) -> Class {
    Class { uid, name, category_uid: category.0, category_name: category.1 }
}

const fn act(class: Class, id: u32, name: &'static str) -> Activity {
    Activity { class, id, name }
}

/// The classes; a module of their own because their names are also category names.
pub(crate) mod class {
    use super::Class;

    pub(crate) const BASE_EVENT: Class = super::class(0, "Base Event", (0, "Uncategorized"));
    pub(crate) const PROCESS_ACTIVITY: Class = super::class(1007, "Process Activity", super::SYSTEM);
    pub(crate) const DETECTION_FINDING: Class = super::class(2004, "Detection Finding", super::FINDINGS);
    pub(crate) const ACCOUNT_CHANGE: Class = super::class(3001, "Account Change", super::IAM);
    pub(crate) const AUTHENTICATION: Class = super::class(3002, "Authentication", super::IAM);
    pub(crate) const AUTHORIZE_SESSION: Class = super::class(3003, "Authorize Session", super::IAM);
    pub(crate) const ENTITY_MANAGEMENT: Class = super::class(3004, "Entity Management", super::IAM);
    pub(crate) const USER_ACCESS: Class = super::class(3005, "User Access Management", super::IAM);
    pub(crate) const GROUP_MANAGEMENT: Class = super::class(3006, "Group Management", super::IAM);
    pub(crate) const NETWORK_ACTIVITY: Class = super::class(4001, "Network Activity", super::NETWORK);
    pub(crate) const SSH_ACTIVITY: Class = super::class(4007, "SSH Activity", super::NETWORK);
    pub(crate) const API_ACTIVITY: Class = super::class(6003, "API Activity", super::APPLICATION);
    pub(crate) const WEB_RESOURCE_ACCESS: Class =
        super::class(6004, "Web Resource Access Activity", super::APPLICATION);

    /// Every class above, for consistency tests.
    #[cfg(test)]
    pub(crate) const CLASSES: &[Class] = &[
        BASE_EVENT,
        PROCESS_ACTIVITY,
        DETECTION_FINDING,
        ACCOUNT_CHANGE,
        AUTHENTICATION,
        AUTHORIZE_SESSION,
        ENTITY_MANAGEMENT,
        USER_ACCESS,
        GROUP_MANAGEMENT,
        NETWORK_ACTIVITY,
        SSH_ACTIVITY,
        API_ACTIVITY,
        WEB_RESOURCE_ACCESS,
    ];
}

pub(crate) const BASE_OTHER: Activity = act(class::BASE_EVENT, 99, "Other");

pub(crate) const PROCESS_LAUNCH: Activity = act(class::PROCESS_ACTIVITY, 1, "Launch");

pub(crate) const FINDING_CREATE: Activity = act(class::DETECTION_FINDING, 1, "Create");
pub(crate) const FINDING_CLOSE: Activity = act(class::DETECTION_FINDING, 3, "Close");

pub(crate) const ACCOUNT_CREATE: Activity = act(class::ACCOUNT_CHANGE, 1, "Create");
pub(crate) const ACCOUNT_ENABLE: Activity = act(class::ACCOUNT_CHANGE, 2, "Enable");
pub(crate) const ACCOUNT_PASSWORD_CHANGE: Activity = act(class::ACCOUNT_CHANGE, 3, "Password Change");
pub(crate) const ACCOUNT_PASSWORD_RESET: Activity = act(class::ACCOUNT_CHANGE, 4, "Password Reset");
pub(crate) const ACCOUNT_DISABLE: Activity = act(class::ACCOUNT_CHANGE, 5, "Disable");
pub(crate) const ACCOUNT_DELETE: Activity = act(class::ACCOUNT_CHANGE, 6, "Delete");
pub(crate) const ACCOUNT_ATTACH_POLICY: Activity = act(class::ACCOUNT_CHANGE, 7, "Attach Policy");
pub(crate) const ACCOUNT_DETACH_POLICY: Activity = act(class::ACCOUNT_CHANGE, 8, "Detach Policy");
pub(crate) const ACCOUNT_LOCK: Activity = act(class::ACCOUNT_CHANGE, 9, "Lock");
pub(crate) const ACCOUNT_MFA_ENABLE: Activity = act(class::ACCOUNT_CHANGE, 10, "MFA Factor Enable");
pub(crate) const ACCOUNT_MFA_DISABLE: Activity = act(class::ACCOUNT_CHANGE, 11, "MFA Factor Disable");
pub(crate) const ACCOUNT_UNLOCK: Activity = act(class::ACCOUNT_CHANGE, 12, "Unlock");
pub(crate) const ACCOUNT_OTHER: Activity = act(class::ACCOUNT_CHANGE, 99, "Other");

pub(crate) const AUTHN_LOGON: Activity = act(class::AUTHENTICATION, 1, "Logon");
pub(crate) const AUTHN_LOGOFF: Activity = act(class::AUTHENTICATION, 2, "Logoff");
pub(crate) const AUTHN_TICKET: Activity = act(class::AUTHENTICATION, 3, "Authentication Ticket");
pub(crate) const AUTHN_OTHER: Activity = act(class::AUTHENTICATION, 99, "Other");

pub(crate) const SESSION_ASSIGN_PRIVILEGES: Activity = act(class::AUTHORIZE_SESSION, 1, "Assign Privileges");

pub(crate) const ENTITY_CREATE: Activity = act(class::ENTITY_MANAGEMENT, 1, "Create");
pub(crate) const ENTITY_READ: Activity = act(class::ENTITY_MANAGEMENT, 2, "Read");
pub(crate) const ENTITY_UPDATE: Activity = act(class::ENTITY_MANAGEMENT, 3, "Update");
pub(crate) const ENTITY_DELETE: Activity = act(class::ENTITY_MANAGEMENT, 4, "Delete");
pub(crate) const ENTITY_MOVE: Activity = act(class::ENTITY_MANAGEMENT, 5, "Move");
pub(crate) const ENTITY_ENABLE: Activity = act(class::ENTITY_MANAGEMENT, 8, "Enable");
pub(crate) const ENTITY_DISABLE: Activity = act(class::ENTITY_MANAGEMENT, 9, "Disable");
pub(crate) const ENTITY_ACTIVATE: Activity = act(class::ENTITY_MANAGEMENT, 10, "Activate");
pub(crate) const ENTITY_DEACTIVATE: Activity = act(class::ENTITY_MANAGEMENT, 11, "Deactivate");
pub(crate) const ENTITY_OTHER: Activity = act(class::ENTITY_MANAGEMENT, 99, "Other");

pub(crate) const ACCESS_ASSIGN: Activity = act(class::USER_ACCESS, 1, "Assign Privileges");
pub(crate) const ACCESS_REVOKE: Activity = act(class::USER_ACCESS, 2, "Revoke Privileges");
pub(crate) const ACCESS_OTHER: Activity = act(class::USER_ACCESS, 99, "Other");

pub(crate) const GROUP_ASSIGN_PRIVILEGES: Activity = act(class::GROUP_MANAGEMENT, 1, "Assign Privileges");
pub(crate) const GROUP_REVOKE_PRIVILEGES: Activity = act(class::GROUP_MANAGEMENT, 2, "Revoke Privileges");
pub(crate) const GROUP_ADD_USER: Activity = act(class::GROUP_MANAGEMENT, 3, "Add User");
pub(crate) const GROUP_REMOVE_USER: Activity = act(class::GROUP_MANAGEMENT, 4, "Remove User");
pub(crate) const GROUP_DELETE: Activity = act(class::GROUP_MANAGEMENT, 5, "Delete");
pub(crate) const GROUP_CREATE: Activity = act(class::GROUP_MANAGEMENT, 6, "Create");
pub(crate) const GROUP_OTHER: Activity = act(class::GROUP_MANAGEMENT, 99, "Other");

pub(crate) const NETWORK_OPEN: Activity = act(class::NETWORK_ACTIVITY, 1, "Open");

pub(crate) const SSH_OPEN: Activity = act(class::SSH_ACTIVITY, 1, "Open");
pub(crate) const SSH_CLOSE: Activity = act(class::SSH_ACTIVITY, 2, "Close");
pub(crate) const SSH_REFUSE: Activity = act(class::SSH_ACTIVITY, 5, "Refuse");
pub(crate) const SSH_TRAFFIC: Activity = act(class::SSH_ACTIVITY, 6, "Traffic");

pub(crate) const API_CREATE: Activity = act(class::API_ACTIVITY, 1, "Create");
pub(crate) const API_READ: Activity = act(class::API_ACTIVITY, 2, "Read");
pub(crate) const API_UPDATE: Activity = act(class::API_ACTIVITY, 3, "Update");
pub(crate) const API_DELETE: Activity = act(class::API_ACTIVITY, 4, "Delete");
pub(crate) const API_OTHER: Activity = act(class::API_ACTIVITY, 99, "Other");

pub(crate) const WEB_ACCESS_DENY: Activity = act(class::WEB_RESOURCE_ACCESS, 2, "Access Deny");

/// Builds the OCSF object of `event`, classed by `activity`.
///
/// The parts every class shares come from the normalised fields; the class's own primary object
/// (`user`, `group`, `entity`, `resources`, `finding_info`...) from the targets; `extra` holds
/// what only the source knows (CloudTrail's `api` and `cloud`, Teleport's `process`...) and is
/// merged last, one level deep, so a source can add keys to `src_endpoint` without replacing it.
pub(crate) fn build(
    event: &Event,
    activity: Activity,
    original_time: Option<String>,
    extra: Map<String, Value>,
) -> Value {
    let (status, status_id) = match event.outcome {
        outcome::SUCCESS => ("Success", 1),
        outcome::FAILURE => ("Failure", 2),
        _ => ("Unknown", 0),
    };
    let (severity, severity_id) = severity(event.severity.as_deref());
    let mut o = Map::new();
    o.insert("class_uid".into(), activity.class.uid.into());
    o.insert("class_name".into(), activity.class.name.into());
    o.insert("category_uid".into(), activity.class.category_uid.into());
    o.insert("category_name".into(), activity.class.category_name.into());
    o.insert("activity_id".into(), activity.id.into());
    o.insert("activity_name".into(), activity.name.into());
    o.insert("type_uid".into(), activity.type_uid().into());
    o.insert("type_name".into(), format!("{}: {}", activity.class.name, activity.name).into());
    o.insert("time".into(), event.time.timestamp_millis().into());
    o.insert("severity_id".into(), severity_id.into());
    o.insert("severity".into(), severity.into());
    o.insert("status_id".into(), status_id.into());
    o.insert("status".into(), status.into());
    put(&mut o, "status_detail", event.outcome_reason.as_deref());
    put(&mut o, "message", event.message.as_deref());

    let mut metadata = Map::new();
    let (product, vendor) = product(event);
    metadata.insert("product".into(), json!({ "name": product, "vendor_name": vendor }));
    metadata.insert("uid".into(), event.uuid.as_str().into());
    metadata.insert("event_code".into(), event.event_type.as_str().into());
    metadata.insert("version".into(), VERSION.into());
    put(&mut metadata, "original_time", original_time.as_deref());
    put(&mut metadata, "tenant_uid", event.tenant.as_deref());
    o.insert("metadata".into(), metadata.into());

    let mut actor = Map::new();
    if let Some(user) = actor_user(event) {
        actor.insert("user".into(), user.into());
    }
    if let Some(session) = &event.session {
        actor.insert("session".into(), json!({ "uid": session }));
    }
    if !actor.is_empty() {
        o.insert("actor".into(), actor.into());
    }

    let src = src_endpoint(event);
    if !src.is_empty() {
        o.insert("src_endpoint".into(), src.into());
    }
    if let Some(agent) = &event.user_agent {
        o.insert("http_request".into(), json!({ "user_agent": agent }));
    }

    primary_objects(&mut o, event, activity);

    for (key, value) in extra {
        match (o.get_mut(&key), value) {
            (Some(Value::Object(existing)), Value::Object(more)) => existing.extend(more),
            (_, value) => {
                o.insert(key, value);
            }
        }
    }
    Value::Object(o)
}

fn product(event: &Event) -> (&'static str, &'static str) {
    match event.source {
        crate::Source::Okta => ("Okta System Log", "Okta"),
        crate::Source::AwsCloudtrail => ("CloudTrail", "AWS"),
        crate::Source::Github => ("GitHub Audit Log", "GitHub"),
        crate::Source::Teleport => ("Teleport", "Teleport"),
        crate::Source::Sightline => ("Sightline", "Sightline"),
    }
}

/// OCSF severity from the source's word for it (Okta writes `DEBUG`, `INFO`, `WARN`, `ERROR`).
fn severity(word: Option<&str>) -> (&'static str, u32) {
    match word.map(str::to_ascii_uppercase).as_deref() {
        Some("DEBUG" | "INFO" | "INFORMATIONAL") => ("Informational", 1),
        Some("LOW") => ("Low", 2),
        Some("WARN" | "WARNING" | "MEDIUM") => ("Medium", 3),
        Some("ERROR" | "HIGH") => ("High", 4),
        Some("CRITICAL") => ("Critical", 5),
        None => ("Unknown", 0),
        Some(_) => ("Other", 99),
    }
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        map.insert(key.to_string(), v.into());
    }
}

fn actor_user(event: &Event) -> Option<Map<String, Value>> {
    let a = &event.actor;
    if a.id.is_none() && a.login.is_none() && a.display_name.is_none() {
        return None;
    }
    let mut user = Map::new();
    put(&mut user, "uid", a.id.as_deref());
    put(&mut user, "name", a.login.as_deref());
    put(&mut user, "full_name", a.display_name.as_deref());
    if let Some(login) = a.login.as_deref().filter(|l| looks_like_email(l)) {
        user.insert("email_addr".into(), login.into());
    }
    // OCSF's user types are User, Admin and System; for "Other" its `type` holds the source's word.
    let (kind, kind_id) = match a.kind.as_deref() {
        Some(actor_kind::USER) => ("User", 1),
        Some(actor_kind::SYSTEM) => ("System", 3),
        Some(other) => (other, 99),
        None => ("Unknown", 0),
    };
    user.insert("type".into(), kind.into());
    user.insert("type_id".into(), kind_id.into());
    Some(user)
}

fn src_endpoint(event: &Event) -> Map<String, Value> {
    let mut src = Map::new();
    put(&mut src, "ip", event.ip.as_deref());
    if let Some(loc) = &event.location {
        let mut l = Map::new();
        put(&mut l, "city", loc.city.as_deref());
        put(&mut l, "region", loc.state.as_deref());
        put(&mut l, "country", loc.country.as_deref());
        if let (Some(lat), Some(lon)) = (loc.latitude, loc.longitude) {
            l.insert("coordinates".into(), json!([lon, lat]));
        }
        if !l.is_empty() {
            src.insert("location".into(), l.into());
        }
    }
    if let Some(asn) = &event.asn {
        let a = match asn.parse::<u64>() {
            Ok(number) => json!({ "number": number }),
            Err(_) => json!({ "name": asn }),
        };
        src.insert("autonomous_system".into(), a);
    }
    src
}

fn kind_is(t: &Target, kinds: &[&str]) -> bool {
    t.kind.as_deref().is_some_and(|k| kinds.iter().any(|x| k.eq_ignore_ascii_case(x)))
}

const USER_KINDS: &[&str] = &["User", "AWS::IAM::User", "user"];
const GROUP_KINDS: &[&str] = &["UserGroup", "Group", "team", "AWS::IAM::Group"];
const APP_KINDS: &[&str] = &["AppInstance", "Application", "integration"];

fn first<'a>(event: &'a Event, kinds: &[&str]) -> Option<&'a Target> {
    event.targets.iter().find(|t| kind_is(t, kinds))
}

fn user_object(t: &Target) -> Value {
    let mut user = Map::new();
    put(&mut user, "uid", t.id.as_deref());
    put(&mut user, "name", t.name.as_deref());
    if let Some(name) = t.name.as_deref().filter(|n| looks_like_email(n)) {
        user.insert("email_addr".into(), name.into());
    }
    user.into()
}

fn resource_object(t: &Target) -> Value {
    let mut r = Map::new();
    put(&mut r, "uid", t.id.as_deref());
    put(&mut r, "name", t.name.as_deref());
    put(&mut r, "type", t.kind.as_deref());
    r.into()
}

fn resources(event: &Event) -> Value {
    event.targets.iter().map(resource_object).collect::<Vec<_>>().into()
}

/// The `finding_info` of a finding: the event's id, its message as title, its type, its reason.
pub(crate) fn finding_info(event: &Event) -> Map<String, Value> {
    let mut info = Map::new();
    info.insert("uid".into(), event.uuid.as_str().into());
    info.insert("title".into(), event.message.as_deref().unwrap_or(&event.event_type).into());
    info.insert("types".into(), json!([event.event_type]));
    put(&mut info, "desc", event.outcome_reason.as_deref());
    info
}

/// The class's own "what was acted on" objects, from the targets.
fn primary_objects(o: &mut Map<String, Value>, event: &Event, activity: Activity) {
    let actor_as_user = || actor_user(event).map(Value::Object);
    let target_user = first(event, USER_KINDS).map(user_object);
    let class = activity.class;
    if class == AUTHENTICATION || class == AUTHORIZE_SESSION {
        if let Some(user) = actor_as_user().or(target_user) {
            o.insert("user".into(), user);
        }
        if class == AUTHENTICATION {
            let service = first(event, APP_KINDS).and_then(|t| t.name.clone());
            let service = service.unwrap_or_else(|| product(event).1.to_string());
            o.insert("service".into(), json!({ "name": service }));
        }
        if let Some(session) = &event.session {
            o.insert("session".into(), json!({ "uid": session }));
        }
    } else if class == ACCOUNT_CHANGE || class == USER_ACCESS {
        if let Some(user) = target_user.or_else(actor_as_user) {
            o.insert("user".into(), user);
        }
        if class == USER_ACCESS && !event.targets.is_empty() {
            o.insert("resources".into(), resources(event));
        }
    } else if class == GROUP_MANAGEMENT {
        if let Some(group) = first(event, GROUP_KINDS) {
            o.insert("group".into(), json!({ "uid": group.id, "name": group.name }));
        }
        if let Some(user) = target_user {
            o.insert("user".into(), user);
        }
    } else if class == ENTITY_MANAGEMENT {
        if let Some(t) = event.targets.first() {
            o.insert("entity".into(), resource_object(t));
        }
    } else if class == API_ACTIVITY {
        o.insert("api".into(), json!({ "operation": event.event_type }));
        if !event.targets.is_empty() {
            o.insert("resources".into(), resources(event));
        }
    } else if class == WEB_RESOURCE_ACCESS {
        o.insert("web_resources".into(), resources(event));
    } else if class == DETECTION_FINDING {
        o.insert("finding_info".into(), finding_info(event).into());
        if !event.targets.is_empty() {
            o.insert("resources".into(), resources(event));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_sit_in_their_category() {
        for c in class::CLASSES {
            assert_eq!(c.uid / 1000, c.category_uid, "{}", c.name);
        }
    }

    #[test]
    fn type_uid_is_class_times_100_plus_activity() {
        assert_eq!(AUTHN_LOGON.type_uid(), 300201);
        assert_eq!(BASE_OTHER.type_uid(), 99);
        assert_eq!(ACCOUNT_UNLOCK.type_uid(), 300112);
    }

    #[test]
    fn severity_words() {
        assert_eq!(severity(Some("WARN")), ("Medium", 3));
        assert_eq!(severity(Some("info")), ("Informational", 1));
        assert_eq!(severity(Some("HIGH")), ("High", 4));
        assert_eq!(severity(None), ("Unknown", 0));
        assert_eq!(severity(Some("weird")), ("Other", 99));
    }
}
