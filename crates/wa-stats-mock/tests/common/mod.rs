//! Helpers shared by the integration tests: a plain HTTP client and the built-in credentials.

#![allow(
    clippy::unwrap_used,
    dead_code,
    unreachable_pub,
    reason = "each test file uses a different subset"
)]

use serde_json::Value;
use wa_stats_mock::MockServer;
use wa_stats_model::endpoint::{API_KEY_HEADER, API_KEY_STATISTICS_PATH, OAUTH_STATISTICS_PATH};

pub const DEMO_KEY: &str = "INS.demo-key";
pub const DEMO_TOKEN: &str = "demo-token";

/// The vendor page's Sample Response, as compact canonical JSON.
pub const SAMPLE: &str = r#"{"sent":1200,"delivered":1150,"open":400,"click":120,"conversion":30,"revenue":0,"drop":25,"targeted":1225,"unsubscribe":2,"undelivered":50,"deliveryPending":0,"dropDetails":{"frequencyCapped":5,"duplicates":3,"invalidPhoneNumbers":8,"tierLimitation":0,"templateFailures":2,"pausedTemplates":0,"recipientRelatedErrors":4,"metaTemporaryErrors":2,"accountIntegrationErrors":0,"internalErrors":1,"rateLimits":0,"policyFailures":0},"undeliveredDetails":{"recipientRelatedErrors":20,"accountVerificationErrors":2,"mediaErrors":0,"heldMessages":8,"metaExperiment":0,"metaErrors":10,"invalidMessages":5,"metaRecipientLimitsErrors":5,"deliveryReportMissing":0}}"#;

/// One client for every test: building one loads TLS roots, which is slow in debug builds. No
/// idle connections are kept, because each test has its own runtime and a pooled connection
/// must not outlive the runtime that made it.
pub fn client() -> reqwest::Client {
    static CLIENT: std::sync::LazyLock<reqwest::Client> = std::sync::LazyLock::new(|| {
        reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap()
    });
    CLIENT.clone()
}

/// An answer: status, headers, body text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

/// POST `body` to the API-key route with `key`.
pub async fn by_key(server: &MockServer, key: &str, body: &str) -> Answer {
    let url = format!("{}{API_KEY_STATISTICS_PATH}", server.base_url());
    send(
        client()
            .post(url)
            .header(API_KEY_HEADER, key)
            .body(body.to_owned()),
    )
    .await
}

/// POST `body` to the bearer route with `token`.
pub async fn by_token(server: &MockServer, token: &str, body: &str) -> Answer {
    let url = format!("{}{OAUTH_STATISTICS_PATH}", server.base_url());
    send(client().post(url).bearer_auth(token).body(body.to_owned())).await
}

/// One request through the router, without a socket.
pub async fn oneshot(
    router: &axum::Router,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    use tower::ServiceExt;
    let mut request = http::Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(axum::body::Body::from(body.to_owned()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

/// A token for `demo-client` through the router.
pub async fn oneshot_token(router: &axum::Router) -> (u16, String) {
    let body =
        r#"{"client_id":"demo-client","client_secret":"demo-secret","scopes":["wa-stats-api"]}"#;
    oneshot(router, "POST", "/auth/token", &[], body).await
}

/// Spawns the binary `command` names with stdout piped, reads its ready line and returns the
/// child with the base URL it announced. Stdout is then dropped, as a harness that reads the one
/// line does.
pub fn spawn_until_ready(command: &mut std::process::Command) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("not a ready line: {line:?}"))
        .to_owned();
    (child, base)
}
