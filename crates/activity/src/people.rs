/*!
From person hints to one person id across sources.

The canonical person is an Okta user, named by their login in lower case, because Okta is the
identity provider every other account hangs off: IAM Identity Center and SAML federation name
AWS sessions after the Okta login, GitHub links SAML identities to it, Teleport users are often
the same address. Anyone Okta doesn't know is named by the best clue the event has.
*/

use crate::event::{PersonHint, PersonHintKind};
use crate::json::looks_like_email;
use std::collections::{HashMap, HashSet};

/// Resolves [`PersonHint`]s to a canonical person id.
///
/// Rules, in order:
/// 1. A hint that names an Okta user wins: an Okta user id matches the user's id; a login, email,
///    AWS session name, IAM user name, SAML NameID or Teleport user matches the user's login or
///    email; a GitHub login matches through the configured mapping. All comparisons ignore case.
///    Hints are tried strongest first (Okta id, Okta login, email, SAML NameID, AWS session name,
///    GitHub login, Teleport user, IAM user), so conflicting hints resolve the same way every time.
/// 2. Else a GitHub login in the mapping resolves to the configured person, even one Okta doesn't
///    know.
/// 3. Else the first hint that looks like an email address, lower-cased.
/// 4. Else nobody: a bare IAM user or Teleport user name could be anyone's.
#[derive(Debug, Clone, Default)]
pub struct PersonResolver {
    /// Okta user id → person.
    ids: HashMap<String, String>,
    /// Okta login or email → person.
    names: HashMap<String, String>,
    /// GitHub login → person (an Okta person when the configured value is a login or email).
    github: HashMap<String, String>,
    /// Every Okta person.
    okta: HashSet<String>,
}

/// The order hints are tried in, strongest first.
const PRIORITY: [PersonHintKind; 8] = [
    PersonHintKind::OktaUserId,
    PersonHintKind::OktaLogin,
    PersonHintKind::Email,
    PersonHintKind::SamlNameId,
    PersonHintKind::AwsSessionName,
    PersonHintKind::GithubLogin,
    PersonHintKind::TeleportUser,
    PersonHintKind::AwsIamUser,
];

fn key(s: &str) -> String {
    s.trim().to_lowercase()
}

impl PersonResolver {
    /// A resolver for the Okta users `(id, login, email)` and the configured GitHub login →
    /// person mapping (a person is an Okta login or email, or any id the operator chooses).
    ///
    /// When one user's email is another's login, the login wins.
    pub fn new<I, A, B, C>(okta_users: I, github: HashMap<String, String>) -> PersonResolver
    where
        I: IntoIterator<Item = (A, B, C)>,
        A: AsRef<str>,
        B: AsRef<str>,
        C: AsRef<str>,
    {
        let mut r = PersonResolver::default();
        let mut emails = Vec::new();
        for (id, login, email) in okta_users {
            let person = key(login.as_ref());
            if person.is_empty() {
                continue;
            }
            let id = key(id.as_ref());
            if !id.is_empty() {
                r.ids.insert(id, person.clone());
            }
            r.names.insert(person.clone(), person.clone());
            emails.push((key(email.as_ref()), person.clone()));
            r.okta.insert(person);
        }
        for (email, person) in emails {
            if !email.is_empty() {
                r.names.entry(email).or_insert(person);
            }
        }
        for (login, person) in github {
            let person = key(&person);
            if !person.is_empty() {
                let person = r.names.get(&person).cloned().unwrap_or(person);
                r.github.insert(key(&login), person);
            }
        }
        r
    }

    /// The person behind `hints`, if any (see the rules on [`PersonResolver`]).
    pub fn resolve(&self, hints: &[PersonHint]) -> Option<String> {
        let by_priority = || PRIORITY.iter().flat_map(|kind| hints.iter().filter(move |h| h.kind == *kind));
        if let Some(person) = by_priority().find_map(|h| self.okta_person(h)) {
            return Some(person.clone());
        }
        let mapped = hints
            .iter()
            .filter(|h| h.kind == PersonHintKind::GithubLogin)
            .find_map(|h| self.github.get(&key(&h.value)));
        if let Some(person) = mapped {
            return Some(person.clone());
        }
        by_priority()
            .filter(|h| h.kind != PersonHintKind::OktaUserId)
            .map(|h| key(&h.value))
            .find(|v| looks_like_email(v))
    }

    fn okta_person(&self, hint: &PersonHint) -> Option<&String> {
        let value = key(&hint.value);
        match hint.kind {
            PersonHintKind::OktaUserId => self.ids.get(&value),
            PersonHintKind::GithubLogin => self.github.get(&value).filter(|p| self.okta.contains(*p)),
            _ => self.names.get(&value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver() -> PersonResolver {
        let users = [
            ("00uALICE", "Alice@Acme.com", "alice@acme.com"),
            ("00uBOB", "bob", "Bob.Builder@acme.com"),
            ("00uCARL", "carl@acme.com", "bob"),
        ];
        let github = HashMap::from([
            ("Alice-GH".to_string(), "alice@acme.com".to_string()),
            ("contractor-x".to_string(), "X@Vendor.example".to_string()),
        ]);
        PersonResolver::new(users, github)
    }

    fn h(kind: PersonHintKind, value: &str) -> PersonHint {
        PersonHint::new(kind, value)
    }

    fn resolve(hints: &[PersonHint]) -> Option<String> {
        resolver().resolve(hints)
    }

    #[test]
    fn okta_id_login_and_email_ignore_case() {
        assert_eq!(resolve(&[h(PersonHintKind::OktaUserId, "00ualice")]).as_deref(), Some("alice@acme.com"));
        assert_eq!(resolve(&[h(PersonHintKind::OktaLogin, "ALICE@acme.com")]).as_deref(), Some("alice@acme.com"));
        assert_eq!(resolve(&[h(PersonHintKind::Email, "bob.builder@ACME.com")]).as_deref(), Some("bob"));
    }

    #[test]
    fn a_login_beats_another_users_email() {
        assert_eq!(resolve(&[h(PersonHintKind::OktaLogin, "bob")]).as_deref(), Some("bob"));
    }

    #[test]
    fn aws_saml_and_teleport_names_match_okta() {
        assert_eq!(resolve(&[h(PersonHintKind::AwsSessionName, "alice@acme.com")]).as_deref(), Some("alice@acme.com"));
        assert_eq!(resolve(&[h(PersonHintKind::SamlNameId, "Bob.Builder@acme.com")]).as_deref(), Some("bob"));
        assert_eq!(resolve(&[h(PersonHintKind::TeleportUser, "carl@acme.com")]).as_deref(), Some("carl@acme.com"));
        assert_eq!(resolve(&[h(PersonHintKind::AwsIamUser, "bob")]).as_deref(), Some("bob"));
    }

    #[test]
    fn github_through_mapping_or_saml() {
        assert_eq!(resolve(&[h(PersonHintKind::GithubLogin, "alice-gh")]).as_deref(), Some("alice@acme.com"));
        assert_eq!(resolve(&[h(PersonHintKind::GithubLogin, "contractor-X")]).as_deref(), Some("x@vendor.example"));
        let hints = [h(PersonHintKind::GithubLogin, "someone"), h(PersonHintKind::SamlNameId, "carl@acme.com")];
        assert_eq!(resolve(&hints).as_deref(), Some("carl@acme.com"));
    }

    #[test]
    fn stronger_hints_win() {
        let hints = [h(PersonHintKind::TeleportUser, "bob"), h(PersonHintKind::OktaUserId, "00uCARL")];
        assert_eq!(resolve(&hints).as_deref(), Some("carl@acme.com"));
        // A configured GitHub person outside Okta yields to an Okta match from another hint.
        let hints = [h(PersonHintKind::GithubLogin, "contractor-x"), h(PersonHintKind::SamlNameId, "alice@acme.com")];
        assert_eq!(resolve(&hints).as_deref(), Some("alice@acme.com"));
    }

    #[test]
    fn unknown_people_by_their_email_or_not_at_all() {
        assert_eq!(
            resolve(&[h(PersonHintKind::AwsSessionName, "Dana@Other.example")]).as_deref(),
            Some("dana@other.example")
        );
        assert_eq!(resolve(&[h(PersonHintKind::TeleportUser, "root"), h(PersonHintKind::AwsIamUser, "ci-bot")]), None);
        assert_eq!(resolve(&[h(PersonHintKind::OktaUserId, "00uNOBODY")]), None);
        assert_eq!(resolve(&[h(PersonHintKind::GithubLogin, "stranger")]), None);
        assert_eq!(resolve(&[]), None);
    }
}
