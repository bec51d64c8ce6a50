//! The `wa-stats-mock` binary: the mock server on a TCP port, configured from the command line.

fn main() {}
