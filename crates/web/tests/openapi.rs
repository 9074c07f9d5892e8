//! `docs/openapi.json` against the router: every route is documented with its method, nothing
//! documented is stale, each operation states the access its route has, and every `$ref` resolves.

use serde_json::Value;
use std::collections::BTreeSet;
use web::api::{API_ROUTES, Access};

/// Routes documented that the web crate does not serve (`sightline serve` adds them).
const SERVED_ELSEWHERE: &[(&str, &str)] = &[("GET", "/readyz"), ("GET", "/livez")];

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON: {e}"))
}

/// Every operation of the document: (METHOD, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let paths = doc["paths"].as_object().expect("the document has paths");
    let mut out = Vec::new();
    for (path, item) in paths {
        let item = item.as_object().unwrap_or_else(|| panic!("{path}: a path item is an object"));
        for (method, operation) in item {
            if METHODS.contains(&method.as_str()) {
                out.push((method.to_uppercase(), path.clone(), operation.clone()));
            }
        }
    }
    out
}

fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> Option<&'a Value> {
    doc["paths"].get(path)?.get(method.to_lowercase())
}

/// The alternatives of an operation's security requirements, each as its scheme names.
fn alternatives(operation: &Value) -> Vec<Vec<String>> {
    operation["security"]
        .as_array()
        .map(|alternatives| {
            alternatives
                .iter()
                .map(|a| a.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

/// A signed route's requirements: a session (with the CSRF header when it changes state), or an
/// API token; nothing else.
fn states_sign_in(operation: &Value, changes_state: bool) -> bool {
    let mut session = vec!["sessionCookie".to_string()];
    if changes_state {
        session.push("csrfToken".to_string());
    }
    let mut found: Vec<Vec<String>> = alternatives(operation)
        .into_iter()
        .map(|mut a| {
            a.sort();
            a
        })
        .collect();
    found.sort();
    session.sort();
    let mut expected = vec![session, vec!["apiToken".to_string()]];
    expected.sort();
    found == expected
}

#[test]
fn the_document_is_openapi_3_1_with_the_session_and_csrf_schemes() {
    let doc = document();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["sessionCookie"]["type"], "apiKey");
    assert_eq!(schemes["sessionCookie"]["in"], "cookie");
    assert_eq!(schemes["sessionCookie"]["name"], web::auth::COOKIE);
    assert_eq!(schemes["csrfToken"]["type"], "apiKey");
    assert_eq!(schemes["csrfToken"]["in"], "header");
    assert!(schemes["csrfToken"]["name"].as_str().unwrap().eq_ignore_ascii_case(web::auth::CSRF_HEADER));
    assert_eq!(
        (schemes["apiToken"]["type"].as_str(), schemes["apiToken"]["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );
}

#[test]
fn every_route_is_documented_with_its_method() {
    let doc = document();
    assert!(!API_ROUTES.is_empty());
    let missing: Vec<String> = API_ROUTES
        .iter()
        .filter(|route| operation(&doc, route.method, route.path).is_none())
        .map(|route| format!("{} {}", route.method, route.path))
        .collect();
    assert!(missing.is_empty(), "routes missing from docs/openapi.json: {missing:?}");
    for (method, path) in SERVED_ELSEWHERE {
        assert!(operation(&doc, method, path).is_some(), "{method} {path} is documented");
    }
}

#[test]
fn every_documented_operation_is_a_route() {
    let doc = document();
    let served: BTreeSet<(String, String)> = API_ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .chain(SERVED_ELSEWHERE.iter().map(|(m, p)| (m.to_string(), p.to_string())))
        .collect();
    let stale: Vec<String> = operations(&doc)
        .into_iter()
        .filter(|(method, path, _)| !served.contains(&(method.clone(), path.clone())))
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect();
    assert!(stale.is_empty(), "documented operations no route serves: {stale:?}");
    let ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "operation ids are unique");
}

#[test]
fn every_operation_states_the_access_of_its_route() {
    let doc = document();
    for route in API_ROUTES.iter() {
        let what = format!("{} {}", route.method, route.path);
        let op = operation(&doc, route.method, route.path).unwrap_or_else(|| panic!("{what} is documented"));
        for field in ["summary", "description"] {
            assert!(op[field].as_str().is_some_and(|s| !s.trim().is_empty()), "{what} has a {field}");
        }
        assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{what} has responses");
        let description = op["description"].as_str().unwrap().to_lowercase();
        match route.access {
            Access::Public => {
                assert_eq!(op["security"], serde_json::json!([]), "{what} is public: `security: []`");
            }
            Access::Signed(role) => {
                let changes_state = route.method != "GET";
                assert!(states_sign_in(op, changes_state), "{what}: a session or an API token: {}", op["security"]);
                assert!(
                    description.contains(role.as_str()),
                    "{what}: the description names the {} role",
                    role.as_str()
                );
                assert!(op["responses"].get("401").is_some(), "{what} documents 401");
                if changes_state {
                    assert!(description.contains("x-csrf-token"), "{what}: the description says it needs X-CSRF-Token");
                    assert!(op["responses"].get("403").is_some(), "{what} documents 403");
                }
            }
        }
    }
    for (method, path) in SERVED_ELSEWHERE {
        let op = operation(&doc, method, path).unwrap();
        assert_eq!(op["security"], serde_json::json!([]), "{method} {path} is public");
    }
}

/// Every `$ref` in `value`, with where it was found.
fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "$ref" {
                    out.push((at.to_string(), inner.as_str().unwrap_or_else(|| panic!("{at}: $ref is text")).into()));
                } else {
                    refs(inner, &format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                refs(inner, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_ref_resolves_to_a_component() {
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, "#", &mut found);
    assert!(!found.is_empty());
    for (at, target) in &found {
        assert!(target.starts_with("#/components/"), "{at}: {target} points outside the components");
        assert!(doc.pointer(&target[1..]).is_some(), "{at}: {target} does not exist");
    }
    // Discriminator mappings are references too.
    for schema in doc["components"]["schemas"].as_object().unwrap().values() {
        if let Some(mapping) = schema["discriminator"]["mapping"].as_object() {
            for target in mapping.values().filter_map(Value::as_str) {
                assert!(doc.pointer(target.trim_start_matches('#')).is_some(), "mapping to {target} resolves");
            }
        }
    }
}
