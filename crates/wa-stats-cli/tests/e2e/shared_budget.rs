//! `--shared-budget`: four `wa-stats` processes with one credential, against the mock at its
//! exact 100/s, share one budget through a real Redis: no 429, at most 100 requests in any
//! sliding second of the mock's journal. The same four without it earn 429s, which shows the
//! budget is what keeps them under. Redis killed mid-run: every campaign still fetched, the
//! fallback logged. A bad URL is refused before anything is sent. Counts only, never speed.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use wa_stats_mock::{JournalEntry, MockServer};
use wa_stats_model::endpoint::{API_KEY_STATISTICS_PATH, RATE_LIMIT_WINDOW};

use crate::redis_server::RedisServer;

use crate::{Run, wa_stats};

const PROCESSES: usize = 4;
const CAMPAIGNS_EACH: usize = 250;

/// Starts `wa-stats campaign - args…` with `ids` on standard input, output as CSV.
fn start(base_url: &str, ids: usize, args: &[&str]) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wa-stats"));
    command
        .args(["campaign", "-", "--format", "csv", "--base-url", base_url])
        .args(["--api-key", "INS.demo-key", "--concurrency", "16"])
        .args(args);
    crate::isolate(&mut command);
    command.env("NO_COLOR", "1");
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the wa-stats binary runs");
    let lines: String = (0..ids)
        .map(|n| if n % 2 == 0 { "12345\n" } else { "12346\n" })
        .collect();
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(lines.as_bytes())
        .expect("stdin takes the IDs");
    child
}

fn finish(child: Child) -> Run {
    let output = child.wait_with_output().expect("wa-stats finishes");
    Run {
        code: output.status.code().expect("wa-stats exits by itself"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8"),
    }
}

/// Runs the four processes at once and returns their runs and what the mock received.
fn four_processes(server: &MockServer, args: &[&str]) -> (Vec<Run>, Vec<JournalEntry>) {
    server.reset();
    let children: Vec<Child> = (0..PROCESSES)
        .map(|_| start(&server.base_url(), CAMPAIGNS_EACH, args))
        .collect();
    let runs = children.into_iter().map(finish).collect();
    let journal = server
        .journal()
        .into_iter()
        .filter(|entry| entry.path == API_KEY_STATISTICS_PATH)
        .collect();
    (runs, journal)
}

fn rate_limited(journal: &[JournalEntry]) -> usize {
    journal.iter().filter(|e| e.status == Some(429)).count()
}

/// Data rows of a CSV run (the header is the first line).
fn rows(run: &Run) -> usize {
    run.stdout.lines().count().saturating_sub(1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_share_one_budget_and_without_it_earn_429s() {
    let redis = RedisServer::start();
    let server = MockServer::builder()
        .rate_limit(Some(100))
        .journal_capacity(20_000)
        .start()
        .await
        .expect("the mock starts");

    let url = redis.url();
    let (runs, journal) = four_processes(&server, &["--shared-budget", &url]);
    for run in &runs {
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(rows(run), CAMPAIGNS_EACH);
    }
    assert_eq!(
        journal.len(),
        PROCESSES * CAMPAIGNS_EACH,
        "no retries were needed"
    );
    assert_eq!(rate_limited(&journal), 0);
    let peak = JournalEntry::peak_in_window(&journal, RATE_LIMIT_WINDOW);
    assert!(peak <= 100, "peak {peak} requests in one second");

    let (runs, journal) = four_processes(&server, &["--max-retries", "20"]);
    assert!(
        rate_limited(&journal) > 0,
        "four processes pacing alone at 100/s each should overrun the limit"
    );
    for run in &runs {
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_run_every_campaign_is_still_fetched_and_the_fallback_logged() {
    let mut redis = RedisServer::start();
    let server = MockServer::start().await;
    let url = redis.url();
    let child = start(&server.base_url(), 300, &["--shared-budget", &url, "-v"]);
    // A third of the way through (the run takes three seconds at 100/s).
    tokio::time::sleep(Duration::from_secs(1)).await;
    redis.kill();
    let run = finish(child);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(rows(&run), 300);
    let warnings = run
        .stderr
        .lines()
        .filter(|line| line.contains("shared rate budget unavailable"))
        .count();
    assert_eq!(
        warnings, 1,
        "one warning, not one per call:\n{}",
        run.stderr
    );
}

/// Arguments, environment, and what the refusal must say.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_shared_budget_url_is_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let base = server.base_url();
    let common = [
        "campaign",
        "12345",
        "--base-url",
        &base,
        "--token",
        "demo-token",
    ];
    let cases: [Case<'_>; 4] = [
        (
            &["--shared-budget", "http://127.0.0.1:6379"],
            &[],
            "must be redis:// or rediss://",
        ),
        (&["--shared-budget", "redis://"], &[], "has no host"),
        (
            &["--shared-budget", "redis://:pw@10.0.0.1:6379"],
            &[],
            "--allow-insecure-redis",
        ),
        (
            &[],
            &[("WA_STATS_SHARED_BUDGET", "redis://cache.example")],
            "(from WA_STATS_SHARED_BUDGET)",
        ),
    ];
    for (args, env, expected) in cases {
        let all: Vec<&str> = common.iter().chain(args).copied().collect();
        let run = wa_stats(&all, env, None);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains(":pw@"), "{}", run.stderr);
    }
    assert!(server.journal().is_empty(), "nothing was sent");
    // rediss:// and plain redis:// across a network with the opt-in are accepted; nothing
    // listens there, so the call falls back to local pacing, and does not fail because of it.
    for args in [
        &["--shared-budget", "rediss://127.0.0.1:1"][..],
        &[
            "--shared-budget",
            "redis://127.0.0.2:1",
            "--allow-insecure-redis",
        ],
    ] {
        let all: Vec<&str> = common.iter().chain(args).copied().collect();
        let run = wa_stats(&all, &[], None);
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
    }
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn falling_back_is_said_in_one_line_without_v_and_required_fails_closed() {
    let server = MockServer::start().await;
    let base = server.base_url();
    let refused_url = format!("redis://127.0.0.1:{}", closed_port());
    // The mock speaks HTTP, not Redis.
    let not_redis_url = format!("redis://{}", server.addr());
    let common = [
        "campaign",
        "12345",
        "12346",
        "--base-url",
        &base,
        "--token",
        "demo-token",
        "--concurrency",
        "1",
    ];
    for url in [&refused_url, &not_redis_url] {
        let all: Vec<&str> = common
            .iter()
            .copied()
            .chain(["--shared-budget", url])
            .collect();
        let run = wa_stats(&all, &[], None);
        assert_eq!(run.code, 0, "{url}: {run:?}");
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{url}: one warning line:\n{}", run.stderr);
        assert!(
            lines[0].starts_with("wa-stats: warning: shared rate budget unavailable"),
            "{url}: {}",
            run.stderr
        );
        // Quiet means quiet.
        let mut all = all;
        all.push("-q");
        assert_eq!(wa_stats(&all, &[], None).stderr, "");
    }
    // Fail closed, by flag or by variable: one error, exit status 6, nothing sent.
    server.reset();
    let by_flag: Vec<&str> = common
        .iter()
        .copied()
        .chain(["--shared-budget", &refused_url, "--shared-budget-required"])
        .collect();
    let by_env: Vec<&str> = common
        .iter()
        .copied()
        .chain(["--shared-budget", &refused_url])
        .collect();
    for (args, env) in [
        (&by_flag, &[][..]),
        (&by_env, &[("WA_STATS_SHARED_BUDGET_REQUIRED", "1")][..]),
    ] {
        let run = wa_stats(args, env, None);
        assert_eq!(run.code, 6, "{run:?}");
        assert_eq!(run.stderr.matches("wa-stats: error:").count(), 1, "{run:?}");
        assert!(run.stderr.contains("\n  fix: start the Redis"), "{run:?}");
    }
    assert!(
        server.journal().is_empty(),
        "nothing sent without the budget"
    );
}
