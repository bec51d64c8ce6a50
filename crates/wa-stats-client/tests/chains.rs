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

use std::time::Duration;

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

    // Answers outside the contract: a redirect (not followed), a body over the cap.
    errors.push(error_for(&server, Fault::status(302)).await);
    server.reset();
    let capped = quick(&server.base_url())
        .bearer_token(TOKEN)
        .max_body_bytes(16)
        .build()
        .unwrap();
    errors.push(capped.campaign_statistics(12345).send().await.unwrap_err());

    // Nothing listens on a port just freed: the connection is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap();
    drop(listener);
    let refused = quick(&format!("http://{closed}"))
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    errors.push(refused.campaign_statistics(12345).send().await.unwrap_err());

    // The whole call's deadline passes while the server holds its answer back.
    server.reset();
    server.inject(Fault::delay(Duration::from_secs(2)));
    let hurried = quick(&server.base_url())
        .bearer_token(TOKEN)
        .operation_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    errors.push(hurried.campaign_statistics(12345).send().await.unwrap_err());

    // A shared budget that fails closed, its Redis on a port where nothing listens.
    #[cfg(feature = "redis")]
    {
        use wa_stats_client::{RateBudget, RedisBudget, WhenUnavailable};
        let redis = RedisBudget::new(&format!("redis://{closed}"))
            .unwrap()
            .when_unavailable(WhenUnavailable::FailClosed);
        let closed_budget = quick(&server.base_url())
            .bearer_token(TOKEN)
            .rate_budget(RateBudget::redis(100, redis).unwrap())
            .build()
            .unwrap();
        errors.push(
            closed_budget
                .campaign_statistics(12345)
                .send()
                .await
                .unwrap_err(),
        );
    }

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

    // Every kind the client makes (`Error::kind_name`'s list, the model's API kinds stood for by
    // two), and the one that only comes inside `token_endpoint`.
    let mut expected = vec![
        "api_error",
        "body_cut_short",
        "body_too_large",
        "campaign_not_found",
        "config",
        "connect",
        "insecure_url",
        "invalid_request",
        "operation_timeout",
        "timeout",
        "tls",
        "token_endpoint",
        "transport",
        "undecodable_body",
        "unexpected_status",
    ];
    // The shared budget exists with feature `redis`, which the workspace's tests turn on (the CLI
    // asks for it).
    if cfg!(feature = "redis") {
        expected.push("shared_budget_unavailable");
        expected.sort_unstable();
    }
    assert_eq!(kind_names(&errors), expected);
    let inside_token_endpoint: Vec<&str> = errors
        .iter()
        .filter_map(|error| match error {
            Error::TokenEndpoint { source, .. } => Some(source.kind_name()),
            _ => None,
        })
        .collect();
    assert_eq!(
        inside_token_endpoint,
        ["unauthorized", "transport", "unusable_token"]
    );
    for error in &errors {
        let chain = assert_said_once(error);
        assert_no_secret(&chain);
        println!("{:>17}: {chain}", error.kind_name());
    }
}
