//! Starting the real binary: a simulator process, a config file, `sync` and `query` runs.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn sightline() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sightline"))
}

/// A `sightline okta-sim` process, killed on drop.
pub struct Simulator {
    child: Child,
    pub info: Value,
    pub dir: tempfile::TempDir,
}

impl Simulator {
    /// A simulator without System Log history or live activity.
    pub fn start(extra: &[&str]) -> Simulator {
        Simulator::with_log_history("0s", extra)
    }

    /// A simulator whose System Log holds `history` of past events (and no live activity, so
    /// what it serves does not change).
    pub fn with_log_history(history: &str, extra: &[&str]) -> Simulator {
        Simulator::spawn(&[&["--history", history, "--no-live-activity"], extra].concat())
    }

    /// A simulator with `history` of past events and live activity going on.
    pub fn live(history: &str, extra: &[&str]) -> Simulator {
        Simulator::spawn(&[&["--history", history], extra].concat())
    }

    fn spawn(args: &[&str]) -> Simulator {
        let dir = tempfile::tempdir().unwrap();
        let mut child = sightline()
            .args(["okta-sim", "--listen", "127.0.0.1:0", "--json"])
            .args(args)
            .arg("--data-dir")
            .arg(dir.path().join("sim"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let info: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("simulator did not start ({e}): {line}"));
        Simulator { child, info, dir }
    }

    pub fn url(&self) -> &str {
        self.info["org_url"].as_str().unwrap()
    }

    pub fn token(&self) -> &str {
        self.info["api_token"].as_str().unwrap()
    }

    /// A request to the simulator over plain HTTP/1.0 (no client library needed).
    pub fn request(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        self.request_with(method, path, body, "")
    }

    /// An Okta API GET with the simulator's SSWS token, as JSON.
    pub fn api(&self, path: &str) -> Value {
        let auth = format!("Authorization: SSWS {}\r\n", self.token());
        let (status, body) = self.request_with("GET", path, None, &auth);
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    fn request_with(&self, method: &str, path: &str, body: Option<&str>, extra_headers: &str) -> (u16, String) {
        let host = self.url().trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(host).unwrap();
        let body = body.unwrap_or("");
        let request = format!(
            "{method} {path} HTTP/1.0\r\nHost: {host}\r\n{extra_headers}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }

    pub fn stats(&self) -> Value {
        serde_json::from_str(&self.request("GET", "/__sim/stats", None).1).unwrap()
    }

    pub fn fault(&self, rule: Value) {
        let (status, body) = self.request("POST", "/__sim/faults", Some(&rule.to_string()));
        assert_eq!(status, 200, "{body}");
    }

    pub fn clear_faults(&self) {
        self.request("DELETE", "/__sim/faults", None);
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A data directory and config file for one Sightline instance.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

impl Workspace {
    /// A config with one `[[okta]]` entry whose credential lines are `credentials`.
    pub fn new(org_url: &str, credentials: &str) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("sightline.toml");
        let text = format!(
            "data_dir = \"data\"\n\n[[okta]]\nname = \"sim\"\norg_url = \"{org_url}\"\n{credentials}\nsystem_log = false\n"
        );
        std::fs::write(&config, text).unwrap();
        Workspace { dir, config }
    }

    pub fn with_token(sim: &Simulator) -> Workspace {
        Workspace::new(sim.url(), &format!("api_token = \"{}\"", sim.token()))
    }

    /// Like [`Workspace::with_token`], storing into the PostgreSQL database at `url`.
    pub fn with_token_on_postgres(sim: &Simulator, url: &str) -> Workspace {
        let ws = Workspace::with_token(sim);
        let text = std::fs::read_to_string(&ws.config).unwrap();
        std::fs::write(&ws.config, format!("database_url = \"{url}\"\n{text}")).unwrap();
        ws
    }

    pub fn sync(&self) -> Output {
        sightline().arg("sync").arg("--config").arg(&self.config).output().unwrap()
    }

    /// Runs a query and returns its rows (`--format json`).
    pub fn query(&self, sql: &str) -> Vec<Value> {
        let output = sightline()
            .arg("query")
            .arg("--config")
            .arg(&self.config)
            .args(["--format", "json"])
            .arg(sql)
            .output()
            .unwrap();
        assert!(output.status.success(), "{sql}: {}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice::<Vec<Value>>(&output.stdout).unwrap()
    }

    pub fn count(&self, sql: &str) -> u64 {
        let rows = self.query(sql);
        rows[0].as_object().unwrap().values().next().unwrap().as_u64().unwrap_or_else(|| panic!("{sql}: {rows:?}"))
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

/// Every count in the store equals the simulator's ground truth.
pub fn assert_store_matches(ws: &Workspace, sim: &Simulator) {
    let stats = sim.stats();
    let nodes = |sub_kind: &str| ws.count(&format!("SELECT count(*) AS n FROM nodes WHERE sub_kind = '{sub_kind}'"));
    let edges = |kind: &str| ws.count(&format!("SELECT count(*) AS n FROM edges WHERE kind = '{kind}'"));
    let expect = |key: &str| stats[key].as_u64().unwrap();
    assert_eq!(nodes("okta_user"), expect("users_total"), "users, deprovisioned included");
    assert_eq!(
        ws.count("SELECT count(*) AS n FROM nodes WHERE sub_kind = 'okta_user' AND labels ->> 'okta/status' = 'DEPROVISIONED'"),
        expect("users_deprovisioned")
    );
    assert_eq!(nodes("okta_group"), expect("groups"));
    assert_eq!(nodes("okta_app"), expect("apps"));
    assert_eq!(nodes("okta_app_assignment"), expect("apps"), "one grant node per app");
    assert_eq!(nodes("okta_api_token"), expect("api_tokens"));
    assert_eq!(nodes("okta_custom_role"), expect("custom_roles"));
    assert_eq!(nodes("okta_resource_set"), expect("resource_sets"));
    assert_eq!(nodes("okta_role"), expect("role_assignments"), "one node per role assignment");
    assert_eq!(edges("member_of"), expect("group_memberships"));
    assert_eq!(edges("owns"), expect("group_owners"));
    assert_eq!(edges("contains") - ws.count("SELECT count(*) AS n FROM edges e JOIN nodes n ON n.id = e.from_id WHERE e.kind = 'contains' AND n.sub_kind = 'okta_app_catalog'"), expect("resource_set_resources"));
    assert_eq!(
        ws.count("SELECT count(*) AS n FROM edges WHERE kind = 'assigned' AND properties ->> 'scope' = 'GROUP'"),
        expect("app_group_assignments")
    );
    assert_eq!(
        ws.count("SELECT count(*) AS n FROM edges WHERE kind = 'has_role'"),
        expect("role_assignments"),
        "each assignment has exactly one holder"
    );
    assert_eq!(edges("acts_as"), expect("api_tokens"), "each token acts as its owner");

    // The brief's two nodes queries.
    let all = ws.count(r#"SELECT count(*) AS n FROM nodes WHERE labels @> '{"teleport.dev/origin": "okta"}'"#);
    assert_eq!(all, ws.count("SELECT count(*) AS n FROM nodes"));
    let org = format!(r#"SELECT count(*) AS n FROM nodes WHERE labels @> '{{"okta/org": "{}"}}'"#, sim.url());
    assert_eq!(ws.count(&org), all);
    let other = r#"SELECT count(*) AS n FROM nodes WHERE labels @> '{"okta/org": "https://elsewhere.okta.com"}'"#;
    assert_eq!(ws.count(other), 0);
}

/// A `sightline serve` process.
pub struct Service {
    pub child: Child,
    pub address: String,
}

impl Service {
    /// Starts `serve` with the workspace's config and waits for its address.
    pub fn start(ws: &Workspace) -> Service {
        let mut child = sightline()
            .args(["serve", "--config"])
            .arg(&ws.config)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let address = loop {
            let line = lines.next().expect("serve printed its address").unwrap();
            if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        // Keep draining stderr so the service never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Service { child, address }
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&self.address).unwrap();
        write!(stream, "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n", self.address).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn terminate(mut self) -> Duration {
        let started = Instant::now();
        let status = std::process::Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "serve exited with {status}");
                return started.elapsed();
            }
            assert!(started.elapsed() < Duration::from_secs(30), "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

pub fn wait_until(what: &str, done: impl FnMut() -> bool) {
    wait_up_to(Duration::from_secs(60), what, done)
}

/// Like [`wait_until`], for work that takes longer on a loaded machine (a suite running beside it).
pub fn wait_up_to(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out after {limit:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

impl Service {
    /// Kills the service with SIGKILL (no clean stop) and waits for it to be gone.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP receiver on loopback that records every request body with its `Idempotency-Key`
/// header, answering each with the next status of `statuses` (then 200).
pub struct Receiver {
    pub url: String,
    pub received: std::sync::Arc<std::sync::Mutex<Vec<(String, Value)>>>,
}

impl Receiver {
    pub fn start(statuses: Vec<u16>) -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = received.clone();
        std::thread::spawn(move || {
            let mut statuses = statuses.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (mut length, mut key) = (0usize, String::new());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    if lower.starts_with("idempotency-key:") {
                        key = line.split_once(':').unwrap().1.trim().to_string();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let status = statuses.next().unwrap_or(200);
                if status == 200 {
                    sink.lock().unwrap().push((key, serde_json::from_slice(&body).unwrap_or(Value::Null)));
                }
                let _ = write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
        });
        Receiver { url, received }
    }

    pub fn received(&self) -> Vec<(String, Value)> {
        self.received.lock().unwrap().clone()
    }
}

/// One HTTP/1.0 exchange on loopback: status, headers and body.
pub fn http(address: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let mut request = format!("{method} {path} HTTP/1.0\r\nHost: {address}\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_string(), body.to_string())
}
