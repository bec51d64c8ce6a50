//! How a run ends early, against the real binary: a credential failure said once with its fix
//! and its own exit status, the campaigns never sent marked "not sent"; `--deadline` printing
//! what finished; SIGINT and SIGTERM saying how far the run got. Waits are bounded; nothing
//! asserts how fast anything was.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use wa_stats_mock::{Fault, MockServer};

use crate::wa_stats;

/// The JSON lines of a run's stdout.
fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

fn kinds(stdout: &str) -> Vec<String> {
    lines(stdout)
        .iter()
        .map(|line| {
            line["error"]["kind"]
                .as_str()
                .unwrap_or("fetched")
                .to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_endpoint_that_stays_down_stops_the_run_once_with_status_5() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    server.inject(Fault::status(503).on_token_endpoint().times(1000));
    let ids: Vec<String> = (0..10).map(|i| (12345 + i % 2).to_string()).collect();
    let mut args = vec!["campaign"];
    args.extend(ids.iter().map(String::as_str));
    args.extend([
        "--base-url",
        &base_url,
        "--client-id",
        "demo-client",
        "--client-secret",
        "demo-secret",
        "--format",
        "json",
        "--max-retries",
        "1",
    ]);
    let run = wa_stats(&args, &[], None);
    assert_eq!(run.code, 5, "{run:?}");
    assert_eq!(run.stderr.matches("wa-stats: error:").count(), 1, "{run:?}");
    assert_eq!(run.stderr.matches("\n  fix: ").count(), 1, "{run:?}");
    assert!(
        run.stderr.contains("no access token could be had"),
        "{run:?}"
    );
    let kinds = kinds(&run.stdout);
    assert_eq!(kinds.len(), 10, "one row per campaign: {}", run.stdout);
    assert_eq!(
        kinds
            .iter()
            .filter(|kind| *kind == "token_endpoint")
            .count(),
        1,
        "the error once, in the row that met it: {kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|kind| *kind == "not_sent").count(),
        9,
        "{kinds:?}"
    );
    assert!(!run.stdout.contains("demo-secret") && !run.stderr.contains("demo-secret"));
    let statistics_sent = server
        .journal()
        .iter()
        .filter(|entry| !entry.path.contains("token"))
        .count();
    assert_eq!(statistics_sent, 0, "no statistics request without a token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_credential_marks_the_campaigns_never_sent() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    let run = wa_stats(
        &[
            "campaign",
            "12345",
            "12346",
            "12345",
            "--base-url",
            &base_url,
            "--api-key",
            "INS.wrong",
            "--concurrency",
            "1",
            "--format",
            "json",
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert_eq!(kinds(&run.stdout), ["unauthorized", "not_sent", "not_sent"]);
    let not_sent = &lines(&run.stdout)[1]["error"]["message"];
    assert_eq!(
        not_sent, "not sent: the run stopped when the credential was refused",
        "{run:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_deadline_what_finished_is_printed_and_the_rest_not_sent() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    // 12346 answers long after the deadline; the 12345s at once.
    server.inject(Fault::delay(Duration::from_secs(60)).for_campaign(12346));
    let run = wa_stats(
        &[
            "campaign",
            "12345",
            "12346",
            "12345",
            "--base-url",
            &base_url,
            "--token",
            "demo-token",
            "--format",
            "json",
            "--deadline",
            "1.5s",
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(kinds(&run.stdout), ["fetched", "not_sent", "fetched"]);
    assert_eq!(
        run.stderr.trim_end(),
        "wa-stats: --deadline 1.5s reached: 2 of 3 campaigns finished, 1 not sent",
        "one line, the duration as typed"
    );
    // Refused as typed, before anything is sent.
    let refused = wa_stats(
        &["campaign", "12345", "--token", "t", "--deadline", "30"],
        &[],
        None,
    );
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("`30` is not a duration"),
        "{refused:?}"
    );
}

/// Starts a run whose second campaign hangs, waits (bounded) for the first line, sends `signal`
/// to the child, and returns its exit status, stdout and stderr.
fn interrupted(base_url: &str, signal: &str) -> (Option<i32>, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wa-stats"));
    command
        .args(["campaign", "12345", "12346", "12345", "--format", "json"])
        .args([
            "--base-url",
            base_url,
            "--token",
            "demo-token",
            "--concurrency",
            "1",
        ]);
    crate::isolate(&mut command);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the wa-stats binary runs");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut first = String::new();
    // The first campaign is printed and flushed before the second hangs.
    stdout.read_line(&mut first).expect("the first line");
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill(1) runs");
    assert!(sent.success());
    let give_up = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > give_up {
            let _ = child.kill();
            let _ = child.wait();
            panic!("wa-stats did not end within 20 s of {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("stdout");
    let mut stderr = String::new();
    std::io::Read::read_to_string(
        &mut child.stderr.take().expect("stderr is piped"),
        &mut stderr,
    )
    .expect("stderr");
    (status.code(), first + &rest, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_and_sigterm_say_how_far_the_run_got_and_exit_130_and_143() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    for (signal, status) in [("-INT", 130), ("-TERM", 143)] {
        server.reset();
        server.inject(Fault::delay(Duration::from_secs(60)).for_campaign(12346));
        let (code, stdout, stderr) = interrupted(&base_url, signal);
        assert_eq!(code, Some(status), "{signal}: {stderr}");
        assert_eq!(
            stderr.trim_end(),
            "wa-stats: interrupted after 1 of 3 campaigns",
            "{signal}"
        );
        // Complete lines only: the one campaign printed, nothing torn.
        assert!(stdout.ends_with('\n'), "{stdout:?}");
        assert_eq!(kinds(&stdout), ["fetched"], "{signal}");
    }
}
