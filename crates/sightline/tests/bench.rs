//! `sightline bench --quick`: the benchmark harness runs every stage end to end on both stores and
//! beside Okta's Python SDK, at a small size. It checks that the harness works and that what it
//! reports is consistent; it asserts no timing (figures are for `docs/PERFORMANCE.md`).

use serde_json::Value;
use std::path::Path;
use std::process::Command;

#[test]
fn the_benchmark_harness_measures_every_stage_on_both_stores() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    assert!(
        root.join("target/sdk-venv/bin/python").exists(),
        "Okta's Python SDK is missing: run scripts/install-sdk-test-deps.sh"
    );
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_sightline"))
        .args(["bench", "--quick", "--users", "120", "--out"])
        .arg(out.path())
        .current_dir(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "sightline bench failed:\n{stderr}");
    // Progress goes to stderr as each stage starts and ends.
    assert!(stderr.contains("SQLite: sync, rate limits off…"), "{stderr}");
    assert!(stderr.contains("done in"), "{stderr}");

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("report.json")).unwrap()).unwrap();
    let stores = |section: &str| -> Vec<String> {
        report[section].as_array().unwrap().iter().map(|row| row[1].as_str().unwrap().to_string()).collect()
    };
    for section in ["scans", "limits", "pipeline", "lag"] {
        assert_eq!(stores(section), ["SQLite", "PostgreSQL"], "{section}: {}", report[section]);
    }

    let org = &report["orgs"][0][1];
    let scans = report["scans"].as_array().unwrap();
    for scan in scans {
        let f = &scan[2];
        // The scan read what the simulator holds: every user, group and membership.
        assert!(
            f["objects"].as_u64().unwrap()
                >= org["users_total"].as_u64().unwrap() + org["group_memberships"].as_u64().unwrap()
        );
        assert!(f["access_paths"].as_u64().unwrap() > 0);
        assert!(f["peak_rss_mib"].as_f64().unwrap() > 1.0 && f["cpu_seconds"].as_f64().unwrap() > 0.0);
    }
    assert_eq!(scans[0][2]["access_paths"], scans[1][2]["access_paths"], "both stores derived the same paths");

    let limits = &report["limits"][0][3];
    assert!(limits["floor_seconds"].as_f64().is_some() && !limits["buckets"].as_array().unwrap().is_empty());
    assert_eq!(limits["rejected_429"], 0, "the scan kept to its share: no 429");

    // The SDK read the same org: at least every user, group membership and app assignment.
    let sdk = &report["sdk"][0][1];
    let counts = &sdk["counts"];
    assert_eq!(
        counts["users"].as_u64().unwrap() + counts["deprovisioned_users"].as_u64().unwrap(),
        org["users_total"].as_u64().unwrap()
    );
    assert_eq!(counts["group_members"], org["group_memberships"]);
    assert_eq!(counts["app_users"], org["app_users"]);
    assert!(sdk["wall_seconds"].as_f64().unwrap() > 0.0);

    let queries = report["queries"][0][1].as_array().unwrap();
    assert_eq!(queries.len(), 10);
    for q in queries {
        assert_eq!(q["timings"].as_array().unwrap().len(), 2, "{q}");
    }
    // The placeholders come from the org itself, so every query has an answer.
    assert!(queries.iter().all(|q| q["rows"].as_u64().unwrap() > 0), "{queries:?}");

    for row in report["pipeline"].as_array().unwrap() {
        let (pipeline, ingest) = (&row[2], &row[3]);
        assert!(pipeline["events"].as_u64().unwrap() > 1000, "{pipeline}");
        assert_eq!(ingest["events"], pipeline["events"], "the export ingests to the same events");
        assert!(pipeline["evaluated_seconds"].as_f64().unwrap() >= pipeline["stored_seconds"].as_f64().unwrap());
    }
    for row in report["lag"].as_array().unwrap() {
        assert!(row[3]["events"].as_u64().unwrap() > 0, "{}", row[3]);
    }

    let markdown = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    for title in [
        "## Resource scan, rate limits off",
        "## Resource scan at a 50% share",
        "## Okta's Python SDK",
        "## The brief's six queries",
        "## System Log pipeline",
        "## Lag under load",
    ] {
        assert!(markdown.contains(title), "{title} missing from:\n{markdown}");
    }
    assert!(markdown.contains("Quick run"));
    assert!(String::from_utf8_lossy(&output.stdout).contains("## Lag under load"), "the report is printed too");
}
