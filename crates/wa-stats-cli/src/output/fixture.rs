//! `--format fixture` (with `--by day`): the campaigns' days as a `wa-stats-mock` fixture file,
//! so that `wa-stats-mock --fixtures FILE` answers the same numbers for every day and every range
//! of whole days inside the recorded range.
//!
//! The file is the mock's fixture format, written with its own types (`wa-stats-fixture`, which
//! links no server; the e2e tests validate every file written against
//! crates/wa-stats-mock/schemas/fixtures.schema.json and replay it in a second mock). One partner,
//! `recorded`, owns every campaign, with the placeholder credentials below: the credential used
//! to record never goes into the file.
//!
//! Only leaf counters are written (the mock derives `sent`, `drop`, `undelivered`, `targeted`);
//! days with every counter 0 are left out (the mock answers 0 for them anyway); drop or
//! undelivered reasons this version does not know are left out, because the mock would refuse
//! them. A campaign that answered 422 on every day is written as `not_whatsapp`; one with any
//! other failed day is left out, and the run exits 1 as for any failure.

use std::io::{self, Write};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use wa_stats_fixture::{
    CampaignFixture, CampaignKind, CardDayFixture, CardFixture, DayFixture, Fixtures,
    OAuthClientFixture, PartnerFixture,
};
use wa_stats_model::ApiErrorKind;
use wa_stats_model::CampaignStatistics;

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
    campaigns: Vec<CampaignFixture>,
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
        let mut partner = PartnerFixture::new(PARTNER);
        partner.tokens.push(PLACEHOLDER_TOKEN.into());
        partner.api_keys.push(PLACEHOLDER_API_KEY.into());
        partner
            .oauth_clients
            .push(OAuthClientFixture::new(client_id, client_secret));
        let mut file = Fixtures::default();
        file.partners.push(partner);
        file.campaigns = std::mem::take(&mut self.campaigns);
        serde_json::to_writer_pretty(&mut *out, &file)?;
        out.write_all(b"\n")
    }
}

/// One campaign of the file, or `None` when a day failed for another reason than 422.
fn campaign(campaign_id: i64, results: &Results) -> Option<CampaignFixture> {
    // Campaign IDs are checked to be positive before anything is fetched.
    let id = u64::try_from(campaign_id).ok()?;
    let not_whatsapp = |outcome: &crate::fetch::Outcome| {
        matches!(outcome, Err(error) if matches!(
            error.api_error().map(|api| &api.kind),
            Some(ApiErrorKind::NotAWhatsAppCampaign { .. })
        ))
    };
    if !results.is_empty() && results.iter().all(|(_, outcome)| not_whatsapp(outcome)) {
        return Some(CampaignFixture::new(id, PARTNER).kind(CampaignKind::NotWhatsapp));
    }
    let mut campaign = CampaignFixture::new(id, PARTNER);
    for (bucket, outcome) in results {
        let (Some(bucket), Ok(stats)) = (bucket, outcome) else {
            return None;
        };
        if let Some(responses) = &stats.responses {
            campaign = campaign.kind(CampaignKind::Conversational);
            for card in responses {
                if !campaign.cards.iter().any(|c| c.card_id == card.card_id) {
                    let mut fixed = CardFixture::new(card.card_id, card.button_name.clone());
                    fixed.is_no_reply_message = card.is_no_reply_message;
                    campaign = campaign.card(fixed);
                }
            }
        }
        if let Some(day) = day(bucket.start, stats) {
            campaign = campaign.day(day);
        }
    }
    Some(campaign)
}

/// The day starting at `start`, or `None` when every counter is 0.
fn day(start: i64, stats: &CampaignStatistics) -> Option<DayFixture> {
    let date = Timestamp::from_second(start)
        .ok()?
        .to_zoned(TimeZone::UTC)
        .date()
        .to_string();
    // The leaves through the model's counter table; unknown reasons are not taken.
    let mut day = DayFixture::from_statistics(date.clone(), stats);
    if let Some(summary) = &stats.response_summary {
        day.button_click = summary.button_click;
    }
    for card in stats.responses.iter().flatten() {
        let mut row = CardDayFixture::new(card.card_id);
        (row.sent, row.delivered, row.open) = (card.sent, card.delivered, card.open);
        (row.click, row.conversion, row.revenue) = (card.click, card.conversion, card.revenue);
        if row != CardDayFixture::new(card.card_id) {
            day.responses.push(row);
        }
    }
    (day != DayFixture::new(date)).then_some(day)
}
