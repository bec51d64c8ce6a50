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

#[tokio::test(start_paused = true)]
async fn token_expires_after_its_ttl() {
    let app = router(
        MockServer::builder()
            .token_ttl(Duration::from_secs(1))
            .into_state()
            .unwrap(),
    );
    let token: TokenResponse = serde_json::from_str(&oneshot_token(&app).await.1).unwrap();
    assert_eq!(token.expires_in, 1);
    let auth = format!("Bearer {}", token.access_token.expose());
    let headers = [("authorization", auth.as_str())];
    let status = |app| async move {
        oneshot(app, "POST", OAUTH_STATISTICS_PATH, &headers, CAMPAIGN)
            .await
            .0
    };
    assert_eq!(status(&app).await, 200);
    tokio::time::advance(Duration::from_millis(999)).await;
    assert_eq!(status(&app).await, 200, "still valid just before its TTL");
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_eq!(status(&app).await, 401, "expired at its TTL");
}

/// The same over a real socket: an expired token gets R2's 401 with `WWW-Authenticate`. Server
/// and client share the runtime's paused clock (the server's clock is the runtime's), so the
/// token expires when the test moves the clock, not after a wait.
#[tokio::test(start_paused = true)]
async fn an_expired_token_is_refused_over_loopback() {
    let server = MockServer::builder()
        .token_ttl(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let answer = get_token(&server, &TokenRequest::new("demo-client", "demo-secret")).await;
    let token: TokenResponse = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(
        by_token(&server, token.access_token.expose(), CAMPAIGN)
            .await
            .status,
        200
    );
    tokio::time::advance(Duration::from_secs(1)).await;
    let expired = by_token(&server, token.access_token.expose(), CAMPAIGN).await;
    assert_eq!(
        (expired.status, expired.header("www-authenticate")),
        (401, Some("Bearer"))
    );
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

/// Over a real socket, what holds whatever the timing: two tokens of one client are distinct and
/// both accepted. Their shared budget is counted exactly on the paused clock below.
#[tokio::test]
async fn tokens_of_one_client_are_distinct_and_accepted_over_loopback() {
    let server = MockServer::start().await;
    let request = TokenRequest::new("demo-client", "demo-secret");
    let a: TokenResponse = serde_json::from_str(&get_token(&server, &request).await.body).unwrap();
    let b: TokenResponse = serde_json::from_str(&get_token(&server, &request).await.body).unwrap();
    assert_ne!(a.access_token, b.access_token);
    for token in [&a, &b] {
        assert_eq!(
            by_token(&server, token.access_token.expose(), CAMPAIGN)
                .await
                .status,
            200
        );
    }
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
    // A static token of the same partner has its own budget.
    let static_token = [("authorization", "Bearer demo-token")];
    assert_eq!(
        oneshot(&app, "POST", OAUTH_STATISTICS_PATH, &static_token, CAMPAIGN)
            .await
            .0,
        200
    );
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
