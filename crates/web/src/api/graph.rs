//! The graph: overview, node lists, one node with its relations, a neighbourhood (aggregated
//! beyond a threshold), and the access and escalation paths of an identity, drawn as layers.

use super::{Access, Routes, list};
use crate::AppState;
use crate::auth::Role;
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Query, State};
use axum::routing::get;
use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashSet};

pub(super) fn routes(routes: Routes) -> Routes {
    let viewer = Access::Signed(Role::Viewer);
    routes
        .add("GET", "/api/summary", viewer, get(summary))
        .add("GET", "/api/nodes", viewer, get(nodes))
        .add("GET", "/api/nodes/{id}", viewer, get(node))
        .add("GET", "/api/graph/neighbourhood", viewer, get(neighbourhood))
        .add("GET", "/api/graph/access", viewer, get(access))
        .add("GET", "/api/graph/escalation", viewer, get(escalation))
}

/// The layer of a node kind, left to right.
pub(crate) fn layer(kind: &str) -> u8 {
    match kind {
        "identity" => 0,
        "identity_group" => 1,
        "action" => 2,
        "resource_group" => 3,
        _ => 4,
    }
}

fn str_of<'a>(map: &'a Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// A node as the graph draws it.
pub(crate) fn graph_node(row: &Map<String, Value>) -> Value {
    let kind = str_of(row, "kind");
    json!({
        "id": row.get("id"),
        "kind": kind,
        "sub_kind": row.get("sub_kind"),
        "name": row.get("name"),
        "layer": layer(kind),
    })
}

/// Nodes and edges, each once.
#[derive(Default)]
pub(crate) struct Graph {
    nodes: Vec<Value>,
    edges: Vec<Value>,
    seen: HashSet<String>,
}

impl Graph {
    pub(crate) fn node(&mut self, node: Value) {
        let id = node["id"].as_str().unwrap_or_default().to_string();
        if self.seen.insert(format!("n:{id}")) {
            self.nodes.push(node);
        }
    }

    pub(crate) fn edge(&mut self, source: &str, target: &str, kind: &str, extra: Value) {
        let id = format!("{source}|{kind}|{target}");
        if self.seen.insert(format!("e:{id}")) {
            let mut edge = json!({"id": id, "source": source, "target": target, "kind": kind});
            if let (Value::Object(edge), Value::Object(extra)) = (&mut edge, extra) {
                edge.extend(extra);
            }
            self.edges.push(edge);
        }
    }

    pub(crate) fn into_json(self, truncated: bool) -> Value {
        json!({"nodes": self.nodes, "edges": self.edges, "truncated": truncated})
    }
}

async fn summary(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let mut overview = state.store().overview().await?;
    let integrations = super::integrations::statuses(&state).await?;
    overview.insert("integrations".into(), json!(integrations));
    Ok(Json(Value::Object(overview)))
}

#[derive(Deserialize)]
struct NodesParams {
    sub_kind: Option<String>,
    q: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

async fn nodes(State(state): State<AppState>, Query(params): Query<NodesParams>) -> ApiResult<Json<Value>> {
    let query = store::NodeQuery {
        sub_kinds: list(&params.sub_kind),
        text: params.q,
        status: params.status,
        limit: params.limit.unwrap_or(50),
        offset: params.offset.unwrap_or(0),
    };
    let (nodes, total) = state.store().browse_nodes(&query).await?;
    Ok(Json(json!({"nodes": nodes, "total": total})))
}

/// Relations listed in a node's side panel.
const PANEL_RELATIONS: usize = 500;
/// Access rows listed in a node's side panel.
const PANEL_ACCESS: usize = 500;

async fn node(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let node = store.node(&id).await?.ok_or_else(|| ApiError::not_found(format!("node {id}")))?;
    let (relations, relations_total) = store.relations(&id, PANEL_RELATIONS).await?;
    let relations: Vec<Value> = relations
        .into_iter()
        .map(|mut r| {
            let direction = r.remove("direction");
            let edge_kind = r.remove("edge_kind");
            let edge_properties = r.remove("edge_properties");
            r.remove("edge_id");
            json!({"direction": direction, "edge_kind": edge_kind, "edge_properties": edge_properties, "node": r})
        })
        .collect();
    let kind = str_of(&node, "kind");
    let access = store.access_paths(&id, kind == "identity", PANEL_ACCESS).await?;
    let login = str_of(&node, "name").to_lowercase();
    let (alerts, activity) = if str_of(&node, "sub_kind") == "okta_user" {
        let alerts =
            store.alerts(store::AlertFilter { entity: Some(login.clone()), limit: 20, ..Default::default() }).await?;
        let filter = store::EventFilter { person: Some(login), ..Default::default() };
        (alerts, store.timeline(&filter, 20, None).await?.events)
    } else {
        (Vec::new(), Vec::new())
    };
    let escalation = if kind == "identity" { store.escalation_paths(&id, 50).await? } else { Vec::new() };
    Ok(Json(json!({
        "node": node,
        "relations": relations,
        "relations_total": relations_total,
        "access": access,
        "escalation": escalation,
        "alerts": alerts,
        "activity": activity,
    })))
}

#[derive(Deserialize)]
struct NeighbourhoodParams {
    /// One centre node, or several separated by commas.
    id: String,
    limit: Option<usize>,
}

/// Neighbours fetched for one neighbourhood at most.
const NEIGHBOURHOOD_FETCH: usize = 20_000;
/// Centres one request may ask for: the graph explorer draws a few neighbourhoods together.
const NEIGHBOURHOOD_CENTRES: usize = 50;
/// Centres read at the same time.
const CONCURRENT_CENTRES: usize = 4;

/// The neighbourhood of a node, or the union of several nodes' neighbourhoods (each node and edge
/// once): drawing them together from one answer saves sending the nodes they share once per centre.
async fn neighbourhood(
    State(state): State<AppState>,
    Query(params): Query<NeighbourhoodParams>,
) -> ApiResult<Json<Value>> {
    let per_group = params.limit.unwrap_or(25).clamp(1, 5_000);
    let mut centres: Vec<String> = Vec::new();
    for id in list(&Some(params.id)) {
        if !centres.contains(&id) {
            centres.push(id);
        }
    }
    if centres.is_empty() {
        return Err(ApiError::bad_request("id: a node id is needed"));
    }
    if centres.len() > NEIGHBOURHOOD_CENTRES {
        return Err(ApiError::bad_request(format!(
            "id: at most {NEIGHBOURHOOD_CENTRES} nodes at once, not {}",
            centres.len()
        )));
    }
    let store = state.store();
    // A few centres at a time: each read takes a query connection of its own.
    let fetched: Vec<_> = futures::stream::iter(centres.clone().into_iter().map(|id| {
        let store = store.clone();
        async move {
            let centre = store.node(&id).await?.ok_or_else(|| ApiError::not_found(format!("node {id}")))?;
            let (relations, total) = store.relations(&id, NEIGHBOURHOOD_FETCH).await?;
            Ok::<_, ApiError>((centre, relations, total))
        }
    }))
    .buffered(CONCURRENT_CENTRES)
    .try_collect()
    .await?;
    let mut graph = Graph::default();
    let mut truncated = false;
    for (id, (centre, relations, total)) in centres.iter().zip(fetched) {
        add_neighbourhood(&mut graph, id, &centre, relations, per_group);
        truncated |= total as usize > NEIGHBOURHOOD_FETCH;
    }
    Ok(Json(graph.into_json(truncated)))
}

/// Adds a centre and its neighbours, grouped by how they relate; beyond `per_group` in a group,
/// one aggregate node stands for the rest.
fn add_neighbourhood(
    graph: &mut Graph,
    id: &str,
    centre: &Map<String, Value>,
    relations: Vec<Map<String, Value>>,
    per_group: usize,
) {
    graph.node(graph_node(centre));
    let mut groups: BTreeMap<(String, String, String), Vec<Map<String, Value>>> = BTreeMap::new();
    for row in relations {
        let key = (
            str_of(&row, "edge_kind").to_string(),
            str_of(&row, "direction").to_string(),
            str_of(&row, "sub_kind").to_string(),
        );
        groups.entry(key).or_default().push(row);
    }
    for ((edge_kind, direction, sub_kind), rows) in groups {
        let count = rows.len();
        for row in rows.iter().take(per_group) {
            graph.node(graph_node(row));
            let other = str_of(row, "id");
            let (source, target) = if direction == "out" { (id, other) } else { (other, id) };
            graph.edge(source, target, &edge_kind, json!({}));
        }
        if count > per_group {
            let aggregate = format!("agg:{id}:{edge_kind}:{direction}:{sub_kind}");
            let more = count - per_group;
            let kind = str_of(&rows[0], "kind");
            graph.node(json!({
                "id": aggregate,
                "kind": kind,
                "sub_kind": sub_kind,
                "name": format!("{more} more {}", plural(&sub_kind)),
                "layer": layer(kind),
                "aggregate": {"count": more, "edge_kind": edge_kind, "direction": direction, "of": sub_kind, "parent": id},
            }));
            let (source, target) = if direction == "out" { (id, aggregate.as_str()) } else { (aggregate.as_str(), id) };
            graph.edge(source, target, &edge_kind, json!({}));
        }
    }
}

fn plural(sub_kind: &str) -> String {
    let noun = sub_kind.trim_start_matches("okta_").replace('_', " ");
    format!("{noun}s")
}

#[derive(Deserialize)]
struct IdParams {
    id: String,
}

/// Access rows drawn for one identity at most.
const ACCESS_ROWS: usize = 5_000;

async fn access(State(state): State<AppState>, Query(params): Query<IdParams>) -> ApiResult<Json<Value>> {
    let store = state.store();
    let identity = store.node(&params.id).await?.ok_or_else(|| ApiError::not_found(format!("node {}", params.id)))?;
    let paths = store.access_paths(&params.id, true, ACCESS_ROWS + 1).await?;
    let truncated = paths.len() > ACCESS_ROWS;
    let paths = &paths[..paths.len().min(ACCESS_ROWS)];
    let graph = access_graph(store, &identity, paths).await?;
    let mut body = graph.into_json(truncated);
    body["paths"] = json!(paths);
    Ok(Json(body))
}

/// The layered drawing of access rows: identity → (owner, groups) → action → resource.
pub(crate) async fn access_graph(
    store: &store::Store,
    identity: &Map<String, Value>,
    paths: &[Map<String, Value>],
) -> ApiResult<Graph> {
    let identity_id = str_of(identity, "id").to_string();
    // The nodes the rows name: resources, and the groups and owners of their routes.
    let mut ids: Vec<String> = Vec::new();
    for row in paths {
        ids.push(str_of(row, "resource_id").to_string());
        for route in routes_of(row) {
            for key in ["group_id", "owner_id"] {
                if let Some(id) = route.get(key).and_then(Value::as_str) {
                    ids.push(id.to_string());
                }
            }
            if let Some(id) = route.pointer("/owner_route/group_id").and_then(Value::as_str) {
                ids.push(id.to_string());
            }
        }
    }
    ids.sort();
    ids.dedup();
    let known: std::collections::HashMap<String, Map<String, Value>> =
        store.nodes_by_id(&ids).await?.into_iter().map(|n| (str_of(&n, "id").to_string(), n)).collect();
    let mut graph = Graph::default();
    graph.node(graph_node(identity));
    for row in paths {
        let resource_id = str_of(row, "resource_id");
        let Some(resource) = known.get(resource_id) else { continue };
        graph.node(graph_node(resource));
        let action = str_of(row, "action");
        let allowed = str_of(row, "kind") != "DENIED";
        let status = json!({"allowed": allowed});
        if action == "member" {
            graph.edge(&identity_id, resource_id, "member_of", status);
            continue;
        }
        let action_id = format!("action:{resource_id}:{action}");
        graph.node(json!({"id": action_id, "kind": "action", "sub_kind": "access_action", "name": action, "layer": 2}));
        graph.edge(&action_id, resource_id, "grants", status.clone());
        for route in routes_of(row) {
            let mut from = identity_id.clone();
            let mut route = &route;
            if route.get("route").and_then(Value::as_str) == Some("token_owner") {
                if let Some(owner) = route.get("owner_id").and_then(Value::as_str).and_then(|id| known.get(id)) {
                    graph.node(graph_node(owner));
                    graph.edge(&from, str_of(owner, "id"), "acts_as", json!({}));
                    from = str_of(owner, "id").to_string();
                }
                match route.get("owner_route") {
                    Some(inner) => route = inner,
                    None => continue,
                }
            }
            match route.get("group_id").and_then(Value::as_str).and_then(|id| known.get(id)) {
                Some(group) => {
                    let group_id = str_of(group, "id");
                    graph.node(graph_node(group));
                    graph.edge(&from, group_id, "member_of", json!({}));
                    graph.edge(group_id, &action_id, "via", status.clone());
                }
                None => graph.edge(&from, &action_id, "via", status.clone()),
            }
        }
    }
    Ok(graph)
}

fn routes_of(row: &Map<String, Value>) -> Vec<Value> {
    match row.get("via") {
        Some(Value::Array(routes)) => routes.clone(),
        Some(Value::String(text)) => serde_json::from_str::<Vec<Value>>(text).unwrap_or_default(),
        Some(other @ Value::Object(_)) => vec![other.clone()],
        _ => Vec::new(),
    }
}

async fn escalation(State(state): State<AppState>, Query(params): Query<IdParams>) -> ApiResult<Json<Value>> {
    let paths = state.store().escalation_paths(&params.id, 1_000).await?;
    Ok(Json(json!({"paths": paths})))
}
