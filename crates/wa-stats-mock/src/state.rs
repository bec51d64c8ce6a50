//! The server's shared state: data, limiters, issued tokens, faults and journal, plus the test
//! controls that act on them. Every lock here is a `std` lock held for a few instructions and
//! never across an `.await`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};
use std::time::Duration;

use wa_stats_model::endpoint::{RATE_LIMIT_PER_SECOND, RATE_LIMIT_WINDOW};

use crate::error::{FixtureIssue, MockError};
use crate::fault::{Fault, FaultQueue, FaultScope};
use crate::fixtures::{CampaignFixture, Fixtures, IN_CODE};
use crate::journal::{DEFAULT_JOURNAL_MAX_BYTES, Journal, JournalEntry};
use crate::limiter::SlidingWindow;
use crate::store::{Campaigns, Directory, compile_campaign};
use crate::tokens::TokenStore;
use crate::verify::{Expectation, VerificationError};

/// Default lifetime of issued tokens (R14).
pub(crate) const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(3600);
/// The longest token lifetime the mock issues: 2^31 − 1 seconds (68 years), the most an
/// `expires_in` read into a 32-bit integer holds, as many OAuth clients read it. A longer one is
/// refused at start (flag, fixture or builder), never clamped.
pub(crate) const MAX_TOKEN_TTL: Duration = Duration::from_secs(2_147_483_647);
/// Default number of journal entries kept (the oldest go first).
pub(crate) const DEFAULT_JOURNAL_CAPACITY: usize = 10_000;

/// Who may use `/__admin/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AdminAccess {
    /// Anyone (loopback listeners without an admin token).
    Open,
    /// Requests with `Authorization: Bearer <token>`.
    Token(String),
    /// Nobody: the routes do not exist.
    Off,
}

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) rate_limit: Option<u32>,
    pub(crate) token_ttl: Duration,
    pub(crate) admin: AdminAccess,
    pub(crate) journal_capacity: usize,
    pub(crate) journal_max_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            rate_limit: Some(RATE_LIMIT_PER_SECOND),
            token_ttl: DEFAULT_TOKEN_TTL,
            admin: AdminAccess::Open,
            journal_capacity: DEFAULT_JOURNAL_CAPACITY,
            journal_max_bytes: DEFAULT_JOURNAL_MAX_BYTES,
        }
    }
}

/// Compiled fixtures.
#[derive(Debug)]
pub(crate) struct Data {
    pub(crate) directory: Directory,
    pub(crate) campaigns: Campaigns,
}

impl Data {
    pub(crate) fn compile(fixtures: &Fixtures) -> Result<Self, FixtureIssue> {
        let directory = Directory::compile(fixtures)?;
        let campaigns = Campaigns::compile(fixtures, &directory)?;
        Ok(Self {
            directory,
            campaigns,
        })
    }
}

pub(crate) struct Shared {
    pub(crate) directory: Directory,
    pub(crate) campaigns: RwLock<Campaigns>,
    /// `None` when the rate limit is off: no lock is taken at all then.
    pub(crate) limiter: Option<Mutex<SlidingWindow>>,
    pub(crate) tokens: Mutex<TokenStore>,
    pub(crate) faults: Mutex<FaultQueue>,
    /// Whether `faults` may hold anything, so that requests skip its lock when it is empty.
    pub(crate) faults_pending: AtomicBool,
    pub(crate) journal: Mutex<Journal>,
    /// What `verify` checks the journal against; never touched while serving.
    pub(crate) expectations: Mutex<Vec<Expectation>>,
    pub(crate) settings: Settings,
}

/// Everything a mock server shares between requests. Cheap to clone (one `Arc`).
///
/// Build one with [`AppState::builtin`], [`AppState::new`] or
/// [`MockServerBuilder::into_state`](crate::MockServerBuilder::into_state), and hand it to
/// [`router`](crate::router) to test without a socket. The controls ([`inject`](Self::inject),
/// [`journal`](Self::journal), [`reset`](Self::reset), [`upsert_campaign`](Self::upsert_campaign))
/// are the same as [`MockServer`](crate::MockServer)'s.
#[derive(Clone)]
pub struct AppState {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("settings", &self.shared.settings)
            .finish_non_exhaustive()
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks cannot leave the data half-updated in a way
    // that matters to a mock, so a poisoned lock is used as is.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    /// The built-in data of R13 with default settings (admin API open).
    ///
    /// # Panics
    ///
    /// If the built-in fixtures do not compile, which their tests rule out: a mock that silently
    /// served no campaign would turn every test of its users into a puzzle of 400s.
    #[allow(
        clippy::expect_used,
        reason = "the built-in data is a constant of this crate; a broken one is a bug to report at once, not a state to serve"
    )]
    pub fn builtin() -> Self {
        Self::new(&Fixtures::builtin()).expect("the built-in fixtures (R13) compile")
    }

    /// State for `fixtures` with default settings, except those the fixtures' `settings` set.
    pub fn new(fixtures: &Fixtures) -> Result<Self, MockError> {
        let data = Data::compile(fixtures).map_err(|issue| issue.in_file(IN_CODE))?;
        let mut settings = Settings::default();
        apply_fixture_settings(&mut settings, fixtures).map_err(|issue| issue.in_file(IN_CODE))?;
        Ok(Self::from_data(data, settings))
    }

    pub(crate) fn from_data(data: Data, settings: Settings) -> Self {
        let limiter = settings
            .rate_limit
            .map(|limit| Mutex::new(SlidingWindow::new(limit, RATE_LIMIT_WINDOW)));
        Self {
            shared: Arc::new(Shared {
                directory: data.directory,
                campaigns: RwLock::new(data.campaigns),
                limiter,
                tokens: Mutex::new(TokenStore::default()),
                faults: Mutex::new(FaultQueue::default()),
                faults_pending: AtomicBool::new(false),
                journal: Mutex::new(Journal::new(
                    settings.journal_capacity,
                    settings.journal_max_bytes,
                )),
                expectations: Mutex::new(Vec::new()),
                settings,
            }),
        }
    }

    /// Scripts a fault for the next matching requests.
    pub fn inject(&self, fault: Fault) {
        let mut faults = lock(&self.shared.faults);
        faults.push(fault);
        self.shared.faults_pending.store(true, Ordering::Release);
    }

    /// The requests received so far (oldest first), credentials redacted.
    pub fn journal(&self) -> Vec<JournalEntry> {
        lock(&self.shared.journal).entries()
    }

    /// Requests counted since the start or the last reset, including those the journal no
    /// longer keeps (it keeps the last 10 000, and at most 32 MiB, by default).
    pub fn requests_received(&self) -> u64 {
        lock(&self.shared.journal).received()
    }

    /// Expects a request (see [`Expectation`]); [`verify`](Self::verify) checks it.
    pub fn expect(&self, expectation: Expectation) {
        lock(&self.shared.expectations).push(expectation);
    }

    /// Whether any expectation was set since the start or the last reset.
    pub fn has_expectations(&self) -> bool {
        !lock(&self.shared.expectations).is_empty()
    }

    /// Checks every expectation against the journal; the error says which were not met and
    /// lists what came.
    pub fn verify(&self) -> Result<(), VerificationError> {
        let expectations = lock(&self.shared.expectations).clone();
        crate::verify::check(
            &expectations,
            &self.journal(),
            self.shared.settings.journal_capacity,
        )
    }

    /// Clears faults, expectations, journal, rate-limit state and issued tokens. Campaigns stay
    /// as they are.
    pub fn reset(&self) {
        lock(&self.shared.faults).clear();
        lock(&self.shared.expectations).clear();
        lock(&self.shared.journal).clear();
        if let Some(limiter) = &self.shared.limiter {
            lock(limiter).clear();
        }
        lock(&self.shared.tokens).clear();
    }

    /// Adds a campaign, or replaces the one with the same ID. Fails (changing nothing) if the
    /// owner is unknown or a day is invalid.
    pub fn upsert_campaign(&self, campaign: &CampaignFixture) -> Result<(), MockError> {
        let compiled = compile_campaign(campaign, &self.shared.directory, "campaign")
            .map_err(|issue| issue.in_file(IN_CODE))?;
        self.shared
            .campaigns
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .by_id
            .insert(campaign.id, compiled);
        Ok(())
    }

    /// Number of campaigns served.
    pub fn campaign_count(&self) -> usize {
        self.campaigns().by_id.len()
    }

    /// Bytes of heap held by the campaigns' day tables: the bulk of a large data set's memory.
    pub fn data_heap_bytes(&self) -> usize {
        self.campaigns().heap_bytes()
    }

    pub(crate) fn campaigns(&self) -> RwLockReadGuard<'_, Campaigns> {
        self.shared
            .campaigns
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes one use of the first fault matching a request, if any. `campaign_id` is asked
    /// only when faults are pending, so that a request without faults never parses twice.
    pub(crate) fn take_fault(
        &self,
        scope: FaultScope,
        campaign_id: impl FnOnce() -> Option<u64>,
    ) -> Option<Fault> {
        if !self.shared.faults_pending.load(Ordering::Acquire) {
            return None;
        }
        let mut faults = lock(&self.shared.faults);
        let fault = faults.take(scope, campaign_id());
        if faults.is_empty() {
            self.shared.faults_pending.store(false, Ordering::Release);
        }
        fault
    }
}

/// Applies what a fixture file's `settings` say (0 turns the rate limit off); a token lifetime
/// outside 1 s ..= [`MAX_TOKEN_TTL`] is refused.
pub(crate) fn apply_fixture_settings(
    settings: &mut Settings,
    fixtures: &Fixtures,
) -> Result<(), FixtureIssue> {
    if let Some(limit) = fixtures.settings.rate_limit_per_second {
        settings.rate_limit = (limit > 0).then_some(limit);
    }
    if let Some(ttl) = fixtures.settings.token_ttl_secs {
        settings.token_ttl = token_ttl_secs(ttl)
            .map_err(|message| FixtureIssue::new("settings.tokenTtlSecs", message))?;
    }
    Ok(())
}

/// A token lifetime the mock can honour, or why not.
pub(crate) fn token_ttl_secs(secs: u64) -> Result<Duration, String> {
    if (1..=MAX_TOKEN_TTL.as_secs()).contains(&secs) {
        Ok(Duration::from_secs(secs))
    } else {
        Err(format!(
            "a token lifetime must be from 1 to {} seconds (68 years, what a 32-bit \
             expires_in holds), got {secs}",
            MAX_TOKEN_TTL.as_secs()
        ))
    }
}
