//! The view of one stored event that rules read: its columns, and its raw JSON parsed only when a
//! rule asks for a field that is not a column.

use serde_json::Value;
use std::cell::OnceCell;
use store::StoredEvent;

/// One event as rules see it.
pub struct Observed<'a> {
    /// The stored row.
    pub row: &'a StoredEvent,
    raw: OnceCell<Value>,
}

impl<'a> Observed<'a> {
    /// Wraps a stored row.
    pub fn new(row: &'a StoredEvent) -> Observed<'a> {
        Observed { row, raw: OnceCell::new() }
    }

    /// The raw event as JSON (parsed on first use; `null` if it is not JSON).
    pub fn raw(&self) -> &Value {
        self.raw.get_or_init(|| serde_json::from_str(&self.row.raw).unwrap_or(Value::Null))
    }

    /// The value at `path` in the raw event, if present.
    pub fn raw_at(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(self.raw(), |value, key| value.get(key))
    }

    /// The string at `path` in the raw event, if it is a string.
    pub fn raw_str(&self, path: &[&str]) -> Option<&str> {
        self.raw_at(path).and_then(Value::as_str)
    }

    /// The string at `debugContext.debugData.<key>` of an Okta event.
    pub fn debug_data(&self, key: &str) -> Option<&str> {
        self.raw_str(&["debugContext", "debugData", key])
    }

    /// Whether this is an Okta System Log event.
    pub fn is_okta(&self) -> bool {
        self.row.source == "okta"
    }

    /// Whether this is an Okta event of exactly `event_type`.
    pub fn is_okta_type(&self, event_type: &str) -> bool {
        self.is_okta() && self.row.event_type == event_type
    }

    /// Whether it succeeded.
    pub fn succeeded(&self) -> bool {
        self.row.outcome == activity::outcome::SUCCESS
    }

    /// Whether it failed.
    pub fn failed(&self) -> bool {
        self.row.outcome == activity::outcome::FAILURE
    }

    /// Okta's own `outcome.result` (`SUCCESS`, `FAILURE`, `DENY`, `UNANSWERED`...).
    pub fn okta_result(&self) -> Option<&str> {
        self.raw_str(&["outcome", "result"])
    }

    /// The actor's login, else its id: the key for per-user rules.
    pub fn actor_key(&self) -> Option<&str> {
        self.row.actor.as_deref().or(self.row.actor_id.as_deref())
    }

    /// The person the actor resolved to, else the actor's login or id, lowercased.
    pub fn person_key(&self) -> Option<String> {
        self.row.person.clone().or_else(|| self.actor_key().map(str::to_lowercase))
    }

    /// The API token an Okta event was made with (`transaction.detail.requestApiTokenId`): such an
    /// event is a program's, made from wherever its server runs, not where its owner is. The text
    /// is checked first, since few events carry one.
    pub fn api_token_id(&self) -> Option<&str> {
        if !self.row.raw.contains("requestApiTokenId") {
            return None;
        }
        self.raw_str(&["transaction", "detail", "requestApiTokenId"])
    }

    /// The first target whose source type is `kind` (Okta's `User`, `AppInstance`...).
    pub fn target(&self, kind: &str) -> Option<&activity::Target> {
        self.row.targets.iter().find(|t| t.kind.as_deref() == Some(kind))
    }
}
