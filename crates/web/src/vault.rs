/*!
Secrets at rest: Okta API tokens and private keys added through the web UI are stored encrypted
with AES-256-GCM (an authenticated cipher). The key is 32 random bytes in `secret.key` in the data
directory, created on first start readable by its owner only (0600), or given base64-encoded in
`SIGHTLINE_SECRET_KEY`. Each ciphertext is bound to its name (the associated data), so a value
copied to another name does not decrypt.
*/

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;
use std::sync::Arc;

/// The environment variable that may hold the key (base64 of 32 bytes).
pub const KEY_ENV: &str = "SIGHTLINE_SECRET_KEY";
/// The key file's name in the data directory.
pub const KEY_FILE: &str = "secret.key";
const VERSION: &str = "v1:";

/// Encrypts and decrypts secrets. Cheap to clone.
#[derive(Clone)]
pub struct Vault {
    key: Arc<LessSafeKey>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

impl Vault {
    /// The vault of a data directory: the key from [`KEY_ENV`], else from its [`KEY_FILE`],
    /// created (0600) when missing.
    pub fn open(data_dir: &Path) -> Result<Vault, String> {
        if let Ok(encoded) = std::env::var(KEY_ENV) {
            let bytes = STANDARD
                .decode(encoded.trim())
                .map_err(|_| format!("{KEY_ENV}: not base64; generate one with `head -c32 /dev/urandom | base64`"))?;
            return Vault::from_bytes(&bytes).map_err(|e| format!("{KEY_ENV}: {e}"));
        }
        let path = data_dir.join(KEY_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => Vault::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                rand::rng().fill_bytes(&mut bytes);
                write_owner_only(&path, &bytes).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                Vault::from_bytes(&bytes)
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    fn from_bytes(bytes: &[u8]) -> Result<Vault, String> {
        if bytes.len() != 32 {
            return Err(format!("the key must be 32 bytes, not {}", bytes.len()));
        }
        let key = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| "the key was refused".to_string())?;
        Ok(Vault { key: Arc::new(LessSafeKey::new(key)) })
    }

    /// Encrypts `secret` for storage under `name`.
    pub fn seal(&self, name: &str, secret: &SecretString) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut data = secret.expose_secret().as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(name.as_bytes()), &mut data)
            .expect("AES-GCM sealing does not fail for in-memory data");
        let mut out = nonce.to_vec();
        out.extend(data);
        format!("{VERSION}{}", STANDARD.encode(out))
    }

    /// Decrypts what [`Vault::seal`] stored under `name`.
    pub fn open_sealed(&self, name: &str, sealed: &str) -> Result<SecretString, String> {
        let undecryptable = || format!("the secret {name} cannot be decrypted: was the key ({KEY_FILE}) replaced?");
        let bytes = sealed.strip_prefix(VERSION).and_then(|b| STANDARD.decode(b).ok()).ok_or_else(undecryptable)?;
        if bytes.len() < NONCE_LEN {
            return Err(undecryptable());
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| undecryptable())?;
        let mut data = data.to_vec();
        let plain =
            self.key.open_in_place(nonce, Aad::from(name.as_bytes()), &mut data).map_err(|_| undecryptable())?;
        String::from_utf8(plain.to_vec()).map(SecretString::from).map_err(|_| undecryptable())
    }
}

fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_under_their_name_only_and_the_key_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(dir.path()).unwrap();
        let sealed = vault.seal("okta:acme", &SecretString::from("00abcSECRET"));
        assert!(!sealed.contains("SECRET"));
        assert_eq!(vault.open_sealed("okta:acme", &sealed).unwrap().expose_secret(), "00abcSECRET");
        assert!(vault.open_sealed("okta:other", &sealed).is_err());
        let reopened = Vault::open(dir.path()).unwrap();
        assert_eq!(reopened.open_sealed("okta:acme", &sealed).unwrap().expose_secret(), "00abcSECRET");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let other = tempfile::tempdir().unwrap();
        assert!(Vault::open(other.path()).unwrap().open_sealed("okta:acme", &sealed).is_err());
    }
}
