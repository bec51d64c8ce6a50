//! Tests of the builder's checks: URL safety (R15), refused settings, default URLs.

use std::time::Duration;

use crate::{Client, Error, Setting};

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
        Client::builder().api_key("k").timeout(Duration::ZERO),
        Client::builder().client_credentials("", "s"),
        Client::builder().client_credentials("id", ""),
    ] {
        assert!(matches!(builder.build(), Err(Error::Config { .. })));
    }
}

/// Each refused setting is named by `Error::setting`, with the message a person reads.
#[test]
fn every_refusal_names_its_setting() {
    let https = || Client::builder().api_key("k");
    let oauth = || {
        Client::builder()
            .client_credentials("id", "s")
            .base_url("https://example.com")
    };
    for (builder, setting, message) in [
        (Client::builder(), Setting::Credential, "no credential"),
        (Client::builder().api_key(""), Setting::Credential, "empty"),
        (
            Client::builder().bearer_token(""),
            Setting::Credential,
            "empty",
        ),
        (
            Client::builder().client_credentials("", "s"),
            Setting::Credential,
            "empty",
        ),
        (
            Client::builder().client_credentials("id", ""),
            Setting::Credential,
            "empty",
        ),
        (
            Client::builder().api_key("k\ns"),
            Setting::Credential,
            "HTTP header",
        ),
        (
            Client::builder().bearer_token("t\0"),
            Setting::Credential,
            "HTTP header",
        ),
        (
            https().base_url("not a url"),
            Setting::BaseUrl,
            "base URL is not a valid URL",
        ),
        (
            https().base_url("ftp://example.com"),
            Setting::BaseUrl,
            "base URL must be https://",
        ),
        (
            https().base_url("https://u:p@example.com"),
            Setting::BaseUrl,
            "base URL must not contain user info",
        ),
        (
            https().base_url("https://example.com/?q"),
            Setting::BaseUrl,
            "base URL must not have a query",
        ),
        (
            oauth().token_url("not a url"),
            Setting::TokenUrl,
            "token URL is not a valid URL",
        ),
        (
            oauth().token_url("ftp://example.com"),
            Setting::TokenUrl,
            "token URL must be https://",
        ),
        (
            oauth().token_url("https://u@example.com"),
            Setting::TokenUrl,
            "token URL must not contain user info",
        ),
        (
            oauth().token_url("https://example.com/#f"),
            Setting::TokenUrl,
            "token URL must not have a query",
        ),
        (
            https().max_attempts(0),
            Setting::MaxAttempts,
            "max_attempts must be at least 1",
        ),
        (
            https().timeout(Duration::ZERO),
            Setting::Timeout,
            "timeout must be longer than zero",
        ),
        (
            https().connect_timeout(Duration::ZERO),
            Setting::ConnectTimeout,
            "connect_timeout must be longer than zero",
        ),
        (
            https().user_agent("app\r\nX-Evil: 1"),
            Setting::UserAgent,
            "user_agent must not contain control",
        ),
    ] {
        let error = builder.build().unwrap_err();
        assert!(
            matches!(&error, Error::Config { setting: Some(named), .. } if *named == setting),
            "{error:?} should name {setting:?}"
        );
        assert_eq!(error.setting(), Some(setting), "{error}");
        let shown = error.to_string();
        assert!(
            shown.starts_with("invalid client configuration: "),
            "{shown}"
        );
        assert!(shown.contains(message), "{shown} should say {message:?}");
    }
    for (builder, setting) in [
        (https().base_url("http://example.com"), Setting::BaseUrl),
        (
            oauth().token_url("http://example.com/auth/token"),
            Setting::TokenUrl,
        ),
        // The same URL for both: only the structured value can say which one was refused.
        (
            Client::builder()
                .client_credentials("id", "s")
                .base_url("http://example.com")
                .token_url("http://example.com"),
            Setting::BaseUrl,
        ),
    ] {
        let error = builder.build().unwrap_err();
        assert!(
            matches!(&error, Error::InsecureUrl { setting: named, .. } if *named == setting),
            "{error:?} should name {setting:?}"
        );
        assert_eq!(error.setting(), Some(setting));
    }
    for fine in [
        https().allow_insecure_http(true),
        https().max_body_bytes(0),
        https().backoff(Duration::ZERO, Duration::ZERO),
        https().max_retry_after(Duration::ZERO),
        https().retry_quota(0),
    ] {
        fine.build().unwrap();
    }
}

#[test]
fn errors_that_are_not_about_a_setting_name_none() {
    assert_eq!(
        Error::config("the HTTP stack could not start").setting(),
        None
    );
    let wrapped = Error::TokenEndpoint {
        source: Box::new(Error::bad_setting(Setting::TokenUrl, "refused")),
    };
    assert_eq!(wrapped.setting(), Some(Setting::TokenUrl));
}

#[tokio::test]
async fn an_api_key_client_has_no_access_token_because_of_its_credential() {
    let client = Client::builder().api_key("k").build().unwrap();
    let error = client.access_token().await.unwrap_err();
    assert_eq!(error.setting(), Some(Setting::Credential));
    assert_eq!(
        error.to_string(),
        "invalid client configuration: an API-key client has no access token; use \
         client_credentials"
    );
}

#[test]
fn urls_by_credential_kind() {
    let client = Client::builder().api_key("k").build().unwrap();
    assert_eq!(
        client.statistics_url(),
        "https://whatsapp.useinsider.com/v1/statistics/campaign"
    );
    let client = Client::builder()
        .bearer_token("t")
        .base_url("https://proxy.example/insider/")
        .build()
        .unwrap();
    assert_eq!(
        client.statistics_url(),
        "https://proxy.example/insider/api/wa/v2/statistics/campaign"
    );
    let client = Client::builder()
        .client_credentials("id", "s")
        .build()
        .unwrap();
    assert_eq!(
        client.statistics_url(),
        "https://gw.api.insidethekube.com/api/wa/v2/statistics/campaign"
    );
    assert_eq!(
        client.token_url(),
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

/// R9 counts an OAuth client's tokens together: its budget is named by the client id alone,
/// whatever the secret; each kind of credential has budgets of its own.
#[test]
fn an_oauth_client_budget_is_named_by_its_client_id() {
    use super::Credential;
    let client = |id: &str, secret: &str| Credential::ClientCredentials {
        client_id: id.to_owned(),
        secret: secret.into(),
    };
    let fingerprint = client("demo-client", "one").fingerprint();
    assert_eq!(fingerprint, client("demo-client", "two").fingerprint());
    assert_ne!(fingerprint, client("other-client", "one").fingerprint());
    assert_ne!(
        fingerprint,
        Credential::ApiKey("demo-client".into()).fingerprint()
    );
    assert_ne!(
        Credential::ApiKey("k".into()).fingerprint(),
        Credential::Bearer("k".into()).fingerprint()
    );
}

/// Sharing between separately built clients is explicit (one handle), a budget has one rate and
/// one credential, and each refusal names the setting.
#[test]
fn a_rate_budget_is_shared_only_by_the_clients_given_it() {
    use crate::RateBudget;
    let budget = RateBudget::local(40).unwrap();
    let first = Client::builder()
        .api_key("k")
        .rate_budget(budget.clone())
        .build()
        .unwrap();
    let second = Client::builder()
        .api_key("k")
        .rate_budget(budget.clone())
        .build()
        .unwrap();
    assert!(first.rate_budget().unwrap().same_budget(&budget));
    assert!(second.rate_budget().unwrap().same_budget(&budget));
    assert_eq!(second.rate_budget().unwrap().per_second(), 40);
    // Without a handle, each build makes its own, and clones share it.
    let own = Client::builder().api_key("k").build().unwrap();
    let other = Client::builder().api_key("k").build().unwrap();
    assert!(
        !own.rate_budget()
            .unwrap()
            .same_budget(other.rate_budget().unwrap())
    );
    assert!(
        own.rate_budget()
            .unwrap()
            .same_budget(own.clone().rate_budget().unwrap())
    );
    assert_eq!(own.rate_budget().unwrap().per_second(), 100);
    assert!(
        Client::builder()
            .api_key("k")
            .rate_budget(None)
            .build()
            .unwrap()
            .rate_budget()
            .is_none()
    );

    // One setting: the last call wins, nothing is left for `build` to refuse.
    let last = Client::builder()
        .api_key("k")
        .rate_budget(None)
        .rate_budget(budget.clone())
        .build()
        .unwrap();
    assert!(last.rate_budget().unwrap().same_budget(&budget));
    assert_eq!(
        RateBudget::local(0).unwrap_err().setting(),
        Some(Setting::RateBudget)
    );
    let other_credential = Client::builder()
        .api_key("another key")
        .rate_budget(budget)
        .build()
        .unwrap_err();
    assert_eq!(other_credential.setting(), Some(Setting::RateBudget));
}
