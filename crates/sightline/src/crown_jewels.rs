/*!
Escalation paths and crown jewels in a resource scan: what `sync` derives beyond access paths,
and the events it records when who can reach a crown jewel changes.

After the access paths, a scan computes the control edges and the escalation paths of the
snapshot (`collect::control`, `collect::escalation`) with the integration's `crown_jewels`, and
who reaches, controls or can escalate to each jewel. All of it is written with the snapshot in one
transaction. Before the write, the reach stored by the previous scan is read back; the two are
compared, and each jewel whose holders changed becomes one `graph.crown_jewel_access_changed`
event (source `sightline`), from which the detection engine raises its alert.

A jewel's first scan is its baseline: a jewel with no reach stored by the previous scan (the
org's first scan, the first since the jewel was marked, or the first since this version) has
nothing to compare with, so it records no change rather than report every holder as new.
*/

use crate::config::OktaConfig;
use activity::{Event, Source, Target};
use chrono::{DateTime, Utc};
use collect::control::{ControlEdge, control_edges};
use collect::escalation::{
    CrownJewelChange, CrownJewels, EscalationPath, JewelHolder, JewelReach, Reach, crown_jewel_diff, escalation_paths,
    jewel_reach,
};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use store::{AccessPath, ControlRow, DerivedRows, Edge, EscalationRow, JewelReachRow, Node};

/// The event type of a change to who can reach or control a crown jewel.
pub const EVENT_TYPE: &str = "graph.crown_jewel_access_changed";

/// The crown jewels an integration marks: each configured entry as a node id, as a bare Okta id
/// of this org, and as a name (`CrownJewels` compares names without regard to case).
pub fn marked(okta: &OktaConfig, org_url: &str) -> CrownJewels {
    let graph = collect::GraphBuilder::new(org_url);
    let mut jewels = CrownJewels::new();
    for entry in okta.crown_jewels.iter().map(|e| e.trim()) {
        jewels.add_id(entry).add_name(entry);
        if !entry.starts_with("okta:") {
            jewels.add_id(graph.id(entry));
        }
    }
    jewels
}

/// What a scan derives from its snapshot, ready to store, and what the comparison needs.
pub struct Derived {
    /// The rows written with the snapshot.
    pub rows: DerivedRows,
    /// This scan's reach of every crown jewel (the same as `rows.jewel_reach`).
    pub reach: Vec<JewelReach>,
    /// The Okta type word of each jewel of this scan (`AppInstance`, `UserGroup`, `Role`).
    pub jewel_kinds: HashMap<Arc<str>, &'static str>,
}

/// Control edges, escalation paths and crown-jewel reach of a snapshot whose access paths are
/// `access_paths` (moved into the result).
pub fn derive(nodes: &[Node], edges: &[Edge], access_paths: Vec<AccessPath>, jewels: &CrownJewels) -> Derived {
    let control = control_edges(nodes, edges);
    let escalation = escalation_paths(nodes, edges, &access_paths, &control, jewels);
    let reach = jewel_reach(nodes, edges, &access_paths, &escalation, &control, jewels);
    let jewel_ids: HashSet<&str> = reach.iter().map(|r| &*r.jewel_id).collect();
    let mut jewel_kinds: HashMap<Arc<str>, &'static str> = HashMap::new();
    for node in nodes.iter().filter(|n| jewel_ids.contains(n.id.as_str())) {
        if let Some(kind) = okta_type(&node.sub_kind) {
            jewel_kinds.insert(Arc::from(node.id.as_str()), kind);
        }
    }
    for id in jewel_ids.iter().filter(|id| id.contains(":role:")) {
        jewel_kinds.insert(Arc::from(*id), "Role");
    }
    let rows = DerivedRows {
        access_paths,
        escalation_paths: escalation.into_iter().map(escalation_row).collect(),
        control_edges: control.into_iter().map(control_row).collect(),
        jewel_reach: reach.iter().map(reach_row).collect(),
    };
    Derived { rows, reach, jewel_kinds }
}

/// The changes between the reach stored by the previous scan and this scan's, for the jewels
/// marked now that the previous scan has reach for (see the module documentation).
pub fn changes(before: &[JewelReachRow], after: &[JewelReach], jewels: &CrownJewels) -> Vec<CrownJewelChange> {
    let before: Vec<JewelReach> = before
        .iter()
        .filter_map(|r| {
            Some(JewelReach {
                jewel_id: r.jewel_id.clone(),
                jewel_name: r.jewel_name.clone(),
                identity_id: r.identity_id.clone(),
                identity: r.identity.clone(),
                how: Reach::parse(&r.how)?,
            })
        })
        .collect();
    let known: HashSet<&str> = before.iter().map(|r| &*r.jewel_id).collect();
    let mut changes = crown_jewel_diff(&before, after, jewels);
    changes.retain(|c| known.contains(&*c.jewel_id));
    changes
}

/// The event recording one change: source `sightline`, the jewel as its target, the diff as
/// its raw JSON. Its id is a hash of the org, the jewel and the scan, so recording the same
/// scan's change twice keeps one.
pub fn change_event(
    org_url: &str,
    scan_started: DateTime<Utc>,
    now: DateTime<Utc>,
    change: &CrownJewelChange,
    kind: Option<&str>,
) -> Event {
    let scan = scan_started.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let uuid = activity::stable_id(&json!({ "org": org_url, "jewel": &*change.jewel_id, "scan": scan }));
    let holders = |list: &[JewelHolder]| -> Vec<Value> {
        list.iter()
            .map(|h| json!({ "identity_id": &*h.identity_id, "identity": &*h.identity, "how": h.how.as_str() }))
            .collect()
    };
    let raw = json!({
        "org": org_url,
        "scan": scan,
        "jewel": { "id": &*change.jewel_id, "name": &*change.jewel_name, "kind": kind },
        "added": holders(&change.added),
        "removed": holders(&change.removed),
    });
    let gained = distinct(&change.added);
    let lost = distinct(&change.removed);
    let mut event = Event {
        uuid,
        source: Source::Sightline,
        time: now,
        event_type: EVENT_TYPE.into(),
        category: activity::category::PRIVILEGE,
        outcome: activity::outcome::SUCCESS,
        outcome_reason: None,
        severity: Some(if gained > 0 { "WARN" } else { "INFO" }.into()),
        actor: Default::default(),
        person_hints: Vec::new(),
        targets: vec![Target {
            id: Some(change.jewel_id.to_string()),
            kind: kind.map(str::to_string),
            name: Some(change.jewel_name.to_string()),
        }],
        ip: None,
        location: None,
        asn: None,
        user_agent: None,
        session: None,
        message: Some(message(&change.jewel_name, gained, lost)),
        tenant: Some(org_url.to_string()),
        ocsf: Event::no_ocsf(),
        raw: activity::RawJson::from_value(&raw),
    };
    let mut extra = serde_json::Map::new();
    extra.insert("unmapped".into(), json!({ "added": change.added.len(), "removed": change.removed.len() }));
    event.ocsf = activity::sightline_ocsf(&event, extra);
    event
}

/// "3 identities can now reach or control AWS; 1 no longer can".
fn message(jewel: &str, gained: usize, lost: usize) -> String {
    let identities = |n: usize| if n == 1 { "1 identity".to_string() } else { format!("{n} identities") };
    match (gained, lost) {
        (0, lost) => format!("{} can no longer reach or control {jewel}", identities(lost)),
        (gained, 0) => format!("{} can now reach or control {jewel}", identities(gained)),
        (gained, lost) => format!("{} can now reach or control {jewel}; {lost} no longer can", identities(gained)),
    }
}

/// Identities in a list (one may appear with several ways of reaching).
fn distinct(list: &[JewelHolder]) -> usize {
    list.iter().map(|h| &h.identity_id).collect::<HashSet<_>>().len()
}

/// Okta's System Log word for the kind of a jewel node.
fn okta_type(sub_kind: &str) -> Option<&'static str> {
    match sub_kind {
        "okta_app" => Some("AppInstance"),
        "okta_group" => Some("UserGroup"),
        "okta_custom_role" | "okta_role" => Some("Role"),
        _ => None,
    }
}

fn escalation_row(p: EscalationPath) -> EscalationRow {
    EscalationRow {
        identity: p.identity,
        identity_id: p.identity_id,
        identity_kind: p.identity_kind,
        target: p.target,
        target_id: p.target_id,
        target_kind: p.target_kind,
        length: p.length,
        chain: p.chain,
        truncated: p.truncated,
    }
}

fn control_row(c: ControlEdge) -> ControlRow {
    ControlRow {
        from_id: c.from_id,
        to_id: c.to_id,
        capability: c.capability,
        scope: c.scope,
        over_admins: c.over_admins,
        via_role: c.via_role,
        via_group: c.via_group,
        reason: c.reason,
    }
}

fn reach_row(r: &JewelReach) -> JewelReachRow {
    JewelReachRow {
        jewel_id: r.jewel_id.clone(),
        jewel_name: r.jewel_name.clone(),
        identity_id: r.identity_id.clone(),
        identity: r.identity.clone(),
        how: Arc::from(r.how.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(jewel: &str, identity: &str, how: Reach) -> JewelReach {
        JewelReach {
            jewel_id: Arc::from(jewel),
            jewel_name: Arc::from("AWS"),
            identity_id: Arc::from(format!("okta:acme:{identity}")),
            identity: Arc::from(identity),
            how,
        }
    }

    #[test]
    fn a_jewel_without_stored_reach_is_a_baseline_not_a_change() {
        let jewels = CrownJewels::from_names(["AWS"]);
        let after = vec![reach("okta:acme:0oa1", "ann", Reach::Access), reach("okta:acme:0oa2", "bob", Reach::Access)];
        // Nothing stored: the first scan records nothing.
        assert!(changes(&[], &after, &jewels).is_empty());
        // Stored reach for the first jewel only: only its change counts.
        let before = vec![reach_row(&reach("okta:acme:0oa1", "cat", Reach::Control))];
        let found = changes(&before, &after, &jewels);
        assert_eq!(found.len(), 1);
        assert_eq!(&*found[0].jewel_id, "okta:acme:0oa1");
        assert_eq!(found[0].added.len(), 1);
        assert_eq!(found[0].removed.len(), 1);
    }

    #[test]
    fn the_event_carries_the_diff_and_a_stable_id() {
        let jewels = CrownJewels::from_names(["AWS"]);
        let before = vec![reach_row(&reach("okta:acme:0oa1", "cat", Reach::Control))];
        let after = vec![
            reach("okta:acme:0oa1", "ann", Reach::Access),
            reach("okta:acme:0oa1", "ann", Reach::Escalation),
            reach("okta:acme:0oa1", "bob", Reach::Escalation),
        ];
        let change = &changes(&before, &after, &jewels)[0];
        let scan: DateTime<Utc> = "2024-03-01T12:00:00Z".parse().unwrap();
        let now: DateTime<Utc> = "2024-03-01T12:01:00Z".parse().unwrap();
        let event = change_event("https://acme.okta.com", scan, now, change, Some("AppInstance"));
        assert_eq!(event.source, Source::Sightline);
        assert_eq!((event.event_type.as_str(), event.category, event.outcome), (EVENT_TYPE, "privilege", "success"));
        assert_eq!(event.time, now);
        assert_eq!(event.message.as_deref(), Some("2 identities can now reach or control AWS; 1 no longer can"));
        assert_eq!(event.targets[0].id.as_deref(), Some("okta:acme:0oa1"));
        let raw: Value = serde_json::from_str(event.raw.get()).unwrap();
        assert_eq!(raw["jewel"], json!({"id": "okta:acme:0oa1", "name": "AWS", "kind": "AppInstance"}));
        assert_eq!(raw["added"].as_array().unwrap().len(), 3);
        assert_eq!(raw["removed"], json!([{"identity_id": "okta:acme:cat", "identity": "cat", "how": "control"}]));
        assert_eq!(event.ocsf_value()["class_uid"], 3004);
        assert_eq!(event.ocsf_value()["entity"]["name"], "AWS");
        // The same scan gives the same id; another scan another.
        assert_eq!(change_event("https://acme.okta.com", scan, now, change, None).uuid, event.uuid);
        let later = scan + chrono::Duration::minutes(30);
        assert_ne!(change_event("https://acme.okta.com", later, now, change, None).uuid, event.uuid);
        assert_eq!(message("AWS", 0, 1), "1 identity can no longer reach or control AWS");
    }
}
