//! Which days a run fetches, and what range the state may record afterwards: pure functions of
//! the synced range, the range asked for and the outcomes, so that every rule is tested here.
//!
//! A day is a number of days since 1970-01-01 (UTC); a span is half-open, `[from, to)`.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::refusal::Refusal;
use crate::time;

/// Seconds in a UTC day (no leap seconds in Unix time).
pub(crate) const DAY_SECONDS: i64 = 86_400;

/// A UTC day: days since 1970-01-01.
pub(crate) type Day = i64;

/// `[from, to)` in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// First day.
    pub(crate) from: Day,
    /// The day after the last.
    pub(crate) to: Day,
}

impl Span {
    /// Whether `day` is in the span.
    pub(crate) fn contains(self, day: Day) -> bool {
        (self.from..self.to).contains(&day)
    }
}

/// `YYYY-MM-DD`.
pub(crate) fn day_text(day: Day) -> String {
    Timestamp::from_second(day * DAY_SECONDS)
        .map(|t| t.to_zoned(TimeZone::UTC).date().to_string())
        .unwrap_or_else(|_| day.to_string())
}

/// Reads `YYYY-MM-DD` as a UTC day, with the command line's one parser of times
/// ([`time::parse_time`]) restricted to its date form; `flag` names it in the refusal. The
/// bound is returned too, for the model's range check.
pub(crate) fn parse_day(flag: &'static str, text: &str) -> Result<(Day, time::Bound), Refusal> {
    let refused = || {
        Refusal::new(
            format!("{flag} `{text}` is not a date"),
            format!("give a UTC day as YYYY-MM-DD, e.g. {flag} 2024-05-01: sync stores whole days"),
        )
    };
    let trimmed = text.trim();
    // The date form alone: ten characters, not ten digits (those are Unix seconds).
    if trimmed.len() != "YYYY-MM-DD".len() || trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refused());
    }
    let bound = time::parse_time(flag, text).map_err(|_| refused())?;
    Ok((bound.seconds().div_euclid(DAY_SECONDS), bound))
}

/// The days of `range` a run fetches for a campaign synced over `synced`: every day outside the
/// synced range, and the last `lookback` days of it, which were young when fetched and may have
/// changed since.
pub(crate) fn days_to_fetch(range: Span, synced: Option<Span>, lookback: u32) -> Vec<Day> {
    (range.from..range.to)
        .filter(|&day| match synced {
            None => true,
            Some(synced) => !synced.contains(day) || day >= synced.to - i64::from(lookback),
        })
        .collect()
}

/// The state after a run that settled every day of `spans` (a campaign written whole).
pub(crate) fn state_after(old: Option<Span>, spans: &[Span]) -> Option<Span> {
    let outcomes: Vec<(Day, bool)> = spans
        .iter()
        .flat_map(|span| (span.from..span.to).map(|day| (day, true)))
        .collect();
    next_state(old, &outcomes)
}

/// `days` (ascending) as runs of consecutive days.
pub(crate) fn spans(days: &[Day]) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    for &day in days {
        match spans.last_mut() {
            Some(last) if last.to == day => last.to += 1,
            _ => spans.push(Span {
                from: day,
                to: day + 1,
            }),
        }
    }
    spans
}

/// The range the state records after a run that had the state `old` and fetched `fetched`
/// (day, whether its answer was stored). A day is good when it is in `old` and was not fetched
/// in vain, or was stored now. The state is one run of good days: the latest one before the
/// first failure (so that the next run starts again at the failed day), else the first one; a
/// failure costs re-fetching, never a day the state claims but the table lacks.
pub(crate) fn next_state(old: Option<Span>, fetched: &[(Day, bool)]) -> Option<Span> {
    let mut good: BTreeSet<Day> = old.map(|s| (s.from..s.to).collect()).unwrap_or_default();
    let mut first_failure: Option<Day> = None;
    for &(day, stored) in fetched {
        if stored {
            good.insert(day);
        } else {
            good.remove(&day);
            first_failure = Some(first_failure.map_or(day, |f| f.min(day)));
        }
    }
    let before = first_failure.map_or(good.last().copied(), |failure| {
        good.range(..failure).next_back().copied()
    });
    let (from, to) = match before {
        Some(last) => {
            let mut from = last;
            while good.contains(&(from - 1)) {
                from -= 1;
            }
            (from, last + 1)
        }
        None => {
            let first = *good.first()?;
            let mut to = first + 1;
            while good.contains(&to) {
                to += 1;
            }
            (first, to)
        }
    };
    Some(Span { from, to })
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn span(from: Day, to: Day) -> Span {
        Span { from, to }
    }

    #[test]
    fn days_parse_and_print() {
        let (day, _) = parse_day("--from", "2024-02-29").unwrap();
        assert_eq!(day_text(day), "2024-02-29");
        assert_eq!(day * DAY_SECONDS, 1_709_164_800);
        assert!(parse_day("--from", "2024-02-30").is_err());
        assert!(parse_day("--from", "2024-02-29T00:00:00Z").is_err());
        assert!(
            parse_day("--from", "1709164800").is_err(),
            "Unix seconds are not a day"
        );
        let refusal = parse_day("--to", "soon").unwrap_err();
        assert!(refusal.problem.contains("`soon`"), "{refusal}");
    }

    #[test]
    fn a_first_run_fetches_everything() {
        assert_eq!(days_to_fetch(span(10, 14), None, 7), [10, 11, 12, 13]);
    }

    #[test]
    fn a_rerun_fetches_the_lookback_and_what_is_new() {
        assert_eq!(
            days_to_fetch(span(0, 22), Some(span(0, 20)), 3),
            [17, 18, 19, 20, 21]
        );
        assert_eq!(
            days_to_fetch(span(0, 20), Some(span(0, 20)), 0),
            [] as [Day; 0]
        );
        // Before the synced range (an earlier --from) counts as new.
        assert_eq!(days_to_fetch(span(3, 8), Some(span(5, 8)), 1), [3, 4, 7]);
        // A lookback longer than the range fetches the range, once.
        assert_eq!(days_to_fetch(span(5, 8), Some(span(5, 8)), 30), [5, 6, 7]);
    }

    #[test]
    fn days_group_into_runs() {
        assert_eq!(
            spans(&[3, 4, 7, 17, 18, 19]),
            [span(3, 5), span(7, 8), span(17, 20)]
        );
        assert_eq!(spans(&[]), []);
    }

    #[test]
    fn the_state_grows_over_complete_days_only() {
        let ok = |days: std::ops::Range<Day>| days.map(|d| (d, true)).collect::<Vec<_>>();
        assert_eq!(next_state(None, &ok(0..5)), Some(span(0, 5)));
        assert_eq!(next_state(Some(span(0, 5)), &ok(3..9)), Some(span(0, 9)));
        // A failed new day: the state ends before it, so the next run starts there.
        let mut fetched = ok(3..9);
        fetched[4].1 = false; // day 7
        assert_eq!(next_state(Some(span(0, 5)), &fetched), Some(span(0, 7)));
        // A failed lookback day inside the old range cuts the state back to it.
        let mut fetched = ok(2..5);
        fetched[1].1 = false; // day 3
        assert_eq!(next_state(Some(span(0, 5)), &fetched), Some(span(0, 3)));
        // Nothing stored at all: no state.
        assert_eq!(next_state(None, &[(0, false), (1, false)]), None);
        // The first day failed: the first run of good days after it.
        assert_eq!(
            next_state(None, &[(0, false), (1, true), (2, true), (3, false)]),
            Some(span(1, 3))
        );
        // A new range apart from the old one: the state follows the newest.
        assert_eq!(
            next_state(Some(span(0, 5)), &ok(10..12)),
            Some(span(10, 12))
        );
    }
}
