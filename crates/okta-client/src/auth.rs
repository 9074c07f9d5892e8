/*!
Credentials: SSWS API tokens, and OAuth 2.0 client credentials with `private_key_jwt` client
assertions and DPoP proofs (RFC 9449).

This module only signs and holds: the token request itself (with its `use_dpop_nonce` retry)
runs in [`crate::transport`], through the same governor and retries as every request.

- A client assertion is signed for **every** token request (the nonce retry included): Okta
  consumes its `jti` even when it answers `use_dpop_nonce`.
- The DPoP key is an ephemeral P-256 key made when the client is built; it never leaves memory.
- A DPoP proof is made for every request, with `htu` = scheme, host and path of the URL, without
  query or fragment, and, for API requests, `ath` = base64url(SHA-256(access token)).
- The access token is kept until about five minutes before it expires.
*/

use crate::config::{Credentials, DEFAULT_READ_SCOPES};
use crate::error::Error;
use aws_lc_rs::digest;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use url::Url;

/// Lifetime of a client assertion (Okta accepts at most one hour).
const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);
/// Renew an access token this long before it expires.
const TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// The longest `expires_in` believed: Okta's access tokens live an hour, and a larger answer (up
/// to `u64::MAX` seconds) must not overflow the clock.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// `client_assertion_type` of `private_key_jwt`.
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How requests are authenticated.
pub(crate) enum Auth {
    /// `Authorization: SSWS <token>`.
    Ssws(SecretString),
    /// OAuth 2.0 client credentials.
    OAuth(Box<OAuth>),
}

impl Auth {
    pub(crate) fn from_credentials(credentials: &Credentials, base: &Url) -> Result<Auth, Error> {
        match credentials {
            Credentials::ApiToken(token) => Ok(Auth::Ssws(token.clone())),
            Credentials::PrivateKey { client_id, private_key_pem, key_id, scopes } => {
                let (signing, alg) = load_signing_key(private_key_pem)?;
                let scopes: Vec<String> = if scopes.is_empty() {
                    DEFAULT_READ_SCOPES.iter().map(|s| s.to_string()).collect()
                } else {
                    scopes.iter().flat_map(|s| s.split_whitespace()).map(str::to_string).collect()
                };
                let token_url = base.join("/oauth2/v1/token").map_err(|e| Error::config(format!("token URL: {e}")))?;
                Ok(Auth::OAuth(Box::new(OAuth {
                    client_id: client_id.trim().to_string(),
                    signing,
                    alg,
                    key_id: key_id.as_ref().map(|k| k.trim().to_string()).filter(|k| !k.is_empty()),
                    scope: scopes.join(" "),
                    token_url,
                    dpop: DpopKey::generate()?,
                    token: tokio::sync::Mutex::new(None),
                    nonce: Mutex::new(None),
                })))
            }
        }
    }
}

/// Loads the client's private key: RSA (RS256) or EC P-256 / P-384 (ES256 / ES384), checked by
/// signing once so that a bad key fails at start-up, not at the first token request.
pub(crate) fn load_signing_key(pem: &SecretString) -> Result<(EncodingKey, Algorithm), Error> {
    let pem = pem.expose_secret().trim();
    let works = |key: &EncodingKey, alg: Algorithm| jsonwebtoken::encode(&Header::new(alg), &json!({}), key).is_ok();
    if let Ok(key) = EncodingKey::from_rsa_pem(pem.as_bytes())
        && works(&key, Algorithm::RS256)
    {
        return Ok((key, Algorithm::RS256));
    }
    if let Ok(key) = EncodingKey::from_ec_pem(pem.as_bytes()) {
        for alg in [Algorithm::ES256, Algorithm::ES384] {
            if works(&key, alg) {
                return Ok((key, alg));
            }
        }
    }
    let hint = if pem.contains("ENCRYPTED PRIVATE KEY") {
        "it is encrypted; export it without a passphrase (openssl pkcs8 -topk8 -nocrypt)"
    } else if pem.contains("BEGIN EC PRIVATE KEY") {
        "it is a SEC1 EC key; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem"
    } else if pem.contains("PUBLIC KEY") || pem.contains("CERTIFICATE") {
        "it is a public key or certificate; use the private key of the pair registered on the service app"
    } else if !pem.contains("-----BEGIN") {
        "it is not PEM text (expected '-----BEGIN PRIVATE KEY-----')"
    } else {
        "expected a PKCS#8 PEM RSA or EC (P-256/P-384) private key"
    };
    Err(Error::config(format!("the OAuth private key cannot be used: {hint}")))
}

/// OAuth client-credentials state of one client.
pub(crate) struct OAuth {
    pub(crate) client_id: String,
    signing: EncodingKey,
    alg: Algorithm,
    key_id: Option<String>,
    /// Space-separated scopes to request.
    pub(crate) scope: String,
    pub(crate) token_url: Url,
    dpop: DpopKey,
    /// The cached access token; the async lock makes concurrent callers wait for one token request.
    pub(crate) token: tokio::sync::Mutex<Option<Arc<AccessToken>>>,
    /// The latest `dpop-nonce` the token endpoint sent.
    nonce: Mutex<Option<String>>,
}

/// An access token from the token endpoint.
pub(crate) struct AccessToken {
    pub(crate) value: SecretString,
    /// `token_type: DPoP` (else Bearer): API requests then carry a proof with `ath`.
    pub(crate) dpop: bool,
    /// When to ask for a new one.
    pub(crate) refresh_at: Instant,
}

impl AccessToken {
    /// A token from the token endpoint's answer, or why it cannot be used.
    pub(crate) fn from_response(body: &serde_json::Value, now: Instant) -> Result<AccessToken, String> {
        let value = body
            .get("access_token")
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
            .ok_or("the token endpoint's answer has no access_token")?;
        let dpop = match body.get("token_type").and_then(|v| v.as_str()) {
            Some(t) if t.eq_ignore_ascii_case("DPoP") => true,
            Some(t) if t.eq_ignore_ascii_case("Bearer") => false,
            Some(other) => {
                return Err(format!(
                    "the token endpoint answered token_type '{}'",
                    other.chars().take(20).collect::<String>()
                ));
            }
            None => return Err("the token endpoint's answer has no token_type".into()),
        };
        let lifetime = Duration::from_secs(body.get("expires_in").and_then(|v| v.as_u64()).unwrap_or(3600))
            .min(MAX_TOKEN_LIFETIME);
        let margin = TOKEN_REFRESH_MARGIN.min(lifetime / 2);
        Ok(AccessToken { value: SecretString::from(value.to_string()), dpop, refresh_at: now + (lifetime - margin) })
    }

    pub(crate) fn is_fresh(&self, now: Instant) -> bool {
        now < self.refresh_at
    }
}

impl OAuth {
    /// A fresh `private_key_jwt` client assertion (new `jti`, `iat` now).
    pub(crate) fn client_assertion(&self) -> Result<String, Error> {
        let now = epoch_now();
        let claims = json!({
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_url.as_str(),
            "iat": now,
            "exp": now + ASSERTION_LIFETIME.as_secs(),
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        let mut header = Header::new(self.alg);
        header.kid = self.key_id.clone();
        jsonwebtoken::encode(&header, &claims, &self.signing)
            .map_err(|e| Error::config(format!("signing the client assertion failed: {}", e.kind_name())))
    }

    /// The form of a token request, with a fresh assertion.
    pub(crate) fn token_form(&self) -> Result<Vec<(&'static str, String)>, Error> {
        Ok(vec![
            ("grant_type", "client_credentials".to_string()),
            ("scope", self.scope.clone()),
            ("client_assertion_type", JWT_BEARER.to_string()),
            ("client_assertion", self.client_assertion()?),
        ])
    }

    /// A DPoP proof for a request; `access_token` adds `ath`, `nonce` the server's nonce.
    pub(crate) fn dpop_proof(
        &self,
        method: &str,
        url: &Url,
        nonce: Option<&str>,
        access_token: Option<&SecretString>,
    ) -> Result<String, Error> {
        self.dpop.proof(method, url, nonce, access_token.map(|t| t.expose_secret()))
    }

    pub(crate) fn nonce(&self) -> Option<String> {
        self.nonce.lock().expect("nonce lock").clone()
    }

    pub(crate) fn remember_nonce(&self, nonce: &str) {
        let nonce = nonce.trim();
        if !nonce.is_empty() {
            *self.nonce.lock().expect("nonce lock") = Some(nonce.to_string());
        }
    }
}

/// The ephemeral DPoP key pair.
struct DpopKey {
    key: EncodingKey,
    jwk: Jwk,
}

impl DpopKey {
    fn generate() -> Result<DpopKey, Error> {
        let failed = || Error::config("generating the DPoP key failed");
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(|_| failed())?;
        let der = pair.to_pkcs8v1().map_err(|_| failed())?;
        let key = EncodingKey::from_ec_der(der.as_ref());
        let jwk = Jwk::from_encoding_key(&key, Algorithm::ES256).map_err(|_| failed())?;
        Ok(DpopKey { key, jwk })
    }

    fn proof(&self, method: &str, url: &Url, nonce: Option<&str>, access_token: Option<&str>) -> Result<String, Error> {
        let mut claims = json!({
            "htm": method,
            "htu": htu(url),
            "iat": epoch_now(),
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        if let Some(token) = access_token {
            claims["ath"] = json!(ath(token));
        }
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("dpop+jwt".into());
        header.jwk = Some(self.jwk.clone());
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| Error::config(format!("signing the DPoP proof failed: {}", e.kind_name())))
    }
}

/// `htu` of a DPoP proof: scheme, host, port and path; never the query (it holds cursors) or fragment.
pub(crate) fn htu(url: &Url) -> String {
    format!("{}{}", url.origin().ascii_serialization(), url.path())
}

/// `ath` of a DPoP proof: base64url(SHA-256(access token)), unpadded.
pub(crate) fn ath(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, access_token.as_bytes()).as_ref())
}

fn epoch_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Names a jsonwebtoken error without its details.
trait KindName {
    fn kind_name(&self) -> String;
}

impl KindName for jsonwebtoken::errors::Error {
    fn kind_name(&self) -> String {
        format!("{:?}", self.kind()).chars().take_while(|c| c.is_alphanumeric()).collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use aws_lc_rs::encoding::AsDer;
    use jsonwebtoken::{DecodingKey, Validation};
    use serde_json::Value;

    pub(crate) fn pem_of(label: &str, der: &[u8]) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
        format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
    }

    pub(crate) fn rsa_pem() -> String {
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        pem_of("PRIVATE KEY", pair.as_der().unwrap().as_ref())
    }

    pub(crate) fn ec_pem() -> String {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        pem_of("PRIVATE KEY", pair.to_pkcs8v1().unwrap().as_ref())
    }

    fn oauth(pem: String, key_id: Option<&str>) -> OAuth {
        let credentials = Credentials::PrivateKey {
            client_id: "0oaclient".into(),
            private_key_pem: pem.into(),
            key_id: key_id.map(str::to_string),
            scopes: vec![],
        };
        match Auth::from_credentials(&credentials, &Url::parse("https://acme.okta.com").unwrap()).unwrap() {
            Auth::OAuth(o) => *o,
            Auth::Ssws(_) => unreachable!(),
        }
    }

    fn parts(jwt: &str) -> (Value, Value) {
        let mut it = jwt.split('.');
        let mut next = || serde_json::from_slice(&URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap()).unwrap();
        (next(), next())
    }

    #[test]
    fn rsa_and_ec_keys_pick_their_algorithm_and_bad_keys_are_config_errors() {
        let rsa = load_signing_key(&rsa_pem().into()).unwrap();
        assert_eq!(rsa.1, Algorithm::RS256);
        let ec = load_signing_key(&ec_pem().into()).unwrap();
        assert_eq!(ec.1, Algorithm::ES256);
        for bad in ["", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"] {
            let e = load_signing_key(&bad.to_string().into()).err().unwrap();
            assert!(matches!(e.kind(), crate::ErrorKind::Config(_)), "{bad}");
        }
        let sec1 = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n";
        let e = load_signing_key(&sec1.to_string().into()).err().unwrap();
        assert!(e.to_string().contains("openssl pkcs8"));
        assert!(!e.to_string().contains("MHcCAQEE"), "the key never appears in the error");
    }

    #[test]
    fn client_assertions_carry_okta_claims_and_a_new_jti_each_time() {
        let pem = rsa_pem();
        let o = oauth(pem, Some("kid-1"));
        assert_eq!(o.scope, DEFAULT_READ_SCOPES.join(" "));
        let a = o.client_assertion().unwrap();
        let b = o.client_assertion().unwrap();
        let (header, claims) = parts(&a);
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["kid"], "kid-1");
        assert_eq!(claims["iss"], "0oaclient");
        assert_eq!(claims["sub"], "0oaclient");
        assert_eq!(claims["aud"], "https://acme.okta.com/oauth2/v1/token");
        let (iat, exp) = (claims["iat"].as_u64().unwrap(), claims["exp"].as_u64().unwrap());
        assert!(exp > iat && exp - iat <= 3600);
        assert_ne!(claims["jti"], parts(&b).1["jti"]);
        // The EC flavour signs with ES256 and no kid when none is configured.
        let ec = oauth(ec_pem(), None);
        let (header, _) = parts(&ec.client_assertion().unwrap());
        assert_eq!(header["alg"], "ES256");
        assert!(header.get("kid").is_none_or(Value::is_null));
    }

    #[test]
    fn dpop_proofs_bind_method_url_without_query_and_the_token() {
        let o = oauth(ec_pem(), None);
        let url = Url::parse("https://acme.okta.com/api/v1/users?limit=200&after=abc#frag").unwrap();
        let token: SecretString = "access-token-value".into();
        let proof = o.dpop_proof("GET", &url, None, Some(&token)).unwrap();
        let (header, claims) = parts(&proof);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert!(header["jwk"].get("d").is_none(), "only the public key");
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["htu"], "https://acme.okta.com/api/v1/users");
        assert_eq!(claims["ath"], ath("access-token-value"));
        assert!(claims.get("nonce").is_none());
        // The proof verifies with the key in its own header.
        let jwk: Jwk = serde_json::from_value(header["jwk"].clone()).unwrap();
        let mut validation = Validation::new(Algorithm::ES256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        assert!(jsonwebtoken::decode::<Value>(&proof, &DecodingKey::from_jwk(&jwk).unwrap(), &validation).is_ok());
        // A token request's proof carries the nonce and no ath.
        let proof = o.dpop_proof("POST", &o.token_url, Some("n-1"), None).unwrap();
        let (_, claims) = parts(&proof);
        assert_eq!(claims["nonce"], "n-1");
        assert_eq!(claims["htu"], "https://acme.okta.com/oauth2/v1/token");
        assert!(claims.get("ath").is_none());
        assert_ne!(parts(&o.dpop_proof("GET", &url, None, None).unwrap()).1["jti"], claims["jti"]);
    }

    #[test]
    fn ath_is_unpadded_base64url_of_sha256() {
        // SHA-256("abc") = ba7816bf...; base64url without padding.
        assert_eq!(ath("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
        assert_eq!(
            htu(&Url::parse("http://127.0.0.1:8070/api/v1/logs?since=x").unwrap()),
            "http://127.0.0.1:8070/api/v1/logs"
        );
        assert_eq!(
            htu(&Url::parse("https://acme.okta.com:443/api/v1/users").unwrap()),
            "https://acme.okta.com/api/v1/users"
        );
    }

    #[test]
    fn token_answers_choose_the_scheme_and_the_refresh_time() {
        let now = Instant::now();
        let dpop =
            AccessToken::from_response(&json!({"token_type": "DPoP", "expires_in": 3600, "access_token": "t"}), now)
                .unwrap();
        assert!(dpop.dpop);
        assert_eq!(dpop.refresh_at, now + Duration::from_secs(3300));
        let bearer =
            AccessToken::from_response(&json!({"token_type": "Bearer", "expires_in": 60, "access_token": "t"}), now)
                .unwrap();
        assert!(!bearer.dpop);
        assert_eq!(bearer.refresh_at, now + Duration::from_secs(30));
        assert!(AccessToken::from_response(&json!({"token_type": "Bearer"}), now).is_err());
        assert!(AccessToken::from_response(&json!({"token_type": "MAC", "access_token": "t"}), now).is_err());
    }

    /// Found while writing the `okta_response` fuzz target (and reproduced with it): `now +
    /// expires_in` overflowed `Instant` and panicked on a token answer with a huge `expires_in`.
    #[test]
    fn an_absurd_expires_in_is_capped_not_a_panic() {
        let now = Instant::now();
        let token = AccessToken::from_response(
            &json!({"token_type": "Bearer", "expires_in": u64::MAX, "access_token": "t"}),
            now,
        )
        .unwrap();
        assert_eq!(token.refresh_at, now + MAX_TOKEN_LIFETIME - TOKEN_REFRESH_MARGIN);
    }
}
