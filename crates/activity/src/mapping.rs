/*!
Mapping tables: a source's event type → our category and an OCSF activity.

Each source keeps one table in its module, a plain list that reads like the documentation it
comes from. A pattern is either an exact event type or a prefix ending in `*`; an exact match
wins, then the longest prefix, so a table can say "everything under `user.mfa.` is MFA" and still
single out `user.mfa.factor.activate`.
*/

use crate::ocsf::Activity;

/// One row of a mapping table: event type pattern, category, OCSF activity.
pub(crate) type Rule = (&'static str, &'static str, Activity);

/// The category and activity of `event_type` in `rules` (ASCII case ignored), if any row matches.
pub(crate) fn lookup(rules: &[Rule], event_type: &str) -> Option<(&'static str, Activity)> {
    let mut best: Option<(usize, &Rule)> = None;
    for rule in rules {
        match rule.0.strip_suffix('*') {
            None if rule.0.eq_ignore_ascii_case(event_type) => return Some((rule.1, rule.2)),
            Some(prefix)
                if event_type.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
                    && best.is_none_or(|(len, _)| prefix.len() > len) =>
            {
                best = Some((prefix.len(), rule))
            }
            _ => {}
        }
    }
    best.map(|(_, rule)| (rule.1, rule.2))
}

/// Checks a table's rows: categories from the vocabulary, `*` only at the end, no pattern twice.
#[cfg(test)]
pub(crate) fn check_table(name: &str, rules: &[Rule]) {
    let mut seen = std::collections::HashSet::new();
    for (pattern, category, activity) in rules {
        assert!(crate::category::ALL.contains(category), "{name}: `{pattern}` has unknown category {category}");
        assert!(!pattern.trim_end_matches('*').contains('*'), "{name}: `{pattern}` has a `*` inside");
        assert!(seen.insert(pattern.to_ascii_lowercase()), "{name}: `{pattern}` appears twice");
        assert!(activity.id > 0, "{name}: `{pattern}` has activity 0");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::category::*;
    use crate::ocsf::*;

    const RULES: &[Rule] = &[
        ("user.mfa.*", MFA, ACCOUNT_OTHER),
        ("user.mfa.factor.*", MFA, ACCOUNT_OTHER),
        ("user.mfa.factor.activate", MFA, ACCOUNT_MFA_ENABLE),
        ("user.*", ACCOUNT, ACCOUNT_OTHER),
    ];

    #[test]
    fn exact_then_longest_prefix() {
        assert_eq!(lookup(RULES, "user.mfa.factor.activate"), Some((MFA, ACCOUNT_MFA_ENABLE)));
        assert_eq!(lookup(RULES, "USER.MFA.FACTOR.ACTIVATE"), Some((MFA, ACCOUNT_MFA_ENABLE)));
        assert_eq!(lookup(RULES, "user.mfa.factor.reset_all"), Some((MFA, ACCOUNT_OTHER)));
        assert_eq!(lookup(RULES, "user.lifecycle.create"), Some((ACCOUNT, ACCOUNT_OTHER)));
        assert_eq!(lookup(RULES, "group.lifecycle.create"), None);
        assert_eq!(lookup(RULES, "usé"), None);
        check_table("test", RULES);
    }
}
