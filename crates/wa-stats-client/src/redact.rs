//! The one place the client takes its own credentials out of what a server sent back: a server
//! (or a proxy) that quotes the request in an error body would otherwise have the API key, the
//! bearer token, the client secret or the current access token printed by whoever shows the
//! error. Each credential, as given and as JSON escapes it, becomes `** redacted **` in every
//! body kept in an error, every message classified from one, and every decoder message about one.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use wa_stats_model::secret::REDACTED;

use crate::error::BoxError;

/// The credentials of one exchange that a server's answer may quote back.
#[derive(Default)]
pub(crate) struct Redactor<'a> {
    secrets: Vec<&'a str>,
}

impl fmt::Debug for Redactor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl<'a> Redactor<'a> {
    /// Redacts each of `secrets` that is not empty.
    pub(crate) fn new(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            secrets: secrets.into_iter().filter(|s| !s.is_empty()).collect(),
        }
    }

    /// `text` with every secret, and its JSON-escaped form, replaced.
    pub(crate) fn text<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut text = Cow::Borrowed(text);
        for secret in &self.secrets {
            for form in forms(secret) {
                if text.contains(form.as_ref()) {
                    text = Cow::Owned(text.replace(form.as_ref(), REDACTED));
                }
            }
        }
        text
    }

    /// A body with every secret replaced (invalid UTF-8 is kept byte for byte when no secret is
    /// in it, and replaced by U+FFFD when one is).
    pub(crate) fn body(&self, body: Bytes) -> Bytes {
        let lossy = String::from_utf8_lossy(&body);
        match self.text(&lossy) {
            Cow::Borrowed(_) => body,
            Cow::Owned(clean) => Bytes::from(clean),
        }
    }

    /// A decoder's error, kept as it is unless its message quotes a secret, in which case its
    /// message is kept, redacted, and the error itself dropped.
    pub(crate) fn error(&self, error: BoxError) -> BoxError {
        let message = error.to_string();
        match self.text(&message) {
            Cow::Borrowed(_) => error,
            Cow::Owned(clean) => clean.into(),
        }
    }
}

/// A secret as given, and as a JSON string writes it when that differs (`/` and `"` escaped,
/// control characters as `\u00XX`).
fn forms(secret: &str) -> Vec<Cow<'_, str>> {
    let mut forms = vec![Cow::Borrowed(secret)];
    if let Ok(quoted) = serde_json::to_string(secret) {
        let escaped = &quoted[1..quoted.len() - 1];
        if escaped != secret {
            forms.push(Cow::Owned(escaped.to_owned()));
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_in_either_form_is_replaced_and_nothing_else() {
        let redactor = Redactor::new(["INS.key", "", "se\"cret"]);
        assert_eq!(
            redactor.text(r#"{"key":"INS.key","s":"se\"cret"} INS.key"#),
            r#"{"key":"** redacted **","s":"** redacted **"} ** redacted **"#
        );
        assert!(matches!(redactor.text("nothing here"), Cow::Borrowed(_)));
        let body = Bytes::from_static(b"\xff no secret");
        assert_eq!(redactor.body(body.clone()), body);
        assert_eq!(
            redactor.body(Bytes::from_static(b"key INS.key")),
            "key ** redacted **"
        );
        let error: BoxError = "invalid type: string \"INS.key\"".into();
        assert_eq!(
            redactor.error(error).to_string(),
            "invalid type: string \"** redacted **\""
        );
    }
}
