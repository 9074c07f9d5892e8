//! Integrations and sync runs.

use crate::util::{Backend, TempStore, both, runtime};
use serde_json::json;
use store::{ErrorKind, Integration, RunKind, RunOutcome};

fn integration(name: &str, status: &str) -> Integration {
    Integration {
        name: name.into(),
        org_url: format!("https://{name}.okta.com"),
        resources: true,
        system_log: false,
        status: status.into(),
        last_success: None,
        last_error: None,
        updated_at: chrono::Utc::now(),
    }
}

fn a_run_lifecycle_updates_the_integration(backend: Backend) {
    let t = TempStore::on(backend);
    let rt = runtime();
    let s = &t.store;
    rt.block_on(s.upsert_integration(&integration("acme", "configured"))).unwrap();
    let list = rt.block_on(s.integrations()).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].status, "configured");
    assert!(list[0].resources && !list[0].system_log);

    let run = rt.block_on(s.start_run("acme", RunKind::Resources)).unwrap();
    assert_eq!(rt.block_on(s.integrations()).unwrap()[0].status, "syncing");
    rt.block_on(s.update_run_progress(run, json!({"stage": "users", "done": 10}))).unwrap();
    let runs = rt.block_on(s.runs("acme", 10)).unwrap();
    assert_eq!(runs[0].status, "running");
    assert_eq!(runs[0].progress, json!({"stage": "users", "done": 10}));

    let mut outcome = RunOutcome {
        succeeded: true,
        api_calls: 42,
        rate_limit_waits: 1,
        rate_limit_wait_ms: 900,
        ..Default::default()
    };
    outcome.counts.insert("users".into(), 3);
    rt.block_on(s.finish_run(run, &outcome)).unwrap();
    let i = &rt.block_on(s.integrations()).unwrap()[0];
    assert_eq!(i.status, "ok");
    assert!(i.last_success.is_some());
    let r = &rt.block_on(s.runs("acme", 10)).unwrap()[0];
    assert_eq!((r.status.as_str(), r.api_calls, r.rate_limit_waits, r.rate_limit_wait_ms), ("succeeded", 42, 1, 900));
    assert_eq!(r.counts.get("users"), Some(&3));
    assert!(r.finished_at.is_some());
    assert_eq!(r.kind, RunKind::Resources);

    // Finishing twice, or an unknown run, is the caller's mistake.
    assert_eq!(*rt.block_on(s.finish_run(run, &outcome)).unwrap_err().kind(), ErrorKind::InvalidInput);
    assert_eq!(*rt.block_on(s.finish_run(999, &outcome)).unwrap_err().kind(), ErrorKind::InvalidInput);
    assert_eq!(*rt.block_on(s.update_run_progress(run, json!({}))).unwrap_err().kind(), ErrorKind::InvalidInput);

    // A failed logs run makes the integration `error`, keeps the last success.
    let logs = rt.block_on(s.start_run("acme", RunKind::Logs)).unwrap();
    let failed = RunOutcome { succeeded: false, error: Some("401 Unauthorized".into()), ..Default::default() };
    rt.block_on(s.finish_run(logs, &failed)).unwrap();
    let i = &rt.block_on(s.integrations()).unwrap()[0];
    assert_eq!((i.status.as_str(), i.last_error.as_deref()), ("error", Some("401 Unauthorized")));
    assert!(i.last_success.is_some());

    // Upserting the configuration again keeps the run-maintained fields.
    let mut changed = integration("acme", "configured");
    changed.system_log = true;
    rt.block_on(s.upsert_integration(&changed)).unwrap();
    let i = &rt.block_on(s.integrations()).unwrap()[0];
    assert_eq!((i.status.as_str(), i.system_log), ("error", true));
    assert_eq!(i.last_error.as_deref(), Some("401 Unauthorized"));

    // Newest first, limited.
    let runs = rt.block_on(s.runs("acme", 1)).unwrap();
    assert_eq!((runs.len(), runs[0].id, runs[0].kind), (1, logs, RunKind::Logs));

    // The runs are queryable too.
    let result =
        rt.block_on(s.query("SELECT kind, status, counts FROM sync_runs ORDER BY id", Default::default())).unwrap();
    assert_eq!(result.rows[0], vec![json!("resources"), json!("succeeded"), json!({"users": 3})]);
}
both!(a_run_lifecycle_updates_the_integration);

fn interrupted_runs_are_closed(backend: Backend) {
    let t = TempStore::on(backend);
    let rt = runtime();
    rt.block_on(t.store.upsert_integration(&integration("acme", "configured"))).unwrap();
    rt.block_on(t.store.start_run("acme", RunKind::Resources)).unwrap();
    assert_eq!(rt.block_on(t.store.fail_interrupted_runs()).unwrap(), 1);
    let run = &rt.block_on(t.store.runs("acme", 1)).unwrap()[0];
    assert_eq!(run.status, "failed");
    assert!(run.error.as_deref().unwrap().starts_with("interrupted"));
    assert_eq!(rt.block_on(t.store.integrations()).unwrap()[0].status, "error");
}
both!(interrupted_runs_are_closed);
