/*!
OCSF (Open Cybersecurity Schema Framework) 1.3 classes and activities, and the builder that turns a
normalised [`Event`] into an OCSF object.

Only the classes the four sources need are here. Each activity carries its class, so a mapping
table row names one constant and the `class_uid`, `category_uid`, `activity_id` and `type_uid`
(`class_uid * 100 + activity_id`) all follow from it and cannot disagree.
*/

use crate::event::{Event, OcsfJson, Target};
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

/// Builds the OCSF object of `event`, classed by `activity`, as JSON text.
///
/// The parts every class shares come from the normalised fields; the class's own primary object
/// (`user`, `group`, `entity`, `resources`, `finding_info`...) from the targets; `extra` holds
/// what only the source knows (CloudTrail's `api` and `cloud`, Teleport's `process`...) and is
/// merged last, one level deep, so a source can add keys to `src_endpoint` without replacing it.
///
/// The text is written directly rather than through a `serde_json::Value`: every stored event
/// has one, and building, serialising and freeing a tree of maps per event was a third of the
/// cost of ingesting the System Log.
pub(crate) fn build(
    event: &Event,
    activity: Activity,
    original_time: Option<String>,
    extra: Map<String, Value>,
) -> OcsfJson {
    let (status, status_id) = match event.outcome {
        outcome::SUCCESS => ("Success", 1),
        outcome::FAILURE => ("Failure", 2),
        _ => ("Unknown", 0),
    };
    let (severity, severity_id) = severity(event.severity.as_deref());
    let mut out = Vec::with_capacity(1536);
    let mut o = Object::top(&mut out, &extra);
    o.json("class_uid", activity.class.uid);
    o.str("class_name", activity.class.name);
    o.json("category_uid", activity.class.category_uid);
    o.str("category_name", activity.class.category_name);
    o.json("activity_id", activity.id);
    o.str("activity_name", activity.name);
    o.json("type_uid", activity.type_uid());
    o.str("type_name", &format!("{}: {}", activity.class.name, activity.name));
    o.json("time", event.time.timestamp_millis());
    o.json("severity_id", severity_id);
    o.str("severity", severity);
    o.json("status_id", status_id);
    o.str("status", status);
    o.opt_str("status_detail", event.outcome_reason.as_deref());
    o.opt_str("message", event.message.as_deref());

    o.object("metadata", |m| {
        let (product, vendor) = product(event);
        m.object("product", |p| {
            p.str("name", product);
            p.str("vendor_name", vendor);
        });
        m.str("uid", &event.uuid);
        m.str("event_code", &event.event_type);
        m.str("version", VERSION);
        m.opt_str("original_time", original_time.as_deref());
        m.opt_str("tenant_uid", event.tenant.as_deref());
    });

    let has_actor_user = has_actor_user(event);
    if has_actor_user || event.session.is_some() {
        o.object("actor", |a| {
            if has_actor_user {
                a.object("user", |u| actor_user(u, event));
            }
            if let Some(session) = &event.session {
                a.object("session", |s| s.str("uid", session));
            }
        });
    }

    if event.ip.is_some() || event.location.as_ref().is_some_and(has_location) || event.asn.is_some() {
        o.object("src_endpoint", |src| src_endpoint(src, event));
    }
    if let Some(agent) = &event.user_agent {
        o.object("http_request", |h| h.str("user_agent", agent));
    }

    primary_objects(&mut o, event, activity, has_actor_user);
    o.close();
    OcsfJson::written(String::from_utf8(out).expect("JSON text written from strings is UTF-8"))
}

/// One JSON object being written. At the top level, `extra` (a source's own keys) wins over the
/// keys written here: a key it also holds as an object is merged (its entries replace the
/// written ones), any other key it holds is left for it, and the rest of `extra` is written last.
struct Object<'o, 'x> {
    out: &'o mut Vec<u8>,
    empty: bool,
    /// Keys that `extra`-like values replace here (written at `close`).
    replaced: Option<&'x Map<String, Value>>,
    /// Whether a key of `replaced` that is an object is merged into the written one (top level).
    merge: bool,
    /// Keys of `replaced` already written by a merge.
    merged: Vec<&'x str>,
}

impl<'o, 'x> Object<'o, 'x> {
    fn top(out: &'o mut Vec<u8>, extra: &'x Map<String, Value>) -> Object<'o, 'x> {
        out.push(b'{');
        Object { out, empty: true, replaced: Some(extra).filter(|x| !x.is_empty()), merge: true, merged: Vec::new() }
    }

    fn nested(out: &'o mut Vec<u8>, replaced: Option<&'x Map<String, Value>>) -> Object<'o, 'x> {
        out.push(b'{');
        Object { out, empty: true, replaced, merge: false, merged: Vec::new() }
    }

    fn is_replaced(&self, key: &str) -> bool {
        self.replaced.is_some_and(|r| r.contains_key(key))
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        write_str(self.out, key);
        self.out.push(b':');
    }

    fn str(&mut self, key: &str, value: &str) {
        if !self.is_replaced(key) {
            self.key(key);
            write_str(self.out, value);
        }
    }

    fn opt_str(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.str(key, value);
        }
    }

    /// Any value: a number, a `bool`, an `Option` (`null` when absent), a `serde_json::Value`.
    fn json(&mut self, key: &str, value: impl serde::Serialize) {
        if !self.is_replaced(key) {
            self.key(key);
            write_json(self.out, &value);
        }
    }

    /// A nested object written by `fill`.
    fn object(&mut self, key: &str, fill: impl FnOnce(&mut Object<'_, 'x>)) {
        let replacement = self.replaced.and_then(|r| r.get_key_value(key));
        let merged_into = match replacement {
            None => None,
            Some((key, Value::Object(entries))) if self.merge => {
                self.merged.push(key.as_str());
                Some(entries)
            }
            Some(_) => return,
        };
        self.key(key);
        let mut nested = Object::nested(self.out, merged_into);
        fill(&mut nested);
        nested.close();
    }

    /// An array of objects, each written by `fill`.
    fn objects<T>(&mut self, key: &str, items: &[T], fill: impl Fn(&mut Object<'_, 'x>, &T)) {
        if self.is_replaced(key) {
            return;
        }
        self.key(key);
        self.out.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            let mut nested = Object::nested(self.out, None);
            fill(&mut nested, item);
            nested.close();
        }
        self.out.push(b']');
    }

    /// Writes what replaces this object's keys, then the closing brace.
    fn close(mut self) {
        if let Some(replaced) = self.replaced {
            for (key, value) in replaced {
                if !self.merged.contains(&key.as_str()) {
                    self.key(key);
                    write_json(self.out, value);
                }
            }
        }
        self.out.push(b'}');
    }
}

fn write_json(out: &mut Vec<u8>, value: &(impl serde::Serialize + ?Sized)) {
    serde_json::to_writer(out, value).expect("writing JSON into memory cannot fail");
}

/// `s` as a JSON string. Most strings hold nothing JSON escapes (quotes, backslashes, control
/// characters); those are copied as they are, the rest are escaped by `serde_json`.
fn write_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        write_json(out, s);
    }
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
    const WORDS: &[(&str, &str, u32)] = &[
        ("DEBUG", "Informational", 1),
        ("INFO", "Informational", 1),
        ("INFORMATIONAL", "Informational", 1),
        ("LOW", "Low", 2),
        ("WARN", "Medium", 3),
        ("WARNING", "Medium", 3),
        ("MEDIUM", "Medium", 3),
        ("ERROR", "High", 4),
        ("HIGH", "High", 4),
        ("CRITICAL", "Critical", 5),
    ];
    match word {
        None => ("Unknown", 0),
        Some(word) => WORDS
            .iter()
            .find(|(w, _, _)| w.eq_ignore_ascii_case(word))
            .map_or(("Other", 99), |&(_, name, id)| (name, id)),
    }
}

fn has_actor_user(event: &Event) -> bool {
    let a = &event.actor;
    a.id.is_some() || a.login.is_some() || a.display_name.is_some()
}

fn actor_user(user: &mut Object, event: &Event) {
    let a = &event.actor;
    user.opt_str("uid", a.id.as_deref());
    user.opt_str("name", a.login.as_deref());
    user.opt_str("full_name", a.display_name.as_deref());
    if let Some(login) = a.login.as_deref().filter(|l| looks_like_email(l)) {
        user.str("email_addr", login);
    }
    // OCSF's user types are User, Admin and System; for "Other" its `type` holds the source's word.
    let (kind, kind_id) = match a.kind.as_deref() {
        Some(actor_kind::USER) => ("User", 1),
        Some(actor_kind::SYSTEM) => ("System", 3),
        Some(other) => (other, 99),
        None => ("Unknown", 0),
    };
    user.str("type", kind);
    user.json("type_id", kind_id);
}

fn has_location(loc: &crate::event::Location) -> bool {
    loc.city.is_some()
        || loc.state.is_some()
        || loc.country.is_some()
        || (loc.latitude.is_some() && loc.longitude.is_some())
}

fn src_endpoint(src: &mut Object, event: &Event) {
    src.opt_str("ip", event.ip.as_deref());
    if let Some(loc) = event.location.as_ref().filter(|l| has_location(l)) {
        src.object("location", |l| {
            l.opt_str("city", loc.city.as_deref());
            l.opt_str("region", loc.state.as_deref());
            l.opt_str("country", loc.country.as_deref());
            if let (Some(lat), Some(lon)) = (loc.latitude, loc.longitude) {
                l.json("coordinates", [lon, lat]);
            }
        });
    }
    if let Some(asn) = &event.asn {
        src.object("autonomous_system", |a| match asn.parse::<u64>() {
            Ok(number) => a.json("number", number),
            Err(_) => a.str("name", asn),
        });
    }
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

fn user_object(user: &mut Object, t: &Target) {
    user.opt_str("uid", t.id.as_deref());
    user.opt_str("name", t.name.as_deref());
    if let Some(name) = t.name.as_deref().filter(|n| looks_like_email(n)) {
        user.str("email_addr", name);
    }
}

fn resource_object(r: &mut Object, t: &Target) {
    r.opt_str("uid", t.id.as_deref());
    r.opt_str("name", t.name.as_deref());
    r.opt_str("type", t.kind.as_deref());
}

/// The `finding_info` of a finding: the event's id, its message as title, its type, its reason.
pub(crate) fn finding_info(event: &Event) -> Map<String, Value> {
    let mut info = Map::new();
    info.insert("uid".into(), event.uuid.as_str().into());
    info.insert("title".into(), event.message.as_deref().unwrap_or(&event.event_type).into());
    info.insert("types".into(), json!([event.event_type]));
    if let Some(desc) = event.outcome_reason.as_deref() {
        info.insert("desc".into(), desc.into());
    }
    info
}

/// The class's own "what was acted on" objects, from the targets.
fn primary_objects(o: &mut Object, event: &Event, activity: Activity, has_actor_user: bool) {
    let target_user = first(event, USER_KINDS);
    let class = activity.class;
    if class == AUTHENTICATION || class == AUTHORIZE_SESSION {
        if has_actor_user {
            o.object("user", |u| actor_user(u, event));
        } else if let Some(t) = target_user {
            o.object("user", |u| user_object(u, t));
        }
        if class == AUTHENTICATION {
            let service = first(event, APP_KINDS).and_then(|t| t.name.as_deref()).unwrap_or(product(event).1);
            o.object("service", |s| s.str("name", service));
        }
        if let Some(session) = &event.session {
            o.object("session", |s| s.str("uid", session));
        }
    } else if class == ACCOUNT_CHANGE || class == USER_ACCESS {
        if let Some(t) = target_user {
            o.object("user", |u| user_object(u, t));
        } else if has_actor_user {
            o.object("user", |u| actor_user(u, event));
        }
        if class == USER_ACCESS && !event.targets.is_empty() {
            o.objects("resources", &event.targets, resource_object);
        }
    } else if class == GROUP_MANAGEMENT {
        if let Some(group) = first(event, GROUP_KINDS) {
            // Written even when unknown, as `null`: OCSF's `group` always names both.
            o.object("group", |g| {
                g.json("uid", &group.id);
                g.json("name", &group.name);
            });
        }
        if let Some(t) = target_user {
            o.object("user", |u| user_object(u, t));
        }
    } else if class == ENTITY_MANAGEMENT {
        if let Some(t) = event.targets.first() {
            o.object("entity", |e| resource_object(e, t));
        }
    } else if class == API_ACTIVITY {
        o.object("api", |a| a.str("operation", &event.event_type));
        if !event.targets.is_empty() {
            o.objects("resources", &event.targets, resource_object);
        }
    } else if class == WEB_RESOURCE_ACCESS {
        o.objects("web_resources", &event.targets, resource_object);
    } else if class == DETECTION_FINDING {
        let info = finding_info(event);
        o.object("finding_info", |f| {
            for (key, value) in &info {
                f.json(key, value);
            }
        });
        if !event.targets.is_empty() {
            o.objects("resources", &event.targets, resource_object);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The copy-as-is path writes exactly what `serde_json` writes.
        #[test]
        fn strings_are_written_as_serde_json_writes_them(s in "(\\PC|[\"\\\\\u{0}-\u{1f}\u{7f}])*") {
            let mut out = Vec::new();
            write_str(&mut out, &s);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&s).unwrap());
        }
    }

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
