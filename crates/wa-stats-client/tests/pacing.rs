//! Pacing against the mock's exact sliding-window limiter: 300 campaigns at 100/s see no 429,
//! and no one-second window of send instants holds more than 100.
//!
//! Client and mock share one runtime whose clock is paused (both read tokio's clock): time moves
//! only when both sides are idle, so the instants the mock's limiter sees are the instants the
//! client's pacer chose, whatever else the machine is doing. On a real clock the outcome would
//! depend on how late a busy machine delivers each request (seen: one 429 under a load of 4).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a panic is the failure report"
)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use tokio::time::Instant;
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use wa_stats_client::stream::StreamExt;
use wa_stats_mock::MockServer;
use wa_stats_model::window::peak_in_window;

/// Records when each request leaves the client (the `wa_stats.send` event).
struct SendInstants(Arc<Mutex<Vec<Instant>>>);

impl<S: Subscriber> Layer<S> for SendInstants {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if event.metadata().name() == "wa_stats.send" {
            self.0.lock().unwrap().push(Instant::now());
        }
    }
}

#[test]
fn three_hundred_campaigns_at_the_limit_see_no_429() {
    let sends = Arc::new(Mutex::new(Vec::new()));
    let subscriber = tracing_subscriber::registry().with(SendInstants(Arc::clone(&sends)));
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    let started = runtime.block_on(async { Instant::now() });
    // The mock enforces 100 per credential in any sliding second, exactly.
    let server = runtime
        .block_on(MockServer::builder().rate_limit(Some(100)).start())
        .unwrap();
    let client = bearer(&server);
    assert_eq!(client.rate_budget().unwrap().per_second(), 100);
    let ids: Vec<i64> = (0..300)
        .map(|n| if n % 2 == 0 { 12345 } else { 12346 })
        .collect();
    let results: Vec<_> = runtime.block_on(client.campaign_statistics_many(ids, .., 32).collect());
    let elapsed = runtime.block_on(async { started.elapsed() });

    let mut sends = sends.lock().unwrap().clone();
    sends.sort();
    let peak = peak_in_window(&sends, Duration::from_secs(1));
    let journal = statistics_requests(&server);
    let limited: Vec<_> = journal
        .iter()
        .filter(|e| e.status == Some(429))
        .map(|e| e.seq)
        .collect();
    println!(
        "sends {}, peak in 1 s {peak}, 429s at {limited:?}, {elapsed:?} on the paused clock",
        sends.len()
    );
    // 300 at 100/s with a little headroom: just under three seconds of (virtual) time, which
    // shows the clock really was the one both sides paced by.
    assert!(elapsed >= Duration::from_secs(2), "{elapsed:?}");

    assert!(peak <= 100, "peak {peak} in one second");
    assert!(limited.is_empty(), "429 at {limited:?}");
    assert_eq!(results.len(), 300);
    for (campaign_id, result) in &results {
        assert!(result.is_ok(), "{campaign_id}: {result:?}");
    }
    assert_eq!(
        (journal.len(), sends.len()),
        (300, 300),
        "no retries were needed"
    );
}
