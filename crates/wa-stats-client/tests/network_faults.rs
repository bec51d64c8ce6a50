//! The network's faults, scripted in the mock below HTTP: a reset, a stall, a slow body, bytes
//! that are not HTTP, and a fault that hits a seeded fraction of requests. Each test asserts the
//! error kind the client reports and whether it retried (the journal counts the attempts).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::time::Duration;

use common::*;
use wa_stats_client::{Client, Error, TransportKind};
use wa_stats_mock::{Fault, MockServer};

fn client(server: &MockServer, attempts: u32, timeout: Duration) -> Client {
    quick(&server.base_url())
        .api_key(API_KEY)
        .max_attempts(attempts)
        .timeout(timeout)
        .build()
        .unwrap()
}

fn transport(error: &Error) -> (TransportKind, u32) {
    match error {
        Error::Transport { kind, attempts, .. } => (*kind, *attempts),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_reset_is_retried_and_the_retry_succeeds() {
    let server = MockServer::start().await;
    server.inject(Fault::reset());
    let statistics = client(&server, 3, Duration::from_secs(10))
        .campaign_statistics(12345)
        .send()
        .await
        .unwrap();
    assert_eq!(statistics.sent, 1200);
    assert_eq!(
        statistics_requests(&server).len(),
        2,
        "one reset, one retry"
    );
}

#[tokio::test]
async fn resets_every_time_end_as_a_transport_error_after_every_attempt() {
    let server = MockServer::start().await;
    server.inject(Fault::reset().always());
    let error = client(&server, 3, Duration::from_secs(10))
        .campaign_statistics(12345)
        .send()
        .await
        .unwrap_err();
    let (kind, attempts) = transport(&error);
    assert_eq!(attempts, 3, "{}", error.report());
    assert_ne!(kind, TransportKind::Tls);
    assert_ne!(kind, TransportKind::Timeout);
    let report = error.report().to_string();
    assert!(report.contains("reset"), "the OS's words: {report}");
    assert_eq!(statistics_requests(&server).len(), 3);
}

#[tokio::test]
async fn a_stall_is_ended_by_the_clients_timeout_and_retried() {
    let server = MockServer::start().await;
    server.inject(Fault::stall().always());
    let error = client(&server, 2, Duration::from_millis(300))
        .campaign_statistics(12345)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        transport(&error),
        (TransportKind::Timeout, 2),
        "{}",
        error.report()
    );
    let journal = statistics_requests(&server);
    assert_eq!(journal.len(), 2, "both attempts arrived");
    assert!(
        journal.iter().all(|entry| entry.status.is_none()),
        "never answered"
    );
}

#[tokio::test]
async fn a_body_slower_than_the_timeout_times_out_and_one_fast_enough_arrives_whole() {
    let server = MockServer::start().await;
    // About 1 100 bytes at 200 B/s take over five seconds; the attempt has one.
    server.inject(Fault::slow_body(200).always());
    let error = client(&server, 2, Duration::from_secs(1))
        .campaign_statistics(12345)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        transport(&error),
        (TransportKind::Timeout, 2),
        "{}",
        error.report()
    );
    server.reset();
    server.inject(Fault::slow_body(20_000));
    let statistics = client(&server, 1, Duration::from_secs(10))
        .campaign_statistics(12345)
        .send()
        .await
        .unwrap();
    assert_eq!(statistics.delivered, 1150);
}

#[tokio::test]
async fn bytes_that_are_not_http_are_a_transport_error_and_retried() {
    let server = MockServer::start().await;
    server.inject(Fault::not_http().times(2));
    let error = client(&server, 2, Duration::from_secs(10))
        .campaign_statistics(12345)
        .send()
        .await
        .unwrap_err();
    let (kind, attempts) = transport(&error);
    assert_eq!(attempts, 2, "{}", error.report());
    assert_eq!(kind, TransportKind::Other, "{}", error.report());
    assert_eq!(statistics_requests(&server).len(), 2);
}

/// Ten sequential calls against a mock whose 503 hits half the requests, seeded: the statuses
/// the mock answered, in order.
async fn flaky_run(seed: u64) -> Vec<Option<u16>> {
    let server = MockServer::builder()
        .rate_limit(None)
        .start()
        .await
        .unwrap();
    server.inject(Fault::status(503).fraction(0.5, seed).always());
    let client = client(&server, 5, Duration::from_secs(10));
    for _ in 0..10 {
        let _ = client.campaign_statistics(12345).send().await;
    }
    statistics_requests(&server)
        .iter()
        .map(|entry| entry.status)
        .collect()
}

#[tokio::test]
async fn a_seeded_fraction_replays_and_the_client_retries_what_it_hits() {
    let first = flaky_run(7).await;
    assert_eq!(
        first,
        flaky_run(7).await,
        "the same seed hits the same requests"
    );
    let hits = first.iter().filter(|status| **status == Some(503)).count();
    let answered = first.iter().filter(|status| **status == Some(200)).count();
    assert!(hits > 0 && answered > 0, "{first:?}");
    assert_eq!(first.len(), hits + answered);
    assert_eq!(
        answered, 10,
        "every 503 was retried until a 200 (or five attempts)"
    );
}
