//! Both statistics routes: R3's order of checks, in one function, one named step per row.

use axum::extract::{Request, State};
use axum::response::Response;
use http::{HeaderMap, Method, StatusCode, header};
use tokio::time::Instant;
use wa_stats_model::endpoint::{API_KEY_HEADER, bearer_token};
use wa_stats_model::{
    CampaignStatisticsRequest, CredentialKind, ErrorResponse, ValidatedRequest, parse_request,
    validate,
};

use super::apply_fault::{self, ConnectionControl};
use super::{read_limited, respond};
use crate::fault::FaultScope;
use crate::fixtures::CampaignKind;
use crate::state::{AppState, lock};
use crate::store::Identity;

/// Serves `POST /api/wa/v2/statistics/campaign` and `POST /v1/statistics/campaign`; `route` is
/// the credential kind of the path the router matched.
pub(super) async fn handle(
    State(state): State<AppState>,
    route: CredentialKind,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let connection = parts.extensions.get::<ConnectionControl>().cloned();
    let Ok(body) = read_limited(body).await else {
        return respond::request_timeout();
    };
    let campaign_hint = || {
        parse_request(&body)
            .ok()
            .and_then(|r| u64::try_from(r.campaign_id).ok())
    };
    let outcome = apply_fault::before_answer(
        &state,
        FaultScope::Statistics,
        campaign_hint,
        connection.as_ref(),
    )
    .await;
    let real = || match answer(&state, route, &parts.method, &parts.headers, &body) {
        Ok(statistics) => respond::json(StatusCode::OK, statistics),
        Err(error) => respond::error(error),
    };
    apply_fault::answer_with(outcome, real, connection).await
}

/// R3, in order: the first check that fails is the answer. Keep every row here, so that the
/// order can be read (and changed) in one place.
fn answer(
    state: &AppState,
    route: CredentialKind,
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<u8>, ErrorResponse> {
    check_method(method)?; // 1. 405
    let identity = authenticate(state, route, headers)?; // 2. 401
    check_rate_limit(state, &identity)?; // 3. 429
    check_product_active(state, &identity)?; // 4. 403 3007
    let request = parse_body(body)?; // 5. 400 3001
    let request = validate_request(&request)?; // 6. 400 3002
    statistics(state, &identity, &request) // 7. 400 3004, 8. 422, 9. 200
}

/// Step 1: only POST.
fn check_method(method: &Method) -> Result<(), ErrorResponse> {
    if method == Method::POST {
        Ok(())
    } else {
        Err(ErrorResponse::method_not_allowed())
    }
}

/// Step 2: a known, unexpired credential of the route's kind; the other kind counts as missing.
fn authenticate(
    state: &AppState,
    route: CredentialKind,
    headers: &HeaderMap,
) -> Result<Identity, ErrorResponse> {
    let header_text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let directory = &state.shared.directory;
    let identity = match route {
        CredentialKind::ApiKey => header_text(API_KEY_HEADER)
            .and_then(|key| directory.api_keys.get(key.trim()))
            .cloned(),
        CredentialKind::BearerToken => header_text(header::AUTHORIZATION.as_str())
            .and_then(bearer_token)
            .and_then(|token| {
                directory
                    .tokens
                    .get(token)
                    .cloned()
                    .or_else(|| lock(&state.shared.tokens).identity(token, Instant::now()))
            }),
        _ => None,
    };
    identity.ok_or_else(|| ErrorResponse::unauthorized(Some(route)))
}

/// Step 3: the credential's budget (R9). Tokens of one OAuth client share the client's.
fn check_rate_limit(state: &AppState, identity: &Identity) -> Result<(), ErrorResponse> {
    let admitted = match &state.shared.limiter {
        Some(limiter) => lock(limiter).admit(&identity.limit_key, Instant::now()),
        None => true,
    };
    if admitted {
        Ok(())
    } else {
        Err(ErrorResponse::rate_limited())
    }
}

/// Step 4: the partner's WhatsApp product.
fn check_product_active(state: &AppState, identity: &Identity) -> Result<(), ErrorResponse> {
    if state.shared.directory.is_active(identity.partner) {
        Ok(())
    } else {
        Err(ErrorResponse::product_not_active())
    }
}

/// Step 5: the upstream's Go-compatible parse (R4), including the 64 KiB rule.
fn parse_body(body: &[u8]) -> Result<CampaignStatisticsRequest, ErrorResponse> {
    parse_request(body).map_err(|error| ErrorResponse::parse_failed(&error))
}

/// Step 6: R5, with `end_time` defaulting to now.
fn validate_request(
    request: &CampaignStatisticsRequest,
) -> Result<ValidatedRequest, ErrorResponse> {
    let now = wa_stats_model::request::unix_seconds(std::time::SystemTime::now());
    validate(request, now).map_err(|error| ErrorResponse::validation_failed(&error))
}

/// Steps 7–9: the campaign must be the partner's (R7: missing and foreign answer the same
/// bytes) and a WhatsApp one (R8); then its statistics over the range (R12).
fn statistics(
    state: &AppState,
    identity: &Identity,
    request: &ValidatedRequest,
) -> Result<Vec<u8>, ErrorResponse> {
    let stats = {
        let campaigns = state.campaigns();
        let campaign = campaigns
            .by_id
            .get(&request.campaign_id)
            .filter(|campaign| campaign.owner == identity.partner)
            .ok_or_else(ErrorResponse::campaign_not_found)?;
        if campaign.kind == CampaignKind::NotWhatsapp {
            return Err(ErrorResponse::not_a_whatsapp_campaign());
        }
        campaign.statistics(request.start_time, request.end_time)
    };
    // Into a buffer that holds a whole body without cards, so that it is not grown.
    let mut body = Vec::with_capacity(1024);
    stats.write_json(&mut body);
    Ok(body)
}
