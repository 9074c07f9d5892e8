//! Detections end to end through `sightline serve`: benign traffic raises nothing; each of the
//! simulator's attack scenarios raises the alerts its ground truth names; a SIGKILL and a restart
//! neither lose nor double an alert; webhooks receive each alert state once; `sightline alerts`
//! moves an alert through its lifecycle.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use support::*;

/// What a scenario run told us (the simulator's ground truth).
struct Truth {
    name: String,
    detections: Vec<String>,
    allowed: BTreeSet<String>,
    uuids: BTreeSet<String>,
}

/// Stages a scenario `minutes_ago` (its events all in the past, so they are served at once).
fn run_scenario(sim: &Simulator, name: &str, minutes_ago: i64) -> Truth {
    let path = format!("/__sim/scenarios/{name}?start_offset_seconds={}", -60 * minutes_ago);
    let (status, body) = sim.request("POST", &path, None);
    assert_eq!(status, 200, "{name}: {body}");
    let truth: Value = serde_json::from_str(&body).unwrap();
    let list = |key: &str| -> Vec<String> {
        truth[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
    };
    let detections = list("detections");
    let allowed = detections.iter().chain(list("may_also_fire").iter()).cloned().collect();
    Truth { name: name.into(), detections, allowed, uuids: list("event_uuids").into_iter().collect() }
}

/// Each alert's rule and the uuids of its events.
fn alert_events(ws: &Workspace) -> BTreeMap<i64, (String, BTreeSet<String>)> {
    let rows = ws.query(
        "SELECT a.id, a.rule_id, e.uuid FROM alerts a JOIN alert_events ae ON ae.alert_id = a.id \
         JOIN events e ON e.seq = ae.seq ORDER BY a.id",
    );
    let mut alerts: BTreeMap<i64, (String, BTreeSet<String>)> = BTreeMap::new();
    for row in rows {
        let entry = alerts
            .entry(row["id"].as_i64().unwrap())
            .or_insert_with(|| (row["rule_id"].as_str().unwrap().to_string(), BTreeSet::new()));
        entry.1.insert(row["uuid"].as_str().unwrap().to_string());
    }
    alerts
}

fn missing(ws: &Workspace, truths: &[Truth]) -> Vec<String> {
    let alerts = alert_events(ws);
    let mut missing = Vec::new();
    for truth in truths {
        for detection in &truth.detections {
            let found = alerts.values().any(|(rule, uuids)| rule == detection && !uuids.is_disjoint(&truth.uuids));
            if !found {
                missing.push(format!("{} → {detection}", truth.name));
            }
        }
    }
    missing
}

/// Waits up to three minutes for every scenario's alerts; fails naming those still missing.
fn wait_for_alerts(ws: &Workspace, truths: &[Truth]) {
    let started = std::time::Instant::now();
    loop {
        let missing = missing(ws, truths);
        if missing.is_empty() {
            return;
        }
        if started.elapsed() > Duration::from_secs(180) {
            let alerts = ws.query("SELECT rule_id, entity, count, summary FROM alerts ORDER BY id");
            panic!("no alert for {missing:?}; alerts raised: {alerts:#?}");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn configure(ws: &Workspace, extra: &str) {
    let text = std::fs::read_to_string(&ws.config).unwrap().replace(
        "system_log = false",
        "system_log = true\nlog_poll_interval = \"1s\"\nscan_interval = \"1h\"\nlog_start = \"4h\"",
    );
    std::fs::write(&ws.config, format!("{text}\n[server]\nlisten = \"127.0.0.1:0\"\n{extra}")).unwrap();
}

#[test]
fn attack_scenarios_raise_their_alerts_and_benign_traffic_none() {
    let sim = Simulator::live(
        "2h",
        &["--seed", "47", "--users", "300", "--rate-limits", "off", "--events-per-minute", "300"],
    );
    let ws = Workspace::with_token(&sim);
    let json_hook = Receiver::start(vec![]);
    let slack_hook = Receiver::start(vec![503]);
    configure(
        &ws,
        &format!(
            "[[webhooks]]\nname = \"soc\"\nurl = \"{}\"\nmin_severity = \"info\"\n\n\
             [[webhooks]]\nname = \"slack\"\nurl = \"{}\"\nformat = \"slack\"\nmin_severity = \"high\"\n",
            json_hook.url, slack_hook.url
        ),
    );
    let service = Service::start(&ws);
    // The whole history stored and evaluated (live events keep coming, so "behind" is checked
    // whenever it reads zero).
    let history = sim.stats()["log_events"].as_u64().unwrap();
    wait_up_to(Duration::from_secs(240), "the scan, and two hours of benign history evaluated", || {
        let (status, ready) = service.get("/readyz");
        let ready: Value = serde_json::from_str(&ready).unwrap_or_default();
        status == 200
            && ready["detections"]["events_behind"].as_u64() == Some(0)
            && ws.count("SELECT count(*) AS n FROM nodes") > 0
            && ws.count("SELECT count(*) AS n FROM events") >= history
    });
    let benign = ws.query("SELECT rule_id, entity, summary FROM alerts");
    assert!(benign.is_empty(), "benign traffic raised alerts: {benign:#?}");

    // Half the scenarios, then a crash, then the rest, then a restart.
    let names: Vec<&str> = vec![
        "password_spray",
        "brute_force",
        "credential_stuffing",
        "mfa_push_bombing",
        "admin_role_granted_to_fresh_account",
        "api_token_created",
        "support_impersonation",
        "policy_rule_deleted",
        "idp_added",
        "impossible_travel",
        "session_roaming",
    ];
    // A quarter of an hour apart, so that one attack's traffic is not counted with another's.
    let ago = |i: usize| 15 * (names.len() - i) as i64;
    let mut truths: Vec<Truth> = (0..5).map(|i| run_scenario(&sim, names[i], ago(i))).collect();
    wait_for_alerts(&ws, &truths);
    service.kill();
    let before_crash = alert_events(&ws);
    truths.extend((5..names.len()).map(|i| run_scenario(&sim, names[i], ago(i))));
    let service = Service::start(&ws);
    wait_for_alerts(&ws, &truths);
    // Let the detector and the notifier settle (late benign events, the Slack retry).
    std::thread::sleep(Duration::from_secs(3));
    let alerts = alert_events(&ws);

    // No alert was lost or doubled by the crash: those raised before it are still the same ones.
    for (id, (rule, _)) in &before_crash {
        assert_eq!(alerts.get(id).map(|(r, _)| r), Some(rule), "alert {id} changed across the restart");
    }
    // Alerts of one rule about one entity are separate attacks, one after the other (a signal joins
    // the open alert while it comes within the rule's window of the alert's last event).
    let rows = ws.query(
        "SELECT rule_id, entity_kind, entity, first_seen, last_seen FROM alerts \
         ORDER BY rule_id, entity_kind, entity, first_seen",
    );
    let time = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if (&a["rule_id"], &a["entity_kind"], &a["entity"]) != (&b["rule_id"], &b["entity_kind"], &b["entity"]) {
            continue;
        }
        assert!(time(&b["first_seen"]) > time(&a["last_seen"]), "two alerts for one rule, entity and attack: {a} {b}");
    }
    assert_eq!(
        ws.count("SELECT count(*) AS n FROM alerts a WHERE count <> (SELECT count(*) FROM alert_events e WHERE e.alert_id = a.id)"),
        0,
        "each alert's count is the number of distinct events behind it"
    );

    // Each scripted attack is exactly one alert per detection it must raise.
    for truth in &truths {
        for detection in &truth.detections {
            let hits: Vec<&i64> = alerts
                .iter()
                .filter(|(_, (rule, uuids))| rule == detection && !uuids.is_disjoint(&truth.uuids))
                .map(|(id, _)| id)
                .collect();
            assert_eq!(hits.len(), 1, "{} raised {detection} as alerts {hits:?}", truth.name);
        }
    }

    // Alerts about a known Okta user carry that user's graph context.
    let brute = ws.query("SELECT entity, details FROM alerts WHERE rule_id = 'okta.brute_force.user'");
    assert!(!brute.is_empty());
    for alert in &brute {
        let context = &alert["details"]["actor_context"];
        assert_eq!(context["login"].as_str().map(str::to_lowercase).as_deref(), alert["entity"].as_str(), "{alert}");
        assert!(context["apps_reached"].is_u64() && context["admin_roles"].is_array(), "{alert}");
    }

    // Every alert is explained by a scenario that allows its rule: benign traffic raised none.
    for (id, (rule, uuids)) in &alerts {
        let explained = truths.iter().any(|t| t.allowed.contains(rule) && !uuids.is_disjoint(&t.uuids));
        assert!(explained, "alert {id} ({rule}) is not explained by any scenario; its events: {uuids:?}");
    }

    // The super-admin grant is critical and carries the grantee's graph context.
    let grant = ws.query("SELECT severity, details FROM alerts WHERE rule_id = 'okta.admin_role_granted'");
    assert!(grant.iter().any(|a| a["severity"] == "critical"), "{grant:?}");

    // Webhooks: each alert opened once on the JSON hook (with the idempotency key), the high ones on
    // Slack despite its first answer being a 503.
    let opened = ws.count("SELECT count(*) AS n FROM alerts");
    wait_up_to(Duration::from_secs(120), "webhook deliveries", || {
        json_hook.received().iter().filter(|(k, _)| k.ends_with(":opened")).count() as u64 == opened
    });
    let keys: Vec<String> = json_hook.received().into_iter().map(|(k, _)| k).collect();
    let unique: BTreeSet<&String> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "a state was delivered twice: {keys:?}");
    let high = ws.count("SELECT count(*) AS n FROM alerts WHERE severity IN ('high', 'critical')");
    assert!(high > 0);
    wait_until("the Slack retry", || slack_hook.received().len() as u64 >= high);
    assert!(slack_hook.received().iter().all(|(_, body)| body["text"].is_string() && body["blocks"].is_array()));

    // The command line lists them (newest first) and filters them.
    let listed = sightline().args(["alerts", "--format", "json", "--config"]).arg(&ws.config).output().unwrap();
    let listed: Vec<Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.len() as u64, opened.min(50));
    assert!(listed.windows(2).all(|w| w[0]["id"].as_i64() > w[1]["id"].as_i64()));
    let critical = sightline()
        .args(["alerts", "list", "--severity", "critical", "--format", "json", "--config"])
        .arg(&ws.config)
        .output()
        .unwrap();
    let critical: Vec<Value> = serde_json::from_slice(&critical.stdout).unwrap();
    assert!(!critical.is_empty() && critical.iter().all(|a| a["severity"] == "critical"));

    // The lifecycle from the command line, recorded with who and why.
    let id = ws.count("SELECT min(id) AS n FROM alerts").to_string();
    let ack = sightline()
        .args(["alerts", "ack", &id, "--reason", "looking into it", "--by", "ana", "--config"])
        .arg(&ws.config)
        .output()
        .unwrap();
    assert!(ack.status.success(), "{}", stderr(&ack));
    let bad =
        sightline().args(["alerts", "ack", &id, "--reason", "again", "--config"]).arg(&ws.config).output().unwrap();
    assert!(!bad.status.success() && stderr(&bad).contains("already acknowledged"), "{}", stderr(&bad));
    let show =
        sightline().args(["alerts", "show", &id, "--format", "json", "--config"]).arg(&ws.config).output().unwrap();
    let show: Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(show["alert"]["status"], "acknowledged");
    let last = show["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["actor"].as_str(), last["reason"].as_str()), (Some("ana"), Some("looking into it")));
    assert!(!show["events"].as_array().unwrap().is_empty());
    wait_until("the acknowledgement on the webhook", || {
        json_hook.received().iter().any(|(k, _)| k.starts_with(&format!("{id}:status:acknowledged")))
    });
    service.terminate();
}
