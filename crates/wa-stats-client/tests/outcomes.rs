//! Every documented outcome of the API, through the client against the mock, maps to the right
//! result or error kind; local refusals cost no request.

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use wa_stats_client::{Client, Error};
use wa_stats_mock::{Fault, MockServer};
use wa_stats_model::ApiErrorKind;
use wa_stats_model::ValidationError;

#[tokio::test]
async fn the_sample_campaign_on_every_credential() {
    let server = MockServer::start().await;
    for client in [bearer(&server), api_key(&server), oauth(&server)] {
        let stats = client.campaign_statistics(12345).send().await.unwrap();
        assert_eq!(
            (stats.sent, stats.delivered, stats.open, stats.targeted),
            (1200, 1150, 400, 1225)
        );
        assert_eq!(stats.drop_details.unwrap().frequency_capped, 5);
        assert!(stats.responses.is_none());
        let conversational = client.campaign_statistics(12346).await.unwrap();
        assert_eq!(conversational.response_summary.unwrap().button_click, 95);
    }
    // Each request went to its credential's route with JSON and the right header.
    let journal = statistics_requests(&server);
    assert_eq!(journal.len(), 6);
    for entry in &journal {
        assert_eq!(entry.header("content-type"), Some("application/json"));
        assert!(
            entry.body.starts_with(r#"{"campaign_id":1234"#),
            "{}",
            entry.body
        );
    }
    assert!(journal[2].header("x-ins-auth-key").is_some());
    assert!(journal[0].header("authorization").is_some());
}

#[tokio::test]
async fn a_range_goes_on_the_wire_as_seconds() {
    let server = MockServer::start().await;
    let client = bearer(&server);
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_500_000_000);
    let end = start + Duration::from_secs(86_400);
    client
        .campaign_statistics(12345)
        .range(start..end)
        .send()
        .await
        .unwrap();
    client
        .campaign_statistics(12345)
        .range(1_500_000_000..)
        .send()
        .await
        .unwrap();
    let bodies: Vec<_> = statistics_requests(&server)
        .into_iter()
        .map(|e| e.body)
        .collect();
    assert_eq!(
        bodies,
        [
            r#"{"campaign_id":12345,"start_time":1500000000,"end_time":1500086400}"#,
            r#"{"campaign_id":12345,"start_time":1500000000}"#,
        ]
    );
}

async fn failure(client: &Client, campaign_id: i64) -> Error {
    client
        .campaign_statistics(campaign_id)
        .send()
        .await
        .expect_err("the call should fail")
}

#[tokio::test]
async fn documented_errors_are_typed_and_not_retried() {
    let server = MockServer::start().await;
    let client = bearer(&server);

    let not_whatsapp = failure(&client, 22222).await;
    assert_eq!(not_whatsapp.status(), Some(422));
    assert_eq!(not_whatsapp.kind_name(), "not_a_whatsapp_campaign");
    assert!(matches!(
        &not_whatsapp.api_error().unwrap().kind,
        ApiErrorKind::NotAWhatsAppCampaign { field_errors } if field_errors.contains_key("campaignFilters.builderId")
    ));

    let not_owned = failure(&client, 33333).await;
    assert_eq!(
        (not_owned.status(), not_owned.kind_name()),
        (Some(400), "campaign_not_found")
    );
    let missing = failure(&client, 99_999_999).await;
    assert_eq!(missing.kind_name(), "campaign_not_found");

    let inactive = quick(&server.base_url())
        .api_key("INS.inactive-key")
        .build()
        .unwrap();
    let product = failure(&inactive, 12345).await;
    assert_eq!(
        (product.status(), product.kind_name()),
        (Some(403), "product_not_active")
    );

    let unknown = quick(&server.base_url())
        .bearer_token("no-such-token")
        .build()
        .unwrap();
    let unauthorized = failure(&unknown, 12345).await;
    assert_eq!(
        (unauthorized.status(), unauthorized.kind_name()),
        (Some(401), "unauthorized")
    );

    for error in [&not_whatsapp, &not_owned, &product, &unauthorized] {
        assert!(!error.is_retryable(), "{error}");
        assert_eq!(error.attempts(), 1, "{error}");
    }
    // One request each: 400, 403, 401 and 422 are never retried.
    assert_eq!(statistics_requests(&server).len(), 5);
}

#[tokio::test]
async fn documented_400_bodies_from_the_server_are_classified() {
    let server = MockServer::start().await;
    let client = bearer(&server);
    server.inject(Fault::status(400).body(
        r#"{"message":"failed to parse request","errorCode":"3001","errors":"json: cannot unmarshal string into Go struct field"}"#,
    ));
    let parse = failure(&client, 12345).await;
    assert_eq!(parse.kind_name(), "parse_failed");
    server.inject(Fault::status(400).body(
        r#"{"message":"validation failed","errorCode":"3002","errors":"end_time must be greater than start_time"}"#,
    ));
    let invalid = failure(&client, 12345).await;
    assert_eq!(invalid.kind_name(), "validation_failed");
    assert!(
        invalid
            .to_string()
            .contains("end_time must be greater than start_time")
    );
    assert_eq!(statistics_requests(&server).len(), 2);
}

#[tokio::test]
async fn a_rate_limited_answer_is_typed_with_its_retry_after() {
    let server = MockServer::start().await;
    let client = quick(&server.base_url())
        .bearer_token(TOKEN)
        .max_attempts(1)
        .build()
        .unwrap();
    server.inject(
        Fault::status(429)
            .body(r#"{"message":"rate limited","error":{"message":"rate limited","code":2021}}"#)
            .header("retry-after", "1"),
    );
    let limited = failure(&client, 12345).await;
    assert_eq!(
        (limited.status(), limited.kind_name()),
        (Some(429), "rate_limited")
    );
    assert!(limited.is_retryable());
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(1)));
    assert!(matches!(
        limited.api_error().unwrap().kind,
        ApiErrorKind::RateLimited { code: Some(2021) }
    ));
}

#[tokio::test]
async fn invalid_requests_are_refused_locally_with_a_hint() {
    let server = MockServer::start().await;
    let client = bearer(&server);
    let zero = failure(&client, 0).await;
    assert!(matches!(
        zero,
        Error::InvalidRequest {
            rule: ValidationError::CampaignIdRequired { .. },
            ..
        }
    ));
    let millis = client
        .campaign_statistics(12345)
        .range(1_700_000_000_000..)
        .send()
        .await
        .unwrap_err();
    assert_eq!(millis.kind_name(), "invalid_request");
    let text = millis.to_string();
    assert!(
        text.contains("start_time must be a 10-digit unix timestamp")
            && text.contains("milliseconds"),
        "{text}"
    );
    let empty = client
        .campaign_statistics(12345)
        .range(1_700_000_000..1_700_000_000)
        .send()
        .await
        .unwrap_err();
    assert_eq!((empty.attempts(), empty.status()), (0, None));
    // Nothing reached the server.
    assert!(statistics_requests(&server).is_empty());
}

#[tokio::test]
async fn answers_outside_the_contract() {
    let server = MockServer::start().await;
    let client = bearer(&server);

    server.inject(Fault::status(200).body("<html>maintenance</html>"));
    let undecodable = failure(&client, 12345).await;
    match &undecodable {
        Error::UndecodableBody { status, raw, .. } => {
            assert_eq!(
                (*status, raw.as_ref()),
                (200, b"<html>maintenance</html>".as_ref())
            );
        }
        other => panic!("{other:?}"),
    }

    server.inject(Fault::status(302).header("location", "https://elsewhere.example/"));
    let redirect = failure(&client, 12345).await;
    assert_eq!(
        (redirect.kind_name(), redirect.status()),
        ("unexpected_status", Some(302))
    );

    server.inject(Fault::status(502).body("<html>Bad Gateway</html>").times(3));
    let proxy = failure(&client, 12345).await;
    assert_eq!(
        (proxy.kind_name(), proxy.status()),
        ("api_error", Some(502))
    );
    assert_eq!(proxy.api_error().unwrap().raw, "<html>Bad Gateway</html>");
    assert_eq!(proxy.attempts(), 3);

    server.inject(Fault::status(200).body("x".repeat(2 * 1024 * 1024)));
    let large = failure(&client, 12345).await;
    assert!(matches!(
        large,
        Error::BodyTooLarge {
            status: 200,
            limit: 1_048_576,
            ..
        }
    ));
    assert!(!large.is_retryable());
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_before_any_io() {
    // 192.0.2.0/24 is TEST-NET-1: nothing is there, and nothing is sent (build does no I/O).
    for base in ["http://192.0.2.1:8080", "http://api.example.com"] {
        let refused = Client::builder()
            .bearer_token(TOKEN)
            .base_url(base)
            .build()
            .unwrap_err();
        assert_eq!(refused.kind_name(), "insecure_url");
        assert!(refused.to_string().contains("https://"), "{refused}");
    }
    let refused = Client::builder()
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .token_url("http://192.0.2.1/auth/token")
        .build()
        .unwrap_err();
    assert_eq!(refused.kind_name(), "insecure_url");
}
