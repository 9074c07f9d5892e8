//! Scan progress on a terminal (a bar per resource kind) or as plain log lines.

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

/// Progress bars when stderr is a terminal, log lines otherwise.
pub struct ScanProgress {
    integration: String,
    bars: Option<(MultiProgress, Mutex<HashMap<String, ProgressBar>>)>,
}

impl ScanProgress {
    pub fn new(integration: &str) -> ScanProgress {
        let bars = std::io::stderr().is_terminal().then(|| (MultiProgress::new(), Mutex::new(HashMap::new())));
        ScanProgress { integration: integration.to_string(), bars }
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
        match self.bar(kind, total) {
            Some(bar) => bar.set_message("reading"),
            None => tracing::info!(integration = %self.integration, kind, total, "reading"),
        }
    }

    fn advanced(&self, kind: &str, n: u64) {
        if let Some(bar) = self.bar(kind, None) {
            bar.inc(n);
        }
    }

    fn finished(&self, kind: &str, count: u64) {
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
        let bar = std::io::stderr().is_terminal().then(|| {
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
