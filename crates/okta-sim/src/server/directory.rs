//! Users, groups and apps: `/api/v1/users*`, `/api/v1/groups*`, `/api/v1/apps*` (roles excepted).

use super::auth::Caller;
use super::error::OktaError;
use super::filter::{Filter, Op};
use super::paging::{Params, page, page_limit};
use super::render::{self, GroupStats};
use super::{OrgView, Sim, json_response, link_list, link_list_raw};
use crate::org::UserStatus;
use axum::Router;
use axum::extract::{Extension, Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};
use std::sync::Arc;

type Result<T> = std::result::Result<T, OktaError>;

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v1/users", get(list_users))
        .route("/api/v1/users/{id}", get(get_user))
        .route("/api/v1/users/{id}/groups", get(user_groups))
        .route("/api/v1/users/{id}/factors", get(user_factors))
        .route("/api/v1/groups", get(list_groups))
        .route("/api/v1/groups/{id}", get(get_group))
        .route("/api/v1/groups/{id}/users", get(group_members))
        .route("/api/v1/groups/{id}/owners", get(group_owners))
        .route("/api/v1/groups/{id}/apps", get(group_apps))
        .route("/api/v1/apps", get(list_apps))
        .route("/api/v1/apps/{id}", get(get_app))
        .route("/api/v1/apps/{id}/users", get(app_users))
        .route("/api/v1/apps/{id}/groups", get(app_groups))
}

use super::{after, seal};

/// Parses a `filter`/`search` expression and refuses attributes or operators the endpoint doesn't allow.
fn parse_expression(raw: &str, allowed: impl Fn(&str, Op) -> bool) -> Result<Filter> {
    let filter = Filter::parse(raw).map_err(OktaError::invalid_search)?;
    for (path, op) in filter.comparisons() {
        if !allowed(path, op) {
            return Err(OktaError::invalid_search(format!("'{path}' cannot be used with this operator here")));
        }
    }
    Ok(filter)
}

fn starts_with_ci(value: &str, prefix: &str) -> bool {
    value.to_lowercase().starts_with(&prefix.to_lowercase())
}

// ---- users ----------------------------------------------------------------------------------

pub(crate) fn find_user(view: &OrgView, id: &str, caller: Option<&Caller>) -> Result<usize> {
    if id == "me" {
        if let Some(Caller::ApiToken { token }) = caller {
            return Ok(view.org.api_tokens[*token].user);
        }
        return Err(OktaError::not_found("User"));
    }
    view.index
        .user_by_id
        .get(id)
        .or_else(|| view.index.user_by_login.get(&id.to_lowercase()))
        .copied()
        .ok_or_else(|| OktaError::not_found(format!("User ({id})")))
}

/// The attributes `filter` may use on users (Okta: `eq` only, ranges on `lastUpdated`).
fn user_filter_allowed(path: &str, op: Op) -> bool {
    match path {
        "lastUpdated" => matches!(op, Op::Eq | Op::Gt | Op::Ge | Op::Lt | Op::Le),
        "status" | "id" | "profile.login" | "profile.email" | "profile.firstName" | "profile.lastName" => op == Op::Eq,
        _ => false,
    }
}

async fn list_users(State(sim): State<Arc<Sim>>, Query(params): Query<Params>) -> Result<Response> {
    let view = sim.view();
    let org = &view.org;
    let path = "/api/v1/users";
    if let Some(q) = params.get("q") {
        // `q` is a prefix match without paging; it never returns deprovisioned users.
        let limit = page_limit(&params, 10, 200)?;
        let items: Vec<Value> = org
            .live_users()
            .filter(|(_, u)| u.status != UserStatus::Deprovisioned)
            .filter(|(_, u)| {
                starts_with_ci(&u.profile.first_name, q)
                    || starts_with_ci(&u.profile.last_name, q)
                    || starts_with_ci(&u.profile.email, q)
            })
            .take(limit)
            .map(|(_, u)| render::user(&sim.base_url, u))
            .collect();
        return Ok(link_list(&sim, path, &params, items, None));
    }
    let limit = page_limit(&params, 200, 200)?;
    let filter = params.get("filter").map(|f| parse_expression(f, user_filter_allowed)).transpose()?;
    let search = params.get("search").map(|s| parse_expression(s, |_, op| op != Op::Ne)).transpose()?;
    let base = &sim.base_url;
    let matches = |u: &crate::org::User| -> bool {
        if let Some(f) = &filter {
            let light = json!({
                "id": u.id, "status": u.status.as_str(), "lastUpdated": render::ts(&u.last_updated),
                "profile": { "login": u.profile.login, "email": u.profile.email,
                             "firstName": u.profile.first_name, "lastName": u.profile.last_name }
            });
            return f.matches(&light);
        }
        if let Some(s) = &search {
            return s.matches(&render::user(base, u));
        }
        // The plain list leaves out deprovisioned users, as Okta's does.
        u.status != UserStatus::Deprovisioned
    };
    if let Some(sort_by) = params.get("sortBy").filter(|_| search.is_some()) {
        let descending = params.get("sortOrder").is_some_and(|o| o.eq_ignore_ascii_case("desc"));
        let mut rows: Vec<(String, usize)> = org
            .live_users()
            .filter(|(_, u)| matches(u))
            .map(|(i, u)| {
                let rendered = render::user(base, u);
                let key = sort_by.split('.').fold(&rendered, |v, k| v.get(k).unwrap_or(&Value::Null));
                (key.as_str().map(str::to_lowercase).unwrap_or_else(|| key.to_string()), i)
            })
            .collect();
        rows.sort();
        if descending {
            rows.reverse();
        }
        let scope = format!("users:sorted:{sort_by}:{descending}");
        let start = after(&sim, &scope, &params)?;
        let (items, next) = page(rows.iter().enumerate().map(|(rank, (_, i))| (rank as u64, *i)), start, limit);
        let body = render::users_array(base, items.into_iter().map(|i| &org.users[i]));
        return Ok(link_list_raw(&sim, path, &params, body, seal(&sim, &scope, next)));
    }
    let start = after(&sim, "users", &params)?;
    let (items, next) = page(org.live_users().filter(|(_, u)| matches(u)).map(|(i, u)| (i as u64, u)), start, limit);
    Ok(link_list_raw(&sim, path, &params, render::users_array(base, items), seal(&sim, "users", next)))
}

async fn get_user(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    caller: Option<Extension<Caller>>,
) -> Result<Response> {
    let view = sim.view();
    let u = find_user(&view, &id, caller.as_ref().map(|c| &c.0))?;
    Ok(json_response(render::user(&sim.base_url, &view.org.users[u])))
}

async fn user_groups(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
    caller: Option<Extension<Caller>>,
) -> Result<Response> {
    let view = sim.view();
    let u = find_user(&view, &id, caller.as_ref().map(|c| &c.0))?;
    let limit = page_limit(&params, 10_000, 10_000)?;
    let scope = format!("users/{}/groups", view.org.users[u].id);
    let start = after(&sim, &scope, &params)?;
    let (items, next) = page(view.index.user_groups[u].iter().map(|&g| (g as u64, g)), start, limit);
    let items = items.into_iter().map(|g| render::group(&sim.base_url, &view.org, g, None)).collect();
    let path = format!("/api/v1/users/{id}/groups");
    Ok(link_list(&sim, &path, &params, items, seal(&sim, &scope, next)))
}

async fn user_factors(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    caller: Option<Extension<Caller>>,
) -> Result<Response> {
    let view = sim.view();
    let u = find_user(&view, &id, caller.as_ref().map(|c| &c.0))?;
    let user_id = &view.org.users[u].id;
    let items: Vec<Value> = view.org.factors[u].iter().map(|f| render::factor(&sim.base_url, user_id, f)).collect();
    Ok(json_response(Value::Array(items)))
}

// ---- groups ---------------------------------------------------------------------------------

fn find_group(view: &OrgView, id: &str) -> Result<usize> {
    view.index.group_by_id.get(id).copied().ok_or_else(|| OktaError::not_found(format!("Group ({id})")))
}

fn group_stats(view: &OrgView, g: usize) -> GroupStats {
    GroupStats {
        users: view.org.group_members[g].iter().filter(|&&u| !view.org.users[u].deleted).count(),
        apps: view.index.group_apps[g].len(),
        has_admin_privilege: view.index.group_is_admin[g],
    }
}

fn wants(params: &Params, expand: &str) -> bool {
    params.get("expand").is_some_and(|e| e.split(',').any(|x| x.trim() == expand))
}

fn group_value(sim: &Sim, view: &OrgView, g: usize, params: &Params) -> Value {
    let stats = wants(params, "stats").then(|| group_stats(view, g));
    let mut value = render::group(&sim.base_url, &view.org, g, stats);
    if wants(params, "app")
        && let Some(app) = view.org.groups[g].source_app
    {
        let a = &view.org.apps[app];
        value["_embedded"]["app"] = json!({ "id": a.id, "name": a.name });
    }
    value
}

async fn list_groups(State(sim): State<Arc<Sim>>, Query(params): Query<Params>) -> Result<Response> {
    let view = sim.view();
    let org = &view.org;
    let path = "/api/v1/groups";
    let live = || org.groups.iter().enumerate().filter(|(_, g)| !g.deleted);
    if let Some(q) = params.get("q") {
        let limit = page_limit(&params, 300, 300)?;
        let items = live()
            .filter(|(_, g)| starts_with_ci(&g.name, q))
            .take(limit)
            .map(|(i, _)| group_value(&sim, &view, i, &params))
            .collect();
        return Ok(link_list(&sim, path, &params, items, None));
    }
    let limit = page_limit(&params, 10_000, 10_000)?;
    let filter = params
        .get("filter")
        .map(|f| {
            parse_expression(f, |p, op| match p {
                "id" | "type" => op == Op::Eq,
                "lastUpdated" | "lastMembershipUpdated" => matches!(op, Op::Eq | Op::Gt | Op::Ge | Op::Lt | Op::Le),
                _ => false,
            })
        })
        .transpose()?;
    let search = params.get("search").map(|s| parse_expression(s, |_, op| op != Op::Ne)).transpose()?;
    let start = after(&sim, "groups", &params)?;
    let matches = |i: usize| -> bool {
        let g = &org.groups[i];
        if let Some(f) = &filter {
            let light = json!({
                "id": g.id, "type": g.group_type.as_str(), "lastUpdated": render::ts(&g.last_updated),
                "lastMembershipUpdated": render::ts(&g.last_membership_updated)
            });
            return f.matches(&light);
        }
        if let Some(s) = &search {
            return s.matches(&render::group(&sim.base_url, org, i, None));
        }
        true
    };
    let (items, next) = page(live().filter(|(i, _)| matches(*i)).map(|(i, _)| (i as u64, i)), start, limit);
    let items = items.into_iter().map(|g| group_value(&sim, &view, g, &params)).collect();
    Ok(link_list(&sim, path, &params, items, seal(&sim, "groups", next)))
}

async fn get_group(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response> {
    let view = sim.view();
    let g = find_group(&view, &id)?;
    Ok(json_response(group_value(&sim, &view, g, &params)))
}

async fn group_members(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response> {
    let view = sim.view();
    let g = find_group(&view, &id)?;
    let limit = page_limit(&params, 1000, 1000)?;
    let scope = format!("groups/{id}/users");
    let start = after(&sim, &scope, &params)?;
    let members = view.org.group_members[g].iter().filter(|&&u| !view.org.users[u].deleted);
    let (items, next) = page(members.map(|&u| (u as u64, u)), start, limit);
    let body = render::users_array(&sim.base_url, items.into_iter().map(|u| &view.org.users[u]));
    Ok(link_list_raw(&sim, &format!("/api/v1/groups/{id}/users"), &params, body, seal(&sim, &scope, next)))
}

async fn group_owners(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response> {
    let view = sim.view();
    if !view.org.has_governance {
        return Err(OktaError::feature_missing());
    }
    let g = find_group(&view, &id)?;
    let limit = page_limit(&params, 1000, 1000)?;
    let scope = format!("groups/{id}/owners");
    let start = after(&sim, &scope, &params)?;
    let (items, next) = page(view.org.group_owners[g].iter().enumerate().map(|(i, o)| (i as u64, o)), start, limit);
    let items = items.into_iter().map(|o| render::group_owner(&view.org, o)).collect();
    Ok(link_list(&sim, &format!("/api/v1/groups/{id}/owners"), &params, items, seal(&sim, &scope, next)))
}

async fn group_apps(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response> {
    let view = sim.view();
    let g = find_group(&view, &id)?;
    let limit = page_limit(&params, 20, 200)?;
    let scope = format!("groups/{id}/apps");
    let start = after(&sim, &scope, &params)?;
    let (items, next) = page(view.index.group_apps[g].iter().map(|&a| (a as u64, a)), start, limit);
    let items = items.into_iter().map(|a| render::app(&sim.base_url, &view.org.apps[a])).collect();
    Ok(link_list(&sim, &format!("/api/v1/groups/{id}/apps"), &params, items, seal(&sim, &scope, next)))
}

// ---- apps -----------------------------------------------------------------------------------

fn find_app(view: &OrgView, id: &str) -> Result<usize> {
    view.index.app_by_id.get(id).copied().ok_or_else(|| OktaError::not_found(format!("App Instance ({id})")))
}

async fn list_apps(State(sim): State<Arc<Sim>>, Query(params): Query<Params>) -> Result<Response> {
    let view = sim.view();
    let org = &view.org;
    let limit = page_limit(&params, 20, 200)?;
    let filter = params
        .get("filter")
        .map(|f| parse_expression(f, |p, op| matches!(p, "id" | "status" | "name" | "user.id") && op == Op::Eq))
        .transpose()?;
    let q = params.get("q");
    let matches = |i: usize| -> bool {
        let a = &org.apps[i];
        if let Some(q) = q
            && !(starts_with_ci(&a.label, q) || starts_with_ci(&a.name, q))
        {
            return false;
        }
        match &filter {
            None => true,
            Some(f) => {
                let user_ids: Vec<&str> =
                    view.index.app_users[i].iter().map(|r| org.users[r.user].id.as_str()).collect();
                let light = json!({
                    "id": a.id, "name": a.name, "status": if a.active { "ACTIVE" } else { "INACTIVE" },
                    "user": user_ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()
                });
                f.matches(&light)
            }
        }
    };
    let start = after(&sim, "apps", &params)?;
    let live = org.apps.iter().enumerate().filter(|(i, a)| !a.deleted && matches(*i));
    let (items, next) = page(live.map(|(i, a)| (i as u64, a)), start, limit);
    let items = items.into_iter().map(|a| render::app(&sim.base_url, a)).collect();
    Ok(link_list(&sim, "/api/v1/apps", &params, items, seal(&sim, "apps", next)))
}

async fn get_app(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Response> {
    let view = sim.view();
    let a = find_app(&view, &id)?;
    Ok(json_response(render::app(&sim.base_url, &view.org.apps[a])))
}

async fn app_users(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response> {
    let view = sim.view();
    let a = find_app(&view, &id)?;
    let limit = page_limit(&params, 50, 500)?;
    let scope = format!("apps/{id}/users");
    let start = after(&sim, &scope, &params)?;
    let q = params.get("q");
    let embed = wants(&params, "user");
    let org = &view.org;
    let rows = view.index.app_users[a].iter().filter(|r| {
        q.is_none_or(|q| {
            let p = &org.users[r.user].profile;
            starts_with_ci(&p.login, q)
                || starts_with_ci(&p.first_name, q)
                || starts_with_ci(&p.last_name, q)
                || starts_with_ci(&p.email, q)
        })
    });
    let (items, next) = page(rows.map(|r| (r.user as u64, r)), start, limit);
    let items = items.into_iter().map(|r| render::app_user(&sim.base_url, org, a, r, embed)).collect();
    Ok(link_list(&sim, &format!("/api/v1/apps/{id}/users"), &params, items, seal(&sim, &scope, next)))
}

async fn app_groups(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response> {
    let view = sim.view();
    let a = find_app(&view, &id)?;
    let limit = page_limit(&params, 20, 200)?;
    let scope = format!("apps/{id}/groups");
    let start = after(&sim, &scope, &params)?;
    let q = params.get("q");
    let embed = wants(&params, "group");
    let org = &view.org;
    let rows = org.app_group_assignments[a].iter().enumerate().filter(|(_, ag)| {
        !org.groups[ag.group].deleted && q.is_none_or(|q| starts_with_ci(&org.groups[ag.group].name, q))
    });
    let (items, next) = page(rows.map(|(i, ag)| (i as u64, ag)), start, limit);
    let items = items.into_iter().map(|ag| render::app_group(&sim.base_url, org, a, ag, embed)).collect();
    Ok(link_list(&sim, &format!("/api/v1/apps/{id}/groups"), &params, items, seal(&sim, &scope, next)))
}
