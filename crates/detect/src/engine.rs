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
