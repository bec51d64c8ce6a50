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
mod deadline;
mod escape;
mod fetch;
mod files;
mod generate;
mod ids;
mod logging;
mod origins;
mod output;
mod profile;
mod progress;
mod refusal;
mod run_loop;
mod series;
mod setup;
mod show;
mod signals;
mod sync;
mod tap;
mod time;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{ArgMatches, CommandFactory, FromArgMatches};
use wa_stats_client::TimeRange;
use wa_stats_model::ApiErrorKind;
use wa_stats_model::request::unix_seconds;

use crate::cli::{CampaignArgs, Cli, Command, ConfigCommand, Format, Settings, TokenArgs};
use crate::fetch::{Halt, Plan, Unfetched};
use crate::origins::Origins;
use crate::refusal::{
    EXIT_FAILED, EXIT_NO_SHARED_BUDGET, EXIT_NO_TOKEN, EXIT_NOT_AUTHORISED, EXIT_OK, EXIT_REFUSED,
    Refusal, Stop,
};
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
    logging::init(cli.global.verbose, quiet);
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
        Stop::NoToken(refusal) => (EXIT_NO_TOKEN, refusal.to_string()),
        Stop::NoSharedBudget(refusal) => (EXIT_NO_SHARED_BUDGET, refusal.to_string()),
        Stop::Failed(message) => (EXIT_FAILED, escape::terminal(message).into_owned()),
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
            let (shown, filled) = profile::resolve(
                named.as_deref(),
                targets(&mut args.settings, &mut args.range.format),
                &origins,
            )?;
            let Command::Campaign(args) = &cli.command else {
                unreachable!("matched above")
            };
            if cli.global.verbose > 1 {
                // -vv: the settings in use, as `config show` prints them.
                let shown = shown
                    .as_ref()
                    .map(|(name, path)| (name.as_str(), path.as_path()));
                let table = show::Table {
                    settings: &args.settings,
                    format: args.range.format,
                    profile: shown,
                    filled: &filled,
                };
                for line in table.lines(&origins) {
                    tracing::debug!("setting {line}");
                }
            }
            campaign(&cli, args, &origins).await
        }
        Command::Sync(args) => {
            let args = &mut **args;
            // A profile's `format` means nothing here.
            let settings = &mut args.settings;
            let targets = profile::Targets {
                statics: Some(&mut settings.static_credentials),
                oauth: &mut settings.oauth,
                connection: &mut settings.connection,
                throughput: Some(&mut settings.throughput),
                format: None,
            };
            profile::resolve(named.as_deref(), targets, &origins)?;
            let Command::Sync(args) = &cli.command else {
                unreachable!("matched above")
            };
            sync::sync(&cli, args, &origins).await
        }
        Command::Tap(args) => tap::tap(args).await,
        Command::Token(args) => {
            // `token` takes only client credentials and the connection from a profile.
            let targets = profile::Targets {
                statics: None,
                oauth: &mut args.oauth,
                connection: &mut args.connection,
                throughput: None,
                format: None,
            };
            profile::resolve(named.as_deref(), targets, &origins)?;
            token(args, &origins).await
        }
        Command::Config(ConfigCommand::Show(args)) => {
            let args = &mut **args;
            let (shown, filled) = profile::resolve(
                named.as_deref(),
                targets(&mut args.settings, &mut args.format),
                &origins,
            )?;
            let table = show::Table {
                settings: &args.settings,
                format: args.format,
                profile: shown
                    .as_ref()
                    .map(|(name, path)| (name.as_str(), path.as_path())),
                filled: &filled,
            };
            let written = table.write(&origins, &mut io::stdout().lock());
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

/// Everything of `settings` (and the format) that a profile may fill.
fn targets<'a>(settings: &'a mut Settings, format: &'a mut Format) -> profile::Targets<'a> {
    profile::Targets {
        statics: Some(&mut settings.static_credentials),
        oauth: &mut settings.oauth,
        connection: &mut settings.connection,
        throughput: Some(&mut settings.throughput),
        format: Some(format),
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
    // The deadline bounds the whole run, reading the IDs included.
    let deadline = args
        .range
        .deadline
        .as_ref()
        .map(|deadline| tokio::time::Instant::now() + deadline.after);
    let now = unix_seconds(SystemTime::now());
    let (whole, mut plan) = plan_ranges(args, now)?;
    let (client, credential_flags) = setup::settings_client(&args.settings, origins)?;
    let most = ids::Most::for_requests(args.range.max_requests, plan.ranges.len());
    plan.ids = match ids::read(&args.ids, most, deadline).await {
        Ok(ids) => ids,
        Err(unread) => return unread.end(quiet, args.range.deadline.as_ref()),
    };
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
    let progress = progress::progress_bar(quiet, cli.global.verbose, requests, unit);
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
                deadline,
                signals::interrupted(),
                |id, results| {
                    for (bucket, outcome) in &results {
                        let Err(unfetched) = outcome else { continue };
                        let Unfetched::Failed(error) = unfetched else {
                            continue;
                        };
                        failed += 1;
                        // A fixture file has no place for an error: say it here.
                        if format == Format::Fixture && !quiet {
                            let day = bucket.map(|b| b.start_text()).unwrap_or_default();
                            let _ = writeln!(
                                io::stderr(),
                                "wa-stats: campaign {id} {day}: {}",
                                escape::terminal(&crate::refusal::report(error))
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
    let ran = written.and_then(|ran| {
        // An interrupted run's output ends with the last campaign printed.
        if !matches!(ran.halt, Some(Halt::Signal(_))) {
            renderer.end(&mut out)?;
        }
        out.flush().map(|()| ran)
    });
    let ran = match ran {
        // Whoever reads our output has stopped reading (`| head`): nothing more to do.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => return Ok(EXIT_OK),
        Err(error) => return Err(Stop::Failed(format!("cannot write the results: {error}"))),
        Ok(ran) => ran,
    };
    let campaigns = plan.ids.len();
    let say = |line: String| {
        if !quiet {
            let _ = writeln!(io::stderr(), "wa-stats: {line}");
        }
    };
    match ran.halt {
        Some(Halt::Answer(stopper)) => {
            return Err(stopper.stop(&credential_flags, origins));
        }
        Some(Halt::Signal(status)) => {
            say(format!(
                "interrupted after {} of {campaigns} campaigns",
                ran.finished
            ));
            return Ok(status);
        }
        Some(Halt::Deadline) => {
            let deadline = args.range.deadline.as_ref().map(ToString::to_string);
            say(format!(
                "--deadline {} reached: {} of {campaigns} campaigns finished, {} not sent",
                deadline.unwrap_or_default(),
                ran.finished,
                campaigns - ran.finished
            ));
            return Ok(EXIT_FAILED);
        }
        None => {}
    }
    if failed == 0 {
        return Ok(EXIT_OK);
    }
    let (count, unit) = if series {
        (requests, "request")
    } else {
        (campaigns, "campaign")
    };
    let total = format!("{count} {unit}{}", if count == 1 { "" } else { "s" });
    say(format!(
        "{failed} of {total} failed; see the output for why"
    ));
    Ok(EXIT_FAILED)
}

async fn token(args: &TokenArgs, origins: &Origins<'_>) -> Result<u8, Stop> {
    let credential = setup::credential(None, &args.oauth, origins)?;
    debug_assert!(matches!(credential, Credential::ClientCredentials { .. }));
    // With --shared-budget, the fleet's Redis: the client then keeps its token there (`auto` or
    // `redis`), as every run of the fleet does.
    let sharing = args
        .sharing
        .shared_budget
        .as_ref()
        .map(|url| cli::Throughput {
            rate_limit: wa_stats_model::endpoint::RATE_LIMIT_PER_SECOND,
            concurrency: None,
            shared_budget: Some(url.clone()),
            allow_insecure_redis: args.sharing.allow_insecure_redis,
            shared_budget_required: false,
        });
    let client = setup::client(
        &args.connection,
        &args.oauth,
        sharing.as_ref(),
        credential,
        origins,
    )?;
    let token = client.access_token().await.map_err(|error| {
        let refused = matches!(
            error.api_error().map(|api| &api.kind),
            Some(ApiErrorKind::Unauthorized)
        );
        if refused {
            Stop::NotAuthorised(Refusal::new(
                format!(
                    "cannot get an access token: {}",
                    crate::refusal::report(&error)
                ),
                "check --client-id and --client-secret (or their environment variables)",
            ))
        } else {
            Stop::NoToken(Refusal::new(
                format!(
                    "cannot get an access token: {}",
                    crate::refusal::report(&error)
                ),
                "check --token-url and that the token endpoint is up, or try again in a minute \
                 (it allows 10 token requests a minute per client)",
            ))
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
