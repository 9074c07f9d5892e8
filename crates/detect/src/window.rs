//! The state that windowed rules keep: events per key within a sliding time window, and distinct
//! values per key. Windows are in event time; events arrive in store order, which across sources
//! may be slightly out of time order, so pruning goes by the newest time seen.

use chrono::{DateTime, Utc};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::time::Duration;

/// How many pushes between sweeps of idle keys.
const SWEEP_EVERY: u64 = 4096;

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

/// Per key, the events of the last `window` (by event time).
#[derive(Debug)]
pub struct SlidingWindow<K, V = ()> {
    window: chrono::Duration,
    keys: HashMap<K, VecDeque<Seen<V>>>,
    newest: Option<DateTime<Utc>>,
    pushes: u64,
}

impl<K: Eq + Hash + Clone, V: Clone + Eq + Hash> SlidingWindow<K, V> {
    /// An empty window of `window`.
    pub fn new(window: Duration) -> Self {
        SlidingWindow { window: chrono_window(window), keys: HashMap::new(), newest: None, pushes: 0 }
    }

    /// Records an event for `key` and returns the key's events still in the window, in arrival order.
    pub fn push(&mut self, key: K, time: DateTime<Utc>, seq: i64, value: V) -> &VecDeque<Seen<V>> {
        self.newest = Some(self.newest.map_or(time, |n| n.max(time)));
        self.pushes += 1;
        if self.pushes.is_multiple_of(SWEEP_EVERY) {
            self.sweep();
        }
        let horizon = self.horizon();
        let entries = self.keys.entry(key).or_default();
        // An event older than the window (stored late, from another source) can no longer count.
        if time >= horizon {
            entries.push_back(Seen { time, seq, value });
        }
        while entries.front().is_some_and(|e| e.time < horizon) {
            entries.pop_front();
        }
        entries
    }

    /// The key's events in the window, if any.
    pub fn get(&self, key: &K) -> Option<&VecDeque<Seen<V>>> {
        self.keys.get(key)
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

    fn horizon(&self) -> DateTime<Utc> {
        self.newest.map_or(DateTime::<Utc>::MIN_UTC, |n| n.checked_sub_signed(self.window).unwrap_or(n))
    }

    /// Drops keys with nothing left in the window, so memory follows the active keys only.
    fn sweep(&mut self) {
        let horizon = self.horizon();
        self.keys.retain(|_, entries| entries.back().is_some_and(|e| e.time >= horizon));
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
        let until = time.checked_add_signed(self.window).unwrap_or(time);
        match self.until.entry(key) {
            Entry::Occupied(mut e) => *e.get_mut() = until,
            Entry::Vacant(e) => {
                e.insert(until);
            }
        }
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
    fn late_events_do_not_resurrect_old_ones() {
        let mut w: SlidingWindow<&str> = SlidingWindow::new(Duration::from_secs(600));
        w.push("a", at(30), 1, ());
        // An event from another source, stored later but 25 minutes older, is outside the window.
        assert_eq!(w.push("a", at(5), 2, ()).len(), 1);
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
        for i in 0..SWEEP_EVERY {
            w.push(i, at(i as i64), i as i64, ());
        }
        assert!(w.len() < 5, "{} keys held", w.len());
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
