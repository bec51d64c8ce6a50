//! The progress bar on stderr while a run fetches: only on a terminal, never with `-q` or `-v`,
//! and only for more than a few campaigns.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
