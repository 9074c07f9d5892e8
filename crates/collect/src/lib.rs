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
        users::fetch(&scan),
        groups::fetch(&scan),
        apps::fetch(&scan),
        api_tokens::fetch(&scan),
        iam::fetch(&scan),
        roles::fetch_assignees(&scan),
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
        groups::fetch_members(&scan, state.groups.clone()),
        groups::fetch_owners(&scan, state.groups.clone()),
        apps::fetch_assignments(&scan, state.apps.clone()),
        roles::fetch_assignments(&scan, holders),
    );
    groups::load_members(&scan, &mut state, members)?;
    groups::load_owners(&scan, &mut state, owners)?;
    apps::load_assignments(&scan, &mut state, assignments)?;
    roles::load_assignments(&scan, &mut state, holdings)?;

    Ok(state.finish())
}
