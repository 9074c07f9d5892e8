//! Access paths: every (identity, resource, action) an identity can reach, with every route that
//! grants it, derived from one org's snapshot.
//!
//! Rules, from what Okta enforces:
//! - a user is a member of each group it is in (`member`);
//! - a user can use an app assigned to it directly or to any of its groups (`access`; each route
//!   carries the assignment's priority and profile, e.g. the app role it grants);
//! - a user, group member or service app holding an admin role acts on the role's scope: the org
//!   for unrestricted standard roles, each target group or app for targeted ones, each resource of
//!   a custom role's resource set (the action is the role's label);
//! - an API token acts with its creator's admin power.
//!
//! A row is `ALLOWED` when usable now and `DENIED` with a reason when the user is suspended,
//! deprovisioned, staged, not yet activated or locked out, or the app is inactive.
//! `standing_privileges` counts the routes without an expiry; routes through a time-bound role
//! assignment count as temporary.

use crate::graph::{edge, sub_kind};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use store::{AccessPath, Edge, Node};

/// What Okta calls the actions.
pub mod action {
    /// Group membership.
    pub const MEMBER: &str = "member";
    /// Using an app.
    pub const ACCESS: &str = "access";
}

/// Why a user cannot use what it holds, if it cannot.
fn user_denial(status: &str) -> Option<&'static str> {
    match status {
        "SUSPENDED" => Some("user suspended"),
        "DEPROVISIONED" => Some("user deprovisioned"),
        "STAGED" => Some("user staged"),
        "PROVISIONED" => Some("user not yet activated"),
        "LOCKED_OUT" => Some("user locked out"),
        _ => None,
    }
}

struct Index<'a> {
    nodes: HashMap<&'a str, &'a Node>,
    out: HashMap<(&'a str, &'a str), Vec<&'a Edge>>,
}

impl<'a> Index<'a> {
    fn new(nodes: &'a [Node], edges: &'a [Edge]) -> Index<'a> {
        let nodes = nodes.iter().map(|n| (n.id.as_str(), n)).collect();
        let mut out: HashMap<(&str, &str), Vec<&Edge>> = HashMap::new();
        for e in edges {
            out.entry((e.from_id.as_str(), e.kind.as_str())).or_default().push(e);
        }
        Index { nodes, out }
    }

    fn out(&self, from: &'a str, kind: &'a str) -> &[&'a Edge] {
        self.out.get(&(from, kind)).map(Vec::as_slice).unwrap_or_default()
    }

    fn node(&self, id: &str) -> Option<&'a Node> {
        self.nodes.get(id).copied()
    }
}

fn status_of(node: &Node) -> &str {
    node.labels.get("okta/status").and_then(Value::as_str).unwrap_or("")
}

/// One route to a (resource, action), before rows are merged.
struct Route {
    resource: String,
    action: String,
    via: Value,
    /// Set for routes through a time-bound role assignment.
    expires: Option<String>,
}

/// The admin-power routes of one principal node (a user, a group, a service app): each role
/// assignment it holds, expanded over the assignment's scope.
fn role_routes(index: &Index, principal: &str, via: &Map<String, Value>, routes: &mut Vec<Route>) {
    for has_role in index.out(principal, edge::HAS_ROLE) {
        let Some(assignment) = index.node(&has_role.to_id) else { continue };
        let properties: Value = serde_json::from_str(assignment.properties.get()).unwrap_or_default();
        let expires = properties.get("expiration").and_then(Value::as_str).map(str::to_string);
        let role_type = assignment.labels.get("okta/role_type").and_then(Value::as_str).unwrap_or_default();
        for scope in index.out(&assignment.id, edge::SCOPED_TO) {
            let mut targets: Vec<(String, Value)> = Vec::new();
            let Some(target) = index.node(&scope.to_id) else { continue };
            match target.sub_kind.as_str() {
                sub_kind::RESOURCE_SET | sub_kind::APP_CATALOG => {
                    for contained in index.out(&target.id, edge::CONTAINS) {
                        targets.push((
                            contained.to_id.clone(),
                            contained.properties.get("scope").cloned().unwrap_or(Value::Null),
                        ));
                    }
                }
                _ => targets.push((target.id.clone(), scope.properties.get("scope").cloned().unwrap_or(Value::Null))),
            }
            for (resource, scope_kind) in targets {
                let mut route = via.clone();
                route.insert("role_assignment".into(), json!(properties.get("id").cloned().unwrap_or(Value::Null)));
                route.insert("role_type".into(), json!(role_type));
                route.insert("scope".into(), scope_kind);
                if target.sub_kind == sub_kind::RESOURCE_SET {
                    route.insert("resource_set".into(), json!(target.name));
                }
                if let Some(expires) = &expires {
                    route.insert("expires".into(), json!(expires));
                }
                routes.push(Route {
                    resource,
                    action: assignment.name.clone(),
                    via: Value::Object(route),
                    expires: expires.clone(),
                });
            }
        }
    }
}

fn direct() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("route".into(), json!("direct"));
    m
}

fn through_group(group: &Node) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("route".into(), json!("group"));
    m.insert("group".into(), json!(group.name));
    m.insert("group_id".into(), json!(group.id));
    m
}

/// Texts shared by many rows, kept once.
#[derive(Default)]
struct Shared {
    texts: HashMap<String, Arc<str>>,
    /// Labels of resources as JSON text, by node id.
    labels: HashMap<String, Arc<str>>,
}

impl Shared {
    fn text(&mut self, s: &str) -> Arc<str> {
        if let Some(t) = self.texts.get(s) {
            return t.clone();
        }
        let t: Arc<str> = Arc::from(s);
        self.texts.insert(s.to_string(), t.clone());
        t
    }

    fn labels(&mut self, node: &Node) -> Arc<str> {
        if let Some(l) = self.labels.get(&node.id) {
            return l.clone();
        }
        let l: Arc<str> = Arc::from(Value::Object(node.labels.clone()).to_string());
        self.labels.insert(node.id.clone(), l.clone());
        l
    }
}

/// Merges routes into rows: one per (resource, action), every route in `via`.
fn rows(
    index: &Index,
    shared: &mut Shared,
    identity: &Node,
    identity_denial: Option<&'static str>,
    routes: Vec<Route>,
    out: &mut Vec<AccessPath>,
) {
    let mut merged: BTreeMap<(String, String), (Vec<Value>, i64, i64)> = BTreeMap::new();
    for route in routes {
        let entry = merged.entry((route.resource, route.action)).or_default();
        entry.0.push(route.via);
        if route.expires.is_some() {
            entry.2 += 1;
        } else {
            entry.1 += 1;
        }
    }
    let (identity_name, identity_id, identity_kind) =
        (shared.text(&identity.name), shared.text(&identity.id), shared.text(&identity.sub_kind));
    for ((resource_id, action), (mut via, standing, temporary)) in merged {
        let Some(resource) = index.node(&resource_id) else { continue };
        // Routes arrive in the order the scan met the edges; list them the same way every scan:
        // direct first, then by assignment priority, then by what they name. Most rows have
        // one route, and sorting those would cost a second of a large rebuild.
        if via.len() > 1 {
            via.sort_by_cached_key(|r| {
                (r["route"] != "direct", r["priority"].as_i64().unwrap_or(i64::MAX), r.to_string())
            });
        }
        let app_denial =
            (resource.sub_kind == sub_kind::APP && status_of(resource) == "INACTIVE").then_some("app inactive");
        let reason = identity_denial.or(app_denial);
        out.push(AccessPath {
            identity: identity_name.clone(),
            identity_id: identity_id.clone(),
            identity_kind: identity_kind.clone(),
            resource: shared.text(&resource.name),
            resource_id: shared.text(&resource.id),
            resource_kind: shared.text(&resource.sub_kind),
            resource_labels: shared.labels(resource),
            action: shared.text(&action),
            kind: if reason.is_some() { "DENIED" } else { "ALLOWED" },
            reason,
            standing_privileges: standing,
            temporary_privileges: temporary,
            via: Value::Array(via).to_string(),
        });
    }
}

/// Every access path of one org's snapshot.
pub fn access_paths(nodes: &[Node], edges: &[Edge]) -> Vec<AccessPath> {
    let index = Index::new(nodes, edges);
    let mut shared = Shared::default();
    let mut out = Vec::new();
    // The admin routes of users, kept for the API tokens they created.
    let mut user_role_routes: HashMap<&str, Vec<Route>> = HashMap::new();
    let owners: std::collections::HashSet<&str> =
        edges.iter().filter(|e| e.kind == edge::ACTS_AS).map(|e| e.to_id.as_str()).collect();

    for user in nodes.iter().filter(|n| n.sub_kind == sub_kind::USER) {
        let denial = user_denial(status_of(user));
        let mut routes = Vec::new();
        let mut roles = Vec::new();
        for grant_edge in index.out(&user.id, edge::ASSIGNED) {
            app_routes(&index, grant_edge, direct(), &mut routes);
        }
        role_routes(&index, &user.id, &direct(), &mut roles);
        for membership in index.out(&user.id, edge::MEMBER_OF) {
            let Some(group) = index.node(&membership.to_id) else { continue };
            routes.push(Route {
                resource: group.id.clone(),
                action: action::MEMBER.into(),
                via: json!({"route": "direct"}),
                expires: None,
            });
            for grant_edge in index.out(&group.id, edge::ASSIGNED) {
                app_routes(&index, grant_edge, through_group(group), &mut routes);
            }
            role_routes(&index, &group.id, &through_group(group), &mut roles);
        }
        if owners.contains(user.id.as_str()) {
            let copies = roles
                .iter()
                .map(|r| Route {
                    resource: r.resource.clone(),
                    action: r.action.clone(),
                    via: r.via.clone(),
                    expires: r.expires.clone(),
                })
                .collect();
            user_role_routes.insert(user.id.as_str(), copies);
        }
        routes.extend(roles);
        rows(&index, &mut shared, user, denial, routes, &mut out);
    }

    for client in nodes.iter().filter(|n| n.sub_kind == sub_kind::SERVICE_APP) {
        let mut routes = Vec::new();
        role_routes(&index, &client.id, &direct(), &mut routes);
        rows(&index, &mut shared, client, None, routes, &mut out);
    }

    for token in nodes.iter().filter(|n| n.sub_kind == sub_kind::API_TOKEN) {
        let Some(owner_edge) = index.out(&token.id, edge::ACTS_AS).first() else { continue };
        let Some(owner) = index.node(&owner_edge.to_id) else { continue };
        let denial = user_denial(status_of(owner)).map(|_| "token owner not active");
        let routes = user_role_routes
            .get(owner.id.as_str())
            .map(|routes| {
                routes
                    .iter()
                    .map(|r| {
                        let mut via = json!({"route": "token_owner", "owner": owner.name, "owner_id": owner.id});
                        via["owner_route"] = r.via.clone();
                        Route {
                            resource: r.resource.clone(),
                            action: r.action.clone(),
                            via,
                            expires: r.expires.clone(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        rows(&index, &mut shared, token, denial, routes, &mut out);
    }
    out
}

/// The app an assignment edge's grant leads to, as a route carrying the assignment's facts.
fn app_routes(index: &Index, assigned: &Edge, mut via: Map<String, Value>, routes: &mut Vec<Route>) {
    for grants in index.out(&assigned.to_id, edge::GRANTS) {
        for key in ["priority", "profile"] {
            if let Some(v) = assigned.properties.get(key) {
                via.insert(key.into(), v.clone());
            }
        }
        routes.push(Route {
            resource: grants.to_id.clone(),
            action: action::ACCESS.into(),
            via: Value::Object(via.clone()),
            expires: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{GraphBuilder, kind, label};

    /// A small org built by hand: each test adds what its rule needs.
    struct Org {
        g: GraphBuilder,
    }

    impl Org {
        fn new() -> Org {
            Org { g: GraphBuilder::new("https://acme.okta.com") }
        }
        fn user(&mut self, id: &str, status: &str) -> String {
            let node_id = self.g.id(id);
            let node = self.g.add_node(&node_id, kind::IDENTITY, sub_kind::USER, &format!("{id}@acme.com"), json!({}));
            label(node, "okta/status", status);
            node_id
        }
        fn group(&mut self, id: &str) -> String {
            let node_id = self.g.id(id);
            self.g.add_node(&node_id, kind::IDENTITY_GROUP, sub_kind::GROUP, id, json!({}));
            node_id
        }
        fn app(&mut self, id: &str, status: &str) -> String {
            let node_id = self.g.id(id);
            let node = self.g.add_node(&node_id, kind::RESOURCE, sub_kind::APP, id, json!({}));
            label(node, "okta/status", status);
            let grant = self.g.id(&format!("{id}:assignment"));
            self.g.add_node(&grant, kind::ACTION, sub_kind::APP_ASSIGNMENT, id, json!({}));
            self.g.add_edge(&grant, edge::GRANTS, &node_id, json!({}));
            grant
        }
        fn role(&mut self, id: &str, role_type: &str, label_text: &str, expiration: Option<&str>) -> String {
            let node_id = self.g.id(id);
            let mut properties = json!({"id": id, "type": role_type});
            if let Some(e) = expiration {
                properties["expiration"] = json!(e);
            }
            let node = self.g.add_node(&node_id, kind::ACTION, sub_kind::ROLE, label_text, properties);
            label(node, "okta/role_type", role_type);
            node_id
        }
        fn paths(self) -> Vec<AccessPath> {
            let (nodes, edges, _) = self.g.finish();
            access_paths(&nodes, &edges)
        }
    }

    fn via(row: &AccessPath) -> Value {
        serde_json::from_str(&row.via).unwrap()
    }

    fn find<'a>(paths: &'a [AccessPath], identity: &str, resource: &str, action: &str) -> &'a AccessPath {
        paths
            .iter()
            .find(|p| &*p.identity == identity && &*p.resource == resource && &*p.action == action)
            .unwrap_or_else(|| panic!("no path {identity} → {resource} ({action})"))
    }

    #[test]
    fn one_app_reached_three_ways_is_one_row_with_three_routes() {
        let mut org = Org::new();
        let ann = org.user("ann", "ACTIVE");
        let (eng, all) = (org.group("eng"), org.group("all"));
        let aws = org.app("aws", "ACTIVE");
        org.g.add_edge(&ann, edge::MEMBER_OF, &eng, json!({}));
        org.g.add_edge(&ann, edge::MEMBER_OF, &all, json!({}));
        org.g.add_edge(&ann, edge::ASSIGNED, &aws, json!({"scope": "USER", "profile": {"role": "Admin"}}));
        org.g.add_edge(
            &eng,
            edge::ASSIGNED,
            &aws,
            json!({"scope": "GROUP", "priority": 1, "profile": {"role": "Dev"}}),
        );
        org.g.add_edge(
            &all,
            edge::ASSIGNED,
            &aws,
            json!({"scope": "GROUP", "priority": 2, "profile": {"role": "ReadOnly"}}),
        );
        let paths = org.paths();
        let row = find(&paths, "ann@acme.com", "aws", "access");
        assert_eq!(row.kind, "ALLOWED");
        assert_eq!(row.standing_privileges, 3);
        let via = via(row);
        let routes = via.as_array().unwrap();
        assert_eq!(routes.len(), 3);
        assert!(routes.iter().any(|r| r["route"] == "direct" && r["profile"]["role"] == "Admin"));
        assert!(routes.iter().any(|r| r["group"] == "eng" && r["priority"] == 1));
        assert_eq!(paths.iter().filter(|p| &*p.resource == "aws").count(), 1);
        assert_eq!(find(&paths, "ann@acme.com", "eng", "member").kind, "ALLOWED");
    }

    #[test]
    fn inactive_apps_and_unusable_users_are_denied_with_a_reason() {
        let mut org = Org::new();
        let ann = org.user("ann", "ACTIVE");
        let bob = org.user("bob", "SUSPENDED");
        let old = org.app("old", "INACTIVE");
        let new = org.app("new", "ACTIVE");
        for user in [&ann, &bob] {
            org.g.add_edge(user, edge::ASSIGNED, &old, json!({}));
            org.g.add_edge(user, edge::ASSIGNED, &new, json!({}));
        }
        let paths = org.paths();
        let denied = find(&paths, "ann@acme.com", "old", "access");
        assert_eq!((denied.kind, denied.reason), ("DENIED", Some("app inactive")));
        assert_eq!(find(&paths, "ann@acme.com", "new", "access").kind, "ALLOWED");
        let suspended = find(&paths, "bob@acme.com", "new", "access");
        assert_eq!((suspended.kind, suspended.reason), ("DENIED", Some("user suspended")));
    }

    #[test]
    fn admin_roles_reach_their_scope_directly_and_through_groups() {
        let mut org = Org::new();
        let ann = org.user("ann", "ACTIVE");
        let carl = org.user("carl", "SUSPENDED");
        let (helpdesk, sales) = (org.group("helpdesk"), org.group("sales"));
        org.g.add_edge(&ann, edge::MEMBER_OF, &helpdesk, json!({}));
        let super_admin = org.role("ra1", "SUPER_ADMIN", "Super Administrator", None);
        let help = org.role("ra2", "HELP_DESK_ADMIN", "Help Desk Administrator", None);
        let org_node = org.g.org_node_id();
        org.g.add_edge(&super_admin, edge::SCOPED_TO, &org_node, json!({"scope": "unrestricted"}));
        org.g.add_edge(&help, edge::SCOPED_TO, &sales, json!({"scope": "group"}));
        org.g.add_edge(&carl, edge::HAS_ROLE, &super_admin, json!({}));
        org.g.add_edge(&helpdesk, edge::HAS_ROLE, &help, json!({}));
        let paths = org.paths();
        let targeted = find(&paths, "ann@acme.com", "sales", "Help Desk Administrator");
        assert_eq!(targeted.kind, "ALLOWED");
        assert_eq!(via(targeted)[0]["group"], "helpdesk");
        let suspended_admin = find(&paths, "carl@acme.com", "https://acme.okta.com", "Super Administrator");
        assert_eq!((suspended_admin.kind, &*suspended_admin.resource_kind), ("DENIED", "okta_org"));
    }

    #[test]
    fn custom_roles_through_groups_cover_each_resource_of_their_set() {
        let mut org = Org::new();
        let ann = org.user("ann", "ACTIVE");
        let (ops, eng) = (org.group("ops"), org.group("eng"));
        let aws = org.app("aws", "ACTIVE");
        let aws_app = org.g.id("aws");
        org.g.add_edge(&ann, edge::MEMBER_OF, &ops, json!({}));
        let set = org.g.id("iam1");
        org.g.add_node(&set, kind::RESOURCE_GROUP, sub_kind::RESOURCE_SET, "Eng things", json!({}));
        org.g.add_edge_keyed(&set, edge::CONTAINS, &eng, "r1", json!({"scope": "group_members"}));
        org.g.add_edge_keyed(&set, edge::CONTAINS, &aws_app, "r2", json!({"scope": "app"}));
        let custom = org.role("irb1", "CUSTOM", "Password Resetter", Some("2030-01-01T00:00:00.000Z"));
        org.g.add_edge(&custom, edge::SCOPED_TO, &set, json!({"scope": "resource_set"}));
        org.g.add_edge(&ops, edge::HAS_ROLE, &custom, json!({}));
        let _ = aws;
        let paths = org.paths();
        for resource in ["eng", "aws"] {
            let row = find(&paths, "ann@acme.com", resource, "Password Resetter");
            assert_eq!(row.standing_privileges, 0, "a time-bound grant is not standing");
            assert_eq!(row.temporary_privileges, 1);
            assert_eq!(via(row)[0]["resource_set"], "Eng things");
        }
    }

    #[test]
    fn a_token_acts_with_its_creators_admin_power() {
        let mut org = Org::new();
        let root = org.user("root", "ACTIVE");
        let super_admin = org.role("ra1", "SUPER_ADMIN", "Super Administrator", None);
        let org_node = org.g.org_node_id();
        org.g.add_edge(&super_admin, edge::SCOPED_TO, &org_node, json!({}));
        org.g.add_edge(&root, edge::HAS_ROLE, &super_admin, json!({}));
        let token = org.g.id("00T1");
        org.g.add_node(&token, kind::IDENTITY, sub_kind::API_TOKEN, "Terraform", json!({}));
        org.g.add_edge(&token, edge::ACTS_AS, &root, json!({}));
        let paths = org.paths();
        let row = find(&paths, "Terraform", "https://acme.okta.com", "Super Administrator");
        assert_eq!((row.kind, &*row.identity_kind, row.standing_privileges), ("ALLOWED", "okta_api_token", 1));
        assert_eq!(via(row)[0]["owner"], "root@acme.com");
    }
}
