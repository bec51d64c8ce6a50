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
