//! Fetching many campaigns (and buckets) at once and handing the results on in the order the IDs
//! were given.
//!
//! The client's batch yields results as they finish, each with its place among the IDs; a small
//! reorder buffer holds the ones that finished early, so output is stable from run to run and
//! each result is printed as soon as all those before it are.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use futures_util::stream::{BoxStream, StreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use wa_stats_client::{Client, Concurrency, Error, TimeRange};
use wa_stats_model::ApiErrorKind;

use crate::output::Outcome;
use crate::series::Bucket;

/// More campaigns than this get a progress bar (when stderr is a terminal): for a handful the
/// bar would flash and vanish.
pub(crate) const PROGRESS_THRESHOLD: usize = 3;

/// Whether to draw a progress bar: only on a terminal, never with `-q` (nothing on stderr) or
/// `-v` (the log lines already show progress and would tear the bar), and only for more than a
/// few campaigns.
pub(crate) fn wants_progress(
    stderr_is_terminal: bool,
    quiet: bool,
    verbose: u8,
    count: usize,
) -> bool {
    stderr_is_terminal && !quiet && verbose == 0 && count > PROGRESS_THRESHOLD
}

/// A progress bar on stderr, or a hidden one.
pub(crate) fn progress_bar(quiet: bool, verbose: u8, count: usize, unit: &str) -> ProgressBar {
    if !wants_progress(std::io::stderr().is_terminal(), quiet, verbose, count) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(
        Some(u64::try_from(count).unwrap_or(u64::MAX)),
        ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        ProgressStyle::with_template(&format!("{{bar:30}} {{pos}}/{{len}} {unit}, ETA {{eta}}"))
    {
        bar.set_style(style);
    }
    bar
}

/// What a run asks for: every campaign over every range (one range without `--by`, one per bucket
/// with it), campaign by campaign.
pub(crate) struct Plan {
    /// Campaign IDs in the order given.
    pub(crate) ids: Vec<i64>,
    /// The ranges each campaign is asked for, in order; the bucket when it is one.
    pub(crate) ranges: Vec<(Option<Bucket>, TimeRange)>,
}

impl Plan {
    /// How many requests the plan takes (before retries).
    pub(crate) fn requests(&self) -> usize {
        self.ids.len().saturating_mul(self.ranges.len())
    }
}

/// One campaign's results, one per range of the plan, in the plan's order.
pub(crate) type Results = Vec<(Option<Bucket>, Outcome)>;

/// Whether `error` means every other request would fail the same way: the credential refused
/// (401 after the one token refresh) or the partner's WhatsApp product inactive (403 `3007`).
pub(crate) fn stops_the_run(error: &Error) -> bool {
    matches!(
        error.api_error().map(|api| &api.kind),
        Some(ApiErrorKind::Unauthorized | ApiErrorKind::ProductNotActive)
    )
}

/// Fetches the plan with `concurrency` requests in flight and calls `emit` for each
/// campaign once all its ranges are in, in the order of the IDs. Stops early if `emit` fails
/// (stdout closed, say), cancelling the rest; stops as early at the first answer for which
/// [`stops_the_run`] holds, cancelling the rest, and returns that campaign and error.
pub(crate) async fn in_order<E>(
    client: &Client,
    plan: &Plan,
    concurrency: Concurrency,
    progress: &ProgressBar,
    mut emit: impl FnMut(i64, Results) -> Result<(), E>,
) -> Result<Option<(i64, Error)>, E> {
    let per_campaign = plan.ranges.len().max(1);
    let mut results = requests(client, plan, concurrency);
    // Results that finished before one given earlier, by position, until that gap closes.
    let mut done: BTreeMap<usize, Outcome> = BTreeMap::new();
    let mut next = 0;
    while let Some((position, outcome)) = results.next().await {
        progress.inc(1);
        if let Err(error) = &outcome
            && stops_the_run(error)
        {
            progress.finish_and_clear();
            let id = plan.ids[position / per_campaign];
            return Ok(outcome.err().map(|error| (id, error)));
        }
        done.insert(position, outcome);
        loop {
            let first = next * per_campaign;
            let span = first..first + per_campaign;
            if done.range(span.clone()).count() < per_campaign {
                break;
            }
            let campaign: Results = span
                .zip(&plan.ranges)
                .filter_map(|(position, (bucket, _))| {
                    done.remove(&position).map(|outcome| (*bucket, outcome))
                })
                .collect();
            if let Err(error) = progress.suspend(|| emit(plan.ids[next], campaign)) {
                // Leave the terminal clean even when stopping early.
                progress.finish_and_clear();
                return Err(error);
            }
            next += 1;
        }
    }
    progress.finish_and_clear();
    Ok(None)
}

/// Every request of the plan, yielded as each finishes with its position
/// (`campaign index × ranges + range index`).
fn requests(
    client: &Client,
    plan: &Plan,
    concurrency: Concurrency,
) -> BoxStream<'static, (usize, Outcome)> {
    let ranges: Vec<TimeRange> = plan.ranges.iter().map(|(_, range)| *range).collect();
    let calls: Vec<(i64, TimeRange)> = plan
        .ids
        .iter()
        .flat_map(|&id| ranges.iter().map(move |&range| (id, range)))
        .collect();
    client
        .campaign_statistics_batch(calls, concurrency)
        .map(|(position, _, outcome)| (position, outcome))
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_only_on_a_terminal_for_more_than_a_few() {
        assert!(wants_progress(true, false, 0, PROGRESS_THRESHOLD + 1));
        assert!(!wants_progress(false, false, 0, 100));
        assert!(!wants_progress(true, true, 0, 100));
        assert!(!wants_progress(true, false, 1, 100));
        assert!(!wants_progress(true, false, 0, PROGRESS_THRESHOLD));
    }
}
