//! Issue 31, item 7: a credential is redacted on every path, in bodies (at any depth), queries
//! and headers, wherever the journal's contents go: the journal, `/__admin/verify`'s 409 and
//! the account of unmet expectations.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use common::*;
use wa_stats_mock::{Expectation, MockServer};

const SECRETS: [&str; 8] = [
    "S1-in-body",
    "S2-nested",
    "S3-query",
    "S4-cookie",
    "S5-proxy",
    "S6-basic",
    "S7-password",
    "S8-form",
];

#[tokio::test]
async fn secrets_are_redacted_on_every_path_in_bodies_queries_and_headers() {
    let server = MockServer::start().await;
    let base = server.base_url();
    server.expect(Expectation::campaign(424_242));
    for path in [
        "/auth/token/",
        "//auth/token",
        "/oauth/token",
        "/auth/token",
    ] {
        send(client().post(format!("{base}{path}")).body(
            r#"{"client_id":"demo-client","client_secret":"S1-in-body","scopes":["wa-stats-api"]}"#,
        ))
        .await;
    }
    send(
        client()
            .post(format!("{base}/auth/token"))
            .body(r#"{"outer":{"client_secret":"S2-nested","list":[{"password":"S7-password"}]}}"#),
    )
    .await;
    send(
        client()
            .post(format!(
                "{base}/v1/statistics/campaign?client_secret=S3-query&x=1"
            ))
            .header("cookie", "session=S4-cookie")
            .header("proxy-authorization", "Basic UzUtcHJveHk=")
            .header("x-note", "kept")
            .body(r#"{"campaign_id":12345}"#),
    )
    .await;
    send(
        client()
            .post(format!("{base}/auth/token"))
            .basic_auth("demo-client", Some("S6-basic"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&client_secret=S8-form"),
    )
    .await;

    let journal = server.journal();
    assert_eq!(journal.len(), 7);
    let seen = format!("{journal:?}");
    let admin = send(client().get(format!("{base}/__admin/journal"))).await;
    let verify = send(
        client()
            .post(format!("{base}/__admin/verify"))
            .header("content-type", "application/json"),
    )
    .await;
    assert_eq!(verify.status, 409, "{}", verify.body);
    let report = server.verification().unwrap_err().report().to_owned();
    for (what, text) in [
        ("journal", &seen),
        ("GET /__admin/journal", &admin.body),
        ("409", &verify.body),
        ("report", &report),
    ] {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} in the {what}: {text}");
        }
    }
    // What is not a secret is kept.
    assert_eq!(
        journal[5].query.as_deref(),
        Some("client_secret=** redacted **&x=1")
    );
    assert_eq!(journal[5].header("x-note"), Some("kept"));
    assert!(
        journal[0].body.contains(r#""client_id":"demo-client""#),
        "{:?}",
        journal[0]
    );
    assert_eq!(
        journal[6].body,
        "grant_type=client_credentials&client_secret=** redacted **"
    );
    server.reset(); // the unmet expectation was the point: no panic on drop
}
