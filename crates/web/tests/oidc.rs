//! Sign-in with Okta (OpenID Connect, authorization code flow with PKCE) against the simulator's
//! "default" authorization server: Sightline's side through the router, Okta's over HTTP.

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};
use std::collections::HashMap;
use tower::ServiceExt;

const REDIRECT: &str = "http://127.0.0.1:1/api/auth/oidc/callback";
const ADMINS_GROUP: &str = "Sightline Admins";
const ANALYSTS_GROUP: &str = "Sightline Analysts";

struct Test {
    router: axum::Router,
    sim: okta_sim::RunningSim,
    http: reqwest::Client,
    client_secret: String,
    /// An active user in the admin group (one of the org's own groups) and the analyst group.
    admin: String,
    /// An active user in the analyst group only.
    analyst: String,
    /// An active user in no configured group.
    outsider: String,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

async fn setup() -> Test {
    let (sim_dir, sim) = common::quiet_simulator(60, 7).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    // The people: an active user with one of the org's generated groups (its name becomes the
    // admin group), and two active users outside it.
    let (admin, admin_group, analyst, outsider) = {
        let view = sim.sim.view();
        let active: Vec<usize> = view
            .org
            .live_users()
            .filter(|(_, u)| u.status == okta_sim::org::UserStatus::Active)
            .map(|(i, _)| i)
            .collect();
        let groups = &view.index.user_groups;
        let outside = |g: usize| active.iter().copied().filter(|&u| !groups[u].contains(&g)).collect::<Vec<_>>();
        let (admin, group) = active
            .iter()
            .flat_map(|&u| groups[u].iter().map(move |&g| (u, g)))
            .find(|&(_, g)| {
                view.org.groups[g].group_type == okta_sim::org::GroupType::OktaGroup && outside(g).len() >= 2
            })
            .expect("a user in a group some others are not in");
        let outside = outside(group);
        let (analyst, outsider) = (outside[0], outside[1]);
        let login = |u: usize| view.org.users[u].profile.login.clone();
        (login(admin), view.org.groups[group].name.clone(), login(analyst), login(outsider))
    };
    // The analyst group is made through the simulator's control API.
    let reply = http
        .post(format!("{}/__sim/groups", sim.info.org_url))
        .json(&json!({"name": ANALYSTS_GROUP, "members": [admin, analyst]}))
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success());
    let client: Value = http
        .post(format!("{}/__sim/oidc-clients", sim.info.org_url))
        .json(&json!({"redirect_uris": [REDIRECT]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_secret = client["client_secret"].as_str().unwrap().to_string();

    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_sqlite(&dir.path().join("sightline.db")).unwrap();
    let oidc = web::OidcSettings {
        issuer: format!("{}/oauth2/default", sim.info.org_url),
        client_id: client["client_id"].as_str().unwrap().to_string(),
        client_secret: client_secret.clone().into(),
        redirect_url: REDIRECT.into(),
        admin_groups: vec![admin_group, ADMINS_GROUP.into()],
        analyst_groups: vec![ANALYSTS_GROUP.into()],
        viewer_groups: vec!["No such group".into()],
    };
    let router = common::router(store, dir.path(), Some(oidc));
    Test { router, sim, http, client_secret, admin, analyst, outsider, _dirs: (sim_dir, dir) }
}

/// A `Set-Cookie` header's `name=value`.
fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

fn query_of(url: &str) -> HashMap<String, String> {
    url::Url::parse(url).unwrap().query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// A sign-in under way: the flow cookie and the authorization request Sightline made.
struct Flow {
    cookie: String,
    authorize_url: String,
}

/// Where a callback sent the browser: the `Location`, and the session cookie if one started.
struct Landing {
    location: String,
    session: Option<String>,
    headers: HeaderMap,
}

impl Landing {
    fn error(&self) -> String {
        let (_, query) = self.location.split_once('?').unwrap_or_else(|| panic!("no error: {}", self.location));
        url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "error").unwrap().1.into_owned()
    }
}

impl Test {
    async fn call(&self, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn start(&self) -> Flow {
        let (status, headers, _) = self.call(Request::get("/api/auth/oidc/start").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::FOUND);
        let cookie = set_cookie(&headers, "sightline_oidc").expect("the flow cookie");
        let raw =
            headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>();
        assert!(raw.iter().any(|c| c.contains("HttpOnly") && c.contains("SameSite=Lax")), "{raw:?}");
        let authorize_url = headers[header::LOCATION].to_str().unwrap().to_string();
        Flow { cookie, authorize_url }
    }

    /// Signs `login` in at the simulator for `authorize_url`; returns the callback's path and query.
    async fn okta_sign_in(&self, authorize_url: &str, login: &str) -> String {
        let form = self.http.get(authorize_url).send().await.unwrap();
        assert_eq!(form.status(), 200, "{}", form.text().await.unwrap());
        let mut fields: Vec<(String, String)> = query_of(authorize_url).into_iter().collect();
        fields.push(("username".into(), login.into()));
        let action = authorize_url.split('?').next().unwrap();
        let response = self.http.post(action).form(&fields).send().await.unwrap();
        assert_eq!(response.status(), 302, "{}", response.text().await.unwrap());
        let location = response.headers()[header::LOCATION].to_str().unwrap().to_string();
        let rest = location.strip_prefix("http://127.0.0.1:1").expect("back to the registered redirect");
        rest.to_string()
    }

    async fn callback(&self, path_and_query: &str, cookie: Option<&str>) -> Landing {
        let mut request = Request::get(path_and_query);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let (status, headers, body) = self.call(request.body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::FOUND, "{body}");
        Landing {
            location: headers[header::LOCATION].to_str().unwrap().to_string(),
            session: set_cookie(&headers, web::auth::COOKIE).filter(|c| c.len() > web::auth::COOKIE.len() + 1),
            headers,
        }
    }

    /// The whole flow for `login`.
    async fn sign_in(&self, login: &str) -> Landing {
        let flow = self.start().await;
        let back = self.okta_sign_in(&flow.authorize_url, login).await;
        self.callback(&back, Some(&flow.cookie)).await
    }

    async fn me(&self, session: &str) -> (StatusCode, Value) {
        let request = Request::get("/api/auth/me").header(header::COOKIE, session).body(Body::empty()).unwrap();
        let (status, _, body) = self.call(request).await;
        (status, body)
    }

    /// Audit entries of `action=sign_in`, read with an admin session, once `expect` are written.
    async fn sign_ins(&self, session: &str, expect: usize) -> Vec<Value> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let request = Request::get("/api/audit?action=sign_in&limit=100")
                .header(header::COOKIE, session)
                .body(Body::empty())
                .unwrap();
            let (status, _, body) = self.call(request).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let entries = body["entries"].as_array().unwrap().clone();
            if entries.len() >= expect || std::time::Instant::now() > deadline {
                return entries;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_methods_say_whether_okta_sign_in_is_on() {
    let test = setup().await;
    let (status, _, body) = test.call(Request::get("/api/auth/methods").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["password"], true);
    assert_eq!(body["oidc"]["enabled"], true);
    assert_eq!(body["oidc"]["label"], "Sign in with Okta");

    // The authorization request: the simulator's endpoint, PKCE S256, fresh state and nonce.
    let first = test.start().await;
    let second = test.start().await;
    let query = query_of(&first.authorize_url);
    assert!(first.authorize_url.starts_with(&format!("{}/oauth2/default/v1/authorize?", test.sim.info.org_url)));
    assert_eq!((query["response_type"].as_str(), query["code_challenge_method"].as_str()), ("code", "S256"));
    assert_eq!(query["redirect_uri"], REDIRECT);
    assert!(query["scope"].split(' ').any(|s| s == "openid"));
    assert_eq!(query["code_challenge"].len(), 43);
    let other = query_of(&second.authorize_url);
    for key in ["state", "nonce", "code_challenge"] {
        assert!(query[key].len() >= 43 && query[key] != other[key], "{key} is fresh");
    }
    assert!(!first.authorize_url.contains(&test.client_secret), "the secret stays on the server");
    test.sim.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn okta_groups_pick_the_role_and_a_session_starts() {
    let test = setup().await;
    let landing = test.sign_in(&test.admin).await;
    assert_eq!(landing.location, "/");
    let session = landing.session.expect("a session cookie");
    let cookies: Vec<&str> = landing.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("sightline_session=") && c.contains("SameSite=Strict")),
        "{cookies:?}"
    );
    assert!(cookies.iter().any(|c| c.starts_with("sightline_oidc=;") && c.contains("Max-Age=0")), "{cookies:?}");
    let (status, me) = test.me(&session).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!((me["username"].as_str(), me["role"].as_str()), (Some(test.admin.as_str()), Some("admin")), "{me}");
    assert!(me["csrf_token"].as_str().is_some_and(|t| !t.is_empty()), "a normal session, with its CSRF token");

    // The admin session works on admin routes; state changes still need the CSRF token.
    let request = Request::get("/api/accounts").header(header::COOKIE, &session).body(Body::empty()).unwrap();
    assert_eq!(test.call(request).await.0, StatusCode::OK);
    let request = Request::post("/api/query")
        .header(header::COOKIE, &session)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"sql": "SELECT 1"}).to_string()))
        .unwrap();
    assert_eq!(test.call(request).await.0, StatusCode::FORBIDDEN, "no CSRF token, no POST");

    // Its password lives in Okta: changing it here is refused, without ending the session.
    let request = Request::post("/api/auth/password")
        .header(header::COOKIE, &session)
        .header("x-csrf-token", me["csrf_token"].as_str().unwrap())
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"current_password": "x", "new_password": "a long enough password"}).to_string()))
        .unwrap();
    let (status, _, body) = test.call(request).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().unwrap().contains("Okta"), "{body}");

    let analyst = test.sign_in(&test.analyst).await.session.expect("a session");
    let (_, me) = test.me(&analyst).await;
    assert_eq!((me["username"].as_str(), me["role"].as_str()), (Some(test.analyst.as_str()), Some("analyst")));

    // Someone in none of the groups is refused, and told why.
    let landing = test.sign_in(&test.outsider).await;
    assert!(landing.session.is_none());
    assert!(landing.location.starts_with("/#/login?error="), "{}", landing.location);
    let error = landing.error();
    assert!(error.contains(&test.outsider) && error.contains("none of the Okta groups"), "{error}");

    let entries = test.sign_ins(&session, 3).await;
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert!(entries.iter().all(|e| e["via"] == "oidc"), "{entries:?}");
    let ok = entries.iter().find(|e| e["actor"] == test.admin.as_str()).unwrap();
    assert_eq!((ok["outcome"].as_str(), ok["detail"]["role"].as_str()), (Some("success"), Some("admin")));
    let refused = entries.iter().find(|e| e["actor"] == test.outsider.as_str()).unwrap();
    assert_eq!(refused["outcome"], "denied");
    assert!(refused["detail"]["reason"].as_str().unwrap().contains("none of the Okta groups"), "{refused}");
    assert!(!entries.iter().any(|e| e.to_string().contains(&test.client_secret)), "no secret in the audit log");
    test.sim.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn replayed_forged_and_tampered_callbacks_are_refused() {
    let test = setup().await;

    // A forged state: refused, and the flow is gone (the real state no longer works either).
    let flow = test.start().await;
    let back = test.okta_sign_in(&flow.authorize_url, &test.admin).await;
    let real_state = query_of(&format!("http://x{back}"))["state"].clone();
    let forged = back.replace(&format!("state={real_state}"), "state=forged");
    let landing = test.callback(&forged, Some(&flow.cookie)).await;
    assert!(landing.session.is_none());
    assert!(landing.error().contains("state does not match"), "{}", landing.error());
    let landing = test.callback(&back, Some(&flow.cookie)).await;
    assert!(landing.session.is_none() && landing.error().contains("expired"), "{}", landing.location);

    // Without the flow cookie (another browser), or with a forged one.
    let flow = test.start().await;
    let back = test.okta_sign_in(&flow.authorize_url, &test.admin).await;
    assert!(test.callback(&back, None).await.session.is_none());
    assert!(test.callback(&back, Some("sightline_oidc=forged")).await.session.is_none());

    // A replayed callback: the first one signs in, the same again does not.
    let flow = test.start().await;
    let back = test.okta_sign_in(&flow.authorize_url, &test.admin).await;
    assert!(test.callback(&back, Some(&flow.cookie)).await.session.is_some());
    let replay = test.callback(&back, Some(&flow.cookie)).await;
    assert!(replay.session.is_none() && replay.error().contains("expired"), "{}", replay.location);

    // A tampered code: Okta refuses it, and so does Sightline (without echoing the code).
    let flow = test.start().await;
    let back = test.okta_sign_in(&flow.authorize_url, &test.admin).await;
    let code = query_of(&format!("http://x{back}"))["code"].clone();
    let tampered_code = format!("{}x", &code[..code.len() - 1]);
    let tampered = back.replace(&format!("code={code}"), &format!("code={tampered_code}"));
    let landing = test.callback(&tampered, Some(&flow.cookie)).await;
    assert!(landing.session.is_none());
    let error = landing.error();
    assert!(error.contains("invalid_grant"), "{error}");
    assert!(!error.contains(&tampered_code) && !error.contains(&test.client_secret), "{error}");

    // An error from Okta (after the state checks out) is shown as such.
    let flow = test.start().await;
    let state = query_of(&flow.authorize_url)["state"].clone();
    let landing =
        test.callback(&format!("/api/auth/oidc/callback?error=access_denied&state={state}"), Some(&flow.cookie)).await;
    assert!(landing.error().contains("access_denied"), "{}", landing.error());
    test.sim.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_id_tokens_nonce_must_be_this_sign_ins() {
    let test = setup().await;
    // The same flow (state, PKCE), but Okta is asked for another nonce: the code redeems, and the
    // ID token it yields is refused.
    let flow = test.start().await;
    let mut url = url::Url::parse(&flow.authorize_url).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.to_string(), if k == "nonce" { "someone-elses-nonce".into() } else { v.into_owned() }))
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let back = test.okta_sign_in(url.as_str(), &test.admin).await;
    let landing = test.callback(&back, Some(&flow.cookie)).await;
    assert!(landing.session.is_none());
    assert!(landing.error().contains("nonce"), "{}", landing.error());

    // And a code for another flow's PKCE challenge does not redeem with this flow's verifier.
    let mine = test.start().await;
    let theirs = test.start().await;
    let my_state = query_of(&mine.authorize_url)["state"].clone();
    let mut url = url::Url::parse(&theirs.authorize_url).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.to_string(), if k == "state" { my_state.clone() } else { v.into_owned() }))
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let back = test.okta_sign_in(url.as_str(), &test.admin).await;
    let landing = test.callback(&back, Some(&mine.cookie)).await;
    assert!(landing.session.is_none());
    assert!(landing.error().contains("PKCE"), "{}", landing.error());
    test.sim.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn without_settings_okta_sign_in_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_sqlite(&dir.path().join("sightline.db")).unwrap();
    let router = common::router(store, dir.path(), None);
    let response =
        router.clone().oneshot(Request::get("/api/auth/methods").body(Body::empty()).unwrap()).await.unwrap();
    let body: Value =
        serde_json::from_slice(&axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap()).unwrap();
    assert_eq!(body["oidc"]["enabled"], false);
    for path in ["/api/auth/oidc/start", "/api/auth/oidc/callback?code=x&state=y"] {
        let response = router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
