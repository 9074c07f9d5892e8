//! Okta API response headers: `Link` paging, `X-Rate-Limit-*`, `Date`, `WWW-Authenticate`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| okta_client::fuzzing::fuzz_headers(data));
