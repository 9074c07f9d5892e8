//! A simulator on port 0 per test, clients for it, and a small scripted HTTP stub for the cases
//! the simulator does not produce (rate-limit headers on 429s, odd `Link` headers, secrets).

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use okta_client::{ClientConfig, Credentials, OktaClient};
use okta_sim::org::OrgParams;
use okta_sim::server::ratelimit::RateLimitSettings;
use okta_sim::{ActivityConfig, RunningSim, SimConfig};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct TestSim {
    pub running: RunningSim,
    pub url: String,
    pub token: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

pub struct Options {
    pub users: usize,
    pub rate_limits: RateLimitSettings,
    pub governance: bool,
    pub dpop_required: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            users: 300,
            rate_limits: RateLimitSettings { enabled: false, ..Default::default() },
            governance: true,
            dpop_required: true,
        }
    }
}

pub async fn sim() -> TestSim {
    sim_with(Options::default()).await
}

pub async fn sim_with(options: Options) -> TestSim {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut org = OrgParams::sized(options.users, 42, chrono::Utc::now());
    org.governance = options.governance;
    let config = SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        org,
        data_dir: dir.path().to_path_buf(),
        rate_limits: options.rate_limits,
        activity: ActivityConfig {
            events_per_minute: Some(10.0),
            history: Duration::from_secs(120),
            live: false,
            attack_every: None,
        },
        dpop_required: options.dpop_required,
    };
    let running = okta_sim::start(config).await.expect("simulator starts");
    TestSim {
        url: running.info.org_url.clone(),
        token: running.info.api_token.clone(),
        http: reqwest::Client::new(),
        running,
        _dir: dir,
    }
}

/// A service app made through the control API.
pub struct SimClient {
    pub client_id: String,
    pub key_id: String,
    pub private_key_pem: String,
}

impl TestSim {
    /// A configuration with the simulator's SSWS token.
    pub fn ssws_config(&self) -> ClientConfig {
        ClientConfig::new(&self.url, Credentials::ApiToken(self.token.clone().into()))
    }

    pub fn ssws(&self) -> OktaClient {
        OktaClient::new(self.ssws_config()).expect("client")
    }

    /// A configuration for the simulator's own service app (the one it prints).
    pub fn oauth_config(&self) -> ClientConfig {
        let info = &self.running.info;
        let pem = std::fs::read_to_string(&info.private_key_file).expect("private key file");
        ClientConfig::new(
            &self.url,
            Credentials::PrivateKey {
                client_id: info.client_id.clone(),
                private_key_pem: pem.into(),
                key_id: Some(info.key_id.clone()),
                scopes: info.scopes.clone(),
            },
        )
    }

    pub fn oauth_config_for(&self, app: &SimClient, scopes: &[&str]) -> ClientConfig {
        ClientConfig::new(
            &self.url,
            Credentials::PrivateKey {
                client_id: app.client_id.clone(),
                private_key_pem: app.private_key_pem.clone().into(),
                key_id: Some(app.key_id.clone()),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
            },
        )
    }

    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}/__sim{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("control request");
        assert!(response.status().is_success(), "control {path}: {}", response.status());
        let text = response.text().await.unwrap_or_default();
        if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("control JSON") }
    }

    pub async fn stats(&self) -> Value {
        self.control(reqwest::Method::GET, "/stats", None).await
    }

    pub async fn fault(&self, rule: Value) {
        self.control(reqwest::Method::POST, "/faults", Some(rule)).await;
    }

    pub async fn new_client(&self, scopes: &[&str], dpop_required: bool) -> SimClient {
        let reply = self
            .control(reqwest::Method::POST, "/clients", Some(json!({"scopes": scopes, "dpop_required": dpop_required})))
            .await;
        SimClient {
            client_id: reply["client_id"].as_str().unwrap().to_string(),
            key_id: reply["key_id"].as_str().unwrap().to_string(),
            private_key_pem: reply["private_key_pem"].as_str().unwrap().to_string(),
        }
    }

    /// A new SSWS token whose admin may not read the `denied` areas.
    pub async fn token_denied(&self, denied: &[&str]) -> String {
        let reply = self.control(reqwest::Method::POST, "/tokens", Some(json!({"denied": denied}))).await;
        reply["token"].as_str().unwrap().to_string()
    }
}

pub fn count(stats: &Value, name: &str) -> usize {
    stats[name].as_u64().unwrap_or_else(|| panic!("no count {name} in {stats}")) as usize
}

/// One request the stub received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query.
    pub uri: String,
    pub headers: HeaderMap,
    pub body: String,
    pub at: Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
}

type Responder = dyn Fn(&Recorded, usize) -> Response + Send + Sync;

/// A scripted HTTP server: every request is recorded and answered by `responder(request, n)`
/// (`n` counts from 0), after `delay`.
pub struct Stub {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    pub max_in_flight: Arc<AtomicUsize>,
    _server: tokio::task::JoinHandle<()>,
}

impl Stub {
    pub fn recorded(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

pub async fn stub<F>(delay: Duration, responder: F) -> Stub
where
    F: Fn(&Recorded, usize) -> Response + Send + Sync + 'static,
{
    let requests: Arc<Mutex<Vec<Recorded>>> = Arc::default();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let responder: Arc<Responder> = Arc::new(responder);
    let (log, now_in, max) = (requests.clone(), in_flight.clone(), max_in_flight.clone());
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let (log, now_in, max, responder) = (log.clone(), now_in.clone(), max.clone(), responder.clone());
        async move {
            let current = now_in.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(current, Ordering::SeqCst);
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let recorded = Recorded {
                method: parts.method.to_string(),
                uri: parts.uri.path_and_query().map(|p| p.to_string()).unwrap_or_default(),
                headers: parts.headers,
                body: String::from_utf8_lossy(&body).into_owned(),
                at: Instant::now(),
            };
            let n = {
                let mut log = log.lock().unwrap();
                log.push(recorded.clone());
                log.len() - 1
            };
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let response = responder(&recorded, n);
            now_in.fetch_sub(1, Ordering::SeqCst);
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Stub { url, requests, max_in_flight, _server: server }
}

/// A response with a status, headers and a body.
pub fn reply(status: u16, headers: &[(&str, String)], body: impl Into<String>) -> Response {
    let mut response = Response::new(Body::from(body.into()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    for (name, value) in headers {
        response
            .headers_mut()
            .append(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
    }
    response
}

/// A JSON response.
pub fn json_reply(status: u16, headers: &[(&str, String)], body: Value) -> Response {
    let mut all = vec![("content-type", "application/json".to_string())];
    all.extend(headers.iter().map(|(k, v)| (*k, v.clone())));
    reply(status, &all, body.to_string())
}

/// Okta's error body.
pub fn okta_error(status: u16, code: &str, summary: &str) -> Response {
    json_reply(
        status,
        &[("x-okta-request-id", format!("req-{code}"))],
        json!({"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oae1", "errorCauses": []}),
    )
}

/// An SSWS client for a stub.
pub fn stub_client(url: &str, configure: impl FnOnce(&mut ClientConfig)) -> OktaClient {
    let mut config = ClientConfig::new(url, Credentials::ApiToken("00stub-token".to_string().into()));
    configure(&mut config);
    OktaClient::new(config).expect("client")
}

/// An HTTP date `secs` seconds from now, and the epoch seconds of that instant.
pub fn http_date_now() -> (String, u64) {
    let now = std::time::SystemTime::now();
    let epoch = now.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    (httpdate::fmt_http_date(now), epoch)
}

/// Okta's error body with extra headers.
pub fn okta_error_with(status: u16, code: &str, headers: &[(&str, String)]) -> Response {
    json_reply(
        status,
        headers,
        json!({"errorCode": code, "errorSummary": "error", "errorLink": code, "errorId": "oae1", "errorCauses": []}),
    )
}

/// The claims of a JWT, unverified.
pub fn jwt_claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or(json!({}))
}

pub fn proof_has_nonce(proof: &str) -> bool {
    jwt_claims(proof).get("nonce").is_some()
}

/// A fresh RSA private key, PKCS#8 PEM.
pub fn test_rsa_pem() -> String {
    use aws_lc_rs::encoding::AsDer;
    use base64::Engine;
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(pair.as_der().unwrap().as_ref());
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", lines.join("\n"))
}
