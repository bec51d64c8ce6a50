//! Starting and stopping: graceful shutdown lets a request in flight finish; drop stops at once;
//! a port in use is an error, not a panic.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::time::Duration;

use common::*;
use wa_stats_mock::{Fault, MockError, MockServer};

#[tokio::test]
async fn shutdown_finishes_requests_in_flight_then_refuses() {
    let server = MockServer::start().await;
    let base = server.base_url();
    server.inject(Fault::delay(Duration::from_millis(300)));
    let url = format!("{base}/v1/statistics/campaign");
    let in_flight = tokio::spawn(async move {
        send(
            client()
                .post(url)
                .header("x-ins-auth-key", DEMO_KEY)
                .body(r#"{"campaign_id":12345}"#),
        )
        .await
    });
    // Wait until the request has arrived (the journal shows it), then shut down. Bounded: a
    // request that never arrives fails the test instead of hanging it.
    let arrived = async {
        while server.journal().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), arrived)
        .await
        .expect("the request never reached the mock");
    server.shutdown().await;
    let answer = in_flight.await.unwrap();
    assert_eq!((answer.status, answer.body.as_str()), (200, SAMPLE));
    assert!(
        client()
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn drop_stops_the_server() {
    let server = MockServer::start().await;
    let base = server.base_url();
    assert_eq!(
        send(client().get(format!("{base}/healthz"))).await.status,
        200
    );
    drop(server);
    tokio::task::yield_now().await;
    assert!(
        client()
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_port_in_use_is_an_error() {
    let first = MockServer::start().await;
    let error = MockServer::builder()
        .listen(first.addr())
        .start()
        .await
        .unwrap_err();
    assert!(matches!(error, MockError::Bind { .. }), "{error}");
    assert!(error.to_string().contains(&first.addr().to_string()));
}

/// Issue 31, item 2: in a test, dropping a server with an unmet expectation panics (as
/// wiremock-rs does), and the panic names requests without their bodies, which may hold
/// secrets; a server built with `verify_on_drop(false)` (as the binary is) does not panic.
#[tokio::test]
async fn a_drop_with_an_unmet_expectation_panics_without_bodies() {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use wa_stats_mock::Expectation;

    let server = MockServer::start().await;
    server.expect(Expectation::campaign(424_242));
    let answer = by_key(
        &server,
        DEMO_KEY,
        r#"{"campaign_id":12345,"note":"BODY-MARKER"}"#,
    )
    .await;
    assert_eq!(answer.status, 200);
    let panic = catch_unwind(AssertUnwindSafe(move || drop(server))).unwrap_err();
    let text = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.contains("campaign 424242"), "{text}");
    assert!(text.contains("campaign 12345"), "{text}");
    assert!(!text.contains("BODY-MARKER"), "{text}");

    let quiet = MockServer::builder()
        .verify_on_drop(false)
        .start()
        .await
        .unwrap();
    quiet.expect(Expectation::campaign(424_242));
    assert!(quiet.verification().is_err());
    drop(quiet);
}
