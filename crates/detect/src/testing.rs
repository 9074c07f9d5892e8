//! Test support (for this crate's tests and its users'): Okta System Log events built field by field, normalised by the real pipeline
//! (`activity::normalize`), and fed to an engine with chosen rules.

use crate::engine::{DetectionSettings, Engine};
use crate::rule::{Directory, UserFacts};
use crate::signal::Signal;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;
use store::{NewEvent, StoredEvent};

/// The time tests count from.
pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-02T09:00:00Z").unwrap().with_timezone(&Utc)
}

/// An Okta LogEvent under construction.
#[derive(Clone)]
pub struct OktaEvent {
    raw: Value,
}

/// An Okta event of `event_type`, successful, by nobody yet, at [`t0`].
pub fn okta(event_type: &str) -> OktaEvent {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    OktaEvent {
        raw: json!({
            "uuid": format!("00000000-0000-4000-8000-{n:012}"),
            "published": t0().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "eventType": event_type,
            "version": "0",
            "severity": "INFO",
            "displayMessage": event_type,
            "actor": {"id": "00usystem", "type": "User", "alternateId": "system@okta.com", "displayName": "Okta System"},
            "client": {"ipAddress": "198.51.100.7", "userAgent": {"rawUserAgent": "Mozilla/5.0"},
                       "geographicalContext": {"city": "Paris", "country": "France",
                                               "geolocation": {"lat": 48.85, "lon": 2.35}}},
            "outcome": {"result": "SUCCESS"},
            "target": [],
            "authenticationContext": {},
            "securityContext": {},
            "debugContext": {"debugData": {}},
            "transaction": {"type": "WEB", "id": format!("tx{n}")},
        }),
    }
}

impl OktaEvent {
    /// Sets `actor` to a user with this login (id derived from it).
    pub fn actor(mut self, login: &str) -> Self {
        self.raw["actor"] = json!({"id": format!("00u{}", login.split('@').next().unwrap()), "type": "User",
                                   "alternateId": login, "displayName": login});
        self
    }
    /// Sets the actor's id.
    pub fn actor_id(mut self, id: &str) -> Self {
        self.raw["actor"]["id"] = json!(id);
        self
    }
    /// `outcome.result = FAILURE` with `reason`.
    pub fn failure(mut self, reason: &str) -> Self {
        self.raw["outcome"] = json!({"result": "FAILURE", "reason": reason});
        self
    }
    /// `outcome.result = result` (`DENY`, `UNANSWERED`...), with an optional reason.
    pub fn result(mut self, result: &str, reason: Option<&str>) -> Self {
        self.raw["outcome"] = json!({"result": result, "reason": reason});
        self
    }
    /// Published `minutes` after [`t0`].
    pub fn minute(self, minutes: i64) -> Self {
        self.seconds(minutes * 60)
    }
    /// Published `seconds` after [`t0`].
    pub fn seconds(mut self, seconds: i64) -> Self {
        let at = t0() + Duration::seconds(seconds);
        self.raw["published"] = json!(at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        self
    }
    /// Published at `at`.
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.raw["published"] = json!(at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        self
    }
    /// Client address.
    pub fn ip(mut self, ip: &str) -> Self {
        self.raw["client"]["ipAddress"] = json!(ip);
        self
    }
    /// Client location.
    pub fn place(mut self, city: &str, country: &str, lat: f64, lon: f64) -> Self {
        self.raw["client"]["geographicalContext"] =
            json!({"city": city, "country": country, "geolocation": {"lat": lat, "lon": lon}});
        self
    }
    /// Autonomous system.
    pub fn asn(mut self, number: u64, org: &str) -> Self {
        self.raw["securityContext"]["asNumber"] = json!(number);
        self.raw["securityContext"]["asOrg"] = json!(org);
        self
    }
    /// Client user agent.
    pub fn user_agent(mut self, ua: &str) -> Self {
        self.raw["client"]["userAgent"]["rawUserAgent"] = json!(ua);
        self
    }
    /// `authenticationContext.externalSessionId`.
    pub fn session(mut self, id: &str) -> Self {
        self.raw["authenticationContext"]["externalSessionId"] = json!(id);
        self
    }
    /// Appends a target.
    pub fn target(mut self, kind: &str, id: &str, name: &str) -> Self {
        self.raw["target"]
            .as_array_mut()
            .unwrap()
            .push(json!({"type": kind, "id": id, "alternateId": name, "displayName": name}));
        self
    }
    /// Sets `debugContext.debugData.<key>`.
    pub fn debug(mut self, key: &str, value: &str) -> Self {
        self.raw["debugContext"]["debugData"][key] = json!(value);
        self
    }
    /// Sets any top-level field (`displayMessage`, `legacyEventType`...).
    pub fn field(mut self, key: &str, value: Value) -> Self {
        self.raw[key] = value;
        self
    }
    /// The raw JSON.
    pub fn json(&self) -> &Value {
        &self.raw
    }
}

/// Normalises a raw event of `source` as the pipeline would and stores it as `seq`.
pub fn stored(source: activity::Source, raw: &Value, seq: i64) -> StoredEvent {
    let text = serde_json::value::to_raw_value(raw).unwrap();
    let event = activity::normalize(source, &text).expect("test event normalises");
    let person = event.actor.login.as_ref().map(|l| l.to_lowercase());
    StoredEvent::from_new(seq, &NewEvent { event, person, integration: None })
}

/// Graph facts for tests.
#[derive(Default)]
pub struct TestDirectory {
    /// Users by Okta id.
    pub users: HashMap<String, UserFacts>,
    /// Last sign-ins before the replay, by actor id.
    pub sign_ins: HashMap<String, DateTime<Utc>>,
}

impl Directory for TestDirectory {
    fn user(&self, okta_id: &str) -> Option<&UserFacts> {
        self.users.get(okta_id)
    }
    fn last_sign_in(&self, actor_id: &str) -> Option<DateTime<Utc>> {
        self.sign_ins.get(actor_id).copied()
    }
}

/// An engine with chosen rules, fed events one by one.
pub struct Harness {
    /// The engine.
    pub engine: Engine,
    /// What rules may consult.
    pub directory: TestDirectory,
    signals: Vec<Signal>,
    seq: i64,
}

impl Harness {
    /// An engine running only `rule_id`, with its defaults.
    pub fn only(rule_id: &str) -> Harness {
        Harness::with(rule_id, DetectionSettings::default())
    }

    /// An engine running only `rule_id`, with `settings` (whose `disabled` list is replaced).
    pub fn with(rule_id: &str, mut settings: DetectionSettings) -> Harness {
        settings.disabled =
            crate::rules::catalogue().iter().map(|r| r.info.id.to_string()).filter(|id| id != rule_id).collect();
        assert!(settings.disabled.len() < crate::rules::catalogue().len(), "no rule {rule_id}");
        Harness::all(settings)
    }

    /// An engine running every rule enabled in `settings`.
    pub fn all(settings: DetectionSettings) -> Harness {
        Harness {
            engine: Engine::new(&settings).unwrap(),
            directory: TestDirectory::default(),
            signals: Vec::new(),
            seq: 0,
        }
    }

    /// Feeds one Okta event.
    pub fn feed(&mut self, event: OktaEvent) -> &mut Harness {
        self.feed_raw(activity::Source::Okta, event.json())
    }

    /// Feeds one raw event of any source.
    pub fn feed_raw(&mut self, source: activity::Source, raw: &Value) -> &mut Harness {
        self.seq += 1;
        let row = stored(source, raw, self.seq);
        self.engine.observe(&row, &self.directory, &mut self.signals);
        self
    }

    /// Feeds an event Sightline makes itself (source `sightline`), such as a crown-jewel change,
    /// with one target and `raw` as its body.
    pub fn feed_sightline(
        &mut self,
        event_type: &str,
        target_id: &str,
        target_name: &str,
        raw: &Value,
    ) -> &mut Harness {
        self.seq += 1;
        let row = StoredEvent {
            seq: self.seq,
            source: "sightline".into(),
            uuid: format!("sightline-{}", self.seq),
            time: t0(),
            event_type: event_type.into(),
            category: "privilege".into(),
            outcome: "success".into(),
            targets: vec![activity::Target {
                id: Some(target_id.into()),
                kind: Some("okta_app".into()),
                name: Some(target_name.into()),
            }],
            message: Some(format!("access to {target_name} changed")),
            raw: raw.to_string(),
            ..StoredEvent::default()
        };
        self.engine.observe(&row, &self.directory, &mut self.signals);
        self
    }

    /// Every signal raised so far.
    pub fn signals(&self) -> &[Signal] {
        &self.signals
    }

    /// The distinct rule ids that fired.
    pub fn fired(&self) -> std::collections::BTreeSet<String> {
        self.signals.iter().map(|s| s.rule_id.clone()).collect()
    }
}
