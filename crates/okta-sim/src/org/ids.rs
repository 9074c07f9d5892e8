//! Okta-shaped object ids: a three-character kind prefix and random base62 to 20 characters.

use rand::Rng;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Okta ids are 20 characters; the SDKs' models are happiest with real-length ids.
pub const ID_LEN: usize = 20;

/// A fresh id with Okta's prefix for the kind: `00u` users, `00g` groups, `0oa` apps,
/// `00T` API tokens, `ra1` role assignments, `cr0` custom roles, `iam` resource sets,
/// `irb` bindings, `opf`/`ufs`/`mbl`/`sms` factors, `00o` the org.
pub fn okta_id(prefix: &str, rng: &mut impl Rng) -> String {
    let mut id = String::with_capacity(ID_LEN);
    id.push_str(prefix);
    while id.len() < ID_LEN {
        id.push(BASE62[rng.random_range(0..BASE62.len())] as char);
    }
    id
}

/// A random alphanumeric string of `len` characters (client ids, secrets, request ids).
pub fn alnum(len: usize, rng: &mut impl Rng) -> String {
    (0..len).map(|_| BASE62[rng.random_range(0..BASE62.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn ids_have_okta_length_and_prefix() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let id = okta_id("00u", &mut rng);
        assert_eq!(id.len(), ID_LEN);
        assert!(id.starts_with("00u"));
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
