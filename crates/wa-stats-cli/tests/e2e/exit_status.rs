//! Exit statuses: 0 all fetched, 1 some failed (the rest still printed), 2 refused before
//! anything was sent — checked against the mock's journal, which must stay empty.

use wa_stats_mock::MockServer;

use crate::{wa_stats, with_token};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_when_every_campaign_is_fetched() {
    let server = MockServer::start().await;
    let run = with_token(&server.base_url(), &["campaign", "12345", "12346"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_when_some_fail_and_the_others_are_still_printed() {
    let server = MockServer::start().await;
    let run = with_token(
        &server.base_url(),
        &["campaign", "33333", "12345", "--format", "csv"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .lines()
            .nth(2)
            .unwrap()
            .starts_with("12345,1200,"),
        "{run:?}"
    );
    assert!(run.stderr.contains("1 of 2 campaigns failed"), "{run:?}");

    let inactive = wa_stats(
        &[
            "campaign",
            "12345",
            "--base-url",
            &server.base_url(),
            "--token",
            "inactive-token",
        ],
        &[],
        None,
    );
    // Refused credential or product: not a per-campaign failure but "not authorised" (4).
    assert_eq!(inactive.code, 4, "{inactive:?}");
    assert!(inactive.stderr.contains("3007"), "{inactive:?}");

    let unknown = wa_stats(
        &[
            "campaign",
            "12345",
            "--base-url",
            &server.base_url(),
            "--api-key",
            "INS.wrong",
        ],
        &[],
        None,
    );
    assert_eq!(unknown.code, 4, "{unknown:?}");
    assert!(unknown.stderr.contains("401"), "{unknown:?}");
}

/// Runs `args` against the mock and checks it is refused with status 2, a message naming
/// `names`, and not one request sent.
fn refused(server: &MockServer, args: &[&str], env: &[(&str, &str)], names: &str) -> String {
    let base_url = server.base_url();
    let mut all = args.to_vec();
    all.extend(["--base-url", base_url.as_str()]);
    let run = wa_stats(&all, env, None);
    assert_eq!(run.code, 2, "{args:?}: {run:?}");
    assert_eq!(run.stdout, "", "{args:?}");
    assert!(
        run.stderr.contains(names),
        "{args:?} should name {names}: {}",
        run.stderr
    );
    assert!(server.journal().is_empty(), "{args:?} sent a request");
    run.stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_when_refused_before_sending() {
    let server = MockServer::start().await;
    let token = ["--token", "demo-token"];
    let with = |extra: &[&'static str]| {
        let mut args = vec!["campaign"];
        args.extend(extra);
        args.extend(token);
        args
    };
    refused(&server, &with(&["12345", "abc"]), &[], "`abc` (argument 2)");
    refused(&server, &with(&["0"]), &[], "greater than 0");
    refused(&server, &with(&["-5"]), &[], "`-5`");
    let stderr = refused(
        &server,
        &with(&["1", "--from", "1714521600000"]),
        &[],
        "--from",
    );
    assert!(
        stderr.contains("milliseconds") && stderr.contains("--from 1714521600"),
        "{stderr}"
    );
    refused(&server, &with(&["1", "--to", "1714521600000"]), &[], "--to");
    refused(
        &server,
        &with(&["1", "--from", "2024-05-02", "--to", "2024-05-01"]),
        &[],
        "--to",
    );
    refused(
        &server,
        &with(&["1", "--from", "last tuesday"]),
        &[],
        "--from",
    );
    refused(
        &server,
        &with(&["1", "--from", "2099-01-01"]),
        &[],
        "--from",
    );
    refused(
        &server,
        &["campaign", "1", "--token", "t", "--api-key", "k"],
        &[],
        "--api-key",
    );
    refused(&server, &["campaign", "1"], &[], "no credential");
    refused(
        &server,
        &["campaign", "1", "--client-id", "demo-client"],
        &[],
        "--client-secret",
    );
    refused(&server, &with(&["1", "--format", "xml"]), &[], "xml");
    refused(
        &server,
        &with(&["--concurrency", "0", "1"]),
        &[],
        "--concurrency",
    );

    // Plain http to a host that is not loopback: refused before any I/O, so no network is
    // touched (the name is reserved and never resolves anyway).
    let run = wa_stats(
        &[
            "campaign",
            "1",
            "--token",
            "t",
            "--base-url",
            "http://stats.example.invalid",
        ],
        &[],
        None,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("--base-url") && run.stderr.contains("https://"),
        "{run:?}"
    );
    assert!(run.stderr.contains("--allow-insecure-http"), "{run:?}");
}

/// Settings the client refuses at `build()`: the message names the flag (from the client's
/// structured error, not its wording) and says how to fix it; nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_the_client_refuses_name_their_flag() {
    let server = MockServer::start().await;
    let oauth = [
        "--client-id",
        "demo-client",
        "--client-secret",
        "demo-secret",
    ];
    let with_oauth = |extra: &[&'static str]| {
        let mut args = vec!["campaign", "1"];
        args.extend(oauth);
        args.extend(extra);
        args
    };
    for (args, problem) in [
        (
            with_oauth(&["--token-url", "not a url"]),
            "--token-url: token URL is not a valid URL",
        ),
        (
            with_oauth(&["--token-url", "ftp://example.com/auth/token"]),
            "--token-url: token URL must be https://",
        ),
        (
            with_oauth(&["--token-url", "http://stats.example.invalid/auth/token"]),
            "--token-url http://stats.example.invalid/auth/token: plain http://",
        ),
        (
            vec!["campaign", "1", "--api-key", "INS.k\nINS.hidden"],
            "--api-key: the credential contains characters that cannot go in an HTTP header",
        ),
        (
            vec!["campaign", "1", "--token", "demo\u{7f}hidden"],
            "--token: the credential contains characters",
        ),
        (
            vec!["campaign", "1", "--token", "t", "--timeout", "0.0000000001"],
            "--timeout: timeout must be longer than zero",
        ),
    ] {
        let stderr = refused(&server, &args, &[], problem);
        assert!(stderr.contains("\n  fix: "), "{stderr}");
        assert!(
            !stderr.contains("hidden"),
            "a credential was echoed: {stderr}"
        );
    }

    // The base URL is the one `refused` sets, so these run on their own; refused before any
    // I/O, so no network is touched (the name is reserved and never resolves anyway).
    for (extra, problem) in [
        (
            vec!["--base-url", "not a url"],
            "--base-url: base URL is not a valid URL",
        ),
        (
            vec!["--base-url", "https://user:hunter2@example.com"],
            "--base-url: base URL must not contain user info",
        ),
        (
            vec!["--base-url", "ftp://example.com"],
            "--base-url: base URL must be https://",
        ),
        // The same URL for both: the base URL is checked first and is the one named.
        (
            vec![
                "--base-url",
                "http://stats.example.invalid",
                "--token-url",
                "http://stats.example.invalid",
            ],
            "--base-url http://stats.example.invalid/: plain http://",
        ),
    ] {
        let mut args = vec!["campaign", "1"];
        args.extend(oauth);
        args.extend(&extra);
        let run = wa_stats(&args, &[], None);
        assert_eq!(run.code, 2, "{extra:?}: {run:?}");
        assert!(
            run.stderr.contains(problem),
            "{extra:?} should say {problem:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("hunter2"), "{run:?}");
    }
    assert!(server.journal().is_empty());
}

/// The same refusals when the value came from an environment variable: the message names the
/// variable as well as the flag, since the user never typed the flag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_from_the_environment_name_their_variable() {
    let server = MockServer::start().await;
    for (args, env, problem) in [
        (
            vec!["campaign", "1", "--token", "t"],
            vec![("WA_STATS_BASE_URL", "not a url")],
            "--base-url (from WA_STATS_BASE_URL): base URL is not a valid URL",
        ),
        (
            vec!["campaign", "1", "--token", "t"],
            vec![("WA_STATS_BASE_URL", "http://stats.example.invalid")],
            "--base-url http://stats.example.invalid/ (from WA_STATS_BASE_URL): plain http://",
        ),
        (
            vec!["campaign", "1", "--client-id", "demo-client"],
            vec![
                ("WA_STATS_BASE_URL", "https://stats.example.invalid"),
                ("WA_STATS_CLIENT_SECRET", "demo-secret"),
                (
                    "WA_STATS_TOKEN_URL",
                    "ftp://stats.example.invalid/auth/token",
                ),
            ],
            "--token-url (from WA_STATS_TOKEN_URL): token URL must be https://",
        ),
        // A flag wins over the variable of the same option (clap's rule), and is what is named.
        (
            vec!["campaign", "1", "--token", "t", "--base-url", "not a url"],
            vec![("WA_STATS_BASE_URL", "https://stats.example.invalid")],
            "error: --base-url: base URL is not a valid URL",
        ),
    ] {
        let run = wa_stats(&args, &env, None);
        assert_eq!(run.code, 2, "{env:?}: {run:?}");
        assert!(
            run.stderr.contains(problem),
            "{env:?} should say {problem:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("\n  fix: "), "{}", run.stderr);
    }

    // Credentials: named by their variable, never echoed. `refused` sets the mock's base URL.
    for (args, env, problem) in [
        (
            vec!["campaign", "1"],
            vec![("WA_STATS_API_KEY", "INS.k\nINS.hidden")],
            "--api-key (from WA_STATS_API_KEY): the credential contains characters",
        ),
        (
            vec!["campaign", "1"],
            vec![("WA_STATS_TOKEN", "demo\u{7f}hidden")],
            "--token (from WA_STATS_TOKEN): the credential contains characters",
        ),
    ] {
        let stderr = refused(&server, &args, &env, problem);
        assert!(
            !stderr.contains("hidden"),
            "a credential was echoed: {stderr}"
        );
    }
    assert!(server.journal().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_means_nothing_on_stderr() {
    let server = MockServer::start().await;
    let failed = with_token(&server.base_url(), &["campaign", "33333", "-q"]);
    assert_eq!((failed.code, failed.stderr.as_str()), (1, ""), "{failed:?}");
    let refused = with_token(&server.base_url(), &["-q", "campaign", "0"]);
    assert_eq!(
        (refused.code, refused.stderr.as_str()),
        (2, ""),
        "{refused:?}"
    );
}
