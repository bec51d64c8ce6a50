//! `--exit-on-stdin-eof`, driven as a harness does: the mock holds a pipe on its stdin, and when
//! the writer goes (closed, or its process killed by SIGKILL) the mock stops gracefully. Every
//! wait is bounded; nothing asserts how fast.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_wa-stats-mock");
/// Upper bound for anything that should take milliseconds: reaching it is a hang, a failure.
const HANG: Duration = Duration::from_secs(30);

/// Kills the child when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(stdin: Stdio) -> Killed {
    let (child, base) = common::spawn_until_ready(
        Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--exit-on-stdin-eof"])
            .stdin(stdin)
            .stderr(Stdio::null()),
    );
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    Killed(child)
}

fn exit_within_hang(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + HANG;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the mock did not stop within {HANG:?} of its stdin closing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn closing_stdin_stops_the_mock_and_an_open_one_does_not() {
    let mut mock = start(Stdio::piped());
    let stdin = mock.0.stdin.take().unwrap();
    // Serving, with the pipe open: bytes written to it are ignored.
    let mut writer = stdin;
    std::io::Write::write_all(&mut writer, b"anything\n").unwrap();
    assert!(
        mock.0.try_wait().unwrap().is_none(),
        "stopped with stdin open"
    );
    drop(writer);
    let status = exit_within_hang(&mut mock.0);
    assert!(status.success(), "{status:?}");
}

#[test]
fn the_holder_killed_by_sigkill_takes_the_mock_with_it() {
    // `sleep` holds the write end, as a harness's process does; SIGKILL gives it no say.
    let mut holder = Killed(
        Command::new("sleep")
            .arg("600")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let pipe = holder.0.stdout.take().unwrap();
    let mut mock = start(Stdio::from(pipe));
    assert!(mock.0.try_wait().unwrap().is_none());
    holder.0.kill().unwrap();
    holder.0.wait().unwrap();
    let status = exit_within_hang(&mut mock.0);
    assert!(status.success(), "{status:?}");
}

#[test]
fn fixtures_on_stdin_are_refused_with_the_way_out() {
    let output = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--exit-on-stdin-eof",
            "--fixtures",
            "/dev/stdin",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--exit-on-stdin-eof needs stdin"),
        "{stderr}"
    );
    assert!(stderr.contains("/dev/fd/N"), "{stderr}");
    assert!(output.stdout.is_empty(), "no ready line");
}
