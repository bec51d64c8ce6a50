//! One HTTP exchange: POST a JSON body, read the answer with a size cap and a deadline, and turn
//! the HTTP stack's failures into [`TransportKind`]s.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue};
use url::Url;

use crate::credentials::AuthHeader;
use crate::error::{BoxError, Error, TransportKind};

/// A complete answer, body read in full.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// The per-attempt limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Whole attempt: connect, send, and read the whole body.
    pub(crate) timeout: Duration,
    /// Largest body read.
    pub(crate) max_body_bytes: usize,
}

/// The attempt ran out of time.
#[derive(Debug, thiserror::Error)]
#[error("no complete answer within {0:?}")]
struct AttemptTimedOut(Duration);

/// Sends `body` as JSON to `url` and reads the answer.
pub(crate) async fn post_json(
    http: &reqwest::Client,
    url: &Url,
    auth: Option<&AuthHeader>,
    body: Bytes,
    limits: Limits,
) -> Result<Answer, Error> {
    let mut request = http
        .post(url.clone())
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .body(body);
    if let Some(auth) = auth {
        request = request.header(auth.name.clone(), auth.value.clone());
    }
    let tls = url.scheme() == "https";
    // One attempt; the loop sets the call's count when it gives up.
    let transport = |kind: TransportKind, source: BoxError| Error::Transport {
        kind,
        host: host_and_port(url),
        attempts: 1,
        source,
    };
    let exchange = async {
        let mut response =
            request
                .send()
                .await
                .map_err(|error| match classify_send(&error, tls) {
                    TransportKind::Tls => transport(TransportKind::Tls, crate::tls::explain(error)),
                    kind => transport(kind, error.into()),
                })?;
        let status = response.status().as_u16();
        let too_large = || Error::BodyTooLarge {
            status,
            limit: limits.max_body_bytes,
        };
        // Refuse a declared oversize body without reading a byte of it.
        if response
            .content_length()
            .is_some_and(|length| length > limits.max_body_bytes as u64)
        {
            return Err(too_large());
        }
        let headers = std::mem::take(response.headers_mut());
        let mut collected = BytesMut::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| transport(classify_body(&error), error.into()))?
        {
            if collected.len() + chunk.len() > limits.max_body_bytes {
                return Err(too_large());
            }
            collected.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            headers,
            body: collected.freeze(),
        })
    };
    match tokio::time::timeout(limits.timeout, exchange).await {
        Ok(result) => result,
        Err(_elapsed) => Err(transport(
            TransportKind::Timeout,
            AttemptTimedOut(limits.timeout).into(),
        )),
    }
}

/// `host:port` of `url`, as a person would type it to reach the server.
fn host_and_port(url: &Url) -> String {
    match (url.host_str(), url.port_or_known_default()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => url.to_string(),
    }
}

fn classify_send(error: &reqwest::Error, tls: bool) -> TransportKind {
    if error.is_timeout() {
        TransportKind::Timeout
    } else if error.is_connect() {
        // rustls reports handshake and certificate failures as `InvalidData` I/O errors; a plain
        // TCP failure (refused, unreachable, DNS) never is.
        if tls && has_io_kind(error, std::io::ErrorKind::InvalidData) {
            TransportKind::Tls
        } else {
            TransportKind::Connect
        }
    } else if error.is_body() || error.is_decode() {
        TransportKind::BodyCutShort
    } else {
        TransportKind::Other
    }
}

fn classify_body(error: &reqwest::Error) -> TransportKind {
    if error.is_timeout() {
        TransportKind::Timeout
    } else {
        TransportKind::BodyCutShort
    }
}

/// Whether an I/O error of `kind` is anywhere in the chain. `io::Error::source` skips the error
/// it wraps (it returns that error's source), so wrapped I/O errors are opened with `get_ref`.
fn has_io_kind(error: &(dyn std::error::Error + 'static), kind: std::io::ErrorKind) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            if io.kind() == kind {
                return true;
            }
            if let Some(inner) = io.get_ref() {
                let inner: &(dyn std::error::Error + 'static) = inner;
                if has_io_kind(inner, kind) {
                    return true;
                }
            }
        }
        current = error.source();
    }
    false
}
