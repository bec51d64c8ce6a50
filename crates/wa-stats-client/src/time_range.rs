//! [`TimeRange`]: the date range of a call or a batch, from Rust range expressions.

use std::ops::{Range, RangeFrom, RangeFull, RangeTo};
use std::time::SystemTime;

use wa_stats_model::CampaignStatisticsRequest;
use wa_stats_model::request::unix_seconds;

/// A date range in Unix seconds, half-open: `[start, end)`. A missing end means "now", a missing
/// start means 2018-01-01 (the API's defaults, R5). Build it from a range expression:
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use wa_stats_client::TimeRange;
///
/// let day = TimeRange::from(1_700_000_000..1_700_086_400);
/// assert_eq!((day.start, day.end), (Some(1_700_000_000), Some(1_700_086_400)));
/// let lifetime = TimeRange::from(..);
/// assert_eq!(lifetime, TimeRange::default());
/// let since = TimeRange::from(1_700_000_000..);
/// let now = SystemTime::now();
/// let last_week = TimeRange::from(now - Duration::from_secs(7 * 86_400)..now);
/// ```
///
/// The vendor's page says the API "provides data for a 1-year range", but this endpoint does not
/// reject longer ranges (R6) and neither does the client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TimeRange {
    /// Inclusive start in Unix seconds; `None` for the API's default.
    pub start: Option<i64>,
    /// Exclusive end in Unix seconds; `None` for "now".
    pub end: Option<i64>,
}

impl TimeRange {
    /// A range from optional bounds.
    ///
    /// ```
    /// let range = wa_stats_client::TimeRange::new(None, Some(1_700_000_000));
    /// assert_eq!(range, wa_stats_client::TimeRange::from(..1_700_000_000));
    /// ```
    pub const fn new(start: Option<i64>, end: Option<i64>) -> Self {
        Self { start, end }
    }

    pub(crate) fn apply(self, mut request: CampaignStatisticsRequest) -> CampaignStatisticsRequest {
        if let Some(start) = self.start {
            request = request.start_time(start);
        }
        if let Some(end) = self.end {
            request = request.end_time(end);
        }
        request
    }
}

impl From<Range<i64>> for TimeRange {
    fn from(range: Range<i64>) -> Self {
        Self::new(Some(range.start), Some(range.end))
    }
}

impl From<RangeFrom<i64>> for TimeRange {
    fn from(range: RangeFrom<i64>) -> Self {
        Self::new(Some(range.start), None)
    }
}

impl From<RangeTo<i64>> for TimeRange {
    fn from(range: RangeTo<i64>) -> Self {
        Self::new(None, Some(range.end))
    }
}

impl From<RangeFull> for TimeRange {
    fn from(_: RangeFull) -> Self {
        Self::default()
    }
}

impl From<Range<SystemTime>> for TimeRange {
    fn from(range: Range<SystemTime>) -> Self {
        Self::new(
            Some(unix_seconds(range.start)),
            Some(unix_seconds(range.end)),
        )
    }
}
