//! Tests of the builder's checks: URL safety (R15), refused settings, default URLs.

use std::time::Duration;

use url::Url;

use crate::{Client, Error};

fn refused(base: &str) -> Error {
    Client::builder()
        .api_key("INS.k")
        .base_url(base)
        .build()
        .unwrap_err()
}

#[test]
fn plain_http_only_to_loopback_unless_allowed() {
    for ok in [
        "http://127.0.0.1:1",
        "http://127.9.9.9",
        "http://[::1]:8080",
        "http://LOCALHOST:9",
    ] {
        Client::builder()
            .api_key("INS.k")
            .base_url(ok)
            .build()
            .unwrap();
    }
    for bad in [
        "http://example.com",
        "http://10.0.0.1",
        "http://[::2]",
        "http://localhost.evil.com",
    ] {
        assert!(matches!(refused(bad), Error::InsecureUrl { .. }), "{bad}");
    }
    Client::builder()
        .api_key("INS.k")
        .base_url("http://example.com")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let token_refused = Client::builder()
        .client_credentials("id", "secret")
        .base_url("https://example.com")
        .token_url("http://example.com/auth/token")
        .build()
        .unwrap_err();
    assert!(matches!(token_refused, Error::InsecureUrl { .. }));
}

#[test]
fn bad_settings_are_config_errors_that_never_echo_secrets() {
    let user_info = refused("https://user:hunter2@example.com");
    assert!(matches!(user_info, Error::Config { .. }));
    assert!(!format!("{user_info} {user_info:?}").contains("hunter2"));
    assert!(matches!(refused("ftp://example.com"), Error::Config { .. }));
    assert!(matches!(refused("not a url"), Error::Config { .. }));
    let control = Client::builder()
        .api_key("INS.k\nsecret")
        .build()
        .unwrap_err();
    assert!(!format!("{control} {control:?}").contains("secret"));
    for builder in [
        Client::builder(),
        Client::builder().api_key(""),
        Client::builder().bearer_token(""),
        Client::builder().api_key("k").max_attempts(0),
        Client::builder().api_key("k").rate_limit(Some(0)),
        Client::builder().api_key("k").timeout(Duration::ZERO),
        Client::builder().client_credentials("", "s"),
        Client::builder().client_credentials("id", ""),
    ] {
        assert!(matches!(builder.build(), Err(Error::Config { .. })));
    }
}

#[test]
fn urls_by_credential_kind() {
    let client = Client::builder().api_key("k").build().unwrap();
    assert_eq!(
        client.statistics_url().as_str(),
        "https://whatsapp.useinsider.com/v1/statistics/campaign"
    );
    let client = Client::builder()
        .bearer_token("t")
        .base_url("https://proxy.example/insider/")
        .build()
        .unwrap();
    assert_eq!(
        client.statistics_url().as_str(),
        "https://proxy.example/insider/api/wa/v2/statistics/campaign"
    );
    let client = Client::builder()
        .client_credentials("id", "s")
        .build()
        .unwrap();
    assert_eq!(
        client.statistics_url().as_str(),
        "https://gw.api.insidethekube.com/api/wa/v2/statistics/campaign"
    );
    assert_eq!(
        client.token_url().map(Url::as_str),
        Some(wa_stats_model::endpoint::DEFAULT_TOKEN_URL)
    );
}

#[test]
fn debug_of_builder_and_client_never_shows_a_secret() {
    for builder in [
        Client::builder().api_key("INS.top-secret"),
        Client::builder().bearer_token("top-secret"),
        Client::builder().client_credentials("id", "top-secret"),
    ] {
        let client = builder.clone().build().unwrap();
        let shown = format!("{builder:?} {client:?} {client:#?}");
        assert!(!shown.contains("top-secret"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
}
