//! Users, groups and apps: shapes, paging, filters and relations.

use crate::support::*;
use serde_json::Value;
use std::collections::HashSet;

fn ids(items: &[Value]) -> HashSet<String> {
    items.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn plain_user_list_omits_deprovisioned_and_filter_search_include_them() {
    let sim = sim().await;
    let stats = sim.stats().await;
    let (listed, pages) = sim.all_pages("/api/v1/users?limit=50").await;
    assert!(pages > 1, "a 50-item limit pages");
    assert_eq!(listed.len() as u64, stats["users_listed"].as_u64().unwrap());
    assert!(listed.iter().all(|u| u["status"] != "DEPROVISIONED"));
    assert_eq!(ids(&listed).len(), listed.len(), "no user twice across pages");

    let (gone, _) = sim.all_pages("/api/v1/users?filter=status%20eq%20%22DEPROVISIONED%22&limit=7").await;
    assert!(!gone.is_empty());
    assert_eq!(gone.len() as u64, stats["users_deprovisioned"].as_u64().unwrap());
    assert!(gone.iter().all(|u| u["status"] == "DEPROVISIONED"));

    let (searched, _) = sim.all_pages("/api/v1/users?search=status%20eq%20%22DEPROVISIONED%22").await;
    assert_eq!(ids(&searched), ids(&gone));
}

#[tokio::test]
async fn user_objects_have_okta_shape_and_are_found_by_id_and_login() {
    let sim = sim().await;
    let reply = sim.get("/api/v1/users?limit=1").await;
    let user = reply.json()[0].clone();
    for key in [
        "id",
        "status",
        "created",
        "activated",
        "statusChanged",
        "lastLogin",
        "lastUpdated",
        "passwordChanged",
        "type",
        "profile",
        "credentials",
        "_links",
    ] {
        assert!(user.get(key).is_some(), "user lacks {key}: {user}");
    }
    assert_eq!(user["id"].as_str().unwrap().len(), 20);
    let id = user["id"].as_str().unwrap();
    let by_id = sim.get(&format!("/api/v1/users/{id}")).await.json();
    assert_eq!(by_id, user);
    let login = user["profile"]["login"].as_str().unwrap();
    let by_login = sim.get(&format!("/api/v1/users/{}", login.to_uppercase())).await;
    assert_eq!(by_login.json()["id"], user["id"], "logins match without regard to case");
    let me = sim.get("/api/v1/users/me").await.json();
    assert!(me["profile"]["login"].as_str().unwrap().starts_with("admin@"));
    let missing = sim.get("/api/v1/users/00u0000000000000none").await;
    assert_eq!((missing.status, missing.error_code().as_str()), (404, "E0000007"));
}

#[tokio::test]
async fn user_groups_and_factors_agree_with_group_members() {
    let sim = sim().await;
    let (groups, _) = sim.all_pages("/api/v1/groups?limit=5").await;
    let group = groups.iter().find(|g| g["type"] == "OKTA_GROUP").unwrap();
    let gid = group["id"].as_str().unwrap();
    let (members, _) = sim.all_pages(&format!("/api/v1/groups/{gid}/users?limit=3")).await;
    assert!(!members.is_empty());
    let uid = members[0]["id"].as_str().unwrap();
    let user_groups = sim.get(&format!("/api/v1/users/{uid}/groups")).await.json();
    assert!(user_groups.as_array().unwrap().iter().any(|g| g["id"] == gid));
    let factors = sim.get(&format!("/api/v1/users/{uid}/factors")).await.json();
    for f in factors.as_array().unwrap() {
        assert!(f["factorType"].is_string() && f["provider"].is_string() && f["status"].is_string());
    }
}

#[tokio::test]
async fn groups_expand_stats_and_every_type_appears() {
    let sim = sim().await;
    let (groups, _) = sim.all_pages("/api/v1/groups?expand=stats&limit=10").await;
    assert_eq!(groups.len() as u64, sim.stats().await["groups"].as_u64().unwrap());
    let types: HashSet<&str> = groups.iter().map(|g| g["type"].as_str().unwrap()).collect();
    assert_eq!(types, HashSet::from(["OKTA_GROUP", "APP_GROUP", "BUILT_IN"]));
    let everyone = groups.iter().find(|g| g["type"] == "BUILT_IN").unwrap();
    assert_eq!(everyone["profile"]["name"], "Everyone");
    let stats = &everyone["_embedded"]["stats"];
    assert!(stats["usersCount"].as_u64().unwrap() > 0);
    assert!(stats["hasAdminPrivilege"].is_boolean());
    assert!(groups.iter().any(|g| g["_embedded"]["stats"]["hasAdminPrivilege"] == true), "some group holds a role");
    let ad = groups.iter().find(|g| g["type"] == "APP_GROUP").unwrap();
    assert_eq!(ad["objectClass"][0], "okta:windows_security_principal");
    assert!(ad["profile"]["samAccountName"].is_string());
    assert!(ad["source"]["id"].is_string());
    let filtered = sim.get("/api/v1/groups?filter=type%20eq%20%22BUILT_IN%22").await.json();
    assert_eq!(filtered.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn group_owners_need_identity_governance() {
    let sim = sim().await;
    let (groups, _) = sim.all_pages("/api/v1/groups").await;
    let mut owners_seen = 0;
    for g in &groups {
        let reply = sim.get(&format!("/api/v1/groups/{}/owners", g["id"].as_str().unwrap())).await;
        assert_eq!(reply.status, 200);
        for owner in reply.json().as_array().unwrap() {
            assert!(owner["type"] == "USER" || owner["type"] == "GROUP");
            owners_seen += 1;
        }
    }
    assert_eq!(owners_seen as u64, sim.stats().await["group_owners"].as_u64().unwrap());
    assert!(owners_seen > 0);

    let plain = sim_with(Options { governance: false, ..Options::default() }).await;
    let gid = plain.get("/api/v1/groups?limit=1").await.json()[0]["id"].as_str().unwrap().to_string();
    let reply = plain.get(&format!("/api/v1/groups/{gid}/owners")).await;
    assert_eq!((reply.status, reply.error_code().as_str()), (401, "E0000015"));
}

#[tokio::test]
async fn apps_cover_every_sign_on_mode_and_assignments_carry_scope_priority_and_profile() {
    let sim = sim().await;
    let (apps, pages) = sim.all_pages("/api/v1/apps?limit=5").await;
    assert!(pages > 1);
    assert_eq!(apps.len() as u64, sim.stats().await["apps"].as_u64().unwrap());
    let modes: HashSet<&str> = apps.iter().map(|a| a["signOnMode"].as_str().unwrap()).collect();
    assert_eq!(modes.len(), 9, "{modes:?}");
    assert!(apps.iter().any(|a| a["status"] == "INACTIVE"));

    let mut scopes = HashSet::new();
    let (mut app_users, mut app_groups) = (0u64, 0u64);
    for app in &apps {
        let id = app["id"].as_str().unwrap();
        let (users, _) = sim.all_pages(&format!("/api/v1/apps/{id}/users?limit=500")).await;
        for u in &users {
            scopes.insert(u["scope"].as_str().unwrap().to_string());
        }
        app_users += users.len() as u64;
        let (groups, _) = sim.all_pages(&format!("/api/v1/apps/{id}/groups?limit=200")).await;
        for g in &groups {
            assert!(g["priority"].is_i64() && g["profile"].is_object());
        }
        app_groups += groups.len() as u64;
    }
    let stats = sim.stats().await;
    assert_eq!(app_users, stats["app_users"].as_u64().unwrap());
    assert_eq!(app_groups, stats["app_group_assignments"].as_u64().unwrap());
    assert_eq!(scopes, HashSet::from(["USER".to_string(), "GROUP".to_string()]));
}

#[tokio::test]
async fn group_apps_list_the_groups_assignments() {
    let sim = sim().await;
    let everyone =
        sim.get("/api/v1/groups?filter=type%20eq%20%22BUILT_IN%22").await.json()[0]["id"].as_str().unwrap().to_string();
    let apps = sim.get(&format!("/api/v1/groups/{everyone}/apps")).await.json();
    for app in apps.as_array().unwrap() {
        let groups = sim.get(&format!("/api/v1/apps/{}/groups", app["id"].as_str().unwrap())).await.json();
        assert!(groups.as_array().unwrap().iter().any(|g| g["id"] == everyone.as_str()));
    }
}

#[tokio::test]
async fn page_sizes_are_capped_and_cursors_cannot_be_forged() {
    let sim = sim().await;
    let reply = sim.get("/api/v1/users?limit=100000").await;
    assert_eq!(reply.json().as_array().unwrap().len(), 200, "users cap at 200 a page");
    let next = reply.next_link().expect("next");
    assert!(next.contains("after="));
    let forged = sim.get("/api/v1/users?after=00u1abcdEFGHijklm0h7").await;
    assert_eq!((forged.status, forged.error_code().as_str()), (400, "E0000001"));
    // A cursor from one list does not work on another.
    let after = next.split("after=").nth(1).unwrap();
    let reused = sim.get(&format!("/api/v1/groups?after={after}")).await;
    assert_eq!(reused.status, 400);
}

#[tokio::test]
async fn links_are_one_header_per_rel() {
    let sim = sim().await;
    let reply = sim.get("/api/v1/users?limit=2").await;
    let links: Vec<&str> = reply.headers.get_all("link").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(links.len(), 2);
    assert!(links[0].ends_with("rel=\"self\"") && links[1].ends_with("rel=\"next\""));
}

#[tokio::test]
async fn bad_requests_get_okta_errors_and_unknown_parameters_are_ignored() {
    let sim = sim().await;
    let bad_filter = sim.get("/api/v1/users?filter=status%20equals%20ACTIVE").await;
    assert_eq!((bad_filter.status, bad_filter.error_code().as_str()), (400, "E0000031"));
    let body = bad_filter.json();
    for key in ["errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"] {
        assert!(body.get(key).is_some(), "error body lacks {key}");
    }
    let not_allowed = sim.get("/api/v1/users?filter=profile.title%20eq%20%22x%22").await;
    assert_eq!(not_allowed.error_code(), "E0000031", "filter only takes Okta's attributes");
    let unknown = sim.get("/api/v1/nothing/here").await;
    assert_eq!((unknown.status, unknown.error_code().as_str()), (404, "E0000007"));
    let ignored = sim.get("/api/v1/users?limit=3&frobnicate=yes").await;
    assert_eq!(ignored.status, 200);
    assert_eq!(ignored.json().as_array().unwrap().len(), 3);
    assert!(ignored.headers.get("x-okta-request-id").is_some());
}

#[tokio::test]
async fn a_group_deleted_mid_listing_answers_404_and_leaves_the_list() {
    let sim = sim().await;
    let first = sim.get("/api/v1/groups?limit=3").await;
    let victim = first.json()[1]["id"].as_str().unwrap().to_string();
    let deleted = sim.control(reqwest::Method::DELETE, &format!("/objects/{victim}"), None).await;
    assert_eq!(deleted.status, 204);
    let members = sim.get(&format!("/api/v1/groups/{victim}/users")).await;
    assert_eq!((members.status, members.error_code().as_str()), (404, "E0000007"));
    let (rest, _) = sim.all_pages(&first.next_link().unwrap()).await;
    assert!(rest.iter().all(|g| g["id"] != victim.as_str()));
}

#[tokio::test]
async fn names_with_unicode_quotes_and_html_survive_the_wire() {
    let sim = sim_with(Options { users: 2000, ..Options::default() }).await;
    let (users, _) = sim.all_pages("/api/v1/users").await;
    let (groups, _) = sim.all_pages("/api/v1/groups").await;
    let names: Vec<String> = users
        .iter()
        .map(|u| {
            format!("{} {}", u["profile"]["firstName"].as_str().unwrap(), u["profile"]["lastName"].as_str().unwrap())
        })
        .chain(groups.iter().map(|g| g["profile"]["name"].as_str().unwrap().to_string()))
        .collect();
    assert!(names.iter().any(|n| !n.is_ascii()), "unicode names");
    assert!(names.iter().any(|n| n.contains('\'')), "apostrophes");
    assert!(names.iter().any(|n| n.contains('<') || n.contains('&') || n.contains('"')), "HTML characters");
}
