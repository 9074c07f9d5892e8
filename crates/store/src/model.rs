//! The plain data the store takes and gives back.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// A node of the access graph (a row of `nodes`).
#[derive(Debug, Clone)]
pub struct Node {
    /// Unique across every org in the store (collectors prefix Okta ids with the org).
    pub id: String,
    /// The layer in the graph: `identity`, `identity_group`, `action`, `resource_group`, `resource`.
    pub kind: String,
    /// What it is in Okta: `okta_user`, `okta_group`, `okta_app`, ...
    pub sub_kind: String,
    /// Display name (login, group name, app label, ...).
    pub name: String,
    /// Labels; every Okta node carries `teleport.dev/origin` and `okta/org`.
    pub labels: Map<String, Value>,
    /// The Okta fields, as JSON text: a large org has hundreds of thousands of nodes, and a
    /// parsed `Value` takes several times the memory of its text.
    pub properties: Box<serde_json::value::RawValue>,
}

impl PartialEq for Node {
    fn eq(&self, other: &Node) -> bool {
        self.id == other.id
            && self.kind == other.kind
            && self.sub_kind == other.sub_kind
            && self.name == other.name
            && self.labels == other.labels
            && self.properties.get() == other.properties.get()
    }
}

/// An edge of the access graph (a row of `edges`).
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Unique across every org in the store.
    pub id: String,
    /// The node it starts from.
    pub from_id: String,
    /// The node it points to.
    pub to_id: String,
    /// `member_of`, `assigned`, ...
    pub kind: String,
    /// Extra facts about the relation.
    pub properties: Value,
}

/// One row of `access_path`: an identity, a resource it reaches, the action, and every route.
///
/// Large orgs have millions of rows, so the texts that repeat from row to row are shared
/// (`Arc<str>`) and the JSON columns are kept as JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessPath {
    /// The Okta login, token name or service app label.
    pub identity: Arc<str>,
    /// The identity's node id.
    pub identity_id: Arc<str>,
    /// The identity's `sub_kind` (`okta_user`, `okta_api_token`, `okta_service_app`).
    pub identity_kind: Arc<str>,
    /// The app label, group name, or org URL reached.
    pub resource: Arc<str>,
    /// The resource's node id.
    pub resource_id: Arc<str>,
    /// The resource's `sub_kind`.
    pub resource_kind: Arc<str>,
    /// The resource's labels as a JSON object (so the contract's `resource_labels @> ...` queries work).
    pub resource_labels: Arc<str>,
    /// `member`, `access`, or the admin role's label.
    pub action: Arc<str>,
    /// `ALLOWED` or `DENIED`.
    pub kind: &'static str,
    /// Why a path is `DENIED`.
    pub reason: Option<&'static str>,
    /// Standing (not time-bound) routes behind the row.
    pub standing_privileges: i64,
    /// Time-bound routes behind the row.
    pub temporary_privileges: i64,
    /// Every route, as a JSON array of objects (`direct`, or the group, role assignment, owner...).
    pub via: String,
}

/// One row of `escalation_path`: one shortest chain of control and access steps by which an
/// identity could come to hold a privileged target (an admin role or a crown jewel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationRow {
    /// The identity's login, token name or service app label.
    pub identity: Arc<str>,
    /// The identity's node id.
    pub identity_id: Arc<str>,
    /// The identity's `sub_kind` (`okta_user`, `okta_api_token`, `okta_service_app`).
    pub identity_kind: Arc<str>,
    /// The target's name: a role label, an app label, a group name.
    pub target: Arc<str>,
    /// The target's node id (`okta:<org host>:role:<TYPE>` for a standard role).
    pub target_id: Arc<str>,
    /// `super_admin`, `org_admin`, `admin_role` or `crown_jewel`.
    pub target_kind: &'static str,
    /// The number of steps in `chain`.
    pub length: u32,
    /// The steps, as a JSON array of objects (stored as `jsonb`).
    pub chain: String,
    /// Whether some equally short chains of this identity to this target were left out.
    pub truncated: bool,
}

/// One row of `control_edge`: an identity's power over a user, group, app or the org, granted by
/// one admin role assignment. Kept so that the next scan can compare who controls what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRow {
    /// The identity that acts.
    pub from_id: Arc<str>,
    /// What it controls.
    pub to_id: Arc<str>,
    /// `reset_credentials`, `manage_membership`, `manage_app_assignments`, `assign_roles`, ...
    pub capability: &'static str,
    /// What `to_id` stands for: `object`, `members` or `all`.
    pub scope: &'static str,
    /// Whether the power reaches users and groups that hold admin roles.
    pub over_admins: bool,
    /// The role assignment node that grants it.
    pub via_role: Arc<str>,
    /// The group through which the identity holds that assignment, if not directly.
    pub via_group: Option<Arc<str>>,
    /// The Okta rule behind it, in words.
    pub reason: &'static str,
}

/// One row of `crown_jewel_reach`: how one identity stood to one crown jewel at a scan (`access`,
/// `control` or `escalation`). The next scan compares its own reach with these rows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JewelReachRow {
    /// The jewel's node id (or role id, as in escalation rows).
    pub jewel_id: Arc<str>,
    /// The jewel's name.
    pub jewel_name: Arc<str>,
    /// The identity's node id.
    pub identity_id: Arc<str>,
    /// The identity's login or name.
    pub identity: Arc<str>,
    /// `access`, `control` or `escalation`.
    pub how: Arc<str>,
}

/// Everything a scan derives from its snapshot, written with it in one transaction by
/// [`Store::replace_snapshot_with_derived`](crate::Store::replace_snapshot_with_derived). Each
/// table's rows of the org are replaced whole: an empty list leaves the org none.
#[derive(Debug, Clone, Default)]
pub struct DerivedRows {
    /// Rows of `access_path`.
    pub access_paths: Vec<AccessPath>,
    /// Rows of `escalation_path`.
    pub escalation_paths: Vec<EscalationRow>,
    /// Rows of `control_edge`.
    pub control_edges: Vec<ControlRow>,
    /// Rows of `crown_jewel_reach`.
    pub jewel_reach: Vec<JewelReachRow>,
}

/// A configured Okta integration and its sync status (a row of `integrations`).
#[derive(Debug, Clone, PartialEq)]
pub struct Integration {
    /// The name from the configuration; the key.
    pub name: String,
    /// The org URL, e.g. `https://acme.okta.com`.
    pub org_url: String,
    /// Whether the resource scan is on.
    pub resources: bool,
    /// Whether System Log export is on.
    pub system_log: bool,
    /// `configured` (never ran), `syncing` (a run is going), `ok` (every kind's last run
    /// succeeded) or `error`. Maintained by the runs once the integration exists.
    pub status: String,
    /// When a run last succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// The error of the last failed run (kept after a later success; `status` says what is current).
    pub last_error: Option<String>,
    /// When the row was last written.
    pub updated_at: DateTime<Utc>,
}

/// What a sync run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunKind {
    /// A resource scan (stored as `resources`).
    Resources,
    /// A System Log catch-up (stored as `logs`).
    Logs,
}

impl RunKind {
    /// The stored name: `resources` or `logs`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Resources => "resources",
            RunKind::Logs => "logs",
        }
    }

    /// The kind with this stored name.
    pub fn parse(name: &str) -> Option<RunKind> {
        match name {
            "resources" => Some(RunKind::Resources),
            "logs" => Some(RunKind::Logs),
            _ => None,
        }
    }
}

/// How a run ended, given to [`Store::finish_run`](crate::Store::finish_run).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunOutcome {
    /// Whether the run succeeded.
    pub succeeded: bool,
    /// Objects seen, per kind (`users`, `groups`, ...).
    pub counts: BTreeMap<String, u64>,
    /// Okta API requests made.
    pub api_calls: u64,
    /// How many times the run waited for a rate-limit window.
    pub rate_limit_waits: u64,
    /// How long it waited in total, in milliseconds.
    pub rate_limit_wait_ms: u64,
    /// Why it failed.
    pub error: Option<String>,
}

/// A recorded sync run (a row of `sync_runs`).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The run id returned by [`Store::start_run`](crate::Store::start_run).
    pub id: i64,
    /// The integration's name.
    pub integration: String,
    /// What the run does.
    pub kind: RunKind,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished, if it has.
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    /// Objects seen, per kind.
    pub counts: BTreeMap<String, u64>,
    /// Okta API requests made.
    pub api_calls: u64,
    /// Rate-limit waits.
    pub rate_limit_waits: u64,
    /// Time spent in rate-limit waits, in milliseconds.
    pub rate_limit_wait_ms: u64,
    /// Why it failed.
    pub error: Option<String>,
    /// The last progress report (free-form JSON, `{}` until the first one).
    pub progress: Value,
}

/// How many rows a snapshot replace wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SnapshotCounts {
    /// Nodes written.
    pub nodes: u64,
    /// Edges written.
    pub edges: u64,
}

/// Limits on one user query. The default: 10 seconds and 100,000 rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// The query is interrupted (error [`ErrorKind::Timeout`](crate::ErrorKind::Timeout)) after this long.
    pub timeout: Duration,
    /// At most this many rows are returned; `truncated` says when there were more.
    pub max_rows: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits { timeout: Duration::from_secs(10), max_rows: 100_000 }
    }
}

/// The rows of a user query, shaped like PostgreSQL's answer.
///
/// Values map as PostgreSQL's would: `jsonb` columns (such as `labels`) are JSON values, booleans
/// are `true`/`false`, numbers are numbers, text is a string, SQL NULL is `null`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryResult {
    /// Column names, as PostgreSQL names them (`?column?` for an unnamed expression).
    pub columns: Vec<String>,
    /// The rows, each with one value per column.
    pub rows: Vec<Vec<Value>>,
    /// Whether rows were left out because of [`QueryLimits::max_rows`].
    pub truncated: bool,
}

/// An event to store: a normalised event and what the pipeline resolved about it.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The normalised event (its `(source, uuid)` is its identity: storing it twice keeps one).
    pub event: activity::Event,
    /// The person the actor resolved to (the Okta login, lowercased), if any.
    pub person: Option<String>,
    /// The configured integration it came through (`None` for `sightline ingest` files).
    pub integration: Option<String>,
}

/// What one page (or file chunk) of a stream brings, written in one transaction.
#[derive(Debug, Clone, Default)]
pub struct EventBatch {
    /// Normalised events.
    pub events: Vec<NewEvent>,
    /// Records that could not be normalised: kept with the reason, never dropped.
    pub rejected: Vec<RejectedEvent>,
    /// Where the stream continues after this batch.
    pub cursor: Option<CursorUpdate>,
}

/// A record that could not be normalised (a row of `rejected_events`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedEvent {
    /// `okta`, `aws_cloudtrail`, `github` or `teleport`.
    pub source: String,
    /// The stream or file it came from.
    pub stream: Option<String>,
    /// Why it was refused.
    pub reason: String,
    /// The record as received (text).
    pub raw: String,
}

/// Where a log stream has got to: stored with the events of the same page, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorUpdate {
    /// The stream, e.g. `okta:acme` (one per integration and source).
    pub stream: String,
    /// What to ask for next (the System Log's `next` URL, an API cursor).
    pub cursor: String,
}

/// What [`Store::append_events`](crate::Store::append_events) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AppendOutcome {
    /// Events stored.
    pub inserted: u64,
    /// Events already stored (same source and uuid), left as they were.
    pub duplicates: u64,
    /// Records kept in `rejected_events`.
    pub rejected: u64,
}

/// A stored log cursor (a row of `log_cursors`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogCursor {
    /// The stream.
    pub stream: String,
    /// What to ask for next.
    pub cursor: String,
    /// Events stored through this stream.
    pub events: u64,
    /// The time of the newest event stored through it.
    pub last_time: Option<DateTime<Utc>>,
    /// When the cursor last moved.
    pub updated_at: DateTime<Utc>,
}

/// A user known to the Okta snapshot, for resolving people across sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OktaPerson {
    /// The Okta user id (`00u...`).
    pub okta_id: String,
    /// The login (`profile.login`).
    pub login: String,
    /// The primary email (`profile.email`), if any.
    pub email: Option<String>,
}

/// A stored event read back in `seq` order, for detections: the columns rules look at, and the
/// raw event for everything else.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoredEvent {
    /// Position in the store: later events have larger numbers (commit order on both backends).
    pub seq: i64,
    /// `okta`, `aws_cloudtrail`, `github`, `teleport` or `sightline`.
    pub source: String,
    /// The source's id for the event.
    pub uuid: String,
    /// When it happened.
    pub time: DateTime<Utc>,
    /// The source's event type (`user.session.start`, `ConsoleLogin`...).
    pub event_type: String,
    /// Our category (`authentication`, `iam`...).
    pub category: String,
    /// `success`, `failure` or `unknown`.
    pub outcome: String,
    /// Why, as the source says (`INVALID_CREDENTIALS`...).
    pub outcome_reason: Option<String>,
    /// The source's severity, if it has one.
    pub severity: Option<String>,
    /// The source's id for the actor.
    pub actor_id: Option<String>,
    /// `user`, `service`, `role`, `system`, `ip` or `other`.
    pub actor_kind: Option<String>,
    /// The actor's login.
    pub actor: Option<String>,
    /// The actor's display name.
    pub actor_name: Option<String>,
    /// The person the actor resolved to.
    pub person: Option<String>,
    /// What the event acted on.
    pub targets: Vec<activity::Target>,
    /// Client address.
    pub ip: Option<String>,
    /// City of the client.
    pub city: Option<String>,
    /// Country of the client.
    pub country: Option<String>,
    /// Latitude of the client.
    pub latitude: Option<f64>,
    /// Longitude of the client.
    pub longitude: Option<f64>,
    /// Autonomous system of the client.
    pub asn: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// Session id.
    pub session: Option<String>,
    /// Message for people.
    pub message: Option<String>,
    /// The event as received (JSON text).
    pub raw: String,
}

impl StoredEvent {
    /// The row `new` becomes once stored as `seq` (what reading it back gives).
    pub fn from_new(seq: i64, new: &NewEvent) -> StoredEvent {
        let e = &new.event;
        let location = e.location.clone().unwrap_or_default();
        StoredEvent {
            seq,
            source: e.source.as_str().to_string(),
            uuid: e.uuid.clone(),
            time: e.time,
            event_type: e.event_type.clone(),
            category: e.category.to_string(),
            outcome: e.outcome.to_string(),
            outcome_reason: e.outcome_reason.clone(),
            severity: e.severity.clone(),
            actor_id: e.actor.id.clone(),
            actor_kind: e.actor.kind.clone(),
            actor: e.actor.login.clone(),
            actor_name: e.actor.display_name.clone(),
            person: new.person.clone(),
            targets: e.targets.clone(),
            ip: e.ip.clone(),
            city: location.city,
            country: location.country,
            latitude: location.latitude,
            longitude: location.longitude,
            asn: e.asn.clone(),
            user_agent: e.user_agent.clone(),
            session: e.session.clone(),
            message: e.message.clone(),
            raw: e.raw.get().to_string(),
        }
    }
}
