//! Each cause said once: walking an error's `source()` chain, as `anyhow`'s `{:#}`, `eyre` and
//! `tracing`'s error recording do, prints every piece of information one time, and a refused
//! connection reads as one sentence for a person, not five layers of the HTTP stack.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a panic is the failure report"
)]
#![allow(
    clippy::print_stdout,
    reason = "the figures are printed for --nocapture; the assertions decide"
)]

mod common;

use common::*;
use wa_stats_client::{Client, Error};
use wa_stats_mock::{Fault, MockServer};

/// Every layer's text, outermost first, the way a chain printer walks it.
fn layers(error: &Error) -> Vec<String> {
    let mut layers = vec![error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        layers.push(cause.to_string());
        source = cause.source();
    }
    layers
}

/// Asserts that no layer repeats another's words, and that `report()` is the chain printed.
fn assert_said_once(error: &Error) -> String {
    let layers = layers(error);
    for (i, outer) in layers.iter().enumerate() {
        for inner in &layers[i + 1..] {
            assert!(
                !outer.contains(inner.as_str()) && !inner.contains(outer.as_str()),
                "said twice in {layers:?}"
            );
        }
    }
    let chain = layers.join(": ");
    assert_eq!(error.report().to_string(), chain);
    chain
}

async fn error_for(server: &MockServer, fault: Fault) -> Error {
    server.reset();
    server.inject(fault);
    bearer(server)
        .campaign_statistics(12345)
        .send()
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_refused_connection_says_it_once() {
    // Bind a loopback port, then free it: nothing listens there any more.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = quick(&format!("http://{addr}"))
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    let chain = assert_said_once(&error);
    assert!(
        chain.starts_with(&format!("could not connect to {addr} (after 3 attempts): ")),
        "{chain}"
    );
    assert_eq!(
        chain.to_lowercase().matches("refused").count(),
        1,
        "{chain}"
    );
    for layer in [
        "error sending request",
        "client error",
        "tcp connect error",
        "/api/",
    ] {
        assert!(!chain.contains(layer), "{layer:?} in {chain}");
    }
    assert_eq!(layers(&error).len(), 2, "our words and the OS's: {chain}");
}

#[tokio::test]
async fn every_kind_of_error_says_each_cause_once() {
    let server = MockServer::start().await;
    let mut errors = vec![
        Client::builder().build().unwrap_err(),
        Client::builder()
            .api_key(API_KEY)
            .base_url("http://192.0.2.1")
            .build()
            .unwrap_err(),
        bearer(&server)
            .campaign_statistics(1)
            .range(1_700_000_000_000..)
            .send()
            .await
            .unwrap_err(),
        bearer(&server)
            .campaign_statistics(33333)
            .send()
            .await
            .unwrap_err(),
    ];
    errors.push(error_for(&server, Fault::status(503).times(3)).await);
    errors.push(error_for(&server, Fault::status(200).body(r#"{"sent":"many"}"#)).await);
    errors.push(error_for(&server, Fault::close_mid_body().times(3)).await);
    errors.push(error_for(&server, Fault::close_connection().times(3)).await);
    server.reset();
    errors.push(a_timeout(&server).await);

    let tls_base = plain_text_where_tls_is_expected().await;
    let tls = quick(&tls_base).bearer_token(TOKEN).build().unwrap();
    errors.push(tls.campaign_statistics(12345).send().await.unwrap_err());

    // The token endpoint: refused credentials, an outage, an unusable answer.
    server.reset();
    let wrong = quick(&server.base_url())
        .client_credentials(CLIENT_ID, "wrong-secret")
        .build()
        .unwrap();
    errors.push(wrong.campaign_statistics(12345).send().await.unwrap_err());
    for fault in [
        Fault::close_connection().on_token_endpoint().times(3),
        Fault::status(200)
            .body(r#"{"nonsense":true}"#)
            .on_token_endpoint(),
    ] {
        server.reset();
        server.inject(fault);
        errors.push(
            oauth(&server)
                .campaign_statistics(12345)
                .send()
                .await
                .unwrap_err(),
        );
    }

    assert_eq!(
        kind_names(&errors),
        [
            "api_error",
            "body_cut_short",
            "campaign_not_found",
            "config",
            "insecure_url",
            "invalid_request",
            "timeout",
            "tls",
            "token_endpoint",
            "transport",
            "undecodable_body",
        ]
    );
    for error in &errors {
        let chain = assert_said_once(error);
        assert_no_secret(&chain);
        println!("{:>17}: {chain}", error.kind_name());
    }
}
