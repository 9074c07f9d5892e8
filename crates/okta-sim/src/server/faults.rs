//! Fault injection: make chosen endpoints fail the ways real networks and servers do.

use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// What goes wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with this status and an Okta error body (5xx → E0000009).
    Status { status: u16 },
    /// Wait this long, then answer normally.
    Delay { ms: u64 },
    /// Never answer (the client must time out).
    Hang,
    /// 200 with a JSON body that does not parse.
    MalformedJson,
    /// The real response, cut off halfway.
    Truncated,
    /// 200 with an HTML page instead of JSON (a proxy or captive portal).
    Html,
    /// Headers, then the connection is dropped mid-body.
    Reset,
}

/// A fault on every request matching `method` and `path`, `times` times (for ever when absent).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default)]
    pub id: u64,
    /// `GET`, `POST`...; any method when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// The path: `*` matches one segment, a trailing `**` any rest (`/api/v1/groups/*/users`).
    pub path: String,
    #[serde(flatten)]
    pub fault: FaultKind,
    #[serde(default)]
    pub times: Option<u32>,
}

/// The active fault rules.
#[derive(Default)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
    next_id: Mutex<u64>,
}

impl Faults {
    pub fn add(&self, mut rule: FaultRule) -> u64 {
        let mut next = self.next_id.lock().expect("fault id lock");
        *next += 1;
        rule.id = *next;
        self.rules.lock().expect("faults lock").push(rule);
        *next
    }

    pub fn clear(&self) {
        self.rules.lock().expect("faults lock").clear();
    }

    pub fn list(&self) -> Vec<FaultRule> {
        self.rules.lock().expect("faults lock").clone()
    }

    /// The fault for this request, if any; counts it against the rule's `times`.
    pub fn take(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut rules = self.rules.lock().expect("faults lock");
        let position = rules.iter().position(|r| {
            r.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method)) && path_matches(&r.path, path)
        })?;
        let fault = rules[position].fault.clone();
        if let Some(times) = &mut rules[position].times {
            *times = times.saturating_sub(1);
            if *times == 0 {
                rules.remove(position);
            }
        }
        Some(fault)
    }
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pattern = pattern.trim_end_matches('/').split('/');
    let mut path = path.trim_end_matches('/').split('/');
    loop {
        match (pattern.next(), path.next()) {
            (Some("**"), _) => return true,
            (Some(p), Some(s)) if p == "*" || p == s => continue,
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_segments() {
        assert!(path_matches("/api/v1/groups/*/users", "/api/v1/groups/00g1/users"));
        assert!(!path_matches("/api/v1/groups/*/users", "/api/v1/groups/00g1/apps"));
        assert!(path_matches("/api/v1/**", "/api/v1/users/00u/roles"));
        assert!(!path_matches("/api/v1/users", "/api/v1/users/00u"));
    }

    #[test]
    fn counted_faults_expire() {
        let faults = Faults::default();
        let rule = FaultRule {
            id: 0,
            method: Some("GET".into()),
            path: "/api/v1/users".into(),
            fault: FaultKind::Status { status: 503 },
            times: Some(2),
        };
        faults.add(rule);
        assert!(faults.take("POST", "/api/v1/users").is_none());
        assert!(faults.take("GET", "/api/v1/users").is_some());
        assert!(faults.take("get", "/api/v1/users").is_some());
        assert!(faults.take("GET", "/api/v1/users").is_none());
    }

    #[test]
    fn rules_parse_from_json() {
        let rule: FaultRule = serde_json::from_str(r#"{"path":"/api/v1/logs","kind":"delay","ms":50}"#).unwrap();
        assert_eq!(rule.fault, FaultKind::Delay { ms: 50 });
    }
}
