//! R10's last paragraph: a 200 body that holds no counter is not a statistics answer, and reading
//! it is an error, never a day of zeros (issue 31, item 5).

#![allow(clippy::unwrap_used, reason = "a test's unwrap is its failure report")]

use proptest::prelude::*;
use serde_json::{Map, Value};
use wa_stats_model::CampaignStatistics;
use wa_stats_model::statistics::COUNTERS;

fn read(body: &str) -> Result<CampaignStatistics, String> {
    CampaignStatistics::from_json(body.as_bytes()).map_err(|error| error.to_string())
}

#[test]
fn a_proxy_page_with_status_200_is_an_error_not_zeros() {
    for body in [
        r#"{"message":"service under maintenance"}"#,
        "{}",
        r#"{"status":"ok","data":{}}"#,
        r#"{"data":{"statistics":{}}}"#,
        r#"{"data":{"statistics":{"message":"maintenance"}}}"#,
    ] {
        let error = read(body).unwrap_err();
        assert!(
            error.contains("not a statistics answer") && error.contains("holds no counter"),
            "{body}: {error}"
        );
    }
}

#[test]
fn an_envelope_whose_statistics_is_not_an_object_is_an_error() {
    for body in [
        r#"{"data":{"statistics":[1,2]}}"#,
        r#"{"data":{"statistics":null}}"#,
        r#"{"data":{"statistics":"0"}}"#,
    ] {
        let error = read(body).unwrap_err();
        assert!(
            error.contains("`data.statistics` is not an object"),
            "{body}: {error}"
        );
    }
}

#[test]
fn one_counter_is_enough_and_the_others_read_as_zero() {
    for body in [
        r#"{"sent":0}"#,
        r#"{"revenue":1.5}"#,
        r#"{"data":{"statistics":{"read":3}}}"#,
        r#"{"deliveryPending":2,"message":"kept as unknown"}"#,
        r#"{"dropDetails":{"frequencyCapped":1}}"#,
    ] {
        let stats = read(body).unwrap_or_else(|error| panic!("{body}: {error}"));
        assert_eq!(stats.click, 0, "{body}");
    }
}

/// Every key that names a counter of the body itself (the table's top-level names, the envelope's
/// `read`, `revenue`) and every object of counters.
fn counter_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = COUNTERS
        .iter()
        .filter(|counter| counter.group().object().is_none())
        .map(|counter| counter.name)
        .collect();
    keys.extend([
        "read",
        "revenue",
        "dropDetails",
        "undeliveredDetails",
        "responseSummary",
        "responses",
    ]);
    keys
}

fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<u32>().prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            proptest::collection::btree_map("[a-zA-Z]{1,10}", inner, 0..3)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever else a 200 body holds, flat or enveloped, without a counter it is refused.
    #[test]
    fn a_body_without_any_counter_is_never_read(
        fields in proptest::collection::btree_map("[a-zA-Z]{1,12}", any_value(), 0..5),
        enveloped in any::<bool>(),
    ) {
        let keys = counter_keys();
        let object: Map<String, Value> = fields
            .into_iter()
            .filter(|(key, _)| !keys.contains(&key.as_str()) && key != "data")
            .collect();
        let body = if enveloped {
            serde_json::json!({ "data": { "statistics": object } })
        } else {
            Value::Object(object)
        };
        prop_assert!(read(&body.to_string()).is_err(), "{} was read", body);
    }
}

#[test]
fn the_table_s_top_level_names_are_all_recognised() {
    for name in counter_keys() {
        let value = match name {
            "dropDetails" | "undeliveredDetails" | "responseSummary" => "{}",
            "responses" => "[]",
            _ => "0",
        };
        let body = format!(r#"{{"{name}":{value}}}"#);
        assert!(read(&body).is_ok(), "{body}");
    }
}
