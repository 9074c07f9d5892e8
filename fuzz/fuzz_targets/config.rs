//! `sightline.toml`: TOML, the `Config` types and every check `Config::load` makes, then the
//! accessors that rely on those checks (`expect("checked at load")`).
//!
//! The `sightline` crate is binary-only, so its `config.rs` is compiled into this target as a
//! module. Build with `--features config`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

#[allow(dead_code, unused_imports, clippy::all)]
#[path = "../../crates/sightline/src/config.rs"]
mod config;

thread_local! {
    static FILE: (tempfile::TempDir, PathBuf) = {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("sightline.toml");
        (dir, path)
    };
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    FILE.with(|(_, path)| {
        std::fs::write(path, text).expect("the file is written");
        let config = match config::Config::load(Some(path)) {
            Ok(config) => config,
            Err(e) => {
                assert!(!format!("{e:#}").is_empty());
                return;
            }
        };
        let source = config.source.as_str();
        let _ = config.query_limits();
        let _ = config.server.tls_files(source);
        let _ = config.sqlite_path();
        for github in &config.github {
            let _ = github.poller_config(source);
            let _ = github.poll_every();
        }
        if let Some(teleport) = &config.teleport {
            let _ = teleport.token(source);
        }
        for okta in &config.okta {
            let _ = okta.scan_every();
            let _ = okta.log_poll_every();
            let _ = okta.log_lookback();
            // Reading a key file from an arbitrary path is not parsing.
            if okta.private_key_file.is_none() {
                let _ = okta.client_config(source);
            }
        }
    });
});
