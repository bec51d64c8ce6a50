//! Faults real networks and gateways produce: what is retried, how long the client waits, when it
//! gives up, and which transport kind it reports.
//!
//! Every test runs on tokio's paused clock, client and mock on one runtime: a `Retry-After: 2`
//! is two seconds of virtual time, so the lower bounds below hold exactly (a client that came
//! back early would show less) and cost no real time.

mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::routing::post;
use common::*;
use futures_util::stream;
use tokio::time::Instant;
use wa_stats_client::{Client, Error, TransportKind};
use wa_stats_mock::{Fault, MockServer};

const RATE_LIMITED: &str =
    r#"{"message":"rate limited","error":{"message":"rate limited","code":2021}}"#;

fn statuses(server: &MockServer) -> Vec<Option<u16>> {
    statistics_requests(server)
        .iter()
        .map(|e| e.status)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_429_then_success() {
    let server = MockServer::start().await;
    let client = bearer(&server);
    server.inject(
        Fault::status(429)
            .body(RATE_LIMITED)
            .header("retry-after", "1"),
    );
    let stats = client.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(stats.sent, 1200);
    assert_eq!(statuses(&server), [Some(429), Some(200)]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    let client = bearer(&server);
    server.inject(
        Fault::status(429)
            .body(RATE_LIMITED)
            .header("retry-after", "2"),
    );
    let started = Instant::now();
    client.campaign_statistics(12345).send().await.unwrap();
    // A lower bound only: the client must not come back before the server said it may.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(statuses(&server), [Some(429), Some(200)]);
}

#[tokio::test(start_paused = true)]
async fn a_429_without_retry_after_still_waits_a_window() {
    let server = MockServer::start().await;
    let client = bearer(&server);
    server.inject(Fault::status(429).body(RATE_LIMITED));
    let started = Instant::now();
    client.campaign_statistics(12345).send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn server_errors_back_off_then_succeed_or_give_up_after_max_attempts() {
    let server = MockServer::start().await;
    let client = bearer(&server);
    server.inject(Fault::status(503).times(2));
    client.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(statuses(&server), [Some(503), Some(503), Some(200)]);

    server.reset();
    server.inject(Fault::status(500).times(10));
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert_eq!((error.status(), error.attempts()), (Some(500), 3));
    assert!(error.is_retryable());
    assert!(error.to_string().contains("after 3 attempts"), "{error}");
    assert_eq!(statistics_requests(&server).len(), 3);

    server.reset();
    server.inject(Fault::status(408).times(1));
    client.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(statuses(&server), [Some(408), Some(200)]);
}

#[tokio::test(start_paused = true)]
async fn the_retry_quota_stops_a_retry_storm() {
    let server = MockServer::start().await;
    // Room for two retries (5 tokens each) in the whole client.
    let client = quick(&server.base_url())
        .bearer_token(TOKEN)
        .max_attempts(5)
        .retry_quota(10)
        .build()
        .unwrap();
    server.inject(Fault::status(503).times(100));
    let first = client.campaign_statistics(12345).send().await.unwrap_err();
    assert_eq!(first.attempts(), 3);
    let second = client.campaign_statistics(12345).send().await.unwrap_err();
    assert_eq!(second.attempts(), 1);
    assert_eq!(statistics_requests(&server).len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_body_cut_short_is_retried_and_then_reported() {
    let server = MockServer::start().await;
    let client = bearer(&server);
    server.inject(Fault::close_mid_body());
    assert_eq!(
        client.campaign_statistics(12345).send().await.unwrap().sent,
        1200
    );

    server.inject(Fault::close_mid_body().times(3));
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::BodyCutShort,
                attempts: 3,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.kind_name(), "body_cut_short");
    assert!(error.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn a_dropped_connection_is_retried() {
    let server = MockServer::start().await;
    let client = bearer(&server);
    server.inject(Fault::close_connection());
    assert_eq!(
        client.campaign_statistics(12345).send().await.unwrap().sent,
        1200
    );

    server.inject(Fault::close_connection().times(3));
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert!(
        matches!(error, Error::Transport { attempts: 3, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn a_slow_server_times_out() {
    let server = MockServer::start().await;
    let client = quick(&server.base_url())
        .bearer_token(TOKEN)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    server.inject(Fault::delay(Duration::from_secs(2)).times(3));
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Timeout,
                attempts: 3,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.kind_name(), "timeout");

    server.reset();
    server.inject(Fault::delay(Duration::from_secs(2)));
    assert_eq!(
        client.campaign_statistics(12345).send().await.unwrap().sent,
        1200
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_is_a_connect_error() {
    // Bind a loopback port, then free it: nothing listens there any more.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = quick(&base).bearer_token(TOKEN).build().unwrap();
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Connect,
                attempts: 3,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_tls_failure_is_reported_and_not_retried() {
    let base = plain_text_where_tls_is_expected().await;
    let client = quick(&base).bearer_token(TOKEN).build().unwrap();
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Tls,
                attempts: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_no_secret(&format!("{error} {error:?}"));
}

#[tokio::test(start_paused = true)]
async fn a_streamed_body_over_the_cap_is_refused_without_buffering_it() {
    // No content-length: the cap must be enforced while reading.
    let router = Router::new().route(
        "/api/wa/v2/statistics/campaign",
        post(|| async {
            let chunks = (0..64).map(|_| Ok::<_, std::io::Error>(vec![b' '; 64 * 1024]));
            Body::from_stream(stream::iter(chunks))
        }),
    );
    let base = serve(router).await;
    let client = Client::builder()
        .base_url(&base)
        .bearer_token(TOKEN)
        .max_body_bytes(256 * 1024)
        .build()
        .unwrap();
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::BodyTooLarge {
                status: 200,
                limit: 262_144,
                ..
            }
        ),
        "{error:?}"
    );
}
