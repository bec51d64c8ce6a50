//! The Rust snippets of docs/client.md and docs/mock.md, verbatim, run against the mock (issue 35
//! §2). The docs harness (`crates/wa-stats-cli/tests/docs`) fails when a snippet is no longer in
//! this file line for line; `"http://127.0.0.1:8080"`, the mock of the documents, is `mock_url`
//! here, the test's own mock on a free port.

#![allow(
    clippy::print_stdout,
    reason = "the documents' snippets print their results"
)]

/// docs/client.md, the first call.
#[tokio::test]
async fn client_md_first_call() -> Result<(), wa_stats_client::Error> {
    let mock = wa_stats_mock::MockServer::start().await;
    let mock_url = mock.base_url();
    let client = wa_stats_client::Client::builder()
        .base_url(mock_url) // the mock of the README; leave it out for the real API
        .api_key("INS.demo-key")
        .build()?;
    let stats = client
        .campaign_statistics(12345)
        .range(1_709_251_200..1_709_337_600)
        .send()
        .await?;
    println!("{} sent on 2024-03-01", stats.sent);
    // The built-in data's first day (docs/cli.md's CSV example shows the same).
    assert_eq!(stats.sent, 23);
    Ok(())
}

/// docs/mock.md, Quick start: faults, then the journal. The two 503s ask for a second each
/// (`retry-after: 1`), which the client honours: about two seconds of this test.
#[tokio::test]
async fn mock_md_quick_start() -> Result<(), wa_stats_client::Error> {
    let server = wa_stats_mock::MockServer::start().await; // 127.0.0.1, free port, < 10 ms
    server.inject(
        wa_stats_mock::Fault::status(503)
            .header("retry-after", "1")
            .times(2),
    );
    let client = wa_stats_client::Client::builder()
        .base_url(server.base_url())
        .api_key("INS.demo-key")
        .build()?;
    let stats = client.campaign_statistics(12345).send().await?; // two 503s, then the answer
    assert_eq!(stats.sent, 1200);
    assert_eq!(server.journal().len(), 3);
    Ok(())
}
