/*!
Typed views of Okta objects, with the fields a collector needs.

Every view tolerates unknown fields (ignored) and missing or `null` optional fields (empty
string, `None`, zero, empty list); only the fields that identify an object (`id`, and `label` or
`name` where there is no id) are required, and their absence is an error that names the field.
[`parse`] keeps the raw object next to the view, so nothing Okta sent is lost.

Text fields are `String`s, empty when Okta omits them; timestamps are `Option<DateTime<Utc>>`,
`None` when absent or unreadable.
*/

use crate::error::Error;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// A typed view and the raw object it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    /// The typed view.
    pub model: T,
    /// The object exactly as Okta sent it.
    pub raw: Value,
}

/// Reads `raw` as a `T`, keeping `raw`. A missing required field is a
/// [`MalformedResponse`](crate::ErrorKind::MalformedResponse) error naming the field.
pub fn parse<T: DeserializeOwned + Default>(raw: Value) -> Result<Parsed<T>, Error> {
    match T::deserialize(&raw) {
        Ok(model) => Ok(Parsed { model, raw }),
        Err(e) => {
            let type_name = std::any::type_name::<T>().rsplit("::").next().unwrap_or("object");
            Err(Error::malformed(format!("cannot read a {type_name} from Okta's JSON: {e}")))
        }
    }
}

/// [`parse`] for every item of a list, failing on the first that cannot be read.
pub fn parse_all<T: DeserializeOwned + Default>(items: Vec<Value>) -> Result<Vec<Parsed<T>>, Error> {
    items.into_iter().map(parse).collect()
}

/// `null` or absent → `T::default()`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An ISO 8601 timestamp; `None` when absent, `null` or unreadable (the raw object keeps it).
fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    Ok(value
        .as_ref()
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc)))
}

/// `<links>.<name>.href` of a `_links` object, empty when absent.
fn href_at<'de, D: Deserializer<'de>>(d: D, name: &str) -> Result<String, D::Error> {
    let links = Option::<Value>::deserialize(d)?;
    Ok(links
        .as_ref()
        .and_then(|l| l.get(name))
        .and_then(|l| l.get("href"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string())
}

fn self_href<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    href_at(d, "self")
}

fn assignee_href<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    href_at(d, "assignee")
}

fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    Ok(match value {
        Some(Value::Array(items)) => items.into_iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    })
}

/// An Okta user (`/api/v1/users`, `/api/v1/groups/{id}/users`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// `00u…` (required).
    pub id: String,
    /// `ACTIVE`, `DEPROVISIONED`, `SUSPENDED`, `STAGED`, `PROVISIONED`, `RECOVERY`,
    /// `LOCKED_OUT`, `PASSWORD_EXPIRED`…
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// When the user was created.
    #[serde(default, deserialize_with = "timestamp")]
    pub created: Option<DateTime<Utc>>,
    /// The last sign-in.
    #[serde(default, deserialize_with = "timestamp")]
    pub last_login: Option<DateTime<Utc>>,
    /// The profile's common attributes (custom ones stay in the raw object).
    #[serde(default, deserialize_with = "nullable")]
    pub profile: UserProfile,
}

/// The common attributes of a user's profile.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    /// The sign-in name, e.g. `ann@acme.com`.
    #[serde(default, deserialize_with = "nullable")]
    pub login: String,
    /// Primary email.
    #[serde(default, deserialize_with = "nullable")]
    pub email: String,
    /// Given name.
    #[serde(default, deserialize_with = "nullable")]
    pub first_name: String,
    /// Family name.
    #[serde(default, deserialize_with = "nullable")]
    pub last_name: String,
    /// Display name, when set.
    #[serde(default, deserialize_with = "nullable")]
    pub display_name: String,
}

/// An Okta group (`/api/v1/groups`, with `expand=stats` for [`GroupStats`]).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Group {
    /// `00g…` (required).
    pub id: String,
    /// `OKTA_GROUP`, `APP_GROUP` (imported, e.g. from AD) or `BUILT_IN` (Everyone).
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub group_type: String,
    /// Name and description.
    #[serde(default, deserialize_with = "nullable")]
    pub profile: GroupProfile,
    /// `_embedded.stats`, present with `expand=stats`.
    #[serde(rename = "_embedded", default, deserialize_with = "embedded_stats")]
    pub stats: Option<GroupStats>,
}

/// A group's name and description.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct GroupProfile {
    /// The group's name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Its description.
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
}

/// `_embedded.stats` of a group listed with `expand=stats`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupStats {
    /// Members.
    pub users_count: u64,
    /// Apps assigned to the group.
    pub apps_count: u64,
    /// Whether the group holds an admin role. Okta's spec spells it `hasAdminPrivlege`, real
    /// responses `hasAdminPrivilege`: both are read.
    pub has_admin_privilege: bool,
}

impl<'de> Deserialize<'de> for GroupStats {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            #[serde(default, deserialize_with = "nullable")]
            users_count: u64,
            #[serde(default, deserialize_with = "nullable")]
            apps_count: u64,
            #[serde(default)]
            has_admin_privilege: Option<bool>,
            #[serde(default, rename = "hasAdminPrivlege")]
            has_admin_privlege: Option<bool>,
        }
        let wire = Wire::deserialize(d)?;
        Ok(GroupStats {
            users_count: wire.users_count,
            apps_count: wire.apps_count,
            has_admin_privilege: wire.has_admin_privilege.unwrap_or(false) || wire.has_admin_privlege.unwrap_or(false),
        })
    }
}

fn embedded_stats<'de, D: Deserializer<'de>>(d: D) -> Result<Option<GroupStats>, D::Error> {
    let embedded = Option::<Value>::deserialize(d)?;
    match embedded.and_then(|mut e| e.get_mut("stats").map(Value::take)) {
        Some(Value::Null) | None => Ok(None),
        Some(stats) => GroupStats::deserialize(stats).map(Some).map_err(serde::de::Error::custom),
    }
}

/// An application (`/api/v1/apps`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct App {
    /// `0oa…` (required).
    pub id: String,
    /// The catalog key (`bookmark`, `oidc_client`, a generated key for custom SAML apps…).
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// The name people see.
    #[serde(default, deserialize_with = "nullable")]
    pub label: String,
    /// `ACTIVE` or `INACTIVE`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// `SAML_2_0`, `OPENID_CONNECT`, `AUTO_LOGIN`, `BOOKMARK`…
    #[serde(default, deserialize_with = "nullable")]
    pub sign_on_mode: String,
}

/// A user's assignment to an app (`/api/v1/apps/{id}/users`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct AppUser {
    /// The user's id (required).
    pub id: String,
    /// `USER` (direct) or `GROUP` (through a group).
    #[serde(default, deserialize_with = "nullable")]
    pub scope: String,
    /// `ACTIVE`, `PROVISIONED`…
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// The app-specific profile.
    #[serde(default, deserialize_with = "nullable")]
    pub profile: Map<String, Value>,
}

/// A group's assignment to an app (`/api/v1/apps/{id}/groups`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct AppGroup {
    /// The group's id (required).
    pub id: String,
    /// Priority among the app's groups (lower wins), when set.
    #[serde(default)]
    pub priority: Option<i64>,
    /// The app-specific profile.
    #[serde(default, deserialize_with = "nullable")]
    pub profile: Map<String, Value>,
}

/// An owner of a group (`/api/v1/groups/{id}/owners`, Identity Governance only).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupOwner {
    /// The owner's id, a user or group (required).
    pub id: String,
    /// `USER` or `GROUP`.
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub owner_type: String,
    /// The owner's display name.
    #[serde(default, deserialize_with = "nullable")]
    pub display_name: String,
}

/// An admin role assignment of a user, group or client (`/api/v1/users/{id}/roles`…).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    /// The assignment's id (required).
    pub id: String,
    /// The role's label, e.g. "Super Administrator" or a custom role's name.
    #[serde(default, deserialize_with = "nullable")]
    pub label: String,
    /// `SUPER_ADMIN`, `ORG_ADMIN`, `APP_ADMIN`, `USER_ADMIN`, …, or `CUSTOM`.
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub role_type: String,
    /// `ACTIVE` or `INACTIVE`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// `USER`, `GROUP` (inherited through a group) or `CLIENT`.
    #[serde(default, deserialize_with = "nullable")]
    pub assignment_type: String,
    /// The custom role's id (custom and IAM-based roles).
    #[serde(default)]
    pub role: Option<String>,
    /// The resource set's id (custom and IAM-based roles).
    #[serde(rename = "resource-set", default)]
    pub resource_set: Option<String>,
    /// When a time-bound assignment ends.
    #[serde(default, deserialize_with = "timestamp")]
    pub expiration: Option<DateTime<Utc>>,
    /// `_links.assignee.href`: the principal holding the role (empty when absent).
    #[serde(rename = "_links", default, deserialize_with = "assignee_href")]
    pub assignee: String,
}

/// A custom admin role (`/api/v1/iam/roles`, body key `roles`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct CustomRole {
    /// The role's id (required).
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "nullable")]
    pub label: String,
    /// Its description.
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
}

/// A permission of a custom role (`/api/v1/iam/roles/{id}/permissions`, body key `permissions`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Permission {
    /// The permission, e.g. `okta.users.read` (required).
    pub label: String,
}

/// A resource set (`/api/v1/iam/resource-sets`, body key `resource-sets`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ResourceSet {
    /// The set's id (required).
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "nullable")]
    pub label: String,
    /// Its description.
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
}

/// A resource of a resource set (`…/resource-sets/{id}/resources`, body key `resources`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ResourceSetResource {
    /// The entry's id (required).
    pub id: String,
    /// The resource's ORN, e.g. `orn:okta:directory:{org}:groups:{groupId}`.
    #[serde(default, deserialize_with = "nullable")]
    pub orn: String,
    /// `_links.self.href`: the resource's API URL.
    #[serde(rename = "_links", default, deserialize_with = "self_href")]
    pub self_href: String,
}

/// A binding of a resource set: one role bound to it (`…/bindings`, body key `roles`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Binding {
    /// The role's id (required).
    pub id: String,
}

/// A member of a binding (`…/bindings/{roleId}/members`, body key `members`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct BindingMember {
    /// The member's id (required).
    pub id: String,
    /// `_links.self.href`: the principal, `/api/v1/users/{id}` or `/api/v1/groups/{id}`.
    #[serde(rename = "_links", default, deserialize_with = "self_href")]
    pub self_href: String,
}

/// A user holding an admin role (`/api/v1/iam/assignees/users`, body key `value`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Assignee {
    /// The user's id (required).
    pub id: String,
    /// The user's ORN.
    #[serde(default, deserialize_with = "nullable")]
    pub orn: String,
}

/// An API token's metadata (`/api/v1/api-tokens`; the secret is never returned).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    /// `00T…` (required).
    pub id: String,
    /// The name given at creation.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// The user who created it and whose rights it has.
    #[serde(default, deserialize_with = "nullable")]
    pub user_id: String,
    /// `Okta API` for admin-console tokens.
    #[serde(default, deserialize_with = "nullable")]
    pub client_name: String,
    /// When it was created.
    #[serde(default, deserialize_with = "timestamp")]
    pub created: Option<DateTime<Utc>>,
    /// When it expires unless used (last use + token window).
    #[serde(default, deserialize_with = "timestamp")]
    pub expires_at: Option<DateTime<Utc>>,
    /// ISO 8601 duration, e.g. `P30D`.
    #[serde(default, deserialize_with = "nullable")]
    pub token_window: String,
    /// Where it may be used from.
    #[serde(default, deserialize_with = "nullable")]
    pub network: ApiTokenNetwork,
}

/// The network condition of an API token.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ApiTokenNetwork {
    /// `ANYWHERE`, or `ZONE` with zones to include or exclude.
    #[serde(default, deserialize_with = "nullable")]
    pub connection: String,
    /// Network zone ids allowed.
    #[serde(default, deserialize_with = "string_list")]
    pub include: Vec<String>,
    /// Network zone ids refused.
    #[serde(default, deserialize_with = "string_list")]
    pub exclude: Vec<String>,
}

/// A catalog app target of an `APP_ADMIN` assignment (`…/targets/catalog/apps`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogApp {
    /// Set only when the target is one app instance; absent means every app of this catalog entry.
    #[serde(default)]
    pub id: Option<String>,
    /// The catalog key (required).
    pub name: String,
    /// The catalog entry's display name.
    #[serde(default, deserialize_with = "nullable")]
    pub display_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use serde_json::json;

    #[test]
    fn users_read_camel_case_ignore_unknown_and_tolerate_missing_fields() {
        let raw = json!({
            "id": "00u1", "status": "ACTIVE", "created": "2024-01-02T03:04:05.000Z", "lastLogin": null,
            "profile": {"login": "ann@acme.com", "email": "ann@acme.com", "firstName": "Ann", "lastName": "Lee",
                        "displayName": null, "costCenter": "X"},
            "credentials": {"provider": {"type": "OKTA"}}, "somethingNew": [1, 2]
        });
        let user = parse::<User>(raw.clone()).unwrap();
        assert_eq!(user.raw, raw);
        let u = user.model;
        assert_eq!((u.id.as_str(), u.status.as_str()), ("00u1", "ACTIVE"));
        assert_eq!(u.created.unwrap().to_rfc3339(), "2024-01-02T03:04:05+00:00");
        assert_eq!(u.last_login, None);
        assert_eq!(u.profile.first_name, "Ann");
        assert_eq!(u.profile.display_name, "");
        let bare = parse::<User>(json!({"id": "00u2"})).unwrap().model;
        assert_eq!(bare, User { id: "00u2".into(), ..User::default() });
        let odd = parse::<User>(json!({"id": "00u3", "created": "not a date", "profile": null})).unwrap().model;
        assert_eq!(odd.created, None);
    }

    #[test]
    fn a_missing_id_is_an_error_naming_the_field() {
        let e = parse::<User>(json!({"status": "ACTIVE"})).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::MalformedResponse(m) if m.contains("`id`") && m.contains("User")), "{e}");
        let e = parse::<Permission>(json!({"created": "x"})).unwrap_err();
        assert!(e.to_string().contains("`label`"));
        let e = parse::<CatalogApp>(json!({"id": "0oa1"})).unwrap_err();
        assert!(e.to_string().contains("`name`"));
        assert!(parse::<Group>(json!("not an object")).is_err());
    }

    #[test]
    fn group_stats_accept_both_spellings_of_has_admin_privilege() {
        let real = json!({"id": "00g1", "type": "OKTA_GROUP", "profile": {"name": "Admins", "description": null},
                          "_embedded": {"stats": {"usersCount": 3, "appsCount": 2, "hasAdminPrivilege": true}}});
        let g = parse::<Group>(real).unwrap().model;
        assert_eq!(g.group_type, "OKTA_GROUP");
        assert_eq!(g.profile.name, "Admins");
        assert_eq!(g.stats, Some(GroupStats { users_count: 3, apps_count: 2, has_admin_privilege: true }));
        let spec = json!({"id": "00g2", "_embedded": {"stats": {"usersCount": 1, "hasAdminPrivlege": true}}});
        assert!(parse::<Group>(spec).unwrap().model.stats.unwrap().has_admin_privilege);
        let both =
            json!({"id": "00g3", "_embedded": {"stats": {"hasAdminPrivilege": false, "hasAdminPrivlege": true}}});
        assert!(parse::<Group>(both).unwrap().model.stats.unwrap().has_admin_privilege);
        let none = json!({"id": "00g4", "_embedded": {"stats": {"usersCount": 0}}});
        assert!(!parse::<Group>(none).unwrap().model.stats.unwrap().has_admin_privilege);
        assert_eq!(parse::<Group>(json!({"id": "00g5"})).unwrap().model.stats, None);
        assert_eq!(parse::<Group>(json!({"id": "00g6", "_embedded": {"app": {}}})).unwrap().model.stats, None);
    }

    #[test]
    fn apps_and_assignments() {
        let app = parse::<App>(json!({"id": "0oa1", "name": "bookmark", "label": "Wiki", "status": "ACTIVE",
                                      "signOnMode": "BOOKMARK", "settings": {"app": {}}}))
        .unwrap()
        .model;
        assert_eq!(app.sign_on_mode, "BOOKMARK");
        let au = parse::<AppUser>(
            json!({"id": "00u1", "scope": "GROUP", "status": "PROVISIONED", "profile": {"role": "x"}}),
        )
        .unwrap()
        .model;
        assert_eq!(au.scope, "GROUP");
        assert_eq!(au.profile["role"], "x");
        let ag = parse::<AppGroup>(json!({"id": "00g1", "priority": 2, "profile": null})).unwrap().model;
        assert_eq!((ag.priority, ag.profile.len()), (Some(2), 0));
        let owner =
            parse::<GroupOwner>(json!({"id": "00u1", "type": "USER", "displayName": "Ann Lee", "resolved": true}))
                .unwrap()
                .model;
        assert_eq!((owner.owner_type.as_str(), owner.display_name.as_str()), ("USER", "Ann Lee"));
    }

    #[test]
    fn role_assignments_standard_and_custom() {
        let standard = json!({
            "id": "ra1", "label": "Super Administrator", "type": "SUPER_ADMIN", "status": "ACTIVE",
            "assignmentType": "USER", "_links": {"assignee": {"href": "https://acme.okta.com/api/v1/users/00u1"}}
        });
        let r = parse::<RoleAssignment>(standard).unwrap().model;
        assert_eq!(r.role_type, "SUPER_ADMIN");
        assert_eq!(r.assignee, "https://acme.okta.com/api/v1/users/00u1");
        assert_eq!((r.role.as_deref(), r.resource_set.as_deref()), (None, None));
        let custom = json!({
            "id": "irb1", "label": "Help desk", "type": "CUSTOM", "status": "ACTIVE", "assignmentType": "GROUP",
            "role": "cr0abc", "resource-set": "iamabc", "expiration": "2030-01-01T00:00:00.000Z",
            "_links": {"assignee": {"href": "https://acme.okta.com/api/v1/groups/00g1"}, "role": {"href": "x"}}
        });
        let r = parse::<RoleAssignment>(custom).unwrap().model;
        assert_eq!((r.role.as_deref(), r.resource_set.as_deref()), (Some("cr0abc"), Some("iamabc")));
        assert!(r.expiration.is_some());
        assert_eq!(parse::<RoleAssignment>(json!({"id": "ra2", "_links": null})).unwrap().model.assignee, "");
    }

    #[test]
    fn iam_objects() {
        let role = parse::<CustomRole>(json!({"id": "cr1", "label": "Auditor", "description": null})).unwrap().model;
        assert_eq!((role.label.as_str(), role.description.as_str()), ("Auditor", ""));
        assert_eq!(
            parse::<Permission>(json!({"label": "okta.users.read", "conditions": null})).unwrap().model.label,
            "okta.users.read"
        );
        let set = parse::<ResourceSet>(json!({"id": "iam1", "label": "Sales", "description": "d"})).unwrap().model;
        assert_eq!(set.description, "d");
        let res = parse::<ResourceSetResource>(json!({"id": "ire1", "orn": "orn:okta:directory:o:groups:00g1",
            "_links": {"self": {"href": "https://acme.okta.com/api/v1/groups/00g1"}}}))
        .unwrap()
        .model;
        assert_eq!(res.self_href, "https://acme.okta.com/api/v1/groups/00g1");
        assert_eq!(parse::<Binding>(json!({"id": "cr1", "_links": {}})).unwrap().model.id, "cr1");
        let member = parse::<BindingMember>(
            json!({"id": "irb1", "_links": {"self": {"href": "https://acme.okta.com/api/v1/users/00u1"}}}),
        )
        .unwrap()
        .model;
        assert_eq!(member.self_href, "https://acme.okta.com/api/v1/users/00u1");
        let a = parse::<Assignee>(json!({"id": "00u1", "orn": "orn:okta:directory:o:users:00u1"})).unwrap().model;
        assert_eq!(a.orn, "orn:okta:directory:o:users:00u1");
    }

    #[test]
    fn api_tokens_and_catalog_apps() {
        let t = parse::<ApiToken>(json!({
            "id": "00T1", "name": "CI", "userId": "00u1", "clientName": "Okta API",
            "created": "2024-05-01T00:00:00.000Z", "expiresAt": "2024-06-01T00:00:00.000Z", "tokenWindow": "P30D",
            "network": {"connection": "ZONE", "include": ["nzo1"], "exclude": null}
        }))
        .unwrap()
        .model;
        assert_eq!((t.user_id.as_str(), t.token_window.as_str()), ("00u1", "P30D"));
        assert_eq!(
            t.network,
            ApiTokenNetwork { connection: "ZONE".into(), include: vec!["nzo1".into()], exclude: vec![] }
        );
        assert!(t.expires_at.is_some());
        let bare = parse::<ApiToken>(json!({"id": "00T2"})).unwrap().model;
        assert_eq!(bare.network, ApiTokenNetwork::default());
        let catalog =
            parse::<CatalogApp>(json!({"name": "salesforce", "displayName": "Salesforce.com"})).unwrap().model;
        assert_eq!((catalog.id, catalog.display_name.as_str()), (None, "Salesforce.com"));
        let instance = parse::<CatalogApp>(json!({"id": "0oa1", "name": "bookmark"})).unwrap().model;
        assert_eq!(instance.id.as_deref(), Some("0oa1"));
        let all = parse_all::<Binding>(vec![json!({"id": "a"}), json!({"id": "b"})]).unwrap();
        assert_eq!(all.len(), 2);
        assert!(parse_all::<Binding>(vec![json!({"id": "a"}), json!({})]).is_err());
    }
}
