//! Who signs in, and from where: dormant accounts waking up, one session used from somewhere
//! else mid-way, and one person in two places too far apart for the time between.

use super::common::{about_actor, is_successful_sign_in, user_key};
use crate::event::Observed;
use crate::rule::{BuiltinRule, Directory, Params, Rule, RuleInfo, days, duration, hours, number};
use crate::signal::{Entity, Finding, Severity};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;

/// A scan's `lastLogin` this close before a sign-in may be that very sign-in.
const SAME_SIGN_IN: chrono::Duration = chrono::Duration::minutes(1);

/// How many events between sweeps of state nobody will need again.
const SWEEP_EVERY: u64 = 8192;

fn chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

pub(super) fn dormant_account_access() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.dormant_account_access",
            title: "Dormant account signed in",
            description: "A successful sign-in by an account unused for a long time, or by one created long ago \
                          that had never signed in: forgotten accounts are easy to take over unnoticed.",
            severity: Severity::Medium,
            attack: &["T1078", "T1078.004"],
            response: "Confirm with the account's owner or manager that they are back; if nobody expects it, \
                       suspend the account and look at what it did. Deactivate accounts nobody needs.",
        },
        params: || vec![duration("dormant_for", days(90), "unused for at least this long")],
        build: |p: &Params| {
            Box::new(DormantAccess { dormant_for: chrono(p.duration("dormant_for")), last_seen: HashMap::new() })
        },
    }
}

struct DormantAccess {
    dormant_for: chrono::Duration,
    /// The last successful sign-in this rule saw, by Okta user id.
    last_seen: HashMap<String, DateTime<Utc>>,
}

impl Rule for DormantAccess {
    fn observe(&mut self, e: &Observed<'_>, directory: &dyn Directory, out: &mut Vec<Finding>) {
        if !is_successful_sign_in(e) || e.row.event_type != "user.session.start" {
            return;
        }
        let Some(id) = e.row.actor_id.clone() else { return };
        let now = e.row.time;
        let remembered = self.last_seen.insert(id.clone(), now).filter(|t| *t < now);
        let facts = directory.user(&id);
        let scanned = facts.and_then(|f| f.last_login).filter(|t| *t < now - SAME_SIGN_IN);
        let previous =
            [remembered, directory.last_sign_in(&id).filter(|t| *t < now), scanned].into_iter().flatten().max();
        let user = user_key(e).unwrap_or_else(|| id.clone());
        let finding = match previous {
            Some(previous) if now - previous > self.dormant_for => {
                let idle = (now - previous).num_days();
                let mut f = about_actor(
                    e,
                    Entity::new("user", user.clone()),
                    format!("{user} signed in after {idle} days unused"),
                    vec![e.row.seq],
                );
                f.details = serde_json::json!({ "previous_sign_in": previous, "idle_days": idle, "ip": e.row.ip });
                f
            }
            Some(_) => return,
            // Never signed in before, by every account: only the scan can say so.
            None => {
                let Some(facts) = facts else { return };
                let Some(created) = facts.created.filter(|c| now - *c > self.dormant_for) else { return };
                if facts.last_login.is_some() {
                    return;
                }
                let age = (now - created).num_days();
                let mut f = about_actor(
                    e,
                    Entity::new("user", user.clone()),
                    format!("{user} signed in for the first time, {age} days after the account was created"),
                    vec![e.row.seq],
                );
                f.details = serde_json::json!({ "created": created, "never_signed_in": true, "ip": e.row.ip });
                f
            }
        };
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        hours(24)
    }
}

pub(super) fn session_roaming() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "okta.session_roaming",
            title: "Session used from somewhere else",
            description: "One Okta session used from a new address in another network or country mid-session (a \
                          stolen session cookie replayed), or Okta's own session roaming detection.",
            severity: Severity::High,
            attack: &["T1550.004", "T1539"],
            response: "Revoke the user's sessions at once; check the device the session started on for malware \
                       or a phishing proxy; review what the session did from the new place.",
        },
        params: || vec![duration("session_lifetime", hours(24), "how long a session is remembered after its last use")],
        build: |p: &Params| {
            Box::new(SessionRoaming {
                lifetime: chrono(p.duration("session_lifetime")),
                sessions: HashMap::new(),
                events: 0,
            })
        },
    }
}

/// Where a session has been used from.
struct SessionPlaces {
    ips: Vec<String>,
    asns: Vec<String>,
    countries: Vec<String>,
    last: DateTime<Utc>,
    first_seq: i64,
}

/// Beyond this many places a session is not tracked further (a mobile client hopping networks).
const MAX_PLACES: usize = 16;

struct SessionRoaming {
    lifetime: chrono::Duration,
    sessions: HashMap<String, SessionPlaces>,
    events: u64,
}

fn remember(list: &mut Vec<String>, value: &Option<String>) {
    if let Some(v) = value
        && list.len() < MAX_PLACES
        && !list.contains(v)
    {
        list.push(v.clone());
    }
}

impl Rule for SessionRoaming {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        if !e.is_okta() {
            return;
        }
        let Some(session) = e.row.session.as_deref() else { return };
        // Only people carry a session cookie around: an app's server redeeming a code on the
        // user's behalf calls from the app's own network, which is no roaming.
        if e.row.actor_kind.as_deref() == Some(activity::actor_kind::SERVICE) {
            return;
        }
        self.events += 1;
        if self.events.is_multiple_of(SWEEP_EVERY) {
            let horizon = e.row.time - self.lifetime;
            self.sessions.retain(|_, s| s.last >= horizon);
        }
        let entity = Entity::new("session", session.to_string());
        if e.row.event_type == "security.session.detect_client_roaming" {
            let mut finding = about_actor(
                e,
                entity.clone(),
                format!(
                    "Okta saw session of {} roam to {}",
                    e.actor_key().unwrap_or("a user"),
                    e.row.ip.as_deref().unwrap_or("a new address")
                ),
                vec![e.row.seq],
            );
            finding.details = serde_json::json!({ "ip": e.row.ip, "country": e.row.country, "asn": e.row.asn });
            out.push(finding);
        }
        let (ip, asn, country) = (&e.row.ip, &e.row.asn, &e.row.country);
        let Some(places) = self.sessions.get_mut(session) else {
            let mut places = SessionPlaces {
                ips: Vec::new(),
                asns: Vec::new(),
                countries: Vec::new(),
                last: e.row.time,
                first_seq: e.row.seq,
            };
            remember(&mut places.ips, ip);
            remember(&mut places.asns, asn);
            remember(&mut places.countries, country);
            self.sessions.insert(session.to_string(), places);
            return;
        };
        if e.row.time > places.last {
            places.last = e.row.time;
        }
        let new_ip = ip.as_ref().is_some_and(|ip| !places.ips.contains(ip)) && places.ips.len() < MAX_PLACES;
        let new_asn = asn.as_ref().is_some_and(|a| !places.asns.is_empty() && !places.asns.contains(a));
        let new_country =
            country.as_ref().is_some_and(|c| !places.countries.is_empty() && !places.countries.contains(c));
        if new_ip && (new_asn || new_country) && e.row.event_type != "security.session.detect_client_roaming" {
            let mut finding = about_actor(
                e,
                entity,
                format!(
                    "session of {} used from {} ({}) after {} ({})",
                    e.actor_key().unwrap_or("a user"),
                    ip.as_deref().unwrap_or("?"),
                    country.as_deref().unwrap_or("unknown country"),
                    places.ips.first().map_or("?", String::as_str),
                    places.countries.first().map_or("unknown country", String::as_str),
                ),
                vec![places.first_seq, e.row.seq],
            );
            finding.details = serde_json::json!({
                "previous": { "ips": places.ips, "asns": places.asns, "countries": places.countries },
                "new": { "ip": ip, "asn": asn, "country": country, "city": e.row.city },
                "new_asn": new_asn, "new_country": new_country,
            });
            out.push(finding);
        }
        remember(&mut places.ips, ip);
        remember(&mut places.asns, asn);
        remember(&mut places.countries, country);
    }

    fn group_window(&self) -> Duration {
        hours(12)
    }
}

pub(super) fn impossible_travel() -> BuiltinRule {
    BuiltinRule {
        info: RuleInfo {
            id: "identity.impossible_travel",
            title: "Impossible travel",
            description: "One person acting successfully from two places too far apart for the time between them, \
                          in any source that locates its clients: one of the two is probably someone else.",
            severity: Severity::High,
            attack: &["T1078"],
            response: "Ask the person where they are; if one place is not theirs, revoke their sessions, reset \
                       their password and check factors; allow-list corporate VPN exits that cause false alarms.",
        },
        params: || {
            vec![
                // Panther's Standard.ImpossibleTravel.Login: faster than 900 km/h.
                number("max_speed_kmh", 900.0, "speeds above this are impossible"),
                // Geolocation of one address can be off by hundreds of kilometres; Datadog's example
                // ignores anything under 500 km.
                number("min_distance_km", 500.0, "shorter hops are ignored"),
            ]
        },
        build: |p: &Params| {
            Box::new(ImpossibleTravel {
                max_speed: p.number("max_speed_kmh"),
                min_distance: p.number("min_distance_km"),
                last: HashMap::new(),
                events: 0,
            })
        },
    }
}

/// Where a person last was.
struct Place {
    time: DateTime<Utc>,
    seq: i64,
    lat: f64,
    lon: f64,
    city: Option<String>,
    country: Option<String>,
    ip: Option<String>,
}

struct ImpossibleTravel {
    max_speed: f64,
    min_distance: f64,
    last: HashMap<String, Place>,
    events: u64,
}

/// Great-circle distance in kilometres.
pub(crate) fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// Whether the event shows where a person is: a success (a failure may be anyone typing their
/// login), by a person (not a program, Okta itself or an anonymous address), not made with an
/// API token (automation runs where its server is).
fn shows_presence(e: &Observed<'_>) -> bool {
    use activity::actor_kind::{IP, SERVICE, SYSTEM};
    e.succeeded()
        && !matches!(e.row.actor_kind.as_deref(), Some(SERVICE | SYSTEM | IP))
        // API calls carry no browser session; the text search is only worth it for those.
        && !(e.is_okta() && e.row.session.is_none() && e.api_token_id().is_some())
}

impl Rule for ImpossibleTravel {
    fn observe(&mut self, e: &Observed<'_>, _: &dyn Directory, out: &mut Vec<Finding>) {
        let (Some(lat), Some(lon)) = (e.row.latitude, e.row.longitude) else { return };
        if !shows_presence(e) {
            return;
        }
        let Some(person) = e.person_key() else { return };
        self.events += 1;
        if self.events.is_multiple_of(SWEEP_EVERY) {
            // Past a day, no two points on Earth are too far apart at 900 km/h.
            let horizon = e.row.time - chrono::Duration::hours(24);
            self.last.retain(|_, p| p.time >= horizon);
        }
        let here = Place {
            time: e.row.time,
            seq: e.row.seq,
            lat,
            lon,
            city: e.row.city.clone(),
            country: e.row.country.clone(),
            ip: e.row.ip.clone(),
        };
        let Some(slot) = self.last.get_mut(&person) else {
            self.last.insert(person, here);
            return;
        };
        let before = std::mem::replace(slot, here);
        let here = &*slot;
        let km = distance_km(before.lat, before.lon, lat, lon);
        if km < self.min_distance {
            return;
        }
        let hours_between = (here.time - before.time).num_milliseconds().unsigned_abs() as f64 / 3_600_000.0;
        let speed = if hours_between > 0.0 { km / hours_between } else { f64::INFINITY };
        if speed <= self.max_speed {
            return;
        }
        let place =
            |p: &Place| format!("{}, {}", p.city.as_deref().unwrap_or("?"), p.country.as_deref().unwrap_or("?"));
        let mut finding = about_actor(
            e,
            Entity::new("person", person.clone()),
            format!(
                "{person} was in {} and {} {:.0} minutes later, {km:.0} km apart",
                place(&before),
                place(here),
                hours_between * 60.0
            ),
            vec![before.seq, here.seq],
        );
        let json = |p: &Place| {
            serde_json::json!({
                "time": p.time, "city": p.city, "country": p.country, "latitude": p.lat, "longitude": p.lon, "ip": p.ip,
            })
        };
        finding.details = serde_json::json!({
            "from": json(&before), "to": json(here), "distance_km": km.round(),
            "speed_kmh": if speed.is_finite() { Some(speed.round()) } else { None },
            "source": e.row.source,
        });
        out.push(finding);
    }

    fn group_window(&self) -> Duration {
        hours(6)
    }

    fn horizon(&self) -> Duration {
        hours(24)
    }
}

#[cfg(test)]
mod tests {
    use crate::UserFacts;
    use crate::testing::*;
    use chrono::Duration;

    fn sign_in(user: &str, minute: i64) -> OktaEvent {
        okta("user.session.start").actor(user).minute(minute)
    }

    #[test]
    fn dormant_account_by_scan_history_or_own_memory() {
        let mut h = Harness::only("okta.dormant_account_access");
        let facts = |last: i64| UserFacts {
            login: "x".into(),
            created: Some(t0() - Duration::days(400)),
            last_login: Some(t0() - Duration::days(last)),
            ..Default::default()
        };
        h.directory.users.insert("00uold".into(), facts(91));
        h.directory.users.insert("00urecent".into(), facts(89));
        h.feed(sign_in("recent@example.com", 0));
        h.feed(sign_in("old@example.com", 0).failure("INVALID_CREDENTIALS"));
        assert!(h.signals().is_empty(), "89 days is a near miss, and a failure is no sign-in");
        h.feed(sign_in("old@example.com", 1));
        assert_eq!(h.signals().len(), 1);
        assert!(h.signals()[0].finding.summary.contains("91 days"));
        h.feed(sign_in("old@example.com", 120));
        assert_eq!(h.signals().len(), 1, "the sign-in just seen counts as use");
    }

    #[test]
    fn dormant_account_ignores_a_scan_showing_this_very_sign_in() {
        let mut h = Harness::only("okta.dormant_account_access");
        h.directory.sign_ins.insert("00uold".into(), t0() - Duration::days(200));
        h.directory.users.insert(
            "00uold".into(),
            UserFacts { last_login: Some(t0() + Duration::seconds(20)), ..Default::default() },
        );
        h.feed(sign_in("old@example.com", 0));
        assert_eq!(h.signals().len(), 1, "the replay's history still shows 200 days");
        let mut h = Harness::only("okta.dormant_account_access");
        h.directory.users.insert(
            "00unew".into(),
            UserFacts { last_login: Some(t0() - Duration::seconds(30)), ..Default::default() },
        );
        h.feed(sign_in("new@example.com", 0));
        assert!(h.signals().is_empty());
    }

    #[test]
    fn never_used_account_created_long_ago() {
        let mut h = Harness::only("okta.dormant_account_access");
        let created = |d: i64| UserFacts { created: Some(t0() - Duration::days(d)), ..Default::default() };
        h.directory.users.insert("00ufresh".into(), created(80));
        h.directory.users.insert("00ustale".into(), created(100));
        h.feed(sign_in("fresh@example.com", 0));
        h.feed(sign_in("unknown@example.com", 0));
        assert!(h.signals().is_empty());
        h.feed(sign_in("stale@example.com", 0));
        assert_eq!(h.signals()[0].finding.details["never_signed_in"], true);
    }

    fn in_session(session: &str, ip: &str, asn: u64, country: &str, minute: i64) -> OktaEvent {
        okta("user.authentication.sso")
            .actor("amy@example.com")
            .session(session)
            .ip(ip)
            .asn(asn, "isp")
            .place("City", country, 10.0, 10.0)
            .minute(minute)
    }

    #[test]
    fn session_used_from_a_new_network_or_country() {
        let mut h = Harness::only("okta.session_roaming");
        h.feed(in_session("s1", "73.15.0.1", 7922, "United States", 0));
        h.feed(in_session("s1", "73.15.9.9", 7922, "United States", 5));
        h.feed(in_session("s2", "95.165.0.1", 12389, "Russia", 6));
        assert!(h.signals().is_empty(), "a new lease at home and another session are no roaming");
        h.feed(in_session("s1", "95.165.0.2", 12389, "Russia", 10));
        assert_eq!(h.signals().len(), 1);
        assert_eq!(h.signals()[0].finding.entity, crate::Entity::new("session", "s1"));
        h.feed(in_session("s1", "95.165.0.2", 12389, "Russia", 11));
        assert_eq!(h.signals().len(), 1, "the new place is known now");
        h.feed(okta("security.session.detect_client_roaming").actor("amy@example.com").session("s1").minute(12));
        assert_eq!(h.signals().len(), 2);
    }

    fn at(city: &str, lat: f64, lon: f64, minute: i64) -> OktaEvent {
        okta("user.authentication.sso").actor("amy@example.com").place(city, "Somewhere", lat, lon).minute(minute)
    }

    #[test]
    fn impossible_travel_by_speed() {
        let mut h = Harness::only("identity.impossible_travel");
        h.feed(at("Paris", 48.85, 2.35, 0));
        h.feed(at("London", 51.51, -0.13, 10));
        assert!(h.signals().is_empty(), "344 km is a short hop");
        h.feed(at("New York", 40.75, -73.99, 8 * 60));
        assert!(h.signals().is_empty(), "5,570 km in 7h50 is 711 km/h: a flight");
        h.feed(at("Moscow", 55.75, 37.62, 8 * 60 + 30));
        let s = h.signals();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].finding.details["from"]["city"], "New York");
        assert_eq!(s[0].finding.details["to"]["city"], "Moscow");
    }

    #[test]
    fn distances_are_great_circle_kilometres() {
        let km = super::distance_km(48.8566, 2.3522, 51.5074, -0.1278);
        assert!((km - 344.0).abs() < 2.0, "Paris to London is {km} km");
        assert!((super::distance_km(0.0, 0.0, 0.0, 180.0) - 20_015.0).abs() < 1.0);
    }

    #[test]
    fn impossible_travel_speed_is_tunable() {
        let settings: crate::DetectionSettings =
            settings_from_json(r#"{"rules": {"identity.impossible_travel": {"max_speed_kmh": 700}}}"#);
        let mut h = Harness::with("identity.impossible_travel", settings);
        h.feed(at("London", 51.51, -0.13, 10));
        h.feed(at("New York", 40.75, -73.99, 8 * 60));
        assert_eq!(h.signals().len(), 1, "711 km/h is over a 700 km/h limit");
    }

    fn settings_from_json(json: &str) -> crate::DetectionSettings {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn impossible_travel_ignores_failures_programs_and_api_tokens() {
        let mut h = Harness::only("identity.impossible_travel");
        h.feed(at("Paris", 48.85, 2.35, 0));
        h.feed(at("Moscow", 55.75, 37.62, 5).failure("INVALID_CREDENTIALS"));
        h.feed(at("Tokyo", 35.68, 139.77, 6).field(
            "transaction",
            serde_json::json!({"type": "WEB", "id": "t", "detail": {"requestApiTokenId": "00T1"}}),
        ));
        h.feed(at("Sydney", -33.87, 151.2, 7).field(
            "actor",
            serde_json::json!({"id": "0oa1", "type": "PublicClientApp", "alternateId": "amy@example.com"}),
        ));
        assert!(h.signals().is_empty(), "{:?}", h.signals());
    }
}
