//! A faithful, fast mock of Insider's WhatsApp Campaign Analytics API, to test integrations
//! without a paid partner account.
//!
//! It serves both statistics routes (`/api/wa/v2/statistics/campaign` with an OAuth bearer
//! token, `/v1/statistics/campaign` with an API key) and `POST /auth/token`, answers every
//! documented error exactly (the bodies come from [`wa_stats_model`]), rate-limits per credential,
//! sums per-UTC-day buckets over any range in O(log days), and lets tests script faults and read
//! a journal of what it received.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use wa_stats_mock::{Fault, MockServer};
//!
//! let server = MockServer::start().await; // built-in data: campaign 12345, key INS.demo-key …
//! server.inject(Fault::status(503).times(2));
//! let url = format!("{}/v1/statistics/campaign", server.base_url());
//! # let _ = url;
//! # }
//! ```
//!
//! A 429 fault with `Retry-After: 1` makes a well-behaved client wait a second per retry; with
//! `wa-stats-client`, cap that in tests (the retry still happens, the wait is ~10 ms):
//!
//! ```text
//! server.inject(Fault::status(429).header("retry-after", "1"));
//! let client = Client::builder().bearer_token("demo-token").base_url(server.base_url())
//!     .max_retry_after(Duration::from_millis(10)).build()?;
//! ```
//!
//! The rulings it follows (R1–R15) and the fixture format are described in `docs/mock.md`.

mod body_deadline;
mod builder;
mod error;
mod fault;
pub mod fixtures;
mod journal;
mod json_wording;
mod limiter;
mod redact;
mod routes;
mod secret_map;
mod server;
mod state;
mod store;
mod synthetic;
#[cfg(feature = "tls")]
pub mod tls;
mod tokens;
mod verify;

pub use builder::MockServerBuilder;
pub use error::MockError;
pub use fault::{Fault, FaultAction, FaultScope, Fraction, NOT_HTTP_BYTES, TIMES_ALWAYS};
pub use fixtures::{Fixtures, ReadFixtures, fixture_schema};
pub use journal::{
    DEFAULT_JOURNAL_MAX_BYTES, JOURNAL_BODY_LIMIT, JournalEntry, MIN_JOURNAL_MAX_BYTES,
    peak_in_window,
};
pub use routes::{ADMIN_PREFIX, HEALTH_PATH, REQUEST_LOG_TARGET, router};
pub use server::MockServer;
pub use state::{AppState, DEFAULT_JOURNAL_CAPACITY, DEFAULT_TOKEN_TTL, MAX_TOKEN_TTL};
pub use synthetic::{Activity, MAX_SYNTHETIC_DAYS, SYNTHETIC_FIRST_ID, SYNTHETIC_OWNER};
pub use verify::{Expectation, VerificationError};
