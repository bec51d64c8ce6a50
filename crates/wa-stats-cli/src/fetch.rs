//! Fetching many campaigns (and buckets) at once and handing the results on in the order the IDs
//! were given, until the plan is done or something ends the run early.
//!
//! Each campaign is a unit of the one run loop (`run_loop.rs`, shared with `sync` and the tap),
//! which hands answers back as they finish; a small reorder buffer holds the campaigns that
//! finished early, so output is stable from run to run and each result is printed as soon as all
//! those before it are.
//!
//! A run ends early (the run loop's stops: the first answer that every other request would get
//! too, `--deadline`, SIGINT/SIGTERM), admitting nothing more and dropping what is in flight. This
//! module owns the types it produces ([`Outcome`], [`Results`], [`Halt`], [`Stopper`]); the
//! renderers in `output/` consume them.

use std::collections::BTreeMap;
use std::future::Future;

use indicatif::ProgressBar;
use wa_stats_client::{Client, Concurrency, Error, TimeRange};
use wa_stats_model::ApiErrorKind;
use wa_stats_model::{ApiError, CampaignStatistics};

use crate::origins::{Origins, SHARED_BUDGET_ENV};
use crate::refusal::{Refusal, Stop};
use crate::run_loop::{self, Limits, Stopped, Unit};
use crate::series::Bucket;

/// What one request came to.
pub(crate) type Outcome = Result<CampaignStatistics, Unfetched>;

/// One campaign's results, one per range of the plan, in the plan's order.
pub(crate) type Results = Vec<(Option<Bucket>, Outcome)>;

/// Why a request gave no statistics.
#[derive(Debug)]
pub(crate) enum Unfetched {
    /// It was sent (or refused locally) and failed.
    Failed(Error),
    /// It was never sent (or was abandoned in flight) because the run ended early; says why.
    NotSent(&'static str),
}

impl Unfetched {
    /// The classified API error, when the server answered with an error status.
    pub(crate) fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Failed(error) => error.api_error(),
            Self::NotSent(_) => None,
        }
    }
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

/// Why a run ended before its plan was done.
#[derive(Debug)]
pub(crate) enum Halt {
    /// An answer every other request would get too.
    Answer(Stopper),
    /// `--deadline` passed.
    Deadline,
    /// SIGINT or SIGTERM arrived; the exit status the shell expects for it (130, 143).
    Signal(u8),
}

impl Halt {
    /// What the rows of campaigns never sent say.
    fn not_sent(&self) -> &'static str {
        match self {
            Self::Answer(Stopper { cause, .. }) => match cause {
                Cause::Refused { .. } => {
                    "not sent: the run stopped when the credential was refused"
                }
                Cause::NoToken => "not sent: the run stopped when no access token could be had",
                Cause::NoSharedBudget => {
                    "not sent: the run stopped when the required shared rate budget was unavailable"
                }
            },
            Self::Deadline => "not sent: the run stopped at --deadline",
            Self::Signal(_) => "not sent: the run was interrupted",
        }
    }
}

/// The answer that stopped a run, as its one message needs it (the error itself goes in its
/// campaign's row).
#[derive(Debug)]
pub(crate) struct Stopper {
    /// The campaign whose request got it.
    pub(crate) campaign_id: i64,
    /// What kind of stop.
    pub(crate) cause: Cause,
    /// The client's one-line report of the error.
    pub(crate) report: String,
}

impl Stopper {
    /// The one message for an answer that stopped the run, and its exit status.
    pub(crate) fn stop(&self, credential: &str, origins: &Origins<'_>) -> Stop {
        let Self {
            campaign_id,
            cause,
            report,
        } = self;
        let stopped =
            "stopped: every other request would fail the same way, so nothing more was sent";
        match cause {
            Cause::Refused { inactive } => {
                let problem =
                    format!("not authorised ({report}, at campaign {campaign_id}); {stopped}");
                let fix = if *inactive {
                    "the partner's WhatsApp product is not active: ask Insider to activate it for \
                     this account, or use a credential of an account where it is"
                        .to_owned()
                } else {
                    format!(
                        "check {credential}: it may be mistyped, expired or revoked, or meant for the \
                         other route (--token for v2, --api-key for v1)"
                    )
                };
                Stop::NotAuthorised(Refusal::new(problem, fix))
            }
            Cause::NoToken => Stop::NoToken(Refusal::new(
                format!(
                    "no access token could be had ({report}, at campaign {campaign_id}); {stopped}"
                ),
                "check --token-url and that the token endpoint is up; the endpoint allows 10 token \
                 requests a minute per client, so many runs of one credential at once should share \
                 a token (see --token-cache), or run again in a minute",
            )),
            Cause::NoSharedBudget => Stop::NoSharedBudget(Refusal::new(
                format!(
                    "the shared rate budget is required (--shared-budget-required) and unavailable \
                     ({report}, at campaign {campaign_id}); {stopped}"
                ),
                format!(
                    "start the Redis that --shared-budget{} names, or drop \
                     --shared-budget-required to pace in this process alone while it is down",
                    origins.env_suffix(&[("shared_budget", SHARED_BUDGET_ENV)])
                ),
            )),
        }
    }
}

/// What kind of answer stopped a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    /// 401 after the one token refresh (API or token endpoint), or 403 `3007` when `inactive`.
    Refused {
        /// The partner's WhatsApp product is not active (403 `3007`).
        inactive: bool,
    },
    /// The token endpoint kept failing (after its retries) without refusing the credential.
    NoToken,
    /// A fail-closed shared budget whose Redis is unavailable.
    NoSharedBudget,
}

impl Cause {
    /// The cause when `error` means every other request would fail the same way, else `None`.
    pub(crate) fn of(error: &Error) -> Option<Self> {
        match error.api_error().map(|api| &api.kind) {
            Some(ApiErrorKind::Unauthorized) => return Some(Self::Refused { inactive: false }),
            Some(ApiErrorKind::ProductNotActive) => return Some(Self::Refused { inactive: true }),
            _ => {}
        }
        match error {
            Error::TokenEndpoint { .. } => Some(Self::NoToken),
            Error::SharedBudgetUnavailable { .. } => Some(Self::NoSharedBudget),
            _ => None,
        }
    }
}

/// How a run of the plan went.
#[derive(Debug)]
pub(crate) struct Ran {
    /// Campaigns whose every request was answered (successfully or not) and printed as such.
    pub(crate) finished: usize,
    /// Why it ended early, if it did.
    pub(crate) halt: Option<Halt>,
}

/// One campaign of the plan as a unit of the run loop: every range sent at once, each outcome kept.
struct FetchUnit {
    campaign_id: i64,
    ranges: Vec<TimeRange>,
    outcomes: Vec<Option<Outcome>>,
    sent: bool,
    /// Its outcomes were handed on (to be printed in order).
    taken: bool,
}

impl Unit for FetchUnit {
    fn campaign_id(&self) -> i64 {
        self.campaign_id
    }

    fn requests(&mut self) -> Vec<(usize, TimeRange)> {
        if std::mem::replace(&mut self.sent, true) {
            return Vec::new();
        }
        self.ranges.iter().copied().enumerate().collect()
    }

    fn answer(&mut self, tag: usize, outcome: Result<CampaignStatistics, Error>) {
        self.outcomes[tag] = Some(outcome.map_err(Unfetched::Failed));
    }

    fn is_done(&self) -> bool {
        self.taken || self.outcomes.iter().all(Option::is_some)
    }
}

impl FetchUnit {
    /// Its results, in the plan's order; a range never answered is `NotSent(why)`.
    fn take(&mut self, plan: &Plan, why: &'static str) -> Results {
        self.taken = true;
        self.outcomes
            .iter_mut()
            .zip(&plan.ranges)
            .map(|(outcome, (bucket, _))| {
                (
                    *bucket,
                    outcome.take().unwrap_or(Err(Unfetched::NotSent(why))),
                )
            })
            .collect()
    }
}

/// Fetches the plan on the one run loop (`run_loop.rs`) with `concurrency` requests in flight and
/// calls `emit` for each campaign once all its ranges are in, in the order of the IDs.
///
/// Stops early if `emit` fails (stdout closed, say). Stops as early when `interrupt` completes
/// (a signal: what was printed stays the last thing printed), or at `deadline`, or at the first
/// answer that has a [`Cause`]; in the last two cases every campaign not yet
/// printed is still emitted, with what finished and [`Unfetched::NotSent`] for the rest.
pub(crate) async fn in_order<E>(
    client: &Client,
    plan: &Plan,
    concurrency: Concurrency,
    progress: &ProgressBar,
    deadline: Option<tokio::time::Instant>,
    interrupt: impl Future<Output = u8>,
    mut emit: impl FnMut(i64, Results) -> Result<(), E>,
) -> Result<Ran, E> {
    let ranges: Vec<TimeRange> = plan.ranges.iter().map(|(_, range)| *range).collect();
    let mut units: Vec<FetchUnit> = plan
        .ids
        .iter()
        .map(|&campaign_id| FetchUnit {
            campaign_id,
            ranges: ranges.clone(),
            outcomes: (0..ranges.len()).map(|_| None).collect(),
            sent: false,
            taken: false,
        })
        .collect();
    // Campaigns complete before an earlier one, by index, until that one is printed.
    let mut complete: BTreeMap<usize, (i64, Results)> = BTreeMap::new();
    let mut next = 0;
    let mut finished = 0;
    let limits = Limits {
        concurrency,
        deadline,
        max_requests: None,
        interrupt,
    };
    let ran = run_loop::run(client, &mut units, limits, |index, unit| {
        progress.inc(1);
        if unit.outcomes.iter().all(Option::is_some) && !unit.taken {
            complete.insert(index, (unit.campaign_id, unit.take(plan, "")));
        }
        let mut printed = Ok(());
        while let Some((id, results)) = complete.remove(&next) {
            printed = progress.suspend(|| emit(id, results));
            if printed.is_err() {
                break;
            }
            next += 1;
            finished += 1;
        }
        std::future::ready(printed)
    })
    .await;
    let ran = match ran {
        Ok(ran) => ran,
        Err(error) => {
            // Leave the terminal clean even when stopping early.
            progress.finish_and_clear();
            return Err(error);
        }
    };
    let halt = match ran.stopped {
        Some(Stopped::Halt(halt)) => Some(halt),
        // `MaxRequests` never comes: the plan's size is checked before anything is sent.
        None | Some(Stopped::MaxRequests) => None,
    };
    // At a deadline or a stopping answer, every campaign not printed yet is, with what came.
    let rest = match &halt {
        None | Some(Halt::Signal(_)) => Ok(()),
        Some(halt) => {
            let why = halt.not_sent();
            let mut printed = Ok(());
            for (index, unit) in units.iter_mut().enumerate().skip(next) {
                let (id, results) = match complete.remove(&index) {
                    Some(done) => {
                        finished += 1;
                        done
                    }
                    None => (unit.campaign_id, unit.take(plan, why)),
                };
                printed = progress.suspend(|| emit(id, results));
                if printed.is_err() {
                    break;
                }
            }
            printed
        }
    };
    progress.finish_and_clear();
    rest.map(|()| Ran { finished, halt })
}
