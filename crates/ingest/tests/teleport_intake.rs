//! The Teleport intake served on loopback, posted to as a Fluentd forwarder would.

use ingest::people::People;
use ingest::teleport_intake::{self, MAX_BODY_BYTES};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::io::Write;
use store::{QueryLimits, Store};

const TOKEN: &str = "intake-secret-5f1c9a";
const FIXTURE: &str = include_str!("../../activity/tests/fixtures/teleport-audit/panther-rule-tests.ndjson");

struct Setup {
    url: String,
    store: Store,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("sightline.db")).unwrap();
    let app = teleport_intake::router(store.clone(), People::default(), SecretString::from(TOKEN.to_string()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{}", listener.local_addr().unwrap(), teleport_intake::PATH);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Setup { url, store, http: reqwest::Client::new(), _dir: dir }
}

impl Setup {
    async fn post(
        &self,
        token: Option<&str>,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.post(&self.url).header("content-type", content_type).body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }
    async fn count(&self, sql: &str) -> i64 {
        self.store.query(sql, QueryLimits::default()).await.unwrap().rows[0][0].as_i64().unwrap()
    }
    async fn events(&self) -> i64 {
        self.count("SELECT count(*) FROM events WHERE source = 'teleport'").await
    }
}

fn counts(received: u64, stored: u64, duplicates: u64, rejected: u64) -> Value {
    json!({"received": received, "stored": stored, "duplicates": duplicates, "rejected": rejected})
}

/// The fixture's ten events: the `role.created` one has an impossible time (`23:00:000`), and four
/// of the others share the placeholder uid `88888888-…-222222222222`, so six are stored.
#[tokio::test]
async fn json_lines_are_stored_once_and_a_repost_doubles_nothing() {
    let s = setup().await;
    let (status, body) = s.post(Some(TOKEN), "application/x-ndjson", FIXTURE).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, counts(10, 6, 3, 1));
    assert_eq!(s.events().await, 6);
    assert_eq!(s.count("SELECT count(*) FROM rejected_events WHERE stream = 'intake:teleport'").await, 1);

    let (status, body) = s.post(Some(TOKEN), "application/x-ndjson", FIXTURE).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, counts(10, 0, 9, 1));
    assert_eq!(s.events().await, 6);
    assert_eq!(s.count("SELECT count(DISTINCT uuid) FROM events").await, 6);
}

#[tokio::test]
async fn arrays_single_objects_and_gzip_are_accepted() {
    let s = setup().await;
    let event = |uid: &str| {
        json!({"event": "user.login", "code": "T1000I", "uid": uid, "time": "2024-03-01T12:00:00Z",
               "user": "ada@example.com", "success": true, "cluster_name": "teleport.example.com"})
    };
    let (status, body) = s.post(Some(TOKEN), "application/json", json!([event("a"), event("b")]).to_string()).await;
    assert_eq!((status, body), (StatusCode::OK, counts(2, 2, 0, 0)));
    let (status, body) = s
        .post(Some(TOKEN), "application/json; charset=utf-8", serde_json::to_string_pretty(&event("c")).unwrap())
        .await;
    assert_eq!((status, body), (StatusCode::OK, counts(1, 1, 0, 0)));

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(format!("{}\n{}\n", event("c"), event("d")).as_bytes()).unwrap();
    let response = s
        .http
        .post(&s.url)
        .bearer_auth(TOKEN)
        .header("content-type", "application/x-ndjson")
        .header("content-encoding", "gzip")
        .body(gz.finish().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap(), counts(2, 1, 1, 0));
    assert_eq!(s.events().await, 4);
}

#[tokio::test]
async fn a_malformed_line_is_rejected_and_kept_while_the_rest_is_stored() {
    let s = setup().await;
    let good = FIXTURE.lines().next().unwrap();
    let body = format!("{good}\n{{\"event\": \"user.login\", truncated\n");
    let (status, answer) = s.post(Some(TOKEN), "application/x-ndjson", body).await;
    assert_eq!((status, answer), (StatusCode::OK, counts(2, 1, 0, 1)));
    let rejected =
        s.store.query("SELECT source, stream, reason, raw FROM rejected_events", QueryLimits::default()).await.unwrap();
    assert_eq!(rejected.rows.len(), 1);
    let row = &rejected.rows[0];
    assert_eq!((row[0].as_str(), row[1].as_str()), (Some("teleport"), Some("intake:teleport")));
    assert!(row[2].as_str().unwrap().starts_with("line 2: not JSON"), "{row:?}");
    assert_eq!(row[3].as_str(), Some("{\"event\": \"user.login\", truncated"));
}

#[tokio::test]
async fn requests_without_the_token_are_refused_before_anything_is_stored() {
    let s = setup().await;
    for token in [None, Some("wrong"), Some("")] {
        let (status, body) = s.post(token, "application/x-ndjson", FIXTURE).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body["error"].as_str().unwrap().contains("Bearer"), "{body}");
    }
    let response = s.http.post(&s.url).basic_auth("x", Some(TOKEN)).body(FIXTURE).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer realm=\"sightline\"");
    assert_eq!(s.events().await, 0);
    assert_eq!(s.count("SELECT count(*) FROM rejected_events").await, 0);
}

#[tokio::test]
async fn an_empty_token_refuses_everyone() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("sightline.db")).unwrap();
    let app = teleport_intake::router(store, People::default(), SecretString::from(String::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{}", listener.local_addr().unwrap(), teleport_intake::PATH);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let response =
        reqwest::Client::new().post(&url).header("authorization", "Bearer ").body("{}").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn oversize_bodies_and_other_content_types_are_refused() {
    let s = setup().await;
    let line = format!("{}\n", FIXTURE.lines().next().unwrap());
    let big = line.repeat(MAX_BODY_BYTES / line.len() + 1);
    assert!(big.len() > MAX_BODY_BYTES);
    let (status, body) = s.post(Some(TOKEN), "application/x-ndjson", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["error"].as_str().unwrap().contains("10 MiB"), "{body}");

    let (status, body) = s.post(Some(TOKEN), "text/html", FIXTURE).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_eq!(s.events().await, 0);
}
