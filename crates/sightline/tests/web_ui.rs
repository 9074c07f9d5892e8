//! The web UI end to end: `sightline demo` runs as a user would start it, and a real headless
//! Chromium (Debian's, driven by playwright-core from `tests/web/`) signs in, explores the graph,
//! runs every example query, acknowledges an alert, tries the integration wizard with a bad token
//! and checks that Okta strings holding HTML show as text. Screenshots of every page land in
//! `target/web-ui-screenshots/`.
//!
//! Needs `/usr/bin/chromium` and `tests/web/node_modules` (scripts/install-web-test-deps.sh, which
//! `scripts/test` runs first).

mod support;

use support::http;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A string that would run script if a page ever rendered Okta data as HTML.
const HOSTILE_GROUP: &str = "Contractors <img src=x onerror=\"window.__xss=1\"> & <b>friends</b>";
const PASSWORD: &str = "correct horse battery staple";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

#[test]
fn the_web_ui_works_end_to_end_in_headless_chromium() {
    let root = repo_root();
    let web_tests = root.join("tests/web");
    assert!(
        web_tests.join("node_modules/playwright-core").is_dir(),
        "tests/web/node_modules is missing: run scripts/install-web-test-deps.sh"
    );
    assert!(PathBuf::from("/usr/bin/chromium").exists(), "Chromium is missing: apt-get install chromium");
    let data = tempfile::tempdir().unwrap();
    let mut demo = support::sightline()
        .args(["demo", "--listen", "127.0.0.1:0", "--users", "400", "--attack-every", "1m", "--scan-interval", "20s"])
        .arg("--data-dir")
        .arg(data.path())
        .env("SIGHTLINE_ADMIN_PASSWORD", PASSWORD)
        .env("SIGHTLINE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = demo.stderr.take().unwrap();
    std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
    let mut lines = BufReader::new(demo.stdout.take().unwrap()).lines();
    let (mut url, mut sim_url, mut printed) = (None, None, String::new());
    while url.is_none() || sim_url.is_none() {
        let line = lines.next().expect("the demo printed its URL").unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.split("is running: ").nth(1) {
            url = Some(rest.trim().to_string());
        }
        if let Some(rest) = line.split("Simulated Okta org: ").nth(1) {
            sim_url = Some(rest.split_whitespace().next().unwrap().to_string());
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let (url, sim_url) = (url.unwrap(), sim_url.unwrap());
    assert!(printed.contains("Sign in as admin with the password in SIGHTLINE_ADMIN_PASSWORD"), "{printed}");
    assert!(!printed.contains(PASSWORD), "a password the operator chose is never printed: {printed}");
    let address = url.trim_start_matches("http://").to_string();
    let sim_address = sim_url.trim_start_matches("http://").to_string();

    // A group whose name is HTML, in the org the demo scans.
    let body = serde_json::json!({"name": HOSTILE_GROUP, "description": "<script>window.__xss=2</script>"}).to_string();
    let (status, _, answer) =
        http(&sim_address, "POST", "/__sim/groups", &[("Content-Type", "application/json")], &body);
    assert_eq!(status, 200, "{answer}");

    // Wait (as a signed-in client) until a scan has brought the group in.
    let login = serde_json::json!({"username": "admin", "password": PASSWORD}).to_string();
    let (status, head, answer) =
        http(&address, "POST", "/api/auth/login", &[("Content-Type", "application/json")], &login);
    assert_eq!(status, 200, "{answer}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    support::wait_up_to(Duration::from_secs(120), "the hostile group in the graph", || {
        let (_, _, body) =
            http(&address, "GET", "/api/nodes?sub_kind=okta_group&q=onerror", &[("Cookie", &cookie)], "");
        serde_json::from_str::<serde_json::Value>(&body).is_ok_and(|v| v["total"].as_u64().unwrap_or(0) >= 1)
    });

    let artifacts = root.join("target/web-ui-screenshots");
    std::fs::create_dir_all(&artifacts).unwrap();
    let started = Instant::now();
    let output = Command::new("node")
        .arg("ui.mjs")
        .current_dir(&web_tests)
        .env("SIGHTLINE_URL", &url)
        .env("SIGHTLINE_USER", "admin")
        .env("SIGHTLINE_PASSWORD", PASSWORD)
        .env("SIGHTLINE_SIM_URL", &sim_url)
        .env("SIGHTLINE_XSS_NAME", HOSTILE_GROUP)
        .env("SIGHTLINE_ARTIFACTS", &artifacts)
        .output()
        .expect("node runs");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    println!("{report}");
    let _ = Command::new("kill").args(["-TERM", &demo.id().to_string()]).status();
    let stopped = Instant::now();
    while demo.try_wait().unwrap().is_none() && stopped.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = demo.kill();
    assert!(output.status.success(), "the browser checks failed after {:?}:\n{report}", started.elapsed());
    assert!(!report.contains("not ok"), "{report}");
    for page in ["overview", "graph", "sql", "activity", "alerts", "integrations"] {
        assert!(
            std::fs::read_dir(&artifacts).unwrap().flatten().any(|f| f.file_name().to_string_lossy().starts_with(page)),
            "no screenshot of {page} in {}",
            artifacts.display()
        );
    }
}
