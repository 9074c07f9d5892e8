//! The engine: every enabled rule, fed each stored event once, in store order.

use crate::event::Observed;
use crate::rule::{ConfigValue, Directory, Params, Rule, RuleInfo};
use crate::rules;
use crate::signal::{Finding, Severity, Signal};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;
use store::StoredEvent;

/// The `[detections]` part of the config.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectionSettings {
    /// Built-in rule ids to switch off.
    #[serde(default)]
    pub disabled: Vec<String>,
    /// Per-rule settings, by rule id.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleSettings>,
    /// A directory of Sigma rules (`.yml`/`.yaml`) to evaluate over Okta events.
    pub sigma_dir: Option<PathBuf>,
}

/// One rule's settings: on or off, its severity, and its parameters.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleSettings {
    /// `false` switches the rule off.
    pub enabled: Option<bool>,
    /// Overrides the rule's default severity.
    pub severity: Option<String>,
    /// Parameter values (`failures = 10`, `window = "15m"`).
    #[serde(flatten)]
    pub params: BTreeMap<String, ConfigValue>,
}

struct Enabled {
    info: RuleInfo,
    severity: Severity,
    rule: Box<dyn Rule>,
}

/// Evaluates the enabled built-in rules (and users' Sigma rules) over events.
pub struct Engine {
    rules: Vec<Enabled>,
    sigma: Option<crate::sigma::SigmaRules>,
    findings: Vec<Finding>,
}

impl Engine {
    /// Builds every built-in rule not switched off, with its configured parameters. Unknown rule
    /// ids, parameters or severities are errors naming what is wrong.
    pub fn new(settings: &DetectionSettings) -> Result<Engine, String> {
        let catalogue = rules::catalogue();
        let known = |id: &str| catalogue.iter().any(|r| r.info.id == id);
        for id in settings.disabled.iter().chain(settings.rules.keys()) {
            if !known(id) {
                return Err(format!(
                    "[detections] names rule `{id}`, which does not exist; built-in rules are {}",
                    catalogue.iter().map(|r| r.info.id).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        let mut rules = Vec::new();
        for builtin in catalogue {
            let id = builtin.info.id;
            let configured = settings.rules.get(id);
            let enabled =
                !settings.disabled.iter().any(|d| d == id) && configured.and_then(|c| c.enabled).unwrap_or(true);
            if !enabled {
                continue;
            }
            let params =
                Params::resolve(id, &(builtin.params)(), &configured.map(|c| c.params.clone()).unwrap_or_default())?;
            let severity = match configured.and_then(|c| c.severity.as_deref()) {
                Some(name) => Severity::parse(name).ok_or_else(|| {
                    format!("rule {id}: severity `{name}` is not one of info, low, medium, high, critical")
                })?,
                None => builtin.info.severity,
            };
            rules.push(Enabled { info: builtin.info.clone(), severity, rule: (builtin.build)(&params) });
        }
        Ok(Engine { rules, sigma: None, findings: Vec::new() })
    }

    /// Adds users' Sigma rules.
    pub fn with_sigma(mut self, sigma: crate::sigma::SigmaRules) -> Engine {
        self.sigma = Some(sigma);
        self
    }

    /// The enabled built-in rules.
    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().map(|r| &r.info)
    }

    /// How much history (in event time) rebuilds every rule's state after a restart.
    pub fn horizon(&self) -> Duration {
        let builtin = self.rules.iter().map(|r| r.rule.horizon()).max().unwrap_or_default();
        builtin.max(self.sigma.as_ref().map(|s| s.horizon()).unwrap_or_default())
    }

    /// Feeds one event to every rule; pushes the signals it raises to `out`. A finding about an
    /// actor who holds an admin role is raised one severity step, and every finding about a known
    /// Okta user carries that user's graph context.
    pub fn observe(&mut self, row: &StoredEvent, directory: &dyn Directory, out: &mut Vec<Signal>) {
        let event = Observed::new(row);
        let first = out.len();
        for enabled in &mut self.rules {
            enabled.rule.observe(&event, directory, &mut self.findings);
            for finding in self.findings.drain(..) {
                let severity = finding.severity.unwrap_or(enabled.severity);
                out.push(Signal {
                    rule_id: enabled.info.id.to_string(),
                    title: enabled.info.title.to_string(),
                    severity,
                    time: row.time,
                    seq: row.seq,
                    group_window: enabled.rule.group_window(),
                    finding,
                });
            }
        }
        if let Some(sigma) = &mut self.sigma {
            sigma.observe(&event, out);
        }
        for signal in &mut out[first..] {
            let Some(facts) = signal.finding.actor_id.as_deref().and_then(|id| directory.user(id)) else {
                continue;
            };
            if !facts.admin_roles.is_empty() {
                signal.severity = signal.severity.raised();
            }
            let context = serde_json::json!({
                "login": facts.login,
                "admin_roles": facts.admin_roles,
                "apps_reached": facts.apps_reached,
            });
            match &mut signal.finding.details {
                serde_json::Value::Object(map) => {
                    map.insert("actor_context".into(), context);
                }
                other => *other = serde_json::json!({ "actor_context": context }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::UserFacts;
    use crate::testing::*;

    fn ten_failures(h: &mut Harness, login: &str) {
        for i in 0..10 {
            h.feed(okta("user.session.start").actor(login).failure("INVALID_CREDENTIALS").minute(i));
        }
    }

    #[test]
    fn an_admin_actor_raises_the_severity_and_every_known_user_brings_context() {
        let mut h = Harness::only("okta.brute_force.user");
        let facts = |roles: &[&str]| UserFacts {
            login: "x".into(),
            admin_roles: roles.iter().map(|r| r.to_string()).collect(),
            apps_reached: 7,
            ..UserFacts::default()
        };
        h.directory.users.insert("00ualice".into(), facts(&["Super Administrator"]));
        h.directory.users.insert("00ubob".into(), facts(&[]));
        ten_failures(&mut h, "alice@example.com");
        ten_failures(&mut h, "bob@example.com");
        ten_failures(&mut h, "carol@example.com");
        let by_user: std::collections::HashMap<&str, &Signal> =
            h.signals().iter().map(|s| (s.finding.entity.value.as_str(), s)).collect();
        assert_eq!(by_user["alice@example.com"].severity, Severity::High, "medium raised one step for an admin");
        assert_eq!(by_user["bob@example.com"].severity, Severity::Medium);
        let context = &by_user["alice@example.com"].finding.details["actor_context"];
        assert_eq!(context["admin_roles"][0], "Super Administrator");
        assert_eq!(context["apps_reached"], 7);
        assert!(by_user["carol@example.com"].finding.details.get("actor_context").is_none(), "unknown to the graph");
    }

    #[test]
    fn settings_switch_rules_off_and_override_severity_and_parameters() {
        let settings: DetectionSettings = toml_like(
            r#"{"disabled": ["okta.api_token_created"],
                "rules": {"okta.brute_force.user": {"failures": 3, "severity": "critical"}}}"#,
        );
        let mut h = Harness::all(settings);
        assert!(h.engine.rules().all(|r| r.id != "okta.api_token_created"));
        h.feed(okta("system.api_token.create").actor("admin@example.com").target("Token", "t1", "ci"));
        for i in 0..3 {
            h.feed(okta("user.session.start").actor("dave@example.com").failure("INVALID_CREDENTIALS").minute(i));
        }
        assert_eq!(h.fired().into_iter().collect::<Vec<_>>(), ["okta.brute_force.user"]);
        assert_eq!(h.signals()[0].severity, Severity::Critical);
        let bad = toml_like::<DetectionSettings>(r#"{"rules": {"okta.brute_force.user": {"severity": "urgent"}}}"#);
        assert!(Engine::new(&bad).err().unwrap().contains("urgent"));
    }

    fn toml_like<T: serde::de::DeserializeOwned>(json: &str) -> T {
        serde_json::from_str(json).unwrap()
    }
}
