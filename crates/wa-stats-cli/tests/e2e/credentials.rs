//! Credentials: from flags and from the environment, the `token` subcommand, and secrets never
//! reaching stdout or stderr, even with `-v`.

use wa_stats_mock::MockServer;

use crate::{Run, wa_stats};

/// Every secret the mock knows for partner "demo".
const SECRETS: [&str; 3] = ["demo-token", "INS.demo-key", "demo-secret"];

fn assert_no_secret(run: &Run, also: &[&str]) {
    for secret in SECRETS.iter().chain(also) {
        assert!(!run.stdout.contains(secret), "{secret} on stdout: {run:?}");
        assert!(!run.stderr.contains(secret), "{secret} on stderr: {run:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_credential_from_the_environment() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    let base = ("WA_STATS_BASE_URL", base_url.as_str());
    for env in [
        vec![base, ("WA_STATS_TOKEN", "demo-token")],
        vec![base, ("WA_STATS_API_KEY", "INS.demo-key")],
        vec![
            base,
            ("WA_STATS_CLIENT_ID", "demo-client"),
            ("WA_STATS_CLIENT_SECRET", "demo-secret"),
        ],
    ] {
        let run = wa_stats(&["campaign", "12345", "--format", "csv"], &env, None);
        assert_eq!(run.code, 0, "{env:?}: {run:?}");
        assert!(
            run.stdout
                .lines()
                .nth(1)
                .unwrap()
                .starts_with("12345,1200,1150,400,")
        );
    }
    // The route follows the credential: v1 for the API key, v2 for tokens (R1).
    let paths: Vec<String> = server
        .journal()
        .iter()
        .map(|entry| entry.path.clone())
        .collect();
    assert!(
        paths.iter().any(|p| p == "/v1/statistics/campaign"),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p == "/api/wa/v2/statistics/campaign"),
        "{paths:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flag_and_an_environment_credential_are_two_credentials() {
    let server = MockServer::start().await;
    let run = wa_stats(
        &[
            "campaign",
            "12345",
            "--base-url",
            &server.base_url(),
            "--api-key",
            "INS.demo-key",
        ],
        &[("WA_STATS_TOKEN", "demo-token")],
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("--token (from WA_STATS_TOKEN) and --api-key"),
        "{run:?}"
    );
    assert_no_secret(&run, &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_prints_a_fresh_access_token_that_works() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    let run = wa_stats(
        &[
            "token",
            "--base-url",
            &base_url,
            "--client-id",
            "demo-client",
        ],
        &[("WA_STATS_CLIENT_SECRET", "demo-secret")],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "");
    let token = run.stdout.trim();
    assert!(
        !token.is_empty() && run.stdout.lines().count() == 1,
        "{run:?}"
    );
    let fetched = wa_stats(
        &[
            "campaign",
            "12345",
            "--base-url",
            &base_url,
            "--token",
            token,
        ],
        &[],
        None,
    );
    assert_eq!(fetched.code, 0, "{fetched:?}");

    let wrong = wa_stats(
        &[
            "token",
            "--base-url",
            &base_url,
            "--client-id",
            "demo-client",
            "--client-secret",
            "nope",
        ],
        &[],
        None,
    );
    // Refused client credentials: "not authorised", with a fix line.
    assert_eq!(wrong.code, 4, "{wrong:?}");
    assert!(
        wrong.stderr.contains("\n  fix: check --client-id"),
        "{wrong:?}"
    );
    assert!(
        wrong.stderr.contains("cannot get an access token"),
        "{wrong:?}"
    );
    assert_no_secret(&wrong, &["nope"]);

    let not_oauth = wa_stats(
        &["token", "--base-url", &base_url, "--token", "demo-token"],
        &[],
        None,
    );
    // `token` takes no --token at all: a usage error, as for any unknown option.
    assert_eq!(not_oauth.code, 2, "{not_oauth:?}");
    assert!(
        not_oauth.stderr.contains("unexpected argument '--token'"),
        "{not_oauth:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_logs_attempts_but_never_a_secret() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    // A token the client fetches itself must not leak either: get one the way a user would,
    // then check that the verbose run with client credentials shows none of it.
    for credential in [
        vec!["--token", "demo-token"],
        vec!["--api-key", "INS.demo-key"],
        vec![
            "--client-id",
            "demo-client",
            "--client-secret",
            "demo-secret",
        ],
    ] {
        let mut args = vec!["-v", "campaign", "12345", "33333", "--base-url", &base_url];
        args.extend(&credential);
        let run = wa_stats(&args, &[], None);
        assert_eq!(run.code, 1, "{run:?}");
        assert!(
            run.stderr.contains("attempt 1: HTTP 200, "),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("attempt 1: HTTP 400, "),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(" ms\n"), "{}", run.stderr);
        assert_no_secret(&run, &[]);
    }
    let issued = wa_stats(
        &[
            "token",
            "--base-url",
            &base_url,
            "--client-id",
            "demo-client",
            "--client-secret",
            "demo-secret",
        ],
        &[],
        None,
    );
    let issued = issued.stdout.trim().to_owned();
    let run = wa_stats(
        &[
            "-vv",
            "campaign",
            "12345",
            "--base-url",
            &base_url,
            "--token",
            &issued,
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_no_secret(&run, &[&issued]);
    let token_run = wa_stats(
        &[
            "token",
            "-vv",
            "--base-url",
            &base_url,
            "--client-id",
            "demo-client",
            "--client-secret",
            "demo-secret",
        ],
        &[],
        None,
    );
    assert_eq!(token_run.code, 0, "{token_run:?}");
    let printed = token_run.stdout.trim();
    assert!(
        !token_run.stderr.contains(printed),
        "the token reached stderr: {token_run:?}"
    );
    assert!(!token_run.stderr.contains("demo-secret"), "{token_run:?}");
}

/// Flags, environment variables, and what stderr must say.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

/// A refused credential names where it came from: the variable when the user never typed the
/// flag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_credential_from_the_environment_names_its_variable() {
    let server = MockServer::start().await;
    let base_url = server.base_url();
    let cases: [Case<'_>; 4] = [
        (
            &[],
            &[("WA_STATS_TOKEN", " ")],
            "--token (from WA_STATS_TOKEN) is empty",
        ),
        (&["--api-key", " "], &[], "--api-key is empty"),
        (
            &[],
            &[("WA_STATS_CLIENT_ID", "demo-client")],
            "--client-id (from WA_STATS_CLIENT_ID) was given without --client-secret",
        ),
        (
            &["--client-secret", "demo-secret"],
            &[],
            "--client-secret was given without --client-id",
        ),
    ];
    for (flags, env, problem) in cases {
        let mut args = vec!["campaign", "12345", "--base-url", &base_url];
        args.extend_from_slice(flags);
        let run = wa_stats(&args, env, None);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.stderr.contains(problem), "{problem}: {run:?}");
        assert_no_secret(&run, &[]);
    }
    assert!(server.journal().is_empty(), "a refused credential was sent");
}
