//! The token cache never fails a run it was not asked for by name (issue 31, item 12): `auto`
//! warns once and goes on without it; only `--token-cache disk` may refuse. A symlinked record is
//! refused as a symlink (no chmod advice, which would change its target), a failed write leaves
//! no temporary file, and a relative `XDG_CACHE_HOME` or `XDG_CONFIG_HOME` is ignored, as the XDG
//! spec says.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use wa_stats_mock::MockServer;

use crate::{Run, finish_within, isolate, wa_stats_within};

const LIMIT: Duration = Duration::from_secs(30);

fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cache-failures-{test}-{}", std::process::id()));
    if dir.exists() {
        let _ = Command::new("chmod")
            .arg("-R")
            .arg("u+rwx")
            .arg(&dir)
            .status();
        std::fs::remove_dir_all(&dir).ok();
    }
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn oauth(base_url: &str, cache: &str, env: &[(&str, &str)]) -> Run {
    wa_stats_within(
        &[
            "campaign",
            "12345",
            "--base-url",
            base_url,
            "--client-id",
            "demo-client",
            "--client-secret",
            "demo-secret",
            "--token-cache",
            cache,
        ],
        env,
        LIMIT,
    )
}

fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_goes_on_without_a_cache_it_cannot_create_and_disk_refuses() {
    let server = MockServer::start().await;
    let dir = scratch("uncreatable");
    // A file where the cache directory's parent should be.
    let blocker = dir.join("not-a-directory");
    std::fs::write(&blocker, "").expect("a plain file");
    let cache_home = blocker.join("cache");
    let env = [("XDG_CACHE_HOME", cache_home.to_str().expect("UTF-8 path"))];
    let run = oauth(&server.base_url(), "auto", &env);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stderr.matches("warning").count(),
        1,
        "warned once: {run:?}"
    );
    assert!(run.stderr.contains("without the token cache"), "{run:?}");
    assert!(
        !run.stderr.contains("--token-cache disk"),
        "a flag never given: {run:?}"
    );
    let run = oauth(&server.base_url(), "disk", &env);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--token-cache disk"), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlinked_record_is_refused_as_a_symlink_and_its_target_left_alone() {
    let server = MockServer::start().await;
    let dir = scratch("symlink");
    let env = [("XDG_CACHE_HOME", dir.to_str().expect("UTF-8 path"))];
    let run = oauth(&server.base_url(), "disk", &env);
    assert_eq!(run.code, 0, "{run:?}");
    let cache = dir.join("wa-stats");
    let record = entries(&cache)
        .into_iter()
        .find(|name| name.ends_with(".token"))
        .expect("a record was written");
    // Someone else's file, readable by all, as /etc/passwd is.
    let target = dir.join("passwd");
    std::fs::write(&target, "root:x:0:0\n").expect("the target");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).expect("0644");
    std::fs::remove_file(cache.join(&record)).expect("the record removed");
    std::os::unix::fs::symlink(&target, cache.join(&record)).expect("a symlink in its place");

    let run = oauth(&server.base_url(), "disk", &env);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("symbolic link"), "{run:?}");
    assert!(!run.stderr.contains("chmod"), "{run:?}");
    let run = oauth(&server.base_url(), "auto", &env);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("symbolic link"), "{run:?}");
    let mode = std::fs::metadata(&target)
        .expect("the target")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644, "the target's mode is unchanged");
    assert_eq!(
        std::fs::read_to_string(&target).expect("the target"),
        "root:x:0:0\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_that_cannot_be_written_leaves_no_temporary_file() {
    let server = MockServer::start().await;
    let dir = scratch("full");
    // `ulimit -f 0`: no file may grow, as on a full disk; with SIGXFSZ ignored, a write fails
    // with EFBIG instead of ending the process.
    let mut command = Command::new("sh");
    command.args([
        "-c",
        "trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"",
        env!("CARGO_BIN_EXE_wa-stats"),
        "campaign",
        "12345",
        "--base-url",
        &server.base_url(),
        "--client-id",
        "demo-client",
        "--client-secret",
        "demo-secret",
        "--token-cache",
        "disk",
    ]);
    isolate(&mut command);
    command
        .env("XDG_CACHE_HOME", &dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (run, _) = finish_within(command.spawn().expect("sh runs"), LIMIT);
    assert_eq!(run.code, 0, "a cache failure never fails the call: {run:?}");
    let left = entries(&dir.join("wa-stats"));
    assert!(
        !left.iter().any(|name| name.ends_with(".tmp")),
        "temporary files left: {left:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relative_xdg_directories_are_ignored() {
    let server = MockServer::start().await;
    let dir = scratch("relative");
    let home = dir.join("home");
    std::fs::create_dir_all(home.join("relative-config").join("wa-stats")).expect("config dir");
    // A profile under the relative config directory that would break the run if it were read.
    std::fs::write(
        home.join("relative-config")
            .join("wa-stats")
            .join("config.toml"),
        "this is not a profile file [[[\n",
    )
    .expect("config.toml");
    let mut command = crate::command(
        &[
            "campaign",
            "12345",
            "--base-url",
            &server.base_url(),
            "--client-id",
            "demo-client",
            "--client-secret",
            "demo-secret",
        ],
        &[
            ("XDG_CACHE_HOME", "relative-cache"),
            ("XDG_CONFIG_HOME", "relative-config"),
            ("HOME", home.to_str().expect("UTF-8 path")),
        ],
    );
    command.current_dir(&home).stdin(Stdio::null());
    let (run, _) = finish_within(command.spawn().expect("wa-stats runs"), LIMIT);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        !home.join("relative-cache").exists(),
        "the relative cache was not used"
    );
    assert!(
        home.join(".cache").join("wa-stats").exists(),
        "HOME's cache was used instead"
    );
}

/// Warnings say what happened in words, not a Rust `Debug` dump (issue 31, item 16).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_warning_is_words_not_debug() {
    let server = MockServer::start().await;
    let run = wa_stats_within(
        &[
            "campaign",
            "12345",
            "--base-url",
            &server.base_url(),
            "--client-id",
            "demo-client",
            "--client-secret",
            "demo-secret",
            "--token-cache",
            "redis",
            // Nothing listens there: the budget and the cache fall back with a warning.
            "--shared-budget",
            "redis://127.0.0.1:1",
        ],
        &[],
        LIMIT,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("token cache unavailable"), "{run:?}");
    for debug in ["RedisStore", "DiskStore", " {", "}"] {
        assert!(!run.stderr.contains(debug), "{debug}: {run:?}");
    }
}
