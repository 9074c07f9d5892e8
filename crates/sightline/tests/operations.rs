//! Running `sightline serve` in production: Prometheus metrics on their own listener, JSON logs,
//! liveness and readiness, and HTTPS with certificate files.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::*;

/// A `sightline serve` process whose stderr is kept, killed on drop (a failing test leaves none).
struct Running {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
    /// `host:port` of `[server] listen`.
    address: String,
    /// `host:port` of `[server] metrics_listen`, when set.
    metrics: Option<String>,
}

impl Running {
    fn start(config: &Path, envs: &[(&str, &str)]) -> Running {
        let mut child = sightline()
            .args(["serve", "--config"])
            .arg(config)
            .envs(envs.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (found, addresses) = std::sync::mpsc::channel();
        let kept = lines.clone();
        let stderr = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                for (what, marker) in [("listen", "listening on "), ("metrics", "metrics on http://")] {
                    if let Some(rest) = line.split(marker).nth(1) {
                        let rest = rest.trim_start_matches("https://").trim_start_matches("http://");
                        let address = rest.split(['/', ' ', '"']).next().unwrap().to_string();
                        let _ = found.send((what, address));
                    }
                }
                kept.lock().unwrap().push(line);
            }
        });
        let mut running = Running { child, lines, reader: Some(reader), address: String::new(), metrics: None };
        let started = Instant::now();
        while running.address.is_empty() {
            match addresses.recv_timeout(Duration::from_secs(60)) {
                Ok(("listen", address)) => running.address = address,
                Ok((_, address)) => running.metrics = Some(address),
                Err(_) => panic!("serve did not say where it listens: {:#?}", running.lines()),
            }
            assert!(started.elapsed() < Duration::from_secs(60), "serve did not start: {:#?}", running.lines());
        }
        // The metrics line comes right after the listening line.
        if let Ok((_, address)) = addresses.recv_timeout(Duration::from_millis(500)) {
            running.metrics = Some(address);
        }
        running
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    fn get(&self, path: &str) -> (u16, String) {
        http_get(&self.address, path)
    }

    /// SIGTERM; the exit status and everything written to stderr.
    fn terminate(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let pid = self.child.id().to_string();
        assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                if let Some(reader) = self.reader.take() {
                    reader.join().unwrap();
                }
                return (status, self.lines());
            }
            assert!(started.elapsed() < Duration::from_secs(30), "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.0 GET: the status and the body.
fn http_get(address: &str, path: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let config = dir.join("sightline.toml");
    std::fs::write(&config, text).unwrap();
    config
}

/// One sample of a Prometheus text exposition.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses Prometheus' text format strictly enough to catch a broken exposition: `# HELP` and
/// `# TYPE` comments, and `name{label="value",...} number` lines.
fn parse_exposition(text: &str) -> Vec<Sample> {
    let valid_name = |name: &str| {
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(comment) = line.strip_prefix("# ") {
            let mut parts = comment.splitn(3, ' ');
            let (kind, name) = (parts.next().unwrap(), parts.next().unwrap_or(""));
            assert!(matches!(kind, "HELP" | "TYPE") && valid_name(name), "bad comment line: {line}");
            if kind == "TYPE" {
                let kind = parts.next().unwrap_or("");
                assert!(["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind), "{line}");
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
        let value = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse::<f64>().unwrap_or_else(|_| panic!("bad value: {line}")),
        };
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').unwrap_or_else(|| panic!("unclosed labels: {line}"));
                let mut labels = BTreeMap::new();
                let mut rest = body;
                while !rest.is_empty() {
                    let (key, after) = rest.split_once("=\"").unwrap_or_else(|| panic!("bad label: {line}"));
                    assert!(valid_name(key), "bad label name in {line}");
                    let mut value = String::new();
                    let mut chars = after.char_indices();
                    let end = loop {
                        match chars.next() {
                            Some((_, '\\')) => value.push(chars.next().unwrap().1),
                            Some((i, '"')) => break i,
                            Some((_, c)) => value.push(c),
                            None => panic!("unterminated label value: {line}"),
                        }
                    };
                    labels.insert(key.to_string(), value);
                    rest = after[end + 1..].trim_start_matches(',');
                }
                (name, labels)
            }
            None => (series, BTreeMap::new()),
        };
        assert!(valid_name(name), "bad metric name: {line}");
        samples.push(Sample { name: name.to_string(), labels, value });
    }
    samples
}

/// The value of the sample `name` whose labels include `labels`.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .filter(|s| s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v)))
        .map(|s| s.value)
        .reduce(f64::max)
}

#[test]
fn metrics_cover_scans_api_calls_events_and_log_lag_and_hold_no_secrets() {
    let sim = Simulator::with_log_history("30m", &["--seed", "41", "--users", "120", "--rate-limits", "off"]);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "data_dir = \"data\"\n[server]\nlisten = \"127.0.0.1:0\"\nmetrics_listen = \"127.0.0.1:0\"\n\n\
             [[okta]]\nname = \"sim\"\norg_url = \"{}\"\napi_token = \"{}\"\nsystem_log = true\n\
             log_poll_interval = \"1s\"\nscan_interval = \"1h\"\n",
            sim.url(),
            sim.token()
        ),
    );
    let service = Running::start(&config, &[]);
    let metrics = service.metrics.clone().expect("serve said where metrics are served");
    assert_ne!(metrics, service.address);

    let wanted = [
        ("sightline_scan_duration_seconds_count", vec![("integration", "sim")]),
        ("sightline_scan_kind_duration_seconds_count", vec![("integration", "sim"), ("kind", "group_members")]),
        (
            "sightline_okta_api_requests_total",
            vec![("integration", "sim"), ("bucket", "users"), ("status_class", "2xx")],
        ),
        (
            "sightline_okta_api_requests_total",
            vec![("integration", "sim"), ("bucket", "logs"), ("status_class", "2xx")],
        ),
        ("sightline_events_ingested_total", vec![("source", "okta")]),
        ("sightline_log_poll_duration_seconds_count", vec![("source", "okta"), ("integration", "sim")]),
        ("sightline_log_lag_seconds", vec![("source", "okta"), ("integration", "sim")]),
        ("sightline_detection_events_evaluated_total", vec![]),
    ];
    let mut body = String::new();
    wait_until("a scan, log polls and detections in /metrics", || {
        let (status, text) = http_get(&metrics, "/metrics");
        assert_eq!(status, 200, "{text}");
        body = text;
        let samples = parse_exposition(&body);
        wanted.iter().all(|(name, labels)| value(&samples, name, labels).is_some_and(|v| v > 0.0))
    });
    let samples = parse_exposition(&body);
    // A histogram's buckets end at +Inf and count what `_count` counts.
    let scans = value(&samples, "sightline_scan_duration_seconds_count", &[("integration", "sim")]).unwrap();
    let inf = value(&samples, "sightline_scan_duration_seconds_bucket", &[("integration", "sim"), ("le", "+Inf")]);
    assert_eq!(inf, Some(scans), "{body}");
    // The lag of a 30-minute history just read is below an hour.
    let lag = value(&samples, "sightline_log_lag_seconds", &[("integration", "sim")]).unwrap();
    assert!(lag < 3600.0, "lag {lag}");
    assert!(body.contains("# TYPE sightline_okta_api_requests_total counter"), "{body}");
    assert!(body.contains("# HELP sightline_log_lag_seconds "), "{body}");
    assert_eq!(value(&samples, "sightline_build_info", &[]), Some(1.0));

    // Nothing secret or personal: not the token, no user's login, no org URL with its query.
    assert!(!body.contains(sim.token()), "the API token is in /metrics");
    assert!(!body.contains('@'), "an email-shaped value is in /metrics:\n{body}");
    let ws = Workspace { dir, config: config.clone() };
    let logins = ws.query("SELECT name FROM nodes WHERE sub_kind = 'okta_user'");
    assert!(logins.len() >= 100);
    for login in &logins {
        let login = login["name"].as_str().unwrap();
        assert!(!body.contains(&format!("\"{login}\"")), "{login} is in /metrics");
    }
    for sample in &samples {
        for value in sample.labels.values() {
            assert!(value.len() < 40 && !value.contains("://"), "unexpected label value {value} in {}", sample.name);
        }
    }

    // Only the metrics listener serves metrics (the web listener answers unknown paths with the UI).
    let (_, page) = service.get("/metrics");
    assert!(!page.contains("sightline_"), "the web listener serves metrics");
    assert_eq!(http_get(&metrics, "/livez").0, 404);
    assert!(service.terminate().0.success());
}

#[test]
fn json_log_format_makes_every_stderr_line_a_json_object() {
    let sim = Simulator::with_log_history("10m", &["--seed", "43", "--users", "60", "--rate-limits", "off"]);
    let ws = Workspace::with_token(&sim);
    let text = std::fs::read_to_string(&ws.config).unwrap().replace("system_log = false", "system_log = true");
    std::fs::write(&ws.config, format!("{text}\n[server]\nlisten = \"127.0.0.1:0\"\n")).unwrap();

    let each_line_is_an_object = |what: &str, lines: &[String]| {
        assert!(!lines.is_empty(), "{what}: nothing logged");
        for line in lines {
            let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {line}"));
            assert!(value.is_object() && value["level"].is_string() && value["timestamp"].is_string(), "{line}");
        }
    };

    // The flag, on a one-shot command whose integration fails: the error is a JSON line too.
    let broken = ws.path().join("broken.toml");
    std::fs::write(&broken, std::fs::read_to_string(&ws.config).unwrap().replace(sim.token(), "00wrong")).unwrap();
    let output = sightline().args(["--log-format", "json", "sync", "--config"]).arg(&broken).output().unwrap();
    assert!(!output.status.success());
    let lines: Vec<String> = stderr(&output).lines().map(String::from).collect();
    each_line_is_an_object("sync --log-format json", &lines);
    assert!(lines.iter().any(|l| l.contains("\"ERROR\"") && l.contains("sync failed for sim")), "{lines:#?}");

    // The environment variable, on the service: start, scan, poll, stop.
    let service = Running::start(&ws.config, &[("SIGHTLINE_LOG_FORMAT", "json"), ("SIGHTLINE_LOG", "info")]);
    wait_until("the first scan", || service.lines().iter().any(|l| l.contains("nodes,") && l.contains("edges in")));
    wait_until("a log poll", || service.lines().iter().any(|l| l.contains("System Log caught up")));
    let (status, lines) = service.terminate();
    assert!(status.success());
    each_line_is_an_object("serve with SIGHTLINE_LOG_FORMAT=json", &lines);
    for expected in ["listening on http://", "System Log caught up", "sightline: stopped"] {
        assert!(lines.iter().any(|l| l.contains(expected)), "no {expected}: {lines:#?}");
    }
}

#[test]
fn livez_always_answers_and_readyz_follows_the_postgresql_store() {
    let database = store::testing::TempDatabase::create();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!("data_dir = \"data\"\ndatabase_url = \"{}\"\n[server]\nlisten = \"127.0.0.1:0\"\n", database.url),
    );
    let service = Running::start(&config, &[]);
    assert_eq!(service.get("/livez"), (200, "ok".to_string()));
    let (status, body) = service.get("/readyz");
    assert_eq!(status, 200, "{body}");
    let ready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((ready["status"].as_str(), ready["store"].as_str()), (Some("ready"), Some("postgresql")));

    // The database goes away under the running service (its connections are closed).
    drop(database);
    let started = Instant::now();
    let (status, body) = service.get("/readyz");
    assert!(started.elapsed() < Duration::from_secs(5), "readyz took {:?}", started.elapsed());
    assert_eq!(status, 503, "{body}");
    let unready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(unready["status"], "unavailable");
    assert!(unready["reason"].as_str().unwrap().contains("postgresql store"), "{body}");
    assert!(!body.contains("sightline_test_"), "the database's name stays in the log: {body}");
    // Alive all the same: a restart would not bring the database back.
    assert_eq!(service.get("/livez"), (200, "ok".to_string()));
}

#[test]
fn https_with_certificate_files_serves_tls_only_and_marks_cookies_secure() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let cert_pem = certified.cert.pem();
    std::fs::write(dir.path().join("cert.pem"), &cert_pem).unwrap();
    std::fs::write(dir.path().join("key.pem"), certified.signing_key.serialize_pem()).unwrap();

    // Half a TLS configuration is refused before anything starts.
    let half =
        write_config(dir.path(), "data_dir = \"data\"\n[server]\nlisten = \"127.0.0.1:0\"\ntls_cert = \"cert.pem\"\n");
    let output = sightline().args(["serve", "--config"]).arg(&half).output().unwrap();
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("server.tls_cert is set without server.tls_key"), "{message}");
    assert!(message.contains("sightline.toml"), "{message}");

    let config = write_config(
        dir.path(),
        "data_dir = \"data\"\n[server]\nlisten = \"127.0.0.1:0\"\ntls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\n",
    );
    let service = Running::start(&config, &[("SIGHTLINE_ADMIN_PASSWORD", "correct horse battery staple")]);
    assert!(service.lines().iter().any(|l| l.contains("listening on https://")), "{:#?}", service.lines());
    let base = format!("https://{}", service.address);

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap()])
            .build()
            .unwrap();
        let live = client.get(format!("{base}/livez")).send().await.unwrap();
        assert_eq!(live.status(), 200);
        let hsts = live.headers().get("strict-transport-security").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(hsts.as_deref(), Some(web::STRICT_TRANSPORT_SECURITY), "browsers are told to stay on HTTPS");
        assert_eq!(live.text().await.unwrap(), "ok");
        assert_eq!(client.get(format!("{base}/readyz")).send().await.unwrap().status(), 200);

        let login = client
            .post(format!("{base}/api/auth/login"))
            .json(&serde_json::json!({"username": "admin", "password": "correct horse battery staple"}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200);
        let cookie = login.headers().get("set-cookie").expect("a session cookie").to_str().unwrap().to_string();
        let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
        assert!(attributes.contains(&"Secure") && attributes.contains(&"HttpOnly"), "{cookie}");

        // A client that does not trust the certificate is refused by its own TLS stack.
        let untrusting = reqwest::Client::builder().build().unwrap();
        assert!(untrusting.get(format!("{base}/livez")).send().await.is_err());
        // Plain HTTP on the HTTPS port gets no HTTP answer.
        let plain = reqwest::Client::new().get(format!("http://{}/livez", service.address)).send().await;
        assert!(plain.is_err(), "plain HTTP was answered: {plain:?}");
    });
    let mut stream = std::net::TcpStream::connect(&service.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET /livez HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/"), "plain HTTP was answered: {}", String::from_utf8_lossy(&answer));
    assert!(service.terminate().0.success());
}
