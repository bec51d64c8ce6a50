//! The one run loop of `campaign` and `sync` (and the tap): requests admitted earliest unit first,
//! as many in flight as the client's batch would keep, and every way a run ends early written
//! once: SIGINT/SIGTERM, `--deadline`, `--max-requests`, and an answer every other request would
//! get too (a refused credential, no token, a required shared budget down), said once.
//!
//! A unit (a campaign) gives its requests as they become known and takes their answers; what a
//! unit does with them (keep each range's outcome, or reconcile) is the caller's.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;

use futures_util::stream::{FuturesUnordered, StreamExt};
use wa_stats_client::model::CampaignStatistics;
use wa_stats_client::{Client, Concurrency, Error, TimeRange};

use crate::fetch::{Cause, Halt, Stopper};

/// One campaign's part of a run.
pub(crate) trait Unit {
    /// The campaign.
    fn campaign_id(&self) -> i64;
    /// Requests to send now, each with a tag its answer comes back with; empty while waiting.
    fn requests(&mut self) -> Vec<(usize, TimeRange)>;
    /// The answer to the request tagged `tag`. An answer with a [`Cause`] is given too, then the
    /// run ends (the unit may keep it, as `campaign` prints it, or leave it to the stop's line).
    fn answer(&mut self, tag: usize, outcome: Result<CampaignStatistics, Error>);
    /// Nothing left to send or to wait for (finished, or given up).
    fn is_done(&self) -> bool;
}

/// Why a run stopped before every unit was done.
#[derive(Debug)]
pub(crate) enum Stopped {
    /// A signal, the deadline, or an answer every other request would get too.
    Halt(Halt),
    /// `--max-requests` reached: nothing more admitted, what was in flight answered.
    MaxRequests,
}

/// What the run did.
#[derive(Debug, Default)]
pub(crate) struct Ran {
    /// Requests sent.
    pub(crate) requests: usize,
    /// Why it stopped early.
    pub(crate) stopped: Option<Stopped>,
}

/// The limits of a run.
pub(crate) struct Limits<I> {
    /// Requests in flight at most: the client's batch limit for it, read again before each
    /// admission, so that `Auto` follows the latency (more in flight would only queue in the
    /// pacer, and every queued request lengthens the chain of answers a unit may wait on).
    pub(crate) concurrency: Concurrency,
    /// Stop at this instant (what is in flight is abandoned).
    pub(crate) deadline: Option<tokio::time::Instant>,
    /// Stop admitting after this many requests.
    pub(crate) max_requests: Option<usize>,
    /// Completes at SIGINT/SIGTERM with the exit status for it.
    pub(crate) interrupt: I,
}

type Answer = (usize, usize, Result<CampaignStatistics, Error>);

/// Runs `units` to their end, calling `answered(index, unit)` after each answer a unit took, in
/// the order answers come. `answered` failing (stdout closed, a database down) ends the run with
/// its error.
pub(crate) async fn run<U, I, F, Fut, E>(
    client: &Client,
    units: &mut [U],
    limits: Limits<I>,
    mut answered: F,
) -> Result<Ran, E>
where
    U: Unit,
    I: Future<Output = u8>,
    F: FnMut(usize, &mut U) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    // Ready requests by unit: the earliest unit's go first, so that units finish in the order
    // given and a stopped run keeps the most finished ones.
    let mut ready: BTreeMap<usize, VecDeque<(usize, TimeRange)>> = BTreeMap::new();
    for (index, unit) in units.iter_mut().enumerate() {
        ready.insert(index, unit.requests().into());
    }
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
            // The earliest unit with a request ready (done or empty ones drop out here, so that
            // each admission costs O(log units), not a scan).
            while let Some(first) = ready.first_entry() {
                if !units[*first.key()].is_done() && !first.get().is_empty() {
                    break;
                }
                first.remove();
            }
            let Some(mut first) = ready.first_entry() else {
                break;
            };
            if limits.max_requests.is_some_and(|max| ran.requests >= max) {
                // Nothing more is admitted; what is in flight is paid for, so its answers are
                // still taken.
                ran.stopped = Some(Stopped::MaxRequests);
                break;
            }
            let index = *first.key();
            let Some((tag, range)) = first.get_mut().pop_front() else {
                break;
            };
            ran.requests += 1;
            let call = client
                .campaign_statistics(units[index].campaign_id())
                .range(range)
                .send();
            in_flight.push(async move { (index, tag, call.await) });
        }
        if in_flight.is_empty() {
            break;
        }
        let (index, tag, outcome): Answer = tokio::select! {
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
        let unit = &mut units[index];
        if unit.is_done() {
            continue;
        }
        let halt = match &outcome {
            Err(error) => Cause::of(error).map(|cause| Stopper {
                campaign_id: unit.campaign_id(),
                cause,
                report: crate::refusal::report(error),
            }),
            Ok(_) => None,
        };
        unit.answer(tag, outcome);
        ready.entry(index).or_default().extend(unit.requests());
        answered(index, unit).await?;
        if let Some(stopper) = halt {
            ran.stopped = Some(Stopped::Halt(Halt::Answer(stopper)));
            break;
        }
    }
    Ok(ran)
}
