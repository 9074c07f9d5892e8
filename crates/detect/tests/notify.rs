//! Webhook delivery against a real HTTP receiver on loopback: retried with backoff after a 503,
//! never sent twice for one alert state, given up on a 404, and the URL never in an error.

use detect::notify::{WebhookConfig, WebhookFormat};
use detect::{Notifier, Severity};
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::{DetectionBatch, NewSignal, StatusChange, Store, WebhookRoute};

/// What a receiver saw: `("<status> <Idempotency-Key>", body)` per request.
type Seen = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

/// Answers each request with the next status (then 200), recording what it saw.
fn receiver(statuses: Vec<u16>) -> (String, Seen) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/services/SECRET-PATH", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    std::thread::spawn(move || {
        let mut statuses = statuses.into_iter();
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut length, mut key) = (0, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if lower.starts_with("idempotency-key:") {
                    key = line.split_once(':').unwrap().1.trim().to_string();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let status = statuses.next().unwrap_or(200);
            sink.lock().unwrap().push((format!("{status} {key}"), serde_json::from_slice(&body).unwrap()));
            write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
        }
    });
    (url, seen)
}

fn hook(name: &str, url: &str, format: WebhookFormat) -> WebhookConfig {
    WebhookConfig { name: name.into(), url: Some(url.into()), url_env: None, format, min_severity: "low".into() }
}

fn signal(severity: Severity) -> NewSignal {
    NewSignal {
        rule_id: "okta.api_token_created".into(),
        title: "API token created".into(),
        severity: severity.as_str().into(),
        entity_kind: "token".into(),
        entity: "00Tabc".into(),
        person: None,
        actor_id: None,
        time: chrono::Utc::now(),
        events: vec![],
        summary: "admin@acme.com created API token <ci> & more".into(),
        details: serde_json::Value::Null,
        group_window: Duration::from_secs(3600),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_retry_once_per_state_and_give_up_on_client_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("t.db")).unwrap();
    let (json_url, json_seen) = receiver(vec![503]);
    let (slack_url, slack_seen) = receiver(vec![]);
    let (gone_url, gone_seen) = receiver(vec![404]);
    let hooks = [
        hook("soc", &json_url, WebhookFormat::Json),
        hook("slack", &slack_url, WebhookFormat::Slack),
        hook("gone", &gone_url, WebhookFormat::Json),
    ];
    let routes: Vec<WebhookRoute> = hooks.iter().map(WebhookConfig::route).collect();
    let batch = DetectionBatch {
        detector: "detections".into(),
        signals: vec![signal(Severity::Medium)],
        cursor: 0,
        webhooks: routes.clone(),
    };
    let alert_id = store.record_detections(batch.clone()).await.unwrap()[0].alert_id;
    let notifier = Notifier::new(store.clone(), hooks.iter().map(|h| h.resolve().unwrap()).collect())
        .with_retry_base(Duration::ZERO);

    // First round: Slack takes it, the JSON hook answers 503 (retry), the gone hook 404 (give up).
    assert_eq!(notifier.deliver_due().await.unwrap(), 1);
    // Second round: the retry goes through; nothing else is due.
    assert_eq!(notifier.deliver_due().await.unwrap(), 1);
    assert_eq!(notifier.deliver_due().await.unwrap(), 0);
    // The same state signalled again (a replay) is not queued twice.
    store.record_detections(batch).await.unwrap();
    assert_eq!(notifier.deliver_due().await.unwrap(), 0);
    // A status change is a new state.
    let change = StatusChange { status: "acknowledged".into(), by: "ana".into(), reason: "on it".into() };
    store.set_alert_status(alert_id, change, routes).await.unwrap();
    assert_eq!(notifier.deliver_due().await.unwrap(), 3, "a new state goes to every hook, the one given up on too");

    let json = json_seen.lock().unwrap().clone();
    let keys: Vec<&str> = json.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys[..2], [format!("503 {alert_id}:opened"), format!("200 {alert_id}:opened")]);
    assert!(keys[2].starts_with(&format!("200 {alert_id}:status:acknowledged:")));
    assert_eq!(json[1].1["alert"]["rule_id"], "okta.api_token_created");
    let slack = slack_seen.lock().unwrap().clone();
    assert_eq!(slack.len(), 2);
    let text = slack[0].1["text"].as_str().unwrap();
    assert!(text.contains("&lt;ci&gt; &amp; more"), "Slack markup is escaped: {text}");
    assert_eq!(gone_seen.lock().unwrap().len(), 2, "the 404 was not retried; the next state was sent");

    // What was recorded about the failures says why, never where.
    let errors = store
        .query("SELECT webhook, delivery, last_error FROM notifications ORDER BY id", Default::default())
        .await
        .unwrap();
    let text = format!("{:?}", errors.rows);
    assert!(text.contains("HTTP 404") && !text.contains("SECRET-PATH"), "{text}");
}
