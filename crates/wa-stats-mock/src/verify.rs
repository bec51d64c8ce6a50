//! Expectations, in the style of wiremock-rs: "this request, N times (or a range)", checked
//! against the journal by `verify()` and when the server drops, with a readable account of what
//! came instead.
//!
//! They are counted from the journal when checked, so serving costs nothing more for them; a
//! journal turned off (or one that evicted requests) is said to be the reason, never silently
//! read as "no requests".

use std::fmt::{self, Write as _};
use std::ops::{Bound, RangeBounds};

use wa_stats_model::endpoint::{API_KEY_STATISTICS_PATH, OAUTH_STATISTICS_PATH};

use crate::journal::JournalEntry;

/// A request the test expects, and how many times.
///
/// ```
/// use wa_stats_mock::Expectation;
/// let twice = Expectation::campaign(12345).times(2);
/// let some = Expectation::path("/auth/token").times_in(1..=3);
/// # let _ = (twice, some);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Expectation {
    method: Option<String>,
    paths: Vec<String>,
    campaign_id: Option<u64>,
    min: u64,
    max: Option<u64>,
}

impl Expectation {
    /// Any request (but `/healthz` and `/__admin/`, which are never journaled), once.
    pub fn any_request() -> Self {
        Self {
            method: None,
            paths: Vec::new(),
            campaign_id: None,
            min: 1,
            max: Some(1),
        }
    }

    /// A request on either statistics route, once.
    pub fn statistics() -> Self {
        Self {
            paths: vec![
                OAUTH_STATISTICS_PATH.to_owned(),
                API_KEY_STATISTICS_PATH.to_owned(),
            ],
            ..Self::any_request()
        }
    }

    /// A statistics request whose body names `campaign_id`, once.
    pub fn campaign(campaign_id: u64) -> Self {
        Self {
            campaign_id: Some(campaign_id),
            ..Self::statistics()
        }
    }

    /// A request on exactly this path, once.
    pub fn path(path: impl Into<String>) -> Self {
        Self {
            paths: vec![path.into()],
            ..Self::any_request()
        }
    }

    /// Only requests with this method (`POST`, any case).
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Only statistics requests for this campaign (on the paths already chosen).
    pub fn for_campaign(mut self, campaign_id: u64) -> Self {
        self.campaign_id = Some(campaign_id);
        self
    }

    /// Exactly `n` matching requests (0: none may come).
    pub fn times(mut self, n: u64) -> Self {
        self.min = n;
        self.max = Some(n);
        self
    }

    /// A number of matching requests in `range` (`1..`, `2..=4`, `..3`).
    pub fn times_in(mut self, range: impl RangeBounds<u64>) -> Self {
        self.min = match range.start_bound() {
            Bound::Included(&n) => n,
            Bound::Excluded(&n) => n.saturating_add(1),
            Bound::Unbounded => 0,
        };
        self.max = match range.end_bound() {
            Bound::Included(&n) => Some(n),
            Bound::Excluded(&n) => Some(n.saturating_sub(1)),
            Bound::Unbounded => None,
        };
        self
    }

    fn matches(&self, entry: &JournalEntry) -> bool {
        self.method
            .as_ref()
            .is_none_or(|method| *method == entry.method)
            && (self.paths.is_empty() || self.paths.contains(&entry.path))
            && self
                .campaign_id
                .is_none_or(|id| campaign_of(entry) == Some(id))
    }

    fn allows(&self, count: u64) -> bool {
        count >= self.min && self.max.is_none_or(|max| count <= max)
    }
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.method.as_deref().unwrap_or("any method"))?;
        match self.paths.as_slice() {
            [] => f.write_str(" on any path")?,
            [one] => write!(f, " {one}")?,
            _ => f.write_str(" on a statistics route")?,
        }
        if let Some(id) = self.campaign_id {
            write!(f, " for campaign {id}")?;
        }
        match (self.min, self.max) {
            (min, Some(max)) if min == max => write!(f, ", {}", plural(min)),
            (0, Some(max)) => write!(f, ", at most {}", plural(max)),
            (min, None) => write!(f, ", at least {}", plural(min)),
            (min, Some(max)) => write!(f, ", {min} to {max} times"),
        }
    }
}

fn plural(n: u64) -> String {
    if n == 1 {
        "once".to_owned()
    } else {
        format!("{n} times")
    }
}

/// The campaign a request's body names, read the way the mock reads it.
fn campaign_of(entry: &JournalEntry) -> Option<u64> {
    wa_stats_model::parse_request(entry.body.as_bytes())
        .ok()
        .and_then(|request| u64::try_from(request.campaign_id).ok())
}

/// Expectations that were not met, with what the journal holds instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{report}")]
pub struct VerificationError {
    report: String,
}

impl VerificationError {
    /// The whole account: each unmet expectation with its count, then the requests received.
    pub fn report(&self) -> &str {
        &self.report
    }
}

/// Checks `expectations` against `journal`; `capacity` is the journal's (0: off).
pub(crate) fn check(
    expectations: &[Expectation],
    journal: &[JournalEntry],
    capacity: usize,
) -> Result<(), VerificationError> {
    let unmet: Vec<(&Expectation, u64)> = expectations
        .iter()
        .map(|expectation| {
            let count = journal
                .iter()
                .filter(|entry| expectation.matches(entry))
                .count();
            (expectation, u64::try_from(count).unwrap_or(u64::MAX))
        })
        .filter(|(expectation, count)| !expectation.allows(*count))
        .collect();
    if unmet.is_empty() {
        return Ok(());
    }
    let mut report = String::from("wa-stats-mock: expectations not met:\n");
    for (expectation, count) in &unmet {
        let _ = writeln!(report, "  expected {expectation}; got {}", plural(*count));
    }
    if capacity == 0 {
        report.push_str(
            "the journal is off (journal capacity 0), so no request could be counted: turn it \
             on to verify expectations\n",
        );
        return Err(VerificationError { report });
    }
    if journal.first().is_some_and(|entry| entry.seq > 0) {
        let _ = writeln!(
            report,
            "the journal keeps the last {capacity} requests; older ones were not counted"
        );
    }
    if journal.is_empty() {
        report.push_str("received: no request\n");
    } else {
        let _ = writeln!(report, "received ({}):", journal.len());
        for entry in journal {
            let status = entry
                .status
                .map_or_else(|| "no answer".to_owned(), |status| status.to_string());
            let mark = if unmet
                .iter()
                .any(|(expectation, _)| expectation.matches(entry))
            {
                '+'
            } else {
                '-'
            };
            let _ = writeln!(
                report,
                "  {mark} #{} {} {} {} -> {status}",
                entry.seq,
                entry.method,
                entry.path,
                summary(entry)
            );
        }
        report.push_str("  (+ matches an unmet expectation, - matches none)\n");
    }
    Err(VerificationError { report })
}

/// What a request asked for, without its body: a body may hold anything a client sent, secrets
/// included, and this account goes into panics, logs and the `/__admin/verify` answer. The
/// campaign is named when the body reads as a statistics request; otherwise only its size.
fn summary(entry: &JournalEntry) -> String {
    match campaign_of(entry) {
        Some(id) => format!("campaign {id}"),
        None if entry.body.is_empty() => "(empty body)".to_owned(),
        None => format!("({} bytes of body)", entry.body.len()),
    }
}
