//! `--format fixture` (with `--by day`): the campaigns' days as a `wa-stats-mock` fixture file,
//! so that `wa-stats-mock --fixtures FILE` answers the same numbers for every day and every range
//! of whole days inside the recorded range.
//!
//! The file follows the mock's fixture format (crates/wa-stats-mock/schemas/fixtures.schema.json;
//! the e2e tests validate every file written against it and replay it in a second mock). It is
//! written here as plain JSON rather than with the mock's types, so that the command does not
//! link an HTTP server. One partner, `recorded`, owns every campaign, with the placeholder
//! credentials below: the credential used to record never goes into the file.
//!
//! Only leaf counters are written (the mock derives `sent`, `drop`, `undelivered`, `targeted`);
//! days with every counter 0 are left out (the mock answers 0 for them anyway); drop or
//! undelivered reasons this version does not know are left out, because the mock would refuse
//! them. A campaign that answered 422 on every day is written as `not_whatsapp`; one with any
//! other failed day is left out, and the run exits 1 as for any failure.

use std::io::{self, Write};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Map, Value, json};
use wa_stats_client::CampaignStatistics;
use wa_stats_model::ApiErrorKind;

use super::Render;
use crate::fetch::Results;

/// The partner that owns every recorded campaign.
pub(crate) const PARTNER: &str = "recorded";
/// Placeholder bearer token of the partner.
pub(crate) const PLACEHOLDER_TOKEN: &str = "recorded-token";
/// Placeholder API key of the partner.
pub(crate) const PLACEHOLDER_API_KEY: &str = "INS.recorded-key";
/// Placeholder OAuth client id and secret of the partner.
pub(crate) const PLACEHOLDER_CLIENT: (&str, &str) = ("recorded-client", "recorded-secret");

/// The fixture renderer: collects every campaign, writes the file at the end.
#[derive(Default)]
pub(crate) struct Fixture {
    campaigns: Vec<Value>,
}

impl Render for Fixture {
    fn begin(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn campaign(
        &mut self,
        _out: &mut dyn Write,
        campaign_id: i64,
        results: &Results,
    ) -> io::Result<()> {
        if let Some(campaign) = campaign(campaign_id, results) {
            self.campaigns.push(campaign);
        }
        Ok(())
    }

    fn end(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let (client_id, client_secret) = PLACEHOLDER_CLIENT;
        let file = json!({
            "partners": [{
                "name": PARTNER,
                "tokens": [PLACEHOLDER_TOKEN],
                "apiKeys": [PLACEHOLDER_API_KEY],
                "oauthClients": [{"id": client_id, "secret": client_secret}],
            }],
            "campaigns": self.campaigns,
        });
        serde_json::to_writer_pretty(&mut *out, &file)?;
        out.write_all(b"\n")
    }
}

/// One campaign of the file, or `None` when a day failed for another reason than 422.
fn campaign(campaign_id: i64, results: &Results) -> Option<Value> {
    let not_whatsapp = |outcome: &crate::fetch::Outcome| {
        matches!(outcome, Err(error) if matches!(
            error.api_error().map(|api| &api.kind),
            Some(ApiErrorKind::NotAWhatsAppCampaign { .. })
        ))
    };
    if !results.is_empty() && results.iter().all(|(_, outcome)| not_whatsapp(outcome)) {
        return Some(json!({"id": campaign_id, "owner": PARTNER, "kind": "not_whatsapp"}));
    }
    let mut cards: Vec<Value> = Vec::new();
    let mut days = Vec::new();
    let mut conversational = false;
    for (bucket, outcome) in results {
        let (Some(bucket), Ok(stats)) = (bucket, outcome) else {
            return None;
        };
        if let Some(responses) = &stats.responses {
            conversational = true;
            for card in responses {
                if !cards.iter().any(|c| c["cardId"] == card.card_id) {
                    cards.push(json!({
                        "cardId": card.card_id,
                        "buttonName": card.button_name,
                        "isNoReplyMessage": card.is_no_reply_message,
                    }));
                }
            }
        }
        if let Some(day) = day(bucket.start, stats) {
            days.push(day);
        }
    }
    let mut campaign = json!({
        "id": campaign_id,
        "owner": PARTNER,
        "kind": if conversational { "conversational" } else { "whatsapp" },
    });
    if conversational {
        campaign["cards"] = Value::Array(cards);
    }
    campaign["days"] = Value::Array(days);
    Some(campaign)
}

/// The day starting at `start`, or `None` when every counter is 0.
fn day(start: i64, stats: &CampaignStatistics) -> Option<Value> {
    let date = Timestamp::from_second(start)
        .ok()?
        .to_zoned(TimeZone::UTC)
        .date()
        .to_string();
    let mut day = Map::new();
    let mut counters = |name: &str, value: Value| {
        if value != json!(0) && value != json!(0.0) && value != json!({}) && value != json!([]) {
            day.insert(name.to_owned(), value);
        }
    };
    counters("delivered", stats.delivered.into());
    counters("deliveryPending", stats.delivery_pending.into());
    counters("open", stats.open.into());
    counters("click", stats.click.into());
    counters("conversion", stats.conversion.into());
    counters("revenue", stats.revenue.into());
    counters("unsubscribe", stats.unsubscribe.into());
    counters("dropDetails", known_nonzero(stats.drop_details.as_ref()));
    counters(
        "undeliveredDetails",
        known_nonzero(stats.undelivered_details.as_ref()),
    );
    if let Some(summary) = &stats.response_summary {
        counters("buttonClick", summary.button_click.into());
    }
    if let Some(responses) = &stats.responses {
        let rows: Vec<Value> = responses
            .iter()
            .filter(|card| {
                card.sent + card.delivered + card.open + card.click + card.conversion > 0
                    || card.revenue > 0.0
            })
            .map(|card| {
                json!({
                    "cardId": card.card_id,
                    "sent": card.sent,
                    "delivered": card.delivered,
                    "open": card.open,
                    "click": card.click,
                    "conversion": card.conversion,
                    "revenue": card.revenue,
                })
            })
            .collect();
        counters("responses", Value::Array(rows));
    }
    if day.is_empty() {
        return None;
    }
    let mut with_date = Map::new();
    with_date.insert("date".to_owned(), date.into());
    with_date.extend(day);
    Some(Value::Object(with_date))
}

/// The reasons the model knows, without the zeros: `{}` when there are none.
fn known_nonzero<T: serde::Serialize + Clone + HasExtra>(details: Option<&T>) -> Value {
    let Some(details) = details else {
        return json!({});
    };
    let mut details = details.clone();
    details.clear_extra();
    match serde_json::to_value(&details) {
        Ok(Value::Object(reasons)) => Value::Object(
            reasons
                .into_iter()
                .filter(|(_, count)| *count != json!(0))
                .collect(),
        ),
        _ => json!({}),
    }
}

/// The reasons objects keep unknown reasons in `extra`, which a fixture cannot hold.
trait HasExtra {
    fn clear_extra(&mut self);
}

impl HasExtra for wa_stats_model::DropDetails {
    fn clear_extra(&mut self) {
        self.extra.clear();
    }
}

impl HasExtra for wa_stats_model::UndeliveredDetails {
    fn clear_extra(&mut self) {
        self.extra.clear();
    }
}
