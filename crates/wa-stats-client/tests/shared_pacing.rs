//! One rate budget, explicitly shared: clients built separately with the same handle pace
//! together, on tokio's paused clock against the mock's exact limiter (see tests/pacing.rs for
//! why the paused clock). Its own binary, because tests/pacing.rs counts every send in the
//! process.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a panic is the failure report"
)]

mod common;

use common::*;
use futures_util::StreamExt;
use wa_stats_client::RateBudget;
use wa_stats_mock::MockServer;

/// Two clients built separately with one credential and one budget share it (the mock's exact
/// limiter sees no 429, and its journal at most 100 in any second); each with its own, each paces
/// at 100/s and together they earn 429s, which shows the sharing is what keeps them under.
#[test]
fn separately_built_clients_of_one_credential_share_one_budget() {
    let run = |share: bool| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(async {
            let server = MockServer::builder()
                .rate_limit(Some(100))
                .start()
                .await
                .unwrap();
            let budget = RateBudget::local(100).unwrap();
            let build = || {
                let budget = if share {
                    budget.clone()
                } else {
                    RateBudget::local(100).unwrap()
                };
                quick(&server.base_url())
                    .api_key(API_KEY)
                    .rate_budget(budget)
                    .build()
                    .unwrap()
            };
            let (first, second) = (build(), build());
            let ids = || (0..150).map(|n| if n % 2 == 0 { 12345 } else { 12346 });
            let (a, b) = tokio::join!(
                first
                    .campaign_statistics_many(ids(), .., 16)
                    .collect::<Vec<_>>(),
                second
                    .campaign_statistics_many(ids(), .., 16)
                    .collect::<Vec<_>>(),
            );
            assert!(a.iter().chain(&b).all(|(_, result)| result.is_ok()));
            statistics_requests(&server)
        })
    };
    let shared = run(true);
    assert_eq!(rate_limited(&shared), 0, "429s with one shared pacer");
    assert_eq!(shared.len(), 300);
    let peak = peak_per_second(&shared);
    assert!(peak <= 100, "peak {peak} in one second");

    let independent = run(false);
    assert!(
        rate_limited(&independent) > 0,
        "two independent pacers at 100/s each should overrun the limit"
    );
}
