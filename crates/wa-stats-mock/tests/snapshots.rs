//! Exact bodies pinned with insta: what a client test would assert on.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use common::*;
use serde_json::Value;
use wa_stats_mock::MockServer;
use wa_stats_model::TokenRequest;

#[tokio::test]
async fn error_token_and_journal_bodies() {
    let server = MockServer::builder()
        .rate_limit(Some(1))
        .start()
        .await
        .unwrap();
    by_key(&server, DEMO_KEY, r#"{"campaign_id":33333}"#).await;
    let limited = by_key(&server, DEMO_KEY, r#"{"campaign_id":12345}"#).await;
    insta::assert_snapshot!("rate_limited_429", limited.body);
    let not_found = by_key(&server, "INS.other-key", r#"{"campaign_id":12345}"#).await;
    insta::assert_snapshot!("campaign_not_found_3004", not_found.body);

    let url = format!("{}/auth/token", server.base_url());
    let token = send(
        client()
            .post(url)
            .json(&TokenRequest::new("demo-client", "demo-secret")),
    )
    .await;
    let mut token: Value = token.json();
    token["access_token"] = Value::from("[token]");
    insta::assert_json_snapshot!("token_response", token);

    let mut journal = serde_json::to_value(server.journal()).unwrap();
    for entry in journal.as_array_mut().unwrap() {
        // The port and the library's user agent are not ours to pin.
        entry["headers"]
            .as_array_mut()
            .unwrap()
            .retain(|h| h[0] != "host" && h[0] != "user-agent");
        entry["received_us"] = Value::from("[time]");
    }
    insta::assert_json_snapshot!("journal", journal);
}
