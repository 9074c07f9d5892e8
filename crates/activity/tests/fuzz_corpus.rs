//! The fuzz corpora (`fuzz/corpus/activity_*`) through what the fuzz targets run: framing, gzip
//! and normalisation of every record, and `normalize` on the whole input. Nothing may panic.

use activity::Source;
use serde_json::value::RawValue;
use std::path::Path;

fn run(source: Source, data: &[u8]) {
    for record in activity::parse_reader(source, data).take(10_000) {
        match record {
            Ok(event) => {
                // The OCSF writer must write JSON whatever the input held.
                let _ = event.ocsf_value();
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(raw) = serde_json::from_str::<&RawValue>(text)
    {
        let _ = activity::normalize(source, raw);
    }
}

fn corpus(target: &str, source: Source) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())) {
        run(source, &std::fs::read(entry.unwrap().path()).unwrap());
        count += 1;
    }
    assert!(count > 0, "{} is empty", dir.display());
}

#[test]
fn okta_corpus() {
    corpus("activity_okta", Source::Okta);
}

#[test]
fn cloudtrail_corpus() {
    corpus("activity_cloudtrail", Source::AwsCloudtrail);
}

#[test]
fn github_corpus() {
    corpus("activity_github", Source::Github);
}

#[test]
fn teleport_corpus() {
    corpus("activity_teleport", Source::Teleport);
}
