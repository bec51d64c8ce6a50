//! Turning answers into HTTP responses, always with `content-type: application/json`.

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode, header};
use wa_stats_model::ErrorResponse;

/// A JSON response with `status`.
pub(crate) fn json(status: StatusCode, body: impl Into<Bytes>) -> Response {
    let mut response = Response::new(Body::from(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The model's error answer as a response: its status, its headers and its exact body.
pub(crate) fn error(answer: ErrorResponse) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = json(status, answer.body);
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// 408 for a request whose body did not arrive in time, closing the connection: the rest of
/// that body may still come, and must not be read as the next request.
pub(crate) fn request_timeout() -> Response {
    let body = serde_json::json!({
        "message": format!(
            "the request body did not arrive within {} s",
            crate::body_deadline::REQUEST_READ_TIMEOUT.as_secs()
        )
    })
    .to_string();
    let mut response = json(StatusCode::REQUEST_TIMEOUT, body);
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
