//! What issue 31's probe found holding, kept holding: malformed HTTP/1.1 gets a 4xx (never a
//! 5xx), pipelined requests are answered in order, a header slowloris does not keep others from
//! being served, HTTP/2 rapid reset and CONTINUATION floods end in GOAWAY, and a mock short of
//! file descriptors goes on serving once they come back.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wa_stats_mock::MockServer;

/// Every wait here is bounded by this.
const BOUND: Duration = Duration::from_secs(30);

/// Writes `request` raw and reads until the server closes; the whole answer as text.
async fn exchange(server: &MockServer, request: &[u8]) -> String {
    let talk = async {
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut answer = Vec::new();
        // A reset after the answer is still an answer.
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    };
    tokio::time::timeout(BOUND, talk)
        .await
        .expect("no end in 30 s")
}

fn statuses(answer: &str) -> Vec<u16> {
    answer
        .split("HTTP/1.1 ")
        .skip(1)
        .filter_map(|rest| rest.get(..3)?.parse().ok())
        .collect()
}

#[tokio::test]
async fn malformed_http1_gets_a_4xx_never_a_5xx() {
    let server = MockServer::start().await;
    let huge_header = format!(
        "GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: {}\r\n\r\n",
        "a".repeat(512 * 1024)
    );
    let cases: Vec<(&str, Vec<u8>, &[u16])> = vec![
        ("header block too large", huge_header.into_bytes(), &[431]),
        (
            "a space in a header name",
            b"GET /healthz HTTP/1.1\r\nhost: x\r\nbad name: 1\r\n\r\n".to_vec(),
            &[400],
        ),
        (
            "not a request line",
            b"HELLO\r\n\r\n".to_vec(),
            &[400],
        ),
        (
            "two content-lengths that disagree",
            b"POST /v1/statistics/campaign HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\nabcd".to_vec(),
            &[400],
        ),
        (
            "a bad chunk size",
            b"POST /v1/statistics/campaign HTTP/1.1\r\nhost: x\r\nx-ins-auth-key: INS.demo-key\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n".to_vec(),
            &[400],
        ),
        (
            "transfer-encoding over content-length",
            b"POST /v1/statistics/campaign HTTP/1.1\r\nhost: x\r\nx-ins-auth-key: INS.demo-key\r\ncontent-length: 100\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n15\r\n{\"campaign_id\":12345}\r\n0\r\n\r\n".to_vec(),
            &[200, 400],
        ),
        (
            "a body that is not JSON",
            b"POST /v1/statistics/campaign HTTP/1.1\r\nhost: x\r\nx-ins-auth-key: INS.demo-key\r\ncontent-length: 5\r\nconnection: close\r\n\r\n{{{{{".to_vec(),
            &[400],
        ),
    ];
    for (what, request, allowed) in cases {
        let answer = exchange(&server, &request).await;
        let got = statuses(&answer);
        assert!(got.iter().all(|status| *status < 500), "{what}: {answer:?}");
        assert!(
            got.first().is_none_or(|status| allowed.contains(status)),
            "{what}: {answer:?}"
        );
    }
    // The sum of it: the mock still answers.
    let answer = by_key(&server, DEMO_KEY, r#"{"campaign_id":12345}"#).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, SAMPLE));
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let server = MockServer::start().await;
    let body = r#"{"campaign_id":12345}"#;
    let one = |key: &str, close: bool| {
        format!(
            "POST /v1/statistics/campaign HTTP/1.1\r\nhost: x\r\nx-ins-auth-key: {key}\r\ncontent-length: {}\r\n{}\r\n{body}",
            body.len(),
            if close { "connection: close\r\n" } else { "" }
        )
    };
    let pipelined = [
        one(DEMO_KEY, false),
        one("INS.wrong", false),
        one(DEMO_KEY, true),
    ]
    .concat();
    let answer = exchange(&server, pipelined.as_bytes()).await;
    assert_eq!(statuses(&answer), [200, 401, 200], "{answer}");
}

#[tokio::test]
async fn a_header_slowloris_does_not_keep_others_from_being_served() {
    let server = MockServer::start().await;
    let mut slow = Vec::new();
    for _ in 0..200 {
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        stream
            .write_all(b"POST /v1/statistics/campaign HTTP/1.1\r\nhost: x\r\nx-a: ")
            .await
            .unwrap();
        slow.push(stream);
    }
    let served = tokio::time::timeout(BOUND, by_key(&server, DEMO_KEY, r#"{"campaign_id":12345}"#))
        .await
        .expect("not served within 30 s beside 200 slow clients");
    assert_eq!((served.status, served.body.as_str()), (200, SAMPLE));
    drop(slow);
}

/// An h2 frame: length, type, flags, stream, payload.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap().to_be_bytes();
    let mut out = vec![len[1], len[2], len[3], kind, flags];
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const GOAWAY: u8 = 0x7;
const CONTINUATION: u8 = 0x9;
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
/// `:method GET`, `:scheme https`, `:path /` from HPACK's static table.
const GET_ROOT: [u8; 3] = [0x82, 0x87, 0x84];

/// An h2 connection over TLS to `server`, its preface and empty SETTINGS already written.
async fn h2(server: &MockServer) -> tokio_rustls::client::TlsStream<TcpStream> {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
    use tokio_rustls::rustls::{ClientConfig, RootCertStore, crypto};

    let mut roots = RootCertStore::empty();
    let ca = CertificateDer::from_pem_slice(server.ca_pem().unwrap().as_bytes()).unwrap();
    roots.add(ca).unwrap();
    let provider = Arc::new(crypto::aws_lc_rs::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(server.addr()).await.unwrap();
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    tls.write_all(&frame(SETTINGS, 0, 0, &[])).await.unwrap();
    tls
}

/// Reads frames until a GOAWAY, the end of the connection or an error; whether a GOAWAY came.
async fn goaway(stream: &mut (impl AsyncRead + Unpin)) -> bool {
    let read = async {
        let mut header = [0_u8; 9];
        loop {
            if stream.read_exact(&mut header).await.is_err() {
                return false; // closed without one
            }
            let len =
                usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
            let mut payload = vec![0; len];
            if stream.read_exact(&mut payload).await.is_err() {
                return false;
            }
            if header[3] == GOAWAY {
                return true;
            }
        }
    };
    tokio::time::timeout(BOUND, read).await.unwrap_or(false)
}

#[tokio::test]
async fn an_h2_rapid_reset_flood_ends_in_goaway() {
    let server = MockServer::start_tls().await;
    let mut tls = h2(&server).await;
    let mut flood = Vec::new();
    for i in 0..2_000_u32 {
        let stream = 2 * i + 1;
        flood.extend(frame(HEADERS, END_HEADERS | END_STREAM, stream, &GET_ROOT));
        flood.extend(frame(RST_STREAM, 0, stream, &8_u32.to_be_bytes()));
    }
    // The server may hang up part-way: that is the point.
    let _ = tls.write_all(&flood).await;
    assert!(goaway(&mut tls).await, "no GOAWAY in 30 s");
    assert_eq!(https_health(&server).await, 200);
}

/// `GET /healthz` over HTTPS, trusting the mock's CA.
async fn https_health(server: &MockServer) -> u16 {
    let ca = reqwest::Certificate::from_pem(server.ca_pem().unwrap().as_bytes()).unwrap();
    let https = reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([ca])
        .build()
        .unwrap();
    send(https.get(format!("{}/healthz", server.base_url())))
        .await
        .status
}

#[tokio::test]
async fn an_h2_continuation_flood_ends_in_goaway() {
    let server = MockServer::start_tls().await;
    let mut tls = h2(&server).await;
    let mut field = vec![0x00, 3];
    field.extend_from_slice(b"x-a");
    field.push(100);
    field.extend_from_slice(&[b'a'; 100]);
    let _ = tls.write_all(&frame(HEADERS, 0, 1, &GET_ROOT)).await;
    let continuation = frame(CONTINUATION, 0, 1, &field);
    let writes = async {
        for _ in 0..20_000 {
            if tls.write_all(&continuation).await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(BOUND, writes).await;
    assert!(goaway(&mut tls).await, "no GOAWAY in 30 s");
    assert_eq!(https_health(&server).await, 200);
}

/// A mock out of file descriptors logs the failed accepts, backs off, and serves again as soon
/// as descriptors come back: the accept loop neither ends nor spins.
#[tokio::test]
async fn short_of_file_descriptors_the_mock_goes_on_serving() {
    use std::process::{Command, Stdio};

    let bin = env!("CARGO_BIN_EXE_wa-stats-mock");
    let log = std::env::temp_dir().join(format!("wa-stats-mock-emfile-{}.log", std::process::id()));
    let (mut child, base) = spawn_until_ready(
        Command::new("sh")
            .arg("-c")
            // sh's ulimit lowers the limit of the mock alone.
            .arg(format!(
                "ulimit -n 48 && exec '{bin}' --listen 127.0.0.1:0 --no-request-log"
            ))
            .stderr(Stdio::from(std::fs::File::create(&log).unwrap())),
    );
    let addr = base.strip_prefix("http://").unwrap().to_owned();
    let mut idle = Vec::new();
    for _ in 0..100 {
        idle.push(TcpStream::connect(&addr).await.unwrap());
    }
    let saw_emfile = async {
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.contains("accept failed") {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let text = tokio::time::timeout(BOUND, saw_emfile)
        .await
        .expect("the mock never ran short of descriptors: the test's premise failed");
    assert!(
        text.to_lowercase().contains("too many open files"),
        "{text}"
    );
    drop(idle);
    let served = tokio::time::timeout(BOUND, send(client().get(format!("{base}/healthz"))))
        .await
        .expect("not served within 30 s after the descriptors came back");
    assert_eq!(served.status, 200);
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_file(&log);
}
