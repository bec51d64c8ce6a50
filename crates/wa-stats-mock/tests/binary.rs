//! The `wa-stats-mock` binary: the ready line, serving, per-request logs without credentials,
//! graceful stop on SIGTERM, refusing bad fixtures.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use common::*;

const BIN: &str = env!("CARGO_BIN_EXE_wa-stats-mock");

#[tokio::test]
async fn prints_ready_line_serves_logs_and_stops_on_sigterm() {
    let mut child = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--rate-limit",
            "off",
            "--synthetic-campaigns",
            "10",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    assert!(
        base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"),
        "{line}"
    );

    let url = format!("{base}/v1/statistics/campaign");
    let answer = send(
        client()
            .post(&url)
            .header("x-ins-auth-key", DEMO_KEY)
            .body(r#"{"campaign_id":12345}"#),
    )
    .await;
    assert_eq!((answer.status, answer.body.as_str()), (200, SAMPLE));
    let synthetic = send(
        client()
            .post(&url)
            .header("x-ins-auth-key", DEMO_KEY)
            .body(r#"{"campaign_id":1000009}"#),
    )
    .await;
    assert_eq!(synthetic.status, 200);
    assert_eq!(
        send(client().get(format!("{base}/healthz"))).await.status,
        200
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "exactly one line on stdout");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let request_lines: Vec<_> = logs.lines().filter(|l| l.contains("request")).collect();
    assert!(request_lines.len() >= 3, "{logs}");
    assert!(
        request_lines
            .iter()
            .any(|l| l.contains("/v1/statistics/campaign")
                && l.contains("200")
                && l.contains("latency")),
        "{logs}"
    );
    assert!(!logs.contains(DEMO_KEY), "{logs}");
}

#[test]
fn bad_fixture_file_is_refused_with_its_name_and_path() {
    let dir = std::env::temp_dir().join(format!("wa-stats-mock-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("typo.json");
    std::fs::write(&file, r#"{"partners":[{"name":"a","whatsappActiv":true}]}"#).unwrap();
    let output = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--fixtures"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&file.display().to_string())
            && stderr.contains("partners[0].whatsappActiv"),
        "{stderr}"
    );
    let bad_flag = Command::new(BIN)
        .args(["--rate-limit", "lots"])
        .output()
        .unwrap();
    assert!(!bad_flag.status.success());
}

/// `--journal N` keeps the last N requests for `/__admin/journal`; `--journal off` keeps none.
#[tokio::test]
async fn journal_flag_sets_how_many_requests_are_kept() {
    for (flag, kept) in [("1", 1), ("off", 0)] {
        let (mut child, base) = common::spawn_until_ready(
            Command::new(BIN)
                .args(["--listen", "127.0.0.1:0", "--journal", flag])
                .stderr(Stdio::null()),
        );
        for _ in 0..2 {
            let answer = send(
                client()
                    .post(format!("{base}/v1/statistics/campaign"))
                    .header("x-ins-auth-key", DEMO_KEY)
                    .body(r#"{"campaign_id":12345}"#),
            )
            .await;
            assert_eq!(answer.status, 200);
        }
        let journal = send(client().get(format!("{base}/__admin/journal"))).await;
        let entries: Vec<serde_json::Value> = serde_json::from_str(&journal.body).unwrap();
        assert_eq!(entries.len(), kept, "--journal {flag}: {}", journal.body);
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let bad_flag = Command::new(BIN)
        .args(["--journal", "many"])
        .output()
        .unwrap();
    assert!(!bad_flag.status.success());
    assert!(String::from_utf8_lossy(&bad_flag.stderr).contains("`off`"));
}

/// Issue 31, item 2: an unmet expectation at SIGTERM is reported (redacted, without bodies) and
/// ends the binary with exit status 3, never a panic (101) that prints the journal.
#[tokio::test]
async fn an_unmet_expectation_at_sigterm_exits_3_without_bodies_or_secrets() {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let added = send(
        client()
            .post(format!("{base}/__admin/expectations"))
            .header("content-type", "application/json")
            .body(r#"{"campaignId":424242}"#),
    )
    .await;
    assert_eq!(added.status, 204, "{}", added.body);
    // A mistyped token URL with the secret in its body, and a body with a marker of its own.
    let token = send(client().post(format!("{base}/auth/token/")).body(
        r#"{"client_id":"demo-client","client_secret":"s3cret-in-body","scopes":["wa-stats-api"]}"#,
    ))
    .await;
    assert_eq!(token.status, 404);
    let marked = send(
        client()
            .post(format!("{base}/v1/statistics/campaign"))
            .header("x-ins-auth-key", DEMO_KEY)
            .body(r#"{"campaign_id":12345,"note":"BODY-MARKER"}"#),
    )
    .await;
    assert_eq!(marked.status, 200, "{}", marked.body);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert_eq!(exit.code(), Some(3), "{exit:?}\n{logs}");
    assert!(logs.contains("424242"), "names the expectation: {logs}");
    for secret in ["s3cret-in-body", "BODY-MARKER", DEMO_KEY, "panicked"] {
        assert!(!logs.contains(secret), "{secret} in: {logs}");
    }
}

/// `--help` (issue 35 §4): every default as clap's `[default: …]`, equal to the library's own
/// constants, the prose after the options wrapped as paragraphs (no stub lines), and the whole
/// text pinned as a snapshot.
#[test]
fn help_shows_every_default_in_brackets_wraps_cleanly_and_is_pinned() {
    let output = Command::new(BIN)
        .arg("--help")
        .env_remove("COLUMNS")
        .env_remove("WA_STATS_MOCK_LISTEN")
        .env_remove("WA_STATS_MOCK_ADMIN_TOKEN")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    let builder = wa_stats_mock::MockServerBuilder::DEFAULT_JOURNAL_CAPACITY;
    for (flag, default) in [
        (
            "--rate-limit",
            wa_stats_model::endpoint::RATE_LIMIT_PER_SECOND.to_string(),
        ),
        ("--journal ", builder.to_string()),
        (
            "--journal-bytes",
            format!(
                "{}MiB",
                wa_stats_mock::MockServerBuilder::DEFAULT_JOURNAL_MAX_BYTES >> 20
            ),
        ),
        (
            "--token-ttl",
            wa_stats_mock::MockServerBuilder::DEFAULT_TOKEN_TTL
                .as_secs()
                .to_string(),
        ),
        ("--log-level", "info".to_owned()),
    ] {
        let section = help
            .split("\n\n")
            .skip_while(|part| !part.trim_start().starts_with(flag))
            .take(3)
            .collect::<Vec<_>>()
            .join("\n\n");
        assert!(
            section.contains(&format!("[default: {default}]")),
            "{flag} does not show [default: {default}]:\n{section}"
        );
        let first = section.lines().nth(1).unwrap_or_default();
        assert!(
            !section.contains(". Default"),
            "{flag} gives its default in prose: {first}"
        );
    }
    // The paragraphs after the options: every line but a paragraph's last is a full line.
    let after = help.split("Environment:").nth(1).unwrap();
    for paragraph in after.split("\n\n").skip(1) {
        let lines: Vec<&str> = paragraph.lines().collect();
        for line in &lines[..lines.len().saturating_sub(1)] {
            assert!(
                line.len() >= 60 && line.len() <= 100,
                "a ragged line in the help's prose: {line:?}\n{paragraph}"
            );
        }
    }
    insta::assert_snapshot!("wa_stats_mock_help", help);
}
