//! The four sums every success body obeys (R10).

use std::fmt;

use super::CampaignStatistics;
use super::counters::{COUNTERS, Counter, Derivation, Role};

/// One of the four sums of R10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SumRule {
    /// `targeted = sent + drop`
    Targeted,
    /// `sent = delivered + undelivered + deliveryPending`
    Sent,
    /// `drop = Σ dropDetails`
    Drop,
    /// `undelivered = Σ undeliveredDetails`
    Undelivered,
}

impl SumRule {
    /// Every rule, in the order [`CampaignStatistics::check_sums`] checks them.
    const ALL: [Self; 4] = [Self::Targeted, Self::Sent, Self::Drop, Self::Undelivered];

    /// The wire name of the counter on the rule's left side, which the rule defines.
    pub fn counter(self) -> &'static str {
        COUNTERS
            .iter()
            .find(|counter| counter.role == Role::Derived(self))
            .map_or("", |counter| counter.name)
    }
}

impl fmt::Display for SumRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = ", self.counter())?;
        let terms = || COUNTERS.iter().filter(|c| c.term_of == Some(*self));
        // A sum over one object's reasons is named by the object, not by its dozen terms.
        if let Some(object) = terms().next().and_then(|c| c.group().object()) {
            return write!(f, "sum of {object}");
        }
        for (i, term) in terms().enumerate() {
            if i > 0 {
                f.write_str(" + ")?;
            }
            f.write_str(term.name)?;
        }
        Ok(())
    }
}

/// A sum that does not hold: the rule, the left side's value and what the right side adds up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{rule} does not hold: left side is {left}, right side adds up to {right}")]
#[non_exhaustive]
pub struct SumMismatch {
    /// The rule that failed.
    pub rule: SumRule,
    /// The counter on the left of the rule.
    pub left: u64,
    /// What the right side adds up to (wide enough never to overflow).
    pub right: u128,
}

pub(super) fn check(stats: &CampaignStatistics) -> Result<(), SumMismatch> {
    check_with(stats, COUNTERS)
}

/// The sum of `rule`'s terms in `stats`, wide enough never to overflow; `None` when a term's
/// object is absent (the sum is then not checked).
fn right_side(stats: &CampaignStatistics, table: &[Counter], rule: SumRule) -> Option<u128> {
    table
        .iter()
        .filter(|counter| counter.term_of == Some(rule))
        .map(|counter| counter.get(stats).map(u128::from))
        .sum()
}

/// [`check`] over any table of counters (the tests add one).
pub(super) fn check_with(stats: &CampaignStatistics, table: &[Counter]) -> Result<(), SumMismatch> {
    for rule in SumRule::ALL {
        let Some(left) = table
            .iter()
            .find(|counter| counter.role == Role::Derived(rule))
            .and_then(|counter| counter.get(stats))
        else {
            continue;
        };
        if let Some(right) = right_side(stats, table, rule)
            && u128::from(left) != right
        {
            return Err(SumMismatch { rule, left, right });
        }
    }
    Ok(())
}

/// Sets every derived counter in `values` (a table's counters, in its order) from its terms,
/// leaves first, saturating at `u64::MAX`; a sum with a term whose object is not in the
/// `present` mask ([`Group::present`](super::Group)) is left alone. A derived counter `given` names keeps its value instead, and must equal its terms'
/// sum: the first (from the leaves up) that does not is the error, so that the counter named is
/// the one that is wrong, not one built on it.
pub(super) fn derive_values(
    values: &mut [u64],
    present: u8,
    derivations: &[Derivation],
    given: impl Fn(usize) -> bool,
) -> Result<(), SumMismatch> {
    for derivation in derivations {
        if derivation.objects & present != derivation.objects {
            continue;
        }
        let right: u128 = derivation
            .terms
            .iter()
            .map(|&term| u128::from(values[term]))
            .sum();
        let at = derivation.counter;
        if given(at) {
            if u128::from(values[at]) != right {
                return Err(SumMismatch {
                    rule: derivation.rule,
                    left: values[at],
                    right,
                });
            }
        } else {
            values[at] = u64::try_from(right).unwrap_or(u64::MAX);
        }
    }
    Ok(())
}
