//! What a rule is: its description (id, title, severity, ATT&CK technique, what to do), the
//! parameters users may tune, and the state machine that watches events.

use crate::event::Observed;
use crate::signal::{Finding, Severity};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// A rule's description, shown with every alert it raises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable id (`okta.brute_force.user`).
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// What it looks for, in a sentence or two.
    pub description: &'static str,
    /// Severity unless a finding says otherwise.
    pub severity: Severity,
    /// MITRE ATT&CK technique ids (`T1110.003`).
    pub attack: &'static [&'static str],
    /// What an analyst should do about it.
    pub response: &'static str,
}

/// A value a parameter takes.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// A whole number (a threshold).
    Count(u64),
    /// A length of time (`10m`, `90d` in the config).
    Duration(Duration),
    /// A number (a distance, a speed, a ratio).
    Number(f64),
    /// A list of strings (trusted domains, ignored users).
    List(Vec<String>),
}

impl ParamValue {
    fn kind(&self) -> &'static str {
        match self {
            ParamValue::Count(_) => "a whole number",
            ParamValue::Duration(_) => "a duration such as \"10m\"",
            ParamValue::Number(_) => "a number",
            ParamValue::List(_) => "a list of strings",
        }
    }
}

/// A parameter a rule declares, with its default.
#[derive(Debug, Clone)]
pub struct Param {
    /// Its name in the config (`failures`, `window`).
    pub name: &'static str,
    /// What it means.
    pub help: &'static str,
    /// The value unless configured.
    pub default: ParamValue,
}

/// A rule's parameter values: the defaults with the configured ones over them.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: HashMap<&'static str, ParamValue>,
}

impl Params {
    /// The defaults of `declared`, overridden by `configured` (config text values: numbers,
    /// durations such as `"15m"`, or lists). Unknown names and wrong types are errors that name
    /// the rule, the parameter and what it expects.
    pub fn resolve(
        rule: &str,
        declared: &[Param],
        configured: &BTreeMap<String, ConfigValue>,
    ) -> Result<Params, String> {
        let mut values: HashMap<&'static str, ParamValue> =
            declared.iter().map(|p| (p.name, p.default.clone())).collect();
        for (name, value) in configured {
            let Some(param) = declared.iter().find(|p| p.name == name) else {
                let known: Vec<&str> = declared.iter().map(|p| p.name).collect();
                return Err(format!(
                    "rule {rule} has no parameter `{name}`; it takes {}",
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ));
            };
            let parsed = match (&param.default, value) {
                (ParamValue::Count(_), ConfigValue::Integer(n)) if *n >= 0 => Some(ParamValue::Count(*n as u64)),
                (ParamValue::Number(_), ConfigValue::Integer(n)) => Some(ParamValue::Number(*n as f64)),
                (ParamValue::Number(_), ConfigValue::Float(n)) => Some(ParamValue::Number(*n)),
                (ParamValue::Duration(_), ConfigValue::Text(s)) => {
                    humantime::parse_duration(s).ok().map(ParamValue::Duration)
                }
                (ParamValue::List(_), ConfigValue::List(items)) => Some(ParamValue::List(items.clone())),
                _ => None,
            };
            let Some(parsed) = parsed else {
                return Err(format!("rule {rule}: parameter `{name}` must be {}", param.default.kind()));
            };
            values.insert(param.name, parsed);
        }
        Ok(Params { values })
    }

    /// The defaults of `declared`.
    pub fn defaults(declared: &[Param]) -> Params {
        Params { values: declared.iter().map(|p| (p.name, p.default.clone())).collect() }
    }

    /// A count parameter. Panics if the rule did not declare it as one (a bug in the rule).
    pub fn count(&self, name: &str) -> u64 {
        match self.values.get(name) {
            Some(ParamValue::Count(n)) => *n,
            other => panic!("parameter {name} is not a declared count: {other:?}"),
        }
    }

    /// A count parameter as `usize`.
    pub fn usize(&self, name: &str) -> usize {
        usize::try_from(self.count(name)).unwrap_or(usize::MAX)
    }

    /// A duration parameter. Panics if the rule did not declare it as one.
    pub fn duration(&self, name: &str) -> Duration {
        match self.values.get(name) {
            Some(ParamValue::Duration(d)) => *d,
            other => panic!("parameter {name} is not a declared duration: {other:?}"),
        }
    }

    /// A number parameter. Panics if the rule did not declare it as one.
    pub fn number(&self, name: &str) -> f64 {
        match self.values.get(name) {
            Some(ParamValue::Number(n)) => *n,
            other => panic!("parameter {name} is not a declared number: {other:?}"),
        }
    }

    /// A list parameter. Panics if the rule did not declare it as one.
    pub fn list(&self, name: &str) -> &[String] {
        match self.values.get(name) {
            Some(ParamValue::List(items)) => items,
            other => panic!("parameter {name} is not a declared list: {other:?}"),
        }
    }
}

/// A parameter value as written in the config file.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(untagged)]
pub enum ConfigValue {
    /// `failures = 20`
    Integer(i64),
    /// `max_speed_kmh = 900.0`
    Float(f64),
    /// `window = "30m"`
    Text(String),
    /// `trusted_domains = ["example.com"]`
    List(Vec<String>),
}

/// What rules may consult beyond the events: facts about Okta users from the graph, and
/// history from before the engine started.
pub trait Directory {
    /// Facts about the Okta user with this id, if the graph knows it.
    fn user(&self, okta_id: &str) -> Option<&UserFacts>;
    /// The last successful sign-in of this actor id stored before the engine's replay began.
    fn last_sign_in(&self, actor_id: &str) -> Option<DateTime<Utc>>;
}

/// What the graph knows about one Okta user.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserFacts {
    /// The login.
    pub login: String,
    /// When the account was created.
    pub created: Option<DateTime<Utc>>,
    /// Okta's `lastLogin`, as of the last scan.
    pub last_login: Option<DateTime<Utc>>,
    /// Admin roles the user holds, directly or through groups (role labels).
    pub admin_roles: Vec<String>,
    /// How many apps the user reaches.
    pub apps_reached: u64,
}

/// A rule's state machine: sees every event once, in store order, and reports findings.
pub trait Rule: Send {
    /// Looks at one event; pushes what it finds to `out`.
    fn observe(&mut self, event: &Observed<'_>, directory: &dyn Directory, out: &mut Vec<Finding>);

    /// Findings for the same entity within this long of each other join one alert.
    fn group_window(&self) -> Duration;

    /// How far back in event time the rule's state reaches: after a restart the engine replays
    /// this much of the stored history (without raising anything) to rebuild it.
    fn horizon(&self) -> Duration {
        self.group_window()
    }
}

/// A built-in rule: its description, parameters and how to build it from their values.
pub struct BuiltinRule {
    /// Description.
    pub info: RuleInfo,
    /// Parameters and their defaults.
    pub params: fn() -> Vec<Param>,
    /// Builds the state machine.
    pub build: fn(&Params) -> Box<dyn Rule>,
}

/// Shorthand for declaring a count parameter.
pub fn count(name: &'static str, default: u64, help: &'static str) -> Param {
    Param { name, help, default: ParamValue::Count(default) }
}

/// Shorthand for declaring a duration parameter.
pub fn duration(name: &'static str, default: Duration, help: &'static str) -> Param {
    Param { name, help, default: ParamValue::Duration(default) }
}

/// Shorthand for declaring a number parameter.
pub fn number(name: &'static str, default: f64, help: &'static str) -> Param {
    Param { name, help, default: ParamValue::Number(default) }
}

/// Shorthand for declaring a list parameter.
pub fn list(name: &'static str, default: &[&str], help: &'static str) -> Param {
    Param { name, help, default: ParamValue::List(default.iter().map(|s| s.to_string()).collect()) }
}

/// Minutes as a [`Duration`].
pub const fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// Hours as a [`Duration`].
pub const fn hours(n: u64) -> Duration {
    Duration::from_secs(n * 3600)
}

/// Days as a [`Duration`].
pub const fn days(n: u64) -> Duration {
    Duration::from_secs(n * 86_400)
}
