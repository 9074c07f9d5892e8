//! Users' Sigma rules, loaded from YAML and run by the engine over Okta events built with the
//! test harness (which runs the real normaliser). Every rule here is written for these tests.

use detect::sigma::{SigmaKind, SigmaLoad, SigmaRules};
use detect::testing::{Harness, OktaEvent, okta};
use detect::{DetectionSettings, Engine, Entity, Severity, Signal};
use std::path::Path;
use std::time::Duration;

/// Loads `yaml`, insisting it loads cleanly.
fn load(yaml: &str) -> SigmaRules {
    let SigmaLoad { rules, errors, warnings } = SigmaRules::from_yaml("test.yml", yaml);
    assert!(errors.is_empty() && warnings.is_empty(), "unexpected load errors: {errors:#?} {warnings:#?}");
    rules
}

/// An engine running only these Sigma rules (every built-in rule off).
fn harness(rules: SigmaRules) -> Harness {
    let settings = DetectionSettings {
        disabled: detect::rules::catalogue().iter().map(|r| r.info.id.to_string()).collect(),
        ..DetectionSettings::default()
    };
    let mut h = Harness::all(settings.clone());
    h.engine = Engine::new(&settings).unwrap().with_sigma(rules);
    h
}

fn run(yaml: &str, events: impl IntoIterator<Item = OktaEvent>) -> Vec<Signal> {
    let mut h = harness(load(yaml));
    for e in events {
        h.feed(e);
    }
    h.signals().to_vec()
}

const MFA_RESET_LOWERCASE: &str = r#"
title: MFA factors removed from an account
id: 3f0c9a52-7d1e-4c6b-9a55-0b8e6f1d2a01
status: experimental
description: Someone reset or deactivated the MFA factors of an account, leaving it protected by its password alone.
author: Sightline tests
logsource:
    product: okta
    service: okta
detection:
    selection:
        eventtype:
            - user.mfa.factor.reset_all
            - user.mfa.factor.deactivate
    condition: selection
falsepositives:
    - Help desk resets after a lost phone
level: medium
tags:
    - attack.persistence
    - attack.t1556.006
"#;

#[test]
fn lower_case_field_names_match_okta_camel_case() {
    let signals = run(
        MFA_RESET_LOWERCASE,
        [
            okta("user.mfa.factor.deactivate").actor("Admin@Example.com").target("User", "00ubob", "bob@example.com"),
            okta("user.session.start").actor("alice@example.com"),
            okta("user.mfa.factor.reset_all").actor("helpdesk@example.com"),
        ],
    );
    assert_eq!(signals.len(), 2, "{signals:#?}");
    let s = &signals[0];
    assert_eq!(s.rule_id, "sigma.3f0c9a52-7d1e-4c6b-9a55-0b8e6f1d2a01");
    assert_eq!(s.title, "MFA factors removed from an account");
    assert_eq!(s.severity, Severity::Medium);
    assert_eq!(s.seq, 1);
    assert_eq!(s.group_window, Duration::from_secs(3600));
    assert_eq!(s.finding.entity, Entity::new("user", "admin@example.com"));
    assert_eq!(s.finding.events, vec![1]);
    assert_eq!(s.finding.actor_id.as_deref(), Some("00uAdmin"));
    let details = &s.finding.details;
    assert_eq!(details["file"], "test.yml");
    assert_eq!(details["attack"], serde_json::json!(["T1556.006"]));
    assert_eq!(details["tags"][0], "attack.persistence");
    assert_eq!(details["matched_fields"][0]["value"], "user.mfa.factor.deactivate", "{details}");
    assert_eq!(signals[1].seq, 3);
}

const OUTSIDE_ADMIN_CAMEL_CASE: &str = r#"
title: Admin role granted to a contractor account outside France
id: 0d9b6e1a-5f3c-4b8e-a2d7-6c4f1e9b3a02
logsource:
    product: okta
    service: okta
detection:
    selection:
        eventType: user.account.privilege.grant
        target.alternateId|endswith: '@contractor.example'
    filter_home:
        client.geographicalContext.country: France
    condition: selection and not filter_home
level: high
"#;

#[test]
fn camel_case_nested_fields_target_array_and_filter() {
    let grant = || okta("user.account.privilege.grant").actor("root@example.com");
    let signals = run(
        OUTSIDE_ADMIN_CAMEL_CASE,
        [
            // The second target matches: any member of the array counts.
            grant()
                .target("User", "00uc1", "Carol@Contractor.example")
                .target("Role", "ra1", "Super administrator")
                .place("Berlin", "Germany", 52.5, 13.4),
            // Filtered out: granted from France.
            grant().target("User", "00uc2", "dan@contractor.example"),
            // No contractor target.
            grant().target("User", "00ue", "erin@example.com").place("Berlin", "Germany", 52.5, 13.4),
        ],
    );
    assert_eq!(signals.iter().map(|s| s.seq).collect::<Vec<_>>(), vec![1], "{signals:#?}");
    assert_eq!(signals[0].severity, Severity::High);
    assert_eq!(signals[0].finding.entity, Entity::new("user", "root@example.com"));
}

#[test]
fn contains_lists_and_debug_data_in_any_case() {
    let yaml = r#"
title: Users listed through the API with a token
logsource:
    product: okta
detection:
    selection_uri:
        debugcontext.debugdata.requesturi|contains:
            - '/api/v1/users'
            - '/api/v1/groups'
    selection_client:
        Client.UserAgent.RawUserAgent|contains: 'python-requests'
    condition: all of selection_*
level: low
"#;
    let list = |uri: &str, ua: &str| okta("user.read").actor("svc@example.com").debug("requestUri", uri).user_agent(ua);
    let signals = run(
        yaml,
        [
            list("/api/v1/users?limit=200", "python-requests/2.32"),
            list("/api/v1/apps", "python-requests/2.32"),
            list("/api/v1/groups/00g1/users", "Mozilla/5.0"),
            list("/API/V1/GROUPS", "Python-Requests/2.0"),
        ],
    );
    assert_eq!(signals.iter().map(|s| s.seq).collect::<Vec<_>>(), vec![1, 4], "{signals:#?}");
    // No id: the file stem names it.
    assert_eq!(signals[0].rule_id, "sigma.test");
    assert_eq!(signals[0].severity, Severity::Low);
}

const FAILED_SIGN_IN_BURST: &str = r#"
title: Failed Okta sign-in
id: sightline-test-failed-sign-in
name: failed_sign_in
logsource:
    product: okta
    service: okta
detection:
    selection:
        eventtype: user.session.start
        outcome.result: FAILURE
    condition: selection
level: low
---
title: Repeated failed sign-ins for one account
id: sightline-test-failed-sign-in-burst
correlation:
    type: event_count
    rules:
        - failed_sign_in
    group-by:
        - actor.alternateid
    timespan: 10m
    condition:
        gte: 5
level: high
tags:
    - attack.credential-access
    - attack.t1110.001
"#;

fn failed(login: &str, second: i64) -> OktaEvent {
    okta("user.session.start").actor(login).failure("INVALID_CREDENTIALS").seconds(second)
}

#[test]
fn event_count_correlation_fires_at_the_threshold() {
    let rules = load(FAILED_SIGN_IN_BURST);
    assert_eq!(rules.horizon(), Duration::from_secs(600));
    let mut h = harness(rules);
    for i in 0..4 {
        h.feed(failed("alice@example.com", i * 60));
        // Another account's failures are counted apart.
        h.feed(failed("bob@example.com", i * 60 + 1));
    }
    // The referenced rule raises nothing on its own (`generate` is false by default).
    assert!(h.signals().is_empty(), "fired at 4: {:#?}", h.signals());
    h.feed(failed("alice@example.com", 300));
    let signals = h.signals();
    assert_eq!(signals.len(), 1, "{signals:#?}");
    let s = &signals[0];
    assert_eq!(s.rule_id, "sigma.sightline-test-failed-sign-in-burst");
    assert_eq!(s.severity, Severity::High);
    assert_eq!(s.seq, 9);
    assert_eq!(s.group_window, Duration::from_secs(600));
    assert_eq!(s.finding.entity, Entity::new("user", "alice@example.com"));
    assert_eq!(s.finding.events, vec![1, 3, 5, 7, 9]);
    assert_eq!(s.finding.actor_id.as_deref(), Some("00ualice"));
    assert_eq!(s.finding.details["correlation_type"], "event_count");
    assert_eq!(s.finding.details["group_by"]["actor.alternateId"], "alice@example.com");
    assert_eq!(s.finding.details["aggregated_value"], 5.0);
    assert_eq!(s.finding.details["attack"], serde_json::json!(["T1110.001"]));

    // A sixth failure joins with only itself; bob reaches 5 later and fires for himself.
    h.feed(failed("alice@example.com", 320));
    h.feed(failed("bob@example.com", 330));
    let signals = h.signals();
    assert_eq!(signals.len(), 3, "{signals:#?}");
    assert_eq!(signals[1].finding.events, vec![10]);
    assert_eq!(signals[2].finding.entity, Entity::new("user", "bob@example.com"));
    assert_eq!(signals[2].finding.events, vec![2, 4, 6, 8, 11]);
}

#[test]
fn event_count_correlation_forgets_failures_outside_its_timespan() {
    let signals = run(FAILED_SIGN_IN_BURST, (0..5).map(|i| failed("alice@example.com", i * 200)));
    assert!(signals.is_empty(), "5 failures over 13 minutes: {signals:#?}");
}

#[test]
fn value_count_and_temporal_correlations() {
    let yaml = r#"
title: Okta sign-in
name: okta_sign_in
logsource:
    product: okta
detection:
    selection:
        eventType: user.session.start
    condition: selection
---
title: MFA factor deactivated
name: mfa_deactivated
logsource:
    product: okta
detection:
    selection:
        eventType: user.mfa.factor.deactivate
    condition: selection
---
title: One account signing in from three countries within an hour
name: many_countries
correlation:
    type: value_count
    rules:
        - okta_sign_in
    group-by:
        - actor.alternateId
    timespan: 1h
    condition:
        field: client.geographicalcontext.country
        gte: 3
level: medium
---
title: MFA removed and a sign-in by the same actor within 15 minutes
correlation:
    type: temporal
    rules:
        - okta_sign_in
        - mfa_deactivated
    group-by:
        - actor.alternateId
    timespan: 15m
level: critical
"#;
    let rules = load(yaml);
    assert_eq!(rules.len(), 4);
    assert_eq!(rules.horizon(), Duration::from_secs(3600));
    let sign_in = |country: &str, minute: i64| {
        okta("user.session.start").actor("alice@example.com").place("X", country, 0.0, 0.0).minute(minute)
    };
    let signals = run(
        yaml,
        [
            sign_in("France", 0),
            sign_in("France", 5),
            sign_in("Spain", 10),
            okta("user.mfa.factor.deactivate").actor("alice@example.com").minute(20),
            // Past the temporal window of the MFA change, within the hour of the others.
            sign_in("Brazil", 40),
        ],
    );
    let fired: Vec<(&str, i64)> = signals.iter().map(|s| (s.title.as_str(), s.seq)).collect();
    assert_eq!(
        fired,
        vec![
            ("MFA removed and a sign-in by the same actor within 15 minutes", 4),
            ("One account signing in from three countries within an hour", 5),
        ],
        "{signals:#?}"
    );
    assert_eq!(signals[0].severity, Severity::Critical);
    // No ids: the file stem, numbered after the first (the two detection rules took 1 and 2).
    assert_eq!(signals[0].rule_id, "sigma.test.4");
    assert_eq!(signals[0].group_window, Duration::from_secs(900));
    assert_eq!(signals[1].rule_id, "sigma.test.3");
    assert_eq!(signals[1].finding.events, vec![1, 2, 3, 5]);
}

#[test]
fn filters_exclude_from_the_rules_they_name() {
    let yaml = format!(
        r#"{MFA_RESET_LOWERCASE}
---
title: The help desk resets factors all day
logsource:
    product: okta
filter:
    rules:
        - 3f0c9a52-7d1e-4c6b-9a55-0b8e6f1d2a01
    helpdesk:
        actor.alternateid|startswith: 'helpdesk'
    condition: not helpdesk
"#
    );
    let signals = run(
        &yaml,
        [
            okta("user.mfa.factor.reset_all").actor("helpdesk@example.com"),
            okta("user.mfa.factor.reset_all").actor("mallory@example.com"),
        ],
    );
    assert_eq!(signals.iter().map(|s| s.seq).collect::<Vec<_>>(), vec![2], "{signals:#?}");
}

#[test]
fn only_okta_events_are_evaluated() {
    let yaml = r#"
title: Any event whose action is a webhook creation
detection:
    keywords:
        - 'hook.create'
    condition: keywords
"#;
    let mut h = harness(load(yaml));
    let github =
        serde_json::json!({"actor": "cat", "action": "hook.create", "org": "my-org", "created_at": 1709288100000i64});
    h.feed_raw(activity::Source::Github, &github);
    assert!(h.signals().is_empty(), "{:#?}", h.signals());
    h.feed(okta("hook.create").actor("alice@example.com"));
    assert_eq!(h.signals().len(), 1);
}

#[test]
fn broken_rules_are_reported_and_the_rest_load() {
    let yaml = r#"
title: Unknown modifier
logsource:
    product: okta
detection:
    selection:
        eventType|containz: session
    condition: selection
---
title: No detection
logsource:
    product: okta
level: low
---
title: A Windows rule
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\cmd.exe'
    condition: selection
---
title: Condition names a missing selection
logsource:
    product: okta
detection:
    selection:
        eventType: user.session.start
    condition: selection and not filter
---
title: Counts a rule nobody wrote
correlation:
    type: event_count
    rules:
        - no-such-rule
    group-by:
        - actor.alternateId
    timespan: 5m
    condition:
        gte: 2
---
title: Fine
id: sightline-test-fine
logsource:
    product: okta
detection:
    selection:
        eventType: user.session.start
    condition: selection
level: informational
"#;
    let SigmaLoad { rules, errors, .. } = SigmaRules::from_yaml("mixed.yml", yaml);
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(rules.len(), 1, "{text:#?}");
    assert_eq!(rules.rules()[0].id, "sigma.sightline-test-fine");
    assert_eq!(rules.rules()[0].level, Severity::Info);
    assert!(text.iter().all(|e| e.starts_with("mixed.yml: ")), "{text:#?}");
    let has = |needle: &str| text.iter().any(|e| e.contains(needle));
    assert!(has("containz"), "{text:#?}");
    assert!(has("detection"), "{text:#?}");
    assert!(has("A Windows rule") && has("`windows`"), "{text:#?}");
    assert!(has("Condition names a missing selection"), "{text:#?}");
    assert!(has("Counts a rule nobody wrote") && has("no-such-rule"), "{text:#?}");
    assert_eq!(errors.len(), 5, "{text:#?}");
}

#[test]
fn ignored_parts_are_warnings_and_the_rule_loads() {
    let yaml = "title: Odd level\nlogsource:\n    product: okta\ndetection:\n    selection:\n        eventType: \
                user.session.start\n    condition: selection\nlevel: severe\n";
    let SigmaLoad { rules, errors, warnings } = SigmaRules::from_yaml("odd.yml", yaml);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules.rules()[0].level, Severity::Medium);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(warnings[0].to_string().starts_with("odd.yml: invalid level"), "{}", warnings[0]);
}

#[test]
fn bad_yaml_is_reported() {
    let SigmaLoad { rules, errors, .. } = SigmaRules::from_yaml("bad.yml", "title: [unclosed\ndetection: {");
    assert!(rules.is_empty());
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].file, Path::new("bad.yml"));
}

#[test]
fn a_directory_with_one_broken_file_loads_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("okta/identity")).unwrap();
    std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
    std::fs::write(root.join("okta/mfa_reset.yml"), MFA_RESET_LOWERCASE).unwrap();
    std::fs::write(root.join("okta/identity/failed_burst.yaml"), FAILED_SIGN_IN_BURST).unwrap();
    std::fs::write(
        root.join("okta/broken.yml"),
        "title: Broken\nlogsource:\n    product: okta\ndetection:\n    selection:\n        eventType|bogus: x\n    \
         condition: selection\n",
    )
    .unwrap();
    std::fs::write(root.join("okta/README.md"), "not a rule").unwrap();
    std::fs::write(root.join(".github/workflows/ci.yml"), "on: push\n").unwrap();

    let SigmaLoad { rules, errors, .. } = SigmaRules::load_dir(root);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].file, root.join("okta/broken.yml"));
    assert!(errors[0].reason.contains("bogus"), "{}", errors[0]);
    assert!(errors[0].to_string().starts_with(&format!("{}: ", root.join("okta/broken.yml").display())));

    let listed: Vec<(&str, SigmaKind, &Path)> =
        rules.rules().iter().map(|r| (r.title.as_str(), r.kind, r.file.as_path())).collect();
    assert_eq!(
        listed,
        vec![
            ("Failed Okta sign-in", SigmaKind::Detection, root.join("okta/identity/failed_burst.yaml").as_path()),
            ("MFA factors removed from an account", SigmaKind::Detection, root.join("okta/mfa_reset.yml").as_path()),
            (
                "Repeated failed sign-ins for one account",
                SigmaKind::Correlation,
                root.join("okta/identity/failed_burst.yaml").as_path()
            ),
        ]
    );

    let mut h = harness(rules);
    h.feed(okta("user.mfa.factor.reset_all").actor("helpdesk@example.com"));
    for i in 0..5 {
        h.feed(failed("alice@example.com", i * 10));
    }
    let fired: Vec<&str> = h.signals().iter().map(|s| s.rule_id.as_str()).collect();
    assert_eq!(fired, vec!["sigma.3f0c9a52-7d1e-4c6b-9a55-0b8e6f1d2a01", "sigma.sightline-test-failed-sign-in-burst"]);
    assert_eq!(h.signals()[0].finding.details["file"], root.join("okta/mfa_reset.yml").display().to_string());
}

#[test]
fn a_missing_directory_is_reported() {
    let SigmaLoad { rules, errors, .. } = SigmaRules::load_dir(Path::new("/nonexistent/sigma-rules"));
    assert!(rules.is_empty());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].file, Path::new("/nonexistent/sigma-rules"));
}

#[test]
fn duplicate_ids_are_reported() {
    let yaml = format!("{MFA_RESET_LOWERCASE}\n---\n{MFA_RESET_LOWERCASE}");
    let SigmaLoad { rules, errors, .. } = SigmaRules::from_yaml("dup.yml", &yaml);
    assert_eq!(rules.len(), 1);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].reason.contains("already used"), "{}", errors[0]);
}

/// Twenty rules of the usual shapes over a stream of ordinary sign-ins and admin events, on one
/// core. Run with `cargo test --release -p detect --test sigma -- --ignored --nocapture`.
#[test]
#[ignore = "a speed measurement, not a check"]
fn evaluation_speed() {
    let mut yaml = String::new();
    let types = [
        "user.mfa.factor.deactivate",
        "user.mfa.factor.reset_all",
        "user.account.privilege.grant",
        "system.api_token.create",
        "policy.lifecycle.update",
        "policy.rule.delete",
        "application.policy.sign_on.deny_access",
        "user.session.impersonation.grant",
        "system.idp.lifecycle.create",
        "zone.update",
    ];
    for (i, t) in types.iter().enumerate() {
        yaml.push_str(&format!(
            "title: rule {i}\nid: speed-{i}\nlogsource:\n    product: okta\n    service: okta\ndetection:\n    selection:\n        \
             eventtype: {t}\n    filter:\n        actor.alternateid|endswith: '@trusted.example'\n    condition: selection and \
             not filter\nlevel: high\n---\n"
        ));
    }
    for i in 0..5 {
        yaml.push_str(&format!(
            "title: contains {i}\nid: speed-c{i}\nlogsource:\n    product: okta\ndetection:\n    selection:\n        \
             displaymessage|contains: 'suspicious {i}'\n        client.geographicalcontext.country:\n            - North \
             Korea\n            - Iran\n    condition: selection\n---\n"
        ));
    }
    for i in 0..3 {
        yaml.push_str(&format!(
            "title: target {i}\nid: speed-t{i}\nlogsource:\n    product: okta\ndetection:\n    selection:\n        \
             target.alternateid|startswith: 'breakglass{i}'\n        eventType|startswith: 'group.user_membership'\n    \
             condition: selection\n---\n"
        ));
    }
    yaml.push_str(FAILED_SIGN_IN_BURST);
    let SigmaLoad { rules, errors, .. } = SigmaRules::from_yaml("speed.yml", &yaml);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(rules.len(), 20);

    let kinds =
        ["user.session.start", "user.authentication.sso", "user.authentication.auth_via_mfa", "app.oauth2.token.grant"];
    // Ten events a second from 500 users; ten of them are being guessed (every sign-in fails), and
    // one event in a thousand is an MFA deactivation.
    let rows: Vec<store::StoredEvent> = (0..20_000)
        .map(|i| {
            let user = i % 500;
            let kind = if i % 1000 == 999 { "user.mfa.factor.deactivate" } else { kinds[i % kinds.len()] };
            let mut e = okta(kind).actor(&format!("user{user}@example.com")).seconds(i as i64 / 10).target(
                "AppInstance",
                "0oa1",
                "Salesforce",
            );
            if user < 10 {
                e = okta("user.session.start")
                    .actor(&format!("user{user}@example.com"))
                    .seconds(i as i64 / 10)
                    .failure("INVALID_CREDENTIALS");
            }
            detect::testing::stored(activity::Source::Okta, e.json(), i as i64 + 1)
        })
        .collect();

    // Each measurement is the best of five passes (each with fresh rule state), to see past a busy
    // machine. "Warm": each event evaluated right after it is parsed, as the engine does (the
    // parse, shared with the built-in rules, timed apart and subtracted). "Cold": all events
    // parsed first, so each evaluation starts from an event out of the CPU caches.
    let best = |mut pass: Box<dyn FnMut() -> usize>| {
        let mut best = Duration::MAX;
        let mut signals = 0;
        for _ in 0..5 {
            let start = std::time::Instant::now();
            signals = pass();
            best = best.min(start.elapsed());
        }
        (best, signals)
    };
    let (parse, _) = best(Box::new(|| {
        rows.iter()
            .map(|row| usize::from(std::hint::black_box(detect::event::Observed::new(row).raw()).is_object()))
            .sum()
    }));
    let (parse_and_eval, signals) = best(Box::new(|| {
        let mut rules = SigmaRules::from_yaml("speed.yml", &yaml).rules;
        let mut out = Vec::new();
        for row in &rows {
            rules.observe(&detect::event::Observed::new(row), &mut out);
        }
        out.len()
    }));
    let observed: Vec<detect::event::Observed<'_>> = rows.iter().map(detect::event::Observed::new).collect();
    for o in &observed {
        o.raw();
    }
    let (cold, cold_signals) = best(Box::new(|| {
        let mut rules = SigmaRules::from_yaml("speed.yml", &yaml).rules;
        let mut out = Vec::new();
        for o in &observed {
            rules.observe(o, &mut out);
        }
        out.len()
    }));
    assert_eq!(signals, cold_signals);
    drop(rules);
    let n = rows.len() as f64;
    let per_event = |d: Duration| d.as_secs_f64() * 1e6 / n;
    let warm = parse_and_eval.saturating_sub(parse);
    println!(
        "20 Sigma rules over {} events, {signals} signals: evaluation {:.2} µs/event warm ({:.0} events/s), {:.2} \
         µs/event cold ({:.0} events/s); JSON parsing {:.2} µs/event; parsing and evaluation {:.0} events/s",
        rows.len(),
        per_event(warm),
        n / warm.as_secs_f64(),
        per_event(cold),
        n / cold.as_secs_f64(),
        per_event(parse),
        n / parse_and_eval.as_secs_f64(),
    );
}
