//! `wa-stats tap`: a Singer tap (the spec, plus Meltano's SDK conventions: `--about`,
//! `--discover`, `--catalog`, `--state`) whose records come from `sync`'s own engine: the same
//! days, values and reconciliation, with Singer state instead of a database (issue 33).
//!
//! stdout carries Singer messages only, one JSON object per line; everything else goes to
//! stderr. A first run emits every day of the range, zero days included, as `sync` stores them;
//! later runs emit RECORDs only for days that are new or changed. STATE follows each campaign's
//! records, and a final STATE ends every run, even one that emitted no RECORD. Delivery is at
//! least once: targets upsert on (`campaign_id`, `day`).

mod config;
mod singer;
mod state;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::time::SystemTime;

use clap::{CommandFactory, FromArgMatches};
use jiff::Timestamp;
use serde_json::Value;
use wa_stats_client::model::CampaignStatistics;
use wa_stats_model::request::unix_seconds;

use crate::cli::{AboutFormat, Cli, Command, TapArgs};
use crate::escape::terminal;
use crate::fetch::Halt;
use crate::origins::Origins;
use crate::refusal::{EXIT_FAILED, EXIT_OK, Refusal, Stop};
use crate::sync::columns::{self, Row};
use crate::sync::engine::{self, Finished, Stopped};
use crate::sync::plan::{self, Day, Span, day_text};
use crate::sync::reconcile::Settled;
use crate::{files, setup};

use self::state::CampaignState;

/// The largest state or catalog file read.
const STATE_MAX: u64 = 256 * 1024 * 1024;

/// Runs `wa-stats tap`.
pub(crate) async fn tap(args: &TapArgs) -> Result<u8, Stop> {
    let columns = columns::columns();
    if args.about {
        let text = match args.format {
            AboutFormat::Json => singer::about(&columns).to_string(),
            AboutFormat::Markdown => singer::about_markdown(),
        };
        return emit_text(&text).map(|()| EXIT_OK);
    }
    if args.discover {
        return emit(&singer::catalog(&columns)).map(|()| EXIT_OK);
    }
    let Some(config_path) = &args.config else {
        return Err(Refusal::new(
            "--config is required (except with --about or --discover)",
            "give the tap's config file: wa-stats tap --config config.json [--state state.json]",
        )
        .into());
    };
    let argv = config::arguments(config_path)?;
    let worded = |refusal: Refusal| Refusal {
        problem: config::worded_for_keys(&refusal.problem),
        fix: refusal.fix.map(|fix| config::worded_for_keys(&fix)),
    };
    let matches = Cli::command()
        .try_get_matches_from(&argv)
        .map_err(|error| {
            let text = error.render().to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ");
            Refusal::new(
                format!(
                    "{}: {}",
                    config_path.display(),
                    config::worded_for_keys(first)
                ),
                "wa-stats tap --about lists the keys and their values",
            )
        })?;
    let cli = Cli::from_arg_matches(&matches).map_err(|error| {
        Refusal::new(
            config::worded_for_keys(&error.to_string()),
            "check the config",
        )
    })?;
    let Command::Sync(sync_args) = &cli.command else {
        return Err(Stop::Failed(
            "the tap's config did not read as a sync".to_owned(),
        ));
    };
    let origins = Origins(&matches);
    let now = unix_seconds(SystemTime::now());
    let range = crate::sync::days(sync_args, now).map_err(worded)?;
    let (client, credential_flags) =
        setup::settings_client(&sync_args.settings, &origins).map_err(worded)?;
    let ids: Vec<i64> = sync_args
        .ids
        .iter()
        .filter_map(|id| id.parse().ok())
        .collect();

    let mut states = match &args.state {
        Some(path) => state::read(&read_json("--state", path)?, &columns),
        None => BTreeMap::new(),
    };
    let selected = match &args.catalog {
        Some(path) => singer::selected(&read_json("--catalog", path)?),
        None => true,
    };
    if !selected {
        emit(&singer::state_message(&state::write(&states, &columns)))?;
        return Ok(EXIT_OK);
    }
    emit(&singer::schema_message(&columns))?;

    // A day the state does not list is zero, in the shape the API answers a quiet day with (both
    // breakdowns present, zeros): the shape takes part in the comparison of totals.
    let zero =
        CampaignStatistics::from_json(br#"{"sent":0,"dropDetails":{},"undeliveredDetails":{}}"#)
            .map_err(|error| Stop::Failed(format!("the zero day does not read: {error}")))?;
    let lookback = i64::from(sync_args.lookback);
    let mut campaigns = Vec::new();
    let mut spans_of: BTreeMap<i64, Vec<Span>> = BTreeMap::new();
    for &id in &ids {
        if spans_of.contains_key(&id) {
            continue;
        }
        let old = states.get(&id).cloned().unwrap_or_default();
        let spans = plan::spans(&plan::days_to_fetch(range, old.span, sync_args.lookback));
        let mut stored = BTreeMap::new();
        if let Some(span) = old.span {
            for day in spans
                .iter()
                .flat_map(|s| s.from..s.to)
                .filter(|d| span.contains(*d))
            {
                if let Some(value) = state::expected(&old, day, &columns, &zero) {
                    stored.insert(day, value);
                }
            }
        }
        campaigns.push(engine::Campaign::new(id, &spans, stored, sync_args.per_day));
        spans_of.insert(id, spans);
    }

    let mut failed = 0_usize;
    let mut output: Result<(), Stop> = Ok(());
    let limits = engine::Limits {
        concurrency: sync_args.settings.throughput.in_flight(),
        deadline: sync_args
            .deadline
            .as_ref()
            .map(|deadline| tokio::time::Instant::now() + deadline.after),
        max_requests: sync_args
            .max_requests
            .map(|max| usize::try_from(max).unwrap_or(usize::MAX)),
        interrupt: crate::signals::interrupted(),
    };
    let progress = indicatif::ProgressBar::hidden();
    let ran = engine::run(&client, campaigns, limits, &progress, |id, end| {
        match end {
            Finished::Days(days) => {
                let old = states.get(&id).cloned().unwrap_or_default();
                let spans = spans_of.get(&id).cloned().unwrap_or_default();
                match finished_campaign(id, &old, &spans, days, &columns, lookback) {
                    Ok((records, new_state)) => {
                        states.insert(id, new_state);
                        let state = singer::state_message(&state::write(&states, &columns));
                        for record in records.iter().chain([&state]) {
                            if output.is_ok() {
                                output = emit(record);
                            }
                        }
                    }
                    Err(line) => {
                        failed += 1;
                        eprintln_escaped(&line);
                    }
                }
            }
            Finished::AboutTheCampaign(line) | Finished::Failed(line) => {
                failed += 1;
                eprintln_escaped(&line);
            }
        }
        std::future::ready(Ok::<(), String>(()))
    })
    .await
    .map_err(Stop::Failed)?;
    output?;
    emit(&singer::state_message(&state::write(&states, &columns)))?;
    match ran.stopped {
        None if failed == 0 => Ok(EXIT_OK),
        None => Ok(EXIT_FAILED),
        Some(Stopped::Halt(Halt::Answer(stopper))) => {
            Err(stopper.stop(&credential_flags, &origins))
        }
        Some(Stopped::Halt(Halt::Signal(status))) => {
            eprintln_escaped("interrupted: the finished campaigns' records and state were emitted");
            Ok(status)
        }
        Some(Stopped::Halt(Halt::Deadline) | Stopped::MaxRequests) => {
            eprintln_escaped(
                "stopped at `deadline` or `max_requests`: the finished campaigns' records and state \
                 were emitted",
            );
            Ok(EXIT_FAILED)
        }
    }
}

/// One campaign's RECORDs (days new or changed) and its state after them.
fn finished_campaign(
    id: i64,
    old: &CampaignState,
    spans: &[Span],
    days: BTreeMap<Day, Settled<CampaignStatistics>>,
    columns: &[columns::Column],
    lookback: i64,
) -> Result<(Vec<Value>, CampaignState), String> {
    let extracted = Timestamp::now().to_string();
    let mut records = Vec::new();
    let mut rows: BTreeMap<Day, Row> = BTreeMap::new();
    for (day, settled) in days {
        let Settled::Store(stats) = settled else {
            continue;
        };
        let row = columns::row(columns, &stats)
            .map_err(|why| format!("campaign {id} {}: {why}", day_text(day)))?;
        let before = match old.span {
            Some(span) if span.contains(day) => Some(old.window.get(&day).cloned()),
            _ => None,
        };
        let changed = match before {
            None => true,
            Some(Some(before)) => !before.same(&row),
            Some(None) => !state::is_zero(&row),
        };
        if changed {
            records.push(singer::record_message(
                columns,
                id,
                &day_text(day),
                &row,
                &extracted,
            ));
        }
        rows.insert(day, row);
    }
    let span = plan::state_after(old.span, spans);
    let mut window = BTreeMap::new();
    if let Some(span) = span {
        for day in (span.to - lookback).max(span.from)..span.to {
            let row = rows.get(&day).or_else(|| old.window.get(&day));
            if let Some(row) = row.filter(|row| !state::is_zero(row)) {
                window.insert(day, row.clone());
            }
        }
    }
    Ok((records, CampaignState { span, window }))
}

/// A file of JSON (`--state`, `--catalog`); an empty file reads as `{}` (Meltano may pass one).
fn read_json(flag: &str, path: &Path) -> Result<Value, Stop> {
    let bytes = files::read_regular(path, STATE_MAX).map_err(|why| {
        let why = match why {
            files::Unreadable::Missing => "no such file".to_owned(),
            files::Unreadable::Refused(why) => why,
        };
        Refusal::new(
            format!("{flag} {}: {why}", path.display()),
            format!("give {flag} a JSON file"),
        )
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    serde_json::from_slice(&bytes).map_err(|error| {
        Refusal::new(
            format!("{flag} {} is not JSON: {error}", path.display()),
            format!("give {flag} the JSON file a Singer runner keeps"),
        )
        .into()
    })
}

/// One Singer message on stdout, flushed at once (a target reads line by line).
fn emit(message: &Value) -> Result<(), Stop> {
    emit_text(&message.to_string())
}

fn emit_text(text: &str) -> Result<(), Stop> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|error| Stop::Failed(format!("cannot write to standard output: {error}")))
}

fn eprintln_escaped(line: &str) {
    let _ = writeln!(io::stderr(), "wa-stats: {}", terminal(line));
}
