//! Standard input that never ends (issue 31, item 4), through real pipes: `yes 12345`, a line
//! that never ends, and a writer that stays open. Reading is bounded in memory, by the request
//! cap, by the ID cap and by `--deadline`; nothing is sent unless every ID was read and checked.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use wa_stats_mock::MockServer;

use crate::{command, finish_within};

const LIMIT: Duration = Duration::from_secs(20);
/// Peak resident memory a run that reads an endless stdin may reach: the cap on IDs (a million,
/// 8 MB) and the binary's own footprint, far below what an unbounded read reaches in seconds.
const PEAK_KIB: u64 = 120 * 1024;

fn campaign(base_url: &str, extra: &[&str]) -> Command {
    let mut args = vec![
        "campaign",
        "-",
        "--base-url",
        base_url,
        "--token",
        "demo-token",
    ];
    args.extend(extra);
    command(&args, &[])
}

/// `yes LINE | wa-stats …`, through a real pipe.
fn after_yes(line: &str, mut wa_stats: Command) -> (crate::Run, u64) {
    let mut yes = Command::new("yes")
        .arg(line)
        .stdout(Stdio::piped())
        .spawn()
        .expect("yes(1) runs");
    wa_stats.stdin(yes.stdout.take().expect("yes's stdout is piped"));
    let child = wa_stats.spawn().expect("the wa-stats binary runs");
    let ran = finish_within(child, LIMIT);
    // yes ends at its next write, on the closed pipe; make sure.
    let _ = yes.kill();
    let _ = yes.wait();
    ran
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_stdin_is_refused_at_the_request_cap_with_bounded_memory() {
    let server = MockServer::start().await;
    let (run, peak) = after_yes("12345", campaign(&server.base_url(), &["--deadline", "5s"]));
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--max-requests 10000"), "{run:?}");
    assert!(peak < PEAK_KIB, "peak {peak} KiB");
    assert!(server.journal().is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_stdin_is_refused_at_the_id_cap_whatever_max_requests_says() {
    let server = MockServer::start().await;
    let (run, peak) = after_yes(
        "12345",
        campaign(&server.base_url(), &["--max-requests", "1000000000000"]),
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("more than 1000000 campaign IDs"),
        "{run:?}"
    );
    assert!(peak < PEAK_KIB, "peak {peak} KiB");
    assert!(server.journal().is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_that_never_ends_is_refused() {
    let server = MockServer::start().await;
    let mut wa_stats = campaign(&server.base_url(), &[]);
    wa_stats.stdin(Stdio::piped());
    let mut child = wa_stats.spawn().expect("the wa-stats binary runs");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    // Digits and no line break, until the reader closes the pipe.
    let writer = std::thread::spawn(move || {
        let chunk = [b'1'; 4096];
        while pipe.write_all(&chunk).is_ok() {}
    });
    let (run, peak) = finish_within(child, LIMIT);
    writer.join().expect("the writer ends when the pipe closes");
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("line 1 of standard input is longer than"),
        "{run:?}"
    );
    assert!(peak < PEAK_KIB, "peak {peak} KiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_covers_reading_the_ids() {
    let server = MockServer::start().await;
    let mut wa_stats = campaign(&server.base_url(), &["--deadline", "2s"]);
    wa_stats.stdin(Stdio::piped());
    let mut child = wa_stats.spawn().expect("the wa-stats binary runs");
    // One ID, and the pipe left open: `(echo 12345; sleep 600) | wa-stats campaign -`.
    let mut pipe = child.stdin.take().expect("stdin is piped");
    pipe.write_all(b"12345\n").expect("stdin takes the ID");
    let (run, _) = finish_within(child, LIMIT);
    drop(pipe);
    // The deadline's exit status, and its words.
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("--deadline 2s reached while reading campaign IDs from standard input"),
        "{run:?}"
    );
    assert!(server.journal().is_empty(), "nothing was sent");
}

/// Whether process `pid` catches SIGINT and SIGTERM (bits 1 and 14 of `SigCgt` in
/// /proc/PID/status): then a signal is its to handle, not the default end.
fn catches_sigint_and_sigterm(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("SigCgt:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << 1) != 0 && mask & (1 << 14) != 0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_reading_the_ids_ends_the_run_and_says_so() {
    let server = MockServer::start().await;
    let mut wa_stats = campaign(&server.base_url(), &[]);
    wa_stats.stdin(Stdio::piped());
    let mut child = wa_stats.spawn().expect("the wa-stats binary runs");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    pipe.write_all(b"12345\n").expect("stdin takes the ID");
    // Bounded: the handlers are installed while it waits for the rest of stdin.
    let mut caught = false;
    for _ in 0..1000 {
        caught = catches_sigint_and_sigterm(child.id());
        if caught {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(caught, "wa-stats never caught SIGTERM while reading stdin");
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill(1) runs");
    assert!(sent.success());
    let (run, _) = finish_within(child, LIMIT);
    drop(pipe);
    assert_eq!(run.code, 143, "{run:?}");
    assert!(
        run.stderr
            .contains("interrupted while reading campaign IDs from standard input"),
        "{run:?}"
    );
    assert!(server.journal().is_empty(), "nothing was sent");
}
