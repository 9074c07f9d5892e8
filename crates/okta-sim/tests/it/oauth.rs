//! OAuth 2.0 client credentials with private_key_jwt and DPoP, as Okta's org authorization server.

use crate::support::*;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// A client that builds assertions and proofs by hand, so each check can be broken on purpose.
struct Client {
    client_id: String,
    key_id: String,
    signing: EncodingKey,
    dpop_key: EncodingKey,
    dpop_jwk: Jwk,
    token_url: String,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn jti() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Client {
    fn new(sim: &TestSim, client_id: &str, key_id: &str, pem: &str) -> Client {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let der = pair.to_pkcs8v1().unwrap();
        let dpop_key = EncodingKey::from_ec_der(der.as_ref());
        let dpop_jwk = Jwk::from_encoding_key(&dpop_key, Algorithm::ES256).unwrap();
        Client {
            client_id: client_id.into(),
            key_id: key_id.into(),
            signing: EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
            dpop_key,
            dpop_jwk,
            token_url: format!("{}/oauth2/v1/token", sim.url),
        }
    }

    fn of(sim: &TestSim) -> Client {
        let pem = std::fs::read_to_string(&sim.running.info.private_key_file).unwrap();
        Client::new(sim, &sim.running.info.client_id, &sim.running.info.key_id, &pem)
    }

    fn assertion_with(&self, claims: Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.key_id.clone());
        jsonwebtoken::encode(&header, &claims, &self.signing).unwrap()
    }

    fn assertion(&self) -> String {
        self.assertion_with(json!({
            "iss": self.client_id, "sub": self.client_id, "aud": self.token_url,
            "iat": now(), "exp": now() + 300, "jti": jti()
        }))
    }

    fn proof_with(&self, typ: &str, claims: Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some(typ.into());
        header.jwk = Some(self.dpop_jwk.clone());
        jsonwebtoken::encode(&header, &claims, &self.dpop_key).unwrap()
    }

    fn proof(&self, method: &str, url: &str, nonce: Option<&str>, access_token: Option<&str>) -> String {
        let mut claims = json!({ "htm": method, "htu": url, "iat": now(), "jti": jti() });
        if let Some(n) = nonce {
            claims["nonce"] = json!(n);
        }
        if let Some(t) = access_token {
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, t.as_bytes());
            claims["ath"] = json!(URL_SAFE_NO_PAD.encode(digest.as_ref()));
        }
        self.proof_with("dpop+jwt", claims)
    }

    async fn token_request(&self, sim: &TestSim, assertion: &str, scope: &str, proof: Option<String>) -> Reply {
        let form = [
            ("grant_type", "client_credentials"),
            ("scope", scope),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", assertion),
        ];
        let mut request = sim.http.post(&self.token_url).form(&form);
        if let Some(p) = proof {
            request = request.header("DPoP", p);
        }
        let r = request.send().await.unwrap();
        Reply { status: r.status().as_u16(), headers: r.headers().clone(), text: r.text().await.unwrap() }
    }

    /// The whole dance: proof, nonce challenge, fresh assertion, token.
    async fn dpop_token(&self, sim: &TestSim, scope: &str) -> String {
        let first = self
            .token_request(sim, &self.assertion(), scope, Some(self.proof("POST", &self.token_url, None, None)))
            .await;
        assert_eq!(first.status, 400);
        let nonce = first.headers["dpop-nonce"].to_str().unwrap().to_string();
        let second = self
            .token_request(sim, &self.assertion(), scope, Some(self.proof("POST", &self.token_url, Some(&nonce), None)))
            .await;
        assert_eq!(second.status, 200, "{}", second.text);
        second.json()["access_token"].as_str().unwrap().to_string()
    }

    async fn call(&self, sim: &TestSim, path: &str, token: &str, proof: Option<String>, scheme: &str) -> Reply {
        let mut request =
            sim.http.get(format!("{}{path}", sim.url)).header("authorization", format!("{scheme} {token}"));
        if let Some(p) = proof {
            request = request.header("DPoP", p);
        }
        let r = request.send().await.unwrap();
        Reply { status: r.status().as_u16(), headers: r.headers().clone(), text: r.text().await.unwrap() }
    }
}

#[tokio::test]
async fn private_key_jwt_and_dpop_nonce_flow_issues_a_dpop_token() {
    let sim = sim().await;
    let client = Client::of(&sim);
    let scope = "okta.users.read okta.groups.read";

    let no_proof = client.token_request(&sim, &client.assertion(), scope, None).await;
    assert_eq!((no_proof.status, no_proof.json()["error"].as_str().unwrap()), (400, "invalid_dpop_proof"));

    let assertion = client.assertion();
    let challenged =
        client.token_request(&sim, &assertion, scope, Some(client.proof("POST", &client.token_url, None, None))).await;
    assert_eq!((challenged.status, challenged.json()["error"].as_str().unwrap()), (400, "use_dpop_nonce"));
    let nonce = challenged.headers["dpop-nonce"].to_str().unwrap().to_string();

    let reused = client
        .token_request(&sim, &assertion, scope, Some(client.proof("POST", &client.token_url, Some(&nonce), None)))
        .await;
    assert_eq!(reused.status, 401, "the assertion was consumed by the challenge");
    assert!(reused.json()["error_description"].as_str().unwrap().contains("already been used"));

    let granted = client
        .token_request(
            &sim,
            &client.assertion(),
            scope,
            Some(client.proof("POST", &client.token_url, Some(&nonce), None)),
        )
        .await;
    assert_eq!(granted.status, 200, "{}", granted.text);
    let body = granted.json();
    assert_eq!(body["token_type"], "DPoP");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], scope);
}

#[tokio::test]
async fn client_assertions_are_verified() {
    let sim = sim().await;
    let client = Client::of(&sim);
    let base = |aud: &str, exp: i64| json!({ "iss": client.client_id, "sub": client.client_id, "aud": aud, "iat": now(), "exp": exp, "jti": jti() });
    let cases = [
        ("wrong audience", client.assertion_with(base("http://elsewhere/oauth2/v1/token", now() + 300))),
        ("expired", client.assertion_with(base(&client.token_url, now() - 10))),
        ("too far in the future", client.assertion_with(base(&client.token_url, now() + 7200))),
        ("wrong subject", client.assertion_with(json!({ "iss": client.client_id, "sub": "someone", "aud": client.token_url, "exp": now() + 60, "jti": jti() }))),
    ];
    for (what, assertion) in cases {
        let reply = client.token_request(&sim, &assertion, "okta.users.read", None).await;
        assert_eq!((reply.status, reply.json()["error"].as_str().unwrap()), (401, "invalid_client"), "{what}");
    }
    // Signed by another key that the server doesn't know.
    let stranger = sim.control(reqwest::Method::POST, "/clients", Some(json!({}))).await.json();
    let impostor = Client::new(&sim, &client.client_id, &client.key_id, stranger["private_key_pem"].as_str().unwrap());
    let reply = impostor.token_request(&sim, &impostor.assertion(), "okta.users.read", None).await;
    assert_eq!(reply.status, 401, "a signature by an unregistered key fails");
}

#[tokio::test]
async fn resource_requests_need_a_valid_proof_bound_to_the_token() {
    let sim = sim().await;
    let client = Client::of(&sim);
    let token = client.dpop_token(&sim, "okta.users.read").await;
    let url = format!("{}/api/v1/users", sim.url);

    let ok = client
        .call(&sim, "/api/v1/users?limit=2", &token, Some(client.proof("GET", &url, None, Some(&token))), "DPoP")
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json().as_array().unwrap().len(), 2);

    let replayed_proof = client.proof("GET", &url, None, Some(&token));
    assert_eq!(
        client.call(&sim, "/api/v1/users?limit=1", &token, Some(replayed_proof.clone()), "DPoP").await.status,
        200
    );
    let bad = [
        ("replayed proof", Some(replayed_proof), "DPoP"),
        ("query in htu", Some(client.proof("GET", &format!("{url}?limit=1"), None, Some(&token))), "DPoP"),
        ("wrong method", Some(client.proof("POST", &url, None, Some(&token))), "DPoP"),
        ("wrong ath", Some(client.proof("GET", &url, None, Some("another token"))), "DPoP"),
        ("no proof", None, "DPoP"),
        (
            "stale iat",
            Some(client.proof_with("dpop+jwt", json!({"htm": "GET", "htu": url, "iat": now() - 600, "jti": jti()}))),
            "DPoP",
        ),
        (
            "wrong typ",
            Some(client.proof_with("JWT", json!({"htm": "GET", "htu": url, "iat": now(), "jti": jti()}))),
            "DPoP",
        ),
        ("bearer scheme", Some(client.proof("GET", &url, None, Some(&token))), "Bearer"),
    ];
    for (what, proof, scheme) in bad {
        let reply = client.call(&sim, "/api/v1/users?limit=1", &token, proof, scheme).await;
        assert_eq!(reply.status, 400, "{what}: {}", reply.text);
        let challenge = reply.headers["www-authenticate"].to_str().unwrap();
        assert!(challenge.contains("error="), "{what}: {challenge}");
    }
    // A proof made with another key does not match the token's binding.
    let other = Client::of(&sim);
    let reply =
        other.call(&sim, "/api/v1/users", &token, Some(other.proof("GET", &url, None, Some(&token))), "DPoP").await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn scopes_are_enforced_with_an_empty_body_challenge() {
    let sim = sim().await;
    let client = Client::of(&sim);
    let token = client.dpop_token(&sim, "okta.users.read").await;
    let url = format!("{}/api/v1/groups", sim.url);
    let reply =
        client.call(&sim, "/api/v1/groups", &token, Some(client.proof("GET", &url, None, Some(&token))), "DPoP").await;
    assert_eq!(reply.status, 403);
    assert!(reply.text.is_empty(), "Okta sends no body here");
    let challenge = reply.headers["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.contains("error=\"insufficient_scope\"") && challenge.contains("scope=\"okta.groups.read\""),
        "{challenge}"
    );

    let limited =
        sim.control(reqwest::Method::POST, "/clients", Some(json!({"scopes": ["okta.users.read"]}))).await.json();
    let limited = Client::new(
        &sim,
        limited["client_id"].as_str().unwrap(),
        limited["key_id"].as_str().unwrap(),
        limited["private_key_pem"].as_str().unwrap(),
    );
    let first = limited
        .token_request(
            &sim,
            &limited.assertion(),
            "okta.logs.read",
            Some(limited.proof("POST", &limited.token_url, None, None)),
        )
        .await;
    let nonce = first.headers["dpop-nonce"].to_str().unwrap().to_string();
    let refused = limited
        .token_request(
            &sim,
            &limited.assertion(),
            "okta.logs.read",
            Some(limited.proof("POST", &limited.token_url, Some(&nonce), None)),
        )
        .await;
    assert_eq!((refused.status, refused.json()["error"].as_str().unwrap()), (400, "invalid_scope"));
}

#[tokio::test]
async fn apps_without_dpop_get_bearer_tokens() {
    let sim = sim().await;
    let created = sim.control(reqwest::Method::POST, "/clients", Some(json!({"dpop_required": false}))).await.json();
    let client = Client::new(
        &sim,
        created["client_id"].as_str().unwrap(),
        created["key_id"].as_str().unwrap(),
        created["private_key_pem"].as_str().unwrap(),
    );
    let reply = client.token_request(&sim, &client.assertion(), "okta.users.read", None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["token_type"], "Bearer");
    let token = reply.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(client.call(&sim, "/api/v1/users?limit=1", &token, None, "Bearer").await.status, 200);
    let expired = client.call(&sim, "/api/v1/users", "not-a-token", None, "Bearer").await;
    assert_eq!(expired.status, 401);
}
