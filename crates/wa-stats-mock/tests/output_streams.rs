//! The binary driven the way other people's harnesses drive it: pipes nobody reads, a closed
//! stdout, stderr on `/dev/full`, a slow reader, a terminal (script(1)) and `NO_COLOR`, JSON logs.
//! No state of its output may delay or stop a request.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use common::{DEMO_KEY, DEMO_TOKEN};
use futures_util::{StreamExt, stream};

const BIN: &str = env!("CARGO_BIN_EXE_wa-stats-mock");

/// Upper bound for anything that should take milliseconds: reaching it is a hang, a failure.
const HANG: Duration = Duration::from_secs(30);

/// A running mock that is killed when the test ends, however it ends.
struct Mock {
    child: Child,
    base: String,
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Mock {
    /// Starts the binary with stdout piped (read for the ready line only) and `stderr` as given.
    fn start(args: &[&str], stderr: Stdio) -> Self {
        let mut child = Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--rate-limit", "off"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let base = ready_line(stdout);
        // The pipe's read end stays open in `child.stdout`'s place only if we keep it; a harness
        // that reads the one line and then forgets the pipe is what we model, so it is dropped.
        Self { child, base }
    }

    fn stderr(&mut self) -> ChildStderr {
        self.child.stderr.take().unwrap()
    }

    /// SIGTERM, then the exit status, within [`HANG`].
    fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = std::time::Instant::now() + HANG;
        loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                return exit;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the mock did not exit within {HANG:?} of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Reads the first stdout line on a thread, so that a mock that never writes it fails the test
/// instead of hanging it.
fn ready_line(stdout: impl Read + Send + 'static) -> String {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver.recv_timeout(HANG).unwrap();
    line.trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("not a ready line: {line:?}"))
        .to_owned()
}

/// A pooled client with a per-request timeout, so that a stalled server fails the test.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(HANG)
        .build()
        .unwrap()
}

/// Sends `count` statistics requests (8 at a time) and returns how many were answered 200.
async fn statistics_requests(base: &str, count: usize) -> usize {
    let client = http();
    let url = format!("{base}/v1/statistics/campaign");
    stream::iter(0..count)
        .map(|_| {
            let request = client
                .post(&url)
                .header("x-ins-auth-key", DEMO_KEY)
                .body(r#"{"campaign_id":12345}"#);
            async move { request.send().await.map(|r| r.status().as_u16()) }
        })
        .buffer_unordered(8)
        .filter(|status| std::future::ready(matches!(status, Ok(200))))
        .count()
        .await
}

async fn healthz(client: &reqwest::Client, base: &str) -> u16 {
    client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Reads lines on a thread into a channel, until EOF.
fn lines_of(output: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(output).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

#[tokio::test(flavor = "multi_thread")]
async fn pipes_never_read_still_answer_every_request_and_the_drops_are_reported() {
    let mut mock = Mock::start(&[], Stdio::piped());
    // 6 000 log lines: more than the pipe (64 KiB) and the log queue (4 096 lines) hold.
    assert_eq!(statistics_requests(&mock.base, 5_000).await, 5_000);
    let client = http();
    for _ in 0..1_000 {
        assert_eq!(healthz(&client, &mock.base).await, 200);
    }
    // The reader catches up; the mock then says how many lines it had to drop.
    let lines = lines_of(mock.stderr());
    let report = loop {
        let line = lines
            .recv_timeout(HANG)
            .expect("no report of dropped log lines");
        if line.contains("log lines dropped") {
            break line;
        }
    };
    let dropped: u64 = report
        .split("dropped=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {report:?}"));
    assert!(dropped > 0, "{report}");
    assert!(mock.terminate().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_stdout_does_not_stop_the_server() {
    // Closed after the ready line: the harness read it and dropped the pipe.
    let mock = Mock::start(&[], Stdio::null());
    assert_eq!(statistics_requests(&mock.base, 200).await, 200);
    assert!(mock.terminate().success());

    // Closed from the start: the ready line cannot be written at all.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("sh")
        .args(["-c", r#"exec "$0" "$@" >&-"#, BIN])
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--rate-limit",
            "off",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mock = Mock {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = http();
    let up = async {
        while client
            .get(format!("{}/healthz", mock.base))
            .send()
            .await
            .is_err()
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(HANG, up).await.unwrap();
    assert_eq!(statistics_requests(&mock.base, 200).await, 200);
    assert!(mock.terminate().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn stderr_on_dev_full_does_not_stop_the_server() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mock = Mock::start(&[], Stdio::from(full));
    assert_eq!(statistics_requests(&mock.base, 1_000).await, 1_000);
    assert!(mock.terminate().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_reader_does_not_slow_the_answers_down_to_its_pace() {
    let mut mock = Mock::start(&[], Stdio::piped());
    let mut stderr = mock.stderr();
    let stop = Arc::new(AtomicBool::new(false));
    let reading = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut byte = [0_u8; 1];
            let mut read = 0_usize;
            while !stop.load(Ordering::Relaxed) && stderr.read(&mut byte).unwrap_or(0) == 1 {
                read += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            read
        })
    };
    // At one byte a millisecond the reader takes ~2 minutes for these lines; the answers must
    // not wait for it (each request has the HANG timeout).
    assert_eq!(statistics_requests(&mock.base, 2_000).await, 2_000);
    stop.store(true, Ordering::Relaxed);
    assert!(mock.terminate().success());
    assert!(reading.join().unwrap() > 0);
}

/// Runs the binary, sends a few requests (bearer, API key, token endpoint), stops it and returns
/// its stderr.
async fn logs_of(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = Command::new(BIN);
    command
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR");
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let base = ready_line(child.stdout.take().unwrap());
    let lines = lines_of(child.stderr.take().unwrap());
    let mock = Mock { child, base };
    let client = http();
    let v2 = client
        .post(format!("{}/api/wa/v2/statistics/campaign", mock.base))
        .bearer_auth(DEMO_TOKEN)
        .body(r#"{"campaign_id":12345}"#);
    assert_eq!(v2.send().await.unwrap().status(), 200);
    assert_eq!(statistics_requests(&mock.base, 1).await, 1);
    let token = client.post(format!("{}/auth/token", mock.base)).body(
        r#"{"client_id":"demo-client","client_secret":"demo-secret","scopes":["wa-stats-api"]}"#,
    );
    assert_eq!(token.send().await.unwrap().status(), 200);
    assert!(mock.terminate().success());
    lines.iter().collect::<Vec<_>>().join("\n")
}

const SECRETS: [&str; 3] = [DEMO_KEY, DEMO_TOKEN, "demo-secret"];

#[tokio::test(flavor = "multi_thread")]
async fn piped_logs_carry_no_colour_and_no_secret() {
    let logs = logs_of(&[], &[]).await;
    assert!(!logs.contains("\u{1b}["), "{logs}");
    assert_eq!(logs.matches("wa_stats_mock::request").count(), 3, "{logs}");
    for secret in SECRETS {
        assert!(!logs.contains(secret), "{secret} in {logs}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn json_log_lines_parse_and_carry_no_secret() {
    let logs = logs_of(&["--log-format", "json"], &[]).await;
    let mut requests = 0;
    for line in logs.lines() {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            event["timestamp"].is_string() && event["level"].is_string(),
            "{line}"
        );
        if event["target"] == "wa_stats_mock::request" {
            requests += 1;
            assert!(event["method"] == "POST", "{line}");
            assert!(event["path"].is_string(), "{line}");
            assert!(event["status"] == 200, "{line}");
            assert!(event["latency_us"].is_u64(), "{line}");
        }
    }
    assert_eq!(requests, 3, "{logs}");
    for secret in SECRETS {
        assert!(!logs.contains(secret), "{secret} in {logs}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_request_log_can_be_turned_off_and_the_level_set() {
    let quiet = logs_of(&["--no-request-log"], &[]).await;
    assert!(!quiet.contains("wa_stats_mock::request"), "{quiet}");
    assert!(quiet.contains("ready"), "{quiet}");
    let warn_only = logs_of(&["--log-level", "warn"], &[]).await;
    assert_eq!(warn_only, "");
    let from_env = logs_of(&[], &[("RUST_LOG", "warn")]).await;
    assert_eq!(from_env, "");
    // The flag wins over the environment.
    let flag_wins = logs_of(&["--log-level", "info"], &[("RUST_LOG", "off")]).await;
    assert!(flag_wins.contains("wa_stats_mock::request"), "{flag_wins}");
    let bad = Command::new(BIN)
        .args(["--log-level", "loud=="])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected error, warn, info"));
}

/// Colours on a terminal (script(1) gives the mock one), none with `NO_COLOR`.
#[test]
fn colours_only_on_a_terminal_without_no_color() {
    for (no_color, coloured) in [("", true), ("1", false)] {
        let command = format!("{BIN} --listen 127.0.0.1:0 --log-level info");
        let mut script = Command::new("script")
            .args(["-qfec", &command, "/dev/null"])
            .env("NO_COLOR", no_color)
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("script(1) is needed for this test (util-linux): {e}"));
        let lines = lines_of(script.stdout.take().unwrap());
        // The ready line is written first; the "ready" log line follows through the log queue.
        let mut seen = String::new();
        while !(seen.contains("listening on") && seen.contains("ready")) {
            seen.push_str(&lines.recv_timeout(HANG).unwrap());
            seen.push('\n');
        }
        let _ = Command::new("pkill")
            .args(["-TERM", "-P", &script.id().to_string()])
            .status();
        let _ = script.kill();
        let _ = script.wait();
        assert_eq!(
            seen.contains("\u{1b}["),
            coloured,
            "NO_COLOR={no_color:?}: {seen:?}"
        );
    }
}

#[test]
fn listen_takes_a_host_name_that_resolves_to_loopback() {
    let mut child = Command::new(BIN)
        .args(["--listen", "localhost:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = ready_line(child.stdout.take().unwrap());
    let _ = child.kill();
    let _ = child.wait();
    let addr: std::net::SocketAddr = base.strip_prefix("http://").unwrap().parse().unwrap();
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{base}");
}

#[test]
fn help_names_the_log_controls_and_their_environment() {
    let help = Command::new(BIN).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    for word in [
        "--log-format",
        "--log-level",
        "--no-request-log",
        "RUST_LOG",
        "NO_COLOR",
    ] {
        assert!(text.contains(word), "{word} missing from --help:\n{text}");
    }
}

/// A harness may stop the mock the moment it reads the ready line: the signal handlers are in
/// place before the line is written, so SIGTERM then is a graceful stop (exit 0), never a kill.
#[test]
fn sigterm_right_after_the_ready_line_is_a_graceful_stop() {
    for _ in 0..20 {
        let mut child = Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--log-level", "off"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        assert!(line.starts_with("listening on "), "{line:?}");
        let mock = Mock {
            child,
            base: String::new(),
        };
        let exit = mock.terminate();
        assert!(exit.success(), "{exit:?}");
    }
}
