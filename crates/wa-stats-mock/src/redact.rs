//! The mock's one redaction: what a request may carry as a credential, replaced by
//! [`REDACTED`] before anything keeps it (the journal, and through it `/__admin/verify` and the
//! account of unmet expectations). It never depends on the path: a client that mistypes the
//! token URL sends its secret all the same.

use std::borrow::Cow;

use wa_stats_model::endpoint::API_KEY_HEADER;
use wa_stats_model::secret::REDACTED;

/// Headers whose whole value is a credential (Basic credentials included: they are an
/// `Authorization` value). Lower case, as `http` keeps names.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    API_KEY_HEADER,
    "x-api-key",
    "api-key",
];

/// Names of body and query fields whose value is a credential, at any depth. A name matches
/// after lower-casing and dropping `_` and `-`, so `client_secret`, `clientSecret` and
/// `Client-Secret` are one entry.
const SECRET_FIELDS: &[&str] = &[
    "clientsecret",
    "secret",
    "password",
    "passwd",
    "token",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "admintoken",
    "bearertoken",
    "apikey",
    "xinsauthkey",
    "authorization",
    "proxyauthorization",
    "cookie",
    "clientassertion",
];

/// Byte strings (lower case) without which a body holds no secret field: a body with none of
/// them is kept as it came, unparsed (the statistics requests of a load test). `\u` because a
/// JSON key may spell its letters as escapes.
const NEEDLES: &[&[u8]] = &[
    b"secret",
    b"pass",
    b"token",
    b"key",
    b"auth",
    b"cookie",
    b"assertion",
    b"\\u",
];

/// Whether a header's value is a credential.
pub(crate) fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(name))
}

/// Whether a body or query field of this name holds a credential.
pub(crate) fn is_secret_field(name: &str) -> bool {
    let folded: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_FIELDS.contains(&folded.as_str())
}

/// A body with the value of every secret field replaced, at any depth. JSON is rewritten only
/// when something was replaced; a form (`a=1&client_secret=…`) keeps its other fields; a body
/// that mentions a secret's name but reads as neither is replaced whole, since it might still
/// hold the secret somewhere.
pub(crate) fn body(body: &[u8]) -> Cow<'_, [u8]> {
    if !mentions_a_secret(body) {
        return Cow::Borrowed(body);
    }
    if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) {
        return if json(&mut value) {
            Cow::Owned(value.to_string().into_bytes())
        } else {
            Cow::Borrowed(body)
        };
    }
    match std::str::from_utf8(body) {
        Ok(text) if looks_like_form(text) => match query(text) {
            Cow::Borrowed(_) => Cow::Borrowed(body),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        },
        _ => Cow::Owned(REDACTED.as_bytes().to_vec()),
    }
}

/// A query string (or form body) with the value of every secret field replaced.
pub(crate) fn query(query: &str) -> Cow<'_, str> {
    let secret_at = |pair: &str| {
        pair.split_once('=')
            .is_some_and(|(name, _)| is_secret_field(&percent_decoded(name)))
    };
    if !query.split('&').any(secret_at) {
        return Cow::Borrowed(query);
    }
    let pairs: Vec<Cow<'_, str>> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if secret_at(pair) => Cow::Owned(format!("{name}={REDACTED}")),
            _ => Cow::Borrowed(pair),
        })
        .collect();
    Cow::Owned(pairs.join("&"))
}

/// Replaces the value of every secret field in `value`; whether any was replaced.
fn json(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(object) => {
            let mut changed = false;
            for (name, field) in object.iter_mut() {
                if is_secret_field(name) {
                    if field.as_str() != Some(REDACTED) {
                        *field = serde_json::Value::from(REDACTED);
                        changed = true;
                    }
                } else {
                    changed |= json(field);
                }
            }
            changed
        }
        serde_json::Value::Array(items) => items.iter_mut().fold(false, |changed, item| {
            let replaced = json(item);
            changed || replaced
        }),
        _ => false,
    }
}

/// `name=value` pairs joined by `&`, without spaces or line breaks.
fn looks_like_form(text: &str) -> bool {
    !text.is_empty()
        && !text.contains(char::is_whitespace)
        && text.split('&').all(|pair| pair.contains('='))
}

/// `%XX` escapes and `+` decoded, enough to recognise a field's name.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
        match bytes[i] {
            b'%' => {
                if let (Some(high), Some(low)) = (hex(i + 1), hex(i + 2)) {
                    // Two hex digits make one byte: at most 255.
                    out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `body` contains one of [`NEEDLES`], ignoring ASCII case: one pass over the body,
/// comparing a needle only where its first byte is (this runs for every journaled request).
fn mentions_a_secret(body: &[u8]) -> bool {
    (0..body.len()).any(|at| {
        let first = body[at].to_ascii_lowercase();
        NEEDLES.iter().any(|needle| {
            needle[0] == first
                && body
                    .get(at..at + needle.len())
                    .is_some_and(|window| window.eq_ignore_ascii_case(needle))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(input: &str) -> String {
        String::from_utf8(body(input.as_bytes()).into_owned()).unwrap_or_default()
    }

    #[test]
    fn secret_fields_go_at_any_depth_and_in_any_spelling() {
        let text = redacted(
            r#"{"client_id":"c","client_secret":"S1","nested":{"clientSecret":"S2","list":[{"password":"S3"},{"access_token":"S4"}]},"Refresh-Token":"S5","api_key":"S6"}"#,
        );
        for secret in ["S1", "S2", "S3", "S4", "S5", "S6"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains(r#""client_id":"c""#), "{text}");
        let escaped = redacted(r#"{"client\u005fsecret":"S7"}"#);
        assert!(!escaped.contains("S7"), "{escaped}");
    }

    #[test]
    fn a_body_without_a_secret_is_kept_byte_for_byte() {
        let input = r#"{"campaign_id": 12345,  "start_time":1}"#;
        assert!(matches!(body(input.as_bytes()), Cow::Borrowed(_)));
        let monkey = r#"{"monkey": 1}"#;
        assert_eq!(redacted(monkey), monkey);
    }

    #[test]
    fn forms_queries_and_other_text() {
        assert_eq!(
            redacted("grant_type=client_credentials&client_secret=S1"),
            format!("grant_type=client_credentials&client_secret={REDACTED}")
        );
        assert_eq!(
            query("a=1&client%5Fsecret=S2&token=S3"),
            format!("a=1&client%5Fsecret={REDACTED}&token={REDACTED}")
        );
        assert_eq!(query("a=1&b"), "a=1&b");
        assert_eq!(redacted("my secret is S4, really"), REDACTED);
    }

    #[test]
    fn credential_headers() {
        for name in [
            "Authorization",
            "proxy-authorization",
            "Cookie",
            API_KEY_HEADER,
        ] {
            assert!(is_secret_header(name), "{name}");
        }
        assert!(!is_secret_header("accept"));
    }
}
