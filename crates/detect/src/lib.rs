/*!
Sightline's detections.

The [`Engine`] sees every stored event once, in store order (`seq`), and feeds it to each enabled
rule: the built-in ones (the brief's detection ids, see [`rules::catalogue`]) and users' Sigma
rules ([`sigma::SigmaRules`]). Rules keep windowed state ([`window`]) and report [`Finding`]s,
which the engine stamps into [`Signal`]s; the store groups signals into alerts.
*/

pub mod engine;
pub mod event;
pub mod notify;
pub mod rule;
pub mod rules;
pub mod runner;
pub mod sigma;
pub mod signal;
pub mod testing;
pub mod window;

pub use engine::{DetectionSettings, Engine, RuleSettings};
pub use notify::{Notifier, WebhookConfig, WebhookFormat};
pub use rule::{BuiltinRule, Directory, RuleInfo, UserFacts};
pub use runner::{Detector, Pass, StoreDirectory};
pub use signal::{Entity, Finding, Severity, Signal};
