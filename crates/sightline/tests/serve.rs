//! `sightline serve` end to end: it keeps `events` complete and current while the simulator
//! streams, answers health checks, stops cleanly on SIGTERM, and resumes after a restart.

mod support;

use std::time::Duration;
use support::*;

#[test]
fn serve_keeps_events_complete_through_restarts_and_stops_on_sigterm() {
    let sim = Simulator::live(
        "30m",
        &["--seed", "31", "--users", "200", "--rate-limits", "off", "--events-per-minute", "600"],
    );
    let ws = Workspace::with_token(&sim);
    let text = std::fs::read_to_string(&ws.config)
        .unwrap()
        .replace("system_log = false", "system_log = true\nlog_poll_interval = \"1s\"\nscan_interval = \"1h\"");
    std::fs::write(&ws.config, format!("{text}\n[server]\nlisten = \"127.0.0.1:0\"\n")).unwrap();

    let service = Service::start(&ws);
    assert_eq!(service.get("/healthz"), (200, "ok".to_string()));
    wait_until("the first scan and the first events", || {
        ws.count("SELECT count(*) AS n FROM nodes") > 0 && ws.count("SELECT count(*) AS n FROM events") > 0
    });
    let (status, body) = service.get("/readyz");
    assert_eq!(status, 200, "{body}");
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["integrations"][0]["name"], "sim");
    // Live events keep arriving.
    let first = ws.count("SELECT count(*) AS n FROM events");
    wait_until("new live events", || ws.count("SELECT count(*) AS n FROM events") > first);
    let stopping = service.terminate();
    assert!(stopping < Duration::from_secs(10), "stopping took {stopping:?}");

    // Down for a while; events accumulate in Okta; a restart catches up from the cursor.
    std::thread::sleep(Duration::from_secs(2));
    let service = Service::start(&ws);
    std::thread::sleep(Duration::from_secs(3));
    service.terminate();
    let served_before = sim.stats()["log_events"].as_u64().unwrap();
    let output = sightline().args(["sync", "--only", "logs", "--config"]).arg(&ws.config).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let served_after = sim.stats()["log_events"].as_u64().unwrap();
    let stored = ws.count("SELECT count(*) AS n FROM events");
    assert!(
        (served_before..=served_after).contains(&stored),
        "stored {stored}, the simulator had {served_before} before the last catch-up and {served_after} after"
    );
    assert_eq!(ws.count("SELECT count(DISTINCT uuid) AS n FROM events"), stored);
    // Every run finished: none is left `running` by the stops.
    assert_eq!(ws.count("SELECT count(*) AS n FROM sync_runs WHERE status = 'running'"), 0);
}

#[test]
fn serve_accepts_teleport_events_from_an_authenticated_forwarder() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sightline.toml");
    std::fs::write(
        &config,
        "data_dir = \"data\"\n[server]\nlisten = \"127.0.0.1:0\"\n[teleport]\nintake_token = \"s3cret-intake\"\n",
    )
    .unwrap();
    let ws = Workspace { dir, config };
    let service = Service::start(&ws);
    let body = r#"{"event":"user.login","uid":"tp-1","time":"2026-11-28T10:00:00Z","user":"alice@acme.example","success":false,"error":"invalid credentials","addr.remote":"203.0.113.7:5050","cluster_name":"prod"}"#;
    let post = |token: &str| {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&service.address).unwrap();
        write!(
            stream,
            "POST /intake/teleport HTTP/1.0\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    };
    let refused = post("wrong");
    assert!(refused.starts_with("HTTP/1.0 401") || refused.starts_with("HTTP/1.1 401"), "{refused}");
    assert!(!refused.contains("s3cret-intake"));
    let accepted = post("s3cret-intake");
    assert!(accepted.contains("\"stored\":1"), "{accepted}");
    let rows = ws.query("SELECT source, outcome, ip, person FROM events");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["source"], "teleport");
    assert_eq!(rows[0]["outcome"], "failure");
    service.terminate();
}
