//! Synthetic campaigns for load and memory tests: generated in-process from a seed, so 100 000
//! campaigns × 30 days need no multi-gigabyte fixture file.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use wa_stats_model::validation::{DEFAULT_START_TIME, MAX_UNIX_SECONDS};

use crate::error::MockError;
use crate::fixtures::CampaignKind;
use crate::state::Data;
use crate::store::{BASE_COLUMNS, Campaign, PrefixTable, REVENUE_CENTS, column_of};

/// Partner that owns synthetic campaigns.
pub const SYNTHETIC_OWNER: &str = "demo";
/// Lowest synthetic campaign ID (or just above the highest fixture ID, if that is higher).
pub const SYNTHETIC_FIRST_ID: u64 = 1_000_000;

/// The most days a synthetic campaign may have: from 2018-01-01, the last day must still be a
/// ten-digit Unix time (R5's bound, 2286-11-20), or no request could reach it.
pub const MAX_SYNTHETIC_DAYS: u32 = {
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

/// How many campaigns and days to generate, from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Synthetic {
    pub(crate) campaigns: u32,
    pub(crate) days: u32,
    pub(crate) seed: u64,
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
            for day in leaves.chunks_exact_mut(BASE_COLUMNS) {
                fill_day(&mut rng, scale, day, &layout);
            }
            let table = PrefixTable::from_flat(BASE_COLUMNS, Arc::clone(&day_starts), &leaves)
                .ok_or_else(|| MockError::Settings("synthetic totals overflow".to_owned()))?;
            let campaign = Campaign::from_parts(owner, CampaignKind::Whatsapp, Vec::new(), table);
            data.campaigns.by_id.insert(first_id + offset, campaign);
        }
        Ok(())
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
