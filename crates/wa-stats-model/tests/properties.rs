//! Properties of what comes in: generated requests, bodies and statistics.

#![allow(clippy::unwrap_used, reason = "a test's unwrap is its failure report")]

use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;
use wa_stats_model::validation::ValidationError;
use wa_stats_model::{
    CampaignStatistics, CampaignStatisticsRequest, DropDetails, ResponseCard, ResponseSummary,
    UndeliveredDetails, parse_request, validate,
};

fn any_request() -> impl Strategy<Value = CampaignStatisticsRequest> {
    (
        any::<i64>(),
        proptest::option::of(any::<i64>()),
        proptest::option::of(any::<i64>()),
    )
        .prop_map(|(id, start, end)| {
            let mut request = CampaignStatisticsRequest::new(id);
            request.start_time = start;
            request.end_time = end;
            request
        })
}

/// Values near every boundary R5 cares about, plus anything at all.
fn interesting_time() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        Just(None),
        Just(Some(0)),
        (999_999_990_i64..=1_000_000_010).prop_map(Some),
        (-1_000_000_000_i64..=-999_999_990).prop_map(Some),
        (9_999_999_990_i64..=10_000_000_010).prop_map(Some),
        (1_000_000_000_000_i64..=9_999_999_999_999).prop_map(Some),
        (1_500_000_000_i64..=1_900_000_000).prop_map(Some),
        any::<i64>().prop_map(Some),
    ]
}

/// R5 written out plainly, independently of the crate's implementation.
fn r5_by_hand(
    id: i64,
    start: Option<i64>,
    end: Option<i64>,
    now: i64,
) -> Result<(i64, i64), &'static str> {
    let start = if start == Some(0) { None } else { start };
    let end = if end == Some(0) { None } else { end };
    if id <= 0 {
        return Err("campaign_id is required and must be greater than 0");
    }
    if start.is_some_and(|s| s < 0 || s.to_string().len() != 10) {
        return Err("start_time must be a 10-digit unix timestamp");
    }
    if end.is_some_and(|e| e < 0 || e.to_string().len() != 10) {
        return Err("end_time must be a 10-digit unix timestamp");
    }
    let start = start.unwrap_or(1_514_764_800);
    let end = end.unwrap_or(now);
    if end <= start {
        return Err("end_time must be greater than start_time");
    }
    Ok((start, end))
}

fn counter() -> impl Strategy<Value = u64> {
    prop_oneof![0_u64..1_000_000, any::<u64>()]
}

fn extra() -> impl Strategy<Value = BTreeMap<String, Value>> {
    proptest::collection::btree_map(
        "x[A-Za-z]{1,8}",
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            "[ -~]{0,12}".prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
            Just(Value::Null),
        ],
        0..3,
    )
}

fn revenue() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0_u32..1_000_000).prop_map(f64::from),
        any::<f64>().prop_filter("finite", |v| v.is_finite())
    ]
}

fn any_statistics() -> impl Strategy<Value = CampaignStatistics> {
    let counters = proptest::collection::vec(counter(), 10);
    let drop = proptest::option::of((proptest::collection::vec(counter(), 12), extra()));
    let undelivered = proptest::option::of((proptest::collection::vec(counter(), 9), extra()));
    let cards = proptest::option::of(proptest::collection::vec(
        (
            counter(),
            "[ -~]{0,20}",
            proptest::collection::vec(counter(), 5),
            revenue(),
            any::<bool>(),
        ),
        0..3,
    ));
    let summary = proptest::option::of(proptest::collection::vec(counter(), 5));
    (
        counters,
        revenue(),
        drop,
        undelivered,
        cards,
        summary,
        extra(),
    )
        .prop_map(|(c, revenue, drop, undelivered, cards, summary, extra)| {
            let mut stats = CampaignStatistics::default();
            [
                stats.sent,
                stats.delivered,
                stats.open,
                stats.click,
                stats.conversion,
                stats.drop,
                stats.targeted,
                stats.unsubscribe,
                stats.undelivered,
                stats.delivery_pending,
            ] = [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]];
            stats.revenue = revenue;
            stats.drop_details = drop.map(|(d, extra)| {
                let mut details = DropDetails::default();
                details.frequency_capped = d[0];
                details.duplicates = d[1];
                details.invalid_phone_numbers = d[2];
                details.tier_limitation = d[3];
                details.template_failures = d[4];
                details.paused_templates = d[5];
                details.recipient_related_errors = d[6];
                details.meta_temporary_errors = d[7];
                details.account_integration_errors = d[8];
                details.internal_errors = d[9];
                details.rate_limits = d[10];
                details.policy_failures = d[11];
                details.extra = extra;
                details
            });
            stats.undelivered_details = undelivered.map(|(u, extra)| {
                let mut details = UndeliveredDetails::default();
                details.recipient_related_errors = u[0];
                details.account_verification_errors = u[1];
                details.media_errors = u[2];
                details.held_messages = u[3];
                details.meta_experiment = u[4];
                details.meta_errors = u[5];
                details.invalid_messages = u[6];
                details.meta_recipient_limits_errors = u[7];
                details.delivery_report_missing = u[8];
                details.extra = extra;
                details
            });
            stats.responses = cards.map(|cards| {
                cards
                    .into_iter()
                    .map(|(card_id, name, n, revenue, no_reply)| {
                        let mut card = ResponseCard::default();
                        card.card_id = card_id;
                        card.button_name = name;
                        [
                            card.sent,
                            card.delivered,
                            card.open,
                            card.click,
                            card.conversion,
                        ] = [n[0], n[1], n[2], n[3], n[4]];
                        card.revenue = revenue;
                        card.is_no_reply_message = no_reply;
                        card
                    })
                    .collect()
            });
            stats.response_summary = summary.map(|s| {
                let mut summary = ResponseSummary::default();
                [
                    summary.sent,
                    summary.open,
                    summary.click,
                    summary.conversion,
                    summary.button_click,
                ] = [s[0], s[1], s[2], s[3], s[4]];
                summary
            });
            stats.extra = extra;
            stats
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_request_survives_write_then_upstream_parse(request in any_request()) {
        let body = request.to_json();
        prop_assert_eq!(parse_request(body.as_bytes()), Ok(request));
    }

    #[test]
    fn parse_request_never_panics_on_bytes(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse_request(&body);
    }

    #[test]
    fn parse_request_never_panics_on_json_like_text(body in r#"[{}\[\]":,0-9a-z_ .eE+\-\\]{0,80}"#) {
        if let Err(error) = parse_request(body.as_bytes()) {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn validation_agrees_with_r5_written_by_hand(
        id in prop_oneof![Just(0_i64), -3_i64..3, any::<i64>()],
        start in interesting_time(),
        end in interesting_time(),
        now in 1_500_000_000_i64..1_900_000_000,
    ) {
        let mut request = CampaignStatisticsRequest::new(id);
        request.start_time = start;
        request.end_time = end;
        let ours = validate(&request, now)
            .map(|resolved| (resolved.start_time, resolved.end_time))
            .map_err(|error: ValidationError| error.to_string());
        let by_hand = r5_by_hand(id, start, end, now).map_err(str::to_owned);
        prop_assert_eq!(ours, by_hand);
    }

    #[test]
    fn write_json_is_serde_json_byte_for_byte(stats in any_statistics(), plain in any::<bool>()) {
        let mut stats = stats;
        if plain {
            // The shapes the fast writer templates: no cards, no unknown fields.
            stats.responses = None;
            stats.extra.clear();
            if let Some(details) = stats.drop_details.as_mut() { details.extra.clear(); }
            if let Some(details) = stats.undelivered_details.as_mut() { details.extra.clear(); }
            if let Some(summary) = stats.response_summary.as_mut() { summary.extra.clear(); }
        }
        let mut ours = b"prefix".to_vec();
        stats.write_json(&mut ours);
        let mut expected = b"prefix".to_vec();
        expected.extend(serde_json::to_vec(&stats).unwrap());
        prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&expected));
        let whole = stats.to_json();
        prop_assert_eq!(whole.as_bytes(), &expected[6..]);
    }

    #[test]
    fn any_statistics_survive_write_then_read(stats in any_statistics()) {
        let written = stats.to_json();
        let read = CampaignStatistics::from_json(written.as_bytes()).unwrap();
        prop_assert_eq!(read, stats);
    }
}
