//! Detection speed: all built-in rules over simulator traffic on one thread, the whole detector
//! pass on SQLite (read, evaluate, write alerts), and the delay from an attack's last event being
//! stored to its alert being stored.
//!
//! ```sh
//! cargo bench -p detect --bench detections                         # 200k events, 20 lag rounds
//! cargo bench -p detect --bench detections -- --events 500000 --rounds 50
//! ```

use chrono::{Duration as Span, Utc};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use detect::{DetectionSettings, Detector, Engine};
use okta_sim::activity::{ActivityGenerator, Scenario};
use okta_sim::org::{OrgParams, generate};
use std::time::{Duration, Instant};
use store::{EventBatch, NewEvent, Store, StoredEvent};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn normalise(raw: &serde_json::Value) -> NewEvent {
    let text = serde_json::value::to_raw_value(raw).unwrap();
    let event = activity::normalize(activity::Source::Okta, &text).unwrap();
    let person = event.actor.login.as_ref().map(|l| l.to_lowercase());
    NewEvent { event, person, integration: Some("bench".into()) }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let wanted = arg("--events", 200_000);
    let rounds = arg("--rounds", 20);
    let now = Utc::now();
    let mut org = generate(&OrgParams::sized(5_000, 11, now));
    let mut generator = ActivityGenerator::new(11);
    let minutes = 120i64;
    let per_minute = wanted as f64 / minutes as f64;
    let mut raw: Vec<(chrono::DateTime<Utc>, serde_json::Value)> = generator
        .benign(&mut org, now - Span::minutes(minutes), now, per_minute)
        .events
        .into_iter()
        .map(|e| (e.published, e.event))
        .collect();
    for (i, scenario) in Scenario::ALL.into_iter().enumerate() {
        let (batch, _) = generator.scenario(&mut org, scenario, now - Span::minutes(minutes - 5 - 10 * i as i64));
        raw.extend(batch.events.into_iter().map(|e| (e.published, e.event)));
    }
    raw.sort_by_key(|(published, _)| *published);
    let events: Vec<NewEvent> = raw.iter().map(|(_, e)| normalise(e)).collect();
    let stored: Vec<StoredEvent> =
        events.iter().enumerate().map(|(i, e)| StoredEvent::from_new(i as i64 + 1, e)).collect();
    println!("{} events ({} minutes of a 5,000-user org with every attack scenario)", stored.len(), minutes);

    // 1. The engine alone, one thread.
    let directory = detect::testing::TestDirectory::default();
    let mut engine = Engine::new(&DetectionSettings::default()).unwrap();
    let mut signals = Vec::new();
    let started = Instant::now();
    for event in &stored {
        engine.observe(event, &directory, &mut signals);
    }
    let elapsed = started.elapsed();
    println!(
        "engine, {} built-in rules, one thread: {:.0} events/s ({} signals, {:.2} s)",
        engine.rules().count(),
        stored.len() as f64 / elapsed.as_secs_f64(),
        signals.len(),
        elapsed.as_secs_f64()
    );

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        // 2. A whole detector pass over a SQLite store: read pages, evaluate, write alerts and cursor.
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite(&dir.path().join("bench.db")).unwrap();
        for chunk in events.chunks(1000) {
            store.append_events(EventBatch { events: chunk.to_vec(), ..Default::default() }).await.unwrap();
        }
        let mut detector =
            Detector::start(store.clone(), Engine::new(&DetectionSettings::default()).unwrap(), vec![]).await.unwrap();
        let started = Instant::now();
        let (mut evaluated, mut opened) = (0, 0);
        loop {
            let pass = detector.pass().await.unwrap();
            if pass.events == 0 {
                break;
            }
            evaluated += pass.events;
            opened += pass.opened;
        }
        let elapsed = started.elapsed();
        println!(
            "detector on SQLite (read + evaluate + store alerts): {:.0} events/s ({} alerts, {:.2} s)",
            evaluated as f64 / elapsed.as_secs_f64(),
            opened,
            elapsed.as_secs_f64()
        );

        // 3. Lag: a brute force stored while the detector runs; time until its alert is stored.
        let stop = tokio::sync::watch::channel(false);
        let mut stop_rx = stop.1.clone();
        let running = tokio::spawn(detector.run(Duration::from_millis(200), async move {
            let _ = stop_rx.wait_for(|s| *s).await;
        }));
        let mut lags = Vec::new();
        for round in 0..rounds {
            let start = Utc::now() + Span::hours(round as i64 + 1);
            let (batch, _) = generator.scenario(&mut org, Scenario::BruteForce, start);
            let attack: Vec<NewEvent> = batch.events.iter().map(|e| normalise(&e.event)).collect();
            let before = store.alerts(store::AlertFilter { limit: 100_000, ..Default::default() }).await.unwrap().len();
            store.append_events(EventBatch { events: attack, ..Default::default() }).await.unwrap();
            let stored_at = Instant::now();
            loop {
                let now = store.alerts(store::AlertFilter { limit: 100_000, ..Default::default() }).await.unwrap();
                if now.len() > before {
                    lags.push(stored_at.elapsed());
                    break;
                }
                assert!(stored_at.elapsed() < Duration::from_secs(30), "no alert for round {round}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        let _ = stop.0.send(true);
        running.await.unwrap();
        lags.sort();
        println!(
            "detection lag (attack stored → alert stored, {} rounds, poll every 200 ms): p50 {:.0} ms, p99 {:.0} ms",
            lags.len(),
            percentile(&lags, 0.5).as_secs_f64() * 1000.0,
            percentile(&lags, 0.99).as_secs_f64() * 1000.0
        );
    });
}
