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
//!
//! # Public API, and why each part is public
//!
//! One path per item; listed item by item in `xtask/public-api/wa-stats-mock.txt` (checked in
//! CI). Defaults and bounds are associated constants of the type they describe.
//!
//! - [`MockServer`]: a running server (start, URL, faults, journal, expectations, shutdown), the
//!   way a suite uses the mock; `MockServer::REQUEST_LOG_TARGET` names its request log for
//!   `tracing` filters.
//! - [`MockServerBuilder`]: its settings, refused before anything binds; the settings' defaults
//!   and bounds (`DEFAULT_TOKEN_TTL`, `MAX_TOKEN_TTL`, `DEFAULT_JOURNAL_CAPACITY`,
//!   `DEFAULT_JOURNAL_MAX_BYTES`, `MIN_JOURNAL_MAX_BYTES`, `SYNTHETIC_OWNER`,
//!   `SYNTHETIC_FIRST_ID`, `MAX_SYNTHETIC_DAYS`) so that a test states them without copying.
//! - [`router`] and [`AppState`]: the mock without a socket (`tower::ServiceExt::oneshot`), for
//!   tests that need neither a port nor a runtime's I/O.
//! - [`Fault`], [`FaultAction`], [`FaultScope`], [`Fraction`] (and `Fault::TIMES_ALWAYS`,
//!   `Fault::NOT_HTTP_BYTES`): scripted faults, what a client's retry tests are written with.
//! - [`JournalEntry`] (`BODY_LIMIT`, `peak_in_window`): what the mock received, for assertions
//!   on what a client sent and how fast.
//! - [`Expectation`], [`VerificationError`]: expectations checked at [`MockServer::verify`] and
//!   on drop.
//! - [`Activity`]: how synthetic campaigns spread their sends, a builder setting's value.
//! - [`MockError`]: every refusal (fixtures, settings, bind), naming what to fix.
//! - [`fixtures`]: the fixture types (re-exported from `wa-stats-fixture`, so that a suite needs
//!   only the mock) and the mock's reading and checking of them (`from_file`, `from_json`,
//!   `check`, `schema`).
//! - `tls` (feature `tls`): `CertificateAuthority`, `TlsIdentity`, `LOOPBACK_NAMES`: HTTPS
//!   identities for the mock and for tests of failing TLS (an expired or foreign certificate).
//!
//! The binary's flags and the `/__admin/` JSON are API too (the Python package drives them);
//! they are documented in `docs/mock.md`.

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
pub use fault::{Fault, FaultAction, FaultScope, Fraction};
pub use journal::JournalEntry;
pub use routes::router;
pub use server::MockServer;
pub use state::AppState;
pub use synthetic::Activity;
pub use verify::{Expectation, VerificationError};
