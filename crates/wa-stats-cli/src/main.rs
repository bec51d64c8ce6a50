//! `wa-stats`: statistics of Insider WhatsApp campaigns from the command line, as an aligned
//! table, JSON Lines or CSV, on top of `wa-stats-client`.
//!
//! Flow: parse the command line; check every value (times, IDs, credential, URLs) with the
//! model's and the client's rules, refusing with exit status 2 before any request; fetch with
//! bounded concurrency under the client's pacer; print each result in the order the IDs were
//! given; exit 1 if any campaign failed. Results go to stdout only; stderr carries the progress
//! bar, `-v` logs and messages, and nothing at all with `-q`.

mod cli;
mod fetch;
mod ids;
mod logging;
mod origins;
mod output;
mod refusal;
mod setup;
mod time;

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::SystemTime;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use wa_stats_client::Concurrency;
use wa_stats_model::request::unix_seconds;

use crate::cli::{CampaignArgs, Cli, Command, Options};
use crate::origins::Origins;
use crate::refusal::{EXIT_FAILED, EXIT_OK, EXIT_REFUSED, Refusal, Stop};
use crate::setup::Credential;

fn main() -> ExitCode {
    // Clap prints its own usage errors (exit 2) and --help/--version (exit 0).
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let quiet = cli.options.quiet;
    logging::init(cli.options.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return stop(quiet, &Stop::Failed(format!("cannot start: {error}"))),
    };
    match runtime.block_on(run(&cli, &matches)) {
        Ok(code) => ExitCode::from(code),
        Err(reason) => stop(quiet, &reason),
    }
}

/// Reports why the run stopped (unless `-q`) and gives its exit status.
fn stop(quiet: bool, reason: &Stop) -> ExitCode {
    let (code, text) = match reason {
        Stop::Refused(refusal) => (EXIT_REFUSED, refusal.to_string()),
        Stop::Failed(message) => (EXIT_FAILED, message.clone()),
    };
    if !quiet {
        // If stderr itself is gone there is nobody left to tell.
        let _ = writeln!(io::stderr(), "wa-stats: error: {text}");
    }
    ExitCode::from(code)
}

async fn run(cli: &Cli, matches: &ArgMatches) -> Result<u8, Stop> {
    let origins = Origins(matches);
    match &cli.command {
        Command::Campaign(args) => campaign(&cli.options, args, &origins).await,
        Command::Token => token(&cli.options, matches, &origins).await,
    }
}

async fn campaign(
    options: &Options,
    args: &CampaignArgs,
    origins: &Origins<'_>,
) -> Result<u8, Stop> {
    let now = unix_seconds(SystemTime::now());
    let from = options
        .from
        .as_deref()
        .map(|text| time::parse_time("--from", text))
        .transpose()?;
    let to = options
        .to
        .as_deref()
        .map(|text| time::parse_time("--to", text))
        .transpose()?;
    let range = time::check_range(from.as_ref(), to.as_ref(), now)?;
    let credential = setup::credential(options, origins)?;
    let client = setup::client(options, credential, origins)?;
    let ids = ids::collect(&args.ids, io::stdin().lock())?;
    tracing::debug!(
        campaigns = ids.len(),
        url = %client.statistics_url(),
        credential = ?client.credential_kind(),
        concurrency = ?options.concurrency,
        rate_limit = options.rate_limit,
        "fetching"
    );

    let progress = fetch::progress_bar(options.quiet, options.verbose, ids.len());
    let mut renderer = output::renderer(options.format, range);
    let mut out = io::stdout().lock();
    let mut failed = 0usize;
    let written = match renderer.begin(&mut out) {
        Ok(()) => {
            fetch::in_order(
                &client,
                &ids,
                range,
                options
                    .concurrency
                    .map_or(Concurrency::Auto, Concurrency::from),
                &progress,
                |id, outcome| {
                    failed += usize::from(outcome.is_err());
                    renderer.campaign(&mut out, id, &outcome)?;
                    // Flushed per campaign so that a pipeline sees each result as it is printed.
                    out.flush()
                },
            )
            .await
        }
        Err(error) => Err(error),
    };
    match written {
        // Whoever reads our output has stopped reading (`| head`): nothing more to do.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => return Ok(EXIT_OK),
        Err(error) => return Err(Stop::Failed(format!("cannot write the results: {error}"))),
        Ok(()) => {}
    }
    if failed == 0 {
        return Ok(EXIT_OK);
    }
    if !options.quiet {
        let _ = writeln!(
            io::stderr(),
            "wa-stats: {failed} of {} campaigns failed; see the output for why",
            ids.len()
        );
    }
    Ok(EXIT_FAILED)
}

async fn token(options: &Options, matches: &ArgMatches, origins: &Origins<'_>) -> Result<u8, Stop> {
    for (id, flag) in [("from", "--from"), ("to", "--to"), ("format", "--format")] {
        if given_on_command_line(matches, id) {
            return Err(Stop::Refused(Refusal::new(
                format!("{flag} applies to `wa-stats campaign`, not to `wa-stats token`"),
                format!("drop {flag}"),
            )));
        }
    }
    let credential = setup::credential(options, origins)?;
    if !matches!(credential, Credential::ClientCredentials { .. }) {
        return Err(Stop::Refused(Refusal::new(
            "`wa-stats token` makes an access token from OAuth client credentials, and none were \
             given",
            "give --client-id and --client-secret (or set WA_STATS_CLIENT_ID and \
             WA_STATS_CLIENT_SECRET) instead of --token or --api-key",
        )));
    }
    let client = setup::client(options, credential, origins)?;
    let token = client
        .access_token()
        .await
        .map_err(|error| Stop::Failed(format!("cannot get an access token: {}", error.report())))?;
    // Printing the token is the point of this command: stdout only, never a log line.
    let mut out = io::stdout().lock();
    match writeln!(out, "{}", token.expose()).and_then(|()| out.flush()) {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            Err(Stop::Failed(format!("cannot write the token: {error}")))
        }
        _ => Ok(EXIT_OK),
    }
}

/// Whether `id` was typed on the command line (before or after the subcommand).
fn given_on_command_line(matches: &ArgMatches, id: &str) -> bool {
    let mut sources = vec![matches.value_source(id)];
    if let Some((_, sub)) = matches.subcommand() {
        sources.push(sub.value_source(id));
    }
    sources.contains(&Some(ValueSource::CommandLine))
}
