//! Text from a server on a terminal (issue 31, item 9): control characters (ESC, BEL, CR, LF,
//! C1) in an error message, an unknown field's name or value are shown escaped, so that a
//! server can neither forge a line of ours nor drive the terminal. JSON stays exact JSON and CSV
//! stays valid CSV.

use std::time::Duration;

use serde_json::Value;
use wa_stats_mock::{Fault, MockServer};

use crate::{Run, wa_stats_within};

const LIMIT: Duration = Duration::from_secs(30);

/// A message that retitles the terminal, returns the carriage and forges a line of ours, with a
/// C1 control sequence introducer too. As JSON text, so that the body itself is plain ASCII.
const HOSTILE: &str = r"bad\u001b]0;pwned\u0007\r\nwa-stats: all fine\u009b2J";

/// The message as the server means it, decoded.
fn hostile_decoded() -> String {
    serde_json::from_str::<String>(&format!("\"{HOSTILE}\"")).expect("a JSON string")
}

fn assert_inert(text: &str, what: &str) {
    for (index, c) in text.chars().enumerate() {
        let control = (c.is_control() && c != '\n') || ('\u{80}'..='\u{9f}').contains(&c);
        assert!(
            !control,
            "{what}: control character {c:?} at {index}: {text:?}"
        );
    }
    assert!(
        !text
            .lines()
            .any(|line| line.starts_with("wa-stats: all fine")),
        "{what}: a forged line: {text:?}"
    );
}

fn campaign(base_url: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "campaign",
        "12345",
        "--base-url",
        base_url,
        "--token",
        "demo-token",
        "--max-retries",
        "0",
    ];
    args.extend(extra);
    wa_stats_within(&args, &[], LIMIT)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_messages_are_escaped_on_stdout_and_stderr() {
    let server = MockServer::start().await;
    let url = server.base_url();
    let body = format!(r#"{{"message":"{HOSTILE}"}}"#);
    // 400 (a row of its own), 401 (the run stops: stderr), 500 (retried, -v logs the reason).
    for status in [400, 401, 500] {
        for extra in [&["--format", "table"][..], &["--format", "table", "-vv"]] {
            server.inject(Fault::status(status).body(body.clone()).always());
            let run = campaign(&url, extra);
            server.reset();
            let case = format!("{status} {extra:?}");
            assert_ne!(run.code, 0, "{case}: {run:?}");
            assert_inert(&run.stdout, &format!("{case} stdout"));
            assert_inert(&run.stderr, &format!("{case} stderr"));
            assert!(
                format!("{}{}", run.stdout, run.stderr).contains(r"\u{1b}]0;pwned"),
                "{case}: shown escaped: {run:?}"
            );
        }
    }
    // JSON Lines: the message exactly as the server sent it, as JSON escapes.
    server.inject(Fault::status(400).body(body.clone()).always());
    let run = campaign(&url, &["--format", "json"]);
    server.reset();
    let line: Value =
        serde_json::from_str(run.stdout.lines().next().expect("a line")).expect("a JSON line");
    let message = line["error"]["message"].as_str().expect("a message");
    assert!(message.contains(&hostile_decoded()), "{message:?}");
    assert_inert(&run.stdout, "jsonl stdout");
    // CSV: still one record per campaign, the field quoted.
    server.inject(Fault::status(400).body(body).always());
    let run = campaign(&url, &["--format", "csv"]);
    server.reset();
    assert!(
        run.stdout
            .contains(&format!("\"api_error: HTTP 400: {}\"", hostile_decoded())),
        "quoted as sent: {run:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_fields_are_escaped_in_the_table() {
    let server = MockServer::start().await;
    let url = server.base_url();
    // The mock's own answer, with an unknown field whose name and value are hostile.
    let run = campaign(&url, &["--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let line: Value =
        serde_json::from_str(run.stdout.lines().next().expect("a line")).expect("a JSON line");
    let mut body = line["statistics"].clone();
    body[hostile_decoded()] = Value::String(hostile_decoded());
    server.inject(Fault::status(200).body(body.to_string()).always());
    let run = campaign(&url, &["--format", "table"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_inert(&run.stdout, "table stdout");
    assert!(run.stdout.contains(r"\u{1b}]0;pwned"), "{run:?}");
}
