//! `POST /auth/token` (R14): client credentials in, an expiring bearer token out.

use axum::extract::{Request, State};
use axum::response::Response;
use http::{Method, StatusCode};
use serde_json::error::Category;
use subtle::ConstantTimeEq;
use tokio::time::Instant;
use wa_stats_model::endpoint::MAX_REQUEST_BODY_BYTES;
use wa_stats_model::{ErrorResponse, TokenRequest, TokenResponse};

use super::apply_fault::{self, ConnectionControl};
use super::{read_limited, respond};
use crate::fault::FaultScope;
use crate::state::{AppState, lock};
use crate::store::Client;

/// What a token request body must look like, for error messages that never echo a value (the
/// value could be a secret).
const EXPECTED_BODY: &str =
    r#"expected {"client_id": string, "client_secret": string, "scopes": [string]}"#;

pub(super) async fn handle(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let connection = parts.extensions.get::<ConnectionControl>().cloned();
    let Ok(body) = read_limited(body).await else {
        return respond::request_timeout();
    };
    let outcome =
        apply_fault::before_answer(&state, FaultScope::Token, || None, connection.as_ref()).await;
    let real = || match answer(&state, &parts.method, &body) {
        Ok(token) => respond::json(StatusCode::OK, token),
        Err(error) => respond::error(error),
    };
    apply_fault::answer_with(outcome, real, connection).await
}

/// Method, body, client credentials, scope, issuance limit — in that order.
fn answer(state: &AppState, method: &Method, body: &[u8]) -> Result<Vec<u8>, ErrorResponse> {
    if method != Method::POST {
        return Err(ErrorResponse::method_not_allowed());
    }
    let request = parse(body).map_err(|detail| ErrorResponse::invalid_token_request(&detail))?;
    let client = state
        .shared
        .directory
        .clients
        .get(&request.client_id)
        // Constant time: how long a wrong secret takes must not tell how much of it was right.
        .filter(|client| {
            bool::from(
                client
                    .secret
                    .expose()
                    .as_bytes()
                    .ct_eq(request.client_secret.expose().as_bytes()),
            )
        })
        .ok_or_else(|| ErrorResponse::unauthorized(None))?;
    if !request.has_statistics_scope() {
        return Err(ErrorResponse::scope_required());
    }
    issue(state, client)
}

fn issue(state: &AppState, client: &Client) -> Result<Vec<u8>, ErrorResponse> {
    let ttl = client.token_ttl.unwrap_or(state.shared.settings.token_ttl);
    let token = lock(&state.shared.tokens)
        .issue(client, ttl, Instant::now())
        .ok_or_else(ErrorResponse::rate_limited)?;
    let answer = TokenResponse::bearer(token, ttl.as_secs());
    Ok(serde_json::to_vec(&answer).unwrap_or_default())
}

/// Reads the body; the error text says what is wrong and where, never with a value from it.
fn parse(body: &[u8]) -> Result<TokenRequest, String> {
    if body.len() > MAX_REQUEST_BODY_BYTES {
        return Err("http: request body too large".to_owned());
    }
    serde_json::from_slice(body).map_err(|error| match error.classify() {
        Category::Data => format!(
            "{EXPECTED_BODY} (at line {} column {})",
            error.line(),
            error.column()
        ),
        Category::Io | Category::Syntax | Category::Eof => error.to_string(),
    })
}
