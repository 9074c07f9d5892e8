//! `sightline sync` end to end against the simulator: counts, credentials, limits and faults.

mod support;

use serde_json::json;
use support::*;

#[test]
fn ssws_sync_matches_the_simulator_at_several_seeds_and_sizes() {
    for (seed, users) in [("1", "60"), ("2", "400")] {
        let sim = Simulator::start(&["--seed", seed, "--users", users, "--rate-limits", "off"]);
        let ws = Workspace::with_token(&sim);
        let output = ws.sync();
        assert!(output.status.success(), "seed {seed}: {}", stderr(&output));
        assert_store_matches(&ws, &sim);
        let runs = ws.query("SELECT status, api_calls, error FROM sync_runs");
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0]["status"], "succeeded");
        assert!(runs[0]["api_calls"].as_u64().unwrap() > 10);
    }
}

#[test]
fn oauth_with_dpop_syncs_the_same_org() {
    let sim = Simulator::start(&["--seed", "3", "--users", "80", "--rate-limits", "off"]);
    let key = sim.info["private_key_file"].as_str().unwrap();
    let credentials = format!(
        "client_id = \"{}\"\nprivate_key_file = \"{key}\"\nkey_id = \"{}\"",
        sim.info["client_id"].as_str().unwrap(),
        sim.info["key_id"].as_str().unwrap()
    );
    let ws = Workspace::new(sim.url(), &credentials);
    let output = ws.sync();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_store_matches(&ws, &sim);
}

#[test]
fn a_second_sync_replaces_the_snapshot_and_orgs_live_side_by_side() {
    let a = Simulator::start(&["--seed", "4", "--users", "60", "--rate-limits", "off"]);
    let b = Simulator::start(&["--seed", "5", "--users", "90", "--rate-limits", "off"]);
    let ws = Workspace::with_token(&a);
    let config = format!(
        "data_dir = \"data\"\n[[okta]]\nname = \"a\"\norg_url = \"{}\"\napi_token = \"{}\"\nsystem_log = false\n[[okta]]\nname = \"b\"\norg_url = \"{}\"\napi_token = \"{}\"\nsystem_log = false\n",
        a.url(),
        a.token(),
        b.url(),
        b.token()
    );
    std::fs::write(&ws.config, config).unwrap();
    assert!(ws.sync().status.success());
    let first = ws.count("SELECT count(*) AS n FROM nodes");
    assert!(ws.sync().status.success());
    assert_eq!(ws.count("SELECT count(*) AS n FROM nodes"), first, "a re-scan replaces, never duplicates");
    let per_org = ws.query("SELECT labels ->> 'okta/org' AS org, count(*) AS n FROM nodes WHERE sub_kind = 'okta_user' GROUP BY 1 ORDER BY 1");
    assert_eq!(per_org.len(), 2);
    let users: u64 = per_org.iter().map(|r| r["n"].as_u64().unwrap()).sum();
    assert_eq!(users, a.stats()["users_total"].as_u64().unwrap() + b.stats()["users_total"].as_u64().unwrap());
}

#[test]
fn with_okta_rate_limits_on_the_scan_waits_instead_of_drawing_429s() {
    // A two-second window keeps the test quick; budgets are small enough that the scan must wait.
    let sim = Simulator::start(&[
        "--seed",
        "6",
        "--users",
        "60",
        "--rate-limit-window",
        "2s",
        "--rate-limit",
        "apps=10",
        "--rate-limit",
        "group=20",
    ]);
    let ws = Workspace::with_token(&sim);
    let output = ws.sync();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_store_matches(&ws, &sim);
    let limits = &sim.stats()["rate_limits"];
    assert_eq!(limits["rejected"], 0, "no 429s: {limits}");
    assert!(
        limits["peak_per_window"]["apps"].as_u64().unwrap() <= 5,
        "kept to a 50% share of the apps bucket: {limits}"
    );
    let runs = ws.query("SELECT rate_limit_waits FROM sync_runs");
    assert!(runs[0]["rate_limit_waits"].as_u64().unwrap() > 0, "the governor waited");
}

#[test]
fn transient_faults_are_retried() {
    let sim = Simulator::start(&["--seed", "7", "--users", "60", "--rate-limits", "off"]);
    sim.fault(json!({"path": "/api/v1/groups/*/users", "kind": "status", "status": 503, "times": 2}));
    sim.fault(json!({"path": "/api/v1/apps", "kind": "truncated", "times": 1}));
    sim.fault(json!({"path": "/api/v1/api-tokens", "kind": "reset", "times": 1}));
    let ws = Workspace::with_token(&sim);
    let output = ws.sync();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_store_matches(&ws, &sim);
}

#[test]
fn a_failed_scan_keeps_the_previous_snapshot_and_says_why() {
    let sim = Simulator::start(&["--seed", "8", "--users", "60", "--rate-limits", "off"]);
    let ws = Workspace::with_token(&sim);
    assert!(ws.sync().status.success());
    let before = ws.count("SELECT count(*) AS n FROM nodes");
    for (rule, expected) in [
        (json!({"path": "/api/v1/apps", "kind": "status", "status": 500}), "500"),
        (json!({"path": "/api/v1/groups", "kind": "malformed_json"}), "groups"),
        (json!({"path": "/api/v1/users", "kind": "html"}), "users"),
    ] {
        sim.fault(rule.clone());
        let output = ws.sync();
        assert!(!output.status.success(), "{rule}");
        let message = stderr(&output);
        assert!(message.contains("sync failed for sim") && message.contains(expected), "{rule}: {message}");
        assert!(!message.contains(sim.token()), "no secret in errors");
        assert_eq!(ws.count("SELECT count(*) AS n FROM nodes"), before, "{rule}: the previous snapshot is intact");
        let last = ws.query("SELECT status, error FROM sync_runs ORDER BY id DESC LIMIT 1");
        assert_eq!(last[0]["status"], "failed");
        assert!(last[0]["error"].as_str().unwrap().contains(expected));
        sim.clear_faults();
    }
    let integration = ws.query("SELECT status, last_error FROM integrations");
    assert!(integration[0]["last_error"].is_string());
}

#[test]
fn an_object_deleted_mid_scan_is_skipped_with_a_warning() {
    let sim = Simulator::start(&["--seed", "9", "--users", "60", "--rate-limits", "off"]);
    // Every member listing of one group answers 404, as if the group vanished after the group list.
    sim.fault(json!({"path": "/api/v1/groups/*/users", "kind": "status", "status": 404, "times": 1}));
    let ws = Workspace::with_token(&sim);
    let output = ws.sync();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("deleted during the scan"), "{}", stderr(&output));
}

#[test]
fn orgs_without_identity_governance_skip_group_owners() {
    let sim = Simulator::start(&["--seed", "10", "--users", "60", "--rate-limits", "off", "--no-governance"]);
    let ws = Workspace::with_token(&sim);
    let output = ws.sync();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("Identity Governance"), "{}", stderr(&output));
    assert_eq!(ws.count("SELECT count(*) AS n FROM edges WHERE kind = 'owns'"), 0);
}

#[test]
fn credential_problems_fail_with_what_to_do() {
    let sim = Simulator::start(&["--seed", "11", "--users", "60", "--rate-limits", "off"]);
    let bad = Workspace::new(sim.url(), "api_token = \"00notavalidtoken000000000000000000000000\"");
    let output = bad.sync();
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("invalid or expired"), "{message}");
    assert!(!message.contains("00notavalidtoken"), "the token never appears: {message}");

    let (_, created) = sim.request("POST", "/__sim/tokens", Some(r#"{"name": "no roles", "denied": ["roles"]}"#));
    let token: serde_json::Value = serde_json::from_str(&created).unwrap();
    let limited = Workspace::new(sim.url(), &format!("api_token = \"{}\"", token["token"].as_str().unwrap()));
    let output = limited.sync();
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("E0000006") || message.contains("permission"), "{message}");
}

#[test]
fn config_errors_name_the_key_and_the_file() {
    let ws = Workspace::new("http://acme.okta.com", "api_token = \"x\"");
    let output = ws.sync();
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("sightline.toml") && message.contains("org_url"), "{message}");
}

#[test]
fn access_paths_answer_the_briefs_queries() {
    let sim = Simulator::start(&["--seed", "12", "--users", "150", "--rate-limits", "off"]);
    let ws = Workspace::with_token(&sim);
    let output = ws.sync();
    assert!(output.status.success(), "{}", stderr(&output));
    let origin = r#"resource_labels @> '{"teleport.dev/origin": "okta"}'"#;

    // The super admin reaches the whole org.
    let get = |path: &str| sim.api(path);
    let admin = get("/api/v1/users/me");
    let login = admin["profile"]["login"].as_str().unwrap();
    let rows = ws.query(&format!("SELECT * FROM access_path WHERE identity = '{login}' AND kind = 'ALLOWED'"));
    assert!(
        rows.iter().any(|r| r["action"] == "Super Administrator"
            && r["resource"] == sim.url()
            && r["standing_privileges"] == 1),
        "{rows:?}"
    );

    // Everyone who can use an app: the simulator's app users, one row each.
    let apps = get("/api/v1/apps?limit=200");
    let app = apps.as_array().unwrap().iter().find(|a| a["status"] == "ACTIVE" && a["name"] != "oidc_client").unwrap();
    let label = app["label"].as_str().unwrap().replace('\'', "''");
    let app_users = get(&format!("/api/v1/apps/{}/users?limit=500", app["id"].as_str().unwrap()));
    let reach =
        ws.query(&format!("SELECT * FROM access_path WHERE resource = '{label}' AND {origin} AND action = 'access'"));
    assert_eq!(reach.len(), app_users.as_array().unwrap().len(), "{label}");
    assert!(reach.iter().all(|r| r["via"].as_array().is_some_and(|v| !v.is_empty())));

    // Members of a group.
    let groups = get("/api/v1/groups?limit=10000");
    let group = groups.as_array().unwrap().iter().find(|g| g["type"] == "OKTA_GROUP").unwrap();
    let members = get(&format!("/api/v1/groups/{}/users?limit=1000", group["id"].as_str().unwrap()));
    let name = group["profile"]["name"].as_str().unwrap().replace('\'', "''");
    let rows =
        ws.query(&format!("SELECT * FROM access_path WHERE resource = '{name}' AND {origin} AND action = 'member'"));
    assert_eq!(rows.len(), members.as_array().unwrap().len(), "{name}");

    // Standing privileges, and the denied paths of deprovisioned users.
    let standing =
        ws.count(&format!("SELECT count(*) AS n FROM access_path WHERE standing_privileges >= 1 AND {origin}"));
    assert!(standing > 0);
    let denied = ws.query("SELECT DISTINCT reason FROM access_path WHERE kind = 'DENIED'");
    assert!(denied.iter().any(|r| r["reason"] == "app inactive"), "{denied:?}");
}
