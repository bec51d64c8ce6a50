//! Who may use `/__admin/`: the admin token when one is set, and never a web page. A browser
//! sends a cross-site `text/plain` POST without asking, and DNS rebinding lets a page on
//! `evil.example` talk to 127.0.0.1 under its own name; so writes need a JSON content type (which
//! a page can only send after a CORS preflight the mock never grants), a foreign `Origin` is
//! refused, and without a token the `Host` must name loopback.

use std::net::{IpAddr, Ipv6Addr};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderMap, Method, StatusCode, header};
use subtle::ConstantTimeEq;
use wa_stats_model::ErrorResponse;
use wa_stats_model::endpoint::bearer_token;

use super::respond;
use crate::state::{AdminAccess, AppState};

/// Runs before every admin route: origin and host (403), token (401), content type (415).
pub(super) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let admin = &state.shared.settings.admin;
    let authority = request_authority(&request);
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let allowed = origin
            .to_str()
            .ok()
            .and_then(origin_authority)
            .is_some_and(|origin| {
                match admin {
                    // A page served from the mock's own address, as a developer may open one.
                    AdminAccess::Token(_) => authority
                        .as_deref()
                        .is_some_and(|own| own.eq_ignore_ascii_case(origin)),
                    _ => is_loopback_host(origin),
                }
            });
        if !allowed {
            return refuse(
                StatusCode::FORBIDDEN,
                "the admin API does not take requests from a web page of another origin",
            );
        }
    }
    if *admin == AdminAccess::Open && !authority.as_deref().is_some_and(is_loopback_host) {
        return refuse(
            StatusCode::FORBIDDEN,
            "the admin API answers only requests addressed to a loopback name (localhost, \
             127.0.0.1, [::1]); to reach it under another name, start the mock with \
             --admin-token",
        );
    }
    if let AdminAccess::Token(expected) = admin
        && !has_token(request.headers(), expected)
    {
        return respond::error(ErrorResponse::unauthorized(None));
    }
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    if !reads && !is_json(request.headers()) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "admin writes need the header Content-Type: application/json (also with no body)",
        );
    }
    next.run(request).await
}

fn refuse(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "message": message }).to_string();
    respond::json(status, body)
}

/// The bearer token, compared in constant time: how long a wrong guess takes must not tell how
/// much of it was right.
fn has_token(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer_token)
        .is_some_and(|token| bool::from(token.as_bytes().ct_eq(expected.as_bytes())))
}

/// `application/json`, with or without parameters (`; charset=utf-8`).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// The authority the request was sent to: the URI's (HTTP/2, absolute form), else `Host`.
fn request_authority(request: &Request) -> Option<String> {
    if let Some(authority) = request.uri().authority() {
        return Some(authority.as_str().to_owned());
    }
    request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// `host[:port]` of an `Origin` such as `http://localhost:8080`; `None` for `null` and the like.
fn origin_authority(origin: &str) -> Option<&str> {
    let (_, rest) = origin.split_once("://")?;
    let authority = rest.split('/').next()?;
    (!authority.is_empty()).then_some(authority)
}

/// Whether `host[:port]` names loopback: `localhost`, an address in 127.0.0.0/8, or `[::1]`.
fn is_loopback_host(authority: &str) -> bool {
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((inside, rest)) if rest.is_empty() || is_port(rest) => {
                return inside.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
            }
            _ => return false,
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) if is_port(&format!(":{port}")) => host,
            Some(_) => return false,
            None => authority,
        }
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| matches!(ip, IpAddr::V4(v4) if v4.is_loopback()))
}

/// `:` and one to five digits.
fn is_port(text: &str) -> bool {
    text.strip_prefix(':').is_some_and(|digits| {
        !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_with_and_without_a_port() {
        for host in [
            "localhost",
            "LOCALHOST:80",
            "127.0.0.1",
            "127.9.8.7:65535",
            "[::1]",
            "[::1]:8080",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "128.0.0.1",
            "0.0.0.0",
            "[::2]:80",
            "[::1]x",
            "127.0.0.1:http",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
        assert_eq!(
            origin_authority("http://localhost:8080"),
            Some("localhost:8080")
        );
        assert_eq!(origin_authority("null"), None);
    }
}
