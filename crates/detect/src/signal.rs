//! What rules say: findings, their severity and the entity they are about.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// How bad an alert is, in increasing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nobody needs to act.
    Info,
    /// Look when convenient.
    Low,
    /// Look today.
    Medium,
    /// Look now.
    High,
    /// Someone may own the org: act now.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] =
        [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    /// The lowercase name (`info` ... `critical`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a lowercase or capitalised name; Sigma's `informational` is `info`.
    pub fn parse(name: &str) -> Option<Severity> {
        match name.trim().to_ascii_lowercase().as_str() {
            "info" | "informational" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }

    /// One step up (critical stays critical).
    pub fn raised(self) -> Severity {
        match self {
            Severity::Info => Severity::Low,
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an alert is about: one user, one IP, one session, the org... Alerts group by rule and
/// entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entity {
    /// `user`, `ip`, `session`, `person`, `token`, `idp`, `policy`, `zone`, `org`, `client`...
    pub kind: String,
    /// The user's login, the address, the session id...
    pub value: String,
}

impl Entity {
    /// An entity of `kind` named `value`.
    pub fn new(kind: &str, value: impl Into<String>) -> Entity {
        Entity { kind: kind.to_string(), value: value.into() }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.value)
    }
}

/// What a rule found in the events it has seen so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Who or what it is about; alerts group by rule and entity.
    pub entity: Entity,
    /// `None` keeps the rule's default severity.
    pub severity: Option<Severity>,
    /// One line for people: what happened, with the numbers.
    pub summary: String,
    /// The `seq` of every event behind this finding (the triggering one last).
    pub events: Vec<i64>,
    /// The Okta user id of the actor whose power matters (for graph context and the admin
    /// severity raise), when there is one.
    pub actor_id: Option<String>,
    /// The person it concerns, when known.
    pub person: Option<String>,
    /// Anything else an analyst needs (counts, addresses, the previous location...), as JSON.
    pub details: serde_json::Value,
}

impl Finding {
    /// A finding about `entity`, with no severity override, actor, person or details.
    pub fn new(entity: Entity, summary: impl Into<String>, events: Vec<i64>) -> Finding {
        Finding {
            entity,
            severity: None,
            summary: summary.into(),
            events,
            actor_id: None,
            person: None,
            details: serde_json::Value::Null,
        }
    }
}

/// A finding stamped with its rule, ready to become (or join) an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// The rule's id (`okta.brute_force.user`, or `sigma.<rule id>`).
    pub rule_id: String,
    /// The rule's title.
    pub title: String,
    /// The finding's severity, or the rule's.
    pub severity: Severity,
    /// When the triggering event happened.
    pub time: DateTime<Utc>,
    /// The `seq` of the event that triggered it.
    pub seq: i64,
    /// Signals for the same rule and entity within this long of each other join one alert.
    pub group_window: Duration,
    /// What was found.
    pub finding: Finding,
}
