//! Groups (with `expand=stats`), their members and their owners.

use crate::context::{GroupRef, PerObject, Scan, ScanError, ScanState, fail, feature_missing, fold_pages, vanished};
use crate::graph::{edge, kind, label, sub_kind};
use futures::StreamExt;
use okta_client::model::{Group, GroupOwner, parse};
use serde_json::{Value, json};

pub(crate) struct Fetched {
    groups: Vec<Value>,
}

pub(crate) async fn fetch(scan: &Scan<'_>) -> Result<Fetched, ScanError> {
    scan.progress.started("groups", None);
    let groups = scan.client.list_all("/api/v1/groups?expand=stats&limit=10000").await.map_err(fail("groups"))?;
    scan.progress.finished("groups", groups.len() as u64);
    Ok(Fetched { groups })
}

pub(crate) fn load(state: &mut ScanState, fetched: Fetched) {
    for raw in fetched.groups {
        let Ok(group) = parse::<Group>(raw) else {
            state.count("malformed_groups_skipped", 1);
            continue;
        };
        let g = group.model;
        let id = state.graph.id(&g.id);
        let name = if g.profile.name.is_empty() { g.id.clone() } else { g.profile.name.clone() };
        let has_admin_privilege = g.stats.as_ref().is_some_and(|s| s.has_admin_privilege);
        let source_app = group.raw.pointer("/source/id").and_then(Value::as_str).map(str::to_string);
        let node = state.graph.add_node(&id, kind::IDENTITY_GROUP, sub_kind::GROUP, &name, group.raw);
        label(node, "okta/group_type", g.group_type.clone());
        if let Some(app) = source_app {
            let app_id = state.graph.id(&app);
            state.graph.add_edge(&id, edge::IMPORTED_FROM, &app_id, json!({}));
        }
        state.groups.push(GroupRef { okta_id: g.id, name, has_admin_privilege });
        state.count("groups", 1);
    }
}

/// Members of every group: `user → group` edges.
const MEMBERS: &str = "group members";

/// The member ids of every group.
pub(crate) async fn fetch_members(scan: &Scan<'_>, groups: Vec<GroupRef>) -> PerObject<GroupRef, Vec<String>> {
    scan.progress.started(MEMBERS, Some(groups.len() as u64));
    futures::stream::iter(groups)
        .map(|g| async move {
            let path = format!("/api/v1/groups/{}/users?limit=1000", g.okta_id);
            let ids = fold_pages(scan.client, &path, Vec::new(), |ids: &mut Vec<String>, users| {
                ids.extend(users.iter().filter_map(|u| u.get("id").and_then(Value::as_str)).map(str::to_string));
            })
            .await;
            scan.progress.advanced(MEMBERS, 1);
            (g, ids)
        })
        .buffer_unordered(scan.concurrency)
        .collect()
        .await
}

/// `user → group` edges from the members of every group.
pub(crate) fn load_members(
    scan: &Scan<'_>,
    state: &mut ScanState,
    results: PerObject<GroupRef, Vec<String>>,
) -> Result<(), ScanError> {
    const KIND: &str = MEMBERS;
    for (group, result) in results {
        let user_ids = match result {
            Ok(users) => users,
            Err(e) if vanished(&e) => {
                state.warn(
                    scan.progress,
                    format!("group '{}' ({}) was deleted during the scan; skipped", group.name, group.okta_id),
                );
                state.count("deleted_during_scan", 1);
                continue;
            }
            Err(e) => return Err(fail(KIND)(e)),
        };
        let group_id = state.graph.id(&group.okta_id);
        for user_id in user_ids {
            let user_id = state.graph.id(&user_id);
            state.graph.add_edge(&user_id, edge::MEMBER_OF, &group_id, json!({}));
            state.count("group_memberships", 1);
        }
    }
    scan.progress.finished(KIND, state.counts.get("group_memberships").copied().unwrap_or(0));
    Ok(())
}

/// Owners of every group (Identity Governance): `owner → group` edges. Skipped with a warning on
/// orgs without the feature.
const OWNERS: &str = "group owners";

/// The owners of every group, or why the org has none to read.
pub(crate) async fn fetch_owners(
    scan: &Scan<'_>,
    groups: Vec<GroupRef>,
) -> Result<PerObject<GroupRef, Vec<Value>>, okta_client::Error> {
    let Some(first) = groups.first() else { return Ok(Vec::new()) };
    // One probe first: without Identity Governance every call would fail the same way.
    match scan.client.list_all(&format!("/api/v1/groups/{}/owners?limit=1000", first.okta_id)).await {
        // The probed group vanished mid-scan: its own listing below reports that.
        Err(e) if !vanished(&e) => return Err(e),
        _ => {}
    }
    scan.progress.started(OWNERS, Some(groups.len() as u64));
    Ok(futures::stream::iter(groups)
        .map(|g| async move {
            let path = format!("/api/v1/groups/{}/owners?limit=1000", g.okta_id);
            let owners = scan.client.list_all(&path).await;
            scan.progress.advanced(OWNERS, 1);
            (g, owners)
        })
        .buffer_unordered(scan.concurrency)
        .collect()
        .await)
}

/// `owner → group` edges; skipped with a warning on orgs without Identity Governance.
pub(crate) fn load_owners(
    scan: &Scan<'_>,
    state: &mut ScanState,
    results: Result<PerObject<GroupRef, Vec<Value>>, okta_client::Error>,
) -> Result<(), ScanError> {
    const KIND: &str = OWNERS;
    let results = match results {
        Ok(results) => results,
        Err(e) if feature_missing(&e) => {
            state.warn(
                scan.progress,
                format!("group owners skipped: the org does not have Okta Identity Governance ({e})"),
            );
            return Ok(());
        }
        Err(e) => return Err(fail(KIND)(e)),
    };
    for (group, result) in results {
        let owners = match result {
            Ok(owners) => owners,
            Err(e) if vanished(&e) => {
                state.warn(
                    scan.progress,
                    format!(
                        "group '{}' ({}) was deleted during the scan; its owners skipped",
                        group.name, group.okta_id
                    ),
                );
                continue;
            }
            Err(e) => return Err(fail(KIND)(e)),
        };
        let group_id = state.graph.id(&group.okta_id);
        for raw in owners {
            let Ok(owner) = parse::<GroupOwner>(raw) else { continue };
            let owner_id = state.graph.id(&owner.model.id);
            state.graph.add_edge(&owner_id, edge::OWNS, &group_id, owner.raw);
            state.count("group_owners", 1);
        }
    }
    scan.progress.finished(KIND, state.counts.get("group_owners").copied().unwrap_or(0));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_keep_type_stats_and_their_source_app() {
        let mut state = ScanState::new("https://acme.okta.com");
        let groups = vec![
            json!({"id": "00g1", "type": "OKTA_GROUP", "profile": {"name": "R&D <Core>"},
                   "_embedded": {"stats": {"usersCount": 3, "hasAdminPrivlege": true}}}),
            json!({"id": "00g2", "type": "APP_GROUP", "profile": {"name": "GG_Sales"}, "source": {"id": "0oaAD"}}),
        ];
        load(&mut state, Fetched { groups });
        assert!(state.groups[0].has_admin_privilege, "the spec's spelling is read too");
        assert!(!state.groups[1].has_admin_privilege);
        let ad_app = state.graph.id("0oaAD");
        state.graph.add_node(&ad_app, "resource", "okta_app", "Active Directory", json!({}));
        let out = state.finish();
        let core = out.nodes.iter().find(|n| n.name == "R&D <Core>").unwrap();
        assert_eq!(core.labels["okta/group_type"], "OKTA_GROUP");
        assert!(out.edges.iter().any(|e| e.kind == "imported_from" && e.to_id == ad_app));
    }
}
