//! What the web crate's integration tests share.

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
