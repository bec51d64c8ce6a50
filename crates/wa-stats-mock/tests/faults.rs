//! Scripted faults and the journal, from the library handle and over the admin API.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::time::Duration;

use common::*;
use wa_stats_mock::fixtures::{CampaignFixture, DayFixture};
use wa_stats_mock::{Fault, MockServer, router};
use wa_stats_model::secret::REDACTED;
use wa_stats_model::{CampaignStatistics, TokenRequest};

const CAMPAIGN: &str = r#"{"campaign_id":12345}"#;

#[tokio::test]
async fn status_body_and_headers_for_the_next_n_requests() {
    let server = MockServer::start().await;
    server.inject(
        Fault::status(503)
            .body(r#"{"message":"busy"}"#)
            .header("Retry-After", "2")
            .times(2),
    );
    for _ in 0..2 {
        let answer = by_key(&server, DEMO_KEY, CAMPAIGN).await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (503, r#"{"message":"busy"}"#)
        );
        assert_eq!(answer.header("retry-after"), Some("2"));
        assert_eq!(answer.header("content-type"), Some("application/json"));
    }
    assert_eq!(by_key(&server, DEMO_KEY, CAMPAIGN).await.status, 200);
    server.inject(Fault::status(502).body("<html>bad gateway</html>"));
    let html = by_token(&server, DEMO_TOKEN, CAMPAIGN).await;
    assert_eq!(
        (html.status, html.header("content-type")),
        (502, Some("text/plain; charset=utf-8"))
    );
}

#[tokio::test]
async fn per_campaign_faults_leave_other_campaigns_alone() {
    let server = MockServer::start().await;
    server.inject(Fault::status(500).for_campaign(12346));
    assert_eq!(by_key(&server, DEMO_KEY, CAMPAIGN).await.status, 200);
    assert_eq!(
        by_key(&server, DEMO_KEY, r#"{"campaign_id":12346}"#)
            .await
            .status,
        500
    );
    assert_eq!(
        by_key(&server, DEMO_KEY, r#"{"campaign_id":12346}"#)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn delay_then_normal_answer() {
    let server = MockServer::start().await;
    server.inject(Fault::delay(Duration::from_millis(30)));
    let answer = by_key(&server, DEMO_KEY, CAMPAIGN).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, SAMPLE));
}

#[tokio::test]
async fn close_connection_gives_no_answer() {
    let server = MockServer::start().await;
    server.inject(Fault::close_connection());
    let url = format!("{}/v1/statistics/campaign", server.base_url());
    let result = client()
        .post(&url)
        .header("x-ins-auth-key", DEMO_KEY)
        .body(CAMPAIGN)
        .send()
        .await;
    let error = result.unwrap_err();
    assert!(!error.is_status() && !error.is_timeout(), "{error:?}");
    assert_eq!(by_key(&server, DEMO_KEY, CAMPAIGN).await.status, 200);
    let journal = server.journal();
    assert_eq!(journal.len(), 2);
    assert_eq!((journal[0].status, journal[1].status), (None, Some(200)));
}

#[tokio::test]
async fn close_mid_body_sends_headers_then_breaks_off() {
    let server = MockServer::start().await;
    server.inject(Fault::close_mid_body());
    let url = format!("{}/v1/statistics/campaign", server.base_url());
    let response = client()
        .post(&url)
        .header("x-ins-auth-key", DEMO_KEY)
        .body(CAMPAIGN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.content_length(), Some(SAMPLE.len() as u64));
    assert!(response.bytes().await.is_err());
    assert_eq!(by_key(&server, DEMO_KEY, CAMPAIGN).await.body, SAMPLE);
}

#[tokio::test]
async fn token_endpoint_faults_are_separate() {
    let server = MockServer::start().await;
    server.inject(Fault::status(503).on_token_endpoint());
    assert_eq!(by_key(&server, DEMO_KEY, CAMPAIGN).await.status, 200);
    let url = format!("{}/auth/token", server.base_url());
    let request = TokenRequest::new("demo-client", "demo-secret");
    assert_eq!(send(client().post(&url).json(&request)).await.status, 503);
    assert_eq!(send(client().post(&url).json(&request)).await.status, 200);
}

#[tokio::test]
async fn journal_redacts_credentials_and_reset_clears() {
    let server = MockServer::start().await;
    by_key(&server, DEMO_KEY, CAMPAIGN).await;
    by_token(&server, DEMO_TOKEN, r#"{"campaign_id":1}"#).await;
    let journal = server.journal();
    assert_eq!(journal.len(), 2);
    assert_eq!(journal[0].method, "POST");
    assert_eq!(journal[0].path, "/v1/statistics/campaign");
    assert_eq!(journal[0].header("x-ins-auth-key"), Some(REDACTED));
    assert_eq!(journal[1].header("authorization"), Some(REDACTED));
    assert_eq!(
        (journal[0].body.as_str(), journal[0].status),
        (CAMPAIGN, Some(200))
    );
    let printed = format!("{journal:?}{}", serde_json::to_string(&journal).unwrap());
    assert!(!printed.contains(DEMO_KEY) && !printed.contains(DEMO_TOKEN));
    server.inject(Fault::status(500).times(5));
    server.reset();
    assert!(server.journal().is_empty());
    assert_eq!(by_key(&server, DEMO_KEY, CAMPAIGN).await.status, 200);
}

#[tokio::test]
async fn upserted_campaign_is_served() {
    let server = MockServer::start().await;
    let stats = CampaignStatistics::from_json(SAMPLE.as_bytes()).unwrap();
    let campaign =
        CampaignFixture::new(777, "demo").day(DayFixture::from_statistics("2023-05-01", &stats));
    server.upsert_campaign(&campaign).unwrap();
    assert_eq!(
        by_key(&server, DEMO_KEY, r#"{"campaign_id":777}"#)
            .await
            .body,
        SAMPLE
    );
    let error = server
        .upsert_campaign(&CampaignFixture::new(778, "nobody"))
        .unwrap_err();
    assert!(error.to_string().contains("campaign.owner"), "{error}");
}

/// An admin write as the admin API takes it: `Content-Type: application/json`.
fn json_post(url: String) -> reqwest::RequestBuilder {
    client()
        .post(url)
        .header("content-type", "application/json")
}

#[tokio::test]
async fn admin_api_over_http() {
    let server = MockServer::start().await;
    let admin = |path: &str| format!("{}/__admin{path}", server.base_url());
    let fault =
        r#"{"status":429,"body":"{}","headers":{"retry-after":"7"},"times":1,"campaignId":12345}"#;
    assert_eq!(
        send(json_post(admin("/faults")).body(fault)).await.status,
        204
    );
    let limited = by_key(&server, DEMO_KEY, CAMPAIGN).await;
    assert_eq!(
        (limited.status, limited.header("retry-after")),
        (429, Some("7"))
    );
    let close = r#"{"close":"connection","route":"token"}"#;
    assert_eq!(
        send(json_post(admin("/faults")).body(close)).await.status,
        204
    );
    let bad =
        send(json_post(admin("/faults")).body(r#"{"status":200,"close":"connection"}"#)).await;
    assert_eq!(bad.status, 400);
    let typo = send(json_post(admin("/faults")).body(r#"{"stauts":500}"#)).await;
    assert_eq!(typo.status, 400);

    let journal = send(client().get(admin("/journal"))).await;
    assert_eq!(journal.status, 200);
    let entries = journal.json();
    assert_eq!(
        entries.as_array().unwrap().len(),
        1,
        "admin requests are not journaled"
    );
    assert_eq!(
        entries[0]["headers"].to_string().matches(REDACTED).count(),
        1
    );

    let day = r#"{"owner":"demo","days":[{"date":"2022-01-01","delivered":7}]}"#;
    assert_eq!(
        send(
            client()
                .put(admin("/campaigns/4242"))
                .header("content-type", "application/json")
                .body(day)
        )
        .await
        .status,
        204
    );
    let answer = by_key(&server, DEMO_KEY, r#"{"campaign_id":4242}"#).await;
    assert_eq!(answer.json()["sent"], 7);
    let bad_day = r#"{"owner":"demo","days":[{"date":"2022-02-30"}]}"#;
    let refused = send(
        client()
            .put(admin("/campaigns/4243"))
            .header("content-type", "application/json")
            .body(bad_day),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("days[0].date"), "{}", refused.body);

    assert_eq!(send(json_post(admin("/reset"))).await.status, 204);
    assert_eq!(send(client().get(admin("/journal"))).await.body, "[]");
}

#[tokio::test]
async fn admin_token_and_non_loopback() {
    let server = MockServer::builder()
        .admin_token("sesame")
        .start()
        .await
        .unwrap();
    let url = format!("{}/__admin/journal", server.base_url());
    assert_eq!(send(client().get(&url)).await.status, 401);
    assert_eq!(
        send(client().get(&url).bearer_auth("wrong")).await.status,
        401
    );
    assert_eq!(
        send(client().get(&url).bearer_auth("sesame")).await.status,
        200
    );

    // Not bound (tests bind loopback only): a wildcard address without a token has no admin API.
    let wildcard = "0.0.0.0:0".parse().unwrap();
    let closed = router(MockServer::builder().listen(wildcard).into_state().unwrap());
    assert_eq!(
        oneshot(&closed, "GET", "/__admin/journal", &[], "").await.0,
        404
    );
    let opened = router(
        MockServer::builder()
            .listen(wildcard)
            .admin_token("t")
            .into_state()
            .unwrap(),
    );
    let auth = [("authorization", "Bearer t")];
    assert_eq!(
        oneshot(&opened, "GET", "/__admin/journal", &auth, "")
            .await
            .0,
        200
    );
}
