//! Every kind of error, formatted every way, holds no secret: not the API token, the private
//! key, the access token, a client assertion, a DPoP proof, nor a URL's query string.

use crate::support::*;
use okta_client::{ClientConfig, Credentials, Error, ErrorKind, OktaClient};
use serde_json::json;
use std::time::Duration;

const ACCESS_TOKEN: &str = "AT-SECRET-4f1c2e9a";
const SSWS_TOKEN: &str = "00SSWS-SECRET-b7d3";
const CURSOR: &str = "CURSOR-SECRET-91ab";

/// An org stub: a token endpoint with a nonce challenge, and one path per kind of failure.
async fn org_stub() -> Stub {
    stub(Duration::ZERO, |request, _| {
        let path = request.uri.split('?').next().unwrap_or_default().to_string();
        let challenge = |error: &str, extra: &str| {
            vec![(
                "www-authenticate",
                format!(r#"DPoP algs="ES256", realm="x", {extra}error="{error}", error_description="nope", resource="{path}""#),
            )]
        };
        match path.as_str() {
            "/oauth2/v1/token" if request.header("dpop").is_some_and(|p| !p.is_empty()) && !request.body.is_empty() => {
                let proof = request.header("dpop").unwrap();
                let claims = jwt_claims(&proof);
                if claims.get("nonce").is_none() {
                    json_reply(
                        400,
                        &[("dpop-nonce", "nonce-1".into())],
                        json!({"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in DPoP proof."}),
                    )
                } else {
                    json_reply(200, &[], json!({"token_type": "DPoP", "expires_in": 3600, "access_token": ACCESS_TOKEN, "scope": "okta.users.read"}))
                }
            }
            "/api/v1/e11" => okta_error(401, "E0000011", "Invalid token provided"),
            "/api/v1/e06" => okta_error(403, "E0000006", "You do not have permission to perform the requested action"),
            "/api/v1/e15" => okta_error(401, "E0000015", "You do not have permission to access the feature you are requesting"),
            "/api/v1/e07" => okta_error(404, "E0000007", "Not found: Resource not found"),
            "/api/v1/e31" => okta_error(400, "E0000031", "Invalid search criteria."),
            "/api/v1/e429" => okta_error(429, "E0000047", "API call exceeded rate limit due to too many requests."),
            "/api/v1/e500" => okta_error(500, "E0000009", "Internal Server Error"),
            "/api/v1/html" => reply(200, &[("content-type", "text/html".into())], "<html>proxy</html>"),
            "/api/v1/scope" => reply(403, &challenge("insufficient_scope", r#"scope="okta.groups.read", "#), ""),
            "/api/v1/dpop" => reply(400, &challenge("invalid_dpop_proof", ""), ""),
            "/api/v1/token" => reply(401, &challenge("invalid_token", ""), ""),
            _ => json_reply(200, &[], json!([])),
        }
    })
    .await
}

/// An org stub whose token endpoint refuses the client.
async fn refusing_stub() -> Stub {
    stub(Duration::ZERO, |_, _| {
        json_reply(
            401,
            &[],
            json!({"error": "invalid_client", "error_description": "The client_assertion signature is invalid."}),
        )
    })
    .await
}

fn oauth_config(url: &str, pem: &str) -> ClientConfig {
    let mut config = ClientConfig::new(
        url,
        Credentials::PrivateKey {
            client_id: "0oa-client".into(),
            private_key_pem: pem.to_string().into(),
            key_id: Some("kid-1".into()),
            scopes: vec!["okta.users.read".into()],
        },
    );
    config.max_retries = 0;
    config
}

/// The secrets a request carried, read back from the stub.
fn sent_secrets(stub: &Stub) -> Vec<String> {
    let mut secrets = Vec::new();
    for request in stub.recorded() {
        for name in ["authorization", "dpop"] {
            if let Some(value) = request.header(name) {
                secrets.push(value.clone());
                if let Some((_, credential)) = value.split_once(' ') {
                    secrets.push(credential.to_string());
                }
            }
        }
        for (key, value) in url::form_urlencoded::parse(request.body.as_bytes()) {
            if key == "client_assertion" {
                secrets.push(value.into_owned());
            }
        }
    }
    secrets
}

fn assert_clean(errors: &[Error], secrets: &[String]) {
    assert!(secrets.iter().all(|s| s.len() >= 8), "secrets are long enough to find");
    for e in errors {
        let text = format!("{e}\n{e:?}\n{:?}\n{}", e.kind(), e.kind());
        for secret in secrets {
            assert!(!text.contains(secret.as_str()), "a secret leaked into: {text}");
        }
        assert!(!text.contains(CURSOR), "a query string leaked into: {text}");
        let first = e.to_string().chars().next().unwrap();
        assert!(first.is_lowercase(), "messages start in lowercase: {e}");
    }
}

#[tokio::test]
async fn no_error_of_any_kind_contains_a_secret() {
    let pem = test_rsa_pem();
    let pem_lines: Vec<String> =
        pem.lines().filter(|l| !l.starts_with("-----") && l.len() >= 16).map(str::to_string).collect();
    let org = org_stub().await;
    let oauth = OktaClient::new(oauth_config(&org.url, &pem)).unwrap();
    let ssws = stub_client(&org.url, |c| {
        c.credentials = Credentials::ApiToken(SSWS_TOKEN.to_string().into());
        c.max_retries = 0;
    });

    let mut errors = Vec::new();
    let mut kinds = Vec::new();
    for client in [&oauth, &ssws] {
        for path in ["e11", "e06", "e15", "e07", "e31", "e429", "e500", "html", "scope", "dpop", "token"] {
            let e = client.get_json(&format!("/api/v1/{path}?after={CURSOR}&limit=2")).await.unwrap_err();
            kinds.push(e.kind().clone());
            errors.push(e);
        }
    }
    // The OAuth client really used DPoP with the stub's token.
    let authorizations: Vec<String> = org.recorded().iter().filter_map(|r| r.header("authorization")).collect();
    assert!(authorizations.iter().any(|a| a == &format!("DPoP {ACCESS_TOKEN}")));
    assert!(org.recorded().iter().any(|r| r.method == "POST" && r.uri == "/oauth2/v1/token"));

    // Refused by the token endpoint.
    let refusing = refusing_stub().await;
    let refused = OktaClient::new(oauth_config(&refusing.url, &pem)).unwrap();
    errors.push(refused.verify().await.unwrap_err());
    kinds.push(errors.last().unwrap().kind().clone());
    // Timeout.
    let slow = stub(Duration::from_millis(400), |_, _| json_reply(200, &[], json!({}))).await;
    let impatient = stub_client(&slow.url, |c| {
        c.credentials = Credentials::ApiToken(SSWS_TOKEN.to_string().into());
        c.request_timeout = Duration::from_millis(100);
        c.max_retries = 0;
    });
    errors.push(impatient.get_json(&format!("/api/v1/users?after={CURSOR}")).await.unwrap_err());
    // Unreachable.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let nowhere = stub_client(&format!("http://127.0.0.1:{port}"), |c| {
        c.credentials = Credentials::ApiToken(SSWS_TOKEN.to_string().into());
    });
    errors.push(nowhere.get_json(&format!("/api/v1/users?after={CURSOR}")).await.unwrap_err());
    // Configuration: a URL with a secret in its query, a bad key that contains the real one.
    errors.push(oauth.get_json(&format!("https://elsewhere.example/api/v1/users?after={CURSOR}")).await.unwrap_err());
    let broken_pem = pem.replace("-----END PRIVATE KEY-----", "garbage\n-----END PRIVATE KEY-----");
    errors.push(OktaClient::new(oauth_config(&org.url, &broken_pem)).unwrap_err());
    let mut bad_token = ClientConfig::new(&org.url, Credentials::ApiToken(format!("SSWS {SSWS_TOKEN}").into()));
    bad_token.max_retries = 0;
    errors.push(OktaClient::new(bad_token).unwrap_err());

    for e in &errors[errors.len() - 6..] {
        kinds.push(e.kind().clone());
    }
    let expected = [
        "InvalidCredentials",
        "Forbidden",
        "FeatureNotEnabled",
        "NotFound",
        "Rejected",
        "RateLimited",
        "Server",
        "MalformedResponse",
        "MissingScope",
        "OAuth",
        "Timeout",
        "Unreachable",
        "Config",
    ];
    for name in expected {
        assert!(kinds.iter().any(|k| format!("{k:?}").starts_with(name)), "no {name} among {kinds:?}");
    }

    let mut secrets = vec![SSWS_TOKEN.to_string(), ACCESS_TOKEN.to_string(), pem.clone()];
    secrets.extend(pem_lines);
    secrets.extend(sent_secrets(&org));
    secrets.extend(sent_secrets(&refusing));
    secrets.extend(sent_secrets(&slow));
    assert!(secrets.iter().filter(|s| s.starts_with("eyJ")).count() >= 4, "assertions and proofs were captured");
    assert_clean(&errors, &secrets);
    assert!(
        errors.iter().any(|e| matches!(e.kind(), ErrorKind::MissingScope { scope } if scope == "okta.groups.read"))
    );
}
