//! The four sums every success body obeys (R10).

use std::fmt;

use super::CampaignStatistics;

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
    /// The wire name of the counter on the rule's left side, which the rule defines.
    pub fn counter(self) -> &'static str {
        match self {
            Self::Targeted => "targeted",
            Self::Sent => "sent",
            Self::Drop => "drop",
            Self::Undelivered => "undelivered",
        }
    }
}

impl fmt::Display for SumRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Targeted => "targeted = sent + drop",
            Self::Sent => "sent = delivered + undelivered + deliveryPending",
            Self::Drop => "drop = sum of dropDetails",
            Self::Undelivered => "undelivered = sum of undeliveredDetails",
        })
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
    let wide = u128::from;
    let mut rules = vec![
        (
            SumRule::Targeted,
            stats.targeted,
            wide(stats.sent) + wide(stats.drop),
        ),
        (
            SumRule::Sent,
            stats.sent,
            wide(stats.delivered) + wide(stats.undelivered) + wide(stats.delivery_pending),
        ),
    ];
    if let Some(details) = &stats.drop_details {
        rules.push((SumRule::Drop, stats.drop, details.total()));
    }
    if let Some(details) = &stats.undelivered_details {
        rules.push((SumRule::Undelivered, stats.undelivered, details.total()));
    }
    match rules
        .into_iter()
        .find(|&(_, left, right)| wide(left) != right)
    {
        Some((rule, left, right)) => Err(SumMismatch { rule, left, right }),
        None => Ok(()),
    }
}
