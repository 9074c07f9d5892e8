//! Control edges: which users, groups and apps each identity can take over through the admin roles
//! it holds, by Okta's rules for each role.
//!
//! Access paths say what an identity reaches today; control edges say what it can change, and so
//! what it can come to reach: resetting a user's password and factors lets it sign in as that
//! user, managing a group's members lets it put an identity it controls into the group, managing an
//! app's assignments lets it give such an identity the app. An edge runs from the identity that
//! acts (a user, a service app, or an API token acting as its creator) to what it controls, and
//! names the role assignment (and the group, for a role held through a group) that grants it.
//!
//! An edge's `scope` says what `to_id` stands for:
//! - `object`: exactly that user, group or app (for `assign_roles`, the org);
//! - `members`: every member of the group `to_id` that holds no admin role;
//! - `all`: every user, group or app of the org that the edge's role may manage (`to_id` is the
//!   org node).
//!
//! `members` and `all` keep the number of edges proportional to the role assignments rather than
//! to the users (an unrestricted help desk admin would otherwise need an edge per user of a large
//! org); [`ControlIndex`](crate::control::ControlIndex) expands them for one object.
//!
//! Rules, from Okta's table of standard roles
//! (<https://help.okta.com/en-us/content/topics/security/administrators-admin-comparison.htm>):
//! - `SUPER_ADMIN` resets any user's password and factors, adds users to any group, assigns any
//!   app, and grants any admin role; it is the only role the admin barrier below does not stop.
//! - `ORG_ADMIN` resets passwords and factors of every user and adds users to every group; it
//!   cannot assign apps ("Assign user access to applications" is not among its permissions) nor add
//!   administrators.
//! - `USER_ADMIN` (the group administrator) resets passwords and factors of its target groups'
//!   members and manages those groups' members: it creates users in them and moves users between
//!   them (<https://help.okta.com/en-us/content/topics/security/administrators-group-admin.htm>);
//!   without targets, over every user and group.
//! - `HELP_DESK_ADMIN` resets passwords and factors of its target groups' members, or of every
//!   user; it cannot assign users to groups or apps
//!   (<https://help.okta.com/en-us/content/topics/security/administrators-help-desk-admin.htm>).
//! - `GROUP_MEMBERSHIP_ADMIN` adds users to its target groups, or to any group; it manages no users
//!   (<https://help.okta.com/en-us/content/topics/security/administrators-group-membership-admin.htm>).
//! - `APP_ADMIN` assigns users to its target apps, to every instance of its target catalog apps, or
//!   to every app (<https://help.okta.com/en-us/content/topics/security/administrators-app-admin.htm>).
//! - `API_ACCESS_MANAGEMENT_ADMIN` assigns users to OpenID Connect apps (the table's "OIDC apps
//!   only").
//! - Read-only, report and mobile admins control none of these.
//! - Custom roles act by their permissions over their resource set, each permission only over
//!   resources of its kind (a user permission over a group, rather than over the group's users,
//!   grants nothing: <https://developer.okta.com/docs/concepts/role-assignment/>):
//!   `okta.users.manage`, `okta.users.credentials.manage`, or a password permission
//!   (`okta.users.credentials.resetPassword` or `expirePassword`, which sets a temporary password)
//!   together with `okta.users.credentials.resetFactors` reset credentials of the set's users (all
//!   users, a group's users, one user). A password or a factor permission alone is emitted as
//!   `reset_password` or `reset_factors`: with the other factor still the user's, it is not taken
//!   as a takeover. `okta.groups.manage` and `okta.groups.members.manage` manage the set's groups;
//!   `okta.apps.manage` and `okta.apps.assignment.manage` assign the set's apps.
//!
//! Barriers:
//! - Only super admins manage users or groups that hold admin roles
//!   (<https://help.okta.com/en-us/content/topics/security/administrators-learn-about-admins.htm>;
//!   the table lets only super admins "add users to a group assigned admin privileges"). A user
//!   holding a role directly or through any of its groups, and a group holding a role, are outside
//!   every other role's reach; a scoped admin whose target group holds a role loses that group and
//!   its members altogether. No `object` edge is emitted across the barrier; `members` and `all`
//!   edges exclude admins when expanded.
//! - Membership of the built-in Everyone group and of groups imported from an app (Active
//!   Directory, LDAP) is mastered by Okta or by the directory, never by an admin: nobody manages it.
//! - Only usable identities act. A user who is suspended, deprovisioned, not yet activated or
//!   locked out (the statuses access paths deny) has no control edges; nor has an API token whose
//!   creator is such a user; a service app acts unless its app is inactive. Inactive role
//!   assignments grant nothing; time-bound ones do until they expire.
//! - Group owners (Identity Governance) get no admin power from ownership alone
//!   (<https://help.okta.com/oie/en-us/content/topics/identity-governance/group-owner.htm>).
//! - An API token acts with its creator's power: each of the creator's edges is repeated from the
//!   token (<https://developer.okta.com/docs/guides/create-an-api-token/main/>).

use crate::graph::{edge, sub_kind};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use store::{Edge, Node};

/// Maps keyed by node ids: [`fx::Build`] hashes them several times faster than the default
/// SipHash, and a snapshot's ids are not chosen by an attacker probing the hash.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, fx::Build>;
pub(crate) type HashSet<K> = std::collections::HashSet<K, fx::Build>;

/// What a control edge lets its holder do.
pub mod capability {
    /// Reset a user's password and factors: sign in as the user.
    pub const RESET_CREDENTIALS: &str = "reset_credentials";
    /// Reset or expire a user's password only (a custom role without a factor permission).
    pub const RESET_PASSWORD: &str = "reset_password";
    /// Reset a user's factors only (a custom role without a password permission).
    pub const RESET_FACTORS: &str = "reset_factors";
    /// Add users to a group (its own identity, a user it controls, or a user it creates).
    pub const MANAGE_MEMBERSHIP: &str = "manage_membership";
    /// Assign users to an app.
    pub const MANAGE_APP_ASSIGNMENTS: &str = "manage_app_assignments";
    /// Grant any admin role, itself included.
    pub const ASSIGN_ROLES: &str = "assign_roles";
}

/// What a control edge's `to_id` stands for.
pub mod scope {
    /// Exactly the node `to_id`.
    pub const OBJECT: &str = "object";
    /// Every member of the group `to_id` that holds no admin role.
    pub const MEMBERS: &str = "members";
    /// Every object of the capability's kind in the org (`to_id` is the org node), admins excluded
    /// unless the edge is `over_admins`.
    pub const ALL: &str = "all";
}

/// One identity's power over a user, a group, an app or the org, granted by one role assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlEdge {
    /// The identity that acts: a user, a service app, or an API token (acting as its creator).
    pub from_id: Arc<str>,
    /// What it controls: a user (it can become the user), a group (it can put an identity it
    /// controls in the group), an app (it can assign such an identity to the app), or the org.
    pub to_id: Arc<str>,
    /// One of [`capability`].
    pub capability: &'static str,
    /// One of [`scope`].
    pub scope: &'static str,
    /// Whether the power reaches users and groups that hold admin roles (super admins only).
    pub over_admins: bool,
    /// The role assignment node that grants the power.
    pub via_role: Arc<str>,
    /// The group through which `from_id` holds that assignment, if it does not hold it itself.
    pub via_group: Option<Arc<str>>,
    /// The Okta rule behind the edge, in words.
    pub reason: &'static str,
}

/// Every control edge of one org's snapshot, by the rules in the module documentation.
pub fn control_edges(nodes: &[Node], edges: &[Edge]) -> Vec<ControlEdge> {
    let facts = Facts::new(nodes, edges);
    let mut texts = Texts::default();
    let mut out = Vec::new();
    let token_owners: HashSet<&str> =
        edges.iter().filter(|e| e.kind == edge::ACTS_AS).map(|e| e.to_id.as_str()).collect();
    // Edges of users who created tokens, by user, to repeat from their tokens.
    let mut by_owner: HashMap<&str, Vec<usize>> = HashMap::default();

    for has_role in edges.iter().filter(|e| e.kind == edge::HAS_ROLE) {
        let Some(assignment) = facts.assignments.get(has_role.to_id.as_str()) else { continue };
        let Some(principal) = facts.node(&has_role.from_id) else { continue };
        let powers = facts.powers(assignment);
        if powers.is_empty() {
            continue;
        }
        // (acting identity, group it holds the role through)
        let actors: Vec<(&str, Option<&str>)> = match principal.sub_kind.as_str() {
            sub_kind::USER if user_acts(status_of(principal)) => vec![(principal.id.as_str(), None)],
            sub_kind::GROUP => facts
                .admin_group_members
                .get(principal.id.as_str())
                .map(|members| {
                    members
                        .iter()
                        .filter(|m| facts.node(m).is_some_and(|u| user_acts(status_of(u))))
                        .map(|m| (*m, Some(principal.id.as_str())))
                        .collect()
                })
                .unwrap_or_default(),
            sub_kind::SERVICE_APP if facts.service_app_acts(principal) => vec![(principal.id.as_str(), None)],
            _ => Vec::new(),
        };
        for (actor, group) in actors {
            for power in &powers {
                if token_owners.contains(actor) {
                    by_owner.entry(actor).or_default().push(out.len());
                }
                out.push(ControlEdge {
                    from_id: texts.get(actor),
                    to_id: texts.get(power.to),
                    capability: power.capability,
                    scope: power.scope,
                    over_admins: power.over_admins,
                    via_role: texts.get(&assignment.node.id),
                    via_group: group.map(|g| texts.get(g)),
                    reason: power.reason,
                });
            }
        }
    }

    for token in nodes.iter().filter(|n| n.sub_kind == sub_kind::API_TOKEN) {
        let Some(owner) = facts.out(&token.id, edge::ACTS_AS).first().and_then(|e| facts.node(&e.to_id)) else {
            continue;
        };
        if !user_acts(status_of(owner)) {
            continue;
        }
        let token_id = texts.get(&token.id);
        for &i in by_owner.get(owner.id.as_str()).map(Vec::as_slice).unwrap_or_default() {
            let copy = ControlEdge { from_id: token_id.clone(), ..out[i].clone() };
            out.push(copy);
        }
    }
    out
}

/// Who can control one object, with `members` and `all` edges expanded and the admin barrier
/// applied: "who can become this user", "who can add members to this group", "who can assign this
/// app".
pub struct ControlIndex<'c> {
    control: &'c [ControlEdge],
    /// `object` edges by `to_id`.
    objects: HashMap<Arc<str>, Vec<usize>>,
    /// `members` edges by group.
    members: HashMap<Arc<str>, Vec<usize>>,
    /// `all` edges.
    all: Vec<usize>,
    kinds: HashMap<String, String>,
    admins: HashSet<String>,
    manageable: HashSet<String>,
    groups_of: HashMap<String, Vec<String>>,
}

impl<'c> ControlIndex<'c> {
    /// Indexes `control` (from [`control_edges`] over the same snapshot).
    pub fn new(nodes: &[Node], edges: &[Edge], control: &'c [ControlEdge]) -> ControlIndex<'c> {
        let facts = Facts::new(nodes, edges);
        let mut objects: HashMap<Arc<str>, Vec<usize>> = HashMap::default();
        let mut members: HashMap<Arc<str>, Vec<usize>> = HashMap::default();
        let mut all = Vec::new();
        for (i, c) in control.iter().enumerate() {
            match c.scope {
                scope::OBJECT => objects.entry(c.to_id.clone()).or_default().push(i),
                scope::MEMBERS => members.entry(c.to_id.clone()).or_default().push(i),
                _ => all.push(i),
            }
        }
        let mut groups_of: HashMap<String, Vec<String>> = HashMap::default();
        for e in edges.iter().filter(|e| e.kind == edge::MEMBER_OF && members.contains_key(e.to_id.as_str())) {
            groups_of.entry(e.from_id.clone()).or_default().push(e.to_id.clone());
        }
        ControlIndex {
            control,
            objects,
            members,
            all,
            kinds: nodes.iter().map(|n| (n.id.clone(), n.sub_kind.clone())).collect(),
            admins: facts.admin_users.iter().chain(&facts.admin_groups).map(|s| s.to_string()).collect(),
            manageable: nodes.iter().filter(|n| group_manageable(n)).map(|n| n.id.clone()).collect(),
            groups_of,
        }
    }

    /// The edges that give power over the user, group or app `id`: over a user, those that reset
    /// its credentials (fully or in part); over a group, those that manage its members; over an
    /// app, those that assign it. Inactive apps are still controlled (their assignments stay). An
    /// identity's power over itself is left out.
    pub fn controllers(&self, id: &str) -> Vec<&'c ControlEdge> {
        let Some(kind) = self.kinds.get(id) else { return Vec::new() };
        let admin = self.admins.contains(id);
        let mut found: Vec<usize> = self.objects.get(id).cloned().unwrap_or_default();
        let wanted: &[&str] = match kind.as_str() {
            sub_kind::USER => {
                if !admin {
                    for group in self.groups_of.get(id).map(Vec::as_slice).unwrap_or_default() {
                        found.extend(self.members.get(group.as_str()).map(Vec::as_slice).unwrap_or_default());
                    }
                }
                &[capability::RESET_CREDENTIALS, capability::RESET_PASSWORD, capability::RESET_FACTORS]
            }
            sub_kind::GROUP if self.manageable.contains(id) => &[capability::MANAGE_MEMBERSHIP],
            sub_kind::APP => &[capability::MANAGE_APP_ASSIGNMENTS],
            _ => &[],
        };
        found.extend(
            self.all
                .iter()
                .filter(|&&i| wanted.contains(&self.control[i].capability) && (!admin || self.control[i].over_admins)),
        );
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .map(|i| &self.control[i])
            .filter(|c| wanted.contains(&c.capability) && &*c.from_id != id)
            .collect()
    }
}

/// Whether a user can act: the statuses access paths allow.
pub(crate) fn user_acts(status: &str) -> bool {
    !matches!(status, "SUSPENDED" | "DEPROVISIONED" | "STAGED" | "PROVISIONED" | "LOCKED_OUT")
}

/// Whether resetting a user's credentials lets one sign in as the user: not when the user is
/// suspended or deprovisioned (bringing it back is a lifecycle power these roles may lack). Locked
/// out and pending users can be: a reset unlocks, and help desk admins "set password and
/// activate" pending users.
pub(crate) fn user_takeable(status: &str) -> bool {
    !matches!(status, "SUSPENDED" | "DEPROVISIONED")
}

/// A node's `okta/status` label.
pub(crate) fn status_of(node: &Node) -> &str {
    node.labels.get("okta/status").and_then(Value::as_str).unwrap_or("")
}

/// Whether admins can manage a group's membership: not Everyone (BUILT_IN) nor groups imported
/// from an app (APP_GROUP), whose membership the directory masters.
pub(crate) fn group_manageable(node: &Node) -> bool {
    node.sub_kind == sub_kind::GROUP
        && !matches!(node.labels.get("okta/group_type").and_then(Value::as_str), Some("BUILT_IN" | "APP_GROUP"))
}

/// An active role assignment.
pub(crate) struct Assignment<'a> {
    pub node: &'a Node,
    /// `SUPER_ADMIN`, ..., `CUSTOM`.
    pub role_type: &'a str,
    /// The custom role definition, for `CUSTOM`.
    pub custom_role: Option<&'a Node>,
    /// The assignment's Okta id (what access paths' `via` names).
    pub okta_id: Option<String>,
}

#[derive(Deserialize)]
struct AssignmentProperties {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct CustomRoleProperties {
    #[serde(default)]
    permissions: Vec<String>,
}

/// What a snapshot says about admins, shared by control and escalation.
pub(crate) struct Facts<'a> {
    nodes: HashMap<&'a str, &'a Node>,
    /// Edges of the few kinds the rules follow, by (from, kind).
    out: HashMap<(&'a str, &'a str), Vec<&'a Edge>>,
    /// Active role assignments by node id.
    pub assignments: HashMap<&'a str, Assignment<'a>>,
    /// Users holding an active role, directly or through a group.
    pub admin_users: HashSet<&'a str>,
    /// Groups holding an active role.
    pub admin_groups: HashSet<&'a str>,
    /// The members of each admin group.
    pub admin_group_members: HashMap<&'a str, Vec<&'a str>>,
    /// The org node.
    pub org: Option<&'a str>,
}

const FOLLOWED: [&str; 6] =
    [edge::HAS_ROLE, edge::SCOPED_TO, edge::INSTANCE_OF, edge::CONTAINS, edge::ACTS_AS, edge::CLIENT_OF];

impl<'a> Facts<'a> {
    pub fn new(nodes: &'a [Node], edges: &'a [Edge]) -> Facts<'a> {
        let by_id: HashMap<&str, &Node> = nodes.iter().map(|n| (n.id.as_str(), n)).collect();
        let mut out: HashMap<(&str, &str), Vec<&Edge>> = HashMap::default();
        for e in edges.iter().filter(|e| FOLLOWED.contains(&e.kind.as_str())) {
            out.entry((e.from_id.as_str(), e.kind.as_str())).or_default().push(e);
        }
        let mut assignments = HashMap::default();
        for node in nodes.iter().filter(|n| n.sub_kind == sub_kind::ROLE) {
            let properties: AssignmentProperties =
                serde_json::from_str(node.properties.get()).unwrap_or(AssignmentProperties { id: None, status: None });
            if properties.status.as_deref() == Some("INACTIVE") {
                continue;
            }
            let role_type = node.labels.get("okta/role_type").and_then(Value::as_str).unwrap_or_default();
            let custom_role = out
                .get(&(node.id.as_str(), edge::INSTANCE_OF))
                .and_then(|e| e.first())
                .and_then(|e| by_id.get(e.to_id.as_str()).copied());
            assignments.insert(node.id.as_str(), Assignment { node, role_type, custom_role, okta_id: properties.id });
        }
        let mut admin_users = HashSet::default();
        let mut admin_groups = HashSet::default();
        for e in edges.iter().filter(|e| e.kind == edge::HAS_ROLE && assignments.contains_key(e.to_id.as_str())) {
            match by_id.get(e.from_id.as_str()).map(|n| n.sub_kind.as_str()) {
                Some(sub_kind::USER) => {
                    admin_users.insert(e.from_id.as_str());
                }
                Some(sub_kind::GROUP) => {
                    admin_groups.insert(e.from_id.as_str());
                }
                _ => {}
            }
        }
        let mut admin_group_members: HashMap<&str, Vec<&str>> = HashMap::default();
        // Members are listed group by group: consecutive edges mostly share their group.
        let mut last: (&str, bool) = ("", false);
        for e in edges.iter().filter(|e| e.kind == edge::MEMBER_OF) {
            if last.0 != e.to_id {
                last = (e.to_id.as_str(), admin_groups.contains(e.to_id.as_str()));
            }
            if last.1 {
                admin_users.insert(e.from_id.as_str());
                admin_group_members.entry(e.to_id.as_str()).or_default().push(e.from_id.as_str());
            }
        }
        let org = nodes.iter().find(|n| n.sub_kind == sub_kind::ORG).map(|n| n.id.as_str());
        Facts { nodes: by_id, out, assignments, admin_users, admin_groups, admin_group_members, org }
    }

    pub fn node(&self, id: &str) -> Option<&'a Node> {
        self.nodes.get(id).copied()
    }

    pub fn out(&self, from: &'a str, kind: &'static str) -> &[&'a Edge] {
        self.out.get(&(from, kind)).map(Vec::as_slice).unwrap_or_default()
    }

    fn is_admin(&self, id: &str) -> bool {
        self.admin_users.contains(id) || self.admin_groups.contains(id)
    }

    /// A service app acts unless its app is inactive.
    pub fn service_app_acts(&self, client: &'a Node) -> bool {
        !self
            .out(&client.id, edge::CLIENT_OF)
            .iter()
            .filter_map(|e| self.node(&e.to_id))
            .any(|app| status_of(app) == "INACTIVE")
    }

    /// What an assignment lets its holders do, resolved against its scope.
    fn powers(&self, assignment: &Assignment<'a>) -> Vec<Resolved<'a>> {
        let custom = assignment.role_type == "CUSTOM";
        let grants: Vec<Power> = if custom {
            let permissions = assignment
                .custom_role
                .and_then(|r| serde_json::from_str::<CustomRoleProperties>(r.properties.get()).ok())
                .map(|p| p.permissions)
                .unwrap_or_default();
            custom_powers(&permissions)
        } else {
            standard_powers(assignment.role_type).to_vec()
        };
        if grants.is_empty() {
            return Vec::new();
        }
        let over_admins = assignment.role_type == "SUPER_ADMIN";
        let mut resources = Vec::new();
        for scoped in self.out(&assignment.node.id, edge::SCOPED_TO) {
            let Some(target) = self.node(&scoped.to_id) else { continue };
            match target.sub_kind.as_str() {
                sub_kind::RESOURCE_SET if custom => {
                    for contained in self.out(&target.id, edge::CONTAINS) {
                        let Some(resource) = self.node(&contained.to_id) else { continue };
                        let kind = contained.properties.get("scope").and_then(Value::as_str).unwrap_or("");
                        resources.push((resource, Resource::from_set(kind)));
                    }
                }
                _ if custom => {}
                sub_kind::ORG => resources.push((target, Resource::Org)),
                sub_kind::GROUP => resources.push((target, Resource::GroupTarget)),
                sub_kind::APP => resources.push((target, Resource::App)),
                sub_kind::APP_CATALOG => resources.push((target, Resource::Catalog)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for power in &grants {
            for &(node, resource) in &resources {
                self.resolve(power, node, resource, over_admins, &mut out);
            }
        }
        out
    }

    /// The edges one power gives over one resource of the role's scope.
    fn resolve(
        &self,
        power: &Power,
        node: &'a Node,
        resource: Resource,
        over_admins: bool,
        out: &mut Vec<Resolved<'a>>,
    ) {
        let org = self.org.unwrap_or_default();
        let mut push = |to: &'a str, scope: &'static str| {
            out.push(Resolved { to, scope, capability: power.capability, over_admins, reason: power.reason })
        };
        let barred = |id: &str| !over_admins && self.is_admin(id);
        match (power.object, resource) {
            (Object::Users, Resource::Org | Resource::AllUsers) => push(org, scope::ALL),
            (Object::Users, Resource::GroupTarget | Resource::GroupMembers) if !barred(&node.id) => {
                push(&node.id, scope::MEMBERS)
            }
            (Object::Users, Resource::User) if !barred(&node.id) => push(&node.id, scope::OBJECT),
            (Object::Groups, Resource::Org | Resource::AllGroups) => push(org, scope::ALL),
            (Object::Groups, Resource::GroupTarget | Resource::Group)
                if group_manageable(node) && !barred(&node.id) =>
            {
                push(&node.id, scope::OBJECT)
            }
            (Object::Apps, Resource::Org | Resource::AllApps) => push(org, scope::ALL),
            (Object::Apps, Resource::App) => push(&node.id, scope::OBJECT),
            (Object::Apps, Resource::Catalog) => {
                for instance in self.out(&node.id, edge::CONTAINS) {
                    push(&instance.to_id, scope::OBJECT);
                }
            }
            (Object::OidcApps, Resource::Org) => {
                let mut oidc: Vec<&'a Node> = self
                    .nodes
                    .values()
                    .filter(|n| {
                        n.sub_kind == sub_kind::APP
                            && n.labels.get("okta/sign_on_mode").and_then(Value::as_str) == Some("OPENID_CONNECT")
                    })
                    .copied()
                    .collect();
                oidc.sort_by(|a, b| a.id.cmp(&b.id));
                for app in oidc {
                    push(&app.id, scope::OBJECT);
                }
            }
            (Object::Roles, Resource::Org) => push(org, scope::OBJECT),
            _ => {}
        }
    }
}

/// What kind of object a power acts on.
#[derive(Clone, Copy)]
enum Object {
    Users,
    Groups,
    Apps,
    /// OpenID Connect apps only.
    OidcApps,
    Roles,
}

#[derive(Clone, Copy)]
struct Power {
    capability: &'static str,
    object: Object,
    reason: &'static str,
}

/// A part of a role's scope.
#[derive(Clone, Copy)]
enum Resource {
    /// An unrestricted standard role: the whole org.
    Org,
    /// A standard role's target group: the group and its users.
    GroupTarget,
    /// A standard role's target app instance, or a resource set's app.
    App,
    /// Every instance of a catalog app.
    Catalog,
    AllUsers,
    AllGroups,
    AllApps,
    /// A resource set's group (the group object, not its users).
    Group,
    /// A resource set's "users of a group".
    GroupMembers,
    /// A resource set's user.
    User,
    Other,
}

impl Resource {
    /// From the `scope` the IAM collector gives a resource set's resource.
    fn from_set(scope: &str) -> Resource {
        match scope {
            "all_users" => Resource::AllUsers,
            "all_groups" => Resource::AllGroups,
            "all_apps" => Resource::AllApps,
            "group" => Resource::Group,
            "group_members" => Resource::GroupMembers,
            "user" => Resource::User,
            "app" => Resource::App,
            "catalog_app" => Resource::Catalog,
            _ => Resource::Other,
        }
    }
}

/// One power resolved to an edge's end.
struct Resolved<'a> {
    to: &'a str,
    scope: &'static str,
    capability: &'static str,
    over_admins: bool,
    reason: &'static str,
}

const fn power(capability: &'static str, object: Object, reason: &'static str) -> Power {
    Power { capability, object, reason }
}

use capability::{ASSIGN_ROLES, MANAGE_APP_ASSIGNMENTS, MANAGE_MEMBERSHIP, RESET_CREDENTIALS};

const SUPER_ADMIN: [Power; 4] = [
    power(RESET_CREDENTIALS, Object::Users, "super admins reset the password and factors of any user"),
    power(MANAGE_MEMBERSHIP, Object::Groups, "super admins add users to any group"),
    power(MANAGE_APP_ASSIGNMENTS, Object::Apps, "super admins assign users to any app"),
    power(ASSIGN_ROLES, Object::Roles, "super admins grant any admin role"),
];
const ORG_ADMIN: [Power; 2] = [
    power(RESET_CREDENTIALS, Object::Users, "org admins reset the password and factors of users who are not admins"),
    power(MANAGE_MEMBERSHIP, Object::Groups, "org admins add users to groups without admin roles"),
];
const USER_ADMIN: [Power; 2] = [
    power(
        RESET_CREDENTIALS,
        Object::Users,
        "group admins reset the password and factors of their groups' users who are not admins",
    ),
    power(MANAGE_MEMBERSHIP, Object::Groups, "group admins create users in their groups and move users between them"),
];
const HELP_DESK_ADMIN: [Power; 1] = [power(
    RESET_CREDENTIALS,
    Object::Users,
    "help desk admins reset the password and factors of their groups' users who are not admins",
)];
const GROUP_MEMBERSHIP_ADMIN: [Power; 1] =
    [power(MANAGE_MEMBERSHIP, Object::Groups, "group membership admins add users to their groups")];
const APP_ADMIN: [Power; 1] = [power(MANAGE_APP_ASSIGNMENTS, Object::Apps, "app admins assign users to their apps")];
const API_ACCESS_MANAGEMENT_ADMIN: [Power; 1] = [power(
    MANAGE_APP_ASSIGNMENTS,
    Object::OidcApps,
    "API access management admins assign users to OpenID Connect apps",
)];

fn standard_powers(role_type: &str) -> &'static [Power] {
    match role_type {
        "SUPER_ADMIN" => &SUPER_ADMIN,
        "ORG_ADMIN" => &ORG_ADMIN,
        "USER_ADMIN" => &USER_ADMIN,
        "HELP_DESK_ADMIN" => &HELP_DESK_ADMIN,
        "GROUP_MEMBERSHIP_ADMIN" => &GROUP_MEMBERSHIP_ADMIN,
        "APP_ADMIN" => &APP_ADMIN,
        "API_ACCESS_MANAGEMENT_ADMIN" => &API_ACCESS_MANAGEMENT_ADMIN,
        _ => &[],
    }
}

/// The powers a custom role's permissions give (permission names from
/// <https://developer.okta.com/docs/api/openapi/okta-management/guides/permissions>).
fn custom_powers(permissions: &[String]) -> Vec<Power> {
    let has = |names: &[&str]| permissions.iter().any(|p| names.contains(&p.as_str()));
    let full = has(&["okta.users.manage", "okta.users.credentials.manage"]);
    let password = has(&["okta.users.credentials.resetPassword", "okta.users.credentials.expirePassword"]);
    let factors = has(&["okta.users.credentials.resetFactors"]);
    let mut powers = Vec::new();
    if full || (password && factors) {
        powers.push(power(
            RESET_CREDENTIALS,
            Object::Users,
            "a custom role with password and factor permissions resets both for its resource set's users",
        ));
    } else if password {
        powers.push(power(
            capability::RESET_PASSWORD,
            Object::Users,
            "a custom role with a password permission resets passwords of its resource set's users",
        ));
    } else if factors {
        powers.push(power(
            capability::RESET_FACTORS,
            Object::Users,
            "a custom role with okta.users.credentials.resetFactors resets factors of its resource set's users",
        ));
    }
    if has(&["okta.groups.manage", "okta.groups.members.manage"]) {
        powers.push(power(
            MANAGE_MEMBERSHIP,
            Object::Groups,
            "a custom role with a group member permission adds users to its resource set's groups",
        ));
    }
    if has(&["okta.apps.manage", "okta.apps.assignment.manage"]) {
        powers.push(power(
            MANAGE_APP_ASSIGNMENTS,
            Object::Apps,
            "a custom role with an app assignment permission assigns users to its resource set's apps",
        ));
    }
    powers
}

/// The Fx hash (as in the Rust compiler): a multiply and a rotate per eight bytes.
pub(crate) mod fx {
    use std::hash::{BuildHasherDefault, Hasher};

    pub type Build = BuildHasherDefault<FxHasher>;

    #[derive(Default, Clone, Copy)]
    pub struct FxHasher {
        hash: u64,
    }

    impl FxHasher {
        fn add(&mut self, word: u64) {
            self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    impl Hasher for FxHasher {
        fn write(&mut self, bytes: &[u8]) {
            let mut chunks = bytes.chunks_exact(8);
            for chunk in &mut chunks {
                self.add(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
            }
            let rest = chunks.remainder();
            if !rest.is_empty() {
                let mut last = [0u8; 8];
                last[..rest.len()].copy_from_slice(rest);
                self.add(u64::from_le_bytes(last));
            }
        }

        fn write_u8(&mut self, i: u8) {
            self.add(u64::from(i));
        }

        fn write_u32(&mut self, i: u32) {
            self.add(u64::from(i));
        }

        fn write_u64(&mut self, i: u64) {
            self.add(i);
        }

        fn write_usize(&mut self, i: usize) {
            self.add(i as u64);
        }

        fn finish(&self) -> u64 {
            self.hash
        }
    }
}

/// Ids shared by many edges, kept once.
#[derive(Default)]
struct Texts {
    texts: HashMap<String, Arc<str>>,
}

impl Texts {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(t) = self.texts.get(s) {
            return t.clone();
        }
        let t: Arc<str> = Arc::from(s);
        self.texts.insert(s.to_string(), t.clone());
        t
    }
}

/// Hand-built orgs for the tests of control and escalation.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::graph::{GraphBuilder, edge, kind, label, sub_kind};
    use serde_json::json;
    use store::{Edge, Node};

    pub struct Org {
        pub g: GraphBuilder,
    }

    impl Org {
        pub fn new() -> Org {
            Org { g: GraphBuilder::new("https://acme.okta.com") }
        }
        pub fn id(&self, okta_id: &str) -> String {
            self.g.id(okta_id)
        }
        /// A user `<id>@acme.com`.
        pub fn user(&mut self, id: &str, status: &str) -> String {
            let node_id = self.g.id(id);
            let node = self.g.add_node(&node_id, kind::IDENTITY, sub_kind::USER, &format!("{id}@acme.com"), json!({}));
            label(node, "okta/status", status);
            node_id
        }
        pub fn group_of_type(&mut self, id: &str, group_type: &str) -> String {
            let node_id = self.g.id(id);
            let node = self.g.add_node(&node_id, kind::IDENTITY_GROUP, sub_kind::GROUP, id, json!({}));
            label(node, "okta/group_type", group_type);
            node_id
        }
        pub fn group(&mut self, id: &str) -> String {
            self.group_of_type(id, "OKTA_GROUP")
        }
        pub fn app_with_mode(&mut self, id: &str, status: &str, mode: &str) -> String {
            let node_id = self.g.id(id);
            let node = self.g.add_node(&node_id, kind::RESOURCE, sub_kind::APP, id, json!({}));
            label(node, "okta/status", status);
            label(node, "okta/sign_on_mode", mode);
            let grant = self.g.id(&format!("{id}:assignment"));
            self.g.add_node(&grant, kind::ACTION, sub_kind::APP_ASSIGNMENT, id, json!({}));
            self.g.add_edge(&grant, edge::GRANTS, &node_id, json!({}));
            node_id
        }
        pub fn app(&mut self, id: &str) -> String {
            self.app_with_mode(id, "ACTIVE", "SAML_2_0")
        }
        pub fn member(&mut self, user: &str, group: &str) {
            self.g.add_edge(user, edge::MEMBER_OF, group, json!({}));
        }
        /// Assigns `app` (its node id) to a user or group.
        pub fn assign(&mut self, principal: &str, app: &str) {
            let grant = format!("{app}:assignment");
            self.g.add_edge(principal, edge::ASSIGNED, &grant, json!({}));
        }
        /// A standard role assignment `id` held by `holder`, scoped to `targets` (none: the org).
        pub fn role(&mut self, holder: &str, id: &str, role_type: &str, targets: &[&str]) -> String {
            let node_id = self.g.id(id);
            let node = self.g.add_node(
                &node_id,
                kind::ACTION,
                sub_kind::ROLE,
                &role_label(role_type),
                json!({"id": id, "type": role_type, "status": "ACTIVE"}),
            );
            label(node, "okta/role_type", role_type);
            self.g.add_edge(holder, edge::HAS_ROLE, &node_id, json!({}));
            if targets.is_empty() {
                let org = self.g.org_node_id();
                self.g.add_edge(&node_id, edge::SCOPED_TO, &org, json!({"scope": "unrestricted"}));
            }
            for target in targets {
                self.g.add_edge(&node_id, edge::SCOPED_TO, target, json!({}));
            }
            node_id
        }
        /// A custom role `label` with `permissions`, bound for `holder` over a resource set of
        /// `(node id, scope)` resources.
        pub fn custom_role(
            &mut self,
            holder: &str,
            id: &str,
            label_text: &str,
            permissions: &[&str],
            resources: &[(&str, &str)],
        ) -> String {
            let role = self.g.id(&format!("cr_{id}"));
            self.g.add_node(
                &role,
                kind::ACTION,
                sub_kind::CUSTOM_ROLE,
                label_text,
                json!({"permissions": permissions}),
            );
            let set = self.g.id(&format!("iam_{id}"));
            self.g.add_node(
                &set,
                kind::RESOURCE_GROUP,
                sub_kind::RESOURCE_SET,
                &format!("{label_text} set"),
                json!({}),
            );
            for (i, (resource, scope)) in resources.iter().enumerate() {
                self.g.add_edge_keyed(&set, edge::CONTAINS, resource, &i.to_string(), json!({"scope": scope}));
            }
            let node_id = self.g.id(id);
            let node = self.g.add_node(
                &node_id,
                kind::ACTION,
                sub_kind::ROLE,
                label_text,
                json!({"id": id, "type": "CUSTOM", "status": "ACTIVE"}),
            );
            label(node, "okta/role_type", "CUSTOM");
            self.g.add_edge(holder, edge::HAS_ROLE, &node_id, json!({}));
            self.g.add_edge(&node_id, edge::INSTANCE_OF, &role, json!({}));
            self.g.add_edge(&node_id, edge::SCOPED_TO, &set, json!({"scope": "resource_set"}));
            node_id
        }
        pub fn token(&mut self, id: &str, owner: &str) -> String {
            let node_id = self.g.id(id);
            self.g.add_node(&node_id, kind::IDENTITY, sub_kind::API_TOKEN, id, json!({}));
            self.g.add_edge(&node_id, edge::ACTS_AS, owner, json!({}));
            node_id
        }
        pub fn service_app(&mut self, id: &str) -> String {
            let app = self.app_with_mode(id, "ACTIVE", "OAUTH_2_0");
            let node_id = self.g.id(&format!("{id}:client"));
            self.g.add_node(&node_id, kind::IDENTITY, sub_kind::SERVICE_APP, id, json!({}));
            self.g.add_edge(&node_id, edge::CLIENT_OF, &app, json!({}));
            node_id
        }
        pub fn finish(self) -> (Vec<Node>, Vec<Edge>) {
            let (nodes, edges, _) = self.g.finish();
            (nodes, edges)
        }
    }

    pub fn role_label(role_type: &str) -> String {
        match role_type {
            "SUPER_ADMIN" => "Super Administrator".into(),
            "ORG_ADMIN" => "Organizational Administrator".into(),
            "USER_ADMIN" => "Group Administrator".into(),
            "HELP_DESK_ADMIN" => "Help Desk Administrator".into(),
            "GROUP_MEMBERSHIP_ADMIN" => "Group Membership Administrator".into(),
            "APP_ADMIN" => "Application Administrator".into(),
            other => other.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::Org;
    use super::*;

    fn who_controls(nodes: &[Node], edges: &[Edge], control: &[ControlEdge], id: &str) -> Vec<(String, &'static str)> {
        let index = ControlIndex::new(nodes, edges, control);
        let mut who: Vec<(String, &'static str)> =
            index.controllers(id).into_iter().map(|c| (c.from_id.to_string(), c.capability)).collect();
        who.sort();
        who.dedup();
        who
    }

    #[test]
    fn super_admins_control_everything_other_super_admins_included() {
        let mut org = Org::new();
        let (root, other) = (org.user("root", "ACTIVE"), org.user("other", "ACTIVE"));
        let admins = org.group("admins");
        let aws = org.app("aws");
        org.role(&root, "ra1", "SUPER_ADMIN", &[]);
        org.role(&other, "ra2", "SUPER_ADMIN", &[]);
        org.role(&admins, "ra3", "READ_ONLY_ADMIN", &[]);
        let (nodes, edges) = org.finish();
        let control = control_edges(&nodes, &edges);
        assert_eq!(who_controls(&nodes, &edges, &control, &other), vec![(root.clone(), "reset_credentials")]);
        assert_eq!(who_controls(&nodes, &edges, &control, &admins)[0], (other.clone(), "manage_membership"));
        assert_eq!(who_controls(&nodes, &edges, &control, &aws).len(), 2);
        assert!(control.iter().any(|c| *c.from_id == *root && c.capability == "assign_roles" && c.over_admins));
    }

    #[test]
    fn org_admins_manage_users_and_groups_but_no_admin_no_app_and_no_role() {
        let mut org = Org::new();
        let (boss, root, plain, helper) = (
            org.user("boss", "ACTIVE"),
            org.user("root", "ACTIVE"),
            org.user("plain", "ACTIVE"),
            org.user("helper", "ACTIVE"),
        );
        let (eng, helpdesk) = (org.group("eng"), org.group("helpdesk"));
        let aws = org.app("aws");
        org.member(&helper, &helpdesk);
        org.role(&boss, "ra1", "ORG_ADMIN", &[]);
        org.role(&root, "ra2", "SUPER_ADMIN", &[]);
        org.role(&helpdesk, "ra3", "HELP_DESK_ADMIN", &[&eng]);
        let (nodes, edges) = org.finish();
        let control = control_edges(&nodes, &edges);
        let who = |id: &str| who_controls(&nodes, &edges, &control, id);
        assert!(who(&plain).contains(&(boss.clone(), "reset_credentials")));
        assert!(
            !who(&root).iter().any(|(from, _)| *from == boss),
            "the barrier: an org admin cannot touch a super admin"
        );
        assert!(!who(&helper).iter().any(|(from, _)| *from == boss), "nor an admin through a group");
        assert!(who(&eng).contains(&(boss.clone(), "manage_membership")));
        assert!(!who(&helpdesk).iter().any(|(from, _)| *from == boss), "nor a group that holds a role");
        assert!(!who(&aws).iter().any(|(from, _)| *from == boss), "org admins do not assign apps");
        assert!(!control.iter().any(|c| *c.from_id == *boss && c.capability == "assign_roles"));
    }

    #[test]
    fn help_desk_admins_become_their_groups_users_except_admins() {
        let mut org = Org::new();
        let (desk, bob, carl, dora) = (
            org.user("desk", "ACTIVE"),
            org.user("bob", "ACTIVE"),
            org.user("carl", "ACTIVE"),
            org.user("dora", "ACTIVE"),
        );
        let (sales, eng) = (org.group("sales"), org.group("eng"));
        org.member(&bob, &sales);
        org.member(&carl, &sales);
        org.member(&dora, &eng);
        org.role(&desk, "ra1", "HELP_DESK_ADMIN", &[&sales]);
        org.role(&carl, "ra2", "REPORT_ADMIN", &[]);
        let (nodes, edges) = org.finish();
        let control = control_edges(&nodes, &edges);
        let who = |id: &str| who_controls(&nodes, &edges, &control, id);
        assert_eq!(who(&bob), vec![(desk.clone(), "reset_credentials")]);
        assert!(who(&carl).is_empty(), "the barrier: carl holds a role");
        assert!(who(&dora).is_empty(), "dora is outside the target group");
        assert!(who(&sales).is_empty(), "help desk admins do not manage membership");
        assert_eq!(control.len(), 1);
        assert_eq!((control[0].scope, &*control[0].to_id), ("members", sales.as_str()));
    }

    #[test]
    fn a_target_group_that_holds_a_role_is_lost_to_its_scoped_admins() {
        let mut org = Org::new();
        let (desk, gma, ann) = (org.user("desk", "ACTIVE"), org.user("gma", "ACTIVE"), org.user("ann", "ACTIVE"));
        let ops = org.group("ops");
        org.member(&ann, &ops);
        org.role(&ops, "ra1", "READ_ONLY_ADMIN", &[]);
        org.role(&desk, "ra2", "HELP_DESK_ADMIN", &[&ops]);
        org.role(&gma, "ra3", "GROUP_MEMBERSHIP_ADMIN", &[&ops]);
        let (nodes, edges) = org.finish();
        let control = control_edges(&nodes, &edges);
        assert!(control.is_empty(), "{control:?}");
    }

    #[test]
    fn group_admins_reset_their_users_and_manage_their_groups() {
        let mut org = Org::new();
        let (ga, bob) = (org.user("ga", "ACTIVE"), org.user("bob", "ACTIVE"));
        let (sales, everyone, ad) =
            (org.group("sales"), org.group_of_type("everyone", "BUILT_IN"), org.group_of_type("ad", "APP_GROUP"));
        org.member(&bob, &sales);
        org.role(&ga, "ra1", "USER_ADMIN", &[&sales, &everyone, &ad]);
        let (nodes, edges) = org.finish();
        let control = control_edges(&nodes, &edges);
        let who = |id: &str| who_controls(&nodes, &edges, &control, id);
        assert_eq!(who(&bob), vec![(ga.clone(), "reset_credentials")]);
        assert_eq!(who(&sales), vec![(ga.clone(), "manage_membership")]);
        assert!(who(&everyone).is_empty() && who(&ad).is_empty(), "memberships mastered elsewhere");
    }

    #[test]
    fn group_membership_admins_add_to_their_groups_or_any_group_without_roles() {
        let mut org = Org::new();
        let (one, any) = (org.user("one", "ACTIVE"), org.user("any", "ACTIVE"));
        let (h, k, admins) = (org.group("h"), org.group("k"), org.group("admins"));
        org.role(&one, "ra1", "GROUP_MEMBERSHIP_ADMIN", &[&h]);
        org.role(&any, "ra2", "GROUP_MEMBERSHIP_ADMIN", &[]);
        org.role(&admins, "ra3", "SUPER_ADMIN", &[]);
        let (nodes, edges) = org.finish();
        let control = control_edges(&nodes, &edges);
        let who = |id: &str| who_controls(&nodes, &edges, &control, id);
        assert_eq!(who(&h), vec![(any.clone(), "manage_membership"), (one.clone(), "manage_membership")]);
        assert_eq!(who(&k), vec![(any.clone(), "manage_membership")]);
        assert!(who(&admins).is_empty(), "the barrier: only super admins join a group holding a role");
        assert!(!who(&one).iter().any(|(f, _)| *f == any), "membership admins manage no users");
    }

    #[test]
    fn app_admins_assign_their_apps_and_api_access_admins_oidc_apps() {
        let mut org = Org::new();
        let (one, cat, all, api) = (
            org.user("one", "ACTIVE"),
            org.user("cat", "ACTIVE"),
            org.user("all", "ACTIVE"),
            org.user("api", "ACTIVE"),
        );
        let (aws, aws2, slack) = (org.app("aws"), org.app("aws2"), org.app("slack"));
        let portal = org.app_with_mode("portal", "ACTIVE", "OPENID_CONNECT");
        let catalog = org.id("catalog:amazon_aws");
        org.g.add_node(&catalog, "resource_group", sub_kind::APP_CATALOG, "amazon_aws", serde_json::json!({}));
        org.g.add_edge(&catalog, edge::CONTAINS, &aws, serde_json::json!({}));
        org.g.add_edge(&catalog, edge::CONTAINS, &aws2, serde_json::json!({}));
        org.role(&one, "ra1", "APP_ADMIN", &[&slack]);
        org.role(&cat, "ra2", "APP_ADMIN", &[&catalog]);
        org.role(&all, "ra3", "APP_ADMIN", &[]);
        org.role(&api, "ra4", "API_ACCESS_MANAGEMENT_ADMIN", &[]);
        let (nodes, edges) = org.finish();
        let control = control_edges(&nodes, &edges);
        let who = |id: &str| who_controls(&nodes, &edges, &control, id).into_iter().map(|(f, _)| f).collect::<Vec<_>>();
        assert_eq!(who(&slack), vec![all.clone(), one.clone()]);
        assert_eq!(who(&aws2), vec![all.clone(), cat.clone()]);
        assert_eq!(who(&portal), vec![all.clone(), api.clone()]);
    }

    #[test]
    fn custom_roles_act_by_permission_over_their_resources_of_the_right_kind() {
        let mut org = Org::new();
        let (resetter, half, joiner, misfit, bob, ann) = (
            org.user("resetter", "ACTIVE"),
            org.user("half", "ACTIVE"),
            org.user("joiner", "ACTIVE"),
            org.user("misfit", "ACTIVE"),
            org.user("bob", "ACTIVE"),
            org.user("ann", "ACTIVE"),
        );
        let (support, projects) = (org.group("support"), org.group("projects"));
        let aws = org.app("aws");
        org.member(&bob, &support);
        let full = ["okta.users.credentials.resetPassword", "okta.users.credentials.resetFactors"];
        org.custom_role(&resetter, "c1", "Resetter", &full, &[(&support, "group_members"), (&ann, "user")]);
        org.custom_role(
            &half,
            "c2",
            "Password only",
            &["okta.users.credentials.resetPassword"],
            &[(&support, "group_members")],
        );
        org.custom_role(
            &joiner,
            "c3",
            "Joiner",
            &["okta.groups.members.manage", "okta.apps.assignment.manage"],
            &[(&projects, "group"), (&aws, "app")],
        );
        // User permissions over a group object (not its users) give nothing.
        org.custom_role(&misfit, "c4", "Misfit", &["okta.users.manage"], &[(&support, "group")]);
        let (nodes, edges) = org.finish();
        let control = control_edges(&nodes, &edges);
        let who = |id: &str| who_controls(&nodes, &edges, &control, id);
        assert_eq!(who(&bob), vec![(half.clone(), "reset_password"), (resetter.clone(), "reset_credentials")]);
        assert_eq!(who(&ann), vec![(resetter.clone(), "reset_credentials")]);
        assert_eq!(who(&projects), vec![(joiner.clone(), "manage_membership")]);
        assert_eq!(who(&aws), vec![(joiner.clone(), "manage_app_assignments")]);
        assert!(!control.iter().any(|c| *c.from_id == *misfit));
    }

    #[test]
    fn roles_through_groups_count_for_every_active_member_and_tokens_act_as_their_creator() {
        let mut org = Org::new();
        let (ann, sam, bob) = (org.user("ann", "ACTIVE"), org.user("sam", "SUSPENDED"), org.user("bob", "ACTIVE"));
        let (helpdesk, sales) = (org.group("helpdesk"), org.group("sales"));
        org.member(&ann, &helpdesk);
        org.member(&sam, &helpdesk);
        org.member(&bob, &sales);
        org.role(&helpdesk, "ra1", "HELP_DESK_ADMIN", &[&sales]);
        let token = org.token("00T1", &ann);
        let dead = org.token("00T2", &sam);
        let (nodes, edges) = org.finish();
        let control = control_edges(&nodes, &edges);
        let from: Vec<&str> = control.iter().map(|c| &*c.from_id).collect();
        assert_eq!(from, vec![ann.as_str(), token.as_str()], "the suspended member and its token act not");
        assert_eq!(control[0].via_group.as_deref(), Some(helpdesk.as_str()));
        assert!(!from.contains(&dead.as_str()));
    }

    #[test]
    fn suspended_admins_inactive_assignments_and_service_apps() {
        let mut org = Org::new();
        let (sam, ina) = (org.user("sam", "SUSPENDED"), org.user("ina", "ACTIVE"));
        let bot = org.service_app("bot");
        org.role(&sam, "ra1", "SUPER_ADMIN", &[]);
        let inactive = org.role(&ina, "ra2", "SUPER_ADMIN", &[]);
        org.role(&bot, "ra3", "GROUP_MEMBERSHIP_ADMIN", &[]);
        let node = org.g.add_node(
            &inactive,
            "action",
            sub_kind::ROLE,
            "Super Administrator",
            serde_json::json!({"id": "ra2", "type": "SUPER_ADMIN", "status": "INACTIVE"}),
        );
        crate::graph::label(node, "okta/role_type", "SUPER_ADMIN");
        let (nodes, edges) = org.finish();
        let control = control_edges(&nodes, &edges);
        assert_eq!(control.len(), 1, "{control:?}");
        assert_eq!(&*control[0].from_id, bot.as_str());
        assert!(control.iter().all(|c| *c.from_id != *sam && *c.from_id != *ina));
    }
}
