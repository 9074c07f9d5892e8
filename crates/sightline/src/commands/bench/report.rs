//! The benchmark's report: the figures as JSON (`report.json`) and as the Markdown tables
//! `docs/PERFORMANCE.md` is made of (`report.md`, and stdout). Saved after each org size, so a
//! long run that is stopped keeps what it measured.

use super::activity::{IngestFigures, LagFigures, Percentiles, PipelineFigures};
use super::queries::QueryFigures;
use super::scan::{LimitedFigures, ScanFigures};
use super::sdk::SdkFigures;
use super::{Args, StoreKind};
use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

#[derive(Serialize)]
pub struct Report {
    machine: Machine,
    command: String,
    quick: bool,
    total_seconds: Option<f64>,
    orgs: Vec<(usize, Value)>,
    scans: Vec<(usize, &'static str, ScanFigures)>,
    limits: Vec<(usize, &'static str, u64, LimitedFigures)>,
    sdk: Vec<(usize, SdkFigures, Option<ScanFigures>)>,
    queries: Vec<(usize, Vec<QueryFigures>)>,
    pipeline: Vec<(usize, &'static str, PipelineFigures, IngestFigures)>,
    lag: Vec<(usize, &'static str, usize, LagFigures)>,
}

#[derive(Serialize)]
struct Machine {
    date: String,
    sightline: String,
    cpu: String,
    cores: usize,
    memory_gib: f64,
    os: String,
    kernel: String,
}

impl Machine {
    fn describe() -> Machine {
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        let cpuinfo = read("/proc/cpuinfo");
        let meminfo = read("/proc/meminfo");
        let value_of = |text: &str, key: &str| {
            text.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_once(':')).map(|(_, v)| v.trim().to_string())
        };
        let memory_kib: f64 = value_of(&meminfo, "MemTotal")
            .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
            .unwrap_or(0.0);
        let os = read("/etc/os-release")
            .lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string()))
            .unwrap_or_default();
        Machine {
            date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            sightline: env!("CARGO_PKG_VERSION").to_string(),
            cpu: value_of(&cpuinfo, "model name").unwrap_or_else(|| "unknown".into()),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_gib: memory_kib / 1024.0 / 1024.0,
            os,
            kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
        }
    }
}

impl Report {
    pub fn new(args: &Args, command: String) -> Report {
        Report {
            machine: Machine::describe(),
            command,
            quick: args.quick,
            total_seconds: None,
            orgs: Vec::new(),
            scans: Vec::new(),
            limits: Vec::new(),
            sdk: Vec::new(),
            queries: Vec::new(),
            pipeline: Vec::new(),
            lag: Vec::new(),
        }
    }

    pub fn org(&mut self, users: usize, stats: &Value) {
        let mut stats = stats.clone();
        if let Some(map) = stats.as_object_mut() {
            map.remove("rate_limits");
        }
        self.orgs.push((users, stats));
    }

    pub fn scan(&mut self, users: usize, kind: StoreKind, figures: &ScanFigures) {
        self.scans.push((users, kind.name(), figures.clone()));
    }

    pub fn limits(&mut self, users: usize, kind: StoreKind, window: u64, figures: &LimitedFigures) {
        self.limits.push((users, kind.name(), window, figures.clone()));
    }

    pub fn sdk(&mut self, users: usize, figures: &SdkFigures, sightline: Option<&ScanFigures>) {
        self.sdk.push((users, figures.clone(), sightline.cloned()));
    }

    pub fn queries(&mut self, users: usize, figures: &[QueryFigures]) {
        self.queries.push((users, figures.to_vec()));
    }

    pub fn pipeline(&mut self, users: usize, kind: StoreKind, figures: &PipelineFigures, ingest: &IngestFigures) {
        self.pipeline.push((users, kind.name(), figures.clone(), ingest.clone()));
    }

    pub fn lag(&mut self, users: usize, kind: StoreKind, per_minute: usize, figures: &LagFigures) {
        self.lag.push((users, kind.name(), per_minute, figures.clone()));
    }

    pub fn finish(&mut self, took: Duration) {
        self.total_seconds = Some(took.as_secs_f64());
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        let json = serde_json::to_string_pretty(self)?;
        std::fs::write(dir.join("report.json"), json)
            .with_context(|| format!("cannot write into {}", dir.display()))?;
        std::fs::write(dir.join("report.md"), self.markdown())?;
        Ok(())
    }

    pub fn markdown(&self) -> String {
        let m = &self.machine;
        let mut out = format!(
            "# Sightline benchmark\n\n{} · sightline {} · {} ({} cores) · {:.0} GiB · {} · Linux {}\n\n`{}`{}\n",
            m.date,
            m.sightline,
            m.cpu,
            m.cores,
            m.memory_gib,
            m.os,
            m.kernel,
            self.command,
            if self.quick {
                "\n\n**Quick run: a check that the harness works; its figures mean nothing.**"
            } else {
                ""
            }
        );
        if let Some(total) = self.total_seconds {
            out += &format!("\nWhole run: {:.0} min.\n", total / 60.0);
        }
        let count = |v: &Value, key: &str| int(v[key].as_u64().unwrap_or(0));
        section(
            &mut out,
            "Simulated orgs",
            &[
                "users",
                "groups",
                "group memberships",
                "apps",
                "app assignments (users, groups)",
                "role assignments",
                "API tokens",
            ],
            self.orgs.iter().map(|(users, s)| {
                vec![
                    int(*users as u64),
                    count(s, "groups"),
                    count(s, "group_memberships"),
                    count(s, "apps"),
                    format!("{}, {}", count(s, "app_users"), count(s, "app_group_assignments")),
                    count(s, "role_assignments"),
                    count(s, "api_tokens"),
                ]
            }),
        );
        section(
            &mut out,
            "Resource scan, rate limits off (`sightline sync` into a new store)",
            &[
                "users",
                "store",
                "objects read",
                "API calls",
                "scan",
                "objects/s (scan)",
                "access paths",
                "rebuild",
                "escalation",
                "write",
                "whole sync",
                "objects/s (sync)",
                "peak RSS",
            ],
            self.scans.iter().map(|(users, store, f)| {
                vec![
                    int(*users as u64),
                    store.to_string(),
                    int(f.objects),
                    int(f.api_calls),
                    secs(f.scan_seconds),
                    int((f.objects as f64 / f.scan_seconds.max(1e-9)) as u64),
                    int(f.access_paths),
                    secs(f.access_paths_seconds),
                    secs(f.escalation_seconds),
                    secs(f.write_seconds),
                    secs(f.wall_seconds),
                    int((f.objects as f64 / f.wall_seconds.max(1e-9)) as u64),
                    mib(f.peak_rss_mib),
                ]
            }),
        );
        section(
            &mut out,
            "Resource scan at a 50% share of Okta's default rate limits",
            &[
                "users",
                "store",
                "window",
                "requests",
                "bounding bucket",
                "floor",
                "scan",
                "scan ÷ floor",
                "whole sync",
                "sync ÷ floor",
                "429s",
                "peak RSS",
            ],
            self.limits.iter().map(|(users, store, window, f)| {
                let bound = f.buckets.first().map_or("–".to_string(), |b| {
                    format!("{} ({} requests, {} a window)", b.name, int(b.requests), int(b.allowed_per_window))
                });
                vec![
                    int(*users as u64),
                    store.to_string(),
                    format!("{window} s"),
                    int(f.buckets.iter().map(|b| b.requests).sum()),
                    bound,
                    secs(f.floor_seconds),
                    secs(f.scan.scan_seconds),
                    format!("{:.2}x", f.scan_ratio_to_floor),
                    secs(f.scan.wall_seconds),
                    format!("{:.2}x", f.ratio_to_floor),
                    int(f.rejected_429),
                    mib(f.scan.peak_rss_mib),
                ]
            }),
        );
        section(
            &mut out,
            "Okta's Python SDK doing the same inventory, against the same org (rate limits off)",
            &[
                "users",
                "SDK",
                "SDK objects",
                "SDK requests",
                "SDK wall time",
                "Sightline scan",
                "SDK ÷ scan",
                "Sightline whole sync",
                "SDK ÷ sync",
            ],
            self.sdk.iter().map(|(users, s, scan)| {
                let (scan_s, sync_s) = scan.as_ref().map_or((f64::NAN, f64::NAN), |f| (f.scan_seconds, f.wall_seconds));
                vec![
                    int(*users as u64),
                    format!("{} {}", s.sdk, s.version),
                    int(s.objects),
                    int(s.requests),
                    secs(s.wall_seconds),
                    secs(scan_s),
                    format!("{:.1}x", s.wall_seconds / scan_s),
                    secs(sync_s),
                    format!("{:.1}x", s.wall_seconds / sync_s),
                ]
            }),
        );
        let stores: Vec<&str> = self
            .queries
            .first()
            .and_then(|(_, q)| q.first())
            .map_or(Vec::new(), |q| q.timings.iter().map(|t| t.0).collect());
        let mut headers = vec!["users".to_string(), "query".into(), "rows".into()];
        for store in &stores {
            headers.push(format!("{store} p50"));
            headers.push(format!("{store} p99"));
        }
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        section(
            &mut out,
            "The brief's six queries (through the store's query API)",
            &headers,
            self.queries.iter().flat_map(|(users, figures)| {
                figures.iter().map(move |q| {
                    let mut row = vec![int(*users as u64), q.name.clone(), int(q.rows as u64)];
                    for (_, p50, p99) in &q.timings {
                        row.push(millis(*p50));
                        row.push(millis(*p99));
                    }
                    row
                })
            }),
        );
        section(
            &mut out,
            "System Log pipeline: `serve` polls, parses, normalises, stores and runs every detection",
            &[
                "users",
                "store",
                "events",
                "all stored",
                "all evaluated",
                "events/s",
                "events per CPU-second",
                "alerts",
                "peak RSS",
                "file ingest events/s",
                "per CPU-second",
            ],
            self.pipeline.iter().map(|(users, store, p, i)| {
                vec![
                    int(*users as u64),
                    store.to_string(),
                    int(p.events),
                    secs(p.stored_seconds),
                    secs(p.evaluated_seconds),
                    int(p.events_per_second as u64),
                    int(p.events_per_cpu_second as u64),
                    int(p.alerts),
                    mib(p.peak_rss_mib),
                    int(i.events_per_second as u64),
                    int(i.events_per_cpu_second as u64),
                ]
            }),
        );
        let spread = |p: &Percentiles| format!("{:.2} / {:.2} / {:.2} s", p.p50, p.p99, p.max);
        section(
            &mut out,
            "Lag under load: live traffic and an attack every 15 s, `log_poll_interval = \"1s\"`",
            &[
                "users",
                "store",
                "events/min",
                "events",
                "poll lag p50 / p99 / max",
                "alerts",
                "detection lag p50 / p99 / max",
            ],
            self.lag.iter().map(|(users, store, per_minute, l)| {
                vec![
                    int(*users as u64),
                    store.to_string(),
                    int(*per_minute as u64),
                    int(l.events),
                    spread(&l.poll_lag),
                    int(l.alerts),
                    l.detection_lag.as_ref().map_or("no alert".into(), spread),
                ]
            }),
        );
        out
    }
}

/// Columns of words, aligned left; the rest are figures, aligned right.
const TEXT_COLUMNS: [&str; 4] = ["store", "query", "SDK", "bounding bucket"];

fn section(out: &mut String, title: &str, headers: &[&str], rows: impl Iterator<Item = Vec<String>>) {
    let rows: Vec<Vec<String>> = rows.collect();
    if rows.is_empty() {
        return;
    }
    *out += &format!("\n## {title}\n\n| {} |\n|", headers.join(" | "));
    for header in headers {
        *out += if TEXT_COLUMNS.contains(header) { "---|" } else { "---:|" };
    }
    *out += "\n";
    for row in rows {
        *out += &format!("| {} |\n", row.join(" | "));
    }
}

/// `1234567` → `1,234,567`.
fn int(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn secs(s: f64) -> String {
    if s.is_nan() { "–".into() } else { format!("{s:.1} s") }
}

fn millis(ms: f64) -> String {
    if ms < 10.0 { format!("{ms:.2} ms") } else { format!("{} ms", int(ms.round() as u64)) }
}

fn mib(m: f64) -> String {
    format!("{} MiB", int(m.round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1,000");
        assert_eq!(int(1_746_253), "1,746,253");
        assert_eq!(millis(0.345), "0.34 ms");
        assert_eq!(millis(2104.4), "2,104 ms");
        assert_eq!(secs(f64::NAN), "–");
    }

    #[test]
    fn a_section_without_rows_is_left_out() {
        let mut out = String::new();
        section(&mut out, "Nothing", &["a", "b"], std::iter::empty());
        assert!(out.is_empty());
        section(
            &mut out,
            "One",
            &["users", "store", "rows"],
            std::iter::once(vec!["1".into(), "y".into(), "1".into()]),
        );
        assert_eq!(out, "\n## One\n\n| users | store | rows |\n|---:|---|---:|\n| 1 | y | 1 |\n");
    }
}
