//! Fetching many campaigns at once and handing the results on in the order the IDs were given.
//!
//! The client's batch yields results as they finish, each with its place among the IDs; a small
//! reorder buffer holds the ones that finished early, so output is stable from run to run and
//! each result is printed as soon as all those before it are.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use wa_stats_client::{Client, Concurrency, TimeRange};

use crate::output::Outcome;

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
pub(crate) fn progress_bar(quiet: bool, verbose: u8, count: usize) -> ProgressBar {
    if !wants_progress(std::io::stderr().is_terminal(), quiet, verbose, count) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(
        Some(u64::try_from(count).unwrap_or(u64::MAX)),
        ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} campaigns, ETA {eta}") {
        bar.set_style(style);
    }
    bar
}

/// Fetches `ids` over `range` with `concurrency` in flight and calls `emit` for each, in
/// the order of `ids`. Stops early if `emit` fails (stdout closed, say), cancelling the rest.
pub(crate) async fn in_order<E>(
    client: &Client,
    ids: &[i64],
    range: TimeRange,
    concurrency: Concurrency,
    progress: &ProgressBar,
    mut emit: impl FnMut(i64, Outcome) -> Result<(), E>,
) -> Result<(), E> {
    // Results that finished before one given earlier, by position, until that gap closes.
    let mut done: BTreeMap<usize, (i64, Outcome)> = BTreeMap::new();
    let mut next = 0;
    let mut results = client.campaign_statistics_many_indexed(ids.to_vec(), range, concurrency);
    while let Some((position, id, outcome)) = results.next().await {
        progress.inc(1);
        done.insert(position, (id, outcome));
        while let Some((id, outcome)) = done.remove(&next) {
            if let Err(error) = progress.suspend(|| emit(id, outcome)) {
                // Leave the terminal clean even when stopping early.
                progress.finish_and_clear();
                return Err(error);
            }
            next += 1;
        }
    }
    progress.finish_and_clear();
    Ok(())
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
