//! The journal of received requests, for tests to assert on. Credentials are redacted on entry,
//! so no credential is ever stored, returned or printed.

use std::collections::VecDeque;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
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

/// What the journal keeps of a request until someone reads it: the parts are shared, not
/// copied (a few reference counts and two small allocations per request, where copying every
/// header and the body into strings was an eighth of the statistics route's instructions), and
/// credentials are already replaced.
#[derive(Debug)]
pub(crate) struct Recorded {
    seq: u64,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    status: Option<u16>,
}

impl Recorded {
    pub(crate) fn new(parts: &http::request::Parts, body: &Bytes) -> Self {
        let body = if parts.uri.path() == TOKEN_PATH {
            Bytes::from(redacted_token_body(body))
        } else {
            body.clone()
        };
        let mut headers = parts.headers.clone();
        for (name, value) in &mut headers {
            if is_credential(name) {
                *value = HeaderValue::from_static(REDACTED);
            }
        }
        Self {
            seq: 0,
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            headers,
            body,
            status: None,
        }
    }

    fn entry(&self) -> JournalEntry {
        JournalEntry {
            seq: self.seq,
            method: self.method.to_string(),
            path: self.uri.path().to_owned(),
            query: self.uri.query().map(str::to_owned),
            headers: self
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_owned(), value)
                })
                .collect(),
            body: String::from_utf8_lossy(&self.body).into_owned(),
            status: self.status,
        }
    }
}

fn is_credential(name: &HeaderName) -> bool {
    name == http::header::AUTHORIZATION || name.as_str() == API_KEY_HEADER
}

/// The last `capacity` entries.
#[derive(Debug)]
pub(crate) struct Journal {
    capacity: usize,
    next_seq: u64,
    entries: VecDeque<Recorded>,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            next_seq: 0,
            entries: VecDeque::new(),
        }
    }

    /// Records an entry and returns its sequence number, and the oldest entry if it had to go:
    /// the caller drops that after releasing the lock, so that freeing it does not hold up the
    /// other requests waiting to record theirs.
    pub(crate) fn push(&mut self, mut entry: Recorded) -> (u64, Option<Recorded>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        entry.seq = seq;
        let evicted = if self.entries.len() >= self.capacity {
            self.entries.pop_front()
        } else {
            None
        };
        self.entries.push_back(entry);
        (seq, evicted)
    }

    /// Sets the status of entry `seq`, if it is still kept.
    pub(crate) fn set_status(&mut self, seq: u64, status: u16) {
        if let Some(entry) = self.entries.iter_mut().rev().find(|e| e.seq == seq) {
            entry.status = Some(status);
        }
    }

    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        self.entries.iter().map(Recorded::entry).collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.next_seq = 0;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(path: &str) -> Recorded {
        let (parts, ()) = http::Request::post(path)
            .body(())
            .expect("request")
            .into_parts();
        Recorded::new(&parts, &Bytes::new())
    }

    #[test]
    fn the_oldest_entry_goes_first_and_is_handed_back() {
        let mut journal = Journal::new(2);
        assert_eq!(journal.push(recorded("/a")).0, 0);
        assert_eq!(journal.push(recorded("/b")).0, 1);
        let (seq, evicted) = journal.push(recorded("/c"));
        assert_eq!(seq, 2);
        assert_eq!(evicted.map(|e| e.entry().path), Some("/a".to_owned()));
        // A status for an entry no longer kept changes nothing.
        journal.set_status(0, 500);
        journal.set_status(2, 200);
        let kept: Vec<_> = journal
            .entries()
            .into_iter()
            .map(|e| (e.seq, e.path, e.status))
            .collect();
        assert_eq!(
            kept,
            [(1, "/b".to_owned(), None), (2, "/c".to_owned(), Some(200))]
        );
        journal.clear();
        assert_eq!(
            journal.push(recorded("/d")).0,
            0,
            "a reset starts the count again"
        );
    }

    #[test]
    fn every_credential_value_is_replaced_before_it_is_kept() {
        let request = http::Request::post("/v1/statistics/campaign?x=1")
            .header("x-ins-auth-key", "INS.secret-one")
            .header("Authorization", "Bearer secret-two")
            .header("authorization", "Bearer secret-three")
            .header("accept", "*/*")
            .body(())
            .expect("request");
        let (parts, ()) = request.into_parts();
        let recorded = Recorded::new(&parts, &Bytes::from_static(b"{}"));
        let kept = format!("{recorded:?}");
        assert!(!kept.contains("secret"), "{kept}");
        let entry = recorded.entry();
        assert_eq!(
            entry.headers,
            [
                ("x-ins-auth-key", REDACTED),
                ("authorization", REDACTED),
                ("authorization", REDACTED),
                ("accept", "*/*"),
            ]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
        assert_eq!(
            (entry.path.as_str(), entry.query.as_deref()),
            ("/v1/statistics/campaign", Some("x=1"))
        );
    }
}
