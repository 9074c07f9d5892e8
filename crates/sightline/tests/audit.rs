//! Sightline's own audit log from the command line: what `sightline query` and `sightline alerts`
//! run is recorded with the operating-system user, and `serve` records its configuration when it
//! changes (which is how rule changes, made in the file, reach the log).

mod support;

use serde_json::Value;
use support::*;

fn audit(ws: &Workspace, filters: &[&str]) -> Vec<Value> {
    let output =
        sightline().args(["audit", "--format", "json", "--config"]).arg(&ws.config).args(filters).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_cli_and_serve_write_sightlines_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sightline.toml");
    let base = "data_dir = \"data\"\n[server]\nlisten = \"127.0.0.1:0\"\n";
    std::fs::write(&config, base).unwrap();
    let ws = Workspace { dir, config };

    let run = |sql: &str| {
        sightline().args(["query", "--config"]).arg(&ws.config).arg(sql).env("USER", "auditor").output().unwrap()
    };
    assert!(run("SELECT count(*) FROM nodes").status.success());
    assert!(!run("DELETE FROM nodes").status.success());

    Service::start(&ws).terminate();
    Service::start(&ws).terminate(); // unchanged: nothing new recorded
    std::fs::write(&ws.config, format!("{base}[detections]\ndisabled = [\"okta.idp_change\"]\n")).unwrap();
    Service::start(&ws).terminate();

    let queries = audit(&ws, &["--action", "query"]);
    assert_eq!(queries.len(), 2, "{queries:?}");
    assert!(queries.iter().all(|e| e["actor"] == "auditor" && e["via"] == "cli"), "{queries:?}");
    let failed = audit(&ws, &["--action", "query", "--outcome", "failure"]);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["detail"]["sql"], "DELETE FROM nodes");
    assert!(failed[0]["detail"]["error"].as_str().unwrap().contains("DELETE"), "{:?}", failed[0]);

    let configs = audit(&ws, &["--action", "config."]);
    let actions: Vec<&str> = configs.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["config.changed", "config.loaded"], "{configs:?}");
    assert_eq!(configs[0]["detail"]["rules_switched_off"], serde_json::json!(["okta.idp_change"]));
    assert_ne!(configs[0]["detail"]["sha256"], configs[1]["detail"]["sha256"]);

    let output = sightline().args(["audit", "--config"]).arg(&ws.config).output().unwrap();
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("config.changed") && table.contains("(4 entries)"), "{table}");
}
