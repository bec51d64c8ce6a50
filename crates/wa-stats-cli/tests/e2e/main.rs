//! End-to-end tests: the `wa-stats` binary run as a user would, against an in-process
//! `wa-stats-mock` on 127.0.0.1. One test binary for all of them, to link once.
//!
//! The binary runs through `std::process::Command` (no `assert_cmd`: the standard library gives
//! everything these tests need, without another dependency). No test asserts on wall-clock time.

mod credentials;
mod echoed_secrets;
mod endless_stdin;
mod exit_status;
mod fixture;
mod formats;
mod friction;
mod generate;
mod help;
mod https;
mod local_files;
mod not_an_answer;
mod profiles;
#[path = "../../../wa-stats-client/tests/common/redis_server.rs"]
mod redis_server;
mod run_ends;
mod series;
mod shared_budget;
mod shown_urls;
mod streams;
mod sync;
mod sync_ends;
mod sync_postgres;
mod sync_postgres_tls;
mod sync_reconcile;
mod sync_trial;
mod tap;
mod terminal_injection;
mod token_answers;
mod token_cache_failures;
mod token_fleet;

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// Clears what the binary reads from a developer's shell: every `WA_STATS_*` variable,
/// `RUST_LOG` and `NO_COLOR`; points `XDG_CONFIG_HOME` at a directory without profiles and
/// `XDG_CACHE_HOME` at a token cache of the run's own; fixes the
/// width. A test that needs one of these sets it again afterwards.
pub fn isolate(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("WA_STATS_") {
            command.env_remove(name);
        }
    }
    command.env_remove("RUST_LOG").env_remove("NO_COLOR");
    command.env(
        "XDG_CONFIG_HOME",
        concat!(env!("CARGO_TARGET_TMPDIR"), "/no-config"),
    );
    // A token cache of this run's own: not the developer's, and not another test's (a mock on
    // a port an earlier test's mock had would otherwise find that test's token). A test of the
    // cache itself sets one directory for all its runs.
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    command.env(
        "XDG_CACHE_HOME",
        format!(
            "{}/cache/{}-{run}",
            env!("CARGO_TARGET_TMPDIR"),
            std::process::id()
        ),
    );
    // Help text wraps at the terminal's width; fix it so snapshots do not depend on the runner.
    command.env("COLUMNS", "100");
}

/// Runs `command` (a shell line) on a pseudo-terminal with script(1), with the environment
/// isolated and `env` set, and returns what the terminal showed and whether it succeeded. Fails,
/// not skips, without script(1): `.ci/run` installs it (bsdutils).
pub fn on_a_terminal(command: &str, env: &[(&str, &str)]) -> (String, bool) {
    let mut script = Command::new("script");
    script
        .args(["-q", "-e", "-c", command, "/dev/null"])
        .stdin(Stdio::null());
    isolate(&mut script);
    script.envs(env.iter().copied());
    let output = script
        .output()
        .expect("script(1) runs (bsdutils); these tests need a pseudo-terminal");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.success(),
    )
}

/// Runs `wa-stats args…` with `env` set and `stdin` (or nothing) on standard input. Blocking: the
/// mock serves from its own runtime's worker threads meanwhile.
pub fn wa_stats(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wa-stats"));
    command.args(args);
    isolate(&mut command);
    command.env("NO_COLOR", "1");
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

/// A `wa-stats` command with the environment isolated, `NO_COLOR`, `env` set and stdout and stderr
/// piped, for a test that wires standard input itself and waits with [`finish_within`].
pub fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wa-stats"));
    command.args(args);
    isolate(&mut command);
    command.env("NO_COLOR", "1");
    command.envs(env.iter().copied());
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

/// Waits for `child` (with stdout and stderr piped) at most `limit`: past it, kills it and fails
/// the test, so that a hang is a failure and not a stuck test run. Also returns its peak
/// resident memory in KiB, read from /proc while it ran.
pub fn finish_within(mut child: Child, limit: Duration) -> (Run, u64) {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    // A bound on the wait, not a measure of speed: past it the child is killed and the test fails.
    let give_up = Instant::now() + limit;
    let mut peak_kib = 0;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wa-stats can be waited for") {
            break status;
        }
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()));
        if let Some(kib) = status.ok().as_deref().and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        }) {
            peak_kib = kib;
        }
        if Instant::now() > give_up {
            let _ = child.kill();
            let _ = child.wait();
            panic!("wa-stats still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let run = Run {
        code: status
            .code()
            .expect("wa-stats exits, not killed by a signal"),
        stdout: stdout.join().expect("stdout drained"),
        stderr: stderr.join().expect("stderr drained"),
    };
    (run, peak_kib)
}

/// Runs `wa-stats args…` with `env` set, nothing on stdin, and at most `limit` to finish.
pub fn wa_stats_within(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Run {
    let mut command = command(args, env);
    command.stdin(Stdio::null());
    finish_within(command.spawn().expect("the wa-stats binary runs"), limit).0
}
