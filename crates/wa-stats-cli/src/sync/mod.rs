//! `wa-stats sync`: a local copy of every campaign's days in SQLite or PostgreSQL, kept right
//! across late data, failures, crashes and re-runs (docs/cli.md, "sync").
//!
//! Flow: check the options, open and lock the database (and migrate it), read each campaign's
//! synced range and the stored days its re-check covers, plan the days [`plan::days_to_fetch`]
//! picks with a reconciling planner per campaign ([`reconcile`]; `--per-day`: one request a
//! day), run them all ([`engine`]) and hand each campaign, once its days are settled, to a
//! writer task that stores its days and its new state in one transaction. The writer runs beside
//! the fetches, so the database's time hides under the rate limit's.

pub(crate) mod columns;
pub(crate) mod engine;
pub(crate) mod plan;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
mod postgres_tls;
pub(crate) mod reconcile;
mod schema;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant, SystemTime};

use std::collections::BTreeMap;

use jiff::Timestamp;
use tokio::sync::mpsc;
use wa_stats_model::CampaignStatistics;
use wa_stats_model::request::unix_seconds;

use self::plan::{DAY_SECONDS, Day, Span, day_text};
use self::reconcile::Settled;
use self::store::{Batch, Store, Target, Written};
use crate::cli::{Cli, SyncArgs};
use crate::origins::Origins;
use crate::refusal::{EXIT_FAILED, EXIT_OK, Refusal, Stop};
use crate::{fetch, ids, series, setup, time};

/// Campaigns queued for the writer at most; the fetches wait beyond it.
const QUEUED: usize = 8;

/// Runs `wa-stats sync`.
pub(crate) async fn sync(cli: &Cli, args: &SyncArgs, origins: &Origins<'_>) -> Result<u8, Stop> {
    let started = Instant::now();
    let quiet = cli.global.quiet;
    let deadline = args
        .deadline
        .as_ref()
        .map(|deadline| tokio::time::Instant::now() + deadline.after);
    let now = unix_seconds(SystemTime::now());
    let range = days(args, now)?;
    let target = Target::parse(&args.db)?;
    let (client, credential_flags) = setup::settings_client(&args.settings, origins)?;
    // The deadline bounds the whole run, reading the IDs included.
    let ids = match ids::read(&args.ids, ids::Most::ids(), deadline).await {
        Ok(ids) => ids,
        Err(unread) => return unread.end(quiet, args.deadline.as_ref()),
    };
    let columns = columns::columns();

    let ca_cert = args.settings.connection.ca_cert.as_deref();
    let mut store = Store::open(&target, &columns, ca_cert)
        .await
        .map_err(Stop::Failed)?;
    let synced = store.states().await.map_err(Stop::Failed)?;
    // One planner per campaign, in the order of the IDs; a repeated ID once.
    let mut campaigns: Vec<engine::Campaign> = Vec::new();
    let mut olds: BTreeMap<i64, (Option<Span>, Vec<Span>)> = BTreeMap::new();
    let mut per_day_requests = 0_u64;
    // Campaigns another sync is syncing: said once, left to it.
    let mut held: BTreeMap<i64, String> = BTreeMap::new();
    for &id in &ids {
        if olds.contains_key(&id) || held.contains_key(&id) {
            continue;
        }
        if !store.lock_campaign(id).await.map_err(Stop::Failed)? {
            held.insert(
                id,
                format!(
                    "campaign {id}: another wa-stats sync is syncing it into {}; skipped (the next \
                 run does it)",
                    target.shown()
                ),
            );
            continue;
        }
        let old = synced.get(&id).copied();
        let spans = plan::spans(&plan::days_to_fetch(range, old, args.lookback));
        // What the table says of the days the state claims: the planner's expectations.
        let mut stored = BTreeMap::new();
        if !args.per_day
            && let Some(old) = old
        {
            for span in &spans {
                let claimed = Span {
                    from: span.from.max(old.from),
                    to: span.to.min(old.to),
                };
                if claimed.from >= claimed.to {
                    continue;
                }
                let rows = store.rows(id, claimed).await.map_err(Stop::Failed)?;
                stored
                    .extend(rows.into_iter().filter_map(|(day, row)| {
                        Some((day, columns::statistics(&columns, &row)?))
                    }));
            }
        }
        let campaign = engine::Campaign::new(id, &spans, stored, args.per_day);
        per_day_requests += campaign.days;
        olds.insert(id, (old, spans));
        campaigns.push(campaign);
    }
    if !quiet && per_day_requests > series::ANNOUNCE_ABOVE as u64 && io::stderr().is_terminal() {
        let _ = writeln!(
            io::stderr(),
            "wa-stats: {} campaigns, {per_day_requests} days to settle",
            campaigns.len()
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
            written.unchanged += batch.kept;
            busy += began.elapsed();
        }
        Ok::<_, String>((written, busy))
    });

    let progress = crate::progress::progress_bar(
        quiet,
        cli.global.verbose,
        usize::try_from(per_day_requests).unwrap_or(usize::MAX),
        "days",
    );
    let mut failed: Vec<String> = held.into_values().collect();
    let mut about_campaigns: Vec<String> = Vec::new();
    let limits = engine::Limits {
        concurrency: args.settings.throughput.in_flight(),
        deadline,
        max_requests: args
            .max_requests
            .map(|max| usize::try_from(max).unwrap_or(usize::MAX)),
        interrupt: crate::signals::interrupted(),
    };
    let ran = engine::run(&client, campaigns, limits, &progress, |id, end| {
        let batch = match end {
            engine::Finished::Days(days) => {
                let (old, spans) = olds.get(&id).cloned().unwrap_or_default();
                match batch(id, old, &spans, days, &columns) {
                    Ok(batch) => Some(batch),
                    Err(line) => {
                        failed.push(line);
                        None
                    }
                }
            }
            engine::Finished::AboutTheCampaign(line) => {
                about_campaigns.push(line);
                None
            }
            engine::Finished::Failed(line) => {
                failed.push(line);
                None
            }
        };
        let queue = queue.clone();
        async move {
            match batch {
                // A closed queue: the writer stopped on an error, which it returns below.
                Some(batch) => queue.send(batch).await.map_err(|_| String::new()),
                None => Ok(()),
            }
        }
    })
    .await;
    progress.finish_and_clear();
    drop(queue);
    let (written, busy) = match writer.await {
        Ok(Ok(done)) => done,
        Ok(Err(message)) => return Err(Stop::Failed(message)),
        Err(error) => return Err(Stop::Failed(format!("the database writer failed: {error}"))),
    };
    let ran = ran.map_err(Stop::Failed)?;
    let mut err = io::stderr().lock();
    if !quiet {
        // The lines quote the server's answers: escaped for the terminal.
        for line in about_campaigns.iter().chain(&failed) {
            let _ = writeln!(err, "wa-stats: {}", crate::escape::terminal(line));
        }
    }
    let summary = summary(&Summary {
        written,
        failed: failed.len(),
        about_campaigns: about_campaigns.len(),
        requests: ran.requests,
        per_day: per_day_requests,
        started,
        busy,
    });
    let status = match ran.stopped {
        None => None,
        Some(engine::Stopped::Halt(fetch::Halt::Answer(stopper))) => {
            return Err(stopper.stop(&credential_flags, origins));
        }
        Some(engine::Stopped::Halt(fetch::Halt::Signal(status))) => {
            let _ = writeln!(
                err,
                "wa-stats: interrupted: {summary}; the finished campaigns are written, the next run goes on from there"
            );
            Some(status)
        }
        Some(engine::Stopped::Halt(fetch::Halt::Deadline)) => {
            let deadline = args
                .deadline
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let _ = writeln!(
                err,
                "wa-stats: --deadline {deadline} reached: {summary}; the finished campaigns are written, the next run goes on from there"
            );
            Some(EXIT_FAILED)
        }
        Some(engine::Stopped::MaxRequests) => {
            let max = args.max_requests.unwrap_or_default();
            let _ = writeln!(
                err,
                "wa-stats: --max-requests {max} reached: {summary}; the finished campaigns are written, the next run goes on from there"
            );
            Some(EXIT_FAILED)
        }
    };
    if let Some(status) = status {
        return Ok(status);
    }
    if !quiet {
        let _ = writeln!(err, "wa-stats: {summary}");
    }
    if failed.is_empty() && about_campaigns.is_empty() {
        Ok(EXIT_OK)
    } else {
        Ok(EXIT_FAILED)
    }
}

/// The writer's work for one campaign whose every day settled: the days to store, the number
/// kept as they were, and the state after them.
fn batch(
    campaign_id: i64,
    old: Option<Span>,
    spans: &[Span],
    days: BTreeMap<Day, Settled<CampaignStatistics>>,
    columns: &[columns::Column],
) -> Result<Batch, String> {
    let mut rows = Vec::new();
    let mut kept = 0;
    for (day, settled) in days {
        match settled {
            Settled::Keep => kept += 1,
            Settled::Store(stats) => rows.push((
                day,
                columns::row(columns, &stats)
                    .map_err(|why| format!("campaign {campaign_id} {}: {why}", day_text(day)))?,
            )),
        }
    }
    Ok(Batch {
        campaign_id,
        rows,
        kept,
        state: plan::state_after(old, spans),
    })
}

/// What the summary line says.
struct Summary {
    written: Written,
    failed: usize,
    about_campaigns: usize,
    requests: usize,
    per_day: u64,
    started: Instant,
    busy: Duration,
}

/// The one line at the end: days written, campaigns that failed or that the API said something
/// about, requests sent beside what one request per day would have cost, and the time (the
/// database's part of it, mostly hidden under the fetches, in brackets).
fn summary(summary: &Summary) -> String {
    let Summary {
        written,
        failed,
        about_campaigns,
        requests,
        per_day,
        started,
        busy,
    } = summary;
    let total = written.new + written.changed + written.unchanged;
    let mut line = format!(
        "{total} days written ({} new, {} changed, {} unchanged)",
        written.new, written.changed, written.unchanged
    );
    let campaigns = |n: usize| if n == 1 { "campaign" } else { "campaigns" };
    if *failed > 0 {
        line.push_str(&format!(
            ", {failed} {} failed (the next run fetches them again)",
            campaigns(*failed)
        ));
    }
    if *about_campaigns > 0 {
        line.push_str(&format!(
            ", {about_campaigns} {} not found or not WhatsApp",
            campaigns(*about_campaigns)
        ));
    }
    line.push_str(&format!(
        ", {requests} requests (one per day: {per_day}), {:.1} s (database {:.2} s)",
        started.elapsed().as_secs_f64(),
        busy.as_secs_f64()
    ));
    line
}

/// `--from`, `--to`: whole UTC days, checked with the model's range rules; `--to` (exclusive)
/// defaults to today, so only days that are over are synced.
pub(crate) fn days(args: &SyncArgs, now: i64) -> Result<Span, Refusal> {
    let (from, from_bound) = plan::parse_day("--from", &args.from)?;
    let today = now.div_euclid(DAY_SECONDS);
    let to_text = args.to.clone().unwrap_or_else(|| day_text(today));
    let (to, to_bound) = plan::parse_day("--to", &to_text)?;
    if to > today {
        return Err(Refusal::new(
            format!(
                "--to {to_text} is after today ({}, UTC): a day is synced once it is over",
                day_text(today)
            ),
            format!("give --to {} or earlier, or leave it out", day_text(today)),
        ));
    }
    if to <= from {
        return Err(Refusal::new(
            format!(
                "--to {to_text} is not after --from {}: no day to sync",
                args.from
            ),
            "--to is exclusive: --from 2024-05-01 --to 2024-05-02 syncs one day",
        ));
    }
    // The model's rules for the whole range (start after 2018, ten-digit times, …), worded for
    // the flags.
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
        let mut said = Summary {
            written,
            failed: 0,
            about_campaigns: 0,
            requests: 2,
            per_day: 6,
            started: Instant::now(),
            busy: Duration::ZERO,
        };
        let line = summary(&said);
        assert!(
            line.starts_with(
                "6 days written (3 new, 1 changed, 2 unchanged), 2 requests (one per day: 6), "
            ),
            "{line}"
        );
        said.failed = 2;
        said.about_campaigns = 1;
        let line = summary(&said);
        assert!(line.contains("2 campaigns failed"), "{line}");
        assert!(
            line.contains("1 campaign not found or not WhatsApp"),
            "{line}"
        );
    }
}
