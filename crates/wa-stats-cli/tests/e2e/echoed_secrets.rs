//! A server that quotes the request in its error bodies (issue 31, item 6): whatever it echoes,
//! no credential of the run reaches stdout or stderr, in any format, with `-v` or `-vv`.

use std::time::Duration;

use wa_stats_mock::{Fault, MockServer};

use crate::{Run, wa_stats_within};

const LIMIT: Duration = Duration::from_secs(60);

/// The mock's demo credentials, and the access token the token endpoint issues in one case.
const SECRETS: [&str; 4] = [
    "demo-token",
    "INS.demo-key",
    "demo-secret",
    "issued-token-9c1e",
];

fn echo(status: u16, secret: &str) -> Fault {
    Fault::status(status)
        .body(format!(
            r#"{{"message":"refused: x-ins-auth-key={secret} authorization=Bearer {secret} client_secret={secret}"}}"#
        ))
        .always()
}

fn assert_no_secret(run: &Run, case: &str) {
    for secret in SECRETS {
        assert!(
            !run.stdout.contains(secret),
            "{case}: {secret} on stdout: {run:?}"
        );
        assert!(
            !run.stderr.contains(secret),
            "{case}: {secret} on stderr: {run:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echoed_credentials_never_reach_stdout_or_stderr() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    let statics = [("--api-key", "INS.demo-key"), ("--token", "demo-token")];
    for (flag, secret) in statics {
        for status in [400, 401, 500] {
            for format in ["table", "json", "csv"] {
                for verbose in ["-v", "-vv"] {
                    server.inject(echo(status, secret));
                    let run = wa_stats_within(
                        &[
                            "campaign",
                            "12345",
                            "--base-url",
                            &base_url,
                            flag,
                            secret,
                            "--format",
                            format,
                            verbose,
                            "--max-retries",
                            "1",
                        ],
                        &[],
                        LIMIT,
                    );
                    server.reset();
                    let case = format!("{flag} {status} {format} {verbose}");
                    assert_ne!(run.code, 0, "{case}: {run:?}");
                    assert!(
                        run.stdout.contains("** redacted **")
                            || run.stderr.contains("** redacted **"),
                        "{case}: the message is kept, the secret replaced: {run:?}"
                    );
                    assert_no_secret(&run, &case);
                }
            }
        }
    }
    // The token endpoint quoting the client secret, through `token` and `campaign`.
    for status in [401, 500] {
        for subcommand in [&["token"][..], &["campaign", "12345", "--format", "json"]] {
            server.inject(echo(status, "demo-secret").on_token_endpoint());
            let mut args = subcommand.to_vec();
            args.extend([
                "--base-url",
                &base_url,
                "--client-id",
                "demo-client",
                "--client-secret",
                "demo-secret",
                "--token-cache",
                "off",
                "-vv",
                "--max-retries",
                "1",
            ]);
            let run = wa_stats_within(&args, &[], LIMIT);
            server.reset();
            let case = format!("token endpoint {status} {subcommand:?}");
            assert_ne!(run.code, 0, "{case}: {run:?}");
            assert_no_secret(&run, &case);
        }
    }
    // The statistics route quoting the access token this run was issued.
    server.inject(
        Fault::status(200)
            .body(r#"{"access_token":"issued-token-9c1e","token_type":"Bearer","expires_in":3600}"#)
            .on_token_endpoint()
            .always(),
    );
    server.inject(echo(400, "issued-token-9c1e"));
    let run = wa_stats_within(
        &[
            "campaign",
            "12345",
            "--base-url",
            &base_url,
            "--client-id",
            "demo-client",
            "--client-secret",
            "demo-secret",
            "--token-cache",
            "off",
            "--format",
            "json",
            "-vv",
        ],
        &[],
        LIMIT,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_no_secret(&run, "the issued access token");
}
