//! Properties: any body gets 200 or a documented 400 (never a 5xx or a panic), and ranges add up
//! over any split point (R12) while every answer obeys R10's sums.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::sync::LazyLock;

use common::oneshot;
use proptest::prelude::*;
use serde_json::Value;
use wa_stats_mock::{MockServer, fixtures, router};
use wa_stats_model::CampaignStatistics;
use wa_stats_model::endpoint::{API_KEY_HEADER, API_KEY_STATISTICS_PATH};

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
});

/// The built-in data without 22222 (the one campaign that answers 422): random bodies must get
/// 200 or 400.
static APP: LazyLock<axum::Router> = LazyLock::new(|| {
    let mut fixtures = fixtures::Fixtures::builtin();
    fixtures.campaigns.retain(|campaign| campaign.id != 22222);
    let state = MockServer::builder()
        .fixtures(fixtures)
        .rate_limit(None)
        .journal_capacity(0)
        .synthetic(3, 400, 7)
        .into_state()
        .unwrap();
    router(state)
});

fn ask(body: &[u8]) -> (u16, String) {
    let body = String::from_utf8_lossy(body).into_owned();
    RUNTIME.block_on(oneshot(
        &APP,
        "POST",
        API_KEY_STATISTICS_PATH,
        &[(API_KEY_HEADER, "INS.demo-key")],
        &body,
    ))
}

fn json_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        (1_000_000_000_i64..=9_999_999_999).prop_map(|n| n.to_string()),
        prop_oneof![
            Just(12345_i64),
            Just(12346),
            Just(22222),
            Just(33333),
            Just(1_000_001),
            Just(0)
        ]
        .prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:?}")),
        "[0-9]{1,25}",
        "\"[a-z0-9]{0,5}\"",
        Just("[1,2]".to_owned()),
        Just("{\"a\":1}".to_owned()),
        Just("1e3".to_owned()),
    ]
}

fn request_like() -> impl Strategy<Value = Vec<u8>> {
    let field = prop_oneof![
        Just("campaign_id"),
        Just("start_time"),
        Just("end_time"),
        Just("CAMPAIGN_ID"),
        Just("other")
    ];
    let object = || {
        prop::collection::vec((field.clone(), json_value()), 0..5).prop_map(|fields| {
            let inner: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", inner.join(","))
        })
    };
    prop_oneof![
        4 => (object(), any::<prop::sample::Index>()).prop_map(|(json, cut)| {
            // Sometimes truncated, so that syntax errors appear as well.
            let bytes = json.into_bytes();
            let keep = if cut.index(4) == 0 { cut.index(bytes.len() + 1) } else { bytes.len() };
            bytes[..keep].to_vec()
        }),
        1 => prop::collection::vec(any::<u8>(), 0..200),
        1 => (object(), "[ \t\r\n]{0,3}[a-z\\]\\}\\{]{0,3}").prop_map(|(json, tail)| format!("{json}{tail}").into_bytes()),
    ]
}

fn add(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_u64(), y.as_u64()) {
            (Some(x), Some(y)) => Value::from(x + y),
            _ => Value::from(x.as_f64().unwrap_or(0.0) + y.as_f64().unwrap_or(0.0)),
        },
        (Value::Object(x), Value::Object(y)) => x
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if k == "cardId" {
                        v.clone()
                    } else {
                        add(v, &y[k])
                    },
                )
            })
            .collect(),
        (Value::Array(x), Value::Array(y)) => x.iter().zip(y).map(|(v, w)| add(v, w)).collect(),
        (x, _) => x.clone(),
    }
}

fn revenue_close(a: &Value, b: &Value) -> bool {
    (a.as_f64().unwrap_or(0.0) - b.as_f64().unwrap_or(0.0)).abs() < 1e-6
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_body_gets_200_or_a_documented_400(body in request_like()) {
        let (status, answer) = ask(&body);
        prop_assert!(status == 200 || status == 400, "{status} {answer}");
        let json: Value = serde_json::from_str(&answer).unwrap();
        if status == 400 {
            let code = json["errorCode"].as_str().unwrap_or_default();
            prop_assert!(["3001", "3002", "3004"].contains(&code), "{answer}");
        } else if status == 200 {
            CampaignStatistics::from_json(answer.as_bytes()).unwrap().check_sums().unwrap();
        }
    }

    #[test]
    fn ranges_add_up_at_any_split(
        campaign in prop_oneof![Just(12345_u64), Just(12346), Just(1_000_000), Just(1_000_002)],
        bounds in prop::collection::vec(prop_oneof![
            1_500_000_000_i64..1_750_000_000,
            1_709_000_000_i64..1_714_500_000, // the built-in days (March and April 2024)
            1_514_764_800_i64..1_549_000_000, // the synthetic days (from 2018-01-01)
        ], 3),
    ) {
        let mut bounds = bounds;
        bounds.sort_unstable();
        prop_assume!(bounds[0] < bounds[1] && bounds[1] < bounds[2]);
        let range = |start: i64, end: i64| {
            let body = format!(r#"{{"campaign_id":{campaign},"start_time":{start},"end_time":{end}}}"#);
            let (status, answer) = ask(body.as_bytes());
            assert_eq!(status, 200, "{answer}");
            CampaignStatistics::from_json(answer.as_bytes()).unwrap().check_sums().unwrap();
            serde_json::from_str::<Value>(&answer).unwrap()
        };
        let whole = range(bounds[0], bounds[2]);
        let sum = add(&range(bounds[0], bounds[1]), &range(bounds[1], bounds[2]));
        prop_assert!(revenue_close(&whole["revenue"], &sum["revenue"]));
        let strip = |mut v: Value| {
            v.as_object_mut().unwrap().remove("revenue");
            if let Some(cards) = v.get_mut("responses").and_then(Value::as_array_mut) {
                for card in cards { card.as_object_mut().unwrap().remove("revenue"); }
            }
            v
        };
        prop_assert_eq!(strip(whole), strip(sum));
    }

    #[test]
    fn fixtures_of_any_shape_load_or_are_refused_without_panic(
        date in "\\PC{0,12}",
        revenue in any::<f64>(),
        text in "\\PC{0,40}",
    ) {
        let json = serde_json::json!({
            "partners": [{"name": "a"}],
            "campaigns": [{"id": 1, "owner": "a", "days": [{"date": date, "revenue": revenue}]}]
        })
        .to_string();
        if let Ok(parsed) = fixtures::from_json(&json, "p.json") {
            let _ = fixtures::check(&parsed, "p.json");
        }
        let _ = fixtures::from_json(&text, "t.json");
    }
}
