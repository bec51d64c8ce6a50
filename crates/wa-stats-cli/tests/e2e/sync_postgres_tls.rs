//! `wa-stats sync` into a real PostgreSQL that takes TLS connections only (`ssl = on`,
//! `hostnossl … reject`), with certificates the test makes: every `sslmode`, `sslrootcert` and
//! `--ca-cert`, a CA the tool does not know, a certificate for another host name; and connection
//! errors that name their cause and a fix, and never the password.

use wa_stats_mock::tls::CertificateAuthority;

use super::sync::{db_path, mock, sync};
use super::sync_postgres::{Tls, start_with};

/// `sync` into `url` with nothing new to fetch after the first run (`--lookback 0`).
fn run(base_url: &str, url: &str, extra: &[&str]) -> crate::Run {
    let mut args = vec!["--lookback", "0"];
    args.extend(extra);
    sync(base_url, url, &args)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_sslmode_does_what_libpq_s_does() {
    let ca = CertificateAuthority::generate().expect("a CA");
    let identity = ca
        .issue(&["localhost", "127.0.0.1"])
        .expect("a server certificate");
    let dir = db_path("pg-tls").with_extension("d");
    std::fs::create_dir_all(&dir).expect("a directory");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).expect("the CA file");
    let ca_path = ca_file.to_string_lossy().into_owned();
    let server = start_with(Some(Tls {
        identity: &identity,
        hba: "",
    }))
    .await;
    let mock = mock().await;
    let base = server.url();

    // disable: the server takes TLS only, and says so.
    let refused = run(&mock.base_url(), &format!("{base}?sslmode=disable"), &[]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains("the server requires TLS"),
        "{refused:?}"
    );
    assert!(
        refused.stderr.contains("fix: add sslmode=require"),
        "{refused:?}"
    );

    // prefer (the default) and require: encrypted, the certificate not checked.
    for url in [base.clone(), format!("{base}?sslmode=require")] {
        let ok = run(&mock.base_url(), &url, &[]);
        assert_eq!(ok.code, 0, "{url}: {ok:?}");
    }
    // verify-ca and verify-full with the CA, by sslrootcert or --ca-cert.
    for (url, extra) in [
        (
            format!("{base}?sslmode=verify-ca&sslrootcert={ca_path}"),
            vec![],
        ),
        (
            format!("{base}?sslmode=verify-full&sslrootcert={ca_path}"),
            vec![],
        ),
        (
            format!("{base}?sslmode=verify-full"),
            vec!["--ca-cert", ca_path.as_str()],
        ),
    ] {
        let ok = run(&mock.base_url(), &url, &extra);
        assert_eq!(ok.code, 0, "{url} {extra:?}: {ok:?}");
    }
    // A CA the tool does not know.
    for mode in ["verify-ca", "verify-full"] {
        let unknown = run(&mock.base_url(), &format!("{base}?sslmode={mode}"), &[]);
        assert_eq!(unknown.code, 1, "{unknown:?}");
        assert!(
            unknown
                .stderr
                .contains("not signed by a root this tool trusts"),
            "{mode}: {unknown:?}"
        );
        assert!(
            unknown
                .stderr
                .contains("fix: give its CA with sslrootcert=FILE"),
            "{unknown:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_for_another_host_fails_verify_full_only() {
    let ca = CertificateAuthority::generate().expect("a CA");
    let identity = ca
        .issue(&["db.example"])
        .expect("a certificate for another name");
    let dir = db_path("pg-tls-name").with_extension("d");
    std::fs::create_dir_all(&dir).expect("a directory");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).expect("the CA file");
    let ca_path = ca_file.to_string_lossy().into_owned();
    let server = start_with(Some(Tls {
        identity: &identity,
        hba: "",
    }))
    .await;
    let mock = mock().await;
    let base = server.url();
    let full = run(
        &mock.base_url(),
        &format!("{base}?sslmode=verify-full&sslrootcert={ca_path}"),
        &[],
    );
    assert_eq!(full.code, 1, "{full:?}");
    assert!(
        full.stderr.contains("not issued for the host connected to"),
        "{full:?}"
    );
    let chain_only = run(
        &mock.base_url(),
        &format!("{base}?sslmode=verify-ca&sslrootcert={ca_path}"),
        &[],
    );
    assert_eq!(chain_only.code, 0, "{chain_only:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_errors_name_the_cause_and_never_the_password() {
    let ca = CertificateAuthority::generate().expect("a CA");
    let identity = ca
        .issue(&["localhost", "127.0.0.1"])
        .expect("a server certificate");
    let server = start_with(Some(Tls {
        identity: &identity,
        hba: "hostssl all ana 127.0.0.1/32 scram-sha-256",
    }))
    .await;
    let admin = server.socket_client().await.expect("a socket connection");
    admin
        .batch_execute(
            "CREATE ROLE ana LOGIN PASSWORD 'right-pw-41'; GRANT ALL ON SCHEMA public TO ana",
        )
        .await
        .expect("a role");
    let mock = mock().await;
    let port = server.port();
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    for (url, cause, fix) in [
        (
            format!("postgres://ana:wrong-pw-17@127.0.0.1:{free}/postgres"),
            "the connection was refused",
            "fix: check the host and port",
        ),
        (
            format!("postgres://ana:wrong-pw-17@127.0.0.1:{port}/postgres?sslmode=require"),
            "authentication failed",
            "fix: check the user and the password",
        ),
        (
            format!("postgres://postgres:wrong-pw-17@127.0.0.1:{port}/nope?sslmode=require"),
            "the database does not exist",
            "fix: create it",
        ),
    ] {
        let failed = run(&mock.base_url(), &url, &[]);
        assert_eq!(failed.code, 1, "{url}: {failed:?}");
        assert!(failed.stderr.contains(cause), "{url}: {failed:?}");
        assert!(failed.stderr.contains(fix), "{url}: {failed:?}");
        assert!(
            !failed.stderr.contains("wrong-pw-17") && !failed.stdout.contains("wrong-pw-17"),
            "the password is never printed: {failed:?}"
        );
    }
    // The right password works.
    let ok = run(
        &mock.base_url(),
        &format!("postgres://ana:right-pw-41@127.0.0.1:{port}/postgres?sslmode=require"),
        &[],
    );
    assert_eq!(ok.code, 0, "{ok:?}");
}
