//! The key pair the simulator registers for its service app's `private_key_jwt` client.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;

/// A fresh RSA key: the PKCS#8 PEM for the client, the public JWK for the server.
pub struct ServiceKey {
    pub private_pem: String,
    pub public_jwk: Value,
    pub key_id: String,
}

impl ServiceKey {
    pub fn generate() -> Result<ServiceKey, String> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| "RSA key generation failed".to_string())?;
        let der = pair.as_der().map_err(|_| "RSA key encoding failed".to_string())?;
        let private_pem = pem::encode(&pem::Pem::new("PRIVATE KEY", der.as_ref().to_vec()));
        let components: PublicKeyComponents<Vec<u8>> = pair.public_key().into();
        let key_id = super::random_alnum(43);
        let public_jwk = json!({
            "kty": "RSA",
            "kid": key_id,
            "use": "sig",
            "alg": "RS256",
            "e": URL_SAFE_NO_PAD.encode(&components.e),
            "n": URL_SAFE_NO_PAD.encode(&components.n),
        });
        Ok(ServiceKey { private_pem, public_jwk, key_id })
    }
}

/// Writes a private key readable by its owner only.
pub fn write_private(path: &Path, pem: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(pem.as_bytes())
}
