//! The github audit source: framing, gzip and normalisation of every record.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sightline_fuzz::activity(activity::Source::Github, data));
