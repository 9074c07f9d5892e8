//! Audit events from Okta, AWS CloudTrail, GitHub and Teleport, normalised into one event schema.
//!
//! Every event, whatever its source, becomes one [`Event`]: a row of the `events` table with the
//! fields an analyst filters and joins on (time, type, category, outcome, actor, targets, IP,
//! place, session), the same event as an OCSF object, the person hints that tie its actor to a
//! person, and the event exactly as received.
//!
//! # Data flow
//!
//! ```text
//! file / dir / reader ─► read: gunzip, split into records ─► normalize: one source module ─► Event
//!   (JSON lines, arrays,     (parse_path, parse_reader)        (okta, cloudtrail, github,      │
//!    CloudTrail Records)                                        teleport: mapping table)       ▼
//!                                              PersonResolver: person_hints ─► canonical person
//! ```
//!
//! [`parse_path`] and [`parse_reader`] find the records, whatever the framing, and yield one
//! `Result` per record: a bad record is an error that names its file and line, and the rest are
//! still read. [`normalize`] maps one record. Each source module holds a mapping table from its
//! own event types to a category and an OCSF class and activity; the table is the documentation
//! of the mapping. Nothing here does network or database I/O.
//!
//! # Vocabulary
//!
//! Categories ([`category`]) group event types across sources so one filter finds "all sign-ins"
//! or "all privilege changes" everywhere. They are deliberately few; the OCSF object carries the
//! finer classification, and `event_type` the source's own.
//!
//! - `authentication`: sign-in attempts and credential checks (Okta sign-in and SSO, AWS console
//!   login and federation, Teleport login, OAuth token grants and certificates).
//! - `mfa`: MFA challenges and a user's factors (enrol, reset, push denied).
//! - `session`: what follows sign-in (session end, impersonation, role sessions) and what happens
//!   inside a session (Teleport commands and connections).
//! - `account`: user and role lifecycle (create, activate, suspend, delete, password, lock).
//! - `group`: groups and their members (Okta groups, GitHub organisation and team membership, IAM
//!   groups).
//! - `application`: apps and integrations, and who is assigned to them.
//! - `privilege`: admin roles and permissions given or taken (Okta admin roles, IAM policies on
//!   principals, GitHub repository access, Teleport roles).
//! - `policy`: rules deciding who may do what (sign-on and MFA policies, network zones and IP allow
//!   lists, SAML enforcement, branch protection, resource policies, security groups).
//! - `api_token`: API tokens and keys (Okta API tokens and client secrets, AWS access keys, GitHub
//!   tokens and deploy keys).
//! - `configuration`: other settings (identity providers, authorization servers, hooks, log
//!   streams and trails, security features).
//! - `threat`: the source's own threat and abuse findings (ThreatInsight, token reuse, rate-limit
//!   violations, suspicious activity a user reported).
//! - `data_access`: reading secrets and data (secret values, revealed app passwords, clones).
//! - `resource`: other actions on cloud and SaaS resources (AWS API calls, repositories).
//! - `other`: event types no table knows.
//!
//! Outcomes ([`outcome`]) are `success`, `failure` or `unknown`: `unknown` is for decisions still
//! open (Okta `CHALLENGE`) or events that do not say, never a guess. Actor kinds ([`actor_kind`])
//! are `user`, `service`, `role`, `system`, `ip` and `other`.
//!
//! # People
//!
//! An actor is an account on one system; a person has accounts on all of them. Each source
//! module turns what its events say about the actor into [`PersonHint`]s (an Okta login, an AWS
//! session name set by IAM Identity Center, a GitHub login, a SAML NameID...), and
//! [`PersonResolver`] turns hints into one person id, the person's Okta login.
//!
//! # Example
//!
//! ```
//! use activity::{PersonResolver, Source, category, outcome, parse_reader};
//!
//! let export = r#"{"uuid": "1", "published": "2024-03-01T12:00:00Z", "eventType": "user.session.start",
//!                  "actor": {"id": "00u1", "type": "User", "alternateId": "Ada@acme.example"},
//!                  "client": {"ipAddress": "198.51.100.7"},
//!                  "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"}}"#;
//! let event = parse_reader(Source::Okta, export.as_bytes()).next().unwrap()?;
//! assert_eq!((event.category, event.outcome), (category::AUTHENTICATION, outcome::FAILURE));
//! assert_eq!(event.ip.as_deref(), Some("198.51.100.7"));
//! assert_eq!(event.ocsf_value()["type_uid"], 300201); // Authentication: Logon
//!
//! let people = PersonResolver::new([("00u1", "ada@acme.example", "ada@acme.example")], Default::default());
//! assert_eq!(people.resolve(&event.person_hints).as_deref(), Some("ada@acme.example"));
//! # Ok::<(), activity::ParseError>(())
//! ```

#![deny(missing_docs)]

mod cloudtrail;
mod error;
mod event;
mod github;
mod json;
mod mapping;
mod ocsf;
mod okta;
mod people;
mod prune;
mod read;
mod teleport;

pub use error::{ErrorKind, ParseError, Position};
pub use event::{Actor, Event, Location, OcsfJson, PersonHint, PersonHintKind, RawJson, Source, Target, UnknownSource};
pub use json::stable_id;
pub use people::PersonResolver;
pub use read::{PathRecords, Records, parse_path, parse_reader};

use serde_json::Value;
use serde_json::value::RawValue;

/// The event categories: one small vocabulary across sources (see the crate documentation).
pub mod category {
    /// Sign-in attempts and credential checks.
    pub const AUTHENTICATION: &str = "authentication";
    /// MFA challenges and a user's factors.
    pub const MFA: &str = "mfa";
    /// Session lifecycle after sign-in, and activity inside a session.
    pub const SESSION: &str = "session";
    /// User and role lifecycle.
    pub const ACCOUNT: &str = "account";
    /// Groups and their members.
    pub const GROUP: &str = "group";
    /// Applications and integrations, and who is assigned to them.
    pub const APPLICATION: &str = "application";
    /// Admin roles and permissions given or taken.
    pub const PRIVILEGE: &str = "privilege";
    /// Rules deciding who may do what.
    pub const POLICY: &str = "policy";
    /// API tokens and keys.
    pub const API_TOKEN: &str = "api_token";
    /// Other settings.
    pub const CONFIGURATION: &str = "configuration";
    /// The source's own threat and abuse findings.
    pub const THREAT: &str = "threat";
    /// Reading secrets and data.
    pub const DATA_ACCESS: &str = "data_access";
    /// Other actions on cloud and SaaS resources.
    pub const RESOURCE: &str = "resource";
    /// Event types no mapping table knows.
    pub const OTHER: &str = "other";

    /// Every category.
    pub const ALL: [&str; 14] = [
        AUTHENTICATION,
        MFA,
        SESSION,
        ACCOUNT,
        GROUP,
        APPLICATION,
        PRIVILEGE,
        POLICY,
        API_TOKEN,
        CONFIGURATION,
        THREAT,
        DATA_ACCESS,
        RESOURCE,
        OTHER,
    ];
}

/// The outcomes of an event.
pub mod outcome {
    /// It happened (Okta `SUCCESS`/`ALLOW`, CloudTrail without `errorCode`, Teleport `success`).
    pub const SUCCESS: &str = "success";
    /// It was refused or failed (Okta `FAILURE`/`DENY`, CloudTrail `errorCode` or a failed console
    /// login, Teleport `success: false` or a warning/error code).
    pub const FAILURE: &str = "failure";
    /// Undecided or unsaid (Okta `CHALLENGE`, `UNKNOWN`, `SKIPPED`, or no outcome at all).
    pub const UNKNOWN: &str = "unknown";

    /// Every outcome.
    pub const ALL: [&str; 3] = [SUCCESS, FAILURE, UNKNOWN];
}

/// The kinds of actor ([`Actor::kind`]).
pub mod actor_kind {
    /// A person's account (Okta user, IAM user, root, GitHub user, Teleport user).
    pub const USER: &str = "user";
    /// A program: an OAuth client, an AWS service, a bot.
    pub const SERVICE: &str = "service";
    /// An assumed AWS role session.
    pub const ROLE: &str = "role";
    /// The source itself (Okta's system principal).
    pub const SYSTEM: &str = "system";
    /// An unauthenticated network client (Okta names the IP address as the actor).
    pub const IP: &str = "ip";
    /// Anything else.
    pub const OTHER: &str = "other";

    /// Every kind.
    pub const ALL: [&str; 6] = [USER, SERVICE, ROLE, SYSTEM, IP, OTHER];
}

/// Normalises one event of `source`: a JSON object as the source wrote it.
pub fn normalize(source: Source, raw: &RawValue) -> Result<Event, ParseError> {
    normalize_text(source, raw.get().to_string())
}

/// [`normalize`] for text not yet known to be JSON: parsing it for the mapping checks all of it.
pub(crate) fn normalize_text(source: Source, text: String) -> Result<Event, ParseError> {
    let value: Value = match source {
        Source::Okta => prune::parse(&text, okta::READS),
        _ => serde_json::from_str(&text),
    }
    .map_err(|e| ParseError::new(ErrorKind::Json(e.to_string())))?;
    let raw = RawJson::parsed(text);
    if !value.is_object() {
        return Err(ErrorKind::NotObject(json::kind_name(&value)).into());
    }
    match source {
        Source::Okta => okta::normalize(&value, raw),
        Source::AwsCloudtrail => cloudtrail::normalize(&value, raw),
        Source::Github => github::normalize(&value, raw),
        Source::Teleport => teleport::normalize(&value, raw),
        Source::Sightline => Err(ErrorKind::NotReadable(Source::Sightline.as_str()).into()),
    }
}

/// The OCSF object of an event Sightline makes itself ([`Source::Sightline`], such as a change to
/// who can reach a crown jewel): an Entity Management "Update" whose `entity` is the event's first
/// target (the object whose standing changed), with the fields every source's objects carry
/// (`metadata`, `time`, `severity`, `status`, `message`). `extra` is merged last, one level deep,
/// as for the other sources (for example an `unmapped` object with counts).
pub fn sightline_ocsf(event: &Event, extra: serde_json::Map<String, Value>) -> OcsfJson {
    ocsf::build(event, ocsf::ENTITY_UPDATE, None, extra)
}

/// [`normalize`] for a value built in a test.
#[cfg(test)]
pub(crate) fn normalize_value(source: Source, value: &Value) -> Result<Event, ParseError> {
    normalize_text(source, value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::Rule;

    const TABLES: [(&str, &[Rule]); 4] = [
        ("okta", okta::RULES),
        ("cloudtrail", cloudtrail::RULES),
        ("github", github::RULES),
        ("teleport", teleport::RULES),
    ];

    #[test]
    fn source_names_round_trip() {
        for s in Source::ALL {
            assert_eq!(s.as_str().parse::<Source>(), Ok(s));
            assert_eq!(s.cli_name().parse::<Source>(), Ok(s));
        }
        assert_eq!("aws-cloudtrail".parse::<Source>(), Ok(Source::AwsCloudtrail));
        assert_eq!(
            "azure".parse::<Source>().unwrap_err().to_string(),
            "unknown source `azure` (expected okta, aws-cloudtrail, github, teleport or sightline)"
        );
    }

    #[test]
    fn every_table_is_well_formed_and_ocsf_consistent() {
        for (name, rules) in TABLES {
            mapping::check_table(name, rules);
            for (pattern, _, activity) in rules {
                assert!(ocsf::class::CLASSES.contains(&activity.class), "{name}: {pattern}");
                assert_eq!(activity.type_uid(), u64::from(activity.class.uid) * 100 + u64::from(activity.id));
            }
        }
    }

    #[test]
    fn non_objects_are_refused() {
        for (text, found) in [("[1]", "an array"), ("\"s\"", "a string"), ("null", "null"), ("3", "a number")] {
            let raw = RawValue::from_string(text.into()).unwrap();
            for source in Source::ALL {
                let e = normalize(source, &raw).unwrap_err();
                assert_eq!(e.to_string(), format!("not a JSON object: found {found}"));
            }
        }
    }

    #[test]
    fn sightline_events_are_made_not_read() {
        let raw = RawValue::from_string(r#"{"uuid": "u"}"#.into()).unwrap();
        let error = normalize(Source::Sightline, &raw).unwrap_err();
        assert_eq!(error.to_string(), "events of source `sightline` are made by Sightline itself, not read from files");

        let event = Event {
            uuid: "u1".into(),
            source: Source::Sightline,
            time: chrono::DateTime::parse_from_rfc3339("2024-03-01T12:00:00Z").unwrap().into(),
            event_type: "graph.crown_jewel_access_changed".into(),
            category: category::PRIVILEGE,
            outcome: outcome::SUCCESS,
            outcome_reason: None,
            severity: Some("WARN".into()),
            actor: Actor::default(),
            person_hints: Vec::new(),
            targets: vec![Target {
                id: Some("okta:acme:0oa1".into()),
                kind: Some("AppInstance".into()),
                name: Some("AWS".into()),
            }],
            ip: None,
            location: None,
            asn: None,
            user_agent: None,
            session: None,
            message: Some("1 identity can now reach or control AWS".into()),
            tenant: Some("https://acme.okta.com".into()),
            ocsf: Event::no_ocsf(),
            raw: RawJson::from_value(&serde_json::json!({})),
        };
        let mut extra = serde_json::Map::new();
        extra.insert("unmapped".into(), serde_json::json!({"added": 1}));
        let o: Value = serde_json::from_str(sightline_ocsf(&event, extra).as_str()).unwrap();
        assert_eq!((o["class_uid"].as_u64(), o["activity_id"].as_u64()), (Some(3004), Some(3)));
        assert_eq!(o["type_uid"], 300403);
        assert_eq!(o["metadata"]["product"], serde_json::json!({"name": "Sightline", "vendor_name": "Sightline"}));
        assert_eq!(o["metadata"]["event_code"], "graph.crown_jewel_access_changed");
        assert_eq!(o["metadata"]["tenant_uid"], "https://acme.okta.com");
        assert_eq!(o["entity"], serde_json::json!({"uid": "okta:acme:0oa1", "name": "AWS", "type": "AppInstance"}));
        assert_eq!(o["severity_id"], 3);
        assert_eq!(o["message"], "1 identity can now reach or control AWS");
        assert_eq!(o["unmapped"]["added"], 1);
        assert!(o.get("actor").is_none());
    }

    #[test]
    fn raw_is_kept_exactly() {
        let text = r#"{ "uuid" : "u",  "published":"2024-01-01T00:00:00Z", "eventType":"x.y" , "z": 1.50 }"#;
        let raw = RawValue::from_string(text.into()).unwrap();
        let e = normalize(Source::Okta, &raw).unwrap();
        assert_eq!(e.raw.get(), text);
        assert_eq!((e.category, e.outcome), (category::OTHER, outcome::UNKNOWN));
        assert_eq!(e.ocsf_value()["class_uid"], 0);
        assert_eq!(e.ocsf_value()["type_uid"], 99);
    }
}
