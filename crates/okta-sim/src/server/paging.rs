//! Opaque `after` cursors and RFC 8288 `Link` headers.
//!
//! A cursor is the position after which the next page starts, sealed with an HMAC over the list it
//! belongs to, so a client can only follow cursors the simulator issued (a forged one is a 400, as
//! on Okta) and cannot learn or build positions.

use crate::server::error::OktaError;
use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::collections::BTreeMap;

const TAG_LEN: usize = 10;

/// Issues and checks cursors.
pub struct Cursors {
    key: hmac::Key,
}

impl Cursors {
    pub fn new(secret: &[u8]) -> Cursors {
        Cursors { key: hmac::Key::new(hmac::HMAC_SHA256, secret) }
    }

    /// A cursor for `positions` within the list named by `scope` (e.g. `users`, `groups/00g.../users`).
    pub fn seal(&self, scope: &str, positions: &[u64]) -> String {
        let mut payload: Vec<u8> = positions.iter().flat_map(|p| p.to_be_bytes()).collect();
        let tag = self.tag(scope, &payload);
        payload.extend_from_slice(&tag[..TAG_LEN]);
        URL_SAFE_NO_PAD.encode(payload)
    }

    /// The positions sealed in `cursor`, or a 400 when it was not issued for `scope`.
    pub fn open(&self, scope: &str, cursor: &str, arity: usize) -> Result<Vec<u64>, OktaError> {
        let invalid = || OktaError::validation("after: the cursor is not valid for this request");
        let raw = URL_SAFE_NO_PAD.decode(cursor.as_bytes()).map_err(|_| invalid())?;
        if raw.len() != arity * 8 + TAG_LEN {
            return Err(invalid());
        }
        let (payload, tag) = raw.split_at(arity * 8);
        if self.tag(scope, payload)[..TAG_LEN] != *tag {
            return Err(invalid());
        }
        Ok(payload.chunks(8).map(|c| u64::from_be_bytes(c.try_into().expect("8-byte chunk"))).collect())
    }

    fn tag(&self, scope: &str, payload: &[u8]) -> Vec<u8> {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(scope.as_bytes());
        ctx.update(&[0]);
        ctx.update(payload);
        ctx.sign().as_ref().to_vec()
    }
}

/// Query parameters of a request, in a stable order (for rebuilding `next` links).
pub type Params = BTreeMap<String, String>;

/// The page size from `limit`: the endpoint's default when absent, capped at its maximum as Okta does.
pub fn page_limit(params: &Params, default: usize, max: usize) -> Result<usize, OktaError> {
    match params.get("limit") {
        None => Ok(default),
        Some(raw) if raw.is_empty() => Ok(default),
        Some(raw) => {
            let value: i64 =
                raw.trim().parse().map_err(|_| OktaError::validation(format!("limit: '{raw}' is not a number")))?;
            if value < 0 {
                return Err(OktaError::validation("limit: must not be negative"));
            }
            Ok((value as usize).clamp(1, max))
        }
    }
}

/// `Link` header values: `self` for this request, and `next` with `after` set to `next_cursor`.
pub fn link_headers(base_url: &str, path: &str, params: &Params, next_cursor: Option<&str>) -> Vec<String> {
    let mut links = vec![format!("<{}>; rel=\"self\"", url_with(base_url, path, params, None))];
    if let Some(cursor) = next_cursor {
        links.push(format!("<{}>; rel=\"next\"", url_with(base_url, path, params, Some(cursor))));
    }
    links
}

/// `base_url + path` with `params`, `after` replaced by `after` when given.
pub fn url_with(base_url: &str, path: &str, params: &Params, after: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        if after.is_some() && k == "after" {
            continue;
        }
        query.append_pair(k, v);
    }
    if let Some(after) = after {
        query.append_pair("after", after);
    }
    let query = query.finish();
    if query.is_empty() { format!("{base_url}{path}") } else { format!("{base_url}{path}?{query}") }
}

/// One page out of `items`, which yield `(position, item)` with strictly increasing positions:
/// the items after position `after`, at most `limit`, and the position to continue from.
pub fn page<T>(items: impl Iterator<Item = (u64, T)>, after: Option<u64>, limit: usize) -> (Vec<T>, Option<u64>) {
    let mut out = Vec::with_capacity(limit.min(1024));
    let mut last = None;
    let mut items = items.skip_while(|(pos, _)| after.is_some_and(|a| *pos <= a));
    for (pos, item) in items.by_ref() {
        if out.len() == limit {
            // One more exists: the page is full and there is a next one.
            return (out, last);
        }
        out.push(item);
        last = Some(pos);
    }
    (out, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_forgery() {
        let cursors = Cursors::new(b"secret");
        let c = cursors.seal("users", &[42]);
        assert_eq!(cursors.open("users", &c, 1).unwrap(), vec![42]);
        assert!(cursors.open("groups", &c, 1).is_err(), "a cursor is bound to its list");
        assert!(cursors.open("users", "00u1abcdEFGHijklm0h7", 1).is_err());
        let mut forged = URL_SAFE_NO_PAD.decode(&c).unwrap();
        forged[7] ^= 1;
        assert!(cursors.open("users", &URL_SAFE_NO_PAD.encode(forged), 1).is_err());
    }

    #[test]
    fn pages_continue_where_they_stopped() {
        let items = || (0..5u64).map(|i| (i * 10, i));
        assert_eq!(page(items(), None, 2), (vec![0, 1], Some(10)));
        assert_eq!(page(items(), Some(10), 2), (vec![2, 3], Some(30)));
        assert_eq!(page(items(), Some(30), 2), (vec![4], None));
        assert_eq!(page(items(), Some(0), 4), (vec![1, 2, 3, 4], None), "a full last page has no next");
    }

    #[test]
    fn limits_default_and_cap() {
        let mut p = Params::new();
        assert_eq!(page_limit(&p, 200, 200).unwrap(), 200);
        p.insert("limit".into(), "5000".into());
        assert_eq!(page_limit(&p, 200, 200).unwrap(), 200);
        p.insert("limit".into(), "abc".into());
        assert!(page_limit(&p, 200, 200).is_err());
    }

    #[test]
    fn next_link_replaces_after() {
        let mut p = Params::new();
        p.insert("limit".into(), "2".into());
        p.insert("after".into(), "old".into());
        let links = link_headers("http://h", "/api/v1/users", &p, Some("new"));
        assert_eq!(links[1], "<http://h/api/v1/users?limit=2&after=new>; rel=\"next\"");
    }
}
