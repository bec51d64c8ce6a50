//! The reconciling planner of `wa-stats sync`: which ranges to ask for so that a campaign's days
//! come out exactly as one request per day would give them, for as few requests as it can. Pure
//! code, no I/O: the engine hands it answers and sends what it asks for (issue 32).
//!
//! The API is additive over ranges (R12) and its counters are non-negative (R10), so one answer
//! for a range says a lot. Each range to fill (at most [`MAX_SPAN_DAYS`] days, R6) is asked for
//! whole. Its total is compared with what the table already says of it: the stored days, and 0
//! for days not stored yet. Equal, the range is settled: stored days stay, unstored days are
//! zero. Different, it is halved: the left half is fetched and the right half is the whole minus
//! the left (exact for integers; for `revenue` only when both are whole cents, else fetched), and
//! each half is treated the same way, down to single days.
//!
//! Checks, so that a misbehaving upstream is caught and never written down:
//! - the first split of every range is verified: both halves are fetched and must add up to the
//!   whole (an upstream that ignores `start_time`/`end_time` fails here);
//! - a derived half that would be negative is a disagreement too;
//! - a disagreement is fetched again once (data can change during a run); if it persists the
//!   campaign fails, naming the range and the counter;
//! - when a range was split, it is fetched again at the end: a different total means data changed
//!   during the run, and every day that was derived is then fetched on its own.
//!
//! The assumption, written in docs/cli.md: a range whose total did not change has days that did
//! not change. It misses only counts that move between days of one checked range while every
//! counter's total stays the same.
//!
//! One file past 450 lines on purpose (issue 34 §5): nearly all of it is one state machine,
//! `impl Reconcile`, whose steps (ask, settle, halve, derive, verify, re-check) move the same
//! nodes and queues; split across files they would each need the others' private state. Its
//! arithmetic is in `totals.rs` and its oracle in `tests.rs` already.

mod contract;
#[cfg(test)]
mod tests;
mod totals;

pub(crate) use contract::{Disagreement, Mismatch, Settled, Totals};

use std::collections::{BTreeMap, VecDeque};

use super::plan::{Day, Span};

/// The longest range one request may cover: the vendor page says the API "provides data for a
/// 1-year range" (R6), and a truncated zero would be trusted.
pub(crate) const MAX_SPAN_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Fetched,
    Derived,
}

#[derive(Debug)]
struct Node<T> {
    span: Span,
    parent: Option<usize>,
    children: Option<(usize, usize)>,
    value: Option<(T, Origin)>,
    /// Fetch both halves and check their sum (the first split, and after a disagreement).
    verify: bool,
    /// Fetched again after a disagreement already (roots only).
    retried: bool,
    /// Fetch every day of this range on its own instead of halving it (a dense range whose
    /// parts cannot be derived).
    day_by_day: bool,
}

/// The planner for one campaign: construct, then loop on [`Reconcile::requests`] and
/// [`Reconcile::answer`] until [`Reconcile::finish`] returns the days.
#[derive(Debug)]
pub(crate) struct Reconcile<T> {
    spans: Vec<Span>,
    /// Stored values, by day, for the days of `spans` (absent: not stored).
    stored: BTreeMap<Day, T>,
    nodes: Vec<Node<T>>,
    /// Roots, one per span of at most [`MAX_SPAN_DAYS`].
    roots: Vec<usize>,
    /// Roots whose closing check is done (or not needed).
    closed: Vec<bool>,
    /// Roots whose derived days are being fetched on their own after the closing check failed.
    refetching: Vec<bool>,
    days: BTreeMap<Day, Settled<T>>,
    outbox: VecDeque<Span>,
    /// Requests out, by span, with the node each answers (a closing check answers its root).
    out: Vec<(Span, Pending)>,
    failed: Option<Disagreement>,
    /// The first request is sent alone, so that an answer about the campaign (3004, 422) costs
    /// one request.
    first_answered: bool,
}

#[derive(Debug, Clone, Copy)]
enum Pending {
    Node(usize),
    Closing(usize),
}

impl<T: Totals + std::fmt::Debug> Reconcile<T> {
    /// Plans `spans` (disjoint, in order) given what the table holds for their days.
    pub(crate) fn new(spans: &[Span], stored: BTreeMap<Day, T>) -> Self {
        Self::with_roots(spans, stored, MAX_SPAN_DAYS)
    }

    /// One request per day, as `--per-day` asks: every day fetched on its own, nothing compared
    /// or derived.
    pub(crate) fn per_day(spans: &[Span]) -> Self {
        Self::with_roots(spans, BTreeMap::new(), 1)
    }

    fn with_roots(spans: &[Span], stored: BTreeMap<Day, T>, longest: i64) -> Self {
        let mut planner = Self {
            spans: Vec::new(),
            stored,
            nodes: Vec::new(),
            roots: Vec::new(),
            closed: Vec::new(),
            refetching: Vec::new(),
            days: BTreeMap::new(),
            outbox: VecDeque::new(),
            out: Vec::new(),
            failed: None,
            first_answered: false,
        };
        for span in spans {
            let mut from = span.from;
            while from < span.to {
                let to = (from + longest).min(span.to);
                planner.spans.push(Span { from, to });
                from = to;
            }
        }
        for index in 0..planner.spans.len() {
            let node = planner.node(planner.spans[index], None);
            planner.nodes[node].verify = true;
            planner.roots.push(node);
            planner.closed.push(false);
            planner.refetching.push(false);
        }
        if let Some(&first) = planner.roots.first() {
            planner.fetch(first);
        }
        planner
    }

    fn node(&mut self, span: Span, parent: Option<usize>) -> usize {
        self.nodes.push(Node {
            span,
            parent,
            children: None,
            value: None,
            verify: false,
            retried: false,
            day_by_day: false,
        });
        self.nodes.len() - 1
    }

    fn fetch(&mut self, node: usize) {
        let span = self.nodes[node].span;
        self.outbox.push_back(span);
        self.out.push((span, Pending::Node(node)));
    }

    /// The ranges to ask for now (each answered through [`Self::answer`]); empty while waiting.
    pub(crate) fn requests(&mut self) -> Vec<Span> {
        if !self.first_answered && self.out.len() > self.outbox.len() {
            return Vec::new();
        }
        if !self.first_answered {
            return self.outbox.pop_front().into_iter().collect();
        }
        self.outbox.drain(..).collect()
    }

    /// Whether nothing is left to ask for or to wait on.
    pub(crate) fn is_done(&self) -> bool {
        self.failed.is_some() || (self.out.is_empty() && self.outbox.is_empty())
    }

    /// The answer to a request for `span`.
    pub(crate) fn answer(&mut self, span: Span, value: T) {
        if self.failed.is_some() {
            return;
        }
        if !self.first_answered {
            self.first_answered = true;
            for index in 1..self.roots.len() {
                let root = self.roots[index];
                self.fetch(root);
            }
        }
        let Some(at) = self.out.iter().position(|(s, _)| *s == span) else {
            return;
        };
        let (_, pending) = self.out.swap_remove(at);
        match pending {
            Pending::Node(node) => self.set(node, value, Origin::Fetched),
            Pending::Closing(index) => self.closing_answer(index, value),
        }
        self.close_finished_roots();
    }

    fn set(&mut self, node: usize, value: T, origin: Origin) {
        self.nodes[node].value = Some((value, origin));
        let Some(parent) = self.nodes[node].parent else {
            self.resolve(node);
            return;
        };
        let Some((left, right)) = self.nodes[parent].children else {
            return;
        };
        if self.nodes[parent].verify {
            // Both halves are fetched: check them once both are in, then go on with each.
            let (Some((l, _)), Some((r, _))) = (&self.nodes[left].value, &self.nodes[right].value)
            else {
                return;
            };
            let Some((whole, _)) = &self.nodes[parent].value else {
                return;
            };
            match whole.check([l, r]) {
                Ok(()) => {
                    // Parts that cannot be derived, both to be split again: the range is dense,
                    // and day by day costs less than halving with every half fetched.
                    if !whole.derivable() {
                        let (ls, rs) = (self.nodes[left].span, self.nodes[right].span);
                        let both_split = self.settle(ls, l).is_none()
                            && self.settle(rs, r).is_none()
                            && ls.to - ls.from > 1
                            && rs.to - rs.from > 1;
                        if both_split {
                            self.nodes[left].day_by_day = true;
                            self.nodes[right].day_by_day = true;
                        }
                    }
                    self.resolve(left);
                    self.resolve(right);
                }
                Err(mismatch) => self.disagree(parent, mismatch),
            }
            return;
        }
        if node == left {
            let Some((whole, _)) = &self.nodes[parent].value else {
                return;
            };
            let Some((part, _)) = &self.nodes[left].value else {
                return;
            };
            match whole.minus(part) {
                Ok(Some(rest)) => {
                    self.resolve(left);
                    self.set(right, rest, Origin::Derived);
                }
                Ok(None) => {
                    self.resolve(left);
                    self.fetch(right);
                }
                Err(mismatch) => self.disagree(parent, mismatch),
            }
        } else {
            self.resolve(right);
        }
    }

    /// The parts of `node` did not add up. Every value in its range may be the odd one (the
    /// whole, a part, or an ancestor a part was derived from), so the whole span it belongs to is
    /// asked again from the top, once; a second disagreement there fails the campaign.
    fn disagree(&mut self, node: usize, mismatch: Mismatch) {
        let mut root = node;
        while let Some(parent) = self.nodes[root].parent {
            root = parent;
        }
        if self.nodes[root].retried {
            self.failed = Some(Disagreement {
                span: self.nodes[node].span,
                mismatch,
            });
            self.outbox.clear();
            self.out.clear();
            return;
        }
        let span = self.nodes[root].span;
        self.forget_days(span);
        // Answers still out inside it are dropped: their nodes are no longer in the tree.
        self.out.retain(|(s, _)| !within(*s, span));
        self.outbox.retain(|s| !within(*s, span));
        let root_node = &mut self.nodes[root];
        root_node.children = None;
        root_node.value = None;
        root_node.retried = true;
        root_node.verify = true;
        self.fetch(root);
    }

    fn forget_days(&mut self, span: Span) {
        let days: Vec<Day> = self
            .days
            .range(span.from..span.to)
            .map(|(d, _)| *d)
            .collect();
        for day in days {
            self.days.remove(&day);
        }
    }

    /// A node's value is known: settle it or split it.
    fn resolve(&mut self, node: usize) {
        let Some((value, _)) = self.nodes[node].value.clone() else {
            return;
        };
        let span = self.nodes[node].span;
        if span.to - span.from == 1 {
            self.days.insert(span.from, Settled::Store(value));
            return;
        }
        if let Some(days) = self.settle(span, &value) {
            self.days.extend(days);
            return;
        }
        if self.nodes[node].day_by_day {
            for day in span.from..span.to {
                self.fetch_day(day);
            }
            return;
        }
        if !value.derivable() {
            self.nodes[node].verify = true;
        }
        let mid = span.from + (span.to - span.from) / 2;
        let left = self.node(
            Span {
                from: span.from,
                to: mid,
            },
            Some(node),
        );
        let right = self.node(
            Span {
                from: mid,
                to: span.to,
            },
            Some(node),
        );
        self.nodes[node].children = Some((left, right));
        self.fetch(left);
        if self.nodes[node].verify {
            self.fetch(right);
        }
    }

    /// Every day of `span` if its total `value` equals what the table says of it.
    fn settle(&self, span: Span, value: &T) -> Option<Vec<(Day, Settled<T>)>> {
        let stored: Vec<&T> = self
            .stored
            .range(span.from..span.to)
            .map(|(_, v)| v)
            .collect();
        if stored.is_empty() {
            if !value.is_zero() {
                return None;
            }
            return Some(
                (span.from..span.to)
                    .map(|day| (day, Settled::Store(value.clone())))
                    .collect(),
            );
        }
        let expected = T::sum(stored.into_iter())?;
        if !expected.same(value) {
            return None;
        }
        let mut days = Vec::with_capacity(usize::try_from(span.to - span.from).unwrap_or(0));
        for day in span.from..span.to {
            if self.stored.contains_key(&day) {
                days.push((day, Settled::Keep));
            } else {
                days.push((day, Settled::Store(value.zero_like()?)));
            }
        }
        Some(days)
    }

    /// Roots whose days are all settled get their closing check: fetched again, their total must
    /// not have changed since their first answer, or every derived day is fetched on its own.
    fn close_finished_roots(&mut self) {
        for index in 0..self.roots.len() {
            if self.closed[index] || self.failed.is_some() {
                continue;
            }
            let root = self.roots[index];
            let span = self.nodes[root].span;
            let settled = self.days.range(span.from..span.to).count();
            if i64::try_from(settled).ok() != Some(span.to - span.from) {
                continue;
            }
            let waiting = self.out.iter().any(|(s, _)| within(*s, span));
            if waiting {
                continue;
            }
            if self.nodes[root].children.is_none() || self.refetching[index] {
                self.closed[index] = true;
                continue;
            }
            // One closing request per split root.
            self.closed[index] = true;
            self.outbox.push_back(span);
            self.out.push((span, Pending::Closing(index)));
        }
    }

    fn closing_answer(&mut self, index: usize, value: T) {
        let root = self.roots[index];
        let unchanged = self.nodes[root]
            .value
            .as_ref()
            .is_some_and(|(first, _)| first.same(&value));
        if unchanged {
            return;
        }
        // Data changed during the run: a derived day may mix two moments. Fetch each of them.
        self.refetching[index] = true;
        self.closed[index] = false;
        let derived: Vec<usize> = (0..self.nodes.len())
            .filter(|&n| {
                let node = &self.nodes[n];
                node.span.to - node.span.from == 1
                    && within(node.span, self.nodes[root].span)
                    && matches!(node.value, Some((_, Origin::Derived)))
            })
            .collect();
        for node in derived {
            let day = self.nodes[node].span.from;
            self.days.remove(&day);
            self.fetch_day(day);
        }
    }

    /// Fetches `day` on its own: a node of one day outside the tree, settled by its answer.
    fn fetch_day(&mut self, day: Day) {
        let single = self.node(
            Span {
                from: day,
                to: day + 1,
            },
            None,
        );
        self.fetch(single);
    }

    /// The days, once [`Self::is_done`]: each settled, or the disagreement that failed the
    /// campaign.
    pub(crate) fn finish(self) -> Result<BTreeMap<Day, Settled<T>>, Disagreement> {
        match self.failed {
            Some(disagreement) => Err(disagreement),
            None => Ok(self.days),
        }
    }
}

/// Whether `inner` lies within `outer`.
fn within(inner: Span, outer: Span) -> bool {
    inner.from >= outer.from && inner.to <= outer.to
}
