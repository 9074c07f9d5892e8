//! Log output on stderr: human-readable text (the default) or one JSON object per line for log
//! collectors (`--log-format json` or `SIGHTLINE_LOG_FORMAT=json`).

use std::io::Write;
use std::sync::OnceLock;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line: `timestamp`, `level`, `fields` (with `message`), `target`.
    Json,
}

static FORMAT: OnceLock<LogFormat> = OnceLock::new();

/// Sets up `tracing` for the process: `SIGHTLINE_LOG` filters (else `default_level`).
pub fn init(format: LogFormat, default_level: &str) {
    let _ = FORMAT.set(format);
    let filter = tracing_subscriber::EnvFilter::try_from_env("SIGHTLINE_LOG").unwrap_or_else(|_| default_level.into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Whether log lines are JSON (progress bars and plain messages would break them).
pub fn json() -> bool {
    FORMAT.get() == Some(&LogFormat::Json)
}

/// A message for the operator that shows whatever `SIGHTLINE_LOG` says (where the service
/// listens, a password shown once, why the process exits): a plain line, or in JSON mode a log
/// line of the same shape as `tracing`'s.
pub fn notice(level: &str, message: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = if json() {
        writeln!(stderr, "{}", json_line(level, message, chrono::Utc::now()))
    } else {
        writeln!(stderr, "{message}")
    };
}

/// The keys in `tracing`'s order (a JSON map would sort them), so both kinds of line look alike.
fn json_line(level: &str, message: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let text = |value: &str| serde_json::Value::from(value).to_string();
    format!(
        "{{\"timestamp\":{},\"level\":{},\"fields\":{{\"message\":{}}},\"target\":\"sightline\"}}",
        text(&at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        text(level),
        text(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_in_json_mode_are_single_line_objects_like_tracings() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-29T07:00:00Z").unwrap().with_timezone(&chrono::Utc);
        let line = json_line("INFO", "listening on \"x\"\nnext", at);
        assert!(!line.contains('\n'), "{line}");
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["level"], "INFO");
        assert_eq!(value["fields"]["message"], "listening on \"x\"\nnext");
        assert_eq!(value["timestamp"], "2026-11-29T07:00:00.000000Z");
        assert_eq!(value["target"], "sightline");
        assert!(line.starts_with("{\"timestamp\":"), "{line}");
    }
}
