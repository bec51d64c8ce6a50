//! The one table of the success body's counters (R10): wire name, the object it sits in, whether
//! the server counts it or an R10 sum defines it, and how to read and write it.
//!
//! Everything that handles counters one by one iterates this table instead of naming fields: the
//! fast body writer, the R10 sums, the mock's store and fixture check, the CLI's columns and the
//! bindings' generated constants. A counter is added here (and as a field of its struct); the test
//! `the_table_is_the_body` fails until both agree.
//!
//! One file past 500 lines on purpose: the table, the macro that writes the readers and writers
//! from it, and the tests that hold the table to the body are one concept, changed together.

use std::fmt;
use std::sync::OnceLock;

use super::{CampaignStatistics, DropDetails, ResponseSummary, SumRule, UndeliveredDetails};

/// The object of the success body a counter sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Group {
    /// The body itself.
    Top,
    /// `dropDetails`.
    DropDetails,
    /// `undeliveredDetails`.
    UndeliveredDetails,
    /// `responseSummary` (conversational campaigns only).
    ResponseSummary,
}

impl Group {
    /// The group's bit in a mask of objects; the body itself has none (it is always there).
    pub(crate) const fn bit(self) -> u8 {
        match self {
            Self::Top => 0,
            Self::DropDetails => 1,
            Self::UndeliveredDetails => 2,
            Self::ResponseSummary => 4,
        }
    }

    /// The mask of the objects present in `stats`.
    pub(crate) const fn present(stats: &CampaignStatistics) -> u8 {
        (if stats.drop_details.is_some() { 1 } else { 0 })
            | (if stats.undelivered_details.is_some() {
                2
            } else {
                0
            })
            | (if stats.response_summary.is_some() {
                4
            } else {
                0
            })
    }

    /// The wire name of the object holding the group's counters; `None` for the body itself.
    pub const fn object(self) -> Option<&'static str> {
        match self {
            Self::Top => None,
            Self::DropDetails => Some("dropDetails"),
            Self::UndeliveredDetails => Some("undeliveredDetails"),
            Self::ResponseSummary => Some("responseSummary"),
        }
    }
}

/// Whether the server counts a counter or one of R10's sums defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// Counted: nothing else in the body determines it.
    Leaf,
    /// The left side of a sum; its terms are the counters whose `term_of` is this rule.
    Derived(SumRule),
}

/// How a counter is read and written, by the object it sits in.
#[derive(Clone, Copy)]
enum Access {
    Top(
        fn(&CampaignStatistics) -> u64,
        fn(&mut CampaignStatistics, u64),
    ),
    Drop(fn(&DropDetails) -> u64, fn(&mut DropDetails, u64)),
    Undelivered(
        fn(&UndeliveredDetails) -> u64,
        fn(&mut UndeliveredDetails, u64),
    ),
    Summary(fn(&ResponseSummary) -> u64, fn(&mut ResponseSummary, u64)),
}

/// One counter of the success body.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct Counter {
    /// The wire name, within its object (`sent`, `frequencyCapped`).
    pub name: &'static str,
    /// Counted or defined by a sum.
    pub role: Role,
    /// The sum this counter is a term of, if any (`delivered` is a term of [`SumRule::Sent`]).
    pub term_of: Option<SumRule>,
    access: Access,
}

impl fmt::Debug for Counter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Counter")
            .field("name", &self.name)
            .field("group", &self.group())
            .field("role", &self.role)
            .field("term_of", &self.term_of)
            .finish_non_exhaustive()
    }
}

impl Counter {
    /// A counter of the body itself, read and written by `get` and `set`.
    pub const fn top(
        name: &'static str,
        role: Role,
        term_of: Option<SumRule>,
        get: fn(&CampaignStatistics) -> u64,
        set: fn(&mut CampaignStatistics, u64),
    ) -> Self {
        Self {
            name,
            role,
            term_of,
            access: Access::Top(get, set),
        }
    }

    /// A drop reason: a leaf and a term of `drop`.
    pub const fn drop_reason(
        name: &'static str,
        get: fn(&DropDetails) -> u64,
        set: fn(&mut DropDetails, u64),
    ) -> Self {
        Self {
            name,
            role: Role::Leaf,
            term_of: Some(SumRule::Drop),
            access: Access::Drop(get, set),
        }
    }

    /// An undelivered reason: a leaf and a term of `undelivered`.
    pub const fn undelivered_reason(
        name: &'static str,
        get: fn(&UndeliveredDetails) -> u64,
        set: fn(&mut UndeliveredDetails, u64),
    ) -> Self {
        Self {
            name,
            role: Role::Leaf,
            term_of: Some(SumRule::Undelivered),
            access: Access::Undelivered(get, set),
        }
    }

    const fn summary(
        name: &'static str,
        get: fn(&ResponseSummary) -> u64,
        set: fn(&mut ResponseSummary, u64),
    ) -> Self {
        Self {
            name,
            role: Role::Leaf,
            term_of: None,
            access: Access::Summary(get, set),
        }
    }

    /// The object the counter sits in.
    pub const fn group(&self) -> Group {
        match self.access {
            Access::Top(..) => Group::Top,
            Access::Drop(..) => Group::DropDetails,
            Access::Undelivered(..) => Group::UndeliveredDetails,
            Access::Summary(..) => Group::ResponseSummary,
        }
    }

    /// The counter's value in `stats`; `None` when its object is absent.
    #[inline]
    pub fn get(&self, stats: &CampaignStatistics) -> Option<u64> {
        match self.access {
            Access::Top(get, _) => Some(get(stats)),
            Access::Drop(get, _) => stats.drop_details.as_ref().map(get),
            Access::Undelivered(get, _) => stats.undelivered_details.as_ref().map(get),
            Access::Summary(get, _) => stats.response_summary.as_ref().map(get),
        }
    }

    /// Sets the counter in `stats`, making its object (zeroed) when it is absent.
    pub fn set(&self, stats: &mut CampaignStatistics, value: u64) {
        match self.access {
            Access::Top(_, set) => set(stats, value),
            Access::Drop(_, set) => set(stats.drop_details.get_or_insert_default(), value),
            Access::Undelivered(_, set) => {
                set(stats.undelivered_details.get_or_insert_default(), value);
            }
            Access::Summary(_, set) => set(stats.response_summary.get_or_insert_default(), value),
        }
    }

    /// Its `(object, name)` path in a flat body, as the CLI's columns and the bindings name it:
    /// `sent`, `dropDetails.frequencyCapped`.
    pub fn path(&self) -> String {
        match self.group().object() {
            Some(object) => format!("{object}.{}", self.name),
            None => self.name.to_owned(),
        }
    }
}

/// One entry of [`COUNTERS`], by the object it sits in.
macro_rules! entry {
    (top $name:literal $field:ident, $role:expr, $term_of:expr) => {
        Counter::top(
            $name,
            $role,
            $term_of,
            |s| s.$field,
            |s, value| s.$field = value,
        )
    };
    ($make:ident $name:literal $field:ident) => {
        Counter::$make($name, |d| d.$field, |d, value| d.$field = value)
    };
}

/// One counter's value for [`read_all`]: a direct field read (an absent object reads as zeros).
macro_rules! read {
    (top $stats:ident $drop:ident $undelivered:ident $summary:ident $field:ident) => {
        $stats.$field
    };
    (drop_reason $stats:ident $drop:ident $undelivered:ident $summary:ident $field:ident) => {
        $drop.$field
    };
    (undelivered_reason $stats:ident $drop:ident $undelivered:ident $summary:ident $field:ident) => {
        $undelivered.$field
    };
    (summary $stats:ident $drop:ident $undelivered:ident $summary:ident $field:ident) => {
        $summary.$field
    };
}

/// One counter's assignment for [`write_all`]: direct field writes, none when the object is absent.
macro_rules! store {
    (top $stats:ident $field:ident $value:expr) => {
        $stats.$field = $value
    };
    (drop_reason $stats:ident $field:ident $value:expr) => {
        store!(object $stats.drop_details, $field, $value)
    };
    (undelivered_reason $stats:ident $field:ident $value:expr) => {
        store!(object $stats.undelivered_details, $field, $value)
    };
    (summary $stats:ident $field:ident $value:expr) => {
        store!(object $stats.response_summary, $field, $value)
    };
    (object $object:expr, $field:ident, $value:expr) => {
        if let Some(object) = &mut $object {
            object.$field = $value;
        }
    };
}

/// The table and, from the same list, [`read_all`] and [`write_all`], so that the fast body
/// writer and the mock's store read and write fields directly instead of through a function
/// pointer per counter (which made a body 50 % slower to write).
macro_rules! counters {
    ($($make:ident $name:literal $field:ident $(: $role:expr, $term_of:expr)?;)*) => {
        /// Every counter of the success body, revenue (a fractional amount, not a count) aside,
        /// in wire order within each object.
        pub const COUNTERS: &[Counter] = &[$(entry!($make $name $field $(, $role, $term_of)?)),*];

        /// Every counter's value in `stats`, in [`COUNTERS`]' order; 0 when its object is absent.
        #[inline]
        pub(crate) fn read_all(stats: &CampaignStatistics) -> [u64; COUNTER_COUNT] {
            // One test per object, not one per counter: an absent object reads as zeros.
            let (zero_drop, zero_undelivered, zero_summary) = zeros();
            let drop = stats.drop_details.as_ref().unwrap_or(zero_drop);
            let undelivered = stats.undelivered_details.as_ref().unwrap_or(zero_undelivered);
            let summary = stats.response_summary.as_ref().unwrap_or(zero_summary);
            [$(read!($make stats drop undelivered summary $field)),*]
        }

        /// Sets every counter of `stats` from `values`, in [`COUNTERS`]' order, except those
        /// whose object is absent.
        #[inline]
        pub(crate) fn write_all(stats: &mut CampaignStatistics, values: &[u64; COUNTER_COUNT]) {
            let mut values = values.iter().copied();
            $(store!($make stats $field values.next().unwrap_or(0));)*
        }
    };
}

counters! {
    top "sent" sent: Role::Derived(SumRule::Sent), Some(SumRule::Targeted);
    top "delivered" delivered: Role::Leaf, Some(SumRule::Sent);
    top "open" open: Role::Leaf, None;
    top "click" click: Role::Leaf, None;
    top "conversion" conversion: Role::Leaf, None;
    top "drop" drop: Role::Derived(SumRule::Drop), Some(SumRule::Targeted);
    top "targeted" targeted: Role::Derived(SumRule::Targeted), None;
    top "unsubscribe" unsubscribe: Role::Leaf, None;
    top "undelivered" undelivered: Role::Derived(SumRule::Undelivered), Some(SumRule::Sent);
    top "deliveryPending" delivery_pending: Role::Leaf, Some(SumRule::Sent);
    drop_reason "frequencyCapped" frequency_capped;
    drop_reason "duplicates" duplicates;
    drop_reason "invalidPhoneNumbers" invalid_phone_numbers;
    drop_reason "tierLimitation" tier_limitation;
    drop_reason "templateFailures" template_failures;
    drop_reason "pausedTemplates" paused_templates;
    drop_reason "recipientRelatedErrors" recipient_related_errors;
    drop_reason "metaTemporaryErrors" meta_temporary_errors;
    drop_reason "accountIntegrationErrors" account_integration_errors;
    drop_reason "internalErrors" internal_errors;
    drop_reason "rateLimits" rate_limits;
    drop_reason "policyFailures" policy_failures;
    undelivered_reason "recipientRelatedErrors" recipient_related_errors;
    undelivered_reason "accountVerificationErrors" account_verification_errors;
    undelivered_reason "mediaErrors" media_errors;
    undelivered_reason "heldMessages" held_messages;
    undelivered_reason "metaExperiment" meta_experiment;
    undelivered_reason "metaErrors" meta_errors;
    undelivered_reason "invalidMessages" invalid_messages;
    undelivered_reason "metaRecipientLimitsErrors" meta_recipient_limits_errors;
    undelivered_reason "deliveryReportMissing" delivery_report_missing;
    summary "sent" sent;
    summary "open" open;
    summary "click" click;
    summary "conversion" conversion;
    summary "buttonClick" button_click;
}

/// Zeroed objects, for [`read_all`] to read an absent object from.
fn zeros() -> &'static (DropDetails, UndeliveredDetails, ResponseSummary) {
    static ZEROS: OnceLock<(DropDetails, UndeliveredDetails, ResponseSummary)> = OnceLock::new();
    ZEROS.get_or_init(Default::default)
}

/// How many counters [`COUNTERS`] holds: the length of
/// [`CampaignStatistics::counter_values`].
pub const COUNTER_COUNT: usize = COUNTERS.len();

/// The counter of `table` named `name` in the body itself.
pub fn top_level<'t>(table: &'t [Counter], name: &str) -> Option<&'t Counter> {
    table
        .iter()
        .find(|counter| counter.group() == Group::Top && counter.name == name)
}

/// The counter `rule` defines, and the indices of its terms in `table`.
#[derive(Debug, Clone)]
pub(crate) struct Derivation {
    pub(crate) rule: SumRule,
    pub(crate) counter: usize,
    pub(crate) terms: Vec<usize>,
    /// The objects its terms sit in, as a [`Group::bit`] mask: the sum is made only when they
    /// are all present.
    pub(crate) objects: u8,
}

/// The derivations of `table`, leaves first: every term of a derivation is a leaf or comes
/// earlier. A cycle (no table has one) leaves the counters on it out.
pub(crate) fn derivations(table: &[Counter]) -> Vec<Derivation> {
    let mut pending: Vec<Derivation> = table
        .iter()
        .enumerate()
        .filter_map(|(counter, c)| match c.role {
            Role::Derived(rule) => {
                let terms: Vec<usize> = (0..table.len())
                    .filter(|&t| table[t].term_of == Some(rule))
                    .collect();
                let objects = terms
                    .iter()
                    .fold(0, |mask, &t| mask | table[t].group().bit());
                Some(Derivation {
                    rule,
                    counter,
                    terms,
                    objects,
                })
            }
            Role::Leaf => None,
        })
        .collect();
    let mut ordered: Vec<Derivation> = Vec::with_capacity(pending.len());
    while let Some(ready) = pending.iter().position(|d| {
        d.terms
            .iter()
            .all(|&t| table[t].role == Role::Leaf || ordered.iter().any(|done| done.counter == t))
    }) {
        ordered.push(pending.remove(ready));
    }
    ordered
}

/// [`derivations`] of [`COUNTERS`], computed once.
pub(crate) fn builtin_derivations() -> &'static [Derivation] {
    static DERIVATIONS: OnceLock<Vec<Derivation>> = OnceLock::new();
    DERIVATIONS.get_or_init(|| derivations(COUNTERS))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// Every integer of a body with every object present is a counter of the table, at the
    /// place its group and name say, and nothing in the table is missing from the body.
    #[test]
    fn the_table_is_the_body() {
        let mut stats = CampaignStatistics::default();
        for (i, counter) in COUNTERS.iter().enumerate() {
            counter.set(&mut stats, 1000 + i as u64);
        }
        let body: Value = serde_json::from_str(&stats.to_json()).expect("a body");
        let mut integers = 0;
        for (key, value) in body.as_object().expect("an object") {
            match value {
                Value::Object(inner) => integers += inner.values().filter(|v| v.is_u64()).count(),
                v if v.is_u64() && key != "revenue" => integers += 1,
                _ => {}
            }
        }
        assert_eq!(
            integers,
            COUNTERS.len(),
            "a counter of the body is not in the table"
        );
        for (i, counter) in COUNTERS.iter().enumerate() {
            let at = match counter.group().object() {
                Some(object) => &body[object][counter.name],
                None => &body[counter.name],
            };
            assert_eq!(at, &Value::from(1000 + i as u64), "{counter:?}");
            assert_eq!(counter.get(&stats), Some(1000 + i as u64));
        }
        // The reader names its fields too (for `read` and the envelope): it must read back what
        // the table writes, or a counter would land in `extra`.
        assert_eq!(
            CampaignStatistics::from_json(stats.to_json().as_bytes()).ok(),
            Some(stats)
        );
    }

    /// The table with one more drop reason, kept (as any unknown reason is) in `extra`.
    fn with_a_new_reason() -> Vec<Counter> {
        let mut table = COUNTERS.to_vec();
        table.push(Counter::drop_reason(
            "newReason",
            |d| {
                d.extra
                    .get("newReason")
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            },
            |d, value| {
                d.extra.insert("newReason".to_owned(), value.into());
            },
        ));
        table
    }

    /// What iterates the table picks a new counter up with no other change: the derivation (the
    /// mock's store), the sums (R10 checks) and the wire (the counter is written where it sits).
    #[test]
    fn a_counter_added_to_the_table_alone_is_derived_summed_and_written() {
        let table = with_a_new_reason();
        let mut stats = CampaignStatistics::default();
        table[table.len() - 1].set(&mut stats, 5);
        COUNTERS[10].set(&mut stats, 2);
        let mut values: Vec<u64> = table.iter().map(|c| c.get(&stats).unwrap_or(0)).collect();
        let present = Group::present(&stats);
        super::super::sums::derive_values(&mut values, present, &derivations(&table), |_| false)
            .expect("nothing given, nothing to disagree");
        for (counter, value) in table.iter().zip(values) {
            counter.set(&mut stats, value);
        }
        assert_eq!((stats.drop, stats.targeted), (7, 7));
        assert_eq!(super::super::sums::check_with(&stats, &table), Ok(()));
        let without = super::super::sums::check_with(&stats, COUNTERS).expect_err("2 + 0 != 7");
        assert_eq!(
            (without.rule, without.left, without.right),
            (SumRule::Drop, 7, 2)
        );
        let body: Value = serde_json::from_str(&stats.to_json()).expect("a body");
        assert_eq!(body["dropDetails"]["newReason"], 5);
    }

    /// The generated readers and writers agree with the table's own getters and setters.
    #[test]
    fn read_all_and_write_all_are_the_table() {
        let mut stats = CampaignStatistics::default();
        let values: [u64; COUNTER_COUNT] = std::array::from_fn(|i| 7 + i as u64);
        write_all(&mut stats, &values);
        assert_eq!(
            read_all(&stats)[0],
            7,
            "top-level counters are always written"
        );
        assert_eq!(stats.drop_details, None, "an absent object is not made");
        for counter in COUNTERS {
            counter.set(&mut stats, 0);
        }
        write_all(&mut stats, &values);
        assert_eq!(read_all(&stats), values);
        for (counter, value) in COUNTERS.iter().zip(values) {
            assert_eq!(counter.get(&stats), Some(value), "{counter:?}");
        }
    }

    #[test]
    fn derivations_come_leaves_first() {
        let order: Vec<&str> = builtin_derivations()
            .iter()
            .map(|d| COUNTERS[d.counter].name)
            .collect();
        assert_eq!(order, ["drop", "undelivered", "sent", "targeted"]);
    }
}
