//! The request body of both statistics routes: a campaign ID and an optional date range.

use std::ops::Range;
use std::time::{SystemTime, UNIX_EPOCH};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Body of `POST /api/wa/v2/statistics/campaign` and `POST /v1/statistics/campaign`.
///
/// The fields are the upstream's Go `int64`s, so the type can hold every request that parses,
/// including ones that fail validation (a zero or negative ID, a millisecond timestamp): run
/// [`validate`](crate::validate) to find out whether the server would accept it.
///
/// ```
/// use wa_stats_model::CampaignStatisticsRequest;
/// let request = CampaignStatisticsRequest::new(12345).range(1_700_000_000..1_700_086_400);
/// assert_eq!(
///     serde_json::to_string(&request).unwrap(),
///     r#"{"campaign_id":12345,"start_time":1700000000,"end_time":1700086400}"#
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
#[schemars(
    title = "CampaignStatisticsRequest",
    description = "Statistics for one WhatsApp campaign. Without a date range the campaign's whole \
                   lifetime is returned. Unknown fields are ignored; `null` or 0 counts as absent."
)]
pub struct CampaignStatisticsRequest {
    /// The Insider campaign ID. Must be greater than 0.
    #[schemars(range(min = 1, max = 9_223_372_036_854_775_807_i64))]
    pub campaign_id: i64,
    /// Start of the date range as a 10-digit Unix timestamp in seconds (inclusive). When absent,
    /// 0 or `null`, the range starts at 2018-01-01T00:00:00Z (1514764800).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::schema::optional_unix_seconds")]
    pub start_time: Option<i64>,
    /// End of the date range as a 10-digit Unix timestamp in seconds (exclusive). When absent, 0
    /// or `null`, the range ends at the current time. Must be greater than `start_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::schema::optional_unix_seconds")]
    pub end_time: Option<i64>,
}

impl CampaignStatisticsRequest {
    /// Statistics for the whole lifetime of `campaign_id`.
    pub const fn new(campaign_id: i64) -> Self {
        Self {
            campaign_id,
            start_time: None,
            end_time: None,
        }
    }

    /// Restricts the answer to `[range.start, range.end)`, in Unix seconds.
    #[must_use]
    pub const fn range(mut self, range: Range<i64>) -> Self {
        self.start_time = Some(range.start);
        self.end_time = Some(range.end);
        self
    }

    /// Sets the start of the range in Unix seconds (inclusive).
    #[must_use]
    pub const fn start_time(mut self, unix_seconds: i64) -> Self {
        self.start_time = Some(unix_seconds);
        self
    }

    /// Sets the end of the range in Unix seconds (exclusive).
    #[must_use]
    pub const fn end_time(mut self, unix_seconds: i64) -> Self {
        self.end_time = Some(unix_seconds);
        self
    }

    /// Sets the start of the range from a [`SystemTime`], truncated to whole seconds.
    #[must_use]
    pub fn start_at(self, time: SystemTime) -> Self {
        self.start_time(unix_seconds(time))
    }

    /// Sets the end of the range from a [`SystemTime`], truncated to whole seconds.
    #[must_use]
    pub fn end_at(self, time: SystemTime) -> Self {
        self.end_time(unix_seconds(time))
    }

    /// Restricts the answer to `[range.start, range.end)` given as [`SystemTime`]s.
    #[must_use]
    pub fn between(self, range: Range<SystemTime>) -> Self {
        self.start_at(range.start).end_at(range.end)
    }

    /// The body exactly as it goes on the wire: compact JSON, absent times omitted.
    pub fn to_json(&self) -> String {
        // Three integer fields cannot fail to serialise.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Whole Unix seconds of `time`, rounded towards the past (so a time before 1970 that is not on a
/// whole second gives the second before it, as the wire's integer seconds would).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use wa_stats_model::request::unix_seconds;
/// assert_eq!(unix_seconds(UNIX_EPOCH + Duration::from_millis(1_700_000_000_999)), 1_700_000_000);
/// ```
pub fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            let partial = i64::from(before.subsec_nanos() > 0);
            whole.saturating_add(partial).saturating_neg()
        }
    }
}
