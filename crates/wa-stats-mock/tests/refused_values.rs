//! Issue 31, items 13 and 1: values the mock cannot honour are refused, naming the field or the
//! flag, instead of being served broken: totals whose sums overflow or pass i64, campaign IDs
//! past i64, faults that would break HTTP framing, 1xx statuses, absurd delays, token lifetimes
//! no clock can hold, synthetic days that cannot be stored.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::process::Command;

use common::*;
use wa_stats_mock::{MockError, MockServer, fixtures};

const BIN: &str = env!("CARGO_BIN_EXE_wa-stats-mock");

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
    (answer.status, answer.body)
}

#[tokio::test]
async fn totals_that_do_not_fit_are_refused_naming_the_counter() {
    let server = MockServer::start().await;
    let max = u64::MAX;
    let both = format!(
        r#"{{"owner":"demo","days":[{{"date":"2024-01-01","delivered":{max},"deliveryPending":{max}}}]}}"#
    );
    let (status, message) = admin(&server, "PUT", "/campaigns/4242", &both).await;
    assert_eq!(status, 400, "{message}");
    assert!(message.contains("sent"), "{message}");
    let big = i64::MAX.unsigned_abs() + 1;
    let past_i64 =
        format!(r#"{{"owner":"demo","days":[{{"date":"2024-01-01","delivered":{big}}}]}}"#);
    let (status, message) = admin(&server, "PUT", "/campaigns/4242", &past_i64).await;
    assert_eq!(status, 400, "{message}");
    assert!(message.contains("delivered"), "{message}");
    let (status, message) = admin(
        &server,
        "PUT",
        "/campaigns/9223372036854775808",
        "{\"owner\":\"demo\"}",
    )
    .await;
    assert_eq!(status, 400, "{message}");
    // Nothing was stored: the campaign is still unknown.
    let answer = by_key(&server, DEMO_KEY, r#"{"campaign_id":4242}"#).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
}

#[test]
fn a_fixture_file_with_overflowing_totals_or_a_huge_id_is_refused() {
    let max = u64::MAX;
    let partner = r#"{"name":"a","apiKeys":["k"]}"#;
    let overflow = format!(
        r#"{{"partners":[{partner}],"campaigns":[{{"id":1,"owner":"a","days":[{{"date":"2024-01-01","delivered":{max},"deliveryPending":{max}}}]}}]}}"#
    );
    let error = MockServer::builder()
        .fixtures(fixtures::from_json(&overflow, "f.json").unwrap())
        .into_state()
        .unwrap_err();
    assert!(
        matches!(&error, MockError::Fixture { path, .. } if path.starts_with("campaigns[0]")),
        "{error}"
    );
    let huge_id = format!(
        r#"{{"partners":[{partner}],"campaigns":[{{"id":9223372036854775808,"owner":"a"}}]}}"#
    );
    let error = MockServer::builder()
        .fixtures(fixtures::from_json(&huge_id, "f.json").unwrap())
        .into_state()
        .unwrap_err();
    assert!(
        matches!(&error, MockError::Fixture { path, .. } if path == "campaigns[0].id"),
        "{error}"
    );
}

#[tokio::test]
async fn faults_that_break_framing_or_cannot_be_served_are_refused() {
    let server = MockServer::start().await;
    for (fault, word) in [
        (
            r#"{"status":200,"headers":{"content-length":"5"}}"#,
            "content-length",
        ),
        (
            r#"{"status":200,"headers":{"Transfer-Encoding":"chunked"}}"#,
            "transfer-encoding",
        ),
        (r#"{"status":100}"#, "status"),
        (r#"{"status":101}"#, "status"),
        (r#"{"delayMs":1000000000000}"#, "delayMs"),
        (
            r#"{"status":503,"campaignId":9223372036854775808}"#,
            "campaignId",
        ),
    ] {
        let (status, message) = admin(&server, "POST", "/faults", fault).await;
        assert_eq!(status, 400, "{fault}: {message}");
        assert!(message.contains(word), "{fault}: {message}");
    }
    // None of them was queued.
    let answer = by_key(&server, DEMO_KEY, r#"{"campaign_id":12345}"#).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, SAMPLE));
}

#[test]
fn flags_that_cannot_be_honoured_are_refused_as_values() {
    for (args, flag) in [
        (["--synthetic-days", "4000000000"], "--synthetic-days"),
        (["--token-ttl", "18446744073709551615"], "--token-ttl"),
        (["--journal-bytes", "1KiB"], "--journal-bytes"),
    ] {
        let output = Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--synthetic-campaigns", "1"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
    }
}

#[test]
fn a_token_ttl_no_clock_can_hold_is_refused_from_fixtures_and_builder() {
    let ttl = u64::MAX;
    for (json, field) in [
        (
            format!(r#"{{"settings":{{"tokenTtlSecs":{ttl}}}}}"#),
            "settings.tokenTtlSecs",
        ),
        (
            format!(
                r#"{{"partners":[{{"name":"a","oauthClients":[{{"id":"c","secret":"s","tokenTtlSecs":{ttl}}}]}}]}}"#
            ),
            "partners[0].oauthClients[0].tokenTtlSecs",
        ),
        (
            r#"{"settings":{"tokenTtlSecs":0}}"#.to_owned(),
            "settings.tokenTtlSecs",
        ),
    ] {
        let error = MockServer::builder()
            .fixtures(fixtures::from_json(&json, "f.json").unwrap())
            .into_state()
            .unwrap_err();
        assert!(
            matches!(&error, MockError::Fixture { path, .. } if path == field),
            "{json}: {error}"
        );
    }
    let error = MockServer::builder()
        .token_ttl(std::time::Duration::from_secs(u64::MAX))
        .into_state()
        .unwrap_err();
    assert!(error.to_string().contains("token"), "{error}");
}
