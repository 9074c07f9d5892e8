//! The org's objects in Okta's JSON wire format.
//!
//! Shapes follow Okta's OpenAPI spec and what the official SDKs' strict models accept: every
//! field Okta always sends is present (with `null` where Okta sends null), HAL `_links` point back
//! at this server.

use crate::org::*;
use serde_json::{Map, Value, json};

/// Okta's timestamp format: milliseconds and a `Z`.
pub fn ts(t: &Ts) -> String {
    OktaTime(t).to_string()
}

/// Displays a timestamp as `2024-01-02T03:04:05.678Z` without chrono's format-string parsing
/// (this is on the hot path of every listing).
pub struct OktaTime<'a>(pub &'a Ts);

impl std::fmt::Display for OktaTime<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use chrono::{Datelike, Timelike};
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.timestamp_subsec_millis().min(999)
        )
    }
}

impl serde::Serialize for OktaTime<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

struct OptTime<'a>(&'a Option<Ts>);

impl serde::Serialize for OptTime<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(t) => serializer.collect_str(&OktaTime(t)),
            None => serializer.serialize_none(),
        }
    }
}

/// A user in Okta's wire format, serialized straight to text: listings of hundreds of thousands
/// of users go through here, so it builds no intermediate `Value`.
pub struct UserJson<'a> {
    pub base: &'a str,
    pub user: &'a User,
}

impl serde::Serialize for UserJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let u = self.user;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &u.id)?;
        map.serialize_entry("status", u.status.as_str())?;
        map.serialize_entry("created", &OktaTime(&u.created))?;
        map.serialize_entry("activated", &OptTime(&u.activated))?;
        map.serialize_entry("statusChanged", &OptTime(&u.status_changed))?;
        map.serialize_entry("lastLogin", &OptTime(&u.last_login))?;
        map.serialize_entry("lastUpdated", &OktaTime(&u.last_updated))?;
        map.serialize_entry("passwordChanged", &OptTime(&u.password_changed))?;
        map.serialize_entry("type", &TypeJson(&u.type_id))?;
        map.serialize_entry("profile", &ProfileJson(&u.profile))?;
        map.serialize_entry("credentials", &CredentialsJson(u))?;
        map.serialize_entry("_links", &SelfLink { base: self.base, kind: "users", id: &u.id })?;
        map.end()
    }
}

struct TypeJson<'a>(&'a str);

impl serde::Serialize for TypeJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("id", self.0)?;
        map.end()
    }
}

struct ProfileJson<'a>(&'a UserProfile);

impl serde::Serialize for ProfileJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let p = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("firstName", &p.first_name)?;
        map.serialize_entry("lastName", &p.last_name)?;
        map.serialize_entry("mobilePhone", &Value::Null)?;
        map.serialize_entry("secondEmail", &Value::Null)?;
        map.serialize_entry("login", &p.login)?;
        map.serialize_entry("email", &p.email)?;
        let optional = [
            ("displayName", &p.display_name),
            ("title", &p.title),
            ("department", &p.department),
            ("employeeNumber", &p.employee_number),
            ("managerId", &p.manager_id),
            ("city", &p.city),
            ("countryCode", &p.country_code),
            ("userType", &p.user_type),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                map.serialize_entry(key, v)?;
            }
        }
        for (k, v) in &p.custom {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

struct CredentialsJson<'a>(&'a User);

impl serde::Serialize for CredentialsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let u = self.0;
        let mut map = serializer.serialize_map(None)?;
        if u.provider_type == "OKTA" && u.status != UserStatus::Staged {
            map.serialize_entry("password", &serde_json::Map::new())?;
        }
        map.serialize_entry("provider", &ProviderJson(u))?;
        map.end()
    }
}

struct ProviderJson<'a>(&'a User);

impl serde::Serialize for ProviderJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("type", self.0.provider_type)?;
        map.serialize_entry("name", &self.0.provider_name)?;
        map.end()
    }
}

/// `{"self": {"href": "<base>/api/v1/<kind>/<id>"}}`.
struct SelfLink<'a> {
    base: &'a str,
    kind: &'a str,
    id: &'a str,
}

impl serde::Serialize for SelfLink<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Href<'a>(&'a SelfLink<'a>);
        impl serde::Serialize for Href<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(1))?;
                let link = self.0;
                map.serialize_entry("href", &format_args!("{}/api/v1/{}/{}", link.base, link.kind, link.id))?;
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("self", &Href(self))?;
        map.end()
    }
}

fn href(base: &str, path: String) -> Value {
    json!({ "href": format!("{base}{path}") })
}

pub fn user(base: &str, u: &User) -> Value {
    serde_json::to_value(UserJson { base, user: u }).expect("a user serializes")
}

/// A JSON array of users, written straight to text.
pub fn users_array<'a>(base: &str, users: impl IntoIterator<Item = &'a User>) -> String {
    let mut out = Vec::with_capacity(64 * 1024);
    out.push(b'[');
    for (i, u) in users.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, &UserJson { base, user: u }).expect("writing to memory cannot fail");
    }
    out.push(b']');
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// A group; `stats` adds `_embedded.stats` (for `expand=stats`).
pub fn group(base: &str, org: &Org, g: usize, stats: Option<GroupStats>) -> Value {
    let group = &org.groups[g];
    let mut profile = Map::new();
    profile.insert("name".into(), json!(group.name));
    profile.insert("description".into(), json!(group.description));
    if let Some(ad) = &group.ad {
        profile.insert("dn".into(), json!(ad.dn));
        profile.insert("externalId".into(), json!(ad.external_id));
        profile.insert("samAccountName".into(), json!(ad.sam_account_name));
        profile.insert("windowsDomainQualifiedName".into(), json!(ad.windows_domain_qualified_name));
        profile.insert("groupScope".into(), json!(ad.group_scope));
        profile.insert("groupType".into(), json!(ad.group_type));
        profile.insert("objectSid".into(), json!(ad.object_sid));
    }
    let object_class = if group.ad.is_some() { "okta:windows_security_principal" } else { "okta:user_group" };
    let mut links = json!({
        "logo": [
            { "name": "medium", "href": format!("{base}/assets/img/logos/groups/okta-medium.png"), "type": "image/png" },
            { "name": "large", "href": format!("{base}/assets/img/logos/groups/okta-large.png"), "type": "image/png" }
        ],
        "users": href(base, format!("/api/v1/groups/{}/users", group.id)),
        "apps": href(base, format!("/api/v1/groups/{}/apps", group.id)),
    });
    let mut value = json!({
        "id": group.id,
        "created": ts(&group.created),
        "lastUpdated": ts(&group.last_updated),
        "lastMembershipUpdated": ts(&group.last_membership_updated),
        "objectClass": [object_class],
        "type": group.group_type.as_str(),
        "profile": profile,
    });
    if let Some(app) = group.source_app {
        value["source"] = json!({ "id": org.apps[app].id });
        links["source"] = href(base, format!("/api/v1/apps/{}", org.apps[app].id));
    }
    value["_links"] = links;
    if let Some(stats) = stats {
        value["_embedded"] = json!({ "stats": {
            "usersCount": stats.users,
            "appsCount": stats.apps,
            "groupPushMappingsCount": 0,
            "hasAdminPrivilege": stats.has_admin_privilege,
            "_links": { "self": href(base, format!("/api/v1/groups/{}/stats", group.id)) }
        }});
    }
    value
}

/// Counts for `expand=stats`.
#[derive(Debug, Clone, Copy)]
pub struct GroupStats {
    pub users: usize,
    pub apps: usize,
    pub has_admin_privilege: bool,
}

fn app_settings_and_credentials(app: &App) -> (Value, Value) {
    let user_name_template = json!({ "template": "${source.login}", "type": "BUILT_IN" });
    match &app.details {
        AppDetails::Url { url } => {
            let app_settings = match app.sign_on_mode {
                SignOnMode::Bookmark => json!({ "requestIntegration": false, "url": url }),
                SignOnMode::BasicAuth => json!({ "url": url, "authURL": url }),
                SignOnMode::BrowserPlugin => json!({
                    "url": url, "buttonField": "btn-login", "passwordField": "#password",
                    "usernameField": "#username", "loginUrlRegex": null
                }),
                SignOnMode::SecurePasswordStore => json!({
                    "url": url, "passwordField": "#password", "usernameField": "#username",
                    "optionalField1": null, "optionalField1Value": null, "optionalField2": null,
                    "optionalField2Value": null, "optionalField3": null, "optionalField3Value": null
                }),
                _ => json!({ "url": url }),
            };
            let mut settings = json!({ "app": app_settings, "notifications": notifications() });
            if app.sign_on_mode == SignOnMode::AutoLogin {
                settings["signOn"] = json!({ "loginUrl": url, "redirectUrl": null });
            }
            let credentials = json!({
                "scheme": "EDIT_USERNAME_AND_PASSWORD",
                "userNameTemplate": user_name_template,
                "revealPassword": false,
                "signing": {}
            });
            (settings, credentials)
        }
        AppDetails::Federation { sso_url, audience, signing_kid } => {
            let sign_on = match app.sign_on_mode {
                SignOnMode::Saml20 => json!({
                    "defaultRelayState": "", "ssoAcsUrl": sso_url, "idpIssuer": "http://www.okta.com/${org.externalKey}",
                    "audience": audience, "recipient": sso_url, "destination": sso_url,
                    "subjectNameIdTemplate": "${user.userName}",
                    "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                    "responseSigned": true, "assertionSigned": true, "signatureAlgorithm": "RSA_SHA256",
                    "digestAlgorithm": "SHA256", "honorForceAuthn": true,
                    "authnContextClassRef": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                    "spIssuer": null, "requestCompressed": false, "attributeStatements": [],
                    "inlineHooks": [], "allowMultipleAcsEndpoints": false, "acsEndpoints": [],
                    "samlSignedRequestEnabled": false, "slo": { "enabled": false }
                }),
                SignOnMode::Saml11 => json!({
                    "audienceOverride": audience, "defaultRelayState": null, "recipientOverride": sso_url,
                    "destinationOverride": sso_url, "ssoAcsUrlOverride": sso_url, "attributeStatements": []
                }),
                _ => json!({}),
            };
            let app_settings = if app.sign_on_mode == SignOnMode::WsFederation {
                json!({
                    "audienceRestriction": audience, "groupName": null, "groupValueFormat": "windowsDomainQualifiedName",
                    "realm": audience, "wReplyURL": sso_url, "wReplyOverride": false, "attributeStatements": null,
                    "nameIDFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
                    "siteURL": sso_url, "usernameAttribute": "username",
                    "authnContextClassRef": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                    "signatureAlgorithm": "RSA_SHA256", "digestAlgorithm": "SHA256"
                })
            } else {
                json!({})
            };
            let settings = json!({ "app": app_settings, "notifications": notifications(), "signOn": sign_on });
            let credentials = json!({
                "userNameTemplate": user_name_template,
                "signing": { "kid": signing_kid }
            });
            (settings, credentials)
        }
        AppDetails::Oidc {
            client_id,
            application_type,
            token_endpoint_auth_method,
            grant_types,
            redirect_uris,
            dpop_bound_access_tokens,
        } => {
            let response_types: Vec<&str> = if grant_types.contains(&"implicit") {
                vec!["token", "id_token"]
            } else if grant_types.contains(&"authorization_code") {
                vec!["code"]
            } else {
                vec!["token"]
            };
            let settings = json!({
                "app": {},
                "notifications": notifications(),
                "oauthClient": {
                    "client_uri": null, "logo_uri": null, "redirect_uris": redirect_uris,
                    "response_types": response_types, "grant_types": grant_types,
                    "application_type": application_type, "consent_method": "REQUIRED",
                    "issuer_mode": "ORG_URL", "idp_initiated_login": { "mode": "DISABLED", "default_scope": [] },
                    "wildcard_redirect": "DISABLED", "dpop_bound_access_tokens": dpop_bound_access_tokens
                }
            });
            let credentials = json!({
                "userNameTemplate": user_name_template,
                "signing": { "kid": null },
                "oauthClient": {
                    "autoKeyRotation": true, "client_id": client_id,
                    "token_endpoint_auth_method": token_endpoint_auth_method,
                    "pkce_required": *application_type == "browser" || *application_type == "native"
                }
            });
            (settings, credentials)
        }
        AppDetails::Directory { domain } => {
            let settings = json!({
                // BASIC_AUTH settings need both url and authURL for the SDKs' models.
                "app": { "url": format!("ldap://{domain}"), "authURL": format!("ldap://{domain}"), "requestIntegration": false },
                "notifications": notifications()
            });
            let credentials = json!({ "userNameTemplate": user_name_template, "signing": {} });
            (settings, credentials)
        }
    }
}

fn notifications() -> Value {
    json!({ "vpn": { "network": { "connection": "DISABLED" }, "message": null, "helpUrl": null } })
}

pub fn app(base: &str, a: &App) -> Value {
    let (settings, credentials) = app_settings_and_credentials(a);
    let app_link = format!("{}_link", a.name);
    json!({
        "id": a.id,
        "orn": null,
        "name": a.name,
        "label": a.label,
        "status": if a.active { "ACTIVE" } else { "INACTIVE" },
        "lastUpdated": ts(&a.last_updated),
        "created": ts(&a.created),
        "accessibility": { "selfService": false, "errorRedirectUrl": null, "loginRedirectUrl": null },
        "visibility": {
            "autoSubmitToolbar": false,
            "autoLaunch": false,
            "hide": { "iOS": false, "web": false },
            "appLinks": { app_link.clone(): true }
        },
        "features": [],
        "signOnMode": a.sign_on_mode.as_str(),
        "credentials": credentials,
        "settings": settings,
        "_links": {
            "uploadLogo": { "href": format!("{base}/api/v1/apps/{}/logo", a.id), "hints": { "allow": ["POST"] } },
            "appLinks": [{ "name": app_link, "href": format!("{base}/home/{}/{}/1", a.name, a.id), "type": "text/html" }],
            "groups": href(base, format!("/api/v1/apps/{}/groups", a.id)),
            "logo": [{ "name": "medium", "href": format!("{base}/assets/img/logos/default.png"), "type": "image/png" }],
            "users": href(base, format!("/api/v1/apps/{}/users", a.id)),
            "deactivate": href(base, format!("/api/v1/apps/{}/lifecycle/deactivate", a.id))
        }
    })
}

/// One row of `/apps/{id}/users`: a direct assignment, or a user reached through a group.
pub fn app_user(base: &str, org: &Org, app: usize, row: &AppUserRow, embed_user: bool) -> Value {
    let u = &org.users[row.user];
    let app_id = &org.apps[app].id;
    let (created, updated, status, sync_state, external_id, profile) = match row.direct {
        Some(i) => {
            let a = &org.app_user_assignments[app][i];
            (a.created, a.last_updated, a.status, a.sync_state, a.external_id.clone(), Value::Object(a.profile.clone()))
        }
        None => (u.created, u.last_updated, "PROVISIONED", "SYNCHRONIZED", None, json!({})),
    };
    let mut value = json!({
        "id": u.id,
        "externalId": external_id,
        "created": ts(&created),
        "lastUpdated": ts(&updated),
        "scope": if row.direct.is_some() { "USER" } else { "GROUP" },
        "status": status,
        "statusChanged": ts(&updated),
        "passwordChanged": null,
        "syncState": sync_state,
        "lastSync": ts(&updated),
        "credentials": { "userName": u.profile.login },
        "profile": profile,
        "_links": {
            "app": href(base, format!("/api/v1/apps/{app_id}")),
            "user": href(base, format!("/api/v1/users/{}", u.id))
        }
    });
    if embed_user {
        value["_embedded"] = json!({ "user": user(base, u) });
    }
    value
}

/// A user's membership in an app: direct (`Some(index into app_user_assignments)`) or via groups.
#[derive(Debug, Clone, Copy)]
pub struct AppUserRow {
    pub user: usize,
    pub direct: Option<usize>,
}

pub fn app_group(base: &str, org: &Org, app: usize, a: &AppGroupAssignment, embed_group: bool) -> Value {
    let g = &org.groups[a.group];
    let mut value = json!({
        "id": g.id,
        "lastUpdated": ts(&a.last_updated),
        "priority": a.priority,
        "profile": a.profile,
        "_links": {
            "app": href(base, format!("/api/v1/apps/{}", org.apps[app].id)),
            "group": href(base, format!("/api/v1/groups/{}", g.id))
        }
    });
    if embed_group {
        value["_embedded"] = json!({ "group": group(base, org, a.group, None) });
    }
    value
}

pub fn factor(base: &str, user_id: &str, f: &Factor) -> Value {
    json!({
        "id": f.id,
        "factorType": f.factor_type,
        "provider": f.provider,
        "vendorName": f.vendor_name,
        "status": f.status,
        "created": ts(&f.created),
        "lastUpdated": ts(&f.last_updated),
        "profile": f.profile,
        "_links": {
            "self": href(base, format!("/api/v1/users/{user_id}/factors/{}", f.id)),
            "user": href(base, format!("/api/v1/users/{user_id}"))
        }
    })
}

pub fn group_owner(org: &Org, o: &GroupOwner) -> Value {
    let (id, kind, name) = match o.owner {
        OwnerKind::User(u) => {
            let u = &org.users[u];
            let name = u
                .profile
                .display_name
                .clone()
                .unwrap_or_else(|| format!("{} {}", u.profile.first_name, u.profile.last_name));
            (u.id.clone(), "USER", name)
        }
        OwnerKind::Group(g) => (org.groups[g].id.clone(), "GROUP", org.groups[g].name.clone()),
    };
    json!({
        "id": id,
        "type": kind,
        "displayName": name,
        "lastUpdated": ts(&o.last_updated),
        "originType": if o.origin_app.is_some() { "APPLICATION" } else { "OKTA_DIRECTORY" },
        "originId": o.origin_app.map(|a| org.apps[a].id.clone()),
        "resolved": true
    })
}

/// The path of a principal: `/api/v1/users/{id}`, `/api/v1/groups/{id}` or the client's roles root.
pub fn principal_path(org: &Org, p: Principal) -> String {
    match p {
        Principal::User(u) => format!("/api/v1/users/{}", org.users[u].id),
        Principal::Group(g) => format!("/api/v1/groups/{}", org.groups[g].id),
        Principal::Client(a) => format!("/oauth2/v1/clients/{}", org.client_id(a).unwrap_or(&org.apps[a].id)),
    }
}

/// A role assignment as the principal-specific role endpoints list it. `via` is the principal the
/// listing was asked for (a user sees group-inherited roles with `assignmentType: GROUP`).
pub fn role_assignment(base: &str, org: &Org, ra: &RoleAssignment, targets: Option<Value>) -> Value {
    let assignment_type = match ra.principal {
        Principal::User(_) => "USER",
        Principal::Group(_) => "GROUP",
        Principal::Client(_) => "CLIENT",
    };
    let assignee = href(base, principal_path(org, ra.principal));
    let mut value = match &ra.role {
        RoleKind::Standard(role_type) => json!({
            "id": ra.id,
            "label": standard_role_label(role_type),
            "type": role_type,
            "status": "ACTIVE",
            "created": ts(&ra.created),
            "lastUpdated": ts(&ra.last_updated),
            "assignmentType": assignment_type,
            "_links": { "assignee": assignee }
        }),
        RoleKind::Custom { role, resource_set } => {
            let role = &org.custom_roles[*role];
            let rs = &org.resource_sets[*resource_set];
            json!({
                "id": ra.id,
                "label": role.label,
                "type": "CUSTOM",
                "status": "ACTIVE",
                "created": ts(&ra.created),
                "lastUpdated": ts(&ra.last_updated),
                "assignmentType": assignment_type,
                "resource-set": rs.id,
                "role": role.id,
                "_links": {
                    "assignee": assignee,
                    "resource-set": href(base, format!("/api/v1/iam/resource-sets/{}", rs.id)),
                    "member": href(base, format!("/api/v1/iam/resource-sets/{}/bindings/{}/members/{}", rs.id, role.id, ra.id)),
                    "role": href(base, format!("/api/v1/iam/roles/{}", role.id)),
                    "permissions": href(base, format!("/api/v1/iam/roles/{}/permissions", role.id))
                }
            })
        }
    };
    if let Some(expiration) = &ra.expiration {
        value["expiration"] = json!(ts(expiration));
    }
    if let Some(targets) = targets {
        value["_embedded"] = json!({ "targets": targets });
    }
    value
}

/// A catalog-app target of an APP_ADMIN assignment.
pub fn catalog_app(base: &str, org: &Org, target: &RoleTarget) -> Option<Value> {
    let (name, display, instance) = match target {
        RoleTarget::App(a) => (org.apps[*a].name.clone(), org.apps[*a].label.clone(), Some(&org.apps[*a])),
        RoleTarget::AppCatalog(name) => (name.clone(), name.clone(), None),
        RoleTarget::Group(_) => return None,
    };
    let mut value = json!({
        "name": name,
        "displayName": display,
        "description": null,
        "status": "ACTIVE",
        "lastUpdated": instance.map(|a| ts(&a.last_updated)),
        "category": "CUSTOM",
        "verificationStatus": "OKTA_VERIFIED",
        "website": null,
        "signOnModes": instance.map(|a| vec![a.sign_on_mode.as_str()]).unwrap_or_default(),
        "features": [],
        "_links": {
            "logo": [{ "name": "medium", "href": format!("{base}/assets/img/logos/default.png"), "type": "image/png" }]
        }
    });
    if let Some(a) = instance {
        value["id"] = json!(a.id);
        value["_links"]["self"] = href(base, format!("/api/v1/apps/{}", a.id));
    }
    Some(value)
}

pub fn api_token(base: &str, org: &Org, t: &ApiToken) -> Value {
    let user_id = &org.users[t.user].id;
    json!({
        "id": t.id,
        "name": t.name,
        "userId": user_id,
        "clientName": t.client_name,
        "created": ts(&t.created),
        "lastUpdated": ts(&t.last_updated),
        "expiresAt": ts(&(t.last_updated + chrono::Duration::days(30))),
        "tokenWindow": t.token_window,
        "network": { "connection": t.network_connection, "include": t.network_include, "exclude": t.network_exclude },
        "_links": {
            "self": href(base, format!("/api/v1/api-tokens/{}", t.id)),
            "user": href(base, format!("/api/v1/users/{user_id}"))
        }
    })
}

pub fn custom_role(base: &str, r: &CustomRole) -> Value {
    json!({
        "id": r.id,
        "label": r.label,
        "description": r.description,
        "created": ts(&r.created),
        "lastUpdated": ts(&r.last_updated),
        "_links": {
            "permissions": href(base, format!("/api/v1/iam/roles/{}/permissions", r.id)),
            "self": href(base, format!("/api/v1/iam/roles/{}", r.id))
        }
    })
}

pub fn permission(base: &str, r: &CustomRole, label: &str) -> Value {
    json!({
        "label": label,
        "created": ts(&r.created),
        "lastUpdated": ts(&r.last_updated),
        "conditions": null,
        "_links": {
            "role": href(base, format!("/api/v1/iam/roles/{}", r.id)),
            "self": href(base, format!("/api/v1/iam/roles/{}/permissions/{label}", r.id))
        }
    })
}

pub fn resource_set(base: &str, rs: &ResourceSet) -> Value {
    json!({
        "id": rs.id,
        "label": rs.label,
        "description": rs.description,
        "created": ts(&rs.created),
        "lastUpdated": ts(&rs.last_updated),
        "_links": {
            "self": href(base, format!("/api/v1/iam/resource-sets/{}", rs.id)),
            "resources": href(base, format!("/api/v1/iam/resource-sets/{}/resources", rs.id)),
            "bindings": href(base, format!("/api/v1/iam/resource-sets/{}/bindings", rs.id))
        }
    })
}

/// The ORN and API path of a resource-set resource.
pub fn resource_orn_and_path(org: &Org, r: &ResourceRef) -> (String, String) {
    let o = &org.org_id;
    match r {
        ResourceRef::Group(g) => {
            let id = &org.groups[*g].id;
            (format!("orn:okta:directory:{o}:groups:{id}"), format!("/api/v1/groups/{id}"))
        }
        ResourceRef::GroupMembers(g) => {
            let id = &org.groups[*g].id;
            (format!("orn:okta:directory:{o}:groups:{id}:contained_resources"), format!("/api/v1/groups/{id}/users"))
        }
        ResourceRef::App(a) => {
            let app = &org.apps[*a];
            (format!("orn:okta:idp:{o}:apps:{}:{}", app.name, app.id), format!("/api/v1/apps/{}", app.id))
        }
        ResourceRef::AllUsers => (format!("orn:okta:directory:{o}:users"), "/api/v1/users".into()),
        ResourceRef::AllGroups => (format!("orn:okta:directory:{o}:groups"), "/api/v1/groups".into()),
        ResourceRef::AllApps => (format!("orn:okta:idp:{o}:apps"), "/api/v1/apps".into()),
    }
}

pub fn resource_set_resource(base: &str, org: &Org, r: &ResourceSetResource) -> Value {
    let (orn, path) = resource_orn_and_path(org, &r.resource);
    json!({
        "id": r.id,
        "orn": orn,
        "created": ts(&r.created),
        "lastUpdated": ts(&r.created),
        "conditions": null,
        "_links": { "self": href(base, path) }
    })
}
