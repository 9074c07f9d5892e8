/*!
Entry points for the fuzz targets under `fuzz/` and the corpus regression tests: every parser of
what an Okta server sends, reachable without a network. Not part of the API; may change at any
time.
*/

use crate::error::{Error, parse_challenge};
use crate::governor::{self, BucketState};
use crate::model::{self, Parsed};
use crate::{auth, paging, transport};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::{Instant, SystemTime};

/// Reads one typed view the two ways it can be read: from the raw bytes and from a parsed value
/// (as [`model::parse`] does).
fn views<T: DeserializeOwned + Default + std::fmt::Debug>(body: &[u8], item: &Value) {
    let _ = serde_json::from_slice::<T>(body);
    match model::parse::<T>(item.clone()) {
        Ok(Parsed { model, .. }) => {
            let _ = format!("{model:?}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// What the client does with a 2xx body: JSON, the typed views of every object kind (of the
/// document and of each item of an array or of an object's arrays), IAM body paging, and the
/// token endpoint's answer.
pub fn response_body(body: &[u8]) {
    let Ok(json) = serde_json::from_slice::<Value>(body) else { return };
    let _ = paging::next_from_body(&json);
    let _ = auth::AccessToken::from_response(&json, Instant::now());
    let mut items = vec![json.clone()];
    match &json {
        Value::Array(list) => items.extend(list.iter().cloned()),
        Value::Object(object) => {
            for value in object.values() {
                if let Value::Array(list) = value {
                    items.extend(list.iter().cloned());
                }
            }
        }
        _ => {}
    }
    for item in items.iter().take(64) {
        views::<model::User>(body, item);
        views::<model::Group>(body, item);
        views::<model::GroupStats>(body, item);
        views::<model::App>(body, item);
        views::<model::AppUser>(body, item);
        views::<model::AppGroup>(body, item);
        views::<model::GroupOwner>(body, item);
        views::<model::RoleAssignment>(body, item);
        views::<model::CustomRole>(body, item);
        views::<model::Permission>(body, item);
        views::<model::ResourceSet>(body, item);
        views::<model::ResourceSetResource>(body, item);
        views::<model::Binding>(body, item);
        views::<model::BindingMember>(body, item);
        views::<model::Assignee>(body, item);
        views::<model::ApiToken>(body, item);
        views::<model::CatalogApp>(body, item);
    }
}

/// The error for a non-2xx answer, as the client would report it.
pub fn error_response(status: u16, www_authenticate: Option<&str>, body: &[u8], oauth: bool) -> Error {
    Error::from_response(status, www_authenticate, body, "/api/v1/users", oauth)
}

/// The parameters of a `WWW-Authenticate` challenge.
pub fn challenge(header: &str) -> Vec<(String, String)> {
    parse_challenge(header)
}

/// Every link of some `Link` header values: `(target, rels)`.
pub fn links<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<(String, Vec<String>)> {
    paging::parse_links(values).into_iter().map(|l| (l.target, l.rels)).collect()
}

/// Builds a header map from `(name, value)` pairs, skipping those HTTP would not carry.
pub fn header_map<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_bytes(value)) {
            map.append(name, value);
        }
    }
    map
}

/// What the client reads from a response's headers: the `next` link, the rate-limit headers (and
/// what the governor and the 429 wait make of them), and the `Date`.
pub fn response_headers(headers: &HeaderMap) -> Option<String> {
    let _ = governor::server_date(headers);
    let rate = governor::read_rate_headers(headers, SystemTime::now());
    let now = Instant::now();
    let mut state = BucketState::default();
    governor::observe(&mut state, rate, now, true);
    governor::observe(&mut state, rate, now, false);
    let _ = governor::decide(&state, 0.5, now);
    let _ = transport::wait_after_429(rate, 1, 0.5);
    paging::next_from_headers(headers)
}

/// The `okta_response` fuzz target: `data` as the body of a 2xx answer and of error answers.
pub fn fuzz_response(data: &[u8]) {
    response_body(data);
    for status in [400, 401, 403, 404, 429, 500, 503] {
        for oauth in [false, true] {
            let _ = error_response(status, None, data, oauth).to_string();
        }
    }
}

/// The `okta_headers` fuzz target: `data` as response headers, one `name: value` per line.
/// Checks that every link target is what stood between `<` and `>`, and relations are
/// lowercase words.
pub fn fuzz_headers(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let pairs: Vec<(&str, &str)> =
        text.lines().filter_map(|line| line.split_once(':')).map(|(n, v)| (n.trim(), v.trim())).collect();
    for (target, rels) in links(pairs.iter().map(|(_, v)| *v)) {
        assert!(!target.contains('>'), "link target {target:?} holds '>'");
        for rel in rels {
            assert!(!rel.is_empty() && !rel.chars().any(char::is_whitespace), "relation {rel:?}");
            assert_eq!(rel, rel.to_ascii_lowercase());
        }
    }
    let headers = header_map(pairs.iter().map(|(n, v)| (*n, v.as_bytes())));
    let _ = response_headers(&headers);
    for (_, value) in &pairs {
        let _ = challenge(value);
        for oauth in [false, true] {
            let _ = error_response(401, Some(value), b"", oauth).to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every input of a fuzz corpus (`fuzz/corpus/<target>/`).
    fn corpus(target: &str) -> Vec<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        let inputs: Vec<Vec<u8>> = entries.map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect();
        assert!(!inputs.is_empty(), "{} is empty", dir.display());
        inputs
    }

    #[test]
    fn the_okta_response_corpus_passes() {
        for input in corpus("okta_response") {
            fuzz_response(&input);
        }
    }

    #[test]
    fn the_okta_headers_corpus_passes() {
        for input in corpus("okta_headers") {
            fuzz_headers(&input);
        }
    }
}
