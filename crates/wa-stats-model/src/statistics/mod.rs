//! The success body (R10): counters for one campaign over the requested range.
//!
//! Reading accepts both the flat shape of the vendor page's "Sample Response" and the
//! `{"data":{"statistics":{…}}}` envelope of its "200 OK" example; writing always produces the flat
//! shape. Fields this crate does not know are kept at every level and written back out.

pub mod counters;
mod details;
mod read;
mod sums;
mod template;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub use counters::{COUNTER_COUNT, COUNTERS, Counter, Group, Role};
pub use details::{DropDetails, ResponseCard, ResponseSummary, UndeliveredDetails};
pub use sums::{SumMismatch, SumRule};

/// Statistics for one campaign: what the statistics routes answer with status 200.
///
/// Every counter is a non-negative integer and reads as 0 when a body leaves it out.
///
/// ```
/// use wa_stats_model::CampaignStatistics;
/// let stats: CampaignStatistics =
///     serde_json::from_str(r#"{"data":{"statistics":{"sent":42,"delivered":41,"read":30}}}"#).unwrap();
/// assert_eq!((stats.sent, stats.delivered, stats.open), (42, 41, 30));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
#[schemars(
    title = "CampaignStatistics",
    description = "Statistics for one WhatsApp campaign over the requested range. Counters that are \
                   absent read as 0. Readers also accept the envelope {\"data\":{\"statistics\":{...}}}, \
                   in which `read` stands for `open`. Unknown fields may appear and must be kept."
)]
pub struct CampaignStatistics {
    /// Messages handed to WhatsApp for delivery: `delivered + undelivered + deliveryPending`.
    pub sent: u64,
    /// Messages WhatsApp reported as delivered to the recipient's device.
    pub delivered: u64,
    /// Delivered messages the recipient opened, as measured by WhatsApp read receipts (called
    /// `read` in the enveloped form).
    pub open: u64,
    /// Clicks on links or buttons in the campaign's messages.
    pub click: u64,
    /// Conversions attributed to the campaign.
    pub conversion: u64,
    /// Revenue attributed to the campaign's conversions, in the partner's currency; may be
    /// fractional.
    #[serde(serialize_with = "write_number")]
    pub revenue: f64,
    /// Recipients dropped before sending, for the reasons in `dropDetails`.
    pub drop: u64,
    /// Recipients the campaign targeted: `sent + drop`.
    pub targeted: u64,
    /// Recipients who unsubscribed in response to the campaign.
    pub unsubscribe: u64,
    /// Sent messages that WhatsApp failed to deliver, for the reasons in `undeliveredDetails`.
    pub undelivered: u64,
    /// Sent messages with no delivery report yet.
    pub delivery_pending: u64,
    /// Why recipients were dropped; the reasons add up to `drop`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_details: Option<DropDetails>,
    /// Why sent messages were not delivered; the reasons add up to `undelivered`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undelivered_details: Option<UndeliveredDetails>,
    /// Conversational campaigns only: statistics for each card or button of the conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responses: Option<Vec<ResponseCard>>,
    /// Conversational campaigns only: totals over the conversation's responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_summary: Option<ResponseSummary>,
    /// Fields this version does not know, kept as they came so that nothing is lost.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl CampaignStatistics {
    /// Reads a success body in either accepted shape.
    pub fn from_json(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// The canonical flat body, compact.
    pub fn to_json(&self) -> String {
        let mut body = Vec::with_capacity(1024);
        self.write_json(&mut body);
        // serde_json writes UTF-8 only, so this cannot fail.
        String::from_utf8(body).unwrap_or_default()
    }

    /// Appends the canonical flat body to `out`: the same bytes as [`Self::to_json`] and as
    /// `serde_json`, several times faster for bodies without cards or unknown fields.
    ///
    /// ```
    /// use wa_stats_model::CampaignStatistics;
    /// let mut stats = CampaignStatistics::default();
    /// stats.sent = 3;
    /// let mut body = Vec::new();
    /// stats.write_json(&mut body);
    /// assert_eq!(body, serde_json::to_vec(&stats).unwrap());
    /// ```
    pub fn write_json(&self, out: &mut Vec<u8>) {
        template::write(self, out);
    }

    /// Checks the four sums every complete body obeys (R10), and names the first that fails.
    /// A sum over a detail object is skipped when the object is absent.
    pub fn check_sums(&self) -> Result<(), SumMismatch> {
        sums::check(self)
    }

    /// Sets every derived counter (`drop`, `undelivered`, `sent`, `targeted`: those an R10 sum
    /// defines) from its terms, leaves first, saturating at `u64::MAX`. A sum over an absent
    /// detail object is left alone.
    ///
    /// ```
    /// use wa_stats_model::CampaignStatistics;
    /// let mut stats = CampaignStatistics::default();
    /// (stats.delivered, stats.delivery_pending) = (5, 2);
    /// stats.derive_sums();
    /// assert_eq!((stats.sent, stats.targeted), (7, 7));
    /// ```
    pub fn derive_sums(&mut self) {
        let _ = self.derive_sums_keeping(|_| false);
    }

    /// [`Self::derive_sums`], except that each derived counter `given` names keeps its value and
    /// must equal its terms' sum. The first that does not, from the leaves up (so that the counter
    /// named is the one that is wrong, not one built on it), is the error.
    pub fn derive_sums_keeping(
        &mut self,
        given: impl Fn(&Counter) -> bool,
    ) -> Result<(), SumMismatch> {
        let mut values = self.counter_values();
        let result = sums::derive_values(
            &mut values,
            Group::present(self),
            counters::builtin_derivations(),
            |at| given(&COUNTERS[at]),
        );
        self.set_counter_values(&values);
        result
    }

    /// Every counter's value, in [`COUNTERS`]' order; 0 for those whose object is absent. With
    /// [`Self::set_counter_values`], for code that keeps one column per counter (the mock's
    /// store) and wants them without a call per counter.
    pub fn counter_values(&self) -> [u64; COUNTER_COUNT] {
        counters::read_all(self)
    }

    /// Sets every counter from `values`, in [`COUNTERS`]' order, except those whose object is
    /// absent (create the objects first to set theirs).
    pub fn set_counter_values(&mut self, values: &[u64; COUNTER_COUNT]) {
        counters::write_all(self, values);
    }
}

/// Writes a float as an integer when it is one, so that `"revenue": 0` reads and writes back as
/// `0`, not `0.0`.
pub(crate) fn write_number<S: serde::Serializer>(
    value: &f64,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    if value.fract() == 0.0
        && value.abs() < EXACT_INTEGER_LIMIT
        && !(*value == 0.0 && value.is_sign_negative())
    {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "within ±2^53 the conversion is exact"
        )]
        return serializer.serialize_i64(*value as i64);
    }
    serializer.serialize_f64(*value)
}
