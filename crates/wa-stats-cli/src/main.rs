//! `wa-stats`: statistics of Insider WhatsApp campaigns from the command line, as an aligned
//! table, JSON Lines, CSV or a mock fixture file, on top of `wa-stats-client`.
//!
//! Flow: parse the command line; check every value (times, IDs, credential, URLs) with the
//! model's and the client's rules, refusing with exit status 2 before any request; cut the range
//! into buckets under `--by`; fetch with bounded concurrency under the client's pacer; print each
//! campaign in the order the IDs were given; exit 1 if any request failed, 4 (at once, sending
//! nothing more) if the server refused the credential or the product. Results go to stdout only; stderr carries the progress
//! bar, `-v` logs and messages, and nothing at all with `-q`.

mod cli;
mod fetch;
mod generate;
mod ids;
mod logging;
mod origins;
mod output;
mod profile;
mod refusal;
mod series;
mod setup;
mod show;
mod sync;
mod time;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{ArgMatches, CommandFactory, FromArgMatches};
use wa_stats_client::{Error, TimeRange};
use wa_stats_model::ApiErrorKind;
use wa_stats_model::request::unix_seconds;

use crate::cli::{CampaignArgs, Cli, Command, ConfigCommand, Format, Settings, TokenArgs};
use crate::fetch::Plan;
use crate::origins::Origins;
use crate::refusal::{EXIT_FAILED, EXIT_NOT_AUTHORISED, EXIT_OK, EXIT_REFUSED, Refusal, Stop};
use crate::series::By;
use crate::setup::Credential;

fn main() -> ExitCode {
    // Clap prints its own usage errors (exit 2) and --help/--version (exit 0).
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let quiet = cli.global.quiet;
    logging::init(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return stop(quiet, &Stop::Failed(format!("cannot start: {error}"))),
    };
    match runtime.block_on(run(cli, &matches)) {
        Ok(code) => ExitCode::from(code),
        Err(reason) => stop(quiet, &reason),
    }
}

/// Reports why the run stopped (unless `-q`) and gives its exit status.
fn stop(quiet: bool, reason: &Stop) -> ExitCode {
    let (code, text) = match reason {
        Stop::Refused(refusal) => (EXIT_REFUSED, refusal.to_string()),
        Stop::NotAuthorised(refusal) => (EXIT_NOT_AUTHORISED, refusal.to_string()),
        Stop::Failed(message) => (EXIT_FAILED, message.clone()),
    };
    if !quiet {
        // If stderr itself is gone there is nobody left to tell.
        let _ = writeln!(io::stderr(), "wa-stats: error: {text}");
    }
    ExitCode::from(code)
}

async fn run(mut cli: Cli, matches: &ArgMatches) -> Result<u8, Stop> {
    let origins = Origins(matches);
    let named = cli.global.profile.clone();
    match &mut cli.command {
        Command::Campaign(args) => {
            let args = &mut **args;
            profile::resolve(
                named.as_deref(),
                &mut args.settings,
                &mut args.range.format,
                &origins,
            )?;
            let Command::Campaign(args) = &cli.command else {
                unreachable!("matched above")
            };
            campaign(&cli, args, &origins).await
        }
        Command::Sync(args) => {
            let args = &mut **args;
            // A profile's `format` means nothing here.
            profile::resolve(
                named.as_deref(),
                &mut args.settings,
                &mut Format::Table,
                &origins,
            )?;
            let Command::Sync(args) = &cli.command else {
                unreachable!("matched above")
            };
            sync::sync(&cli, args, &origins).await
        }
        Command::Token(args) => {
            // `token` takes only client credentials and the connection from a profile.
            let mut settings = Settings {
                oauth: std::mem::take(&mut args.oauth),
                connection: std::mem::take(&mut args.connection),
                ..Settings::default()
            };
            let resolved = profile::resolve(
                named.as_deref(),
                &mut settings,
                &mut Format::Table,
                &origins,
            );
            args.oauth = settings.oauth;
            args.connection = settings.connection;
            resolved?;
            token(args, &origins).await
        }
        Command::Config(ConfigCommand::Show(args)) => {
            let args = &mut **args;
            let (shown, filled) = profile::resolve(
                named.as_deref(),
                &mut args.settings,
                &mut args.format,
                &origins,
            )?;
            let named = shown
                .as_ref()
                .map(|(name, path)| (name.as_str(), path.as_path()));
            let written = show::show(args, named, &filled, &origins, &mut io::stdout().lock());
            printed(written.map(Some), "the settings")
        }
        Command::Completions { shell } => {
            let written = generate::completions(*shell, &mut io::stdout().lock());
            printed(written.map(Some), "the completion script")
        }
        Command::Man { subcommand } => {
            let written = generate::man(subcommand.as_deref(), &mut io::stdout().lock());
            match written {
                Ok(None) => Err(Stop::Refused(Refusal::new(
                    format!(
                        "`{}` is not a subcommand",
                        subcommand.as_deref().unwrap_or("")
                    ),
                    format!("give one of: {}", generate::pages().join(", ")),
                ))),
                other => printed(other, "the man page"),
            }
        }
    }
}

/// The exit status after printing `what` to stdout; a closed pipe is not an error.
fn printed(written: io::Result<Option<()>>, what: &str) -> Result<u8, Stop> {
    match written {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            Err(Stop::Failed(format!("cannot write {what}: {error}")))
        }
        _ => Ok(EXIT_OK),
    }
}

/// The range asked for and, under `--by`, its buckets; refused before anything is sent.
fn plan_ranges(args: &CampaignArgs, now: i64) -> Result<(TimeRange, Plan), Refusal> {
    let range = &args.range;
    let from = range
        .from
        .as_deref()
        .map(|text| time::parse_time("--from", text))
        .transpose()?;
    let to = range
        .to
        .as_deref()
        .map(|text| time::parse_time("--to", text))
        .transpose()?;
    let whole = time::check_range(from.as_ref(), to.as_ref(), now)?;
    if range.format == Format::Fixture && range.by != Some(By::Day) {
        return Err(Refusal::new(
            "--format fixture records each day of each campaign, so it needs --by day",
            "add --by day (and --from, --to for the days to record)",
        ));
    }
    let ranges = match range.by {
        None => vec![(None, whole)],
        Some(by) => {
            let Some(start) = whole.start else {
                return Err(Refusal::new(
                    "--by needs --from: without it the range starts at 2018-01-01, which would \
                     mean thousands of requests per campaign",
                    "add --from, e.g. --from 2024-05-01 --by day",
                ));
            };
            series::buckets(start, whole.end.unwrap_or(now), by)
                .into_iter()
                .map(|bucket| {
                    let range = TimeRange::new(Some(bucket.start), Some(bucket.end));
                    (Some(bucket), range)
                })
                .collect()
        }
    };
    Ok((
        whole,
        Plan {
            ids: Vec::new(),
            ranges,
        },
    ))
}

async fn campaign(cli: &Cli, args: &CampaignArgs, origins: &Origins<'_>) -> Result<u8, Stop> {
    let quiet = cli.global.quiet;
    let now = unix_seconds(SystemTime::now());
    let (whole, mut plan) = plan_ranges(args, now)?;
    let credential = setup::credential(
        Some(&args.settings.static_credentials),
        &args.settings.oauth,
        origins,
    )?;
    let credential_flags = credential.flags();
    let client = setup::client(
        &args.settings.connection,
        &args.settings.oauth,
        Some(&args.settings.throughput),
        credential,
        origins,
    )?;
    plan.ids = ids::collect(&args.ids, io::stdin().lock())?;
    let requests = plan.requests();
    series::check_request_count(
        requests,
        args.range.max_requests,
        args.settings.throughput.rate_limit,
    )?;
    tracing::debug!(
        campaigns = plan.ids.len(),
        requests,
        url = %client.statistics_url(),
        credential = ?client.credential_kind(),
        concurrency = ?args.settings.throughput.concurrency,
        rate_limit = args.settings.throughput.rate_limit,
        "fetching"
    );
    if !quiet && requests > series::ANNOUNCE_ABOVE && io::stderr().is_terminal() {
        let _ = writeln!(
            io::stderr(),
            "wa-stats: {requests} requests, {}",
            series::duration_at(requests, Some(args.settings.throughput.rate_limit))
        );
    }

    let series = args.range.by.is_some();
    let unit = if series { "requests" } else { "campaigns" };
    let progress = fetch::progress_bar(quiet, cli.global.verbose, requests, unit);
    let format = args.range.format;
    let mut renderer = output::renderer(format, whole, args.range.by, output::width());
    let mut out = io::stdout().lock();
    let mut failed = 0usize;
    let written = match renderer.begin(&mut out) {
        Ok(()) => {
            fetch::in_order(
                &client,
                &plan,
                args.settings.throughput.in_flight(),
                &progress,
                |id, results| {
                    for (bucket, outcome) in &results {
                        let Err(error) = outcome else { continue };
                        failed += 1;
                        // A fixture file has no place for an error: say it here.
                        if format == Format::Fixture && !quiet {
                            let day = bucket.map(|b| b.start_text()).unwrap_or_default();
                            let _ = writeln!(
                                io::stderr(),
                                "wa-stats: campaign {id} {day}: {}",
                                error.report()
                            );
                        }
                    }
                    renderer.campaign(&mut out, id, &results)?;
                    // Flushed per campaign so that a pipeline sees each result as it is printed.
                    out.flush()
                },
            )
            .await
        }
        Err(error) => Err(error),
    };
    let written = match written {
        Ok(None) => renderer
            .end(&mut out)
            .and_then(|()| out.flush())
            .map(|()| None),
        other => other,
    };
    match written {
        // Whoever reads our output has stopped reading (`| head`): nothing more to do.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => return Ok(EXIT_OK),
        Err(error) => return Err(Stop::Failed(format!("cannot write the results: {error}"))),
        Ok(Some((id, error))) => {
            return Err(Stop::NotAuthorised(not_authorised(
                id,
                &error,
                &credential_flags,
            )));
        }
        Ok(None) => {}
    }
    if failed == 0 {
        return Ok(EXIT_OK);
    }
    if !quiet {
        let (count, unit) = if series {
            (requests, "request")
        } else {
            (plan.ids.len(), "campaign")
        };
        let total = format!("{count} {unit}{}", if count == 1 { "" } else { "s" });
        let _ = writeln!(
            io::stderr(),
            "wa-stats: {failed} of {total} failed; see the output for why"
        );
    }
    Ok(EXIT_FAILED)
}

/// The one message for a refused credential or product, which stopped the run.
fn not_authorised(campaign_id: i64, error: &Error, credential: &str) -> Refusal {
    let inactive = matches!(
        error.api_error().map(|api| &api.kind),
        Some(ApiErrorKind::ProductNotActive)
    );
    let problem = format!(
        "not authorised ({error}, at campaign {campaign_id}); stopped: every other request \
         would be refused the same way, so nothing more was sent"
    );
    let fix = if inactive {
        "the partner's WhatsApp product is not active: ask Insider to activate it for this \
         account, or use a credential of an account where it is"
            .to_owned()
    } else {
        format!(
            "check {credential}: it may be mistyped, expired or revoked, or meant for the other \
             route (--token for v2, --api-key for v1)"
        )
    };
    Refusal::new(problem, fix)
}

async fn token(args: &TokenArgs, origins: &Origins<'_>) -> Result<u8, Stop> {
    let credential = setup::credential(None, &args.oauth, origins)?;
    debug_assert!(matches!(credential, Credential::ClientCredentials { .. }));
    let client = setup::client(&args.connection, &args.oauth, None, credential, origins)?;
    let token = client.access_token().await.map_err(|error| {
        let refused = matches!(
            error.api_error().map(|api| &api.kind),
            Some(ApiErrorKind::Unauthorized)
        );
        if refused {
            Stop::NotAuthorised(Refusal::new(
                format!("cannot get an access token: {}", error.report()),
                "check --client-id and --client-secret (or their environment variables)",
            ))
        } else {
            Stop::Failed(format!("cannot get an access token: {}", error.report()))
        }
    })?;
    // Printing the token is the point of this command: stdout only, never a log line.
    let mut out = io::stdout().lock();
    match writeln!(out, "{}", token.expose()).and_then(|()| out.flush()) {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            Err(Stop::Failed(format!("cannot write the token: {error}")))
        }
        _ => Ok(EXIT_OK),
    }
}
