//! Secrets never reach the logs: `sightline serve` at trace level, through a scan, System Log
//! polls, a sign-in, an API token's creation and use, and a wizard check with a bad token, writes
//! none of the Okta token, the admin password, the session cookie, the CSRF token or the API token.

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::*;

#[test]
fn no_secret_reaches_the_logs_even_at_trace_level() {
    let sim = Simulator::live("30m", &["--seed", "17", "--users", "60", "--rate-limits", "off"]);
    let ws = Workspace::with_token(&sim);
    let text = std::fs::read_to_string(&ws.config)
        .unwrap()
        .replace("system_log = false", "system_log = true\nlog_poll_interval = \"1s\"\nscan_interval = \"1h\"");
    std::fs::write(&ws.config, format!("{text}\n[server]\nlisten = \"127.0.0.1:0\"\n")).unwrap();
    let log_path = ws.path().join("serve.log");
    let admin_password = "correct horse battery staple 42";
    let mut child = sightline()
        .args(["serve", "--config"])
        .arg(&ws.config)
        .env("SIGHTLINE_LOG", "trace")
        .env("SIGHTLINE_ADMIN_PASSWORD", admin_password)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let address = loop {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(rest) = log.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "serve did not start:\n{log}");
        std::thread::sleep(Duration::from_millis(100));
    };
    wait_until("a scan and System Log events", || {
        ws.count("SELECT count(*) AS n FROM nodes") > 0 && ws.count("SELECT count(*) AS n FROM events") > 0
    });

    let json = [("Content-Type", "application/json")];
    let login = format!(r#"{{"username":"admin","password":"{admin_password}"}}"#);
    let (status, head, body) = http(&address, "POST", "/api/auth/login", &json, &login);
    assert_eq!(status, 200, "{body}");
    let set_cookie =
        head.lines().find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")));
    let cookie = set_cookie.unwrap().split(';').next().unwrap().to_string();
    let session_token = cookie.split_once('=').unwrap().1.to_string();
    let me: serde_json::Value = serde_json::from_str(&body).unwrap();
    let csrf = me["csrf_token"].as_str().unwrap().to_string();
    let signed = [("Content-Type", "application/json"), ("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf.as_str())];
    let (status, _, body) = http(&address, "POST", "/api/tokens", &signed, r#"{"name":"ci","role":"viewer"}"#);
    assert_eq!(status, 201, "{body}");
    let api_token = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"].as_str().unwrap().to_string();
    let bearer = format!("Bearer {api_token}");
    let (status, _, body) = http(
        &address,
        "POST",
        "/api/query",
        &[("Content-Type", "application/json"), ("Authorization", bearer.as_str())],
        r#"{"sql":"SELECT count(*) FROM nodes"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let bogus_okta_token = "00bogus-okta-token-under-test-abcdef";
    let check = format!(r#"{{"org_url":"{}","auth":{{"method":"ssws","token":"{bogus_okta_token}"}}}}"#, sim.url());
    let (status, _, body) = http(&address, "POST", "/api/integrations/validate", &signed, &check);
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains(bogus_okta_token), "{body}");

    let _ = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    let file = std::fs::File::open(&log_path).unwrap();
    let mut lines = 0;
    for line in BufReader::new(file).lines() {
        let line = line.unwrap();
        lines += 1;
        for (what, secret) in [
            ("the Okta API token", sim.token()),
            ("the admin password", admin_password),
            ("the session cookie", session_token.as_str()),
            ("the CSRF token", csrf.as_str()),
            ("the Sightline API token", api_token.as_str()),
            ("the token typed into the wizard", bogus_okta_token),
        ] {
            assert!(!line.contains(secret), "{what} is in the log: {line}");
        }
    }
    assert!(lines > 100, "trace logging wrote only {lines} lines");
}
