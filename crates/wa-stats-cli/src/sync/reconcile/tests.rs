//! The planner against a simulated upstream and a one-request-per-day oracle: sparse, dense,
//! recurring and changed campaigns, changes during a run, and an upstream that is not additive.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

/// Three counters and revenue in cents: enough to exercise every rule of [`Totals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct V {
    counters: [u64; 3],
    cents: i64,
}

impl Totals for V {
    fn is_zero(&self) -> bool {
        self.counters == [0; 3] && self.cents == 0
    }
    fn sum<'a>(days: impl Iterator<Item = &'a Self>) -> Option<Self> {
        let mut total = V::default();
        for day in days {
            for (t, d) in total.counters.iter_mut().zip(day.counters) {
                *t = t.checked_add(d)?;
            }
            total.cents = total.cents.checked_add(day.cents)?;
        }
        Some(total)
    }
    fn same(&self, other: &Self) -> bool {
        self == other
    }
    fn minus(&self, part: &Self) -> Result<Option<Self>, Mismatch> {
        let mut rest = *self;
        for (at, (r, p)) in rest.counters.iter_mut().zip(part.counters).enumerate() {
            *r = r.checked_sub(p).ok_or_else(|| Mismatch {
                counter: format!("c{at}"),
                whole: self.counters[at].to_string(),
                parts: p.to_string(),
            })?;
        }
        rest.cents -= part.cents;
        Ok(Some(rest))
    }
    fn check(&self, parts: [&Self; 2]) -> Result<(), Mismatch> {
        let sum = V::sum(parts.into_iter()).ok_or_else(|| Mismatch {
            counter: "c".into(),
            whole: String::new(),
            parts: "overflow".into(),
        })?;
        for at in 0..3 {
            if sum.counters[at] != self.counters[at] {
                return Err(Mismatch {
                    counter: format!("c{at}"),
                    whole: self.counters[at].to_string(),
                    parts: sum.counters[at].to_string(),
                });
            }
        }
        if sum.cents != self.cents {
            return Err(Mismatch {
                counter: "revenue".into(),
                whole: self.cents.to_string(),
                parts: sum.cents.to_string(),
            });
        }
        Ok(())
    }
    fn zero_like(&self) -> Option<Self> {
        Some(V::default())
    }
}

/// How the simulated upstream answers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Upstream {
    /// Sums the days of the range, as R12 says.
    Additive,
    /// Answers every range with the whole lifetime.
    IgnoresRange,
}

/// A simulated API for one campaign: per-day data, a change after `change_after` requests.
struct Api {
    days: BTreeMap<Day, V>,
    kind: Upstream,
    requests: usize,
    change: Option<(usize, Day, V)>,
}

impl Api {
    fn answer(&mut self, span: Span) -> V {
        self.requests += 1;
        if let Some((after, day, value)) = self.change
            && self.requests > after
        {
            self.days.insert(day, value);
            self.change = None;
        }
        let range = match self.kind {
            Upstream::Additive => span.from..span.to,
            Upstream::IgnoresRange => Day::MIN..Day::MAX,
        };
        V::sum(self.days.range(range).map(|(_, v)| v)).expect("no overflow in tests")
    }
}

/// Runs the planner to the end, answering each round's requests in an order `seed` shuffles.
fn run(
    spans: &[Span],
    stored: &BTreeMap<Day, V>,
    api: &mut Api,
    seed: u64,
) -> Result<BTreeMap<Day, Settled<V>>, Disagreement> {
    let mut planner = Reconcile::new(spans, stored.clone());
    let mut rng = seed;
    let mut rounds = 0;
    while !planner.is_done() {
        rounds += 1;
        assert!(rounds < 100_000, "the planner does not finish");
        let mut requests = planner.requests();
        assert!(!requests.is_empty(), "the planner waits on nothing");
        // A tiny LCG shuffle: answers come back in any order.
        for i in (1..requests.len()).rev() {
            rng = rng.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let j = usize::try_from(rng >> 33).unwrap_or(0) % (i + 1);
            requests.swap(i, j);
        }
        for span in requests {
            assert!(span.to - span.from <= MAX_SPAN_DAYS, "{span:?} is too long");
            assert!(span.from < span.to, "{span:?} is empty");
            let value = api.answer(span);
            planner.answer(span, value);
        }
    }
    planner.finish()
}

/// The table after the run: stored rows updated with the run's days.
fn table(stored: &BTreeMap<Day, V>, days: BTreeMap<Day, Settled<V>>) -> BTreeMap<Day, V> {
    let mut table = stored.clone();
    for (day, settled) in days {
        if let Settled::Store(value) = settled {
            table.insert(day, value);
        }
    }
    table
}

/// What one request per day would store for `spans`.
fn oracle(api: &Api, spans: &[Span], stored: &BTreeMap<Day, V>) -> BTreeMap<Day, V> {
    let mut table = stored.clone();
    for span in spans {
        for day in span.from..span.to {
            table.insert(day, api.days.get(&day).copied().unwrap_or_default());
        }
    }
    table
}

fn day(n: u64) -> V {
    V {
        counters: [n, n / 2, n % 3],
        cents: i64::try_from(n).unwrap_or(0) * 37,
    }
}

fn api(days: BTreeMap<Day, V>) -> Api {
    Api {
        days,
        kind: Upstream::Additive,
        requests: 0,
        change: None,
    }
}

/// Activity of one campaign over `len` days: a one-shot send with a tail, recurring sends,
/// nothing, or every day.
fn activity(len: i64) -> impl Strategy<Value = BTreeMap<Day, V>> {
    let one_shot = (0..len, 1..9_i64, 1..1000_u64).prop_map(move |(start, tail, n)| {
        (start..(start + tail).min(len))
            .map(|d| (d, day(n / u64::try_from(d - start + 1).unwrap_or(1) + 1)))
            .collect()
    });
    let recurring = (1..40_i64, 1..5_i64, 1..500_u64).prop_map(move |(every, tail, n)| {
        (0..len)
            .filter(|d| d % every < tail)
            .map(|d| (d, day(n + u64::try_from(d).unwrap_or(0))))
            .collect()
    });
    let dense = (1..1000_u64).prop_map(move |n| (0..len).map(|d| (d, day(n + 1))).collect());
    let random = proptest::collection::btree_map(0..len, (0..50_u64).prop_map(day), 0..20);
    prop_oneof![
        3 => one_shot,
        2 => recurring,
        1 => Just(BTreeMap::new()),
        1 => dense,
        2 => random,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A first sync stores exactly what one request per day would, for any activity and any
    /// order of answers.
    #[test]
    fn a_first_sync_equals_one_request_per_day(
        len in 1..800_i64,
        days in activity(800),
        seed in any::<u64>(),
    ) {
        let days: BTreeMap<Day, V> = days.into_iter().filter(|(d, _)| *d < len).collect();
        let spans = [Span { from: 0, to: len }];
        let mut upstream = api(days);
        let result = run(&spans, &BTreeMap::new(), &mut upstream, seed);
        let result = result.map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        prop_assert_eq!(
            table(&BTreeMap::new(), result),
            oracle(&upstream, &spans, &BTreeMap::new())
        );
    }

    /// A re-run over stored days, some of which changed since (late data only adds), plus new
    /// days after them, corrects every change and fills the new days.
    #[test]
    fn a_rerun_corrects_every_change_and_fills_new_days(
        days in activity(120),
        late in proptest::collection::btree_map(0..100_i64, 1..30_u64, 0..6),
        window in 1..60_i64,
        seed in any::<u64>(),
    ) {
        // Stored: days [0, 100) as they were; the API now has late additions, and days past 100.
        let stored: BTreeMap<Day, V> = (0..100)
            .map(|d| (d, days.get(&d).copied().unwrap_or_default()))
            .collect();
        let mut now = days.clone();
        for (d, extra) in &late {
            let before = now.get(d).copied().unwrap_or_default();
            let mut after = before;
            after.counters[0] += extra;
            after.cents += 1;
            now.insert(*d, after);
        }
        let spans = [Span { from: 100 - window, to: 120 }];
        let mut upstream = api(now);
        let result = run(&spans, &stored, &mut upstream, seed)
            .map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        prop_assert_eq!(table(&stored, result), oracle(&upstream, &spans, &stored));
    }

    /// An upstream that ignores the range is caught whenever the campaign has any activity, and
    /// nothing it said is kept.
    #[test]
    fn an_upstream_that_ignores_the_range_is_caught(
        len in 2..500_i64,
        days in activity(500),
    ) {
        let days: BTreeMap<Day, V> = days.into_iter().filter(|(d, _)| *d < len).collect();
        let active = days.values().any(|v| !v.is_zero());
        let mut upstream = Api { kind: Upstream::IgnoresRange, ..api(days) };
        let result = run(&[Span { from: 0, to: len }], &BTreeMap::new(), &mut upstream, 1);
        if active {
            prop_assert!(result.is_err(), "{:?}", result);
        }
    }

    /// Data that changes during the run ends with every day at a value it really had (never a
    /// mix of two moments), or the campaign fails.
    #[test]
    fn a_change_during_the_run_leaves_only_real_values(
        len in 2..400_i64,
        days in activity(400),
        change_after in 1..60_usize,
        changed_day in 0..400_i64,
        bump in 1..1000_u64,
        seed in any::<u64>(),
    ) {
        let days: BTreeMap<Day, V> = days.into_iter().filter(|(d, _)| *d < len).collect();
        let changed_day = changed_day % len;
        let before = days.get(&changed_day).copied().unwrap_or_default();
        let mut after = before;
        after.counters[1] += bump;
        let mut upstream = Api { change: Some((change_after, changed_day, after)), ..api(days.clone()) };
        let spans = [Span { from: 0, to: len }];
        if let Ok(result) = run(&spans, &BTreeMap::new(), &mut upstream, seed) {
            let table = table(&BTreeMap::new(), result);
            for (d, value) in table {
                let old = days.get(&d).copied().unwrap_or_default();
                if d == changed_day {
                    prop_assert!(value == old || value == after, "day {d}: {value:?}");
                } else {
                    prop_assert_eq!(value, old, "day {}", d);
                }
            }
        }
    }

    /// A campaign active every day costs at most 5 % more than one request per day, from 40
    /// days up.
    #[test]
    fn a_dense_campaign_costs_at_most_five_percent_more(len in 40..1200_i64, n in 1..1000_u64) {
        let days = (0..len).map(|d| (d, day(n))).collect();
        let mut upstream = api(days);
        run(&[Span { from: 0, to: len }], &BTreeMap::new(), &mut upstream, 7)
            .map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        let per_day = usize::try_from(len).unwrap_or(0);
        prop_assert!(upstream.requests * 100 <= per_day * 105, "{} for {len} days", upstream.requests);
    }
}

#[test]
fn an_unchanged_campaign_costs_one_request_per_span() {
    let days: BTreeMap<Day, V> = (0..30)
        .map(|d| (d, day(10 + u64::try_from(d).unwrap_or(0))))
        .collect();
    let mut upstream = api(days.clone());
    let spans = [Span { from: 2, to: 30 }];
    let result = run(&spans, &days, &mut upstream, 3).unwrap();
    assert_eq!(upstream.requests, 1);
    assert!(result.values().all(|s| *s == Settled::Keep));
}

#[test]
fn a_new_empty_day_after_an_unchanged_window_costs_nothing_more() {
    let stored: BTreeMap<Day, V> = (0..28).map(|d| (d, day(5))).collect();
    let mut upstream = api(stored.clone());
    let result = run(&[Span { from: 0, to: 29 }], &stored, &mut upstream, 3).unwrap();
    assert_eq!(upstream.requests, 1);
    assert_eq!(result.get(&28), Some(&Settled::Store(V::default())));
}

#[test]
fn no_request_spans_more_than_a_year_and_a_silent_campaign_costs_one_per_year() {
    let mut upstream = api(BTreeMap::new());
    let spans = [Span { from: 0, to: 3261 }];
    let result = run(&spans, &BTreeMap::new(), &mut upstream, 3).unwrap();
    assert_eq!(upstream.requests, 9, "3 261 days in spans of at most 366");
    assert_eq!(result.len(), 3261);
}

#[test]
fn the_first_request_goes_alone() {
    let mut planner: Reconcile<V> = Reconcile::new(&[Span { from: 0, to: 1000 }], BTreeMap::new());
    assert_eq!(planner.requests().len(), 1);
    assert!(
        planner.requests().is_empty(),
        "nothing more before the first answer"
    );
    planner.answer(Span { from: 0, to: 366 }, V::default());
    assert_eq!(planner.requests().len(), 2, "then the other spans at once");
}

#[test]
fn a_disagreement_names_the_range_and_the_counter() {
    let days = (0..10).map(|d| (d, day(3))).collect();
    let mut upstream = Api {
        kind: Upstream::IgnoresRange,
        ..api(days)
    };
    let error = run(
        &[Span { from: 0, to: 10 }],
        &BTreeMap::new(),
        &mut upstream,
        1,
    )
    .unwrap_err();
    assert_eq!(error.span, Span { from: 0, to: 10 });
    assert_eq!(error.mismatch.counter, "c0");
    assert_eq!(
        (error.mismatch.whole.as_str(), error.mismatch.parts.as_str()),
        ("30", "60")
    );
}

/// The assumption's blind spot, pinned so that docs/cli.md stays true: a count that moves between
/// two days of one checked range, every total unchanged, is not seen.
#[test]
fn a_count_moved_within_a_range_is_the_documented_blind_spot() {
    let stored: BTreeMap<Day, V> = (0..10).map(|d| (d, day(4))).collect();
    let mut moved = stored.clone();
    moved.insert(2, day(3));
    moved.insert(
        3,
        V {
            counters: [5, 3, 2],
            cents: 185,
        },
    );
    assert_eq!(V::sum(moved.values()), V::sum(stored.values()));
    let mut upstream = api(moved);
    let result = run(&[Span { from: 0, to: 10 }], &stored, &mut upstream, 1).unwrap();
    assert_eq!(upstream.requests, 1);
    assert!(result.values().all(|s| *s == Settled::Keep));
}

/// Request counts on the realistic shapes, printed for docs/performance.md (`cargo test -p
/// wa-stats-cli --bin wa-stats reconcile::tests::counts -- --nocapture`).
#[test]
fn counts() {
    let shapes: [(&str, BTreeMap<Day, V>); 4] = [
        ("never sent", BTreeMap::new()),
        (
            "one send, 7-day tail",
            (100..108).map(|d| (d, day(50))).collect(),
        ),
        (
            "weekly sends, 3-day tails",
            (0..365)
                .filter(|d| d % 7 < 3)
                .map(|d| (d, day(9)))
                .collect(),
        ),
        ("every day", (0..365).map(|d| (d, day(9))).collect()),
    ];
    for (name, days) in shapes {
        let mut upstream = api(days);
        run(
            &[Span { from: 0, to: 365 }],
            &BTreeMap::new(),
            &mut upstream,
            1,
        )
        .unwrap();
        println!("{name}: {} requests for 365 days", upstream.requests);
    }
}

/// Totals whose parts cannot be derived (as answers with conversational cards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Cards(V);

impl Totals for Cards {
    fn is_zero(&self) -> bool {
        self.0.is_zero()
    }
    fn sum<'a>(days: impl Iterator<Item = &'a Self>) -> Option<Self> {
        V::sum(days.map(|d| &d.0)).map(Cards)
    }
    fn same(&self, other: &Self) -> bool {
        self.0 == other.0
    }
    fn minus(&self, part: &Self) -> Result<Option<Self>, Mismatch> {
        self.0.minus(&part.0).map(|_| None)
    }
    fn check(&self, parts: [&Self; 2]) -> Result<(), Mismatch> {
        self.0.check([&parts[0].0, &parts[1].0])
    }
    fn zero_like(&self) -> Option<Self> {
        None
    }
    fn derivable(&self) -> bool {
        false
    }
}

/// Runs the planner over answers that cannot be derived; the requests it sent.
fn run_cards(days: &BTreeMap<Day, V>, len: i64) -> (BTreeMap<Day, Settled<Cards>>, usize) {
    let mut planner: Reconcile<Cards> =
        Reconcile::new(&[Span { from: 0, to: len }], BTreeMap::new());
    let mut requests = 0;
    while !planner.is_done() {
        for span in planner.requests() {
            requests += 1;
            let total = V::sum(days.range(span.from..span.to).map(|(_, v)| v)).unwrap_or_default();
            planner.answer(span, Cards(total));
        }
    }
    (planner.finish().expect("no disagreement"), requests)
}

#[test]
fn answers_that_cannot_be_derived_go_day_by_day_when_dense() {
    let dense: BTreeMap<Day, V> = (0..365).map(|d| (d, day(9))).collect();
    let (days, requests) = run_cards(&dense, 365);
    assert_eq!(days.len(), 365);
    assert!(
        days.iter()
            .all(|(d, s)| *s == Settled::Store(Cards(dense[d])))
    );
    assert!(requests <= 365 + 10, "{requests} for a dense year");
    let sparse: BTreeMap<Day, V> = (100..108).map(|d| (d, day(50))).collect();
    let (days, requests) = run_cards(&sparse, 365);
    assert!(
        days.iter()
            .all(|(d, s)| *s == Settled::Store(Cards(sparse.get(d).copied().unwrap_or_default())))
    );
    assert!(requests < 80, "{requests} for one send with a tail");
}
