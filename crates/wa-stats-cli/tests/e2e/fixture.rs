//! `--format fixture`: mock A (built-in data) → `--by day --format fixture` → mock B started from
//! that file; for every day and for random ranges, A and B answer the same. The file is valid
//! against the mock's fixture JSON Schema and holds none of the credentials used to record it.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;
use wa_stats_mock::{MockServer, fixtures};

use crate::wa_stats;

/// The recorded range: the built-in campaigns' 60 days from 2024-03-01, with a margin.
const FROM: &str = "2024-02-25";
const TO: &str = "2024-05-05";
const FROM_SECONDS: i64 = 1_708_819_200;
const TO_SECONDS: i64 = 1_714_867_200;
/// What the file says for the credentials (docs/cli.md lists them).
const PLACEHOLDER_TOKEN: &str = "recorded-token";

/// Campaigns of every kind: plain, conversational, not WhatsApp.
const CAMPAIGNS: [&str; 3] = ["12345", "12346", "22222"];

fn record(base_url: &str, credential: &[&str]) -> (i32, String, String) {
    let mut args = vec!["campaign"];
    args.extend(CAMPAIGNS);
    args.extend([
        "--from",
        FROM,
        "--to",
        TO,
        "--by",
        "day",
        "--format",
        "fixture",
        "--base-url",
        base_url,
        "--concurrency",
        "16",
    ]);
    args.extend(credential);
    let run = wa_stats(&args, &[], None);
    (run.code, run.stdout, run.stderr)
}

/// The JSON lines of `campaign CAMPAIGNS… args…` against `base_url` with `token`.
fn answers(base_url: &str, token: &str, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["campaign"];
    all.extend(CAMPAIGNS);
    all.extend(args);
    all.extend(["--format", "json", "--base-url", base_url, "--token", token]);
    let run = wa_stats(&all, &[], None);
    // 22222 answers 422 in both, so the status is 1.
    assert_eq!(run.code, 1, "{run:?}");
    run.stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

fn written(dir: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).expect("a temporary directory");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("the fixture file is written");
    path
}

/// Mock B: started from the recorded file.
async fn replay(path: &Path) -> MockServer {
    MockServer::builder()
        .fixtures_file(path)
        .start()
        .await
        .expect("wa-stats-mock accepts the recorded file")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_campaigns_replay_the_same_for_every_day() {
    let a = MockServer::start().await;
    let (code, file, stderr) = record(&a.base_url(), &["--token", "demo-token"]);
    // 22222 is not a WhatsApp campaign: every day is a 422, which is a failure as always.
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("campaign 22222"), "{stderr}");

    // Valid against the mock's fixture JSON Schema.
    let instance: Value = serde_json::from_str(&file).expect("the file is JSON");
    let schema = fixtures::schema().to_value();
    let validator = jsonschema::validator_for(&schema).expect("the mock's schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{file}");
    // The credential used to record is not in it; the documented placeholder is.
    assert!(!file.contains("demo-token"), "{file}");
    assert!(file.contains(PLACEHOLDER_TOKEN), "{file}");
    let kinds: Vec<&str> = instance["campaigns"]
        .as_array()
        .expect("campaigns")
        .iter()
        .map(|c| c["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["whatsapp", "conversational", "not_whatsapp"]);

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fixture-round-trip");
    let path = written(&dir, "recorded.json", &file);
    let b = replay(&path).await;

    // Every day: A and B give the same lines (statistics or error) in the same order.
    let by_day = ["--from", FROM, "--to", TO, "--by", "day"];
    let from_a = answers(&a.base_url(), "demo-token", &by_day);
    let from_b = answers(&b.base_url(), PLACEHOLDER_TOKEN, &by_day);
    assert_eq!(from_a.len(), 3 * 70);
    assert_eq!(from_a, from_b);

    // Random ranges: proptest drives the CLI against both.
    let (a_url, b_url) = (a.base_url(), b.base_url());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 12,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(FROM_SECONDS..TO_SECONDS - 1, 1_i64..70 * 86_400),
            |(start, length)| {
                let end = (start + length).min(TO_SECONDS);
                let (start, end) = (start.to_string(), end.to_string());
                let range = ["--from", start.as_str(), "--to", end.as_str()];
                let whole_a = answers(&a_url, "demo-token", &range);
                let whole_b = answers(&b_url, PLACEHOLDER_TOKEN, &range);
                prop_assert_eq!(whole_a, whole_b);
                Ok(())
            },
        )
        .expect("A and B agree on every range");
    std::fs::remove_dir_all(&dir).ok();
}

/// Recording with client credentials: neither the id's secret nor the token fetched with it is
/// written; the run needs `--by day`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_never_goes_into_the_file() {
    let a = MockServer::start().await;
    let (_, file, stderr) = record(
        &a.base_url(),
        &[
            "--client-id",
            "demo-client",
            "--client-secret",
            "demo-secret",
        ],
    );
    assert!(file.contains("\"campaigns\""), "{stderr}");
    assert!(!file.contains("demo-secret"), "{file}");
    assert!(!file.contains("demo-client"), "{file}");
    let fetched: Vec<String> = a
        .journal()
        .iter()
        .flat_map(|entry| entry.headers.clone())
        .filter(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .map(|(_, value)| value.trim_start_matches("Bearer ").to_owned())
        .collect();
    assert!(!fetched.is_empty());
    for token in fetched {
        assert!(!file.contains(&token), "a fetched token reached the file");
    }

    let run = wa_stats(
        &[
            "campaign",
            "12345",
            "--from",
            FROM,
            "--format",
            "fixture",
            "--token",
            "demo-token",
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("needs --by day"), "{run:?}");
}
