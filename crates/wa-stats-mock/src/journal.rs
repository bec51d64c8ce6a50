//! The journal of received requests, for tests to assert on. Credentials are redacted on entry,
//! so no credential is ever stored, returned or printed.

use std::collections::VecDeque;

use http::HeaderMap;
use serde::Serialize;
use wa_stats_model::endpoint::{API_KEY_HEADER, TOKEN_PATH};
use wa_stats_model::secret::REDACTED;

/// One received request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct JournalEntry {
    /// Position since the server started (or since the last reset), from 0.
    pub seq: u64,
    /// HTTP method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// Query string, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Headers in received order as (lower-case name, value); `authorization` and
    /// `x-ins-auth-key` values read `** redacted **`.
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced), at most 64 KiB + 1 byte of it. On
    /// `/auth/token` the `client_secret` value reads `** redacted **` (and a body that is not a
    /// JSON object is replaced whole).
    pub body: String,
    /// The status answered; `None` if the connection was closed instead or the answer is
    /// still being made.
    pub status: Option<u16>,
}

impl JournalEntry {
    /// The value of the first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Redacted copies of `headers`.
pub(crate) fn redacted_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let secret = name == http::header::AUTHORIZATION || name.as_str() == API_KEY_HEADER;
            let value = if secret {
                REDACTED.to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), value)
        })
        .collect()
}

/// The last `capacity` entries.
#[derive(Debug)]
pub(crate) struct Journal {
    capacity: usize,
    next_seq: u64,
    entries: VecDeque<JournalEntry>,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            next_seq: 0,
            entries: VecDeque::new(),
        }
    }

    /// Records an entry and returns its sequence number.
    pub(crate) fn push(&mut self, mut entry: JournalEntry) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        entry.seq = seq;
        if self.entries.len() >= self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
        seq
    }

    /// Sets the status of entry `seq`, if it is still kept.
    pub(crate) fn set_status(&mut self, seq: u64, status: u16) {
        if let Some(entry) = self.entries.iter_mut().rev().find(|e| e.seq == seq) {
            entry.status = Some(status);
        }
    }

    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        self.entries.iter().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.next_seq = 0;
    }
}

impl JournalEntry {
    pub(crate) fn new(parts: &http::request::Parts, body: &[u8]) -> Self {
        let path = parts.uri.path();
        let body = if path == TOKEN_PATH {
            redacted_token_body(body)
        } else {
            String::from_utf8_lossy(body).into_owned()
        };
        Self {
            seq: 0,
            method: parts.method.to_string(),
            path: path.to_owned(),
            query: parts.uri.query().map(str::to_owned),
            headers: redacted_headers(&parts.headers),
            body,
            status: None,
        }
    }
}

/// A token request body with its `client_secret` value redacted. A body that is not a JSON
/// object is redacted whole: it might still hold the secret somewhere.
fn redacted_token_body(body: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut object)) => {
            if let Some(secret) = object.get_mut("client_secret") {
                *secret = serde_json::Value::from(REDACTED);
            }
            serde_json::Value::Object(object).to_string()
        }
        _ if body.is_empty() => String::new(),
        _ => REDACTED.to_owned(),
    }
}
