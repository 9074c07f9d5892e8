//! Users: the plain list (which leaves out deprovisioned users) and the deprovisioned ones.

use crate::context::{Scan, ScanError, ScanState, fail, fold_pages};
use crate::graph::{kind, label, sub_kind};
use okta_client::model::{User, parse};
use serde_json::Value;
use serde_json::value::RawValue;

const KIND: &str = "users";
/// Okta's plain user list omits DEPROVISIONED users; this filter lists exactly those.
const DEPROVISIONED: &str = "/api/v1/users?limit=200&filter=status%20eq%20%22DEPROVISIONED%22";

/// A user as kept between fetch and load: what the graph needs, and the object as JSON text.
pub(crate) struct Compact {
    id: String,
    login: String,
    status: String,
    raw: Box<RawValue>,
}

pub(crate) struct Fetched {
    users: Vec<Compact>,
    malformed: u64,
}

/// Every page is reduced to JSON text as it arrives: a large org's users as parsed values would
/// take gigabytes.
fn compact(fetched: &mut Fetched, page: Vec<Value>) {
    for raw in page {
        match parse::<User>(raw) {
            Ok(user) => fetched.users.push(Compact {
                raw: serde_json::value::to_raw_value(&user.raw).expect("a JSON value serializes"),
                id: user.model.id,
                login: user.model.profile.login,
                status: user.model.status,
            }),
            Err(_) => fetched.malformed += 1,
        }
    }
}

pub(crate) async fn fetch(scan: &Scan<'_>) -> Result<Fetched, ScanError> {
    scan.progress.started(KIND, None);
    let empty = || Fetched { users: Vec::new(), malformed: 0 };
    let (mut active, deprovisioned) = futures::try_join!(
        fold_pages(scan.client, "/api/v1/users?limit=200", empty(), compact),
        fold_pages(scan.client, DEPROVISIONED, empty(), compact),
    )
    .map_err(fail(KIND))?;
    active.users.extend(deprovisioned.users);
    active.malformed += deprovisioned.malformed;
    scan.progress.finished(KIND, active.users.len() as u64);
    Ok(active)
}

pub(crate) fn load(state: &mut ScanState, fetched: Fetched) {
    let mut deprovisioned = 0;
    if fetched.malformed > 0 {
        state.count("malformed_users_skipped", fetched.malformed);
    }
    for user in fetched.users {
        let id = state.graph.id(&user.id);
        let name = if user.login.is_empty() { user.id.clone() } else { user.login };
        deprovisioned += (user.status == "DEPROVISIONED") as u64;
        let node = state.graph.add_node_raw(&id, kind::IDENTITY, sub_kind::USER, &name, user.raw);
        label(node, "okta/status", user.status);
        state.count(KIND, 1);
    }
    state.count("deprovisioned_users", deprovisioned);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn users_become_identities_named_by_login_with_their_status() {
        let mut state = ScanState::new("https://acme.okta.com");
        let users = vec![
            json!({"id": "00u1", "status": "ACTIVE", "profile": {"login": "ann@acme.com"}}),
            json!({"id": "00u2", "status": "DEPROVISIONED", "profile": {"login": "bob@acme.com"}, "extra": 1}),
            json!({"status": "ACTIVE"}),
        ];
        let mut fetched = Fetched { users: Vec::new(), malformed: 0 };
        compact(&mut fetched, users);
        load(&mut state, fetched);
        let out = state.finish();
        let ann = out.nodes.iter().find(|n| n.name == "ann@acme.com").unwrap();
        assert_eq!((ann.kind.as_str(), ann.sub_kind.as_str()), ("identity", "okta_user"));
        assert_eq!(ann.labels["okta/status"], "ACTIVE");
        assert_eq!(out.counts["users"], 2);
        assert_eq!(out.counts["deprovisioned_users"], 1);
        assert_eq!(out.counts["malformed_users_skipped"], 1, "a user without an id is skipped, not fatal");
        let bob = out.nodes.iter().find(|n| n.name == "bob@acme.com").unwrap();
        let properties: Value = serde_json::from_str(bob.properties.get()).unwrap();
        assert_eq!(properties["extra"], 1, "the raw object is kept");
    }
}
