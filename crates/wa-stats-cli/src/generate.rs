//! `wa-stats completions SHELL` and `wa-stats man`: files generated from the clap definition
//! itself, so that they can never disagree with `--help`.
//!
//! The man page is printed rather than committed (`wa-stats man > wa-stats.1`, or
//! `wa-stats man | man -l -`): nothing to keep in step, and the installed binary always has the
//! page of its own version.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Writes the completion script for `shell`.
pub(crate) fn completions(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "wa-stats", &mut script);
    if shell == Shell::Bash {
        // clap_complete 4.6 spells a hyphenated binary's state one way in the dispatch loop
        // (`wa__stats__subcmd__campaign`) and another in the case arms
        // (`wa__subcmd__stats__subcmd__campaign`), so no subcommand option ever completes
        // (clap-rs/clap#6421, open). The e2e test completes `wa-stats campaign --fo` in bash.
        let text = String::from_utf8_lossy(&script).replace("wa__subcmd__stats", "wa__stats");
        script = text.into_bytes();
    }
    out.write_all(&script)?;
    out.flush()
}

/// Writes the man page (roff) of `wa-stats`, or of one subcommand (`wa-stats-campaign(1)`, as git
/// names its pages). `None` when `subcommand` is not one.
pub(crate) fn man(subcommand: Option<&str>, out: &mut dyn Write) -> io::Result<Option<()>> {
    let command = Cli::command();
    let page = match subcommand {
        None => command,
        Some(name) => {
            let Some(sub) = command.find_subcommand(name) else {
                return Ok(None);
            };
            let version = command.get_version().unwrap_or_default().to_owned();
            sub.clone()
                .name(format!("wa-stats-{name}"))
                .bin_name(format!("wa-stats {name}"))
                .version(version)
        }
    };
    clap_mangen::Man::new(page.clone()).render(out)?;
    environment(&page, out)?;
    out.flush().map(Some)
}

/// An ENVIRONMENT section, which clap_mangen does not write: every variable an option of `page`
/// (or of its subcommands) reads, with the option.
fn environment(page: &clap::Command, out: &mut dyn Write) -> io::Result<()> {
    let mut variables: Vec<(String, String)> = Vec::new();
    let commands = std::iter::once(page).chain(page.get_subcommands());
    for arg in commands.flat_map(clap::Command::get_arguments) {
        let (Some(env), Some(long)) = (arg.get_env(), arg.get_long()) else {
            continue;
        };
        let entry = (env.to_string_lossy().into_owned(), format!("--{long}"));
        if !variables.contains(&entry) {
            variables.push(entry);
        }
    }
    if variables.is_empty() {
        return Ok(());
    }
    writeln!(out, ".SH ENVIRONMENT")?;
    for (env, flag) in variables {
        let flag = flag.replace('-', "\\-");
        writeln!(
            out,
            ".TP\n\\fB{env}\\fR\nThe value of \\fB{flag}\\fR when it is not given."
        )?;
    }
    Ok(())
}

/// The subcommands that have a page of their own.
pub(crate) fn pages() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .filter(|name| name != "help")
        .collect()
}
