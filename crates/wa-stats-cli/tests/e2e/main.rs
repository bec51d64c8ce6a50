//! End-to-end tests: the `wa-stats` binary run as a user would, against an in-process
//! `wa-stats-mock` on 127.0.0.1. One test binary for all of them, to link once.
//!
//! The binary runs through `std::process::Command` (no `assert_cmd`: the standard library gives
//! everything these tests need, without another dependency). No test asserts on wall-clock time.

mod credentials;
mod exit_status;
mod formats;
mod help;
mod shared_budget;
mod streams;

use std::io::Write;
use std::process::{Command, Stdio};

/// What one run of `wa-stats` gave.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Everything on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
}

/// Environment variables the binary reads; cleared for every run so that a developer's shell
/// cannot change a test's outcome.
const OWN_ENV: [&str; 8] = [
    "WA_STATS_BASE_URL",
    "WA_STATS_TOKEN",
    "WA_STATS_API_KEY",
    "WA_STATS_CLIENT_ID",
    "WA_STATS_CLIENT_SECRET",
    "WA_STATS_TOKEN_URL",
    "WA_STATS_SHARED_BUDGET",
    "RUST_LOG",
];

/// Runs `wa-stats args…` with `env` set and `stdin` (or nothing) on standard input. Blocking: the
/// mock serves from its own runtime's worker threads meanwhile.
pub fn wa_stats(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wa-stats"));
    command.args(args);
    for name in OWN_ENV {
        command.env_remove(name);
    }
    // Help text wraps at the terminal's width; fix it so snapshots do not depend on the runner.
    command.env("COLUMNS", "100").env("NO_COLOR", "1");
    command.envs(env.iter().copied());
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("the wa-stats binary runs");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(text.as_bytes())
            .expect("stdin accepts the IDs");
    }
    let output = child.wait_with_output().expect("wa-stats finishes");
    Run {
        code: output
            .status
            .code()
            .expect("wa-stats exits, not killed by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `wa-stats args… --base-url URL --token demo-token`.
pub fn with_token(base_url: &str, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--base-url", base_url, "--token", "demo-token"]);
    wa_stats(&all, &[], None)
}
