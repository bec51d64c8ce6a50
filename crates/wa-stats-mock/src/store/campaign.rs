//! A compiled campaign: its owner, kind, cards and prefix-sum table; and the one function that
//! turns a range of its days into a statistics body, deriving `drop`, `undelivered`, `sent` and
//! `targeted` from the leaves so that R10's four sums hold by construction.

use wa_stats_model::statistics::{COUNTER_COUNT, COUNTERS, Group, Role};
use wa_stats_model::{
    CampaignStatistics, DropDetails, ResponseCard, ResponseSummary, UndeliveredDetails,
};

use super::dates::parse_date;
use super::table::PrefixTable;
use crate::error::FixtureIssue;
use crate::fixtures::{CampaignFixture, CampaignKind, CardFixture, DayFixture, is_day_counter};

// Column layout of a campaign's table: revenue in hundredths, then one column per counter a
// fixture day holds, in the model's table order (`day_counters`); then (conversational only)
// `buttonClick` and six columns per card.
pub(crate) const REVENUE_CENTS: usize = 0;
const FIRST_COUNTER: usize = 1;
/// How many counters a fixture day holds.
const DAY_COUNTERS: usize = day_counter_places().1;
/// Where each column's counter sits in the model's table (column `FIRST_COUNTER + i` holds
/// `COUNTERS[DAY_COUNTER_AT[i]]`).
const DAY_COUNTER_AT: [usize; DAY_COUNTERS] = {
    let (all, _) = day_counter_places();
    let mut at = [0; DAY_COUNTERS];
    let mut i = 0;
    while i < DAY_COUNTERS {
        at[i] = all[i];
        i += 1;
    }
    at
};
/// The largest campaign ID: requests carry `campaign_id` as an `i64`.
pub(crate) const MAX_CAMPAIGN_ID: u64 = i64::MAX.unsigned_abs();
/// The largest total a counter may reach over a campaign's days.
const MAX_COUNTER: u64 = i64::MAX.unsigned_abs();
/// Columns every campaign has.
pub(crate) const BASE_COLUMNS: usize = FIRST_COUNTER + DAY_COUNTERS;
const BUTTON_CLICK: usize = BASE_COLUMNS;
const CARD_FIRST: usize = BASE_COLUMNS + 1;
const CARD_COLUMNS: usize = 6;

/// The table places of the counters a fixture day holds, in order, and how many there are.
const fn day_counter_places() -> ([usize; COUNTER_COUNT], usize) {
    let mut places = [0; COUNTER_COUNT];
    let mut count = 0;
    let mut i = 0;
    while i < COUNTER_COUNT {
        if is_day_counter(&COUNTERS[i]) {
            places[count] = i;
            count += 1;
        }
        i += 1;
    }
    (places, count)
}

/// The column of the counter a fixture day holds under `name` at the top level, if any.
pub(crate) fn column_of(name: &str) -> Option<usize> {
    DAY_COUNTER_AT
        .iter()
        .position(|&at| COUNTERS[at].group() == Group::Top && COUNTERS[at].name == name)
        .map(|i| FIRST_COUNTER + i)
}

/// A campaign ready to answer any range.
#[derive(Debug, Clone)]
pub(crate) struct Campaign {
    pub(crate) owner: u32,
    pub(crate) kind: CampaignKind,
    cards: Box<[CardFixture]>,
    table: PrefixTable,
}

impl Campaign {
    /// Builds a campaign from the fixture format; `path` is its JSON path for error messages.
    pub(crate) fn compile(
        fixture: &CampaignFixture,
        owner: u32,
        path: &str,
    ) -> Result<Self, FixtureIssue> {
        if fixture.id == 0 {
            return Err(FixtureIssue::new(
                format!("{path}.id"),
                "must be greater than 0",
            ));
        }
        if fixture.id > MAX_CAMPAIGN_ID {
            return Err(FixtureIssue::new(
                format!("{path}.id"),
                format!(
                    "must be at most {MAX_CAMPAIGN_ID}: a request carries campaign_id as a \
                     signed 64-bit integer, so a larger ID could never be asked for"
                ),
            ));
        }
        let conversational = fixture.kind == CampaignKind::Conversational;
        if !conversational && !fixture.cards.is_empty() {
            return Err(FixtureIssue::new(
                format!("{path}.cards"),
                "only a conversational campaign has cards",
            ));
        }
        for (i, card) in fixture.cards.iter().enumerate() {
            if fixture.cards[..i].iter().any(|c| c.card_id == card.card_id) {
                return Err(FixtureIssue::new(
                    format!("{path}.cards[{i}].cardId"),
                    format!("duplicate card ID {}", card.card_id),
                ));
            }
        }
        let columns = if conversational {
            CARD_FIRST + CARD_COLUMNS * fixture.cards.len()
        } else {
            BASE_COLUMNS
        };
        let mut days = Vec::with_capacity(fixture.days.len());
        for (i, day) in fixture.days.iter().enumerate() {
            let day_path = format!("{path}.days[{i}]");
            let start = parse_date(&day.date)
                .map_err(|message| FixtureIssue::new(format!("{day_path}.date"), message))?;
            day.check_derived().map_err(|mismatch| {
                FixtureIssue::new(
                    format!("{day_path}.{}", mismatch.rule.counter()),
                    format!("does not agree with the day's other counters: {mismatch}"),
                )
            })?;
            let leaves = leaves(day, &fixture.cards, conversational, &day_path)?;
            days.push((start, leaves, i));
        }
        days.sort_by_key(|(start, _, _)| *start);
        if let Some(pair) = days.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(FixtureIssue::new(
                format!("{path}.days[{}].date", pair[1].2),
                format!("duplicate day {}", fixture.days[pair[1].2].date),
            ));
        }
        let days: Vec<(i64, Vec<u64>)> = days.into_iter().map(|(s, l, _)| (s, l)).collect();
        let table = PrefixTable::build(columns, &days).ok_or_else(|| {
            FixtureIssue::new(
                format!("{path}.days"),
                "a counter's total overflows 64 bits",
            )
        })?;
        let campaign = Self::from_parts(owner, fixture.kind, fixture.cards.clone(), table);
        campaign.check_totals(path)?;
        Ok(campaign)
    }

    /// Refuses totals that an answer could not carry: a derived counter whose sum passes 64
    /// bits (it would saturate and break R10's sum), or any counter past `i64::MAX` (what
    /// JSON consumers in most languages and SQL `BIGINT` columns hold). Counters never shrink
    /// as a range grows, so the lifetime's totals bound every range's.
    fn check_totals(&self, path: &str) -> Result<(), FixtureIssue> {
        let lifetime = self.statistics(i64::MIN, i64::MAX);
        if let Err(mismatch) = lifetime.check_sums() {
            return Err(FixtureIssue::new(
                format!("{path}.days"),
                format!(
                    "the days' totals make {} = {}, more than a counter holds ({MAX_COUNTER})",
                    mismatch.rule.counter(),
                    mismatch.right
                ),
            ));
        }
        let values = lifetime.counter_values();
        // Leaves first: a total too large is named where it comes from, not by a sum over it.
        let leaves_first = COUNTERS
            .iter()
            .zip(values)
            .filter(|(counter, _)| counter.role == Role::Leaf)
            .chain(
                COUNTERS
                    .iter()
                    .zip(values)
                    .filter(|(counter, _)| counter.role != Role::Leaf),
            )
            .map(|(counter, total)| (counter.path(), total));
        let cards = lifetime.responses.iter().flatten().flat_map(|card| {
            [
                ("responses.sent", card.sent),
                ("responses.delivered", card.delivered),
                ("responses.open", card.open),
                ("responses.click", card.click),
                ("responses.conversion", card.conversion),
            ]
            .map(|(name, total)| (name.to_owned(), total))
        });
        if let Some((name, total)) = leaves_first
            .chain(cards)
            .find(|(_, total)| *total > MAX_COUNTER)
        {
            return Err(FixtureIssue::new(
                format!("{path}.days"),
                format!(
                    "the days' total of {name} is {total}, more than a counter holds \
                     ({MAX_COUNTER}, the largest signed 64-bit integer)"
                ),
            ));
        }
        Ok(())
    }

    /// A campaign from an already built table (synthetic data skips the fixture format).
    pub(crate) fn from_parts(
        owner: u32,
        kind: CampaignKind,
        cards: Vec<CardFixture>,
        table: PrefixTable,
    ) -> Self {
        Self {
            owner,
            kind,
            cards: cards.into_boxed_slice(),
            table,
        }
    }

    /// Heap bytes held by the day table.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.table.heap_bytes()
    }

    /// The statistics body for `[start, end)` (R12).
    pub(crate) fn statistics(&self, start: i64, end: i64) -> CampaignStatistics {
        let rows = self.table.rows_in(start, end);
        let sum = |column: usize| self.table.sum(rows, column);
        let mut values = [0; COUNTER_COUNT];
        for (column, &at) in DAY_COUNTER_AT.iter().enumerate() {
            values[at] = sum(FIRST_COUNTER + column);
        }
        // Every answer of the mock carries both reason objects, as the vendor's sample does.
        let mut stats = CampaignStatistics::default();
        stats.drop_details = Some(DropDetails::default());
        stats.undelivered_details = Some(UndeliveredDetails::default());
        stats.set_counter_values(&values);
        stats.revenue = revenue(sum(REVENUE_CENTS));
        // Derived counters saturate instead of wrapping; totals that large cannot be built
        // (the table refuses overflowing columns), so this never changes an answer.
        stats.derive_sums();
        if self.kind == CampaignKind::Conversational {
            self.add_responses(&mut stats, &sum);
        }
        stats
    }

    fn add_responses(&self, stats: &mut CampaignStatistics, sum: &dyn Fn(usize) -> u64) {
        let mut summary = ResponseSummary::default();
        summary.button_click = sum(BUTTON_CLICK);
        let mut responses = Vec::with_capacity(self.cards.len());
        for (i, card) in self.cards.iter().enumerate() {
            let c = |offset: usize| sum(CARD_FIRST + CARD_COLUMNS * i + offset);
            let mut row = ResponseCard::default();
            row.card_id = card.card_id;
            row.button_name.clone_from(&card.button_name);
            row.is_no_reply_message = card.is_no_reply_message;
            (row.sent, row.delivered, row.open) = (c(0), c(1), c(2));
            (row.click, row.conversion, row.revenue) = (c(3), c(4), revenue(c(5)));
            // The summary's counters are the totals over the cards; only buttonClick is its own.
            summary.sent = summary.sent.saturating_add(row.sent);
            summary.open = summary.open.saturating_add(row.open);
            summary.click = summary.click.saturating_add(row.click);
            summary.conversion = summary.conversion.saturating_add(row.conversion);
            responses.push(row);
        }
        stats.responses = Some(responses);
        stats.response_summary = Some(summary);
    }
}

/// Hundredths to the wire's revenue number. Integers up to 2^53 convert exactly.
#[allow(
    clippy::cast_precision_loss,
    reason = "revenue totals stay far below 2^53 hundredths"
)]
fn revenue(cents: u64) -> f64 {
    cents as f64 / 100.0
}

/// One day's leaves in column order.
fn leaves(
    day: &DayFixture,
    cards: &[CardFixture],
    conversational: bool,
    path: &str,
) -> Result<Vec<u64>, FixtureIssue> {
    let mut out =
        vec![cents(day.revenue).map_err(|m| FixtureIssue::new(format!("{path}.revenue"), m))?];
    let values = day.to_statistics().counter_values();
    out.extend(DAY_COUNTER_AT.iter().map(|&at| values[at]));
    if !conversational {
        if day.button_click != 0 || !day.responses.is_empty() {
            return Err(FixtureIssue::new(
                path,
                "buttonClick and responses belong to conversational campaigns only",
            ));
        }
        return Ok(out);
    }
    out.push(day.button_click);
    let card_start = out.len();
    out.resize(card_start + CARD_COLUMNS * cards.len(), 0);
    for (i, response) in day.responses.iter().enumerate() {
        let response_path = format!("{path}.responses[{i}]");
        let index = cards
            .iter()
            .position(|card| card.card_id == response.card_id)
            .ok_or_else(|| {
                FixtureIssue::new(
                    format!("{response_path}.cardId"),
                    format!(
                        "card {} is not declared in the campaign's cards",
                        response.card_id
                    ),
                )
            })?;
        let revenue = cents(response.revenue)
            .map_err(|m| FixtureIssue::new(format!("{response_path}.revenue"), m))?;
        let values = [
            response.sent,
            response.delivered,
            response.open,
            response.click,
            response.conversion,
            revenue,
        ];
        let slots = &mut out[card_start + CARD_COLUMNS * index..][..CARD_COLUMNS];
        for (slot, value) in slots.iter_mut().zip(values) {
            *slot = slot
                .checked_add(value)
                .ok_or_else(|| FixtureIssue::new(&response_path, "counter overflows 64 bits"))?;
        }
    }
    Ok(out)
}

/// Revenue in hundredths; refuses negative, non-finite and sub-cent values, so that range sums
/// are exact.
fn cents(revenue: f64) -> Result<u64, String> {
    let scaled = revenue * 100.0;
    let rounded = scaled.round();
    if !revenue.is_finite() || revenue < 0.0 || rounded >= 9_007_199_254_740_992.0 {
        return Err(format!(
            "revenue must be a non-negative amount, got {revenue}"
        ));
    }
    if (scaled - rounded).abs() > 1e-6 * rounded.max(1.0) {
        return Err(format!(
            "revenue must have at most 2 decimal places, got {revenue}"
        ));
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked above"
    )]
    Ok(rounded as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_are_exact_or_refused() {
        assert_eq!(cents(12.34), Ok(1234));
        assert_eq!(cents(0.0), Ok(0));
        assert!(cents(0.001).is_err());
        assert!(cents(-1.0).is_err());
        assert!(cents(f64::NAN).is_err());
    }
}
