/*!
The normalised event: one row of the `events` table, whatever the source.
*/

use chrono::{DateTime, Utc};
use std::fmt;
use std::str::FromStr;

/// Where an event comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// Okta System Log (`/api/v1/logs` LogEvent objects).
    Okta,
    /// AWS CloudTrail records.
    AwsCloudtrail,
    /// GitHub organisation or enterprise audit log entries.
    Github,
    /// Teleport audit events.
    Teleport,
    /// Sightline itself: what it finds by comparing scans (for example, who can newly reach a
    /// crown jewel). Never read from files.
    Sightline,
}

impl Source {
    /// Every source, in a fixed order.
    pub const ALL: [Source; 5] =
        [Source::Okta, Source::AwsCloudtrail, Source::Github, Source::Teleport, Source::Sightline];

    /// The stored name: `okta`, `aws_cloudtrail`, `github`, `teleport`, `sightline`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Okta => "okta",
            Source::AwsCloudtrail => "aws_cloudtrail",
            Source::Github => "github",
            Source::Teleport => "teleport",
            Source::Sightline => "sightline",
        }
    }

    /// The spelling on the command line: `okta`, `aws-cloudtrail`, `github`, `teleport`.
    pub fn cli_name(self) -> &'static str {
        match self {
            Source::AwsCloudtrail => "aws-cloudtrail",
            other => other.as_str(),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A source name that is none of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown source `{0}` (expected okta, aws-cloudtrail, github, teleport or sightline)")]
pub struct UnknownSource(pub String);

impl FromStr for Source {
    type Err = UnknownSource;

    /// Accepts the CLI spellings and the stored names (`aws-cloudtrail` and `aws_cloudtrail`).
    fn from_str(s: &str) -> Result<Source, UnknownSource> {
        match s {
            "okta" => Ok(Source::Okta),
            "aws-cloudtrail" | "aws_cloudtrail" => Ok(Source::AwsCloudtrail),
            "github" => Ok(Source::Github),
            "teleport" => Ok(Source::Teleport),
            "sightline" => Ok(Source::Sightline),
            _ => Err(UnknownSource(s.to_string())),
        }
    }
}

/// One normalised event: a row of the `events` table.
///
/// `category` and `outcome` take their values from [`crate::category`] and [`crate::outcome`];
/// `ocsf` says the same thing in OCSF's vocabulary, and `raw` keeps the event as received so that
/// nothing the mapping leaves out is lost.
#[derive(Debug, Clone)]
pub struct Event {
    /// Unique within the source: the source's own id, or a hash of the event when it has none
    /// (see [`crate::stable_id`]). Uniqueness is `(source, uuid)`.
    pub uuid: String,
    /// Where the event comes from.
    pub source: Source,
    /// When it happened, as the source says.
    pub time: DateTime<Utc>,
    /// The source's own type: Okta `eventType`, CloudTrail `eventName`, GitHub `action`,
    /// Teleport `event`.
    pub event_type: String,
    /// One of [`crate::category`].
    pub category: &'static str,
    /// One of [`crate::outcome`].
    pub outcome: &'static str,
    /// Why it failed (or the source's reason for the outcome).
    pub outcome_reason: Option<String>,
    /// The source's own severity, when it has one (Okta `severity`).
    pub severity: Option<String>,
    /// Who did it.
    pub actor: Actor,
    /// Clues to the person behind the actor, for [`crate::PersonResolver`].
    pub person_hints: Vec<PersonHint>,
    /// What it was done to.
    pub targets: Vec<Target>,
    /// The client's IP address (only a valid address; service names such as CloudTrail's
    /// `cloudformation.amazonaws.com` stay in `raw` and the OCSF object).
    pub ip: Option<String>,
    /// Where the client was, when the source geolocates it.
    pub location: Option<Location>,
    /// The client's autonomous system: its number when known, else its organisation.
    pub asn: Option<String>,
    /// The client's user agent.
    pub user_agent: Option<String>,
    /// The session the event belongs to, in the source's terms.
    pub session: Option<String>,
    /// A readable summary.
    pub message: Option<String>,
    /// The organisation, account or cluster the event belongs to, when the event says.
    pub tenant: Option<String>,
    /// The same event as an OCSF 1.3 object (JSON text; [`Event::ocsf_value`] parses it).
    pub ocsf: OcsfJson,
    /// The event exactly as received.
    pub raw: RawJson,
}

impl Event {
    /// The OCSF object as a value, for code that reads its fields.
    pub fn ocsf_value(&self) -> serde_json::Value {
        serde_json::from_str(self.ocsf.as_str()).expect("the OCSF text is written as JSON")
    }

    /// What `ocsf` holds until the object is built (`null`).
    pub fn no_ocsf() -> OcsfJson {
        OcsfJson("null".to_string())
    }
}

/// One event's JSON text, exactly as received.
///
/// Normalising an event parses all of it, which proves it is JSON; a `RawValue` would have
/// parsed it once more to prove it again (a tenth of the CPU time of an Okta event's ingest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawJson(String);

impl RawJson {
    /// Text that normalisation has parsed whole.
    pub(crate) fn parsed(text: String) -> RawJson {
        RawJson(text)
    }

    /// A value's JSON text, for events Sightline makes itself.
    pub fn from_value(value: &serde_json::Value) -> RawJson {
        RawJson(value.to_string())
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }
}

/// An event's OCSF object as JSON text.
///
/// Only this crate's OCSF writer makes one, so the text is always JSON without being parsed again
/// to prove it (which cost a tenth of an Okta event's normalisation as a `RawValue`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcsfJson(String);

impl OcsfJson {
    /// Text the OCSF writer wrote.
    pub(crate) fn written(text: String) -> OcsfJson {
        OcsfJson(text)
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who performed an event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// The source's id for the actor (Okta user id, AWS ARN, GitHub user id).
    pub id: Option<String>,
    /// One of `user`, `service`, `role`, `system`, `ip`, `other` (see [`crate::actor_kind`]).
    pub kind: Option<String>,
    /// The name the actor signs in with (Okta login, IAM user or role session name, GitHub login,
    /// Teleport user).
    pub login: Option<String>,
    /// A name for people to read.
    pub display_name: Option<String>,
}

/// Something an event acted on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// The source's id for it.
    pub id: Option<String>,
    /// The source's own type for it (Okta `User`, `AppInstance`; CloudTrail `AWS::IAM::User`;
    /// GitHub `repository`; Teleport `node`...), kept as the source says because each source has
    /// far more kinds than a shared list could hold.
    pub kind: Option<String>,
    /// Its name: the login of a user, the label of an app, the name of a repository.
    pub name: Option<String>,
}

/// Where a client was.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Location {
    /// City.
    pub city: Option<String>,
    /// State or region.
    pub state: Option<String>,
    /// Country (a name for Okta, an ISO code for GitHub).
    pub country: Option<String>,
    /// Latitude in degrees.
    pub latitude: Option<f64>,
    /// Longitude in degrees.
    pub longitude: Option<f64>,
}

/// A clue to the person behind an actor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonHint {
    /// What kind of clue.
    pub kind: PersonHintKind,
    /// The value as the source wrote it.
    pub value: String,
}

/// What a [`PersonHint`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PersonHintKind {
    /// An email address.
    Email,
    /// An Okta login (usually an email address, or what was typed on a failed sign-in).
    OktaLogin,
    /// An Okta user id (`00u...`).
    OktaUserId,
    /// The session name of an AWS role session created by IAM Identity Center, by SAML
    /// federation, or one that looks like an email address.
    AwsSessionName,
    /// An IAM user name: a weak clue, since IAM users are often shared or named for programs.
    AwsIamUser,
    /// A GitHub login.
    GithubLogin,
    /// A SAML NameID (or the IdP username GitHub links to an account).
    SamlNameId,
    /// A Teleport user name.
    TeleportUser,
}

impl PersonHintKind {
    /// A stable name for storage: `email`, `okta_login`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            PersonHintKind::Email => "email",
            PersonHintKind::OktaLogin => "okta_login",
            PersonHintKind::OktaUserId => "okta_user_id",
            PersonHintKind::AwsSessionName => "aws_session_name",
            PersonHintKind::AwsIamUser => "aws_iam_user",
            PersonHintKind::GithubLogin => "github_login",
            PersonHintKind::SamlNameId => "saml_name_id",
            PersonHintKind::TeleportUser => "teleport_user",
        }
    }
}

impl PersonHint {
    pub(crate) fn new(kind: PersonHintKind, value: &str) -> PersonHint {
        PersonHint { kind, value: value.trim().to_string() }
    }
}

/// Adds a hint unless it is empty or already there.
pub(crate) fn push_hint(hints: &mut Vec<PersonHint>, kind: PersonHintKind, value: &str) {
    let hint = PersonHint::new(kind, value);
    if !hint.value.is_empty() && !hints.contains(&hint) {
        hints.push(hint);
    }
}
