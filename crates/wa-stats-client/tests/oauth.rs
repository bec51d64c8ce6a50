//! OAuth client credentials against the mock's token endpoint (R14): one fetch shared by clones
//! and tasks, refresh before expiry, one refresh after a 401, and token-endpoint failures.

mod common;

use std::time::Duration;

use common::*;
use wa_stats_client::Error;
use wa_stats_mock::{Fault, MockServer};
use wa_stats_model::endpoint::TOKEN_PATH;

const UNAUTHORIZED: &str = r#"{"message":"unauthorized"}"#;

#[tokio::test]
async fn one_token_for_all_clones_and_tasks() {
    let server = MockServer::start().await;
    let client = oauth(&server);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.campaign_statistics(12345).send().await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(token_requests(&server), 1);
    let token = server
        .journal()
        .into_iter()
        .find(|e| e.path == TOKEN_PATH)
        .unwrap();
    assert_eq!(token.header("content-type"), Some("application/json"));
    assert!(
        token.body.contains(r#""scopes":["wa-stats-api"]"#),
        "{}",
        token.body
    );
}

#[tokio::test]
async fn access_token_gives_the_cached_token() {
    let server = MockServer::start().await;
    let client = oauth(&server);
    let token = client.access_token().await.unwrap();
    assert_eq!(token.to_string(), "** redacted **");
    assert!(!token.expose().is_empty());
    client.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(client.access_token().await.unwrap(), token);
    assert_eq!(token_requests(&server), 1);

    let static_token = bearer(&server).access_token().await.unwrap();
    assert_eq!(static_token.expose(), TOKEN);
    assert_eq!(
        api_key(&server)
            .access_token()
            .await
            .unwrap_err()
            .kind_name(),
        "config"
    );
}

// On the paused clock, which the mock's token expiry and the client's cache both read: the
// 1.2 s pass in no real time, and exactly.
#[tokio::test(start_paused = true)]
async fn a_token_near_expiry_is_refreshed_before_use() {
    // Tokens live 2 s; the client renews them after half their life.
    let server = MockServer::builder()
        .token_ttl(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let client = oauth(&server);
    client.campaign_statistics(12345).send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    client.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(token_requests(&server), 2);
    // The server never saw the old token fail.
    assert!(
        statistics_requests(&server)
            .iter()
            .all(|e| e.status == Some(200))
    );
}

#[tokio::test]
async fn a_revoked_token_is_refreshed_once_and_the_call_succeeds() {
    let server = MockServer::start().await;
    let client = oauth(&server);
    client.campaign_statistics(12345).send().await.unwrap();
    // The server forgets every token it issued: the cached one now gets a real 401.
    server.reset();
    let stats = client.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(stats.sent, 1200);
    let journal = server.journal();
    let paths: Vec<_> = journal
        .iter()
        .map(|e| (e.path.as_str(), e.status))
        .collect();
    assert_eq!(
        paths,
        [
            ("/api/wa/v2/statistics/campaign", Some(401)),
            (TOKEN_PATH, Some(200)),
            ("/api/wa/v2/statistics/campaign", Some(200)),
        ]
    );
}

#[tokio::test]
async fn a_persistent_401_fails_after_exactly_one_refresh() {
    let server = MockServer::start().await;
    let client = oauth(&server);
    server.inject(
        Fault::status(401)
            .body(UNAUTHORIZED)
            .header("www-authenticate", "Bearer")
            .times(10),
    );
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert_eq!(
        (error.kind_name(), error.status()),
        ("unauthorized", Some(401))
    );
    assert!(!error.is_retryable());
    assert_eq!(
        token_requests(&server),
        2,
        "the first token and one refresh"
    );
    assert_eq!(statistics_requests(&server).len(), 2);
}

#[tokio::test]
async fn a_401_with_a_fixed_bearer_token_is_final() {
    let server = MockServer::start().await;
    let client = bearer(&server);
    server.inject(Fault::status(401).body(UNAUTHORIZED).times(10));
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert_eq!(error.kind_name(), "unauthorized");
    assert_eq!(statistics_requests(&server).len(), 1);
}

#[tokio::test]
async fn wrong_client_credentials_fail_at_the_token_endpoint() {
    let server = MockServer::start().await;
    let client = quick(&server.base_url())
        .client_credentials(CLIENT_ID, "wrong-secret")
        .build()
        .unwrap();
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert!(matches!(error, Error::TokenEndpoint { .. }), "{error:?}");
    assert_eq!(
        (error.kind_name(), error.status()),
        ("token_endpoint", Some(401))
    );
    assert!(!error.is_retryable());
    assert!(
        error
            .to_string()
            .starts_with("OAuth token endpoint: HTTP 401"),
        "{error}"
    );
    assert!(!format!("{error} {error:?}").contains("wrong-secret"));
    assert_eq!(token_requests(&server), 1);
    assert!(statistics_requests(&server).is_empty());
}

#[tokio::test]
async fn a_token_endpoint_outage_is_retried() {
    let server = MockServer::start().await;
    let client = oauth(&server);
    server.inject(Fault::status(503).on_token_endpoint());
    client.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(token_requests(&server), 2);

    server.inject(Fault::status(503).on_token_endpoint().times(3));
    let down = oauth(&server)
        .campaign_statistics(12345)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (down.kind_name(), down.status(), down.attempts()),
        ("token_endpoint", Some(503), 3)
    );
    assert!(down.is_retryable());

    server.inject(
        Fault::status(200)
            .body(r#"{"nonsense":true}"#)
            .on_token_endpoint(),
    );
    let fresh = oauth(&server);
    let error = fresh.campaign_statistics(12345).send().await.unwrap_err();
    assert_eq!(error.kind_name(), "token_endpoint");
    assert!(
        matches!(&error, Error::TokenEndpoint { source, .. } if source.kind_name() == "unusable_token"),
        "{error:?}"
    );
}

/// A 200 from the token endpoint whose token cannot be used is the server's fault, not the
/// caller's: `UnusableToken` inside `TokenEndpoint`, never `Config`, which would tell a program
/// to fix its own client credentials.
#[tokio::test]
async fn an_unusable_token_is_its_own_kind_not_a_configuration_error() {
    let cases = [
        (
            r#"{"access_token":"","token_type":"Bearer","expires_in":3600}"#,
            "empty access_token",
        ),
        (
            r#"{"access_token":"issued\nhidden","token_type":"Bearer","expires_in":3600}"#,
            "cannot go in an HTTP header",
        ),
    ];
    for (body, reason) in cases {
        let server = MockServer::start().await;
        server.inject(Fault::status(200).body(body).on_token_endpoint());
        let error = oauth(&server)
            .campaign_statistics(12345)
            .send()
            .await
            .unwrap_err();
        let Error::TokenEndpoint { source, .. } = &error else {
            panic!("not a token-endpoint error: {error:?}");
        };
        assert!(
            matches!(**source, Error::UnusableToken { status: 200, .. }),
            "{source:?}"
        );
        assert_eq!(
            (error.kind_name(), error.status(), error.setting()),
            ("token_endpoint", Some(200), None)
        );
        assert!(!error.is_retryable());
        let text = error.to_string();
        assert!(
            text.starts_with(
                "OAuth token endpoint: HTTP 200 with a body that is not a usable token"
            ) && text.contains(reason),
            "{text}"
        );
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("hidden"), "the token was echoed: {shown}");
        assert_no_secret(&shown);
        assert_eq!(token_requests(&server), 1);
        assert!(statistics_requests(&server).is_empty());
    }
}
