//! Okta API response bodies: JSON, every typed view, body paging, the token answer, error bodies.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| okta_client::fuzzing::fuzz_response(data));
