//! `bindings/examples.json`: every documented body with what the Rust model makes of it, the
//! bodies only the tolerant reading accepts, the refused bodies, and the live cases.

use serde_json::{Value, json};
use wa_stats_model::examples::{self, BodyKind, REFUSED};
use wa_stats_model::{
    ApiError, CampaignStatistics, CredentialKind, ErrorResponse, parse_request, validate,
};

use crate::render::{Writer, stamp};

/// The status of a success.
const SUCCESS: u16 = 200;

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_default()
}

/// A documented error body, its status and what the Rust model classifies it as.
fn error_case(name: &str, type_name: &str, status: u16, body: &str) -> Value {
    let classified = ApiError::classify(status, body.as_bytes());
    json!({
        "name": name,
        "type": type_name,
        "status": status,
        "body": parsed(body),
        "kind": classified.kind_name(),
        "code": classified.code,
        "message": classified.message,
    })
}

/// The vendor page's bodies, each with what the Rust model makes of it.
pub(super) fn documented() -> Vec<Value> {
    let parse_failed =
        parse_request(b"").map_or_else(|error| ErrorResponse::parse_failed(&error).status, |_| 400);
    let validation_failed = parse_request(b"{}")
        .ok()
        .and_then(|request| validate(&request, 0).err())
        .map_or(400, |error| ErrorResponse::validation_failed(&error).status);
    let unauthorized = ErrorResponse::unauthorized(Some(CredentialKind::BearerToken));
    let method_not_allowed = ErrorResponse::method_not_allowed();
    vec![
        json!({"name": "request", "type": "CampaignStatisticsRequest", "body": parsed(examples::REQUEST)}),
        json!({"name": "sample", "type": "CampaignStatistics", "body": parsed(examples::SAMPLE_RESPONSE)}),
        json!({"name": "conversational", "type": "CampaignStatistics", "body": examples::conversational_response()}),
        json!({"name": "envelope", "type": "CampaignStatisticsEnvelope", "body": parsed(examples::ENVELOPE_RESPONSE)}),
        error_case(
            "parse_failed",
            "CodedErrorBody",
            parse_failed,
            examples::PARSE_FAILED,
        ),
        error_case(
            "validation_failed",
            "CodedErrorBody",
            validation_failed,
            examples::VALIDATION_FAILED,
        ),
        error_case(
            "campaign_not_found",
            "CodedErrorBody",
            ErrorResponse::campaign_not_found().status,
            examples::CAMPAIGN_NOT_FOUND,
        ),
        error_case(
            "product_not_active",
            "CodedErrorBody",
            ErrorResponse::product_not_active().status,
            examples::PRODUCT_NOT_ACTIVE,
        ),
        error_case(
            "not_a_whatsapp_campaign",
            "FieldErrorsBody",
            ErrorResponse::not_a_whatsapp_campaign().status,
            examples::NOT_A_WHATSAPP_CAMPAIGN,
        ),
        error_case(
            "rate_limited",
            "RateLimitedBody",
            ErrorResponse::rate_limited().status,
            examples::RATE_LIMITED,
        ),
        error_case(
            "unauthorized",
            "MessageBody",
            unauthorized.status,
            &unauthorized.body,
        ),
        error_case(
            "method_not_allowed",
            "MessageBody",
            method_not_allowed.status,
            &method_not_allowed.body,
        ),
    ]
}

/// Bodies only the tolerant reading accepts, with the canonical body the Rust model reads them as.
fn tolerant() -> Vec<Value> {
    let cases = [
        ("envelope", examples::ENVELOPE_RESPONSE.to_owned()),
        (
            "conversational_addition_alone",
            examples::CONVERSATIONAL_ADDITION.to_owned(),
        ),
        ("one_counter", r#"{"sent":7}"#.to_owned()),
        (
            "null_breakdowns",
            r#"{"sent":2,"dropDetails":null,"undeliveredDetails":null}"#.to_owned(),
        ),
        (
            "open_wins_over_read",
            r#"{"data":{"statistics":{"open":5,"read":3}}}"#.to_owned(),
        ),
        (
            "empty_details",
            r#"{"dropDetails":{},"undeliveredDetails":{}}"#.to_owned(),
        ),
        (
            "unknown_fields_kept",
            r#"{"sent":1,"future":{"x":[1]},"dropDetails":{"newReason":2}}"#.to_owned(),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, body)| {
            // The Rust reader keeps an absent breakdown absent (`Option`); the canonical body,
            // which the bindings' readers produce, has both, zeros when absent.
            let reads_as = CampaignStatistics::from_json(body.as_bytes())
                .map(|mut stats| {
                    stats.drop_details.get_or_insert_with(Default::default);
                    stats
                        .undelivered_details
                        .get_or_insert_with(Default::default);
                    parsed(&stats.to_json())
                })
                .unwrap_or(Value::Null);
            json!({"name": name, "body": parsed(&body), "readsAs": reads_as})
        })
        .collect()
}

fn refused() -> Vec<Value> {
    REFUSED
        .iter()
        .map(|refused| {
            let body = parsed(refused.body);
            // An error body poses as the documented error its keys suggest, with its status.
            let outcome = match refused.kind {
                BodyKind::Request => json!({"type": "CampaignStatisticsRequest", "status": SUCCESS}),
                BodyKind::Statistics => success(),
                _ if body.get("error").is_some() => outcome("rate_limited"),
                _ if body.get("errorCode").is_some() => outcome("parse_failed"),
                _ if body.get("errors").is_some() => outcome("not_a_whatsapp_campaign"),
                _ => outcome("unauthorized"),
            };
            json!({"what": refused.what, "type": outcome["type"], "status": outcome["status"], "body": body})
        })
        .collect()
}

/// What answering with the documented case `name` means: its status, type and kind, as
/// [`documented`] derives them from the model (so no status is written down twice).
pub(super) fn outcome(name: &str) -> Value {
    documented()
        .into_iter()
        .find(|case| case["name"] == name)
        .map_or(
            Value::Null,
            |case| json!({"status": case["status"], "type": case["type"], "kind": case["kind"]}),
        )
}

/// What a success means, in [`outcome`]'s terms.
pub(super) fn success() -> Value {
    json!({"status": SUCCESS, "type": "CampaignStatistics", "kind": ""})
}

/// `bindings/examples.json`.
pub(crate) fn examples_json() -> Value {
    json!({
        "$comment": stamp(Writer::Bindings),
        "documented": documented(),
        "tolerant": tolerant(),
        "refused": refused(),
        "live": super::live::live(),
        "liveRateLimited": super::live::live_rate_limited(),
    })
}
