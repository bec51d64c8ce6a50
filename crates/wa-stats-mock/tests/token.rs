//! `POST /auth/token` (R14): issue, use, expiry, the 10-per-minute limit, errors that never echo
//! a secret.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::time::Duration;

use common::*;
use wa_stats_mock::{MockServer, router};
use wa_stats_model::endpoint::OAUTH_STATISTICS_PATH;
use wa_stats_model::{ErrorResponse, TokenRequest, TokenResponse};

const CAMPAIGN: &str = r#"{"campaign_id":12345}"#;

async fn get_token(server: &MockServer, request: &TokenRequest) -> Answer {
    send(
        client()
            .post(format!("{}/auth/token", server.base_url()))
            .json(request),
    )
    .await
}

#[tokio::test]
async fn issued_token_reads_statistics_over_loopback() {
    let server = MockServer::start().await;
    let answer = get_token(&server, &TokenRequest::new("demo-client", "demo-secret")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let token: TokenResponse = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(
        (token.token_type.as_str(), token.expires_in),
        ("Bearer", 3600)
    );
    let stats = by_token(&server, token.access_token.expose(), CAMPAIGN).await;
    assert_eq!((stats.status, stats.body.as_str()), (200, SAMPLE));
    // The journal never holds the secret or the token.
    let journal = format!("{:?}", server.journal());
    assert!(!journal.contains("demo-secret"), "{journal}");
    assert!(!journal.contains(token.access_token.expose()));
}

#[tokio::test]
async fn token_expires_after_its_ttl_over_loopback() {
    let server = MockServer::builder()
        .token_ttl(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let answer = get_token(&server, &TokenRequest::new("demo-client", "demo-secret")).await;
    let token: TokenResponse = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(token.expires_in, 1);
    assert_eq!(
        by_token(&server, token.access_token.expose(), CAMPAIGN)
            .await
            .status,
        200
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = by_token(&server, token.access_token.expose(), CAMPAIGN).await;
    assert_eq!(
        (expired.status, expired.header("www-authenticate")),
        (401, Some("Bearer"))
    );
}

#[tokio::test(start_paused = true)]
async fn expiry_and_issuance_limit_follow_tokio_time() {
    let app = router(MockServer::builder().into_state().unwrap());
    let (status, body) = oneshot_token(&app).await;
    assert_eq!(status, 200);
    let token: TokenResponse = serde_json::from_str(&body).unwrap();
    let auth = format!("Bearer {}", token.access_token.expose());
    let headers = [("authorization", auth.as_str())];
    let ask = || oneshot(&app, "POST", OAUTH_STATISTICS_PATH, &headers, CAMPAIGN);
    assert_eq!(ask().await.0, 200);
    tokio::time::advance(Duration::from_secs(3599)).await;
    assert_eq!(ask().await.0, 200);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(ask().await.0, 401);

    // Ten per minute per client (the first token is an hour old by now); the eleventh is 429
    // with the R9 body, until the minute passes.
    for _ in 0..10 {
        assert_eq!(oneshot_token(&app).await.0, 200);
    }
    let (status, body) = oneshot_token(&app).await;
    assert_eq!((status, body), (429, ErrorResponse::rate_limited().body));
    tokio::time::advance(Duration::from_secs(60)).await;
    assert_eq!(oneshot_token(&app).await.0, 200);
}

#[tokio::test]
async fn wrong_client_scope_or_body() {
    let server = MockServer::start().await;
    let wrong = get_token(&server, &TokenRequest::new("demo-client", "guess")).await;
    assert_eq!(
        (wrong.status, wrong.body.as_str()),
        (401, r#"{"message":"unauthorized"}"#)
    );
    assert_eq!(wrong.header("www-authenticate"), None);
    let unknown = get_token(&server, &TokenRequest::new("nobody", "demo-secret")).await;
    assert_eq!(unknown.status, 401);
    let mut no_scope = TokenRequest::new("demo-client", "demo-secret");
    no_scope.scopes = vec!["other".to_owned()];
    let answer = get_token(&server, &no_scope).await;
    assert_eq!(
        (answer.status, answer.body),
        (403, ErrorResponse::scope_required().body)
    );

    let url = format!("{}/auth/token", server.base_url());
    // A secret of the wrong type must not come back in the error.
    let echo = send(
        client()
            .post(&url)
            .body(r#"{"client_id":"demo-client","client_secret":987654321,"scopes":[]}"#),
    )
    .await;
    assert_eq!(
        (echo.status, echo.json()["errorCode"].as_str()),
        (400, Some("3001"))
    );
    assert!(!echo.body.contains("987654321"), "{}", echo.body);
    let junk = send(client().post(&url).body("{")).await;
    assert_eq!(junk.status, 400);
}

#[tokio::test]
async fn tokens_of_one_client_share_its_budget_over_loopback() {
    let server = MockServer::builder()
        .rate_limit(Some(4))
        .start()
        .await
        .unwrap();
    let request = TokenRequest::new("demo-client", "demo-secret");
    let a: TokenResponse = serde_json::from_str(&get_token(&server, &request).await.body).unwrap();
    let b: TokenResponse = serde_json::from_str(&get_token(&server, &request).await.body).unwrap();
    assert_ne!(a.access_token, b.access_token);
    let started = std::time::Instant::now();
    let mut statuses = Vec::new();
    for token in [&a, &b, &a, &b, &a, &b] {
        statuses.push(
            by_token(&server, token.access_token.expose(), CAMPAIGN)
                .await
                .status,
        );
    }
    // Not a timing assertion: only when all six fell in one second is the count exact.
    if started.elapsed() < Duration::from_millis(900) {
        assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
    }
    // A static token of the same partner has its own budget.
    assert_eq!(by_token(&server, DEMO_TOKEN, CAMPAIGN).await.status, 200);
}

#[tokio::test(start_paused = true)]
async fn tokens_of_one_client_share_its_budget_exactly() {
    let app = router(
        MockServer::builder()
            .rate_limit(Some(4))
            .into_state()
            .unwrap(),
    );
    let mut auth = Vec::new();
    for _ in 0..2 {
        let token: TokenResponse = serde_json::from_str(&oneshot_token(&app).await.1).unwrap();
        auth.push(format!("Bearer {}", token.access_token.expose()));
    }
    let mut statuses = Vec::new();
    for i in 0..6 {
        let headers = [("authorization", auth[i % 2].as_str())];
        statuses.push(
            oneshot(&app, "POST", OAUTH_STATISTICS_PATH, &headers, CAMPAIGN)
                .await
                .0,
        );
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
    tokio::time::advance(Duration::from_secs(1)).await;
    let headers = [("authorization", auth[1].as_str())];
    assert_eq!(
        oneshot(&app, "POST", OAUTH_STATISTICS_PATH, &headers, CAMPAIGN)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn eleventh_token_in_a_minute_is_429_over_loopback() {
    let server = MockServer::start().await;
    let request = TokenRequest::new("demo-client", "demo-secret");
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(get_token(&server, &request).await.status);
    }
    // Eleven requests take far less than the minute the limit spans.
    assert_eq!(
        statuses,
        [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429]
    );
    let limited = get_token(&server, &request).await;
    assert_eq!(
        (limited.status, limited.header("retry-after")),
        (429, Some("1"))
    );
    assert_eq!(limited.body, ErrorResponse::rate_limited().body);
    server.reset();
    assert_eq!(get_token(&server, &request).await.status, 200);
}
