//! Fuzz target: `check_parse_request` from the model's shared fuzz checks.
#![no_main]

#[path = "../../crates/wa-stats-model/tests/common/fuzz_checks.rs"]
#[allow(dead_code, reason = "each target uses one of the shared checks")]
mod fuzz_checks;

libfuzzer_sys::fuzz_target!(|input: &[u8]| fuzz_checks::check_parse_request(input));
