//! Snapshot replacement: counts, replacement, atomicity.

use crate::util::{Backend, TempStore, both, runtime};
use serde_json::{Map, Value, json};
use store::{Edge, ErrorKind, Node, QueryLimits};

fn node(org: &str, id: &str, name: &str) -> Node {
    let mut labels = Map::new();
    labels.insert("teleport.dev/origin".into(), json!("okta"));
    labels.insert("okta/org".into(), json!(org));
    Node {
        id: id.into(),
        kind: "identity".into(),
        sub_kind: "okta_user".into(),
        name: name.into(),
        labels,
        properties: serde_json::value::to_raw_value(&json!({"status": "ACTIVE"})).unwrap(),
    }
}

fn edge(id: &str, from: &str, to: &str) -> Edge {
    Edge { id: id.into(), from_id: from.into(), to_id: to.into(), kind: "member_of".into(), properties: json!({}) }
}

fn ids(t: &TempStore, rt: &tokio::runtime::Runtime, sql: &str) -> Vec<Value> {
    let result = rt.block_on(t.store.query(sql, QueryLimits::default())).unwrap();
    result.rows.into_iter().map(|mut r| r.remove(0)).collect()
}

const ACME: &str = "https://acme.okta.com";
const BETA: &str = "https://beta.okta.com";

fn a_replace_swaps_one_org_and_leaves_the_others(backend: Backend) {
    let t = TempStore::on(backend);
    let rt = runtime();
    let counts = rt
        .block_on(t.store.replace_snapshot(
            ACME,
            vec![node(ACME, "a:1", "one"), node(ACME, "a:2", "two")],
            vec![edge("a:e", "a:1", "a:2")],
        ))
        .unwrap();
    assert_eq!((counts.nodes, counts.edges), (2, 1));
    rt.block_on(t.store.replace_snapshot(BETA, vec![node(BETA, "b:1", "beta")], vec![])).unwrap();
    rt.block_on(t.store.replace_snapshot(ACME, vec![node(ACME, "a:3", "three")], vec![])).unwrap();
    assert_eq!(ids(&t, &rt, "SELECT id FROM nodes ORDER BY id"), [json!("a:3"), json!("b:1")]);
    assert_eq!(ids(&t, &rt, "SELECT count(*) FROM edges"), [json!(0)]);
    // The contract query over the new snapshot uses the okta/org label.
    assert_eq!(
        ids(&t, &rt, r#"SELECT name FROM nodes WHERE labels @> '{"okta/org": "https://acme.okta.com"}'"#),
        [json!("three")]
    );
}
both!(a_replace_swaps_one_org_and_leaves_the_others);

fn a_failed_replace_leaves_the_previous_snapshot_intact(backend: Backend) {
    let t = TempStore::on(backend);
    let rt = runtime();
    rt.block_on(t.store.replace_snapshot(ACME, vec![node(ACME, "a:1", "old")], vec![edge("a:e", "a:1", "a:1")]))
        .unwrap();

    // A duplicate node id halfway through the input.
    let nodes = vec![node(ACME, "a:2", "new"), node(ACME, "a:3", "new"), node(ACME, "a:2", "again")];
    let error = rt.block_on(t.store.replace_snapshot(ACME, nodes, vec![])).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::InvalidInput);
    assert!(error.to_string().contains("\"a:2\""), "{error}");
    assert_eq!(ids(&t, &rt, "SELECT name FROM nodes"), [json!("old")]);
    assert_eq!(ids(&t, &rt, "SELECT id FROM edges"), [json!("a:e")]);

    // A duplicate edge id fails the same way, after every node went in.
    let edges = vec![edge("a:x", "a:1", "a:1"), edge("a:x", "a:1", "a:1")];
    let error = rt.block_on(t.store.replace_snapshot(ACME, vec![node(ACME, "a:9", "new")], edges)).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::InvalidInput);
    assert_eq!(ids(&t, &rt, "SELECT id FROM nodes"), [json!("a:1")]);
    assert_eq!(ids(&t, &rt, "SELECT id FROM edges"), [json!("a:e")]);

    // An id that belongs to another org's snapshot is a duplicate too.
    rt.block_on(t.store.replace_snapshot(BETA, vec![node(BETA, "b:1", "beta")], vec![])).unwrap();
    let error = rt.block_on(t.store.replace_snapshot(ACME, vec![node(ACME, "b:1", "stolen")], vec![])).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::InvalidInput);
    assert_eq!(ids(&t, &rt, "SELECT id FROM nodes ORDER BY id"), [json!("a:1"), json!("b:1")]);
}
both!(a_failed_replace_leaves_the_previous_snapshot_intact);

fn the_org_label_is_added_or_checked(backend: Backend) {
    let t = TempStore::on(backend);
    let rt = runtime();
    let mut bare = node(ACME, "a:1", "bare");
    bare.labels.remove("okta/org");
    rt.block_on(t.store.replace_snapshot(ACME, vec![bare], vec![])).unwrap();
    assert_eq!(ids(&t, &rt, r#"SELECT labels->>'okta/org' FROM nodes"#), [json!(ACME)]);

    let error = rt.block_on(t.store.replace_snapshot(ACME, vec![node(BETA, "a:2", "wrong")], vec![])).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::InvalidInput);
    assert_eq!(ids(&t, &rt, "SELECT id FROM nodes"), [json!("a:1")]);
}
both!(the_org_label_is_added_or_checked);

/// Every column of every node and edge, for comparing whole snapshots.
fn everything(t: &TempStore, rt: &tokio::runtime::Runtime) -> (Vec<Vec<Value>>, Vec<Vec<Value>>) {
    let nodes = rt
        .block_on(t.store.query(
            "SELECT id, org, kind, sub_kind, name, labels, properties FROM nodes ORDER BY id",
            QueryLimits::default(),
        ))
        .unwrap()
        .rows;
    let edges = rt
        .block_on(
            t.store.query(
                "SELECT id, org, from_id, to_id, kind, properties FROM edges ORDER BY id",
                QueryLimits::default(),
            ),
        )
        .unwrap()
        .rows;
    (nodes, edges)
}

fn updated_at(t: &TempStore, rt: &tokio::runtime::Runtime, id: &str) -> Value {
    let sql = format!("SELECT updated_at FROM nodes WHERE id = '{id}'");
    rt.block_on(t.store.query(&sql, QueryLimits::default())).unwrap().rows.remove(0).remove(0)
}

fn a_rescan_writes_what_changed_and_ends_with_exactly_the_new_snapshot(backend: Backend) {
    let t = TempStore::on(backend);
    let rt = runtime();
    let first = (
        vec![
            node(ACME, "a:1", "same"),
            node(ACME, "a:2", "json"),
            node(ACME, "a:3", "renamed"),
            node(ACME, "a:4", "gone"),
        ],
        vec![edge("a:e1", "a:1", "a:2"), edge("a:e2", "a:1", "a:3"), edge("a:e3", "a:1", "a:4")],
    );
    rt.block_on(t.store.replace_snapshot(ACME, first.0, first.1)).unwrap();
    let before = updated_at(&t, &rt, "a:1");
    std::thread::sleep(std::time::Duration::from_millis(5));

    let mut json_changed = node(ACME, "a:2", "json");
    json_changed.properties = serde_json::value::to_raw_value(&json!({"status": "SUSPENDED"})).unwrap();
    let mut moved = edge("a:e2", "a:2", "a:3");
    moved.properties = json!({"weight": 2});
    let second = (
        vec![node(ACME, "a:5", "new"), node(ACME, "a:1", "same"), json_changed, node(ACME, "a:3", "renamed again")],
        vec![edge("a:e1", "a:1", "a:2"), moved, edge("a:e4", "a:5", "a:1")],
    );
    // What the store should hold afterwards: the second snapshot, as a fresh store holds it.
    let fresh = TempStore::on(backend);
    rt.block_on(fresh.store.replace_snapshot(ACME, second.0.clone(), second.1.clone())).unwrap();

    let counts = rt.block_on(t.store.replace_snapshot(ACME, second.0, second.1)).unwrap();
    assert_eq!((counts.nodes, counts.edges), (4, 3));
    assert_eq!(everything(&t, &rt), everything(&fresh, &rt));
    // The unchanged node kept its timestamp; the changed ones have a newer one.
    assert_eq!(updated_at(&t, &rt, "a:1"), before);
    assert!(updated_at(&t, &rt, "a:2").as_str() > before.as_str());
    assert!(updated_at(&t, &rt, "a:3").as_str() > before.as_str());
}
both!(a_rescan_writes_what_changed_and_ends_with_exactly_the_new_snapshot);

/// Enough rows for the bulk path (indexes dropped and rebuilt).
fn large(org: &str, prefix: &str, n: usize) -> (Vec<Node>, Vec<Edge>) {
    let nodes: Vec<Node> = (0..n).map(|i| node(org, &format!("{prefix}:{i:06}"), &format!("user {i}"))).collect();
    let edges: Vec<Edge> = (0..n)
        .map(|i| {
            edge(&format!("{prefix}:e{i:06}"), &format!("{prefix}:{i:06}"), &format!("{prefix}:{:06}", (i * 7) % n))
        })
        .collect();
    (nodes, edges)
}

fn indexes(t: &TempStore) -> Vec<String> {
    let conn = rusqlite::Connection::open(t.dir.path().join("sightline.db")).unwrap();
    let mut stmt =
        conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn a_large_replace_rebuilds_its_indexes_and_a_failed_one_keeps_them() {
    let t = TempStore::new();
    let rt = runtime();
    let before = indexes(&t);
    assert!(before.contains(&"nodes_name".to_string()) && before.contains(&"edges_to".to_string()), "{before:?}");

    rt.block_on(t.store.replace_snapshot(BETA, vec![node(BETA, "b:1", "beta")], vec![])).unwrap();
    let (nodes, edges) = large(ACME, "a", 30_000);
    rt.block_on(t.store.replace_snapshot(ACME, nodes, edges)).unwrap();
    assert_eq!(indexes(&t), before);
    assert_eq!(ids(&t, &rt, "SELECT count(*) FROM nodes"), [json!(30_001)]);
    assert_eq!(ids(&t, &rt, "SELECT count(*) FROM edges WHERE to_id = 'a:000007'"), [json!(1)]);

    // A large replace that fails while writing (an id of the other org) changes nothing.
    let (mut nodes, edges) = large(ACME, "c", 30_000);
    nodes.push(node(ACME, "b:1", "stolen"));
    let error = rt.block_on(t.store.replace_snapshot(ACME, nodes, edges)).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::InvalidInput, "{error}");
    assert_eq!(indexes(&t), before);
    assert_eq!(ids(&t, &rt, "SELECT count(*) FROM nodes WHERE id LIKE 'a:%'"), [json!(30_000)]);
    assert_eq!(ids(&t, &rt, "SELECT count(*) FROM nodes WHERE id LIKE 'c:%'"), [json!(0)]);
    assert_eq!(ids(&t, &rt, "SELECT name FROM nodes WHERE id = 'b:1'"), [json!("beta")]);
}
