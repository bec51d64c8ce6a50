//! The client over HTTPS against the mock: it trusts what it is told, and each TLS failure
//! (unknown CA, wrong name, expired) is a `Transport` error of kind `Tls`, not retried, worded
//! with the cause and the fix. Pacing and batches share one HTTP/2 connection.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use common::*;
use wa_stats_client::stream::StreamExt;
use wa_stats_client::{Client, Concurrency, Error, Setting, TransportKind};
use wa_stats_mock::MockServer;
use wa_stats_mock::tls::{CertificateAuthority, LOOPBACK_NAMES, TlsIdentity};

async fn serving(identity: TlsIdentity) -> MockServer {
    MockServer::builder()
        .tls_identity(identity)
        .start()
        .await
        .unwrap()
}

/// Calls campaign 12345 once and returns the error, which must be a TLS failure after one
/// attempt, and the words a person sees.
async fn tls_failure(client: &Client, server: &MockServer) -> String {
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    let report = error.report().to_string();
    match &error {
        Error::Transport { kind, attempts, .. } => {
            assert_eq!((*kind, *attempts), (TransportKind::Tls, 1), "{report}");
        }
        other => panic!("expected a TLS transport error, got {other:?}"),
    }
    assert!(!error.is_retryable(), "{report}");
    assert!(server.journal().is_empty(), "no request got through");
    assert_eq!(server.connections_accepted(), 1, "not retried: {report}");
    report
}

#[tokio::test]
async fn a_trusted_ca_serves_and_the_built_in_roots_can_be_turned_off() {
    let server = MockServer::start_tls().await;
    let ca = server.ca_pem().unwrap().to_owned();
    for built_in in [true, false] {
        let client = quick(&server.base_url())
            .api_key(API_KEY)
            .add_root_certificate(&ca)
            .tls_built_in_roots(built_in)
            .build()
            .unwrap();
        let statistics = client.campaign_statistics(12345).send().await.unwrap();
        assert_eq!(statistics.sent, 1200);
    }
}

#[tokio::test]
async fn an_unknown_ca_is_a_tls_error_that_says_how_to_trust_one() {
    let server = MockServer::start_tls().await;
    let other_ca = CertificateAuthority::generate().unwrap();
    let client = quick(&server.base_url())
        .api_key(API_KEY)
        .add_root_certificate(other_ca.pem())
        .build()
        .unwrap();
    let report = tls_failure(&client, &server).await;
    assert!(
        report.contains("TLS with 127.0.0.1:")
            && report.contains("signed by a CA this client does not trust")
            && report.contains("trust its certificate"),
        "{report}"
    );
    // A library's words name no program's flags or variables: the CLI adds its own (issue 34).
    for flag in ["--ca-cert", "WA_STATS_CA_CERT", "--"] {
        assert!(!report.contains(flag), "{flag} in {report}");
    }
    assert!(!report.contains("BEGIN"), "{report}");
}

#[tokio::test]
async fn only_the_given_roots_without_the_built_in_ones_still_refuse_an_unknown_ca() {
    let server = MockServer::start_tls().await;
    let client = quick(&server.base_url())
        .api_key(API_KEY)
        .tls_built_in_roots(false)
        .build()
        .unwrap();
    let report = tls_failure(&client, &server).await;
    assert!(report.contains("does not trust"), "{report}");
}

#[tokio::test]
async fn a_certificate_for_another_name_is_a_tls_error_naming_the_host_name() {
    let ca = CertificateAuthority::generate().unwrap();
    let server = serving(ca.issue(&["api.example.com"]).unwrap()).await;
    let client = quick(&server.base_url())
        .api_key(API_KEY)
        .add_root_certificate(ca.pem())
        .build()
        .unwrap();
    let report = tls_failure(&client, &server).await;
    assert!(
        report.contains("not valid for this host name") && report.contains("in the URL"),
        "{report}"
    );
}

#[tokio::test]
async fn an_expired_certificate_is_a_tls_error_that_says_so() {
    let ca = CertificateAuthority::generate().unwrap();
    let server = serving(ca.issue_expired(&LOOPBACK_NAMES).unwrap()).await;
    let client = quick(&server.base_url())
        .api_key(API_KEY)
        .add_root_certificate(ca.pem())
        .build()
        .unwrap();
    let report = tls_failure(&client, &server).await;
    assert!(
        report.contains("has expired") && report.contains("renew"),
        "{report}"
    );
}

#[test]
fn pem_without_a_certificate_is_refused_when_building() {
    let error = Client::builder()
        .api_key(API_KEY)
        .add_root_certificate("not a certificate")
        .build()
        .unwrap_err();
    assert_eq!(error.setting(), Some(Setting::RootCertificate));
    assert!(
        error.to_string().contains("no PEM CERTIFICATE block"),
        "{error}"
    );
}

#[tokio::test]
async fn a_paced_batch_shares_one_http2_connection() {
    let server = MockServer::builder()
        .tls()
        .synthetic(40, 2, 7)
        .start()
        .await
        .unwrap();
    let client = quick(&server.base_url())
        .api_key(API_KEY)
        .add_root_certificate(server.ca_pem().unwrap())
        .build()
        .unwrap();
    // One call first: calls that start together before any connection exists may each open
    // one (reqwest cannot know yet that the server speaks h2); once one is pooled, all share it.
    client.campaign_statistics(12345).send().await.unwrap();
    let first = i64::try_from(wa_stats_mock::MockServerBuilder::SYNTHETIC_FIRST_ID).unwrap();
    let ids: Vec<i64> = (first..first + 40).collect();
    let results: Vec<_> = client
        .campaign_statistics_many(ids, .., Concurrency::Fixed(16))
        .collect()
        .await;
    assert_eq!(results.len(), 40);
    assert!(results.iter().all(|(_, result)| result.is_ok()));
    let statuses: Vec<u16> = server
        .journal()
        .iter()
        .filter_map(|entry| entry.status)
        .collect();
    assert_eq!(statuses, vec![200; 41], "no 429, no retry");
    assert_eq!(
        server.connections_accepted(),
        1,
        "16 in flight over one h2 connection"
    );
}
