//! Go's `unquote` for object keys: escapes resolved, bad UTF-8 and lone surrogates replaced,
//! as the upstream's decoder sees a key before matching it to a field.

use std::borrow::Cow;

/// Unescapes like Go's `unquote` (bad UTF-8 and lone surrogates become U+FFFD). Keys are
/// compared, not kept: a key without escapes is borrowed.
pub(super) fn unescape(raw: &[u8]) -> Cow<'_, str> {
    if !raw.contains(&b'\\') {
        return String::from_utf8_lossy(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] != b'\\' {
            out.push(raw[i]);
            i += 1;
            continue;
        }
        let escape = raw.get(i + 1).copied().unwrap_or(b'\\');
        i += 2;
        let plain = match escape {
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let (c, used) = unicode_escape(&raw[i..]);
                i += used;
                let mut buffer = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
                continue;
            }
            other => other,
        };
        out.push(plain);
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Decodes the hex digits after `\u` (and a following `\uXXXX` low surrogate, if it pairs).
/// Returns the character and how many bytes it used.
fn unicode_escape(after_u: &[u8]) -> (char, usize) {
    let hex = |bytes: &[u8]| {
        std::str::from_utf8(bytes.get(..4)?)
            .ok()
            .and_then(|digits| u32::from_str_radix(digits, 16).ok())
    };
    let Some(high) = hex(after_u) else {
        return (char::REPLACEMENT_CHARACTER, after_u.len().min(4));
    };
    if (0xd800..0xdc00).contains(&high)
        && after_u.get(4..6) == Some(b"\\u")
        && let Some(low) = hex(&after_u[6..]).filter(|low| (0xdc00..0xe000).contains(low))
    {
        let combined = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
        return (
            char::from_u32(combined).unwrap_or(char::REPLACEMENT_CHARACTER),
            10,
        );
    }
    (
        char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER),
        4,
    )
}
