//! Parsing a request body the way the upstream Go service does (R4): its `3001` texts, word for
//! word.
//!
//! The upstream reads the body with `json.NewDecoder(body).Decode(&req)` into a struct of `int64`
//! fields. What that implies, and what [`parse_request`] therefore does:
//! - only the first JSON value counts; bytes after it are never read;
//! - syntax errors win over type errors; among type errors the first in the document wins;
//! - keys match exactly or else case-insensitively (Go's folding); a repeated key's last value wins;
//! - `null` leaves a field as it was; unknown keys are skipped whatever they hold;
//! - a number must be an integer literal within `i64` (`1.5`, `1e3`, `1E400` are type errors).
//!
//! Bodies of the common shape (an object of plain keys and integer or `null` values) are read in
//! one pass by `fast.rs`; everything else, and every error, comes from the full two-pass path.

mod fast;
mod scanner;
mod unquote;

use std::fmt;

use crate::endpoint::MAX_REQUEST_BODY_BYTES;
use crate::request::CampaignStatisticsRequest;
use scanner::{ScanError, is_space, scan_first_value};
use unquote::unescape;

/// Go's name for the struct the upstream decodes into, as its errors print it.
const GO_STRUCT: &str = "CampaignStatisticsRequest";

/// Why a request body could not be read. `Display` is the upstream's `errors` text for `3001`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// The body is longer than [`MAX_REQUEST_BODY_BYTES`]: `http: request body too large`.
    BodyTooLarge,
    /// The body is empty or only white space: `EOF`.
    Empty,
    /// The body ends inside a JSON value: `unexpected EOF`.
    Truncated,
    /// The body is not JSON: `invalid character …`.
    Syntax {
        /// Go's message.
        message: String,
        /// Byte offset just after the offending byte.
        offset: usize,
    },
    /// Valid JSON of the wrong type: `json: cannot unmarshal …`.
    Type {
        /// Go's message.
        message: String,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BodyTooLarge => f.write_str("http: request body too large"),
            Self::Empty => f.write_str("EOF"),
            Self::Truncated => f.write_str("unexpected EOF"),
            Self::Syntax { message, .. } | Self::Type { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for ParseError {}

/// Reads a statistics request body exactly as the upstream does (R4).
///
/// ```
/// use wa_stats_model::parse_request;
/// let request = parse_request(br#"{"campaign_id": 12345, "start_time": null, "x": [1]}"#).unwrap();
/// assert_eq!((request.campaign_id, request.start_time), (12345, None));
///
/// let error = parse_request(br#"{"campaign_id": "12345"}"#).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "json: cannot unmarshal string into Go struct field CampaignStatisticsRequest.campaign_id of type int64"
/// );
/// ```
pub fn parse_request(body: &[u8]) -> Result<CampaignStatisticsRequest, ParseError> {
    if body.len() > MAX_REQUEST_BODY_BYTES {
        return Err(ParseError::BodyTooLarge);
    }
    if let Some(request) = fast::plain_object(body) {
        return Ok(request);
    }
    parse_request_full(body)
}

/// [`parse_request`] without the fast path: Go's scanner over the first value, then a walk that
/// reads it. Handles every body the fast path leaves (and every body it takes, identically).
fn parse_request_full(body: &[u8]) -> Result<CampaignStatisticsRequest, ParseError> {
    let end = scan_first_value(body).map_err(|error| match error {
        ScanError::Eof => ParseError::Empty,
        ScanError::UnexpectedEof => ParseError::Truncated,
        ScanError::Syntax { message, offset } => ParseError::Syntax { message, offset },
    })?;
    // From here on the value is known to be well-formed JSON, so the walk below only has to
    // tell kinds apart, never to report syntax.
    let mut reader = Reader {
        bytes: &body[..end],
        at: 0,
    };
    reader.skip_space();
    let mut request = CampaignStatisticsRequest::new(0);
    match reader.peek() {
        b'{' => {}
        b'n' => return Ok(request),
        other => {
            return Err(ParseError::Type {
                message: format!(
                    "json: cannot unmarshal {} into Go value of type {GO_STRUCT}",
                    kind_name(other)
                ),
            });
        }
    }
    let mut first_error = None;
    reader.at += 1;
    loop {
        reader.skip_space();
        if reader.peek() == b'}' {
            break;
        }
        let key = reader.raw_string();
        reader.skip_space();
        reader.at += 1; // ':'
        reader.skip_space();
        let value_start = reader.at;
        reader.skip_value();
        let value = &reader.bytes[value_start..reader.at];
        if let Some(field) = Field::matching_raw(key) {
            match int64_field(field, value) {
                Ok(Some(number)) => field.set(&mut request, number),
                Ok(None) => {}
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        reader.skip_space();
        if reader.peek() == b',' {
            reader.at += 1;
        }
    }
    match first_error {
        Some(error) => Err(error),
        None => Ok(request),
    }
}

#[derive(Clone, Copy)]
enum Field {
    CampaignId,
    StartTime,
    EndTime,
}

impl Field {
    const ALL: [(Self, &'static str); 3] = [
        (Self::CampaignId, "campaign_id"),
        (Self::StartTime, "start_time"),
        (Self::EndTime, "end_time"),
    ];

    /// [`Self::matching`] for a key as it stands between its quotes: most keys are spelled
    /// exactly, and those need neither unescaping nor UTF-8 checks.
    fn matching_raw(raw: &[u8]) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, name)| name.as_bytes() == raw)
            .map(|(field, _)| *field)
            .or_else(|| Self::matching(&unescape(raw)))
    }

    /// Go's rule: an exact match first, else a case-insensitive one under Go's folding.
    fn matching(key: &str) -> Option<Self> {
        let exact = Self::ALL.iter().find(|(_, name)| *name == key);
        exact
            .or_else(|| {
                let folded = go_fold(key);
                Self::ALL.iter().find(|(_, name)| go_fold(name) == folded)
            })
            .map(|(field, _)| *field)
    }

    fn name(self) -> &'static str {
        Self::ALL[self as usize].1
    }

    fn set(self, request: &mut CampaignStatisticsRequest, value: i64) {
        match self {
            Self::CampaignId => request.campaign_id = value,
            Self::StartTime => request.start_time = Some(value),
            Self::EndTime => request.end_time = Some(value),
        }
    }
}

/// Go's `foldName`: every rune becomes the smallest of its simple case-fold orbit. Among runes
/// that can reach our ASCII field names, only U+017F (long s) and U+212A (Kelvin) are not ASCII.
fn go_fold(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\u{017f}' => 'S',
            '\u{212a}' => 'K',
            _ => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Go's `literalStore` into an `int64`: `Ok(None)` for `null` (no effect).
fn int64_field(field: Field, value: &[u8]) -> Result<Option<i64>, ParseError> {
    let type_error = |what: &str| ParseError::Type {
        message: format!(
            "json: cannot unmarshal {what} into Go struct field {GO_STRUCT}.{} of type int64",
            field.name()
        ),
    };
    match value.first().copied().unwrap_or(b'n') {
        b'n' => Ok(None),
        b'-' | b'0'..=b'9' => integer(value).map(Some).ok_or_else(|| {
            // The scanner checked the grammar: the bytes are ASCII, nothing is replaced here.
            type_error(&format!("number {}", String::from_utf8_lossy(value)))
        }),
        other => Err(type_error(kind_name(other))),
    }
}

/// Go's `strconv.ParseInt(literal, 10, 64)` on a literal the scanner accepted as a number:
/// `None` for fractions, exponents and anything outside `i64`.
fn integer(literal: &[u8]) -> Option<i64> {
    let (negative, digits) = match literal.split_first() {
        Some((b'-', digits)) => (true, digits),
        _ => (false, literal),
    };
    if digits.is_empty() {
        return None;
    }
    // Accumulating towards the sign reaches i64::MIN without overflowing.
    digits.iter().try_fold(0_i64, |value, &byte| {
        let digit = i64::from(char::from(byte).to_digit(10)?);
        let shifted = value.checked_mul(10)?;
        if negative {
            shifted.checked_sub(digit)
        } else {
            shifted.checked_add(digit)
        }
    })
}

/// Go's name for the kind of value that starts with `first`.
fn kind_name(first: u8) -> &'static str {
    match first {
        b'{' => "object",
        b'[' => "array",
        b'"' => "string",
        b't' | b'f' => "bool",
        _ => "number",
    }
}

/// A cursor over JSON the scanner has already accepted.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> u8 {
        self.bytes.get(self.at).copied().unwrap_or(b'}')
    }

    fn skip_space(&mut self) {
        while self.at < self.bytes.len() && is_space(self.bytes[self.at]) {
            self.at += 1;
        }
    }

    /// Skips one value, nested containers included, without recursion.
    fn skip_value(&mut self) {
        let mut depth = 0_usize;
        loop {
            match self.peek() {
                b'"' => {
                    self.string_end();
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.at += 1;
                }
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    self.at += 1;
                }
                _ => {
                    while self.at < self.bytes.len()
                        && !matches!(self.bytes[self.at], b',' | b'}' | b']')
                        && !is_space(self.bytes[self.at])
                    {
                        self.at += 1;
                    }
                }
            }
            if depth == 0 || self.at >= self.bytes.len() {
                return;
            }
            // Inside a container: step over separators and white space to the next token.
            while self.at < self.bytes.len()
                && (is_space(self.bytes[self.at]) || matches!(self.bytes[self.at], b',' | b':'))
            {
                self.at += 1;
            }
        }
    }

    /// Moves past a string starting at the current quote.
    fn string_end(&mut self) {
        self.at += 1;
        while self.at < self.bytes.len() {
            match self.bytes[self.at] {
                b'"' => {
                    self.at += 1;
                    return;
                }
                b'\\' => self.at += 2,
                _ => self.at += 1,
            }
        }
    }

    /// Moves past a string starting at the current quote and returns what stands between its
    /// quotes, still escaped.
    fn raw_string(&mut self) -> &'a [u8] {
        let start = self.at + 1;
        self.string_end();
        &self.bytes[start..self.at.saturating_sub(1).max(start)]
    }
}

#[cfg(test)]
mod tests;
