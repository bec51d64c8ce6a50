//! The live cases of `bindings/examples.json`: requests to the mock's built-in data (R13) and
//! what each answers, which the bindings' tests send to a running mock.

use serde_json::{Value, json};
use wa_stats_fixture::{CampaignKind, Fixtures, PartnerFixture};
use wa_stats_model::endpoint::{API_KEY_HEADER, API_KEY_STATISTICS_PATH, OAUTH_STATISTICS_PATH};

use super::examples::{outcome, success};

fn partner<'a>(fixtures: &'a Fixtures, name: &str) -> Option<&'a PartnerFixture> {
    fixtures
        .partners
        .iter()
        .find(|partner| partner.name == name)
}

fn bearer(partner: Option<&PartnerFixture>) -> Value {
    let token = partner
        .and_then(|partner| partner.tokens.first())
        .map_or("", |token| token.expose());
    json!({"authorization": format!("Bearer {token}")})
}

/// A request and what it answers (an [`outcome`]).
fn live_case(name: &str, headers: Value, body: &str, outcome: &Value) -> Value {
    json!({
        "name": name,
        "method": "POST",
        "path": OAUTH_STATISTICS_PATH,
        "headers": headers,
        "body": body,
        "status": outcome["status"],
        "type": outcome["type"],
        "kind": outcome["kind"],
    })
}

/// Requests to the mock's built-in data (R13) and what each answers: every campaign on both
/// routes, and each error the mock can give without a fault script.
pub(super) fn live() -> Vec<Value> {
    let fixtures = Fixtures::builtin();
    let mut cases = Vec::new();
    for campaign in &fixtures.campaigns {
        let owner = partner(&fixtures, &campaign.owner);
        let body = format!(r#"{{"campaign_id":{}}}"#, campaign.id);
        let answer = match campaign.kind {
            CampaignKind::NotWhatsapp => outcome("not_a_whatsapp_campaign"),
            _ => success(),
        };
        cases.push(live_case(
            &format!("campaign {} (bearer)", campaign.id),
            bearer(owner),
            &body,
            &answer,
        ));
        let key = owner
            .and_then(|partner| partner.api_keys.first())
            .map_or("", |key| key.expose());
        let mut by_key = live_case(
            &format!("campaign {} (API key)", campaign.id),
            json!({API_KEY_HEADER: key}),
            &body,
            &answer,
        );
        by_key["path"] = Value::from(API_KEY_STATISTICS_PATH);
        cases.push(by_key);
        if campaign.owner != "demo" {
            cases.push(live_case(
                &format!("campaign {} of another partner", campaign.id),
                bearer(partner(&fixtures, "demo")),
                &body,
                &outcome("campaign_not_found"),
            ));
        }
    }
    let demo = bearer(partner(&fixtures, "demo"));
    cases.push(live_case(
        "unknown campaign",
        demo.clone(),
        r#"{"campaign_id":99999}"#,
        &outcome("campaign_not_found"),
    ));
    cases.push(live_case(
        "unparsable body",
        demo.clone(),
        r#"{"campaign_id":"12345"}"#,
        &outcome("parse_failed"),
    ));
    cases.push(live_case(
        "invalid body",
        demo.clone(),
        r#"{"campaign_id":12345,"start_time":1700000000000}"#,
        &outcome("validation_failed"),
    ));
    cases.push(live_case(
        "inactive product",
        bearer(partner(&fixtures, "inactive")),
        r#"{"campaign_id":12345}"#,
        &outcome("product_not_active"),
    ));
    cases.push(live_case(
        "no credential",
        json!({}),
        r#"{"campaign_id":12345}"#,
        &outcome("unauthorized"),
    ));
    let mut get = live_case(
        "GET instead of POST",
        demo,
        "",
        &outcome("method_not_allowed"),
    );
    get["method"] = Value::from("GET");
    cases.push(get);
    cases
}

/// The case sent to a mock with a rate limit of 1 per second until it answers 429.
pub(super) fn live_rate_limited() -> Value {
    let fixtures = Fixtures::builtin();
    live_case(
        "over the rate limit",
        bearer(partner(&fixtures, "demo")),
        r#"{"campaign_id":12345}"#,
        &outcome("rate_limited"),
    )
}
