//! The built-in rules against the simulator: every attack scenario, staged inside benign
//! workforce traffic, raises the detections its ground truth names and nothing it does not
//! allow; benign traffic alone raises nothing.

use chrono::{DateTime, Duration, Utc};
use detect::testing::{Harness, TestDirectory, stored};
use detect::{DetectionSettings, Signal, UserFacts};
use okta_sim::activity::{ActivityGenerator, GeneratedEvent, GroundTruth, Scenario};
use okta_sim::org::{self, Org, OrgParams, Principal, RoleKind};
use std::collections::{BTreeSet, HashMap, HashSet};

/// People in the simulated org.
const USERS: usize = 1_000;
/// Benign events per minute: about three times the simulator's default for this many users, so
/// the traffic is dense enough to trip thresholds that are too low.
const EVENTS_PER_MINUTE: f64 = 40.0;
/// Seeds each scenario is staged with.
const SEEDS: [u64; 2] = [1, 7];

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-02T08:00:00Z").unwrap().with_timezone(&Utc)
}

/// Graph facts as a scan of the org would give them: each user's login, creation, last sign-in
/// and admin roles.
fn directory(org: &Org) -> TestDirectory {
    let mut roles: HashMap<usize, Vec<String>> = HashMap::new();
    for assignment in &org.role_assignments {
        let label = match assignment.role {
            RoleKind::Standard(kind) => kind.to_string(),
            RoleKind::Custom { role, .. } => format!("custom role {role}"),
        };
        let holders: Vec<usize> = match assignment.principal {
            Principal::User(u) => vec![u],
            Principal::Group(g) => org.group_members.get(g).cloned().unwrap_or_default(),
            Principal::Client(_) => vec![],
        };
        for u in holders {
            roles.entry(u).or_default().push(label.clone());
        }
    }
    let mut directory = TestDirectory::default();
    for (index, user) in org.users.iter().enumerate() {
        let facts = UserFacts {
            login: user.profile.login.clone(),
            created: Some(user.created),
            last_login: user.last_login,
            admin_roles: roles.remove(&index).unwrap_or_default(),
            apps_reached: 0,
        };
        directory.users.insert(user.id.clone(), facts);
    }
    directory
}

/// Runs every rule over `events` in `published` order; returns the signals and, by `seq`, the
/// uuid of each event fed.
fn run(directory: TestDirectory, mut events: Vec<GeneratedEvent>) -> (Vec<Signal>, HashMap<i64, String>) {
    events.sort_by_key(|e| e.published);
    let mut harness = Harness::all(DetectionSettings::default());
    harness.directory = directory;
    let mut uuids = HashMap::new();
    let mut signals = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let seq = i as i64 + 1;
        let row = stored(activity::Source::Okta, &e.event, seq);
        uuids.insert(seq, row.uuid.clone());
        harness.engine.observe(&row, &harness.directory, &mut signals);
    }
    (signals, uuids)
}

fn describe(signals: &[&Signal]) -> String {
    signals
        .iter()
        .map(|s| format!("{} [{}] {}", s.rule_id, s.finding.entity, s.finding.summary))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Stages `scenario` two hours into benign traffic and checks the signals on its events.
fn check(scenario: Scenario, seed: u64) -> Result<(), String> {
    let mut org = org::generate(&OrgParams::sized(USERS, seed, start()));
    let directory = directory(&org);
    let mut generator = ActivityGenerator::new(seed);
    let attack_at = start() + Duration::hours(2);
    let mut events = generator.benign(&mut org, start(), attack_at, EVENTS_PER_MINUTE).events;
    let (attack, truth): (_, GroundTruth) = generator.scenario(&mut org, scenario, attack_at);
    events.extend(attack.events);
    events.extend(generator.benign(&mut org, attack_at, attack_at + Duration::hours(1), EVENTS_PER_MINUTE).events);

    let (signals, uuids) = run(directory, events);
    let scenario_events: HashSet<&str> = truth.event_uuids.iter().map(String::as_str).collect();
    let on_scenario: Vec<&Signal> =
        signals.iter().filter(|s| uuids.get(&s.seq).is_some_and(|u| scenario_events.contains(u.as_str()))).collect();
    let fired: BTreeSet<&str> = on_scenario.iter().map(|s| s.rule_id.as_str()).collect();
    let name = scenario.name();
    for wanted in &truth.detections {
        if !fired.contains(wanted) {
            return Err(format!("{name} (seed {seed}): {wanted} did not fire; fired:\n{}", describe(&on_scenario)));
        }
    }
    let allowed: BTreeSet<&str> = truth.detections.iter().chain(&truth.may_also_fire).copied().collect();
    let unexpected: Vec<&Signal> =
        on_scenario.iter().copied().filter(|s| !allowed.contains(s.rule_id.as_str())).collect();
    if !unexpected.is_empty() {
        return Err(format!("{name} (seed {seed}) raised what it should not:\n{}", describe(&unexpected)));
    }
    Ok(())
}

/// One test per scenario (run in parallel), each over every seed, and the list of those covered.
macro_rules! scenario_tests {
    ($($test:ident => $scenario:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                let failures: Vec<String> =
                    SEEDS.into_iter().filter_map(|seed| check(Scenario::$scenario, seed).err()).collect();
                assert!(failures.is_empty(), "{}", failures.join("\n\n"));
            }
        )*
        const COVERED: &[Scenario] = &[$(Scenario::$scenario),*];
    };
}

scenario_tests! {
    password_spray => PasswordSpray,
    brute_force => BruteForce,
    credential_stuffing => CredentialStuffing,
    mfa_push_bombing => MfaPushBombing,
    admin_role_granted_to_fresh_account => AdminRoleGrantedToFreshAccount,
    api_token_created => ApiTokenCreated,
    support_impersonation => SupportImpersonation,
    policy_rule_deleted => PolicyRuleDeleted,
    idp_added => IdpAdded,
    impossible_travel => ImpossibleTravel,
    session_roaming => SessionRoaming,
}

#[test]
fn every_simulator_scenario_has_a_test() {
    let covered: HashSet<Scenario> = COVERED.iter().copied().collect();
    let all: HashSet<Scenario> = Scenario::ALL.into_iter().collect();
    assert_eq!(covered, all);
}

#[test]
fn hours_of_benign_traffic_raise_nothing() {
    for seed in SEEDS {
        let mut org = org::generate(&OrgParams::sized(USERS, seed, start()));
        let directory = directory(&org);
        let mut generator = ActivityGenerator::new(seed);
        let events = generator.benign(&mut org, start(), start() + Duration::hours(8), EVENTS_PER_MINUTE).events;
        assert!(events.len() > 15_000, "only {} events", events.len());
        let (signals, _) = run(directory, events);
        let all: Vec<&Signal> = signals.iter().collect();
        assert!(all.is_empty(), "seed {seed}: benign traffic raised\n{}", describe(&all));
    }
}
