//! Every fixture event through the public API (`parse_path`), checked field by field against the
//! event as written, plus hand-checked events from each source.
//!
//! The fixtures are other projects' rule-test events (see `fixtures/README.md`); some lack a field
//! every real event has, and [`REFUSED`] lists those with the error each must get.

use activity::{
    Event, ParseError, PersonHint, PersonHintKind, PersonResolver, Source, category, normalize, outcome, parse_path,
    parse_reader, stable_id,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// The event files, and the source each holds.
const EVENT_FILES: &[(Source, &str)] = &[
    (Source::Okta, "okta-system-log/panther-rule-tests.ndjson"),
    (Source::Okta, "okta-system-log/demisto-group-membership-remove.json"),
    (Source::AwsCloudtrail, "aws-cloudtrail/panther-rule-tests.ndjson"),
    (Source::Github, "github-audit/panther-rule-tests.ndjson"),
    (Source::Teleport, "teleport-audit/panther-rule-tests.ndjson"),
];

/// Fixture files that are not events, and what reads them.
const OTHER_FILES: &[(&str, &str)] = &[
    ("README.md", "provenance and licences"),
    ("okta-system-log/okta-log-fields.csv", "src/okta.rs: fields_read_are_in_oktas_dictionary"),
];

const OKTA: &str = "okta-system-log/panther-rule-tests.ndjson";
const TRAIL: &str = "aws-cloudtrail/panther-rule-tests.ndjson";
const GITHUB: &str = "github-audit/panther-rule-tests.ndjson";
const TELEPORT: &str = "teleport-audit/panther-rule-tests.ndjson";

/// Test events without the time every real event carries (the rules they test didn't need one).
const REFUSED: &[(&str, u64, &str)] = &[
    (OKTA, 37, "invalid field `published`: not a timestamp: `redacted`"),
    (OKTA, 38, "invalid field `published`: not a timestamp: `redacted`"),
    (OKTA, 39, "invalid field `published`: not a timestamp: `redacted`"),
    (OKTA, 44, "missing field `published`"),
    (OKTA, 45, "missing field `published`"),
    (OKTA, 47, "missing field `published`"),
    (OKTA, 53, "missing field `published`"),
    (OKTA, 56, "missing field `published`"),
    (OKTA, 57, "missing field `published`"),
    (OKTA, 58, "missing field `published`"),
    (OKTA, 65, "missing field `published`"),
    (OKTA, 66, "missing field `published`"),
    (OKTA, 67, "missing field `published`"),
    (TRAIL, 2, "missing field `eventTime`"),
    (TRAIL, 14, "missing field `eventTime`"),
    (GITHUB, 5, "missing field `created_at`"),
    (TELEPORT, 8, "invalid field `time`: not a timestamp: `2023-09-20T23:00:000.000000Z`"),
];

fn fixture(rel: &str) -> PathBuf {
    Path::new(FIXTURES).join(rel)
}

/// One record of a fixture file: its line, the event as written, and what came of it.
struct Record {
    line: u64,
    value: Value,
    text: String,
    result: Result<Event, ParseError>,
}

fn read(source: Source, rel: &str) -> Vec<Record> {
    let path = fixture(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let results: Vec<_> = parse_path(source, &path).unwrap().collect();
    assert_eq!(results.len(), lines.len(), "{rel}: one result per line");
    lines
        .into_iter()
        .zip(results)
        .enumerate()
        .map(|(i, (line, result))| Record {
            line: i as u64 + 1,
            value: serde_json::from_str(line).unwrap(),
            text: line.trim().to_string(),
            result,
        })
        .collect()
}

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// What each source's own fields say, read independently of the crate.
struct Expected<'a> {
    id: Option<&'a str>,
    event_type: &'a str,
    outcome: &'static str,
    has_actor: bool,
    ip: Option<IpAddr>,
}

fn expected(source: Source, v: &Value) -> Expected<'_> {
    match source {
        Source::Okta => Expected {
            id: s(v, &["uuid"]),
            event_type: s(v, &["eventType"]).unwrap(),
            outcome: match s(v, &["outcome", "result"]) {
                Some("SUCCESS" | "ALLOW") => outcome::SUCCESS,
                Some("FAILURE" | "DENY") => outcome::FAILURE,
                _ => outcome::UNKNOWN,
            },
            has_actor: [s(v, &["actor", "id"]), s(v, &["actor", "alternateId"])]
                .iter()
                .flatten()
                .any(|a| *a != "unknown"),
            ip: s(v, &["client", "ipAddress"]).and_then(|ip| ip.parse().ok()),
        },
        Source::AwsCloudtrail => Expected {
            id: s(v, &["eventID"]),
            event_type: s(v, &["eventName"]).unwrap(),
            outcome: if v.get("errorCode").is_some() || s(v, &["responseElements", "ConsoleLogin"]) == Some("Failure") {
                outcome::FAILURE
            } else {
                outcome::SUCCESS
            },
            has_actor: v.get("userIdentity").is_some(),
            ip: s(v, &["sourceIPAddress"]).and_then(|ip| ip.parse().ok()),
        },
        Source::Github => Expected {
            id: s(v, &["_document_id"]),
            event_type: s(v, &["action"]).unwrap(),
            outcome: outcome::SUCCESS,
            has_actor: s(v, &["actor"]).is_some(),
            ip: s(v, &["actor_ip"]).and_then(|ip| ip.parse().ok()),
        },
        Source::Teleport => Expected {
            id: s(v, &["uid"]),
            event_type: s(v, &["event"]).unwrap(),
            outcome: match (v.get("success").and_then(Value::as_bool), s(v, &["code"]).and_then(|c| c.chars().last())) {
                (Some(true), _) => outcome::SUCCESS,
                (Some(false), _) => outcome::FAILURE,
                (None, Some('W' | 'E')) => outcome::FAILURE,
                _ => outcome::SUCCESS,
            },
            has_actor: s(v, &["user"]).is_some() || s(v, &["identity", "user"]).is_some(),
            ip: s(v, &["addr.remote"])
                .or_else(|| s(v, &["addr_remote"]))
                .and_then(|a| a.parse::<std::net::SocketAddr>().ok().map(|a| a.ip())),
        },
        Source::Sightline => unreachable!("no fixture holds Sightline's own events"),
    }
}

/// The OCSF object agrees with itself and with the row.
fn check_ocsf(e: &Event, at: &str) {
    let o = &e.ocsf_value();
    let num = |k: &str| o[k].as_u64().unwrap_or_else(|| panic!("{at}: ocsf.{k} missing in {o}"));
    let (class, activity) = (num("class_uid"), num("activity_id"));
    assert_eq!(num("type_uid"), class * 100 + activity, "{at}");
    assert_eq!(num("category_uid"), class / 1000, "{at}");
    assert!(activity > 0, "{at}");
    for key in ["class_name", "category_name", "activity_name", "type_name", "severity", "status"] {
        assert!(o[key].is_string(), "{at}: ocsf.{key}");
    }
    assert_eq!(o["time"].as_i64(), Some(e.time.timestamp_millis()), "{at}");
    let status = match e.outcome {
        outcome::SUCCESS => (1, "Success"),
        outcome::FAILURE => (2, "Failure"),
        _ => (0, "Unknown"),
    };
    assert_eq!((num("status_id"), o["status"].as_str().unwrap()), status, "{at}");
    assert_eq!(o["metadata"]["uid"].as_str(), Some(e.uuid.as_str()), "{at}");
    assert_eq!(o["metadata"]["event_code"].as_str(), Some(e.event_type.as_str()), "{at}");
    assert!(o["metadata"]["product"]["name"].is_string(), "{at}");
    assert_eq!(o["metadata"]["version"], "1.3.0", "{at}");
    if let Some(ip) = &e.ip {
        assert_eq!(o["src_endpoint"]["ip"].as_str(), Some(ip.as_str()), "{at}");
    }
}

#[test]
fn every_fixture_file_is_accounted_for() {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path.strip_prefix(FIXTURES).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new(FIXTURES), &mut files);
    for file in files {
        let known = EVENT_FILES.iter().any(|(_, f)| *f == file)
            || OTHER_FILES.iter().any(|(f, _)| *f == file)
            || (file.ends_with(".manifest.json")
                && EVENT_FILES.iter().any(|(_, f)| *f == file.replace(".manifest.json", ".ndjson")));
        assert!(known, "fixture {file} is read by no test");
    }
}

#[test]
fn every_fixture_event_normalises() {
    let mut parsed: HashMap<Source, usize> = HashMap::new();
    let mut refused_seen = HashSet::new();
    for (source, rel) in EVENT_FILES {
        let mut hashed = HashSet::new();
        for r in read(*source, rel) {
            let at = format!("{rel}:{}", r.line);
            if let Some((_, _, why)) = REFUSED.iter().find(|(f, l, _)| f == rel && *l == r.line) {
                let e = r.result.as_ref().err().unwrap_or_else(|| panic!("{at}: should be refused"));
                assert_eq!(e.kind().to_string(), *why, "{at}");
                assert_eq!(e.line(), Some(r.line), "{at}");
                assert_eq!(e.path(), Some(fixture(rel).as_path()), "{at}");
                assert!(e.to_string().ends_with(&format!("line {}: {why}", r.line)), "{at}: {e}");
                refused_seen.insert((rel, r.line));
                continue;
            }
            let e = r.result.unwrap_or_else(|e| panic!("{at}: {e}"));
            let want = expected(*source, &r.value);
            assert_eq!(e.source, *source, "{at}");
            assert_eq!(e.event_type, want.event_type, "{at}");
            assert!(category::ALL.contains(&e.category), "{at}: {}", e.category);
            assert_eq!(e.outcome, want.outcome, "{at}");
            if want.has_actor {
                assert!(e.actor.login.is_some() || e.actor.id.is_some(), "{at}: actor lost");
                assert!(e.actor.kind.is_some(), "{at}: actor kind");
            }
            assert_eq!(e.ip.as_ref().map(|ip| ip.parse::<IpAddr>().unwrap()), want.ip, "{at}");
            // Our id is the source's id, so ours are unique wherever the source's are (the rule
            // tests reuse ids across unrelated events, which is theirs to do); hashes must not collide.
            match want.id {
                Some(id) => assert_eq!(e.uuid, id, "{at}"),
                None => {
                    assert_eq!(e.uuid, stable_id(&r.value), "{at}");
                    assert!(hashed.insert(e.uuid.clone()), "{at}: hash id collides");
                }
            }
            assert_eq!(e.raw.get(), r.text, "{at}: raw is the line as written");
            assert!(e.message.is_some(), "{at}: message");
            check_ocsf(&e, &at);
            *parsed.entry(*source).or_default() += 1;
        }
    }
    assert_eq!(refused_seen.len(), REFUSED.len(), "every listed refusal happened");
    let counts: Vec<_> = Source::ALL.iter().map(|s| (s.as_str(), parsed.get(s).copied().unwrap_or(0))).collect();
    assert_eq!(counts, [("okta", 79), ("aws_cloudtrail", 16), ("github", 7), ("teleport", 9), ("sightline", 0)]);
}

#[test]
fn manifests_describe_the_events() {
    for (source, rel) in EVENT_FILES.iter().filter(|(_, f)| f.ends_with(".ndjson")) {
        let manifest: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(fixture(&rel.replace(".ndjson", ".manifest.json"))).unwrap())
                .unwrap();
        let records = read(*source, rel);
        assert_eq!(manifest.len(), records.len(), "{rel}");
        for entry in manifest {
            let line = entry["line"].as_u64().unwrap();
            let record = &records[line as usize - 1];
            if let (Some(event_type), Ok(e)) = (entry["eventType"].as_str(), &record.result) {
                assert_eq!(e.event_type, event_type, "{rel}:{line}");
            }
        }
    }
}

fn line(source: Source, rel: &str, n: u64) -> Event {
    read(source, rel).into_iter().find(|r| r.line == n).unwrap().result.unwrap()
}

#[test]
fn okta_failed_sign_in() {
    let e = line(Source::Okta, OKTA, 76);
    assert_eq!(e.event_type, "user.session.start");
    assert_eq!((e.category, e.outcome), (category::AUTHENTICATION, outcome::FAILURE));
    assert_eq!(e.outcome_reason.as_deref(), Some("VERIFICATION_ERROR"));
    assert_eq!(e.ip.as_deref(), Some("195.154.58.200"));
    let loc = e.location.clone().unwrap();
    assert_eq!(
        (loc.city.as_deref(), loc.state.as_deref(), loc.country.as_deref()),
        (Some("Wheelwright"), Some("Urquiza"), Some("Argentina"))
    );
    assert_eq!((loc.latitude, loc.longitude), (Some(37.7852), Some(-122.3874)));
    assert_eq!(e.actor.login.as_deref(), Some("jack.naglieri@runpanther.io"));
    assert_eq!(e.time.to_rfc3339(), "2021-06-25T21:27:03.490+00:00");
    assert_eq!(e.ocsf_value()["type_uid"], 300201);
}

#[test]
fn okta_group_membership_removal_from_the_api() {
    let e = line(Source::Okta, "okta-system-log/demisto-group-membership-remove.json", 1);
    assert_eq!((e.category, e.outcome), (category::GROUP, outcome::SUCCESS));
    assert_eq!(e.ip.as_deref(), Some("8.8.8.8"));
    assert_eq!(e.session.as_deref(), Some("123"));
    assert_eq!(e.ocsf_value()["type_uid"], 300604);
    assert_eq!(e.ocsf_value()["group"]["name"], "test1");
    assert_eq!(e.ocsf_value()["user"]["name"], "test.com");
}

#[test]
fn okta_threat_and_privilege_events() {
    let threat = line(Source::Okta, OKTA, 48);
    assert_eq!((threat.category, threat.outcome), (category::THREAT, outcome::FAILURE));
    assert_eq!(threat.actor.kind.as_deref(), Some("ip"));
    assert!(threat.person_hints.is_empty());
    assert_eq!(threat.ocsf_value()["class_uid"], 2004);
    let grant = line(Source::Okta, OKTA, 4);
    assert_eq!(grant.category, category::PRIVILEGE);
    assert_eq!(
        grant.ocsf_value()["privileges"],
        serde_json::json!(["Organization administrator", "Application administrator (all)"])
    );
    let challenge = line(Source::Okta, OKTA, 25);
    assert_eq!(challenge.outcome, outcome::UNKNOWN);
}

#[test]
fn cloudtrail_console_login_failure() {
    // The fixture's failed console login has no eventTime (its rule didn't need one), so it is
    // refused; with the time CloudTrail always writes, it maps.
    let rec = read(Source::AwsCloudtrail, TRAIL).into_iter().find(|r| r.line == 2).unwrap();
    let mut v = rec.value;
    v["eventTime"] = "2024-03-01T10:15:00Z".into();
    let raw = serde_json::value::to_raw_value(&v).unwrap();
    let e = normalize(Source::AwsCloudtrail, &raw).unwrap();
    assert_eq!(e.event_type, "ConsoleLogin");
    assert_eq!((e.category, e.outcome), (category::AUTHENTICATION, outcome::FAILURE));
    assert_eq!(e.actor.login.as_deref(), Some("alice"));
    assert_eq!(e.tenant.as_deref(), Some("111122223333"));
    assert_eq!(e.person_hints, vec![PersonHint { kind: PersonHintKind::AwsIamUser, value: "alice".into() }]);
    assert_eq!(e.ocsf_value()["status"], "Failure");

    let ok = line(Source::AwsCloudtrail, TRAIL, 1);
    assert_eq!((ok.category, ok.outcome), (category::AUTHENTICATION, outcome::SUCCESS));
    assert_eq!(ok.ocsf_value()["is_mfa"], true);
}

#[test]
fn cloudtrail_sso_and_lower_cased_identities() {
    let e = line(Source::AwsCloudtrail, TRAIL, 7);
    assert_eq!(e.event_type, "PutEventSelectors");
    assert_eq!(e.category, category::CONFIGURATION);
    assert_eq!(e.actor.login.as_deref(), Some("leroy.jenkins"));
    assert_eq!(
        e.person_hints,
        vec![PersonHint { kind: PersonHintKind::AwsSessionName, value: "leroy.jenkins".into() }]
    );
    // A pipeline lower-cased this record's userIdentity keys.
    let e = line(Source::AwsCloudtrail, TRAIL, 10);
    assert_eq!(e.actor.login.as_deref(), Some("alan"));
    assert_eq!(e.actor.display_name.as_deref(), Some("TestAdmin/alan"));
    assert_eq!(e.category, category::POLICY);
    let e = line(Source::AwsCloudtrail, TRAIL, 5);
    assert_eq!(e.category, category::PRIVILEGE);
    assert_eq!(e.ocsf_value()["type_uid"], 300107);
    assert!(e.targets.iter().any(|t| t.name.as_deref() == Some("AdministratorAccess")));
}

#[test]
fn github_events() {
    let e = line(Source::Github, GITHUB, 1);
    assert_eq!(e.event_type, "org.disable_two_factor_requirement");
    assert_eq!((e.category, e.outcome), (category::POLICY, outcome::SUCCESS));
    assert_eq!(e.tenant.as_deref(), Some("my-org"));
    assert_eq!(e.person_hints, vec![PersonHint { kind: PersonHintKind::GithubLogin, value: "admin-user".into() }]);
    assert_eq!(e.time.timestamp_millis(), 1621305118553);

    // An org.add_member entry from a JSON export (an array), as GitHub writes it.
    let export = r#"[{"@timestamp": 1709288100000, "_document_id": "ZJJFlFOhQ6b-5vaAFy9Rjw", "action": "org.add_member",
        "actor": "octocat", "actor_id": 583231, "actor_ip": "192.0.2.10", "actor_location": {"country_code": "GB"},
        "created_at": 1709288100000, "operation_type": "create", "org": "acme", "org_id": 9919,
        "user": "new-hire", "user_id": 4242}]"#;
    let events: Vec<_> = parse_reader(Source::Github, export.as_bytes()).collect::<Result<_, _>>().unwrap();
    let e = &events[0];
    assert_eq!((e.category, e.outcome), (category::GROUP, outcome::SUCCESS));
    assert_eq!(e.targets[0].name.as_deref(), Some("new-hire"));
    assert_eq!(e.ip.as_deref(), Some("192.0.2.10"));
    assert_eq!(e.ocsf_value()["type_uid"], 300603);
}

#[test]
fn teleport_failures_and_logins() {
    let e = line(Source::Teleport, TELEPORT, 1);
    assert_eq!((e.event_type.as_str(), e.category, e.outcome), ("auth", category::AUTHENTICATION, outcome::FAILURE));
    assert!(e.outcome_reason.unwrap().contains("not in the set of valid principals"));

    let failed = r#"{"addr.remote": "198.51.100.23:51234", "cluster_name": "teleport.example.com", "code": "T1000W",
        "error": "invalid username, password or second factor", "event": "user.login", "method": "local",
        "success": false, "time": "2024-03-01T12:00:00Z", "uid": "5c1a9f1e-0000-4000-8000-000000000001",
        "user": "jane.doe@example.com"}"#;
    let e = parse_reader(Source::Teleport, failed.as_bytes()).next().unwrap().unwrap();
    assert_eq!((e.category, e.outcome), (category::AUTHENTICATION, outcome::FAILURE));
    assert_eq!(e.ip.as_deref(), Some("198.51.100.23"));
    assert_eq!(e.outcome_reason.as_deref(), Some("invalid username, password or second factor"));

    let ok = line(Source::Teleport, TELEPORT, 2);
    assert_eq!((ok.category, ok.outcome), (category::AUTHENTICATION, outcome::SUCCESS));
    assert_eq!(ok.tenant.as_deref(), Some("teleport.example.com"));
    // The IPv6 address in line 3 is malformed (a 5-digit group), so it is not an IP.
    assert_eq!(line(Source::Teleport, TELEPORT, 3).ip, None);
    let command = line(Source::Teleport, TELEPORT, 6);
    assert_eq!(command.ocsf_value()["process"]["name"], "nmap");
    assert_eq!(command.session.as_deref(), Some("a3562a0e-e57f-4273-9f69-eedb6cd029cb"));
}

#[test]
fn one_person_across_sources() {
    let resolver = PersonResolver::new(
        [
            ("00uu1uuuuIlllaaaa356", "jack.naglieri@runpanther.io", "jack.naglieri@runpanther.io"),
            ("00uJANE", "jane.doe@example.com", "jane.doe@example.com"),
        ],
        HashMap::from([("admin-user".to_string(), "jane.doe@example.com".to_string())]),
    );
    let okta = line(Source::Okta, OKTA, 76);
    let teleport = line(Source::Teleport, TELEPORT, 2);
    let github = line(Source::Github, GITHUB, 1);
    assert_eq!(resolver.resolve(&okta.person_hints).as_deref(), Some("jack.naglieri@runpanther.io"));
    assert_eq!(resolver.resolve(&teleport.person_hints).as_deref(), Some("jane.doe@example.com"));
    assert_eq!(resolver.resolve(&github.person_hints).as_deref(), Some("jane.doe@example.com"));
    let sso = line(Source::AwsCloudtrail, TRAIL, 7);
    assert_eq!(resolver.resolve(&sso.person_hints), None, "leroy.jenkins is nobody's login");
}

/// Cut every fixture event at many points (including inside UTF-8 sequences): each piece is read
/// without panicking, and yields errors or events, never nothing for non-blank input.
#[test]
fn truncated_events_never_panic() {
    for (source, rel) in EVENT_FILES {
        let text = std::fs::read(fixture(rel)).unwrap();
        for line in text.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            for cut in (0..line.len()).step_by(7).chain([line.len() - 1]) {
                let piece = &line[..cut];
                let results: Vec<_> = parse_reader(*source, piece).collect();
                if piece.iter().any(|b| !b.is_ascii_whitespace()) {
                    assert!(!results.is_empty(), "{rel}: cut at {cut} gave nothing");
                }
            }
        }
    }
}
