//! Users' Sigma rules: YAML, the rule parser and compiler, and evaluation over Okta events.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sightline_fuzz::sigma(data));
