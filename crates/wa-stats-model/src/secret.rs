//! A string that never shows itself in `Debug` or `Display` (R15).

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a [`Secret`] prints instead of its value.
pub const REDACTED: &str = "** redacted **";

/// A credential: an API key, an access token or a client secret.
///
/// It serialises as the plain string (it has to go on the wire), but `Debug` and `Display` print
/// [`REDACTED`], so a secret cannot reach a log line, an error message or a panic by accident.
/// Reading the value takes a deliberate call to [`Secret::expose`].
///
/// ```
/// use wa_stats_model::Secret;
/// let key = Secret::new("INS.demo-key");
/// assert_eq!(format!("{key:?} {key}"), "** redacted ** ** redacted **");
/// assert_eq!(key.expose(), "INS.demo-key");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself, for putting on the wire. Never log what this returns.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `true` for an empty string, which no server accepts as a credential.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}
