//! The properties the fuzz targets check, shared with the regression test that replays every
//! input the fuzzers ever found interesting. One copy: `fuzz/` includes this file by path.

use wa_stats_model::{
    ApiError, CampaignStatistics, ParseError, ValidationError, parse_request, validate,
};

/// A fixed "now" so that a replay gives the same verdict as the fuzzing run.
const NOW: i64 = 1_800_000_000;

/// `parse_request` never panics; whatever it accepts re-parses identically from its own wire form
/// and gets from `validate` the verdict that R5, written plainly, gives.
pub(crate) fn check_parse_request(input: &[u8]) {
    let request = match parse_request(input) {
        Ok(request) => request,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            if input.len() > 65_536 {
                assert_eq!(error, ParseError::BodyTooLarge);
            }
            return;
        }
    };
    assert_eq!(parse_request(request.to_json().as_bytes()), Ok(request));
    let given = |time: Option<i64>| time.filter(|&t| t != 0);
    let ten_digits = |t: i64| (1_000_000_000..=9_999_999_999).contains(&t);
    let expected = if request.campaign_id <= 0 {
        Err("campaign_id is required and must be greater than 0")
    } else if given(request.start_time).is_some_and(|t| !ten_digits(t)) {
        Err("start_time must be a 10-digit unix timestamp")
    } else if given(request.end_time).is_some_and(|t| !ten_digits(t)) {
        Err("end_time must be a 10-digit unix timestamp")
    } else if given(request.end_time).unwrap_or(NOW)
        <= given(request.start_time).unwrap_or(1_514_764_800)
    {
        Err("end_time must be greater than start_time")
    } else {
        Ok(())
    };
    let actual = validate(&request, NOW)
        .map(|_| ())
        .map_err(|e: ValidationError| e.to_string());
    assert_eq!(actual, expected.map_err(str::to_owned));
}

/// Reading a success body never panics, whatever reads writes back to the same value, and the
/// fast writer writes exactly what `serde_json` writes.
pub(crate) fn check_read_statistics(input: &[u8]) {
    if let Ok(stats) = CampaignStatistics::from_json(input) {
        let written = stats.to_json();
        let by_serde = serde_json::to_string(&stats).unwrap_or_else(|e| panic!("serde: {e}"));
        assert_eq!(written, by_serde);
        let again = CampaignStatistics::from_json(written.as_bytes());
        let again = again.unwrap_or_else(|error| panic!("own output unreadable: {error}"));
        // NaN cannot come from JSON, so equality is meaningful.
        assert_eq!(again, stats);
        let _ = stats.check_sums();
    }
}

/// Classifying any status and body never panics, keeps the body, and prints something.
pub(crate) fn check_classify_error(input: &[u8]) {
    let (status, body) = match input {
        [high, low, body @ ..] => (u16::from_be_bytes([*high, *low]), body),
        _ => (400, input),
    };
    let error = ApiError::classify(status, body);
    assert_eq!(error.raw, String::from_utf8_lossy(body));
    assert!(!error.to_string().is_empty());
    let _ = (error.kind_name(), error.is_retryable());
}
