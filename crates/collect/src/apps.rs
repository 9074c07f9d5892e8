//! Apps, and who is assigned to them: users directly (scope USER) and groups (priority, profile).
//!
//! Each app gets an `okta_app_assignment` action node between its assignees and the app, the grant
//! that access paths go through. Users listed with scope GROUP are reached through their groups,
//! so they add no edge of their own.

use crate::context::{AppRef, PerObject, Scan, ScanError, ScanState, fail, fold_pages, vanished};
use crate::graph::{edge, kind, label, sub_kind};
use futures::StreamExt;
use okta_client::model::{App, AppGroup, AppUser, parse};
use serde_json::{Value, json};

pub(crate) struct Fetched {
    apps: Vec<Value>,
}

pub(crate) async fn fetch(scan: &Scan<'_>) -> Result<Fetched, ScanError> {
    scan.progress.started("apps", None);
    let apps = scan.client.list_all("/api/v1/apps?limit=200").await.map_err(fail("apps"))?;
    scan.progress.finished("apps", apps.len() as u64);
    Ok(Fetched { apps })
}

/// The node id of an app's assignment grant.
pub(crate) fn assignment_node(state: &ScanState, app_okta_id: &str) -> String {
    state.graph.id(&format!("{app_okta_id}:assignment"))
}

pub(crate) fn load(state: &mut ScanState, fetched: Fetched) {
    for raw in fetched.apps {
        let Ok(app) = parse::<App>(raw) else {
            state.count("malformed_apps_skipped", 1);
            continue;
        };
        let a = app.model;
        let id = state.graph.id(&a.id);
        let label_text = if a.label.is_empty() { a.name.clone() } else { a.label.clone() };
        let application_type = app.raw.pointer("/settings/oauthClient/application_type").and_then(Value::as_str);
        let client_id = match application_type {
            Some("service") => {
                app.raw.pointer("/credentials/oauthClient/client_id").and_then(Value::as_str).map(str::to_string)
            }
            _ => None,
        };
        let node = state.graph.add_node(&id, kind::RESOURCE, sub_kind::APP, &label_text, app.raw);
        label(node, "okta/app_name", a.name.clone());
        label(node, "okta/status", a.status.clone());
        label(node, "okta/sign_on_mode", a.sign_on_mode.clone());

        let grant = assignment_node(state, &a.id);
        state.graph.add_node(
            &grant,
            kind::ACTION,
            sub_kind::APP_ASSIGNMENT,
            &label_text,
            json!({ "app_id": a.id, "app_status": a.status }),
        );
        state.graph.add_edge(&grant, edge::GRANTS, &id, json!({}));

        if let Some(client_id) = &client_id {
            // A service app can hold admin roles: it is an identity as well as a resource.
            let identity = state.graph.id(&format!("{}:client", a.id));
            let node = state.graph.add_node(
                &identity,
                kind::IDENTITY,
                sub_kind::SERVICE_APP,
                &label_text,
                json!({ "app_id": a.id, "client_id": client_id }),
            );
            label(node, "okta/client_id", client_id.clone());
            state.graph.add_edge(&identity, edge::CLIENT_OF, &id, json!({}));
        }
        state.apps_by_name.entry(a.name.clone()).or_default().push(id);
        state.apps.push(AppRef { okta_id: a.id, name: label_text, client_id });
        state.count("apps", 1);
    }
}

/// Direct user assignments and group assignments of every app.
const ASSIGNMENTS: &str = "app assignments";

/// Per app: how many user rows it listed, its direct (scope USER) user rows, its group rows.
pub(crate) type Assignments = ((u64, Vec<Value>), Vec<Value>);

/// The user and group assignments of every app.
pub(crate) async fn fetch_assignments(scan: &Scan<'_>, apps: Vec<AppRef>) -> PerObject<AppRef, Assignments> {
    scan.progress.started(ASSIGNMENTS, Some(apps.len() as u64));
    futures::stream::iter(apps)
        .map(|a| async move {
            let users = format!("/api/v1/apps/{}/users?limit=500", a.okta_id);
            let groups = format!("/api/v1/apps/{}/groups?limit=200", a.okta_id);
            // Users reached through groups are most rows of a big app; keep only the direct ones.
            let direct_users = fold_pages(scan.client, &users, (0u64, Vec::new()), |(seen, direct), page| {
                *seen += page.len() as u64;
                direct.extend(page.into_iter().filter(|u| u.get("scope").and_then(Value::as_str) == Some("USER")));
            });
            let result = futures::try_join!(direct_users, scan.client.list_all(&groups));
            scan.progress.advanced(ASSIGNMENTS, 1);
            (a, result)
        })
        .buffer_unordered(scan.concurrency)
        .collect()
        .await
}

/// `user → grant` and `group → grant` edges from every app's assignments.
pub(crate) fn load_assignments(
    scan: &Scan<'_>,
    state: &mut ScanState,
    results: PerObject<AppRef, Assignments>,
) -> Result<(), ScanError> {
    const KIND: &str = ASSIGNMENTS;
    for (app, result) in results {
        let ((seen, users), groups) = match result {
            Ok(lists) => lists,
            Err(e) if vanished(&e) => {
                state.warn(
                    scan.progress,
                    format!(
                        "app '{}' ({}) was deleted during the scan; its assignments skipped",
                        app.name, app.okta_id
                    ),
                );
                state.count("deleted_during_scan", 1);
                continue;
            }
            Err(e) => return Err(fail(KIND)(e)),
        };
        let grant = assignment_node(state, &app.okta_id);
        state.count("app_users", seen);
        for raw in users {
            let Ok(assignment) = parse::<AppUser>(raw) else { continue };
            if assignment.model.scope != "USER" {
                continue;
            }
            let user = state.graph.id(&assignment.model.id);
            let properties = json!({
                "scope": "USER",
                "status": assignment.model.status,
                "profile": assignment.model.profile,
                "externalId": assignment.raw.get("externalId").cloned().unwrap_or(Value::Null),
            });
            state.graph.add_edge(&user, edge::ASSIGNED, &grant, properties);
            state.count("app_user_assignments", 1);
        }
        for raw in groups {
            let Ok(assignment) = parse::<AppGroup>(raw) else { continue };
            let group = state.graph.id(&assignment.model.id);
            let properties =
                json!({ "scope": "GROUP", "priority": assignment.model.priority, "profile": assignment.model.profile });
            state.graph.add_edge(&group, edge::ASSIGNED, &grant, properties);
            state.count("app_group_assignments", 1);
        }
    }
    scan.progress.finished(KIND, state.counts.get("app_user_assignments").copied().unwrap_or(0));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_get_a_grant_node_and_service_apps_an_identity() {
        let mut state = ScanState::new("https://acme.okta.com");
        let apps = vec![
            json!({"id": "0oa1", "name": "slack", "label": "Slack", "status": "ACTIVE", "signOnMode": "SAML_2_0"}),
            json!({"id": "0oa2", "name": "oidc_client", "label": "Bot", "status": "ACTIVE", "signOnMode": "OPENID_CONNECT",
                   "settings": {"oauthClient": {"application_type": "service"}},
                   "credentials": {"oauthClient": {"client_id": "0oa2"}}}),
        ];
        load(&mut state, Fetched { apps });
        assert_eq!(state.apps[1].client_id.as_deref(), Some("0oa2"));
        assert!(state.apps[0].client_id.is_none());
        let out = state.finish();
        let kinds: Vec<(&str, &str)> = out.nodes.iter().map(|n| (n.sub_kind.as_str(), n.name.as_str())).collect();
        assert!(kinds.contains(&("okta_app_assignment", "Slack")));
        assert!(kinds.contains(&("okta_service_app", "Bot")));
        assert!(out.edges.iter().any(|e| e.kind == "grants" && e.to_id.ends_with(":0oa1")));
    }
}
