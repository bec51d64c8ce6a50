//! The statistics routes over loopback: credentials per route, every documented answer, R7, R8,
//! R12 and the 64 KiB rule.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::time::SystemTime;

use common::*;
use wa_stats_mock::MockServer;
use wa_stats_model::endpoint::{API_KEY_STATISTICS_PATH, MAX_REQUEST_BODY_BYTES};
use wa_stats_model::request::unix_seconds;
use wa_stats_model::{CampaignStatistics, ErrorResponse, parse_request, validate};

const CAMPAIGN: &str = r#"{"campaign_id":12345}"#;

fn assert_error(answer: &Answer, expected: &ErrorResponse) {
    assert_eq!(answer.status, expected.status, "{}", answer.body);
    assert_eq!(answer.body, expected.body);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    for (name, value) in &expected.headers {
        assert_eq!(answer.header(name), Some(value.as_str()), "header {name}");
    }
}

#[tokio::test]
async fn lifetime_of_12345_is_the_vendor_sample_on_both_routes() {
    let server = MockServer::start().await;
    for answer in [
        by_key(&server, DEMO_KEY, CAMPAIGN).await,
        by_token(&server, DEMO_TOKEN, CAMPAIGN).await,
    ] {
        assert_eq!((answer.status, answer.body.as_str()), (200, SAMPLE));
        assert_eq!(answer.header("content-type"), Some("application/json"));
    }
}

#[tokio::test]
async fn conversational_12346_adds_responses_and_summary() {
    let server = MockServer::start().await;
    let answer = by_key(&server, DEMO_KEY, r#"{"campaign_id":12346}"#).await;
    assert_eq!(answer.status, 200);
    let expected = format!(
        "{},{}}}",
        &SAMPLE[..SAMPLE.len() - 1],
        concat!(
            r#""responses":[{"cardId":1,"buttonName":"Yes, I'm interested","sent":1200,"delivered":1150,"open":400,"click":120,"conversion":30,"revenue":0,"isNoReplyMessage":false}],"#,
            r#""responseSummary":{"sent":1200,"open":400,"click":120,"conversion":30,"buttonClick":95}"#
        )
    );
    assert_eq!(answer.body, expected);
    CampaignStatistics::from_json(answer.body.as_bytes())
        .unwrap()
        .check_sums()
        .unwrap();
    insta::assert_snapshot!("conversational_12346", answer.body);
}

#[tokio::test]
async fn not_whatsapp_is_422_and_foreign_is_identical_to_missing() {
    let server = MockServer::start().await;
    let not_whatsapp = by_key(&server, DEMO_KEY, r#"{"campaign_id":22222}"#).await;
    assert_error(&not_whatsapp, &ErrorResponse::not_a_whatsapp_campaign());
    insta::assert_snapshot!("not_whatsapp_422", not_whatsapp.body);

    // R7: another partner's campaign and a missing one are byte-identical, headers included.
    let foreign = by_key(&server, DEMO_KEY, r#"{"campaign_id":33333}"#).await;
    let missing = by_key(&server, DEMO_KEY, r#"{"campaign_id":99999}"#).await;
    assert_error(&foreign, &ErrorResponse::campaign_not_found());
    assert_eq!(
        (foreign.status, &foreign.body),
        (missing.status, &missing.body)
    );
    let strip = |a: &Answer| {
        let mut h: Vec<_> = a
            .headers
            .iter()
            .filter(|(n, _)| *n != "date")
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect();
        h.sort_by(|x, y| x.0.as_str().cmp(y.0.as_str()));
        h
    };
    assert_eq!(strip(&foreign), strip(&missing));

    // The owner sees it.
    let own = by_key(&server, "INS.other-key", r#"{"campaign_id":33333}"#).await;
    assert_eq!(own.status, 200);
    CampaignStatistics::from_json(own.body.as_bytes())
        .unwrap()
        .check_sums()
        .unwrap();
}

#[tokio::test]
async fn inactive_partner_gets_3007_on_both_routes() {
    let server = MockServer::start().await;
    assert_error(
        &by_key(&server, "INS.inactive-key", CAMPAIGN).await,
        &ErrorResponse::product_not_active(),
    );
    assert_error(
        &by_token(&server, "inactive-token", CAMPAIGN).await,
        &ErrorResponse::product_not_active(),
    );
}

#[tokio::test]
async fn credentials_of_the_wrong_kind_or_unknown_are_401() {
    let server = MockServer::start().await;
    let v1 = ErrorResponse::unauthorized(Some(wa_stats_model::CredentialKind::ApiKey));
    let v2 = ErrorResponse::unauthorized(Some(wa_stats_model::CredentialKind::BearerToken));
    // An API key sent as a bearer token, and a token sent as an API key: missing (R1).
    assert_error(&by_token(&server, DEMO_KEY, CAMPAIGN).await, &v2);
    assert_error(&by_key(&server, DEMO_TOKEN, CAMPAIGN).await, &v1);
    assert_error(&by_key(&server, "INS.nope", CAMPAIGN).await, &v1);
    let answer = by_token(&server, "nope", CAMPAIGN).await;
    assert_error(&answer, &v2);
    assert_eq!(answer.header("www-authenticate"), Some("Bearer"));
    let no_header = send(
        client()
            .post(format!("{}{API_KEY_STATISTICS_PATH}", server.base_url()))
            .body(CAMPAIGN),
    )
    .await;
    assert_error(&no_header, &v1);
    assert_eq!(no_header.header("www-authenticate"), None);
    // Header name and scheme word in any case.
    let url = format!("{}/api/wa/v2/statistics/campaign", server.base_url());
    let shouting = send(
        client()
            .post(url)
            .header("AUTHORIZATION", "BEARER demo-token")
            .body(CAMPAIGN),
    )
    .await;
    assert_eq!(shouting.status, 200);
}

#[tokio::test]
async fn methods_and_paths() {
    let server = MockServer::start().await;
    for path in [
        "/v1/statistics/campaign",
        "/api/wa/v2/statistics/campaign",
        "/auth/token",
    ] {
        for method in [
            reqwest::Method::GET,
            reqwest::Method::PUT,
            reqwest::Method::DELETE,
        ] {
            let answer =
                send(client().request(method, format!("{}{path}", server.base_url()))).await;
            assert_error(&answer, &ErrorResponse::method_not_allowed());
            assert_eq!(answer.header("allow"), Some("POST"));
        }
    }
    let unknown =
        send(client().post(format!("{}/v1/statistics/campaigns", server.base_url()))).await;
    assert_error(&unknown, &ErrorResponse::not_found());
    let health = send(client().get(format!("{}/healthz", server.base_url()))).await;
    assert_eq!(health.status, 200);
}

#[tokio::test]
async fn body_limit_is_64_kib() {
    let server = MockServer::start().await;
    // Exactly the limit: padding inside the object is still read.
    let mut fits = String::from(r#"{"campaign_id":12345,"pad":""#);
    fits.push_str(&"x".repeat(MAX_REQUEST_BODY_BYTES - fits.len() - 2));
    fits.push_str("\"}");
    assert_eq!(fits.len(), MAX_REQUEST_BODY_BYTES);
    assert_eq!(by_key(&server, DEMO_KEY, &fits).await.status, 200);
    let too_large = format!("{fits} ");
    let answer = by_key(&server, DEMO_KEY, &too_large).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["errors"], "http: request body too large");
    let huge = " ".repeat(4 * 1024 * 1024);
    assert_eq!(
        by_key(&server, DEMO_KEY, &huge).await.json()["errorCode"],
        "3001"
    );
}

#[tokio::test]
async fn ranges_are_half_open_over_utc_days() {
    let server = MockServer::start().await;
    let day = 86_400;
    let first = 1_709_251_200; // 2024-03-01, the first built-in day
    let ask = |start: i64, end: i64| {
        format!(r#"{{"campaign_id":12345,"start_time":{start},"end_time":{end}}}"#)
    };
    let stats = |body: String| CampaignStatistics::from_json(body.as_bytes()).unwrap();
    let whole = stats(
        by_key(&server, DEMO_KEY, &ask(first, first + 60 * day))
            .await
            .body,
    );
    assert_eq!(whole.to_json(), SAMPLE);
    let a = stats(
        by_key(&server, DEMO_KEY, &ask(first, first + 7 * day))
            .await
            .body,
    );
    let b = stats(
        by_key(&server, DEMO_KEY, &ask(first + 7 * day, first + 60 * day))
            .await
            .body,
    );
    for part in [&a, &b] {
        part.check_sums().unwrap();
        assert!(part.sent > 0 && part.sent < whole.sent);
    }
    assert_eq!(a.sent + b.sent, whole.sent);
    assert_eq!(a.targeted + b.targeted, whole.targeted);
    // A bucket counts iff its start is inside: one second before the second day's start still
    // holds only the first day; the second day's own second adds it.
    let first_day = stats(
        by_key(&server, DEMO_KEY, &ask(first, first + day))
            .await
            .body,
    );
    let almost = stats(
        by_key(&server, DEMO_KEY, &ask(first - 5, first + day))
            .await
            .body,
    );
    let two = stats(
        by_key(&server, DEMO_KEY, &ask(first, first + day + 1))
            .await
            .body,
    );
    assert_eq!(first_day, almost);
    assert!(two.sent > first_day.sent);
    let before = stats(
        by_key(&server, DEMO_KEY, &ask(first - 10 * day, first))
            .await
            .body,
    );
    assert_eq!(before.sent, 0);
    before.check_sums().unwrap();
}

/// The mock's 400s are the model's: each answer is compared, status and bytes, with what
/// `parse_request` and `validate` return for the same body, not with text written here, so a
/// mock that restated a rule (or kept an old wording after the model changed) fails.
#[tokio::test]
async fn validation_and_parse_errors_come_from_the_model() {
    let server = MockServer::start().await;
    // (body, which of the model's two steps refuses it)
    let cases = [
        ("", "3001"),
        (r#"{"campaign_id":"1"}"#, "3001"),
        ("[1]", "3001"),
        (r#"{"campaign_id":1,"start_time":17e8}"#, "3001"),
        ("{}", "3002"),
        (r#"{"campaign_id":-5}"#, "3002"),
        (r#"{"campaign_id":1,"start_time":1700000000000}"#, "3002"),
        (
            r#"{"campaign_id":1,"start_time":1700000000,"end_time":1600000000}"#,
            "3002",
        ),
        (r#"{"campaign_id":1,"end_time":999999999}"#, "3002"),
    ];
    for (body, code) in cases {
        let answer = by_key(&server, DEMO_KEY, body).await;
        let expected = match parse_request(body.as_bytes()) {
            Err(error) => ErrorResponse::parse_failed(&error),
            Ok(request) => {
                let now = unix_seconds(SystemTime::now());
                let refusal = validate(&request, now).expect_err(body);
                ErrorResponse::validation_failed(&refusal)
            }
        };
        assert_eq!(answer.status, expected.status, "{body}");
        assert_eq!(answer.body, expected.body, "{body}");
        // Which step refused it is the case's point: a case that stopped refusing, or moved to
        // the other step, would no longer test what it says.
        assert_eq!(answer.json()["errorCode"], code, "{body}");
    }
}
