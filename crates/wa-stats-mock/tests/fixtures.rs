//! Fixture files: the example loads and serves; bad files are refused naming the file, the JSON
//! path and the problem; the committed JSON Schema is current.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use wa_stats_mock::fixtures::{self, CampaignFixture, Fixtures};
use wa_stats_mock::{MockError, MockServer};
use wa_stats_model::CampaignStatistics;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example.json")
}

#[tokio::test]
async fn example_file_serves_its_campaigns() {
    let server = MockServer::builder()
        .fixtures_file(example())
        .start()
        .await
        .unwrap();
    let answer = by_key(&server, "INS.acme-key", r#"{"campaign_id":5001}"#).await;
    assert_eq!(answer.status, 200);
    let stats = CampaignStatistics::from_json(answer.body.as_bytes()).unwrap();
    stats.check_sums().unwrap();
    assert_eq!(
        (stats.delivered, stats.drop, stats.undelivered),
        (1350, 12, 13)
    );
    assert_eq!((stats.sent, stats.targeted), (1366, 1378));
    assert!((stats.revenue - 430.15).abs() < 1e-9, "{}", stats.revenue);
    let conversational = by_token(&server, "acme-static-token", r#"{"campaign_id":5002}"#).await;
    let stats = CampaignStatistics::from_json(conversational.body.as_bytes()).unwrap();
    let summary = stats.response_summary.unwrap();
    assert_eq!(
        (summary.sent, summary.open, summary.button_click),
        (200, 150, 40)
    );
    assert_eq!(stats.responses.unwrap()[1].button_name, "No reply");
    assert_eq!(
        by_key(&server, "INS.acme-key", r#"{"campaign_id":5003}"#)
            .await
            .status,
        422
    );
    assert_eq!(
        by_key(&server, "INS.dormant-key", r#"{"campaign_id":5001}"#)
            .await
            .status,
        403
    );
    // The built-in data is not there.
    assert_eq!(
        by_key(&server, DEMO_KEY, r#"{"campaign_id":12345}"#)
            .await
            .status,
        401
    );
}

fn refused(json: &str) -> (String, String, String) {
    let dir = std::env::temp_dir().join(format!("wa-stats-mock-fixture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!(
        "bad-{:x}.json",
        json.len() * 31 + json.bytes().map(usize::from).sum::<usize>()
    ));
    std::fs::write(&file, json).unwrap();
    let error = MockServer::builder()
        .fixtures_file(&file)
        .into_state()
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains(&file.display().to_string()), "{message}");
    match error {
        MockError::Fixture { path, message, .. } => (path, message, file.display().to_string()),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn format_errors_name_the_json_path() {
    let (path, message, _) = refused(r#"{"partners":[{"name":"a","apiKey":["k"]}]}"#);
    assert_eq!(path, "partners[0].apiKey");
    assert!(message.contains("unknown field `apiKey`"), "{message}");
    let (path, message, _) = refused(
        r#"{"partners":[],"campaigns":[{"id":1,"owner":"a","days":[{"date":"2024-01-01","open":"many"}]}]}"#,
    );
    assert_eq!(path, "campaigns[0].days[0].open");
    assert!(
        message.starts_with("expected a whole number (0 or more), found the string \"many\""),
        "{message}"
    );
    let (path, _, _) = refused(r#"{"campaigns":[{"id":1,"owner":"a","kind":"sms"}]}"#);
    assert_eq!(path, "campaigns[0].kind");
    let (path, _, _) = refused("{");
    assert_eq!(path, "(top level)");
}

/// The reason names come from the model, whose wire type keeps unknown reasons; a fixture must
/// refuse them instead, naming the key, so that a typo never becomes a silent zero.
#[test]
fn unknown_reasons_in_a_day_are_refused_naming_the_key() {
    let day = |details: &str| {
        format!(
            r#"{{"partners":[],"campaigns":[{{"id":1,"owner":"a","days":[{{"date":"2024-01-01","open":1}},{{"date":"2024-01-02",{details}}}]}}]}}"#
        )
    };
    let cases = [
        (
            r#""dropDetails":{"frequencyCapped":1,"frequencyCaped":4}"#,
            "campaigns[0].days[1].dropDetails.frequencyCaped",
            "unknown field `frequencyCaped`, expected one of `accountIntegrationErrors`",
        ),
        (
            r#""undeliveredDetails":{"metaError":2}"#,
            "campaigns[0].days[1].undeliveredDetails.metaError",
            "unknown field `metaError`, expected one of `accountVerificationErrors`",
        ),
        (
            // A drop reason is not an undelivered reason.
            r#""undeliveredDetails":{"duplicates":2}"#,
            "campaigns[0].days[1].undeliveredDetails.duplicates",
            "unknown field `duplicates`",
        ),
        (
            r#""dropDetails":{"duplicates":1,"duplicates":2}"#,
            "campaigns[0].days[1].dropDetails.duplicates",
            "duplicate field `duplicates`",
        ),
        (
            r#""dropDetails":{"duplicates":-1}"#,
            "campaigns[0].days[1].dropDetails.duplicates",
            "expected a whole number (0 or more), found -1",
        ),
        (
            r#""undeliveredDetails":[1]"#,
            "campaigns[0].days[1].undeliveredDetails",
            "expected an object of undelivered reasons",
        ),
    ];
    for (details, expected_path, expected_message) in cases {
        let (path, message, _) = refused(&day(details));
        assert_eq!(path, expected_path, "{details}");
        assert!(message.contains(expected_message), "{message}");
    }
    // `PUT /__admin/campaigns/{id}` reads a campaign from a `serde_json::Value`: same refusal.
    let campaign = serde_json::json!({"id": 1, "owner": "a",
        "days": [{"date": "2024-01-01", "dropDetails": {"frequencyCaped": 4}}]});
    let error = serde_path_to_error::deserialize::<_, CampaignFixture>(campaign).unwrap_err();
    assert_eq!(
        error.path().to_string(),
        "days[0].dropDetails.frequencyCaped"
    );
    assert!(
        error
            .inner()
            .to_string()
            .contains("unknown field `frequencyCaped`")
    );
}

/// The schema of a day's reasons is the model's (same names, same descriptions), closed.
#[test]
fn reason_schemas_are_the_models_closed() {
    let fixture = fixtures::schema().to_value();
    for (name, model) in [
        (
            "DropFixture",
            schemars::schema_for!(wa_stats_model::DropDetails),
        ),
        (
            "UndeliveredFixture",
            schemars::schema_for!(wa_stats_model::UndeliveredDetails),
        ),
    ] {
        let closed = &fixture["$defs"][name];
        assert_eq!(closed["additionalProperties"], false, "{name}");
        assert_eq!(
            closed["properties"],
            model.to_value()["properties"],
            "{name}"
        );
    }
}

#[test]
fn semantic_errors_name_the_json_path() {
    let partner = r#"{"name":"a","apiKeys":["k"]}"#;
    let cases = [
        (
            format!(r#"{{"partners":[{partner}],"campaigns":[{{"id":1,"owner":"b"}}]}}"#),
            "campaigns[0].owner",
            "unknown partner",
        ),
        (
            format!(
                r#"{{"partners":[{partner}],"campaigns":[{{"id":1,"owner":"a"}},{{"id":1,"owner":"a"}}]}}"#
            ),
            "campaigns[1].id",
            "duplicate campaign",
        ),
        (
            format!(
                r#"{{"partners":[{partner}],"campaigns":[{{"id":1,"owner":"a","days":[{{"date":"2024-02-30"}}]}}]}}"#
            ),
            "campaigns[0].days[0].date",
            "calendar date",
        ),
        (
            format!(
                r#"{{"partners":[{partner}],"campaigns":[{{"id":1,"owner":"a","days":[{{"date":"01/02/2024"}}]}}]}}"#
            ),
            "campaigns[0].days[0].date",
            "YYYY-MM-DD",
        ),
        (
            format!(
                r#"{{"partners":[{partner}],"campaigns":[{{"id":1,"owner":"a","days":[{{"date":"2024-01-01"}},{{"date":"2024-01-01"}}]}}]}}"#
            ),
            "campaigns[0].days[1].date",
            "duplicate day",
        ),
        (
            format!(
                r#"{{"partners":[{partner}],"campaigns":[{{"id":1,"owner":"a","days":[{{"date":"2024-01-01","revenue":0.001}}]}}]}}"#
            ),
            "campaigns[0].days[0].revenue",
            "2 decimal",
        ),
        (
            r#"{"partners":[{"name":"a","apiKeys":["k"]},{"name":"b","tokens":["k"]}]}"#.to_owned(),
            "partners[1].tokens[0]",
            "partners[0].apiKeys[0]",
        ),
        (
            r#"{"partners":[{"name":"a"},{"name":"a"}]}"#.to_owned(),
            "partners[1].name",
            "duplicate partner",
        ),
        (
            format!(
                r#"{{"partners":[{partner}],"campaigns":[{{"id":1,"owner":"a","days":[{{"date":"2024-01-01","buttonClick":3}}]}}]}}"#
            ),
            "campaigns[0].days[0]",
            "conversational",
        ),
    ];
    for (json, expected_path, expected_message) in cases {
        let (path, message, _) = refused(&json);
        assert_eq!(path, expected_path, "{json}");
        assert!(message.contains(expected_message), "{message}");
        // A credential value is never quoted back.
        assert!(!message.contains("\"k\""), "{message}");
    }
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let error = fixtures::from_file("/nonexistent/fixtures.json").unwrap_err();
    assert!(matches!(error, MockError::FixtureIo { .. }));
    assert!(error.to_string().contains("/nonexistent/fixtures.json"));
}

#[test]
fn builtin_fixtures_round_trip_through_json() {
    let builtin = Fixtures::builtin();
    let json = serde_json::to_string(&builtin).unwrap();
    let back = fixtures::from_json(&json, "<builtin>").unwrap();
    assert_eq!(back, builtin);
    fixtures::check(&back, "<builtin>").unwrap();
}

/// The committed schema (written by `cargo xtask schemas`, which also checks it) says what the
/// types say. Compared as JSON values, so key order (which depends on serde_json's features in a
/// given build) does not matter.
#[test]
fn committed_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/fixtures.schema.json");
    let mut committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // The generated-file stamp is the only thing the types do not say.
    committed.as_object_mut().unwrap().remove("$comment");
    assert!(
        committed == fixtures::schema().to_value(),
        "{} is stale: run `cargo xtask schemas` and commit it",
        path.display()
    );
    // The example file is valid against it too (by construction: it loads).
    fixtures::check(&fixtures::from_file(example()).unwrap(), "example.json").unwrap();
}

/// docs/mock.md says a day can be copied from a real answer: every real answer holds `sent`,
/// `drop`, `targeted` and `undelivered`, so a day takes them, and they must agree with the leaves.
#[tokio::test]
async fn a_whole_real_answer_is_accepted_as_a_day() {
    let mut day: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    day["date"] = "2024-03-01".into();
    let json = format!(
        r#"{{"partners":[{{"name":"p","apiKeys":["INS.p"]}}],"campaigns":[{{"id":5,"owner":"p","days":[{day}]}}]}}"#
    );
    let fixtures = fixtures::from_json(&json, "copied.json").unwrap();
    let server = MockServer::builder()
        .fixtures(fixtures)
        .start()
        .await
        .unwrap();
    let answer = by_key(&server, "INS.p", r#"{"campaign_id":5}"#).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, SAMPLE));
}

#[test]
fn a_derived_counter_that_disagrees_names_the_failing_sum() {
    let cases = [
        (
            r#""sent":1201"#,
            "sent",
            "delivered + undelivered + deliveryPending",
        ),
        (r#""drop":26"#, "drop", "dropDetails"),
        (r#""undelivered":49"#, "undelivered", "undeliveredDetails"),
        (r#""targeted":1"#, "targeted", "sent + drop"),
    ];
    for (field, counter, rule) in cases {
        let mut day: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        let (name, value) = field.split_once(':').unwrap();
        day[name.trim_matches('"')] = serde_json::from_str(value).unwrap();
        day["date"] = "2024-03-01".into();
        let (path, message, _) = refused(&format!(
            r#"{{"partners":[{{"name":"p","apiKeys":["INS.p"]}}],"campaigns":[{{"id":5,"owner":"p","days":[{day}]}}]}}"#
        ));
        assert_eq!(path, format!("campaigns[0].days[0].{counter}"), "{field}");
        assert!(message.contains(rule), "{field}: {message}");
    }
}

#[test]
fn messages_speak_json_not_rust() {
    let (path, message, _) = refused(
        r#"{"partners":[],"campaigns":[{"id":1,"owner":"a","days":[{"date":"2024-01-01","open":-120}]}]}"#,
    );
    assert_eq!(path, "campaigns[0].days[0].open");
    assert!(
        message.starts_with("expected a whole number (0 or more), found -120"),
        "{message}"
    );
    for rust in [
        "u64",
        "u32",
        "f64",
        "struct ",
        "invalid value",
        "invalid type",
    ] {
        assert!(!message.contains(rust), "{rust} in {message}");
    }
    let (_, message, _) = refused(r#"{"partners":{}}"#);
    assert!(
        message.starts_with("expected an array, found an object"),
        "{message}"
    );
    // Fixtures built in code have no file: the message says so instead of naming one.
    let mut bad = Fixtures::builtin();
    bad.campaigns[0].days[0].date = "2024-02-30".to_owned();
    let error = MockServer::builder()
        .fixtures(bad)
        .into_state()
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("fixtures given in code: at campaigns[0]"),
        "{text}"
    );
    assert!(
        !text.contains("<fixtures>") && !text.contains("fixture file"),
        "{text}"
    );
}
