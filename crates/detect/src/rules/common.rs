//! What many rules share: the findings they build, the sign-in events they watch, and the
//! "count in a window, fire once, then join" state machine of threshold rules.

use crate::event::Observed;
use crate::signal::{Entity, Finding};
use crate::window::{Cooldown, Seen, SlidingWindow, seqs};
use chrono::{DateTime, Utc};
use std::collections::VecDeque;
use std::hash::Hash;
use std::time::Duration;

/// A finding about `entity` whose actor and person are the event's own (the right choice when
/// the actor is the one the event is about: the victim of a failed sign-in, the user who
/// reported something).
pub(super) fn about_actor(e: &Observed<'_>, entity: Entity, summary: impl Into<String>, events: Vec<i64>) -> Finding {
    let mut finding = Finding::new(entity, summary, events);
    finding.actor_id = e.row.actor_id.clone();
    finding.person = e.person_key();
    finding
}

/// The lowercased login (else id) of the event's actor: the key of per-user rules.
pub(super) fn user_key(e: &Observed<'_>) -> Option<String> {
    e.actor_key().map(str::to_lowercase)
}

/// Who did it, for summaries.
pub(super) fn by<'a>(e: &'a Observed<'_>) -> &'a str {
    e.actor_key().or(e.row.actor_name.as_deref()).unwrap_or("someone")
}

/// A primary sign-in that failed (bad password, locked account, unknown user).
pub(super) fn is_failed_sign_in(e: &Observed<'_>) -> bool {
    e.is_okta()
        && e.failed()
        && (e.row.event_type == "user.session.start" || e.row.event_type == "user.authentication.auth")
}

/// A primary sign-in that succeeded.
pub(super) fn is_successful_sign_in(e: &Observed<'_>) -> bool {
    e.is_okta()
        && e.succeeded()
        && (e.row.event_type == "user.session.start" || e.row.event_type == "user.authentication.auth")
}

/// The target the event acted on if it names one of `kinds` (in that order of preference),
/// as (id, name).
pub(super) fn target_of(e: &Observed<'_>, kinds: &[&str]) -> Option<(Option<String>, Option<String>)> {
    kinds.iter().find_map(|kind| e.target(kind)).map(|t| (t.id.clone(), t.name.clone()))
}

/// Readable name of a target: its name, else its id.
pub(super) fn label(target: &Option<(Option<String>, Option<String>)>) -> Option<String> {
    target.as_ref().and_then(|(id, name)| name.clone().or_else(|| id.clone()))
}

/// What a [`Threshold`] made of one more event.
pub(super) enum Step {
    /// Not enough yet.
    Quiet,
    /// The threshold was reached just now: every event of the window, oldest first.
    Fired(Vec<i64>),
    /// The key already fired recently: this event joins the open alert.
    Joined,
}

/// Per key, events in a sliding window; the key fires when `ready` says the window holds enough,
/// and then stays hot (so further events join the alert instead of starting a fresh count) for
/// as long as they keep coming within the window.
pub(super) struct Threshold<K, V = ()> {
    window: SlidingWindow<K, V>,
    hot: Cooldown<K>,
}

impl<K: Eq + Hash + Clone, V: Clone + Eq + Hash> Threshold<K, V> {
    pub(super) fn new(window: Duration) -> Self {
        Threshold { window: SlidingWindow::new(window), hot: Cooldown::new(window) }
    }

    /// Records one event for `key` (with `value` to count distinct) and says what it made.
    pub(super) fn record(
        &mut self,
        key: K,
        time: DateTime<Utc>,
        seq: i64,
        value: V,
        ready: impl FnOnce(&VecDeque<Seen<V>>) -> bool,
    ) -> Step {
        if self.hot.is_hot(&key, time) {
            return Step::Joined;
        }
        let entries = self.window.push(key.clone(), time, seq, value);
        if !ready(entries) {
            return Step::Quiet;
        }
        let events = seqs(entries);
        self.window.clear(&key);
        self.hot.fire(key, time);
        Step::Fired(events)
    }

    /// Whether `key` fired and is still hot at `time` (extends the quiet period like an event).
    pub(super) fn is_hot(&mut self, key: &K, time: DateTime<Utc>) -> bool {
        self.hot.is_hot(key, time)
    }
}

/// A threshold rule's summary: "12 failed sign-ins for alice within 30m".
pub(super) fn within(window: Duration) -> String {
    humantime::format_duration(window).to_string()
}
