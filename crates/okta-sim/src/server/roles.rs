//! Admin roles and API tokens: principal role assignments and their targets, the IAM endpoints
//! (assignees, custom roles, resource sets, bindings) with body paging, and `/api/v1/api-tokens`.

use super::auth::Caller;
use super::directory::find_user;
use super::error::OktaError;
use super::paging::{Params, page, page_limit, url_with};
use super::render;
use super::{OrgView, Sim, json_response, link_list};
use crate::org::{Principal, RoleKind, RoleTarget};
use axum::Router;
use axum::extract::{Extension, Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};
use std::sync::Arc;

type Result<T> = std::result::Result<T, OktaError>;

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v1/users/{id}/roles", get(user_roles))
        .route("/api/v1/users/{id}/roles/{ra}/targets/groups", get(user_role_group_targets))
        .route("/api/v1/users/{id}/roles/{ra}/targets/catalog/apps", get(user_role_app_targets))
        .route("/api/v1/groups/{id}/roles", get(group_roles))
        .route("/api/v1/groups/{id}/roles/{ra}/targets/groups", get(group_role_group_targets))
        .route("/api/v1/groups/{id}/roles/{ra}/targets/catalog/apps", get(group_role_app_targets))
        .route("/oauth2/v1/clients/{id}/roles", get(client_roles))
        .route("/oauth2/v1/clients/{id}/roles/{ra}/targets/groups", get(client_role_group_targets))
        .route("/oauth2/v1/clients/{id}/roles/{ra}/targets/catalog/apps", get(client_role_app_targets))
        .route("/api/v1/iam/assignees/users", get(assignees))
        .route("/api/v1/iam/roles", get(custom_roles))
        .route("/api/v1/iam/roles/{role}", get(custom_role))
        .route("/api/v1/iam/roles/{role}/permissions", get(permissions))
        .route("/api/v1/iam/resource-sets", get(resource_sets))
        .route("/api/v1/iam/resource-sets/{rs}", get(resource_set))
        .route("/api/v1/iam/resource-sets/{rs}/resources", get(resources))
        .route("/api/v1/iam/resource-sets/{rs}/bindings", get(bindings))
        .route("/api/v1/iam/resource-sets/{rs}/bindings/{role}", get(binding))
        .route("/api/v1/iam/resource-sets/{rs}/bindings/{role}/members", get(binding_members))
        .route("/api/v1/api-tokens", get(api_tokens))
        .route("/api/v1/api-tokens/{id}", get(api_token))
}

use super::after;

// ---- principal role assignments -------------------------------------------------------------

/// `_embedded.targets` for `expand=targets/groups` or `expand=targets/catalog/apps`.
fn expanded_targets(sim: &Sim, view: &OrgView, ra: usize, params: &Params) -> Option<Value> {
    let expand = params.get("expand")?;
    let assignment = &view.org.role_assignments[ra];
    let mut targets = Map::new();
    if expand.contains("targets/groups") {
        targets.insert("groups".into(), Value::Array(group_targets(sim, view, &assignment.targets)));
    }
    if expand.contains("targets/catalog/apps") {
        targets.insert("catalog".into(), json!({ "apps": app_targets(sim, view, &assignment.targets) }));
    }
    (!targets.is_empty()).then_some(Value::Object(targets))
}

fn group_targets(sim: &Sim, view: &OrgView, targets: &[RoleTarget]) -> Vec<Value> {
    targets
        .iter()
        .filter_map(|t| match t {
            RoleTarget::Group(g) if !view.org.groups[*g].deleted => {
                Some(render::group(&sim.base_url, &view.org, *g, None))
            }
            _ => None,
        })
        .collect()
}

fn app_targets(sim: &Sim, view: &OrgView, targets: &[RoleTarget]) -> Vec<Value> {
    targets.iter().filter_map(|t| render::catalog_app(&sim.base_url, &view.org, t)).collect()
}

fn roles_of(sim: &Sim, view: &OrgView, assignments: &[usize], params: &Params) -> Response {
    let items = assignments
        .iter()
        .map(|&ra| {
            let targets = expanded_targets(sim, view, ra, params);
            render::role_assignment(&sim.base_url, &view.org, &view.org.role_assignments[ra], targets)
        })
        .collect();
    json_response(Value::Array(items))
}

fn group_index(view: &OrgView, id: &str) -> Result<usize> {
    view.index.group_by_id.get(id).copied().ok_or_else(|| OktaError::not_found(format!("Group ({id})")))
}

fn client_app(view: &OrgView, client_id: &str) -> Result<usize> {
    view.index
        .app_by_client_id
        .get(client_id)
        .copied()
        .ok_or_else(|| OktaError::not_found(format!("Client ({client_id})")))
}

fn direct_roles(view: &OrgView, principal: Principal) -> Vec<usize> {
    view.index.roles_by_principal.get(&principal).cloned().unwrap_or_default()
}

async fn user_roles(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
    caller: Option<Extension<Caller>>,
) -> Result<Response> {
    let view = sim.view();
    let u = find_user(&view, &id, caller.as_ref().map(|c| &c.0))?;
    Ok(roles_of(&sim, &view, &view.index.user_role_assignments(u), &params))
}

async fn group_roles(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response> {
    let view = sim.view();
    let g = group_index(&view, &id)?;
    Ok(roles_of(&sim, &view, &direct_roles(&view, Principal::Group(g)), &params))
}

async fn client_roles(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response> {
    let view = sim.view();
    let a = client_app(&view, &id)?;
    Ok(roles_of(&sim, &view, &direct_roles(&view, Principal::Client(a)), &params))
}

#[derive(Clone, Copy)]
enum TargetKind {
    Groups,
    Apps,
}

/// One page of a role assignment's targets; the assignment must apply to the principal.
fn targets_page(
    sim: &Sim,
    view: &OrgView,
    applicable: &[usize],
    ra_id: &str,
    kind: TargetKind,
    path: &str,
    params: &Params,
) -> Result<Response> {
    let ra = applicable
        .iter()
        .copied()
        .find(|&i| view.org.role_assignments[i].id == ra_id)
        .ok_or_else(|| OktaError::not_found(format!("Role Assignment ({ra_id})")))?;
    let assignment = &view.org.role_assignments[ra];
    if !matches!(assignment.role, RoleKind::Standard(_)) {
        return Err(OktaError::validation("custom roles have resource sets, not targets"));
    }
    let all = match kind {
        TargetKind::Groups => group_targets(sim, view, &assignment.targets),
        TargetKind::Apps => app_targets(sim, view, &assignment.targets),
    };
    let limit = page_limit(params, 20, 100)?;
    let scope = path;
    let start = after(sim, scope, params)?;
    let (items, next) = page(all.into_iter().enumerate().map(|(i, v)| (i as u64, v)), start, limit);
    let next = next.map(|p| sim.cursors.seal(scope, &[p]));
    Ok(link_list(sim, path, params, items, next))
}

macro_rules! targets_handler {
    ($name:ident, $kind:expr, $applicable:expr) => {
        async fn $name(
            State(sim): State<Arc<Sim>>,
            Path((id, ra)): Path<(String, String)>,
            Query(params): Query<Params>,
            uri: axum::http::Uri,
            caller: Option<Extension<Caller>>,
        ) -> Result<Response> {
            let view = sim.view();
            let applicable: Vec<usize> = $applicable(&view, &id, caller.as_ref().map(|c| &c.0))?;
            targets_page(&sim, &view, &applicable, &ra, $kind, uri.path(), &params)
        }
    };
}

fn user_applicable(view: &OrgView, id: &str, caller: Option<&Caller>) -> Result<Vec<usize>> {
    Ok(view.index.user_role_assignments(find_user(view, id, caller)?))
}
fn group_applicable(view: &OrgView, id: &str, _: Option<&Caller>) -> Result<Vec<usize>> {
    Ok(direct_roles(view, Principal::Group(group_index(view, id)?)))
}
fn client_applicable(view: &OrgView, id: &str, _: Option<&Caller>) -> Result<Vec<usize>> {
    Ok(direct_roles(view, Principal::Client(client_app(view, id)?)))
}

targets_handler!(user_role_group_targets, TargetKind::Groups, user_applicable);
targets_handler!(user_role_app_targets, TargetKind::Apps, user_applicable);
targets_handler!(group_role_group_targets, TargetKind::Groups, group_applicable);
targets_handler!(group_role_app_targets, TargetKind::Apps, group_applicable);
targets_handler!(client_role_group_targets, TargetKind::Groups, client_applicable);
targets_handler!(client_role_app_targets, TargetKind::Apps, client_applicable);

// ---- IAM: body-paged collections ------------------------------------------------------------

/// `{ <key>: [...], "_links": { "self", "next"? , extra... } }`, Okta's IAM collection shape.
fn body_page(
    sim: &Sim,
    key: &str,
    path: &str,
    params: &Params,
    items: Vec<Value>,
    next: Option<String>,
    extra_links: Vec<(&str, String)>,
) -> Response {
    let mut links = Map::new();
    links.insert("self".into(), json!({ "href": url_with(&sim.base_url, path, params, None) }));
    if let Some(next) = next {
        links.insert("next".into(), json!({ "href": url_with(&sim.base_url, path, params, Some(&next)) }));
    }
    for (name, target) in extra_links {
        links.insert(name.into(), json!({ "href": format!("{}{target}", sim.base_url) }));
    }
    json_response(json!({ key: items, "_links": links }))
}

fn paged<T>(
    sim: &Sim,
    scope: &str,
    params: &Params,
    items: impl Iterator<Item = (u64, T)>,
    default: usize,
) -> Result<(Vec<T>, Option<String>)> {
    let limit = page_limit(params, default, default.max(100))?;
    let start = after(sim, scope, params)?;
    let (items, next) = page(items, start, limit);
    Ok((items, next.map(|p| sim.cursors.seal(scope, &[p]))))
}

async fn assignees(State(sim): State<Arc<Sim>>, Query(params): Query<Params>) -> Result<Response> {
    let view = sim.view();
    let org = &view.org;
    let (users, next) =
        paged(&sim, "iam/assignees/users", &params, view.index.admin_users.iter().map(|&u| (u as u64, u)), 100)?;
    let items = users
        .into_iter()
        .map(|u| {
            let id = &org.users[u].id;
            json!({
                "id": id,
                "orn": format!("orn:okta:directory:{}:users:{id}", org.org_id),
                "_links": {
                    "self": { "href": format!("{}/api/v1/users/{id}", sim.base_url) },
                    "roles": { "href": format!("{}/api/v1/users/{id}/roles", sim.base_url) }
                }
            })
        })
        .collect();
    Ok(body_page(&sim, "value", "/api/v1/iam/assignees/users", &params, items, next, vec![]))
}

fn find_custom_role(view: &OrgView, id: &str) -> Result<usize> {
    view.index.custom_role.get(id).copied().ok_or_else(|| OktaError::not_found(format!("Role ({id})")))
}

fn find_resource_set(view: &OrgView, id: &str) -> Result<usize> {
    view.index.resource_set.get(id).copied().ok_or_else(|| OktaError::not_found(format!("Resource Set ({id})")))
}

async fn custom_roles(State(sim): State<Arc<Sim>>, Query(params): Query<Params>) -> Result<Response> {
    let view = sim.view();
    let (roles, next) =
        paged(&sim, "iam/roles", &params, view.org.custom_roles.iter().enumerate().map(|(i, r)| (i as u64, r)), 100)?;
    let items = roles.into_iter().map(|r| render::custom_role(&sim.base_url, r)).collect();
    Ok(body_page(&sim, "roles", "/api/v1/iam/roles", &params, items, next, vec![]))
}

async fn custom_role(State(sim): State<Arc<Sim>>, Path(role): Path<String>) -> Result<Response> {
    let view = sim.view();
    let r = find_custom_role(&view, &role)?;
    Ok(json_response(render::custom_role(&sim.base_url, &view.org.custom_roles[r])))
}

async fn permissions(State(sim): State<Arc<Sim>>, Path(role): Path<String>) -> Result<Response> {
    let view = sim.view();
    let role = &view.org.custom_roles[find_custom_role(&view, &role)?];
    let items: Vec<Value> = role.permissions.iter().map(|p| render::permission(&sim.base_url, role, p)).collect();
    Ok(json_response(json!({
        "permissions": items,
        "_links": { "role": { "href": format!("{}/api/v1/iam/roles/{}", sim.base_url, role.id) } }
    })))
}

async fn resource_sets(State(sim): State<Arc<Sim>>, Query(params): Query<Params>) -> Result<Response> {
    let view = sim.view();
    let sets = view.org.resource_sets.iter().enumerate().map(|(i, r)| (i as u64, r));
    let (sets, next) = paged(&sim, "iam/resource-sets", &params, sets, 100)?;
    let items = sets.into_iter().map(|r| render::resource_set(&sim.base_url, r)).collect();
    Ok(body_page(&sim, "resource-sets", "/api/v1/iam/resource-sets", &params, items, next, vec![]))
}

async fn resource_set(State(sim): State<Arc<Sim>>, Path(rs): Path<String>) -> Result<Response> {
    let view = sim.view();
    let r = find_resource_set(&view, &rs)?;
    Ok(json_response(render::resource_set(&sim.base_url, &view.org.resource_sets[r])))
}

async fn resources(
    State(sim): State<Arc<Sim>>,
    Path(rs): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response> {
    let view = sim.view();
    let set = &view.org.resource_sets[find_resource_set(&view, &rs)?];
    let scope = format!("iam/resource-sets/{}/resources", set.id);
    let (items, next) =
        paged(&sim, &scope, &params, set.resources.iter().enumerate().map(|(i, r)| (i as u64, r)), 100)?;
    let items = items.into_iter().map(|r| render::resource_set_resource(&sim.base_url, &view.org, r)).collect();
    let path = format!("/api/v1/iam/resource-sets/{rs}/resources");
    let links = vec![("resource-set", format!("/api/v1/iam/resource-sets/{}", set.id))];
    Ok(body_page(&sim, "resources", &path, &params, items, next, links))
}

fn binding_value(sim: &Sim, set_id: &str, role_id: &str) -> Value {
    json!({
        "id": role_id,
        "_links": {
            "self": { "href": format!("{}/api/v1/iam/resource-sets/{set_id}/bindings/{role_id}", sim.base_url) },
            "members": { "href": format!("{}/api/v1/iam/resource-sets/{set_id}/bindings/{role_id}/members", sim.base_url) }
        }
    })
}

async fn bindings(
    State(sim): State<Arc<Sim>>,
    Path(rs): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response> {
    let view = sim.view();
    let r = find_resource_set(&view, &rs)?;
    let set_id = view.org.resource_sets[r].id.clone();
    let roles = view.index.bindings.keys().filter(|(set, _)| *set == r).map(|(_, role)| (*role as u64, *role));
    let scope = format!("iam/resource-sets/{set_id}/bindings");
    let (roles, next) = paged(&sim, &scope, &params, roles, 100)?;
    let items = roles.into_iter().map(|role| binding_value(&sim, &set_id, &view.org.custom_roles[role].id)).collect();
    let path = format!("/api/v1/iam/resource-sets/{rs}/bindings");
    let links = vec![("resource-set", format!("/api/v1/iam/resource-sets/{set_id}"))];
    Ok(body_page(&sim, "roles", &path, &params, items, next, links))
}

fn find_binding(view: &OrgView, rs: &str, role: &str) -> Result<(usize, usize)> {
    let r = find_resource_set(view, rs)?;
    let role = find_custom_role(view, role)?;
    if !view.index.bindings.contains_key(&(r, role)) {
        return Err(OktaError::not_found("Binding"));
    }
    Ok((r, role))
}

async fn binding(State(sim): State<Arc<Sim>>, Path((rs, role)): Path<(String, String)>) -> Result<Response> {
    let view = sim.view();
    let (r, role) = find_binding(&view, &rs, &role)?;
    Ok(json_response(binding_value(&sim, &view.org.resource_sets[r].id, &view.org.custom_roles[role].id)))
}

async fn binding_members(
    State(sim): State<Arc<Sim>>,
    Path((rs, role)): Path<(String, String)>,
    Query(params): Query<Params>,
) -> Result<Response> {
    let view = sim.view();
    let (r, role) = find_binding(&view, &rs, &role)?;
    let org = &view.org;
    let (set_id, role_id) = (&org.resource_sets[r].id, &org.custom_roles[role].id);
    let members = view.index.bindings[&(r, role)].iter().map(|&ra| (ra as u64, ra));
    let scope = format!("iam/resource-sets/{set_id}/bindings/{role_id}/members");
    let (members, next) = paged(&sim, &scope, &params, members, 100)?;
    let items = members
        .into_iter()
        .map(|ra| {
            let a = &org.role_assignments[ra];
            json!({
                "id": a.id,
                "created": render::ts(&a.created),
                "lastUpdated": render::ts(&a.last_updated),
                "_links": { "self": { "href": format!("{}{}", sim.base_url, render::principal_path(org, a.principal)) } }
            })
        })
        .collect();
    let path = format!("/api/v1/iam/resource-sets/{rs}/bindings/{role}/members");
    let binding_path = format!("/api/v1/iam/resource-sets/{set_id}/bindings/{role_id}");
    Ok(body_page(&sim, "members", &path, &params, items, next, vec![("binding", binding_path)]))
}

// ---- API tokens -----------------------------------------------------------------------------

async fn api_tokens(State(sim): State<Arc<Sim>>, Query(params): Query<Params>) -> Result<Response> {
    let view = sim.view();
    let org = &view.org;
    // The SDKs list tokens without paging parameters, so the default page holds them all.
    let limit = page_limit(&params, 200, 200)?;
    let start = after(&sim, "api-tokens", &params)?;
    // Only active tokens: those whose creator is still active.
    let live = org.api_tokens.iter().enumerate().filter(|(_, t)| {
        let owner = &org.users[t.user];
        !owner.deleted && owner.status == crate::org::UserStatus::Active
    });
    let (items, next) = page(live.map(|(i, t)| (i as u64, t)), start, limit);
    let items = items.into_iter().map(|t| render::api_token(&sim.base_url, org, t)).collect();
    let next = next.map(|p| sim.cursors.seal("api-tokens", &[p]));
    Ok(link_list(&sim, "/api/v1/api-tokens", &params, items, next))
}

async fn api_token(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Response> {
    let view = sim.view();
    let t = view.index.token_by_id.get(&id).copied().ok_or_else(|| OktaError::not_found(format!("ApiToken ({id})")))?;
    Ok(json_response(render::api_token(&sim.base_url, &view.org, &view.org.api_tokens[t])))
}
