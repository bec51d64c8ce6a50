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

impl From<RangeFrom<SystemTime>> for TimeRange {
    fn from(range: RangeFrom<SystemTime>) -> Self {
        Self::new(Some(unix_seconds(range.start)), None)
    }
}

impl From<RangeTo<SystemTime>> for TimeRange {
    fn from(range: RangeTo<SystemTime>) -> Self {
        Self::new(None, Some(unix_seconds(range.end)))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::TimeRange;
    use crate::Client;

    /// Issue 34: `.start(a).range(..b)` silently dropped `a`. There is now one way to set a
    /// range, and any two calls of it leave exactly the second, whatever forms they take.
    #[test]
    fn any_two_ranges_leave_the_second_whole() {
        let at = |seconds| SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
        let forms: Vec<(&str, TimeRange)> = vec![
            ("a..b", (1_700_000_000..1_700_086_400).into()),
            ("a..", (1_700_000_000..).into()),
            ("..b", (..1_700_086_400).into()),
            ("..", (..).into()),
            ("t..u", (at(1_600_000_000)..at(1_600_086_400)).into()),
            ("t..", (at(1_600_000_000)..).into()),
            ("..u", (..at(1_600_086_400)).into()),
            ("new", TimeRange::new(Some(1_650_000_000), None)),
        ];
        let client = Client::builder().api_key("k").build().unwrap();
        for (first_name, first) in &forms {
            for (second_name, second) in &forms {
                let both = client
                    .campaign_statistics(12345)
                    .range(*first)
                    .range(*second);
                let alone = client.campaign_statistics(12345).range(*second);
                assert_eq!(
                    both.request(),
                    alone.request(),
                    ".range({first_name}).range({second_name})"
                );
                assert_eq!(
                    (both.request().start_time, both.request().end_time),
                    (second.start, second.end),
                    ".range({first_name}).range({second_name})"
                );
            }
        }
    }
}
