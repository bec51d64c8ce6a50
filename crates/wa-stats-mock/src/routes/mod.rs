//! The HTTP surface: both statistics routes, the token endpoint, `/healthz`, the admin API, and
//! the middleware that journals and logs every request.

mod admin;
mod admin_guard;
mod admin_journal;
mod apply_fault;
mod respond;
mod statistics;
mod token;

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get};
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use wa_stats_model::CredentialKind;
use wa_stats_model::endpoint::{
    API_KEY_STATISTICS_PATH, MAX_REQUEST_BODY_BYTES, OAUTH_STATISTICS_PATH, TOKEN_PATH,
};

pub(crate) use apply_fault::{ConnectionControl, ConnectionEnd};
pub(crate) use respond::error;

use crate::journal::Recorded;
use crate::state::{AdminAccess, AppState, lock};

/// Path prefix of the admin API.
pub(crate) const ADMIN_PREFIX: &str = "/__admin";
/// Path of the health check.
pub(crate) const HEALTH_PATH: &str = "/healthz";
/// The `tracing` target of the one line logged per request, so that it can be filtered on its
/// own (`RUST_LOG=wa_stats_mock::request=off`).
pub(crate) const REQUEST_LOG_TARGET: &str = "wa_stats_mock::request";

/// The mock's whole HTTP surface, for serving or for `tower::ServiceExt::oneshot` tests.
///
/// Faults that close the connection need a real connection; through `oneshot` they surface as
/// a body error instead.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new()
        .route(
            OAUTH_STATISTICS_PATH,
            any(|state, request| statistics::handle(state, CredentialKind::BearerToken, request)),
        )
        .route(
            API_KEY_STATISTICS_PATH,
            any(|state, request| statistics::handle(state, CredentialKind::ApiKey, request)),
        )
        .route(TOKEN_PATH, any(token::handle))
        .route(HEALTH_PATH, get(healthz));
    if state.shared.settings.admin != AdminAccess::Off {
        router = router.nest(ADMIN_PREFIX, admin::router(state.clone()));
    }
    router
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

async fn healthz() -> Response {
    respond::json(
        http::StatusCode::OK,
        Bytes::from_static(br#"{"status":"ok"}"#),
    )
}

async fn not_found() -> Response {
    error(wa_stats_model::ErrorResponse::not_found())
}

/// Journals API requests and logs one line per request (method, path, status, latency; never a
/// header value, so never a credential).
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Timing and the log line cost nothing unless a subscriber listens (the library's default).
    let log = tracing::enabled!(target: REQUEST_LOG_TARGET, tracing::Level::INFO).then(|| {
        let uri = request.uri().clone();
        (Instant::now(), request.method().clone(), uri)
    });
    let path = request.uri().path();
    let journaled = state.shared.settings.journal_capacity > 0
        && path != HEALTH_PATH
        && !path.starts_with(ADMIN_PREFIX);
    let response = if journaled {
        let (parts, body) = request.into_parts();
        let (body, timed_out) = match read_limited(body).await {
            Ok(body) => (body, false),
            Err(Partial(body)) => (body, true),
        };
        let recorded = Recorded::new(&parts, &body);
        let (seq, evicted) = lock(&state.shared.journal).push(recorded);
        drop(evicted);
        let response = if timed_out {
            respond::request_timeout()
        } else {
            next.run(Request::from_parts(parts, Body::from(body))).await
        };
        lock(&state.shared.journal).set_status(seq, response.status().as_u16());
        response
    } else {
        next.run(request).await
    };
    if let Some((started, method, uri)) = log {
        tracing::info!(
            target: REQUEST_LOG_TARGET,
            %method,
            path = uri.path(),
            status = response.status().as_u16(),
            latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "request"
        );
    }
    response
}

/// What arrived of a body whose time ran out ([`crate::body_deadline`]).
pub(crate) struct Partial(pub(crate) Bytes);

/// Reads at most `MAX_REQUEST_BODY_BYTES + 1` bytes: enough for `parse_request` to tell a body
/// that is too large (R4) without holding an unbounded one. A body that breaks off counts as
/// what arrived; one whose time ran out is `Err` with what arrived, to be answered 408. A body
/// that comes in one chunk (the usual case, and always once the journal has buffered it) is
/// returned without a copy.
pub(crate) async fn read_limited(body: Body) -> Result<Bytes, Partial> {
    let limit = MAX_REQUEST_BODY_BYTES + 1;
    let mut body = body;
    let mut first: Option<Bytes> = None;
    let mut buffer = BytesMut::new();
    loop {
        let held = first.as_ref().map_or(0, Bytes::len) + buffer.len();
        if held >= limit {
            break;
        }
        let data = match body.frame().await {
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => data,
                Err(_) => continue,
            },
            Some(Err(error)) => {
                if crate::body_deadline::is_timeout(&error) {
                    return Err(Partial(first.unwrap_or_else(|| buffer.freeze())));
                }
                break;
            }
            None => break,
        };
        let data = data.slice(..data.len().min(limit - held));
        match first.take() {
            None if buffer.is_empty() => first = Some(data),
            previous => {
                if let Some(previous) = previous {
                    buffer.extend_from_slice(&previous);
                }
                buffer.extend_from_slice(&data);
            }
        }
    }
    Ok(first.unwrap_or_else(|| buffer.freeze()))
}
