//! Issue 31, item 3: the journal is bounded in bytes (32 MiB by default) as well as in entries;
//! every request is still counted (its `seq`), a body past the per-entry limit is cut and marked
//! as cut, and `GET /__admin/journal` is streamed and can be paged.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use common::*;
use futures_util::StreamExt;
use wa_stats_mock::MockServer;

const MIB: usize = 1024 * 1024;

#[tokio::test]
async fn the_journal_keeps_at_most_its_bytes_counts_every_request_and_marks_cut_bodies() {
    let server = MockServer::start().await;
    // The probe's request: 64 KiB of control bytes (escaped 6x in JSON), without a credential.
    let body = vec![1_u8; 64 * 1024];
    let url = format!("{}/v1/statistics/campaign", server.base_url());
    let requests = 600;
    let statuses: Vec<u16> = futures_util::stream::iter(0..requests)
        .map(|_| {
            let request = client().post(&url).body(body.clone());
            async move { send(request).await.status }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(statuses.iter().all(|status| *status == 401), "{statuses:?}");

    let journal = server.journal();
    let kept_bytes: usize = journal.iter().map(|entry| entry.body.len()).sum();
    assert!(kept_bytes <= 32 * MIB, "{kept_bytes} bytes of bodies kept");
    assert_eq!(
        journal.last().map(|entry| entry.seq),
        Some(requests - 1),
        "every request is counted"
    );

    let answer = send(client().get(format!("{}/__admin/journal", server.base_url()))).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-length"),
        None,
        "streamed, not one string"
    );
    let entries: Vec<serde_json::Value> = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(entries.len(), journal.len());
    for entry in &entries {
        assert_eq!(entry["body_cut"], true, "{}", entry["seq"]);
        assert!(entry["body"].as_str().unwrap().len() <= 16 * 1024);
    }

    let last = requests - 1;
    let page = send(client().get(format!(
        "{}/__admin/journal?since={}&limit=1",
        server.base_url(),
        last - 1
    )))
    .await;
    let page: Vec<serde_json::Value> = serde_json::from_str(&page.body).unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0]["seq"], last - 1);
    let bad = send(client().get(format!("{}/__admin/journal?limit=lots", server.base_url()))).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
}

#[tokio::test]
async fn a_small_body_is_kept_whole_and_not_marked() {
    let server = MockServer::start().await;
    let answer = by_key(&server, DEMO_KEY, r#"{"campaign_id":12345}"#).await;
    assert_eq!(answer.status, 200);
    let listed = send(client().get(format!("{}/__admin/journal", server.base_url()))).await;
    let entries: Vec<serde_json::Value> = serde_json::from_str(&listed.body).unwrap();
    assert_eq!(entries[0]["body"], r#"{"campaign_id":12345}"#);
    assert_eq!(entries[0].get("body_cut"), None);
}

#[tokio::test]
async fn the_byte_bound_is_settable_and_a_bound_too_small_is_refused() {
    let error = MockServer::builder()
        .journal_max_bytes(1024)
        .into_state()
        .unwrap_err();
    assert!(error.to_string().contains("at least"), "{error}");
    let server = MockServer::builder()
        .journal_max_bytes(MIB)
        .start()
        .await
        .unwrap();
    let body = "x".repeat(16 * 1024);
    for _ in 0..200 {
        by_key(&server, DEMO_KEY, &body).await;
    }
    let journal = server.journal();
    let kept: usize = journal.iter().map(|entry| entry.body.len()).sum();
    assert!(kept <= MIB, "{kept}");
    assert!(
        journal.len() < 200 && journal.len() > 10,
        "{}",
        journal.len()
    );
    assert_eq!(server.requests_received(), 200);
    let listed = send(client().get(format!("{}/__admin/journal", server.base_url()))).await;
    assert_eq!(listed.header("x-journal-received"), Some("200"));
}
