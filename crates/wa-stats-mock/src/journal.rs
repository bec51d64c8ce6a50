//! The journal of received requests, for tests to assert on. Credentials are redacted on entry,
//! so no credential is ever stored, returned or printed.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::Bytes;
use http::HeaderName;
use serde::Serialize;
use tokio::time::Instant;
use wa_stats_model::secret::REDACTED;

use crate::redact;

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
    /// Query string, if any, with the value of every secret field (`client_secret`, `token`,
    /// `password`, …) redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Headers in received order as (lower-case name, value), a repeated name's values together
    /// at its first place (as `http::HeaderMap` keeps them); the values of credential headers
    /// (`authorization`, `proxy-authorization`, `cookie`, `x-ins-auth-key`, …) read
    /// `** redacted **`.
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced), at most [`JournalEntry::BODY_LIMIT`] (16 KiB) of
    /// it; see `body_cut`. On every path,
    /// the value of every secret field (`client_secret`, `password`, `access_token`, …, at any
    /// depth of JSON, or in a form) reads `** redacted **`; a body that names such a field but
    /// is neither JSON nor a form is replaced whole.
    pub body: String,
    /// Whether `body` was cut at [`JournalEntry::BODY_LIMIT`] bytes: the request's body was longer.
    /// Serialised only when `true`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub body_cut: bool,
    /// The status answered; `None` if the connection was closed instead or the answer is
    /// still being made.
    pub status: Option<u16>,
    /// When the request was received (its body read), in microseconds since the journal began
    /// (the server's start or its last reset), on tokio's clock: for tests that count requests
    /// in a sliding window.
    pub received_us: u64,
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

impl JournalEntry {
    /// The most bytes of a body one journal entry keeps; a longer body is cut there and the
    /// entry says so (`body_cut`). Every statistics request fits many times over.
    pub const BODY_LIMIT: usize = JOURNAL_BODY_LIMIT;

    /// The most entries received within any one `window`, by the model's rule
    /// ([`wa_stats_model::window::peak_in_window`]: a request exactly one window after another
    /// falls in the next, as the mock's limiter counts), for tests that check pacing.
    ///
    /// ```
    /// use std::time::Duration;
    /// use wa_stats_mock::JournalEntry;
    /// # async fn demo(server: wa_stats_mock::MockServer) {
    /// let peak = JournalEntry::peak_in_window(&server.journal(), Duration::from_secs(1));
    /// assert!(peak <= 100);
    /// # }
    /// ```
    pub fn peak_in_window(entries: &[Self], window: std::time::Duration) -> usize {
        let mut at: Vec<std::time::Duration> = entries
            .iter()
            .map(|entry| std::time::Duration::from_micros(entry.received_us))
            .collect();
        at.sort_unstable();
        wa_stats_model::window::peak_in_window(&at, window)
    }
}

/// [`JournalEntry::BODY_LIMIT`].
pub(crate) const JOURNAL_BODY_LIMIT: usize = 16 * 1024;

/// Default bound on the bytes the journal holds (its entries' packed requests and their
/// bookkeeping): the oldest entries go first when a new one would pass it.
pub(crate) const DEFAULT_JOURNAL_MAX_BYTES: usize = 32 * 1024 * 1024;

/// The smallest bound the journal takes: one entry of the largest request hyper reads (its
/// header buffer, about 400 KiB) plus a cut body must fit.
pub(crate) const MIN_JOURNAL_MAX_BYTES: usize = 1024 * 1024;

/// Bytes counted per entry besides its packed request: the queue slot, the `Arc` and the
/// allocator's rounding, roughly.
const ENTRY_OVERHEAD: usize = 96;

/// What the journal keeps of a request until someone reads it: method, target, headers and body
/// packed into one allocation, credentials already replaced. Strings are built only when the
/// journal is read. (Sharing the request's `HeaderMap` instead cost a clone of its tables and a
/// reference count per header on the way in, and as much again on eviction: 2 400 instructions
/// per request against 1 100 for this.)
pub(crate) struct Recorded {
    seq: u64,
    received: Instant,
    body_cut: bool,
    /// `method`, then `path[?query]`, then each header as (name, value), then the body; every
    /// part but the body led by its length as four little-endian bytes.
    packed: Vec<u8>,
}

impl Recorded {
    pub(crate) fn new(parts: &http::request::Parts, body: &Bytes) -> Self {
        let body = redact::body(body);
        let body_cut = body.len() > JOURNAL_BODY_LIMIT;
        let body: &[u8] = &body[..body.len().min(JOURNAL_BODY_LIMIT)];
        let path = parts.uri.path();
        let query = parts.uri.query().map(redact::query);
        let query = query.as_deref();
        let target_len = path.len() + query.map_or(0, |q| q.len() + 1);
        let headers = || {
            parts.headers.iter().map(|(name, value)| {
                let value = if is_credential(name) {
                    REDACTED.as_bytes()
                } else {
                    value.as_bytes()
                };
                (name.as_str().as_bytes(), value)
            })
        };
        let header_len: usize = headers()
            .map(|(name, value)| 8 + name.len() + value.len())
            .sum();
        let method = parts.method.as_str().as_bytes();
        let mut packed =
            Vec::with_capacity(8 + method.len() + target_len + 4 + header_len + body.len());
        put(&mut packed, method);
        put_len(&mut packed, target_len);
        packed.extend_from_slice(path.as_bytes());
        if let Some(query) = query {
            packed.push(b'?');
            packed.extend_from_slice(query.as_bytes());
        }
        put_len(&mut packed, parts.headers.len());
        for (name, value) in headers() {
            put(&mut packed, name);
            put(&mut packed, value);
        }
        packed.extend_from_slice(body);
        Self {
            seq: 0,
            received: Instant::now(),
            body_cut,
            packed,
        }
    }

    /// Bytes this entry holds against the journal's bound.
    fn size(&self) -> usize {
        self.packed.capacity() + ENTRY_OVERHEAD
    }

    pub(crate) fn entry(&self, status: Option<u16>, began: Instant) -> JournalEntry {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        let mut rest = self.packed.as_slice();
        let method = take(&mut rest);
        let target = take(&mut rest);
        let (path, query) = match target.iter().position(|&b| b == b'?') {
            Some(at) => (&target[..at], Some(text(&target[at + 1..]))),
            None => (target, None),
        };
        let count = take_len(&mut rest);
        let headers = (0..count)
            .map(|_| {
                let name = text(take(&mut rest));
                (name, text(take(&mut rest)))
            })
            .collect();
        JournalEntry {
            seq: self.seq,
            method: text(method),
            path: text(path),
            query,
            headers,
            body: text(rest),
            body_cut: self.body_cut,
            status,
            received_us: u64::try_from(self.received.saturating_duration_since(began).as_micros())
                .unwrap_or(u64::MAX),
        }
    }
}

/// Shows what a reader of the journal would see (credentials are already replaced).
impl std::fmt::Debug for Recorded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No journal to count from here: the entry's own instant is its zero.
        self.entry(None, self.received).fmt(f)
    }
}

fn put_len(packed: &mut Vec<u8>, len: usize) {
    // Parts come from one request of at most hyper's buffer size: far below 4 GiB.
    let len = u32::try_from(len).unwrap_or(u32::MAX);
    packed.extend_from_slice(&len.to_le_bytes());
}

fn put(packed: &mut Vec<u8>, part: &[u8]) {
    put_len(packed, part.len());
    packed.extend_from_slice(part);
}

fn take_len(rest: &mut &[u8]) -> usize {
    let (len, after) = rest.split_first_chunk::<4>().unwrap_or((&[0; 4], &[]));
    *rest = after;
    usize::try_from(u32::from_le_bytes(*len)).unwrap_or(usize::MAX)
}

fn take<'a>(rest: &mut &'a [u8]) -> &'a [u8] {
    let len = take_len(rest).min(rest.len());
    let (part, after) = rest.split_at(len);
    *rest = after;
    part
}

fn is_credential(name: &HeaderName) -> bool {
    redact::is_secret_header(name.as_str())
}

/// An entry as kept: the request, shared with readers that stream it, and its status.
#[derive(Debug, Clone)]
pub(crate) struct Kept {
    pub(crate) recorded: Arc<Recorded>,
    pub(crate) status: Option<u16>,
}

/// The last entries, at most `capacity` of them and `max_bytes` in all.
#[derive(Debug)]
pub(crate) struct Journal {
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    began: Instant,
    next_seq: u64,
    entries: VecDeque<Kept>,
}

impl Journal {
    pub(crate) fn new(capacity: usize, max_bytes: usize) -> Self {
        Self {
            capacity,
            max_bytes,
            bytes: 0,
            began: Instant::now(),
            next_seq: 0,
            entries: VecDeque::new(),
        }
    }

    /// Records an entry and returns its sequence number (every request gets one, kept or
    /// not), and the oldest entries that had to go: the caller drops them after releasing the
    /// lock, so that freeing them does not hold up the other requests waiting to record theirs.
    pub(crate) fn push(&mut self, mut entry: Recorded) -> (u64, Vec<Kept>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        entry.seq = seq;
        let size = entry.size();
        let mut evicted = Vec::new();
        while !self.entries.is_empty()
            && (self.entries.len() >= self.capacity || self.bytes + size > self.max_bytes)
        {
            if let Some(old) = self.entries.pop_front() {
                self.bytes -= old.recorded.size();
                evicted.push(old);
            }
        }
        self.bytes += size;
        self.entries.push_back(Kept {
            recorded: Arc::new(entry),
            status: None,
        });
        (seq, evicted)
    }

    /// Sets the status of entry `seq`, if it is still kept.
    pub(crate) fn set_status(&mut self, seq: u64, status: u16) {
        if let Some(entry) = self
            .entries
            .iter_mut()
            .rev()
            .find(|e| e.recorded.seq == seq)
        {
            entry.status = Some(status);
        }
    }

    pub(crate) fn entries(&self) -> Vec<JournalEntry> {
        self.entries
            .iter()
            .map(|kept| kept.recorded.entry(kept.status, self.began))
            .collect()
    }

    /// Up to `limit` kept entries from sequence number `since` on, cheap to take under the lock
    /// (one reference count each), with the instant their times count from.
    pub(crate) fn page(&self, since: u64, limit: usize) -> (Vec<Kept>, Instant) {
        let page = self
            .entries
            .iter()
            .filter(|kept| kept.recorded.seq >= since)
            .take(limit)
            .cloned()
            .collect();
        (page, self.began)
    }

    /// Requests counted since the start or the last reset, kept or not.
    pub(crate) fn received(&self) -> u64 {
        self.next_seq
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
        self.next_seq = 0;
        self.began = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn recorded(path: &str) -> Recorded {
        let (parts, ()) = http::Request::post(path)
            .body(())
            .expect("request")
            .into_parts();
        Recorded::new(&parts, &Bytes::new())
    }

    #[test]
    fn the_oldest_entry_goes_first_and_is_handed_back() {
        let mut journal = Journal::new(2, DEFAULT_JOURNAL_MAX_BYTES);
        assert_eq!(journal.push(recorded("/a")).0, 0);
        assert_eq!(journal.push(recorded("/b")).0, 1);
        let (seq, evicted) = journal.push(recorded("/c"));
        assert_eq!(seq, 2);
        assert_eq!(
            evicted
                .iter()
                .map(|e| e.recorded.entry(None, Instant::now()).path)
                .collect::<Vec<_>>(),
            ["/a".to_owned()]
        );
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
    fn what_goes_in_comes_out_as_text() {
        let request = http::Request::put("/x/y?a=1&b=?")
            .header("x-raw", HeaderValue::from_bytes(b"caf\xe9").expect("value"))
            .header("x-empty", "")
            .header("x-raw", "second")
            .body(())
            .expect("request");
        let (parts, ()) = request.into_parts();
        let entry =
            Recorded::new(&parts, &Bytes::from_static(b"{\"a\":\xff}")).entry(None, Instant::now());
        assert_eq!(
            (
                entry.method.as_str(),
                entry.path.as_str(),
                entry.query.as_deref()
            ),
            ("PUT", "/x/y", Some("a=1&b=?"))
        );
        assert_eq!(
            entry.headers,
            [
                ("x-raw", "caf\u{fffd}"),
                ("x-raw", "second"),
                ("x-empty", "")
            ]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
        assert_eq!(entry.body, "{\"a\":\u{fffd}}");
        let bare = recorded("/");
        assert_eq!(
            (
                bare.entry(None, Instant::now()).query,
                bare.entry(None, Instant::now()).headers.len(),
                bare.entry(None, Instant::now()).body
            ),
            (None, 0, String::new())
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
        let entry = recorded.entry(None, Instant::now());
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
