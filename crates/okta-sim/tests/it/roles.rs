//! Role assignments, targets, IAM body paging, API tokens, and scenarios that change the org.

use crate::support::*;
use serde_json::Value;
use std::collections::HashSet;

/// Follows IAM body paging (`_links.next.href`) and returns the items under `key`.
async fn body_pages(sim: &TestSim, path: &str, key: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut next = Some(path.to_string());
    while let Some(url) = next {
        let reply = sim.get(&url).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.text);
        let body = reply.json();
        items.extend(body[key].as_array().unwrap_or_else(|| panic!("{key} in {body}")).iter().cloned());
        next = body["_links"]["next"]["href"].as_str().map(str::to_string);
        pages += 1;
    }
    (items, pages)
}

#[tokio::test]
async fn admins_roles_and_targets_are_consistent() {
    let sim = sim_with(Options { users: 1000, ..Options::default() }).await;
    let (admins, pages) = body_pages(&sim, "/api/v1/iam/assignees/users?limit=5", "value").await;
    assert!(pages > 1);
    assert_eq!(admins.len() as u64, sim.stats().await["admin_users"].as_u64().unwrap());
    let mut types = HashSet::new();
    let mut assignment_types = HashSet::new();
    let mut targeted = 0;
    for admin in &admins {
        assert!(admin["orn"].as_str().unwrap().starts_with("orn:okta:directory:"));
        let id = admin["id"].as_str().unwrap();
        let roles = sim.get(&format!("/api/v1/users/{id}/roles?expand=targets/groups")).await.json();
        let roles = roles.as_array().unwrap();
        assert!(!roles.is_empty(), "an assignee holds a role");
        for role in roles {
            types.insert(role["type"].as_str().unwrap().to_string());
            assignment_types.insert(role["assignmentType"].as_str().unwrap().to_string());
            if role["type"] == "CUSTOM" {
                assert!(role["resource-set"].is_string() && role["role"].is_string());
                continue;
            }
            let ra = role["id"].as_str().unwrap();
            let (groups, _) = sim.all_pages(&format!("/api/v1/users/{id}/roles/{ra}/targets/groups?limit=2")).await;
            let embedded = role["_embedded"]["targets"]["groups"].as_array().map(|a| a.len()).unwrap_or(0);
            assert_eq!(groups.len(), embedded, "expand=targets/groups embeds the same targets");
            let (apps, _) = sim.all_pages(&format!("/api/v1/users/{id}/roles/{ra}/targets/catalog/apps")).await;
            targeted += (!groups.is_empty() || !apps.is_empty()) as usize;
        }
    }
    assert!(types.contains("SUPER_ADMIN"));
    assert!(assignment_types.contains("USER") && assignment_types.contains("GROUP"), "{assignment_types:?}");
    assert!(targeted > 0, "some roles are targeted");
}

#[tokio::test]
async fn service_apps_hold_roles_through_the_clients_endpoint() {
    let sim = sim().await;
    let client_id = sim.running.info.client_id.clone();
    let roles = sim.get(&format!("/oauth2/v1/clients/{client_id}/roles")).await.json();
    let roles = roles.as_array().unwrap();
    assert!(roles.iter().any(|r| r["type"] == "READ_ONLY_ADMIN" && r["assignmentType"] == "CLIENT"));
    let missing = sim.get("/oauth2/v1/clients/0oa000000000000none/roles").await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn group_roles_list_and_expand() {
    let sim = sim().await;
    let (groups, _) = sim.all_pages("/api/v1/groups?expand=stats").await;
    let admin_group = groups.iter().find(|g| g["_embedded"]["stats"]["hasAdminPrivilege"] == true).unwrap();
    let gid = admin_group["id"].as_str().unwrap();
    let roles = sim.get(&format!("/api/v1/groups/{gid}/roles?expand=targets/catalog/apps")).await.json();
    let roles = roles.as_array().unwrap();
    assert!(!roles.is_empty());
    assert!(roles.iter().all(|r| r["assignmentType"] == "GROUP"));
}

#[tokio::test]
async fn custom_roles_resource_sets_bindings_and_members() {
    let sim = sim_with(Options { users: 1000, ..Options::default() }).await;
    let (roles, _) = body_pages(&sim, "/api/v1/iam/roles", "roles").await;
    assert_eq!(roles.len() as u64, sim.stats().await["custom_roles"].as_u64().unwrap());
    for role in &roles {
        let id = role["id"].as_str().unwrap();
        let perms = sim.get(&format!("/api/v1/iam/roles/{id}/permissions")).await.json();
        assert!(!perms["permissions"].as_array().unwrap().is_empty());
    }
    let (sets, _) = body_pages(&sim, "/api/v1/iam/resource-sets", "resource-sets").await;
    let (mut resources, mut members) = (0, 0);
    for set in &sets {
        let id = set["id"].as_str().unwrap();
        let (rs, _) = body_pages(&sim, &format!("/api/v1/iam/resource-sets/{id}/resources?limit=1"), "resources").await;
        assert!(rs.iter().all(|r| r["orn"].as_str().unwrap().starts_with("orn:okta:")));
        resources += rs.len();
        let (bindings, _) = body_pages(&sim, &format!("/api/v1/iam/resource-sets/{id}/bindings"), "roles").await;
        for binding in bindings {
            let members_href = binding["_links"]["members"]["href"].as_str().unwrap().to_string();
            let (m, _) = body_pages(&sim, &members_href, "members").await;
            for member in &m {
                let href = member["_links"]["self"]["href"].as_str().unwrap();
                assert!(href.contains("/api/v1/users/") || href.contains("/api/v1/groups/"));
            }
            members += m.len();
        }
    }
    let stats = sim.stats().await;
    assert_eq!(resources as u64, stats["resource_set_resources"].as_u64().unwrap());
    assert_eq!(members as u64, stats["custom_role_assignments"].as_u64().unwrap());
}

#[tokio::test]
async fn api_tokens_page_and_never_show_secrets() {
    let sim = sim().await;
    let (tokens, _) = sim.all_pages("/api/v1/api-tokens?limit=2").await;
    assert_eq!(tokens.len() as u64, sim.stats().await["api_tokens"].as_u64().unwrap());
    let connections: HashSet<&str> = tokens.iter().map(|t| t["network"]["connection"].as_str().unwrap()).collect();
    assert!(connections.contains("ANYWHERE"));
    let body = serde_json::to_string(&tokens).unwrap();
    assert!(!body.contains(&sim.token), "a token's secret is never served");
    let one = sim.get(&format!("/api/v1/api-tokens/{}", tokens[0]["id"].as_str().unwrap())).await.json();
    assert_eq!(one["id"], tokens[0]["id"]);
}

#[tokio::test]
async fn a_role_grant_in_the_log_is_a_role_on_the_api() {
    let sim = sim().await;
    let truth = sim
        .control(
            reqwest::Method::POST,
            "/scenarios/admin_role_granted_to_fresh_account?start_offset_seconds=-900",
            None,
        )
        .await
        .json();
    assert_eq!(truth["scenario"], "admin_role_granted_to_fresh_account");
    let grantee = truth["target_user_ids"][0].as_str().expect("a target user");
    let roles = sim.get(&format!("/api/v1/users/{grantee}/roles")).await.json();
    assert!(roles.as_array().unwrap().iter().any(|r| r["type"] == "SUPER_ADMIN"), "{roles}");
    let (admins, _) = body_pages(&sim, "/api/v1/iam/assignees/users", "value").await;
    assert!(admins.iter().any(|a| a["id"] == grantee));
}
