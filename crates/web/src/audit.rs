/*!
Sightline's own audit trail: sign-ins (and failures), configuration, account, token and alert
changes, refused requests, and every SQL query, each with who, how, from where and how long.

Entries go through a bounded queue to one writer task, so recording never makes a request wait for
the store's write lock (a scan may hold it for seconds). A full queue drops the entry and says so
in the log at error level; nothing is dropped silently.
*/

use crate::auth::Caller;
use chrono::Utc;
use serde_json::Value;
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::mpsc;

/// How many entries may wait for the writer before new ones are dropped (and logged as dropped).
const QUEUE: usize = 10_000;
/// Entries written per transaction at most.
const BATCH: usize = 200;

/// Where handlers record what they did.
#[derive(Clone)]
pub struct AuditLog {
    queue: mpsc::Sender<store::AuditEntry>,
}

impl AuditLog {
    /// Starts the writer task (needs a Tokio runtime).
    pub fn start(store: store::Store) -> AuditLog {
        let (queue, mut entries) = mpsc::channel::<store::AuditEntry>(QUEUE);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while entries.recv_many(&mut batch, BATCH).await > 0 {
                let count = batch.len();
                if let Err(error) = store.record_audit(std::mem::take(&mut batch)).await {
                    tracing::error!(%error, count, "cannot write to the audit log; these entries are lost");
                }
            }
        });
        AuditLog { queue }
    }

    pub fn record(&self, entry: Entry) {
        let entry = entry.0;
        if let Err(error) = self.queue.try_send(entry) {
            let entry = match &error {
                mpsc::error::TrySendError::Full(e) | mpsc::error::TrySendError::Closed(e) => e,
            };
            tracing::error!(action = %entry.action, actor = %entry.actor, "audit log queue unavailable; entry dropped");
        }
    }
}

/// An entry being described.
pub struct Entry(store::AuditEntry);

/// An action by a signed-in caller (session or API token).
pub fn by(caller: &Caller, action: &str) -> Entry {
    let entry = as_actor(&caller.username, &caller.via, action);
    entry.client(caller.client_ip)
}

/// An action by someone not (yet) signed in, such as a failed sign-in.
pub fn as_actor(actor: &str, via: &str, action: &str) -> Entry {
    Entry(store::AuditEntry {
        seq: 0,
        at: Utc::now(),
        actor: actor.to_string(),
        via: via.to_string(),
        action: action.to_string(),
        target: None,
        outcome: "success".into(),
        client_ip: None,
        duration_ms: None,
        detail: Value::Object(Default::default()),
    })
}

impl Entry {
    pub fn target(mut self, target: impl Into<String>) -> Entry {
        self.0.target = Some(target.into());
        self
    }

    pub fn failed(mut self) -> Entry {
        self.0.outcome = "failure".into();
        self
    }

    pub fn denied(mut self) -> Entry {
        self.0.outcome = "denied".into();
        self
    }

    pub fn client(mut self, ip: Option<IpAddr>) -> Entry {
        self.0.client_ip = ip.map(|ip| ip.to_string());
        self
    }

    pub fn took(mut self, elapsed: Duration) -> Entry {
        self.0.duration_ms = Some(elapsed.as_millis().min(i64::MAX as u128) as i64);
        self
    }

    /// Adds a fact to `detail`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Entry {
        if let Value::Object(map) = &mut self.0.detail {
            map.insert(key.to_string(), value.into());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    #[test]
    fn an_entry_carries_the_caller_and_its_facts() {
        let caller = Caller {
            username: "ann".into(),
            role: Role::Analyst,
            csrf_token: "x".into(),
            via: "token:abc".into(),
            client_ip: Some("10.0.0.7".parse().unwrap()),
        };
        let entry = by(&caller, "alert.status").target("al_1").with("status", "acknowledged").failed().0;
        assert_eq!((entry.actor.as_str(), entry.via.as_str(), entry.outcome.as_str()), ("ann", "token:abc", "failure"));
        assert_eq!(entry.client_ip.as_deref(), Some("10.0.0.7"));
        assert_eq!(entry.detail["status"], "acknowledged");
        assert_eq!(entry.target.as_deref(), Some("al_1"));
    }
}
