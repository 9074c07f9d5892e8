//! Conformance of `sightline okta-sim` with Okta's official SDKs.
//!
//! Each test starts the real binary on a free loopback port with a temporary data dir, runs one
//! SDK's conformance script against it (tests/sdk/python/conformance.py with the venv's python,
//! tests/sdk/node/conformance.mjs with node), and checks that what the SDK saw — every list
//! endpoint paged with small limits, every object parsed into the SDK's models, OAuth with
//! private_key_jwt + DPoP — matches the simulator's own counts from `GET /__sim/stats`.
//!
//! The SDKs are installed by `scripts/install-sdk-test-deps.sh` (CI runs it first); without them
//! these tests fail, they never skip.

use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const INSTALL_HINT: &str = "run scripts/install-sdk-test-deps.sh";
/// Org size: enough users that every listing takes several pages at the scripts' page size.
const USERS: &str = "40";
const SEED: &str = "7";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(900);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// The simulator process; killed when dropped, so a failing assertion never leaks it.
struct Sim {
    child: Child,
    info: Value,
    dir: tempfile::TempDir,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sim {
    fn start() -> Sim {
        let dir = tempfile::tempdir().expect("temp dir");
        let stderr = File::create(dir.path().join("sim.stderr")).expect("sim stderr file");
        let data_dir = dir.path().join("data");
        let mut child = Command::new(env!("CARGO_BIN_EXE_sightline"))
            .args(["okta-sim", "--listen", "127.0.0.1:0", "--seed", SEED, "--users", USERS, "--json"])
            .arg("--data-dir")
            .arg(&data_dir)
            // No rate limiting, and a still org: counts must not move while the SDK reads them.
            .args(["--rate-limits", "off", "--no-live-activity"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .expect("spawn sightline okta-sim");
        let stdout = child.stdout.take().expect("sim stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next();
            let _ = tx.send(first);
            // Keep draining so the simulator never blocks on a full pipe.
            for _ in lines {}
        });
        let mut sim = Sim { child, info: Value::Null, dir };
        let line = match rx.recv_timeout(STARTUP_TIMEOUT) {
            Ok(Some(Ok(line))) => line,
            other => panic!(
                "okta-sim did not print its JSON line within {STARTUP_TIMEOUT:?} ({other:?}); stderr:\n{}",
                sim.stderr_tail()
            ),
        };
        sim.info = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("okta-sim's first stdout line is not JSON ({e}): {line}"));
        for key in ["org_url", "api_token", "client_id", "private_key_file", "key_id"] {
            assert!(sim.info[key].is_string(), "okta-sim JSON line lacks string '{key}': {line}");
        }
        sim
    }

    fn field(&self, key: &str) -> &str {
        self.info[key].as_str().expect("string field")
    }

    fn stderr_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("sim.stderr")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// `GET /__sim/stats` over a plain HTTP/1.0 connection.
    fn stats(&self) -> Value {
        let url = self.field("org_url");
        let host = url.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = TcpStream::connect(host).unwrap_or_else(|e| panic!("connect {host}: {e}"));
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("read timeout");
        write!(stream, "GET /__sim/stats HTTP/1.0\r\nHost: {host}\r\nAccept: application/json\r\n\r\n")
            .expect("send stats request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read stats response");
        let (head, body) = response.split_once("\r\n\r\n").expect("HTTP response");
        assert!(head.starts_with("HTTP/1.") && head.contains(" 200 "), "GET /__sim/stats: {head}");
        serde_json::from_str(body).unwrap_or_else(|e| panic!("/__sim/stats is not JSON ({e}): {body}"))
    }
}

/// Runs an SDK script against `sim`; its one stdout JSON object, or a panic with its stderr.
fn run_script(sim: &Sim, program: &Path, script: &Path, sdk: &str) -> Value {
    let out_path = sim.dir.path().join(format!("{sdk}.stdout"));
    let err_path = sim.dir.path().join(format!("{sdk}.stderr"));
    let mut child = Command::new(program)
        .arg(script)
        .current_dir(sim.dir.path())
        .env("OKTA_ORG_URL", sim.field("org_url"))
        .env("OKTA_API_TOKEN", sim.field("api_token"))
        .env("OKTA_CLIENT_ID", sim.field("client_id"))
        .env("OKTA_PRIVATE_KEY_FILE", sim.field("private_key_file"))
        .env("OKTA_KEY_ID", sim.field("key_id"))
        .env("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")
        .env("SDK_PAGE_LIMIT", "3")
        .stdin(Stdio::null())
        .stdout(Stdio::from(File::create(&out_path).expect("stdout file")))
        .stderr(Stdio::from(File::create(&err_path).expect("stderr file")))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}); {INSTALL_HINT}", program.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for script") {
            break status;
        }
        if started.elapsed() > SCRIPT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{sdk} conformance script ran longer than {SCRIPT_TIMEOUT:?}; stderr:\n{}",
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    assert!(
        status.success(),
        "{sdk} conformance script failed ({status}):\n{stderr}\n--- simulator stderr (tail) ---\n{}",
        sim.stderr_tail()
    );
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or_else(|| panic!("{sdk} script printed no JSON object; stdout:\n{stdout}\nstderr:\n{stderr}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{sdk} script output is not JSON ({e}): {line}"))
}

fn count(report: &Value, key: &str) -> Option<u64> {
    report["counts"][key].as_u64()
}

fn stat(stats: &Value, key: &str) -> Option<u64> {
    stats[key].as_u64()
}

/// The SDK's counts against the simulator's: every pair whose stats key the simulator reports
/// must match exactly, and the core keys must be there.
fn check_against_stats(sdk: &str, report: &Value, stats: &Value) {
    eprintln!("{sdk} report: {report}");
    eprintln!("simulator stats: {stats}");
    let mut failures = Vec::new();

    // Core inventory: these stats keys must exist.
    for (stat_key, count_key) in [
        ("users_total", "users_total"),
        ("users_deprovisioned", "users_deprovisioned"),
        ("groups", "groups"),
        ("apps", "apps"),
    ] {
        match (stat(stats, stat_key), count(report, count_key)) {
            (Some(s), Some(c)) if s == c => {}
            (s, c) => failures.push(format!("{stat_key}: simulator {s:?}, {sdk} saw {c:?} ({count_key})")),
        }
    }
    if let (Some(total), Some(deprov)) = (stat(stats, "users_total"), stat(stats, "users_deprovisioned")) {
        let visible = total - deprov;
        if count(report, "users") != Some(visible) {
            failures.push(format!(
                "users (plain listing, no DEPROVISIONED): expected {visible}, {sdk} saw {:?}",
                count(report, "users")
            ));
        }
        if report["oauth_users"].as_u64() != Some(visible) {
            failures.push(format!("oauth_users: expected {visible}, {sdk} saw {}", report["oauth_users"]));
        }
        if count(report, "user_get") != Some(total) {
            failures.push(format!("user_get: expected {total}, {sdk} got {:?}", count(report, "user_get")));
        }
    }
    if report["oauth_groups"].as_u64() != stat(stats, "groups") {
        failures.push(format!(
            "oauth_groups: expected {:?}, {sdk} saw {}",
            stat(stats, "groups"),
            report["oauth_groups"]
        ));
    }

    // The collector client requires DPoP (no --no-dpop): the SDK must have got and used a DPoP token.
    if report["oauth_token_type"] != "DPoP" || report["oauth_is_dpop"] == false {
        failures.push(format!(
            "OAuth did not run with DPoP: token_type {}, DPoP scheme used {}",
            report["oauth_token_type"], report["oauth_is_dpop"]
        ));
    }

    // Everything else the simulator counts: compared whenever it reports the key.
    for (stat_key, count_key) in STAT_TO_COUNT {
        if let Some(s) = stat(stats, stat_key) {
            let c = count(report, count_key);
            if c != Some(s) {
                failures.push(format!("{stat_key}: simulator {s}, {sdk} saw {c:?} ({count_key})"));
            }
        }
    }

    // Paging really happened: the small page size forced several pages of users.
    let user_pages = report["pages"]["users"].as_u64().unwrap_or(0);
    if user_pages < 2 {
        failures.push(format!("users were read in {user_pages} page(s); expected several at page size 3"));
    }
    if !report["skipped"].as_array().is_some_and(|s| s.is_empty()) {
        failures.push(format!("endpoints skipped: {}", report["skipped"]));
    }
    assert!(failures.is_empty(), "{sdk} disagrees with the simulator:\n  {}", failures.join("\n  "));
}

/// `/__sim/stats` key -> the scripts' count key, compared when the simulator reports the key.
const STAT_TO_COUNT: &[(&str, &str)] = &[
    ("users_listed", "users"),
    ("group_memberships", "group_members"),
    ("group_owners", "group_owners"),
    ("app_users", "app_users"),
    ("app_group_assignments", "app_groups"),
    ("factors", "user_factors"),
    ("role_assignments_users", "user_roles_direct"),
    ("role_assignments_groups", "group_roles"),
    ("role_assignments_clients", "client_roles"),
    ("admin_users", "iam_assignees_users"),
    ("custom_roles", "custom_roles"),
    ("resource_sets", "resource_sets"),
    ("resource_set_resources", "resource_set_resources"),
    ("bindings", "resource_set_bindings"),
    ("custom_role_assignments", "binding_members"),
    ("api_tokens", "api_tokens"),
];

fn require_file(path: &Path, what: &str) {
    assert!(path.exists(), "{what} not found at {}: {INSTALL_HINT}", path.display());
}

#[test]
fn python_sdk_conforms() {
    let root = repo_root();
    let python = root.join("target/sdk-venv/bin/python");
    require_file(&python, "the Python SDK venv");
    let probe = Command::new(&python).args(["-c", "import okta.client"]).output();
    assert!(
        probe.as_ref().is_ok_and(|o| o.status.success()),
        "the okta package is not importable in {}: {INSTALL_HINT} ({probe:?})",
        python.display()
    );
    let sim = Sim::start();
    let report = run_script(&sim, &python, &root.join("tests/sdk/python/conformance.py"), "python");
    check_against_stats("okta-sdk-python", &report, &sim.stats());
}

#[test]
fn node_sdk_conforms() {
    let root = repo_root();
    require_file(&root.join("tests/sdk/node/node_modules/@okta/okta-sdk-nodejs/package.json"), "@okta/okta-sdk-nodejs");
    let node = std::env::var_os("NODE").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("node"));
    let probe = Command::new(&node).arg("--version").output();
    assert!(probe.as_ref().is_ok_and(|o| o.status.success()), "node is not runnable ({probe:?}): {INSTALL_HINT}");
    let sim = Sim::start();
    let report = run_script(&sim, &node, &root.join("tests/sdk/node/conformance.mjs"), "node");
    check_against_stats("@okta/okta-sdk-nodejs", &report, &sim.stats());
}
