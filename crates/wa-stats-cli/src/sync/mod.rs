//! `wa-stats sync`: a local copy of every campaign's days in SQLite or PostgreSQL, kept right
//! across late data, failures, crashes and re-runs (docs/cli.md, "sync").
//!
//! Flow: check the options, open and lock the database (and migrate it), read each campaign's
//! synced range, fetch the days [`plan::days_to_fetch`] picks, one one-day request each through
//! the client's batch, and hand each campaign, once all its days are in, to a writer task that
//! stores its days and its new state in one transaction. The writer runs beside the fetches, so
//! the database's time hides under the rate limit's.

mod columns;
mod plan;
#[cfg(feature = "postgres")]
mod postgres;
mod schema;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt;
use jiff::Timestamp;
use tokio::sync::mpsc;
use wa_stats_client::TimeRange;
use wa_stats_model::request::unix_seconds;

use self::columns::Row;
use self::plan::{DAY_SECONDS, Day, Span, day_text};
use self::store::{Batch, Store, Target, Written};
use crate::cli::{Cli, SyncArgs};
use crate::origins::Origins;
use crate::refusal::{EXIT_FAILED, EXIT_OK, Refusal, Stop};
use crate::{fetch, ids, series, setup, time};

pub(crate) use self::plan::DEFAULT_LOOKBACK;

/// Campaigns queued for the writer at most; the fetches wait beyond it.
const QUEUED: usize = 8;

/// Runs `wa-stats sync`.
pub(crate) async fn sync(cli: &Cli, args: &SyncArgs, origins: &Origins<'_>) -> Result<u8, Stop> {
    let started = Instant::now();
    let quiet = cli.global.quiet;
    let now = unix_seconds(SystemTime::now());
    let range = days(args, now)?;
    let target = Target::parse(&args.db)?;
    let (client, credential_flags) = setup::settings_client(&args.settings, origins)?;
    let ids = match ids::read(&args.ids, ids::Most::ids(), None).await {
        Ok(ids) => ids,
        Err(unread) => return crate::unread_ids(quiet, unread, None),
    };
    let columns = columns::columns();

    let mut store = Store::open(&target, &columns).await.map_err(Stop::Failed)?;
    let synced = store.states().await.map_err(Stop::Failed)?;
    // One campaign's days to fetch, in the order of the IDs; a repeated ID once.
    let mut plan: Vec<(i64, Option<Span>, Vec<Day>)> = Vec::new();
    for &id in &ids {
        if plan.iter().any(|(seen, _, _)| *seen == id) {
            continue;
        }
        let old = synced.get(&id).copied();
        plan.push((id, old, plan::days_to_fetch(range, old, args.lookback)));
    }
    let requests: usize = plan.iter().map(|(_, _, days)| days.len()).sum();
    series::check_request_count(
        requests,
        args.max_requests,
        args.settings.throughput.rate_limit,
    )?;
    if !quiet && requests > series::ANNOUNCE_ABOVE && io::stderr().is_terminal() {
        let _ = writeln!(
            io::stderr(),
            "wa-stats: {requests} requests, {}",
            series::duration_at(requests, Some(args.settings.throughput.rate_limit))
        );
    }

    let (queue, mut queued) = mpsc::channel::<Batch>(QUEUED);
    let writer = tokio::spawn(async move {
        let mut written = Written::default();
        let mut busy = Duration::ZERO;
        while let Some(batch) = queued.recv().await {
            // The campaign's last answer came just now: its days were fetched by this instant.
            let fetched_at = Timestamp::now().to_string();
            let began = Instant::now();
            written.add(store.write(&batch, &fetched_at).await?);
            busy += began.elapsed();
        }
        Ok::<_, String>((written, busy))
    });

    let progress = crate::progress::progress_bar(quiet, cli.global.verbose, requests, "days");
    let calls: Vec<(i64, TimeRange)> = plan
        .iter()
        .flat_map(|(id, _, days)| {
            days.iter().map(move |&day| {
                let start = day * DAY_SECONDS;
                (*id, TimeRange::new(Some(start), Some(start + DAY_SECONDS)))
            })
        })
        .collect();
    // Which campaign and day each call is, by its index.
    let places: Vec<(usize, Day)> = plan
        .iter()
        .enumerate()
        .flat_map(|(index, (_, _, days))| days.iter().map(move |&day| (index, day)))
        .collect();
    let mut outstanding: Vec<usize> = plan.iter().map(|(_, _, days)| days.len()).collect();
    let mut answers: Vec<Vec<(Day, Result<Row, String>)>> =
        plan.iter().map(|_| Vec::new()).collect();
    let mut failed: Vec<(i64, Day, String)> = Vec::new();
    let mut stopped = None;
    let mut results = client.campaign_statistics_batch(calls, args.settings.throughput.in_flight());
    // SIGINT or SIGTERM: nothing more is admitted; what is complete is still written.
    let interrupt = crate::signals::interrupted();
    tokio::pin!(interrupt);
    let mut interrupted = None;
    loop {
        let (index, id, outcome) = tokio::select! {
            biased;
            status = &mut interrupt => {
                interrupted = Some(status);
                break;
            }
            next = results.next() => match next {
                Some(next) => next,
                None => break,
            },
        };
        progress.inc(1);
        let (campaign, day) = places[index];
        let answer = match outcome {
            Ok(stats) => columns::row(&columns, &stats),
            Err(error) => match fetch::Cause::of(&error) {
                Some(cause) => {
                    stopped = Some(fetch::Stopper {
                        campaign_id: id,
                        cause,
                        report: error.report().to_string(),
                    });
                    break;
                }
                None => Err(error.report().to_string()),
            },
        };
        if let Err(why) = &answer {
            failed.push((id, day, why.clone()));
        }
        answers[campaign].push((day, answer));
        outstanding[campaign] -= 1;
        if outstanding[campaign] == 0 {
            let (id, old, _) = &plan[campaign];
            let batch = batch(*id, *old, std::mem::take(&mut answers[campaign]));
            if queue.send(batch).await.is_err() {
                // The writer stopped on an error, which it returns below.
                break;
            }
        }
    }
    drop(results);
    progress.finish_and_clear();
    drop(queue);
    let (written, busy) = match writer.await {
        Ok(Ok(done)) => done,
        Ok(Err(message)) => return Err(Stop::Failed(message)),
        Err(error) => return Err(Stop::Failed(format!("the database writer failed: {error}"))),
    };
    if let Some(stopper) = stopped {
        return Err(crate::halted(&stopper, &credential_flags, origins));
    }
    if let Some(status) = interrupted {
        if !quiet {
            let _ = writeln!(
                io::stderr(),
                "wa-stats: interrupted: {}; the next run fetches the rest",
                summary(written, failed.len(), requests, started, busy)
            );
        }
        return Ok(status);
    }
    if !quiet {
        let mut err = io::stderr().lock();
        for (id, day, why) in &failed {
            let _ = writeln!(
                err,
                "wa-stats: campaign {id} {}: {}",
                day_text(*day),
                crate::escape::terminal(why)
            );
        }
        let _ = writeln!(
            err,
            "wa-stats: {}",
            summary(written, failed.len(), requests, started, busy)
        );
    }
    if failed.is_empty() {
        Ok(EXIT_OK)
    } else {
        Ok(EXIT_FAILED)
    }
}

/// The writer's work for one campaign: the stored days and the state after them.
fn batch(campaign_id: i64, old: Option<Span>, answers: Vec<(Day, Result<Row, String>)>) -> Batch {
    let outcomes: Vec<(Day, bool)> = answers.iter().map(|(day, a)| (*day, a.is_ok())).collect();
    let state = plan::next_state(old, &outcomes);
    let mut rows: Vec<(Day, Row)> = answers
        .into_iter()
        .filter_map(|(day, answer)| answer.ok().map(|row| (day, row)))
        .collect();
    rows.sort_by_key(|(day, _)| *day);
    Batch {
        campaign_id,
        rows,
        state,
    }
}

/// The one line at the end.
/// `busy`: the time the database took, beside the fetches (most of it hidden under them).
fn summary(
    written: Written,
    failed: usize,
    requests: usize,
    started: Instant,
    busy: Duration,
) -> String {
    let total = written.new + written.changed + written.unchanged;
    let mut line = format!(
        "{total} days written ({} new, {} changed, {} unchanged)",
        written.new, written.changed, written.unchanged
    );
    if failed > 0 {
        line.push_str(&format!(
            ", {failed} failed (the next run fetches them again)"
        ));
    }
    line.push_str(&format!(
        ", {requests} requests, {:.1} s (database {:.2} s)",
        started.elapsed().as_secs_f64(),
        busy.as_secs_f64()
    ));
    line
}

/// `--from`, `--to`: whole UTC days, checked with the model's range rules; `--to` (exclusive)
/// defaults to today, so only days that are over are synced.
fn days(args: &SyncArgs, now: i64) -> Result<Span, Refusal> {
    let from = plan::parse_day("--from", &args.from)?;
    let today = now.div_euclid(DAY_SECONDS);
    let to = match &args.to {
        Some(text) => plan::parse_day("--to", text)?,
        None => today,
    };
    if to > today {
        return Err(Refusal::new(
            format!(
                "--to {} is after today ({}, UTC): a day is synced once it is over",
                args.to.as_deref().unwrap_or_default(),
                day_text(today)
            ),
            format!("give --to {} or earlier, or leave it out", day_text(today)),
        ));
    }
    // The model's rules for the whole range (start after 2018, end after start, …), worded for
    // the flags.
    let from_bound = time::parse_time("--from", &args.from)?;
    let to_text = args.to.clone().unwrap_or_else(|| day_text(today));
    let to_bound = time::parse_time("--to", &to_text)?;
    if to <= from {
        return Err(Refusal::new(
            format!(
                "--to {to_text} is not after --from {}: no day to sync",
                args.from
            ),
            "--to is exclusive: --from 2024-05-01 --to 2024-05-02 syncs one day",
        ));
    }
    time::check_range(Some(&from_bound), Some(&to_bound), now)?;
    Ok(Span { from, to })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_says_what_was_done() {
        let written = Written {
            new: 3,
            changed: 1,
            unchanged: 2,
        };
        let line = summary(written, 0, 6, Instant::now(), Duration::ZERO);
        assert!(
            line.starts_with("6 days written (3 new, 1 changed, 2 unchanged), 6 requests, "),
            "{line}"
        );
        assert!(summary(written, 2, 8, Instant::now(), Duration::ZERO).contains("2 failed"));
    }
}
