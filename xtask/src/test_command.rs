//! `cargo xtask test [ARGS…]`: the one command that runs every test on a fresh machine. The tests
//! drive real programs and fail rather than skip without them, so this first provisions what it
//! can (the Debian packages, when it runs as root or may use sudo), or else prints the one command
//! to run and stops before building; then it runs `cargo test --workspace ARGS…` as CI does.

use std::path::Path;
use std::process::Command;

/// What the tests run, each as a command (or a path pattern) and the Debian package with it.
const NEEDED: &[(&str, &str)] = &[
    ("redis-server", "redis-server"),
    ("script", "bsdutils"),
    ("man", "man-db"),
    ("bash", "bash"),
    ("python3", "python3"),
    ("curl", "curl"),
    ("openssl", "openssl"),
    (INITDB, "postgresql"),
];

/// PostgreSQL's server programs are not on PATH on Debian: they live under a versioned directory.
const INITDB: &str = "/usr/lib/postgresql/*/bin/initdb";

/// Provisions, then runs every test; `args` go to `cargo test` (e.g. a filter after `--`).
pub(crate) fn run(args: &[&str]) -> Result<String, String> {
    let missing: Vec<&str> = NEEDED
        .iter()
        .filter(|(program, _)| !present(program))
        .map(|(_, package)| *package)
        .collect();
    if !missing.is_empty() {
        install(&missing)?;
    }
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["test", "--workspace"])
        .args(args)
        // One test at a time in each test binary: the shared-budget tests count 429s of four
        // processes pacing at the rate limit, and a neighbour's processes on two cores can hold a
        // request past its slot.
        .env(
            "RUST_TEST_THREADS",
            std::env::var("RUST_TEST_THREADS").unwrap_or_else(|_| "1".to_owned()),
        )
        .status()
        .map_err(|error| format!("cannot run cargo test: {error}"))?;
    if status.success() {
        Ok("every test passed".to_owned())
    } else {
        Err(format!("cargo test --workspace failed ({status})"))
    }
}

/// Whether `program` is on PATH, or (a pattern with `*`) whether a file matches it.
fn present(program: &str) -> bool {
    if let Some((before, after)) = program.split_once('*') {
        let (Some(parent), Some(rest)) = (Path::new(before).parent(), after.strip_prefix('/'))
        else {
            return false;
        };
        let prefix = Path::new(before)
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        return std::fs::read_dir(parent).is_ok_and(|entries| {
            entries.flatten().any(|entry| {
                entry.file_name().to_string_lossy().starts_with(&prefix)
                    && entry.path().join(rest).is_file()
            })
        });
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Installs `packages` with apt-get as root or through sudo; otherwise says the one command to
/// run and stops, before anything is built.
fn install(packages: &[&str]) -> Result<(), String> {
    let line = format!(
        "apt-get install -y --no-install-recommends {}",
        packages.join(" ")
    );
    if !present("apt-get") {
        return Err(format!(
            "the tests need {} (they fail rather than skip without them), and this machine has no \
             apt-get: install them with its package manager, then run cargo xtask test again",
            packages.join(", ")
        ));
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0");
    let sudo = !root
        && Command::new("sudo")
            .args(["-n", "true"])
            .status()
            .is_ok_and(|status| status.success());
    if !root && !sudo {
        return Err(format!(
            "the tests need {}, which are not installed; run\n  sudo apt-get update && sudo {line}\n\
             then cargo xtask test again",
            packages.join(", ")
        ));
    }
    eprintln!("xtask: installing {} (apt-get)", packages.join(" "));
    for step in [vec!["apt-get", "update", "-qq"], {
        let mut install = vec!["apt-get", "install", "-y", "-qq", "--no-install-recommends"];
        install.extend(packages);
        install
    }] {
        let mut command = if root {
            Command::new(step[0])
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg(step[0]);
            sudo
        };
        let status = command
            .args(&step[1..])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|error| format!("cannot run {}: {error}", step.join(" ")))?;
        if !status.success() {
            return Err(format!("{} failed ({status})", step.join(" ")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_and_patterns_are_found() {
        assert!(present("sh"), "sh is on PATH");
        assert!(!present("no-such-program-wa-stats"));
        assert!(!present("/no/such/dir/*/bin/initdb"));
    }
}
