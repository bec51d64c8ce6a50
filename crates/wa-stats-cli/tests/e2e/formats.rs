//! Each `--format` against the mock's built-in campaigns, successes and failures side by side.

use std::time::Duration;

use serde_json::Value;
use wa_stats_mock::{Fault, MockServer};
use wa_stats_model::examples::{CONVERSATIONAL_ADDITION, SAMPLE_RESPONSE};

use crate::with_token;

/// A success, a conversational campaign, a 422 and a 3004: every kind of block.
const MIXED: [&str; 4] = ["12345", "12346", "22222", "33333"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table() {
    let server = MockServer::start().await;
    let mut args = vec!["campaign"];
    args.extend(MIXED);
    let run = with_token(&server.base_url(), &args);
    assert_eq!(run.code, 1, "{run:?}");
    insta::assert_snapshot!("table", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_with_a_range() {
    let server = MockServer::start().await;
    let run = with_token(
        &server.base_url(),
        &[
            "campaign",
            "12345",
            "--from",
            "2018-01-01",
            "--to",
            "2030-01-01T00:00:00Z",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let first = run.stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "range: 2018-01-01T00:00:00Z to 2030-01-01T00:00:00Z (end excluded)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv() {
    let server = MockServer::start().await;
    let mut args = vec!["campaign", "--format", "csv"];
    args.extend(MIXED);
    let run = with_token(&server.base_url(), &args);
    assert_eq!(run.code, 1, "{run:?}");
    insta::assert_snapshot!("csv", run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1 + MIXED.len());
    assert!(lines[0].starts_with("campaign_id,sent,delivered,open,"));
    assert!(lines[0].ends_with(",error"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines() {
    let server = MockServer::start().await;
    let mut args = vec!["campaign"];
    args.extend(MIXED);
    args.extend(["--format", "json"]);
    let run = with_token(&server.base_url(), &args);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);

    // The statistics are the wire format: the vendor's sample, field for field.
    let sample: Value = serde_json::from_str(SAMPLE_RESPONSE).unwrap();
    assert_eq!(
        lines[0],
        serde_json::json!({"campaign_id": 12345, "statistics": sample})
    );
    // Key order is the wire's, not alphabetical.
    assert!(
        run.stdout
            .starts_with(r#"{"campaign_id":12345,"statistics":{"sent":1200,"delivered":"#)
    );

    let mut conversational = sample.clone();
    let addition: Value = serde_json::from_str(CONVERSATIONAL_ADDITION).unwrap();
    for (key, value) in addition.as_object().unwrap() {
        conversational[key] = value.clone();
    }
    assert_eq!(lines[1]["statistics"], conversational);

    // status and code only when the server gave them.
    let error = &lines[2]["error"];
    assert_eq!(lines[2]["campaign_id"], 22222);
    assert_eq!(error["kind"], "not_a_whatsapp_campaign");
    assert_eq!(error["status"], 422);
    assert!(error.get("code").is_none(), "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("campaignFilters.builderId")
    );
    let error = &lines[3]["error"];
    assert_eq!(error["kind"], "campaign_not_found");
    assert_eq!(error["status"], 400);
    assert_eq!(error["code"], "3004");
    let keys: Vec<&String> = error.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4, "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_error_without_an_answer_has_no_status() {
    // A port that was free a moment ago: nothing listens there.
    let server = MockServer::start().await;
    let base_url = server.base_url();
    server.shutdown().await;
    let run = with_token(
        &base_url,
        &[
            "campaign",
            "12345",
            "--format",
            "json",
            "--max-retries",
            "0",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let line: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(line["error"]["kind"], "connect");
    assert!(line["error"].get("status").is_none(), "{line}");
    assert!(line["error"].get("code").is_none(), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_follows_the_order_of_the_ids() {
    let server = MockServer::start().await;
    // The first campaign answers last; it is still printed first.
    server.inject(Fault::delay(Duration::from_millis(300)).for_campaign(12346));
    let run = with_token(
        &server.base_url(),
        &[
            "campaign",
            "12346",
            "12345",
            "12345",
            "--format",
            "json",
            "--concurrency",
            "3",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let ids: Vec<i64> = run
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["campaign_id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, [12346, 12345, 12345]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_and_to_become_start_time_and_end_time_and_an_omitted_one_is_omitted() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    for (range, body) in [
        (vec![], r#"{"campaign_id":12345}"#),
        (
            vec!["--from", "2018-01-01"],
            r#"{"campaign_id":12345,"start_time":1514764800}"#,
        ),
        (
            vec!["--to", "1700000000"],
            r#"{"campaign_id":12345,"end_time":1700000000}"#,
        ),
        (
            vec![
                "--from",
                "2023-11-14T22:13:20Z",
                "--to",
                "2023-11-15T00:00:00+01:00",
            ],
            r#"{"campaign_id":12345,"start_time":1700000000,"end_time":1700002800}"#,
        ),
    ] {
        server.reset();
        let mut args = vec!["campaign", "12345", "--format", "json"];
        args.extend(&range);
        let run = with_token(&base_url, &args);
        assert_eq!(run.code, 0, "{range:?}: {run:?}");
        let journal = server.journal();
        assert_eq!(journal.len(), 1, "{range:?}");
        assert_eq!(journal[0].body, body, "{range:?}");
    }
}
