//! Synthetic data: deterministic per seed, owned by "demo", IDs clear of the fixtures', sums hold.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use common::oneshot;
use wa_stats_mock::fixtures::Fixtures;
use wa_stats_mock::{MockError, MockServer, MockServerBuilder, router};

const SYNTHETIC_FIRST_ID: u64 = MockServerBuilder::SYNTHETIC_FIRST_ID;
use wa_stats_model::CampaignStatistics;
use wa_stats_model::endpoint::{API_KEY_HEADER, API_KEY_STATISTICS_PATH};

async fn lifetime(app: &axum::Router, key: &str, id: u64) -> (u16, String) {
    let body = format!(r#"{{"campaign_id":{id}}}"#);
    oneshot(
        app,
        "POST",
        API_KEY_STATISTICS_PATH,
        &[(API_KEY_HEADER, key)],
        &body,
    )
    .await
}

#[tokio::test]
async fn same_seed_same_data() {
    let build = |seed| {
        router(
            MockServer::builder()
                .synthetic(50, 30, seed)
                .rate_limit(None)
                .into_state()
                .unwrap(),
        )
    };
    let (a, b, c) = (build(1), build(1), build(2));
    let id = SYNTHETIC_FIRST_ID + 49;
    let (status, first) = lifetime(&a, "INS.demo-key", id).await;
    assert_eq!(status, 200);
    let stats = CampaignStatistics::from_json(first.as_bytes()).unwrap();
    stats.check_sums().unwrap();
    assert!(stats.sent > 0 && stats.drop > 0);
    assert_eq!(lifetime(&b, "INS.demo-key", id).await.1, first);
    assert_ne!(lifetime(&c, "INS.demo-key", id).await.1, first);
    assert_eq!(lifetime(&a, "INS.demo-key", id + 1).await.0, 400);
    assert_eq!(lifetime(&a, "INS.other-key", id).await.0, 400);
    // The built-in campaigns are still there, unchanged.
    assert_eq!(lifetime(&a, "INS.demo-key", 12345).await.1, common::SAMPLE);
}

#[tokio::test]
async fn ids_start_above_the_fixtures_and_need_partner_demo() {
    let mut fixtures = Fixtures::builtin();
    let mut high = fixtures.campaigns[0].clone();
    high.id = 5_000_000;
    fixtures.campaigns.push(high);
    let state = MockServer::builder()
        .fixtures(fixtures)
        .synthetic(3, 2, 0)
        .into_state()
        .unwrap();
    assert_eq!(state.campaign_count(), 5 + 3);
    let app = router(state);
    assert_eq!(lifetime(&app, "INS.demo-key", 5_000_001).await.0, 200);
    assert_eq!(lifetime(&app, "INS.demo-key", 5_000_003).await.0, 200);
    assert_eq!(lifetime(&app, "INS.demo-key", 5_000_004).await.0, 400);

    let mut no_demo = Fixtures::builtin();
    no_demo.partners.retain(|p| p.name != "demo");
    no_demo.campaigns.retain(|c| c.owner != "demo");
    let error = MockServer::builder()
        .fixtures(no_demo)
        .synthetic(1, 1, 0)
        .into_state()
        .unwrap_err();
    assert!(matches!(error, MockError::Settings(_)), "{error}");
}

/// The realistic model (issue 32, docs/mock.md): deterministic, sums hold, and the mix is
/// mostly quiet: about a quarter never sent, most campaigns active on a week or so of days.
#[tokio::test]
async fn realistic_campaigns_are_mostly_quiet_and_deterministic() {
    let build = || {
        router(
            MockServer::builder()
                .synthetic(200, 365, 7)
                .synthetic_activity(wa_stats_mock::Activity::Realistic)
                .rate_limit(None)
                .into_state()
                .unwrap(),
        )
    };
    let (a, b) = (build(), build());
    let mut never_sent = 0;
    for offset in 0..200 {
        let id = SYNTHETIC_FIRST_ID + offset;
        let (status, body) = lifetime(&a, "INS.demo-key", id).await;
        assert_eq!(status, 200);
        assert_eq!(
            lifetime(&b, "INS.demo-key", id).await.1,
            body,
            "the same seed"
        );
        let stats = CampaignStatistics::from_json(body.as_bytes()).unwrap();
        stats.check_sums().unwrap();
        if stats.sent == 0 && stats.open == 0 && stats.drop == 0 {
            never_sent += 1;
        }
    }
    assert!(
        (30..=70).contains(&never_sent),
        "{never_sent} of 200 never sent"
    );
}
