//! Helpers shared by the integration tests: clients for the mock, journal counts, and tiny local
//! servers for faults the mock does not script. Everything binds 127.0.0.1 only.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test binary uses its own subset of these helpers"
)]
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use wa_stats_client::{Client, ClientBuilder, Error};
use wa_stats_mock::{Fault, JournalEntry, MockServer};
use wa_stats_model::endpoint::{API_KEY_STATISTICS_PATH, OAUTH_STATISTICS_PATH, TOKEN_PATH};

/// The built-in credentials of the mock (R13).
pub const TOKEN: &str = "demo-token";
pub const API_KEY: &str = "INS.demo-key";
pub const CLIENT_ID: &str = "demo-client";
pub const CLIENT_SECRET: &str = "demo-secret";

/// Every secret the tests use; none may ever be printed.
pub const SECRETS: [&str; 3] = [TOKEN, API_KEY, CLIENT_SECRET];

/// A builder aimed at `base_url` with short backoff, so retry tests finish quickly.
pub fn quick(base_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .backoff(Duration::from_millis(5), Duration::from_millis(50))
}

pub fn bearer(server: &MockServer) -> Client {
    quick(&server.base_url())
        .bearer_token(TOKEN)
        .build()
        .unwrap()
}

pub fn api_key(server: &MockServer) -> Client {
    quick(&server.base_url()).api_key(API_KEY).build().unwrap()
}

pub fn oauth(server: &MockServer) -> Client {
    quick(&server.base_url())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap()
}

pub fn on_path<'a>(journal: &'a [JournalEntry], path: &str) -> Vec<&'a JournalEntry> {
    journal.iter().filter(|entry| entry.path == path).collect()
}

/// Statistics requests (both routes) the mock received.
pub fn statistics_requests(server: &MockServer) -> Vec<JournalEntry> {
    server
        .journal()
        .into_iter()
        .filter(|e| e.path == OAUTH_STATISTICS_PATH || e.path == API_KEY_STATISTICS_PATH)
        .collect()
}

/// The most requests in any sliding second (R9's window) of the journal.
pub fn peak_per_second(journal: &[JournalEntry]) -> usize {
    wa_stats_mock::JournalEntry::peak_in_window(
        journal,
        wa_stats_model::endpoint::RATE_LIMIT_WINDOW,
    )
}

/// Requests the mock answered with 429.
pub fn rate_limited(journal: &[JournalEntry]) -> usize {
    journal.iter().filter(|e| e.status == Some(429)).count()
}

/// Token requests the mock received.
pub fn token_requests(server: &MockServer) -> usize {
    on_path(&server.journal(), TOKEN_PATH).len()
}

/// Serves `router` on a fresh loopback port; returns its base URL.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// Asserts that `text` contains no secret.
pub fn assert_no_secret(text: &str) {
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "secret {secret:?} leaked in: {text}"
        );
    }
}

/// An `https://` base URL whose server answers in plain text: the TLS handshake fails.
pub async fn plain_text_where_tls_is_expected() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let _ = socket
                .write_all(b"HTTP/1.1 400 Bad Request\r\n\r\nnot TLS")
                .await;
        }
    });
    base
}

/// The distinct `kind_name`s of `errors`, sorted.
pub fn kind_names(errors: &[Error]) -> Vec<&'static str> {
    let mut kinds: Vec<&str> = errors.iter().map(Error::kind_name).collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// A call (API key) that times out: one attempt of 100 ms against a 1 s delay.
pub async fn a_timeout(server: &MockServer) -> Error {
    let slow = quick(&server.base_url())
        .api_key(API_KEY)
        .timeout(Duration::from_millis(100))
        .max_attempts(1)
        .build()
        .unwrap();
    server.inject(Fault::delay(Duration::from_secs(1)));
    slow.campaign_statistics(12345).send().await.unwrap_err()
}
