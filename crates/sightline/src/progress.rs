//! Scan progress on a terminal (a bar per resource kind) or as plain log lines.

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::sync::Mutex;

/// Progress bars when stderr is a terminal, log lines otherwise; and a report of where each
/// resource kind stands, which the scan writes to its run for the web UI.
pub struct ScanProgress {
    integration: String,
    bars: Option<(MultiProgress, Mutex<HashMap<String, ProgressBar>>)>,
    kinds: Mutex<BTreeMap<String, KindProgress>>,
}

#[derive(Default, Clone, Copy)]
struct KindProgress {
    done: u64,
    total: Option<u64>,
    finished: bool,
}

impl ScanProgress {
    pub fn new(integration: &str) -> ScanProgress {
        let bars = (std::io::stderr().is_terminal() && !crate::logging::json())
            .then(|| (MultiProgress::new(), Mutex::new(HashMap::new())));
        ScanProgress { integration: integration.to_string(), bars, kinds: Mutex::new(BTreeMap::new()) }
    }

    fn update(&self, kind: &str, change: impl FnOnce(&mut KindProgress)) {
        change(self.kinds.lock().unwrap_or_else(|p| p.into_inner()).entry(kind.to_string()).or_default());
    }

    /// Where the scan stands: `phase` says what is being read, `done`/`total` count the
    /// per-object listings (members, assignments, role holders) whose size is known, and `kinds`
    /// has each resource kind's count.
    pub fn report(&self) -> serde_json::Value {
        let kinds = self.kinds.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let (mut done, mut total) = (0, 0);
        let mut reading = Vec::new();
        let mut report = serde_json::Map::new();
        for (kind, state) in &kinds {
            if let Some(t) = state.total {
                total += t;
                done += state.done.min(t);
            }
            if !state.finished {
                reading.push(match state.total {
                    Some(t) => format!("{kind} {}/{t}", state.done),
                    None => format!("{kind} {}", state.done),
                });
            }
            report.insert(
                kind.clone(),
                serde_json::json!({"done": state.done, "total": state.total, "finished": state.finished}),
            );
        }
        let phase = if reading.is_empty() { "scanning".to_string() } else { format!("reading {}", reading.join(", ")) };
        serde_json::json!({"phase": phase, "done": done, "total": total, "kinds": report})
    }

    fn bar(&self, kind: &str, total: Option<u64>) -> Option<ProgressBar> {
        let (multi, bars) = self.bars.as_ref()?;
        let mut bars = bars.lock().expect("progress lock");
        if let Some(bar) = bars.get(kind) {
            return Some(bar.clone());
        }
        let bar = match total {
            Some(total) => multi.add(ProgressBar::new(total)).with_style(
                ProgressStyle::with_template("{prefix:>18} [{bar:30}] {pos}/{len} {msg}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            ),
            None => multi
                .add(ProgressBar::new_spinner())
                .with_style(ProgressStyle::with_template("{prefix:>18} {spinner} {msg}").expect("a valid template")),
        };
        bar.set_prefix(kind.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bars.insert(kind.to_string(), bar.clone());
        Some(bar)
    }
}

impl collect::Progress for ScanProgress {
    fn started(&self, kind: &str, total: Option<u64>) {
        self.update(kind, |k| k.total = total);
        match self.bar(kind, total) {
            Some(bar) => bar.set_message("reading"),
            None => tracing::info!(integration = %self.integration, kind, total, "reading"),
        }
    }

    fn advanced(&self, kind: &str, n: u64) {
        self.update(kind, |k| k.done += n);
        if let Some(bar) = self.bar(kind, None) {
            bar.inc(n);
        }
    }

    fn finished(&self, kind: &str, count: u64) {
        self.update(kind, |k| {
            k.finished = true;
            if k.total.is_none() {
                k.done = count;
            }
        });
        match self.bar(kind, None) {
            Some(bar) => bar.finish_with_message(format!("{count} read")),
            None => tracing::info!(integration = %self.integration, kind, count, "done"),
        }
    }

    fn warned(&self, message: &str) {
        match &self.bars {
            Some((multi, _)) => {
                let _ = multi.println(format!("warning: {message}"));
            }
            None => tracing::warn!(integration = %self.integration, "{message}"),
        }
    }
}

/// A running count (events read, stored) as a spinner on a terminal, or a log line every
/// ten thousand otherwise.
pub struct CountProgress {
    what: String,
    bar: Option<ProgressBar>,
    count: u64,
    logged: u64,
}

impl CountProgress {
    pub fn new(what: &str) -> CountProgress {
        let bar = (std::io::stderr().is_terminal() && !crate::logging::json()).then(|| {
            let bar = ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{prefix:>18} {spinner} {pos} {msg}").expect("a valid template"),
            );
            bar.set_prefix(what.to_string());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        CountProgress { what: what.to_string(), bar, count: 0, logged: 0 }
    }

    /// Sets the count so far.
    pub fn set(&mut self, count: u64, message: &str) {
        self.count = count;
        match &self.bar {
            Some(bar) => {
                bar.set_position(count);
                bar.set_message(message.to_string());
            }
            None if count >= self.logged + 10_000 => {
                self.logged = count;
                tracing::info!(what = %self.what, count, "{message}");
            }
            None => {}
        }
    }

    pub fn finish(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.finish_with_message(message.to_string()),
            None => tracing::info!(what = %self.what, count = self.count, "{message}"),
        }
    }
}

/// Writes a scan's progress to its run every second until dropped, so the web UI can show it.
pub struct RunReporter(tokio::task::JoinHandle<()>);

impl RunReporter {
    pub fn start(store: store::Store, run: i64, progress: std::sync::Arc<ScanProgress>) -> RunReporter {
        RunReporter(tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                if let Err(error) = store.update_run_progress(run, progress.report()).await {
                    tracing::debug!(%error, "cannot record scan progress");
                }
            }
        }))
    }
}

impl Drop for RunReporter {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use collect::Progress;

    #[test]
    fn the_report_counts_known_totals_and_names_what_is_being_read() {
        let progress = ScanProgress::new("acme");
        progress.started("users", None);
        progress.advanced("users", 200);
        progress.started("group members", Some(10));
        progress.advanced("group members", 4);
        let report = progress.report();
        assert_eq!((report["done"].as_u64(), report["total"].as_u64()), (Some(4), Some(10)));
        assert_eq!(report["phase"], "reading group members 4/10, users 200");
        progress.finished("users", 250);
        progress.finished("group members", 10);
        let report = progress.report();
        assert_eq!(report["phase"], "scanning");
        assert_eq!(report["kinds"]["users"]["done"], 250);
    }
}
