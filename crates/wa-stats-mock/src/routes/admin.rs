//! The admin API under `/__admin/`: the library handle's test controls over HTTP, so that client
//! tests in any language can script faults and read the journal.
//!
//! `POST /__admin/reset`, `POST /__admin/faults`, `GET /__admin/journal`,
//! `PUT /__admin/campaigns/{id}`. See docs/mock.md for the bodies.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post, put};
use http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use wa_stats_model::ErrorResponse;
use wa_stats_model::endpoint::bearer_token;

use super::respond;
use crate::fault::Fault;
use crate::fixtures::CampaignFixture;
use crate::state::{AdminAccess, AppState};

/// Largest admin request body: a campaign with years of days fits easily.
const MAX_ADMIN_BODY_BYTES: usize = 16 * 1024 * 1024;

pub(super) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/reset", post(reset))
        .route("/faults", post(add_fault))
        .route("/journal", get(journal))
        .route("/campaigns/{id}", put(upsert_campaign))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_ADMIN_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state, authorize))
}

/// With an admin token, every admin request must carry `Authorization: Bearer <token>`.
async fn authorize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let AdminAccess::Token(expected) = &state.shared.settings.admin
        && !has_token(request.headers(), expected)
    {
        return respond::error(ErrorResponse::unauthorized(None));
    }
    next.run(request).await
}

fn has_token(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer_token)
        .is_some_and(|token| token == expected)
}

fn bad_request(message: impl std::fmt::Display) -> Response {
    let body = serde_json::json!({ "message": message.to_string() }).to_string();
    respond::json(StatusCode::BAD_REQUEST, body)
}

fn no_content() -> Response {
    let mut response = Response::default();
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

async fn reset(State(state): State<AppState>) -> Response {
    state.reset();
    no_content()
}

async fn journal(State(state): State<AppState>) -> Response {
    let body = serde_json::to_vec(&state.journal()).unwrap_or_default();
    respond::json(StatusCode::OK, body)
}

async fn add_fault(State(state): State<AppState>, body: Bytes) -> Response {
    let spec: FaultSpec = match serde_json::from_slice(&body) {
        Ok(spec) => spec,
        Err(error) => return bad_request(format_args!("invalid fault: {error}")),
    };
    match spec.into_fault() {
        Ok(fault) => {
            state.inject(fault);
            no_content()
        }
        Err(message) => bad_request(format_args!("invalid fault: {message}")),
    }
}

async fn upsert_campaign(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    body: Bytes,
) -> Response {
    let mut value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(error) => return bad_request(format_args!("invalid campaign: {error}")),
    };
    let Some(object) = value.as_object_mut() else {
        return bad_request("invalid campaign: expected a JSON object");
    };
    match object.get("id") {
        None => {
            object.insert("id".to_owned(), id.into());
        }
        Some(given) if given.as_u64() == Some(id) => {}
        Some(_) => return bad_request("invalid campaign: id in the body differs from the path"),
    }
    let campaign: CampaignFixture = match serde_path_to_error::deserialize(value) {
        Ok(campaign) => campaign,
        Err(error) => {
            return bad_request(format_args!(
                "invalid campaign at {}: {}",
                error.path(),
                error.inner()
            ));
        }
    };
    match state.upsert_campaign(&campaign) {
        Ok(()) => no_content(),
        Err(error) => bad_request(error),
    }
}

/// The JSON form of a [`Fault`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FaultSpec {
    status: Option<u16>,
    body: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    delay_ms: Option<u64>,
    close: Option<CloseSpec>,
    times: Option<u32>,
    campaign_id: Option<u64>,
    #[serde(default)]
    route: RouteSpec,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum CloseSpec {
    Connection,
    MidBody,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RouteSpec {
    #[default]
    Statistics,
    Token,
}

impl FaultSpec {
    fn into_fault(self) -> Result<Fault, &'static str> {
        let mut fault = match (self.status, self.close) {
            (Some(_), Some(_)) => return Err("give either status or close, not both"),
            (Some(status), None) => {
                if !(100..=999).contains(&status) {
                    return Err("status must be in 100..=999");
                }
                let mut fault = Fault::status(status).body(self.body.unwrap_or_default());
                for (name, value) in self.headers {
                    fault = fault.header(name, value);
                }
                fault
            }
            (None, close) => {
                if self.body.is_some() || !self.headers.is_empty() {
                    return Err("body and headers need a status");
                }
                match close {
                    Some(CloseSpec::Connection) => Fault::close_connection(),
                    Some(CloseSpec::MidBody) => Fault::close_mid_body(),
                    None if self.delay_ms.is_some() => Fault::delay(Duration::ZERO),
                    None => return Err("give status, close or delayMs"),
                }
            }
        };
        if let Some(ms) = self.delay_ms {
            fault = fault.after(Duration::from_millis(ms));
        }
        if let Some(times) = self.times {
            fault = fault.times(times);
        }
        if let Some(id) = self.campaign_id {
            fault = fault.for_campaign(id);
        }
        if matches!(self.route, RouteSpec::Token) {
            fault = fault.on_token_endpoint();
        }
        Ok(fault)
    }
}
