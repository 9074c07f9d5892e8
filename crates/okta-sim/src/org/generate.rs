//! The seeded synthetic org: a company with departments, people, groups, apps, admins and tokens.
//!
//! [`generate`] is a pure function of [`OrgParams`]: the same seed and the same `now` give the same
//! org, field for field, and every timestamp is an offset back from `now`. Each phase (people,
//! groups, apps, ...) draws from its own ChaCha stream of the seed, so asking for more apps does not
//! reshuffle the people.
//!
//! Landmarks the server, the activity generator and tests may rely on:
//! - `users[0]` is the org's super admin `admin@<domain>` (ACTIVE, unrestricted `SUPER_ADMIN`);
//!   `users[1]` is the CEO, to whom the department heads report.
//! - `groups[0]` is the BUILT_IN "Everyone" group; then one OKTA_GROUP per department (named like
//!   the department), "IT Help Desk" (holds HELP_DESK_ADMIN), "Security Operations" (holds
//!   READ_ONLY_ADMIN), "Contractors", the project and team groups, and last the APP_GROUPs imported
//!   from Active Directory.
//! - The apps open with the core apps in a fixed order (Slack, Zoom, Microsoft 365, Active
//!   Directory, "Sightline Collector", ...), which between them use every sign-on mode; then
//!   well-known SaaS apps; then generated internal tools.
//! - The service app labelled "Sightline Collector" holds READ_ONLY_ADMIN. `oauth_clients` stays
//!   empty: the server registers clients, with fresh keys, at runtime.
//!
//! The work is linear in users plus memberships: in a release build a 100k-user org takes about
//! half a second and a 300k-user org under two.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::TimeDelta;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

use super::geo::LOCATIONS;
use super::ids::{alnum, okta_id};
use super::model::{
    AdGroupProfile, ApiToken, App, AppDetails, AppGroupAssignment, AppUserAssignment, CustomRole, Factor, Group,
    GroupOwner, GroupType, Org, OwnerKind, Principal, ResourceRef, ResourceSet, ResourceSetResource, RoleAssignment,
    RoleKind, RoleTarget, SignOnMode, Ts, User, UserProfile, UserStatus,
};
use tables::*;

/// What to generate.
///
/// Every org keeps its landmarks, so `users` is raised to at least 2 (the admin and the CEO),
/// `groups` to [`MIN_GROUPS`] and `apps` to [`MIN_APPS`].
#[derive(Debug, Clone)]
pub struct OrgParams {
    /// Seed of every random choice.
    pub seed: u64,
    pub users: usize,
    pub groups: usize,
    pub apps: usize,
    /// The instant the org is seen at: every timestamp lies before it.
    pub now: Ts,
    /// Whether the org has Identity Governance (and so group owners).
    pub governance: bool,
}

/// Fewest groups an org gets: Everyone, the departments, the three special groups, and a few
/// project and Active Directory groups.
pub const MIN_GROUPS: usize = 24;

/// Fewest apps an org gets: the core apps, which cover every sign-on mode.
pub const MIN_APPS: usize = 14;

impl OrgParams {
    /// An org of `users` people with groups and apps in the proportions of real orgs: a group per
    /// 25 people (at least [`MIN_GROUPS`], at most 20,000), and two dozen apps (even small
    /// companies run that many) plus one per 40 people, at most 400; with Identity Governance.
    pub fn sized(users: usize, seed: u64, now: Ts) -> OrgParams {
        OrgParams {
            seed,
            users,
            groups: (users / 25).clamp(MIN_GROUPS, 20_000),
            apps: (24 + users / 40).clamp(MIN_APPS, 400),
            now,
            governance: true,
        }
    }
}

/// Generates the whole org described by `params`.
pub fn generate(params: &OrgParams) -> Org {
    let company = Company::new(params);
    let layout = GroupLayout::new(params.groups.max(MIN_GROUPS));
    let (users, people) = generate_people(params, &company);
    let groups = generate_groups(params, &company, &layout);
    let group_members = generate_memberships(params, &layout, &users, &people);
    let (apps, plans) = generate_apps(params, &company);
    let (app_user_assignments, app_group_assignments) =
        generate_assignments(params, &layout, &users, &people, &groups, &apps, &plans);
    let factors = generate_factors(params, &users);
    let admin_grants = generate_roles(params, &company, &layout, &users, &people, &groups, &apps, &plans);
    let api_tokens = generate_api_tokens(params, &company, &users, &admin_grants.assignments);
    let group_owners = generate_group_owners(params, &layout, &users, &groups, &group_members);

    Org {
        org_id: company.org_id,
        company: company.name,
        email_domain: company.domain,
        created: company.created,
        users,
        groups,
        apps,
        group_members,
        group_owners,
        app_user_assignments,
        app_group_assignments,
        factors,
        role_assignments: admin_grants.assignments,
        custom_roles: admin_grants.custom_roles,
        resource_sets: admin_grants.resource_sets,
        api_tokens,
        oauth_clients: Vec::new(),
        has_governance: params.governance,
    }
}

// ---------------------------------------------------------------------------------------------
// Randomness and time
// ---------------------------------------------------------------------------------------------

/// The generation phases. Each draws from its own stream of the seed, so that a change in one
/// phase's size (more apps) leaves the others' draws (the people) as they were.
#[derive(Clone, Copy)]
enum Phase {
    Company = 1,
    People,
    Groups,
    Memberships,
    Apps,
    Assignments,
    Factors,
    Roles,
    Tokens,
    Owners,
}

fn phase_rng(seed: u64, phase: Phase) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(phase as u64);
    rng
}

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

/// A uniformly random instant in `[from, to]`, in whole seconds (so that every timestamp keeps
/// `now`'s sub-second part and ordering survives millisecond rendering); `from` when the range is
/// empty.
fn between(rng: &mut impl Rng, from: Ts, to: Ts) -> Ts {
    let span = (to - from).num_seconds();
    if span <= 0 { from } else { from + secs(rng.random_range(0..=span)) }
}

/// An index drawn with the given relative weights.
fn weighted_index(rng: &mut impl Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if roll < w {
            return i;
        }
        roll -= w;
    }
    weights.len() - 1
}

fn weighted<T: Copy>(rng: &mut impl Rng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|c| c.1).sum();
    let mut roll = rng.random_range(0..total);
    for &(item, w) in choices {
        if roll < w {
            return item;
        }
        roll -= w;
    }
    choices[choices.len() - 1].0
}

fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// An index into `range` biased towards its start, so that some groups are big and most small,
/// as in real orgs.
fn skewed(rng: &mut impl Rng, range: &Range<usize>) -> usize {
    let len = range.len();
    let x: f64 = rng.random();
    range.start + ((x * x * len as f64) as usize).min(len - 1)
}

fn profile_map(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs.iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect()
}

fn gone(user: &User) -> bool {
    user.deleted || user.status == UserStatus::Deprovisioned
}

// ---------------------------------------------------------------------------------------------
// The company
// ---------------------------------------------------------------------------------------------

/// Org-wide facts every phase needs.
struct Company {
    org_id: String,
    name: String,
    /// Lowercase short name: `acme`.
    slug: &'static str,
    /// `acme.example`
    domain: String,
    /// `corp.acme.example`: the Active Directory domain, also the AD users' provider name.
    ad_domain: String,
    /// `DC=corp,DC=acme,DC=example`
    ad_base_dn: String,
    /// `S-1-5-21-a-b-c`: the domain part of every AD object SID.
    ad_sid_domain: String,
    /// When Active Directory was connected: the AD app's creation, before any AD group's.
    ad_connected: Ts,
    created: Ts,
    now: Ts,
    /// The default user type (`oty...`) every user has.
    user_type_id: String,
    /// Network zones (`nzo...`) that API tokens may be restricted to.
    zones: Vec<String>,
}

impl Company {
    fn new(params: &OrgParams) -> Company {
        let mut rng = phase_rng(params.seed, Phase::Company);
        let &(name, slug) = pick(&mut rng, COMPANIES);
        let now = params.now;
        let created = now - secs(rng.random_range(3 * 365 * DAY..8 * 365 * DAY));
        let ad_connected = created + secs(rng.random_range(DAY..30 * DAY));
        let sid = |rng: &mut ChaCha8Rng| rng.random_range(1_000_000_000u32..4_000_000_000);
        let ad_sid_domain = format!("S-1-5-21-{}-{}-{}", sid(&mut rng), sid(&mut rng), sid(&mut rng));
        Company {
            org_id: okta_id("00o", &mut rng),
            name: name.to_string(),
            slug,
            domain: format!("{slug}.example"),
            ad_domain: format!("corp.{slug}.example"),
            ad_base_dn: format!("DC=corp,DC={slug},DC=example"),
            ad_sid_domain,
            ad_connected,
            created,
            now,
            user_type_id: okta_id("oty", &mut rng),
            zones: (0..3).map(|_| okta_id("nzo", &mut rng)).collect(),
        }
    }

    /// Fills `{org}` and `{domain}` into a URL template.
    fn fill(&self, template: &str) -> String {
        if template.contains('{') {
            template.replace("{org}", self.slug).replace("{domain}", &self.domain)
        } else {
            template.to_string()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------------------

/// Facts about a user the later phases need and the Okta user object doesn't hold as such.
struct Person {
    department: usize,
    from_ad: bool,
    contractor: bool,
}

const ADMIN: usize = 0;
const CEO: usize = 1;

/// Share of each status among the workforce (in basis points), as seen in real orgs.
const STATUS_MIX: [(UserStatus, u32); 8] = [
    (UserStatus::Active, 8_500),
    (UserStatus::Deprovisioned, 400),
    (UserStatus::Suspended, 200),
    (UserStatus::Staged, 250),
    (UserStatus::Provisioned, 250),
    (UserStatus::LockedOut, 100),
    (UserStatus::PasswordExpired, 150),
    (UserStatus::Recovery, 150),
];

fn generate_people(params: &OrgParams, company: &Company) -> (Vec<User>, Vec<Person>) {
    let mut rng = phase_rng(params.seed, Phase::People);
    let n = params.users.max(2);
    let statuses = plan_statuses(&mut rng, n);
    let books: Vec<NameBook> = CULTURES.iter().map(NameBook::new).collect();
    let culture_weights: Vec<u32> = CULTURES.iter().map(|c| c.weight).collect();
    let department_weights: Vec<u32> = DEPARTMENTS.iter().map(|d| d.weight).collect();

    let mut users = Vec::with_capacity(n);
    let mut people = Vec::with_capacity(n);
    let mut logins: HashMap<(&str, &str), u32> = HashMap::with_capacity(n);
    // Per department, its head and the people who manage others: new hires report to one of them,
    // so the org chart is a tree rooted at the CEO. A department has a head once this is non-empty.
    let mut managers: Vec<Vec<usize>> = vec![Vec::new(); DEPARTMENTS.len()];

    users.push(super_admin(&mut rng, company));
    people.push(Person { department: IT, from_ad: false, contractor: false });

    for (i, &status) in statuses.iter().enumerate().skip(1) {
        let (department, title, manager) = if i == CEO {
            (OPS, "Chief Executive Officer", None)
        } else {
            let d = weighted_index(&mut rng, &department_weights);
            let dept = &DEPARTMENTS[d];
            if managers[d].is_empty() {
                managers[d].push(i);
                (d, dept.head_title, Some(CEO))
            } else {
                let manager = *pick(&mut rng, &managers[d]);
                if rng.random_bool(0.12) {
                    managers[d].push(i);
                    (d, dept.manager_title, Some(manager))
                } else {
                    (d, *pick(&mut rng, dept.titles), Some(manager))
                }
            }
        };
        let manages_people = managers[department].last() == Some(&i) || i == CEO;

        // Whoever manages people is an employee.
        let user_type = if manages_people {
            "Employee"
        } else {
            weighted(&mut rng, &[("Employee", 88), ("Contractor", 10), ("Intern", 2)])
        };
        let contractor = user_type == "Contractor";
        let title =
            if user_type == "Intern" { format!("{} Intern", DEPARTMENTS[department].name) } else { title.to_string() };
        let (provider_type, provider_name) = if i == CEO {
            ("OKTA", "OKTA".to_string())
        } else {
            match rng.random_range(0..100) {
                0..45 => ("ACTIVE_DIRECTORY", company.ad_domain.clone()),
                45..47 => ("FEDERATION", "FEDERATION".to_string()),
                47..48 => ("IMPORT", "IMPORT".to_string()),
                _ => ("OKTA", "OKTA".to_string()),
            }
        };

        let book = &books[weighted_index(&mut rng, &culture_weights)];
        let given = pick(&mut rng, &book.given);
        let family = pick(&mut rng, &book.family);
        let display_name = if book.family_first {
            format!("{}{}", family.display, given.display)
        } else if let Some(nick) = given.nickname.filter(|_| rng.random_bool(0.15)) {
            format!("{} \"{nick}\" {}", given.display, family.display)
        } else {
            format!("{} {}", given.display, family.display)
        };
        let local = unique_local_part(&mut logins, &given.login, &family.login);
        let login = format!("{local}@{}", company.domain);
        // Some contractors keep their agency's address.
        let email = if contractor && rng.random_bool(0.35) {
            format!("{local}@{}", pick(&mut rng, CONTRACTOR_AGENCIES))
        } else {
            login.clone()
        };

        let home = weighted_index(&mut rng, &OFFICE_WEIGHTS);
        let hired = hire_time(&mut rng, company, i, n);
        // Okta learns of AD users when they are imported, so not before AD was connected.
        let created =
            if provider_type == "ACTIVE_DIRECTORY" { hired.max(company.ad_connected + secs(HOUR)) } else { hired };
        let t = timeline(&mut rng, status, created, company.now, provider_type == "OKTA" || provider_type == "IMPORT");

        let mut custom = Map::new();
        custom.insert("costCenter".into(), Value::String(DEPARTMENTS[department].cost_center.into()));
        // Free-text custom attributes hold whatever people type, markup included.
        if rng.random_bool(0.003) {
            custom.insert("nickname".into(), Value::String(pick(&mut rng, MARKUP_NICKNAMES).to_string()));
        }

        let employee_number = if contractor { format!("C{:06}", 10_000 + i) } else { format!("{}", 100_000 + i) };
        users.push(User {
            id: okta_id("00u", &mut rng),
            status,
            created: t.created,
            activated: t.activated,
            status_changed: t.status_changed,
            last_login: t.last_login,
            last_updated: t.last_updated,
            password_changed: t.password_changed,
            type_id: company.user_type_id.clone(),
            profile: UserProfile {
                login,
                email,
                first_name: given.display.to_string(),
                last_name: family.display.to_string(),
                display_name: Some(display_name),
                title: Some(title),
                department: Some(DEPARTMENTS[department].name.to_string()),
                employee_number: Some(employee_number),
                manager_id: manager.map(|m: usize| users[m].id.clone()),
                city: Some(LOCATIONS[home].city.to_string()),
                country_code: Some(LOCATIONS[home].country_code.to_string()),
                user_type: Some(user_type.to_string()),
                custom,
            },
            provider_type,
            provider_name,
            home_location: home,
            deleted: false,
        });
        people.push(Person { department, from_ad: provider_type == "ACTIVE_DIRECTORY", contractor });
    }
    (users, people)
}

/// The statuses of all users: the admin and the CEO active, the rest drawn from [`STATUS_MIX`];
/// from 200 users on, every status appears at least once (a drawn ACTIVE user takes each missing
/// one).
fn plan_statuses(rng: &mut ChaCha8Rng, n: usize) -> Vec<UserStatus> {
    let mut statuses = Vec::with_capacity(n);
    statuses.extend([UserStatus::Active, UserStatus::Active].iter().take(n));
    let mut seen = [false; UserStatus::ALL.len()];
    seen[status_slot(UserStatus::Active)] = true;
    for _ in statuses.len()..n {
        let status = weighted(rng, &STATUS_MIX);
        seen[status_slot(status)] = true;
        statuses.push(status);
    }
    if n >= 200 {
        for status in UserStatus::ALL {
            if seen[status_slot(status)] {
                continue;
            }
            loop {
                let i = rng.random_range(2..n);
                if statuses[i] == UserStatus::Active {
                    statuses[i] = status;
                    break;
                }
            }
        }
    }
    statuses
}

fn status_slot(status: UserStatus) -> usize {
    UserStatus::ALL.iter().position(|&s| s == status).expect("ALL lists every status")
}

fn super_admin(rng: &mut ChaCha8Rng, company: &Company) -> User {
    let created = company.created;
    let activated = created + secs(rng.random_range(MINUTE..HOUR));
    let now = company.now;
    let login = format!("admin@{}", company.domain);
    let password_changed = between(rng, now - secs(80 * DAY), now - secs(DAY));
    User {
        id: okta_id("00u", rng),
        status: UserStatus::Active,
        created,
        activated: Some(activated),
        status_changed: Some(activated),
        last_login: Some(between(rng, now - secs(2 * DAY), now)),
        last_updated: between(rng, password_changed, now),
        password_changed: Some(password_changed),
        type_id: company.user_type_id.clone(),
        profile: UserProfile {
            email: login.clone(),
            login,
            first_name: "Org".into(),
            last_name: "Administrator".into(),
            display_name: Some("Org Administrator".into()),
            title: Some("Okta Administrator".into()),
            department: Some(DEPARTMENTS[IT].name.into()),
            employee_number: None,
            manager_id: None,
            city: Some(LOCATIONS[0].city.into()),
            country_code: Some(LOCATIONS[0].country_code.into()),
            user_type: Some("Employee".into()),
            custom: Map::new(),
        },
        provider_type: "OKTA",
        provider_name: "OKTA".into(),
        home_location: 0,
        deleted: false,
    }
}

/// `first.last`, or `first.last2`, `first.last3`... when taken. Name parts hold neither digits nor
/// dots, so the pair identifies the login and a numbered login never collides with a plain one.
fn unique_local_part<'a>(taken: &mut HashMap<(&'a str, &'a str), u32>, given: &'a str, family: &'a str) -> String {
    let count = taken.entry((given, family)).or_insert(0);
    *count += 1;
    if *count > 1 { format!("{given}.{family}{count}") } else { format!("{given}.{family}") }
}

/// When user `i` of `n` joined: the org grows steadily from its creation to two hours ago, with
/// a few weeks of jitter, so low indices are old hands and managers predate their reports.
fn hire_time(rng: &mut ChaCha8Rng, company: &Company, i: usize, n: usize) -> Ts {
    let first = company.created + secs(HOUR);
    let last = company.now - secs(2 * HOUR);
    let span = (last - first).num_seconds();
    let jitter = span / 40;
    let offset = (span as f64 * i as f64 / n as f64) as i64 + rng.random_range(-jitter..=jitter);
    first + secs(offset.clamp(0, span))
}

struct Timeline {
    created: Ts,
    activated: Option<Ts>,
    status_changed: Option<Ts>,
    last_login: Option<Ts>,
    last_updated: Ts,
    password_changed: Option<Ts>,
}

/// Lifecycle timestamps consistent with `status`: created < activated <= statusChanged <= now,
/// never-activated users (STAGED, PROVISIONED) have not signed in, and people who left or got
/// locked out last signed in before that happened. `password_in_okta` is false for users whose
/// password lives in AD or a federated IdP.
fn timeline(rng: &mut ChaCha8Rng, status: UserStatus, created: Ts, now: Ts, password_in_okta: bool) -> Timeline {
    let mut t = Timeline {
        created,
        activated: None,
        status_changed: None,
        last_login: None,
        last_updated: created,
        password_changed: None,
    };
    match status {
        UserStatus::Staged => t.last_updated = between(rng, created, (created + secs(DAY)).min(now)),
        UserStatus::Provisioned => {
            let changed = between(rng, created + secs(MINUTE), (created + secs(2 * DAY)).min(now));
            t.status_changed = Some(changed);
            t.last_updated = changed;
        }
        _ => {
            let activated = between(rng, created + secs(MINUTE), (created + secs(7 * DAY)).min(now));
            let since = |window: i64| activated.max(now - secs(window));
            let changed = match status {
                // Most active users were never anything else; some came back from a suspension.
                UserStatus::Active if rng.random_bool(0.1) => between(rng, activated, now),
                UserStatus::Active => activated,
                UserStatus::LockedOut => between(rng, since(3 * DAY), now),
                UserStatus::Recovery => between(rng, since(14 * DAY), now),
                UserStatus::PasswordExpired => between(rng, since(45 * DAY), now),
                UserStatus::Suspended => between(rng, since(180 * DAY), now),
                _ => between(rng, activated, now),
            };
            t.activated = Some(activated);
            t.status_changed = Some(changed);
            let dormant_before = now - secs(91 * DAY);
            t.last_login = if status == UserStatus::Active {
                match rng.random_range(0..100) {
                    // Activated but never signed in.
                    0..3 => None,
                    // Dormant accounts: a standing risk Sightline should surface.
                    3..13 if activated < dormant_before => Some(between(rng, activated, dormant_before)),
                    _ => Some(between(rng, since(14 * DAY), now)),
                }
            } else if rng.random_bool(0.9) {
                Some(between(rng, activated, changed))
            } else {
                None
            };
            if password_in_okta {
                let until = if status == UserStatus::Active { now } else { changed };
                t.password_changed = Some(between(rng, activated, until));
            }
            let latest = t.password_changed.map_or(changed, |p| p.max(changed));
            t.last_updated = between(rng, latest, (latest + secs(30 * DAY)).min(now));
        }
    }
    t
}

/// A name as displayed and as it appears in logins.
struct Name {
    display: &'static str,
    /// Lowercase ASCII.
    login: String,
    /// What colleagues call them, shown in quotes in some display names.
    nickname: Option<&'static str>,
}

impl Name {
    /// Parses `Display[|login][~Nick]`. Without an explicit login, the display form minus
    /// anything but ASCII letters and hyphens, lowercased (O'Brien → obrien).
    fn parse(spec: &'static str) -> Name {
        let (rest, nickname) = match spec.split_once('~') {
            Some((rest, nick)) => (rest, Some(nick)),
            None => (spec, None),
        };
        let (display, login) = match rest.split_once('|') {
            Some((display, login)) => (display, login.to_string()),
            None => (
                rest,
                rest.chars().filter(|c| c.is_ascii_alphabetic() || *c == '-').map(|c| c.to_ascii_lowercase()).collect(),
            ),
        };
        Name { display, login, nickname }
    }
}

/// A culture's names, parsed once per generation.
struct NameBook {
    given: Vec<Name>,
    family: Vec<Name>,
    family_first: bool,
}

impl NameBook {
    fn new(culture: &Culture) -> NameBook {
        NameBook {
            given: culture.given.iter().map(|s| Name::parse(s)).collect(),
            family: culture.family.iter().map(|s| Name::parse(s)).collect(),
            family_first: culture.family_first,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Groups and memberships
// ---------------------------------------------------------------------------------------------

const EVERYONE: usize = 0;

/// Where each kind of group sits in `org.groups`.
struct GroupLayout {
    total: usize,
    departments: Range<usize>,
    help_desk: usize,
    security_ops: usize,
    contractors: usize,
    projects: Range<usize>,
    /// Groups imported from Active Directory; the first is the Okta app admins' group.
    ad: Range<usize>,
}

impl GroupLayout {
    fn new(total: usize) -> GroupLayout {
        let departments = 1..1 + DEPARTMENTS.len();
        let help_desk = departments.end;
        let security_ops = help_desk + 1;
        let contractors = security_ops + 1;
        let first_free = contractors + 1;
        let free = total - first_free;
        let ad_count = (free * 2 / 5).max(2);
        let projects = first_free..total - ad_count;
        GroupLayout { total, departments, help_desk, security_ops, contractors, projects, ad: total - ad_count..total }
    }

    fn department(&self, d: usize) -> usize {
        self.departments.start + d
    }

    /// The AD group holding APP_ADMIN: kept out of random memberships so it stays small.
    fn ad_admins(&self) -> usize {
        self.ad.start
    }

    /// AD groups people join at random.
    fn ad_open(&self) -> Range<usize> {
        self.ad.start + 1..self.ad.end
    }

    /// OKTA_GROUPs: everything but Everyone and the AD groups.
    fn okta_groups(&self) -> Range<usize> {
        self.departments.start..self.projects.end
    }
}

fn generate_groups(params: &OrgParams, company: &Company, layout: &GroupLayout) -> Vec<Group> {
    let mut rng = phase_rng(params.seed, Phase::Groups);
    let now = company.now;
    let mut groups = Vec::with_capacity(layout.total);

    groups.push(Group {
        id: okta_id("00g", &mut rng),
        created: company.created,
        last_updated: company.created,
        last_membership_updated: between(&mut rng, now - secs(DAY), now),
        group_type: GroupType::BuiltIn,
        name: "Everyone".into(),
        description: Some("All users in your organization".into()),
        source_app: None,
        ad: None,
        deleted: false,
    });
    let early = company.created + secs(30 * DAY);
    for dept in DEPARTMENTS {
        let created = between(&mut rng, company.created, early);
        let description = format!("Everyone in the {} department", dept.name);
        groups.push(okta_group(&mut rng, now, created, dept.name.into(), Some(description)));
    }
    for (name, description) in [
        ("IT Help Desk", "Tier 1 and tier 2 support staff: Help Desk Administrators for the departments"),
        ("Security Operations", "Security operations center: read-only administrators"),
        ("Contractors", "Contingent workers and vendor staff"),
    ] {
        let created = between(&mut rng, company.created, early + secs(180 * DAY));
        groups.push(okta_group(&mut rng, now, created, name.into(), Some(description.into())));
    }

    let mut taken: HashSet<String> = HashSet::with_capacity(layout.total);
    for k in 0..layout.projects.len() {
        let created = between(&mut rng, company.created, now - secs(DAY));
        let (name, description) = match SPECIAL_PROJECT_GROUPS.get(k) {
            Some(&(name, description)) => (name.to_string(), Some(description.to_string())),
            None => {
                let name = unique_name(&mut taken, project_group_name(&mut rng), " ");
                let description = match rng.random_range(0..10) {
                    0..4 => None,
                    4..8 => Some(format!("Members of {name}")),
                    _ => Some(format!("{name}: owners approve access requests")),
                };
                (name, description)
            }
        };
        groups.push(okta_group(&mut rng, now, created, name, description));
    }

    for k in 0..layout.ad.len() {
        groups.push(ad_group(&mut rng, company, &mut taken, k));
    }
    groups
}

fn okta_group(rng: &mut ChaCha8Rng, now: Ts, created: Ts, name: String, description: Option<String>) -> Group {
    Group {
        id: okta_id("00g", rng),
        created,
        last_updated: between(rng, created, now),
        last_membership_updated: between(rng, created, now),
        group_type: GroupType::OktaGroup,
        name,
        description,
        source_app: None,
        ad: None,
        deleted: false,
    }
}

/// `name`, or `name<sep>2`, `name<sep>3`... when taken.
fn unique_name(taken: &mut HashSet<String>, name: String, sep: &str) -> String {
    if !taken.contains(&name) {
        taken.insert(name.clone());
        return name;
    }
    let mut n = 2;
    loop {
        let candidate = format!("{name}{sep}{n}");
        if !taken.contains(&candidate) {
            taken.insert(candidate.clone());
            return candidate;
        }
        n += 1;
    }
}

/// "Project Atlas", "Payments On-Call", "Team Nova - EMEA"...
fn project_group_name(rng: &mut ChaCha8Rng) -> String {
    let base = if rng.random_bool(0.6) {
        format!("{} {}", pick(rng, PROJECT_KINDS), pick(rng, CODENAMES))
    } else {
        format!("{} {}", pick(rng, FUNCTIONS), pick(rng, FUNCTION_SUFFIXES))
    };
    if rng.random_bool(0.4) { format!("{base} - {}", pick(rng, QUALIFIERS)) } else { base }
}

/// The `k`th group imported from Active Directory, named by common AD conventions.
fn ad_group(rng: &mut ChaCha8Rng, company: &Company, taken: &mut HashSet<String>, k: usize) -> Group {
    let dept = rng.random_range(0..DEPARTMENTS.len());
    let (sam, ou, scope, kind, description) = match k {
        0 => (
            "GG_Okta_AppAdmins".to_string(),
            "OU=Admin Groups,OU=Groups",
            "Global",
            "Security",
            "Okta application administrators".to_string(),
        ),
        1 => ("GG_VPN_Users".to_string(), "OU=Groups", "Global", "Security", "Remote access VPN users".to_string()),
        _ => {
            let resource = pick(rng, AD_RESOURCES);
            let short = DEPARTMENTS[dept].short;
            match rng.random_range(0..10) {
                0..5 => {
                    let access = if rng.random_bool(0.5) { "RW" } else { "RO" };
                    let name = unique_name(taken, format!("GG_{short}_{resource}_{access}"), "_");
                    let description =
                        format!("{} access to {resource} for {}", access_words(access), DEPARTMENTS[dept].name);
                    (name, "OU=Groups", "Global", "Security", description)
                }
                5..8 => {
                    let access = if rng.random_bool(0.5) { "Modify" } else { "Read" };
                    let name = unique_name(taken, format!("DL_{resource}_{short}_{access}"), "_");
                    let description = format!("{access} permission on {resource} resources");
                    (name, "OU=Resource Groups,OU=Groups", "DomainLocal", "Security", description)
                }
                _ => {
                    let office = pick(rng, OFFICE_CODES);
                    let name = unique_name(taken, format!("DL-{short}-{office}"), "-");
                    let description = format!("{} staff in {office} (mail)", DEPARTMENTS[dept].name);
                    (name, "OU=Distribution Lists", "Universal", "Distribution", description)
                }
            }
        }
    };
    let created = between(rng, company.ad_connected, company.now - secs(DAY));
    let guid: [u8; 16] = rng.random();
    // RIDs grow with creation order in AD; a small random gap mimics other objects in between.
    let rid = 1_104 + 3 * k + rng.random_range(0..3);
    Group {
        id: okta_id("00g", rng),
        created,
        last_updated: between(rng, created, company.now),
        last_membership_updated: between(rng, created, company.now),
        group_type: GroupType::AppGroup,
        name: sam.clone(),
        description: Some(description),
        source_app: Some(ACTIVE_DIRECTORY_APP),
        ad: Some(AdGroupProfile {
            dn: format!("CN={sam},{ou},{}", company.ad_base_dn),
            external_id: BASE64.encode(guid),
            windows_domain_qualified_name: format!("CORP\\{sam}"),
            sam_account_name: sam,
            group_scope: scope,
            group_type: kind,
            object_sid: format!("{}-{rid}", company.ad_sid_domain),
        }),
        deleted: false,
    }
}

fn access_words(code: &str) -> &'static str {
    if code == "RW" { "Read/write" } else { "Read-only" }
}

/// Who is in which group: everyone not deprovisioned in Everyone and their department's group,
/// some in project groups, AD users in some AD groups. Users are visited in index order, so each
/// member list comes out sorted, and a user's repeat pick of a group is always the list's last
/// entry.
fn generate_memberships(
    params: &OrgParams,
    layout: &GroupLayout,
    users: &[User],
    people: &[Person],
) -> Vec<Vec<usize>> {
    let mut rng = phase_rng(params.seed, Phase::Memberships);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); layout.total];
    members[EVERYONE].reserve(users.len());
    let ad_open = layout.ad_open();

    for (u, (user, person)) in users.iter().zip(people).enumerate() {
        if gone(user) {
            continue;
        }
        let join = |members: &mut Vec<Vec<usize>>, g: usize| {
            if members[g].last() != Some(&u) {
                members[g].push(u);
            }
        };
        join(&mut members, EVERYONE);
        join(&mut members, layout.department(person.department));
        let help_desk_share = match person.department {
            IT => 0.1,
            SUP => 0.01,
            _ => 0.0,
        };
        if help_desk_share > 0.0 && rng.random_bool(help_desk_share) {
            join(&mut members, layout.help_desk);
        }
        if person.department == SEC && rng.random_bool(0.25) {
            join(&mut members, layout.security_ops);
        }
        if person.contractor {
            join(&mut members, layout.contractors);
        }
        let projects = weighted(&mut rng, &[(0, 15), (1, 35), (2, 30), (3, 15), (4, 5)]);
        for _ in 0..projects {
            let g = skewed(&mut rng, &layout.projects);
            join(&mut members, g);
        }
        if person.from_ad {
            if !ad_open.is_empty() {
                for _ in 0..rng.random_range(1..=4) {
                    let g = skewed(&mut rng, &ad_open);
                    join(&mut members, g);
                }
            }
            if person.department == IT && rng.random_bool(0.3) {
                join(&mut members, layout.ad_admins());
            }
        }
    }

    // Tiny orgs may have drawn nobody into the role-bearing groups; a role on an empty group
    // shows nothing, so seat someone from the right department (or the admin).
    for (group, department) in [(layout.help_desk, IT), (layout.security_ops, SEC)] {
        if members[group].is_empty() {
            let seat = members[layout.department(department)].first().copied().unwrap_or(ADMIN);
            members[group].push(seat);
        }
    }
    members
}

// ---------------------------------------------------------------------------------------------
// Apps
// ---------------------------------------------------------------------------------------------

/// What the later phases need to know about an app beyond the Okta object.
struct AppPlan {
    audience: Audience,
    /// Standard admin role a service app holds.
    admin_role: Option<&'static str>,
    /// Whether Okta provisions accounts into it (direct assignments carry an external id).
    provisioning: bool,
}

fn generate_apps(params: &OrgParams, company: &Company) -> (Vec<App>, Vec<AppPlan>) {
    let mut rng = phase_rng(params.seed, Phase::Apps);
    let total = params.apps.max(MIN_APPS);
    let mut apps = Vec::with_capacity(total);
    let mut plans = Vec::with_capacity(total);
    let now = company.now;

    for (k, spec) in CORE_APPS.iter().chain(EXTRA_APPS).take(total).enumerate() {
        let created = if spec.audience == Audience::Directory {
            company.ad_connected
        } else if spec.label == COLLECTOR_LABEL {
            // Sightline is the newest integration.
            now - secs(rng.random_range(DAY..30 * DAY))
        } else if k < CORE_APPS.len() {
            between(&mut rng, company.created + secs(DAY), company.created + secs(120 * DAY))
        } else {
            between(&mut rng, company.created + secs(DAY), now - secs(DAY))
        };
        let active = match spec.lifecycle {
            Lifecycle::Active => true,
            Lifecycle::Inactive => false,
            Lifecycle::Varies => !rng.random_bool(0.1),
        };
        let label = spec.label.replace("{company}", &company.name);
        let name =
            if spec.name.is_empty() { custom_app_name(company.slug, &label, spec.mode) } else { spec.name.to_string() };
        let url = company.fill(spec.url);
        let audience = company.fill(spec.audience_uri);
        let app = build_app(
            &mut rng,
            company,
            AppShape { label, name, mode: spec.mode, oidc_type: spec.oidc_type, url, audience, created, active },
        );
        apps.push(app);
        plans.push(AppPlan { audience: spec.audience, admin_role: spec.admin_role, provisioning: spec.provisioning });
    }

    // Internal tools fill the rest: "Grafana (prod)", "Vault (staging)"...
    let fixed = apps.len();
    for k in 0..total - fixed {
        let tool = TOOLS[k % TOOLS.len()];
        let env = ENVIRONMENTS[(k / TOOLS.len()) % ENVIRONMENTS.len()];
        let round = k / (TOOLS.len() * ENVIRONMENTS.len());
        let label = if round == 0 { format!("{tool} ({env})") } else { format!("{tool} ({env}) {}", round + 1) };
        let mode = weighted(&mut rng, TOOL_MODES);
        let oidc_type = if mode == SignOnMode::OpenIdConnect {
            weighted(&mut rng, &[("web", 70), ("browser", 20), ("native", 10)])
        } else {
            ""
        };
        let host = format!("{}.{env}.{}", slug(tool), company.domain);
        let created = between(&mut rng, company.created + secs(DAY), now - secs(DAY));
        let shape = AppShape {
            name: custom_app_name(company.slug, &label, mode),
            label,
            mode,
            oidc_type,
            url: format!("https://{host}/"),
            audience: format!("https://{host}/saml/metadata"),
            created,
            active: !rng.random_bool(0.1),
        };
        apps.push(build_app(&mut rng, company, shape));
        plans.push(AppPlan { audience: Audience::Internal, admin_role: None, provisioning: false });
    }
    (apps, plans)
}

/// The resolved facts of one app, catalog-made or generated.
struct AppShape {
    label: String,
    name: String,
    mode: SignOnMode,
    oidc_type: &'static str,
    url: String,
    audience: String,
    created: Ts,
    active: bool,
}

fn build_app(rng: &mut ChaCha8Rng, company: &Company, shape: AppShape) -> App {
    let id = okta_id("0oa", rng);
    let details = match shape.mode {
        SignOnMode::Saml11 | SignOnMode::Saml20 | SignOnMode::WsFederation => {
            AppDetails::Federation { sso_url: shape.url, audience: shape.audience, signing_kid: alnum(43, rng) }
        }
        // An OIDC app's client id is its app id.
        SignOnMode::OpenIdConnect => oidc_details(id.clone(), shape.oidc_type, &shape.url, company.slug),
        SignOnMode::BasicAuth if shape.name == "active_directory" => {
            AppDetails::Directory { domain: company.ad_domain.clone() }
        }
        _ => AppDetails::Url { url: shape.url },
    };
    App {
        id,
        name: shape.name,
        label: shape.label,
        active: shape.active,
        sign_on_mode: shape.mode,
        created: shape.created,
        last_updated: between(rng, shape.created, company.now),
        details,
        deleted: false,
    }
}

fn oidc_details(client_id: String, application_type: &'static str, url: &str, org_slug: &str) -> AppDetails {
    let base = url.trim_end_matches('/');
    let (token_endpoint_auth_method, grant_types, redirect_uris) = match application_type {
        // API service apps: client credentials signed with the app's key (Okta's default).
        "service" => ("private_key_jwt", vec!["client_credentials"], Vec::new()),
        "browser" => ("none", vec!["authorization_code"], vec![format!("{base}/login/callback")]),
        "native" => {
            ("none", vec!["authorization_code", "refresh_token"], vec![format!("com.{org_slug}.mobile:/callback")])
        }
        _ => (
            "client_secret_basic",
            vec!["authorization_code", "refresh_token"],
            vec![format!("{base}/authorization-code/callback")],
        ),
    };
    AppDetails::Oidc {
        client_id,
        application_type,
        token_endpoint_auth_method,
        grant_types,
        redirect_uris,
        dpop_bound_access_tokens: application_type == "service",
    }
}

/// The catalog key Okta gives an app made from a template or with the integration wizard.
fn custom_app_name(org_slug: &str, label: &str, mode: SignOnMode) -> String {
    match mode {
        SignOnMode::Bookmark => "bookmark".into(),
        SignOnMode::BasicAuth => "template_basic_auth".into(),
        SignOnMode::SecurePasswordStore => "template_sps".into(),
        SignOnMode::BrowserPlugin => "template_swa".into(),
        SignOnMode::WsFederation => "template_wsfed".into(),
        SignOnMode::OpenIdConnect => "oidc_client".into(),
        SignOnMode::Saml11 | SignOnMode::Saml20 | SignOnMode::AutoLogin => format!("{org_slug}_{}_1", slug(label)),
    }
}

/// Lowercase ASCII letters and digits of `s`.
fn slug(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

// ---------------------------------------------------------------------------------------------
// App assignments
// ---------------------------------------------------------------------------------------------

type Assignments = (Vec<Vec<AppUserAssignment>>, Vec<Vec<AppGroupAssignment>>);

fn generate_assignments(
    params: &OrgParams,
    layout: &GroupLayout,
    users: &[User],
    people: &[Person],
    groups: &[Group],
    apps: &[App],
    plans: &[AppPlan],
) -> Assignments {
    let mut rng = phase_rng(params.seed, Phase::Assignments);
    let now = params.now;
    let mut by_group: Vec<Vec<AppGroupAssignment>> = Vec::with_capacity(apps.len());
    let pool: Vec<usize> = layout.projects.clone().chain(layout.ad_open()).collect();

    for (a, (app, plan)) in apps.iter().zip(plans).enumerate() {
        let mut targets: Vec<(usize, Option<usize>)> = match plan.audience {
            Audience::Everyone => vec![(EVERYONE, None)],
            Audience::Departments(departments) => {
                departments.iter().map(|&d| (layout.department(d), Some(d))).collect()
            }
            Audience::HelpDesk => {
                vec![(layout.help_desk, None), (layout.department(IT), Some(IT)), (layout.department(SUP), Some(SUP))]
            }
            Audience::Internal => {
                let count = weighted(&mut rng, &[(0, 15), (1, 45), (2, 25), (3, 15)]);
                let mut picked: Vec<(usize, Option<usize>)> = Vec::with_capacity(count);
                for _ in 0..count {
                    let g = *pick(&mut rng, &pool);
                    if !picked.iter().any(|&(p, _)| p == g) {
                        picked.push((g, None));
                    }
                }
                picked
            }
            Audience::Directory | Audience::Service => Vec::new(),
        };
        // Org-wide apps are often granted to a project group as well, with other settings.
        if a == SLACK_APP && !layout.projects.is_empty() {
            targets.push((layout.projects.start, None));
        }
        let assignments = targets
            .into_iter()
            .enumerate()
            .map(|(priority, (g, department))| AppGroupAssignment {
                group: g,
                last_updated: between(&mut rng, app.created.max(groups[g].created), now),
                priority: priority as i64,
                profile: group_assignment_profile(&app.name, department),
            })
            .collect();
        by_group.push(assignments);
    }

    // Direct assignments. Users are visited in index order, so a repeat pick of an app by the same
    // user is always the last entry of that app's list.
    let mut by_user: Vec<Vec<AppUserAssignment>> = (0..apps.len()).map(|_| Vec::new()).collect();
    let assignable: Vec<usize> =
        (0..apps.len()).filter(|&a| !matches!(plans[a].audience, Audience::Directory | Audience::Service)).collect();
    let department_apps: Vec<Vec<usize>> = (0..DEPARTMENTS.len())
        .map(|d| {
            (0..apps.len())
                .filter(|&a| matches!(plans[a].audience, Audience::Departments(ds) if ds.contains(&d)))
                .collect()
        })
        .collect();
    by_user[ACTIVE_DIRECTORY_APP].reserve(people.iter().filter(|p| p.from_ad).count());

    let assign = |rng: &mut ChaCha8Rng,
                  by_user: &mut Vec<Vec<AppUserAssignment>>,
                  u: usize,
                  a: usize,
                  profile: Map<String, Value>| {
        if by_user[a].last().is_some_and(|last| last.user == u) {
            return;
        }
        let created = between(rng, users[u].created.max(apps[a].created), now);
        let provisioned = plans[a].provisioning;
        by_user[a].push(AppUserAssignment {
            user: u,
            created,
            last_updated: between(rng, created, now),
            status: if provisioned { "PROVISIONED" } else { "ACTIVE" },
            sync_state: weighted(rng, &[("SYNCHRONIZED", 92), ("OUT_OF_SYNC", 4), ("ERROR", 2), ("SYNCING", 2)]),
            external_id: provisioned.then(|| alnum(11, rng)),
            profile,
        });
    };

    // The admin holds the keys to the cloud and the code.
    assign(&mut rng, &mut by_user, ADMIN, AWS_APP, profile_map(&[("role", "AdministratorAccess")]));
    assign(&mut rng, &mut by_user, ADMIN, GITHUB_APP, profile_map(&[("role", "owner")]));

    for (u, (user, person)) in users.iter().zip(people).enumerate().skip(1) {
        if gone(user) {
            continue;
        }
        // Users imported from AD are the directory app's users, keyed by their objectGUID.
        if person.from_ad {
            let guid: [u8; 16] = rng.random();
            let local = user.profile.login.split('@').next().unwrap_or_default();
            let sam = &local[..local.len().min(20)];
            let created = user.created.max(apps[ACTIVE_DIRECTORY_APP].created);
            by_user[ACTIVE_DIRECTORY_APP].push(AppUserAssignment {
                user: u,
                created,
                last_updated: between(&mut rng, created, now),
                status: "ACTIVE",
                sync_state: "SYNCHRONIZED",
                external_id: Some(BASE64.encode(guid)),
                profile: profile_map(&[("samAccountName", sam), ("userPrincipalName", &user.profile.login)]),
            });
        }
        if !rng.random_bool(0.06) {
            continue;
        }
        for _ in 0..rng.random_range(1..=2) {
            let own = &department_apps[person.department];
            let a = if !own.is_empty() && rng.random_bool(0.6) {
                *pick(&mut rng, own)
            } else {
                *pick(&mut rng, &assignable)
            };
            let profile = direct_assignment_profile(&mut rng, &apps[a].name);
            assign(&mut rng, &mut by_user, u, a, profile);
        }
    }
    (by_user, by_group)
}

/// The app attributes a group grants, by app and the group's department.
fn group_assignment_profile(app_name: &str, department: Option<usize>) -> Map<String, Value> {
    match (app_name, department) {
        ("amazon_aws_sso", Some(d)) => profile_map(&[(
            "role",
            match d {
                SEC => "SecurityAudit",
                IT => "AdministratorAccess",
                _ => "Developer",
            },
        )]),
        ("salesforce", Some(d)) => profile_map(&[
            ("licenseType", if d == SLS { "Full" } else { "Platform" }),
            ("profile", if d == SLS { "Sales User" } else { "Support User" }),
        ]),
        ("githubcloud", Some(d)) => profile_map(&[("role", if d == SEC { "security_manager" } else { "member" })]),
        ("office365", _) => {
            let mut profile = profile_map(&[("usageLocation", "US")]);
            profile.insert("licenses".into(), Value::Array(vec![Value::String("ENTERPRISEPACK".into())]));
            profile
        }
        ("zoomus", _) => profile_map(&[("licenseType", "Licensed")]),
        ("workday", Some(_)) => profile_map(&[("securityGroup", "Employee_Self_Service")]),
        _ => Map::new(),
    }
}

fn direct_assignment_profile(rng: &mut ChaCha8Rng, app_name: &str) -> Map<String, Value> {
    match app_name {
        "amazon_aws_sso" => profile_map(&[("role", *pick(rng, &["ReadOnly", "PowerUser", "Developer", "Billing"]))]),
        "salesforce" => profile_map(&[("licenseType", "Full"), ("profile", "Standard User")]),
        "githubcloud" => profile_map(&[("role", if rng.random_bool(0.1) { "owner" } else { "member" })]),
        "zoomus" => profile_map(&[("licenseType", "Licensed")]),
        _ => Map::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Factors
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum FactorKind {
    Push,
    Totp,
    Sms,
    WebAuthn,
    Email,
}

fn generate_factors(params: &OrgParams, users: &[User]) -> Vec<Vec<Factor>> {
    let mut rng = phase_rng(params.seed, Phase::Factors);
    let now = params.now;
    let mix = [
        (FactorKind::Push, 45),
        (FactorKind::Totp, 20),
        (FactorKind::Sms, 15),
        (FactorKind::WebAuthn, 12),
        (FactorKind::Email, 8),
    ];
    users
        .iter()
        .map(|user| {
            let Some(activated) = user.activated else { return Vec::new() };
            // Okta resets the factors of deactivated users; a few active ones never enrolled.
            if gone(user) || rng.random_bool(0.07) {
                return Vec::new();
            }
            let count = weighted(&mut rng, &[(1usize, 40), (2, 40), (3, 20)]);
            let mut kinds: Vec<FactorKind> = Vec::with_capacity(count);
            while kinds.len() < count {
                let kind = weighted(&mut rng, &mix);
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            kinds.into_iter().map(|kind| factor(&mut rng, user, kind, activated, now)).collect()
        })
        .collect()
}

fn factor(rng: &mut ChaCha8Rng, user: &User, kind: FactorKind, activated: Ts, now: Ts) -> Factor {
    let (prefix, factor_type, provider, profile) = match kind {
        FactorKind::Push => {
            let &(device_type, name, platform, versions) = pick(rng, PHONES);
            let mut profile = profile_map(&[
                ("credentialId", &user.profile.login),
                ("deviceType", device_type),
                ("name", name),
                ("platform", platform),
            ]);
            profile.insert("version".into(), Value::String(pick(rng, versions).to_string()));
            ("opf", "push", "OKTA", profile)
        }
        FactorKind::Totp => {
            ("ufs", "token:software:totp", "GOOGLE", profile_map(&[("credentialId", &user.profile.login)]))
        }
        FactorKind::Sms => {
            // E.164, no separators: the SDKs' UserFactorSMSProfile checks ^\+[1-9]\d{1,14}$.
            let phone = format!("+1555{:03}{:04}", rng.random_range(200..1000), rng.random_range(0..10_000));
            let prefix = if rng.random_bool(0.5) { "mbl" } else { "sms" };
            (prefix, "sms", "OKTA", profile_map(&[("phoneNumber", &phone)]))
        }
        FactorKind::WebAuthn => {
            let credential = alnum(22, rng);
            let name = pick(rng, AUTHENTICATORS);
            ("fwf", "webauthn", "FIDO", profile_map(&[("credentialId", &credential), ("authenticatorName", name)]))
        }
        FactorKind::Email => ("emf", "email", "OKTA", profile_map(&[("email", &user.profile.email)])),
    };
    let pending = matches!(kind, FactorKind::Push | FactorKind::Sms) && rng.random_bool(0.03);
    let created = between(rng, activated, now);
    Factor {
        id: okta_id(prefix, rng),
        factor_type,
        provider,
        vendor_name: provider,
        status: if pending { "PENDING_ACTIVATION" } else { "ACTIVE" },
        created,
        last_updated: between(rng, created, now),
        profile,
    }
}

// ---------------------------------------------------------------------------------------------
// Admin roles
// ---------------------------------------------------------------------------------------------

struct AdminGrants {
    assignments: Vec<RoleAssignment>,
    custom_roles: Vec<CustomRole>,
    resource_sets: Vec<ResourceSet>,
}

/// Standard roles held by individual admins, with how often each occurs.
/// No MOBILE_ADMIN: Okta's spec (and so both official SDKs' RoleType) lacks it, and the Python
/// SDK fails to parse a role list that contains one.
const STANDARD_ROLE_MIX: [(&str, u32); 9] = [
    ("SUPER_ADMIN", 2),
    ("ORG_ADMIN", 8),
    ("APP_ADMIN", 14),
    ("USER_ADMIN", 14),
    ("HELP_DESK_ADMIN", 22),
    ("GROUP_MEMBERSHIP_ADMIN", 10),
    ("READ_ONLY_ADMIN", 16),
    ("REPORT_ADMIN", 6),
    ("API_ACCESS_MANAGEMENT_ADMIN", 4),
];

/// Draws admins among users who can hold a role (not deprovisioned, activated), favouring IT and
/// Security staff and active accounts, each user at most once.
struct AdminPicker {
    eligible: Vec<usize>,
    it_and_security: Vec<usize>,
    taken: Vec<bool>,
}

impl AdminPicker {
    fn new(users: &[User], people: &[Person]) -> AdminPicker {
        let eligible: Vec<usize> =
            (2..users.len()).filter(|&u| !gone(&users[u]) && users[u].activated.is_some()).collect();
        let it_and_security = eligible.iter().copied().filter(|&u| matches!(people[u].department, IT | SEC)).collect();
        let mut taken = vec![false; users.len()];
        taken[ADMIN] = true;
        AdminPicker { eligible, it_and_security, taken }
    }

    fn pick(&mut self, rng: &mut ChaCha8Rng, users: &[User]) -> Option<usize> {
        for _ in 0..64 {
            let pool = if !self.it_and_security.is_empty() && rng.random_bool(0.4) {
                &self.it_and_security
            } else {
                &self.eligible
            };
            if pool.is_empty() {
                return None;
            }
            let u = *pick(rng, pool);
            // Mostly active admins; a few suspended or locked-out ones keep standing privilege,
            // which is exactly what Sightline should point out.
            if self.taken[u] || (users[u].status != UserStatus::Active && !rng.random_bool(0.1)) {
                continue;
            }
            self.taken[u] = true;
            return Some(u);
        }
        None
    }
}

/// Appends role assignments with consistent timestamps.
struct Granter<'a> {
    rng: ChaCha8Rng,
    now: Ts,
    users: &'a [User],
    groups: &'a [Group],
    apps: &'a [App],
    out: Vec<RoleAssignment>,
}

impl Granter<'_> {
    fn grant(&mut self, principal: Principal, role: RoleKind, targets: Vec<RoleTarget>, expiration: Option<Ts>) {
        let since = match principal {
            Principal::User(u) => self.users[u].activated.unwrap_or(self.users[u].created),
            Principal::Group(g) => self.groups[g].created,
            Principal::Client(a) => self.apps[a].created,
        };
        let prefix = if matches!(role, RoleKind::Custom { .. }) { "irb" } else { "ra1" };
        let created = between(&mut self.rng, since, self.now);
        self.out.push(RoleAssignment {
            id: okta_id(prefix, &mut self.rng),
            principal,
            role,
            created,
            last_updated: between(&mut self.rng, created, self.now),
            targets,
            expiration,
        });
    }
}

#[allow(clippy::too_many_arguments)]
fn generate_roles(
    params: &OrgParams,
    company: &Company,
    layout: &GroupLayout,
    users: &[User],
    people: &[Person],
    groups: &[Group],
    apps: &[App],
    plans: &[AppPlan],
) -> AdminGrants {
    let mut g =
        Granter { rng: phase_rng(params.seed, Phase::Roles), now: params.now, users, groups, apps, out: Vec::new() };
    let mut picker = AdminPicker::new(users, people);
    let user_apps: Vec<usize> =
        (0..apps.len()).filter(|&a| !matches!(plans[a].audience, Audience::Service | Audience::Directory)).collect();
    let target_groups: Vec<usize> =
        layout.departments.clone().chain(layout.projects.clone()).chain(layout.ad_open()).collect();

    g.grant(Principal::User(ADMIN), RoleKind::Standard("SUPER_ADMIN"), Vec::new(), None);

    // Groups that carry admin roles: every member inherits them. The help desk serves every
    // department but IT and Security, whose accounts are too powerful for tier-1 resets.
    let served_by_help_desk: Vec<RoleTarget> = (0..DEPARTMENTS.len())
        .filter(|&d| d != IT && d != SEC)
        .map(|d| RoleTarget::Group(layout.department(d)))
        .collect();
    g.grant(Principal::Group(layout.help_desk), RoleKind::Standard("HELP_DESK_ADMIN"), served_by_help_desk, None);
    g.grant(Principal::Group(layout.security_ops), RoleKind::Standard("READ_ONLY_ADMIN"), Vec::new(), None);
    let admin_apps = vec![RoleTarget::App(AWS_APP), RoleTarget::App(GITHUB_APP)];
    g.grant(Principal::Group(layout.ad_admins()), RoleKind::Standard("APP_ADMIN"), admin_apps, None);

    // Service apps acting on the org with their own roles.
    for (a, plan) in plans.iter().enumerate() {
        let Some(role) = plan.admin_role else { continue };
        // A provisioning bridge manages the users of the departments it syncs.
        let mut targets = Vec::new();
        if role == "USER_ADMIN" {
            for _ in 0..g.rng.random_range(2..=4) {
                let target = RoleTarget::Group(layout.department(g.rng.random_range(0..DEPARTMENTS.len())));
                if !targets.contains(&target) {
                    targets.push(target);
                }
            }
        }
        g.grant(Principal::Client(a), RoleKind::Standard(role), targets, None);
    }

    // Individual admins: about 0.75% of the active workforce, at least ten so that every standard
    // role appears even in a small org.
    let active = users.iter().filter(|u| u.status == UserStatus::Active).count();
    let admins = ((active as f64 * 0.0075).round() as usize).max(10).min(picker.eligible.len() / 2);
    let mut time_bound = 0;
    for k in 0..admins {
        let Some(u) = picker.pick(&mut g.rng, users) else { break };
        let first = match STANDARD_ROLE_MIX.get(k) {
            Some(&(role, _)) => role,
            None => weighted(&mut g.rng, &STANDARD_ROLE_MIX),
        };
        let mut roles = vec![first];
        if g.rng.random_bool(0.15) {
            let second = weighted(&mut g.rng, &STANDARD_ROLE_MIX);
            if second != first {
                roles.push(second);
            }
        }
        for role in roles {
            let targets = standard_role_targets(&mut g.rng, role, &user_apps, &target_groups, apps);
            // Some grants are time-bound (just-in-time access); every org shows at least one.
            let last_chance = k + 1 == admins && time_bound == 0;
            let expiration =
                (g.rng.random_bool(0.06) || last_chance).then(|| params.now + secs(g.rng.random_range(DAY..=30 * DAY)));
            time_bound += usize::from(expiration.is_some());
            g.grant(Principal::User(u), RoleKind::Standard(role), targets, expiration);
        }
    }

    // Custom roles bound over resource sets.
    let custom_count = g.rng.random_range(3..=CUSTOM_ROLES.len());
    let custom_roles: Vec<CustomRole> = CUSTOM_ROLES[..custom_count]
        .iter()
        .map(|spec| {
            let created = between(&mut g.rng, company.created + secs(180 * DAY), company.now - secs(7 * DAY));
            CustomRole {
                id: okta_id("cr0", &mut g.rng),
                label: spec.label.into(),
                description: spec.description.into(),
                permissions: spec.permissions.iter().map(ToString::to_string).collect(),
                created,
                last_updated: between(&mut g.rng, created, company.now),
            }
        })
        .collect();
    let resource_sets = resource_sets(&mut g.rng, company, layout);
    for (role, spec) in CUSTOM_ROLES[..custom_count].iter().enumerate() {
        for &resource_set in spec.resource_sets {
            let kind = RoleKind::Custom { role, resource_set };
            if let Some(group) = spec.group_member {
                let group = match group {
                    CustomRoleGroup::HelpDesk => layout.help_desk,
                    CustomRoleGroup::SecurityOps => layout.security_ops,
                };
                g.grant(Principal::Group(group), kind.clone(), Vec::new(), None);
            }
            for _ in 0..g.rng.random_range(1..=2) {
                if let Some(u) = picker.pick(&mut g.rng, users) {
                    g.grant(Principal::User(u), kind.clone(), Vec::new(), None);
                }
            }
        }
    }
    AdminGrants { assignments: g.out, custom_roles, resource_sets }
}

/// Targets of a standard role held by a user: app admins often over a few apps or one catalog
/// app, group-scoped admins over a few groups; empty means unrestricted.
fn standard_role_targets(
    rng: &mut ChaCha8Rng,
    role: &str,
    user_apps: &[usize],
    target_groups: &[usize],
    apps: &[App],
) -> Vec<RoleTarget> {
    let mut targets = Vec::new();
    match role {
        "APP_ADMIN" => match rng.random_range(0..10) {
            0..5 => {
                for _ in 0..rng.random_range(1..=3) {
                    let target = RoleTarget::App(*pick(rng, user_apps));
                    if !targets.contains(&target) {
                        targets.push(target);
                    }
                }
            }
            5..6 => {
                targets.push(RoleTarget::AppCatalog(apps[*pick(rng, &[SLACK_APP, AWS_APP, GITHUB_APP])].name.clone()))
            }
            _ => {}
        },
        "USER_ADMIN" | "HELP_DESK_ADMIN" | "GROUP_MEMBERSHIP_ADMIN" if rng.random_bool(0.6) => {
            for _ in 0..rng.random_range(1..=4) {
                let target = RoleTarget::Group(*pick(rng, target_groups));
                if !targets.contains(&target) {
                    targets.push(target);
                }
            }
        }
        _ => {}
    }
    targets
}

/// The resource sets custom roles are bound over, in [`RESOURCE_SETS`] order.
fn resource_sets(rng: &mut ChaCha8Rng, company: &Company, layout: &GroupLayout) -> Vec<ResourceSet> {
    let support = layout.department(SUP);
    let operations = layout.department(OPS);
    let projects: Vec<usize> = layout.projects.clone().take(5).collect();
    RESOURCE_SETS
        .iter()
        .map(|&(label, description, scope)| {
            let resources = match scope {
                ResourceScope::FrontlineSupport => vec![
                    ResourceRef::Group(support),
                    ResourceRef::GroupMembers(support),
                    ResourceRef::Group(operations),
                    ResourceRef::GroupMembers(operations),
                ],
                ResourceScope::EngineeringApps => vec![ResourceRef::App(AWS_APP), ResourceRef::App(GITHUB_APP)],
                ResourceScope::ProjectGroups => {
                    projects.iter().flat_map(|&p| [ResourceRef::Group(p), ResourceRef::GroupMembers(p)]).collect()
                }
                ResourceScope::AllUsers => vec![ResourceRef::AllUsers],
                ResourceScope::DirectoryWide => {
                    vec![ResourceRef::AllUsers, ResourceRef::AllGroups, ResourceRef::AllApps]
                }
            };
            let created = between(rng, company.created + secs(180 * DAY), company.now - secs(7 * DAY));
            ResourceSet {
                id: okta_id("iam", rng),
                label: label.into(),
                description: description.into(),
                created,
                last_updated: between(rng, created, company.now),
                resources: resources
                    .into_iter()
                    .map(|resource| ResourceSetResource { id: okta_id("ire", rng), created, resource })
                    .collect(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// API tokens and group owners
// ---------------------------------------------------------------------------------------------

/// SSWS tokens created by admins: the super admin's Terraform token, then a few per admin.
fn generate_api_tokens(
    params: &OrgParams,
    company: &Company,
    users: &[User],
    roles: &[RoleAssignment],
) -> Vec<ApiToken> {
    let mut rng = phase_rng(params.seed, Phase::Tokens);
    let mut is_admin = vec![false; users.len()];
    for assignment in roles {
        if let Principal::User(u) = assignment.principal {
            is_admin[u] = true;
        }
    }
    let admins: Vec<usize> =
        (0..users.len()).filter(|&u| is_admin[u] && users[u].status == UserStatus::Active).collect();
    let count = (admins.len() / 2).clamp(3, 200);
    (0..count)
        .map(|k| {
            let (user, name) =
                if k == 0 { (ADMIN, "Terraform") } else { (*pick(&mut rng, &admins), *pick(&mut rng, TOKEN_NAMES)) };
            let since = users[user].activated.unwrap_or(users[user].created).max(company.now - secs(2 * 365 * DAY));
            let created = between(&mut rng, since, company.now);
            let anywhere = rng.random_bool(0.3);
            let network_include = if anywhere {
                Vec::new()
            } else {
                let first = rng.random_range(0..company.zones.len());
                let mut zones = vec![company.zones[first].clone()];
                if rng.random_bool(0.3) {
                    zones.push(company.zones[(first + 1) % company.zones.len()].clone());
                }
                zones
            };
            ApiToken {
                id: okta_id("00T", &mut rng),
                name: name.into(),
                user,
                client_name: "Okta API".into(),
                created,
                last_updated: between(&mut rng, created, company.now),
                token_window: "P30D".into(),
                network_connection: if anywhere { "ANYWHERE" } else { "ZONE" },
                network_include,
                network_exclude: Vec::new(),
                secret: format!("00{}", alnum(40, &mut rng)),
                denied: Vec::new(),
            }
        })
        .collect()
}

/// With Identity Governance, about 30% of OKTA_GROUPs have one to three owners: mostly members,
/// sometimes another group. One (empty) owner list per group either way.
fn generate_group_owners(
    params: &OrgParams,
    layout: &GroupLayout,
    users: &[User],
    groups: &[Group],
    members: &[Vec<usize>],
) -> Vec<Vec<GroupOwner>> {
    let mut owners: Vec<Vec<GroupOwner>> = (0..groups.len()).map(|_| Vec::new()).collect();
    if !params.governance {
        return owners;
    }
    let mut rng = phase_rng(params.seed, Phase::Owners);
    let okta_groups = layout.okta_groups();
    let active: Vec<usize> = (0..users.len()).filter(|&u| users[u].status == UserStatus::Active).collect();
    for g in okta_groups.clone() {
        if !rng.random_bool(0.3) {
            continue;
        }
        for _ in 0..rng.random_range(1..=3) {
            let owner = if rng.random_bool(0.85) {
                let pool = if members[g].is_empty() { &active } else { &members[g] };
                OwnerKind::User(*pick(&mut rng, pool))
            } else {
                let other = rng.random_range(okta_groups.clone());
                if other == g {
                    continue;
                }
                OwnerKind::Group(other)
            };
            if owners[g].iter().any(|o| o.owner == owner) {
                continue;
            }
            let last_updated = between(&mut rng, groups[g].created, params.now);
            owners[g].push(GroupOwner { owner, last_updated, origin_app: None });
        }
    }
    owners
}

// ---------------------------------------------------------------------------------------------
// Content tables
// ---------------------------------------------------------------------------------------------

mod tables {
    //! The static content of synthetic orgs: companies, departments, names, places and apps.

    use super::SignOnMode;

    pub(super) const COMPANIES: &[(&str, &str)] = &[
        ("Acme Corp", "acme"),
        ("Globex Corporation", "globex"),
        ("Initech", "initech"),
        ("Northwind Traders", "northwind"),
        ("Contoso Ltd", "contoso"),
        ("Fabrikam Inc.", "fabrikam"),
        ("Tailspin Toys", "tailspin"),
        ("Wingtip Labs", "wingtip"),
        ("Vandelay Industries", "vandelay"),
        ("Hooli", "hooli"),
        ("Pied Piper", "piedpiper"),
        ("Massive Dynamic", "massivedynamic"),
        ("Wonka Industries", "wonka"),
        ("Soylent Systems", "soylent"),
        ("Cyberdyne Systems", "cyberdyne"),
        ("Blue Sun Holdings", "bluesun"),
    ];

    pub(super) struct Department {
        pub name: &'static str,
        /// Short form used in AD group names.
        pub short: &'static str,
        /// Relative headcount.
        pub weight: u32,
        pub cost_center: &'static str,
        pub titles: &'static [&'static str],
        pub manager_title: &'static str,
        pub head_title: &'static str,
    }

    pub(super) const ENG: usize = 0;
    pub(super) const PRD: usize = 1;
    pub(super) const DSN: usize = 2;
    pub(super) const SLS: usize = 3;
    pub(super) const MKT: usize = 4;
    pub(super) const SUP: usize = 5;
    pub(super) const OPS: usize = 6;
    pub(super) const FIN: usize = 7;
    pub(super) const HR: usize = 8;
    pub(super) const IT: usize = 9;
    pub(super) const SEC: usize = 10;
    pub(super) const LGL: usize = 11;

    pub(super) const DEPARTMENTS: [Department; 12] = [
        Department {
            name: "Engineering",
            short: "ENG",
            weight: 22,
            cost_center: "CC-1100",
            titles: &[
                "Software Engineer",
                "Senior Software Engineer",
                "Staff Engineer",
                "Principal Engineer",
                "Site Reliability Engineer",
                "QA Engineer",
                "Data Engineer",
            ],
            manager_title: "Engineering Manager",
            head_title: "VP of Engineering",
        },
        Department {
            name: "Product",
            short: "PRD",
            weight: 5,
            cost_center: "CC-1200",
            titles: &["Product Manager", "Senior Product Manager", "Technical Program Manager", "Product Analyst"],
            manager_title: "Group Product Manager",
            head_title: "VP of Product",
        },
        Department {
            name: "Design",
            short: "DSN",
            weight: 3,
            cost_center: "CC-1300",
            titles: &["Product Designer", "Senior Product Designer", "UX Researcher", "Content Designer"],
            manager_title: "Design Manager",
            head_title: "Head of Design",
        },
        Department {
            name: "Sales",
            short: "SLS",
            weight: 15,
            cost_center: "CC-2100",
            titles: &[
                "Account Executive",
                "Enterprise Account Executive",
                "Sales Development Representative",
                "Solutions Engineer",
                "Sales Operations Analyst",
            ],
            manager_title: "Regional Sales Manager",
            head_title: "Chief Revenue Officer",
        },
        Department {
            name: "Marketing",
            short: "MKT",
            weight: 6,
            cost_center: "CC-2200",
            titles: &[
                "Marketing Manager",
                "Product Marketing Manager",
                "Content Strategist",
                "Demand Generation Specialist",
                "Brand Designer",
            ],
            manager_title: "Director of Marketing",
            head_title: "Chief Marketing Officer",
        },
        Department {
            name: "Support",
            short: "SUP",
            weight: 12,
            cost_center: "CC-3100",
            titles: &[
                "Customer Support Specialist",
                "Technical Support Engineer",
                "Support Team Lead",
                "Customer Success Manager",
            ],
            manager_title: "Support Manager",
            head_title: "VP of Customer Experience",
        },
        Department {
            name: "Operations",
            short: "OPS",
            weight: 7,
            cost_center: "CC-3200",
            titles: &[
                "Operations Analyst",
                "Business Operations Manager",
                "Facilities Coordinator",
                "Procurement Specialist",
            ],
            manager_title: "Operations Manager",
            head_title: "Chief Operating Officer",
        },
        Department {
            name: "Finance",
            short: "FIN",
            weight: 5,
            cost_center: "CC-4100",
            titles: &[
                "Accountant",
                "Financial Analyst",
                "Payroll Specialist",
                "Accounts Payable Specialist",
                "Controller",
            ],
            manager_title: "Finance Manager",
            head_title: "Chief Financial Officer",
        },
        Department {
            name: "Human Resources",
            short: "HR",
            weight: 4,
            cost_center: "CC-4200",
            titles: &["HR Business Partner", "Recruiter", "People Operations Specialist", "Talent Acquisition Partner"],
            manager_title: "HR Manager",
            head_title: "Chief People Officer",
        },
        Department {
            name: "IT",
            short: "IT",
            weight: 4,
            cost_center: "CC-5100",
            titles: &[
                "IT Support Specialist",
                "Systems Administrator",
                "IT Engineer",
                "Identity Engineer",
                "Endpoint Engineer",
            ],
            manager_title: "IT Manager",
            head_title: "Chief Information Officer",
        },
        Department {
            name: "Security",
            short: "SEC",
            weight: 3,
            cost_center: "CC-5200",
            titles: &[
                "Security Engineer",
                "Security Analyst",
                "Detection Engineer",
                "GRC Analyst",
                "Incident Responder",
            ],
            manager_title: "Security Manager",
            head_title: "Chief Information Security Officer",
        },
        Department {
            name: "Legal",
            short: "LGL",
            weight: 2,
            cost_center: "CC-6100",
            titles: &["Corporate Counsel", "Paralegal", "Privacy Counsel", "Contracts Manager"],
            manager_title: "Deputy General Counsel",
            head_title: "General Counsel",
        },
    ];

    /// Relative headcount per workforce location (the entries of `LOCATIONS` before
    /// `HOSTILE_START`); the array length ties it to that boundary.
    pub(super) const OFFICE_WEIGHTS: [u32; super::super::geo::HOSTILE_START] =
        [18, 14, 8, 5, 6, 4, 5, 10, 4, 5, 3, 3, 3, 6, 3, 2, 3];

    /// Office codes used in AD distribution list names.
    pub(super) const OFFICE_CODES: &[&str] = &[
        "SFO", "NYC", "AUS", "CHI", "SEA", "DEN", "YYZ", "LON", "DUB", "BER", "PAR", "AMS", "GRU", "BLR", "SIN", "TYO",
        "SYD",
    ];

    /// Names from one part of the world. Entries are `Display[|login][~Nickname]`; without an
    /// explicit login, the ASCII letters and hyphens of the display form are used.
    pub(super) struct Culture {
        pub weight: u32,
        pub given: &'static [&'static str],
        pub family: &'static [&'static str],
        /// Displayed family name first, without a space (李伟).
        pub family_first: bool,
    }

    #[rustfmt::skip]
    pub(super) const CULTURES: &[Culture] = &[
        Culture {
            weight: 34,
            given: &[
                "James~Jim", "Mary", "Robert~Bob", "Patricia~Pat", "John", "Jennifer~Jen", "Michael~Mike", "Linda",
                "David", "Elizabeth~Liz", "William~Bill", "Barbara", "Sarah", "Emily", "Christopher~Chris", "Jessica",
                "Daniel~Dan", "Ashley", "Matthew~Matt", "Amanda", "Andrew~Drew", "Megan", "Ryan", "Lauren", "Kevin",
                "Rachel", "Brian", "Nicole", "Tyler", "Hannah", "Katherine~Kate", "Zoë|zoe",
            ],
            family: &[
                "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
                "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis",
                "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "O'Brien",
                "O'Connor", "Murphy", "Kelly", "Sullivan",
            ],
            family_first: false,
        },
        Culture {
            weight: 3,
            given: &[
                "Siobhán|siobhan", "Seán|sean", "Aoife", "Niamh", "Ciarán|ciaran", "Liam", "Órla|orla",
                "Pádraig|padraig",
            ],
            family: &[
                "O'Brien", "O'Sullivan", "O'Neill", "Ní Bhriain|nibhriain", "Mac Giolla", "Murphy", "Byrne",
                "Ó Ceallaigh|oceallaigh",
            ],
            family_first: false,
        },
        Culture {
            weight: 4,
            given: &["Marco", "Giulia", "Luca", "Francesca", "Niccolò|niccolo", "Chiara", "Matteo", "Alessandra"],
            family: &["D'Angelo", "D'Amico", "Rossi", "Bianchi", "Esposito", "De Luca", "Ferrari", "Romano"],
            family_first: false,
        },
        Culture {
            weight: 12,
            given: &[
                "José|jose", "María|maria", "Ana-María|ana-maria", "Juan", "Lucía|lucia", "Carlos", "Sofía|sofia",
                "Javier", "Camila", "Andrés|andres", "Valentina", "Diego", "Inés|ines", "Martín|martin",
            ],
            family: &[
                "García|garcia", "Rodríguez|rodriguez", "Martínez|martinez", "Hernández|hernandez", "López|lopez",
                "González|gonzalez", "Pérez|perez", "Sánchez|sanchez", "Ramírez|ramirez", "Torres", "Núñez|nunez",
                "Peña|pena", "Muñoz|munoz", "Ortiz",
            ],
            family_first: false,
        },
        Culture {
            weight: 6,
            given: &[
                "Søren|soren", "Ingrid", "Björn|bjorn", "Åsa|asa", "Lars", "Freja", "Jürgen|jurgen", "Zoë|zoe",
                "Anneliese", "Mads", "Malte", "Birgitta",
            ],
            family: &[
                "Jørgensen|jorgensen", "Østergaard|ostergaard", "Schröder|schroder", "Müller|muller", "Weiß|weiss",
                "Nyström|nystrom", "Lindqvist", "Åberg|aberg", "Hansen", "Becker", "Schmidt", "Fischer",
            ],
            family_first: false,
        },
        Culture {
            weight: 4,
            given: &[
                "Łukasz|lukasz", "Małgorzata|malgorzata", "Paweł|pawel", "Zofia", "Wojciech", "Agnieszka", "Jiří|jiri",
                "Tomáš|tomas",
            ],
            family: &[
                "Kowalski", "Wiśniewski|wisniewski", "Wójcik|wojcik", "Nowak", "Dvořák|dvorak", "Zieliński|zielinski",
                "Kamiński|kaminski", "Szymański|szymanski", "Krawczyk", "Němec|nemec",
            ],
            family_first: false,
        },
        Culture {
            weight: 4,
            given: &["Anh", "Minh", "Thảo|thao", "Hùng|hung", "Linh", "Dũng|dung", "Phương|phuong", "Tuấn|tuan"],
            family: &[
                "Nguyễn|nguyen", "Trần|tran", "Lê|le", "Phạm|pham", "Hoàng|hoang", "Võ|vo", "Đặng|dang", "Bùi|bui",
            ],
            family_first: false,
        },
        Culture {
            weight: 5,
            given: &[
                "伟|wei", "芳|fang", "娜|na", "敏|min", "静|jing", "磊|lei", "强|qiang", "洋|yang", "婷|ting", "杰|jie",
            ],
            family: &[
                "李|li", "王|wang", "张|zhang", "刘|liu", "陈|chen", "杨|yang", "黄|huang", "赵|zhao", "吴|wu",
                "周|zhou",
            ],
            family_first: true,
        },
        Culture {
            weight: 3,
            given: &["Yūki|yuki", "Haruka", "Kenta", "Aiko", "Shōta|shota", "Mei", "Ren", "Sakura"],
            family: &["Satō|sato", "Suzuki", "Takahashi", "Tanaka", "Itō|ito", "Watanabe", "Yamamoto", "Nakamura"],
            family_first: false,
        },
        Culture {
            weight: 10,
            given: &[
                "Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Lakshmi", "Arjun", "Divya", "Sanjay", "Kavya", "Rahul",
                "Deepika",
            ],
            family: &[
                "Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair", "Singh", "Mukherjee", "Rao", "Chatterjee",
                "Krishnan", "Desai",
            ],
            family_first: false,
        },
        Culture {
            weight: 4,
            given: &[
                "Zoé|zoe", "Chloé|chloe", "Théo|theo", "Amélie|amelie", "François|francois", "Hélène|helene",
                "Jérôme|jerome", "Léa|lea", "Gaël|gael", "Renée|renee",
            ],
            family: &[
                "Dubois", "Lefèvre|lefevre", "Moreau", "Girard", "Bélanger|belanger", "Côté|cote", "Fontaine",
                "Rousseau", "Lemaître|lemaitre", "Laurent",
            ],
            family_first: false,
        },
        Culture {
            weight: 4,
            given: &[
                "João|joao", "Conceição|conceicao", "Gonçalo|goncalo", "Thaís|thais", "Luíza|luiza", "Caio", "Beatriz",
                "Rafael",
            ],
            family: &[
                "Gonçalves|goncalves", "Araújo|araujo", "Simões|simoes", "Magalhães|magalhaes", "Silva", "Oliveira",
                "Souza", "Carvalho",
            ],
            family_first: false,
        },
        Culture {
            weight: 2,
            given: &["Ömer|omer", "Şule|sule", "Çağlar|caglar", "Elif", "Emre", "Zeynep"],
            family: &["Yılmaz|yilmaz", "Öztürk|ozturk", "Çelik|celik", "Şahin|sahin", "Kaya", "Demir"],
            family_first: false,
        },
        Culture {
            weight: 3,
            given: &["Omar", "Fatima", "Yusuf", "Layla", "Karim", "Nour", "Hassan", "Amira"],
            family: &["Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Farouk", "Aziz", "Hamdan"],
            family_first: false,
        },
        Culture {
            weight: 3,
            given: &["Chinedu", "Amara", "Kwame", "Ngozi", "Thabo", "Zanele", "Oluwaseun", "Adaeze"],
            family: &["Okafor", "Mensah", "Adeyemi", "Nkosi", "Okonkwo", "Boateng", "Abubakar", "Dlamini"],
            family_first: false,
        },
    ];

    pub(super) const CONTRACTOR_AGENCIES: &[&str] =
        &["talentbridge.example", "staffpoint.example", "devpartners.example"];

    /// Free-text custom attribute values with markup, as people type them.
    pub(super) const MARKUP_NICKNAMES: &[&str] = &["<b>Boss</b>", "Rock & Roll", "\"The Fixer\"", "O'Malley's <3"];

    /// Project and team groups whose names carry HTML-significant characters, quotes and
    /// non-ASCII text, as real orgs' do; they are the first project groups.
    pub(super) const SPECIAL_PROJECT_GROUPS: &[(&str, &str)] = &[
        ("R&D <Core>", "Core research & development <platform> team"),
        ("\"Quoted\" Team", "A team whose name has \"quotes\""),
        ("Sales & Marketing", "Joint go-to-market planning"),
        ("Café ☕ Club", "Coffee lovers' social group"),
    ];

    pub(super) const PROJECT_KINDS: &[&str] =
        &["Project", "Team", "Squad", "Guild", "Working Group", "Pod", "Tiger Team", "Initiative"];

    #[rustfmt::skip]
    pub(super) const CODENAMES: &[&str] = &[
        "Atlas", "Phoenix", "Orion", "Helios", "Nimbus", "Falcon", "Aurora", "Borealis", "Cascade", "Zephyr", "Titan",
        "Nova", "Polaris", "Vega", "Sirius", "Andromeda", "Apollo", "Artemis", "Hermes", "Juno", "Mercury", "Neptune",
        "Pegasus", "Quasar", "Raven", "Sequoia", "Tundra", "Voyager", "Willow", "Yukon", "Everest", "Denali", "Fuji",
        "Matterhorn", "Sahara", "Gobi", "Mojave", "Orinoco", "Danube", "Nile", "Rhine", "Thames", "Cobalt", "Indigo",
        "Crimson", "Saffron", "Obsidian", "Granite", "Basalt", "Quartz", "Onyx", "Jade", "Ember", "Glacier", "Horizon",
        "Meridian", "Zenith", "Solstice", "Equinox", "Comet", "Pulsar", "Nebula", "Lynx", "Otter", "Heron", "Badger",
        "Kestrel",
    ];

    #[rustfmt::skip]
    pub(super) const FUNCTIONS: &[&str] = &[
        "Platform", "Payments", "Identity", "Data Platform", "Mobile", "Growth", "Billing", "Search", "Infrastructure",
        "Developer Experience", "Reliability", "Analytics", "Onboarding", "Compliance", "Partnerships", "Enablement",
        "Revenue Ops", "Field Marketing", "Internal Tools", "Localization",
    ];

    pub(super) const FUNCTION_SUFFIXES: &[&str] =
        &["Team", "On-Call", "Leads", "Contractors", "Admins", "Reviewers", "Champions", "Interns", "Approvers"];

    pub(super) const QUALIFIERS: &[&str] =
        &["EMEA", "APAC", "AMER", "Prod", "Staging", "Readers", "Writers", "Admins", "Leads", "2024", "2025", "Pilot"];

    /// Resources AD groups grant access to.
    #[rustfmt::skip]
    pub(super) const AD_RESOURCES: &[&str] = &[
        "FileShare", "SharePoint", "SQL", "Jenkins", "Citrix", "Printers", "Wiki", "SAP", "Tableau", "HomeDrives",
        "Confluence", "RDP", "Backup", "Payroll", "CRM", "Intranet",
    ];

    /// Who an app is assigned to.
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub(super) enum Audience {
        /// The Everyone group.
        Everyone,
        /// These departments' groups, each with its own profile.
        Departments(&'static [usize]),
        /// The IT Help Desk group plus IT and Support.
        HelpDesk,
        /// A few random project or AD groups, or nobody.
        Internal,
        /// The directory app itself: its users are the users imported from it.
        Directory,
        /// An API service app: no users, acts on its own.
        Service,
    }

    #[derive(Clone, Copy, PartialEq, Eq)]
    pub(super) enum Lifecycle {
        Active,
        Inactive,
        /// Inactive one time in ten, as abandoned integrations are.
        Varies,
    }

    pub(super) struct AppSpec {
        pub label: &'static str,
        /// Okta catalog key; empty for custom apps, whose key Okta derives from the label.
        pub name: &'static str,
        pub mode: SignOnMode,
        /// OIDC `application_type`; empty for other modes.
        pub oidc_type: &'static str,
        /// The app's URL, ACS URL (federation) or redirect base (OIDC); `{org}` and `{domain}`
        /// are filled in.
        pub url: &'static str,
        /// SAML audience / WS-Fed realm.
        pub audience_uri: &'static str,
        pub audience: Audience,
        /// Standard admin role held by a service app.
        pub admin_role: Option<&'static str>,
        /// Whether Okta provisions accounts into it.
        pub provisioning: bool,
        pub lifecycle: Lifecycle,
    }

    const fn federated(
        label: &'static str,
        name: &'static str,
        mode: SignOnMode,
        url: &'static str,
        audience_uri: &'static str,
        audience: Audience,
    ) -> AppSpec {
        AppSpec {
            label,
            name,
            mode,
            oidc_type: "",
            url,
            audience_uri,
            audience,
            admin_role: None,
            provisioning: false,
            lifecycle: Lifecycle::Varies,
        }
    }

    const fn saml(
        label: &'static str,
        name: &'static str,
        url: &'static str,
        audience_uri: &'static str,
        audience: Audience,
    ) -> AppSpec {
        federated(label, name, SignOnMode::Saml20, url, audience_uri, audience)
    }

    const fn link(
        label: &'static str,
        name: &'static str,
        mode: SignOnMode,
        url: &'static str,
        audience: Audience,
    ) -> AppSpec {
        federated(label, name, mode, url, "", audience)
    }

    const fn oidc(label: &'static str, oidc_type: &'static str, url: &'static str, audience: Audience) -> AppSpec {
        let mut spec = federated(label, "oidc_client", SignOnMode::OpenIdConnect, url, "", audience);
        spec.oidc_type = oidc_type;
        spec
    }

    const fn service(label: &'static str, admin_role: Option<&'static str>) -> AppSpec {
        let mut spec = oidc(label, "service", "", Audience::Service);
        spec.admin_role = admin_role;
        spec.lifecycle = Lifecycle::Active;
        spec
    }

    impl AppSpec {
        const fn provisioned(mut self) -> AppSpec {
            self.provisioning = true;
            self
        }

        const fn always(mut self, lifecycle: Lifecycle) -> AppSpec {
            self.lifecycle = lifecycle;
            self
        }
    }

    pub(super) const COLLECTOR_LABEL: &str = "Sightline Collector";

    /// Positions of core apps other phases refer to.
    pub(super) const SLACK_APP: usize = 0;
    pub(super) const ACTIVE_DIRECTORY_APP: usize = 3;
    pub(super) const AWS_APP: usize = 6;
    pub(super) const GITHUB_APP: usize = 7;

    /// Apps every org has, in this order; between them they use every sign-on mode.
    pub(super) const CORE_APPS: [AppSpec; super::MIN_APPS] = [
        saml("Slack", "slack", "https://{org}.slack.com/sso/saml", "https://slack.com", Audience::Everyone)
            .provisioned()
            .always(Lifecycle::Active),
        saml("Zoom", "zoomus", "https://{org}.zoom.us/saml/SSO", "{org}.zoom.us", Audience::Everyone)
            .provisioned()
            .always(Lifecycle::Active),
        federated(
            "Microsoft 365",
            "office365",
            SignOnMode::WsFederation,
            "https://login.microsoftonline.com/login.srf",
            "urn:federation:MicrosoftOnline",
            Audience::Everyone,
        )
        .provisioned()
        .always(Lifecycle::Active),
        link("Active Directory", "active_directory", SignOnMode::BasicAuth, "", Audience::Directory)
            .always(Lifecycle::Active),
        service(COLLECTOR_LABEL, Some("READ_ONLY_ADMIN")),
        service("Terraform Automation", Some("ORG_ADMIN")),
        saml(
            "AWS IAM Identity Center",
            "amazon_aws_sso",
            "https://us-east-1.signin.aws/platform/saml/acs/{org}",
            "https://us-east-1.signin.aws/platform/saml/{org}",
            Audience::Departments(&[ENG, SEC, IT]),
        )
        .provisioned()
        .always(Lifecycle::Active),
        saml(
            "GitHub Enterprise",
            "githubcloud",
            "https://github.com/orgs/{org}/saml/consume",
            "https://github.com/orgs/{org}",
            Audience::Departments(&[ENG, PRD, DSN, SEC]),
        )
        .provisioned()
        .always(Lifecycle::Active),
        saml(
            "Partner Org (Org2Org)",
            "okta_org2org",
            "https://{org}-partners.okta.com/sso/saml2/0oa1partnerorg2org",
            "https://www.okta.com/saml2/service-provider/sp{org}partners",
            Audience::Internal,
        )
        .provisioned()
        .always(Lifecycle::Active),
        // Replaced by a newer integration but never removed: assignments without access.
        federated(
            "SAP Concur (Legacy)",
            "concur",
            SignOnMode::Saml11,
            "https://www.concursolutions.com/SAMLRedirector/ClientSAMLLogin.aspx",
            "https://www.concursolutions.com",
            Audience::Departments(&[FIN, SLS]),
        )
        .always(Lifecycle::Inactive),
        link(
            "ADP Workforce Now",
            "adp_workforce_now",
            SignOnMode::AutoLogin,
            "https://workforcenow.adp.com/workforcenow/login.html",
            Audience::Departments(&[HR, FIN]),
        )
        .always(Lifecycle::Active),
        link("IT Help Center", "bookmark", SignOnMode::Bookmark, "https://help.{domain}/", Audience::HelpDesk)
            .always(Lifecycle::Active),
        link(
            "AT&T Business Center",
            // BROWSER_PLUGIN apps must be named template_swa / template_swa3field for the SDKs.
            "template_swa",
            SignOnMode::BrowserPlugin,
            "https://www.businessdirect.att.com/portal/",
            Audience::Departments(&[OPS, FIN]),
        )
        .always(Lifecycle::Active),
        link(
            "Vendor Portal",
            "template_sps",
            SignOnMode::SecurePasswordStore,
            "https://vendors.{domain}/login",
            Audience::Departments(&[OPS, LGL]),
        )
        .always(Lifecycle::Active),
    ];

    /// Well-known apps added, in this order, to orgs with more than the core apps.
    pub(super) const EXTRA_APPS: &[AppSpec] = &[
        service("SCIM Bridge", Some("USER_ADMIN")),
        saml(
            "Salesforce",
            "salesforce",
            "https://{org}.my.salesforce.com",
            "https://saml.salesforce.com",
            Audience::Departments(&[SLS, SUP]),
        )
        .provisioned(),
        saml(
            "Workday",
            "workday",
            "https://wd5.myworkday.com/{org}/login-saml.flex",
            "http://www.workday.com",
            Audience::Departments(&[HR, FIN, OPS]),
        ),
        saml(
            "Jira Software",
            "atlassian",
            "https://{org}.atlassian.net/login/saml",
            "https://id.atlassian.com/login",
            Audience::Departments(&[ENG, PRD, DSN, SUP]),
        )
        .provisioned(),
        saml(
            "Confluence",
            "atlassian",
            "https://{org}.atlassian.net/wiki/saml",
            "https://id.atlassian.com/login",
            Audience::Departments(&[ENG, PRD, DSN, MKT, OPS]),
        )
        .provisioned(),
        oidc("{company} Expense Portal", "browser", "https://expenses.{domain}/", Audience::Internal),
        saml(
            "Google Workspace",
            "google",
            "https://www.google.com/a/{domain}/acs",
            "google.com/a/{domain}",
            Audience::Departments(&[MKT, SLS]),
        )
        .provisioned(),
        saml(
            "Box",
            "boxnet",
            "https://sso.services.box.net/sp/ACS.saml2",
            "box.net",
            Audience::Departments(&[LGL, FIN, HR]),
        )
        .provisioned(),
        saml(
            "DocuSign",
            "docusign",
            "https://account.docusign.com/organizations/saml2",
            "https://account.docusign.com/organizations/{org}/saml2",
            Audience::Departments(&[LGL, SLS, FIN]),
        ),
        saml(
            "ServiceNow",
            "servicenow_ud",
            "https://{org}.service-now.com/navpage.do",
            "https://{org}.service-now.com",
            Audience::Departments(&[IT, SUP, SEC]),
        ),
        saml(
            "Datadog",
            "datadog",
            "https://app.datadoghq.com/account/saml/assertion",
            "https://app.datadoghq.com/account/saml/metadata.xml",
            Audience::Departments(&[ENG, SEC]),
        ),
        saml(
            "PagerDuty",
            "pagerduty",
            "https://{org}.pagerduty.com/sso/saml/consume",
            "https://{org}.pagerduty.com",
            Audience::Departments(&[ENG, SEC, IT]),
        ),
        service("Log Export Service", None),
        saml(
            "Snowflake",
            "snowflake",
            "https://{org}.snowflakecomputing.com/fed/login",
            "https://{org}.snowflakecomputing.com",
            Audience::Departments(&[FIN, PRD, ENG]),
        ),
        saml(
            "Tableau Cloud",
            "tableau_online",
            "https://sso.online.tableau.com/public/sp/SSO",
            "https://sso.online.tableau.com/public/sp/metadata",
            Audience::Departments(&[FIN, SLS, PRD, OPS]),
        ),
        oidc("{company} Mobile", "native", "", Audience::Internal),
        oidc("Internal Admin Console", "web", "https://admin.{domain}/", Audience::Departments(&[IT, ENG])),
        saml(
            "Figma",
            "figma",
            "https://www.figma.com/saml/consume",
            "https://www.figma.com/saml/{org}",
            Audience::Departments(&[DSN, PRD, MKT]),
        ),
        saml(
            "Zendesk",
            "zendesk",
            "https://{org}.zendesk.com/access/saml",
            "https://{org}.zendesk.com",
            Audience::Departments(&[SUP]),
        ),
        saml(
            "HubSpot",
            "hubspot",
            "https://api.hubspot.com/login-api/v1/saml/acs",
            "https://api.hubspot.com",
            Audience::Departments(&[MKT, SLS]),
        ),
        saml(
            "Greenhouse",
            "greenhouse",
            "https://app.greenhouse.io/users/saml/consume",
            "https://app.greenhouse.io",
            Audience::Departments(&[HR]),
        ),
        saml(
            "NetSuite",
            "netsuite",
            "https://system.netsuite.com/saml2/acs",
            "http://www.netsuite.com/sp",
            Audience::Departments(&[FIN]),
        ),
        saml(
            "CrowdStrike Falcon",
            "crowdstrike",
            "https://falcon.crowdstrike.com/saml/acs",
            "https://falcon.crowdstrike.com/saml/metadata",
            Audience::Departments(&[SEC, IT]),
        ),
        saml(
            "Splunk Cloud",
            "splunk",
            "https://{org}.splunkcloud.com/saml/acs",
            "{org}.splunkcloud.com",
            Audience::Departments(&[SEC, IT, ENG]),
        ),
        oidc("1Password", "web", "https://{org}.1password.com/", Audience::Departments(&[IT, ENG, SEC])),
        link(
            "LinkedIn Sales Navigator",
            "linkedin",
            SignOnMode::AutoLogin,
            "https://www.linkedin.com/sales/login",
            Audience::Departments(&[SLS]),
        ),
        link(
            "X Corporate Account",
            "template_sps",
            SignOnMode::SecurePasswordStore,
            "https://x.com/login",
            Audience::Departments(&[MKT]),
        ),
        link(
            "\"Ask HR\" <Beta>",
            "bookmark",
            SignOnMode::Bookmark,
            "https://askhr.{domain}/?src=okta&beta=1",
            Audience::Departments(&[HR]),
        ),
        link("Benefits Portal", "bookmark", SignOnMode::Bookmark, "https://benefits.{domain}/", Audience::Internal),
        link(
            "Jenkins (Legacy)",
            "template_basic_auth",
            SignOnMode::BasicAuth,
            "https://jenkins.{domain}/login",
            Audience::Departments(&[ENG]),
        ),
        saml(
            "Notion",
            "notion",
            "https://www.notion.so/sso/saml",
            "https://www.notion.so/sso/saml/{org}",
            Audience::Departments(&[PRD, DSN, MKT]),
        ),
        saml("Miro", "miro", "https://miro.com/sso/saml", "https://miro.com/", Audience::Departments(&[PRD, DSN])),
        saml("Gong", "gong", "https://app.gong.io/saml/acs", "https://app.gong.io", Audience::Departments(&[SLS])),
        link(
            "Bank of America CashPro",
            "template_swa",
            SignOnMode::BrowserPlugin,
            "https://cashproonline.bankofamerica.com/",
            Audience::Departments(&[FIN]),
        ),
        federated(
            "Legacy Intranet",
            "",
            SignOnMode::Saml11,
            "https://intranet.{domain}/saml11/acs",
            "https://intranet.{domain}",
            Audience::Internal,
        ),
        federated(
            "SharePoint On-Premises",
            "template_wsfed",
            SignOnMode::WsFederation,
            "https://sharepoint.{domain}/_trust/",
            "urn:sharepoint:{org}",
            Audience::Departments(&[OPS, LGL]),
        ),
    ];

    /// Internal tools that fill orgs with many apps, one per environment.
    #[rustfmt::skip]
    pub(super) const TOOLS: &[&str] = &[
        "Grafana", "Kibana", "Argo CD", "Vault", "Harbor", "Airflow", "Metabase", "Sentry", "Backstage", "Rundeck",
        "Superset", "JupyterHub", "Prometheus", "SonarQube", "Nexus", "Spinnaker", "Retool", "Looker", "Redash",
        "Kafka UI", "pgAdmin", "Admin Portal", "Billing Console", "Feature Flags", "Release Dashboard",
        "Incident Tracker", "Asset Inventory", "Payroll Reports", "Office Booking", "Team Wiki", "Build Farm",
        "Customer 360", "Quote Builder", "Commission Tracker", "Legal Hold", "Travel Desk", "Lab Scheduler",
        "Data Catalog", "Cost Explorer", "Status Page",
    ];

    pub(super) const ENVIRONMENTS: &[&str] =
        &["prod", "staging", "dev", "eu", "us", "apac", "sandbox", "qa", "dr", "lab"];

    /// How internal tools sign users in.
    pub(super) const TOOL_MODES: &[(SignOnMode, u32)] = &[
        (SignOnMode::Saml20, 45),
        (SignOnMode::OpenIdConnect, 22),
        (SignOnMode::Bookmark, 10),
        (SignOnMode::AutoLogin, 8),
        (SignOnMode::BasicAuth, 6),
        (SignOnMode::SecurePasswordStore, 3),
        (SignOnMode::BrowserPlugin, 2),
        (SignOnMode::Saml11, 2),
        (SignOnMode::WsFederation, 2),
    ];

    /// Okta Verify devices: `deviceType`, `name`, `platform`, OS versions.
    pub(super) const PHONES: &[(&str, &str, &str, &[&str])] = &[
        ("SmartPhone_IPhone", "iPhone", "IOS", &["17.2", "17.5", "18.1", "18.3"]),
        ("SmartPhone_Android", "Pixel 8", "ANDROID", &["14", "15"]),
        ("SmartPhone_Android", "Galaxy S24", "ANDROID", &["14", "15"]),
    ];

    pub(super) const AUTHENTICATORS: &[&str] =
        &["Touch ID", "Face ID", "YubiKey 5 NFC", "Windows Hello", "Google Titan Security Key"];

    /// Which group, if any, a custom role is bound to besides individual users.
    #[derive(Clone, Copy)]
    pub(super) enum CustomRoleGroup {
        HelpDesk,
        SecurityOps,
    }

    pub(super) struct CustomRoleSpec {
        pub label: &'static str,
        pub description: &'static str,
        pub permissions: &'static [&'static str],
        /// Indices into [`RESOURCE_SETS`] the role is bound over.
        pub resource_sets: &'static [usize],
        pub group_member: Option<CustomRoleGroup>,
    }

    /// Custom roles; an org has the first three to five.
    pub(super) const CUSTOM_ROLES: &[CustomRoleSpec] = &[
        CustomRoleSpec {
            label: "Password Reset Operator",
            description: "Resets and expires passwords of users in scope",
            permissions: &[
                "okta.users.read",
                "okta.users.credentials.resetPassword",
                "okta.users.credentials.expirePassword",
            ],
            resource_sets: &[0],
            group_member: Some(CustomRoleGroup::HelpDesk),
        },
        CustomRoleSpec {
            label: "App Assignment Manager",
            description: "Assigns users and groups to the applications in scope",
            permissions: &["okta.apps.read", "okta.apps.assignment.manage", "okta.groups.read"],
            resource_sets: &[1],
            group_member: None,
        },
        CustomRoleSpec {
            label: "Group Auditor",
            description: "Reads groups and their members for access reviews",
            permissions: &["okta.groups.read", "okta.users.read"],
            resource_sets: &[2, 4],
            group_member: Some(CustomRoleGroup::SecurityOps),
        },
        CustomRoleSpec {
            label: "Lifecycle Operator",
            description: "Activates, suspends and deactivates users in scope",
            permissions: &[
                "okta.users.read",
                "okta.users.lifecycle.activate",
                "okta.users.lifecycle.suspend",
                "okta.users.lifecycle.unsuspend",
                "okta.users.lifecycle.deactivate",
            ],
            resource_sets: &[3],
            group_member: None,
        },
        CustomRoleSpec {
            label: "MFA Reset Desk",
            description: "Resets the MFA factors of users in scope",
            permissions: &["okta.users.read", "okta.users.credentials.resetFactors"],
            resource_sets: &[0],
            group_member: None,
        },
    ];

    /// What a resource set holds; the resources themselves depend on the org's layout.
    #[derive(Clone, Copy)]
    pub(super) enum ResourceScope {
        /// The Support and Operations groups and their members.
        FrontlineSupport,
        /// The AWS and GitHub apps.
        EngineeringApps,
        /// The first project groups and their members.
        ProjectGroups,
        AllUsers,
        /// All users, groups and apps.
        DirectoryWide,
    }

    /// Resource sets: label, description and contents.
    pub(super) const RESOURCE_SETS: &[(&str, &str, ResourceScope)] = &[
        ("Frontline Support Scope", "Support and Operations groups and their members", ResourceScope::FrontlineSupport),
        ("Engineering Applications", "Cloud and source-code applications", ResourceScope::EngineeringApps),
        ("Project Groups", "The oldest project groups and their members", ResourceScope::ProjectGroups),
        ("All Users", "Every user in the org", ResourceScope::AllUsers),
        ("Directory-wide", "All users, groups and applications", ResourceScope::DirectoryWide),
    ];

    pub(super) const TOKEN_NAMES: &[&str] = &[
        "Terraform",
        "SCIM sync",
        "Okta Workflows",
        "Splunk Add-on",
        "Jenkins CI",
        "HR onboarding script",
        "Audit export",
        "Backup job",
        "ServiceNow integration",
        "Postman testing",
        "legacy-sync (do not delete)",
        "Datadog integration",
        "Access review export",
        "rockstar",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::geo::HOSTILE_START;
    use chrono::TimeZone;
    use chrono::Utc;
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    fn now() -> Ts {
        Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
    }

    fn org(users: usize, seed: u64) -> Org {
        generate(&OrgParams::sized(users, seed, now()))
    }

    /// A digest of everything in the org (its Debug rendering covers every field).
    fn digest(org: &Org) -> u64 {
        let mut hasher = DefaultHasher::new();
        format!("{org:?}").hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn same_seed_and_now_give_the_same_org() {
        let (a, b) = (org(1_000, 42), org(1_000, 42));
        assert_eq!(a.org_id, b.org_id);
        assert_eq!(
            a.users.iter().map(|u| &u.id).collect::<Vec<_>>(),
            b.users.iter().map(|u| &u.id).collect::<Vec<_>>()
        );
        assert_eq!(a.role_assignments.len(), b.role_assignments.len());
        assert_eq!(digest(&a), digest(&b));
    }

    #[test]
    fn different_seeds_give_different_orgs() {
        let (a, b) = (org(1_000, 1), org(1_000, 2));
        assert_ne!(a.org_id, b.org_id);
        assert_ne!(a.users[5].profile.login, b.users[5].profile.login);
        assert_ne!(digest(&a), digest(&b));
    }

    #[test]
    fn more_apps_leave_the_people_alone() {
        let mut params = OrgParams::sized(500, 9, now());
        let a = generate(&params);
        params.apps += 30;
        let b = generate(&params);
        assert_eq!(
            a.users.iter().map(|u| &u.id).collect::<Vec<_>>(),
            b.users.iter().map(|u| &u.id).collect::<Vec<_>>()
        );
        assert_eq!(b.apps.len(), a.apps.len() + 30);
    }

    #[test]
    fn counts_follow_the_params() {
        for users in [50, 777, 5_000] {
            let params = OrgParams::sized(users, 3, now());
            let org = generate(&params);
            assert_eq!(org.users.len(), users);
            assert_eq!(org.groups.len(), params.groups);
            assert_eq!(org.apps.len(), params.apps);
            assert_eq!(org.group_members.len(), org.groups.len());
            assert_eq!(org.group_owners.len(), org.groups.len());
            assert_eq!(org.app_user_assignments.len(), org.apps.len());
            assert_eq!(org.app_group_assignments.len(), org.apps.len());
            assert_eq!(org.factors.len(), org.users.len());
            assert!(org.oauth_clients.is_empty());
            assert!(org.has_governance);
            assert!(org.org_id.starts_with("00o"));
        }
        let explicit = OrgParams { seed: 1, users: 120, groups: 3, apps: 1, now: now(), governance: false };
        let org = generate(&explicit);
        assert_eq!((org.groups.len(), org.apps.len()), (MIN_GROUPS, MIN_APPS));
        assert!(org.group_owners.iter().all(Vec::is_empty));
        assert!(!org.has_governance);
    }

    #[test]
    fn the_smallest_layout_has_room_for_every_kind_of_group() {
        let layout = GroupLayout::new(MIN_GROUPS);
        assert!(layout.projects.len() >= SPECIAL_PROJECT_GROUPS.len());
        assert!(layout.ad_open().len() >= 2, "AD groups besides the admins' group");
        assert_eq!(layout.ad.end, MIN_GROUPS);
        assert_eq!(layout.projects.end, layout.ad.start);
    }

    #[test]
    fn core_apps_sit_where_the_generator_expects_them() {
        let org = org(50, 4);
        assert_eq!(org.apps[SLACK_APP].label, "Slack");
        assert_eq!(org.apps[ACTIVE_DIRECTORY_APP].name, "active_directory");
        assert!(
            matches!(&org.apps[ACTIVE_DIRECTORY_APP].details, AppDetails::Directory { domain } if domain.starts_with("corp."))
        );
        assert_eq!(org.apps[AWS_APP].name, "amazon_aws_sso");
        assert_eq!(org.apps[GITHUB_APP].name, "githubcloud");
        assert!(org.apps.iter().any(|a| a.name == "okta_org2org"));
    }

    #[test]
    fn sized_scales_groups_and_apps() {
        let small = OrgParams::sized(50, 1, now());
        assert_eq!((small.groups, small.apps), (MIN_GROUPS, 25));
        assert!(OrgParams::sized(300, 1, now()).apps > 20, "more than one page of apps");
        let big = OrgParams::sized(300_000, 1, now());
        assert_eq!((big.groups, big.apps), (12_000, 400));
        assert_eq!(OrgParams::sized(1_000_000, 1, now()).groups, 20_000);
    }

    #[test]
    fn every_status_and_sign_on_mode_appears_at_2000_users() {
        let org = org(2_000, 11);
        for status in UserStatus::ALL {
            assert!(org.users.iter().any(|u| u.status == status), "no {} user", status.as_str());
        }
        for mode in SignOnMode::ALL {
            assert!(org.apps.iter().any(|a| a.sign_on_mode == mode), "no {} app", mode.as_str());
        }
        let active = org.users.iter().filter(|u| u.status == UserStatus::Active).count();
        assert!((1_600..1_800).contains(&active), "{active} active of 2000");
        assert!(org.apps.iter().any(|a| !a.active), "some app is inactive");
        let dormant_before = now() - secs(90 * DAY);
        assert!(
            org.users
                .iter()
                .any(|u| u.status == UserStatus::Active && u.last_login.is_some_and(|t| t < dormant_before)),
            "some active users are dormant"
        );
    }

    #[test]
    fn statuses_are_covered_from_200_users() {
        for seed in 0..20 {
            let org = org(200, seed);
            for status in UserStatus::ALL {
                assert!(org.users.iter().any(|u| u.status == status), "seed {seed}: no {}", status.as_str());
            }
        }
    }

    #[test]
    fn the_super_admin_comes_first() {
        let org = org(300, 5);
        let admin = &org.users[0];
        assert_eq!(admin.profile.login, format!("admin@{}", org.email_domain));
        assert_eq!(admin.status, UserStatus::Active);
        assert!(org.role_assignments.iter().any(|r| r.principal == Principal::User(0)
            && r.role == RoleKind::Standard("SUPER_ADMIN")
            && r.targets.is_empty()
            && r.expiration.is_none()));
    }

    #[test]
    fn the_collector_is_a_read_only_service_app() {
        let org = org(300, 5);
        let collectors: Vec<usize> =
            (0..org.apps.len()).filter(|&a| org.apps[a].label == "Sightline Collector").collect();
        assert_eq!(collectors.len(), 1);
        let a = collectors[0];
        assert!(org.apps[a].active);
        let AppDetails::Oidc {
            client_id,
            application_type,
            token_endpoint_auth_method,
            grant_types,
            dpop_bound_access_tokens,
            ..
        } = &org.apps[a].details
        else {
            panic!("the collector is an OIDC app");
        };
        assert_eq!(client_id, &org.apps[a].id);
        assert_eq!((*application_type, *token_endpoint_auth_method), ("service", "private_key_jwt"));
        assert_eq!(grant_types, &vec!["client_credentials"]);
        assert!(dpop_bound_access_tokens);
        assert!(
            org.role_assignments
                .iter()
                .any(|r| r.principal == Principal::Client(a) && r.role == RoleKind::Standard("READ_ONLY_ADMIN"))
        );
        let other_service_apps = org
            .apps
            .iter()
            .filter(|app| app.label != "Sightline Collector")
            .filter(|app| matches!(app.details, AppDetails::Oidc { application_type: "service", .. }))
            .count();
        assert!((1..=3).contains(&other_service_apps), "{other_service_apps} other service apps");
    }

    #[test]
    fn a_50_user_org_keeps_its_landmarks() {
        let org = org(50, 8);
        assert_eq!(org.users.len(), 50);
        assert_eq!(org.groups[0].name, "Everyone");
        assert_eq!(org.groups[0].group_type, GroupType::BuiltIn);
        assert_eq!(org.groups[0].description.as_deref(), Some("All users in your organization"));
        assert!(org.users[0].profile.login.starts_with("admin@"));
        assert!(org.apps.iter().any(|a| matches!(a.details, AppDetails::Oidc { application_type: "service", .. })));
        assert!(
            org.apps.iter().any(|a| matches!(a.details, AppDetails::Directory { .. }) && a.name == "active_directory")
        );
        assert!(org.groups.iter().any(|g| g.group_type == GroupType::AppGroup));
        assert!(org.custom_roles.len() >= 3);
        assert!(org.api_tokens.len() >= 3);
        for mode in SignOnMode::ALL {
            assert!(org.apps.iter().any(|a| a.sign_on_mode == mode), "no {} app", mode.as_str());
        }
        check_integrity(&org);
    }

    #[test]
    fn referential_integrity_holds() {
        for (users, seed) in [(2_000, 21), (3_333, 22), (50, 23)] {
            check_integrity(&org(users, seed));
        }
    }

    fn check_integrity(org: &Org) {
        let (nu, ng, na) = (org.users.len(), org.groups.len(), org.apps.len());
        let usable = |u: usize| u < nu && !gone(&org.users[u]);

        // Unique ids and logins.
        let mut ids = HashSet::new();
        let all_ids = org
            .users
            .iter()
            .map(|u| &u.id)
            .chain(org.groups.iter().map(|g| &g.id))
            .chain(org.apps.iter().map(|a| &a.id))
            .chain(org.factors.iter().flatten().map(|f| &f.id))
            .chain(org.role_assignments.iter().map(|r| &r.id))
            .chain(org.custom_roles.iter().map(|r| &r.id))
            .chain(org.resource_sets.iter().map(|s| &s.id))
            .chain(org.resource_sets.iter().flat_map(|s| s.resources.iter().map(|r| &r.id)))
            .chain(org.api_tokens.iter().map(|t| &t.id));
        for id in all_ids {
            assert_eq!(id.len(), 20, "{id}");
            assert!(ids.insert(id.clone()), "duplicate id {id}");
        }
        let mut logins = HashSet::new();
        for user in &org.users {
            let login = &user.profile.login;
            assert!(logins.insert(login.clone()), "duplicate login {login}");
            assert!(login.is_ascii() && login == &login.to_lowercase(), "{login}");
            assert!(login.ends_with(&format!("@{}", org.email_domain)));
        }

        // People.
        let user_ids: HashMap<&str, usize> = org.users.iter().enumerate().map(|(i, u)| (u.id.as_str(), i)).collect();
        for (i, user) in org.users.iter().enumerate() {
            assert!(user.home_location < HOSTILE_START);
            let place = &LOCATIONS[user.home_location];
            assert_eq!(user.profile.city.as_deref(), Some(place.city));
            assert_eq!(user.profile.country_code.as_deref(), Some(place.country_code));
            if let Some(manager) = &user.profile.manager_id {
                let m = user_ids[manager.as_str()];
                assert_ne!(m, i, "nobody manages themselves");
            }
            check_timeline(user, org.created);
        }

        // Groups and members.
        for (g, group) in org.groups.iter().enumerate() {
            assert!(group.created >= org.created && group.created <= now());
            match group.group_type {
                GroupType::AppGroup => {
                    let source = group.source_app.expect("app groups have a source app");
                    assert!(matches!(org.apps[source].details, AppDetails::Directory { .. }));
                    let ad = group.ad.as_ref().expect("AD groups have an AD profile");
                    assert!(ad.dn.starts_with(&format!("CN={},", ad.sam_account_name)));
                    assert!(ad.object_sid.starts_with("S-1-5-21-"));
                    assert!(ad.windows_domain_qualified_name.starts_with("CORP\\"));
                }
                _ => assert!(group.source_app.is_none() && group.ad.is_none()),
            }
            let members = &org.group_members[g];
            assert!(members.windows(2).all(|w| w[0] < w[1]), "members of {} sorted and unique", group.name);
            assert!(members.iter().all(|&u| usable(u)), "no deprovisioned member in {}", group.name);
        }
        let everyone: Vec<usize> = (0..nu).filter(|&u| usable(u)).collect();
        assert_eq!(org.group_members[EVERYONE], everyone);
        for (g, owners) in org.group_owners.iter().enumerate() {
            if !owners.is_empty() {
                assert_eq!(org.groups[g].group_type, GroupType::OktaGroup);
            }
            for owner in owners {
                match owner.owner {
                    OwnerKind::User(u) => assert!(usable(u)),
                    OwnerKind::Group(o) => assert!(o < ng && o != g),
                }
            }
        }

        // Apps and assignments.
        for (a, app) in org.apps.iter().enumerate() {
            if let AppDetails::Oidc { client_id, .. } = &app.details {
                assert_eq!(client_id, &app.id);
            }
            let users: Vec<usize> = org.app_user_assignments[a].iter().map(|x| x.user).collect();
            assert!(users.windows(2).all(|w| w[0] < w[1]), "direct assignments of {} unique", app.label);
            assert!(users.iter().all(|&u| usable(u)), "no deprovisioned user assigned to {}", app.label);
            let groups: Vec<usize> = org.app_group_assignments[a].iter().map(|x| x.group).collect();
            assert!(groups.iter().all(|&g| g < ng));
            let mut priorities: Vec<i64> = org.app_group_assignments[a].iter().map(|x| x.priority).collect();
            priorities.dedup();
            assert_eq!(priorities.len(), groups.len(), "distinct priorities on {}", app.label);
        }

        // Roles.
        for role in &org.role_assignments {
            match role.principal {
                Principal::User(u) => assert!(usable(u), "role holder {u} usable"),
                Principal::Group(g) => assert!(g < ng),
                Principal::Client(a) => {
                    assert!(matches!(org.apps[a].details, AppDetails::Oidc { application_type: "service", .. }))
                }
            }
            match &role.role {
                RoleKind::Standard(_) => assert!(role.id.starts_with("ra1")),
                RoleKind::Custom { role: r, resource_set } => {
                    assert!(role.id.starts_with("irb"));
                    assert!(*r < org.custom_roles.len() && *resource_set < org.resource_sets.len());
                    assert!(role.targets.is_empty());
                }
            }
            for target in &role.targets {
                match target {
                    RoleTarget::Group(g) => assert!(*g < ng),
                    RoleTarget::App(a) => assert!(*a < na),
                    RoleTarget::AppCatalog(name) => assert!(!name.is_empty()),
                }
            }
            assert!(role.created <= role.last_updated && role.last_updated <= now());
            if let Some(expiration) = role.expiration {
                assert!(expiration > now());
            }
        }
        for set in &org.resource_sets {
            for resource in &set.resources {
                match resource.resource {
                    ResourceRef::Group(g) | ResourceRef::GroupMembers(g) => assert!(g < ng),
                    ResourceRef::App(a) => assert!(a < na),
                    _ => {}
                }
            }
        }
        for token in &org.api_tokens {
            assert!(usable(token.user));
            assert!(org.role_assignments.iter().any(|r| r.principal == Principal::User(token.user)));
            assert_eq!(token.secret.len(), 42);
            assert!(token.secret.starts_with("00"));
            assert_eq!(token.network_connection == "ZONE", !token.network_include.is_empty());
        }
    }

    fn check_timeline(user: &User, org_created: Ts) {
        let login = &user.profile.login;
        assert!(user.created >= org_created && user.created < now(), "{login}");
        assert!(user.last_updated >= user.created && user.last_updated <= now(), "{login}");
        match user.status {
            UserStatus::Staged => assert!(user.activated.is_none() && user.status_changed.is_none()),
            UserStatus::Provisioned => assert!(user.activated.is_none() && user.status_changed.is_some()),
            _ => {
                let activated = user.activated.expect("activated");
                let changed = user.status_changed.expect("status changed");
                assert!(user.created < activated && activated <= changed && changed <= now(), "{login}");
                if let Some(login_at) = user.last_login {
                    assert!(login_at >= activated && login_at <= now(), "{login}");
                }
                if let Some(password) = user.password_changed {
                    assert!(password >= activated && password <= user.last_updated, "{login}");
                }
            }
        }
        if user.activated.is_none() {
            assert!(user.last_login.is_none(), "{login} never activated, never signed in");
        }
    }

    #[test]
    fn names_are_as_varied_as_real_ones() {
        let org = org(2_000, 13);
        let names: Vec<String> =
            org.users.iter().map(|u| format!("{} {}", u.profile.first_name, u.profile.last_name)).collect();
        assert!(names.iter().any(|n| !n.is_ascii()), "unicode names");
        assert!(names.iter().any(|n| n.contains('\'')), "apostrophes");
        assert!(
            org.users.iter().any(|u| u.profile.display_name.as_deref().is_some_and(|d| d.contains('"'))),
            "quoted nicknames"
        );
        assert!(org.groups.iter().any(|g| g.name.contains('&') && g.name.contains('<')), "HTML in group names");
        assert!(org.groups.iter().any(|g| g.name.contains('"')), "quotes in group names");
        assert!(org.apps.iter().any(|a| a.label.contains('&')), "HTML in app labels");
        let departments: HashSet<&str> = org.users.iter().filter_map(|u| u.profile.department.as_deref()).collect();
        assert_eq!(departments.len(), DEPARTMENTS.len());
        assert!(
            org.users
                .iter()
                .filter(|u| u.provider_type == "ACTIVE_DIRECTORY")
                .all(|u| u.provider_name.starts_with("corp."))
        );
    }

    #[test]
    fn name_tables_give_ascii_logins() {
        for culture in CULTURES {
            for spec in culture.given.iter().chain(culture.family) {
                let name = Name::parse(spec);
                assert!(!name.login.is_empty(), "{spec}");
                assert!(name.login.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{spec} → {}", name.login);
            }
        }
    }

    #[test]
    fn assignments_reach_the_right_groups() {
        let params = OrgParams::sized(2_000, 17, now());
        let org = generate(&params);
        let layout = GroupLayout::new(params.groups);
        for a in [0, 1, 2] {
            assert!(
                org.app_group_assignments[a].iter().any(|x| x.group == EVERYONE),
                "{} for everyone",
                org.apps[a].label
            );
        }
        let aws = &org.app_group_assignments[AWS_APP];
        let engineering = aws.iter().find(|x| x.group == layout.department(ENG)).expect("engineering uses AWS");
        assert_eq!(engineering.profile.get("role"), Some(&Value::String("Developer".into())));
        let ad_users = org.users.iter().filter(|u| u.provider_type == "ACTIVE_DIRECTORY" && !gone(u)).count();
        assert_eq!(org.app_user_assignments[ACTIVE_DIRECTORY_APP].len(), ad_users);
        assert!(org.app_user_assignments.iter().flatten().any(|x| !x.profile.is_empty()));
        assert!(org.groups[layout.help_desk].name == "IT Help Desk" && !org.group_members[layout.help_desk].is_empty());
        assert!(org.role_assignments.iter().any(|r| r.principal == Principal::Group(layout.help_desk)
            && r.role == RoleKind::Standard("HELP_DESK_ADMIN")
            && !r.targets.is_empty()));
    }

    #[test]
    fn admins_roles_and_tokens_look_like_a_real_org() {
        let org = org(5_000, 19);
        let standard: HashSet<&str> = org
            .role_assignments
            .iter()
            .filter_map(|r| match r.role {
                RoleKind::Standard(kind) => Some(kind),
                RoleKind::Custom { .. } => None,
            })
            .collect();
        for (role, _) in STANDARD_ROLE_MIX {
            assert!(standard.contains(role), "no {role}");
        }
        assert!(org.role_assignments.iter().any(|r| r.expiration.is_some()), "some grants are time-bound");
        assert!(org.role_assignments.iter().any(|r| matches!(r.targets.first(), Some(RoleTarget::App(_)))));
        assert!(
            org.role_assignments
                .iter()
                .any(|r| matches!(r.principal, Principal::Group(_)) && matches!(r.role, RoleKind::Custom { .. }))
        );
        let user_admins: HashSet<usize> = org
            .role_assignments
            .iter()
            .filter_map(|r| match r.principal {
                Principal::User(u) => Some(u),
                _ => None,
            })
            .collect();
        let active = org.users.iter().filter(|u| u.status == UserStatus::Active).count();
        assert!(user_admins.len() * 200 >= active && user_admins.len() * 50 <= active, "{} admins", user_admins.len());
        assert!(org.api_tokens.iter().any(|t| t.network_connection == "ANYWHERE"));
        assert!(org.api_tokens.iter().all(|t| t.token_window == "P30D" && t.client_name == "Okta API"));
        let with_factors = org.factors.iter().filter(|f| !f.is_empty()).count();
        assert!(with_factors > active * 3 / 4 && with_factors < org.users.len());
    }
}
