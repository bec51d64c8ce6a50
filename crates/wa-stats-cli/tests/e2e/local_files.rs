//! Local files the tool reads (issue 31, item 10): the CA certificate (flag, variable, profile)
//! and the profile file itself. Only regular files of a bounded size are read; a device, a FIFO
//! or a directory is refused at once, and every refusal names where the path came from and the
//! path.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use wa_stats_mock::MockServer;

use crate::{Run, wa_stats_within};

const LIMIT: Duration = Duration::from_secs(20);

/// A scratch directory of this test's own.
fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("local-files-{test}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo(1) runs");
    assert!(made.success(), "mkfifo {}", path.display());
}

fn campaign(base_url: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args = vec![
        "campaign",
        "12345",
        "--base-url",
        base_url,
        "--token",
        "demo-token",
    ];
    args.extend(extra);
    wa_stats_within(&args, env, LIMIT)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_cert_that_is_not_a_small_regular_file_is_refused_naming_its_origin() {
    let server = MockServer::start().await;
    let url = server.base_url();
    let dir = scratch("ca");
    let fifo = dir.join("ca.fifo");
    mkfifo(&fifo);
    let large = dir.join("large.pem");
    let file = std::fs::File::create(&large).expect("large.pem");
    file.set_len(64 * 1024 * 1024)
        .expect("a sparse 64 MiB file");
    let fifo = fifo.to_str().expect("UTF-8 path");
    let large = large.to_str().expect("UTF-8 path");
    let directory = dir.to_str().expect("UTF-8 path");
    for (path, why) in [
        ("/dev/zero", "not a regular file"),
        (fifo, "not a regular file"),
        (directory, "not a regular file"),
        (large, "larger than"),
    ] {
        let run = campaign(&url, &["--ca-cert", path], &[]);
        assert_eq!(run.code, 2, "{path}: {run:?}");
        assert!(run.stderr.contains(&format!("--ca-cert {path}")), "{run:?}");
        assert!(run.stderr.contains(why), "{path}: {run:?}");

        let run = campaign(&url, &[], &[("WA_STATS_CA_CERT", path)]);
        assert_eq!(run.code, 2, "{path}: {run:?}");
        assert!(
            run.stderr
                .contains(&format!("--ca-cert {path} (from WA_STATS_CA_CERT)")),
            "{run:?}"
        );

        let home = dir.join(format!("home-{}", path.len()));
        std::fs::create_dir_all(home.join("wa-stats")).expect("config directory");
        std::fs::write(
            home.join("wa-stats").join("config.toml"),
            format!("[default]\nca_cert = \"{path}\"\n"),
        )
        .expect("config.toml");
        let run = campaign(
            &url,
            &[],
            &[("XDG_CONFIG_HOME", home.to_str().expect("UTF-8 path"))],
        );
        assert_eq!(run.code, 2, "{path}: {run:?}");
        assert!(run.stderr.contains("ca_cert"), "{run:?}");
        assert!(run.stderr.contains("config.toml"), "{run:?}");
        assert!(run.stderr.contains(path), "{run:?}");
    }
    assert!(server.journal().is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_garbage_pem_names_the_flag_and_the_file() {
    let server = MockServer::start().await;
    let dir = scratch("pem");
    for (name, text) in [
        (
            "broken.pem",
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
        ),
        ("text.pem", "hello\n"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("the PEM file");
        let path = path.to_str().expect("UTF-8 path");
        let run = campaign(&server.base_url(), &["--ca-cert", path], &[]);
        assert_eq!(run.code, 2, "{name}: {run:?}");
        assert!(
            run.stderr.contains(&format!("--ca-cert {path}")),
            "{name}: {run:?}"
        );
        assert!(!run.stderr.contains("builder error"), "{name}: {run:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_that_is_a_fifo_or_a_directory_is_refused_at_once() {
    let server = MockServer::start().await;
    let dir = scratch("profile");
    let fifo_home = dir.join("fifo");
    std::fs::create_dir_all(fifo_home.join("wa-stats")).expect("config directory");
    mkfifo(&fifo_home.join("wa-stats").join("config.toml"));
    let dir_home = dir.join("dir");
    std::fs::create_dir_all(dir_home.join("wa-stats").join("config.toml"))
        .expect("a directory where the file should be");
    for home in [fifo_home, dir_home] {
        let run = campaign(
            &server.base_url(),
            &[],
            &[("XDG_CONFIG_HOME", home.to_str().expect("UTF-8 path"))],
        );
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.stderr.contains("not a regular file"), "{run:?}");
        assert!(run.stderr.contains("config.toml"), "{run:?}");
    }
}
