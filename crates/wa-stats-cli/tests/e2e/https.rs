//! The CLI over HTTPS against the mock's TLS (a CA made at start): `--ca-cert FILE`, the
//! `WA_STATS_CA_CERT` variable and a profile's `ca_cert` each make the run trust it; without
//! any, the certificate is refused as a TLS failure whose message names the fix, and the run is
//! not retried.

use serde_json::Value;
use wa_stats_mock::MockServer;

use crate::wa_stats;

async fn tls_mock() -> (MockServer, String) {
    let server = MockServer::builder()
        .tls()
        .start()
        .await
        .expect("the mock starts with TLS");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("https-{}", server.addr().port()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, server.ca_pem().expect("a generated CA")).expect("ca.pem");
    (server, ca.display().to_string())
}

fn fetched(stdout: &str) -> Value {
    let line: Value = serde_json::from_str(stdout.lines().next().expect("one line")).expect("JSON");
    assert_eq!(line["statistics"]["sent"], 1200, "{stdout}");
    line
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_trusts_the_ca_given_by_flag_by_variable_or_by_profile() {
    let (server, ca) = tls_mock().await;
    let url = server.base_url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let base = [
        "campaign",
        "12345",
        "--format",
        "json",
        "--token",
        "demo-token",
    ];

    let mut args = base.to_vec();
    args.extend(["--base-url", &url, "--ca-cert", &ca]);
    let run = wa_stats(&args, &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    fetched(&run.stdout);

    let mut args = base.to_vec();
    args.extend(["--base-url", &url]);
    let run = wa_stats(&args, &[("WA_STATS_CA_CERT", &ca)], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    fetched(&run.stdout);

    let config = std::path::Path::new(&ca).with_file_name("config");
    std::fs::create_dir_all(config.join("wa-stats")).expect("config directory");
    std::fs::write(
        config.join("wa-stats").join("config.toml"),
        format!("[default]\nbase_url = \"{url}\"\nca_cert = \"{ca}\"\n"),
    )
    .expect("config.toml");
    let run = wa_stats(
        &base,
        &[("XDG_CONFIG_HOME", config.to_str().expect("UTF-8"))],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    fetched(&run.stdout);
    assert_eq!(server.journal().len(), 3, "one request each, over HTTPS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_ca_the_certificate_is_refused_once_with_the_fix() {
    let (server, _) = tls_mock().await;
    let run = wa_stats(
        &[
            "campaign",
            "12345",
            "--format",
            "json",
            "--token",
            "demo-token",
            "--base-url",
            &server.base_url(),
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let line: Value = serde_json::from_str(run.stdout.lines().next().expect("one line"))
        .expect("a JSON error line");
    assert_eq!(line["error"]["kind"], "tls", "{}", run.stdout);
    let message = line["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("does not trust") && message.contains("--ca-cert FILE"),
        "{message}"
    );
    assert!(server.journal().is_empty(), "no request got through");
    // A retry would have made a second handshake.
    assert_eq!(server.connections_accepted(), 1, "not retried");
}
