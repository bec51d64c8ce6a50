//! Code shared by this crate's integration tests.

pub(crate) mod fuzz_checks;
