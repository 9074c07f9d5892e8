//! The graph API over a small stored snapshot: one node's neighbourhood and several nodes'
//! neighbourhoods answered together. Each test runs on the embedded store and on PostgreSQL.

#[macro_use]
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tower::ServiceExt;

struct App {
    router: axum::Router,
    cookie: String,
    _dir: tempfile::TempDir,
    _pg: Option<store::testing::TempDatabase>,
}

const PASSWORD: &str = "a long enough password";

fn node(id: &str, kind: &str, sub_kind: &str) -> store::Node {
    store::Node {
        id: id.into(),
        kind: kind.into(),
        sub_kind: sub_kind.into(),
        name: id.into(),
        labels: serde_json::Map::new(),
        properties: serde_json::value::RawValue::from_string("{}".into()).unwrap(),
    }
}

fn edge(from: &str, kind: &str, to: &str) -> store::Edge {
    store::Edge {
        id: format!("{from}|{kind}|{to}"),
        from_id: from.into(),
        to_id: to.into(),
        kind: kind.into(),
        properties: json!({}),
    }
}

/// Three users, two groups sharing one member, an app assigned to the first group; a viewer
/// signed in.
async fn app(postgres: bool) -> App {
    let dir = tempfile::tempdir().unwrap();
    let (store, pg) = common::store(postgres, dir.path()).await;
    let nodes = vec![
        node("u1", "identity", "okta_user"),
        node("u2", "identity", "okta_user"),
        node("u3", "identity", "okta_user"),
        node("g1", "identity_group", "okta_group"),
        node("g2", "identity_group", "okta_group"),
        node("a1", "resource", "okta_app"),
    ];
    let edges = vec![
        edge("u1", "member_of", "g1"),
        edge("u2", "member_of", "g1"),
        edge("u2", "member_of", "g2"),
        edge("u3", "member_of", "g2"),
        edge("g1", "assigned", "a1"),
    ];
    store.replace_snapshot("https://example.okta.com", nodes, edges).await.unwrap();
    let account = store::Account {
        username: "viewer".into(),
        password_hash: web::auth::hash_password(PASSWORD).unwrap(),
        role: "viewer".into(),
        created_at: chrono::Utc::now(),
    };
    assert!(store.create_account(&account).await.unwrap());
    let router = common::router(store, dir.path(), None);
    let login = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"username": "viewer", "password": PASSWORD}).to_string()))
        .unwrap();
    let response = router.clone().oneshot(login).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
    App { router, cookie, _dir: dir, _pg: pg }
}

impl App {
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let request = Request::get(path).header(header::COOKIE, &self.cookie).body(Body::empty()).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }
}

/// A graph's node ids and edge ids, each list sorted.
fn contents(graph: &Value) -> (Vec<String>, Vec<String>) {
    let ids = |key: &str| -> Vec<String> {
        let mut ids: Vec<String> =
            graph[key].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect();
        ids.sort();
        ids
    };
    (ids("nodes"), ids("edges"))
}

fn unique(ids: &[String]) -> bool {
    ids.iter().collect::<BTreeSet<_>>().len() == ids.len()
}

both!(several_neighbourhoods_come_as_one_union_with_each_node_and_edge_once, |app: App| async move {
    let (status, g1) = app.get("/api/graph/neighbourhood?id=g1").await;
    assert_eq!(status, StatusCode::OK, "{g1}");
    let (_, g2) = app.get("/api/graph/neighbourhood?id=g2").await;
    let (status, both) = app.get("/api/graph/neighbourhood?id=g1,g2").await;
    assert_eq!(status, StatusCode::OK, "{both}");
    let (nodes, edges) = contents(&both);
    assert_eq!(nodes, ["a1", "g1", "g2", "u1", "u2", "u3"], "{both}");
    assert_eq!(edges, ["g1|assigned|a1", "u1|member_of|g1", "u2|member_of|g1", "u2|member_of|g2", "u3|member_of|g2"]);
    assert!(unique(&nodes) && unique(&edges), "{both}");
    assert_eq!(both["truncated"], false);
    // The same union as the separate answers merged.
    let merged = |key: &str| -> Vec<String> {
        let mut ids: BTreeSet<String> = BTreeSet::new();
        for g in [&g1, &g2] {
            ids.extend(g[key].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()));
        }
        ids.into_iter().collect()
    };
    assert_eq!((merged("nodes"), merged("edges")), (nodes, edges));
    // Each node keeps what the graph draws it with.
    let u2 = both["nodes"].as_array().unwrap().iter().find(|n| n["id"] == "u2").unwrap();
    assert_eq!(
        (u2["kind"].as_str(), u2["sub_kind"].as_str(), u2["layer"].as_u64()),
        (Some("identity"), Some("okta_user"), Some(0))
    );
    // Repeated and empty ids change nothing.
    let (status, again) = app.get("/api/graph/neighbourhood?id=g2,g1,,g2").await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(contents(&again), contents(&both));
});

both!(the_limit_holds_per_centre_and_each_centre_gets_its_aggregates, |app: App| async move {
    let (status, graph) = app.get("/api/graph/neighbourhood?id=g1,g2&limit=1").await;
    assert_eq!(status, StatusCode::OK, "{graph}");
    let aggregates: Vec<(&str, u64)> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["aggregate"].is_object())
        .map(|n| (n["aggregate"]["parent"].as_str().unwrap(), n["aggregate"]["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(aggregates, [("g1", 1), ("g2", 1)], "{graph}");
    // The first member of each group by name, each drawn once.
    let users: Vec<&str> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["sub_kind"] == "okta_user" && n["aggregate"].is_null())
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["u1", "u2"], "{graph}");
});

both!(an_unknown_or_missing_centre_is_refused, |app: App| async move {
    let (status, body) = app.get("/api/graph/neighbourhood?id=g1,nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.to_string().contains("nope"), "{body}");
    let (status, body) = app.get("/api/graph/neighbourhood?id=,").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let many = (0..51).map(|i| format!("n{i}")).collect::<Vec<_>>().join(",");
    let (status, body) = app.get(&format!("/api/graph/neighbourhood?id={many}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("at most 50"), "{body}");
});
