//! R9 under concurrency: at most the limit in any one-second window, per credential, counted
//! exactly — never by how fast the machine is.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use wa_stats_mock::{MockServer, router};
use wa_stats_model::endpoint::{API_KEY_HEADER, API_KEY_STATISTICS_PATH};

const CAMPAIGN: &str = r#"{"campaign_id":12345}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_tasks_never_exceed_the_window_over_loopback() {
    let server = Arc::new(MockServer::start().await);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let server = Arc::clone(&server);
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for _ in 0..19 {
                statuses.push(by_key(&server, DEMO_KEY, CAMPAIGN).await.status);
            }
            statuses
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    let ok = statuses.iter().filter(|&&s| s == 200).count();
    let limited = statuses.iter().filter(|&&s| s == 429).count();
    assert_eq!(ok + limited, statuses.len(), "only 200 and 429 expected");
    // A sliding window admits at most 100 in each started second of the run.
    let windows = usize::try_from(elapsed.as_secs()).unwrap() + 1;
    assert!(ok <= 100 * windows, "{ok} admitted in {elapsed:?}");
    assert!(
        ok >= 100.min(statuses.len()),
        "the first 100 must pass, got {ok}"
    );
    assert_eq!(statuses.len(), 304);
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn exactly_the_limit_when_time_stands_still() {
    let state = MockServer::builder().into_state().unwrap();
    let app = router(state);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let app = app.clone();
        tasks.spawn(async move {
            let mut ok = 0;
            for _ in 0..19 {
                let headers = [(API_KEY_HEADER, DEMO_KEY)];
                ok += usize::from(
                    oneshot(&app, "POST", API_KEY_STATISTICS_PATH, &headers, CAMPAIGN)
                        .await
                        .0
                        == 200,
                );
            }
            ok
        });
    }
    let mut ok = 0;
    while let Some(result) = tasks.join_next().await {
        ok += result.unwrap();
    }
    assert_eq!(ok, 100);
    // Other credentials have their own budgets; the clock moving frees this one.
    let other = [(API_KEY_HEADER, "INS.other-key")];
    assert_eq!(
        oneshot(
            &app,
            "POST",
            API_KEY_STATISTICS_PATH,
            &other,
            r#"{"campaign_id":33333}"#
        )
        .await
        .0,
        200
    );
    let demo = [(API_KEY_HEADER, DEMO_KEY)];
    assert_eq!(
        oneshot(&app, "POST", API_KEY_STATISTICS_PATH, &demo, CAMPAIGN)
            .await
            .0,
        429
    );
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(
        oneshot(&app, "POST", API_KEY_STATISTICS_PATH, &demo, CAMPAIGN)
            .await
            .0,
        200
    );
}

#[tokio::test(start_paused = true)]
async fn settable_and_off() {
    let three = router(
        MockServer::builder()
            .rate_limit(Some(3))
            .into_state()
            .unwrap(),
    );
    let off = router(MockServer::builder().rate_limit(None).into_state().unwrap());
    let headers = [(API_KEY_HEADER, DEMO_KEY)];
    let mut counts = [0, 0];
    for _ in 0..500 {
        counts[0] += usize::from(
            oneshot(&three, "POST", API_KEY_STATISTICS_PATH, &headers, CAMPAIGN)
                .await
                .0
                == 200,
        );
        counts[1] += usize::from(
            oneshot(&off, "POST", API_KEY_STATISTICS_PATH, &headers, CAMPAIGN)
                .await
                .0
                == 200,
        );
    }
    assert_eq!(counts, [3, 500]);
}

#[tokio::test(start_paused = true)]
async fn fixture_settings_set_the_limit_and_the_builder_wins() {
    let mut fixtures = wa_stats_mock::fixtures::Fixtures::builtin();
    fixtures.settings.rate_limit_per_second = Some(2);
    let from_file = router(wa_stats_mock::AppState::new(&fixtures).unwrap());
    let overridden = router(
        MockServer::builder()
            .fixtures(fixtures)
            .rate_limit(Some(5))
            .into_state()
            .unwrap(),
    );
    let headers = [(API_KEY_HEADER, DEMO_KEY)];
    let mut counts = [0, 0];
    for _ in 0..10 {
        counts[0] += usize::from(
            oneshot(
                &from_file,
                "POST",
                API_KEY_STATISTICS_PATH,
                &headers,
                CAMPAIGN,
            )
            .await
            .0 == 200,
        );
        counts[1] += usize::from(
            oneshot(
                &overridden,
                "POST",
                API_KEY_STATISTICS_PATH,
                &headers,
                CAMPAIGN,
            )
            .await
            .0 == 200,
        );
    }
    assert_eq!(counts, [2, 5]);
}

/// A delayed answer (a slow upstream) is counted when its request arrived, not when its answer
/// leaves: R9 limits requests, and a client pacing its sends must see the limit at its sends.
#[tokio::test(start_paused = true)]
async fn a_delayed_answer_counts_at_its_arrival() {
    let state = MockServer::builder()
        .rate_limit(Some(1))
        .into_state()
        .unwrap();
    // The first request is answered 1.5 s late; the second, 0.9 s after it, at once.
    state.inject(wa_stats_mock::Fault::delay(Duration::from_millis(1_500)));
    let app = router(state);
    let headers = [(API_KEY_HEADER, DEMO_KEY)];
    let first = {
        let app = app.clone();
        tokio::spawn(async move {
            oneshot(&app, "POST", API_KEY_STATISTICS_PATH, &headers, CAMPAIGN)
                .await
                .0
        })
    };
    tokio::time::sleep(Duration::from_millis(900)).await;
    let second = oneshot(&app, "POST", API_KEY_STATISTICS_PATH, &headers, CAMPAIGN)
        .await
        .0;
    // Counted at arrival: the first was admitted at 0 s, so the second (0.9 s) is over the limit.
    // Counted at the answer, the second would have gone first and the first been refused.
    assert_eq!((first.await.unwrap(), second), (200, 429));
}
