//! What a scan derives beyond access paths (escalation paths, control edges, crown-jewel reach):
//! written with the snapshot in one transaction, replaced whole, read back.

use crate::util::{Backend, TempStore, both, runtime};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use store::{ControlRow, DerivedRows, ErrorKind, EscalationRow, JewelReachRow, Node, QueryLimits};

const ACME: &str = "https://acme.okta.com";
const BETA: &str = "https://beta.okta.com";

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

fn chain(steps: &[(&str, &str, &str)]) -> String {
    let steps: Vec<Value> = steps
        .iter()
        .map(|(step, from, to)| json!({"step": step, "from": from, "to": to, "rule": "a \"quoted\" rule"}))
        .collect();
    Value::Array(steps).to_string()
}

fn escalation(identity: &str, target_id: &str, kind: &'static str, steps: &[(&str, &str, &str)]) -> EscalationRow {
    EscalationRow {
        identity: Arc::from(identity),
        identity_id: Arc::from(format!("id:{identity}")),
        identity_kind: Arc::from("okta_user"),
        target: Arc::from(format!("name of {target_id}")),
        target_id: Arc::from(target_id),
        target_kind: kind,
        length: steps.len() as u32,
        chain: chain(steps),
        truncated: false,
    }
}

fn control(from: &str, to: &str, via_group: Option<&str>) -> ControlRow {
    ControlRow {
        from_id: Arc::from(from),
        to_id: Arc::from(to),
        capability: "manage_membership",
        scope: "object",
        over_admins: false,
        via_role: Arc::from("role:1"),
        via_group: via_group.map(Arc::from),
        reason: "USER_ADMIN manages its target groups' members",
    }
}

fn reach(jewel: &str, identity: &str, how: &str) -> JewelReachRow {
    JewelReachRow {
        jewel_id: Arc::from(jewel),
        jewel_name: Arc::from(format!("name of {jewel}")),
        identity_id: Arc::from(format!("id:{identity}")),
        identity: Arc::from(identity),
        how: Arc::from(how),
    }
}

/// A first scan of ACME: a three-step chain, a one-step chain to super admin, two control edges,
/// three reach rows.
fn first() -> DerivedRows {
    DerivedRows {
        access_paths: Vec::new(),
        escalation_paths: vec![
            escalation(
                "ann",
                "app:aws",
                "crown_jewel",
                &[
                    ("become_user", "id:ann", "id:bob"),
                    ("member_of", "id:bob", "grp:ops"),
                    ("access_app", "grp:ops", "app:aws"),
                ],
            ),
            EscalationRow {
                truncated: true,
                ..escalation("cat", "role:SUPER_ADMIN", "super_admin", &[("grant_role", "id:cat", "role:SUPER_ADMIN")])
            },
        ],
        control_edges: vec![control("id:ann", "id:bob", None), control("id:ann", "grp:ops", Some("grp:admins"))],
        jewel_reach: vec![
            reach("app:aws", "bob", "access"),
            reach("app:aws", "ann", "escalation"),
            reach("app:aws", "dan", "control"),
        ],
    }
}

fn rows(t: &TempStore, rt: &tokio::runtime::Runtime, sql: &str) -> Vec<Vec<Value>> {
    rt.block_on(t.store.query(sql, QueryLimits::default())).unwrap_or_else(|e| panic!("{sql}: {e}")).rows
}

fn derived_rows_round_trip_through_sql(backend: Backend) {
    let t = TempStore::on(backend);
    let rt = runtime();
    let nodes = vec![node(ACME, "id:ann", "ann"), node(ACME, "id:bob", "bob")];
    rt.block_on(t.store.replace_snapshot_with_derived(ACME, nodes, vec![], first())).unwrap();

    let got = rows(
        &t,
        &rt,
        "SELECT identity, identity_id, identity_kind, target, target_id, target_kind, length, chain, truncated, org \
         FROM escalation_path ORDER BY identity",
    );
    let expected_chain: Value = serde_json::from_str(&first().escalation_paths[0].chain).unwrap();
    assert_eq!(
        got[0],
        vec![
            json!("ann"),
            json!("id:ann"),
            json!("okta_user"),
            json!("name of app:aws"),
            json!("app:aws"),
            json!("crown_jewel"),
            json!(3),
            expected_chain,
            json!(false),
            json!(ACME),
        ]
    );
    assert_eq!(got[1][8], json!(true));
    // `chain` is jsonb on both backends: its length and its last step's target, by SQL.
    let checked = rows(
        &t,
        &rt,
        "SELECT identity, jsonb_array_length(chain) = length, chain -> (length - 1) ->> 'to' = target_id, \
         chain -> 0 ->> 'step' FROM escalation_path ORDER BY identity",
    );
    assert_eq!(
        checked,
        vec![
            vec![json!("ann"), json!(true), json!(true), json!("become_user")],
            vec![json!("cat"), json!(true), json!(true), json!("grant_role")]
        ]
    );
    // The README's example queries.
    assert_eq!(
        rows(&t, &rt, "SELECT identity FROM escalation_path WHERE target_kind = 'super_admin' AND length <= 2"),
        vec![vec![json!("cat")]]
    );
    assert_eq!(
        rows(&t, &rt, r#"SELECT count(*) FROM escalation_path WHERE chain @> '[{"step": "member_of"}]'"#),
        vec![vec![json!(1)]]
    );

    let got = rows(
        &t,
        &rt,
        "SELECT from_id, to_id, capability, scope, over_admins, via_role, via_group, reason, org FROM control_edge \
         ORDER BY to_id",
    );
    assert_eq!(
        got,
        vec![
            vec![
                json!("id:ann"),
                json!("grp:ops"),
                json!("manage_membership"),
                json!("object"),
                json!(false),
                json!("role:1"),
                json!("grp:admins"),
                json!("USER_ADMIN manages its target groups' members"),
                json!(ACME),
            ],
            vec![
                json!("id:ann"),
                json!("id:bob"),
                json!("manage_membership"),
                json!("object"),
                json!(false),
                json!("role:1"),
                Value::Null,
                json!("USER_ADMIN manages its target groups' members"),
                json!(ACME),
            ],
        ]
    );

    let mut expected = first().jewel_reach;
    expected.sort();
    assert_eq!(rt.block_on(t.store.crown_jewel_reach(ACME)).unwrap(), expected);
    assert_eq!(rt.block_on(t.store.crown_jewel_reach(BETA)).unwrap(), vec![]);
    assert_eq!(
        rows(&t, &rt, "SELECT identity, how FROM crown_jewel_reach WHERE jewel_id = 'app:aws' ORDER BY identity"),
        vec![
            vec![json!("ann"), json!("escalation")],
            vec![json!("bob"), json!("access")],
            vec![json!("dan"), json!("control")]
        ]
    );
}
both!(derived_rows_round_trip_through_sql);

fn a_second_replace_replaces_the_derived_rows_of_its_org_only(backend: Backend) {
    let t = TempStore::on(backend);
    let rt = runtime();
    rt.block_on(t.store.replace_snapshot_with_derived(ACME, vec![node(ACME, "id:ann", "ann")], vec![], first()))
        .unwrap();
    let beta = DerivedRows {
        escalation_paths: vec![escalation("zed", "app:gh", "crown_jewel", &[("assign_app", "id:zed", "app:gh")])],
        control_edges: vec![control("id:zed", "app:gh", None)],
        jewel_reach: vec![reach("app:gh", "zed", "control")],
        ..DerivedRows::default()
    };
    rt.block_on(t.store.replace_snapshot_with_derived(BETA, vec![node(BETA, "b:zed", "zed")], vec![], beta)).unwrap();

    let second = DerivedRows {
        escalation_paths: vec![escalation("eve", "app:aws", "crown_jewel", &[("access_app", "id:eve", "app:aws")])],
        control_edges: vec![],
        jewel_reach: vec![reach("app:aws", "eve", "escalation")],
        ..DerivedRows::default()
    };
    rt.block_on(t.store.replace_snapshot_with_derived(ACME, vec![node(ACME, "id:ann", "ann")], vec![], second))
        .unwrap();
    assert_eq!(
        rows(&t, &rt, "SELECT identity, org FROM escalation_path ORDER BY identity"),
        vec![vec![json!("eve"), json!(ACME)], vec![json!("zed"), json!(BETA)]]
    );
    assert_eq!(rows(&t, &rt, "SELECT org FROM control_edge"), vec![vec![json!(BETA)]]);
    assert_eq!(rt.block_on(t.store.crown_jewel_reach(ACME)).unwrap(), vec![reach("app:aws", "eve", "escalation")]);
    assert_eq!(rt.block_on(t.store.crown_jewel_reach(BETA)).unwrap(), vec![reach("app:gh", "zed", "control")]);

    // A replace without derived rows (the older API) leaves the org none: stale rows would
    // disagree with the new snapshot.
    rt.block_on(t.store.replace_snapshot_with_paths(ACME, vec![node(ACME, "id:ann", "ann")], vec![], vec![])).unwrap();
    assert_eq!(rows(&t, &rt, "SELECT org FROM escalation_path"), vec![vec![json!(BETA)]]);
    assert_eq!(rt.block_on(t.store.crown_jewel_reach(ACME)).unwrap(), vec![]);
}
both!(a_second_replace_replaces_the_derived_rows_of_its_org_only);

fn a_failed_replace_keeps_the_previous_derived_rows(backend: Backend) {
    let t = TempStore::on(backend);
    let rt = runtime();
    rt.block_on(t.store.replace_snapshot_with_derived(ACME, vec![node(ACME, "id:ann", "ann")], vec![], first()))
        .unwrap();
    let before = (
        rows(&t, &rt, "SELECT identity, target_id, length, chain FROM escalation_path ORDER BY identity"),
        rows(&t, &rt, "SELECT from_id, to_id FROM control_edge ORDER BY to_id"),
        rt.block_on(t.store.crown_jewel_reach(ACME)).unwrap(),
    );
    assert_eq!((before.0.len(), before.1.len(), before.2.len()), (2, 2, 3));

    let replacement = DerivedRows {
        escalation_paths: vec![escalation("eve", "app:aws", "crown_jewel", &[("access_app", "id:eve", "app:aws")])],
        control_edges: vec![control("id:eve", "app:aws", None)],
        jewel_reach: vec![reach("app:aws", "eve", "escalation")],
        ..DerivedRows::default()
    };
    let duplicated = vec![node(ACME, "id:eve", "eve"), node(ACME, "id:eve", "eve again")];
    let error = rt.block_on(t.store.replace_snapshot_with_derived(ACME, duplicated, vec![], replacement)).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::InvalidInput, "{error}");
    let after = (
        rows(&t, &rt, "SELECT identity, target_id, length, chain FROM escalation_path ORDER BY identity"),
        rows(&t, &rt, "SELECT from_id, to_id FROM control_edge ORDER BY to_id"),
        rt.block_on(t.store.crown_jewel_reach(ACME)).unwrap(),
    );
    assert_eq!(after, before);
    assert_eq!(rows(&t, &rt, "SELECT name FROM nodes"), vec![vec![json!("ann")]]);
}
both!(a_failed_replace_keeps_the_previous_derived_rows);
