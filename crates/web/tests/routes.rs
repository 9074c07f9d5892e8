//! The API's guard, proven over every route it has: sign-in, roles, CSRF, security headers, the
//! private tables, and the integration wizard against a real simulated Okta org. Each test runs on
//! the embedded store and on PostgreSQL.

#[macro_use]
mod common;

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
    let (store, pg) = common::store(postgres, dir.path()).await;
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
        oidc: None,
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

impl App {
    /// Sends with an `Authorization: Bearer` token (no cookie, no CSRF token).
    async fn send_with_token(&self, method: &str, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = if method == "GET" { Body::empty() } else { Body::from(body.to_string()) };
        let (status, _, body) = self.call(request.body(body).unwrap()).await;
        (status, body)
    }

    /// A new API token made by `session`'s account through the API.
    async fn token(&self, session: &Session, role: &str) -> (String, String) {
        let (status, body) = self
            .send("POST", "/api/tokens", Some(session), true, json!({"name": format!("{role} script"), "role": role}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (body["token"].as_str().unwrap().to_string(), body["id"].as_str().unwrap().to_string())
    }

    /// The audit log's entries matching `query` (a query string), once `expect` of them are written
    /// (entries are written in the background, within milliseconds).
    async fn audit(&self, session: &Session, query: &str, expect: usize) -> Vec<Value> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (status, body) =
                self.send("GET", &format!("/api/audit?{query}"), Some(session), false, json!({})).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let entries = body["entries"].as_array().unwrap().clone();
            if entries.len() >= expect || std::time::Instant::now() > deadline {
                return entries;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

/// A concrete path for a route pattern.
fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{seq}", "1")
        .replace("{name}", "x")
        .replace("{person}", "x")
        .replace("{username}", "x")
}

both!(every_route_refuses_callers_without_its_role, |app: App| async move {
    let viewer = app.session("viewer").await;
    let analyst = app.session("analyst").await;
    let admin = app.session("admin").await;
    let (viewer_token, _) = app.token(&admin, "viewer").await;
    let (analyst_token, _) = app.token(&admin, "analyst").await;
    let (admin_token, _) = app.token(&admin, "admin").await;
    assert!(API_ROUTES.len() >= 25, "the route list is the router's: {}", API_ROUTES.len());
    for route in API_ROUTES.iter() {
        let path = concrete(route.path);
        let what = format!("{} {}", route.method, route.path);
        let Access::Signed(role) = route.access else {
            let public =
                ["/healthz", "/api/auth/login", "/api/auth/methods", "/api/auth/oidc/start", "/api/auth/oidc/callback"];
            assert!(public.contains(&route.path), "{what} is public");
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
        let below: &[&str] = match role {
            Role::Viewer => &[],
            Role::Analyst => &[&viewer_token],
            Role::Admin => &[&viewer_token, &analyst_token],
        };
        for token in below {
            let (status, body) = app.send_with_token(route.method, &path, token, json!({})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{what} with a token below its role: {body}");
        }
        let last = if admin_token.ends_with('A') { "B" } else { "A" };
        let forged_token = format!("{}{last}", &admin_token[..admin_token.len() - 1]);
        for token in [forged_token.as_str(), "slt_000000000000_x", "not-a-token"] {
            let (status, body) = app.send_with_token(route.method, &path, token, json!({})).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{what} with a bad token {token}: {body}");
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
        // An admin token passes the same guard, without a CSRF token (browsers never send one).
        if route.path != "/api/auth/password" {
            let (status, body) = app.send_with_token(route.method, &path, &admin_token, json!({})).await;
            assert!(
                status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                "{what} with an admin token: {status} {body}"
            );
        }
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
    for table in ["accounts", "settings", "schema_migrations", "audit_log", "api_tokens"] {
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
    let (_sim_dir, sim) = common::quiet_simulator(30, 3).await;
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

both!(api_tokens_work_for_automation_until_revoked_and_follow_their_creator, |app: App| async move {
    let admin = app.session("admin").await;
    let (token, id) = app.token(&admin, "analyst").await;
    assert!(token.starts_with("slt_") && token.len() > 50, "{token}");
    let (status, list) = app.send("GET", "/api/tokens", Some(&admin), false, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list[0]["id"], id.as_str(), "{list}");
    assert!(
        !list.to_string().contains(&token) && list[0].get("token_hash").is_none(),
        "the secret is shown once: {list}"
    );

    let (status, me) = app.send_with_token("GET", "/api/auth/me", &token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!((me["username"].as_str(), me["role"].as_str()), (Some("admin"), Some("analyst")), "{me}");
    assert_eq!(me["via"], format!("token:{id}"));
    let (status, body) = app.send_with_token("POST", "/api/query", &token, json!({"sql": "SELECT 1 AS one"})).await;
    assert_eq!(status, StatusCode::OK, "no CSRF token needed: {body}");
    let (status, _) = app.send_with_token("GET", "/api/tokens", &token, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the token's role, not its creator's");
    let change = json!({"current_password": PASSWORD, "new_password": "another long password"});
    let (status, body) = app.send_with_token("POST", "/api/auth/password", &token, change).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // A token acts as its creator: lowering the creator lowers it; deleting the creator ends it.
    let (status, body) = app
        .send(
            "POST",
            "/api/accounts",
            Some(&admin),
            true,
            json!({"username": "carol", "password": PASSWORD, "role": "admin"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let carol = app.session("carol").await;
    let (carols, _) = app.token(&carol, "admin").await;
    let (status, _) = app.send_with_token("GET", "/api/tokens", &carols, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.send("POST", "/api/accounts/carol", Some(&admin), true, json!({"role": "viewer"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.send_with_token("GET", "/api/tokens", &carols, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "demoting carol demotes her token");
    let (status, _) = app.send("GET", "/api/auth/me", Some(&carol), false, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a role change ends carol's sessions");
    let (status, _) = app.send("DELETE", "/api/accounts/carol", Some(&admin), true, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.send_with_token("GET", "/api/summary", &carols, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["message"].as_str().unwrap().contains("no longer exists"), "{body}");

    let (status, _) = app.send("DELETE", &format!("/api/tokens/{id}"), Some(&admin), true, json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.send_with_token("GET", "/api/auth/me", &token, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["message"].as_str().unwrap().contains("revoked"), "{body}");
    let (status, _) = app.send("DELETE", &format!("/api/tokens/{id}"), Some(&admin), true, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "revoking twice");

    let stored = app.store.api_token(&id).await.unwrap().unwrap();
    assert!(!stored.token_hash.contains(&token) && stored.token_hash.len() == 64, "stored hashed");
    let (status, body) = app
        .send("POST", "/api/tokens", Some(&admin), true, json!({"name": "x", "role": "admin", "expires_in_days": 9999}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
});

both!(accounts_are_managed_by_admins_and_one_admin_always_remains, |app: App| async move {
    let admin = app.session("admin").await;
    let create =
        |username: &str, password: &str, role: &str| json!({"username": username, "password": password, "role": role});
    let (status, body) = app.send("POST", "/api/accounts", Some(&admin), true, create("dave", "short", "viewer")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("12 characters"), "{body}");
    let (status, body) = app.send("POST", "/api/accounts", Some(&admin), true, create("dave", PASSWORD, "root")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) =
        app.send("POST", "/api/accounts", Some(&admin), true, create("<b>x", PASSWORD, "viewer")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = app.send("POST", "/api/accounts", Some(&admin), true, create("dave", PASSWORD, "viewer")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app.send("POST", "/api/accounts", Some(&admin), true, create("dave", PASSWORD, "viewer")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, list) = app.send("GET", "/api/accounts", Some(&admin), false, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.as_array().unwrap().iter().any(|a| a["username"] == "dave" && a["role"] == "viewer"), "{list}");
    assert!(!list.to_string().contains("argon2"), "no hashes: {list}");

    // The only admin can be neither demoted nor deleted.
    let (status, body) = app.send("POST", "/api/accounts/admin", Some(&admin), true, json!({"role": "viewer"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = app.send("DELETE", "/api/accounts/admin", Some(&admin), true, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Changing one's own password needs the current one; other sessions end, a new one starts.
    let dave = app.session("dave").await;
    let dave_elsewhere = app.session("dave").await;
    let change = json!({"current_password": "not it at all", "new_password": "another long password"});
    let (status, _) = app.send("POST", "/api/auth/password", Some(&dave), true, change).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let change = json!({"current_password": PASSWORD, "new_password": "another long password"});
    let (status, _) = app.send("POST", "/api/auth/password", Some(&dave), true, change).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.send("GET", "/api/auth/me", Some(&dave_elsewhere), false, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("dave", PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("dave", "another long password").await.0, StatusCode::OK);

    // An admin resets a password.
    let (status, _) =
        app.send("POST", "/api/accounts/dave", Some(&admin), true, json!({"password": "reset by the admin"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.login("dave", "reset by the admin").await.0, StatusCode::OK);
});

both!(the_audit_log_records_who_did_what_from_where_and_how_long, |app: App| async move {
    assert_eq!(app.login("admin", "wrong password").await.0, StatusCode::UNAUTHORIZED);
    let admin = app.session("admin").await;
    let viewer = app.session("viewer").await;
    let (status, _) =
        app.send("POST", "/api/query", Some(&viewer), true, json!({"sql": "SELECT count(*) FROM nodes"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.send("POST", "/api/query", Some(&viewer), true, json!({"sql": "DELETE FROM nodes"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app.send("GET", "/api/accounts", Some(&viewer), false, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (token, id) = app.token(&admin, "viewer").await;
    let (status, _) = app.send_with_token("POST", "/api/query", &token, json!({"sql": "SELECT 2"})).await;
    assert_eq!(status, StatusCode::OK);

    let sign_ins = app.audit(&admin, "action=sign_in", 3).await;
    assert_eq!(sign_ins.len(), 3, "{sign_ins:?}");
    let failed = sign_ins.iter().find(|e| e["outcome"] == "failure").expect("the failed sign-in");
    assert_eq!((failed["actor"].as_str(), failed["client_ip"].as_str()), (Some("admin"), Some("127.0.0.1")));
    assert!(!failed.to_string().contains("wrong password"), "passwords are never recorded: {failed}");

    let queries = app.audit(&admin, "action=query", 3).await;
    assert_eq!(queries.len(), 3, "{queries:?}");
    let by_token = &queries[0];
    assert_eq!(
        (by_token["actor"].as_str(), by_token["via"].as_str()),
        (Some("admin"), Some(format!("token:{id}").as_str()))
    );
    let refused = queries.iter().find(|e| e["detail"]["sql"] == "DELETE FROM nodes").unwrap();
    assert_eq!(refused["outcome"], "failure");
    assert!(refused["detail"]["error"].as_str().is_some(), "{refused}");
    let counted = queries.iter().find(|e| e["detail"]["sql"] == "SELECT count(*) FROM nodes").unwrap();
    assert_eq!((counted["actor"].as_str(), counted["detail"]["rows"].as_u64()), (Some("viewer"), Some(1)));
    assert!(counted["duration_ms"].as_i64().is_some(), "{counted}");

    let denied = app.audit(&admin, "outcome=denied&actor=viewer", 1).await;
    assert_eq!(denied[0]["action"], "access.denied");
    assert_eq!(denied[0]["detail"]["path"], "/api/accounts");

    let tokens = app.audit(&admin, "action=token.", 1).await;
    assert_eq!((tokens[0]["action"].as_str(), tokens[0]["target"].as_str()), (Some("token.create"), Some(id.as_str())));
    assert!(!tokens.iter().any(|e| e.to_string().contains(&token)), "token secrets are never recorded");

    // Paging: newest first, `next_before` leads to older entries.
    let (_, page) = app.send("GET", "/api/audit?limit=2", Some(&admin), false, json!({})).await;
    let before = page["next_before"].as_i64().expect("a next page");
    let (_, older) =
        app.send("GET", &format!("/api/audit?limit=2&before={before}"), Some(&admin), false, json!({})).await;
    assert!(older["entries"][0]["seq"].as_i64().unwrap() < before, "{older}");
});

both!(malformed_requests_get_the_api_error_shape, |app: App| async move {
    let viewer = app.session("viewer").await;
    let raw = |content_type: &str, body: &str| {
        Request::post("/api/query")
            .header(header::CONTENT_TYPE, content_type)
            .header(header::COOKIE, &viewer.cookie)
            .header("x-csrf-token", &viewer.csrf)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    for (request, status, code) in [
        (raw("application/json", "{not json"), StatusCode::BAD_REQUEST, "bad_request"),
        (raw("application/json", r#"{"sequel": "SELECT 1"}"#), StatusCode::UNPROCESSABLE_ENTITY, "unprocessable"),
        (raw("text/plain", "SELECT 1"), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
    ] {
        let (got, headers, body) = app.call(request).await;
        assert_eq!((got, body["error"].as_str()), (status, Some(code)), "{body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        assert!(headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("application/json"));
    }
    let admin = app.session("admin").await;
    let (status, body) = app.send("GET", "/api/audit?limit=many", Some(&admin), false, json!({})).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("limit"), "{body}");
});
