//! The nested objects of a success body: drop and undelivered reasons, conversational responses.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Why targeted recipients were dropped before sending. The reasons add up to `drop`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct DropDetails {
    /// Recipients skipped because they already received as many messages as the frequency cap allows.
    pub frequency_capped: u64,
    /// Recipients removed because they appeared more than once in the audience.
    pub duplicates: u64,
    /// Recipients whose phone number is not a valid WhatsApp number.
    pub invalid_phone_numbers: u64,
    /// Recipients beyond the daily messaging limit of the sender's WhatsApp Business tier.
    pub tier_limitation: u64,
    /// Recipients not messaged because the message template could not be rendered or was rejected.
    pub template_failures: u64,
    /// Recipients not messaged because Meta paused the template (for example, for low quality).
    pub paused_templates: u64,
    /// Recipients not messaged because of a problem with the recipient, such as an opt-out or block.
    pub recipient_related_errors: u64,
    /// Recipients not messaged because Meta returned a temporary error; a later send may succeed.
    pub meta_temporary_errors: u64,
    /// Recipients not messaged because the WhatsApp Business account integration is misconfigured.
    pub account_integration_errors: u64,
    /// Recipients not messaged because of an error inside Insider's platform.
    pub internal_errors: u64,
    /// Recipients not messaged because a sending rate limit was reached.
    pub rate_limits: u64,
    /// Recipients not messaged because the message would break a WhatsApp or Meta policy.
    pub policy_failures: u64,
    /// Reasons this version does not know, kept as they came.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// Why sent messages were not delivered. The reasons add up to `undelivered`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct UndeliveredDetails {
    /// Messages the recipient's side refused, for example a number no longer on WhatsApp.
    pub recipient_related_errors: u64,
    /// Messages refused because the sender's WhatsApp Business account is not verified.
    pub account_verification_errors: u64,
    /// Messages whose image, video or document could not be fetched or was not accepted.
    pub media_errors: u64,
    /// Messages Meta held back and did not deliver.
    pub held_messages: u64,
    /// Messages not delivered because Meta included the recipient in one of its experiments.
    pub meta_experiment: u64,
    /// Messages Meta failed to deliver because of an error on its side.
    pub meta_errors: u64,
    /// Messages Meta rejected as malformed or not allowed.
    pub invalid_messages: u64,
    /// Messages not delivered because the recipient reached Meta's limit on marketing messages.
    pub meta_recipient_limits_errors: u64,
    /// Messages for which no delivery report arrived in time, counted as undelivered.
    pub delivery_report_missing: u64,
    /// Reasons this version does not know, kept as they came.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// Statistics for one card or button of a conversational campaign.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ResponseCard {
    /// The conversation card this row belongs to.
    pub card_id: u64,
    /// The label of the reply button, as the recipient saw it.
    pub button_name: String,
    /// Messages of this card handed to WhatsApp.
    pub sent: u64,
    /// Messages of this card delivered.
    pub delivered: u64,
    /// Messages of this card opened (read receipts).
    pub open: u64,
    /// Clicks on this card's links or buttons.
    pub click: u64,
    /// Conversions attributed to this card.
    pub conversion: u64,
    /// Revenue attributed to this card; may be fractional.
    #[serde(serialize_with = "super::write_number")]
    pub revenue: f64,
    /// `true` for the message sent when the recipient did not reply at all.
    pub is_no_reply_message: bool,
    /// Fields this version does not know, kept as they came.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// Totals over a conversational campaign's responses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct ResponseSummary {
    /// Messages of the conversation handed to WhatsApp.
    pub sent: u64,
    /// Messages of the conversation opened (read receipts).
    pub open: u64,
    /// Clicks on the conversation's links.
    pub click: u64,
    /// Conversions attributed to the conversation.
    pub conversion: u64,
    /// Clicks on the conversation's reply buttons.
    pub button_click: u64,
    /// Fields this version does not know, kept as they came.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}
