//! `--deadline DURATION`: a bound on the whole run, kept as typed so that messages say `30s`
//! when the user typed `30s`.

use std::fmt;
use std::time::Duration;

/// The longest deadline taken: a week, far past any cron slot, short enough that the instant it
/// ends at is always representable.
const LONGEST: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// A run's deadline: how long after the start, and the text it was given as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Deadline {
    /// How long the run may take.
    pub(crate) after: Duration,
    /// As typed, for messages.
    typed: String,
}

impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.typed)
    }
}

/// `--deadline`'s parser: a positive duration with its unit (`90s`, `5m`, `1h30m`, `2.5s`, or
/// ISO 8601 `PT5M`), at most a week.
pub(crate) fn parse_deadline(text: &str) -> Result<Deadline, String> {
    let typed = text.trim();
    let refused = || {
        format!(
            "`{text}` is not a duration from 1ms to 7 days with its unit; try --deadline 90s, \
             5m or 1h30m"
        )
    };
    let parsed: jiff::SignedDuration = typed.parse().map_err(|_| refused())?;
    let after = Duration::try_from(parsed).map_err(|_| refused())?;
    if after < Duration::from_millis(1) || after > LONGEST {
        return Err(refused());
    }
    Ok(Deadline {
        after,
        typed: typed.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_with_units_are_taken_and_kept_as_typed() {
        for (text, secs) in [("90s", 90), ("5m", 300), ("1h30m", 5400), ("PT2M", 120)] {
            let deadline = parse_deadline(text).unwrap();
            assert_eq!(deadline.after, Duration::from_secs(secs), "{text}");
            assert_eq!(deadline.to_string(), text);
        }
        assert_eq!(
            parse_deadline("1.5s").unwrap().after,
            Duration::from_millis(1500)
        );
    }

    #[test]
    fn no_unit_zero_negative_and_huge_are_refused() {
        for text in ["30", "0s", "-5s", "8 days", "", "soon"] {
            let refused = parse_deadline(text).unwrap_err();
            assert!(refused.contains("try --deadline 90s"), "{text}: {refused}");
        }
    }
}
