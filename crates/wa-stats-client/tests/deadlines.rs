//! `ClientBuilder::operation_timeout`: one bound on a whole call, covering pacing, attempts,
//! backoff and `Retry-After` holds, with its own error kind.
//!
//! Every test runs on tokio's paused clock, client and mock on one runtime, so "ended at the
//! deadline, not after the server's 30 s" is an exact statement about virtual time.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a panic is the failure report"
)]

mod common;

use std::time::Duration;

use common::*;
use tokio::time::Instant;
use wa_stats_client::{Error, Setting};
use wa_stats_mock::{Fault, MockServer};

const RATE_LIMITED: &str =
    r#"{"message":"rate limited","error":{"message":"rate limited","code":2021}}"#;
const DEADLINE: Duration = Duration::from_secs(2);

fn bounded(server: &MockServer) -> wa_stats_client::Client {
    quick(&server.base_url())
        .bearer_token(TOKEN)
        .operation_timeout(DEADLINE)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_past_the_deadline_ends_the_call_at_once_without_retrying() {
    let server = MockServer::start().await;
    let client = bounded(&server);
    server.inject(
        Fault::status(429)
            .body(RATE_LIMITED)
            .header("retry-after", "30")
            .always(),
    );
    let started = Instant::now();
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert!(
        matches!(error, Error::OperationTimeout { after, attempts: 1, .. } if after == DEADLINE),
        "{error:?}"
    );
    assert_eq!(error.kind_name(), "operation_timeout");
    assert_eq!(
        error.to_string(),
        "no result within the operation timeout of 2s (after 1 attempt)"
    );
    // It did not sleep into the deadline: the 30 s wait was never started.
    assert!(started.elapsed() < DEADLINE, "{:?}", started.elapsed());
    assert_eq!(statistics_requests(&server).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_attempt_in_flight_at_the_deadline_is_abandoned_then() {
    let server = MockServer::start().await;
    let client = bounded(&server);
    // Slower than the deadline, faster than the 30 s per-attempt timeout.
    server.inject(Fault::delay(Duration::from_secs(10)).always());
    let started = Instant::now();
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert!(
        matches!(error, Error::OperationTimeout { attempts: 1, .. }),
        "{error:?}"
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed >= DEADLINE && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_still_waiting_for_a_pacing_slot_at_the_deadline_sent_nothing() {
    let server = MockServer::start().await;
    let client = quick(&server.base_url())
        .bearer_token(TOKEN)
        .rate_budget(wa_stats_client::RateBudget::local(1).unwrap())
        .operation_timeout(Duration::from_millis(1500))
        .build()
        .unwrap();
    // At one request a second, the third of three calls made together would leave at 2 s.
    let calls = [12345, 12345, 12345].map(|id| client.campaign_statistics(id).send());
    let results = futures_util::future::join_all(calls).await;
    let timed_out: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(timed_out.len(), 1, "{results:?}");
    assert_eq!(timed_out[0].attempts(), 0);
    assert_eq!(
        timed_out[0].to_string(),
        "no result within the operation timeout of 1.5s (nothing sent)"
    );
    assert_eq!(statistics_requests(&server).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn retries_that_fit_in_the_deadline_are_still_made() {
    let server = MockServer::start().await;
    let client = bounded(&server);
    server.inject(Fault::status(503).times(2));
    let stats = client.campaign_statistics(12345).send().await.unwrap();
    assert_eq!(stats.sent, 1200);
    assert_eq!(statistics_requests(&server).len(), 3);
}

#[test]
fn a_zero_operation_timeout_is_refused_by_build() {
    let error = wa_stats_client::Client::builder()
        .api_key(API_KEY)
        .operation_timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert_eq!(error.setting(), Some(Setting::OperationTimeout));
    assert_eq!(
        error.to_string(),
        "invalid client configuration: operation_timeout must be longer than zero"
    );
}
