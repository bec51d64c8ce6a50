//! Replays every input the fuzzers kept (crashes first among them) through the fuzzers' own
//! checks, so a fixed crash stays fixed under plain `cargo test`.

mod common;

use std::fs;
use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut count = 0;
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("readable directory entry").path();
        let input = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        check(&input);
        count += 1;
    }
    count
}

#[test]
fn parse_request_regressions() {
    assert!(replay("parse_request", common::fuzz_checks::check_parse_request) > 0);
}

#[test]
fn read_statistics_regressions() {
    assert!(
        replay(
            "read_statistics",
            common::fuzz_checks::check_read_statistics
        ) > 0
    );
}

#[test]
fn classify_error_regressions() {
    assert!(replay("classify_error", common::fuzz_checks::check_classify_error) > 0);
}
