//! R3's order of checks: for each row, a request that fails that row and a later one at once
//! gets the earlier row's answer.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use common::*;
use wa_stats_mock::MockServer;
use wa_stats_model::endpoint::API_KEY_STATISTICS_PATH;
use wa_stats_model::{CredentialKind, ErrorResponse};

async fn limited(per_second: u32) -> MockServer {
    MockServer::builder()
        .rate_limit(Some(per_second))
        .start()
        .await
        .unwrap()
}

fn same(answer: &Answer, expected: &ErrorResponse) {
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (expected.status, expected.body.as_str())
    );
}

#[tokio::test]
async fn row1_method_before_credential() {
    let server = MockServer::start().await;
    let url = format!("{}{API_KEY_STATISTICS_PATH}", server.base_url());
    same(
        &send(client().get(url)).await,
        &ErrorResponse::method_not_allowed(),
    );
}

#[tokio::test]
async fn row2_credential_before_rate_limit() {
    let server = limited(1).await;
    assert_eq!(
        by_key(&server, DEMO_KEY, r#"{"campaign_id":12345}"#)
            .await
            .status,
        200
    );
    assert_eq!(
        by_key(&server, DEMO_KEY, r#"{"campaign_id":12345}"#)
            .await
            .status,
        429
    );
    // The same exhausted budget with a wrong-kind credential: the credential check comes first.
    let wrong_kind = by_token(&server, DEMO_KEY, r#"{"campaign_id":12345}"#).await;
    same(
        &wrong_kind,
        &ErrorResponse::unauthorized(Some(CredentialKind::BearerToken)),
    );
}

#[tokio::test]
async fn row3_rate_limit_before_product() {
    let server = limited(1).await;
    same(
        &by_key(&server, "INS.inactive-key", "{}").await,
        &ErrorResponse::product_not_active(),
    );
    let answer = by_key(&server, "INS.inactive-key", "{}").await;
    same(&answer, &ErrorResponse::rate_limited());
    assert_eq!(answer.header("retry-after"), Some("1"));
}

#[tokio::test]
async fn row4_product_before_parse() {
    let server = MockServer::start().await;
    same(
        &by_key(&server, "INS.inactive-key", "not json").await,
        &ErrorResponse::product_not_active(),
    );
}

#[tokio::test]
async fn row5_parse_before_validation() {
    let server = MockServer::start().await;
    let answer = by_key(
        &server,
        DEMO_KEY,
        r#"{"campaign_id":0,"start_time":"soon"}"#,
    )
    .await;
    assert_eq!(answer.json()["errorCode"], "3001");
}

#[tokio::test]
async fn row6_validation_before_ownership() {
    let server = MockServer::start().await;
    let answer = by_key(&server, DEMO_KEY, r#"{"campaign_id":99999,"end_time":12}"#).await;
    assert_eq!(
        answer.json()["errors"],
        "end_time must be a 10-digit unix timestamp"
    );
}

#[tokio::test]
async fn row7_ownership_before_kind() {
    let server = MockServer::start().await;
    // 22222 is demo's non-WhatsApp campaign: to "other" it does not exist.
    same(
        &by_key(&server, "INS.other-key", r#"{"campaign_id":22222}"#).await,
        &ErrorResponse::campaign_not_found(),
    );
}

#[tokio::test]
async fn row8_kind_before_statistics() {
    let server = MockServer::start().await;
    same(
        &by_key(&server, DEMO_KEY, r#"{"campaign_id":22222}"#).await,
        &ErrorResponse::not_a_whatsapp_campaign(),
    );
}
