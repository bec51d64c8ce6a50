//! Every body on the vendor page: pinned by snapshot, round-tripped, classified, and matched by

#![allow(clippy::unwrap_used, reason = "a test's unwrap is its failure report")]
//! the constructors the mock sends.

use serde_json::Value;
use wa_stats_model::error::{
    CODE_RATE_LIMITED, CodedErrorBody, FieldErrorsBody, MessageBody, RateLimitedBody,
};
use wa_stats_model::validation::ValidationError;
use wa_stats_model::{
    ApiError, ApiErrorKind, CampaignStatistics, ErrorResponse, examples, parse_request,
};

fn value(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn reread(text: &str) -> Value {
    let stats = CampaignStatistics::from_json(text.as_bytes()).unwrap();
    value(&stats.to_json())
}

#[test]
fn request_sample_parses_and_writes_back() {
    let request = parse_request(examples::REQUEST.as_bytes()).unwrap();
    insta::assert_json_snapshot!("request_sample", request);
    assert_eq!(value(&request.to_json()), value(examples::REQUEST));
}

#[test]
fn success_sample_round_trips_unchanged() {
    let written = reread(examples::SAMPLE_RESPONSE);
    assert_eq!(written, value(examples::SAMPLE_RESPONSE));
    insta::assert_json_snapshot!("success_sample", written);
    let stats = CampaignStatistics::from_json(examples::SAMPLE_RESPONSE.as_bytes()).unwrap();
    assert_eq!(
        stats.check_sums(),
        Ok(()),
        "the vendor's own sample obeys R10"
    );
}

#[test]
fn conversational_sample_round_trips_unchanged() {
    let body = examples::conversational_response().to_string();
    let written = reread(&body);
    assert_eq!(written, value(&body));
    insta::assert_json_snapshot!("conversational_sample", written);
}

#[test]
fn conversational_addition_alone_reads_with_zero_counters() {
    let stats =
        CampaignStatistics::from_json(examples::CONVERSATIONAL_ADDITION.as_bytes()).unwrap();
    assert_eq!(stats.sent, 0);
    assert_eq!(
        stats.responses.as_ref().unwrap()[0].button_name,
        "Yes, I'm interested"
    );
    assert_eq!(stats.response_summary.as_ref().unwrap().button_click, 95);
}

#[test]
fn envelope_reads_read_as_open_and_writes_flat() {
    let stats = CampaignStatistics::from_json(examples::ENVELOPE_RESPONSE.as_bytes()).unwrap();
    assert_eq!((stats.sent, stats.delivered, stats.open), (42, 41, 30));
    assert!(stats.extra.is_empty(), "{:?}", stats.extra);
    insta::assert_json_snapshot!("envelope_written_flat", stats);
}

#[test]
fn open_wins_over_read_and_read_is_kept() {
    let stats = CampaignStatistics::from_json(
        br#"{"data":{"statistics":{"open":7,"read":9}},"requestId":"r1"}"#,
    )
    .unwrap();
    assert_eq!(stats.open, 7);
    assert_eq!(stats.extra["read"], 9);
    assert_eq!(stats.extra["requestId"], "r1");
}

#[test]
fn unknown_fields_survive_at_every_level() {
    let body = r#"{"sent":1,"delivered":1,"targeted":1,"newTopLevel":{"a":[1,2]},
        "dropDetails":{"newReason":3},"undeliveredDetails":{"otherReason":"x"},
        "responses":[{"cardId":2,"emoji":"👍"}],"responseSummary":{"replies":5}}"#;
    let written = reread(body);
    assert_eq!(written["newTopLevel"], value(r#"{"a":[1,2]}"#));
    assert_eq!(written["dropDetails"]["newReason"], 3);
    assert_eq!(written["undeliveredDetails"]["otherReason"], "x");
    assert_eq!(written["responses"][0]["emoji"], "👍");
    assert_eq!(written["responseSummary"]["replies"], 5);
}

#[test]
fn bad_success_bodies_are_errors_not_zeros() {
    for body in [
        r#"{"sent":-1}"#,
        r#"{"sent":"1"}"#,
        r#"{"sent":1.5}"#,
        "[]",
        "",
        r#"{"sent":null}"#,
    ] {
        assert!(
            CampaignStatistics::from_json(body.as_bytes()).is_err(),
            "{body}"
        );
    }
    let fractional = CampaignStatistics::from_json(br#"{"revenue":12.75}"#).unwrap();
    assert_eq!(fractional.revenue, 12.75);
}

/// The constructors build the page's bodies exactly: same keys, order and values, compact.
#[test]
fn constructors_build_the_documented_bodies_byte_for_byte() {
    let compact = |text: &str| serde_json::to_string(&value(text)).unwrap();
    let cases = [
        (
            ErrorResponse::validation_failed(&ValidationError::CampaignIdRequired {
                campaign_id: 0,
            }),
            400,
            examples::VALIDATION_FAILED,
        ),
        (
            ErrorResponse::campaign_not_found(),
            400,
            examples::CAMPAIGN_NOT_FOUND,
        ),
        (
            ErrorResponse::product_not_active(),
            403,
            examples::PRODUCT_NOT_ACTIVE,
        ),
        (
            ErrorResponse::not_a_whatsapp_campaign(),
            422,
            examples::NOT_A_WHATSAPP_CAMPAIGN,
        ),
        (ErrorResponse::rate_limited(), 429, examples::RATE_LIMITED),
    ];
    for (response, status, documented) in cases {
        assert_eq!(response.status, status);
        // serde_json's Value sorts keys, so compare the raw text for order as well.
        assert_eq!(
            response.body,
            documented_in_page_order(documented),
            "{documented}"
        );
        assert_eq!(compact(&response.body), compact(documented));
    }
    let parse = ErrorResponse::parse_failed(&parse_request(br#"{"campaign_id":"1"}"#).unwrap_err());
    assert_eq!(
        parse.body,
        r#"{"message":"failed to parse request","errorCode":"3001","errors":"json: cannot unmarshal string into Go struct field CampaignStatisticsRequest.campaign_id of type int64"}"#
    );
    assert_eq!(
        ErrorResponse::rate_limited().headers,
        vec![("retry-after", "1".to_owned())]
    );
}

/// The page's text with white space outside strings removed, keeping its key order.
fn documented_in_page_order(text: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            escaped = !escaped && c == '\\';
            in_string = escaped || c != '"';
        } else if !c.is_whitespace() {
            out.push(c);
            in_string = c == '"';
        }
    }
    out
}

#[test]
fn each_documented_error_is_classified_and_snapshotted() {
    let cases = [
        ("parse_failed", 400, examples::PARSE_FAILED),
        ("validation_failed", 400, examples::VALIDATION_FAILED),
        ("campaign_not_found", 400, examples::CAMPAIGN_NOT_FOUND),
        ("product_not_active", 403, examples::PRODUCT_NOT_ACTIVE),
        (
            "not_a_whatsapp_campaign",
            422,
            examples::NOT_A_WHATSAPP_CAMPAIGN,
        ),
        ("rate_limited", 429, examples::RATE_LIMITED),
    ];
    for (kind, status, body) in cases {
        let error = ApiError::classify(status, body.as_bytes());
        assert_eq!(error.kind_name(), kind);
        assert_eq!(error.raw, body, "the raw body is kept");
        insta::assert_json_snapshot!(format!("error_{kind}"), written_back(kind, body));
    }
    let limited = ApiError::classify(429, examples::RATE_LIMITED.as_bytes());
    assert_eq!(
        limited.kind,
        ApiErrorKind::RateLimited {
            code: Some(CODE_RATE_LIMITED)
        }
    );
    assert!(limited.is_retryable());
    let unknown = ApiError::classify(422, examples::NOT_A_WHATSAPP_CAMPAIGN.as_bytes());
    assert!(
        matches!(unknown.kind, ApiErrorKind::NotAWhatsAppCampaign { ref field_errors }
        if field_errors.contains_key("campaignFilters.builderId"))
    );
}

/// Parses a documented error body into its type and writes it back.
fn written_back(kind: &str, body: &str) -> Value {
    let bytes = body.as_bytes();
    let typed = match kind {
        "not_a_whatsapp_campaign" => {
            serde_json::to_value(serde_json::from_slice::<FieldErrorsBody>(bytes).unwrap())
        }
        "rate_limited" => {
            serde_json::to_value(serde_json::from_slice::<RateLimitedBody>(bytes).unwrap())
        }
        _ => serde_json::to_value(serde_json::from_slice::<CodedErrorBody>(bytes).unwrap()),
    };
    let typed = typed.unwrap();
    assert_eq!(typed, value(body), "{kind} round-trips unchanged");
    typed
}

#[test]
fn classification_tolerates_numbers_strangers_and_junk() {
    let numeric = ApiError::classify(
        400,
        br#"{"message":"validation failed","errorCode":3002,"errors":"x"}"#,
    );
    assert_eq!(
        numeric.kind,
        ApiErrorKind::ValidationFailed {
            detail: "x".to_owned()
        }
    );
    assert_eq!(numeric.code.as_deref(), Some("3002"));

    let html = ApiError::classify(502, b"<html><body>Bad Gateway</body></html>");
    assert_eq!((html.kind.clone(), html.status), (ApiErrorKind::Other, 502));
    assert!(html.to_string().contains("Bad Gateway"), "{html}");
    assert!(html.is_retryable());

    let unauthorized = ApiError::classify(401, b"");
    assert_eq!(unauthorized.kind, ApiErrorKind::Unauthorized);
    assert!(!unauthorized.is_retryable());

    let stranger = ApiError::classify(400, br#"{"message":"something new","errorCode":"3999"}"#);
    assert_eq!(stranger.kind, ApiErrorKind::Other);
    assert_eq!(
        (stranger.code.as_deref(), stranger.message.as_deref()),
        (Some("3999"), Some("something new"))
    );

    let bad_utf8 = ApiError::classify(500, &[0xff, 0xfe, b'x']);
    assert_eq!(bad_utf8.raw, "\u{fffd}\u{fffd}x");

    let body: MessageBody = serde_json::from_str(&ErrorResponse::unauthorized(None).body).unwrap();
    assert_eq!(body.message, "unauthorized");
}
