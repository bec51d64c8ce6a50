//! Load benchmark of the mock (see docs/performance.md).

fn main() {}
