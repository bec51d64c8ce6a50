//! No credential ever shows: not in the `Debug` or `Display` of a client, a builder or any error
//! variant, nor in the client's logs at the most verbose level.

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

fn shown(error: &Error) -> String {
    format!("{error} | {error:?} | {error:#?}")
}

#[tokio::test]
async fn no_error_variant_client_or_log_line_shows_a_secret() {
    let logs = Captured::default();
    let sink = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .init();

    let server = MockServer::start().await;
    let clients = [bearer(&server), api_key(&server), oauth(&server)];
    let mut errors: Vec<Error> = Vec::new();

    // Refused locally.
    errors.push(
        Client::builder()
            .api_key(API_KEY)
            .base_url("http://192.0.2.1")
            .build()
            .unwrap_err(),
    );
    errors.push(
        Client::builder()
            .bearer_token(TOKEN)
            .base_url(format!("https://{TOKEN}:{API_KEY}@example.com"))
            .build()
            .unwrap_err(),
    );
    errors.push(
        Client::builder()
            .api_key(format!("{API_KEY}\n"))
            .build()
            .unwrap_err(),
    );
    for client in &clients {
        errors.push(client.campaign_statistics(0).send().await.unwrap_err());
        errors.push(
            client
                .campaign_statistics(1)
                .range(1_700_000_000_000..)
                .send()
                .await
                .unwrap_err(),
        );
    }

    for client in &clients {
        client.campaign_statistics(12345).send().await.unwrap();
        // Documented API errors.
        for campaign in [22222, 33333] {
            errors.push(
                client
                    .campaign_statistics(campaign)
                    .send()
                    .await
                    .unwrap_err(),
            );
        }
        // Transport, undecodable, unexpected, too large: every fault the mock can script.
        server.inject(Fault::close_mid_body().times(3));
        errors.push(client.campaign_statistics(12345).send().await.unwrap_err());
        server.inject(Fault::close_connection().times(3));
        errors.push(client.campaign_statistics(12345).send().await.unwrap_err());
        server.inject(Fault::status(200).body("not json"));
        errors.push(client.campaign_statistics(12345).send().await.unwrap_err());
        server.inject(Fault::status(304));
        errors.push(client.campaign_statistics(12345).send().await.unwrap_err());
        server.inject(Fault::status(200).body("x".repeat(2_000_000)));
        errors.push(client.campaign_statistics(12345).send().await.unwrap_err());
        server.inject(Fault::status(429).header("retry-after", "0").times(3));
        errors.push(client.campaign_statistics(12345).send().await.unwrap_err());
        server.inject(
            Fault::status(401)
                .body(r#"{"message":"unauthorized"}"#)
                .times(3),
        );
        errors.push(client.campaign_statistics(12345).send().await.unwrap_err());
        // A fixed credential is not retried after a 401: drop the faults it left unused.
        server.reset();
    }
    errors.push(a_timeout(&server).await);

    // Token endpoint failures.
    let wrong = quick(&server.base_url())
        .client_credentials(CLIENT_ID, format!("{CLIENT_SECRET}-x"))
        .build()
        .unwrap();
    errors.push(wrong.campaign_statistics(12345).send().await.unwrap_err());
    // Token answers that do not decode, and one that decodes but has no token: the rest of
    // their bodies is not kept either.
    for body in [
        format!(r#"{{"access_token":"{TOKEN}","expires_in":"{CLIENT_SECRET}"}}"#),
        format!(r#"{{"access_token":"","token_type":"{CLIENT_SECRET}","expires_in":60}}"#),
    ] {
        server.inject(Fault::status(200).body(body).on_token_endpoint());
        errors.push(
            oauth(&server)
                .campaign_statistics(12345)
                .send()
                .await
                .unwrap_err(),
        );
    }

    let kinds = kind_names(&errors);
    for expected in [
        "insecure_url",
        "config",
        "invalid_request",
        "not_a_whatsapp_campaign",
        "campaign_not_found",
        "body_cut_short",
        "transport",
        "timeout",
        "undecodable_body",
        "unexpected_status",
        "body_too_large",
        "rate_limited",
        "unauthorized",
        "token_endpoint",
    ] {
        assert!(
            kinds.contains(&expected),
            "{expected} not covered: {kinds:?}"
        );
    }
    for error in &errors {
        assert_no_secret(&shown(error));
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            assert_no_secret(&format!("{cause} {cause:?}"));
            source = cause.source();
        }
    }
    for client in &clients {
        assert_no_secret(&format!("{client:?} {client:#?}"));
    }
    assert_no_secret(&format!(
        "{:?}",
        Client::builder().client_credentials(CLIENT_ID, CLIENT_SECRET)
    ));

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("wa_stats.attempt"),
        "spans are logged: {logs}"
    );
    assert!(logs.contains("campaign_id=12345"), "{logs}");
    assert_no_secret(&logs);
}
