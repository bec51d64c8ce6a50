//! Synthetic campaigns for load and memory tests: generated in-process from a seed, so 100 000
//! campaigns × 30 days need no multi-gigabyte fixture file.
//!
//! Two activity models: every day active (load tests: every answer has counters), or campaigns
//! that look real (benchmarks of `wa-stats sync`, whose cost follows the active days): never
//! sent, one send with a week's tail of receipts and clicks, monthly sends with short tails, and
//! a few active every day.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use wa_stats_model::validation::{DEFAULT_START_TIME, MAX_UNIX_SECONDS};

use crate::error::MockError;
use crate::fixtures::CampaignKind;
use crate::state::Data;
use crate::store::{BASE_COLUMNS, Campaign, PrefixTable, REVENUE_CENTS, column_of};

/// Partner that owns synthetic campaigns.
pub(crate) const SYNTHETIC_OWNER: &str = "demo";
/// Lowest synthetic campaign ID (or just above the highest fixture ID, if that is higher).
pub(crate) const SYNTHETIC_FIRST_ID: u64 = 1_000_000;

/// The most days a synthetic campaign may have: from 2018-01-01, the last day must still be a
/// ten-digit Unix time (R5's bound, 2286-11-20), or no request could reach it.
pub(crate) const MAX_SYNTHETIC_DAYS: u32 = {
    let days = (MAX_UNIX_SECONDS - DEFAULT_START_TIME) / 86_400 + 1;
    assert!(days > 0 && days <= u32::MAX as i64);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked above"
    )]
    let days = days as u32;
    days
};

/// How synthetic campaigns spread their activity over their days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Activity {
    /// Every day of every campaign has counters (the load tests' data).
    #[default]
    EveryDay,
    /// Campaigns as they look in real accounts, drawn per campaign from the seed: 25 % never
    /// sent; 55 % one send on a random day, then 7 days of trailing receipts, reads and clicks,
    /// each about half the day before's; 18 % a send every 28 to 35 days with 3-day tails; 2 %
    /// active every day.
    Realistic,
}

/// How many campaigns and days to generate, from which seed, how active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Synthetic {
    pub(crate) campaigns: u32,
    pub(crate) days: u32,
    pub(crate) seed: u64,
    pub(crate) activity: Activity,
}

impl Synthetic {
    /// Adds the campaigns to `data`: consecutive IDs from [`SYNTHETIC_FIRST_ID`] (or above the
    /// highest existing ID), days from 2018-01-01 on, all owned by partner `demo`.
    pub(crate) fn generate(self, data: &mut Data) -> Result<(), MockError> {
        if self.days > MAX_SYNTHETIC_DAYS {
            return Err(MockError::Settings(format!(
                "synthetic campaigns may have at most {MAX_SYNTHETIC_DAYS} days (from 2018-01-01 \
                 to the last ten-digit Unix time), got {}",
                self.days
            )));
        }
        let owner = data.directory.partner_id(SYNTHETIC_OWNER).ok_or_else(|| {
            MockError::Settings(format!(
                "synthetic campaigns belong to partner {SYNTHETIC_OWNER:?}, which the fixtures do not declare"
            ))
        })?;
        let first_id = data
            .campaigns
            .by_id
            .keys()
            .next_back()
            .map_or(SYNTHETIC_FIRST_ID, |&max| {
                max.saturating_add(1).max(SYNTHETIC_FIRST_ID)
            });
        // The upstream's default start (R5): a lifetime query covers every synthetic day.
        let first_day = DEFAULT_START_TIME;
        let day_starts: Arc<[i64]> = (0..i64::from(self.days))
            .map(|day| first_day + day * 86_400)
            .collect();
        let mut rng = StdRng::seed_from_u64(self.seed);
        let days = usize::try_from(self.days).unwrap_or(0);
        let mut leaves = vec![0_u64; BASE_COLUMNS * days];
        let layout = Layout::new();
        for offset in 0..u64::from(self.campaigns) {
            let scale = rng.random_range(1..=1_000_u64);
            let shifts = match self.activity {
                Activity::EveryDay => vec![Some(0); days],
                Activity::Realistic => realistic_days(&mut rng, days),
            };
            for (day, shift) in leaves.chunks_exact_mut(BASE_COLUMNS).zip(shifts) {
                match shift {
                    Some(shift) => fill_day(&mut rng, scale >> shift, day, &layout),
                    None => day.fill(0),
                }
            }
            let table = PrefixTable::from_flat(BASE_COLUMNS, Arc::clone(&day_starts), &leaves)
                .ok_or_else(|| MockError::Settings("synthetic totals overflow".to_owned()))?;
            let campaign = Campaign::from_parts(owner, CampaignKind::Whatsapp, Vec::new(), table);
            data.campaigns.by_id.insert(first_id + offset, campaign);
        }
        Ok(())
    }
}

/// Days of one campaign, each `None` (quiet) or the right shift of its scale (0 on a send day,
/// one more for each day of the tail after it).
fn realistic_days(rng: &mut StdRng, days: usize) -> Vec<Option<u32>> {
    let mut shifts = vec![None; days];
    if days == 0 {
        return shifts;
    }
    match rng.random_range(0..100_u32) {
        0..25 => {}
        25..80 => {
            let start = rng.random_range(0..days);
            send(&mut shifts, start, 7);
        }
        80..98 => {
            let period = rng.random_range(28..=35_usize);
            let mut start = rng.random_range(0..period.min(days));
            while start < days {
                send(&mut shifts, start, 3);
                start += period;
            }
        }
        _ => shifts.fill(Some(0)),
    }
    shifts
}

/// Marks a send on day `start` and its `tail` days after it, the busier of two overlapping
/// sends winning.
fn send(shifts: &mut [Option<u32>], start: usize, tail: u32) {
    let days = shifts.len();
    for (shift, day) in (0..=tail).zip(start..days) {
        let slot = &mut shifts[day];
        *slot = Some(slot.map_or(shift, |earlier| earlier.min(shift)));
    }
}

/// Where [`fill_day`] puts what it draws, found once by name in the store's columns.
struct Layout {
    /// The columns of `delivered`, `deliveryPending`, `open`, `click`, `conversion`,
    /// `unsubscribe`, in the order they are drawn.
    head: Vec<usize>,
    /// Every other counter column (the reasons), in column order.
    reasons: Vec<usize>,
}

impl Layout {
    fn new() -> Self {
        let names = [
            "delivered",
            "deliveryPending",
            "open",
            "click",
            "conversion",
            "unsubscribe",
        ];
        let head: Vec<usize> = names.iter().filter_map(|name| column_of(name)).collect();
        let reasons = (REVENUE_CENTS + 1..BASE_COLUMNS)
            .filter(|column| !head.contains(column))
            .collect();
        Self { head, reasons }
    }
}

/// One day's leaves in the table's column order, plausible enough to look at: opens never
/// exceed deliveries, clicks never exceed opens, conversions never exceed clicks.
fn fill_day(rng: &mut StdRng, scale: u64, day: &mut [u64], layout: &Layout) {
    let delivered = rng.random_range(0..=scale);
    let open = rng.random_range(0..=delivered);
    let click = rng.random_range(0..=open);
    let conversion = rng.random_range(0..=click);
    let revenue_cents = conversion * rng.random_range(0..=5_000);
    // Drawn in this order whatever the columns' order, so that a seed keeps its data.
    let head = [
        delivered,
        rng.random_range(0..=scale / 100),
        open,
        click,
        conversion,
        rng.random_range(0..=scale / 200),
    ];
    day[REVENUE_CENTS] = revenue_cents;
    for (&column, value) in layout.head.iter().zip(head) {
        day[column] = value;
    }
    // Drop and undelivered reasons: a few each, so the details are never all zero.
    for &column in &layout.reasons {
        day[column] = rng.random_range(0..=scale / 100);
    }
}
