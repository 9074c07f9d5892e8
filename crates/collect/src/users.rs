//! Users: the plain list (which leaves out deprovisioned users) and the deprovisioned ones.

use crate::context::{Scan, ScanError, ScanState, fail};
use crate::graph::{kind, label, sub_kind};
use okta_client::model::{User, parse};
use serde_json::Value;

const KIND: &str = "users";
/// Okta's plain user list omits DEPROVISIONED users; this filter lists exactly those.
const DEPROVISIONED: &str = "/api/v1/users?limit=200&filter=status%20eq%20%22DEPROVISIONED%22";

pub(crate) struct Fetched {
    users: Vec<Value>,
}

pub(crate) async fn fetch(scan: &Scan<'_>) -> Result<Fetched, ScanError> {
    scan.progress.started(KIND, None);
    let (mut users, deprovisioned) =
        futures::try_join!(scan.client.list_all("/api/v1/users?limit=200"), scan.client.list_all(DEPROVISIONED),)
            .map_err(fail(KIND))?;
    users.extend(deprovisioned);
    scan.progress.finished(KIND, users.len() as u64);
    Ok(Fetched { users })
}

pub(crate) fn load(state: &mut ScanState, fetched: Fetched) {
    let mut deprovisioned = 0;
    for raw in fetched.users {
        let Ok(user) = parse::<User>(raw) else {
            state.count("malformed_users_skipped", 1);
            continue;
        };
        let id = state.graph.id(&user.model.id);
        let name =
            if user.model.profile.login.is_empty() { user.model.id.clone() } else { user.model.profile.login.clone() };
        let status = user.model.status.clone();
        deprovisioned += (status == "DEPROVISIONED") as u64;
        let node = state.graph.add_node(&id, kind::IDENTITY, sub_kind::USER, &name, user.raw);
        label(node, "okta/status", status);
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
        load(&mut state, Fetched { users });
        let out = state.finish();
        let ann = out.nodes.iter().find(|n| n.name == "ann@acme.com").unwrap();
        assert_eq!((ann.kind.as_str(), ann.sub_kind.as_str()), ("identity", "okta_user"));
        assert_eq!(ann.labels["okta/status"], "ACTIVE");
        assert_eq!(out.counts["users"], 2);
        assert_eq!(out.counts["deprovisioned_users"], 1);
        assert_eq!(out.counts["malformed_users_skipped"], 1, "a user without an id is skipped, not fatal");
        let bob = out.nodes.iter().find(|n| n.name == "bob@acme.com").unwrap();
        assert_eq!(bob.properties["extra"], 1, "the raw object is kept");
    }
}
