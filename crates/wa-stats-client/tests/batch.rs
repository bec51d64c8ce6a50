//! The batch reaches the rate limit at its default concurrency: with 50 ms and with 400 ms
//! answers, after warm-up it keeps at least rate × latency calls in flight and the admitted rate
//! is the limit, with no 429 and nothing lost.
//!
//! Client and mock share one paused-clock runtime (as in `tests/pacing.rs`): the mock's delay,
//! the pacer and the clock the test reads are the same virtual time, so the figures do not depend
//! on how busy the machine is.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a panic is the failure report"
)]
#![allow(
    clippy::print_stdout,
    reason = "the figures are printed for --nocapture; the assertions decide"
)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use tokio::time::Instant;
use tracing::dispatcher::DefaultGuard;
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use wa_stats_client::Concurrency;
use wa_stats_client::stream::StreamExt;
use wa_stats_mock::{Fault, MockServer};

const CALL_SPAN: &str = "wa_stats.campaign_statistics";

/// Calls in flight (open call spans), and at each request's departure how many there were.
#[derive(Default)]
struct Flight {
    open: usize,
    sends: Vec<(Instant, usize)>,
}

struct Recorder(Arc<Mutex<Flight>>);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        if attrs.metadata().name() == CALL_SPAN {
            self.0.lock().unwrap().open += 1;
        }
    }
    fn on_close(&self, id: Id, context: Context<'_, S>) {
        if context
            .span(&id)
            .is_some_and(|span| span.name() == CALL_SPAN)
        {
            self.0.lock().unwrap().open -= 1;
        }
    }
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if event.metadata().name() == "wa_stats.send" {
            let mut flight = self.0.lock().unwrap();
            let open = flight.open;
            flight.sends.push((Instant::now(), open));
        }
    }
}

/// A recorder installed for this thread, a paused-clock runtime, and on it a mock that enforces
/// 100 per sliding second and answers every request after `latency`.
fn paced_mock(
    latency: Duration,
) -> (
    Arc<Mutex<Flight>>,
    DefaultGuard,
    tokio::runtime::Runtime,
    MockServer,
) {
    let flight = Arc::new(Mutex::new(Flight::default()));
    let subscriber = tracing_subscriber::registry().with(Recorder(Arc::clone(&flight)));
    let guard = tracing::subscriber::set_default(subscriber);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    let server = runtime
        .block_on(MockServer::builder().rate_limit(Some(100)).start())
        .unwrap();
    server.inject(Fault::delay(latency).times(u32::MAX));
    (flight, guard, runtime, server)
}

/// A client built inside the paused runtime, so that its pacer is this runtime's (process pacers
/// are per runtime) and not shared with a test running beside it on another clock.
fn client_in(runtime: &tokio::runtime::Runtime, server: &MockServer) -> wa_stats_client::Client {
    let _inside = runtime.enter();
    bearer(server)
}

/// Runs `campaigns` calls at the default concurrency against a mock answering in `latency` and
/// enforcing 100 per sliding second; checks the pace, the calls in flight and the outcome.
fn at_the_limit_with(latency: Duration, campaigns: usize) {
    let (flight, _guard, runtime, server) = paced_mock(latency);
    let client = client_in(&runtime, &server);
    let rate = f64::from(client.rate_budget().unwrap().per_second());
    let started = runtime.block_on(async { Instant::now() });
    let results: Vec<_> = runtime.block_on(
        client
            .campaign_statistics_many(vec![12345; campaigns], .., Concurrency::Auto)
            .collect(),
    );
    let elapsed = runtime.block_on(async { started.elapsed() });

    let flight = flight.lock().unwrap();
    let sends = &flight.sends;
    // Warm-up: the first second, while the latency estimate settles. Wind-down: the last
    // latency's worth of sends, when fewer campaigns are left than the pace needs.
    let steady: Vec<_> = sends
        .iter()
        .filter(|(at, _)| {
            let since = at.duration_since(started);
            since >= Duration::from_secs(1) && since + latency * 2 < elapsed
        })
        .collect();
    assert!(
        steady.len() > 50,
        "{} sends in the steady part",
        steady.len()
    );
    let covering = (rate * latency.as_secs_f64()).ceil() as usize;
    let fewest = steady.iter().map(|(_, open)| *open).min().unwrap();
    assert!(
        fewest >= covering,
        "{fewest} in flight at {latency:?}; rate × latency is {covering}"
    );
    // The admitted rate is the limit: the steady part's sends came at (within the pacer's 1 %
    // headroom) 100 per second, and no one-second window held more than 100.
    let span = steady
        .last()
        .unwrap()
        .0
        .duration_since(steady[0].0)
        .as_secs_f64();
    let admitted = (steady.len() - 1) as f64 / span;
    assert!(
        admitted >= rate * 0.98 && admitted <= rate,
        "admitted {admitted:.2}/s at {latency:?}"
    );
    let instants: Vec<Instant> = sends.iter().map(|(at, _)| *at).collect();
    let mut first = 0;
    for (last, at) in instants.iter().enumerate() {
        while at.duration_since(instants[first]) > Duration::from_secs(1) {
            first += 1;
        }
        assert!(last + 1 - first <= 100, "more than 100 in a second");
    }
    // The whole batch: ideal is (n - 1) / rate plus one latency; the pacer's 1 % headroom and
    // the warm-up may cost 2 %.
    let ideal = (campaigns - 1) as f64 / rate + latency.as_secs_f64();
    let ratio = elapsed.as_secs_f64() / ideal;
    println!(
        "{latency:?}: {elapsed:?} for {campaigns}, ratio {ratio:.4}, fewest in flight {fewest}"
    );
    assert!(ratio <= 1.02, "ratio {ratio:.4} at {latency:?}");
    assert_eq!(results.len(), campaigns);
    assert!(results.iter().all(|(_, result)| result.is_ok()));
    let journal = statistics_requests(&server);
    assert_eq!(journal.len(), campaigns, "no retries were needed");
    assert!(journal.iter().all(|e| e.status == Some(200)), "no 429");
}

#[test]
fn the_default_batch_reaches_the_limit_with_50_ms_answers() {
    at_the_limit_with(Duration::from_millis(50), 400);
}

#[test]
fn the_default_batch_reaches_the_limit_with_400_ms_answers() {
    at_the_limit_with(Duration::from_millis(400), 400);
}

/// A caller's number is exactly that: never more in flight, and reached.
#[test]
fn a_fixed_concurrency_is_exact() {
    let (flight, _guard, runtime, server) = paced_mock(Duration::from_millis(400));
    let client = client_in(&runtime, &server);
    let results: Vec<_> = runtime.block_on(
        client
            .campaign_statistics_many(vec![12345; 60], .., 8)
            .collect(),
    );
    assert_eq!(results.len(), 60);
    let most = flight
        .lock()
        .unwrap()
        .sends
        .iter()
        .map(|(_, open)| *open)
        .max();
    assert_eq!(most, Some(8));
}
