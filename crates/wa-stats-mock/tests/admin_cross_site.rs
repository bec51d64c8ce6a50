//! Issue 31, item 8: a web page cannot reach the admin API. Writes need
//! `Content-Type: application/json` (415), a foreign `Origin` is refused (403), and on a
//! loopback listener without an admin token `Host` must name loopback (403), over HTTP and HTTPS.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wa_stats_mock::{Fault, MockServer};

/// One raw HTTP/1.1 request (so that `Host` is exactly what the test says); returns the status.
async fn raw(server: &MockServer, request: String) -> u16 {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        let text = String::from_utf8_lossy(&answer).into_owned();
        text.split(' ').nth(1).unwrap().parse::<u16>().unwrap()
    };
    tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .expect("no answer in 30 s")
}

fn post(path: &str, host: &str, extra: &str, body: &str) -> String {
    format!(
        "POST /__admin{path} HTTP/1.1\r\nhost: {host}\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn get(path: &str, host: &str, extra: &str) -> String {
    format!("GET /__admin{path} HTTP/1.1\r\nhost: {host}\r\n{extra}connection: close\r\n\r\n")
}

const JSON: &str = "content-type: application/json\r\n";
const FAULT: &str = r#"{"status":503}"#;

#[tokio::test]
async fn a_cross_site_write_is_refused_and_a_local_one_accepted() {
    let server = MockServer::start().await;
    let port = server.addr().port();
    let local = format!("127.0.0.1:{port}");
    // The probe's request: text/plain, a foreign Origin and Host.
    let probe = post(
        "/faults",
        "evil.example",
        "origin: http://evil.example\r\ncontent-type: text/plain\r\n",
        FAULT,
    );
    assert_eq!(raw(&server, probe).await, 403);
    let plain = post("/faults", &local, "content-type: text/plain\r\n", FAULT);
    assert_eq!(raw(&server, plain).await, 415);
    let none = post("/reset", &local, "", "");
    assert_eq!(raw(&server, none).await, 415);
    let foreign_origin = post(
        "/reset",
        &local,
        &format!("origin: http://evil.example\r\n{JSON}"),
        "",
    );
    assert_eq!(raw(&server, foreign_origin).await, 403);
    // DNS rebinding: the page's own origin, a name that resolves to 127.0.0.1.
    let rebound = get("/journal", &format!("evil.example:{port}"), "");
    assert_eq!(raw(&server, rebound).await, 403);
    assert_eq!(server.state().journal().len(), 0);
    // Nothing above reached the fault queue.
    let answer = by_key(&server, DEMO_KEY, r#"{"campaign_id":12345}"#).await;
    assert_eq!(answer.status, 200);

    for host in [
        local.clone(),
        format!("localhost:{port}"),
        "localhost".to_owned(),
        "127.0.0.2".to_owned(),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(
            raw(&server, get("/journal", &host, "")).await,
            200,
            "{host}"
        );
    }
    let same_origin = post(
        "/faults",
        &local,
        &format!("origin: http://{local}\r\n{JSON}"),
        FAULT,
    );
    assert_eq!(raw(&server, same_origin).await, 204);
    let charset = post(
        "/reset",
        &local,
        "content-type: application/json; charset=utf-8\r\n",
        "",
    );
    assert_eq!(raw(&server, charset).await, 204);
    server.inject(Fault::status(200)); // the library's controls are not HTTP: untouched
}

#[tokio::test]
async fn with_an_admin_token_any_host_may_ask_but_not_a_foreign_origin() {
    let server = MockServer::builder()
        .admin_token("t0ken")
        .start()
        .await
        .unwrap();
    let auth = "authorization: Bearer t0ken\r\n";
    let named = get("/journal", "mock.internal:8080", auth);
    assert_eq!(raw(&server, named).await, 200);
    let foreign = post(
        "/reset",
        "mock.internal:8080",
        &format!("{auth}origin: http://evil.example\r\n{JSON}"),
        "",
    );
    assert_eq!(raw(&server, foreign).await, 403);
    let plain = post(
        "/reset",
        "mock.internal:8080",
        &format!("{auth}content-type: text/plain\r\n"),
        "",
    );
    assert_eq!(raw(&server, plain).await, 415);
}

#[tokio::test]
async fn the_tls_listener_refuses_the_same() {
    let server = MockServer::start_tls().await;
    let ca = reqwest::Certificate::from_pem(server.ca_pem().unwrap().as_bytes()).unwrap();
    let https = reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([ca])
        .build()
        .unwrap();
    let url = format!("{}/__admin/reset", server.base_url());
    let foreign = send(
        https
            .post(&url)
            .header("origin", "https://evil.example")
            .header("content-type", "application/json"),
    )
    .await;
    assert_eq!(foreign.status, 403, "{}", foreign.body);
    let plain = send(https.post(&url).header("content-type", "text/plain")).await;
    assert_eq!(plain.status, 415, "{}", plain.body);
    let ok = send(https.post(&url).header("content-type", "application/json")).await;
    assert_eq!(ok.status, 204, "{}", ok.body);
}
