//! `--from` and `--to`: reading a TIME, and checking the range with the model's rules before
//! anything is sent.
//!
//! The rules themselves (10 digits, milliseconds, end after start) live in
//! [`wa_stats_model::validate`]; this module only reads the text and says which flag is at fault.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use wa_stats_client::TimeRange;
use wa_stats_model::ValidationError;
use wa_stats_model::validation::validate_range;

use crate::refusal::Refusal;
use crate::series::rfc3339;

/// The forms a TIME may take, for messages.
const FORMS: &str = "YYYY-MM-DD (UTC midnight), an RFC 3339 timestamp such as \
                     2024-05-01T12:00:00Z, or 10-digit Unix seconds";

/// One bound as given on the command line and as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bound {
    /// The flag, `--from` or `--to`.
    flag: &'static str,
    /// The text given.
    text: String,
    /// Unix seconds.
    seconds: i64,
}

impl Bound {
    /// Unix seconds.
    pub(crate) fn seconds(&self) -> i64 {
        self.seconds
    }
}

/// Reads a TIME: `YYYY-MM-DD` (UTC midnight), RFC 3339, or a Unix timestamp in digits. A number
/// of the wrong length is returned as is, for [`check_range`] to refuse with the model's words
/// (and its millisecond hint).
pub(crate) fn parse_time(flag: &'static str, text: &str) -> Result<Bound, Refusal> {
    let trimmed = text.trim();
    let seconds = if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        trimmed.parse::<i64>().ok().filter(|&seconds| seconds != 0)
    } else if let Ok(timestamp) = trimmed.parse::<Timestamp>() {
        // Fractions of a second are dropped: the API counts whole seconds.
        Some(timestamp.as_second())
    } else if trimmed.len() == "YYYY-MM-DD".len() {
        // Only a bare date: jiff would also take the date out of a date-time without an offset,
        // whose time zone we would have to guess.
        trimmed
            .parse::<Date>()
            .ok()
            .and_then(|date| date.to_zoned(TimeZone::UTC).ok())
            .map(|zoned| zoned.timestamp().as_second())
    } else {
        None
    };
    match seconds {
        Some(seconds) => Ok(Bound {
            flag,
            text: text.to_owned(),
            seconds,
        }),
        None => Err(Refusal::new(
            format!("{flag} `{text}` is not a time"),
            format!("give {FORMS}, e.g. {flag} 2024-05-01"),
        )),
    }
}

/// Checks the range with the model's validation (R5) at `now`, and turns a failure into a
/// message about the flag at fault.
pub(crate) fn check_range(
    from: Option<&Bound>,
    to: Option<&Bound>,
    now: i64,
) -> Result<TimeRange, Refusal> {
    let error = match validate_range(from.map(|b| b.seconds), to.map(|b| b.seconds), now) {
        Ok(_) => {
            return Ok(TimeRange::new(
                from.map(|b| b.seconds),
                to.map(|b| b.seconds),
            ));
        }
        Err(error) => error,
    };
    let hint = error.hint();
    Err(match error {
        ValidationError::StartTimeNotTenDigits { .. }
        | ValidationError::EndTimeNotTenDigits { .. } => {
            let bound = match error {
                ValidationError::StartTimeNotTenDigits { .. } => from,
                _ => to,
            };
            let (flag, text, seconds) =
                bound.map_or(("--from", "", 0), |b| (b.flag, b.text.as_str(), b.seconds));
            let fix = match hint {
                Some(hint) => format!("{hint}: use {flag} {}", seconds / 1000),
                None => format!("give {FORMS} between 2001-09-09 and 2286-11-20"),
            };
            Refusal::new(format!("{flag} `{text}`: {error}"), fix)
        }
        ValidationError::EndNotAfterStart { .. } => match (from, to) {
            (Some(from), Some(to)) => Refusal::new(
                format!(
                    "--to `{}` is not after --from `{}`: {error}",
                    to.text, from.text
                ),
                "give a --to later than --from (the range is [--from, --to), end excluded)",
            ),
            // The model's hint words this in raw seconds; the user typed a time.
            (Some(from), None) => Refusal::new(
                format!(
                    "--from `{}` is not before now ({}): without --to the range ends now, so it \
                     would be empty",
                    from.text,
                    rfc3339(now)
                ),
                "give a --from in the past, or a --to after it",
            ),
            _ => Refusal::new(
                format!(
                    "--to `{}` is not after 2018-01-01, where a range without --from starts: \
                     {error}",
                    to.map_or("", |b| b.text.as_str())
                ),
                "give a --from before --to, or a later --to",
            ),
        },
        other => Refusal {
            problem: other.to_string(),
            fix: hint,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn seconds(text: &str) -> i64 {
        parse_time("--from", text).unwrap().seconds
    }

    #[test]
    fn reads_the_three_forms() {
        assert_eq!(seconds("2024-05-01"), 1_714_521_600);
        assert_eq!(seconds("2024-05-01T12:00:00Z"), 1_714_564_800);
        assert_eq!(seconds("2024-05-01T14:00:00+02:00"), 1_714_564_800);
        assert_eq!(seconds("2024-05-01T12:00:00.999Z"), 1_714_564_800);
        assert_eq!(seconds("1714521600"), 1_714_521_600);
        for bad in [
            "",
            "yesterday",
            "2024-13-01",
            "2024-05-01T12:00:00",
            "-5",
            "0",
        ] {
            let refusal = parse_time("--from", bad).unwrap_err();
            assert!(refusal.problem.starts_with("--from"), "{refusal}");
        }
    }

    #[test]
    fn milliseconds_are_refused_with_the_fix() {
        let from = parse_time("--from", "1714521600000").unwrap();
        let refusal = check_range(Some(&from), None, NOW).unwrap_err();
        assert!(
            refusal.problem.starts_with("--from `1714521600000`"),
            "{refusal}"
        );
        assert!(refusal.to_string().contains("milliseconds"), "{refusal}");
        assert!(
            refusal.to_string().contains("use --from 1714521600"),
            "{refusal}"
        );
        let to = parse_time("--to", "1714521600000").unwrap();
        let refusal = check_range(None, Some(&to), NOW).unwrap_err();
        assert!(refusal.problem.starts_with("--to"), "{refusal}");
    }

    #[test]
    fn to_must_be_after_from() {
        let from = parse_time("--from", "2024-05-02").unwrap();
        let to = parse_time("--to", "2024-05-01").unwrap();
        let refusal = check_range(Some(&from), Some(&to), NOW).unwrap_err();
        assert!(
            refusal
                .problem
                .starts_with("--to `2024-05-01` is not after --from")
        );
        let future = parse_time("--from", "2099-01-01").unwrap();
        let refusal = check_range(Some(&future), None, NOW).unwrap_err();
        // Times as typed or as RFC 3339, never raw seconds.
        assert!(
            refusal
                .problem
                .contains("`2099-01-01` is not before now (2027-01-15T08:00:00Z)"),
            "{refusal}"
        );
        assert!(!refusal.to_string().contains("1800000000"), "{refusal}");
        let early = parse_time("--to", "2017-01-01").unwrap();
        assert!(check_range(None, Some(&early), NOW).is_err());
        let range = check_range(Some(&to), Some(&from), NOW).unwrap();
        assert_eq!(
            (range.start, range.end),
            (Some(1_714_521_600), Some(1_714_608_000))
        );
        assert_eq!(check_range(None, None, NOW).unwrap(), TimeRange::default());
    }

    #[test]
    fn short_numbers_are_not_ten_digits() {
        let from = parse_time("--from", "123").unwrap();
        let refusal = check_range(Some(&from), None, NOW).unwrap_err();
        assert!(refusal.problem.contains("10-digit"), "{refusal}");
    }
}
