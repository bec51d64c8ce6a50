//! What the planner needs of the answers ([`Totals`]) and what it gives back ([`Settled`] days,
//! or the [`Disagreement`] that failed a campaign): the planner's contract with its callers, apart
//! from how it plans.

use crate::sync::plan::Span;

/// What the planner needs of a range's answer: comparing, adding and subtracting totals.
pub(crate) trait Totals: Clone {
    /// Every counter is zero.
    fn is_zero(&self) -> bool;
    /// The sum of `days`, for comparing with an answer; `None` when it cannot be computed
    /// exactly (the range is then split, which is always safe).
    fn sum<'a>(days: impl Iterator<Item = &'a Self>) -> Option<Self>
    where
        Self: 'a;
    /// Equal as the table would store them.
    fn same(&self, other: &Self) -> bool;
    /// `self - part`: `Ok(None)` when it cannot be derived exactly (then it is fetched);
    /// `Err(counter)` when a counter would be negative (a disagreement).
    fn minus(&self, part: &Self) -> Result<Option<Self>, Mismatch>;
    /// Whether `parts` add up to `self`; the first counter that does not, otherwise.
    fn check(&self, parts: [&Self; 2]) -> Result<(), Mismatch>;
    /// A day of zeros in the shape of `self` (which objects are present), as the API would answer
    /// for a day without activity; `None` when it cannot be built exactly.
    fn zero_like(&self) -> Option<Self>;
    /// Whether a part can be derived from this total at all (answers with conversational cards
    /// or unknown fields cannot): when not, both halves of a split are fetched, and a range whose
    /// halves both need splitting again is fetched day by day, so that a dense campaign costs
    /// about one request a day rather than two.
    fn derivable(&self) -> bool {
        true
    }
}

/// A counter that does not add up: its name and the whole's and the parts' values, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mismatch {
    /// The wire name, e.g. `sent` or `dropDetails.duplicates`.
    pub(crate) counter: String,
    /// The range's value.
    pub(crate) whole: String,
    /// The parts' sum.
    pub(crate) parts: String,
}

/// A day's value after the run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Settled<T> {
    /// The stored row is right: keep it.
    Keep,
    /// Store this (fetched, derived, or zero).
    Store(T),
}

/// Why a campaign failed: a range whose parts did not add up twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Disagreement {
    /// The range.
    pub(crate) span: Span,
    /// The counter.
    pub(crate) mismatch: Mismatch,
}
