//! OpenID Connect sign-in on the "default" authorization server: discovery, the authorization code
//! flow with PKCE, the ID token's claims, and every refusal.

use crate::support::*;
use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use std::collections::HashMap;

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const VERIFIER: &str = "dBjftJeZ4CK-P1aoeDQ_0123456789abcdefghijklmnop";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()))
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn register(sim: &TestSim) -> (String, String) {
    let reply = sim.control(reqwest::Method::POST, "/oidc-clients", Some(json!({"redirect_uris": [REDIRECT]}))).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    (body["client_id"].as_str().unwrap().to_string(), body["client_secret"].as_str().unwrap().to_string())
}

fn authorize_params(client_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("client_id", client_id.to_string()),
        ("redirect_uri", REDIRECT.to_string()),
        ("response_type", "code".into()),
        ("scope", "openid profile email".into()),
        ("state", "state-123".into()),
        ("nonce", "nonce-456".into()),
        ("code_challenge", challenge(VERIFIER)),
        ("code_challenge_method", "S256".into()),
    ]
}

/// An ACTIVE user with at least one group: (login, id, group names).
fn active_user_with_groups(sim: &TestSim) -> (String, String, Vec<String>) {
    let view = sim.running.sim.view();
    let (index, user) = view
        .org
        .live_users()
        .find(|(i, u)| u.status == okta_sim::org::UserStatus::Active && !view.index.user_groups[*i].is_empty())
        .expect("an active user in a group");
    let groups = view.index.user_groups[index].iter().map(|&g| view.org.groups[g].name.clone()).collect();
    (user.profile.login.clone(), user.id.clone(), groups)
}

fn with_query(url: &str, params: &[(&'static str, String)]) -> String {
    url::Url::parse_with_params(url, params).unwrap().to_string()
}

/// A token request's form.
fn form(code: &str, redirect: &str, verifier: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code.to_string()),
        ("redirect_uri", redirect.to_string()),
        ("code_verifier", verifier.to_string()),
    ]
}

fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location).unwrap().query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// Signs `login` in through the form; returns the redirect's query.
async fn sign_in(sim: &TestSim, client_id: &str, login: &str) -> HashMap<String, String> {
    let mut form = authorize_params(client_id);
    form.push(("username", login.to_string()));
    let response =
        no_redirects().post(format!("{}/oauth2/default/v1/authorize", sim.url)).form(&form).send().await.unwrap();
    assert_eq!(response.status(), 302, "{}", response.text().await.unwrap_or_default());
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(REDIRECT), "{location}");
    query_of(&location)
}

async fn redeem(sim: &TestSim, form: &[(&str, String)], basic: Option<(&str, &str)>) -> (u16, Value) {
    let mut request = sim.http.post(format!("{}/oauth2/default/v1/token", sim.url)).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn discovery_names_the_default_server_and_its_keys() {
    let sim = sim_with(Options { users: 50, ..Default::default() }).await;
    let reply = sim.get_with("/oauth2/default/.well-known/openid-configuration", None).await;
    assert_eq!(reply.status, 200);
    let doc = reply.json();
    let issuer = format!("{}/oauth2/default", sim.url);
    assert_eq!(doc["issuer"], issuer.as_str());
    assert_eq!(doc["authorization_endpoint"], format!("{issuer}/v1/authorize"));
    assert_eq!(doc["token_endpoint"], format!("{issuer}/v1/token"));
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(doc["id_token_signing_alg_values_supported"], json!(["RS256"]));
    let keys = sim.get_with(doc["jwks_uri"].as_str().unwrap(), None).await.json();
    assert_eq!(keys["keys"][0]["kty"], "RSA");
    assert!(keys["keys"][0]["kid"].as_str().is_some_and(|k| !k.is_empty()));
    assert!(keys["keys"][0].get("d").is_none());
}

#[tokio::test]
async fn the_code_flow_issues_a_signed_id_token_with_groups_once() {
    let sim = sim_with(Options { users: 50, ..Default::default() }).await;
    let (client_id, secret) = register(&sim).await;
    let (login, user_id, groups) = active_user_with_groups(&sim);

    let url = format!("{}/oauth2/default/v1/authorize", sim.url);
    let page = no_redirects().get(with_query(&url, &authorize_params(&client_id))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"username\"") && html.contains("state-123"), "{html}");

    let query = sign_in(&sim, &client_id, &login).await;
    assert_eq!(query["state"], "state-123");
    let form = form(&query["code"], REDIRECT, VERIFIER);
    let (status, tokens) = redeem(&sim, &form, Some((&client_id, &secret))).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["access_token"].as_str().is_some());

    let keys: JwkSet = serde_json::from_value(sim.get_with("/oauth2/default/v1/keys", None).await.json()).unwrap();
    let id_token = tokens["id_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    let jwk = keys.find(header.kid.as_deref().unwrap()).expect("the kid is in the JWKS");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[format!("{}/oauth2/default", sim.url)]);
    validation.set_audience(&[&client_id]);
    let claims =
        jsonwebtoken::decode::<Value>(id_token, &DecodingKey::from_jwk(jwk).unwrap(), &validation).unwrap().claims;
    assert_eq!(claims["sub"], user_id.as_str());
    assert_eq!(claims["nonce"], "nonce-456");
    assert_eq!(claims["preferred_username"], login.as_str());
    assert!(claims["email"].as_str().is_some_and(|e| e.contains('@')), "{claims}");
    assert!(claims["name"].as_str().is_some_and(|n| !n.is_empty()), "{claims}");
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 3600);
    let mut claimed: Vec<String> =
        claims["groups"].as_array().unwrap().iter().map(|g| g.as_str().unwrap().to_string()).collect();
    let mut expected = groups.clone();
    claimed.sort();
    expected.sort();
    assert_eq!(claimed, expected);

    // A code works once.
    let (status, body) = redeem(&sim, &form, Some((&client_id, &secret))).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");

    // client_secret_post works too.
    let code = sign_in(&sim, &client_id, &login).await["code"].clone();
    let mut post = super::oidc::form(&code, REDIRECT, VERIFIER);
    post.push(("client_id", client_id.clone()));
    post.push(("client_secret", secret.clone()));
    let (status, body) = redeem(&sim, &post, None).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_token_endpoint_refuses_bad_clients_codes_redirects_and_verifiers() {
    let sim = sim_with(Options { users: 50, ..Default::default() }).await;
    let (client_id, secret) = register(&sim).await;
    let (login, _, _) = active_user_with_groups(&sim);

    let code = sign_in(&sim, &client_id, &login).await["code"].clone();
    let (status, body) = redeem(&sim, &form(&code, REDIRECT, VERIFIER), Some((&client_id, "wrong secret"))).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "{body}");
    let (status, body) = redeem(&sim, &form(&code, REDIRECT, VERIFIER), None).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")), "{body}");

    let code = sign_in(&sim, &client_id, &login).await["code"].clone();
    let wrong_verifier = "x".repeat(43);
    let (status, body) = redeem(&sim, &form(&code, REDIRECT, &wrong_verifier), Some((&client_id, &secret))).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("PKCE"), "{body}");
    let (status, body) = redeem(&sim, &form(&code, REDIRECT, VERIFIER), Some((&client_id, &secret))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "a failed attempt uses the code: {body}"
    );

    let code = sign_in(&sim, &client_id, &login).await["code"].clone();
    let (status, body) =
        redeem(&sim, &form(&code, "http://127.0.0.1:9/other", VERIFIER), Some((&client_id, &secret))).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("redirect_uri"), "{body}");

    let (status, body) = redeem(&sim, &form("forged", REDIRECT, VERIFIER), Some((&client_id, &secret))).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");

    // Another client cannot redeem this client's code.
    let (other_id, other_secret) = register(&sim).await;
    let code = sign_in(&sim, &client_id, &login).await["code"].clone();
    let (status, body) = redeem(&sim, &form(&code, REDIRECT, VERIFIER), Some((&other_id, &other_secret))).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");

    let mut refresh = form(&code, REDIRECT, VERIFIER);
    refresh[0] = ("grant_type", "refresh_token".to_string());
    let (status, body) = redeem(&sim, &refresh, Some((&client_id, &secret))).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")), "{body}");
}

#[tokio::test]
async fn the_authorize_endpoint_refuses_bad_requests_and_unknown_users() {
    let sim = sim_with(Options { users: 50, ..Default::default() }).await;
    let (client_id, _) = register(&sim).await;
    let http = no_redirects();
    let url = format!("{}/oauth2/default/v1/authorize", sim.url);
    let with = |key: &'static str, value: Option<&str>| {
        let mut params = authorize_params(&client_id);
        params.retain(|(k, _)| *k != key);
        if let Some(value) = value {
            params.push((key, value.to_string()));
        }
        params
    };

    // A bad client or redirect URI gets a page, never a redirect.
    for params in [with("client_id", Some("0oanope")), with("redirect_uri", Some("https://evil.example/cb"))] {
        let response = http.get(with_query(&url, &params)).send().await.unwrap();
        assert_eq!(response.status(), 400);
        assert!(response.headers().get("location").is_none());
    }
    // Everything else is an error redirect with the state.
    let cases = [
        (with("response_type", Some("token")), "unsupported_response_type"),
        (with("scope", Some("profile")), "invalid_scope"),
        (with("scope", Some("openid nope")), "invalid_scope"),
        (with("state", None), "invalid_request"),
        (with("nonce", None), "invalid_request"),
        (with("code_challenge", None), "invalid_request"),
        (with("code_challenge_method", Some("plain")), "invalid_request"),
    ];
    for (params, error) in cases {
        let response = http.get(with_query(&url, &params)).send().await.unwrap();
        assert_eq!(response.status(), 302, "{params:?}");
        let query = query_of(response.headers()["location"].to_str().unwrap());
        assert_eq!(query["error"], error, "{params:?}");
        assert!(!query.contains_key("code"));
        if params.iter().any(|(k, _)| *k == "state") {
            assert_eq!(query["state"], "state-123");
        }
    }

    // Unknown and inactive users get the form again, with an error.
    let inactive = {
        let view = sim.running.sim.view();
        view.org
            .live_users()
            .find(|(_, u)| u.status != okta_sim::org::UserStatus::Active)
            .map(|(_, u)| u.profile.login.clone())
    };
    for login in std::iter::once("nobody@nowhere.example".to_string()).chain(inactive) {
        let mut form = authorize_params(&client_id);
        form.push(("username", login.clone()));
        let response = http.post(&url).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 401, "{login}");
        let html = response.text().await.unwrap();
        assert!(html.contains("Unable to sign in") && html.contains("name=\"username\""), "{html}");
    }

    let reply = sim.control(reqwest::Method::POST, "/oidc-clients", Some(json!({"redirect_uris": []}))).await;
    assert_eq!(reply.status, 400);
    let reply = sim.control(reqwest::Method::POST, "/oidc-clients", Some(json!({"redirect_uris": ["nope"]}))).await;
    assert_eq!(reply.status, 400);
}
