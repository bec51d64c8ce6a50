//! The value parsers of the flags whose values a profile can also give, so that a value means
//! the same from either place, and of `--timeout`.

use clap::ValueEnum;
use wa_stats_model::endpoint::RATE_LIMIT_PER_SECOND;

use super::Format;

/// `--rate-limit`'s parser, also given the profile's `rate_limit`: a whole number from 1.
pub(crate) fn parse_rate_limit(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(rate) if rate >= 1 => Ok(rate),
        _ => Err(format!(
            "`{text}` is not a number of requests per second from 1 to {}; the API allows \
             {RATE_LIMIT_PER_SECOND}",
            u32::MAX
        )),
    }
}

/// The most requests in flight `--concurrency` takes.
const MAX_CONCURRENCY: usize = 256;

/// `--concurrency`'s parser, also given the profile's `concurrency`: a whole number from 1 to
/// 256.
pub(crate) fn parse_concurrency(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_CONCURRENCY).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{text}` is not a number of requests in flight from 1 to {MAX_CONCURRENCY}"
        )),
    }
}

/// The profile's `format`, read as `--format` reads it.
pub(crate) fn parse_format(text: &str) -> Result<Format, String> {
    Format::from_str(text, false).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|format| format.to_possible_value())
            .map(|value| value.get_name().to_owned())
            .collect();
        format!(
            "`{text}` is not a format; give one of: {}",
            names.join(", ")
        )
    })
}

/// A positive, finite number of seconds.
pub(super) fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => Ok(secs),
        _ => Err(format!(
            "`{text}` is not a number of seconds above 0 and at most 86400; try --timeout 30"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_must_be_positive() {
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("nan").is_err());
        assert_eq!(parse_seconds("0.5"), Ok(0.5));
    }
}
