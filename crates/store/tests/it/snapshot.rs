//! Snapshot replacement: counts, replacement, atomicity.

use crate::util::{TempStore, runtime};
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
        properties: json!({"status": "ACTIVE"}),
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

#[test]
fn a_replace_swaps_one_org_and_leaves_the_others() {
    let t = TempStore::new();
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

#[test]
fn a_failed_replace_leaves_the_previous_snapshot_intact() {
    let t = TempStore::new();
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

#[test]
fn the_org_label_is_added_or_checked() {
    let t = TempStore::new();
    let rt = runtime();
    let mut bare = node(ACME, "a:1", "bare");
    bare.labels.remove("okta/org");
    rt.block_on(t.store.replace_snapshot(ACME, vec![bare], vec![])).unwrap();
    assert_eq!(ids(&t, &rt, r#"SELECT labels->>'okta/org' FROM nodes"#), [json!(ACME)]);

    let error = rt.block_on(t.store.replace_snapshot(ACME, vec![node(BETA, "a:2", "wrong")], vec![])).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::InvalidInput);
    assert_eq!(ids(&t, &rt, "SELECT id FROM nodes"), [json!("a:1")]);
}
