//! Escalation paths and crown jewels end to end: `sightline sync` against the simulator writes
//! `escalation_path`, `control_edge` and `crown_jewel_reach`, the README's queries answer on them,
//! and a change to who can reach a crown jewel between two scans becomes an event.

mod support;

use serde_json::Value;
use support::*;

const CHANGED: &str = "graph.crown_jewel_access_changed";

/// The README's example queries, run as written.
const WHO_CAN_BECOME_SUPER_ADMIN: &str = "SELECT identity, identity_kind, length, chain FROM escalation_path WHERE target_kind = 'super_admin' AND length <= 2 ORDER BY length, identity;";
const TOKENS_TO_CROWN_JEWELS: &str = "SELECT identity AS token, chain -> 0 ->> 'to_name' AS creator, target, length FROM escalation_path WHERE identity_kind = 'okta_api_token' AND target_kind = 'crown_jewel' ORDER BY target, length;";
const JEWEL_CHANGES: &str = "SELECT time, message, raw -> 'added' AS added, raw -> 'removed' AS removed FROM events WHERE event_type = 'graph.crown_jewel_access_changed' ORDER BY time DESC;";

#[test]
fn the_readme_shows_these_queries() {
    let readme = include_str!("../../../README.md");
    for sql in [WHO_CAN_BECOME_SUPER_ADMIN, TOKENS_TO_CROWN_JEWELS, JEWEL_CHANGES] {
        assert!(readme.contains(sql), "README.md lacks {sql}");
    }
}

/// A workspace whose integration marks these crown jewels.
fn with_jewels(sim: &Simulator, jewels: &[&str]) -> Workspace {
    mark(Workspace::with_token(sim), jewels)
}

fn mark(ws: Workspace, jewels: &[&str]) -> Workspace {
    let list: Vec<String> = jewels.iter().map(|j| format!("{j:?}")).collect();
    let text = std::fs::read_to_string(&ws.config).unwrap();
    // The file ends inside the [[okta]] table.
    std::fs::write(&ws.config, format!("{text}crown_jewels = [{}]\n", list.join(", "))).unwrap();
    ws
}

fn sync(ws: &Workspace) {
    let output = ws.sync();
    assert!(output.status.success(), "{}", stderr(&output));
}

fn changes(ws: &Workspace) -> u64 {
    ws.count(&format!("SELECT count(*) AS n FROM events WHERE event_type = '{CHANGED}'"))
}

#[test]
fn a_sync_writes_escalation_paths_to_the_crown_jewels_and_the_readme_queries_answer() {
    let sim = Simulator::start(&["--seed", "21", "--users", "400", "--rate-limits", "off"]);
    let ws = with_jewels(&sim, &["AWS IAM Identity Center", "GitHub Enterprise", "Finance"]);
    sync(&ws);

    // Rows lead to the crown jewels, and every chain holds `length` steps from the identity to
    // the target.
    let to_jewels = ws.count("SELECT count(*) AS n FROM escalation_path WHERE target_kind = 'crown_jewel'");
    assert!(to_jewels > 0, "no escalation path to a crown jewel");
    assert!(ws.count("SELECT max(length) AS n FROM escalation_path") >= 3, "chains of three steps and more");
    let targets = ws.query("SELECT DISTINCT target FROM escalation_path WHERE target_kind = 'crown_jewel' ORDER BY 1");
    for row in &targets {
        let target = row["target"].as_str().unwrap();
        assert!(["AWS IAM Identity Center", "GitHub Enterprise", "Finance"].contains(&target), "{target}");
    }
    assert_eq!(
        ws.count(
            "SELECT count(*) AS n FROM escalation_path WHERE jsonb_array_length(chain) <> length \
             OR chain -> 0 ->> 'from' <> identity_id OR chain -> (length - 1) ->> 'to' <> target_id"
        ),
        0,
        "every chain has `length` steps, from the identity to the target"
    );
    // Each step starts where the one before it ended.
    for row in ws.query("SELECT chain FROM escalation_path") {
        let steps = row["chain"].as_array().unwrap();
        for pair in steps.windows(2) {
            assert_eq!(pair[0]["to"], pair[1]["from"], "{steps:?}");
        }
    }
    // An escalation path leads to what the identity does not hold yet: no identity that is a
    // member of a group jewel, or has an app jewel, has a row to it (an admin role scoped to the
    // jewel is not holding it).
    assert_eq!(
        ws.count(
            "SELECT count(*) AS n FROM escalation_path e JOIN access_path a \
             ON a.identity_id = e.identity_id AND a.resource_id = e.target_id AND a.kind = 'ALLOWED' \
             AND a.action IN ('member', 'access') WHERE e.target_kind = 'crown_jewel'"
        ),
        0
    );
    // The last holder of a chain ending in app access holds it today, as its access paths say.
    let ends = ws.query(
        "SELECT DISTINCT chain -> (length - 1) ->> 'from' AS holder, target_id FROM escalation_path \
         WHERE chain -> (length - 1) ->> 'step' = 'access_app' AND target_kind = 'crown_jewel'",
    );
    for end in &ends {
        let holder = end["holder"].as_str().unwrap();
        let target = end["target_id"].as_str().unwrap();
        let kind = &ws.query(&format!("SELECT sub_kind FROM nodes WHERE id = '{holder}'"))[0]["sub_kind"];
        let route = match kind.as_str() {
            Some("okta_user") => format!("identity_id = '{holder}'"),
            Some("okta_group") => format!(r#"via @> '[{{"group_id": "{holder}"}}]'"#),
            other => panic!("{holder} is a {other:?}"),
        };
        let sql = format!(
            "SELECT count(*) AS n FROM access_path WHERE resource_id = '{target}' AND kind = 'ALLOWED' AND {route}"
        );
        assert!(ws.count(&sql) > 0, "{holder} → {target}: no ALLOWED access path");
    }

    // "Who can become super admin in at most two steps": under Okta's admin barrier, nobody who
    // is not a super admin already (those are in access_path, not here).
    for row in ws.query(WHO_CAN_BECOME_SUPER_ADMIN) {
        let identity = row["identity"].as_str().unwrap();
        assert!(row["length"].as_u64().unwrap() <= 2);
        let holds = ws.count(&format!(
            "SELECT count(*) AS n FROM access_path WHERE identity = '{}' AND action = 'Super Administrator' \
             AND kind = 'ALLOWED'",
            identity.replace('\'', "''")
        ));
        assert_eq!(holds, 0, "{identity} already holds super admin");
    }
    assert_eq!(
        ws.count(
            "SELECT count(*) AS n FROM escalation_path WHERE target_kind IN ('super_admin', 'org_admin', 'admin_role')"
        ),
        0,
        "the barrier leaves admin-role rows empty on the simulator's org"
    );

    // "Which API tokens can reach a crown jewel": each through its creator.
    let tokens = ws.query(TOKENS_TO_CROWN_JEWELS);
    assert_eq!(
        tokens.len() as u64,
        ws.count(
            "SELECT count(*) AS n FROM escalation_path WHERE identity_kind = 'okta_api_token' \
             AND target_kind = 'crown_jewel'"
        )
    );
    for row in &tokens {
        let acts_as = format!(
            "SELECT count(*) AS n FROM edges e JOIN nodes t ON t.id = e.from_id JOIN nodes c ON c.id = e.to_id \
             WHERE e.kind = 'acts_as' AND t.name = '{}' AND c.name = '{}'",
            row["token"].as_str().unwrap().replace('\'', "''"),
            row["creator"].as_str().unwrap().replace('\'', "''")
        );
        assert!(ws.count(&acts_as) > 0, "{row}");
    }
    assert_eq!(
        ws.count(
            "SELECT count(*) AS n FROM escalation_path WHERE identity_kind = 'okta_api_token' \
             AND chain -> 0 ->> 'step' <> 'token_of'"
        ),
        0,
        "a token's chain opens with its creator"
    );

    // The run counted what it wrote, and timed it.
    let run = &ws.query("SELECT counts, progress FROM sync_runs")[0];
    assert_eq!(run["counts"]["escalation_paths"], ws.count("SELECT count(*) AS n FROM escalation_path"));
    assert_eq!(run["counts"]["control_edges"], ws.count("SELECT count(*) AS n FROM control_edge"));
    assert!(run["counts"]["control_edges"].as_u64().unwrap() > 0);
    assert!(run["progress"]["escalation_ms"].is_u64(), "{run}");
    assert!(ws.count("SELECT count(*) AS n FROM crown_jewel_reach") > 0);
    assert_eq!(changes(&ws), 0, "the first scan is the baseline");
    assert!(ws.query(JEWEL_CHANGES).is_empty());
}

#[test]
fn the_first_sync_and_an_unchanged_rescan_record_no_change() {
    let sim = Simulator::start(&["--seed", "22", "--users", "120", "--rate-limits", "off"]);
    let ws = with_jewels(&sim, &["AWS IAM Identity Center", "SUPER_ADMIN"]);
    sync(&ws);
    assert!(ws.count("SELECT count(*) AS n FROM crown_jewel_reach") > 0);
    assert_eq!(changes(&ws), 0);
    sync(&ws);
    assert_eq!(changes(&ws), 0, "nothing changed in the org");
    let run = &ws.query("SELECT counts FROM sync_runs ORDER BY id DESC LIMIT 1")[0];
    assert_eq!(run["counts"]["crown_jewel_changes"], 0);
}

#[test]
fn a_new_super_admin_between_two_scans_is_a_crown_jewel_change() {
    let sim = Simulator::start(&["--seed", "23", "--users", "120", "--rate-limits", "off"]);
    new_super_admin_is_a_change(&sim, with_jewels(&sim, &["AWS IAM Identity Center"]));
}

#[test]
fn a_new_super_admin_between_two_scans_is_a_crown_jewel_change_on_postgres() {
    let sim = Simulator::start(&["--seed", "23", "--users", "120", "--rate-limits", "off"]);
    let database = store::testing::TempDatabase::create();
    let ws = mark(Workspace::with_token_on_postgres(&sim, &database.url), &["AWS IAM Identity Center"]);
    new_super_admin_is_a_change(&sim, ws);
}

fn new_super_admin_is_a_change(sim: &Simulator, ws: Workspace) {
    sync(&ws);
    assert_eq!(changes(&ws), 0);

    // A new account made super admin: it can now assign itself (or anyone) to every app.
    let (status, body) =
        sim.request("POST", "/__sim/scenarios/admin_role_granted_to_fresh_account?start_offset_seconds=-600", None);
    assert_eq!(status, 200, "{body}");
    let truth: Value = serde_json::from_str(&body).unwrap();
    let okta_id = truth["target_user_ids"][0].as_str().unwrap().to_string();
    sync(&ws);

    let user = ws.query(&format!("SELECT id, name FROM nodes WHERE id LIKE '%:{okta_id}'"));
    assert_eq!(user.len(), 1, "the new super admin is in the snapshot");
    let (node_id, login) = (user[0]["id"].as_str().unwrap(), user[0]["name"].as_str().unwrap());

    let events = ws.query(&format!(
        "SELECT source, integration, category, outcome, message, targets, raw, ocsf FROM events \
         WHERE event_type = '{CHANGED}'"
    ));
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event["source"], "sightline");
    assert_eq!(event["integration"], "sim");
    assert_eq!((event["category"].as_str(), event["outcome"].as_str()), (Some("privilege"), Some("success")));
    assert_eq!(event["targets"][0]["name"], "AWS IAM Identity Center");
    assert_eq!(event["targets"][0]["kind"], "AppInstance");
    assert_eq!(event["raw"]["jewel"]["name"], "AWS IAM Identity Center");
    assert!(event["message"].as_str().unwrap().contains("can now reach or control AWS IAM Identity Center"), "{event}");
    assert_eq!(event["ocsf"]["entity"]["name"], "AWS IAM Identity Center");
    // The new super admin is among those added, as a controller of the app; by SQL too.
    let added = event["raw"]["added"].as_array().unwrap();
    assert!(
        added.iter().any(|h| h["identity_id"] == node_id && h["identity"] == login && h["how"] == "control"),
        "{added:?}"
    );
    let by_sql = format!(
        r#"SELECT count(*) AS n FROM events WHERE event_type = '{CHANGED}' AND raw -> 'added' @> '[{{"identity": "{login}", "how": "control"}}]'"#
    );
    assert_eq!(ws.count(&by_sql), 1);
    assert_eq!(ws.query(JEWEL_CHANGES).len(), 1);
    // The stored reach is now this scan's: a third scan of the unchanged org records nothing more.
    sync(&ws);
    assert_eq!(changes(&ws), 1);
}

/// The demo's org (`sightline demo`: 2,000 users, seed 7): "who can become super admin" lists
/// every real route and no false one. The truth comes from Okta's own API on the simulator: the
/// admin assignees whose roles (direct or through a group) include `SUPER_ADMIN`, and the API
/// tokens those users created. Okta lets only super admins manage users and groups that hold
/// admin roles, so nobody else has a route to it: the escalation table has no row to it, and no
/// control edge from a non-holder reaches a holder.
#[test]
fn on_the_demo_org_who_can_become_super_admin_is_exactly_its_holders() {
    let sim = Simulator::start(&["--seed", "7", "--users", "2000", "--rate-limits", "off"]);
    let ws = Workspace::with_token(&sim);
    sync(&ws);

    let okta_id = |node_id: &str| node_id.rsplit(':').next().unwrap().to_string();
    let mut super_admins = std::collections::BTreeSet::new();
    let mut next = Some("/api/v1/iam/assignees/users?limit=100".to_string());
    while let Some(path) = next.take() {
        let page = sim.api(&path);
        for user in page["value"].as_array().unwrap() {
            let id = user["id"].as_str().unwrap();
            let roles = sim.api(&format!("/api/v1/users/{id}/roles"));
            if roles.as_array().unwrap().iter().any(|r| r["type"] == "SUPER_ADMIN") {
                super_admins.insert(id.to_string());
            }
        }
        next = page["_links"]["next"]["href"].as_str().map(|href| href.trim_start_matches(sim.url()).to_string());
    }
    let tokens: std::collections::BTreeSet<String> = sim
        .api("/api/v1/api-tokens")
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| super_admins.contains(t["userId"].as_str().unwrap()))
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!super_admins.is_empty() && !tokens.is_empty(), "the demo org has super admins and their tokens");

    let holders = |kind: &str| -> std::collections::BTreeSet<String> {
        ws.query(&format!(
            "SELECT DISTINCT identity_id FROM access_path WHERE action = 'Super Administrator' AND identity_kind = '{kind}'"
        ))
        .iter()
        .map(|r| okta_id(r["identity_id"].as_str().unwrap()))
        .collect()
    };
    assert_eq!(holders("okta_user"), super_admins, "users holding super admin");
    assert_eq!(holders("okta_api_token"), tokens, "API tokens acting as a super admin");

    assert_eq!(ws.query(WHO_CAN_BECOME_SUPER_ADMIN), Vec::<Value>::new(), "no route for anyone else");
    assert_eq!(ws.count("SELECT count(*) AS n FROM escalation_path WHERE target_kind = 'super_admin'"), 0);
    let reaching_holders = ws.count(
        "SELECT count(*) AS n FROM control_edge c JOIN access_path h ON h.identity_id = c.to_id \
         AND h.action = 'Super Administrator' WHERE c.capability = 'reset_credentials' AND c.from_id NOT IN \
         (SELECT identity_id FROM access_path WHERE action = 'Super Administrator' AND kind = 'ALLOWED')",
    );
    assert_eq!(reaching_holders, 0, "only super admins can take over a super admin");
    let over_admins = ws.count(
        "SELECT count(*) AS n FROM control_edge WHERE over_admins = TRUE AND from_id NOT IN \
         (SELECT identity_id FROM access_path WHERE action = 'Super Administrator' AND kind = 'ALLOWED')",
    );
    assert_eq!(over_admins, 0, "only super admins have power over admins");
}
