//! API tokens: identities that act with their creator's power.

use crate::context::{Scan, ScanError, ScanState, fail};
use crate::graph::{edge, kind, label, sub_kind};
use okta_client::model::{ApiToken, parse};
use serde_json::{Value, json};

const KIND: &str = "api tokens";

pub(crate) struct Fetched {
    tokens: Vec<Value>,
}

pub(crate) async fn fetch(scan: &Scan<'_>) -> Result<Fetched, ScanError> {
    scan.progress.started(KIND, None);
    let tokens = scan.client.list_all("/api/v1/api-tokens?limit=200").await.map_err(fail(KIND))?;
    scan.progress.finished(KIND, tokens.len() as u64);
    Ok(Fetched { tokens })
}

pub(crate) fn load(state: &mut ScanState, fetched: Fetched) {
    for raw in fetched.tokens {
        let Ok(token) = parse::<ApiToken>(raw) else { continue };
        let t = token.model;
        let id = state.graph.id(&t.id);
        let name = if t.name.is_empty() { t.id.clone() } else { t.name.clone() };
        let node = state.graph.add_node(&id, kind::IDENTITY, sub_kind::API_TOKEN, &name, token.raw);
        label(node, "okta/network", t.network.connection.clone());
        if !t.user_id.is_empty() {
            let owner = state.graph.id(&t.user_id);
            state.graph.add_edge(&id, edge::ACTS_AS, &owner, json!({}));
        }
        state.count("api_tokens", 1);
    }
}
