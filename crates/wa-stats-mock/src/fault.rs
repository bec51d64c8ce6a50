//! Scripted faults: "answer the next N requests with status S / body B / after delay D / by
//! closing or resetting the connection / by stalling / with a slow body / with bytes that are
//! not HTTP", globally or for one campaign, on the statistics routes or on the token endpoint,
//! every time or for a seeded fraction of the requests.

use std::collections::VecDeque;
use std::time::Duration;

/// Which route a fault applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultScope {
    /// Both statistics routes (the default).
    #[default]
    Statistics,
    /// `POST /auth/token`.
    Token,
}

/// What a fault does to a request it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultAction {
    /// Answer with this status, body and headers instead of the real answer.
    Respond {
        /// HTTP status; a code outside 100..=999 is answered as 500.
        status: u16,
        /// Body bytes as text.
        body: String,
        /// Extra headers (lower-case name, value).
        headers: Vec<(String, String)>,
    },
    /// Answer normally (only the delay applies).
    Normal,
    /// Drop the TCP connection without sending anything.
    CloseConnection,
    /// Send the real answer's status and headers and part of its body, then drop the connection.
    CloseMidBody,
    /// Reset the connection (TCP RST, not a clean close), without an answer.
    Reset,
    /// Read the request and never answer, keeping the connection open.
    Stall,
    /// Send the real answer, its body at this many bytes per second.
    SlowBody {
        /// Body bytes per second (at least 1).
        bytes_per_second: u32,
    },
    /// Write these bytes on the socket instead of an answer, then close it. Over HTTPS they go
    /// below TLS too, as a middlebox that speaks another protocol would send them.
    RawBytes(Vec<u8>),
}

/// A fault that hits only part of the matching requests: each is hit with probability
/// `per_million / 1 000 000`, decided by a generator seeded with `seed`, so that a test replays
/// the same hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fraction {
    /// Requests hit per million.
    pub per_million: u32,
    /// The seed of the draws.
    pub seed: u64,
}

/// [`Fault::NOT_HTTP_BYTES`].
const NOT_HTTP_BYTES: &[u8] = b"SSH-2.0-OpenSSH_9.6 this is not HTTP\r\n\0\x01\x02";

/// [`Fault::TIMES_ALWAYS`].
const TIMES_ALWAYS: u32 = u32::MAX;

/// A scripted fault. Build with [`Fault::status`], [`Fault::delay`], [`Fault::close_connection`]
/// or [`Fault::close_mid_body`], then refine it.
///
/// ```
/// use std::time::Duration;
/// use wa_stats_mock::Fault;
/// let fault = Fault::status(503).body(r#"{"message":"busy"}"#).header("retry-after", "2").times(3);
/// let slow = Fault::delay(Duration::from_millis(200)).for_campaign(12345);
/// # let _ = (fault, slow);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fault {
    /// What it does.
    pub action: FaultAction,
    /// Wait this long before acting.
    pub delay: Duration,
    /// How many matching requests it applies to (at least 1).
    pub times: u32,
    /// Only requests whose body names this campaign; `None`: every request of the scope.
    pub campaign_id: Option<u64>,
    /// Which route.
    pub scope: FaultScope,
    /// Only this fraction of the matching requests; `None`: every one.
    pub fraction: Option<Fraction>,
}

impl Fault {
    /// The bytes [`Fault::not_http`] sends: a banner of another protocol, as a port that is not
    /// the API's answers.
    pub const NOT_HTTP_BYTES: &'static [u8] = NOT_HTTP_BYTES;

    /// [`Fault::times`] for a fault that never runs out.
    pub const TIMES_ALWAYS: u32 = TIMES_ALWAYS;

    fn new(action: FaultAction) -> Self {
        Self {
            action,
            delay: Duration::ZERO,
            times: 1,
            campaign_id: None,
            scope: FaultScope::Statistics,
            fraction: None,
        }
    }

    /// Answer with `status` (and an empty body unless [`Fault::body`] sets one).
    pub fn status(status: u16) -> Self {
        Self::new(FaultAction::Respond {
            status,
            body: String::new(),
            headers: Vec::new(),
        })
    }

    /// Answer normally, `delay` late, as a slow upstream does: the answer is made when the
    /// request arrives (so the rate limit, token expiry and R3's checks see the arrival) and sent
    /// after `delay`.
    pub fn delay(delay: Duration) -> Self {
        Self::new(FaultAction::Normal).after(delay)
    }

    /// Drop the connection without an answer.
    pub fn close_connection() -> Self {
        Self::new(FaultAction::CloseConnection)
    }

    /// Send the status line, headers and part of the body, then drop the connection.
    pub fn close_mid_body() -> Self {
        Self::new(FaultAction::CloseMidBody)
    }

    /// Reset the connection (RST) without an answer, as a crashed proxy or a firewall does.
    pub fn reset() -> Self {
        Self::new(FaultAction::Reset)
    }

    /// Read the request and never answer, with the connection left open: only the client's own
    /// timeout ends the wait.
    pub fn stall() -> Self {
        Self::new(FaultAction::Stall)
    }

    /// Send the real answer with its body trickling at `bytes_per_second` (0 counts as 1).
    pub fn slow_body(bytes_per_second: u32) -> Self {
        Self::new(FaultAction::SlowBody {
            bytes_per_second: bytes_per_second.max(1),
        })
    }

    /// Answer with bytes that are not HTTP ([`Fault::NOT_HTTP_BYTES`]), then close the connection.
    pub fn not_http() -> Self {
        Self::raw_bytes(NOT_HTTP_BYTES)
    }

    /// Answer with exactly these bytes on the socket, then close the connection.
    pub fn raw_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self::new(FaultAction::RawBytes(bytes.into()))
    }

    /// The body of a [`Fault::status`] answer. Sent as `application/json` when it is JSON, else
    /// as `text/plain`, unless a `content-type` header is set. Ignored by other faults.
    #[must_use]
    pub fn body(mut self, text: impl Into<String>) -> Self {
        if let FaultAction::Respond { body, .. } = &mut self.action {
            *body = text.into();
        }
        self
    }

    /// Adds a header to a [`Fault::status`] answer. Ignored by other faults.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let FaultAction::Respond { headers, .. } = &mut self.action {
            headers.push((name.into().to_ascii_lowercase(), value.into()));
        }
        self
    }

    /// Waits `delay` before acting; on a [`Fault::delay`] (a normal answer), holds the answer
    /// for `delay` after making it.
    #[must_use]
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Applies to the next `n` matching requests (default 1; 0 counts as 1; [`Fault::TIMES_ALWAYS`] never
    /// runs out).
    #[must_use]
    pub fn times(mut self, n: u32) -> Self {
        self.times = n.max(1);
        self
    }

    /// Never runs out: applies to every matching request until a reset.
    #[must_use]
    pub fn always(self) -> Self {
        self.times(TIMES_ALWAYS)
    }

    /// Hits each matching request with probability `fraction` (0.0 to 1.0, to the millionth),
    /// drawn from a generator seeded with `seed`: the same seed hits the same requests of a
    /// run. Requests it spares go on to the next fault, or are answered normally; only hits
    /// count towards [`Fault::times`].
    ///
    /// ```
    /// use wa_stats_mock::Fault;
    /// let flaky = Fault::status(503).fraction(0.3, 42).always();
    /// # let _ = flaky;
    /// ```
    #[must_use]
    pub fn fraction(mut self, fraction: f64, seed: u64) -> Self {
        let clamped = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "clamped to 0..=1 000 000 first"
        )]
        let per_million = (clamped * 1_000_000.0).round() as u32;
        self.fraction = Some(Fraction { per_million, seed });
        self
    }

    /// Applies only to requests for `campaign_id` (statistics routes).
    #[must_use]
    pub fn for_campaign(mut self, campaign_id: u64) -> Self {
        self.campaign_id = Some(campaign_id);
        self
    }

    /// Applies to `POST /auth/token` instead of the statistics routes.
    #[must_use]
    pub fn on_token_endpoint(mut self) -> Self {
        self.scope = FaultScope::Token;
        self
    }
}

/// Pending faults, first injected first applied, each with the number of requests it has been
/// drawn for.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    pending: VecDeque<(Fault, u64)>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        self.pending.push_back((fault, 0));
    }

    pub(crate) fn clear(&mut self) {
        self.pending.clear();
    }

    /// Takes one use of the first fault that matches a request and hits it, if any.
    pub(crate) fn take(&mut self, scope: FaultScope, campaign_id: Option<u64>) -> Option<Fault> {
        let index = self.pending.iter_mut().position(|(fault, draws)| {
            let matches =
                fault.scope == scope && fault.campaign_id.is_none_or(|id| Some(id) == campaign_id);
            matches
                && fault.fraction.is_none_or(|fraction| {
                    let draw = splitmix64(fraction.seed.wrapping_add(*draws));
                    *draws += 1;
                    draw % 1_000_000 < u64::from(fraction.per_million)
                })
        })?;
        let (fault, _) = self.pending.get_mut(index)?;
        if fault.times != TIMES_ALWAYS {
            fault.times = fault.times.saturating_sub(1);
        }
        let taken = fault.clone();
        if fault.times == 0 {
            self.pending.remove(index);
        }
        Some(taken)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a stable, well-mixed draw per (seed, request number),
/// fixed here so that a seed replays the same hits in every version of the mock.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(seed: u64) -> Vec<bool> {
        let mut queue = FaultQueue::default();
        queue.push(Fault::status(503).fraction(0.3, seed).always());
        (0..1000)
            .map(|_| queue.take(FaultScope::Statistics, None).is_some())
            .collect()
    }

    #[test]
    fn a_seeded_fraction_replays_and_hits_about_that_share() {
        let first = hits(42);
        assert_eq!(first, hits(42));
        assert_ne!(first, hits(43));
        let count = first.iter().filter(|hit| **hit).count();
        assert!((250..350).contains(&count), "{count} of 1000");
    }

    #[test]
    fn a_spared_request_goes_on_to_the_next_fault() {
        let mut queue = FaultQueue::default();
        queue.push(Fault::status(503).fraction(0.0, 1));
        queue.push(Fault::status(500));
        let taken = queue.take(FaultScope::Statistics, None);
        assert!(matches!(
            taken.map(|fault| fault.action),
            Some(FaultAction::Respond { status: 500, .. })
        ));
        assert!(!queue.is_empty(), "the 0% fault stays");
    }
}
