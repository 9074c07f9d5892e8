//! Activity end to end: the System Log poller against the simulator (catch-up, crashes, faults)
//! and `sightline ingest` of every source's fixtures.

mod support;

use serde_json::json;
use std::process::Stdio;
use std::time::Duration;
use support::*;

/// A workspace whose integration polls the System Log (and scans nothing).
fn log_workspace(sim: &Simulator) -> Workspace {
    let ws = Workspace::with_token(sim);
    let text = std::fs::read_to_string(&ws.config)
        .unwrap()
        .replace("system_log = false", "system_log = true\nresources = false");
    std::fs::write(&ws.config, text).unwrap();
    ws
}

fn sync_logs(ws: &Workspace) -> std::process::Output {
    sightline().args(["sync", "--only", "logs", "--config"]).arg(&ws.config).output().unwrap()
}

#[test]
fn a_catch_up_stores_every_event_once_and_a_second_adds_nothing() {
    let sim = Simulator::with_log_history(
        "6h",
        &["--seed", "21", "--users", "300", "--rate-limits", "off", "--events-per-minute", "40"],
    );
    let ws = log_workspace(&sim);
    let output = sync_logs(&ws);
    assert!(output.status.success(), "{}", stderr(&output));
    let served = sim.stats()["log_events"].as_u64().unwrap();
    assert!(served > 5000, "the simulator served {served} events");
    assert_eq!(ws.count("SELECT count(*) AS n FROM events"), served);
    assert_eq!(ws.count("SELECT count(DISTINCT uuid) AS n FROM events"), served);
    // Every event maps: a time, a type, an outcome; sign-ins carry the IP and a person.
    assert_eq!(ws.count("SELECT count(*) AS n FROM events WHERE source <> 'okta' OR time = '' OR event_type = ''"), 0);
    assert!(ws.count("SELECT count(*) AS n FROM events WHERE event_type = 'user.session.start' AND ip IS NOT NULL AND person IS NOT NULL") > 0);
    let run = &ws.query("SELECT status, counts FROM sync_runs WHERE kind = 'logs'")[0];
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["counts"]["inserted"], served);

    let again = sync_logs(&ws);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(ws.count("SELECT count(*) AS n FROM events"), served);
    let runs = ws.query("SELECT counts FROM sync_runs WHERE kind = 'logs' ORDER BY id");
    assert_eq!(runs[1]["counts"]["inserted"], 0, "the cursor resumed where the first run stopped");
}

#[test]
fn killed_at_random_moments_the_poller_loses_and_duplicates_nothing() {
    let sim = Simulator::with_log_history(
        "20h",
        &["--seed", "22", "--users", "500", "--rate-limits", "off", "--events-per-minute", "120"],
    );
    let ws = log_workspace(&sim);
    let served = sim.stats()["log_events"].as_u64().unwrap();
    // A deterministic spread of kill times between 50 ms and 1.2 s.
    let mut kills = 0;
    for i in 0..24u64 {
        let delay = Duration::from_millis(50 + (i * 7919) % 1150);
        let mut child = sightline()
            .args(["sync", "--only", "logs", "--config"])
            .arg(&ws.config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
    }
    assert!(kills >= 20, "only {kills} runs were still going when killed; make the history longer");
    let output = sync_logs(&ws);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(ws.count("SELECT count(*) AS n FROM events"), served, "every event the simulator served, once");
    // Nothing was refused along the way: every event served was stored as an event.
    assert_eq!(ws.count("SELECT count(*) AS n FROM rejected_events"), 0);
}

#[test]
fn outages_429s_and_malformed_pages_are_retried_or_reported_without_losing_events() {
    let sim = Simulator::with_log_history(
        "3h",
        &["--seed", "23", "--users", "200", "--rate-limits", "off", "--events-per-minute", "40"],
    );
    let ws = log_workspace(&sim);
    let served = sim.stats()["log_events"].as_u64().unwrap();
    // Transient: retried inside the run.
    sim.fault(json!({"path": "/api/v1/logs", "kind": "status", "status": 503, "times": 2}));
    sim.fault(json!({"path": "/api/v1/logs", "kind": "status", "status": 429, "times": 1}));
    sim.fault(json!({"path": "/api/v1/logs", "kind": "truncated", "times": 1}));
    let output = sync_logs(&ws);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(ws.count("SELECT count(*) AS n FROM events"), served);

    // A lasting outage: the run fails with a clear message, and the next one resumes.
    let sim2 = Simulator::with_log_history(
        "3h",
        &["--seed", "24", "--users", "200", "--rate-limits", "off", "--events-per-minute", "40"],
    );
    let ws2 = log_workspace(&sim2);
    let served2 = sim2.stats()["log_events"].as_u64().unwrap();
    sim2.fault(json!({"path": "/api/v1/logs", "kind": "html", "times": 50}));
    let failed = sync_logs(&ws2);
    assert!(!failed.status.success());
    let message = stderr(&failed);
    assert!(message.contains("System Log"), "{message}");
    assert!(!message.contains(sim2.token()), "no secret in errors");
    sim2.clear_faults();
    let output = sync_logs(&ws2);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(ws2.count("SELECT count(*) AS n FROM events"), served2);
    let runs = ws2.query("SELECT status FROM sync_runs WHERE kind = 'logs' ORDER BY id");
    assert_eq!(runs[0]["status"], "failed");
    assert_eq!(runs[1]["status"], "succeeded");
}

/// The fixtures of the activity crate: every source's test events.
fn fixture(source: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../activity/tests/fixtures").join(source)
}

#[test]
fn every_source_ingests_its_fixtures_and_people_join_across_sources() {
    let sim = Simulator::start(&["--seed", "25", "--users", "60", "--rate-limits", "off"]);
    let ws = Workspace::with_token(&sim);
    for (source, dir) in [
        ("okta", "okta-system-log"),
        ("aws-cloudtrail", "aws-cloudtrail"),
        ("github", "github-audit"),
        ("teleport", "teleport-audit"),
    ] {
        let files: Vec<_> = std::fs::read_dir(fixture(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
            .collect();
        let output =
            sightline().args(["ingest", "--source", source, "--config"]).arg(&ws.config).args(&files).output().unwrap();
        assert!(output.status.success(), "{source}: {}", stderr(&output));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("new events"), "{source}: {stdout}");
    }
    let per_source = ws.query("SELECT source, count(*) AS n FROM events GROUP BY source ORDER BY source");
    let sources: Vec<&str> = per_source.iter().map(|r| r["source"].as_str().unwrap()).collect();
    assert_eq!(sources, ["aws_cloudtrail", "github", "okta", "teleport"]);
    // Records without a usable time are kept, with the reason.
    assert!(ws.count("SELECT count(*) AS n FROM rejected_events WHERE reason <> ''") > 0);
    // Ingesting the same files again stores nothing twice.
    let before = ws.count("SELECT count(*) AS n FROM events");
    let files = vec![fixture("teleport-audit").join("panther-rule-tests.ndjson")];
    let output =
        sightline().args(["ingest", "--source", "teleport", "--config"]).arg(&ws.config).args(&files).output().unwrap();
    assert!(output.status.success());
    assert_eq!(ws.count("SELECT count(*) AS n FROM events"), before);
    // The OCSF object is queryable.
    assert!(ws.count("SELECT count(*) AS n FROM events WHERE (ocsf ->> 'class_uid')::int = 3002") > 0);

    // Garbage is refused with a reason, and nothing else is lost.
    let junk = ws.path().join("junk.json");
    std::fs::write(&junk, "{not json\n").unwrap();
    let output =
        sightline().args(["ingest", "--source", "okta", "--config"]).arg(&ws.config).arg(&junk).output().unwrap();
    assert!(!output.status.success());
    assert!(stderr(&output).contains("could be read"), "{}", stderr(&output));
    assert_eq!(ws.count("SELECT count(*) AS n FROM events"), before);
}

#[test]
fn a_person_is_joined_across_okta_and_other_sources() {
    let sim = Simulator::start(&["--seed", "26", "--users", "60", "--rate-limits", "off"]);
    let ws = Workspace::with_token(&sim);
    assert!(ws.sync().status.success());
    let login = ws.query("SELECT name FROM nodes WHERE sub_kind = 'okta_user' ORDER BY name LIMIT 1")[0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let teleport = ws.path().join("teleport.jsonl");
    std::fs::write(
        &teleport,
        format!(
            "{}\n",
            json!({"event": "user.login", "uid": "t-1", "time": "2026-11-28T10:00:00Z", "user": login.to_uppercase(), "success": true, "method": "saml", "addr.remote": "203.0.113.9:5000", "cluster_name": "prod"})
        ),
    )
    .unwrap();
    let output = sightline()
        .args(["ingest", "--source", "teleport", "--config"])
        .arg(&ws.config)
        .arg(&teleport)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let joined = ws.query(&format!(
        "SELECT n.sub_kind, e.ip FROM events e JOIN nodes n ON n.name = e.person WHERE e.source = 'teleport' AND e.person = '{}'",
        login.to_lowercase()
    ));
    assert_eq!(joined.len(), 1, "{joined:?}");
    assert_eq!(joined[0]["sub_kind"], "okta_user");
}
