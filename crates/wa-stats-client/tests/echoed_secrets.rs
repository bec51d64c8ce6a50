//! A server that echoes the request back (issue 31, item 6): the client's own credentials (API
//! key, bearer token, client secret, the current access token) never leave it in an error's
//! `Display`, `Debug`, source chain or raw body, nor in its logs, whatever the server quotes.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a panic is the failure report"
)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use wa_stats_client::{Client, Error};
use wa_stats_mock::{Fault, MockServer};

/// A log sink the test can read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The access token the token endpoint issues in this test, echoed back later.
const ISSUED: &str = "issued-access-token-7f3a";

/// Everything a caller can see of an error: `Display`, `Debug`, the report, every source, and
/// the raw body it keeps.
fn everything(error: &Error) -> String {
    let mut text = format!("{error} | {error:?} | {error:#?} | {}", error.report());
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(" | {cause} {cause:?}"));
        source = cause.source();
    }
    if let Some(api) = error.api_error() {
        text.push_str(&format!(" | {:?} {}", api.message, api.raw));
    }
    text
}

fn echo(status: u16, secret: &str) -> Fault {
    if status == 200 {
        // Not statistics: the decoder's message quotes the value it could not read.
        return Fault::status(200)
            .body(format!(r#"{{"sent":"{secret}"}}"#))
            .always();
    }
    Fault::status(status)
        .body(format!(
            r#"{{"message":"bad request from {secret}","echo":{{"x-ins-auth-key":"{secret}","authorization":"Bearer {secret}","client_secret":"{secret}"}}}}"#
        ))
        .always()
}

#[tokio::test]
async fn credentials_a_server_echoes_are_redacted_everywhere() {
    let logs = Captured::default();
    let sink = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .init();
    let server = MockServer::start().await;
    let mut errors: Vec<Error> = Vec::new();

    // The statistics routes quoting the API key or the bearer token: 400, 401, 500, and a 200
    // that is not statistics.
    for (client, secret) in [(api_key(&server), API_KEY), (bearer(&server), TOKEN)] {
        for status in [400, 401, 500, 200, 302] {
            server.inject(echo(status, secret));
            errors.push(client.campaign_statistics(12345).send().await.unwrap_err());
            server.reset();
        }
    }
    // The token endpoint quoting the client secret: 401 and 500.
    for status in [401, 500] {
        server.inject(echo(status, CLIENT_SECRET).on_token_endpoint());
        errors.push(
            oauth(&server)
                .campaign_statistics(12345)
                .send()
                .await
                .unwrap_err(),
        );
        server.reset();
    }
    // The statistics route quoting the access token the token endpoint issued.
    server.inject(
        Fault::status(200)
            .body(format!(
                r#"{{"access_token":"{ISSUED}","token_type":"Bearer","expires_in":3600}}"#
            ))
            .on_token_endpoint()
            .always(),
    );
    server.inject(echo(400, ISSUED));
    let client: Client = oauth(&server);
    errors.push(client.campaign_statistics(12345).send().await.unwrap_err());

    assert_eq!(errors.len(), 13);
    for error in &errors {
        let shown = everything(error);
        for secret in SECRETS.iter().chain(&[ISSUED]) {
            assert!(!shown.contains(secret), "{secret} shown: {shown}");
        }
        assert!(shown.contains("** redacted **"), "{shown}");
    }
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    for secret in SECRETS.iter().chain(&[ISSUED]) {
        assert!(!logs.contains(secret), "{secret} logged: {logs}");
    }
}
