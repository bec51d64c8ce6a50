//! `wa-stats completions SHELL` and `wa-stats man`: the bash script parses and completes
//! `wa-stats campaign --fo` to `--format` in a real bash; every shell gets a script; the man
//! pages render with `man -l`.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::wa_stats;

/// Runs `bash -c script` and returns its stdout; fails if bash does not succeed.
fn bash(script: &str) -> String {
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", script])
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "bash failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn bash_completion_parses_and_completes_options() {
    let run = wa_stats(&["completions", "bash"], &[], None);
    assert_eq!(run.code, 0, "{run:?}");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("completions");
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("wa-stats.bash");
    std::fs::write(&script, &run.stdout).unwrap();
    // `bash -n`: the script is valid bash.
    let checked = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash runs");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    // A bash session completing `wa-stats campaign --fo`, as readline would call the function.
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let (cur, prev) = (words[words.len() - 1], words[words.len() - 2]);
        bash(&format!(
            "source '{}'; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; \
             COMP_WORDS=({line}); COMP_CWORD={}; \
             f=$(complete -p wa-stats | sed -E 's/.*-F ([^ ]+).*/\\1/'); \
             \"$f\" wa-stats '{cur}' '{prev}'; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display(),
            words.len() - 1
        ))
    };
    let offered = complete("wa-stats campaign --fo");
    assert_eq!(
        offered.lines().collect::<Vec<_>>(),
        ["--format"],
        "{offered}"
    );
    // Options only where they apply: token offers no --format.
    let offered = complete("wa-stats token --fo");
    assert!(!offered.contains("--format"), "{offered}");
    let offered = complete("wa-stats campaign 1 --by");
    assert!(offered.contains("--by"), "{offered}");
    let subcommands = complete("wa-stats c");
    assert!(subcommands.contains("campaign"), "{subcommands}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_shell_gets_a_script() {
    for (shell, marker) in [
        ("bash", "complete -F _wa__stats"),
        ("zsh", "#compdef wa-stats"),
        ("fish", "complete -c wa-stats"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = wa_stats(&["completions", shell], &[], None);
        assert_eq!(run.code, 0, "{shell}: {run:?}");
        assert!(run.stdout.contains(marker), "{shell}: {}", run.stdout);
        // fish writes `-l format`, the others `--format`.
        assert!(run.stdout.contains("format"), "{shell}");
    }
    let run = wa_stats(&["completions", "tcsh"], &[], None);
    assert_eq!(run.code, 2, "{run:?}");
}

/// `man -l -` renders `page`; fails (does not skip) without man(1): CI installs man-db.
fn rendered(page: &str) -> String {
    let mut man = Command::new("man")
        .args(["-l", "-"])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("man(1) runs (man-db); this test reads the page as a user would");
    man.stdin
        .take()
        .expect("stdin is piped")
        .write_all(page.as_bytes())
        .expect("man reads the page");
    let output = man.wait_with_output().expect("man finishes");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn man_pages_render() {
    let main = wa_stats(&["man"], &[], None);
    assert_eq!(main.code, 0, "{main:?}");
    assert!(main.stdout.contains(".TH wa-stats 1"), "{}", main.stdout);
    let text = rendered(&main.stdout);
    assert!(text.contains("NAME"), "{text}");
    assert!(text.contains("wa-stats-campaign(1)"), "{text}");
    assert!(
        text.contains("not authorised"),
        "the exit statuses are on the page: {text}"
    );

    let campaign = wa_stats(&["man", "campaign"], &[], None);
    assert_eq!(campaign.code, 0, "{campaign:?}");
    let text = rendered(&campaign.stdout);
    for option in [
        "--from",
        "--by",
        "--format",
        "--max-requests",
        "WA_STATS_TOKEN",
    ] {
        assert!(text.contains(option), "{option}: {text}");
    }
    let unknown = wa_stats(&["man", "nope"], &[], None);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown
            .stderr
            .contains("give one of: campaign, sync, tap, token"),
        "{unknown:?}"
    );
}
