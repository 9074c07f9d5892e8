//! Custom admin roles, resource sets (and their resources), and custom-role assignments read from
//! the resource sets' bindings and members (IAM endpoints, body-paged).

use crate::context::{Scan, ScanError, ScanState, fail};
use crate::graph::{edge, kind, sub_kind};
use crate::roles;
use futures::StreamExt;
use okta_client::model::{BindingMember, CustomRole, Permission, ResourceSet, ResourceSetResource, parse};
use serde_json::{Value, json};

pub(crate) struct RoleWithPermissions {
    role: Value,
    permissions: Vec<Value>,
}

pub(crate) struct SetContents {
    set: Value,
    resources: Vec<Value>,
    /// (custom role id of the binding, members of the binding)
    bindings: Vec<(String, Vec<Value>)>,
}

pub(crate) struct Fetched {
    roles: Vec<RoleWithPermissions>,
    sets: Vec<SetContents>,
}

pub(crate) async fn fetch(scan: &Scan<'_>) -> Result<Fetched, ScanError> {
    const ROLES: &str = "custom roles";
    const SETS: &str = "resource sets";
    scan.progress.started(ROLES, None);
    let client = scan.client;
    let roles = client.list_all_body("/api/v1/iam/roles", "roles").await.map_err(fail(ROLES))?;
    let roles: Vec<RoleWithPermissions> = futures::stream::iter(roles)
        .map(|role| async move {
            let id = role.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
            let permissions =
                client.list_all_body(&format!("/api/v1/iam/roles/{id}/permissions"), "permissions").await?;
            Ok::<_, okta_client::Error>(RoleWithPermissions { role, permissions })
        })
        .buffer_unordered(scan.concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(fail(ROLES))?;
    scan.progress.finished(ROLES, roles.len() as u64);

    scan.progress.started(SETS, None);
    let sets = client.list_all_body("/api/v1/iam/resource-sets", "resource-sets").await.map_err(fail(SETS))?;
    let sets: Vec<SetContents> = futures::stream::iter(sets)
        .map(|set| async move {
            let id = set.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
            let base = format!("/api/v1/iam/resource-sets/{id}");
            let (resources_path, bindings_path) = (format!("{base}/resources"), format!("{base}/bindings"));
            let (resources, bindings) = futures::try_join!(
                client.list_all_body(&resources_path, "resources"),
                client.list_all_body(&bindings_path, "roles"),
            )?;
            let mut with_members = Vec::new();
            for binding in bindings {
                let role_id = binding.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
                let members = client.list_all_body(&format!("{base}/bindings/{role_id}/members"), "members").await?;
                with_members.push((role_id, members));
            }
            Ok::<_, okta_client::Error>(SetContents { set, resources, bindings: with_members })
        })
        .buffer_unordered(scan.concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(fail(SETS))?;
    scan.progress.finished(SETS, sets.len() as u64);
    Ok(Fetched { roles, sets })
}

pub(crate) fn custom_role_node(state: &ScanState, role_id: &str) -> String {
    state.graph.id(role_id)
}

pub(crate) fn load(state: &mut ScanState, fetched: Fetched) {
    for RoleWithPermissions { role, permissions } in fetched.roles {
        let Ok(role) = parse::<CustomRole>(role) else { continue };
        let permissions: Vec<String> =
            permissions.into_iter().filter_map(|p| parse::<Permission>(p).ok()).map(|p| p.model.label).collect();
        let mut properties = role.raw;
        properties["permissions"] = json!(permissions);
        let id = custom_role_node(state, &role.model.id);
        state.graph.add_node(&id, kind::ACTION, sub_kind::CUSTOM_ROLE, &role.model.label, properties);
        state.count("custom_roles", 1);
    }
    for SetContents { set, resources, bindings } in fetched.sets {
        let Ok(set) = parse::<ResourceSet>(set) else { continue };
        let set_id = state.graph.id(&set.model.id);
        state.graph.add_node(&set_id, kind::RESOURCE_GROUP, sub_kind::RESOURCE_SET, &set.model.label, set.raw);
        state.count("resource_sets", 1);
        for raw in resources {
            let Ok(resource) = parse::<ResourceSetResource>(raw) else { continue };
            let (target, scope) = resolve_orn(state, &resource.model.orn);
            let properties = json!({ "orn": resource.model.orn, "scope": scope, "resource_id": resource.model.id });
            state.graph.add_edge_keyed(&set_id, edge::CONTAINS, &target, &resource.model.id, properties);
            state.count("resource_set_resources", 1);
        }
        for (role_id, members) in bindings {
            for raw in members {
                let Ok(member) = parse::<BindingMember>(raw) else { continue };
                let Some(principal) = roles::principal_from_href(state, &member.model.self_href) else {
                    state.count("unresolved_binding_members", 1);
                    continue;
                };
                let assignment = json!({
                    "id": member.model.id,
                    "type": "CUSTOM",
                    "role": role_id,
                    "resource-set": set.model.id,
                    "created": member.raw.get("created").cloned().unwrap_or(Value::Null),
                    "lastUpdated": member.raw.get("lastUpdated").cloned().unwrap_or(Value::Null),
                });
                roles::load_assignment(state, principal, assignment, &[]);
            }
        }
    }
}

/// The node a resource-set ORN names, and what part of it (e.g. the members of a group).
fn resolve_orn(state: &mut ScanState, orn: &str) -> (String, &'static str) {
    let parts: Vec<&str> = orn.split(':').collect();
    // orn:<partition>:<service>:<org id>:<type>[:<id>[:<sub>]]
    match parts.get(4..).unwrap_or_default() {
        ["groups", id, "contained_resources"] => (state.graph.id(id), "group_members"),
        ["groups", id] => (state.graph.id(id), "group"),
        ["groups"] => (state.graph.org_node_id(), "all_groups"),
        ["users", id] => (state.graph.id(id), "user"),
        ["users"] => (state.graph.org_node_id(), "all_users"),
        ["apps", _name, id] => (state.graph.id(id), "app"),
        ["apps", name] => (roles::ensure_catalog(state, name), "catalog_app"),
        ["apps"] => (state.graph.org_node_id(), "all_apps"),
        _ => (state.graph.org_node_id(), "other"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orns_resolve_to_nodes() {
        let mut state = ScanState::new("https://acme.okta.com");
        let (group, org, app) = (state.graph.id("00g1"), state.graph.org_node_id(), state.graph.id("0oa9"));
        let mut g = |orn| resolve_orn(&mut state, orn);
        assert_eq!(g("orn:okta:directory:00o1:groups:00g1"), (group.clone(), "group"));
        assert_eq!(g("orn:okta:directory:00o1:groups:00g1:contained_resources"), (group, "group_members"));
        assert_eq!(g("orn:okta:directory:00o1:users"), (org, "all_users"));
        assert_eq!(g("orn:okta:idp:00o1:apps:salesforce:0oa9"), (app, "app"));
        assert_eq!(g("orn:okta:idp:00o1:apps").1, "all_apps");
        assert_eq!(g("orn:okta:idp:00o1:apps:salesforce").1, "catalog_app");
    }
}
