//! [`Totals`] for the API's answers: every counter of the model's table, added, subtracted and
//! compared exactly; `revenue` exactly only when it is a whole number of cents (as the API keeps
//! it), else it is fetched rather than derived.

use wa_stats_model::CampaignStatistics;
use wa_stats_model::statistics::{COUNTER_COUNT, COUNTERS};
use wa_stats_model::{DropDetails, ResponseSummary, UndeliveredDetails};

use super::{Mismatch, Totals};

/// Which of the objects that hold counters are present: every part of a sum must agree.
fn shape(stats: &CampaignStatistics) -> [bool; 3] {
    [
        stats.drop_details.is_some(),
        stats.undelivered_details.is_some(),
        stats.response_summary.is_some(),
    ]
}

/// `revenue` in cents when it is exactly the double nearest a whole number of cents (as a
/// decimal with at most two places reads): then sums and differences of cents are exact, and
/// `cents / 100` is again the double that decimal reads as.
fn cents(revenue: f64) -> Option<i64> {
    let scaled = (revenue * 100.0).round();
    if !scaled.is_finite() || scaled.abs() > 9.0e15 {
        return None;
    }
    #[allow(
        clippy::cast_possible_truncation,
        reason = "finite, whole and within ±2^53 (checked above)"
    )]
    let whole = scaled as i64;
    #[allow(clippy::cast_precision_loss, reason = "within ±2^53: exact")]
    let back = whole as f64 / 100.0;
    (back.to_bits() == revenue.to_bits()).then_some(whole)
}

#[allow(clippy::cast_precision_loss, reason = "cents within ±2^53: exact")]
fn from_cents(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// Whether an answer holds what a sum or a difference cannot carry: conversational cards and
/// fields this version does not know.
fn has_more_than_counters(stats: &CampaignStatistics) -> bool {
    stats.responses.is_some() || !stats.extra.is_empty()
}

/// A day of zeros with `shape`'s objects present.
fn zeros(shape: [bool; 3]) -> CampaignStatistics {
    let mut stats = CampaignStatistics::default();
    stats.drop_details = shape[0].then(DropDetails::default);
    stats.undelivered_details = shape[1].then(UndeliveredDetails::default);
    stats.response_summary = shape[2].then(ResponseSummary::default);
    stats
}

/// `dropDetails.duplicates`, `sent`.
fn path(at: usize) -> String {
    let counter = &COUNTERS[at];
    match counter.group().object() {
        Some(object) => format!("{object}.{}", counter.name),
        None => counter.name.to_owned(),
    }
}

impl Totals for CampaignStatistics {
    fn is_zero(&self) -> bool {
        self.counter_values() == [0; COUNTER_COUNT] && self.revenue == 0.0
    }

    fn sum<'a>(mut days: impl Iterator<Item = &'a Self>) -> Option<Self> {
        let first = days.next()?;
        let shape = shape(first);
        let mut values = first.counter_values();
        let mut revenue = cents(first.revenue)?;
        for day in days {
            if self::shape(day) != shape {
                return None;
            }
            for (total, value) in values.iter_mut().zip(day.counter_values()) {
                *total = total.checked_add(value)?;
            }
            revenue = revenue.checked_add(cents(day.revenue)?)?;
        }
        let mut total = zeros(shape);
        total.set_counter_values(&values);
        total.revenue = from_cents(revenue);
        Some(total)
    }

    fn same(&self, other: &Self) -> bool {
        shape(self) == shape(other)
            && self.counter_values() == other.counter_values()
            && self.revenue.to_bits() == other.revenue.to_bits()
    }

    fn minus(&self, part: &Self) -> Result<Option<Self>, Mismatch> {
        let (whole, taken) = (self.counter_values(), part.counter_values());
        for at in 0..COUNTER_COUNT {
            if taken[at] > whole[at] {
                return Err(Mismatch {
                    counter: path(at),
                    whole: whole[at].to_string(),
                    parts: format!("at least {}", taken[at]),
                });
            }
        }
        if shape(self) != shape(part)
            || has_more_than_counters(self)
            || has_more_than_counters(part)
        {
            return Ok(None);
        }
        let (Some(whole_cents), Some(part_cents)) = (cents(self.revenue), cents(part.revenue))
        else {
            return Ok(None);
        };
        let mut values = whole;
        for (value, taken) in values.iter_mut().zip(taken) {
            *value -= taken;
        }
        let mut rest = zeros(shape(self));
        rest.set_counter_values(&values);
        rest.revenue = from_cents(whole_cents - part_cents);
        Ok(Some(rest))
    }

    fn check(&self, parts: [&Self; 2]) -> Result<(), Mismatch> {
        let whole = self.counter_values();
        let (left, right) = (parts[0].counter_values(), parts[1].counter_values());
        for at in 0..COUNTER_COUNT {
            let sum = u128::from(left[at]) + u128::from(right[at]);
            if sum != u128::from(whole[at]) {
                return Err(Mismatch {
                    counter: path(at),
                    whole: whole[at].to_string(),
                    parts: sum.to_string(),
                });
            }
        }
        let revenue_adds_up = match (
            cents(self.revenue),
            cents(parts[0].revenue),
            cents(parts[1].revenue),
        ) {
            (Some(whole), Some(left), Some(right)) => left.checked_add(right) == Some(whole),
            // Not whole cents: doubles, compared with the tolerance of their own rounding.
            _ => {
                let sum = parts[0].revenue + parts[1].revenue;
                (sum - self.revenue).abs() <= 1e-9 * self.revenue.abs().max(1.0)
            }
        };
        if revenue_adds_up {
            Ok(())
        } else {
            Err(Mismatch {
                counter: "revenue".to_owned(),
                whole: self.revenue.to_string(),
                parts: (parts[0].revenue + parts[1].revenue).to_string(),
            })
        }
    }

    fn zero_like(&self) -> Option<Self> {
        (!has_more_than_counters(self)).then(|| zeros(shape(self)))
    }

    fn derivable(&self) -> bool {
        !has_more_than_counters(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(body: &str) -> CampaignStatistics {
        CampaignStatistics::from_json(body.as_bytes()).expect("a statistics body")
    }

    #[test]
    fn revenue_is_exact_in_whole_cents_only() {
        assert_eq!(cents(37.97), Some(3797));
        assert_eq!(
            cents(0.1 + 0.2),
            None,
            "0.30000000000000004 is not a decimal of cents"
        );
        assert_eq!(from_cents(3797 - 1999), 17.98);
        assert_eq!(cents(1e300), None);
    }

    #[test]
    fn the_sample_minus_a_part_is_derived_exactly() {
        let whole = stats(wa_stats_model::examples::SAMPLE_RESPONSE);
        let mut part = whole.clone();
        part.delivered -= 100;
        part.sent -= 100;
        part.targeted -= 100;
        let rest = whole
            .minus(&part)
            .expect("no counter negative")
            .expect("derivable");
        assert_eq!(
            (rest.delivered, rest.sent, rest.targeted, rest.open),
            (100, 100, 100, 0)
        );
        assert_eq!(whole.check([&part, &rest]), Ok(()));
        let error = part.minus(&whole).expect_err("negative");
        assert_eq!(error.counter, "sent");
    }

    #[test]
    fn cards_and_unknown_fields_are_fetched_not_derived() {
        let plain = stats(r#"{"sent":2,"delivered":2}"#);
        let odd = stats(r#"{"sent":3,"delivered":3,"brandNew":1}"#);
        assert_eq!(odd.minus(&plain), Ok(None));
        assert_eq!(odd.zero_like(), None);
        let a_breakdown = stats(r#"{"drop":1,"dropDetails":{"duplicates":1}}"#);
        let no_breakdown = stats(r#"{"drop":0}"#);
        assert_eq!(a_breakdown.minus(&no_breakdown), Ok(None), "shapes differ");
        assert_eq!(
            path(
                COUNTERS
                    .iter()
                    .position(|c| c.name == "duplicates")
                    .unwrap_or(0)
            ),
            "dropDetails.duplicates"
        );
    }
}
