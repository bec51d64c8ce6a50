//! Scripted faults: "answer the next N requests with status S / body B / after delay D / by
//! closing the connection", globally or for one campaign, on the statistics routes or on the
//! token endpoint.

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
}

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
}

impl Fault {
    fn new(action: FaultAction) -> Self {
        Self {
            action,
            delay: Duration::ZERO,
            times: 1,
            campaign_id: None,
            scope: FaultScope::Statistics,
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

    /// Applies to the next `n` matching requests (default 1; 0 counts as 1).
    #[must_use]
    pub fn times(mut self, n: u32) -> Self {
        self.times = n.max(1);
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

/// Pending faults, first injected first applied.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    pending: VecDeque<Fault>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault) {
        self.pending.push_back(fault);
    }

    pub(crate) fn clear(&mut self) {
        self.pending.clear();
    }

    /// Takes one use of the first fault matching a request, if any.
    pub(crate) fn take(&mut self, scope: FaultScope, campaign_id: Option<u64>) -> Option<Fault> {
        let index = self.pending.iter().position(|fault| {
            fault.scope == scope && fault.campaign_id.is_none_or(|id| Some(id) == campaign_id)
        })?;
        let fault = self.pending.get_mut(index)?;
        fault.times = fault.times.saturating_sub(1);
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
