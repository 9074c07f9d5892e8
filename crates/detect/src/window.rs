//! The state that windowed rules keep: events per key within a sliding time window, and distinct
//! values per key. Windows are in event time; events arrive in store order, which across sources
//! may be slightly out of time order, so each key prunes by the newest time it has seen.

use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::time::Duration;

/// How many pushes between sweeps of idle keys.
const SWEEP_EVERY: u64 = 4096;

/// How late (in event time, behind the newest event of its key) an event may arrive and still be
/// counted with the events around it: a System Log page delayed by Okta, an audit file of this
/// morning ingested in the afternoon.
const LATENESS: chrono::Duration = chrono::Duration::hours(2);

fn chrono_window(window: Duration) -> chrono::Duration {
    chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX)
}

/// An event remembered in a window: when, its `seq`, and a value to count distinct.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen<V> {
    /// Event time.
    pub time: DateTime<Utc>,
    /// Event `seq`.
    pub seq: i64,
    /// The value (an IP, a user...), or `()`.
    pub value: V,
}

/// One key's events, and the newest event time it has seen.
#[derive(Debug)]
struct KeyWindow<V> {
    newest: DateTime<Utc>,
    touched: u64,
    entries: VecDeque<Seen<V>>,
}

/// Per key, the events of the last `window` before each new one (by event time). Each key keeps
/// its own clock and [`LATENESS`] of history behind it, so events stored late (a delayed page, an
/// audit file ingested hours later) are counted with the events around them in time instead of
/// being measured against the newest ones.
#[derive(Debug)]
pub struct SlidingWindow<K, V = ()> {
    window: chrono::Duration,
    keys: HashMap<K, KeyWindow<V>>,
    newest: Option<DateTime<Utc>>,
    pushes: u64,
    view: VecDeque<Seen<V>>,
}

impl<K: Eq + Hash + Clone, V: Clone + Eq + Hash> SlidingWindow<K, V> {
    /// An empty window of `window`.
    pub fn new(window: Duration) -> Self {
        SlidingWindow {
            window: chrono_window(window),
            keys: HashMap::new(),
            newest: None,
            pushes: 0,
            view: VecDeque::new(),
        }
    }

    /// Records an event for `key` and returns the key's events in the window that ends with it
    /// (at most `window` older, none newer), in arrival order.
    pub fn push(&mut self, key: K, time: DateTime<Utc>, seq: i64, value: V) -> &VecDeque<Seen<V>> {
        self.pushes += 1;
        self.newest = Some(self.newest.map_or(time, |n| n.max(time)));
        if self.pushes.is_multiple_of(SWEEP_EVERY) {
            self.sweep();
        }
        let (window, pushes) = (self.window, self.pushes);
        let state = self.keys.entry(key).or_insert_with(|| KeyWindow {
            newest: time,
            touched: pushes,
            entries: VecDeque::new(),
        });
        state.touched = pushes;
        state.newest = state.newest.max(time);
        let keep_from = state.newest.checked_sub_signed(window + LATENESS).unwrap_or(DateTime::<Utc>::MIN_UTC);
        if time >= keep_from {
            state.entries.push_back(Seen { time, seq, value });
        }
        while state.entries.front().is_some_and(|e| e.time < keep_from) {
            state.entries.pop_front();
        }
        let from = time.checked_sub_signed(window).unwrap_or(DateTime::<Utc>::MIN_UTC);
        self.view.clear();
        self.view.extend(state.entries.iter().filter(|e| e.time >= from && e.time <= time).cloned());
        &self.view
    }

    /// The key's recorded events (the window and the lateness allowance behind it), if any.
    pub fn get(&self, key: &K) -> Option<&VecDeque<Seen<V>>> {
        self.keys.get(key).map(|state| &state.entries)
    }

    /// Forgets a key (after it fired, so the next alert needs a fresh run of events).
    pub fn clear(&mut self, key: &K) {
        self.keys.remove(key);
    }

    /// How many keys are held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Drops keys whose window has passed (their newest event is a window older than the newest
    /// event of any key) and that no event touched since the last sweep, so memory follows the
    /// active keys while a slow attack on a busy org, or a backfill being read, keeps its state.
    fn sweep(&mut self) {
        let since = self.pushes.saturating_sub(SWEEP_EVERY);
        let Some(horizon) = self.newest.and_then(|n| n.checked_sub_signed(self.window + LATENESS)) else { return };
        self.keys.retain(|_, state| state.touched > since || state.newest >= horizon);
    }
}

/// Counts distinct values in a window's entries.
pub fn distinct<V: Eq + Hash>(entries: &VecDeque<Seen<V>>) -> usize {
    let mut seen = std::collections::HashSet::with_capacity(entries.len());
    entries.iter().filter(|e| seen.insert(&e.value)).count()
}

/// The `seq`s of a window's entries, oldest first.
pub fn seqs<V>(entries: &VecDeque<Seen<V>>) -> Vec<i64> {
    entries.iter().map(|e| e.seq).collect()
}

/// Remembers, per key, until when a rule stays quiet after firing: once a key has fired, later
/// events within the window join the same alert instead of counting towards a new one.
#[derive(Debug)]
pub struct Cooldown<K> {
    window: chrono::Duration,
    until: HashMap<K, DateTime<Utc>>,
}

impl<K: Eq + Hash + Clone> Cooldown<K> {
    /// Keys stay hot for `window` after their last event.
    pub fn new(window: Duration) -> Self {
        Cooldown { window: chrono_window(window), until: HashMap::new() }
    }

    /// Whether `key` fired recently; if so, extends its quiet period to `time + window`.
    pub fn is_hot(&mut self, key: &K, time: DateTime<Utc>) -> bool {
        match self.until.get_mut(key) {
            Some(until) if *until >= time => {
                *until = time.checked_add_signed(self.window).unwrap_or(time);
                true
            }
            _ => false,
        }
    }

    /// Marks `key` as having fired at `time`.
    pub fn fire(&mut self, key: K, time: DateTime<Utc>) {
        if self.until.len() > 100_000 {
            self.until.retain(|_, until| *until >= time);
        }
        self.until.insert(key, time.checked_add_signed(self.window).unwrap_or(time));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + minute * 60, 0).unwrap()
    }

    #[test]
    fn window_keeps_only_recent_events_per_key() {
        let mut w: SlidingWindow<&str> = SlidingWindow::new(Duration::from_secs(600));
        w.push("a", at(0), 1, ());
        w.push("a", at(5), 2, ());
        assert_eq!(w.push("a", at(10), 3, ()).len(), 3, "the window includes its edge");
        assert_eq!(seqs(w.push("a", at(11), 4, ())), vec![2, 3, 4]);
        assert_eq!(w.push("b", at(12), 5, ()).len(), 1, "keys are counted apart");
    }

    #[test]
    fn late_events_count_with_the_events_around_them() {
        let mut w: SlidingWindow<&str> = SlidingWindow::new(Duration::from_secs(600));
        w.push("a", at(30), 1, ());
        // Stored later but 25 minutes older: counted with its own neighbours, not with minute 30.
        assert_eq!(w.push("a", at(5), 2, ()).len(), 1);
        assert_eq!(seqs(w.push("a", at(8), 3, ())), vec![2, 3]);
        // Beyond the lateness allowance, an event is not kept at all.
        w.push("a", at(400), 4, ());
        assert_eq!(w.push("a", at(9), 5, ()).len(), 0);
        assert_eq!(w.get(&"a").unwrap().iter().filter(|e| e.seq == 5).count(), 0);
    }

    #[test]
    fn each_key_keeps_its_own_clock() {
        let mut w: SlidingWindow<&str> = SlidingWindow::new(Duration::from_secs(600));
        w.push("live", at(600), 1, ());
        // Last week's audit file, stored now: its events still count together.
        w.push("old", at(0), 2, ());
        assert_eq!(w.push("old", at(5), 3, ()).len(), 2);
    }

    #[test]
    fn distinct_counts_values() {
        let mut w: SlidingWindow<&str, &str> = SlidingWindow::new(Duration::from_secs(600));
        w.push("ip", at(0), 1, "alice");
        w.push("ip", at(1), 2, "bob");
        let entries = w.push("ip", at(2), 3, "alice");
        assert_eq!(distinct(entries), 2);
    }

    #[test]
    fn idle_keys_are_swept() {
        let mut w: SlidingWindow<u64> = SlidingWindow::new(Duration::from_secs(60));
        for i in 0..3 * SWEEP_EVERY {
            w.push(i, at(i as i64), i as i64, ());
        }
        assert!(w.len() <= SWEEP_EVERY as usize, "{} keys held", w.len());
        // A slow key survives sweeps while its window is open.
        let mut w: SlidingWindow<u64> = SlidingWindow::new(Duration::from_secs(3600));
        w.push(u64::MAX, at(0), 0, ());
        for i in 0..3 * SWEEP_EVERY {
            w.push(i, at(0), i as i64, ());
        }
        assert_eq!(w.push(u64::MAX, at(1), 1, ()).len(), 2);
    }

    #[test]
    fn cooldown_stays_hot_while_events_keep_coming() {
        let mut c = Cooldown::new(Duration::from_secs(600));
        assert!(!c.is_hot(&"k", at(0)));
        c.fire("k", at(0));
        assert!(c.is_hot(&"k", at(9)));
        assert!(c.is_hot(&"k", at(18)), "extended by the event at 9");
        assert!(!c.is_hot(&"k", at(40)));
    }
}
