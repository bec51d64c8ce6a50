//! The run loop of `wa-stats sync`: one reconciling planner per campaign, their requests sent
//! through the client with a bounded number in flight, each campaign handed on once its planner
//! has settled every day, until all are done or something ends the run early.
//!
//! Requests that follow from an answer go ahead of campaigns not started yet, so that campaigns
//! finish (and are written) one after another rather than all at the end: a run stopped by
//! `--deadline`, `--max-requests` or a signal keeps every campaign it finished.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;

use futures_util::stream::{FuturesUnordered, StreamExt};
use indicatif::ProgressBar;
use wa_stats_client::{Client, Concurrency, Error, TimeRange};
use wa_stats_model::ApiErrorKind;
use wa_stats_model::CampaignStatistics;

use super::plan::{DAY_SECONDS, Day, Span, day_text};
use super::reconcile::{Disagreement, Reconcile, Settled};
use crate::fetch::{Cause, Halt, Stopper};

/// One campaign to sync: its planner and how many days it settles.
pub(crate) struct Campaign {
    /// The campaign.
    pub(crate) id: i64,
    /// Its planner.
    pub(crate) planner: Reconcile<CampaignStatistics>,
    /// The days it settles, for the progress bar.
    pub(crate) days: u64,
}

/// How a campaign ended.
#[derive(Debug)]
pub(crate) enum Finished {
    /// Every day settled.
    Days(BTreeMap<Day, Settled<CampaignStatistics>>),
    /// The API said something about the campaign itself (3004, 422): said once, nothing written,
    /// asked again next run.
    AboutTheCampaign(String),
    /// A request failed, or the answers did not add up: nothing written, the state stays.
    Failed(String),
}

/// Why a run stopped before every campaign was done, beyond [`Halt`]'s reasons.
#[derive(Debug)]
pub(crate) enum Stopped {
    /// As `campaign` stops.
    Halt(Halt),
    /// `--max-requests` reached.
    MaxRequests,
}

/// What the run did.
#[derive(Debug, Default)]
pub(crate) struct Ran {
    /// Requests sent (each answered, or abandoned at a stop).
    pub(crate) requests: usize,
    /// Why it stopped early.
    pub(crate) stopped: Option<Stopped>,
}

/// The limits of a run.
pub(crate) struct Limits<I> {
    /// Requests in flight at most: the client's batch limit for it, read again before each
    /// admission, so that `Auto` follows the latency (more in flight would only queue in the
    /// pacer, and every queued request lengthens the chain of answers a campaign waits on).
    pub(crate) concurrency: Concurrency,
    /// Stop admitting at this instant.
    pub(crate) deadline: Option<tokio::time::Instant>,
    /// Stop admitting after this many requests.
    pub(crate) max_requests: Option<usize>,
    /// Completes at SIGINT/SIGTERM with the exit status for it.
    pub(crate) interrupt: I,
}

type Answer = (usize, Span, Result<CampaignStatistics, Error>);

/// Runs every campaign's planner to its end, calling `finished` for each campaign as it ends
/// (in the order they end).
pub(crate) async fn run<I, F, Fut>(
    client: &Client,
    mut campaigns: Vec<Campaign>,
    limits: Limits<I>,
    progress: &ProgressBar,
    mut finished: F,
) -> Result<Ran, String>
where
    I: Future<Output = u8>,
    F: FnMut(i64, Finished) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    // Ready requests by campaign: the earliest campaign's go first, so that campaigns finish in
    // the order of the IDs and a stopped run keeps the most finished ones.
    let mut ready: BTreeMap<usize, VecDeque<Span>> = BTreeMap::new();
    for (index, campaign) in campaigns.iter_mut().enumerate() {
        ready.insert(index, campaign.planner.requests().into());
    }
    let mut alive = vec![true; campaigns.len()];
    let mut in_flight = FuturesUnordered::new();
    let mut ran = Ran::default();
    let sleep = async {
        match limits.deadline {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    let interrupt = limits.interrupt;
    tokio::pin!(sleep, interrupt);
    loop {
        while in_flight.len() < client.calls_in_flight(limits.concurrency) {
            // The earliest campaign with a request ready (finished or empty ones drop out here, so
            // that each admission costs O(log campaigns), not a scan).
            while let Some(first) = ready.first_entry() {
                if alive[*first.key()] && !first.get().is_empty() {
                    break;
                }
                first.remove();
            }
            let Some(mut first) = ready.first_entry() else {
                break;
            };
            if limits.max_requests.is_some_and(|max| ran.requests >= max) {
                // Nothing more is admitted; what is in flight is paid for, so its answers are
                // still taken, and a campaign they complete is written.
                ran.stopped = Some(Stopped::MaxRequests);
                break;
            }
            let index = *first.key();
            let Some(span) = first.get_mut().pop_front() else {
                break;
            };
            ran.requests += 1;
            in_flight.push(request(client, index, campaigns[index].id, span));
        }
        if in_flight.is_empty() {
            break;
        }
        let (index, span, outcome): Answer = tokio::select! {
            biased;
            status = &mut interrupt => {
                ran.stopped = Some(Stopped::Halt(Halt::Signal(status)));
                break;
            }
            () = &mut sleep => {
                ran.stopped = Some(Stopped::Halt(Halt::Deadline));
                break;
            }
            Some(answer) = in_flight.next() => answer,
        };
        if !alive[index] {
            continue;
        }
        let campaign = &mut campaigns[index];
        let stats = match outcome {
            Ok(stats) => stats,
            Err(error) => {
                if let Some(cause) = Cause::of(&error) {
                    ran.stopped = Some(Stopped::Halt(Halt::Answer(Stopper {
                        campaign_id: campaign.id,
                        cause,
                        report: crate::refusal::report(&error),
                    })));
                    break;
                }
                alive[index] = false;
                let about_the_campaign = matches!(
                    error.api_error().map(|api| &api.kind),
                    Some(
                        ApiErrorKind::CampaignNotFound | ApiErrorKind::NotAWhatsAppCampaign { .. }
                    )
                );
                let line = format!(
                    "campaign {} {}: {}",
                    campaign.id,
                    days_text(span),
                    crate::refusal::report(&error)
                );
                let end = if about_the_campaign {
                    Finished::AboutTheCampaign(format!(
                        "campaign {}: {}",
                        campaign.id,
                        crate::refusal::report(&error)
                    ))
                } else {
                    Finished::Failed(line)
                };
                finished(campaign.id, end).await?;
                continue;
            }
        };
        campaign.planner.answer(span, stats);
        ready
            .entry(index)
            .or_default()
            .extend(campaign.planner.requests());
        if campaign.planner.is_done() {
            alive[index] = false;
            progress.inc(campaign.days);
            let planner = std::mem::replace(&mut campaign.planner, Reconcile::per_day(&[]));
            let end = match planner.finish() {
                Ok(days) => Finished::Days(days),
                Err(disagreement) => {
                    Finished::Failed(disagreement_line(campaign.id, &disagreement))
                }
            };
            finished(campaign.id, end).await?;
        }
    }
    Ok(ran)
}

/// One request, with its campaign's index and span.
fn request(
    client: &Client,
    index: usize,
    id: i64,
    span: Span,
) -> impl Future<Output = Answer> + use<> {
    let call = client
        .campaign_statistics(id)
        .range(TimeRange::new(
            Some(span.from * DAY_SECONDS),
            Some(span.to * DAY_SECONDS),
        ))
        .send();
    async move { (index, span, call.await) }
}

/// `2024-03-01` or `2024-03-01..2024-03-07` (inclusive).
pub(crate) fn days_text(span: Span) -> String {
    if span.to - span.from <= 1 {
        day_text(span.from)
    } else {
        format!("{}..{}", day_text(span.from), day_text(span.to - 1))
    }
}

/// The one line for a campaign whose answers did not add up.
fn disagreement_line(id: i64, disagreement: &Disagreement) -> String {
    let Disagreement { span, mismatch } = disagreement;
    format!(
        "campaign {id} {}: the answers do not add up, twice: `{}` is {} for the range but {} for \
         its parts; nothing was written for this campaign (the upstream may ignore \
         start_time/end_time, or its data changed during the run)",
        days_text(*span),
        mismatch.counter,
        mismatch.whole,
        mismatch.parts
    )
}
