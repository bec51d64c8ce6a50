//! The documents' shell examples run as tests (issue 35 §1): every command in README.md,
//! docs/*.md, python/README.md, python-cli/README.md and bindings/*/README.md runs against a mock
//! this test starts (127.0.0.1, a free port), and the output a document shows must be what the
//! command prints, else the test fails with a diff.
//!
//! How a document's command becomes a test (docs/architecture.md, "Docs as tests"):
//! - `http://127.0.0.1:8080`, the mock of the README, becomes this test's mock's URL in the
//!   command, and back in the output;
//! - each document runs in a fresh directory holding `target/release/` and `target/debug/` links
//!   to the `wa-stats` and `tap-wa-stats` binaries cargo built for this test, and a `bin/` of the
//!   same on `PATH`, so `target/release/wa-stats …` and `wa-stats …` both run them (debug builds:
//!   the harness never builds in release);
//! - `bash -o pipefail -e -c`, with no `WA_STATS_*` from the caller, `HOME` and `XDG_CONFIG_HOME`
//!   in that directory (no profile), `NO_COLOR=1` and no `COLUMNS`; a document's
//!   `<!-- doc-test: env K=V -->` sets variables for its later commands;
//! - a command that shows no output must exit 0; one that cannot run here (a release build, an
//!   install, a benchmark, a server that runs until stopped) carries
//!   `<!-- doc-test: skip REASON -->` and is listed with its reason on every run;
//! - `[..]` in a shown line matches any text within it;
//! - a ` ```rust ` snippet carries `<!-- doc-test: same-as PATH -->`, the test that compiles and
//!   runs it against a mock, which must hold it verbatim (`"http://127.0.0.1:8080"` there being
//!   the variable `mock_url`), or a skip saying where else it runs.
//!
//! `WA_STATS_DOCS=overwrite cargo test -p wa-stats-cli --test docs` rewrites the outputs that
//! differ, for a change on purpose (review it with `git diff`, as insta's review); CI never sets it.

mod markdown;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The URL the documents give the mock (the README's Quick start).
const DOCUMENTED_URL: &str = "http://127.0.0.1:8080";
/// The most one command may take: these are quick examples, not benchmarks.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The documents, found rather than listed, so that a new doc is covered.
fn documents() -> Vec<PathBuf> {
    let root = workspace();
    let mut docs = vec![
        PathBuf::from("README.md"),
        PathBuf::from("python/README.md"),
        PathBuf::from("python-cli/README.md"),
    ];
    for (dir, file) in [("docs", None), ("bindings", Some("README.md"))] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("the workspace's docs/ and bindings/")
            .map(|entry| entry.expect("a directory entry").path())
            .filter_map(|path| match file {
                None => (path.extension()? == "md").then_some(path),
                Some(name) => Some(path.join(name)).filter(|p| p.is_file()),
            })
            .map(|path| path.strip_prefix(&root).expect("inside").to_path_buf())
            .collect();
        found.sort();
        docs.extend(found);
    }
    docs
}

/// A directory laid out as a checkout after `cargo build --release`, as far as the docs need.
fn sandbox() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "wa-stats-docs-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    for sub in ["target/release", "target/debug", "bin", "config"] {
        std::fs::create_dir_all(dir.join(sub)).expect("sandbox directories");
    }
    for (name, exe) in [
        ("wa-stats", env!("CARGO_BIN_EXE_wa-stats")),
        ("tap-wa-stats", env!("CARGO_BIN_EXE_tap-wa-stats")),
    ] {
        for sub in ["target/release", "target/debug", "bin"] {
            std::os::unix::fs::symlink(exe, dir.join(sub).join(name)).expect("link a binary");
        }
    }
    dir
}

struct Ran {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `command` in `dir`, bounded by [`COMMAND_TIMEOUT`] (killed past it).
fn run(dir: &Path, command: &str, env: &[(String, String)]) -> Ran {
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.args(["-o", "pipefail", "-e", "-c", command])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars() {
        if key.starts_with("WA_STATS_") || key == "COLUMNS" || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.env("PATH", path)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("NO_COLOR", "1")
        .envs(env.iter().map(|(k, v)| (k, v)));
    let mut child = cmd.spawn().expect("bash runs");
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    // A bound on the wait, not a measure of speed.
    let give_up = Instant::now() + COMMAND_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if Instant::now() > give_up {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ran {
        status,
        stdout: reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

#[test]
fn every_documented_command_runs_as_shown() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the mock");
    let mock = runtime.block_on(wa_stats_mock::MockServer::start());
    let url = mock.base_url();
    let overwrite = std::env::var("WA_STATS_DOCS").is_ok_and(|v| v == "overwrite");
    let mut failures = Vec::new();
    let mut skipped = BTreeMap::new();
    let mut ran = 0;
    let mut pinned = 0;
    for doc in documents() {
        let file = workspace().join(&doc);
        let mut text = std::fs::read_to_string(&file).expect("the document reads");
        let examples = match markdown::examples(&text) {
            Ok(examples) => examples,
            Err(problem) => {
                failures.push(format!("{}: {problem}", doc.display()));
                continue;
            }
        };
        let dir = sandbox();
        let mut rewrites = Vec::new();
        for example in &examples {
            let place = format!("{}:{}", doc.display(), example.line);
            if let Some(reason) = &example.skip {
                skipped.insert(place, reason.clone());
                continue;
            }
            if let markdown::Kind::Rust { same_as } = &example.kind {
                match same_as {
                    None => failures.push(format!(
                        "{place}: a Rust snippet needs `<!-- doc-test: same-as PATH -->` (the \
                         test that compiles and runs it) or `<!-- doc-test: skip REASON -->`"
                    )),
                    Some(path) => {
                        let held =
                            std::fs::read_to_string(workspace().join(path)).unwrap_or_default();
                        if markdown::holds(&held, &example.command) {
                            pinned += 1;
                        } else {
                            failures.push(format!(
                                "{place}: {path} does not hold this snippet verbatim (its lines, \
                                 any indentation; \"http://127.0.0.1:8080\" there is mock_url):\n{}",
                                example.command
                            ));
                        }
                    }
                }
                continue;
            }
            ran += 1;
            let command = example.command.replace(DOCUMENTED_URL, &url);
            let env: Vec<(String, String)> = example
                .env
                .iter()
                .map(|(k, v)| (k.clone(), v.replace(DOCUMENTED_URL, &url)))
                .collect();
            let result = run(&dir, &command, &env);
            let stdout = result.stdout.replace(&url, DOCUMENTED_URL);
            if result.status != Some(0) {
                failures.push(format!(
                    "{place}: `{}` exited {:?}\nstdout:\n{stdout}\nstderr:\n{}",
                    example.command, result.status, result.stderr
                ));
                continue;
            }
            let Some((first, shown)) = &example.output else {
                continue;
            };
            if markdown::matches(shown, &stdout) {
                continue;
            }
            if overwrite {
                rewrites.push((*first, shown.len(), stdout));
                continue;
            }
            let diff = similar::TextDiff::from_lines(shown.join("\n").as_str(), stdout.trim_end())
                .unified_diff()
                .header("shown in the document", "printed")
                .to_string();
            failures.push(format!(
                "{place}: `{}` prints other than the document shows \
                 (WA_STATS_DOCS=overwrite to accept):\n{diff}",
                example.command
            ));
        }
        if !rewrites.is_empty() {
            // Bottom up, so that earlier line numbers stay true.
            for (first, old, actual) in rewrites.into_iter().rev() {
                text = markdown::rewrite(&text, first, old, &actual);
            }
            std::fs::write(&file, &text).expect("the document is written");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let mut report = format!(
        "docs: {ran} commands run, {pinned} Rust snippets held by tests, {} skipped:\n",
        skipped.len()
    );
    for (place, reason) in &skipped {
        report.push_str(&format!("  skipped {place}: {reason}\n"));
    }
    #[allow(
        clippy::print_stderr,
        reason = "the list of skipped commands is the report"
    )]
    {
        eprint!("{report}");
    }
    assert!(ran > 0, "no documented command ran");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
