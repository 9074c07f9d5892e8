//! The API's guard, proven over every route it has: sign-in, roles, CSRF, security headers, the
//! private tables, and the integration wizard against a real simulated Okta org. Each test runs on
//! the embedded store and on PostgreSQL.

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;
use web::api::{API_ROUTES, Access};
use web::auth::Role;

/// Records the integrations the API asks to start.
#[derive(Default)]
struct RecordingHost {
    started: Mutex<Vec<web::NewIntegration>>,
}

impl web::IntegrationHost for RecordingHost {
    fn schedules(&self) -> Vec<web::Schedule> {
        Vec::new()
    }
    fn start(&self, integration: web::NewIntegration) -> Result<(), String> {
        self.started.lock().unwrap().push(integration);
        Ok(())
    }
}

struct App {
    router: axum::Router,
    store: store::Store,
    vault: web::vault::Vault,
    host: Arc<RecordingHost>,
    _dir: tempfile::TempDir,
    _pg: Option<store::testing::TempDatabase>,
}

const PASSWORD: &str = "a long enough password";

async fn app(postgres: bool) -> App {
    let dir = tempfile::tempdir().unwrap();
    let (store, pg) = if postgres {
        let db = store::testing::TempDatabase::create();
        (store::Store::open_postgres(&db.url).await.unwrap(), Some(db))
    } else {
        (store::Store::open_sqlite(&dir.path().join("sightline.db")).unwrap(), None)
    };
    for role in ["viewer", "analyst", "admin"] {
        let account = store::Account {
            username: role.into(),
            password_hash: web::auth::hash_password(PASSWORD).unwrap(),
            role: role.into(),
            created_at: chrono::Utc::now(),
        };
        assert!(store.create_account(&account).await.unwrap());
    }
    let vault = web::vault::Vault::open(dir.path()).unwrap();
    let host = Arc::new(RecordingHost::default());
    let settings = web::WebSettings {
        secure_cookies: false,
        query_limits: store::QueryLimits::default(),
        webhooks: Vec::new(),
        rules: Vec::new(),
    };
    let state = web::AppState::new(store.clone(), vault.clone(), host.clone(), settings);
    let router = web::router(state).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    App { router, store, vault, host, _dir: dir, _pg: pg }
}

/// A signed-in session: its cookie and CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

impl App {
    async fn call(&self, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, headers, body)
    }

    async fn login(&self, username: &str, password: &str) -> (StatusCode, Option<Session>, Value) {
        let request = Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"username": username, "password": password}).to_string()))
            .unwrap();
        let (status, headers, body) = self.call(request).await;
        let session = headers.get(header::SET_COOKIE).map(|c| Session {
            cookie: c.to_str().unwrap().split(';').next().unwrap().to_string(),
            csrf: body["csrf_token"].as_str().unwrap_or_default().to_string(),
        });
        (status, session, body)
    }

    async fn session(&self, username: &str) -> Session {
        let (status, session, body) = self.login(username, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        session.unwrap()
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        session: Option<&Session>,
        csrf: bool,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(session) = session {
            request = request.header(header::COOKIE, &session.cookie);
            if csrf {
                request = request.header("x-csrf-token", &session.csrf);
            }
        }
        let body = if method == "GET" { Body::empty() } else { Body::from(body.to_string()) };
        let (status, _, body) = self.call(request.body(body).unwrap()).await;
        (status, body)
    }
}

/// A concrete path for a route pattern.
fn concrete(path: &str) -> String {
    path.replace("{id}", "1").replace("{seq}", "1").replace("{name}", "x").replace("{person}", "x")
}

macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread")]
            async fn sqlite() {
                ($body)(app(false).await).await
            }
            #[tokio::test(flavor = "multi_thread")]
            async fn postgres() {
                ($body)(app(true).await).await
            }
        }
    };
}

both!(every_route_refuses_callers_without_its_role, |app: App| async move {
    let viewer = app.session("viewer").await;
    let analyst = app.session("analyst").await;
    let admin = app.session("admin").await;
    assert!(API_ROUTES.len() >= 25, "the route list is the router's: {}", API_ROUTES.len());
    for route in API_ROUTES.iter() {
        let path = concrete(route.path);
        let what = format!("{} {}", route.method, route.path);
        let Access::Signed(role) = route.access else {
            assert!(route.path == "/healthz" || route.path == "/api/auth/login", "{what} is public");
            continue;
        };
        let (status, body) = app.send(route.method, &path, None, false, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what} without a session: {body}");
        let forged = Session { cookie: "sightline_session=forged".into(), csrf: "x".into() };
        let (status, _) = app.send(route.method, &path, Some(&forged), true, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what} with a forged cookie");
        let below: &[&Session] = match role {
            Role::Viewer => &[],
            Role::Analyst => &[&viewer],
            Role::Admin => &[&viewer, &analyst],
        };
        for session in below {
            let (status, body) = app.send(route.method, &path, Some(session), true, json!({})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{what} below its role: {body}");
        }
        if route.method != "GET" {
            let (status, body) = app.send(route.method, &path, Some(&admin), false, json!({})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{what} without the CSRF token: {body}");
            assert!(body["message"].as_str().unwrap().contains("CSRF"), "{body}");
        }
        if route.path == "/api/auth/logout" {
            continue; // checked last: it ends the session
        }
        // With the role (and the token), the guard lets it through: whatever the handler answers,
        // it is not the guard's refusal.
        let (status, body) = app.send(route.method, &path, Some(&admin), true, json!({})).await;
        assert!(
            status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
            "{what} as admin: {status} {body}"
        );
        // ... and its reads run on this backend (on an empty store): no internal error.
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{what} as admin: {body}");
    }
    // Signing out ends the session.
    let (status, _) = app.send("POST", "/api/auth/logout", Some(&viewer), true, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.send("GET", "/api/auth/me", Some(&viewer), false, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});

both!(sign_in_is_throttled_after_five_failures, |app: App| async move {
    let (status, session, body) = app.login("analyst", "wrong password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(session.is_none());
    assert_eq!(body["message"], "wrong username or password");
    let (status, _, unknown) = app.login("nobody", "wrong password").await;
    assert_eq!(
        (status, &unknown["message"]),
        (StatusCode::UNAUTHORIZED, &body["message"]),
        "unknown users look the same"
    );
    for _ in 0..4 {
        app.login("analyst", "wrong password").await;
    }
    let (status, _, body) = app.login("analyst", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["message"].as_str().unwrap().contains("try again"), "{body}");
});

both!(user_sql_cannot_read_accounts_or_settings_and_errors_carry_the_position, |app: App| async move {
    let viewer = app.session("viewer").await;
    app.store.put_setting("integrations", "x", "{}").await.unwrap();
    for table in ["accounts", "settings", "schema_migrations"] {
        let (status, body) =
            app.send("POST", "/api/query", Some(&viewer), true, json!({"sql": format!("SELECT * FROM {table}")})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{table}: {body}");
        assert_eq!(body["error"], "sql", "{body}");
    }
    let (status, body) =
        app.send("POST", "/api/query", Some(&viewer), true, json!({"sql": "SELECT nme FROM nodes"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["position"]["column"].as_u64().is_some() || body["message"].as_str().unwrap().contains("nme"),
        "{body}"
    );
    let (status, body) = app.send("POST", "/api/query", Some(&viewer), true, json!({"sql": "SELECT 1 AS one"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rows"], json!([[1]]));
});

both!(responses_carry_the_security_headers_and_the_ui_is_embedded, |app: App| async move {
    for path in ["/", "/api/auth/me", "/healthz"] {
        let (_, headers, _) = app.call(Request::get(path).body(Body::empty()).unwrap()).await;
        let csp = headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        assert_eq!(headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
        assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "no CORS");
    }
    let (status, headers, body) = app.call(Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("text/html"));
    assert!(body.as_str().unwrap().contains("<script"), "index.html is served");
    let (status, _, body) = app.call(Request::get("/api/nope").body(Body::empty()).unwrap()).await;
    assert_eq!((status, &body["error"]), (StatusCode::NOT_FOUND, &json!("not_found")));
});

both!(the_wizard_checks_credentials_against_okta_and_seals_what_it_keeps, |app: App| async move {
    let sim_dir = tempfile::tempdir().unwrap();
    let sim = okta_sim::start(okta_sim::SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        org: okta_sim::org::OrgParams::sized(30, 3, chrono::Utc::now()),
        data_dir: sim_dir.path().to_path_buf(),
        rate_limits: okta_sim::server::ratelimit::RateLimitSettings { enabled: false, ..Default::default() },
        activity: okta_sim::ActivityConfig { history: std::time::Duration::ZERO, live: false, ..Default::default() },
        dpop_required: true,
    })
    .await
    .unwrap();
    let admin = app.session("admin").await;
    let org_url = sim.info.org_url.clone();

    let bad = json!({"org_url": org_url, "auth": {"method": "ssws", "token": "bogus"}});
    let (status, body) = app.send("POST", "/api/integrations/validate", Some(&admin), true, bad).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ok"], false);
    let reason = body["reason"].as_str().unwrap();
    assert!(reason.contains("refused the credentials") && reason.contains("401"), "{reason}");
    assert!(!body.to_string().contains("bogus"), "the token is not echoed: {body}");

    let unreachable = json!({"org_url": "http://127.0.0.1:9", "auth": {"method": "ssws", "token": "x"}});
    let (_, body) = app.send("POST", "/api/integrations/validate", Some(&admin), true, unreachable).await;
    assert!(body["reason"].as_str().unwrap().contains("cannot reach"), "{body}");

    let good = json!({"org_url": org_url, "auth": {"method": "ssws", "token": sim.info.api_token}});
    let (_, body) = app.send("POST", "/api/integrations/validate", Some(&admin), true, good).await;
    assert_eq!(body["ok"], true, "{body}");

    // OAuth: the key pair is made here; until the public key is registered, Okta refuses the app.
    let (status, key) = app.send("POST", "/api/integrations/keys", Some(&admin), true, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{key}");
    assert_eq!(key["public_jwk"]["kty"], "RSA");
    assert!(key["public_jwk"].get("d").is_none(), "only the public half is shown");
    let oauth = json!({"org_url": org_url, "auth": {"method": "oauth", "client_id": sim.info.client_id, "key_id": key["key_id"]}});
    let (_, body) = app.send("POST", "/api/integrations/validate", Some(&admin), true, oauth).await;
    assert_eq!(body["ok"], false, "{body}");
    assert!(body["reason"].as_str().unwrap().contains("authorization server refused"), "{body}");

    let create = json!({"name": "acme", "org_url": org_url, "auth": {"method": "ssws", "token": sim.info.api_token},
        "scan_interval": "15m", "log_poll_interval": "30s"});
    let (status, body) = app.send("POST", "/api/integrations", Some(&admin), true, create.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(!body.to_string().contains(&sim.info.api_token), "{body}");
    let started = app.host.started.lock().unwrap().clone();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].scan_interval, std::time::Duration::from_secs(900));
    let stored = app.store.setting("integrations", "acme").await.unwrap().unwrap();
    assert!(!stored.contains(&sim.info.api_token), "the token is stored sealed: {stored}");
    let saved = web::api::saved_integrations(&app.store, &app.vault).await.unwrap();
    match &saved[0].credentials {
        web::OktaCredentials::ApiToken(token) => {
            assert_eq!(secrecy::ExposeSecret::expose_secret(token), sim.info.api_token)
        }
        other => panic!("{other:?}"),
    }
    let bad_create = json!({"name": "bad name!", "org_url": org_url, "auth": {"method": "ssws", "token": "x"}});
    let (status, body) = app.send("POST", "/api/integrations", Some(&admin), true, bad_create).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    sim.stop().await.unwrap();
});
