//! SSWS tokens and OAuth 2.0 client credentials with private_key_jwt and DPoP.

use crate::support::*;
use okta_client::{Credentials, ErrorKind, OktaClient};
use okta_sim::server::ratelimit::RateLimitSettings;

#[tokio::test]
async fn an_invalid_ssws_token_is_invalid_credentials_with_advice() {
    let sim = sim().await;
    let mut config = sim.ssws_config();
    config.credentials = Credentials::ApiToken("00ThisTokenDoesNotExist0000000000000000000".to_string().into());
    let client = OktaClient::new(config).unwrap();
    let e = client.get_json("/api/v1/users?limit=1").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidCredentials);
    assert_eq!((e.status(), e.okta_code()), (Some(401), Some("E0000011")));
    assert!(e.request_id().is_some());
    let text = e.to_string();
    assert!(text.starts_with("the API token is invalid or expired; create a new one"), "{text}");
    assert!(!text.contains("ThisTokenDoesNotExist"));
    assert_eq!(client.stats().retries, 0, "a 401 is not retried");
    assert_eq!(client.verify().await.unwrap_err().kind(), &ErrorKind::InvalidCredentials);
    assert!(sim.ssws().verify().await.is_ok());
}

#[tokio::test]
async fn a_token_without_role_permissions_is_forbidden_naming_the_path() {
    let sim = sim().await;
    let token = sim.token_denied(&["roles"]).await;
    let mut config = sim.ssws_config();
    config.credentials = Credentials::ApiToken(token.into());
    let client = OktaClient::new(config).unwrap();
    let e = client.get_body_page("/api/v1/iam/roles", "roles").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Forbidden);
    assert_eq!(e.okta_code(), Some("E0000006"));
    assert!(e.to_string().contains("/api/v1/iam/roles"), "{e}");
    assert!(e.to_string().contains("role"), "{e}");
    // The rest stays readable.
    assert!(client.get_json("/api/v1/users?limit=1").await.is_ok());
}

#[tokio::test]
async fn oauth_with_dpop_reuses_one_token_across_requests() {
    let sim = sim().await;
    let client = OktaClient::new(sim.oauth_config()).unwrap();
    let stats = sim.stats().await;
    // Paging with DPoP: every next URL carries an `after` cursor that `htu` must leave out.
    let users = client.list_all("/api/v1/users?limit=60").await.unwrap();
    assert_eq!(users.len(), count(&stats, "users_listed"));
    let sets = client.list_all_body("/api/v1/iam/resource-sets?limit=1", "resource-sets").await.unwrap();
    assert_eq!(sets.len(), count(&stats, "resource_sets"));
    for user in users.iter().take(10) {
        let id = user["id"].as_str().unwrap();
        let one = client.get_json(&format!("/api/v1/users/{id}")).await.unwrap();
        assert_eq!(one["id"], user["id"]);
    }
    let s = client.stats();
    // One token: the first request was challenged for a nonce once and answered with a new
    // assertion; nothing else went to the token endpoint.
    assert_eq!((s.token_requests, s.dpop_nonce_challenges), (2, 1), "{s:?}");
    assert_eq!(s.retries, 0);
    // verify() asks for a new token; the nonce is remembered, so no challenge this time.
    client.verify().await.unwrap();
    let s = client.stats();
    assert_eq!((s.token_requests, s.dpop_nonce_challenges), (3, 1), "{s:?}");
    // Clones share the token.
    let clone = client.clone();
    clone.get_json("/api/v1/groups?limit=1").await.unwrap();
    assert_eq!(client.stats().token_requests, 3);
}

#[tokio::test]
async fn many_concurrent_first_requests_share_one_token_request() {
    let sim = sim().await;
    let client = OktaClient::new(sim.oauth_config()).unwrap();
    let calls = (0..12).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_json("/api/v1/groups?limit=1").await })
    });
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(client.stats().token_requests, 2, "one token, after one nonce challenge");
}

#[tokio::test]
async fn a_client_without_dpop_gets_a_bearer_token_and_works() {
    let sim = sim().await;
    let app = sim.new_client(&["okta.users.read", "okta.groups.read"], false).await;
    let client = OktaClient::new(sim.oauth_config_for(&app, &["okta.users.read", "okta.groups.read"])).unwrap();
    // The simulator refuses a Bearer-bound token sent with the DPoP scheme, so success means
    // the client chose the scheme from `token_type`.
    client.verify().await.unwrap();
    let groups = client.list_all("/api/v1/groups?limit=50").await.unwrap();
    assert_eq!(groups.len(), count(&sim.stats().await, "groups"));
    assert_eq!(client.stats().dpop_nonce_challenges, 0, "no nonce for a Bearer client");
}

#[tokio::test]
async fn a_missing_scope_names_the_scope_to_grant() {
    let sim = sim().await;
    let app = sim.new_client(&["okta.users.read"], true).await;
    let client = OktaClient::new(sim.oauth_config_for(&app, &["okta.users.read"])).unwrap();
    client.verify().await.unwrap();
    let e = client.list_all("/api/v1/groups").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::MissingScope { scope: "okta.groups.read".into() });
    assert_eq!(e.status(), Some(403));
    assert!(e.to_string().contains("grant it"), "{e}");
    assert_eq!(client.stats().retries, 0);
}

#[tokio::test]
async fn the_token_endpoint_refusing_the_client_is_an_oauth_error() {
    let sim = sim().await;
    // Scopes the app was never granted.
    let app = sim.new_client(&["okta.users.read"], true).await;
    let client = OktaClient::new(sim.oauth_config_for(&app, &["okta.users.read", "okta.logs.read"])).unwrap();
    let e = client.verify().await.unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::OAuth { error, description } if error == "invalid_scope" && description.contains("okta.logs.read")),
        "{e}"
    );
    // The simulator's client id with another app's key.
    let mut config = sim.oauth_config();
    if let Credentials::PrivateKey { private_key_pem, key_id, .. } = &mut config.credentials {
        *private_key_pem = app.private_key_pem.clone().into();
        *key_id = None;
    }
    let client = OktaClient::new(config).unwrap();
    let e = client.get_json("/api/v1/users?limit=1").await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::OAuth { error, .. } if error == "invalid_client"), "{e}");
    assert_eq!(e.status(), Some(401));
    assert!(e.to_string().contains("private key"), "{e}");
    assert!(!e.to_string().contains("PRIVATE KEY"));
    assert_eq!(client.stats().retries, 0, "refusals are not retried");
}

#[tokio::test]
async fn the_token_endpoint_has_its_own_bucket_and_counts_requests() {
    let sim = sim_with(Options { rate_limits: RateLimitSettings::default(), ..Options::default() }).await;
    let client = OktaClient::new(sim.oauth_config()).unwrap();
    client.get_json("/api/v1/users?limit=1").await.unwrap();
    let s = client.stats();
    assert_eq!(s.requests, 3, "two token requests and one API request: {s:?}");
    assert_eq!(s.rate_limit_waits, 0);
}

#[tokio::test]
async fn an_access_token_refused_mid_scan_is_renewed_once() {
    use serde_json::json;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let api_calls = Arc::new(AtomicUsize::new(0));
    let calls = api_calls.clone();
    let stub = stub(std::time::Duration::ZERO, move |request, _| {
        if request.uri.starts_with("/oauth2/v1/token") {
            // Every token request carries a proof; the first has no nonce yet.
            let proof = request.header("dpop").expect("a DPoP proof on every token request");
            if !proof_has_nonce(&proof) {
                return json_reply(400, &[("dpop-nonce", "n1".into())], json!({"error": "use_dpop_nonce", "error_description": "nonce"}));
            }
            let n = request.body.matches("client_assertion=").count();
            assert_eq!(n, 1);
            return json_reply(200, &[], json!({"token_type": "DPoP", "access_token": format!("tok-{}", calls.load(Ordering::SeqCst)), "expires_in": 3600}));
        }
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            reply(401, &[("www-authenticate", r#"DPoP realm="x", error="invalid_token", error_description="The access token is invalid.""#.into())], "")
        } else {
            json_reply(200, &[], json!({"ok": true}))
        }
    })
    .await;
    let config = okta_client::ClientConfig::new(
        &stub.url,
        Credentials::PrivateKey {
            client_id: "0oa1".into(),
            private_key_pem: test_rsa_pem().into(),
            key_id: None,
            scopes: vec![],
        },
    );
    let client = OktaClient::new(config).unwrap();
    assert_eq!(client.get_json("/api/v1/users/00u1").await.unwrap(), json!({"ok": true}));
    let s = client.stats();
    // First token: challenge + retry; after the refusal a second token, with the remembered nonce.
    assert_eq!((s.token_requests, s.dpop_nonce_challenges, s.retries), (3, 1, 1), "{s:?}");
    let authorizations: Vec<String> = stub
        .recorded()
        .iter()
        .filter(|r| r.uri.starts_with("/api/"))
        .filter_map(|r| r.header("authorization"))
        .collect();
    assert_eq!(authorizations, ["DPoP tok-0", "DPoP tok-1"]);
    // Assertions are never reused, not even for the nonce retry.
    let assertions: Vec<String> = stub
        .recorded()
        .iter()
        .flat_map(|r| url::form_urlencoded::parse(r.body.as_bytes()).into_owned().collect::<Vec<_>>())
        .filter(|(k, _)| k == "client_assertion")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(assertions.len(), 3);
    let unique: std::collections::HashSet<&String> = assertions.iter().collect();
    assert_eq!(unique.len(), 3);
}
