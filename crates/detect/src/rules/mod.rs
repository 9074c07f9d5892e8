//! The built-in rules: one module per rule family, each rule a [`BuiltinRule`] in [`catalogue`].

mod credential;

use crate::rule::BuiltinRule;

/// Every built-in rule, in the order the brief lists them.
pub fn catalogue() -> Vec<BuiltinRule> {
    vec![credential::brute_force_user(), credential::api_token_created()]
}
