//! `GET /__admin/journal[?since=SEQ][&limit=N]`: the kept entries as one JSON array, written a
//! chunk at a time while the client reads, so that a full journal (32 MiB, up to six times that
//! as JSON when its bodies are control bytes) is never one string in memory.

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, StatusCode, Uri, header};
use tokio::time::Instant;

use super::respond;
use crate::journal::Kept;
use crate::state::{AppState, lock};

/// A chunk is sent once it holds this many bytes (or the entries run out).
const CHUNK_BYTES: usize = 64 * 1024;

/// The header that says how many requests were counted since the start or the last reset,
/// kept or not: a test that needs a count reads it even after entries were evicted.
pub(super) const RECEIVED_HEADER: &str = "x-journal-received";

pub(super) async fn journal(State(state): State<AppState>, uri: Uri) -> Response {
    let (since, limit) = match page_of(uri.query().unwrap_or("")) {
        Ok(page) => page,
        Err(message) => {
            let body = serde_json::json!({ "message": message }).to_string();
            return respond::json(StatusCode::BAD_REQUEST, body);
        }
    };
    let (entries, began, received) = {
        let journal = lock(&state.shared.journal);
        let (entries, began) = journal.page(since, limit);
        (entries, began, journal.received())
    };
    let chunks = Chunks {
        entries: entries.into_iter(),
        began,
        opened: false,
        closed: false,
    };
    let mut response = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(RECEIVED_HEADER, HeaderValue::from(received));
    response
}

/// `since` (the first sequence number wanted; default 0) and `limit` (the most entries;
/// default all).
fn page_of(query: &str) -> Result<(u64, usize), String> {
    let (mut since, mut limit) = (0, usize::MAX);
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "since" => {
                since = value.parse().map_err(|_| {
                    format!("since must be a sequence number (0 or more), got {value:?}")
                })?;
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|limit| *limit > 0)
                    .ok_or_else(|| {
                        format!("limit must be a whole number of at least 1, got {value:?}")
                    })?;
            }
            other => {
                return Err(format!(
                    "unknown parameter {other:?}: the journal takes since=SEQ and limit=N"
                ));
            }
        }
    }
    Ok((since, limit))
}

/// The JSON array, entry by entry, in chunks of about [`CHUNK_BYTES`].
struct Chunks {
    entries: std::vec::IntoIter<Kept>,
    began: Instant,
    opened: bool,
    closed: bool,
}

impl Iterator for Chunks {
    type Item = Result<Bytes, Infallible>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.closed {
            return None;
        }
        let mut chunk = Vec::with_capacity(CHUNK_BYTES);
        if !self.opened {
            chunk.push(b'[');
        }
        while chunk.len() < CHUNK_BYTES {
            let Some(kept) = self.entries.next() else {
                chunk.push(b']');
                self.closed = true;
                break;
            };
            if self.opened {
                chunk.push(b',');
            }
            self.opened = true;
            let entry = kept.recorded.entry(kept.status, self.began);
            // Strings and numbers only: serialising an entry cannot fail.
            let _ = serde_json::to_writer(&mut chunk, &entry);
        }
        self.opened = true;
        Some(Ok(Bytes::from(chunk)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_read_and_bad_ones_named() {
        assert_eq!(page_of(""), Ok((0, usize::MAX)));
        assert_eq!(page_of("since=5&limit=2"), Ok((5, 2)));
        assert!(page_of("limit=0").unwrap_err().contains("limit"));
        assert!(page_of("since=-1").unwrap_err().contains("since"));
        assert!(page_of("from=1").unwrap_err().contains("from"));
    }

    #[test]
    fn an_empty_journal_is_an_empty_array() {
        let chunks = Chunks {
            entries: Vec::new().into_iter(),
            began: Instant::now(),
            opened: false,
            closed: false,
        };
        let text: Vec<u8> = chunks
            .flat_map(|chunk| chunk.map(|bytes| bytes.to_vec()).unwrap_or_default())
            .collect();
        assert_eq!(text, b"[]");
    }
}
