//! A simulator on port 0 per test, and a small HTTP client for it.

use okta_sim::org::OrgParams;
use okta_sim::server::ratelimit::RateLimitSettings;
use okta_sim::{ActivityConfig, RunningSim, SimConfig};
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::time::Duration;

pub struct TestSim {
    pub running: RunningSim,
    pub http: reqwest::Client,
    pub url: String,
    pub token: String,
    _dir: tempfile::TempDir,
}

pub struct Options {
    pub users: usize,
    pub rate_limits: RateLimitSettings,
    pub governance: bool,
    pub history: Duration,
    pub events_per_minute: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            users: 300,
            rate_limits: RateLimitSettings { enabled: false, ..Default::default() },
            governance: true,
            history: Duration::from_secs(600),
            events_per_minute: 30.0,
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
            events_per_minute: Some(options.events_per_minute),
            history: options.history,
            live: false,
            attack_every: None,
        },
        dpop_required: true,
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

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The `rel="next"` URL among the `Link` headers.
    pub fn next_link(&self) -> Option<String> {
        self.headers.get_all("link").iter().find_map(|v| {
            let v = v.to_str().ok()?;
            if !v.contains("rel=\"next\"") {
                return None;
            }
            Some(v[v.find('<')? + 1..v.find('>')?].to_string())
        })
    }

    pub fn error_code(&self) -> String {
        self.json()["errorCode"].as_str().unwrap_or_default().to_string()
    }
}

impl TestSim {
    pub async fn get_with(&self, path_or_url: &str, authorization: Option<&str>) -> Reply {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.url)
        };
        let mut request = self.http.get(url);
        if let Some(a) = authorization {
            request = request.header("authorization", a);
        }
        let response = request.send().await.expect("request");
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap_or_default(),
        }
    }

    /// GET with the simulator's SSWS token.
    pub async fn get(&self, path_or_url: &str) -> Reply {
        self.get_with(path_or_url, Some(&format!("SSWS {}", self.token))).await
    }

    /// Follows `next` links from `path` and returns every item.
    pub async fn all_pages(&self, path: &str) -> (Vec<Value>, usize) {
        let mut items = Vec::new();
        let mut pages = 0;
        let mut next = Some(path.to_string());
        while let Some(url) = next {
            let reply = self.get(&url).await;
            assert_eq!(reply.status, 200, "{url}: {}", reply.text);
            items.extend(reply.json().as_array().expect("array").iter().cloned());
            pages += 1;
            next = reply.next_link();
            assert!(pages < 10_000, "paging does not end");
        }
        (items, pages)
    }

    pub async fn stats(&self) -> Value {
        self.http.get(format!("{}/__sim/stats", self.url)).send().await.unwrap().json().await.unwrap()
    }

    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self.http.request(method, format!("{}/__sim{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("control request");
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap_or_default(),
        }
    }
}
