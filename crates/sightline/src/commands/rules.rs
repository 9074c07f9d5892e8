//! `sightline rules`: the built-in detections (with their settings) and the Sigma rules of
//! `detections.sigma_dir`, with any that cannot load and why.

use crate::config::Config;
use anyhow::Result;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Configuration file (default: $SIGHTLINE_CONFIG, then ./sightline.toml).
    #[arg(long)]
    config: Option<PathBuf>,
}

pub async fn run(args: Args) -> Result<()> {
    let config = Config::load(args.config.as_deref())?;
    let engine = detect::Engine::new(&config.detections).map_err(|why| anyhow::anyhow!("{}: {why}", config.source))?;
    let enabled: std::collections::HashSet<&str> = engine.rules().map(|r| r.id).collect();
    let mut out = std::io::stdout().lock();
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(["rule", "enabled", "severity", "ATT&CK", "parameters", "title"]);
    for rule in detect::rules::catalogue() {
        let params: Vec<String> =
            (rule.params)().iter().map(|p| format!("{}={}", p.name, describe(&p.default))).collect();
        table.add_row([
            rule.info.id.to_string(),
            if enabled.contains(rule.info.id) { "yes" } else { "no" }.to_string(),
            rule.info.severity.to_string(),
            rule.info.attack.join(" "),
            params.join(" "),
            rule.info.title.to_string(),
        ]);
    }
    writeln!(out, "{table}")?;
    if let Some(dir) = &config.detections.sigma_dir {
        let loaded = detect::sigma::SigmaRules::load_dir(dir);
        writeln!(
            out,
            "Sigma rules in {}: {} loaded, {} failed",
            dir.display(),
            loaded.rules.len(),
            loaded.errors.len()
        )?;
        for error in &loaded.errors {
            writeln!(out, "  failed: {error}")?;
        }
        for warning in &loaded.warnings {
            writeln!(out, "  warning: {warning}")?;
        }
        for rule in loaded.rules.rules() {
            writeln!(out, "  {} [{}] {} ({})", rule.id, rule.level, rule.title, rule.file.display())?;
        }
    }
    Ok(())
}

fn describe(value: &detect::rule::ParamValue) -> String {
    match value {
        detect::rule::ParamValue::Count(n) => n.to_string(),
        detect::rule::ParamValue::Duration(d) => humantime::format_duration(*d).to_string(),
        detect::rule::ParamValue::Number(n) => n.to_string(),
        detect::rule::ParamValue::List(items) => format!("[{}]", items.join(",")),
    }
}
