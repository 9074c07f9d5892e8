//! The graph a scan builds: node and edge identities, layers and labels.
//!
//! Ids are `okta:<org host>:<Okta id>` so several orgs live side by side; every Okta node carries
//! the labels `teleport.dev/origin: okta` and `okta/org: <org URL>` that the SQL contract's
//! queries filter on.

use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use store::{Edge, Node};

/// The layer of a node in the access graph (the `kind` column).
pub mod kind {
    /// Users, API tokens, service apps: who acts.
    pub const IDENTITY: &str = "identity";
    /// Groups of identities.
    pub const IDENTITY_GROUP: &str = "identity_group";
    /// Grants: app assignments and admin role assignments.
    pub const ACTION: &str = "action";
    /// Sets of resources: resource sets, catalog apps.
    pub const RESOURCE_GROUP: &str = "resource_group";
    /// What is reached: apps and the org.
    pub const RESOURCE: &str = "resource";
}

/// What a node is in Okta (the `sub_kind` column).
pub mod sub_kind {
    /// An Okta user.
    pub const USER: &str = "okta_user";
    /// An SSWS API token.
    pub const API_TOKEN: &str = "okta_api_token";
    /// An API service app as the holder of admin roles.
    pub const SERVICE_APP: &str = "okta_service_app";
    /// An Okta group.
    pub const GROUP: &str = "okta_group";
    /// One admin role assignment.
    pub const ROLE: &str = "okta_role";
    /// A custom admin role definition and its permissions.
    pub const CUSTOM_ROLE: &str = "okta_custom_role";
    /// The grant to use one app.
    pub const APP_ASSIGNMENT: &str = "okta_app_assignment";
    /// A resource set of custom roles.
    pub const RESOURCE_SET: &str = "okta_resource_set";
    /// Every instance of a catalog app.
    pub const APP_CATALOG: &str = "okta_app_catalog";
    /// An Okta app.
    pub const APP: &str = "okta_app";
    /// The Okta org itself.
    pub const ORG: &str = "okta_org";
}

/// Edge kinds.
pub mod edge {
    /// user → group.
    pub const MEMBER_OF: &str = "member_of";
    /// owner (user or group) → group.
    pub const OWNS: &str = "owns";
    /// user or group → app assignment grant.
    pub const ASSIGNED: &str = "assigned";
    /// app assignment grant → app.
    pub const GRANTS: &str = "grants";
    /// user, group or service app → role assignment.
    pub const HAS_ROLE: &str = "has_role";
    /// role assignment → its targets, resource set, or the org.
    pub const SCOPED_TO: &str = "scoped_to";
    /// custom role assignment → custom role.
    pub const INSTANCE_OF: &str = "instance_of";
    /// resource set or catalog → resource.
    pub const CONTAINS: &str = "contains";
    /// API token → its creator.
    pub const ACTS_AS: &str = "acts_as";
    /// service app identity → its app.
    pub const CLIENT_OF: &str = "client_of";
    /// imported group → the app it came from.
    pub const IMPORTED_FROM: &str = "imported_from";
}

/// Accumulates one org's nodes and edges; the store receives them all at once.
pub struct GraphBuilder {
    org_url: String,
    host: String,
    nodes: HashMap<String, Node>,
    /// Edges in insertion order; `edge_ids` holds a 128-bit digest of each id, so that a large
    /// org's half-million edges don't keep every id twice.
    edges: Vec<Edge>,
    edge_ids: HashSet<u128>,
    digest: (std::hash::RandomState, std::hash::RandomState),
}

impl GraphBuilder {
    /// An empty graph for the org at `org_url`, holding only the org node.
    pub fn new(org_url: &str) -> GraphBuilder {
        let host = url::Url::parse(org_url)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            })
            .unwrap_or_else(|| org_url.to_string());
        let mut builder = GraphBuilder {
            org_url: org_url.trim_end_matches('/').to_string(),
            host,
            nodes: HashMap::new(),
            edges: Vec::new(),
            edge_ids: HashSet::new(),
            digest: (std::hash::RandomState::new(), std::hash::RandomState::new()),
        };
        let org_id = builder.org_node_id();
        let org_url = builder.org_url.clone();
        builder.add_node(&org_id, kind::RESOURCE, sub_kind::ORG, &org_url, json!({ "url": org_url }));
        builder
    }

    /// The org URL, without a trailing slash.
    pub fn org_url(&self) -> &str {
        &self.org_url
    }

    /// The node id of an Okta object in this org.
    pub fn id(&self, okta_id: &str) -> String {
        format!("okta:{}:{okta_id}", self.host)
    }

    /// The node id of the org itself.
    pub fn org_node_id(&self) -> String {
        self.id("org")
    }

    /// The labels every Okta node carries.
    pub fn base_labels(&self) -> Map<String, Value> {
        let mut labels = Map::new();
        labels.insert("teleport.dev/origin".into(), json!("okta"));
        labels.insert("okta/org".into(), json!(self.org_url));
        labels
    }

    /// Adds a node (a later add of the same id replaces it).
    pub fn add_node(&mut self, id: &str, kind: &str, sub_kind: &str, name: &str, properties: Value) -> &mut Node {
        let properties = serde_json::value::to_raw_value(&properties).expect("a JSON value serializes");
        self.add_node_raw(id, kind, sub_kind, name, properties)
    }

    /// [`GraphBuilder::add_node`] with properties already as JSON text.
    pub fn add_node_raw(
        &mut self,
        id: &str,
        kind: &str,
        sub_kind: &str,
        name: &str,
        properties: Box<serde_json::value::RawValue>,
    ) -> &mut Node {
        let node = Node {
            id: id.to_string(),
            kind: kind.to_string(),
            sub_kind: sub_kind.to_string(),
            name: name.to_string(),
            labels: self.base_labels(),
            properties,
        };
        self.nodes.insert(id.to_string(), node);
        self.nodes.get_mut(id).expect("just inserted")
    }

    /// Whether a node with this id was added.
    pub fn has_node(&self, id: &str) -> bool {
        self.nodes.contains_key(id)
    }

    /// The name of a node added earlier.
    pub fn node_name(&self, id: &str) -> Option<&str> {
        self.nodes.get(id).map(|n| n.name.as_str())
    }

    /// Adds an edge; its id is derived from its ends and kind, so adding it twice keeps one.
    pub fn add_edge(&mut self, from_id: &str, kind: &str, to_id: &str, properties: Value) {
        self.add_edge_keyed(from_id, kind, to_id, "", properties);
    }

    /// Adds an edge that may run in parallel with others of the same kind between the same nodes
    /// (e.g. a resource set holding "all users" and "all groups", both pointing at the org),
    /// told apart by `key`.
    pub fn add_edge_keyed(&mut self, from_id: &str, kind: &str, to_id: &str, key: &str, properties: Value) {
        let id = if key.is_empty() {
            format!("{from_id}|{kind}|{to_id}")
        } else {
            format!("{from_id}|{kind}|{to_id}|{key}")
        };
        let digest = {
            let (mut a, mut b) = (self.digest.0.build_hasher(), self.digest.1.build_hasher());
            a.write(id.as_bytes());
            b.write(id.as_bytes());
            (u128::from(a.finish()) << 64) | u128::from(b.finish())
        };
        if self.edge_ids.insert(digest) {
            self.edges.push(Edge {
                id,
                from_id: from_id.to_string(),
                to_id: to_id.to_string(),
                kind: kind.to_string(),
                properties,
            });
        }
    }

    /// The nodes and edges, and how many edges were dropped: drops edges whose ends are not nodes (an object deleted between two listings).
    pub fn finish(self) -> (Vec<Node>, Vec<Edge>, usize) {
        let GraphBuilder { nodes, mut edges, edge_ids, .. } = self;
        drop(edge_ids);
        let before = edges.len();
        edges.retain(|e| nodes.contains_key(&e.from_id) && nodes.contains_key(&e.to_id));
        let dangling = before - edges.len();
        let mut nodes: Vec<Node> = nodes.into_values().collect();
        nodes.sort_by(|a, b| a.id.cmp(&b.id));
        (nodes, edges, dangling)
    }
}

/// Adds `key: value` to a node's labels.
pub fn label(node: &mut Node, key: &str, value: impl Into<Value>) {
    node.labels.insert(key.to_string(), value.into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_scoped_to_the_org_host_and_every_node_has_the_origin_labels() {
        let mut g = GraphBuilder::new("http://127.0.0.1:8070/");
        assert_eq!(g.id("00u1"), "okta:127.0.0.1:8070:00u1");
        let user = g.id("00u1");
        let group = g.id("00g1");
        g.add_node(&user, kind::IDENTITY, sub_kind::USER, "a@b", json!({}));
        g.add_edge(&user, edge::MEMBER_OF, &group, json!({}));
        g.add_edge(&user, edge::MEMBER_OF, &group, json!({}));
        let (nodes, edges, dangling) = g.finish();
        assert_eq!(nodes.len(), 2, "the org node and the user");
        assert!(
            nodes
                .iter()
                .all(|n| n.labels["teleport.dev/origin"] == "okta" && n.labels["okta/org"] == "http://127.0.0.1:8070")
        );
        assert!(edges.is_empty(), "the group never arrived, so the edge is dropped");
        assert_eq!(dangling, 1, "one edge, added twice, kept once, then dropped");
    }
}
