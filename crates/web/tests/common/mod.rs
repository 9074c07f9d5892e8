//! What the web crate's integration tests share (each test file uses some of it).
#![allow(dead_code, unused_macros)]

use axum::extract::connect_info::MockConnectInfo;
use std::net::SocketAddr;
use std::sync::Arc;

/// A new store: a SQLite file in `dir`, or a PostgreSQL database of its own (dropped with the
/// handle returned beside it).
pub async fn store(postgres: bool, dir: &std::path::Path) -> (store::Store, Option<store::testing::TempDatabase>) {
    if postgres {
        let db = store::testing::TempDatabase::create();
        (store::Store::open_postgres(&db.url).await.unwrap(), Some(db))
    } else {
        (store::Store::open_sqlite(&dir.join("sightline.db")).unwrap(), None)
    }
}

/// An integration host that starts nothing, for tests whose routes start no integration.
pub struct NoIntegrations;

impl web::IntegrationHost for NoIntegrations {
    fn schedules(&self) -> Vec<web::Schedule> {
        Vec::new()
    }
    fn start(&self, _integration: web::NewIntegration) -> Result<(), String> {
        Err("these tests start no integration".into())
    }
}

/// The API over `store`, with its vault in `dir`, no integrations and default settings but for
/// `oidc`, as a client on loopback reaches it.
pub fn router(store: store::Store, dir: &std::path::Path, oidc: Option<web::OidcSettings>) -> axum::Router {
    let vault = web::vault::Vault::open(dir).unwrap();
    let settings = web::WebSettings {
        secure_cookies: false,
        query_limits: store::QueryLimits::default(),
        webhooks: Vec::new(),
        rules: Vec::new(),
        oidc,
    };
    if let Some(oidc) = &settings.oidc {
        assert!(oidc.validate().is_ok());
    }
    let state = web::AppState::new(store, vault, Arc::new(NoIntegrations), settings);
    web::router(state).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))))
}

/// One test body run twice: on the embedded store and on PostgreSQL (`app(postgres)` of the file
/// that uses it makes the app).
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread")]
            async fn sqlite() {
                ($body)(app(false).await).await
            }
            #[tokio::test(flavor = "multi_thread")]
            async fn postgres() {
                ($body)(app(true).await).await
            }
        }
    };
}

/// A simulated Okta org of `users` users generated from `seed` on a free loopback port, with no rate
/// limits and no System Log traffic (the tests ask the org, not its log). The directory holds the
/// simulator's data; keep it alive as long as the simulator.
pub async fn quiet_simulator(users: usize, seed: u64) -> (tempfile::TempDir, okta_sim::RunningSim) {
    let dir = tempfile::tempdir().unwrap();
    let sim = okta_sim::start(okta_sim::SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        org: okta_sim::org::OrgParams::sized(users, seed, chrono::Utc::now()),
        data_dir: dir.path().to_path_buf(),
        rate_limits: okta_sim::server::ratelimit::RateLimitSettings { enabled: false, ..Default::default() },
        activity: okta_sim::ActivityConfig { history: std::time::Duration::ZERO, live: false, ..Default::default() },
        dpop_required: true,
    })
    .await
    .unwrap();
    (dir, sim)
}
