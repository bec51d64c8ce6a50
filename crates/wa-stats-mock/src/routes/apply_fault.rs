//! Carrying out a scripted fault: delay, canned answer, or a connection closed before or during
//! the answer.
//!
//! Closing needs the connection itself, which a handler does not own: the accept loop gives each
//! connection a [`ConnectionControl`] (a request extension) and drops the connection as soon as a
//! handler pulls it.

use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream;
use http::{HeaderName, HeaderValue, StatusCode, header};
use tokio::sync::Notify;

use crate::fault::{Fault, FaultAction, FaultScope};
use crate::state::AppState;

/// How a fault ends the connection its request came on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum ConnectionEnd {
    /// Drop it (FIN).
    #[default]
    Close,
    /// Reset it (RST).
    Reset,
    /// Write these bytes on the socket, below HTTP (and below TLS), then close it.
    Garbage(Bytes),
}

/// Lets a handler end the TCP connection its request came on.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectionControl {
    close: Arc<Notify>,
    end: Arc<Mutex<ConnectionEnd>>,
}

impl ConnectionControl {
    /// Asks the connection's task to drop the connection now.
    pub(crate) fn close(&self) {
        self.end_with(ConnectionEnd::Close);
    }

    /// Asks the connection's task to end the connection now, this way.
    pub(crate) fn end_with(&self, end: ConnectionEnd) {
        *self.end.lock().unwrap_or_else(PoisonError::into_inner) = end;
        // notify_one stores a permit, so a close asked before the task waits is not lost.
        self.close.notify_one();
    }

    /// Resolves, with how to end it, when a handler asked for the connection to be ended.
    pub(crate) async fn ended(&self) -> ConnectionEnd {
        self.close.notified().await;
        std::mem::take(&mut *self.end.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// What the handler does after a fault ran.
pub(crate) enum Outcome {
    /// Answer with this instead of the real answer.
    Answer(Response),
    /// Answer normally: make the answer now, send it after this delay (zero without a fault).
    Continue(Duration),
    /// Answer normally, but break the body off halfway and drop the connection.
    BreakBody,
    /// Answer normally, the body at this many bytes per second.
    SlowBody(u32),
}

/// Applies the first pending fault that matches a request of `scope`, before the answer is made,
/// and says what the handler does next.
pub(crate) async fn before_answer(
    state: &AppState,
    scope: FaultScope,
    campaign_id: impl FnOnce() -> Option<u64>,
    connection: Option<&ConnectionControl>,
) -> Outcome {
    match state.take_fault(scope, campaign_id) {
        Some(fault) => run(fault, connection).await,
        None => Outcome::Continue(Duration::ZERO),
    }
}

/// Answers a request: with the fault's answer, or with the real one made by `real` (held for the
/// fault's delay, or broken off halfway, when the fault said so).
pub(crate) async fn answer_with(
    outcome: Outcome,
    real: impl FnOnce() -> Response,
    connection: Option<ConnectionControl>,
) -> Response {
    match outcome {
        Outcome::Answer(response) => response,
        Outcome::Continue(delay) => {
            // Made first, sent later: the checks (rate limit, token expiry) see the request when
            // it arrived, as a slow upstream's would; only the answer waits.
            let response = real();
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            response
        }
        Outcome::BreakBody => break_body(real(), connection).await,
        Outcome::SlowBody(bytes_per_second) => slow_body(real(), bytes_per_second).await,
    }
}

/// Runs `fault`'s delay and action; a normal answer's delay is left to [`answer_with`].
async fn run(fault: Fault, connection: Option<&ConnectionControl>) -> Outcome {
    if let FaultAction::Normal = fault.action {
        return Outcome::Continue(fault.delay);
    }
    if !fault.delay.is_zero() {
        tokio::time::sleep(fault.delay).await;
    }
    match fault.action {
        FaultAction::Respond {
            status,
            body,
            headers,
        } => Outcome::Answer(canned(status, body, &headers)),
        FaultAction::CloseConnection => end_connection(connection, ConnectionEnd::Close).await,
        FaultAction::CloseMidBody => Outcome::BreakBody,
        FaultAction::Normal => Outcome::Continue(Duration::ZERO),
        FaultAction::Reset => end_connection(connection, ConnectionEnd::Reset).await,
        FaultAction::RawBytes(bytes) => {
            end_connection(connection, ConnectionEnd::Garbage(Bytes::from(bytes))).await
        }
        // The request was read (the journal has it); the answer never comes. The connection's
        // task holds the socket open until the client gives up or the server stops.
        FaultAction::Stall => std::future::pending::<Outcome>().await,
        FaultAction::SlowBody { bytes_per_second } => Outcome::SlowBody(bytes_per_second),
    }
}

/// Ends the connection as `end` says; without a connection (a `oneshot` test), a body error.
async fn end_connection(connection: Option<&ConnectionControl>, end: ConnectionEnd) -> Outcome {
    match connection {
        Some(connection) => {
            connection.end_with(end);
            // The connection task drops this future together with the connection.
            std::future::pending::<Outcome>().await
        }
        None => Outcome::Answer(Response::new(Body::from_stream(stream::once(async {
            Err::<Bytes, _>(closed_error())
        })))),
    }
}

/// `response` taken apart: its head, with the `content-length` of the whole body (so a client can
/// tell a short body from a slow one), and the body's bytes. Our own answers are small and
/// complete; a body that fails to collect counts as empty.
async fn whole_body(response: Response) -> (axum::http::response::Parts, Bytes) {
    let (mut parts, body) = response.into_parts();
    let full = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(full.len()));
    (parts, full)
}

/// `response` with its body sent at `bytes_per_second`: a tenth of a second's worth (at least a
/// byte) at a time, the first piece at once, each next one when the rate allows it. The
/// `content-length` stays, so the client knows what is coming.
async fn slow_body(response: Response, bytes_per_second: u32) -> Response {
    let (parts, full) = whole_body(response).await;
    let per_tick = usize::try_from(bytes_per_second / 10)
        .unwrap_or(usize::MAX)
        .max(1);
    #[allow(
        clippy::cast_precision_loss,
        reason = "a piece is at most 429 MB; the pause needs no more precision than f64 has"
    )]
    let pause = Duration::from_secs_f64(per_tick as f64 / f64::from(bytes_per_second));
    let pieces: Vec<Bytes> = (0..full.len())
        .step_by(per_tick)
        .map(|start| full.slice(start..full.len().min(start + per_tick)))
        .collect();
    let paced =
        stream::iter(pieces.into_iter().enumerate()).then(move |(index, piece)| async move {
            if index > 0 {
                tokio::time::sleep(pause).await;
            }
            Ok::<Bytes, io::Error>(piece)
        });
    Response::from_parts(parts, Body::from_stream(paced))
}

/// `response` with its body cut off after half its bytes, then the connection dropped. The
/// `content-length` of the whole body is kept, so the client can tell that the body is short.
async fn break_body(response: Response, connection: Option<ConnectionControl>) -> Response {
    let (parts, full) = whole_body(response).await;
    let half = full.slice(..full.len() / 2);
    let first = stream::once(async move { Ok::<Bytes, io::Error>(half) });
    let rest = stream::once(async move {
        match connection {
            Some(connection) => {
                connection.close();
                std::future::pending::<Result<Bytes, io::Error>>().await
            }
            None => Err(closed_error()),
        }
    });
    Response::from_parts(parts, Body::from_stream(first.chain(rest)))
}

fn closed_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection closed by a scripted fault",
    )
}

fn canned(status: u16, body: String, headers: &[(String, String)]) -> Response {
    let is_json = !body.is_empty() && serde_json::from_str::<serde::de::IgnoredAny>(&body).is_ok();
    let mut response = Response::new(Body::from(body.clone()));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if !body.is_empty() {
        let content_type = if is_json {
            "application/json"
        } else {
            "text/plain; charset=utf-8"
        };
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            if name == header::CONTENT_TYPE {
                response.headers_mut().insert(name, value);
            } else {
                response.headers_mut().append(name, value);
            }
        }
    }
    response
}
