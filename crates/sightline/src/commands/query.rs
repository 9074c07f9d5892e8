//! `sightline query`: PostgreSQL-dialect SQL over the store.

use crate::config::Config;
use anyhow::{Result, bail};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Configuration file (default: $SIGHTLINE_CONFIG, then ./sightline.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = ["table", "json", "csv"])]
    format: String,
    /// The query, e.g. "SELECT name FROM nodes WHERE labels @> '{\"teleport.dev/origin\": \"okta\"}'".
    sql: String,
}

pub async fn run(args: Args) -> Result<()> {
    let config = Config::load(args.config.as_deref())?;
    let limits = config.query_limits()?;
    let store = config.open_store().await?;
    let started = std::time::Instant::now();
    let result = store.query(&args.sql, limits).await;
    let detail = match &result {
        Ok(result) => serde_json::json!({"sql": args.sql, "rows": result.rows.len(), "truncated": result.truncated}),
        Err(error) => serde_json::json!({"sql": args.sql, "error": error.to_string()}),
    };
    super::audit::record(&store, "query", None, result.is_ok(), Some(started.elapsed()), detail).await;
    let result = match result {
        Ok(result) => result,
        Err(error) => bail!("{}", describe(&args.sql, &error)),
    };
    let mut out = std::io::stdout().lock();
    match args.format.as_str() {
        "json" => {
            let rows: Vec<serde_json::Value> = result
                .rows
                .iter()
                .map(|row| serde_json::Value::Object(result.columns.iter().cloned().zip(row.iter().cloned()).collect()))
                .collect();
            serde_json::to_writer(&mut out, &rows)?;
            writeln!(out)?;
        }
        "csv" => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(&result.columns)?;
            for row in &result.rows {
                writer.write_record(row.iter().map(cell))?;
            }
            writer.flush()?;
        }
        _ => {
            let mut table = comfy_table::Table::new();
            table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
            table.set_header(&result.columns);
            for row in &result.rows {
                table.add_row(row.iter().map(cell));
            }
            writeln!(out, "{table}")?;
            writeln!(out, "({} row{})", result.rows.len(), if result.rows.len() == 1 { "" } else { "s" })?;
        }
    }
    if result.truncated {
        eprintln!("warning: the result was cut at {} rows", result.rows.len());
    }
    Ok(())
}

/// A value as text: strings bare, NULL empty, JSON as JSON.
fn cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A SQL error with a caret under the position it names.
fn describe(sql: &str, error: &store::Error) -> String {
    let message = error.to_string();
    let Some((line, column)) = error.position() else { return message };
    let Some(text) = sql.lines().nth(line.saturating_sub(1) as usize) else { return message };
    let caret = " ".repeat(column.saturating_sub(1) as usize);
    format!("{message}\n  {text}\n  {caret}^")
}
