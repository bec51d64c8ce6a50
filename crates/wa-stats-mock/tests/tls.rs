//! HTTPS: the library's TLS start, the binary's `--tls` flags, and real outside tools (curl,
//! `openssl s_client`, Python's `ssl`) trusting the CA the mock wrote. Every wait is bounded;
//! everything listens on 127.0.0.1.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use common::*;
use wa_stats_mock::MockServer;
use wa_stats_mock::tls::CertificateAuthority;

const BIN: &str = env!("CARGO_BIN_EXE_wa-stats-mock");
const BODY: &str = r#"{"campaign_id":12345}"#;

/// Kills the child by its PID when the test ends, passing or not.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn https_client(ca_pem: &str, http1_only: bool) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .tls_certs_only([reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap()]);
    if http1_only {
        builder = builder.http1_only();
    }
    builder.build().unwrap()
}

async fn statistics(client: &reqwest::Client, base: &str) -> (reqwest::Version, u16, String) {
    let response = client
        .post(format!("{base}/v1/statistics/campaign"))
        .header("x-ins-auth-key", DEMO_KEY)
        .body(BODY)
        .send()
        .await
        .unwrap();
    let version = response.version();
    let status = response.status().as_u16();
    (version, status, response.text().await.unwrap())
}

#[tokio::test]
async fn the_library_serves_https_over_h2_and_http1_with_the_ca_it_hands_back() {
    let server = MockServer::start_tls().await;
    let base = server.base_url();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let ca = server.ca_pem().unwrap();

    let (version, status, body) = statistics(&https_client(ca, false), &base).await;
    assert_eq!(
        (version, status, body.as_str()),
        (reqwest::Version::HTTP_2, 200, SAMPLE)
    );
    let (version, status, body) = statistics(&https_client(ca, true), &base).await;
    assert_eq!(
        (version, status, body.as_str()),
        (reqwest::Version::HTTP_11, 200, SAMPLE)
    );
    assert_eq!(server.journal().len(), 2);
}

#[tokio::test]
async fn plain_http_stays_the_default() {
    let server = MockServer::start().await;
    assert!(server.base_url().starts_with("http://"));
    assert_eq!(server.ca_pem(), None);
}

/// Starts the binary with `args`, returns it with its base URL.
fn start_binary(args: &[&str]) -> (Killed, String) {
    let mut command = Command::new(BIN);
    command
        .args(["--listen", "127.0.0.1:0", "--no-request-log"])
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    let (child, base) = spawn_until_ready(&mut command);
    (Killed(child), base)
}

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("{program} must be installed for this test: {error}"))
}

fn curl(ca: &Path, version: &str, base: &str) -> String {
    let output = run(
        "curl",
        &[
            "--silent",
            "--show-error",
            "--max-time",
            "10",
            version,
            "--cacert",
            ca.to_str().unwrap(),
            "--header",
            "x-ins-auth-key: INS.demo-key",
            "--data",
            BODY,
            "--write-out",
            "\n%{http_version} %{http_code}",
            &format!("{base}/v1/statistics/campaign"),
        ],
    );
    assert!(
        output.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn port_of(base: &str) -> &str {
    base.rsplit_once(':').unwrap().1
}

#[test]
fn the_binary_writes_its_ca_and_curl_openssl_and_python_trust_it() {
    let dir = tempdir();
    let ca = dir.join("ca.pem");
    let (_child, base) = start_binary(&["--tls", "--tls-ca-out", ca.to_str().unwrap()]);
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");

    assert_eq!(curl(&ca, "--http2", &base), format!("{SAMPLE}\n2 200"));
    assert_eq!(curl(&ca, "--http1.1", &base), format!("{SAMPLE}\n1.1 200"));

    let output = run(
        "timeout",
        &[
            "10",
            "openssl",
            "s_client",
            "-connect",
            &format!("127.0.0.1:{}", port_of(&base)),
            "-servername",
            "localhost",
            "-alpn",
            "h2",
            "-CAfile",
            ca.to_str().unwrap(),
            "-verify_return_error",
        ],
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("ALPN protocol: h2"), "{text}");
    assert!(text.contains("Verify return code: 0 (ok)"), "{text}");

    let script = r#"
import http.client, ssl, sys
context = ssl.create_default_context(cafile=sys.argv[1])
connection = http.client.HTTPSConnection("localhost", int(sys.argv[2]), context=context, timeout=10)
connection.request("POST", "/v1/statistics/campaign", body=sys.argv[3],
                   headers={"x-ins-auth-key": "INS.demo-key"})
response = connection.getresponse()
print(response.status, response.read().decode())
"#;
    let output = run(
        "python3",
        &["-c", script, ca.to_str().unwrap(), port_of(&base), BODY],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim_end(),
        format!("200 {SAMPLE}")
    );
}

#[test]
fn the_binary_serves_a_certificate_of_ones_own() {
    let dir = tempdir();
    let authority = CertificateAuthority::generate().unwrap();
    let identity = authority.issue(&["localhost", "127.0.0.1"]).unwrap();
    let (cert, key, ca) = (
        dir.join("cert.pem"),
        dir.join("key.pem"),
        dir.join("ca.pem"),
    );
    std::fs::write(&cert, identity.cert_pem()).unwrap();
    std::fs::write(&key, identity.key_pem()).unwrap();
    std::fs::write(&ca, authority.pem()).unwrap();
    let (_child, base) = start_binary(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    assert!(base.starts_with("https://"), "{base}");
    assert_eq!(curl(&ca, "--http2", &base), format!("{SAMPLE}\n2 200"));
}

#[test]
fn a_key_that_is_not_a_key_is_refused_with_the_file_named() {
    let dir = tempdir();
    let identity = CertificateAuthority::generate()
        .unwrap()
        .issue(&["localhost"])
        .unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, identity.cert_pem()).unwrap();
    std::fs::write(&key, "not a key\n").unwrap();
    let output = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "no ready line");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no private key"), "{stderr}");
    let missing = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert)
        .arg("--tls-key")
        .arg(dir.join("absent.pem"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        !missing.status.success() && stderr.contains("absent.pem"),
        "{stderr}"
    );
}

/// A fresh directory under the target dir, for files a test writes.
fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "tls-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
