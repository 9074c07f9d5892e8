//! Admin role assignments of users, groups and service apps, with their scope: targets of
//! standard roles, resource sets of custom roles.
//!
//! Read efficiently, never one call per user: the users who hold roles come from
//! `/api/v1/iam/assignees/users`, groups from their `hasAdminPrivilege` stat, service apps from
//! `/oauth2/v1/clients/{clientId}/roles`. Each assignment becomes an `okta_role` action node:
//! `principal —has_role→ assignment —scoped_to→ targets | resource set | the org`.

use crate::context::{PerObject, Scan, ScanError, ScanState, fail, vanished};
use crate::graph::{edge, kind, label, sub_kind};
use crate::iam;
use futures::StreamExt;
use okta_client::model::{Assignee, CatalogApp, RoleAssignment, parse};
use serde_json::{Value, json};

/// Standard roles that can be limited to groups, and to apps.
const GROUP_TARGETED: [&str; 3] = ["USER_ADMIN", "HELP_DESK_ADMIN", "GROUP_MEMBERSHIP_ADMIN"];
const APP_TARGETED: [&str; 1] = ["APP_ADMIN"];

/// Who holds an assignment, as a graph node id.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub node: String,
    /// `USER`, `GROUP` or `CLIENT`.
    pub assignment_type: &'static str,
}

/// A role's target, as fetched.
pub(crate) enum Target {
    Group(String),
    App(String),
    Catalog(String),
}

pub(crate) async fn fetch_assignees(scan: &Scan<'_>) -> Result<Vec<String>, ScanError> {
    let assignees = scan
        .client
        .list_all_body("/api/v1/iam/assignees/users?limit=100", "value")
        .await
        .map_err(fail("admin assignees"))?;
    Ok(assignees.into_iter().filter_map(|a| parse::<Assignee>(a).ok()).map(|a| a.model.id).collect())
}

/// The node of a principal named by an API href (`/api/v1/users/{id}`, `/api/v1/groups/{id}`,
/// `/oauth2/v1/clients/{clientId}`).
pub(crate) fn principal_from_href(state: &ScanState, href: &str) -> Option<Principal> {
    let path = href.split("?").next().unwrap_or(href);
    let segments: Vec<&str> = path.split('/').collect();
    let position = |name: &str| segments.iter().rposition(|s| *s == name).and_then(|i| segments.get(i + 1));
    if let Some(id) = position("users") {
        return Some(Principal { node: state.graph.id(id), assignment_type: "USER" });
    }
    if let Some(id) = position("groups") {
        return Some(Principal { node: state.graph.id(id), assignment_type: "GROUP" });
    }
    if let Some(client_id) = position("clients") {
        let app = state.apps.iter().find(|a| a.client_id.as_deref() == Some(*client_id))?;
        return Some(Principal { node: state.graph.id(&format!("{}:client", app.okta_id)), assignment_type: "CLIENT" });
    }
    None
}

/// The node standing for every instance of a catalog app (an APP_ADMIN target without an
/// instance id), created with `contains` edges to the instances on first use.
pub(crate) fn ensure_catalog(state: &mut ScanState, name: &str) -> String {
    let id = state.graph.id(&format!("catalog:{name}"));
    if !state.graph.has_node(&id) {
        state.graph.add_node(&id, kind::RESOURCE_GROUP, sub_kind::APP_CATALOG, name, json!({ "name": name }));
        for app in state.apps_by_name.get(name).cloned().unwrap_or_default() {
            state.graph.add_edge(&id, edge::CONTAINS, &app, json!({}));
        }
    }
    id
}

/// Adds one role assignment held by `principal`, scoped to `targets` (standard roles; none =
/// unrestricted) or to its resource set (custom roles).
pub(crate) fn load_assignment(state: &mut ScanState, principal: Principal, raw: Value, targets: &[Target]) {
    let Ok(assignment) = parse::<RoleAssignment>(raw) else {
        state.count("malformed_role_assignments_skipped", 1);
        return;
    };
    let a = assignment.model;
    let node = state.graph.id(&a.id);
    if state.graph.has_node(&node) {
        // Seen already (a custom role through both its principal and its binding).
        state.graph.add_edge(
            &principal.node,
            edge::HAS_ROLE,
            &node,
            json!({ "assignment_type": principal.assignment_type }),
        );
        return;
    }
    let name = if !a.label.is_empty() {
        a.label.clone()
    } else if a.role_type == "CUSTOM" {
        let role = a.role.clone().unwrap_or_default();
        state.graph.node_name(&iam::custom_role_node(state, &role)).map(str::to_string).unwrap_or(role)
    } else {
        a.role_type.clone()
    };
    let mut properties = assignment.raw;
    properties["assignmentType"] = json!(principal.assignment_type);
    let created = state.graph.add_node(&node, kind::ACTION, sub_kind::ROLE, &name, properties);
    label(created, "okta/role_type", a.role_type.clone());
    state.graph.add_edge(
        &principal.node,
        edge::HAS_ROLE,
        &node,
        json!({ "assignment_type": principal.assignment_type }),
    );
    state.count("role_assignments", 1);

    if a.role_type == "CUSTOM" {
        if let Some(role) = &a.role {
            let role_node = iam::custom_role_node(state, role);
            state.graph.add_edge(&node, edge::INSTANCE_OF, &role_node, json!({}));
        }
        if let Some(set) = &a.resource_set {
            let set_node = state.graph.id(set);
            state.graph.add_edge(&node, edge::SCOPED_TO, &set_node, json!({ "scope": "resource_set" }));
        }
        return;
    }
    if targets.is_empty() {
        let org = state.graph.org_node_id();
        state.graph.add_edge(&node, edge::SCOPED_TO, &org, json!({ "scope": "unrestricted" }));
        return;
    }
    for target in targets {
        let (to, scope) = match target {
            Target::Group(id) => (state.graph.id(id), "group"),
            Target::App(id) => (state.graph.id(id), "app"),
            Target::Catalog(name) => (ensure_catalog(state, name), "catalog_app"),
        };
        state.graph.add_edge(&node, edge::SCOPED_TO, &to, json!({ "scope": scope }));
    }
}

/// One principal's role listing and the targets of its targetable standard roles.
pub(crate) struct Holdings {
    principal: Principal,
    roles_path: String,
    /// (assignment, targets) pairs.
    roles: Vec<(Value, Vec<Target>)>,
}

async fn fetch_holdings(
    scan: &Scan<'_>,
    principal: Principal,
    roles_path: String,
) -> Result<Holdings, okta_client::Error> {
    let listed = scan.client.list_all(&roles_path).await?;
    let mut roles = Vec::new();
    for raw in listed {
        let Ok(assignment) = parse::<RoleAssignment>(raw.clone()) else {
            roles.push((raw, Vec::new()));
            continue;
        };
        // A user's listing repeats the roles of the user's groups; those are read from the group.
        if principal.assignment_type == "USER" && assignment.model.assignment_type == "GROUP" {
            continue;
        }
        let mut targets = Vec::new();
        let id = &assignment.model.id;
        if GROUP_TARGETED.contains(&assignment.model.role_type.as_str()) {
            for group in scan.client.list_all(&format!("{roles_path}/{id}/targets/groups")).await? {
                if let Some(gid) = group.get("id").and_then(Value::as_str) {
                    targets.push(Target::Group(gid.to_string()));
                }
            }
        }
        if APP_TARGETED.contains(&assignment.model.role_type.as_str()) {
            for app in scan.client.list_all(&format!("{roles_path}/{id}/targets/catalog/apps")).await? {
                let Ok(app) = parse::<CatalogApp>(app) else { continue };
                targets.push(match app.model.id {
                    Some(instance) => Target::App(instance),
                    None => Target::Catalog(app.model.name),
                });
            }
        }
        roles.push((raw, targets));
    }
    Ok(Holdings { principal, roles_path, roles })
}

/// Role assignments of admin users, admin groups and service apps.
pub(crate) async fn fetch_assignments(
    scan: &Scan<'_>,
    work: Vec<(Principal, String)>,
) -> PerObject<(Principal, String), Holdings> {
    scan.progress.started(KIND, Some(work.len() as u64));
    futures::stream::iter(work)
        .map(|(principal, path)| async move {
            let key = (principal.clone(), path.clone());
            let holdings = fetch_holdings(scan, principal, path).await;
            scan.progress.advanced(KIND, 1);
            (key, holdings)
        })
        .buffer_unordered(scan.concurrency)
        .collect()
        .await
}

const KIND: &str = "role assignments";

/// Whose roles to read: the admin users, the groups whose stats say they hold admin privilege,
/// and the service apps.
pub(crate) fn holders(state: &ScanState, assignees: &[String]) -> Vec<(Principal, String)> {
    let mut work: Vec<(Principal, String)> = Vec::new();
    for user in assignees {
        work.push((
            Principal { node: state.graph.id(user), assignment_type: "USER" },
            format!("/api/v1/users/{user}/roles"),
        ));
    }
    for group in state.groups.iter().filter(|g| g.has_admin_privilege) {
        let principal = Principal { node: state.graph.id(&group.okta_id), assignment_type: "GROUP" };
        work.push((principal, format!("/api/v1/groups/{}/roles", group.okta_id)));
    }
    for app in &state.apps {
        if let Some(client_id) = &app.client_id {
            let principal =
                Principal { node: state.graph.id(&format!("{}:client", app.okta_id)), assignment_type: "CLIENT" };
            work.push((principal, format!("/oauth2/v1/clients/{client_id}/roles")));
        }
    }
    work
}

/// Role assignment nodes and their edges from every holder's roles.
pub(crate) fn load_assignments(
    scan: &Scan<'_>,
    state: &mut ScanState,
    results: PerObject<(Principal, String), Holdings>,
) -> Result<(), ScanError> {
    for ((principal, path), result) in results {
        let holdings = match result {
            Ok(h) => h,
            Err(e) if vanished(&e) => {
                state.warn(scan.progress, format!("{path}: the principal was deleted during the scan; skipped"));
                state.count("deleted_during_scan", 1);
                continue;
            }
            Err(e) => return Err(fail(KIND)(e)),
        };
        debug_assert_eq!(holdings.principal.node, principal.node, "{}", holdings.roles_path);
        for (raw, targets) in holdings.roles {
            load_assignment(state, holdings.principal.clone(), raw, &targets);
        }
    }
    scan.progress.finished(KIND, state.counts.get("role_assignments").copied().unwrap_or(0));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrestricted_targeted_and_custom_assignments_are_scoped() {
        let mut state = ScanState::new("https://acme.okta.com");
        let admin = Principal { node: state.graph.id("00u1"), assignment_type: "USER" };
        load_assignment(
            &mut state,
            admin.clone(),
            json!({"id": "ra1", "type": "SUPER_ADMIN", "label": "Super Administrator"}),
            &[],
        );
        load_assignment(
            &mut state,
            admin.clone(),
            json!({"id": "ra2", "type": "HELP_DESK_ADMIN", "label": "Help Desk Administrator"}),
            &[Target::Group("00g1".into())],
        );
        load_assignment(
            &mut state,
            admin.clone(),
            json!({"id": "irb1", "type": "CUSTOM", "label": "Resetter", "role": "cr01", "resource-set": "iam1"}),
            &[],
        );
        load_assignment(
            &mut state,
            admin,
            json!({"id": "irb1", "type": "CUSTOM", "role": "cr01", "resource-set": "iam1"}),
            &[],
        );
        assert_eq!(state.counts["role_assignments"], 3, "the same custom assignment twice counts once");
        let org = state.graph.org_node_id();
        for (id, kind) in
            [("00u1", "okta_user"), ("00g1", "okta_group"), ("cr01", "okta_custom_role"), ("iam1", "okta_resource_set")]
        {
            let node = state.graph.id(id);
            state.graph.add_node(&node, "x", kind, id, json!({}));
        }
        let out = state.finish();
        let scoped = |from: &str| -> Vec<String> {
            out.edges
                .iter()
                .filter(|e| e.kind == "scoped_to" && e.from_id.ends_with(from))
                .map(|e| e.to_id.clone())
                .collect()
        };
        assert_eq!(scoped(":ra1"), vec![org]);
        assert!(scoped(":ra2")[0].ends_with(":00g1"));
        assert!(scoped(":irb1")[0].ends_with(":iam1"));
        assert_eq!(out.edges.iter().filter(|e| e.kind == "has_role").count(), 3);
    }

    #[test]
    fn principals_resolve_from_hrefs() {
        let state = ScanState::new("https://acme.okta.com");
        let user = principal_from_href(&state, "https://acme.okta.com/api/v1/users/00u9").unwrap();
        assert_eq!((user.node.as_str(), user.assignment_type), ("okta:acme.okta.com:00u9", "USER"));
        let group = principal_from_href(&state, "https://acme.okta.com/api/v1/groups/00g9").unwrap();
        assert_eq!(group.assignment_type, "GROUP");
        assert!(principal_from_href(&state, "https://acme.okta.com/oauth2/v1/clients/unknown").is_none());
    }
}
