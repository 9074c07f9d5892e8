//! The simulated org: plain data, no IO, no wire format.
//!
//! Objects refer to each other by index into the org's vectors (`users[3]`), never by id, so that
//! the generators and the server can walk relations without lookups. Deleting an object only sets
//! its `deleted` flag: indices stay valid while a listing is in flight, as on a real org where an
//! object vanishes between two pages.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// Timestamps are UTC instants; rendered as `2024-01-02T03:04:05.000Z` on the wire.
pub type Ts = DateTime<Utc>;

/// A whole Okta organisation.
#[derive(Debug, Clone)]
pub struct Org {
    /// `00o...` id of the org itself (appears in ORNs).
    pub org_id: String,
    /// Company name, e.g. "Acme Corp".
    pub company: String,
    /// E-mail domain of the org's users, e.g. `acme.example`.
    pub email_domain: String,
    pub created: Ts,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub apps: Vec<App>,
    /// Members of each group, by group index: sorted, deduplicated user indices.
    pub group_members: Vec<Vec<usize>>,
    /// Owners of each group, by group index (Identity Governance feature).
    pub group_owners: Vec<Vec<GroupOwner>>,
    /// Direct (scope `USER`) assignments of each app, by app index.
    pub app_user_assignments: Vec<Vec<AppUserAssignment>>,
    /// Group assignments of each app, by app index.
    pub app_group_assignments: Vec<Vec<AppGroupAssignment>>,
    /// Enrolled factors of each user, by user index.
    pub factors: Vec<Vec<Factor>>,
    pub role_assignments: Vec<RoleAssignment>,
    pub custom_roles: Vec<CustomRole>,
    pub resource_sets: Vec<ResourceSet>,
    pub api_tokens: Vec<ApiToken>,
    /// Service apps that may use OAuth 2.0 client credentials against the org.
    pub oauth_clients: Vec<OAuthClient>,
    /// Whether the org has Identity Governance (group owners endpoint answers instead of E0000015).
    pub has_governance: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserStatus {
    Staged,
    Provisioned,
    Active,
    Recovery,
    PasswordExpired,
    LockedOut,
    Suspended,
    Deprovisioned,
}

impl UserStatus {
    pub const ALL: [UserStatus; 8] = [
        UserStatus::Staged,
        UserStatus::Provisioned,
        UserStatus::Active,
        UserStatus::Recovery,
        UserStatus::PasswordExpired,
        UserStatus::LockedOut,
        UserStatus::Suspended,
        UserStatus::Deprovisioned,
    ];

    /// Okta's wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Staged => "STAGED",
            UserStatus::Provisioned => "PROVISIONED",
            UserStatus::Active => "ACTIVE",
            UserStatus::Recovery => "RECOVERY",
            UserStatus::PasswordExpired => "PASSWORD_EXPIRED",
            UserStatus::LockedOut => "LOCKED_OUT",
            UserStatus::Suspended => "SUSPENDED",
            UserStatus::Deprovisioned => "DEPROVISIONED",
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub status: UserStatus,
    pub created: Ts,
    pub activated: Option<Ts>,
    pub status_changed: Option<Ts>,
    pub last_login: Option<Ts>,
    pub last_updated: Ts,
    pub password_changed: Option<Ts>,
    /// `type.id` (the user type, `oty...`).
    pub type_id: String,
    pub profile: UserProfile,
    /// `credentials.provider`: `OKTA`, `ACTIVE_DIRECTORY`, `FEDERATION`, `IMPORT`, `LDAP`, `SOCIAL`.
    pub provider_type: &'static str,
    /// `credentials.provider.name`: `OKTA` or the directory instance name.
    pub provider_name: String,
    /// Index into [`crate::org::geo::LOCATIONS`]: where this person usually signs in from.
    pub home_location: usize,
    pub deleted: bool,
}

#[derive(Debug, Clone, Default)]
pub struct UserProfile {
    pub login: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: Option<String>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub employee_number: Option<String>,
    pub manager_id: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub user_type: Option<String>,
    /// Custom attributes (additionalProperties on Okta's profile schema).
    pub custom: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupType {
    OktaGroup,
    AppGroup,
    BuiltIn,
}

impl GroupType {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupType::OktaGroup => "OKTA_GROUP",
            GroupType::AppGroup => "APP_GROUP",
            GroupType::BuiltIn => "BUILT_IN",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub created: Ts,
    pub last_updated: Ts,
    pub last_membership_updated: Ts,
    pub group_type: GroupType,
    pub name: String,
    pub description: Option<String>,
    /// For `APP_GROUP`s: the app (e.g. the Active Directory app) the group was imported from.
    pub source_app: Option<usize>,
    /// For groups imported from Active Directory.
    pub ad: Option<AdGroupProfile>,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub struct AdGroupProfile {
    pub dn: String,
    /// Base64 objectGUID.
    pub external_id: String,
    pub sam_account_name: String,
    pub windows_domain_qualified_name: String,
    pub group_scope: &'static str,
    pub group_type: &'static str,
    pub object_sid: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerKind {
    User(usize),
    Group(usize),
}

#[derive(Debug, Clone)]
pub struct GroupOwner {
    pub owner: OwnerKind,
    pub last_updated: Ts,
    /// `None` = OKTA_DIRECTORY, `Some(app)` = APPLICATION with that origin app.
    pub origin_app: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOnMode {
    AutoLogin,
    BasicAuth,
    Bookmark,
    BrowserPlugin,
    OpenIdConnect,
    Saml11,
    Saml20,
    SecurePasswordStore,
    WsFederation,
}

impl SignOnMode {
    pub const ALL: [SignOnMode; 9] = [
        SignOnMode::AutoLogin,
        SignOnMode::BasicAuth,
        SignOnMode::Bookmark,
        SignOnMode::BrowserPlugin,
        SignOnMode::OpenIdConnect,
        SignOnMode::Saml11,
        SignOnMode::Saml20,
        SignOnMode::SecurePasswordStore,
        SignOnMode::WsFederation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignOnMode::AutoLogin => "AUTO_LOGIN",
            SignOnMode::BasicAuth => "BASIC_AUTH",
            SignOnMode::Bookmark => "BOOKMARK",
            SignOnMode::BrowserPlugin => "BROWSER_PLUGIN",
            SignOnMode::OpenIdConnect => "OPENID_CONNECT",
            SignOnMode::Saml11 => "SAML_1_1",
            SignOnMode::Saml20 => "SAML_2_0",
            SignOnMode::SecurePasswordStore => "SECURE_PASSWORD_STORE",
            SignOnMode::WsFederation => "WS_FEDERATION",
        }
    }
}

#[derive(Debug, Clone)]
pub struct App {
    pub id: String,
    /// Catalog key: `bookmark`, `oidc_client`, `okta_org2org`, `active_directory`, or a generated
    /// unique key for custom SAML apps.
    pub name: String,
    pub label: String,
    /// `true` = ACTIVE, `false` = INACTIVE.
    pub active: bool,
    pub sign_on_mode: SignOnMode,
    pub created: Ts,
    pub last_updated: Ts,
    /// Mode-specific settings.
    pub details: AppDetails,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub enum AppDetails {
    /// Bookmark, SWA, basic auth, plugin, secure password store: the app's URL.
    Url { url: String },
    /// SAML 1.1/2.0 and WS-Federation: signing key and ACS/realm URL.
    Federation { sso_url: String, audience: String, signing_kid: String },
    /// OIDC apps, including API service apps.
    Oidc {
        client_id: String,
        /// `browser`, `native`, `web` or `service`.
        application_type: &'static str,
        token_endpoint_auth_method: &'static str,
        grant_types: Vec<&'static str>,
        redirect_uris: Vec<String>,
        dpop_bound_access_tokens: bool,
    },
    /// A directory integration (Active Directory / LDAP) that imports users and groups.
    Directory { domain: String },
}

#[derive(Debug, Clone)]
pub struct AppUserAssignment {
    pub user: usize,
    pub created: Ts,
    pub last_updated: Ts,
    /// `ACTIVE`, `PROVISIONED`, ...
    pub status: &'static str,
    pub sync_state: &'static str,
    pub external_id: Option<String>,
    /// App-specific attributes (e.g. `{"role": "admin"}`).
    pub profile: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct AppGroupAssignment {
    pub group: usize,
    pub last_updated: Ts,
    pub priority: i64,
    pub profile: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct Factor {
    pub id: String,
    /// `push`, `token:software:totp`, `sms`, `webauthn`, ...
    pub factor_type: &'static str,
    /// `OKTA`, `GOOGLE`, `FIDO`, ...
    pub provider: &'static str,
    pub vendor_name: &'static str,
    pub status: &'static str,
    pub created: Ts,
    pub last_updated: Ts,
    pub profile: Map<String, Value>,
}

/// Who holds a role assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Principal {
    User(usize),
    Group(usize),
    /// A service app, by app index (its client id is in its [`AppDetails::Oidc`]).
    Client(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleKind {
    /// A standard role by type: `SUPER_ADMIN`, `ORG_ADMIN`, `APP_ADMIN`, `USER_ADMIN`,
    /// `HELP_DESK_ADMIN`, `GROUP_MEMBERSHIP_ADMIN`, `READ_ONLY_ADMIN`, `MOBILE_ADMIN`,
    /// `API_ACCESS_MANAGEMENT_ADMIN`, `REPORT_ADMIN`.
    Standard(&'static str),
    /// A custom role bound over a resource set (indices into the org's vectors).
    Custom { role: usize, resource_set: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleTarget {
    Group(usize),
    /// One app instance.
    App(usize),
    /// Every instance of a catalog app, by catalog name.
    AppCatalog(String),
}

#[derive(Debug, Clone)]
pub struct RoleAssignment {
    /// `ra...` for standard roles; `irb...` (binding member id) for custom roles.
    pub id: String,
    pub principal: Principal,
    pub role: RoleKind,
    pub created: Ts,
    pub last_updated: Ts,
    /// Targets of a standard role; empty = unrestricted.
    pub targets: Vec<RoleTarget>,
    /// Time-bound grants expire; `None` = standing.
    pub expiration: Option<Ts>,
}

#[derive(Debug, Clone)]
pub struct CustomRole {
    pub id: String,
    pub label: String,
    pub description: String,
    /// e.g. `okta.users.read`, `okta.users.credentials.resetPassword`.
    pub permissions: Vec<String>,
    pub created: Ts,
    pub last_updated: Ts,
}

#[derive(Debug, Clone)]
pub struct ResourceSet {
    pub id: String,
    pub label: String,
    pub description: String,
    pub created: Ts,
    pub last_updated: Ts,
    pub resources: Vec<ResourceSetResource>,
}

#[derive(Debug, Clone)]
pub struct ResourceSetResource {
    pub id: String,
    pub created: Ts,
    pub resource: ResourceRef,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceRef {
    Group(usize),
    /// The users contained in a group.
    GroupMembers(usize),
    App(usize),
    AllUsers,
    AllGroups,
    AllApps,
}

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    /// The admin who created it; the token acts with that admin's power.
    pub user: usize,
    pub client_name: String,
    pub created: Ts,
    pub last_updated: Ts,
    /// ISO-8601 duration, e.g. `P30D`.
    pub token_window: String,
    /// `ANYWHERE` or `ZONE` (then `include`/`exclude` hold zone ids).
    pub network_connection: &'static str,
    pub network_include: Vec<String>,
    pub network_exclude: Vec<String>,
    /// The secret presented as `SSWS <secret>`. Never served by any endpoint.
    pub secret: String,
    /// API areas this token's admin may not read (403 E0000006 there).
    pub denied: Vec<ApiArea>,
}

/// The coarse permission areas of the management API, as a scope or an admin role sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiArea {
    Users,
    Groups,
    Apps,
    Roles,
    Logs,
    ApiTokens,
}

impl ApiArea {
    pub const ALL: [ApiArea; 6] =
        [ApiArea::Users, ApiArea::Groups, ApiArea::Apps, ApiArea::Roles, ApiArea::Logs, ApiArea::ApiTokens];

    /// The OAuth read scope that covers this area.
    pub fn read_scope(self) -> &'static str {
        match self {
            ApiArea::Users => "okta.users.read",
            ApiArea::Groups => "okta.groups.read",
            ApiArea::Apps => "okta.apps.read",
            ApiArea::Roles => "okta.roles.read",
            ApiArea::Logs => "okta.logs.read",
            ApiArea::ApiTokens => "okta.apiTokens.read",
        }
    }

    pub fn parse(s: &str) -> Option<ApiArea> {
        Some(match s {
            "users" => ApiArea::Users,
            "groups" => ApiArea::Groups,
            "apps" => ApiArea::Apps,
            "roles" => ApiArea::Roles,
            "logs" => ApiArea::Logs,
            "api_tokens" | "api-tokens" | "apiTokens" => ApiArea::ApiTokens,
            _ => return None,
        })
    }
}

/// A service app registered for client credentials with `private_key_jwt`.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    /// The service app (an [`AppDetails::Oidc`] app with `application_type: service`).
    pub app: usize,
    pub client_id: String,
    /// Public JWKs (`kty`, `kid`, `n`/`e` or `crv`/`x`/`y`) registered for the client assertion.
    pub public_jwks: Vec<Value>,
    /// Okta API scopes granted to the app.
    pub scopes: Vec<String>,
    /// Whether the app requires DPoP-bound tokens (Okta's default since 2024).
    pub dpop_required: bool,
}

/// Labels of the standard admin roles, as Okta returns them in `label`.
pub fn standard_role_label(role_type: &str) -> &'static str {
    match role_type {
        "SUPER_ADMIN" => "Super Administrator",
        "ORG_ADMIN" => "Organizational Administrator",
        "APP_ADMIN" => "Application Administrator",
        "USER_ADMIN" => "Group Administrator",
        "HELP_DESK_ADMIN" => "Help Desk Administrator",
        "GROUP_MEMBERSHIP_ADMIN" => "Group Membership Administrator",
        "READ_ONLY_ADMIN" => "Read-only Administrator",
        "MOBILE_ADMIN" => "Mobile Administrator",
        "API_ACCESS_MANAGEMENT_ADMIN" => "API Access Management Administrator",
        "REPORT_ADMIN" => "Report Administrator",
        _ => "Administrator",
    }
}

impl Org {
    /// Users reachable in listings and by id (not deleted).
    pub fn live_users(&self) -> impl Iterator<Item = (usize, &User)> {
        self.users.iter().enumerate().filter(|(_, u)| !u.deleted)
    }

    pub fn user_index(&self, id: &str) -> Option<usize> {
        self.users.iter().position(|u| u.id == id && !u.deleted)
    }

    pub fn group_index(&self, id: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.id == id && !g.deleted)
    }

    pub fn app_index(&self, id: &str) -> Option<usize> {
        self.apps.iter().position(|a| a.id == id && !a.deleted)
    }

    /// The client id of an OIDC app, if it is one.
    pub fn client_id(&self, app: usize) -> Option<&str> {
        match &self.apps[app].details {
            AppDetails::Oidc { client_id, .. } => Some(client_id),
            _ => None,
        }
    }

    /// Adds an active OpenID Connect app (a service app or a web sign-in app) with no assignments;
    /// returns its index.
    pub fn add_oidc_app(&mut self, label: String, details: AppDetails) -> usize {
        let now = chrono::Utc::now();
        self.apps.push(App {
            id: crate::org::ids::okta_id("0oa", &mut rand::rng()),
            name: "oidc_client".into(),
            label,
            active: true,
            sign_on_mode: SignOnMode::OpenIdConnect,
            created: now,
            last_updated: now,
            details,
            deleted: false,
        });
        self.app_user_assignments.push(Vec::new());
        self.app_group_assignments.push(Vec::new());
        self.apps.len() - 1
    }
}
