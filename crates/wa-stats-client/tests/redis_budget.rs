//! The budget shared through a real Redis (feature `redis`): clients that pace independently
//! (as separate processes do) stay under the mock's exact limit together; credentials never
//! reach Redis; Redis killed, back, slow; fail-closed. Real time, because Redis is real I/O:
//! nothing here asserts how fast anything was, only counts (429s, requests per sliding second,
//! warnings).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a panic is the failure report"
)]

mod common;
#[path = "common/redis_server.rs"]
mod redis_server;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use redis_server::RedisServer;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use wa_stats_client::{
    Client, ClientBuilder, Error, RateBudget, RedisBudget, Setting, WhenUnavailable,
};
use wa_stats_mock::{Fault, MockServer};

/// A client that paces on its own (as a separate process would) under `budget`.
fn on_budget(builder: ClientBuilder, budget: RedisBudget) -> Client {
    builder
        .rate_budget(RateBudget::redis(100, budget).unwrap())
        .build()
        .unwrap()
}

async fn fetch_all(client: &Client, count: usize) -> usize {
    let ids = (0..count).map(|n| if n % 2 == 0 { 12345 } else { 12346 });
    client
        .campaign_statistics_many(ids, .., 16)
        .filter(|(_, result)| std::future::ready(result.is_ok()))
        .count()
        .await
}

/// Log lines (message and fields) of warnings, as a person reading them would see them.
#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<Vec<String>>>);

impl Warnings {
    fn matching(&self, needle: &str) -> usize {
        let lines = self.0.lock().unwrap();
        lines.iter().filter(|line| line.contains(needle)).count()
    }
}

struct Line(String);
impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl<S: Subscriber> Layer<S> for Warnings {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() <= tracing::Level::WARN {
            let mut line = Line(String::new());
            event.record(&mut line);
            self.0.lock().unwrap().push(line.0);
        }
    }
}

fn capture() -> (Warnings, tracing::subscriber::DefaultGuard) {
    let warnings = Warnings::default();
    let guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(warnings.clone()));
    (warnings, guard)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_clients_on_one_budget_stay_under_the_exact_limit() {
    let redis = RedisServer::start();
    let server = MockServer::builder()
        .rate_limit(Some(100))
        .start()
        .await
        .unwrap();
    let budget = RedisBudget::new(&redis.url()).unwrap().namespace("test");
    let clients: Vec<Client> = (0..3)
        .map(|_| on_budget(quick(&server.base_url()).api_key(API_KEY), budget.clone()))
        .collect();
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|client| tokio::spawn(async move { fetch_all(&client, 100).await }))
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 100);
    }
    let journal = statistics_requests(&server);
    assert_eq!(rate_limited(&journal), 0, "429s with a shared budget");
    assert_eq!(journal.len(), 300);
    let peak = peak_per_second(&journal);
    assert!(peak <= 100, "peak {peak} in one second");
}

#[tokio::test]
async fn credentials_never_reach_redis() {
    let redis = RedisServer::start();
    let server = MockServer::start().await;
    let budget = RedisBudget::new(&redis.url()).unwrap();
    let base = server.base_url();
    for builder in [
        quick(&base).api_key(API_KEY),
        quick(&base).bearer_token(TOKEN),
        quick(&base).client_credentials(CLIENT_ID, CLIENT_SECRET),
    ] {
        let client = on_budget(builder, budget.clone());
        assert_eq!(fetch_all(&client, 3).await, 3);
    }
    let written = redis.dump();
    assert_eq!(
        written.len(),
        6,
        "a schedule and a log of sends per credential: {written:?}"
    );
    for (key, value, ttl) in &written {
        let rest = key.strip_prefix("wa-stats:budget:").unwrap();
        // `{FINGERPRINT}`, braced as a Redis Cluster hash tag, then `:sent` for the log.
        let fingerprint = rest.strip_suffix(":sent").unwrap_or(rest);
        let fingerprint = fingerprint
            .strip_prefix('{')
            .and_then(|tagged| tagged.strip_suffix('}'))
            .unwrap_or_else(|| panic!("{key}"));
        assert!(
            fingerprint.len() == 32 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
            "{key}"
        );
        // Instants in microseconds: the schedule's one, or the log's three sends (each recorded
        // once, or again, up to three times, after an answer slower than usual).
        let instants: Vec<&str> = value.split(',').collect();
        if rest.ends_with(":sent") {
            assert!((3..=9).contains(&instants.len()), "{value}");
        } else {
            assert_eq!(instants.len(), 1, "{value}");
        }
        assert!(
            instants
                .iter()
                .all(|instant| !instant.is_empty() && instant.bytes().all(|b| b.is_ascii_digit())),
            "{value}"
        );
        assert!(
            *ttl > 0 && *ttl <= 2_000,
            "every key expires soon: {key} {ttl} ms"
        );
        for text in [key, value] {
            assert_no_secret(text);
            assert!(
                !text.contains(CLIENT_ID) && !text.contains("demo"),
                "{text}"
            );
        }
    }
}

#[tokio::test]
async fn redis_killed_then_back_falls_back_once_and_resumes() {
    let (warnings, _guard) = capture();
    let mut redis = RedisServer::start();
    let server = MockServer::start().await;
    // Asks Redis again on the first call after a failure, rather than after a pause: the test
    // need not outwait one.
    let client = on_budget(
        quick(&server.base_url()).api_key(API_KEY),
        RedisBudget::new(&redis.url())
            .unwrap()
            .recheck_after(Duration::ZERO),
    );
    assert_eq!(fetch_all(&client, 20).await, 20);
    assert_eq!(redis.dump().len(), 2, "the schedule and the log of sends");

    redis.kill();
    // Every campaign is still fetched, paced locally, with one warning, not one per call.
    assert_eq!(fetch_all(&client, 60).await, 60);
    assert_eq!(warnings.matching("shared rate budget unavailable"), 1);
    assert_eq!(statistics_requests(&server).len(), 80);

    let redis = RedisServer::start_on(redis.port());
    // The next call asks Redis again and gets its slot there.
    assert_eq!(fetch_all(&client, 20).await, 20);
    assert_eq!(warnings.matching("back on the shared budget"), 1);
    assert_eq!(redis.dump().len(), 2, "the shared budget is in use again");
}

#[tokio::test]
async fn a_slow_redis_costs_at_most_its_timeout_and_no_call() {
    let (warnings, _guard) = capture();
    let redis = RedisServer::start();
    let server = MockServer::start().await;
    let client = on_budget(
        quick(&server.base_url()).api_key(API_KEY),
        RedisBudget::new(&redis.url())
            .unwrap()
            .timeout(Duration::from_millis(100)),
    );
    assert_eq!(fetch_all(&client, 5).await, 5);
    // Redis stops answering anyone for 3 s, as a busy or failing-over server does.
    redis.command(&["CLIENT", "PAUSE", "3000", "ALL"]);
    assert_eq!(fetch_all(&client, 30).await, 30);
    assert_eq!(warnings.matching("no answer within 100 ms"), 1);
}

#[tokio::test]
async fn a_429_holds_this_process_back_for_its_retry_after() {
    let redis = RedisServer::start();
    let server = MockServer::start().await;
    server.inject(
        Fault::status(429)
            .body(wa_stats_model::examples::RATE_LIMITED)
            .header("retry-after", "1"),
    );
    let client = on_budget(
        quick(&server.base_url()).api_key(API_KEY),
        RedisBudget::new(&redis.url()).unwrap(),
    );
    assert_eq!(fetch_all(&client, 10).await, 10);
    let journal = statistics_requests(&server);
    assert_eq!(rate_limited(&journal), 1);
    let refused = journal
        .iter()
        .find(|entry| entry.status == Some(429))
        .unwrap();
    // Lower bounds only: nothing of this process may reach the server before it said it may.
    for entry in journal.iter().filter(|entry| entry.seq > refused.seq) {
        assert!(
            entry.received_us >= refused.received_us + 1_000_000,
            "a request {} µs after the 429",
            entry.received_us - refused.received_us
        );
    }
}

#[tokio::test]
async fn fail_closed_sends_nothing_without_redis() {
    let server = MockServer::start().await;
    let dead = RedisServer::start();
    let url = dead.url();
    drop(dead);
    let client = on_budget(
        quick(&server.base_url()).api_key(API_KEY),
        RedisBudget::new(&url)
            .unwrap()
            .when_unavailable(WhenUnavailable::FailClosed),
    );
    let error = client.campaign_statistics(12345).send().await.unwrap_err();
    assert!(
        matches!(error, Error::SharedBudgetUnavailable { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(error.kind_name(), "shared_budget_unavailable");
    assert!(statistics_requests(&server).is_empty(), "nothing was sent");
}

#[tokio::test]
async fn refused_silent_and_not_redis_are_told_apart_in_one_line() {
    let server = MockServer::start().await;
    let dead = RedisServer::start();
    let refused_url = dead.url();
    drop(dead);
    // Accepts and never answers, as a host behind a black-holing firewall rule does.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("redis://{}", silent.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    // The mock speaks HTTP, not Redis.
    let not_redis_url = server.base_url().replace("http://", "redis://");
    let reason = |url: String| {
        let client = on_budget(
            quick(&server.base_url()).api_key(API_KEY),
            RedisBudget::new(&url)
                .unwrap()
                .timeout(Duration::from_millis(100))
                .when_unavailable(WhenUnavailable::FailClosed),
        );
        async move {
            client
                .campaign_statistics(12345)
                .send()
                .await
                .unwrap_err()
                .to_string()
        }
    };
    for (url, expected) in [
        (refused_url, "connection refused"),
        (silent_url, "no answer within 100 ms"),
        (not_redis_url, "not a Redis server"),
    ] {
        let message = reason(url.clone()).await;
        assert!(message.contains(expected), "{url}: {message}");
        assert!(message.contains(&url), "{message}");
        assert!(!message.contains('\n'), "{message}");
    }
    held.abort();
    assert!(statistics_requests(&server).is_empty(), "nothing was sent");
}

#[test]
fn urls_are_checked_before_anything_is_sent() {
    let refused = |url: &str| {
        Client::builder()
            .api_key(API_KEY)
            .rate_budget(RateBudget::redis(100, RedisBudget::new(url)?)?)
            .build()
            .map(drop)
    };
    assert!(refused("rediss://cache.example:6380").is_ok());
    assert!(refused("redis://localhost:6379/2").is_ok());
    for bad in ["http://127.0.0.1:6379", "not a url", "redis://"] {
        let error = refused(bad).unwrap_err();
        assert_eq!(
            error.setting(),
            Some(Setting::SharedBudget),
            "{bad}: {error}"
        );
    }
    // Plain redis:// across a network needs an opt-in, as plain http:// does (R15); the
    // password is never shown.
    let error = refused("redis://:hunter2@cache.example:6379").unwrap_err();
    assert!(matches!(
        error,
        Error::InsecureUrl {
            setting: Setting::SharedBudget,
            ..
        }
    ));
    assert!(!error.to_string().contains("hunter2"), "{error}");
    let budget = RedisBudget::new("redis://:hunter2@cache.example:6379").unwrap();
    assert!(!format!("{budget:?}").contains("hunter2"));
    let allowed = RateBudget::redis(100, budget.allow_insecure(true)).and_then(|budget| {
        Client::builder()
            .api_key(API_KEY)
            .rate_budget(budget)
            .build()
    });
    assert!(allowed.is_ok());
    let no_rate = RateBudget::redis(0, RedisBudget::new("redis://127.0.0.1:1").unwrap())
        .and_then(|budget| {
            Client::builder()
                .api_key(API_KEY)
                .rate_budget(budget)
                .build()
        })
        .unwrap_err();
    assert_eq!(no_rate.setting(), Some(Setting::SharedBudget));
}
