//! A one-pass reading of the common body shape, which answers without the full scanner pass
//! (about half the cost of [`super::parse_request`] on typical bodies); anything else is left to
//! the full path, so the result is always the one the full path would give.
//!
//! The shape: an object whose keys are plain printable ASCII (no escapes) and whose values are
//! `null` or integer literals. On such a body neither syntax nor type errors can arise except an
//! integer outside `i64` for a known field, and that also falls back.

use super::{Field, integer, is_space};
use crate::request::CampaignStatisticsRequest;

/// Reads `body` if it is a plain object of integer or `null` members; `None` means "not this
/// shape, ask the full path". Stops at the closing `}`: like Go's decoder, it never looks at the
/// bytes after the first value.
pub(super) fn plain_object(body: &[u8]) -> Option<CampaignStatisticsRequest> {
    let mut at = skip_space(body, 0);
    if *body.get(at)? != b'{' {
        return None;
    }
    at = skip_space(body, at + 1);
    let mut request = CampaignStatisticsRequest::new(0);
    if *body.get(at)? == b'}' {
        return Some(request);
    }
    loop {
        let (key, after_key) = plain_key(body, at)?;
        at = skip_space(body, after_key);
        if *body.get(at)? != b':' {
            return None;
        }
        at = skip_space(body, at + 1);
        let (literal, after_value) = null_or_integer(body, at)?;
        if let Some(field) = matching_ascii(key)
            && let Some(literal) = literal
        {
            // Outside `i64` is a type error, which only the full path words.
            field.set(&mut request, integer(literal)?);
        }
        // The value must end at white space, `,` or `}`: `01`, `1.5`, `1e3`, `nullx` stop here.
        at = skip_space(body, after_value);
        match *body.get(at)? {
            b'}' => return Some(request),
            b',' => at = skip_space(body, at + 1),
            _ => return None,
        }
    }
}

/// The key whose opening quote is at `at`, if every byte up to the closing quote is printable
/// ASCII other than `\`; and the index after the closing quote.
fn plain_key(body: &[u8], at: usize) -> Option<(&[u8], usize)> {
    if *body.get(at)? != b'"' {
        return None;
    }
    let start = at + 1;
    let rest = body.get(start..)?;
    let length = rest
        .iter()
        .position(|&byte| !matches!(byte, 0x20..=0x7e) || byte == b'"' || byte == b'\\')?;
    if rest[length] != b'"' {
        return None;
    }
    Some((&rest[..length], start + length + 1))
}

/// Go's rule, exact match first, else case-insensitive under Go's folding, narrowed to ASCII
/// keys: the only non-ASCII runes that fold to ASCII letters (U+017F, U+212A) cannot occur in a
/// plain key, so the folding is ASCII's. The field names differ even case-insensitively, so an
/// exact match is also the only case-insensitive one and one comparison covers both.
fn matching_ascii(key: &[u8]) -> Option<Field> {
    Field::ALL
        .iter()
        .find(|(_, name)| name.as_bytes().eq_ignore_ascii_case(key))
        .map(|(field, _)| *field)
}

/// The value at `at` if it is `null` (`Some(None)`) or an integer literal `-?(0|[1-9][0-9]*)`
/// (`Some(Some(literal))`), with the index after it. Whether anything follows it that may not
/// (`.`, `e`, a letter after `null`) is the caller's check of the next byte.
fn null_or_integer(body: &[u8], at: usize) -> Option<(Option<&[u8]>, usize)> {
    let rest = body.get(at..)?;
    if rest.starts_with(b"null") {
        return Some((None, at + 4));
    }
    let sign = usize::from(rest.first() == Some(&b'-'));
    let digits = rest[sign..]
        .iter()
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    match rest.get(sign) {
        Some(b'1'..=b'9') => {}
        Some(b'0') if digits == 1 => {}
        _ => return None,
    }
    let end = sign + digits;
    Some((Some(&rest[..end]), at + end))
}

/// The index of the first byte at or after `at` that is not Go white space.
fn skip_space(body: &[u8], mut at: usize) -> usize {
    while body.get(at).is_some_and(|&byte| is_space(byte)) {
        at += 1;
    }
    at
}
