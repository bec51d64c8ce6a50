//! `wa-stats sync`'s units on the one run loop (`run_loop.rs`): a reconciling planner per
//! campaign, its requests as the planner asks for them, the campaign handed on once every day is
//! settled, or once a request failed or the answers did not add up.

use std::collections::BTreeMap;
use std::future::Future;

use indicatif::ProgressBar;
use wa_stats_client::model::{ApiErrorKind, CampaignStatistics};
use wa_stats_client::{Client, Error, TimeRange};

use super::plan::{DAY_SECONDS, Day, Span, day_text};
use super::reconcile::{Disagreement, Reconcile, Settled};
use crate::fetch::Cause;
use crate::run_loop::{self, Unit};
pub(crate) use crate::run_loop::{Limits, Ran, Stopped};

/// One campaign to sync: its planner and how many days it settles.
pub(crate) struct Campaign {
    /// The campaign.
    pub(crate) id: i64,
    /// Its planner.
    pub(crate) planner: Reconcile<CampaignStatistics>,
    /// The days it settles, for the progress bar.
    pub(crate) days: u64,
}

impl Campaign {
    /// Campaign `id` over `spans`: reconciled against `stored` (what the table or the state says
    /// of those days), or with `per_day` one request a day.
    pub(crate) fn new(
        id: i64,
        spans: &[Span],
        stored: BTreeMap<Day, CampaignStatistics>,
        per_day: bool,
    ) -> Self {
        let planner = if per_day {
            Reconcile::per_day(spans)
        } else {
            Reconcile::new(spans, stored)
        };
        let days = spans.iter().map(|s| (s.to - s.from).unsigned_abs()).sum();
        Self { id, planner, days }
    }
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

/// Where a campaign's unit is.
enum State {
    Running,
    Ended(Finished),
    Reported,
}

/// A campaign as a unit of the run loop.
struct SyncUnit {
    campaign: Campaign,
    /// The span of each request sent, by its tag.
    sent: Vec<Span>,
    state: State,
}

impl Unit for SyncUnit {
    fn campaign_id(&self) -> i64 {
        self.campaign.id
    }

    fn requests(&mut self) -> Vec<(usize, TimeRange)> {
        if !matches!(self.state, State::Running) {
            return Vec::new();
        }
        self.campaign
            .planner
            .requests()
            .into_iter()
            .map(|span| {
                self.sent.push(span);
                (
                    self.sent.len() - 1,
                    TimeRange::new(Some(span.from * DAY_SECONDS), Some(span.to * DAY_SECONDS)),
                )
            })
            .collect()
    }

    fn answer(&mut self, tag: usize, outcome: Result<CampaignStatistics, Error>) {
        let span = self.sent[tag];
        let id = self.campaign.id;
        match outcome {
            Ok(stats) => {
                self.campaign.planner.answer(span, stats);
                if self.campaign.planner.is_done() {
                    let planner =
                        std::mem::replace(&mut self.campaign.planner, Reconcile::per_day(&[]));
                    self.state = State::Ended(match planner.finish() {
                        Ok(days) => Finished::Days(days),
                        Err(disagreement) => Finished::Failed(disagreement_line(id, &disagreement)),
                    });
                }
            }
            // The run ends with its one line for it.
            Err(error) if Cause::of(&error).is_some() => {}
            Err(error) => {
                let report = crate::refusal::report(&error);
                let about_the_campaign = matches!(
                    error.api_error().map(|api| &api.kind),
                    Some(
                        ApiErrorKind::CampaignNotFound | ApiErrorKind::NotAWhatsAppCampaign { .. }
                    )
                );
                self.state = State::Ended(if about_the_campaign {
                    Finished::AboutTheCampaign(format!("campaign {id}: {report}"))
                } else {
                    Finished::Failed(format!("campaign {id} {}: {report}", days_text(span)))
                });
            }
        }
    }

    fn is_done(&self) -> bool {
        !matches!(self.state, State::Running)
    }
}

/// Runs every campaign's planner to its end on the one run loop, calling `finished` for each
/// campaign as it ends (in the order they end).
pub(crate) async fn run<I, F, Fut>(
    client: &Client,
    campaigns: Vec<Campaign>,
    limits: Limits<I>,
    progress: &ProgressBar,
    mut finished: F,
) -> Result<Ran, String>
where
    I: Future<Output = u8>,
    F: FnMut(i64, Finished) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut units: Vec<SyncUnit> = campaigns
        .into_iter()
        .map(|campaign| SyncUnit {
            campaign,
            sent: Vec::new(),
            state: State::Running,
        })
        .collect();
    run_loop::run(client, &mut units, limits, |_, unit| {
        let ended = match std::mem::replace(&mut unit.state, State::Reported) {
            State::Ended(end) => Some(end),
            other => {
                unit.state = other;
                None
            }
        };
        let report = ended.map(|end| {
            progress.inc(unit.campaign.days);
            finished(unit.campaign.id, end)
        });
        async move {
            match report {
                Some(report) => report.await,
                None => Ok(()),
            }
        }
    })
    .await
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
