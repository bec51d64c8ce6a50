//! What a token endpoint may answer with a 200 (issue 31, item 1): a lifetime no clock can add
//! (`u64::MAX` seconds), none at all (RFC 6749 allows that), or `0`; through `campaign` and
//! `token`, with the disk cache and without it. None may panic or stall.

use std::time::Duration;

use wa_stats_mock::{Fault, MockServer};

use crate::{Run, wa_stats_within};

/// Long enough for a slow CI machine; a stall of the token endpoint's 60 s limit window is not.
const LIMIT: Duration = Duration::from_secs(40);

/// A mock whose token endpoint answers every request with `body` (a token the statistics routes
/// accept: the demo partner's static bearer token).
async fn token_endpoint_answering(body: &str) -> MockServer {
    let server = MockServer::start().await;
    server.inject(Fault::status(200).body(body).on_token_endpoint().always());
    server
}

fn oauth(base_url: &str, subcommand: &[&str], cache: &str) -> Run {
    let mut args = subcommand.to_vec();
    args.extend([
        "--base-url",
        base_url,
        "--client-id",
        "demo-client",
        "--token-cache",
        cache,
    ]);
    wa_stats_within(&args, &[("WA_STATS_CLIENT_SECRET", "demo-secret")], LIMIT)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lifetime_past_any_clock_is_kept_for_a_year_without_a_panic() {
    let server = token_endpoint_answering(
        r#"{"access_token":"demo-token","token_type":"Bearer","expires_in":18446744073709551615}"#,
    )
    .await;
    let base_url = server.base_url();
    for cache in ["off", "disk"] {
        for subcommand in [&["campaign", "12345", "12346"][..], &["token"]] {
            let run = oauth(&base_url, subcommand, cache);
            assert_eq!(run.code, 0, "{subcommand:?} --token-cache {cache}: {run:?}");
            assert!(!run.stderr.contains("panicked"), "{run:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_lifetime_gets_the_default_one() {
    let server =
        token_endpoint_answering(r#"{"access_token":"demo-token","token_type":"Bearer"}"#).await;
    for cache in ["off", "disk"] {
        let run = oauth(&server.base_url(), &["campaign", "12345", "12346"], cache);
        assert_eq!(run.code, 0, "--token-cache {cache}: {run:?}");
    }
    // One token for both campaigns: the default lifetime is not zero.
    let fetched = server
        .journal()
        .iter()
        .filter(|entry| entry.path == "/auth/token")
        .count();
    assert_eq!(fetched, 2, "one per run");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_lifetime_is_refused_at_once_naming_the_field() {
    let server = token_endpoint_answering(
        r#"{"access_token":"demo-token","token_type":"Bearer","expires_in":0}"#,
    )
    .await;
    let ids: Vec<String> = (0..30).map(|n| (12345 + n % 2).to_string()).collect();
    let mut args = vec!["campaign"];
    args.extend(ids.iter().map(String::as_str));
    let run = oauth(&server.base_url(), &args, "off");
    // Exit status 5: no access token could be had; the reason names the field.
    assert_eq!(run.code, 5, "{run:?}");
    assert!(run.stderr.contains("`expires_in` 0"), "{run:?}");
    let run = oauth(&server.base_url(), &["token"], "off");
    assert_eq!(run.code, 5, "{run:?}");
    assert!(run.stderr.contains("`expires_in` 0"), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lifetime_that_is_not_a_number_is_named() {
    let server = token_endpoint_answering(
        r#"{"access_token":"demo-token","token_type":"Bearer","expires_in":"soon"}"#,
    )
    .await;
    let run = oauth(&server.base_url(), &["token"], "off");
    assert_eq!(run.code, 5, "{run:?}");
    assert!(run.stderr.contains("`expires_in`"), "{run:?}");
    assert!(!run.stderr.contains("demo-token"), "{run:?}");
}
