//! The first things a user tries: the sample campaign over both routes.

mod common;

use common::*;
use wa_stats_mock::MockServer;

#[tokio::test]
async fn sample_campaign_on_both_routes() {
    let server = MockServer::start().await;
    let by_key = by_key(&server, DEMO_KEY, r#"{"campaign_id":12345}"#).await;
    assert_eq!((by_key.status, by_key.body.as_str()), (200, SAMPLE));
    assert_eq!(by_key.header("content-type"), Some("application/json"));
    let by_token = by_token(&server, DEMO_TOKEN, r#"{"campaign_id":12345}"#).await;
    assert_eq!((by_token.status, by_token.body.as_str()), (200, SAMPLE));
}
