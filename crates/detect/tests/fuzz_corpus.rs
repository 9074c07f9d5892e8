//! The Sigma fuzz corpus (`fuzz/corpus/sigma/`) through what the fuzz target runs: load each file
//! as a rule file and evaluate what loads over a few Okta events. Nothing may panic.

use activity::Source;
use detect::event::Observed;
use detect::sigma::SigmaRules;
use detect::testing::{okta, stored};
use std::path::Path;

#[test]
fn the_sigma_corpus_passes() {
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
    let rows: Vec<_> = events.iter().enumerate().map(|(i, e)| stored(Source::Okta, e.json(), i as i64 + 1)).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/sigma");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())) {
        count += 1;
        let Ok(text) = String::from_utf8(std::fs::read(entry.unwrap().path()).unwrap()) else { continue };
        let load = SigmaRules::from_yaml("fuzz.yml", &text);
        for problem in load.errors.iter().chain(&load.warnings) {
            assert!(!problem.reason.is_empty());
        }
        let mut rules = load.rules;
        let mut signals = Vec::new();
        for row in &rows {
            rules.observe(&Observed::new(row), &mut signals);
        }
    }
    assert!(count > 0, "{} is empty", dir.display());
}
