/*!
Users' own rules in the Sigma format, evaluated over Okta System Log events.

Rules are parsed by `rsigma-parser` and evaluated by `rsigma-eval`'s correlation engine, which also
keeps the windowed state of correlation rules (`event_count`, `value_count`, `temporal`...). The
engine sees the raw Okta LogEvent JSON, so rules name Okta's own fields (`eventType`,
`actor.alternateId`, `target.alternateId` inside the `target` array,
`debugContext.debugData.requestUri`...).

Field names are matched without regard to case, because SigmaHQ's published Okta rules write them
in lower case (`eventtype`, `actor.alternateid`) while Okta sends camelCase. Two layers do it:
- at load time every field a rule names (detection items, array blocks, correlation group-by and
  value fields) is rewritten to Okta's spelling from the LogEvent field list below, so the common
  case is an exact lookup with no per-event cost;
- at evaluation time a lookup that misses falls back to resolving each path segment
  case-insensitively against the event, which covers fields the list does not know (new
  `debugData` keys, `detailEntry` contents).

Rules whose `logsource.product` is set to something other than `okta` are reported and skipped:
they could never match, and a whole SigmaHQ checkout would otherwise load thousands of them.
*/

use crate::event::Observed;
use crate::signal::{Entity, Finding, Severity, Signal};
use rsigma_eval::event::{Event, EventValue, JsonEvent};
use rsigma_eval::{
    CorrelationBody, CorrelationConfig, CorrelationEngine, CorrelationEventMode, DetectionBody, EvaluationResult,
    ResultBody, TimestampFallback,
};
use rsigma_parser::{
    ConditionOperator, CorrelationCondition, CorrelationRule, CorrelationType, Detection, FilterRule, Level,
    SigmaCollection, SigmaRule, parse_sigma_yaml,
};
use serde_json::{Value, json};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// Signals of one detection rule about the same entity within this long join one alert.
const DETECTION_GROUP_WINDOW: Duration = crate::rule::hours(1);

/// The custom attribute each loaded rule carries so a match leads back to our rule table (rsigma's
/// results name a rule only by its optional id and its title, neither of which is unique).
const RULE_ATTRIBUTE: &str = "sightline.rule";

/// How many contributing events a correlation remembers per group (for the signal's event list;
/// the count itself is not capped).
const MAX_CORRELATION_EVENTS: usize = 100;

/// Above this many remembered correlation groups, groups whose window has passed are forgotten.
const REPORTED_SWEEP_AT: usize = 10_000;

/// The outcome of loading rules: what loaded, and what did not, with why.
#[derive(Debug)]
pub struct SigmaLoad {
    /// The rules that loaded.
    pub rules: SigmaRules,
    /// Files and rules that did not load, each with its reason.
    pub errors: Vec<SigmaLoadError>,
    /// Rules that loaded with something ignored (an unknown `level` or `status`, a malformed
    /// `related` entry), each with what.
    pub warnings: Vec<SigmaLoadError>,
}

/// A file or rule that did not load (or, as a warning, loaded with part of it ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigmaLoadError {
    /// The file it came from.
    pub file: PathBuf,
    /// What is wrong, naming the rule when the problem is one rule's.
    pub reason: String,
}

impl fmt::Display for SigmaLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.reason)
    }
}

impl std::error::Error for SigmaLoadError {}

/// Whether a rule matches single events or correlates matches over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigmaKind {
    /// A detection rule: each matching event raises a signal.
    Detection,
    /// A correlation rule over other rules' matches.
    Correlation,
}

/// A loaded rule, as listed to users.
#[derive(Debug, Clone, PartialEq)]
pub struct SigmaRuleInfo {
    /// The id its signals carry: `sigma.<the rule's id>`, or `sigma.<file stem>` when it has none.
    pub id: String,
    /// The rule's own `id`, if it has one.
    pub sigma_id: Option<String>,
    /// Its title.
    pub title: String,
    /// Its `level` as a severity (`medium` when it has none).
    pub level: Severity,
    /// The file it was loaded from.
    pub file: PathBuf,
    /// Detection or correlation.
    pub kind: SigmaKind,
    /// Its tags, as written (`attack.t1556`, `attack.persistence`...).
    pub tags: Vec<String>,
    /// The ATT&CK technique ids among its tags (`T1556.006`).
    pub attack: Vec<String>,
    /// Signals about one entity within this long of each other join one alert: an hour for
    /// detection rules, the timespan for correlations.
    pub group_window: Duration,
}

/// A set of loaded Sigma rules and their correlation state.
pub struct SigmaRules {
    engine: CorrelationEngine,
    rules: Vec<SigmaRuleInfo>,
    horizon: Duration,
    /// Per correlation rule and group: the last event seq already reported and its time, so a
    /// correlation that keeps firing lists only the events its earlier signals did not.
    reported: Reported,
}

/// Per correlation rule (index) and group: the last seq reported and its time (epoch seconds).
type Reported = HashMap<(usize, Vec<(String, String)>), (i64, i64)>;

impl Default for SigmaRules {
    fn default() -> Self {
        SigmaRules {
            engine: CorrelationEngine::new(engine_config()),
            rules: Vec::new(),
            horizon: Duration::ZERO,
            reported: HashMap::new(),
        }
    }
}

impl fmt::Debug for SigmaRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigmaRules").field("rules", &self.rules).field("horizon", &self.horizon).finish_non_exhaustive()
    }
}

fn engine_config() -> CorrelationConfig {
    CorrelationConfig {
        // Every event is processed with its own time; this is never consulted.
        timestamp_fallback: TimestampFallback::Skip,
        // Sigma's `generate: false` (the default): rules that only feed a correlation raise
        // nothing on their own.
        emit_detections: false,
        // References are cheap, and our events answer `to_json` with their seq (see `OktaView`).
        correlation_event_mode: CorrelationEventMode::Refs,
        max_correlation_events: MAX_CORRELATION_EVENTS,
        ..CorrelationConfig::default()
    }
}

impl SigmaRules {
    /// Loads every `.yml`/`.yaml` file under `dir` (recursively, in path order, skipping hidden
    /// files and directories such as `.github`). A broken file or rule is reported and the others
    /// still load.
    pub fn load_dir(dir: &Path) -> SigmaLoad {
        let mut loader = Loader::default();
        let mut files = Vec::new();
        collect_files(dir, &mut files, &mut loader);
        files.sort();
        for file in files {
            match std::fs::read_to_string(&file) {
                Ok(text) => loader.add_text(&file, &text),
                Err(e) => loader.error(&file, format!("cannot read: {e}")),
            }
        }
        loader.finish()
    }

    /// Loads the rules in one YAML text (one or more documents) as if read from a file named
    /// `name`.
    pub fn from_yaml(name: &str, text: &str) -> SigmaLoad {
        let mut loader = Loader::default();
        loader.add_text(Path::new(name), text);
        loader.finish()
    }

    /// How many rules loaded (detection and correlation rules).
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether no rule loaded.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The loaded rules, detection rules first, each in file order.
    pub fn rules(&self) -> &[SigmaRuleInfo] {
        &self.rules
    }

    /// How far back correlation state reaches: the longest correlation timespan (zero without
    /// correlations, whose detection rules need no history).
    pub fn horizon(&self) -> Duration {
        self.horizon
    }

    /// Evaluates every rule over one event (Okta System Log events only) and pushes a signal for
    /// each detection match and each correlation that fires.
    pub fn observe(&mut self, event: &Observed<'_>, out: &mut Vec<Signal>) {
        if self.rules.is_empty() || !event.is_okta() {
            return;
        }
        let raw = event.raw();
        if !raw.is_object() {
            return;
        }
        let view = OktaView { json: JsonEvent::borrow(raw), raw, seq: event.row.seq };
        let now = event.row.time.timestamp();
        let results = self.engine.process_event_at(&view, now);
        for result in results {
            let Some(index) = rule_index(&result) else { continue };
            let Some(rule) = self.rules.get(index) else { continue };
            let finding = match &result.body {
                ResultBody::Detection(body) => detection_finding(rule, body, event),
                ResultBody::Correlation(body) => {
                    let seqs = new_events(&mut self.reported, &self.rules, index, body, event, now);
                    correlation_finding(rule, body, event, seqs)
                }
            };
            out.push(Signal {
                rule_id: rule.id.clone(),
                title: rule.title.clone(),
                severity: rule.level,
                time: event.row.time,
                seq: event.row.seq,
                group_window: rule.group_window,
                finding,
            });
        }
    }
}

/// The seqs behind a correlation firing that no earlier signal of the same rule and group
/// listed, oldest first, ending with the triggering event.
fn new_events(
    reported: &mut Reported,
    rules: &[SigmaRuleInfo],
    index: usize,
    body: &CorrelationBody,
    event: &Observed<'_>,
    now: i64,
) -> Vec<i64> {
    let key = (index, body.group_key.clone());
    let after = reported.get(&key).map_or(i64::MIN, |(seq, _)| *seq);
    let mut seqs: Vec<i64> = body
        .event_refs
        .iter()
        .flatten()
        .filter_map(|r| r.id.as_deref()?.parse().ok())
        .filter(|seq| *seq > after && *seq != event.row.seq)
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    seqs.push(event.row.seq);
    if reported.len() >= REPORTED_SWEEP_AT {
        reported.retain(|(i, _), (_, at)| {
            let span = rules.get(*i).map_or(0, |r| r.group_window.as_secs()) as i64;
            now.saturating_sub(*at) <= span
        });
    }
    reported.insert(key, (event.row.seq, now));
    seqs
}

fn rule_index(result: &EvaluationResult) -> Option<usize> {
    let index = result.header.custom_attributes.get(RULE_ATTRIBUTE)?.as_u64()?;
    usize::try_from(index).ok()
}

/// The actor of the event as an entity (logins lowercased, as the built-in rules key users), else
/// the org.
fn actor_entity(event: &Observed<'_>) -> Entity {
    match event.row.actor.as_deref().or_else(|| event.raw_str(&["actor", "alternateId"])) {
        Some(login) => Entity::new("user", login.to_lowercase()),
        None => Entity::new("org", "okta"),
    }
}

fn detection_finding(rule: &SigmaRuleInfo, body: &DetectionBody, event: &Observed<'_>) -> Finding {
    let who = event.actor_key().unwrap_or("an unknown actor");
    let mut finding = Finding::new(
        actor_entity(event),
        format!("{} by {who} matched Sigma rule \"{}\"", event.row.event_type, rule.title),
        vec![event.row.seq],
    );
    finding.actor_id = event.row.actor_id.clone();
    finding.person = event.person_key();
    let matched: Vec<Value> = body.matched_fields.iter().map(|m| json!({"field": m.field, "value": m.value})).collect();
    finding.details = json!({
        "sigma_id": rule.sigma_id,
        "file": rule.file.display().to_string(),
        "tags": rule.tags,
        "attack": rule.attack,
        "matched_selections": body.matched_selections,
        "matched_fields": matched,
    });
    finding
}

fn correlation_finding(rule: &SigmaRuleInfo, body: &CorrelationBody, event: &Observed<'_>, seqs: Vec<i64>) -> Finding {
    let span = humantime::format_duration(Duration::from_secs(body.timespan_secs));
    let group = if body.group_key.is_empty() {
        "all events".to_string()
    } else {
        body.group_key.iter().map(|(f, v)| format!("{f}={v}")).collect::<Vec<_>>().join(", ")
    };
    let value = body.aggregated_value;
    let amount =
        if value.fract() == 0.0 && value.abs() < 1e15 { format!("{}", value as i64) } else { format!("{value:.2}") };
    let what = match body.correlation_type {
        CorrelationType::EventCount => format!("{amount} matching events"),
        CorrelationType::ValueCount => format!("{amount} distinct values"),
        CorrelationType::Temporal => "all the correlated rules matched".to_string(),
        CorrelationType::TemporalOrdered => "the correlated rules matched in order".to_string(),
        other => format!("{} of {amount}", other.as_str()),
    };
    let entity = if body.group_key.is_empty() {
        actor_entity(event)
    } else {
        let kinds: Vec<&str> = body.group_key.iter().map(|(f, _)| entity_kind(f)).collect();
        let values: Vec<String> = body
            .group_key
            .iter()
            .map(|(f, v)| if entity_kind(f) == "user" { v.to_lowercase() } else { v.clone() })
            .collect();
        Entity::new(&kinds.join("+"), values.join(", "))
    };
    let mut finding =
        Finding::new(entity, format!("{what} within {span} for {group} (Sigma rule \"{}\")", rule.title), seqs);
    // The actor's power matters only when the finding is about that actor.
    let about_actor = body.group_key.is_empty()
        || body.group_key.iter().any(|(_, v)| {
            Some(v.as_str()) == event.row.actor_id.as_deref()
                || event.row.actor.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(v))
        });
    if about_actor {
        finding.actor_id = event.row.actor_id.clone();
        finding.person = event.person_key();
    }
    let group_by: serde_json::Map<String, Value> =
        body.group_key.iter().map(|(f, v)| (f.clone(), Value::String(v.clone()))).collect();
    finding.details = json!({
        "sigma_id": rule.sigma_id,
        "file": rule.file.display().to_string(),
        "tags": rule.tags,
        "attack": rule.attack,
        "correlation_type": body.correlation_type.as_str(),
        "group_by": group_by,
        "aggregated_value": value,
        "timespan": span.to_string(),
    });
    finding
}

/// The entity kind a group-by field names, in the terms the built-in rules use.
fn entity_kind(field: &str) -> &str {
    match field.to_ascii_lowercase().as_str() {
        // Logins, lowercased like the built-in rules' user entities (an actor id stays as it is).
        "actor.alternateid" => "user",
        "client.ipaddress" | "request.ipchain.ip" => "ip",
        "authenticationcontext.externalsessionid" | "authenticationcontext.rootsessionid" => "session",
        "client.id" => "client",
        "client.zone" => "zone",
        _ => field,
    }
}

/// The ATT&CK technique ids among Sigma tags (`attack.t1098.001` → `T1098.001`); tactic tags
/// (`attack.persistence`) are left out.
fn attack_ids(tags: &[String]) -> Vec<String> {
    tags.iter()
        .filter_map(|t| t.strip_prefix("attack."))
        .filter(|t| {
            let mut chars = t.chars();
            matches!(chars.next(), Some('t' | 'T')) && chars.next().is_some_and(|c| c.is_ascii_digit())
        })
        .map(|t| t.to_ascii_uppercase())
        .collect()
}

fn severity(level: Option<Level>) -> Severity {
    level.and_then(|l| Severity::parse(l.as_str())).unwrap_or(Severity::Medium)
}

// ---------------------------------------------------------------------------------------------
// The event as rsigma sees it
// ---------------------------------------------------------------------------------------------

/// An Okta event for rsigma: exact lookups as rsigma's own JSON event does them, then, when those
/// miss, the same path resolved case-insensitively.
struct OktaView<'a> {
    json: JsonEvent<'a>,
    raw: &'a Value,
    seq: i64,
}

impl Event for OktaView<'_> {
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        self.json.get_field(path).or_else(|| folded_field(self.raw, path))
    }

    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        self.json.any_string_value(pred)
    }

    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        self.json.all_string_values()
    }

    fn visit_string_values(&self, visit: &mut dyn FnMut(&str)) {
        self.json.visit_string_values(visit)
    }

    /// rsigma materialises the event only to remember it in a correlation window (we ask for
    /// references, and it takes the reference's id from `id`): the seq is all we need back, and
    /// copying the whole event per match would cost more than evaluating it.
    fn to_json(&self) -> Value {
        json!({ "id": self.seq.to_string() })
    }

    fn field_keys(&self) -> Vec<Cow<'_, str>> {
        self.json.field_keys()
    }

    // `top_level_keys` stays `None`: rsigma would otherwise skip probing rule fields whose first
    // segment is not spelled exactly as in the event, defeating the case-insensitive fallback.
}

/// `path` resolved with each segment matched case-insensitively; like rsigma's lookup, a segment
/// crossing an array applies to every member. Paths with positional (`[0]`) or escaped segments
/// are left to the exact lookup.
fn folded_field<'a>(root: &'a Value, path: &str) -> Option<EventValue<'a>> {
    if path.contains(['[', '\\']) {
        return None;
    }
    let segments: Vec<&str> = path.split('.').collect();
    let mut found = Vec::new();
    collect_folded(root, &segments, &mut found);
    match found.len() {
        0 => None,
        1 => found.pop(),
        _ => Some(EventValue::Array(found)),
    }
}

fn collect_folded<'a>(value: &'a Value, segments: &[&str], out: &mut Vec<EventValue<'a>>) {
    let Some((first, rest)) = segments.split_first() else {
        out.push(EventValue::from(value));
        return;
    };
    match value {
        Value::Object(map) => {
            let child =
                map.get(*first).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(first)).map(|(_, v)| v));
            if let Some(child) = child {
                collect_folded(child, rest, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_folded(item, segments, out);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Field names
// ---------------------------------------------------------------------------------------------

/// Okta LogEvent fields in Okta's spelling (from Okta's LogEvent reference and the field list in
/// the fixtures), used to rewrite the fields rules name. Prefixes count too, so a field below a
/// known object (`debugContext.debugData.someNewKey`) gets its known part rewritten.
const OKTA_FIELDS: &[&str] = &[
    "uuid",
    "published",
    "eventType",
    "version",
    "severity",
    "legacyEventType",
    "displayMessage",
    "actor.id",
    "actor.type",
    "actor.alternateId",
    "actor.displayName",
    "actor.detailEntry",
    "client.id",
    "client.ipAddress",
    "client.device",
    "client.zone",
    "client.userAgent.rawUserAgent",
    "client.userAgent.os",
    "client.userAgent.browser",
    "client.geographicalContext.city",
    "client.geographicalContext.state",
    "client.geographicalContext.country",
    "client.geographicalContext.postalCode",
    "client.geographicalContext.geolocation.lat",
    "client.geographicalContext.geolocation.lon",
    "device.id",
    "device.name",
    "device.os_platform",
    "device.os_version",
    "device.managed",
    "device.registered",
    "device.device_integrator",
    "device.disk_encryption_type",
    "device.screen_lock_type",
    "device.jailbreak",
    "device.secure_hardware_present",
    "authenticationContext.authenticationProvider",
    "authenticationContext.credentialProvider",
    "authenticationContext.credentialType",
    "authenticationContext.issuer.id",
    "authenticationContext.issuer.type",
    "authenticationContext.externalSessionId",
    "authenticationContext.interface",
    "authenticationContext.authenticationStep",
    "authenticationContext.rootSessionId",
    "authenticationContext.authenticatorContext.applicationVersion",
    "authenticationContext.authenticatorContext.binaryIdentifier",
    "authenticationContext.authenticatorContext.binaryPath",
    "authenticationContext.authenticatorContext.bindingMethod",
    "authenticationContext.authenticatorContext.requestOrigin",
    "authenticationContext.authenticatorContext.signerDistinguishedName",
    "authenticationContext.authenticatorContext.signerKeyIdentifier",
    "authenticationContext.authenticatorContext.userConsent",
    "authenticationContext.authenticatorContext.validationStatus",
    "securityContext.asNumber",
    "securityContext.asOrg",
    "securityContext.isp",
    "securityContext.domain",
    "securityContext.isProxy",
    "outcome.result",
    "outcome.reason",
    "target.id",
    "target.type",
    "target.alternateId",
    "target.displayName",
    "target.detailEntry",
    "target.changeDetails.from",
    "target.changeDetails.to",
    "transaction.type",
    "transaction.id",
    "transaction.detail.requestApiTokenId",
    "debugContext.debugData.authenticatorMethodChallengeTime",
    "debugContext.debugData.authorizationServer",
    "debugContext.debugData.authorizationServerName",
    "debugContext.debugData.behaviors",
    "debugContext.debugData.clientAuthType",
    "debugContext.debugData.defaultAuthorizationServer",
    "debugContext.debugData.deviceFingerprint",
    "debugContext.debugData.dtHash",
    "debugContext.debugData.factor",
    "debugContext.debugData.factorIntent",
    "debugContext.debugData.grantType",
    "debugContext.debugData.grantedScopes",
    "debugContext.debugData.initiationType",
    "debugContext.debugData.keyTypeUsedForAuthentication",
    "debugContext.debugData.logOnlySecurityData",
    "debugContext.debugData.networkConnection",
    "debugContext.debugData.origin",
    "debugContext.debugData.originalPrincipal",
    "debugContext.debugData.policy",
    "debugContext.debugData.privilegeGranted",
    "debugContext.debugData.redirectUri",
    "debugContext.debugData.requestId",
    "debugContext.debugData.requestUri",
    "debugContext.debugData.requestUrl",
    "debugContext.debugData.requestedScopes",
    "debugContext.debugData.responseTime",
    "debugContext.debugData.risk",
    "debugContext.debugData.signOnMode",
    "debugContext.debugData.threatSuspected",
    "debugContext.debugData.traceId",
    "debugContext.debugData.tunnels",
    "debugContext.debugData.url",
    "request.ipChain.ip",
    "request.ipChain.version",
    "request.ipChain.source",
    "request.ipChain.geographicalContext.city",
    "request.ipChain.geographicalContext.state",
    "request.ipChain.geographicalContext.country",
    "request.ipChain.geographicalContext.postalCode",
    "request.ipChain.geographicalContext.geolocation.lat",
    "request.ipChain.geographicalContext.geolocation.lon",
];

/// Every known field and field prefix, lowercased, to its Okta spelling.
fn okta_spellings() -> &'static HashMap<String, &'static str> {
    static SPELLINGS: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    SPELLINGS.get_or_init(|| {
        let mut map = HashMap::new();
        for field in OKTA_FIELDS {
            let ends = field.match_indices('.').map(|(i, _)| i).chain([field.len()]);
            for end in ends {
                map.insert(field[..end].to_ascii_lowercase(), &field[..end]);
            }
        }
        map
    })
}

/// `field` in Okta's spelling as far as the known fields reach; the rest as written.
fn okta_spelling(field: &str) -> String {
    if field.contains(['[', '\\']) {
        return field.to_string();
    }
    let lower = field.to_ascii_lowercase();
    let spellings = okta_spellings();
    if let Some(known) = spellings.get(&lower) {
        return known.to_string();
    }
    // ASCII lowercasing keeps byte offsets, so a prefix of `lower` cuts `field` at the same place.
    let mut end = lower.len();
    while let Some(dot) = lower[..end].rfind('.') {
        if let Some(known) = spellings.get(&lower[..dot]) {
            return format!("{known}{}", &field[dot..]);
        }
        end = dot;
    }
    field.to_string()
}

/// `name`, relative to the array at `prefix` when inside an array block, in Okta's spelling.
fn respell(prefix: Option<&str>, name: &str) -> String {
    match prefix {
        None => okta_spelling(name),
        Some(prefix) => {
            let full = okta_spelling(&format!("{prefix}.{name}"));
            match full.strip_prefix(prefix).and_then(|rest| rest.strip_prefix('.')) {
                Some(rest) => rest.to_string(),
                None => name.to_string(),
            }
        }
    }
}

fn respell_detection(detection: &mut Detection, prefix: Option<&str>) {
    match detection {
        Detection::AllOf(items) => {
            for item in items {
                if let Some(name) = &mut item.field.name {
                    *name = respell(prefix, name);
                }
            }
        }
        Detection::AnyOf(parts) | Detection::And(parts) => {
            for part in parts {
                respell_detection(part, prefix);
            }
        }
        Detection::Keywords(_) => {}
        Detection::ArrayMatch { field, body, .. } => {
            *field = respell(prefix, field);
            let full = match prefix {
                Some(prefix) => format!("{prefix}.{field}"),
                None => field.clone(),
            };
            respell_detection(body, Some(&full));
        }
        Detection::Conditional { named, .. } => {
            for part in named.values_mut() {
                respell_detection(part, prefix);
            }
        }
    }
}

fn respell_correlation(rule: &mut CorrelationRule) {
    let aliases: HashSet<String> = rule.aliases.iter().map(|a| a.alias.clone()).collect();
    for field in &mut rule.group_by {
        if !aliases.contains(field.as_str()) {
            *field = okta_spelling(field);
        }
    }
    if let CorrelationCondition::Threshold { field: Some(fields), .. } = &mut rule.condition {
        for field in fields {
            *field = okta_spelling(field);
        }
    }
    for alias in &mut rule.aliases {
        for field in alias.mapping.values_mut() {
            *field = okta_spelling(field);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

/// The rule files under `dir`; a directory that cannot be read is reported and the walk goes on.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>, loader: &mut Loader) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return loader.error(dir, format!("cannot read the directory: {e}")),
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                loader.error(dir, format!("cannot read the directory: {e}"));
                continue;
            }
        };
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // Symlinked directories are not followed, so a link loop cannot recurse forever.
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            collect_files(&path, out, loader);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")) && path.is_file() {
            out.push(path);
        }
    }
}

struct Pending<T> {
    file: PathBuf,
    stem: String,
    doc: T,
}

#[derive(Default)]
struct Loader {
    rules: Vec<Pending<SigmaRule>>,
    correlations: Vec<Pending<CorrelationRule>>,
    filters: Vec<Pending<FilterRule>>,
    errors: Vec<SigmaLoadError>,
    warnings: Vec<SigmaLoadError>,
}

/// rsigma-parser reports documents it could not parse and problems it parsed past in one list;
/// these are the latter (its warnings in 0.23), after which the rule still loads.
fn is_parser_warning(reason: &str) -> bool {
    ["invalid status:", "invalid level:", "invalid sigma-version:", "related[", "'related' must be"]
        .iter()
        .any(|p| reason.starts_with(p))
}

impl Loader {
    fn error(&mut self, file: &Path, reason: impl Into<String>) {
        self.errors.push(SigmaLoadError { file: file.to_path_buf(), reason: reason.into() });
    }

    fn add_text(&mut self, file: &Path, text: &str) {
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "rule".into());
        let collection = match parse_sigma_yaml(text) {
            Ok(collection) => collection,
            Err(e) => return self.error(file, e.to_string()),
        };
        for reason in collection.errors {
            if is_parser_warning(&reason) {
                self.warnings.push(SigmaLoadError { file: file.to_path_buf(), reason });
            } else {
                self.error(file, reason);
            }
        }
        let pending = |doc| Pending { file: file.to_path_buf(), stem: stem.clone(), doc };
        self.rules.extend(collection.rules.into_iter().map(pending));
        let pending = |doc| Pending { file: file.to_path_buf(), stem: stem.clone(), doc };
        self.correlations.extend(collection.correlations.into_iter().map(pending));
        let pending = |doc| Pending { file: file.to_path_buf(), stem: stem.clone(), doc };
        self.filters.extend(collection.filters.into_iter().map(pending));
    }

    fn finish(mut self) -> SigmaLoad {
        let mut ids = Ids::default();
        let mut infos: Vec<SigmaRuleInfo> = Vec::new();
        let mut accepted = SigmaCollection::new();
        // What correlations may refer to (rules' ids and `name`s) and the id rsigma knows each
        // loaded rule by; and the references of rules that failed, to say so.
        let mut known: HashMap<String, String> = HashMap::new();
        let mut failed: HashSet<String> = HashSet::new();

        for Pending { file, stem, doc: mut rule } in std::mem::take(&mut self.rules) {
            let refs = rule.id.iter().chain(rule.name.iter()).cloned().collect::<Vec<_>>();
            let title = rule.title.clone();
            let outcome = (|| {
                if let Some(product) = rule.logsource.product.as_deref()
                    && !product.eq_ignore_ascii_case("okta")
                {
                    return Err(format!(
                        "its logsource product is `{product}`; Sightline evaluates Sigma rules over Okta System Log \
                         events only (product `okta`)"
                    ));
                }
                for detection in rule.detection.named.values_mut() {
                    respell_detection(detection, None);
                }
                rule.custom_attributes.insert(RULE_ATTRIBUTE.into(), attribute(infos.len())?);
                rsigma_eval::compile_rule(&rule).map_err(|e| e.to_string())?;
                ids.claim(rule.id.as_deref(), &stem, &file)
            })();
            match outcome {
                Ok(id) => {
                    let sigma_id = rule.id.clone();
                    let engine_id = engine_id(&mut rule.id, infos.len());
                    known.extend(refs.into_iter().map(|r| (r, engine_id.clone())));
                    infos.push(SigmaRuleInfo {
                        id,
                        sigma_id,
                        title: rule.title.clone(),
                        level: severity(rule.level),
                        file,
                        kind: SigmaKind::Detection,
                        attack: attack_ids(&rule.tags),
                        tags: rule.tags.clone(),
                        group_window: DETECTION_GROUP_WINDOW,
                    });
                    accepted.rules.push(rule);
                }
                Err(reason) => {
                    failed.extend(refs);
                    self.error(&file, format!("rule \"{title}\": {reason}"));
                }
            }
        }

        for Pending { file, doc: mut filter, .. } in std::mem::take(&mut self.filters) {
            for detection in filter.detection.named.values_mut() {
                respell_detection(detection, None);
            }
            let compiled: Result<Vec<_>, _> =
                filter.detection.named.values().map(rsigma_eval::compiler::compile_detection).collect();
            match compiled {
                Ok(_) => accepted.filters.push(filter),
                Err(e) => self.error(&file, format!("filter \"{}\": {e}", filter.title)),
            }
        }

        // A correlation may refer to rules and to other correlations, so accept them in rounds:
        // each round takes those whose references are all known. Whatever is left refers to
        // something missing, or to itself through a cycle.
        let mut waiting = Vec::new();
        for Pending { file, stem, doc: mut corr } in std::mem::take(&mut self.correlations) {
            respell_correlation(&mut corr);
            temporal_needs_all_rules(&mut corr);
            match rsigma_eval::correlation::compile_correlation(&corr) {
                Ok(_) => waiting.push(Pending { file, stem, doc: corr }),
                Err(e) => {
                    failed.extend(corr.id.iter().chain(corr.name.iter()).cloned());
                    self.error(&file, format!("correlation \"{}\": {e}", corr.title));
                }
            }
        }
        let mut horizon = Duration::ZERO;
        loop {
            let (ready, rest): (Vec<_>, Vec<_>) =
                waiting.into_iter().partition(|p| p.doc.rules.iter().all(|r| known.contains_key(r)));
            waiting = rest;
            if ready.is_empty() {
                break;
            }
            for Pending { file, stem, doc: mut corr } in ready {
                let outcome = ids.claim(corr.id.as_deref(), &stem, &file).and_then(|id| {
                    corr.custom_attributes.insert(RULE_ATTRIBUTE.into(), attribute(infos.len())?);
                    Ok(id)
                });
                match outcome {
                    Ok(id) => {
                        let span = Duration::from_secs(corr.timespan.seconds);
                        horizon = horizon.max(span);
                        refer_by_engine_id(&mut corr, &known);
                        let refs: Vec<String> = corr.id.iter().chain(corr.name.iter()).cloned().collect();
                        let sigma_id = corr.id.clone();
                        let engine_id = engine_id(&mut corr.id, infos.len());
                        known.extend(refs.into_iter().map(|r| (r, engine_id.clone())));
                        infos.push(SigmaRuleInfo {
                            id,
                            sigma_id,
                            title: corr.title.clone(),
                            level: severity(corr.level),
                            file,
                            kind: SigmaKind::Correlation,
                            attack: attack_ids(&corr.tags),
                            tags: corr.tags.clone(),
                            group_window: span,
                        });
                        accepted.correlations.push(corr);
                    }
                    Err(reason) => self.error(&file, format!("correlation \"{}\": {reason}", corr.title)),
                }
            }
        }
        for Pending { file, doc: corr, .. } in waiting {
            let missing: Vec<String> = corr
                .rules
                .iter()
                .filter(|r| !known.contains_key(*r))
                .map(|r| if failed.contains(r) { format!("{r} (which did not load)") } else { r.clone() })
                .collect();
            self.error(
                &file,
                format!(
                    "correlation \"{}\" refers to unknown rule(s) {} (or to itself through other correlations)",
                    corr.title,
                    missing.join(", ")
                ),
            );
        }

        let mut engine = CorrelationEngine::new(engine_config());
        if let Err(e) = engine.add_collection(&accepted) {
            // Everything was checked above, so this is not expected; keep what loads one by one.
            let dir = infos.first().map(|i| i.file.clone()).unwrap_or_default();
            self.error(&dir, format!("the rules did not load together ({e}); loaded them one by one, without filters"));
            engine = CorrelationEngine::new(engine_config());
            for rule in &accepted.rules {
                if let Err(e) = engine.add_rule(rule) {
                    self.error(&dir, format!("rule \"{}\": {e}", rule.title));
                }
            }
            for corr in &accepted.correlations {
                if let Err(e) = engine.add_correlation(corr) {
                    self.error(&dir, format!("correlation \"{}\": {e}", corr.title));
                }
            }
        }
        SigmaLoad {
            rules: SigmaRules { engine, rules: infos, horizon, reported: HashMap::new() },
            errors: self.errors,
            warnings: self.warnings,
        }
    }
}

/// The id rsigma knows a rule by: its own, else one made up. rsigma follows a detection match to
/// the correlations over it by the rule's id only, so a rule referred to by `name` alone would
/// never feed its correlation, and its matches would not be held back (`generate: false`).
fn engine_id(id: &mut Option<String>, index: usize) -> String {
    id.get_or_insert_with(|| format!("sightline-sigma-rule-{index}")).clone()
}

/// Points a correlation's references (and its group-by aliases) at the engine ids of the rules
/// they name, for the reason given at [`engine_id`].
fn refer_by_engine_id(corr: &mut CorrelationRule, known: &HashMap<String, String>) {
    for reference in &mut corr.rules {
        if let Some(id) = known.get(reference.as_str()) {
            *reference = id.clone();
        }
    }
    for alias in &mut corr.aliases {
        let by_id: Vec<(String, String)> = alias
            .mapping
            .iter()
            .filter_map(|(reference, field)| Some((known.get(reference)?.clone(), field.clone())))
            .collect();
        alias.mapping.extend(by_id);
    }
}

/// A temporal correlation without a condition means "every referenced rule matched within the
/// timespan" (the Sigma specification, and pySigma), but rsigma 0.23 reads it as `gte: 1`, so any one
/// rule would fire it. It cannot tell an explicit `gte: 1` from an absent condition either, so that
/// (pointless) explicit form also becomes "all rules".
fn temporal_needs_all_rules(corr: &mut CorrelationRule) {
    if !matches!(corr.correlation_type, CorrelationType::Temporal | CorrelationType::TemporalOrdered) {
        return;
    }
    if let CorrelationCondition::Threshold { predicates, field: None, .. } = &mut corr.condition
        && predicates.as_slice() == [(ConditionOperator::Gte, 1)]
    {
        let all = u64::try_from(corr.rules.len()).unwrap_or(u64::MAX);
        *predicates = vec![(ConditionOperator::Gte, all)];
    }
}

/// A rule index as a custom attribute value (whose YAML value type rsigma does not re-export, but
/// which deserialises from any serde data).
fn attribute<T: serde::de::DeserializeOwned>(index: usize) -> Result<T, String> {
    serde_json::from_value(json!(index)).map_err(|e| format!("cannot tag the rule: {e}"))
}

/// The signal ids handed out so far: a rule's own id must be unique; rules without one take their
/// file's stem, numbered when a file (or another file of the same name) holds several.
#[derive(Default)]
struct Ids {
    used: HashMap<String, PathBuf>,
}

impl Ids {
    fn claim(&mut self, own: Option<&str>, stem: &str, file: &Path) -> Result<String, String> {
        if let Some(own) = own {
            let id = format!("sigma.{own}");
            if let Some(other) = self.used.get(&id) {
                return Err(format!("id {own} is already used by a rule in {}", other.display()));
            }
            self.used.insert(id.clone(), file.to_path_buf());
            return Ok(id);
        }
        let mut id = format!("sigma.{stem}");
        let mut n = 1;
        while self.used.contains_key(&id) {
            n += 1;
            id = format!("sigma.{stem}.{n}");
        }
        self.used.insert(id.clone(), file.to_path_buf());
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_take_okta_spelling_as_far_as_it_is_known() {
        assert_eq!(okta_spelling("eventtype"), "eventType");
        assert_eq!(okta_spelling("ACTOR.ALTERNATEID"), "actor.alternateId");
        assert_eq!(
            okta_spelling("client.geographicalcontext.geolocation.lat"),
            "client.geographicalContext.geolocation.lat"
        );
        // Known objects, unknown key: the known part is respelled, the rest left for the lookup.
        assert_eq!(okta_spelling("debugcontext.debugdata.somenewkey"), "debugContext.debugData.somenewkey");
        assert_eq!(okta_spelling("target.detailentry.methodtypeused"), "target.detailEntry.methodtypeused");
        assert_eq!(okta_spelling("NotAnOktaField"), "NotAnOktaField");
        assert_eq!(okta_spelling("target[0].alternateid"), "target[0].alternateid");
        assert_eq!(respell(Some("target"), "alternateid"), "alternateId");
        assert_eq!(respell(Some("target"), "changedetails.to"), "changeDetails.to");
    }

    #[test]
    fn folded_lookup_ignores_case_and_spreads_over_arrays() {
        let raw = json!({
            "eventType": "user.session.start",
            "target": [{"alternateId": "a@x"}, {"alternateId": "b@x"}, {"type": "Role"}],
            "debugContext": {"debugData": {"requestUri": "/api/v1/users"}},
        });
        let view = OktaView { json: JsonEvent::borrow(&raw), raw: &raw, seq: 7 };
        assert_eq!(view.get_field("EVENTTYPE"), Some(EventValue::Str("user.session.start".into())));
        assert_eq!(view.get_field("debugcontext.debugdata.requesturi"), Some(EventValue::Str("/api/v1/users".into())));
        assert_eq!(
            view.get_field("target.alternateid"),
            Some(EventValue::Array(vec![EventValue::Str("a@x".into()), EventValue::Str("b@x".into())]))
        );
        assert_eq!(view.get_field("target.nothing"), None);
        assert_eq!(view.to_json(), json!({"id": "7"}));
    }

    #[test]
    fn attack_ids_are_techniques_only() {
        let tags: Vec<String> =
            ["attack.persistence", "attack.t1556.006", "attack.T1098", "cve.2024-1", "attack.ta0001"]
                .iter()
                .map(|t| t.to_string())
                .collect();
        assert_eq!(attack_ids(&tags), vec!["T1556.006", "T1098"]);
    }

    #[test]
    fn rules_can_move_to_the_detector_task() {
        fn send<T: Send + 'static>() {}
        send::<SigmaRules>();
    }

    #[test]
    fn levels_map_to_severities() {
        assert_eq!(severity(Some(Level::Informational)), Severity::Info);
        assert_eq!(severity(Some(Level::Critical)), Severity::Critical);
        assert_eq!(severity(None), Severity::Medium);
    }
}
