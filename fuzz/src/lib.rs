//! Shared harness code of the fuzz targets.

use activity::Source;
use serde_json::value::RawValue;

/// One audit source's input, as `sightline ingest` and the pollers read it: framing (JSON lines,
/// arrays, CloudTrail's `{"Records": [...]}`, gzip) and normalisation of every record, and the
/// whole input as one record through `normalize`. Every error must have a message.
pub fn activity(source: Source, data: &[u8]) {
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

/// A Sigma rule file as `[detections] sigma_dir` loads it, then evaluated over a few Okta events
/// (detection and correlation paths). Every error must have a message.
pub fn sigma(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let load = detect::sigma::SigmaRules::from_yaml("fuzz.yml", text);
    for problem in load.errors.iter().chain(&load.warnings) {
        assert!(!problem.reason.is_empty());
    }
    let mut rules = load.rules;
    if rules.is_empty() {
        return;
    }
    let _ = rules.horizon();
    let mut signals = Vec::new();
    for row in SAMPLE_EVENTS.iter() {
        rules.observe(&detect::event::Observed::new(row), &mut signals);
    }
}

static SAMPLE_EVENTS: std::sync::LazyLock<Vec<store::StoredEvent>> = std::sync::LazyLock::new(|| {
    use detect::testing::okta;
    let events = [
        okta("user.session.start").actor("ann@acme.example").ip("198.51.100.7").failure("INVALID_CREDENTIALS"),
        okta("user.session.start").actor("ann@acme.example").ip("198.51.100.7").minute(1),
        okta("user.mfa.okta_verify.deny_push").actor("bob@acme.example").minute(2),
        okta("user.account.privilege.grant")
            .actor("root@acme.example")
            .target("User", "00u1", "ann@acme.example")
            .debug("privilegeGranted", "Super administrator")
            .minute(3),
    ];
    events.iter().enumerate().map(|(i, e)| detect::testing::stored(Source::Okta, e.json(), i as i64 + 1)).collect()
});
