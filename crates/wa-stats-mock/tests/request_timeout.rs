//! Issue 31, item 14: the whole request read is bounded. A client that dribbles its body (one
//! byte every 3 s) gets 408 and loses its connection 30 s after its headers; other clients are
//! served meanwhile. On tokio's paused clock, so the 30 s pass without a wait; server and client
//! share the runtime's clock.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;
use wa_stats_mock::MockServer;

async fn dribbled_answer(server: &MockServer, path: &str, headers: &str) -> (String, Duration) {
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let head =
        format!("POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n{headers}content-length: 1000\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let sent_headers = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    let dribble = tokio::spawn(async move {
        loop {
            if writer.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
    });
    let mut answer = Vec::new();
    // Virtual time: bounded, and passes without a wait.
    tokio::time::timeout(Duration::from_secs(600), reader.read_to_end(&mut answer))
        .await
        .expect("the connection was still open after 600 s")
        .ok();
    let took = sent_headers.elapsed();
    dribble.abort();
    (String::from_utf8_lossy(&answer).into_owned(), took)
}

#[tokio::test(start_paused = true)]
async fn a_dribbled_body_gets_408_after_30_seconds_on_every_route() {
    let server = MockServer::start().await;
    for (path, headers) in [
        (
            "/v1/statistics/campaign",
            "x-ins-auth-key: INS.demo-key\r\n",
        ),
        ("/auth/token", ""),
        ("/__admin/faults", "content-type: application/json\r\n"),
    ] {
        let (answer, took) = dribbled_answer(&server, path, headers).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{path}: {answer:?}");
        assert!(
            took >= Duration::from_secs(30) && took < Duration::from_secs(40),
            "{path}: {took:?}"
        );
    }
    // The journal counted the cut-off requests; the server still answers.
    assert_eq!(server.journal().len(), 2);
    let answer = by_key(&server, DEMO_KEY, r#"{"campaign_id":12345}"#).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, SAMPLE));
}
