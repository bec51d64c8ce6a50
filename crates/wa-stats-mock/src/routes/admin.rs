//! The admin API under `/__admin/`: the library handle's test controls over HTTP, so that client
//! tests in any language can script faults and read the journal.
//!
//! `POST /__admin/reset`, `POST /__admin/faults`, `GET /__admin/journal`,
//! `POST /__admin/expectations`, `POST /__admin/verify`, `PUT /__admin/campaigns/{id}`. See docs/mock.md for the bodies. Every error is a JSON body
//! `{"message": "..."}` worded for the person who wrote the request, like the API's own errors.

use std::collections::BTreeMap;
use std::time::Duration;

use super::{admin_guard, admin_journal, respond};
use crate::error::MockError;
use crate::fault::Fault;
use crate::fixtures::CampaignFixture;
use crate::json_wording::plain;
use crate::state::AppState;
use crate::store::MAX_CAMPAIGN_ID;
use crate::verify::Expectation;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Request, State};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post, put};
use http::StatusCode;
use serde::Deserialize;

/// The longest `delayMs` a fault may have: an hour is longer than any client's timeout worth
/// testing, and a larger one is more likely a unit mistake than a wish.
const MAX_FAULT_DELAY_MS: u64 = 3_600_000;

/// Headers a fault may not set: they frame the body, and a wrong one breaks the next answer on
/// a keep-alive connection rather than this one (hyper writes its own).
const FRAMING_HEADERS: [&str; 2] = ["content-length", "transfer-encoding"];

/// Largest admin request body: a campaign with years of days fits easily.
const MAX_ADMIN_BODY_BYTES: usize = 16 * 1024 * 1024;

pub(super) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/reset", post(reset))
        .route("/faults", post(add_fault))
        .route("/journal", get(admin_journal::journal))
        .route("/expectations", post(add_expectation))
        .route("/verify", post(verify))
        .route("/campaigns/{id}", put(upsert_campaign))
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_ADMIN_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state, admin_guard::guard))
}

fn bad_request(message: impl std::fmt::Display) -> Response {
    message_body(StatusCode::BAD_REQUEST, message)
}

fn message_body(status: StatusCode, message: impl std::fmt::Display) -> Response {
    let body = serde_json::json!({ "message": message.to_string() }).to_string();
    respond::json(status, body)
}

async fn wrong_method(request: Request) -> Response {
    message_body(
        StatusCode::METHOD_NOT_ALLOWED,
        format_args!(
            "{} is not allowed on {}: POST /__admin/reset, POST /__admin/faults, \
             GET /__admin/journal, POST /__admin/expectations, POST /__admin/verify, \
             PUT /__admin/campaigns/ID",
            request.method(),
            request.uri().path()
        ),
    )
}

/// The JSON error for a body that could not be read (too large, broken off).
fn unreadable_body(rejection: &BytesRejection) -> Response {
    if crate::body_deadline::is_timeout(rejection) {
        return respond::request_timeout();
    }
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        message_body(
            status,
            format_args!(
                "the body is larger than the admin API takes ({} MiB)",
                MAX_ADMIN_BODY_BYTES / (1024 * 1024)
            ),
        )
    } else {
        message_body(status, "the body could not be read")
    }
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

async fn add_fault(State(state): State<AppState>, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return unreadable_body(&rejection),
    };
    let spec: FaultSpec = match serde_json::from_slice(&body) {
        Ok(spec) => spec,
        Err(error) => {
            return bad_request(format_args!("invalid fault: {}", plain(&error.to_string())));
        }
    };
    match spec.into_fault() {
        Ok(fault) => {
            state.inject(fault);
            no_content()
        }
        Err(message) => bad_request(format_args!("invalid fault: {message}")),
    }
}

async fn add_expectation(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return unreadable_body(&rejection),
    };
    let spec: ExpectationSpec = match serde_json::from_slice(&body) {
        Ok(spec) => spec,
        Err(error) => {
            return bad_request(format_args!(
                "invalid expectation: {}",
                plain(&error.to_string())
            ));
        }
    };
    match spec.into_expectation() {
        Ok(expectation) => {
            state.expect(expectation);
            no_content()
        }
        Err(message) => bad_request(format_args!("invalid expectation: {message}")),
    }
}

/// 204 when every expectation is met; 409 with the whole account as `message` when not.
async fn verify(State(state): State<AppState>) -> Response {
    match state.verify() {
        Ok(()) => no_content(),
        Err(error) => message_body(StatusCode::CONFLICT, error.report()),
    }
}

/// The JSON form of an [`Expectation`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ExpectationSpec {
    method: Option<String>,
    path: Option<String>,
    route: Option<RouteSpec>,
    campaign_id: Option<u64>,
    times: Option<u64>,
    at_least: Option<u64>,
    at_most: Option<u64>,
}

impl ExpectationSpec {
    fn into_expectation(self) -> Result<Expectation, &'static str> {
        let mut expectation = match (self.path, self.route) {
            (Some(_), Some(_)) => return Err("give either path or route, not both"),
            (Some(path), None) => Expectation::path(path),
            (None, Some(RouteSpec::Token)) => {
                Expectation::path(wa_stats_model::endpoint::TOKEN_PATH)
            }
            (None, Some(RouteSpec::Statistics)) => Expectation::statistics(),
            (None, None) if self.campaign_id.is_some() => Expectation::statistics(),
            (None, None) => Expectation::any_request(),
        };
        if self.campaign_id.is_some_and(|id| id > MAX_CAMPAIGN_ID) {
            return Err("campaignId must be at most 9223372036854775807 (a signed 64-bit integer)");
        }
        if let Some(method) = &self.method {
            expectation = expectation.method(method);
        }
        if let Some(id) = self.campaign_id {
            expectation = expectation.for_campaign(id);
        }
        expectation = match (self.times, self.at_least, self.at_most) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err("give either times or atLeast/atMost, not both");
            }
            (Some(times), None, None) => expectation.times(times),
            (None, Some(low), Some(high)) if low > high => {
                return Err("atLeast must not be more than atMost");
            }
            (None, low, high) => expectation.times_in((
                low.map_or(std::ops::Bound::Included(1), std::ops::Bound::Included),
                high.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Included),
            )),
        };
        Ok(expectation)
    }
}

async fn upsert_campaign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(id) = id
        .parse::<u64>()
        .ok()
        .filter(|id| (1..=MAX_CAMPAIGN_ID).contains(id))
    else {
        return bad_request(format_args!(
            "the campaign ID in the path must be a whole number greater than 0 and at most \
             {MAX_CAMPAIGN_ID} (a request's campaign_id is a signed 64-bit integer), got {id:?}"
        ));
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return unreadable_body(&rejection),
    };
    let mut value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(error) => {
            return bad_request(format_args!(
                "invalid campaign: {}",
                plain(&error.to_string())
            ));
        }
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
                plain(&error.inner().to_string())
            ));
        }
    };
    match state.upsert_campaign(&campaign) {
        Ok(()) => no_content(),
        // Paths are the body's own (`days[0].date`): no file is involved.
        Err(MockError::Fixture { path, message, .. }) => {
            let path = path.strip_prefix("campaign.").unwrap_or(&path);
            bad_request(format_args!("invalid campaign at {path}: {message}"))
        }
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
    network: Option<NetworkSpec>,
    slow_body_bytes_per_second: Option<u32>,
    times: Option<TimesSpec>,
    fraction: Option<f64>,
    seed: Option<u64>,
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

/// Faults below HTTP.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum NetworkSpec {
    Reset,
    Stall,
    NotHttp,
}

/// `times`: a count, or `"always"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TimesSpec {
    Count(u32),
    Word(String),
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
        let chosen = [
            self.status.is_some(),
            self.close.is_some(),
            self.network.is_some(),
            self.slow_body_bytes_per_second.is_some(),
        ];
        if chosen.iter().filter(|given| **given).count() > 1 {
            return Err("give one of status, close, network and slowBodyBytesPerSecond");
        }
        if self.status.is_none() && (self.body.is_some() || !self.headers.is_empty()) {
            return Err("body and headers need a status");
        }
        if self
            .headers
            .keys()
            .any(|name| FRAMING_HEADERS.iter().any(|f| f.eq_ignore_ascii_case(name)))
        {
            return Err(
                "headers may not set content-length or transfer-encoding: the mock \
                        frames the body itself, and a wrong length breaks the next answer on the \
                        connection",
            );
        }
        if self.delay_ms.is_some_and(|ms| ms > MAX_FAULT_DELAY_MS) {
            return Err("delayMs must be at most 3600000 (an hour)");
        }
        if self.campaign_id.is_some_and(|id| id > MAX_CAMPAIGN_ID) {
            return Err("campaignId must be at most 9223372036854775807 (a signed 64-bit integer)");
        }
        let mut fault = if let Some(status) = self.status {
            if !(200..=999).contains(&status) {
                return Err("status must be in 200..=999 (a 1xx status is not a final answer)");
            }
            let mut fault = Fault::status(status).body(self.body.unwrap_or_default());
            for (name, value) in self.headers {
                fault = fault.header(name, value);
            }
            fault
        } else if let Some(close) = self.close {
            match close {
                CloseSpec::Connection => Fault::close_connection(),
                CloseSpec::MidBody => Fault::close_mid_body(),
            }
        } else if let Some(network) = self.network {
            match network {
                NetworkSpec::Reset => Fault::reset(),
                NetworkSpec::Stall => Fault::stall(),
                NetworkSpec::NotHttp => Fault::not_http(),
            }
        } else if let Some(rate) = self.slow_body_bytes_per_second {
            if rate == 0 {
                return Err("slowBodyBytesPerSecond must be at least 1");
            }
            Fault::slow_body(rate)
        } else if self.delay_ms.is_some() {
            Fault::delay(Duration::ZERO)
        } else {
            return Err("give status, close, network, slowBodyBytesPerSecond or delayMs");
        };
        if let Some(ms) = self.delay_ms {
            fault = fault.after(Duration::from_millis(ms));
        }
        match self.times {
            Some(TimesSpec::Count(0)) => {
                return Err("times must be at least 1 (leave it out for once, or say \"always\")");
            }
            Some(TimesSpec::Count(times)) => fault = fault.times(times),
            Some(TimesSpec::Word(word)) if word == "always" => fault = fault.always(),
            Some(TimesSpec::Word(_)) => {
                return Err("times must be a whole number of at least 1, or \"always\"");
            }
            None => {}
        }
        match (self.fraction, self.seed) {
            (Some(fraction), seed) => {
                if !(0.0..=1.0).contains(&fraction) {
                    return Err("fraction must be from 0 to 1, such as 0.25");
                }
                fault = fault.fraction(fraction, seed.unwrap_or(0));
            }
            (None, Some(_)) => return Err("seed needs a fraction"),
            (None, None) => {}
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
