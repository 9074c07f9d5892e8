//! What every collector shares: the client, progress, the graph being built, counts and warnings.

use crate::graph::GraphBuilder;
use crate::progress::Progress;
use okta_client::{ErrorKind, OktaClient};
use std::collections::{BTreeMap, HashMap};
use store::{Edge, Node};

/// Scan settings.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Per-object listings in flight at once (the client's own cap still applies).
    pub concurrency: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions { concurrency: 8 }
    }
}

/// A finished scan.
#[derive(Debug)]
pub struct ScanOutput {
    /// Every node of the org, the org node included.
    pub nodes: Vec<Node>,
    /// Every edge whose ends are both nodes.
    pub edges: Vec<Edge>,
    /// Objects seen per kind.
    pub counts: BTreeMap<String, u64>,
    /// What was skipped and why.
    pub warnings: Vec<String>,
}

/// Why a scan failed: the kind being read and the client's error.
#[derive(Debug, thiserror::Error)]
#[error("reading {kind}")]
pub struct ScanError {
    /// The resource kind being read, e.g. `group members`.
    pub kind: &'static str,
    /// What the Okta client reported.
    #[source]
    pub source: okta_client::Error,
}

pub(crate) fn fail(kind: &'static str) -> impl FnOnce(okta_client::Error) -> ScanError {
    move |source| ScanError { kind, source }
}

/// The read-only parts shared by concurrent fetches.
pub(crate) struct Scan<'a> {
    pub client: &'a OktaClient,
    pub progress: &'a dyn Progress,
    pub concurrency: usize,
}

/// An Okta object the later stages need to visit.
#[derive(Debug, Clone)]
pub(crate) struct GroupRef {
    pub okta_id: String,
    pub name: String,
    pub has_admin_privilege: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct AppRef {
    pub okta_id: String,
    pub name: String,
    /// Set for API service apps: they can hold admin roles through `/oauth2/v1/clients/{id}/roles`.
    pub client_id: Option<String>,
}

/// What collectors build up.
pub(crate) struct ScanState {
    pub graph: GraphBuilder,
    pub counts: BTreeMap<String, u64>,
    pub warnings: Vec<String>,
    pub groups: Vec<GroupRef>,
    pub apps: Vec<AppRef>,
    /// Catalog app name → node ids of its instances (for APP_ADMIN targets on a whole catalog app).
    pub apps_by_name: HashMap<String, Vec<String>>,
}

impl ScanState {
    pub fn new(org_url: &str) -> ScanState {
        ScanState {
            graph: GraphBuilder::new(org_url),
            counts: BTreeMap::new(),
            warnings: Vec::new(),
            groups: Vec::new(),
            apps: Vec::new(),
            apps_by_name: HashMap::new(),
        }
    }

    pub fn count(&mut self, kind: &str, n: u64) {
        *self.counts.entry(kind.to_string()).or_default() += n;
    }

    pub fn warn(&mut self, progress: &dyn Progress, message: String) {
        tracing::warn!("{message}");
        progress.warned(&message);
        self.warnings.push(message);
    }

    pub fn finish(self) -> ScanOutput {
        let ScanState { graph, mut counts, warnings, .. } = self;
        let (nodes, edges, dangling) = graph.finish();
        counts.insert("nodes".into(), nodes.len() as u64);
        counts.insert("edges".into(), edges.len() as u64);
        if dangling > 0 {
            counts.insert("dangling_edges_dropped".into(), dangling as u64);
        }
        ScanOutput { nodes, edges, counts, warnings }
    }
}

/// The result of one listing per object (a group's members, an app's assignments...).
pub(crate) type PerObject<R, T> = Vec<(R, Result<T, okta_client::Error>)>;

/// Pages through a Link-paged list, folding each page into `acc` as it arrives, so that only one
/// page of raw objects is held at a time (the Everyone group's members are every user).
pub(crate) async fn fold_pages<T>(
    client: &OktaClient,
    path: &str,
    mut acc: T,
    mut fold: impl FnMut(&mut T, Vec<serde_json::Value>),
) -> Result<T, okta_client::Error> {
    let mut next = Some(path.to_string());
    while let Some(url) = next {
        let page = client.get_page(&url).await?;
        next = page.next;
        fold(&mut acc, page.items);
    }
    Ok(acc)
}

/// Whether an error on one object's sub-listing means the object vanished mid-scan.
pub(crate) fn vanished(error: &okta_client::Error) -> bool {
    matches!(error.kind(), ErrorKind::NotFound)
}

/// Whether an error means the org doesn't have this feature (e.g. group owners need Identity Governance).
pub(crate) fn feature_missing(error: &okta_client::Error) -> bool {
    matches!(error.kind(), ErrorKind::FeatureNotEnabled)
}
