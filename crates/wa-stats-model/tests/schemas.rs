//! The generated schemas are correct, not only unchanged: every documented example validates and

#![allow(clippy::unwrap_used, reason = "a test's unwrap is its failure report")]
//! the obvious bad bodies do not. Checked by an independent JSON Schema validator.

use serde_json::{Value, json};
use wa_stats_model::{ErrorResponse, examples, openapi, schema};

fn value(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn validator(schema: schemars::Schema) -> jsonschema::Validator {
    let schema = schema.to_value();
    jsonschema::meta::validate(&schema).expect("a valid draft 2020-12 schema");
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{instance} should be valid: {errors:?}");
}

fn assert_invalid(validator: &jsonschema::Validator, instance: &Value) {
    assert!(
        !validator.is_valid(instance),
        "{instance} should be rejected"
    );
}

#[test]
fn request_schema_accepts_the_documented_request_and_rejects_bad_ones() {
    let request = validator(schema::request_schema());
    assert_valid(&request, &value(examples::REQUEST));
    for good in [
        json!({"campaign_id": 1, "start_time": 1_000_000_000, "end_time": 9_999_999_999_i64}),
        json!({"campaign_id": 5, "somethingElse": true}),
    ] {
        assert_valid(&request, &good);
    }
    // The schema is the canonical form a client writes; R5's `0` / `null` for "not given" is the
    // server's tolerance, described by the OpenAPI document.
    for bad in [
        json!({"campaign_id": 5, "start_time": 0}),
        json!({"campaign_id": 5, "end_time": null}),
        json!({}),
        json!({"campaign_id": "12345"}),
        json!({"campaign_id": 0}),
        json!({"campaign_id": -1}),
        json!({"campaign_id": 1.5}),
        json!({"campaign_id": 1, "start_time": 999_999_999}),
        json!({"campaign_id": 1, "end_time": 1_700_000_000_000_i64}),
        json!({"campaign_id": 1, "start_time": "1700000000"}),
        json!([]),
    ] {
        assert_invalid(&request, &bad);
    }
}

/// The sample response with `changes` applied on top.
fn sample_with(changes: Value) -> Value {
    let mut body = value(examples::SAMPLE_RESPONSE);
    for (key, item) in changes.as_object().unwrap() {
        body[key] = item.clone();
    }
    body
}

#[test]
fn response_schema_is_the_canonical_body_every_counter_present() {
    let response = validator(schema::response_schema());
    // R10: the canonical body carries both breakdowns, zeros included.
    let mut zeros = wa_stats_model::CampaignStatistics::default();
    zeros.drop_details = Some(wa_stats_model::DropDetails::default());
    zeros.undelivered_details = Some(wa_stats_model::UndeliveredDetails::default());
    for body in [
        value(examples::SAMPLE_RESPONSE),
        examples::conversational_response(),
        serde_json::to_value(&zeros).unwrap(),
        sample_with(json!({"aFieldFromTheFuture": {"x": 1}})),
        sample_with(json!({"revenue": 12.5})),
    ] {
        assert_valid(&response, &body);
    }
    // The tolerant forms are the reader's business (R10), not the canonical schema's.
    for tolerated in [
        value(examples::ENVELOPE_RESPONSE),
        value(examples::CONVERSATIONAL_ADDITION),
        json!({"sent": 1}),
        // Without its breakdowns a body is tolerated by readers (they fill zeros), not canonical.
        serde_json::to_value(wa_stats_model::CampaignStatistics::default()).unwrap(),
    ] {
        assert_invalid(&response, &tolerated);
    }
    for bad in [
        sample_with(json!({"sent": -1})),
        sample_with(json!({"sent": "1200"})),
        sample_with(json!({"sent": 1.5})),
        sample_with(json!({"sent": null})),
        sample_with(json!({"revenue": "0"})),
        sample_with(json!({"dropDetails": null})),
        sample_with(json!({"dropDetails": {"duplicates": -3}})),
        json!([]),
    ] {
        assert_invalid(&response, &bad);
    }
    let mut card = examples::conversational_response();
    card["responses"][0]["isNoReplyMessage"] = json!("no");
    assert_invalid(&response, &card);
}

#[test]
fn envelope_schema_is_the_vendors_200_ok_form() {
    let envelope = validator(schema::envelope_schema());
    assert_valid(&envelope, &value(examples::ENVELOPE_RESPONSE));
    assert_valid(&envelope, &json!({"data": {"statistics": {}}}));
    assert_valid(
        &envelope,
        &json!({"data": {"statistics": {"open": 1, "read": 2, "dropDetails": {"duplicates": 1}}}}),
    );
    for bad in [
        value(examples::SAMPLE_RESPONSE),
        json!({"data": {}}),
        json!({"data": {"statistics": {"read": -1}}}),
        json!({"data": {"statistics": {"sent": "42"}}}),
    ] {
        assert_invalid(&envelope, &bad);
    }
}

/// The list every binding also refuses (exported to bindings/examples.json) is refused here too.
#[test]
fn every_refused_body_is_refused_by_its_schema() {
    use wa_stats_model::examples::{BodyKind, REFUSED};
    let request = validator(schema::request_schema());
    let response = validator(schema::response_schema());
    let error = validator(schema::error_schema());
    for refused in REFUSED {
        let schema = match refused.kind {
            BodyKind::Request => &request,
            BodyKind::Statistics => &response,
            _ => &error,
        };
        assert!(
            !schema.is_valid(&value(refused.body)),
            "{} should be refused",
            refused.what
        );
    }
}

#[test]
fn error_schema_accepts_every_documented_error_body() {
    let error = validator(schema::error_schema());
    for body in [
        examples::PARSE_FAILED,
        examples::VALIDATION_FAILED,
        examples::CAMPAIGN_NOT_FOUND,
        examples::PRODUCT_NOT_ACTIVE,
        examples::NOT_A_WHATSAPP_CAMPAIGN,
        examples::RATE_LIMITED,
    ] {
        assert_valid(&error, &value(body));
    }
    for built in [
        ErrorResponse::unauthorized(None),
        ErrorResponse::method_not_allowed(),
        ErrorResponse::scope_required(),
    ] {
        assert_valid(&error, &value(&built.body));
    }
    for bad in [
        json!({"errorCode": "3001"}),
        json!({"message": "rate limited", "error": {"message": "rate limited", "code": "2021"}}),
        json!({"message": "x", "errors": {"field": "not a list"}}),
        json!("rate limited"),
    ] {
        assert_invalid(&error, &bad);
    }
}

/// Every example in the OpenAPI document validates against the schema it is an example of, with
/// the document's own components resolving the references.
#[test]
fn openapi_examples_validate_against_their_schemas() {
    let document = openapi::document();
    let components = document["components"]["schemas"].clone();
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        let operation = &item["post"];
        let mut media = vec![(
            "request".to_owned(),
            &operation["requestBody"]["content"]["application/json"],
        )];
        for (status, response) in operation["responses"].as_object().unwrap() {
            media.push((status.clone(), &response["content"]["application/json"]));
        }
        for (what, media) in media {
            let mut schema = media["schema"].clone();
            schema["components"] = json!({ "schemas": components });
            let validator = jsonschema::validator_for(&schema).unwrap();
            for (name, example) in media["examples"].as_object().unwrap() {
                let errors: Vec<String> = validator
                    .iter_errors(&example["value"])
                    .map(|e| e.to_string())
                    .collect();
                assert!(
                    errors.is_empty(),
                    "{path} {what} example {name}: {errors:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 25, "only {checked} examples checked");
}

#[test]
fn openapi_names_both_routes_both_schemes_and_every_status() {
    let document = openapi::document();
    assert_eq!(document["openapi"], "3.1.0");
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(
        schemes["oauthBearer"],
        json!({"type": "http", "scheme": "bearer", "description": schemes["oauthBearer"]["description"]})
    );
    assert_eq!(schemes["apiKey"]["name"], "x-ins-auth-key");
    for path in ["/api/wa/v2/statistics/campaign", "/v1/statistics/campaign"] {
        let responses = document["paths"][path]["post"]["responses"]
            .as_object()
            .unwrap();
        let statuses: Vec<&str> = responses.keys().map(String::as_str).collect();
        assert_eq!(
            statuses,
            ["200", "400", "401", "403", "405", "422", "429"],
            "{path}"
        );
        assert!(
            responses["429"]["headers"]["Retry-After"]["required"]
                .as_bool()
                .unwrap()
        );
        assert!(responses["405"]["headers"]["Allow"].is_object());
    }
    let v2 = &document["paths"]["/api/wa/v2/statistics/campaign"]["post"]["responses"]["401"];
    assert!(v2["headers"]["WWW-Authenticate"].is_object());
    assert!(document["paths"]["/auth/token"]["post"]["responses"]["200"].is_object());
}
