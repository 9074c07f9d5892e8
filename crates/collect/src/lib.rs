//! The Okta resource scan: reads a whole org through [`okta_client::OktaClient`] into one graph
//! snapshot (nodes and edges) for the store.
//!
//! One module per resource kind, each `fetch` (only HTTP, through the client's governor) →
//! `transform` (pure: Okta JSON to nodes and edges) → `load` (into the [`GraphBuilder`]). The
//! scan writes nothing itself: the caller hands the finished snapshot to the store, which
//! replaces the org's previous one in one transaction, so a failed scan changes nothing.
//!
//! Invariants: collectors never sleep, retry or parse `Link` headers (the client does); an object
//! deleted mid-scan is skipped with a warning; a kind the org lacks (E0000015) is skipped with a
//! warning; any other error fails the scan with the kind it happened in.

#![deny(missing_docs)]

/// Access paths derived from a snapshot.
pub mod access;
mod api_tokens;
mod apps;
mod context;
/// Control edges: what each admin can do to which users, groups and apps.
pub mod control;
/// Escalation paths: who can become whom, and reach privileged targets.
pub mod escalation;
/// Node and edge conventions of the access graph.
pub mod graph;
mod groups;
mod iam;
/// Progress reporting.
pub mod progress;
mod roles;
mod users;

pub use access::access_paths;
pub use context::{ScanError, ScanOptions, ScanOutput};
pub use graph::GraphBuilder;
pub use progress::{Progress, Silent};

use context::{Scan, ScanState};
use okta_client::OktaClient;
use std::future::Future;
use std::time::Instant;

/// Histogram: how long reading one resource kind took, by `integration` and `kind` (a fixed list:
/// `users`, `groups`, `apps`, `api_tokens`, `iam`, `admin_assignees`, `group_members`,
/// `group_owners`, `app_assignments`, `role_assignments`). Kinds read together overlap in time.
pub const KIND_DURATION: &str = "sightline_scan_kind_duration_seconds";

/// Describes this crate's metrics to the installed recorder (call once, after installing it).
pub fn describe_metrics() {
    metrics::describe_histogram!(
        KIND_DURATION,
        metrics::Unit::Seconds,
        "Time to read one Okta resource kind during a scan, by integration and kind."
    );
}

/// Runs `read` and records how long it took under `kind`, when it succeeded (a failed kind fails
/// the scan, which the caller counts).
async fn timed<T, E>(scan: &Scan<'_>, kind: &'static str, read: impl Future<Output = Result<T, E>>) -> Result<T, E> {
    let started = Instant::now();
    let result = read.await;
    if result.is_ok() {
        record_kind(scan, kind, started);
    }
    result
}

/// [`timed`] for per-object listings, which report failures per object rather than failing.
async fn timed_all<T>(scan: &Scan<'_>, kind: &'static str, read: impl Future<Output = T>) -> T {
    let started = Instant::now();
    let output = read.await;
    record_kind(scan, kind, started);
    output
}

fn record_kind(scan: &Scan<'_>, kind: &'static str, started: Instant) {
    let integration = scan.client.integration().unwrap_or_default().to_string();
    metrics::histogram!(KIND_DURATION, "integration" => integration, "kind" => kind)
        .record(started.elapsed().as_secs_f64());
}

/// Scans the org behind `client`.
pub async fn scan(
    client: &OktaClient,
    progress: &dyn Progress,
    options: &ScanOptions,
) -> Result<ScanOutput, ScanError> {
    let scan = Scan { client, progress, concurrency: options.concurrency.max(1) };
    let mut state = ScanState::new(client.org_url());

    // Lists that need nothing from each other run together.
    let (users, groups, apps, tokens, iam, assignees) = futures::try_join!(
        timed(&scan, "users", users::fetch(&scan)),
        timed(&scan, "groups", groups::fetch(&scan)),
        timed(&scan, "apps", apps::fetch(&scan)),
        timed(&scan, "api_tokens", api_tokens::fetch(&scan)),
        timed(&scan, "iam", iam::fetch(&scan)),
        timed(&scan, "admin_assignees", roles::fetch_assignees(&scan)),
    )?;
    users::load(&mut state, users);
    groups::load(&mut state, groups);
    apps::load(&mut state, apps);
    api_tokens::load(&mut state, tokens);
    iam::load(&mut state, iam);

    // Per-object listings run together too: each draws on its own rate-limit buckets (group
    // members on /groups/{id}, app assignments on the small /apps bucket), so run one after the
    // other the scan would take the sum of their floors instead of the largest.
    let holders = roles::holders(&state, &assignees);
    let (members, owners, assignments, holdings) = futures::join!(
        timed_all(&scan, "group_members", groups::fetch_members(&scan, state.groups.clone())),
        timed_all(&scan, "group_owners", groups::fetch_owners(&scan, state.groups.clone())),
        timed_all(&scan, "app_assignments", apps::fetch_assignments(&scan, state.apps.clone())),
        timed_all(&scan, "role_assignments", roles::fetch_assignments(&scan, holders)),
    );
    groups::load_members(&scan, &mut state, members)?;
    groups::load_owners(&scan, &mut state, owners)?;
    apps::load_assignments(&scan, &mut state, assignments)?;
    roles::load_assignments(&scan, &mut state, holdings)?;

    Ok(state.finish())
}
