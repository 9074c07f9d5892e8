//! Escalation paths: who can become whom, and through whom reach a privileged target.
//!
//! Access paths show what an identity reaches today. An escalation path is every shortest chain of
//! moves by which an identity that does not hold a target yet could come to hold it:
//! - `become_user`: reset a user's password and factors (a
//!   [`ControlEdge`](crate::control::ControlEdge) `reset_credentials`) and sign in as the user,
//!   with everything the user holds;
//! - `join_group`: put an identity it controls into a group (`manage_membership`), and so get the
//!   group's apps and roles;
//! - `assign_app`: assign such an identity to an app (`manage_app_assignments`);
//! - `grant_role`: grant an admin role (`assign_roles`, super admins only; holding super admin also
//!   lets one grant any other role);
//! - and the standing grants that carry the power on: `member_of` (a user in a group),
//!   `access_app` (a user or group assigned to an app), `holds_role` (a user, group or service app
//!   holding a role), `token_of` (an API token acting as its creator).
//!
//! Targets: every admin role held in the org (`super_admin`, `org_admin`, any other `admin_role`;
//! standard roles by type, custom roles by definition) and every app, group or role marked as a
//! crown jewel ([`CrownJewels`](crate::escalation::CrownJewels); `crown_jewel` unless it is super
//! or org admin).
//!
//! Rows and their limits:
//! - One row per chain; a chain's `length` is its number of steps. Identities that already hold a
//!   target get no row for it (no rows of length 0): access paths show them. An app or group is
//!   held through an `ALLOWED` access path to it; a role by the users and service apps it is
//!   assigned to, the members of the groups it is assigned to, and those users' API tokens.
//!   Holders of super admin get no row for admin roles either: they can grant themselves any.
//! - Okta lets only super admins manage users and groups that hold admin roles (see
//!   [`crate::control`]), and every holder of a role is such a user or group: so no one but a
//!   super admin can come to hold an admin role it lacks, and admin-role rows stay empty on an org
//!   whose data follows those rules. "Who can become super admin" is its holders in access paths.
//!   The table's weight is in the crown jewels, which non-admin users open the way to.
//! - Only usable identities start a chain: active users, API tokens of active users, service apps
//!   of active apps. Tokens and service apps cannot sign in to apps or be put in groups, so from
//!   them only `become_user` and `grant_role` are moves (a token's chain opens with `token_of`).
//! - At most [`MAX_CHAINS`](crate::escalation::MAX_CHAINS) chains per identity and target, so
//!   that an org where one admin can become any of 100,000 users does not explode; rows of a
//!   capped pair have `truncated` set.
//!
//! The search runs backwards from each target (a breadth-first search over the reversed moves),
//! so that its cost grows with the identities that can reach a target rather than with every user
//! times every target; chains are then read forwards along the distances it found. `members` and
//! `all` control edges are expanded only as the search reaches their objects, each once.
//!
//! [`jewel_reach`](crate::escalation::jewel_reach) and
//! [`crown_jewel_diff`](crate::escalation::crown_jewel_diff) turn a scan's access paths,
//! escalation paths and control edges into "who can reach or control each crown jewel", and two
//! of those into changes.

use crate::control::{self, ControlEdge, ControlIndex, Facts, HashMap, HashSet, capability, scope};
use crate::graph::{edge, sub_kind};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use store::{AccessPath, Edge, Node};

/// The most chains kept per identity and target.
pub const MAX_CHAINS: usize = 16;

/// What kind of privileged target a row leads to.
pub mod target_kind {
    /// The `SUPER_ADMIN` role.
    pub const SUPER_ADMIN: &str = "super_admin";
    /// The `ORG_ADMIN` role.
    pub const ORG_ADMIN: &str = "org_admin";
    /// Any other admin role, standard or custom.
    pub const ADMIN_ROLE: &str = "admin_role";
    /// An app, group or role marked critical.
    pub const CROWN_JEWEL: &str = "crown_jewel";
}

/// The steps of a chain (the `step` field of its JSON).
pub mod step {
    /// Reset a user's credentials and sign in as the user.
    pub const BECOME_USER: &str = "become_user";
    /// Put an identity one controls into a group.
    pub const JOIN_GROUP: &str = "join_group";
    /// Assign an identity one controls to an app.
    pub const ASSIGN_APP: &str = "assign_app";
    /// Grant an admin role.
    pub const GRANT_ROLE: &str = "grant_role";
    /// A user is a member of a group.
    pub const MEMBER_OF: &str = "member_of";
    /// A user or group is assigned an app.
    pub const ACCESS_APP: &str = "access_app";
    /// A user, group or service app holds an admin role.
    pub const HOLDS_ROLE: &str = "holds_role";
    /// An API token acts as its creator.
    pub const TOKEN_OF: &str = "token_of";
}

/// Apps, groups and roles marked critical, by node id or by name.
///
/// A node is a crown jewel when its id is listed, or when one of its names is, compared without
/// regard to case: an app's label or its catalog name (`okta/app_name`, e.g. `amazon_aws`), a
/// group's name, a role's type (`SUPER_ADMIN`), label (`Super Administrator`) or, for a custom role,
/// its definition's label. A standard role's id is the one escalation rows give it
/// (`okta:<org host>:role:<TYPE>`). A name shared by several apps marks them all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrownJewels {
    ids: HashSet<String>,
    names: HashSet<String>,
}

impl CrownJewels {
    /// No crown jewels.
    pub fn new() -> CrownJewels {
        CrownJewels::default()
    }

    /// Crown jewels given by node id.
    pub fn from_ids<S: Into<String>>(ids: impl IntoIterator<Item = S>) -> CrownJewels {
        let mut jewels = CrownJewels::new();
        ids.into_iter().for_each(|id| {
            jewels.add_id(id);
        });
        jewels
    }

    /// Crown jewels given by name.
    pub fn from_names<S: Into<String>>(names: impl IntoIterator<Item = S>) -> CrownJewels {
        let mut jewels = CrownJewels::new();
        names.into_iter().for_each(|name| {
            jewels.add_name(name);
        });
        jewels
    }

    /// Marks a node id.
    pub fn add_id(&mut self, id: impl Into<String>) -> &mut CrownJewels {
        self.ids.insert(id.into());
        self
    }

    /// Marks a name.
    pub fn add_name(&mut self, name: impl Into<String>) -> &mut CrownJewels {
        self.names.insert(name.into().to_lowercase());
        self
    }

    /// Whether nothing is marked.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.names.is_empty()
    }

    /// Whether the object with this id and these names is marked.
    pub fn matches(&self, id: &str, names: &[&str]) -> bool {
        self.ids.contains(id) || names.iter().any(|n| !n.is_empty() && self.names.contains(&n.to_lowercase()))
    }

    /// Whether an app or group node is marked.
    fn matches_node(&self, node: &Node) -> bool {
        let app_name = node.labels.get("okta/app_name").and_then(Value::as_str).unwrap_or("");
        self.matches(&node.id, &[&node.name, app_name])
    }
}

/// One shortest chain from an identity to a privileged target it does not hold yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationPath {
    /// The identity's login, token name or service app label.
    pub identity: Arc<str>,
    /// The identity's node id.
    pub identity_id: Arc<str>,
    /// The identity's `sub_kind`.
    pub identity_kind: Arc<str>,
    /// The target's name: a role label, an app label, a group name.
    pub target: Arc<str>,
    /// The target's node id (`okta:<org host>:role:<TYPE>` for a standard role).
    pub target_id: Arc<str>,
    /// One of [`target_kind`].
    pub target_kind: &'static str,
    /// The number of steps.
    pub length: u32,
    /// The steps as a JSON array of `{"step", "from", "from_name", "to", "to_name"}`, with `via`
    /// (the role's label), `via_group` (the group it is held through) and `rule` (the Okta rule)
    /// on control steps.
    pub chain: String,
    /// Whether this identity has more than [`MAX_CHAINS`] shortest chains to this target and some
    /// were left out.
    pub truncated: bool,
}

/// Every shortest escalation chain of one org's snapshot (see the module documentation).
pub fn escalation_paths(
    nodes: &[Node],
    edges: &[Edge],
    access_paths: &[AccessPath],
    control: &[ControlEdge],
    crown_jewels: &CrownJewels,
) -> Vec<EscalationPath> {
    let graph = Graph::new(nodes, edges, control, crown_jewels);
    let targets = graph.targets(crown_jewels);
    let (holders, super_holders) = graph.holders(access_paths, &targets);
    let mut search = Search::new(graph.len(), nodes.len());
    // Name, id and kind of each identity with rows, shared by its rows.
    type Texts = (Arc<str>, Arc<str>, Arc<str>);
    let mut identities: HashMap<u32, Texts> = HashMap::default();
    let mut rows = Vec::new();
    for (t, target) in targets.iter().enumerate() {
        search.run(&graph, target.position);
        for i in 1..search.order.len() {
            let s = search.order[i];
            if !graph.starts(s) || holders[t].contains(&s) || (target.role && super_holders.contains(&s)) {
                continue;
            }
            let (chains, truncated) = search.chains(&graph, s);
            let (identity, identity_id, identity_kind) = identities
                .entry(s)
                .or_insert_with(|| {
                    let node = &nodes[s as usize];
                    (Arc::from(node.name.as_str()), Arc::from(node.id.as_str()), Arc::from(node.sub_kind.as_str()))
                })
                .clone();
            for chain in chains {
                let (chain, length) = graph.render(&chain);
                rows.push(EscalationPath {
                    identity: identity.clone(),
                    identity_id: identity_id.clone(),
                    identity_kind: identity_kind.clone(),
                    target: target.name.clone(),
                    target_id: target.id.clone(),
                    target_kind: target.kind,
                    length,
                    chain,
                    truncated,
                });
            }
        }
    }
    rows.sort_by(|a, b| {
        (&a.target_id, &a.identity_id, a.length, &a.chain).cmp(&(&b.target_id, &b.identity_id, b.length, &b.chain))
    });
    rows
}

/// How an identity stands to a crown jewel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reach {
    /// It holds the jewel now (an `ALLOWED` access path).
    Access,
    /// It can change who holds the jewel (assign the app, add members to the group, grant the role).
    Control,
    /// It can come to hold the jewel (an escalation path).
    Escalation,
}

impl Reach {
    /// `access`, `control` or `escalation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Access => "access",
            Reach::Control => "control",
            Reach::Escalation => "escalation",
        }
    }

    /// The inverse of [`Reach::as_str`].
    pub fn parse(s: &str) -> Option<Reach> {
        match s {
            "access" => Some(Reach::Access),
            "control" => Some(Reach::Control),
            "escalation" => Some(Reach::Escalation),
            _ => None,
        }
    }
}

/// One identity's standing to one crown jewel in one scan: the unit [`crown_jewel_diff`] compares.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JewelReach {
    /// The jewel's node id (or role id, as in escalation rows).
    pub jewel_id: Arc<str>,
    /// The jewel's name.
    pub jewel_name: Arc<str>,
    /// The identity's node id.
    pub identity_id: Arc<str>,
    /// The identity's login or name.
    pub identity: Arc<str>,
    /// How it stands to the jewel.
    pub how: Reach,
}

/// Who reaches or controls each crown jewel in one scan: `ALLOWED` access paths to it (apps and
/// groups by resource, roles by the assignments their routes name), escalation rows to it, and
/// control edges over it (app assignment, group membership, and for a role, granting roles).
/// Sorted and without duplicates.
pub fn jewel_reach(
    nodes: &[Node],
    edges: &[Edge],
    access_paths: &[AccessPath],
    escalation_paths: &[EscalationPath],
    control: &[ControlEdge],
    crown_jewels: &CrownJewels,
) -> Vec<JewelReach> {
    let facts = Facts::new(nodes, edges);
    let roles = RoleTable::new(nodes, &facts, crown_jewels);
    let by_id: HashMap<&str, &Node> = nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let name_of = |id: &str| -> Arc<str> { Arc::from(by_id.get(id).map_or(id, |n| n.name.as_str())) };
    // Jewel id → name.
    let mut jewels: HashMap<Arc<str>, Arc<str>> = HashMap::default();
    for node in nodes.iter().filter(|n| matches!(n.sub_kind.as_str(), sub_kind::APP | sub_kind::GROUP)) {
        if crown_jewels.matches_node(node) {
            jewels.insert(Arc::from(node.id.as_str()), Arc::from(node.name.as_str()));
        }
    }
    let role_jewels: Vec<&RoleTarget> = roles.roles.iter().filter(|r| r.jewel).collect();
    for role in &role_jewels {
        jewels.insert(role.id.clone(), role.name.clone());
    }
    let mut out = BTreeSet::new();
    let mut push = |jewel_id: &Arc<str>, identity_id: &str, identity: Arc<str>, how: Reach| {
        if let Some(name) = jewels.get(jewel_id) {
            let reach = JewelReach {
                jewel_id: jewel_id.clone(),
                jewel_name: name.clone(),
                identity_id: Arc::from(identity_id),
                identity,
                how,
            };
            out.insert(reach);
        }
    };
    for row in access_paths.iter().filter(|r| r.kind == "ALLOWED") {
        if &*row.action == crate::access::action::MEMBER || &*row.action == crate::access::action::ACCESS {
            push(&row.resource_id, &row.identity_id, row.identity.clone(), Reach::Access);
        } else if !role_jewels.is_empty() {
            for key in roles.assignments_in_via(&row.via) {
                push(&roles.roles[key].id, &row.identity_id, row.identity.clone(), Reach::Access);
            }
        }
    }
    for row in escalation_paths {
        push(&row.target_id, &row.identity_id, row.identity.clone(), Reach::Escalation);
    }
    let index = ControlIndex::new(nodes, edges, control);
    let jewel_ids: Vec<Arc<str>> = jewels.keys().cloned().collect();
    for jewel in &jewel_ids {
        for c in index.controllers(jewel) {
            if matches!(c.capability, capability::MANAGE_APP_ASSIGNMENTS | capability::MANAGE_MEMBERSHIP) {
                push(jewel, &c.from_id, name_of(&c.from_id), Reach::Control);
            }
        }
    }
    for c in control.iter().filter(|c| c.capability == capability::ASSIGN_ROLES) {
        for role in &role_jewels {
            push(&role.id, &c.from_id, name_of(&c.from_id), Reach::Control);
        }
    }
    out.into_iter().collect()
}

/// One identity gained or lost, and how.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct JewelHolder {
    /// The identity's node id.
    pub identity_id: Arc<str>,
    /// The identity's login or name.
    pub identity: Arc<str>,
    /// How it reaches (or reached) the jewel.
    pub how: Reach,
}

/// The change to who reaches or controls one crown jewel between two scans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrownJewelChange {
    /// The jewel's id.
    pub jewel_id: Arc<str>,
    /// The jewel's name (the newer one when it was renamed).
    pub jewel_name: Arc<str>,
    /// Who reaches it now in a way they did not before.
    pub added: Vec<JewelHolder>,
    /// Who reached it before in a way they do not now.
    pub removed: Vec<JewelHolder>,
}

/// The changes between two scans' [`JewelReach`] sets, for the jewels `crown_jewels` marks now;
/// jewels without a change are left out. Identities are compared by id and `how`: someone who
/// held an app and now can only escalate to it is removed as `access` and added as `escalation`.
///
/// `before` is the previous scan's [`jewel_reach`], which `sync` stores with each snapshot (the
/// `crown_jewel_reach` table). A jewel marked since the previous scan has no `before` tuples:
/// skip its first diff (as `sync` does), or every holder and controller shows as added.
pub fn crown_jewel_diff(
    before: &[JewelReach],
    after: &[JewelReach],
    crown_jewels: &CrownJewels,
) -> Vec<CrownJewelChange> {
    let marked = |r: &&JewelReach| {
        let role_type = r.jewel_id.rsplit_once(":role:").map_or("", |(_, t)| t);
        crown_jewels.matches(&r.jewel_id, &[&r.jewel_name, role_type])
    };
    let key = |r: &JewelReach| (r.jewel_id.clone(), r.identity_id.clone(), r.how);
    let old: HashSet<_> = before.iter().filter(marked).map(key).collect();
    let new: HashSet<_> = after.iter().filter(marked).map(key).collect();
    let mut changes: BTreeMap<Arc<str>, CrownJewelChange> = BTreeMap::new();
    fn entry<'m>(changes: &'m mut BTreeMap<Arc<str>, CrownJewelChange>, r: &JewelReach) -> &'m mut CrownJewelChange {
        changes.entry(r.jewel_id.clone()).or_insert_with(|| CrownJewelChange {
            jewel_id: r.jewel_id.clone(),
            jewel_name: r.jewel_name.clone(),
            added: Vec::new(),
            removed: Vec::new(),
        })
    }
    for r in after.iter().filter(marked) {
        if !old.contains(&key(r)) {
            let change = entry(&mut changes, r);
            change.jewel_name = r.jewel_name.clone();
            change.added.push(JewelHolder {
                identity_id: r.identity_id.clone(),
                identity: r.identity.clone(),
                how: r.how,
            });
        }
    }
    for r in before.iter().filter(marked) {
        if !new.contains(&key(r)) {
            entry(&mut changes, r).removed.push(JewelHolder {
                identity_id: r.identity_id.clone(),
                identity: r.identity.clone(),
                how: r.how,
            });
        }
    }
    changes
        .into_values()
        .map(|mut c| {
            c.added.sort();
            c.added.dedup();
            c.removed.sort();
            c.removed.dedup();
            c
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The search graph
// ---------------------------------------------------------------------------------------------

const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    User,
    Group,
    App,
    Service,
    Token,
    Role,
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Step {
    MemberOf,
    AccessApp,
    HoldsRole,
    GrantRole,
    BecomeUser,
    JoinGroup,
    AssignApp,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::MemberOf => step::MEMBER_OF,
            Step::AccessApp => step::ACCESS_APP,
            Step::HoldsRole => step::HOLDS_ROLE,
            Step::GrantRole => step::GRANT_ROLE,
            Step::BecomeUser => step::BECOME_USER,
            Step::JoinGroup => step::JOIN_GROUP,
            Step::AssignApp => step::ASSIGN_APP,
        }
    }
}

/// A move to (or, reversed, from) position `to`; `control` is the control edge behind it, or
/// [`NONE`] for a standing grant.
#[derive(Clone, Copy, Debug)]
struct Link {
    to: u32,
    step: Step,
    control: u32,
}

/// One move of a chain.
#[derive(Clone, Copy, Debug)]
struct Hop {
    from: u32,
    to: u32,
    step: Step,
    control: u32,
}

/// Adjacency lists in one array (compressed sparse rows).
struct Csr<T> {
    start: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> Csr<T> {
    /// Lists of `len` rows from (row, item) pairs, each row's items in the pairs' order.
    fn build(len: usize, pairs: &[(u32, T)]) -> Csr<T> {
        let mut start = vec![0u32; len + 1];
        for &(row, _) in pairs {
            start[row as usize + 1] += 1;
        }
        for i in 0..len {
            start[i + 1] += start[i];
        }
        let mut items = Vec::with_capacity(pairs.len());
        if let Some(&(_, first)) = pairs.first() {
            items.resize(pairs.len(), first);
            let mut next = start.clone();
            for &(row, item) in pairs {
                items[next[row as usize] as usize] = item;
                next[row as usize] += 1;
            }
        }
        Csr { start, items }
    }

    fn get(&self, row: u32) -> &[T] {
        let row = row as usize;
        if row + 1 >= self.start.len() {
            return &[];
        }
        &self.items[self.start[row] as usize..self.start[row + 1] as usize]
    }
}

/// What an `all`-scoped control edge reaches.
#[derive(Clone, Copy, PartialEq, Eq)]
enum What {
    Reset,
    Membership,
    Apps,
}

#[derive(Clone, Copy)]
struct AllEdge {
    from: u32,
    control: u32,
    what: What,
    over: bool,
}

/// One admin role as a target: a standard role type or a custom role definition.
struct RoleTarget {
    id: Arc<str>,
    name: Arc<str>,
    kind: &'static str,
    role_type: String,
    jewel: bool,
}

/// The org's admin roles, and which role each assignment is.
struct RoleTable {
    roles: Vec<RoleTarget>,
    /// Assignment node id → role.
    by_assignment: HashMap<String, usize>,
    /// Assignment Okta id (as access paths' routes give it) → role.
    by_okta_id: HashMap<String, usize>,
}

impl RoleTable {
    fn new(nodes: &[Node], facts: &Facts, jewels: &CrownJewels) -> RoleTable {
        let prefix = facts.org.and_then(|org| org.strip_suffix("org")).unwrap_or("");
        let mut roles: Vec<RoleTarget> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::default();
        let mut by_assignment = HashMap::default();
        let mut by_okta_id = HashMap::default();
        for node in nodes.iter().filter(|n| n.sub_kind == sub_kind::ROLE) {
            let Some(assignment) = facts.assignments.get(node.id.as_str()) else { continue };
            let (key, id, name) = match (assignment.role_type, assignment.custom_role) {
                ("CUSTOM", Some(definition)) => (definition.id.clone(), definition.id.clone(), definition.name.clone()),
                ("CUSTOM", None) => {
                    (format!("CUSTOM:{}", node.name), format!("{prefix}role:CUSTOM:{}", node.name), node.name.clone())
                }
                (role_type, _) => (role_type.to_string(), format!("{prefix}role:{role_type}"), node.name.clone()),
            };
            let role = *by_key.entry(key).or_insert_with(|| {
                let type_name = if assignment.role_type == "CUSTOM" { "" } else { assignment.role_type };
                let jewel = jewels.matches(&id, &[type_name, &name]);
                let kind = match assignment.role_type {
                    "SUPER_ADMIN" => target_kind::SUPER_ADMIN,
                    "ORG_ADMIN" => target_kind::ORG_ADMIN,
                    _ if jewel => target_kind::CROWN_JEWEL,
                    _ => target_kind::ADMIN_ROLE,
                };
                roles.push(RoleTarget {
                    id: Arc::from(id),
                    name: Arc::from(name),
                    kind,
                    role_type: assignment.role_type.to_string(),
                    jewel,
                });
                roles.len() - 1
            });
            by_assignment.insert(node.id.clone(), role);
            if let Some(okta_id) = &assignment.okta_id {
                by_okta_id.insert(okta_id.clone(), role);
            }
        }
        RoleTable { roles, by_assignment, by_okta_id }
    }

    /// The roles whose assignments an access path's routes name (for a token, through its
    /// creator's route).
    fn assignments_in_via(&self, via: &str) -> Vec<usize> {
        let Ok(Value::Array(routes)) = serde_json::from_str::<Value>(via) else { return Vec::new() };
        let mut found = Vec::new();
        for route in &routes {
            for r in [Some(route), route.get("owner_route")].into_iter().flatten() {
                if let Some(role) =
                    r.get("role_assignment").and_then(Value::as_str).and_then(|id| self.by_okta_id.get(id))
                {
                    found.push(*role);
                }
            }
        }
        found
    }
}

/// A target of the search.
struct Target {
    position: u32,
    id: Arc<str>,
    name: Arc<str>,
    kind: &'static str,
    role: bool,
}

/// The snapshot as positions (nodes, then roles) and the moves between them.
struct Graph<'a> {
    nodes: &'a [Node],
    control: &'a [ControlEdge],
    index: HashMap<&'a str, u32>,
    kind: Vec<Kind>,
    /// Users, tokens and service apps that can start a chain.
    acting: Vec<bool>,
    /// Users whose credentials a reset hands over.
    takeable: Vec<bool>,
    /// Users and groups holding admin roles.
    admin: Vec<bool>,
    /// Groups whose membership admins manage.
    joinable: Vec<bool>,
    /// Apps not inactive.
    active: Vec<bool>,
    token_owner: HashMap<u32, u32>,
    roles: RoleTable,
    /// Position of the super admin role, if anyone holds it.
    super_admin: Option<u32>,
    succ: Csr<Link>,
    pred: Csr<Link>,
    user_groups: Csr<u32>,
    group_members: Csr<u32>,
    /// Group → (controller, control edge) of `members` edges, and controller → (group, edge).
    members_in: Csr<(u32, u32)>,
    members_out: Csr<(u32, u32)>,
    all: Vec<AllEdge>,
    /// Controller → indexes into `all`.
    all_out: Csr<u32>,
}

impl<'a> Graph<'a> {
    fn new(nodes: &'a [Node], edges: &'a [Edge], control: &'a [ControlEdge], jewels: &CrownJewels) -> Graph<'a> {
        let facts = Facts::new(nodes, edges);
        let roles = RoleTable::new(nodes, &facts, jewels);
        let n = nodes.len();
        let len = n + roles.roles.len();
        let index: HashMap<&str, u32> = nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i as u32)).collect();
        let mut kind = vec![Kind::Role; len];
        let (mut acting, mut takeable, mut admin) = (vec![false; len], vec![false; len], vec![false; len]);
        let (mut joinable, mut active) = (vec![false; len], vec![false; len]);
        for (i, node) in nodes.iter().enumerate() {
            let status = control::status_of(node);
            kind[i] = match node.sub_kind.as_str() {
                sub_kind::USER => {
                    acting[i] = control::user_acts(status);
                    takeable[i] = control::user_takeable(status);
                    admin[i] = facts.admin_users.contains(node.id.as_str());
                    Kind::User
                }
                sub_kind::GROUP => {
                    admin[i] = facts.admin_groups.contains(node.id.as_str());
                    joinable[i] = control::group_manageable(node);
                    Kind::Group
                }
                sub_kind::APP => {
                    active[i] = status != "INACTIVE";
                    Kind::App
                }
                sub_kind::SERVICE_APP => {
                    acting[i] = facts.service_app_acts(node);
                    Kind::Service
                }
                sub_kind::API_TOKEN => Kind::Token,
                _ => Kind::Other,
            };
        }
        let role_position = |role: usize| (n + role) as u32;
        let super_admin =
            roles.roles.iter().position(|r| r.role_type == "SUPER_ADMIN" && r.kind == target_kind::SUPER_ADMIN);
        let super_admin = super_admin.map(role_position);

        let mut token_owner = HashMap::default();
        let mut grant_app: HashMap<u32, u32> = HashMap::default();
        for e in edges.iter().filter(|e| e.kind == edge::ACTS_AS || e.kind == edge::GRANTS) {
            let (Some(&from), Some(&to)) = (index.get(e.from_id.as_str()), index.get(e.to_id.as_str())) else {
                continue;
            };
            if e.kind == edge::GRANTS {
                grant_app.insert(from, to);
            } else if kind[from as usize] == Kind::Token && kind[to as usize] == Kind::User {
                token_owner.insert(from, to);
                acting[from as usize] = acting[to as usize];
            }
        }

        let mut moves: Vec<(u32, Link)> = Vec::new();
        let mut memberships: Vec<(u32, u32)> = Vec::new();
        let plain = |to: u32, step: Step| Link { to, step, control: NONE };
        // Members are listed group by group: consecutive edges mostly share their end.
        let mut last_to: (&str, Option<u32>) = ("", None);
        for e in edges {
            if !matches!(e.kind.as_str(), edge::MEMBER_OF | edge::ASSIGNED | edge::HAS_ROLE) {
                continue;
            }
            if last_to.0 != e.to_id {
                last_to = (e.to_id.as_str(), index.get(e.to_id.as_str()).copied());
            }
            let (Some(&from), Some(to)) = (index.get(e.from_id.as_str()), last_to.1) else {
                continue;
            };
            let (kf, kt) = (kind[from as usize], kind[to as usize]);
            match e.kind.as_str() {
                edge::MEMBER_OF if kf == Kind::User && kt == Kind::Group => {
                    moves.push((from, plain(to, Step::MemberOf)));
                    memberships.push((from, to));
                }
                edge::ASSIGNED if matches!(kf, Kind::User | Kind::Group) => {
                    if let Some(&app) = grant_app.get(&to).filter(|&&app| active[app as usize]) {
                        moves.push((from, plain(app, Step::AccessApp)));
                    }
                }
                edge::HAS_ROLE if matches!(kf, Kind::User | Kind::Group | Kind::Service) => {
                    if let Some(&role) = roles.by_assignment.get(e.to_id.as_str()) {
                        moves.push((from, Link { to: role_position(role), step: Step::HoldsRole, control: to }));
                    }
                }
                _ => {}
            }
        }
        if let Some(sa) = super_admin {
            for role in 0..roles.roles.len() {
                if role_position(role) != sa {
                    moves.push((sa, plain(role_position(role), Step::GrantRole)));
                }
            }
        }

        let mut members: Vec<(u32, (u32, u32))> = Vec::new();
        let mut all = Vec::new();
        for (ci, c) in control.iter().enumerate() {
            let ci = ci as u32;
            let Some(&from) = index.get(&*c.from_id) else { continue };
            let kf = kind[from as usize];
            if !matches!(kf, Kind::User | Kind::Service | Kind::Token) || !acting[from as usize] {
                continue;
            }
            let human = kf == Kind::User;
            let to = index.get(&*c.to_id).copied();
            let over = c.over_admins;
            match (c.capability, c.scope, to) {
                (capability::RESET_CREDENTIALS, scope::OBJECT, Some(to)) => {
                    let t = to as usize;
                    if kind[t] == Kind::User && takeable[t] && (over || !admin[t]) {
                        moves.push((from, Link { to, step: Step::BecomeUser, control: ci }));
                    }
                }
                (capability::RESET_CREDENTIALS, scope::MEMBERS, Some(group)) if kind[group as usize] == Kind::Group => {
                    members.push((group, (from, ci)));
                }
                (capability::RESET_CREDENTIALS, scope::ALL, _) => {
                    all.push(AllEdge { from, control: ci, what: What::Reset, over })
                }
                (capability::MANAGE_MEMBERSHIP, scope::OBJECT, Some(to)) if human => {
                    let t = to as usize;
                    if kind[t] == Kind::Group && joinable[t] && (over || !admin[t]) {
                        moves.push((from, Link { to, step: Step::JoinGroup, control: ci }));
                    }
                }
                (capability::MANAGE_MEMBERSHIP, scope::ALL, _) if human => {
                    all.push(AllEdge { from, control: ci, what: What::Membership, over })
                }
                (capability::MANAGE_APP_ASSIGNMENTS, scope::OBJECT, Some(to))
                    if human && kind[to as usize] == Kind::App && active[to as usize] =>
                {
                    moves.push((from, Link { to, step: Step::AssignApp, control: ci }));
                }
                (capability::MANAGE_APP_ASSIGNMENTS, scope::ALL, _) if human => {
                    all.push(AllEdge { from, control: ci, what: What::Apps, over })
                }
                (capability::ASSIGN_ROLES, _, _) => {
                    for role in 0..roles.roles.len() {
                        moves.push((from, Link { to: role_position(role), step: Step::GrantRole, control: ci }));
                    }
                }
                _ => {}
            }
        }

        let reversed: Vec<(u32, Link)> =
            moves.iter().map(|&(from, l)| (l.to, Link { to: from, step: l.step, control: l.control })).collect();
        let members_out: Vec<(u32, (u32, u32))> =
            members.iter().map(|&(group, (from, ci))| (from, (group, ci))).collect();
        let all_out: Vec<(u32, u32)> = all.iter().enumerate().map(|(i, a)| (a.from, i as u32)).collect();
        let group_members: Vec<(u32, u32)> = memberships.iter().map(|&(u, g)| (g, u)).collect();
        Graph {
            nodes,
            control,
            succ: Csr::build(len, &moves),
            pred: Csr::build(len, &reversed),
            user_groups: Csr::build(len, &memberships),
            group_members: Csr::build(len, &group_members),
            members_in: Csr::build(len, &members),
            members_out: Csr::build(len, &members_out),
            all,
            all_out: Csr::build(len, &all_out),
            index,
            kind,
            acting,
            takeable,
            admin,
            joinable,
            active,
            token_owner,
            roles,
            super_admin,
        }
    }

    fn len(&self) -> usize {
        self.kind.len()
    }

    /// Whether a position is an identity that can start a chain.
    fn starts(&self, p: u32) -> bool {
        matches!(self.kind[p as usize], Kind::User | Kind::Token | Kind::Service) && self.acting[p as usize]
    }

    /// Every role, then every crown-jewel group and active app.
    fn targets(&self, jewels: &CrownJewels) -> Vec<Target> {
        let n = self.nodes.len();
        let mut targets: Vec<Target> = self
            .roles
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| Target {
                position: (n + i) as u32,
                id: r.id.clone(),
                name: r.name.clone(),
                kind: r.kind,
                role: true,
            })
            .collect();
        if !jewels.is_empty() {
            for (i, node) in self.nodes.iter().enumerate() {
                let usable = match self.kind[i] {
                    Kind::Group => true,
                    Kind::App => self.active[i],
                    _ => false,
                };
                if usable && jewels.matches_node(node) {
                    targets.push(Target {
                        position: i as u32,
                        id: Arc::from(node.id.as_str()),
                        name: Arc::from(node.name.as_str()),
                        kind: target_kind::CROWN_JEWEL,
                        role: false,
                    });
                }
            }
        }
        targets
    }

    /// Who already holds each target, and who holds super admin. A role is held by the users and
    /// service apps it is assigned to, the members of the groups it is assigned to, and the API
    /// tokens of all those users (a role whose scope is empty has no access path, yet it is held);
    /// an app or group by whoever has an `ALLOWED` access path to it.
    fn holders(&self, access_paths: &[AccessPath], targets: &[Target]) -> (Vec<HashSet<u32>>, HashSet<u32>) {
        let mut holders: Vec<HashSet<u32>> = vec![HashSet::default(); targets.len()];
        let mut super_holders = HashSet::default();
        for (t, target) in targets.iter().enumerate().filter(|(_, t)| t.role) {
            let held = &mut holders[t];
            for link in self.pred.get(target.position).iter().filter(|l| l.step == Step::HoldsRole) {
                match self.kind[link.to as usize] {
                    Kind::Group => held.extend(self.group_members.get(link.to)),
                    _ => {
                        held.insert(link.to);
                    }
                }
            }
            let tokens: Vec<u32> =
                self.token_owner.iter().filter(|(_, owner)| held.contains(*owner)).map(|(token, _)| *token).collect();
            held.extend(tokens);
            if Some(target.position) == self.super_admin {
                super_holders = held.clone();
            }
        }
        let by_position: HashMap<u32, usize> =
            targets.iter().enumerate().filter(|(_, t)| !t.role).map(|(t, target)| (target.position, t)).collect();
        if by_position.is_empty() {
            return (holders, super_holders);
        }
        // Rows share their resource id texts: look each text up once.
        let mut resources: HashMap<usize, Option<usize>> = HashMap::default();
        for row in access_paths.iter().filter(|r| r.kind == "ALLOWED") {
            if &*row.action != crate::access::action::MEMBER && &*row.action != crate::access::action::ACCESS {
                continue;
            }
            let text = Arc::as_ptr(&row.resource_id) as *const u8 as usize;
            let target = *resources
                .entry(text)
                .or_insert_with(|| self.index.get(&*row.resource_id).and_then(|p| by_position.get(p)).copied());
            if let Some(t) = target
                && let Some(&who) = self.index.get(&*row.identity_id)
            {
                holders[t].insert(who);
            }
        }
        (holders, super_holders)
    }

    fn id(&self, p: u32) -> &str {
        match self.nodes.get(p as usize) {
            Some(node) => &node.id,
            None => &self.roles.roles[p as usize - self.nodes.len()].id,
        }
    }

    fn name(&self, p: u32) -> &str {
        match self.nodes.get(p as usize) {
            Some(node) => &node.name,
            None => &self.roles.roles[p as usize - self.nodes.len()].name,
        }
    }

    fn name_of_id(&self, id: &str) -> String {
        self.index.get(id).map_or_else(|| id.to_string(), |&p| self.name(p).to_string())
    }

    /// A chain as a JSON array, and its number of steps; a token's control step is preceded by
    /// `token_of` its creator.
    fn render(&self, chain: &[Hop]) -> (String, u32) {
        let mut out = String::with_capacity(256 * chain.len());
        let mut steps = 0;
        out.push('[');
        let mut step = |out: &mut String, name: &str, from: u32, to: u32, control: Option<&ControlEdge>| {
            if steps > 0 {
                out.push(',');
            }
            steps += 1;
            out.push_str("{\"step\":");
            json_string(out, name);
            for (key, value) in [
                ("from", self.id(from)),
                ("from_name", self.name(from)),
                ("to", self.id(to)),
                ("to_name", self.name(to)),
            ] {
                out.push_str(",\"");
                out.push_str(key);
                out.push_str("\":");
                json_string(out, value);
            }
            if let Some(c) = control {
                out.push_str(",\"via\":");
                json_string(out, &self.name_of_id(&c.via_role));
                if let Some(group) = &c.via_group {
                    out.push_str(",\"via_group\":");
                    json_string(out, &self.name_of_id(group));
                }
                out.push_str(",\"rule\":");
                json_string(out, c.reason);
            }
            out.push('}');
        };
        for hop in chain {
            let control = self.control.get(hop.control as usize).filter(|_| hop.step != Step::HoldsRole);
            let mut from = hop.from;
            if control.is_some()
                && self.kind[from as usize] == Kind::Token
                && let Some(&owner) = self.token_owner.get(&from)
            {
                step(&mut out, step::TOKEN_OF, from, owner, None);
                from = owner;
            }
            step(&mut out, hop.step.name(), from, hop.to, control);
        }
        out.push(']');
        (out, steps)
    }
}

/// Appends `s` as a JSON string.
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------------------------
// The search
// ---------------------------------------------------------------------------------------------

/// One target's reverse breadth-first search, its buffers reused across targets.
struct Search {
    generation: u32,
    /// The generation that last reached each position, and the distance it found.
    stamp: Vec<u32>,
    dist: Vec<u32>,
    /// The generation that last expanded each group's `members` controllers, the distance of
    /// the group's nearest members it found, and the first [`MAX_CHAINS`] + 1 of them (the moves
    /// of those controllers, without rescanning a group of thousands).
    group_stamp: Vec<u32>,
    group_min: Vec<u32>,
    group_hits: Vec<Vec<u32>>,
    /// Positions in the order reached (the target first).
    order: Vec<u32>,
    /// Positions by distance.
    layers: Vec<Vec<u32>>,
}

impl Search {
    fn new(len: usize, nodes: usize) -> Search {
        Search {
            generation: 0,
            stamp: vec![0; len],
            dist: vec![0; len],
            group_stamp: vec![0; nodes],
            group_min: vec![0; nodes],
            group_hits: vec![Vec::new(); nodes],
            order: Vec::new(),
            layers: Vec::new(),
        }
    }

    fn dist(&self, p: u32) -> Option<u32> {
        (self.stamp[p as usize] == self.generation).then(|| self.dist[p as usize])
    }

    fn visit(&mut self, p: u32, d: u32) {
        let i = p as usize;
        if self.stamp[i] == self.generation {
            return;
        }
        self.stamp[i] = self.generation;
        self.dist[i] = d;
        self.order.push(p);
        if self.layers.len() <= d as usize {
            self.layers.resize_with(d as usize + 1, Vec::new);
        }
        self.layers[d as usize].push(p);
    }

    /// Distances to `target` from every position that can reach it.
    fn run(&mut self, g: &Graph, target: u32) {
        self.generation += 1;
        self.order.clear();
        self.layers.iter_mut().for_each(Vec::clear);
        self.visit(target, 0);
        // Whether the `all` edges of each kind were expanded: all of them, or the over-admin ones.
        let (mut reset_any, mut reset_over, mut join_any, mut join_over, mut apps) =
            (false, false, false, false, false);
        let mut head = 0;
        while head < self.order.len() {
            let p = self.order[head];
            head += 1;
            let d = self.dist[p as usize] + 1;
            for link in g.pred.get(p) {
                self.visit(link.to, d);
            }
            let i = p as usize;
            match g.kind[i] {
                Kind::User if g.takeable[i] => {
                    if !g.admin[i] {
                        for &group in g.user_groups.get(p) {
                            let gi = group as usize;
                            if self.group_stamp[gi] != self.generation {
                                self.group_stamp[gi] = self.generation;
                                self.group_min[gi] = d - 1;
                                self.group_hits[gi].clear();
                                self.group_hits[gi].push(p);
                                for &(controller, _) in g.members_in.get(group) {
                                    self.visit(controller, d);
                                }
                            } else if self.group_min[gi] == d - 1 && self.group_hits[gi].len() <= MAX_CHAINS {
                                self.group_hits[gi].push(p);
                            }
                        }
                    }
                    self.expand_all(g, What::Reset, g.admin[i], &mut reset_any, &mut reset_over, d);
                }
                Kind::Group if g.joinable[i] => {
                    self.expand_all(g, What::Membership, g.admin[i], &mut join_any, &mut join_over, d);
                }
                Kind::App if g.active[i] => {
                    let mut unused = true;
                    self.expand_all(g, What::Apps, false, &mut apps, &mut unused, d);
                }
                _ => {}
            }
        }
    }

    /// Visits the controllers of `all` edges of one kind, once each per search: every one for an
    /// object without admin roles, the over-admin ones for an admin.
    fn expand_all(&mut self, g: &Graph, what: What, admin: bool, any: &mut bool, over: &mut bool, d: u32) {
        if *any || (admin && *over) {
            return;
        }
        for a in g.all.iter().filter(|a| a.what == what && (!admin || a.over)) {
            self.visit(a.from, d);
        }
        *over = true;
        *any |= !admin;
    }

    /// Up to `budget` moves from `p` one step closer to the target.
    fn moves(&self, g: &Graph, p: u32, budget: usize, out: &mut Vec<Hop>) {
        let Some(d) = self.dist(p).filter(|&d| d > 0) else { return };
        let closer = |q: u32| self.dist(q) == Some(d - 1);
        for link in g.succ.get(p) {
            if out.len() >= budget {
                return;
            }
            if closer(link.to) {
                out.push(Hop { from: p, to: link.to, step: link.step, control: link.control });
            }
        }
        for &(group, control) in g.members_out.get(p) {
            let gi = group as usize;
            if self.group_stamp[gi] != self.generation || self.group_min[gi] != d - 1 {
                continue;
            }
            for &user in &self.group_hits[gi] {
                if out.len() >= budget {
                    return;
                }
                out.push(Hop { from: p, to: user, step: Step::BecomeUser, control });
            }
        }
        let Some(layer) = self.layers.get(d as usize - 1) else { return };
        for &a in g.all_out.get(p) {
            let a = g.all[a as usize];
            for &q in layer {
                if out.len() >= budget {
                    return;
                }
                let i = q as usize;
                let step = match a.what {
                    What::Reset if g.kind[i] == Kind::User && g.takeable[i] && (a.over || !g.admin[i]) => {
                        Step::BecomeUser
                    }
                    What::Membership if g.kind[i] == Kind::Group && g.joinable[i] && (a.over || !g.admin[i]) => {
                        Step::JoinGroup
                    }
                    What::Apps if g.kind[i] == Kind::App && g.active[i] => Step::AssignApp,
                    _ => continue,
                };
                out.push(Hop { from: p, to: q, step, control: a.control });
            }
        }
    }

    /// Up to [`MAX_CHAINS`] shortest chains from `start`, and whether there were more.
    fn chains(&self, g: &Graph, start: u32) -> (Vec<Vec<Hop>>, bool) {
        let mut found = Vec::new();
        let mut path = Vec::new();
        self.walk(g, start, &mut path, &mut found);
        let truncated = found.len() > MAX_CHAINS;
        found.truncate(MAX_CHAINS);
        (found, truncated)
    }

    fn walk(&self, g: &Graph, p: u32, path: &mut Vec<Hop>, found: &mut Vec<Vec<Hop>>) {
        if self.dist(p) == Some(0) {
            found.push(path.clone());
            return;
        }
        // Every position the search reached has a move one step closer, so each move found here
        // ends in at least one chain: asking for as many moves as chains still wanted suffices.
        let mut moves = Vec::new();
        self.moves(g, p, MAX_CHAINS + 1 - found.len(), &mut moves);
        for hop in moves {
            path.push(hop);
            self.walk(g, hop.to, path, found);
            path.pop();
            if found.len() > MAX_CHAINS {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::access_paths;
    use crate::control::control_edges;
    use crate::control::fixture::Org;

    fn run(org: Org, jewels: &CrownJewels) -> Vec<EscalationPath> {
        let (nodes, edges) = org.finish();
        let access = access_paths(&nodes, &edges);
        let control = control_edges(&nodes, &edges);
        escalation_paths(&nodes, &edges, &access, &control, jewels)
    }

    fn steps(row: &EscalationPath) -> Vec<(String, String, String)> {
        let chain: Vec<Value> = serde_json::from_str(&row.chain).unwrap();
        chain
            .iter()
            .map(|s| {
                let field = |k: &str| s[k].as_str().unwrap_or_default().to_string();
                (field("step"), field("from_name"), field("to_name"))
            })
            .collect()
    }

    fn rows_of<'a>(rows: &'a [EscalationPath], identity: &str, target: &str) -> Vec<&'a EscalationPath> {
        rows.iter().filter(|r| &*r.identity == identity && &*r.target == target).collect()
    }

    fn s(step: &str, from: &str, to: &str) -> (String, String, String) {
        (step.into(), from.into(), to.into())
    }

    /// A help desk admin over "sales", whose member bob is in "eng", which is assigned AWS.
    fn help_desk_to_aws() -> Org {
        let mut org = Org::new();
        let (desk, bob) = (org.user("desk", "ACTIVE"), org.user("bob", "ACTIVE"));
        let (sales, eng) = (org.group("sales"), org.group("eng"));
        let aws = org.app("aws");
        org.member(&bob, &sales);
        org.member(&bob, &eng);
        org.assign(&eng, &aws);
        org.role(&desk, "ra1", "HELP_DESK_ADMIN", &[&sales]);
        org
    }

    #[test]
    fn a_chain_of_three_steps_reaches_a_crown_jewel() {
        let rows = run(help_desk_to_aws(), &CrownJewels::from_names(["AWS"]));
        let found = rows_of(&rows, "desk@acme.com", "aws");
        assert_eq!(found.len(), 1, "{rows:#?}");
        let row = found[0];
        assert_eq!((row.length, row.target_kind, row.truncated), (3, "crown_jewel", false));
        assert_eq!(
            steps(row),
            vec![
                s("become_user", "desk@acme.com", "bob@acme.com"),
                s("member_of", "bob@acme.com", "eng"),
                s("access_app", "eng", "aws"),
            ]
        );
        let chain: Vec<Value> = serde_json::from_str(&row.chain).unwrap();
        assert_eq!(chain[0]["via"], "Help Desk Administrator");
        assert!(chain[0]["rule"].as_str().unwrap().contains("help desk"));
        assert!(rows_of(&rows, "bob@acme.com", "aws").is_empty(), "bob holds AWS already: no row");
    }

    #[test]
    fn the_issues_chain_to_super_admin_is_stopped_by_okta_barriers() {
        // desk (help desk over g) → becomes u (in g) → u, a group membership admin over h, joins
        // h → h holds SUPER_ADMIN. Okta stops it twice: u holds a role, so only super admins may
        // reset u; h holds a role, so only super admins may add members to h.
        let mut org = Org::new();
        let (desk, u, root) = (org.user("desk", "ACTIVE"), org.user("u", "ACTIVE"), org.user("root", "ACTIVE"));
        let (g, h) = (org.group("g"), org.group("h"));
        org.member(&u, &g);
        org.member(&root, &h);
        org.role(&desk, "ra1", "HELP_DESK_ADMIN", &[&g]);
        org.role(&u, "ra2", "GROUP_MEMBERSHIP_ADMIN", &[&h]);
        org.role(&h, "ra3", "SUPER_ADMIN", &[]);
        let rows = run(org, &CrownJewels::new());
        assert!(rows.is_empty(), "nobody escalates: {rows:#?}");
    }

    #[test]
    fn a_barrier_stops_a_chain_that_would_otherwise_be_found() {
        let org = help_desk_to_aws();
        let mut barred = help_desk_to_aws();
        let bob = barred.id("bob");
        barred.role(&bob, "ra9", "REPORT_ADMIN", &[]);
        let jewels = CrownJewels::from_names(["aws"]);
        assert_eq!(rows_of(&run(org, &jewels), "desk@acme.com", "aws").len(), 1);
        assert!(rows_of(&run(barred, &jewels), "desk@acme.com", "aws").is_empty(), "bob is an admin now");
    }

    #[test]
    fn only_the_shortest_chains_are_kept_and_each_of_them() {
        let mut two_ways = help_desk_to_aws();
        let (sales, eng) = (two_ways.id("sales"), two_ways.id("eng"));
        let carl = two_ways.user("carl", "ACTIVE");
        two_ways.member(&carl, &sales);
        two_ways.member(&carl, &eng);
        let mut shorter = help_desk_to_aws();
        let (desk, aws) = (shorter.id("desk"), shorter.id("aws"));
        shorter.role(&desk, "ra2", "APP_ADMIN", &[&aws]);
        let jewels = CrownJewels::from_names(["aws"]);

        let rows = run(two_ways, &jewels);
        let both = rows_of(&rows, "desk@acme.com", "aws");
        assert_eq!(both.len(), 2, "through bob and through carl: {both:#?}");
        assert!(both.iter().all(|r| r.length == 3 && !r.truncated));
        let rows = run(shorter, &jewels);
        let one = rows_of(&rows, "desk@acme.com", "aws");
        assert_eq!(one.len(), 1, "the app admin's own route is shorter: {one:#?}");
        assert_eq!(steps(one[0]), vec![s("assign_app", "desk@acme.com", "aws")]);
    }

    #[test]
    fn chains_are_capped_per_identity_and_target() {
        let mut org = Org::new();
        let desk = org.user("desk", "ACTIVE");
        let (sales, aws) = (org.group("sales"), org.app("aws"));
        for i in 0..20 {
            let u = org.user(&format!("u{i:02}"), "ACTIVE");
            org.member(&u, &sales);
            org.assign(&u, &aws);
        }
        org.role(&desk, "ra1", "HELP_DESK_ADMIN", &[]);
        let rows = run(org, &CrownJewels::from_names(["aws"]));
        let capped = rows_of(&rows, "desk@acme.com", "aws");
        assert_eq!(capped.len(), MAX_CHAINS);
        assert!(capped.iter().all(|r| r.truncated && r.length == 2));
    }

    #[test]
    fn a_token_escalates_as_its_creator() {
        let mut org = help_desk_to_aws();
        let desk = org.id("desk");
        org.token("Terraform", &desk);
        let rows = run(org, &CrownJewels::from_names(["aws"]));
        let found = rows_of(&rows, "Terraform", "aws");
        assert_eq!(found.len(), 1, "{rows:#?}");
        assert_eq!(found[0].length, 4);
        assert_eq!(
            steps(found[0]),
            vec![
                s("token_of", "Terraform", "desk@acme.com"),
                s("become_user", "desk@acme.com", "bob@acme.com"),
                s("member_of", "bob@acme.com", "eng"),
                s("access_app", "eng", "aws"),
            ]
        );
        assert_eq!(&*found[0].identity_kind, "okta_api_token");
    }

    #[test]
    fn membership_admins_join_groups_that_hold_jewels_and_super_admins_assign_them() {
        let mut org = Org::new();
        let (gma, root) = (org.user("gma", "ACTIVE"), org.user("root", "ACTIVE"));
        let (eng, finance) = (org.group("eng"), org.group("finance"));
        let aws = org.app("aws");
        org.assign(&eng, &aws);
        org.role(&gma, "ra1", "GROUP_MEMBERSHIP_ADMIN", &[&eng]);
        org.role(&root, "ra2", "SUPER_ADMIN", &[]);
        let mut jewels = CrownJewels::from_ids([finance]);
        jewels.add_name("AWS");
        let rows = run(org, &jewels);
        assert_eq!(
            steps(rows_of(&rows, "gma@acme.com", "aws")[0]),
            vec![s("join_group", "gma@acme.com", "eng"), s("access_app", "eng", "aws")]
        );
        assert_eq!(steps(rows_of(&rows, "root@acme.com", "aws")[0]), vec![s("assign_app", "root@acme.com", "aws")]);
        assert_eq!(
            steps(rows_of(&rows, "root@acme.com", "finance")[0]),
            vec![s("join_group", "root@acme.com", "finance")]
        );
        assert!(rows_of(&rows, "gma@acme.com", "finance").is_empty(), "finance is not its target");
        assert!(
            rows.iter().all(|r| &*r.identity != "root@acme.com" || r.target_kind == "crown_jewel"),
            "a super admin gets no row for admin roles: {rows:#?}"
        );
    }

    #[test]
    fn suspended_admins_escalate_nowhere_and_suspended_users_are_not_taken_over() {
        let mut idle_admin = help_desk_to_aws();
        let sales = idle_admin.id("sales");
        let sam = idle_admin.user("sam", "SUSPENDED");
        idle_admin.role(&sam, "ra5", "HELP_DESK_ADMIN", &[&sales]);
        let mut idle_user = help_desk_to_aws();
        idle_user.user("bob", "SUSPENDED");
        let jewels = CrownJewels::from_names(["aws"]);
        let rows = run(idle_admin, &jewels);
        assert!(rows_of(&rows, "sam@acme.com", "aws").is_empty());
        assert_eq!(rows_of(&rows, "desk@acme.com", "aws").len(), 1);
        assert!(run(idle_user, &jewels).is_empty(), "a suspended bob cannot be signed in as");
    }

    #[test]
    fn service_apps_cannot_join_groups_or_sign_in_to_apps() {
        let mut org = help_desk_to_aws();
        let eng = org.id("eng");
        let bot = org.service_app("bot");
        org.role(&bot, "ra7", "GROUP_MEMBERSHIP_ADMIN", &[&eng]);
        let rows = run(org, &CrownJewels::from_names(["aws"]));
        assert!(rows.iter().all(|r| &*r.identity != "bot"), "a service app cannot sign in to AWS: {rows:#?}");
    }

    #[test]
    fn crown_jewels_match_ids_names_app_names_and_role_types() {
        let jewels = CrownJewels::from_names(["amazon_aws", "Finance", "super_admin"]);
        assert!(jewels.matches("x", &["FINANCE"]));
        assert!(jewels.matches("okta:h:role:SUPER_ADMIN", &["Super Administrator", "SUPER_ADMIN"]));
        assert!(!jewels.matches("x", &["Finance team"]));
        assert!(CrownJewels::from_ids(["okta:h:0oa1"]).matches("okta:h:0oa1", &[]));
        assert!(CrownJewels::new().is_empty());
    }

    #[test]
    fn crown_jewel_diff_between_two_scans() {
        // Scan one: bob is not in eng; carl administers the AWS app.
        let mut first = Org::new();
        let (bob, carl) = (first.user("bob", "ACTIVE"), first.user("carl", "ACTIVE"));
        let eng = first.group("eng");
        let aws = first.app("aws");
        first.assign(&eng, &aws);
        first.role(&carl, "ra1", "APP_ADMIN", &[&aws]);
        // Scan two: bob joined eng; carl lost the role.
        let mut second = Org::new();
        let (bob2, _carl2) = (second.user("bob", "ACTIVE"), second.user("carl", "ACTIVE"));
        let eng2 = second.group("eng");
        let aws2 = second.app("aws");
        second.assign(&eng2, &aws2);
        second.member(&bob2, &eng2);
        let jewels = CrownJewels::from_names(["aws"]);
        let reach = |org: Org| {
            let (nodes, edges) = org.finish();
            let access = access_paths(&nodes, &edges);
            let control = control_edges(&nodes, &edges);
            let escalation = escalation_paths(&nodes, &edges, &access, &control, &jewels);
            jewel_reach(&nodes, &edges, &access, &escalation, &control, &jewels)
        };
        let (before, after) = (reach(first), reach(second));
        assert!(before.iter().any(|r| *r.identity_id == *carl && r.how == Reach::Control));
        assert!(before.iter().any(|r| *r.identity_id == *carl && r.how == Reach::Escalation));
        let changes = crown_jewel_diff(&before, &after, &jewels);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        let change = &changes[0];
        assert_eq!((&*change.jewel_id, &*change.jewel_name), (aws.as_str(), "aws"));
        let holder = |id: &str, how| JewelHolder { identity_id: Arc::from(id), identity: Arc::from(""), how };
        let strip = |v: &[JewelHolder]| v.iter().map(|h| holder(&h.identity_id, h.how)).collect::<Vec<_>>();
        assert_eq!(strip(&change.added), vec![holder(&bob, Reach::Access)]);
        assert_eq!(strip(&change.removed), vec![holder(&carl, Reach::Control), holder(&carl, Reach::Escalation)]);
        assert_eq!(change.added[0].identity.as_ref(), "bob@acme.com");
        assert!(crown_jewel_diff(&before, &after, &CrownJewels::from_names(["slack"])).is_empty(), "unmarked");
        assert!(crown_jewel_diff(&after, &after, &jewels).is_empty());
    }
}
