//! The upstream's validation rules (R5): defaults first, then four rules in a fixed order.
//!
//! The client runs [`validate`] before sending and the mock runs it on what it receives, so both
//! reject exactly the same requests with exactly the same words. Neither reads a clock here: the
//! caller passes `now`.

use std::ops::Range;

use crate::request::CampaignStatisticsRequest;

/// The default `start_time`: 2018-01-01T00:00:00Z, as the vendor page says.
pub const DEFAULT_START_TIME: i64 = 1_514_764_800;
/// Smallest value the upstream accepts as a "10-digit Unix timestamp".
pub const MIN_UNIX_SECONDS: i64 = 1_000_000_000;
/// Largest value the upstream accepts as a "10-digit Unix timestamp".
pub const MAX_UNIX_SECONDS: i64 = 9_999_999_999;

/// A request that passed validation, with its defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ValidatedRequest {
    /// The campaign, greater than 0.
    pub campaign_id: u64,
    /// Inclusive start, in Unix seconds.
    pub start_time: i64,
    /// Exclusive end, in Unix seconds; always greater than `start_time`.
    pub end_time: i64,
}

impl ValidatedRequest {
    /// The half-open range `[start_time, end_time)` the statistics cover (R12).
    pub const fn range(&self) -> Range<i64> {
        self.start_time..self.end_time
    }
}

/// The first validation rule a request breaks. `Display` is the upstream's exact `errors` text
/// for `3002`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// Rule 1: `campaign_id` absent, `null`, 0 or negative.
    #[error("campaign_id is required and must be greater than 0")]
    CampaignIdRequired {
        /// What the request held (0 when absent).
        campaign_id: i64,
    },
    /// Rule 2: `start_time` given but not in `1000000000..=9999999999`.
    #[error("start_time must be a 10-digit unix timestamp")]
    StartTimeNotTenDigits {
        /// The value given.
        start_time: i64,
    },
    /// Rule 3: `end_time` given but not in `1000000000..=9999999999`.
    #[error("end_time must be a 10-digit unix timestamp")]
    EndTimeNotTenDigits {
        /// The value given.
        end_time: i64,
    },
    /// Rule 4: after defaults, `end_time` is not greater than `start_time`.
    #[error("end_time must be greater than start_time")]
    EndNotAfterStart {
        /// Start after defaults.
        start_time: i64,
        /// End after defaults.
        end_time: i64,
    },
}

impl ValidationError {
    /// A hint for a person, beyond the upstream's words, when the mistake has an obvious cause:
    /// a 13-digit millisecond timestamp, or a start in the future with no end.
    ///
    /// ```
    /// use wa_stats_model::{CampaignStatisticsRequest, validate};
    /// let request = CampaignStatisticsRequest::new(1).start_time(1_700_000_000_000);
    /// let error = validate(&request, 1_800_000_000).unwrap_err();
    /// assert!(error.hint().unwrap().contains("milliseconds"));
    /// ```
    pub fn hint(&self) -> Option<String> {
        let milliseconds = |name: &str, value: i64| {
            looks_like_milliseconds(value).then(|| {
                format!(
                    "{name} {value} looks like milliseconds; the API takes seconds ({})",
                    value / 1000
                )
            })
        };
        match *self {
            Self::CampaignIdRequired { .. } => None,
            Self::StartTimeNotTenDigits { start_time } => milliseconds("start_time", start_time),
            Self::EndTimeNotTenDigits { end_time } => milliseconds("end_time", end_time),
            Self::EndNotAfterStart {
                start_time,
                end_time,
            } => Some(format!(
                "the range [{start_time}, {end_time}) is empty; without end_time the end is now, \
                 so a start_time in the future cannot work"
            )),
        }
    }
}

/// `true` for a 13-digit value: a Unix timestamp in milliseconds passed where seconds belong.
pub const fn looks_like_milliseconds(value: i64) -> bool {
    value >= MIN_UNIX_SECONDS * 1000 && value <= MAX_UNIX_SECONDS * 1000 + 999
}

/// `true` when `value` is what the upstream calls a 10-digit Unix timestamp.
pub const fn is_ten_digit_unix_seconds(value: i64) -> bool {
    value >= MIN_UNIX_SECONDS && value <= MAX_UNIX_SECONDS
}

/// Applies the defaults (`start_time` = [`DEFAULT_START_TIME`], `end_time` = `now`), then the four
/// rules of R5 in order, and returns the resolved request or the first rule that fails. As in Go,
/// `0` means "not given".
///
/// ```
/// use wa_stats_model::{CampaignStatisticsRequest, ValidationError, validate};
/// let now = 1_800_000_000;
/// let resolved = validate(&CampaignStatisticsRequest::new(12345), now).unwrap();
/// assert_eq!(resolved.range(), 1_514_764_800..now);
///
/// let error = validate(&CampaignStatisticsRequest::new(0), now).unwrap_err();
/// assert_eq!(error.to_string(), "campaign_id is required and must be greater than 0");
/// ```
pub fn validate(
    request: &CampaignStatisticsRequest,
    now: i64,
) -> Result<ValidatedRequest, ValidationError> {
    let campaign_id = u64::try_from(request.campaign_id)
        .ok()
        .filter(|&id| id > 0)
        .ok_or(ValidationError::CampaignIdRequired {
            campaign_id: request.campaign_id,
        })?;
    let (start_time, end_time) = validate_range(request.start_time, request.end_time, now)?;
    Ok(ValidatedRequest {
        campaign_id,
        start_time,
        end_time,
    })
}

/// The time rules of [`validate`] alone (R5), in its order, for code that checks a range before
/// it has a campaign (a command line's `--from`/`--to`): each bound absent or `0` takes its
/// default (2018-01-01, `now`), a given one must be ten-digit Unix seconds, and the end must be
/// after the start. Returns the resolved `(start_time, end_time)`.
///
/// ```
/// use wa_stats_model::validation::{validate_range, ValidationError};
/// assert_eq!(validate_range(Some(1_700_000_000), None, 1_800_000_000), Ok((1_700_000_000, 1_800_000_000)));
/// assert!(matches!(
///     validate_range(Some(1_700_000_000_000), None, 1_800_000_000),
///     Err(ValidationError::StartTimeNotTenDigits { .. })
/// ));
/// ```
pub fn validate_range(
    start_time: Option<i64>,
    end_time: Option<i64>,
    now: i64,
) -> Result<(i64, i64), ValidationError> {
    let given = |time: Option<i64>| time.filter(|&value| value != 0);
    let (start, end) = (given(start_time), given(end_time));
    if let Some(start_time) = start.filter(|&value| !is_ten_digit_unix_seconds(value)) {
        return Err(ValidationError::StartTimeNotTenDigits { start_time });
    }
    if let Some(end_time) = end.filter(|&value| !is_ten_digit_unix_seconds(value)) {
        return Err(ValidationError::EndTimeNotTenDigits { end_time });
    }
    let start_time = start.unwrap_or(DEFAULT_START_TIME);
    let end_time = end.unwrap_or(now);
    if end_time <= start_time {
        return Err(ValidationError::EndNotAfterStart {
            start_time,
            end_time,
        });
    }
    Ok((start_time, end_time))
}
