//! `--by day|week|month`: cutting `[from, to)` into buckets, one request each.
//!
//! Buckets are UTC days, ISO weeks (Monday to Monday) and calendar months, the first and last
//! clipped to the range. Because the API counts half-open ranges (R12), the buckets' answers add
//! up to the answer for the whole range; the e2e tests check that against the mock.

use clap::ValueEnum;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::refusal::Refusal;

/// How a range is cut into buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum By {
    /// UTC calendar days.
    Day,
    /// ISO weeks, Monday 00:00 UTC to the next Monday.
    Week,
    /// Calendar months, from the 1st at 00:00 UTC.
    Month,
}

/// One bucket: `[start, end)` in Unix seconds, exactly what is sent as `start_time`/`end_time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bucket {
    /// Inclusive start.
    pub(crate) start: i64,
    /// Exclusive end.
    pub(crate) end: i64,
}

impl Bucket {
    /// The start as RFC 3339 (UTC).
    pub(crate) fn start_text(self) -> String {
        rfc3339(self.start)
    }

    /// The end as RFC 3339 (UTC).
    pub(crate) fn end_text(self) -> String {
        rfc3339(self.end)
    }

    /// Whether the bucket is a whole day, week or month, not one clipped by the range (a
    /// partial first or last week reads as a dip otherwise).
    pub(crate) fn is_whole(self, by: By) -> bool {
        next_edge(self.start - 1, by) == self.start && next_edge(self.start, by) == self.end
    }
}

/// Unix seconds as RFC 3339 in UTC, or the digits when out of jiff's range (never for a
/// 10-digit time).
pub(crate) fn rfc3339(seconds: i64) -> String {
    Timestamp::from_second(seconds).map_or_else(|_| seconds.to_string(), |t| t.to_string())
}

/// Above this many requests a terminal gets a line saying how many and how long they take.
pub(crate) const ANNOUNCE_ABOVE: usize = 300;
/// Above this many requests a run needs `--max-requests`.
pub(crate) const DEFAULT_MAX_REQUESTS: usize = 10_000;

/// Cuts `[from, to)` into `by` buckets. `from < to` has already been checked.
pub(crate) fn buckets(from: i64, to: i64, by: By) -> Vec<Bucket> {
    let mut out = Vec::new();
    let mut start = from;
    while start < to {
        let end = next_edge(start, by).min(to);
        out.push(Bucket { start, end });
        start = end;
    }
    out
}

/// The first bucket edge strictly after `at`.
fn next_edge(at: i64, by: By) -> i64 {
    let date = Timestamp::from_second(at)
        .map(|t| t.to_zoned(TimeZone::UTC).date())
        .unwrap_or(Date::MAX);
    let first = match by {
        By::Day => date,
        By::Week => {
            let back = i64::from(date.weekday().to_monday_zero_offset());
            date.checked_sub(back.days()).unwrap_or(date)
        }
        By::Month => date.first_of_month(),
    };
    let step = match by {
        By::Day => 1.day(),
        By::Week => 1.week(),
        By::Month => 1.month(),
    };
    first
        .checked_add(step)
        .ok()
        .and_then(|next| next.to_zoned(TimeZone::UTC).ok())
        .map_or(i64::MAX, |zoned| zoned.timestamp().as_second())
}

/// Refuses a run of more than `max` requests, saying how long it would take at `rate` per second
/// and how to allow it.
pub(crate) fn check_request_count(count: usize, max: usize, rate: u32) -> Result<(), Refusal> {
    if count <= max {
        return Ok(());
    }
    Err(Refusal::new(
        format!(
            "this run would send {count} requests, more than --max-requests {max} allows \
             ({})",
            duration_at(count, Some(rate))
        ),
        format!("narrow --from/--to, use a coarser --by, or allow it with --max-requests {count}"),
    ))
}

/// "about 1 min 40 s at 100 requests per second", for `count` requests at `rate` (the API's
/// limit when `None`).
pub(crate) fn duration_at(count: usize, rate: Option<u32>) -> String {
    let rate = rate.unwrap_or(wa_stats_model::endpoint::RATE_LIMIT_PER_SECOND);
    let rate = usize::try_from(rate.max(1)).unwrap_or(usize::MAX);
    let seconds = count.div_ceil(rate);
    let (hours, minutes, secs) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let text = match (hours, minutes) {
        (0, 0) => format!("{secs} s"),
        (0, _) => format!("{minutes} min {secs} s"),
        _ => format!("{hours} h {minutes} min"),
    };
    format!("about {text} at {rate} requests per second")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipped_buckets_are_not_whole() {
        // 2024-02-28 is a Wednesday: the first week and the month are clipped at both ends.
        let (from, to) = (1_709_078_400, 1_709_251_200); // 2024-02-28 .. 2024-03-01
        let weeks = buckets(from, to, By::Week);
        assert_eq!(weeks.len(), 1);
        assert!(!weeks[0].is_whole(By::Week));
        let days = buckets(from, to, By::Day);
        assert!(days.iter().all(|d| d.is_whole(By::Day)));
        // 2024-02-26 (Monday) .. 2024-03-04: one whole week.
        let week = buckets(1_708_905_600, 1_709_510_400, By::Week);
        assert!(week.len() == 1 && week[0].is_whole(By::Week));
        let months = buckets(1_706_745_600, 1_709_251_200, By::Month); // February 2024
        assert!(months.len() == 1 && months[0].is_whole(By::Month));
    }

    fn at(text: &str) -> i64 {
        text.parse::<Timestamp>().unwrap().as_second()
    }

    fn edges(from: &str, to: &str, by: By) -> Vec<(String, String)> {
        buckets(at(from), at(to), by)
            .into_iter()
            .map(|b| (b.start_text(), b.end_text()))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|&(a, b)| (a.to_owned(), b.to_owned()))
            .collect()
    }

    #[test]
    fn days_are_utc_and_the_ends_are_clipped() {
        assert_eq!(
            edges("2024-02-28T12:00:00Z", "2024-03-01T06:00:00Z", By::Day),
            pairs(&[
                ("2024-02-28T12:00:00Z", "2024-02-29T00:00:00Z"),
                ("2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"),
                ("2024-03-01T00:00:00Z", "2024-03-01T06:00:00Z"),
            ])
        );
    }

    #[test]
    fn weeks_start_on_monday_across_a_year_end() {
        // 2025-12-29 is the Monday of ISO week 2026-W01; 2026-01-05 the next Monday.
        assert_eq!(
            edges("2025-12-25T00:00:00Z", "2026-01-07T00:00:00Z", By::Week),
            pairs(&[
                ("2025-12-25T00:00:00Z", "2025-12-29T00:00:00Z"),
                ("2025-12-29T00:00:00Z", "2026-01-05T00:00:00Z"),
                ("2026-01-05T00:00:00Z", "2026-01-07T00:00:00Z"),
            ])
        );
    }

    #[test]
    fn months_know_leap_years() {
        assert_eq!(
            edges("2023-12-15T00:00:00Z", "2024-03-10T00:00:00Z", By::Month),
            pairs(&[
                ("2023-12-15T00:00:00Z", "2024-01-01T00:00:00Z"),
                ("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
                ("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"),
                ("2024-03-01T00:00:00Z", "2024-03-10T00:00:00Z"),
            ])
        );
        let february = buckets(
            at("2024-02-01T00:00:00Z"),
            at("2024-03-01T00:00:00Z"),
            By::Day,
        );
        assert_eq!(february.len(), 29);
        let february = buckets(
            at("2023-02-01T00:00:00Z"),
            at("2023-03-01T00:00:00Z"),
            By::Day,
        );
        assert_eq!(february.len(), 28);
    }

    #[test]
    fn buckets_tile_the_range() {
        for by in [By::Day, By::Week, By::Month] {
            let (from, to) = (1_700_000_123, 1_720_000_456);
            let cut = buckets(from, to, by);
            assert_eq!(cut.first().map(|b| b.start), Some(from));
            assert_eq!(cut.last().map(|b| b.end), Some(to));
            assert!(
                cut.windows(2)
                    .all(|w| w[0].end == w[1].start && w[0].start < w[0].end)
            );
        }
    }

    #[test]
    fn request_counts_and_durations() {
        assert!(check_request_count(10_000, DEFAULT_MAX_REQUESTS, 100).is_ok());
        let refusal = check_request_count(10_001, DEFAULT_MAX_REQUESTS, 100).unwrap_err();
        assert!(
            refusal.to_string().contains("--max-requests 10001"),
            "{refusal}"
        );
        assert_eq!(
            duration_at(3_000, None),
            "about 30 s at 100 requests per second"
        );
        assert_eq!(
            duration_at(10_001, Some(100)),
            "about 1 min 41 s at 100 requests per second"
        );
        assert_eq!(
            duration_at(400_000, Some(100)),
            "about 1 h 6 min at 100 requests per second"
        );
    }
}
