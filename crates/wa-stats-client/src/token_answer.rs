//! Reading the token endpoint's 200 answer (R14) and how long its token is kept: a missing
//! `expires_in` gets a default lifetime, `0` is refused, and a lifetime past a year is kept for a
//! year, so that no number a server sends can overflow a clock.

use std::time::Duration;

use serde_json::Value;
use wa_stats_model::{Secret, TokenResponse};

/// The lifetime of a token whose answer has no `expires_in` (RFC 6749 §5.1 makes it optional):
/// R14's documented hour. A token that dies sooner gets a 401, after which the client fetches a
/// new one once, as for any token revoked early.
pub(crate) const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// The longest a token is kept: a year. A longer `expires_in` (up to `u64::MAX` seconds, which no
/// clock can add) is read as this, said in a warning, and the token is refreshed as one of a
/// year's life would be.
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The lifetime to keep a token of `expires_in` seconds for: at most [`MAX_TOKEN_LIFETIME`].
pub(crate) fn lifetime(expires_in: u64) -> Duration {
    Duration::from_secs(expires_in).min(MAX_TOKEN_LIFETIME)
}

/// `at + by`, or, where the clock cannot hold that, `at` plus the longest lifetime (and `at`
/// itself on a clock that cannot hold even that): the far future, never a panic.
pub(crate) fn later<T>(at: T, by: Duration) -> T
where
    T: Copy + CheckedAdd,
{
    at.checked_plus(by)
        .or_else(|| at.checked_plus(MAX_TOKEN_LIFETIME))
        .unwrap_or(at)
}

/// The clocks [`later`] works on.
pub(crate) trait CheckedAdd: Sized {
    fn checked_plus(self, by: Duration) -> Option<Self>;
}

impl CheckedAdd for tokio::time::Instant {
    fn checked_plus(self, by: Duration) -> Option<Self> {
        self.checked_add(by)
    }
}

impl CheckedAdd for std::time::SystemTime {
    fn checked_plus(self, by: Duration) -> Option<Self> {
        self.checked_add(by)
    }
}

/// Reads a 200 answer of the token endpoint, or says what is wrong with it without quoting it
/// (it may hold the token): the field at fault, never a value.
pub(crate) fn read(body: &[u8]) -> Result<TokenResponse, String> {
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        format!(
            "not a token response: not JSON ({} error at line {} column {})",
            format!("{:?}", error.classify()).to_lowercase(),
            error.line(),
            error.column()
        )
    })?;
    let Value::Object(mut fields) = value else {
        return Err("not a token response: not a JSON object".to_owned());
    };
    let token = match fields.remove("access_token") {
        Some(Value::String(token)) => token,
        None | Some(Value::Null) => {
            return Err("not a token response: no `access_token` in it".to_owned());
        }
        Some(_) => return Err("not a token response: `access_token` is not a string".to_owned()),
    };
    if token.is_empty() {
        return Err("a token response with an empty access_token".to_owned());
    }
    let expires_in = match fields.get("expires_in") {
        None | Some(Value::Null) => {
            tracing::debug!(
                default_s = DEFAULT_TOKEN_LIFETIME.as_secs(),
                "the token response has no expires_in; keeping the token for the default lifetime"
            );
            DEFAULT_TOKEN_LIFETIME.as_secs()
        }
        Some(value) => seconds(value)?,
    };
    if expires_in == 0 {
        return Err(
            "a token response with `expires_in` 0: the token expires as it is issued, so every \
             call would need a new one (at most 10 a minute)"
                .to_owned(),
        );
    }
    if Duration::from_secs(expires_in) > MAX_TOKEN_LIFETIME {
        tracing::warn!(
            expires_in,
            kept_s = MAX_TOKEN_LIFETIME.as_secs(),
            "the token endpoint gives a token a lifetime of more than a year; keeping it for a year"
        );
    }
    Ok(TokenResponse::bearer(Secret::from(token), expires_in))
}

/// `expires_in` as whole seconds: a non-negative integer, a number with a fraction (rounded
/// down), or either in a string, as some servers send it; a number too large for `u64` counts as
/// `u64::MAX` (more than [`MAX_TOKEN_LIFETIME`] either way).
fn seconds(value: &Value) -> Result<u64, String> {
    let refused =
        || "not a token response: `expires_in` is not a number of seconds from 0 up".to_owned();
    let number = match value {
        Value::Number(number) => number.clone(),
        Value::String(text) => text.trim().parse().map_err(|_| refused())?,
        _ => return Err(refused()),
    };
    if let Some(whole) = number.as_u64() {
        return Ok(whole);
    }
    match number.as_f64() {
        Some(float) if float.is_finite() && float >= 0.0 => {
            // Non-negative and finite, checked above; `as` rounds down and saturates at u64::MAX,
            // which is what a lifetime beyond it means here.
            Ok(float as u64)
        }
        _ => Err(refused()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expires_in(body: &str) -> Result<u64, String> {
        read(body.as_bytes()).map(|answer| answer.expires_in)
    }

    #[test]
    fn lifetimes_are_read_leniently_and_named_when_wrong() {
        let body = |value: &str| {
            format!(r#"{{"access_token":"t","token_type":"Bearer","expires_in":{value}}}"#)
        };
        assert_eq!(expires_in(&body("3600")), Ok(3600));
        assert_eq!(expires_in(&body("\"3600\"")), Ok(3600));
        assert_eq!(expires_in(&body("3600.9")), Ok(3600));
        assert_eq!(expires_in(&body("18446744073709551615")), Ok(u64::MAX));
        assert_eq!(expires_in(&body("1e300")), Ok(u64::MAX));
        assert_eq!(expires_in(r#"{"access_token":"t"}"#), Ok(3600));
        assert_eq!(expires_in(&body("null")), Ok(3600));
        for bad in ["-1", "true", "\"soon\"", "[]"] {
            let error = expires_in(&body(bad)).unwrap_err();
            assert!(error.contains("`expires_in`"), "{bad}: {error}");
        }
        assert!(
            expires_in(&body("0"))
                .unwrap_err()
                .contains("`expires_in` 0")
        );
        let error = expires_in(r#"{"token":"secret-value"}"#).unwrap_err();
        assert!(error.contains("no `access_token`"), "{error}");
        assert!(!error.contains("secret-value"), "{error}");
        let error = expires_in(r#"{"access_token":"secret-value","expires_in":"x"}"#).unwrap_err();
        assert!(!error.contains("secret-value"), "{error}");
        assert!(expires_in("[1]").unwrap_err().contains("not a JSON object"));
    }

    #[test]
    fn no_lifetime_overflows_a_clock() {
        assert_eq!(lifetime(u64::MAX), MAX_TOKEN_LIFETIME);
        assert_eq!(lifetime(60), Duration::from_secs(60));
        let now = tokio::time::Instant::now();
        assert!(later(now, Duration::MAX) > now);
        let wall = std::time::SystemTime::now();
        assert!(later(wall, Duration::MAX) > wall);
    }
}
