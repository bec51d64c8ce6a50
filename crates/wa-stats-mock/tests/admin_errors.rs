//! Every `/__admin/` error is a JSON body worded for the person who wrote the request: no Rust
//! type names, no file that does not exist, and a fault of `"times": 0` refused.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use common::*;
use wa_stats_mock::MockServer;

const RUST_WORDS: [&str; 8] = [
    "u64",
    "u32",
    "u16",
    "struct ",
    "invalid type",
    "invalid value",
    "<fixtures>",
    "fixture file",
];

/// Sends an admin request and returns the status and the `message` of its JSON body.
async fn admin(server: &MockServer, method: &str, path: &str, body: &str) -> (u16, String) {
    let url = format!("{}/__admin{path}", server.base_url());
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let answer = send(
        client()
            .request(method, url)
            .header("content-type", "application/json")
            .body(body.to_owned()),
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&answer.body)
        .unwrap_or_else(|e| panic!("{path}: not a JSON body ({e}): {:?}", answer.body));
    assert_eq!(
        answer.header("content-type"),
        Some("application/json"),
        "{path}"
    );
    let message = json["message"].as_str().unwrap().to_owned();
    for word in RUST_WORDS {
        assert!(!message.contains(word), "{word} in {message}");
    }
    (answer.status, message)
}

#[tokio::test]
async fn campaign_errors_are_json_and_name_the_body_path() {
    let server = MockServer::start().await;
    let negative = r#"{"owner":"demo","days":[{"date":"2022-01-01","delivered":-120}]}"#;
    let (status, message) = admin(&server, "PUT", "/campaigns/4242", negative).await;
    assert_eq!(status, 400);
    assert_eq!(
        message,
        "invalid campaign at days[0].delivered: expected a whole number (0 or more), found -120"
    );
    let bad_date = r#"{"owner":"demo","days":[{"date":"2022-02-30"}]}"#;
    let (status, message) = admin(&server, "PUT", "/campaigns/4242", bad_date).await;
    assert_eq!(status, 400);
    assert!(
        message.starts_with("invalid campaign at days[0].date: "),
        "{message}"
    );
    let (status, message) = admin(&server, "PUT", "/campaigns/4242", "{").await;
    assert_eq!(status, 400);
    assert!(message.starts_with("invalid campaign: "), "{message}");
    let (status, message) = admin(&server, "PUT", "/campaigns/abc", "{}").await;
    assert_eq!(status, 400);
    assert!(message.contains("whole number greater than 0"), "{message}");
    let (status, message) = admin(&server, "PUT", "/campaigns/0", "{}").await;
    assert_eq!(
        (status, message.contains("\"0\"")),
        (400, true),
        "{message}"
    );
}

#[tokio::test]
async fn fault_errors_are_json_and_times_zero_is_refused() {
    let server = MockServer::start().await;
    let (status, message) = admin(&server, "POST", "/faults", r#"{"status":503,"times":0}"#).await;
    assert_eq!(status, 400);
    assert!(message.contains("times must be at least 1"), "{message}");
    let (status, message) = admin(&server, "POST", "/faults", r#"{"status":"busy"}"#).await;
    assert_eq!(status, 400);
    assert!(
        message.starts_with(
            "invalid fault: expected a whole number (0 or more), found the string \"busy\""
        ),
        "{message}"
    );
    // The refused fault changed nothing.
    assert_eq!(
        by_key(&server, DEMO_KEY, r#"{"campaign_id":12345}"#)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_wrong_method_or_a_body_too_large_is_json_too() {
    let server = MockServer::start().await;
    let (status, message) = admin(&server, "GET", "/reset", "").await;
    assert_eq!(status, 405);
    assert!(message.contains("POST /__admin/reset"), "{message}");
    let huge = format!(
        r#"{{"owner":"demo","pad":"{}"}}"#,
        "x".repeat(17 * 1024 * 1024)
    );
    let (status, message) = admin(&server, "PUT", "/campaigns/1", &huge).await;
    assert_eq!(status, 413);
    assert!(message.contains("16 MiB"), "{message}");
}
